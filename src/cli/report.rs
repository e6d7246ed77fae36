//! `headroom report`: the whole path, logs to an HTML page with charts and tables
//! ([`headroom::report`] builds it; this ingests the logs first when given logs).

use std::path::PathBuf;

use anyhow::Context as _;
use headroom::pipeline::{BUNDLED_LOG, BUNDLED_TOPOLOGY, bundled};
use headroom::report::{self, Source};
use headroom_traffic::IngestConfig;

use super::plan::{PolicyArgs, load_topology};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Access logs to ingest [default: the bundled elastic_apache_logs.log].
    #[arg(long, num_args = 1.., conflicts_with = "dataset")]
    logs: Vec<PathBuf>,
    /// A dataset already written by `headroom ingest`, instead of ingesting logs.
    #[arg(long, conflicts_with = "series")]
    dataset: Option<PathBuf>,
    /// A metric series instead of logs: a CSV of `timestamp,value` or a Prometheus
    /// `query_range` JSON answer (.json), any step from a second to a day. The report
    /// then has the traffic, growth, plan, cost and replay, without the log-only
    /// figures (status mix, bandwidth, visitors, top paths).
    #[arg(long, conflicts_with = "logs")]
    series: Option<PathBuf>,
    /// A series' values: `rate` (requests per second) or `count` (requests per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"], requires = "series")]
    value: String,
    /// Topology file [default: the bundled Hatena Bookmark topology].
    #[arg(long)]
    topology: Option<PathBuf>,
    /// Output folder for index.html, the charts and the dataset.
    #[arg(long, default_value = "headroom-report")]
    out: PathBuf,
    /// Months to plan after the end of the data.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=headroom_plan::MAX_MONTHS as i64))]
    months: u32,
    #[command(flatten)]
    policy: PolicyArgs,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let topology_path = args
        .topology
        .clone()
        .unwrap_or_else(|| bundled(BUNDLED_TOPOLOGY));
    let topology = load_topology(&topology_path)?;
    let options = args.policy.options()?;
    // The traffic behind the report: a dataset's minutes (ingested here unless given),
    // or a metric series' steps.
    let source = match (&args.series, &args.dataset) {
        (Some(path), _) => Source::Series {
            path: path.clone(),
            counts: args.value == "count",
        },
        (None, Some(dir)) => Source::dataset(dir)?,
        (None, None) => {
            let logs = if args.logs.is_empty() {
                vec![bundled(BUNDLED_LOG)]
            } else {
                args.logs.clone()
            };
            let dir = args.out.join("dataset");
            super::ingest::ingest_to(&logs, &dir, &IngestConfig::default())?;
            Source::dataset(&dir)?
        }
    };
    let built = report::build(source, &topology, args.months, &options)?;
    let index = built
        .write(&args.out)
        .with_context(|| format!("writing the report to {}", args.out.display()))?;
    println!("{}", built.findings.join("\n"));
    println!("report: {}", index.display());
    Ok(())
}
