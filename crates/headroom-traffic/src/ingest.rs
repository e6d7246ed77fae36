//! Reading log files into rollups, counting every line as parsed or rejected.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::parse::{Reject, parse_combined};
use crate::rollup::Rollups;
use crate::{Error, Result};

/// How many rejected lines are kept as `file:line: reason` samples.
pub const REJECT_SAMPLES: usize = 10;

/// Line accounting for one ingest: `lines_read == lines_parsed + lines_rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCounts {
    /// Lines read, including a last line with no newline.
    pub lines_read: u64,
    /// Lines that became a request.
    pub lines_parsed: u64,
    /// Lines that did not, for any reason.
    pub lines_rejected: u64,
    /// Rejected lines by reason key (see [`Reject::key`]).
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// The first rejected lines as `file:line: reason`.
    pub reject_samples: Vec<String>,
}

impl LineCounts {
    fn reject(&mut self, path: &Path, line_no: u64, why: Reject) {
        self.lines_rejected += 1;
        *self
            .rejected_by_reason
            .entry(why.key().to_owned())
            .or_default() += 1;
        if self.reject_samples.len() < REJECT_SAMPLES {
            self.reject_samples
                .push(format!("{}:{line_no}: {why}", path.display()));
        }
    }

    /// Adds another ingest's counts; samples stay capped.
    pub fn merge(&mut self, other: &LineCounts) {
        self.lines_read += other.lines_read;
        self.lines_parsed += other.lines_parsed;
        self.lines_rejected += other.lines_rejected;
        for (k, v) in &other.rejected_by_reason {
            *self.rejected_by_reason.entry(k.clone()).or_default() += v;
        }
        let room = REJECT_SAMPLES.saturating_sub(self.reject_samples.len());
        self.reject_samples
            .extend(other.reject_samples.iter().take(room).cloned());
    }
}

/// Rollups and line counts from a set of input files.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    /// Per-minute counters of every parsed line.
    pub rollups: Rollups,
    /// Line accounting over all files.
    pub lines: LineCounts,
    /// The files read, in the order given.
    pub files: Vec<PathBuf>,
}

/// Options for an ingest.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestConfig {
    /// Stop at the first line that does not parse instead of counting it.
    pub strict: bool,
}

/// Reads Apache Common/Combined log files into rollups.
pub fn ingest_files(paths: &[PathBuf], config: IngestConfig) -> Result<Ingested> {
    let mut out = Ingested::default();
    for path in paths {
        let (rollups, lines) = ingest_file(path, config)?;
        out.rollups.merge(&rollups);
        out.lines.merge(&lines);
        out.files.push(path.clone());
    }
    Ok(out)
}

/// Reads one log file.
pub fn ingest_file(path: &Path, config: IngestConfig) -> Result<(Rollups, LineCounts)> {
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path).map_err(io_err)?);
    let mut rollups = Rollups::default();
    let mut lines = LineCounts::default();
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io_err)? == 0 {
            break;
        }
        lines.lines_read += 1;
        match parse_combined(&buf) {
            Ok(record) => {
                rollups.add(&record);
                lines.lines_parsed += 1;
            }
            Err(reason) if config.strict => {
                return Err(Error::BadLine {
                    path: path.to_owned(),
                    line: lines.lines_read,
                    reason,
                });
            }
            Err(reason) => lines.reject(path, lines.lines_read, reason),
        }
    }
    Ok((rollups, lines))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn every_line_is_parsed_or_rejected() {
        let dir = std::env::temp_dir().join(format!("headroom-ingest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mixed.log");
        let mut f = File::create(&path).unwrap();
        writeln!(
            f,
            r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10 "-" "x""#
        )
        .unwrap();
        writeln!(f).unwrap();
        writeln!(f, "# a comment").unwrap();
        write!(
            f,
            r#"1.2.3.4 - - [17/May/2015:10:06:03 +0000] "GET /b HTTP/1.1" 404 -"#
        )
        .unwrap();
        drop(f);

        let (rollups, lines) = ingest_file(&path, IngestConfig::default()).unwrap();
        assert_eq!(
            (lines.lines_read, lines.lines_parsed, lines.lines_rejected),
            (4, 2, 2)
        );
        assert_eq!(lines.rejected_by_reason["blank"], 1);
        assert_eq!(
            lines.reject_samples[1],
            format!("{}:3: comment line", path.display())
        );
        assert_eq!(rollups.totals().bytes, 10);

        let err = ingest_file(&path, IngestConfig { strict: true }).unwrap_err();
        assert_eq!(err.to_string(), format!("{}:2: blank line", path.display()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
