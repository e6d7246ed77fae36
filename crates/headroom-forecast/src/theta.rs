//! The Theta family as state-space models (Fiorucci, Pellegrini, Louzada, Petropoulos
//! and Koehler, "Models for optimising the theta method and their relationship to state
//! space models", IJF 32 (2016) 1151–1161): standard (θ = 2), optimised (θ fitted),
//! and their dynamic forms, whose trend line is refitted at every step on the data seen
//! so far instead of once on the whole history.
//!
//! The one-step forecast made at time t (t observations seen, times 1..t) is
//!
//! μ_{t+1} = ℓ_t + (1 − 1/θ)·[(1 − α)^t·A_t + (1 − (1 − α)^{t+1})/α · B_t]
//!
//! with ℓ_t = α·y_t + (1 − α)·ℓ_{t−1} simple exponential smoothing and A_t + B_t·i the
//! least-squares line through y_1..y_t (dynamic) or through the whole history (static).
//! Forecasts further ahead feed each point forecast back as if it had been observed.
//! Parameters (α, θ, ℓ_0) minimise the in-sample one-step squared error.
//!
//! Seasons are removed first the way M4's Theta benchmark removes them (a 90%
//! autocorrelation test at lag m, then classical multiplicative indices) and put back on
//! the forecast.

use crate::baseline::{multiplicative_indices, seasonality_test};
use crate::optim::nelder_mead;

/// Which member of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Standard: θ = 2, the line fitted once on the whole history (STM, the classic
    /// Theta method with its smoothing parameter fitted).
    Standard,
    /// Optimised θ, static line (OTM).
    Optimised,
    /// θ = 2, the line refitted at every step (DSTM).
    DynamicStandard,
    /// Optimised θ, the line refitted at every step (DOTM).
    DynamicOptimised,
}

impl Kind {
    /// Every kind, in the order [`auto`] tries them.
    pub const ALL: [Kind; 4] = [
        Kind::Standard,
        Kind::Optimised,
        Kind::DynamicStandard,
        Kind::DynamicOptimised,
    ];

    fn dynamic(self) -> bool {
        matches!(self, Kind::DynamicStandard | Kind::DynamicOptimised)
    }

    fn optimised(self) -> bool {
        matches!(self, Kind::Optimised | Kind::DynamicOptimised)
    }

    /// Short name: stm, otm, dstm, dotm.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Standard => "stm",
            Kind::Optimised => "otm",
            Kind::DynamicStandard => "dstm",
            Kind::DynamicOptimised => "dotm",
        }
    }
}

/// A least-squares line through y_1..y_t (time index 1..t), kept as running sums so a
/// point can be added in constant time.
#[derive(Debug, Clone, Copy, Default)]
struct Line {
    t: f64,
    sum_y: f64,
    sum_ty: f64,
}

impl Line {
    fn push(&mut self, y: f64) {
        self.t += 1.0;
        self.sum_y += y;
        self.sum_ty += self.t * y;
    }

    /// (intercept A, slope B) of the line; one point gives a flat line through it.
    fn coefficients(&self) -> (f64, f64) {
        let t = self.t;
        if t < 2.0 {
            return (self.sum_y / t.max(1.0), 0.0);
        }
        let mean_t = (t + 1.0) / 2.0;
        let mean_y = self.sum_y / t;
        // Σ (i − mean_t)² for i = 1..t.
        let sxx = t * (t * t - 1.0) / 12.0;
        let slope = (self.sum_ty - mean_t * self.sum_y) / sxx;
        (mean_y - slope * mean_t, slope)
    }
}

/// The parameters of one fitted model.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Params {
    alpha: f64,
    theta: f64,
    level0: f64,
}

/// What running the recursions over a history leaves: its one-step errors and the state
/// to forecast from.
struct Run {
    sse: f64,
    level: f64,
    line: Line,
    /// The static line's coefficients (unused by dynamic kinds).
    fixed: (f64, f64),
    t: f64,
}

fn one_step(kind: Kind, p: Params, level: f64, line: &Line, fixed: (f64, f64), t: f64) -> f64 {
    let (a, b) = if kind.dynamic() {
        line.coefficients()
    } else {
        fixed
    };
    let decay = (1.0 - p.alpha).powf(t);
    level + (1.0 - 1.0 / p.theta) * (decay * a + (1.0 - decay * (1.0 - p.alpha)) / p.alpha * b)
}

