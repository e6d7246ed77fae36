//! A plan against its horizon (criterion): the bundled Hatena Bookmark topology growing
//! 8% a month for 12 to 120 months (×10,000 by the end: 73,000 servers under N+1,
//! 110,000 under the rack policy), every month sized, packed and, under the rack
//! policy, checked against each rack's loss.
//!
//! `cargo bench -p headroom-plan`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use headroom_plan::{Demand, Policy, Redundancy, compound_peaks, plan};

fn bench(c: &mut Criterion) {
    let topology = headroom_topology::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/topologies/hatena-bookmark.toml"
    )))
    .expect("the shipped topology loads");
    let peak = topology
        .peak_rps()
        .expect("the shipped topology states its peak");
    let mut group = c.benchmark_group("plan_8pct");
    group.sample_size(10);
    for (name, redundancy) in [
        ("n+1", Redundancy::Spares { k: 1 }),
        ("rack", Redundancy::Rack),
    ] {
        for months in [12, 60, 120] {
            let peaks = compound_peaks(peak, 0.08, months);
            let demand = Demand {
                upper_rps: peaks.clone(),
                peak_rps: peaks,
                upper_by_tier: Vec::new(),
                minute_rps: None,
                peak_to_mean: topology.peak_to_mean(),
                bytes_per_request: None,
            };
            let policy = Policy {
                redundancy,
                ..Policy::default()
            };
            group.bench_with_input(BenchmarkId::new(name, months), &demand, |b, d| {
                b.iter(|| plan(&topology, black_box(d), policy).expect("plannable"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
