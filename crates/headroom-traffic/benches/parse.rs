//! Parser and rollup throughput on the bundled real log and on a generated one with
//! real-world diversity (criterion).
//!
//! `cargo bench -p headroom-traffic` prints lines per second for parsing alone and for
//! parsing plus every rollup column (counters, HLL, KLL, frequent items). The bundled log
//! is 10,000 lines whose paths, agents and visitors stay hot in every cache; the
//! generated one (`scripts/gen-log.py 200000 --seed 1`, needs python3) has the
//! cardinalities of a real service's, so its figure is the one to quote.

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

/// The lines of `scripts/gen-log.py 200000 --seed 1` (200,000 requests and their junk).
fn generated_lines() -> Vec<Vec<u8>> {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .args([
            "scripts/gen-log.py",
            "200000",
            "--seed",
            "1",
            "--truth",
            "/dev/null",
        ])
        .current_dir(root)
        .output()
        .expect("python3 runs scripts/gen-log.py");
    assert!(out.status.success(), "gen-log.py failed");
    out.stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Parsing plus every rollup column over `lines`.
fn parse_and_roll_up(format: &LogFormat, lines: &[Vec<u8>]) -> usize {
    let mut rollups = RollupBuilder::default();
    let mut parser = format.parser();
    for line in lines {
        if let Ok(r) = parser.parse(black_box(line)) {
            rollups.add(&r);
        }
    }
    rollups.finish().len()
}

fn generated(c: &mut Criterion) {
    let lines = generated_lines();
    let combined = LogFormat::from_spec("combined").expect("preset");
    let mut group = c.benchmark_group("generated_combined");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10);
    group.bench_function("parse+rollup/combined", |b| {
        b.iter(|| parse_and_roll_up(&combined, &lines))
    });
    group.finish();
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
        b.iter(|| parse_and_roll_up(&combined, &lines))
    });
    group.finish();
}

criterion_group!(benches, bench, generated);
criterion_main!(benches);
