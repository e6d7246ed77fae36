//! `headroom forecast`: a series from a dataset or a CSV, forecast with intervals.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_forecast::calendar::Calendar;
use headroom_forecast::interval::{Forecast, conformal};
use headroom_forecast::m4::Method;
use headroom_forecast::metrics;
use headroom_forecast::seasons::Seasons;
use headroom_traffic::time::{DAY, HOUR, MINUTE, format_rfc3339};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A dataset folder written by `headroom ingest`, or a CSV of `timestamp,value`
    /// (a header line; timestamps as Unix seconds, YYYY-MM-DD or ISO 8601).
    source: PathBuf,
    /// From a dataset: `requests` (per hour), `mbps` (mean per hour), `peak` (each
    /// day's busiest-minute requests/s) or `monthly` (requests per calendar month).
    #[arg(long, default_value = "requests", value_parser = ["requests", "mbps", "peak", "monthly"])]
    metric: String,
    /// How far ahead: steps, or a duration like 48h, 90d, 8w.
    #[arg(long, default_value = "7d")]
    horizon: String,
    /// Seasons in steps, comma-separated, fractions allowed (default from the step:
    /// minutes 1440,10080; hours 24,168; days 7,365.24; weeks 52.18; months 12). Each is
    /// used only when the history holds two cycles of it.
    #[arg(long, value_delimiter = ',')]
    season: Vec<f64>,
    /// Method: auto (the candidates for the data's seasons cross-validated on the
    /// history, weighted by their errors), naive, snaive, naive2, theta, autotheta,
    /// dotm, damped, ses, ets, mstl-ets, mstl-ets-log, or a growth curve with
    /// changepoints: linear, exponential, or logistic (saturating at --capacity).
    #[arg(long, default_value = "auto")]
    model: String,
    /// Daily series: holidays and other dated events whose effect is measured in the
    /// history and put on their next dates: a shipped country's public holidays (JP,
    /// US, GB, DE, FR, CZ) or a `date,name[,factor]` CSV.
    #[arg(long)]
    holidays: Option<String>,
    /// For --model logistic: the level the series cannot pass.
    #[arg(long)]
    capacity: Option<f64>,
    /// Interval levels in percent, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "80,95")]
    level: Vec<f64>,
    /// Report when the point forecast (and the widest interval) first reaches this value.
    #[arg(long)]
    cross: Option<f64>,
    /// Replace the spikes found with the typical value at their time before fitting
    /// (off by default: on M4 Hourly it raised OWA from 0.482 to 0.518, as real peaks
    /// were damped with the noise).
    #[arg(long)]
    damp_spikes: bool,
    /// Print CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// A regular series: values at `start + i·step` seconds, or, when `monthly`, at the
