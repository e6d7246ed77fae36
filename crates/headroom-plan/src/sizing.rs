//! Servers per tier for one month, stacked: demand, the lead-time buffer, redundancy and
//! deploys, each said in words.

use headroom_topology::{
    Deploy, Domain, Failures, Placement, Strategy, Supply, Topology, pack_pools,
};
use serde::{Deserialize, Serialize};

use crate::{DAYS_PER_MONTH, Redundancy};

/// How long adding a server takes, by where it comes from, minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeadTimes {
    /// Buying, delivering and racking a server.
    pub purchase: f64,
    /// Starting a VM on a spare host.
    pub vm: f64,
    /// Starting a cloud instance.
    pub cloud: f64,
}

impl Default for LeadTimes {
    /// ASSUMPTION: eight weeks to buy a server, four hours to start a VM (image, config,
    /// warm-up, into rotation), five minutes to start a cloud instance under autoscaling.
    fn default() -> Self {
        LeadTimes {
            purchase: 8.0 * 7.0 * 1440.0,
            vm: 4.0 * 60.0,
            cloud: 5.0,
        }
    }
}

impl LeadTimes {
    /// The lead time of `supply`, minutes.
    pub fn of(&self, supply: Supply) -> f64 {
        match supply {
            Supply::Purchase => self.purchase,
            Supply::Vm => self.vm,
            Supply::Cloud => self.cloud,
        }
    }
}

/// Servers for redundancy and deploys on top of `need` (demand and lead-time buffer), for
/// `n` racks under the rack policy, assuming an even spread: `(total, for redundancy,
/// for deploys)`.
///
/// A rolling or canary deploy takes its batch out of rotation while the tier has lost
/// its redundancy budget; a batch is never counted above one whole set (`need` plus
/// redundancy), which is what a blue-green deploy adds: a second full set.
pub fn stack(
    need: u32,
    redundancy: Redundancy,
    racks: usize,
    deploy: Option<&Deploy>,
) -> (u32, u32, u32) {
    let lost = |n: u32| -> u32 {
        match redundancy {
            Redundancy::Spares { k } => k,
            Redundancy::Rack if racks >= 2 => n.div_ceil(racks as u32),
            Redundancy::Rack => 1,
        }
    };
    let fits = |n: u32, batch: u32| n.saturating_sub(lost(n)).saturating_sub(batch) >= need;
    let mut set = need;
    while !fits(set, 0) {
        set += 1;
    }
    // Servers out of rotation while deploying to n: a blue-green switch is a batch of
    // one whole set (the set that is not serving).
    let batch = |n: u32| -> u32 {
        match deploy {
            None => 0,
            Some(d) if d.strategy == Strategy::BlueGreen => set,
            Some(d) => d.out_of_rotation(n).min(set),
        }
    };
    let mut total = set;
    while !fits(total, batch(total)) {
        total += 1;
    }
    (total, set - need, total - set)
}

/// Racks a tier's servers spread over.
pub(crate) fn racks_of(topology: &Topology, tier: usize) -> usize {
    match &topology.tiers()[tier].placement {
        Placement::Physical { racks, .. } => racks.len(),
        Placement::Virtual { pool, .. } => topology.pools()[*pool].racks.len(),
    }
}

/// Largest rise of `minutes`-ahead demand over the current, as a share of the series'
/// peak: how far demand can climb before an autoscaler reacting in `minutes` catches up.
pub fn rise_within(minute_rps: &[f64], minutes: usize) -> f64 {
    let peak = minute_rps.iter().copied().fold(0.0, f64::max);
    if peak <= 0.0 || minutes == 0 {
        return 0.0;
    }
    let mut window: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut rise: f64 = 0.0;
    // Walk backwards keeping the max of the next `minutes` values (a monotone queue).
    for t in (0..minute_rps.len()).rev() {
        while window.front().is_some_and(|&j| j > t + minutes) {
            window.pop_front();
        }
        if let Some(&j) = window.front() {
            rise = rise.max(minute_rps[j] - minute_rps[t]);
        }
        while window
            .back()
            .is_some_and(|&j| minute_rps[j] <= minute_rps[t])
        {
            window.pop_back();
        }
        window.push_back(t);
    }
    rise / peak
}

