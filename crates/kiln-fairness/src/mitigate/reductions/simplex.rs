//! A small dense two-phase simplex solver for the saddle-point linear programs of the
//! exponentiated-gradient reduction (a few dozen variables and constraints).
//!
//! Solves `min cᵀx  s.t.  A_ub x ≤ b_ub,  A_eq x = b_eq,  x_j ≥ 0` (or `x_j` free), the
//! problem `scipy.optimize.linprog` solves. Phase 1 minimizes the sum of one artificial
//! variable per row from the all-artificial basis; phase 2 optimizes `c` from the feasible
//! basis found. Bland's rule (smallest index enters, smallest basic index leaves among ties)
//! guarantees termination on degenerate problems (Bland 1977), which these programs are.
//!
//! # References
//! Dantzig, Linear Programming and Extensions (1963); Bland, "New finite pivoting rules for the
//! simplex method", Mathematics of Operations Research 2(2), 1977.

/// Why a linear program has no optimal solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LpFailure {
    /// No point satisfies the constraints.
    Infeasible,
    /// The objective decreases without bound.
    Unbounded,
    /// The pivot limit was reached (a safeguard; Bland's rule terminates in theory).
    IterationLimit,
}

/// A linear program in inequality/equality form.
pub(crate) struct LinearProgram<'a> {
    /// Objective coefficients, one per variable.
    pub c: &'a [f64],
    /// Rows of `A_ub`.
    pub a_ub: &'a [Vec<f64>],
    /// Right-hand sides of the `≤` rows.
    pub b_ub: &'a [f64],
    /// Rows of `A_eq`.
    pub a_eq: &'a [Vec<f64>],
    /// Right-hand sides of the `=` rows.
    pub b_eq: &'a [f64],
    /// Which variables are free (unbounded below); the others are `≥ 0`.
    pub free: &'a [bool],
}

const TOL: f64 = 1e-10;

struct Tableau {
    /// `rows × (cols + 1)` row-major; the last column is the right-hand side.
    t: Vec<f64>,
    rows: usize,
    cols: usize,
    basis: Vec<usize>,
}

impl Tableau {
    fn at(&self, r: usize, c: usize) -> f64 {
        self.t[r * (self.cols + 1) + c]
    }

    fn rhs(&self, r: usize) -> f64 {
        self.at(r, self.cols)
    }

    fn pivot(&mut self, pr: usize, pc: usize, cost: &mut [f64]) {
        let w = self.cols + 1;
        let p = self.t[pr * w + pc];
        for v in &mut self.t[pr * w..(pr + 1) * w] {
            *v /= p;
        }
        let pivot_row: Vec<f64> = self.t[pr * w..(pr + 1) * w].to_vec();
        for r in 0..self.rows {
            if r == pr {
                continue;
            }
            let f = self.t[r * w + pc];
            if f != 0.0 {
                for (v, pv) in self.t[r * w..(r + 1) * w].iter_mut().zip(&pivot_row) {
                    *v -= f * pv;
                }
            }
        }
        let f = cost[pc];
        if f != 0.0 {
            for (v, pv) in cost.iter_mut().zip(&pivot_row) {
                *v -= f * pv;
            }
        }
        self.basis[pr] = pc;
    }

    /// Runs simplex iterations on reduced costs `cost` (length `cols + 1`, last entry minus the
    /// objective value), letting only columns `< allowed` enter.
    fn optimize(&mut self, cost: &mut [f64], allowed: usize) -> Result<(), LpFailure> {
        let limit = 50 * (self.rows + self.cols) + 1000;
        for _ in 0..limit {
            let Some(pc) = (0..allowed).find(|&j| cost[j] < -TOL) else {
                return Ok(());
            };
            let mut best: Option<(f64, usize)> = None;
            for r in 0..self.rows {
                let a = self.at(r, pc);
                if a > TOL {
                    let ratio = self.rhs(r) / a;
                    best = match best {
                        None => Some((ratio, r)),
                        Some((br, brow)) => {
                            if ratio < br - TOL
                                || (ratio <= br + TOL && self.basis[r] < self.basis[brow])
                            {
                                Some((ratio, r))
                            } else {
                                Some((br, brow))
                            }
                        }
                    };
                }
            }
            let Some((_, pr)) = best else {
                return Err(LpFailure::Unbounded);
            };
            self.pivot(pr, pc, cost);
        }
        Err(LpFailure::IterationLimit)
    }
}

