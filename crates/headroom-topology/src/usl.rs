//! Fitting the Universal Scalability Law to load-test measurements.
//!
//! X(N) = γN / (1 + α(N − 1) + βN(N − 1)) is fitted by least squares (Levenberg–Marquardt
//! from usl-rs's start: α = 0.1, β = 0.01, γ = max X/N), with α and β kept in [0, 1] and
//! γ ≥ 0 as R's `usl` bounds them; standard errors come from the Jacobian at the optimum.

use crate::Error;
use crate::queue::{usl_peak_concurrency, usl_throughput};

/// A USL fit with its uncertainty.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UslFit {
    /// Contention.
    pub alpha: f64,
    /// Coherency (crosstalk).
    pub beta: f64,
    /// Throughput of one unit of concurrency.
    pub gamma: f64,
    /// Standard errors of alpha, beta, gamma.
    pub std_errors: [f64; 3],
    /// 95% confidence intervals (estimate ± t(0.975, n − 3) · standard error).
    pub intervals: [(f64, f64); 3],
    /// Residual standard error, √(SSE / (n − 3)).
    pub residual_std_error: f64,
    /// Observations fitted.
    pub n: usize,
}

impl UslFit {
    /// Concurrency at which throughput peaks, √((1 − α) / β); infinite when β = 0.
    pub fn peak_concurrency(&self) -> f64 {
        usl_peak_concurrency(self.alpha, self.beta).unwrap_or(f64::INFINITY)
    }

    /// Throughput at the peak concurrency (the limit γ/α when β = 0).
    pub fn peak_throughput(&self) -> f64 {
        match usl_peak_concurrency(self.alpha, self.beta) {
            Some(n) => usl_throughput(self.alpha, self.beta, self.gamma, n),
            None if self.alpha > 0.0 => self.gamma / self.alpha,
            None => f64::INFINITY,
        }
    }

    /// Fitted throughput at concurrency `n`.
    pub fn throughput(&self, n: f64) -> f64 {
        usl_throughput(self.alpha, self.beta, self.gamma, n)
    }
}

fn sse(points: &[(f64, f64)], p: [f64; 3]) -> f64 {
    points
        .iter()
        .map(|&(n, x)| (x - usl_throughput(p[0], p[1], p[2], n)).powi(2))
        .sum()
}

fn clamp(p: [f64; 3]) -> [f64; 3] {
    [p[0].clamp(0.0, 1.0), p[1].clamp(0.0, 1.0), p[2].max(0.0)]
}

/// (JᵀJ, Jᵀr) at `p`, J the Jacobian of the model.
fn normal_equations(points: &[(f64, f64)], p: [f64; 3]) -> ([[f64; 3]; 3], [f64; 3]) {
    let (mut jtj, mut jtr) = ([[0.0; 3]; 3], [0.0; 3]);
    for &(n, x) in points {
        let d = 1.0 + p[0] * (n - 1.0) + p[1] * n * (n - 1.0);
        let f = p[2] * n / d;
        let j = [
            -p[2] * n * (n - 1.0) / (d * d),
            -p[2] * n * n * (n - 1.0) / (d * d),
            n / d,
        ];
        for a in 0..3 {
            for b in 0..3 {
                jtj[a][b] += j[a] * j[b];
            }
            jtr[a] += j[a] * (x - f);
        }
    }
    (jtj, jtr)
}

/// Solves a 3×3 system by Cramer's rule; None when singular.
fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    if d.abs() < 1e-300 {
        return None;
    }
    let mut out = [0.0; 3];
    for (i, o) in out.iter_mut().enumerate() {
        let mut m = a;
        for r in 0..3 {
            m[r][i] = b[r];
        }
        *o = det(m) / d;
    }
    Some(out)
}

/// Student's t quantile for probability 0.975 with `df` degrees of freedom, by the
/// Cornish–Fisher expansion (Abramowitz and Stegun 26.7.5): within 0.1% of the exact
/// value from 3 degrees of freedom up (2.776 at 4, 2.228 at 10).
pub fn t975(df: f64) -> f64 {
    let z: f64 = 1.959963984540054;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * df.powi(4))
}

/// Fits the USL to (concurrency, throughput) points.
pub fn fit(points: &[(f64, f64)]) -> Result<UslFit, Error> {
    check(points)?;
    let (p, cost) = least_squares(points);
    let n = points.len();
    let df = (n - 3) as f64;
    let sigma2 = cost / df;
    let std_errors = std_errors(points, p, sigma2);
    if std_errors.iter().any(|e| !e.is_finite()) {
        return Err(Error::UslUnidentifiable(
            "the measurements do not separate alpha, beta and gamma (their errors are undefined): load-test at levels further apart, up to and past the peak".to_owned(),
        ));
    }
    let t = t975(df);
    let est = p;
    Ok(UslFit {
        alpha: p[0],
        beta: p[1],
        gamma: p[2],
        std_errors,
        intervals: [0, 1, 2].map(|i| (est[i] - t * std_errors[i], est[i] + t * std_errors[i])),
        residual_std_error: sigma2.sqrt(),
        n,
    })
}

