//! Many series at once: reading them (M4's wide CSV, or long `id,timestamp,value`) and
//! scoring models on a holdout the way the M4 competition did.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::Error;
use crate::baseline;
use crate::metrics;
use crate::seasons::Seasons;
use crate::series::Series;

/// One series split into what a model sees and what it must forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Holdout {
    /// Series name.
    pub id: String,
    /// Observations the model is fitted on.
    pub train: Vec<f64>,
    /// The next observations, to forecast.
    pub test: Vec<f64>,
    /// Whether each test step was observed: a gap in a long-format series is filled to
    /// keep the grid regular but not scored.
    pub scored: Vec<bool>,
    /// Day number (days since 1970-01-01) of the first training value of a daily
    /// series, for calendar effects; None when the series is not daily or undated.
    pub first_day: Option<i64>,
}

impl Holdout {
    /// A holdout whose every test value is scored.
    pub fn new(id: String, train: Vec<f64>, test: Vec<f64>) -> Holdout {
        let scored = vec![true; test.len()];
        Holdout {
            id,
            train,
            test,
            scored,
            first_day: None,
        }
    }

    /// (actual, forecast) pairs at the scored steps.
    fn scored_pairs(&self, forecast: &[f64]) -> (Vec<f64>, Vec<f64>) {
        self.test
            .iter()
            .zip(forecast)
            .zip(&self.scored)
            .filter(|(_, s)| **s)
            .map(|((a, f), _)| (*a, *f))
            .unzip()
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads M4's wide format: a header line, then `id,v1,v2,…` per series, values quoted
/// or not, trailing empty fields where a series is shorter than the longest.
pub fn read_wide(path: &Path) -> Result<Vec<(String, Vec<f64>)>, Error> {
    let text = read(path)?;
    let mut out = Vec::new();
    let name = path.display().to_string();
    for (line, fields) in
        crate::table::rows(&text).map_err(|e| crate::series::csv_error(&name, e))?
    {
        let invalid = |reason: String| Error::Invalid {
            path: name.clone(),
            line,
            reason,
        };
        let mut fields = fields.into_iter();
        let id = fields.next().unwrap_or_default();
        let mut values = Vec::new();
        for (col, f) in fields.enumerate() {
            if f.is_empty() || f == "NA" {
                continue;
            }
            let v: f64 = f
                .parse()
                .map_err(|_| invalid(format!("column {}: '{f}' is not a number", col + 2)))?;
            if !v.is_finite() {
                return Err(invalid(format!("column {}: '{f}' is not finite", col + 2)));
            }
            values.push(v);
        }
        if values.is_empty() {
            return Err(invalid(format!("series '{id}' has no values")));
        }
        out.push((id, values));
    }
    Ok(out)
}

/// Pairs M4 train and test files by series id, in the train file's order.
pub fn read_m4(train: &Path, test: &Path) -> Result<Vec<Holdout>, Error> {
    let tests: std::collections::HashMap<String, Vec<f64>> = read_wide(test)?.into_iter().collect();
    read_wide(train)?
        .into_iter()
        .map(|(id, train_values)| match tests.get(&id) {
            Some(t) => Ok(Holdout::new(id, train_values, t.clone())),
            None => Err(Error::Invalid {
                path: test.display().to_string(),
                line: 0,
                reason: format!("no test row for series '{id}'"),
            }),
        })
        .collect()
}

/// Reads long format, `id,timestamp,value` with a header, series and rows in any order.
/// Each series is put on the grid of its own step (its rows sorted by time; a missing
/// step filled by interpolation for fitting and left out of the scores; two rows at one
/// time an error). Each gives `origins` holdouts (rolling origin): the k-th
/// (k = 1..=origins) holds out the `horizon` steps that end `(k − 1)·horizon` before the
/// series' end, trained on everything before them; ids get `@k` for k > 1. Series too
/// short for all their origins give as many as fit (at least one).
pub fn read_long_origins(
    path: &Path,
    horizon: usize,
    origins: usize,
) -> Result<Vec<Holdout>, Error> {
    let mut out = Vec::new();
    for (id, first_line, s) in read_long_series(path)? {
        let n = s.values.len();
        if n <= horizon {
            return Err(Error::Invalid {
                path: path.display().to_string(),
                line: first_line,
                reason: format!(
                    "series '{id}' spans {n} steps, not more than the horizon {horizon}"
                ),
            });
        }
        push_origins(&mut out, &id, &s, horizon, origins);
    }
    Ok(out)
}

/// Pushes the holdouts of series `id` at up to `origins` rolling origins, latest first
/// (see [`read_long_origins`]).
fn push_origins(out: &mut Vec<Holdout>, id: &str, s: &Series, horizon: usize, origins: usize) {
    let n = s.values.len();
    for k in 1..=origins.max(1) {
        let Some(end) = n.checked_sub((k - 1) * horizon) else {
            break;
        };
        if end < 2 * horizon + 1 && k > 1 {
            break;
        }
        out.push(Holdout {
            id: if k == 1 {
                id.to_owned()
            } else {
                format!("{id}@{k}")
            },
            train: s.values[..end - horizon].to_vec(),
            test: s.values[end - horizon..end].to_vec(),
            scored: s.observed[end - horizon..end].to_vec(),
            first_day: (!s.monthly && s.step == crate::series::DAY_S)
                .then(|| s.start.div_euclid(crate::series::DAY_S)),
        });
    }
}

/// Reads long format, `id,timestamp,value` with a header; the last `horizon` steps of
/// each series become its test part (see [`read_long_origins`]).
pub fn read_long(path: &Path, horizon: usize) -> Result<Vec<Holdout>, Error> {
    read_long_origins(path, horizon, 1)
}

/// Every series of a long-format file, in the order of their first rows, with the line
/// of that row, each on its own regular grid.
pub fn read_long_series(path: &Path) -> Result<Vec<(String, usize, Series)>, Error> {
    let text = read(path)?;
    let name = path.display().to_string();
    let mut order: Vec<(String, usize)> = Vec::new();
    let mut rows: std::collections::HashMap<String, Vec<(i64, f64, usize)>> = Default::default();
    for (line, fields) in
        crate::table::rows(&text).map_err(|e| crate::series::csv_error(&name, e))?
    {
        let (t, v) = long_row(&fields, &name, line)?;
        let id = fields[0].clone();
        rows.entry(id.clone())
            .or_insert_with(|| {
                order.push((id, line));
                Vec::new()
            })
            .push((t, v, line));
    }
    order
        .into_iter()
        .map(|(id, line)| {
            let r = rows.remove(&id).expect("every id has rows");
            Ok((id, line, Series::from_points(r, &name)?))
        })
        .collect()
}

/// The (Unix seconds, value) of an `id,timestamp,value` row at `line` of file `name`.
fn long_row(fields: &[String], name: &str, line: usize) -> Result<(i64, f64), Error> {
    let invalid = |reason: String| Error::Invalid {
        path: name.to_owned(),
        line,
        reason,
    };
    if fields.len() != 3 {
        return Err(invalid(format!(
            "expected id,timestamp,value, found {} fields",
            fields.len()
        )));
    }
    let t = crate::series::parse_timestamp(&fields[1])
        .ok_or_else(|| invalid(format!("'{}' is not a timestamp", fields[1])))?;
    let v: f64 = fields[2]
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| invalid(format!("'{}' is not a finite number", fields[2])))?;
    Ok((t, v))
}

/// A forecasting method the backtest can run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Repeat the last value.
    Naive,
    /// Repeat the last season.
    SeasonalNaive,
    /// Naive on the seasonally adjusted series (M4's reference for OWA).
    Naive2,
    /// The classic Theta method (an M4 benchmark).
    Theta,
    /// The Theta family (standard, optimised, dynamic), the member with the lowest
    /// in-sample error: [`crate::theta::auto`].
    AutoTheta,
    /// The dynamic optimised Theta model alone.
    Dotm,
    /// Damped-trend exponential smoothing on the seasonally adjusted series (an M4
    /// benchmark).
    Damped,
    /// Simple exponential smoothing on the seasonally adjusted series (an M4 benchmark).
    Ses,
    /// Exponential smoothing with a season of length m, the error, trend and season
    /// forms chosen by AICc.
    Ets,
    /// MSTL (daily and weekly seasons on hourly data), the seasonally adjusted series
    /// forecast by exponential smoothing chosen by AICc, the seasons repeated.
    MstlEts,
    /// [`Method::MstlEts`] on the logarithm (every value above zero; else on the values):
    /// growth and seasons in proportion to the level.
    MstlEtsLog,
    /// Seasonal ARIMA, the differences by tests and the orders by a stepwise AICc search:
    /// [`crate::arima::auto`].
    Arima,
    /// The candidates for the data's seasons cross-validated at rolling origins on the
    /// history, the best few weighted by their errors: [`crate::select::select`].
    Auto,
    /// Linear growth with changepoints (no season): for daily peaks and monthly totals.
    Linear,
    /// Exponential growth with changepoints (linear on the log scale).
    Exponential,
    /// Logistic growth saturating at a capacity (linear on the logit scale).
    Logistic {
        /// The level demand cannot pass (a market's size, a plan's ceiling).
        capacity: f64,
    },
}

