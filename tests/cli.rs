//! End-to-end tests: the `headroom` binary on the bundled data.
//!
//! Expected figures come from references, not from headroom's own output: GoAccess 1.7's
//! report on `elastic_apache_logs.log` (data/SOURCES.md) and counts taken with awk, sort
//! and uniq on the same file (noted where used).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const LOG: &str = "data/logs/elastic_apache_logs.log";
const HATENA: &str = "data/topologies/hatena-bookmark.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn headroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("headroom runs")
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn ingest(dir: &Path) -> Value {
    ok(headroom(&["ingest", LOG, "--out", dir.to_str().unwrap()]));
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn ingest_matches_goaccess_on_the_elastic_log() {
    let tmp = tempfile::tempdir().unwrap();
    let s = ingest(tmp.path());
    // GoAccess: 10,000 valid requests, 0 failed, 2,747,282,740 bytes.
    assert_eq!(s["lines_read"], 10_000);
    assert_eq!(s["lines_parsed"], 10_000);
    assert_eq!(s["lines_rejected"], 0);
    assert_eq!(s["requests"], 10_000);
    assert_eq!(s["bytes"], 2_747_282_740_i64);
    // awk '{print $9}' | sort | uniq -c: 200 ×9126, 206 ×45, 301 ×164, 304 ×445,
    // 403 ×2, 404 ×213, 416 ×2, 500 ×3.
    let status = &s["status"];
    assert_eq!(
        [
            &status["s2xx"],
            &status["s3xx"],
            &status["s4xx"],
            &status["s5xx"]
        ],
        [9171, 609, 217, 3]
    );
    // The busiest minute is 19/May/2015:19:05 with 136 lines (awk + uniq -c).
    assert_eq!(s["peak_minute"], "2015-05-19T19:05:00Z");
    assert_eq!(s["peak_rps"].as_f64().unwrap(), 136.0 / 60.0);
    assert_eq!(s["first_minute"], "2015-05-17T10:05:00Z");
    assert_eq!(s["last_minute"], "2015-05-20T21:05:00Z");
    let span = s["span_minutes"].as_i64().unwrap();
    assert_eq!(span, 3 * 1440 + 11 * 60 + 1);
    assert_eq!(
        s["mean_rps"].as_f64().unwrap(),
        10_000.0 / (span as f64 * 60.0)
    );

    // GoAccess's hits per day: 1,632 / 2,893 / 2,896 / 2,579 (17–20 May).
    let rollups = headroom::traffic::read_rollups(tmp.path()).unwrap();
    let mut per_day = std::collections::BTreeMap::<String, i64>::new();
    for (minute, counts) in rollups.iter() {
        *per_day
            .entry(headroom::traffic::time::format_date(minute))
            .or_default() += counts.requests;
    }
    assert_eq!(
        per_day.values().copied().collect::<Vec<_>>(),
        [1632, 2893, 2896, 2579]
    );
    assert!(
        tmp.path()
            .join("minutes/date=2015-05-19/g000001.parquet")
            .exists()
    );

    // GoAccess: 2,095 unique visitors (daily distinct IP + user agent, 4xx left out, added
    // up) and 1,753 hosts. HLL with lgK 12 has a relative standard error of 1.04/√4096 =
    // 1.6%; three of those is the tolerance.
    let close =
        |got: &Value, want: f64| (got.as_f64().unwrap() - want).abs() / want < 3.0 * 0.01625;
    assert!(
        close(&s["goaccess_unique_visitors"], 2095.0),
        "{}",
        s["goaccess_unique_visitors"]
    );
    assert!(close(&s["unique_hosts"], 1753.0), "{}", s["unique_hosts"]);
    // awk '{print $7}' | grep -c '^/favicon.ico$': 807 requests, the most requested path.
    assert_eq!(s["top_paths"]["items"][0]["item"], "/favicon.ico");
    let top = s["top_paths"]["items"][0]["requests"].as_i64().unwrap();
    assert!((807..=807 + s["top_paths"]["max_error"].as_i64().unwrap()).contains(&top));
    let kinds = ["pages", "static_assets", "bots"].map(|k| s[k].as_i64().unwrap());
    assert_eq!(kinds.iter().sum::<i64>(), 10_000);
}

#[test]
fn ingest_reproduces_the_generated_log_s_known_totals() {
    // scripts/gen-log.py writes a log with real-world diversity (Zipf paths and hosts,
    // IPv6, bots, mixed offsets, out-of-order lines, 0.1% junk) and the totals an ingest
    // must reproduce exactly.
    let tmp = tempfile::tempdir().unwrap();
    let (log, truth) = (tmp.path().join("gen.log"), tmp.path().join("truth.json"));
    let generated = Command::new("python3")
        .args(["scripts/gen-log.py", "30000", "--seed", "11", "--days", "3"])
        .arg("--out")
        .arg(&log)
        .arg("--truth")
        .arg(&truth)
        .current_dir(root())
        .status()
        .expect("python3 runs");
    assert!(generated.success());
    let truth: Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    let s = ingest_file(&log, &tmp.path().join("dataset"));
    for field in [
        "lines_read",
        "lines_parsed",
        "lines_rejected",
        "requests",
        "bytes",
        "first_minute",
        "last_minute",
    ] {
        assert_eq!(s[field], truth[field], "{field}");
    }
    assert_eq!(s["status"], truth["status"]);
    assert!(
        truth["lines_rejected"].as_u64().unwrap() > 0,
        "the log has junk"
    );
    let requests = truth["requests"].as_f64().unwrap();
    for (share, count) in [("bot_share", "bots"), ("static_share", "static_assets")] {
        let expected = truth[count].as_f64().unwrap() / requests;
        let got = s[share].as_f64().unwrap();
        assert!(
            (got - expected).abs() < 1e-12,
            "{share}: {got} against {expected}"
        );
    }
}

#[test]
fn ingest_counts_rejected_lines_and_strict_names_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("mixed.log");
    std::fs::write(
        &log,
        "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"ua\"\n\
         \x16\x03\x01 garbage from a TLS probe\n\
         1.2.3.4 - - [17/May/2015:10:05:09 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"\n",
    )
    .unwrap();
    let out = tmp.path().join("ds");
    let s = ingest_file(&log, &out);
    assert_eq!(
        (s["lines_read"].as_i64(), s["lines_parsed"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(s["rejected_by_reason"]["bad_timestamp"], 1);
    let why = "timestamp does not read as a date and time";
    assert_eq!(
        s["reject_samples"][0],
        format!("{}:2: {why}", log.display())
    );

    let fresh = tmp.path().join("strict");
    let strict = headroom(&[
        "ingest",
        log.to_str().unwrap(),
        "--out",
        fresh.to_str().unwrap(),
        "--strict",
    ]);
    assert!(!strict.status.success());
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains(&format!("{}:2: {why}", log.display())),
        "{stderr}"
    );
    assert!(
        !fresh.join("manifest.json").exists(),
        "a failed ingest commits nothing"
    );

    // Ingesting the same content again is a no-op that says so.
    let again = headroom(&[
        "ingest",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already ingested"));
    let s2: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s2["requests"], 2);
}

fn ingest_file(log: &Path, out: &Path) -> Value {
    ok(headroom(&[
        "ingest",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn topology_check_prints_tiers_and_counts() {
    let out = ok(headroom(&["topology", "check", HATENA]));
    assert!(
        out.contains("Hatena Bookmark: 6 tiers, 56 servers, entry 'lb'"),
        "{out}"
    );
    for (tier, servers) in [
        ("lb", 2),
        ("proxy", 3),
        ("ap", 11),
        ("cache", 7),
        ("db", 24),
        ("other", 9),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{tier} ")))
            .unwrap();
        assert_eq!(
            line.split_whitespace().nth(2),
            Some(servers.to_string().as_str()),
            "{line}"
        );
    }
    // ap: 30 workers at 200 ms = 150 rps a server; Erlang C (M/M/30, recomputed in
    // Python from the textbook formula) keeps the mean response within 300 ms up to
    // 95.224% busy; 11 × 150 × 0.95224 ÷ 0.4 of front-door traffic = 3,928 rps, the
    // lowest. db, 4 shards of 6: each replica carries 0.9 × 4 ÷ 20 reads + 0.4 ÷ 4
    // writes per front-door request = 0.28, so 2,000 × 0.7 ÷ 0.28 ÷ 0.4 = 12,500.
    assert!(
        out.contains("bottleneck: ap (reaches its ceiling at 3928 front-door requests/s)"),
        "{out}"
    );
    assert!(
        out.contains(
            "\ndb           database              24           2000     0.70            12500\n"
        ),
        "{out}"
    );
}

#[test]
fn topology_analyze_finds_bottleneck_spofs_packing_and_failures() {
    let out = ok(headroom(&["topology", "analyze", HATENA]));
    assert!(
        out.starts_with(
            "Hatena Bookmark at 1500 front-door requests/s: 56 servers, 37 physical machines"
        ),
        "{out}"
    );
    // 30 VMs; the 11 ap VMs may not share a host, so 11 hosts is the lower bound.
    assert!(
        out.contains("pool vm-hosts: 30 VMs on 11 hosts (lower bound 11;"),
        "{out}"
    );
    assert!(out.contains("single points of failure: none"), "{out}");
    // Two racks of three down take both load balancers (round-robin: rack-a, rack-b).
    assert!(out.contains("N−1: 20 scenarios, 0 fail"), "{out}");
    assert!(
        out.contains("lose rack rack-a + rack rack-b: lb no server left"),
        "{out}"
    );
    // Racks a and c hold 7 of the 11 hosts: 600 ap rps on 4 × 150 = 100%.
    assert!(
        out.contains("lose rack rack-a + rack rack-c: ap 100% busy"),
        "{out}"
    );

    let json: Value = serde_json::from_str(&ok(headroom(&[
        "topology",
        "analyze",
        HATENA,
        "--peak-rps",
        "3000",
        "--json",
    ])))
    .unwrap();
    assert_eq!(json["entry_rps"], 3000.0);
    assert_eq!(json["bottleneck"], "ap");
    let ap = &json["tiers"][2];
    // 3,000 × 0.4 = 1,200 rps over 11 × 150.
    assert!((ap["load"]["utilisation"].as_f64().unwrap() - 1200.0 / 1650.0).abs() < 1e-12);
    assert_eq!(ap["band"], "ok");
    // Losing a rack at 3,000 rps leaves 7 ap hosts: 1,200 ÷ 1,050 > 100%.
    assert_eq!(json["n_minus_1"]["failing"], 3);
    let failing = json["n_minus_1"]["worst"].as_array().unwrap();
    assert_eq!(failing.len(), 3, "{failing:?}");
    assert!(
        failing
            .iter()
            .all(|f| f["lost"].as_str().unwrap().starts_with("rack "))
    );

    let one_box = ok(headroom(&[
        "topology",
        "analyze",
        "data/topologies/one-box.toml",
    ]));
    assert!(
        one_box.contains("web: it has one server; its loss stops web, app, cache, db"),
        "{one_box}"
    );
    assert!(one_box.contains("N−1: 5 scenarios, 5 fail"), "{one_box}");
    let cdn = ok(headroom(&[
        "topology",
        "analyze",
        "data/topologies/cdn-three-tier.toml",
    ]));
    // 12,000 × 15% = 1,800 rps on 8 web servers, 4 a zone: a zone down leaves 4 × 400.
    assert!(cdn.contains("lose rack az-a: web 113% busy"), "{cdn}");
}

#[test]
fn topology_show_draws_tree_dot_and_mermaid() {
    let tree = ok(headroom(&["topology", "show", HATENA]));
    assert!(
        tree.contains(
            "[×10, 60% hits, 10% writes] db (database): 24 × 2000 rps, 2400 rps in, 8% busy [ok]"
        ),
        "{tree}"
    );
    let dot = ok(headroom(&[
        "topology",
        "show",
        HATENA,
        "--as",
        "dot",
        "--peak-rps",
        "4000",
    ]));
    assert!(dot.starts_with("digraph \"Hatena Bookmark\" {"), "{dot}");
    // 4,000 rps put ap past its 95% ceiling: 1,600 ÷ 1,650 = 97%, vermillion.
    assert!(
        dot.contains("\"ap\" [label=\"ap\\n11 × 150 rps\\n97% busy\", fillcolor=\"#D55E00\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"ap\" -> \"db\" [label=\"6400 rps\"];"),
        "{dot}"
    );
    let mermaid = ok(headroom(&["topology", "show", HATENA, "--as", "mermaid"]));
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains("  t1 -->|600 rps| t2\n"), "{mermaid}");
    let none = headroom(&[
        "topology",
        "show",
        "data/topologies/one-box.toml",
        "--peak-rps",
        "-1",
    ]);
    assert!(!none.status.success());
}

#[test]
fn topology_check_names_file_line_and_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    let text = std::fs::read_to_string(root().join(HATENA)).unwrap();
    std::fs::write(
        &bad,
        text.replacen("to = \"cache\"", "to = \"memcache\"", 1),
    )
    .unwrap();
    let out = headroom(&["topology", "check", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l == "to = \"cache\"").unwrap() + 1;
    assert!(
        stderr.contains(&format!(
            "{}:{line}:6: unknown tier 'memcache'",
            bad.display()
        )),
        "{stderr}"
    );
}

#[test]
fn plan_forecasts_the_daily_peaks_through_the_topology() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = ingest(tmp.path());
    let out = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--traffic",
        tmp.path().to_str().unwrap(),
        "--months",
        "6",
        "--model",
        "linear",
        "--quantile",
        "point",
        "--json",
    ]));
    let json: Value = serde_json::from_str(&out).unwrap();
    let plan = &json["plan"];
    let months = plan["months"].as_array().unwrap();
    assert_eq!(months.len(), 6);
    assert_eq!(json["months"][0], "2015-06");
    // Daily busiest minutes (awk + uniq -c): 129, 133, 136, 128 requests. Their least-squares
    // slope over days 0..3 is exactly zero, so every month's peak is their mean ÷ 60.
    for m in months {
        assert!(
            (m["peak_rps"].as_f64().unwrap() - 131.5 / 60.0).abs() < 1e-9,
            "{m}"
        );
        let ap = &m["tiers"][2];
        assert_eq!(ap["tier"], "ap");
        // 2.19 rps × 0.4 = 0.88 rps needs one server of 142.8 usable rps (150 × 0.952),
        // plus one spare and two for its rolling deploy of 2; today's 11 stay in service.
        assert_eq!(
            (
                ap["for_demand"].as_u64(),
                ap["required"].as_u64(),
                ap["total"].as_u64()
            ),
            (Some(1), Some(4), Some(11))
        );
        // The proxy's 15 kB responses: 2.19 rps × 15,000 × 8 bits.
        let mbps = m["network"]["peak_mbps"].as_f64().unwrap();
        assert!((mbps - 131.5 / 60.0 * 0.12).abs() < 1e-9, "{mbps}");
    }
    // Storage and transfer use the measured peak-to-mean, as summary.json states it.
    let ratio = plan["peak_to_mean"].as_f64().unwrap();
    assert!(
        (ratio - summary["peak_to_mean"].as_f64().unwrap()).abs() < 1e-3,
        "{ratio}"
    );
    // The log covers every hour of the day, so the elastic cloud option is priced.
    assert!(json["costs"]["totals"]["cloud_elastic"].as_f64().unwrap() > 0.0);

    let table = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--traffic",
        tmp.path().to_str().unwrap(),
    ]));
    assert!(
        table.contains("purchases hold the upper bound of the 80% interval over their lead time"),
        "{table}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("2016-05 ")),
        "12 months after May 2015: {table}"
    );
    // lb: 2 × (3,000 ÷ 60 + 0.2 kW × 1.5 × 730.5 h × 0.12 + 1,200 ÷ 20 + 60) × 12 months
    // = 4,711 self-built; 2 × c5a.4xlarge (the cheapest with 8 ÷ 0.6 vCPUs, 16 GiB and
    // 1 Gbps; 2,029 a year reserved) = 4,058: checked by hand against the CSV.
    assert!(
        table.contains(
            "  lb: self-built 4,711 (1u-2010 at 3000) against cloud 4,058 (c5a.4xlarge): favours cloud (14% cheaper)"
        ),
        "{table}"
    );
}

