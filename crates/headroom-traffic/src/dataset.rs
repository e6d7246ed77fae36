//! The on-disk dataset: day-partitioned Parquet rollups plus `summary.json`.
//!
//! Layout under the dataset folder:
//! - `rollups/date=YYYY-MM-DD/part-0.parquet`: one row per minute with traffic, columns
//!   `minute` (Datetime ms, UTC), `requests`, `bytes`, `status_1xx` … `status_5xx` (Int64);
//! - `summary.json`: the [`Summary`].
//!
//! Every file is written to a temporary name and renamed into place, and a new rollup tree
//! replaces the old one whole, so a killed run never leaves half a dataset behind.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::rollup::{MinuteCounts, Rollups};
use crate::summary::Summary;
use crate::time::format_date;
use crate::{Error, Result};

/// Folder of the rollup partitions inside a dataset.
pub const ROLLUPS_DIR: &str = "rollups";
/// File name of the summary inside a dataset.
pub const SUMMARY_FILE: &str = "summary.json";

const STATUS_COLUMNS: [&str; 5] = [
    "status_1xx",
    "status_2xx",
    "status_3xx",
    "status_4xx",
    "status_5xx",
];

/// Writes rollups and summary to `dir`, replacing any dataset already there.
pub fn write_dataset(dir: &Path, rollups: &Rollups, summary: &Summary) -> Result<()> {
    fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
    let staging = dir.join(format!(".{ROLLUPS_DIR}.tmp-{}", std::process::id()));
    remove_dir_if_present(&staging)?;
    for (day_s, minutes) in rollups.by_day() {
        let part_dir = staging.join(format!("date={}", format_date(day_s)));
        fs::create_dir_all(&part_dir).map_err(|source| io_error(&part_dir, source))?;
        write_partition(&part_dir.join("part-0.parquet"), &minutes)?;
    }
    let live = dir.join(ROLLUPS_DIR);
    let retired = dir.join(format!(".{ROLLUPS_DIR}.old-{}", std::process::id()));
    if live.exists() {
        fs::rename(&live, &retired).map_err(|source| io_error(&live, source))?;
    }
    if !staging.exists() {
        fs::create_dir_all(&staging).map_err(|source| io_error(&staging, source))?;
    }
    fs::rename(&staging, &live).map_err(|source| io_error(&live, source))?;
    remove_dir_if_present(&retired)?;
    let json = serde_json::to_vec_pretty(summary).expect("summary serialises");
    write_atomic(&dir.join(SUMMARY_FILE), &json)
}

