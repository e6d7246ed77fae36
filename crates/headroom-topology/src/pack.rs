//! Virtual machines onto physical hosts: vector bin packing with anti-affinity.
//!
//! Every VM needs cores, memory and disk at once, and no two VMs of one tier may share
//! a host (a host failure must not take two replicas). Two heuristics run, each packing
//! is then consolidated (hosts emptied into the others while they can be), and the one
//! needing fewer hosts wins; the counts are reported beside a lower bound so the
//! packing's quality is visible. On 500 seeded random mixes of CPU-, memory- and
//! disk-heavy VMs (`examples/packing.rs`) FFD alone needs 28,462 hosts, dot product
//! 28,715, the consolidated best 26,008 (8.6% fewer than FFD; 1.145× the lower bound):
//! - first-fit decreasing (FFD), by each VM's largest share of a host: the baseline.
//! - bin-centric dot product (Panigrahy et al., "Heuristics for Vector Bin Packing",
//!   Microsoft Research 2011): fill one host at a time, always adding the VM whose
//!   demand vector best matches what the host has left. It is what puts a CPU-heavy web
//!   VM beside a memory-heavy cache VM, the complementary packing Hatena does by hand.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::model::{Placement, Resources, Topology};

/// One VM to place: which tier it belongs to (the anti-affinity group) and its size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Item {
    /// Anti-affinity group: items of one group never share a host.
    pub group: usize,
    /// What the VM needs.
    pub size: Resources,
}

/// How to pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Heuristic {
    /// First-fit decreasing by largest normalised dimension.
    FirstFitDecreasing,
    /// Bin-centric dot product of demand and remaining capacity.
    DotProduct,
}

impl Heuristic {
    /// Name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Heuristic::FirstFitDecreasing => "first-fit decreasing",
            Heuristic::DotProduct => "dot product",
        }
    }
}

/// Fewest hosts any packing can use: the largest of the total demand in the tightest
/// dimension ÷ host size, the largest anti-affinity group (one VM per host), and the
/// VMs needing over half a host in one dimension (no two of them fit together).
pub fn lower_bound(items: &[Item], host: &Resources) -> u32 {
    let mut total = [0.0; 3];
    for item in items {
        for (t, x) in total.iter_mut().zip(item.size.as_array()) {
            *t += x;
        }
    }
    let by_size = total
        .iter()
        .zip(host.as_array())
        .map(|(t, h)| (t / h - 1e-9).ceil().max(0.0) as u32)
        .max()
        .unwrap_or(0);
    let mut groups = std::collections::HashMap::<usize, u32>::new();
    for item in items {
        *groups.entry(item.group).or_default() += 1;
    }
    // No two VMs that each need more than half a host in one dimension fit together.
    let h = host.as_array();
    let over_half = (0..3)
        .map(|d| {
            items
                .iter()
                .filter(|i| i.size.as_array()[d] > h[d] / 2.0)
                .count() as u32
        })
        .max()
        .unwrap_or(0);
    by_size
        .max(groups.into_values().max().unwrap_or(0))
        .max(over_half)
}

/// Each item's share of a host in every dimension.
fn shares(items: &[Item], host: &Resources) -> Vec<[f64; 3]> {
    let h = host.as_array();
    items
        .iter()
        .map(|i| {
            let a = i.size.as_array();
            [a[0] / h[0], a[1] / h[1], a[2] / h[2]]
        })
        .collect()
}

/// Whether `share` fits beside `used` (with room for rounding).
fn room(used: &[f64; 3], share: &[f64; 3]) -> bool {
    (0..3).all(|d| used[d] + share[d] <= 1.0 + 1e-9)
}

/// Items of identical size form a class: they score, fit and fill alike, which lets
/// both heuristics skip what an earlier item of the class already learned.
fn classes(share: &[[f64; 3]]) -> (Vec<usize>, usize) {
    let mut ids: HashMap<[u64; 3], usize> = HashMap::new();
    // A tier's replicas come one after another: most items are their neighbour's class.
    let mut last: Option<([u64; 3], usize)> = None;
    let class = share
        .iter()
        .map(|s| {
            let bits = s.map(f64::to_bits);
            match last {
                Some((b, id)) if b == bits => id,
                _ => {
                    let next = ids.len();
                    let id = *ids.entry(bits).or_insert(next);
                    last = Some((bits, id));
                    id
                }
            }
        })
        .collect();
    (class, ids.len())
}

