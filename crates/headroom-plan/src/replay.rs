//! Would the plan have held? The planner replayed on history: at each month start
//! after a minimum history, plan exactly as `plan` would from the data up to then,
//! keep the servers that plan had ordered for each month (a purchase arrives a lead
//! time after the order), and hold them against what the traffic did next, step by
//! step: steps past each tier's ceiling and past 100%, the worst overshoot, server-months
//! idle beyond what perfect foresight would have bought, and what both cost. Beside
//! headroom's plan at each quantile: the oracle (the same planner given the realised
//! peaks), keeping today's servers, and compounding the last year's growth.

use headroom_topology::Topology;
use serde::Serialize;

use crate::demand::{DailyModel, Quantile, daily_peak_forecasts, monthly_max};
use crate::{Demand, Policy, SelfBuilt, plan};

/// Seconds in a day.
const DAY_S: i64 = 86_400;

/// A demand history: front-door requests per second at each step.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// Unix seconds of the first step.
    pub start_s: i64,
    /// Seconds between steps (60 for minutes, 86,400 for days).
    pub step_s: i64,
    /// Requests per second at each step (a step's peak or mean, as measured).
    pub rps: Vec<f64>,
}

impl History {
    /// Requests/s minute by minute from (minute's Unix seconds, requests in it) pairs in
    /// time order, from the first minute to the last, minutes without a pair as zero;
    /// None without any.
    pub fn from_minutes(minutes: impl IntoIterator<Item = (i64, f64)>) -> Option<History> {
        let mut minutes = minutes.into_iter().peekable();
        let start_s = minutes.peek()?.0;
        let mut rps = Vec::new();
        for (t, requests) in minutes {
            let i = ((t - start_s) / 60) as usize;
            rps.resize(i + 1, 0.0);
            rps[i] = requests / 60.0;
        }
        Some(History {
            start_s,
            step_s: 60,
            rps,
        })
    }

    /// A metric series' steps as requests/s: its values are rates, or, with `counts`,
    /// requests per step. None for a monthly series or a step over a day, which a
    /// replay cannot hold plans against.
    pub fn from_series(s: &headroom_forecast::series::Series, counts: bool) -> Option<History> {
        if s.monthly || s.step > DAY_S {
            return None;
        }
        let per = if counts { s.step as f64 } else { 1.0 };
        Some(History {
            start_s: s.start,
            step_s: s.step,
            rps: s.values.iter().map(|v| v / per).collect(),
        })
    }

    fn day_of(&self, i: usize) -> i64 {
        (self.start_s + i as i64 * self.step_s).div_euclid(DAY_S)
    }

    /// (first day number, each day's highest step) from the first day to the last. A
    /// day without a single request is a day whose logs are missing, not a day nobody
    /// came: it is a gap, filled by interpolation as `forecast` fills empty steps
    /// ([`headroom_forecast::series::fill`]), so a lost week never plans as a week of
    /// zero demand. [`History::empty_days`] counts them.
    pub fn daily_peaks(&self) -> (i64, Vec<f64>) {
        let (first, raw) = self.raw_daily_peaks();
        (first, headroom_forecast::series::fill(&raw).0)
    }

    /// Days from the first to the last without a single request (filled in
    /// [`History::daily_peaks`]).
    pub fn empty_days(&self) -> usize {
        self.raw_daily_peaks()
            .1
            .iter()
            .filter(|p| p.is_none())
            .count()
    }

    /// Each day's highest step, `None` for a day without a request.
    pub fn raw_daily_peaks(&self) -> (i64, Vec<Option<f64>>) {
        let Some(last) = self.rps.len().checked_sub(1) else {
            return (0, Vec::new());
        };
        let first = self.day_of(0);
        let mut peaks = vec![0.0f64; (self.day_of(last) - first + 1) as usize];
        for (i, v) in self.rps.iter().enumerate() {
            let d = (self.day_of(i) - first) as usize;
            peaks[d] = peaks[d].max(*v);
        }
        (
            first,
            peaks.into_iter().map(|p| (p > 0.0).then_some(p)).collect(),
        )
    }
}

