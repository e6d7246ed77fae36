//! `headroom verify`: reads every file a dataset's manifest names, back to the last
//! sketch, and says which are damaged and whether the tables still add up to what the
//! manifest says was ingested.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::dataset::{
    MANIFEST_FILE, Manifest, TABLES, not_a_dataset, read_partition, stored_summary, table_file,
    unreferenced,
};
use crate::{Error, Result, Rollups};

/// A file that could not be read back, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Damage {
    /// The file.
    pub path: PathBuf,
    /// What reading it said.
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verification {
    /// Day partitions the manifest names.
    pub days: usize,
    /// Files read (three tables a day, and the manifest).
    pub files: usize,
    /// Files that are missing or do not read back.
    pub damaged: Vec<Damage>,
    /// Requests the day files hold.
    pub requests_in_tables: u64,
    /// Lines parsed from the inputs the manifest lists: the requests there should be.
    pub requests_in_manifest: u64,
    /// Things that are not damage: a stale summary (rebuilt on the next read), files
    /// of a killed run (removed by the next write).
    pub notes: Vec<String>,
}

impl Verification {
    /// Whether every file read back and the totals reconcile.
    pub fn is_sound(&self) -> bool {
        self.damaged.is_empty() && self.requests_in_tables == self.requests_in_manifest
    }
}

/// Reads every file the manifest of dataset `dir` names (Parquet decoded, sketches
/// deserialised) and checks that the day files hold as many requests as the manifest's
/// inputs parsed. A damaged file is reported, not fatal; the error cases are a folder
/// that is no dataset and a manifest that does not read (then nothing else can be
/// checked, and the error names it).
pub fn verify(dir: &Path) -> Result<Verification> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_a_dataset(dir)),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|source| Error::Json { path, source })?;
    let mut out = Verification {
        days: manifest.partitions.len(),
        files: 1,
        requests_in_manifest: manifest
            .inputs
            .iter()
            .map(|e| e.report.lines.lines_parsed)
            .sum(),
        ..Verification::default()
    };
    let mut all = Rollups::default();
    for (date, &generation) in &manifest.partitions {
        out.files += TABLES.len();
        let missing: Vec<PathBuf> = TABLES
            .iter()
            .map(|table| table_file(dir, table, date, generation))
            .filter(|p| !p.is_file())
            .collect();
        if !missing.is_empty() {
            out.damaged.extend(missing.into_iter().map(|path| Damage {
                path,
                reason: "missing: the manifest names it but it is not there".to_owned(),
            }));
            continue;
        }
        match read_partition(dir, date, generation) {
            Ok(day) => all.absorb(day),
            Err(e) => out.damaged.push(damage(e, dir, date, generation)),
        }
    }
    out.requests_in_tables = u64::try_from(all.totals().requests).unwrap_or(0);
    if stored_summary(dir, &manifest).is_none() {
        out.notes.push(format!(
            "{} is missing or describes another manifest; the next read rebuilds it",
            crate::SUMMARY_FILE
        ));
    }
    let stray = unreferenced(dir, &manifest).len();
    if stray > 0 {
        out.notes.push(format!(
            "{stray} day files no manifest names (a killed run's); the next write removes them"
        ));
    }
    Ok(out)
}

