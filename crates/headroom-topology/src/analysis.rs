//! Everything `headroom topology analyze` reports, in one serialisable value.

use serde::Serialize;

use crate::export::Band;
use crate::failure::{
    Failures, Scenarios, articulation_tiers, dominated_by, single_points_of_failure,
};
use crate::model::{TierLoad, Topology};
use crate::pack::{Heuristic, PoolPacking, pack_pools};

/// One tier at the analysed front-door rate.
#[derive(Debug, Clone, Serialize)]
pub struct TierSummary {
    /// Tier name.
    pub name: String,
    /// Servers today.
    pub servers: u32,
    /// Requests per second per server at 100% busy.
    pub capacity_rps: f64,
    /// Planned utilisation ceiling and where it came from.
    pub ceiling: f64,
    /// Where the ceiling came from.
    pub ceiling_source: String,
    /// Load at the analysed rate.
    pub load: TierLoad,
    /// "ok", "near ceiling" or "OVER ceiling".
    pub band: &'static str,
    /// Tiers every request to this one passes through.
    pub behind: Vec<String>,
}

/// A pool's packing in brief.
#[derive(Debug, Clone, Serialize)]
pub struct PoolSummary {
    /// Pool name.
    pub name: String,
    /// VMs placed.
    pub vms: usize,
    /// Hosts the better heuristic needs.
    pub hosts_needed: u32,
    /// Fewest hosts any packing could use.
    pub lower_bound: u32,
    /// Hosts first-fit decreasing needs.
    pub first_fit_decreasing: u32,
    /// Hosts the dot-product heuristic needs.
    pub dot_product: u32,
    /// Which heuristic was kept.
    pub heuristic: Heuristic,
    /// Hosts the pool has, when stated.
    pub available: Option<u32>,
    /// Share of the needed hosts' cores, memory and disk in use.
    pub fill: [f64; 3],
    /// The full packing.
    pub packing: PoolPacking,
}

/// A failure scenario in brief.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSummary {
    /// What was lost.
    pub lost: String,
    /// The tier hit hardest.
    pub worst_tier: String,
    /// Its busiest-server utilisation (null: no server left).
    pub worst_utilisation: Option<f64>,
    /// Whether every tier stays under 100%.
    pub survives: bool,
}

/// Failure scenarios of one depth.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSet {
    /// Scenarios tried.
    pub tried: u64,
    /// Those where some tier reaches 100% or has no server left.
    pub failing: u64,
    /// The worst of them, worst first, at most [`LISTED`].
    pub worst: Vec<ScenarioSummary>,
}

/// Failing scenarios an analysis lists per depth (all are counted).
pub const LISTED: usize = 100;

/// A single point of failure by name.
#[derive(Debug, Clone, Serialize)]
pub struct SpofSummary {
    /// Tier.
    pub tier: String,
    /// Why.
    pub reason: String,
    /// Tiers that lose service with it.
    pub cuts_off: Vec<String>,
}

/// The whole analysis of a topology at one front-door rate.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Service name.
    pub service: String,
    /// Front-door requests per second analysed.
    pub entry_rps: f64,
    /// Servers (machines and VMs) over all tiers.
    pub servers: u32,
    /// Per tier, file order.
    pub tiers: Vec<TierSummary>,
    /// Tier that reaches its ceiling first.
    pub bottleneck: String,
    /// Front-door rate at which it does.
    pub bottleneck_entry_rps: f64,
    /// Single points of failure.
    pub single_points_of_failure: Vec<SpofSummary>,
    /// Tiers whose removal splits the graph.
    pub articulation_tiers: Vec<String>,
    /// VM packing per pool.
    pub pools: Vec<PoolSummary>,
    /// Physical machines: dedicated servers plus the hosts the pools need.
    pub physical_machines: u32,
    /// Losing any one server, host or rack.
    pub n_minus_1: ScenarioSet,
    /// Losing any two.
    pub n_minus_2: ScenarioSet,
}

fn summarise(topology: &Topology, set: Scenarios) -> ScenarioSet {
    ScenarioSet {
        tried: set.tried,
        failing: set.failing,
        worst: set
            .worst
            .into_iter()
            .map(|s| ScenarioSummary {
                worst_tier: topology.tiers()[s.worst_tier].name.clone(),
                worst_utilisation: Some(s.worst_utilisation()).filter(|u| u.is_finite()),
                lost: s.description,
                survives: s.survives,
            })
            .collect(),
    }
}

