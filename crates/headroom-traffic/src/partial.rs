//! Partial rollups: what each input contributed, as Parquet rows keyed by input, to be
//! merged elsewhere (Apache Spark: `scripts/spark/merge.py`) or later (`headroom merge`).
//!
//! One table; every row names its `source` (the input's xxh3-128 content hash, hex) and
//! its `grain`, and fills the columns of that grain (the others are null):
//! - `minute`: `time` is the minute; the dataset's Int64 counters (`requests`, `bytes`,
//!   `status_1xx`…`status_5xx`, `pages`, `static_assets`, `bots`, `duration_count`,
//!   `duration_sum_us`, `duration_max_us`: [`MinuteCounts::COLUMNS`]);
//! - `hour`: `time` is the hour; `visitors_hll` and `hosts_hll` (HLL_8, lgK 12, values
//!   hashed as raw bytes) and `durations_ms_kll` (KLL doubles, k 1000), as binary;
//! - `day`: `time` is the day; `paths_frequent` and `user_agents_frequent` (frequent-items
//!   sketches of strings), as binary;
//! - `input`: `input` is the manifest entry as JSON (name, size, content hash, line
//!   counts); `time` is null.
//!
//! `time` is Datetime(ms, UTC). A partials folder is hive-partitioned by UTC day
//! (`date=YYYY-MM-DD/part-<batch>.parquet`, rows sorted by time); an input's `input` row
//! sits in its first day (in `date=__HIVE_DEFAULT_PARTITION__` when no line parsed).
//! A merge keeps one copy of each (source, grain, time) row and skips inputs already in
//! the dataset, so partials written twice, or merged twice, never double count.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use datasketches::hll::HllSketch;
use datasketches::kll::KllSketch;
use polars::prelude::*;

use crate::dataset::{
    MANIFEST_FILE, Manifest, ManifestEntry, blobs, commit, frequent_items, io_error, optional_ints,
    optional_times, parquet_error, read_frame, read_manifest, sketch_error, temp_sibling,
};
use crate::ingest::{IngestConfig, ingest_hashing};
use crate::input::Input;
use crate::rollup::{DaySketches, HourSketches, MinuteCounts, Rollups};
use crate::{Error, IngestOutcome, Result};
use headroom_logformat::time::{DAY, format_date};

/// The hive partition Spark and Hive read as a null `date` (inputs with no parsed line).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";
/// Rows per Parquet row group. Hour rows carry up to about 12 KB of sketches, so a group
/// stays near 100 MB at most, the size Spark reads in one task.
pub const ROW_GROUP_ROWS: usize = 8_192;

/// One input's rollups and its manifest entry.
#[derive(Debug, Clone)]
pub struct Partial {
    /// Name, size, content hash and line counts of the input.
    pub entry: ManifestEntry,
    /// Everything its parsed lines added.
    pub rollups: Rollups,
}

/// Input bytes whose partials are held in memory and written together, one file per
/// day. Partials measured about 1/1,800 of a Combined log's bytes (4 M lines, 949 MB →
/// 520 KB), so a full batch makes files of about 100 MB, near the 128 MB Spark reads best.
/// Held in memory they are larger (a 4 KB HLL array per hour, two per input): about 1/400
/// of the input's bytes by that count, 500 MB for a full batch.
pub const PARTIAL_BATCH_BYTES: u64 = 200 << 30;
/// At most this many inputs in one batch, whatever their size.
pub const PARTIAL_BATCH_INPUTS: usize = 1024;

