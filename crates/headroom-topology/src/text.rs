//! Topologies and their analysis in words: the tiers and their limits, and the
//! analysis a planner reads top to bottom (`headroom topology check` and `analyze`).

use std::fmt::Write as _;

use crate::usl::UslFit;
use crate::{Analysis, Topology};

/// The tiers with their role, servers, capacity, ceiling and the front-door rate at
/// which each reaches its ceiling, then the bottleneck.
pub fn tiers_table(topology: &Topology) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} tiers, {} servers, entry '{}'",
        topology.name(),
        topology.tiers().len(),
        topology.total_servers(),
        topology.entry().name
    );
    let _ = writeln!(
        out,
        "{:<12} {:<15} {:>8} {:>14} {:>8} {:>16}",
        "tier", "role", "servers", "capacity rps", "ceiling", "saturates at rps"
    );
    let loads = topology.loads(1.0);
    for (tier, load) in topology.tiers().iter().zip(&loads) {
        let _ = writeln!(
            out,
            "{:<12} {:<15} {:>8} {:>14.0} {:>8.2} {:>16.0}",
            tier.name,
            tier.role.as_str(),
            tier.servers,
            tier.capacity_rps,
            tier.ceiling,
            load.saturation_entry_rps
        );
    }
    let bottleneck = &topology.tiers()[topology.bottleneck()];
    let _ = writeln!(
        out,
        "bottleneck: {} (reaches its ceiling at {:.0} front-door requests/s)",
        bottleneck.name,
        loads[topology.bottleneck()].saturation_entry_rps
    );
    out
}

/// A share as a percentage; a tier with no server left is "down".
fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        "down".to_owned()
    }
}

/// The analysis as the text a planner reads top to bottom: the tiers at the peak, the
/// bottleneck and single points of failure, each pool's packing, and the worst `top`
/// failing scenarios at each depth.
pub fn analysis(topology: &Topology, a: &Analysis, top: usize) -> String {
    let mut out = String::new();
    tiers(&mut out, topology, a);
    failure_points(&mut out, a);
    pools(&mut out, topology, a);
    scenarios(&mut out, a, top);
    out
}

/// The tiers' table and what else each tier's load says.
fn tiers(out: &mut String, topology: &Topology, a: &Analysis) {
    tiers_heading(out, a);
    for (t, s) in topology.tiers().iter().zip(&a.tiers) {
        let _ = writeln!(
            out,
            "{:<8} {:<14} {:>7} {:>9.0} {:>7} {:>10.0} {:>6} {:>8} {:>8.0} {:>13.0}  {}",
            s.name,
            t.role.as_str(),
            s.servers,
            s.capacity_rps,
            pct(s.ceiling),
            s.load.demand_rps,
            pct(s.load.utilisation),
            s.load.limited_by,
            s.load.mbps,
            s.load.saturation_entry_rps,
            s.band
        );
    }
    for e in extras(a) {
        let _ = writeln!(out, "  {e}");
    }
}

/// What was analysed, in one line, and the tiers' table's column heads.
fn tiers_heading(out: &mut String, a: &Analysis) {
    let _ = writeln!(
        out,
        "{} at {:.0} front-door requests/s: {} servers, {} physical machines",
        a.service, a.entry_rps, a.servers, a.physical_machines
    );
    let _ = writeln!(
        out,
        "\n{:<8} {:<14} {:>7} {:>9} {:>7} {:>10} {:>6} {:>8} {:>8} {:>13}  status",
        "tier",
        "role",
        "servers",
        "cap rps",
        "ceiling",
        "demand rps",
        "busy",
        "limit",
        "Mbps",
        "saturates at",
    );
}

/// Memory, disk, writes and stated ceilings, where a tier has them.
fn extras(a: &Analysis) -> Vec<String> {
    let mut extras = Vec::new();
    for s in &a.tiers {
        if let Some(m) = s.load.memory_use {
            extras.push(format!(
                "{}: working set fills {} of memory",
                s.name,
                pct(m)
            ));
        }
        if let Some(d) = s.load.storage_use {
            extras.push(format!(
                "{}: data fills {} of each server's disk",
                s.name,
                pct(d)
            ));
        }
        if s.load.write_rps > 0.0 {
            extras.push(format!(
                "{}: {:.0} of its requests/s are writes",
                s.name, s.load.write_rps
            ));
        }
        if !s.ceiling_source.starts_with("default") {
            extras.push(format!("{}: ceiling {}", s.name, s.ceiling_source));
        }
    }
    extras
}

