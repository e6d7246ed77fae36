//! The demand a plan is made for: front-door peaks per month, from stated growth or
//! from a forecast of the daily peaks at the quantile the planner chooses.

use headroom_forecast::calendar::Calendar;
use headroom_forecast::interval::conformal;
use headroom_forecast::m4::Method;
use headroom_forecast::model::{Fallback, Model};
use headroom_forecast::seasons::Seasons;
use serde::{Deserialize, Serialize};

/// Which part of the forecast to plan for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantile {
    /// The point forecast: half the months will need more.
    Point,
    /// The upper bound of the central 80% interval: about one month in ten needs more.
    Upper80,
    /// The upper bound of the central 95% interval: about one month in forty needs more.
    Upper95,
}

impl Quantile {
    /// Parses `point`, `80` or `95` (a trailing `%` is allowed).
    pub fn from_name(name: &str) -> Option<Quantile> {
        match name.trim_end_matches('%') {
            "point" => Some(Quantile::Point),
            "80" => Some(Quantile::Upper80),
            "95" => Some(Quantile::Upper95),
            _ => None,
        }
    }

    /// How the plan's text names it.
    pub fn describe(self) -> &'static str {
        match self {
            Quantile::Point => "the point forecast",
            Quantile::Upper80 => "the upper bound of the 80% interval",
            Quantile::Upper95 => "the upper bound of the 95% interval",
        }
    }

    fn level(self) -> Option<f64> {
        match self {
            Quantile::Point => None,
            Quantile::Upper80 => Some(0.80),
            Quantile::Upper95 => Some(0.95),
        }
    }
}

/// Peaks growing by `growth` per month (0.08 for 8%) from `peak_rps` today, compounded:
/// month m is `peak_rps × (1 + growth)^m`.
pub fn compound_peaks(peak_rps: f64, growth: f64, months: u32) -> Vec<f64> {
    (1..=months)
        .map(|m| peak_rps * (1.0 + growth).powi(m as i32))
        .collect()
}

/// Daily peaks ahead: the point forecast and the chosen quantile's interval.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyForecast {
    /// Point forecast per day.
    pub point: Vec<f64>,
    /// Lower bound of the chosen interval (the point itself for [`Quantile::Point`]).
    pub lower: Vec<f64>,
    /// Upper bound of the chosen interval (the point itself for [`Quantile::Point`]).
    pub upper: Vec<f64>,
    /// Another method forecast the peaks, because the history was too short for the
    /// one asked (and why).
    pub fallback: Option<Fallback>,
}

/// The seasons daily peaks are forecast with: the week and the year (365.24 days, as
/// Fourier terms), each only when the history holds two cycles of it, with a sentence
/// per season saying which and why.
pub fn daily_seasons(days_of_history: usize) -> (Seasons, Vec<String>) {
    Seasons::for_step(86_400.0).usable(days_of_history)
}

/// How daily peaks are forecast: a method and the dated events (holidays, launches)
/// whose effects it forecasts with; an empty calendar for none.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyModel {
    /// The forecasting method.
    pub method: Method,
    /// Dated events, see [`headroom_forecast::calendar`].
    pub calendar: Calendar,
}

impl From<Method> for DailyModel {
    fn from(method: Method) -> DailyModel {
        DailyModel {
            method,
            calendar: Calendar::default(),
        }
    }
}

impl DailyModel {
    /// The fallback the method takes on `history`, if it is too short for it.
    pub fn fallback(&self, history: &[f64]) -> Option<Fallback> {
        let seasons = daily_seasons(history.len()).0;
        let fitted = Model::new(self.method, seasons).fit(history).ok()?;
        fitted.fallback().cloned()
    }

    /// `days` daily peaks after `history`, whose first day is day number `first_day`.
    fn forecast(&self, history: &[f64], first_day: i64, days: usize) -> Vec<f64> {
        let seasons = daily_seasons(history.len()).0;
        headroom_forecast::calendar::forecast(history, first_day, days, &self.calendar, |x, h| {
            self.method.forecast_seasons(x, h, &seasons)
        })
    }
}

