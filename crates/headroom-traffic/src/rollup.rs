//! Rollups: per-minute counters, per-hour sketches, per-day heavy hitters.
//!
//! Every part merges associatively and commutatively (counters add; HLL sketches union;
//! KLL and frequent-items sketches merge), so rollups of disjoint inputs can be built
//! apart (per file, per thread, per machine) and merged in any order. Sketches are Apache
//! DataSketches, the bytes Spark and Druid merge natively.

use std::collections::BTreeMap;

use datasketches::frequencies::FrequentItemsSketch;
use datasketches::hash::value::raw_bytes;
use datasketches::hll::{HllSketch, HllType, HllUnion};
use datasketches::kll::{KllFloat, KllSketch};
use serde::{Deserialize, Serialize};

use crate::classify::{Kind, is_bot, is_static, kind};
use headroom_logformat::Record;
use headroom_logformat::time::{DAY, HOUR, MINUTE};

/// log2 of the HLL register count: 4,096 registers, about 1.6% relative error.
pub const HLL_LG_K: u8 = 12;
/// KLL accuracy parameter for durations: about 0.17% rank error (single-sided, 99%).
pub const KLL_K: u16 = 1000;
/// Map size of the frequent-items sketches for top paths and user agents.
pub const TOP_MAP_SIZE: usize = 1024;

/// Counters for one minute of traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteCounts {
    /// Requests logged in the minute.
    pub requests: i64,
    /// Response bytes sent in the minute.
    pub bytes: i64,
    /// Requests by status class: index 0 is 1xx, 4 is 5xx.
    pub status: [i64; 5],
    /// Requests for pages by people (neither static nor bot).
    pub pages: i64,
    /// Requests for static assets by people.
    pub static_assets: i64,
    /// Requests by bots.
    pub bots: i64,
    /// Requests that logged a duration.
    pub duration_count: i64,
    /// Sum of logged durations, microseconds.
    pub duration_sum_us: i64,
    /// Longest logged duration, microseconds.
    pub duration_max_us: i64,
}

impl MinuteCounts {
    /// Column names of the counters in stored tables (the dataset's `minutes`, partials'
    /// `minute` rows), in the order of [`MinuteCounts::to_array`].
    pub const COLUMNS: [&str; 13] = [
        "requests",
        "bytes",
        "status_1xx",
        "status_2xx",
        "status_3xx",
        "status_4xx",
        "status_5xx",
        "pages",
        "static_assets",
        "bots",
        "duration_count",
        "duration_sum_us",
        "duration_max_us",
    ];

    /// The counters in [`MinuteCounts::COLUMNS`] order.
    pub fn to_array(&self) -> [i64; 13] {
        let s = self.status;
        [
            self.requests,
            self.bytes,
            s[0],
            s[1],
            s[2],
            s[3],
            s[4],
            self.pages,
            self.static_assets,
            self.bots,
            self.duration_count,
            self.duration_sum_us,
            self.duration_max_us,
        ]
    }

    /// Counters from [`MinuteCounts::COLUMNS`] order.
    pub fn from_array(v: [i64; 13]) -> MinuteCounts {
        MinuteCounts {
            requests: v[0],
            bytes: v[1],
            status: [v[2], v[3], v[4], v[5], v[6]],
            pages: v[7],
            static_assets: v[8],
            bots: v[9],
            duration_count: v[10],
            duration_sum_us: v[11],
            duration_max_us: v[12],
        }
    }

    /// Adds one record's counts.
    pub fn add(&mut self, record: &Record<'_>, kind: Kind) {
        self.requests += 1;
        // A 19-digit byte count or a duration of centuries (a corrupt line that still
        // parses) saturates instead of wrapping negative and poisoning the day.
        self.bytes = self
            .bytes
            .saturating_add(i64::try_from(record.bytes).unwrap_or(i64::MAX));
        // The parser only lets 100..=599 through.
        self.status[usize::from(record.status / 100 - 1)] += 1;
        match kind {
            Kind::Page => self.pages += 1,
            Kind::Static => self.static_assets += 1,
            Kind::Bot => self.bots += 1,
        }
        if let Some(d) = record.duration_s {
            let us = (d * 1e6).round() as i64;
            self.duration_count += 1;
            self.duration_sum_us = self.duration_sum_us.saturating_add(us);
            self.duration_max_us = self.duration_max_us.max(us);
        }
    }

    /// Adds another minute's counters to this one. Saturating: no real log comes near
    /// i64's 9.2 × 10¹⁸, and a damaged file read back must not abort a sum.
    pub fn merge(&mut self, other: &MinuteCounts) {
        self.requests = self.requests.saturating_add(other.requests);
        self.bytes = self.bytes.saturating_add(other.bytes);
        for (a, b) in self.status.iter_mut().zip(other.status) {
            *a = a.saturating_add(b);
        }
        self.pages = self.pages.saturating_add(other.pages);
        self.static_assets = self.static_assets.saturating_add(other.static_assets);
        self.bots = self.bots.saturating_add(other.bots);
        self.duration_count = self.duration_count.saturating_add(other.duration_count);
        self.duration_sum_us = self.duration_sum_us.saturating_add(other.duration_sum_us);
        self.duration_max_us = self.duration_max_us.max(other.duration_max_us);
    }
}

