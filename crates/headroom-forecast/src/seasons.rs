//! Which seasons a series has, from its step (hourly data repeats by day and week, daily
//! data by week and year, …), which of them its history can support, and the long or
//! fractional ones (a year of days is 365.25) as Fourier terms.

/// Seasonal periods in steps, shortest first. The first is the one single-season
/// methods use (rounded); fractional periods are allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Seasons {
    /// Periods in steps, shortest first.
    pub periods: Vec<f64>,
}

/// Seconds in a day.
const DAY_S: f64 = 86_400.0;

/// A mean Gregorian year in days.
pub const YEAR_DAYS: f64 = 365.2425;

/// Cycles a history must hold for a season to be estimated from it: two, so every
/// position in the cycle has been seen twice and a season is told from a trend.
pub const MIN_CYCLES: f64 = 2.0;

impl Seasons {
    /// The seasons of data with a step of `step_s` seconds: minutes → day and week,
    /// hours → day and week, days → week and year, weeks → year (52.18), months → year
    /// (12), quarters → year (4); any other step has none.
    pub fn for_step(step_s: f64) -> Seasons {
        let per = |period_s: f64| period_s / step_s;
        let periods = match step_s {
            s if (s - 60.0).abs() < 1.0 => vec![per(DAY_S), per(7.0 * DAY_S)],
            s if (s - 3600.0).abs() < 1.0 => vec![per(DAY_S), per(7.0 * DAY_S)],
            s if (s - DAY_S).abs() < 1.0 => vec![7.0, YEAR_DAYS],
            s if (s - 7.0 * DAY_S).abs() < 1.0 => vec![YEAR_DAYS / 7.0],
            // Calendar months and quarters vary in length: 28–31 and 90–92 days.
            s if (28.0 * DAY_S..=31.0 * DAY_S).contains(&s) => vec![12.0],
            s if (89.0 * DAY_S..=92.0 * DAY_S).contains(&s) => vec![4.0],
            _ => Vec::new(),
        };
        Seasons { periods }
    }

    /// One season of `m` steps, with the week beside the day on hourly (m = 24) and
    /// minute (m = 1440) data, as `--season m` has always meant; m ≤ 1 is none.
    pub fn from_season(m: usize) -> Seasons {
        let periods = match m {
            0 | 1 => Vec::new(),
            24 | 1440 => vec![m as f64, 7.0 * m as f64],
            _ => vec![m as f64],
        };
        Seasons { periods }
    }

    /// The given periods, sorted, those ≤ 1 dropped.
    pub fn from_periods(periods: &[f64]) -> Seasons {
        let mut periods: Vec<f64> = periods
            .iter()
            .copied()
            .filter(|p| p.is_finite() && *p > 1.0)
            .collect();
        periods.sort_by(f64::total_cmp);
        periods.dedup();
        Seasons { periods }
    }

    /// The shortest season rounded to whole steps, 1 when there is none: the `m` of
    /// single-season methods and of MASE.
    pub fn primary(&self) -> usize {
        self.periods
            .first()
            .map_or(1, |p| p.round().max(1.0) as usize)
    }

    /// The seasons a history of `n` points holds at least [`MIN_CYCLES`] of, and one
    /// sentence per season saying whether it is used and why.
    pub fn usable(&self, n: usize) -> (Seasons, Vec<String>) {
        let mut kept = Vec::new();
        let mut why = Vec::new();
        for &p in &self.periods {
            let cycles = n as f64 / p;
            if cycles >= MIN_CYCLES {
                kept.push(p);
                why.push(format!(
                    "season {} used: the history holds {cycles:.1} cycles",
                    show(p)
                ));
            } else {
                why.push(format!(
                    "season {} left out: the history holds {cycles:.1} cycles, fewer than {MIN_CYCLES}",
                    show(p)
                ));
            }
        }
        (Seasons { periods: kept }, why)
    }
}

/// A period as text: whole numbers without decimals.
pub fn show(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round() as i64)
    } else {
        format!("{p:.2}")
    }
}

/// Periods handled by Fourier terms rather than by MSTL's seasonal window: fractional
/// ones (a year of 365.24 days, of 52.18 weeks), which no whole window fits. Whole
/// periods keep MSTL, as `--season 7,365` asks (statsforecast's MSTL(7, 365)), and as
/// minute and hourly data always had it.
pub fn wants_fourier(p: f64) -> bool {
    (p - p.round()).abs() > 1e-9
}

/// Harmonics for a period: ten, Prophet's default for a year, enough to draw its shape
/// without fitting noise (twenty did no better on M4 Weekly's and the daily web
/// series' training parts), never more than the period can carry.
pub fn harmonics(p: f64) -> usize {
    ((p / 2.0).floor() as usize).clamp(1, 10)
}

/// A season fitted as K sine/cosine pairs by least squares.
#[derive(Debug, Clone, PartialEq)]
pub struct Fourier {
    /// The period in steps.
    pub period: f64,
    /// (cos, sin) coefficients of harmonics 1..=K.
    pub coefficients: Vec<(f64, f64)>,
}

