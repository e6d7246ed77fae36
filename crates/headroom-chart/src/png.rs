//! PNG copies of the charts: the SVG rasterised with the bundled font and nothing from the
//! system, so a PNG is the same pixels on every machine.

use std::sync::{Arc, OnceLock};

use resvg::usvg;

use crate::{Error, FONT_FAMILY, FONT_TTF, Result};

/// The options every chart is parsed with: a font database holding only the bundled font,
/// which is also the fallback for any family a chart names.
fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut fonts = usvg::fontdb::Database::new();
        fonts.load_font_data(FONT_TTF.to_vec());
        fonts.set_sans_serif_family(FONT_FAMILY);
        usvg::Options {
            font_family: FONT_FAMILY.to_owned(),
            fontdb: Arc::new(fonts),
            ..usvg::Options::default()
        }
    })
}

/// Rasterises a chart's SVG (as the chart functions return it) to PNG bytes at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>> {
    let tree = usvg::Tree::from_str(svg, options()).map_err(|e| Error::Draw(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or(Error::NoData("an empty image"))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| Error::Draw(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Series, TrafficChart, traffic_chart};

    #[test]
    fn a_chart_becomes_a_png_of_its_size_with_text_drawn() {
        let points = [(0, 1.0), (3600, 2.0), (7200, 1.5)];
        let svg = traffic_chart(&TrafficChart {
            title: "Requests",
            y_label: "requests/s",
            series: &[Series {
                name: "per minute",
                points: &points,
            }],
            time_label: &|t, _| format!("t{t}"),
            band: None,
            ceiling: None,
        })
        .unwrap();
        let bytes = png(&svg).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let image = resvg::tiny_skia::Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((image.width(), image.height()), crate::SIZE);
        // The title's band (above the plot) has dark pixels only if text was drawn: with
        // no usable font, resvg leaves text out.
        let title_rows = &image.data()[..(image.width() * 40 * 4) as usize];
        let dark = title_rows
            .chunks(4)
            .filter(|p| p[0] < 100 && p[3] > 0)
            .count();
        assert!(dark > 50, "title pixels: {dark}");
        // Same input, same bytes.
        assert_eq!(png(&svg).unwrap(), bytes);
        // Without the bundled font the same band stays empty: the check above can fail.
        let bare = usvg::Tree::from_str(&svg, &usvg::Options::default()).unwrap();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(image.width(), image.height()).unwrap();
        resvg::render(
            &bare,
            resvg::tiny_skia::Transform::default(),
            &mut pixmap.as_mut(),
        );
        let rows = &pixmap.data()[..(image.width() * 40 * 4) as usize];
        assert!(rows.chunks(4).filter(|p| p[0] < 100 && p[3] > 0).count() < 10);
    }
}
