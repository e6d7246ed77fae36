//! Servers per tier per month as stacked bars, with today's fleet drawn across.

use plotters::prelude::*;

use crate::{Error, MonthChart, PALETTE, Result, SIZE, draw_err, font};

/// What to draw in a servers chart.
pub struct ServersChart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// One label per month (x axis).
    pub months: &'a [String],
    /// Tier names, bottom of the stack first.
    pub tiers: &'a [String],
    /// `servers[month][tier]`.
    pub servers: &'a [Vec<u32>],
    /// Servers in service today over all tiers, drawn as a line; `None` to omit.
    pub today_total: Option<u32>,
    /// Physical machines per month (physical servers plus the hosts the VMs run on),
    /// drawn as a line beside the bars, which count VMs; `None` to omit.
    pub machines: Option<&'a [u32]>,
}

/// Draws a stacked bar chart of servers per tier per month as an SVG document.
pub fn servers_chart(chart: &ServersChart<'_>) -> Result<String> {
    font::register();
    if chart.months.is_empty() || chart.tiers.is_empty() {
        return Err(Error::NoData("no months or no tiers to plan"));
    }
    let y_top = y_top(chart);
    let n = chart.months.len();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let y = crate::MonthY {
            top: y_top,
            label_area: 56,
            desc: "servers",
            format: &|y| format!("{y:.0}"),
        };
        let mut c = crate::month_axes(&root, chart.title, chart.months, &y)?;
        for (t, tier) in chart.tiers.iter().enumerate() {
            draw_tier(&mut c, chart.servers, t, tier)?;
        }
        if let Some(machines) = chart.machines {
            draw_machines(&mut c, machines)?;
        }
        if let Some(today) = chart.today_total {
            draw_today(&mut c, today, n)?;
        }
        crate::legend(&mut c, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// The top of the y axis: the most servers or machines in any month (or today), with
/// room above for the legend.
fn y_top(chart: &ServersChart<'_>) -> f64 {
    let tallest = chart
        .servers
        .iter()
        .map(|m| m.iter().sum::<u32>())
        .max()
        .unwrap_or(0);
    let most_machines = chart
        .machines
        .map_or(0, |m| m.iter().copied().max().unwrap_or(0));
    let y_top = f64::from(
        tallest
            .max(chart.today_total.unwrap_or(0))
            .max(most_machines)
            .max(1),
    );
    // The legend sits above the bars, at about 20 px a line in a plot about 330 px high:
    // scale so the tallest bar ends below it.
    let lines = chart.tiers.len()
        + usize::from(chart.machines.is_some())
        + usize::from(chart.today_total.is_some());
    let legend_share = ((20 * lines + 24) as f64 / 330.0).min(0.7);
    y_top / (1.0 - legend_share)
}

/// Draws the segment of tier `t`, named `tier`, in every month's bar of `servers`,
/// stacked on the tiers before it.
fn draw_tier(c: &mut MonthChart<'_, '_>, servers: &[Vec<u32>], t: usize, tier: &str) -> Result<()> {
    let (r, g, b) = PALETTE[t % PALETTE.len()];
    let colour = RGBColor(r, g, b);
    let bars = servers.iter().enumerate().map(|(m, counts)| {
        let below: u32 = counts[..t].iter().sum();
        let x = m as f64;
        Rectangle::new(
            [
                (x - 0.35, f64::from(below)),
                (x + 0.35, f64::from(below + counts[t])),
            ],
            colour.filled(),
        )
    });
    c.draw_series(bars)
        .map_err(draw_err)?
        .label(tier)
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    Ok(())
}

/// Draws the physical machines per month as a line with a point a month.
fn draw_machines(c: &mut MonthChart<'_, '_>, machines: &[u32]) -> Result<()> {
    let (r, g, b) = PALETTE[7];
    let colour = RGBColor(r, g, b);
    let points: Vec<(f64, f64)> = machines
        .iter()
        .enumerate()
        .map(|(m, n)| (m as f64, f64::from(*n)))
        .collect();
    c.draw_series(LineSeries::new(
        points.iter().copied(),
        colour.stroke_width(2),
    ))
    .map_err(draw_err)?
    .label("physical machines (servers + VM hosts)")
    .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2)));
    c.draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled())))
        .map_err(draw_err)?;
    Ok(())
}

/// Draws today's fleet of `today` servers across all `n` months.
fn draw_today(c: &mut MonthChart<'_, '_>, today: u32, n: usize) -> Result<()> {
    let y = f64::from(today);
    // Dashed grey, apart from the machines line (solid black with points).
    let grey = RGBColor(100, 100, 100);
    c.draw_series(DashedLineSeries::new(
        [(-0.5, y), (n as f64 - 0.5, y)],
        8,
        5,
        grey.stroke_width(2),
    ))
    .map_err(draw_err)?
    .label(format!("today: {today} servers"))
    .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], grey.stroke_width(2)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_one_bar_segment_per_tier_and_month() {
        let months = vec!["2015-06".to_owned(), "2015-07".to_owned()];
        let tiers = vec!["web".to_owned(), "db".to_owned()];
        let servers = vec![vec![2, 3], vec![4, 3]];
        let svg = servers_chart(&ServersChart {
            title: "Servers",
            months: &months,
            tiers: &tiers,
            servers: &servers,
            today_total: Some(5),
            machines: Some(&[4, 6]),
        })
        .unwrap();
        // The legend sits above the bars: the scale leaves room for a line per tier.
        // 4 bars + 2 legend swatches + the background and legend box.
        let filled_rects = svg.matches("<rect").count();
        assert!(filled_rects >= 6, "{svg}");
        assert!(crate::svg_texts(&svg).contains(&"2015-07"));
        assert!(crate::svg_texts(&svg).contains(&"today: 5 servers"));
        assert!(crate::svg_texts(&svg).contains(&"physical machines (servers + VM hosts)"));
        assert_eq!(svg.matches("<circle").count(), 2, "one point a month");
    }
}
