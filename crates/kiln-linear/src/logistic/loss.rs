//! The logistic log-likelihood of a fit: value, gradient and exact Hessian, computed over row
//! blocks in parallel with a fixed-order reduction.
//!
//! The objective is scikit-learn's `C·Σ sᵢ·lossᵢ + penalty`, divided by `C·Σ sᵢ` so that its
//! scale does not depend on the number of samples:
//!
//! `f(θ) = Σ s̃ᵢ·lossᵢ + λ/2·‖W‖² (+ α·‖W‖₁)`, with `s̃ᵢ = sᵢ / Σ s` and
//! `λ = (1 − l1_ratio) / (C·Σ s)`, `α = l1_ratio / (C·Σ s)`.
//!
//! Parameters `θ` are stored class by class: the `p` coefficients of class `k`, then its
//! intercept when there is one (`q = p + 1` values per class). A binary fit has one such block
//! (the positive class, as scikit-learn); a multinomial fit has one per class.

use std::ops::Range;

use faer::linalg::matmul::triangular::{self as tri, BlockStructure};
use faer::{Accum, Mat, MatRef, Par};
use ndarray::linalg::general_mat_mul;

use crate::predict::dot;
use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, s};
use rayon::prelude::*;

/// Rows per block of work. Blocks are fixed by the number of rows only, so the sums (and the
/// fitted model) are the same whatever the number of threads.
const BLOCK: usize = 4096;
/// Rows per inner chunk: the scratch buffers of a block are sized for this many rows.
const CHUNK: usize = 256;
/// Rows per chunk of the binary Hessian's rank-m updates: large enough for the product to
/// run at speed, small enough (with 50 features, ~400 KiB) to stay in cache.
const GRAM_CHUNK: usize = 1024;
/// At most this many partial Hessians are held at once (each is `dim × dim`).
const MAX_HESSIAN_BLOCKS: usize = 8;

/// One fit's data and weights, ready for the optimizers.
pub(crate) struct Problem<'a> {
    /// Standard-layout (row-major contiguous) features.
    pub x: ArrayView2<'a, f64>,
    /// Class position of each row, `0..n_classes`.
    pub y: &'a [usize],
    /// Weights normalized to sum to 1 (sample weight × class weight / total).
    pub s: &'a [f64],
    /// Number of classes (≥ 2).
    pub n_classes: usize,
    /// Whether each class has an intercept.
    pub fit_intercept: bool,
    /// The L2 strength `λ` of the normalized objective.
    pub l2: f64,
}

