//! What a failure takes down: single points of failure and N−1 / N−2 scenarios.
//!
//! A server is a unit of one tier; it sits in a rack (physical servers, round-robin
//! over the tier's racks) or on a host (VMs, wherever packing put them), and hosts sit
//! in racks (round-robin over the pool's racks). A scenario loses one or two failure
//! domains (a server of a tier, a host, a rack) and asks whether what remains carries
//! the peak with every tier under 100%.

use std::collections::HashSet;

use petgraph::algo::dominators;
use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::model::{Placement, Topology};
use crate::pack::PoolPacking;

/// Something that can fail as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Domain {
    /// One server (machine or VM) of a tier.
    Server {
        /// Index into [`Topology::tiers`].
        tier: usize,
    },
    /// One physical host of a pool, with every VM on it.
    Host {
        /// Index into [`Topology::pools`].
        pool: usize,
        /// Host number within the pool's packing.
        host: usize,
    },
    /// One rack, with every server and host in it.
    Rack {
        /// Index into [`Topology::racks`].
        rack: usize,
    },
}

impl Domain {
    /// Readable name: "a server of ap", "host xen#3", "rack r2".
    pub fn describe(&self, topology: &Topology) -> String {
        match *self {
            Domain::Server { tier } => format!("a server of {}", topology.tiers()[tier].name),
            Domain::Host { pool, host } => {
                format!("host {}#{}", topology.pools()[pool].name, host + 1)
            }
            Domain::Rack { rack } => format!("rack {}", topology.racks()[rack]),
        }
    }
}

/// The outcome of losing some failure domains at the peak.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// What was lost.
    pub lost: Vec<Domain>,
    /// The same, in words.
    pub description: String,
    /// Servers lost per tier (file order).
    pub servers_lost: Vec<u32>,
    /// Busiest-server utilisation per tier after the loss (infinite: no server left).
    pub utilisation: Vec<f64>,
    /// Tier with the highest utilisation.
    pub worst_tier: usize,
    /// Whether every tier stays under 100%.
    pub survives: bool,
}

impl Scenario {
    /// Highest utilisation of any tier.
    pub fn worst_utilisation(&self) -> f64 {
        self.utilisation[self.worst_tier]
    }
}

/// Where one server sits.
#[derive(Clone, Copy)]
struct Place {
    /// Pool and host number, for a VM.
    host: Option<(usize, usize)>,
    /// Rack, when racks are known.
    rack: Option<usize>,
}

/// Where each server sits.
struct Layout {
    /// `units[t][i]`: replica `i` of tier `t`.
    units: Vec<Vec<Place>>,
}

impl Layout {
    fn new(topology: &Topology, servers: &[u32], packing: &[PoolPacking]) -> Layout {
        let mut units: Vec<Vec<Place>> = topology
            .tiers()
            .iter()
            .enumerate()
            .map(|(t, tier)| {
                (0..servers[t] as usize)
                    .map(|i| match &tier.placement {
                        Placement::Physical { racks, .. } => Place {
                            host: None,
                            rack: (!racks.is_empty()).then(|| racks[i % racks.len()]),
                        },
                        Placement::Virtual { .. } => Place {
                            host: None,
                            rack: None,
                        },
                    })
                    .collect()
            })
            .collect();
        for p in packing {
            let racks = &topology.pools()[p.pool].racks;
            for (h, vms) in p.hosts.iter().enumerate() {
                let rack = (!racks.is_empty()).then(|| racks[h % racks.len()]);
                for vm in vms {
                    units[vm.tier][vm.replica as usize] = Place {
                        host: Some((p.pool, h)),
                        rack,
                    };
                }
            }
        }
        Layout { units }
    }
}

/// Every single failure domain: one server of each tier, each host, each rack.
pub fn domains(topology: &Topology, packing: &[PoolPacking]) -> Vec<Domain> {
    let mut out: Vec<Domain> = (0..topology.tiers().len())
        .map(|tier| Domain::Server { tier })
        .collect();
    for p in packing {
        out.extend((0..p.hosts.len()).map(|host| Domain::Host { pool: p.pool, host }));
    }
    out.extend((0..topology.racks().len()).map(|rack| Domain::Rack { rack }));
    out
}

