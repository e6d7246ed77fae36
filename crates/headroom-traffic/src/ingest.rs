//! Reading inputs into rollups, counting every line as parsed or rejected.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::format::{LogFormat, PRESETS};
use crate::input::{Compression, Input, open};
use crate::parse::Reject;
use crate::rollup::Rollups;
use crate::{Error, Result};

/// How many rejected lines are kept as `file:line: reason` samples.
pub const REJECT_SAMPLES: usize = 10;
/// How many lines `auto` reads before choosing a format.
pub const SNIFF_LINES: usize = 200;

/// Line accounting: `lines_read == lines_parsed + lines_rejected`.
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
    fn reject(&mut self, name: &str, line_no: u64, why: Reject) {
        self.lines_rejected += 1;
        *self
            .rejected_by_reason
            .entry(why.key().to_owned())
            .or_default() += 1;
        if self.reject_samples.len() < REJECT_SAMPLES {
            self.reject_samples.push(format!("{name}:{line_no}: {why}"));
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

/// What one input contributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// The input's name (`<stdin>` for standard input).
    pub input: String,
    /// The format its lines were parsed with.
    pub format: String,
    /// `none`, `gzip` or `zstd`.
    pub compression: String,
    /// Its line accounting.
    #[serde(flatten)]
    pub lines: LineCounts,
}

/// Which format to parse with.
#[derive(Debug, Clone, Default)]
pub enum FormatChoice {
    /// Sniff each input from its first lines.
    #[default]
    Auto,
    /// Use this format, named as given.
    Fixed(String, LogFormat),
}

impl FormatChoice {
    /// `auto`, a preset name, `ltsv`, or a LogFormat / log_format string.
    pub fn from_spec(spec: &str) -> Result<FormatChoice> {
        if spec == "auto" {
            return Ok(FormatChoice::Auto);
        }
        let format = LogFormat::from_spec(spec).map_err(Error::Format)?;
        Ok(FormatChoice::Fixed(spec.to_owned(), format))
    }
}

/// Options for an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    /// Format of the lines.
    pub format: FormatChoice,
    /// Stop at the first line that does not parse instead of counting it.
    pub strict: bool,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// Rollups and line counts from a set of inputs.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    /// Counters and sketches of every parsed line.
    pub rollups: Rollups,
    /// Line accounting over all inputs.
    pub lines: LineCounts,
    /// Per-input reports, in the order given.
    pub files: Vec<FileReport>,
}

type PerInput = (Rollups, FileReport);

