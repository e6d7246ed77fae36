//! Log formats: Apache `LogFormat` strings and nginx `log_format` strings compiled to a
//! pattern of literals and fields, LTSV, named presets, and sniffing the format of a file.

use std::fmt;

/// A log format that lines can be parsed with.
#[derive(Debug, Clone, PartialEq)]
pub enum LogFormat {
    /// Labelled tab-separated values (ltsv.org).
    Ltsv,
    /// A compiled Apache `LogFormat` or nginx `log_format` string.
    Pattern(Pattern),
}

/// A compiled line pattern: literals and fields in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub(crate) items: Vec<Item>,
    /// How each item's field ends (for literals, unused), worked out once from its
    /// neighbours rather than per line.
    pub(crate) ends: Vec<FieldEnd>,
    /// Whether the items are the Combined layout's, which has a reader of its own.
    pub(crate) combined: bool,
}

/// Where a field's value stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldEnd {
    /// Between quotes: at the closing quote, escapes skipped.
    Quoted,
    /// At the first byte of the literal that follows.
    Before(u8),
    /// Last in the pattern: at a space or the end of the line.
    Space,
}

impl Pattern {
    pub(crate) fn new(items: Vec<Item>) -> Pattern {
        let ends = (0..items.len())
            .map(|i| {
                let lit = |j: Option<usize>| match j.and_then(|j| items.get(j)) {
                    Some(Item::Lit(l)) => Some(l.as_slice()),
                    _ => None,
                };
                let (before, after) = (lit(i.checked_sub(1)), lit(Some(i + 1)));
                if before.is_some_and(|l| l.ends_with(b"\""))
                    && after.is_some_and(|l| l.starts_with(b"\""))
                {
                    FieldEnd::Quoted
                } else {
                    match after {
                        Some(l) => FieldEnd::Before(l[0]),
                        None => FieldEnd::Space,
                    }
                }
            })
            .collect();
        let combined = items == combined_items();
        Pattern {
            items,
            ends,
            combined,
        }
    }
}

/// The items the `combined` preset compiles to.
fn combined_items() -> Vec<Item> {
    let (_, spec) = PRESETS
        .iter()
        .find(|(name, _)| *name == "combined")
        .expect("combined is a preset");
    compile_apache(spec).expect("the preset compiles")
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Lit(Vec<u8>),
    Field(Field),
}

/// What a field of a pattern holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field {
    Host,
    Time(TimeSpec),
    Request,
    Method,
    /// Path without query (`%U`, `$uri`).
    Path,
    /// Path with query (`$request_uri`).
    Target,
    Status,
    Bytes,
    UserAgent,
    VHost,
    Duration(Unit),
    Skip,
}

/// Unit of a logged duration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unit {
    Micros,
    Millis,
    Seconds,
}

/// A time layout parsed in place (strftime subset).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeSpec {
    pub(crate) items: Vec<TimeItem>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TimeItem {
    Lit(u8),
    Year,
    Month,
    MonthName,
    Day,
    Hour,
    Minute,
    /// Seconds, with an optional `.fraction` that is skipped.
    Second,
    /// `+hhmm`, `+hh:mm`, `Z`, or nothing (UTC).
    Zone,
    /// Seconds since the epoch, optionally with a fraction (`$msec`, `%{sec}t`).
    Epoch,
}

