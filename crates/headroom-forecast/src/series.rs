//! A metric series from outside a log dataset: a CSV of `timestamp,value` (what a
//! Prometheus, Datadog or CloudWatch export becomes) or the JSON a Prometheus
//! `query_range` returns, put on a regular grid of its own step, gaps filled and counted.

use std::path::Path;

use crate::Error;

/// Seconds in a day.
pub const DAY_S: i64 = 86_400;

/// Steps a series may span from its first to its last timestamp: ten years of minutes.
/// A few far-apart timestamps would otherwise ask for a grid larger than memory.
pub const MAX_STEPS: i64 = 10 * 366 * 1440;

/// A regular series: values at `start + i·step` seconds, or, when `monthly`, at the
/// first day of month `start + i` (months counted from January 1970).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Unix seconds of the first step (a month number when `monthly`).
    pub start: i64,
    /// Seconds between steps (1 when `monthly`).
    pub step: i64,
    /// Steps are calendar months.
    pub monthly: bool,
    /// One value per step.
    pub values: Vec<f64>,
    /// Steps that had no row, filled by linear interpolation between their neighbours
    /// (a missing sample is lost data, not zero demand).
    pub filled: usize,
    /// Whether each step had a row (false: filled).
    pub observed: Vec<bool>,
}

impl Series {
    /// Unix seconds of step `i` (past the end for forecasts).
    pub fn time(&self, i: usize) -> i64 {
        let t = self.start + i as i64 * self.step;
        if self.monthly {
            let (y, m) = (t.div_euclid(12), t.rem_euclid(12) as u32 + 1);
            days_from_civil(y, m, 1) * DAY_S
        } else {
            t
        }
    }

    /// The step's length in seconds (a month as 30.44 days).
    pub fn step_seconds(&self) -> f64 {
        if self.monthly {
            30.436_875 * DAY_S as f64
        } else {
            self.step as f64
        }
    }

    /// Builds a series from (Unix seconds, value) rows in any order: the step is the
    /// most common gap between consecutive distinct times; first-of-month dates a
    /// month apart make a monthly series. Two rows at one time are an error naming
    /// both lines (`lines[i]` is row i's line in `path`).
    pub fn from_points(mut rows: Vec<(i64, f64, usize)>, path: &str) -> Result<Series, Error> {
        let invalid = |line: usize, reason: String| Error::Invalid {
            path: path.to_owned(),
            line,
            reason,
        };
        if rows.is_empty() {
            return Err(invalid(0, "no rows".to_owned()));
        }
        rows.sort_by_key(|r| (r.0, r.2));
        if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(invalid(
                w[1].2,
                format!("timestamp {} repeats line {}", w[1].0, w[0].2),
            ));
        }
        let (keyed, step, monthly) = keyed_by_step(rows);
        let start = keyed[0].0.div_euclid(step) * step;
        let raw = place_on_grid(&keyed, start, step, &invalid)?;
        let (values, filled) = fill(&raw);
        Ok(Series {
            start,
            step,
            monthly,
            values,
            filled,
            observed: raw.iter().map(Option::is_some).collect(),
        })
    }
}

/// The step of time-sorted rows (the most common gap; 1 when first-of-month dates a month
/// apart make them monthly), whether they are monthly, and the rows with their times
/// counted in that step's unit: month numbers when monthly, else seconds as they were.
fn keyed_by_step(rows: Vec<(i64, f64, usize)>) -> (Vec<(i64, f64, usize)>, i64, bool) {
    let mut gaps: Vec<i64> = rows.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort_unstable();
    let step = mode(&gaps).unwrap_or(DAY_S);
    let monthly = (28 * DAY_S..=31 * DAY_S).contains(&step)
        && rows.iter().all(|(t, _, _)| {
            t.rem_euclid(DAY_S) == 0 && civil_from_days(t.div_euclid(DAY_S)).2 == 1
        });
    let keyed: Vec<(i64, f64, usize)> = if monthly {
        rows.iter()
            .map(|&(t, v, l)| {
                let (y, m, _) = civil_from_days(t.div_euclid(DAY_S));
                (y * 12 + i64::from(m) - 1, v, l)
            })
            .collect()
    } else {
        rows
    };
    let step = if monthly { 1 } else { step };
    (keyed, step, monthly)
}

