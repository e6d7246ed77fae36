//! What a failure takes down: single points of failure and N−1 / N−2 scenarios.
//!
//! A server is a unit of one tier; it sits in a rack (physical servers, round-robin
//! over the tier's racks) or on a host (VMs, wherever packing put them), and hosts sit
//! in racks (round-robin over the pool's racks). A scenario loses one or two failure
//! domains (a server of a tier, a host, a rack) and asks whether what remains carries
//! the peak with every tier under 100%.

use std::collections::{HashMap, HashSet};

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
                            rack: (!racks.is_empty()).then(|| racks[i % racks.len()]),
                        },
                        Placement::Virtual { .. } => Place { rack: None },
                    })
                    .collect()
            })
            .collect();
        for p in packing {
            let racks = &topology.pools()[p.pool].racks;
            for (h, vms) in p.hosts.iter().enumerate() {
                let rack = (!racks.is_empty()).then(|| racks[h % racks.len()]);
                for vm in vms {
                    units[vm.tier][vm.replica as usize] = Place { rack };
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

/// Failure arithmetic on one layout, built once in time linear in the servers: what
/// each failure domain takes from each tier, and each tier's busiest-server utilisation
/// with any number of its servers out. Scenarios are then answered from these sparse
/// losses instead of replaying the whole estate each time.
pub struct Failures<'a> {
    topology: &'a Topology,
    servers: Vec<u32>,
    /// Requests and writes per second reaching each tier.
    flow: Vec<(f64, f64)>,
    /// Requests per second that fill one server of each tier.
    limit: Vec<f64>,
    domains: Vec<Domain>,
    /// Where each pool's hosts start among the domains (pools without a packing: none).
    host_start: Vec<Option<(usize, usize)>>,
    /// What each domain takes: (tier, servers), sorted by tier.
    takes: Vec<Vec<(usize, u32)>>,
    /// For a host, the domain index of the rack it stands in.
    rack_of: Vec<Option<usize>>,
    /// Tiers by utilisation with nothing lost, busiest first.
    by_base: Vec<usize>,
    base: Vec<f64>,
    /// Worst utilisation over all tiers with only this domain lost.
    alone: Vec<f64>,
}

/// Pairs gathered to rank the worst N−2 scenarios. Past it (an estate where millions of
/// pairs fail only together) the count stays exact and the listing is drawn from the
/// first pairs found.
const JOINT_BUDGET: usize = 1_000_000;

/// Failure scenarios of one depth: how many were tried and failed, and the worst.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenarios {
    /// Scenarios tried.
    pub tried: u64,
    /// Scenarios in which some tier reaches 100% or has no server left.
    pub failing: u64,
    /// The worst failing scenarios, worst first (ties in domain order), at most as many
    /// as asked for.
    pub worst: Vec<Scenario>,
}

/// Where each pool's hosts start among the domains (pools without a packing: none), and
/// where the racks start after them.
fn host_starts(
    topology: &Topology,
    packing: &[PoolPacking],
) -> (Vec<Option<(usize, usize)>>, usize) {
    // `domains` lists servers by tier, then each packing's hosts, then racks.
    let mut host_start = vec![None; topology.pools().len()];
    let mut next = topology.tiers().len();
    for p in packing {
        host_start[p.pool] = Some((next, p.hosts.len()));
        next += p.hosts.len();
    }
    (host_start, next)
}

/// What each failure domain takes from each tier, gathered kind by kind: servers, then
/// hosts, then racks (which take what the servers and hosts in them take).
struct Gather<'t> {
    topology: &'t Topology,
    /// What each domain takes: (tier, servers), sorted by tier.
    takes: Vec<Vec<(usize, u32)>>,
    /// For a host, the domain index of the rack it stands in.
    rack_of: Vec<Option<usize>>,
    /// Servers each rack takes, by tier, until the racks' lists are made.
    rack_takes: Vec<HashMap<usize, u32>>,
    /// Domain index of the first rack.
    racks_start: usize,
}

