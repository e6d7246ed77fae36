//! `headroom report`: the whole path, logs to an HTML page with charts and tables.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use headroom_chart::{Series, ServersChart, TrafficChart, servers_chart, traffic_chart};
use headroom_topology::Topology;
use headroom_traffic::time::format_date;
use headroom_traffic::{IngestConfig, Summary, write_atomic};

use headroom_plan::replay::Strategy;

use super::html::{escape, table};
use super::plan::{Planned, PolicyArgs, load_topology, money, plan_from_dataset};
use super::{BUNDLED_LOG, BUNDLED_TOPOLOGY, bundled, thousands};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Access logs to ingest [default: the bundled elastic_apache_logs.log].
    #[arg(long, num_args = 1.., conflicts_with = "dataset")]
    logs: Vec<PathBuf>,
    /// A dataset already written by `headroom ingest`, instead of ingesting logs.
    #[arg(long, conflicts_with = "series")]
    dataset: Option<PathBuf>,
    /// A metric series instead of logs: a CSV of `timestamp,value` or a Prometheus
    /// `query_range` JSON answer (.json), any step from a second to a day. The report
    /// then has the traffic, growth, plan, cost and replay, without the log-only
    /// figures (status mix, bandwidth, visitors, top paths).
    #[arg(long, conflicts_with = "logs")]
    series: Option<PathBuf>,
    /// A series' values: `rate` (requests per second) or `count` (requests per step).
    #[arg(long, default_value = "rate", value_parser = ["rate", "count"], requires = "series")]
    value: String,
    /// Topology file [default: the bundled Hatena Bookmark topology].
    #[arg(long)]
    topology: Option<PathBuf>,
    /// Output folder for index.html, the charts and the dataset.
    #[arg(long, default_value = "headroom-report")]
    out: PathBuf,
    /// Months to plan after the end of the data.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=headroom_plan::MAX_MONTHS as i64))]
    months: u32,
    #[command(flatten)]
    policy: PolicyArgs,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let logs = if args.logs.is_empty() {
        vec![bundled(BUNDLED_LOG)]
    } else {
        args.logs.clone()
    };
    let topology_path = args
        .topology
        .clone()
        .unwrap_or_else(|| bundled(BUNDLED_TOPOLOGY));
    let topology = load_topology(&topology_path)?;
    // The traffic behind the report: a dataset's minutes (ingested here unless given),
    // or a metric series' steps.
    let (source, planned, history) = match &args.series {
        Some(path) => {
            let history = super::replay::history(path, &args.value)?;
            let planned =
                super::plan::plan_from_history(&topology, &history, args.months, &args.policy)?;
            (Source::Series(path.clone()), planned, history)
        }
        None => {
            let (dataset, summary) = match &args.dataset {
                Some(dir) => (
                    dir.clone(),
                    headroom_traffic::read_summary(dir)
                        .with_context(|| format!("reading dataset {}", dir.display()))?,
                ),
                None => {
                    let dir = args.out.join("dataset");
                    let config = IngestConfig::default();
                    let summary = super::ingest::ingest_to(&logs, &dir, &config)?.summary;
                    (dir, summary)
                }
            };
            let rollups = headroom_traffic::read_rollups(&dataset)
                .with_context(|| format!("reading dataset {}", dataset.display()))?;
            let planned = plan_from_dataset(&topology, &rollups, args.months, &args.policy)?;
            let history = super::replay::history_of(&rollups)?;
            (Source::Logs(Box::new(summary), rollups), planned, history)
        }
    };
    let history_days = history.daily_peaks().1.len();
    // `--quantile auto` has replayed the history already; otherwise replay it here.
    let replayed = match &planned.replayed {
        Some(r) => Some(r.clone()),
        None => {
            let min_days = super::replay::MIN_HISTORY_DAYS;
            super::replay::replay_for(
                &topology,
                &history,
                args.months,
                (min_days, 1),
                &args.policy,
            )?
            .0
        }
    };

    let (busiest, mean) = match &source {
        Source::Logs(_, rollups) => {
            let hours = super::charts::per_hour(rollups, |c| c.requests);
            (
                hours
                    .iter()
                    .map(|&(h, top, _)| (h, top as f64 / 60.0))
                    .collect(),
                hours
                    .iter()
                    .map(|&(h, _, total)| (h, total as f64 / 3600.0))
                    .collect(),
            )
        }
        Source::Series(_) => hourly_of(&history),
    };
    let traffic_svg = traffic_chart(&TrafficChart {
        title: "Requests per second, by hour",
        y_label: "requests/s",
        series: &[
            Series {
                name: match source {
                    Source::Logs(..) => "busiest minute of the hour",
                    Source::Series(_) => "busiest step of the hour (or the day's step)",
                },
                points: &busiest,
            },
            Series {
                name: "hourly mean",
                points: &mean,
            },
        ],
        time_label: &super::charts::hour_label,
        band: None,
        ceiling: None,
    })
    .context("drawing the traffic chart")?;
    let servers = servers_by_month(&planned.plan);
    let machines: Vec<u32> = (0..planned.plan.months.len())
        .map(|i| planned.plan.machines(&topology, i))
        .collect();
    let tier_names: Vec<String> = topology.tiers().iter().map(|t| t.name.clone()).collect();
    let servers_svg = servers_chart(&ServersChart {
        title: "Servers in service per tier (stacked; VMs count one each), by month",
        months: &planned.demand.month_labels,
        tiers: &tier_names,
        servers: &servers,
        today_total: Some(topology.total_servers()),
        machines: Some(&machines),
    })
    .context("drawing the servers chart")?;

    // Failures are played out at the measured peak: the load the service carries today.
    let peak_rps = history.rps.iter().copied().fold(0.0, f64::max);
    let analysis = headroom_topology::analyze(&topology, peak_rps);
    let page = Page {
        source: &source,
        history: &history,
        topology: &topology,
        planned: &planned,
        analysis: &analysis,
        replayed: replayed.as_ref(),
        history_days,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let rollups = match &source {
        Source::Logs(_, rollups) => Some(rollups),
        Source::Series(_) => None,
    };
    let figures = super::charts::figures(&planned, &topology, rollups, &analysis)?;
    let quantile = planned.quantile.unwrap_or(headroom_plan::Quantile::Upper80);
    let held_svg = replayed
        .as_ref()
        .map(|r| super::charts::held(r, quantile))
        .transpose()?;
    let html = page.render(&traffic_svg, &servers_svg, &figures, held_svg.as_deref());
    let files = [
        ("traffic.svg", Some(&traffic_svg)),
        ("servers.svg", Some(&servers_svg)),
        ("forecast.svg", figures.forecast.as_ref()),
        ("hour-of-week.svg", figures.heat.as_ref()),
        ("mix.svg", figures.mix.as_ref()),
        ("bandwidth.svg", figures.bandwidth.as_ref()),
        ("busiest-day.svg", figures.busiest_day.as_ref()),
        ("utilisation.svg", Some(&figures.utilisation)),
        ("cost.svg", Some(&figures.cost)),
        ("topology.svg", Some(&figures.topology)),
        ("replay.svg", held_svg.as_ref()),
    ];
    for (name, svg) in files {
        if let Some(svg) = svg {
            write(
                &args.out.join(name),
                &headroom_chart::with_embedded_font(svg),
            )?;
            let png = headroom_chart::png(svg).with_context(|| format!("rasterising {name}"))?;
            let png_path = args.out.join(name).with_extension("png");
            write_atomic(&png_path, &png)
                .with_context(|| format!("writing {}", png_path.display()))?;
        }
    }
    let index = args.out.join("index.html");
    write(&index, &html)?;
    println!("{}", page.findings().join("\n"));
    println!("report: {}", index.display());
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    write_atomic(path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

fn servers_by_month(plan: &headroom_plan::Plan) -> Vec<Vec<u32>> {
    plan.months
        .iter()
        .map(|m| m.tiers.iter().map(|t| t.total).collect())
        .collect()
}

/// Where the report's traffic came from.
enum Source {
    /// Logs, ingested: their summary and minutes.
    Logs(Box<Summary>, headroom_traffic::Rollups),
    /// A metric series file.
    Series(PathBuf),
}

/// (Unix seconds, requests/s) points of a chart line.
type Points = Vec<(i64, f64)>;

/// Requests/s of each hour a history spans: its busiest step and its mean (a step
/// of an hour or more stands for its hours as one point).
fn hourly_of(history: &headroom_plan::replay::History) -> (Points, Points) {
    let per = (3600 / history.step_s).max(1) as usize;
    let (mut busiest, mut mean) = (Vec::new(), Vec::new());
    for (k, chunk) in history.rps.chunks(per).enumerate() {
        let t = history.start_s + (k * per) as i64 * history.step_s;
        busiest.push((t, chunk.iter().copied().fold(0.0, f64::max)));
        mean.push((t, chunk.iter().sum::<f64>() / chunk.len() as f64));
    }
    (busiest, mean)
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
        figures: &super::charts::Figures,
        held_svg: Option<&str>,
    ) -> String {
        let figure = |svg: &Option<String>| {
            svg.as_ref()
                .map_or(String::new(), |s| format!("<figure>{s}</figure>\n"))
        };
        let findings: String = self
            .findings()
            .iter()
            .map(|f| format!("<li>{}</li>\n", escape(f)))
            .collect();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>headroom report: {name}</title>\n<style>{font}\n{css}</style>\n</head>\n<body>\n\
             <h1>headroom report: {name}</h1>\n<h2>Findings</h2>\n<ul>\n{findings}</ul>\n\
             <h2>Traffic</h2>\n<figure>{traffic_svg}</figure>\n{busiest_day}{bandwidth}{heat}{mix}{summary}\n\
             <h2>Growth</h2>\n{forecast}\
             <h2>Servers per tier per month</h2>\n<figure>{servers_svg}</figure>\n\
             <figure>{utilisation}</figure>\n{plan}\n\
             <h3>Why, in {last}</h3>\n{stacked}<ul>\n{reasons}</ul>\n\
             <h2>Cost: self-built against cloud</h2>\n<figure>{cost_svg}</figure>\n{cost}\n\
             <h3>The plan in full</h3>\n<pre>{full}</pre>\n\
             <h2>Would it have held?</h2>\n{held}\n\
             <h2>Topology</h2>\n<figure>{topology_svg}</figure>\n{topology}\n</body>\n</html>\n",
            name = escape(self.topology.name()),
            font = headroom_chart::font_face_css(),
            css = CSS,
            summary = self.summary_table(),
            plan = self.plan_table(),
            last = escape(
                self.planned
                    .demand
                    .month_labels
                    .last()
                    .map_or("-", String::as_str)
            ),
            reasons = self.reasons(),
            stacked = self.stacked_table(),
            cost = self.cost_table(),
            heat = figure(&figures.heat),
            mix = figure(&figures.mix),
            bandwidth = figure(&figures.bandwidth),
            busiest_day = figure(&figures.busiest_day),
            forecast = figure(&figures.forecast),
            utilisation = figures.utilisation,
            cost_svg = figures.cost,
            topology_svg = figures.topology,
            full = escape(&super::plan::text(self.planned, self.topology).join("\n")),
            topology = self.topology_table(),
            held = self.held(held_svg),
        )
    }

    /// The replay in one sentence: how the plan at the chosen quantile fared against
    /// the history, or why there is no replay.
    fn held_finding(&self) -> String {
        let Some(r) = self.replayed else {
            return format!(
                "Would it have held: not measured; the history holds {} days, and a replay needs {} days before its first origin and a whole month after it.",
                self.history_days,
                super::replay::MIN_HISTORY_DAYS
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
                .map(|(q, t)| format!("{} {}", t.name, super::replay::quantile_name(*q)))
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
        let header = super::replay::OUTCOME_COLUMNS.map(str::to_owned).to_vec();
        let rows: Vec<Vec<String>> = r
            .outcomes
            .iter()
            .map(|o| super::replay::outcome_cells(o, r.step_s).to_vec())
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
            Source::Series(_) => {
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
            Source::Series(path) => return self.series_table(path),
        };
        let rows = [
            (
                "log files",
                s.files
                    .iter()
                    .map(|f| format!("{} ({})", f.input, f.format))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "lines read / parsed / rejected",
                format!(
                    "{} / {} / {}",
                    thousands(s.lines.lines_read as i64),
                    thousands(s.lines.lines_parsed as i64),
                    thousands(s.lines.lines_rejected as i64)
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
            (
                "status 1xx / 2xx / 3xx / 4xx / 5xx",
                format!(
                    "{} / {} / {} / {} / {}",
                    s.status.s1xx, s.status.s2xx, s.status.s3xx, s.status.s4xx, s.status.s5xx
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
        ];
        let rows: Vec<Vec<String>> = rows
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
        let tier_header = [
            "tier",
            "self-built",
            "as",
            "cloud reserved",
            "as",
            "favours",
        ]
        .map(String::from);
        let tier_rows: Vec<Vec<String>> = c
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
        format!(
            "<p>In {}. Both sides start from nothing and pay for what each month requires. Self-built is amortised; its cash column buys the first month's fleet at once and the rest as it comes.</p>\n{}{}",
            escape(&c.currency),
            table(&header, &rows),
            table(&tier_header, &tier_rows)
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
