//! The report's figures beyond traffic and servers: the forecast with its band and the
//! tightest tier's capacity, the hour-of-week heat map, utilisation against the ceilings
//! and the cumulative cost of each option.

use headroom_chart::{
    Band, HeatMap, MonthLines, Series, ServersChart, TrafficChart, heat_map, month_lines,
    servers_chart, traffic_chart,
};
use headroom_plan::replay::History;
use headroom_topology::Topology;
use headroom_traffic::Rollups;
use headroom_traffic::time::{DAY, format_date};

use crate::error::{Context as _, Result};
use crate::pipeline::Planned;

/// The report's SVG documents beyond traffic and servers; `None` for those a metric
/// series cannot draw (it has no statuses, bytes or minutes).
#[derive(Debug)]
pub struct Figures {
    /// [`tiers`].
    pub topology: String,
    /// [`forecast`].
    pub forecast: Option<String>,
    /// [`heat`].
    pub heat: Option<String>,
    /// [`mix`].
    pub mix: Option<String>,
    /// [`bandwidth`].
    pub bandwidth: Option<String>,
    /// [`busiest_day`].
    pub busiest_day: Option<String>,
    /// [`utilisation`].
    pub utilisation: String,
    /// [`cost`].
    pub cost: String,
}

/// The charts the report draws, each of which [`draw`] makes on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Requests per second by hour: busiest minute (or step) and mean.
    Traffic,
    /// Megabits per second by hour (a dataset).
    Bandwidth,
    /// The day with the busiest minute, minute by minute (a dataset).
    BusiestDay,
    /// The busiest minute of each hour of the week (a dataset).
    HourOfWeek,
    /// Status classes, static assets and bots as shares of each hour (a dataset).
    StatusMix,
    /// Daily peaks and their forecast with the planned interval (a plan).
    Forecast,
    /// Servers per tier per month, stacked (a plan).
    Servers,
    /// Each tier's utilisation with today's servers against its ceiling (a plan).
    Utilisation,
    /// Cumulative cost of self-built and cloud (a plan).
    Cost,
    /// The tiers coloured by utilisation at the last planned peak (a plan).
    Topology,
    /// The planner replayed on the history: each month's peak against the capacity in
    /// service (a plan, and 90 days of history and a month).
    Replay,
}

impl Kind {
    /// Every kind, in the report's order.
    pub const ALL: [Kind; 11] = [
        Kind::Traffic,
        Kind::Bandwidth,
        Kind::BusiestDay,
        Kind::HourOfWeek,
        Kind::StatusMix,
        Kind::Forecast,
        Kind::Servers,
        Kind::Utilisation,
        Kind::Cost,
        Kind::Topology,
        Kind::Replay,
    ];

    /// The kind's name on the command line and its file's in the report, without
    /// the extension.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Traffic => "traffic",
            Kind::Bandwidth => "bandwidth",
            Kind::BusiestDay => "busiest-day",
            Kind::HourOfWeek => "hour-of-week",
            Kind::StatusMix => "mix",
            Kind::Forecast => "forecast",
            Kind::Servers => "servers",
            Kind::Utilisation => "utilisation",
            Kind::Cost => "cost",
            Kind::Topology => "topology",
            Kind::Replay => "replay",
        }
    }

    /// The kind named `name` ([`Kind::name`]).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether drawing it needs a plan (and so a topology).
    pub fn needs_plan(self) -> bool {
        !matches!(
            self,
            Kind::Traffic | Kind::Bandwidth | Kind::BusiestDay | Kind::HourOfWeek | Kind::StatusMix
        )
    }
}

/// What a chart is drawn from: traffic (a dataset's minutes, or a series' history) and,
/// for the plan's charts, a topology and the options to plan it with.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// A dataset's minutes; `None` for a metric series.
    pub rollups: Option<&'a Rollups>,
    /// The history: the dataset's minutes or the series' steps.
    pub history: &'a History,
    /// The topology, for the plan's charts.
    pub topology: Option<&'a Topology>,
    /// Months to plan.
    pub months: u32,
    /// How to plan.
    pub options: &'a crate::pipeline::Options,
}