impl<'t> Gather<'t> {
    /// Nothing taken yet, for `domains` domains whose racks start at `racks_start`.
    fn new(topology: &'t Topology, domains: usize, racks_start: usize) -> Gather<'t> {
        Gather {
            topology,
            takes: vec![Vec::new(); domains],
            rack_of: vec![None; domains],
            rack_takes: vec![HashMap::new(); topology.racks().len()],
            racks_start,
        }
    }

    /// Each tier's server domain takes one server; physical servers add to their racks.
    fn servers(&mut self, servers: &[u32]) {
        for (t, tier) in self.topology.tiers().iter().enumerate() {
            self.takes[t].push((t, 1));
            if let Placement::Physical { racks, .. } = &tier.placement
                && !racks.is_empty()
            {
                // Replica i stands in racks[i mod len].
                let (n, len) = (servers[t] as usize, racks.len());
                for (pos, &r) in racks.iter().enumerate() {
                    let count = n / len + usize::from(pos < n % len);
                    if count > 0 {
                        *self.rack_takes[r].entry(t).or_default() += count as u32;
                    }
                }
            }
        }
    }

    /// Each host takes the VMs packed on it, which add to the host's rack.
    fn hosts(&mut self, packing: &[PoolPacking], host_start: &[Option<(usize, usize)>]) {
        for p in packing {
            let racks = &self.topology.pools()[p.pool].racks;
            for (h, vms) in p.hosts.iter().enumerate() {
                let d = host_start[p.pool].expect("a packed pool has hosts").0 + h;
                let mut on_host: Vec<(usize, u32)> = vms.iter().map(|vm| (vm.tier, 1)).collect();
                on_host.sort_unstable();
                on_host.dedup_by(|b, a| {
                    let same = a.0 == b.0;
                    if same {
                        a.1 += b.1;
                    }
                    same
                });
                if !racks.is_empty() {
                    let r = racks[h % racks.len()];
                    self.rack_of[d] = Some(self.racks_start + r);
                    for &(t, c) in &on_host {
                        *self.rack_takes[r].entry(t).or_default() += c;
                    }
                }
                self.takes[d] = on_host;
            }
        }
    }

    /// Each rack takes what was gathered for it.
    fn racks(&mut self) {
        for (r, map) in std::mem::take(&mut self.rack_takes).into_iter().enumerate() {
            let d = self.racks_start + r;
            self.takes[d] = map.into_iter().collect();
            self.takes[d].sort_unstable();
        }
    }
}

impl<'a> Failures<'a> {
    /// The layout of `servers[t]` servers per tier placed as `packing` says, at
    /// `entry_rps` front-door requests per second.
    pub fn new(
        topology: &'a Topology,
        servers: &[u32],
        packing: &[PoolPacking],
        entry_rps: f64,
    ) -> Failures<'a> {
        let tiers = topology.tiers().len();
        let flow: Vec<(f64, f64)> = topology
            .flow_gains()
            .into_iter()
            .map(|(g, w)| (entry_rps * g, entry_rps * w))
            .collect();
        let limit: Vec<f64> = (0..tiers).map(|t| topology.limit_rps(t)).collect();
        let domains = domains(topology, packing);
        let (host_start, racks_start) = host_starts(topology, packing);
        let mut gather = Gather::new(topology, domains.len(), racks_start);
        gather.servers(servers);
        gather.hosts(packing, &host_start);
        gather.racks();
        let Gather { takes, rack_of, .. } = gather;
        let mut failures = Failures {
            topology,
            servers: servers.to_vec(),
            flow,
            limit,
            domains,
            host_start,
            takes,
            rack_of,
            by_base: Vec::new(),
            base: Vec::new(),
            alone: Vec::new(),
        };
        failures.rank();
        failures
    }

