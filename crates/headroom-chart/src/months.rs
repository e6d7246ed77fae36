//! Values per planned month as lines: cumulative cost of each option, or each tier's
//! utilisation against its ceiling, with marked months (break-even, crossings) and a
//! reference line.

use plotters::prelude::*;

use crate::{Error, PALETTE, Result, SIZE, draw_err, font, si};

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
    let y_max = chart
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .chain(chart.reference.map(|r| r.0))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_top = if y_max > 0.0 { y_max * 1.3 } else { 1.0 };
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
            c.draw_series(DashedLineSeries::new(
                [(-0.5, value), (n as f64 - 0.5, value)],
                8,
                5,
                BLACK.stroke_width(2),
            ))
            .map_err(draw_err)?
            .label(label)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        }
        for (i, (name, values)) in chart.series.iter().enumerate() {
            let (r, g, b) = PALETTE[i % PALETTE.len()];
            let colour = RGBColor(r, g, b);
            c.draw_series(LineSeries::new(
                values.iter().enumerate().map(|(m, v)| (m as f64, *v)),
                colour.stroke_width(3),
            ))
            .map_err(draw_err)?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(3)));
        }
        let grey = RGBColor(90, 90, 90);
        for (m, label) in chart.markers {
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
        crate::legend(&mut c, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
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