impl Method {
    /// Every method that needs no parameter, in report order.
    pub const ALL: [Method; 15] = [
        Method::Naive,
        Method::SeasonalNaive,
        Method::Naive2,
        Method::Theta,
        Method::AutoTheta,
        Method::Dotm,
        Method::Damped,
        Method::Ses,
        Method::Ets,
        Method::Linear,
        Method::Exponential,
        Method::MstlEts,
        Method::MstlEtsLog,
        Method::Arima,
        Method::Auto,
    ];

    /// Name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::SeasonalNaive => "snaive",
            Method::Naive2 => "naive2",
            Method::Theta => "theta",
            Method::AutoTheta => "autotheta",
            Method::Dotm => "dotm",
            Method::Damped => "damped",
            Method::Ses => "ses",
            Method::Ets => "ets",
            Method::MstlEts => "mstl-ets",
            Method::MstlEtsLog => "mstl-ets-log",
            Method::Arima => "arima",
            Method::Auto => "auto",
            Method::Linear => "linear",
            Method::Exponential => "exponential",
            Method::Logistic { .. } => "logistic",
        }
    }

    /// The method a name refers to.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Point forecast of `horizon` steps with season length `m` (and the week beside
    /// the day on hourly and minute data: [`Seasons::from_season`]).
    pub fn forecast(self, history: &[f64], horizon: usize, m: usize) -> Vec<f64> {
        self.forecast_seasons(history, horizon, &Seasons::from_season(m))
    }

    /// Point forecast of `horizon` steps with these seasons. Single-season methods use
    /// the shortest whole one; MSTL + ETS and `auto` use them all (fractional or long
    /// ones as Fourier terms).
    ///
    /// This is the bare arithmetic the benchmarks and calibration loops run thousands of
    /// times: no check, and with fewer than [`Method::min_history`] points it repeats the
    /// last value without saying so. A forecast anyone reads goes through
    /// [`crate::model::Model::fit`], which refuses what the method cannot take and
    /// reports that fallback.
    pub fn forecast_seasons(self, history: &[f64], horizon: usize, s: &Seasons) -> Vec<f64> {
        let m = s.primary();
        match self {
            Method::Naive => baseline::naive(history, horizon),
            Method::SeasonalNaive => baseline::seasonal_naive(history, horizon, m),
            Method::Naive2 => baseline::naive2(history, horizon, m),
            Method::Theta => baseline::theta(history, horizon, m),
            Method::AutoTheta => crate::theta::forecast(history, horizon, m),
            Method::Dotm => crate::theta::dotm(history, horizon, m),
            Method::Damped => crate::select::damped(history, horizon, s),
            Method::Ses => crate::select::ses(history, horizon, s),
            Method::Ets if history.len() < 4 => baseline::naive(history, horizon),
            Method::Ets => crate::ets_seasonal::auto(history, m).forecast(horizon),
            Method::Linear => crate::growth::linear(history, horizon),
            Method::Exponential => crate::growth::exponential(history, horizon),
            Method::Logistic { capacity } => crate::growth::logistic(history, horizon, capacity),
            Method::MstlEts => crate::select::mstl_ets(history, horizon, s),
            Method::MstlEtsLog => crate::select::mstl_ets_log(history, horizon, s),
            Method::Arima => crate::select::arima(history, horizon, s),
            Method::Auto => crate::select::select(history, horizon, s).point,
        }
    }
}

