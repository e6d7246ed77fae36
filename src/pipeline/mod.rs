//! The path from data to plan: a dataset's minutes or a metric series become a
//! history, its daily peaks a forecast demand, the demand a plan for a topology under
//! the chosen policy, and the plan is priced self-built and in the cloud.
//!
//! ```no_run
//! use headroom::pipeline::{self, Options, Prices};
//!
//! let topology = headroom::topology::load("data/topologies/hatena-bookmark.toml".as_ref())?;
//! let rollups = headroom::traffic::read_rollups("dataset".as_ref())?;
//! let options = Options::new(Prices::shipped()?);
//! let planned = pipeline::plan_dataset(&topology, &rollups, 12, &options)?;
//! for line in headroom::pipeline::text::plan(&planned, &topology) {
//!     println!("{line}");
//! }
//! # Ok::<(), headroom::Error>(())
//! ```

pub mod text;

use std::path::{Path, PathBuf};

use headroom_forecast::calendar::Calendar;
use headroom_forecast::m4::Method;
use headroom_forecast::{FittedLinearTrend, LinearTrend};
use headroom_plan::replay::{History, Replay, ReplayConfig, replay, server_month_costs};
use headroom_plan::{
    Cloud, Costs, DailyModel, Demand as PlanDemand, LOOK_AHEAD_MONTHS, LeadTimes, Plan, Policy,
    Quantile, SelfBuilt, compound_peaks, costs, daily_peak_forecast, monthly_max,
};
use headroom_topology::Topology;
use headroom_traffic::Rollups;
use headroom_traffic::time::{DAY, civil_from_days, format_date};

use crate::error::{Context as _, Error, Result};

/// The bundled self-built price table.
pub const BUNDLED_SELF_BUILT: &str = "data/prices/self-built.toml";
/// The bundled cloud price table.
pub const BUNDLED_CLOUD: &str = "data/prices/aws-us-east-1.toml";
/// The bundled cloud instance table the cloud price table names.
const BUNDLED_INSTANCES: &str = "data/prices/aws-us-east-1-instances.csv";
/// The shipped price tables, built in for a program run away from the checkout.
const BUILT_IN_SELF_BUILT: &str = include_str!("../../data/prices/self-built.toml");
const BUILT_IN_CLOUD: &str = include_str!("../../data/prices/aws-us-east-1.toml");
const BUILT_IN_INSTANCES: &str = include_str!("../../data/prices/aws-us-east-1-instances.csv");
/// The bundled access log `report` uses when given none.
pub const BUNDLED_LOG: &str = "data/logs/elastic_apache_logs.log";
/// The bundled topology `report` uses when given none.
pub const BUNDLED_TOPOLOGY: &str = "data/topologies/hatena-bookmark.toml";
/// Days of history before the first replayed origin of `Quantile::Auto` and the report.
pub const MIN_HISTORY_DAYS: usize = 90;

