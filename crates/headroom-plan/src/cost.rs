//! What a plan costs, self-built against cloud, month by month and tier by tier.
//!
//! Both sides start from nothing (which is what a break-even asks) and pay for what each
//! month requires, not for today's surplus.
//!
//! Self-built: each machine's purchase written off over the amortisation years, plus
//! power (with the site's PUE), its share of a rack and operations; servers bought are
//! kept; VM tiers pay their share of the hosts their VMs pack onto; transit is billed on
//! the peak. Cash flow buys the first month's fleet in month 1 and each month's additions
//! when they come.
//!
//! Cloud: one instance per server or VM, the pinned type or the cheapest that is at
//! least as large; three-year reserved, on demand (reserved × multiplier), and elastic
//! (stateless tiers on demand, following the hourly profile; stateful ones reserved).
//! Block storage for stored data and tiered egress for the month's transfer.

use headroom_topology::{Placement, Role, Topology, pack_pools};
use serde::{Deserialize, Serialize};

use crate::prices::{Cloud, SelfBuilt, ServerPrice, VCPUS_PER_CORE};
use crate::{MonthPlan, Plan, SECONDS_PER_MONTH, TierPlan};

/// Bytes in a GiB; prices are per GiB, sizes in GB.
const GIB: f64 = 1_073_741_824.0;

/// One month's cost under each option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostMonth {
    /// Planned month, from 1.
    pub month: u32,
    /// Self-built, purchases amortised.
    pub self_built: f64,
    /// Self-built cash out: purchases when made, plus running costs.
    pub self_built_cash: f64,
    /// Cloud, three-year reserved.
    pub cloud_reserved: f64,
    /// Cloud, all on demand at the peak's count.
    pub cloud_on_demand: f64,
    /// Cloud, stateless tiers on demand following the hourly profile, the rest reserved;
    /// `None` without a measured profile.
    pub cloud_elastic: Option<f64>,
}

/// One side's cost of one tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSide {
    /// What is bought, in words.
    pub what: String,
    /// Cost in the last planned month.
    pub last_month: f64,
    /// Cost over the whole plan.
    pub total: f64,
}

/// One tier's cost on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierCost {
    /// Tier name.
    pub tier: String,
    /// Self-built, amortised.
    pub self_built: TierSide,
    /// Cloud, reserved.
    pub cloud: TierSide,
    /// `self-built` or `cloud`: the cheaper over the plan.
    pub favours: String,
}

/// The cost of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    /// Currency of every figure.
    pub currency: String,
    /// Month by month.
    pub months: Vec<CostMonth>,
    /// Tier by tier (priced tiers only).
    pub tiers: Vec<TierCost>,
    /// Tiers left out of both sides, and why.
    pub unpriced: Vec<(String, String)>,
    /// Sums over the plan: self-built amortised, self-built cash, cloud reserved, cloud
    /// on demand, cloud elastic.
    pub totals: Totals,
    /// First month whose cumulative self-built cash is at or below the cumulative cloud
    /// reserved cost.
    pub break_even: Option<u32>,
}

/// Sums over the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Self-built, amortised.
    pub self_built: f64,
    /// Self-built cash.
    pub self_built_cash: f64,
    /// Cloud reserved.
    pub cloud_reserved: f64,
    /// Cloud on demand.
    pub cloud_on_demand: f64,
    /// Cloud elastic, with a profile.
    pub cloud_elastic: Option<f64>,
}

/// How one tier is priced on each side.
struct Pricing<'a> {
    /// Self-built: its own machines, or a share of a pool's hosts.
    built: Built<'a>,
    /// Cloud instance: its name and reserved price per month.
    instance: (String, f64),
    /// Whether it keeps state (data or a working set): such tiers are not autoscaled.
    stateful: bool,
}

enum Built<'a> {
    Own(&'a ServerPrice, String),
    Pool(usize),
}