/// Each keyed row's value at its step of the grid from `start` (None: no row there);
/// an error when the grid would pass [`MAX_STEPS`] or a step gets two rows.
fn place_on_grid(
    keyed: &[(i64, f64, usize)],
    start: i64,
    step: i64,
    invalid: &impl Fn(usize, String) -> Error,
) -> Result<Vec<Option<f64>>, Error> {
    let last = keyed[keyed.len() - 1];
    let steps = (last.0.div_euclid(step) * step - start) / step + 1;
    if steps > MAX_STEPS {
        return Err(invalid(
            last.2,
            format!(
                "the rows span {steps} steps of {step} s, more than {MAX_STEPS}: is a timestamp out of place?"
            ),
        ));
    }
    let mut raw: Vec<Option<f64>> = vec![None; steps as usize];
    for &(t, v, line) in keyed {
        let i = ((t.div_euclid(step) * step - start) / step) as usize;
        if raw[i].is_some() {
            return Err(invalid(
                line,
                format!(
                    "a second row in the step of {step} s starting at {}",
                    start + i as i64 * step
                ),
            ));
        }
        raw[i] = Some(v);
    }
    Ok(raw)
}

/// Reads a CSV of `timestamp,value` (a header line; Unix seconds, `YYYY-MM-DD` or ISO
/// 8601 with `T` or a space, `Z` or an offset), or a Prometheus `query_range` JSON
/// answer with one series (`.json`).
pub fn read(path: &Path) -> Result<Series, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    let name = path.display().to_string();
    if path.extension().is_some_and(|e| e == "json") {
        return Series::from_points(prometheus_rows(&text, &name)?, &name);
    }
    Series::from_points(csv_rows(&text, &name)?, &name)
}

/// Rows of a `timestamp,value` CSV with their line numbers.
pub fn csv_rows(text: &str, path: &str) -> Result<Vec<(i64, f64, usize)>, Error> {
    let mut rows = Vec::new();
    for (line, fields) in crate::table::rows(text).map_err(|e| csv_error(path, e))? {
        let invalid = |reason: String| Error::Invalid {
            path: path.to_owned(),
            line,
            reason,
        };
        let [t, v] = fields.as_slice() else {
            return Err(invalid("expected timestamp,value".to_owned()));
        };
        let t = parse_timestamp(t).ok_or_else(|| invalid(format!("'{t}' is not a timestamp")))?;
        let v = parse_value(v).ok_or_else(|| invalid(format!("'{v}' is not a finite number")))?;
        rows.push((t, v, line));
    }
    Ok(rows)
}

fn parse_value(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A CSV the parser itself refused (an unclosed quote), at its line.
pub(crate) fn csv_error(path: &str, (line, reason): (usize, String)) -> Error {
    Error::Invalid {
        path: path.to_owned(),
        line,
        reason,
    }
}

/// Rows of a Prometheus `query_range` answer (`{"data": {"result": [{"values": [[t,
/// "v"], …]}]}}`), which must hold exactly one series; line numbers are 1-based
/// positions in its `values`.
pub fn prometheus_rows(text: &str, path: &str) -> Result<Vec<(i64, f64, usize)>, Error> {
    let invalid = |line: usize, reason: String| Error::Invalid {
        path: path.to_owned(),
        line,
        reason,
    };
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(e.line(), format!("not JSON: {e}")))?;
    prometheus_values(&json, &invalid)?
        .iter()
        .enumerate()
        .map(|(i, pair)| prometheus_row(i, pair, &invalid))
        .collect()
}

/// The `values` of the one series a Prometheus `query_range` answer must hold.
fn prometheus_values<'a>(
    json: &'a serde_json::Value,
    invalid: &impl Fn(usize, String) -> Error,
) -> Result<&'a Vec<serde_json::Value>, Error> {
    let result = json
        .pointer("/data/result")
        .and_then(|r| r.as_array())
        .ok_or_else(|| {
            invalid(
                0,
                "no data.result: not a Prometheus query_range answer".to_owned(),
            )
        })?;
    let [series] = result.as_slice() else {
        return Err(invalid(
            0,
            format!(
                "data.result holds {} series; aggregate the query to one (sum(rate(...)))",
                result.len()
            ),
        ));
    };
    series
        .get("values")
        .and_then(|v| v.as_array())
        .ok_or_else(|| invalid(0, "the series has no values (an instant query?)".to_owned()))
}