/// Hosts being filled: the items on each, the share of each dimension in use, and the
/// groups present.
#[derive(Default)]
struct Hosts {
    items: Vec<Vec<usize>>,
    used: Vec<[f64; 3]>,
    groups: Vec<Vec<usize>>,
}

impl Hosts {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn fits(&self, b: usize, group: usize, share: &[f64; 3]) -> bool {
        !self.groups[b].contains(&group) && room(&self.used[b], share)
    }

    /// Puts item `i` on host `b`, opening it when `b` is the next new host.
    fn place(&mut self, b: usize, i: usize, group: usize, share: &[f64; 3]) {
        if b == self.items.len() {
            self.items.push(Vec::new());
            self.used.push([0.0; 3]);
            self.groups.push(Vec::new());
        }
        for (u, s) in self.used[b].iter_mut().zip(share) {
            *u += s;
        }
        self.items[b].push(i);
        self.groups[b].push(group);
    }
}

/// Each item's (class, group) as a dense number, and how many there are.
fn kinds(items: &[Item], class: &[usize]) -> (Vec<usize>, usize) {
    let mut ids: HashMap<(usize, usize), usize> = HashMap::new();
    let mut last: Option<((usize, usize), usize)> = None;
    let kind = items
        .iter()
        .zip(class)
        .map(|(item, &c)| match last {
            Some((k, id)) if k == (c, item.group) => id,
            _ => {
                let next = ids.len();
                let id = *ids.entry((c, item.group)).or_insert(next);
                last = Some(((c, item.group), id));
                id
            }
        })
        .collect();
    (kind, ids.len())
}

/// Packs `items` onto hosts of size `host`; returns the item indices on each host.
/// Every item must fit an empty host on its own (validation guarantees it for VMs).
///
/// Both heuristics take time near-linear in the items when VMs come in a few sizes, as
/// a tier's replicas do: first fit remembers, per size, the hosts already too full for
/// it and, per size and tier, the host after its last replica; dot product keeps the
/// waiting items per size and tier in order, so each step compares sizes, not items.
/// The packings are those of the plain scans.
pub fn pack(items: &[Item], host: &Resources, heuristic: Heuristic) -> Vec<Vec<usize>> {
    let share = shares(items, host);
    let key: Vec<(f64, f64)> = share
        .iter()
        .map(|n| (n.iter().copied().fold(0.0, f64::max), n.iter().sum::<f64>()))
        .collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Largest share of a host first, ties by total share, then by index for stability.
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key[a], key[b]);
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(a.cmp(&b))
    });
    let (class, n_classes) = classes(&share);
    let hosts = match heuristic {
        Heuristic::FirstFitDecreasing => first_fit(items, &share, &order, &class, n_classes),
        Heuristic::DotProduct => dot_product(items, &share, &order, &class, n_classes),
    };
    hosts.items
}

/// First fit in `order`: each item on the first host with room and none of its group.
fn first_fit(
    items: &[Item],
    share: &[[f64; 3]],
    order: &[usize],
    class: &[usize],
    n_classes: usize,
) -> Hosts {
    let mut hosts = Hosts::default();
    // Hosts before `full[c]` cannot take an item of class c (hosts only fill); hosts
    // before `after[(c, g)]` refused, or hold, an item of class c and group g. Either
    // way no later such item fits them, so the first fit is found from there.
    let mut full = vec![0usize; n_classes];
    let (kind, kinds) = kinds(items, class);
    let mut after = vec![0usize; kinds];
    for &i in order {
        let (c, g) = (class[i], items[i].group);
        while full[c] < hosts.len() && !room(&hosts.used[full[c]], &share[i]) {
            full[c] += 1;
        }
        let start = full[c].max(after[kind[i]]);
        let b = (start..hosts.len())
            .find(|&b| hosts.fits(b, g, &share[i]))
            .unwrap_or(hosts.len());
        hosts.place(b, i, g, &share[i]);
        after[kind[i]] = b + 1;
    }
    hosts
}

