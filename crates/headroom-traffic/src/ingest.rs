//! Reading inputs into rollups, counting every line as parsed or rejected.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::input::{Compression, Fingerprint, Input, fingerprint, open, open_hashing};
use crate::rollup::{RollupBuilder, Rollups};
use crate::{Error, Result};
use headroom_logformat::{LogFormat, PRESETS};
use headroom_logformat::{MAX_LINE_BYTES, Reject};

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
    /// Plain files larger than this many bytes are split across threads; 0 means
    /// [`SPLIT_BYTES`].
    pub split_bytes: u64,
    /// Counters the ingest advances as it reads, for a progress display.
    pub progress: Option<Arc<Progress>>,
}

impl IngestConfig {
    /// The threads an ingest may run: [`IngestConfig::threads`], or one per core.
    pub(crate) fn worker_threads(&self) -> usize {
        match self.threads {
            0 => default_threads(),
            n => n,
        }
    }
}

/// Threads when none are asked for: one per core.
pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Lines and bytes read so far, shared with whoever shows progress.
#[derive(Debug, Default)]
pub struct Progress {
    /// Lines read.
    pub lines: AtomicU64,
    /// Bytes read (after decompression).
    pub bytes: AtomicU64,
}

/// Bytes read at a time for the line loop (readers bypass their buffer at this size).
/// 256 KiB: larger measured no faster, and every worker holds one.
pub(crate) const READ_BYTES: usize = 256 << 10;
/// How many lines a worker reads between updates of the shared [`Progress`].
const PROGRESS_EVERY: u64 = 1 << 16;

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

/// Plain files larger than this are split at line boundaries across threads (into at
/// most four pieces a thread). 4 MiB, about 17,000 lines: at 32 MiB a 48 MB log (200,000
/// lines) was one piece and 2 threads sped it up 1.3x (the day files alone in parallel);
/// split, 1.76x, and a 9.5 MB log 1.75x, for 2-3 MiB more peak memory.
pub const SPLIT_BYTES: u64 = 4 << 20;

/// A piece of work: a whole input, or a byte range of a plain file, or the hash of a
/// file whose ranges are read by other units.
struct Unit {
    input: usize,
    work: Work,
}

enum Work {
    Lines {
        /// Byte range `[start, end)`; a unit owns the lines that start inside it.
        range: Option<(u64, u64)>,
        /// Hash the input's bytes while reading them (a whole file only).
        hash: bool,
    },
    Hash,
}

/// What one unit produced; sample line numbers count from the unit's first line.
#[derive(Default)]
struct Part {
    rollups: RollupBuilder,
    lines_read: u64,
    lines_parsed: u64,
    rejected: BTreeMap<Reject, u64>,
    samples: Vec<(u64, Reject)>,
    /// The format, when the unit had to sniff it itself (stdin).
    sniffed: Option<(String, LogFormat)>,
    fingerprint: Option<Fingerprint>,
}

/// An input's format and compression, decided before its units run.
struct Plan {
    name: String,
    format: Option<(String, LogFormat)>,
    compression: Compression,
}

/// Reads inputs into rollups on every core: whole inputs in parallel, and large plain
/// files split at line boundaries. Results merge in input order, so reports and samples
/// do not depend on thread timing.
pub fn ingest(inputs: &[Input], config: &IngestConfig) -> Result<Ingested> {
    let mut out = Ingested::default();
    for (rollups, report) in ingest_each(inputs, config)? {
        out.rollups.absorb(rollups);
        out.lines.merge(&report.lines);
        out.files.push(report);
    }
    Ok(out)
}

/// Like [`ingest`], but keeps each input's rollups apart (for partial rollups, which
/// are merged elsewhere, by input).
pub fn ingest_each(inputs: &[Input], config: &IngestConfig) -> Result<Vec<(Rollups, FileReport)>> {
    let each = ingest_hashing(inputs, config, &vec![false; inputs.len()], None)?;
    Ok(each.into_iter().map(|(r, report, _)| (r, report)).collect())
}

