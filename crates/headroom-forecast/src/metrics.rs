//! Forecast accuracy exactly as the M4 competition defines it (Makridakis, Spiliotis,
//! Assimakopoulos, IJF 36 (2020) 54–74), so results compare with the published tables.

/// Symmetric MAPE in percent: 200/h · Σ |y − ŷ| / (|y| + |ŷ|). A term whose
/// denominator is 0 (both actual and forecast 0) counts as 0: no error.
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    assert_eq!(actual.len(), forecast.len(), "one forecast per actual");
    let sum: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| {
            let d = y.abs() + f.abs();
            if d == 0.0 { 0.0 } else { (y - f).abs() / d }
        })
        .sum();
    200.0 * sum / actual.len() as f64
}

/// Mean absolute percentage error in percent: 100/h · Σ |y − ŷ| / |y|, as the tourism
/// competition (Athanasopoulos et al., IJF 27(3), 2011) and N-BEATS report it; `None`
/// when an actual is 0, where it is undefined.
pub fn mape(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    assert_eq!(actual.len(), forecast.len(), "one forecast per actual");
    if actual.is_empty() || actual.contains(&0.0) {
        return None;
    }
    let sum: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| (y - f).abs() / y.abs())
        .sum();
    Some(100.0 * sum / actual.len() as f64)
}

/// The in-sample scale of MASE: mean |y_t − y_{t−m}| over the training part.
/// `None` when the series is not longer than `m` or the scale is 0 (a series that
/// repeats itself exactly): MASE is then undefined.
pub fn mase_scale(train: &[f64], m: usize) -> Option<f64> {
    let m = m.max(1);
    if train.len() <= m {
        return None;
    }
    let scale = train
        .windows(m + 1)
        .map(|w| (w[m] - w[0]).abs())
        .sum::<f64>()
        / (train.len() - m) as f64;
    (scale > 0.0).then_some(scale)
}

/// Mean absolute scaled error: out-of-sample MAE ÷ [`mase_scale`].
pub fn mase(train: &[f64], actual: &[f64], forecast: &[f64], m: usize) -> Option<f64> {
    assert_eq!(actual.len(), forecast.len(), "one forecast per actual");
    let mae = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| (y - f).abs())
        .sum::<f64>()
        / actual.len() as f64;
    mase_scale(train, m).map(|s| mae / s)
}

/// Mean scaled interval score of a (1 − `alpha`) interval, as M4 scores intervals
/// (alpha = 0.05): the interval's width plus 2/alpha times how far actuals fall outside,
/// scaled like MASE.
pub fn msis(
    train: &[f64],
    actual: &[f64],
    lower: &[f64],
    upper: &[f64],
    m: usize,
    alpha: f64,
) -> Option<f64> {
    let h = actual.len();
    assert!(
        lower.len() == h && upper.len() == h,
        "one interval per actual"
    );
    let score: f64 = (0..h)
        .map(|i| {
            let (y, l, u) = (actual[i], lower[i], upper[i]);
            (u - l)
                + if y < l { 2.0 / alpha * (l - y) } else { 0.0 }
                + if y > u { 2.0 / alpha * (y - u) } else { 0.0 }
        })
        .sum::<f64>()
        / h as f64;
    mase_scale(train, m).map(|s| score / s)
}

/// Overall weighted average: the mean of a method's sMAPE and MASE, each relative to
/// Naive2's, both averaged over all series first.
pub fn owa(smape: f64, mase: f64, naive2_smape: f64, naive2_mase: f64) -> f64 {
    0.5 * (smape / naive2_smape + mase / naive2_mase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_values() {
        // |10 − 8| / 18 and |5 − 5| / 10: 200/2 × (2/18) = 11.11%.
        assert!((smape(&[10.0, 5.0], &[8.0, 5.0]) - 100.0 * 2.0 / 18.0).abs() < 1e-12);
        assert_eq!(smape(&[0.0], &[0.0]), 0.0);
        // |10 − 8| / 10 and |−5 − −4| / 5: 20% and 20%.
        assert_eq!(mape(&[10.0, -5.0], &[8.0, -4.0]), Some(20.0));
        assert_eq!(mape(&[10.0, 0.0], &[8.0, 1.0]), None);
        assert_eq!(mape(&[], &[]), None);
        // Scale with m = 2 over 1, 2, 4, 8: |4 − 1| and |8 − 2|, mean 4.5.
        let train = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(mase_scale(&train, 2), Some(4.5));
        assert_eq!(mase(&train, &[10.0], &[1.0], 2), Some(2.0));
        assert_eq!(mase_scale(&[3.0, 3.0, 3.0], 1), None);
        assert_eq!(mase_scale(&[3.0], 1), None);
        // Width 2, one actual 1 above the upper bound at alpha 0.05: 2 + 40 = 42, / 4.5.
        let s = msis(&train, &[11.0], &[8.0], &[10.0], 2, 0.05).unwrap();
        assert!((s - 42.0 / 4.5).abs() < 1e-12);
        assert_eq!(owa(10.0, 1.0, 20.0, 2.0), 0.5);
    }
}