/// The outcome of losing `lost` at `entry_rps` front-door requests per second, with
/// `servers[t]` servers per tier laid out as `packing` says.
pub fn evaluate(
    topology: &Topology,
    servers: &[u32],
    packing: &[PoolPacking],
    entry_rps: f64,
    lost: &[Domain],
) -> Scenario {
    let layout = Layout::new(topology, servers, packing);
    let tiers = topology.tiers();
    let mut servers_lost = vec![0u32; tiers.len()];
    for d in lost {
        if let Domain::Server { tier } = d {
            servers_lost[*tier] += 1;
        }
    }
    let hosts: HashSet<(usize, usize)> = lost
        .iter()
        .filter_map(|d| match *d {
            Domain::Host { pool, host } => Some((pool, host)),
            _ => None,
        })
        .collect();
    let racks: HashSet<usize> = lost
        .iter()
        .filter_map(|d| match *d {
            Domain::Rack { rack } => Some(rack),
            _ => None,
        })
        .collect();
    for (t, units) in layout.units.iter().enumerate() {
        // A lost server is taken to be one the host or rack loss did not already take:
        // the worse case.
        let by_place = units
            .iter()
            .filter(|u| {
                u.host.is_some_and(|h| hosts.contains(&h))
                    || u.rack.is_some_and(|r| racks.contains(&r))
            })
            .count() as u32;
        servers_lost[t] = (servers_lost[t] + by_place).min(servers[t]);
    }
    let utilisation: Vec<f64> = (0..tiers.len())
        .map(|t| {
            topology
                .utilisation(t, entry_rps, servers[t] - servers_lost[t])
                .0
        })
        .collect();
    let worst_tier = (0..tiers.len())
        .max_by(|&a, &b| utilisation[a].total_cmp(&utilisation[b]).then(b.cmp(&a)))
        .expect("a topology has tiers");
    Scenario {
        description: lost
            .iter()
            .map(|d| d.describe(topology))
            .collect::<Vec<_>>()
            .join(" + "),
        lost: lost.to_vec(),
        survives: utilisation.iter().all(|u| *u < 1.0),
        servers_lost,
        utilisation,
        worst_tier,
    }
}

/// Every scenario losing one domain (`depth` 1) or any two (`depth` 2: two servers of
/// one tier count as a pair, a host or rack is not lost twice), worst first.
pub fn scenarios(
    topology: &Topology,
    servers: &[u32],
    packing: &[PoolPacking],
    entry_rps: f64,
    depth: u8,
) -> Vec<Scenario> {
    let all = domains(topology, packing);
    let mut lost_sets: Vec<Vec<Domain>> = Vec::new();
    if depth == 1 {
        lost_sets.extend(all.iter().map(|d| vec![*d]));
    } else {
        for (i, a) in all.iter().enumerate() {
            for b in &all[i..] {
                if a == b && !matches!(a, Domain::Server { .. }) {
                    continue;
                }
                lost_sets.push(vec![*a, *b]);
            }
        }
    }
    let mut out: Vec<Scenario> = lost_sets
        .iter()
        .map(|lost| evaluate(topology, servers, packing, entry_rps, lost))
        .collect();
    out.sort_by(|a, b| b.worst_utilisation().total_cmp(&a.worst_utilisation()));
    out
}

/// A single point of failure and what it takes down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spof {
    /// The tier concerned.
    pub tier: usize,
    /// Why it is a single point of failure.
    pub reason: String,
    /// Tiers that lose service when it fails (itself and every tier only reachable
    /// through it).
    pub cuts_off: Vec<usize>,
}

/// For each tier, the tiers every path from the entry to it passes through (itself
/// excluded): the graph's dominators.
pub fn dominated_by(topology: &Topology) -> Vec<Vec<usize>> {
    let graph = &topology.graph;
    let doms = dominators::simple_fast(graph, NodeIndex::new(topology.entry_index()));
    (0..topology.tiers().len())
        .map(|t| {
            doms.strict_dominators(NodeIndex::new(t))
                .map(|it| it.map(|n| graph[n]).collect())
                .unwrap_or_default()
        })
        .collect()
}

/// Tiers whose removal splits the service graph in two (articulation points of the
/// graph taken as undirected).
pub fn articulation_tiers(topology: &Topology) -> Vec<usize> {
    let undirected = topology
        .graph
        .clone()
        .into_edge_type::<petgraph::Undirected>();
    let mut out: Vec<usize> = petgraph::algo::articulation_points::articulation_points(&undirected)
        .into_iter()
        .map(|n| undirected[n])
        .collect();
    out.sort_unstable();
    out
}

