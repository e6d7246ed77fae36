//! Fuzz target: any bytes through every preset parser and LTSV; none may panic, and a
//! parsed record must have a status from 100 to 599. The bytes are also read as lines
//! (split at newlines) by one `Parser` each, whose remembered timestamp must never change
//! a result: every line reads as `LogFormat::parse` reads it alone.
#![no_main]

use headroom_logformat::{LogFormat, PRESETS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let formats = PRESETS
        .iter()
        .map(|(name, _)| LogFormat::from_spec(name).expect("presets compile"))
        .chain(std::iter::once(LogFormat::Ltsv));
    for format in formats {
        if let Ok(record) = format.parse(data) {
            assert!((100..=599).contains(&record.status));
        }
        let mut parser = format.parser();
        for line in data.split(|&b| b == b'\n').chain(data.split(|&b| b == b'\n')) {
            assert_eq!(parser.parse(line), format.parse(line));
        }
    }
});
