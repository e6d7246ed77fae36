//! Fuzz target: arbitrary text read as a metric series, CSV and Prometheus JSON, then
//! put on its grid: errors are fine, panics and unbounded allocations are not.
#![no_main]

use headroom_forecast::series::{Series, csv_rows, prometheus_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for rows in [csv_rows(&text, "s.csv"), prometheus_rows(&text, "s.json")] {
        if let Ok(rows) = rows {
            let _ = Series::from_points(rows, "s");
        }
    }
});
