//! The pipeline's results in words: the plan's table and reasons, when to order, the
//! cost comparison, deploy windows, a replay's record, and why `auto` chose a quantile.

use std::fmt::Write as _;
use std::path::Path;

use headroom_plan::replay::{Outcome, Replay};
use headroom_plan::{Costs, minutes_text};
use headroom_topology::Topology;
use headroom_traffic::time::{DAY, civil_from_days, format_date};
use headroom_traffic::{Rollups, Summary};

use super::{Options, Planned};

/// Groups digits in threes for tables: 2747282740 → "2,747,282,740".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Day number (since 1970-01-01) of the first day of a month counted from January 1970
/// (`year × 12 + month − 1`).
pub fn month_start_day(month_index: i64) -> i64 {
    headroom_traffic::time::days_from_civil(
        month_index.div_euclid(12),
        (month_index.rem_euclid(12) + 1) as u32,
        1,
    )
}

/// Why `QuantileChoice::Auto` chose the replay's cheapest quantile: each strategy's
/// cost and shortfall, and the tiers that hold a quantile of their own.
pub(super) fn auto_quantile(
    r: &Replay,
    topology: &Topology,
    step_s: i64,
    options: &Options,
) -> String {
    let quantile = r.cheapest_quantile();
    let currency = options.prices.currency();
    let figures: Vec<String> = r
        .plans()
        .iter()
        .map(|o| {
            format!(
                "{} {} {currency} ({} tier-minutes past a ceiling)",
                o.name,
                thousands(o.total_cost().round() as i64),
                thousands((o.steps_over_ceiling() as i64) * step_s / 60)
            )
        })
        .collect();
    format!(
        "--quantile auto chose {} as the cheapest in a replay of {} months of this history: {}; shortfall priced at {} {currency} a minute{}",
        quantile_name(quantile),
        r.months.len(),
        figures.join(", "),
        options.shortfall_cost,
        own_quantiles(r, topology, quantile)
    )
}

/// Tiers whose own cheapest quantile differs from the overall one hold their own: which.
fn own_quantiles(r: &Replay, topology: &Topology, quantile: headroom_plan::Quantile) -> String {
    let own: Vec<String> = r
        .best_quantile
        .iter()
        .zip(topology.tiers())
        .filter(|(q, _)| **q != quantile)
        .map(|(q, t)| format!("{} {}", t.name, quantile_name(*q)))
        .collect();
    if own.is_empty() {
        return String::new();
    }
    format!(
        "; tiers whose own replay was cheapest at another quantile hold it: {}",
        own.join(", ")
    )
}

/// Hours of the week, by day and hour, for listing windows.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `--deploy-windows`: per tier with a deploy strategy, the hours of the week its deploy
/// fits with today's servers at the hour's measured peak, and the largest batch at peaks.
pub fn deploy_windows(p: &Planned, topology: &Topology, rollups: &Rollups) -> Vec<String> {
    let hours = headroom_plan::hour_of_week_peaks(
        rollups.iter().map(|(m, c)| (m, c.requests as f64 / 60.0)),
    );
    let redundancy = p.plan.policy.redundancy;
    let seen = hours.iter().filter(|h| h.is_some()).count();
    let mut out = vec![format!(
        "deploy windows with today's servers at each hour's busiest minute ({seen} of 168 hours of the week seen; {} lost too; times UTC):",
        redundancy.describe()
    )];
    let peak = hours.iter().flatten().copied().fold(0.0, f64::max);
    for (i, tier) in topology.tiers().iter().enumerate() {
        let Some(deploy) = &tier.deploy else {
            continue;
        };
        let fits = headroom_plan::deploy_windows(topology, i, tier.servers, redundancy, &hours);
        let runs = runs_of(&fits);
        let safe: usize = fits.iter().filter(|f| **f == Some(true)).count();
        out.push(format!(
            "  {} ({}, {:.0} min): fits in {safe} of {seen} hours{}",
            tier.name,
            deploy.describe(),
            deploy.minutes,
            if runs.is_empty() {
                String::new()
            } else {
                format!(": {}", runs.join(", "))
            }
        ));
        out.push(largest_batch(p, topology, i, peak));
    }
    if out.len() == 1 {
        out.push(
            "  no tier states a deploy strategy (deploy = { strategy = ... } in the topology)"
                .to_owned(),
        );
    }
    out
}