/// Draws the chart of `kind` as the report does; `None` when the traffic is too little
/// for it (no day's minutes, a history too short to replay).
pub fn draw(kind: Kind, inputs: &Inputs<'_>) -> Result<Option<String>> {
    if !kind.needs_plan() {
        return from_traffic(kind, inputs.rollups, inputs.history);
    }
    let topology = inputs.topology.ok_or(crate::Error::Needs {
        what: kind.name(),
        needs: "a topology",
    })?;
    let planned = match inputs.rollups {
        Some(r) => crate::pipeline::plan_dataset(topology, r, inputs.months, inputs.options)?,
        None => {
            crate::pipeline::plan_history(topology, inputs.history, inputs.months, inputs.options)?
        }
    };
    from_plan(kind, inputs, topology, planned)
}

/// The charts drawn from the traffic alone.
fn from_traffic(
    kind: Kind,
    rollups: Option<&Rollups>,
    history: &History,
) -> Result<Option<String>> {
    let Some(rollups) = rollups else {
        if kind != Kind::Traffic {
            return Err(crate::Error::Needs {
                what: kind.name(),
                needs: "a dataset's minutes, not a series",
            });
        }
        return Ok(Some(traffic(None, history)?));
    };
    match kind {
        Kind::Traffic => Ok(Some(traffic(Some(rollups), history)?)),
        Kind::Bandwidth => bandwidth(rollups),
        Kind::BusiestDay => busiest_day(rollups),
        Kind::HourOfWeek => heat(rollups),
        Kind::StatusMix => mix(rollups),
        _ => unreachable!("the plan's charts are drawn by from_plan"),
    }
}

/// The charts drawn from a plan of the traffic through the topology.
fn from_plan(
    kind: Kind,
    inputs: &Inputs<'_>,
    topology: &Topology,
    planned: Planned,
) -> Result<Option<String>> {
    if kind != Kind::Replay {
        // As in the report: failures played out at the measured peak.
        let peak = inputs.history.rps.iter().copied().fold(0.0, f64::max);
        return draw_plan(kind, &planned, topology, peak);
    }
    let replayed = planned.replay(topology, inputs.history, inputs.months, inputs.options)?;
    let quantile = planned.quantile.unwrap_or(headroom_plan::Quantile::Upper80);
    replayed.map(|r| held(&r, quantile)).transpose()
}

/// Draws a chart of a plan already made (from the traffic, or read back from
/// `headroom plan --json`): forecast (`None` without the daily forecast), servers,
/// utilisation, cost, or the topology with failures played out at `peak_rps`.
pub fn draw_plan(
    kind: Kind,
    planned: &Planned,
    topology: &Topology,
    peak_rps: f64,
) -> Result<Option<String>> {
    Ok(match kind {
        Kind::Forecast => forecast(planned, topology)?,
        Kind::Servers => Some(servers(planned, topology)?),
        Kind::Utilisation => Some(utilisation(planned, topology)?),
        Kind::Cost => Some(cost(planned)?),
        Kind::Topology => {
            let analysis = headroom_topology::analyze(topology, peak_rps);
            Some(tiers(planned, topology, &analysis)?)
        }
        _ => {
            return Err(crate::Error::Needs {
                what: kind.name(),
                needs: "the traffic, not a plan",
            });
        }
    })
}

/// Draws every figure the report has beyond traffic and servers.
pub fn figures(
    planned: &Planned,
    topology: &Topology,
    rollups: Option<&Rollups>,
    analysis: &headroom_topology::Analysis,
) -> Result<Figures> {
    // A metric series has no minutes, statuses or bytes: those figures need logs.
    let from_logs = |f: fn(&Rollups) -> Result<Option<String>>| rollups.map_or(Ok(None), f);
    Ok(Figures {
        topology: tiers(planned, topology, analysis)?,
        forecast: forecast(planned, topology)?,
        heat: from_logs(heat)?,
        mix: from_logs(mix)?,
        bandwidth: from_logs(bandwidth)?,
        busiest_day: from_logs(busiest_day)?,
        utilisation: utilisation(planned, topology)?,
        cost: cost(planned)?,
    })
}

