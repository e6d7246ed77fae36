//! Servers per tier per month: forecast demand pushed through the topology, with
//! redundancy on top, hosts for the virtual machines, network and storage growth, and
//! the cost of building it against renting it — each number explained in words.
//!
//! A plan only ever adds: servers in service are never handed back, so month m holds
//! at least what month m − 1 held and at least what the tier has today.
//!
//! ```
//! use headroom_plan::{Demand, Policy, compound_peaks, plan};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/topologies/hatena-bookmark.toml");
//! let topology = headroom_topology::load(std::path::Path::new(path)).expect("shipped");
//! // 1,500 requests/s at today's peak, growing 5% a month, for a year.
//! let peaks = compound_peaks(1500.0, 0.05, 12);
//! let demand = Demand {
//!     upper_rps: peaks.clone(),
//!     peak_rps: peaks,
//!     upper_by_tier: Vec::new(),
//!     minute_rps: None,
//!     peak_to_mean: Some(2.0),
//!     bytes_per_request: None,
//! };
//! let p = plan(&topology, &demand, Policy::default())?;
//! let ap = |m: usize| p.months[m].tiers.iter().find(|t| t.tier == "ap").unwrap();
//! // The application tier needs 8 servers now and 11 in a year (with its spare and a
//! // deploy batch); it keeps the 11 it has meanwhile: servers are never handed back.
//! assert_eq!((ap(0).required, ap(11).required), (8, 11));
//! assert!(p.months.iter().all(|m| m.tiers.iter().all(|t| t.total >= t.today)));
//! # Ok::<(), headroom_plan::Error>(())
//! ```

mod cost;
mod demand;
mod prices;
pub mod replay;
mod sizing;

use headroom_topology::{Placement, Topology, pack_pools};
use serde::{Deserialize, Serialize};

pub use cost::{CostMonth, Costs, TierCost, TierSide, Totals, costs};
pub use demand::{
    DailyForecast, DailyForecasts, DailyModel, Quantile, compound_peaks, daily_peak_forecast,
    daily_peak_forecasts, daily_seasons, forecast_month_lengths, monthly_max, tier_upper_rps,
};
pub use prices::{Cloud, Instance, NamedServer, SelfBuilt, ServerPrice, VCPUS_PER_CORE};
pub use sizing::{
    LeadTimes, deploy_windows, hour_of_week_peaks, largest_batch, minutes_text, rise_within, stack,
};

/// Most months a plan covers: twenty years, past any hardware plan's horizon (servers
/// amortise over three to five), and a bound on the work a typo can ask for.
pub const MAX_MONTHS: usize = 240;

/// Why a plan could not be made, or its prices read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// More months were asked for than [`MAX_MONTHS`].
    #[error("{months} months asked for; a plan covers at most {MAX_MONTHS} (twenty years)")]
    Horizon {
        /// Months asked for.
        months: usize,
    },
    /// A month's demand is not a finite, non-negative rate.
    #[error("month {month}: a peak of {value} requests/s cannot be planned for")]
    Demand {
        /// 1-based month.
        month: usize,
        /// The peak given.
        value: f64,
    },
    /// Some tier would need more servers than a tier may have.
    #[error(
        "month {month}: tier '{tier}' would need {servers} servers at {peak_rps:.0} requests/s, \
         more than the {max} a tier may have; plan fewer months or check the growth"
    )]
    Servers {
        /// 1-based month.
        month: usize,
        /// The tier.
        tier: String,
        /// Servers it would need.
        servers: u64,
        /// Front-door requests/s then.
        peak_rps: f64,
        /// [`headroom_topology::MAX_TIER_SERVERS`].
        max: u32,
    },
    /// A price table could not be read.
    #[error("{}: {source}", path.display())]
    PriceFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A price table is not valid for its purpose.
    #[error("{}:{line}: {reason}", path.display())]
    PriceTable {
        /// The file.
        path: std::path::PathBuf,
        /// 1-based line, 0 when the whole file is at fault.
        line: usize,
        /// Why.
        reason: String,
    },
}

