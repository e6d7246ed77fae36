//! Fuzz target: an arbitrary format string (first line) compiled and used on the rest;
//! compiling may fail with an error, but nothing may panic.
#![no_main]

use headroom_logformat::LogFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (spec, rest) = text.split_once('\n').unwrap_or((&text, ""));
    if let Ok(format) = LogFormat::from_spec(spec) {
        for line in rest.lines() {
            let _ = format.parse(line.as_bytes());
        }
    }
});
