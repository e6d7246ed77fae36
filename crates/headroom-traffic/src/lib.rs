//! Access logs to traffic rollups, and the dataset they are kept in.
//!
//! Data flows `input → line → Record → Rollups → dataset (Parquet) → Summary`. Every line
//! read is counted as parsed or rejected, with the reason; rollups merge associatively.
//!
//! ```
//! use headroom_traffic::{IngestConfig, Input, ingest_into, read_summary, verify};
//!
//! let log = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/logs/elastic_apache_logs.log");
//! let dir = std::env::temp_dir().join(format!("headroom-doc-{}", std::process::id()));
//! let outcome = ingest_into(&dir, &[Input::File(log.into())], &IngestConfig::default())?;
//! assert_eq!(outcome.summary.requests, 10_000);
//! // Ingesting the same file again counts nothing twice.
//! let again = ingest_into(&dir, &[Input::File(log.into())], &IngestConfig::default())?;
//! assert_eq!((again.added.len(), read_summary(&dir)?.requests), (0, 10_000));
//! assert!(verify(&dir)?.is_sound());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), headroom_traffic::Error>(())
//! ```

mod classify;
mod dataset;
mod hll;
mod ingest;
mod input;
mod pages;
mod partial;
mod rollup;
mod summary;
mod verify;

use std::path::PathBuf;

pub use classify::{BOT_MARKERS, Kind, STATIC_EXTENSIONS, classify, is_bot, is_static};
pub use dataset::{
    CRASH_AT_ENV, IngestOutcome, MANIFEST_FILE, Manifest, ManifestEntry, SUMMARY_FILE, TABLES,
    ingest_into, read_manifest, read_rollups, read_summary, scan_table, write_atomic,
};
pub use headroom_logformat::{
    FormatError, LogFormat, PRESETS, Record, Reject, parse_clf_time, parse_time_any, time,
};
pub use ingest::{
    FileReport, FormatChoice, IngestConfig, Ingested, LineCounts, Progress, REJECT_SAMPLES,
    SNIFF_LINES, SPLIT_BYTES, ingest, ingest_each, ingest_input, sniff,
};
pub use input::{Compression, Input, expand, open};
pub use partial::{
    NULL_PARTITION, PARTIAL_BATCH_BYTES, PARTIAL_BATCH_INPUTS, Partial, ROW_GROUP_ROWS, merge_into,
    partial_batches, partial_frame, partials_of, read_partials, write_partial, write_partials,
};
/// The polars lazy API that [`scan_table`]'s frames are queried with.
pub use polars_lazy;
pub use rollup::{
    DailyPeak, DaySketches, HLL_LG_K, HourSketches, KLL_K, MinuteCounts, RollupBuilder, Rollups,
    TOP_MAP_SIZE, union, visitor_key,
};
pub use summary::{Durations, Period, StatusMix, Summary, TOP_N, Top, TopItem, VISITOR_DEFINITION};
pub use verify::{Damage, Verification, verify};

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
    /// An input could not be used.
    #[error("{}: {reason}", path.display())]
    Input {
        /// The input as given.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Reading (or decompressing) an input failed part way.
    #[error("{input}: read failed after line {after_line}: {source}")]
    Read {
        /// The input.
        input: String,
        /// Lines read before the failure.
        after_line: u64,
        /// The reason, e.g. a truncated gzip stream.
        source: std::io::Error,
    },
    /// A line did not parse and the ingest was strict.
    #[error("{input}:{line}: {reason}")]
    BadLine {
        /// The input.
        input: String,
        /// 1-based line number.
        line: u64,
        /// Why it did not parse.
        reason: Reject,
    },
    /// `--format auto` found no format that reads the input's first lines.
    #[error("{input}: no known log format reads its first lines; give one with --format")]
    UnknownFormat {
        /// The input.
        input: String,
    },
    /// A format string could not be compiled.
    #[error("{0}")]
    Format(FormatError),
    /// A Parquet file could not be written or read.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The Parquet file.
        path: PathBuf,
        /// What polars said.
        source: polars::error::PolarsError,
    },
    /// A JSON file is not what headroom writes.
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
