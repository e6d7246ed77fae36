//! The traffic summary: the figures a capacity planner quotes, computed from rollups.

use serde::{Deserialize, Serialize};

use crate::ingest::LineCounts;
use crate::rollup::Rollups;
use crate::time::{MINUTE, format_rfc3339};

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

/// What `summary.json` holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Line accounting over every input file.
    #[serde(flatten)]
    pub lines: LineCounts,
    /// Input files, as given.
    pub files: Vec<String>,
    /// Requests counted (parsed lines).
    pub requests: i64,
    /// Response body bytes, `-` counted as zero.
    pub bytes: i64,
    /// Requests by status class.
    pub status: StatusMix,
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
}

impl Summary {
    /// Computes the summary of some rollups and the line counts that produced them.
    pub fn new(rollups: &Rollups, lines: &LineCounts, files: Vec<String>) -> Summary {
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
        let mean_rps = if span_minutes > 0 {
            totals.requests as f64 / (span_minutes * MINUTE) as f64
        } else {
            0.0
        };
        let peak_mbps = rollups
            .heaviest_minute()
            .map_or(0.0, |(_, c)| c.bytes as f64 * 8.0 / MINUTE as f64 / 1e6);
        Summary {
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
            first_minute: first.map(format_rfc3339),
            last_minute: last.map(format_rfc3339),
            span_minutes,
            peak_rps,
            peak_minute: busiest.map(|(m, _)| format_rfc3339(m)),
            mean_rps,
            peak_to_mean: if mean_rps > 0.0 {
                peak_rps / mean_rps
            } else {
                0.0
            },
            peak_mbps,
        }
    }
}
