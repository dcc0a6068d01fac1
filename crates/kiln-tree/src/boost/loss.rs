//! The losses boosting minimizes: their baseline (the best constant raw score), gradients and
//! hessians with respect to the raw score, and their values.
//!
//! The raw score `f` maps to a prediction through the loss's link: identity for squared,
//! absolute and quantile losses, `exp` for Poisson, the logistic function for binary log-loss,
//! and softmax for multiclass log-loss. Gradients and hessians are those of scikit-learn's
//! "half" losses (`½(f − y)²`, `exp(f) − y·f`), whose Newton steps are the same as the full
//! losses'. Absolute and quantile losses have a constant hessian of 1, so their trees are grown
//! on the sign of the residual and each leaf's value is then set to the median (or quantile) of
//! the residuals of its rows (Friedman 2001, §4.3).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::hist::GradHess;

/// Rows per parallel task in the elementwise passes.
const CHUNK: usize = 1 << 14;

/// A boosting loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) enum Loss {
    /// Binary log-loss; `y` in {0, 1}; one raw score per row (the log-odds of class 1).
    Binary,
    /// Multiclass log-loss with softmax; `y` in `0..k`; `k` raw scores per row.
    Softmax { k: usize },
    /// Half squared error.
    Squared,
    /// Absolute error (median regression).
    Absolute,
    /// Pinball loss of the quantile `alpha` in (0, 1).
    Quantile { alpha: f64 },
    /// Half Poisson deviance with a log link; `y >= 0`.
    Poisson,
}

impl Loss {
    /// Raw scores per row (trees per iteration).
    pub(crate) fn n_outputs(&self) -> usize {
        match self {
            Loss::Softmax { k } => *k,
            _ => 1,
        }
    }

    /// Whether every hessian is 1 (before weights).
    pub(crate) fn unit_hessian(&self) -> bool {
        matches!(self, Loss::Squared | Loss::Absolute | Loss::Quantile { .. })
    }

    /// Whether leaf values are recomputed from the residuals after a tree is grown.
    pub(crate) fn updates_leaves(&self) -> Option<f64> {
        match self {
            Loss::Absolute => Some(0.5),
            Loss::Quantile { alpha } => Some(*alpha),
            _ => None,
        }
    }

    /// The constant raw score(s) minimizing the loss (the model's starting point).
    pub(crate) fn baseline(&self, y: &[f64], w: Option<&[f64]>) -> Vec<f64> {
        let mean = |f: &dyn Fn(f64) -> f64| -> f64 {
            match w {
                Some(w) => {
                    let sw: f64 = w.iter().sum();
                    y.iter().zip(w).map(|(&v, &wi)| f(v) * wi).sum::<f64>() / sw
                }
                None => y.iter().map(|&v| f(v)).sum::<f64>() / y.len() as f64,
            }
        };
        // scikit-learn clips probabilities at 10·machine epsilon before taking the link.
        let eps = 10.0 * f64::EPSILON;
        match *self {
            Loss::Squared => vec![mean(&|v| v)],
            Loss::Poisson => vec![mean(&|v| v).max(f64::MIN_POSITIVE).ln()],
            Loss::Binary => {
                let p = mean(&|v| v).clamp(eps, 1.0 - eps);
                vec![(p / (1.0 - p)).ln()]
            }
            Loss::Softmax { k } => {
                let logs: Vec<f64> = (0..k)
                    .map(|c| {
                        let c = c as f64;
                        mean(&|v| if v == c { 1.0 } else { 0.0 })
                            .clamp(eps, 1.0 - eps)
                            .ln()
                    })
                    .collect();
                // The symmetric parametrization: scores centred to sum to zero.
                let centre = logs.iter().sum::<f64>() / k as f64;
                logs.iter().map(|l| l - centre).collect()
            }
            Loss::Absolute => vec![quantile(&mut pairs(y, w, |v| v), 0.5, w.is_some())],
            Loss::Quantile { alpha } => vec![quantile(&mut pairs(y, w, |v| v), alpha, w.is_some())],
        }
    }

