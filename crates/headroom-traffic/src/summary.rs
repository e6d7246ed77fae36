//! The traffic summary: the figures a capacity planner quotes, computed from rollups.
//!
//! Distinct counts use the HLL composite estimator, which reads the registers alone: the
//! HIP estimator a directly fed sketch carries depends on how sketches were grouped
//! before their union, and the summary must not change with the grouping (one ingest,
//! partials merged here or by Spark, whose `hll_sketch_estimate` of a union is the same
//! composite estimate).

use std::collections::BTreeMap;

use datasketches::frequencies::{ErrorType, FrequentItemsSketch};
use datasketches::kll::{KllFloat, KllSketch};
use serde::{Deserialize, Serialize};

use crate::hll::Union;
use crate::ingest::{FileReport, LineCounts};
use crate::rollup::{KLL_K, MinuteCounts, Rollups};
use headroom_logformat::time::{DAY, MINUTE, format_date, format_rfc3339};

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
        let mut builder = SummaryBuilder::default();
        builder.add(rollups);
        builder.finish(lines, files)
    }
}

/// A [`Summary`] built from a dataset's days fed one after another in time order, so
/// that a summary of a year of days holds one day at a time, not the year (rebuilding
/// the summary of a 400-day dataset after a small ingest used to read every day into
/// memory at once). Every sketch is merged in the same order as from one [`Rollups`]
/// holding them all, so the figures are the same to the bit.
#[derive(Default)]
pub(crate) struct SummaryBuilder {
    totals: MinuteCounts,
    first: Option<i64>,
    last: Option<i64>,
    busiest: Option<(i64, MinuteCounts)>,
    heaviest: Option<(i64, MinuteCounts)>,
    hour_of_week: Vec<i64>,
    days: Vec<Period>,
    months: Vec<Period>,
    /// The month the last day fed belongs to, still open.
    month: Option<Unions>,
    /// The visitor and host unions of every closed month.
    all: Option<(Union, Union)>,
    durations: Option<KllSketch<KllFloat<f64>>>,
    paths: Option<FrequentItemsSketch<String>>,
    agents: Option<FrequentItemsSketch<String>>,
}

impl std::fmt::Debug for SummaryBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryBuilder")
            .field("days", &self.days.len())
            .field("months", &self.months.len())
            .finish_non_exhaustive()
    }
}

impl SummaryBuilder {
    /// Adds rollups holding whole UTC days, all later than any added before (a day file,
    /// or a whole dataset at once).
    pub(crate) fn add(&mut self, rollups: &Rollups) {
        debug_assert!(
            rollups
                .iter()
                .next()
                .is_none_or(|(m, _)| self.last.is_none_or(|l| m > l)),
            "days are added in time order"
        );
        for (minute, c) in rollups.iter() {
            self.totals.merge(c);
            self.first.get_or_insert(minute);
            self.last = Some(minute);
            // Strictly greater: the earliest minute wins a tie, as in `Rollups`.
            if self.busiest.is_none_or(|(_, b)| c.requests > b.requests) {
                self.busiest = Some((minute, *c));
            }
            if self.heaviest.is_none_or(|(_, b)| c.bytes > b.bytes) {
                self.heaviest = Some((minute, *c));
            }
            if self.hour_of_week.is_empty() {
                self.hour_of_week = vec![0; 168];
            }
            let slot = &mut self.hour_of_week[headroom_logformat::time::hour_of_week(minute)];
            *slot = slot.saturating_add(c.requests);
        }
        for (_, h) in rollups.hours() {
            self.durations
                .get_or_insert_with(|| KllSketch::new(KLL_K).expect("valid k"))
                .merge(&h.durations_ms)
                .expect("same k");
        }
        for (_, d) in rollups.days() {
            merge_into(&mut self.paths, &d.paths);
            merge_into(&mut self.agents, &d.agents);
        }
        self.add_periods(rollups);
    }

    /// Figures per day and per month, and the whole span's visitor and host unions. Hours
    /// are unioned into their day, days into their month, months into the span: each
    /// sketch is merged once on its way up, where unioning every hour into each of the
    /// three measured a twentieth of a 1 M-line ingest. A union of unions holds the same
    /// registers, so the estimates do not change.
    fn add_periods(&mut self, rollups: &Rollups) {
        let empty = || (Period::default(), Union::new(), Union::new());
        // Keyed by the day's start, its date written once: formatting a date for every
        // minute was 1% of a 1 M-line ingest.
        let day_of = |t: i64| t.div_euclid(DAY) * DAY;
        let mut days: BTreeMap<i64, Unions> = BTreeMap::new();
        for (minute, c) in rollups.iter() {
            let entry = days.entry(day_of(minute)).or_insert_with(empty);
            let peak = c.requests as f64 / MINUTE as f64;
            add_minute(&mut entry.0, c.requests, c.bytes, peak);
        }
        for (hour, s) in rollups.hours() {
            if let Some(entry) = days.get_mut(&day_of(hour)) {
                entry.1.update(&s.visitors);
                entry.2.update(&s.hosts);
            }
        }
        for (day_s, day) in days {
            let date = format_date(day_s);
            if self.month.as_ref().is_some_and(|m| m.0.period != date[..7]) {
                self.close_month();
            }
            let month = self.month.get_or_insert_with(|| {
                let mut m = empty();
                m.0.period = date[..7].to_owned();
                m
            });
            add_minute(&mut month.0, day.0.requests, day.0.bytes, day.0.peak_rps);
            let closed = close(date, day, (&mut month.1, &mut month.2));
            self.days.push(closed);
        }
    }