/// Like [`ingest_each`], and also the fingerprint of each file input marked in `hash`,
/// taken in the same read as its lines when it is read whole (a split file gets a unit
/// of its own that reads it for the hash alone, alongside its ranges).
pub(crate) fn ingest_hashing(
    inputs: &[Input],
    config: &IngestConfig,
    hash: &[bool],
    spill: Option<&Spill<'_>>,
) -> Result<Vec<(Rollups, FileReport, Option<Fingerprint>)>> {
    let threads = config.worker_threads();
    let plans = inputs
        .iter()
        .map(|i| plan(i, config))
        .collect::<Result<Vec<_>>>()?;
    let mut units = Vec::new();
    for (i, (input, plan)) in inputs.iter().zip(&plans).enumerate() {
        units.extend(split(i, input, plan, config, threads, hash[i])?);
    }
    let parts = run_units(inputs, &plans, &units, config, threads, spill)?;
    let mut out = Vec::with_capacity(inputs.len());
    let mut parts = parts.into_iter().zip(&units).peekable();
    for (i, plan) in plans.into_iter().enumerate() {
        let mut lines = LineCounts::default();
        let mut format = plan.format.map(|f| f.0);
        let mut rollups = Rollups::default();
        let mut fingerprint = None;
        while let Some((part, _)) = parts.next_if(|(_, u)| u.input == i) {
            fingerprint = fingerprint.or(part.fingerprint);
            let offset = lines.lines_read;
            for (line, why) in part.samples {
                if lines.reject_samples.len() < REJECT_SAMPLES {
                    lines
                        .reject_samples
                        .push(format!("{}:{}: {why}", plan.name, offset + line));
                }
            }
            for (why, n) in part.rejected {
                *lines
                    .rejected_by_reason
                    .entry(why.key().to_owned())
                    .or_default() += n;
                lines.lines_rejected += n;
            }
            lines.lines_read += part.lines_read;
            lines.lines_parsed += part.lines_parsed;
            rollups.absorb(part.rollups.finish());
            format = format.or(part.sniffed.map(|f| f.0));
        }
        let report = FileReport {
            input: plan.name,
            format: format.unwrap_or_else(|| "-".to_owned()),
            compression: compression_name(plan.compression).to_owned(),
            lines,
        };
        out.push((rollups, report, fingerprint));
    }
    Ok(out)
}

/// Reads one input (a convenience over [`ingest`]).
pub fn ingest_input(input: &Input, config: &IngestConfig) -> Result<(Rollups, FileReport)> {
    let mut out = ingest(std::slice::from_ref(input), config)?;
    Ok((out.rollups, out.files.remove(0)))
}

fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    }
}

/// Decides an input's format (sniffing a file's first lines when `auto`) and learns its
/// compression. Stdin cannot be read twice, so it sniffs inside its unit instead.
fn plan(input: &Input, config: &IngestConfig) -> Result<Plan> {
    let name = input.name();
    if *input == Input::Stdin {
        let format = match &config.format {
            FormatChoice::Fixed(n, f) => Some((n.clone(), f.clone())),
            FormatChoice::Auto => None,
        };
        return Ok(Plan {
            name,
            format,
            compression: Compression::None,
        });
    }
    let (mut reader, compression) = open(input)?;
    let format = match &config.format {
        FormatChoice::Fixed(n, f) => Some((n.clone(), f.clone())),
        FormatChoice::Auto => {
            let head = read_head(&mut reader, &name)?;
            // An empty input has no line to count and none to sniff (its unit reads
            // nothing); any other input must be readable.
            if head.is_empty() {
                None
            } else {
                let found = sniff(head.iter().flatten().map(Vec::as_slice));
                Some(found.ok_or_else(|| Error::UnknownFormat {
                    input: name.clone(),
                })?)
            }
        }
    };
    Ok(Plan {
        name,
        format,
        compression,
    })
}

/// An input's first lines, as read for sniffing; `None` for a line too long to be a log
/// line ([`MAX_LINE_BYTES`]), which was read past, not held.
type Head = Vec<Option<Vec<u8>>>;

/// Up to [`SNIFF_LINES`] lines from the start of an input.
fn read_head(reader: &mut dyn BufRead, name: &str) -> Result<Head> {
    let mut head = Vec::new();
    while head.len() < SNIFF_LINES {
        let read_error = |source| Error::Read {
            input: name.to_owned(),
            after_line: head.len() as u64,
            source,
        };
        let mut buf = Vec::new();
        let n = std::io::Read::take(&mut *reader, MAX_LINE_BYTES as u64)
            .read_until(b'\n', &mut buf)
            .map_err(read_error)?;
        if n == 0 {
            break;
        }
        if n == MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            // Too long to be a log line: skipped to its end, unread; `None` marks it.
            reader.skip_until(b'\n').map_err(read_error)?;
            head.push(None);
        } else {
            head.push(Some(buf));
        }
    }
    Ok(head)
}

