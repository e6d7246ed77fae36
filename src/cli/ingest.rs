//! `headroom ingest`: logs to a dataset.

use std::path::PathBuf;

use anyhow::Context as _;
use headroom_traffic::{IngestConfig, Ingested, Summary, ingest_files, write_dataset};

use super::thousands;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Apache Common or Combined log files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Dataset folder; a dataset already there is replaced.
    #[arg(long)]
    out: PathBuf,
    /// Stop at the first line that does not parse, naming file, line and reason.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let summary = ingest_to(
        &args.files,
        &args.out,
        IngestConfig {
            strict: args.strict,
        },
    )?;
    print_summary(&summary);
    println!("dataset: {}", args.out.display());
    Ok(())
}

/// Ingests files and writes the dataset; shared with `report`.
pub(crate) fn ingest_to(
    files: &[PathBuf],
    out: &std::path::Path,
    config: IngestConfig,
) -> anyhow::Result<Summary> {
    let Ingested {
        rollups,
        lines,
        files,
    } = ingest_files(files, config).context("ingesting logs")?;
    let names = files.iter().map(|f| f.display().to_string()).collect();
    let summary = Summary::new(&rollups, &lines, names);
    write_dataset(out, &rollups, &summary)
        .with_context(|| format!("writing dataset {}", out.display()))?;
    Ok(summary)
}

/// Prints the summary as an aligned two-column table.
pub(crate) fn print_summary(s: &Summary) {
    let none = || "-".to_owned();
    let rows = [
        ("lines read", thousands(s.lines.lines_read as i64)),
        ("lines parsed", thousands(s.lines.lines_parsed as i64)),
        ("lines rejected", thousands(s.lines.lines_rejected as i64)),
        ("requests", thousands(s.requests)),
        ("bytes", thousands(s.bytes)),
        ("first minute", s.first_minute.clone().unwrap_or_else(none)),
        ("last minute", s.last_minute.clone().unwrap_or_else(none)),
        (
            "peak requests/s",
            format!("{:.3} (busiest minute ÷ 60)", s.peak_rps),
        ),
        ("peak minute", s.peak_minute.clone().unwrap_or_else(none)),
        ("mean requests/s", format!("{:.3}", s.mean_rps)),
        ("peak-to-mean", format!("{:.2}", s.peak_to_mean)),
        ("peak Mbps", format!("{:.3}", s.peak_mbps)),
        (
            "status 1xx/2xx/3xx/4xx/5xx",
            format!(
                "{} / {} / {} / {} / {}",
                s.status.s1xx, s.status.s2xx, s.status.s3xx, s.status.s4xx, s.status.s5xx
            ),
        ),
    ];
    for (k, v) in rows {
        println!("{k:<28} {v}");
    }
    for (reason, n) in &s.lines.rejected_by_reason {
        println!(
            "{:<28} {}",
            format!("  rejected: {reason}"),
            thousands(*n as i64)
        );
    }
    for sample in &s.lines.reject_samples {
        println!("  {sample}");
    }
}