/// How the replay runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayConfig {
    /// Months each plan looks ahead (as `plan --months`).
    pub months: u32,
    /// Days of history before the first origin.
    pub min_history_days: usize,
    /// Months between origins: 1 replans every month, 3 every quarter (at least 1).
    pub every_months: u32,
    /// The forecasting method and calendar (as `plan --model --holidays`).
    pub model: DailyModel,
    /// Redundancy and lead times (as `plan`'s flags).
    pub policy: Policy,
    /// Cost of one step with a tier past its ceiling, in the price table's currency (a
    /// shortfall's cost is the user's to state: lost sales, an SLA credit).
    pub shortfall_cost_per_step: f64,
}

/// A way of choosing each month's servers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Strategy {
    /// headroom's plan at a quantile.
    Plan {
        /// The quantile purchases hold.
        quantile: Quantile,
    },
    /// Perfect foresight: each month the fewest servers that carry its realised peak
    /// within the ceiling with the policy's failures taken. It never costs more than
    /// another strategy while a step short costs more than the servers that would have
    /// prevented it would cost for a month.
    Oracle,
    /// Never add a server.
    KeepToday,
    /// The last 28 days' peak grown by the growth of the year before it, compounded
    /// monthly (needs a year and four weeks of history; else no growth).
    CompoundLastYear,
}

impl Strategy {
    /// Name in tables.
    pub fn name(self) -> String {
        match self {
            Strategy::Plan { quantile } => format!(
                "plan {}",
                match quantile {
                    Quantile::Point => "point",
                    Quantile::Upper80 => "80%",
                    Quantile::Upper95 => "95%",
                }
            ),
            Strategy::Oracle => "oracle".to_owned(),
            Strategy::KeepToday => "keep today's".to_owned(),
            Strategy::CompoundLastYear => "last year's growth".to_owned(),
        }
    }

    /// Every strategy a replay compares, headroom's plans first.
    pub const ALL: [Strategy; 6] = [
        Strategy::Plan {
            quantile: Quantile::Point,
        },
        Strategy::Plan {
            quantile: Quantile::Upper80,
        },
        Strategy::Plan {
            quantile: Quantile::Upper95,
        },
        Strategy::Oracle,
        Strategy::KeepToday,
        Strategy::CompoundLastYear,
    ];
}

/// One tier's record under one strategy over the replayed months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierOutcome {
    /// The tier.
    pub tier: String,
    /// Steps in which the busiest server ran past the tier's ceiling with the policy's
    /// failures taken (N+1: one server down), which is what the plan promised.
    pub steps_over_ceiling: usize,
    /// Steps in which it ran past 100% with every server up: overload.
    pub steps_over_full: usize,
    /// The highest utilisation ÷ ceiling seen (above 1 is an overshoot).
    pub worst_over_ceiling: f64,
    /// Server-months in service, summed over the replayed months.
    pub server_months: f64,
    /// Server-months beyond what the oracle held in the same months.
    pub idle_server_months: f64,
    /// Hardware: server-months × the tier's monthly cost per server.
    pub hardware_cost: f64,
    /// Shortfall: steps over the ceiling × the stated cost per step.
    pub shortfall_cost: f64,
}

impl TierOutcome {
    /// Hardware plus shortfall.
    pub fn total_cost(&self) -> f64 {
        self.hardware_cost + self.shortfall_cost
    }
}

/// One strategy's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The strategy.
    pub strategy: Strategy,
    /// Its name in tables.
    pub name: String,
    /// Per tier, in topology order.
    pub tiers: Vec<TierOutcome>,
    /// Servers in service per replayed month, per tier (months × tiers).
    pub servers: Vec<Vec<u32>>,
    /// Front-door requests/s each tier carried within its ceiling with the policy's
    /// failures taken, per replayed month (months × tiers): the planned capacity to
    /// hold against [`Replay::realised_peak_rps`]; infinite for a tier no request
    /// reaches.
    pub capacity_rps: Vec<Vec<f64>>,
}

impl Outcome {
    /// Hardware plus shortfall over every tier.
    pub fn total_cost(&self) -> f64 {
        self.tiers.iter().map(TierOutcome::total_cost).sum()
    }

    /// Steps over the ceiling, all tiers (a step two tiers are short counts twice).
    pub fn steps_over_ceiling(&self) -> usize {
        self.tiers.iter().map(|t| t.steps_over_ceiling).sum()
    }

    /// Steps over 100%, all tiers.
    pub fn steps_over_full(&self) -> usize {
        self.tiers.iter().map(|t| t.steps_over_full).sum()
    }

