//! Scores methods on a benchmark's training parts (each series' last horizon of its
//! training part held out: the data methods are chosen on) or on its test parts, without
//! building the whole headroom binary: `cargo run --release -p headroom-forecast
//! --example horizon -- SET SPLIT METHODS`, SET one of m4-weekly, m3-monthly,
//! tourism-monthly, m4-hourly, daily-web (`data/forecast/daily-web`, or a long CSV
//! named by DAILY_WEB; last 90 days held out); SPLIT `validate` (or `validate-K`, the
//! held-out horizon ending K steps earlier: another draw of the training parts) or
//! `test`. SEASONS=7,365.24 overrides the seasons, LEVEL=95 scores intervals too,
//! PER_SERIES=1 prints each series' sMAPE, MASE and mean log ratio of actual to forecast
//! (its bias), HOLIDAYS=US (or a `date,name` file) forecasts daily series with those
//! calendar effects, TRUNC=0.5 keeps the last half of every history (how methods hold up
//! on short ones).

use std::path::Path;

use headroom_forecast::m4::{Holdout, Method, Score, Setup, evaluate, read_long, read_m4};
use headroom_forecast::seasons::Seasons;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (set, split) = (args[1].as_str(), args[2].as_str());
    let (series, h, seasons, m) = load(set);
    let seasons = seasons_from_env(seasons);
    let mut series = split_series(series, split, h);
    if let Ok(f) = std::env::var("TRUNC") {
        let f: f64 = f.parse().unwrap();
        for s in &mut series {
            let dropped = s.train.len() - ((s.train.len() as f64 * f) as usize).max(1);
            s.train.drain(..dropped);
            s.first_day = s.first_day.map(|d| d + dropped as i64);
        }
    }
    let methods: Vec<Method> = args[3]
        .split(',')
        .map(|n| Method::from_name(n).unwrap_or_else(|| panic!("unknown method {n}")))
        .collect();
    let level = std::env::var("LEVEL")
        .ok()
        .map(|l| l.parse::<f64>().unwrap() / 100.0);
    let setup = Setup {
        seasons: seasons.clone(),
        m,
        level,
        clean: false,
        calendar: std::env::var("HOLIDAYS")
            .ok()
            .filter(|h| !h.is_empty())
            .map(|h| headroom_forecast::calendar::Calendar::load(&h).unwrap()),
    };
    println!("{set} {split}: {} series, horizon {h}", series.len());
    if std::env::var("PER_SERIES").is_ok() {
        print_per_series(&series, &methods, h, &seasons, m);
    }
    for s in evaluate(&series, &methods, &setup) {
        print_score(&s);
    }
}

/// The set's series, its horizon, the seasons methods get and M4's season for MASE.
fn load(set: &str) -> (Vec<Holdout>, usize, Seasons, usize) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/forecast");
    match set {
        "m4-weekly" => {
            let d = data.join("m4-weekly");
            let s = read_m4(&d.join("Weekly-train.csv"), &d.join("Weekly-test.csv")).unwrap();
            (s, 13, Seasons::for_step(7.0 * 86_400.0), 1)
        }
        "m4-hourly" => {
            let d = data.join("m4-hourly");
            let s = read_m4(&d.join("Hourly-train.csv"), &d.join("Hourly-test.csv")).unwrap();
            (s, 48, Seasons::for_step(3600.0), 24)
        }
        "m3-monthly" => {
            let s = read_long(&data.join("m3-monthly/M3-monthly.csv"), 18).unwrap();
            (s, 18, Seasons::from_periods(&[12.0]), 12)
        }
        "tourism-monthly" => {
            let s = read_long(&data.join("tourism-monthly/tourism-monthly.csv"), 24).unwrap();
            (s, 24, Seasons::from_periods(&[12.0]), 12)
        }
        "daily-web" => {
            let path = std::env::var("DAILY_WEB")
                .map_or_else(|_| data.join("daily-web/daily-web.csv"), Into::into);
            let s = read_long(&path, 90).unwrap();
            (s, 90, Seasons::for_step(86_400.0), 7)
        }
        other => panic!("unknown set {other}"),
    }
}

/// The seasons SEASONS lists (comma-separated periods), else `default`.
fn seasons_from_env(default: Seasons) -> Seasons {
    match std::env::var("SEASONS") {
        Ok(list) => Seasons::from_periods(
            &list
                .split(',')
                .map(|p| p.parse().unwrap())
                .collect::<Vec<f64>>(),
        ),
        Err(_) => default,
    }
}

/// The holdouts to score: the test parts as published, or (`validate`) each training
/// part's last `h` steps held out, series too short for that left out.
fn split_series(series: Vec<Holdout>, split: &str, h: usize) -> Vec<Holdout> {
    match split {
        "test" => series,
        "validate" => validate(series, h, 0),
        // `validate-K`: the held-out horizon ends K steps before the training part does,
        // a second draw of the training data's regime to check a choice against.
        other => match other.strip_prefix("validate-").map(str::parse) {
            Some(Ok(back)) => validate(series, h, back),
            _ => panic!("unknown split {other}"),
        },
    }
}

/// Each training part's `h` steps ending `back` steps before its end held out, the
/// points before them the history; series too short for that left out.
fn validate(series: Vec<Holdout>, h: usize, back: usize) -> Vec<Holdout> {
    series
        .into_iter()
        .filter(|s| s.train.len() > h + back + 8)
        .map(|s| {
            let cut = s.train.len() - h - back;
            Holdout {
                first_day: s.first_day,
                ..Holdout::new(
                    s.id,
                    s.train[..cut].to_vec(),
                    s.train[cut..cut + h].to_vec(),
                )
            }
        })
        .collect()
}

/// Prints each series' sMAPE, MASE (season `season`) and mean log ratio of actual to
/// forecast for every method (PER_SERIES).
fn print_per_series(
    series: &[Holdout],
    methods: &[Method],
    h: usize,
    seasons: &Seasons,
    season: usize,
) {
    for s in series {
        let line: Vec<String> = methods
            .iter()
            .map(|m| {
                let f = m.forecast_seasons(&s.train, h, seasons);
                let mase = headroom_forecast::metrics::mase(&s.train, &s.test, &f, season)
                    .unwrap_or(f64::NAN);
                let bias = s
                    .test
                    .iter()
                    .zip(&f)
                    .map(|(a, b)| (a / b).ln())
                    .sum::<f64>()
                    / h as f64;
                format!(
                    "{} {:.1} {:.3} {:.3}",
                    m.name(),
                    headroom_forecast::metrics::smape(&s.test, &f),
                    mase,
                    bias
                )
            })
            .collect();
        println!("{} n={} {}", s.id, s.train.len(), line.join(" "));
    }
}

/// Prints one method's scores on a line.
fn print_score(s: &Score) {
    println!(
        "{:<11} sMAPE {:>7.3} MASE {:>7.3} OWA {:>6.3} CPU-s {:>7.2} cover {:?} msis {:?} MAPE {:.3}",
        s.method.name(),
        s.smape,
        s.mase,
        s.owa,
        s.time.as_secs_f64(),
        s.coverage,
        s.msis,
        s.mape
    );
}
