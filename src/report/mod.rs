//! The HTML report: findings, tables and figures built from the pipeline's values,
//! one self-contained page (fonts and charts inline) with each chart also as SVG and
//! PNG beside it.
//!
//! ```no_run
//! use headroom::pipeline::{Options, Prices};
//! use headroom::report::{self, Source};
//!
//! let topology = headroom::topology::load("data/topologies/hatena-bookmark.toml".as_ref())?;
//! let source = Source::dataset("dataset".as_ref())?;
//! let options = Options::new(Prices::shipped()?);
//! let built = report::build(source, &topology, 12, &options)?;
//! let index = built.write("headroom-report".as_ref())?;
//! println!("{}", index.display());
//! # Ok::<(), headroom::Error>(())
//! ```

pub mod charts;
pub(crate) mod html;

use std::path::{Path, PathBuf};

use headroom_plan::replay::Strategy;
use headroom_topology::Topology;
use headroom_traffic::time::format_date;
use headroom_traffic::{Rollups, Summary};

use crate::error::{Context as _, Error, Result, write};
use crate::pipeline::text::{self, money, thousands};
use crate::pipeline::{self, MIN_HISTORY_DAYS, Options, Planned};
use html::{escape, table};

/// Where the report's traffic comes from.
#[derive(Debug)]
pub enum Source {
    /// A dataset written by an ingest: its summary and minutes.
    Logs(Box<Summary>, Rollups),
    /// A metric series file; without the log-only figures (status mix, bandwidth,
    /// visitors, top paths).
    Series {
        /// The file: a CSV of `timestamp,value` or a Prometheus `query_range` answer.
        path: PathBuf,
        /// Its values are requests per step, not per second.
        counts: bool,
    },
}

impl Source {
    /// The dataset in `dir`.
    pub fn dataset(dir: &Path) -> Result<Source> {
        let summary = headroom_traffic::read_summary(dir)
            .with_context(|| format!("reading dataset {}", dir.display()))?;
        let rollups = headroom_traffic::read_rollups(dir)
            .with_context(|| format!("reading dataset {}", dir.display()))?;
        Ok(Source::Logs(Box::new(summary), rollups))
    }
}

impl Source {
    /// The dataset's minutes; `None` for a series.
    fn rollups(&self) -> Option<&Rollups> {
        match self {
            Source::Logs(_, rollups) => Some(rollups),
            Source::Series { .. } => None,
        }
    }
}