/// Checks that `demand` can be planned on `topology` in bounded work: at most
/// [`MAX_MONTHS`], finite peaks, and no tier past
/// [`headroom_topology::MAX_TIER_SERVERS`] at any month's point or upper peak.
pub fn check_demand(topology: &Topology, demand: &Demand) -> Result<(), Error> {
    let months = demand.peak_rps.len();
    if months > MAX_MONTHS {
        return Err(Error::Horizon { months });
    }
    let all = std::iter::once(&demand.peak_rps)
        .chain(std::iter::once(&demand.upper_rps))
        .chain(&demand.upper_by_tier);
    for values in all {
        if let Some((m, &value)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite() || **v < 0.0)
        {
            return Err(Error::Demand {
                month: m + 1,
                value,
            });
        }
    }
    // Every month a sizing reads, the look-ahead past the plan included.
    let per_rps = topology.servers_per_entry_rps();
    let longest = std::iter::once(&demand.upper_rps)
        .chain(&demand.upper_by_tier)
        .map(Vec::len)
        .fold(months, usize::max);
    for m in 0..longest {
        let point = demand.peak_rps.get(m).copied().unwrap_or(0.0);
        for (i, tier) in topology.tiers().iter().enumerate() {
            let upper = demand
                .upper_by_tier
                .get(i)
                .unwrap_or(&demand.upper_rps)
                .get(m)
                .copied()
                .unwrap_or(0.0);
            let peak = point.max(upper);
            let servers = (peak * per_rps[i]).ceil();
            if servers > f64::from(headroom_topology::MAX_TIER_SERVERS) {
                return Err(Error::Servers {
                    month: m + 1,
                    tier: tier.name.clone(),
                    servers: servers.min(u64::MAX as f64) as u64,
                    peak_rps: peak,
                    max: headroom_topology::MAX_TIER_SERVERS,
                });
            }
        }
    }
    Ok(())
}

/// Months of demand past the plan that a slow supply may look ahead to.
pub const LOOK_AHEAD_MONTHS: u32 = 6;

/// Average days in a month (365.25 ÷ 12), the step between planned months.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// Seconds in an average month.
pub const SECONDS_PER_MONTH: f64 = DAYS_PER_MONTH * 86_400.0;

/// Highest share of a disk a plan lets data fill: databases need room to rebuild
/// indexes, take backups and compact, and filesystems slow down when nearly full.
pub const DISK_CEILING: f64 = 0.8;

/// Highest share of the uplinks a plan lets the peak use. A link is a single-server
/// queue too: at 70% busy a packet waits on average 2.3 times its transmission time.
pub const LINK_CEILING: f64 = 0.7;

/// How many failures a plan must survive at peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Redundancy {
    /// `k` spare servers in every tier (N+k).
    Spares {
        /// The k of N+k.
        k: u32,
    },
    /// Every tier keeps carrying its demand with any one rack lost.
    Rack,
}

impl Redundancy {
    /// Parses `n+1`, `n+2`, … or `rack`.
    /// The policy named `n+K` (K up to [`MAX_SPARES`]) or `rack`.
    pub fn from_name(name: &str) -> Option<Redundancy> {
        let lower = name.to_ascii_lowercase();
        if lower == "rack" {
            return Some(Redundancy::Rack);
        }
        let k = lower.strip_prefix("n+")?.parse().ok()?;
        (k <= MAX_SPARES).then_some(Redundancy::Spares { k })
    }

    /// `N+1`, `N+2` or `rack loss`.
    pub fn describe(self) -> String {
        match self {
            Redundancy::Spares { k } => format!("N+{k}"),
            Redundancy::Rack => "rack loss".to_owned(),
        }
    }
}

/// Most spares per tier `n+K` may ask for: surviving a hundred failures at once is past
/// any web service's plan, and a larger K is a typo that would size every tier for it.
pub const MAX_SPARES: u32 = 100;

/// How much spare a plan holds beyond what demand needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Failures every tier survives at peak.
    pub redundancy: Redundancy,
    /// How long adding a server takes, by supply.
    pub leads: LeadTimes,
}

impl Default for Policy {
    /// N+1: one server of any tier may fail at peak. Web services trade full
    /// reliability for cost, and one spare is the usual floor for that trade.
    fn default() -> Self {
        Policy {
            redundancy: Redundancy::Spares { k: 1 },
            leads: LeadTimes::default(),
        }
    }
}

/// What the plan is asked to carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    /// Front-door requests per second at each planned month's peak (the point forecast).
    pub peak_rps: Vec<f64>,
    /// The planned quantile of the same peaks, possibly running past the plan's months
    /// (a slow supply holds it over its lead time). Equal to `peak_rps` when the demand
    /// is stated rather than forecast.
    pub upper_rps: Vec<f64>,
    /// Per tier (topology order), a quantile of its own in place of `upper_rps`, as
    /// `plan --quantile auto` chooses each tier's from a replay; empty: every tier
    /// holds `upper_rps`.
    pub upper_by_tier: Vec<Vec<f64>>,
    /// Front-door requests/s minute by minute as measured, for how fast demand rises
    /// within a fast supply's lead time.
    pub minute_rps: Option<Vec<f64>>,
    /// Peak ÷ mean request rate: turns peak writes into a month's stored bytes and peak
    /// bandwidth into a month's transfer. `None` plans as if every second were the peak.
    pub peak_to_mean: Option<f64>,
    /// Mean response bytes per front-door request, measured, for the network when no
    /// tier of the topology states `bytes_per_request`.
    pub bytes_per_request: Option<f64>,
}

