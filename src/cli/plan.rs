//! `headroom plan`: forecast peak demand through the topology to servers, hosts,
//! network, storage and cost per month.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_forecast::calendar::Calendar;
use headroom_forecast::m4::Method;
use headroom_forecast::{FittedLinearTrend, LinearTrend};
use headroom_plan::replay::History;
use headroom_plan::{
    Cloud, Costs, DailyModel, Demand as PlanDemand, LeadTimes, Plan, Policy, Quantile, Redundancy,
    SelfBuilt, compound_peaks, costs, daily_peak_forecast, minutes_text, monthly_max, plan,
};
use headroom_topology::Topology;
use headroom_traffic::Rollups;
use headroom_traffic::time::{DAY, civil_from_days, format_date};

use super::{bundled, month_start_day, thousands};

/// The bundled self-built price table.
pub(crate) const BUNDLED_SELF_BUILT: &str = "data/prices/self-built.toml";
/// The bundled cloud price table.
pub(crate) const BUNDLED_CLOUD: &str = "data/prices/aws-us-east-1.toml";
/// The shipped price tables, built in for a binary run away from its checkout.
const BUILT_IN_SELF_BUILT: &str = include_str!("../../data/prices/self-built.toml");
const BUILT_IN_CLOUD: &str = include_str!("../../data/prices/aws-us-east-1.toml");
const BUILT_IN_INSTANCES: &str = include_str!("../../data/prices/aws-us-east-1-instances.csv");

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

use headroom_plan::LOOK_AHEAD_MONTHS;

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

/// Each tier's cheapest quantile in `--quantile auto`'s replay; empty without one.
fn per_tier(replayed: Option<&headroom_plan::replay::Replay>) -> Vec<Quantile> {
    replayed.map_or(Vec::new(), |r| r.best_quantile.clone())
}

