//! Parsing one log line into a [`Record`] with a [`LogFormat`].
//!
//! Works on bytes, not `str`: real logs carry invalid UTF-8 and `\xhh` escapes, and the
//! hot loop must not validate what it does not read. Parsing is lenient where a request
//! is still clearly a request: once the time and status are read, a line that stops
//! matching (a broken user-agent quote, extra fields at the end) still counts, as it does
//! in GoAccess. Lines that cannot be a request are rejected with a reason.

use std::fmt;

use std::sync::LazyLock;

use crate::format::{Field, FieldEnd, Item, LogFormat, Pattern, TimeItem, TimeSpec, Unit};
use crate::time::days_from_civil;

/// One access-log record: the fields the rollups need, borrowed from the line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record<'a> {
    /// Client address or host name (`%h`); empty when the format has none.
    pub host: &'a [u8],
    /// Request time as Unix seconds in UTC, the logged offset applied.
    pub unix_s: i64,
    /// Request method (`GET`); empty when unknown.
    pub method: &'a [u8],
    /// Request path without the query string; empty when unknown.
    pub path: &'a [u8],
    /// Final HTTP status.
    pub status: u16,
    /// Response bytes; `-` counts as zero.
    pub bytes: u64,
    /// User agent; empty when the format has none or it is `-`.
    pub user_agent: &'a [u8],
    /// Time taken to serve the request, in seconds, when logged.
    pub duration_s: Option<f64>,
}

impl Default for Record<'_> {
    fn default() -> Self {
        Record {
            host: b"",
            unix_s: 0,
            method: b"",
            path: b"",
            status: 0,
            bytes: 0,
            user_agent: b"",
            duration_s: None,
        }
    }
}

/// The longest line a reader hands to a parser, newline included: 16 MiB. Servers cap
/// the request line far below this (Apache's `LimitRequestLine` 8,190 bytes, nginx's
/// `large_client_header_buffers` 8 KiB), so a longer "line" is a file that is not a log
/// (a binary or a stream with no newline), and reading it whole would hold all of it.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Why a line was not counted as a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reject {
    /// Empty or whitespace-only line.
    Blank,
    /// A `#` comment line.
    Comment,
    /// The line does not have the format's layout before its time and status.
    Layout,
    /// No time where the format puts it.
    MissingTimestamp,
    /// The time does not read as a date and time.
    BadTimestamp,
    /// The request field is not a quoted string closed on the line.
    BadRequest,
    /// No status where the format puts it.
    MissingStatus,
    /// The status is not a number from 100 to 599.
    BadStatus,
    /// The byte count is neither a number nor `-`.
    BadBytes,
    /// Longer than [`MAX_LINE_BYTES`]; skipped unread by the readers.
    TooLong,
}

impl Reject {
    /// Every reason, in report order.
    pub const ALL: [Reject; 10] = [
        Reject::Blank,
        Reject::Comment,
        Reject::Layout,
        Reject::MissingTimestamp,
        Reject::BadTimestamp,
        Reject::BadRequest,
        Reject::MissingStatus,
        Reject::BadStatus,
        Reject::BadBytes,
        Reject::TooLong,
    ];

    /// A stable snake_case key for JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Reject::Blank => "blank",
            Reject::Comment => "comment",
            Reject::Layout => "layout",
            Reject::MissingTimestamp => "missing_timestamp",
            Reject::BadTimestamp => "bad_timestamp",
            Reject::BadRequest => "bad_request",
            Reject::MissingStatus => "missing_status",
            Reject::BadStatus => "bad_status",
            Reject::BadBytes => "bad_bytes",
            Reject::TooLong => "too_long",
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reject::Blank => "blank line",
            Reject::Comment => "comment line",
            Reject::Layout => "line does not have the log format's layout",
            Reject::MissingTimestamp => "no timestamp",
            Reject::BadTimestamp => "timestamp does not read as a date and time",
            Reject::BadRequest => "request field is not a closed quoted string",
            Reject::MissingStatus => "no status",
            Reject::BadStatus => "status is not a number from 100 to 599",
            Reject::BadBytes => "byte count is neither a number nor '-'",
            Reject::TooLong => {
                return write!(
                    f,
                    "line longer than {} MiB (not a log line)",
                    MAX_LINE_BYTES >> 20
                );
            }
        })
    }
}

impl LogFormat {
    /// Parses one line (a trailing `\n` or `\r\n` is ignored).
    pub fn parse<'a>(&self, line: &'a [u8]) -> Result<Record<'a>, Reject> {
        self.parse_full(line).map(|(record, _)| record)
    }

    /// Parses a line and also says whether every field of the format matched (used to
    /// tell formats apart when sniffing).
    pub fn parse_full<'a>(&self, line: &'a [u8]) -> Result<(Record<'a>, bool), Reject> {
        self.parse_with(line, None)
    }

    /// A parser for a stream of lines of this format.
    pub fn parser(&self) -> Parser<'_> {
        Parser {
            format: self,
            time: TimeCache::default(),
        }
    }

    fn parse_with<'a>(
        &self,
        line: &'a [u8],
        cache: Option<&mut TimeCache>,
    ) -> Result<(Record<'a>, bool), Reject> {
        let line = trim_end(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Err(Reject::Blank);
        }
        if line[0] == b'#' {
            return Err(Reject::Comment);
        }
        match self {
            LogFormat::Ltsv => parse_ltsv(line),
            LogFormat::Pattern(p) => p.parse(line, cache),
        }
    }
}

/// Parses the lines of one stream with a [`LogFormat`], remembering the previous
/// line's timestamp: consecutive lines mostly share it, and comparing its bytes is
/// cheaper than reading the date again (which measured 8% of an ingest). Results are
/// those of [`LogFormat::parse`], line for line.
#[derive(Debug, Clone)]
pub struct Parser<'f> {
    format: &'f LogFormat,
    time: TimeCache,
}

impl Parser<'_> {
    /// Parses one line, as [`LogFormat::parse`] does.
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Result<Record<'a>, Reject> {
        self.format
            .parse_with(line, Some(&mut self.time))
            .map(|(record, _)| record)
    }
}

/// The last two distinct timestamps read (a log merged from servers in two zones
/// alternates between them), newest first.
#[derive(Debug, Clone, Default)]
struct TimeCache {
    entries: [TimeEntry; 2],
}

