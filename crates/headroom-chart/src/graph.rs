//! A service's tiers as boxes laid out left to right by depth, joined by arrows, each
//! filled with a colour the caller chooses (utilisation bands) and optionally marked.

use plotters::prelude::*;

use crate::{Error, Result, SIZE, SvgArea, draw_err, font};

/// One box.
pub struct Node<'a> {
    /// First line, bold-ish: the tier's name.
    pub name: &'a str,
    /// Lines under the name, separated by `\n`: e.g. "11 servers, 42% busy".
    pub detail: String,
    /// Column (0 = the entry), from the caller's layering.
    pub layer: usize,
    /// Fill colour as `#RRGGBB`.
    pub fill: &'a str,
    /// Drawn with a thick dashed outline and a "SPOF" tag.
    pub marked: bool,
}

/// What to draw.
pub struct Graph<'a> {
    /// Title above the drawing.
    pub title: &'a str,
    /// The boxes.
    pub nodes: &'a [Node<'a>],
    /// Arrows between boxes by index (what flows along them belongs in the target's
    /// detail: labels on fanned-out arrows collide).
    pub edges: &'a [(usize, usize)],
    /// What the colours mean, as (fill, words), drawn as a key.
    pub key: &'a [(&'a str, &'a str)],
}

fn rgb(hex: &str) -> RGBColor {
    let h = hex.trim_start_matches('#');
    let part = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    RGBColor(part(0), part(2), part(4))
}

/// Draws the graph as an SVG document.
pub fn graph(chart: &Graph<'_>) -> Result<String> {
    font::register();
    if chart.nodes.is_empty() {
        return Err(Error::NoData("no tiers"));
    }
    let layout = Layout::new(chart.nodes);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let title = (font::FONT_FAMILY, 24).into_font();
        root.draw(&Text::new(
            chart.title.to_owned(),
            (12, 10),
            title.color(&BLACK),
        ))
        .map_err(draw_err)?;
        for (a, b) in chart.edges {
            draw_arrow(&root, layout.centre(*a), layout.centre(*b), layout.box_w)?;
        }
        let name_font = (font::FONT_FAMILY, 17).into_font().color(&BLACK);
        let detail_font = (font::FONT_FAMILY, 14).into_font().color(&BLACK);
        for (i, n) in chart.nodes.iter().enumerate() {
            let (corner, far) = layout.corners(i);
            draw_box(&root, n, corner, far)?;
            draw_words(&root, n, corner, far, (&name_font, &detail_font))?;
        }
        draw_key(&root, chart.key)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Where the boxes go: a column per layer, the rows of a layer spread down the chart.
struct Layout<'a> {
    nodes: &'a [Node<'a>],
    /// Row of each node within its layer.
    rows: Vec<usize>,
    /// How many nodes each layer has.
    per_layer: Vec<usize>,
    /// Width of a column.
    col_w: f64,
    /// Width of a box.
    box_w: f64,
    /// Height of a box: room for the name and the longest detail.
    box_h: f64,
}

impl<'a> Layout<'a> {
    /// Lays out `nodes`, at least one.
    fn new(nodes: &'a [Node<'a>]) -> Self {
        let layers = nodes.iter().map(|n| n.layer).max().unwrap_or(0) + 1;
        // Row of each node within its layer, in the order given.
        let mut rows = vec![0usize; nodes.len()];
        let mut per_layer = vec![0usize; layers];
        for (i, n) in nodes.iter().enumerate() {
            rows[i] = per_layer[n.layer];
            per_layer[n.layer] += 1;
        }
        let w = f64::from(SIZE.0);
        let col_w = w / layers as f64;
        let lines = nodes
            .iter()
            .map(|n| n.detail.lines().count())
            .max()
            .unwrap_or(1);
        let (box_w, box_h) = ((col_w * 0.72).min(200.0), 34.0 + 18.0 * lines as f64);
        Layout {
            nodes,
            rows,
            per_layer,
            col_w,
            box_w,
            box_h,
        }
    }

    /// The centre of node `i`'s box.
    fn centre(&self, i: usize) -> (f64, f64) {
        let h = f64::from(SIZE.1);
        let (top, bottom) = (56.0, 40.0);
        let n = &self.nodes[i];
        let count = self.per_layer[n.layer] as f64;
        let row_h = (h - top - bottom) / count;
        (
            self.col_w * (n.layer as f64 + 0.5),
            top + row_h * (self.rows[i] as f64 + 0.5),
        )
    }

    /// The top-left and bottom-right corners of node `i`'s box, in pixels.
    fn corners(&self, i: usize) -> ((i32, i32), (i32, i32)) {
        let (cx, cy) = self.centre(i);
        let (box_w, box_h) = (self.box_w, self.box_h);
        let corner = ((cx - box_w / 2.0) as i32, (cy - box_h / 2.0) as i32);
        let far = ((cx + box_w / 2.0) as i32, (cy + box_h / 2.0) as i32);
        (corner, far)
    }
}