impl PolicyArgs {
    pub(crate) fn policy(&self) -> anyhow::Result<Policy> {
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

    fn quantile(&self) -> anyhow::Result<Quantile> {
        Quantile::from_name(&self.quantile)
            .with_context(|| format!("--quantile '{}': give point, 80, 95 or auto", self.quantile))
    }

    /// The daily-peak model: `--model` with the `--holidays` calendar.
    pub(crate) fn model(&self) -> anyhow::Result<DailyModel> {
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

    pub(crate) fn prices(&self) -> anyhow::Result<(SelfBuilt, Cloud)> {
        // Without --prices / --cloud: the shipped tables, from the checkout when there is
        // one, else the copies built into the binary (an installed headroom still plans).
        let built_path = self
            .prices
            .clone()
            .unwrap_or_else(|| bundled(BUNDLED_SELF_BUILT));
        let cloud_path = self.cloud.clone().unwrap_or_else(|| bundled(BUNDLED_CLOUD));
        let built = if self.prices.is_none() && !built_path.exists() {
            SelfBuilt::parse(BUILT_IN_SELF_BUILT, Path::new(BUNDLED_SELF_BUILT))
        } else {
            SelfBuilt::load(&built_path)
        }
        .context("reading the self-built prices")?;
        let cloud = if self.cloud.is_none() && !cloud_path.exists() {
            Cloud::parse(
                BUILT_IN_CLOUD,
                Path::new(BUNDLED_CLOUD),
                BUILT_IN_INSTANCES,
                Path::new("data/prices/aws-us-east-1-instances.csv"),
            )
        } else {
            Cloud::load(&cloud_path)
        }
        .context("reading the cloud prices")?;
        anyhow::ensure!(
            built.currency == cloud.currency,
            "{} prices in {} and {} in {}: give both in one currency",
            built_path.display(),
            built.currency,
            cloud_path.display(),
            cloud.currency
        );
        Ok((built, cloud))
    }
}

/// Everything `plan` prints, and `report` shows.
pub(crate) struct Planned {
    pub(crate) demand: Demand,
    pub(crate) plan: Plan,
    pub(crate) costs: Costs,
    pub(crate) quantile: Option<Quantile>,
    /// The replay `--quantile auto` chose by, kept for the report.
    pub(crate) replayed: Option<headroom_plan::replay::Replay>,
}

/// Plans `topology` for the dataset's forecast demand under `policy`.
pub(crate) fn plan_from_dataset(
    topology: &Topology,
    rollups: &Rollups,
    months: u32,
    args: &PolicyArgs,
) -> anyhow::Result<Planned> {
    let history = super::replay::history_of(rollups)?;
    let (quantile, why, replayed) = args.quantile_for(topology, &history, months)?;
    let per_tier = per_tier(replayed.as_ref());
    let mut demand = Demand::forecast(rollups, &history, months, &args.model()?, quantile)?;
    demand.tier_quantiles(&history, &args.model()?, &per_tier);
    demand.explain(why);
    finish(topology, demand, args, Some(quantile), replayed)
}

/// Plans `topology` for a metric series' forecast demand under `policy`.
pub(crate) fn plan_from_history(
    topology: &Topology,
    history: &History,
    months: u32,
    args: &PolicyArgs,
) -> anyhow::Result<Planned> {
    let (quantile, why, replayed) = args.quantile_for(topology, history, months)?;
    let per_tier = per_tier(replayed.as_ref());
    let mut demand = Demand::from_history(history, months, &args.model()?, quantile)?;
    demand.tier_quantiles(history, &args.model()?, &per_tier);
    demand.explain(why);
    finish(topology, demand, args, Some(quantile), replayed)
}

impl PolicyArgs {
    /// The quantile asked for, or with `auto` the cheapest in a replay of `history`
    /// ([`headroom_plan::replay::Replay::cheapest_quantile`]), why, and the replay.
    fn quantile_for(
        &self,
        topology: &Topology,
        history: &History,
        months: u32,
    ) -> anyhow::Result<(
        Quantile,
        Option<String>,
        Option<headroom_plan::replay::Replay>,
    )> {
        if self.quantile != "auto" {
            return Ok((self.quantile()?, None, None));
        }
        let min_days = super::replay::MIN_HISTORY_DAYS;
        let (replayed, currency) =
            super::replay::replay_for(topology, history, months, (min_days, 1), self)?;
        let Some(r) = replayed else {
            let (_, days) = history.daily_peaks();
            let why = format!(
                "--quantile auto: {} days of history are too few to replay ({min_days} days and a whole month after them), so the 80% bound",
                days.len()
            );
            return Ok((Quantile::Upper80, Some(why), None));
        };
        let quantile = r.cheapest_quantile();
        // Tiers whose own cheapest quantile differs from the overall one hold their own.
        let own: Vec<String> = r
            .best_quantile
            .iter()
            .zip(topology.tiers())
            .filter(|(q, _)| **q != quantile)
            .map(|(q, t)| format!("{} {}", t.name, super::replay::quantile_name(*q)))
            .collect();
        let figures: Vec<String> = r
            .plans()
            .iter()
            .map(|o| {
                format!(
                    "{} {} {currency} ({} tier-minutes past a ceiling)",
                    o.name,
                    thousands(o.total_cost().round() as i64),
                    thousands((o.steps_over_ceiling() as i64) * history.step_s / 60)
                )
            })
            .collect();
        let why = format!(
            "--quantile auto chose {} as the cheapest in a replay of {} months of this history: {}; shortfall priced at {} {currency} a minute{}",
            super::replay::quantile_name(quantile),
            r.months.len(),
            figures.join(", "),
            self.shortfall_cost,
            if own.is_empty() {
                String::new()
            } else {
                format!(
                    "; tiers whose own replay was cheapest at another quantile hold it: {}",
                    own.join(", ")
                )
            }
        );
        Ok((quantile, Some(why), Some(r)))
    }
}

fn finish(
    topology: &Topology,
    mut demand: Demand,
    args: &PolicyArgs,
    quantile: Option<Quantile>,
    replayed: Option<headroom_plan::replay::Replay>,
) -> anyhow::Result<Planned> {
    if let Some(r) = args.peak_to_mean {
        anyhow::ensure!(
            r >= 1.0 && r.is_finite(),
            "--peak-to-mean must be at least 1, not {r}"
        );
        demand.plan.peak_to_mean = Some(r);
    } else if demand.plan.peak_to_mean.is_none() {
        demand.plan.peak_to_mean = topology.peak_to_mean();
    }
    let policy = args.policy()?;
    let plan = plan(topology, &demand.plan, policy)?;
    // The cloud side is planned as rented: every tier takes the cloud's lead time.
    let minutes = policy.leads.cloud;
    let rented = headroom_plan::plan(
        topology,
        &demand.plan,
        Policy {
            leads: LeadTimes {
                purchase: minutes,
                vm: minutes,
                cloud: minutes,
            },
            ..policy
        },
    )?;
    let (built, cloud) = args.prices()?;
    let costs = costs(
        topology,
        &plan,
        &rented,
        &built,
        &cloud,
        demand.hourly_shares.as_deref(),
    );
    Ok(Planned {
        demand,
        plan,
        costs,
        quantile,
        replayed,
    })
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let topology = load_topology(&args.topology)?;
    let mut rollups = None;
    let planned = match (&args.traffic, args.peak_rps) {
        (Some(dir), _) if dir.is_dir() => {
            let r = headroom_traffic::read_rollups(dir)
                .with_context(|| format!("reading dataset {}", dir.display()))?;
            let planned = plan_from_dataset(&topology, &r, args.months, &args.policy)?;
            rollups = Some(r);
            planned
        }
        (Some(series), _) => {
            anyhow::ensure!(
                !args.deploy_windows,
                "--deploy-windows needs a dataset's minutes, not a series"
            );
            let history = super::replay::history(series, &args.value)?;
            plan_from_history(&topology, &history, args.months, &args.policy)?
        }
        (None, Some(peak)) => {
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
                .with_context(|| {
                    format!("--growth '{text}': give percent per month, like 8 or 8%")
                })?;
            let today = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64 / DAY);
            let peaks = compound_peaks(peak, growth / 100.0, args.months + LOOK_AHEAD_MONTHS);
            let demand = Demand {
                plan: PlanDemand {
                    peak_rps: peaks[..args.months as usize].to_vec(),
                    upper_rps: peaks,
                    upper_by_tier: Vec::new(),
                    minute_rps: None,
                    peak_to_mean: None,
                    bytes_per_request: None,
                },
                month_labels: month_labels(today, args.months),
                start_day: today,
                daily_peaks: Vec::new(),
                trend: None,
                hourly_shares: None,
                daily_forecast: None,
                described: format!(
                    "front-door peak {peak} requests/s today, growing {growth}% a month"
                ),
            };
            finish(&topology, demand, &args.policy, None, None)?
        }
        (None, None) => anyhow::bail!("give --traffic DATASET or --peak-rps N --growth PCT"),
    };
    if args.deploy_windows {
        let rollups = rollups.expect("clap requires --traffic");
        for line in deploy_windows(&planned, &topology, &rollups) {
            println!("{line}");
        }
        return Ok(());
    }
    if args.json {
        let json = serde_json::json!({
            "months": planned.demand.month_labels,
            "demand": planned.demand.plan,
            "plan": planned.plan,
            "crossings": headroom_plan::crossings(&planned.plan),
            "first_purchases": headroom_plan::first_purchases(&planned.plan),
            "costs": planned.costs,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else if args.csv {
        print_csv(&planned, &topology);
    } else {
        for line in text(&planned, &topology) {
            println!("{line}");
        }
    }
    Ok(())
}

/// Minutes in a lead time given as `5m`, `4h`, `90d`, `8w` or a number of days.
pub(crate) fn lead_time_minutes(text: &str, flag: &str) -> anyhow::Result<f64> {
    let bad =
        || format!("{flag} '{text}': give minutes, hours, days or weeks, like 5m, 4h, 90d or 8w");
    let (number, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| *n >= 0.0 && n.is_finite())
        .with_context(bad)?;
    match unit {
        "m" => Ok(n),
        "h" => Ok(n * 60.0),
        "" | "d" => Ok(n * 1440.0),
        "w" => Ok(n * 7.0 * 1440.0),
        _ => anyhow::bail!(bad()),
    }
}

/// Hours of the week, by day and hour, for listing windows.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `--deploy-windows`: per tier with a deploy strategy, the hours of the week its deploy
/// fits with today's servers at the hour's measured peak, and the largest batch at peaks.
fn deploy_windows(p: &Planned, topology: &Topology, rollups: &Rollups) -> Vec<String> {
    let hours = headroom_plan::hour_of_week_peaks(
        rollups.iter().map(|(m, c)| (m, c.requests as f64 / 60.0)),
    );
    let redundancy = p.plan.policy.redundancy;
    let seen = hours.iter().filter(|h| h.is_some()).count();
    let mut out = vec![format!(
        "deploy windows with today's servers at each hour's busiest minute ({seen} of 168 hours of the week seen; {} lost too; times UTC):",
        redundancy.describe()
    )];
    let peak = hours.iter().flatten().copied().fold(0.0, f64::max);
    for (i, tier) in topology.tiers().iter().enumerate() {
        let Some(deploy) = &tier.deploy else {
            continue;
        };
        let fits = headroom_plan::deploy_windows(topology, i, tier.servers, redundancy, &hours);
        let runs = runs_of(&fits);
        let safe: usize = fits.iter().filter(|f| **f == Some(true)).count();
        out.push(format!(
            "  {} ({}, {:.0} min): fits in {safe} of {seen} hours{}",
            tier.name,
            deploy.describe(),
            deploy.minutes,
            if runs.is_empty() {
                String::new()
            } else {
                format!(": {}", runs.join(", "))
            }
        ));
        let batch = |servers: u32, rps: f64| {
            headroom_plan::largest_batch(topology, i, servers, redundancy, rps)
                .map_or("none fits".to_owned(), |b| format!("{b} at a time"))
        };
        let last = p.plan.months.last();
        out.push(format!(
            "    largest rolling batch: {} with today's {} at the measured peak ({peak:.2} rps){}",
            batch(tier.servers, peak),
            tier.servers,
            last.map_or(String::new(), |m| format!(
                "; {} with the plan's {} at {}'s peak ({:.2} rps)",
                batch(m.tiers[i].total, m.peak_rps),
                m.tiers[i].total,
                p.demand.month_labels.last().map_or("-", String::as_str),
                m.peak_rps
            ))
        ));
    }
    if out.len() == 1 {
        out.push(
            "  no tier states a deploy strategy (deploy = { strategy = ... } in the topology)"
                .to_owned(),
        );
    }
    out
}

/// Runs of safe hours as "Mon 02:00–08:00".
fn runs_of(fits: &[Option<bool>]) -> Vec<String> {
    let n = fits.len();
    let name = |h: usize| format!("{} {:02}:00", WEEKDAYS[(h % n) / 24], h % 24);
    let safe = |h: usize| fits[h % n] == Some(true);
    if (0..n).all(safe) {
        return vec!["every hour".to_owned()];
    }
    // The week is a circle: a run through Sunday midnight is one run, listed from where
    // it starts. Begin at an hour that is not safe so no run is cut in two.
    let first = (0..n).find(|&h| !safe(h)).unwrap_or(0);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut h = first;
    while h < first + n {
        if safe(h) {
            let start = h;
            while h < first + n && safe(h) {
                h += 1;
            }
            runs.push((start % n, h % n));
        } else {
            h += 1;
        }
    }
    runs.sort_unstable();
    let mut out: Vec<String> = runs
        .into_iter()
        .map(|(start, end)| format!("{}–{}", name(start), name(end)))
        .collect();
    if out.len() > 8 {
        let more = out.len() - 8;
        out.truncate(8);
        out.push(format!("and {more} more"));
    }
    out
}

pub(crate) fn load_topology(path: &Path) -> anyhow::Result<Topology> {
    headroom_topology::load(path).with_context(|| format!("invalid topology {}", path.display()))
}

/// The demand a plan is made for, with where it came from.
pub(crate) struct Demand {
    /// What the plan library takes.
    pub(crate) plan: PlanDemand,
    /// `YYYY-MM` of each planned month.
    pub(crate) month_labels: Vec<String>,
    /// Day number the plan starts from (the data's last day, or today).
    pub(crate) start_day: i64,
    /// Unix seconds of each day's start, and that day's busiest-minute requests/s.
    pub(crate) daily_peaks: Vec<(i64, f64)>,
    /// A straight line through the daily peaks, for describing the growth.
    pub(crate) trend: Option<FittedLinearTrend>,
    /// Each hour of the week's (or day's) busiest minute as a share of the highest.
    pub(crate) hourly_shares: Option<Vec<f64>>,
    /// One line on where the demand came from.
    pub(crate) described: String,
    /// The daily forecast behind the monthly peaks, from its first day (day number).
    pub(crate) daily_forecast: Option<(i64, headroom_plan::DailyForecast)>,
}

impl Demand {
    /// Gives each tier its own quantile's monthly bound (`--quantile auto`'s per-tier
    /// choice) when they are not all the same; the same forecast as
    /// [`Demand::from_history`] made, with both intervals from one calibration.
    fn tier_quantiles(&mut self, h: &History, model: &DailyModel, per_tier: &[Quantile]) {
        let (first_day, history) = h.daily_peaks();
        let months = self.plan.upper_rps.len();
        self.plan.upper_by_tier =
            headroom_plan::tier_upper_rps(&history, first_day, months, model, per_tier);
    }

    /// Adds why the quantile was chosen to the line on where the demand came from.
    fn explain(&mut self, why: Option<String>) {
        if let Some(why) = why {
            self.described.push_str("; ");
            self.described.push_str(&why);
        }
    }

    /// Forecasts the dataset's daily peaks (its minutes as `history`) `months` calendar
    /// months past its last day, with the dataset's bytes and hour-of-week profile.
    pub(crate) fn forecast(
        rollups: &Rollups,
        history: &History,
        months: u32,
        model: &DailyModel,
        quantile: Quantile,
    ) -> anyhow::Result<Demand> {
        let mut demand = Demand::from_history(history, months, model, quantile)?;
        let (requests, bytes) = rollups
            .iter()
            .fold((0i64, 0i64), |(r, b), (_, c)| (r + c.requests, b + c.bytes));
        demand.plan.bytes_per_request = (requests > 0).then(|| bytes as f64 / requests as f64);
        demand.hourly_shares = hourly_shares(rollups);
        demand.daily_peaks = rollups
            .daily_peaks()
            .iter()
            .map(|p| (p.day_s, p.peak_rps))
            .collect();
        Ok(demand)
    }

    /// Forecasts a history's daily peaks (each day's highest step; a day without a
    /// request is a gap, interpolated) `months` calendar months past its last day.
    /// A dataset and a metric series made from its minutes give the same demand.
    pub(crate) fn from_history(
        h: &History,
        months: u32,
        model: &DailyModel,
        quantile: Quantile,
    ) -> anyhow::Result<Demand> {
        let (first_day, history) = h.daily_peaks();
        anyhow::ensure!(!history.is_empty(), "the history holds no traffic");
        let last_day = first_day + history.len() as i64 - 1;
        let lengths =
            headroom_plan::forecast_month_lengths(last_day, (months + LOOK_AHEAD_MONTHS) as usize);
        let days: usize = lengths.iter().sum();
        let daily = daily_peak_forecast(&history, first_day, days, model, quantile);
        let mut monthly = monthly_max(&daily.point, &lengths);
        monthly.remove(0);
        monthly.truncate(months as usize);
        let mut upper = monthly_max(&daily.upper, &lengths);
        upper.remove(0);
        let days_f: Vec<f64> = (0..history.len()).map(|d| d as f64).collect();
        let trend = LinearTrend.fit(&days_f, &history).ok();
        let peak = h.rps.iter().copied().fold(0.0, f64::max);
        let mean = h.rps.iter().sum::<f64>() / h.rps.len() as f64;
        let horizon_days = f64::from(months) * headroom_plan::DAYS_PER_MONTH;
        // Say plainly when the forecast reaches further ahead than the data goes back.
        let empty = h.empty_days();
        let gaps = if empty > 0 {
            format!(
                "; {empty} days without a request filled by interpolation (logs lost, not zero demand)"
            )
        } else {
            String::new()
        };
        let guess = if horizon_days > history.len() as f64 {
            format!(
                "; a guess past {} days: the forecast reaches {months} months ahead on {} days of history",
                history.len(),
                history.len()
            )
        } else {
            String::new()
        };
        Ok(Demand {
            described: format!(
                "daily peak requests/s over {} days to {} (last {:.3}){gaps}, forecast with {} ({}{}); servers follow the point forecast, purchases hold {} over their lead time{guess}",
                history.len(),
                format_date(last_day * DAY),
                history[history.len() - 1],
                model.method.name(),
                seasons_text(history.len()),
                calendar_text(&model.calendar, &history, first_day),
                quantile.describe()
            ),
            plan: PlanDemand {
                peak_rps: monthly,
                upper_rps: upper,
                upper_by_tier: Vec::new(),
                // Minute steps tell how fast demand rises within a fast supply's lead.
                minute_rps: (h.step_s == 60).then(|| h.rps.clone()),
                peak_to_mean: (mean > 0.0).then(|| (peak / mean).max(1.0)),
                bytes_per_request: None,
            },
            month_labels: month_labels(last_day, months),
            start_day: last_day,
            daily_peaks: history
                .iter()
                .enumerate()
                .map(|(d, p)| ((first_day + d as i64) * DAY, *p))
                .collect(),
            trend,
            hourly_shares: None,
            daily_forecast: Some((last_day + 1, daily)),
        })
    }
}

/// What the calendar did, in words: "" without one, else how many of its events fell
/// in the history and had their effect measured.
fn calendar_text(calendar: &Calendar, history: &[f64], first_day: i64) -> String {
    if calendar.is_empty() {
        return String::new();
    }
    let fx = headroom_forecast::calendar::effects(history, first_day, calendar);
    format!(
        "; {} dated events, effects measured on {} days of the history",
        calendar.len(),
        fx.measured
    )
}

/// The daily seasons used, in words: "seasons: week" or "no season: …".
fn seasons_text(days: usize) -> String {
    let (used, _) = headroom_plan::daily_seasons(days);
    match used.periods.len() {
        0 => "no season: fewer than two weeks of history".to_owned(),
        1 => "weekly season; fewer than two years of history for a yearly one".to_owned(),
        _ => "weekly and yearly seasons".to_owned(),
    }
}

/// The busiest minute of each hour of the week, averaged over the weeks seen, as a share
/// of the highest; each hour of the day when the data does not cover every hour of the
/// week; `None` when it does not cover every hour of the day.
fn hourly_shares(rollups: &Rollups) -> Option<Vec<f64>> {
    let mut hours: std::collections::BTreeMap<i64, i64> = Default::default();
    for (minute, c) in rollups.iter() {
        let h = hours.entry(minute.div_euclid(3600)).or_default();
        *h = (*h).max(c.requests);
    }
    let (first, last) = (*hours.keys().next()?, *hours.keys().next_back()?);
    for period in [168, 24] {
        let mut sums = vec![(0.0, 0u32); period];
        // Every hour from the first to the last counts, idle ones as zero.
        for h in first..=last {
            let slot = &mut sums[if period == 168 {
                headroom_traffic::time::hour_of_week(h * 3600)
            } else {
                h.rem_euclid(24) as usize
            }];
            slot.0 += hours.get(&h).copied().unwrap_or(0) as f64 / 60.0;
            slot.1 += 1;
        }
        if sums.iter().all(|s| s.1 > 0) {
            let means: Vec<f64> = sums.iter().map(|s| s.0 / f64::from(s.1)).collect();
            let top = means.iter().copied().fold(0.0, f64::max);
            if top > 0.0 {
                return Some(means.iter().map(|m| m / top).collect());
            }
        }
    }
    None
}

/// `YYYY-MM` of the `months` calendar months after the one holding `last_day`.
fn month_labels(last_day: i64, months: u32) -> Vec<String> {
    let (year, month, _) = civil_from_days(last_day);
    (1..=i64::from(months))
        .map(|m| {
            let index = year * 12 + i64::from(month) - 1 + m;
            format!("{:04}-{:02}", index / 12, index % 12 + 1)
        })
        .collect()
}

/// Money with thousands separators, no decimals.
pub(crate) fn money(x: f64) -> String {
    thousands(x.round() as i64)
}

/// The plan as lines of text.
pub(crate) fn text(p: &Planned, topology: &Topology) -> Vec<String> {
    let plan = &p.plan;
    let labels = &p.demand.month_labels;
    let mut out = vec![
        p.demand.described.clone(),
        format!(
            "policy: {} per tier; ceilings {}",
            plan.policy.redundancy.describe(),
            topology
                .tiers()
                .iter()
                .map(|t| format!("{} {:.0}%", t.name, t.ceiling * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ];
    let tiers = topology.tiers();
    let mut header = format!("{:<8} {:>10}", "month", "peak rps");
    for t in tiers {
        header.push_str(&format!(" {:>7}", t.name));
    }
    for pool in topology.pools() {
        header.push_str(&format!(" {:>9}", pool.name));
    }
    header.push_str(&format!(" {:>8} {:>9}", "machines", "peak Mbps"));
    out.push(header);
    for (i, (m, label)) in plan.months.iter().zip(labels).enumerate() {
        let mut row = format!("{label:<8} {:>10.3}", m.peak_rps);
        for t in &m.tiers {
            row.push_str(&format!(" {:>7}", t.total));
        }
        for pool in &m.pools {
            row.push_str(&format!(" {:>9}", pool.total));
        }
        row.push_str(&format!(
            " {:>8} {:>9}",
            plan.machines(topology, i),
            m.network
                .as_ref()
                .map_or("-".to_owned(), |n| format!("{:.1}", n.peak_mbps))
        ));
        out.push(row);
    }
    let mut today = format!("{:<8} {:>10}", "today", "");
    for t in tiers {
        today.push_str(&format!(" {:>7}", t.servers));
    }
    if let Some(first) = plan.months.first() {
        for pool in &first.pools {
            today.push_str(&format!(" {:>9}", pool.today));
        }
    }
    out.push(today);
    let (Some(last), Some(label)) = (plan.months.last(), labels.last()) else {
        return out;
    };
    out.push(format!("why, in {label}:"));
    for t in &last.tiers {
        out.push(format!("  {}", t.reason));
    }
    for pool in &last.pools {
        out.push(format!(
            "  pool '{}': {} hosts (its VMs pack onto {}, one VM of a tier per host; {} today)",
            pool.pool, pool.total, pool.packed, pool.today
        ));
    }
    if let Some(n) = &last.network {
        out.push(match (topology.uplink(), n.uplinks_needed) {
            (Some(u), Some(needed)) => format!(
                "  network: {:.1} Mbps at peak on {} × {} Mbps uplinks ({:.0}%); {} needed to stay under {:.0}% with one lost",
                n.peak_mbps,
                u.count,
                u.mbps,
                n.utilisation.unwrap_or(0.0) * 100.0,
                needed,
                headroom_plan::LINK_CEILING * 100.0
            ),
            _ => format!(
                "  network: {:.1} Mbps at peak (no uplink_mbps in the topology to compare with)",
                n.peak_mbps
            ),
        });
    }
    for s in &last.storage {
        let first = plan.months[0]
            .storage
            .iter()
            .find(|f| f.tier == s.tier)
            .map_or(0.0, |f| f.gb_per_server);
        out.push(format!(
            "  storage: {} holds {:.0} GB a server ({} at the end of month 1){}",
            s.tier,
            s.gb_per_server,
            format_args!("{first:.0} GB"),
            s.fill.map_or(String::new(), |f| format!(
                ", {:.0}% of its disk",
                f * 100.0
            ))
        ));
    }
    out.extend(when_to_order(p, topology));
    out.extend(cost_lines(&p.costs, labels));
    out
}

/// When each tier runs out of room with today's servers, and by when to order.
fn when_to_order(p: &Planned, topology: &Topology) -> Vec<String> {
    let labels = &p.demand.month_labels;
    let start_day = p.demand.start_day;
    let leads = &p.plan.policy.leads;
    let mut out = vec![format!(
        "with today's servers (lead times: purchase {}, VM {}, cloud {}):",
        minutes_text(leads.purchase),
        minutes_text(leads.vm),
        minutes_text(leads.cloud)
    )];
    let (year, first, _) = civil_from_days(start_day);
    let month_start =
        |month: u32| month_start_day(year * 12 + i64::from(first) - 1 + i64::from(month));
    let crossings = headroom_plan::crossings(&p.plan);
    let buys = headroom_plan::first_purchases(&p.plan);
    for ((tier, crossing), buy) in topology.tiers().iter().zip(crossings).zip(buys) {
        let line = match buy {
            Some(month) => {
                let lead_days = (leads.of(tier.supply()) / 1440.0).ceil() as i64;
                let order_by = month_start(month) - lead_days;
                let late = if order_by < start_day {
                    " (already late)"
                } else {
                    ""
                };
                let planned = p.plan.months[month as usize - 1]
                    .tiers
                    .iter()
                    .find(|t| t.tier == tier.name)
                    .expect("every month plans every tier");
                let required = planned.required;
                let mut parts = vec!["demand".to_owned()];
                if planned.for_lead > 0 {
                    parts.push("lead-time buffer".to_owned());
                }
                parts.push(p.plan.policy.redundancy.describe());
                if planned.for_deploy > 0 {
                    parts.push("deploys".to_owned());
                }
                let ceiling = match crossing {
                    Some(c) => format!(
                        "; demand alone passes its ceiling in {}",
                        labels[c as usize - 1]
                    ),
                    None => String::new(),
                };
                format!(
                    "  {}: needs {required} in {} ({}), more than its {}: order by {}{late}{ceiling}",
                    tier.name,
                    labels[month as usize - 1],
                    parts.join(", "),
                    tier.servers,
                    format_date(order_by * DAY)
                )
            }
            None => format!(
                "  {}: its {} servers carry the demand through {}",
                tier.name,
                tier.servers,
                labels.last().map_or("-", String::as_str)
            ),
        };
        out.push(line);
    }
    for (tier, month) in headroom_plan::storage_crossings(&p.plan) {
        if let Some(m) = month {
            out.push(format!(
                "  {tier}: data passes {:.0}% of a server's disk in {}",
                headroom_plan::DISK_CEILING * 100.0,
                labels[m as usize - 1]
            ));
        }
    }
    out
}

fn cost_lines(c: &Costs, labels: &[String]) -> Vec<String> {
    let mut out = vec![format!(
        "cost ({}; self-built amortised, and as cash with the fleet bought in month 1):",
        c.currency
    )];
    out.push(format!(
        "  {:<8} {:>12} {:>12} {:>14} {:>12} {:>12}",
        "month", "self-built", "(cash)", "cloud reserved", "on demand", "elastic"
    ));
    for (m, label) in c.months.iter().zip(labels) {
        out.push(format!(
            "  {label:<8} {:>12} {:>12} {:>14} {:>12} {:>12}",
            money(m.self_built),
            money(m.self_built_cash),
            money(m.cloud_reserved),
            money(m.cloud_on_demand),
            m.cloud_elastic.map_or("-".to_owned(), money)
        ));
    }
    let t = &c.totals;
    out.push(format!(
        "  {:<8} {:>12} {:>12} {:>14} {:>12} {:>12}",
        "total",
        money(t.self_built),
        money(t.self_built_cash),
        money(t.cloud_reserved),
        money(t.cloud_on_demand),
        t.cloud_elastic.map_or("-".to_owned(), money)
    ));
    out.push(match c.break_even {
        Some(m) => format!(
            "  break-even: by {} the self-built cash spent ({} up front) is at or below three-year reserved cloud",
            labels[m as usize - 1],
            money(c.months[0].self_built_cash)
        ),
        None => format!(
            "  break-even: not within {} months: cumulative self-built cash stays above reserved cloud",
            labels.len()
        ),
    });
    if t.cloud_elastic.is_none() {
        out.push("  elastic: needs the hourly profile of a dataset (--traffic)".to_owned());
    }
    for tier in &c.tiers {
        let (cheap, dear) = if tier.favours == "self-built" {
            (tier.self_built.total, tier.cloud.total)
        } else {
            (tier.cloud.total, tier.self_built.total)
        };
        out.push(format!(
            "  {}: self-built {} ({}) against cloud {} ({}): favours {}{}",
            tier.tier,
            money(tier.self_built.total),
            tier.self_built.what,
            money(tier.cloud.total),
            tier.cloud.what,
            tier.favours,
            if dear > 0.0 {
                format!(" ({:.0}% cheaper)", (1.0 - cheap / dear) * 100.0)
            } else {
                String::new()
            }
        ));
    }
    for (tier, why) in &c.unpriced {
        out.push(format!("  {tier}: not priced: {why}"));
    }
    out
}

fn print_csv(p: &Planned, topology: &Topology) {
    println!(
        "month,peak_rps,tier,demand_rps,for_demand,for_lead,for_redundancy,for_deploy,required,today,total,added,utilisation,machines,peak_mbps,self_built_cost,cloud_reserved_cost"
    );
    for (i, (m, label)) in p.plan.months.iter().zip(&p.demand.month_labels).enumerate() {
        let c = &p.costs.months[i];
        for t in &m.tiers {
            println!(
                "{label},{:.3},{},{:.3},{},{},{},{},{},{},{},{},{:.4},{},{},{:.2},{:.2}",
                m.peak_rps,
                t.tier,
                t.demand_rps,
                t.for_demand,
                t.for_lead,
                t.for_redundancy,
                t.for_deploy,
                t.required,
                t.today,
                t.total,
                t.added,
                t.utilisation,
                p.plan.machines(topology, i),
                m.network
                    .as_ref()
                    .map_or(String::new(), |n| format!("{:.3}", n.peak_mbps)),
                c.self_built,
                c.cloud_reserved
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_roll_over_the_year() {
        // 2015-11-30 is day 16,769.
        assert_eq!(month_labels(16_769, 3), ["2015-12", "2016-01", "2016-02"]);
    }

    #[test]
    fn lead_times() {
        assert_eq!(lead_time_minutes("8w", "-").unwrap(), 56.0 * 1440.0);
        assert_eq!(lead_time_minutes("90d", "-").unwrap(), 90.0 * 1440.0);
        assert_eq!(lead_time_minutes("4h", "-").unwrap(), 240.0);
        assert_eq!(lead_time_minutes("5m", "-").unwrap(), 5.0);
        assert!(lead_time_minutes("3y", "-").is_err());
    }

    #[test]
    fn built_in_prices_equal_the_shipped_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let built_in = SelfBuilt::parse(BUILT_IN_SELF_BUILT, Path::new("x")).unwrap();
        assert_eq!(
            built_in,
            SelfBuilt::load(&root.join(BUNDLED_SELF_BUILT)).unwrap()
        );
        let cloud = Cloud::parse(
            BUILT_IN_CLOUD,
            Path::new("x"),
            BUILT_IN_INSTANCES,
            Path::new("y"),
        )
        .unwrap();
        assert_eq!(cloud, Cloud::load(&root.join(BUNDLED_CLOUD)).unwrap());
    }

    #[test]
    fn runs_of_safe_hours() {
        let mut fits = vec![Some(false); 168];
        for h in [26, 27, 28, 100, 167] {
            fits[h] = Some(true);
        }
        assert_eq!(
            runs_of(&fits),
            [
                "Tue 02:00–Tue 05:00",
                "Fri 04:00–Fri 05:00",
                "Sun 23:00–Mon 00:00"
            ]
        );
        // Through Sunday midnight: one run.
        let mut fits = vec![Some(false); 168];
        for h in (160..168).chain(0..5) {
            fits[h] = Some(true);
        }
        assert_eq!(runs_of(&fits), ["Sun 16:00–Mon 05:00"]);
        assert_eq!(runs_of(&[Some(true); 168]), ["every hour"]);
    }
}
