//! Compares the packing heuristics on seeded random VM mixes, against the lower bound:
//! `cargo run --release -p headroom-topology --example packing`.
//!
//! Two families of instances: "mixed" draws tiers of CPU-heavy, memory-heavy and
//! disk-heavy VMs (the mix Hatena packs by hand), "uniform" draws every dimension
//! independently. Each instance has 4–12 tiers of 1–30 VMs on 16-core, 64 GiB, 2 TB
//! hosts; no two VMs of a tier share a host.

use headroom_topology::{Heuristic, Item, Resources, consolidate, lower_bound, pack};

/// xorshift64*: a few lines of deterministic randomness, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [lo, hi].
    fn range(&mut self, lo: u64, hi: u64) -> f64 {
        (lo + self.next() % (hi - lo + 1)) as f64
    }
}

fn instance(rng: &mut Rng, mixed: bool) -> Vec<Item> {
    let mut items = Vec::new();
    for group in 0..rng.range(4, 12) as usize {
        let (cores, memory_gib, disk_gb) = if mixed {
            match rng.range(0, 2) as u8 {
                // CPU-heavy web/application VM.
                0 => (rng.range(4, 12), rng.range(2, 12), rng.range(20, 100)),
                // Memory-heavy cache VM.
                1 => (rng.range(1, 3), rng.range(16, 48), rng.range(10, 50)),
                // Disk-heavy database or search VM.
                _ => (rng.range(2, 6), rng.range(8, 24), rng.range(400, 1200)),
            }
        } else {
            (rng.range(1, 12), rng.range(1, 48), rng.range(10, 1200))
        };
        let size = Resources {
            cores,
            memory_gib,
            disk_gb,
        };
        for _ in 0..rng.range(1, 30) as usize {
            items.push(Item { group, size });
        }
    }
    items
}

fn main() {
    let host = Resources {
        cores: 16.0,
        memory_gib: 64.0,
        disk_gb: 2000.0,
    };
    println!(
        "{:<8} {:>9} {:>11} {:>7} {:>7} {:>10} {:>10} {:>8} {:>12}",
        "family",
        "instances",
        "lower bound",
        "FFD",
        "dot",
        "FFD+cons",
        "dot+cons",
        "chosen",
        "chosen/bound"
    );
    for (family, mixed) in [("mixed", true), ("uniform", false)] {
        let n = 500;
        let [lb, f, d, fc, dc, chosen] = totals(mixed, n, &host);
        println!(
            "{family:<8} {n:>9} {lb:>11} {f:>7} {d:>7} {fc:>10} {dc:>10} {chosen:>8} {:>12.3}",
            chosen as f64 / lb as f64
        );
    }
}

/// Hosts summed over `n` seeded instances of one family: the lower bound, FFD, dot
/// product, each consolidated, and the better consolidated packing.
fn totals(mixed: bool, n: usize, host: &Resources) -> [usize; 6] {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sums = [0usize; 6];
    for _ in 0..n {
        let items = instance(&mut rng, mixed);
        let ffd = pack(&items, host, Heuristic::FirstFitDecreasing);
        let dot = pack(&items, host, Heuristic::DotProduct);
        let (f, d) = (ffd.len(), dot.len());
        let fc = consolidate(&items, host, ffd).len();
        let dc = consolidate(&items, host, dot).len();
        for (s, x) in
            sums.iter_mut()
                .zip([lower_bound(&items, host) as usize, f, d, fc, dc, fc.min(dc)])
        {
            *s += x;
        }
    }
    sums
}
