//! `headroom plan`: forecast peak demand through the topology to servers, hosts,
//! network, storage and cost per month ([`headroom::pipeline`] does the work).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom::pipeline::{self, Options, Planned, Prices, QuantileChoice, text};
use headroom_forecast::calendar::Calendar;
use headroom_forecast::m4::Method;
use headroom_plan::{DailyModel, LeadTimes, Policy, Quantile, Redundancy};
use headroom_topology::Topology;
use headroom_traffic::time::DAY;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Topology file (TOML, JSON or YAML).
    #[arg(long)]
    topology: PathBuf,
    /// Dataset folder written by `headroom ingest`, or a metric series (a CSV of
    /// `timestamp,value` or a Prometheus `query_range` JSON answer): the forecast of
    /// its daily peaks is the demand.
    #[arg(
        long,
        required_unless_present = "peak_rps",
        conflicts_with = "peak_rps"
    )]
    traffic: Option<PathBuf>,
    /// Instead of a dataset: today's front-door peak, requests per second.
    #[arg(long, requires = "growth")]
    peak_rps: Option<f64>,
    /// With --peak-rps: growth per month, in percent (8 or 8%), compounded.
    #[arg(long)]
    growth: Option<String>,
    /// With a series: its values are `rate` (requests per second) or `count` (requests
    /// per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"])]
    value: String,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Months to plan after the end of the data.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=headroom_plan::MAX_MONTHS as i64))]
    months: u32,
    /// Print the plan and its cost as JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print one CSV row per month and tier.
    #[arg(long)]
    csv: bool,
    /// With --traffic: the hours of the week in which each tier's deploy fits with
    /// today's servers, and the largest rolling batch at the peak.
    #[arg(long, requires = "traffic")]
    deploy_windows: bool,
}

/// The choices behind a plan, shared with `report`.
#[derive(Debug, clap::Args)]
pub(crate) struct PolicyArgs {
    /// Failures to survive at peak: n+1, n+2, … (spare servers per tier) or rack (any
    /// one rack lost).
    #[arg(long, default_value = "n+1")]
    redundancy: String,
    /// With --traffic, the forecast bound purchased servers hold over their lead time:
    /// point, 80 or 95 (the upper bound of that central interval; 80: about one month in
    /// ten may need more), or auto: the one that cost least in a replay of the dataset's
    /// own history (see `headroom replay`; price shortfall with --shortfall-cost).
    /// Servers for demand follow the point forecast.
    #[arg(long, default_value = "80")]
    quantile: String,
    /// What one minute with a tier past its ceiling costs, in the price table's
    /// currency (lost sales, SLA credits: yours to state), for `replay` and
    /// `--quantile auto`. 0 prices hardware only.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) shortfall_cost: f64,
    /// Forecasting method for the daily peaks (see `headroom forecast --model`).
    #[arg(long, default_value = "auto")]
    model: String,
    /// Holidays and other dated events whose effect on the daily peak is measured in
    /// the history and forecast on their next dates: a shipped country's public
    /// holidays (JP, US, GB, DE, FR, CZ) or a `date,name[,factor]` CSV (factor: a
    /// multiplier you state, as for a launch day).
    #[arg(long)]
    holidays: Option<String>,
    /// Peak ÷ mean request rate, for storage growth and monthly transfer [default: the
    /// dataset's, else the topology's `peak_to_mean`, else 1: every second a peak].
    #[arg(long)]
    peak_to_mean: Option<f64>,
    /// Time from ordering a server to having it in service (2w, 8w, 90d): the plan holds
    /// the planned quantile over it and says by when to order.
    #[arg(long, default_value = "8w")]
    lead_time: String,
    /// Time to start a VM on a spare host (tiers on a pool, or `supply = "vm"`).
    #[arg(long, default_value = "4h")]
    vm_lead_time: String,
    /// Time to start a cloud instance (tiers with `supply = "cloud"`): the plan adds
    /// the largest rise of demand within it, measured minute by minute.
    #[arg(long, default_value = "5m")]
    cloud_lead_time: String,
    /// Self-built price table (TOML) [default: data/prices/self-built.toml].
    #[arg(long)]
    prices: Option<PathBuf>,
    /// Cloud price table (TOML) [default: data/prices/aws-us-east-1.toml].
    #[arg(long)]
    cloud: Option<PathBuf>,
}

impl PolicyArgs {
    /// The library's options from the flags, prices read and checked.
    pub(crate) fn options(&self) -> anyhow::Result<Options> {
        let prices = Prices::load(self.prices.as_deref(), self.cloud.as_deref())?;
        let quantile = if self.quantile == "auto" {
            QuantileChoice::Auto
        } else {
            QuantileChoice::Fixed(Quantile::from_name(&self.quantile).with_context(|| {
                format!("--quantile '{}': give point, 80, 95 or auto", self.quantile)
            })?)
        };
        anyhow::ensure!(
            self.shortfall_cost.is_finite() && self.shortfall_cost >= 0.0,
            "--shortfall-cost must be a cost of 0 or more, not {}",
            self.shortfall_cost
        );
        if let Some(r) = self.peak_to_mean {
            anyhow::ensure!(
                r >= 1.0 && r.is_finite(),
                "--peak-to-mean must be at least 1, not {r}"
            );
        }
        Ok(Options {
            policy: self.policy()?,
            quantile,
            shortfall_cost: self.shortfall_cost,
            model: self.model()?,
            peak_to_mean: self.peak_to_mean,
            prices,
        })
    }

