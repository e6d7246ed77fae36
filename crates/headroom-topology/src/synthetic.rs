//! Generated estates of any size, for benchmarks and scaling tests: many services behind
//! one load balancer, each a proxy → application → cache / database / search / queue →
//! worker chain, with shared authentication tiers, VM pools per cluster of services and
//! racks per cluster.
//!
//! The shape follows the brief's Hatena Bookmark (2 load balancers, 3 proxies, 11
//! application servers, 7 caches, 24 databases, 9 others; VMs on shared hosts, about
//! two VMs a host across Hatena) repeated over services whose popularity falls off as
//! Zipf's law with exponent 1 (Breslau et al., "Web Caching and Zipf-like
//! Distributions", INFOCOM 1999, measured 0.64–0.83 for pages; 1 gives a heavier head).
//! Tier sizes follow from demand ÷ capacity at a utilisation drawn from 35–65%, so some
//! tiers are one failure from their ceiling, and 2% of tiers have a single server;
//! databases of eight servers or more are sharded (primaries take the writes).
//! The output is a topology file (TOML), read like any other.

use std::fmt::Write;

/// A VM's cores, memory (GiB) and disk (GB).
type Vm = (f64, f64, f64);

/// What one service's tiers do: role, capacity per server (requests/s at 100%), VM size
/// or `None` for a physical machine.
const SERVICE: [(&str, &str, f64, Option<Vm>); 10] = [
    ("proxy", "reverse_proxy", 8_000.0, Some((4.0, 4.0, 40.0))),
    ("ap", "application", 150.0, Some((4.0, 8.0, 40.0))),
    ("api", "application", 300.0, Some((4.0, 8.0, 40.0))),
    ("cache", "cache", 40_000.0, Some((1.0, 24.0, 20.0))),
    ("db", "database", 2_000.0, None),
    ("db-log", "database", 4_000.0, None),
    ("search", "search", 300.0, Some((2.0, 8.0, 200.0))),
    ("queue", "queue", 5_000.0, Some((2.0, 8.0, 100.0))),
    ("worker", "worker", 50.0, Some((2.0, 4.0, 40.0))),
    ("api-cache", "cache", 40_000.0, Some((1.0, 24.0, 20.0))),
];

/// Edges inside one service: from, to, ratio (requests to the callee per request to
/// the caller), cache hit ratio.
const EDGES: [(usize, usize, f64, f64); 9] = [
    (0, 1, 0.4, 0.0),
    (0, 2, 0.1, 0.0),
    (1, 3, 10.0, 0.0),
    (1, 4, 10.0, 0.6),
    (1, 5, 1.0, 0.0),
    (1, 6, 0.2, 0.0),
    (1, 7, 0.3, 0.0),
    (7, 8, 1.0, 0.0),
    (2, 9, 5.0, 0.0),
];

/// Services that share one VM pool and one set of racks.
const CLUSTER: usize = 8;
/// Machines (physical servers and VM hosts) a rack holds.
const PER_RACK: f64 = 40.0;

/// splitmix64: a seeded, dependency-free stream of well-mixed 64-bit values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One tier before its server count is known.
struct Draft {
    name: String,
    role: &'static str,
    capacity: f64,
    vm: Option<Vm>,
    cluster: usize,
    /// Requests to this tier per front-door request.
    flow: f64,
    /// Planned utilisation at the peak.
    utilisation: f64,
    single: bool,
}

/// An edge: from, to, ratio (requests to the callee per request to the caller), cache
/// hit ratio.
type DraftEdge = (usize, usize, f64, f64);

/// The estate's tiers and edges, drafted in file order from one random stream.
struct Plan {
    rng: Rng,
    drafts: Vec<Draft>,
    edges: Vec<DraftEdge>,
}

impl Plan {
    /// The load balancer, the shared authentication tiers, `services` services and
    /// `extra` batch workers, in that order (which fixes the random draws).
    fn draft(services: usize, extra: usize, seed: u64) -> Plan {
        let zipf: Vec<f64> = (1..=services).map(|k| 1.0 / k as f64).collect();
        let total: f64 = zipf.iter().sum();
        let mut plan = Plan {
            rng: Rng(seed),
            drafts: vec![Draft {
                name: "lb".into(),
                role: "load_balancer",
                capacity: 30_000.0,
                vm: None,
                cluster: 0,
                flow: 1.0,
                utilisation: 0.5,
                single: false,
            }],
            edges: Vec::new(),
        };
        plan.auth();
        for (s, share) in zipf.iter().map(|z| z / total).enumerate() {
            plan.service(s, share);
        }
        plan.batch_workers(extra);
        plan
    }