    /// Fills in each tier's utilisation with nothing lost, the tiers ranked by it, and
    /// the worst utilisation with each domain lost alone.
    fn rank(&mut self) {
        let tiers = self.servers.len();
        self.base = (0..tiers).map(|t| self.utilisation(t, 0)).collect();
        self.by_base = (0..tiers).collect();
        self.by_base
            .sort_by(|&a, &b| self.base[b].total_cmp(&self.base[a]).then(a.cmp(&b)));
        self.alone = (0..self.domains.len())
            .map(|d| self.worst_alone(d))
            .collect();
    }

    /// Where `domain` stands in [`Failures::domains`], if this layout has it.
    fn index(&self, domain: &Domain) -> Option<usize> {
        let tiers = self.servers.len();
        let hosts: usize = self.host_start.iter().flatten().map(|&(_, n)| n).sum();
        match *domain {
            Domain::Server { tier } => (tier < tiers).then_some(tier),
            Domain::Host { pool, host } => self
                .host_start
                .get(pool)
                .copied()
                .flatten()
                .and_then(|(start, n)| (host < n).then_some(start + host)),
            Domain::Rack { rack } => {
                (rack < self.topology.racks().len()).then_some(tiers + hosts + rack)
            }
        }
    }

    /// Every single failure domain, in the order scenarios list them.
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// Busiest-server utilisation of tier `t` with `lost` of its servers out (infinite
    /// when none is left).
    fn utilisation(&self, t: usize, lost: u32) -> f64 {
        let up = self.servers[t].saturating_sub(lost);
        let (rps, writes) = self.flow[t];
        self.topology.busiest_rps(t, rps, writes, up) / self.limit[t]
    }

    /// The worst utilisation over all tiers when only domain `d` is lost.
    fn worst_alone(&self, d: usize) -> f64 {
        let takes = &self.takes[d];
        let hit = takes
            .iter()
            .map(|&(t, n)| self.utilisation(t, n))
            .fold(f64::NEG_INFINITY, f64::max);
        let untouched = self
            .by_base
            .iter()
            .find(|&&t| takes.binary_search_by_key(&t, |&(u, _)| u).is_err())
            .map_or(f64::NEG_INFINITY, |&t| self.base[t]);
        hit.max(untouched)
    }

    /// The outcome of losing `lost` (any number of domains; a domain this layout does
    /// not have takes nothing).
    pub fn evaluate(&self, lost: &[Domain]) -> Scenario {
        let tiers = self.servers.len();
        let servers_lost = self.servers_lost(&self.ids(lost));
        let utilisation: Vec<f64> = (0..tiers)
            .map(|t| self.utilisation(t, servers_lost[t]))
            .collect();
        let worst_tier = (0..tiers)
            .max_by(|&a, &b| utilisation[a].total_cmp(&utilisation[b]).then(b.cmp(&a)))
            .expect("a topology has tiers");
        Scenario {
            description: lost
                .iter()
                .map(|d| d.describe(self.topology))
                .collect::<Vec<_>>()
                .join(" + "),
            lost: lost.to_vec(),
            survives: utilisation.iter().all(|u| *u < 1.0),
            servers_lost,
            utilisation,
            worst_tier,
        }
    }

    /// The domain indices of `lost`, leaving out domains this layout does not have.
    fn ids(&self, lost: &[Domain]) -> Vec<usize> {
        let mut ids: Vec<usize> = Vec::with_capacity(lost.len());
        for d in lost {
            // Two servers of a tier are two losses; a host or rack named twice is one.
            match self.index(d) {
                Some(i) if matches!(d, Domain::Server { .. }) || !ids.contains(&i) => ids.push(i),
                _ => {}
            }
        }
        ids
    }

