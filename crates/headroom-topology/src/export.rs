//! The graph for people: a text tree, Graphviz DOT and Mermaid, coloured by load.

use std::fmt::Write as _;

use petgraph::graph::NodeIndex;

use crate::model::{Edge, Placement, TierLoad, Topology};

/// How loaded a tier is against its ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Below 80% of the ceiling.
    Comfortable,
    /// Between 80% of the ceiling and the ceiling.
    Near,
    /// At or over the ceiling.
    Over,
}

impl Band {
    /// The band of a utilisation against a ceiling.
    pub fn of(utilisation: f64, ceiling: f64) -> Band {
        if utilisation >= ceiling {
            Band::Over
        } else if utilisation >= 0.8 * ceiling {
            Band::Near
        } else {
            Band::Comfortable
        }
    }

    /// Fill colour from the Okabe–Ito palette, distinguishable with colour blindness:
    /// bluish green, orange, vermillion.
    pub fn colour(self) -> &'static str {
        match self {
            Band::Comfortable => "#009E73",
            Band::Near => "#E69F00",
            Band::Over => "#D55E00",
        }
    }

    /// Word for text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Comfortable => "ok",
            Band::Near => "near ceiling",
            Band::Over => "OVER ceiling",
        }
    }
}

fn label(topology: &Topology, tier: usize, load: &TierLoad) -> String {
    let t = &topology.tiers()[tier];
    let kind = match &t.placement {
        Placement::Virtual { .. } => " VMs",
        Placement::Physical { .. } => "",
    };
    format!(
        "{} ({}): {}{} × {:.0} rps, {:.0} rps in, {:.0}% busy",
        t.name,
        t.role.as_str(),
        t.servers,
        kind,
        t.capacity_rps,
        load.demand_rps,
        load.utilisation * 100.0
    )
}

/// An indented tree from the entry; a tier reached by several callers is drawn in full
/// once and referred to after that.
pub fn text_tree(topology: &Topology, loads: &[TierLoad]) -> String {
    let mut tree = Tree {
        topology,
        loads,
        drawn: vec![false; topology.tiers().len()],
        out: String::new(),
    };
    tree.walk(topology.entry_index(), String::new(), "", None);
    tree.out
}

struct Tree<'a> {
    topology: &'a Topology,
    loads: &'a [TierLoad],
    drawn: Vec<bool>,
    out: String,
}

impl Tree<'_> {
    /// Draws `tier` reached through an edge described by `via`; `last` says whether it
    /// is its parent's last child, `None` for the root.
    fn walk(&mut self, tier: usize, via: String, prefix: &str, last: Option<bool>) {
        let t = &self.topology.tiers()[tier];
        let band = Band::of(self.loads[tier].utilisation, t.ceiling);
        let branch = match last {
            None => "",
            Some(true) => "└─ ",
            Some(false) => "├─ ",
        };
        let via = if via.is_empty() {
            via
        } else {
            format!("[{via}] ")
        };
        if self.drawn[tier] {
            let _ = writeln!(self.out, "{prefix}{branch}{via}{} (above)", t.name);
            return;
        }
        self.drawn[tier] = true;
        let _ = writeln!(
            self.out,
            "{prefix}{branch}{via}{} [{}]",
            label(self.topology, tier, &self.loads[tier]),
            band.as_str()
        );
        let children = self.children(tier);
        let child_prefix = match last {
            None => String::new(),
            Some(true) => format!("{prefix}   "),
            Some(false) => format!("{prefix}│  "),
        };
        for (i, e) in children.iter().enumerate() {
            let edge = self.topology.edges()[*e];
            let via = edge_note(&edge);
            self.walk(edge.to, via, &child_prefix, Some(i + 1 == children.len()));
        }
    }

    /// The edges out of `tier`, in file order.
    fn children(&self, tier: usize) -> Vec<usize> {
        let mut children: Vec<usize> = self
            .topology
            .graph
            .edges(NodeIndex::new(tier))
            .map(|e| *e.weight())
            .collect();
        // petgraph lists outgoing edges newest first; file order reads better.
        children.sort_unstable();
        children
    }
}

