//! `headroom backtest`: score forecasting methods on many series' held-out ends.

use std::path::PathBuf;

use anyhow::Context as _;
use headroom_forecast::m4::{self, Method};
use headroom_forecast::seasons::{Seasons, show};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Series: long format (`id,timestamp,value` with a header), or M4's wide format
    /// (a header, then `id,v1,v2,…`) when --test names the matching test file.
    file: PathBuf,
    /// M4 test file (wide format) holding each series' next values; without it the
    /// last --horizon values of each series are held out.
    #[arg(long)]
    test: Option<PathBuf>,
    /// Steps to forecast (held out when there is no --test file).
    #[arg(long, default_value_t = 48)]
    horizon: usize,
    /// Seasons in steps, comma-separated, fractions allowed: 24 (hourly data; the week
    /// is added), 7,365.25 (daily), 52.18 (weekly), 12 (monthly).
    #[arg(long, value_delimiter = ',', default_value = "24")]
    season: Vec<f64>,
    /// The season of MASE's scale and Naive2's adjustment (default: the shortest whole
    /// season, 1 if none). M4 scores weekly data with 1.
    #[arg(long)]
    mase_season: Option<usize>,
    /// Methods to score, comma-separated (naive, snaive, naive2, theta, autotheta, dotm,
    /// damped, ses, ets, linear, exponential, mstl-ets, mstl-ets-log, arima, auto); Naive2
    /// always runs as OWA's reference.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "naive,snaive,naive2,theta,ets,mstl-ets,auto"
    )]
    models: Vec<String>,
    /// Also score prediction intervals at this level, in percent (M4 used 95): their
    /// coverage and MSIS. Intervals are calibrated on 3 earlier origins, so each method
    /// is fitted four times per series.
    #[arg(long)]
    level: Option<f64>,
    /// Damp spikes in each series' training part before fitting (see `forecast`).
    #[arg(long)]
    clean: bool,
    /// Calendar effects for daily series (long format): a shipped country's public
    /// holidays (JP, US, GB, DE, FR, CZ) or a `date,name[,factor]` file. Naive2, the
    /// reference, stays without.
    #[arg(long)]
    holidays: Option<String>,
    /// Rolling origins per series (long format only): also hold out the `horizon` values
    /// before the last ones, and so on, each scored as a series of its own.
    #[arg(long, default_value_t = 1)]
    origins: usize,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let methods = args
        .models
        .iter()
        .map(|name| {
            Method::from_name(name).with_context(|| {
                let known: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                format!("unknown model '{name}' (known: {})", known.join(", "))
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let setup = setup(args)?;
    let series = read(args)?;
    let scores = m4::evaluate(&series, &methods, &setup);
    let shown: Vec<String> = setup.seasons.periods.iter().map(|p| show(*p)).collect();
    let held_out = if args.test.is_some() {
        "M4 train/test".to_owned()
    } else if args.origins > 1 {
        format!("up to {} rolling origins a series", args.origins)
    } else {
        "last values held out".to_owned()
    };
    println!(
        "{} series, horizon {}, seasons {}, MASE season {} ({held_out})",
        series.len(),
        args.horizon,
        if shown.is_empty() {
            "none".to_owned()
        } else {
            shown.join(", ")
        },
        setup.m,
    );
    for line in m4::score_table(&scores, args.level, setup.m) {
        println!("{line}");
    }
    Ok(())
}

/// The seasons, MASE's season, the interval level and the calendar from the flags.
fn setup(args: &Args) -> anyhow::Result<m4::Setup> {
    anyhow::ensure!(args.horizon > 0, "--horizon must be at least 1");
    if let Some(bad) = args.season.iter().find(|p| !(p.is_finite() && **p >= 1.0)) {
        anyhow::bail!("--season takes periods of at least 1 step, not {bad}");
    }
    let seasons = match args.season.as_slice() {
        [m] if m.fract() == 0.0 => Seasons::from_season(*m as usize),
        list => Seasons::from_periods(list),
    };
    let whole = seasons.periods.iter().find(|p| p.fract() == 0.0);
    let m = args
        .mase_season
        .unwrap_or_else(|| whole.map_or(1, |p| *p as usize));
    anyhow::ensure!(m > 0, "--mase-season must be at least 1");
    if let Some(level) = args.level {
        anyhow::ensure!(
            level > 0.0 && level < 100.0,
            "--level must be a percentage in (0, 100), not {level}"
        );
    }
    let calendar = args.holidays.as_deref();
    Ok(m4::Setup {
        seasons,
        m,
        level: args.level.map(|l| l / 100.0),
        clean: args.clean,
        calendar: calendar
            .map(headroom_forecast::calendar::Calendar::load)
            .transpose()?,
    })
}

/// The series with their held-out ends: M4's train and test files, or a long file's
/// last `horizon` values (at `origins` rolling origins).
fn read(args: &Args) -> anyhow::Result<Vec<m4::Holdout>> {
    anyhow::ensure!(
        args.origins == 1 || args.test.is_none(),
        "--origins needs long format (without --test): M4's test file is one origin"
    );
    let series = match &args.test {
        Some(test) => m4::read_m4(&args.file, test)?,
        None => m4::read_long_origins(&args.file, args.horizon, args.origins)?,
    };
    anyhow::ensure!(
        !series.is_empty(),
        "{} holds no series",
        args.file.display()
    );
    if let Some(s) = series.iter().find(|s| s.test.len() != args.horizon) {
        anyhow::bail!(
            "series '{}' has {} test values, not the horizon {}",
            s.id,
            s.test.len(),
            args.horizon
        );
    }
    Ok(series)
}
