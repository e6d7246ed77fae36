//! The validated model: profiles, pools, tiers, edges, and demand flowing through them.

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use crate::Role;

/// CPU, memory and disk of a machine or a virtual machine.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Resources {
    /// CPU cores (or vCPUs).
    pub cores: f64,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// Local disk in GB.
    pub disk_gb: f64,
}

impl Resources {
    /// The three dimensions in a fixed order, for packing.
    pub fn as_array(&self) -> [f64; 3] {
        [self.cores, self.memory_gib, self.disk_gb]
    }

    /// Whether `self` fits inside `other` in every dimension.
    pub fn fits_in(&self, other: &Resources) -> bool {
        self.as_array()
            .iter()
            .zip(other.as_array())
            .all(|(a, b)| *a <= b + 1e-9)
    }
}

/// A kind of machine, physical or the host of a pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Name tiers and pools refer to.
    pub name: String,
    /// Cores, memory and disk.
    pub resources: Resources,
    /// Network interface bandwidth in Mbps, when it matters.
    pub nic_mbps: Option<f64>,
    /// Random I/O operations per second the disks sustain, when they matter.
    pub iops: Option<f64>,
}

/// Physical hosts that run virtual machines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pool {
    /// Name tiers refer to.
    pub name: String,
    /// Index into [`Topology::profiles`] of the host machine.
    pub profile: usize,
    /// Hosts owned today, when known; packing reports a shortfall against it.
    pub hosts: Option<u32>,
    /// Racks (indices into [`Topology::racks`]) the hosts are spread over, round-robin.
    pub racks: Vec<usize>,
}

/// How one server's capacity is known.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "model")]
pub enum Capacity {
    /// Requests per second at 100% busy, measured or assumed.
    Fixed {
        /// Requests per second.
        rps: f64,
    },
    /// The Universal Scalability Law fitted from a load test, evaluated at the
    /// concurrency the server runs at (its peak N* when none is given).
    Usl {
        /// Contention.
        alpha: f64,
        /// Coherency (crosstalk).
        beta: f64,
        /// Throughput of one unit of concurrency.
        gamma: f64,
        /// Concurrency the capacity is taken at.
        concurrency: f64,
    },
    /// An M/M/c queue: `workers` parallel workers each taking `service_time_s` per
    /// request; with a response-time target the ceiling follows from Erlang C.
    Queue {
        /// Mean service time per request, seconds.
        service_time_s: f64,
        /// Worker processes or threads per server.
        workers: u32,
        /// Mean response time the tier must keep, seconds.
        target_response_s: Option<f64>,
    },
}

/// Where a tier's servers run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Placement {
    /// Dedicated machines.
    Physical {
        /// Index into [`Topology::profiles`], when named.
        profile: Option<usize>,
        /// Racks (indices into [`Topology::racks`]) the servers spread over, round-robin.
        racks: Vec<usize>,
    },
    /// Virtual machines on a pool's hosts.
    Virtual {
        /// Index into [`Topology::pools`].
        pool: usize,
        /// Size of each VM.
        vm: Resources,
    },
}

/// The site's links to the Internet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Uplink {
    /// Speed of each link, Mbps.
    pub mbps: f64,
    /// Links in service.
    pub count: u32,
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
    /// How the capacity below was obtained.
    pub capacity: Capacity,
    /// Requests per second one server carries when 100% busy (from `capacity`).
    pub capacity_rps: f64,
    /// Highest utilisation the tier is planned to run at (0 < ceiling ≤ 1).
    pub ceiling: f64,
    /// Where `ceiling` came from, in words.
    pub ceiling_source: String,
    /// Where the servers run.
    pub placement: Placement,
    /// Servers that take writes (database primaries); 0 when every server is alike.
    pub primaries: u32,
    /// Mean response size, bytes; turns requests into network load.
    pub bytes_per_request: Option<f64>,
    /// Disk I/O operations per request (a database's reads that miss its buffer pool,
    /// and its writes).
    pub iops_per_request: Option<f64>,
    /// Memory the tier's data needs across all its servers, GiB (a cache's working set).
    pub working_set_gib: Option<f64>,
    /// Storage each server holds, GB (a database replica's data).
    pub data_gb: Option<f64>,
    /// Bytes each write adds to the stored data (rows, indexes, logs), so storage grows
    /// with the writes the tier takes.
    pub bytes_per_write: Option<f64>,
    /// How new releases reach the tier, when stated.
    pub deploy: Option<Deploy>,
    /// Where new servers come from, when stated (else: physical tiers are purchased,
    /// virtual ones are VMs on the pool's hosts).
    pub supply: Option<Supply>,
}