impl Problem<'_> {
    /// Number of features.
    pub fn p(&self) -> usize {
        self.x.ncols()
    }

    /// Parameters per class block.
    pub fn q(&self) -> usize {
        self.p() + usize::from(self.fit_intercept)
    }

    /// Number of class blocks: 1 for a binary fit, `n_classes` otherwise.
    pub fn k_eff(&self) -> usize {
        if self.n_classes == 2 {
            1
        } else {
            self.n_classes
        }
    }

    /// Length of `θ`.
    pub fn dim(&self) -> usize {
        self.k_eff() * self.q()
    }

    /// Whether index `i` of `θ` is an (unpenalized) intercept.
    pub fn is_intercept(&self, i: usize) -> bool {
        self.fit_intercept && i % self.q() == self.p()
    }

    /// `‖W‖₁` over coefficients only.
    pub fn l1_norm(&self, theta: &[f64]) -> f64 {
        (0..theta.len())
            .filter(|&i| !self.is_intercept(i))
            .map(|i| theta[i].abs())
            .sum()
    }

    fn l2_term(&self, theta: &[f64]) -> f64 {
        let sq: f64 = (0..theta.len())
            .filter(|&i| !self.is_intercept(i))
            .map(|i| theta[i] * theta[i])
            .sum();
        0.5 * self.l2 * sq
    }

    fn blocks(&self, max_blocks: usize) -> Vec<Range<usize>> {
        let n = self.x.nrows();
        let count = n.div_ceil(BLOCK).clamp(1, max_blocks);
        let size = n.div_ceil(count);
        (0..count)
            .map(|b| (b * size).min(n)..((b + 1) * size).min(n))
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// The linear predictor of rows `rows` into `z` (`rows.len() × k_eff`).
    fn linear(
        &self,
        theta: &[f64],
        w: &Array2<f64>,
        rows: Range<usize>,
        mut z: ArrayViewMut2<'_, f64>,
    ) {
        let (p, q) = (self.p(), self.q());
        let xc = self.x.slice(s![rows, ..]);
        // A few dot products per row: a matrix product would spend its time packing X.
        for (x_row, mut z_row) in xc.rows().into_iter().zip(z.rows_mut()) {
            let x_row = x_row.as_slice().unwrap_or(&[]);
            for (c, (v, w_c)) in z_row.iter_mut().zip(w.rows()).enumerate() {
                let b = if self.fit_intercept {
                    theta[c * q + p]
                } else {
                    0.0
                };
                *v = b + dot(x_row, w_c.as_slice().unwrap_or(&[]));
            }
        }
    }

    /// The smooth part of the objective (loss and L2), without the L1 term.
    pub fn value(&self, theta: &[f64]) -> f64 {
        self.evaluate(theta, None) + self.l2_term(theta)
    }

    /// The smooth objective and its gradient (written to `grad`).
    pub fn value_grad(&self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let v = self.evaluate(theta, Some(grad));
        for (i, g) in grad.iter_mut().enumerate() {
            if !self.is_intercept(i) {
                *g += self.l2 * theta[i];
            }
        }
        v + self.l2_term(theta)
    }

    /// Loss (and gradient of the loss when `grad` is given) summed over blocks in order.
    fn evaluate(&self, theta: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let want_grad = grad.is_some();
        let (p, q, k) = (self.p(), self.q(), self.k_eff());
        let w = coef_matrix(theta, k, q, p);
        let partials: Vec<(f64, Vec<f64>)> = self
            .blocks(usize::MAX)
            .into_par_iter()
            .map(|block| {
                let mut z = Array2::<f64>::zeros((CHUNK, k));
                let mut r = Array2::<f64>::zeros((CHUNK, k));
                let mut g = if want_grad {
                    Array2::<f64>::zeros((k, q))
                } else {
                    Array2::<f64>::zeros((0, 0))
                };
                let mut loss = 0.0;
                let mut start = block.start;
                while start < block.end {
                    let end = (start + CHUNK).min(block.end);
                    let m = end - start;
                    let mut zc = z.slice_mut(s![..m, ..]);
                    self.linear(theta, &w, start..end, zc.view_mut());
                    let mut rc = r.slice_mut(s![..m, ..]);
                    loss += self.rows_loss(start, zc.view(), want_grad.then_some(&mut rc));
                    if want_grad {
                        let xc = self.x.slice(s![start..end, ..]);
                        for (x_row, r_row) in xc.rows().into_iter().zip(rc.rows()) {
                            let x_row = x_row.as_slice().unwrap_or(&[]);
                            for (mut g_c, &r_ic) in g.rows_mut().into_iter().zip(r_row) {
                                for (gj, &xj) in g_c.iter_mut().zip(x_row) {
                                    *gj += r_ic * xj;
                                }
                            }
                        }
                        if self.fit_intercept {
                            for c in 0..k {
                                g[[c, p]] += rc.column(c).sum();
                            }
                        }
                    }
                    start = end;
                }
                (loss, g.into_raw_vec_and_offset().0)
            })
            .collect();
        let mut total = 0.0;
        if let Some(grad) = grad {
            grad.iter_mut().for_each(|g| *g = 0.0);
            for (loss, g) in &partials {
                total += loss;
                grad.iter_mut().zip(g).for_each(|(a, b)| *a += b);
            }
        } else {
            total = partials.iter().map(|(l, _)| l).sum();
        }
        total
    }

    /// Weighted loss of the rows whose linear predictors are `z` (starting at row `start`);
    /// with `resid`, also writes `s̃ᵢ·(pᵢ − yᵢ)` per class block.
    fn rows_loss(
        &self,
        start: usize,
        z: ArrayView2<'_, f64>,
        mut resid: Option<&mut ArrayViewMut2<'_, f64>>,
    ) -> f64 {
        let mut loss = 0.0;
        for (i, zrow) in z.rows().into_iter().enumerate() {
            let (yi, si) = (self.y[start + i], self.s[start + i]);
            if self.n_classes == 2 {
                let zi = zrow[0];
                let yb = if yi == 1 { 1.0 } else { 0.0 };
                // One exponential serves both the softplus and the sigmoid.
                let e = (-zi.abs()).exp();
                loss += si * (zi.max(0.0) + e.ln_1p() - yb * zi);
                if let Some(r) = resid.as_deref_mut() {
                    let p1 = if zi >= 0.0 {
                        1.0 / (1.0 + e)
                    } else {
                        e / (1.0 + e)
                    };
                    r[[i, 0]] = si * (p1 - yb);
                }
            } else {
                let max = zrow.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                let sum: f64 = zrow.iter().map(|&v| (v - max).exp()).sum();
                let lse = max + sum.ln();
                loss += si * (lse - zrow[yi]);
                if let Some(r) = resid.as_deref_mut() {
                    for (c, &v) in zrow.iter().enumerate() {
                        let pc = (v - lse).exp();
                        r[[i, c]] = si * (pc - if c == yi { 1.0 } else { 0.0 });
                    }
                }
            }
        }
        loss
    }

    /// The exact Hessian of the smooth objective, `dim × dim`.
    pub fn hessian(&self, theta: &[f64]) -> Array2<f64> {
        let (p, q, k) = (self.p(), self.q(), self.k_eff());
        let dim = self.dim();
        let w = coef_matrix(theta, k, q, p);
        if k == 1 {
            return self.binary_hessian(theta, &w);
        }
        let partials: Vec<Array2<f64>> = self
            .blocks(MAX_HESSIAN_BLOCKS)
            .into_par_iter()
            .map(|block| {
                let mut h = Array2::<f64>::zeros((dim, dim));
                let mut z = Array2::<f64>::zeros((CHUNK, k));
                let mut prob = Array2::<f64>::zeros((CHUNK, self.n_classes));
                let mut dx = Array2::<f64>::zeros((CHUNK, p));
                let mut d = vec![0.0; CHUNK];
                let mut start = block.start;
                while start < block.end {
                    let end = (start + CHUNK).min(block.end);
                    let m = end - start;
                    let mut zc = z.slice_mut(s![..m, ..]);
                    self.linear(theta, &w, start..end, zc.view_mut());
                    self.probabilities(zc.view(), prob.slice_mut(s![..m, ..]));
                    let xc = self.x.slice(s![start..end, ..]);
                    for a in 0..k {
                        for b in a..k {
                            for i in 0..m {
                                let si = self.s[start + i];
                                d[i] = if k == 1 {
                                    let pi = prob[[i, 1]];
                                    si * pi * (1.0 - pi)
                                } else {
                                    let same = if a == b { prob[[i, a]] } else { 0.0 };
                                    si * (same - prob[[i, a]] * prob[[i, b]])
                                };
                            }
                            let mut dxc = dx.slice_mut(s![..m, ..]);
                            for (i, mut row) in dxc.rows_mut().into_iter().enumerate() {
                                row.assign(&xc.row(i));
                                row.mapv_inplace(|v| v * d[i]);
                            }
                            let mut hab = h.slice_mut(s![a * q..a * q + p, b * q..b * q + p]);
                            general_mat_mul(1.0, &xc.t(), &dxc, 1.0, &mut hab);
                            if self.fit_intercept {
                                for j in 0..p {
                                    let cs = dxc.column(j).sum();
                                    h[[a * q + j, b * q + p]] += cs;
                                    h[[a * q + p, b * q + j]] += cs;
                                }
                                h[[a * q + p, b * q + p]] += d[..m].iter().sum::<f64>();
                            }
                        }
                    }
                    start = end;
                }
                h
            })
            .collect();
        let mut h = Array2::<f64>::zeros((dim, dim));
        for part in &partials {
            h += part;
        }
        // Only the blocks (a, b) with a ≤ b were accumulated; each is symmetric in its
        // weights, so block (b, a) is the transpose of block (a, b).
        for a in 0..k {
            for b in a + 1..k {
                for i in 0..q {
                    for j in 0..q {
                        h[[b * q + j, a * q + i]] = h[[a * q + i, b * q + j]];
                    }
                }
            }
        }
        for a in 0..k {
            for j in 0..p {
                h[[a * q + j, a * q + j]] += self.l2;
            }
        }
        h
    }

    /// Class probabilities of rows with linear predictors `z`, `rows × n_classes`.
    /// The binary Hessian `Bᵀ B` with `B = diag(√dᵢ) [X 1]` (`dᵢ = sᵢ pᵢ (1 − pᵢ) ≥ 0`): one
    /// symmetric rank-m update per chunk of rows, lower triangle only.
    fn binary_hessian(&self, theta: &[f64], w: &Array2<f64>) -> Array2<f64> {
        let (p, q) = (self.p(), self.q());
        let partials: Vec<Mat<f64>> = self
            .blocks(MAX_HESSIAN_BLOCKS)
            .into_par_iter()
            .map(|block| {
                let mut h = Mat::<f64>::zeros(q, q);
                let mut z = Array2::<f64>::zeros((GRAM_CHUNK, 1));
                let mut prob = Array2::<f64>::zeros((GRAM_CHUNK, self.n_classes));
                let mut buf = vec![0.0; GRAM_CHUNK * q];
                let mut start = block.start;
                while start < block.end {
                    let end = (start + GRAM_CHUNK).min(block.end);
                    let m = end - start;
                    let mut zc = z.slice_mut(s![..m, ..]);
                    self.linear(theta, w, start..end, zc.view_mut());
                    self.probabilities(zc.view(), prob.slice_mut(s![..m, ..]));
                    let xc = self.x.slice(s![start..end, ..]);
                    for (i, (row, out)) in xc
                        .rows()
                        .into_iter()
                        .zip(buf.chunks_exact_mut(q))
                        .enumerate()
                    {
                        let pi = prob[[i, 1]];
                        let r = (self.s[start + i] * pi * (1.0 - pi)).sqrt();
                        for (o, &v) in out.iter_mut().zip(row.iter()) {
                            *o = r * v;
                        }
                        if self.fit_intercept {
                            out[p] = r;
                        }
                    }
                    let b = MatRef::from_row_major_slice(&buf[..m * q], m, q);
                    tri::matmul(
                        h.as_mut(),
                        BlockStructure::TriangularLower,
                        Accum::Add,
                        b.transpose(),
                        BlockStructure::Rectangular,
                        b,
                        BlockStructure::Rectangular,
                        1.0,
                        Par::Seq,
                    );
                    start = end;
                }
                h
            })
            .collect();
        let mut h = Array2::<f64>::zeros((q, q));
        for part in &partials {
            for i in 0..q {
                for j in 0..=i {
                    h[[i, j]] += part[(i, j)];
                }
            }
        }
        for i in 0..q {
            for j in 0..i {
                h[[j, i]] = h[[i, j]];
            }
        }
        for j in 0..p {
            h[[j, j]] += self.l2;
        }
        h
    }

    fn probabilities(&self, z: ArrayView2<'_, f64>, mut out: ArrayViewMut2<'_, f64>) {
        for (zrow, mut orow) in z.rows().into_iter().zip(out.rows_mut()) {
            if self.n_classes == 2 {
                let p1 = sigmoid(zrow[0]);
                orow[0] = 1.0 - p1;
                orow[1] = p1;
            } else {
                softmax_into(zrow, orow);
            }
        }
    }
}

/// The `k × p` coefficient matrix inside `θ` (class blocks of `q` values), copied.
pub(crate) fn coef_matrix(theta: &[f64], k: usize, q: usize, p: usize) -> Array2<f64> {
    Array2::from_shape_fn((k, p), |(c, j)| theta[c * q + j])
}

/// `1 / (1 + e⁻ᶻ)` without overflow.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Softmax of `z` into `out`, shifted by the maximum so no exponential overflows.
pub(crate) fn softmax_into(z: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = (v - max).exp();
        sum += *o;
    }
    out.mapv_inplace(|o| o / sum);
}
