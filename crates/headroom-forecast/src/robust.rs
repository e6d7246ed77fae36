//! Spikes and level shifts: found in what a decomposition leaves over, reported, and
//! spikes damped before fitting, so a bot storm or a launch-day burst does not become
//! the level the forecast carries forward.

/// A series with its spikes replaced, and what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The series with each spike replaced by the decomposition's fitted value.
    pub values: Vec<f64>,
    /// Positions of the spikes replaced.
    pub spikes: Vec<usize>,
    /// Positions where the level stepped up or down and stayed.
    pub level_shifts: Vec<usize>,
}

/// How many robust standard deviations (1.4826 × median absolute deviation) make a
/// remainder a spike.
pub const SPIKE_THRESHOLD: f64 = 5.0;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Finds spikes and level shifts in `y` with season length `m` (1 or less: none).
///
/// Level shifts first: at each point, the median of the next `w` values minus the median
/// of the previous `w` (w = m, or 7 without a season: whole cycles, so the season cancels
/// and a lone spike cannot move a median); a run of such jumps beyond
/// [`SPIKE_THRESHOLD`] robust standard deviations of all jumps (and beyond 5% of the
/// median level) marks one shift, at its largest jump.
///
/// Then spikes, on the series with the shifts taken out: each point is compared with
/// the median of the same phase up to three cycles either side (neighbouring points
/// without a season); a point further than [`SPIKE_THRESHOLD`] robust standard
/// deviations of those differences (at least 1% of the median level each) is a spike,
/// replaced by that median.
pub fn clean(y: &[f64], m: usize) -> Cleaned {
    let n = y.len();
    let level = median(&mut y.iter().map(|v| v.abs()).collect::<Vec<_>>());
    let w = if m >= 2 { m } else { 7 };
    let (level_shifts, shifted) = if n >= 4 * w {
        level_shifts(y, w, level)
    } else {
        (Vec::new(), y.to_vec())
    };
    let baseline = baseline(&shifted, m);
    let differences: Vec<f64> = (0..n).map(|t| shifted[t] - baseline[t]).collect();
    let (centre, sd) = robust_sd(&differences);
    let limit = SPIKE_THRESHOLD * sd.max(0.01 * level);
    let mut values = y.to_vec();
    let mut spikes = Vec::new();
    if n >= 8 {
        for t in 0..n {
            if (differences[t] - centre).abs() > limit {
                spikes.push(t);
                // Back on the original level: add the steps taken out before t.
                values[t] = baseline[t] + (y[t] - shifted[t]);
            }
        }
    }
    Cleaned {
        values,
        spikes,
        level_shifts,
    }
}

/// The median of `v` and its robust standard deviation (1.4826 × median absolute
/// deviation from it).
fn robust_sd(v: &[f64]) -> (f64, f64) {
    let centre = median(&mut v.to_vec());
    (
        centre,
        1.4826 * median(&mut v.iter().map(|r| (r - centre).abs()).collect::<Vec<_>>()),
    )
}

/// The level shifts of `y` (at least four windows of `w` long) as [`clean`] finds them,
/// and `y` with each shift's step taken out of everything after it.
fn level_shifts(y: &[f64], w: usize, level: f64) -> (Vec<usize>, Vec<f64>) {
    let n = y.len();
    let mut level_shifts = Vec::new();
    let mut shifted = y.to_vec();
    let jumps: Vec<f64> = (w..=n - w)
        .map(|t| median(&mut y[t..t + w].to_vec()) - median(&mut y[t - w..t].to_vec()))
        .collect();
    let (_, sd) = robust_sd(&jumps);
    let limit = (SPIKE_THRESHOLD * sd).max(0.05 * level);
    let mut t = 0;
    while t < jumps.len() {
        if jumps[t].abs() > limit {
            let (end, best) = largest_in_run(&jumps, t, limit);
            let at = place_shift(y, w, best);
            // Two runs of one step (the jump dipping under the limit midway) are one shift.
            if level_shifts.last().is_some_and(|&p| at < p + w) {
                t = end;
                continue;
            }
            level_shifts.push(at);
            // Take the step out of everything after it for the spike search.
            for v in &mut shifted[at..] {
                *v -= jumps[best];
            }
            t = end;
        } else {
            t += 1;
        }
    }
    (level_shifts, shifted)
}