/// Prices `plan` self-built and `cloud_plan` in the cloud: the same demand, but a cloud
/// plan made with the cloud's lead time (minutes, not weeks) needs no purchase buffer,
/// and starts from nothing rather than keeping today's servers. `hourly_shares` is the
/// demand of each hour of a typical week (or day) as a share of the peak, for the
/// elastic option.
pub fn costs(
    topology: &Topology,
    plan: &Plan,
    cloud_plan: &Plan,
    built: &SelfBuilt,
    cloud: &Cloud,
    hourly_shares: Option<&[f64]>,
) -> Costs {
    let (pricing, unpriced) = pricings(topology, built, cloud);
    let mut ledger = Ledger {
        topology,
        built,
        cloud,
        hourly_shares,
        pool_price: topology
            .pools()
            .iter()
            .map(|p| built.server(Some(&topology.profiles()[p.profile].name)))
            .collect(),
        per_gb_month: cloud.storage_per_gib_year / 12.0 * 1e9 / GIB,
        peak_to_mean: plan.peak_to_mean.unwrap_or(1.0),
        owned: vec![0; topology.tiers().len()],
        owned_hosts: vec![0; topology.pools().len()],
        self_tier: vec![(0.0, 0.0); topology.tiers().len()],
        cloud_tier: vec![(0.0, 0.0); topology.tiers().len()],
        pricing,
    };
    let months: Vec<CostMonth> = plan
        .months
        .iter()
        .zip(&cloud_plan.months)
        .map(|(m, cm)| ledger.month(m, cm))
        .collect();
    Costs {
        currency: built.currency.clone(),
        tiers: ledger.tier_costs(),
        unpriced,
        totals: totals(&months, hourly_shares.is_some()),
        break_even: break_even(&months),
        months,
    }
}

/// How each tier is priced, and why the others are not (a CDN's servers are the
/// provider's; no price for its profile or instance).
fn pricings<'a>(
    topology: &'a Topology,
    built: &'a SelfBuilt,
    cloud: &Cloud,
) -> (Vec<Option<Pricing<'a>>>, Vec<(String, String)>) {
    let mut unpriced = Vec::new();
    let mut pricing = Vec::with_capacity(topology.tiers().len());
    for (i, tier) in topology.tiers().iter().enumerate() {
        match price_tier(topology, i, built, cloud) {
            _ if tier.role == Role::Cdn => {
                let why = "a CDN's servers are the provider's".to_owned();
                unpriced.push((tier.name.clone(), why));
                pricing.push(None);
            }
            Err(why) => {
                unpriced.push((tier.name.clone(), why));
                pricing.push(None);
            }
            Ok(p) => pricing.push(Some(p)),
        }
    }
    (pricing, unpriced)
}

/// The running account of both sides, month by month.
struct Ledger<'a> {
    topology: &'a Topology,
    built: &'a SelfBuilt,
    cloud: &'a Cloud,
    hourly_shares: Option<&'a [f64]>,
    pricing: Vec<Option<Pricing<'a>>>,
    pool_price: Vec<Option<&'a ServerPrice>>,
    per_gb_month: f64,
    peak_to_mean: f64,
    /// Servers owned per tier: both sides start from nothing, and self-built owns what
    /// the months so far required (servers bought are kept), not today's surplus.
    owned: Vec<u32>,
    /// VM hosts owned per pool: what the owned VMs pack onto.
    owned_hosts: Vec<u32>,
    /// Each tier's (total, last month) self-built cost.
    self_tier: Vec<(f64, f64)>,
    /// Each tier's (total, last month) reserved cloud cost.
    cloud_tier: Vec<(f64, f64)>,
}

