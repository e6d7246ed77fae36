//! The on-disk dataset: day-partitioned Parquet tables, a manifest, and `summary.json`.
//!
//! Layout under the dataset folder (hive partitioning, one folder per UTC day):
//! - `minutes/date=YYYY-MM-DD/<generation>.parquet`: one row per minute with traffic:
//!   `minute` (Datetime ms, UTC) and Int64 counters;
//! - `hours/date=…/<generation>.parquet`: `hour`, and HLL (`visitors_hll`, `hosts_hll`,
//!   lgK 12, HLL_8) and KLL (`durations_ms_kll`, k 1000) sketches as binary;
//! - `days/date=…/<generation>.parquet`: `day`, frequent-items sketches of paths and
//!   user agents as binary;
//! - `manifest.json`: every ingested input (name, size, content hash, line counts) and the
//!   generation of each day's files;
//! - `summary.json`: the [`Summary`] of everything in the manifest.
//!
//! Commit protocol: new day files get a new generation name, then `manifest.json` is
//! replaced by rename. The rename is the commit: a run killed before it leaves files no
//! manifest names (removed by the next run), never a half-counted dataset. A writer holds
//! an exclusive lock on `.lock` from reading the manifest to writing the summary, so two
//! ingests into one folder run one after the other and both count. `summary.json` records
//! the hash of the manifest it describes and is rebuilt when that no longer matches (a
//! run killed between the manifest's rename and the summary's).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use datasketches::frequencies::FrequentItemsSketch;
use datasketches::hll::HllSketch;
use datasketches::kll::KllSketch;
use polars::prelude::*;
use polars_lazy::frame::{IntoLazy, LazyFrame};
use serde::{Deserialize, Serialize};

use crate::ingest::{FileReport, IngestConfig, LineCounts, ingest_hashing};
use crate::input::{Input, fingerprint};
use crate::rollup::{DaySketches, HourSketches, MinuteCounts, Rollups};
use crate::summary::{Summary, SummaryBuilder};
use crate::{Error, Result};
use headroom_logformat::time::{DAY, days_from_civil, format_date};

/// File name of the manifest inside a dataset.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the summary inside a dataset.
pub const SUMMARY_FILE: &str = "summary.json";
/// The three tables, each a folder of day partitions.
pub const TABLES: [&str; 3] = ["minutes", "hours", "days"];

/// One ingested input, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Size in bytes as read (compressed size for compressed files).
    pub size: u64,
    /// xxh3-128 of the input's bytes as read, hex.
    pub xxh3_128: String,
    /// What the input contributed.
    #[serde(flatten)]
    pub report: FileReport,
}

/// The dataset's table of contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Ingested inputs, in ingest order.
    pub inputs: Vec<ManifestEntry>,
    /// Generation of each day's files, by `YYYY-MM-DD`.
    pub partitions: BTreeMap<String, u64>,
}

/// What an ingest into a dataset did.
#[derive(Debug, Clone, Default)]
pub struct IngestOutcome {
    /// Inputs added to the dataset.
    pub added: Vec<FileReport>,
    /// Inputs left out, with the reason (already ingested).
    pub skipped: Vec<(String, String)>,
    /// Summary of the whole dataset after the ingest.
    pub summary: Summary,
}

/// Ingests inputs into the dataset at `dir`, adding to what is there. An input whose
/// content was ingested before (same size and hash) is skipped and reported.
pub fn ingest_into(dir: &Path, inputs: &[Input], config: &IngestConfig) -> Result<IngestOutcome> {
    let _lock = lock(dir)?;
    let manifest = read_manifest(dir)?;
    let mut outcome = IngestOutcome::default();
    // Only a file with the size of one already in the dataset, or of another in this
    // run, can be a copy: those are hashed first, and skipped when they are one. Every
    // other file is hashed in the same read as its lines, so it is read once.
    let sizes = inputs
        .iter()
        .map(|input| match input {
            Input::File(path) => fs::metadata(path)
                .map(|m| Some(m.len()))
                .map_err(|source| io_error(path, source)),
            Input::Stdin => Ok(None),
        })
        .collect::<Result<Vec<_>>>()?;
    // How many of the dataset's and this run's files have each size (a manifest holds a
    // file per server and hour: hundreds of thousands a month).
    let mut by_size: HashMap<u64, usize> = HashMap::new();
    for size in manifest
        .inputs
        .iter()
        .map(|e| e.size)
        .chain(sizes.iter().flatten().copied())
    {
        *by_size.entry(size).or_default() += 1;
    }
    // (size, hash, name) of everything in the dataset or already taken in this run.
    let mut known: Vec<(u64, String, String)> = manifest
        .inputs
        .iter()
        .map(|e| (e.size, e.xxh3_128.clone(), e.report.input.clone()))
        .collect();
    let mut fresh = Vec::new();
    let mut early = Vec::new();
    let mut hash_later = Vec::new();
    for (k, input) in inputs.iter().enumerate() {
        let later = sizes[k].is_some_and(|size| by_size[&size] == 1);
        let fp = if later { None } else { fingerprint(input)? };
        if let Some((size, hash)) = &fp {
            if let Some((_, _, seen)) = known.iter().find(|(s, h, _)| s == size && h == hash) {
                let why = format!("already ingested (same content as {seen})");
                outcome.skipped.push((input.name(), why));
                continue;
            }
            known.push((*size, hash.clone(), input.name()));
        }
        fresh.push(input.clone());
        early.push(fp);
        hash_later.push(later);
    }
    if fresh.is_empty() {
        // Nothing new: the dataset is left exactly as it was.
        outcome.summary = fresh_summary(dir, &manifest)?;
        return Ok(outcome);
    }
    // Days a unit of work has left behind are written as they leave (a backfill of a
    // year need not hold the year), under names no manifest will hold; the commit
    // merges each day's parts and writes the day's files.
    let generation = next_generation(&manifest);
    let spilled = Mutex::new(Vec::new());
    let written = AtomicU64::new(0);
    // Into a dataset with no days, the days one unit of work writes come in date order
    // (a time-ordered log on one thread; a backfill above all): the summary takes each as
    // it leaves, rather than reading it back after the commit.
    let early_summary = Mutex::new(manifest.partitions.is_empty().then(EarlySummary::default));
    let spill = |unit: usize, days: Rollups| -> Result<()> {
        for (day_s, day) in days.into_days() {
            let n = written.fetch_add(1, Ordering::Relaxed);
            write_named(dir, &format_date(day_s), &spill_name(generation, n), &day)?;
            spilled
                .lock()
                .expect("no spill panics holding the lock")
                .push(Spilled { day_s, unit, n });
            let mut summary = early_summary
                .lock()
                .expect("no summary panics holding the lock");
            if summary.as_mut().is_some_and(|e| !e.add(unit, day_s, &day)) {
                *summary = None;
            }
        }
        Ok(())
    };
    let each = ingest_hashing(&fresh, config, &hash_later, Some(&spill))?;
    let spilled = spilled.into_inner().expect("no spill panicked");
    let early_summary = early_summary.into_inner().expect("no summary panicked");
    let mut rollups = Rollups::default();
    let mut entries = Vec::with_capacity(fresh.len());
    for (fp, (r, report, late)) in early.into_iter().zip(each) {
        let (size, xxh3_128) = fp.or(late).unwrap_or((0, "-".to_owned()));
        rollups.absorb(r);
        outcome.added.push(report.clone());
        entries.push(ManifestEntry {
            size,
            xxh3_128,
            report,
        });
    }
    let threads = config.worker_threads();
    outcome.summary = commit(
        dir,
        manifest,
        rollups,
        spilled,
        early_summary,
        entries,
        threads,
    )?;
    Ok(outcome)
}

/// The summary of the days one unit of work wrote early, each added as it was written,
/// in date order; [`commit`] uses it only where those days are the dataset's first and
/// each is whole (written once, by that unit alone, and nowhere else in the ingest).
#[derive(Default)]
pub(crate) struct EarlySummary {
    builder: SummaryBuilder,
    unit: Option<usize>,
    last_day: Option<i64>,
}

impl EarlySummary {
    /// Adds a day `unit` wrote; false (adding nothing) where it is another unit's or not
    /// after the days added before, which ends the early summary.
    fn add(&mut self, unit: usize, day_s: i64, day: &Rollups) -> bool {
        if self.unit.is_some_and(|u| u != unit) || self.last_day.is_some_and(|l| day_s <= l) {
            return false;
        }
        (self.unit, self.last_day) = (Some(unit), Some(day_s));
        self.builder.add(day);
        true
    }

    /// The summary and the date of its last day, where the commit leaves those days as
    /// they were added: the dataset had no days, every day written early is up to the
    /// last and in one part, and every day after it is held in memory alone (the parts
    /// are renamed into place; the days after are the ones the commit keeps).
    fn usable(
        self,
        manifest: &Manifest,
        parts: &BTreeMap<i64, Vec<(usize, u64)>>,
        memory: &BTreeMap<i64, Rollups>,
    ) -> Option<(SummaryBuilder, String)> {
        let last = self.last_day?;
        (manifest.partitions.is_empty()
            && parts.iter().all(|(d, p)| *d <= last && p.len() == 1)
            && memory.keys().all(|d| *d > last))
        .then(|| (self.builder, format_date(last)))
    }
}