/// Splits inputs into batches, for `ingest --partials`, by [`PARTIAL_BATCH_BYTES`] and [`PARTIAL_BATCH_INPUTS`].
pub fn partial_batches(inputs: &[Input]) -> Vec<&[Input]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, input) in inputs.iter().enumerate() {
        if let Input::File(path) = input {
            bytes += std::fs::metadata(path).map_or(0, |m| m.len());
        }
        if bytes >= PARTIAL_BATCH_BYTES || i + 1 - start == PARTIAL_BATCH_INPUTS {
            batches.push(&inputs[start..=i]);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < inputs.len() {
        batches.push(&inputs[start..]);
    }
    batches
}

/// Reads inputs into one partial each. `name` renames a single stdin input (the file a
/// batch runner fed it from); stdin is first copied to a temporary file, so that it has
/// a size and content hash like any file.
pub fn partials_of(
    inputs: &[Input],
    config: &IngestConfig,
    name: Option<&str>,
) -> Result<Vec<Partial>> {
    let mut spooled = None;
    let mut files = Vec::with_capacity(inputs.len());
    for input in inputs {
        match input {
            Input::Stdin => {
                let path = spool_stdin()?;
                files.push(Input::File(path.clone()));
                spooled = Some(path);
            }
            file => files.push(file.clone()),
        }
    }
    let result = (|| {
        let each = ingest_hashing(&files, config, &vec![true; files.len()], None)?;
        let mut out = Vec::with_capacity(each.len());
        for (input, (rollups, mut report, fp)) in inputs.iter().zip(each) {
            let (size, xxh3_128) = fp.expect("a file has a fingerprint");
            if *input == Input::Stdin {
                report.input = name.map_or_else(|| input.name(), str::to_owned);
            }
            out.push(Partial {
                entry: ManifestEntry {
                    size,
                    xxh3_128,
                    report,
                },
                rollups,
            });
        }
        Ok(out)
    })();
    let Some(path) = spooled else {
        return result;
    };
    // Best effort: a leftover temporary file is harmless.
    let _ = fs::remove_file(&path);
    // Messages name stdin as the user gave it, not the copy.
    let (copy, stdin) = (path.display().to_string(), name.unwrap_or("<stdin>"));
    result.map_err(|e| match e {
        Error::UnknownFormat { input } if input == copy => Error::UnknownFormat {
            input: stdin.to_owned(),
        },
        Error::BadLine {
            input,
            line,
            reason,
        } if input == copy => Error::BadLine {
            input: stdin.to_owned(),
            line,
            reason,
        },
        Error::Read {
            input,
            after_line,
            source,
        } if input == copy => Error::Read {
            input: stdin.to_owned(),
            after_line,
            source,
        },
        other => other,
    })
}

fn spool_stdin() -> Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("headroom-stdin-{}.log", std::process::id()));
    let mut file = File::create(&path).map_err(|source| io_error(&path, source))?;
    io::copy(&mut io::stdin().lock(), &mut file).map_err(|source| Error::Read {
        input: "<stdin>".to_owned(),
        after_line: 0,
        source,
    })?;
    Ok(path)
}

/// Rows of one grain, gathered column by column.
#[derive(Default)]
struct Rows {
    source: Vec<String>,
    grain: Vec<&'static str>,
    time: Vec<Option<i64>>,
    counters: [Vec<Option<i64>>; MinuteCounts::COLUMNS.len()],
    visitors: Vec<Option<Vec<u8>>>,
    hosts: Vec<Option<Vec<u8>>>,
    durations: Vec<Option<Vec<u8>>>,
    paths: Vec<Option<Vec<u8>>>,
    agents: Vec<Option<Vec<u8>>>,
    input: Vec<Option<String>>,
}

/// What one row fills besides its key; what it leaves out is null.
#[derive(Default)]
struct Cells {
    counters: Option<[i64; MinuteCounts::COLUMNS.len()]>,
    /// Visitors HLL, hosts HLL, durations KLL.
    hour: Option<[Vec<u8>; 3]>,
    /// Paths and user agents frequent items.
    day: Option<[Vec<u8>; 2]>,
    input: Option<String>,
}