    /// Servers lost per tier when the domains `ids` are lost (at most all of them).
    fn servers_lost(&self, ids: &[usize]) -> Vec<u32> {
        let mut servers_lost = vec![0u32; self.servers.len()];
        for &d in ids {
            // A host in a rack also lost is already counted with the rack; a lost
            // server is one the host or rack loss did not take (the worse case).
            if self.rack_of[d].is_some_and(|r| ids.contains(&r)) {
                continue;
            }
            for &(t, n) in &self.takes[d] {
                servers_lost[t] += n;
            }
        }
        for (lost, n) in servers_lost.iter_mut().zip(&self.servers) {
            *lost = (*lost).min(*n);
        }
        servers_lost
    }

    /// Every scenario losing one domain (`depth` 1) or any two (`depth` 2: two servers
    /// of one tier count as a pair, a host or rack is not lost twice): how many fail,
    /// and the `keep` worst of them.
    ///
    /// Counting does not visit every pair. Two domains that take servers from no common
    /// tier fail together exactly when one fails alone, and are as bad as the worse of
    /// the two; so only pairs sharing a tier where their summed losses reach the
    /// threshold are visited (per tier, losses sorted, so the walk stops at the first
    /// pair below it), and the rest are counted from the single losses.
    pub fn scenarios(&self, depth: u8, keep: usize) -> Scenarios {
        let n = self.domains.len() as u64;
        let fails_alone: Vec<bool> = self.alone.iter().map(|&w| w >= 1.0).collect();
        let mut order: Vec<usize> = (0..self.domains.len()).collect();
        order.sort_by(|&a, &b| self.alone[b].total_cmp(&self.alone[a]).then(a.cmp(&b)));
        if depth <= 1 {
            return self.singles(&order, &fails_alone, keep);
        }
        let tiers = self.servers.len() as u64;
        let failing = self.failing_pairs(&fails_alone);

        // The `keep` worst (ties in pair order). A pair is at least as bad as its worse
        // member alone; `threshold` is the keep-th largest of those bounds. Every pair
        // of the answer is above it by a member, at it by a member (the first `keep`
        // such pairs in order suffice), or at or above it through a shared tier.
        let threshold = self.threshold(&order, keep);
        let mut candidates: HashMap<(usize, usize), f64> = if keep == 0 {
            HashMap::new()
        } else {
            // Pairs with a member worse than the threshold alone are added below.
            self.joint(threshold, |d| self.alone[d] > threshold, JOINT_BUDGET)
        };
        self.add_above(&mut candidates, &order, threshold, keep);
        self.add_at(&mut candidates, threshold, keep);
        Scenarios {
            tried: pairs(n) + tiers,
            failing,
            worst: self.ranked(candidates, keep),
        }
    }

    /// Whether domain `d` is a server (two of which may be lost together).
    fn is_server(&self, d: usize) -> bool {
        matches!(self.domains[d], Domain::Server { .. })
    }

    /// The single losses: how many fail, and the `keep` worst (domains in `order`).
    fn singles(&self, order: &[usize], fails_alone: &[bool], keep: usize) -> Scenarios {
        let failing: Vec<usize> = order.iter().copied().filter(|&d| fails_alone[d]).collect();
        Scenarios {
            tried: self.domains.len() as u64,
            failing: failing.len() as u64,
            worst: failing
                .iter()
                .take(keep)
                .map(|&d| self.evaluate(&[self.domains[d]]))
                .collect(),
        }
    }

    /// How many pairs of domains fail, counted without visiting every pair.
    fn failing_pairs(&self, fails_alone: &[bool]) -> u64 {
        let n = self.domains.len() as u64;
        let alone = fails_alone.iter().filter(|&&f| f).count() as u64;
        let alone_servers = (0..self.domains.len())
            .filter(|&d| fails_alone[d] && self.is_server(d))
            .count() as u64;
        // Pairs with a member that fails alone, then those that fail only together.
        let together = self.joint(1.0, |d| fails_alone[d], usize::MAX).len() as u64;
        pairs(n) - pairs(n - alone) + alone_servers + together
    }

