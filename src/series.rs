//! A series from a dataset or a file, forecast with intervals and explained: the
//! library side of `headroom forecast`.
//!
//! ```no_run
//! use headroom::series::{Metric, Request, Series, forecast};
//!
//! let daily = Series::from_dataset("dataset".as_ref(), Metric::Peak)?;
//! let request = Request::new(90);
//! let made = forecast(&daily, &request)?;
//! for line in made.text(&daily, None) {
//!     println!("{line}");
//! }
//! # Ok::<(), headroom::Error>(())
//! ```

use std::fmt::Write as _;
use std::path::Path;

use headroom_forecast::calendar::Calendar;
use headroom_forecast::interval::{Forecast, conformal};
use headroom_forecast::m4::Method;
use headroom_forecast::metrics;
use headroom_forecast::model::{Fallback, Model};
use headroom_forecast::robust::Cleaned;
use headroom_forecast::seasons::Seasons;
use headroom_traffic::Rollups;
use headroom_traffic::time::{DAY, HOUR, MINUTE, format_rfc3339};

use crate::error::{Context as _, Error, Result};

/// Steps a forecast may reach ahead: beyond this a horizon is a mistake in its unit (a
/// billion steps would ask for gigabytes) or a guess no model can back.
pub const MAX_HORIZON: usize = 1_000_000;

/// What to take from a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Requests per hour.
    Requests,
    /// Mean megabits per second per hour.
    Mbps,
    /// Each day's busiest-minute requests per second.
    Peak,
    /// Requests per calendar month.
    Monthly,
}

/// A regular series: values at `start + i·step` seconds, or, when `monthly`, at the
/// first of month `start + i` (months counted from January 1970, step 1).
#[derive(Debug, Clone)]
pub struct Series {
    /// What it is, and from where.
    pub what: String,
    /// Unix seconds (or the month index) of the first value.
    pub start: i64,
    /// Seconds between values (1 for months).
    pub step: i64,
    /// One value a calendar month.
    pub monthly: bool,
    /// The values, gaps filled.
    pub values: Vec<f64>,
    /// Steps with no data, filled by interpolation (logs lost, not zero demand).
    pub filled: usize,
}

impl Series {
    /// `metric` of the dataset in `dir`, on a regular grid (empty steps interpolated).
    pub fn from_dataset(dir: &Path, metric: Metric) -> Result<Series> {
        let rollups = headroom_traffic::read_rollups(dir)
            .with_context(|| format!("reading dataset {}", dir.display()))?;
        if rollups.is_empty() {
            return Err(Error::NoTraffic).with_context(|| format!("dataset {}", dir.display()));
        }
        let (what, step, points) = points_of(&rollups, metric);
        let (start, raw) = grid(&points, step);
        let (values, filled) = headroom_forecast::series::fill(&raw);
        Ok(Series {
            what: format!("{what} from {}", dir.display()),
            start,
            step,
            monthly: metric == Metric::Monthly,
            values,
            filled,
        })
    }

    /// A CSV of `timestamp,value` or a Prometheus `query_range` JSON answer, through
    /// [`headroom_forecast::series::read`].
    pub fn from_file(path: &Path) -> Result<Series> {
        let s = headroom_forecast::series::read(path)?;
        Ok(Series {
            what: format!("{}", path.display()),
            start: s.start,
            step: s.step,
            monthly: s.monthly,
            values: s.values,
            filled: s.filled,
        })
    }

    /// Unix seconds of step `i` (past the end for forecasts).
    pub fn time(&self, i: usize) -> i64 {
        let t = self.start + i as i64 * self.step;
        if self.monthly {
            crate::pipeline::text::month_start_day(t) * DAY
        } else {
            t
        }
    }

    /// The step in words: "1 hour", "1 month", "300 s".
    pub fn step_name(&self) -> String {
        if self.monthly {
            return "1 month".to_owned();
        }
        match self.step {
            MINUTE => "1 minute".to_owned(),
            HOUR => "1 hour".to_owned(),
            DAY => "1 day".to_owned(),
            s => format!("{s} s"),
        }
    }
}