/// Units for one input: byte ranges for a large plain file (not in strict mode, whose
/// error must name an absolute line before anything after it is read), else the whole.
fn split(
    i: usize,
    input: &Input,
    plan: &Plan,
    config: &IngestConfig,
    threads: usize,
    hash: bool,
) -> Result<Vec<Unit>> {
    let hash = hash && matches!(input, Input::File(_));
    let whole = vec![Unit {
        input: i,
        work: Work::Lines { range: None, hash },
    }];
    let Input::File(path) = input else {
        return Ok(whole);
    };
    if config.strict || plan.compression != Compression::None || threads < 2 {
        return Ok(whole);
    }
    let size = std::fs::metadata(path)
        .map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?
        .len();
    let chunk = if config.split_bytes == 0 {
        SPLIT_BYTES
    } else {
        config.split_bytes
    };
    let pieces = (size / chunk).min(threads as u64 * 4);
    if pieces < 2 {
        return Ok(whole);
    }
    let step = size.div_ceil(pieces);
    // The hash unit first, so that it runs alongside the ranges rather than after them.
    let hasher = hash.then_some(Unit {
        input: i,
        work: Work::Hash,
    });
    Ok(hasher
        .into_iter()
        .chain((0..pieces).map(|k| Unit {
            input: i,
            work: Work::Lines {
                range: Some((k * step, ((k + 1) * step).min(size))),
                hash: false,
            },
        }))
        .collect())
}

fn run_units(
    inputs: &[Input],
    plans: &[Plan],
    units: &[Unit],
    config: &IngestConfig,
    threads: usize,
    spill: Option<&Spill<'_>>,
) -> Result<Vec<Part>> {
    in_parallel(units.len(), threads, |k| {
        let unit = &units[k];
        let spill = spill.map(|f| move |days: Rollups| f(k, days));
        let spill = spill.as_ref().map(|f| f as &dyn Fn(Rollups) -> Result<()>);
        run_unit(&inputs[unit.input], &plans[unit.input], unit, config, spill)
    })
}

/// Where a dataset ingest hands the days a unit of work has left behind (the unit's
/// index, the days), so that they need not stay in memory until the commit.
pub(crate) type Spill<'a> = dyn Fn(usize, Rollups) -> Result<()> + Sync + 'a;

/// Days a unit keeps before the day of its latest line before it hands older ones to
/// the [`Spill`]: a log's lines come a little out of order, seldom by days.
pub(crate) const KEEP_DAYS: i64 = 2;

/// Runs `job(0..count)` on up to `threads` threads, each taking the next index, and
/// returns the results in index order. The first failure stops the hand-out, and the
/// error of the earliest index that failed is returned.
pub(crate) fn in_parallel<T: Send>(
    count: usize,
    threads: usize,
    job: impl Fn(usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T>>>> = Mutex::new((0..count).map(|_| None).collect());
    let work = || {
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= count {
                break;
            }
            let result = job(k);
            let failed = result.is_err();
            results.lock().expect("no worker panics holding the lock")[k] = Some(result);
            if failed {
                next.store(count, Ordering::Relaxed);
            }
        }
    };
    std::thread::scope(|s| {
        // The calling thread is one of the workers: with one thread nothing is spawned,
        // and the memory it frees is reused when the dataset is written (a spawned
        // thread's malloc arena stays resident after it ends).
        for _ in 1..threads.min(count).max(1) {
            s.spawn(work);
        }
        work();
    });
    results
        .into_inner()
        .expect("workers finished")
        .into_iter()
        .flatten()
        .collect()
}