impl Rows {
    fn push(&mut self, source: &str, grain: &'static str, time: Option<i64>, cells: Cells) {
        self.source.push(source.to_owned());
        self.grain.push(grain);
        self.time.push(time);
        for (i, col) in self.counters.iter_mut().enumerate() {
            col.push(cells.counters.map(|c| c[i]));
        }
        let [visitors, hosts, durations] = cells.hour.map_or([None, None, None], |h| h.map(Some));
        self.visitors.push(visitors);
        self.hosts.push(hosts);
        self.durations.push(durations);
        let [paths, agents] = cells.day.map_or([None, None], |d| d.map(Some));
        self.paths.push(paths);
        self.agents.push(agents);
        self.input.push(cells.input);
    }

    fn add(&mut self, entry: &ManifestEntry, rollups: &Rollups, with_input: bool) {
        let source = entry.xxh3_128.as_str();
        if with_input {
            let json = serde_json::to_string(entry).expect("an entry serialises");
            let input = Some(json);
            self.push(
                source,
                "input",
                None,
                Cells {
                    input,
                    ..Cells::default()
                },
            );
        }
        for (m, c) in rollups.iter() {
            let counters = Some(c.to_array());
            self.push(
                source,
                "minute",
                Some(m),
                Cells {
                    counters,
                    ..Cells::default()
                },
            );
        }
        for (h, s) in rollups.hours() {
            let sketches = [
                s.visitors.serialize(),
                s.hosts.serialize(),
                s.durations_ms.serialize(),
            ];
            let cells = Cells {
                hour: Some(sketches),
                ..Cells::default()
            };
            self.push(source, "hour", Some(h), cells);
        }
        for (d, s) in rollups.days() {
            let cells = Cells {
                day: Some([s.paths.serialize(), s.agents.serialize()]),
                ..Cells::default()
            };
            self.push(source, "day", Some(d), cells);
        }
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        let ms: Vec<Option<i64>> = self.time.iter().map(|t| t.map(|s| s * 1000)).collect();
        let time = Column::new("time".into(), ms).cast(&DataType::Datetime(
            TimeUnit::Milliseconds,
            Some(TimeZone::UTC),
        ))?;
        let blob = |name: &str, v: Vec<Option<Vec<u8>>>| {
            let slices: Vec<Option<&[u8]>> = v.iter().map(Option::as_deref).collect();
            Column::new(name.into(), slices)
        };
        let mut columns = vec![
            Column::new("source".into(), self.source),
            Column::new("grain".into(), self.grain),
            time,
        ];
        for (name, col) in MinuteCounts::COLUMNS.iter().zip(self.counters) {
            columns.push(Column::new((*name).into(), col));
        }
        columns.extend([
            blob("visitors_hll", self.visitors),
            blob("hosts_hll", self.hosts),
            blob("durations_ms_kll", self.durations),
            blob("paths_frequent", self.paths),
            blob("user_agents_frequent", self.agents),
            Column::new("input".into(), self.input),
        ]);
        let df = DataFrame::new_infer_height(columns)?;
        // Sorted by time (input rows first), so readers can skip by row-group statistics.
        df.sort(
            ["time"],
            SortMultipleOptions::default().with_nulls_last(false),
        )
    }
}

/// The partials as one table (every day in one file, as written to stdout).
pub fn partial_frame(partials: &[Partial]) -> PolarsResult<DataFrame> {
    let mut rows = Rows::default();
    for p in partials {
        rows.add(&p.entry, &p.rollups, true);
    }
    rows.frame()
}

/// Writes the partials as one Parquet file to `out` (stdout, for batch runners).
pub fn write_partial(out: impl Write, partials: &[Partial], what: &Path) -> Result<()> {
    let mut df = partial_frame(partials).map_err(|e| parquet_error(what, e))?;
    // Buffered for the same reason as the day files (`dataset::buffered`).
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    ParquetWriter::new(&mut out)
        .with_row_group_size(Some(ROW_GROUP_ROWS))
        .finish(&mut df)
        .map_err(|e| parquet_error(what, e))?;
    out.flush().map_err(|source| io_error(what, source))
}