/// MSTL, then exponential smoothing (chosen by AICc) on the seasonally adjusted series,
/// each season's last cycle repeated on top.
pub fn mstl_ets(history: &[f64], horizon: usize, periods: &[usize]) -> Vec<f64> {
    let n = history.len();
    if n < 4 {
        return baseline::naive(history, horizon);
    }
    let d = crate::stl::mstl(history, periods);
    let adjusted: Vec<f64> = (0..n)
        .map(|i| history[i] - d.seasonals.iter().map(|s| s[i]).sum::<f64>())
        .collect();
    let mut f = crate::ets::auto(&adjusted).forecast(horizon);
    for (s, &p) in d.seasonals.iter().zip(&d.periods) {
        for (i, v) in f.iter_mut().enumerate() {
            *v += s[n - p + i % p];
        }
    }
    f
}

/// One method's accuracy over all series.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The method.
    pub method: Method,
    /// Mean sMAPE over series, percent.
    pub smape: f64,
    /// Mean MASE over the series where it is defined.
    pub mase: f64,
    /// Mean MAPE over the series where it is defined (no actual of 0); NaN where none is.
    pub mape: f64,
    /// Series whose MAPE is undefined (an actual of 0, or nothing scored).
    pub mape_undefined: usize,
    /// Relative to Naive2 (1.0 is Naive2 itself).
    pub owa: f64,
    /// CPU time spent fitting and forecasting, all series, one thread.
    pub time: Duration,
    /// Series whose MASE is undefined (a training part that never changes at lag m).
    pub mase_undefined: usize,
    /// With intervals: the share of actuals inside them.
    pub coverage: Option<f64>,
    /// With intervals: mean scaled interval score (M4's MSIS at 95%).
    pub msis: Option<f64>,
}

