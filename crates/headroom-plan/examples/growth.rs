//! Time against horizon for `plan` at 8% growth a month on the bundled Hatena topology:
//! `cargo run --release -p headroom-plan --example growth`.

use std::time::Instant;

use headroom_plan::{Demand, Policy, Redundancy, compound_peaks, plan};
use headroom_topology::Topology;

fn time(topology: &Topology, months: u32, policy: Policy) -> (f64, u32) {
    let peaks = compound_peaks(topology.peak_rps().unwrap_or(1.0), 0.08, months);
    let demand = Demand {
        upper_rps: peaks.clone(),
        peak_rps: peaks,
        upper_by_tier: Vec::new(),
        minute_rps: None,
        peak_to_mean: topology.peak_to_mean(),
        bytes_per_request: None,
    };
    let start = Instant::now();
    let p = plan(topology, &demand, policy).expect("within the limits");
    let last = p
        .months
        .last()
        .map_or(0, |m| m.tiers.iter().map(|t| t.total).sum());
    (start.elapsed().as_secs_f64(), last)
}

fn main() {
    let hatena = headroom_topology::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/topologies/hatena-bookmark.toml"
    )))
    .expect("the shipped topology loads");
    println!("topology\tpolicy\tmonths\tservers in the last month\tplan s");
    for (name, t) in [("hatena-bookmark", &hatena)] {
        for (label, redundancy) in [
            ("n+1", Redundancy::Spares { k: 1 }),
            ("rack", Redundancy::Rack),
        ] {
            for months in [12, 24, 48, 96, 120] {
                let policy = Policy {
                    redundancy,
                    ..Policy::default()
                };
                let (secs, servers) = time(t, months, policy);
                println!("{name}\t{label}\t{months}\t{servers}\t{secs:.3}");
            }
        }
    }
}