/// Distinct-count and quantile sketches for one hour.
#[derive(Debug, Clone)]
pub struct HourSketches {
    /// Distinct (client, user agent) pairs of non-4xx requests: GoAccess's visitor key.
    pub visitors: HllSketch,
    /// Distinct clients (any status).
    pub hosts: HllSketch,
    /// Request durations in milliseconds.
    pub durations_ms: KllSketch<KllFloat<f64>>,
}

impl Default for HourSketches {
    fn default() -> Self {
        HourSketches {
            visitors: new_hll(),
            hosts: new_hll(),
            durations_ms: KllSketch::new(KLL_K).expect("valid k"),
        }
    }
}

impl HourSketches {
    /// Adds a client (`hash`: its XXH3-64), unless `last_host` says the previous record
    /// of this hour had it: adding a value an HLL already holds changes nothing, so
    /// consecutive repeats (one client fetching a page and its assets) skip the hashing.
    fn add_host(&mut self, host: &[u8], hash: u64, last_host: &mut Option<u64>) {
        if *last_host != Some(hash) {
            self.hosts.update(raw_bytes::from_slice(host));
            *last_host = Some(hash);
        }
    }

    fn add_duration(&mut self, record: &Record<'_>) {
        if let Some(ms) = record
            .duration_s
            .and_then(|d| KllFloat::<f64>::new(d * 1e3).ok())
        {
            self.durations_ms.update(ms);
        }
    }

    /// Merges another hour's sketches into this one.
    pub fn merge(&mut self, other: &HourSketches) {
        self.visitors = union(&self.visitors, &other.visitors);
        self.hosts = union(&self.hosts, &other.hosts);
        self.durations_ms
            .merge(&other.durations_ms)
            .expect("sketches of the same k merge");
    }
}

/// Heavy hitters for one day.
#[derive(Debug, Clone)]
pub struct DaySketches {
    /// Request paths (no query) by requests.
    pub paths: FrequentItemsSketch<String>,
    /// User agents by requests.
    pub agents: FrequentItemsSketch<String>,
}

impl Default for DaySketches {
    fn default() -> Self {
        DaySketches {
            paths: FrequentItemsSketch::new(TOP_MAP_SIZE).expect("valid map size"),
            agents: FrequentItemsSketch::new(TOP_MAP_SIZE).expect("valid map size"),
        }
    }
}

impl DaySketches {
    /// Merges another day's sketches into this one.
    pub fn merge(&mut self, other: &DaySketches) {
        self.paths.merge(&other.paths);
        self.agents.merge(&other.agents);
    }
}

/// The key a visitor is counted by: client and user agent, TAB-separated (a TAB cannot
/// occur unescaped in either field), hashed as raw bytes so Spark can rebuild it.
pub fn visitor_key(record: &Record<'_>, key: &mut Vec<u8>) {
    key.clear();
    key.extend_from_slice(record.host);
    key.push(b'\t');
    key.extend_from_slice(record.user_agent);
}

pub(crate) fn new_hll() -> HllSketch {
    HllSketch::new(HLL_LG_K, HllType::Hll8).expect("valid lg k")
}

/// The union of two HLL sketches.
pub fn union(a: &HllSketch, b: &HllSketch) -> HllSketch {
    let mut u = HllUnion::new(HLL_LG_K).expect("valid lg k");
    u.update(a);
    u.update(b);
    u.to_sketch(HllType::Hll8)
}

/// Minute counters by UTC day: each day's minutes in a vector sorted by their second
/// of the day. A `BTreeMap<i64, MinuteCounts>` took about 200 bytes a minute (its nodes
/// half full when filled in time order), which made a 400-day backfill's 576,000
/// minutes 100 MiB; here a minute takes 112 bytes and a full day's vector no more than
/// its 1,440 minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Minutes {
    days: BTreeMap<i64, Vec<(u32, MinuteCounts)>>,
}

impl Minutes {
    /// Adds a minute's counters, merging them into the minute's own if it is there.
    pub(crate) fn insert(&mut self, minute_s: i64, counts: MinuteCounts) {
        let (day, at) = day_and_second(minute_s);
        let v = self.days.entry(day).or_default();
        // Time order appends; an earlier minute searches.
        let place = match v.last() {
            Some((last, _)) if *last < at => Err(v.len()),
            _ => v.binary_search_by_key(&at, |(s, _)| *s),
        };
        match place {
            Ok(i) => v[i].1.merge(&counts),
            Err(i) => {
                let full_day = (DAY / MINUTE) as usize;
                if v.len() == v.capacity() && v.len() < full_day {
                    // Doubling would leave a full day's vector at 2,048 slots. (Keys
                    // off the minute, which only a caller of `insert_minute` can make,
                    // grow past a day's minutes the usual way.)
                    v.reserve_exact((2 * v.len()).clamp(4, full_day) - v.len());
                }
                v.insert(i, (at, counts));
            }
        }
    }

    /// Whether this minute has counters.
    pub(crate) fn contains(&self, minute_s: i64) -> bool {
        let (day, at) = day_and_second(minute_s);
        self.days
            .get(&day)
            .is_some_and(|v| v.binary_search_by_key(&at, |(s, _)| *s).is_ok())
    }

    /// Minutes in time order with their counters.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, &MinuteCounts)> {
        self.days
            .iter()
            .flat_map(|(&day, v)| v.iter().map(move |(at, c)| (day + i64::from(*at), c)))
    }

    fn len(&self) -> usize {
        self.days.values().map(Vec::len).sum()
    }

    fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// The UTC day a time falls in and its second within that day.