/// Tier `i`'s largest rolling batch with today's servers at the measured `peak`, and
/// with the plan's last month's servers at its peak.
fn largest_batch(p: &Planned, topology: &Topology, i: usize, peak: f64) -> String {
    let (tier, redundancy) = (&topology.tiers()[i], p.plan.policy.redundancy);
    let batch = |servers: u32, rps: f64| {
        headroom_plan::largest_batch(topology, i, servers, redundancy, rps)
            .map_or("none fits".to_owned(), |b| format!("{b} at a time"))
    };
    let planned = p.plan.months.last().map_or(String::new(), |m| {
        format!(
            "; {} with the plan's {} at {}'s peak ({:.2} rps)",
            batch(m.tiers[i].total, m.peak_rps),
            m.tiers[i].total,
            p.demand.month_labels.last().map_or("-", String::as_str),
            m.peak_rps
        )
    });
    format!(
        "    largest rolling batch: {} with today's {} at the measured peak ({peak:.2} rps){planned}",
        batch(tier.servers, peak),
        tier.servers,
    )
}

/// Runs of safe hours as "Mon 02:00–08:00".
fn runs_of(fits: &[Option<bool>]) -> Vec<String> {
    let n = fits.len();
    let name = |h: usize| format!("{} {:02}:00", WEEKDAYS[(h % n) / 24], h % 24);
    let safe = |h: usize| fits[h % n] == Some(true);
    if (0..n).all(safe) {
        return vec!["every hour".to_owned()];
    }
    // The week is a circle: a run through Sunday midnight is one run, listed from where
    // it starts. Begin at an hour that is not safe so no run is cut in two.
    let first = (0..n).find(|&h| !safe(h)).unwrap_or(0);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut h = first;
    while h < first + n {
        if safe(h) {
            let start = h;
            while h < first + n && safe(h) {
                h += 1;
            }
            runs.push((start % n, h % n));
        } else {
            h += 1;
        }
    }
    runs.sort_unstable();
    let mut out: Vec<String> = runs
        .into_iter()
        .map(|(start, end)| format!("{}–{}", name(start), name(end)))
        .collect();
    if out.len() > 8 {
        let more = out.len() - 8;
        out.truncate(8);
        out.push(format!("and {more} more"));
    }
    out
}

/// Money with thousands separators, no decimals.
pub fn money(x: f64) -> String {
    thousands(x.round() as i64)
}

/// The plan as lines of text: where the demand came from, the policy, a row per month
/// (and today's), why in the last month, when to order, and the cost.
pub fn plan(p: &Planned, topology: &Topology) -> Vec<String> {
    let ceilings: Vec<String> = topology
        .tiers()
        .iter()
        .map(|t| format!("{} {:.0}%", t.name, t.ceiling * 100.0))
        .collect();
    let mut out = vec![
        p.demand.described.clone(),
        format!(
            "policy: {} per tier; ceilings {}",
            p.plan.policy.redundancy.describe(),
            ceilings.join(", ")
        ),
    ];
    out.extend(month_table(p, topology));
    let (Some(last), Some(label)) = (p.plan.months.last(), p.demand.month_labels.last()) else {
        return out;
    };
    out.push(format!("why, in {label}:"));
    out.extend(reasons(p, topology, last));
    out.extend(when_to_order(p, topology));
    out.extend(cost_lines(&p.costs, &p.demand.month_labels));
    out
}

