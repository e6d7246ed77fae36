//! `headroom chart KIND`: one of the report's charts on its own, as SVG or PNG, drawn
//! by [`headroom::report::charts::draw`] from a dataset or a series, and for the plan's
//! charts a topology.

use std::path::PathBuf;

use anyhow::Context as _;
use headroom::pipeline;
use headroom::report::charts::{self, Inputs, Kind};

use super::plan::{PolicyArgs, load_topology};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Which chart: traffic, bandwidth, busiest-day, hour-of-week, mix (a dataset's
    /// status mix), or from a plan (with --topology): forecast, servers, utilisation,
    /// cost, topology, replay.
    #[arg(value_parser = Kind::ALL.map(Kind::name))]
    kind: String,
    /// A dataset folder written by `headroom ingest`, or a metric series (a CSV of
    /// `timestamp,value` or a Prometheus `query_range` JSON answer).
    #[arg(long)]
    traffic: PathBuf,
    /// The file to write: .svg, or .png to rasterise.
    #[arg(long, short)]
    out: PathBuf,
    /// Topology file, for the charts drawn from a plan.
    #[arg(long)]
    topology: Option<PathBuf>,
    /// A series' values: `rate` (requests per second) or `count` (requests per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"])]
    value: String,
    /// Months to plan after the end of the data.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=headroom_plan::MAX_MONTHS as i64))]
    months: u32,
    #[command(flatten)]
    policy: PolicyArgs,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let kind = Kind::from_name(&args.kind).expect("clap admits only the kinds' names");
    let rollups = if args.traffic.is_dir() {
        let dir = &args.traffic;
        let r = headroom_traffic::read_rollups(dir)
            .with_context(|| format!("reading dataset {}", dir.display()))?;
        Some(r)
    } else {
        None
    };
    let history = match &rollups {
        Some(r) => pipeline::history_of(r)?,
        None => pipeline::history(&args.traffic, args.value == "count")?,
    };
    let topology = args.topology.as_deref().map(load_topology).transpose()?;
    let inputs = Inputs {
        rollups: rollups.as_ref(),
        history: &history,
        topology: topology.as_ref(),
        months: args.months,
        options: &args.policy.options()?,
    };
    let svg = charts::draw(kind, &inputs)?.with_context(|| {
        format!(
            "{}: too little traffic for a {} chart",
            args.traffic.display(),
            kind.name()
        )
    })?;
    charts::write(&args.out, &svg).context("--out")?;
    println!("{}", args.out.display());
    Ok(())
}
