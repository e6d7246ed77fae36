//! `headroom replay`: the planner replayed on a history (a dataset or a metric series),
//! held against what the traffic did next: short steps, idle servers and their cost,
//! beside the oracle and naive strategies.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_plan::replay::{History, Replay, ReplayConfig, replay, server_month_costs};
use headroom_traffic::time::{DAY, format_date};

use super::plan::{PolicyArgs, load_topology};
use super::thousands;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A dataset folder written by `headroom ingest` (replayed minute by minute), or a
    /// metric series: a CSV of `timestamp,value` or a Prometheus `query_range` JSON
    /// answer (.json), any step from a second to a day.
    source: PathBuf,
    /// Topology file (TOML, JSON or YAML).
    #[arg(long)]
    topology: PathBuf,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Months each replayed plan looks ahead.
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// History before the first origin (90d, 26w); origins are then every month start.
    #[arg(long, default_value = "90d")]
    min_history: String,
    /// A series' values: `rate` (requests per second) or `count` (requests per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"])]
    value: String,
    /// Print the replay as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.policy.shortfall_cost.is_finite() && args.policy.shortfall_cost >= 0.0,
        "--shortfall-cost must be a cost of 0 or more, not {}",
        args.policy.shortfall_cost
    );
    anyhow::ensure!(
        (1..=120).contains(&args.months),
        "--months must be 1 to 120, not {}",
        args.months
    );
    let topology = load_topology(&args.topology)?;
    let history = history(&args.source, &args.value)?;
    let (built, _) = args.policy.prices()?;
    let config = ReplayConfig {
        months: args.months,
        min_history_days: days(&args.min_history)?,
        method: args.policy.method()?,
        policy: args.policy.policy()?,
        shortfall_cost_per_step: args.policy.shortfall_cost * history.step_s as f64 / 60.0,
    };
    let costs = server_month_costs(&topology, &built);
    let Some(r) = replay(&topology, &history, &costs, &config) else {
        let (_, peaks) = history.daily_peaks();
        anyhow::bail!(
            "{}: {} days of history; a replay needs {} days before its first origin and a whole month after it",
            args.source.display(),
            peaks.len(),
            config.min_history_days
        );
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print!(
        "{}",
        text(
            &r,
            &args.source,
            &built.currency,
            args.policy.shortfall_cost
        )
    );
    Ok(())
}

/// Days of history before `plan --quantile auto`'s first replayed origin.
pub(crate) const MIN_HISTORY_DAYS: usize = 90;

/// A dataset's minutes as a history (idle minutes as zero).
pub(crate) fn history_of(rollups: &headroom_traffic::Rollups) -> anyhow::Result<History> {
    let (Some((first, _)), Some((last, _))) = (rollups.iter().next(), rollups.iter().next_back())
    else {
        anyhow::bail!("the dataset holds no traffic");
    };
    let mut rps = vec![0.0; ((last - first) / 60 + 1) as usize];
    for (m, c) in rollups.iter() {
        rps[((m - first) / 60) as usize] = c.requests as f64 / 60.0;
    }
    Ok(History {
        start_s: first,
        step_s: 60,
        rps,
    })
}

/// The history a replay holds plans against: a dataset's minutes, or a series' steps
/// as requests per second.
pub(crate) fn history(source: &Path, value: &str) -> anyhow::Result<History> {
    if source.is_dir() {
        let rollups = headroom_traffic::read_rollups(source)
            .with_context(|| format!("reading dataset {}", source.display()))?;
        return history_of(&rollups).with_context(|| format!("dataset {}", source.display()));
    }
    let s = headroom_forecast::series::read(source)?;
    anyhow::ensure!(
        !s.monthly && s.step <= DAY,
        "{}: a step of {} s; a replay needs a step from a second to a day",
        source.display(),
        if s.monthly { 30 * DAY } else { s.step }
    );
    let per = if value == "count" { s.step as f64 } else { 1.0 };
    Ok(History {
        start_s: s.start,
        step_s: s.step,
        rps: s.values.iter().map(|v| v / per).collect(),
    })
}