    /// The highest utilisation ÷ ceiling any tier saw.
    pub fn worst_over_ceiling(&self) -> f64 {
        self.tiers
            .iter()
            .map(|t| t.worst_over_ceiling)
            .fold(0.0, f64::max)
    }

    /// Server-months in service, all tiers.
    pub fn server_months(&self) -> f64 {
        self.tiers.iter().map(|t| t.server_months).sum()
    }

    /// Server-months above the oracle's, all tiers.
    pub fn idle_server_months(&self) -> f64 {
        self.tiers.iter().map(|t| t.idle_server_months).sum()
    }

    /// Hardware cost, all tiers.
    pub fn hardware_cost(&self) -> f64 {
        self.tiers.iter().map(|t| t.hardware_cost).sum()
    }

    /// Shortfall cost, all tiers.
    pub fn shortfall_cost(&self) -> f64 {
        self.tiers.iter().map(|t| t.shortfall_cost).sum()
    }
}

impl Replay {
    /// headroom's plan at each quantile: point, upper 80%, upper 95%.
    pub fn plans(&self) -> &[Outcome] {
        &self.outcomes[..3]
    }

    /// The outcome of one strategy.
    pub fn outcome(&self, strategy: Strategy) -> &Outcome {
        self.outcomes
            .iter()
            .find(|o| o.strategy == strategy)
            .expect("a replay scores every strategy")
    }

    /// The plan quantile with the lowest total cost over all tiers (`plan --quantile
    /// auto`), the first on ties.
    pub fn cheapest_quantile(&self) -> Quantile {
        let best = self
            .plans()
            .iter()
            .min_by(|a, b| a.total_cost().total_cmp(&b.total_cost()))
            .expect("three plans");
        match best.strategy {
            Strategy::Plan { quantile } => quantile,
            _ => unreachable!("plans() holds plan strategies only"),
        }
    }
}

/// A replay's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    /// Day number of each replayed month's first day.
    pub months: Vec<i64>,
    /// The realised front-door peak of each replayed month, requests/s.
    pub realised_peak_rps: Vec<f64>,
    /// Seconds per step of the history.
    pub step_s: i64,
    /// Days of history the first origin had.
    pub min_history_days: usize,
    /// Months between origins.
    pub every_months: u32,
    /// Every strategy, in [`Strategy::ALL`] order.
    pub outcomes: Vec<Outcome>,
    /// Per tier, the plan quantile with the lowest total cost (the first on ties).
    pub best_quantile: Vec<Quantile>,
}

/// Each tier's cost of one server for a month, self-built (amortised purchase plus
/// power, rack space and operations), from the price table's entry for the tier's
/// profile (or its default); 0 where the table has none.
pub fn server_month_costs(topology: &Topology, prices: &SelfBuilt) -> Vec<f64> {
    (0..topology.tiers().len())
        .map(|i| {
            let profile = topology.profile_of(i).map(|p| p.name.as_str());
            prices.server(profile).map_or(0.0, |s| {
                prices.amortised_per_month(s) + prices.running_per_month(s)
            })
        })
        .collect()
}

/// Day number of the first day of the month holding `day`, and of the months after it.
fn month_start(day: i64, ahead: i64) -> i64 {
    let (y, m, _) = headroom_forecast::series::civil_from_days(day);
    let index = y * 12 + i64::from(m) - 1 + ahead;
    headroom_forecast::series::days_from_civil(
        index.div_euclid(12),
        index.rem_euclid(12) as u32 + 1,
        1,
    )
}

/// Months a purchase (or VM, or instance) takes to arrive, rounded up: a plan made
/// at an origin can change the servers of month `lead` after it at the earliest.
fn lead_months(topology: &Topology, policy: &Policy) -> Vec<usize> {
    topology
        .tiers()
        .iter()
        .map(|t| {
            let minutes = policy.leads.of(t.supply());
            // A VM or a cloud instance (hours, minutes) is there the month it is asked
            // for; a purchase of eight weeks misses the next two month starts.
            if minutes < 1440.0 {
                0
            } else {
                (minutes / (crate::DAYS_PER_MONTH * 1440.0)).ceil() as usize
            }
        })
        .collect()
}

