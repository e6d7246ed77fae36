//! `headroom topology`: validate, draw and analyse a topology file.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_topology::{Analysis, Topology};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Validate a topology file and print its tiers and server counts.
    Check {
        /// Topology file (TOML; .json and .yaml/.yml by extension).
        file: PathBuf,
    },
    /// Draw the graph with each tier's load: a text tree, Graphviz DOT or Mermaid.
    Show {
        /// Topology file.
        file: PathBuf,
        /// Output: text, dot or mermaid.
        #[arg(long = "as", default_value = "text", value_parser = ["text", "dot", "mermaid"])]
        format: String,
        /// Front-door requests per second (default: the file's peak_rps).
        #[arg(long)]
        peak_rps: Option<f64>,
    },
    /// Load per tier, bottleneck, single points of failure, VM packing and N−1/N−2
    /// failure scenarios at the peak.
    Analyze {
        /// Topology file.
        file: PathBuf,
        /// Front-door requests per second (default: the file's peak_rps).
        #[arg(long)]
        peak_rps: Option<f64>,
        /// Print the analysis as JSON.
        #[arg(long)]
        json: bool,
        /// Failing scenarios to list per depth (with --json the worst 100; all are counted).
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
}

pub(crate) fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Check { file } => check(file),
        Command::Show {
            file,
            format,
            peak_rps,
        } => show(file, format, *peak_rps),
        Command::Analyze {
            file,
            peak_rps,
            json,
            top,
        } => {
            let topology = load(file)?;
            let rps = peak(&topology, file, *peak_rps)?;
            let analysis = headroom_topology::analyze(&topology, rps);
            if *json {
                println!("{}", serde_json::to_string_pretty(&analysis)?);
            } else {
                print!("{}", render(&topology, &analysis, *top));
            }
            Ok(())
        }
    }
}

fn load(file: &Path) -> anyhow::Result<Topology> {
    headroom_topology::load(file).with_context(|| format!("invalid topology {}", file.display()))
}

fn peak(topology: &Topology, file: &Path, given: Option<f64>) -> anyhow::Result<f64> {
    match given.or(topology.peak_rps()) {
        Some(rps) if rps.is_finite() && rps >= 0.0 => Ok(rps),
        Some(rps) => anyhow::bail!("--peak-rps must be a number ≥ 0, not {rps}"),
        None => anyhow::bail!(
            "{} states no peak_rps: pass --peak-rps N (front-door requests per second)",
            file.display()
        ),
    }
}

fn check(file: &Path) -> anyhow::Result<()> {
    let topology = load(file)?;
    println!(
        "{}: {} tiers, {} servers, entry '{}'",
        topology.name(),
        topology.tiers().len(),
        topology.total_servers(),
        topology.entry().name
    );
    println!(
        "{:<12} {:<15} {:>8} {:>14} {:>8} {:>16}",
        "tier", "role", "servers", "capacity rps", "ceiling", "saturates at rps"
    );
    let loads = topology.loads(1.0);
    for (tier, load) in topology.tiers().iter().zip(&loads) {
        println!(
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
    println!(
        "bottleneck: {} (reaches its ceiling at {:.0} front-door requests/s)",
        bottleneck.name,
        loads[topology.bottleneck()].saturation_entry_rps
    );
    Ok(())
}

fn show(file: &Path, format: &str, peak_rps: Option<f64>) -> anyhow::Result<()> {
    let topology = load(file)?;
    let rps = peak(&topology, file, peak_rps)?;
    let loads = topology.loads(rps);
    let servers: Vec<u32> = topology.tiers().iter().map(|t| t.servers).collect();
    let packing = headroom_topology::pack_pools(&topology, &servers);
    let spofs: Vec<usize> =
        headroom_topology::single_points_of_failure(&topology, &servers, &packing)
            .iter()
            .map(|s| s.tier)
            .collect();
    match format {
        "dot" => print!("{}", headroom_topology::dot(&topology, &loads, &spofs)),
        "mermaid" => print!("{}", headroom_topology::mermaid(&topology, &loads, &spofs)),
        _ => {
            println!("{} at {rps:.0} front-door requests/s", topology.name());
            print!("{}", headroom_topology::text_tree(&topology, &loads));
        }
    }
    Ok(())
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        "down".to_owned()
    }
}

/// The analysis as the text a planner reads top to bottom.
fn render(topology: &Topology, a: &Analysis, top: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
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
    for e in extras {
        let _ = writeln!(out, "  {e}");
    }
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
                headroom_topology::LISTED
            );
        }
    }
    out
}