/// The damaged file an error names (the day's minutes file when it names none).
fn damage(e: Error, dir: &Path, date: &str, generation: u64) -> Damage {
    let path = match &e {
        Error::Io { path, .. } | Error::Parquet { path, .. } | Error::Input { path, .. } => {
            path.clone()
        }
        _ => table_file(dir, "minutes", date, generation),
    };
    let text = e.to_string();
    let prefix = format!("{}: ", path.display());
    Damage {
        reason: text.strip_prefix(&prefix).unwrap_or(&text).to_owned(),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IngestConfig, Input, ingest_into};

    fn dataset() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let log =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/logs/elastic_apache_logs.log");
        let dir = tmp.path().join("ds");
        ingest_into(&dir, &[Input::File(log)], &IngestConfig::default()).unwrap();
        (tmp, dir)
    }

    fn day_file(dir: &Path, table: &str) -> PathBuf {
        let manifest = crate::read_manifest(dir).unwrap();
        let (date, g) = manifest.partitions.iter().next().unwrap();
        table_file(dir, table, date, *g)
    }

    #[test]
    fn a_sound_dataset_reconciles() {
        let (_tmp, dir) = dataset();
        let v = verify(&dir).unwrap();
        assert!(v.is_sound(), "{v:?}");
        assert!(v.days >= 3);
        assert_eq!(v.files, 1 + 3 * v.days);
        assert_eq!(v.requests_in_tables, v.requests_in_manifest);
        assert!(v.requests_in_tables > 9_000);
        assert!(v.notes.is_empty(), "{:?}", v.notes);
    }

    #[test]
    fn damaged_and_missing_files_are_named() {
        let (_tmp, dir) = dataset();
        // Truncated mid-file, as a crash or a full disk would leave it.
        let hours = day_file(&dir, "hours");
        let bytes = fs::read(&hours).unwrap();
        fs::write(&hours, &bytes[..bytes.len() / 2]).unwrap();
        let v = verify(&dir).unwrap();
        assert!(!v.is_sound());
        assert_eq!(v.damaged.len(), 1, "{:?}", v.damaged);
        assert_eq!(v.damaged[0].path, hours);
        assert!(v.requests_in_tables < v.requests_in_manifest);

        let minutes = day_file(&dir, "minutes");
        fs::remove_file(&minutes).unwrap();
        let v = verify(&dir).unwrap();
        assert_eq!(v.damaged.len(), 1, "{:?}", v.damaged);
        assert_eq!(v.damaged[0].path, minutes);
        assert!(v.damaged[0].reason.starts_with("missing"));
    }

    #[test]
    fn a_stale_summary_and_stray_files_are_notes_not_damage() {
        let (_tmp, dir) = dataset();
        fs::remove_file(dir.join(crate::SUMMARY_FILE)).unwrap();
        let stray = day_file(&dir, "days").with_file_name("g999999.parquet");
        fs::write(&stray, b"half a file").unwrap();
        let v = verify(&dir).unwrap();
        assert!(v.is_sound(), "{v:?}");
        assert_eq!(v.notes.len(), 2, "{:?}", v.notes);
    }

    #[test]
    fn a_broken_manifest_or_no_dataset_is_an_error() {
        let (tmp, dir) = dataset();
        fs::write(dir.join(MANIFEST_FILE), b"{\"inputs\": [").unwrap();
        let e = verify(&dir).unwrap_err().to_string();
        assert!(e.contains("manifest.json"), "{e}");
        let e = verify(tmp.path()).unwrap_err().to_string();
        assert!(e.contains("not a headroom dataset"), "{e}");
    }
}

/// Damage at random (cut short, bytes flipped, a run overwritten) to a day file of each
/// table or to the manifest: reading the dataset back gives an error naming a file or
/// a sound answer, never a panic, and `verify` is sound only when the tables still hold
/// what the manifest says.
#[cfg(test)]
mod damage {
    use proptest::prelude::*;

