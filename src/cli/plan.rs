//! `headroom plan`: projected peak demand through the topology to servers per month.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_forecast::{FittedLinearTrend, LinearTrend};
use headroom_plan::{Plan, Policy, monthly_peaks, plan};
use headroom_topology::Topology;
use headroom_traffic::Rollups;
use headroom_traffic::time::{DAY, civil_from_days};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Topology file (TOML).
    #[arg(long)]
    topology: PathBuf,
    /// Dataset folder written by `headroom ingest`.
    #[arg(long)]
    traffic: PathBuf,
    /// Months to plan after the end of the data.
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// Spare servers per tier (the k of N+k).
    #[arg(long, default_value_t = Policy::default().spare_servers)]
    spares: u32,
    /// Print the plan as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let topology = load_topology(&args.topology)?;
    let rollups = headroom_traffic::read_rollups(&args.traffic)
        .with_context(|| format!("reading dataset {}", args.traffic.display()))?;
    let demand = Demand::project(&rollups, args.months)?;
    let plan = plan(
        &topology,
        &demand.monthly_peak_rps,
        Policy {
            spare_servers: args.spares,
        },
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        demand.print();
        print_plan(&plan, &demand.month_labels, &topology);
    }
    Ok(())
}

pub(crate) fn load_topology(path: &Path) -> anyhow::Result<Topology> {
    headroom_topology::load(path).with_context(|| format!("invalid topology {}", path.display()))
}

/// Peak demand per coming month, projected from the daily peaks of a dataset.
pub(crate) struct Demand {
    /// Unix seconds of each day's start, and that day's busiest-minute requests/s.
    pub(crate) daily_peaks: Vec<(i64, f64)>,
    /// The trend fitted to the daily peaks, with time in days since 1970-01-01.
    pub(crate) trend: FittedLinearTrend,
    /// Front-door requests/s at each planned month's peak.
    pub(crate) monthly_peak_rps: Vec<f64>,
    /// `YYYY-MM` of each planned month.
    pub(crate) month_labels: Vec<String>,
}

impl Demand {
    pub(crate) fn project(rollups: &Rollups, months: u32) -> anyhow::Result<Demand> {
        let peaks = rollups.daily_peaks();
        let days: Vec<f64> = peaks.iter().map(|p| (p.day_s / DAY) as f64).collect();
        let values: Vec<f64> = peaks.iter().map(|p| p.peak_rps).collect();
        let trend = LinearTrend
            .fit(&days, &values)
            .context("fitting a trend to the daily peaks (is the dataset empty?)")?;
        let last_day = *days.last().expect("a fitted trend has observations");
        Ok(Demand {
            daily_peaks: peaks.iter().map(|p| (p.day_s, p.peak_rps)).collect(),
            trend,
            monthly_peak_rps: monthly_peaks(&trend, last_day, months),
            month_labels: month_labels(last_day as i64, months),
        })
    }

    fn print(&self) {
        println!(
            "daily peak requests/s over {} days: trend {:+.4} rps/day ({} per month), last day {:.3}",
            self.daily_peaks.len(),
            self.trend.slope,
            format_args!("{:+.3}", self.trend.slope * headroom_plan::DAYS_PER_MONTH),
            self.daily_peaks.last().map_or(0.0, |p| p.1)
        );
    }
}

/// `YYYY-MM` of the `months` calendar months after the one holding `last_day`.
fn month_labels(last_day: i64, months: u32) -> Vec<String> {
    let (year, month, _) = civil_from_days(last_day);
    (1..=i64::from(months))
        .map(|m| {
            let index = year * 12 + i64::from(month) - 1 + m;
            format!("{:04}-{:02}", index / 12, index % 12 + 1)
        })
        .collect()
}

fn print_plan(plan: &Plan, labels: &[String], topology: &Topology) {
    let tiers = topology.tiers();
    let mut header = format!("{:<8} {:>10}", "month", "peak rps");
    for t in tiers {
        header.push_str(&format!(" {:>7}", t.name));
    }
    println!("{header} {:>7}", "total");
    for (m, label) in plan.months.iter().zip(labels) {
        let mut row = format!("{label:<8} {:>10.3}", m.peak_rps);
        for t in &m.tiers {
            row.push_str(&format!(" {:>7}", t.total));
        }
        println!("{row} {:>7}", m.tiers.iter().map(|t| t.total).sum::<u32>());
    }
    let mut today = format!("{:<8} {:>10}", "today", "");
    for t in tiers {
        today.push_str(&format!(" {:>7}", t.servers));
    }
    println!("{today} {:>7}", topology.total_servers());
    if let (Some(last), Some(label)) = (plan.months.last(), labels.last()) {
        println!("why, in {label}:");
        for t in &last.tiers {
            println!("  {}", t.reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_roll_over_the_year() {
        // 2015-11-30 is day 16,769.
        assert_eq!(month_labels(16_769, 3), ["2015-12", "2016-01", "2016-02"]);
    }
}