/// One tier in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierPlan {
    /// Tier name.
    pub tier: String,
    /// Requests per second reaching the tier at the month's peak.
    pub demand_rps: f64,
    /// Servers that carry the point forecast under the tier's ceiling.
    pub for_demand: u32,
    /// Servers added for what demand may do before more can be added: the planned
    /// quantile over a slow supply's lead time, or the rise within a fast one's.
    pub for_lead: u32,
    /// Servers added by the redundancy policy.
    pub for_redundancy: u32,
    /// Servers added so a deploy (or rollback) fits with the redundancy budget lost.
    pub for_deploy: u32,
    /// The sum of the four above: what the month requires.
    pub required: u32,
    /// Servers the tier has today.
    pub today: u32,
    /// Servers in service: the most of `required`, `today` and last month's.
    pub total: u32,
    /// Servers added this month (`total` − last month's, today's for the first).
    pub added: u32,
    /// Utilisation of the busiest server at peak with `total` in service.
    pub utilisation: f64,
    /// The arithmetic behind `total`, in words.
    pub reason: String,
}

/// A VM pool in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolPlan {
    /// Pool name.
    pub pool: String,
    /// Hosts the month's VMs pack onto (anti-affinity: one VM of a tier per host).
    pub packed: u32,
    /// Hosts the pool has today (its stated hosts, or what today's VMs pack onto).
    pub today: u32,
    /// Hosts in service: the most of `packed`, `today` and last month's.
    pub total: u32,
    /// Hosts added this month.
    pub added: u32,
}

/// The uplinks in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkPlan {
    /// Peak Mbps to and from users.
    pub peak_mbps: f64,
    /// Links of the topology's speed that carry it under [`LINK_CEILING`], plus one
    /// so that losing a link does not cut service.
    pub uplinks_needed: Option<u32>,
    /// Links in service today.
    pub uplinks_today: Option<u32>,
    /// Peak ÷ today's uplink capacity.
    pub utilisation: Option<f64>,
}

/// Stored data of one tier in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoragePlan {
    /// Tier name.
    pub tier: String,
    /// Data each server holds at the month's end, GB.
    pub gb_per_server: f64,
    /// Shards the data is split over (each server holds one shard).
    pub shards: u32,
    /// `gb_per_server` ÷ each server's disk, when the disk is known.
    pub fill: Option<f64>,
}

/// Every tier in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthPlan {
    /// Months after the end of the data (1 is the first planned month).
    pub month: u32,
    /// Front-door requests per second at the month's projected peak.
    pub peak_rps: f64,
    /// Tiers in topology order.
    pub tiers: Vec<TierPlan>,
    /// VM pools, in topology order.
    pub pools: Vec<PoolPlan>,
    /// Network, when a response size is known.
    pub network: Option<NetworkPlan>,
    /// Tiers that state their data (`data_gb`); it grows when they also state the
    /// bytes each write adds.
    pub storage: Vec<StoragePlan>,
}

/// A month-by-month plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Service name from the topology.
    pub service: String,
    /// The policy it was made under.
    pub policy: Policy,
    /// The peak ÷ mean ratio storage and transfer were computed with, if any.
    pub peak_to_mean: Option<f64>,
    /// One entry per planned month.
    pub months: Vec<MonthPlan>,
}

impl Plan {
    /// Physical machines in service in month `index` (0-based): physical tiers' servers
    /// and every pool's hosts.
    pub fn machines(&self, topology: &Topology, index: usize) -> u32 {
        let m = &self.months[index];
        let physical: u32 = topology
            .tiers()
            .iter()
            .zip(&m.tiers)
            .filter(|(t, _)| matches!(t.placement, Placement::Physical { .. }))
            .map(|(_, p)| p.total)
            .sum();
        physical + m.pools.iter().map(|p| p.total).sum::<u32>()
    }
}

/// For each tier (topology order), the first planned month (1-based) in which demand
/// alone needs more servers than the tier has today: when it crosses its ceiling with
/// today's servers. `None` when that does not happen within the plan.
pub fn crossings(plan: &Plan) -> Vec<Option<u32>> {
    first_month_per_tier(plan, |t| t.for_demand > t.today)
}

/// For each tier, the first planned month that needs servers beyond today's (demand plus
/// redundancy): the month new servers must be in service.
pub fn first_purchases(plan: &Plan) -> Vec<Option<u32>> {
    first_month_per_tier(plan, |t| t.required > t.today)
}

fn first_month_per_tier(plan: &Plan, when: impl Fn(&TierPlan) -> bool) -> Vec<Option<u32>> {
    let tiers = plan.months.first().map_or(0, |m| m.tiers.len());
    (0..tiers)
        .map(|t| {
            plan.months
                .iter()
                .find(|m| when(&m.tiers[t]))
                .map(|m| m.month)
        })
        .collect()
}

/// For each storage tier, the first month its data fills more than [`DISK_CEILING`]
/// of a server's disk.
pub fn storage_crossings(plan: &Plan) -> Vec<(String, Option<u32>)> {
    let Some(first) = plan.months.first() else {
        return Vec::new();
    };
    first
        .storage
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let month = plan
                .months
                .iter()
                .find(|m| m.storage[i].fill.is_some_and(|f| f > DISK_CEILING))
                .map(|m| m.month);
            (s.tier.clone(), month)
        })
        .collect()
}