/// Writes the partials into `dir`, one file per UTC day touched, named after the batch
/// (the hash of its inputs' hashes): writing the same inputs again replaces those files
/// instead of adding copies. Each file appears whole (written aside, then renamed). The
/// partials are consumed, so the batch is held once. Returns the files written.
pub fn write_partials(dir: &Path, partials: Vec<Partial>) -> Result<Vec<PathBuf>> {
    let mut batch = xxhash_rust::xxh3::Xxh3::new();
    let mut by_date: BTreeMap<String, Rows> = BTreeMap::new();
    for Partial { entry, rollups } in partials {
        batch.update(entry.xxh3_128.as_bytes());
        let days = rollups.into_days();
        let Some(&first) = days.keys().next() else {
            let rows = by_date.entry(NULL_PARTITION.to_owned()).or_default();
            rows.add(&entry, &Rollups::default(), true);
            continue;
        };
        for (day_s, day) in days {
            let date = format_date(day_s);
            let rows = by_date.entry(date).or_default();
            rows.add(&entry, &day, day_s == first);
        }
    }
    let name = format!("part-{:016x}.parquet", batch.digest());
    let mut written = Vec::with_capacity(by_date.len());
    for (date, rows) in by_date {
        let folder = dir.join(format!("date={date}"));
        fs::create_dir_all(&folder).map_err(|source| io_error(&folder, source))?;
        let path = folder.join(&name);
        let tmp = temp_sibling(&path);
        let mut df = rows.frame().map_err(|e| parquet_error(&path, e))?;
        let mut file = crate::dataset::buffered(&tmp)?;
        ParquetWriter::new(&mut file)
            .with_row_group_size(Some(ROW_GROUP_ROWS))
            .finish(&mut df)
            .map_err(|e| parquet_error(&path, e))?;
        file.flush().map_err(|source| io_error(&tmp, source))?;
        fs::rename(&tmp, &path).map_err(|source| io_error(&path, source))?;
        written.push(path);
    }
    Ok(written)
}

/// Reads partial files and folders of them (every `*.parquet` below, skipping names
/// starting with `.` or `_`, as Spark does) into one partial per source. A row seen twice
/// (the same source, grain and time, from partials written twice) counts once.
pub fn read_partials(paths: &[PathBuf]) -> Result<Vec<Partial>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            parquet_files(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    let mut builders: BTreeMap<String, Builder> = BTreeMap::new();
    for file in &files {
        read_partial_file(file, &mut builders)?;
    }
    let mut out: Vec<Partial> = Vec::with_capacity(builders.len());
    for (source, b) in builders {
        let entry = b.entry.ok_or_else(|| Error::Input {
            path: b.first_file.clone(),
            reason: format!(
                "partial rows of source {source} but no `input` row for it in any partial given"
            ),
        })?;
        out.push(Partial {
            entry,
            rollups: b.rollups,
        });
    }
    // Name order, as `ingest` takes a folder's files, so manifests read alike.
    out.sort_by(|a, b| {
        let key = |p: &Partial| (p.entry.report.input.clone(), p.entry.xxh3_128.clone());
        key(a).cmp(&key(b))
    });
    Ok(out)
}

#[derive(Debug)]
struct Builder {
    entry: Option<ManifestEntry>,
    rollups: Rollups,
    seen: BTreeSet<(String, i64)>,
    first_file: PathBuf,
}

fn parquet_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|source| io_error(dir, source))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.as_deref().is_none_or(|n| n.starts_with(['.', '_'])) {
            continue;
        }
        if path.is_dir() {
            parquet_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "parquet") {
            out.push(path);
        }
    }
    Ok(())
}

fn strings(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<String>>> {
    let col = df
        .column(name)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| parquet_error(path, e))?;
    let ca = col.str().map_err(|e| parquet_error(path, e))?;
    Ok(ca.iter().map(|v| v.map(str::to_owned)).collect())
}

