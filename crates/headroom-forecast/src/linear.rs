//! Linear trend by ordinary least squares: the simplest honest growth model.

use crate::{Error, Result};

/// An unfitted linear trend `y = a + b·t`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinearTrend;

/// A linear trend fitted to a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FittedLinearTrend {
    /// Value at `t = 0`.
    pub intercept: f64,
    /// Change in value per unit of `t`.
    pub slope: f64,
    /// Observations the fit used.
    pub n_obs: usize,
}

impl LinearTrend {
    /// Fits by least squares.
    ///
    /// With one observation, or all at the same time, there is no slope to estimate and
    /// the trend is flat at the mean: a documented fallback, not an error.
    pub fn fit(&self, t: &[f64], y: &[f64]) -> Result<FittedLinearTrend> {
        if t.len() != y.len() {
            return Err(Error::LengthMismatch {
                times: t.len(),
                values: y.len(),
            });
        }
        if y.is_empty() {
            return Err(Error::Empty);
        }
        if let Some(index) = t
            .iter()
            .zip(y)
            .position(|(a, b)| !a.is_finite() || !b.is_finite())
        {
            return Err(Error::NotFinite { index });
        }
        let n = y.len() as f64;
        let (t_mean, y_mean) = (t.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let sxx: f64 = t.iter().map(|ti| (ti - t_mean).powi(2)).sum();
        let sxy: f64 = t
            .iter()
            .zip(y)
            .map(|(ti, yi)| (ti - t_mean) * (yi - y_mean))
            .sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        Ok(FittedLinearTrend {
            intercept: y_mean - slope * t_mean,
            slope,
            n_obs: y.len(),
        })
    }
}

impl FittedLinearTrend {
    /// The trend's value at time `t`.
    pub fn predict(&self, t: f64) -> f64 {
        self.intercept + self.slope * t
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn recovers_an_exact_line() {
        let t = [0.0, 1.0, 2.0, 3.0];
        let y = [1.0, 3.0, 5.0, 7.0];
        let fit = LinearTrend.fit(&t, &y).unwrap();
        assert_eq!((fit.intercept, fit.slope), (1.0, 2.0));
        assert_eq!(fit.predict(10.0), 21.0);
    }

    #[test]
    fn fallbacks_and_errors() {
        assert_eq!(LinearTrend.fit(&[5.0], &[2.0]).unwrap().predict(100.0), 2.0);
        assert!(matches!(LinearTrend.fit(&[], &[]), Err(Error::Empty)));
        assert!(matches!(
            LinearTrend.fit(&[0.0], &[1.0, 2.0]),
            Err(Error::LengthMismatch {
                times: 1,
                values: 2
            })
        ));
        assert!(matches!(
            LinearTrend.fit(&[0.0, 1.0], &[1.0, f64::NAN]),
            Err(Error::NotFinite { index: 1 })
        ));
    }

    proptest! {
        #[test]
        fn scaling_values_scales_the_forecast(
            y in prop::collection::vec(0.0f64..1e6, 1..50),
            c in 0.001f64..1000.0,
            at in 0.0f64..500.0,
        ) {
            let t: Vec<f64> = (0..y.len()).map(|i| i as f64).collect();
            let scaled: Vec<f64> = y.iter().map(|v| v * c).collect();
            let a = LinearTrend.fit(&t, &y).unwrap().predict(at) * c;
            let b = LinearTrend.fit(&t, &scaled).unwrap().predict(at);
            prop_assert!((a - b).abs() <= 1e-6 * (1.0 + a.abs()));
        }

        #[test]
        fn finite_input_gives_finite_forecast(y in prop::collection::vec(-1e9f64..1e9, 1..50)) {
            let t: Vec<f64> = (0..y.len()).map(|i| i as f64 * 0.5).collect();
            prop_assert!(LinearTrend.fit(&t, &y).unwrap().predict(1e4).is_finite());
        }
    }
}
