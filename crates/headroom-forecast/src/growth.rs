//! Growth curves for capacity planning: a linear trend whose slope may change at a few
//! changepoints (as Prophet's piecewise trend does), and the same on a log scale
//! (exponential growth) or on a logit scale under a capacity (logistic growth that
//! saturates), on equally spaced observations.

/// A continuous piecewise-linear fit: intercept, slope, and slope changes at changepoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Piecewise {
    /// Value at t = 0.
    pub intercept: f64,
    /// Slope before the first changepoint.
    pub slope: f64,
    /// (position, change of slope from there on), in time order.
    pub changes: Vec<(f64, f64)>,
}

impl Piecewise {
    /// The fitted curve at time `t`.
    pub fn at(&self, t: f64) -> f64 {
        self.intercept
            + self.slope * t
            + self
                .changes
                .iter()
                .map(|(c, d)| d * (t - c).max(0.0))
                .sum::<f64>()
    }

    /// Slope after the last changepoint: the growth rate the forecast continues.
    pub fn final_slope(&self) -> f64 {
        self.slope + self.changes.iter().map(|c| c.1).sum::<f64>()
    }
}

/// Least squares of `y` on the columns of `x` (row-major, `k` columns) by the normal
/// equations with partial pivoting; `None` when they are singular.
fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let k = x[0].len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for (row, &yi) in x.iter().zip(y) {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += row[i] * row[j];
            }
            a[i][k] += row[i] * yi;
        }
    }
    for col in 0..k {
        let pivot = (col..k).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 * (1.0 + a[col][col].abs()) {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
}

fn design(n: usize, changepoints: &[f64]) -> Vec<Vec<f64>> {
    (0..n)
        .map(|t| {
            let t = t as f64;
            let mut row = vec![1.0, t];
            row.extend(changepoints.iter().map(|c| (t - c).max(0.0)));
            row
        })
        .collect()
}

fn sse(y: &[f64], x: &[Vec<f64>], beta: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(row, yi)| {
            let fit: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
            (yi - fit).powi(2)
        })
        .sum()
}

/// Fits a piecewise-linear trend to `y` (times 0..n), adding changepoints one at a time
/// where they cut the squared error most, up to `max_changepoints`, while the Bayesian
/// information criterion improves. Candidates lie in the first 80% of the series, and
/// at least three points from either end, so the latest stretch is never fitted by a
/// slope of a few points.
pub fn piecewise_linear(y: &[f64], max_changepoints: usize) -> Piecewise {
    let n = y.len();
    if n < 3 {
        let slope = if n == 2 { y[1] - y[0] } else { 0.0 };
        return Piecewise {
            intercept: y[0],
            slope,
            changes: Vec::new(),
        };
    }
    // Squared error is floored at a trillionth of the series' variation: past an exact
    // fit, rounding noise must not buy changepoints.
    let mean = y.iter().sum::<f64>() / n as f64;
    let floor = 1e-12 * y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() + 1e-300;
    let bic = |sse: f64, k: usize| {
        n as f64 * (sse.max(floor) / n as f64).ln() + k as f64 * (n as f64).ln()
    };
    let mut chosen: Vec<f64> = Vec::new();
    let mut x = design(n, &chosen);
    let mut beta = least_squares(&x, y).expect("two distinct times give a line");
    let mut best_bic = bic(sse(y, &x, &beta), 2);
    let step = (n / 50).max(1);
    let candidates = changepoint_candidates(n, step);
    while chosen.len() < max_changepoints {
        let Some((s, c, b)) = best_addition(y, &chosen, &candidates, step) else {
            break;
        };
        let candidate_bic = bic(s, 3 + chosen.len());
        if candidate_bic >= best_bic - 1e-9 {
            break;
        }
        best_bic = candidate_bic;
        chosen.push(c);
        beta = b;
    }
    x = design(n, &chosen);
    debug_assert_eq!(x[0].len(), beta.len());
    piecewise(&chosen, &beta)
}

/// Where a changepoint may go in a series of `n` points (`n` ≥ 3): every `step`-th
/// position in the first 80%, three or more points from either end.
fn changepoint_candidates(n: usize, step: usize) -> Vec<f64> {
    // Each side of a changepoint keeps at least three points: a slope through two is
    // any slope, and on a few days of data BIC would happily buy one.
    ((n / 10).max(3)..(n * 8 / 10).min(n.saturating_sub(3)))
        .step_by(step)
        .map(|c| c as f64)
        .collect()
}

/// The candidate that, added to the `chosen` changepoints, cuts the squared error most
/// (none within two steps of one already chosen): (squared error, changepoint,
/// coefficients); None when no candidate is left or fits.
fn best_addition(
    y: &[f64],
    chosen: &[f64],
    candidates: &[f64],
    step: usize,
) -> Option<(f64, f64, Vec<f64>)> {
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    for &c in candidates {
        if chosen.iter().any(|&p| (p - c).abs() < step as f64 * 2.0) {
            continue;
        }
        let mut trial = chosen.to_vec();
        trial.push(c);
        let xt = design(y.len(), &trial);
        if let Some(b) = least_squares(&xt, y) {
            let s = sse(y, &xt, &b);
            if best.as_ref().is_none_or(|(bs, _, _)| s < *bs) {
                best = Some((s, c, b));
            }
        }
    }
    best
}