fn run_unit(
    input: &Input,
    plan: &Plan,
    unit: &Unit,
    config: &IngestConfig,
    spill: Option<&dyn Fn(Rollups) -> Result<()>>,
) -> Result<Part> {
    let (reader, remaining, digest) = match (input, &unit.work) {
        (_, Work::Hash) => {
            return Ok(Part {
                fingerprint: fingerprint(input)?,
                ..Part::default()
            });
        }
        (
            Input::File(path),
            &Work::Lines {
                range: Some((start, end)),
                ..
            },
        ) => {
            let (reader, remaining) = open_range(path, start, end)?;
            (reader, remaining, None)
        }
        (_, &Work::Lines { hash: true, .. }) => {
            let (reader, _, digest) = open_hashing(input)?;
            (reader, u64::MAX, Some(digest))
        }
        _ => (open(input)?.0, u64::MAX, None),
    };
    let mut part = read_lines(reader, remaining, plan, config, spill)?;
    // A range of a split file hands over its last days as well. A split file has four
    // ranges a thread, each a few days of a busy log, and each finished range held its
    // last days until the slowest was done: a 2-thread ingest of the generated 4 M-line
    // log held 24 of its 28 days at the end (peak RSS 34-37 MiB, now 21-22). A whole
    // input's unit keeps them: the commit takes them from memory at once.
    if let (Some(spill), Work::Lines { range: Some(_), .. }) = (spill, &unit.work) {
        spill(std::mem::take(&mut part.rollups).finish())?;
    }
    if let Some(digest) = digest {
        let (size, hash) = digest
            .lock()
            .expect("no reader panics holding the lock")
            .fingerprint();
        // A file that changed size while it was read, or a decoder that stopped short
        // of the end, leaves a digest that is not the file's: read it again.
        let Input::File(path) = input else {
            unreachable!("only files are hashed")
        };
        let now = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        part.fingerprint = if now.len() == size {
            Some((size, hash))
        } else {
            fingerprint(input)?
        };
    }
    Ok(part)
}

/// Reads lines to the end of the stream (or of a range's `remaining` bytes), parsing and
/// counting each.
fn read_lines(
    mut reader: Box<dyn BufRead + Send>,
    mut remaining: u64,
    plan: &Plan,
    config: &IngestConfig,
    spill: Option<&dyn Fn(Rollups) -> Result<()>>,
) -> Result<Part> {
    let name = &plan.name;
    let mut part = Part::default();
    let Some((format, head)) = format_of(&mut reader, plan, &mut part)? else {
        return Ok(part);
    };
    let mut parser = format.parser();
    for line in &head {
        match line {
            Some(line) => part.take(&mut parser, line, config.strict, name)?,
            None => part.reject(Reject::TooLong, config.strict, name)?,
        }
    }
    // Lines are parsed where they lie in a large buffer (no copy per line); a partial
    // line at the end moves to the front before the next read.
    let mut buf = vec![0u8; READ_BYTES];
    let (mut start, mut end) = (0, 0);
    let mut progress = Tally::new(config);
    let newlines = Newlines::new();
    'read: while remaining > 0 {
        while let Some(nl) = newlines.find(&buf[start..end]) {
            let n = nl + 1;
            part.take(&mut parser, &buf[start..start + n], config.strict, name)?;
            start += n;
            remaining = remaining.saturating_sub(n as u64);
            progress.line(n);
            if remaining == 0 {
                break 'read;
            }
        }
        // Between reads (every 256 KiB), not per line.
        if let Some(spill) = spill
            && let Some(days) = part.rollups.take_days_before(KEEP_DAYS)
        {
            spill(days)?;
        }
        buf.copy_within(start..end, 0);
        (start, end) = (0, end - start);
        if end == buf.len() && end >= MAX_LINE_BYTES {
            // Too long to be a log line: rejected, and the rest of it read past without
            // holding it, so that a file with no newline cannot fill the memory.
            let mut skipped = end;
            end = 0;
            loop {
                let n = fill(&mut reader, &mut buf, name, part.lines_read)?;
                if n == 0 {
                    break;
                }
                if let Some(nl) = memchr::memchr(b'\n', &buf[..n]) {
                    skipped += nl + 1;
                    buf.copy_within(nl + 1..n, 0);
                    end = n - nl - 1;
                    break;
                }
                skipped += n;
            }
            part.reject(Reject::TooLong, config.strict, name)?;
            progress.line(skipped);
            remaining = remaining.saturating_sub(skipped as u64);
            continue 'read;
        }
        if end == buf.len() {
            // One line longer than the buffer: make room for the rest of it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = fill(&mut reader, &mut buf[end..], name, part.lines_read)?;
        if n == 0 {
            // The last line, without its newline (a truncated file).
            if end > 0 {
                part.take(&mut parser, &buf[..end], config.strict, name)?;
                progress.line(end);
            }
            break;
        }
        end += n;
    }
    progress.report();
    Ok(part)
}

/// Finds line ends: memchr's AVX2 searcher where the CPU has it, held for the whole
/// stream, else memchr's dispatching search. `memchr::memchr` looks its searcher up on
/// every call, once a line: about 30 of the 90 instructions a line's end cost.
struct Newlines {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl Newlines {
    fn new() -> Newlines {
        Newlines {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'\n'),
        }
    }

    #[inline]
    fn find(&self, hay: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = &self.avx2 {
            return one.find(hay);
        }
        memchr::memchr(b'\n', hay)
    }
}

