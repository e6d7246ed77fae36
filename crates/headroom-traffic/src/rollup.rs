//! Per-minute rollups: the counters every later question is answered from.
//!
//! A [`Rollups`] is a map from minute to [`MinuteCounts`]; `merge` adds counters key by
//! key, so it is associative and commutative, and rollups of disjoint inputs can be built
//! apart (per file, per thread, per machine) and merged in any order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::parse::Record;
use crate::time::{DAY, MINUTE};

/// Counters for one minute of traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteCounts {
    /// Requests logged in the minute.
    pub requests: i64,
    /// Response body bytes sent in the minute.
    pub bytes: i64,
    /// Requests by status class: index 0 is 1xx, 4 is 5xx.
    pub status: [i64; 5],
}

impl MinuteCounts {
    /// Adds one record's counts.
    pub fn add(&mut self, record: &Record<'_>) {
        self.requests += 1;
        self.bytes += record.bytes as i64;
        // The parser only lets 100..=599 through.
        self.status[usize::from(record.status / 100 - 1)] += 1;
    }

    /// Adds another minute's counters to this one.
    pub fn merge(&mut self, other: &MinuteCounts) {
        self.requests += other.requests;
        self.bytes += other.bytes;
        for (a, b) in self.status.iter_mut().zip(other.status) {
            *a += b;
        }
    }
}

/// Minute rollups keyed by the minute's start in Unix seconds (UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rollups {
    minutes: BTreeMap<i64, MinuteCounts>,
}

/// One day's busiest minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyPeak {
    /// Start of the day, Unix seconds (UTC midnight).
    pub day_s: i64,
    /// Requests per second in the day's busiest minute.
    pub peak_rps: f64,
}

impl Rollups {
    /// Adds one parsed record.
    pub fn add(&mut self, record: &Record<'_>) {
        let minute = record.unix_s.div_euclid(MINUTE) * MINUTE;
        self.minutes.entry(minute).or_default().add(record);
    }

    /// Adds the counters of one minute (used when reading a dataset back).
    pub fn insert_counts(&mut self, minute_s: i64, counts: MinuteCounts) {
        self.minutes.entry(minute_s).or_default().merge(&counts);
    }

    /// Merges another rollup into this one; order never matters.
    pub fn merge(&mut self, other: &Rollups) {
        for (&minute, counts) in &other.minutes {
            self.insert_counts(minute, *counts);
        }
    }

    /// Minutes in time order with their counters.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, &MinuteCounts)> {
        self.minutes.iter().map(|(&m, c)| (m, c))
    }

    /// Number of minutes that saw at least one request.
    pub fn len(&self) -> usize {
        self.minutes.len()
    }

    /// True when no request has been added.
    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty()
    }

    /// All counters added up.
    pub fn totals(&self) -> MinuteCounts {
        let mut total = MinuteCounts::default();
        for counts in self.minutes.values() {
            total.merge(counts);
        }
        total
    }

    /// The minute with the most requests (the earliest on a tie).
    pub fn busiest_minute(&self) -> Option<(i64, MinuteCounts)> {
        let mut best: Option<(i64, MinuteCounts)> = None;
        for (&m, c) in &self.minutes {
            if best.is_none_or(|(_, b)| c.requests > b.requests) {
                best = Some((m, *c));
            }
        }
        best
    }

    /// The minute with the most bytes (the earliest on a tie).
    pub fn heaviest_minute(&self) -> Option<(i64, MinuteCounts)> {
        let mut best: Option<(i64, MinuteCounts)> = None;
        for (&m, c) in &self.minutes {
            if best.is_none_or(|(_, b)| c.bytes > b.bytes) {
                best = Some((m, *c));
            }
        }
        best
    }

    /// Each UTC day's busiest minute as requests per second, in day order.
    pub fn daily_peaks(&self) -> Vec<DailyPeak> {
        let mut peaks: BTreeMap<i64, i64> = BTreeMap::new();
        for (&m, c) in &self.minutes {
            let peak = peaks.entry(m.div_euclid(DAY) * DAY).or_default();
            *peak = (*peak).max(c.requests);
        }
        peaks
            .into_iter()
            .map(|(day_s, requests)| DailyPeak {
                day_s,
                peak_rps: requests as f64 / MINUTE as f64,
            })
            .collect()
    }

    /// Splits the rollups by UTC day, for day-partitioned storage.
    pub fn by_day(&self) -> BTreeMap<i64, Vec<(i64, MinuteCounts)>> {
        let mut days: BTreeMap<i64, Vec<(i64, MinuteCounts)>> = BTreeMap::new();
        for (&m, c) in &self.minutes {
            days.entry(m.div_euclid(DAY) * DAY)
                .or_default()
                .push((m, *c));
        }
        days
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn record(unix_s: i64, status: u16, bytes: u64) -> Record<'static> {
        Record {
            host: b"h",
            unix_s,
            request: b"GET / HTTP/1.1",
            status,
            bytes,
        }
    }

    fn rollups_of(records: &[(i64, u16, u64)]) -> Rollups {
        let mut r = Rollups::default();
        for &(t, s, b) in records {
            r.add(&record(t, s, b));
        }
        r
    }

    fn records() -> impl Strategy<Value = Vec<(i64, u16, u64)>> {
        prop::collection::vec((0i64..400_000, 100u16..600, 0u64..1_000_000), 0..200)
    }

    #[test]
    fn peaks_and_totals() {
        let r = rollups_of(&[(0, 200, 10), (30, 404, 5), (60, 500, 1), (DAY + 5, 200, 0)]);
        assert_eq!(r.len(), 3);
        let t = r.totals();
        assert_eq!((t.requests, t.bytes, t.status), (4, 16, [0, 2, 0, 1, 1]));
        assert_eq!(r.busiest_minute().unwrap().0, 0);
        let peaks = r.daily_peaks();
        assert_eq!(peaks.len(), 2);
        assert_eq!(peaks[0].peak_rps, 2.0 / 60.0);
        assert_eq!(peaks[1].day_s, DAY);
    }

    proptest! {
        #[test]
        fn split_anywhere_and_merge_gives_one_pass(recs in records(), cut in 0usize..200) {
            let cut = cut.min(recs.len());
            let mut left = rollups_of(&recs[..cut]);
            left.merge(&rollups_of(&recs[cut..]));
            prop_assert_eq!(left, rollups_of(&recs));
        }

        #[test]
        fn merge_is_associative_and_commutative(a in records(), b in records(), c in records()) {
            let (ra, rb, rc) = (rollups_of(&a), rollups_of(&b), rollups_of(&c));
            let mut ab_c = ra.clone();
            ab_c.merge(&rb);
            ab_c.merge(&rc);
            let mut bc = rb.clone();
            bc.merge(&rc);
            let mut a_bc = ra.clone();
            a_bc.merge(&bc);
            let mut cba = rc.clone();
            cba.merge(&rb);
            cba.merge(&ra);
            prop_assert_eq!(&ab_c, &a_bc);
            prop_assert_eq!(&ab_c, &cba);
        }

        #[test]
        fn counts_are_conserved(recs in records()) {
            let t = rollups_of(&recs).totals();
            prop_assert_eq!(t.requests, recs.len() as i64);
            prop_assert_eq!(t.status.iter().sum::<i64>(), t.requests);
            prop_assert_eq!(t.bytes, recs.iter().map(|r| r.2 as i64).sum::<i64>());
        }
    }
}