/// A day's part an ingest wrote before its commit: which day, from which unit of
/// work, under which [`spill_name`] number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spilled {
    day_s: i64,
    unit: usize,
    n: u64,
}

/// A day a commit writes: its date, the parts written before (unit, number) in unit
/// order, and what memory holds of it.
type DayJob = (String, Vec<(usize, u64)>, Mutex<Option<Rollups>>);

fn next_generation(manifest: &Manifest) -> u64 {
    manifest.partitions.values().copied().max().unwrap_or(0) + 1
}

/// Adds rollups (and the parts of days an ingest wrote before, `spilled`) and the inputs
/// they came from to the dataset at `dir`: touched days are rewritten under a new
/// generation (by up to `threads` threads), then the manifest's rename commits them all.
/// The summary starts from `early` where it holds the dataset's first days whole.
pub(crate) fn commit(
    dir: &Path,
    mut manifest: Manifest,
    rollups: Rollups,
    spilled: Vec<Spilled>,
    early: Option<EarlySummary>,
    entries: Vec<ManifestEntry>,
    threads: usize,
) -> Result<Summary> {
    let generation = next_generation(&manifest);
    let mut parts: BTreeMap<i64, Vec<(usize, u64)>> = BTreeMap::new();
    for s in spilled {
        parts.entry(s.day_s).or_default().push((s.unit, s.n));
    }
    let mut memory = rollups.into_days();
    let early = early.and_then(|e| e.usable(&manifest, &parts, &memory));
    let dates: BTreeSet<i64> = memory.keys().chain(parts.keys()).copied().collect();
    let jobs: Vec<DayJob> = dates
        .into_iter()
        .map(|d| {
            let mut written = parts.remove(&d).unwrap_or_default();
            written.sort_unstable();
            (format_date(d), written, Mutex::new(memory.remove(&d)))
        })
        .collect();
    // Each day: its written parts, then memory's, then the dataset's own, merged and
    // written. A day held whole in memory is kept for the summary; the others are read
    // back one at a time when it is built.
    let kept = crate::ingest::in_parallel(jobs.len(), threads, |k| {
        let (date, written, memory) = &jobs[k];
        let memory = memory.lock().expect("one job per day").take();
        let old = manifest.partitions.get(date).copied();
        if let ([(_, n)], None, None) = (written.as_slice(), &memory, old) {
            // The whole day in one part: its files are the day's files. (Reading and
            // writing them again doubled a 400-day backfill's CPU time.)
            for table in TABLES {
                let from = named_file(dir, table, date, &spill_name(generation, *n));
                let to = table_file(dir, table, date, generation);
                fs::rename(&from, &to).map_err(|source| io_error(&to, source))?;
            }
            sync_day_dirs(dir, date)?;
            return Ok(None);
        }
        let mut day = Rollups::default();
        for &(_, n) in written {
            day.absorb(read_named(dir, date, &spill_name(generation, n))?);
        }
        if let Some(m) = memory {
            day.absorb(m);
        }
        if let Some(old) = old {
            day.absorb(read_partition(dir, date, old)?);
        }
        write_partition(dir, date, generation, &day)?;
        sync_day_dirs(dir, date)?;
        Ok(written.is_empty().then_some(day))
    })?;
    // The day folders' renames are durable (each job synced its folders); the table
    // folders, which hold any new day's folder, and the dataset folder follow, all before
    // the manifest that names them. No day, no table folder.
    if !jobs.is_empty() {
        for table in TABLES {
            sync_dir(&dir.join(table))?;
        }
    }
    sync_dir(dir)?;
    let days = jobs
        .into_iter()
        .zip(kept)
        .map(|((date, ..), day)| (date, day));
    let mut written = BTreeMap::new();
    for (date, day) in days {
        manifest.partitions.insert(date.clone(), generation);
        if let Some(day) = day {
            written.insert(date, day);
        }
    }
    manifest.inputs.extend(entries);
    let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    crash_point("day-files");
    write_atomic(&dir.join(MANIFEST_FILE), &json)?;
    crash_point("manifest");
    remove_unreferenced(dir, &manifest)?;
    // The summary takes the dataset a day at a time, in date order: the days just
    // written from memory, the others read back one by one and dropped.
    write_summary(
        dir,
        &manifest,
        threads,
        early,
        |date, generation| match written.remove(date) {
            Some(day) => Ok(day),
            None => read_partition(dir, date, generation),
        },
    )
}

/// Environment variable naming a point of the commit at which the process aborts, for
/// the tests that kill a real ingest there (`day-files`: new day files written, the
/// manifest not yet renamed; `manifest`: renamed, the summary not yet written).
pub const CRASH_AT_ENV: &str = "HEADROOM_CRASH_AT";

/// Aborts the process, as a kill would, when [`CRASH_AT_ENV`] names `point`.
fn crash_point(point: &str) {
    if std::env::var_os(CRASH_AT_ENV).is_some_and(|v| v == point) {
        eprintln!("{CRASH_AT_ENV}={point}: aborting inside the commit");
        std::process::abort();
    }
}

/// Reads every table of a dataset back into rollups.
pub fn read_rollups(dir: &Path) -> Result<Rollups> {
    let manifest = read_manifest(dir)?;
    if manifest.partitions.is_empty() && !dir.join(MANIFEST_FILE).exists() {
        return Err(not_a_dataset(dir));
    }
    let mut rollups = Rollups::default();
    for (date, &generation) in &manifest.partitions {
        rollups.absorb(read_partition(dir, date, generation)?);
    }
    Ok(rollups)
}

/// One of the dataset's tables (`minutes`, `hours` or `days`) as a polars `LazyFrame`,
/// for other crates and notebooks: the committed day files only (the generation the
/// manifest names for each day; files of a killed run are left out, which a glob over
/// the folders would not do), with the partition's `date` (`YYYY-MM-DD`) as the first
/// column, as hive readers give it. The day files are read when this is called; a
/// month of minutes is 43,200 rows.
pub fn scan_table(dir: &Path, table: &str) -> Result<LazyFrame> {
    let empty = match table {
        "minutes" => minutes_frame(&Rollups::default()),
        "hours" => hours_frame(&Rollups::default()),
        "days" => days_frame(&Rollups::default()),
        _ => {
            return Err(Error::Input {
                path: dir.join(table),
                reason: format!("no such table; a dataset has {}", TABLES.join(", ")),
            });
        }
    };
    if !dir.join(MANIFEST_FILE).exists() {
        return Err(not_a_dataset(dir));
    }
    let mut all = empty.map_err(|source| parquet_error(&dir.join(table), source))?;
    all.insert_column(0, Column::new("date".into(), Vec::<String>::new()))
        .map_err(|source| parquet_error(&dir.join(table), source))?;
    for (date, &generation) in &read_manifest(dir)?.partitions {
        let path = table_file(dir, table, date, generation);
        let mut day = read_frame(&path)?;
        let dates = vec![date.as_str(); day.height()];
        day.insert_column(0, Column::new("date".into(), dates))
            .and_then(|day| all.vstack_mut(day).map(drop))
            .map_err(|source| parquet_error(&path, source))?;
    }
    all.rechunk_mut();
    Ok(all.lazy())
}

pub(crate) fn not_a_dataset(dir: &Path) -> Error {
    Error::Input {
        path: dir.to_owned(),
        reason: "not a headroom dataset (no manifest.json); create one with `headroom ingest`"
            .to_owned(),
    }
}

/// Reads the manifest; an absent one is an empty dataset.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| Error::Json { path, source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(source) => Err(Error::Io { path, source }),
    }
}

/// Reads `summary.json` of a dataset. A dataset merged elsewhere (by Spark, see
/// `scripts/spark/merge.py`) has tables and a manifest but no summary yet: it is computed
/// from them and written, once.
pub fn read_summary(dir: &Path) -> Result<Summary> {
    if !dir.join(MANIFEST_FILE).exists() {
        let path = dir.join(SUMMARY_FILE);
        let bytes = fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        return serde_json::from_slice(&bytes).map_err(|source| Error::Json { path, source });
    }
    let manifest = read_manifest(dir)?;
    if let Some(summary) = stored_summary(dir, &manifest) {
        return Ok(summary);
    }
    // Stale or missing: rebuild it under the writers' lock, from the manifest then.
    let _lock = lock(dir)?;
    let manifest = read_manifest(dir)?;
    fresh_summary(dir, &manifest)
}

/// The stored summary when it describes `manifest`; None when it is missing, unreadable
/// or of another manifest.
pub(crate) fn stored_summary(dir: &Path, manifest: &Manifest) -> Option<Summary> {
    let bytes = fs::read(dir.join(SUMMARY_FILE)).ok()?;
    let summary: Summary = serde_json::from_slice(&bytes).ok()?;
    (summary.manifest_xxh3 == manifest_hash(manifest)).then_some(summary)
}

