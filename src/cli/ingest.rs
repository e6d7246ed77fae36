//! `headroom ingest` and `headroom summary`: logs to a dataset, and what it holds.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_traffic::{
    FormatChoice, IngestConfig, IngestOutcome, Input, Summary, expand, ingest_into,
};

use super::thousands;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Log files, folders (read recursively), glob patterns, or `-` for stdin; plain,
    /// gzip or zstd (told by content).
    #[arg(required_unless_present = "stdin_partials")]
    inputs: Vec<PathBuf>,
    /// Dataset folder; new inputs are added to what is there, inputs already in it are
    /// skipped.
    #[arg(long, required_unless_present_any = ["partials", "stdin_partials"])]
    out: Option<PathBuf>,
    /// Instead of a dataset, write partial rollups (one row per input and minute, hour
    /// sketches, day heavy hitters) into this folder, hive-partitioned by day, for
    /// `headroom merge` or Spark (`scripts/spark/merge.py`); `-` writes one Parquet file
    /// to stdout.
    #[arg(long, conflicts_with = "out")]
    partials: Option<PathBuf>,
    /// Read log lines on stdin and write their partial rollups: to `--partials` when
    /// given (printing one JSON line per file written, for Spark's `RDD.pipe`), else as
    /// one Parquet file to stdout.
    #[arg(long, conflicts_with_all = ["inputs", "out"])]
    stdin_partials: bool,
    /// Name stdin's input goes by in the manifest (the file a batch runner fed it from).
    #[arg(long)]
    source: Option<String>,
    /// `auto`, a preset (common, combined, nginx, nginx-rt, combined-d, ltsv), an Apache
    /// LogFormat string ('%h %l %u %t "%r" %>s %b %D') or an nginx log_format string.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Stop at the first line that does not parse, naming input, line and reason.
    #[arg(long)]
    strict: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// No progress bar (there is none either when stderr is not a terminal).
    #[arg(long, short)]
    quiet: bool,
}

/// Input bytes whose partials are held in memory and written together, one file per
/// day. Partials measured about 1/1,800 of a Combined log's bytes (4 M lines, 949 MB →
/// 520 KB), so a full batch makes files of about 100 MB, near the 128 MB Spark reads best.
/// Held in memory they are larger (a 4 KB HLL array per hour, two per input): about 1/400
/// of the input's bytes by that count, 500 MB for a full batch.
const PARTIAL_BATCH_BYTES: u64 = 200 << 30;
/// At most this many inputs in one batch, whatever their size.
const PARTIAL_BATCH_INPUTS: usize = 1024;

/// Splits inputs into batches by [`PARTIAL_BATCH_BYTES`] and [`PARTIAL_BATCH_INPUTS`].
fn partial_batches(inputs: &[Input]) -> Vec<&[Input]> {
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

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let mut config = IngestConfig {
        format: FormatChoice::from_spec(&args.format).context("--format")?,
        strict: args.strict,
        threads: args.threads,
        ..Default::default()
    };
    let stdin = [PathBuf::from("-")];
    let inputs: &[PathBuf] = if args.stdin_partials {
        &stdin
    } else {
        &args.inputs
    };
    let show = !args.quiet && std::io::stderr().is_terminal();
    let bar = show.then(|| super::progress::ProgressBar::start(inputs, &mut config));
    let result = match (&args.partials, &args.out) {
        (Some(dir), _) => write_partials_to(inputs, dir, &config, args),
        (None, Some(out)) if !args.stdin_partials => ingest_to(inputs, out, &config).map(|o| {
            print_outcome(&o);
            print_summary(&o.summary);
            println!("dataset: {}", out.display());
        }),
        (None, _) => write_partials_to(inputs, Path::new("-"), &config, args),
    };
    if let Some(bar) = bar {
        bar.finish();
    }
    result
}

