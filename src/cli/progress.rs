//! The ingest progress bar: lines/s and MB/s on stderr, drawn from the shared counters.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use headroom_traffic::{IngestConfig, Progress};

pub(crate) struct ProgressBar {
    stop: Arc<AtomicBool>,
    drawer: JoinHandle<()>,
}

/// A bar over the input files' total size when every size is known, else a spinner.
fn bar_for(inputs: &[PathBuf]) -> indicatif::ProgressBar {
    let total: Option<u64> = inputs
        .iter()
        .map(|p| {
            std::fs::metadata(p)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len())
        })
        .sum();
    match total {
        Some(t) => indicatif::ProgressBar::new(t).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} eta {eta}")
                .expect("valid template"),
        ),
        None => indicatif::ProgressBar::new_spinner(),
    }
}

impl ProgressBar {
    /// Hooks counters into `config` and starts drawing. The total is the input files'
    /// size when known (compressed files then finish past 100%, so they get a spinner).
    pub(crate) fn start(inputs: &[PathBuf], config: &mut IngestConfig) -> ProgressBar {
        let progress = Arc::new(Progress::default());
        config.progress = Some(Arc::clone(&progress));
        let bar = bar_for(inputs);
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let drawer = std::thread::spawn(move || {
            let started = Instant::now();
            while !stopped.load(Ordering::Relaxed) {
                let lines = progress.lines.load(Ordering::Relaxed);
                let bytes = progress.bytes.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                bar.set_position(bytes);
                bar.set_message(format!(
                    "{lines} lines, {:.0} lines/s, {:.1} MB/s",
                    lines as f64 / secs,
                    bytes as f64 / secs / 1e6
                ));
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        ProgressBar { stop, drawer }
    }

    pub(crate) fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        // A drawing thread that panicked only loses the bar, never the ingest.
        let _ = self.drawer.join();
    }
}
