//! Fuzz target: any bytes through every preset parser and LTSV; none may panic, and a
//! parsed record must have a status from 100 to 599.
#![no_main]

use headroom_logformat::{LogFormat, PRESETS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    let formats = PRESETS
        .iter()
        .map(|(name, _)| LogFormat::from_spec(name).expect("presets compile"))
        .chain(std::iter::once(LogFormat::Ltsv));
    for format in formats {
        if let Ok(record) = format.parse(line) {
            assert!((100..=599).contains(&record.status));
        }
    }
});
