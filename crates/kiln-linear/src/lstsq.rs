//! The least-squares machinery shared by [`crate::ols`] and [`crate::ridge`]: the weighted,
//! centred Gram matrix of `[X | Y]` in one blocked pass, the dense solvers built on it (through
//! faer), and predictions.
//!
//! # The Gram pass
//!
//! Rows are cut into leaves of a fixed size that depends only on the shape of the data. Each
//! leaf copies its rows into a contiguous buffer, centres them on the leaf's own weighted mean,
//! scales them by `sqrt(w)` and forms the lower triangle of `BᵀB` with one matrix product.
//! Leaves are merged up a binary tree whose shape depends only on the number of rows, with the
//! pairwise update of Chan, Golub & LeVeque (1979) for centred sums of products:
//! `G = G_a + G_b + (W_a W_b / W) δδᵀ`, `δ = mean_b − mean_a`. Centring on leaf means reads the
//! data once and avoids the cancellation of `XᵀX − n·x̄x̄ᵀ`; the fixed tree makes the result the
//! same bit for bit on any number of threads (rayon only decides which thread runs a subtree).
//!
//! # References
//! - T. F. Chan, G. H. Golub, R. J. LeVeque, "Updating formulae and a pairwise algorithm for
//!   computing sample variances", Stanford CS report STAN-CS-79-773 (1979).
//! - Å. Björck, *Numerical Methods for Least Squares Problems*, SIAM (1996), §2.2 (normal
//!   equations and their conditioning), §2.7 (minimum-norm solutions through the SVD).
//! - A. van der Sluis, "Condition numbers and equilibration of matrices", Numer. Math. 14
//!   (1969): Jacobi scaling of the Gram matrix is within a factor `p` of the best diagonal one.

use std::ops::Range;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::matmul::triangular::{self as tri, BlockStructure};
use faer::linalg::{cholesky, evd, qr, svd, triangular_solve};
use faer::{Accum, Mat, MatRef, Par};
use kiln_core::check::{self, NanPolicy};
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

/// Elements (rows × columns) in one leaf buffer: 256 KiB, which stays in a core's L2 cache.
const LEAF_ELEMS: usize = 1 << 15;
/// The fewest rows a leaf holds, so that each product is large enough to run at speed.
const MIN_LEAF_ROWS: usize = 64;
/// Multiply-adds below which a subtree runs on the calling thread (a rayon task costs more).
const PAR_WORK: usize = 1 << 20;

/// The data of one least-squares problem: `x` (n × p), targets `y` (n × k), optional weights.
///
/// With `x_rows`, sample `i` of the problem is row `x_rows[i]` of `x`, read in place (a fold of
/// cross-validation); `y` and `w` then hold one entry per index of `x_rows`.
#[derive(Clone, Copy)]
pub(crate) struct Design<'a> {
    pub x: ArrayView2<'a, f64>,
    pub x_rows: Option<&'a [usize]>,
    pub y: ArrayView2<'a, f64>,
    pub w: Option<ArrayView1<'a, f64>>,
    /// Centre on the weighted means (the model fits an intercept).
    pub center: bool,
}

impl Design<'_> {
    fn q(&self) -> usize {
        self.x.ncols() + self.y.ncols()
    }

    /// The number of samples.
    pub fn n(&self) -> usize {
        self.x_rows.map_or(self.x.nrows(), <[usize]>::len)
    }

    /// Sample `i`'s features.
    fn x_row(&self, i: usize) -> ArrayView1<'_, f64> {
        self.x.row(self.x_rows.map_or(i, |r| r[i]))
    }

    fn weight(&self, i: usize) -> f64 {
        self.w.map_or(1.0, |w| w[i])
    }

    /// Checks that every sample's features are finite, naming the first that is not by its
    /// position among the samples (as the same check on a copy of the rows would).
    ///
    /// [`checked_moments`] runs it only when the moments come out non-finite.
    fn check_x_finite(&self) -> Result<()> {
        match self.x_rows {
            None => check::check_finite(self.x, "X", NanPolicy::Reject),
            Some(r) => {
                check::check_finite(self.x.select(Axis(0), r).view(), "X", NanPolicy::Reject)
            }
        }
    }
}

/// `y` and the weights at `rows`, after the checks `fit_rows` makes before reading any value
/// (lengths against `n_rows` rows of `X`, indices in range).
///
/// # Errors
/// As [`check::check_rows`].
pub(crate) fn rows_of(
    n_rows: usize,
    y: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    rows: &[usize],
) -> Result<(Array1<f64>, Option<Array1<f64>>)> {
    check::check_rows(n_rows, y.len(), w, rows)?;
    Ok((y.select(Axis(0), rows), w.map(|w| w.select(Axis(0), rows))))
}

