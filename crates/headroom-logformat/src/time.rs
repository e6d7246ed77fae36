//! Calendar arithmetic for log timestamps: civil dates to Unix seconds and back, in UTC.
//!
//! Hand-written rather than taken from chrono because the parser calls it once per line
//! and only needs the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).

/// Seconds in one minute, the rollup resolution.
pub const MINUTE: i64 = 60;
/// Seconds in one hour.
pub const HOUR: i64 = 3_600;
/// Seconds in one day.
pub const DAY: i64 = 86_400;

/// Hour of the week of `unix_s`, 0 = Monday 00:00 UTC to 167 = Sunday 23:00 UTC: the one
/// convention every hour-of-week table in headroom uses (1970-01-01 was a Thursday, so
/// the epoch's hour is 72).
pub fn hour_of_week(unix_s: i64) -> usize {
    (unix_s.div_euclid(HOUR) + 72).rem_euclid(168) as usize
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` of a Unix timestamp in UTC.
pub fn format_date(unix_s: i64) -> String {
    let (y, m, d) = civil_from_days(unix_s.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC) of a Unix timestamp.
pub fn format_rfc3339(unix_s: i64) -> String {
    let secs = unix_s.rem_euclid(DAY);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(unix_s),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2015-05-17 is day 16,572 (1,431,820,800 s).
        assert_eq!(days_from_civil(2015, 5, 17) * DAY, 1_431_820_800);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(format_rfc3339(1_431_857_103), "2015-05-17T10:05:03Z");
    }

    #[test]
    fn round_trip_over_centuries() {
        for days in (-800_000..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn hours_of_the_week_start_on_monday() {
        // 2024-01-01 was a Monday; 1970-01-01 a Thursday.
        let monday = days_from_civil(2024, 1, 1) * DAY;
        assert_eq!(hour_of_week(monday), 0);
        assert_eq!(hour_of_week(monday + 7 * DAY - 1), 167);
        assert_eq!(hour_of_week(0), 72);
        assert_eq!(hour_of_week(-1), 71);
    }
}
