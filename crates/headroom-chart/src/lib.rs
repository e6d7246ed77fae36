//! Charts of traffic and plans as SVG, with text laid out in a bundled font so they look
//! the same on every machine, fonts installed or not.
//!
//! ```
//! use headroom_chart::{MonthLines, month_lines};
//!
//! let months: Vec<String> = (1..=6).map(|m| format!("2026-{m:02}")).collect();
//! let svg = month_lines(&MonthLines {
//!     title: "Utilisation of ap",
//!     y_label: "busiest server, share",
//!     months: &months,
//!     series: &[("ap".to_owned(), vec![0.42, 0.47, 0.52, 0.58, 0.64, 0.71])],
//!     markers: &[(5, "past the ceiling".to_owned())],
//!     reference: Some((0.7, "ceiling")),
//! })?;
//! assert!(svg.starts_with("<svg") && svg.contains("Utilisation of ap"));
//! # Ok::<(), headroom_chart::Error>(())
//! ```

mod font;
mod graph;
mod heatmap;
mod months;
mod png;
mod servers;
mod traffic;

pub use font::{FONT_FAMILY, FONT_TTF, font_face_css, with_embedded_font};
pub use graph::{Graph, Node, graph};
pub use heatmap::{HeatMap, heat_map};
pub use months::{MonthLines, month_lines};
pub use png::png;
pub use servers::{ServersChart, servers_chart};
pub use traffic::{Band, Series, TrafficChart, traffic_chart};

/// Chart size in pixels (width, height); fixed so output is reproducible.
pub const SIZE: (u32, u32) = (960, 420);

/// Okabe–Ito palette: eight colours that stay distinct under the common forms of colour
/// blindness (Okabe & Ito, "Color Universal Design", 2008).
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
    (0, 0, 0),
];

/// What can go wrong drawing a chart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is nothing to draw.
    #[error("no data to chart: {0}")]
    NoData(&'static str),
    /// plotters failed to draw.
    #[error("drawing chart: {0}")]
    Draw(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Draw(format!("{e:?}"))
}

/// Draws a chart's legend the one way every chart here does: on a light box with a grey
/// border, in the bundled font.
pub(crate) fn legend<'a, DB, CT>(
    chart: &mut plotters::chart::ChartContext<'a, DB, CT>,
    position: plotters::chart::SeriesLabelPosition,
) -> Result<()>
where
    DB: plotters::prelude::DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    use plotters::style::{Color as _, RGBColor, WHITE};
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font((FONT_FAMILY, 16))
        .position(position)
        .draw()
        .map_err(draw_err)
}

/// A month-indexed chart's y axis: its top, label-area width, description and labels.
pub(crate) struct MonthY<'a> {
    pub top: f64,
    pub label_area: u32,
    pub desc: &'a str,
    pub format: &'a dyn Fn(&f64) -> String,
}

/// The drawing area every chart here draws on: an SVG document built in memory.
pub(crate) type SvgArea<'b> =
    plotters::drawing::DrawingArea<plotters::backend::SVGBackend<'b>, plotters::coord::Shift>;

/// A month-indexed chart's plot: one slot per month across, values up.
pub(crate) type MonthChart<'a, 'b> = plotters::chart::ChartContext<
    'a,
    plotters::backend::SVGBackend<'b>,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// The frame every month-indexed chart (servers, month lines) shares: the caption, one
/// slot per month centred on its index, month labels below, a light horizontal grid.
pub(crate) fn month_axes<'a, 'b>(
    root: &'a SvgArea<'b>,
    title: &str,
    months: &'a [String],
    y: &MonthY<'_>,
) -> Result<MonthChart<'a, 'b>> {
    use plotters::chart::ChartBuilder;
    use plotters::style::RGBColor;
    let n = months.len();
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 24))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(y.label_area)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y.top)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&|x| month_label(months, *x))
        .y_label_formatter(y.format)
        .y_desc(y.desc)
        .label_style((FONT_FAMILY, 16))
        .axis_desc_style((FONT_FAMILY, 17))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(draw_err)?;
    Ok(chart)
}

/// The label of a month axis at `x`: the month whose index `x` is, or nothing between.
pub(crate) fn month_label(months: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < months.len() {
        months[i as usize].clone()
    } else {
        String::new()
    }
}

/// SI-prefixed number for axis labels: 950, 12k, 3.4M.
pub fn si(value: f64) -> String {
    let a = value.abs();
    let (scaled, prefix) = if a >= 1e9 {
        (value / 1e9, "G")
    } else if a >= 1e6 {
        (value / 1e6, "M")
    } else if a >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let text = if scaled.abs() >= 100.0 || scaled.fract() == 0.0 {
        format!("{scaled:.0}")
    } else if scaled.abs() >= 10.0 {
        format!("{scaled:.1}")
    } else {
        format!("{scaled:.2}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    format!("{text}{prefix}")
}

/// The text of every `<text>` element, trimmed, in document order (for tests).
#[cfg(test)]
pub(crate) fn svg_texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_labels() {
        assert_eq!(si(950.0), "950");
        assert_eq!(si(12_000.0), "12k");
        assert_eq!(si(850e6), "850M");
        assert_eq!(si(2.5), "2.5");
        assert_eq!(si(0.127), "0.13");
        assert_eq!(si(0.0), "0");
    }
}