/// The plan's table: servers per tier and hosts per pool each month, the machines and
/// the peak Mbps, then today's counts.
fn month_table(p: &Planned, topology: &Topology) -> Vec<String> {
    let (plan, tiers) = (&p.plan, topology.tiers());
    let mut header = format!("{:<8} {:>10}", "month", "peak rps");
    for t in tiers {
        header.push_str(&format!(" {:>7}", t.name));
    }
    for pool in topology.pools() {
        header.push_str(&format!(" {:>9}", pool.name));
    }
    header.push_str(&format!(" {:>8} {:>9}", "machines", "peak Mbps"));
    let mut out = vec![header];
    for (i, (m, label)) in plan.months.iter().zip(&p.demand.month_labels).enumerate() {
        let mut row = format!("{label:<8} {:>10.3}", m.peak_rps);
        for t in &m.tiers {
            row.push_str(&format!(" {:>7}", t.total));
        }
        for pool in &m.pools {
            row.push_str(&format!(" {:>9}", pool.total));
        }
        let mbps = m
            .network
            .as_ref()
            .map_or("-".to_owned(), |n| format!("{:.1}", n.peak_mbps));
        row.push_str(&format!(" {:>8} {:>9}", plan.machines(topology, i), mbps));
        out.push(row);
    }
    let mut today = format!("{:<8} {:>10}", "today", "");
    for t in tiers {
        today.push_str(&format!(" {:>7}", t.servers));
    }
    for pool in plan.months.first().map_or(&[][..], |m| &m.pools[..]) {
        today.push_str(&format!(" {:>9}", pool.today));
    }
    out.push(today);
    out
}

/// Why the `last` month needs what it needs: each tier's count, each pool's hosts, the
/// uplinks and the disks.
fn reasons(p: &Planned, topology: &Topology, last: &headroom_plan::MonthPlan) -> Vec<String> {
    let mut out: Vec<String> = last
        .tiers
        .iter()
        .map(|t| format!("  {}", t.reason))
        .collect();
    for pool in &last.pools {
        out.push(format!(
            "  pool '{}': {} hosts (its VMs pack onto {}, one VM of a tier per host; {} today)",
            pool.pool, pool.total, pool.packed, pool.today
        ));
    }
    if let Some(n) = &last.network {
        out.push(network_line(topology, n));
    }
    for s in &last.storage {
        let first = p.plan.months[0]
            .storage
            .iter()
            .find(|f| f.tier == s.tier)
            .map_or(0.0, |f| f.gb_per_server);
        let fill = s.fill.map_or(String::new(), |f| {
            format!(", {:.0}% of its disk", f * 100.0)
        });
        out.push(format!(
            "  storage: {} holds {:.0} GB a server ({first:.0} GB at the end of month 1){fill}",
            s.tier, s.gb_per_server,
        ));
    }
    out
}

/// The peak Mbps against the uplinks, when the topology states them.
fn network_line(topology: &Topology, n: &headroom_plan::NetworkPlan) -> String {
    match (topology.uplink(), n.uplinks_needed) {
        (Some(u), Some(needed)) => format!(
            "  network: {:.1} Mbps at peak on {} × {} Mbps uplinks ({:.0}%); {} needed to stay under {:.0}% with one lost",
            n.peak_mbps,
            u.count,
            u.mbps,
            n.utilisation.unwrap_or(0.0) * 100.0,
            needed,
            headroom_plan::LINK_CEILING * 100.0
        ),
        _ => format!(
            "  network: {:.1} Mbps at peak (no uplink_mbps in the topology to compare with)",
            n.peak_mbps
        ),
    }
}