/// Bin-centric dot product: fill one host at a time, always adding the waiting item
/// with the highest dot product of its size and the host's residual (the earliest in
/// `order` on ties).
fn dot_product(
    items: &[Item],
    share: &[[f64; 3]],
    order: &[usize],
    class: &[usize],
    n_classes: usize,
) -> Hosts {
    let mut queues = Queues::new(items, share, order, class, n_classes);
    let mut waiting = items.len();
    let mut hosts = Hosts::default();
    while waiting > 0 {
        let b = hosts.len();
        let mut first = true;
        while let Some((_, r, c, k)) = queues.best(&hosts, b, first, items, order) {
            let i = queues.take(r, c, k);
            hosts.place(b, i, items[i].group, &share[i]);
            waiting -= 1;
            first = false;
        }
    }
    hosts
}

/// The items dot product has yet to place.
struct Queues {
    /// Each item's position in the packing order.
    rank: Vec<usize>,
    /// Per kind (class and group): its waiting items in order.
    queues: Vec<VecDeque<usize>>,
    /// Per class: the fronts of its kinds' queues, as (rank, kind), first first.
    fronts: Vec<BTreeSet<(usize, usize)>>,
    /// Per class: its items' share of a host.
    size: Vec<[f64; 3]>,
}

impl Queues {
    /// Every item waiting, queued by kind in `order`.
    fn new(
        items: &[Item],
        share: &[[f64; 3]],
        order: &[usize],
        class: &[usize],
        n_classes: usize,
    ) -> Queues {
        let mut rank = vec![0usize; items.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        // Per class: each group's waiting items in order, and the groups by their first.
        let (kind, kinds) = kinds(items, class);
        let mut queues: Vec<VecDeque<usize>> = vec![Default::default(); kinds];
        for &i in order {
            queues[kind[i]].push_back(i);
        }
        let mut fronts: Vec<BTreeSet<(usize, usize)>> = vec![BTreeSet::new(); n_classes];
        let mut size = vec![[0.0; 3]; n_classes];
        for q in &queues {
            let i = q[0];
            fronts[class[i]].insert((rank[i], kind[i]));
            size[class[i]] = share[i];
        }
        Queues {
            rank,
            queues,
            fronts,
            size,
        }
    }

    /// The waiting item to add to host `b` (empty when `first`): (score, rank, class,
    /// kind) of the best-scoring class's earliest item that fits, if any does.
    fn best(
        &self,
        hosts: &Hosts,
        b: usize,
        first: bool,
        items: &[Item],
        order: &[usize],
    ) -> Option<(f64, usize, usize, usize)> {
        let residual = if first {
            [1.0; 3]
        } else {
            let u = hosts.used[b];
            [1.0 - u[0], 1.0 - u[1], 1.0 - u[2]]
        };
        let mut best: Option<(f64, usize, usize, usize)> = None;
        for (c, front) in self.fronts.iter().enumerate() {
            let s = &self.size[c];
            if front.is_empty() || (!first && !room(&hosts.used[b], s)) {
                continue;
            }
            let Some(&(r, k)) = front
                .iter()
                .find(|&&(r, _)| first || !hosts.groups[b].contains(&items[order[r]].group))
            else {
                continue;
            };
            let score = s[0] * residual[0] + s[1] * residual[1] + s[2] * residual[2];
            let better = match best {
                None => true,
                Some((bs, br, _, _)) => score > bs || (score == bs && r < br),
            };
            if better {
                best = Some((score, r, c, k));
            }
        }
        best
    }

    /// Takes the item at the front of kind `k`'s queue (rank `r`, class `c`).
    fn take(&mut self, r: usize, c: usize, k: usize) -> usize {
        let q = &mut self.queues[k];
        let i = q.pop_front().expect("a front's queue is not empty");
        self.fronts[c].remove(&(r, k));
        if let Some(&next) = q.front() {
            self.fronts[c].insert((self.rank[next], k));
        }
        i
    }
}

/// Empties hosts where it can: takes the least-filled host and moves each of its VMs to
/// another host with room (best fit, anti-affinity kept); when every VM found a place
/// the host is gone, otherwise nothing moves. Repeats until no host can be emptied.
/// The host count never rises.
///
/// Each round tries the [`CONSOLIDATE_TRIES`] least-filled hosts (every host of a
/// smaller pool): in a pool of thousands of hosts the fuller ones have nowhere to go,
/// and trying each would cost hosts² a round.
pub fn consolidate(items: &[Item], host: &Resources, hosts: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let share = shares(items, host);
    let fill: Vec<[f64; 3]> = hosts
        .iter()
        .map(|h| {
            let mut u = [0.0; 3];
            for &i in h {
                for d in 0..3 {
                    u[d] += share[i][d];
                }
            }
            u
        })
        .collect();
    // No item is smaller than this in any dimension: a host without that much room
    // takes no item, and hosts only fill within a round.
    let smallest = share.iter().fold([f64::INFINITY; 3], |m, s| {
        [m[0].min(s[0]), m[1].min(s[1]), m[2].min(s[2])]
    });
    let mut packing = Consolidation {
        items,
        share,
        hosts,
        fill,
    };
    while let Some(v) = packing.round(&smallest) {
        packing.hosts.remove(v);
        packing.fill.remove(v);
    }
    packing.hosts
}

/// A packing being consolidated: the items on each host and each host's share in use.
struct Consolidation<'a> {
    items: &'a [Item],
    share: Vec<[f64; 3]>,
    hosts: Vec<Vec<usize>>,
    fill: Vec<[f64; 3]>,
}