/// The tiers left to right by depth from the entry, coloured by their utilisation with
/// today's servers at the last planned month's peak, single points of failure marked.
pub fn tiers(
    planned: &Planned,
    topology: &Topology,
    analysis: &headroom_topology::Analysis,
) -> Result<String> {
    use headroom_topology::Band;
    let peak = planned.plan.months.last().map_or(0.0, |m| m.peak_rps);
    let nodes = nodes(topology, analysis, peak);
    let edges: Vec<(usize, usize)> = topology.edges().iter().map(|e| (e.from, e.to)).collect();
    let key = [Band::Comfortable, Band::Near, Band::Over].map(|b| {
        let words = match b {
            Band::Comfortable => "below 80% of its ceiling",
            Band::Near => "within 20% of its ceiling",
            Band::Over => "at or over its ceiling",
        };
        (b.colour(), words)
    });
    let last = planned.demand.month_labels.last();
    let title = format!(
        "Tiers at {} rps ({}'s planned peak) with today's servers",
        headroom_chart::si(peak),
        last.map_or("-", String::as_str)
    );
    headroom_chart::graph(&headroom_chart::Graph {
        title: &title,
        nodes: &nodes,
        edges: &edges,
        key: &key,
    })
    .context("drawing the topology")
}

/// Each tier's box: its detail (servers, how busy at `peak`, what reaches it), its
/// layer (depth from the entry), its colour and whether it is a single point of failure.
fn nodes<'a>(
    topology: &'a Topology,
    analysis: &headroom_topology::Analysis,
    peak: f64,
) -> Vec<headroom_chart::Node<'a>> {
    let layer = layers(topology);
    let incoming = incoming(topology);
    let spofs: Vec<&str> = analysis
        .single_points_of_failure
        .iter()
        .map(|s| s.tier.as_str())
        .collect();
    topology
        .tiers()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let u = topology.utilisation(i, peak, t.servers).0;
            let busy = if u < 0.1 {
                format!("{} servers, {:.1}% busy", t.servers, u * 100.0)
            } else {
                format!("{} servers, {:.0}% busy", t.servers, u * 100.0)
            };
            let detail = std::iter::once(busy)
                .chain(incoming[i].iter().cloned())
                .collect::<Vec<_>>()
                .join("\n");
            headroom_chart::Node {
                name: &t.name,
                detail,
                layer: layer[i],
                fill: headroom_topology::Band::of(u, t.ceiling).colour(),
                marked: spofs.contains(&t.name.as_str()),
            }
        })
        .collect()
}

/// Each tier's depth from the entry: the longest path to it.
fn layers(topology: &Topology) -> Vec<usize> {
    let mut layer = vec![0usize; topology.tiers().len()];
    for &t in topology.order() {
        for e in topology.edges().iter().filter(|e| e.from == t) {
            layer[e.to] = layer[e.to].max(layer[t] + 1);
        }
    }
    layer
}

/// What reaches each tier, per request of the tier sending it.
fn incoming(topology: &Topology) -> Vec<Vec<String>> {
    (0..topology.tiers().len())
        .map(|i| {
            topology
                .edges()
                .iter()
                .filter(|e| e.to == i)
                .map(|e| {
                    let hits = if e.hit_ratio > 0.0 {
                        format!(", {:.0}% cached", e.hit_ratio * 100.0)
                    } else {
                        String::new()
                    };
                    format!("× {} from {}{hits}", e.ratio, topology.tiers()[e.from].name)
                })
                .collect()
        })
        .collect()
}

/// Daily peaks, their forecast with the planned interval, and the front-door rate at
/// which the tightest tier reaches its ceiling with today's servers.
pub fn forecast(planned: &Planned, topology: &Topology) -> Result<Option<String>> {
    let Some((first_day, daily)) = &planned.demand.daily_forecast else {
        return Ok(None);
    };
    let history: Vec<(i64, f64)> = planned.demand.daily_peaks.clone();
    let (point, band) = forecast_lines(planned, *first_day, daily);
    let (capacity, capacity_label) = tightest(topology);
    let band_label = planned.quantile.map_or("interval".to_owned(), |q| {
        q.describe().replace("the upper bound of the ", "")
    });
    let top = band
        .iter()
        .map(|b| b.2)
        .chain(history.iter().map(|h| h.1))
        .fold(0.0, f64::max);
    let (title, far) = forecast_title(capacity, top);
    let svg = traffic_chart(&TrafficChart {
        title: &title,
        y_label: "requests/s (busiest minute)",
        series: &[
            Series {
                name: "measured",
                points: &history,
            },
            Series {
                name: "forecast",
                points: &point,
            },
        ],
        time_label: &|t, _| format_date(t),
        band: Some(Band {
            name: &band_label,
            points: &band,
        }),
        ceiling: (!far).then_some((capacity, capacity_label.as_str())),
    })
    .context("drawing the forecast chart")?;
    Ok(Some(svg))
}