#[test]
fn plan_csv_and_rack_redundancy() {
    let out = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "3000",
        "--growth",
        "0",
        "--months",
        "2",
        "--redundancy",
        "rack",
        "--csv",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with(
        "month,peak_rps,tier,demand_rps,for_demand,for_lead,for_redundancy,for_deploy,required"
    ));
    // Two months of six tiers.
    assert_eq!(lines.len(), 1 + 2 * 6);
    let ap: Vec<&str> = lines[3].split(',').collect();
    assert_eq!(ap[2], "ap");
    // ap: ceil(1,200 ÷ 142.8) = 9 for demand; spread over 3 racks, losing one takes
    // ceil(n ÷ 3): 14 − 5 = 9 is the least that leaves 9 (5 for the rack). Its rolling
    // deploy of 2 must fit with a rack lost too: 17 − 6 − 2 = 9 (3 more).
    assert_eq!(
        (ap[4], ap[5], ap[6], ap[7], ap[8]),
        ("9", "0", "5", "3", "17"),
        "{out}"
    );
    let text = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "3000",
        "--growth",
        "0",
        "--months",
        "1",
        "--redundancy",
        "rack",
    ]));
    assert!(
        text.contains("so that losing any of its 3 racks leaves 9 servers"),
        "{text}"
    );
}

#[test]
fn plan_deploy_windows_from_the_measured_hours() {
    let tmp = tempfile::tempdir().unwrap();
    ingest(tmp.path());
    let out = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--traffic",
        tmp.path().to_str().unwrap(),
        "--deploy-windows",
    ]));
    // The log runs from Sun 17 May 10:05 to Wed 20 May 21:58 UTC: 84 hours of the week.
    // Its busiest minute, 136 requests (2.27 rps), puts 0.91 rps on ap: one server; with
    // one lost and a batch of 2 out, 11 servers always fit, and the largest batch at the
    // peak is 11 − 1 − 1 = 9.
    assert!(
        out.contains(
            "  ap (rolling 2 at a time, 30 min): fits in 84 of 84 hours: Sun 10:00–Wed 22:00\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "    largest rolling batch: 9 at a time with today's 11 at the measured peak (2.27 rps)"
        ),
        "{out}"
    );
    let bad = headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "1",
        "--growth",
        "1",
        "--deploy-windows",
    ]);
    assert!(!bad.status.success(), "windows need measured hours");
}

