//! Access logs to per-minute traffic rollups, and the dataset they are kept in.
//!
//! Data flows `log line → Record → Rollups → dataset (Parquet) → Summary`. Every line read
//! is counted as parsed or rejected, with the reason; rollups merge associatively.

mod dataset;
mod ingest;
mod parse;
mod rollup;
mod summary;
pub mod time;

use std::path::PathBuf;

pub use dataset::{
    ROLLUPS_DIR, SUMMARY_FILE, read_rollups, read_summary, write_atomic, write_dataset,
};
pub use ingest::{IngestConfig, Ingested, LineCounts, REJECT_SAMPLES, ingest_file, ingest_files};
pub use parse::{Record, Reject, parse_clf_time, parse_combined};
pub use rollup::{DailyPeak, MinuteCounts, Rollups};
pub use summary::{StatusMix, Summary};

/// What can go wrong reading logs or a dataset.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A line did not parse and the ingest was strict.
    #[error("{}:{line}: {reason}", path.display())]
    BadLine {
        /// The log file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Why it did not parse.
        reason: Reject,
    },
    /// A Parquet file could not be written or read.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The Parquet file.
        path: PathBuf,
        /// What polars said.
        source: polars::error::PolarsError,
    },
    /// `summary.json` is not what headroom writes.
    #[error("{}: {source}", path.display())]
    Json {
        /// The JSON file.
        path: PathBuf,
        /// What serde said.
        source: serde_json::Error,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