/// What `metric` is, its step (1 for months) and its (time, value) points.
fn points_of(rollups: &Rollups, metric: Metric) -> (&'static str, i64, Vec<(i64, f64)>) {
    match metric {
        Metric::Monthly => {
            let mut months: std::collections::BTreeMap<i64, f64> = Default::default();
            for (m, c) in rollups.iter() {
                let (y, mo, _) = headroom_traffic::time::civil_from_days(m.div_euclid(DAY));
                *months.entry(y * 12 + i64::from(mo) - 1).or_default() += c.requests as f64;
            }
            ("requests per month", 1, months.into_iter().collect())
        }
        Metric::Peak => (
            "daily peak requests/s",
            DAY,
            rollups
                .daily_peaks()
                .iter()
                .map(|p| (p.day_s, p.peak_rps))
                .collect(),
        ),
        Metric::Mbps => (
            "mean Mbps per hour",
            HOUR,
            rollups
                .iter()
                .map(|(m, c)| (m, c.bytes as f64 * 8.0 / 1e6 / HOUR as f64))
                .collect(),
        ),
        Metric::Requests => (
            "requests per hour",
            HOUR,
            rollups
                .iter()
                .map(|(m, c)| (m, c.requests as f64))
                .collect(),
        ),
    }
}

/// Puts (time, value) pairs on a regular grid of `step` seconds; empty steps are None.
fn grid(points: &[(i64, f64)], step: i64) -> (i64, Vec<Option<f64>>) {
    let start = points[0].0.div_euclid(step) * step;
    let end = points[points.len() - 1].0.div_euclid(step) * step;
    let mut raw = vec![None; ((end - start) / step + 1) as usize];
    for &(t, v) in points {
        let i = ((t.div_euclid(step) * step - start) / step) as usize;
        *raw[i].get_or_insert(0.0) += v;
    }
    (start, raw)
}

/// What to forecast and how.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// Steps ahead.
    pub horizon: usize,
    /// Seasons in steps; `None`: those of the series' step.
    pub seasons: Option<Vec<f64>>,
    /// Central interval levels, as fractions (0.8, 0.95).
    pub levels: Vec<f64>,
    /// Dated events (a daily series only); empty for none.
    pub calendar: Calendar,
    /// Replace the spikes found with the typical value at their time before fitting.
    pub damp_spikes: bool,
}

impl Request {
    /// `auto` over `horizon` steps with 80% and 95% intervals, the step's seasons, no
    /// calendar, spikes kept.
    pub fn new(horizon: usize) -> Request {
        Request {
            method: Method::Auto,
            horizon,
            seasons: None,
            levels: vec![0.8, 0.95],
            calendar: Calendar::default(),
            damp_spikes: false,
        }
    }
}

/// A forecast made, with what it was made with and why.
#[derive(Debug, Clone)]
pub struct Made {
    /// The method.
    pub method: Method,
    /// The point forecast and its intervals.
    pub forecast: Forecast,
    /// The seasons used.
    pub seasons: Seasons,
    /// Each season asked for, used or not and why.
    pub season_notes: Vec<String>,
    /// Why this method, with every method's error on the history's end held out.
    pub why: String,
    /// Spikes and level shifts in the history.
    pub found: Cleaned,
    /// Whether the spikes were damped before fitting.
    pub damped: bool,
    /// Another method forecast the series, because it was too short for the one asked.
    pub fallback: Option<Fallback>,
}