impl Tier {
    /// Where the tier's new servers come from.
    pub fn supply(&self) -> Supply {
        self.supply.unwrap_or(match self.placement {
            Placement::Physical { .. } => Supply::Purchase,
            Placement::Virtual { .. } => Supply::Vm,
        })
    }
}

/// Where a tier's new servers come from, which sets how long adding one takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Supply {
    /// Bought, delivered and racked: weeks.
    Purchase,
    /// A VM on a spare host: hours.
    Vm,
    /// A cloud instance: minutes.
    Cloud,
}

/// A tier's deployment strategy. A rollback is a deploy in reverse and takes the same
/// capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Deploy {
    /// How servers leave rotation.
    pub strategy: Strategy,
    /// How long one deploy takes, minutes (60 when not stated).
    pub minutes: f64,
}

/// How a deploy takes servers out of rotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Batches leave rotation in turn.
    Rolling(Batch),
    /// A second full set takes the traffic over, then the first is updated.
    BlueGreen,
    /// A share of the servers takes the new release first (they leave rotation to be
    /// updated, as one batch).
    Canary(f64),
}

/// The size of a rolling deploy's batch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Batch {
    /// This many servers at once.
    Servers(u32),
    /// This share of the servers at once, rounded up.
    Fraction(f64),
}

impl Deploy {
    /// Servers out of rotation at once while deploying to `n` servers (0 for a
    /// blue-green deploy, which adds a set instead of removing servers).
    pub fn out_of_rotation(&self, n: u32) -> u32 {
        let share = |f: f64| ((f * f64::from(n)) * (1.0 - 1e-12)).ceil().max(1.0) as u32;
        match self.strategy {
            Strategy::Rolling(Batch::Servers(b)) => b.min(n),
            Strategy::Rolling(Batch::Fraction(f)) | Strategy::Canary(f) => share(f).min(n),
            Strategy::BlueGreen => 0,
        }
    }

    /// In words: "rolling 2 at a time", "rolling 25% at a time", "blue-green", "canary 5%".
    pub fn describe(&self) -> String {
        match self.strategy {
            Strategy::Rolling(Batch::Servers(b)) => format!("rolling {b} at a time"),
            Strategy::Rolling(Batch::Fraction(f)) => format!("rolling {:.0}% at a time", f * 100.0),
            Strategy::BlueGreen => "blue-green".to_owned(),
            Strategy::Canary(f) => format!("canary {:.0}%", f * 100.0),
        }
    }
}

impl Tier {
    /// Requests per second the tier carries today at its ceiling, when every server
    /// is alike (see [`Topology::loads`] for tiers with primaries).
    pub fn usable_rps(&self) -> f64 {
        f64::from(self.servers) * self.capacity_rps * self.ceiling
    }
}

/// A call from one tier to another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Edge {
    /// Calling tier (index into [`Topology::tiers`]).
    pub from: usize,
    /// Called tier.
    pub to: usize,
    /// Downstream requests per upstream request.
    pub ratio: f64,
    /// Share of those calls answered earlier (a cache in front): only the misses,
    /// ratio × (1 − hit_ratio), arrive.
    pub hit_ratio: f64,
    /// Share of the arriving calls that are writes, which only primaries take.
    pub write_fraction: f64,
}

impl Edge {
    /// Requests per second arriving downstream per upstream request.
    pub fn gain(&self) -> f64 {
        self.ratio * (1.0 - self.hit_ratio)
    }
}

/// Load on one tier for a given front-door rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierLoad {
    /// Requests per second reaching the tier.
    pub demand_rps: f64,
    /// Of which writes (they go to primaries only).
    pub write_rps: f64,
    /// The busiest server's load ÷ its capacity: 1.0 is fully busy. The largest of
    /// requests, network and disk I/O, where those are known.
    pub utilisation: f64,
    /// Which resource `utilisation` is: "requests", "network" or "disk I/O".
    pub limited_by: &'static str,
    /// Network traffic through the tier, Mbps (0 when bytes per request are unknown).
    pub mbps: f64,
    /// Working set ÷ the tier's memory, when both are known.
    pub memory_use: Option<f64>,
    /// Data per server ÷ disk per server, when both are known.
    pub storage_use: Option<f64>,
    /// Front-door requests per second at which the tier reaches its ceiling.
    pub saturation_entry_rps: f64,
}

