//! The `headroom` command line: ingest logs, check topologies, plan, and report.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain: "reading x.toml: x.toml:3:5: ...".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
