//! Calendar effects for daily series: holidays, launch days and other dated events,
//! from a user's `date,name[,factor]` file or a country set shipped in `data/calendar/`.
//! Each event's effect on the day's value is measured against the same weekday one and
//! two weeks either side, taken out of the history before a model sees it, and put back
//! on the dates ahead, so a model neither learns a holiday's dip as a trend nor misses
//! the peak a known date brings.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::Error;

/// Countries whose public holidays ship with headroom, as `data/calendar/<code>.csv`.
pub const COUNTRIES: [&str; 6] = ["CZ", "DE", "FR", "GB", "JP", "US"];

/// The shipped sets' text, in [`COUNTRIES`] order.
const SHIPPED: [&str; 6] = [
    include_str!("../../../data/calendar/CZ.csv"),
    include_str!("../../../data/calendar/DE.csv"),
    include_str!("../../../data/calendar/FR.csv"),
    include_str!("../../../data/calendar/GB.csv"),
    include_str!("../../../data/calendar/JP.csv"),
    include_str!("../../../data/calendar/US.csv"),
];

/// Weight of the pooled effect against one occurrence of a named event: an event seen
/// once is half its own measurement and half what events do in general.
const SHRINK: f64 = 1.0;

/// One dated event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// What it is ("New Year's Day", "launch"); occurrences of one name share an effect.
    pub name: String,
    /// The multiplier the user states for the day (1.8: 80% above a usual day), which
    /// replaces the measured effect; None to measure it.
    pub factor: Option<f64>,
}

/// Dated events by day number (days since 1970-01-01).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Calendar {
    days: BTreeMap<i64, Event>,
}

impl Calendar {
    /// Reads `date,name` or `date,name,factor` rows after a header line; dates as
    /// `YYYY-MM-DD`. A date twice is an error naming both lines.
    pub fn parse(text: &str, path: &str) -> Result<Calendar, Error> {
        let mut days = BTreeMap::new();
        let mut lines_of: HashMap<i64, usize> = HashMap::new();
        let rows = crate::table::rows(text).map_err(|e| crate::series::csv_error(path, e))?;
        for (line, fields) in rows {
            let invalid = |reason: String| Error::Invalid {
                path: path.to_owned(),
                line,
                reason,
            };
            let (day, event) = Calendar::row(&fields, &invalid)?;
            if let Some(first) = lines_of.insert(day, line) {
                return Err(invalid(format!(
                    "{} is listed twice (line {first} too)",
                    fields[0]
                )));
            }
            days.insert(day, event);
        }
        Ok(Calendar { days })
    }

    /// The day and event of one `date,name[,factor]` row.
    fn row(fields: &[String], invalid: &impl Fn(String) -> Error) -> Result<(i64, Event), Error> {
        if !(2..=3).contains(&fields.len()) {
            return Err(invalid("expected date,name or date,name,factor".to_owned()));
        }
        let day = date(&fields[0])
            .ok_or_else(|| invalid(format!("'{}' is not a date (YYYY-MM-DD)", fields[0])))?;
        let name = fields[1].as_str();
        if name.is_empty() {
            return Err(invalid("the event has no name".to_owned()));
        }
        let factor = match fields.get(2) {
            None => None,
            Some(f) => Some(
                f.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && *f > 0.0)
                    .ok_or_else(|| invalid(format!("factor '{f}' is not a number above 0")))?,
            ),
        };
        let event = Event {
            name: name.to_owned(),
            factor,
        };
        Ok((day, event))
    }

    /// A shipped country's public holidays (`JP`, `us`: see [`COUNTRIES`]).
    pub fn country(code: &str) -> Option<Calendar> {
        let i = COUNTRIES
            .iter()
            .position(|c| c.eq_ignore_ascii_case(code))?;
        let path = format!("data/calendar/{}.csv", COUNTRIES[i]);
        Some(Calendar::parse(SHIPPED[i], &path).expect("shipped calendars parse"))
    }

    /// A shipped country by its code, else a `date,name[,factor]` file.
    pub fn load(spec: &str) -> Result<Calendar, Error> {
        if let Some(c) = Calendar::country(spec) {
            return Ok(c);
        }
        let text = std::fs::read_to_string(Path::new(spec)).map_err(|source| Error::Io {
            path: format!("{spec} (neither a file nor a shipped country: {COUNTRIES:?})"),
            source,
        })?;
        Calendar::parse(&text, spec)
    }

    /// The event on a day.
    pub fn event(&self, day: i64) -> Option<&Event> {
        self.days.get(&day)
    }

    /// Events listed.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether none are listed.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// Day number of a `YYYY-MM-DD` date that exists (not 2024-09-31).