/// The fit with coefficients `beta` (intercept, slope, then one slope change per
/// changepoint in `chosen`'s order), its changes in time order.
fn piecewise(chosen: &[f64], beta: &[f64]) -> Piecewise {
    let mut changes: Vec<(f64, f64)> = chosen
        .iter()
        .copied()
        .zip(beta[2..].iter().copied())
        .collect();
    changes.sort_by(|a, b| a.0.total_cmp(&b.0));
    Piecewise {
        intercept: beta[0],
        slope: beta[1],
        changes,
    }
}

/// Linear growth with changepoints, `horizon` steps past the last observation.
pub fn linear(y: &[f64], horizon: usize) -> Vec<f64> {
    let fit = piecewise_linear(y, 5);
    let n = y.len() as f64;
    (0..horizon).map(|h| fit.at(n + h as f64)).collect()
}

/// Exponential growth: [`linear`] on the logarithm. Values ≤ 0 have no logarithm and
/// are floored at a millionth of the largest value (callers that can should refuse
/// them instead). The forecast stops at 1000× the history's peak, as
/// `select::mstl_ets_log` does: a history of 0 then 5 is a millionfold rise a step on
/// the log scale, and compounding it ran past f64's range within 52 steps.
pub fn exponential(y: &[f64], horizon: usize) -> Vec<f64> {
    let top = y.iter().copied().fold(0.0, f64::max);
    let floor = if top > 0.0 { top * 1e-6 } else { 1e-9 };
    let ceiling = if top > 0.0 { top * 1e3 } else { 1.0 };
    let logs: Vec<f64> = y.iter().map(|v| v.max(floor).ln()).collect();
    linear(&logs, horizon)
        .into_iter()
        .map(|z| z.exp().min(ceiling))
        .collect()
}

/// Logistic growth towards `capacity`: [`linear`] on the logit ln(y / (C − y)), so
/// the forecast bends over and never passes C. Values outside (0, C) are clipped into
/// it (callers that can should refuse them instead).
pub fn logistic(y: &[f64], horizon: usize, capacity: f64) -> Vec<f64> {
    let eps = capacity * 1e-6;
    let logits: Vec<f64> = y
        .iter()
        .map(|v| {
            let v = v.clamp(eps, capacity - eps);
            (v / (capacity - v)).ln()
        })
        .collect();
    linear(&logits, horizon)
        .into_iter()
        .map(|z| capacity / (1.0 + (-z).exp()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_growth_from_zero_stays_finite() {
        let f = exponential(&[0.0, 5.0], 52);
        assert_eq!(f.len(), 52);
        assert!(f.iter().all(|v| v.is_finite() && *v <= 5e3), "{f:?}");
    }

    #[test]
    fn finds_a_change_of_growth_rate() {
        // Flat at 10 for 60 days, then +2 a day for 40.
        let y: Vec<f64> = (0..100)
            .map(|t| {
                if t < 60 {
                    10.0
                } else {
                    10.0 + 2.0 * (t - 60) as f64
                }
            })
            .collect();
        let fit = piecewise_linear(&y, 5);
        assert_eq!(fit.changes.len(), 1, "{fit:?}");
        assert!((fit.changes[0].0 - 60.0).abs() <= 2.0, "{fit:?}");
        assert!((fit.final_slope() - 2.0).abs() < 0.05, "{fit:?}");
        let f = linear(&y, 10);
        assert!((f[9] - (10.0 + 2.0 * 49.0)).abs() < 1.0, "{f:?}");
        // A straight line needs no changepoint.
        let line: Vec<f64> = (0..50)
            .map(|t| 3.0 + 0.5 * t as f64 + if t % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        assert!(piecewise_linear(&line, 5).changes.is_empty());
    }

    #[test]
    fn exponential_and_logistic_growth() {
        // Doubling every 10 steps.
        let y: Vec<f64> = (0..60)
            .map(|t| 100.0 * 2f64.powf(t as f64 / 10.0))
            .collect();
        let f = exponential(&y, 10);
        assert!(
            (f[9] / (100.0 * 2f64.powf(6.9)) - 1.0).abs() < 1e-6,
            "{f:?}"
        );
        // A logistic curve towards 1,000 is recovered and stays below it.
        let curve = |t: f64| 1000.0 / (1.0 + (-(t - 40.0) / 8.0).exp());
        let y: Vec<f64> = (0..50).map(|t| curve(t as f64)).collect();
        let f = logistic(&y, 100, 1000.0);
        assert!((f[0] - curve(50.0)).abs() < 1e-6);
        assert!(f.iter().all(|v| *v < 1000.0) && f[99] > 999.0);
    }
}
