//! `headroom usl fit`: the Universal Scalability Law from load-test measurements.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_topology::usl::fit;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Fit α (contention), β (coherency) and γ to (concurrency, throughput) points and
    /// print them with 95% intervals, the peak, and the line for a topology file.
    Fit {
        /// CSV with a header; the first column is concurrency (users, threads, load),
        /// the second throughput at that concurrency.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(command: &Command) -> anyhow::Result<()> {
    let Command::Fit { file, json } = command;
    let points = read(file)?;
    let f = fit(&points).with_context(|| format!("fitting {}", file.display()))?;
    if *json {
        let value = serde_json::json!({
            "fit": f,
            "peak_concurrency": f.peak_concurrency(),
            "peak_throughput": f.peak_throughput(),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!(
            "{}",
            headroom_topology::text::usl_fit(&f, &file.display().to_string())
        );
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<Vec<(f64, f64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut points = Vec::new();
    let rows = headroom_forecast::table::rows(&text)
        .map_err(|(line, reason)| anyhow::anyhow!("{}:{line}: {reason}", path.display()))?;
    for (line, fields) in rows {
        let mut fields = fields.iter().map(String::as_str);
        let mut number = |what: &str| -> anyhow::Result<f64> {
            let f = fields.next().unwrap_or("");
            f.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .with_context(|| {
                    format!(
                        "{}:{line}: {what} '{f}' is not a positive number",
                        path.display()
                    )
                })
        };
        let n = number("concurrency")?;
        let x = number("throughput")?;
        points.push((n, x));
    }
    Ok(points)
}
