//! Minimal HTML building for the report: escaping and tables, no template engine.

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A table with a header row; every cell is escaped. Cells after the first are
/// right-aligned, as they hold numbers.
pub(crate) fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            // Figures line up on the right; words (instance names, tiers) stay left.
            let numeric = cell
                .chars()
                .all(|c| c.is_ascii_digit() || " ,.%/-+×".contains(c))
                && cell.chars().any(|c| c.is_ascii_digit());
            let class = if i > 0 && numeric {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        let t = table(&["a<".into()], &[vec!["<b>".into(), "1".into()]]);
        assert!(t.contains("<th>a&lt;</th>"));
        assert!(t.contains("<td>&lt;b&gt;</td><td class=\"num\">1</td>"));
    }
}
