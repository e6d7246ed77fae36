//! Subcommands and the pieces of the pipeline they share.

mod backtest;
mod chart;
mod forecast;
mod ingest;
mod plan;
mod progress;
mod replay;
mod report;
mod topology;
mod usl;

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
    /// Draw one of the report's charts to an SVG or PNG file.
    Chart(chart::Args),
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
        Command::Chart(args) => chart::run(&args),
        Command::Forecast(args) => forecast::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Replay(args) => replay::run(&args),
    }
}