/// The summary of `manifest`: the stored one when it matches, else rebuilt from the
/// tables and written. The caller holds the lock.
pub(crate) fn fresh_summary(dir: &Path, manifest: &Manifest) -> Result<Summary> {
    match stored_summary(dir, manifest) {
        Some(summary) => Ok(summary),
        None => summarize(dir, manifest),
    }
}

/// xxh3-128 (hex) of the manifest as written: what a summary says it describes.
fn manifest_hash(manifest: &Manifest) -> String {
    let json = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&json))
}

/// Creates the dataset folder and takes the writers' exclusive lock on its `.lock`
/// file, waiting while another writer holds it; released when the file is dropped
/// (and by the OS when a writer dies). Refuses a folder whose day files have lost
/// their manifest, which a write would otherwise clear as leftovers.
pub(crate) fn lock(dir: &Path) -> Result<File> {
    fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    let path = dir.join(".lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| io_error(&path, source))?;
    file.lock().map_err(|source| io_error(&path, source))?;
    // Under the lock no writer is mid-write: a temporary file here (`.summary.json.tmp-PID`)
    // is a killed run's, and goes.
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_temp_name(&name) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    if !dir.join(MANIFEST_FILE).exists() && has_day_files(dir) {
        return Err(Error::Input {
            path: dir.to_path_buf(),
            reason: format!(
                "holds day files but no {MANIFEST_FILE}: refusing to write (it would delete them as leftovers); restore the manifest, or ingest into a new folder"
            ),
        });
    }
    Ok(file)
}

/// Whether any table holds a day file: a file other than a killed ingest's early-written
/// parts ([`spill_name`]) or temporary files, which no manifest ever names.
fn has_day_files(dir: &Path) -> bool {
    let committed = |f: &fs::DirEntry| {
        let name = f.file_name().to_string_lossy().into_owned();
        !(is_temp_name(&name) || is_spill_name(&name))
    };
    TABLES.iter().any(|table| {
        fs::read_dir(dir.join(table)).is_ok_and(|days| {
            days.flatten().any(|d| {
                fs::read_dir(d.path()).is_ok_and(|mut f| f.any(|f| f.is_ok_and(|f| committed(&f))))
            })
        })
    })
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_sibling(path);
    let mut file = File::create(&tmp).map_err(|source| io_error(&tmp, source))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| io_error(&tmp, source))?;
    fs::rename(&tmp, path).map_err(|source| io_error(path, source))?;
    // The rename itself durable: the commit removes the files the old manifest named
    // right after this, and a power cut must not bring that manifest back without them.
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => sync_dir(parent),
        _ => sync_dir(Path::new(".")),
    }
}

/// Syncs a day's folder in every table: the renames of its files into place.
fn sync_day_dirs(dir: &Path, date: &str) -> Result<()> {
    for table in TABLES {
        sync_dir(&dir.join(table).join(format!("date={date}")))?;
    }
    Ok(())
}

/// Makes a directory's entries (files renamed or created in it) durable. Only Unix can
/// open a directory to sync it; elsewhere this does nothing.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| io_error(dir, source))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Recomputes the summary from the manifest and the tables, and writes it.
fn summarize(dir: &Path, manifest: &Manifest) -> Result<Summary> {
    write_summary(
        dir,
        manifest,
        crate::ingest::default_threads(),
        None,
        |date, generation| read_partition(dir, date, generation),
    )
}

/// Writes the summary of a dataset, taking each of its days from `day` (date,
/// generation) in date order, so that no more than a few are held at a time; or, given
/// `start` (a summary of the days up to a date), the days after that date. With more
/// than one thread the days are read on a thread of their own, a day ahead of the one
/// being added: a daily ingest into a long history spends most of its time reading every
/// day back, and the adding (sketch unions) then runs beside the reading.
fn write_summary(
    dir: &Path,
    manifest: &Manifest,
    threads: usize,
    start: Option<(SummaryBuilder, String)>,
    mut day: impl FnMut(&str, u64) -> Result<Rollups> + Send,
) -> Result<Summary> {
    let mut lines = LineCounts::default();
    for e in &manifest.inputs {
        lines.merge(&e.report.lines);
    }
    let files = manifest.inputs.iter().map(|e| e.report.clone()).collect();
    let (mut builder, after) = start.unwrap_or_default();
    let partitions: Vec<(&str, u64)> = manifest
        .partitions
        .iter()
        .filter(|(date, _)| **date > after)
        .map(|(date, &generation)| (date.as_str(), generation))
        .collect();
    if threads > 1 && partitions.len() > 1 {
        std::thread::scope(|s| {
            let (days, read) = std::sync::mpsc::sync_channel(1);
            let partitions = &partitions;
            s.spawn(move || {
                for &(date, generation) in partitions {
                    let one = day(date, generation);
                    let failed = one.is_err();
                    // A closed channel: the adder stopped at an error of its own.
                    if days.send(one).is_err() || failed {
                        break;
                    }
                }
            });
            // Dropping `read` at an error stops the reader at its next send.
            read.into_iter()
                .try_for_each(|one| one.map(|d| builder.add(&d)))
        })?;
    } else {
        for (date, generation) in partitions {
            builder.add(&day(date, generation)?);
        }
    }
    let mut summary = builder.finish(&lines, files);
    summary.manifest_xxh3 = manifest_hash(manifest);
    let json = serde_json::to_vec_pretty(&summary).expect("summary serialises");
    write_atomic(&dir.join(SUMMARY_FILE), &json)?;
    Ok(summary)
}

pub(crate) fn table_file(dir: &Path, table: &str, date: &str, generation: u64) -> PathBuf {
    named_file(dir, table, date, &day_file_name(generation))
}

/// The name of a day's files in `generation`, the ones a manifest names.
fn day_file_name(generation: u64) -> String {
    format!("g{generation:06}.parquet")
}

fn named_file(dir: &Path, table: &str, date: &str, name: &str) -> PathBuf {
    dir.join(table).join(format!("date={date}")).join(name)
}

/// The name of the `n`th set of day files a run of `generation` wrote before its commit
/// (days the ingest had left behind): no manifest names them, so a killed run's are
/// removed by the next commit like any unreferenced file.
fn spill_name(generation: u64, n: u64) -> String {
    format!("s{generation:06}-{n:06}.parquet")
}