/// This thread's CPU time where Linux tells it (`/proc/thread-self/schedstat`, in
/// nanoseconds), else wall-clock time: a backtest sharing the machine with other work
/// should still report what the method itself cost.
enum CpuClock {
    Cpu(u64),
    Wall(Instant),
}

impl CpuClock {
    fn thread_cpu_ns() -> Option<u64> {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        text.split_whitespace().next()?.parse().ok()
    }

    fn now() -> CpuClock {
        match CpuClock::thread_cpu_ns() {
            Some(ns) => CpuClock::Cpu(ns),
            None => CpuClock::Wall(Instant::now()),
        }
    }

    fn elapsed(&self) -> Duration {
        match self {
            CpuClock::Cpu(start) => Duration::from_nanos(
                CpuClock::thread_cpu_ns().map_or(0, |now| now.saturating_sub(*start)),
            ),
            CpuClock::Wall(start) => start.elapsed(),
        }
    }
}

/// Rolling origins intervals are calibrated on in a backtest.
pub const INTERVAL_ORIGINS: usize = 3;

/// How a backtest runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The seasons methods are given.
    pub seasons: Seasons,
    /// The season of MASE's scale and of Naive2's adjustment (M4 uses 1 for weekly
    /// data even though its methods may model the year).
    pub m: usize,
    /// With a level (0.95 for M4's MSIS), intervals are scored too.
    pub level: Option<f64>,
    /// Damp spikes in each training part first.
    pub clean: bool,
    /// Dated events whose effects daily series are forecast with
    /// ([`crate::calendar::forecast`]); undated series ignore it.
    pub calendar: Option<crate::calendar::Calendar>,
}