/// One tier's count for one month.
pub(crate) struct Sized {
    pub(crate) for_demand: u32,
    pub(crate) for_lead: u32,
    pub(crate) for_redundancy: u32,
    pub(crate) for_deploy: u32,
    pub(crate) required: u32,
    pub(crate) why: String,
    /// Shards the count assumes (see [`headroom_topology::Sizing::primaries`]).
    pub(crate) primaries: u32,
}

/// What the month's demand looks like to the sizing.
pub(crate) struct MonthDemand<'a> {
    /// The point forecast of this month's peak.
    pub(crate) point: f64,
    /// Per tier, the planned quantile's peaks from this month on (this month first).
    pub(crate) upper_ahead: &'a [&'a [f64]],
    /// [`rise_within`] the measured minutes for each lead time shorter than a day, as
    /// (lead minutes, rise); computed once per plan, as a year of minutes is long.
    pub(crate) rises: &'a [(f64, f64)],
}

/// The rise within each of `leads`' times shorter than a day, for [`MonthDemand::rises`].
pub(crate) fn rises(minute_rps: Option<&[f64]>, leads: &LeadTimes) -> Vec<(f64, f64)> {
    let Some(minutes) = minute_rps else {
        return Vec::new();
    };
    [leads.purchase, leads.vm, leads.cloud]
        .into_iter()
        .filter(|l| *l < 1440.0)
        .map(|l| (l, rise_within(minutes, l.ceil() as usize)))
        .collect()
}

/// Sizes every tier for one month.
pub(crate) fn size_month(
    topology: &Topology,
    demand: &MonthDemand,
    redundancy: Redundancy,
    leads: &LeadTimes,
) -> Vec<Sized> {
    let mut out: Vec<Sized> = (0..topology.tiers().len())
        .map(|i| size_tier(topology, i, demand, redundancy, leads))
        .collect();
    if redundancy == Redundancy::Rack {
        check_rack_layout(topology, demand.point, &mut out);
    }
    for (i, s) in out.iter_mut().enumerate() {
        explain_spares(topology, i, s, redundancy);
    }
    out
}

/// Tier `i`'s servers for the month's demand, its lead time's buffer, redundancy and
/// deploys (the rack layout not yet checked).
fn size_tier(
    topology: &Topology,
    i: usize,
    demand: &MonthDemand,
    redundancy: Redundancy,
    leads: &LeadTimes,
) -> Sized {
    let tier = &topology.tiers()[i];
    let base = topology.sizing(i, demand.point);
    let (lead_rps, lead_why) = lead_demand(demand, i, leads.of(tier.supply()));
    let buffered = topology.sizing(i, lead_rps);
    let need = buffered.servers.max(base.servers);
    let for_lead = need - base.servers;
    let (required, for_redundancy, for_deploy) = stack(
        need,
        redundancy,
        racks_of(topology, i),
        tier.deploy.as_ref(),
    );
    let mut why = base.reason.clone();
    if for_lead > 0 {
        why.push_str(&format!(" + {for_lead} for {lead_why}"));
    }
    Sized {
        for_demand: base.servers,
        for_lead,
        for_redundancy,
        for_deploy,
        required,
        why,
        primaries: buffered.primaries.max(base.primaries),
    }
}

/// The demand tier `i` is held to over a `lead` (minutes), and why. Slow supply: the
/// planned quantile until an order could land. Fast supply: the point forecast plus
/// what demand can add while one starts.
fn lead_demand(demand: &MonthDemand, i: usize, lead: f64) -> (f64, String) {
    if lead >= 1440.0 {
        let months = ((lead / 1440.0 / DAYS_PER_MONTH).ceil() as usize).max(1);
        let upper = demand.upper_ahead[i];
        let ahead = &upper[..months.min(upper.len())];
        let top = ahead.iter().copied().fold(demand.point, f64::max);
        let why = format!(
            "the planned bound over the {} lead time ({top:.1} rps)",
            minutes_text(lead)
        );
        (top, why)
    } else {
        let rise = demand
            .rises
            .iter()
            .find(|(l, _)| *l == lead)
            .map_or(0.0, |(_, r)| *r);
        let why = format!(
            "a {:.1}% rise within its {} lead time",
            rise * 100.0,
            minutes_text(lead)
        );
        (demand.point * (1.0 + rise), why)
    }
}