/// The front-door rate at which the tightest tier reaches its ceiling with today's
/// servers, and its name in words.
fn tightest(topology: &Topology) -> (f64, String) {
    let bottleneck = topology.bottleneck();
    let capacity = topology.loads(1.0)[bottleneck].saturation_entry_rps;
    let tier = &topology.tiers()[bottleneck];
    let label = format!(
        "'{}' at its ceiling with today's {} servers",
        tier.name, tier.servers
    );
    (capacity, label)
}

/// The forecast's point and band by day, only as far as the plan's last month (and a
/// month more): the look-ahead months are not planned.
fn forecast_lines(
    planned: &Planned,
    first_day: i64,
    daily: &headroom_plan::DailyForecast,
) -> (Points, Vec<(i64, f64, f64)>) {
    let day = |i: usize| (first_day + i as i64) * DAY;
    let shown = planned.plan.months.len() as f64 * headroom_plan::DAYS_PER_MONTH;
    let n = daily.point.len().min(shown.ceil() as usize + 31);
    let point = (0..n).map(|i| (day(i), daily.point[i])).collect();
    let band = (0..n)
        .map(|i| (day(i), daily.lower[i], daily.upper[i]))
        .collect();
    (point, band)
}

/// The forecast chart's title, and whether the capacity is `far` above the highest
/// value (`top`): drawn, it would flatten the traffic to the axis, so it is named in the
/// title instead.
fn forecast_title(capacity: f64, top: f64) -> (String, bool) {
    if capacity > 10.0 * top {
        let title = format!(
            "Daily peak requests/s (capacity {:.0}, {:.0}× the highest forecast, not drawn)",
            capacity,
            capacity / top.max(1e-9)
        );
        (title, true)
    } else {
        (
            "Daily peak requests/s: measured, forecast and capacity".to_owned(),
            false,
        )
    }
}

/// Each option's spend summed month by month (elastic only with an hourly profile).
fn cumulative_costs(c: &headroom_plan::Costs) -> Vec<(String, Vec<f64>)> {
    let running = |f: &dyn Fn(&headroom_plan::CostMonth) -> f64| -> Vec<f64> {
        c.months
            .iter()
            .scan(0.0, |sum, m| {
                *sum += f(m);
                Some(*sum)
            })
            .collect()
    };
    let mut series = vec![
        (
            "self-built (cash)".to_owned(),
            running(&|m| m.self_built_cash),
        ),
        (
            "self-built (amortised)".to_owned(),
            running(&|m| m.self_built),
        ),
        ("cloud reserved".to_owned(), running(&|m| m.cloud_reserved)),
        (
            "cloud on demand".to_owned(),
            running(&|m| m.cloud_on_demand),
        ),
    ];
    if c.totals.cloud_elastic.is_some() {
        series.push((
            "cloud elastic".to_owned(),
            running(&|m| m.cloud_elastic.unwrap_or(0.0)),
        ));
    }
    series
}

/// Each tier's realised monthly peaks as a percentage of the capacity the plan had.
fn shares_of_capacity(
    plan: &headroom_plan::replay::Outcome,
    realised: &[f64],
) -> Vec<(String, Vec<f64>)> {
    plan.tiers
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let values = plan
                .capacity_rps
                .iter()
                .zip(realised)
                .map(|(capacity, peak)| peak / capacity[k] * 100.0)
                .collect();
            (t.tier.clone(), values)
        })
        .collect()
}

/// Each hour's requests, statuses, static assets and bots, summed from its minutes.
fn hourly_counts(
    rollups: &Rollups,
) -> std::collections::BTreeMap<i64, headroom_traffic::MinuteCounts> {
    let mut hours: std::collections::BTreeMap<i64, headroom_traffic::MinuteCounts> =
        Default::default();
    for (minute, c) in rollups.iter() {
        let h = hours.entry(minute.div_euclid(3600) * 3600).or_default();
        h.requests += c.requests;
        for (a, b) in h.status.iter_mut().zip(c.status) {
            *a += b;
        }
        h.static_assets += c.static_assets;
        h.bots += c.bots;
    }
    hours
}