/// A validated service topology.
#[derive(Debug, Clone)]
pub struct Topology {
    pub(crate) name: String,
    pub(crate) peak_rps: Option<f64>,
    pub(crate) peak_to_mean: Option<f64>,
    pub(crate) uplink: Option<Uplink>,
    pub(crate) racks: Vec<String>,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) pools: Vec<Pool>,
    pub(crate) tiers: Vec<Tier>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) entry: usize,
    /// Node weights index `tiers`; edge weights index `edges`.
    pub(crate) graph: DiGraph<usize, usize>,
    /// Tier indices in topological order, entry first.
    pub(crate) order: Vec<usize>,
}

impl Topology {
    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Front-door peak requests per second stated in the file, if any.
    pub fn peak_rps(&self) -> Option<f64> {
        self.peak_rps
    }

    /// How far the daily peak stands above the mean rate, when stated.
    pub fn peak_to_mean(&self) -> Option<f64> {
        self.peak_to_mean
    }

    /// The links that carry the service's traffic to the Internet, when stated.
    pub fn uplink(&self) -> Option<Uplink> {
        self.uplink
    }

    /// Rack (failure domain) names.
    pub fn racks(&self) -> &[String] {
        &self.racks
    }

    /// Server profiles.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// Host pools for virtual machines.
    pub fn pools(&self) -> &[Pool] {
        &self.pools
    }

    /// The tiers, in file order.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The calls between tiers, in file order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Index of the tier requests enter at.
    pub fn entry_index(&self) -> usize {
        self.entry
    }

    /// The tier requests enter at.
    pub fn entry(&self) -> &Tier {
        &self.tiers[self.entry]
    }

    /// Tier indices in topological order, entry first.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Servers over all tiers.
    pub fn total_servers(&self) -> u32 {
        self.tiers.iter().map(|t| t.servers).sum()
    }

    /// The tier's profile: its own for physical servers, its pool's host for VMs.
    pub fn profile_of(&self, tier: usize) -> Option<&Profile> {
        match &self.tiers[tier].placement {
            Placement::Physical { profile, .. } => profile.map(|p| &self.profiles[p]),
            Placement::Virtual { .. } => None,
        }
    }

    /// Memory and disk one server of the tier has: the VM's size or the profile's.
    pub fn server_resources(&self, tier: usize) -> Option<Resources> {
        match &self.tiers[tier].placement {
            Placement::Physical { profile, .. } => profile.map(|p| self.profiles[p].resources),
            Placement::Virtual { vm, .. } => Some(*vm),
        }
    }

    /// Requests per second reaching each tier (file order) per front-door request/s,
    /// as (all requests, of which writes).
    ///
    /// Demand flows along edges in topological order: a tier receives the sum over its
    /// callers of the caller's demand times the edge's gain.
    pub fn flow_gains(&self) -> Vec<(f64, f64)> {
        let mut gain = vec![(0.0, 0.0); self.tiers.len()];
        gain[self.entry] = (1.0, 0.0);
        for &tier in &self.order {
            for e in self.graph.edges(NodeIndex::new(tier)) {
                let edge = &self.edges[*e.weight()];
                let arriving = gain[tier].0 * edge.gain();
                let to = &mut gain[edge.to];
                to.0 += arriving;
                to.1 += arriving * edge.write_fraction;
            }
        }
        gain
    }

    /// Requests per second reaching each tier (file order) per front-door request/s.
    pub fn gains(&self) -> Vec<f64> {
        self.flow_gains().into_iter().map(|g| g.0).collect()
    }

    /// Requests per second on the busiest server of `tier` when `up` of its servers
    /// are in service and it receives `rps` requests of which `writes` are writes.
    ///
    /// Without primaries the load spreads evenly. With `k` primaries the tier is `k`
    /// shards, each with one primary taking its shard's writes: writes spread over the
    /// primaries, every replica also applies its shard's writes (replication), and reads
    /// spread over the replicas. A lost primary is replaced by promoting a replica, so
    /// losses come out of the replicas first. `f64::INFINITY` when no server is up.
    pub fn busiest_server_rps(&self, tier: usize, rps: f64, writes: f64, up: u32) -> f64 {
        busiest(self.tiers[tier].primaries, rps, writes, up)
    }