/// Named formats `--format` accepts besides a format string.
pub const PRESETS: [(&str, &str); 5] = [
    ("common", r#"%h %l %u %t "%r" %>s %b"#),
    (
        "combined",
        r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#,
    ),
    (
        "nginx",
        r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
    ),
    (
        "nginx-rt",
        r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time"#,
    ),
    (
        "combined-d",
        r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D"#,
    ),
];

/// A format string that could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

impl LogFormat {
    /// A preset name (`common`, `combined`, `nginx`, `nginx-rt`, `combined-d`, `ltsv`),
    /// an nginx `log_format` string (with `$variables`) or an Apache `LogFormat` string.
    pub fn from_spec(spec: &str) -> Result<LogFormat, FormatError> {
        if spec == "ltsv" {
            return Ok(LogFormat::Ltsv);
        }
        if let Some((_, fmt)) = PRESETS.iter().find(|(name, _)| *name == spec) {
            return LogFormat::from_spec(fmt);
        }
        let items = if spec.contains('%') {
            compile_apache(spec)?
        } else if spec.contains('$') {
            compile_nginx(spec)?
        } else {
            return Err(FormatError(format!(
                "'{spec}' is neither a preset ({}, ltsv) nor a format string",
                PRESETS.map(|p| p.0).join(", ")
            )));
        };
        let has =
            |want: fn(&Field) -> bool| items.iter().any(|i| matches!(i, Item::Field(f) if want(f)));
        if !has(|f| matches!(f, Field::Time(_))) || !has(|f| matches!(f, Field::Status)) {
            return Err(FormatError(format!(
                "format '{spec}' must log a time (%t) and a status (%>s)"
            )));
        }
        Ok(LogFormat::Pattern(Pattern::new(items)))
    }
}

/// Splits a format string into literals and fields. At each `sigil`, `field` reads the
/// field starting just past it and returns it (or `None` for an escaped sigil, kept as a
/// literal) with the position after it.
fn tokenize(
    spec: &str,
    sigil: u8,
    mut field: impl FnMut(&[u8], usize) -> Result<(Option<Field>, usize), FormatError>,
) -> Result<Vec<Item>, FormatError> {
    let b = unescape(spec);
    let mut items = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != sigil {
            lit.push(b[i]);
            i += 1;
            continue;
        }
        let (parsed, next) = field(&b, i + 1)?;
        i = next;
        match parsed {
            Some(f) => {
                if !lit.is_empty() {
                    items.push(Item::Lit(std::mem::take(&mut lit)));
                }
                items.push(Item::Field(f));
            }
            None => lit.push(sigil),
        }
    }
    if !lit.is_empty() {
        items.push(Item::Lit(lit));
    }
    Ok(items)
}

fn compile_apache(spec: &str) -> Result<Vec<Item>, FormatError> {
    tokenize(spec, b'%', |b, mut i| {
        if b.get(i) == Some(&b'%') {
            return Ok((None, i + 1));
        }
        // Modifiers: `<`, `>`, and status lists like `400,501` or `!200`.
        while i < b.len() && matches!(b[i], b'<' | b'>' | b'!' | b',' | b'0'..=b'9') {
            i += 1;
        }
        let mut arg = None;
        if b.get(i) == Some(&b'{') {
            let close = b[i..]
                .iter()
                .position(|&c| c == b'}')
                .ok_or_else(|| FormatError(format!("unclosed '{{' in format '{spec}'")))?;
            arg = Some(String::from_utf8_lossy(&b[i + 1..i + close]).into_owned());
            i += close + 1;
        }
        let directive = *b
            .get(i)
            .ok_or_else(|| FormatError(format!("format '{spec}' ends inside a directive")))?;
        Ok((Some(apache_field(directive, arg.as_deref(), spec)?), i + 1))
    })
}

fn apache_field(directive: u8, arg: Option<&str>, spec: &str) -> Result<Field, FormatError> {
    let header = arg.map(str::to_ascii_lowercase);
    Ok(match directive {
        b'h' | b'a' => Field::Host,
        b't' => apache_time(arg)?,
        b'r' => Field::Request,
        b'm' => Field::Method,
        b'U' => Field::Path,
        b's' => Field::Status,
        b'b' | b'B' => Field::Bytes,
        b'D' => Field::Duration(Unit::Micros),
        b'T' => match arg {
            Some("ms") => Field::Duration(Unit::Millis),
            Some("us") => Field::Duration(Unit::Micros),
            _ => Field::Duration(Unit::Seconds),
        },
        b'v' | b'V' => Field::VHost,
        b'i' if header.as_deref() == Some("user-agent") => Field::UserAgent,
        b'l' | b'u' | b'i' | b'o' | b'e' | b'n' | b'x' | b'C' | b'p' | b'P' | b'A' | b'R'
        | b'X' | b'I' | b'O' | b'S' | b'H' | b'q' | b'f' | b'k' | b'L' => Field::Skip,
        other => {
            return Err(FormatError(format!(
                "unknown directive '%{}' in format '{spec}'",
                other as char
            )));
        }
    })
}