    /// Fills `gh[k][i]` with the gradient and hessian of output `k` at row `i`. `raw` holds the
    /// raw scores output-major (`raw[k * n + i]`).
    pub(crate) fn gradients(
        &self,
        y: &[f64],
        w: Option<&[f64]>,
        raw: &[f64],
        gh: &mut [Vec<GradHess>],
    ) {
        let n = y.len();
        match *self {
            Loss::Softmax { k } => {
                // Rows in chunks; each chunk writes the k gradient slices of its rows.
                let mut slices: Vec<&mut [GradHess]> = gh.iter_mut().map(|v| &mut v[..]).collect();
                let mut chunked: Vec<Vec<&mut [GradHess]>> = Vec::new();
                let mut start = 0;
                while start < n {
                    let len = CHUNK.min(n - start);
                    let mut row = Vec::with_capacity(k);
                    let mut rest = Vec::with_capacity(k);
                    for s in slices {
                        let (a, b) = s.split_at_mut(len);
                        row.push(a);
                        rest.push(b);
                    }
                    slices = rest;
                    chunked.push(row);
                    start += len;
                }
                chunked
                    .into_par_iter()
                    .enumerate()
                    .for_each(|(c, mut outs)| {
                        let start = c * CHUNK;
                        let mut p = vec![0.0; k];
                        for j in 0..outs[0].len() {
                            let i = start + j;
                            softmax_into((0..k).map(|c| raw[c * n + i]), &mut p);
                            let wi = w.map_or(1.0, |w| w[i]);
                            let yi = y[i];
                            for (c, out) in outs.iter_mut().enumerate() {
                                let target = if yi == c as f64 { 1.0 } else { 0.0 };
                                out[j] = GradHess {
                                    g: ((p[c] - target) * wi) as f32,
                                    h: (p[c] * (1.0 - p[c]) * wi) as f32,
                                };
                            }
                        }
                    });
            }
            loss => {
                let out = &mut gh[0];
                out.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
                    let start = c * CHUNK;
                    for (j, o) in out.iter_mut().enumerate() {
                        let i = start + j;
                        let (g, h) = loss.grad_hess(y[i], raw[i]);
                        let wi = w.map_or(1.0, |w| w[i]);
                        *o = GradHess {
                            g: (g * wi) as f32,
                            h: (h * wi) as f32,
                        };
                    }
                });
            }
        }
    }

    /// Gradient and hessian of a single-output loss.
    #[inline]
    pub(crate) fn grad_hess(&self, y: f64, f: f64) -> (f64, f64) {
        match *self {
            Loss::Squared => (f - y, 1.0),
            Loss::Absolute => (if f > y { 1.0 } else { -1.0 }, 1.0),
            Loss::Quantile { alpha } => (if y >= f { -alpha } else { 1.0 - alpha }, 1.0),
            Loss::Poisson => {
                let e = f.exp();
                (e - y, e)
            }
            Loss::Binary => {
                // With e = exp(−f): g = ((1 − y) − y·e) / (1 + e), h = e / (1 + e)², which
                // keep their precision when p is near 0 or 1; below −37, first order in exp(f).
                if f > -37.0 {
                    let e = (-f).exp();
                    (((1.0 - y) - y * e) / (1.0 + e), e / ((1.0 + e) * (1.0 + e)))
                } else {
                    let e = f.exp();
                    (e - y, e)
                }
            }
            Loss::Softmax { .. } => (0.0, 0.0),
        }
    }

    /// The single-output loss of one row.
    #[inline]
    fn point_loss(&self, y: f64, f: f64) -> f64 {
        match *self {
            Loss::Squared => 0.5 * (f - y) * (f - y),
            Loss::Absolute => (f - y).abs(),
            Loss::Quantile { alpha } => {
                if y >= f {
                    alpha * (y - f)
                } else {
                    (1.0 - alpha) * (f - y)
                }
            }
            Loss::Poisson => f.exp() - y * f,
            // log(1 + e^f) − y·f, computed without overflow.
            Loss::Binary => softplus(f) - y * f,
            Loss::Softmax { .. } => 0.0,
        }
    }

    /// The (weighted) mean loss over rows; `raw` output-major as in [`Loss::gradients`].
    pub(crate) fn mean_loss(&self, y: &[f64], w: Option<&[f64]>, raw: &[f64]) -> f64 {
        let n = y.len();
        let point = |i: usize| -> f64 {
            match *self {
                Loss::Softmax { k } => {
                    // log-sum-exp − f_y
                    let m = (0..k)
                        .map(|c| raw[c * n + i])
                        .fold(f64::NEG_INFINITY, f64::max);
                    let s: f64 = (0..k).map(|c| (raw[c * n + i] - m).exp()).sum();
                    m + s.ln() - raw[(y[i] as usize).min(k - 1) * n + i]
                }
                loss => loss.point_loss(y[i], raw[i]),
            }
        };
        // Partial sums per fixed chunk, added in order: the same on any thread count.
        let partial: Vec<(f64, f64)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let (mut num, mut den) = (0.0, 0.0);
                for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    let wi = w.map_or(1.0, |w| w[i]);
                    num += point(i) * wi;
                    den += wi;
                }
                (num, den)
            })
            .collect();
        let (num, den) = partial
            .into_iter()
            .fold((0.0, 0.0), |(a, b), (c, d)| (a + c, b + d));
        num / den
    }
}