/// A timestamp read: which time field, the bytes it used plus the one after them (every
/// time reader looks at most one byte past what it uses, so equal bytes read the same),
/// the result, and where its `HH:MM:SS` sits when everything before it has a fixed
/// width.
#[derive(Debug, Clone, Default)]
struct TimeEntry {
    item: usize,
    bytes: Vec<u8>,
    read: Option<(i64, usize)>,
    /// Where the clock starts in `bytes`, and its seconds into the day.
    clock: Option<(usize, i64)>,
}

impl TimeCache {
    fn get(&self, item: usize, rest: &[u8]) -> Option<(i64, usize)> {
        self.entries.iter().find_map(|e| e.get(item, rest))
    }

    fn put(&mut self, item: usize, rest: &[u8], read: (i64, usize), clock: Option<usize>) {
        self.entries.swap(0, 1);
        let e = &mut self.entries[0];
        e.item = item;
        e.bytes.clear();
        e.bytes
            .extend_from_slice(&rest[..(read.1 + 1).min(rest.len())]);
        e.read = Some(read);
        // A clock that reads here read the same in the full reader, which accepted it.
        e.clock = clock
            .filter(|c| e.bytes.len() >= c + 8)
            .and_then(|c| Some((c, clock_seconds(&e.bytes[c..c + 8])?)));
    }
}

impl TimeEntry {
    fn get(&self, item: usize, rest: &[u8]) -> Option<(i64, usize)> {
        let (t, used) = self.read?;
        // At the end of the line last time: it must end there again.
        if self.item != item || !(self.bytes.len() > used || rest.len() == used) {
            return None;
        }
        let Some((c, was)) = self.clock else {
            return starts_with(rest, &self.bytes).then_some((t, used));
        };
        // The same day and zone at any second: only the clock's eight bytes may differ,
        // and the time moves by as many seconds as the clock. Lines seconds apart (a
        // quiet service, or one log of many hosts) miss a whole-bytes match, and reading
        // the date again cost about 600 instructions a line. The zone after the clock is
        // compared first: a log of two zones differs there.
        let same_around = rest.len() >= self.bytes.len()
            && starts_with(&rest[c + 8..], &self.bytes[c + 8..])
            && starts_with(rest, &self.bytes[..c]);
        if !same_around {
            return None;
        }
        let now = &rest[c..c + 8];
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
        if word(now) == word(&self.bytes[c..c + 8]) {
            return Some((t, used));
        }
        Some((t - was + clock_seconds(now)?, used))
    }
}

/// `HH:MM:SS` as seconds into the day, with the checks the full reader makes (two
/// digits each, hour ≤ 23, minute ≤ 59, second ≤ 60); None where it would reject.
fn clock_seconds(s: &[u8]) -> Option<i64> {
    if s[2] != b':' || s[5] != b':' {
        return None;
    }
    // The eight bytes as one word, the colons made `0`s, checked and paired as in
    // `eight_digits`: hours, minutes and seconds land in bytes 0, 3 and 6.
    let colons = (0x0A << 16) | (0x0A << 40);
    let w = u64::from_le_bytes(s[..8].try_into().expect("eight bytes")) - colons;
    if w & HIGH != ZEROS || (w + 0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    let v = w - ZEROS;
    let v = v * 10 + (v >> 8);
    let (h, m, sec) = (v & 0xFF, (v >> 24) & 0xFF, (v >> 48) & 0xFF);
    (h <= 23 && m <= 59 && sec <= 60).then(|| (h * 3600 + m * 60 + sec) as i64)
}

impl Pattern {
    fn parse<'a>(
        &self,
        line: &'a [u8],
        mut cache: Option<&mut TimeCache>,
    ) -> Result<(Record<'a>, bool), Reject> {
        if self.combined
            && let Some(r) = self.parse_combined(line, cache.as_deref_mut())
        {
            return Ok((r, true));
        }
        self.parse_items(line, cache)
    }

    /// The general reader: the pattern's items in turn.
    fn parse_items<'a>(
        &self,
        line: &'a [u8],
        mut cache: Option<&mut TimeCache>,
    ) -> Result<(Record<'a>, bool), Reject> {
        let mut r = Record::default();
        let (mut have_time, mut have_status) = (false, false);
        let mut pos = 0;
        let items = &self.items;
        for (i, item) in items.iter().enumerate() {
            let needed = || !(have_time && have_status);
            match item {
                Item::Lit(lit) => {
                    if starts_with(&line[pos..], lit) {
                        pos += lit.len();
                    } else if needed() {
                        return Err(Reject::Layout);
                    } else {
                        return Ok((r, false));
                    }
                }
                Item::Field(Field::Time(spec)) => {
                    let (t, used) = self.read_time(i, spec, line, pos, cache.as_deref_mut())?;
                    r.unix_s = t;
                    have_time = true;
                    pos += used;
                }
                Item::Field(field) => {
                    let rest = &line[pos..];
                    let end = match self.ends[i] {
                        FieldEnd::Quoted => find_closing_quote(rest),
                        FieldEnd::Before(b) => find_byte(b, rest),
                        FieldEnd::Space => Some(find_byte(b' ', rest).unwrap_or(rest.len())),
                    };
                    let value = match end {
                        Some(e) => {
                            pos += e;
                            &rest[..e]
                        }
                        None if needed() => {
                            return Err(match field {
                                Field::Request => Reject::BadRequest,
                                _ => Reject::Layout,
                            });
                        }
                        None => {
                            set_field(&mut r, field, rest)?;
                            return Ok((r, false));
                        }
                    };
                    if *field == Field::Status {
                        have_status = true;
                    }
                    set_field(&mut r, field, value)?;
                }
            }
        }
        if !have_status {
            return Err(Reject::MissingStatus);
        }
        Ok((r, true))
    }
}

impl Pattern {
    /// The time field `spec` (item `i`) at `line[pos..]`: from the cache when the bytes
    /// match a recent line's, else read in full (and remembered); (Unix seconds, bytes
    /// used).
    fn read_time(
        &self,
        i: usize,
        spec: &TimeSpec,
        line: &[u8],
        pos: usize,
        cache: Option<&mut TimeCache>,
    ) -> Result<(i64, usize), Reject> {
        let rest = &line[pos..];
        if let Some(read) = cache.as_deref().and_then(|c| c.get(i, rest)) {
            return Ok(read);
        }
        let dot_follows =
            matches!(self.items.get(i + 1), Some(Item::Lit(l)) if l.starts_with(b"."));
        let read = parse_time_then(spec, rest, dot_follows).ok_or(if pos >= line.len() {
            Reject::MissingTimestamp
        } else {
            Reject::BadTimestamp
        })?;
        if let Some(c) = cache {
            c.put(i, rest, read, spec.clock_offset());
        }
        Ok(read)
    }