/// Plans every month's servers, hosts, network and storage for `demand`; refuses a
/// demand [`check_demand`] refuses.
pub fn plan(topology: &Topology, demand: &Demand, policy: Policy) -> Result<Plan, Error> {
    check_demand(topology, demand)?;
    let mut state = Planner::new(topology, demand, policy);
    let months = demand
        .peak_rps
        .iter()
        .zip(1..)
        .enumerate()
        .map(|(index, (&peak_rps, month))| state.month(index, month, peak_rps))
        .collect();
    Ok(Plan {
        service: topology.name().to_owned(),
        policy,
        peak_to_mean: demand.peak_to_mean,
        months,
    })
}

/// What carries over from one planned month to the next: servers and hosts in service
/// (never fewer) and each tier's stored data.
struct Planner<'a> {
    topology: &'a Topology,
    demand: &'a Demand,
    policy: Policy,
    /// VM hosts per pool today: the file's count, else what today's VMs pack onto.
    pools_today: Vec<u32>,
    in_service: Vec<u32>,
    hosts: Vec<u32>,
    /// Each tier's whole data set, GB.
    stored: Vec<Option<f64>>,
    rises: Vec<(f64, f64)>,
    gains: Vec<f64>,
}

impl<'a> Planner<'a> {
    fn new(topology: &'a Topology, demand: &'a Demand, policy: Policy) -> Planner<'a> {
        let tiers = topology.tiers();
        let today: Vec<u32> = tiers.iter().map(|t| t.servers).collect();
        let pools_today: Vec<u32> = pack_pools(topology, &today)
            .iter()
            .map(|p| {
                topology.pools()[p.pool]
                    .hosts
                    .unwrap_or_else(|| p.host_count())
            })
            .collect();
        Planner {
            topology,
            demand,
            policy,
            hosts: pools_today.clone(),
            pools_today,
            in_service: today,
            // Every shard (primary) holds `data_gb` today.
            stored: tiers
                .iter()
                .map(|t| t.data_gb.map(|gb| gb * f64::from(t.primaries.max(1))))
                .collect(),
            rises: sizing::rises(demand.minute_rps.as_deref(), &policy.leads),
            gains: topology.gains(),
        }
    }

    /// Month `month` (1-based; `index` into the demand) at `peak_rps`.
    fn month(&mut self, index: usize, month: u32, peak_rps: f64) -> MonthPlan {
        let (topology, demand) = (self.topology, self.demand);
        let tiers = topology.tiers();
        let ahead: Vec<&[f64]> = (0..tiers.len())
            .map(|i| {
                let upper = demand.upper_by_tier.get(i).unwrap_or(&demand.upper_rps);
                upper.get(index..).unwrap_or(&[])
            })
            .collect();
        let month_demand = sizing::MonthDemand {
            point: peak_rps,
            upper_ahead: &ahead,
            rises: &self.rises,
        };
        let sized = sizing::size_month(
            topology,
            &month_demand,
            self.policy.redundancy,
            &self.policy.leads,
        );
        let shards: Vec<u32> = sized
            .iter()
            .zip(tiers)
            .map(|(s, t)| s.primaries.max(t.primaries).max(1))
            .collect();
        let tier_plans = sized
            .into_iter()
            .enumerate()
            .map(|(i, s)| self.tier(i, s, peak_rps))
            .collect();
        MonthPlan {
            month,
            peak_rps,
            tiers: tier_plans,
            pools: self.pools(),
            network: network(topology, demand, peak_rps),
            storage: self.storage(peak_rps, &shards),
        }
    }

    /// Tier `i`'s servers this month: what the sizing requires, never fewer than in
    /// service.
    fn tier(&mut self, i: usize, s: sizing::Sized, peak_rps: f64) -> TierPlan {
        let tier = &self.topology.tiers()[i];
        let (for_demand, required) = (s.for_demand, s.required);
        let total = required.max(self.in_service[i]);
        let kept = if total > required {
            format!("; keeps its {total} in service")
        } else {
            String::new()
        };
        // A spare that joins a sharded tier as a replica of one shard would, in the
        // model's pooled reads, take every shard's reads; it is a standby then, so the
        // tier runs at the better of the two layouts.
        let at = |servers| {
            self.topology
                .utilisation_sharded(i, peak_rps, servers, s.primaries)
                .0
        };
        let plan = TierPlan {
            tier: tier.name.clone(),
            demand_rps: peak_rps * self.gains[i],
            for_demand,
            for_lead: s.for_lead,
            for_redundancy: s.for_redundancy,
            for_deploy: s.for_deploy,
            required,
            today: tier.servers,
            total,
            added: total - self.in_service[i],
            utilisation: at(total).min(at(for_demand)),
            reason: format!("{}: {required} = {}{kept}", tier.name, s.why),
        };
        self.in_service[i] = total;
        plan
    }

    /// Each pool's hosts for the VMs in service, never fewer than before.
    fn pools(&mut self) -> Vec<PoolPlan> {
        let packed = pack_pools(self.topology, &self.in_service);
        packed
            .iter()
            .map(|p| {
                let total = p.host_count().max(self.hosts[p.pool]);
                let plan = PoolPlan {
                    pool: self.topology.pools()[p.pool].name.clone(),
                    packed: p.host_count(),
                    today: self.pools_today[p.pool],
                    total,
                    added: total - self.hosts[p.pool],
                };
                self.hosts[p.pool] = total;
                plan
            })
            .collect()
    }

    /// Each data tier's stored data grown by a month of writes, per server of a shard.
    fn storage(&mut self, peak_rps: f64, shards: &[u32]) -> Vec<StoragePlan> {
        let ptm = self.demand.peak_to_mean.unwrap_or(1.0);
        let loads = self.topology.loads(peak_rps);
        let mut storage = Vec::new();
        for (i, tier) in self.topology.tiers().iter().enumerate() {
            let Some(all) = self.stored[i].as_mut() else {
                continue;
            };
            if let Some(per_write) = tier.bytes_per_write {
                *all += loads[i].write_rps / ptm * SECONDS_PER_MONTH * per_write / 1e9;
            }
            // Every server of a shard holds the whole shard: the data set split over
            // the month's shards (more when the sizing reshards).
            let gb = *all / f64::from(shards[i]);
            let disk = self.topology.server_resources(i).map(|r| r.disk_gb);
            storage.push(StoragePlan {
                tier: tier.name.clone(),
                gb_per_server: gb,
                shards: shards[i],
                fill: disk.map(|d| gb / d),
            });
        }
        storage
    }
}