impl Ledger<'_> {
    /// One month: what self-built owns and pays (pools, own servers, transit) and what
    /// the cloud plan's month costs reserved, on demand and elastic.
    fn month(&mut self, m: &MonthPlan, cm: &MonthPlan) -> CostMonth {
        let before = self.owned.clone();
        for (o, t) in self.owned.iter_mut().zip(&m.tiers) {
            *o = (*o).max(t.required);
        }
        let hosts_before = self.owned_hosts.clone();
        for p in pack_pools(self.topology, &self.owned) {
            self.owned_hosts[p.pool] = self.owned_hosts[p.pool].max(p.host_count());
        }
        let mut month = CostMonth {
            month: m.month,
            self_built: 0.0,
            self_built_cash: 0.0,
            cloud_reserved: 0.0,
            cloud_on_demand: 0.0,
            cloud_elastic: self.hourly_shares.map(|_| 0.0),
        };
        self.pools(&mut month, &hosts_before);
        for (t, ctp) in cm.tiers.iter().enumerate() {
            self.tier(&mut month, t, before[t], ctp, cm);
        }
        if let Some(net) = &m.network {
            self.network(&mut month, net.peak_mbps);
        }
        month
    }

    /// Pools: every host is paid for whichever tier's VMs it holds.
    fn pools(&mut self, month: &mut CostMonth, hosts_before: &[u32]) {
        let shares = pool_shares(self.topology, &self.owned, &self.pricing);
        for p in 0..self.topology.pools().len() {
            let Some(price) = self.pool_price[p] else {
                continue;
            };
            if shares[p].iter().all(|s| *s == 0.0) {
                continue;
            }
            let (hosts, bought) = (self.owned_hosts[p], self.owned_hosts[p] - hosts_before[p]);
            let running = self.built.running_per_month(price);
            let amortised = f64::from(hosts) * (self.built.amortised_per_month(price) + running);
            let cash = f64::from(bought) * price.price + f64::from(hosts) * running;
            month.self_built += amortised;
            month.self_built_cash += cash;
            for (t, share) in shares[p].iter().enumerate() {
                if *share > 0.0 {
                    self.self_tier[t].0 += amortised * share;
                    self.self_tier[t].1 = amortised * share;
                }
            }
        }
    }

    /// Tier `t`: its own servers self-built (`before` owned last month), and the cloud
    /// plan's instances and storage.
    fn tier(
        &mut self,
        month: &mut CostMonth,
        t: usize,
        before: u32,
        ctp: &TierPlan,
        cm: &MonthPlan,
    ) {
        let Some(pricing) = &self.pricing[t] else {
            return;
        };
        if let Built::Own(price, _) = pricing.built {
            let (servers, bought) = (self.owned[t], self.owned[t] - before);
            let running = self.built.running_per_month(price);
            let amortised = f64::from(servers) * (self.built.amortised_per_month(price) + running);
            month.self_built += amortised;
            month.self_built_cash += f64::from(bought) * price.price + f64::from(servers) * running;
            self.self_tier[t].0 += amortised;
            self.self_tier[t].1 = amortised;
        }
        // Reserved instances are bought for what the month requires; a plan's
        // requirement never falls while demand grows.
        let instances = f64::from(ctp.required);
        let storage = cm
            .storage
            .iter()
            .find(|s| s.tier == ctp.tier)
            .map_or(0.0, |s| s.gb_per_server * instances * self.per_gb_month);
        let price = pricing.instance.1;
        let reserved = instances * price + storage;
        month.cloud_reserved += reserved;
        month.cloud_on_demand += instances * price * self.cloud.on_demand_multiplier + storage;
        if let (Some(elastic), Some(shares)) = (month.cloud_elastic.as_mut(), self.hourly_shares) {
            *elastic += if pricing.stateful {
                reserved
            } else {
                // Servers each hour for that hour's demand, with the same spares
                // and room for deploys.
                let extra = ctp.for_redundancy + ctp.for_deploy;
                let mean = shares
                    .iter()
                    .map(|s| f64::from(self.topology.sizing(t, cm.peak_rps * s).servers + extra))
                    .sum::<f64>()
                    / shares.len() as f64;
                mean * price * self.cloud.on_demand_multiplier + storage
            };
        }
        self.cloud_tier[t].0 += reserved;
        self.cloud_tier[t].1 = reserved;
    }

    /// Transit self-built (per peak Mbps) and egress in the cloud (per GiB sent).
    fn network(&self, month: &mut CostMonth, peak_mbps: f64) {
        month.self_built += peak_mbps * self.built.transit_per_mbps_month;
        month.self_built_cash += peak_mbps * self.built.transit_per_mbps_month;
        let gib = peak_mbps / self.peak_to_mean * 1e6 / 8.0 * SECONDS_PER_MONTH / GIB;
        let egress = self.cloud.egress_cost(gib);
        month.cloud_reserved += egress;
        month.cloud_on_demand += egress;
        if let Some(e) = month.cloud_elastic.as_mut() {
            *e += egress;
        }
    }

    /// Each priced tier's two sides and which it favours.
    fn tier_costs(&self) -> Vec<TierCost> {
        let topology = self.topology;
        topology
            .tiers()
            .iter()
            .enumerate()
            .filter_map(|(t, tier)| {
                let pricing = self.pricing[t].as_ref()?;
                let what = match &pricing.built {
                    Built::Own(_, what) => what.clone(),
                    Built::Pool(p) => {
                        format!("a share of pool '{}''s hosts", topology.pools()[*p].name)
                    }
                };
                let (own, rented) = (self.self_tier[t], self.cloud_tier[t]);
                Some(TierCost {
                    tier: tier.name.clone(),
                    self_built: TierSide {
                        what,
                        last_month: own.1,
                        total: own.0,
                    },
                    cloud: TierSide {
                        what: pricing.instance.0.clone(),
                        last_month: rented.1,
                        total: rented.0,
                    },
                    favours: if own.0 <= rented.0 {
                        "self-built"
                    } else {
                        "cloud"
                    }
                    .to_owned(),
                })
            })
            .collect()
    }
}

