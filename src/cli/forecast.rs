//! `headroom forecast`: a series from a dataset or a CSV, forecast with intervals
//! ([`headroom::series`] does the work).

use std::path::PathBuf;

use anyhow::Context as _;
use headroom::series::{self, Metric, Request, Series};
use headroom_forecast::calendar::Calendar;
use headroom_forecast::m4::Method;

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
    /// dotm, damped, ses, ets, mstl-ets, mstl-ets-log, arima (seasonal ARIMA by a
    /// stepwise search), or a growth curve with
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

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let method = method(&args.model, args.capacity)?;
    check_flags(args)?;
    let series = read_series(args)?;
    let horizon = horizon(args, &series)?;
    let request = Request {
        method,
        horizon,
        seasons: (!args.season.is_empty()).then(|| args.season.clone()),
        levels: args.level.iter().map(|l| l / 100.0).collect(),
        calendar: match &args.holidays {
            Some(spec) => Calendar::load(spec).context("reading --holidays")?,
            None => Calendar::default(),
        },
        damp_spikes: args.damp_spikes,
    };
    let made = series::forecast(&series, &request)?;
    let lines = if args.json {
        vec![serde_json::to_string_pretty(
            &made.json(&series, args.cross),
        )?]
    } else if args.csv {
        made.csv(&series)
    } else {
        made.text(&series, args.cross)
    };
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// `--horizon` in the series' steps (months for a monthly one), at most
/// [`series::MAX_HORIZON`].
fn horizon(args: &Args, series: &Series) -> anyhow::Result<usize> {
    let horizon = if series.monthly {
        months(&args.horizon)?
    } else {
        steps(&args.horizon, series.step)?
    };
    anyhow::ensure!(
        horizon <= series::MAX_HORIZON,
        "--horizon '{}' is {horizon} steps; at most {} (about two years of minutes): forecast a coarser series (hourly or daily) that far ahead",
        args.horizon,
        series::MAX_HORIZON
    );
    Ok(horizon)
}

/// `--level`, `--cross` and `--season` in their ranges.
fn check_flags(args: &Args) -> anyhow::Result<()> {
    for l in &args.level {
        anyhow::ensure!(
            *l > 0.0 && *l < 100.0,
            "--level takes percentages in (0, 100), not {l}"
        );
    }
    if let Some(x) = args.cross {
        anyhow::ensure!(x.is_finite(), "--cross takes a finite value, not {x}");
    }
    if let Some(bad) = args.season.iter().find(|p| !(p.is_finite() && **p >= 1.0)) {
        anyhow::bail!("--season takes periods of at least 1 step, not {bad}");
    }
    Ok(())
}

/// The series to forecast: a dataset's `--metric`, or a file's.
fn read_series(args: &Args) -> anyhow::Result<Series> {
    if !args.source.is_dir() {
        return Ok(Series::from_file(&args.source)?);
    }
    let metric = match args.metric.as_str() {
        "mbps" => Metric::Mbps,
        "peak" => Metric::Peak,
        "monthly" => Metric::Monthly,
        _ => Metric::Requests,
    };
    Ok(Series::from_dataset(&args.source, metric)?)
}

/// The method `--model` names (with `--capacity` for logistic growth).
fn method(name: &str, capacity: Option<f64>) -> anyhow::Result<Method> {
    match (name, capacity) {
        ("logistic", Some(capacity)) if capacity > 0.0 && capacity.is_finite() => {
            Ok(Method::Logistic { capacity })
        }
        ("logistic", _) => anyhow::bail!("--model logistic needs --capacity C, a positive number"),
        (name, _) => Method::from_name(name).with_context(|| {
            let known: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
            format!(
                "unknown model '{name}' (known: {}, logistic)",
                known.join(", ")
            )
        }),
    }
}

/// Steps in `--horizon`: a count or a duration.
fn steps(horizon: &str, step: i64) -> anyhow::Result<usize> {
    headroom::units::steps(horizon, step).with_context(|| {
        format!("--horizon '{horizon}': give steps (48) or a duration (48h, 90d, 8w)")
    })
}

/// Months in `--horizon` for a monthly series: a count or a duration.
fn months(horizon: &str) -> anyhow::Result<usize> {
    headroom::units::months(horizon)
        .with_context(|| format!("--horizon '{horizon}': give months (12) or a duration (2y, 90d)"))
}