/// first of month `start + i` (months counted from January 1970, step 1).
struct Series {
    what: String,
    start: i64,
    step: i64,
    monthly: bool,
    values: Vec<f64>,
    /// Steps with no data, filled by interpolation.
    filled: usize,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let method = match (args.model.as_str(), args.capacity) {
        ("logistic", Some(capacity)) if capacity > 0.0 && capacity.is_finite() => {
            Method::Logistic { capacity }
        }
        ("logistic", _) => anyhow::bail!("--model logistic needs --capacity C, a positive number"),
        (name, _) => Method::from_name(name).with_context(|| {
            let known: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
            format!(
                "unknown model '{name}' (known: {}, logistic)",
                known.join(", ")
            )
        })?,
    };
    for l in &args.level {
        anyhow::ensure!(
            *l > 0.0 && *l < 100.0,
            "--level takes percentages in (0, 100), not {l}"
        );
    }
    let series = if args.source.is_dir() {
        from_dataset(&args.source, &args.metric)?
    } else {
        from_csv(&args.source)?
    };
    anyhow::ensure!(
        series.values.len() >= 2,
        "{} holds {} point(s); a forecast needs at least 2",
        series.what,
        series.values.len()
    );
    match method {
        Method::Exponential if series.values.iter().any(|v| *v <= 0.0) => anyhow::bail!(
            "{}: exponential growth needs every value above 0 (it fits their logarithm)",
            series.what
        ),
        Method::Logistic { capacity }
            if series.values.iter().any(|v| *v <= 0.0 || *v >= capacity) =>
        {
            anyhow::bail!(
                "{}: logistic growth needs every value between 0 and the capacity {capacity}",
                series.what
            )
        }
        _ => {}
    }
    let horizon = if series.monthly {
        months(&args.horizon)?
    } else {
        steps(&args.horizon, series.step)?
    };
    anyhow::ensure!(
        horizon <= MAX_HORIZON,
        "--horizon '{}' is {horizon} steps; at most {MAX_HORIZON} (about two years of minutes): forecast a coarser series (hourly or daily) that far ahead",
        args.horizon
    );
    if let Some(x) = args.cross {
        anyhow::ensure!(x.is_finite(), "--cross takes a finite value, not {x}");
    }
    if let Some(bad) = args.season.iter().find(|p| !(p.is_finite() && **p >= 1.0)) {
        anyhow::bail!("--season takes periods of at least 1 step, not {bad}");
    }
    let asked = if args.season.is_empty() {
        let step_s = if series.monthly {
            30.0 * DAY as f64
        } else {
            series.step as f64
        };
        Seasons::for_step(step_s)
    } else {
        Seasons::from_periods(&args.season)
    };
    let (seasons, season_notes) = asked.usable(series.values.len());
    let m = seasons.primary();
    let levels: Vec<f64> = args.level.iter().map(|l| l / 100.0).collect();
    let found = headroom_forecast::robust::clean(&series.values, m);
    let values = if args.damp_spikes {
        &found.values
    } else {
        &series.values
    };
    let calendar = match &args.holidays {
        Some(spec) => {
            anyhow::ensure!(
                series.step == DAY && !series.monthly,
                "--holidays needs a daily series; this one's step is {}",
                step_name(series.step)
            );
            Calendar::load(spec).context("reading --holidays")?
        }
        None => Calendar::default(),
    };
    let first_day = series.start.div_euclid(DAY);
    let forecast = conformal(values, horizon, &levels, 3, 2 * m, |x, h| {
        headroom_forecast::calendar::forecast(x, first_day, h, &calendar, |y, h| {
            method.forecast_seasons(y, h, &seasons)
        })
    });
    let why = why(method, values, horizon, &seasons);
    let n = series.values.len();
    let observed_at = |i: usize| series.time(i);
    let time_of = |h: usize| series.time(n + h);
    let last = series.time(n - 1);
    // Values near f64's limit overflow in the arithmetic of any model.
    let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
    anyhow::ensure!(
        finite(&forecast.point)
            && forecast
                .intervals
                .iter()
                .all(|i| finite(&i.lower) && finite(&i.upper)),
        "{}: the forecast is not a finite number (the values, up to {:e}, overflow the model's arithmetic); rescale the series",
        series.what,
        values.iter().copied().fold(0.0, |a: f64, b| a.max(b.abs()))
    );
    let crossing = args.cross.map(|x| crossing(&forecast, x));
    if args.json {
        let rows: Vec<serde_json::Value> = (0..horizon)
            .map(|h| {
                let mut row = serde_json::json!({
                    "time": format_rfc3339(time_of(h)),
                    "point": forecast.point[h],
                });
                for i in &forecast.intervals {
                    let pct = percent(i.level);
                    row[format!("lower_{pct}")] = i.lower[h].into();
                    row[format!("upper_{pct}")] = i.upper[h].into();
                }
                row
            })
            .collect();
        let json = serde_json::json!({
            "series": series.what,
            "observations": series.values.len(),
            "filled": series.filled,
            "step": if series.monthly { "1 month".to_owned() } else { step_name(series.step) },
            "seasons": seasons.periods,
            "season_notes": season_notes,
            "model": method.name(),
            "why": why,
            "calibration_origins": forecast.origins,
            "spikes": found.spikes.iter().map(|&i| format_rfc3339(observed_at(i))).collect::<Vec<_>>(),
            "spikes_damped": args.damp_spikes,
            "level_shifts": found.level_shifts.iter().map(|&i| format_rfc3339(observed_at(i))).collect::<Vec<_>>(),
            "cross": args.cross.map(|x| serde_json::json!({
                "value": x,
                "point": crossing.as_ref().and_then(|c| c.point).map(|h| format_rfc3339(time_of(h))),
                "earliest": crossing.as_ref().and_then(|c| c.earliest).map(|h| format_rfc3339(time_of(h))),
                "latest": crossing.as_ref().and_then(|c| c.latest).map(|h| format_rfc3339(time_of(h))),
            })),
            "forecast": rows,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    let mut header = String::from("time,point");
    for i in &forecast.intervals {
        let pct = percent(i.level);
        let _ = write!(header, ",lower_{pct},upper_{pct}");
    }
    if args.csv {
        println!("{header}");
        for h in 0..horizon {
            let mut line = format!("{},{}", format_rfc3339(time_of(h)), forecast.point[h]);
            for i in &forecast.intervals {
                let _ = write!(line, ",{},{}", i.lower[h], i.upper[h]);
            }
            println!("{line}");
        }
        return Ok(());
    }
    println!(
        "{}: {} points to {}, step {}{}",
        series.what,
        series.values.len(),
        format_rfc3339(last),
        if series.monthly {
            "1 month".to_owned()
        } else {
            step_name(series.step)
        },
        if series.filled > 0 {
            format!(
                "; {} empty steps filled by interpolation (no log lines: logs lost, not zero demand)",
                series.filled
            )
        } else {
            String::new()
        }
    );
    if season_notes.is_empty() {
        println!("seasons: none asked");
    } else {
        println!("seasons: {}", season_notes.join("; "));
    }
    println!("model: {} ({why})", method.name());
    let list = |idx: &[usize]| {
        let mut shown: Vec<String> = idx
            .iter()
            .take(5)
            .map(|&i| format_rfc3339(observed_at(i)))
            .collect();
        if idx.len() > 5 {
            shown.push(format!("… {} more", idx.len() - 5));
        }
        shown.join(", ")
    };
    if !found.spikes.is_empty() {
        println!(
            "spikes: {} ({}){}",
            found.spikes.len(),
            list(&found.spikes),
            if args.damp_spikes {
                ", damped before fitting"
            } else {
                ", kept (--damp-spikes damps them)"
            }
        );
    }
    if !found.level_shifts.is_empty() {
        println!("level shifts: {}", list(&found.level_shifts));
    }
    if forecast.origins == 0 {
        println!(
            "intervals: random-walk spread (too little history to calibrate on held-out forecasts)"
        );
    } else {
        println!(
            "intervals: from this model's errors forecasting the last {} × {horizon} steps",
            forecast.origins
        );
    }
    if let (Some(x), Some(c)) = (args.cross, &crossing) {
        let at = |h: Option<usize>| {
            h.map_or("not within the horizon".to_owned(), |h| {
                format_rfc3339(time_of(h))
            })
        };
        let widest = forecast.intervals.last().map_or(0.0, |i| i.level);
        println!(
            "reaches {x}: {} (point forecast); {}% interval: earliest {}, latest {}",
            at(c.point),
            percent(widest),
            at(c.earliest),
            at(c.latest)
        );
    }
    let mut head = format!("{:<20} {:>12}", "time", "point");
    for i in &forecast.intervals {
        let pct = percent(i.level);
        let _ = write!(
            head,
            " {:>12} {:>12}",
            format!("lo{pct}"),
            format!("hi{pct}")
        );
    }
    println!("{head}");
    for h in 0..horizon {
        let mut line = format!(
            "{:<20} {:>12.3}",
            format_rfc3339(time_of(h)),
            forecast.point[h]
        );
        for i in &forecast.intervals {
            let _ = write!(line, " {:>12.3} {:>12.3}", i.lower[h], i.upper[h]);
        }
        println!("{line}");
    }
    Ok(())
}

fn percent(level: f64) -> String {
    let p = level * 100.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

fn step_name(step: i64) -> String {
    match step {
        MINUTE => "1 minute".to_owned(),
        HOUR => "1 hour".to_owned(),
        DAY => "1 day".to_owned(),
        s => format!("{s} s"),
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
    format!(
        "auto cross-validated {} candidates at {} origins of {horizon} steps: {} won with scaled error {:.3}{margin}; weights ∝ 1/error²: {}",
        sel.scores.len(),
        sel.origins,
        best.name,
        best.error,
        weights.join(", ")
    )
}

/// Steps (from 0 = the first forecast step) at which a forecast reaches `x`.
struct Crossing {
    point: Option<usize>,
    earliest: Option<usize>,
    latest: Option<usize>,
}

fn crossing(f: &Forecast, x: f64) -> Crossing {
    let first = |v: &[f64]| v.iter().position(|y| *y >= x);
    let widest = f.intervals.last();
    Crossing {
        point: first(&f.point),
        earliest: widest.and_then(|i| first(&i.upper)),
        latest: widest.and_then(|i| first(&i.lower)),
    }
}

/// Steps a forecast may reach ahead: beyond this a horizon is a mistake in its unit (a
/// billion steps would ask for gigabytes) or a guess no model can back.
const MAX_HORIZON: usize = 1_000_000;

/// Steps in a horizon given as a count or a duration (`48h`, `90d`, `8w`, `30m`).
fn steps(horizon: &str, step: i64) -> anyhow::Result<usize> {
    let bad = || format!("--horizon '{horizon}': give steps (48) or a duration (48h, 90d, 8w)");
    let (number, unit) = match horizon
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic())
    {
        Some((i, _)) => horizon.split_at(i),
        None => (horizon, ""),
    };
    let n: u64 = number.trim().parse().with_context(bad)?;
    let seconds = match unit {
        "" => return usize::try_from(n).ok().filter(|n| *n > 0).with_context(bad),
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => anyhow::bail!(bad()),
    };
    let total = i64::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(seconds))
        .with_context(bad)?;
    anyhow::ensure!(total > 0, bad());
    let k = (total - 1) / step + 1;
    Ok(k as usize)
}

/// Months in a horizon for a monthly series: a count, or a duration in years (2y),
/// weeks or days (rounded up to months of 30.4375 days).
fn months(horizon: &str) -> anyhow::Result<usize> {
    let bad = || format!("--horizon '{horizon}': give months (12) or a duration (2y, 90d)");
    let (number, unit) = match horizon
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic())
    {
        Some((i, _)) => horizon.split_at(i),
        None => (horizon, ""),
    };
    let n: f64 = number.trim().parse::<u32>().with_context(bad)?.into();
    let months = match unit {
        "" => n,
        "y" => 12.0 * n,
        "w" => (7.0 * n / 30.4375).ceil(),
        "d" => (n / 30.4375).ceil(),
        _ => anyhow::bail!(bad()),
    };
    anyhow::ensure!(months >= 1.0, bad());
    Ok(months as usize)
}

impl Series {
    /// Unix seconds of step `i` (past the end for forecasts).
    fn time(&self, i: usize) -> i64 {
        let t = self.start + i as i64 * self.step;
        if self.monthly {
            super::month_start_day(t) * DAY
        } else {
            t
        }
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

fn from_dataset(dir: &Path, metric: &str) -> anyhow::Result<Series> {
    let rollups = headroom_traffic::read_rollups(dir)
        .with_context(|| format!("reading dataset {}", dir.display()))?;
    anyhow::ensure!(
        !rollups.is_empty(),
        "dataset {} holds no traffic",
        dir.display()
    );
    if metric == "monthly" {
        let mut months: std::collections::BTreeMap<i64, f64> = Default::default();
        for (m, c) in rollups.iter() {
            let (y, mo, _) = headroom_traffic::time::civil_from_days(m.div_euclid(DAY));
            *months.entry(y * 12 + i64::from(mo) - 1).or_default() += c.requests as f64;
        }
        let points: Vec<(i64, f64)> = months.into_iter().collect();
        let (start, raw) = grid(&points, 1);
        let (values, filled) = headroom_forecast::series::fill(&raw);
        return Ok(Series {
            what: format!("requests per month from {}", dir.display()),
            start,
            step: 1,
            monthly: true,
            values,
            filled,
        });
    }
    let (what, step, points): (&str, i64, Vec<(i64, f64)>) = match metric {
        "peak" => (
            "daily peak requests/s",
            DAY,
            rollups
                .daily_peaks()
                .iter()
                .map(|p| (p.day_s, p.peak_rps))
                .collect(),
        ),
        "mbps" => (
            "mean Mbps per hour",
            HOUR,
            rollups
                .iter()
                .map(|(m, c)| (m, c.bytes as f64 * 8.0 / 1e6 / HOUR as f64))
                .collect(),
        ),
        _ => (
            "requests per hour",
            HOUR,
            rollups
                .iter()
                .map(|(m, c)| (m, c.requests as f64))
                .collect(),
        ),
    };
    let (start, raw) = grid(&points, step);
    let (values, filled) = headroom_forecast::series::fill(&raw);
    Ok(Series {
        what: format!("{what} from {}", dir.display()),
        start,
        step,
        monthly: false,
        values,
        filled,
    })
}

/// A CSV of `timestamp,value` or a Prometheus `query_range` JSON answer, through
/// [`headroom_forecast::series::read`].
fn from_csv(path: &Path) -> anyhow::Result<Series> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_timestamps_and_gaps() {
        assert_eq!(steps("48", HOUR).unwrap(), 48);
        assert_eq!(steps("2d", HOUR).unwrap(), 48);
        assert_eq!(steps("90d", DAY).unwrap(), 90);
        assert_eq!(steps("36h", DAY).unwrap(), 2);
        assert!(steps("0", HOUR).is_err() && steps("3x", HOUR).is_err());
        assert_eq!(months("18").unwrap(), 18);
        assert_eq!(months("2y").unwrap(), 24);
        assert_eq!(months("90d").unwrap(), 3);
    }
}
