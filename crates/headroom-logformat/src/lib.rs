//! Access-log formats and the line parser: bytes in, a borrowed [`Record`] or a [`Reject`]
//! reason out.
//!
//! Apache `LogFormat` strings, nginx `log_format` strings and the presets compile to a
//! [`LogFormat`]; LTSV has its own reader. Times come out as Unix seconds in UTC.

mod format;
mod parse;
pub mod time;

pub use format::{FormatError, LogFormat, PRESETS};
pub use parse::{Parser, Record, Reject, parse_clf_time, parse_time_any};