/// Checks that the problem has samples and features, and one target row per sample.
///
/// # Errors
/// [`Error::EmptyInput`] or [`Error::ShapeMismatch`], as [`check::check_fit_xy`].
pub(crate) fn check_shape(d: &Design<'_>) -> Result<()> {
    let (n, p) = (d.n(), d.x.ncols());
    if n == 0 || p == 0 {
        // An n × p view of nothing, so the message gives the shape of the samples.
        let empty = ArrayView2::from_shape((n, p), &[]).unwrap_or(d.x);
        check::check_non_empty(empty, "X")?;
    }
    check::check_same_len("length of y against rows of X", n, d.y.nrows())
}

/// The moments of `d` after the checks of a least-squares fit: `check_rest` (the target and
/// the weights, which are cheap), then the finiteness of `X`, which costs a pass over the data
/// and so runs only when needed: any NaN or infinity in `X` (or in `y`) makes a mean or a
/// diagonal entry of the Gram matrix non-finite, whatever the weights. Errors come in the
/// order of the full checks: a non-finite `X` is reported before a problem of `y` or the weights.
///
/// Finite data whose products overflow give non-finite moments but pass the check, and go on
/// to the solvers as before.
pub(crate) fn checked_moments(
    d: &Design<'_>,
    check_rest: impl FnOnce() -> Result<()>,
) -> Result<Moments> {
    if let Err(e) = check_rest() {
        d.check_x_finite()?;
        return Err(e);
    }
    let mom = moments(d);
    let finite = mom.mean.iter().all(|v| v.is_finite())
        && (0..mom.gram.nrows())
            .all(|i| (0..mom.gram.ncols()).all(|j| mom.gram[(i, j)].is_finite()));
    if !finite {
        d.check_x_finite()?;
        // Finite inputs whose sums of squares overflow (found by probing: y of 1e307 gave
        // NaN coefficients): name the part that overflowed.
        let p = mom.p;
        let in_y = mom.mean[p..].iter().any(|v| !v.is_finite())
            || (0..mom.gram.nrows())
                .any(|i| (p..mom.gram.ncols()).any(|j| !mom.gram[(i, j)].is_finite()));
        return Err(Error::InvalidValue {
            what: if in_y { "y" } else { "X" }.into(),
            row: None,
            reason: "values are too large: their weighted sums of squares overflow f64; \
                     rescale them (e.g. divide by a constant)"
                .into(),
        });
    }
    Ok(mom)
}

/// Weighted means and the weighted, centred sums of products of `[X | Y]`.
pub(crate) struct Moments {
    p: usize,
    /// Weighted column means of `[X | Y]`; zeros when the design is not centred.
    mean: Vec<f64>,
    /// `Σ w_i (z_i − mean)(z_i − mean)ᵀ`, q × q, both triangles filled.
    gram: Mat<f64>,
}

impl Moments {
    pub fn x_mean(&self) -> &[f64] {
        &self.mean[..self.p]
    }

    pub fn y_mean(&self) -> &[f64] {
        &self.mean[self.p..]
    }

    pub fn xx(&self) -> MatRef<'_, f64> {
        self.gram.as_ref().submatrix(0, 0, self.p, self.p)
    }

    pub fn xy(&self) -> MatRef<'_, f64> {
        let k = self.gram.ncols() - self.p;
        self.gram.as_ref().submatrix(0, self.p, self.p, k)
    }
}

/// One subtree's total weight, weighted mean and centred sums of products (lower triangle).
struct Partial {
    w: f64,
    mean: Vec<f64>,
    gram: Mat<f64>,
}

/// Computes the [`Moments`] of `d` in one parallel pass (see the module docs).
pub(crate) fn moments(d: &Design<'_>) -> Moments {
    let n = d.n();
    let q = d.q();
    let leaf_rows = (LEAF_ELEMS / q.max(1)).max(MIN_LEAF_ROWS);
    let mut root = reduce(d, 0..n, leaf_rows);
    for j in 0..q {
        for i in 0..j {
            root.gram[(i, j)] = root.gram[(j, i)];
        }
    }
    if !d.center {
        root.mean.iter_mut().for_each(|m| *m = 0.0);
    }
    Moments {
        p: d.x.ncols(),
        mean: root.mean,
        gram: root.gram,
    }
}

