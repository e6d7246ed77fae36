//! headroom: from a web service's access logs to a hardware plan.
//!
//! This facade re-exports the workspace's crates, in the order data flows through them:
//! [`traffic`] (logs → rollups) → [`forecast`] (series → forecasts) → [`plan`] (forecast +
//! [`topology`] → servers per tier per month) → [`chart`] (figures). The `headroom` binary
//! drives them from the command line.

pub use headroom_chart as chart;
pub use headroom_forecast as forecast;
pub use headroom_plan as plan;
pub use headroom_topology as topology;
pub use headroom_traffic as traffic;
