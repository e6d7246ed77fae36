//! Traffic over time: a rate (requests/s, Mbps) against time, optionally with a
//! capacity line drawn across it.

use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;

use crate::{Error, PALETTE, Result, SIZE, SvgArea, draw_err, font, si};

/// What to draw in a traffic chart.
pub struct TrafficChart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// Y-axis description with its unit, e.g. "requests/s".
    pub y_label: &'a str,
    /// The lines to draw, each in its own colour.
    pub series: &'a [Series<'a>],
    /// Formats a tick (Unix seconds) as a label, given the spacing of ticks in seconds
    /// (so a caller can drop the time of day when ticks are whole days apart).
    pub time_label: &'a dyn Fn(i64, i64) -> String,
    /// A shaded interval (a forecast's), drawn under the lines.
    pub band: Option<Band<'a>>,
    /// A horizontal capacity line across the chart: (value, label).
    pub ceiling: Option<(f64, &'a str)>,
}

/// A shaded interval between two bounds.
pub struct Band<'a> {
    /// Name for the legend.
    pub name: &'a str,
    /// Points as (Unix seconds, lower, upper), in time order.
    pub points: &'a [(i64, f64, f64)],
}

/// One line of a traffic chart.
pub struct Series<'a> {
    /// Name for the legend.
    pub name: &'a str,
    /// Points as (Unix seconds, value), in time order.
    pub points: &'a [(i64, f64)],
}

/// Draws a traffic chart as an SVG document.
pub fn traffic_chart(chart: &TrafficChart<'_>) -> Result<String> {
    font::register();
    let axes = Axes::fit(chart)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut c = axes.draw(&root, chart)?;
        if let Some(b) = &chart.band {
            draw_band(&mut c, b)?;
        }
        if let Some((value, label)) = chart.ceiling {
            draw_ceiling(&mut c, (axes.first, axes.last), value, label)?;
        }
        for (i, series) in chart.series.iter().enumerate() {
            draw_line(&mut c, i, series)?;
        }
        crate::legend(&mut c, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// A traffic chart's plot: Unix seconds across with ticks at round times, values up.
type TrafficPlot<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<WithKeyPoints<RangedCoordi64>, RangedCoordf64>>;

/// The axes fitted to a chart's data: the time span, its ticks, and the top value.
struct Axes {
    /// First second of the time axis.
    first: i64,
    /// Last second of the time axis.
    last: i64,
    /// Seconds between ticks.
    step: i64,
    /// The ticks, at whole multiples of `step`.
    ticks: Vec<i64>,
    /// Top of the value axis.
    y_top: f64,
}

impl Axes {
    /// Fits the axes to the chart's lines, band and ceiling.
    fn fit(chart: &TrafficChart<'_>) -> Result<Axes> {
        let all = || all_points(chart);
        let (first, last) = match (all().map(|p| p.0).min(), all().map(|p| p.0).max()) {
            (Some(f), Some(l)) => (f, l.max(f + 60)),
            _ => return Err(Error::NoData("traffic series is empty")),
        };
        let step = tick_step(last - first);
        let ticks: Vec<i64> = (first.div_euclid(step) + 1..=last.div_euclid(step))
            .map(|k| k * step)
            .collect();
        let y_max = all()
            .map(|p| p.1)
            .chain(chart.ceiling.map(|c| c.0))
            .fold(0.0, f64::max);
        // Headroom above the data keeps the legend off the lines.
        let y_top = if y_max > 0.0 { y_max * 1.35 } else { 1.0 };
        Ok(Axes {
            first,
            last,
            step,
            ticks,
            y_top,
        })
    }

    /// Draws the caption, axes and grid on `root` and returns the plot.
    fn draw<'a, 'b>(
        &self,
        root: &'a SvgArea<'b>,
        chart: &TrafficChart<'_>,
    ) -> Result<TrafficPlot<'a, 'b>> {
        let (first, last, step) = (self.first, self.last, self.step);
        let mut c = ChartBuilder::on(root)
            .caption(chart.title, (font::FONT_FAMILY, 24))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (first..last).with_key_points(self.ticks.clone()),
                0.0..self.y_top,
            )
            .map_err(draw_err)?;
        c.configure_mesh()
            .y_labels(6)
            .x_label_formatter(&|x| (chart.time_label)(*x, step))
            .y_label_formatter(&|y| si(*y))
            .y_desc(chart.y_label)
            .label_style((font::FONT_FAMILY, 16))
            .axis_desc_style((font::FONT_FAMILY, 17))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;
        Ok(c)
    }
}

/// Every point the axes must hold: the lines' points and the band's upper bounds.
fn all_points<'c>(chart: &'c TrafficChart<'_>) -> impl Iterator<Item = (i64, f64)> + 'c {
    let band = chart.band.as_ref().map_or(&[][..], |b| b.points);
    chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .chain(band.iter().map(|p| (p.0, p.2)))
}

/// Shades the band under the lines.
fn draw_band(c: &mut TrafficPlot<'_, '_>, b: &Band<'_>) -> Result<()> {
    let shade = RGBColor(86, 180, 233);
    let outline: Vec<(i64, f64)> = b
        .points
        .iter()
        .map(|p| (p.0, p.2))
        .chain(b.points.iter().rev().map(|p| (p.0, p.1)))
        .collect();
    c.draw_series(std::iter::once(Polygon::new(
        outline,
        shade.mix(0.3).filled(),
    )))
    .map_err(draw_err)?
    .label(b.name)
    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], shade.mix(0.3).filled()));
    Ok(())
}