/// When each tier runs out of room with today's servers, and by when to order.
fn when_to_order(p: &Planned, topology: &Topology) -> Vec<String> {
    let labels = &p.demand.month_labels;
    let leads = &p.plan.policy.leads;
    let mut out = vec![format!(
        "with today's servers (lead times: purchase {}, VM {}, cloud {}):",
        minutes_text(leads.purchase),
        minutes_text(leads.vm),
        minutes_text(leads.cloud)
    )];
    let crossings = headroom_plan::crossings(&p.plan);
    let buys = headroom_plan::first_purchases(&p.plan);
    for ((tier, crossing), buy) in topology.tiers().iter().zip(crossings).zip(buys) {
        out.push(match buy {
            Some(month) => order_line(p, tier, month, crossing),
            None => format!(
                "  {}: its {} servers carry the demand through {}",
                tier.name,
                tier.servers,
                labels.last().map_or("-", String::as_str)
            ),
        });
    }
    for (tier, month) in headroom_plan::storage_crossings(&p.plan) {
        if let Some(m) = month {
            out.push(format!(
                "  {tier}: data passes {:.0}% of a server's disk in {}",
                headroom_plan::DISK_CEILING * 100.0,
                labels[m as usize - 1]
            ));
        }
    }
    out
}

/// A tier that needs more servers than today's first in `month`: what for, and by when
/// to order them (its supply's lead time before that month starts).
fn order_line(
    p: &Planned,
    tier: &headroom_topology::Tier,
    month: u32,
    crossing: Option<u32>,
) -> String {
    let (labels, start_day) = (&p.demand.month_labels, p.demand.start_day);
    let (year, first, _) = civil_from_days(start_day);
    let month_start = month_start_day(year * 12 + i64::from(first) - 1 + i64::from(month));
    let lead_days = (p.plan.policy.leads.of(tier.supply()) / 1440.0).ceil() as i64;
    let order_by = month_start - lead_days;
    let late = if order_by < start_day {
        " (already late)"
    } else {
        ""
    };
    let planned = p.plan.months[month as usize - 1]
        .tiers
        .iter()
        .find(|t| t.tier == tier.name)
        .expect("every month plans every tier");
    let parts = what_for(planned, p.plan.policy.redundancy);
    let ceiling = crossing.map_or(String::new(), |c| {
        format!(
            "; demand alone passes its ceiling in {}",
            labels[c as usize - 1]
        )
    });
    format!(
        "  {}: needs {} in {} ({}), more than its {}: order by {}{late}{ceiling}",
        tier.name,
        planned.required,
        labels[month as usize - 1],
        parts.join(", "),
        tier.servers,
        format_date(order_by * DAY)
    )
}

/// What a tier's count is made of, in words: demand, a lead-time buffer, the
/// redundancy, deploys.
fn what_for(
    planned: &headroom_plan::TierPlan,
    redundancy: headroom_plan::Redundancy,
) -> Vec<String> {
    let mut parts = vec!["demand".to_owned()];
    if planned.for_lead > 0 {
        parts.push("lead-time buffer".to_owned());
    }
    parts.push(redundancy.describe());
    if planned.for_deploy > 0 {
        parts.push("deploys".to_owned());
    }
    parts
}

/// The cost table by month and in total, the break-even, and each tier's two sides.
fn cost_lines(c: &Costs, labels: &[String]) -> Vec<String> {
    let mut out = vec![
        format!(
            "cost ({}; self-built amortised, and as cash with the fleet bought in month 1):",
            c.currency
        ),
        format!(
            "  {:<8} {:>12} {:>12} {:>14} {:>12} {:>12}",
            "month", "self-built", "(cash)", "cloud reserved", "on demand", "elastic"
        ),
    ];
    for (m, label) in c.months.iter().zip(labels) {
        let sums = [
            m.self_built,
            m.self_built_cash,
            m.cloud_reserved,
            m.cloud_on_demand,
        ];
        out.push(cost_row(label, sums, m.cloud_elastic));
    }
    let t = &c.totals;
    let sums = [
        t.self_built,
        t.self_built_cash,
        t.cloud_reserved,
        t.cloud_on_demand,
    ];
    out.push(cost_row("total", sums, t.cloud_elastic));
    out.push(break_even_line(c, labels));
    if t.cloud_elastic.is_none() {
        out.push("  elastic: needs the hourly profile of a dataset (--traffic)".to_owned());
    }
    out.extend(c.tiers.iter().map(tier_cost_line));
    for (tier, why) in &c.unpriced {
        out.push(format!("  {tier}: not priced: {why}"));
    }
    out
}