fn read_partial_file(path: &Path, builders: &mut BTreeMap<String, Builder>) -> Result<()> {
    let df = read_frame(path)?;
    let sources = strings(&df, "source", path)?;
    let grains = strings(&df, "grain", path)?;
    let inputs = strings(&df, "input", path)?;
    let time = optional_times(&df, "time", path)?;
    let counters: Vec<Vec<Option<i64>>> = MinuteCounts::COLUMNS
        .iter()
        .map(|n| optional_ints(&df, n, path))
        .collect::<Result<_>>()?;
    let blob = |name: &str| blobs(&df, name, path);
    let (visitors, hosts, durations) = (
        blob("visitors_hll")?,
        blob("hosts_hll")?,
        blob("durations_ms_kll")?,
    );
    let (paths, agents) = (blob("paths_frequent")?, blob("user_agents_frequent")?);
    let bad = |row: usize, reason: String| Error::Input {
        path: path.to_owned(),
        reason: format!("row {row}: {reason}"),
    };
    for row in 0..df.height() {
        let source = sources[row]
            .clone()
            .ok_or_else(|| bad(row, "no source".to_owned()))?;
        let grain = grains[row].clone().unwrap_or_default();
        let b = builders.entry(source).or_insert_with(|| Builder {
            entry: None,
            rollups: Rollups::default(),
            seen: BTreeSet::new(),
            first_file: path.to_owned(),
        });
        // Input rows have no time; every other row needs one.
        let t = match (time[row], grain == "input") {
            (Some(t), _) => t,
            (None, true) => 0,
            (None, false) => return Err(bad(row, format!("a {grain} row without a time"))),
        };
        if !b.seen.insert((grain.clone(), t)) {
            continue;
        }
        match grain.as_str() {
            "input" => {
                let json = inputs[row]
                    .as_deref()
                    .ok_or_else(|| bad(row, "an input row without its entry".to_owned()))?;
                let entry = serde_json::from_str(json)
                    .map_err(|e| bad(row, format!("input entry: {e}")))?;
                b.entry = Some(entry);
            }
            "minute" => {
                let v = std::array::from_fn(|i| counters[i][row].unwrap_or(0));
                b.rollups.insert_minute(t, MinuteCounts::from_array(v));
            }
            "hour" => {
                let hll =
                    |v: &[u8]| HllSketch::deserialize(v).map_err(|e| sketch_error(path, "HLL", e));
                b.rollups.insert_hour(
                    t,
                    HourSketches {
                        visitors: hll(&visitors[row])?,
                        hosts: hll(&hosts[row])?,
                        durations_ms: KllSketch::deserialize(&durations[row])
                            .map_err(|e| sketch_error(path, "KLL", e))?,
                    },
                );
            }
            "day" => {
                let freq = |v: &[u8]| frequent_items(v, path);
                b.rollups.insert_day(
                    t.div_euclid(DAY) * DAY,
                    DaySketches {
                        paths: freq(&paths[row])?,
                        agents: freq(&agents[row])?,
                    },
                );
            }
            other => return Err(bad(row, format!("unknown grain {other:?}"))),
        }
    }
    Ok(())
}