    /// Utilisation of the busiest server of `tier` with `up` servers in service when
    /// `entry_rps` arrive at the front door, and which resource sets it.
    pub fn utilisation(&self, tier: usize, entry_rps: f64, up: u32) -> (f64, &'static str) {
        self.utilisation_sharded(tier, entry_rps, up, self.tiers[tier].primaries)
    }

    /// [`Topology::utilisation`] with `primaries` shards instead of the stated number,
    /// as [`Topology::sizing`] may choose.
    pub fn utilisation_sharded(
        &self,
        tier: usize,
        entry_rps: f64,
        up: u32,
        primaries: u32,
    ) -> (f64, &'static str) {
        let (gain, writes) = self.flow_gains()[tier];
        self.utilisation_for(tier, entry_rps * gain, entry_rps * writes, up, primaries)
    }

    fn utilisation_for(
        &self,
        tier: usize,
        rps: f64,
        writes: f64,
        up: u32,
        primaries: u32,
    ) -> (f64, &'static str) {
        let t = &self.tiers[tier];
        let busiest = busiest(primaries, rps, writes, up);
        let mut worst = (busiest / t.capacity_rps, "requests");
        for limit in self.other_limits(tier) {
            let u = busiest / limit.rps;
            if u > worst.0 {
                worst = (u, limit.resource);
            }
        }
        worst
    }

    /// Requests per second that fill one server of `tier` in its tightest resource
    /// (capacity, NIC, disk I/O): a server's utilisation is its requests over this.
    pub(crate) fn limit_rps(&self, tier: usize) -> f64 {
        self.other_limits(tier)
            .iter()
            .map(|l| l.rps)
            .fold(self.tiers[tier].capacity_rps, f64::min)
    }

    /// Fewest servers `tier` could carry `entry_rps` front-door requests/s with under
    /// its ceiling, however it were sharded (every request lands on some server, and
    /// none carries more than its tightest resource allows), as a real number. Cheap,
    /// so a caller can refuse an absurd demand before [`Topology::sizing`] works it out.
    pub fn servers_at_least(&self, tier: usize, entry_rps: f64) -> f64 {
        entry_rps * self.servers_per_entry_rps()[tier]
    }

    /// [`Topology::servers_at_least`] per front-door request/s, for every tier at once.
    pub fn servers_per_entry_rps(&self) -> Vec<f64> {
        self.flow_gains()
            .iter()
            .enumerate()
            .map(|(t, (gain, _))| gain / (self.limit_rps(t) * self.tiers[t].ceiling))
            .collect()
    }

    /// Requests per second on the busiest of `up` servers of `tier`, given its requests
    /// and writes per second (the sharding of [`Topology::busiest_server_rps`]).
    pub(crate) fn busiest_rps(&self, tier: usize, rps: f64, writes: f64, up: u32) -> f64 {
        busiest(self.tiers[tier].primaries, rps, writes, up)
    }

    /// Limits on one server's requests per second other than its capacity: the NIC
    /// (when response size and NIC speed are known) and disk I/O (when I/Os per
    /// request and the profile's IOPS are known). VMs share their host's NIC and disks
    /// with other VMs, so only physical servers get these limits.
    fn other_limits(&self, tier: usize) -> Vec<Limit> {
        let t = &self.tiers[tier];
        let Some(profile) = self.profile_of(tier) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let (Some(bytes), Some(nic)) = (t.bytes_per_request, profile.nic_mbps) {
            out.push(Limit {
                resource: "network",
                rps: nic / (bytes * 8.0 / 1e6),
                describe: format!("a {nic} Mbps NIC at {bytes} bytes a response"),
            });
        }
        if let (Some(per), Some(iops)) = (t.iops_per_request, profile.iops) {
            out.push(Limit {
                resource: "disk I/O",
                rps: iops / per,
                describe: format!("{iops} IOPS at {per} I/Os a request"),
            });
        }
        out
    }

