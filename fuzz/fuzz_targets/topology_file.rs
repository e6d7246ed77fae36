//! Fuzz target: arbitrary text read as a topology file in each format; reading may fail
//! with an error, and a topology that reads is analysed at its peak: nothing may panic.
#![no_main]

use std::path::Path;

use headroom_topology::{Format, analyze, parse_as};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (format, name) in [
        (Format::Toml, "t.toml"),
        (Format::Json, "t.json"),
        (Format::Yaml, "t.yaml"),
    ] {
        if let Ok(topology) = parse_as(text, Path::new(name), format) {
            // Keep each run short; the limits themselves are tested elsewhere.
            if topology.total_servers() <= 5_000 {
                let _ = analyze(&topology, topology.peak_rps().unwrap_or(100.0));
            }
        }
    }
});