/// The bottleneck, the single points of failure and the tiers that split the graph.
fn failure_points(out: &mut String, a: &Analysis) {
    let headroom = a.bottleneck_entry_rps / a.entry_rps;
    let _ = writeln!(
        out,
        "\nbottleneck: {} reaches its ceiling at {:.0} front-door requests/s ({:.2}× this peak)",
        a.bottleneck, a.bottleneck_entry_rps, headroom
    );
    if a.single_points_of_failure.is_empty() {
        let _ = writeln!(out, "single points of failure: none");
    } else {
        let _ = writeln!(out, "single points of failure:");
        for s in &a.single_points_of_failure {
            let _ = writeln!(
                out,
                "  {}: {}; its loss stops {}",
                s.tier,
                s.reason,
                s.cuts_off.join(", ")
            );
        }
    }
    if !a.articulation_tiers.is_empty() {
        let _ = writeln!(
            out,
            "tiers that split the graph if removed: {}",
            a.articulation_tiers.join(", ")
        );
    }
}

/// Each pool's VMs on hosts.
fn pools(out: &mut String, topology: &Topology, a: &Analysis) {
    for p in &a.pools {
        let _ = writeln!(
            out,
            "\npool {}: {} VMs on {} hosts (lower bound {}; first-fit decreasing {}, dot product {}, then consolidated); cores {} memory {} disk {} used",
            p.name,
            p.vms,
            p.hosts_needed,
            p.lower_bound,
            p.first_fit_decreasing,
            p.dot_product,
            pct(p.fill[0]),
            pct(p.fill[1]),
            pct(p.fill[2])
        );
        if let Some(have) = p.available {
            if have < p.hosts_needed {
                let _ = writeln!(
                    out,
                    "  SHORT: {have} hosts available, {} more needed",
                    p.hosts_needed - have
                );
            } else {
                let _ = writeln!(
                    out,
                    "  {have} hosts available, {} spare",
                    have - p.hosts_needed
                );
            }
        }
        for (h, vms) in p.packing.hosts.iter().enumerate() {
            let names: Vec<String> = vms
                .iter()
                .map(|v| format!("{}#{}", topology.tiers()[v.tier].name, v.replica + 1))
                .collect();
            let _ = writeln!(out, "  host {:>2}: {}", h + 1, names.join(" "));
        }
    }
}

/// N−1 and N−2: how many were tried and fail, and the worst `top` of each.
fn scenarios(out: &mut String, a: &Analysis, top: usize) {
    for (label, set) in [("N−1", &a.n_minus_1), ("N−2", &a.n_minus_2)] {
        let _ = writeln!(
            out,
            "\n{label}: {} scenarios, {} fail to carry the peak under 100%",
            set.tried, set.failing
        );
        for s in set.worst.iter().take(top) {
            let worst = s
                .worst_utilisation
                .map_or("no server left".to_owned(), |u| format!("{} busy", pct(u)));
            let _ = writeln!(out, "  lose {}: {} {}", s.lost, s.worst_tier, worst);
        }
        let shown = set.worst.len().min(top) as u64;
        if set.failing > shown {
            let _ = writeln!(
                out,
                "  … and {} more (--top N, at most {} listed)",
                set.failing - shown,
                crate::LISTED
            );
        }
    }
}

/// A USL fit in words: each coefficient with its 95% interval and standard error, the
/// residual error, the peak, and the line to put in a topology file.
pub fn usl_fit(f: &UslFit, source: &str) -> String {
    let mut out = format!("USL fit to {} measurements of {source}\n", f.n);
    for (i, (name, what, value)) in [
        ("alpha", "contention", f.alpha),
        ("beta", "coherency", f.beta),
        ("gamma", "throughput of one", f.gamma),
    ]
    .into_iter()
    .enumerate()
    {
        let (lo, hi) = f.intervals[i];
        let _ = writeln!(
            out,
            "  {name:<6} {what:<18} {value:>12.6e}  95% interval [{lo:.4e}, {hi:.4e}], standard error {:.3e}",
            f.std_errors[i]
        );
    }
    let _ = writeln!(
        out,
        "  residual standard error {:.4} on {} degrees of freedom",
        f.residual_std_error,
        f.n - 3
    );
    let _ = writeln!(
        out,
        "  peak: throughput {:.2} at concurrency {:.2}; beyond it, more load means less throughput",
        f.peak_throughput(),
        f.peak_concurrency()
    );
    let _ = writeln!(
        out,
        "for a topology tier: usl = {{ alpha = {:.6e}, beta = {:.6e}, gamma = {:.6e} }}",
        f.alpha, f.beta, f.gamma
    );
    out
}