/// Solves the program; returns the optimal `x` (one value per variable of `c`).
pub(crate) fn solve(lp: &LinearProgram<'_>) -> Result<Vec<f64>, LpFailure> {
    let n = lp.c.len();
    // Each free variable x = x⁺ − x⁻ takes a second column.
    let mut split = Vec::with_capacity(n);
    let mut n_struct = n;
    for &f in lp.free {
        if f {
            split.push(Some(n_struct));
            n_struct += 1;
        } else {
            split.push(None);
        }
    }
    let n_ub = lp.a_ub.len();
    let n_eq = lp.a_eq.len();
    let rows = n_ub + n_eq;
    let n_slack = n_ub;
    let art0 = n_struct + n_slack;
    let cols = art0 + rows;
    let w = cols + 1;
    let mut t = vec![0.0; rows * w];
    let mut fill = |r: usize, a: &[f64], b: f64, slack: Option<usize>| {
        let sign = if b < 0.0 { -1.0 } else { 1.0 };
        for j in 0..n {
            t[r * w + j] = sign * a[j];
            if let Some(m) = split[j] {
                t[r * w + m] = -sign * a[j];
            }
        }
        if let Some(s) = slack {
            t[r * w + n_struct + s] = sign;
        }
        t[r * w + art0 + r] = 1.0;
        t[r * w + cols] = sign * b;
    };
    for (r, (a, &b)) in lp.a_ub.iter().zip(lp.b_ub).enumerate() {
        fill(r, a, b, Some(r));
    }
    for (r, (a, &b)) in lp.a_eq.iter().zip(lp.b_eq).enumerate() {
        fill(n_ub + r, a, b, None);
    }
    let mut tab = Tableau {
        t,
        rows,
        cols,
        basis: (art0..art0 + rows).collect(),
    };

    // Phase 1: minimize the sum of artificials; reduced costs are minus the column sums.
    let mut cost = vec![0.0; w];
    for r in 0..rows {
        for (j, c) in cost.iter_mut().enumerate() {
            if !(art0..art0 + rows).contains(&j) {
                *c -= tab.at(r, j);
            }
        }
    }
    tab.optimize(&mut cost, art0)?;
    let infeasibility: f64 = (0..rows)
        .filter(|&r| tab.basis[r] >= art0)
        .map(|r| tab.rhs(r))
        .sum();
    let scale = 1.0
        + lp.b_ub
            .iter()
            .chain(lp.b_eq)
            .fold(0.0_f64, |m, b| m.max(b.abs()));
    if infeasibility > 1e-8 * scale {
        return Err(LpFailure::Infeasible);
    }
    // Drive artificials at level zero out of the basis where a structural column can replace
    // them; a row with none is redundant and its artificial stays basic at zero.
    for r in 0..rows {
        if tab.basis[r] >= art0
            && let Some(j) = (0..art0).find(|&j| tab.at(r, j).abs() > 1e-9)
        {
            tab.pivot(r, j, &mut cost);
        }
    }

    // Phase 2: reduced costs of the original objective against the current basis.
    let full_c = |j: usize| -> f64 {
        if j < n {
            lp.c[j]
        } else if j < n_struct {
            let orig = split.iter().position(|s| *s == Some(j)).unwrap_or(0);
            -lp.c[orig]
        } else {
            0.0
        }
    };
    let mut cost: Vec<f64> = (0..w)
        .map(|j| if j < cols { full_c(j) } else { 0.0 })
        .collect();
    for r in 0..rows {
        let cb = if tab.basis[r] < art0 {
            full_c(tab.basis[r])
        } else {
            0.0
        };
        if cb != 0.0 {
            for (j, v) in cost.iter_mut().enumerate() {
                *v -= cb * tab.at(r, j);
            }
        }
    }
    tab.optimize(&mut cost, art0)?;

    let mut values = vec![0.0; art0];
    for r in 0..rows {
        if tab.basis[r] < art0 {
            values[tab.basis[r]] = tab.rhs(r);
        }
    }
    Ok((0..n)
        .map(|j| match split[j] {
            Some(m) => values[j] - values[m],
            None => values[j],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp_solve(
        c: &[f64],
        a_ub: &[Vec<f64>],
        b_ub: &[f64],
        a_eq: &[Vec<f64>],
        b_eq: &[f64],
        free: &[bool],
    ) -> Result<Vec<f64>, LpFailure> {
        solve(&LinearProgram {
            c,
            a_ub,
            b_ub,
            a_eq,
            b_eq,
            free,
        })
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-9, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn textbook_maximization() {
        // max 3x + 5y s.t. x <= 4, 2y <= 12, 3x + 2y <= 18 (Hillier & Lieberman): x=2, y=6.
        let x = lp_solve(
            &[-3.0, -5.0],
            &[vec![1.0, 0.0], vec![0.0, 2.0], vec![3.0, 2.0]],
            &[4.0, 12.0, 18.0],
            &[],
            &[],
            &[false, false],
        )
        .unwrap();
        close(&x, &[2.0, 6.0]);
    }

    #[test]
    fn equality_and_negative_rhs() {
        // min x + 2y s.t. x + y = 3, -x + y <= -1 (i.e. x - y >= 1): optimum x=3, y=0.
        let x = lp_solve(
            &[1.0, 2.0],
            &[vec![-1.0, 1.0]],
            &[-1.0],
            &[vec![1.0, 1.0]],
            &[3.0],
            &[false, false],
        )
        .unwrap();
        close(&x, &[3.0, 0.0]);
        // min -x - y with the same constraints: any point of the segment has value -3.
        let x = lp_solve(
            &[-1.0, -1.0],
            &[vec![-1.0, 1.0]],
            &[-1.0],
            &[vec![1.0, 1.0]],
            &[3.0],
            &[false, false],
        )
        .unwrap();
        assert!((x[0] + x[1] - 3.0).abs() < 1e-9 && x[0] - x[1] >= 1.0 - 1e-9);
    }

    #[test]
    fn free_variable_goes_negative() {
        // min y s.t. y >= x - 2 and y >= -x, x in [0, 5], y free: optimum y = -1 at x = 1.
        let x = lp_solve(
            &[0.0, 1.0],
            &[vec![1.0, -1.0], vec![-1.0, -1.0], vec![1.0, 0.0]],
            &[2.0, 0.0, 5.0],
            &[],
            &[],
            &[false, true],
        )
        .unwrap();
        close(&x, &[1.0, -1.0]);
    }

    #[test]
    fn infeasible_and_unbounded_are_reported() {
        let r = lp_solve(&[1.0], &[vec![1.0]], &[1.0], &[vec![1.0]], &[2.0], &[false]);
        assert_eq!(r, Err(LpFailure::Infeasible));
        let r = lp_solve(
            &[-1.0, 0.0],
            &[vec![-1.0, 1.0]],
            &[0.0],
            &[],
            &[],
            &[false, false],
        );
        assert_eq!(r, Err(LpFailure::Unbounded));
    }

    #[test]
    fn degenerate_program_terminates() {
        // Chvátal's cycling example (Linear Programming, 1983, p. 31): the largest-coefficient
        // rule cycles on it; the optimum is x = (1, 0, 1, 0) with value -1.
        let x = lp_solve(
            &[-10.0, 57.0, 9.0, 24.0],
            &[
                vec![0.5, -5.5, -2.5, 9.0],
                vec![0.5, -1.5, -0.5, 1.0],
                vec![1.0, 0.0, 0.0, 0.0],
            ],
            &[0.0, 0.0, 1.0],
            &[],
            &[],
            &[false; 4],
        )
        .unwrap();
        close(&x, &[1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn saddle_point_program_of_two_classifiers() {
        // Mixture of h0 (error 0.1, gamma - bound = 0.3) and h1 (error 0.3, gamma - bound =
        // -0.1), B = 10: min 0.1 q0 + 0.3 q1 + 10 z, 0.3 q0 - 0.1 q1 - z <= 0, q0 + q1 = 1.
        // At q0 = 1/4 the violation is zero and the cost 0.25; any violation costs 10 per unit
        // against a saving of 0.5 per unit of q0: optimum q = (1/4, 3/4), z = 0.
        let x = lp_solve(
            &[0.1, 0.3, 10.0],
            &[vec![0.3, -0.1, -1.0]],
            &[0.0],
            &[vec![1.0, 1.0, 0.0]],
            &[1.0],
            &[false; 3],
        )
        .unwrap();
        close(&x, &[0.25, 0.75, 0.0]);
    }

    /// fairlearn's saddle-point programs (primal and dual) on seeded random data, against
    /// scipy's HiGHS (`tests/reference/reductions_reference.py`): the optimal values are
    /// unique, so they must agree.
    #[test]
    fn saddle_point_programs_match_scipy_highs() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/reductions_lp.json"))
                .unwrap();
        let floats = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        for case in doc["cases"].as_array().unwrap() {
            let errors = floats(&case["errors"]);
            let gammas: Vec<Vec<f64>> = case["gammas"]
                .as_array()
                .unwrap()
                .iter()
                .map(floats)
                .collect();
            let bound = case["bound"].as_f64().unwrap();
            let b = case["B"].as_f64().unwrap();
            let (m, k) = (errors.len(), gammas.len());
            let mut c = errors.clone();
            c.push(b);
            let a_ub: Vec<Vec<f64>> = gammas
                .iter()
                .map(|row| {
                    let mut r: Vec<f64> = row.iter().map(|g| g - bound).collect();
                    r.push(-1.0);
                    r
                })
                .collect();
            let mut a_eq = vec![1.0; m];
            a_eq.push(0.0);
            let x = lp_solve(
                &c,
                &a_ub,
                &vec![0.0; k],
                &[a_eq],
                &[1.0],
                &vec![false; m + 1],
            )
            .unwrap();
            let value: f64 = c.iter().zip(&x).map(|(c, x)| c * x).sum();
            let want = case["primal_value"].as_f64().unwrap();
            assert!(
                (value - want).abs() < 1e-9,
                "primal {value} vs scipy {want}"
            );
            assert!(x.iter().all(|&v| v >= -1e-12));
            assert!((x[..m].iter().sum::<f64>() - 1.0).abs() < 1e-9);
            for row in &a_ub {
                let lhs: f64 = row.iter().zip(&x).map(|(a, x)| a * x).sum();
                assert!(lhs <= 1e-9, "violated row: {lhs}");
            }

            let mut dual_c = vec![0.0; k];
            dual_c.push(-1.0);
            let mut dual_a: Vec<Vec<f64>> = (0..m)
                .map(|j| {
                    let mut r: Vec<f64> = gammas.iter().map(|g| -(g[j] - bound)).collect();
                    r.push(1.0);
                    r
                })
                .collect();
            let mut last = vec![1.0; k];
            last.push(0.0);
            dual_a.push(last);
            let mut free = vec![false; k];
            free.push(true);
            let y = lp_solve(&dual_c, &dual_a, &c, &[], &[], &free).unwrap();
            let dual_value = -y[k];
            let want = case["dual_value"].as_f64().unwrap();
            assert!(
                (dual_value - want).abs() < 1e-9,
                "dual {dual_value} vs scipy {want}"
            );
            // Strong duality: max μ equals the primal minimum.
            assert!((y[k] - value).abs() < 1e-9);
        }
    }
}
