//! Any [`Method`] as an unfitted model and a fitted one: `Model::fit` checks the history
//! and says which method will forecast it (another one, with the reason, when the
//! history is too short for the one asked), and `Fitted::predict` forecasts.
//!
//! ```
//! use headroom_forecast::model::Model;
//! use headroom_forecast::m4::Method;
//! use headroom_forecast::seasons::Seasons;
//!
//! let fitted = Model::new(Method::Ets, Seasons::from_season(7)).fit(&[5.0, 6.0, 7.0])?;
//! // Three points are too few for exponential smoothing: the last value is repeated,
//! // and the fitted model says so.
//! let fallback = fitted.fallback().expect("reported");
//! assert_eq!((fallback.asked, fallback.used), (Method::Ets, Method::Naive));
//! assert_eq!(fitted.predict(2)?, [7.0, 7.0]);
//! # Ok::<(), headroom_forecast::Error>(())
//! ```

use crate::m4::Method;
use crate::seasons::Seasons;
use crate::{Error, Result};

/// A method and the seasons it forecasts with, not yet fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The method asked for.
    pub method: Method,
    /// The seasons, in steps.
    pub seasons: Seasons,
}

/// The history was too short for the method asked, so another forecasts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback {
    /// The method asked for.
    pub asked: Method,
    /// The method used instead.
    pub used: Method,
    /// Why, in words.
    pub reason: String,
}

/// A model fitted to a history, ready to predict.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    method: Method,
    seasons: Seasons,
    history: Vec<f64>,
    fallback: Option<Fallback>,
}

impl Model {
    /// `method` with `seasons`.
    pub fn new(method: Method, seasons: Seasons) -> Model {
        Model { method, seasons }
    }

    /// Fits to `history`: refuses an empty or non-finite history, values an exponential
    /// or logistic curve cannot take (≤ 0; outside (0, capacity)); a history shorter
    /// than the method needs falls back to repeating the last value, and says so.
    pub fn fit(&self, history: &[f64]) -> Result<Fitted> {
        if history.is_empty() {
            return Err(Error::Empty);
        }
        if let Some(index) = history.iter().position(|v| !v.is_finite()) {
            return Err(Error::NotFinite { index });
        }
        self.check_domain(history)?;
        let needs = self.method.min_history();
        let fallback = (history.len() < needs).then(|| Fallback {
            asked: self.method,
            used: Method::Naive,
            reason: format!(
                "{} points are fewer than {} needs ({needs}), so the last value is repeated",
                history.len(),
                self.method.name()
            ),
        });
        Ok(Fitted {
            method: fallback.as_ref().map_or(self.method, |f| f.used),
            seasons: self.seasons.clone(),
            history: history.to_vec(),
            fallback,
        })
    }

    /// The values a growth curve on the log or logit scale can take.
    fn check_domain(&self, history: &[f64]) -> Result<()> {
        let outside = match self.method {
            Method::Exponential => history.iter().position(|v| *v <= 0.0),
            Method::Logistic { capacity } => {
                if !(capacity.is_finite() && capacity > 0.0) {
                    return Err(Error::Capacity { capacity });
                }
                history.iter().position(|v| *v <= 0.0 || *v >= capacity)
            }
            _ => None,
        };
        match outside {
            Some(index) => Err(Error::OutOfDomain {
                index,
                method: self.method.name(),
            }),
            None => Ok(()),
        }
    }
}

impl Fitted {
    /// The method that forecasts: the one asked for, or the fallback's.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The fallback, when the history was too short for the method asked.
    pub fn fallback(&self) -> Option<&Fallback> {
        self.fallback.as_ref()
    }

    /// The point forecast `horizon` steps past the history; an error when the model's
    /// arithmetic overflows (values near f64's limit).
    pub fn predict(&self, horizon: usize) -> Result<Vec<f64>> {
        let point = self
            .method
            .forecast_seasons(&self.history, horizon, &self.seasons);
        match point.iter().position(|v| !v.is_finite()) {
            Some(step) => Err(Error::Overflow { step }),
            None => Ok(point),
        }
    }
}

impl Method {
    /// The fewest points the method fits; with fewer, [`Method::forecast_seasons`]
    /// repeats the last value ([`Model::fit`] reports it).
    pub fn min_history(self) -> usize {
        match self {
            Method::Ets | Method::Damped | Method::Ses | Method::MstlEts | Method::MstlEtsLog => 4,
            Method::AutoTheta | Method::Dotm => 3,
            Method::Arima => 10,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_refuse_what_the_method_cannot_take() {
        let model = |m| Model::new(m, Seasons::from_season(1));
        assert!(matches!(model(Method::Naive).fit(&[]), Err(Error::Empty)));
        assert!(matches!(
            model(Method::Naive).fit(&[1.0, f64::NAN]),
            Err(Error::NotFinite { index: 1 })
        ));
        assert!(matches!(
            model(Method::Exponential).fit(&[1.0, 0.0]),
            Err(Error::OutOfDomain { index: 1, .. })
        ));
        let logistic = |c| model(Method::Logistic { capacity: c });
        assert!(logistic(10.0).fit(&[1.0, 10.0]).is_err());
        assert!(logistic(f64::NAN).fit(&[1.0]).is_err());
        assert!(logistic(10.0).fit(&[1.0, 9.0]).is_ok());
        let huge = model(Method::Linear).fit(&[1.0, f64::MAX]).unwrap();
        assert!(matches!(huge.predict(3), Err(Error::Overflow { .. })));
    }

    #[test]
    fn a_long_enough_history_uses_the_method_asked() {
        let y: Vec<f64> = (0..30).map(|t| 10.0 + t as f64 + (t % 7) as f64).collect();
        for method in Method::ALL {
            let fitted = Model::new(method, Seasons::from_season(7)).fit(&y).unwrap();
            assert_eq!(fitted.method(), method);
            assert!(fitted.fallback().is_none());
            let point = fitted.predict(14).unwrap();
            assert_eq!(
                point,
                method.forecast_seasons(&y, 14, &Seasons::from_season(7))
            );
        }
        // Too short: the last value, reported.
        let fitted = Model::new(Method::AutoTheta, Seasons::from_season(7))
            .fit(&y[..2])
            .unwrap();
        assert_eq!(fitted.method(), Method::Naive);
        assert_eq!(fitted.predict(2).unwrap(), [y[1], y[1]]);
        assert!(
            fitted
                .fallback()
                .unwrap()
                .reason
                .contains("fewer than autotheta needs (3)")
        );
    }
}
