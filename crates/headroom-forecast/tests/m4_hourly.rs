//! The M4 Hourly benchmarks reproduce the competition's published numbers (sheet
//! "Point Forecasts-Frequency" of Evaluation and Ranks.xlsx, Mcompetitions/M4-methods):
//! seasonal naive sMAPE 13.912, MASE 1.193; Naive2 18.383, 2.395; Naive1 43.003, 11.608;
//! Theta 18.138, 2.455.

use std::path::Path;

use headroom_forecast::m4::{Method, Setup, evaluate, read_m4};

const BENCHMARKS: [Method; 4] = [
    Method::Naive,
    Method::SeasonalNaive,
    Method::Naive2,
    Method::Theta,
];

#[test]
fn m4_hourly_benchmarks_match_the_published_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/forecast/m4-hourly");
    let series = read_m4(&dir.join("Hourly-train.csv"), &dir.join("Hourly-test.csv")).unwrap();
    assert_eq!(series.len(), 414);
    assert!(series.iter().all(|s| s.test.len() == 48));
    let scores = evaluate(&series, &BENCHMARKS, &Setup::season(24));
    let got: Vec<(&str, String, String)> = scores
        .iter()
        .map(|s| {
            (
                s.method.name(),
                format!("{:.3}", s.smape),
                format!("{:.3}", s.mase),
            )
        })
        .collect();
    let want = |m, a: &str, b: &str| (m, a.to_owned(), b.to_owned());
    assert_eq!(
        got,
        vec![
            want("naive", "43.003", "11.608"),
            want("snaive", "13.912", "1.193"),
            want("naive2", "18.383", "2.395"),
            want("theta", "18.138", "2.455"),
        ]
    );
    // The published OWA was taken from the rounded sMAPE and MASE: 0.5 × (13.912 /
    // 18.383 + 1.193 / 2.395) = 0.62745. Unrounded it is 0.62750, so compare to 1e-3.
    for (score, published) in scores.iter().zip([3.593, 0.627, 1.0, 1.006]) {
        assert!((score.owa - published).abs() < 1e-3, "{:?}", score);
    }
    assert!(scores.iter().all(|s| s.mase_undefined == 0));
}
