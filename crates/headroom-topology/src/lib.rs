//! The service as a graph of tiers: loading and validating topology files, propagating
//! front-door demand to every tier, finding the bottleneck and the single points of
//! failure, playing out N−1 and N−2 failures, and packing virtual machines onto hosts.
//!
//! Invariant: a [`Topology`] only exists once its file has passed validation (names
//! unique and known, counts and ratios positive, no cycle, every tier reachable from the
//! entry, every VM smaller than its pool's hosts), so every computation on it can
//! assume a well-formed DAG.
//!
//! ```
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/topologies/hatena-bookmark.toml");
//! let topology = headroom_topology::load(std::path::Path::new(path))?;
//! let analysis = headroom_topology::analyze(&topology, 3000.0);
//! assert_eq!(analysis.bottleneck, "ap");
//! // Every single loss of a server, VM host or rack is tried; at 3,000 requests/s
//! // losing any one rack leaves too few application servers.
//! assert_eq!((analysis.n_minus_1.tried, analysis.n_minus_1.failing), (20, 3));
//! # Ok::<(), headroom_topology::Error>(())
//! ```

mod analysis;
mod export;
mod failure;
mod file;
mod model;
mod pack;
pub mod queue;
pub mod synthetic;
pub mod text;
pub mod usl;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use analysis::{
    Analysis, LISTED, PoolSummary, ScenarioSet, ScenarioSummary, SpofSummary, TierSummary, analyze,
};
pub use export::{Band, dot, mermaid, text_tree};
pub use failure::{
    Domain, Failures, Scenario, Scenarios, Spof, articulation_tiers, domains, dominated_by,
    evaluate, scenarios, single_points_of_failure,
};
pub use file::{DEFAULT_CEILING, Format, MAX_TIER_SERVERS, MAX_WORKERS, load, parse, parse_as};
pub use model::{
    Batch, Capacity, Deploy, Edge, Placement, Pool, Profile, Resources, Sizing, Strategy, Supply,
    Tier, TierLoad, Topology, Uplink,
};
pub use pack::{Heuristic, Item, PoolPacking, VmRef, consolidate, lower_bound, pack, pack_pools};

/// What a tier does; it is reported and charted, the numbers decide the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Content delivery network edge (someone else's servers, but a tier all the same).
    Cdn,
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
            Role::Cdn => "cdn",
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

/// What can go wrong loading a topology or fitting the USL to load-test points.
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
    #[error("{}{}: {message}", path.display(), at.map_or(String::new(), |(l, c)| format!(":{l}:{c}")))]
    Invalid {
        /// The topology file.
        path: PathBuf,
        /// 1-based line and column of the offending value, when known.
        at: Option<(usize, usize)>,
        /// What is wrong.
        message: String,
    },
    /// A USL fit needs at least four load-test points (three parameters and an error).
    #[error("a USL fit needs at least 4 measurements, got {0}")]
    UslTooFew(usize),
    /// A load-test point has concurrency or throughput that is not a positive number.
    #[error("measurement {0}: concurrency and throughput must be positive numbers")]
    UslInvalid(usize),
    /// The load-test points cannot tell the USL's three parameters apart.
    #[error("{0}")]
    UslUnidentifiable(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
