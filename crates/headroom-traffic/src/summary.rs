//! The traffic summary: the figures a capacity planner quotes, computed from rollups.
//!
//! Distinct counts use the HLL composite estimator, which reads the registers alone: the
//! HIP estimator a directly fed sketch carries depends on how sketches were grouped
//! before their union, and the summary must not change with the grouping (one ingest,
//! partials merged here or by Spark, whose `hll_sketch_estimate` of a union is the same
//! composite estimate).

use std::collections::BTreeMap;

use datasketches::frequencies::{ErrorType, FrequentItemsSketch};
use datasketches::hll::{HllSketch, HllType, HllUnion};
use datasketches::kll::{KllFloat, KllSketch};
use serde::{Deserialize, Serialize};

use crate::ingest::{FileReport, LineCounts};
use crate::rollup::{DaySketches, HLL_LG_K, HourSketches, KLL_K, MinuteCounts, Rollups};
use headroom_logformat::time::{MINUTE, format_date, format_rfc3339};

/// How many top paths and user agents the summary lists.
pub const TOP_N: usize = 10;

/// How unique visitors are counted, in words (also written into summary.json).
pub const VISITOR_DEFINITION: &str = "distinct (client address, user agent) pairs among requests \
whose status is not 4xx, within the period; per day this is GoAccess's unique visitor, and \
goaccess_unique_visitors adds the days up as GoAccess's total does";

/// Requests by status class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMix {
    /// 1xx responses.
    pub s1xx: i64,
    /// 2xx responses.
    pub s2xx: i64,
    /// 3xx responses.
    pub s3xx: i64,
    /// 4xx responses.
    pub s4xx: i64,
    /// 5xx responses.
    pub s5xx: i64,
}

/// Figures for one calendar period (a UTC day or month).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub period: String,
    /// Requests.
    pub requests: i64,
    /// Response bytes.
    pub bytes: i64,
    /// Unique visitors (see [`VISITOR_DEFINITION`]), HLL estimate.
    pub visitors: f64,
    /// Distinct client addresses, HLL estimate.
    pub hosts: f64,
    /// Busiest minute's requests ÷ 60.
    pub peak_rps: f64,
}

/// A heavy hitter: an item and its estimated requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopItem {
    /// The path or user agent (invalid UTF-8 replaced).
    pub item: String,
    /// Estimated requests; the true count lies in `[estimate - max_error, estimate]`.
    pub requests: u64,
}

/// Top items with the sketch's error bound.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Top {
    /// Largest overestimate of any count: true ≥ estimate − max_error.
    pub max_error: u64,
    /// Items, most requested first.
    pub items: Vec<TopItem>,
}

/// Request durations, from the logs that record them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Durations {
    /// Requests with a logged duration.
    pub count: i64,
    /// Mean, milliseconds.
    pub mean_ms: f64,
    /// Median, milliseconds (KLL estimate).
    pub p50_ms: f64,
    /// 90th percentile, milliseconds.
    pub p90_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Longest, milliseconds (exact).
    pub max_ms: f64,
    /// Normalised rank error of the quantiles.
    pub rank_error: f64,
}

/// What `summary.json` holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// xxh3-128 of the `manifest.json` this summary describes (empty when it describes
    /// no dataset): a summary of another manifest is stale and is rebuilt.
    #[serde(default)]
    pub manifest_xxh3: String,
    /// Line accounting over every input.
    #[serde(flatten)]
    pub lines: LineCounts,
    /// Per-input reports.
    pub files: Vec<FileReport>,
    /// Requests counted (parsed lines).
    pub requests: i64,
    /// Response bytes, `-` counted as zero.
    pub bytes: i64,
    /// Requests by status class.
    pub status: StatusMix,
    /// Requests for pages by people.
    pub pages: i64,
    /// Requests for static assets by people.
    pub static_assets: i64,
    /// Requests by bots (by user agent).
    pub bots: i64,
    /// `static_assets ÷ requests`.
    pub static_share: f64,
    /// `bots ÷ requests`.
    pub bot_share: f64,
    /// Time of the earliest request's minute (RFC 3339, UTC).
    pub first_minute: Option<String>,
    /// Time of the latest request's minute (RFC 3339, UTC).
    pub last_minute: Option<String>,
    /// Minutes from the first to the last, inclusive.
    pub span_minutes: i64,
    /// Requests per second in the busiest minute (its requests ÷ 60).
    pub peak_rps: f64,
    /// Start of the busiest minute (RFC 3339, UTC).
    pub peak_minute: Option<String>,
    /// Requests ÷ the span in seconds (idle minutes inside the span count as zero).
    pub mean_rps: f64,
    /// `peak_rps ÷ mean_rps`: how much capacity sits idle on an average minute.
    pub peak_to_mean: f64,
    /// Megabits per second (10^6 bits) in the minute with the most bytes.
    pub peak_mbps: f64,
    /// The hour of the week (UTC) with the most requests, e.g. `Tue 19:00`.
    pub busiest_hour_of_week: Option<String>,
    /// Requests in each hour of the week, Monday 00:00 UTC first (168 values).
    pub hour_of_week_requests: Vec<i64>,
    /// How unique visitors are counted.
    pub visitor_definition: String,
    /// Distinct visitors over the whole span (HLL estimate).
    pub unique_visitors: f64,
    /// Daily unique visitors added up, as GoAccess reports its total.
    pub goaccess_unique_visitors: f64,
    /// Distinct client addresses over the whole span (HLL estimate).
    pub unique_hosts: f64,
    /// Figures per UTC day.
    pub days: Vec<Period>,
    /// Figures per calendar month (UTC).
    pub months: Vec<Period>,
    /// Request durations, when the logs have them.
    pub durations: Option<Durations>,
    /// Most requested paths (query strings removed).
    pub top_paths: Top,
    /// Most frequent user agents.
    pub top_user_agents: Top,
}