/// (Unix seconds, requests/s) points of a chart line.
type Points = Vec<(i64, f64)>;

/// Requests per second by hour: each hour's busiest minute and its mean from a
/// dataset's minutes, else each hour's busiest step and mean from a history.
pub fn traffic(rollups: Option<&Rollups>, history: &History) -> Result<String> {
    let (busiest, mean) = match rollups {
        Some(rollups) => hourly_rates(rollups),
        None => hourly_of(history),
    };
    traffic_chart(&TrafficChart {
        title: "Requests per second, by hour",
        y_label: "requests/s",
        series: &[
            Series {
                name: if rollups.is_some() {
                    "busiest minute of the hour"
                } else {
                    "busiest step of the hour (or the day's step)"
                },
                points: &busiest,
            },
            Series {
                name: "hourly mean",
                points: &mean,
            },
        ],
        time_label: &hour_label,
        band: None,
        ceiling: None,
    })
    .context("drawing the traffic chart")
}

/// Requests/s of each hour of a dataset: its busiest minute's and its mean.
fn hourly_rates(rollups: &Rollups) -> (Points, Points) {
    let hours = per_hour(rollups, |c| c.requests);
    let busiest = hours
        .iter()
        .map(|&(h, top, _)| (h, top as f64 / 60.0))
        .collect();
    let mean = hours
        .iter()
        .map(|&(h, _, total)| (h, total as f64 / 3600.0))
        .collect();
    (busiest, mean)
}

/// Requests/s of each hour a history spans: its busiest step and its mean (a step
/// of an hour or more stands for its hours as one point).
fn hourly_of(history: &History) -> (Points, Points) {
    let per = (3600 / history.step_s).max(1) as usize;
    let (mut busiest, mut mean) = (Vec::new(), Vec::new());
    for (k, chunk) in history.rps.chunks(per).enumerate() {
        let t = history.start_s + (k * per) as i64 * history.step_s;
        busiest.push((t, chunk.iter().copied().fold(0.0, f64::max)));
        mean.push((t, chunk.iter().sum::<f64>() / chunk.len() as f64));
    }
    (busiest, mean)
}

/// Servers in service per tier by month, stacked, with today's total and the machines
/// (VM hosts counted, not their VMs).
pub fn servers(planned: &Planned, topology: &Topology) -> Result<String> {
    let servers: Vec<Vec<u32>> = planned
        .plan
        .months
        .iter()
        .map(|m| m.tiers.iter().map(|t| t.total).collect())
        .collect();
    let machines: Vec<u32> = (0..planned.plan.months.len())
        .map(|i| planned.plan.machines(topology, i))
        .collect();
    let tier_names: Vec<String> = topology.tiers().iter().map(|t| t.name.clone()).collect();
    servers_chart(&ServersChart {
        title: "Servers in service per tier (stacked; VMs count one each), by month",
        months: &planned.demand.month_labels,
        tiers: &tier_names,
        servers: &servers,
        today_total: Some(topology.total_servers()),
        machines: Some(&machines),
    })
    .context("drawing the servers chart")
}

/// Writes an SVG document to `path`: as SVG with the report's font embedded, or
/// rasterised when the extension is .png.
pub fn write(path: &std::path::Path, svg: &str) -> Result<()> {
    let bytes = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("png") => {
            headroom_chart::png(svg).context("rasterising the chart")?
        }
        Some(e) if e.eq_ignore_ascii_case("svg") => {
            headroom_chart::with_embedded_font(svg).into_bytes()
        }
        _ => {
            return Err(crate::Error::ChartFile {
                path: path.to_owned(),
            });
        }
    };
    crate::error::write(path, &bytes)
}

/// Labels for hourly time axes: the date alone when ticks are whole days apart.
pub fn hour_label(t: i64, step: i64) -> String {
    let stamp = headroom_traffic::time::format_rfc3339(t);
    if step % DAY == 0 {
        stamp[..10].to_owned()
    } else {
        stamp[5..16].replace('T', " ")
    }
}