/// What an edge does to the requests through it: its ratio, cache hits and writes.
fn edge_note(edge: &Edge) -> String {
    let mut via = format!("×{}", edge.ratio);
    if edge.hit_ratio > 0.0 {
        let _ = write!(via, ", {:.0}% hits", edge.hit_ratio * 100.0);
    }
    if edge.write_fraction > 0.0 {
        let _ = write!(via, ", {:.0}% writes", edge.write_fraction * 100.0);
    }
    via
}

/// Escapes a string for a double-quoted DOT or Mermaid label.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "'")
}

/// Graphviz DOT, left to right, tiers filled by load band, single points of failure
/// (`spofs`, tier indices) drawn with a double border.
pub fn dot(topology: &Topology, loads: &[TierLoad], spofs: &[usize]) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\"];\n  edge [fontname=\"DejaVu Sans\"];\n",
        quote(topology.name())
    );
    for (i, t) in topology.tiers().iter().enumerate() {
        let band = Band::of(loads[i].utilisation, t.ceiling);
        let periph = if spofs.contains(&i) {
            ", peripheries=2"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n{} × {:.0} rps\\n{:.0}% busy\", fillcolor=\"{}\"{periph}];",
            quote(&t.name),
            quote(&t.name),
            t.servers,
            t.capacity_rps,
            loads[i].utilisation * 100.0,
            band.colour()
        );
    }
    for e in topology.edges() {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{:.0} rps\"];",
            quote(&topology.tiers()[e.from].name),
            quote(&topology.tiers()[e.to].name),
            loads[e.from].demand_rps * e.gain()
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart, left to right, with the same colours and SPOF marking as [`dot`].
pub fn mermaid(topology: &Topology, loads: &[TierLoad], spofs: &[usize]) -> String {
    let mut out = String::from("flowchart LR\n");
    mermaid_nodes(&mut out, topology, loads, spofs);
    for e in topology.edges() {
        let _ = writeln!(
            out,
            "  t{} -->|{:.0} rps| t{}",
            e.from,
            loads[e.from].demand_rps * e.gain(),
            e.to
        );
    }
    for band in [Band::Comfortable, Band::Near, Band::Over] {
        let _ = writeln!(
            out,
            "  classDef {} fill:{},color:#000",
            class(band),
            band.colour()
        );
    }
    for (i, t) in topology.tiers().iter().enumerate() {
        let band = Band::of(loads[i].utilisation, t.ceiling);
        let _ = writeln!(out, "  class t{i} {}", class(band));
    }
    out
}

/// One Mermaid node a tier, labelled with its servers and load.
fn mermaid_nodes(out: &mut String, topology: &Topology, loads: &[TierLoad], spofs: &[usize]) {
    for (i, t) in topology.tiers().iter().enumerate() {
        let spof = if spofs.contains(&i) {
            "<br/>single point of failure"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  t{i}[\"{}<br/>{} × {:.0} rps<br/>{:.0}% busy{spof}\"]",
            mermaid_text(&t.name),
            t.servers,
            t.capacity_rps,
            loads[i].utilisation * 100.0
        );
    }
}

/// A name as Mermaid label text: its entity codes for the characters that would end
/// the label or be read as HTML (`<script>` in a tier name stays text).
fn mermaid_text(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn class(band: Band) -> &'static str {
    match band {
        Band::Comfortable => "ok",
        Band::Near => "near",
        Band::Over => "over",
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn mermaid_labels_keep_names_as_text() {
        let text = "name = \"x\"\nentry = \"a<script>\\\"b\\\"&#\"\n[[tier]]\nname = \"a<script>\\\"b\\\"&#\"\nrole = \"application\"\nservers = 2\ncapacity_rps = 100\n";
        let t = crate::parse(text, Path::new("x.toml")).unwrap();
        let out = super::mermaid(&t, &t.loads(10.0), &[]);
        assert!(
            out.contains("t0[\"a#lt;script#gt;#quot;b#quot;#amp;#35;<br/>2 × 100 rps"),
            "{out}"
        );
        assert!(!out.contains("<script>"));
    }
}
