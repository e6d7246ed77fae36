//! Hour-of-week heat map: when in the week the peaks come.

use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;

use crate::{Error, Result, SIZE, SvgArea, draw_err, font, si};

/// What to draw in a heat map.
pub struct HeatMap<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// Row labels, top row first (e.g. Mon … Sun).
    pub rows: &'a [String],
    /// `cells[row][hour]`, hours 0–23; `None` for hours without data (drawn hatched grey).
    pub cells: &'a [[Option<f64>; 24]],
    /// What a cell's value is, with its unit, for the scale.
    pub unit: &'a str,
}

/// Viridis anchors (matplotlib's perceptually uniform map, readable by colour-blind
/// readers and in greyscale), dark to bright.
const VIRIDIS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// The colour of `share` in [0, 1] along the viridis anchors.
fn colour(share: f64) -> RGBColor {
    let x = share.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Draws the heat map as an SVG document.
pub fn heat_map(chart: &HeatMap<'_>) -> Result<String> {
    font::register();
    let top = chart
        .cells
        .iter()
        .flatten()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if chart.cells.is_empty() || !top.is_finite() {
        return Err(Error::NoData("no hour has data"));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (plot, scale) = root.split_horizontally(SIZE.0 - 110);
        let mut c = cell_axes(&plot, chart)?;
        draw_cells(&mut c, chart.cells, top)?;
        draw_scale(&scale, chart.unit, top)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The cells' plot: hours across, one segment per row up, bottom row first.
type CellChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordi32>>>;

/// Builds the cells' plot on `plot`: the caption, hours below, row labels on the left.
fn cell_axes<'a, 'b>(plot: &'a SvgArea<'b>, chart: &HeatMap<'_>) -> Result<CellChart<'a, 'b>> {
    let rows = chart.cells.len();
    let mut c = ChartBuilder::on(plot)
        .caption(chart.title, (font::FONT_FAMILY, 24))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..24.0, (0..rows as i32).into_segmented())
        .map_err(draw_err)?;
    let labels = chart.rows;
    c.configure_mesh()
        .disable_mesh()
        .x_labels(13)
        .x_label_formatter(&|x: &f64| format!("{:02}:00", x.round() as i64))
        .y_labels(rows)
        .y_label_formatter(&|y: &SegmentValue<i32>| match y {
            // Row r (top first) is segment rows − r − 1.
            SegmentValue::CenterOf(i) => labels
                .get((rows as i32 - 1 - i) as usize)
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc("hour of day (UTC)")
        .label_style((font::FONT_FAMILY, 15))
        .axis_desc_style((font::FONT_FAMILY, 16))
        .draw()
        .map_err(draw_err)?;
    Ok(c)
}

/// Draws a cell per row and hour, coloured by its share of `top`; hours without data grey.
fn draw_cells(c: &mut CellChart<'_, '_>, cells: &[[Option<f64>; 24]], top: f64) -> Result<()> {
    let rows = cells.len();
    let grey = RGBColor(225, 225, 225);
    c.draw_series(cells.iter().enumerate().flat_map(|(r, hours)| {
        let y = (rows - r - 1) as i32;
        hours.iter().enumerate().map(move |(h, v)| {
            let fill = v.map_or(grey, |v| colour(if top > 0.0 { v / top } else { 0.0 }));
            Rectangle::new(
                [
                    (h as f64, SegmentValue::Exact(y)),
                    (h as f64 + 1.0, SegmentValue::Exact(y + 1)),
                ],
                fill.filled(),
            )
        })
    }))
    .map_err(draw_err)?;
    Ok(())
}

/// Draws the scale on `scale`: a bar from 0 to `top`, in `unit`.
fn draw_scale(scale: &SvgArea<'_>, unit: &str, top: f64) -> Result<()> {
    let mut s = ChartBuilder::on(scale)
        .margin_top(48)
        .margin_bottom(48)
        .margin_right(8)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..1.0, 0.0..top.max(1e-9))
        .map_err(draw_err)?;
    s.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .y_label_formatter(&|y| si(*y))
        .y_desc(unit)
        .label_style((font::FONT_FAMILY, 14))
        .axis_desc_style((font::FONT_FAMILY, 15))
        .draw()
        .map_err(draw_err)?;
    let steps = 40;
    s.draw_series((0..steps).map(|i| {
        let (a, b) = (
            top * f64::from(i) / f64::from(steps),
            top * f64::from(i + 1) / f64::from(steps),
        );
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            colour((f64::from(i) + 0.5) / f64::from(steps)).filled(),
        )
    }))
    .map_err(draw_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cell_per_hour_and_a_scale() {
        let rows: Vec<String> = ["Mon", "Tue"].map(String::from).to_vec();
        let mut cells = [[None; 24]; 2];
        cells[0][9] = Some(120.0);
        cells[1][21] = Some(30.0);
        let svg = heat_map(&HeatMap {
            title: "Busiest minute by hour of week",
            rows: &rows,
            cells: &cells,
            unit: "requests/s",
        })
        .unwrap();
        let texts = crate::svg_texts(&svg);
        assert!(
            texts.contains(&"Mon") && texts.contains(&"Tue"),
            "{texts:?}"
        );
        assert!(texts.contains(&"requests/s"));
        // 48 cells + 40 scale steps + the background.
        assert!(svg.matches("<rect").count() >= 88);
        // The top value gets viridis' brightest colour, an empty hour grey.
        assert_eq!(colour(1.0), RGBColor(253, 231, 37));
        assert!(svg.contains("fill=\"#FDE725\""), "brightest cell");
        assert!(svg.contains("fill=\"#E1E1E1\""), "an hour without data");
    }

    #[test]
    fn no_data_is_an_error() {
        let cells = [[None; 24]; 1];
        let rows = vec!["Mon".to_owned()];
        let r = heat_map(&HeatMap {
            title: "t",
            rows: &rows,
            cells: &cells,
            unit: "u",
        });
        assert!(matches!(r, Err(Error::NoData(_))));
    }
}