/// The months' sums, the elastic one only when there was an hourly profile.
fn totals(months: &[CostMonth], elastic: bool) -> Totals {
    let sum = |f: fn(&CostMonth) -> f64| months.iter().map(f).sum::<f64>();
    Totals {
        self_built: sum(|m| m.self_built),
        self_built_cash: sum(|m| m.self_built_cash),
        cloud_reserved: sum(|m| m.cloud_reserved),
        cloud_on_demand: sum(|m| m.cloud_on_demand),
        cloud_elastic: elastic.then(|| months.iter().filter_map(|m| m.cloud_elastic).sum()),
    }
}

/// The first month by which the self-built cash spent is at or below reserved cloud's.
fn break_even(months: &[CostMonth]) -> Option<u32> {
    let (mut cash, mut rented) = (0.0, 0.0);
    months.iter().find_map(|m| {
        cash += m.self_built_cash;
        rented += m.cloud_reserved;
        (cash <= rented).then_some(m.month)
    })
}

/// For each pool, each tier's share of its hosts: the tier's dominant resource (cores,
/// memory or disk, as a share of a host) over all priced tiers' in the pool, with
/// `servers[t]` VMs per tier.
fn pool_shares(topology: &Topology, servers: &[u32], pricing: &[Option<Pricing>]) -> Vec<Vec<f64>> {
    let tiers = topology.tiers();
    topology
        .pools()
        .iter()
        .enumerate()
        .map(|(p, pool)| {
            let host = topology.profiles()[pool.profile].resources.as_array();
            let weights: Vec<f64> = tiers
                .iter()
                .enumerate()
                .map(|(t, tier)| match (&tier.placement, &pricing[t]) {
                    (Placement::Virtual { pool, vm }, Some(_)) if *pool == p => {
                        let n = f64::from(servers[t]);
                        vm.as_array()
                            .iter()
                            .zip(host)
                            .map(|(v, h)| n * v / h)
                            .fold(0.0, f64::max)
                    }
                    _ => 0.0,
                })
                .collect();
            let total: f64 = weights.iter().sum();
            weights
                .iter()
                .map(|w| if total > 0.0 { w / total } else { 0.0 })
                .collect()
        })
        .collect()
}