/// The field of a `%t` or `%{format}t` directive, given its `{format}`.
fn apache_time(arg: Option<&str>) -> Result<Field, FormatError> {
    Ok(match arg {
        None => Field::Time(TimeSpec::clf(true)),
        Some(fmt) => {
            let fmt = fmt.trim_start_matches("begin:").trim_start_matches("end:");
            match fmt {
                "sec" => Field::Time(TimeSpec {
                    items: vec![TimeItem::Epoch],
                }),
                "msec_frac" | "usec_frac" | "msec" | "usec" => Field::Skip,
                _ => Field::Time(TimeSpec::strftime(fmt)?),
            }
        }
    })
}

fn compile_nginx(spec: &str) -> Result<Vec<Item>, FormatError> {
    tokenize(spec, b'$', |b, start| {
        let braced = b.get(start) == Some(&b'{');
        let name_start = if braced { start + 1 } else { start };
        let mut end = name_start;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
            end += 1;
        }
        let name = String::from_utf8_lossy(&b[name_start..end]);
        let next = if braced { end + 1 } else { end };
        Ok((Some(nginx_field(&name, spec)?), next))
    })
}

fn nginx_field(name: &str, spec: &str) -> Result<Field, FormatError> {
    Ok(match name {
        "remote_addr" | "binary_remote_addr" | "realip_remote_addr" => Field::Host,
        "time_local" => Field::Time(TimeSpec::clf(false)),
        "time_iso8601" => Field::Time(TimeSpec::iso8601()),
        "msec" => Field::Time(TimeSpec {
            items: vec![TimeItem::Epoch],
        }),
        "request" => Field::Request,
        "request_method" => Field::Method,
        "uri" | "document_uri" => Field::Path,
        "request_uri" => Field::Target,
        "status" => Field::Status,
        "body_bytes_sent" | "bytes_sent" => Field::Bytes,
        "http_user_agent" => Field::UserAgent,
        "host" | "server_name" | "http_host" => Field::VHost,
        "request_time" => Field::Duration(Unit::Seconds),
        "" => {
            return Err(FormatError(format!(
                "empty variable name in format '{spec}'"
            )));
        }
        _ => Field::Skip,
    })
}

/// Undoes the escapes a format string carries over from a config file (`\"`, `\t`).
fn unescape(spec: &str) -> Vec<u8> {
    let b = spec.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\\', Some(b'"')) => (out.push(b'"'), i += 2),
            (b'\\', Some(b't')) => (out.push(b'\t'), i += 2),
            (b'\\', Some(b'\\')) => (out.push(b'\\'), i += 2),
            (c, _) => (out.push(c), i += 1),
        };
    }
    out
}

/// `HH:MM:SS`, shared by every layout that spells a time of day.
const CLOCK: [TimeItem; 5] = [
    TimeItem::Hour,
    TimeItem::Lit(b':'),
    TimeItem::Minute,
    TimeItem::Lit(b':'),
    TimeItem::Second,
];

impl TimeSpec {
    /// The byte offset of `HH:MM:SS` when every item before it has a fixed width, so
    /// two times of one layout with equal bytes around the clock differ only in it.
    pub(crate) fn clock_offset(&self) -> Option<usize> {
        let mut at = 0;
        for (i, item) in self.items.iter().enumerate() {
            at += match item {
                TimeItem::Hour => {
                    return (self.items.get(i..i + CLOCK.len()) == Some(&CLOCK[..])).then_some(at);
                }
                TimeItem::Lit(_) => 1,
                TimeItem::Month | TimeItem::Day => 2,
                TimeItem::MonthName => 3,
                TimeItem::Year => 4,
                _ => return None,
            };
        }
        None
    }