/// Replays the planner on `history` under every [`Strategy`]; `costs` is each tier's
/// monthly cost per server ([`server_month_costs`]). Origins are the first day of every
/// `every_months`-th month once `min_history_days` have passed; the replayed months are
/// those whose every day the history holds. None when the history is too short for one origin and
/// one month after it; an error when an origin's forecast cannot be planned
/// ([`crate::check_demand`]: a tier past the servers a tier may have).
pub fn replay(
    topology: &Topology,
    history: &History,
    costs: &[f64],
    config: &ReplayConfig,
) -> Result<Option<Replay>, crate::Error> {
    // Gaps are filled per origin from what was known then: filling the whole history
    // at once would let a gap before an origin lean on the days after it.
    let (first_day, raw) = history.raw_daily_peaks();
    let months = replayed_months(first_day, raw.len(), config.min_history_days);
    if months.is_empty() {
        return Ok(None);
    }
    let leads = lead_months(topology, &config.policy);
    let realised = realised_peaks(&raw, first_day, &months);
    // One forecast per origin, with both intervals, shared by the three quantiles.
    let every = config.every_months.max(1) as usize;
    let forecasts: Vec<OriginForecast> = months
        .iter()
        .step_by(every)
        .map(|&origin| {
            let known = headroom_forecast::series::fill(&raw[..(origin - first_day) as usize]).0;
            origin_forecast(&known, first_day, origin, config)
        })
        .collect();
    let servers =
        |s: Strategy| strategy_servers(topology, &forecasts, every, &realised, s, config, &leads);
    let oracle = servers(Strategy::Oracle)?;
    let outcomes: Vec<Outcome> = Strategy::ALL
        .iter()
        .map(|&s| {
            let held = if s == Strategy::Oracle {
                oracle.clone()
            } else {
                servers(s)?
            };
            Ok(score(
                topology, history, &months, &held, &oracle, costs, s, config,
            ))
        })
        .collect::<Result<_, crate::Error>>()?;
    Ok(Some(Replay {
        best_quantile: best_quantiles(&outcomes, topology.tiers().len()),
        months,
        realised_peak_rps: realised,
        step_s: history.step_s,
        min_history_days: config.min_history_days,
        every_months: every as u32,
        outcomes,
    }))
}

/// Replayed months (their first days): whole calendar months from the first origin,
/// the month start after `min_history_days`, to the history's end.
fn replayed_months(first_day: i64, days: usize, min_history_days: usize) -> Vec<i64> {
    let last_day = first_day + days as i64 - 1;
    let first_origin = month_start(first_day + min_history_days as i64 - 1, 1);
    let mut months = Vec::new();
    for k in 0.. {
        if month_start(first_origin, k + 1) - 1 > last_day {
            break;
        }
        months.push(month_start(first_origin, k));
    }
    months
}

/// Each replayed month's highest daily peak (gap days left out).
fn realised_peaks(raw: &[Option<f64>], first_day: i64, months: &[i64]) -> Vec<f64> {
    months
        .iter()
        .map(|&m| {
            let end = month_start(m, 1);
            raw[(m - first_day) as usize..(end - first_day) as usize]
                .iter()
                .flatten()
                .copied()
                .fold(0.0, f64::max)
        })
        .collect()
}

/// Each tier's cheapest of the three quantiles' plans.
fn best_quantiles(outcomes: &[Outcome], n_tiers: usize) -> Vec<Quantile> {
    (0..n_tiers)
        .map(|i| {
            outcomes[..3]
                .iter()
                .min_by(|a, b| a.tiers[i].total_cost().total_cmp(&b.tiers[i].total_cost()))
                .map_or(Quantile::Upper80, |o| match o.strategy {
                    Strategy::Plan { quantile } => quantile,
                    _ => Quantile::Upper80,
                })
        })
        .collect()
}

/// Servers a policy expects to lose at peak: k for N+k; one for rack loss (the replay
/// does not place servers in racks, so it holds rack plans to one loss).
fn spares(policy: Policy) -> u32 {
    match policy.redundancy {
        crate::Redundancy::Spares { k } => k,
        crate::Redundancy::Rack => 1,
    }
}