/// Every hour from the first to the last with traffic (idle hours as zeros): the hour's
/// start, its busiest minute's and its total of `count`.
pub fn per_hour(
    rollups: &Rollups,
    count: impl Fn(&headroom_traffic::MinuteCounts) -> i64,
) -> Vec<(i64, i64, i64)> {
    let mut hours: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
    for (minute, c) in rollups.iter() {
        let h = hours.entry(minute.div_euclid(3600) * 3600).or_default();
        let n = count(c);
        h.0 = h.0.max(n);
        h.1 += n;
    }
    let (Some(&first), Some(&last)) = (hours.keys().next(), hours.keys().next_back()) else {
        return Vec::new();
    };
    (first..=last)
        .step_by(3600)
        .map(|h| {
            let (top, total) = hours.get(&h).copied().unwrap_or_default();
            (h, top, total)
        })
        .collect()
}

/// Megabits per second in each hour's busiest minute and on the hour's average.
pub fn bandwidth(rollups: &Rollups) -> Result<Option<String>> {
    let hours = per_hour(rollups, |c| c.bytes);
    if hours.is_empty() {
        return Ok(None);
    }
    let mbps = |bytes: i64, seconds: f64| bytes as f64 * 8.0 / 1e6 / seconds;
    let peak: Vec<(i64, f64)> = hours
        .iter()
        .map(|&(h, top, _)| (h, mbps(top, 60.0)))
        .collect();
    let mean: Vec<(i64, f64)> = hours
        .iter()
        .map(|&(h, _, total)| (h, mbps(total, 3600.0)))
        .collect();
    let svg = traffic_chart(&TrafficChart {
        title: "Bandwidth, by hour",
        y_label: "Mbps",
        series: &[
            Series {
                name: "busiest minute of the hour",
                points: &peak,
            },
            Series {
                name: "hourly mean",
                points: &mean,
            },
        ],
        time_label: &hour_label,
        band: None,
        ceiling: None,
    })
    .context("drawing the bandwidth chart")?;
    Ok(Some(svg))
}

/// The day with the busiest minute, minute by minute.
pub fn busiest_day(rollups: &Rollups) -> Result<Option<String>> {
    let Some((peak_minute, _)) = rollups.iter().max_by_key(|(m, c)| (c.requests, -m)) else {
        return Ok(None);
    };
    let day = peak_minute.div_euclid(DAY) * DAY;
    let counts: std::collections::BTreeMap<i64, i64> = rollups
        .iter()
        .filter(|(m, _)| m.div_euclid(DAY) * DAY == day)
        .map(|(m, c)| (m, c.requests))
        .collect();
    let points: Vec<(i64, f64)> = (day..day + DAY)
        .step_by(60)
        .map(|m| (m, counts.get(&m).copied().unwrap_or(0) as f64 / 60.0))
        .collect();
    let title = format!(
        "Requests per second, minute by minute, on {}",
        format_date(day)
    );
    let svg = traffic_chart(&TrafficChart {
        title: &title,
        y_label: "requests/s",
        series: &[Series {
            name: "each minute",
            points: &points,
        }],
        time_label: &|t, _| headroom_traffic::time::format_rfc3339(t)[11..16].to_owned(),
        band: None,
        ceiling: None,
    })
    .context("drawing the busiest day")?;
    Ok(Some(svg))
}

/// Status classes, static assets and bots as shares of each hour's requests.
pub fn mix(rollups: &Rollups) -> Result<Option<String>> {
    let hours = hourly_counts(rollups);
    if hours.is_empty() {
        return Ok(None);
    }
    let share = |f: &dyn Fn(&headroom_traffic::MinuteCounts) -> i64| -> Vec<(i64, f64)> {
        hours
            .iter()
            .filter(|(_, c)| c.requests > 0)
            .map(|(h, c)| (*h, f(c) as f64 / c.requests as f64 * 100.0))
            .collect()
    };
    let lines = [
        ("2xx", share(&|c| c.status[1])),
        ("3xx", share(&|c| c.status[2])),
        ("4xx", share(&|c| c.status[3])),
        ("5xx", share(&|c| c.status[4])),
        ("static assets", share(&|c| c.static_assets)),
        ("bots", share(&|c| c.bots)),
    ];
    let series: Vec<Series> = lines
        .iter()
        .map(|(name, points)| Series { name, points })
        .collect();
    let svg = traffic_chart(&TrafficChart {
        title: "Status mix, static assets and bots, by hour",
        y_label: "% of the hour's requests",
        series: &series,
        time_label: &hour_label,
        band: None,
        ceiling: None,
    })
    .context("drawing the status mix chart")?;
    Ok(Some(svg))
}