/// Reads inputs into rollups, several at once (one per core), merging the results in
/// the order given so samples and reports do not depend on thread timing.
pub fn ingest(inputs: &[Input], config: &IngestConfig) -> Result<Ingested> {
    let threads = match config.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(inputs.len())
    .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<PerInput>>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let result = ingest_input(input, config);
                    let failed = result.is_err();
                    results.lock().expect("no worker panics holding the lock")[i] = Some(result);
                    if failed {
                        // Stop handing out work; the first error in input order wins.
                        next.store(inputs.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut out = Ingested::default();
    for result in results
        .into_inner()
        .expect("workers finished")
        .into_iter()
        .flatten()
    {
        let (rollups, report) = result?;
        out.rollups.merge(&rollups);
        out.lines.merge(&report.lines);
        out.files.push(report);
    }
    Ok(out)
}

/// Reads one input.
pub fn ingest_input(input: &Input, config: &IngestConfig) -> Result<(Rollups, FileReport)> {
    let name = input.name();
    let (mut reader, compression) = open(input)?;
    let mut lines = LineCounts::default();
    let read_err = |lines_read: u64| {
        let name = name.clone();
        move |source| Error::Read {
            input: name,
            after_line: lines_read,
            source,
        }
    };
    // Lines read before the format is known, kept to be parsed once it is.
    let mut head: Vec<Vec<u8>> = Vec::new();
    let (format_name, format) = match &config.format {
        FormatChoice::Fixed(n, f) => (n.clone(), f.clone()),
        FormatChoice::Auto => {
            while head.len() < SNIFF_LINES {
                let mut buf = Vec::new();
                if reader
                    .read_until(b'\n', &mut buf)
                    .map_err(read_err(head.len() as u64))?
                    == 0
                {
                    break;
                }
                head.push(buf);
            }
            sniff(head.iter().map(Vec::as_slice)).ok_or_else(|| Error::UnknownFormat {
                input: name.clone(),
            })?
        }
    };
    let mut rollups = Rollups::default();
    let mut handle = |line: &[u8], lines: &mut LineCounts| -> Result<()> {
        lines.lines_read += 1;
        match format.parse(line) {
            Ok(record) => {
                rollups.add(&record);
                lines.lines_parsed += 1;
            }
            Err(reason) if config.strict => {
                return Err(Error::BadLine {
                    input: name.clone(),
                    line: lines.lines_read,
                    reason,
                });
            }
            Err(reason) => lines.reject(&name, lines.lines_read, reason),
        }
        Ok(())
    };
    for line in &head {
        handle(line, &mut lines)?;
    }
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(read_err(lines.lines_read))?
            == 0
        {
            break;
        }
        handle(&buf, &mut lines)?;
    }
    let compression = match compression {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    };
    let report = FileReport {
        input: name,
        format: format_name,
        compression: compression.to_owned(),
        lines,
    };
    Ok((rollups, report))
}

/// Chooses a format for some sample lines: the candidate that parses the most lines,
/// then the one whose every field matched on the most lines; earlier candidates (the
/// more specific) win ties. `None` when no candidate parses any line.
pub fn sniff<'a>(lines: impl Iterator<Item = &'a [u8]> + Clone) -> Option<(String, LogFormat)> {
    let mut best: Option<((usize, usize), String, LogFormat)> = None;
    let candidates = std::iter::once(("ltsv", LogFormat::Ltsv)).chain(
        ["nginx-rt", "combined-d", "combined", "common"]
            .into_iter()
            .map(|name| {
                let spec = PRESETS
                    .iter()
                    .find(|p| p.0 == name)
                    .expect("preset exists")
                    .1;
                (name, LogFormat::from_spec(spec).expect("presets compile"))
            }),
    );
    for (name, format) in candidates {
        let (mut parsed, mut complete) = (0, 0);
        for line in lines.clone() {
            if let Ok((_, full)) = format.parse_full(line) {
                parsed += 1;
                complete += usize::from(full);
            }
        }
        if parsed > 0
            && best
                .as_ref()
                .is_none_or(|(score, _, _)| (parsed, complete) > *score)
        {
            best = Some(((parsed, complete), name.to_owned(), format));
        }
    }
    best.map(|(_, name, format)| (format!("{name} (auto)"), format))
}

/// Convenience: expand paths and ingest them.
pub fn ingest_paths(paths: &[PathBuf], config: &IngestConfig) -> Result<Ingested> {
    ingest(&crate::input::expand(paths)?, config)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn every_line_is_parsed_or_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.log");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(
            f,
            r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10 "-" "x""#
        )
        .unwrap();
        writeln!(f).unwrap();
        writeln!(f, "# a comment").unwrap();
        write!(
            f,
            r#"1.2.3.4 - - [17/May/2015:10:06:03 +0000] "GET /b HTTP/1.1" 404 - "-" "x""#
        )
        .unwrap();
        drop(f);
        let input = Input::File(path.clone());

        let (rollups, report) = ingest_input(&input, &IngestConfig::default()).unwrap();
        let lines = &report.lines;
        assert_eq!(report.format, "combined (auto)");
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

        let strict = IngestConfig {
            strict: true,
            ..Default::default()
        };
        let err = ingest_input(&input, &strict).unwrap_err();
        assert_eq!(err.to_string(), format!("{}:2: blank line", path.display()));
    }

    #[test]
    fn sniffs_each_format() {
        let combined: &[u8] =
            br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10 "-" "x""#;
        let common: &[u8] = br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10"#;
        let nginx_rt: &[u8] =
            br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 10 "-" "x" "-" 0.5"#;
        let ltsv: &[u8] = b"time:[17/May/2015:10:05:03 +0000]\tstatus:200\tsize:1";
        for (line, want) in [
            (combined, "combined (auto)"),
            (common, "common (auto)"),
            (nginx_rt, "nginx-rt (auto)"),
            (ltsv, "ltsv (auto)"),
        ] {
            assert_eq!(sniff([line].into_iter()).unwrap().0, want);
        }
        assert!(sniff([&b"not a log"[..]].into_iter()).is_none());
    }

    #[test]
    fn a_truncated_gzip_names_the_input_and_how_far_it_got() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..2000 {
            writeln!(
                e,
                r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /{i} HTTP/1.1" 200 10 "-" "x""#
            )
            .unwrap();
        }
        let gz = e.finish().unwrap();
        let path = dir.path().join("cut.log.gz");
        std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
        let err = ingest_input(&Input::File(path.clone()), &IngestConfig::default()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}: read failed after line ", path.display())),
            "{msg}"
        );
    }
}