fn reduce(d: &Design<'_>, rows: Range<usize>, leaf_rows: usize) -> Partial {
    let leaves = rows.len().div_ceil(leaf_rows);
    if leaves <= 1 {
        return leaf(d, rows);
    }
    let mid = rows.start + (leaves / 2) * leaf_rows;
    let q = d.q();
    let (a, b) = if rows.len() * q * q >= PAR_WORK {
        rayon::join(
            || reduce(d, rows.start..mid, leaf_rows),
            || reduce(d, mid..rows.end, leaf_rows),
        )
    } else {
        (
            reduce(d, rows.start..mid, leaf_rows),
            reduce(d, mid..rows.end, leaf_rows),
        )
    };
    merge(a, b, d.center)
}

fn leaf(d: &Design<'_>, rows: Range<usize>) -> Partial {
    let (p, q, m) = (d.x.ncols(), d.q(), rows.len());
    let mut buf = vec![0.0; m * q];
    for (r, i) in rows.clone().enumerate() {
        let dst = &mut buf[r * q..(r + 1) * q];
        let (dx, dy) = dst.split_at_mut(p);
        copy_row(d.x_row(i), dx);
        copy_row(d.y.row(i), dy);
    }
    let mut w_sum = 0.0;
    let mut mean = vec![0.0; q];
    for (r, i) in rows.clone().enumerate() {
        let wi = d.weight(i);
        w_sum += wi;
        if d.center {
            mean.iter_mut()
                .zip(&buf[r * q..(r + 1) * q])
                .for_each(|(m, v)| *m += wi * v);
        }
    }
    if d.center && w_sum > 0.0 {
        mean.iter_mut().for_each(|m| *m /= w_sum);
    }
    for (r, i) in rows.enumerate() {
        let row = &mut buf[r * q..(r + 1) * q];
        if d.center {
            row.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
        }
        if d.w.is_some() {
            let s = d.weight(i).sqrt();
            row.iter_mut().for_each(|v| *v *= s);
        }
    }
    let b = MatRef::from_row_major_slice(&buf, m, q);
    let mut gram = Mat::zeros(q, q);
    tri::matmul(
        gram.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        b.transpose(),
        BlockStructure::Rectangular,
        b,
        BlockStructure::Rectangular,
        1.0,
        Par::Seq,
    );
    Partial {
        w: w_sum,
        mean,
        gram,
    }
}

fn copy_row(src: ArrayView1<'_, f64>, dst: &mut [f64]) {
    match src.as_slice() {
        Some(s) => dst.copy_from_slice(s),
        None => dst.iter_mut().zip(src).for_each(|(d, v)| *d = *v),
    }
}

fn merge(mut a: Partial, b: Partial, center: bool) -> Partial {
    let w = a.w + b.w;
    let q = a.mean.len();
    if center && w > 0.0 {
        let f = a.w * b.w / w;
        let delta: Vec<f64> = b.mean.iter().zip(&a.mean).map(|(b, a)| b - a).collect();
        for j in 0..q {
            let gb = b.gram.col_as_slice(j);
            let ga = a.gram.col_as_slice_mut(j);
            let fj = f * delta[j];
            for i in j..q {
                ga[i] += gb[i] + fj * delta[i];
            }
        }
        let share = b.w / w;
        a.mean
            .iter_mut()
            .zip(&delta)
            .for_each(|(m, d)| *m += d * share);
    } else {
        for j in 0..q {
            let gb = b.gram.col_as_slice(j);
            let ga = a.gram.col_as_slice_mut(j);
            for i in j..q {
                ga[i] += gb[i];
            }
        }
    }
    a.w = w;
    a
}

/// Which algorithm produced a least-squares solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path {
    Gram,
    Qr,
}

/// A least-squares solution: coefficients p × k, with the rank and singular values of the
/// (centred, weighted) design.
pub(crate) struct Solution {
    pub coef: Mat<f64>,
    pub rank: usize,
    pub singular: Vec<f64>,
    pub path: Path,
}

/// The Gram path is used only when every singular value is above `sqrt(GRAM_MIN_RATIO)` times
/// the largest (`κ(X) < 1e5`): the singular values taken from the Gram eigenvalues are then
/// accurate to about `ε·κ² ≈ 2e-6` relative at worst, and far better for moderate `κ`.
const GRAM_MIN_RATIO: f64 = 1e-10;
/// ... and when the Jacobi-scaled Gram matrix has condition number below 1e6, which bounds
/// the relative error of the coefficients by about `1e6·ε ≈ 2e-10` (Björck §2.2).
const SCALED_MIN_RATIO: f64 = 1e-6;

