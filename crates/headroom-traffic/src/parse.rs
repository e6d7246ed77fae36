//! Line parser for Apache Common and Combined logs (nginx `combined` shares the layout).
//!
//! Works on bytes, not `str`: real logs carry invalid UTF-8 and `\xhh` escapes, and the
//! hot loop must not validate what it does not read. Fields after `%b` (referer, user
//! agent, anything custom) are not needed for the rollups and are not parsed, so a broken
//! user-agent quote (elastic's line 8,899) does not cost a request.

use std::fmt;

use crate::time::days_from_civil;

/// One access-log record: the fields the rollups need, borrowed from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Client address or host name (`%h`).
    pub host: &'a [u8],
    /// Request time as Unix seconds in UTC, the logged offset applied.
    pub unix_s: i64,
    /// The raw request line (`%r`), escapes left as written.
    pub request: &'a [u8],
    /// Final HTTP status (`%>s`).
    pub status: u16,
    /// Response body bytes (`%b`); `-` counts as zero.
    pub bytes: u64,
}

/// Why a line was not counted as a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reject {
    /// Empty or whitespace-only line.
    Blank,
    /// A `#` comment line.
    Comment,
    /// No `[...]` timestamp where Common/Combined puts it.
    MissingTimestamp,
    /// The timestamp is not `dd/Mon/yyyy:HH:MM:SS ±hhmm`.
    BadTimestamp,
    /// The request field is not a quoted string closed on the line.
    BadRequest,
    /// The status is not a number from 100 to 599.
    BadStatus,
    /// The byte count is neither a number nor `-`.
    BadBytes,
}

impl Reject {
    /// Every reason, in report order.
    pub const ALL: [Reject; 7] = [
        Reject::Blank,
        Reject::Comment,
        Reject::MissingTimestamp,
        Reject::BadTimestamp,
        Reject::BadRequest,
        Reject::BadStatus,
        Reject::BadBytes,
    ];

    /// A stable snake_case key for JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Reject::Blank => "blank",
            Reject::Comment => "comment",
            Reject::MissingTimestamp => "missing_timestamp",
            Reject::BadTimestamp => "bad_timestamp",
            Reject::BadRequest => "bad_request",
            Reject::BadStatus => "bad_status",
            Reject::BadBytes => "bad_bytes",
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reject::Blank => "blank line",
            Reject::Comment => "comment line",
            Reject::MissingTimestamp => "no [timestamp] field",
            Reject::BadTimestamp => "timestamp is not dd/Mon/yyyy:HH:MM:SS +zzzz",
            Reject::BadRequest => "request field is not a closed quoted string",
            Reject::BadStatus => "status is not a number from 100 to 599",
            Reject::BadBytes => "byte count is neither a number nor '-'",
        })
    }
}

/// Parses one Common or Combined line (without its newline).
pub fn parse_combined(line: &[u8]) -> Result<Record<'_>, Reject> {
    let line = trim_end(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err(Reject::Blank);
    }
    if line[0] == b'#' {
        return Err(Reject::Comment);
    }
    let host_end = memchr(b' ', line).ok_or(Reject::MissingTimestamp)?;
    let host = &line[..host_end];
    // `%l %u` sit between host and `[`; a user name may itself hold spaces, so look
    // for the bracket rather than counting fields.
    let open = host_end + memchr(b'[', &line[host_end..]).ok_or(Reject::MissingTimestamp)?;
    let close = open + memchr(b']', &line[open..]).ok_or(Reject::MissingTimestamp)?;
    let unix_s = parse_clf_time(&line[open + 1..close]).ok_or(Reject::BadTimestamp)?;
    let rest = line.get(close + 1..).unwrap_or_default();
    let rest = rest.strip_prefix(b" \"").ok_or(Reject::BadRequest)?;
    let req_end = find_closing_quote(rest).ok_or(Reject::BadRequest)?;
    let request = &rest[..req_end];
    let rest = rest[req_end + 1..]
        .strip_prefix(b" ")
        .ok_or(Reject::BadStatus)?;
    let (status_field, rest) = split_field(rest);
    let status = parse_status(status_field).ok_or(Reject::BadStatus)?;
    let (bytes_field, _) = split_field(rest);
    let bytes = parse_bytes(bytes_field).ok_or(Reject::BadBytes)?;
    Ok(Record {
        host,
        unix_s,
        request,
        status,
        bytes,
    })
}

