//! Subcommands and the pieces of the pipeline they share.

mod backtest;
mod charts;
mod forecast;
mod html;
mod ingest;
mod plan;
mod progress;
mod replay;
mod report;
mod topology;
mod usl;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

/// Turns a web service's access logs into a hardware plan.
#[derive(Debug, Parser)]
#[command(name = "headroom", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse access logs into a rollup dataset (Parquet), adding to what is there.
    Ingest(ingest::Args),
    /// Merge partial rollups (`ingest --partials`) into a dataset, as Spark would.
    Merge(ingest::MergeArgs),
    /// Print what a dataset holds: traffic, visitors, status mix, top paths.
    Summary(ingest::SummaryArgs),
    /// Read back every file a dataset's manifest names and say what is damaged.
    Verify(ingest::SummaryArgs),
    /// Load and inspect a service topology file.
    Topology {
        #[command(subcommand)]
        command: topology::Command,
    },
    /// Fit the Universal Scalability Law to load-test measurements.
    Usl {
        #[command(subcommand)]
        command: usl::Command,
    },
    /// Project peak demand and plan servers per tier per month.
    Plan(plan::Args),
    /// Run the whole path and write an HTML report (bundled data by default).
    Report(report::Args),
    /// Forecast a dataset's traffic (or a CSV series) with prediction intervals.
    Forecast(forecast::Args),
    /// Score forecasting methods on held-out ends of many series (M4 metrics).
    Backtest(backtest::Args),
    /// Replay the planner on a history: would its plans have held, and at what cost?
    Replay(replay::Args),
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Ingest(args) => ingest::run(&args),
        Command::Merge(args) => ingest::run_merge(&args),
        Command::Summary(args) => ingest::run_summary(&args),
        Command::Verify(args) => ingest::run_verify(&args),
        Command::Topology { command } => topology::run(&command),
        Command::Usl { command } => usl::run(&command),
        Command::Plan(args) => plan::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Forecast(args) => forecast::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Replay(args) => replay::run(&args),
    }
}

/// The bundled access log `report` uses when given none.
pub(crate) const BUNDLED_LOG: &str = "data/logs/elastic_apache_logs.log";
/// The bundled topology `report` uses when given none.
pub(crate) const BUNDLED_TOPOLOGY: &str = "data/topologies/hatena-bookmark.toml";

/// Day number (since 1970-01-01) of the first day of a month counted from January 1970
/// (`year × 12 + month − 1`).
pub(crate) fn month_start_day(month_index: i64) -> i64 {
    headroom_traffic::time::days_from_civil(
        month_index.div_euclid(12),
        (month_index.rem_euclid(12) + 1) as u32,
        1,
    )
}

/// Finds a bundled file: relative to the working directory first, else in the source
/// tree this binary was built from (so `cargo run` works from any folder of the checkout).
pub(crate) fn bundled(relative: &str) -> PathBuf {
    let here = Path::new(relative);
    if here.exists() {
        here.to_owned()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

/// Groups digits in threes for tables: 2747282740 → "2,747,282,740".
pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(2_747_282_740), "2,747,282,740");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(thousands(0), "0");
    }
}