/// Peak Mbps at `peak_rps`: the busiest tier's responses when the topology states
/// response sizes, else the measured bytes per request.
fn network(topology: &Topology, demand: &Demand, peak_rps: f64) -> Option<NetworkPlan> {
    let by_topology = topology
        .loads(peak_rps)
        .iter()
        .map(|l| l.mbps)
        .fold(0.0, f64::max);
    let peak_mbps = if by_topology > 0.0 {
        by_topology
    } else {
        peak_rps * demand.bytes_per_request? * 8.0 / 1e6
    };
    let uplink = topology.uplink();
    Some(NetworkPlan {
        peak_mbps,
        uplinks_needed: uplink
            .map(|u| (peak_mbps / (u.mbps * LINK_CEILING)).ceil().max(1.0) as u32 + 1),
        uplinks_today: uplink.map(|u| u.count),
        utilisation: uplink.map(|u| peak_mbps / (u.mbps * f64::from(u.count))),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use headroom_topology::{Domain, evaluate};
    use sizing::stack;

    const TWO_TIERS: &str = r#"
name = "two"
entry = "web"
racks = ["a", "b", "c"]
uplink_mbps = 1000
uplinks = 2
[[profile]]
name = "box"
cores = 8
memory_gib = 32
disk_gb = 100
[[tier]]
name = "web"
role = "application"
servers = 3
capacity_rps = 100
ceiling = 0.5
bytes_per_request = 50000
[[tier]]
name = "db"
role = "database"
servers = 2
primaries = 1
capacity_rps = 1000
profile = "box"
data_gb = 50
bytes_per_write = 1000
[[edge]]
from = "web"
to = "db"
ratio = 4
write_fraction = 0.25
"#;

    fn topology() -> Topology {
        headroom_topology::parse(TWO_TIERS, Path::new("two.toml")).unwrap()
    }

    fn demand(peaks: &[f64]) -> Demand {
        Demand {
            peak_rps: peaks.to_vec(),
            upper_rps: peaks.to_vec(),
            upper_by_tier: Vec::new(),
            minute_rps: None,
            peak_to_mean: Some(2.0),
            bytes_per_request: None,
        }
    }

    #[test]
    fn unplannable_demand_is_refused_before_any_work() {
        let t = topology();
        let too_long = plan(&t, &demand(&vec![10.0; MAX_MONTHS + 1]), Policy::default());
        let months = MAX_MONTHS + 1;
        assert!(matches!(too_long, Err(Error::Horizon { months: m }) if m == months));
        let nan = plan(&t, &demand(&[10.0, f64::NAN]), Policy::default()).unwrap_err();
        assert!(matches!(nan, Error::Demand { month: 2, .. }), "{nan}");
        // The Hatena topology at 8% a month for twenty years: 1,500 × 1.08^240 front-door
        // requests/s would need billions of servers; the first month past a million
        // servers in some tier is named, and nothing is packed first.
        let hatena = hatena();
        let peaks = compound_peaks(1500.0, 0.08, MAX_MONTHS as u32);
        let e = plan(&hatena, &demand(&peaks), Policy::default()).unwrap_err();
        let Error::Servers {
            month,
            tier,
            servers,
            ..
        } = &e
        else {
            panic!("{e}");
        };
        assert!(*servers > u64::from(headroom_topology::MAX_TIER_SERVERS));
        assert_eq!(tier, "ap", "{e}");
        assert!((120..200).contains(month), "{e}");
        // Ten years plan (the bench's case).
        assert!(plan(&hatena, &demand(&peaks[..120]), Policy::default()).is_ok());
    }

    #[test]
    fn hand_checked_month() {
        let p = plan(&topology(), &demand(&[120.0]), Policy::default()).unwrap();
        let web = &p.months[0].tiers[0];
        // 120 rps ÷ (100 × 0.5) = 2.4 → 3, plus one spare.
        assert_eq!((web.for_demand, web.required, web.total), (3, 4, 4));
        assert_eq!(web.added, 1);
        assert_eq!(
            web.reason,
            "web: 4 = ceil(120.0 rps ÷ (100 rps × 0.50)) + 1 for N+1"
        );
        let db = &p.months[0].tiers[1];
        // 480 rps ÷ (1000 × 0.7) = 0.69 → 1, plus one spare; today's 2 stay. The
        // replica serves all 360 reads and applies the primary's 120 writes: 48%.
        assert_eq!((db.demand_rps, db.required, db.total), (480.0, 2, 2));
        assert_eq!(db.utilisation, 0.48);
        // 120 rps × 50 kB × 8 = 48 Mbps; one 1,000 Mbps link at 70% plus a spare.
        let net = p.months[0].network.as_ref().unwrap();
        assert!((net.peak_mbps - 48.0).abs() < 1e-9);
        assert_eq!((net.uplinks_needed, net.uplinks_today), (Some(2), Some(2)));
        // 120 writes/s at peak, 60 on average, × 1 kB × 30.4375 days = 157.78 GB more.
        let s = &p.months[0].storage[0];
        assert!((s.gb_per_server - (50.0 + 60.0 * SECONDS_PER_MONTH * 1e3 / 1e9)).abs() < 1e-9);
        assert!((s.fill.unwrap() - s.gb_per_server / 100.0).abs() < 1e-12);
    }

    #[test]
    fn each_tier_holds_its_own_quantile_when_given_one() {
        // The point stays at 60 rps; the shared bound says 300 over the lead time, but
        // web is given a bound of its own at the point: only db buys for the lead.
        let mut d = demand(&[60.0; 3]);
        d.upper_rps = vec![300.0; 5];
        let shared = plan(&topology(), &d, Policy::default()).unwrap();
        d.upper_by_tier = vec![vec![60.0; 5], vec![300.0; 5]];
        let own = plan(&topology(), &d, Policy::default()).unwrap();
        let (web, db) = (&own.months[0].tiers[0], &own.months[0].tiers[1]);
        assert_eq!(web.for_lead, 0, "{}", web.reason);
        assert!(shared.months[0].tiers[0].for_lead > 0);
        assert_eq!(db, &shared.months[0].tiers[1]);
    }

    #[test]
    fn zero_growth_keeps_todays_servers() {
        // 60 rps needs 2 web servers + 1 spare = 3 = today; db needs 2 = today.
        let p = plan(&topology(), &demand(&[60.0; 6]), Policy::default()).unwrap();
        for m in &p.months {
            for t in &m.tiers {
                assert_eq!((t.total, t.added), (t.today, 0), "{}", t.reason);
            }
        }
    }

    #[test]
    fn compound_growth_and_crossings() {
        let peaks = compound_peaks(100.0, 0.5, 3);
        // web: 3 servers of 50 usable rps carry 150; 225 needs 5 (month 2). With the
        // spare, 150 already needs 4 (month 1). db never needs more than its 2 for demand.
        let p = plan(&topology(), &demand(&peaks), Policy::default()).unwrap();
        assert_eq!(crossings(&p), vec![Some(2), None]);
        // db: 225 × 4 = 900 rps fit 2 servers only as two shards (450 each), and the
        // spare makes 3: month 2, but an 8-week purchase holds month 2's demand from
        // month 1 on.
        assert_eq!(first_purchases(&p), vec![Some(1), Some(1)]);
        let db = &p.months[0].tiers[1];
        assert_eq!(
            (db.for_demand, db.for_lead, db.for_redundancy, db.required),
            (1, 1, 1, 3)
        );
        assert!(
            db.reason
                .contains("+ 1 for the planned bound over the 8w lead time (225.0 rps)"),
            "{}",
            db.reason
        );
        // With a one-day lead time the buffer only looks at the month itself.
        let quick = Policy {
            leads: LeadTimes {
                purchase: 1440.0,
                ..LeadTimes::default()
            },
            ..Policy::default()
        };
        let p = plan(&topology(), &demand(&peaks), quick).unwrap();
        assert_eq!(first_purchases(&p), vec![Some(1), Some(2)]);
        // db data: 50 GB + 100 writes/s… grows past 80 GB of its 100 GB disk in month 1.
        assert_eq!(storage_crossings(&p), vec![("db".to_owned(), Some(1))]);
    }

    #[test]
    fn a_cloud_lead_time_needs_no_purchase_buffer() {
        let peaks = compound_peaks(100.0, 0.5, 3);
        let bought = plan(&topology(), &demand(&peaks), Policy::default()).unwrap();
        let minutes = LeadTimes {
            purchase: 5.0,
            vm: 5.0,
            cloud: 5.0,
        };
        let rented = plan(
            &topology(),
            &demand(&peaks),
            Policy {
                leads: minutes,
                ..Policy::default()
            },
        )
        .unwrap();
        // web, month 1: 150 rps needs 3 + 1; bought with 8 weeks' lead it must also
        // carry month 2's 225 (5 servers): 6. Rented, 4 will do.
        let (b, r) = (&bought.months[0].tiers[0], &rented.months[0].tiers[0]);
        assert_eq!((b.for_lead, b.required), (2, 6), "{}", b.reason);
        assert_eq!((r.for_lead, r.required), (0, 4), "{}", r.reason);
        assert!(!r.reason.contains("lead time"), "{}", r.reason);
    }

    #[test]
    fn a_fast_supply_holds_the_measured_rise_within_its_lead_time() {
        // Demand went from 0 to 100 rps within two minutes once: a 5-minute lead time
        // must hold a rise of the whole peak on top of the point forecast.
        let d = Demand {
            minute_rps: Some(vec![0.0, 50.0, 100.0, 60.0]),
            ..demand(&[100.0])
        };
        let fast = Policy {
            leads: LeadTimes {
                purchase: 5.0,
                vm: 5.0,
                cloud: 5.0,
            },
            ..Policy::default()
        };
        let web = &plan(&topology(), &d, fast).unwrap().months[0].tiers[0];
        // 100 rps ÷ 50 = 2 for demand; 200 ÷ 50 = 4 with the rise.
        assert_eq!((web.for_demand, web.for_lead), (2, 2), "{}", web.reason);
        assert!(
            web.reason
                .contains("+ 2 for a 100.0% rise within its 5 min lead time")
        );
    }

    #[test]
    fn rack_loss_spreads_over_racks() {
        let policy = Policy {
            redundancy: Redundancy::Rack,
            ..Policy::default()
        };
        // web needs 6 for 300 rps; 9 over 3 racks lose 3 with one, leaving 6.
        let p = plan(&topology(), &demand(&[300.0]), policy).unwrap();
        let web = &p.months[0].tiers[0];
        assert_eq!((web.for_demand, web.required), (6, 9), "{}", web.reason);
        assert!(
            web.reason
                .ends_with("+ 3 so that losing any of its 3 racks leaves 6 servers")
        );
    }

    #[test]
    fn redundancy_names() {
        assert_eq!(
            Redundancy::from_name("N+2"),
            Some(Redundancy::Spares { k: 2 })
        );
        assert_eq!(Redundancy::from_name("rack"), Some(Redundancy::Rack));
        assert_eq!(Redundancy::from_name("2"), None);
        assert_eq!(
            Redundancy::from_name("n+100"),
            Some(Redundancy::Spares { k: 100 })
        );
        assert_eq!(Redundancy::from_name("n+1000000"), None);
    }

    #[test]
    fn hatena_rack_loss_survives_every_rack_on_the_real_layout() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/topologies/hatena-bookmark.toml");
        let t = headroom_topology::load(&path).unwrap();
        let policy = Policy {
            redundancy: Redundancy::Rack,
            ..Policy::default()
        };
        let p = plan(&t, &demand(&[4000.0]), policy).unwrap();
        let counts: Vec<u32> = p.months[0].tiers.iter().map(|t| t.required).collect();
        let packing = pack_pools(&t, &counts);
        for rack in 0..t.racks().len() {
            let s = evaluate(&t, &counts, &packing, 4000.0, &[Domain::Rack { rack }]);
            for (i, tier) in p.months[0].tiers.iter().enumerate() {
                assert!(
                    counts[i] - s.servers_lost[i] >= tier.for_demand,
                    "{}: losing rack {rack} leaves {} of {}",
                    tier.tier,
                    counts[i] - s.servers_lost[i],
                    tier.for_demand
                );
            }
        }
    }

    fn hatena() -> Topology {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/topologies/hatena-bookmark.toml");
        headroom_topology::load(&path).unwrap()
    }

    #[test]
    fn hatena_application_servers_roll_two_at_a_time() {
        let t = hatena();
        let ap = 2;
        assert_eq!(t.tiers()[ap].name, "ap");
        let n1 = Redundancy::Spares { k: 1 };
        // At 1,500 rps ap gets 600: ceil(600 ÷ 142.84) = 5 for demand, + 1 for N+1, + 2
        // for the rolling deploy = 8 of its 11.
        let p = plan(&t, &demand(&[1500.0]), Policy::default()).unwrap();
        let tp = &p.months[0].tiers[ap];
        assert_eq!(
            (tp.for_demand, tp.for_redundancy, tp.for_deploy, tp.required),
            (5, 1, 2, 8)
        );
        // With 11 in service and one lost, the largest batch: 11 − 1 − 5 = 5 at 1,500
        // rps; at 3,000 rps (9 for demand) 1; at 3,500 (10 for demand) none.
        assert_eq!(largest_batch(&t, ap, 11, n1, 1500.0), Some(5));
        assert_eq!(largest_batch(&t, ap, 11, n1, 3000.0), Some(1));
        assert_eq!(largest_batch(&t, ap, 11, n1, 3500.0), None);
    }

    proptest! {
        #[test]
        fn a_deploy_window_is_safe_at_every_raw_minute(
            minutes in proptest::collection::vec((0i64..(3 * 7 * 24 * 60), 0.0f64..6000.0), 1..300),
            servers in 1u32..30,
        ) {
            let t = hatena();
            let points: Vec<(i64, f64)> = minutes.iter().map(|&(m, r)| (m * 60, r)).collect();
            let hours = hour_of_week_peaks(points.iter().copied());
            let r = Redundancy::Spares { k: 1 };
            for tier in 0..t.tiers().len() {
                let fits = deploy_windows(&t, tier, servers, r, &hours);
                let deploy = t.tiers()[tier].deploy;
                for &(at, rps) in &points {
                    let h = headroom_logformat::time::hour_of_week(at);
                    if fits[h] == Some(true) {
                        let need = t.sizing(tier, rps).servers;
                        let (n, _, _) = stack(need, r, 3, deploy.as_ref());
                        prop_assert!(n <= servers, "tier {tier} at {rps} rps needs {n} > {servers}");
                    }
                }
            }
        }

    }

    proptest! {
        // Each case plans Hatena twice over six months, packing its VMs every month:
        // fewer cases, at sizes where packing stays cheap in a debug build.
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn a_longer_lead_time_never_lowers_the_headroom(
            a in 0.0f64..3e3, growth in 0.0f64..0.15, days in 0.0f64..200.0, extra in 0.0f64..200.0,
        ) {
            let peaks = compound_peaks(a, growth, 12);
            let d = Demand { peak_rps: peaks[..6].to_vec(), ..demand(&peaks) };
            let policy = |days: f64| Policy {
                leads: LeadTimes { purchase: days * 1440.0, vm: days * 1440.0, cloud: days * 1440.0 },
                ..Policy::default()
            };
            let short = plan(&hatena(), &d, policy(days)).unwrap();
            let long = plan(&hatena(), &d, policy(days + extra)).unwrap();
            for (s, l) in short.months.iter().zip(&long.months) {
                for (st, lt) in s.tiers.iter().zip(&l.tiers) {
                    prop_assert!(lt.required >= st.required, "{} vs {}", lt.reason, st.reason);
                }
            }
        }

    }

    proptest! {
        #[test]
        fn never_shrinks_when_demand_grows(a in 0.0f64..1e5, extra in 0.0f64..1e5, k in 0u32..3) {
            let policy = Policy { redundancy: Redundancy::Spares { k }, ..Policy::default() };
            let p = plan(&topology(), &demand(&[a, a + extra]), policy).unwrap();
            let q = plan(&topology(), &demand(&[a + extra]), policy).unwrap();
            for ((lo, hi), alone) in p.months[0].tiers.iter().zip(&p.months[1].tiers).zip(&q.months[0].tiers) {
                prop_assert!(hi.total >= lo.total);
                prop_assert!(alone.required >= lo.required, "more demand never needs fewer");
                prop_assert!(lo.total >= lo.for_demand + k, "never below the redundancy floor");
                prop_assert!(lo.total >= lo.today);
                prop_assert!(lo.utilisation <= 1.0);
            }
            // The data set only grows (per server it may shrink when the tier reshards).
            let all = |m: &MonthPlan| m.storage[0].gb_per_server * f64::from(m.storage[0].shards);
            prop_assert!(all(&p.months[1]) >= all(&p.months[0]) - 1e-9);
        }

        #[test]
        fn rack_loss_never_below_n_plus_one(a in 0.0f64..1e4) {
            let rack = plan(&topology(), &demand(&[a]), Policy { redundancy: Redundancy::Rack, ..Policy::default() }).unwrap();
            let n1 = plan(&topology(), &demand(&[a]), Policy::default()).unwrap();
            for (r, n) in rack.months[0].tiers.iter().zip(&n1.months[0].tiers) {
                prop_assert!(r.required >= n.required);
            }
        }
    }
}