impl Fourier {
    /// Fits `harmonics` pairs to `y` (already without its trend) at times 0..n, by the
    /// normal equations (solved by Cholesky with a small ridge, so a short or flat
    /// series gives small coefficients, not a failure).
    pub fn fit(y: &[f64], period: f64, harmonics: usize) -> Fourier {
        let k = 2 * harmonics;
        let row = |t: usize| -> Vec<f64> {
            let mut r = Vec::with_capacity(k);
            for j in 1..=harmonics {
                let w = std::f64::consts::TAU * j as f64 * t as f64 / period;
                r.push(w.cos());
                r.push(w.sin());
            }
            r
        };
        let mut ata = vec![0.0; k * k];
        let mut aty = vec![0.0; k];
        for (t, &v) in y.iter().enumerate() {
            let r = row(t);
            for i in 0..k {
                aty[i] += r[i] * v;
                for j in 0..=i {
                    ata[i * k + j] += r[i] * r[j];
                }
            }
        }
        let ridge = 1e-6 * y.len().max(1) as f64;
        for i in 0..k {
            ata[i * k + i] += ridge;
        }
        let beta = cholesky_solve(&mut ata, &mut aty, k);
        Fourier {
            period,
            coefficients: beta.chunks(2).map(|c| (c[0], c[1])).collect(),
        }
    }

    /// The season's value at step `t` (0 is the history's first point).
    pub fn at(&self, t: usize) -> f64 {
        self.coefficients
            .iter()
            .enumerate()
            .map(|(j, (c, s))| {
                let w = std::f64::consts::TAU * (j + 1) as f64 * t as f64 / self.period;
                c * w.cos() + s * w.sin()
            })
            .sum()
    }
}

/// Solves A·x = b for a symmetric positive definite A given by its lower triangle
/// (row-major, k × k); both are overwritten.
fn cholesky_solve(a: &mut [f64], b: &mut [f64], k: usize) -> Vec<f64> {
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= a[j * k + p] * a[j * k + p];
        }
        let d = d.max(1e-300).sqrt();
        a[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= a[i * k + p] * a[j * k + p];
            }
            a[i * k + j] = s / d;
        }
    }
    // L·z = b, then Lᵀ·x = z.
    for i in 0..k {
        let mut s = b[i];
        for p in 0..i {
            s -= a[i * k + p] * b[p];
        }
        b[i] = s / a[i * k + i];
    }
    for i in (0..k).rev() {
        let mut s = b[i];
        for p in i + 1..k {
            s -= a[p * k + i] * b[p];
        }
        b[i] = s / a[i * k + i];
    }
    b.to_vec()
}

/// A centred moving average of `y` over `window` points, the window shrinking at the
/// ends: a trend smooth enough that a season of that length does not leak into it.
pub fn moving_average(y: &[f64], window: usize) -> Vec<f64> {
    let n = y.len();
    let half = window / 2;
    let mut prefix = vec![0.0; n + 1];
    for (i, v) in y.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v;
    }
    (0..n)
        .map(|t| {
            let lo = t.saturating_sub(half);
            let hi = (t + half + 1).min(n);
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasons_follow_the_step() {
        assert_eq!(Seasons::for_step(3600.0).periods, vec![24.0, 168.0]);
        assert_eq!(Seasons::for_step(60.0).periods, vec![1440.0, 10080.0]);
        assert_eq!(Seasons::for_step(86_400.0).periods, vec![7.0, YEAR_DAYS]);
        let weekly = Seasons::for_step(7.0 * 86_400.0);
        assert!((weekly.periods[0] - 52.18).abs() < 0.01);
        assert_eq!(Seasons::for_step(30.0 * 86_400.0).periods, vec![12.0]);
        assert!(Seasons::for_step(17.0).periods.is_empty());
    }

    #[test]
    fn a_season_needs_two_cycles_of_history() {
        let daily = Seasons::for_step(86_400.0);
        let (used, why) = daily.usable(400);
        assert_eq!(used.periods, vec![7.0]);
        assert!(why[1].contains("left out"), "{why:?}");
        let (used, _) = daily.usable(731);
        assert_eq!(used.periods.len(), 2);
        assert_eq!(used.primary(), 7);
    }

    #[test]
    fn fourier_recovers_a_fractional_season() {
        let p = YEAR_DAYS;
        let truth = |t: usize| {
            let w = std::f64::consts::TAU * t as f64 / p;
            3.0 * w.cos() - 2.0 * (2.0 * w).sin()
        };
        let y: Vec<f64> = (0..1000).map(truth).collect();
        let f = Fourier::fit(&y, p, 4);
        for t in [0, 500, 1400] {
            assert!((f.at(t) - truth(t)).abs() < 1e-3, "{t}: {}", f.at(t));
        }
    }
}
