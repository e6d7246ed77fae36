//! From the bundled access log to a plan and an HTML report, through the library alone:
//! `cargo run --release --example report [OUT]` (default OUT: headroom-example).

use std::path::PathBuf;

use headroom::pipeline::{self, BUNDLED_LOG, BUNDLED_TOPOLOGY, Options, Prices, bundled, text};
use headroom::report::{self, Source};
use headroom::{topology, traffic};

fn main() -> Result<(), headroom::Error> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or("headroom-example".into()));
    let dataset = out.join("dataset");
    // Logs → rollups on disk. Inputs are known by content: a rerun adds nothing twice.
    let logs = traffic::expand(&[bundled(BUNDLED_LOG)])?;
    traffic::ingest_into(&dataset, &logs, &traffic::IngestConfig::default())?;
    // Rollups → the daily peaks' forecast → servers per tier per month, priced both ways.
    let topology = topology::load(&bundled(BUNDLED_TOPOLOGY))?;
    let options = Options::new(Prices::shipped()?);
    let rollups = traffic::read_rollups(&dataset)?;
    let planned = pipeline::plan_dataset(&topology, &rollups, 12, &options)?;
    for line in text::plan(&planned, &topology) {
        println!("{line}");
    }
    // The same path drawn: findings, tables, charts, one self-contained page.
    let built = report::build(Source::dataset(&dataset)?, &topology, 12, &options)?;
    println!("{}", built.findings.join("\n"));
    println!("report: {}", built.write(&out)?.display());
    Ok(())
}