fn run(y: &[f64], kind: Kind, p: Params) -> Run {
    let mut whole = Line::default();
    for &v in y {
        whole.push(v);
    }
    let fixed = whole.coefficients();
    // ℓ_1 from ℓ_0 and y_1; the first forecast is made at t = 1.
    let mut level = p.alpha * y[0] + (1.0 - p.alpha) * p.level0;
    let mut line = Line::default();
    line.push(y[0]);
    let mut sse = 0.0;
    for (i, &v) in y.iter().enumerate().skip(1) {
        let t = i as f64;
        let mu = one_step(kind, p, level, &line, fixed, t);
        sse += (v - mu).powi(2);
        level = p.alpha * v + (1.0 - p.alpha) * level;
        line.push(v);
    }
    Run {
        sse,
        level,
        line,
        fixed,
        t: y.len() as f64,
    }
}

/// A fitted Theta model on the seasonally adjusted series.
#[derive(Debug, Clone, PartialEq)]
pub struct Theta {
    /// Which member of the family.
    pub kind: Kind,
    /// Smoothing of the level.
    pub alpha: f64,
    /// θ: 2 for the standard kinds; larger gives the trend line more weight.
    pub theta: f64,
    /// Mean squared one-step error in sample (on the adjusted series).
    pub mse: f64,
    adjusted: Vec<f64>,
    /// Seasonal indices by position from the series' start (empty: no season).
    indices: Vec<f64>,
    level0: f64,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Seasonal indices when M4's test finds a season of length `m` and every value is
/// positive (multiplicative indices mean nothing otherwise).
fn season_of(y: &[f64], m: usize) -> Vec<f64> {
    if m > 1 && y.iter().all(|v| *v > 0.0) && seasonality_test(y, m) {
        multiplicative_indices(y, m)
    } else {
        Vec::new()
    }
}

/// Fits one kind to `y` with season length `m` (1: none). `y` needs at least 3 points.
pub fn fit(y: &[f64], m: usize, kind: Kind) -> Theta {
    let indices = season_of(y, m);
    fit_adjusted(y, indices, kind)
}

/// `y` divided by the seasonal `indices` (by position from its start; none: `y` itself).
fn seasonally_adjusted(y: &[f64], indices: &[f64]) -> Vec<f64> {
    if indices.is_empty() {
        y.to_vec()
    } else {
        y.iter()
            .enumerate()
            .map(|(t, v)| v / indices[t % indices.len()])
            .collect()
    }
}

/// The mean absolute value of `y`, or 1 when that is zero or not finite.
fn unit_scale(y: &[f64]) -> f64 {
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64;
    if scale > 0.0 && scale.is_finite() {
        scale
    } else {
        1.0
    }
}

/// Fits one kind to `y` with these seasonal indices (empty: no season) divided out.
fn fit_adjusted(y: &[f64], indices: Vec<f64>, kind: Kind) -> Theta {
    let adjusted = seasonally_adjusted(y, &indices);
    // Fitted on a unit scale so the optimiser stops at the same place whatever the units.
    let scale = unit_scale(&adjusted);
    let unit: Vec<f64> = adjusted.iter().map(|v| v / scale).collect();
    let to_params = |q: &[f64]| Params {
        alpha: 0.01 + 0.98 * sigmoid(q[0]),
        theta: if kind.optimised() {
            1.0 + (q[2].clamp(-30.0, 30.0)).exp()
        } else {
            2.0
        },
        level0: unit[0] + q[1],
    };
    let objective = |q: &[f64]| {
        let sse = run(&unit, kind, to_params(q)).sse;
        if sse.is_finite() { sse } else { f64::MAX }
    };
    // α ≈ 0.5, ℓ_0 = y_1 (as y_1/2 statsforecast starts from, on the unit scale), θ = 2.
    let dims = if kind.optimised() { 3 } else { 2 };
    let (best, sse) = nelder_mead(
        objective,
        &[0.0, 0.0, 0.0][..dims],
        &[1.0, 0.3, 1.0][..dims],
        150 * dims,
        1e-9,
    );
    let p = to_params(&best);
    Theta {
        kind,
        alpha: p.alpha,
        theta: p.theta,
        mse: sse / (unit.len().saturating_sub(1)).max(1) as f64 * scale * scale,
        adjusted,
        indices,
        level0: p.level0 * scale,
    }
}

/// Fits all four kinds and keeps the lowest in-sample MSE (statsforecast's AutoTheta
/// chooses the same way). The seasonal test and indices are computed once.
pub fn auto(y: &[f64], m: usize) -> Theta {
    let indices = season_of(y, m);
    Kind::ALL
        .into_iter()
        .map(|kind| fit_adjusted(y, indices.clone(), kind))
        .min_by(|a, b| a.mse.total_cmp(&b.mse))
        .expect("four kinds")
}

impl Theta {
    /// Point forecasts 1..=horizon steps ahead, the season put back.
    pub fn forecast(&self, horizon: usize) -> Vec<f64> {
        let p = Params {
            alpha: self.alpha,
            theta: self.theta,
            level0: self.level0,
        };
        let Run {
            mut level,
            mut line,
            fixed,
            mut t,
            ..
        } = run(&self.adjusted, self.kind, p);
        let n = self.adjusted.len();
        (0..horizon)
            .map(|h| {
                let mu = one_step(self.kind, p, level, &line, fixed, t);
                level = p.alpha * mu + (1.0 - p.alpha) * level;
                line.push(mu);
                t += 1.0;
                match self.indices.len() {
                    0 => mu,
                    m => mu * self.indices[(n + h) % m],
                }
            })
            .collect()
    }
}

/// [`auto`]'s forecast, or the last value repeated for fewer than 3 points.
pub fn forecast(y: &[f64], horizon: usize, m: usize) -> Vec<f64> {
    if y.len() < 3 {
        return crate::baseline::naive(y, horizon);
    }
    auto(y, m).forecast(horizon)
}

/// The dynamic optimised model alone (DOTM), or the last value for fewer than 3 points.
pub fn dotm(y: &[f64], horizon: usize, m: usize) -> Vec<f64> {
    if y.len() < 3 {
        return crate::baseline::naive(y, horizon);
    }
    fit(y, m, Kind::DynamicOptimised).forecast(horizon)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_running_line_is_least_squares() {
        let mut line = Line::default();
        for v in [3.0, 5.0, 4.0, 8.0] {
            line.push(v);
        }
        // By hand: t̄ = 2.5, ȳ = 5, Sxy = (−1.5)(−2) + (−0.5)(0) + (0.5)(−1) + (1.5)(3) = 7,
        // Sxx = 5, so B = 1.4 and A = 5 − 1.4·2.5 = 1.5.
        let (a, b) = line.coefficients();
        assert!(
            (a - 1.5).abs() < 1e-12 && (b - 1.4).abs() < 1e-12,
            "{a} {b}"
        );
    }

    #[test]
    fn a_straight_line_is_continued() {
        let y: Vec<f64> = (0..60).map(|t| 10.0 + 0.5 * t as f64).collect();
        for kind in Kind::ALL {
            let f = fit(&y, 1, kind).forecast(6);
            for (h, v) in f.iter().enumerate() {
                let want = 10.0 + 0.5 * (60 + h) as f64;
                // The standard kinds put half the weight on SES (a flat line), so they
                // lag the trend; the optimised ones fit θ and follow it closely.
                let tolerance = if kind.optimised() { 0.02 } else { 0.2 };
                assert!((v / want - 1.0).abs() < tolerance, "{}: {f:?}", kind.name());
            }
        }
    }

    #[test]
    fn the_standard_model_matches_the_classic_theta_method_in_form() {
        // With a flat series every kind forecasts the level.
        let y = vec![42.0; 30];
        for kind in Kind::ALL {
            let f = fit(&y, 12, kind).forecast(5);
            assert!(f.iter().all(|v| (v - 42.0).abs() < 1e-6), "{f:?}");
        }
    }

    #[test]
    fn seasons_are_put_back() {
        let y: Vec<f64> = (0..96)
            .map(|t| (100.0 + t as f64) * [0.8, 1.0, 1.3, 0.9][t % 4])
            .collect();
        let f = auto(&y, 4).forecast(4);
        for (h, v) in f.iter().enumerate() {
            let want = (100.0 + (96 + h) as f64) * [0.8, 1.0, 1.3, 0.9][(96 + h) % 4];
            assert!((v / want - 1.0).abs() < 0.05, "{f:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn finite_for_any_series(
            values in prop::collection::vec(prop_oneof![Just(0.0), -1e6f64..1e6], 0..80),
            horizon in 1usize..30,
            m in 1usize..13,
        ) {
            prop_assume!(!values.is_empty());
            for f in [forecast(&values, horizon, m), dotm(&values, horizon, m)] {
                prop_assert_eq!(f.len(), horizon);
                prop_assert!(f.iter().all(|v| v.is_finite()), "{:?}", f);
            }
        }
    }
}