    /// Adds a tier, drawing its planned utilisation (35–65%) and whether it may be
    /// left with a single server (2%).
    fn push(
        &mut self,
        name: String,
        role: &'static str,
        capacity: f64,
        vm: Option<Vm>,
        cluster: usize,
        flow: f64,
    ) {
        let draft = Draft {
            name,
            role,
            capacity,
            vm,
            cluster,
            flow,
            utilisation: 0.35 + 0.3 * self.rng.unit(),
            single: self.rng.unit() < 0.02,
        };
        self.drafts.push(draft);
    }

    /// Authentication, called by every service's application tier.
    fn auth(&mut self) {
        let auth_flow = 0.4 * 0.5;
        self.push(
            "auth".into(),
            "application",
            2_000.0,
            Some((2.0, 4.0, 40.0)),
            0,
            auth_flow,
        );
        self.push(
            "auth-db".into(),
            "database",
            4_000.0,
            None,
            0,
            auth_flow * 2.0,
        );
        self.edges.push((1, 2, 2.0, 0.0));
    }

    /// Service `s`, taking `share` of the front door's requests: its tiers, the load
    /// balancer's edge to its proxy, and its application's edge to authentication.
    fn service(&mut self, s: usize, share: f64) {
        let base = self.drafts.len();
        let mut flow = [0.0; SERVICE.len()];
        flow[0] = share;
        for &(from, to, ratio, hit) in &EDGES {
            flow[to] += flow[from] * ratio * (1.0 - hit);
        }
        for (k, &(name, role, capacity, vm)) in SERVICE.iter().enumerate() {
            self.push(
                format!("s{s}-{name}"),
                role,
                capacity,
                vm,
                s / CLUSTER,
                flow[k],
            );
        }
        self.edges.push((0, base, share, 0.0));
        self.edges.push((base + 1, 1, 0.5, 0.0));
        self.edges.extend(
            EDGES
                .iter()
                .map(|&(from, to, ratio, hit)| (base + from, base + to, ratio, hit)),
        );
    }

    /// Tiers left over: more batch workers behind the busiest service's queue.
    fn batch_workers(&mut self, extra: usize) {
        for k in 0..extra {
            let flow = self.drafts[3 + 7].flow * 0.1;
            self.push(
                format!("s0-batch{k}"),
                "worker",
                50.0,
                Some((2.0, 4.0, 40.0)),
                0,
                flow,
            );
            self.edges.push((3 + 7, self.drafts.len() - 1, 0.1, 0.0));
        }
    }
}

/// Server counts for drafted tiers at one front-door peak.
struct Sizing {
    peak: f64,
}

impl Sizing {
    /// The front-door peak that makes the estate about `servers` strong.
    fn new(drafts: &[Draft], servers: u32) -> Sizing {
        let per_rps: f64 = drafts
            .iter()
            .map(|d| d.flow / (d.capacity * d.utilisation))
            .sum();
        Sizing {
            peak: (f64::from(servers) / per_rps).max(1.0),
        }
    }

    /// Servers for the tier's demand at its planned utilisation, rounded.
    fn plain(&self, d: &Draft) -> u32 {
        (self.peak * d.flow / (d.capacity * d.utilisation)).round() as u32
    }

    // Databases of eight servers or more are sharded, one query in ten a write: enough
    // primaries that each takes its writes at half its capacity, and replicas for the
    // reads plus their shard's writes at the tier's utilisation.
    /// Whether the tier is a sharded database.
    fn sharded(&self, d: &Draft) -> bool {
        d.role == "database" && self.plain(d) >= 8
    }

    /// A sharded database's primaries.
    fn shards(&self, d: &Draft) -> u32 {
        let (rps, usable) = (self.peak * d.flow, d.capacity * d.utilisation);
        ((0.2 * rps / usable).ceil() as u32).max(2)
    }

    /// The tier's servers: its plain count, or a sharded database's primaries and
    /// replicas.
    fn count(&self, d: &Draft) -> u32 {
        let need = self.plain(d);
        if self.sharded(d) {
            let (rps, usable, k) = (
                self.peak * d.flow,
                d.capacity * d.utilisation,
                self.shards(d),
            );
            return k + (0.9 * rps / (usable - 0.1 * rps / f64::from(k))).ceil() as u32;
        }
        // A tier small enough for one server is sometimes left with one.
        if d.single && need <= 1 {
            1
        } else {
            need.max(2)
        }
    }
}