/// A row of the cost table: self-built amortised and cash, cloud reserved and on
/// demand, and elastic when there is one.
fn cost_row(
    label: &str,
    [built, cash, reserved, demand]: [f64; 4],
    elastic: Option<f64>,
) -> String {
    format!(
        "  {label:<8} {:>12} {:>12} {:>14} {:>12} {:>12}",
        money(built),
        money(cash),
        money(reserved),
        money(demand),
        elastic.map_or("-".to_owned(), money)
    )
}

/// By which month self-built cash is at or below reserved cloud, if within the plan.
fn break_even_line(c: &Costs, labels: &[String]) -> String {
    match c.break_even {
        Some(m) => format!(
            "  break-even: by {} the self-built cash spent ({} up front) is at or below three-year reserved cloud",
            labels[m as usize - 1],
            money(c.months[0].self_built_cash)
        ),
        None => format!(
            "  break-even: not within {} months: cumulative self-built cash stays above reserved cloud",
            labels.len()
        ),
    }
}

/// One tier's self-built and cloud totals, and by how much the side it favours is cheaper.
fn tier_cost_line(tier: &headroom_plan::TierCost) -> String {
    let (cheap, dear) = if tier.favours == "self-built" {
        (tier.self_built.total, tier.cloud.total)
    } else {
        (tier.cloud.total, tier.self_built.total)
    };
    let cheaper = if dear > 0.0 {
        format!(" ({:.0}% cheaper)", (1.0 - cheap / dear) * 100.0)
    } else {
        String::new()
    };
    format!(
        "  {}: self-built {} ({}) against cloud {} ({}): favours {}{cheaper}",
        tier.tier,
        money(tier.self_built.total),
        tier.self_built.what,
        money(tier.cloud.total),
        tier.cloud.what,
        tier.favours,
    )
}

/// The plan as CSV: a header, then one row per month and tier.
pub fn csv(p: &Planned, topology: &Topology) -> Vec<String> {
    let mut out = vec![
        "month,peak_rps,tier,demand_rps,for_demand,for_lead,for_redundancy,for_deploy,required,today,total,added,utilisation,machines,peak_mbps,self_built_cost,cloud_reserved_cost"
            .to_owned(),
    ];
    for (i, (m, label)) in p.plan.months.iter().zip(&p.demand.month_labels).enumerate() {
        let c = &p.costs.months[i];
        for t in &m.tiers {
            out.push(format!(
                "{label},{:.3},{},{:.3},{},{},{},{},{},{},{},{},{:.4},{},{},{:.2},{:.2}",
                m.peak_rps,
                t.tier,
                t.demand_rps,
                t.for_demand,
                t.for_lead,
                t.for_redundancy,
                t.for_deploy,
                t.required,
                t.today,
                t.total,
                t.added,
                t.utilisation,
                p.plan.machines(topology, i),
                m.network
                    .as_ref()
                    .map_or(String::new(), |n| format!("{:.3}", n.peak_mbps)),
                c.self_built,
                c.cloud_reserved
            ));
        }
    }
    out
}

/// One strategy's row, all tiers summed (a minute two tiers are short counts twice):
/// name, tier-minutes past a ceiling and past 100%,
/// worst overshoot, server-months, idle server-months, hardware, shortfall and total
/// cost. The replay's text and the report's table both show these.
pub fn outcome_cells(o: &Outcome, step_s: i64) -> [String; 9] {
    let minutes = |steps: usize| thousands((steps as f64 * step_s as f64 / 60.0).round() as i64);
    [
        o.name.clone(),
        minutes(o.steps_over_ceiling()),
        minutes(o.steps_over_full()),
        format!("{:.0}%", o.worst_over_ceiling() * 100.0),
        format!("{:.0}", o.server_months()),
        format!("{:.0}", o.idle_server_months()),
        money(o.hardware_cost()),
        money(o.shortfall_cost()),
        money(o.total_cost()),
    ]
}

