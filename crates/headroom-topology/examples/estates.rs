//! Time against size for `analyze` on generated estates (`headroom_topology::synthetic`):
//! `cargo run --release -p headroom-topology --example estates [MAX_TIERS]`.
//! Each size keeps the brief's 50 servers a tier; the table is README's scaling curve.

use std::time::Instant;

use headroom_topology::{Format, analyze, parse_as, synthetic};

fn main() {
    let max: usize = std::env::args()
        .nth(1)
        .map_or(2_000, |a| a.parse().expect("MAX_TIERS is a number"));
    println!("tiers\tservers\thosts\tdomains\tN-2 tried\tN-2 failing\tparse s\tanalyze s");
    let mut tiers = 125;
    while tiers <= max {
        let text = synthetic::estate(tiers, (tiers * 50) as u32, 1);
        let start = Instant::now();
        let topology = parse_as(&text, std::path::Path::new("estate.toml"), Format::Toml)
            .expect("a generated estate is valid");
        let parsed = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let a = analyze(&topology, topology.peak_rps().unwrap_or(1.0));
        let analysed = start.elapsed().as_secs_f64();
        let hosts: u32 = a.pools.iter().map(|p| p.hosts_needed).sum();
        println!(
            "{tiers}\t{}\t{hosts}\t{}\t{}\t{}\t{parsed:.3}\t{analysed:.3}",
            a.servers, a.n_minus_1.tried, a.n_minus_2.tried, a.n_minus_2.failing
        );
        tiers *= 2;
    }
}