/// Adds the redundancy's and the deploys' servers to the count in words.
fn explain_spares(topology: &Topology, i: usize, s: &mut Sized, redundancy: Redundancy) {
    let racks = racks_of(topology, i);
    match redundancy {
        Redundancy::Spares { k } => s.why.push_str(&format!(" + {k} for N+{k}")),
        Redundancy::Rack if racks < 2 => s.why.push_str(&format!(
            " + {} for N+1 (its servers share one rack, so no count survives losing it)",
            s.for_redundancy
        )),
        Redundancy::Rack => s.why.push_str(&format!(
            " + {} so that losing any of its {racks} racks leaves {} servers",
            s.for_redundancy,
            s.for_demand + s.for_lead
        )),
    }
    if s.for_deploy > 0 {
        let tier = &topology.tiers()[i];
        let d = tier
            .deploy
            .as_ref()
            .expect("deploy servers come from a deploy");
        s.why
            .push_str(&format!(" + {} for {} deploys", s.for_deploy, d.describe()));
    }
}

/// Plays every rack loss out on the packed layout (round-robin servers, VMs on hosts)
/// and adds servers to any tier that would fall short, until none does.
fn check_rack_layout(topology: &Topology, peak_rps: f64, sized: &mut [Sized]) {
    let racks: Vec<Domain> = (0..topology.racks().len())
        .map(|rack| Domain::Rack { rack })
        .collect();
    // Each round adds at least one server; losing a rack takes about a rack's share of
    // the servers, which grows slower than the count, so this ends. The bound only
    // guards against a layout that never spreads (it has not been seen).
    for _ in 0..10_000 {
        let counts: Vec<u32> = sized.iter().map(|s| s.required - s.for_deploy).collect();
        let packing = pack_pools(topology, &counts);
        let failures = Failures::new(topology, &counts, &packing, peak_rps);
        let mut short = false;
        for d in &racks {
            let scenario = failures.evaluate(&[*d]);
            for (i, lost) in scenario.servers_lost.iter().enumerate() {
                let need = sized[i].for_demand + sized[i].for_lead;
                if racks_of(topology, i) >= 2 && counts[i] - lost < need {
                    sized[i].for_redundancy += 1;
                    sized[i].required += 1;
                    short = true;
                }
            }
        }
        if !short {
            break;
        }
    }
}

/// A lead time in words: "8w", "4h", "5 min".
pub fn minutes_text(minutes: f64) -> String {
    if minutes >= 7.0 * 1440.0 && (minutes / (7.0 * 1440.0)).fract() == 0.0 {
        format!("{}w", minutes / (7.0 * 1440.0))
    } else if minutes >= 1440.0 {
        format!("{:.0}d", minutes / 1440.0)
    } else if minutes >= 60.0 {
        format!("{:.0}h", minutes / 60.0)
    } else {
        format!("{minutes:.0} min")
    }
}

/// For each hour of the week (hour 0 = Monday 00:00 UTC, as everywhere:
/// [`headroom_logformat::time::hour_of_week`]), the highest busiest-minute requests/s
/// seen in it, over all weeks; `None` for hours with no data.
pub fn hour_of_week_peaks(minutes: impl IntoIterator<Item = (i64, f64)>) -> Vec<Option<f64>> {
    let mut out = vec![None; 168];
    for (t, rps) in minutes {
        let slot: &mut Option<f64> = &mut out[headroom_logformat::time::hour_of_week(t)];
        *slot = Some(slot.map_or(rps, |v: f64| v.max(rps)));
    }
    out
}

/// Whether a deploy of `tier` fits with `servers` in service in each hour of the week at
/// that hour's peak (from [`hour_of_week_peaks`]), the redundancy budget lost too;
/// `None` for hours without data.
pub fn deploy_windows(
    topology: &Topology,
    tier: usize,
    servers: u32,
    redundancy: Redundancy,
    hour_peaks: &[Option<f64>],
) -> Vec<Option<bool>> {
    let t = &topology.tiers()[tier];
    hour_peaks
        .iter()
        .map(|peak| {
            peak.map(|rps| {
                let need = topology.sizing(tier, rps).servers;
                stack(
                    need,
                    redundancy,
                    racks_of(topology, tier),
                    t.deploy.as_ref(),
                )
                .0 <= servers
            })
        })
        .collect()
}