#[test]
fn plan_names_the_line_of_a_bad_price_table() {
    let tmp = tempfile::tempdir().unwrap();
    let prices = tmp.path().join("self-built.toml");
    let text = std::fs::read_to_string(root().join("data/prices/self-built.toml")).unwrap();
    std::fs::write(&prices, text.replace("pue = 1.5", "pue = 0")).unwrap();
    let out = headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "100",
        "--growth",
        "1",
        "--prices",
        prices.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l.starts_with("pue = ")).unwrap() + 1;
    assert!(
        err.contains(&format!(
            "self-built.toml:{line}: pue must be above 0, not 0"
        )),
        "{err}"
    );
}

#[test]
fn report_writes_a_page_with_charts_and_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let stdout = ok(headroom(&[
        "report",
        "--out",
        out.to_str().unwrap(),
        "--months",
        "3",
    ]));
    assert!(
        stdout.contains("Peak: 2.27 requests/s in the busiest minute (2015-05-19T19:05:00Z)"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    // Traffic, busiest day, bandwidth, hour-of-week heat map, status mix, forecast,
    // servers, utilisation, cost, topology.
    assert_eq!(html.matches("<svg").count(), 10);
    for name in [
        "busiest-day",
        "bandwidth",
        "topology",
        "traffic",
        "mix",
        "hour-of-week",
        "forecast",
        "servers",
        "utilisation",
        "cost",
    ] {
        assert!(out.join(format!("{name}.svg")).exists(), "{name}.svg");
        let png = std::fs::read(out.join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}.png");
    }
    // The tightest tier's capacity: ap saturates at 3,928 front-door requests/s with
    // today's 11 servers (see topology tests), far above the bundled log's 2.3, so the
    // forecast chart names it rather than drawing the traffic flat against the axis.
    assert!(
        html.contains("Daily peak requests/s (capacity 3928, "),
        "capacity in the title"
    );
    // At the measured peak nothing single breaks; of pairs, only those taking both load
    // balancers (lb + lb, lb + the other's rack, rack-a + rack-b) fail: 4 of 196.
    assert!(
        html.contains("losing one server, host or rack survives all 20; losing two fails 4 of 196"),
        "{html}"
    );
    // Today's fleet, priced both ways: lb alone is 2 × 196.30 a month self-built
    // (see plan_forecasts_the_daily_peaks_through_the_topology) for 3 months.
    assert!(
        stdout.contains("Cost over 3 months (USD): self-built "),
        "{stdout}"
    );
    assert!(html.contains("<h2>Cost: self-built against cloud</h2>"));
    // ap's servers in the last month by what sets them: 1 for demand, none for the lead
    // time, 1 for N+1, 2 for its rolling deploy: 4 required, 11 in service.
    assert!(
        html.contains("<tr><td>ap</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">2</td><td class=\"num\">4</td><td class=\"num\">11</td></tr>"),
        "{html}"
    );
    assert!(html.contains("<td>lb</td><td class=\"num\">1,178</td><td>1u-2010 at 3000</td><td class=\"num\">1,015</td><td>c5a.4xlarge</td><td>cloud</td>"), "{html}");
    assert!(html.contains("@font-face{font-family:\"DejaVu Sans\""));
    // plotters writes each text on a line of its own.
    assert!(html.contains("\nrequests/s\n</text>"));
    assert!(html.contains("\nservers\n</text>"));
    assert!(html.contains("<td class=\"num\">2,747,282,740</td>"));
    assert!(!html.contains("<script"), "the report runs no script");
    assert!(out.join("traffic.svg").exists() && out.join("servers.svg").exists());
    assert!(out.join("dataset/summary.json").exists());
    // The same report from the dataset just written, without ingesting again.
    let again = tmp.path().join("again");
    let from_dataset = ok(headroom(&[
        "report",
        "--dataset",
        out.join("dataset").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--months",
        "3",
    ]));
    assert_eq!(
        from_dataset.lines().next(),
        stdout.lines().next(),
        "same findings"
    );
    assert!(!again.join("dataset").exists(), "nothing ingested");
}

#[test]
fn ltsv_copy_gives_the_same_figures_as_the_combined_log() {
    let tmp = tempfile::tempdir().unwrap();
    let combined = ingest(&tmp.path().join("combined"));
    let ltsv_dir = tmp.path().join("ltsv");
    ok(headroom(&[
        "ingest",
        "data/logs/derived_elastic_apache_logs.ltsv",
        "--out",
        ltsv_dir.to_str().unwrap(),
    ]));
    let ltsv: Value =
        serde_json::from_slice(&std::fs::read(ltsv_dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(ltsv["files"][0]["format"], "ltsv (auto)");
    for key in [
        "requests",
        "bytes",
        "status",
        "peak_rps",
        "goaccess_unique_visitors",
        "unique_hosts",
        "top_paths",
        "bots",
    ] {
        assert_eq!(ltsv[key], combined[key], "{key}");
    }
}

#[test]
fn reads_gzip_and_zstd_and_custom_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read(root().join(LOG)).unwrap();
    // Two gzip members and a zstd file, named without extensions: told by content.
    let half = text.len() / 2;
    let cut = half + text[half..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let gz = |part: &[u8]| {
        use std::io::Write;
        let mut e = flate2_encoder();
        e.write_all(part).unwrap();
        e.finish().unwrap()
    };
    let mut members = gz(&text[..cut]);
    members.extend(gz(&text[cut..]));
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a"), members).unwrap();
    let out = tmp.path().join("ds");
    let s = {
        ok(headroom(&[
            "ingest",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]));
        serde_json::from_slice::<Value>(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
    };
    assert_eq!(
        (s["requests"].as_i64(), s["bytes"].as_i64()),
        (Some(10_000), Some(2_747_282_740))
    );
    assert_eq!(s["files"][0]["compression"], "gzip");

    // The netnea log with its own LogFormat: %D gives durations in microseconds.
    let netnea = r#"%h %{GEOIP_COUNTRY_CODE}e %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %v %A %p %R %{BALANCER_WORKER_ROUTE}e %X "%{cookie}n" %{UNIQUE_ID}e %{SSL_PROTOCOL}x %{SSL_CIPHER}x %I %O %{ratio}n%% %D %{ModSecTimeIn}e %{ApplicationTime}e %{ModSecTimeOut}e %{ModSecAnomalyScoreIn}e %{ModSecAnomalyScoreOut}e"#;
    let out = tmp.path().join("netnea");
    ok(headroom(&[
        "ingest",
        "data/logs/netnea_labor07_apache_extended_isotime_10000.log",
        "--out",
        out.to_str().unwrap(),
        "--format",
        netnea,
    ]));
    let s: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["lines_parsed"], 10_000);
    // awk '{print $(NF-5)}' | sort -n | tail -1 → the longest %D, in microseconds.
    assert_eq!(s["durations"]["count"], 10_000);
    assert_eq!(
        s["durations"]["max_ms"].as_f64().unwrap(),
        NETNEA_MAX_D_US / 1e3
    );
}

/// The longest `%D` in the netnea log: `awk '{print $(NF-5)}' | sort -n | tail -1`.
const NETNEA_MAX_D_US: f64 = 72_941_899.0;

fn flate2_encoder() -> flate2::write::GzEncoder<Vec<u8>> {
    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast())
}

#[test]
fn report_escapes_everything_that_comes_from_a_log() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("evil.log");
    let line = r#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /<script>alert(1)</script> HTTP/1.1" 200 10 "-" "<img src=x onerror=alert(2)>""#;
    std::fs::write(&log, format!("{line}\n{line}\n")).unwrap();
    let out = tmp.path().join("report");
    ok(headroom(&[
        "report",
        "--logs",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--months",
        "1",
    ]));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("/&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the path is shown, escaped"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(!html.contains("<script"), "no live script");
    assert!(!html.contains("<img"), "no live element from the log");
}

#[test]
fn backtest_reproduces_m4_hourly_benchmarks() {
    let out = ok(headroom(&[
        "backtest",
        "data/forecast/m4-hourly/Hourly-train.csv",
        "--test",
        "data/forecast/m4-hourly/Hourly-test.csv",
        "--horizon",
        "48",
        "--season",
        "24",
        "--models",
        "naive,snaive,naive2",
    ]));
    assert!(
        out.starts_with(
            "414 series, horizon 48, seasons 24, 168, MASE season 24 (M4 train/test)\n"
        ),
        "{out}"
    );
    // Published M4 Hourly: Naive1 43.003 / 11.608, seasonal naive 13.912 / 1.193,
    // Naive2 18.383 / 2.395 (sMAPE / MASE).
    for (model, smape, mase) in [
        ("naive", "43.003", "11.608"),
        ("snaive", "13.912", "1.193"),
        ("naive2", "18.383", "2.395"),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{model} ")))
            .unwrap();
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!((fields[1], fields[2]), (smape, mase), "{line}");
    }
}

#[test]
fn backtest_holds_out_the_end_of_long_format_series() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("series.csv");
    // Series a: 1, 2, 3, 4, then 5, 6 held out. Naive forecasts 4, 4: sMAPE = 100 ×
    // (1/9 + 2/10) = 31.111; MASE with m = 1: mean error 1.5 over scale 1 = 1.5.
    std::fs::write(
        &csv,
        "id,timestamp,value\na,1,1\na,2,2\na,3,3\na,4,4\na,5,5\na,6,6\n",
    )
    .unwrap();
    let out = ok(headroom(&[
        "backtest",
        csv.to_str().unwrap(),
        "--horizon",
        "2",
        "--season",
        "1",
        "--models",
        "naive",
    ]));
    assert!(out.contains("\nnaive          31.111    1.500"), "{out}");
    std::fs::write(&csv, "id,timestamp,value\na,1,1\na,2,x\n").unwrap();
    let bad = headroom(&["backtest", csv.to_str().unwrap(), "--horizon", "1"]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("series.csv:3: 'x' is not a finite number"),
        "{stderr}"
    );
    // A clean six-step season on a rising line, 20 series of 720 steps: MSTL + ETS
    // forecasts the last 48 almost exactly, so auto is far ahead of Naive2.
    let mut text = String::from("id,timestamp,value\n");
    for s in 0..20 {
        for t in 0..720 {
            let season = [3.0, 1.0, -2.0, -4.0, 0.0, 2.0][t % 6] * (1.0 + s as f64);
            text.push_str(&format!("s{s},{t},{}\n", 100.0 + 0.05 * t as f64 + season));
        }
    }
    std::fs::write(&csv, text).unwrap();
    let out = ok(headroom(&[
        "backtest",
        csv.to_str().unwrap(),
        "--horizon",
        "48",
        "--season",
        "6",
        "--models",
        "auto,snaive",
    ]));
    let owa = |model: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{model} ")))
            .unwrap();
        line.split_whitespace().nth(3).unwrap().parse().unwrap()
    };
    // Seasonal naive lags the trend by a season (0.3 a step here); auto does far better.
    assert!(
        owa("auto") < 0.2 && owa("auto") < 0.6 * owa("snaive"),
        "{out}"
    );
    // Three rolling origins: every series long enough gives three holdouts.
    let rolling = ok(headroom(&[
        "backtest",
        csv.to_str().unwrap(),
        "--horizon",
        "48",
        "--season",
        "6",
        "--models",
        "snaive",
        "--origins",
        "3",
    ]));
    assert!(
        rolling.starts_with(
            "60 series, horizon 48, seasons 6, MASE season 6 (up to 3 rolling origins a series)"
        ),
        "{rolling}"
    );
    let unknown = headroom(&["backtest", csv.to_str().unwrap(), "--models", "prophet"]);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains(
            "unknown model 'prophet' (known: naive, snaive, naive2, theta, autotheta, dotm, damped, ses, ets, linear, exponential, mstl-ets, mstl-ets-log, arima, auto)"
        )
    );
}

