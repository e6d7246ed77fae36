//! `headroom replay`: the planner replayed on a history (a dataset or a metric series),
//! held against what the traffic did next: short steps, idle servers and their cost,
//! beside the oracle and naive strategies.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_plan::replay::{History, Outcome, Replay, ReplayConfig, replay, server_month_costs};
use headroom_topology::Topology;
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
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=headroom_plan::MAX_MONTHS as i64))]
    months: u32,
    /// History before the first origin (90d, 26w).
    #[arg(long, default_value = "90d")]
    min_history: String,
    /// How often the plan is remade: 1M at every month start, 3M every quarter, 1y
    /// once a year (servers bought stay between).
    #[arg(long, default_value = "1M")]
    every: String,
    /// A series' values: `rate` (requests per second) or `count` (requests per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"])]
    value: String,
    /// Print the replay as JSON.
    #[arg(long)]
    json: bool,
    /// Also draw each month's realised peak against the capacity the plan (at the
    /// cheapest quantile over all tiers) had in service, per tier: .svg or .png.
    #[arg(long)]
    chart: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=120).contains(&args.months),
        "--months must be 1 to 120, not {}",
        args.months
    );
    let topology = load_topology(&args.topology)?;
    let history = history(&args.source, &args.value)?;
    let min_history_days = days(&args.min_history)?;
    let every = every_months(&args.every)?;
    let (r, currency) = replay_for(
        &topology,
        &history,
        args.months,
        (min_history_days, every),
        &args.policy,
    )?;
    let Some(r) = r else {
        let (_, peaks) = history.daily_peaks();
        anyhow::bail!(
            "{}: {} days of history; a replay needs {} days before its first origin and a whole month after it",
            args.source.display(),
            peaks.len(),
            min_history_days
        );
    };
    if let Some(path) = &args.chart {
        let svg = super::charts::held(&r, r.cheapest_quantile())?;
        write_chart(path, &svg)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print!(
        "{}",
        text(&r, &args.source, &currency, args.policy.shortfall_cost)
    );
    Ok(())
}

/// Writes an SVG chart to `path`, rasterised when the extension is .png.
fn write_chart(path: &Path, svg: &str) -> anyhow::Result<()> {
    let bytes = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("png") => {
            headroom_chart::png(svg).context("rasterising the chart")?
        }
        Some(e) if e.eq_ignore_ascii_case("svg") => {
            headroom_chart::with_embedded_font(svg).into_bytes()
        }
        _ => anyhow::bail!("--chart {}: name an .svg or a .png file", path.display()),
    };
    headroom_traffic::write_atomic(path, &bytes)
        .with_context(|| format!("writing {}", path.display()))
}

/// Days of history before `plan --quantile auto`'s first replayed origin.
pub(crate) const MIN_HISTORY_DAYS: usize = 90;

/// The planner replayed on `history` with plan's policy flags (the same for `replay`,
/// `plan --quantile auto` and the report), origins after `min_history_days` and every
/// `every_months`, and the price table's currency; None when the history is too short.
pub(crate) fn replay_for(
    topology: &Topology,
    history: &History,
    months: u32,
    (min_history_days, every_months): (usize, u32),
    policy: &PolicyArgs,
) -> anyhow::Result<(Option<Replay>, String)> {
    anyhow::ensure!(
        policy.shortfall_cost.is_finite() && policy.shortfall_cost >= 0.0,
        "--shortfall-cost must be a cost of 0 or more, not {}",
        policy.shortfall_cost
    );
    let (built, _) = policy.prices()?;
    let config = ReplayConfig {
        months,
        min_history_days,
        every_months,
        model: policy.model()?,
        policy: policy.policy()?,
        shortfall_cost_per_step: policy.shortfall_cost * history.step_s as f64 / 60.0,
    };
    let costs = server_month_costs(topology, &built);
    Ok((replay(topology, history, &costs, &config)?, built.currency))
}