    /// The Combined layout (`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`)
    /// read straight through, for a line that has every field in place and no escaped
    /// quote; None for anything else, which the general reader then takes from the start
    /// (and answers as it always has). The fields are the general reader's, found the
    /// same way; what goes is its walk over the pattern's items, a third of an ingest's
    /// parsing time on the generated log.
    fn parse_combined<'a>(
        &self,
        line: &'a [u8],
        cache: Option<&mut TimeCache>,
    ) -> Option<Record<'a>> {
        // Up to a space, which must follow.
        let word = |at: usize| -> Option<(&'a [u8], usize)> {
            let e = find_byte(b' ', &line[at..])?;
            Some((&line[at..at + e], at + e + 1))
        };
        // A quoted value up to its closing quote, which `close` must follow; None where
        // it holds an escape.
        let quoted = |at: usize, close: &[u8]| -> Option<(&'a [u8], usize)> {
            let e = find_either(b'"', b'\\', &line[at..])?;
            if line[at + e] != b'"' || !starts_with(&line[at + e..], close) {
                return None;
            }
            Some((&line[at..at + e], at + e + close.len()))
        };
        let (host, at) = word(0)?;
        // Identity and user, `- -` on nearly every line of a public site's log.
        let at = if starts_with(&line[at..], b"- - ") {
            at + 4
        } else {
            word(word(at)?.1)?.1
        };
        let Item::Field(Field::Time(spec)) = &self.items[COMBINED_TIME] else {
            return None;
        };
        let (unix_s, used) = self.read_time(COMBINED_TIME, spec, line, at, cache).ok()?;
        let at = at + used;
        if !starts_with(&line[at..], b" \"") {
            return None;
        }
        let (request, at) = quoted(at + 2, b"\" ")?;
        let (status, status_end) = word(at)?;
        let (bytes, bytes_end) = word(status_end)?;
        if line.get(bytes_end) != Some(&b'"') {
            return None;
        }
        let (_, at) = quoted(bytes_end + 1, b"\" \"")?;
        let (agent, _) = quoted(at, b"\"")?;
        // Both numbers end a byte before the next field starts, with the time before
        // them: their digits are read in the word that ends with them (for a status,
        // exactly three, which the compiler then reads without a variable mask).
        let status = match status.len() {
            3 => status_value(3, digits_before(line, status_end - 1, 3))?,
            _ => return None,
        };
        let bytes = match bytes {
            b"-" => 0,
            _ => digits_before(line, bytes_end - 1, bytes.len())?,
        };
        // Built whole: a record written field by field through a call and then moved
        // was read back before its stores had landed (a store-forwarding stall; the
        // 4 M-line ingest went from 0.89 to 0.86 CPU-s without it).
        let (method, path) = split_request(request);
        Some(Record {
            host,
            unix_s,
            method,
            path: path.unwrap_or_default(),
            status,
            bytes,
            user_agent: if agent == b"-" { b"" } else { agent },
            ..Record::default()
        })
    }
}

/// Where the Combined layout's time field sits among its items.
const COMBINED_TIME: usize = 6;

/// `s.starts_with(prefix)` without a call into libc's `memcmp`: the prefixes compared
/// per line (a format's literals, one to three bytes, and parts of the previous line's
/// timestamp) are short enough that the call cost more than the comparison, 4% of an
/// ingest of a generated log in a profile. Eight bytes at a time where there are eight,
/// the last word overlapping the one before it rather than a byte loop.
#[inline]
fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    let n = prefix.len();
    let Some(s) = s.get(..n) else {
        return false;
    };
    if n < 8 {
        return s.iter().zip(prefix).all(|(x, y)| x == y);
    }
    let word = |c: &[u8], i: usize| u64::from_ne_bytes(c[i..i + 8].try_into().expect("eight"));
    (0..n - 8).step_by(8).all(|i| word(s, i) == word(prefix, i))
        && word(s, n - 8) == word(prefix, n - 8)
}

fn set_field<'a>(r: &mut Record<'a>, field: &Field, value: &'a [u8]) -> Result<(), Reject> {
    match field {
        Field::Host => r.host = value,
        Field::Request => set_request(r, value),
        Field::Method => r.method = value,
        Field::Path => r.path = value,
        Field::Target => r.path = strip_query(value),
        Field::Status => r.status = parse_status(value).ok_or(Reject::BadStatus)?,
        Field::Bytes => r.bytes = parse_bytes(value).ok_or(Reject::BadBytes)?,
        Field::UserAgent => r.user_agent = if value == b"-" { b"" } else { value },
        Field::Duration(unit) => r.duration_s = parse_duration(value, *unit),
        Field::VHost | Field::Skip | Field::Time(_) => {}
    }
    Ok(())
}

/// `METHOD target PROTOCOL`: method and path (query stripped). Garbage (TLS probes,
/// empty requests) leaves whatever it has; the request still counts with its status.
fn set_request<'a>(r: &mut Record<'a>, request: &'a [u8]) {
    let (method, path) = split_request(request);
    r.method = method;
    if let Some(path) = path {
        r.path = path;
    }
}

/// A request's method, and its path where it has a target.
#[inline]
fn split_request(request: &[u8]) -> (&[u8], Option<&[u8]>) {
    let Some(sp) = find_byte(b' ', request) else {
        return (request, None);
    };
    // The path ends at the query or at the target's end, whichever comes first: one
    // search for both, where the target's end and then its query took two.
    let target = &request[sp + 1..];
    let path = find_either(b' ', b'?', target).map_or(target, |e| &target[..e]);
    (&request[..sp], Some(path))
}

fn strip_query(target: &[u8]) -> &[u8] {
    find_byte(b'?', target).map_or(target, |q| &target[..q])
}

