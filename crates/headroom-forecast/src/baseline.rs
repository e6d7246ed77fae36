//! The M4 benchmarks every method is measured against: naive, seasonal naive and Naive2
//! (naive on the seasonally adjusted series), written to match the organisers' R code
//! (`Benchmarks` and `SeasonalityTest` in Mcompetitions/M4-methods) step by step.

/// Repeats the last value.
pub fn naive(history: &[f64], horizon: usize) -> Vec<f64> {
    vec![*history.last().expect("a non-empty history"); horizon]
}

/// Repeats the last full season: ŷ_{n+h} = y_{n+h−m·k} for the smallest k that lands in
/// the history.
pub fn seasonal_naive(history: &[f64], horizon: usize, m: usize) -> Vec<f64> {
    let n = history.len();
    let m = m.clamp(1, n.max(1));
    (0..horizon).map(|h| history[n - m + h % m]).collect()
}

/// Sample autocorrelation at lags 1..=`max_lag`, as R's `acf` computes it (one mean,
/// one denominator, sums over the overlapping part).
pub fn acf(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let denom: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    (1..=max_lag)
        .map(|k| {
            if k >= n || denom == 0.0 {
                return 0.0;
            }
            (0..n - k)
                .map(|t| (x[t] - mean) * (x[t + k] - mean))
                .sum::<f64>()
                / denom
        })
        .collect()
}

/// M4's seasonality test: seasonal when |r_m| exceeds 1.645/√n · √(1 + 2 Σ_{k<m} r_k²)
/// (a 90% two-sided test on the autocorrelation at lag m), given at least three seasons.
pub fn seasonality_test(x: &[f64], m: usize) -> bool {
    if m <= 1 || x.len() < 3 * m {
        return false;
    }
    let r = acf(x, m);
    let sum_sq: f64 = r[..m - 1].iter().map(|v| v * v).sum();
    let limit = 1.645 / (x.len() as f64).sqrt() * (1.0 + 2.0 * sum_sq).sqrt();
    r[m - 1].abs() > limit
}

/// Seasonal indices of R's `decompose(type = "multiplicative")`, one per position in the
/// cycle (position 0 is the series' first point): a centred moving average of order m
/// (m + 1 weights with halves at the ends when m is even) as trend, the series over it
/// averaged by position, then normalised to mean 1. Points whose trend is not positive
/// are left out, and all ones come back when a position has no usable point.
pub fn multiplicative_indices(x: &[f64], m: usize) -> Vec<f64> {
    let n = x.len();
    let weights = centred_weights(m);
    let half = weights.len() / 2;
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for t in half..n.saturating_sub(half) {
        let trend: f64 = weights
            .iter()
            .enumerate()
            .map(|(j, w)| w * x[t + j - half])
            .sum();
        // A ratio to a zero or negative level means nothing (R would give NaN or a
        // sign flip); such points are left out.
        if trend > 0.0 {
            sums[t % m] += x[t] / trend;
            counts[t % m] += 1;
        }
    }
    let figure: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, c)| s / *c as f64)
        .collect();
    let mean = figure.iter().sum::<f64>() / m as f64;
    let indices: Vec<f64> = figure.into_iter().map(|f| f / mean).collect();
    // Without a positive index for every position there is no multiplicative season to
    // remove: all ones, which leave the series as it is.
    if indices.iter().all(|i| i.is_finite() && *i > 0.0) {
        indices
    } else {
        vec![1.0; m]
    }
}

/// The weights of a centred moving average of order `m`: m equal weights, or for an
/// even m, m + 1 with halves at the ends.
fn centred_weights(m: usize) -> Vec<f64> {
    if m.is_multiple_of(2) {
        let mut w = vec![1.0 / m as f64; m + 1];
        w[0] = 0.5 / m as f64;
        w[m] = 0.5 / m as f64;
        w
    } else {
        vec![1.0 / m as f64; m]
    }
}

/// Naive2: when [`seasonality_test`] finds a season of length `m`, divide it out with
/// [`multiplicative_indices`], repeat the last adjusted value and put the season back;
/// otherwise plain [`naive`].
pub fn naive2(history: &[f64], horizon: usize, m: usize) -> Vec<f64> {
    if !seasonality_test(history, m) {
        return naive(history, horizon);
    }
    let n = history.len();
    let indices = multiplicative_indices(history, m);
    let last = history[n - 1] / indices[(n - 1) % m];
    (0..horizon).map(|h| last * indices[(n + h) % m]).collect()
}

/// The classic Theta method as M4 ran it (`Theta.classic` in the organisers' code, on
/// Naive2's seasonally adjusted series): half the least-squares line, half simple
/// exponential smoothing of the "theta = 2" line (2y − line), the season put back.
pub fn theta(history: &[f64], horizon: usize, m: usize) -> Vec<f64> {
    let n = history.len();
    let seasonal = seasonality_test(history, m);
    let indices = if seasonal {
        multiplicative_indices(history, m)
    } else {
        vec![1.0; m.max(1)]
    };
    let at = |t: usize| indices[t % indices.len()];
    let adjusted: Vec<f64> = (0..n).map(|t| history[t] / at(t)).collect();
    // Least-squares line on t = 1..n.
    let tm = (n as f64 + 1.0) / 2.0;
    let ym = adjusted.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in adjusted.iter().enumerate() {
        let dt = (i + 1) as f64 - tm;
        sxy += dt * (y - ym);
        sxx += dt * dt;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let line = |t: f64| ym + slope * (t - tm);
    let theta2: Vec<f64> = (0..n)
        .map(|i| 2.0 * adjusted[i] - line((i + 1) as f64))
        .collect();
    let ses = if n >= 4 {
        crate::ets::fit(&theta2, crate::ets::Trend::None).level
    } else {
        theta2[n - 1]
    };
    (0..horizon)
        .map(|h| (0.5 * ses + 0.5 * line((n + h + 1) as f64)) * at(n + h))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_baselines() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(naive(&x, 3), vec![5.0; 3]);
        // m = 2: the last season is (4, 5), repeated.
        assert_eq!(seasonal_naive(&x, 5, 2), vec![4.0, 5.0, 4.0, 5.0, 4.0]);
        // R: acf(c(1, 2, 3, 4, 5))$acf[2] = 0.4 (mean 3, denom 10, lag-1 sum 4).
        assert!((acf(&x, 1)[0] - 0.4).abs() < 1e-12);
    }

    #[test]
    fn naive2_removes_and_restores_a_clean_season() {
        // Level 10 with a ×(0.5, 1.5) season: the indices come back exactly, the last
        // adjusted value is 10, and the forecast continues the season.
        let x: Vec<f64> = (0..40)
            .map(|t| if t % 2 == 0 { 5.0 } else { 15.0 })
            .collect();
        assert!(seasonality_test(&x, 2));
        let idx = multiplicative_indices(&x, 2);
        assert!((idx[0] - 0.5).abs() < 1e-12 && (idx[1] - 1.5).abs() < 1e-12);
        let f = naive2(&x, 3, 2);
        assert!((f[0] - 5.0).abs() < 1e-12 && (f[1] - 15.0).abs() < 1e-12);
        // Too short for three seasons: plain naive.
        assert_eq!(naive2(&x[..5], 2, 2), vec![5.0, 5.0]);
    }
}
