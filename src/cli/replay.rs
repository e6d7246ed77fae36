//! `headroom replay`: the planner replayed on a history (a dataset or a metric series),
//! held against what the traffic did next: short steps, idle servers and their cost,
//! beside the oracle and naive strategies.

use std::path::PathBuf;

use anyhow::Context as _;
use headroom::pipeline::{self, text};

use super::plan::{PolicyArgs, load_topology};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A dataset folder written by `headroom ingest` (replayed minute by minute), or a
    /// metric series: a CSV of `timestamp,value` or a Prometheus `query_range` JSON
    /// answer (.json), any step from a second to a day.
    source: PathBuf,
    /// Topology file (TOML, JSON or YAML).
    #[arg(long)]
    topology: PathBuf,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Months each replayed plan looks ahead.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=headroom_plan::MAX_MONTHS as i64))]
    months: u32,
    /// History before the first origin (90d, 26w).
    #[arg(long, default_value = "90d")]
    min_history: String,
    /// How often the plan is remade: 1M at every month start, 3M every quarter, 1y
    /// once a year (servers bought stay between).
    #[arg(long, default_value = "1M")]
    every: String,
    /// A series' values: `rate` (requests per second) or `count` (requests per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"])]
    value: String,
    /// Print the replay as JSON.
    #[arg(long)]
    json: bool,
    /// Also draw each month's realised peak against the capacity the plan (at the
    /// cheapest quantile over all tiers) had in service, per tier: .svg or .png.
    #[arg(long)]
    chart: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=120).contains(&args.months),
        "--months must be 1 to 120, not {}",
        args.months
    );
    let topology = load_topology(&args.topology)?;
    let options = args.policy.options()?;
    let history = pipeline::history(&args.source, args.value == "count")?;
    let r = replayed(args, &topology, &history, &options)?;
    if let Some(path) = &args.chart {
        let svg = headroom::report::charts::held(&r, r.cheapest_quantile())?;
        headroom::report::charts::write(path, &svg).context("--chart")?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print!(
        "{}",
        text::replay(
            &r,
            &args.source,
            options.prices.currency(),
            options.shortfall_cost
        )
    );
    Ok(())
}

/// The replay `--min-history` and `--every` ask for, or why the history is too short.
fn replayed(
    args: &Args,
    topology: &headroom_topology::Topology,
    history: &headroom_plan::replay::History,
    options: &headroom::pipeline::Options,
) -> anyhow::Result<headroom_plan::replay::Replay> {
    let min_history_days = days(&args.min_history)?;
    let every = every_months(&args.every)?;
    let r = pipeline::replay_for(
        topology,
        history,
        args.months,
        (min_history_days, every),
        options,
    )?;
    r.with_context(|| {
        format!(
            "{}: {} days of history; a replay needs {} days before its first origin and a whole month after it",
            args.source.display(),
            history.daily_peaks().1.len(),
            min_history_days
        )
    })
}

/// Days of history before the first origin, from `--min-history`.
fn days(text: &str) -> anyhow::Result<usize> {
    headroom::units::days(text).with_context(|| {
        format!("--min-history '{text}': give from a day to a hundred years, like 90d or 26w")
    })
}

/// Months between replans, from `--every`.
fn every_months(text: &str) -> anyhow::Result<u32> {
    headroom::units::every_months(text)
        .with_context(|| format!("--every '{text}': give months from 1 to 120, like 1M, 3M or 1y"))
}