/// Forecasts `days` daily peaks after `history` (its first day is day number
/// `first_day`) with the model's method, its calendar's effects and the seasons of
/// [`daily_seasons`] (a December peak in two years of history shows up next December),
/// never below zero.
///
/// Intervals are conformal (the method's own errors at earlier origins), or a random
/// walk's spread when the history is too short to hold any out: see
/// [`headroom_forecast::interval::conformal`].
pub fn daily_peak_forecast(
    history: &[f64],
    first_day: i64,
    days: usize,
    model: &DailyModel,
    quantile: Quantile,
) -> DailyForecast {
    let levels: Vec<f64> = quantile.level().into_iter().collect();
    // Each calibration origin sees a shorter history, so its seasons (and the events'
    // effects) are measured anew.
    let forecast = conformal(history, days, &levels, 3, 14, |x, h| {
        model.forecast(x, first_day, h)
    });
    let floor = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x.max(0.0)).collect() };
    let (lower, upper) = match forecast.intervals.first() {
        Some(interval) => (floor(&interval.lower), floor(&interval.upper)),
        None => (floor(&forecast.point), floor(&forecast.point)),
    };
    DailyForecast {
        point: floor(&forecast.point),
        lower,
        upper,
        fallback: model.fallback(history),
    }
}

/// Daily peaks ahead with both planned intervals at once (one calibration for the two).
#[derive(Debug, Clone, PartialEq)]
pub struct DailyForecasts {
    /// Point forecast per day, never below zero.
    pub point: Vec<f64>,
    /// Upper bound of the central 80% interval.
    pub upper80: Vec<f64>,
    /// Upper bound of the central 95% interval.
    pub upper95: Vec<f64>,
}

/// [`daily_peak_forecast`] at every quantile from one conformal calibration.
pub fn daily_peak_forecasts(
    history: &[f64],
    first_day: i64,
    days: usize,
    model: &DailyModel,
) -> DailyForecasts {
    let forecast = conformal(history, days, &[0.80, 0.95], 3, 14, |x, h| {
        model.forecast(x, first_day, h)
    });
    let floor = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x.max(0.0)).collect() };
    DailyForecasts {
        point: floor(&forecast.point),
        upper80: floor(&forecast.intervals[0].upper),
        upper95: floor(&forecast.intervals[1].upper),
    }
}

/// Days in the rest of `last_day`'s month (forecast day 0 is the day after the data;
/// that month is skipped) and in each of the `months` calendar months after it.
pub fn forecast_month_lengths(last_day: i64, months: usize) -> Vec<usize> {
    use headroom_forecast::series::{civil_from_days, days_from_civil};
    let (year, month, _) = civil_from_days(last_day);
    let this_month = year * 12 + i64::from(month) - 1;
    let start =
        |index: i64| days_from_civil(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1);
    let mut lengths = vec![(start(this_month + 1) - last_day - 1) as usize];
    for m in 1..=months as i64 {
        lengths.push((start(this_month + m + 1) - start(this_month + m)) as usize);
    }
    lengths
}

/// Each tier's own planned bound over the `months` calendar months after a daily
/// `history` (first day `first_day`): the monthly peaks of the point forecast or of the
/// upper 80% or 95% bound, as `per_tier` (topology order) asks, for
/// [`crate::Demand::upper_by_tier`]; empty when every tier asks the same quantile.
pub fn tier_upper_rps(
    history: &[f64],
    first_day: i64,
    months: usize,
    model: &DailyModel,
    per_tier: &[Quantile],
) -> Vec<Vec<f64>> {
    if per_tier.windows(2).all(|w| w[0] == w[1]) || history.is_empty() {
        return Vec::new();
    }
    let lengths = forecast_month_lengths(first_day + history.len() as i64 - 1, months);
    let days: usize = lengths.iter().sum();
    let f = daily_peak_forecasts(history, first_day, days, model);
    let monthly = |daily: &[f64]| monthly_max(daily, &lengths)[1..].to_vec();
    let (point, upper80, upper95) = (monthly(&f.point), monthly(&f.upper80), monthly(&f.upper95));
    per_tier
        .iter()
        .map(|q| match q {
            Quantile::Point => point.clone(),
            Quantile::Upper80 => upper80.clone(),
            Quantile::Upper95 => upper95.clone(),
        })
        .collect()
}