/// Fewest servers of `tier` whose busiest one stays within the ceiling at `entry_rps`
/// with `spares` of them lost: the oracle's count, by bisection (utilisation only falls
/// as servers are added).
fn fewest_carrying(topology: &Topology, tier: usize, entry_rps: f64, spares: u32) -> u32 {
    let ceiling = topology.tiers()[tier].ceiling;
    let fits = |n: u32| topology.utilisation(tier, entry_rps, n - spares).0 <= ceiling;
    let (mut lo, mut hi) = (spares + 1, spares + 1);
    while !fits(hi) {
        lo = hi + 1;
        match hi.checked_mul(2) {
            Some(h) if h < 1 << 30 => hi = h,
            _ => return hi,
        }
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// Servers per replayed month per tier under a strategy. `forecasts` are those made at
/// every `every`-th month. For month M and a tier whose supply takes L months, the
/// latest plan made at or before M − L decides what arrives (a plan made later could
/// not have had its servers there in time); before the first origin's reach, the first
/// origin's plan. Servers never go below today's, nor below what an earlier month held.
fn strategy_servers(
    topology: &Topology,
    forecasts: &[OriginForecast],
    every: usize,
    realised: &[f64],
    strategy: Strategy,
    config: &ReplayConfig,
    leads: &[usize],
) -> Result<Vec<Vec<u32>>, crate::Error> {
    let today: Vec<u32> = topology.tiers().iter().map(|t| t.servers).collect();
    if strategy == Strategy::KeepToday {
        return Ok(vec![today; realised.len()]);
    }
    if strategy == Strategy::Oracle {
        let spares = spares(config.policy);
        return Ok(realised
            .iter()
            .map(|&peak| {
                (0..today.len())
                    .map(|i| fewest_carrying(topology, i, peak, spares))
                    .collect()
            })
            .collect());
    }
    // One plan per origin (each replayed month's start), months counted from it.
    let plans: Vec<Vec<Vec<u32>>> = forecasts
        .iter()
        .map(|f| {
            let demand = f.demand(strategy, config.months);
            Ok(plan(topology, &demand, config.policy)?
                .months
                .iter()
                .map(|m| m.tiers.iter().map(|t| t.total).collect())
                .collect())
        })
        .collect::<Result<_, crate::Error>>()?;
    // Servers in service never go down: what an earlier plan bought stays, even when a
    // later plan would have bought less.
    let mut held = today.clone();
    Ok((0..realised.len())
        .map(|m| {
            for (i, h) in held.iter_mut().enumerate() {
                let origin = m.saturating_sub(leads[i]) / every;
                let ahead = m - origin * every;
                let planned = plans[origin]
                    .get(ahead)
                    .or_else(|| plans[origin].last())
                    .map_or(today[i], |p| p[i]);
                *h = (*h).max(planned);
            }
            held.clone()
        })
        .collect())
}

/// What a plan made at an origin (a month's first day) knows of the months ahead,
/// from the daily peaks up to the day before: the forecast's monthly peaks (point,
/// upper 80% and upper 95%), and the last 28 days' peak grown by last year's growth.
struct OriginForecast {
    point: Vec<f64>,
    upper80: Vec<f64>,
    upper95: Vec<f64>,
    compounded: Vec<f64>,
}

fn origin_forecast(
    known: &[f64],
    first_day: i64,
    origin: i64,
    config: &ReplayConfig,
) -> OriginForecast {
    let lengths: Vec<usize> = (0..i64::from(config.months + crate::LOOK_AHEAD_MONTHS))
        .map(|k| (month_start(origin, k + 1) - month_start(origin, k)) as usize)
        .collect();
    let days: usize = lengths.iter().sum();
    let f = daily_peak_forecasts(known, first_day, days, &config.model);
    let n = known.len();
    let recent = known[n.saturating_sub(28)..]
        .iter()
        .copied()
        .fold(0.0, f64::max);
    let growth = if n >= 365 + 28 {
        let before = known[n - 365 - 28..n - 365]
            .iter()
            .copied()
            .fold(0.0, f64::max);
        if before > 0.0 {
            (recent / before).powf(1.0 / 12.0)
        } else {
            1.0
        }
    } else {
        1.0
    };
    OriginForecast {
        point: monthly_max(&f.point, &lengths),
        upper80: monthly_max(&f.upper80, &lengths),
        upper95: monthly_max(&f.upper95, &lengths),
        compounded: (1..=lengths.len())
            .map(|k| recent * growth.powi(k as i32))
            .collect(),
    }
}

impl OriginForecast {
    /// The demand `plan` is given under a strategy: servers follow the point forecast
    /// and purchases hold the quantile, as `plan --quantile` does.
    fn demand(&self, strategy: Strategy, months: u32) -> Demand {
        let (point, upper) = match strategy {
            Strategy::Plan { quantile } => (
                &self.point,
                match quantile {
                    Quantile::Point => &self.point,
                    Quantile::Upper80 => &self.upper80,
                    Quantile::Upper95 => &self.upper95,
                },
            ),
            _ => (&self.compounded, &self.compounded),
        };
        Demand {
            peak_rps: point[..(months as usize).min(point.len())].to_vec(),
            upper_rps: upper.clone(),
            upper_by_tier: Vec::new(),
            minute_rps: None,
            peak_to_mean: None,
            bytes_per_request: None,
        }
    }
}

#[allow(clippy::too_many_arguments)] // Every argument is a different input of one score.
fn score(
    topology: &Topology,
    history: &History,
    months: &[i64],
    servers: &[Vec<u32>],
    oracle: &[Vec<u32>],
    costs: &[f64],
    strategy: Strategy,
    config: &ReplayConfig,
) -> Outcome {
    let mut out: Vec<TierOutcome> = topology
        .tiers()
        .iter()
        .map(|t| TierOutcome {
            tier: t.name.clone(),
            steps_over_ceiling: 0,
            steps_over_full: 0,
            worst_over_ceiling: 0.0,
            server_months: 0.0,
            idle_server_months: 0.0,
            hardware_cost: 0.0,
            shortfall_cost: 0.0,
        })
        .collect();
    let per_rps = utilisation_per_rps(topology, servers, spares(config.policy));
    count_steps(&mut out, history, months, &per_rps);
    for (k, o) in out.iter_mut().enumerate() {
        for m in 0..months.len() {
            let held = f64::from(servers[m][k]);
            o.server_months += held;
            o.idle_server_months += (held - f64::from(oracle[m][k])).max(0.0);
        }
        o.hardware_cost = o.server_months * costs.get(k).copied().unwrap_or(0.0);
        o.shortfall_cost = o.steps_over_ceiling as f64 * config.shortfall_cost_per_step;
    }
    Outcome {
        strategy,
        name: strategy.name(),
        tiers: out,
        servers: servers.to_vec(),
        capacity_rps: per_rps
            .iter()
            .map(|month| month.iter().map(|&(over, _)| 1.0 / over).collect())
            .collect(),
    }
}

/// Each month's utilisation per tier at 1 front-door request/s, as (share of the
/// ceiling with `spare` servers lost, share of 100% with all up). Utilisation is linear
/// in the front-door rate (every tier's load and every limit scale with it), so these
/// serve every step: over the ceiling with the policy's failures taken (what the plan
/// promised), and over 100% with every server up (overload, failures or not).
fn utilisation_per_rps(
    topology: &Topology,
    servers: &[Vec<u32>],
    spare: u32,
) -> Vec<Vec<(f64, f64)>> {
    let tiers = topology.tiers();
    servers
        .iter()
        .map(|month| {
            month
                .iter()
                .enumerate()
                .map(|(k, &n)| {
                    let up = n.saturating_sub(spare);
                    (
                        topology.utilisation(k, 1.0, up).0 / tiers[k].ceiling,
                        topology.utilisation(k, 1.0, n).0,
                    )
                })
                .collect()
        })
        .collect()
}

/// Counts each tier's steps of the replayed months past its ceiling and past 100%,
/// and the worst share of the ceiling.
fn count_steps(
    out: &mut [TierOutcome],
    history: &History,
    months: &[i64],
    per_rps: &[Vec<(f64, f64)>],
) {
    let first = months[0] * DAY_S;
    let end = month_start(months[months.len() - 1], 1) * DAY_S;
    for (i, &v) in history.rps.iter().enumerate() {
        let t = history.start_s + i as i64 * history.step_s;
        if t < first || t >= end || v <= 0.0 {
            continue;
        }
        let m = months.partition_point(|&start| start * DAY_S <= t) - 1;
        for (o, &(over_per_rps, full_per_rps)) in out.iter_mut().zip(&per_rps[m]) {
            let over = v * over_per_rps;
            o.worst_over_ceiling = o.worst_over_ceiling.max(over);
            o.steps_over_ceiling += usize::from(over > 1.0);
            o.steps_over_full += usize::from(v * full_per_rps > 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use headroom_forecast::m4::Method;

    use super::*;

    const ONE_TIER: &str = r#"
name = "one"
entry = "web"
[[tier]]
name = "web"
role = "application"
servers = 2
capacity_rps = 100
ceiling = 0.5
"#;

    fn topology() -> Topology {
        headroom_topology::parse(ONE_TIER, Path::new("one.toml")).unwrap()
    }

    /// Hourly demand from 2024-01-01: `base` requests/s growing by `growth` a month, a
    /// daily swing of ±30%, and a deterministic wobble of a few percent.
    #[test]
    fn days_without_a_request_are_gaps_not_zero_demand() {
        let mut h = hourly(60, 20.0, 0.0);
        // Days 20–29 lost: their steps read as zero.
        for v in &mut h.rps[20 * 24..30 * 24] {
            *v = 0.0;
        }
        let (_, peaks) = h.daily_peaks();
        assert_eq!(h.empty_days(), 10);
        let (lo, hi) = (peaks[19].min(peaks[30]), peaks[19].max(peaks[30]));
        for p in &peaks[20..30] {
            assert!((lo..=hi).contains(p), "{p} outside [{lo}, {hi}]");
        }
        assert_eq!(hourly(60, 20.0, 0.0).empty_days(), 0);
    }

    fn hourly(days: usize, base: f64, growth: f64) -> History {
        let start_s = headroom_forecast::series::days_from_civil(2024, 1, 1) * DAY_S;
        let rps = (0..days * 24)
            .map(|h| {
                let month = h as f64 / 24.0 / 30.44;
                let day = (std::f64::consts::TAU * (h % 24) as f64 / 24.0).sin();
                let wobble = ((h * 7919) % 101) as f64 / 101.0 - 0.5;
                base * (1.0 + growth).powf(month) * (1.0 + 0.3 * day + 0.06 * wobble)
            })
            .collect();
        History {
            start_s,
            step_s: 3600,
            rps,
        }
    }

    fn config(shortfall: f64) -> ReplayConfig {
        ReplayConfig {
            months: 6,
            min_history_days: 90,
            every_months: 1,
            model: Method::Theta.into(),
            policy: Policy::default(),
            shortfall_cost_per_step: shortfall,
        }
    }

    #[test]
    fn flat_demand_within_today_holds_and_today_is_the_idle_part() {
        // 20 requests/s against 2 × 100 × 0.5 = 100: nothing is ever short; the oracle
        // needs 1 server + 1 spare = 2, exactly today's.
        let r = replay(&topology(), &hourly(300, 20.0, 0.0), &[100.0], &config(1e4))
            .unwrap()
            .unwrap();
        assert_eq!(r.months.len(), 6, "April to September 2024: {:?}", r.months);
        for o in &r.outcomes {
            assert_eq!(o.steps_over_ceiling(), 0, "{}", o.name);
            assert_eq!(o.tiers[0].idle_server_months, 0.0, "{}", o.name);
            assert_eq!(o.total_cost(), 6.0 * 2.0 * 100.0, "{}", o.name);
        }
    }

    #[test]
    fn growth_catches_out_todays_servers_but_not_the_oracle() {
        // 40 requests/s growing 15% a month: past today's 50 requests/s (one server up
        // at the ceiling) within months.
        let r = replay(
            &topology(),
            &hourly(500, 40.0, 0.15),
            &[100.0],
            &config(1e4),
        )
        .unwrap()
        .unwrap();
        let by = |name: &str| r.outcomes.iter().find(|o| o.name == name).unwrap();
        assert!(by("keep today's").steps_over_ceiling() > 0);
        assert_eq!(by("oracle").steps_over_ceiling(), 0);
        // The oracle is the cheapest when a short hour costs more than a server-month.
        let oracle = by("oracle").total_cost();
        for o in &r.outcomes {
            assert!(
                oracle <= o.total_cost() + 1e-9,
                "{} {} < oracle {oracle}",
                o.name,
                o.total_cost()
            );
        }
        // A higher quantile never has more short steps, and never fewer servers.
        let (p, p80, p95) = (&r.outcomes[0], &r.outcomes[1], &r.outcomes[2]);
        assert!(p95.steps_over_ceiling() <= p80.steps_over_ceiling());
        assert!(p80.steps_over_ceiling() <= p.steps_over_ceiling());
        assert!(p95.tiers[0].server_months >= p80.tiers[0].server_months);
        // The oracle's capacity carries every realised peak; keeping today's does not.
        let carries = |o: &Outcome| {
            o.capacity_rps
                .iter()
                .zip(&r.realised_peak_rps)
                .all(|(c, peak)| c[0] >= *peak)
        };
        assert!(carries(by("oracle")));
        assert!(!carries(by("keep today's")));
        // What was bought stays: no strategy's servers fall from one month to the next.
        for o in r.outcomes.iter().filter(|o| o.strategy != Strategy::Oracle) {
            for pair in o.servers.windows(2) {
                assert!(pair[1][0] >= pair[0][0], "{}: {:?}", o.name, o.servers);
            }
        }
        // The chosen quantile is the cheapest of the three, for the tier and overall.
        assert_eq!(r.cheapest_quantile(), r.best_quantile[0]);
        let best = r.best_quantile[0];
        let cheapest = r.outcomes[..3]
            .iter()
            .map(Outcome::total_cost)
            .fold(f64::INFINITY, f64::min);
        let chosen = r.outcomes[..3]
            .iter()
            .find(|o| o.strategy == Strategy::Plan { quantile: best })
            .unwrap();
        assert_eq!(chosen.total_cost(), cheapest);
    }

    #[test]
    fn a_plan_made_once_a_year_never_sees_what_came_after_its_origin() {
        // Replanning once in a year: the servers of every replayed month come from the
        // first origin's plan, so doubling the traffic after it changes nothing bought
        // (only the short steps); replanning monthly sees the doubling and buys more.
        let base = hourly(300, 40.0, 0.05);
        let first_origin = replay(&topology(), &base, &[100.0], &config(1e4))
            .unwrap()
            .unwrap()
            .months[0];
        let mut doubled = base.clone();
        for (i, v) in doubled.rps.iter_mut().enumerate() {
            if base.start_s + i as i64 * base.step_s >= first_origin * DAY_S {
                *v *= 2.0;
            }
        }
        let yearly = ReplayConfig {
            every_months: 12,
            ..config(1e4)
        };
        let servers = |h: &History, c: &ReplayConfig| {
            let r = replay(&topology(), h, &[100.0], c).unwrap().unwrap();
            assert_eq!(r.every_months, c.every_months);
            r.plans()
                .iter()
                .map(|o| o.servers.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(servers(&base, &yearly), servers(&doubled, &yearly));
        assert_ne!(
            servers(&base, &config(1e4)),
            servers(&doubled, &config(1e4))
        );
    }

    #[test]
    fn histories_from_minutes_and_series() {
        let h = History::from_minutes([(600, 60.0), (720, 120.0)]).unwrap();
        assert_eq!(
            (h.start_s, h.step_s, h.rps.clone()),
            (600, 60, vec![1.0, 0.0, 2.0])
        );
        assert!(History::from_minutes([]).is_none());
        let rows = vec![(0, 3600.0, 2), (3600, 7200.0, 3)];
        let s = headroom_forecast::series::Series::from_points(rows, "s.csv").unwrap();
        assert_eq!(History::from_series(&s, true).unwrap().rps, vec![1.0, 2.0]);
        assert_eq!(
            History::from_series(&s, false).unwrap().rps,
            vec![3600.0, 7200.0]
        );
    }

    #[test]
    fn a_history_shorter_than_the_minimum_replays_nothing() {
        assert!(
            replay(&topology(), &hourly(80, 20.0, 0.0), &[100.0], &config(1.0))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn utilisation_is_linear_in_the_front_door_rate() {
        // The replay scores steps by utilisation at 1 request/s times the rate; that
        // holds for a sharded tier with writes and NIC and disk limits too.
        let t = headroom_topology::parse(
            include_str!("../../../data/topologies/hatena-bookmark.toml"),
            Path::new("hatena-bookmark.toml"),
        )
        .unwrap();
        for k in 0..t.tiers().len() {
            for up in [1, 3, 24] {
                let one = t.utilisation(k, 1.0, up).0;
                let many = t.utilisation(k, 1234.5, up).0;
                assert!(
                    (many - 1234.5 * one).abs() <= 1e-9 * many,
                    "tier {k}, {up} up"
                );
            }
        }
    }

    #[test]
    fn the_oracle_is_the_fewest_servers_that_carry_the_peak() {
        let t = topology();
        // 120 requests/s at 50 a server: 3, plus a spare.
        assert_eq!(fewest_carrying(&t, 0, 120.0, 1), 4);
        assert_eq!(fewest_carrying(&t, 0, 0.0, 1), 2);
        assert_eq!(fewest_carrying(&t, 0, 50.0, 0), 1);
    }
}