/// Checks there are enough valid points, at enough concurrency levels, to fit.
fn check(points: &[(f64, f64)]) -> Result<(), Error> {
    if points.len() < 4 {
        return Err(Error::UslTooFew(points.len()));
    }
    if let Some(i) = points
        .iter()
        .position(|&(n, x)| !(n > 0.0 && n.is_finite() && x > 0.0 && x.is_finite()))
    {
        return Err(Error::UslInvalid(i));
    }
    // Three parameters need three concurrency levels: with fewer, any curve through
    // the levels' throughputs fits, and the numbers would be the optimiser's start.
    let mut levels: Vec<f64> = points.iter().map(|p| p.0).collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    if levels.len() < 3 {
        return Err(Error::UslUnidentifiable(format!(
            "the measurements hold {} concurrency level{} ({}); alpha, beta and gamma need at least 3: load-test at more levels",
            levels.len(),
            if levels.len() == 1 { "" } else { "s" },
            levels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// The least-squares parameters (α, β, γ) by Levenberg–Marquardt from usl-rs's start,
/// kept in bounds, and their sum of squared errors.
fn least_squares(points: &[(f64, f64)]) -> ([f64; 3], f64) {
    let gamma0 = points.iter().map(|&(n, x)| x / n).fold(0.0, f64::max);
    let mut p = [0.1, 0.01, gamma0];
    let mut cost = sse(points, p);
    let mut lambda = 1e-3;
    for _ in 0..500 {
        let (jtj, jtr) = normal_equations(points, p);
        let mut damped = jtj;
        for (i, row) in damped.iter_mut().enumerate() {
            row[i] += lambda * jtj[i][i].max(1e-12);
        }
        let Some(step) = solve3(damped, jtr) else {
            break;
        };
        let trial = clamp([p[0] + step[0], p[1] + step[1], p[2] + step[2]]);
        let trial_cost = sse(points, trial);
        if trial_cost < cost {
            let improvement = (cost - trial_cost) / cost.max(1e-300);
            p = trial;
            cost = trial_cost;
            lambda = (lambda / 10.0).max(1e-12);
            if improvement < 1e-15 {
                break;
            }
        } else {
            lambda *= 10.0;
            if lambda > 1e12 {
                break;
            }
        }
    }
    (p, cost)
}

/// Standard errors of the parameters at `p`, given the residual variance `sigma2`
/// (NaN where JᵀJ is singular).
fn std_errors(points: &[(f64, f64)], p: [f64; 3], sigma2: f64) -> [f64; 3] {
    let (jtj, _) = normal_equations(points, p);
    // Covariance σ²(JᵀJ)⁻¹, column by column.
    let mut std_errors = [f64::NAN; 3];
    for (i, se) in std_errors.iter_mut().enumerate() {
        let mut e = [0.0; 3];
        e[i] = 1.0;
        if let Some(col) = solve3(jtj, e) {
            *se = (sigma2 * col[i]).max(0.0).sqrt();
        }
    }
    std_errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_concurrency_levels_are_refused() {
        let same = [(4.0, 100.0); 4];
        let err = fit(&same).unwrap_err().to_string();
        assert!(err.contains("hold 1 concurrency level (4)"), "{err}");
        let two = [(1.0, 10.0), (1.0, 11.0), (8.0, 60.0), (8.0, 61.0)];
        assert!(
            fit(&two)
                .unwrap_err()
                .to_string()
                .contains("2 concurrency levels (1, 8)")
        );
    }

    fn read(name: &str) -> Vec<(f64, f64)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/capacity")
            .join(name);
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let (a, b) = l.split_once(',').unwrap();
                (a.parse().unwrap(), b.parse().unwrap())
            })
            .collect()
    }

    /// R package `usl`, dataset specsdm91: α = 2.773e-02, β = 1.044e-04, γ = 9.000e+01,
    /// residual standard error 82.85 on 4 df, peak at 96.51956, limit 3245.589.
    #[test]
    fn reproduces_r_usl_on_specsdm91() {
        let f = fit(&read("r-usl_specsdm91.csv")).unwrap();
        assert_eq!(format!("{:.3e}", f.alpha), "2.773e-2");
        assert_eq!(format!("{:.3e}", f.beta), "1.044e-4");
        assert_eq!(format!("{:.3e}", f.gamma), "9.000e1");
        assert!(
            (f.residual_std_error - 82.85).abs() < 0.005,
            "{}",
            f.residual_std_error
        );
        assert!(
            (f.peak_concurrency() - 96.51956).abs() < 1e-4,
            "{}",
            f.peak_concurrency()
        );
        // R's "throughput limit" is γ/α, the asymptote without coherency.
        assert!(
            (f.gamma / f.alpha - 3245.589).abs() < 1e-2,
            "{}",
            f.gamma / f.alpha
        );
        for (i, (lo, hi)) in f.intervals.iter().enumerate() {
            let est = [f.alpha, f.beta, f.gamma][i];
            assert!(*lo < est && est < *hi);
        }
    }

    /// codahale/usl-rs's `build` test: σ = 0.02671591, κ = 7.690945e-4, λ = 995.6486
    /// (relative tolerance 1e-5), max concurrency 35.
    #[test]
    fn reproduces_usl_rs_on_its_measurements() {
        let f = fit(&read("usl-rs_test_measurements.csv")).unwrap();
        for (got, want) in [
            (f.alpha, 0.02671591),
            (f.beta, 7.690945e-4),
            (f.gamma, 995.6486),
        ] {
            assert!((got / want - 1.0).abs() < 1e-5, "{got} vs {want}");
        }
        assert_eq!(f.peak_concurrency().floor(), 35.0);
        // usl-rs's max throughput is the curve at that whole concurrency: 12341.7454.
        assert!(
            (f.throughput(35.0) / 12341.7454 - 1.0).abs() < 1e-5,
            "{}",
            f.throughput(35.0)
        );
    }

    #[test]
    fn t_quantiles_and_bad_input() {
        assert!((t975(4.0) - 2.776445).abs() < 3e-3);
        assert!((t975(10.0) - 2.228139).abs() < 1e-3);
        assert!(matches!(fit(&[(1.0, 1.0); 3]), Err(Error::UslTooFew(3))));
        assert!(matches!(
            fit(&[(1.0, 1.0), (2.0, 2.0), (0.0, 3.0), (4.0, 4.0)]),
            Err(Error::UslInvalid(2))
        ));
    }
}
