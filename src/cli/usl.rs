//! `headroom usl fit`: the Universal Scalability Law from load-test measurements.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_topology::usl::{UslFit, fit};

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
        print!("{}", render(&f, file));
    }
    Ok(())
}

fn render(f: &UslFit, file: &Path) -> String {
    use std::fmt::Write as _;
    let mut out = format!("USL fit to {} measurements of {}\n", f.n, file.display());
    for (i, (name, what, value)) in [
        ("alpha", "contention", f.alpha),
        ("beta", "coherency", f.beta),
        ("gamma", "throughput of one", f.gamma),
    ]
    .into_iter()
    .enumerate()
    {
        let (lo, hi) = f.intervals[i];
        let _ = writeln!(
            out,
            "  {name:<6} {what:<18} {value:>12.6e}  95% interval [{lo:.4e}, {hi:.4e}], standard error {:.3e}",
            f.std_errors[i]
        );
    }
    let _ = writeln!(
        out,
        "  residual standard error {:.4} on {} degrees of freedom",
        f.residual_std_error,
        f.n - 3
    );
    let _ = writeln!(
        out,
        "  peak: throughput {:.2} at concurrency {:.2}; beyond it, more load means less throughput",
        f.peak_throughput(),
        f.peak_concurrency()
    );
    let _ = writeln!(
        out,
        "for a topology tier: usl = {{ alpha = {:.6e}, beta = {:.6e}, gamma = {:.6e} }}",
        f.alpha, f.beta, f.gamma
    );
    out
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
