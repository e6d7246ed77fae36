//! Durations as people write them: lead times (`5m`, `4h`, `90d`, `8w`), forecast
//! horizons in steps or months, and replanning intervals (`1M`, `3M`, `1y`). Each parser
//! returns `None` for text it cannot read, and the caller says which option it was.

use headroom_traffic::time::{DAY, HOUR, MINUTE};

/// The number before the first letter and the letters after it: `"90d"` → (`"90"`, `"d"`).
fn split_unit(text: &str) -> (&str, &str) {
    text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    )
}

/// Minutes in `5m`, `4h`, `90d`, `8w`, or a bare number of days; never negative.
pub fn minutes(text: &str) -> Option<f64> {
    let (number, unit) = split_unit(text);
    let n: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| *n >= 0.0 && n.is_finite())?;
    match unit {
        "m" => Some(n),
        "h" => Some(n * 60.0),
        "" | "d" => Some(n * 1440.0),
        "w" => Some(n * 7.0 * 1440.0),
        _ => None,
    }
}

/// Whole days (rounded up) in a duration like [`minutes`] reads, from a day to a
/// hundred years.
pub fn days(text: &str) -> Option<usize> {
    let days = (minutes(text)? / 1440.0).ceil();
    (1.0..=36_600.0).contains(&days).then_some(days as usize)
}

/// Months between replans from `1M`, `3M`, `6m`, `1y` or a bare number, 1 to 120.
pub fn every_months(text: &str) -> Option<u32> {
    let t = text.trim();
    let (number, unit) = match t.strip_suffix(['y', 'Y']) {
        Some(n) => (n, 12),
        None => (t.strip_suffix(['M', 'm']).unwrap_or(t), 1),
    };
    let months = number.trim().parse::<u32>().ok()?.checked_mul(unit)?;
    (1..=120).contains(&months).then_some(months)
}

/// Steps of `step` seconds in a horizon given as a count (`48`) or a duration (`48h`,
/// `90d`, `8w`, `30m`, rounded up to whole steps); at least one.
pub fn steps(horizon: &str, step: i64) -> Option<usize> {
    let (number, unit) = split_unit(horizon);
    let n: u64 = number.trim().parse().ok()?;
    let seconds = match unit {
        "" => return usize::try_from(n).ok().filter(|n| *n > 0),
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return None,
    };
    let total = i64::try_from(n)
        .ok()?
        .checked_mul(seconds)
        .filter(|t| *t > 0)?;
    Some(((total - 1) / step + 1) as usize)
}

/// Months in a horizon for a monthly series: a count, or a duration in years (`2y`),
/// weeks or days (rounded up to months of 30.4375 days); at least one.
pub fn months(horizon: &str) -> Option<usize> {
    let (number, unit) = split_unit(horizon);
    let n: f64 = number.trim().parse::<u32>().ok()?.into();
    let months = match unit {
        "" => n,
        "y" => 12.0 * n,
        "w" => (7.0 * n / 30.4375).ceil(),
        "d" => (n / 30.4375).ceil(),
        _ => return None,
    };
    (months >= 1.0).then_some(months as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_times() {
        assert_eq!(minutes("8w"), Some(56.0 * 1440.0));
        assert_eq!(minutes("90d"), Some(90.0 * 1440.0));
        assert_eq!(minutes("4h"), Some(240.0));
        assert_eq!(minutes("5m"), Some(5.0));
        assert_eq!(minutes("3y"), None);
        assert_eq!(minutes("-1d"), None);
    }

    #[test]
    fn history_and_replanning() {
        assert_eq!(days("90d"), Some(90));
        assert_eq!(days("26w"), Some(182));
        assert_eq!(days("36h"), Some(2));
        assert!(days("0d").is_none() && days("3y").is_none() && days("1e9w").is_none());
        assert_eq!(every_months("1M"), Some(1));
        assert_eq!(every_months("3m"), Some(3));
        assert_eq!(every_months("1y"), Some(12));
        assert_eq!(every_months("6"), Some(6));
        for bad in ["0M", "11y", "M", "-1M", "1w", "99999999999y"] {
            assert!(every_months(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn horizons() {
        assert_eq!(steps("48", HOUR), Some(48));
        assert_eq!(steps("2d", HOUR), Some(48));
        assert_eq!(steps("90d", DAY), Some(90));
        assert_eq!(steps("36h", DAY), Some(2));
        assert!(steps("0", HOUR).is_none() && steps("3x", HOUR).is_none());
        assert_eq!(months("18"), Some(18));
        assert_eq!(months("2y"), Some(24));
        assert_eq!(months("90d"), Some(3));
    }
}
