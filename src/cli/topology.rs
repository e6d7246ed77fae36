//! `headroom topology`: load and inspect a topology file.

use std::path::PathBuf;

use anyhow::Context as _;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Validate a topology file and print its tiers and server counts.
    Check {
        /// Topology file (TOML).
        file: PathBuf,
    },
}

pub(crate) fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Check { file } => check(file),
    }
}

fn check(file: &std::path::Path) -> anyhow::Result<()> {
    let topology = headroom_topology::load(file)
        .with_context(|| format!("invalid topology {}", file.display()))?;
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
            "{:<12} {:<15} {:>8} {:>14} {:>8.2} {:>16.0}",
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