    fn policy(&self) -> anyhow::Result<Policy> {
        let redundancy = Redundancy::from_name(&self.redundancy).with_context(|| {
            format!(
                "--redundancy '{}': give n+1, n+2, … (at most n+{}) or rack",
                self.redundancy,
                headroom_plan::MAX_SPARES
            )
        })?;
        Ok(Policy {
            redundancy,
            leads: LeadTimes {
                purchase: lead_time_minutes(&self.lead_time, "--lead-time")?,
                vm: lead_time_minutes(&self.vm_lead_time, "--vm-lead-time")?,
                cloud: lead_time_minutes(&self.cloud_lead_time, "--cloud-lead-time")?,
            },
        })
    }

    /// The daily-peak model: `--model` with the `--holidays` calendar.
    fn model(&self) -> anyhow::Result<DailyModel> {
        let method = Method::from_name(&self.model).with_context(|| {
            let known: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
            format!("--model '{}': give one of {}", self.model, known.join(", "))
        })?;
        let calendar = match &self.holidays {
            Some(spec) => Calendar::load(spec).context("reading --holidays")?,
            None => Calendar::default(),
        };
        Ok(DailyModel { method, calendar })
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let topology = load_topology(&args.topology)?;
    let options = args.policy.options()?;
    let mut rollups = None;
    let planned = match (&args.traffic, args.peak_rps) {
        (Some(dir), _) if dir.is_dir() => {
            let r = headroom_traffic::read_rollups(dir)
                .with_context(|| format!("reading dataset {}", dir.display()))?;
            let planned = pipeline::plan_dataset(&topology, &r, args.months, &options)?;
            rollups = Some(r);
            planned
        }
        (Some(series), _) => {
            anyhow::ensure!(
                !args.deploy_windows,
                "--deploy-windows needs a dataset's minutes, not a series"
            );
            let history = pipeline::history(series, args.value == "count")?;
            pipeline::plan_history(&topology, &history, args.months, &options)?
        }
        (None, Some(peak)) => from_growth(args, &topology, peak, &options)?,
        (None, None) => anyhow::bail!("give --traffic DATASET or --peak-rps N --growth PCT"),
    };
    let lines = if args.deploy_windows {
        let rollups = rollups.expect("clap requires --traffic");
        text::deploy_windows(&planned, &topology, &rollups)
    } else if args.json {
        vec![json(&planned)?]
    } else if args.csv {
        text::csv(&planned, &topology)
    } else {
        text::plan(&planned, &topology)
    };
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// `--peak-rps` today growing `--growth` a month, from today.
fn from_growth(
    args: &Args,
    topology: &Topology,
    peak: f64,
    options: &Options,
) -> anyhow::Result<Planned> {
    anyhow::ensure!(
        peak.is_finite() && peak >= 0.0,
        "--peak-rps must be a number ≥ 0, not {peak}"
    );
    let text = args.growth.as_deref().unwrap_or("0");
    let growth: f64 = text
        .trim_end_matches('%')
        .trim()
        .parse()
        .ok()
        .filter(|g: &f64| g.is_finite() && *g > -100.0)
        .with_context(|| format!("--growth '{text}': give percent per month, like 8 or 8%"))?;
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64 / DAY);
    Ok(pipeline::plan_growth(
        topology,
        peak,
        growth,
        today,
        args.months,
        options,
    )?)
}

/// The plan, its demand and cost as one JSON document.
fn json(planned: &Planned) -> anyhow::Result<String> {
    let json = serde_json::json!({
        "months": planned.demand.month_labels,
        "demand": planned.demand.plan,
        "plan": planned.plan,
        "crossings": headroom_plan::crossings(&planned.plan),
        "first_purchases": headroom_plan::first_purchases(&planned.plan),
        "costs": planned.costs,
    });
    Ok(serde_json::to_string_pretty(&json)?)
}

/// Minutes in a lead time given as `5m`, `4h`, `90d`, `8w` or a number of days.
pub(crate) fn lead_time_minutes(text: &str, flag: &str) -> anyhow::Result<f64> {
    headroom::units::minutes(text).with_context(|| {
        format!("{flag} '{text}': give minutes, hours, days or weeks, like 5m, 4h, 90d or 8w")
    })
}

pub(crate) fn load_topology(path: &Path) -> anyhow::Result<Topology> {
    headroom_topology::load(path).with_context(|| format!("invalid topology {}", path.display()))
}
