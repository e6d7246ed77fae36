//! The topology file (TOML, JSON or YAML) and its validation, with file:line:column
//! errors.
//!
//! One set of raw structs serves all three formats: they are generic over a [`Mode`]
//! that wraps each checked value in `toml::Spanned` for TOML (so errors found after
//! parsing still point at the value) and leaves it bare for JSON and YAML, whose
//! parsers report positions only for their own syntax and type errors. Semantic errors
//! in those formats name the element (`tier 'ap': …`) and point at the line and column
//! where that element is declared, found again by its name.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Walker};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::model::{
    Batch, Capacity, Deploy, Edge, Placement, Pool, Profile, Resources, Strategy, Supply, Tier,
    Topology, Uplink,
};
use crate::queue;
use crate::{Error, Result, Role};

/// Utilisation ceiling when a tier names none and has no response-time target. At 70% a
/// single-server queue (M/M/1) waits 0.7 / 0.3 = 2.3 service times on average; above
/// that, waits grow steeply.
pub const DEFAULT_CEILING: f64 = 0.7;

/// Wraps each checked value: spanned for TOML, bare otherwise.
trait Mode {
    type S<T: DeserializeOwned>: DeserializeOwned;
    fn get<T: DeserializeOwned>(s: &Self::S<T>) -> &T;
    fn span<T: DeserializeOwned>(s: &Self::S<T>) -> Option<Range<usize>>;
}

struct Spanned;
impl Mode for Spanned {
    type S<T: DeserializeOwned> = toml::Spanned<T>;
    fn get<T: DeserializeOwned>(s: &Self::S<T>) -> &T {
        s.get_ref()
    }
    fn span<T: DeserializeOwned>(s: &Self::S<T>) -> Option<Range<usize>> {
        Some(s.span())
    }
}