impl Setup {
    /// One season `m`, as M4 scores hourly data, without intervals or cleaning.
    pub fn season(m: usize) -> Setup {
        Setup {
            seasons: Seasons::from_season(m),
            m,
            level: None,
            clean: false,
            calendar: None,
        }
    }
}

/// Scores `methods` on every holdout with horizon = each test part's length, M4 style:
/// each measure averaged over series, OWA against Naive2 (always run, with season
/// `setup.m`). With a level each method also gets conformal intervals
/// ([`crate::interval::conformal`], [`INTERVAL_ORIGINS`] origins) and their coverage.
/// With `clean`, spikes in each training part are damped first ([`crate::robust::clean`]);
/// the scores still compare with the raw test values and scale by the raw history.
pub fn evaluate(series: &[Holdout], methods: &[Method], setup: &Setup) -> Vec<Score> {
    let backtest = Backtest { series, setup };
    // OWA's reference is Naive2 on the raw series, whatever the methods see.
    let reference = backtest.run(Method::Naive2, false);
    methods
        .iter()
        .map(|&method| {
            let mut score = if method == Method::Naive2 && !setup.clean {
                reference.clone()
            } else {
                backtest.run(method, setup.clean)
            };
            score.owa = metrics::owa(score.smape, score.mase, reference.smape, reference.mase);
            score
        })
        .collect()
}

/// The mean of the series' defined values and how many were undefined; with none defined
/// the mean is undefined (NaN), not 0.
fn mean_of_defined(values: &[Option<f64>]) -> (f64, usize) {
    let defined: Vec<f64> = values.iter().flatten().copied().collect();
    let mean = if defined.is_empty() {
        f64::NAN
    } else {
        defined.iter().sum::<f64>() / defined.len() as f64
    };
    (mean, values.len() - defined.len())
}

/// The holdouts and setup of one [`evaluate`], which every method is run on.
struct Backtest<'a> {
    series: &'a [Holdout],
    setup: &'a Setup,
}