/// The end of the run of jumps beyond `limit` that starts at `t`, and the position of
/// its largest jump.
fn largest_in_run(jumps: &[f64], t: usize, limit: f64) -> (usize, usize) {
    let end = (t..jumps.len())
        .find(|&k| jumps[k].abs() <= limit)
        .unwrap_or(jumps.len());
    let best = (t..end)
        .max_by(|&a, &b| jumps[a].abs().total_cmp(&jumps[b].abs()))
        .expect("a non-empty run");
    (end, best)
}

/// Where the shift whose largest median jump is at `best` lies in `y`.
fn place_shift(y: &[f64], w: usize, best: usize) -> usize {
    let n = y.len();
    // Medians find the shift; means over whole cycles, which cancel the season
    // exactly, place it.
    let mean = |r: std::ops::Range<usize>| y[r.clone()].iter().sum::<f64>() / r.len() as f64;
    (best.saturating_sub(w / 2) + w..=(best + w + w / 2).min(n - w))
        .max_by(|&a, &b| {
            let da = (mean(a..a + w) - mean(a - w..a)).abs();
            let db = (mean(b..b + w) - mean(b - w..b)).abs();
            da.total_cmp(&db)
        })
        .unwrap_or(best + w)
}

/// What each point of `shifted` is compared with: the median of the same phase up to
/// three cycles either side of it (of the three neighbours either side without a
/// season), or the point itself when it has none.
fn baseline(shifted: &[f64], m: usize) -> Vec<f64> {
    let n = shifted.len();
    let mut baseline = vec![0.0; n];
    for (t, b) in baseline.iter_mut().enumerate() {
        let mut near: Vec<f64> = if m >= 2 {
            (1..=3)
                .flat_map(|k| [t.checked_sub(k * m), Some(t + k * m)])
                .flatten()
                .filter(|&i| i < n)
                .map(|i| shifted[i])
                .collect()
        } else {
            (t.saturating_sub(3)..(t + 4).min(n))
                .filter(|&i| i != t)
                .map(|i| shifted[i])
                .collect()
        };
        *b = if near.is_empty() {
            shifted[t]
        } else {
            median(&mut near)
        };
    }
    baseline
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A daily cycle with a few percent of deterministic noise.
    fn daily(t: usize) -> f64 {
        let noise = ((t * 7919) % 13) as f64 - 6.0;
        100.0 + 20.0 * ((t % 24) as f64 / 24.0 * std::f64::consts::TAU).sin() + 0.5 * noise
    }

    #[test]
    fn damps_a_spike_and_keeps_the_rest() {
        let mut y: Vec<f64> = (0..24 * 14).map(daily).collect();
        y[200] += 400.0; // a bot storm
        let c = clean(&y, 24);
        assert_eq!(c.spikes, vec![200]);
        assert!(
            (c.values[200] - daily(200)).abs() < 10.0,
            "{}",
            c.values[200]
        );
        assert_eq!(c.values[199], y[199]);
        assert!(c.level_shifts.is_empty(), "{:?}", c.level_shifts);
    }

    #[test]
    fn finds_a_level_shift() {
        // A new feature doubles traffic from hour 150 on.
        let y: Vec<f64> = (0..24 * 14)
            .map(|t| daily(t) + if t >= 150 { 100.0 } else { 0.0 })
            .collect();
        let c = clean(&y, 24);
        assert_eq!(c.level_shifts.len(), 1, "{:?}", c.level_shifts);
        assert!(
            (c.level_shifts[0] as i64 - 150).abs() <= 2,
            "{:?}",
            c.level_shifts
        );
    }

    proptest::proptest! {
        #[test]
        fn cleaning_keeps_length_and_finiteness(
            y in proptest::collection::vec(-1e6f64..1e6, 0..300),
            m in 0usize..30,
        ) {
            let c = clean(&y, m);
            proptest::prop_assert_eq!(c.values.len(), y.len());
            proptest::prop_assert!(c.values.iter().all(|v| v.is_finite()));
            proptest::prop_assert!(c.spikes.iter().all(|&i| i < y.len()));
            proptest::prop_assert!(c.level_shifts.iter().all(|&i| i < y.len()));
            for (i, (v, orig)) in c.values.iter().zip(&y).enumerate() {
                if !c.spikes.contains(&i) {
                    proptest::prop_assert_eq!(v, orig);
                }
            }
        }
    }

    #[test]
    fn a_constant_series_is_clean() {
        let c = clean(&[5.0; 100], 24);
        assert!(c.spikes.is_empty() && c.level_shifts.is_empty());
    }
}
