//! The bundled font: DejaVu Sans (subset), registered with plotters for text layout
//! and embeddable in SVG and HTML so viewers render the same glyphs.

use std::sync::Once;

use plotters::style::FontStyle;

/// The font family name charts use.
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// DejaVu Sans subset to Latin-1; licence in `fonts/LICENSE-DejaVu.txt`.
pub const FONT_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-subset.ttf");

/// Registers the font with plotters under our name and under `sans-serif`, which
/// plotters uses for its own default labels; without this it would look for system fonts.
pub(crate) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for name in [FONT_FAMILY, "sans-serif"] {
            let registered = plotters::style::register_font(name, FontStyle::Normal, FONT_TTF);
            assert!(registered.is_ok(), "the bundled font parses");
        }
    });
}

/// CSS that defines the font from embedded data and makes every SVG text use it.
pub fn font_face_css() -> String {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(FONT_TTF);
    format!(
        "@font-face{{font-family:\"{FONT_FAMILY}\";src:url(data:font/ttf;base64,{data}) format(\"truetype\");}}\
         svg text{{font-family:\"{FONT_FAMILY}\" !important;}}"
    )
}

/// Puts the font inside an SVG document, so the file renders alike anywhere.
pub fn with_embedded_font(svg: &str) -> String {
    let style = format!("<defs><style>{}</style></defs>", font_face_css());
    match svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| start + end + 1))
    {
        Some(at) => format!("{}{style}{}", &svg[..at], &svg[at..]),
        None => svg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_after_the_svg_tag() {
        let out = with_embedded_font("<?xml?>\n<svg width=\"1\">\n<text>x</text></svg>");
        assert!(out.starts_with("<?xml?>\n<svg width=\"1\"><defs><style>@font-face"));
        assert!(out.ends_with("</style></defs>\n<text>x</text></svg>"));
    }
}