/// The row of the `i`-th (0-based) `[time, "number"]` pair of a series' `values`.
fn prometheus_row(
    i: usize,
    pair: &serde_json::Value,
    invalid: &impl Fn(usize, String) -> Error,
) -> Result<(i64, f64, usize), Error> {
    let bad = || {
        invalid(
            i + 1,
            format!("value {} is not [time, \"number\"]: {pair}", i + 1),
        )
    };
    let t = pair
        .get(0)
        .and_then(|t| t.as_f64())
        .filter(|t| t.is_finite())
        .ok_or_else(bad)?;
    let v = pair
        .get(1)
        .and_then(|v| v.as_str())
        .and_then(parse_value)
        .ok_or_else(bad)?;
    Ok((t.round() as i64, v, i + 1))
}

/// Unix seconds of a timestamp: an integer or decimal number of seconds, `YYYY-MM-DD`,
/// or `YYYY-MM-DD[T ]HH:MM[:SS[.frac]]` with `Z`, `±HH:MM` or nothing (UTC).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim().trim_matches('"');
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if let Ok(x) = s.parse::<f64>() {
        return (x.is_finite() && x.abs() < 1e15).then(|| x.round() as i64);
    }
    let t = parse_date(s)? * DAY_S;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(t);
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let (clock, zone) = match rest.find(['Z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    Some(t + parse_clock(clock)? - parse_offset(zone)?)
}

/// The day number (days since 1970-01-01) of the `YYYY-MM-DD` that `s` starts with;
/// None when it does not start with a date that exists.
fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m as u32, d as u32);
    // 2024-09-31 would otherwise become 1 October: a date that does not exist is no date.
    if civil_from_days(day) != (y, m as u32, d as u32) {
        return None;
    }
    Some(day)
}

/// Seconds into the day of `HH:MM[:SS[.frac]]` (the fraction dropped).
fn parse_clock(clock: &str) -> Option<i64> {
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next()?.parse().ok()?;
    let sec: f64 = parts.next().map_or(Some(0.0), |p| p.parse().ok())?;
    if parts.next().is_some() || h > 23 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    Some(h * 3600 + mi * 60 + sec.floor() as i64)
}