fn is_spill_name(name: &str) -> bool {
    name.strip_prefix('s')
        .and_then(|rest| rest.strip_suffix(".parquet"))
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(g, n)| {
            [g, n]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

fn write_partition(dir: &Path, date: &str, generation: u64, day: &Rollups) -> Result<()> {
    write_named(dir, date, &day_file_name(generation), day)
}

fn write_named(dir: &Path, date: &str, name: &str, day: &Rollups) -> Result<()> {
    let frames = [minutes_frame(day), hours_frame(day), days_frame(day)];
    for (table, frame) in TABLES.iter().zip(frames) {
        let path = named_file(dir, table, date, name);
        let parent = path
            .parent()
            .expect("table files sit in a partition folder");
        fs::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
        let mut df = frame.map_err(|source| parquet_error(&path, source))?;
        let tmp = temp_sibling(&path);
        let mut file = buffered(&tmp)?;
        write_day_table(&mut df, &mut file).map_err(|source| parquet_error(&path, source))?;
        // On disk before the manifest can name it: a power cut after the commit must
        // not leave a manifest pointing at a file whose bytes never left the cache.
        file.flush()
            .and_then(|()| file.get_ref().sync_data())
            .map_err(|source| io_error(&tmp, source))?;
        fs::rename(&tmp, &path).map_err(|source| io_error(&path, source))?;
    }
    Ok(())
}

/// A day's table as a Parquet file of one row group (a day is at most 1,440 rows),
/// written by polars-parquet's writer with polars' own encodings, except that binary
/// columns (the sketches' images) are written plain. For every binary column polars
/// estimates the number of distinct values (hashing each image) and, below 128 rows,
/// builds a dictionary of them (hashing each again) for values that never repeat: 2% of
/// a 1 M-line, 28-day ingest. The columns are encoded on this thread: the ingest's own
/// threads write days side by side, and polars' pool, handed kilobyte-sized columns, spun
/// and yielded around them (3,400 yields, a twentieth of the CPU of a 28-day ingest).
fn write_day_table(df: &mut DataFrame, out: &mut impl Write) -> PolarsResult<()> {
    use polars_parquet::write::{
        Encoding, FileWriter, RowGroupIterator, StatisticsOptions, Version, WriteOptions,
        get_dtype_encoding,
    };
    df.rechunk_mut();
    let schema = df.schema().to_arrow(CompatLevel::newest());
    let encodings = schema
        .iter_values()
        .map(|field| match field.dtype() {
            ArrowDataType::BinaryView | ArrowDataType::LargeBinary | ArrowDataType::Binary => {
                vec![Encoding::Plain]
            }
            dtype => get_dtype_encoding(dtype),
        })
        .collect();
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        version: Version::V1,
        compression: DAY_FILE_COMPRESSION,
        data_page_size: None,
    };
    let batches: Vec<_> = df
        .iter_chunks(CompatLevel::newest(), false)
        .filter(|batch| !batch.is_empty())
        .collect();
    let rows: Vec<u64> = batches.iter().map(|batch| batch.len() as u64).collect();
    let groups =
        RowGroupIterator::try_new(batches.into_iter().map(Ok), &schema, options, encodings)?;
    let mut writer = FileWriter::try_new(out, schema, options)?;
    for (group, rows) in groups.zip(rows) {
        writer.write(rows, group?)?;
    }
    writer.end(None)?;
    Ok(())
}

/// A new file at `path` behind a write buffer, for polars' Parquet writer: it writes
/// each page header, page and footer field on its own (97,503 writes, a system call
/// each, for the 2.6 MB of day files a 28-day ingest leaves; an eighth of its CPU time).
/// The caller flushes it, so a failed write is an error rather than lost on drop.
pub(crate) fn buffered(path: &Path) -> Result<io::BufWriter<File>> {
    File::create(path)
        .map(|f| io::BufWriter::with_capacity(1 << 16, f))
        .map_err(|source| io_error(path, source))
}

/// Day files are compressed with LZ4 (raw blocks), not zstd. polars' reader creates a
/// zstd decompression context for every column chunk it reads (about 9 µs each, 21 per
/// day), and every ingest rebuilds the summary by reading every day back: a context
/// per column was a fifth of the CPU time of a small ingest into a 400-day dataset.
/// LZ4 needs none: that ingest fell from 0.38 to 0.26 CPU-s, a fresh 28-day ingest of
/// 1 M lines from 0.43 to 0.39, for files 19% larger over 400 days (23.2 -> 27.7 MB) and
/// 51% larger over 28 busy ones (2.5 -> 3.8 MB). (zstd had been at level 1, not 3, for
/// the same reason on the writing side.) Files written with zstd before read as ever.
const DAY_FILE_COMPRESSION: polars_parquet::write::CompressionOptions =
    polars_parquet::write::CompressionOptions::Lz4Raw;

pub(crate) fn utc_ms(name: &str, seconds: Vec<i64>) -> PolarsResult<Column> {
    let ms: Vec<i64> = seconds.into_iter().map(|s| s * 1000).collect();
    Column::new(name.into(), ms).cast(&DataType::Datetime(
        TimeUnit::Milliseconds,
        Some(TimeZone::UTC),
    ))
}

fn minutes_frame(day: &Rollups) -> PolarsResult<DataFrame> {
    let rows: Vec<(i64, [i64; 13])> = day.iter().map(|(m, c)| (m, c.to_array())).collect();
    let mut columns = vec![utc_ms("minute", rows.iter().map(|(m, _)| *m).collect())?];
    for (i, name) in MinuteCounts::COLUMNS.iter().enumerate() {
        let values: Vec<i64> = rows.iter().map(|(_, v)| v[i]).collect();
        columns.push(Column::new((*name).into(), values));
    }
    DataFrame::new_infer_height(columns)
}

fn binary(name: &str, values: Vec<Vec<u8>>) -> Column {
    let slices: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    Column::new(name.into(), slices)
}

fn hours_frame(day: &Rollups) -> PolarsResult<DataFrame> {
    let rows: Vec<(i64, &HourSketches)> = day.hours().collect();
    DataFrame::new_infer_height(vec![
        utc_ms("hour", rows.iter().map(|(h, _)| *h).collect())?,
        binary(
            "visitors_hll",
            rows.iter().map(|(_, s)| s.visitors.serialize()).collect(),
        ),
        binary(
            "hosts_hll",
            rows.iter().map(|(_, s)| s.hosts.serialize()).collect(),
        ),
        binary(
            "durations_ms_kll",
            rows.iter()
                .map(|(_, s)| s.durations_ms.serialize())
                .collect(),
        ),
    ])
}

fn days_frame(day: &Rollups) -> PolarsResult<DataFrame> {
    let rows: Vec<(i64, &DaySketches)> = day.days().collect();
    DataFrame::new_infer_height(vec![
        utc_ms("day", rows.iter().map(|(d, _)| *d).collect())?,
        binary(
            "paths_frequent",
            rows.iter().map(|(_, s)| s.paths.serialize()).collect(),
        ),
        binary(
            "user_agents_frequent",
            rows.iter().map(|(_, s)| s.agents.serialize()).collect(),
        ),
    ])
}

pub(crate) fn read_frame(path: &Path) -> Result<DataFrame> {
    let bytes = fs::read(path).map_err(|source| io_error(path, source))?;
    let bytes = polars_buffer::Buffer::from(bytes);
    // polars' reader trusts a file's headers: it allocates by their counts (an abort,
    // which nothing can catch, when one is damaged into a huge number) and panics on
    // other damage (a flipped byte in a header, property-tested). So the counts are
    // checked first, and a panic in either step is caught: a damaged file is an error
    // naming it.
    let damaged = |reason: String| Error::Input {
        path: path.to_owned(),
        reason: format!("damaged Parquet file ({reason})"),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::pages::check_counts(&bytes).map(|()| {
            // On the calling thread: a day file's columns are a few kilobytes each,
            // and handing them to polars' pool cost more than decoding them (its
            // threads yielding and waking took a sixth of the CPU time of a small
            // ingest's summary rebuild over 400 days).
            ParquetReader::new(std::io::Cursor::new(bytes))
                .read_parallel(ParallelStrategy::None)
                .finish()
        })
    }))
    .map_err(|panic| {
        damaged(format!(
            "the reader gave up: {}",
            panic_text(panic.as_ref())
        ))
    })?
    .map_err(damaged)?
    .map_err(|source| parquet_error(path, source))
}

/// A caught panic's message.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

pub(crate) fn read_partition(dir: &Path, date: &str, generation: u64) -> Result<Rollups> {
    read_named(dir, date, &day_file_name(generation))
}

fn read_named(dir: &Path, date: &str, name: &str) -> Result<Rollups> {
    let mut rollups = Rollups::default();
    let path = named_file(dir, "minutes", date, name);
    let df = read_frame(&path)?;
    let minutes = times(&df, "minute", &path)?;
    outside_the_day(&minutes, date, "minute", &path)?;
    let counters: Vec<Vec<i64>> = MinuteCounts::COLUMNS
        .iter()
        .map(|name| int_column(&df, name, &path))
        .collect::<Result<_>>()?;
    for (i, &minute) in minutes.iter().enumerate() {
        let values = std::array::from_fn(|c| counters[c][i]);
        let counts = MinuteCounts::from_array(values);
        if let Some(reason) = inconsistent(&counts) {
            return Err(Error::Input {
                path,
                reason: format!("row {}: {reason} (a damaged file?)", i + 1),
            });
        }
        if rollups.minutes.contains(minute) {
            return Err(Error::Input {
                path,
                reason: format!("row {}: minute {minute} repeats (a damaged file?)", i + 1),
            });
        }
        rollups.insert_minute(minute, counts);
    }
    read_hours(&named_file(dir, "hours", date, name), date, &mut rollups)?;
    read_days(&named_file(dir, "days", date, name), date, &mut rollups)?;
    Ok(rollups)
}

/// A day file's rows all belong to its date: one that does not would be summed into the
/// wrong day, and out of the time order the summary is built in.
fn outside_the_day(times: &[i64], date: &str, what: &str, path: &Path) -> Result<()> {
    // The date is formatted once, for the first row; the others share its UTC day.
    let outside = match times.first() {
        Some(&first) if format_date(first) != date => Some(0),
        Some(&first) => {
            let day = first.div_euclid(DAY);
            times.iter().position(|t| t.div_euclid(DAY) != day)
        }
        None => None,
    };
    match outside {
        None => Ok(()),
        Some(i) => Err(Error::Input {
            path: path.to_owned(),
            reason: format!(
                "row {}: {what} {} is not on {date} (a damaged file?)",
                i + 1,
                headroom_logformat::time::format_rfc3339(times[i])
            ),
        }),
    }
}

/// Why a minute's counters cannot have come from an ingest, if they cannot: every
/// counter is non-negative, the status classes and the kinds each add up to the
/// requests, and no more requests logged a duration than there were.
fn inconsistent(c: &MinuteCounts) -> Option<String> {
    if c.to_array().iter().any(|&v| v < 0) {
        return Some("a negative counter".to_owned());
    }
    let status: i128 = c.status.iter().map(|&v| i128::from(v)).sum();
    let kinds = i128::from(c.pages) + i128::from(c.static_assets) + i128::from(c.bots);
    let requests = i128::from(c.requests);
    if status != requests || kinds != requests || c.duration_count > c.requests {
        return Some(format!(
            "{} requests but {status} by status, {kinds} by kind, {} with a duration",
            c.requests, c.duration_count
        ));
    }
    None
}

