//! `headroom ingest` and `headroom summary`: logs to a dataset, and what it holds.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_traffic::{FormatChoice, IngestConfig, IngestOutcome, Summary, expand, ingest_into};

use headroom::pipeline::text::{self, thousands};

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
    for batch in headroom_traffic::partial_batches(&inputs) {
        let partials = headroom_traffic::partials_of(batch, config, name)?;
        let entries: Vec<_> = partials.iter().map(|p| p.entry.clone()).collect();
        let written = headroom_traffic::write_partials(dir, partials)
            .with_context(|| format!("writing partials into {}", dir.display()))?;
        print_written(&entries, &written, args.stdin_partials);
    }
    Ok(())
}

/// What a batch of partials read (on stderr) and wrote: the files, or with
/// `--stdin-partials` one JSON line per input, what `RDD.pipe` hands back to the Spark
/// driver.
fn print_written(entries: &[headroom_traffic::ManifestEntry], written: &[PathBuf], json: bool) {
    for e in entries {
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
    if !json {
        for file in written {
            println!("{}", file.display());
        }
        return;
    }
    for e in entries {
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
        for line in text::verification(&args.dataset, &v) {
            println!("{line}");
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
fn print_summary(s: &Summary) {
    for line in text::summary(s) {
        println!("{line}");
    }
}
