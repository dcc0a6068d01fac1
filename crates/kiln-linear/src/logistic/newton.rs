//! Second-order solvers on the exact Hessian: a line-searched Newton method for the smooth
//! (L2 or unpenalized) objective, and a proximal Newton method for L1 and elastic-net.
//!
//! With `dim = k·(p + 1)` small, forming the Hessian costs about one pass of `n·dim²` flops
//! and Newton converges in about ten iterations, far fewer passes over the data than L-BFGS.
//!
//! # References
//! - J. Nocedal, S. Wright, *Numerical Optimization*, 2nd ed., 2006: §3.1 (backtracking
//!   line search, Armijo condition), §3.4 (Newton with Hessian modification).
//! - J. D. Lee, Y. Sun, M. A. Saunders, "Proximal Newton-type methods for minimizing
//!   composite functions", SIAM J. Optim. 24(3), 2014.
//! - G.-X. Yuan, C.-H. Ho, C.-J. Lin, "An improved GLMNET for L1-regularized logistic
//!   regression", JMLR 13, 2012: coordinate descent on the quadratic model and the
//!   sufficient-decrease condition `F(θ + t·d) ≤ F(θ) + σ·t·Δ`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{factor, solve};
use faer::{Conj, Mat, Par};
use ndarray::Array2;

use super::loss::Problem;

/// Armijo constant of the line searches.
const SIGMA: f64 = 1e-4;
/// Halvings of the step before the line search gives up.
const MAX_HALVINGS: usize = 60;
/// Coordinate-descent sweeps per proximal Newton subproblem, at most.
const MAX_SWEEPS: usize = 500;

/// The result of an optimizer.
pub(crate) struct Solution {
    pub theta: Vec<f64>,
    pub n_iter: usize,
    pub converged: bool,
}

pub(crate) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Makes the multinomial Hessian invertible along the directions the objective does not
/// depend on: adding the same value to one parameter of every class (always for intercepts;
/// for coefficients too when nothing penalizes them). Adding `c·P`, with `P` the projector on
/// those directions, leaves the Newton step unchanged whenever the gradient has no component
/// along them, which holds for iterates started at zero.
fn fix_null_space(prob: &Problem<'_>, h: &mut Array2<f64>, coefs_free: bool) {
    let k = prob.k_eff();
    if k < 2 {
        return;
    }
    let (p, q) = (prob.p(), prob.q());
    let dim = prob.dim();
    let mean_diag = (0..dim).map(|i| h[[i, i]]).sum::<f64>() / dim as f64;
    let c = mean_diag.max(f64::MIN_POSITIVE) / k as f64;
    for j in 0..q {
        let free = if j == p {
            prob.fit_intercept
        } else {
            coefs_free
        };
        if !free {
            continue;
        }
        for a in 0..k {
            for b in 0..k {
                h[[a * q + j, b * q + j]] += c;
            }
        }
    }
}

/// Solves `H·d = −g` for symmetric positive (semi-)definite `H` by Cholesky, adding a growing
/// multiple of the identity when the factorization meets a non-positive pivot (a Hessian that
/// is singular to working precision, e.g. without penalty on separable data).
fn newton_step(h: &Array2<f64>, g: &[f64]) -> Option<Vec<f64>> {
    let n = g.len();
    let scale = (0..n).fold(0.0_f64, |m, i| m.max(h[[i, i]].abs()));
    let mut shift = 0.0;
    for _ in 0..12 {
        let mut a = Mat::<f64>::from_fn(n, n, |i, j| h[[i, j]] + if i == j { shift } else { 0.0 });
        let req = factor::cholesky_in_place_scratch::<f64>(n, Par::Seq, Default::default());
        let mut buf = MemBuffer::new(req);
        let ok = factor::cholesky_in_place(
            a.as_mut(),
            Default::default(),
            Par::Seq,
            MemStack::new(&mut buf),
            Default::default(),
        )
        .is_ok();
        if ok {
            let mut rhs = Mat::<f64>::from_fn(n, 1, |i, _| -g[i]);
            let req = solve::solve_in_place_scratch::<f64>(n, 1, Par::Seq);
            let mut buf = MemBuffer::new(req);
            solve::solve_in_place_with_conj(
                a.as_ref(),
                Conj::No,
                rhs.as_mut(),
                Par::Seq,
                MemStack::new(&mut buf),
            );
            let d: Vec<f64> = (0..n).map(|i| rhs[(i, 0)]).collect();
            if d.iter().all(|v| v.is_finite()) {
                return Some(d);
            }
        }
        shift = if shift == 0.0 {
            1e-12 * scale.max(1e-300)
        } else {
            shift * 100.0
        };
    }
    None
}

/// Newton's method with backtracking for the smooth objective.
pub(crate) fn newton(prob: &Problem<'_>, tol: f64, max_iter: usize) -> Solution {
    let dim = prob.dim();
    let mut theta = vec![0.0; dim];
    let mut grad = vec![0.0; dim];
    let mut trial = vec![0.0; dim];
    let mut f = prob.value_grad(&theta, &mut grad);
    let mut n_iter = 0;
    while max_abs(&grad) > tol && n_iter < max_iter {
        n_iter += 1;
        let mut h = prob.hessian(&theta);
        fix_null_space(prob, &mut h, prob.l2 == 0.0);
        let mut step = newton_step(&h, &grad).unwrap_or_else(|| grad.iter().map(|g| -g).collect());
        let mut slope = dot(&grad, &step);
        if slope >= 0.0 || !slope.is_finite() {
            step = grad.iter().map(|g| -g).collect();
            slope = -dot(&grad, &grad);
        }
        let Some(ft) = backtrack(&theta, &step, &mut trial, f, slope, |t| prob.value(t)) else {
            break;
        };
        std::mem::swap(&mut theta, &mut trial);
        let _ = ft;
        f = prob.value_grad(&theta, &mut grad);
    }
    let converged = max_abs(&grad) <= tol;
    Solution {
        theta,
        n_iter,
        converged,
    }
}