#[test]
fn forecast_reads_a_dataset_and_repeats_yesterday_with_snaive() {
    let tmp = tempfile::tempdir().unwrap();
    ingest(tmp.path());
    let out = ok(headroom(&[
        "forecast",
        tmp.path().to_str().unwrap(),
        "--model",
        "snaive",
        "--horizon",
        "24h",
        "--csv",
    ]));
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "time,point,lower_80,upper_80,lower_95,upper_95");
    assert_eq!(rows.len(), 25);
    // The log ends at 2015-05-20 21:xx UTC; the first forecast hour is 22:00, and
    // seasonal naive repeats the same hour a day before: the log's lines stamped
    // 19/May/2015:22 (+0000).
    let text = std::fs::read_to_string(root().join(LOG)).unwrap();
    let expected = text.matches("19/May/2015:22:").count();
    let first: Vec<&str> = rows[1].split(',').collect();
    assert_eq!(first[0], "2015-05-20T22:00:00Z");
    assert_eq!(first[1].parse::<f64>().unwrap(), expected as f64);
    // Four days in one month make one monthly point: too few, said plainly.
    let monthly = headroom(&[
        "forecast",
        tmp.path().to_str().unwrap(),
        "--metric",
        "monthly",
    ]);
    assert!(!monthly.status.success());
    assert!(
        String::from_utf8_lossy(&monthly.stderr)
            .contains("holds 1 point(s); a forecast needs at least 2"),
        "{}",
        String::from_utf8_lossy(&monthly.stderr)
    );
    for row in &rows[1..] {
        let v: Vec<f64> = row.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
        assert!(
            v[3] <= v[1] && v[1] <= v[0] && v[0] <= v[2] && v[2] <= v[4],
            "{row}"
        );
    }
}

#[test]
fn forecast_a_csv_line_and_when_it_crosses() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("daily.csv");
    // 1 on 2024-01-01 rising by 1 a day to 60 on 2024-02-29, with 2024-01-10 missing.
    let mut text = String::from("date,peak\n");
    for d in 0..60 {
        if d != 9 {
            let day = if d < 31 {
                format!("2024-01-{:02}", d + 1)
            } else {
                format!("2024-02-{:02}", d - 30)
            };
            text.push_str(&format!("{day},{}\n", d + 1));
        }
    }
    std::fs::write(&csv, text).unwrap();
    let out = ok(headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--model",
        "mstl-ets",
        "--season",
        "1",
        "--horizon",
        "20d",
        "--cross",
        "70",
    ]));
    assert!(
        out.contains("60 points to 2024-02-29T00:00:00Z, step 1 day; 1 empty steps filled"),
        "{out}"
    );
    assert!(out.contains("\nseasons: none asked\n"), "{out}");
    // Holt's trend on a straight line: 61 on 2024-03-01, so 70 on 2024-03-10.
    assert!(
        out.contains("reaches 70: 2024-03-10T00:00:00Z (point forecast)"),
        "{out}"
    );
    let json: Value = serde_json::from_str(&ok(headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--model",
        "mstl-ets",
        "--season",
        "1",
        "--horizon",
        "3",
        "--json",
    ])))
    .unwrap();
    assert_eq!(json["forecast"].as_array().unwrap().len(), 3);
    assert!(
        (json["forecast"][0]["point"].as_f64().unwrap() - 61.0).abs() < 0.01,
        "{json}"
    );
    std::fs::write(&csv, "date,peak\n2024-01-01,1\n2024-01-02,x\n").unwrap();
    let bad = headroom(&["forecast", csv.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("daily.csv:3: 'x' is not a finite number")
    );
}

#[test]
fn forecast_monthly_logistic_growth_to_a_capacity() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("monthly.csv");
    // 36 months from 2023-01 of 1000 / (1 + e^(−(i − 30)/6)).
    let mut text = String::from("month,peak\n");
    for i in 0..36 {
        let v = 1000.0 / (1.0 + (-(f64::from(i) - 30.0) / 6.0).exp());
        text.push_str(&format!("{}-{:02}-01,{v}\n", 2023 + i / 12, i % 12 + 1));
    }
    std::fs::write(&csv, text).unwrap();
    let out = ok(headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--model",
        "logistic",
        "--capacity",
        "1000",
        "--horizon",
        "1y",
        "--cross",
        "900",
    ]));
    assert!(
        out.contains(
            "36 points to 2025-12-01T00:00:00Z, step 1 month\nseasons: season 12 used: the history holds 3.0 cycles\n"
        ),
        "{out}"
    );
    // Month 36 (2026-01): 1000 / (1 + e^−1) = 731.059. 900 needs i − 30 ≥ 6 ln 9 =
    // 13.18, first at i = 44: 2026-09.
    assert!(out.contains("\n2026-01-01T00:00:00Z      731.059"), "{out}");
    assert!(
        out.contains("reaches 900: 2026-09-01T00:00:00Z (point forecast)"),
        "{out}"
    );
    let over = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--model",
        "logistic",
        "--capacity",
        "500",
    ]);
    assert!(
        String::from_utf8_lossy(&over.stderr)
            .contains("logistic growth needs every value between 0 and the capacity 500")
    );
}