/// Reads the rollups of a dataset back.
pub fn read_rollups(dir: &Path) -> Result<Rollups> {
    let root = dir.join(ROLLUPS_DIR);
    let mut files = Vec::new();
    for entry in fs::read_dir(&root).map_err(|source| io_error(&root, source))? {
        let part = entry.map_err(|source| io_error(&root, source))?.path();
        if part
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("date="))
        {
            for file in fs::read_dir(&part).map_err(|source| io_error(&part, source))? {
                let file = file.map_err(|source| io_error(&part, source))?.path();
                if file.extension().is_some_and(|e| e == "parquet") {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    let mut rollups = Rollups::default();
    for file in files {
        read_partition(&file, &mut rollups)?;
    }
    Ok(rollups)
}

/// Reads `summary.json` of a dataset.
pub fn read_summary(dir: &Path) -> Result<Summary> {
    let path = dir.join(SUMMARY_FILE);
    let bytes = fs::read(&path).map_err(|source| io_error(&path, source))?;
    serde_json::from_slice(&bytes).map_err(|source| Error::Json { path, source })
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_sibling(path);
    let mut file = File::create(&tmp).map_err(|source| io_error(&tmp, source))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| io_error(&tmp, source))?;
    fs::rename(&tmp, path).map_err(|source| io_error(path, source))
}

fn write_partition(path: &Path, minutes: &[(i64, MinuteCounts)]) -> Result<()> {
    let parquet_err = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let mut df = partition_frame(minutes).map_err(parquet_err)?;
    let tmp = temp_sibling(path);
    let file = File::create(&tmp).map_err(|source| io_error(&tmp, source))?;
    ParquetWriter::new(file)
        .finish(&mut df)
        .map_err(parquet_err)?;
    fs::rename(&tmp, path).map_err(|source| io_error(path, source))
}

fn partition_frame(minutes: &[(i64, MinuteCounts)]) -> PolarsResult<DataFrame> {
    let minute_ms: Vec<i64> = minutes.iter().map(|(m, _)| m * 1000).collect();
    let minute = Column::new("minute".into(), minute_ms).cast(&DataType::Datetime(
        TimeUnit::Milliseconds,
        Some(TimeZone::UTC),
    ))?;
    let counter = |name: &str, f: &dyn Fn(&MinuteCounts) -> i64| {
        Column::new(
            name.into(),
            minutes.iter().map(|(_, c)| f(c)).collect::<Vec<i64>>(),
        )
    };
    let mut columns = vec![
        minute,
        counter("requests", &|c| c.requests),
        counter("bytes", &|c| c.bytes),
    ];
    for (i, name) in STATUS_COLUMNS.iter().enumerate() {
        columns.push(counter(name, &|c| c.status[i]));
    }
    DataFrame::new_infer_height(columns)
}

fn read_partition(path: &Path, rollups: &mut Rollups) -> Result<()> {
    let parquet_err = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(|source| io_error(path, source))?;
    let df = ParquetReader::new(file).finish().map_err(parquet_err)?;
    let int_column = |name: &str| -> PolarsResult<Vec<i64>> {
        let col = df.column(name)?.cast(&DataType::Int64)?;
        Ok(col.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
    };
    let minute_ms = int_column("minute").map_err(parquet_err)?;
    let requests = int_column("requests").map_err(parquet_err)?;
    let bytes = int_column("bytes").map_err(parquet_err)?;
    let mut status = Vec::with_capacity(5);
    for name in STATUS_COLUMNS {
        status.push(int_column(name).map_err(parquet_err)?);
    }
    for (row, ms) in minute_ms.iter().enumerate() {
        let counts = MinuteCounts {
            requests: requests[row],
            bytes: bytes[row],
            status: std::array::from_fn(|i| status[i][row]),
        };
        rollups.insert_counts(ms.div_euclid(1000), counts);
    }
    Ok(())
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn remove_dir_if_present(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(dir, e)),
        _ => Ok(()),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Record;

    #[test]
    fn round_trips_through_parquet() {
        let dir = std::env::temp_dir().join(format!("headroom-dataset-{}", std::process::id()));
        let mut rollups = Rollups::default();
        for (t, status, bytes) in [(0, 200, 10), (59, 503, 1), (86_400 * 3 + 7, 301, 99)] {
            rollups.add(&Record {
                host: b"h",
                unix_s: t,
                request: b"GET /",
                status,
                bytes,
            });
        }
        let summary = Summary::new(&rollups, &Default::default(), vec![]);
        write_dataset(&dir, &rollups, &summary).unwrap();
        let part = dir.join("rollups/date=1970-01-04/part-0.parquet");
        let df = ParquetReader::new(File::open(&part).unwrap())
            .finish()
            .unwrap();
        assert_eq!(
            df.column("minute").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
            "minutes are instants tagged UTC"
        );
        assert_eq!(read_rollups(&dir).unwrap(), rollups);
        assert_eq!(read_summary(&dir).unwrap(), summary);

        // Writing again replaces the dataset rather than adding to it.
        write_dataset(&dir, &rollups, &summary).unwrap();
        assert_eq!(read_rollups(&dir).unwrap(), rollups);
        fs::remove_dir_all(&dir).unwrap();
    }
}
