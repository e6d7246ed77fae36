//! The long-horizon benchmark sets read as published and score their benchmark as
//! published: M4 Weekly's Naive2 (sMAPE 9.161, MASE 2.777 with m = 1; sheet "Point
//! Forecasts-Frequency" of Evaluation and Ranks.xlsx, Mcompetitions/M4-methods), and
//! M3 Monthly and Tourism Monthly with the series counts and lengths of their papers;
//! Tourism Monthly's seasonal naive as its paper scores it (MAPE).

use std::path::Path;

use headroom_forecast::m4::{Method, Setup, evaluate, read_long, read_m4};
use headroom_forecast::seasons::Seasons;

fn data(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/forecast")
        .join(path)
}

#[test]
fn m4_weekly_naive2_matches_the_published_table() {
    let series = read_m4(
        &data("m4-weekly/Weekly-train.csv"),
        &data("m4-weekly/Weekly-test.csv"),
    )
    .unwrap();
    assert_eq!(series.len(), 359);
    assert!(series.iter().all(|s| s.test.len() == 13));
    let setup = Setup {
        seasons: Seasons::for_step(7.0 * 86_400.0),
        m: 1,
        level: None,
        clean: false,
        calendar: None,
    };
    let scores = evaluate(&series, &[Method::Naive2, Method::Naive], &setup);
    // M4 applies no seasonal adjustment to weekly data, so Naive2 is Naive1.
    for s in &scores {
        assert_eq!(
            (format!("{:.3}", s.smape), format!("{:.3}", s.mase)),
            ("9.161".to_owned(), "2.777".to_owned()),
            "{}",
            s.method.name()
        );
    }
}

#[test]
fn m3_and_tourism_monthly_read_with_their_published_shapes() {
    // M3: 1,428 series of 48–126 training months and 18 held out.
    let m3 = read_long(&data("m3-monthly/M3-monthly.csv"), 18).unwrap();
    assert_eq!(m3.len(), 1428);
    let lengths = |s: &[headroom_forecast::m4::Holdout]| {
        let n: Vec<usize> = s.iter().map(|h| h.train.len()).collect();
        (*n.iter().min().unwrap(), *n.iter().max().unwrap())
    };
    assert_eq!(lengths(&m3), (48, 126));
    assert!(
        m3.iter()
            .all(|s| s.test.len() == 18 && s.scored.iter().all(|k| *k))
    );
    // Tourism: 366 series of 91–333 months in all (Athanasopoulos et al., Table 3).
    let tourism = read_long(&data("tourism-monthly/tourism-monthly.csv"), 24).unwrap();
    assert_eq!(tourism.len(), 366);
    assert_eq!(lengths(&tourism), (91 - 24, 333 - 24));
    // Their monthly timestamps make a monthly grid with no gap: nothing filled.
    assert!(tourism.iter().all(|s| s.scored.iter().all(|k| *k)));
}

#[test]
fn the_daily_web_set_reads_on_a_daily_grid_with_its_gaps_unscored() {
    // data/forecast/daily-web: three series; each spans its first to last date (2,071,
    // 2,964 and 2,922 days) with 59-60 days missing, the last 90 held out.
    let daily = read_long(&data("daily-web/daily-web.csv"), 90).unwrap();
    let shape: Vec<(&str, usize, usize)> = daily
        .iter()
        .map(|s| {
            let scored = s.scored.iter().filter(|k| **k).count();
            (s.id.as_str(), s.train.len(), scored)
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("en.wikipedia", 2071 - 90, 90),
            ("peyton_manning", 2964 - 90, 90),
            ("R", 2922 - 90, 89),
        ]
    );
    // Missing training days are filled, so every value fits: positive and finite.
    assert!(
        daily
            .iter()
            .all(|s| s.train.iter().all(|v| v.is_finite() && *v > 0.0))
    );
    // Dated: the calendar and the yearly season line up with real days.
    assert!(daily.iter().all(|s| s.first_day.is_some()));
}

#[test]
fn tourism_monthly_seasonal_naive_matches_the_published_mape() {
    // Seasonal naive over horizons 1-24, averaged over the 366 series: MAPE 22.56, MASE
    // 1.63 in the Tcomp package's reproduction (ellisp/Tcomp-r-package @ 33503f9c,
    // pkg/inst/doc/tourism-comp.html), whose author reports the naive MAPE equal to the
    // paper's (Athanasopoulos et al. 2011, Tables 4-6) and the MASE slightly above it.
    let tourism = read_long(&data("tourism-monthly/tourism-monthly.csv"), 24).unwrap();
    let scores = evaluate(&tourism, &[Method::SeasonalNaive], &Setup::season(12));
    let snaive = &scores[0];
    assert_eq!(
        (format!("{:.2}", snaive.mape), format!("{:.2}", snaive.mase)),
        ("22.56".to_owned(), "1.63".to_owned())
    );
    assert_eq!((snaive.mape_undefined, snaive.mase_undefined), (0, 0));
}