    /// The keep-th largest lower bound on a failing pair's worst utilisation (its worse
    /// member alone), counting pairs down `order`; 1 when fewer pairs fail alone.
    fn threshold(&self, order: &[usize], keep: usize) -> f64 {
        let mut threshold = 1.0;
        let mut counted = 0u64;
        for (i, &a) in order.iter().enumerate() {
            if self.alone[a] < 1.0 || keep == 0 {
                break;
            }
            counted += (self.domains.len() - 1 - i) as u64 + u64::from(self.is_server(a));
            if counted >= keep as u64 {
                threshold = self.alone[a];
                break;
            }
        }
        threshold
    }

    /// Adds every pair with a member worse than `threshold` alone.
    fn add_above(
        &self,
        candidates: &mut HashMap<(usize, usize), f64>,
        order: &[usize],
        threshold: f64,
        keep: usize,
    ) {
        for (i, &a) in order.iter().enumerate() {
            if keep == 0 || self.alone[a] <= threshold {
                break;
            }
            if self.is_server(a) {
                add(candidates, a, a);
            }
            for &b in &order[i + 1..] {
                add(candidates, a, b);
            }
        }
    }

    /// Adds the first `keep` pairs, in domain order, whose worse member is at
    /// `threshold` alone.
    fn add_at(&self, candidates: &mut HashMap<(usize, usize), f64>, threshold: f64, keep: usize) {
        let at: Vec<usize> = (0..self.domains.len())
            .filter(|&d| self.alone[d] == threshold)
            .collect();
        let mut taken = 0;
        'pairs: for a in 0..self.domains.len() {
            let partners: Vec<usize> = if self.alone[a] == threshold {
                (a..self.domains.len())
                    .filter(|&b| (b != a || self.is_server(a)) && self.alone[b] <= threshold)
                    .take(keep - taken)
                    .collect()
            } else if self.alone[a] < threshold {
                at.iter()
                    .copied()
                    .filter(|&b| b > a)
                    .take(keep - taken)
                    .collect()
            } else {
                continue;
            };
            for b in partners {
                if taken == keep {
                    break 'pairs;
                }
                add(candidates, a, b);
                taken += 1;
            }
        }
    }

    /// The `keep` worst failing candidate pairs, worst first (ties in pair order).
    fn ranked(&self, candidates: HashMap<(usize, usize), f64>, keep: usize) -> Vec<Scenario> {
        let mut ranked: Vec<((usize, usize), f64)> = candidates
            .into_iter()
            .map(|((a, b), shared)| {
                let shared = shared.max(self.shared(a, b));
                ((a, b), shared.max(self.alone[a]).max(self.alone[b]))
            })
            .filter(|(_, w)| *w >= 1.0)
            .collect();
        ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        ranked
            .into_iter()
            .take(keep)
            .map(|((a, b), _)| self.evaluate(&[self.domains[a], self.domains[b]]))
            .collect()
    }

    /// The worst utilisation, over the tiers both `a` and `b` take servers from, when
    /// both are lost (negative infinity when they share none, or when `a` is a host in
    /// rack `b`, which takes nothing the rack does not).
    fn shared(&self, a: usize, b: usize) -> f64 {
        if self.rack_of[a] == Some(b) || self.rack_of[b] == Some(a) {
            return f64::NEG_INFINITY;
        }
        if a == b {
            return self.takes[a]
                .iter()
                .map(|&(t, n)| self.utilisation(t, 2 * n))
                .fold(f64::NEG_INFINITY, f64::max);
        }
        let (small, large) = if self.takes[a].len() <= self.takes[b].len() {
            (&self.takes[a], &self.takes[b])
        } else {
            (&self.takes[b], &self.takes[a])
        };
        small
            .iter()
            .filter_map(|&(t, n)| {
                large
                    .binary_search_by_key(&t, |&(u, _)| u)
                    .ok()
                    .map(|i| self.utilisation(t, n + large[i].1))
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Pairs of domains whose summed losses on some shared tier put it at or above
    /// `threshold`, with the highest such utilisation. Domains `left_out` are not
    /// paired (their pairs are counted or listed from the single losses): a tier past
    /// the threshold with nothing lost puts every domain on it there alone, so it adds
    /// no pairs. At most `budget` pairs are gathered.
    fn joint(
        &self,
        threshold: f64,
        left_out: impl Fn(usize) -> bool,
        budget: usize,
    ) -> HashMap<(usize, usize), f64> {
        let mut out: HashMap<(usize, usize), f64> = HashMap::new();
        for (t, mut list) in self.by_tier(left_out).into_iter().enumerate() {
            let servers = self.servers[t];
            if self.utilisation(t, servers) < threshold {
                continue;
            }
            let need = self.need(t, threshold);
            list.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            self.pair_up(t, &list, need, budget, &mut out);
        }
        out
    }

    /// For each tier, the domains (not `left_out`) that take servers from it, with how
    /// many: (servers, domain).
    fn by_tier(&self, left_out: impl Fn(usize) -> bool) -> Vec<Vec<(u32, usize)>> {
        let mut by_tier: Vec<Vec<(u32, usize)>> = vec![Vec::new(); self.servers.len()];
        for (d, takes) in self.takes.iter().enumerate() {
            if left_out(d) {
                continue;
            }
            for &(t, n) in takes {
                by_tier[t].push((n, d));
            }
        }
        by_tier
    }

    /// The fewest servers out that bring tier `t` to the threshold (utilisation never
    /// falls as servers are lost).
    fn need(&self, t: usize, threshold: f64) -> u32 {
        let (mut lo, mut hi) = (0u32, self.servers[t]);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.utilisation(t, mid) >= threshold {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// Adds to `out` the pairs from tier `t`'s `list` (most servers first) that lose at
    /// least `need` of its servers together, with the tier's utilisation then, while
    /// `out` holds fewer than `budget` pairs.
    fn pair_up(
        &self,
        t: usize,
        list: &[(u32, usize)],
        need: u32,
        budget: usize,
        out: &mut HashMap<(usize, usize), f64>,
    ) {
        for (i, &(na, a)) in list.iter().enumerate() {
            if matches!(self.domains[a], Domain::Server { .. }) && 2 * na >= need {
                let u = self.utilisation(t, 2 * na);
                let e = out.entry((a, a)).or_insert(u);
                *e = e.max(u);
            }
            for &(nb, b) in &list[i + 1..] {
                if na + nb < need || out.len() >= budget {
                    break;
                }
                if self.rack_of[a] == Some(b) || self.rack_of[b] == Some(a) {
                    continue;
                }
                let u = self.utilisation(t, na + nb);
                let e = out.entry((a.min(b), a.max(b))).or_insert(u);
                *e = e.max(u);
            }
        }
    }
}

/// Unordered pairs of `k` distinct domains.
fn pairs(k: u64) -> u64 {
    k * k.saturating_sub(1) / 2
}

/// Makes `a` and `b` a candidate pair, with no shared-tier bound yet if it is new.
fn add(candidates: &mut HashMap<(usize, usize), f64>, a: usize, b: usize) {
    candidates
        .entry((a.min(b), a.max(b)))
        .or_insert(f64::NEG_INFINITY);
}

/// The outcome of losing `lost` at `entry_rps` front-door requests per second, with
/// `servers[t]` servers per tier laid out as `packing` says. To try many losses on one
/// layout, build [`Failures`] once.
pub fn evaluate(
    topology: &Topology,
    servers: &[u32],
    packing: &[PoolPacking],
    entry_rps: f64,
    lost: &[Domain],
) -> Scenario {
    Failures::new(topology, servers, packing, entry_rps).evaluate(lost)
}

/// Every scenario losing one domain (`depth` 1) or any two (`depth` 2), counted, and the
/// `keep` worst failing ones: [`Failures::scenarios`].
pub fn scenarios(
    topology: &Topology,
    servers: &[u32],
    packing: &[PoolPacking],
    entry_rps: f64,
    depth: u8,
    keep: usize,
) -> Scenarios {
    Failures::new(topology, servers, packing, entry_rps).scenarios(depth, keep)
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
    for t in 0..topology.tiers().len() {
        let reasons = spof_reasons(topology, &layout, servers, t);
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

/// Why tier `t`, of `servers[t]` servers laid out as `layout` says, is a single point
/// of failure (none when it is not).
fn spof_reasons(topology: &Topology, layout: &Layout, servers: &[u32], t: usize) -> Vec<String> {
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
    if let Placement::Virtual { pool, .. } = &topology.tiers()[t].placement {
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
    reasons
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
        let failures = Failures::new(&t, &servers, &packing, 300.0);
        let n1 = failures.scenarios(1, 10);
        let failing: Vec<&str> = n1.worst.iter().map(|s| s.description.as_str()).collect();
        assert_eq!(
            failing,
            vec!["a server of lb", "rack r1", "rack r2", "a server of ap"]
        );
        assert_eq!((n1.tried, n1.failing), (5, 4));
        let db_loss = failures.evaluate(&[Domain::Server { tier: 2 }]);
        assert!(db_loss.survives);
        assert!((db_loss.utilisation[2] - 0.6).abs() < 1e-12);
        let rack2 = failures.evaluate(&[Domain::Rack { rack: 1 }]);
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

        /// Counting pairs from single losses and shared tiers gives what trying every
        /// pair gives: the same number failing and the same worst, in the same order.
        #[test]
        fn scenario_counts_equal_trying_every_pair(
            tiers in 13usize..30,
            servers in 15u32..400,
            seed in 0u64..1000,
            load in 0.5f64..1.6,
            shard in proptest::bool::ANY,
        ) {
            let mut text = crate::synthetic::estate(tiers, servers, seed);
            if shard {
                // Small databases as two shards too, where losing a replica and then a
                // primary's last replica are the cases to get right.
                let mut out = Vec::new();
                let mut lines = text.lines();
                while let Some(line) = lines.next() {
                    out.push(line.to_owned());
                    if line == "role = \"database\""
                        && let Some(next) = lines.next()
                    {
                        out.push(next.to_owned());
                        let n: u32 = next.trim_start_matches("servers = ").parse().unwrap_or(0);
                        // (The generator shards databases of eight or more itself.)
                        if (3..8).contains(&n) {
                            out.push("primaries = 2".to_owned());
                        }
                    }
                }
                text = out.join("\n");
            }
            let t = crate::parse(&text, Path::new("e.toml")).unwrap();
            let counts: Vec<u32> = t.tiers().iter().map(|t| t.servers).collect();
            let packing = pack_pools(&t, &counts);
            let f = Failures::new(&t, &counts, &packing, t.peak_rps().unwrap() * load);
            let all = f.domains().to_vec();
            let mut brute: Vec<Scenario> = Vec::new();
            let mut tried = 0u64;
            for (i, &a) in all.iter().enumerate() {
                for &b in &all[i..] {
                    if a == b && !matches!(a, Domain::Server { .. }) {
                        continue;
                    }
                    tried += 1;
                    let s = f.evaluate(&[a, b]);
                    if !s.survives {
                        brute.push(s);
                    }
                }
            }
            let fast = f.scenarios(2, 25);
            proptest::prop_assert_eq!(fast.tried, tried);
            proptest::prop_assert_eq!(fast.failing, brute.len() as u64);
            // Stable: ties stay in pair order, as the fast path breaks them.
            brute.sort_by(|x, y| y.worst_utilisation().total_cmp(&x.worst_utilisation()));
            let names = |v: &[Scenario]| v.iter().take(25).map(|s| s.description.clone()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(names(&fast.worst), names(&brute));
            let singles = all.iter().filter(|&&d| !f.evaluate(&[d]).survives).count() as u64;
            proptest::prop_assert_eq!(f.scenarios(1, 0).failing, singles);
        }
    }
}