/// An integer (or Datetime) column as i64; nulls read as 0.
pub(crate) fn int_column(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<i64>> {
    Ok(optional_ints(df, name, path)?
        .into_iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

/// An integer (or Datetime) column as i64, nulls kept.
pub(crate) fn optional_ints(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<i64>>> {
    let col = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(|e| parquet_error(path, e))?;
    let ca = col.i64().map_err(|e| parquet_error(path, e))?;
    Ok(ca.iter().collect())
}

/// A Datetime column (any unit) as Unix seconds; nulls read as 0.
pub(crate) fn times(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<i64>> {
    Ok(optional_times(df, name, path)?
        .into_iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

/// A Datetime column (any unit) as Unix seconds, nulls kept.
pub(crate) fn optional_times(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Option<i64>>> {
    // Other writers pick other units (Spark: microseconds); the cast converts.
    let utc_ms = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    let col = df
        .column(name)
        .and_then(|c| c.cast(&utc_ms))
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(|e| parquet_error(path, e))?;
    let ca = col.i64().map_err(|e| parquet_error(path, e))?;
    // Logs give four-digit years, and dates as `YYYY-MM-DD` sort in time order only
    // then: a time outside them comes from a damaged file.
    let years = days_from_civil(0, 1, 1) * DAY * 1000..days_from_civil(10_000, 1, 1) * DAY * 1000;
    if let Some(i) = ca
        .iter()
        .position(|v| v.is_some_and(|ms| !years.contains(&ms)))
    {
        return Err(Error::Input {
            path: path.to_owned(),
            reason: format!(
                "row {}: {name} is {} ms from 1970, outside the years 0000 to 9999 (a damaged \
                 file?)",
                i + 1,
                ca.get(i).unwrap_or_default()
            ),
        });
    }
    Ok(ca.iter().map(|v| v.map(|ms| ms.div_euclid(1000))).collect())
}

pub(crate) fn blobs(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<Vec<u8>>> {
    let col = df.column(name).map_err(|e| parquet_error(path, e))?;
    let ca = col.binary().map_err(|e| parquet_error(path, e))?;
    Ok(ca.iter().map(|v| v.unwrap_or_default().to_vec()).collect())
}

pub(crate) fn sketch_error(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Input {
        path: path.to_owned(),
        reason: format!("corrupt {what} sketch: {e}"),
    }
}

/// The largest frequent-items map a table may declare, as a power of two. headroom writes
/// 2^10 ([`crate::rollup::TOP_MAP_SIZE`]) and Spark's merge keeps the size; the library
/// takes up to 2^30 and builds the map before reading a single item, so one damaged size
/// byte asked it for tens of GiB, and a failed allocation aborts.
const LG_LARGEST_FREQUENT_MAP: u8 = 20;

/// A frequent-items sketch from a table's bytes, its declared map size checked first.
pub(crate) fn frequent_items(bytes: &[u8], path: &Path) -> Result<FrequentItemsSketch<String>> {
    // Bytes 3 and 4 of the image: the map's largest and current size, as powers of two.
    if let Some(&lg) = bytes.get(3..5).and_then(|sizes| sizes.iter().max())
        && lg > LG_LARGEST_FREQUENT_MAP
    {
        return Err(sketch_error(
            path,
            "frequent-items",
            format!(
                "its map declares 2^{lg} entries, where headroom writes 2^{}",
                crate::rollup::TOP_MAP_SIZE.ilog2()
            ),
        ));
    }
    FrequentItemsSketch::<String>::deserialize(bytes)
        .map_err(|e| sketch_error(path, "frequent-items", e))
}

fn read_hours(path: &Path, date: &str, rollups: &mut Rollups) -> Result<()> {
    let df = read_frame(path)?;
    let hours = times(&df, "hour", path)?;
    outside_the_day(&hours, date, "hour", path)?;
    let visitors = blobs(&df, "visitors_hll", path)?;
    let hosts = blobs(&df, "hosts_hll", path)?;
    let durations = blobs(&df, "durations_ms_kll", path)?;
    for (i, &h) in hours.iter().enumerate() {
        let hll = |b: &[u8]| HllSketch::deserialize(b).map_err(|e| sketch_error(path, "HLL", e));
        let sketches = HourSketches {
            visitors: hll(&visitors[i])?,
            hosts: hll(&hosts[i])?,
            durations_ms: KllSketch::deserialize(&durations[i])
                .map_err(|e| sketch_error(path, "KLL", e))?,
        };
        rollups.insert_hour(h, sketches);
    }
    Ok(())
}

fn read_days(path: &Path, date: &str, rollups: &mut Rollups) -> Result<()> {
    let df = read_frame(path)?;
    let days = times(&df, "day", path)?;
    outside_the_day(&days, date, "day", path)?;
    let paths = blobs(&df, "paths_frequent", path)?;
    let agents = blobs(&df, "user_agents_frequent", path)?;
    for (i, &d) in days.iter().enumerate() {
        let freq = |b: &[u8]| frequent_items(b, path);
        rollups.insert_day(
            d,
            DaySketches {
                paths: freq(&paths[i])?,
                agents: freq(&agents[i])?,
            },
        );
    }
    Ok(())
}

/// Removes table files the manifest does not name: leftovers of replaced generations
/// and of runs killed before their commit.
fn remove_unreferenced(dir: &Path, manifest: &Manifest) -> Result<()> {
    for file in unreferenced(dir, manifest) {
        fs::remove_file(&file).map_err(|source| io_error(&file, source))?;
    }
    Ok(())
}

/// Day files under the tables that `manifest` does not name (a killed run's).
pub(crate) fn unreferenced(dir: &Path, manifest: &Manifest) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for table in TABLES {
        let Ok(parts) = fs::read_dir(dir.join(table)) else {
            continue;
        };
        for part in parts.flatten() {
            let name = part.file_name().to_string_lossy().into_owned();
            let keep = name
                .strip_prefix("date=")
                .and_then(|date| manifest.partitions.get(date))
                .map(|&g| day_file_name(g));
            let Ok(files) = fs::read_dir(part.path()) else {
                continue;
            };
            out.extend(
                files
                    .flatten()
                    .filter(|f| Some(f.file_name().to_string_lossy().into_owned()) != keep)
                    .map(|f| f.path()),
            );
        }
    }
    out
}

/// Whether a file name is a [`temp_sibling`]'s.
fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

pub(crate) fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

pub(crate) fn parquet_error(path: &Path, source: PolarsError) -> Error {
    Error::Parquet {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::FormatChoice;
    use headroom_logformat::time::format_rfc3339;

    const LINE: &str = r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a.css HTTP/1.1" 200 10 "-" "Mozilla/5.0""#;

    fn write_log(dir: &Path, name: &str, lines: &[String]) -> Input {
        let path = dir.join(name);
        fs::write(&path, lines.join("\n")).unwrap();
        Input::File(path)
    }

    #[test]
    fn sketch_columns_are_written_plain_and_read_back() {
        use polars_parquet::parquet::read::read_metadata;
        use polars_parquet::parquet::schema::types::PhysicalType;
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let lines: Vec<String> = (0..500).map(|k| may_line(17, k, 500)).collect();
        let log = write_log(tmp.path(), "a.log", &lines);
        ingest_into(&ds, &[log], &IngestConfig::default()).unwrap();
        let manifest = read_manifest(&ds).unwrap();
        let generation = manifest.partitions["2015-05-17"];
        for table in ["hours", "days"] {
            let path = table_file(&ds, table, "2015-05-17", generation);
            let meta = read_metadata(&mut File::open(&path).unwrap()).unwrap();
            let columns = meta.row_groups[0].parquet_columns();
            let blobs: Vec<_> = columns
                .iter()
                .filter(|c| c.physical_type() == PhysicalType::ByteArray)
                .collect();
            assert!(!blobs.is_empty(), "{table} has sketch columns");
            // No dictionary: every image is distinct, and building one cost 2% of an ingest.
            assert!(blobs.iter().all(|c| c.dictionary_page_offset().is_none()));
        }
        // What was written reads back: the day's figures from its files.
        let day = read_partition(&ds, "2015-05-17", generation).unwrap();
        let requests: i64 = day.iter().map(|(_, c)| c.requests).sum();
        assert_eq!(requests, 500);
        assert_eq!(day.hours().count(), 24);
        assert!(day.days().all(|(_, d)| !d.paths.is_empty()));
    }

    /// Line `k` of `per_day` on `day` May 2015, spread over the day in time order, with
    /// clients, paths, statuses, sizes and agents that vary with `k`.
    fn may_line(day: u32, k: u32, per_day: u32) -> String {
        format!(
            r#"10.{}.{}.{} - - [{day:02}/May/2015:{:02}:{:02}:{:02} +0000] "GET /p/{} HTTP/1.1" {} {} "-" "agent-{}""#,
            k % 3,
            k % 11,
            k % 199,
            k * 24 / per_day,
            k % 60,
            k % 59,
            (k * 7) % 300,
            [200, 200, 304, 404, 500][(k % 5) as usize],
            100 + k % 1000,
            k % 17,
        )
    }

    /// [`LINE`] once a minute for the first `per_day` minutes of `hour`, on `days` days
    /// from 10 May 2015.
    fn minutes_of_days(days: usize, per_day: usize, hour: u32) -> Vec<String> {
        (0..days * per_day)
            .map(|i| {
                let (day, minute) = (10 + i / per_day, i % per_day);
                LINE.replace(
                    "17/May/2015:10:05:03",
                    &format!("{day}/May/2015:{hour}:{minute:02}:03"),
                )
            })
            .collect()
    }

    /// Day files written by several threads are the ones one thread writes, byte for
    /// byte; and when one day cannot be written the commit fails naming that day's file,
    /// with the manifest as it was.
    #[test]
    fn day_files_written_in_parallel_match_and_fail_whole() {
        let tmp = tempfile::tempdir().unwrap();
        // Seven days, each a few minutes of traffic.
        let log = write_log(tmp.path(), "a.log", &minutes_of_days(7, 50, 10));
        let files = |ds: &Path| -> Vec<(String, Vec<u8>)> {
            let mut out = Vec::new();
            for table in TABLES {
                for day in fs::read_dir(ds.join(table)).unwrap() {
                    for f in fs::read_dir(day.unwrap().path()).unwrap() {
                        let path = f.unwrap().path();
                        let name = path.strip_prefix(ds).unwrap().display().to_string();
                        out.push((name, fs::read(&path).unwrap()));
                    }
                }
            }
            out.sort();
            out
        };
        let ingest = |name: &str, threads: usize| {
            let ds = tmp.path().join(name);
            let cfg = IngestConfig {
                threads,
                ..Default::default()
            };
            (ingest_into(&ds, std::slice::from_ref(&log), &cfg), ds)
        };
        let (one, ds1) = ingest("one", 1);
        let (three, ds3) = ingest("three", 3);
        assert_eq!(one.unwrap().summary.days.len(), 7);
        assert_eq!(three.unwrap().summary.requests, 350);
        let (a, b) = (files(&ds1), files(&ds3));
        assert_eq!(a.len(), 7 * TABLES.len());
        assert!(a == b, "day files differ between 1 and 3 writer threads");

        // A file where the fourth day's hours folder must go.
        let ds = tmp.path().join("broken");
        fs::create_dir_all(ds.join(TABLES[1])).unwrap();
        fs::write(ds.join(TABLES[1]).join("date=2015-05-13"), "in the way").unwrap();
        let (err, _) = ingest("broken", 2);
        let msg = err.unwrap_err().to_string();
        assert!(msg.contains("date=2015-05-13"), "{msg}");
        assert!(!ds.join(MANIFEST_FILE).exists(), "nothing was committed");
    }

    /// Files of a size nothing else has are hashed in the same read as their lines
    /// (whole, compressed, or split across threads with a unit of their own for the
    /// hash); the manifest must hold exactly what a separate full read gives, so that
    /// re-ingesting them is caught. Same-size files are hashed first, and a copy in the
    /// same run is skipped.
    #[test]
    fn hashes_taken_while_reading_are_the_files_hashes() {
        use std::io::Write as _;
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let lines: Vec<String> = (0..2000)
            .map(|i| LINE.replace("10:05:03", &format!("10:{:02}:{:02}", i / 60 % 60, i % 60)))
            .collect();
        let plain = write_log(tmp.path(), "a.log", &lines);
        let split = write_log(tmp.path(), "b.log", &lines[..1500]);
        let gz = tmp.path().join("c.log.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(lines[..700].join("\n").as_bytes()).unwrap();
        fs::write(&gz, e.finish().unwrap()).unwrap();
        let zst = tmp.path().join("d.log.zst");
        let bytes = zstd::encode_all(lines[..300].join("\n").as_bytes(), 1).unwrap();
        fs::write(&zst, bytes).unwrap();
        let copy = tmp.path().join("e.log");
        fs::copy(tmp.path().join("a.log"), &copy).unwrap();
        let inputs = [
            plain,
            split,
            Input::File(gz),
            Input::File(zst),
            Input::File(copy),
        ];
        let cfg = IngestConfig {
            threads: 2,
            split_bytes: 50_000,
            ..Default::default()
        };

        let out = ingest_into(&ds, &inputs, &cfg).unwrap();
        assert_eq!(out.added.len(), 4);
        assert_eq!(out.skipped.len(), 1);
        assert!(out.skipped[0].1.contains("a.log"), "{:?}", out.skipped);
        assert_eq!(out.summary.requests, 2000 + 1500 + 700 + 300);
        let manifest = read_manifest(&ds).unwrap();
        for (entry, input) in manifest.inputs.iter().zip(&inputs) {
            let (size, hash) = fingerprint(input).unwrap().unwrap();
            assert_eq!(
                (entry.size, &entry.xxh3_128),
                (size, &hash),
                "{}",
                input.name()
            );
        }
        let again = ingest_into(&ds, &inputs[1..4], &cfg).unwrap();
        assert_eq!((again.added.len(), again.skipped.len()), (0, 3));
    }

    /// A frequent-items image whose map size was damaged upwards is refused before the
    /// library builds the map (2^30 entries, tens of GiB: an abort).
    #[test]
    fn a_frequent_items_map_size_out_of_reach_is_refused() {
        let mut sketch = FrequentItemsSketch::<String>::new(crate::rollup::TOP_MAP_SIZE).unwrap();
        sketch.update_with_count("/".to_owned(), 3);
        let good = sketch.serialize();
        assert_eq!(good[3], 10, "the image's layout moved: {:?}", &good[..8]);
        let path = Path::new("days.parquet");
        assert_eq!(
            frequent_items(&good, path)
                .unwrap()
                .estimate(&"/".to_owned()),
            3
        );
        let mut damaged = good.clone();
        damaged[3] = 30;
        damaged[4] = 30;
        let err = frequent_items(&damaged, path).unwrap_err().to_string();
        assert!(
            err.contains("days.parquet") && err.contains("2^30"),
            "{err}"
        );
    }

    /// A row dated outside its day file's date (a damaged time) would be summed into
    /// the wrong day: reading the day refuses it, naming the row.
    #[test]
    fn a_day_file_row_from_another_day_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let date = format_date(19_999 * DAY);
        let mut day = Rollups::default();
        day.insert_minute(20_000 * DAY + 60, MinuteCounts::default());
        let name = day_file_name(1);
        write_named(tmp.path(), &date, &name, &day).unwrap();
        let err = read_named(tmp.path(), &date, &name)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 1: minute 2024-10-04T00:01:00Z is not on 2024-10-03"),
            "{err}"
        );
    }

    #[test]
    fn scan_table_reads_the_committed_day_files() {
        use polars_lazy::prelude::{col, lit};
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let a = write_log(
            tmp.path(),
            "a.log",
            &[
                LINE.to_owned(),
                LINE.to_owned(),
                LINE.replace("10:05:03", "11:00:00"),
            ],
        );
        let b = write_log(tmp.path(), "b.log", &[LINE.replace("17/May", "18/May")]);
        ingest_into(&ds, &[a], &IngestConfig::default()).unwrap();
        ingest_into(&ds, &[b], &IngestConfig::default()).unwrap();
        // A day file no manifest names (a killed run's) is not part of the table.
        let manifest = read_manifest(&ds).unwrap();
        let live = table_file(
            &ds,
            "minutes",
            "2015-05-17",
            manifest.partitions["2015-05-17"],
        );
        fs::copy(&live, table_file(&ds, "minutes", "2015-05-17", 99)).unwrap();

        let minutes = scan_table(&ds, "minutes")
            .unwrap()
            .filter(col("requests").gt(lit(0)))
            .select([col("date"), col("minute"), col("requests")])
            .collect()
            .unwrap();
        let dates: Vec<&str> = minutes
            .column("date")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(dates, ["2015-05-17", "2015-05-17", "2015-05-18"]);
        let requests: Vec<i64> = minutes
            .column("requests")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(requests, [2, 1, 1]);
        assert_eq!(
            minutes.column("minute").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        );
        let hours = scan_table(&ds, "hours").unwrap().collect().unwrap();
        assert_eq!(hours.height(), 3);
        assert!(hours.column("visitors_hll").is_ok());
        assert_eq!(
            scan_table(&ds, "days").unwrap().collect().unwrap().height(),
            2
        );

        let err = scan_table(&ds, "weeks").err().unwrap().to_string();
        assert!(err.contains("no such table"), "{err}");
        let err = scan_table(tmp.path(), "minutes").err().unwrap().to_string();
        assert!(err.contains("not a headroom dataset"), "{err}");
    }

    #[test]
    fn ingests_incrementally_and_never_double_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let day1 = write_log(
            tmp.path(),
            "a.log",
            &[LINE.to_owned(), LINE.replace("10:05:03", "11:00:00")],
        );
        let day2 = write_log(tmp.path(), "b.log", &[LINE.replace("17/May", "18/May")]);
        let cfg = IngestConfig::default();

        let first = ingest_into(&ds, std::slice::from_ref(&day1), &cfg).unwrap();
        assert_eq!((first.added.len(), first.summary.requests), (1, 2));
        let again = ingest_into(&ds, &[day1.clone(), day2.clone()], &cfg).unwrap();
        assert_eq!(again.skipped.len(), 1);
        assert!(again.skipped[0].1.starts_with("already ingested"));
        assert_eq!((again.added.len(), again.summary.requests), (1, 3));
        assert_eq!(again.summary.lines.lines_read, 3);
        assert_eq!(again.summary.static_assets, 3);

        let manifest = read_manifest(&ds).unwrap();
        assert_eq!(manifest.partitions.len(), 2);
        let part = table_file(
            &ds,
            "minutes",
            "2015-05-17",
            manifest.partitions["2015-05-17"],
        );
        let df = read_frame(&part).unwrap();
        assert_eq!(
            df.column("minute").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
            "minutes are instants tagged UTC"
        );
        // A day file from a killed run (no manifest names it) is cleaned up, not counted.
        let orphan = table_file(&ds, "minutes", "2015-05-17", 99);
        fs::copy(&part, &orphan).unwrap();
        let third = write_log(tmp.path(), "c.log", &[LINE.replace("17/May", "19/May")]);
        let after = ingest_into(&ds, &[third], &cfg).unwrap();
        assert_eq!(after.summary.requests, 4);
        assert!(!orphan.exists());
        assert_eq!(read_rollups(&ds).unwrap().totals().requests, 4);
        let hours: Vec<f64> = read_rollups(&ds)
            .unwrap()
            .hours()
            .map(|(_, s)| s.visitors.estimate())
            .collect();
        assert_eq!(hours, vec![1.0, 1.0, 1.0, 1.0]);
        // The summary an ingest writes from memory is the one its tables give.
        fs::remove_file(ds.join(SUMMARY_FILE)).unwrap();
        let recomputed = read_summary(&ds).unwrap();
        assert_eq!(recomputed, after.summary);
    }

    /// The summary a commit builds a day at a time (the days it wrote from memory, the
    /// rest read back one by one) is the summary of the whole dataset at once, to the
    /// bit: across a month's end, with durations, and heavy hitters merged over days.
    #[test]
    fn a_summary_built_day_by_day_is_the_whole_dataset_s() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let cfg = IngestConfig {
            format: FormatChoice::from_spec("combined-d").unwrap(),
            ..IngestConfig::default()
        };
        let line = |day: u32, month: &str, k: u32| {
            format!(
                r#"10.0.{}.{} - - [{day:02}/{month}/2015:{:02}:{:02}:07 +0000] "GET /p/{} HTTP/1.1" {} {} "-" "agent-{}" {}"#,
                k % 7,
                k % 251,
                k % 24,
                k % 60,
                (k * k) % 4099,
                [200, 200, 304, 404, 500][(k % 5) as usize],
                100 + k % 1000,
                k % 13,
                1000 + (k * 37) % 90_000,
            )
        };
        // May 26 to June 3, in two inputs ingested apart, so the second commit writes
        // June's days from memory and reads May's back.
        let may: Vec<String> = (26..=31)
            .flat_map(|d| (0..400).map(move |k| (d, k)))
            .map(|(d, k)| line(d, "May", k + d))
            .collect();
        let june: Vec<String> = (1..=3)
            .flat_map(|d| (0..400).map(move |k| (d, k)))
            .map(|(d, k)| line(d, "Jun", k * 3 + d))
            .collect();
        let a = write_log(tmp.path(), "may.log", &may);
        let b = write_log(tmp.path(), "june.log", &june);
        ingest_into(&ds, &[a], &cfg).unwrap();
        let committed = ingest_into(&ds, &[b], &cfg).unwrap().summary;
        assert_eq!(committed.requests, 400 * 9);
        assert_eq!((committed.days.len(), committed.months.len()), (9, 2));
        assert!(committed.durations.is_some());
        // More distinct paths than a sketch keeps: merging the days purges, and a purge
        // depends on the order of the merges.
        assert!(
            committed.top_paths.max_error > 0,
            "{:?}",
            committed.top_paths
        );

        let manifest = read_manifest(&ds).unwrap();
        let rollups = read_rollups(&ds).unwrap();
        // What the rollups say directly, without the summary's code.
        let minute = |m: Option<(i64, MinuteCounts)>| m.map(|(m, _)| format_rfc3339(m));
        assert_eq!(committed.peak_minute, minute(rollups.busiest_minute()));
        let heaviest = rollups.heaviest_minute().unwrap().1.bytes;
        assert_eq!(committed.peak_mbps, heaviest as f64 * 8.0 / 60.0 / 1e6);
        assert_eq!(
            committed.first_minute,
            minute(rollups.iter().next().map(|(m, c)| (m, *c)))
        );
        assert_eq!(
            committed.last_minute,
            minute(rollups.iter().next_back().map(|(m, c)| (m, *c)))
        );
        assert_eq!(committed.status.s5xx, rollups.totals().status[4]);
        assert_eq!(committed.durations.as_ref().unwrap().count, 400 * 9);
        assert_eq!(
            committed.days.iter().map(|d| d.requests).sum::<i64>(),
            400 * 9
        );
        assert_eq!(committed.months[1].requests, 400 * 3);
        let mut whole = Summary::new(&rollups, &committed.lines, committed.files.clone());
        whole.manifest_xxh3 = manifest_hash(&manifest);
        assert_eq!(committed, whole);
        fs::remove_file(ds.join(SUMMARY_FILE)).unwrap();
        assert_eq!(read_summary(&ds).unwrap(), whole);
    }

    /// Day files are written with LZ4; a dataset whose files were written with zstd (as
    /// every dataset was before) reads back to the same summary.
    #[test]
    fn day_files_written_with_zstd_still_read() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let log = write_log(tmp.path(), "a.log", &minutes_of_days(3, 40, 11));
        let summary = ingest_into(&ds, &[log], &IngestConfig::default())
            .unwrap()
            .summary;
        let mut rewritten = 0;
        for table in TABLES {
            for day in fs::read_dir(ds.join(table)).unwrap() {
                for file in fs::read_dir(day.unwrap().path()).unwrap() {
                    let path = file.unwrap().path();
                    let mut df = read_frame(&path).unwrap();
                    ParquetWriter::new(File::create(&path).unwrap())
                        .with_compression(ParquetCompression::Zstd(None))
                        .finish(&mut df)
                        .unwrap();
                    rewritten += 1;
                }
            }
        }
        assert_eq!(rewritten, 3 * TABLES.len());
        // The rebuilt summary reads every table back: minutes, hour sketches, day tops.
        fs::remove_file(ds.join(SUMMARY_FILE)).unwrap();
        assert_eq!(read_summary(&ds).unwrap(), summary);
    }

    /// A backfill writes the days it has left behind before its commit (so it need not
    /// hold them all), and the dataset is the one a single pass gives: days revisited by
    /// late lines, a file split across threads, and a day the dataset already had.
    #[test]
    fn days_written_before_the_commit_add_up_to_one_pass() {
        let tmp = tempfile::tempdir().unwrap();
        let line = |day, k| may_line(day, k, 1500);
        // Twenty days of 1,500 lines in time order (4 MB), then late lines for days 2
        // and 3, long left behind.
        let mut lines: Vec<String> = (1..=20)
            .flat_map(|d| (0..1500).map(move |k| line(d, k)))
            .collect();
        lines.extend((0..50).map(|k| line(2 + k % 2, k * 30 + 1)));
        let log = write_log(tmp.path(), "may.log", &lines);
        let earlier = write_log(tmp.path(), "early.log", &[line(5, 7), line(5, 8)]);

        // The units hand over the days they left behind as they read, and a split
        // file's ranges their last ones too when they end (a finished range held them
        // until the slowest was done); those with what was kept are what a pass without
        // handing over gives: on one thread, and split four ways a thread.
        let cfg = IngestConfig {
            threads: 1,
            ..IngestConfig::default()
        };
        let whole = crate::ingest::ingest(std::slice::from_ref(&log), &cfg).unwrap();
        for (threads, split_bytes) in [(1, 0), (2, 1 << 20)] {
            let cfg = IngestConfig {
                threads,
                split_bytes,
                ..IngestConfig::default()
            };
            let handed = Mutex::new(Rollups::default());
            let spill = |_: usize, days: Rollups| {
                handed.lock().unwrap().absorb(days);
                Ok(())
            };
            let each = ingest_hashing(std::slice::from_ref(&log), &cfg, &[false], Some(&spill));
            let kept = each.unwrap().remove(0).0;
            let mut handed = handed.into_inner().unwrap();
            if threads == 1 {
                assert!(handed.days().count() >= 15, "days were handed over");
                assert!(kept.days().count() > 0, "a whole input keeps its last days");
            } else {
                assert_eq!(kept.days().count(), 0, "no range keeps a day");
                assert_eq!(handed.days().count(), 20);
            }
            handed.absorb(kept);
            assert!(handed.same_counters(&whole.rollups), "{threads} threads");
        }

        let mut single = whole.rollups;
        single.absorb(
            crate::ingest::ingest(std::slice::from_ref(&earlier), &cfg)
                .unwrap()
                .rollups,
        );
        let want = Summary::new(&single, &LineCounts::default(), Vec::new());
        for (threads, split_bytes) in [(1, 0), (2, 1 << 20)] {
            let ds = tmp.path().join(format!("ds{threads}"));
            let cfg = IngestConfig {
                threads,
                split_bytes,
                ..IngestConfig::default()
            };
            ingest_into(&ds, std::slice::from_ref(&earlier), &cfg).unwrap();
            let got = ingest_into(&ds, std::slice::from_ref(&log), &cfg)
                .unwrap()
                .summary;
            assert_eq!(got.requests, 20 * 1500 + 50 + 2);
            assert_eq!(got.days, want.days, "{threads} threads");
            assert_eq!(got.months, want.months);
            assert_eq!(got.unique_visitors, want.unique_visitors);
            assert_eq!(got.top_paths, want.top_paths);
            assert_eq!(got.top_user_agents, want.top_user_agents);
            assert!(read_rollups(&ds).unwrap().same_counters(&single));
            let manifest = read_manifest(&ds).unwrap();
            assert!(
                unreferenced(&ds, &manifest).is_empty(),
                "no part is left behind"
            );
        }
    }

    #[test]
    fn an_early_summary_is_used_only_where_the_commit_leaves_its_days_as_added() {
        let day = |d: i64| d * DAY;
        let one_day = |d: i64| {
            let mut r = Rollups::default();
            r.insert_minute(day(d), MinuteCounts::default());
            r
        };
        let early = || {
            let mut e = EarlySummary::default();
            assert!(e.add(0, day(1), &one_day(1)) && e.add(0, day(2), &one_day(2)));
            e
        };
        // Another unit's day, or a day not after the last, ends it.
        assert!(!early().add(1, day(3), &one_day(3)));
        assert!(!early().add(0, day(2), &one_day(2)));
        let parts = |days: &[(i64, usize)]| -> BTreeMap<i64, Vec<(usize, u64)>> {
            days.iter()
                .map(|&(d, n)| (day(d), vec![(0, 0); n]))
                .collect()
        };
        let memory = |days: &[i64]| -> BTreeMap<i64, Rollups> {
            days.iter().map(|&d| (day(d), one_day(d))).collect()
        };
        let empty = Manifest::default();
        let usable = |e: EarlySummary, m: &Manifest, p, mem| e.usable(m, &p, &mem).map(|u| u.1);
        assert_eq!(
            usable(early(), &empty, parts(&[(1, 1), (2, 1)]), memory(&[3, 4])),
            Some(format_date(day(2)))
        );
        // A day written in two parts, a day in memory not after the last, a dataset
        // with days of its own, nothing written: not used.
        assert_eq!(
            usable(early(), &empty, parts(&[(1, 2), (2, 1)]), memory(&[3])),
            None
        );
        assert_eq!(
            usable(early(), &empty, parts(&[(1, 1), (2, 1)]), memory(&[2, 3])),
            None
        );
        let mut had = Manifest::default();
        had.partitions.insert(format_date(day(9)), 1);
        assert_eq!(
            usable(early(), &had, parts(&[(1, 1), (2, 1)]), memory(&[3])),
            None
        );
        assert_eq!(
            usable(EarlySummary::default(), &empty, parts(&[]), memory(&[3])),
            None
        );
    }

    #[test]
    fn a_first_ingest_s_summary_is_the_one_its_day_files_rebuild() {
        let tmp = tempfile::tempdir().unwrap();
        let line = |day, k| may_line(day, k, 400);
        // Twelve days in time order (the summary takes the first ten as they are
        // written), then the same with late lines for day 2 (it cannot).
        let in_order: Vec<String> = (1..=12)
            .flat_map(|d| (0..400).map(move |k| line(d, k)))
            .collect();
        let mut late = in_order.clone();
        late.extend((0..30).map(|k| line(2, k + 1)));
        for (name, lines) in [("in-order", in_order), ("late", late)] {
            for threads in [1, 2] {
                let log = write_log(tmp.path(), &format!("{name}.log"), &lines);
                let ds = tmp.path().join(format!("{name}-{threads}"));
                let cfg = IngestConfig {
                    threads,
                    split_bytes: 1 << 16,
                    ..IngestConfig::default()
                };
                let got = ingest_into(&ds, &[log], &cfg).unwrap().summary;
                let rebuilt = summarize(&ds, &read_manifest(&ds).unwrap()).unwrap();
                assert_eq!(
                    serde_json::to_string(&got).unwrap(),
                    serde_json::to_string(&rebuilt).unwrap(),
                    "{name}, {threads} threads"
                );
                assert_eq!(got.requests, lines.len() as i64);
            }
        }
    }

    #[test]
    fn a_summary_read_ahead_on_a_thread_is_the_one_thread_summary() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let log = write_log(tmp.path(), "a.log", &minutes_of_days(6, 30, 10));
        ingest_into(&ds, &[log], &IngestConfig::default()).unwrap();
        let manifest = read_manifest(&ds).unwrap();
        let summary = |threads| {
            write_summary(&ds, &manifest, threads, None, |date, generation| {
                read_partition(&ds, date, generation)
            })
        };
        let one = serde_json::to_string(&summary(1).unwrap()).unwrap();
        assert_eq!(serde_json::to_string(&summary(2).unwrap()).unwrap(), one);
        assert!(one.contains("\"requests\":180"), "{one}");
        // A damaged day in the middle: the error names its file, and the reader
        // thread stops rather than leaving the summary waiting.
        let (date, generation) = manifest.partitions.iter().nth(3).unwrap();
        let damaged = table_file(&ds, "minutes", date, *generation);
        fs::write(&damaged, b"not parquet").unwrap();
        for threads in [1, 2] {
            let err = summary(threads).unwrap_err().to_string();
            assert!(
                err.contains(&*damaged.to_string_lossy()),
                "{threads}: {err}"
            );
        }
    }

    #[test]
    fn a_summary_left_stale_by_a_killed_run_is_rebuilt() {
        // A run killed after the manifest's rename but before summary.json: the old
        // summary stays behind. It names another manifest, so it is rebuilt.
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let cfg = IngestConfig::default();
        let a = write_log(tmp.path(), "a.log", &[LINE.to_owned()]);
        let b = write_log(
            tmp.path(),
            "b.log",
            &vec![LINE.replace("17/May", "18/May"); 3],
        );
        ingest_into(&ds, &[a], &cfg).unwrap();
        let old = fs::read(ds.join(SUMMARY_FILE)).unwrap();
        ingest_into(&ds, std::slice::from_ref(&b), &cfg).unwrap();
        fs::write(ds.join(SUMMARY_FILE), &old).unwrap();
        let leftover = ds.join(".summary.json.tmp-999999");
        fs::write(&leftover, b"{").unwrap();
        assert_eq!(read_summary(&ds).unwrap().requests, 4);
        assert!(
            !leftover.exists(),
            "a killed run's temporary file is removed"
        );
        // Re-ingesting says "already ingested" and reports the whole dataset too.
        fs::write(ds.join(SUMMARY_FILE), &old).unwrap();
        let again = ingest_into(&ds, &[b], &cfg).unwrap();
        assert_eq!((again.added.len(), again.summary.requests), (0, 4));
    }

    #[test]
    fn day_files_without_their_manifest_are_kept_and_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let cfg = IngestConfig::default();
        let a = write_log(tmp.path(), "a.log", &[LINE.to_owned()]);
        ingest_into(&ds, std::slice::from_ref(&a), &cfg).unwrap();
        fs::remove_file(ds.join(MANIFEST_FILE)).unwrap();
        let err = ingest_into(&ds, &[a], &cfg).unwrap_err().to_string();
        assert!(
            err.contains("holds day files but no manifest.json"),
            "{err}"
        );
        assert!(has_day_files(&ds), "nothing was deleted");

        // A first ingest killed after writing some days early leaves only those parts:
        // nothing was committed, so the next ingest goes ahead and removes them.
        let fresh = tmp.path().join("fresh");
        let part = named_file(&fresh, "minutes", "2015-05-16", &spill_name(1, 0));
        fs::create_dir_all(part.parent().unwrap()).unwrap();
        fs::write(&part, b"a killed run's part").unwrap();
        assert!(!has_day_files(&fresh));
        let b = write_log(tmp.path(), "b.log", &[LINE.to_owned()]);
        assert_eq!(ingest_into(&fresh, &[b], &cfg).unwrap().summary.requests, 1);
        assert!(!part.exists());
    }

    #[test]
    fn concurrent_ingests_into_one_dataset_both_count() {
        // Two writers at once, each with its own file: the lock makes the second wait
        // and read the first's manifest, so neither input is lost.
        let tmp = tempfile::tempdir().unwrap();
        let ds = tmp.path().join("ds");
        let logs: Vec<Input> = (0..4)
            .map(|k| {
                let day = format!("{}/May", 10 + k);
                let lines = vec![LINE.replace("17/May", &day); 50 * (k + 1)];
                write_log(tmp.path(), &format!("{k}.log"), &lines)
            })
            .collect();
        std::thread::scope(|scope| {
            for log in &logs {
                let ds = &ds;
                scope.spawn(move || {
                    ingest_into(ds, std::slice::from_ref(log), &IngestConfig::default()).unwrap()
                });
            }
        });
        assert_eq!(read_manifest(&ds).unwrap().inputs.len(), 4);
        assert_eq!(
            read_rollups(&ds).unwrap().totals().requests,
            50 + 100 + 150 + 200
        );
        assert_eq!(read_summary(&ds).unwrap().requests, 500);
    }
}