struct Bare;
impl Mode for Bare {
    type S<T: DeserializeOwned> = T;
    fn get<T: DeserializeOwned>(s: &T) -> &T {
        s
    }
    fn span<T: DeserializeOwned>(_: &T) -> Option<Range<usize>> {
        None
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawFile<M: Mode> {
    name: String,
    entry: M::S<String>,
    peak_rps: Option<M::S<f64>>,
    peak_to_mean: Option<M::S<f64>>,
    uplink_mbps: Option<M::S<f64>>,
    uplinks: Option<M::S<i64>>,
    #[serde(default)]
    racks: Vec<M::S<String>>,
    #[serde(rename = "profile", default)]
    profiles: Vec<RawProfile<M>>,
    #[serde(rename = "pool", default)]
    pools: Vec<RawPool<M>>,
    #[serde(rename = "tier")]
    tiers: Vec<RawTier<M>>,
    #[serde(rename = "edge", default)]
    edges: Vec<RawEdge<M>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawProfile<M: Mode> {
    name: M::S<String>,
    cores: M::S<f64>,
    memory_gib: M::S<f64>,
    disk_gb: M::S<f64>,
    nic_mbps: Option<M::S<f64>>,
    iops: Option<M::S<f64>>,
    #[allow(dead_code, reason = "documentation for readers of the file, not used")]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawPool<M: Mode> {
    name: M::S<String>,
    profile: M::S<String>,
    hosts: Option<M::S<i64>>,
    #[serde(default)]
    racks: Vec<M::S<String>>,
    #[allow(dead_code, reason = "documentation for readers of the file, not used")]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawUsl<M: Mode> {
    alpha: M::S<f64>,
    beta: M::S<f64>,
    gamma: M::S<f64>,
    concurrency: Option<M::S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawVm<M: Mode> {
    cores: M::S<f64>,
    memory_gib: M::S<f64>,
    disk_gb: M::S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawDeploy<M: Mode> {
    strategy: M::S<String>,
    batch: Option<M::S<i64>>,
    fraction: Option<M::S<f64>>,
    minutes: Option<M::S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawTier<M: Mode> {
    name: M::S<String>,
    role: Role,
    servers: M::S<i64>,
    capacity_rps: Option<M::S<f64>>,
    usl: Option<M::S<RawUsl<M>>>,
    service_time_ms: Option<M::S<f64>>,
    workers: Option<M::S<i64>>,
    target_response_ms: Option<M::S<f64>>,
    ceiling: Option<M::S<f64>>,
    profile: Option<M::S<String>>,
    #[serde(default)]
    racks: Vec<M::S<String>>,
    pool: Option<M::S<String>>,
    vm: Option<M::S<RawVm<M>>>,
    primaries: Option<M::S<i64>>,
    bytes_per_request: Option<M::S<f64>>,
    iops_per_request: Option<M::S<f64>>,
    working_set_gib: Option<M::S<f64>>,
    data_gb: Option<M::S<f64>>,
    bytes_per_write: Option<M::S<f64>>,
    deploy: Option<M::S<RawDeploy<M>>>,
    supply: Option<M::S<String>>,
    #[allow(dead_code, reason = "documentation for readers of the file, not used")]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound = "")]
struct RawEdge<M: Mode> {
    from: M::S<String>,
    to: M::S<String>,
    ratio: M::S<f64>,
    hit_ratio: Option<M::S<f64>>,
    write_fraction: Option<M::S<f64>>,
    #[allow(dead_code, reason = "documentation for readers of the file, not used")]
    note: Option<String>,
}

/// The syntax of a topology file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML, the documented format.
    Toml,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl Format {
    /// The format a file name implies: `.json`, `.yaml`/`.yml`, else TOML.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ => Format::Toml,
        }
    }
}

/// Reads and validates a topology file, in the format its extension names.
pub fn load(path: &Path) -> Result<Topology> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_as(&text, path, Format::from_path(path))
}

/// Validates TOML topology text; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<Topology> {
    parse_as(text, path, Format::Toml)
}

/// Validates topology text in the given format; `path` is only used in error messages.
pub fn parse_as(text: &str, path: &Path, format: Format) -> Result<Topology> {
    let invalid = |at: Option<(usize, usize)>, message: String| Error::Invalid {
        path: path.to_owned(),
        at,
        message,
    };
    let from_span = |span: Option<Range<usize>>| span.map(|s| line_column(text, s.start));
    // TOML errors carry the value's span; JSON and YAML ones the element, found again.
    let position = |at: Where, format: Format| match at {
        Where::Span(span) => Some(line_column(text, span.start)),
        Where::Element(anchor) => locate(text, &anchor, format),
        Where::Unknown => None,
    };
    match format {
        Format::Toml => {
            let raw: RawFile<Spanned> = toml::from_str(text)
                .map_err(|e| invalid(from_span(e.span()), e.message().to_owned()))?;
            build(raw).map_err(|(at, m)| invalid(position(at, Format::Toml), m))
        }
        Format::Json => {
            let raw: RawFile<Bare> = serde_json::from_str(text).map_err(|e| {
                let at = (e.line() > 0).then(|| (e.line(), e.column()));
                invalid(at, strip_position(&e.to_string()))
            })?;
            build(raw).map_err(|(at, m)| invalid(position(at, Format::Json), m))
        }
        Format::Yaml => {
            let raw: RawFile<Bare> = serde_norway::from_str(text).map_err(|e| {
                let at = e.location().map(|l| (l.line(), l.column()));
                invalid(at, strip_position(&e.to_string()))
            })?;
            build(raw).map_err(|(at, m)| invalid(position(at, Format::Yaml), m))
        }
    }
}

/// Where in JSON or YAML text an element is declared: a tier's, profile's or pool's
/// `name` key, or an edge's `from` key (those parsers keep no positions once the text
/// is read, so the element is found again by its name).
fn locate(text: &str, anchor: &Anchor, format: Format) -> Option<(usize, usize)> {
    let (key, value, then) = match anchor {
        Anchor::Named(name) => ("name", name.as_str(), None),
        Anchor::Edge(from, to) => ("from", from.as_str(), Some(("to", to.as_str()))),
    };
    let pairs = |key: &str, value: &str| key_offsets(text, format, key, value);
    let at = match then {
        None => *pairs(key, value).first()?,
        Some((next_key, next_value)) => {
            let nexts = pairs(next_key, next_value);
            let starts = pairs(key, value);
            // The `from` whose own object (up to the next `from`) holds the right `to`.
            let all_from = pairs(key, "");
            *starts.iter().find(|&&a| {
                let end = all_from
                    .iter()
                    .find(|&&b| b > a)
                    .copied()
                    .unwrap_or(text.len());
                nexts.iter().any(|&n| n > a && n < end)
            })?
        }
    };
    Some(line_column(text, at))
}

/// Byte offsets of `key: value` pairs, in text order.
fn key_offsets(text: &str, format: Format, key: &str, value: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let pattern = match format {
        Format::Json => format!("\"{key}\""),
        _ => format!("{key}:"),
    };
    let mut from = 0;
    while let Some(i) = text[from..].find(&pattern) {
        let at = from + i;
        let after = text[at + pattern.len()..].trim_start();
        let after = after.strip_prefix(':').unwrap_or(after).trim_start();
        let found = after.strip_prefix('"').unwrap_or(after);
        if is_key(text, at, format)
            && found.starts_with(value)
            && !found[value.len()..]
                .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
        {
            out.push(at);
        }
        from = at + pattern.len();
    }
    out
}

/// Whether the match at byte `at` is a key: in YAML only when nothing but indentation
/// and list dashes precede it on its line (else it could sit inside a value).
fn is_key(text: &str, at: usize, format: Format) -> bool {
    format != Format::Yaml
        || text[..at]
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim_start_matches([' ', '-']).is_empty())
}

/// Drops the " at line L column C" that JSON and YAML errors append, since the error
/// already carries the position in front.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Where an error is.
enum Where {
    /// A value's bytes (TOML).
    Span(Range<usize>),
    /// The element it concerns, to be found again in the text (JSON, YAML).
    Element(Anchor),
    /// Not known.
    Unknown,
}

/// An element of a topology file by what names it.
enum Anchor {
    /// A tier, profile or pool by its name.
    Named(String),
    /// An edge by its from and to.
    Edge(String, String),
}

type Invalid = (Where, String);

/// Where the value `v` is: its span, if the format keeps one.
fn at<M: Mode, V: DeserializeOwned>(v: &M::S<V>) -> Where {
    M::span(v).map_or(Where::Unknown, Where::Span)
}

/// Where the element named `name` is: its name's span, or the name to find it by.
fn at_name<M: Mode>(name: &M::S<String>) -> Where {
    M::span(name).map_or_else(
        || Where::Element(Anchor::Named(M::get(name).clone())),
        Where::Span,
    )
}

/// Without a position (JSON, YAML), say which element the error is in, and remember it
/// so the error can point at the element's declaration.
fn within(what: String, anchor: Anchor) -> impl FnOnce(Invalid) -> Invalid {
    move |(at, message)| match at {
        Where::Unknown => (Where::Element(anchor), format!("{what}: {message}")),
        known => (known, message),
    }
}

fn err<T, M: Mode, V: DeserializeOwned>(v: &M::S<V>, message: String) -> Result<T, Invalid> {
    Err((at::<M, V>(v), message))
}

/// Checks a number is positive and finite.
fn positive<M: Mode>(v: &M::S<f64>, what: &str) -> Result<f64, Invalid> {
    let x = *M::get(v);
    if x > 0.0 && x.is_finite() {
        Ok(x)
    } else {
        err::<_, M, _>(v, format!("{what} must be a positive number, not {x}"))
    }
}

/// Checks a number is a share in [0, `max`] (`max` itself allowed when `inclusive`).
fn share<M: Mode>(v: &M::S<f64>, what: &str, inclusive: bool) -> Result<f64, Invalid> {
    let x = *M::get(v);
    let ok = x >= 0.0 && if inclusive { x <= 1.0 } else { x < 1.0 };
    if ok {
        Ok(x)
    } else {
        let range = if inclusive { "[0, 1]" } else { "[0, 1)" };
        err::<_, M, _>(v, format!("{what} must be in {range}, not {x}"))
    }
}

/// Most servers one tier may have. The largest estates on record run a few million
/// servers in all; a tier of a million is past any one service.
pub const MAX_TIER_SERVERS: u32 = 1_000_000;

/// Most workers (concurrent request slots) one server may state: past any process or
/// thread pool, and it bounds Erlang C's work (about 50√workers steps).
pub const MAX_WORKERS: u32 = 100_000;

/// Checks a whole-number count is at least `min`.
fn count<M: Mode>(v: &M::S<i64>, what: &str, min: i64) -> Result<u32, Invalid> {
    let x = *M::get(v);
    if x < min || x > i64::from(u32::MAX) {
        err::<_, M, _>(v, format!("{what} must be a whole number ≥ {min}, not {x}"))
    } else {
        Ok(x as u32)
    }
}

/// Index of each name, rejecting duplicates.
fn index_names<'a, M: Mode>(
    names: impl Iterator<Item = &'a M::S<String>>,
    what: &str,
) -> Result<HashMap<String, usize>, Invalid>
where
    M::S<String>: 'a,
{
    let mut index = HashMap::new();
    for (i, name) in names.enumerate() {
        if index.insert(M::get(name).clone(), i).is_some() {
            return err::<_, M, _>(name, format!("{what} '{}' is defined twice", M::get(name)));
        }
    }
    Ok(index)
}

fn lookup<M: Mode>(
    index: &HashMap<String, usize>,
    name: &M::S<String>,
    what: &str,
) -> Result<usize, Invalid> {
    match index.get(M::get(name)) {
        Some(&i) => Ok(i),
        None => err::<_, M, _>(name, format!("unknown {what} '{}'", M::get(name))),
    }
}

fn racks_of<M: Mode>(
    rack_index: &HashMap<String, usize>,
    names: &[M::S<String>],
) -> Result<Vec<usize>, Invalid> {
    if names.is_empty() {
        // Spread over every rack the file names (none when it names none).
        return Ok((0..rack_index.len()).collect());
    }
    names
        .iter()
        .map(|n| lookup::<M>(rack_index, n, "rack"))
        .collect()
}

fn build<M: Mode>(raw: RawFile<M>) -> Result<Topology, Invalid> {
    let catalog = Catalog::new(&raw)?;
    let tiers = raw
        .tiers
        .iter()
        .map(|t| {
            tier::<M>(t, &catalog).map_err(within(
                format!("tier '{}'", M::get(&t.name)),
                Anchor::Named(M::get(&t.name).clone()),
            ))
        })
        .collect::<Result<Vec<_>, Invalid>>()?;

    let entry = lookup::<M>(&catalog.tier_index, &raw.entry, "tier")?;
    let (graph, edges) = wire::<M>(&raw.edges, &catalog.tier_index, &tiers)?;
    let order = order::<M>(&graph, &raw.tiers, entry)?;
    let (peak_rps, peak_to_mean) = peaks::<M>(&raw)?;
    let uplink = uplink::<M>(&raw)?;
    Ok(Topology {
        name: raw.name,
        peak_rps,
        peak_to_mean,
        uplink,
        racks: raw.racks.iter().map(|r| M::get(r).clone()).collect(),
        profiles: catalog.profiles,
        pools: catalog.pools,
        tiers,
        edges,
        entry,
        order,
        graph,
    })
}

/// The names a file defines, each checked for duplicates, and the profiles and pools
/// its tiers are checked against.
struct Catalog {
    rack_index: HashMap<String, usize>,
    profile_index: HashMap<String, usize>,
    pool_index: HashMap<String, usize>,
    tier_index: HashMap<String, usize>,
    profiles: Vec<Profile>,
    pools: Vec<Pool>,
}

impl Catalog {
    /// Indexes the names, then checks the profiles and pools, in that order (so the
    /// first error reported stays the same).
    fn new<M: Mode>(raw: &RawFile<M>) -> Result<Catalog, Invalid> {
        let rack_index = index_names::<M>(raw.racks.iter(), "rack")?;
        let profile_index = index_names::<M>(raw.profiles.iter().map(|p| &p.name), "profile")?;
        let pool_index = index_names::<M>(raw.pools.iter().map(|p| &p.name), "pool")?;
        let tier_index = index_names::<M>(raw.tiers.iter().map(|t| &t.name), "tier")?;

        let profiles = raw
            .profiles
            .iter()
            .map(profile::<M>)
            .collect::<Result<Vec<_>, Invalid>>()?;
        let pools = raw
            .pools
            .iter()
            .map(|p| pool::<M>(p, &profile_index, &rack_index))
            .collect::<Result<Vec<_>, Invalid>>()?;
        Ok(Catalog {
            rack_index,
            profile_index,
            pool_index,
            tier_index,
            profiles,
            pools,
        })
    }
}

/// A host profile, checked; errors name the profile.
fn profile<M: Mode>(p: &RawProfile<M>) -> Result<Profile, Invalid> {
    let name = M::get(&p.name).clone();
    let context = within(format!("profile '{name}'"), Anchor::Named(name));
    let profile = || -> Result<Profile, Invalid> {
        Ok(Profile {
            name: M::get(&p.name).clone(),
            resources: Resources {
                cores: positive::<M>(&p.cores, "cores")?,
                memory_gib: positive::<M>(&p.memory_gib, "memory_gib")?,
                disk_gb: positive::<M>(&p.disk_gb, "disk_gb")?,
            },
            nic_mbps: p
                .nic_mbps
                .as_ref()
                .map(|v| positive::<M>(v, "nic_mbps"))
                .transpose()?,
            iops: p
                .iops
                .as_ref()
                .map(|v| positive::<M>(v, "iops"))
                .transpose()?,
        })
    };
    profile().map_err(context)
}

/// A pool of hosts, checked against the profiles and racks; errors name the pool.
fn pool<M: Mode>(
    p: &RawPool<M>,
    profile_index: &HashMap<String, usize>,
    rack_index: &HashMap<String, usize>,
) -> Result<Pool, Invalid> {
    let name = M::get(&p.name).clone();
    let context = within(format!("pool '{name}'"), Anchor::Named(name));
    let pool = || -> Result<Pool, Invalid> {
        Ok(Pool {
            name: M::get(&p.name).clone(),
            profile: lookup::<M>(profile_index, &p.profile, "profile")?,
            hosts: p
                .hosts
                .as_ref()
                .map(|h| count::<M>(h, "hosts", 1))
                .transpose()?,
            racks: racks_of::<M>(rack_index, &p.racks)?,
        })
    };
    pool().map_err(context)
}

/// The call graph: a node per tier (weighted by its index) and an edge per checked
/// edge (weighted by its index in the returned edges), in file order.
fn wire<M: Mode>(
    raw_edges: &[RawEdge<M>],
    tier_index: &HashMap<String, usize>,
    tiers: &[Tier],
) -> Result<(DiGraph<usize, usize>, Vec<Edge>), Invalid> {
    let mut graph = DiGraph::<usize, usize>::new();
    for i in 0..tiers.len() {
        graph.add_node(i);
    }
    let mut edges = Vec::with_capacity(raw_edges.len());
    for e in raw_edges {
        let edge = edge::<M>(e, tier_index, tiers)?;
        graph.add_edge(
            NodeIndex::new(edge.from),
            NodeIndex::new(edge.to),
            edges.len(),
        );
        edges.push(edge);
    }
    Ok((graph, edges))
}

/// An edge, checked against the tiers; errors name the edge by its ends.
fn edge<M: Mode>(
    e: &RawEdge<M>,
    tier_index: &HashMap<String, usize>,
    tiers: &[Tier],
) -> Result<Edge, Invalid> {
    let (from, to) = (M::get(&e.from).clone(), M::get(&e.to).clone());
    let context = within(format!("edge {from} → {to}"), Anchor::Edge(from, to));
    let edge = || -> Result<Edge, Invalid> {
        let (from, to) = (
            lookup::<M>(tier_index, &e.from, "tier")?,
            lookup::<M>(tier_index, &e.to, "tier")?,
        );
        let edge = Edge {
            from,
            to,
            ratio: positive::<M>(&e.ratio, "ratio")?,
            hit_ratio: e
                .hit_ratio
                .as_ref()
                .map_or(Ok(0.0), |v| share::<M>(v, "hit_ratio", false))?,
            write_fraction: e
                .write_fraction
                .as_ref()
                .map_or(Ok(0.0), |v| share::<M>(v, "write_fraction", true))?,
        };
        if edge.write_fraction > 0.0 && tiers[to].primaries == 0 {
            let name = &tiers[to].name;
            return err::<_, M, _>(
                e.write_fraction.as_ref().expect("checked above"),
                format!(
                    "write_fraction needs tier '{name}' to say how many primaries take the writes"
                ),
            );
        }
        Ok(edge)
    };
    edge().map_err(context)
}

/// The tiers (by index) in topological order, after checking the graph has no cycle
/// and every tier is reachable from the entry.
fn order<M: Mode>(
    graph: &DiGraph<usize, usize>,
    raw_tiers: &[RawTier<M>],
    entry: usize,
) -> Result<Vec<usize>, Invalid> {
    let order = toposort(graph, None).map_err(|cycle| {
        let t = &raw_tiers[graph[cycle.node_id()]];
        (
            at_name::<M>(&t.name),
            format!("tier '{}' is part of a cycle", M::get(&t.name)),
        )
    })?;
    let mut reachable = vec![false; raw_tiers.len()];
    for n in Bfs::new(graph, NodeIndex::new(entry)).iter(graph) {
        reachable[graph[n]] = true;
    }
    if let Some(i) = reachable.iter().position(|r| !r) {
        let name = &raw_tiers[i].name;
        return Err((
            at_name::<M>(name),
            format!("tier '{}' is not reachable from the entry", M::get(name)),
        ));
    }
    Ok(order.into_iter().map(|n| graph[n]).collect())
}

/// The file's peak requests per second and peak-to-mean ratio, if given.
fn peaks<M: Mode>(raw: &RawFile<M>) -> Result<(Option<f64>, Option<f64>), Invalid> {
    let peak_rps = raw
        .peak_rps
        .as_ref()
        .map(|v| positive::<M>(v, "peak_rps"))
        .transpose()?;
    let peak_to_mean = match &raw.peak_to_mean {
        Some(v) if *M::get(v) >= 1.0 && M::get(v).is_finite() => Some(*M::get(v)),
        Some(v) => {
            return err::<_, M, _>(
                v,
                format!(
                    "peak_to_mean must be at least 1 (the peak is never below the mean), not {}",
                    M::get(v)
                ),
            );
        }
        None => None,
    };
    Ok((peak_rps, peak_to_mean))
}

/// The estate's uplinks to the outside, if the file gives their speed.
fn uplink<M: Mode>(raw: &RawFile<M>) -> Result<Option<Uplink>, Invalid> {
    let uplink_mbps = raw
        .uplink_mbps
        .as_ref()
        .map(|v| positive::<M>(v, "uplink_mbps"))
        .transpose()?;
    let uplinks = match (&raw.uplinks, uplink_mbps) {
        (Some(v), _) if *M::get(v) < 1 => {
            return err::<_, M, _>(v, format!("uplinks must be at least 1, not {}", M::get(v)));
        }
        (Some(v), None) => {
            return err::<_, M, _>(v, "uplinks needs uplink_mbps, the speed of each".to_owned());
        }
        (Some(v), Some(_)) => u32::try_from(*M::get(v)).unwrap_or(u32::MAX),
        (None, _) => 1,
    };
    Ok(uplink_mbps.map(|mbps| Uplink {
        mbps,
        count: uplinks,
    }))
}

/// A tier, checked against the catalog.
fn tier<M: Mode>(t: &RawTier<M>, catalog: &Catalog) -> Result<Tier, Invalid> {
    let name = M::get(&t.name).clone();
    let servers = servers::<M>(&t.servers)?;
    let (capacity, capacity_rps) = capacity::<M>(t)?;
    let (ceiling, ceiling_source) = ceiling::<M>(t, capacity)?;
    let placement = placement::<M>(t, catalog)?;
    let primaries = primaries::<M>(t, servers)?;
    let optional =
        |v: &Option<M::S<f64>>, what: &str| v.as_ref().map(|v| positive::<M>(v, what)).transpose();
    Ok(Tier {
        name,
        role: t.role,
        servers,
        capacity,
        capacity_rps,
        ceiling,
        ceiling_source,
        placement,
        primaries,
        bytes_per_request: optional(&t.bytes_per_request, "bytes_per_request")?,
        iops_per_request: optional(&t.iops_per_request, "iops_per_request")?,
        working_set_gib: optional(&t.working_set_gib, "working_set_gib")?,
        data_gb: optional(&t.data_gb, "data_gb")?,
        bytes_per_write: optional(&t.bytes_per_write, "bytes_per_write")?,
        deploy: t.deploy.as_ref().map(deploy::<M>).transpose()?,
        supply: t.supply.as_ref().map(supply::<M>).transpose()?,
    })
}

/// A tier's server count, at least 1 and at most [`MAX_TIER_SERVERS`].
fn servers<M: Mode>(v: &M::S<i64>) -> Result<u32, Invalid> {
    let servers = count::<M>(v, "servers", 1)?;
    if servers > MAX_TIER_SERVERS {
        return err::<_, M, _>(
            v,
            format!(
                "servers is {servers}, more than {MAX_TIER_SERVERS}: every server is placed, \
                 packed and failed one by one, so a typo there would take gigabytes"
            ),
        );
    }
    Ok(servers)
}

/// A tier's utilisation ceiling and where it came from: stated, derived from a
/// response-time target, or the default.
fn ceiling<M: Mode>(t: &RawTier<M>, capacity: Capacity) -> Result<(f64, String), Invalid> {
    let given_ceiling = t
        .ceiling
        .as_ref()
        .map(|c| {
            let x = *M::get(c);
            if x > 0.0 && x <= 1.0 {
                Ok(x)
            } else {
                err::<_, M, _>(c, format!("ceiling must be in (0, 1], not {x}"))
            }
        })
        .transpose()?;
    Ok(match (given_ceiling, capacity) {
        (Some(c), _) => (c, "stated in the file".to_owned()),
        (
            None,
            Capacity::Queue {
                service_time_s,
                workers,
                target_response_s: Some(target),
            },
        ) => target_ceiling::<M>(t, workers, service_time_s, target)?,
        (None, _) => (
            DEFAULT_CEILING,
            "default: at 70% a single-server queue waits 2.3 service times".to_owned(),
        ),
    })
}

/// The ceiling at which an M/M/c queue's mean response meets the tier's target.
fn target_ceiling<M: Mode>(
    t: &RawTier<M>,
    workers: u32,
    service_time_s: f64,
    target: f64,
) -> Result<(f64, String), Invalid> {
    let at = t
        .target_response_ms
        .as_ref()
        .expect("target implies the field");
    match queue::mmc_ceiling(workers, service_time_s, target) {
        Some(c) => Ok((
            c,
            format!(
                "M/M/{workers} keeps the mean response within {:.0} ms up to {:.1}% busy",
                target * 1e3,
                c * 100.0
            ),
        )),
        None => err::<_, M, _>(
            at,
            "target_response_ms must exceed service_time_ms".to_owned(),
        ),
    }
}

/// Where a tier's servers run: VMs in a pool, or machines of a profile in racks.
fn placement<M: Mode>(t: &RawTier<M>, catalog: &Catalog) -> Result<Placement, Invalid> {
    Ok(match (&t.pool, &t.vm, &t.profile) {
        (Some(pool), Some(vm), None) => virtual_placement::<M>(t, pool, vm, catalog)?,
        (Some(pool), None, _) => {
            return err::<_, M, _>(pool, "a tier with a pool needs a vm size".to_owned());
        }
        (None, Some(vm), _) => {
            return err::<_, M, _>(vm, "a tier with a vm size needs a pool".to_owned());
        }
        (Some(_), Some(_), Some(profile)) => {
            return err::<_, M, _>(
                profile,
                "a virtual tier takes its hosts' profile from its pool; drop profile".to_owned(),
            );
        }
        (None, None, profile) => Placement::Physical {
            profile: profile
                .as_ref()
                .map(|p| lookup::<M>(&catalog.profile_index, p, "profile"))
                .transpose()?,
            // A CDN's edge servers are someone else's and stand in none of our racks.
            racks: if t.role == Role::Cdn && t.racks.is_empty() {
                Vec::new()
            } else {
                racks_of::<M>(&catalog.rack_index, &t.racks)?
            },
        },
    })
}

/// A virtual tier's placement: VMs of a size that fits the pool's hosts.
fn virtual_placement<M: Mode>(
    t: &RawTier<M>,
    pool: &M::S<String>,
    vm: &M::S<RawVm<M>>,
    catalog: &Catalog,
) -> Result<Placement, Invalid> {
    let pool_i = lookup::<M>(&catalog.pool_index, pool, "pool")?;
    let size = vm_size::<M>(vm, &catalog.pools[pool_i], &catalog.profiles)?;
    if !t.racks.is_empty() {
        return err::<_, M, _>(
            &t.racks[0],
            "a virtual tier's racks are its pool's; name them on the pool".to_owned(),
        );
    }
    Ok(Placement::Virtual {
        pool: pool_i,
        vm: size,
    })
}

/// A VM's size, checked to fit on one of the pool's hosts.
fn vm_size<M: Mode>(
    vm: &M::S<RawVm<M>>,
    pool: &Pool,
    profiles: &[Profile],
) -> Result<Resources, Invalid> {
    let raw_vm = M::get(vm);
    let size = Resources {
        cores: positive::<M>(&raw_vm.cores, "cores")?,
        memory_gib: positive::<M>(&raw_vm.memory_gib, "memory_gib")?,
        disk_gb: positive::<M>(&raw_vm.disk_gb, "disk_gb")?,
    };
    let host = &profiles[pool.profile];
    if !size.fits_in(&host.resources) {
        return err::<_, M, _>(
            vm,
            format!(
                "a VM of {} cores, {} GiB, {} GB is larger than pool '{}''s hosts ({} cores, {} GiB, {} GB)",
                size.cores,
                size.memory_gib,
                size.disk_gb,
                pool.name,
                host.resources.cores,
                host.resources.memory_gib,
                host.resources.disk_gb
            ),
        );
    }
    Ok(size)
}

/// How many of a tier's servers take writes (0 when the file names none).
fn primaries<M: Mode>(t: &RawTier<M>, servers: u32) -> Result<u32, Invalid> {
    Ok(match &t.primaries {
        Some(p) => {
            let k = count::<M>(p, "primaries", 1)?;
            if k > servers {
                return err::<_, M, _>(
                    p,
                    format!("primaries ({k}) cannot exceed servers ({servers})"),
                );
            }
            k
        }
        None => 0,
    })
}

/// Where a tier's extra capacity comes from.
fn supply<M: Mode>(s: &M::S<String>) -> Result<Supply, Invalid> {
    Ok(match M::get(s).as_str() {
        "purchase" => Supply::Purchase,
        "vm" => Supply::Vm,
        "cloud" => Supply::Cloud,
        other => {
            return err::<_, M, _>(s, format!("supply '{other}': give purchase, vm or cloud"));
        }
    })
}

/// A tier's deployment strategy.
fn deploy<M: Mode>(raw: &M::S<RawDeploy<M>>) -> Result<Deploy, Invalid> {
    let d = M::get(raw);
    let minutes = d
        .minutes
        .as_ref()
        .map(|v| positive::<M>(v, "minutes"))
        .transpose()?
        .unwrap_or(60.0);
    let fraction = match &d.fraction {
        Some(f) => {
            let x = *M::get(f);
            if !(x > 0.0 && x < 1.0) {
                return err::<_, M, _>(f, format!("fraction must be between 0 and 1, not {x}"));
            }
            Some(x)
        }
        None => None,
    };
    let batch = match &d.batch {
        Some(b) if *M::get(b) < 1 => {
            return err::<_, M, _>(b, format!("batch must be at least 1, not {}", M::get(b)));
        }
        Some(b) => Some(u32::try_from(*M::get(b)).unwrap_or(u32::MAX)),
        None => None,
    };
    let strategy = strategy::<M>(&d.strategy, batch, fraction)?;
    Ok(Deploy { strategy, minutes })
}

/// The named deploy strategy, checked against the batch or fraction it was given.
fn strategy<M: Mode>(
    name: &M::S<String>,
    batch: Option<u32>,
    fraction: Option<f64>,
) -> Result<Strategy, Invalid> {
    Ok(match (M::get(name).as_str(), batch, fraction) {
        ("rolling", Some(n), None) => Strategy::Rolling(Batch::Servers(n)),
        ("rolling", None, Some(f)) => Strategy::Rolling(Batch::Fraction(f)),
        ("rolling", _, _) => {
            return err::<_, M, _>(
                name,
                "a rolling deploy takes either batch (servers out at once) or fraction".to_owned(),
            );
        }
        ("canary", None, Some(f)) => Strategy::Canary(f),
        ("canary", _, _) => {
            return err::<_, M, _>(
                name,
                "a canary deploy takes fraction (the share on the new release), not batch"
                    .to_owned(),
            );
        }
        ("blue_green", None, None) => Strategy::BlueGreen,
        ("blue_green", _, _) => {
            return err::<_, M, _>(
                name,
                "a blue_green deploy switches whole sets: it takes no batch or fraction".to_owned(),
            );
        }
        (other, _, _) => {
            return err::<_, M, _>(
                name,
                format!("strategy '{other}': give rolling, blue_green or canary"),
            );
        }
    })
}

/// The tier's capacity model and its requests per second per server at 100% busy.
fn capacity<M: Mode>(t: &RawTier<M>) -> Result<(Capacity, f64), Invalid> {
    one_model::<M>(t)?;
    if let Some(rps) = &t.capacity_rps {
        let rps = positive::<M>(rps, "capacity_rps")?;
        return Ok((Capacity::Fixed { rps }, rps));
    }
    if let Some(usl) = &t.usl {
        return usl_capacity::<M>(usl);
    }
    queue_capacity::<M>(t)
}

/// Checks the tier gives exactly one capacity model, and no queueing fields without
/// the queueing model.
fn one_model<M: Mode>(t: &RawTier<M>) -> Result<(), Invalid> {
    let models = [
        t.capacity_rps.is_some(),
        t.usl.is_some(),
        t.service_time_ms.is_some(),
    ];
    if models.iter().filter(|m| **m).count() != 1 {
        return err::<_, M, _>(
            &t.name,
            format!(
                "tier '{}' needs exactly one of capacity_rps, usl or service_time_ms",
                M::get(&t.name)
            ),
        );
    }
    if t.service_time_ms.is_none() {
        for (field, given) in [
            ("workers", t.workers.as_ref().map(at::<M, i64>)),
            (
                "target_response_ms",
                t.target_response_ms.as_ref().map(at::<M, f64>),
            ),
        ] {
            if let Some(at) = given {
                return Err((at, format!("{field} only applies with service_time_ms")));
            }
        }
    }
    Ok(())
}

/// A Universal Scalability Law capacity, evaluated at the stated concurrency or else
/// at the integer concurrency below the peak.
fn usl_capacity<M: Mode>(usl: &M::S<RawUsl<M>>) -> Result<(Capacity, f64), Invalid> {
    let u = M::get(usl);
    let alpha = share::<M>(&u.alpha, "usl.alpha", false)?;
    let beta = share::<M>(&u.beta, "usl.beta", false)?;
    let gamma = positive::<M>(&u.gamma, "usl.gamma")?;
    let concurrency = match (&u.concurrency, queue::usl_peak_concurrency(alpha, beta)) {
        (Some(n), _) => positive::<M>(n, "usl.concurrency")?,
        (None, Some(peak)) => peak.floor().max(1.0),
        (None, None) => {
            return err::<_, M, _>(
                usl,
                "with beta = 0 throughput never peaks: give usl.concurrency".to_owned(),
            );
        }
    };
    let rps = queue::usl_throughput(alpha, beta, gamma, concurrency);
    Ok((
        Capacity::Usl {
            alpha,
            beta,
            gamma,
            concurrency,
        },
        rps,
    ))
}

/// An M/M/c queueing capacity: `workers` slots each taking the service time.
fn queue_capacity<M: Mode>(t: &RawTier<M>) -> Result<(Capacity, f64), Invalid> {
    let service = t.service_time_ms.as_ref().expect("one model is present");
    let service_time_s = positive::<M>(service, "service_time_ms")? / 1e3;
    let workers = match &t.workers {
        Some(w) => {
            let n = count::<M>(w, "workers", 1)?;
            if n > MAX_WORKERS {
                return err::<_, M, _>(
                    w,
                    format!(
                        "workers is {n}, more than {MAX_WORKERS}: one server's request \
                         slots in the M/M/c model (processes, threads), not connections"
                    ),
                );
            }
            n
        }
        None => {
            return err::<_, M, _>(service, "service_time_ms needs workers".to_owned());
        }
    };
    let target_response_s = t
        .target_response_ms
        .as_ref()
        .map(|v| positive::<M>(v, "target_response_ms").map(|ms| ms / 1e3))
        .transpose()?;
    Ok((
        Capacity::Queue {
            service_time_s,
            workers,
            target_response_s,
        },
        f64::from(workers) / service_time_s,
    ))
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

[[profile]]
name = "small"
cores = 8
memory_gib = 32
disk_gb = 500

[[pool]]
name = "xen"
profile = "small"

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
pool = "xen"
vm = { cores = 4, memory_gib = 8, disk_gb = 40 }

[[tier]]
name = "db"
role = "database"
servers = 2
capacity_rps = 1000
profile = "small"

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
    fn the_chain_is_valid() {
        let t = parse(CHAIN, Path::new("t.toml")).unwrap();
        assert_eq!(t.total_servers(), 8);
        assert_eq!(t.tiers()[1].ceiling_source, "stated in the file");
        assert_eq!(t.tiers()[0].ceiling, DEFAULT_CEILING);
    }

    #[test]
    fn deploys_and_supplies_are_checked() {
        let with = |deploy: &str| {
            CHAIN.replacen(
                "ceiling = 0.5",
                &format!("ceiling = 0.5\ndeploy = {{ {deploy} }}"),
                1,
            )
        };
        let t = parse(
            &with("strategy = \"rolling\", fraction = 0.25"),
            Path::new("t.toml"),
        )
        .unwrap();
        let d = t.tiers()[1].deploy.unwrap();
        // A quarter of 4 is 1; of 10, 3 (rounded up); never more than there are.
        assert_eq!((d.out_of_rotation(4), d.out_of_rotation(10)), (1, 3));
        assert_eq!(d.describe(), "rolling 25% at a time");
        assert_eq!(d.minutes, 60.0);
        assert_eq!(t.tiers()[1].supply(), Supply::Vm);
        assert_eq!(t.tiers()[2].supply(), Supply::Purchase);
        for (deploy, want) in [
            (
                "strategy = \"rolling\"",
                "t.toml:27:23: a rolling deploy takes either batch (servers out at once) or fraction",
            ),
            (
                "strategy = \"canary\", batch = 2",
                "t.toml:27:23: a canary deploy takes fraction (the share on the new release), not batch",
            ),
            (
                "strategy = \"blue_green\", batch = 1",
                "t.toml:27:23: a blue_green deploy switches whole sets: it takes no batch or fraction",
            ),
            (
                "strategy = \"rolling\", batch = 0",
                "t.toml:27:42: batch must be at least 1, not 0",
            ),
            (
                "strategy = \"canary\", fraction = 1.5",
                "t.toml:27:44: fraction must be between 0 and 1, not 1.5",
            ),
            (
                "strategy = \"big_bang\"",
                "t.toml:27:23: strategy 'big_bang': give rolling, blue_green or canary",
            ),
        ] {
            assert_eq!(error_of(&with(deploy)), want, "{deploy}");
        }
        let supply =
            error_of(&CHAIN.replacen("ceiling = 0.5", "ceiling = 0.5\nsupply = \"rent\"", 1));
        assert_eq!(
            supply,
            "t.toml:27:10: supply 'rent': give purchase, vm or cloud"
        );
    }

    #[test]
    fn every_error_names_line_column_and_reason() {
        let cases = [
            (
                "to = \"db\"",
                "to = \"dbx\"",
                "t.toml:44:6: unknown tier 'dbx'",
            ),
            (
                "servers = 4",
                "servers = 0",
                "t.toml:24:11: servers must be a whole number ≥ 1, not 0",
            ),
            (
                "servers = 4",
                "servers = -3",
                "t.toml:24:11: servers must be a whole number ≥ 1, not -3",
            ),
            (
                "servers = 4",
                "servers = 40000000",
                "t.toml:24:11: servers is 40000000, more than 1000000: every server is placed, \
                 packed and failed one by one, so a typo there would take gigabytes",
            ),
            (
                "ratio = 3.0",
                "ratio = -1.0",
                "t.toml:45:9: ratio must be a positive number, not -1",
            ),
            (
                "ratio = 3.0",
                "ratio = 0.0",
                "t.toml:45:9: ratio must be a positive number, not 0",
            ),
            (
                "capacity_rps = 1000\n",
                "capacity_rps = 0\n",
                "t.toml:34:16: capacity_rps must be a positive number, not 0",
            ),
            (
                "ceiling = 0.5",
                "ceiling = 1.5",
                "t.toml:26:11: ceiling must be in (0, 1], not 1.5",
            ),
            (
                "profile = \"small\"\n\n[[edge]]",
                "profile = \"big\"\n\n[[edge]]",
                "t.toml:35:11: unknown profile 'big'",
            ),
            (
                "profile = \"small\"\n\n[[tier]]",
                "profile = \"large\"\n\n[[tier]]",
                "t.toml:13:11: unknown profile 'large'",
            ),
            (
                "pool = \"xen\"\nvm",
                "pool = \"kvm\"\nvm",
                "t.toml:27:8: unknown pool 'kvm'",
            ),
            (
                "cores = 4, memory_gib = 8",
                "cores = 4, memory_gib = 64",
                "t.toml:28:6: a VM of 4 cores, 64 GiB, 40 GB is larger than pool 'xen''s hosts (8 cores, 32 GiB, 500 GB)",
            ),
            (
                "entry = \"lb\"",
                "entry = \"front\"",
                "t.toml:3:9: unknown tier 'front'",
            ),
            (
                "name = \"db\"",
                "name = \"ap\"",
                "t.toml:31:8: tier 'ap' is defined twice",
            ),
            (
                "capacity_rps = 100\n",
                "capacity_rps = 100\nservice_time_ms = 20\nworkers = 2\n",
                "t.toml:22:8: tier 'ap' needs exactly one of capacity_rps, usl or service_time_ms",
            ),
        ];
        for (from, to, want) in cases {
            assert!(CHAIN.contains(from), "{from}");
            assert_eq!(
                error_of(&CHAIN.replacen(from, to, 1)),
                want,
                "replacing {from:?}"
            );
        }
        let cycle = error_of(&format!(
            "{CHAIN}\n[[edge]]\nfrom = \"db\"\nto = \"ap\"\nratio = 1.0\n"
        ));
        assert!(cycle.ends_with("is part of a cycle"), "{cycle}");
        assert!(
            cycle.starts_with("t.toml:22:8: ") || cycle.starts_with("t.toml:31:8: "),
            "{cycle}"
        );
        let role = error_of(&CHAIN.replace("\"database\"", "\"databse\""));
        assert!(
            role.starts_with("t.toml:32:8: unknown variant `databse`"),
            "{role}"
        );
        let unreachable =
            error_of(&CHAIN.replace("from = \"ap\"\nto = \"db\"", "from = \"db\"\nto = \"ap\""));
        assert!(
            unreachable.ends_with("is part of a cycle") || unreachable.contains("not reachable"),
            "{unreachable}"
        );
        let orphan =
            error_of(&CHAIN.replace("[[edge]]\nfrom = \"ap\"\nto = \"db\"\nratio = 3.0\n", ""));
        assert_eq!(
            orphan,
            "t.toml:31:8: tier 'db' is not reachable from the entry"
        );
        let writes = error_of(&CHAIN.replace("ratio = 3.0", "ratio = 3.0\nwrite_fraction = 0.1"));
        assert_eq!(
            writes,
            "t.toml:46:18: write_fraction needs tier 'db' to say how many primaries take the writes"
        );
        let hits = error_of(&CHAIN.replace("ratio = 3.0", "ratio = 3.0\nhit_ratio = 1.0"));
        assert_eq!(hits, "t.toml:46:13: hit_ratio must be in [0, 1), not 1");
        let primaries = error_of(&CHAIN.replace(
            "profile = \"small\"\n\n[[edge]]",
            "profile = \"small\"\nprimaries = 3\n\n[[edge]]",
        ));
        assert_eq!(
            primaries,
            "t.toml:36:13: primaries (3) cannot exceed servers (2)"
        );
        let stray = error_of(&CHAIN.replace("ceiling = 0.5", "workers = 8"));
        assert_eq!(
            stray,
            "t.toml:26:11: workers only applies with service_time_ms"
        );
        let unknown_field = error_of(&CHAIN.replace("ceiling = 0.5", "celing = 0.5"));
        assert!(
            unknown_field.starts_with("t.toml:26:1: unknown field `celing`"),
            "{unknown_field}"
        );
    }

    #[test]
    fn queueing_target_sets_the_ceiling() {
        let t = parse(
            &CHAIN.replace(
                "capacity_rps = 100\nceiling = 0.5",
                "service_time_ms = 200\nworkers = 30\ntarget_response_ms = 250",
            ),
            Path::new("t.toml"),
        )
        .unwrap();
        let ap = &t.tiers()[1];
        // 30 workers at 200 ms: 150 rps per server at 100% busy.
        assert!((ap.capacity_rps - 150.0).abs() < 1e-9);
        let c = ap.ceiling;
        assert!((crate::queue::mmc_response(30, 0.2, c) - 0.25).abs() < 1e-6);
        assert!(c > 0.8 && c < 1.0, "{c}");
        assert!(
            ap.ceiling_source
                .starts_with("M/M/30 keeps the mean response within 250 ms up to")
        );
        let too_fast = error_of(&CHAIN.replace(
            "capacity_rps = 100\nceiling = 0.5",
            "service_time_ms = 200\nworkers = 30\ntarget_response_ms = 150",
        ));
        assert_eq!(
            too_fast,
            "t.toml:27:22: target_response_ms must exceed service_time_ms"
        );
        let too_many = error_of(&CHAIN.replace(
            "capacity_rps = 100\nceiling = 0.5",
            "service_time_ms = 200\nworkers = 4000000000\ntarget_response_ms = 250",
        ));
        assert!(
            too_many.starts_with("t.toml:26:11: workers is 4000000000, more than 100000"),
            "{too_many}"
        );
    }

    #[test]
    fn usl_capacity_defaults_to_the_peak() {
        let t = parse(
            &CHAIN.replace(
                "capacity_rps = 100\nceiling = 0.5",
                "usl = { alpha = 0.02773, beta = 0.0001044, gamma = 90.0 }",
            ),
            Path::new("t.toml"),
        )
        .unwrap();
        // N* = 96.5 → evaluated at 96 users: R's usl gives a limit of ~1,883 per hour.
        let ap = &t.tiers()[1];
        assert!(matches!(ap.capacity, Capacity::Usl { concurrency, .. } if concurrency == 96.0));
        assert!(
            (ap.capacity_rps - crate::queue::usl_throughput(0.02773, 0.0001044, 90.0, 96.0)).abs()
                < 1e-9
        );
    }

    #[test]
    fn json_and_yaml_read_the_same_topology() {
        let toml_t = parse(CHAIN, Path::new("t.toml")).unwrap();
        let value: toml::Value = toml::from_str(CHAIN).unwrap();
        let json = serde_json::to_string_pretty(&value).unwrap();
        let json_t = parse_as(&json, Path::new("t.json"), Format::Json).unwrap();
        let yaml = serde_norway::to_string(&value).unwrap();
        let yaml_t = parse_as(&yaml, Path::new("t.yaml"), Format::Yaml).unwrap();
        for t in [&json_t, &yaml_t] {
            assert_eq!(t.tiers(), toml_t.tiers());
            assert_eq!(t.edges(), toml_t.edges());
            assert_eq!(t.pools(), toml_t.pools());
        }
        // Syntax and type errors carry positions; semantic ones name the element.
        let bad = json.replace("\"servers\": 4", "\"servers\": \"four\"");
        let e = parse_as(&bad, Path::new("t.json"), Format::Json)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.json:") && e.contains("invalid type: string \"four\""),
            "{e}"
        );
        assert!(!e.contains(" at line "), "{e}");
        // Semantic errors point at the element they name (its name, or its from key).
        let bad = json.replace("\"servers\": 4", "\"servers\": 0");
        let line = bad
            .lines()
            .position(|l| l.contains("\"name\": \"ap\""))
            .unwrap()
            + 1;
        let column = bad.lines().nth(line - 1).unwrap().find("\"name\"").unwrap() + 1;
        let e = parse_as(&bad, Path::new("t.json"), Format::Json)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!("t.json:{line}:{column}: tier 'ap': servers must be a whole number ≥ 1, not 0")
        );
        let bad = yaml.replace("ratio: 3.0", "ratio: -3.0");
        let lines: Vec<&str> = bad.lines().collect();
        let ratio = lines
            .iter()
            .position(|l| l.contains("ratio: -3.0"))
            .unwrap();
        let from = (0..ratio)
            .rev()
            .find(|&i| lines[i].contains("from: ap"))
            .unwrap();
        let column = lines[from].find("from").unwrap() + 1;
        let e = parse_as(&bad, Path::new("t.yaml"), Format::Yaml)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "t.yaml:{}:{column}: edge ap → db: ratio must be a positive number, not -3",
                from + 1
            )
        );
        // A cycle names a tier, found the same way.
        let cyclic = json.replace("\"to\": \"db\"", "\"to\": \"lb\"");
        let e = parse_as(&cyclic, Path::new("t.json"), Format::Json)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("is part of a cycle") && e.starts_with("t.json:"),
            "{e}"
        );
        assert!(e.split(':').nth(1).unwrap().parse::<usize>().is_ok(), "{e}");
        let bad = yaml.replace("servers: 4", "servers: [4");
        let e = parse_as(&bad, Path::new("t.yaml"), Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.yaml:"), "{e}");
        assert_eq!(Format::from_path(Path::new("a/b.yml")), Format::Yaml);
        assert_eq!(Format::from_path(Path::new("a/b.json")), Format::Json);
        assert_eq!(Format::from_path(Path::new("a/b.toml")), Format::Toml);
    }
}
