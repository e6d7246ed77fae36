//! The facade's error: every crate's error, plus what only the whole path can find
//! wrong (prices in two currencies, a history without traffic), each with its context.

use std::path::PathBuf;

/// What can go wrong between a dataset (or a series) and a plan, a report or a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A dataset could not be read or written.
    #[error(transparent)]
    Traffic(#[from] headroom_traffic::Error),
    /// A topology file is invalid.
    #[error(transparent)]
    Topology(#[from] headroom_topology::Error),
    /// A series or calendar file could not be read, or a forecast made.
    #[error(transparent)]
    Forecast(#[from] headroom_forecast::Error),
    /// The demand could not be planned, or a price table is invalid.
    #[error(transparent)]
    Plan(#[from] headroom_plan::Error),
    /// A chart could not be drawn or rasterised.
    #[error(transparent)]
    Chart(#[from] headroom_chart::Error),
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The two price tables are in different currencies, so the sides cannot be compared.
    #[error("{} prices in {built} and {} in {cloud}: give both in one currency", built_path.display(), cloud_path.display())]
    Currencies {
        /// The self-built table.
        built_path: PathBuf,
        /// Its currency.
        built: String,
        /// The cloud table.
        cloud_path: PathBuf,
        /// Its currency.
        cloud: String,
    },
    /// A plan file (`headroom plan --json`) could not be read back.
    #[error("{}:{line}: {reason}", path.display())]
    PlanFile {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The history has no request at all.
    #[error("the history holds no traffic")]
    NoTraffic,
    /// A series' step is outside what a replay or a plan reads (a second to a day).
    #[error("{}: a step of {step_s} s; a replay needs a step from a second to a day", path.display())]
    Step {
        /// The series file.
        path: PathBuf,
        /// Its step, seconds (a month counted as 30 days).
        step_s: i64,
    },
    /// A number given to the pipeline is out of its range.
    #[error("{what} must be {range}, not {value}")]
    OutOfRange {
        /// What the number is (`peak to mean`, `shortfall cost`).
        what: &'static str,
        /// The range it must be in, in words.
        range: &'static str,
        /// The number given.
        value: f64,
    },
    /// A series cannot be forecast as asked.
    #[error("{what}: {why}")]
    Unforecastable {
        /// The series.
        what: String,
        /// Why not.
        why: String,
    },
    /// Something was asked of inputs that lack what it needs.
    #[error("a {what} chart needs {needs}")]
    Needs {
        /// What was asked.
        what: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// A chart's file name has an extension other than .svg or .png.
    #[error("{}: name an .svg or a .png file", path.display())]
    ChartFile {
        /// The file.
        path: PathBuf,
    },
    /// What was being done when `source` went wrong.
    #[error("{what}")]
    Context {
        /// What was being done: "reading dataset d", "drawing the traffic chart".
        what: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

/// A `Result` with the facade's [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Says what was being done when an error happened, as the binary's messages do:
/// "reading dataset d: d/manifest.json: …".
pub(crate) trait Context<T> {
    /// Wraps the error with `what`.
    fn context(self, what: impl Into<String>) -> Result<T>;
    /// Wraps the error with the text `what` makes, made only on failure.
    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::Context {
            what: what.into(),
            source: Box::new(e.into()),
        })
    }

    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| Error::Context {
            what: what().into(),
            source: Box::new(e.into()),
        })
    }
}

/// Writes `bytes` to `path` atomically (a temporary sibling renamed into place).
pub(crate) fn write(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    Ok(headroom_traffic::write_atomic(path, bytes)?)
}