/// Analyses `topology` with `entry_rps` requests per second at the front door.
pub fn analyze(topology: &Topology, entry_rps: f64) -> Analysis {
    let servers: Vec<u32> = topology.tiers().iter().map(|t| t.servers).collect();
    let loads = topology.loads(entry_rps);
    let tiers = tier_summaries(topology, &loads);
    let packing = pack_pools(topology, &servers);
    let pools = packing
        .iter()
        .map(|p| pool_summary(topology, p))
        .collect::<Vec<_>>();
    let dedicated: u32 = topology
        .tiers()
        .iter()
        .filter(|t| matches!(t.placement, crate::Placement::Physical { .. }))
        .map(|t| t.servers)
        .sum();
    let bottleneck = topology.bottleneck();
    let failures = Failures::new(topology, &servers, &packing, entry_rps);
    Analysis {
        service: topology.name().to_owned(),
        entry_rps,
        servers: topology.total_servers(),
        tiers,
        bottleneck: topology.tiers()[bottleneck].name.clone(),
        bottleneck_entry_rps: loads[bottleneck].saturation_entry_rps,
        single_points_of_failure: spof_summaries(topology, &servers, &packing),
        articulation_tiers: names(topology, &articulation_tiers(topology)),
        physical_machines: dedicated + pools.iter().map(|p| p.hosts_needed).sum::<u32>(),
        pools,
        n_minus_1: summarise(topology, failures.scenarios(1, LISTED)),
        n_minus_2: summarise(topology, failures.scenarios(2, LISTED)),
    }
}

/// The names of tiers `v`.
fn names(topology: &Topology, v: &[usize]) -> Vec<String> {
    v.iter()
        .map(|&i| topology.tiers()[i].name.clone())
        .collect()
}

/// Every tier (file order) under `loads`, with the tiers in front of it.
fn tier_summaries(topology: &Topology, loads: &[TierLoad]) -> Vec<TierSummary> {
    let dominated = dominated_by(topology);
    topology
        .tiers()
        .iter()
        .zip(loads)
        .zip(&dominated)
        .map(|((t, load), behind)| TierSummary {
            name: t.name.clone(),
            servers: t.servers,
            capacity_rps: t.capacity_rps,
            ceiling: t.ceiling,
            ceiling_source: t.ceiling_source.clone(),
            load: *load,
            band: Band::of(load.utilisation, t.ceiling).as_str(),
            behind: names(topology, behind),
        })
        .collect()
}

/// A pool's packing in brief, with the share of its hosts' resources in use.
fn pool_summary(topology: &Topology, p: &PoolPacking) -> PoolSummary {
    let host = topology.profiles()[topology.pools()[p.pool].profile].resources;
    let n = f64::from(p.host_count().max(1));
    let sum = |f: fn(&crate::Resources) -> f64| p.used.iter().map(f).sum::<f64>();
    PoolSummary {
        name: topology.pools()[p.pool].name.clone(),
        vms: p.hosts.iter().map(Vec::len).sum(),
        hosts_needed: p.host_count(),
        lower_bound: p.lower_bound,
        first_fit_decreasing: p.first_fit_decreasing,
        dot_product: p.dot_product,
        heuristic: p.heuristic,
        available: p.available,
        fill: [
            sum(|r| r.cores) / (n * host.cores),
            sum(|r| r.memory_gib) / (n * host.memory_gib),
            sum(|r| r.disk_gb) / (n * host.disk_gb),
        ],
        packing: p.clone(),
    }
}

/// The single points of failure by name.
fn spof_summaries(
    topology: &Topology,
    servers: &[u32],
    packing: &[PoolPacking],
) -> Vec<SpofSummary> {
    single_points_of_failure(topology, servers, packing)
        .into_iter()
        .map(|s| SpofSummary {
            tier: topology.tiers()[s.tier].name.clone(),
            reason: s.reason,
            cuts_off: names(topology, &s.cuts_off),
        })
        .collect()
}
