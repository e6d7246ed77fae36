//! Exponential smoothing without seasonality (additive errors): simple (ANN), Holt's
//! linear trend (AAN) and damped trend (AAdN), chosen by AICc, with parameters and
//! initial states fitted by least squares (Hyndman, Koehler, Ord and Snyder, *Forecasting
//! with Exponential Smoothing*, 2008).

use crate::optim::nelder_mead;

/// Which trend an ETS model has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// No trend: simple exponential smoothing.
    None,
    /// Additive (Holt).
    Additive,
    /// Additive damped.
    Damped,
}

/// A fitted ETS model.
#[derive(Debug, Clone, PartialEq)]
pub struct Ets {
    /// Its trend.
    pub trend: Trend,
    /// Level smoothing.
    pub alpha: f64,
    /// Trend smoothing (0 without trend).
    pub beta: f64,
    /// Damping (1 without damping).
    pub phi: f64,
    /// Level and trend after the last observation.
    pub level: f64,
    /// Trend after the last observation.
    pub slope: f64,
    /// Residual variance (SSE / n).
    pub sigma2: f64,
    /// Corrected Akaike information criterion.
    pub aicc: f64,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// (alpha, beta, phi, l0, b0) from unconstrained coordinates, scaled by the data.
fn params(trend: Trend, p: &[f64], scale: f64, y0: f64) -> (f64, f64, f64, f64, f64) {
    let alpha = 1e-4 + (1.0 - 2e-4) * sigmoid(p[0]);
    let l0 = y0 + scale * p[1];
    match trend {
        Trend::None => (alpha, 0.0, 1.0, l0, 0.0),
        Trend::Additive => (alpha, alpha * sigmoid(p[2]), 1.0, l0, scale * 0.01 * p[3]),
        // Damping in [0.8, 0.98], the range forecast's ets() and statsforecast search.
        Trend::Damped => (
            alpha,
            alpha * sigmoid(p[2]),
            0.8 + 0.18 * sigmoid(p[4]),
            l0,
            scale * 0.01 * p[3],
        ),
    }
}

/// Sum of squared one-step errors, and the final level and slope.
fn run(y: &[f64], (alpha, beta, phi, l0, b0): (f64, f64, f64, f64, f64)) -> (f64, f64, f64) {
    let (mut l, mut b, mut sse) = (l0, b0, 0.0);
    for &v in y {
        let e = v - (l + phi * b);
        sse += e * e;
        let new_l = l + phi * b + alpha * e;
        b = phi * b + beta * e;
        l = new_l;
    }
    (sse, l, b)
}

/// Fits one ETS model to `y` (at least 4 points).
pub fn fit(y: &[f64], trend: Trend) -> Ets {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let scale = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(1e-9 * mean.abs().max(1.0));
    let y0 = y[0];
    let dims = match trend {
        Trend::None => 2,
        Trend::Additive => 4,
        Trend::Damped => 5,
    };
    // alpha ≈ 0.5, beta ≈ 0.05·alpha, phi ≈ 0.89, l0 = y0, b0 = 0.
    let start = [0.0, 0.0, -3.0, 0.0, 0.0];
    let step = [1.0, 0.5, 1.0, 1.0, 1.0];
    let objective = |p: &[f64]| {
        let (sse, _, _) = run(y, params(trend, p, scale, y0));
        if sse.is_finite() { sse } else { f64::MAX }
    };
    let (best, sse) = nelder_mead(objective, &start[..dims], &step[..dims], 200 * dims, 1e-10);
    let (alpha, beta, phi, l0, b0) = params(trend, &best, scale, y0);
    let (_, level, slope) = run(y, (alpha, beta, phi, l0, b0));
    // Parameters plus the residual variance.
    let k = dims as f64 + 1.0;
    let sigma2 = sse / n;
    let aicc = n * sigma2.max(1e-300).ln() + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0).max(1.0);
    Ets {
        trend,
        alpha,
        beta,
        phi,
        level,
        slope,
        sigma2,
        aicc,
    }
}

/// Fits ANN, AAN and AAdN and keeps the lowest AICc (Holt's trend only when the series
/// has at least 10 points, so a short series is not extrapolated by a noisy slope).
pub fn auto(y: &[f64]) -> Ets {
    let mut best = fit(y, Trend::None);
    if y.len() >= 10 {
        for trend in [Trend::Additive, Trend::Damped] {
            let m = fit(y, trend);
            if m.aicc < best.aicc {
                best = m;
            }
        }
    }
    best
}

impl Ets {
    /// Point forecasts 1..=horizon steps ahead: level + (φ + … + φ^h)·slope.
    pub fn forecast(&self, horizon: usize) -> Vec<f64> {
        let mut damp_sum = 0.0;
        let mut phi_h = 1.0;
        (0..horizon)
            .map(|_| {
                phi_h *= self.phi;
                damp_sum += phi_h;
                self.level + damp_sum * self.slope
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holt_follows_a_line_and_ses_a_level() {
        let y: Vec<f64> = (0..60).map(|i| 5.0 + 2.0 * i as f64).collect();
        let m = fit(&y, Trend::Additive);
        let f = m.forecast(3);
        for (h, v) in f.iter().enumerate() {
            assert!((v - (5.0 + 2.0 * (60 + h) as f64)).abs() < 1e-3, "{f:?}");
        }
        let flat = vec![7.0; 30];
        assert!(
            auto(&flat)
                .forecast(2)
                .iter()
                .all(|v| (v - 7.0).abs() < 1e-6)
        );
    }
}