/// Days in a duration: `90d`, `26w`, `6m` (months of 30.44 days) or a number of days.
fn days(text: &str) -> anyhow::Result<usize> {
    let bad = || format!("--min-history '{text}': give days (90d), weeks (26w) or months (6m)");
    let (number, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 1.0)
        .with_context(bad)?;
    let days = match unit {
        "" | "d" => n,
        "w" => 7.0 * n,
        "m" => 30.4375 * n,
        _ => anyhow::bail!(bad()),
    };
    anyhow::ensure!(days <= 36_600.0, bad());
    Ok(days.ceil() as usize)
}

fn month_label(day: i64) -> String {
    format_date(day * DAY)[..7].to_owned()
}

/// The replay as text: one line per strategy, then each tier's record under the plan
/// at its cheapest quantile and under the oracle.
fn text(r: &Replay, source: &Path, currency: &str, shortfall_per_minute: f64) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let step = match r.step_s {
        60 => "minute".to_owned(),
        3600 => "hour".to_owned(),
        86_400 => "day".to_owned(),
        s => format!("{s} s step"),
    };
    let _ = writeln!(
        out,
        "replay of {}: {} months, {} to {}, a plan at every month start after {} days of history; short = a {step} past a tier's ceiling with the policy's failures taken",
        source.display(),
        r.months.len(),
        month_label(r.months[0]),
        month_label(r.months[r.months.len() - 1]),
        r.min_history_days
    );
    let _ = writeln!(
        out,
        "{:<20} {:>12} {:>12} {:>9} {:>14} {:>10} {:>14} {:>14} {:>14}",
        "strategy",
        format!("short {step}s"),
        "over 100%",
        "worst",
        "server-months",
        "idle",
        format!("hardware {currency}"),
        "shortfall",
        "total"
    );
    for o in &r.outcomes {
        let sum = |f: fn(&headroom_plan::replay::TierOutcome) -> f64| -> f64 {
            o.tiers.iter().map(f).sum()
        };
        let worst = o
            .tiers
            .iter()
            .map(|t| t.worst_over_ceiling)
            .fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "{:<20} {:>12} {:>12} {:>8.0}% {:>14.0} {:>10.0} {:>14} {:>14} {:>14}",
            o.name,
            thousands(o.steps_over_ceiling() as i64),
            thousands(o.tiers.iter().map(|t| t.steps_over_full).sum::<usize>() as i64),
            worst * 100.0,
            sum(|t| t.server_months),
            sum(|t| t.idle_server_months),
            thousands(sum(|t| t.hardware_cost).round() as i64),
            thousands(sum(|t| t.shortfall_cost).round() as i64),
            thousands(o.total_cost().round() as i64)
        );
    }
    let _ = writeln!(
        out,
        "worst: the highest utilisation seen as a share of the ceiling; idle: server-months above the oracle's"
    );
    if shortfall_per_minute == 0.0 {
        let _ = writeln!(
            out,
            "shortfall is not priced (--shortfall-cost 0): totals are hardware only, so the point forecast always looks cheapest"
        );
    }
    let names: Vec<String> = r
        .best_quantile
        .iter()
        .zip(&r.outcomes[0].tiers)
        .map(|(q, t)| format!("{} {}", t.tier, quantile_name(*q)))
        .collect();
    let _ = writeln!(
        out,
        "cheapest quantile per tier (plan --quantile auto): {}",
        names.join(", ")
    );
    out
}

/// `point`, `80` or `95`.
pub(crate) fn quantile_name(q: headroom_plan::Quantile) -> &'static str {
    match q {
        headroom_plan::Quantile::Point => "point",
        headroom_plan::Quantile::Upper80 => "80",
        headroom_plan::Quantile::Upper95 => "95",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(days("90d").unwrap(), 90);
        assert_eq!(days("26w").unwrap(), 182);
        assert_eq!(days("6m").unwrap(), 183);
        assert_eq!(days("30").unwrap(), 30);
        assert!(days("0d").is_err() && days("3y").is_err() && days("1e9").is_err());
    }
}