    fn close_month(&mut self) {
        if let Some(month) = self.month.take() {
            let all = self.all.get_or_insert_with(|| (Union::new(), Union::new()));
            let period = month.0.period.clone();
            self.months
                .push(close(period, month, (&mut all.0, &mut all.1)));
        }
    }

    /// The summary of everything added, with the line accounting and reports of the
    /// inputs it came from.
    pub(crate) fn finish(mut self, lines: &LineCounts, files: Vec<FileReport>) -> Summary {
        self.close_month();
        let totals = self.totals;
        let [s1xx, s2xx, s3xx, s4xx, s5xx] = totals.status;
        let span_minutes = match (self.first, self.last) {
            (Some(f), Some(l)) => l.saturating_sub(f) / MINUTE + 1,
            _ => 0,
        };
        let peak_rps = self
            .busiest
            .map_or(0.0, |(_, c)| c.requests as f64 / MINUTE as f64);
        let mean_rps = ratio(totals.requests as f64, (span_minutes * MINUTE) as f64);
        let peak_mbps = self
            .heaviest
            .map_or(0.0, |(_, c)| c.bytes as f64 * 8.0 / MINUTE as f64 / 1e6);
        let hour_of_week = if self.hour_of_week.is_empty() {
            vec![0; 168]
        } else {
            self.hour_of_week
        };
        let all = self.all.unwrap_or_else(|| (Union::new(), Union::new()));
        let durations = match self.durations {
            Some(kll) if totals.duration_count > 0 => Some(durations(&totals, &kll)),
            _ => None,
        };
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
            first_minute: self.first.map(format_rfc3339),
            last_minute: self.last.map(format_rfc3339),
            span_minutes,
            peak_rps,
            peak_minute: self.busiest.map(|(m, _)| format_rfc3339(m)),
            mean_rps,
            peak_to_mean: ratio(peak_rps, mean_rps),
            peak_mbps,
            busiest_hour_of_week: busiest_slot(&hour_of_week),
            hour_of_week_requests: hour_of_week,
            visitor_definition: VISITOR_DEFINITION.to_owned(),
            unique_visitors: all.0.to_sketch().composite_estimate(),
            goaccess_unique_visitors: self.days.iter().map(|d| d.visitors).sum(),
            unique_hosts: all.1.to_sketch().composite_estimate(),
            months: self.months,
            days: self.days,
            durations,
            top_paths: top(self.paths),
            top_user_agents: top(self.agents),
        }
    }
}

fn merge_into(merged: &mut Option<FrequentItemsSketch<String>>, s: &FrequentItemsSketch<String>) {
    match merged {
        Some(m) => m.merge(s),
        None => *merged = Some(s.clone()),
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// A period's figures with the unions of its visitor and host sketches.
type Unions = (Period, Union, Union);

/// A period's figures with its distinct counts estimated, its visitor and host unions
/// added to those of the period holding it.
fn close(
    period: String,
    (p, visitors, hosts): Unions,
    (up_visitors, up_hosts): (&mut Union, &mut Union),
) -> Period {
    let (visitors, hosts) = (visitors.to_sketch(), hosts.to_sketch());
    up_visitors.update(&visitors);
    up_hosts.update(&hosts);
    Period {
        period,
        visitors: visitors.composite_estimate(),
        hosts: hosts.composite_estimate(),
        ..p
    }
}

/// Adds requests, bytes and a peak to a period's figures. Saturating, as the minutes'
/// own sums are: a damaged day file read back must give an error or a figure, never a
/// panic (a property test found `+=` overflowing on one).
fn add_minute(p: &mut Period, requests: i64, bytes: i64, peak_rps: f64) {
    p.requests = p.requests.saturating_add(requests);
    p.bytes = p.bytes.saturating_add(bytes);
    p.peak_rps = p.peak_rps.max(peak_rps);
}

fn busiest_slot(slots: &[i64]) -> Option<String> {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (i, &n) = slots
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))?;
    (n > 0).then(|| format!("{} {:02}:00", NAMES[i / 24], i % 24))
}

fn durations(totals: &MinuteCounts, kll: &KllSketch<KllFloat<f64>>) -> Durations {
    let q = |rank: f64| {
        kll.quantile(rank, datasketches::common::SearchCriteria::Inclusive)
            .ok()
            .flatten()
            .map_or(0.0, KllFloat::into_inner)
    };
    Durations {
        count: totals.duration_count,
        mean_ms: totals.duration_sum_us as f64 / totals.duration_count as f64 / 1e3,
        p50_ms: q(0.5),
        p90_ms: q(0.9),
        p99_ms: q(0.99),
        max_ms: totals.duration_max_us as f64 / 1e3,
        rank_error: kll.normalized_rank_error(),
    }
}

fn top(merged: Option<FrequentItemsSketch<String>>) -> Top {
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