/// The column names of [`outcome_cells`].
pub const OUTCOME_COLUMNS: [&str; 9] = [
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
pub fn replay(r: &Replay, source: &Path, currency: &str, shortfall_per_minute: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", replay_heading(r, source));
    let line = |c: &[String]| {
        format!(
            "{:<20} {:>27} {:>22} {:>6} {:>13} {:>7} {:>12} {:>12} {:>12}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]
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

/// What was replayed: the source, the months, how often a plan was made, and the step
/// it was held against.
fn replay_heading(r: &Replay, source: &Path) -> String {
    let step = match r.step_s {
        60 => "minute".to_owned(),
        3600 => "hour".to_owned(),
        86_400 => "day".to_owned(),
        s => format!("{s} s step"),
    };
    let every = match r.every_months {
        1 => "every month start".to_owned(),
        n => format!("every {n} months' start"),
    };
    format!(
        "replay of {}: {} months, {} to {}, a plan at {every} after {} days of history, held against each {step}; past a ceiling = with the policy's failures taken",
        source.display(),
        r.months.len(),
        month_label(r.months[0]),
        month_label(r.months[r.months.len() - 1]),
        r.min_history_days
    )
}

/// `point`, `80` or `95`.
pub fn quantile_name(q: headroom_plan::Quantile) -> &'static str {
    match q {
        headroom_plan::Quantile::Point => "point",
        headroom_plan::Quantile::Upper80 => "80",
        headroom_plan::Quantile::Upper95 => "95",
    }
}

/// A dataset's summary as aligned tables: totals, peaks, status and shares, visitors,
/// durations, rejects, months and the top paths and agents.
pub fn summary(s: &Summary) -> Vec<String> {
    let mut out: Vec<String> = summary_rows(s)
        .into_iter()
        .map(|(k, v)| format!("{k:<28} {v}"))
        .collect();
    out.extend(summary_details(s));
    out
}

/// The summary's one-line figures, named.
fn summary_rows(s: &Summary) -> Vec<(&'static str, String)> {
    let none = || "-".to_owned();
    let rows = [
        ("lines read", thousands(s.lines.lines_read as i64)),
        ("lines parsed", thousands(s.lines.lines_parsed as i64)),
        ("lines rejected", thousands(s.lines.lines_rejected as i64)),
        ("requests", thousands(s.requests)),
        ("bytes", thousands(s.bytes)),
        ("first minute", s.first_minute.clone().unwrap_or_else(none)),
        ("last minute", s.last_minute.clone().unwrap_or_else(none)),
        (
            "peak requests/s",
            format!("{:.3} (busiest minute ÷ 60)", s.peak_rps),
        ),
        ("peak minute", s.peak_minute.clone().unwrap_or_else(none)),
        ("mean requests/s", format!("{:.3}", s.mean_rps)),
        ("peak-to-mean", format!("{:.2}", s.peak_to_mean)),
        ("peak Mbps", format!("{:.3}", s.peak_mbps)),
    ];
    rows.into_iter().chain(summary_mix_rows(s)).collect()
}

/// The summary's figures on who asked and how they were answered.
fn summary_mix_rows(s: &Summary) -> Vec<(&'static str, String)> {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let hour = s.busiest_hour_of_week.clone();
    let rows = [
        (
            "busiest hour of week (UTC)",
            hour.unwrap_or_else(|| "-".to_owned()),
        ),
        (
            "status 1xx/2xx/3xx/4xx/5xx",
            format!(
                "{} / {} / {} / {} / {}",
                s.status.s1xx, s.status.s2xx, s.status.s3xx, s.status.s4xx, s.status.s5xx
            ),
        ),
        ("static share", pct(s.static_share)),
        ("bot share", pct(s.bot_share)),
        (
            "unique visitors",
            format!("{:.0} (distinct over the span)", s.unique_visitors),
        ),
        (
            "unique visitors, GoAccess",
            format!("{:.0} (daily uniques added up)", s.goaccess_unique_visitors),
        ),
        ("distinct hosts", format!("{:.0}", s.unique_hosts)),
    ];
    rows.into()
}

/// Durations, rejects by reason with samples, the months and the top lists.
fn summary_details(s: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &s.durations {
        out.push(format!(
            "{:<28} n={} mean {:.1} ms, p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1} (rank error {:.2}%)",
            "durations",
            thousands(d.count),
            d.mean_ms,
            d.p50_ms,
            d.p90_ms,
            d.p99_ms,
            d.max_ms,
            d.rank_error * 100.0
        ));
    }
    for (reason, n) in &s.lines.rejected_by_reason {
        out.push(format!(
            "{:<28} {}",
            format!("  rejected: {reason}"),
            thousands(*n as i64)
        ));
    }
    for sample in &s.lines.reject_samples {
        out.push(format!("  {sample}"));
    }
    out.extend(summary_months(s));
    out
}

/// The summary's months table and its top paths and user agents.
fn summary_months(s: &Summary) -> Vec<String> {
    let mut out = vec![format!(
        "{:<10} {:>12} {:>16} {:>10} {:>10} {:>10}",
        "month", "requests", "bytes", "visitors", "hosts", "peak rps"
    )];
    for m in &s.months {
        out.push(format!(
            "{:<10} {:>12} {:>16} {:>10.0} {:>10.0} {:>10.3}",
            m.period,
            thousands(m.requests),
            thousands(m.bytes),
            m.visitors,
            m.hosts,
            m.peak_rps
        ));
    }
    for (title, top) in [
        ("top paths", &s.top_paths),
        ("top user agents", &s.top_user_agents),
    ] {
        out.push(format!(
            "{title} (counts overestimate by at most {}):",
            top.max_error
        ));
        for item in top.items.iter().take(5) {
            let text: String = item.item.chars().take(90).collect();
            out.push(format!("  {:>10}  {text}", thousands(item.requests as i64)));
        }
    }
    out
}

/// What `verify` found: the files read and the requests they hold against the
/// manifest's, then each damaged file and each note.
pub fn verification(dir: &Path, v: &headroom_traffic::Verification) -> Vec<String> {
    let mut out = vec![format!(
        "{}: {} days, {} files read; {} requests in the tables, {} lines parsed by the manifest's inputs",
        dir.display(),
        v.days,
        v.files,
        thousands(v.requests_in_tables as i64),
        thousands(v.requests_in_manifest as i64)
    )];
    for d in &v.damaged {
        out.push(format!("damaged: {}: {}", d.path.display(), d.reason));
    }
    for note in &v.notes {
        out.push(format!("note: {note}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(2_747_282_740), "2,747,282,740");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(thousands(0), "0");
    }

    #[test]
    fn runs_of_safe_hours() {
        let mut fits = vec![Some(false); 168];
        for h in [26, 27, 28, 100, 167] {
            fits[h] = Some(true);
        }
        assert_eq!(
            runs_of(&fits),
            [
                "Tue 02:00–Tue 05:00",
                "Fri 04:00–Fri 05:00",
                "Sun 23:00–Mon 00:00"
            ]
        );
        // Through Sunday midnight: one run.
        let mut fits = vec![Some(false); 168];
        for h in (160..168).chain(0..5) {
            fits[h] = Some(true);
        }
        assert_eq!(runs_of(&fits), ["Sun 16:00–Mon 05:00"]);
        assert_eq!(runs_of(&[Some(true); 168]), ["every hour"]);
    }
}
