//! The topologies shipped in `data/topologies/`, with numbers checked by hand.

use std::path::{Path, PathBuf};

use headroom_topology::{Format, Topology, analyze, load, parse_as};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/topologies")
        .join(name)
}

fn topology(name: &str) -> Topology {
    load(&shipped(name)).unwrap()
}

#[test]
fn hatena_bookmark_has_the_published_counts() {
    let t = topology("hatena-bookmark.toml");
    let counts: Vec<(&str, u32)> = t
        .tiers()
        .iter()
        .map(|t| (t.name.as_str(), t.servers))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("lb", 2),
            ("proxy", 3),
            ("ap", 11),
            ("cache", 7),
            ("db", 24),
            ("other", 9)
        ]
    );
    assert_eq!(t.total_servers(), 56);
    // Per front-door request: 0.4 pages; 4 cache lookups; 10 × (1 − 0.6) = 4 queries,
    // 0.4 of them writes; 0.08 search calls.
    let gains = t.flow_gains();
    assert_eq!(gains[2], (0.4, 0.0));
    assert!((gains[4].0 - 1.6).abs() < 1e-12 && (gains[4].1 - 0.16).abs() < 1e-12);
    assert!((gains[5].0 - 0.08).abs() < 1e-12);
}

#[test]
fn hatena_bookmark_at_its_peak() {
    let t = topology("hatena-bookmark.toml");
    let a = analyze(&t, t.peak_rps().unwrap());
    assert_eq!(a.entry_rps, 1500.0);
    // ap: 600 pages/s over 11 × 150: 36.4%.
    assert!((a.tiers[2].load.utilisation - 600.0 / 1650.0).abs() < 1e-12);
    // db: 2,400 queries/s, 240 writes, 4 shards: a replica takes 2,160 / 20 reads and
    // its shard's 60 writes: 168/s of 2,000 = 8.4%.
    assert!((a.tiers[4].load.utilisation - 0.084).abs() < 1e-12);
    // cache: a 120 GiB working set in 7 × 24 GiB.
    assert_eq!(a.tiers[3].load.memory_use, Some(120.0 / 168.0));
    // proxy: 1,500 × 15 kB × 8 = 180 Mbps.
    assert!((a.tiers[1].load.mbps - 180.0).abs() < 1e-9);
    assert_eq!(a.bottleneck, "ap");
    // 30 VMs, 11 of them ap: at least 11 hosts; lb and db are 26 machines of their own.
    assert_eq!(a.pools[0].lower_bound, 11);
    assert_eq!(a.pools[0].hosts_needed, 11);
    assert_eq!(a.physical_machines, 37);
    assert!(a.single_points_of_failure.is_empty());
    assert_eq!(a.articulation_tiers, vec!["proxy", "ap"]);
    assert_eq!(a.n_minus_1.failing, 0);
    // Domains: 6 tiers + 11 hosts + 3 racks = 20; pairs: 20 × 19 / 2 + 6 server pairs = 196.
    assert_eq!(a.n_minus_1.tried, 20);
    assert_eq!(a.n_minus_2.tried, 196);
}

#[test]
fn one_box_is_all_single_points_of_failure() {
    let t = topology("one-box.toml");
    let a = analyze(&t, 40.0);
    let spofs: Vec<&str> = a
        .single_points_of_failure
        .iter()
        .map(|s| s.tier.as_str())
        .collect();
    assert_eq!(spofs, vec!["web", "app", "cache", "db"]);
    assert_eq!(a.physical_machines, 1);
    // 0.5 + 2 + 0.25 + 1 = 3.75 of 4 cores on the one host.
    assert!((a.pools[0].fill[0] - 3.75 / 4.0).abs() < 1e-12);
    assert_eq!(a.n_minus_1.tried, 5);
    assert_eq!(a.n_minus_1.failing, 5);
    assert_eq!(a.n_minus_1.worst.len(), 5);
    // app: 8 workers at 50 ms = 160 rps; 40 × 0.6 = 24 rps is 15%.
    assert!((a.tiers[1].load.utilisation - 0.15).abs() < 1e-12);
}

#[test]
fn cdn_three_tier_loses_a_zone() {
    let t = topology("cdn-three-tier.toml");
    let a = analyze(&t, 12000.0);
    // 85% CDN hits: 1,800 rps reach the load balancers and web; 5,400 queries, 270
    // writes. A db replica: 5,130 / 2 + 270 = 2,835 of 6,000 = 47.25%.
    assert!((a.tiers[2].load.demand_rps - 1800.0).abs() < 1e-9);
    assert!((a.tiers[3].load.utilisation - 0.4725).abs() < 1e-12);
    // Losing a zone leaves 4 web servers: 1,800 / 1,600 = 112.5%.
    let zone = a
        .n_minus_1
        .worst
        .iter()
        .find(|s| s.lost == "rack az-a")
        .unwrap();
    assert_eq!(zone.worst_tier, "web");
    assert!((zone.worst_utilisation.unwrap() - 1.125).abs() < 1e-12);
    // The CDN stands in no rack of ours: losing both zones stops the lb, not the CDN.
    let both = a
        .n_minus_2
        .worst
        .iter()
        .find(|s| s.lost == "rack az-a + rack az-b")
        .unwrap();
    assert_eq!(both.worst_tier, "lb");
}

#[test]
fn shipped_files_read_the_same_as_json_and_yaml() {
    for name in [
        "hatena-bookmark.toml",
        "one-box.toml",
        "cdn-three-tier.toml",
    ] {
        let path = shipped(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        let from_toml = load(&path).unwrap();
        for (format, converted) in [
            (Format::Json, serde_json::to_string(&value).unwrap()),
            (Format::Yaml, serde_norway::to_string(&value).unwrap()),
        ] {
            let t = parse_as(&converted, &path, format).unwrap();
            assert_eq!(t.tiers(), from_toml.tiers(), "{name} as {format:?}");
            assert_eq!(t.edges(), from_toml.edges(), "{name} as {format:?}");
        }
    }
}