#[test]
fn forecast_reports_spikes_and_level_shifts() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("hourly.csv");
    // Three weeks of hourly traffic from 2023-11-14T22:00Z: a daily cycle with a little
    // noise, +500 from hour 300 (2023-11-27T10:00Z), and a +5,000 burst at hour 420
    // (2023-12-02T10:00Z).
    let mut text = String::from("time,requests\n");
    for t in 0..24 * 21 {
        let mut v = 1000.0
            + 300.0 * (f64::from(t % 24) / 24.0 * std::f64::consts::TAU).sin()
            + f64::from((t * 7919) % 13) * 5.0;
        if t >= 300 {
            v += 500.0;
        }
        if t == 420 {
            v += 5000.0;
        }
        text.push_str(&format!("{},{v}\n", 1_699_999_200 + i64::from(t) * 3600));
    }
    std::fs::write(&csv, text).unwrap();
    let out = ok(headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "24",
    ]));
    assert!(
        out.contains("\nspikes: 1 (2023-12-02T10:00:00Z), kept"),
        "{out}"
    );
    assert!(
        out.contains("\nlevel shifts: 2023-11-27T10:00:00Z\n"),
        "{out}"
    );
    let json: Value = serde_json::from_str(&ok(headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "24",
        "--damp-spikes",
        "--json",
    ])))
    .unwrap();
    assert_eq!(json["spikes_damped"], true);
    assert_eq!(json["spikes"][0], "2023-12-02T10:00:00Z");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read as _;
    let tmp = tempfile::tempdir().unwrap();
    ingest(tmp.path());
    // 3,000 rows of CSV (~200 kB) overflow the pipe buffer, so headroom is still
    // writing when the reader goes, as with `headroom forecast … | head`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args([
            "forecast",
            tmp.path().to_str().unwrap(),
            "--model",
            "snaive",
            "--horizon",
            "3000",
            "--csv",
        ])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_eq!(&first[..10], b"time,point");
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn usl_fit_reproduces_r_usl_and_names_bad_lines() {
    // R usl on specsdm91: α = 2.773e-02, β = 1.044e-04, γ = 9.000e+01, residual standard
    // error 82.85 on 4 degrees of freedom, peak at load 96.51956.
    let out = ok(headroom(&[
        "usl",
        "fit",
        "data/capacity/r-usl_specsdm91.csv",
    ]));
    assert!(
        out.contains("  alpha  contention          2.772848e-2"),
        "{out}"
    );
    assert!(
        out.contains("residual standard error 82.8458 on 4 degrees of freedom"),
        "{out}"
    );
    assert!(out.contains("at concurrency 96.52"), "{out}");
    assert!(
        out.contains("usl = { alpha = 2.772848e-2, beta = 1.043655e-4, gamma = 8.999523e1 }"),
        "{out}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("load.csv");
    std::fs::write(&bad, "users,tps\n1,10\n2,-3\n").unwrap();
    let out = headroom(&["usl", "fit", bad.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("load.csv:3: throughput '-3' is not a positive number")
    );
}

#[test]
fn plan_from_explicit_growth_says_when_to_order() {
    use headroom::traffic::time::{civil_from_days, days_from_civil, format_date};
    let out = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "1500",
        "--growth",
        "8%",
        "--months",
        "24",
        "--lead-time",
        "8w",
    ]));
    // ap: each server carries 150 × 0.95224 = 142.8 rps; it gets 0.4 × 1,500 × 1.08^m.
    // With one spare and a rolling deploy of 2, 11 servers leave 8 for demand: 1,142.7
    // rps, first passed at m = 9 (1.08^9 = 1.999 > 1.905); demand alone passes all 11
    // (1,571 rps) at m = 13 (1.08^13 = 2.72 > 2.619). ap's servers are VMs: 4 hours to
    // start one, so they are ordered the day before month 9 begins.
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 86_400;
    let (y, m, _) = civil_from_days(today);
    let month = |k: i64| {
        let index = y * 12 + i64::from(m) - 1 + k;
        (index / 12, (index % 12 + 1) as u32)
    };
    let ((year, mon), (year13, mon13)) = (month(9), month(13));
    let order_by = format_date((days_from_civil(year, mon, 1) - 1) * 86_400);
    let line = format!(
        "  ap: needs 12 in {year:04}-{mon:02} (demand, N+1, deploys), more than its 11: order by {order_by}; demand alone passes its ceiling in {year13:04}-{mon13:02}\n"
    );
    assert!(out.contains(&line), "{line}\n{out}");
    assert!(
        out.contains("  lb: its 2 servers carry the demand through"),
        "{out}"
    );
    let bad = headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "10",
        "--growth",
        "lots",
    ]);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--growth 'lots': give percent per month")
    );
}

/// The report's findings and the plan's text as a planner reads them, snapshotted: a
/// change in any number or word shows as a diff to review. Temporary paths and dates
/// that depend on today are blanked.
#[test]
fn the_library_report_is_the_command_s_byte_for_byte() {
    // `headroom report` ingests the bundled log and writes the page; the library, given
    // the dataset it wrote, must write the same files with the same bytes.
    let tmp = tempfile::tempdir().unwrap();
    let cli = tmp.path().join("cli");
    let findings = ok(headroom(&[
        "report",
        "--out",
        cli.to_str().unwrap(),
        "--months",
        "3",
    ]));
    let lib = tmp.path().join("lib");
    let topology = headroom::topology::load(Path::new(HATENA)).unwrap();
    let mut options =
        headroom::pipeline::Options::new(headroom::pipeline::Prices::shipped().unwrap());
    options.quantile = headroom::pipeline::QuantileChoice::Fixed(headroom::plan::Quantile::Upper80);
    let source = headroom::report::Source::dataset(&cli.join("dataset")).unwrap();
    let built = headroom::report::build(source, &topology, 3, &options).unwrap();
    let index = built.write(&lib).unwrap();
    assert_eq!(index, lib.join("index.html"));
    assert_eq!(
        findings,
        format!(
            "{}\nreport: {}\n",
            built.findings.join("\n"),
            cli.join("index.html").display()
        )
    );
    let mut names: Vec<String> = std::fs::read_dir(&cli)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "dataset")
        .collect();
    names.sort();
    // index.html and each of the report's 10 charts (no replay: the log spans days) as
    // SVG and PNG.
    assert_eq!(names.len(), 21, "{names:?}");
    for name in &names {
        let (a, b) = (
            std::fs::read(cli.join(name)).unwrap(),
            std::fs::read(lib.join(name)).unwrap(),
        );
        assert!(a == b, "{name} differs between the command and the library");
    }
}

#[test]
fn chart_draws_each_of_the_report_s_charts_on_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report");
    ok(headroom(&[
        "report",
        "--out",
        report.to_str().unwrap(),
        "--months",
        "3",
    ]));
    let dataset = report.join("dataset");
    let chart = |kind: &str, out: &Path, traffic: &Path, topology: &str| {
        headroom(&[
            "chart",
            kind,
            "--traffic",
            traffic.to_str().unwrap(),
            "--topology",
            topology,
            "--months",
            "3",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    // Each chart is the report's, byte for byte (the report names the status mix `mix`).
    for kind in [
        "traffic",
        "bandwidth",
        "busiest-day",
        "hour-of-week",
        "mix",
        "forecast",
        "servers",
        "utilisation",
        "cost",
        "topology",
    ] {
        let out = tmp.path().join(format!("{kind}.svg"));
        ok(chart(kind, &out, &dataset, HATENA));
        let (ours, theirs) = (
            std::fs::read(&out).unwrap(),
            std::fs::read(report.join(format!("{kind}.svg"))).unwrap(),
        );
        assert!(ours == theirs, "{kind}.svg differs from the report's");
    }
    let png = tmp.path().join("servers.png");
    ok(chart("servers", &png, &dataset, HATENA));
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    // The bundled log spans days: too little to replay.
    let short = chart("replay", &tmp.path().join("r.svg"), &dataset, HATENA);
    assert!(!short.status.success());
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("too little traffic for a replay chart")
    );
    // A series long enough replays; it has no statuses, bytes or minutes.
    let series = tmp.path().join("hourly.csv");
    growing_hourly_csv(&series, 200);
    let one = tmp.path().join("one.toml");
    std::fs::write(&one, ONE_TIER).unwrap();
    let replay = tmp.path().join("replay.svg");
    ok(chart("replay", &replay, &series, one.to_str().unwrap()));
    assert!(std::fs::read_to_string(&replay).unwrap().contains("<svg"));
    let bad = chart(
        "mix",
        &tmp.path().join("m.svg"),
        &series,
        one.to_str().unwrap(),
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("a mix chart needs a dataset's minutes"));
    // From what `plan --json` wrote: the same plan, so the same servers and cost charts.
    let json = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--traffic",
        dataset.to_str().unwrap(),
        "--months",
        "3",
        "--json",
    ]));
    let plan = tmp.path().join("plan.json");
    std::fs::write(&plan, json).unwrap();
    for kind in ["servers", "utilisation", "cost", "topology", "forecast"] {
        let out = tmp.path().join(format!("from-plan-{kind}.svg"));
        let drawn = headroom(&[
            "chart",
            kind,
            "--plan",
            plan.to_str().unwrap(),
            "--topology",
            HATENA,
            "--out",
            out.to_str().unwrap(),
        ]);
        if kind == "forecast" {
            let stderr = String::from_utf8_lossy(&drawn.stderr);
            assert!(
                stderr.contains("needs the traffic's daily peaks"),
                "{stderr}"
            );
            continue;
        }
        ok(drawn);
        if kind != "topology" {
            let theirs = std::fs::read(report.join(format!("{kind}.svg"))).unwrap();
            assert!(
                std::fs::read(&out).unwrap() == theirs,
                "{kind} from the plan file"
            );
        }
    }
    let bad = chart("cost", &tmp.path().join("c.jpg"), &dataset, HATENA);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("c.jpg: name an .svg or a .png file"));
}

#[test]
fn report_and_plan_text_snapshots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let findings = ok(headroom(&[
        "report",
        "--out",
        out.to_str().unwrap(),
        "--months",
        "3",
    ]));
    let plan = ok(headroom(&[
        "plan",
        "--topology",
        HATENA,
        "--peak-rps",
        "1500",
        "--growth",
        "8%",
        "--months",
        "6",
    ]));
    let path = regex_escape(tmp.path().to_str().unwrap());
    insta::with_settings!({filters => vec![
        (path.as_str(), "[tmp]"),
        // plan --peak-rps starts from today: its months and order-by dates move.
        (r"\b20[2-9]\d-\d\d-\d\d\b", "[date]"),
        (r"\b20[2-9]\d-\d\d\b", "[month]"),
    ]}, {
        insta::assert_snapshot!("report_findings", findings);
        insta::assert_snapshot!("plan_text", plan);
    });
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// The summary without its per-input list, which names the inputs.
fn traffic(mut summary: Value) -> Value {
    let map = summary.as_object_mut().unwrap();
    let files = map.remove("files").unwrap();
    assert!(files.is_array());
    // The hash of the manifest the summary describes: of its inputs, not its traffic.
    assert!(map.remove("manifest_xxh3").unwrap().is_string());
    summary
}