/// Forecasts `series` as `request` asks; refuses what the method cannot fit and a
/// forecast that is not finite.
pub fn forecast(series: &Series, request: &Request) -> Result<Made> {
    check(series, request)?;
    let (seasons, season_notes) = seasons_for(series, request);
    let m = seasons.primary();
    let found = headroom_forecast::robust::clean(&series.values, m);
    let values = if request.damp_spikes {
        &found.values
    } else {
        &series.values
    };
    let first_day = series.start.div_euclid(DAY);
    let (method, horizon, calendar) = (request.method, request.horizon, &request.calendar);
    let forecast = conformal(values, horizon, &request.levels, 3, 2 * m, |x, h| {
        headroom_forecast::calendar::forecast(x, first_day, h, calendar, |y, h| {
            method.forecast_seasons(y, h, &seasons)
        })
    });
    check_finite(series, values, &forecast)?;
    let fitted = Model::new(method, seasons.clone())
        .fit(values)
        .map_err(|e| Error::Unforecastable {
            what: series.what.clone(),
            why: e.to_string(),
        })?;
    Ok(Made {
        fallback: fitted.fallback().cloned(),
        method,
        why: why(method, values, horizon, &seasons),
        forecast,
        seasons,
        season_notes,
        found,
        damped: request.damp_spikes,
    })
}

/// The seasons asked for (else those of the series' step) that its history can hold,
/// with a note on each.
fn seasons_for(series: &Series, request: &Request) -> (Seasons, Vec<String>) {
    let asked = match &request.seasons {
        Some(periods) => Seasons::from_periods(periods),
        None => Seasons::for_step(if series.monthly {
            30.0 * DAY as f64
        } else {
            series.step as f64
        }),
    };
    asked.usable(series.values.len())
}

/// Values near f64's limit overflow in the arithmetic of any model: refuse the forecast
/// then, rather than print infinities.
fn check_finite(series: &Series, values: &[f64], forecast: &Forecast) -> Result<()> {
    let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
    let intervals = forecast.intervals.iter();
    if finite(&forecast.point)
        && intervals
            .clone()
            .all(|i| finite(&i.lower) && finite(&i.upper))
    {
        return Ok(());
    }
    Err(Error::Unforecastable {
        what: series.what.clone(),
        why: format!(
            "the forecast is not a finite number (the values, up to {:e}, overflow the model's arithmetic); rescale the series",
            values.iter().copied().fold(0.0, |a: f64, b| a.max(b.abs()))
        ),
    })
}

/// What the series and the method must hold before a forecast is tried.
fn check(series: &Series, request: &Request) -> Result<()> {
    match refusal(series, request) {
        Some(why) => Err(Error::Unforecastable {
            what: series.what.clone(),
            why,
        }),
        None => Ok(()),
    }
}

/// Why `request` cannot be made of `series`, if it cannot.
fn refusal(series: &Series, request: &Request) -> Option<String> {
    let (n, h) = (series.values.len(), request.horizon);
    if n < 2 {
        return Some(format!("holds {n} point(s); a forecast needs at least 2"));
    }
    if h == 0 || h > MAX_HORIZON {
        return Some(format!(
            "the horizon is {h} steps; give 1 to {MAX_HORIZON} (about two years of minutes): forecast a coarser series (hourly or daily) that far ahead"
        ));
    }
    if !request.calendar.is_empty() && (series.step != DAY || series.monthly) {
        return Some(format!(
            "holidays need a daily series; this one's step is {}",
            series.step_name()
        ));
    }
    let mut periods = request.seasons.iter().flatten();
    if let Some(bad) = periods.find(|p| !(p.is_finite() && **p >= 1.0)) {
        return Some(format!("seasons are periods of at least 1 step, not {bad}"));
    }
    if let Some(bad) = request.levels.iter().find(|l| !(**l > 0.0 && **l < 1.0)) {
        return Some(format!("interval levels are in (0, 1), not {bad}"));
    }
    outside_the_curve(&series.values, request.method)
}

/// Values a growth curve's scale cannot take, in words.
fn outside_the_curve(values: &[f64], method: Method) -> Option<String> {
    match method {
        Method::Exponential if values.iter().any(|v| *v <= 0.0) => Some(
            "exponential growth needs every value above 0 (it fits their logarithm)".to_owned(),
        ),
        Method::Logistic { capacity } if values.iter().any(|v| *v <= 0.0 || *v >= capacity) => {
            Some(format!(
                "logistic growth needs every value between 0 and the capacity {capacity}"
            ))
        }
        _ => None,
    }
}