impl Backtest<'_> {
    /// `method`'s forecast of `h` steps after `x`, without calendar effects.
    fn plain(&self, method: Method, x: &[f64], h: usize) -> Vec<f64> {
        // Naive2 is M4's reference with M4's season, whatever seasons the methods get.
        match method {
            Method::Naive2 => baseline::naive2(x, h, self.setup.m),
            _ => method.forecast_seasons(x, h, &self.setup.seasons),
        }
    }

    /// `method`'s forecast of `h` steps after `x`, with the setup's calendar effects when
    /// `x` is a daily series that starts on day `first_day`.
    fn forecast(&self, method: Method, x: &[f64], h: usize, first_day: Option<i64>) -> Vec<f64> {
        // Naive2 stays the plain reference; every other method gets the calendar.
        match (&self.setup.calendar, first_day) {
            (Some(c), Some(day)) if method != Method::Naive2 => {
                crate::calendar::forecast(x, day, h, c, |y, h| self.plain(method, y, h))
            }
            _ => self.plain(method, x, h),
        }
    }

    /// `method`'s forecast of each holdout's test part from its training part (spikes
    /// damped first with `clean`), with intervals when the setup has a level.
    fn forecasts(&self, method: Method, clean: bool) -> Vec<crate::interval::Forecast> {
        let setup = self.setup;
        self.series
            .iter()
            .map(|s| {
                let h = s.test.len();
                let cleaned;
                let train = if clean {
                    cleaned = crate::robust::clean(&s.train, setup.seasons.primary()).values;
                    &cleaned
                } else {
                    &s.train
                };
                match setup.level {
                    Some(level) => crate::interval::conformal(
                        train,
                        h,
                        &[level],
                        INTERVAL_ORIGINS,
                        2 * setup.seasons.primary(),
                        |x, h| self.forecast(method, x, h, s.first_day),
                    ),
                    None => crate::interval::Forecast {
                        point: self.forecast(method, train, h, s.first_day),
                        intervals: Vec::new(),
                        origins: 0,
                    },
                }
            })
            .collect()
    }

    /// Runs `method` on every holdout and scores it; OWA is left for the caller, which
    /// has the reference.
    fn run(&self, method: Method, clean: bool) -> Score {
        let start = CpuClock::now();
        let forecasts = self.forecasts(method, clean);
        let time = start.elapsed();
        let (smape, mases, mapes) = self.point_scores(&forecasts);
        let (mase, mase_undefined) = mean_of_defined(&mases);
        let (mape, mape_undefined) = mean_of_defined(&mapes);
        let (coverage, msis) = match self.setup.level {
            Some(level) => self.interval_scores(&forecasts, level),
            None => (None, None),
        };
        Score {
            method,
            smape,
            mase,
            mape,
            mape_undefined,
            owa: f64::NAN,
            time,
            mase_undefined,
            coverage,
            msis,
        }
    }

    /// The mean sMAPE over series (a series with nothing scored counts 0), and each
    /// series' MASE and MAPE (None where undefined or nothing was scored).
    fn point_scores(
        &self,
        forecasts: &[crate::interval::Forecast],
    ) -> (f64, Vec<Option<f64>>, Vec<Option<f64>>) {
        let (series, m) = (self.series, self.setup.m);
        let k = series.len() as f64;
        let pairs: Vec<(Vec<f64>, Vec<f64>)> = series
            .iter()
            .zip(forecasts)
            .map(|(s, f)| s.scored_pairs(&f.point))
            .collect();
        let smape = pairs
            .iter()
            .map(|(a, f)| {
                if a.is_empty() {
                    0.0
                } else {
                    metrics::smape(a, f)
                }
            })
            .sum::<f64>()
            / k;
        let mases: Vec<Option<f64>> = series
            .iter()
            .zip(&pairs)
            .map(|(s, (a, f))| {
                (!a.is_empty())
                    .then(|| metrics::mase(&s.train, a, f, m))
                    .flatten()
            })
            .collect();
        let mapes = pairs.iter().map(|(a, f)| metrics::mape(a, f)).collect();
        (smape, mases, mapes)
    }

    /// The share of scored actuals inside the `level` intervals, and the mean MSIS over
    /// the series where it is defined.
    fn interval_scores(
        &self,
        forecasts: &[crate::interval::Forecast],
        level: f64,
    ) -> (Option<f64>, Option<f64>) {
        let m = self.setup.m;
        let (mut inside, mut total, mut msis_sum, mut msis_n) = (0usize, 0usize, 0.0, 0usize);
        for (s, f) in self.series.iter().zip(forecasts) {
            let i = &f.intervals[0];
            let (actual, lower) = s.scored_pairs(&i.lower);
            let (_, upper) = s.scored_pairs(&i.upper);
            for (j, y) in actual.iter().enumerate() {
                total += 1;
                inside += usize::from(lower[j] <= *y && *y <= upper[j]);
            }
            if actual.is_empty() {
                continue;
            }
            if let Some(v) = metrics::msis(&s.train, &actual, &lower, &upper, m, 1.0 - level) {
                msis_sum += v;
                msis_n += 1;
            }
        }
        // Undefined (NaN) when nothing was scored, not a made-up zero.
        let mean = |sum: f64, n: usize| if n == 0 { f64::NAN } else { sum / n as f64 };
        (
            Some(mean(inside as f64, total)),
            Some(mean(msis_sum, msis_n)),
        )
    }
}