impl Consolidation<'_> {
    /// One round: empties the first of the least-filled hosts whose VMs all find room
    /// elsewhere (its VMs moved, the host left empty) and returns it, if any.
    fn round(&mut self, smallest: &[f64; 3]) -> Option<usize> {
        let open: Vec<usize> = (0..self.hosts.len())
            .filter(|&b| room(&self.fill[b], smallest))
            .collect();
        // Hosts holding each group: a VM whose group every other host holds has
        // nowhere to go (moves within a try are of other groups, so this holds).
        let mut holding: HashMap<usize, usize> = HashMap::new();
        for h in &self.hosts {
            for &i in h {
                *holding.entry(self.items[i].group).or_default() += 1;
            }
        }
        let mut order: Vec<usize> = (0..self.hosts.len()).collect();
        let total = |u: &[f64; 3]| u.iter().sum::<f64>();
        order.sort_by(|&a, &b| total(&self.fill[a]).total_cmp(&total(&self.fill[b])));
        for &victim in order.iter().take(CONSOLIDATE_TRIES) {
            if self.hosts[victim]
                .iter()
                .any(|&i| holding[&self.items[i].group] >= self.hosts.len())
            {
                continue;
            }
            if self.try_empty(victim, &open) {
                return Some(victim);
            }
        }
        None
    }

    /// Moves each of `victim`'s VMs to the best-fitting `open` host; when one finds no
    /// room, undoes the moves and returns false.
    fn try_empty(&mut self, victim: usize, open: &[usize]) -> bool {
        // Moves made for this victim, undone (last first) if one VM finds no room.
        let mut moved: Vec<(usize, [f64; 3])> = Vec::new();
        for &i in &self.hosts[victim].clone() {
            let s = &self.share[i];
            match self.best_fit(victim, i, open) {
                Some(b) => {
                    moved.push((b, self.fill[b]));
                    self.hosts[b].push(i);
                    for (u, s) in self.fill[b].iter_mut().zip(s) {
                        *u += s;
                    }
                }
                None => {
                    for (b, before) in moved.into_iter().rev() {
                        self.hosts[b].pop();
                        self.fill[b] = before;
                    }
                    return false;
                }
            }
        }
        true
    }

    /// The `open` host other than `victim` with room for item `i` and none of its
    /// group that it fills most tightly (least squared room left).
    fn best_fit(&self, victim: usize, i: usize, open: &[usize]) -> Option<usize> {
        let s = &self.share[i];
        open.iter()
            .copied()
            .filter(|&b| b != victim && room(&self.fill[b], s))
            .filter(|&b| {
                !self.hosts[b]
                    .iter()
                    .any(|&j| self.items[j].group == self.items[i].group)
            })
            .map(|b| {
                let u = &self.fill[b];
                (b, (0..3).map(|d| (1.0 - u[d] - s[d]).powi(2)).sum::<f64>())
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(b, _)| b)
    }
}