/// The minimum-norm least-squares solution of `d`, treating singular values at or below
/// `tol × σ_max` as zero (scipy's `lstsq(cond=tol)`).
///
/// Solves the (Jacobi-scaled) normal equations when they are safe (see the constants above)
/// and falls back to a QR factorization of the design followed by an SVD of its triangular
/// factor otherwise.
pub(crate) fn lstsq(d: &Design<'_>, mom: &Moments, tol: f64) -> Result<Solution> {
    if let Some(sol) = lstsq_gram(mom, tol)? {
        return Ok(sol);
    }
    let sys = svd_system(d, mom)?;
    let cut = sys.s.first().copied().unwrap_or(0.0) * tol;
    let keep = |s: f64| s > cut && s > 0.0;
    let coef = sys.solve(|s| if keep(s) { 1.0 / s } else { 0.0 });
    Ok(Solution {
        coef,
        rank: sys.s.iter().filter(|&&s| keep(s)).count(),
        singular: sys.s,
        path: Path::Qr,
    })
}

fn lstsq_gram(mom: &Moments, tol: f64) -> Result<Option<Solution>> {
    let g = mom.xx();
    let p = g.nrows();
    let lam = eigen(g, false)?.0;
    let (lmin, lmax) = (lam[0], lam[p - 1]);
    let ratio = GRAM_MIN_RATIO.max(100.0 * tol * tol);
    if !(lmax > 0.0 && lmin > lmax * ratio) {
        return Ok(None);
    }
    let dg: Vec<f64> = (0..p).map(|j| g[(j, j)].sqrt()).collect();
    let c = Mat::from_fn(p, p, |i, j| g[(i, j)] / (dg[i] * dg[j]));
    let (clam, v) = eigen(c.as_ref(), true)?;
    if clam[0] <= clam[p - 1] * SCALED_MIN_RATIO {
        return Ok(None);
    }
    let xy = mom.xy();
    let rhs = Mat::from_fn(p, xy.ncols(), |i, t| xy[(i, t)] / dg[i]);
    // sol = V Λ⁻¹ Vᵀ rhs, then undo the scaling.
    let mut proj = v.transpose() * &rhs;
    for t in 0..proj.ncols() {
        for (i, l) in clam.iter().enumerate() {
            proj[(i, t)] /= l;
        }
    }
    let sol = &v * &proj;
    let coef = Mat::from_fn(p, xy.ncols(), |i, t| sol[(i, t)] / dg[i]);
    let singular = lam.iter().rev().map(|l| l.max(0.0).sqrt()).collect();
    Ok(Some(Solution {
        coef,
        rank: p,
        singular,
        path: Path::Gram,
    }))
}

/// Eigenvalues (ascending) and, when asked, eigenvectors of the symmetric `a`, on one thread
/// so that the result does not depend on the thread pool.
fn eigen(a: MatRef<'_, f64>, vectors: bool) -> Result<(Vec<f64>, Mat<f64>)> {
    let n = a.nrows();
    let mode = if vectors {
        evd::ComputeEigenvectors::Yes
    } else {
        evd::ComputeEigenvectors::No
    };
    let mut buf = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
        n,
        mode,
        Par::Seq,
        Default::default(),
    ));
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let mut u = Mat::zeros(if vectors { n } else { 0 }, if vectors { n } else { 0 });
    evd::self_adjoint_evd(
        a,
        s.as_mut(),
        vectors.then_some(u.as_mut()),
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .map_err(|e| numeric("the eigendecomposition of the Gram matrix", e))?;
    Ok((s.column_vector().iter().copied().collect(), u))
}

fn numeric(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::InvalidValue {
        what: "X".into(),
        row: None,
        reason: format!("{what} failed ({e:?}); the data may be too badly scaled"),
    }
}

/// The least-squares problem reduced through an SVD: `min ‖Xβ − Y‖` becomes
/// `min ‖Σ Vᵀβ − UᵀQᵀY‖`.
pub(crate) struct SvdSystem {
    /// Singular values of the centred, weighted `X`, descending (min(n, p) of them).
    pub s: Vec<f64>,
    v: Mat<f64>,
    uty: Mat<f64>,
}

impl SvdSystem {
    /// `β = V diag(f(σ)) UᵀQᵀY`, with the filter `f` (`1/σ` or zero for least squares,
    /// `σ/(σ² + α)` for ridge).
    pub fn solve(&self, f: impl Fn(f64) -> f64) -> Mat<f64> {
        let mut scaled = self.uty.clone();
        for t in 0..scaled.ncols() {
            for (i, &s) in self.s.iter().enumerate() {
                scaled[(i, t)] *= f(s);
            }
        }
        &self.v * &scaled
    }