    /// Load on every tier (file order) when `entry_rps` arrive at the front door.
    pub fn loads(&self, entry_rps: f64) -> Vec<TierLoad> {
        let gains = self.flow_gains();
        (0..self.tiers.len())
            .map(|i| {
                let t = &self.tiers[i];
                let (gain, writes) = gains[i];
                let (utilisation, limited_by) = self.utilisation_for(
                    i,
                    entry_rps * gain,
                    entry_rps * writes,
                    t.servers,
                    t.primaries,
                );
                let (per_entry, _) = self.utilisation_for(i, gain, writes, t.servers, t.primaries);
                let res = self.server_resources(i);
                TierLoad {
                    demand_rps: entry_rps * gain,
                    write_rps: entry_rps * writes,
                    utilisation,
                    limited_by,
                    mbps: t
                        .bytes_per_request
                        .map_or(0.0, |b| entry_rps * gain * b * 8.0 / 1e6),
                    memory_use: t
                        .working_set_gib
                        .zip(res)
                        .map(|(ws, r)| ws / (f64::from(t.servers) * r.memory_gib)),
                    storage_use: t.data_gb.zip(res).map(|(d, r)| d / r.disk_gb),
                    // Load is linear in the front-door rate, so the ceiling is reached
                    // at ceiling ÷ (utilisation per front-door request/s).
                    saturation_entry_rps: t.ceiling / per_entry,
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

    /// Fewest servers `tier` needs to carry `entry_rps` front-door requests per second
    /// at its ceiling (and, for a cache, to hold its working set in memory).
    pub fn servers_needed(&self, tier: usize, entry_rps: f64) -> u32 {
        self.sizing(tier, entry_rps).servers
    }

    /// [`Topology::servers_needed`] with the arithmetic behind it in words.
    ///
    /// A tier with primaries is sized over every number of primaries from the stated
    /// one up, keeping the fewest servers (the stated number on ties). More primaries
    /// mean sharding: it is the only way once each primary's writes fill it, and it can
    /// pay earlier because every replica applies its shard's writes. Taking the least
    /// over a set that only narrows as demand grows keeps the count monotone.
    pub fn sizing(&self, tier: usize, entry_rps: f64) -> Sizing {
        let t = &self.tiers[tier];
        let (gain, writes) = self.flow_gains()[tier];
        let (rps, writes) = (entry_rps * gain, entry_rps * writes);
        let (usable, per_server) = self.usable(tier);
        let (mut servers, mut reason, primaries) = if t.primaries == 0 {
            let n = at_least(rps / usable).max(1);
            (n, format!("ceil({rps:.1} rps ÷ {per_server})"), 0)
        } else {
            let demand = Demand {
                rps,
                writes,
                usable,
            };
            demand.sharded(t.primaries, &per_server)
        };
        if let (Some(ws), Some(r)) = (t.working_set_gib, self.server_resources(tier)) {
            let by_memory = at_least(ws / r.memory_gib);
            if by_memory > servers {
                servers = by_memory;
                reason = format!(
                    "ceil({ws} GiB working set ÷ {} GiB a server), more than the {reason} requests need",
                    r.memory_gib
                );
            }
        }
        Sizing {
            servers,
            reason,
            primaries,
        }
    }

    /// Requests one server of `tier` carries at the ceiling, by requests and by
    /// network, and that figure in words.
    fn usable(&self, tier: usize) -> (f64, String) {
        let t = &self.tiers[tier];
        let mut usable = t.capacity_rps * t.ceiling;
        let mut per_server = format!("({} rps × {:.2})", t.capacity_rps, t.ceiling);
        for limit in self.other_limits(tier) {
            if limit.rps * t.ceiling < usable {
                usable = limit.rps * t.ceiling;
                per_server = format!(
                    "({:.1} rps for {} × {:.2})",
                    limit.rps, limit.describe, t.ceiling
                );
            }
        }
        (usable, per_server)
    }
}

/// The smallest whole number at least `x`, allowing for rounding just above it.
fn at_least(x: f64) -> u32 {
    (x * (1.0 - 1e-12)).ceil().max(0.0) as u32
}

/// A tier with primaries to size: requests and writes per second reaching it, and the
/// requests one server carries at the ceiling.
struct Demand {
    rps: f64,
    writes: f64,
    usable: f64,
}

impl Demand {
    /// Servers with `k` primaries, or None when their writes leave no room.
    fn with(&self, k: u32) -> Option<u32> {
        let (rps, writes, usable) = (self.rps, self.writes, self.usable);
        let k_f = f64::from(k);
        let per_primary = writes / k_f;
        if rps / k_f <= usable {
            Some(k)
        } else if per_primary >= usable * (1.0 - 1e-9) {
            None
        } else {
            // Each replica carries its share of reads plus its shard's writes.
            Some(k.saturating_add(at_least((rps - writes) / (usable - per_primary))))
        }
    }

    /// The fewest servers over every number of primaries from `stated` up, and the
    /// primaries that take them (the fewest on ties).
    fn fewest(&self, stated: u32) -> (u32, u32) {
        let mut best: Option<(u32, u32)> = None;
        let mut k = stated;
        // n(k) ≥ k, so no k at or past the best count can beat it.
        while best.is_none_or(|(n, _)| k < n) {
            if let Some(n) = self.with(k)
                && best.is_none_or(|(b, _)| n < b)
            {
                best = Some((n, k));
            }
            k += 1;
        }
        best.expect("all-primary tiers always fit")
    }

    /// (servers, the arithmetic in words, primaries) for a tier stating `stated`
    /// primaries, each server carrying `per_server` (in words).
    fn sharded(&self, stated: u32, per_server: &str) -> (u32, String, u32) {
        let (rps, writes, usable) = (self.rps, self.writes, self.usable);
        let (n, k) = self.fewest(stated);
        let per_primary = writes / f64::from(k);
        let how = if n == k {
            format!("{k} primaries carry all {rps:.1} rps within {per_server} each")
        } else {
            format!(
                "{k} primaries + ceil({:.1} reads/s ÷ ({usable:.1} − {per_primary:.1} replicated writes/s))",
                rps - writes
            )
        };
        let why = match self.with(stated) {
            _ if k == stated => how,
            None => {
                format!("{how}; sharded from {stated} primaries, whose writes no longer fit")
            }
            Some(m) => format!("{how}; sharded from {stated} primaries, which would need {m}"),
        };
        (n, why, k)
    }
}

/// Requests per second on the busiest of `up` servers with `primaries` shards (see
/// [`Topology::busiest_server_rps`]).
fn busiest(primaries: u32, rps: f64, writes: f64, up: u32) -> f64 {
    if up == 0 {
        return f64::INFINITY;
    }
    let k = primaries.min(up);
    if k == 0 || k == up {
        return rps / f64::from(up);
    }
    let primary = writes / f64::from(k);
    let replica = (rps - writes) / f64::from(up - k) + primary;
    // A tier can always leave servers beyond its primaries idle as standbys, so it is
    // never busier than its primaries alone would be: with two shards on three servers
    // the lone replica would take every read, and two primaries splitting the load do
    // better. This also keeps utilisation from falling as servers are lost.
    primary.max(replica).min(rps / f64::from(k))
}

/// A per-server limit on requests per second from a resource other than CPU.
struct Limit {
    resource: &'static str,
    /// Requests per second that fill the resource.
    rps: f64,
    describe: String,
}

/// Servers a tier needs and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizing {
    /// Fewest servers that carry the demand under the ceiling.
    pub servers: u32,
    /// The arithmetic, e.g. "ceil(120.0 rps ÷ (100 rps × 0.50))".
    pub reason: String,
    /// Primaries (shards) the count assumes: more than stated when resharding needs
    /// fewer servers; 0 for tiers without primaries.
    pub primaries: u32,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;

    fn chain(servers: [u32; 3], ratios: [f64; 2]) -> String {
        format!(
            r#"
name = "chain"
entry = "lb"

[[tier]]
name = "lb"
role = "load_balancer"
servers = {}
capacity_rps = 10000

[[tier]]
name = "ap"
role = "application"
servers = {}
capacity_rps = 100
ceiling = 0.5

[[tier]]
name = "db"
role = "database"
servers = {}
capacity_rps = 1000

[[edge]]
from = "lb"
to = "ap"
ratio = {}

[[edge]]
from = "ap"
to = "db"
ratio = {}
"#,
            servers[0], servers[1], servers[2], ratios[0], ratios[1]
        )
    }

    fn parse(text: &str) -> Topology {
        crate::parse(text, Path::new("t.toml")).unwrap()
    }

    #[test]
    fn propagates_demand_and_finds_bottleneck() {
        let t = parse(&chain([2, 4, 2], [0.5, 3.0]));
        assert_eq!(t.gains(), vec![1.0, 0.5, 1.5]);
        let loads = t.loads(200.0);
        // ap: 100 rps over 4 × 100 rps; db: 300 rps over 2 × 1000 rps.
        assert_eq!(loads[1].utilisation, 0.25);
        assert_eq!(loads[2].utilisation, 0.15);
        // ap saturates at 4 × 100 × 0.5 / 0.5 = 400 front-door rps; db at 1400 / 1.5.
        assert_eq!(loads[1].saturation_entry_rps, 400.0);
        assert_eq!(t.bottleneck(), 1);
        // 1,000 front-door rps put 500 on ap: 500 ÷ (100 × 0.5) = 10 servers.
        assert_eq!(t.servers_needed(1, 1000.0), 10);
        assert_eq!(t.servers_needed(1, 1000.1), 11);
        assert_eq!(
            t.sizing(1, 1000.0).reason,
            "ceil(500.0 rps ÷ (100 rps × 0.50))"
        );
    }

    const CACHED: &str = r#"
name = "cached"
entry = "ap"

[[profile]]
name = "box"
cores = 16
memory_gib = 64
disk_gb = 1000
nic_mbps = 1000

[[tier]]
name = "ap"
role = "application"
servers = 10
capacity_rps = 200
profile = "box"
bytes_per_request = 50000

[[tier]]
name = "cache"
role = "cache"
servers = 4
capacity_rps = 50000
profile = "box"
working_set_gib = 200

[[tier]]
name = "db"
role = "database"
servers = 5
primaries = 1
capacity_rps = 2000
profile = "box"
data_gb = 400

[[edge]]
from = "ap"
to = "cache"
ratio = 5

[[edge]]
from = "ap"
to = "db"
ratio = 5
hit_ratio = 0.9
write_fraction = 0.2
"#;

    #[test]
    fn hits_writes_network_memory_and_storage() {
        let t = parse(CACHED);
        // 1,000 rps at the front: 5,000 cache gets; 5,000 × (1 − 0.9) = 500 queries
        // reach the database, 100 of them writes.
        let loads = t.loads(1000.0);
        assert_eq!(loads[1].demand_rps, 5000.0);
        assert!((loads[2].demand_rps - 500.0).abs() < 1e-9);
        assert!((loads[2].write_rps - 100.0).abs() < 1e-9);
        // Primary: 100 writes/s; each of 4 replicas: 400/4 reads + 100 applied writes
        // = 200/s of 2,000: 10%.
        assert!((loads[2].utilisation - 0.1).abs() < 1e-12);
        // ap: 100 rps per server (50%) but 100 × 50 kB × 8 = 40 Mbps of 1,000: 4%;
        // at 1,000 front rps requests still bind.
        assert_eq!(loads[0].limited_by, "requests");
        assert!((loads[0].mbps - 400.0).abs() < 1e-9);
        // Cache: 200 GiB working set over 4 × 64 GiB.
        assert_eq!(loads[1].memory_use, Some(200.0 / 256.0));
        assert_eq!(loads[2].storage_use, Some(0.4));
        // Bigger responses make the NIC the limit: 1 MB × 8 × 100 rps = 800 Mbps of
        // 1,000 is 80%, above the 50% of requests.
        let fat =
            parse(&CACHED.replace("bytes_per_request = 50000", "bytes_per_request = 1000000"));
        let l = fat.loads(1000.0);
        assert_eq!(l[0].limited_by, "network");
        assert!((l[0].utilisation - 0.8).abs() < 1e-12);
        // At its 0.7 ceiling a server then carries 87.5 rps, not 140: 1,000 → 12 servers.
        assert_eq!(fat.servers_needed(0, 1000.0), 12);
        // Disks: 3,000 IOPS at 2 I/Os a query fill at 1,500 queries/s, below the 2,000
        // of CPU: a replica's 200/s is 13.3% busy, and I/O binds.
        let io = parse(
            &CACHED
                .replace("nic_mbps = 1000", "nic_mbps = 1000\niops = 3000")
                .replace("data_gb = 400", "data_gb = 400\niops_per_request = 2"),
        );
        let l = io.loads(1000.0);
        assert_eq!(l[2].limited_by, "disk I/O");
        assert!((l[2].utilisation - 200.0 / 1500.0).abs() < 1e-12);
        assert_eq!(
            io.sizing(2, 3000.0).reason,
            "2 primaries carry all 1500.0 rps within (1500.0 rps for 3000 IOPS at 2 I/Os a request × 0.70) each; sharded from 1 primaries, which would need 3"
        );
        // Servers needed: cache by memory 200 / 64 → 4; db: writes 100 fit one
        // primary, which also takes the 400 reads (500 ≤ 1,400). At 3,000: 1,500 > 1,400,
        // so replicas: (1,500 − 300) / (1,400 − 300) → 2 replicas beside the primary.
        assert_eq!(t.servers_needed(1, 1000.0), 4);
        assert_eq!(t.servers_needed(2, 1000.0), 1);
        // At 3,000: 1,500 rps, 300 writes. One primary needs 1 + ceil(1,200 ÷ 1,100) = 3;
        // two shards carry 750 each with no replica: 2, so the plan reshards.
        assert_eq!(t.sizing(2, 3000.0).servers, 2);
        assert_eq!(
            t.sizing(2, 3000.0).reason,
            "2 primaries carry all 1500.0 rps within (2000 rps × 0.70) each; sharded from 1 primaries, which would need 3"
        );
        // With the primaries' writes small, the stated architecture stands:
        // 1,000 rps, 100 writes → one primary carries 500 rps alone.
        assert_eq!(
            t.sizing(2, 1000.0).reason,
            "1 primaries carry all 500.0 rps within (2000 rps × 0.70) each"
        );
        // 15,000 front rps: 7,500 rps, 1,500 writes overfill one primary's 1,400.
        // k = 2: 2 + ceil(6,000 ÷ (1,400 − 750)) = 12; k = 3: 3 + ceil(6,000 ÷ 900) = 10;
        // k = 4: 4 + 6 = 10; k = 5: 5 + 6 = 11; k = 6: 7,500 ÷ 6 = 1,250 ≤ 1,400 → 6.
        let s = t.sizing(2, 15000.0);
        assert_eq!(s.servers, 6);
        assert_eq!(
            s.reason,
            "6 primaries carry all 7500.0 rps within (2000 rps × 0.70) each; sharded from 1 primaries, whose writes no longer fit"
        );
    }

    proptest! {
        #[test]
        fn demand_is_conserved_along_a_chain_with_unit_ratios(
            servers in prop::array::uniform3(1u32..50),
            entry in 0.0f64..1e6,
        ) {
            let t = parse(&chain(servers, [1.0, 1.0]));
            for load in t.loads(entry) {
                prop_assert!((load.demand_rps - entry).abs() <= 1e-9 * entry.max(1.0));
            }
        }

        #[test]
        fn removing_a_server_never_raises_capacity(
            servers in prop::array::uniform3(2u32..50),
            tier in 0usize..3,
            entry in 1.0f64..1e5,
        ) {
            let t = parse(&chain(servers, [0.5, 3.0]));
            let all = t.utilisation(tier, entry, servers[tier]).0;
            let fewer = t.utilisation(tier, entry, servers[tier] - 1).0;
            prop_assert!(fewer >= all);
            // With primaries, (reads − writes) + writes may round a hair above reads.
            let db = parse(CACHED);
            let up = servers[tier].min(5);
            let (fewer, all) = (db.utilisation(2, entry, up - 1).0, db.utilisation(2, entry, up).0);
            prop_assert!(fewer >= all * (1.0 - 1e-12), "{} < {}", fewer, all);
        }

        #[test]
        fn servers_needed_never_shrinks_as_demand_grows(a in 0.0f64..20000.0, b in 0.0f64..20000.0) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let t = parse(CACHED);
            for tier in 0..3 {
                prop_assert!(t.servers_needed(tier, lo) <= t.servers_needed(tier, hi));
            }
            // And the count found carries the demand under the ceiling when the stated
            // primaries suffice (beyond that the plan reshards).
            let n = t.servers_needed(2, hi);
            if !t.sizing(2, hi).reason.contains("sharded") {
                prop_assert!(t.utilisation(2, hi, n).0 <= t.tiers()[2].ceiling + 1e-9);
            }
        }
    }
}