#[test]
fn partials_from_files_and_stdin_merge_into_the_one_ingest_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let single = ingest(&tmp.path().join("single"));
    // The log in three pieces: two files into a partials folder, the third on stdin.
    let text = std::fs::read_to_string(root().join(LOG)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let pieces: Vec<String> = lines.chunks(3_500).map(|c| c.join("\n") + "\n").collect();
    assert_eq!(pieces.len(), 3);
    let mut files = Vec::new();
    for (i, piece) in pieces.iter().enumerate().take(2) {
        let path = tmp.path().join(format!("piece{i}.log"));
        std::fs::write(&path, piece).unwrap();
        files.push(path.to_str().unwrap().to_owned());
    }
    let parts = tmp.path().join("parts");
    let parts = parts.to_str().unwrap();
    let written = ok(headroom(&[
        "ingest",
        &files[0],
        &files[1],
        "--partials",
        parts,
        "--quiet",
    ]));
    assert!(
        written.lines().all(|l| l.contains("date=2015-05-")),
        "{written}"
    );
    let mut piped = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(["ingest", "--stdin-partials", "--partials", parts])
        .args(["--source", "piece2.log", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut piped.stdin.take().unwrap(), pieces[2].as_bytes()).unwrap();
    let report: Value = serde_json::from_str(&ok(piped.wait_with_output().unwrap())).unwrap();
    assert_eq!(report["input"], "piece2.log");
    assert_eq!(report["lines_read"], 3_000);

    let merged = tmp.path().join("merged");
    let merged = merged.to_str().unwrap();
    let out = ok(headroom(&["merge", parts, "--out", merged]));
    assert!(out.contains("requests"), "{out}");
    let summary: Value =
        serde_json::from_str(&ok(headroom(&["summary", merged, "--json"]))).unwrap();
    assert_eq!(traffic(summary.clone()), traffic(single));
    let names: Vec<&str> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["input"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"piece2.log"), "{names:?}");
    // Merging the same partials again is a no-op that says so.
    let again = headroom(&["merge", parts, "--out", merged]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in the dataset"));
    let after: Value = serde_json::from_str(&ok(headroom(&["summary", merged, "--json"]))).unwrap();
    assert_eq!(after["requests"], 10_000);

    // To stdout, one Parquet file (magic bytes at both ends) that merges alike.
    let mut to_stdout = Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(["ingest", "--stdin-partials", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut to_stdout.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let bytes = to_stdout.wait_with_output().unwrap();
    assert!(bytes.status.success());
    assert!(bytes.stdout.starts_with(b"PAR1") && bytes.stdout.ends_with(b"PAR1"));
    let file = tmp.path().join("all.parquet");
    std::fs::write(&file, &bytes.stdout).unwrap();
    let whole = tmp.path().join("whole");
    ok(headroom(&[
        "merge",
        file.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]));
    let whole: Value =
        serde_json::from_slice(&std::fs::read(whole.join("summary.json")).unwrap()).unwrap();
    assert_eq!(whole["requests"], 10_000);
    assert_eq!(whole["unique_visitors"], summary["unique_visitors"]);
}

/// An hourly series of requests per hour (`count`) from 2024-01-01 for `days`: 144,000
/// an hour (40 requests/s) growing 15% a month, a daily swing of ±30%.
fn growing_hourly_csv(path: &Path, days: usize) {
    let mut text = String::from("timestamp,value\n");
    for h in 0..days * 24 {
        let month = h as f64 / 24.0 / 30.44;
        let swing = (std::f64::consts::TAU * (h % 24) as f64 / 24.0).sin();
        let rps = 40.0 * 1.15f64.powf(month) * (1.0 + 0.3 * swing);
        text.push_str(&format!(
            "{},{:.0}\n",
            1_704_067_200 + h * 3600,
            rps * 3600.0
        ));
    }
    std::fs::write(path, text).unwrap();
}

const ONE_TIER: &str = "name = \"one\"\nentry = \"web\"\n[[tier]]\nname = \"web\"\nrole = \"application\"\nservers = 2\ncapacity_rps = 100\nceiling = 0.5\n";

#[test]
fn replay_holds_plans_against_the_history() {
    let tmp = tempfile::tempdir().unwrap();
    let (csv, topo) = (tmp.path().join("hourly.csv"), tmp.path().join("one.toml"));
    growing_hourly_csv(&csv, 400);
    std::fs::write(&topo, ONE_TIER).unwrap();
    let (csv_s, topo_s) = (csv.to_str().unwrap(), topo.to_str().unwrap());
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut a = vec![
            "replay",
            csv_s,
            "--value",
            "count",
            "--topology",
            topo_s,
            "--months",
            "6",
            "--model",
            "theta",
            "--shortfall-cost",
            "100",
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect()
    };
    let run = |a: Vec<String>| headroom(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = ok(run(args(&[])));
    // 2024-01-01 + 90 days: the first origin is April; whole months to January 2025.
    assert!(
        out.starts_with(&format!(
            "replay of {}: 10 months, 2024-04 to 2025-01,",
            csv.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("\ncheapest quantile per tier (plan --quantile auto): web "),
        "{out}"
    );
    let json: Value = serde_json::from_str(&ok(run(args(&["--json"])))).unwrap();
    let outcomes = json["outcomes"].as_array().unwrap();
    let by = |name: &str| outcomes.iter().find(|o| o["name"] == name).unwrap();
    let cost = |o: &Value| {
        let t = &o["tiers"][0];
        t["hardware_cost"].as_f64().unwrap() + t["shortfall_cost"].as_f64().unwrap()
    };
    let short = |o: &Value| o["tiers"][0]["steps_over_ceiling"].as_u64().unwrap();
    // Today's two servers carry 50 requests/s with one lost; growth passes that in
    // weeks. The oracle is never short and, with an hour short priced at 100 a minute
    // (6,000), never dearer than any strategy.
    assert!(short(by("keep today's")) > 100, "{}", by("keep today's"));
    assert_eq!(short(by("oracle")), 0);
    for o in outcomes {
        assert!(cost(by("oracle")) <= cost(o) + 1e-6, "{}", o["name"]);
    }
    // A higher quantile never has more short hours.
    assert!(short(by("plan 95%")) <= short(by("plan 80%")));
    assert!(short(by("plan 80%")) <= short(by("plan point")));
    // The oracle's capacity carries every month's realised peak; today's does not.
    let peaks = json["realised_peak_rps"].as_array().unwrap();
    let carries = |o: &Value| {
        o["capacity_rps"]
            .as_array()
            .unwrap()
            .iter()
            .zip(peaks)
            .all(|(c, p)| c[0].as_f64().unwrap() >= p.as_f64().unwrap())
    };
    assert!(carries(by("oracle")) && !carries(by("keep today's")));
    // Replanning every quarter: said, and in the JSON.
    let png = tmp.path().join("replay.png");
    let mut chart_args = args(&["--every", "3M", "--chart"]);
    chart_args.push(png.to_str().unwrap().to_owned());
    let quarterly = ok(run(chart_args));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    assert!(
        quarterly.contains("a plan at every 3 months' start after 90 days"),
        "{quarterly}"
    );
    let json: Value = serde_json::from_str(&ok(run(args(&["--every", "3M", "--json"])))).unwrap();
    assert_eq!(json["every_months"], 3);
    // Too short a history says how much it had and needed.
    growing_hourly_csv(&csv, 60);
    let bad = run(args(&[]));
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("60 days of history; a replay needs 90 days before its first origin"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn plan_quantile_auto_says_when_the_history_is_too_short() {
    let tmp = tempfile::tempdir().unwrap();
    ingest(tmp.path());
    let out = ok(headroom(&[
        "plan",
        "--topology",
        "data/topologies/hatena-bookmark.toml",
        "--traffic",
        tmp.path().to_str().unwrap(),
        "--months",
        "3",
        "--quantile",
        "auto",
    ]));
    assert!(
        out.contains("--quantile auto: 4 days of history are too few to replay (90 days and a whole month after them), so the 80% bound"),
        "{out}"
    );
}

/// Unix minute of a Combined log line's `[17/May/2015:10:05:03 +0000]` (the bundled
/// log is all +0000).
fn log_minute(line: &str) -> i64 {
    let t = &line[line.find('[').unwrap() + 1..];
    let (day, rest) = t.split_once('/').unwrap();
    let (mon, rest) = rest.split_once('/').unwrap();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == mon)
    .unwrap() as i64;
    let year: i64 = rest[..4].parse().unwrap();
    let (h, m): (i64, i64) = (rest[5..7].parse().unwrap(), rest[8..10].parse().unwrap());
    // Days from 1970 by the civil-from-days inverse (March-based years).
    let (y, mo) = if month < 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let days =
        365 * y + y / 4 - y / 100 + y / 400 + (153 * mo + 2) / 5 + day.parse::<i64>().unwrap()
            - 1
            - 719_468;
    (days * 1440 + h * 60 + m) * 60
}

#[test]
fn a_prometheus_export_of_a_datasets_minutes_plans_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    ingest(tmp.path());
    // requests/s per minute from the log itself (awk-style), idle minutes as 0, as a
    // query_range answer of `sum(rate(http_requests_total[1m]))` would give them.
    let text = std::fs::read_to_string(root().join(LOG)).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for line in text.lines() {
        *counts.entry(log_minute(line)).or_insert(0u32) += 1;
    }
    let (first, last) = (
        *counts.keys().next().unwrap(),
        *counts.keys().next_back().unwrap(),
    );
    let values: Vec<String> = (first..=last)
        .step_by(60)
        .map(|t| {
            format!(
                "[{t},\"{}\"]",
                f64::from(counts.get(&t).copied().unwrap_or(0)) / 60.0
            )
        })
        .collect();
    let json = tmp.path().join("export.json");
    std::fs::write(
        &json,
        format!(
            "{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{{\"metric\":{{}},\"values\":[{}]}}]}}}}",
            values.join(",")
        ),
    )
    .unwrap();
    let plan = |traffic: &Path| -> Value {
        serde_json::from_str(&ok(headroom(&[
            "plan",
            "--topology",
            "data/topologies/hatena-bookmark.toml",
            "--traffic",
            traffic.to_str().unwrap(),
            "--months",
            "3",
            "--json",
        ])))
        .unwrap()
    };
    let (from_dataset, from_export) = (plan(tmp.path()), plan(&json));
    let servers = |p: &Value| -> Vec<(String, u64, String)> {
        p["plan"]["months"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["tiers"].as_array().unwrap().clone())
            .map(|t| {
                (
                    t["tier"].as_str().unwrap().to_owned(),
                    t["total"].as_u64().unwrap(),
                    format!("{:.9}", t["demand_rps"].as_f64().unwrap()),
                )
            })
            .collect()
    };
    assert_eq!(servers(&from_dataset), servers(&from_export));
    assert_eq!(
        from_dataset["plan"]["peak_to_mean"],
        from_export["plan"]["peak_to_mean"]
    );
}

#[test]
fn report_replays_a_long_enough_history() {
    let tmp = tempfile::tempdir().unwrap();
    // January to June 2024 as a Combined log: at 03:00 and 15:00 each day a burst of
    // 1 + day/30 requests in one minute (0.017 requests/s at first, 0.1 in June), and
    // a topology whose servers carry 0.02 requests/s at their ceiling.
    let mut log = String::new();
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"];
    let lengths = [31, 29, 31, 30, 31, 30];
    let mut day = 0;
    for (month, length) in months.iter().zip(lengths) {
        for d in 1..=length {
            let per_minute = 1 + day / 30;
            for h in [3, 15] {
                for i in 0..per_minute {
                    log.push_str(&format!(
                        "10.0.0.{} - - [{d:02}/{month}/2024:{h:02}:00:{i:02} +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"ua\"\n",
                        i % 200
                    ));
                }
            }
            day += 1;
        }
    }
    let log_path = tmp.path().join("access.log");
    std::fs::write(&log_path, log).unwrap();
    let topo = tmp.path().join("one.toml");
    std::fs::write(
        &topo,
        ONE_TIER.replace("capacity_rps = 100", "capacity_rps = 0.04"),
    )
    .unwrap();
    let out = tmp.path().join("report");
    let stdout = ok(headroom(&[
        "report",
        "--logs",
        log_path.to_str().unwrap(),
        "--topology",
        topo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--months",
        "2",
        "--model",
        "theta",
        "--shortfall-cost",
        "10",
    ]));
    // 2024-01-01 + 90 days: origins from April; April to June are whole months.
    assert!(
        stdout.contains("Would it have held: replayed over 3 months, headroom's plan holding the upper bound of the 80% interval ran tiers past their ceilings for"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<h2>Would it have held?</h2>"));
    // The replay's chart: realised peaks against the planned capacity, one line a tier.
    let chart = std::fs::read_to_string(out.join("replay.svg")).unwrap();
    assert!(chart.contains("realised peak as % of the capacity the plan (80)"));
    assert!(html.contains("realised peak as % of the capacity the plan (80)"));
    assert!(out.join("replay.png").exists());
    for strategy in [
        "plan point",
        "plan 80%",
        "plan 95%",
        "oracle",
        "keep today&#39;s",
        "last year&#39;s growth",
    ] {
        assert!(html.contains(&format!("<td>{strategy}</td>")), "{strategy}");
    }
}

#[test]
fn holidays_and_launch_days_move_the_forecast_and_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    // 200 days of daily peaks from 2024-01-01 with a weekly swing, 30 requests/s on a
    // usual day; a launch on Monday 2024-09-02 stated at three times a usual day.
    let (csv, launch, topo) = (
        tmp.path().join("daily.csv"),
        tmp.path().join("launch.csv"),
        tmp.path().join("one.toml"),
    );
    let mut text = String::from("date,value\n");
    for d in 0..200i64 {
        let day = 1_704_067_200 + d * 86_400;
        text.push_str(&format!(
            "{day},{}\n",
            30 + [2, 1, 0, -1, -2, 0, 0][d as usize % 7]
        ));
    }
    std::fs::write(&csv, text).unwrap();
    std::fs::write(&launch, "date,name,factor\n2024-09-02,launch,3\n").unwrap();
    std::fs::write(&topo, ONE_TIER).unwrap();
    let (csv_s, launch_s) = (csv.to_str().unwrap(), launch.to_str().unwrap());
    let forecast = |extra: &[&str]| -> Value {
        let mut a = vec![
            "forecast",
            csv_s,
            "--model",
            "snaive",
            "--horizon",
            "70d",
            "--json",
        ];
        a.extend_from_slice(extra);
        serde_json::from_str(&ok(headroom(&a))).unwrap()
    };
    let point = |json: &Value, date: &str| -> f64 {
        json["forecast"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["time"].as_str().unwrap().starts_with(date))
            .unwrap_or_else(|| panic!("{date} in {json}"))["point"]
            .as_f64()
            .unwrap()
    };
    let with = forecast(&["--holidays", launch_s]);
    let without = forecast(&[]);
    assert!((point(&with, "2024-09-02") - 3.0 * point(&without, "2024-09-02")).abs() < 1e-6);
    assert_eq!(point(&with, "2024-08-26"), point(&without, "2024-08-26"));
    // The plan sizes September for the launch: three times August's peak.
    let plan = |extra: &[&str]| -> Value {
        let mut a = vec![
            "plan",
            "--traffic",
            csv_s,
            "--topology",
            topo.to_str().unwrap(),
            "--months",
            "3",
            "--model",
            "snaive",
            "--quantile",
            "point",
            "--json",
        ];
        a.extend_from_slice(extra);
        serde_json::from_str(&ok(headroom(&a))).unwrap()
    };
    let json = plan(&["--holidays", launch_s]);
    assert_eq!(json["months"][1], "2024-09");
    let peak = |j: &Value, m: usize| j["plan"]["months"][m]["peak_rps"].as_f64().unwrap();
    assert!(
        (peak(&json, 1) - 3.0 * peak(&json, 0)).abs() < 1e-6,
        "{}",
        json["plan"]
    );
    let servers = |j: &Value| {
        j["plan"]["months"][1]["tiers"][0]["total"]
            .as_u64()
            .unwrap()
    };
    assert!(servers(&json) > servers(&plan(&[])));
    // A shipped country set by its code; a bad file names its line.
    ok(headroom(&[
        "forecast",
        csv_s,
        "--holidays",
        "jp",
        "--horizon",
        "7d",
    ]));
    std::fs::write(&launch, "date,name\n2024-09-31,launch\n").unwrap();
    let bad = headroom(&["forecast", csv_s, "--holidays", launch_s]);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("launch.csv:2: '2024-09-31' is not a date"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn report_from_a_metric_series() {
    let tmp = tempfile::tempdir().unwrap();
    let (csv, topo) = (tmp.path().join("hourly.csv"), tmp.path().join("one.toml"));
    growing_hourly_csv(&csv, 400);
    std::fs::write(&topo, ONE_TIER).unwrap();
    let out = tmp.path().join("report");
    let stdout = ok(headroom(&[
        "report",
        "--series",
        csv.to_str().unwrap(),
        "--value",
        "count",
        "--topology",
        topo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--months",
        "3",
        "--model",
        "theta",
    ]));
    // 400 days from 2024-01-01, 40 requests/s growing 15% a month with a ±30% daily
    // swing: the peak is in the last days.
    assert!(stdout.contains("Peak: "), "{stdout}");
    assert!(
        stdout.contains("in the busiest 3600 s step (2025-02-"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Would it have held: replayed over 10 months"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("<td>steps</td><td class=\"num\">9,600</td>"),
        "series table"
    );
    for figure in ["traffic.svg", "servers.svg", "forecast.svg", "replay.svg"] {
        assert!(out.join(figure).exists(), "{figure}");
    }
    // The log-only figures are not drawn from a series.
    assert!(!out.join("mix.svg").exists() && !out.join("bandwidth.svg").exists());
    // A series and logs at once is refused.
    let both = headroom(&[
        "report",
        "--series",
        csv.to_str().unwrap(),
        "--logs",
        "x.log",
    ]);
    assert!(!both.status.success());
}

#[test]
fn plan_quantile_auto_gives_each_tier_its_cheapest_quantile() {
    // A purchased tier (eight weeks to arrive) and a cloud tier behind it (minutes):
    // the quantile changes nothing for the cloud tier, so every quantile costs it the
    // same and its cheapest is the first, the point; the purchased tier, short in a
    // fast-growing history with shortfall priced high, holds a wider bound.
    let tmp = tempfile::tempdir().unwrap();
    let (csv, topo) = (tmp.path().join("hourly.csv"), tmp.path().join("two.toml"));
    growing_hourly_csv(&csv, 400);
    std::fs::write(
        &topo,
        format!(
            "{ONE_TIER}[[tier]]\nname = \"api\"\nrole = \"application\"\nservers = 2\ncapacity_rps = 100\nceiling = 0.5\nsupply = \"cloud\"\n[[edge]]\nfrom = \"web\"\nto = \"api\"\nratio = 1\n"
        ),
    )
    .unwrap();
    let (csv_s, topo_s) = (csv.to_str().unwrap(), topo.to_str().unwrap());
    let common = [
        "--value",
        "count",
        "--topology",
        topo_s,
        "--months",
        "6",
        "--model",
        "theta",
        "--shortfall-cost",
        "100",
    ];
    let mut replay_args = vec!["replay", csv_s, "--json"];
    replay_args.extend_from_slice(&common);
    let r: Value = serde_json::from_str(&ok(headroom(&replay_args))).unwrap();
    let best = r["best_quantile"].as_array().unwrap();
    assert_eq!(best[1], "point", "{best:?}");
    assert_ne!(best[0], "point", "{best:?}");
    let mut plan_args = vec!["plan", "--traffic", csv_s, "--quantile", "auto", "--json"];
    plan_args.extend_from_slice(&common);
    let plan: Value = serde_json::from_str(&ok(headroom(&plan_args))).unwrap();
    let d = &plan["demand"];
    let by_tier = d["upper_by_tier"].as_array().unwrap();
    assert_eq!(by_tier.len(), 2, "{d}");
    // The cloud tier's bound is the point forecast; web's is above it.
    let points = d["peak_rps"].as_array().unwrap();
    for (m, p) in points.iter().enumerate() {
        assert_eq!(by_tier[1][m], *p);
        assert!(by_tier[0][m].as_f64().unwrap() > p.as_f64().unwrap());
    }
}

#[test]
fn hostile_inputs_get_bounded_clear_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("s.csv");
    let err = |args: &[&str]| {
        let out = headroom(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // Values near f64's limit: an error, not a table of NaN.
    std::fs::write(&csv, "t,v\n0,1e308\n1,1e308\n2,1e308\n3,1e308\n").unwrap();
    let s = csv.to_str().unwrap();
    assert!(
        err(&["forecast", s, "--horizon", "2"]).contains("the forecast is not a finite number")
    );
    std::fs::write(&csv, "t,v\n0,1\n1,2\n2,3\n3,4\n").unwrap();
    assert!(
        err(&["forecast", s, "--cross", "nan"]).contains("--cross takes a finite value, not NaN")
    );
    // A horizon of a billion steps is refused before anything is allocated.
    assert!(err(&["forecast", s, "--horizon", "1000000000"]).contains("at most 1000000"));
    assert!(err(&["forecast", s, "--horizon", "99999999999999999w"]).contains("give steps"));
    // A missing file says its reason once.
    let missing = err(&["forecast", "no-such.csv"]);
    assert_eq!(
        missing.matches("No such file or directory").count(),
        1,
        "{missing}"
    );
    // n+1000000 is a typo, not a plan.
    assert!(
        err(&[
            "plan",
            "--topology",
            HATENA,
            "--peak-rps",
            "10",
            "--growth",
            "1%",
            "--redundancy",
            "n+1000000"
        ])
        .contains("at most n+100")
    );
    // A constant series has no MASE scale: undefined, not -0.000 and NaN.
    let long = tmp.path().join("long.csv");
    let mut text = String::from("id,timestamp,value\n");
    for t in 0..30 {
        text.push_str(&format!("a,{t},5\n"));
    }
    std::fs::write(&long, text).unwrap();
    let out = ok(headroom(&[
        "backtest",
        long.to_str().unwrap(),
        "--horizon",
        "3",
        "--season",
        "1",
        "--models",
        "naive",
    ]));
    assert!(
        out.contains("naive           0.000 undefined undefined"),
        "{out}"
    );
    assert!(!out.contains("NaN") && !out.contains("-0.000"), "{out}");
}

#[test]
fn two_ingests_into_one_dataset_at_once_both_count() {
    // Two processes, two halves of the bundled log, one --out: the second waits for the
    // first's lock and adds to its manifest, so the dataset holds all 10,000 lines.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("data/logs/elastic_apache_logs.log").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (a, b) = (tmp.path().join("a.log"), tmp.path().join("b.log"));
    std::fs::write(&a, lines[..5000].join("\n")).unwrap();
    std::fs::write(&b, lines[5000..].join("\n")).unwrap();
    let ds = tmp.path().join("ds");
    let spawn = |log: &Path| {
        Command::new(env!("CARGO_BIN_EXE_headroom"))
            .args([
                "ingest",
                log.to_str().unwrap(),
                "--out",
                ds.to_str().unwrap(),
                "--quiet",
            ])
            .output()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ha = s.spawn(|| spawn(&a).unwrap());
        let hb = s.spawn(|| spawn(&b).unwrap());
        (ha.join().unwrap(), hb.join().unwrap())
    });
    ok(ra);
    ok(rb);
    let summary: Value =
        serde_json::from_str(&ok(headroom(&["summary", "--json", ds.to_str().unwrap()]))).unwrap();
    assert_eq!(summary["requests"], 10_000, "{summary}");
    assert_eq!(summary["files"].as_array().unwrap().len(), 2);
}

/// `verify` reads a sound dataset back and exits 0; a day file cut short (a crash or
/// a full disk) makes it exit non-zero naming that file, and the totals no longer
/// reconcile.
#[test]
fn verify_names_a_damaged_day_file() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    ingest(&ds);
    let sound = ok(headroom(&["verify", ds.to_str().unwrap()]));
    assert!(
        sound.contains("10,000 requests in the tables, 10,000 lines parsed"),
        "{sound}"
    );
    let days = std::fs::read_dir(ds.join("days"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let file = std::fs::read_dir(&days)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 20]).unwrap();
    let out = headroom(&["verify", ds.to_str().unwrap()]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("damaged: {}", file.display())),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 files do not read back"), "{stderr}");
}

/// A horizon past twenty years, or a growth that would need more servers than a tier
/// may have, is refused before any work, naming the month and the tier.
#[test]
fn unbounded_plans_are_refused_with_the_limit() {
    let base = [
        "plan",
        "--topology",
        "data/topologies/hatena-bookmark.toml",
        "--peak-rps",
        "1500",
        "--growth",
        "8",
    ];
    let out = headroom(&[&base[..], &["--months", "241"]].concat());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("241 is not in 1..=240"));
    let out = headroom(&[&base[..], &["--months", "240"]].concat());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("month 161: tier 'ap' would need 1010505 servers"),
        "{stderr}"
    );
}

/// A real ingest killed inside its commit (the process aborts at the point named by
/// HEADROOM_CRASH_AT): before the manifest's rename the dataset is the one before it,
/// after it the new one (its stale summary rebuilt); either way rerunning the ingest
/// counts each line exactly once, and `verify` finds nothing damaged.
#[test]
fn an_ingest_killed_in_its_commit_window_loses_and_doubles_nothing() {
    let text = std::fs::read_to_string(LOG).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for point in ["day-files", "manifest"] {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a.log"), tmp.path().join("b.log"));
        std::fs::write(&a, lines[..4000].join("\n")).unwrap();
        std::fs::write(&b, lines[4000..].join("\n")).unwrap();
        let ds = tmp.path().join("ds");
        let ingest = |log: &Path, crash: Option<&str>| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_headroom"));
            cmd.args([
                "ingest",
                log.to_str().unwrap(),
                "--out",
                ds.to_str().unwrap(),
                "--quiet",
            ]);
            if let Some(p) = crash {
                cmd.env("HEADROOM_CRASH_AT", p);
            }
            cmd.output().unwrap()
        };
        let requests = || -> i64 {
            let s: Value =
                serde_json::from_str(&ok(headroom(&["summary", "--json", ds.to_str().unwrap()])))
                    .unwrap();
            s["requests"].as_i64().unwrap()
        };
        ok(ingest(&a, None));
        let killed = ingest(&b, Some(point));
        assert!(
            !killed.status.success(),
            "{point}: the ingest was not killed"
        );
        let expected = if point == "day-files" { 4000 } else { 10_000 };
        assert_eq!(requests(), expected, "{point}: right after the kill");
        ok(headroom(&["verify", ds.to_str().unwrap()]));
        ok(ingest(&b, None));
        assert_eq!(requests(), 10_000, "{point}: after the rerun");
        ok(ingest(&b, None));
        ok(ingest(&a, None));
        assert_eq!(requests(), 10_000, "{point}: after ingesting both again");
        ok(headroom(&["verify", ds.to_str().unwrap()]));
    }
}

#[test]
fn forecast_with_arima_names_the_model_it_chose() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("monthly.csv");
    // Ten years of months: a yearly shape on a rising level, and a little wobble.
    let shape = [7, 8, 10, 11, 12, 14, 15, 14, 11, 9, 8, 11];
    let mut text = String::from("timestamp,value\n");
    for t in 0..120 {
        let value = 1000 + 2 * t + 30 * shape[t % 12] + t * 7919 % 13;
        text.push_str(&format!(
            "{}-{:02}-01T00:00:00Z,{value}\n",
            2010 + t / 12,
            t % 12 + 1
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let out = ok(headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--model",
        "arima",
        "--horizon",
        "12",
    ]));
    // The season is strong, so the search differences it: (P,1,Q)[12].
    assert!(out.contains("model: arima (arima: ARIMA("), "{out}");
    assert!(out.contains(",1,") && out.contains(")[12]"), "{out}");
}