    /// The solution for target `t` alone with the filter `f`.
    pub fn solve_target(&self, t: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
        let mut out = vec![0.0; self.v.nrows()];
        for (i, &s) in self.s.iter().enumerate() {
            let c = self.uty[(i, t)] * f(s);
            for (o, j) in out.iter_mut().zip(0..) {
                *o += self.v[(j, i)] * c;
            }
        }
        out
    }
}

/// Factors the centred, weighted `[X | Y]` as `QR`, then takes the SVD of the `X` part of `R`.
///
/// Householder QR is backward stable, so the singular values of `R` are those of `X` to
/// `ε·‖X‖`, as with LAPACK's `gelsd`; `Qᵀy` comes out of the same factorization as the last
/// columns of `R`. Runs on one thread so that the result does not depend on the pool.
pub(crate) fn svd_system(d: &Design<'_>, mom: &Moments) -> Result<SvdSystem> {
    let (n, p, q) = (d.n(), d.x.ncols(), d.q());
    let mean = &mom.mean;
    let mut z = Mat::from_fn(n, q, |i, j| {
        let v = if j < p {
            d.x_row(i)[j]
        } else {
            d.y[[i, j - p]]
        };
        (v - mean[j]) * d.weight(i).sqrt()
    });
    let r = n.min(q);
    let bs = qr::no_pivoting::factor::recommended_block_size::<f64>(n, q);
    let mut coeff = Mat::zeros(bs, r);
    let mut buf = MemBuffer::new(qr::no_pivoting::factor::qr_in_place_scratch::<f64>(
        n,
        q,
        bs,
        Par::Seq,
        Default::default(),
    ));
    qr::no_pivoting::factor::qr_in_place(
        z.as_mut(),
        coeff.as_mut(),
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    );
    // Below the diagonal `z` holds the Householder vectors, not zeros.
    let rx = Mat::from_fn(r, p, |i, j| if i <= j { z[(i, j)] } else { 0.0 });
    let ry = Mat::from_fn(
        r,
        q - p,
        |i, t| if i <= p + t { z[(i, p + t)] } else { 0.0 },
    );
    let m = r.min(p);
    let mut s = faer::diag::Diag::<f64>::zeros(m);
    let mut u = Mat::zeros(r, m);
    let mut v = Mat::zeros(p, m);
    let mut buf = MemBuffer::new(svd::svd_scratch::<f64>(
        r,
        p,
        svd::ComputeSvdVectors::Thin,
        svd::ComputeSvdVectors::Thin,
        Par::Seq,
        Default::default(),
    ));
    svd::svd(
        rx.as_ref(),
        s.as_mut(),
        Some(u.as_mut()),
        Some(v.as_mut()),
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .map_err(|e| numeric("the SVD of the design", e))?;
    let uty = u.transpose() * &ry;
    Ok(SvdSystem {
        s: s.column_vector().iter().copied().collect(),
        v,
        uty,
    })
}

/// Solves `(G + αI) β = b` by Cholesky on one thread; `None` when `G + αI` is not positive
/// definite to working precision (α = 0 with a singular `G`): a pivot `L_jj²` at or below
/// `p·ε·max_j A_jj` is rounding noise, and solving with it would return noise.
pub(crate) fn ridge_cholesky(
    g: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    alpha: f64,
) -> Option<Mat<f64>> {
    let p = g.nrows();
    let mut a = Mat::from_fn(
        p,
        p,
        |i, j| {
            if i == j { g[(i, j)] + alpha } else { g[(i, j)] }
        },
    );
    let max_diag = (0..p).map(|j| a[(j, j)]).fold(0.0_f64, f64::max);
    let floor = p as f64 * f64::EPSILON * max_diag;
    let mut buf = MemBuffer::new(cholesky::llt::factor::cholesky_in_place_scratch::<f64>(
        p,
        Par::Seq,
        Default::default(),
    ));
    cholesky::llt::factor::cholesky_in_place(
        a.as_mut(),
        Default::default(),
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .ok()?;
    if (0..p).any(|j| a[(j, j)] * a[(j, j)] <= floor) {
        return None;
    }
    let mut x = b.to_owned();
    triangular_solve::solve_lower_triangular_in_place(a.as_ref(), x.as_mut(), Par::Seq);
    triangular_solve::solve_upper_triangular_in_place(a.transpose(), x.as_mut(), Par::Seq);
    Some(x)
}
