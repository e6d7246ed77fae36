//! Snapshots of every chart kind on fixed inputs: a change to what a chart draws shows up
//! as a diff of its SVG, to be looked at and accepted (`cargo insta review`) or fixed.

use headroom_chart::{
    Band, Graph, HeatMap, MonthLines, Node, Series, ServersChart, TrafficChart, graph, heat_map,
    month_lines, servers_chart, traffic_chart,
};

fn months(n: usize) -> Vec<String> {
    (0..n).map(|m| format!("2027-{:02}", m + 1)).collect()
}

#[test]
fn traffic_with_band_and_capacity() {
    let measured: Vec<(i64, f64)> = (0..48)
        .map(|h| {
            (
                h * 3600,
                100.0 + 40.0 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin(),
            )
        })
        .collect();
    let forecast: Vec<(i64, f64)> = (48..96).map(|h| (h * 3600, 100.0)).collect();
    let band: Vec<(i64, f64, f64)> = (48..96)
        .map(|h| {
            (
                h * 3600,
                80.0 - (h - 48) as f64 * 0.5,
                120.0 + (h - 48) as f64 * 0.5,
            )
        })
        .collect();
    let svg = traffic_chart(&TrafficChart {
        title: "Requests per second",
        y_label: "requests/s",
        series: &[
            Series {
                name: "measured",
                points: &measured,
            },
            Series {
                name: "forecast",
                points: &forecast,
            },
        ],
        time_label: &|t, _| format!("day {}", t / 86_400),
        band: Some(Band {
            name: "80% interval",
            points: &band,
        }),
        ceiling: Some((180.0, "capacity")),
    })
    .unwrap();
    insta::assert_snapshot!(svg);
}

#[test]
fn servers_stacked() {
    let tiers = vec!["web".to_owned(), "db".to_owned()];
    let servers = vec![vec![2, 3], vec![3, 3], vec![5, 4]];
    let svg = servers_chart(&ServersChart {
        title: "Servers per tier",
        months: &months(3),
        tiers: &tiers,
        servers: &servers,
        today_total: Some(6),
        machines: None,
    })
    .unwrap();
    insta::assert_snapshot!(svg);
}

#[test]
fn month_lines_with_markers() {
    let series = vec![
        (
            "self-built (cash)".to_owned(),
            vec![9000.0, 9500.0, 10000.0, 10500.0],
        ),
        (
            "cloud reserved".to_owned(),
            vec![3000.0, 6000.0, 9000.0, 12000.0],
        ),
    ];
    let svg = month_lines(&MonthLines {
        title: "Cumulative cost",
        y_label: "USD",
        months: &months(4),
        series: &series,
        markers: &[(2, "break-even".to_owned())],
        reference: None,
    })
    .unwrap();
    insta::assert_snapshot!(svg);
}

#[test]
fn hour_of_week_heat_map() {
    let rows: Vec<String> = ["Mon", "Tue", "Wed"].map(String::from).to_vec();
    let cells: Vec<[Option<f64>; 24]> = (0..3)
        .map(|d| std::array::from_fn(|h| (d < 2).then_some((h * (d + 1)) as f64)))
        .collect();
    let svg = heat_map(&HeatMap {
        title: "Busiest minute",
        rows: &rows,
        cells: &cells,
        unit: "requests/s",
    })
    .unwrap();
    insta::assert_snapshot!(svg);
}

#[test]
fn tiers_left_to_right() {
    let node = |name, detail: &str, layer, fill, marked| Node {
        name,
        detail: detail.to_owned(),
        layer,
        fill,
        marked,
    };
    let nodes = [
        node("lb", "1 server, 20% busy", 0, "#009E73", true),
        node(
            "ap",
            "4 servers, 85% busy\n× 1 from lb",
            1,
            "#E69F00",
            false,
        ),
        node(
            "db",
            "2 servers, 120% busy\n× 3 from ap",
            2,
            "#D55E00",
            false,
        ),
    ];
    let svg = graph(&Graph {
        title: "Tiers",
        nodes: &nodes,
        edges: &[(0, 1), (1, 2)],
        key: &[("#009E73", "ok"), ("#E69F00", "near"), ("#D55E00", "over")],
    })
    .unwrap();
    insta::assert_snapshot!(svg);
}