/// Merges partials into the dataset at `dir` (creating it), with the same commit as an
/// ingest: inputs already in the dataset (same size and content hash) are skipped.
pub fn merge_into(dir: &Path, partials: Vec<Partial>) -> Result<IngestOutcome> {
    let _lock = crate::dataset::lock(dir)?;
    let manifest: Manifest = read_manifest(dir)?;
    let mut known: BTreeMap<(u64, String), String> = manifest
        .inputs
        .iter()
        .map(|e| ((e.size, e.xxh3_128.clone()), e.report.input.clone()))
        .collect();
    let mut outcome = IngestOutcome::default();
    let mut rollups = Rollups::default();
    let mut entries = Vec::new();
    for p in partials {
        let key = (p.entry.size, p.entry.xxh3_128.clone());
        if let Some(seen) = known.get(&key) {
            let why = format!("already in the dataset (same content as {seen})");
            outcome.skipped.push((p.entry.report.input.clone(), why));
            continue;
        }
        known.insert(key, p.entry.report.input.clone());
        rollups.absorb(p.rollups);
        outcome.added.push(p.entry.report.clone());
        entries.push(p.entry);
    }
    outcome.summary = if entries.is_empty() && dir.join(MANIFEST_FILE).exists() {
        crate::dataset::fresh_summary(dir, &manifest)?
    } else {
        commit(
            dir,
            manifest,
            rollups,
            Vec::new(),
            None,
            entries,
            crate::ingest::default_threads(),
        )?
    };
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_close_at_the_input_count_and_keep_every_input() {
        let inputs: Vec<Input> = (0..PARTIAL_BATCH_INPUTS * 2 + 3)
            .map(|i| Input::File(PathBuf::from(format!("/nonexistent/{i}.log"))))
            .collect();
        let batches = partial_batches(&inputs);
        let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [PARTIAL_BATCH_INPUTS, PARTIAL_BATCH_INPUTS, 3]);
        assert!(partial_batches(&[]).is_empty());
    }
    use crate::dataset::ingest_into;
    use crate::read_rollups;
    use proptest::prelude::*;

    /// Combined lines over three days and two hours, from a handful of clients.
    fn lines(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let day = 17 + i % 3;
                let (hour, minute) = (10 + i % 2, i % 60);
                let status = [200, 304, 404, 500][i % 4];
                format!(
                    r#"10.0.0.{} - - [{day}/May/2015:{hour}:{minute:02}:00 +0000] "GET /p{} HTTP/1.1" {status} {} "-" "agent{}""#,
                    i % 7,
                    i % 5,
                    100 + i,
                    i % 3
                )
            })
            .collect()
    }

    fn write_logs(dir: &Path, chunks: &[Vec<String>]) -> Vec<Input> {
        chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| {
                let path = dir.join(format!("{i}.log"));
                fs::write(&path, chunk.join("\n") + "\n").unwrap();
                Input::File(path)
            })
            .collect()
    }

    /// Minute counters; per hour (start, visitors, hosts, durations counted); lines read.
    type Contents = (Vec<(i64, MinuteCounts)>, Vec<(i64, f64, f64, u64)>, u64);

    /// Everything a dataset holds, in comparable form: minute counters exactly, sketches
    /// by what they answer.
    fn contents(dir: &Path) -> Contents {
        let r = read_rollups(dir).unwrap();
        let minutes = r.iter().map(|(m, c)| (m, *c)).collect();
        let hours = r
            .hours()
            .map(|(h, s)| {
                let n = s.durations_ms.n();
                (h, s.visitors.estimate(), s.hosts.estimate(), n)
            })
            .collect();
        let summary = crate::read_summary(dir).unwrap();
        (minutes, hours, summary.lines.lines_read)
    }

    #[test]
    fn partials_round_trip_and_merge_like_an_ingest() {
        let tmp = tempfile::tempdir().unwrap();
        let mut all = lines(120);
        all.push("not a log line".to_owned());
        let chunks: Vec<Vec<String>> = all.chunks(50).map(<[String]>::to_vec).collect();
        let inputs = write_logs(tmp.path(), &chunks);
        let cfg = IngestConfig::default();

        let single = tmp.path().join("single");
        ingest_into(&single, &inputs, &cfg).unwrap();

        let parts = tmp.path().join("parts");
        let written = write_partials(&parts, partials_of(&inputs, &cfg, None).unwrap()).unwrap();
        assert_eq!(written.len(), 3, "one file per day: {written:?}");
        // Writing the same inputs again replaces the files, and a second batch of one of
        // them adds rows that a merge must count once.
        write_partials(&parts, partials_of(&inputs, &cfg, None).unwrap()).unwrap();
        write_partials(&parts, partials_of(&inputs[..1], &cfg, None).unwrap()).unwrap();
        let read = read_partials(std::slice::from_ref(&parts)).unwrap();
        assert_eq!(read.len(), 3);

        let merged = tmp.path().join("merged");
        let outcome = merge_into(&merged, read).unwrap();
        assert_eq!(outcome.added.len(), 3);
        assert_eq!(contents(&merged), contents(&single));
        assert_eq!(outcome.summary.requests, 120);
        assert_eq!(outcome.summary.lines.lines_rejected, 1);
        // Merging again adds nothing.
        let again = merge_into(&merged, read_partials(&[parts]).unwrap()).unwrap();
        assert_eq!((again.added.len(), again.skipped.len()), (0, 3));
        assert_eq!(contents(&merged), contents(&single));
    }

    #[test]
    fn one_file_partial_reads_back() {
        let tmp = tempfile::tempdir().unwrap();
        let inputs = write_logs(tmp.path(), &[lines(30)]);
        let cfg = IngestConfig::default();
        let partials = partials_of(&inputs, &cfg, None).unwrap();
        let file = tmp.path().join("one.parquet");
        write_partial(File::create(&file).unwrap(), &partials, &file).unwrap();
        let back = read_partials(&[file]).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].entry, partials[0].entry);
        assert!(back[0].rollups.same_counters(&partials[0].rollups));
    }

    #[test]
    fn an_input_with_no_parsed_line_lands_in_the_null_partition() {
        let tmp = tempfile::tempdir().unwrap();
        let inputs = write_logs(tmp.path(), &[vec!["garbage".to_owned()]]);
        let parts = tmp.path().join("parts");
        let cfg = IngestConfig {
            format: crate::FormatChoice::from_spec("combined").unwrap(),
            ..Default::default()
        };
        let written = write_partials(&parts, partials_of(&inputs, &cfg, None).unwrap());
        let written = written.unwrap();
        assert!(written[0].to_string_lossy().contains(NULL_PARTITION));
        let merged = tmp.path().join("merged");
        let outcome = merge_into(&merged, read_partials(&[parts]).unwrap()).unwrap();
        assert_eq!(outcome.summary.lines.lines_rejected, 1);
        assert_eq!(outcome.summary.requests, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        /// Partials merged in any grouping and order give the dataset one ingest gives.
        #[test]
        fn any_grouping_of_partials_gives_one_dataset(
            n in 1usize..150,
            cuts in proptest::collection::vec(0usize..150, 0..4),
            groups in proptest::collection::vec(0usize..3, 5),
            reverse in any::<bool>(),
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let all = lines(n);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (n + 1)).collect();
            cuts.extend([0, n]);
            cuts.sort_unstable();
            cuts.dedup();
            let chunks: Vec<Vec<String>> =
                cuts.windows(2).map(|w| all[w[0]..w[1]].to_vec()).collect();
            let inputs = write_logs(tmp.path(), &chunks);
            let cfg = IngestConfig::default();
            let single = tmp.path().join("single");
            ingest_into(&single, &inputs, &cfg).unwrap();

            // Each input's partial goes to one of three folders; the folders are merged
            // one after another, in either order.
            let mut folders: Vec<PathBuf> =
                (0..3).map(|g| tmp.path().join(format!("g{g}"))).collect();
            for (i, input) in inputs.iter().enumerate() {
                let p = partials_of(std::slice::from_ref(input), &cfg, None).unwrap();
                write_partials(&folders[groups[i % groups.len()]], p).unwrap();
            }
            if reverse {
                folders.reverse();
            }
            let merged = tmp.path().join("merged");
            for folder in folders.iter().filter(|f| f.exists()) {
                merge_into(&merged, read_partials(std::slice::from_ref(folder)).unwrap()).unwrap();
            }
            prop_assert_eq!(contents(&merged), contents(&single));
        }
    }
}