/// Finds a bundled file: relative to the working directory first, else in the source
/// tree this library was built from (so `cargo run` works from any folder of the
/// checkout).
pub fn bundled(relative: &str) -> PathBuf {
    let here = Path::new(relative);
    if here.exists() {
        here.to_owned()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

/// The two price tables a plan is costed with, in one currency.
#[derive(Debug, Clone)]
pub struct Prices {
    /// Servers bought and amortised.
    pub self_built: SelfBuilt,
    /// Instances rented.
    pub cloud: Cloud,
}

impl Prices {
    /// Both tables, checked to share a currency (the comparison means nothing otherwise).
    pub fn new(self_built: SelfBuilt, cloud: Cloud) -> Result<Prices> {
        // Tables made in code have no file to name.
        Prices::checked(
            self_built,
            Path::new("the self-built table"),
            cloud,
            Path::new("the cloud table"),
        )
    }

    /// The tables in the given files; `None` takes the shipped one: from the checkout
    /// when there is one, else the copy built into the program.
    pub fn load(self_built: Option<&Path>, cloud: Option<&Path>) -> Result<Prices> {
        let built_path = self_built.map_or_else(|| bundled(BUNDLED_SELF_BUILT), Path::to_owned);
        let cloud_path = cloud.map_or_else(|| bundled(BUNDLED_CLOUD), Path::to_owned);
        let built = if self_built.is_none() && !built_path.exists() {
            SelfBuilt::parse(BUILT_IN_SELF_BUILT, Path::new(BUNDLED_SELF_BUILT))
        } else {
            SelfBuilt::load(&built_path)
        }
        .context("reading the self-built prices")?;
        let rented = if cloud.is_none() && !cloud_path.exists() {
            Cloud::parse(
                BUILT_IN_CLOUD,
                Path::new(BUNDLED_CLOUD),
                BUILT_IN_INSTANCES,
                Path::new(BUNDLED_INSTANCES),
            )
        } else {
            Cloud::load(&cloud_path)
        }
        .context("reading the cloud prices")?;
        Prices::checked(built, &built_path, rented, &cloud_path)
    }

    /// The shipped tables ([`Prices::load`] with neither file given).
    pub fn shipped() -> Result<Prices> {
        Prices::load(None, None)
    }

    fn checked(
        built: SelfBuilt,
        built_path: &Path,
        cloud: Cloud,
        cloud_path: &Path,
    ) -> Result<Prices> {
        if built.currency != cloud.currency {
            return Err(Error::Currencies {
                built_path: built_path.to_owned(),
                built: built.currency,
                cloud_path: cloud_path.to_owned(),
                cloud: cloud.currency,
            });
        }
        Ok(Prices {
            self_built: built,
            cloud,
        })
    }

    /// The currency both tables are in.
    pub fn currency(&self) -> &str {
        &self.self_built.currency
    }
}

/// Which forecast bound purchased servers hold over their lead time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantileChoice {
    /// This one.
    Fixed(Quantile),
    /// The one that cost least in a replay of the history (each tier its own when they
    /// differ); the 80% bound when the history is too short to replay.
    Auto,
}

/// The choices behind a plan: what the binary's plan flags set.
#[derive(Debug, Clone)]
pub struct Options {
    /// Failures to survive at peak and the lead times of each supply.
    pub policy: Policy,
    /// The bound purchases hold.
    pub quantile: QuantileChoice,
    /// What one minute with a tier past its ceiling costs, in the prices' currency,
    /// for replays (`QuantileChoice::Auto`, the report's replay). 0 prices hardware only.
    pub shortfall_cost: f64,
    /// The daily-peak forecasting method and calendar.
    pub model: DailyModel,
    /// Peak ÷ mean request rate; `None`: the data's, else the topology's, else 1.
    pub peak_to_mean: Option<f64>,
    /// The price tables.
    pub prices: Prices,
}

impl Options {
    /// The defaults of `headroom plan`: N+1, 80% bound, 8-week purchases, 4-hour VMs,
    /// 5-minute cloud instances, `auto` forecasts, no calendar, hardware priced only.
    pub fn new(prices: Prices) -> Options {
        Options {
            policy: Policy::default(),
            quantile: QuantileChoice::Fixed(Quantile::Upper80),
            shortfall_cost: 0.0,
            model: DailyModel {
                method: Method::Auto,
                calendar: Calendar::default(),
            },
            peak_to_mean: None,
            prices,
        }
    }

    fn check(&self) -> Result<()> {
        if !(self.shortfall_cost.is_finite() && self.shortfall_cost >= 0.0) {
            return Err(Error::OutOfRange {
                what: "the shortfall cost",
                range: "a cost of 0 or more",
                value: self.shortfall_cost,
            });
        }
        if let Some(r) = self.peak_to_mean
            && !(r >= 1.0 && r.is_finite())
        {
            return Err(Error::OutOfRange {
                what: "peak to mean",
                range: "at least 1",
                value: r,
            });
        }
        Ok(())
    }
}

/// Everything a plan prints and the report shows.
#[derive(Debug)]
pub struct Planned {
    /// The demand planned for, with where it came from.
    pub demand: Demand,
    /// Servers per tier per month.
    pub plan: Plan,
    /// Both sides' cost.
    pub costs: Costs,
    /// The bound purchases hold; `None` for a demand given as a growth rate.
    pub quantile: Option<Quantile>,
    /// The replay `QuantileChoice::Auto` chose by.
    pub replayed: Option<Replay>,
}

/// What `headroom plan --json` writes (its other fields are derived from these).
#[derive(serde::Deserialize)]
struct PlanFile {
    months: Vec<String>,
    demand: PlanDemand,
    plan: Plan,
    costs: Costs,
}

impl Planned {
    /// A plan read back from what `headroom plan --json` wrote to `path`: enough for
    /// the plan's text and its servers, utilisation, cost and topology charts, not for
    /// the forecast chart (the file holds monthly peaks, not the daily ones).
    pub fn from_json(text: &str, path: &Path) -> Result<Planned> {
        let file: PlanFile = serde_json::from_str(text).map_err(|e| Error::PlanFile {
            path: path.to_owned(),
            line: e.line(),
            reason: e.to_string(),
        })?;
        let start_day = file
            .months
            .first()
            .and_then(|m| month_start(m))
            .map_or(0, |d| d - 1);
        let demand = Demand {
            plan: file.demand,
            month_labels: file.months,
            start_day,
            daily_peaks: Vec::new(),
            trend: None,
            hourly_shares: None,
            described: format!("the plan in {}", path.display()),
            daily_forecast: None,
        };
        Ok(Planned {
            demand,
            plan: file.plan,
            costs: file.costs,
            quantile: None,
            replayed: None,
        })
    }
}

impl Planned {
    /// The planner replayed on `history`, as the report shows it: the replay
    /// `QuantileChoice::Auto` chose by, else one made now with monthly origins after
    /// [`MIN_HISTORY_DAYS`]; `None` when the history is too short for one.
    pub fn replay(
        &self,
        topology: &Topology,
        history: &History,
        months: u32,
        options: &Options,
    ) -> Result<Option<Replay>> {
        match &self.replayed {
            Some(r) => Ok(Some(r.clone())),
            None => replay_for(topology, history, months, (MIN_HISTORY_DAYS, 1), options),
        }
    }
}

/// The day number of the first of a `YYYY-MM` month.
fn month_start(label: &str) -> Option<i64> {
    let (year, month) = label.split_once('-')?;
    let (year, month): (i64, u32) = (year.parse().ok()?, month.parse().ok()?);
    (1..=12)
        .contains(&month)
        .then(|| headroom_traffic::time::days_from_civil(year, month, 1))
}

/// Plans `topology` for the forecast of a dataset's daily peaks, `months` calendar
/// months past its last day, with its bytes per request and hour-of-week profile.
pub fn plan_dataset(
    topology: &Topology,
    rollups: &Rollups,
    months: u32,
    options: &Options,
) -> Result<Planned> {
    let history = history_of(rollups)?;
    let (quantile, why, replayed) = quantile_for(topology, &history, months, options)?;
    let mut demand = Demand::forecast(rollups, &history, months, &options.model, quantile)?;
    demand.tier_quantiles(&history, &options.model, replayed.as_ref());
    demand.explain(why);
    finish(topology, demand, options, Some(quantile), replayed)
}

/// Plans `topology` for the forecast of a history's daily peaks (a metric series, or a
/// dataset's minutes: both give the same demand).
pub fn plan_history(
    topology: &Topology,
    history: &History,
    months: u32,
    options: &Options,
) -> Result<Planned> {
    let (quantile, why, replayed) = quantile_for(topology, history, months, options)?;
    let mut demand = Demand::from_history(history, months, &options.model, quantile)?;
    demand.tier_quantiles(history, &options.model, replayed.as_ref());
    demand.explain(why);
    finish(topology, demand, options, Some(quantile), replayed)
}

/// Plans `topology` for a front-door peak of `peak_rps` today growing `growth_percent`
/// (8: 8%) a month, compounded, from `today` (a day number since 1970-01-01).
pub fn plan_growth(
    topology: &Topology,
    peak_rps: f64,
    growth_percent: f64,
    today: i64,
    months: u32,
    options: &Options,
) -> Result<Planned> {
    check_growth(peak_rps, growth_percent)?;
    let peaks = compound_peaks(peak_rps, growth_percent / 100.0, months + LOOK_AHEAD_MONTHS);
    let demand = Demand {
        plan: PlanDemand {
            peak_rps: peaks[..months as usize].to_vec(),
            upper_rps: peaks,
            upper_by_tier: Vec::new(),
            minute_rps: None,
            peak_to_mean: None,
            bytes_per_request: None,
        },
        month_labels: month_labels(today, months),
        start_day: today,
        daily_peaks: Vec::new(),
        trend: None,
        hourly_shares: None,
        daily_forecast: None,
        described: format!(
            "front-door peak {peak_rps} requests/s today, growing {growth_percent}% a month"
        ),
    };
    finish(topology, demand, options, None, None)
}

/// A stated peak must be a rate, and growth above −100% a month.
fn check_growth(peak_rps: f64, growth_percent: f64) -> Result<()> {
    if !(peak_rps.is_finite() && peak_rps >= 0.0) {
        return Err(Error::OutOfRange {
            what: "the peak",
            range: "a number of requests/s ≥ 0",
            value: peak_rps,
        });
    }
    if !(growth_percent.is_finite() && growth_percent > -100.0) {
        return Err(Error::OutOfRange {
            what: "the growth",
            range: "above -100% a month",
            value: growth_percent,
        });
    }
    Ok(())
}

/// The quantile asked for, or with `Auto` the cheapest in a replay of `history`
/// ([`Replay::cheapest_quantile`]), why, and the replay.
fn quantile_for(
    topology: &Topology,
    history: &History,
    months: u32,
    options: &Options,
) -> Result<(Quantile, Option<String>, Option<Replay>)> {
    if let QuantileChoice::Fixed(q) = options.quantile {
        return Ok((q, None, None));
    }
    let min_days = MIN_HISTORY_DAYS;
    let Some(r) = replay_for(topology, history, months, (min_days, 1), options)? else {
        let (_, days) = history.daily_peaks();
        let why = format!(
            "--quantile auto: {} days of history are too few to replay ({min_days} days and a whole month after them), so the 80% bound",
            days.len()
        );
        return Ok((Quantile::Upper80, Some(why), None));
    };
    let why = text::auto_quantile(&r, topology, history.step_s, options);
    Ok((r.cheapest_quantile(), Some(why), Some(r)))
}

/// Gives the demand its peak-to-mean ratio, plans it under the policy, plans it again
/// as rented (every tier at the cloud's lead time) and prices both sides.
fn finish(
    topology: &Topology,
    mut demand: Demand,
    options: &Options,
    quantile: Option<Quantile>,
    replayed: Option<Replay>,
) -> Result<Planned> {
    options.check()?;
    if let Some(r) = options.peak_to_mean {
        demand.plan.peak_to_mean = Some(r);
    } else if demand.plan.peak_to_mean.is_none() {
        demand.plan.peak_to_mean = topology.peak_to_mean();
    }
    let policy = options.policy;
    let plan = headroom_plan::plan(topology, &demand.plan, policy)?;
    let rented = headroom_plan::plan(topology, &demand.plan, rented(policy))?;
    let prices = &options.prices;
    let costs = costs(
        topology,
        &plan,
        &rented,
        &prices.self_built,
        &prices.cloud,
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

/// The policy the cloud side is planned under: rented, so every tier takes the cloud's
/// lead time.
fn rented(policy: Policy) -> Policy {
    let minutes = policy.leads.cloud;
    let leads = LeadTimes {
        purchase: minutes,
        vm: minutes,
        cloud: minutes,
    };
    Policy { leads, ..policy }
}

/// The planner replayed on `history` under `options`, origins after `min_history_days`
/// and every `every_months`; `None` when the history is too short for one origin.
pub fn replay_for(
    topology: &Topology,
    history: &History,
    months: u32,
    (min_history_days, every_months): (usize, u32),
    options: &Options,
) -> Result<Option<Replay>> {
    options.check()?;
    let config = ReplayConfig {
        months,
        min_history_days,
        every_months,
        model: options.model.clone(),
        policy: options.policy,
        shortfall_cost_per_step: options.shortfall_cost * history.step_s as f64 / 60.0,
    };
    let costs = server_month_costs(topology, &options.prices.self_built);
    Ok(replay(topology, history, &costs, &config)?)
}

/// A dataset's minutes as a history (idle minutes as zero).
pub fn history_of(rollups: &Rollups) -> Result<History> {
    History::from_minutes(rollups.iter().map(|(m, c)| (m, c.requests as f64)))
        .ok_or(Error::NoTraffic)
}

/// The history in `source`: a dataset folder's minutes, or a metric series file's steps
/// (a CSV of `timestamp,value` or a Prometheus `query_range` JSON answer) as requests per
/// second; `counts`: the series' values are requests per step, not per second.
pub fn history(source: &Path, counts: bool) -> Result<History> {
    if source.is_dir() {
        let rollups = headroom_traffic::read_rollups(source)
            .with_context(|| format!("reading dataset {}", source.display()))?;
        return history_of(&rollups).with_context(|| format!("dataset {}", source.display()));
    }
    let s = headroom_forecast::series::read(source)?;
    History::from_series(&s, counts).ok_or_else(|| Error::Step {
        path: source.to_owned(),
        step_s: if s.monthly { 30 * DAY } else { s.step },
    })
}

/// The demand a plan is made for, with where it came from.
#[derive(Debug, Clone)]
pub struct Demand {
    /// What the plan library takes.
    pub plan: PlanDemand,
    /// `YYYY-MM` of each planned month.
    pub month_labels: Vec<String>,
    /// Day number the plan starts from (the data's last day, or today).
    pub start_day: i64,
    /// Unix seconds of each day's start, and that day's busiest-minute requests/s.
    pub daily_peaks: Vec<(i64, f64)>,
    /// A straight line through the daily peaks, for describing the growth.
    pub trend: Option<FittedLinearTrend>,
    /// Each hour of the week's (or day's) busiest minute as a share of the highest.
    pub hourly_shares: Option<Vec<f64>>,
    /// One line on where the demand came from.
    pub described: String,
    /// The daily forecast behind the monthly peaks, from its first day (day number).
    pub daily_forecast: Option<(i64, headroom_plan::DailyForecast)>,
}

impl Demand {
    /// Gives each tier its own quantile's monthly bound (`--quantile auto`'s per-tier
    /// choice) when they are not all the same; the same forecast as
    /// [`Demand::from_history`] made, with both intervals from one calibration.
    fn tier_quantiles(&mut self, h: &History, model: &DailyModel, replayed: Option<&Replay>) {
        let per_tier = replayed.map_or(&[][..], |r| &r.best_quantile[..]);
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
    pub fn forecast(
        rollups: &Rollups,
        history: &History,
        months: u32,
        model: &DailyModel,
        quantile: Quantile,
    ) -> Result<Demand> {
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
    pub fn from_history(
        h: &History,
        months: u32,
        model: &DailyModel,
        quantile: Quantile,
    ) -> Result<Demand> {
        let (first_day, history) = h.daily_peaks();
        if history.is_empty() {
            return Err(Error::NoTraffic);
        }
        let last_day = first_day + history.len() as i64 - 1;
        let lengths =
            headroom_plan::forecast_month_lengths(last_day, (months + LOOK_AHEAD_MONTHS) as usize);
        let days: usize = lengths.iter().sum();
        let daily = daily_peak_forecast(&history, first_day, days, model, quantile);
        let (monthly, upper) = monthly_peaks(&daily, &lengths, months);
        Ok(Demand {
            described: describe(h, &history, first_day, months, model, quantile, &daily),
            plan: PlanDemand {
                peak_rps: monthly,
                upper_rps: upper,
                upper_by_tier: Vec::new(),
                // Minute steps tell how fast demand rises within a fast supply's lead.
                minute_rps: (h.step_s == 60).then(|| h.rps.clone()),
                peak_to_mean: peak_to_mean(&h.rps),
                bytes_per_request: None,
            },
            month_labels: month_labels(last_day, months),
            start_day: last_day,
            daily_peaks: history
                .iter()
                .enumerate()
                .map(|(d, p)| ((first_day + d as i64) * DAY, *p))
                .collect(),
            trend: trend(&history),
            hourly_shares: None,
            daily_forecast: Some((last_day + 1, daily)),
        })
    }
}

/// Each planned month's highest forecast day, of the point and of the bound (which runs
/// on through the look-ahead months); the month the data ends in is left out.
fn monthly_peaks(
    daily: &headroom_plan::DailyForecast,
    lengths: &[usize],
    months: u32,
) -> (Vec<f64>, Vec<f64>) {
    let mut monthly = monthly_max(&daily.point, lengths);
    monthly.remove(0);
    monthly.truncate(months as usize);
    let mut upper = monthly_max(&daily.upper, lengths);
    upper.remove(0);
    (monthly, upper)
}

/// A straight line through the daily peaks (day 0 first), for describing the growth.
fn trend(daily_peaks: &[f64]) -> Option<FittedLinearTrend> {
    let days: Vec<f64> = (0..daily_peaks.len()).map(|d| d as f64).collect();
    LinearTrend.fit(&days, daily_peaks).ok()
}

/// Peak ÷ mean of a history's steps, at least 1; `None` without traffic.
fn peak_to_mean(rps: &[f64]) -> Option<f64> {
    let peak = rps.iter().copied().fold(0.0, f64::max);
    let mean = rps.iter().sum::<f64>() / rps.len() as f64;
    (mean > 0.0).then(|| (peak / mean).max(1.0))
}

/// Where a forecast demand came from, in one line: the days of history, the gaps
/// filled, the method and seasons, any fallback, the bound purchases hold, and a plain
/// warning when the forecast reaches further ahead than the data goes back.
fn describe(
    h: &History,
    history: &[f64],
    first_day: i64,
    months: u32,
    model: &DailyModel,
    quantile: Quantile,
    daily: &headroom_plan::DailyForecast,
) -> String {
    let (gaps, fallback) = caveats(h, daily);
    let n = history.len();
    let guess = if f64::from(months) * headroom_plan::DAYS_PER_MONTH > n as f64 {
        format!(
            "; a guess past {n} days: the forecast reaches {months} months ahead on {n} days of history"
        )
    } else {
        String::new()
    };
    format!(
        "daily peak requests/s over {n} days to {} (last {:.3}){gaps}, forecast with {} ({}{}){fallback}; servers follow the point forecast, purchases hold {} over their lead time{guess}",
        format_date((first_day + n as i64 - 1) * DAY),
        history[n - 1],
        model.method.name(),
        seasons_text(n),
        calendar_text(&model.calendar, history, first_day),
        quantile.describe()
    )
}

/// What a reader of the demand should know: days filled because no request was logged,
/// and a method that fell back to another.
fn caveats(h: &History, daily: &headroom_plan::DailyForecast) -> (String, String) {
    let empty = h.empty_days();
    let gaps = if empty > 0 {
        format!(
            "; {empty} days without a request filled by interpolation (logs lost, not zero demand)"
        )
    } else {
        String::new()
    };
    let fallback = daily.fallback.as_ref().map_or(String::new(), |f| {
        format!(
            "; {} fell back to {}: {}",
            f.asked.name(),
            f.used.name(),
            f.reason
        )
    });
    (gaps, fallback)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_roll_over_the_year() {
        // 2015-11-30 is day 16,769.
        assert_eq!(month_labels(16_769, 3), ["2015-12", "2016-01", "2016-02"]);
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
    fn prices_in_two_currencies_are_refused() {
        let prices = Prices::shipped().unwrap();
        let mut cloud = prices.cloud.clone();
        cloud.currency = "JPY".to_owned();
        let err = Prices::new(prices.self_built.clone(), cloud).unwrap_err();
        assert!(matches!(err, Error::Currencies { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("the cloud table in JPY: give both in one currency"),
            "{err}"
        );
    }

    #[test]
    fn bad_numbers_are_refused_where_the_plan_is_made() {
        let topology = headroom_topology::load(&bundled(BUNDLED_TOPOLOGY)).unwrap();
        let mut options = Options::new(Prices::shipped().unwrap());
        options.peak_to_mean = Some(0.5);
        let err = plan_growth(&topology, 100.0, 8.0, 20_000, 3, &options).unwrap_err();
        assert!(
            err.to_string().contains("peak to mean must be at least 1"),
            "{err}"
        );
        options.peak_to_mean = None;
        assert!(plan_growth(&topology, f64::NAN, 8.0, 20_000, 3, &options).is_err());
        assert!(plan_growth(&topology, 100.0, -100.0, 20_000, 3, &options).is_err());
        let planned = plan_growth(&topology, 100.0, 8.0, 20_000, 3, &options).unwrap();
        assert_eq!(planned.plan.months.len(), 3);
        assert_eq!(planned.demand.month_labels.len(), 3);
    }

    #[test]
    fn a_model_too_big_for_the_history_says_what_it_fell_back_to() {
        let topology = headroom_topology::load(&bundled(BUNDLED_TOPOLOGY)).unwrap();
        let mut options = Options::new(Prices::shipped().unwrap());
        options.model.method = Method::Ets;
        // Three days of minutes, busier each day.
        let minutes = (0..3 * 1440).map(|m| (1_699_920_000 + m * 60, (m / 1440 + 1) as f64 * 60.0));
        let history = History::from_minutes(minutes).unwrap();
        let planned = plan_history(&topology, &history, 2, &options).unwrap();
        let described = &planned.demand.described;
        assert!(
            described.contains("ets fell back to naive: 3 points are fewer than ets needs (4)"),
            "{described}"
        );
        options.model.method = Method::Naive;
        let planned = plan_history(&topology, &history, 2, &options).unwrap();
        assert!(!planned.demand.described.contains("fell back"));
    }
}
