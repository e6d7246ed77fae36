//! Access-log formats and the line parser: bytes in, a borrowed [`Record`] or a [`Reject`]
//! reason out.
//!
//! Apache `LogFormat` strings, nginx `log_format` strings and the presets compile to a
//! [`LogFormat`]; LTSV has its own reader. Times come out as Unix seconds in UTC.
//!
//! ```
//! use headroom_logformat::LogFormat;
//!
//! let format = LogFormat::from_spec("combined")?;
//! let line = br#"203.0.113.7 - - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "Mozilla/5.0""#;
//! let record = format.parse(line).expect("a combined line");
//! assert_eq!((record.status, record.bytes, record.path), (200, 512, &b"/index.html"[..]));
//! assert_eq!(record.unix_s, 1_431_857_103); // 2015-05-17T10:05:03Z
//! # Ok::<(), headroom_logformat::FormatError>(())
//! ```

mod format;
mod parse;
pub mod time;

pub use format::{FormatError, LogFormat, PRESETS};
pub use parse::{MAX_LINE_BYTES, Parser, Record, Reject, parse_clf_time, parse_time_any};