/// A report, built and ready to write.
#[derive(Debug)]
pub struct Report {
    /// The short text a planner reads first, one finding a line.
    pub findings: Vec<String>,
    /// The page.
    pub html: String,
    /// Each chart's file name and SVG document (without the embedded font).
    pub charts: Vec<(&'static str, String)>,
}

/// Plans `topology` for `source`'s traffic `months` ahead under `options`, replays
/// the planner on the history, plays out failures at the measured peak, and draws it all.
pub fn build(
    source: Source,
    topology: &Topology,
    months: u32,
    options: &Options,
) -> Result<Report> {
    let (history, planned, replayed) = plan_and_replay(&source, topology, months, options)?;
    let rollups = source.rollups();
    let traffic_svg = charts::traffic(rollups, &history)?;
    let servers_svg = charts::servers(&planned, topology)?;
    // Failures are played out at the measured peak: the load the service carries today.
    let peak_rps = history.rps.iter().copied().fold(0.0, f64::max);
    let analysis = headroom_topology::analyze(topology, peak_rps);
    let figures = charts::figures(&planned, topology, rollups, &analysis)?;
    let quantile = planned.quantile.unwrap_or(headroom_plan::Quantile::Upper80);
    let held_svg = replayed
        .as_ref()
        .map(|r| charts::held(r, quantile))
        .transpose()?;
    let page = Page {
        source: &source,
        history: &history,
        topology,
        planned: &planned,
        analysis: &analysis,
        replayed: replayed.as_ref(),
        history_days: history.daily_peaks().1.len(),
    };
    let html = page.render(&traffic_svg, &servers_svg, &figures, held_svg.as_deref());
    let findings = page.findings();
    let charts = files(traffic_svg, servers_svg, figures, held_svg);
    Ok(Report {
        findings,
        html,
        charts,
    })
}

/// The history behind `source`, its plan, and the planner replayed on it (`Auto` has
/// replayed it already; otherwise it is replayed here) when it is long enough.
fn plan_and_replay(
    source: &Source,
    topology: &Topology,
    months: u32,
    options: &Options,
) -> Result<(
    headroom_plan::replay::History,
    Planned,
    Option<headroom_plan::replay::Replay>,
)> {
    let (history, planned) = match source {
        Source::Series { path, counts } => {
            let history = pipeline::history(path, *counts)?;
            let planned = pipeline::plan_history(topology, &history, months, options)?;
            (history, planned)
        }
        Source::Logs(_, rollups) => {
            let planned = pipeline::plan_dataset(topology, rollups, months, options)?;
            (pipeline::history_of(rollups)?, planned)
        }
    };
    let replayed = planned.replay(topology, &history, months, options)?;
    Ok((history, planned, replayed))
}

/// Each chart drawn, under the file name it is saved as, in the page's order.
fn files(
    traffic_svg: String,
    servers_svg: String,
    figures: charts::Figures,
    held_svg: Option<String>,
) -> Vec<(&'static str, String)> {
    [
        ("traffic.svg", Some(traffic_svg)),
        ("servers.svg", Some(servers_svg)),
        ("forecast.svg", figures.forecast),
        ("hour-of-week.svg", figures.heat),
        ("mix.svg", figures.mix),
        ("bandwidth.svg", figures.bandwidth),
        ("busiest-day.svg", figures.busiest_day),
        ("utilisation.svg", Some(figures.utilisation)),
        ("cost.svg", Some(figures.cost)),
        ("topology.svg", Some(figures.topology)),
        ("replay.svg", held_svg),
    ]
    .into_iter()
    .filter_map(|(name, svg)| svg.map(|svg| (name, svg)))
    .collect()
}

impl Report {
    /// Writes `index.html` and every chart as SVG (font embedded) and PNG into `out`,
    /// each file atomically; returns the page's path.
    pub fn write(&self, out: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(out).map_err(|source| Error::Write {
            path: out.to_owned(),
            source,
        })?;
        for (name, svg) in &self.charts {
            write(
                &out.join(name),
                headroom_chart::with_embedded_font(svg).as_bytes(),
            )?;
            let png = headroom_chart::png(svg).with_context(|| format!("rasterising {name}"))?;
            write(&out.join(name).with_extension("png"), &png)?;
        }
        let index = out.join("index.html");
        write(&index, self.html.as_bytes())?;
        Ok(index)
    }
}

struct Page<'a> {
    source: &'a Source,
    history: &'a headroom_plan::replay::History,
    topology: &'a Topology,
    planned: &'a Planned,
    analysis: &'a headroom_topology::Analysis,
    /// The planner replayed on the dataset's history, when it is long enough.
    replayed: Option<&'a headroom_plan::replay::Replay>,
    /// Days the history spans.
    history_days: usize,
}