fn parse_ltsv(line: &[u8]) -> Result<(Record<'_>, bool), Reject> {
    let mut r = Record::default();
    let (mut time, mut status) = (None, None);
    for field in line.split(|&b| b == b'\t') {
        let Some(colon) = find_byte(b':', field) else {
            continue;
        };
        let (label, value) = (&field[..colon], &field[colon + 1..]);
        match label {
            b"time" => time = Some(parse_time_any(value).ok_or(Reject::BadTimestamp)?),
            b"host" | b"remote_addr" => r.host = value,
            b"req" | b"request" => set_request(&mut r, value),
            b"method" => r.method = value,
            b"uri" | b"path" => r.path = strip_query(value),
            b"status" => status = Some(parse_status(value).ok_or(Reject::BadStatus)?),
            b"size" | b"body_bytes_sent" => r.bytes = parse_bytes(value).ok_or(Reject::BadBytes)?,
            b"ua" | b"user_agent" => r.user_agent = if value == b"-" { b"" } else { value },
            // reqtime is what the client waited; apptime only the upstream part, so
            // reqtime wins when a line has both.
            b"reqtime" | b"request_time" => {
                if let Some(d) = parse_duration(value, Unit::Seconds) {
                    r.duration_s = Some(d);
                }
            }
            b"apptime" | b"upstream_response_time" if r.duration_s.is_none() => {
                r.duration_s = parse_duration(value, Unit::Seconds);
            }
            _ => {}
        }
    }
    r.unix_s = time.ok_or(Reject::MissingTimestamp)?;
    r.status = status.ok_or(Reject::MissingStatus)?;
    Ok((r, true))
}

/// Reads a time in any layout headroom knows: CLF with or without brackets, ISO 8601.
pub fn parse_time_any(value: &[u8]) -> Option<i64> {
    // Built once: LTSV calls this for every line.
    static SPECS: LazyLock<[TimeSpec; 3]> = LazyLock::new(|| {
        [
            TimeSpec::clf(true),
            TimeSpec::clf(false),
            TimeSpec::iso8601(),
        ]
    });
    SPECS
        .iter()
        .find_map(|spec| parse_time(spec, value).filter(|&(_, used)| used == value.len()))
        .map(|(t, _)| t)
}

/// Parses `dd/Mon/yyyy:HH:MM:SS ±hhmm` to Unix seconds in UTC.
pub fn parse_clf_time(t: &[u8]) -> Option<i64> {
    static CLF: LazyLock<TimeSpec> = LazyLock::new(|| TimeSpec::clf(false));
    parse_time(&CLF, t).map(|(t, _)| t)
}

/// Parses a time laid out as `spec` at the start of `s`: (Unix seconds, bytes used).
pub(crate) fn parse_time(spec: &TimeSpec, s: &[u8]) -> Option<(i64, usize)> {
    parse_time_then(spec, s, false)
}

/// [`parse_time`], told whether the pattern goes on with a `.` of its own after the time.
fn parse_time_then(spec: &TimeSpec, s: &[u8], dot_follows: bool) -> Option<(i64, usize)> {
    let (mut y, mut mo, mut d, mut h, mut mi, mut sec, mut zone) = (1970, 1, 1, 0, 0, 0, 0i64);
    let mut epoch = None;
    let mut p = 0;
    for (i, item) in spec.items.iter().enumerate() {
        match *item {
            TimeItem::Lit(c) => {
                if s.get(p) != Some(&c) {
                    return None;
                }
                p += 1;
            }
            TimeItem::Year => (y, p) = (fixed(s, p, 4)? as i64, p + 4),
            TimeItem::Month => (mo, p) = (fixed(s, p, 2)? as u32, p + 2),
            TimeItem::MonthName => (mo, p) = (month_number(s.get(p..p + 3)?)?, p + 3),
            TimeItem::Day => (d, p) = (fixed(s, p, 2)? as u32, p + 2),
            TimeItem::Hour => (h, p) = (fixed(s, p, 2)? as i64, p + 2),
            TimeItem::Minute => (mi, p) = (fixed(s, p, 2)? as i64, p + 2),
            TimeItem::Second => {
                (sec, p) = (fixed(s, p, 2)? as i64, p + 2);
                // A fraction the layout does not spell out itself (`.%{usec_frac}t`) is
                // skipped here; one it does is left for its own field.
                let last = i + 1 == spec.items.len();
                if spec.items.get(i + 1) != Some(&TimeItem::Lit(b'.')) && !(last && dot_follows) {
                    p += fraction_len(&s[p..]);
                }
            }
            TimeItem::Zone => {
                let (z, used) = parse_zone(&s[p..])?;
                (zone, p) = (z, p + used);
            }
            TimeItem::Epoch => {
                let digits = s[p..].iter().take_while(|b| b.is_ascii_digit()).count();
                epoch = Some(parse_digits(&s[p..p + digits])? as i64);
                p += digits;
                p += fraction_len(&s[p..]);
            }
        }
    }
    if let Some(e) = epoch {
        return Some((e, p));
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some((
        days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - zone,
        p,
    ))
}

/// `.123456` after seconds: its length, or 0.
fn fraction_len(s: &[u8]) -> usize {
    if s.first() == Some(&b'.') {
        1 + s[1..].iter().take_while(|b| b.is_ascii_digit()).count()
    } else {
        0
    }
}

/// A zone offset in seconds east of UTC and the bytes it used. Accepts ` +0900`, `+0900`,
/// `+09:00`, `Z`, and nothing at all (fail2ban's `[31/Jan/2015:14:29:44 ]`), read as UTC.
fn parse_zone(s: &[u8]) -> Option<(i64, usize)> {
    let skip = usize::from(s.first() == Some(&b' '));
    let z = &s[skip..];
    let sign = match z.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(b'Z') => return Some((0, skip + 1)),
        _ => return Some((0, skip)),
    };
    let hh = fixed(z, 1, 2)? as i64;
    let colon = usize::from(z.get(3) == Some(&b':'));
    let mm = fixed(z, 3 + colon, 2)? as i64;
    Some((sign * (hh * 3600 + mm * 60), skip + 5 + colon))
}