impl Summary {
    /// Computes the summary of some rollups and the inputs that produced them.
    pub fn new(rollups: &Rollups, lines: &LineCounts, files: Vec<FileReport>) -> Summary {
        let totals = rollups.totals();
        let [s1xx, s2xx, s3xx, s4xx, s5xx] = totals.status;
        let first = rollups.iter().next().map(|(m, _)| m);
        let last = rollups.iter().next_back().map(|(m, _)| m);
        let span_minutes = match (first, last) {
            (Some(f), Some(l)) => (l - f) / MINUTE + 1,
            _ => 0,
        };
        let busiest = rollups.busiest_minute();
        let peak_rps = busiest.map_or(0.0, |(_, c)| c.requests as f64 / MINUTE as f64);
        let mean_rps = ratio(totals.requests as f64, (span_minutes * MINUTE) as f64);
        let peak_mbps = rollups
            .heaviest_minute()
            .map_or(0.0, |(_, c)| c.bytes as f64 * 8.0 / MINUTE as f64 / 1e6);
        let hour_of_week = hour_of_week(rollups);
        let (days, months, all) = periods(rollups);
        let all_hours: Vec<&HourSketches> = rollups.hours().map(|(_, s)| s).collect();
        let all_days: Vec<&DaySketches> = rollups.days().map(|(_, s)| s).collect();
        Summary {
            manifest_xxh3: String::new(),
            lines: lines.clone(),
            files,
            requests: totals.requests,
            bytes: totals.bytes,
            status: StatusMix {
                s1xx,
                s2xx,
                s3xx,
                s4xx,
                s5xx,
            },
            pages: totals.pages,
            static_assets: totals.static_assets,
            bots: totals.bots,
            static_share: ratio(totals.static_assets as f64, totals.requests as f64),
            bot_share: ratio(totals.bots as f64, totals.requests as f64),
            first_minute: first.map(format_rfc3339),
            last_minute: last.map(format_rfc3339),
            span_minutes,
            peak_rps,
            peak_minute: busiest.map(|(m, _)| format_rfc3339(m)),
            mean_rps,
            peak_to_mean: ratio(peak_rps, mean_rps),
            peak_mbps,
            busiest_hour_of_week: busiest_slot(&hour_of_week),
            hour_of_week_requests: hour_of_week,
            visitor_definition: VISITOR_DEFINITION.to_owned(),
            unique_visitors: all.0.composite_estimate(),
            goaccess_unique_visitors: days.iter().map(|d| d.visitors).sum(),
            unique_hosts: all.1.composite_estimate(),
            months,
            days,
            durations: durations(&totals, &all_hours),
            top_paths: top(all_days.iter().map(|d| &d.paths)),
            top_user_agents: top(all_days.iter().map(|d| &d.agents)),
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// A period's figures with the unions of its visitor and host sketches.
type Unions = (Period, HllUnion, HllUnion);

/// Figures per day and per month, and the whole span's visitor and host unions. Hours
/// are unioned into their day, days into their month, months into the span: each
/// sketch is merged once on its way up, where unioning every hour into each of the
/// three measured a twentieth of a 1 M-line ingest. A union of unions holds the same
/// registers, so the estimates do not change.
fn periods(rollups: &Rollups) -> (Vec<Period>, Vec<Period>, (HllUnion, HllUnion)) {
    let new_union = || HllUnion::new(HLL_LG_K).expect("valid lg k");
    let empty = || (Period::default(), new_union(), new_union());
    let mut days: BTreeMap<String, Unions> = BTreeMap::new();
    for (minute, c) in rollups.iter() {
        let entry = days.entry(format_date(minute)).or_insert_with(empty);
        let peak = c.requests as f64 / MINUTE as f64;
        add_minute(&mut entry.0, c.requests, c.bytes, peak);
    }
    for (hour, s) in rollups.hours() {
        if let Some(entry) = days.get_mut(&format_date(hour)) {
            entry.1.update(&s.visitors);
            entry.2.update(&s.hosts);
        }
    }
    let mut months: BTreeMap<String, Unions> = BTreeMap::new();
    let days: Vec<Period> = days
        .into_iter()
        .map(|(date, day)| {
            let month = months.entry(date[..7].to_owned()).or_insert_with(empty);
            add_minute(&mut month.0, day.0.requests, day.0.bytes, day.0.peak_rps);
            close(date, day, (&mut month.1, &mut month.2))
        })
        .collect();
    let mut all = (new_union(), new_union());
    let months = months
        .into_iter()
        .map(|(period, month)| close(period, month, (&mut all.0, &mut all.1)))
        .collect();
    (days, months, all)
}

/// A period's figures with its distinct counts estimated, its visitor and host unions
/// added to those of the period holding it.
fn close(
    period: String,
    (p, visitors, hosts): Unions,
    (up_visitors, up_hosts): (&mut HllUnion, &mut HllUnion),
) -> Period {
    let (visitors, hosts) = (sketch(&visitors), sketch(&hosts));
    up_visitors.update(&visitors);
    up_hosts.update(&hosts);
    Period {
        period,
        visitors: visitors.composite_estimate(),
        hosts: hosts.composite_estimate(),
        ..p
    }
}

/// Adds requests, bytes and a peak to a period's figures.
fn add_minute(p: &mut Period, requests: i64, bytes: i64, peak_rps: f64) {
    p.requests += requests;
    p.bytes += bytes;
    p.peak_rps = p.peak_rps.max(peak_rps);
}

fn sketch(u: &HllUnion) -> HllSketch {
    u.to_sketch(HllType::Hll8)
}

/// Requests per hour of the week, Monday 00:00 UTC first.
fn hour_of_week(rollups: &Rollups) -> Vec<i64> {
    let mut slots = vec![0; 168];
    for (minute, c) in rollups.iter() {
        slots[headroom_logformat::time::hour_of_week(minute)] += c.requests;
    }
    slots
}

fn busiest_slot(slots: &[i64]) -> Option<String> {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (i, &n) = slots
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))?;
    (n > 0).then(|| format!("{} {:02}:00", NAMES[i / 24], i % 24))
}

fn durations(totals: &MinuteCounts, hours: &[&HourSketches]) -> Option<Durations> {
    if totals.duration_count == 0 {
        return None;
    }
    let mut kll: KllSketch<KllFloat<f64>> = KllSketch::new(KLL_K).expect("valid k");
    for h in hours {
        kll.merge(&h.durations_ms).expect("same k");
    }
    let q = |rank: f64| {
        kll.quantile(rank, datasketches::common::SearchCriteria::Inclusive)
            .ok()
            .flatten()
            .map_or(0.0, KllFloat::into_inner)
    };
    Some(Durations {
        count: totals.duration_count,
        mean_ms: totals.duration_sum_us as f64 / totals.duration_count as f64 / 1e3,
        p50_ms: q(0.5),
        p90_ms: q(0.9),
        p99_ms: q(0.99),
        max_ms: totals.duration_max_us as f64 / 1e3,
        rank_error: kll.normalized_rank_error(),
    })
}

fn top<'a>(sketches: impl Iterator<Item = &'a FrequentItemsSketch<String>>) -> Top {
    let mut merged: Option<FrequentItemsSketch<String>> = None;
    for s in sketches {
        match &mut merged {
            Some(m) => m.merge(s),
            None => merged = Some(s.clone()),
        }
    }
    let Some(sketch) = merged else {
        return Top::default();
    };
    let mut rows = sketch.frequent_items(ErrorType::NoFalseNegatives);
    rows.sort_by(|a, b| {
        b.estimate()
            .cmp(&a.estimate())
            .then_with(|| a.item().cmp(b.item()))
    });
    Top {
        max_error: sketch.maximum_error(),
        items: rows
            .into_iter()
            .take(TOP_N)
            .map(|r| TopItem {
                item: r.item().clone(),
                requests: r.estimate(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_of_week_starts_on_monday() {
        let mut slots = vec![0; 168];
        slots[24 + 19] = 5;
        assert_eq!(busiest_slot(&slots).as_deref(), Some("Tue 19:00"));
        assert_eq!(busiest_slot(&[0; 168]), None);
    }
}