/// Backtracking from the full step until the Armijo condition holds; writes the accepted
/// point to `trial` and returns its objective, or `None` when no step decreases it.
fn backtrack(
    theta: &[f64],
    step: &[f64],
    trial: &mut [f64],
    f: f64,
    slope: f64,
    value: impl Fn(&[f64]) -> f64,
) -> Option<f64> {
    let mut t = 1.0;
    // Near the optimum the decrease is below rounding of `f`; a full Newton step is then
    // accepted as long as it does not increase `f` beyond that rounding.
    let noise = 1e-14 * f.abs().max(1e-300);
    for _ in 0..MAX_HALVINGS {
        for ((tr, th), st) in trial.iter_mut().zip(theta).zip(step) {
            *tr = th + t * st;
        }
        let ft = value(trial);
        if ft.is_finite()
            && (ft <= f + SIGMA * t * slope || (t == 1.0 && ft <= f + noise && -slope <= noise))
        {
            return Some(ft);
        }
        t *= 0.5;
    }
    None
}

/// The largest entry of the minimum-norm subgradient of `f + α·‖W‖₁`: zero exactly at the
/// optimum.
fn prox_optimality(prob: &Problem<'_>, theta: &[f64], grad: &[f64], alpha: f64) -> f64 {
    let mut worst = 0.0_f64;
    for (i, (&t, &g)) in theta.iter().zip(grad).enumerate() {
        let v = if prob.is_intercept(i) {
            g.abs()
        } else if t > 0.0 {
            (g + alpha).abs()
        } else if t < 0.0 {
            (g - alpha).abs()
        } else {
            (g.abs() - alpha).max(0.0)
        };
        worst = worst.max(v);
    }
    worst
}

/// Proximal Newton for `f + α·‖W‖₁`: each iteration minimizes the quadratic model of `f`
/// plus the L1 term by cyclic coordinate descent, then backtracks on the true objective.
pub(crate) fn prox_newton(prob: &Problem<'_>, alpha: f64, tol: f64, max_iter: usize) -> Solution {
    let dim = prob.dim();
    let mut theta = vec![0.0; dim];
    let mut grad = vec![0.0; dim];
    let mut trial = vec![0.0; dim];
    let mut f = prob.value_grad(&theta, &mut grad);
    let objective = |t: &[f64]| prob.value(t) + alpha * prob.l1_norm(t);
    let mut big_f = f + alpha * prob.l1_norm(&theta);
    let mut n_iter = 0;
    let mut d = vec![0.0; dim];
    let mut hd = vec![0.0; dim];
    while prox_optimality(prob, &theta, &grad, alpha) > tol && n_iter < max_iter {
        n_iter += 1;
        let mut h = prob.hessian(&theta);
        fix_null_space(prob, &mut h, false);
        coordinate_descent(prob, &h, &grad, &theta, alpha, &mut d, &mut hd);
        let delta = dot(&grad, &d)
            + alpha
                * (0..dim)
                    .filter(|&i| !prob.is_intercept(i))
                    .map(|i| (theta[i] + d[i]).abs() - theta[i].abs())
                    .sum::<f64>();
        if delta >= 0.0 || !delta.is_finite() {
            break;
        }
        let Some(ft) = backtrack(&theta, &d, &mut trial, big_f, delta, objective) else {
            break;
        };
        std::mem::swap(&mut theta, &mut trial);
        big_f = ft;
        f = prob.value_grad(&theta, &mut grad);
    }
    let _ = f;
    let converged = prox_optimality(prob, &theta, &grad, alpha) <= tol;
    Solution {
        theta,
        n_iter,
        converged,
    }
}

/// Minimizes `gᵀd + ½·dᵀHd + α·‖θ + d‖₁` (intercepts unpenalized) over `d` by cyclic
/// coordinate descent, keeping `H·d` up to date.
fn coordinate_descent(
    prob: &Problem<'_>,
    h: &Array2<f64>,
    g: &[f64],
    theta: &[f64],
    alpha: f64,
    d: &mut [f64],
    hd: &mut [f64],
) {
    let dim = g.len();
    d.iter_mut().for_each(|v| *v = 0.0);
    hd.iter_mut().for_each(|v| *v = 0.0);
    for _ in 0..MAX_SWEEPS {
        let mut biggest = 0.0_f64;
        let mut size = 0.0_f64;
        for j in 0..dim {
            let a = h[[j, j]];
            if a <= 0.0 {
                continue;
            }
            let u = theta[j] + d[j];
            let z = u - (g[j] + hd[j]) / a;
            let new = if prob.is_intercept(j) {
                z
            } else {
                soft_threshold(z, alpha / a)
            };
            let delta = new - u;
            if delta != 0.0 {
                d[j] += delta;
                for (hdi, hij) in hd.iter_mut().zip(h.column(j)) {
                    *hdi += delta * hij;
                }
                biggest = biggest.max(delta.abs());
            }
            size = size.max(d[j].abs());
        }
        if biggest <= 1e-6 * size.max(1e-10) {
            break;
        }
    }
}

fn soft_threshold(z: f64, t: f64) -> f64 {
    if z > t {
        z - t
    } else if z < -t {
        z + t
    } else {
        0.0
    }
}