/// The scores as a table: a row per method (sMAPE, MASE, OWA, CPU seconds, and with a
/// `level` in percent the intervals' coverage and MSIS), with a note under any method
/// that left series out of MASE (their training part never changes at lag `m`).
pub fn score_table(scores: &[Score], level: Option<f64>, m: usize) -> Vec<String> {
    let intervals = level.map_or(String::new(), |l| {
        format!(" {:>10} {:>8}", format!("cover {l}%"), "MSIS")
    });
    let mut out = vec![format!(
        "{:<12} {:>8} {:>8} {:>7} {:>8} {:>8}{intervals}",
        "model", "sMAPE", "MASE", "OWA", "MAPE", "CPU-s"
    )];
    let cell = |x: f64| figure(x, 3).unwrap_or_else(|| "undefined".to_owned());
    for s in scores {
        let intervals = match (s.coverage, s.msis) {
            (Some(c), Some(msis)) => format!(
                " {:>10} {:>8}",
                figure(c * 100.0, 1).map_or("undefined".to_owned(), |c| c + "%"),
                cell(msis)
            ),
            _ => String::new(),
        };
        out.push(format!(
            "{:<12} {:>8} {:>8} {:>7} {:>8} {:>8.3}{intervals}",
            s.method.name(),
            cell(s.smape),
            cell(s.mase),
            cell(s.owa),
            cell(s.mape),
            s.time.as_secs_f64()
        ));
        if s.mase_undefined > 0 {
            out.push(format!(
                "  {} series left out of MASE: their training part never changes at lag {m}",
                s.mase_undefined
            ));
        }
        if s.mape_undefined > 0 {
            out.push(format!(
                "  {} series left out of MAPE: an actual is 0",
                s.mape_undefined
            ));
        }
    }
    out
}

/// A figure to `decimals` places, `-0.000` as `0.000`; None when it is undefined (NaN
/// or infinite: a MASE with no changing series to scale by, an OWA against it).
fn figure(x: f64, decimals: usize) -> Option<String> {
    // Adding 0.0 turns -0.0 into 0.0; a tiny negative rounds to 0 the same way.
    x.is_finite().then(|| {
        let text = format!("{:.*}", decimals, x + 0.0);
        if text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            text.trim_start_matches('-').to_owned()
        } else {
            text
        }
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn every_method_gives_the_horizon_in_finite_numbers(
            values in prop::collection::vec(prop_oneof![Just(0.0), Just(5.0), -1e6f64..1e6], 1..150),
            horizon in 1usize..60,
            m in 1usize..30,
        ) {
            for method in Method::ALL {
                let f = method.forecast(&values, horizon, m);
                prop_assert_eq!(f.len(), horizon, "{}", method.name());
                prop_assert!(f.iter().all(|v| v.is_finite()), "{}: {:?}", method.name(), f);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// Every method but logistic (whose capacity does not scale) is scale-equivariant:
        /// fitting c·y forecasts c times what fitting y does.
        #[test]
        fn scaling_the_series_scales_the_forecast(
            values in prop::collection::vec(1.0f64..1e4, 60..200),
            c in prop_oneof![Just(0.001), Just(7.0), Just(1e4)],
        ) {
            let scaled: Vec<f64> = values.iter().map(|v| v * c).collect();
            for method in Method::ALL {
                let a = method.forecast(&values, 12, 24);
                let b = method.forecast(&scaled, 12, 24);
                for (x, y) in a.iter().zip(&b) {
                    prop_assert!(
                        (x * c - y).abs() <= 1e-6 * y.abs().max(c),
                        "{}: {} × {} vs {}", method.name(), x, c, y
                    );
                }
            }
        }
    }

    #[test]
    fn constant_and_zero_series_forecast_themselves() {
        for level in [0.0, 42.0] {
            let y = vec![level; 200];
            for method in Method::ALL {
                let f = method.forecast(&y, 10, 24);
                assert!(
                    f.iter().all(|v| (v - level).abs() < 1e-6),
                    "{}: {f:?}",
                    method.name()
                );
            }
        }
    }
}