/// A dataset's minutes as a history (idle minutes as zero).
pub(crate) fn history_of(rollups: &headroom_traffic::Rollups) -> anyhow::Result<History> {
    History::from_minutes(rollups.iter().map(|(m, c)| (m, c.requests as f64)))
        .context("the dataset holds no traffic")
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
    History::from_series(&s, value == "count").with_context(|| {
        format!(
            "{}: a step of {} s; a replay needs a step from a second to a day",
            source.display(),
            if s.monthly { 30 * DAY } else { s.step }
        )
    })
}

/// Days in a duration given like a lead time (`90d`, `26w`), at least one.
fn days(text: &str) -> anyhow::Result<usize> {
    let minutes = super::plan::lead_time_minutes(text, "--min-history")?;
    let days = (minutes / 1440.0).ceil();
    anyhow::ensure!(
        (1.0..=36_600.0).contains(&days),
        "--min-history '{text}': give from a day to a hundred years, like 90d or 26w"
    );
    Ok(days as usize)
}

/// Months between replans from `1M`, `3M`, `6m`, `1y` or a bare number of months.
fn every_months(text: &str) -> anyhow::Result<u32> {
    let t = text.trim();
    let (number, unit) = match t.strip_suffix(['y', 'Y']) {
        Some(n) => (n, 12),
        None => (t.strip_suffix(['M', 'm']).unwrap_or(t), 1),
    };
    let months = number
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|m| (1..=120).contains(m));
    months
        .with_context(|| format!("--every '{text}': give months from 1 to 120, like 1M, 3M or 1y"))
}

/// One strategy's row, all tiers summed (a minute two tiers are short counts twice):
/// name, tier-minutes past a ceiling and past 100%,
/// worst overshoot, server-months, idle server-months, hardware, shortfall and total
/// cost. The replay's text and the report's table both show these.
pub(crate) fn outcome_cells(o: &Outcome, step_s: i64) -> [String; 9] {
    let minutes = |steps: usize| thousands((steps as f64 * step_s as f64 / 60.0).round() as i64);
    [
        o.name.clone(),
        minutes(o.steps_over_ceiling()),
        minutes(o.steps_over_full()),
        format!("{:.0}%", o.worst_over_ceiling() * 100.0),
        format!("{:.0}", o.server_months()),
        format!("{:.0}", o.idle_server_months()),
        super::plan::money(o.hardware_cost()),
        super::plan::money(o.shortfall_cost()),
        super::plan::money(o.total_cost()),
    ]
}

/// The column names of [`outcome_cells`].
pub(crate) const OUTCOME_COLUMNS: [&str; 9] = [
    "strategy",
    "tier-minutes past a ceiling",
    "tier-minutes past 100%",
    "worst",
    "server-months",
    "idle",
    "hardware",
    "shortfall",
    "total",
];

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
        "replay of {}: {} months, {} to {}, a plan at {} after {} days of history, held against each {step}; past a ceiling = with the policy's failures taken",
        source.display(),
        r.months.len(),
        month_label(r.months[0]),
        month_label(r.months[r.months.len() - 1]),
        match r.every_months {
            1 => "every month start".to_owned(),
            n => format!("every {n} months' start"),
        },
        r.min_history_days
    );
    let line = |cells: &[String]| {
        format!(
            "{:<20} {:>27} {:>22} {:>6} {:>13} {:>7} {:>12} {:>12} {:>12}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5],
            cells[6],
            cells[7],
            cells[8]
        )
    };
    let mut header = OUTCOME_COLUMNS.map(str::to_owned);
    header[6] = format!("hardware {currency}");
    let _ = writeln!(out, "{}", line(&header));
    for o in &r.outcomes {
        let _ = writeln!(out, "{}", line(&outcome_cells(o, r.step_s)));
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
        assert_eq!(days("36h").unwrap(), 2);
        assert!(days("0d").is_err() && days("3y").is_err() && days("1e9w").is_err());
    }

    #[test]
    fn replan_intervals() {
        assert_eq!(every_months("1M").unwrap(), 1);
        assert_eq!(every_months("3m").unwrap(), 3);
        assert_eq!(every_months("1y").unwrap(), 12);
        assert_eq!(every_months("6").unwrap(), 6);
        for bad in ["0M", "11y", "M", "-1M", "1w", "99999999999y"] {
            assert!(every_months(bad).is_err(), "{bad}");
        }
    }
}
