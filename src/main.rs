//! The `headroom` command line: ingest logs, check topologies, plan, and report.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", chain(&err));
            ExitCode::FAILURE
        }
    }
}

/// The whole context chain, "reading x.toml: x.toml:3:5: ...", each cause once: a
/// library error that shows its source in its own message (`{path}: {source}`) also
/// hands that source on, and would otherwise print it twice.
fn chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// `println!` panics when stdout is a pipe whose reader has gone (`headroom … | head`).
/// The reader has what it wanted, so end quietly with success, as ripgrep does, instead
/// of printing a panic; every other panic keeps the default report.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_cause_is_said_once() {
        // The reader's error says its io::Error and hands it on as its source.
        let read = headroom_forecast::calendar::Calendar::load("/no/such.csv").unwrap_err();
        let err = anyhow::Error::new(read).context("reading --holidays");
        let text = super::chain(&err);
        assert!(
            text.starts_with("reading --holidays: /no/such.csv"),
            "{text}"
        );
        assert_eq!(
            text.matches("No such file or directory").count(),
            1,
            "{text}"
        );
    }
}