fn date(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if text.len() != 10 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = crate::series::days_from_civil(y, m, d);
    (crate::series::civil_from_days(day) == (y, m, d)).then_some(day)
}

/// Measured effects, as natural logs of the multiplier on a usual day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effects {
    by_name: HashMap<String, f64>,
    pooled: f64,
    /// Event days in the history whose effect could be measured.
    pub measured: usize,
}

impl Effects {
    /// The multiplier on `day`: stated, or measured for its name (shrunk towards what
    /// events do in general), or the pooled effect for a name not seen yet; 1 on a
    /// day without an event.
    pub fn factor(&self, calendar: &Calendar, day: i64) -> f64 {
        match calendar.event(day) {
            None => 1.0,
            Some(Event {
                factor: Some(f), ..
            }) => *f,
            Some(e) => self
                .by_name
                .get(&e.name)
                .copied()
                .unwrap_or(self.pooled)
                .exp(),
        }
    }
}

/// A usual day's value for `day`: the median of the same weekday one and two weeks
/// either side that are in the history, positive and free of events; None with fewer
/// than two of them.
fn usual(history: &[f64], first_day: i64, day: usize, calendar: &Calendar) -> Option<f64> {
    let mut around: Vec<f64> = [-14i64, -7, 7, 14]
        .iter()
        .filter_map(|&k| {
            let j = usize::try_from(day as i64 + k).ok()?;
            let v = *history.get(j)?;
            (v > 0.0 && v.is_finite() && calendar.event(first_day + j as i64).is_none())
                .then_some(v)
        })
        .collect();
    if around.len() < 2 {
        return None;
    }
    around.sort_by(f64::total_cmp);
    let n = around.len();
    Some((around[(n - 1) / 2] + around[n / 2]) / 2.0)
}

/// Measures each event's effect in a daily history starting on day `first_day`: the
/// log of the day's value over a usual day's, averaged over the name's occurrences and
/// shrunk towards the pooled average (itself shrunk towards none). Fewer than two
/// measurable event days: no effects.
pub fn effects(history: &[f64], first_day: i64, calendar: &Calendar) -> Effects {
    let mut sums: HashMap<&str, (f64, f64)> = HashMap::new();
    let (mut total, mut measured) = (0.0, 0usize);
    for (d, &v) in history.iter().enumerate() {
        let Some(e) = calendar.event(first_day + d as i64) else {
            continue;
        };
        if e.factor.is_some() || v <= 0.0 || !v.is_finite() {
            continue;
        }
        let Some(base) = usual(history, first_day, d, calendar) else {
            continue;
        };
        let l = (v / base).ln();
        let s = sums.entry(e.name.as_str()).or_default();
        s.0 += l;
        s.1 += 1.0;
        total += l;
        measured += 1;
    }
    if measured < 2 {
        return Effects::default();
    }
    let pooled = total / (measured as f64 + SHRINK);
    Effects {
        by_name: sums
            .into_iter()
            .map(|(name, (sum, n))| (name.to_owned(), (sum + SHRINK * pooled) / (n + SHRINK)))
            .collect(),
        pooled,
        measured,
    }
}