fn fixed(s: &[u8], at: usize, len: usize) -> Option<u64> {
    parse_digits(s.get(at..at + len)?)
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

/// The first byte of `hay` equal to `a` or `b` (the same byte twice for one), sixteen
/// bytes at a time in a vector register where there are sixteen. The fields searched per
/// line are a host, `-`s, a status and a byte count (short) and a request, a referer and
/// a user agent (tens to hundreds of bytes): a call into `memchr` for each cost its
/// dispatch and setup, and 8-byte steps in a general register two to three times the
/// instructions of a 16-byte compare. Searching this way took the parse of a generated
/// log from 1,290 to 1,000 instructions a line, and a 4 M-line ingest from 1.02 to 0.96
/// CPU-s (medians of five interleaved runs).
#[inline]
fn find_either(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(chunk) = hay.get(at..at + 16) {
        let m = lanes::matches(chunk.try_into().expect("sixteen bytes"), a, b);
        if m != 0 {
            return Some(at + m.trailing_zeros() as usize);
        }
        at += 16;
    }
    if at == hay.len() {
        return None;
    }
    if let Some(start) = hay.len().checked_sub(16) {
        // The last sixteen bytes, overlapping those already searched, whose flags are
        // shifted out.
        let last = hay[start..].try_into().expect("sixteen bytes");
        let m = lanes::matches(last, a, b) >> (at - start);
        return (m != 0).then(|| at + m.trailing_zeros() as usize);
    }
    hay.iter().position(|&c| c == a || c == b)
}

// `lanes::matches`: which of sixteen bytes equal `a` or `b`, one bit per byte, the
// first byte lowest.
#[cfg(target_arch = "x86_64")]
mod lanes {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };

    #[inline(always)]
    pub(super) fn matches(chunk: &[u8; 16], a: u8, b: u8) -> u32 {
        let v = load_unaligned_m128i(chunk);
        let eq = |c: u8| cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(c as i8));
        move_mask_i8_m128i(bitor_m128i(eq(a), eq(b))) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod lanes {
    #[inline(always)]
    pub(super) fn matches(chunk: &[u8; 16], a: u8, b: u8) -> u32 {
        (0..16).fold(0, |m, i| {
            m | (u32::from(chunk[i] == a || chunk[i] == b) << i)
        })
    }
}

/// The first `byte` in `hay`, as `memchr::memchr`.
#[inline]
fn find_byte(byte: u8, hay: &[u8]) -> Option<usize> {
    find_either(byte, byte, hay)
}

/// Index of the quote that ends a quoted field, skipping `\"` and `\\` escapes.
fn find_closing_quote(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(j) = find_either(b'"', b'\\', s.get(i..)?) {
        if s[i + j] == b'"' {
            return Some(i + j);
        }
        i += j + 2;
    }
    None
}

fn parse_status(s: &[u8]) -> Option<u16> {
    status_value(s.len(), parse_digits(s))
}

/// A status from its length and the number its digits read as: three digits, 100 to 599.
#[inline]
fn status_value(len: usize, value: Option<u64>) -> Option<u16> {
    let v = value?;
    (len == 3 && (100..=599).contains(&v)).then_some(v as u16)
}

fn parse_bytes(s: &[u8]) -> Option<u64> {
    if s == b"-" {
        return Some(0);
    }
    if s.len() > 19 {
        return None;
    }
    parse_digits(s)
}

/// A logged duration in seconds; `-`, empty or unreadable is `None` (never a reject:
/// a request without a duration is still a request). nginx writes `0.012, 0.034` for
/// upstream retries; the first figure is taken.
fn parse_duration(s: &[u8], unit: Unit) -> Option<f64> {
    let s = find_byte(b',', s).map_or(s, |c| &s[..c]);
    let v: f64 = std::str::from_utf8(s).ok()?.trim().parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(match unit {
        Unit::Micros => v / 1e6,
        Unit::Millis => v / 1e3,
        Unit::Seconds => v,
    })
}

/// A run of 1 to 19 ASCII digits as a number; None for anything else. Up to sixteen
/// digits are read eight at a time: a status, a byte count and a clock's fields per line
/// took one to two hundred instructions digit by digit.
fn parse_digits(s: &[u8]) -> Option<u64> {
    match s.len() {
        1..=8 => eight_digits(s),
        9..=16 => {
            let (high, low) = s.split_at(s.len() - 8);
            Some(eight_digits(high)? * 100_000_000 + eight_digits(low)?)
        }
        17..=19 => s.iter().try_fold(0u64, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
        }),
        _ => None,
    }
}

/// One to eight ASCII digits read in one 64-bit word: right-aligned behind `0`s, the
/// first digit in the lowest byte, checked to be digits, then combined in three
/// multiply-and-add steps, each joining neighbouring groups (digits into pairs, pairs
/// into fours, fours into the number).
#[inline]
fn eight_digits(s: &[u8]) -> Option<u64> {
    // `0`s shifted out at the bottom as the digits come in at the top (a copy into a
    // padded array of a length known only at run time would be a call to `memcpy`).
    word_digits(
        s.iter()
            .fold(ZEROS, |w, &b| (w >> 8) | (u64::from(b) << 56)),
    )
}

/// `parse_digits(&line[end - len..end])`, for the numbers of a line that has eight bytes
/// up to their end: one to eight digits are read as the word that ends with them, the
/// bytes before them turned into `0`s, instead of byte by byte.
#[inline(always)]
fn digits_before(line: &[u8], end: usize, len: usize) -> Option<u64> {
    match (len, end.checked_sub(8)) {
        (1..=8, Some(start)) => {
            let w = u64::from_le_bytes(line[start..end].try_into().expect("eight bytes"));
            let others = 8 * (8 - len) as u32;
            let below = (1u64 << others) - 1;
            word_digits((w & !below) | (ZEROS & below))
        }
        _ => parse_digits(line.get(end.checked_sub(len)?..end)?),
    }
}

/// `0` in every byte of a word, and the high nibbles that hold it.
const ZEROS: u64 = 0x3030_3030_3030_3030;
const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;