/// `--partials DIR` / `--stdin-partials`: partial rollups instead of a dataset.
fn write_partials_to(
    inputs: &[PathBuf],
    dir: &Path,
    config: &IngestConfig,
    args: &Args,
) -> anyhow::Result<()> {
    let inputs = expand(inputs).context("reading the input list")?;
    let name = args.source.as_deref();
    if dir.as_os_str() == "-" {
        let partials = headroom_traffic::partials_of(&inputs, config, name)?;
        let mut out = std::io::stdout().lock();
        headroom_traffic::write_partial(&mut out, &partials, Path::new("<stdout>"))?;
        return out.flush().context("writing to stdout");
    }
    for batch in partial_batches(&inputs) {
        let partials = headroom_traffic::partials_of(batch, config, name)?;
        let entries: Vec<_> = partials.iter().map(|p| p.entry.clone()).collect();
        let written = headroom_traffic::write_partials(dir, partials)
            .with_context(|| format!("writing partials into {}", dir.display()))?;
        for e in &entries {
            let f = &e.report;
            eprintln!(
                "read {} ({}): {} lines, {} parsed, {} rejected",
                f.input,
                f.format,
                thousands(f.lines.lines_read as i64),
                thousands(f.lines.lines_parsed as i64),
                thousands(f.lines.lines_rejected as i64)
            );
        }
        if args.stdin_partials {
            // One JSON line per input: what `RDD.pipe` hands back to the Spark driver.
            for e in &entries {
                let line = serde_json::json!({
                    "input": e.report.input,
                    "source": e.xxh3_128,
                    "lines_read": e.report.lines.lines_read,
                    "lines_parsed": e.report.lines.lines_parsed,
                    "lines_rejected": e.report.lines.lines_rejected,
                    "files": written,
                });
                println!("{line}");
            }
        } else {
            for file in &written {
                println!("{}", file.display());
            }
        }
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// Partial files, or folders of them (read recursively), from `ingest --partials`.
    #[arg(required = true)]
    partials: Vec<PathBuf>,
    /// Dataset folder to merge into (created, or added to).
    #[arg(long)]
    out: PathBuf,
}

/// `headroom merge`: partials into a dataset on one machine, as `scripts/spark/merge.py`
/// does on Spark.
pub(crate) fn run_merge(args: &MergeArgs) -> anyhow::Result<()> {
    let partials = headroom_traffic::read_partials(&args.partials).context("reading partials")?;
    let outcome = headroom_traffic::merge_into(&args.out, partials)
        .with_context(|| format!("merging into {}", args.out.display()))?;
    print_outcome(&outcome);
    print_summary(&outcome.summary);
    println!("dataset: {}", args.out.display());
    Ok(())
}

/// Ingests inputs into a dataset; shared with `report`.
pub(crate) fn ingest_to(
    inputs: &[PathBuf],
    out: &Path,
    config: &IngestConfig,
) -> anyhow::Result<IngestOutcome> {
    let inputs = expand(inputs).context("reading the input list")?;
    ingest_into(out, &inputs, config).with_context(|| format!("ingesting into {}", out.display()))
}

fn print_outcome(outcome: &IngestOutcome) {
    for f in &outcome.added {
        eprintln!(
            "added {} ({}, {}): {} lines, {} parsed, {} rejected",
            f.input,
            f.format,
            f.compression,
            thousands(f.lines.lines_read as i64),
            thousands(f.lines.lines_parsed as i64),
            thousands(f.lines.lines_rejected as i64)
        );
    }
    for (input, why) in &outcome.skipped {
        eprintln!("skipped {input}: {why}");
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct SummaryArgs {
    /// Dataset folder written by `headroom ingest`.
    dataset: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run_verify(args: &SummaryArgs) -> anyhow::Result<()> {
    let v = headroom_traffic::verify(&args.dataset)
        .with_context(|| format!("verifying {}", args.dataset.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{}: {} days, {} files read; {} requests in the tables, {} lines parsed by the manifest's inputs",
            args.dataset.display(),
            v.days,
            v.files,
            thousands(v.requests_in_tables as i64),
            thousands(v.requests_in_manifest as i64)
        );
        for d in &v.damaged {
            println!("damaged: {}: {}", d.path.display(), d.reason);
        }
        for note in &v.notes {
            println!("note: {note}");
        }
    }
    if v.is_sound() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} is damaged: {} files do not read back{}",
            args.dataset.display(),
            v.damaged.len(),
            if v.requests_in_tables == v.requests_in_manifest {
                String::new()
            } else {
                format!(
                    ", and the tables hold {} requests where the inputs parsed {}",
                    v.requests_in_tables, v.requests_in_manifest
                )
            }
        )
    }
}

pub(crate) fn run_summary(args: &SummaryArgs) -> anyhow::Result<()> {
    let summary = headroom_traffic::read_summary(&args.dataset)
        .with_context(|| format!("reading the summary of {}", args.dataset.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

/// Prints the summary as aligned tables.
pub(crate) fn print_summary(s: &Summary) {
    let none = || "-".to_owned();
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
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
            "busiest hour of week (UTC)",
            s.busiest_hour_of_week.clone().unwrap_or_else(none),
        ),
        (
            "status 1xx/2xx/3xx/4xx/5xx",
            format!(
                "{} / {} / {} / {} / {}",
                s.status.s1xx, s.status.s2xx, s.status.s3xx, s.status.s4xx, s.status.s5xx
            ),
        ),
        ("static share", pct(s.static_share)),
        ("bot share", pct(s.bot_share)),
        (
            "unique visitors",
            format!("{:.0} (distinct over the span)", s.unique_visitors),
        ),
        (
            "unique visitors, GoAccess",
            format!("{:.0} (daily uniques added up)", s.goaccess_unique_visitors),
        ),
        ("distinct hosts", format!("{:.0}", s.unique_hosts)),
    ];
    for (k, v) in rows {
        println!("{k:<28} {v}");
    }
    if let Some(d) = &s.durations {
        println!(
            "{:<28} n={} mean {:.1} ms, p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1} (rank error {:.2}%)",
            "durations",
            thousands(d.count),
            d.mean_ms,
            d.p50_ms,
            d.p90_ms,
            d.p99_ms,
            d.max_ms,
            d.rank_error * 100.0
        );
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
    println!(
        "{:<10} {:>12} {:>16} {:>10} {:>10} {:>10}",
        "month", "requests", "bytes", "visitors", "hosts", "peak rps"
    );
    for m in &s.months {
        println!(
            "{:<10} {:>12} {:>16} {:>10.0} {:>10.0} {:>10.3}",
            m.period,
            thousands(m.requests),
            thousands(m.bytes),
            m.visitors,
            m.hosts,
            m.peak_rps
        );
    }
    for (title, top) in [
        ("top paths", &s.top_paths),
        ("top user agents", &s.top_user_agents),
    ] {
        println!(
            "{title} (counts overestimate by at most {}):",
            top.max_error
        );
        for item in top.items.iter().take(5) {
            let text: String = item.item.chars().take(90).collect();
            println!("  {:>10}  {text}", thousands(item.requests as i64));
        }
    }
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
}
