//! Demand forecasts from plain series: `&[f64]` values at `&[f64]` times, no DataFrame.
//!
//! Models come in two types: the unfitted model (its settings) and the fitted one that
//! can predict, so predicting from an unfitted model does not compile.
//!
//! ```
//! use headroom_forecast::m4::Method;
//! use headroom_forecast::model::Model;
//! use headroom_forecast::seasons::Seasons;
//!
//! // Eight weeks of daily peaks: a weekly cycle on a rising trend.
//! let history: Vec<f64> = (0..56)
//!     .map(|d| 100.0 + d as f64 + if d % 7 >= 5 { -20.0 } else { 0.0 })
//!     .collect();
//! let model = Model::new(Method::Auto, Seasons::from_season(7));
//! let ahead = model.fit(&history)?.predict(14)?;
//! assert_eq!(ahead.len(), 14);
//! // The weekend dip comes back, on a higher level than the last weekend's.
//! assert!(ahead[5] < ahead[4] && ahead[5] > history[54]);
//! # Ok::<(), headroom_forecast::Error>(())
//! ```

pub mod arima;
pub mod baseline;
pub mod calendar;
pub mod ets;
pub mod ets_seasonal;
pub mod growth;
pub mod interval;
mod linear;
pub mod m4;
pub mod metrics;
pub mod model;
mod optim;
pub mod robust;
pub mod seasons;
pub mod select;
pub mod series;
pub mod stl;
pub mod table;
pub mod theta;

pub use linear::{FittedLinearTrend, LinearTrend};

/// What can go wrong reading series or fitting a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A line is not what the file's format expects.
    #[error("{path}:{line}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// No observations were given.
    #[error("cannot fit a trend to an empty series")]
    Empty,
    /// Times and values differ in length.
    #[error("{times} times but {values} values")]
    LengthMismatch {
        /// Number of times.
        times: usize,
        /// Number of values.
        values: usize,
    },
    /// A time or value is NaN or infinite.
    #[error("observation {index} is not a finite number")]
    NotFinite {
        /// 0-based index of the observation.
        index: usize,
    },
    /// A value the method's scale cannot take (≤ 0 on the log scale, outside (0,
    /// capacity) on the logit scale).
    #[error(
        "observation {index} is outside what {method} growth can fit (exponential: above 0; logistic: between 0 and the capacity)"
    )]
    OutOfDomain {
        /// 0-based index of the observation.
        index: usize,
        /// The method's name.
        method: &'static str,
    },
    /// A logistic capacity that is not a positive number.
    #[error("a logistic capacity must be a positive number, not {capacity}")]
    Capacity {
        /// The capacity given.
        capacity: f64,
    },
    /// The forecast overflowed f64 (values near its limit).
    #[error(
        "the forecast is not a finite number from step {step} (the values overflow the model's arithmetic); rescale the series"
    )]
    Overflow {
        /// 0-based step of the first non-finite value.
        step: usize,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