impl Page<'_> {
    /// The short text a planner reads first.
    fn findings(&self) -> Vec<String> {
        let demand = &self.planned.demand;
        let per_month = demand
            .trend
            .map_or(0.0, |t| t.slope * headroom_plan::DAYS_PER_MONTH);
        let bottleneck = self.topology.bottleneck();
        let saturates = self.topology.loads(1.0)[bottleneck].saturation_entry_rps;
        let mut out = vec![
            self.peak_finding(),
            {
                let months = demand.plan.peak_rps.len();
                let upper = demand.plan.upper_rps.get(months.wrapping_sub(1)).copied();
                format!(
                    "Growth: the daily peak moves {per_month:+.2} requests/s per month (linear trend over {} days); the forecast's peak in {} is {:.2} requests/s{}.",
                    demand.daily_peaks.len(),
                    demand.month_labels.last().map_or("-", String::as_str),
                    demand.plan.peak_rps.last().copied().unwrap_or(0.0),
                    match (self.planned.quantile, upper) {
                        (Some(q), Some(u)) if q != headroom_plan::Quantile::Point => format!(
                            " ({} {u:.2}, which purchased tiers hold over their lead time)",
                            q.describe()
                        ),
                        _ => String::new(),
                    }
                ) + &history_warning(months, demand.daily_peaks.len())
            },
            self.held_finding(),
            format!(
                "Bottleneck: tier '{}' reaches its ceiling first, at {:.0} front-door requests/s with today's {} servers.",
                self.topology.tiers()[bottleneck].name,
                saturates,
                self.topology.tiers()[bottleneck].servers
            ),
        ];
        out.push(self.first_shortfall());
        out.push(self.failures());
        out.push(self.cost());
        out
    }

    /// Self-built against cloud over the plan.
    fn cost(&self) -> String {
        let c = &self.planned.costs;
        let t = &c.totals;
        let months = self.planned.demand.month_labels.len();
        let break_even = match c.break_even {
            Some(m) => format!(
                "self-built cash catches up with reserved cloud by {}",
                self.planned.demand.month_labels[m as usize - 1]
            ),
            None => format!(
                "self-built cash does not catch up with reserved cloud within {months} months"
            ),
        };
        let favour: Vec<String> = c
            .tiers
            .iter()
            .map(|t| format!("{} {}", t.tier, t.favours))
            .collect();
        format!(
            "Cost over {months} months ({}): self-built {} amortised ({} cash), cloud {} reserved, {} on demand{}; {break_even}; by tier: {}.",
            c.currency,
            money(t.self_built),
            money(t.self_built_cash),
            money(t.cloud_reserved),
            money(t.cloud_on_demand),
            t.cloud_elastic
                .map_or(String::new(), |e| format!(", {} elastic", money(e))),
            favour.join(", ")
        )
    }

    /// Single points of failure and the N−1 / N−2 outcome at today's peak.
    fn failures(&self) -> String {
        let a = self.analysis;
        let spofs = if a.single_points_of_failure.is_empty() {
            "no single point of failure".to_owned()
        } else {
            let names: Vec<String> = a
                .single_points_of_failure
                .iter()
                .map(|s| format!("'{}' ({})", s.tier, s.reason))
                .collect();
            format!("single points of failure: {}", names.join(", "))
        };
        let survive = |set: &headroom_topology::ScenarioSet| {
            if set.worst.is_empty() {
                format!("survives all {}", set.tried)
            } else {
                let worst = &set.worst[0];
                format!(
                    "fails {} of {} (worst: losing {} leaves '{}' {})",
                    set.failing,
                    set.tried,
                    worst.lost,
                    worst.worst_tier,
                    worst
                        .worst_utilisation
                        .map_or("with no server".to_owned(), |u| format!(
                            "{:.0}% busy",
                            u * 100.0
                        ))
                )
            }
        };
        format!(
            "Failures at today's peak of {:.2} requests/s: {spofs}; losing one server, host or rack {}; losing two {}.",
            a.entry_rps,
            survive(&a.n_minus_1),
            survive(&a.n_minus_2)
        )
    }

    fn first_shortfall(&self) -> String {
        let months = &self.planned.demand.month_labels;
        let plan = &self.planned.plan;
        for (m, label) in plan.months.iter().zip(months) {
            if let Some(t) = m.tiers.iter().find(|t| t.required > t.today) {
                return format!(
                    "First shortfall: in {label} tier '{}' needs {} servers and has {}.",
                    t.tier, t.required, t.today
                );
            }
        }
        format!(
            "No tier needs more servers than it has today within {} months ({}).",
            months.len(),
            plan.policy.redundancy.describe()
        )
    }

    fn render(
        &self,
        traffic_svg: &str,
        servers_svg: &str,
        figures: &charts::Figures,
        held_svg: Option<&str>,
    ) -> String {
        let last = self.planned.demand.month_labels.last();
        format!(
            "{head}<h2>Growth</h2>\n{forecast}\
             <h2>Servers per tier per month</h2>\n<figure>{servers_svg}</figure>\n\
             <figure>{utilisation}</figure>\n{plan}\n\
             <h3>Why, in {last}</h3>\n{stacked}<ul>\n{reasons}</ul>\n\
             <h2>Cost: self-built against cloud</h2>\n<figure>{cost_svg}</figure>\n{cost}\n\
             <h3>The plan in full</h3>\n<pre>{full}</pre>\n\
             <h2>Would it have held?</h2>\n{held}\n\
             <h2>Topology</h2>\n<figure>{topology_svg}</figure>\n{topology}\n</body>\n</html>\n",
            head = self.head(traffic_svg, figures),
            plan = self.plan_table(),
            last = escape(last.map_or("-", String::as_str)),
            reasons = self.reasons(),
            stacked = self.stacked_table(),
            cost = self.cost_table(),
            forecast = figure(&figures.forecast),
            utilisation = figures.utilisation,
            cost_svg = figures.cost,
            topology_svg = figures.topology,
            full = escape(&text::plan(self.planned, self.topology).join("\n")),
            topology = self.topology_table(),
            held = self.held(held_svg),
        )
    }

    /// The page from its head to the traffic section: title, fonts and styles, the
    /// findings, the traffic's figures and the summary table.
    fn head(&self, traffic_svg: &str, figures: &charts::Figures) -> String {
        let findings: String = self
            .findings()
            .iter()
            .map(|f| format!("<li>{}</li>\n", escape(f)))
            .collect();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>headroom report: {name}</title>\n<style>{font}\n{css}</style>\n</head>\n<body>\n\
             <h1>headroom report: {name}</h1>\n<h2>Findings</h2>\n<ul>\n{findings}</ul>\n\
             <h2>Traffic</h2>\n<figure>{traffic_svg}</figure>\n{busiest_day}{bandwidth}{heat}{mix}{summary}\n",
            name = escape(self.topology.name()),
            font = headroom_chart::font_face_css(),
            css = CSS,
            summary = self.summary_table(),
            heat = figure(&figures.heat),
            mix = figure(&figures.mix),
            bandwidth = figure(&figures.bandwidth),
            busiest_day = figure(&figures.busiest_day),
        )
    }

    /// The replay in one sentence: how the plan at the chosen quantile fared against
    /// the history, or why there is no replay.
    fn held_finding(&self) -> String {
        let Some(r) = self.replayed else {
            return format!(
                "Would it have held: not measured; the history holds {} days, and a replay needs {} days before its first origin and a whole month after it.",
                self.history_days, MIN_HISTORY_DAYS
            );
        };
        let quantile = self
            .planned
            .quantile
            .unwrap_or(headroom_plan::Quantile::Upper80);
        let plan = r.outcome(Strategy::Plan { quantile });
        let oracle = r.outcome(Strategy::Oracle);
        let step_minutes = r.step_s as f64 / 60.0;
        format!(
            "Would it have held: replayed over {} months, headroom's plan holding {} ran tiers past their ceilings for {} tier-minutes and held {:.0} server-months more than perfect foresight ({} of hardware against the oracle's {}); cheapest quantile per tier: {}.",
            r.months.len(),
            quantile.describe(),
            thousands((plan.steps_over_ceiling() as f64 * step_minutes).round() as i64),
            plan.idle_server_months(),
            money(plan.hardware_cost()),
            money(oracle.hardware_cost()),
            r.best_quantile
                .iter()
                .zip(self.topology.tiers())
                .map(|(q, t)| format!("{} {}", t.name, text::quantile_name(*q)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// The replay's chart (realised peaks against the planned capacity, per tier) and
    /// table (every strategy's shortfall, idle hardware and cost).
    fn held(&self, svg: Option<&str>) -> String {
        let sentence = format!("<p>{}</p>", escape(&self.held_finding()));
        let Some(r) = self.replayed else {
            return sentence;
        };
        let header = text::OUTCOME_COLUMNS.map(str::to_owned).to_vec();
        let rows: Vec<Vec<String>> = r
            .outcomes
            .iter()
            .map(|o| text::outcome_cells(o, r.step_s).to_vec())
            .collect();
        let figure = svg.map_or(String::new(), |s| format!("<figure>{s}</figure>\n"));
        format!("{sentence}\n{figure}{}", table(&header, &rows))
    }

    /// The peak, its time and its ratio to the mean: from the logs' summary, or from
    /// the series' steps.
    fn peak_finding(&self) -> String {
        match self.source {
            Source::Logs(s, _) => format!(
                "Peak: {:.2} requests/s in the busiest minute ({}), {:.1}× the mean of {:.3} requests/s; peak bandwidth {:.2} Mbps.",
                s.peak_rps,
                s.peak_minute.as_deref().unwrap_or("-"),
                s.peak_to_mean,
                s.mean_rps,
                s.peak_mbps
            ),
            Source::Series { .. } => {
                let h = self.history;
                let (at, peak) =
                    h.rps.iter().enumerate().fold(
                        (0, 0.0),
                        |best, (i, &v)| if v > best.1 { (i, v) } else { best },
                    );
                let mean = h.rps.iter().sum::<f64>() / h.rps.len().max(1) as f64;
                format!(
                    "Peak: {peak:.2} requests/s in the busiest {} s step ({}), {:.1}× the mean of {mean:.3} requests/s.",
                    h.step_s,
                    headroom_traffic::time::format_rfc3339(h.start_s + at as i64 * h.step_s),
                    if mean > 0.0 { peak / mean } else { 1.0 }
                )
            }
        }
    }

    /// What the traffic was: the logs' summary (lines, status, visitors, top paths and
    /// agents), or the series' span and figures.
    fn summary_table(&self) -> String {
        let s = match self.source {
            Source::Logs(s, _) => s,
            Source::Series { path, .. } => return self.series_table(path),
        };
        let rows: Vec<Vec<String>> = summary_rows(s)
            .into_iter()
            .map(|(k, v)| vec![k.to_owned(), v])
            .collect();
        let mut out = table(&["figure".into(), "value".into()], &rows);
        for (title, top) in [("path", &s.top_paths), ("user agent", &s.top_user_agents)] {
            let rows: Vec<Vec<String>> = top
                .items
                .iter()
                .map(|i| vec![i.item.clone(), thousands(i.requests as i64)])
                .collect();
            let header = [
                format!("top {title}"),
                format!("requests (at most {} over)", top.max_error),
            ];
            out.push_str(&table(&header, &rows));
        }
        out
    }

    fn series_table(&self, path: &Path) -> String {
        let h = self.history;
        let peak = h.rps.iter().copied().fold(0.0, f64::max);
        let mean = h.rps.iter().sum::<f64>() / h.rps.len().max(1) as f64;
        let last = h.start_s + (h.rps.len() as i64 - 1) * h.step_s;
        let rows = [
            ("series", path.display().to_string()),
            ("steps", thousands(h.rps.len() as i64)),
            ("step (s)", h.step_s.to_string()),
            (
                "first step",
                headroom_traffic::time::format_rfc3339(h.start_s),
            ),
            ("last step", headroom_traffic::time::format_rfc3339(last)),
            ("peak requests/s", format!("{peak:.3}")),
            ("mean requests/s", format!("{mean:.3}")),
        ];
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(k, v)| vec![k.to_owned(), v])
            .collect();
        table(&["figure".into(), "value".into()], &rows)
    }

    fn cost_table(&self) -> String {
        let c = &self.planned.costs;
        let header = [
            "month",
            "self-built",
            "self-built cash",
            "cloud reserved",
            "cloud on demand",
            "cloud elastic",
        ]
        .map(String::from);
        let rows: Vec<Vec<String>> = c
            .months
            .iter()
            .zip(&self.planned.demand.month_labels)
            .map(|(m, label)| {
                vec![
                    label.clone(),
                    money(m.self_built),
                    money(m.self_built_cash),
                    money(m.cloud_reserved),
                    money(m.cloud_on_demand),
                    m.cloud_elastic.map_or("-".to_owned(), money),
                ]
            })
            .collect();
        format!(
            "<p>In {}. Both sides start from nothing and pay for what each month requires. Self-built is amortised; its cash column buys the first month's fleet at once and the rest as it comes.</p>\n{}{}",
            escape(&c.currency),
            table(&header, &rows),
            tier_cost_table(c)
        )
    }

    fn plan_table(&self) -> String {
        let mut header = vec!["month".to_owned(), "peak rps".to_owned()];
        header.extend(self.topology.tiers().iter().map(|t| t.name.clone()));
        header.push("total".into());
        let mut rows: Vec<Vec<String>> = self
            .planned
            .plan
            .months
            .iter()
            .zip(&self.planned.demand.month_labels)
            .map(|(m, label)| {
                let mut row = vec![label.clone(), format!("{:.3}", m.peak_rps)];
                row.extend(m.tiers.iter().map(|t| t.total.to_string()));
                row.push(m.tiers.iter().map(|t| t.total).sum::<u32>().to_string());
                row
            })
            .collect();
        let mut today = vec!["today".to_owned(), String::new()];
        today.extend(self.topology.tiers().iter().map(|t| t.servers.to_string()));
        today.push(self.topology.total_servers().to_string());
        rows.push(today);
        table(&header, &rows)
    }

    /// Each tier's count in the last month, by what sets it.
    fn stacked_table(&self) -> String {
        let Some(last) = self.planned.plan.months.last() else {
            return String::new();
        };
        let header = [
            "tier",
            "demand",
            "lead-time buffer",
            "redundancy",
            "deploys",
            "required",
            "in service",
        ]
        .map(String::from);
        let rows: Vec<Vec<String>> = last
            .tiers
            .iter()
            .map(|t| {
                vec![
                    t.tier.clone(),
                    t.for_demand.to_string(),
                    t.for_lead.to_string(),
                    t.for_redundancy.to_string(),
                    t.for_deploy.to_string(),
                    t.required.to_string(),
                    t.total.to_string(),
                ]
            })
            .collect();
        table(&header, &rows)
    }

    fn reasons(&self) -> String {
        self.planned
            .plan
            .months
            .last()
            .map_or_else(String::new, |m| {
                m.tiers
                    .iter()
                    .map(|t| format!("<li>{}</li>\n", escape(&t.reason)))
                    .collect()
            })
    }

    fn topology_table(&self) -> String {
        let header = [
            "tier",
            "role",
            "servers",
            "capacity rps",
            "ceiling",
            "saturates at front-door rps",
        ]
        .map(String::from);
        let rows: Vec<Vec<String>> = self
            .topology
            .tiers()
            .iter()
            .zip(self.topology.loads(1.0))
            .map(|(t, load)| {
                vec![
                    t.name.clone(),
                    t.role.as_str().to_owned(),
                    t.servers.to_string(),
                    format!("{}", t.capacity_rps),
                    format!("{:.2}", t.ceiling),
                    format!("{:.0}", load.saturation_entry_rps),
                ]
            })
            .collect();
        let days = self
            .planned
            .demand
            .daily_peaks
            .iter()
            .map(|(d, _)| format_date(*d))
            .collect::<Vec<_>>();
        format!(
            "{}<p>Daily peaks from {}.</p>\n",
            table(&header, &rows),
            escape(&days.join(", "))
        )
    }
}

const CSS: &str = "body{font-family:\"DejaVu Sans\",sans-serif;max-width:1000px;margin:2em auto;color:#222;}\
table{border-collapse:collapse;margin:1em 0;}th,td{border:1px solid #ccc;padding:4px 8px;}\
td.num{text-align:right;font-variant-numeric:tabular-nums;}th{background:#f3f3f3;}\
figure{margin:1em 0;}svg{max-width:100%;height:auto;}";

/// Each priced tier's two sides, and which it favours.
fn tier_cost_table(c: &headroom_plan::Costs) -> String {
    let header = [
        "tier",
        "self-built",
        "as",
        "cloud reserved",
        "as",
        "favours",
    ]
    .map(String::from);
    let rows: Vec<Vec<String>> = c
        .tiers
        .iter()
        .map(|t| {
            vec![
                t.tier.clone(),
                money(t.self_built.total),
                t.self_built.what.clone(),
                money(t.cloud.total),
                t.cloud.what.clone(),
                t.favours.to_owned(),
            ]
        })
        .collect();
    table(&header, &rows)
}

/// A figure element for an SVG, or nothing.
fn figure(svg: &Option<String>) -> String {
    svg.as_ref()
        .map_or(String::new(), |s| format!("<figure>{s}</figure>\n"))
}

/// The logs' figures, named, for the summary table.
fn summary_rows(s: &Summary) -> Vec<(&'static str, String)> {
    let files: Vec<String> = s
        .files
        .iter()
        .map(|f| format!("{} ({})", f.input, f.format))
        .collect();
    let lines = &s.lines;
    let rows = [
        ("log files", files.join(", ")),
        (
            "lines read / parsed / rejected",
            format!(
                "{} / {} / {}",
                thousands(lines.lines_read as i64),
                thousands(lines.lines_parsed as i64),
                thousands(lines.lines_rejected as i64)
            ),
        ),
        ("requests", thousands(s.requests)),
        ("bytes", thousands(s.bytes)),
        ("first minute", s.first_minute.clone().unwrap_or_default()),
        ("last minute", s.last_minute.clone().unwrap_or_default()),
        (
            "peak requests/s (busiest minute ÷ 60)",
            format!("{:.3}", s.peak_rps),
        ),
        ("mean requests/s", format!("{:.3}", s.mean_rps)),
        ("peak-to-mean", format!("{:.2}", s.peak_to_mean)),
        ("peak Mbps", format!("{:.3}", s.peak_mbps)),
    ];
    rows.into_iter().chain(summary_mix_rows(s)).collect()
}

/// The logs' figures on who asked and how they were answered.
fn summary_mix_rows(s: &Summary) -> Vec<(&'static str, String)> {
    let status = &s.status;
    vec![
        (
            "status 1xx / 2xx / 3xx / 4xx / 5xx",
            format!(
                "{} / {} / {} / {} / {}",
                status.s1xx, status.s2xx, status.s3xx, status.s4xx, status.s5xx
            ),
        ),
        (
            "static / bot share",
            format!(
                "{:.1}% / {:.1}%",
                s.static_share * 100.0,
                s.bot_share * 100.0
            ),
        ),
        (
            "busiest hour of week (UTC)",
            s.busiest_hour_of_week.clone().unwrap_or_default(),
        ),
        (
            "unique visitors (over the span)",
            format!("{:.0}", s.unique_visitors),
        ),
        (
            "unique visitors (GoAccess: daily, added up)",
            format!("{:.0}", s.goaccess_unique_visitors),
        ),
        ("distinct hosts", format!("{:.0}", s.unique_hosts)),
    ]
}

/// A sentence when the forecast reaches further ahead than the history goes back: a
/// horizon longer than the history is a guess, and the report says so.
fn history_warning(months: usize, days: usize) -> String {
    let ahead = months as f64 * headroom_plan::DAYS_PER_MONTH;
    if ahead <= days as f64 {
        return String::new();
    }
    format!(
        " Only {days} days of history back this {months}-month forecast: past {days} days ahead it is a guess, and a yearly season needs two years of history; give a longer history (a dataset of more days, or a metric series of years)."
    )
}
