//! headroom: from a web service's access logs to a hardware plan.
//!
//! This facade re-exports the workspace's crates, in the order data flows through them:
//! [`traffic`] (logs → rollups) → [`forecast`] (series → forecasts) → [`plan`] (forecast +
//! [`topology`] → servers per tier per month) → [`chart`] (figures). [`pipeline`] joins
//! them into the path from a dataset or a series to a priced plan, and [`report`] draws
//! it all as one HTML page; the `headroom` binary is a thin command line over both.
//!
//! ```
//! use headroom::{plan, topology};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/topologies/hatena-bookmark.toml");
//! let t = topology::load(std::path::Path::new(path))?;
//! let peaks = plan::compound_peaks(1500.0, 0.08, 24);
//! let demand = plan::Demand {
//!     upper_rps: peaks.clone(),
//!     peak_rps: peaks,
//!     upper_by_tier: Vec::new(),
//!     minute_rps: None,
//!     peak_to_mean: t.peak_to_mean(),
//!     bytes_per_request: None,
//! };
//! let p = plan::plan(&t, &demand, plan::Policy::default())?;
//! let first = plan::first_purchases(&p);
//! assert_eq!(first.len(), t.tiers().len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod pipeline;
pub mod report;
pub mod series;
pub mod units;

pub use error::{Error, Result};
pub use headroom_chart as chart;
pub use headroom_forecast as forecast;
pub use headroom_plan as plan;
pub use headroom_topology as topology;
pub use headroom_traffic as traffic;

/// The README's Rust examples, run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
