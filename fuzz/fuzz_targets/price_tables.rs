//! Fuzz target: arbitrary price tables, the self-built TOML and the cloud's TOML plus
//! instance CSV (the input split at its first NUL byte); errors are fine, panics not.
#![no_main]

use std::path::Path;

use headroom_plan::{Cloud, SelfBuilt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (toml, csv) = text.split_once('\0').unwrap_or((&text, ""));
    let _ = SelfBuilt::parse(toml, Path::new("self-built.toml"));
    let _ = Cloud::parse(toml, Path::new("cloud.toml"), csv, Path::new("instances.csv"));
});
