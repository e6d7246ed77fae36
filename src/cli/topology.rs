//! `headroom topology`: validate, draw and analyse a topology file.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_topology::Topology;

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
                print!(
                    "{}",
                    headroom_topology::text::analysis(&topology, &analysis, *top)
                );
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
    print!("{}", headroom_topology::text::tiers_table(&load(file)?));
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