/// Draws an arrow from the right side of the box centred at `from` to the left side of
/// the one centred at `to`.
fn draw_arrow(
    root: &SvgArea<'_>,
    (x0, y0): (f64, f64),
    (x1, y1): (f64, f64),
    box_w: f64,
) -> Result<()> {
    let grey = RGBColor(110, 110, 110);
    let (sx, ex) = (x0 + box_w / 2.0, x1 - box_w / 2.0);
    let start = (sx as i32, y0 as i32);
    let end = (ex as i32, y1 as i32);
    root.draw(&PathElement::new([start, end], grey.stroke_width(2)))
        .map_err(draw_err)?;
    // Arrow head: two short strokes back from the end along the edge.
    let (dx, dy) = (ex - sx, y1 - y0);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    for side in [-1.0, 1.0] {
        let hx = ex - 10.0 * ux - side * 5.0 * uy;
        let hy = y1 - 10.0 * uy + side * 5.0 * ux;
        root.draw(&PathElement::new(
            [end, (hx as i32, hy as i32)],
            grey.stroke_width(2),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Draws node `n`'s box between `corner` and `far`: its fill, then its outline, thick
/// when the node is marked.
fn draw_box(root: &SvgArea<'_>, n: &Node<'_>, corner: (i32, i32), far: (i32, i32)) -> Result<()> {
    root.draw(&Rectangle::new(
        [corner, far],
        rgb(n.fill).mix(0.85).filled(),
    ))
    .map_err(draw_err)?;
    let outline = if n.marked {
        BLACK.stroke_width(4)
    } else {
        BLACK.stroke_width(1)
    };
    // A path, not a rectangle: plotters' SVG rectangles drop the stroke width.
    root.draw(&PathElement::new(
        [corner, (far.0, corner.1), far, (corner.0, far.1), corner],
        outline,
    ))
    .map_err(draw_err)
}

/// Writes node `n`'s name, its detail lines and, when marked, the "SPOF" tag in its box
/// between `corner` and `far`, in the given (name, detail) fonts.
fn draw_words(
    root: &SvgArea<'_>,
    n: &Node<'_>,
    corner: (i32, i32),
    far: (i32, i32),
    (name_font, detail_font): (&TextStyle<'_>, &TextStyle<'_>),
) -> Result<()> {
    root.draw(&Text::new(
        n.name.to_owned(),
        (corner.0 + 8, corner.1 + 8),
        name_font.clone(),
    ))
    .map_err(draw_err)?;
    for (k, line) in n.detail.lines().enumerate() {
        root.draw(&Text::new(
            line.to_owned(),
            (corner.0 + 8, corner.1 + 30 + 18 * k as i32),
            detail_font.clone(),
        ))
        .map_err(draw_err)?;
    }
    if n.marked {
        root.draw(&Text::new(
            "SPOF".to_owned(),
            (far.0 - 44, corner.1 + 8),
            (font::FONT_FAMILY, 14).into_font().color(&BLACK),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Draws the key along the bottom: a swatch of each fill and its words.
fn draw_key(root: &SvgArea<'_>, key: &[(&str, &str)]) -> Result<()> {
    let mut x = 12;
    let y = SIZE.1 as i32 - 26;
    for (fill, words) in key {
        root.draw(&Rectangle::new(
            [(x, y), (x + 14, y + 14)],
            rgb(fill).filled(),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            (*words).to_owned(),
            (x + 20, y),
            (font::FONT_FAMILY, 14).into_font().color(&BLACK),
        ))
        .map_err(draw_err)?;
        x += 28 + 8 * words.chars().count() as i32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_arrows_marks_and_key() {
        let nodes = [
            Node {
                name: "lb",
                detail: "1 server, 20%".to_owned(),
                layer: 0,
                fill: "#009E73",
                marked: true,
            },
            Node {
                name: "ap",
                detail: "4 servers, 90%\nin: × 1".to_owned(),
                layer: 1,
                fill: "#E69F00",
                marked: false,
            },
            Node {
                name: "db",
                detail: "2 servers, 40%".to_owned(),
                layer: 1,
                fill: "#009E73",
                marked: false,
            },
        ];
        let svg = graph(&Graph {
            title: "Tiers",
            nodes: &nodes,
            edges: &[(0, 1), (0, 2)],
            key: &[("#009E73", "ok"), ("#E69F00", "near ceiling")],
        })
        .unwrap();
        let texts = crate::svg_texts(&svg);
        for want in [
            "Tiers",
            "lb",
            "4 servers, 90%",
            "in: × 1",
            "SPOF",
            "near ceiling",
        ] {
            assert!(texts.contains(&want), "{want}: {texts:?}");
        }
        assert!(
            svg.contains("fill=\"#E69F00\""),
            "the key's swatch in its colour"
        );
        assert_eq!(
            svg.matches("stroke-width=\"4\"").count(),
            1,
            "one thick outline, the SPOF's"
        );
        assert_eq!(rgb("#D55E00"), RGBColor(213, 94, 0));
    }
}
