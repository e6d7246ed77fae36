//! Parser and rollup throughput on the bundled real log (criterion).
//!
//! `cargo bench -p headroom-traffic` prints lines per second for parsing alone and for
//! parsing plus every rollup column (counters, HLL, KLL, frequent items).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use headroom_traffic::{LogFormat, RollupBuilder};

/// The non-empty lines of a bundled log under `data/logs/`.
fn read_lines(name: &str) -> Vec<Vec<u8>> {
    let path = format!("{}/../../data/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path)
        .expect("bundled log")
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn bench(c: &mut Criterion) {
    let lines = read_lines("elastic_apache_logs.log");
    let mut group = c.benchmark_group("elastic_combined");
    group.throughput(Throughput::Elements(lines.len() as u64));
    for name in ["combined", "ltsv"] {
        let format = LogFormat::from_spec(name).expect("preset");
        let input = if name == "ltsv" {
            read_lines("derived_elastic_apache_logs.ltsv")
        } else {
            lines.clone()
        };
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| {
                let mut ok = 0usize;
                let mut parser = format.parser();
                for line in &input {
                    ok += usize::from(parser.parse(black_box(line)).is_ok());
                }
                ok
            })
        });
    }
    let combined = LogFormat::from_spec("combined").expect("preset");
    group.bench_function("parse+rollup/combined", |b| {
        b.iter(|| {
            let mut rollups = RollupBuilder::default();
            let mut parser = combined.parser();
            for line in &lines {
                if let Ok(r) = parser.parse(black_box(line)) {
                    rollups.add(&r);
                }
            }
            rollups.finish().len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