/// Parses `dd/Mon/yyyy:HH:MM:SS ±hhmm` to Unix seconds in UTC.
///
/// A missing offset (fail2ban's `[31/Jan/2015:14:29:44 ]`) is read as UTC.
pub fn parse_clf_time(t: &[u8]) -> Option<i64> {
    if t.len() < 20 || t[2] != b'/' || t[6] != b'/' || t[11] != b':' {
        return None;
    }
    let day = digits(&t[0..2])?;
    let month = month_number(&t[3..6])?;
    let year = digits(&t[7..11])?;
    let (hh, mm, ss) = (
        digits(&t[12..14])?,
        digits(&t[15..17])?,
        digits(&t[18..20])?,
    );
    if t[14] != b':' || t[17] != b':' || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let offset_s = parse_offset(trim_end(t.get(20..).unwrap_or_default()))?;
    let days = days_from_civil(year as i64, month, day as u32);
    Some(days * 86_400 + hh as i64 * 3600 + mm as i64 * 60 + ss as i64 - offset_s)
}

fn parse_offset(t: &[u8]) -> Option<i64> {
    let t = t.strip_prefix(b" ").unwrap_or(t);
    if t.is_empty() {
        return Some(0);
    }
    if t.len() != 5 {
        return None;
    }
    let sign = match t[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = (digits(&t[1..3])?, digits(&t[3..5])?);
    Some(sign * (h as i64 * 3600 + m as i64 * 60))
}

fn month_number(m: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    MONTHS
        .iter()
        .position(|name| name.as_slice() == m)
        .map(|i| i as u32 + 1)
}

/// Index of the quote that ends a quoted field, skipping `\"` and `\\` escapes.
fn find_closing_quote(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn split_field(s: &[u8]) -> (&[u8], &[u8]) {
    match memchr(b' ', s) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &[]),
    }
}

fn parse_status(s: &[u8]) -> Option<u16> {
    let v = digits(s)?;
    (s.len() == 3 && (100..=599).contains(&v)).then_some(v as u16)
}

fn parse_bytes(s: &[u8]) -> Option<u64> {
    if s == b"-" {
        return Some(0);
    }
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    digits(s)
}

/// Decimal digits to a number; `None` for anything else or an empty slice.
fn digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
    })
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn trim_end(s: &[u8]) -> &[u8] {
    let end = s
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const ELASTIC_1: &[u8] = br#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#;

    #[test]
    fn parses_combined() {
        let r = parse_combined(ELASTIC_1).unwrap();
        assert_eq!(r.host, b"83.149.9.216");
        assert_eq!(r.unix_s, 1_431_857_103);
        assert_eq!(r.status, 200);
        assert_eq!(r.bytes, 203_023);
        assert!(r.request.starts_with(b"GET /presentations/"));
    }

    #[test]
    fn applies_offset_and_dash_bytes() {
        let line = br#"::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\"b HTTP/1.0" 304 -"#;
        let r = parse_combined(line).unwrap();
        assert_eq!(r.host, b"::1");
        assert_eq!(r.unix_s, 971_211_336); // 2000-10-10T20:55:36Z
        assert_eq!(r.request, br#"GET /a\"b HTTP/1.0"#);
        assert_eq!(r.bytes, 0);
    }

    #[test]
    fn empty_offset_is_utc() {
        let line = br#"1.2.3.4 - - [31/Jan/2015:14:29:44 ] "GET / HTTP/1.1" 200 5"#;
        assert_eq!(parse_combined(line).unwrap().unix_s, 1_422_714_584);
    }

    #[test]
    fn rejects_say_why() {
        let cases: [(&[u8], Reject); 7] = [
            (b"   ", Reject::Blank),
            (b"# comment", Reject::Comment),
            (b"1.2.3.4 no time here", Reject::MissingTimestamp),
            (
                b"1.2.3.4 - - [17/Mai/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1",
                Reject::BadTimestamp,
            ),
            (
                b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1 200 1",
                Reject::BadRequest,
            ),
            (
                b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 2000 1",
                Reject::BadStatus,
            ),
            (
                b"1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1k",
                Reject::BadBytes,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(
                parse_combined(line),
                Err(want),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
