//! Servers per tier per month: forecast demand pushed through the topology, with
//! redundancy on top, each number explained in words.

use headroom_forecast::FittedLinearTrend;
use headroom_topology::Topology;
use serde::Serialize;

/// Average days in a month (365.25 ÷ 12), the step between planned months.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// How much spare a plan holds beyond what demand needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Servers added to every tier so it survives that many failures (the k of N+k).
    pub spare_servers: u32,
}

impl Default for Policy {
    /// N+1: one server of any tier may fail at peak. Web services trade full
    /// reliability for cost, and one spare is the usual floor for that trade.
    fn default() -> Self {
        Policy { spare_servers: 1 }
    }
}

/// One tier in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierPlan {
    /// Tier name.
    pub tier: String,
    /// Requests per second reaching the tier at the month's peak.
    pub demand_rps: f64,
    /// Servers that carry the demand under the tier's ceiling.
    pub for_demand: u32,
    /// Servers added by the redundancy policy.
    pub for_redundancy: u32,
    /// `for_demand + for_redundancy`.
    pub total: u32,
    /// Servers the tier has today.
    pub today: u32,
    /// Utilisation at peak with `total` servers (demand ÷ total capacity).
    pub utilisation: f64,
    /// The arithmetic behind `total`, in words.
    pub reason: String,
}

/// Every tier in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthPlan {
    /// Months after the end of the data (1 is the first planned month).
    pub month: u32,
    /// Front-door requests per second at the month's projected peak.
    pub peak_rps: f64,
    /// Tiers in topology order.
    pub tiers: Vec<TierPlan>,
}

/// A month-by-month plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Service name from the topology.
    pub service: String,
    /// The policy it was made under.
    pub policy: Policy,
    /// One entry per planned month.
    pub months: Vec<MonthPlan>,
}

/// Peaks growing by `growth` per month (0.08 for 8%) from `peak_rps` today, compounded:
/// month m is `peak_rps × (1 + growth)^m`.
pub fn compound_peaks(peak_rps: f64, growth: f64, months: u32) -> Vec<f64> {
    (1..=months)
        .map(|m| peak_rps * (1.0 + growth).powi(m as i32))
        .collect()
}

/// For each tier (topology order), the first planned month (1-based) in which demand
/// alone needs more servers than the tier has today: when it crosses its ceiling with
/// today's servers. `None` when that does not happen within the plan.
pub fn crossings(plan: &Plan) -> Vec<Option<u32>> {
    let tiers = plan.months.first().map_or(0, |m| m.tiers.len());
    (0..tiers)
        .map(|t| {
            plan.months
                .iter()
                .find(|m| m.tiers[t].for_demand > m.tiers[t].today)
                .map(|m| m.month)
        })
        .collect()
}

/// Projects a daily-peak trend (fitted on days) to the peak of each coming month.
///
/// Month `m` is read at `last_day + m × 30.4375` days; a trend that falls below zero
/// is read as zero demand.
pub fn monthly_peaks(trend: &FittedLinearTrend, last_day: f64, months: u32) -> Vec<f64> {
    (1..=months)
        .map(|m| {
            trend
                .predict(last_day + f64::from(m) * DAYS_PER_MONTH)
                .max(0.0)
        })
        .collect()
}

/// Plans every month's servers for the given front-door peaks.
pub fn plan(topology: &Topology, monthly_peak_rps: &[f64], policy: Policy) -> Plan {
    let months = monthly_peak_rps
        .iter()
        .zip(1..)
        .map(|(&peak_rps, month)| MonthPlan {
            month,
            peak_rps,
            tiers: plan_tiers(topology, peak_rps, policy),
        })
        .collect();
    Plan {
        service: topology.name().to_owned(),
        policy,
        months,
    }
}

fn plan_tiers(topology: &Topology, entry_rps: f64, policy: Policy) -> Vec<TierPlan> {
    topology
        .tiers()
        .iter()
        .zip(topology.loads(entry_rps))
        .enumerate()
        .map(|(i, (tier, load))| {
            let sizing = topology.sizing(i, entry_rps);
            let (for_demand, why) = (sizing.servers, sizing.reason);
            let total = for_demand + policy.spare_servers;
            TierPlan {
                tier: tier.name.clone(),
                demand_rps: load.demand_rps,
                for_demand,
                for_redundancy: policy.spare_servers,
                total,
                today: tier.servers,
                utilisation: topology.utilisation(i, entry_rps, total).0,
                reason: format!(
                    "{}: {total} = {why} + {} for N+{}",
                    tier.name, policy.spare_servers, policy.spare_servers
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use headroom_forecast::LinearTrend;
    use proptest::prelude::*;

    use super::*;

    const TWO_TIERS: &str = r#"
name = "two"
entry = "web"
[[tier]]
name = "web"
role = "application"
servers = 3
capacity_rps = 100
ceiling = 0.5
[[tier]]
name = "db"
role = "database"
servers = 2
capacity_rps = 1000
[[edge]]
from = "web"
to = "db"
ratio = 4
"#;

    fn topology() -> Topology {
        headroom_topology::parse(TWO_TIERS, Path::new("two.toml")).unwrap()
    }

    #[test]
    fn hand_checked_month() {
        let p = plan(&topology(), &[120.0], Policy::default());
        let web = &p.months[0].tiers[0];
        // 120 rps ÷ (100 × 0.5) = 2.4 → 3, plus one spare.
        assert_eq!((web.for_demand, web.total), (3, 4));
        assert_eq!(
            web.reason,
            "web: 4 = ceil(120.0 rps ÷ (100 rps × 0.50)) + 1 for N+1"
        );
        let db = &p.months[0].tiers[1];
        // 480 rps ÷ (1000 × 0.7) = 0.69 → 1, plus one spare.
        assert_eq!((db.demand_rps, db.total), (480.0, 2));
        assert_eq!(db.utilisation, 0.24);
    }

    #[test]
    fn projects_a_trend_by_month() {
        let trend = LinearTrend.fit(&[0.0, 1.0], &[10.0, 11.0]).unwrap();
        let peaks = monthly_peaks(&trend, 1.0, 2);
        assert_eq!(
            peaks,
            vec![11.0 + DAYS_PER_MONTH, 11.0 + 2.0 * DAYS_PER_MONTH]
        );
        let falling = LinearTrend.fit(&[0.0, 1.0], &[10.0, 5.0]).unwrap();
        assert_eq!(monthly_peaks(&falling, 1.0, 1), vec![0.0]);
    }

    #[test]
    fn compound_growth_and_crossings() {
        let peaks = compound_peaks(100.0, 0.5, 3);
        assert_eq!(peaks, vec![150.0, 225.0, 337.5]);
        // web: 3 servers of 50 usable rps carry 150; 225 needs 5 (month 2).
        // db: 4 × peak over 2 servers of 700 usable carries 350 front-door rps: never.
        let p = plan(&topology(), &peaks, Policy::default());
        assert_eq!(crossings(&p), vec![Some(2), None]);
    }

    proptest! {
        #[test]
        fn never_shrinks_when_demand_grows(a in 0.0f64..1e5, extra in 0.0f64..1e5, k in 0u32..3) {
            let p = plan(&topology(), &[a, a + extra], Policy { spare_servers: k });
            for (lo, hi) in p.months[0].tiers.iter().zip(&p.months[1].tiers) {
                prop_assert!(hi.total >= lo.total);
                prop_assert!(lo.total > k, "never below the redundancy floor");
                prop_assert!(lo.utilisation <= 1.0);
            }
        }
    }
}