/// The logistic function.
#[inline]
pub(crate) fn sigmoid(f: f64) -> f64 {
    if f >= 0.0 {
        1.0 / (1.0 + (-f).exp())
    } else {
        let e = f.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + e^f)` without overflow.
#[inline]
fn softplus(f: f64) -> f64 {
    if f > 0.0 {
        f + (-f).exp().ln_1p()
    } else {
        f.exp().ln_1p()
    }
}

/// Softmax of `scores` into `out`.
#[inline]
pub(crate) fn softmax_into(scores: impl Iterator<Item = f64> + Clone, out: &mut [f64]) {
    let m = scores.clone().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for (o, v) in out.iter_mut().zip(scores) {
        *o = (v - m).exp();
        s += *o;
    }
    for o in out.iter_mut() {
        *o /= s;
    }
}

/// (value, weight) pairs of `y` mapped by `f`.
fn pairs(y: &[f64], w: Option<&[f64]>, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    match w {
        Some(w) => y.iter().zip(w).map(|(&v, &wi)| (f(v), wi)).collect(),
        None => y.iter().map(|&v| (f(v), 1.0)).collect(),
    }
}

/// The `alpha` quantile of `values`: NumPy's default linear interpolation without weights;
/// with weights, the smallest value whose cumulative weight reaches `alpha` of the total
/// (an inverted CDF, as scikit-learn's `_weighted_percentile`).
pub(crate) fn quantile(values: &mut [(f64, f64)], alpha: f64, weighted: bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    if !weighted {
        let pos = alpha * (values.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = (lo + 1).min(values.len() - 1);
        let t = pos - lo as f64;
        let (a, b) = (values[lo].0, values[hi].0);
        return a + (b - a) * t;
    }
    let total: f64 = values.iter().map(|v| v.1).sum();
    let target = alpha * total;
    let mut acc = 0.0;
    for &(v, wi) in values.iter() {
        acc += wi;
        if acc >= target {
            return v;
        }
    }
    values[values.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central finite difference of the point loss against the gradient, and of the
    /// gradient against the hessian.
    #[test]
    fn gradients_match_finite_differences() {
        let h = 1e-6;
        for loss in [Loss::Squared, Loss::Poisson, Loss::Binary] {
            for &(y, f) in &[(0.0, 0.3), (1.0, -1.2), (3.0, 0.7), (1.0, 2.5)] {
                if matches!(loss, Loss::Binary) && y > 1.0 {
                    continue;
                }
                let (g, hess) = loss.grad_hess(y, f);
                let num_g = (loss.point_loss(y, f + h) - loss.point_loss(y, f - h)) / (2.0 * h);
                let num_h = (loss.grad_hess(y, f + h).0 - loss.grad_hess(y, f - h).0) / (2.0 * h);
                assert!((g - num_g).abs() < 1e-6, "{loss:?} g {g} vs {num_g}");
                assert!((hess - num_h).abs() < 1e-6, "{loss:?} h {hess} vs {num_h}");
            }
        }
        for (loss, y, f) in [
            (Loss::Absolute, 1.0, 0.2),
            (Loss::Absolute, 1.0, 1.7),
            (Loss::Quantile { alpha: 0.8 }, 1.0, 0.2),
            (Loss::Quantile { alpha: 0.8 }, 1.0, 1.7),
        ] {
            let (g, _) = loss.grad_hess(y, f);
            let num_g = (loss.point_loss(y, f + h) - loss.point_loss(y, f - h)) / (2.0 * h);
            assert!((g - num_g).abs() < 1e-6, "{loss:?} g {g} vs {num_g}");
        }
    }

    #[test]
    fn softmax_gradient_matches_finite_differences() {
        let loss = Loss::Softmax { k: 3 };
        let y = [2.0];
        let raw = [0.3, -0.4, 1.1];
        let mut gh = vec![vec![GradHess::default(); 1]; 3];
        loss.gradients(&y, None, &raw, &mut gh);
        let h = 1e-6;
        for c in 0..3 {
            let mut up = raw;
            let mut down = raw;
            up[c] += h;
            down[c] -= h;
            let num = (loss.mean_loss(&y, None, &up) - loss.mean_loss(&y, None, &down)) / (2.0 * h);
            assert!((f64::from(gh[c][0].g) - num).abs() < 1e-6);
        }
    }

    #[test]
    fn baselines() {
        let y = [0.0, 1.0, 1.0, 1.0];
        assert!((Loss::Binary.baseline(&y, None)[0] - 3f64.ln()).abs() < 1e-12);
        assert_eq!(Loss::Squared.baseline(&y, None), vec![0.75]);
        assert_eq!(Loss::Absolute.baseline(&[1.0, 2.0, 10.0], None), vec![2.0]);
        let b = Loss::Softmax { k: 2 }.baseline(&y, None);
        assert!((b[1] - b[0] - 3f64.ln()).abs() < 1e-12);
        assert!((b[0] + b[1]).abs() < 1e-12);
        assert!((Loss::Poisson.baseline(&[1.0, 3.0], None)[0] - 2f64.ln()).abs() < 1e-12);
    }
}