fn day_and_second(t: i64) -> (i64, u32) {
    let day = t.div_euclid(DAY) * DAY;
    (day, (t - day) as u32)
}

/// Minute counters, hour sketches and day heavy hitters; keys are Unix seconds (UTC)
/// of the minute, hour or day start.
#[derive(Debug, Clone, Default)]
pub struct Rollups {
    pub(crate) minutes: Minutes,
    hours: BTreeMap<i64, HourSketches>,
    days: BTreeMap<i64, DaySketches>,
}

/// Counters the builder keeps per day for paths and for user agents: a Misra–Gries
/// summary of that many, reduced to the day sketch's [`TOP_MAP_SIZE`] at the day's end.
/// Counting exactly in batches and handing each batch to the day's sketch (a weighted
/// update per distinct item, a string allocated for each newcomer and freed by the
/// sketch's next purge) took 16% of an ingest of the generated 4 M-line log, whose long
/// tail of one-off paths filled a batch every few thousand requests.
const PENDING_ITEMS: usize = 1 << 13;

/// Distinct byte strings (paths or user agents) with a count and a value each: a
/// Misra–Gries summary (Misra and Gries 1982; the purge by the median count is Apache
/// DataSketches' frequent-items sketch's). A new key in a full table first purges it:
/// the median count is subtracted from every count, the keys left with none dropped, and
/// the median added to `offset`, so every count is at most `offset` below its key's true
/// count and no key missing is above it.
///
/// The strings' bytes sit end to end in one buffer and the table holds indices, so a
/// new string costs no allocation of its own; entries keep the order they arrived in,
/// so the sketch made from them comes out the same every run. A key is found by its
/// 128-bit hash (XXH3) alone, its bytes read only when the summary is laid out: reading
/// them back to compare took 6% of an ingest (a call into `memcmp` and, in a day's
/// thousands of keys, a cache miss each). Two keys of a day sharing a 128-bit hash is
/// a chance of about 2^-103 at the table's 8,192 keys, the odds this project already
/// takes in naming a file by its XXH3-128.
#[derive(Debug)]
struct Pending<V> {
    cap: usize,
    bytes: Vec<u8>,
    entries: Vec<Entry<V>>,
    /// Indices into `entries`, hashed by each entry's stored hash.
    table: hashbrown::HashTable<u32>,
    /// The counts added, purged or not: the sketch's stream weight.
    weight: u64,
    /// The counts subtracted from every key by purges.
    offset: u64,
}

#[derive(Debug)]
struct Entry<V> {
    /// The key's XXH3-128, low and high words: its identity (the table hashes the low).
    hash: [u64; 2],
    start: usize,
    len: usize,
    count: u64,
    value: V,
}

