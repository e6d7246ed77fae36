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
    let mut simplex = Simplex::around(&f, start, step);
    let mut evals = d + 1;
    while evals < max_evals {
        simplex.sort();
        let (best, worst) = (simplex.values[0], simplex.values[d]);
        if (worst - best).abs() <= tol * (best.abs() + 1e-12) {
            break;
        }
        evals += simplex.step(&f);
    }
    let best = (0..=d)
        .min_by(|&a, &b| simplex.values[a].total_cmp(&simplex.values[b]))
        .expect("a simplex has points");
    (simplex.points[best].clone(), simplex.values[best])
}

/// The d + 1 points of the search and their values (best first after [`Simplex::sort`]).
struct Simplex {
    points: Vec<Vec<f64>>,
    values: Vec<f64>,
}

impl Simplex {
    /// `start` and, for each coordinate, `start` moved by that coordinate's step.
    fn around(f: &impl Fn(&[f64]) -> f64, start: &[f64], step: &[f64]) -> Simplex {
        let mut points: Vec<Vec<f64>> = vec![start.to_vec()];
        for i in 0..start.len() {
            let mut p = start.to_vec();
            p[i] += step[i];
            points.push(p);
        }
        let values: Vec<f64> = points.iter().map(|p| f(p)).collect();
        Simplex { points, values }
    }

    /// Orders the points by value, best first, worst last.
    fn sort(&mut self) {
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_by(|&a, &b| self.values[a].total_cmp(&self.values[b]));
        self.points = order.iter().map(|&i| self.points[i].clone()).collect();
        self.values = order.iter().map(|&i| self.values[i]).collect();
    }

    /// One move of the sorted simplex: the worst point reflected through the others'
    /// centroid, expanded further when that beats the best point, kept when it beats the
    /// second worst, else contracted (or the whole simplex shrunk). Returns the
    /// evaluations of `f` it took.
    fn step(&mut self, f: &impl Fn(&[f64]) -> f64) -> usize {
        let d = self.values.len() - 1;
        let centroid: Vec<f64> = (0..d)
            .map(|k| self.points[..d].iter().map(|p| p[k]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|k| centroid[k] + t * (self.points[d][k] - centroid[k]))
                .collect()
        };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        if fr < self.values[0] {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            if fe < fr {
                self.replace_worst(expanded, fe);
            } else {
                self.replace_worst(reflected, fr);
            }
            2
        } else if fr < self.values[d - 1] {
            self.replace_worst(reflected, fr);
            1
        } else {
            let contracted = if fr < self.values[d] {
                along(-0.5)
            } else {
                along(0.5)
            };
            1 + self.contract(f, contracted, fr)
        }
    }

    /// Takes the contracted point when it beats both the worst point and the reflected
    /// one's value `fr`, else shrinks; returns the evaluations of `f` it took.
    fn contract(&mut self, f: &impl Fn(&[f64]) -> f64, contracted: Vec<f64>, fr: f64) -> usize {
        let d = self.values.len() - 1;
        let fc = f(&contracted);
        if fc < self.values[d].min(fr) {
            self.replace_worst(contracted, fc);
            1
        } else {
            // Shrink towards the best point.
            let best = self.points[0].clone();
            for i in 1..=d {
                for (x, b) in self.points[i].iter_mut().zip(&best) {
                    *x = b + 0.5 * (*x - b);
                }
                self.values[i] = f(&self.points[i]);
            }
            1 + d
        }
    }

    /// Puts `point` with value `value` in the worst point's place.
    fn replace_worst(&mut self, point: Vec<f64>, value: f64) {
        let d = self.values.len() - 1;
        self.points[d] = point;
        self.values[d] = value;
    }
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
