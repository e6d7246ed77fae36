//! `headroom plan`: projected peak demand through the topology to servers per month.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_forecast::{FittedLinearTrend, LinearTrend};
use headroom_plan::{Plan, Policy, compound_peaks, monthly_peaks, plan};
use headroom_topology::Topology;
use headroom_traffic::Rollups;
use headroom_traffic::time::{DAY, civil_from_days};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Topology file (TOML).
    #[arg(long)]
    topology: PathBuf,
    /// Dataset folder written by `headroom ingest`: its daily peaks' trend is the demand.
    #[arg(
        long,
        required_unless_present = "peak_rps",
        conflicts_with = "peak_rps"
    )]
    traffic: Option<PathBuf>,
    /// Instead of a dataset: today's front-door peak, requests per second.
    #[arg(long, requires = "growth")]
    peak_rps: Option<f64>,
    /// With --peak-rps: growth per month, in percent (8 or 8%), compounded.
    #[arg(long)]
    growth: Option<String>,
    /// Time from ordering servers to having them in service (2w, 8w, 90d): the plan
    /// says by when to order for each tier.
    #[arg(long, default_value = "8w")]
    lead_time: String,
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
    let lead_days = lead_time_days(&args.lead_time)?;
    // Month labels and the day the plan starts from (the data's last day, or today).
    let (peaks, labels, start_day, preamble) = match (&args.traffic, args.peak_rps) {
        (Some(dir), _) => {
            let rollups = headroom_traffic::read_rollups(dir)
                .with_context(|| format!("reading dataset {}", dir.display()))?;
            let demand = Demand::project(&rollups, args.months)?;
            let last_day = demand.daily_peaks.last().map_or(0, |p| p.0 / DAY);
            let preamble = demand.describe();
            (
                demand.monthly_peak_rps,
                demand.month_labels,
                last_day,
                preamble,
            )
        }
        (None, Some(peak)) => {
            anyhow::ensure!(
                peak.is_finite() && peak >= 0.0,
                "--peak-rps must be a number ≥ 0, not {peak}"
            );
            let text = args.growth.as_deref().unwrap_or("0");
            let growth: f64 = text
                .trim_end_matches('%')
                .trim()
                .parse()
                .ok()
                .filter(|g: &f64| g.is_finite() && *g > -100.0)
                .with_context(|| {
                    format!("--growth '{text}': give percent per month, like 8 or 8%")
                })?;
            let today = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64 / DAY);
            (
                compound_peaks(peak, growth / 100.0, args.months),
                month_labels(today, args.months),
                today,
                format!("front-door peak {peak} requests/s today, growing {growth}% a month"),
            )
        }
        (None, None) => anyhow::bail!("give --traffic DATASET or --peak-rps N --growth PCT"),
    };
    let plan = plan(
        &topology,
        &peaks,
        Policy {
            spare_servers: args.spares,
        },
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        println!("{preamble}");
        print_plan(&plan, &labels, &topology);
        print_crossings(
            &plan,
            &labels,
            start_day,
            lead_days,
            &args.lead_time,
            &topology,
        );
    }
    Ok(())
}

/// Days in a lead time given as `8w`, `90d` or a number of days.
fn lead_time_days(text: &str) -> anyhow::Result<i64> {
    let bad = || format!("--lead-time '{text}': give days or weeks, like 90d or 8w");
    let (number, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: i64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n| *n >= 0)
        .with_context(bad)?;
    match unit {
        "" | "d" => Ok(n),
        "w" => Ok(7 * n),
        _ => anyhow::bail!(bad()),
    }
}

/// When each tier runs out of room with today's servers, and by when to order.
fn print_crossings(
    plan: &Plan,
    labels: &[String],
    start_day: i64,
    lead_days: i64,
    lead_text: &str,
    topology: &Topology,
) {
    println!("with today's servers (lead time {lead_text}):");
    for (tier, crossing) in topology.tiers().iter().zip(headroom_plan::crossings(plan)) {
        match crossing {
            Some(month) => {
                // Servers must be in service on the first day of that month, the
                // month-th after the one the plan starts in (as month_labels counts).
                let label = &labels[month as usize - 1];
                let (year, first, _) = civil_from_days(start_day);
                let starts =
                    super::month_start_day(year * 12 + i64::from(first) - 1 + i64::from(month));
                let order_by = starts - lead_days;
                let late = if order_by < start_day {
                    " (already late)"
                } else {
                    ""
                };
                println!(
                    "  {}: demand outgrows its {} servers in {label}; order by {}{late}",
                    tier.name,
                    tier.servers,
                    headroom_traffic::time::format_date(order_by * DAY)
                );
            }
            None => println!(
                "  {}: its {} servers carry the demand through {}",
                tier.name,
                tier.servers,
                labels.last().map_or("-", String::as_str)
            ),
        }
    }
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

    fn describe(&self) -> String {
        format!(
            "daily peak requests/s over {} days: trend {:+.4} rps/day ({} per month), last day {:.3}",
            self.daily_peaks.len(),
            self.trend.slope,
            format_args!("{:+.3}", self.trend.slope * headroom_plan::DAYS_PER_MONTH),
            self.daily_peaks.last().map_or(0.0, |p| p.1)
        )
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