/// Why the model: for `auto`, the cross-validation that weighted its candidates;
/// for any model, every method's MASE on the history's last horizon held out.
fn why(method: Method, values: &[f64], horizon: usize, seasons: &Seasons) -> String {
    let n = values.len();
    let m = seasons.primary();
    let basis = match method {
        Method::Auto => {
            let sel = headroom_forecast::select::select(values, horizon, seasons);
            format!("{}; ", auto_why(&sel, horizon))
        }
        Method::Arima => headroom_forecast::select::arima_model(values, seasons).map_or_else(
            || "arima: too little history for a model, so the last value; ".to_owned(),
            |a| format!("arima: {}, by AICc; ", a.order.describe(a.m)),
        ),
        _ => String::new(),
    };
    if n < horizon + 2 * m.max(2) {
        return format!("{basis}too little history to compare methods on held-out data");
    }
    let (train, test) = values.split_at(n - horizon);
    let scores: Vec<String> = Method::ALL
        .iter()
        .filter_map(|&other| {
            let f = other.forecast_seasons(train, horizon, seasons);
            metrics::mase(train, test, &f, m).map(|s| format!("{} {s:.2}", other.name()))
        })
        .collect();
    if scores.is_empty() {
        return format!("{basis}the series repeats itself, so MASE is undefined");
    }
    format!(
        "{basis}MASE on the last {horizon} steps held out: {}",
        scores.join(", ")
    )
}

/// `auto`'s choice in words: which candidate won its cross-validation, by how much,
/// and the weights.
fn auto_why(sel: &headroom_forecast::select::Selection, horizon: usize) -> String {
    let weights: Vec<String> = sel
        .scores
        .iter()
        .filter(|c| c.weight >= 0.005)
        .map(|c| format!("{} {:.0}%", c.name, c.weight * 100.0))
        .collect();
    if sel.origins == 0 {
        return format!(
            "auto: too little history to cross-validate, so its {} candidates share equally",
            sel.scores.len()
        );
    }
    let (best, next) = (&sel.scores[0], sel.scores.get(1));
    let margin = next.map_or(String::new(), |b| {
        format!(
            ", {:.1}% ahead of {} ({:.3})",
            (b.error / best.error - 1.0) * 100.0,
            b.name,
            b.error
        )
    });
    let combined = if sel.median {
        " (the forecast: half their weighted mean, half their weighted median)"
    } else {
        ""
    };
    format!(
        "auto cross-validated {} candidates at {} origins of {horizon} steps: {} won with scaled error {:.3}{margin}; weights ∝ 1/error²{combined}: {}",
        sel.scores.len(),
        sel.origins,
        best.name,
        best.error,
        weights.join(", ")
    )
}

/// Steps (from 0 = the first forecast step) at which a forecast reaches a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    /// The point forecast's first step at or above it.
    pub point: Option<usize>,
    /// The widest interval's upper bound's.
    pub earliest: Option<usize>,
    /// The widest interval's lower bound's.
    pub latest: Option<usize>,
}

