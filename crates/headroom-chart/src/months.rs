//! Values per planned month as lines: cumulative cost of each option, or each tier's
//! utilisation against its ceiling, with marked months (break-even, crossings) and a
//! reference line.

use plotters::prelude::*;

use crate::{Error, MonthChart, PALETTE, Result, SIZE, draw_err, font, si};

/// What to draw in a month-lines chart.
pub struct MonthLines<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// Y-axis description with its unit.
    pub y_label: &'a str,
    /// One label per month (x axis).
    pub months: &'a [String],
    /// Named lines, one value per month.
    pub series: &'a [(String, Vec<f64>)],
    /// Months to mark with a vertical line and a label: (month index, label).
    pub markers: &'a [(usize, String)],
    /// A horizontal reference line: (value, label).
    pub reference: Option<(f64, &'a str)>,
}

/// Draws the lines as an SVG document.
pub fn month_lines(chart: &MonthLines<'_>) -> Result<String> {
    font::register();
    let n = chart.months.len();
    if n == 0 || chart.series.is_empty() {
        return Err(Error::NoData("no months or no series"));
    }
    let y_top = y_top(chart);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let y = crate::MonthY {
            top: y_top,
            label_area: 64,
            desc: chart.y_label,
            format: &|y| si(*y),
        };
        let mut c = crate::month_axes(&root, chart.title, chart.months, &y)?;
        if let Some((value, label)) = chart.reference {
            draw_reference(&mut c, value, label, n)?;
        }
        for (i, (name, values)) in chart.series.iter().enumerate() {
            draw_line(&mut c, i, name, values)?;
        }
        draw_markers(&mut c, chart.markers, y_top)?;
        crate::legend(&mut c, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The top of the y axis: the largest finite value or the reference, with room above.
fn y_top(chart: &MonthLines<'_>) -> f64 {
    let y_max = chart
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .chain(chart.reference.map(|r| r.0))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if y_max > 0.0 { y_max * 1.3 } else { 1.0 }
}

/// Draws the reference line at `value` across all `n` months.
fn draw_reference(c: &mut MonthChart<'_, '_>, value: f64, label: &str, n: usize) -> Result<()> {
    c.draw_series(DashedLineSeries::new(
        [(-0.5, value), (n as f64 - 0.5, value)],
        8,
        5,
        BLACK.stroke_width(2),
    ))
    .map_err(draw_err)?
    .label(label)
    .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.stroke_width(2)));
    Ok(())
}

/// Draws line `i`, called `name`, through a value a month, in its palette colour.
fn draw_line(c: &mut MonthChart<'_, '_>, i: usize, name: &str, values: &[f64]) -> Result<()> {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    let colour = RGBColor(r, g, b);
    c.draw_series(LineSeries::new(
        values.iter().enumerate().map(|(m, v)| (m as f64, *v)),
        colour.stroke_width(3),
    ))
    .map_err(draw_err)?
    .label(name)
    .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(3)));
    Ok(())
}

/// Marks each month of `markers` with a dashed vertical line and its label near the
/// top of the plot, which is `y_top`.
fn draw_markers(c: &mut MonthChart<'_, '_>, markers: &[(usize, String)], y_top: f64) -> Result<()> {
    let grey = RGBColor(90, 90, 90);
    for (m, label) in markers {
        let x = *m as f64;
        c.draw_series(DashedLineSeries::new(
            [(x, 0.0), (x, y_top * 0.92)],
            4,
            4,
            grey.stroke_width(1),
        ))
        .map_err(draw_err)?;
        c.draw_series(std::iter::once(Text::new(
            label.clone(),
            (x, y_top * 0.97),
            (font::FONT_FAMILY, 15).into_font().color(&grey),
        )))
        .map_err(draw_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_markers_and_reference() {
        let months: Vec<String> = (1..=4).map(|m| format!("2027-0{m}")).collect();
        let series = vec![
            ("self-built".to_owned(), vec![100.0, 110.0, 120.0, 130.0]),
            ("cloud".to_owned(), vec![30.0, 70.0, 110.0, 150.0]),
        ];
        let svg = month_lines(&MonthLines {
            title: "Cumulative cost",
            y_label: "USD",
            months: &months,
            series: &series,
            markers: &[(2, "break-even 2027-03".to_owned())],
            reference: Some((100.0, "budget")),
        })
        .unwrap();
        let texts = crate::svg_texts(&svg);
        for want in [
            "Cumulative cost",
            "self-built",
            "cloud",
            "break-even 2027-03",
            "budget",
            "2027-04",
        ] {
            assert!(texts.contains(&want), "{want}: {texts:?}");
        }
        assert!(svg.matches("<polyline").count() >= 2);
        let empty = month_lines(&MonthLines {
            title: "t",
            y_label: "y",
            months: &[],
            series: &series,
            markers: &[],
            reference: None,
        });
        assert!(matches!(empty, Err(Error::NoData(_))));
    }
}
