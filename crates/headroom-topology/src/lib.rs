//! The service as a graph of tiers: loading and validating topology files, and
//! propagating front-door demand to every tier.
//!
//! Invariant: a [`Topology`] only exists once its file has passed validation (names
//! unique and known, counts and ratios positive, no cycle, every tier reachable from the
//! entry), so every computation on it can assume a well-formed DAG.

mod file;

use std::path::PathBuf;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};

pub use file::{DEFAULT_CEILING, load, parse};

/// What a tier does; it decides nothing yet but is reported and charted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Load balancer (LVS, HAProxy, a cloud LB).
    LoadBalancer,
    /// Reverse proxy (nginx, Apache in front, Varnish).
    ReverseProxy,
    /// Application servers.
    Application,
    /// Cache servers (memcached, Redis as cache).
    Cache,
    /// Database servers.
    Database,
    /// Search engines.
    Search,
    /// Message queues.
    Queue,
    /// Background workers and crawlers.
    Worker,
    /// Anything else.
    Other,
}

impl Role {
    /// The name used in topology files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::LoadBalancer => "load_balancer",
            Role::ReverseProxy => "reverse_proxy",
            Role::Application => "application",
            Role::Cache => "cache",
            Role::Database => "database",
            Role::Search => "search",
            Role::Queue => "queue",
            Role::Worker => "worker",
            Role::Other => "other",
        }
    }
}

/// One tier: a set of identical servers doing one job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// Unique name, as edges refer to it.
    pub name: String,
    /// What the tier does.
    pub role: Role,
    /// Servers in service today.
    pub servers: u32,
    /// Requests per second one server carries when 100% busy.
    pub capacity_rps: f64,
    /// Highest utilisation the tier is planned to run at (0 < ceiling ≤ 1).
    pub ceiling: f64,
}

impl Tier {
    /// Requests per second the tier carries today at its ceiling.
    pub fn usable_rps(&self) -> f64 {
        f64::from(self.servers) * self.capacity_rps * self.ceiling
    }
}

/// Load on one tier for a given front-door rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierLoad {
    /// Requests per second reaching the tier.
    pub demand_rps: f64,
    /// Demand ÷ (servers × capacity): 1.0 is every server fully busy.
    pub utilisation: f64,
    /// Front-door requests per second at which the tier reaches its ceiling.
    pub saturation_entry_rps: f64,
}

/// A validated service topology.
#[derive(Debug, Clone)]
pub struct Topology {
    name: String,
    tiers: Vec<Tier>,
    entry: usize,
    /// Node weights index `tiers`; edge weights are demand ratios.
    graph: DiGraph<usize, f64>,
    /// Tier indices in topological order, entry first.
    order: Vec<usize>,
}

impl Topology {
    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tiers, in file order.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The tier requests enter at.
    pub fn entry(&self) -> &Tier {
        &self.tiers[self.entry]
    }

    /// Servers over all tiers.
    pub fn total_servers(&self) -> u32 {
        self.tiers.iter().map(|t| t.servers).sum()
    }

    /// Requests per second reaching each tier (file order) per front-door request/s.
    ///
    /// Demand flows along edges in topological order: a tier receives the sum over its
    /// callers of the caller's demand times the edge's ratio.
    pub fn gains(&self) -> Vec<f64> {
        let mut gain = vec![0.0; self.tiers.len()];
        gain[self.entry] = 1.0;
        for &tier in &self.order {
            let node = NodeIndex::new(tier);
            for edge in self.graph.edges(node) {
                use petgraph::visit::EdgeRef;
                let target = self.graph[edge.target()];
                gain[target] += gain[tier] * edge.weight();
            }
        }
        gain
    }

    /// Load on every tier (file order) when `entry_rps` arrive at the front door.
    pub fn loads(&self, entry_rps: f64) -> Vec<TierLoad> {
        self.tiers
            .iter()
            .zip(self.gains())
            .map(|(tier, gain)| {
                let demand_rps = entry_rps * gain;
                TierLoad {
                    demand_rps,
                    utilisation: demand_rps / (f64::from(tier.servers) * tier.capacity_rps),
                    saturation_entry_rps: tier.usable_rps() / gain,
                }
            })
            .collect()
    }

    /// Index of the tier that reaches its ceiling at the lowest front-door rate.
    pub fn bottleneck(&self) -> usize {
        let loads = self.loads(1.0);
        (0..self.tiers.len())
            .min_by(|&a, &b| {
                loads[a]
                    .saturation_entry_rps
                    .total_cmp(&loads[b].saturation_entry_rps)
            })
            .expect("a validated topology has at least one tier")
    }
}

/// What can go wrong loading a topology.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The topology file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not a valid topology.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The topology file.
        path: PathBuf,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
