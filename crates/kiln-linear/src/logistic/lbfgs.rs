//! L-BFGS for the smooth objective when the Hessian is too large to form and factor.
//!
//! # References
//! - D. C. Liu, J. Nocedal, "On the limited memory BFGS method for large scale optimization",
//!   Math. Programming 45, 1989.
//! - J. Nocedal, S. Wright, *Numerical Optimization*, 2nd ed., 2006: Algorithm 7.4 (two-loop
//!   recursion) and §7.2 (the initial scaling `sᵀy / yᵀy`).

use std::collections::VecDeque;

use super::loss::Problem;
use super::newton::{Solution, max_abs};

/// Correction pairs kept (scikit-learn's lbfgs keeps 10 as well).
const MEMORY: usize = 10;
const SIGMA: f64 = 1e-4;
const MAX_HALVINGS: usize = 60;

use crate::predict::dot;

/// Minimizes the smooth objective from zero until `max |gradient| ≤ tol`.
pub(crate) fn lbfgs(prob: &Problem<'_>, tol: f64, max_iter: usize) -> Solution {
    let dim = prob.dim();
    let mut theta = vec![0.0; dim];
    let mut grad = vec![0.0; dim];
    let mut f = prob.value_grad(&theta, &mut grad);
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    let mut dir = vec![0.0; dim];
    let mut alphas = [0.0; MEMORY];
    let mut trial = vec![0.0; dim];
    let mut trial_grad = vec![0.0; dim];
    let mut n_iter = 0;
    while max_abs(&grad) > tol && n_iter < max_iter {
        n_iter += 1;
        // Two-loop recursion: dir = −H·grad.
        dir.iter_mut().zip(&grad).for_each(|(d, g)| *d = -g);
        for (i, (s, y, rho)) in pairs.iter().enumerate().rev() {
            let a = rho * dot(s, &dir);
            alphas[i] = a;
            dir.iter_mut().zip(y).for_each(|(d, yv)| *d -= a * yv);
        }
        let gamma = match pairs.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / max_abs(&grad).max(1.0),
        };
        dir.iter_mut().for_each(|d| *d *= gamma);
        for (i, (s, y, rho)) in pairs.iter().enumerate() {
            let b = rho * dot(y, &dir);
            dir.iter_mut()
                .zip(s)
                .for_each(|(d, sv)| *d += (alphas[i] - b) * sv);
        }
        let mut slope = dot(&grad, &dir);
        if slope >= 0.0 || !slope.is_finite() {
            pairs.clear();
            dir.iter_mut().zip(&grad).for_each(|(d, g)| *d = -g);
            slope = -dot(&grad, &grad);
        }
        let mut t = 1.0;
        let mut accepted = None;
        let noise = 1e-13 * f.abs().max(f64::MIN_POSITIVE);
        for _ in 0..MAX_HALVINGS {
            for ((tr, th), d) in trial.iter_mut().zip(&theta).zip(&dir) {
                *tr = th + t * d;
            }
            let ft = prob.value_grad(&trial, &mut trial_grad);
            // Close to the optimum the decrease falls below the rounding of `f` and Armijo
            // cannot be tested; a step that does not raise `f` and shrinks the gradient is
            // progress then.
            let unmeasurable =
                -t * slope <= noise && ft <= f + noise && max_abs(&trial_grad) < max_abs(&grad);
            if ft.is_finite() && (ft <= f + SIGMA * t * slope || unmeasurable) {
                accepted = Some(ft);
                break;
            }
            t *= 0.5;
        }
        let Some(ft) = accepted else { break };
        let s: Vec<f64> = trial.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = trial_grad.iter().zip(&grad).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        // Keep only pairs with positive curvature, so the implied Hessian stays positive definite.
        if sy > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() && sy > 0.0 {
            if pairs.len() == MEMORY {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        std::mem::swap(&mut theta, &mut trial);
        std::mem::swap(&mut grad, &mut trial_grad);
        f = ft;
    }
    let converged = max_abs(&grad) <= tol;
    Solution {
        theta,
        n_iter,
        converged,
    }
}