/// The unit's format: its plan's, or sniffed from its first lines (stdin), which are
/// handed back to be parsed first (a line too long to be a log line as `None`); `None`
/// for an empty input.
fn format_of(
    reader: &mut Box<dyn BufRead + Send>,
    plan: &Plan,
    part: &mut Part,
) -> Result<Option<(LogFormat, Head)>> {
    if let Some((_, f)) = &plan.format {
        return Ok(Some((f.clone(), Vec::new())));
    }
    let head = read_head(reader, &plan.name)?;
    if head.is_empty() {
        return Ok(None);
    }
    let found =
        sniff(head.iter().flatten().map(Vec::as_slice)).ok_or_else(|| Error::UnknownFormat {
            input: plan.name.clone(),
        })?;
    part.sniffed = Some(found.clone());
    Ok(Some((found.1, head)))
}

/// Reads into `buf`, retrying when interrupted; 0 at the end of the input.
fn fill(
    reader: &mut Box<dyn BufRead + Send>,
    buf: &mut [u8],
    name: &str,
    after_line: u64,
) -> Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            result => {
                return result.map_err(|source| Error::Read {
                    input: name.to_owned(),
                    after_line,
                    source,
                });
            }
        }
    }
}

/// Lines and bytes read since the progress counters were last told, told every
/// [`PROGRESS_EVERY`] lines (atomics once per batch, not per line).
struct Tally<'a> {
    progress: Option<&'a Progress>,
    lines: u64,
    bytes: u64,
}

impl<'a> Tally<'a> {
    fn new(config: &'a IngestConfig) -> Tally<'a> {
        Tally {
            progress: config.progress.as_deref(),
            lines: 0,
            bytes: 0,
        }
    }

    /// One line of `bytes` read.
    #[inline]
    fn line(&mut self, bytes: usize) {
        self.lines += 1;
        self.bytes += bytes as u64;
        if self.lines == PROGRESS_EVERY {
            self.report();
        }
    }

    /// Tells the counters what was read since last time.
    fn report(&mut self) {
        if let Some(p) = self.progress {
            p.lines
                .fetch_add(std::mem::take(&mut self.lines), Ordering::Relaxed);
            p.bytes
                .fetch_add(std::mem::take(&mut self.bytes), Ordering::Relaxed);
        }
    }
}

impl Part {
    /// Counts one line as parsed (into the rollups) or rejected (by reason, with the
    /// first few line numbers); under `strict` a rejected line is an error naming it.
    #[inline]
    fn take(
        &mut self,
        parser: &mut headroom_logformat::Parser<'_>,
        line: &[u8],
        strict: bool,
        name: &str,
    ) -> Result<()> {
        match parser.parse(line) {
            Ok(record) => {
                self.lines_read += 1;
                self.rollups.add(&record);
                self.lines_parsed += 1;
                Ok(())
            }
            Err(reason) => self.reject(reason, strict, name),
        }
    }