/// Draws the capacity line at `value` across the time span (`first`, `last`).
fn draw_ceiling(
    c: &mut TrafficPlot<'_, '_>,
    (first, last): (i64, i64),
    value: f64,
    label: &str,
) -> Result<()> {
    let red = RGBColor(213, 94, 0);
    c.draw_series(DashedLineSeries::new(
        [(first, value), (last, value)],
        8,
        5,
        red.stroke_width(2),
    ))
    .map_err(draw_err)?
    .label(label)
    .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], red.stroke_width(2)));
    Ok(())
}

/// Draws line `i` of the chart in its palette colour.
fn draw_line(c: &mut TrafficPlot<'_, '_>, i: usize, series: &Series<'_>) -> Result<()> {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    let colour = RGBColor(r, g, b);
    c.draw_series(LineSeries::new(
        series.points.iter().copied(),
        colour.stroke_width(2),
    ))
    .map_err(draw_err)?
    .label(series.name)
    .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2)));
    Ok(())
}

/// Seconds between time ticks: the smallest round step giving at most eight ticks.
fn tick_step(span_s: i64) -> i64 {
    const HOUR: i64 = 3600;
    const STEPS: [i64; 11] = [
        60,
        600,
        HOUR,
        3 * HOUR,
        6 * HOUR,
        12 * HOUR,
        24 * HOUR,
        2 * 24 * HOUR,
        7 * 24 * HOUR,
        14 * 24 * HOUR,
        28 * 24 * HOUR,
    ];
    STEPS
        .into_iter()
        .find(|step| span_s / step <= 8)
        .unwrap_or_else(|| (span_s / 8 / (28 * 24 * HOUR) + 1) * 28 * 24 * HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_labels_and_a_line() {
        let points = [(0, 1.0), (60, 2.5), (120, 0.5)];
        let svg = traffic_chart(&TrafficChart {
            title: "Requests",
            y_label: "requests/s",
            series: &[Series {
                name: "per minute",
                points: &points,
            }],
            time_label: &|t, _| format!("t{t}"),
            band: Some(Band {
                name: "80% interval",
                points: &[(120, 0.2, 0.9), (180, 0.1, 1.5)],
            }),
            ceiling: Some((3.0, "capacity")),
        })
        .unwrap();
        assert!(crate::svg_texts(&svg).contains(&"80% interval"));
        assert!(crate::svg_texts(&svg).contains(&"capacity"));
        assert!(svg.contains("<polygon"), "the band is drawn");
        assert!(crate::svg_texts(&svg).contains(&"Requests"), "{svg}");
        assert!(crate::svg_texts(&svg).contains(&"requests/s"));
        assert!(crate::svg_texts(&svg).contains(&"per minute"));
        assert!(svg.contains("<polyline"));
        assert!(svg.contains(r#"font-family="DejaVu Sans""#));
    }

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step(3 * 86_400 + 11 * 3600), 12 * 3600);
        assert_eq!(tick_step(7 * 86_400), 86_400);
        assert_eq!(tick_step(3600), 600);
        assert!(3 * 365 * 86_400 / tick_step(3 * 365 * 86_400) <= 8);
    }

    #[test]
    fn empty_series_is_an_error() {
        let err = traffic_chart(&TrafficChart {
            title: "t",
            y_label: "y",
            series: &[Series {
                name: "s",
                points: &[],
            }],
            time_label: &|t, _| t.to_string(),
            band: None,
            ceiling: None,
        })
        .unwrap_err();
        assert!(matches!(err, Error::NoData(_)));
    }
}