/// Hosts a consolidation round tries to empty, least filled first.
pub(crate) const CONSOLIDATE_TRIES: usize = 256;

/// A VM by tier and replica number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct VmRef {
    /// Index into [`Topology::tiers`].
    pub tier: usize,
    /// Which of the tier's servers, from 0.
    pub replica: u32,
}

/// The VMs of one pool packed onto its hosts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolPacking {
    /// Index into [`Topology::pools`].
    pub pool: usize,
    /// The VMs on each host, host 0 first.
    pub hosts: Vec<Vec<VmRef>>,
    /// Resources in use on each host.
    pub used: Vec<Resources>,
    /// Fewest hosts any packing could use.
    pub lower_bound: u32,
    /// Hosts first-fit decreasing needed.
    pub first_fit_decreasing: u32,
    /// Hosts the dot-product heuristic needed.
    pub dot_product: u32,
    /// Which heuristic's packing, consolidated, `hosts` is.
    pub heuristic: Heuristic,
    /// Hosts the pool has today, when stated.
    pub available: Option<u32>,
}

impl PoolPacking {
    /// Hosts needed.
    pub fn host_count(&self) -> u32 {
        self.hosts.len() as u32
    }
}

/// Packs every pool's VMs, with `servers[t]` VMs for tier `t` (pass the tiers' own
/// counts for today, or a plan's counts for a future month).
pub fn pack_pools(topology: &Topology, servers: &[u32]) -> Vec<PoolPacking> {
    (0..topology.pools().len())
        .map(|p| pack_pool(topology, servers, p))
        .collect()
}

/// Packs pool `p`'s VMs with both heuristics, consolidated, and keeps the packing
/// needing fewer hosts (first fit on ties).
fn pack_pool(topology: &Topology, servers: &[u32], p: usize) -> PoolPacking {
    let (refs, items) = pool_items(topology, servers, p);
    let pool = &topology.pools()[p];
    let host = topology.profiles()[pool.profile].resources;
    let ffd = pack(&items, &host, Heuristic::FirstFitDecreasing);
    let dot = pack(&items, &host, Heuristic::DotProduct);
    let (ffd_n, dot_n) = (ffd.len() as u32, dot.len() as u32);
    let (ffd, dot) = (
        consolidate(&items, &host, ffd),
        consolidate(&items, &host, dot),
    );
    let (chosen, heuristic) = if dot.len() < ffd.len() {
        (dot, Heuristic::DotProduct)
    } else {
        (ffd, Heuristic::FirstFitDecreasing)
    };
    let used = used(&chosen, &items);
    PoolPacking {
        pool: p,
        hosts: chosen
            .into_iter()
            .map(|h| h.into_iter().map(|i| refs[i]).collect())
            .collect(),
        used,
        lower_bound: lower_bound(&items, &host),
        first_fit_decreasing: ffd_n,
        dot_product: dot_n,
        heuristic,
        available: pool.hosts,
    }
}

/// Pool `p`'s VMs, `servers[t]` of each tier `t` placed on it, by reference and as
/// items to pack (one anti-affinity group per tier).
fn pool_items(topology: &Topology, servers: &[u32], p: usize) -> (Vec<VmRef>, Vec<Item>) {
    let mut refs = Vec::new();
    let mut items = Vec::new();
    for (t, tier) in topology.tiers().iter().enumerate() {
        if let Placement::Virtual { pool, vm } = &tier.placement
            && *pool == p
        {
            for replica in 0..servers[t] {
                refs.push(VmRef { tier: t, replica });
                items.push(Item {
                    group: t,
                    size: *vm,
                });
            }
        }
    }
    (refs, items)
}