/// A level as a percentage without a needless decimal: 0.8 → "80", 0.975 → "97.5".
fn percent(level: f64) -> String {
    let p = level * 100.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

impl Made {
    /// When the forecast first reaches `x`.
    pub fn crossing(&self, x: f64) -> Crossing {
        let first = |v: &[f64]| v.iter().position(|y| *y >= x);
        let widest = self.forecast.intervals.last();
        Crossing {
            point: first(&self.forecast.point),
            earliest: widest.and_then(|i| first(&i.upper)),
            latest: widest.and_then(|i| first(&i.lower)),
        }
    }

    /// The forecast as JSON: the series, the choices and why, spikes, shifts, the
    /// crossing of `cross` and each step's point and bounds.
    pub fn json(&self, series: &Series, cross: Option<f64>) -> serde_json::Value {
        let n = series.values.len();
        let at = |i: usize| format_rfc3339(series.time(i));
        let ahead = |h: Option<usize>| h.map(|h| at(n + h));
        let rows = self.json_rows(series);
        let crossing = cross.map(|x| (x, self.crossing(x)));
        serde_json::json!({
            "series": series.what,
            "observations": n,
            "filled": series.filled,
            "step": series.step_name(),
            "seasons": self.seasons.periods,
            "season_notes": self.season_notes,
            "model": self.method.name(),
            "fallback": self.fallback.as_ref().map(|f| serde_json::json!({
                "used": f.used.name(),
                "reason": f.reason,
            })),
            "why": self.why,
            "calibration_origins": self.forecast.origins,
            "spikes": self.found.spikes.iter().map(|&i| at(i)).collect::<Vec<_>>(),
            "spikes_damped": self.damped,
            "level_shifts": self.found.level_shifts.iter().map(|&i| at(i)).collect::<Vec<_>>(),
            "cross": crossing.map(|(x, c)| serde_json::json!({
                "value": x,
                "point": ahead(c.point),
                "earliest": ahead(c.earliest),
                "latest": ahead(c.latest),
            })),
            "forecast": rows,
        })
    }

    /// Each forecast step as a JSON object: time, point and each interval's bounds.
    fn json_rows(&self, series: &Series) -> Vec<serde_json::Value> {
        let n = series.values.len();
        (0..self.forecast.point.len())
            .map(|h| {
                let time = format_rfc3339(series.time(n + h));
                let mut row = serde_json::json!({"time": time, "point": self.forecast.point[h]});
                for i in &self.forecast.intervals {
                    let pct = percent(i.level);
                    row[format!("lower_{pct}")] = i.lower[h].into();
                    row[format!("upper_{pct}")] = i.upper[h].into();
                }
                row
            })
            .collect()
    }

    /// The forecast as CSV: a header, then time, point and each interval's bounds.
    pub fn csv(&self, series: &Series) -> Vec<String> {
        let n = series.values.len();
        let mut header = String::from("time,point");
        for i in &self.forecast.intervals {
            let pct = percent(i.level);
            let _ = write!(header, ",lower_{pct},upper_{pct}");
        }
        let mut out = vec![header];
        for (h, point) in self.forecast.point.iter().enumerate() {
            let mut line = format!("{},{point}", format_rfc3339(series.time(n + h)));
            for i in &self.forecast.intervals {
                let _ = write!(line, ",{},{}", i.lower[h], i.upper[h]);
            }
            out.push(line);
        }
        out
    }

    /// The forecast as text: what the series is, the seasons, the model and why,
    /// spikes and shifts, the intervals' basis, the crossing of `cross`, then a table.
    pub fn text(&self, series: &Series, cross: Option<f64>) -> Vec<String> {
        let n = series.values.len();
        let mut out = vec![format!(
            "{}: {} points to {}, step {}{}",
            series.what,
            n,
            format_rfc3339(series.time(n - 1)),
            series.step_name(),
            if series.filled > 0 {
                format!(
                    "; {} empty steps filled by interpolation (no log lines: logs lost, not zero demand)",
                    series.filled
                )
            } else {
                String::new()
            }
        )];
        out.push(if self.season_notes.is_empty() {
            "seasons: none asked".to_owned()
        } else {
            format!("seasons: {}", self.season_notes.join("; "))
        });
        out.push(format!("model: {} ({})", self.method.name(), self.why));
        if let Some(f) = &self.fallback {
            out.push(format!("fell back to {}: {}", f.used.name(), f.reason));
        }
        out.extend(self.findings(series));
        out.push(self.intervals_basis());
        if let Some(x) = cross {
            out.push(self.crossing_text(series, x));
        }
        out.extend(self.table(series));
        out
    }

    /// The spikes and level shifts found, a line each when there are any.
    fn findings(&self, series: &Series) -> Vec<String> {
        let list = |idx: &[usize]| {
            let mut shown: Vec<String> = idx
                .iter()
                .take(5)
                .map(|&i| format_rfc3339(series.time(i)))
                .collect();
            if idx.len() > 5 {
                shown.push(format!("… {} more", idx.len() - 5));
            }
            shown.join(", ")
        };
        let mut out = Vec::new();
        if !self.found.spikes.is_empty() {
            out.push(format!(
                "spikes: {} ({}){}",
                self.found.spikes.len(),
                list(&self.found.spikes),
                if self.damped {
                    ", damped before fitting"
                } else {
                    ", kept (--damp-spikes damps them)"
                }
            ));
        }
        if !self.found.level_shifts.is_empty() {
            out.push(format!("level shifts: {}", list(&self.found.level_shifts)));
        }
        out
    }

    fn intervals_basis(&self) -> String {
        if self.forecast.origins == 0 {
            "intervals: random-walk spread (too little history to calibrate on held-out forecasts)"
                .to_owned()
        } else {
            format!(
                "intervals: from this model's errors forecasting the last {} × {} steps",
                self.forecast.origins,
                self.forecast.point.len()
            )
        }
    }

    fn crossing_text(&self, series: &Series, x: f64) -> String {
        let n = series.values.len();
        let c = self.crossing(x);
        let at = |h: Option<usize>| {
            h.map_or("not within the horizon".to_owned(), |h| {
                format_rfc3339(series.time(n + h))
            })
        };
        let widest = self.forecast.intervals.last().map_or(0.0, |i| i.level);
        format!(
            "reaches {x}: {} (point forecast); {}% interval: earliest {}, latest {}",
            at(c.point),
            percent(widest),
            at(c.earliest),
            at(c.latest)
        )
    }

    fn table(&self, series: &Series) -> Vec<String> {
        let n = series.values.len();
        let mut head = format!("{:<20} {:>12}", "time", "point");
        for i in &self.forecast.intervals {
            let pct = percent(i.level);
            let _ = write!(
                head,
                " {:>12} {:>12}",
                format!("lo{pct}"),
                format!("hi{pct}")
            );
        }
        let mut out = vec![head];
        for (h, point) in self.forecast.point.iter().enumerate() {
            let mut line = format!("{:<20} {:>12.3}", format_rfc3339(series.time(n + h)), point);
            for i in &self.forecast.intervals {
                let _ = write!(line, " {:>12.3} {:>12.3}", i.lower[h], i.upper[h]);
            }
            out.push(line);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily(values: &[f64]) -> Series {
        Series {
            what: "test".to_owned(),
            start: 20_000 * DAY,
            step: DAY,
            monthly: false,
            values: values.to_vec(),
            filled: 0,
        }
    }

    #[test]
    fn a_fallback_is_reported_never_silent() {
        let mut request = Request::new(2);
        request.method = Method::Ets;
        let made = forecast(&daily(&[5.0, 6.0, 7.0]), &request).unwrap();
        let f = made
            .fallback
            .as_ref()
            .expect("three points are too few for ETS");
        assert_eq!((f.asked, f.used), (Method::Ets, Method::Naive));
        let text = made.text(&daily(&[5.0, 6.0, 7.0]), None).join("\n");
        assert!(
            text.contains("fell back to naive: 3 points are fewer than ets needs (4)"),
            "{text}"
        );
        assert_eq!(
            made.json(&daily(&[5.0, 6.0, 7.0]), None)["fallback"]["used"],
            "naive"
        );
        // Enough points: no fallback.
        let long: Vec<f64> = (0..20).map(f64::from).collect();
        assert!(
            forecast(&daily(&long), &request)
                .unwrap()
                .fallback
                .is_none()
        );
    }

    #[test]
    fn refusals_name_the_series_and_the_reason() {
        let mut request = Request::new(3);
        request.method = Method::Exponential;
        let err = forecast(&daily(&[1.0, 0.0, 2.0]), &request).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("test: exponential growth needs every value above 0"),
            "{err}"
        );
        request.method = Method::Naive;
        let err = forecast(&daily(&[1.0]), &request).unwrap_err();
        assert!(
            err.to_string()
                .contains("holds 1 point(s); a forecast needs at least 2"),
            "{err}"
        );
        request.horizon = MAX_HORIZON + 1;
        assert!(forecast(&daily(&[1.0, 2.0]), &request).is_err());
    }
}