impl<V> Pending<V> {
    fn with_cap(cap: usize) -> Self {
        Pending {
            cap: cap.max(1),
            bytes: Vec::new(),
            entries: Vec::new(),
            table: hashbrown::HashTable::new(),
            weight: 0,
            offset: 0,
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds `count` to `key`'s count and returns its value, made by `make` when the
    /// key is new (after a purge, when the table is full).
    fn add(&mut self, key: &[u8], count: u64, make: impl FnOnce() -> V) -> &mut V {
        let wide = xxhash_rust::xxh3::xxh3_128(key);
        let hash = [wide as u64, (wide >> 64) as u64];
        self.weight = self.weight.saturating_add(count);
        let entries = &self.entries;
        let found = self
            .table
            .find(hash[0], |&i| entries[i as usize].hash == hash);
        let i = match found {
            Some(&i) => i as usize,
            None => {
                if self.entries.len() >= self.cap {
                    self.purge();
                }
                let i = self.entries.len();
                self.entries.push(Entry {
                    hash,
                    start: self.bytes.len(),
                    len: key.len(),
                    count: 0,
                    value: make(),
                });
                self.bytes.extend_from_slice(key);
                // Purges keep fewer than `cap` entries in the table.
                self.index(i);
                i
            }
        };
        let e = &mut self.entries[i];
        e.count = e.count.saturating_add(count);
        &mut e.value
    }

    /// Subtracts the median count from every count and drops the keys left at zero (at
    /// least half of them), their bytes moved together and the table rebuilt.
    fn purge(&mut self) {
        let mut counts: Vec<u64> = self.entries.iter().map(|e| e.count).collect();
        let mid = counts.len() / 2;
        let by = *counts.select_nth_unstable(mid).1;
        self.offset = self.offset.saturating_add(by);
        let mut bytes = Vec::with_capacity(self.bytes.len());
        self.entries.retain_mut(|e| {
            e.count -= e.count.min(by);
            if e.count == 0 {
                return false;
            }
            let start = bytes.len();
            bytes.extend_from_slice(&self.bytes[e.start..e.start + e.len]);
            e.start = start;
            true
        });
        self.bytes = bytes;
        self.table.clear();
        for i in 0..self.entries.len() {
            self.index(i);
        }
    }

    /// Puts entry `i` in the table, hashed by the low word of its key's hash.
    fn index(&mut self, i: usize) {
        let entries = &self.entries;
        self.table
            .insert_unique(entries[i].hash[0], i as u32, |&j| {
                entries[j as usize].hash[0]
            });
    }

    /// The counts as a frequent-items sketch of `map_size` (its capacity: three
    /// quarters of that), cut down to fit by the count of the first key that does not
    /// (Agarwal et al., "Mergeable summaries", 2012), leaving the table empty. None
    /// when nothing was counted.
    fn take_sketch(&mut self, map_size: usize) -> Option<FrequentItemsSketch<String>> {
        if self.weight == 0 {
            self.clear();
            return None;
        }
        let lg_max = map_size.trailing_zeros() as u8;
        let fits = sketch_capacity(map_size);
        // Keys above the count of the first that does not fit keep that much less; the
        // rest go, and the sketch's error grows by it.
        let mut counts: Vec<u64> = self.entries.iter().map(|e| e.count).collect();
        let cut = if counts.len() > fits {
            *counts.select_nth_unstable_by(fits, |a, b| b.cmp(a)).1
        } else {
            0
        };
        let items: Vec<(&[u8], u64)> = self
            .entries
            .iter()
            .filter(|e| e.count > cut)
            .map(|e| (&self.bytes[e.start..e.start + e.len], e.count - cut))
            .collect();
        let lg_cur = (3..=lg_max)
            .find(|lg| sketch_capacity(1 << lg) >= items.len())
            .unwrap_or(lg_max);
        // The sketch's own serial form (DataSketches' frequent-items layout, as
        // `FrequentItemsSketch::serialize` writes it): preamble, weights, then items.
        let mut b = Vec::with_capacity(32 + items.iter().map(|(k, _)| 12 + k.len()).sum::<usize>());
        b.extend_from_slice(&[4, 1, 10, lg_max, lg_cur, 0, 0, 0]);
        b.extend_from_slice(&(items.len() as u32).to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&self.weight.to_le_bytes());
        b.extend_from_slice(&self.offset.saturating_add(cut).to_le_bytes());
        for (_, count) in &items {
            b.extend_from_slice(&count.to_le_bytes());
        }
        for (key, _) in &items {
            // Invalid UTF-8 is kept, lossily, never dropped.
            let text = String::from_utf8_lossy(key);
            b.extend_from_slice(&(text.len() as u32).to_le_bytes());
            b.extend_from_slice(text.as_bytes());
        }
        let sketch = FrequentItemsSketch::<String>::deserialize(&b)
            .expect("a frequent-items image laid out as the sketch writes its own");
        self.clear();
        Some(sketch)
    }

    /// Adds the counts to `sketch`, leaving the table empty: each key as an update
    /// where nothing was purged and the keys fit the sketch (exact, and cheaper than a
    /// sketch of their own), else as [`Pending::take_sketch`] merged in.
    fn fold_into(&mut self, sketch: &mut FrequentItemsSketch<String>) {
        if self.offset == 0 && self.len() <= sketch_capacity(TOP_MAP_SIZE) {
            for e in &self.entries {
                let key = &self.bytes[e.start..e.start + e.len];
                match std::str::from_utf8(key) {
                    Ok(s) => sketch.update_with_count_ref(s, e.count),
                    Err(_) => {
                        sketch.update_with_count(String::from_utf8_lossy(key).into_owned(), e.count)
                    }
                }
            }
            self.clear();
        } else if let Some(day) = self.take_sketch(TOP_MAP_SIZE) {
            if sketch.is_empty() {
                *sketch = day;
            } else {
                sketch.merge(&day);
            }
        }
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
        self.table.clear();
        (self.weight, self.offset) = (0, 0);
    }
}

/// The keys a frequent-items sketch of `map_size` holds: three quarters of its map
/// (DataSketches' load factor).
fn sketch_capacity(map_size: usize) -> usize {
    map_size / 4 * 3
}

/// No hour: the start of an hour is a multiple of [`HOUR`], which this is not.
const NO_HOUR: i64 = i64::MIN;

/// Builds [`Rollups`] record by record: the hot path of an ingest.
///
/// Paths and user agents are counted per day in [`Pending`] summaries of their own and
/// become the day's frequent-items sketches when the day ends: one hash per field and
/// record instead of a sketch update (a UTF-8 check and a MurmurHash each), which
/// measured a fifth of an ingest's time. The path summary also keeps each path's static
/// verdict and the agent summary each agent's bot verdict, so the extension and marker
/// searches run once per distinct item rather than per request, and the agent summary
/// the host of its last visitor, so a client's repeat requests skip hashing the visitor
/// key.
#[derive(Debug)]
pub struct RollupBuilder {
    rollups: Rollups,
    key: Vec<u8>,
    /// The previous record's host in the current hour, by its XXH3-64 (comparing and
    /// copying its bytes cost more than hashing them, which the agent memo needs anyway).
    last_host: Option<u64>,
    /// The minute being counted, kept out of the map: consecutive records mostly share
    /// it, and the map lookup per record measured 4% of an ingest.
    minute: (i64, MinuteCounts),
    /// The hour being sketched, kept out of the map for the same reason.
    hour: Option<(i64, HourSketches)>,
    /// The day the pending counts belong to.
    day: Option<i64>,
    /// The static verdict per path.
    paths: Pending<bool>,
    agents: Pending<Agent>,
}

/// What the builder keeps per distinct user agent of the day.
#[derive(Debug)]
struct Agent {
    bot: bool,
    /// The hour and host (its XXH3-64) of the last visitor (host, this agent) added to
    /// that hour's sketch. The sketch of an hour lives as long as the builder, so a
    /// record matching both adds nothing and is skipped. A hash, not the host's bytes:
    /// those were an allocation per agent and a cache miss per record to compare; two
    /// hosts of one agent sharing 64 bits of hash in an hour would lose one visitor,
    /// at odds far below the sketch's own error.
    visitor: (i64, u64),
}

impl Default for RollupBuilder {
    fn default() -> Self {
        RollupBuilder::with_cap(PENDING_ITEMS)
    }
}

impl RollupBuilder {
    fn with_cap(cap: usize) -> Self {
        RollupBuilder {
            rollups: Rollups::default(),
            key: Vec::new(),
            last_host: None,
            minute: (0, MinuteCounts::default()),
            hour: None,
            day: None,
            paths: Pending::with_cap(cap),
            agents: Pending::with_cap(cap),
        }
    }

    /// Adds one parsed record.
    pub fn add(&mut self, record: &Record<'_>) {
        let day = record.unix_s.div_euclid(DAY) * DAY;
        if self.day != Some(day) {
            self.close_day();
            self.day = Some(day);
        }
        // The static verdict (up to 24 extension comparisons) is taken once per
        // distinct path, like the agents' bot verdicts.
        let static_path = *self.paths.add(record.path, 1, || is_static(record.path));
        let hour = record.unix_s.div_euclid(HOUR) * HOUR;
        if self.hour.as_ref().map(|h| h.0) != Some(hour) {
            self.switch_hour(hour);
        }
        let (_, sketches) = self.hour.as_mut().expect("switched to this hour");
        let agent = self.agents.add(record.user_agent, 1, || Agent {
            bot: is_bot(record.user_agent),
            visitor: (NO_HOUR, 0),
        });
        let kind = kind(agent.bot, static_path);
        let host = xxhash_rust::xxh3::xxh3_64(record.host);
        // The agent's last visitor was this host in this hour: that record added the
        // host to the hour's sketch as well as the visitor, so both are skipped (a third
        // of the host updates on the generated log).
        if agent.visitor != (hour, host) {
            sketches.add_host(record.host, host, &mut self.last_host);
            if record.status / 100 != 4 {
                visitor_key(record, &mut self.key);
                sketches.visitors.update(raw_bytes::from_slice(&self.key));
                agent.visitor = (hour, host);
            }
        }
        sketches.add_duration(record);
        let minute = record.unix_s.div_euclid(MINUTE) * MINUTE;
        if self.minute.0 != minute {
            self.flush_minute();
            self.minute.0 = minute;
        }
        self.minute.1.add(record, kind);
    }

    /// The days more than `keep_days` before the day of the last record added, taken
    /// out of the builder (None when it holds none): in a time-ordered log the builder
    /// is done with them, and a backfill of years need not hold them all. A record that
    /// comes back to such a day starts it afresh; its two parts merge later. The agents'
    /// last-visitor memo may then skip a visitor the taken part already holds, which the
    /// merge restores.
    pub(crate) fn take_days_before(&mut self, keep_days: i64) -> Option<Rollups> {
        let cutoff = self.day? - keep_days * DAY;
        // The current minute, hour and pending counts are the last record's: never
        // before the cutoff.
        (self.rollups.first_day()? < cutoff).then(|| self.rollups.split_before(cutoff))
    }

    /// The rollups of every record added.
    pub fn finish(mut self) -> Rollups {
        self.close_day();
        self.flush_minute();
        if let Some((h, sketches)) = self.hour.take() {
            self.rollups.hours.insert(h, sketches);
        }
        self.rollups
    }

    /// Puts the current hour's sketches back in the map and takes out `hour`'s (moving,
    /// never merging, so an out-of-order log that flips between hours stays cheap).
    fn switch_hour(&mut self, hour: i64) {
        let next = self.rollups.hours.remove(&hour).unwrap_or_default();
        if let Some((h, sketches)) = self.hour.replace((hour, next)) {
            self.rollups.hours.insert(h, sketches);
        }
        self.last_host = None;
    }

    /// Adds the current minute's counters to the rollups (merging, should the minute
    /// come round again in an out-of-order log).
    fn flush_minute(&mut self) {
        let (minute, counts) = std::mem::take(&mut self.minute);
        if counts.requests > 0 {
            self.rollups.insert_minute(minute, counts);
        }
    }

    /// Hands the day's path and agent counts to its sketches.
    fn close_day(&mut self) {
        if let Some(day) = self.day {
            let sketches = self.rollups.days.entry(day).or_default();
            self.paths.fold_into(&mut sketches.paths);
            self.agents.fold_into(&mut sketches.agents);
        }
    }
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
    /// Adds the counters of one minute (used when reading a dataset back).
    pub fn insert_minute(&mut self, minute_s: i64, counts: MinuteCounts) {
        self.minutes.insert(minute_s, counts);
    }

    /// Adds the sketches of one hour (used when reading a dataset back).
    pub fn insert_hour(&mut self, hour_s: i64, sketches: HourSketches) {
        match self.hours.get_mut(&hour_s) {
            Some(h) => h.merge(&sketches),
            None => {
                self.hours.insert(hour_s, sketches);
            }
        }
    }

    /// Adds the sketches of one day (used when reading a dataset back).
    pub fn insert_day(&mut self, day_s: i64, sketches: DaySketches) {
        match self.days.get_mut(&day_s) {
            Some(d) => d.merge(&sketches),
            None => {
                self.days.insert(day_s, sketches);
            }
        }
    }

    /// Merges another rollup into this one, taking its sketches instead of copying them.
    pub fn absorb(&mut self, other: Rollups) {
        if self.minutes.is_empty() {
            self.minutes = other.minutes;
        } else {
            for (m, c) in other.minutes.iter() {
                self.insert_minute(m, *c);
            }
        }
        for (h, s) in other.hours {
            self.insert_hour(h, s);
        }
        for (d, s) in other.days {
            self.insert_day(d, s);
        }
    }

    /// Merges another rollup into this one; order never matters.
    pub fn merge(&mut self, other: &Rollups) {
        for (m, c) in other.minutes.iter() {
            self.insert_minute(m, *c);
        }
        for (&h, s) in &other.hours {
            self.insert_hour(h, s.clone());
        }
        for (&d, s) in &other.days {
            self.insert_day(d, s.clone());
        }
    }

    /// Minutes in time order with their counters.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, &MinuteCounts)> {
        self.minutes.iter()
    }

    /// Hours in time order with their sketches.
    pub fn hours(&self) -> impl DoubleEndedIterator<Item = (i64, &HourSketches)> {
        self.hours.iter().map(|(&h, s)| (h, s))
    }

    /// Days in time order with their heavy hitters.
    pub fn days(&self) -> impl DoubleEndedIterator<Item = (i64, &DaySketches)> {
        self.days.iter().map(|(&d, s)| (d, s))
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
        for (_, counts) in self.minutes.iter() {
            total.merge(counts);
        }
        total
    }

    /// The minute with the most requests (the earliest on a tie).
    pub fn busiest_minute(&self) -> Option<(i64, MinuteCounts)> {
        self.max_minute_by(|c| c.requests)
    }

    /// The minute with the most bytes (the earliest on a tie).
    pub fn heaviest_minute(&self) -> Option<(i64, MinuteCounts)> {
        self.max_minute_by(|c| c.bytes)
    }

    fn max_minute_by(&self, key: impl Fn(&MinuteCounts) -> i64) -> Option<(i64, MinuteCounts)> {
        let mut best: Option<(i64, MinuteCounts)> = None;
        for (m, c) in self.minutes.iter() {
            if best.is_none_or(|(_, b)| key(c) > key(&b)) {
                best = Some((m, *c));
            }
        }
        best
    }

    /// Each UTC day's busiest minute as requests per second, in day order.
    pub fn daily_peaks(&self) -> Vec<DailyPeak> {
        let mut peaks: BTreeMap<i64, i64> = BTreeMap::new();
        for (m, c) in self.minutes.iter() {
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

    /// The start of the earliest day with a minute, hour or day sketch.
    fn first_day(&self) -> Option<i64> {
        [
            self.minutes.days.keys().next().copied(),
            self.hours.keys().next().map(|h| h.div_euclid(DAY) * DAY),
            self.days.keys().next().copied(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Takes out everything before `day_s` (a day's start).
    fn split_before(&mut self, day_s: i64) -> Rollups {
        fn before<V>(map: &mut BTreeMap<i64, V>, key: i64) -> BTreeMap<i64, V> {
            let later = map.split_off(&key);
            std::mem::replace(map, later)
        }
        Rollups {
            minutes: Minutes {
                days: before(&mut self.minutes.days, day_s),
            },
            hours: before(&mut self.hours, day_s),
            days: before(&mut self.days, day_s),
        }
    }

    /// Splits the rollups by UTC day, for day-partitioned storage.
    pub fn into_days(self) -> BTreeMap<i64, Rollups> {
        let mut days: BTreeMap<i64, Rollups> = BTreeMap::new();
        for (day, v) in self.minutes.days {
            days.entry(day).or_default().minutes.days.insert(day, v);
        }
        for (h, s) in self.hours {
            days.entry(h.div_euclid(DAY) * DAY)
                .or_default()
                .insert_hour(h, s);
        }
        for (d, s) in self.days {
            days.entry(d).or_default().insert_day(d, s);
        }
        days
    }

    /// True when both hold the same minute counters (sketches are compared by the
    /// caller, by estimate, since equal sets can serialise differently).
    pub fn same_counters(&self, other: &Rollups) -> bool {
        self.minutes == other.minutes
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::classify::classify;

    #[test]
    fn minutes_keep_time_order_and_merge_repeats() {
        let one = |requests| MinuteCounts {
            requests,
            ..Default::default()
        };
        let mut m = Minutes::default();
        // Out of order, across days (one before 1970), with a repeat.
        for (t, n) in [
            (DAY + 120, 1),
            (60, 2),
            (DAY, 3),
            (-60, 4),
            (DAY + 120, 5),
            (0, 6),
        ] {
            m.insert(t, one(n));
        }
        let got: Vec<(i64, i64)> = m.iter().map(|(t, c)| (t, c.requests)).collect();
        assert_eq!(got, [(-60, 4), (0, 6), (60, 2), (DAY, 3), (DAY + 120, 6)]);
        assert_eq!(m.iter().next_back().map(|(t, _)| t), Some(DAY + 120));
        assert!(m.contains(DAY) && !m.contains(DAY + 60));
        assert_eq!(m.len(), 5);
        // Two whole days of minutes backwards, and more keys in a day than it has
        // minutes (seconds, off the minute), each counted once, in order.
        let mut s = Minutes::default();
        let minutes = (0..2 * 1440).map(|i| i * MINUTE);
        let seconds = 3 * DAY..3 * DAY + 3000;
        for t in minutes.clone().rev().chain(seconds.clone().rev()) {
            s.insert(t, one(1));
        }
        assert_eq!(s.len(), 2 * 1440 + 3000);
        assert!(s.iter().map(|(t, _)| t).eq(minutes.chain(seconds)));
    }

    #[test]
    fn pending_counts_each_key_once_and_purges_by_the_median() {
        let mut p: Pending<()> = Pending::with_cap(4);
        for key in ["/b", "/a", "/b", "", "/a/longer", "/b"] {
            p.add(key.as_bytes(), 1, || ());
        }
        assert_eq!((p.len(), p.weight, p.offset), (4, 6, 0));
        // A fifth key first purges: the median of 3, 1, 1, 1 is 1, so "/b" keeps 2 and
        // the others go.
        p.add(b"/c", 1, || ());
        assert_eq!((p.len(), p.weight, p.offset), (2, 7, 1));
        let s = p.take_sketch(TOP_MAP_SIZE).unwrap();
        assert_eq!((s.lower_bound("/b"), s.lower_bound("/c")), (2, 1));
        assert_eq!(
            (s.upper_bound("/a"), s.maximum_error(), s.total_weight()),
            (1, 1, 7)
        );
        assert_eq!(s.lg_max_map_size(), TOP_MAP_SIZE.trailing_zeros() as u8);
        // Emptied, and counting afresh.
        assert_eq!(p.len(), 0);
        assert!(p.take_sketch(TOP_MAP_SIZE).is_none());
        p.add(b"/a", 2, || ());
        let s = p.take_sketch(TOP_MAP_SIZE).unwrap();
        assert_eq!((s.estimate("/a"), s.maximum_error()), (2, 0));
    }

    #[test]
    fn a_day_summary_is_cut_to_the_sketch_s_capacity_within_its_error() {
        // 3,000 keys: key k counted k % 100 + 1 times, plus one key counted 5,000 times.
        let mut p: Pending<()> = Pending::with_cap(PENDING_ITEMS);
        let mut truth = BTreeMap::new();
        for k in 0..3000u64 {
            let key = format!("/p/{k}");
            p.add(key.as_bytes(), k % 100 + 1, || ());
            truth.insert(key, k % 100 + 1);
        }
        p.add(b"/hot", 5000, || ());
        truth.insert("/hot".to_owned(), 5000);
        let s = p.take_sketch(TOP_MAP_SIZE).unwrap();
        assert!(s.num_active_items() <= TOP_MAP_SIZE / 4 * 3);
        assert_eq!(s.total_weight(), truth.values().sum::<u64>());
        assert!(s.maximum_error() > 0);
        for (key, n) in &truth {
            assert!(s.lower_bound(key.as_str()) <= *n, "{key}");
            assert!(*n <= s.upper_bound(key.as_str()), "{key}");
        }
        assert_eq!(s.lower_bound("/hot") + s.maximum_error(), 5000);
        // Invalid UTF-8 is kept, lossily.
        p.add(b"/caf\xe9", 3, || ());
        let s = p.take_sketch(TOP_MAP_SIZE).unwrap();
        assert_eq!(s.estimate("/caf\u{fffd}"), 3);
    }

    fn record(unix_s: i64, status: u16, bytes: u64, host: &'static [u8]) -> Record<'static> {
        Record {
            host,
            unix_s,
            method: b"GET",
            path: b"/index.html",
            status,
            bytes,
            user_agent: b"Mozilla/5.0",
            duration_s: Some(bytes as f64 / 1e6),
        }
    }

    const HOSTS: [&[u8]; 4] = [b"10.0.0.1", b"10.0.0.2", b"::1", b"crawler.example"];

    fn rollups_of(records: &[(i64, u16, u64, usize)]) -> Rollups {
        let mut r = RollupBuilder::default();
        for &(t, s, b, h) in records {
            r.add(&record(t, s, b, HOSTS[h]));
        }
        r.finish()
    }

    const PATHS: [&[u8]; 4] = [b"/", b"/a.css", b"/b/c.PNG", b"/api/items"];
    const AGENTS: [&[u8]; 4] = [
        b"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        b"Mozilla/5.0 (compatible; Googlebot/2.1)",
        b"curl/8.0",
        b"",
    ];

    proptest! {
        /// Counting paths and agents ahead of the sketches, and caching bot verdicts,
        /// changes nothing: kinds equal `classify` record by record, and item counts
        /// equal a direct count where every key fits the summaries, and are within
        /// their error where the summaries purge.
        #[test]
        fn pending_counts_and_cached_verdicts_change_nothing(
            recs in prop::collection::vec((0i64..3 * DAY, 0usize..4, 0usize..4), 0..300),
            cap in 1usize..6,
        ) {
            let mut builder = RollupBuilder::with_cap(cap);
            let mut kinds = [0i64; 3];
            let mut paths: BTreeMap<(i64, &[u8]), u64> = BTreeMap::new();
            let mut agents: BTreeMap<(i64, &[u8]), u64> = BTreeMap::new();
            for &(t, p, a) in &recs {
                let mut r = record(t, 200, 1, HOSTS[0]);
                (r.path, r.user_agent) = (PATHS[p], AGENTS[a]);
                builder.add(&r);
                kinds[classify(r.path, r.user_agent) as usize] += 1;
                let day = t.div_euclid(DAY) * DAY;
                *paths.entry((day, r.path)).or_default() += 1;
                *agents.entry((day, r.user_agent)).or_default() += 1;
            }
            let rollups = builder.finish();
            let t = rollups.totals();
            prop_assert_eq!([t.pages, t.static_assets, t.bots], kinds);
            // Exact while every key fits; else within the summary's error either way.
            let within = |s: &FrequentItemsSketch<String>, item: &[u8], n: u64| {
                let item = std::str::from_utf8(item).unwrap();
                if cap >= 4 {
                    s.estimate(item) == n && s.maximum_error() == 0
                } else {
                    s.lower_bound(item) <= n && n <= s.upper_bound(item)
                }
            };
            for ((day, path), n) in paths {
                prop_assert!(within(&rollups.days[&day].paths, path, n));
            }
            for ((day, agent), n) in agents {
                prop_assert!(within(&rollups.days[&day].agents, agent, n));
            }
        }
    }

    proptest! {
        /// Skipping repeats (the previous host in an hour, each agent's last visitor)
        /// and moving hours in and out of the map change nothing: every hour's sketches
        /// are byte for byte those of adding each record directly, for any order of
        /// hours, hosts, agents and statuses, whenever the pending maps are flushed.
        #[test]
        fn skipped_repeats_leave_the_hour_sketches_as_direct_updates(
            recs in prop::collection::vec(
                (0i64..4 * HOUR, 0usize..4, 0usize..4, prop::sample::select(vec![200u16, 304, 404])),
                0..300,
            ),
            cap in 1usize..6,
        ) {
            let mut builder = RollupBuilder::with_cap(cap);
            let mut direct: BTreeMap<i64, HourSketches> = BTreeMap::new();
            let mut key = Vec::new();
            for &(t, h, a, status) in &recs {
                let mut r = record(t, status, 1, HOSTS[h]);
                r.user_agent = AGENTS[a];
                builder.add(&r);
                let d = direct.entry(t.div_euclid(HOUR) * HOUR).or_default();
                d.hosts.update(raw_bytes::from_slice(r.host));
                if status / 100 != 4 {
                    visitor_key(&r, &mut key);
                    d.visitors.update(raw_bytes::from_slice(&key));
                }
            }
            let rollups = builder.finish();
            let built: Vec<_> = rollups
                .hours()
                .map(|(h, s)| (h, s.hosts.serialize(), s.visitors.serialize()))
                .collect();
            let direct: Vec<_> = direct
                .iter()
                .map(|(&h, s)| (h, s.hosts.serialize(), s.visitors.serialize()))
                .collect();
            prop_assert_eq!(built, direct);
        }
    }

    fn records() -> impl Strategy<Value = Vec<(i64, u16, u64, usize)>> {
        prop::collection::vec(
            (0i64..400_000, 100u16..600, 0u64..1_000_000, 0usize..4),
            0..200,
        )
    }

    fn visitors(r: &Rollups) -> Vec<(i64, f64)> {
        r.hours().map(|(h, s)| (h, s.visitors.estimate())).collect()
    }

    #[test]
    fn peaks_totals_and_sketches() {
        let r = rollups_of(&[
            (0, 200, 10, 0),
            (30, 404, 5, 1),
            (60, 500, 1, 0),
            (DAY + 5, 200, 0, 2),
        ]);
        assert_eq!(r.len(), 3);
        let t = r.totals();
        assert_eq!((t.requests, t.bytes, t.status), (4, 16, [0, 2, 0, 1, 1]));
        assert_eq!((t.pages, t.duration_count, t.duration_max_us), (4, 4, 10));
        assert_eq!(r.busiest_minute().unwrap().0, 0);
        let peaks = r.daily_peaks();
        assert_eq!(peaks.len(), 2);
        assert_eq!(peaks[0].peak_rps, 2.0 / 60.0);
        // Hour 0: hosts 10.0.0.1 and .2; visitors leave out the 404.
        let (_, h0) = r.hours().next().unwrap();
        assert_eq!(
            (h0.hosts.estimate().round(), h0.visitors.estimate().round()),
            (2.0, 1.0)
        );
        assert_eq!(h0.durations_ms.n(), 3);
        let (_, d0) = r.days().next().unwrap();
        assert_eq!(d0.paths.estimate("/index.html"), 3);
    }

    proptest! {
        #[test]
        fn split_anywhere_and_merge_gives_one_pass(recs in records(), cut in 0usize..200) {
            let cut = cut.min(recs.len());
            let mut left = rollups_of(&recs[..cut]);
            left.merge(&rollups_of(&recs[cut..]));
            let whole = rollups_of(&recs);
            prop_assert!(left.same_counters(&whole));
            let mut taken = rollups_of(&recs[..cut]);
            taken.absorb(rollups_of(&recs[cut..]));
            prop_assert!(taken.same_counters(&whole));
            prop_assert_eq!(visitors(&taken), visitors(&whole));
            prop_assert_eq!(visitors(&left), visitors(&whole));
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
            prop_assert!(ab_c.same_counters(&a_bc) && ab_c.same_counters(&cba));
            prop_assert_eq!(visitors(&ab_c), visitors(&a_bc));
            prop_assert_eq!(visitors(&ab_c), visitors(&cba));
        }

        #[test]
        fn counts_are_conserved(recs in records()) {
            let t = rollups_of(&recs).totals();
            prop_assert_eq!(t.requests, recs.len() as i64);
            prop_assert_eq!(t.status.iter().sum::<i64>(), t.requests);
            prop_assert_eq!(t.pages + t.static_assets + t.bots, t.requests);
            prop_assert_eq!(t.bytes, recs.iter().map(|r| r.2 as i64).sum::<i64>());
        }
    }
}