/// Resources in use on each host of a packing.
fn used(hosts: &[Vec<usize>], items: &[Item]) -> Vec<Resources> {
    hosts
        .iter()
        .map(|h| {
            h.iter().fold(Resources::default(), |acc, &i| Resources {
                cores: acc.cores + items[i].size.cores,
                memory_gib: acc.memory_gib + items[i].size.memory_gib,
                disk_gb: acc.disk_gb + items[i].size.disk_gb,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn r(cores: f64, memory_gib: f64, disk_gb: f64) -> Resources {
        Resources {
            cores,
            memory_gib,
            disk_gb,
        }
    }

    #[test]
    fn complementary_vms_share_hosts() {
        // Four CPU-heavy web VMs and four memory-heavy cache VMs on 16-core, 64 GiB
        // hosts: each host holds one of each, so four hosts, the lower bound.
        let host = r(16.0, 64.0, 1000.0);
        let mut items = Vec::new();
        for _ in 0..4 {
            items.push(Item {
                group: 0,
                size: r(12.0, 8.0, 50.0),
            });
            items.push(Item {
                group: 1,
                size: r(2.0, 48.0, 50.0),
            });
        }
        assert_eq!(lower_bound(&items, &host), 4);
        for h in [Heuristic::FirstFitDecreasing, Heuristic::DotProduct] {
            assert_eq!(pack(&items, &host, h).len(), 4, "{h:?}");
        }
    }

    #[test]
    fn anti_affinity_bounds_hosts_from_below() {
        // Ten tiny VMs of one tier still need ten hosts.
        let host = r(64.0, 256.0, 4000.0);
        let items = vec![
            Item {
                group: 7,
                size: r(1.0, 1.0, 1.0)
            };
            10
        ];
        assert_eq!(lower_bound(&items, &host), 10);
        assert_eq!(pack(&items, &host, Heuristic::DotProduct).len(), 10);
    }

    #[test]
    fn mixed_shapes_hand_checked() {
        // Shares of a 10/10/10 host: A, B (.6, .6, .1), C (.4, .1, .1), D (.1, .4, .1),
        // E (.55, .1, .1), F (.1, .55, .1). FFD: A; B new; E new; F beside E; C beside
        // A; D beside B. Dot product: A then C (the first best fit), B then D, E with F.
        // Both need 3 hosts, the lower bound (cores sum to 2.35 hosts).
        let host = r(10.0, 10.0, 10.0);
        let items: Vec<Item> = [
            (6.0, 6.0),
            (6.0, 6.0),
            (4.0, 1.0),
            (1.0, 4.0),
            (5.5, 1.0),
            (1.0, 5.5),
        ]
        .iter()
        .enumerate()
        .map(|(g, &(c, m))| Item {
            group: g,
            size: r(c, m, 1.0),
        })
        .collect();
        assert_eq!(lower_bound(&items, &host), 3);
        let ffd = pack(&items, &host, Heuristic::FirstFitDecreasing);
        assert_eq!(ffd, vec![vec![0, 2], vec![1, 3], vec![4, 5]]);
        let dot = pack(&items, &host, Heuristic::DotProduct);
        assert_eq!(dot, vec![vec![0, 2], vec![1, 3], vec![4, 5]]);
    }

    fn item() -> impl Strategy<Value = Item> {
        (0usize..6, 1u32..=16, 1u32..=64, 1u32..=100).prop_map(|(g, c, m, d)| Item {
            group: g,
            size: r(f64::from(c), f64::from(m), f64::from(d) * 10.0),
        })
    }

    proptest! {
        #[test]
        fn packing_respects_hosts_and_anti_affinity(
            items in prop::collection::vec(item(), 0..60),
            dot in any::<bool>(),
        ) {
            let host = r(16.0, 64.0, 1000.0);
            let heuristic = if dot { Heuristic::DotProduct } else { Heuristic::FirstFitDecreasing };
            let hosts = pack(&items, &host, heuristic);
            let mut seen = vec![false; items.len()];
            for h in &hosts {
                prop_assert!(!h.is_empty());
                let mut used = Resources::default();
                let mut groups = std::collections::HashSet::new();
                for &i in h {
                    prop_assert!(!seen[i], "item {} placed twice", i);
                    seen[i] = true;
                    prop_assert!(groups.insert(items[i].group), "two of group {} on one host", items[i].group);
                    used.cores += items[i].size.cores;
                    used.memory_gib += items[i].size.memory_gib;
                    used.disk_gb += items[i].size.disk_gb;
                }
                prop_assert!(used.fits_in(&host), "{used:?} exceeds {host:?}");
            }
            prop_assert!(seen.iter().all(|s| *s), "an item was not placed");
            prop_assert!(hosts.len() as u32 >= lower_bound(&items, &host));
            let before = hosts.len();
            let after = consolidate(&items, &host, hosts);
            prop_assert!(after.len() <= before);
            prop_assert!(after.len() as u32 >= lower_bound(&items, &host));
            let mut seen = vec![false; items.len()];
            for h in &after {
                let mut used = Resources::default();
                let mut groups = std::collections::HashSet::new();
                for &i in h {
                    prop_assert!(!seen[i]);
                    seen[i] = true;
                    prop_assert!(groups.insert(items[i].group));
                    used.cores += items[i].size.cores;
                    used.memory_gib += items[i].size.memory_gib;
                    used.disk_gb += items[i].size.disk_gb;
                }
                prop_assert!(used.fits_in(&host), "{used:?} exceeds {host:?}");
            }
            prop_assert!(seen.iter().all(|s| *s), "consolidation lost an item");
        }

        /// The indexed heuristics place every item where the plain scans do (the
        /// scans below are the definitions: first host that fits; host by host, the
        /// waiting item with the highest dot product, earliest on ties). Few sizes and
        /// groups, as a tier's replicas are, exercise the shortcuts.
        #[test]
        fn indexed_packing_equals_the_plain_scans(
            shapes in prop::collection::vec(item(), 1..4),
            picks in prop::collection::vec((0usize..4, 0usize..5), 0..80),
        ) {
            let items: Vec<Item> = picks
                .iter()
                .map(|&(s, g)| Item { group: g, size: shapes[s % shapes.len()].size })
                .collect();
            let host = r(16.0, 64.0, 1000.0);
            for heuristic in [Heuristic::FirstFitDecreasing, Heuristic::DotProduct] {
                prop_assert_eq!(pack(&items, &host, heuristic), plain(&items, &host, heuristic));
            }
        }
    }

    fn plain(items: &[Item], host: &Resources, heuristic: Heuristic) -> Vec<Vec<usize>> {
        let share = shares(items, host);
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| {
            let key = |n: &[f64; 3]| (n.iter().copied().fold(0.0, f64::max), n.iter().sum::<f64>());
            let (ka, kb) = (key(&share[a]), key(&share[b]));
            kb.0.total_cmp(&ka.0)
                .then(kb.1.total_cmp(&ka.1))
                .then(a.cmp(&b))
        });
        let mut hosts = Hosts::default();
        match heuristic {
            Heuristic::FirstFitDecreasing => {
                for &i in &order {
                    let g = items[i].group;
                    let b = (0..hosts.len())
                        .find(|&b| hosts.fits(b, g, &share[i]))
                        .unwrap_or(hosts.len());
                    hosts.place(b, i, g, &share[i]);
                }
            }
            Heuristic::DotProduct => {
                let mut left = order;
                while !left.is_empty() {
                    let b = hosts.len();
                    loop {
                        let open = b < hosts.len();
                        let u = if open { hosts.used[b] } else { [0.0; 3] };
                        let res = [1.0 - u[0], 1.0 - u[1], 1.0 - u[2]];
                        let mut best: Option<(usize, f64)> = None;
                        for (pos, &i) in left.iter().enumerate() {
                            if open && !hosts.fits(b, items[i].group, &share[i]) {
                                continue;
                            }
                            let s = share[i];
                            let score = s[0] * res[0] + s[1] * res[1] + s[2] * res[2];
                            if best.is_none_or(|(_, bs)| score > bs) {
                                best = Some((pos, score));
                            }
                        }
                        let Some((pos, _)) = best else { break };
                        let i = left.remove(pos);
                        hosts.place(b, i, items[i].group, &share[i]);
                    }
                }
            }
        }
        hosts.items
    }
}