/// Forecasts `horizon` days after a daily `history` that starts on day `first_day`
/// with `method`, the calendar's effects taken out of the history first and put back
/// on the days ahead. Without events in the history or ahead, `method` alone.
pub fn forecast(
    history: &[f64],
    first_day: i64,
    horizon: usize,
    calendar: &Calendar,
    method: impl Fn(&[f64], usize) -> Vec<f64>,
) -> Vec<f64> {
    if calendar.is_empty() {
        return method(history, horizon);
    }
    let fx = effects(history, first_day, calendar);
    let factor = |d: usize| fx.factor(calendar, first_day + d as i64);
    let adjusted: Vec<f64> = history
        .iter()
        .enumerate()
        .map(|(d, v)| v / factor(d))
        .collect();
    let n = history.len();
    method(&adjusted, horizon)
        .iter()
        .enumerate()
        .map(|(j, v)| v * factor(n + j))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(rows: &str) -> Calendar {
        Calendar::parse(&format!("date,name\n{rows}"), "c.csv").unwrap()
    }

    #[test]
    fn shipped_countries_parse_and_hold_their_new_years() {
        for code in COUNTRIES {
            let c = Calendar::country(code).unwrap();
            let new_year = crate::series::days_from_civil(2030, 1, 1);
            assert!(c.event(new_year).is_some(), "{code}");
            assert!(c.len() > 150, "{code}: {}", c.len());
        }
        assert!(Calendar::country("jp").is_some());
        assert!(Calendar::country("XX").is_none());
    }

    #[test]
    fn bad_rows_name_file_line_and_reason() {
        let err = |text: &str| Calendar::parse(text, "h.csv").unwrap_err().to_string();
        assert_eq!(
            err("date,name\n2025-01-01,a\n2025-01-01,b\n"),
            "h.csv:3: 2025-01-01 is listed twice (line 2 too)"
        );
        assert_eq!(
            err("date,name\n2025-13-01,a\n"),
            "h.csv:2: '2025-13-01' is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            err("date,name\n2024-09-31,a\n"),
            "h.csv:2: '2024-09-31' is not a date (YYYY-MM-DD)"
        );
        assert_eq!(
            err("date,name,factor\n2025-01-01,a,-2\n"),
            "h.csv:2: factor '-2' is not a number above 0"
        );
        assert_eq!(
            err("date,name\n2025-01-01\n"),
            "h.csv:2: expected date,name or date,name,factor"
        );
        assert!(
            Calendar::load("/no/such/file.csv")
                .unwrap_err()
                .to_string()
                .contains("neither a file nor a shipped country")
        );
    }

    /// Weekly-patterned daily values from 2020-01-06 (a Monday), with events' days
    /// multiplied by `lift`.
    fn weekly(days: usize, events: &Calendar, lift: f64) -> (i64, Vec<f64>) {
        let first = crate::series::days_from_civil(2020, 1, 6);
        let values = (0..days)
            .map(|d| {
                let base = 100.0 + 2.0 * (d % 7) as f64 + 0.01 * d as f64;
                if events.event(first + d as i64).is_some() {
                    base * lift
                } else {
                    base
                }
            })
            .collect();
        (first, values)
    }

    fn seasonal_naive(h: &[f64], horizon: usize) -> Vec<f64> {
        (0..horizon).map(|j| h[h.len() - 7 + j % 7]).collect()
    }

    #[test]
    fn a_doubling_seen_twice_is_measured_and_put_on_the_next_occurrence() {
        let c = calendar("2020-03-03,sale\n2021-03-03,sale\n2022-03-03,sale\n");
        let (first, values) = weekly(700, &c, 2.0);
        let fx = effects(&values, first, &c);
        assert_eq!(fx.measured, 2);
        // Two occurrences of ln 2 each, shrunk once towards the pooled (2 ln 2 / 3).
        let expected = ((2.0 * 2f64.ln() + 2.0 * 2f64.ln() / 3.0) / 3.0).exp();
        let next = crate::series::days_from_civil(2022, 3, 3);
        assert!(
            (fx.factor(&c, next) - expected).abs() < 0.02,
            "{}",
            fx.factor(&c, next)
        );
        // The forecast's sale day stands out from its week; the history's did not leak.
        let h = (next - first) as usize - 700 + 14;
        let f = forecast(&values, first, h, &c, seasonal_naive);
        let sale = (next - first) as usize - 700;
        assert!(
            f[sale] > 1.6 * f[sale - 7],
            "{} vs {}",
            f[sale],
            f[sale - 7]
        );
        assert!((f[sale + 7] / f[sale - 7] - 1.0).abs() < 0.01);
        // Plain seasonal naive would have copied last year's spike into some other week.
        assert!(seasonal_naive(&values, h).iter().all(|v| *v < 150.0));
    }

    #[test]
    fn a_stated_factor_is_used_as_given_and_no_events_changes_nothing() {
        let c = Calendar::parse("date,name,factor\n2021-12-01,launch,3\n", "c.csv").unwrap();
        let (first, values) = weekly(600, &Calendar::default(), 1.0);
        let launch = crate::series::days_from_civil(2021, 12, 1);
        assert_eq!(effects(&values, first, &c).factor(&c, launch), 3.0);
        let h = (launch - first) as usize - 600 + 1;
        let with = forecast(&values, first, h, &c, seasonal_naive);
        let without = seasonal_naive(&values, h);
        assert!((with[h - 1] - 3.0 * without[h - 1]).abs() < 1e-9);
        assert_eq!(with[..h - 1], without[..h - 1]);
        assert_eq!(
            forecast(&values, first, h, &Calendar::default(), seasonal_naive),
            without
        );
    }
}