/// Single points of failure: tiers with one server, tiers whose servers all share one
/// rack (when there are racks to choose from), VM tiers with more replicas than their
/// pool has hosts (replicas must then share a host) or whose hosts all share a rack.
pub fn single_points_of_failure(
    topology: &Topology,
    servers: &[u32],
    packing: &[PoolPacking],
) -> Vec<Spof> {
    let dominated = dominated_by(topology);
    let cuts_off = |t: usize| -> Vec<usize> {
        (0..topology.tiers().len())
            .filter(|&u| u == t || dominated[u].contains(&t))
            .collect()
    };
    let layout = Layout::new(topology, servers, packing);
    let mut out = Vec::new();
    for (t, tier) in topology.tiers().iter().enumerate() {
        let n = servers[t];
        let mut reasons = Vec::new();
        if n == 1 {
            reasons.push("it has one server".to_owned());
        }
        let racks: HashSet<usize> = layout.units[t].iter().filter_map(|u| u.rack).collect();
        if n > 1 && racks.len() == 1 && topology.racks().len() > 1 {
            let rack = &topology.racks()[*racks.iter().next().expect("one rack")];
            reasons.push(format!("all {n} servers are in rack {rack}"));
        }
        if n > 1 && topology.racks().len() == 1 {
            reasons.push(format!(
                "the only rack, {}, holds all {n} servers",
                topology.racks()[0]
            ));
        }
        if let Placement::Virtual { pool, .. } = &tier.placement {
            let pool = &topology.pools()[*pool];
            if let Some(hosts) = pool.hosts
                && n > hosts
            {
                reasons.push(format!(
                    "{n} VMs on pool {} of {hosts} hosts: replicas must share a host",
                    pool.name
                ));
            }
        }
        if !reasons.is_empty() {
            out.push(Spof {
                tier: t,
                reason: reasons.join("; "),
                cuts_off: cuts_off(t),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::pack::pack_pools;

    const RACKED: &str = r#"
name = "racked"
entry = "lb"
racks = ["r1", "r2"]

[[tier]]
name = "lb"
role = "load_balancer"
servers = 1
capacity_rps = 10000

[[tier]]
name = "ap"
role = "application"
servers = 4
capacity_rps = 100

[[tier]]
name = "db"
role = "database"
servers = 2
capacity_rps = 1000
racks = ["r1"]

[[edge]]
from = "lb"
to = "ap"
ratio = 1.0

[[edge]]
from = "ap"
to = "db"
ratio = 2.0
"#;

    #[test]
    fn finds_spofs_and_failing_scenarios() {
        let t = crate::parse(RACKED, Path::new("r.toml")).unwrap();
        let servers: Vec<u32> = t.tiers().iter().map(|t| t.servers).collect();
        let packing = pack_pools(&t, &servers);
        let spofs = single_points_of_failure(&t, &servers, &packing);
        let names: Vec<(&str, &str)> = spofs
            .iter()
            .map(|s| (t.tiers()[s.tier].name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("lb", "it has one server"),
                ("db", "all 2 servers are in rack r1"),
            ]
        );
        // The load balancer's loss cuts off everything behind it.
        assert_eq!(spofs[0].cuts_off, vec![0, 1, 2]);
        assert_eq!(dominated_by(&t), vec![vec![], vec![0], vec![1, 0]]);
        assert_eq!(articulation_tiers(&t), vec![1]);

        // At 300 rps: ap 300 over 4 × 100 = 75%; db 600 over 2 × 1000 = 30%.
        // Losing an ap server: 300 / 300 = 100%, not under 100%: fails. Rack r1 holds
        // the only lb, ap servers 1 and 3 and both db servers; rack r2 ap 2 and 4.
        // Worst first: no server left (infinite) before 150% before 100%.
        let n1 = scenarios(&t, &servers, &packing, 300.0, 1);
        let failing: Vec<&str> = n1
            .iter()
            .filter(|s| !s.survives)
            .map(|s| s.description.as_str())
            .collect();
        assert_eq!(
            failing,
            vec!["a server of lb", "rack r1", "rack r2", "a server of ap"]
        );
        let db_loss = n1
            .iter()
            .find(|s| s.description == "a server of db")
            .unwrap();
        assert!(db_loss.survives);
        assert!((db_loss.utilisation[2] - 0.6).abs() < 1e-12);
        let rack2 = n1.iter().find(|s| s.description == "rack r2").unwrap();
        assert_eq!(rack2.servers_lost, vec![0, 2, 0]);
        assert!(!rack2.survives, "two ap servers left carry 300 rps at 150%");
    }

    proptest::proptest! {
        #[test]
        fn n_minus_1_survival_is_monotone_in_servers(
            ap in 1u32..12,
            db in 1u32..6,
            tier in 1usize..3,
            entry in 50.0f64..1500.0,
        ) {
            let text = RACKED
                .replace("servers = 4\ncapacity_rps = 100\n", &format!("servers = {ap}\ncapacity_rps = 100\n"))
                .replace("servers = 2\ncapacity_rps = 1000\n", &format!("servers = {db}\ncapacity_rps = 1000\n"))
                .replace("racks = [\"r1\"]\n", "");
            let t = crate::parse(&text, Path::new("r.toml")).unwrap();
            let servers: Vec<u32> = t.tiers().iter().map(|t| t.servers).collect();
            let mut more = servers.clone();
            more[tier] += 1;
            for d in domains(&t, &[]) {
                let before = evaluate(&t, &servers, &[], entry, &[d]);
                let after = evaluate(&t, &more, &[], entry, &[d]);
                proptest::prop_assert!(
                    !before.survives || after.survives,
                    "losing {} survived with {:?} but not with {:?}", before.description, servers, more
                );
            }
        }
    }
}
