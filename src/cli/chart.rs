//! `headroom chart KIND`: one of the report's charts on its own, as SVG or PNG, drawn
//! by [`headroom::report::charts::draw`] from a dataset or a series, and for the plan's
//! charts a topology.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom::pipeline::{self, Planned};
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
    #[arg(long, required_unless_present = "plan", conflicts_with = "plan")]
    traffic: Option<PathBuf>,
    /// Instead of the traffic: what `headroom plan --json` wrote, for servers,
    /// utilisation, cost and topology (with the same --topology; failures played out at
    /// the first planned month's peak).
    #[arg(long, requires = "topology")]
    plan: Option<PathBuf>,
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
    let svg = match (&args.plan, &args.traffic) {
        (Some(plan), _) => from_plan_file(kind, plan, args)?,
        (None, Some(traffic)) => from_traffic(kind, traffic, args)?,
        (None, None) => unreachable!("clap requires --traffic or --plan"),
    };
    charts::write(&args.out, &svg).context("--out")?;
    println!("{}", args.out.display());
    Ok(())
}

/// A chart of a plan `headroom plan --json` wrote.
fn from_plan_file(kind: Kind, path: &Path, args: &Args) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let planned = Planned::from_json(&text, path)?;
    let topology = load_topology(args.topology.as_deref().expect("clap requires --topology"))?;
    let peak = planned.plan.months.first().map_or(0.0, |m| m.peak_rps);
    charts::draw_plan(kind, &planned, &topology, peak)?.with_context(|| {
        format!(
            "{}: a {} chart needs the traffic's daily peaks (--traffic), not a plan",
            path.display(),
            kind.name()
        )
    })
}

/// A chart of the traffic, or of a plan made of it.
fn from_traffic(kind: Kind, traffic: &Path, args: &Args) -> anyhow::Result<String> {
    let rollups = if traffic.is_dir() {
        let dir = traffic;
        let r = headroom_traffic::read_rollups(dir)
            .with_context(|| format!("reading dataset {}", dir.display()))?;
        Some(r)
    } else {
        None
    };
    let history = match &rollups {
        Some(r) => pipeline::history_of(r)?,
        None => pipeline::history(traffic, args.value == "count")?,
    };
    let topology = args.topology.as_deref().map(load_topology).transpose()?;
    let inputs = Inputs {
        rollups: rollups.as_ref(),
        history: &history,
        topology: topology.as_ref(),
        months: args.months,
        options: &args.policy.options()?,
    };
    charts::draw(kind, &inputs)?.with_context(|| {
        format!(
            "{}: too little traffic for a {} chart",
            traffic.display(),
            kind.name()
        )
    })
}