/// The busiest minute of each hour of the week, over the weeks seen.
pub fn heat(rollups: &Rollups) -> Result<Option<String>> {
    let hours = headroom_plan::hour_of_week_peaks(
        rollups.iter().map(|(m, c)| (m, c.requests as f64 / 60.0)),
    );
    if hours.iter().all(Option::is_none) {
        return Ok(None);
    }
    // Hour-of-week 0 is Monday 00:00 UTC.
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let rows: Vec<String> = names.iter().map(|d| (*d).to_owned()).collect();
    let cells: Vec<[Option<f64>; 24]> = (0..7)
        .map(|d| std::array::from_fn(|h| hours[d * 24 + h]))
        .collect();
    let svg = heat_map(&HeatMap {
        title: "Busiest minute by hour of the week (grey: no data)",
        rows: &rows,
        cells: &cells,
        unit: "requests/s",
    })
    .context("drawing the heat map")?;
    Ok(Some(svg))
}

/// The replay, tier by tier: each replayed month's realised peak as a share of the
/// capacity the plan (at `quantile`) had in service for it, at the tier's ceiling with
/// the policy's failures taken; above 100% the plan fell short that month.
pub fn held(
    replayed: &headroom_plan::replay::Replay,
    quantile: headroom_plan::Quantile,
) -> Result<String> {
    use headroom_plan::replay::Strategy;
    let plan = replayed.outcome(Strategy::Plan { quantile });
    let months: Vec<String> = replayed
        .months
        .iter()
        .map(|&d| format_date(d * DAY)[..7].to_owned())
        .collect();
    let series = shares_of_capacity(plan, &replayed.realised_peak_rps);
    let markers: Vec<(usize, String)> = series
        .iter()
        .filter_map(|(name, values)| {
            let first = values.iter().position(|v| *v > 100.0)?;
            Some((first, format!("{name} short")))
        })
        .collect();
    month_lines(&MonthLines {
        title: &format!(
            "Replay: each month's realised peak as % of the capacity the plan ({}) had in service",
            crate::pipeline::text::quantile_name(quantile)
        ),
        y_label: "% of planned capacity",
        months: &months,
        series: &series,
        markers: &markers,
        reference: Some((100.0, "capacity at the ceiling")),
    })
    .context("drawing the replay chart")
}

/// Each tier's utilisation with today's servers at each month's peak, as a share of its
/// ceiling, and the months they cross it.
pub fn utilisation(planned: &Planned, topology: &Topology) -> Result<String> {
    let series: Vec<(String, Vec<f64>)> = topology
        .tiers()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let values = planned
                .plan
                .months
                .iter()
                .map(|m| topology.utilisation(i, m.peak_rps, t.servers).0 / t.ceiling * 100.0)
                .collect();
            (t.name.clone(), values)
        })
        .collect();
    let markers: Vec<(usize, String)> = topology
        .tiers()
        .iter()
        .zip(headroom_plan::crossings(&planned.plan))
        .filter_map(|(t, c)| c.map(|m| (m as usize - 1, format!("{} crosses", t.name))))
        .collect();
    month_lines(&MonthLines {
        title: "Utilisation with today's servers, as % of each tier's ceiling",
        y_label: "% of ceiling",
        months: &planned.demand.month_labels,
        series: &series,
        markers: &markers,
        reference: Some((100.0, "ceiling")),
    })
    .context("drawing the utilisation chart")
}

/// Cumulative spend of each option, with the break-even month marked.
pub fn cost(planned: &Planned) -> Result<String> {
    let c = &planned.costs;
    let series = cumulative_costs(c);
    let markers: Vec<(usize, String)> = c
        .break_even
        .map(|m| (m as usize - 1, "break-even".to_owned()))
        .into_iter()
        .collect();
    month_lines(&MonthLines {
        title: "Cumulative cost: self-built against cloud",
        y_label: &c.currency,
        months: &planned.demand.month_labels,
        series: &series,
        markers: &markers,
        reference: None,
    })
    .context("drawing the cost chart")
}