/// The largest rolling batch `tier` can take out of rotation at `peak_rps` with
/// `servers` in service and its redundancy budget lost; `None` when even a batch of one
/// does not fit.
pub fn largest_batch(
    topology: &Topology,
    tier: usize,
    servers: u32,
    redundancy: Redundancy,
    peak_rps: f64,
) -> Option<u32> {
    let need = topology.sizing(tier, peak_rps).servers;
    let (set, _, _) = stack(need, redundancy, racks_of(topology, tier), None);
    // With `servers` in service and the budget lost, what stands above `need`.
    let lost = set - need;
    let spare = servers.checked_sub(need + lost)?;
    (spare >= 1).then_some(spare)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use headroom_topology::{Batch, Strategy};

    fn rolling(b: u32) -> Deploy {
        Deploy {
            strategy: Strategy::Rolling(Batch::Servers(b)),
            minutes: 30.0,
        }
    }

    #[test]
    fn stacks_by_hand() {
        // 9 for demand, N+1, rolling 2: 9 + 1 + 2 = 12.
        assert_eq!(
            stack(9, Redundancy::Spares { k: 1 }, 3, Some(&rolling(2))),
            (12, 1, 2)
        );
        // Blue-green: two sets of 10.
        let bg = Deploy {
            strategy: Strategy::BlueGreen,
            minutes: 10.0,
        };
        assert_eq!(
            stack(9, Redundancy::Spares { k: 1 }, 3, Some(&bg)),
            (20, 1, 10)
        );
        // Rack over 3 racks: 14 − ceil(14/3) = 9.
        assert_eq!(stack(9, Redundancy::Rack, 3, None), (14, 5, 0));
        // 25% at a time with N+1: n − 1 − ceil(n/4) ≥ 9 first at n = 14 (14 − 1 − 4).
        let quarter = Deploy {
            strategy: Strategy::Rolling(Batch::Fraction(0.25)),
            minutes: 30.0,
        };
        assert_eq!(
            stack(9, Redundancy::Spares { k: 1 }, 3, Some(&quarter)),
            (14, 1, 4)
        );
    }

    #[test]
    fn rise_by_hand() {
        let m = [1.0, 2.0, 5.0, 3.0, 10.0, 4.0];
        // Within 1 minute: 3 → 10 is +7; within 2: 2 → 5 +3, 5 → 10 +5, 3 → 10 +7.
        assert!((rise_within(&m, 1) - 0.7).abs() < 1e-12);
        assert!((rise_within(&m, 3) - 0.8).abs() < 1e-12, "2 → 10 within 3");
        assert!((rise_within(&m, 4) - 0.9).abs() < 1e-12, "1 → 10 within 4");
        assert_eq!(rise_within(&m, 0), 0.0);
    }

    #[test]
    fn lead_text() {
        assert_eq!(minutes_text(LeadTimes::default().purchase), "8w");
        assert_eq!(minutes_text(240.0), "4h");
        assert_eq!(minutes_text(5.0), "5 min");
    }

    proptest! {
        #[test]
        fn deploys_never_lower_and_blue_green_is_the_most(need in 0u32..200, k in 0u32..3, b in 1u32..300, racks in 0usize..5, rack in proptest::bool::ANY) {
            let r = if rack { Redundancy::Rack } else { Redundancy::Spares { k } };
            let (plain, _, _) = stack(need, r, racks, None);
            let (roll, _, _) = stack(need, r, racks, Some(&rolling(b)));
            let (bg, _, _) = stack(need, r, racks, Some(&Deploy { strategy: Strategy::BlueGreen, minutes: 1.0 }));
            prop_assert!(roll >= plain);
            prop_assert!(bg >= roll, "blue-green {bg} < rolling {roll}");
            let (bigger, _, _) = stack(need, r, racks, Some(&rolling(b + 1)));
            prop_assert!(bigger >= roll, "a bigger batch never needs fewer");
        }

        #[test]
        fn rise_never_shrinks_with_a_longer_reaction(m in proptest::collection::vec(0.0f64..100.0, 1..200), a in 0usize..30, extra in 0usize..30) {
            prop_assert!(rise_within(&m, a + extra) >= rise_within(&m, a));
            prop_assert!(rise_within(&m, a) <= 1.0);
        }
    }
}