/// How tier `i` is priced on both sides, or why it cannot be.
fn price_tier<'a>(
    topology: &Topology,
    i: usize,
    built: &'a SelfBuilt,
    cloud: &Cloud,
) -> Result<Pricing<'a>, String> {
    let tier = &topology.tiers()[i];
    let stateful = tier.data_gb.is_some()
        || tier.working_set_gib.is_some()
        || matches!(tier.role, Role::Database | Role::Cache);
    let monthly = |annual: f64| annual / 12.0;
    match &tier.placement {
        Placement::Physical { profile, .. } => {
            let profile = profile.map(|p| &topology.profiles()[p]);
            let name = profile.map(|p| p.name.as_str());
            let price = built.server(name).ok_or_else(|| match name {
                Some(n) => {
                    format!("the self-built table prices no '{n}' server and has no default")
                }
                None => "it names no profile and the self-built table has no default".to_owned(),
            })?;
            let Some(profile) = profile else {
                return Err(
                    "it names no profile, so no cloud instance can be matched to it".to_owned(),
                );
            };
            let r = profile.resources;
            let instance = cloud
                .pinned_for(&profile.name)
                .or_else(|| {
                    cloud.cheapest_fit(r.cores * VCPUS_PER_CORE, r.memory_gib, profile.nic_mbps)
                })
                .ok_or_else(|| format!("no cloud instance is as large as a '{}'", profile.name))?;
            Ok(Pricing {
                built: Built::Own(price, format!("{} at {:.0}", profile.name, price.price)),
                instance: (instance.name.clone(), monthly(instance.annual)),
                stateful,
            })
        }
        Placement::Virtual { pool, vm } => {
            let host = &topology.profiles()[topology.pools()[*pool].profile];
            built.server(Some(&host.name)).ok_or_else(|| {
                format!(
                    "the self-built table prices no '{}' host and has no default",
                    host.name
                )
            })?;
            let instance = cloud
                .cheapest_fit(vm.cores, vm.memory_gib, None)
                .ok_or_else(|| "no cloud instance is as large as its VMs".to_owned())?;
            Ok(Pricing {
                built: Built::Pool(*pool),
                instance: (instance.name.clone(), monthly(instance.annual)),
                stateful,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::prices::{Instance, NamedServer};
    use crate::{Demand, Policy, plan};

    const SMALL: &str = r#"
name = "c"
entry = "web"
[[profile]]
name = "box"
cores = 4
memory_gib = 16
disk_gb = 100
[[profile]]
name = "host"
cores = 16
memory_gib = 64
disk_gb = 1000
[[pool]]
name = "p"
profile = "host"
hosts = 1
[[tier]]
name = "web"
role = "application"
servers = 2
capacity_rps = 100
ceiling = 0.5
pool = "p"
vm = { cores = 4, memory_gib = 8, disk_gb = 10 }
bytes_per_request = 125000
[[tier]]
name = "db"
role = "database"
servers = 2
capacity_rps = 1000
profile = "box"
data_gb = 10
[[edge]]
from = "web"
to = "db"
ratio = 1
"#;

    fn topology() -> Topology {
        headroom_topology::parse(SMALL, Path::new("c.toml")).unwrap()
    }

    fn built() -> SelfBuilt {
        let server = |profile: &str, price: f64| NamedServer {
            profile: profile.to_owned(),
            price: ServerPrice { price, watts: 0.0 },
        };
        SelfBuilt {
            currency: "USD".to_owned(),
            amortisation_years: 1.0,
            electricity_per_kwh: 0.0,
            pue: 1.0,
            rack_per_month: 0.0,
            servers_per_rack: 1.0,
            operations_per_server_month: 10.0,
            transit_per_mbps_month: 1.0,
            servers: vec![server("box", 1200.0), server("host", 2400.0)],
            default: None,
        }
    }

    fn cloud(per_gib: f64) -> Cloud {
        let instance = |name: &str, vcpus: f64, ram_gib: f64, annual: f64| Instance {
            name: name.to_owned(),
            vcpus,
            ram_gib,
            net_mbps: 1000.0,
            annual,
        };
        Cloud {
            currency: "USD".to_owned(),
            source: "test".to_owned(),
            instances: vec![
                instance("small", 4.0, 8.0, 120.0),
                instance("big", 8.0, 16.0, 240.0),
            ],
            on_demand_multiplier: 2.0,
            storage_per_gib_year: 12.0,
            egress: vec![(f64::INFINITY, per_gib)],
            pinned: BTreeMap::new(),
        }
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
    fn hand_checked_month() {
        let t = topology();
        let p = plan(&t, &demand(&[200.0]), Policy::default()).unwrap();
        let c = costs(
            &t,
            &p,
            &p,
            &built(),
            &cloud(0.1),
            Some(&[1.0, 0.5, 0.0, 0.5]),
        );
        // web: 200 rps ÷ 50 = 4 VMs + 1 = 5, one per host (anti-affinity): 5 hosts at
        // 2,400 ÷ 12 + 10 = 210. db: 200 ÷ 700 → 1 + 1 = 2 boxes at 1,200 ÷ 12 + 10 = 110.
        // Transit: 200 rps × 125 kB × 8 = 200 Mbps at 1 a Mbps.
        let m = &c.months[0];
        assert!((m.self_built - (5.0 * 210.0 + 2.0 * 110.0 + 200.0)).abs() < 1e-9);
        assert!(
            (m.self_built_cash - (5.0 * 2400.0 + 5.0 * 10.0 + 2.0 * 1200.0 + 2.0 * 10.0 + 200.0))
                .abs()
                < 1e-9
        );
        // Cloud: web VMs (4 cores, 8 GiB) on "small" at 10 a month; a box (4 cores →
        // 6.67 vCPUs, 16 GiB) on "big" at 20. Storage 2 × 10 GB at 1 a GiB-month.
        // Egress: 100 Mbps on average for a month at 0.1 a GiB.
        let storage = 20.0 * 1e9 / GIB;
        let egress = 100e6 / 8.0 * SECONDS_PER_MONTH / GIB * 0.1;
        assert!((m.cloud_reserved - (5.0 * 10.0 + 2.0 * 20.0 + storage + egress)).abs() < 1e-6);
        assert!(
            (m.cloud_on_demand - (2.0 * (5.0 * 10.0 + 2.0 * 20.0) + storage + egress)).abs() < 1e-6
        );
        // Elastic: web by the hour needs 4, 2, 1, 2 VMs, each + 1: mean 3.25 on demand;
        // db (stateful) stays reserved.
        let elastic = 3.25 * 10.0 * 2.0 + 2.0 * 20.0 + storage + egress;
        assert!((m.cloud_elastic.unwrap() - elastic).abs() < 1e-6);
        let web = &c.tiers[0];
        assert_eq!(
            (web.cloud.what.as_str(), web.favours.as_str()),
            ("small", "cloud")
        );
        assert!((web.self_built.total - 5.0 * 210.0).abs() < 1e-9);
        assert_eq!(c.tiers[1].cloud.what, "big");
    }

    #[test]
    fn break_even_month() {
        let t = topology();
        // 50 rps: web 1 + 1 = 2 VMs on 2 hosts, db 2 boxes; 50 Mbps.
        let p = plan(&t, &demand(&[50.0; 24]), Policy::default()).unwrap();
        let c = costs(&t, &p, &p, &built(), &cloud(0.0), None);
        // Self-built cash: 2 × 2,400 + 2 × 1,200 = 7,200 up front, then 4 × 10 + 50 = 90
        // a month. Cloud: 2 × 10 + 2 × 20 + storage 18.63 = 78.63 a month: cloud is
        // cheaper every month, so self-built never catches up.
        assert_eq!(c.break_even, None);
        let mut dear = cloud(0.0);
        for i in &mut dear.instances {
            i.annual *= 100.0;
        }
        let c = costs(&t, &p, &p, &built(), &dear, None);
        // Cloud now 2 × 1,000 + 2 × 2,000 + 18.63 = 6,018.63 a month: month 1 costs
        // 7,290 self-built, month 2 brings the sums to 7,380 against 12,037.
        assert_eq!(c.break_even, Some(2));
        assert_eq!(c.tiers[1].favours, "self-built");
    }

    #[test]
    fn unpriced_tiers_are_named() {
        let t = topology();
        let p = plan(&t, &demand(&[50.0]), Policy::default()).unwrap();
        let mut b = built();
        b.servers.retain(|s| s.profile != "box");
        let c = costs(&t, &p, &p, &b, &cloud(0.0), None);
        assert_eq!(c.tiers.len(), 1);
        assert_eq!(
            c.unpriced,
            vec![(
                "db".to_owned(),
                "the self-built table prices no 'box' server and has no default".to_owned()
            )]
        );
    }

    proptest! {
        #[test]
        fn cost_is_monotone_in_servers(a in 0.0f64..2e3, tier in 0usize..2, extra in 1u32..20) {
            let t = topology();
            let base = plan(&t, &demand(&[a]), Policy::default()).unwrap();
            let mut more = base.clone();
            more.months[0].tiers[tier].total += extra;
            more.months[0].tiers[tier].added += extra;
            more.months[0].tiers[tier].required += extra;
            let shares = [1.0, 0.3];
            let (lo, hi) = (
                costs(&t, &base, &base, &built(), &cloud(0.05), Some(&shares)),
                costs(&t, &more, &more, &built(), &cloud(0.05), Some(&shares)),
            );
            let (l, h) = (&lo.totals, &hi.totals);
            prop_assert!(h.self_built >= l.self_built);
            prop_assert!(h.self_built_cash >= l.self_built_cash);
            prop_assert!(h.cloud_reserved > l.cloud_reserved);
            prop_assert!(h.cloud_on_demand > l.cloud_on_demand);
            prop_assert!(h.cloud_elastic >= l.cloud_elastic);
        }

        #[test]
        fn cost_never_falls_when_demand_grows(a in 0.0f64..5e3, extra in 0.0f64..5e3) {
            let t = topology();
            let lo = plan(&t, &demand(&[a]), Policy::default()).unwrap();
            let hi = plan(&t, &demand(&[a + extra]), Policy::default()).unwrap();
            let shares = [1.0, 0.3];
            let (lo, hi) = (
                costs(&t, &lo, &lo, &built(), &cloud(0.05), Some(&shares)),
                costs(&t, &hi, &hi, &built(), &cloud(0.05), Some(&shares)),
            );
            let (l, h) = (&lo.totals, &hi.totals);
            prop_assert!(h.self_built >= l.self_built);
            prop_assert!(h.self_built_cash >= l.self_built_cash);
            prop_assert!(h.cloud_reserved >= l.cloud_reserved);
            prop_assert!(h.cloud_on_demand >= l.cloud_on_demand);
            prop_assert!(h.cloud_elastic >= l.cloud_elastic);
            prop_assert!(l.cloud_on_demand >= l.cloud_reserved);
        }
    }
}
