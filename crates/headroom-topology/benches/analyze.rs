//! `topology analyze` against estate size (criterion): generated estates of 125 to
//! 2,000 tiers asked for 50 servers a tier (`headroom_topology::synthetic`; sharded
//! databases add replicas), the largest 113,000 servers on about 14,000 VM hosts with
//! 150 million N−2 pairs.
//!
//! `cargo bench -p headroom-topology`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use headroom_topology::{Format, analyze, parse_as, synthetic};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    for tiers in [125, 500, 2_000] {
        let text = synthetic::estate(tiers, (tiers * 50) as u32, 1);
        let topology =
            parse_as(&text, Path::new("estate.toml"), Format::Toml).expect("a valid estate");
        let peak = topology
            .peak_rps()
            .expect("a generated estate states its peak");
        group.bench_with_input(BenchmarkId::new("tiers", tiers), &topology, |b, t| {
            b.iter(|| analyze(black_box(t), peak));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