/// The largest value in each run of `lengths` consecutive values (a month's peak from its
/// days). Runs past the end of `daily` are left out.
pub fn monthly_max(daily: &[f64], lengths: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(lengths.len());
    let mut start = 0;
    for &n in lengths {
        let Some(days) = daily.get(start..start + n) else {
            break;
        };
        out.push(days.iter().copied().fold(0.0, f64::max));
        start += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn compounds() {
        assert_eq!(compound_peaks(100.0, 0.5, 3), vec![150.0, 225.0, 337.5]);
    }

    #[test]
    fn month_peaks_from_days() {
        let days = [1.0, 5.0, 2.0, 7.0, 3.0, 9.0];
        assert_eq!(monthly_max(&days, &[2, 3]), vec![5.0, 7.0]);
        assert_eq!(monthly_max(&days, &[4, 4]), vec![7.0]);
    }

    #[test]
    fn quantile_names() {
        assert_eq!(Quantile::from_name("95%"), Some(Quantile::Upper95));
        assert_eq!(Quantile::from_name("point"), Some(Quantile::Point));
        assert_eq!(Quantile::from_name("50"), None);
    }

    #[test]
    fn growing_history_plans_for_growth() {
        let history: Vec<f64> = (0..56).map(|d| 100.0 + f64::from(d)).collect();
        let point =
            daily_peak_forecast(&history, 0, 60, &Method::Linear.into(), Quantile::Point).point;
        // A straight line carries on: day 56 + 59 = 215.
        assert!((point[59] - 215.0).abs() < 1e-6, "{}", point[59]);
    }

    #[test]
    fn a_december_peak_in_the_history_is_planned_for_next_december() {
        // Three years of daily peaks from 1 January: 100 requests/s, a weekly swing of
        // ±5, and December 60% busier (a shop's season). Month lengths of a common year.
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let december = |d: usize| d % 365 >= 334;
        let history: Vec<f64> = (0..3 * 365)
            .map(|d| {
                let week = [5.0, 3.0, 0.0, -2.0, -5.0, -1.0, 0.0][d % 7];
                100.0 + week + if december(d) { 60.0 } else { 0.0 }
            })
            .collect();
        let (used, _) = daily_seasons(history.len());
        assert_eq!(used.periods.len(), 2, "week and year");
        let f = daily_peak_forecast(&history, 0, 365, &Method::Auto.into(), Quantile::Point);
        let months = monthly_max(&f.point, &lengths);
        let (dec, june) = (months[11], months[5]);
        // December is next year's busiest month, well above June. (Not the full 60%:
        // auto also weights candidates that do not model the year, by how well each
        // forecast the last year at its origins, and ten harmonics round the edges
        // of a season that starts and stops as sharply as this one.)
        let top = months.iter().copied().fold(0.0, f64::max);
        assert_eq!(dec, top, "{months:?}");
        assert!(
            dec > 1.2 * june,
            "December {dec} against June {june}: {months:?}"
        );
        // With less than two years of history the year is not seen, and December is
        // planned like any month.
        let short = daily_peak_forecast(
            &history[..700],
            0,
            365,
            &Method::Auto.into(),
            Quantile::Point,
        );
        let months = monthly_max(&short.point, &lengths);
        assert!(months[11] < 1.1 * months[5], "{months:?}");
    }

    #[test]
    fn a_sale_day_seen_in_past_years_is_planned_for_next_year() {
        // Three years of daily peaks from 2021-01-01 with a weekly swing; on 11 November
        // (a sale, listed in the calendar) the peak is 2.5 times a usual day's.
        let first = headroom_forecast::series::days_from_civil(2021, 1, 1);
        let mut rows = String::from("date,name\n");
        for y in 2021..=2024 {
            rows.push_str(&format!("{y}-11-11,sale\n"));
        }
        let calendar = Calendar::parse(&rows, "sales.csv").unwrap();
        let history: Vec<f64> = (0..3 * 365)
            .map(|d| {
                let usual = 100.0 + [5.0, 3.0, 0.0, -2.0, -5.0, -1.0, 0.0][d % 7];
                let sale = calendar.event(first + d as i64).is_some();
                if sale { 2.5 * usual } else { usual }
            })
            .collect();
        // 2024 from its first day (history ends 2023-12-31): a leap year's months.
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let model = DailyModel {
            method: Method::Theta,
            calendar,
        };
        let f = daily_peak_forecast(&history, first, 366, &model, Quantile::Point);
        let months = monthly_max(&f.point, &lengths);
        assert!(months[10] > 2.0 * months[9], "{months:?}");
        // Without the calendar the one-day sale is noise to the model, not a peak.
        let plain =
            daily_peak_forecast(&history, first, 366, &Method::Theta.into(), Quantile::Point);
        let months = monthly_max(&plain.point, &lengths);
        assert!(months[10] < 1.3 * months[9], "{months:?}");
    }

    #[test]
    fn each_tier_gets_the_bound_it_asks_for() {
        // 2024-01-31 is the last day: February 2024 (29 days) is the first whole month.
        assert_eq!(
            forecast_month_lengths(headroom_forecast::series::days_from_civil(2024, 1, 31), 2),
            vec![0, 29, 31]
        );
        let history: Vec<f64> = (0..120)
            .map(|d| 100.0 + (d % 7) as f64 + 0.3 * d as f64)
            .collect();
        let model: DailyModel = Method::Theta.into();
        let same = [Quantile::Upper80, Quantile::Upper80];
        assert!(tier_upper_rps(&history, 0, 3, &model, &same).is_empty());
        let asked = [Quantile::Point, Quantile::Upper95, Quantile::Upper80];
        let by_tier = tier_upper_rps(&history, 0, 3, &model, &asked);
        assert_eq!(by_tier.len(), 3);
        let [point, upper95, upper80] = [&by_tier[0], &by_tier[1], &by_tier[2]];
        for ((p, u80), u95) in point.iter().zip(upper80).zip(upper95) {
            assert!(p <= u80 && u80 <= u95, "{p} {u80} {u95}");
        }
    }

    proptest! {
        #[test]
        fn upper_quantiles_never_below_the_point(
            history in proptest::collection::vec(0.0f64..1000.0, 3..60),
            days in 1usize..90,
        ) {
            let p = daily_peak_forecast(&history, 0, days, &Method::Auto.into(), Quantile::Point);
            let f80 = daily_peak_forecast(&history, 0, days, &Method::Auto.into(), Quantile::Upper80);
            let hi95 = daily_peak_forecast(&history, 0, days, &Method::Auto.into(), Quantile::Upper95).upper;
            let (point, hi80) = (&p.point, &f80.upper);
            prop_assert_eq!(point, &p.upper);
            prop_assert_eq!(point, &f80.point);
            prop_assert_eq!(point.len(), days);
            for (d, &x) in point.iter().enumerate() {
                prop_assert!(x >= 0.0);
                prop_assert!(f80.lower[d] <= x + 1e-9);
                prop_assert!(hi80[d] >= x - 1e-9);
                prop_assert!(hi95[d] >= hi80[d] - 1e-9);
            }
        }
    }
}
