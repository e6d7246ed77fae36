//! The one CSV reader: every CSV headroom takes (metric series, calendars, M4 files,
//! price tables, load-test points) goes through here, so quoting, CRLF line ends, a
//! byte-order mark and blank lines are handled once, by the csv crate, and every row
//! keeps the line number its errors name.

/// A row: its 1-based line and its fields.
pub type Row = (usize, Vec<String>);

/// What the CSV parser refused, at which line.
pub type LineError = (usize, String);

/// A CSV's rows after its header line: each row's 1-based line number and its fields,
/// trimmed and unquoted; blank lines skipped. Rows may differ in length (each reader
/// says what it expected). An error gives the line and what the CSV parser said.
pub fn rows(text: &str) -> Result<Vec<Row>, LineError> {
    read(text).map(|(_, rows)| rows)
}

/// The header's fields (trimmed; empty for an empty file) and [`rows`].
pub fn read(text: &str) -> Result<(Vec<String>, Vec<Row>), LineError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // Lines from byte offsets: the parser's own line count treats a CRLF file's line
    // ends differently from a LF file's.
    let ends: Vec<usize> = memchr_newlines(text);
    // A record's position can be the line end before it (after a `\r`, the `\n` is
    // where the next record starts): skip line ends to its first byte.
    let bytes = text.as_bytes();
    let line_at = |byte: u64| {
        let mut at = byte as usize;
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        ends.partition_point(|&e| e < at) + 1
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| (1, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(p.byte()));
            (line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        out.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok((header, out))
}

/// Byte offsets of every `\n`.
fn memchr_newlines(text: &str) -> Vec<usize> {
    text.bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'\n').then_some(i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_quotes_and_line_ends() {
        let text =
            "\u{feff}timestamp,value\r\n2024-01-01, 3\r\n\r\n\"2024-01-02\",\"4,5\"\n2024-01-03\n";
        let (header, rows) = read(text).unwrap();
        assert_eq!(header, ["timestamp", "value"]);
        assert_eq!(
            rows,
            vec![
                (2, vec!["2024-01-01".to_owned(), "3".to_owned()]),
                (4, vec!["2024-01-02".to_owned(), "4,5".to_owned()]),
                (5, vec!["2024-01-03".to_owned()]),
            ]
        );
        // An unclosed quote runs to the end as one field, which no reader's row takes.
        assert_eq!(
            super::rows("a,b\n1,2\n\"open,3\n4,5\n").unwrap()[1],
            (3, vec!["open,3\n4,5".to_owned()])
        );
    }
}
