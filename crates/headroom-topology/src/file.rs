//! The topology file (TOML) and its validation, with file:line:column errors.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Walker};
use serde::Deserialize;
use toml::Spanned;

use crate::{Error, Result, Role, Tier, Topology};

/// Utilisation ceiling when a tier names none. At 70% a single-server queue (M/M/1)
/// waits 0.7 / 0.3 = 2.3 service times on average; above that, waits grow steeply.
pub const DEFAULT_CEILING: f64 = 0.7;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    entry: Spanned<String>,
    #[serde(rename = "tier")]
    tiers: Vec<RawTier>,
    #[serde(rename = "edge", default)]
    edges: Vec<RawEdge>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    name: Spanned<String>,
    role: Role,
    servers: Spanned<i64>,
    capacity_rps: Spanned<f64>,
    ceiling: Option<Spanned<f64>>,
    #[allow(dead_code, reason = "documentation for readers of the file, not used")]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdge {
    from: Spanned<String>,
    to: Spanned<String>,
    ratio: Spanned<f64>,
}

/// Reads and validates a topology file.
pub fn load(path: &Path) -> Result<Topology> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Validates topology text; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<Topology> {
    let invalid = |span: Option<Range<usize>>, message: String| {
        let (line, column) = line_column(text, span.map_or(0, |s| s.start));
        Error::Invalid {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    let raw: RawFile =
        toml::from_str(text).map_err(|e| invalid(e.span(), e.message().to_owned()))?;
    build(raw).map_err(|(span, message)| invalid(Some(span), message))
}

type Invalid = (Range<usize>, String);

fn build(raw: RawFile) -> Result<Topology, Invalid> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut tiers = Vec::with_capacity(raw.tiers.len());
    for t in &raw.tiers {
        if index.insert(t.name.get_ref(), tiers.len()).is_some() {
            return Err((
                t.name.span(),
                format!("tier '{}' is defined twice", t.name.get_ref()),
            ));
        }
        tiers.push(tier(t)?);
    }
    let lookup = |name: &Spanned<String>| {
        index
            .get(name.get_ref().as_str())
            .copied()
            .ok_or_else(|| (name.span(), format!("unknown tier '{}'", name.get_ref())))
    };
    let entry = lookup(&raw.entry)?;
    let mut graph = DiGraph::<usize, f64>::new();
    for i in 0..tiers.len() {
        graph.add_node(i);
    }
    for e in &raw.edges {
        let (from, to) = (lookup(&e.from)?, lookup(&e.to)?);
        positive(&e.ratio, "ratio")?;
        graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), *e.ratio.get_ref());
    }
    let order = toposort(&graph, None).map_err(|cycle| {
        let t = &raw.tiers[graph[cycle.node_id()]];
        (
            t.name.span(),
            format!("tier '{}' is part of a cycle", t.name.get_ref()),
        )
    })?;
    let reachable: Vec<usize> = Bfs::new(&graph, NodeIndex::new(entry))
        .iter(&graph)
        .map(|n| graph[n])
        .collect();
    if let Some(t) = raw
        .tiers
        .iter()
        .enumerate()
        .find(|(i, _)| !reachable.contains(i))
    {
        let name = t.1.name.get_ref();
        return Err((
            t.1.name.span(),
            format!("tier '{name}' is not reachable from the entry"),
        ));
    }
    Ok(Topology {
        name: raw.name,
        tiers,
        entry,
        order: order.into_iter().map(|n| graph[n]).collect(),
        graph,
    })
}

fn tier(t: &RawTier) -> Result<Tier, Invalid> {
    let servers = *t.servers.get_ref();
    if servers < 1 || servers > i64::from(u32::MAX) {
        return Err((
            t.servers.span(),
            format!("servers must be a whole number ≥ 1, not {servers}"),
        ));
    }
    positive(&t.capacity_rps, "capacity_rps")?;
    let ceiling = match &t.ceiling {
        Some(c) if !(*c.get_ref() > 0.0 && *c.get_ref() <= 1.0) => {
            return Err((
                c.span(),
                format!("ceiling must be in (0, 1], not {}", c.get_ref()),
            ));
        }
        Some(c) => *c.get_ref(),
        None => DEFAULT_CEILING,
    };
    Ok(Tier {
        name: t.name.get_ref().clone(),
        role: t.role,
        servers: servers as u32,
        capacity_rps: *t.capacity_rps.get_ref(),
        ceiling,
    })
}

fn positive(v: &Spanned<f64>, what: &str) -> Result<(), Invalid> {
    let x = *v.get_ref();
    if x > 0.0 && x.is_finite() {
        Ok(())
    } else {
        Err((
            v.span(),
            format!("{what} must be a positive number, not {x}"),
        ))
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &str = r#"
name = "chain"
entry = "lb"

[[tier]]
name = "lb"
role = "load_balancer"
servers = 2
capacity_rps = 10000

[[tier]]
name = "ap"
role = "application"
servers = 4
capacity_rps = 100
ceiling = 0.5

[[tier]]
name = "db"
role = "database"
servers = 2
capacity_rps = 1000

[[edge]]
from = "lb"
to = "ap"
ratio = 0.5

[[edge]]
from = "ap"
to = "db"
ratio = 3.0
"#;

    fn error_of(text: &str) -> String {
        parse(text, Path::new("t.toml")).unwrap_err().to_string()
    }

    #[test]
    fn propagates_demand_and_finds_bottleneck() {
        let t = parse(CHAIN, Path::new("t.toml")).unwrap();
        assert_eq!(t.total_servers(), 8);
        assert_eq!(t.gains(), vec![1.0, 0.5, 1.5]);
        let loads = t.loads(200.0);
        // ap: 100 rps over 4 × 100 rps; db: 300 rps over 2 × 1000 rps.
        assert_eq!(loads[1].utilisation, 0.25);
        assert_eq!(loads[2].utilisation, 0.15);
        // ap saturates at 4 × 100 × 0.5 / 0.5 = 400 front-door rps; db at 1400 / 1.5.
        assert_eq!(loads[1].saturation_entry_rps, 400.0);
        assert_eq!(t.bottleneck(), 1);
    }

    #[test]
    fn errors_name_line_column_and_reason() {
        assert_eq!(
            error_of(&CHAIN.replace("to = \"db\"", "to = \"dbx\"")),
            "t.toml:31:6: unknown tier 'dbx'"
        );
        assert_eq!(
            error_of(&CHAIN.replace("servers = 4", "servers = 0")),
            "t.toml:14:11: servers must be a whole number ≥ 1, not 0"
        );
        assert_eq!(
            error_of(&CHAIN.replace("ratio = 3.0", "ratio = -1.0")),
            "t.toml:32:9: ratio must be a positive number, not -1"
        );
        let cycle = error_of(&format!(
            "{CHAIN}\n[[edge]]\nfrom = \"db\"\nto = \"ap\"\nratio = 1.0\n"
        ));
        assert!(cycle.ends_with("is part of a cycle"), "{cycle}");
        assert!(
            cycle.starts_with("t.toml:12:8: ") || cycle.starts_with("t.toml:19:8: "),
            "{cycle}"
        );
        let role = error_of(&CHAIN.replace("\"database\"", "\"databse\""));
        assert!(
            role.starts_with("t.toml:20:8: unknown variant `databse`"),
            "{role}"
        );
    }
}