    /// `dd/Mon/yyyy:HH:MM:SS ±zzzz`, inside brackets for Apache's `%t`.
    pub(crate) fn clf(brackets: bool) -> TimeSpec {
        use TimeItem::*;
        let mut items = vec![Day, Lit(b'/'), MonthName, Lit(b'/'), Year, Lit(b':')];
        items.extend(CLOCK);
        items.push(Zone);
        if brackets {
            items.insert(0, Lit(b'['));
            items.push(Lit(b']'));
        }
        TimeSpec { items }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.frac]±hh:mm` (or `Z`).
    pub(crate) fn iso8601() -> TimeSpec {
        use TimeItem::*;
        let mut items = vec![Year, Lit(b'-'), Month, Lit(b'-'), Day, Lit(b'T')];
        items.extend(CLOCK);
        items.push(Zone);
        TimeSpec { items }
    }

    fn strftime(fmt: &str) -> Result<TimeSpec, FormatError> {
        use TimeItem::*;
        let b = fmt.as_bytes();
        let mut items = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'%' {
                items.push(Lit(b[i]));
                i += 1;
                continue;
            }
            let c = *b
                .get(i + 1)
                .ok_or_else(|| FormatError(format!("time format '{fmt}' ends in '%'")))?;
            i += 2;
            match c {
                b'Y' => items.push(Year),
                b'm' => items.push(Month),
                b'b' | b'h' => items.push(MonthName),
                b'd' | b'e' => items.push(Day),
                b'H' => items.push(Hour),
                b'M' => items.push(Minute),
                b'S' => items.push(Second),
                b'z' => items.push(Zone),
                b's' => items.push(Epoch),
                b'T' => items.extend(CLOCK),
                b'F' => items.extend([Year, Lit(b'-'), Month, Lit(b'-'), Day]),
                b'%' => items.push(Lit(b'%')),
                other => {
                    return Err(FormatError(format!(
                        "time format '{fmt}': '%{}' is not supported",
                        other as char
                    )));
                }
            }
        }
        Ok(TimeSpec { items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_combined() {
        let LogFormat::Pattern(p) = LogFormat::from_spec("combined").unwrap() else {
            panic!("combined is a pattern")
        };
        let fields: Vec<_> = p
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Field(f) => Some(f.clone()),
                Item::Lit(_) => None,
            })
            .collect();
        assert_eq!(fields.len(), 9);
        assert_eq!(fields[3], Field::Time(TimeSpec::clf(true)));
        assert_eq!(fields[8], Field::UserAgent);
        assert_eq!(p.items[1], Item::Lit(b" ".to_vec()));
        // It has the reader of its own; the same layout written out does too, and
        // Common does not.
        assert!(p.combined);
        let spelled = r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;
        assert!(
            matches!(LogFormat::from_spec(spelled).unwrap(), LogFormat::Pattern(p) if p.combined)
        );
        assert!(
            matches!(LogFormat::from_spec("common").unwrap(), LogFormat::Pattern(p) if !p.combined)
        );
    }

    #[test]
    fn rejects_bad_specs() {
        let e = |s| LogFormat::from_spec(s).unwrap_err().0;
        assert_eq!(
            e("%h %Z %>s %t"),
            "unknown directive '%Z' in format '%h %Z %>s %t'"
        );
        assert!(e("%h %t").contains("must log a time (%t) and a status (%>s)"));
        assert!(e("apache").contains("is neither a preset"));
        assert!(e("%h %{%Q}t %>s").contains("'%Q' is not supported"));
    }

    #[test]
    fn escaped_sigils_and_braced_variables() {
        let LogFormat::Pattern(p) = LogFormat::from_spec("%t %>s 100%%").unwrap() else {
            panic!("a pattern")
        };
        assert_eq!(p.items.last(), Some(&Item::Lit(b" 100%".to_vec())));
        // Braces end a variable name where letters follow it.
        let LogFormat::Pattern(p) = LogFormat::from_spec("[${time_local}] ${status}x").unwrap()
        else {
            panic!("a pattern")
        };
        assert_eq!(
            p.items[p.items.len() - 2..],
            [Item::Field(Field::Status), Item::Lit(b"x".to_vec())]
        );
    }

    #[test]
    fn nginx_and_escaped_apache_strings() {
        assert!(LogFormat::from_spec("nginx-rt").is_ok());
        assert_eq!(
            LogFormat::from_spec(r#"%h %t \"%r\" %>s %b"#),
            LogFormat::from_spec(r#"%h %t "%r" %>s %b"#)
        );
    }
}
