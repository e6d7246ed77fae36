//! Nelder–Mead minimisation, enough to fit a handful of smoothing parameters.

/// Minimises `f` from `start` with initial simplex steps `step`; stops after `max_evals`
/// evaluations or when the simplex's values agree to `tol` (relative). Returns the best
/// point and its value.
pub(crate) fn nelder_mead(
    f: impl Fn(&[f64]) -> f64,
    start: &[f64],
    step: &[f64],
    max_evals: usize,
    tol: f64,
) -> (Vec<f64>, f64) {
    let d = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..d {
        let mut p = start.to_vec();
        p[i] += step[i];
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| f(p)).collect();
    let mut evals = d + 1;
    while evals < max_evals {
        let mut order: Vec<usize> = (0..=d).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (best, worst) = (values[0], values[d]);
        if (worst - best).abs() <= tol * (best.abs() + 1e-12) {
            break;
        }
        let centroid: Vec<f64> = (0..d)
            .map(|k| simplex[..d].iter().map(|p| p[k]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|k| centroid[k] + t * (simplex[d][k] - centroid[k]))
                .collect()
        };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        evals += 1;
        if fr < values[0] {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            evals += 1;
            if fe < fr {
                simplex[d] = expanded;
                values[d] = fe;
            } else {
                simplex[d] = reflected;
                values[d] = fr;
            }
        } else if fr < values[d - 1] {
            simplex[d] = reflected;
            values[d] = fr;
        } else {
            let contracted = if fr < values[d] {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = f(&contracted);
            evals += 1;
            if fc < values[d].min(fr) {
                simplex[d] = contracted;
                values[d] = fc;
            } else {
                // Shrink towards the best point.
                let best = simplex[0].clone();
                for i in 1..=d {
                    for (x, b) in simplex[i].iter_mut().zip(&best) {
                        *x = b + 0.5 * (*x - b);
                    }
                    values[i] = f(&simplex[i]);
                }
                evals += d;
            }
        }
    }
    let best = (0..=d)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .expect("a simplex has points");
    (simplex[best].clone(), values[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let f = |p: &[f64]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let (x, v) = nelder_mead(f, &[-1.2, 1.0], &[0.5, 0.5], 5000, 1e-14);
        assert!(v < 1e-8, "{v}");
        assert!(
            (x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3,
            "{x:?}"
        );
    }
}