    /// One line read and rejected for `reason` (in strict mode, the ingest's error).
    fn reject(&mut self, reason: Reject, strict: bool, name: &str) -> Result<()> {
        self.lines_read += 1;
        if strict {
            return Err(Error::BadLine {
                input: name.to_owned(),
                line: self.lines_read,
                reason,
            });
        }
        *self.rejected.entry(reason).or_default() += 1;
        if self.samples.len() < REJECT_SAMPLES {
            self.samples.push((self.lines_read, reason));
        }
        Ok(())
    }
}

/// A reader at the first line that starts at or after `start`, and how many bytes of
/// lines starting before `end` lie ahead of it (the last such line may run past `end`).
fn open_range(
    path: &std::path::Path,
    start: u64,
    end: u64,
) -> Result<(Box<dyn BufRead + Send>, u64)> {
    use std::io::{Seek, SeekFrom};
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let mut pos = start;
    if start > 0 {
        file.seek(SeekFrom::Start(start - 1)).map_err(io_err)?;
    }
    let mut reader = std::io::BufReader::with_capacity(crate::input::READER_BYTES, file);
    if start > 0 {
        // The line holding byte start-1 belongs to the unit before; when start-1 is its
        // newline this skips just that byte.
        pos += reader.skip_until(b'\n').map_err(io_err)? as u64 - 1;
    }
    Ok((Box::new(reader), end.saturating_sub(pos)))
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn an_empty_input_counts_no_lines_and_unreadable_ones_still_fail() {
        let tmp = tempfile::tempdir().unwrap();
        let empty = tmp.path().join("empty.log");
        std::fs::File::create(&empty).unwrap();
        let out = ingest(&[Input::File(empty)], &IngestConfig::default()).unwrap();
        assert_eq!(out.lines.lines_read, 0);
        assert_eq!(out.files[0].format, "-");
        assert!(out.rollups.is_empty());
        let garbage = tmp.path().join("garbage.log");
        std::fs::write(&garbage, "not a log line\n").unwrap();
        let err = ingest(&[Input::File(garbage)], &IngestConfig::default()).unwrap_err();
        assert!(matches!(err, Error::UnknownFormat { .. }), "{err}");
    }

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
    fn a_line_longer_than_the_read_buffer_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.log");
        let line = |path: &str, bytes: u64| {
            format!(
                r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET {path} HTTP/1.1" 200 {bytes} "-" "x""#
            )
        };
        let long = format!("/{}", "a".repeat(READ_BYTES * 2 + 7));
        let text = [line("/", 1), line(&long, 20), line("/end", 300)].join("\n");
        std::fs::write(&path, text).unwrap();
        let (rollups, report) = ingest_input(&Input::File(path), &IngestConfig::default()).unwrap();
        assert_eq!((report.lines.lines_read, report.lines.lines_parsed), (3, 3));
        assert_eq!(rollups.totals().bytes, 321);
        let (_, day) = rollups.days().next().unwrap();
        assert_eq!(day.paths.estimate(&long), 1);
    }

    /// A "line" longer than MAX_LINE_BYTES (a file that is not a log) is one rejected
    /// line, read past without being held, in the sniffed head as in the line loop, and
    /// with or without its newline; the lines around it count as ever.
    #[test]
    fn a_line_too_long_to_be_a_log_line_is_rejected_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("binary.log");
        let line = |bytes: u64| {
            format!(
                r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 {bytes} "-" "x""#
            )
        };
        let junk = "a".repeat(MAX_LINE_BYTES + 5);
        // Within the sniffed head, in the line loop (past the head), and last, without
        // a newline.
        let mut lines = vec![line(1), junk.clone(), line(20)];
        lines.extend((0..SNIFF_LINES).map(|_| line(100)));
        lines.extend([junk.clone(), line(300), junk]);
        std::fs::write(&path, lines.join("\n")).unwrap();
        let input = Input::File(path.clone());
        let (rollups, report) = ingest_input(&input, &IngestConfig::default()).unwrap();
        let n = SNIFF_LINES as u64 + 6;
        assert_eq!(report.lines.lines_read, n);
        assert_eq!(report.lines.lines_parsed, n - 3);
        assert_eq!(report.lines.lines_rejected, 3);
        assert_eq!(rollups.totals().bytes, 321 + 100 * SNIFF_LINES as i64);
        let strict = IngestConfig {
            strict: true,
            ..IngestConfig::default()
        };
        let err = ingest_input(&input, &strict).unwrap_err().to_string();
        assert!(
            err.contains("binary.log:2: line longer than 16 MiB"),
            "{err}"
        );
    }

    #[test]
    fn splitting_a_file_anywhere_gives_the_same_result() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut text = String::new();
        for i in 0..3000 {
            if i % 97 == 0 {
                text.push_str("garbage line\n");
            }
            let line = format!(
                r#"10.0.{}.{} - - [17/May/2015:10:{:02}:03 +0000] "GET /p{} HTTP/1.1" 200 {i} "-" "ua""#,
                i % 7,
                i % 13,
                i % 60,
                i % 11
            );
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("no newline at the end");
        std::fs::write(&path, &text).unwrap();
        let input = Input::File(path);
        let one = IngestConfig {
            threads: 1,
            ..Default::default()
        };
        let (whole, whole_report) = ingest_input(&input, &one).unwrap();
        for split_bytes in [1, 57, 1000, 4096, 100_000] {
            let cfg = IngestConfig {
                threads: 4,
                split_bytes,
                ..Default::default()
            };
            let (split, report) = ingest_input(&input, &cfg).unwrap();
            assert_eq!(report, whole_report, "split every {split_bytes} bytes");
            assert!(split.same_counters(&whole));
        }
        assert_eq!(whole_report.lines.lines_read, 3000 + 31 + 1);
        assert_eq!(
            whole_report.lines.reject_samples[1],
            format!(
                "{}:99: line does not have the log format's layout",
                input.name()
            )
        );
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