    use super::*;
    use crate::{IngestConfig, Input, ingest_into, read_rollups};

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    fn pristine() -> &'static Path {
        static DIR: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
        &DIR.get_or_init(|| {
            let tmp = tempfile::tempdir().unwrap();
            let log = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../data/logs/elastic_apache_logs.log");
            let dir = tmp.path().join("ds");
            ingest_into(&dir, &[Input::File(log)], &IngestConfig::default()).unwrap();
            (tmp, dir)
        })
        .1
    }

    /// Cuts `file` short (`kind` 0), flips a byte (1) or overwrites a run of `len`
    /// bytes with `byte` (2), at the share `at` of its length.
    fn damage_file(file: &Path, kind: u8, at: f64, len: usize, byte: u8) {
        let mut bytes = fs::read(file).unwrap();
        let pos = ((bytes.len() as f64) * at) as usize;
        match kind {
            0 => bytes.truncate(pos),
            1 => {
                let last = bytes.len() - 1;
                bytes[pos.min(last)] ^= byte | 1;
            }
            _ => {
                let end = (pos + len).min(bytes.len());
                bytes[pos..end].fill(byte);
            }
        }
        fs::write(file, &bytes).unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn damaged_files_are_errors_not_panics(
            target in 0usize..4,
            kind in 0u8..3,
            at in 0.0f64..1.0,
            len in 1usize..64,
            byte in any::<u8>(),
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("ds");
            copy_dir(pristine(), &dir);
            let file = if target == 3 {
                dir.join(MANIFEST_FILE)
            } else {
                let manifest = crate::read_manifest(&dir).unwrap();
                let (date, g) = manifest.partitions.iter().next().unwrap();
                table_file(&dir, TABLES[target], date, *g)
            };
            damage_file(&file, kind, at, len, byte);
            match verify(&dir) {
                Ok(v) => {
                    if v.is_sound() {
                        let all = read_rollups(&dir);
                        prop_assert!(all.is_ok(), "sound but unreadable: {:?}", all.err());
                    }
                    for d in &v.damaged {
                        prop_assert!(d.path.starts_with(&dir), "{d:?}");
                    }
                }
                Err(e) => prop_assert!(e.to_string().contains("manifest.json"), "{e}"),
            }
        }

        /// A damaged partial (`ingest --partials`) reads back as an error naming it or
        /// as rows whose counters still add up; `merge` never panics on it.
        #[test]
        fn damaged_partials_are_errors_not_panics(
            kind in 0u8..3,
            at in 0.0f64..1.0,
            len in 1usize..64,
            byte in any::<u8>(),
        ) {
            let _ = damage_a_partial_and_merge(kind, at, len, byte);
        }
    }

    /// The bundled log's partial, written as one file in `dir`.
    fn write_a_partial(dir: &Path) -> PathBuf {
        let log =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/logs/elastic_apache_logs.log");
        let partials =
            crate::partials_of(&[Input::File(log)], &IngestConfig::default(), None).unwrap();
        let file = dir.join("p.parquet");
        crate::write_partial(fs::File::create(&file).unwrap(), &partials, &file).unwrap();
        file
    }

    /// The first error, as text, from reading the damaged partial back or merging it.
    fn damage_a_partial_and_merge(kind: u8, at: f64, len: usize, byte: u8) -> Result<(), String> {
        let tmp = tempfile::tempdir().unwrap();
        let file = write_a_partial(tmp.path());
        damage_file(&file, kind, at, len, byte);
        let read = crate::read_partials(std::slice::from_ref(&file)).map_err(|e| e.to_string())?;
        crate::merge_into(&tmp.path().join("ds"), read)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Every byte of every page header, in day files of each table and in a partial,
    /// damaged four ways: reading the file gives a frame or an error naming it, and never
    /// aborts. (CI, 2026-11-28: the property test above hit a page count damaged into a
    /// negative number, and polars' reader aborted reserving 2^61 bytes for it.)
    #[test]
    fn damaged_page_headers_are_errors_not_aborts() {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = crate::read_manifest(pristine()).unwrap();
        let (date, g) = manifest.partitions.iter().next().unwrap();
        let mut files: Vec<PathBuf> = TABLES
            .iter()
            .map(|t| table_file(pristine(), t, date, *g))
            .collect();
        files.push(write_a_partial(tmp.path()));
        let damaged = tmp.path().join("damaged.parquet");
        let (mut tried, mut refused) = (0, 0);
        for file in &files {
            let original = fs::read(file).unwrap();
            let offsets = crate::pages::page_header_offsets(&original.clone().into());
            assert!(offsets.len() >= 3, "{file:?}: {offsets:?}");
            for at in offsets.into_iter().flat_map(|o| o..o + 24) {
                let damages: [fn(u8) -> u8; 4] = [|b| b ^ 0x80, |b| b ^ 0x01, |_| 0xff, |_| 0];
                for damage in damages {
                    let mut bytes = original.clone();
                    bytes[at] = damage(bytes[at]);
                    fs::write(&damaged, &bytes).unwrap();
                    tried += 1;
                    if let Err(e) = crate::dataset::read_frame(&damaged) {
                        refused += 1;
                        assert!(e.to_string().contains("damaged.parquet"), "{e}");
                    }
                }
            }
        }
        // The sweep reaches real damage, not only bytes the reader ignores.
        assert!(refused * 4 > tried, "{refused} of {tried} refused");
    }

    /// A case the property test above found (3,000 cases, 2026-11-28): a damaged time in
    /// a partial fell outside the four-digit years, where dates stop sorting in time
    /// order, and the summary, built in date order, met a day out of time order.
    #[test]
    fn a_time_outside_four_digit_years_is_refused() {
        let err = damage_a_partial_and_merge(2, 0.013408618550682462, 11, 5).unwrap_err();
        assert!(err.contains("outside the years 0000 to 9999"), "{err}");
    }

    /// The case the property test above found (CI, 2026-11-28): a damaged count that
    /// still parses made the summary's month total overflow `+=` and panic.
    #[test]
    fn a_damaged_count_saturates_the_summary_instead_of_panicking() {
        let _ = damage_a_partial_and_merge(2, 0.016186158725008663, 2, 64);
    }
}