/// A topology file (TOML) with `tiers` tiers (at least 13) and about `servers` servers
/// (machines and VMs; at least 2 a tier), the same for the same `seed`.
pub fn estate(tiers: usize, servers: u32, seed: u64) -> String {
    let services = (tiers.max(13) - 3) / SERVICE.len();
    let extra = tiers.max(13) - 3 - services * SERVICE.len();
    let plan = Plan::draft(services, extra, seed);
    let sizing = Sizing::new(&plan.drafts, servers);
    let clusters = services.div_ceil(CLUSTER).max(1);
    let racks = racks(&plan.drafts, &sizing, clusters);

    let mut out = String::new();
    write_header(&mut out, seed, sizing.peak, &racks);
    for c in 0..clusters {
        let _ = writeln!(
            out,
            "[[pool]]\nname = \"pool{c}\"\nprofile = \"vm-host\"\nracks = {}\n",
            rack_names(&racks, c)
        );
    }
    for d in &plan.drafts {
        write_tier(&mut out, d, &sizing, &racks);
    }
    for &(from, to, ratio, hit) in &plan.edges {
        // One query in ten to a database is a write.
        let writes = if sizing.sharded(&plan.drafts[to]) {
            0.1
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "[[edge]]\nfrom = \"{}\"\nto = \"{}\"\nratio = {ratio}\nhit_ratio = {hit}\n\
             write_fraction = {writes}\n",
            plan.drafts[from].name, plan.drafts[to].name
        );
    }
    out
}

/// Racks per cluster, enough for its machines (at least two).
fn racks(drafts: &[Draft], sizing: &Sizing, clusters: usize) -> Vec<usize> {
    let mut machines = vec![0.0; clusters];
    for d in drafts {
        // A VM host carries about four VMs of these sizes.
        machines[d.cluster] += f64::from(sizing.count(d)) / if d.vm.is_some() { 4.0 } else { 1.0 };
    }
    machines
        .iter()
        .map(|m| (m / PER_RACK).ceil().max(2.0) as usize)
        .collect()
}

/// Cluster `c`'s racks as a TOML array of names.
fn rack_names(racks: &[usize], c: usize) -> String {
    let names: Vec<String> = (0..racks[c]).map(|r| format!("\"c{c}-r{r}\"")).collect();
    format!("[{}]", names.join(", "))
}

/// The file's name, entry, peak and racks, and its two host profiles.
fn write_header(out: &mut String, seed: u64, peak: f64, racks: &[usize]) {
    let all: Vec<String> = (0..racks.len())
        .flat_map(|c| (0..racks[c]).map(move |r| format!("\"c{c}-r{r}\"")))
        .collect();
    let _ = writeln!(
        out,
        "name = \"generated estate, seed {seed}\"\nentry = \"lb\"\npeak_rps = {peak:.1}\n\
         racks = [{}]\n",
        all.join(", ")
    );
    out.push_str(
        "[[profile]]\nname = \"machine\"\ncores = 16\nmemory_gib = 64\ndisk_gb = 2000\n\
         nic_mbps = 10000\n\n[[profile]]\nname = \"vm-host\"\ncores = 32\nmemory_gib = 128\n\
         disk_gb = 4000\nnic_mbps = 10000\n\n",
    );
}

/// One tier: VMs in its cluster's pool, or machines in its cluster's racks.
fn write_tier(out: &mut String, d: &Draft, sizing: &Sizing, racks: &[usize]) {
    let _ = writeln!(
        out,
        "[[tier]]\nname = \"{}\"\nrole = \"{}\"\nservers = {}\ncapacity_rps = {}",
        d.name,
        d.role,
        sizing.count(d),
        d.capacity
    );
    match d.vm {
        Some((cores, memory, disk)) => {
            let _ = writeln!(
                out,
                "pool = \"pool{}\"\nvm = {{ cores = {cores}, memory_gib = {memory}, \
                 disk_gb = {disk} }}\n",
                d.cluster
            );
        }
        None => {
            if sizing.sharded(d) {
                let _ = writeln!(out, "primaries = {}", sizing.shards(d));
            }
            let _ = writeln!(
                out,
                "profile = \"machine\"\nracks = {}\n",
                rack_names(racks, d.cluster)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_estates_load_and_have_the_asked_size() {
        for (tiers, servers) in [(13, 100), (200, 5_000), (2_000, 100_000)] {
            let text = estate(tiers, servers, 7);
            let t = crate::parse_as(&text, std::path::Path::new("gen.toml"), crate::Format::Toml)
                .expect("a generated estate is a valid topology");
            assert_eq!(t.tiers().len(), tiers);
            let total = f64::from(t.total_servers());
            // Rounding, the two-server floor and sharded databases' replicas move the total.
            assert!(
                (total / f64::from(servers) - 1.0).abs() < 0.25,
                "{tiers} tiers: {total} servers for {servers}"
            );
        }
        assert_eq!(estate(200, 5_000, 1), estate(200, 5_000, 1));
        assert_ne!(estate(200, 5_000, 1), estate(200, 5_000, 2));
    }
}