/// Seconds ahead of UTC of a zone: nothing or `Z` (UTC), or `±HH:MM`.
fn parse_offset(zone: &str) -> Option<i64> {
    let offset = match zone {
        "" | "Z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (oh, om) = z[1..].split_once(':').unwrap_or((&z[1..], "0"));
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    Some(offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Fills `None` steps by linear interpolation between known neighbours (the ends by
/// the nearest known value); returns the values and how many were filled.
pub fn fill(raw: &[Option<f64>]) -> (Vec<f64>, usize) {
    let mut values = Vec::with_capacity(raw.len());
    let mut filled = 0;
    let mut before: Option<(usize, f64)> = None;
    let mut next_known = 0;
    for (i, v) in raw.iter().enumerate() {
        if let Some(v) = v {
            values.push(*v);
            before = Some((i, *v));
            continue;
        }
        filled += 1;
        if next_known <= i {
            next_known = (i + 1..raw.len())
                .find(|&k| raw[k].is_some())
                .unwrap_or(raw.len());
        }
        let after = raw
            .get(next_known)
            .copied()
            .flatten()
            .map(|v| (next_known, v));
        values.push(match (before, after) {
            (Some((a, va)), Some((b, vb))) => va + (vb - va) * (i - a) as f64 / (b - a) as f64,
            (Some((_, va)), None) => va,
            (None, Some((_, vb))) => vb,
            (None, None) => 0.0,
        });
    }
    (values, filled)
}

fn mode(sorted: &[i64]) -> Option<i64> {
    let mut best: Option<(i64, usize)> = None;
    let mut i = 0;
    while i < sorted.len() {
        let j = sorted[i..]
            .iter()
            .position(|v| *v != sorted[i])
            .map_or(sorted.len(), |k| i + k);
        if best.is_none_or(|(_, c)| j - i > c) {
            best = Some((sorted[i], j - i));
        }
        i = j;
    }
    best.map(|b| b.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("2015-05-17"), Some(1_431_820_800));
        assert_eq!(parse_timestamp("2015-05-17T01:00:00Z"), Some(1_431_824_400));
        assert_eq!(parse_timestamp("2015-05-17 01:00:00"), Some(1_431_824_400));
        assert_eq!(
            parse_timestamp("2015-05-17T03:00:00+02:00"),
            Some(1_431_824_400)
        );
        assert_eq!(parse_timestamp("2015-05-17T01:00"), Some(1_431_824_400));
        assert_eq!(parse_timestamp("1431824400"), Some(1_431_824_400));
        assert_eq!(parse_timestamp("1431824400.2"), Some(1_431_824_400));
        assert_eq!(
            parse_timestamp("2024-02-29"),
            Some(1_709_164_800),
            "a leap day"
        );
        for bad in [
            "yesterday",
            "2015-13-01",
            "2015-05-17T25:00",
            "2015-05-17X",
            "2024-09-31",
            "2023-02-29",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        for day in [-1000, 0, 16_572, 20_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }

    #[test]
    fn gaps_are_filled_and_rows_sorted() {
        let (values, filled) = fill(&[Some(1.0), None, None, Some(4.0), None]);
        assert_eq!((values, filled), (vec![1.0, 2.0, 3.0, 4.0, 4.0], 3));
        // Shuffled rows with one missing hour.
        let rows = vec![
            (7200, 3.0, 4),
            (0, 1.0, 2),
            (3600, 2.0, 3),
            (10_800, 4.0, 5),
            (18_000, 6.0, 6),
        ];
        let s = Series::from_points(rows, "x.csv").unwrap();
        assert_eq!((s.start, s.step, s.filled), (0, 3600, 1));
        assert_eq!(s.observed, vec![true, true, true, true, false, true]);
        assert_eq!(s.values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = Series::from_points(vec![(0, 1.0, 2), (60, 1.0, 3), (0, 2.0, 4)], "x.csv");
        assert_eq!(
            err.unwrap_err().to_string(),
            "x.csv:4: timestamp 0 repeats line 2"
        );
        let err = Series::from_points(
            vec![(0, 1.0, 2), (1, 1.0, 3), (4_000_000_000, 2.0, 4)],
            "x.csv",
        );
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("x.csv:4: the rows span")
        );
        let err = csv_rows("t,v\n2020-01-01,5\n2020-01-02,lots\n", "x.csv").unwrap_err();
        assert_eq!(err.to_string(), "x.csv:3: 'lots' is not a finite number");
        let err = csv_rows("t,v\n2020-01-01,1e400\n", "x.csv").unwrap_err();
        assert_eq!(err.to_string(), "x.csv:2: '1e400' is not a finite number");
    }

    #[test]
    fn monthly_rows_make_a_monthly_series() {
        let rows = csv_rows("t,v\n2020-01-01,1\n2020-02-01,2\n2020-04-01,4\n", "m.csv").unwrap();
        let s = Series::from_points(rows, "m.csv").unwrap();
        assert!(s.monthly);
        assert_eq!(s.values, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.time(3), days_from_civil(2020, 4, 1) * DAY_S);
    }

    #[test]
    fn prometheus_answers() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1700000000,"1.5"],[1700000060,"2"],[1700000180,"4"]]}]}}"#;
        let s = Series::from_points(prometheus_rows(text, "p.json").unwrap(), "p.json").unwrap();
        assert_eq!((s.step, s.filled), (60, 1));
        assert_eq!(s.values, vec![1.5, 2.0, 3.0, 4.0]);
        let two = r#"{"data":{"result":[{"values":[]},{"values":[]}]}}"#;
        assert!(
            prometheus_rows(two, "p.json")
                .unwrap_err()
                .to_string()
                .contains("2 series")
        );
        let bad = r#"{"data":{"result":[{"values":[[1700000000,"x"]]}]}}"#;
        assert!(
            prometheus_rows(bad, "p.json")
                .unwrap_err()
                .to_string()
                .starts_with("p.json:1:")
        );
    }
}
