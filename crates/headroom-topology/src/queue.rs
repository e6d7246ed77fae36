//! Server capacity from a model: the Universal Scalability Law and the M/M/c queue.
//!
//! Both turn a measurement a team can make (a load test, a service time) into the two
//! numbers the rest of the crate needs per server: requests per second at 100% busy,
//! and the utilisation ceiling to plan at.

/// Throughput of the Universal Scalability Law at concurrency `n`:
/// X(N) = γN / (1 + α(N − 1) + βN(N − 1)) (Gunther, *Guerrilla Capacity Planning*, 2007).
pub fn usl_throughput(alpha: f64, beta: f64, gamma: f64, n: f64) -> f64 {
    gamma * n / (1.0 + alpha * (n - 1.0) + beta * n * (n - 1.0))
}

/// Concurrency at which USL throughput peaks, N* = √((1 − α) / β); `None` when β is 0
/// (throughput then only flattens, it never turns down).
pub fn usl_peak_concurrency(alpha: f64, beta: f64) -> Option<f64> {
    (beta > 0.0).then(|| ((1.0 - alpha) / beta).sqrt())
}

/// Erlang C: the probability that a request waits, with `c` servers offered `a`
/// Erlangs (arrival rate × service time). Requires a < c.
///
/// Computed through the Erlang B recursion B(k) = aB(k−1) / (k + aB(k−1)), which stays
/// finite where a^c / c! would overflow for hundreds of workers.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    debug_assert!(
        a < f64::from(c),
        "offered load must be below the server count"
    );
    let cf = f64::from(c);
    // Far below the load, B(k) is 1 − k/a (the fluid limit), and the recursion forgets
    // an error in its start by a factor k/a a step: starting 10√a + 10 below a, the
    // error is gone (below e^-100) by the time k reaches a. Far above it B underflows
    // to 0 and stays there. So the work is about 50√a steps, not c: four billion
    // workers are as quick as a few million.
    let start = (a - 10.0 * a.sqrt() - 10.0).floor().max(0.0);
    let mut b = if start > 0.0 { 1.0 - start / a } else { 1.0 };
    let mut k = start as u64;
    while k < u64::from(c) {
        k += 1;
        b = a * b / (k as f64 + a * b);
        if b < 1e-300 {
            b = 0.0;
            break;
        }
    }
    cf * b / (cf - a * (1.0 - b))
}

/// Mean time a request waits in an M/M/c queue before service starts, in the unit of
/// `service_time`, at utilisation `rho` (0 ≤ rho < 1).
pub fn mmc_wait(c: u32, service_time: f64, rho: f64) -> f64 {
    let cf = f64::from(c);
    erlang_c(c, rho * cf) * service_time / (cf * (1.0 - rho))
}

/// Mean response time (wait + service) of an M/M/c queue at utilisation `rho`.
pub fn mmc_response(c: u32, service_time: f64, rho: f64) -> f64 {
    mmc_wait(c, service_time, rho) + service_time
}

/// Highest utilisation at which an M/M/c queue's mean response time stays within
/// `target` (same unit as `service_time`); `None` when even an idle server is slower
/// than the target. Response time rises monotonically with utilisation, so bisection
/// finds it; 60 halvings leave an error far below any printed digit.
pub fn mmc_ceiling(c: u32, service_time: f64, target: f64) -> Option<f64> {
    if target <= service_time {
        return None;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if mmc_response(c, service_time, mid) <= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PDQ's "bank" model (DrQz/pdq-qnm-pkg README): 4 tellers, 0.35 arrivals/min,
    /// 10 min service → 87.5% busy, waiting 14.7572 min, response 24.7572 min.
    #[test]
    fn mmc_matches_pdq_bank_model() {
        let rho = 0.35 * 10.0 / 4.0;
        assert!((rho - 0.875_f64).abs() < 1e-12);
        assert!((erlang_c(4, 3.5) - 0.737861).abs() < 1e-6);
        assert!((mmc_wait(4, 10.0, rho) - 14.7572).abs() < 1e-4);
        assert!((mmc_response(4, 10.0, rho) - 24.7572).abs() < 1e-4);
        // And back: the ceiling for a 24.7572-minute target is that same 87.5%.
        let ceiling = mmc_ceiling(4, 10.0, 24.7572).unwrap();
        assert!((ceiling - 0.875).abs() < 1e-5, "{ceiling}");
        assert_eq!(mmc_ceiling(4, 10.0, 10.0), None);
    }

    /// The plain recursion from k = 1, for checking the shortcut.
    fn erlang_c_from_one(c: u32, a: f64) -> f64 {
        let mut b = 1.0;
        for k in 1..=c {
            b = a * b / (f64::from(k) + a * b);
        }
        let c = f64::from(c);
        c * b / (c - a * (1.0 - b))
    }

    #[test]
    fn the_shortcut_is_the_recursion_and_scales_to_billions_of_workers() {
        for (c, a) in [(50, 45.0), (1_000, 980.0), (20_000, 19_800.0), (300, 150.0)] {
            let (fast, slow) = (erlang_c(c, a), erlang_c_from_one(c, a));
            assert!(
                (fast - slow).abs() <= 1e-9 * slow.max(1e-300),
                "{c} {a}: {fast} {slow}"
            );
        }
        // Four billion workers at 99.999% busy: β = (c − a)/√a ≈ 0.632, and Halfin and
        // Whitt's limit 1/(1 + βΦ(β)/φ(β)) says 0.41 of requests wait; the answer comes
        // from ~3 M steps, not 4 G.
        let c = 4_000_000_000u32;
        let p = erlang_c(c, 0.99999 * f64::from(c));
        assert!((p - 0.41).abs() < 0.01, "{p}");
        assert!(mmc_ceiling(c, 1.0, 1.000_001).is_some());
    }

    #[test]
    fn single_server_queue_at_seventy_percent_waits_two_and_a_third_service_times() {
        // The reason behind DEFAULT_CEILING: M/M/1 wait = ρ/(1 − ρ) service times.
        assert!((mmc_wait(1, 1.0, 0.7) - 0.7 / 0.3).abs() < 1e-12);
    }

    /// R package `usl`, dataset specsdm91: α = 0.02773, β = 0.0001044, γ = 90 with
    /// published fitted values 90 1078 1541 1850 1879 1822 1646 and peak at 96.52.
    #[test]
    fn usl_reproduces_r_usl_specsdm91_fit() {
        let (a, b, g) = (2.773e-2, 1.044e-4, 90.0);
        let loads = [1.0, 18.0, 36.0, 72.0, 108.0, 144.0, 216.0];
        let fitted = [90.0, 1078.0, 1541.0, 1850.0, 1879.0, 1822.0, 1646.0];
        for (n, want) in loads.iter().zip(fitted) {
            let got = usl_throughput(a, b, g, *n);
            // The published parameters are rounded to four digits.
            assert!(
                (got - want).abs() / want < 2e-3,
                "X({n}) = {got}, R says {want}"
            );
        }
        let peak = usl_peak_concurrency(a, b).unwrap();
        assert!((peak - 96.51956).abs() < 0.05, "{peak}");
        assert_eq!(usl_peak_concurrency(0.1, 0.0), None);
    }
}