/// Eight ASCII digits in a word, the first in the lowest byte, as a number.
#[inline]
fn word_digits(w: u64) -> Option<u64> {
    // Every byte 0x30..=0x3F, and none above 0x39 (adding 6 would carry it out of 3).
    if w & HIGH != ZEROS || (w + 0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    let v = w - ZEROS;
    // Byte i becomes 10 * digit i + digit i + 1: the pairs sit in the even bytes.
    let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    // Likewise 100 * pair + next pair in the even 16-bit lanes.
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((v & 0xFFFF) * 10_000 + (v >> 32))
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
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Read eight at a time, digits give what reading them one by one gives, and
        /// anything else (a sign, a space, a letter, a byte either side of `0`..`9`,
        /// empty, or twenty digits) is refused.
        #[test]
        fn digits_read_as_one_by_one(
            s in proptest::collection::vec(
                prop_oneof![8 => b'0'..=b'9', 1 => any::<u8>(), 1 => Just(b'/'), 1 => Just(b':')],
                0..21,
            )
        ) {
            let slow = (!s.is_empty() && s.len() <= 19)
                .then(|| s.iter().try_fold(0u64, |acc, &b| {
                    b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
                }))
                .flatten();
            prop_assert_eq!(parse_digits(&s), slow);
        }
    }

    proptest! {
        /// `HH:MM:SS` read as one word gives what reading its fields one by one gives.
        #[test]
        fn a_clock_reads_as_its_fields(
            (mut s, colons) in (
                proptest::collection::vec(
                    prop_oneof![8 => b'0'..=b'9', 1 => Just(b':'), 1 => any::<u8>()],
                    8,
                ),
                prop::bool::weighted(0.9),
            )
        ) {
            if colons {
                (s[2], s[5]) = (b':', b':');
            }
            let field = |at: usize| s[at..at + 2].iter().try_fold(0u64, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
            });
            let slow = (s[2] == b':' && s[5] == b':')
                .then(|| Some((field(0)?, field(3)?, field(6)?)))
                .flatten()
                .filter(|&(h, m, sec)| h <= 23 && m <= 59 && sec <= 60)
                .map(|(h, m, sec)| (h * 3600 + m * 60 + sec) as i64);
            prop_assert_eq!(clock_seconds(&s), slow);
        }
    }

    #[test]
    fn digits_at_the_edges() {
        assert_eq!(clock_seconds(b"23:59:60"), Some(86_400));
        assert_eq!(clock_seconds(b"24:00:00"), None);
        assert_eq!(clock_seconds(b"09:3a:00"), None);
        assert_eq!(parse_digits(b"0"), Some(0));
        assert_eq!(parse_digits(b"99999999"), Some(99_999_999));
        assert_eq!(parse_digits(b"123456789"), Some(123_456_789));
        assert_eq!(
            parse_digits(b"9999999999999999"),
            Some(9_999_999_999_999_999)
        );
        assert_eq!(parse_digits(b"18446744073709551615"), None, "twenty digits");
        assert_eq!(
            parse_digits(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        assert_eq!(parse_digits(b"20:"), None);
        assert_eq!(parse_digits(b""), None);
    }

    /// A Combined line from parts, some of them odd, then cut or given a stray byte.
    fn combined_line() -> impl Strategy<Value = Vec<u8>> {
        let host = prop_oneof![
            Just("83.149.9.216".to_owned()),
            Just("2001:db8::1".to_owned()),
            Just("-".to_owned()),
            "[a-z0-9.]{0,12}",
        ];
        let user = prop_oneof![Just("-".to_owned()), "[a-z]{1,6}"];
        let time = prop_oneof![
            Just("[17/May/2015:10:05:03 +0000]".to_owned()),
            Just("[17/May/2015:10:05:04 +0000]".to_owned()),
            Just("[17/May/2015:10:05:03 -0700]".to_owned()),
            Just("[18/May/2015:23:59:60 +0900]".to_owned()),
            Just("[31/Foo/2015:10:05:03 +0000]".to_owned()),
            Just("[17/May/2015:25:05:03 +0000]".to_owned()),
            Just("[17/May/2015:10:05:03]".to_owned()),
        ];
        let text = || "[ -~]{0,30}";
        let request = prop_oneof![
            Just("GET /a/b?x=1 HTTP/1.1".to_owned()),
            Just("-".to_owned()),
            Just(r#"GET /say\"hi\" HTTP/1.1"#.to_owned()),
            text(),
        ];
        let status = prop_oneof![
            4 => Just("200".to_owned()),
            2 => Just("404".to_owned()),
            1 => Just("99".to_owned()),
            1 => Just("2000".to_owned()),
            1 => prop::sample::select(vec!["100", "599", "600", "099", "20 "]).prop_map(str::to_owned),
            1 => "[0-9a-z]{0,4}",
        ];
        // Around the eight digits read as one word and the sixteen read as two.
        let bytes = prop_oneof![
            Just("-".to_owned()),
            Just("203023".to_owned()),
            Just("12345678901234567890".to_owned()),
            "[0-9]{1,17}",
            "[0-9a-z-]{0,5}",
        ];
        let agent = prop_oneof![
            Just("-".to_owned()),
            Just("Mozilla/5.0 (X11; Linux x86_64)".to_owned()),
            Just(r#"bot \"x\" 1.0"#.to_owned()),
            text(),
        ];
        // Mostly whole lines, so the Combined reader takes many of them to the end.
        let cut = prop_oneof![4 => Just(None), 1 => (0usize..200).prop_map(Some)];
        let stray = prop_oneof![
            4 => Just(None),
            1 => (
                0usize..200,
                prop::sample::select(vec![b' ', b'"', b'\\', b'[', b']', b'-'])
            )
                .prop_map(Some),
        ];
        (
            (host, user, time, request),
            (status, bytes, text(), agent, text()),
            (cut, stray),
        )
            .prop_map(|((h, u, t, rq), (st, b, rf, a, tail), (cut, stray))| {
                let mut line =
                    format!(r#"{h} - {u} {t} "{rq}" {st} {b} "{rf}" "{a}"{tail}"#).into_bytes();
                if let Some((at, byte)) = stray {
                    line.insert(at.min(line.len()), byte);
                }
                if let Some(at) = cut {
                    line.truncate(at.min(line.len()));
                }
                line
            })
    }

    #[test]
    fn the_combined_reader_takes_plain_lines_and_leaves_the_rest() {
        let LogFormat::Pattern(p) = LogFormat::from_spec("combined").unwrap() else {
            unreachable!("combined is a pattern")
        };
        let r = p.parse_combined(ELASTIC_1, None).expect("a plain line");
        assert_eq!(Ok((r, true)), p.parse_items(ELASTIC_1, None));
        let escaped =
            br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a\"b HTTP/1.1" 200 5 "-" "x""#;
        assert!(p.parse_combined(escaped, None).is_none());
        assert!(p.parse(escaped, None).is_ok());
        let short = br#"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5"#;
        assert!(p.parse_combined(short, None).is_none());
        assert_eq!(p.parse(short, None).map(|(r, _)| r.bytes), Ok(5));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// The Combined layout's own reader answers every line as the general reader
        /// does, record for record and reject for reject, the time cache included (both
        /// read the same run of lines, each with its own cache).
        #[test]
        fn the_combined_reader_answers_as_the_general_one(
            lines in prop::collection::vec(combined_line(), 1..12),
        ) {
            let LogFormat::Pattern(p) = LogFormat::from_spec("combined").unwrap() else {
                unreachable!("combined is a pattern")
            };
            prop_assert!(p.combined);
            let (mut fast, mut general) = (TimeCache::default(), TimeCache::default());
            for line in &lines {
                let a = p.parse(line, Some(&mut fast));
                let b = p.parse_items(line, Some(&mut general));
                prop_assert_eq!(&a, &b, "{}", String::from_utf8_lossy(line));
            }
        }
    }

    const ELASTIC_1: &[u8] = br#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#;

    fn fmt(spec: &str) -> LogFormat {
        LogFormat::from_spec(spec).unwrap()
    }

    #[test]
    fn parses_combined() {
        let r = fmt("combined").parse(ELASTIC_1).unwrap();
        assert_eq!(r.host, b"83.149.9.216");
        assert_eq!(r.unix_s, 1_431_857_103);
        assert_eq!((r.method, r.status, r.bytes), (&b"GET"[..], 200, 203_023));
        assert_eq!(
            r.path,
            b"/presentations/logstash-monitorama-2013/images/kibana-search.png"
        );
        assert!(r.user_agent.starts_with(b"Mozilla/5.0 (Macintosh"));
        assert_eq!(r.duration_s, None);
    }

    #[test]
    fn applies_offset_escapes_and_dash_bytes() {
        let line = br#"::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\"b?x=1 HTTP/1.0" 304 -"#;
        let r = fmt("common").parse(line).unwrap();
        assert_eq!(r.host, b"::1");
        assert_eq!(r.unix_s, 971_211_336); // 2000-10-10T20:55:36Z
        assert_eq!(r.path, br#"/a\"b"#);
        assert_eq!(r.bytes, 0);
    }

    #[test]
    fn empty_offset_is_utc_and_broken_agent_quote_still_counts() {
        let line = br#"1.2.3.4 - - [31/Jan/2015:14:29:44 ] "GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (compatible; Googlebot/2.1"#;
        let r = fmt("combined").parse(line).unwrap();
        assert_eq!(r.unix_s, 1_422_714_584);
        assert_eq!(r.user_agent, b"Mozilla/5.0 (compatible; Googlebot/2.1");
    }

    #[test]
    fn a_request_s_path_ends_at_its_query_or_its_target_s_end() {
        let path = |request: &'static str| {
            let mut r = Record::default();
            set_request(&mut r, request.as_bytes());
            (
                std::str::from_utf8(r.method).unwrap(),
                std::str::from_utf8(r.path).unwrap(),
            )
        };
        assert_eq!(path("GET /a/b?q=1 HTTP/1.1"), ("GET", "/a/b"));
        assert_eq!(path("GET /a/b HTTP/1.1?x"), ("GET", "/a/b"));
        assert_eq!(
            path("GET /a/very/long/path/past/sixteen/bytes?q HTTP/1.1"),
            ("GET", "/a/very/long/path/past/sixteen/bytes")
        );
        assert_eq!(path("GET /only-a-target"), ("GET", "/only-a-target"));
        assert_eq!(path("GET ?q=1 HTTP/1.1"), ("GET", ""));
        assert_eq!(path("\x16\x03\x01"), ("\x16\x03\x01", ""));
    }

    #[test]
    fn nginx_request_time_and_ltsv() {
        let line = br#"127.0.0.1 - - [06/Sep/2015:05:58:05 +0900] "POST /foo/bar?token=xxx&uuid=1234 HTTP/1.1" 200 12 "-" "curl/7.54.0" "-" 0.057"#;
        let r = fmt("nginx-rt").parse(line).unwrap();
        assert_eq!((r.unix_s, r.duration_s), (1_441_486_685, Some(0.057)));
        assert_eq!(r.path, b"/foo/bar");
        let ltsv = b"time:2015-09-06T05:58:05+09:00\tmethod:POST\turi:/foo/bar?token=xxx\tstatus:200\tsize:12\tapptime:0.057\tua:UA1";
        let r = LogFormat::Ltsv.parse(ltsv).unwrap();
        assert_eq!(
            (r.unix_s, r.status, r.bytes, r.duration_s),
            (1_441_486_685, 200, 12, Some(0.057))
        );
        assert_eq!(
            (r.method, r.path, r.user_agent),
            (&b"POST"[..], &b"/foo/bar"[..], &b"UA1"[..])
        );
    }

    #[test]
    fn netnea_extended_with_iso_time_and_micros() {
        let spec = r#"%h %{GEOIP_COUNTRY_CODE}e %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %v %A %p %R %{BALANCER_WORKER_ROUTE}e %X "%{cookie}n" %{UNIQUE_ID}e %{SSL_PROTOCOL}x %{SSL_CIPHER}x %I %O %{ratio}n%% %D %{ModSecTimeIn}e %{ApplicationTime}e %{ModSecTimeOut}e %{ModSecAnomalyScoreIn}e %{ModSecAnomalyScoreOut}e"#;
        let line = br#"192.168.104.36 CH - [2015-05-20 12:53:11.139981] "GET /EMail/login.aspx?username=john.smith@example.com HTTP/1.1" 200 7362 "-" "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)" www.example.com 192.168.34.16 443 proxy-server - + "4a7ffdda.522871162568d" ViYdF6wxQzZrjEdU2@UAAAAi TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 963 11973 -% 935006 1542 930596 2156 0 0"#;
        let (r, complete) = fmt(spec).parse_full(line).unwrap();
        assert!(complete);
        assert_eq!(r.unix_s, 1_432_126_391); // 2015-05-20T12:53:11Z
        assert_eq!(r.duration_s, Some(0.935_006));
        assert_eq!((r.status, r.bytes), (200, 7362));
    }

    #[test]
    fn rejects_say_why() {
        let combined = fmt("combined");
        let cases: [(&[u8], Reject); 8] = [
            (b"   ", Reject::Blank),
            (b"# comment", Reject::Comment),
            (b"1.2.3.4 no time here", Reject::BadTimestamp),
            (b"1.2.3.4", Reject::Layout),
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
                combined.parse(line),
                Err(want),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(
            LogFormat::Ltsv.parse(b"status:200\tsize:1"),
            Err(Reject::MissingTimestamp)
        );
    }

    #[test]
    fn time_layouts() {
        assert_eq!(
            parse_time_any(b"2015-09-06T05:58:05+09:00"),
            Some(1_441_486_685)
        );
        assert_eq!(
            parse_time_any(b"2015-09-05T20:58:05.25Z"),
            Some(1_441_486_685)
        );
        assert_eq!(
            parse_time_any(b"[05/Sep/2015:20:58:05 +0000]"),
            Some(1_441_486_685)
        );
        assert_eq!(
            parse_clf_time(b"05/Sep/2015:22:58:05 +02:00"),
            Some(1_441_486_685)
        );
        assert_eq!(parse_time_any(b"2015-13-06T05:58:05Z"), None);
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;
    use crate::time::civil_from_days;

    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    /// A record as fields to write: host, time, zone offset (minutes), method, path,
    /// status, bytes (None = `-`), user agent.
    fn fields()
    -> impl Strategy<Value = (String, i64, i32, String, String, u16, Option<u64>, String)> {
        (
            prop_oneof![
                "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
                "[0-9a-f]{1,4}(:[0-9a-f]{1,4}){2,7}",
                "[a-z]{1,10}\\.example"
            ],
            0i64..4_102_444_800,
            -720i32..=840,
            "[A-Z]{3,7}",
            "/[A-Za-z0-9._~/-]{0,40}",
            100u16..600,
            prop::option::of(0u64..10_000_000_000),
            "[ -!#-\\[\\]-~]{0,60}",
        )
    }

    proptest! {
        /// The vector search finds what memchr finds, at every length around its
        /// sixteen-byte steps and its overlapping last step, with matches sparse or
        /// dense and anywhere (bytes with the high bit set included).
        #[test]
        fn the_inline_searches_agree_with_memchr(
            hay in prop::collection::vec(
                prop_oneof![
                    30 => Just(b'a'),
                    1 => Just(b' '),
                    1 => Just(b'"'),
                    1 => Just(0x80u8),
                    1 => Just(0xa0u8),
                    2 => any::<u8>(),
                ],
                0..80,
            ),
            byte in prop_oneof![Just(b' '), Just(b'?'), Just(0x80u8), any::<u8>()],
        ) {
            prop_assert_eq!(find_byte(byte, &hay), memchr::memchr(byte, &hay));
            prop_assert_eq!(find_either(byte, b'"', &hay), memchr::memchr2(byte, b'"', &hay));
        }
    }

    proptest! {
        #[test]
        fn formatting_a_record_and_parsing_it_gives_it_back(f in fields()) {
            let (host, unix_s, zone_min, method, path, status, bytes, ua) = f;
            prop_assume!(ua != "-", "a lone dash means no user agent");
            let local = unix_s + i64::from(zone_min) * 60;
            let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
            let secs = local.rem_euclid(86_400);
            let sign = if zone_min < 0 { '-' } else { '+' };
            let line = format!(
                r#"{host} - - [{d:02}/{}/{y:04}:{:02}:{:02}:{:02} {sign}{:02}{:02}] "{method} {path}?q=1 HTTP/1.1" {status} {} "-" "{ua}""#,
                MONTHS[mo as usize - 1],
                secs / 3600,
                secs / 60 % 60,
                secs % 60,
                zone_min.abs() / 60,
                zone_min.abs() % 60,
                bytes.map_or("-".to_owned(), |b| b.to_string()),
            );
            let r = LogFormat::from_spec("combined").unwrap().parse(line.as_bytes()).unwrap();
            prop_assert_eq!(r.host, host.as_bytes());
            prop_assert_eq!(r.unix_s, unix_s);
            prop_assert_eq!(r.method, method.as_bytes());
            prop_assert_eq!(r.path, path.as_bytes());
            prop_assert_eq!(r.status, status);
            prop_assert_eq!(r.bytes, bytes.unwrap_or(0));
            prop_assert_eq!(r.user_agent, ua.as_bytes());
        }

        /// A `Parser` remembers the previous timestamp; its results are those of
        /// `parse`, line for line, whatever the lines before. The times are drawn from
        /// a few that share prefixes (another zone, a longer epoch, a fraction, the
        /// line ending right after the time), so that most lines repeat one and the
        /// near misses come up.
        #[test]
        fn a_parser_reads_every_line_as_parse_does(
            picks in prop::collection::vec((0usize..4, 0usize..15, 0usize..3), 0..60),
        ) {
            const TIMES: [&str; 15] = [
                "17/May/2015:10:05:03 +0000",
                "17/May/2015:10:05:03 +0900",
                "17/May/2015:10:05:03",
                "17/May/2015:10:05:04 +0000",
                "17/May/2015:23:59:60 +0000",
                "17/May/2015:24:05:03 +0000",
                "17/May/2015:10:5:030 +0000",
                "17/May/2015:10:05:03.5 +0000",
                "18/May/2015:10:05:03 +0000",
                "2015-05-17 10:05:04.139981",
                "2015-05-17 10:05:04.139982",
                "1431857103",
                "14318571035",
                "1431857103.25",
                "2015-05-17 10:05:03.139981",
            ];
            const TAILS: [&str; 3] = [" 200 5", "", " 200 -"];
            let formats = [
                ("common", "[{t}]"),
                ("%h [%t] %>s %b", "[{t}]"),
                ("%h %{sec}t %>s %b", "{t}"),
                ("%h %{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t %>s %b", "{t}"),
            ];
            for (spec, _) in formats {
                let format = LogFormat::from_spec(spec).unwrap();
                let mut parser = format.parser();
                for &(f, t, tail) in &picks {
                    let (other, shape) = formats[f];
                    let time = shape.replace("{t}", TIMES[t]);
                    let line = if other == "common" {
                        format!("10.0.0.1 - - {time} \"GET / HTTP/1.1\"{}", TAILS[tail])
                    } else {
                        format!("10.0.0.1 {time}{}", TAILS[tail])
                    };
                    prop_assert_eq!(parser.parse(line.as_bytes()), format.parse(line.as_bytes()), "{} on {}", spec, line);
                }
            }
        }

        #[test]
        fn any_bytes_parse_or_reject_without_panicking(line in prop::collection::vec(any::<u8>(), 0..300)) {
            for spec in ["combined", "common", "nginx-rt", "ltsv"] {
                let _ = LogFormat::from_spec(spec).unwrap().parse(&line);
            }
        }
    }
}
