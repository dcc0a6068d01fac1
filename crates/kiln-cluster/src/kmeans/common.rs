//! Pieces shared by Lloyd's and Elkan's iterations: the data view, chunked partial sums merged
//! in a fixed order, empty-cluster relocation, centre averaging and shifts, and the inertia.
//!
//! Every reduction over rows runs over fixed chunks of [`CHUNK`] rows whose partial results are
//! merged in chunk order, so the floating-point sums (and so the whole fit) do not depend on
//! the number of threads.

use rayon::prelude::*;

/// Rows per parallel work item. Fixed, so results never depend on the thread count.
pub(crate) const CHUNK: usize = 4096;

/// A dense, row-major data set with its sample weights.
#[derive(Clone, Copy)]
pub(crate) struct Data<'a> {
    /// `n × d` values, row-major.
    pub x: &'a [f64],
    /// `n` non-negative weights.
    pub w: &'a [f64],
    pub n: usize,
    pub d: usize,
}

impl<'a> Data<'a> {
    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// The row range of chunk `c`.
    #[inline]
    pub fn chunk_rows(&self, c: usize) -> std::ops::Range<usize> {
        let start = c * CHUNK;
        start..(start + CHUNK).min(self.n)
    }
}

/// `||a − b||²`, summed directly (no norm expansion) for accuracy, four features at a time
/// in the grouping of scikit-learn's `_euclidean_dense_dense` (which also shortens the chain
/// of dependent additions).
#[inline(always)]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let mut result = 0.0;
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ar, br) = (a4.remainder(), b4.remainder());
    for (p, q) in a4.zip(b4) {
        let t0 = p[0] - q[0];
        let t1 = p[1] - q[1];
        let t2 = p[2] - q[2];
        let t3 = p[3] - q[3];
        result += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
    }
    for (x, y) in ar.iter().zip(br) {
        let t = x - y;
        result += t * t;
    }
    result
}

/// Weighted centre sums and cluster weights: a chunk's changes in a [`Delta`], all rows' in
/// [`Running`].
pub(crate) struct Sums {
    /// `k × d` sums of `w·x` per cluster.
    pub centers: Vec<f64>,
    /// `k` sums of `w` per cluster.
    pub weights: Vec<f64>,
}

impl Sums {
    pub fn zeros(k: usize, d: usize) -> Self {
        Self {
            centers: vec![0.0; k * d],
            weights: vec![0.0; k],
        }
    }

    /// Adds row `x` with weight `w` to cluster `label`, whole vectors of `S::F64_LANES`
    /// features first, then the rest one by one. Each sum gets `x·w` added with its own
    /// multiply and add, so the result is the same on every instruction set.
    #[inline(always)]
    pub fn add<S: pulp::Simd>(&mut self, simd: S, label: usize, x: &[f64], w: f64) {
        let d = x.len();
        self.weights[label] += w;
        let sums = &mut self.centers[label * d..(label + 1) * d];
        let (sv, sr) = S::as_mut_simd_f64s(sums);
        let (xv, xr) = S::as_simd_f64s(x);
        let wv = simd.splat_f64s(w);
        for (s, &v) in sv.iter_mut().zip(xv) {
            *s = simd.add_f64s(*s, simd.mul_f64s(v, wv));
        }
        for (s, v) in sr.iter_mut().zip(xr) {
            *s += v * w;
        }
    }
}

/// A row's label before it has one (Lloyd's first iteration).
pub(crate) const NO_LABEL: usize = usize::MAX;

/// The changes one chunk of rows makes to the running centre sums in one iteration: the rows
/// whose label changed, taken out of their old cluster and added to their new one.
pub(crate) struct Delta {
    pub sums: Sums,
    /// Change in the number of rows of non-zero weight per cluster.
    members: Vec<i64>,
}

impl Delta {
    pub fn zeros(k: usize, d: usize) -> Self {
        Self {
            sums: Sums::zeros(k, d),
            members: vec![0; k],
        }
    }

    /// Row `x` (weight `w`) moved from cluster `from` ([`NO_LABEL`] for none) to `to`.
    #[inline(always)]
    pub fn moved<S: pulp::Simd>(&mut self, simd: S, from: usize, to: usize, x: &[f64], w: f64) {
        let member = i64::from(w != 0.0);
        if from != NO_LABEL {
            // Adding `x·(−w)` is subtracting `x·w`, rounding included (`a − b` is `a + (−b)`).
            self.sums.add(simd, from, x, -w);
            self.members[from] -= member;
        }
        self.sums.add(simd, to, x, w);
        self.members[to] += member;
    }
}

/// The centre sums and weights of the current labels, kept from one iteration to the next
/// and updated by the rows whose label changed, instead of summed afresh from every row.
///
/// After the first iterations few labels change, so this skips most of the per-row work of
/// an iteration (for Elkan, most reads of the rows too). The sums then carry the rounding of
/// every update (far inside the 1e-9 agreement with scikit-learn's fresh sums); a cluster left
/// with no row of non-zero weight gets exactly zero sums and weight, as summing afresh gives,
/// so empty clusters are still found by their zero weight. Lloyd's and Elkan's iterations make
/// the same changes in the same chunk order, so they keep the same sums bit for bit.
pub(crate) struct Running {
    sums: Sums,
    members: Vec<i64>,
}

impl Running {
    pub fn new(k: usize, d: usize) -> Self {
        Self {
            sums: Sums::zeros(k, d),
            members: vec![0; k],
        }
    }

    /// Applies the chunks' changes in chunk order (the fixed order that makes results
    /// thread-count independent) and returns a copy of the sums for the centre update.
    pub fn apply(&mut self, parts: Vec<Delta>, d: usize) -> Sums {
        for p in parts {
            self.sums
                .centers
                .iter_mut()
                .zip(&p.sums.centers)
                .for_each(|(a, b)| *a += b);
            self.sums
                .weights
                .iter_mut()
                .zip(&p.sums.weights)
                .for_each(|(a, b)| *a += b);
            self.members
                .iter_mut()
                .zip(&p.members)
                .for_each(|(a, b)| *a += b);
        }
        for (j, &m) in self.members.iter().enumerate() {
            if m == 0 {
                self.sums.weights[j] = 0.0;
                self.sums.centers[j * d..(j + 1) * d].fill(0.0);
            }
        }
        Sums {
            centers: self.sums.centers.clone(),
            weights: self.sums.weights.clone(),
        }
    }
}

/// Turns merged sums into new centres: relocates empty clusters, then divides each centre sum
/// by its cluster weight (scikit-learn's `_relocate_empty_clusters_dense` then
/// `_average_centers`).
pub(crate) fn finish_centers(
    data: Data<'_>,
    centers_old: &[f64],
    labels: &[usize],
    mut sums: Sums,
) -> Vec<f64> {
    relocate_empty(data, centers_old, labels, &mut sums);
    let d = data.d;
    for (c, &w) in sums.centers.chunks_exact_mut(d).zip(&sums.weights) {
        // A cluster left with zero weight (only zero-weight points) keeps its sums, as in
        // scikit-learn.
        if w > 0.0 {
            let alpha = 1.0 / w;
            c.iter_mut().for_each(|v| *v *= alpha);
        }
    }
    sums.centers
}

/// Gives every cluster of zero weight the point farthest from its own (old) centre: the
/// farthest point to the first empty cluster, the next to the second, and so on; ties go to
/// the lowest row index. The point's weighted row moves from its old cluster's sums to the
/// empty cluster's; labels are left as they are, as in scikit-learn.
///
/// Unlike scikit-learn, a point is not moved when that gains nothing or breaks another
/// cluster: when it sits on its centre (distance 0, so with duplicate points and more
/// clusters than distinct points the fit does not shuffle identical rows between clusters
/// forever), when its weight is 0, or when it is the last weight of its cluster (which
/// would only move the emptiness). An empty cluster that gets no point keeps its old centre.
fn relocate_empty(data: Data<'_>, centers_old: &[f64], labels: &[usize], sums: &mut Sums) {
    let empty: Vec<usize> = (0..sums.weights.len())
        .filter(|&j| sums.weights[j] == 0.0)
        .collect();
    if empty.is_empty() {
        return;
    }
    let d = data.d;
    let dist: Vec<f64> = (0..data.n)
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|i| {
            let l = labels[i];
            sq_dist(data.row(i), &centers_old[l * d..(l + 1) * d])
        })
        .collect();
    let far_first = |a: &usize, b: &usize| dist[*b].total_cmp(&dist[*a]).then(a.cmp(b));
    // The farthest points, in order: a few more than the empty clusters first (skipped
    // points are rare), all of them if those run out.
    let candidates = |m: usize| {
        let mut order: Vec<usize> = (0..data.n).collect();
        if m < data.n {
            order.select_nth_unstable_by(m, far_first);
            order.truncate(m);
        }
        order.sort_unstable_by(far_first);
        order
    };
    let first = (2 * empty.len() + 64).min(data.n);
    let mut order = candidates(first);
    let mut next = 0;
    // Set once no candidate is left (or the rest sit on their centres).
    let mut exhausted = false;
    for &new_id in &empty {
        let mut far = None;
        while !exhausted {
            if next == order.len() {
                if order.len() < data.n {
                    // The full order starts with the partial one (the order is total).
                    order = candidates(data.n);
                    continue;
                }
                exhausted = true;
                break;
            }
            let i = order[next];
            next += 1;
            if dist[i] == 0.0 {
                // The rest are on their centres too.
                exhausted = true;
                break;
            }
            let w = data.w[i];
            if w > 0.0 && sums.weights[labels[i]] - w > 0.0 {
                far = Some(i);
                break;
            }
        }
        let Some(far) = far else {
            sums.centers[new_id * d..(new_id + 1) * d]
                .copy_from_slice(&centers_old[new_id * d..(new_id + 1) * d]);
            continue;
        };
        let w = data.w[far];
        let old_id = labels[far];
        let x = data.row(far);
        for (f, &v) in x.iter().enumerate() {
            sums.centers[old_id * d + f] -= v * w;
            sums.centers[new_id * d + f] = v * w;
        }
        sums.weights[new_id] = w;
        sums.weights[old_id] -= w;
    }
}

/// The Euclidean distance each centre moved (scikit-learn's `_center_shift`).
pub(crate) fn center_shift(old: &[f64], new: &[f64], d: usize) -> Vec<f64> {
    old.chunks_exact(d)
        .zip(new.chunks_exact(d))
        .map(|(a, b)| sq_dist(a, b).sqrt())
        .collect()
}

/// `Σ w·||x − c_label||²`, summed per chunk and merged in chunk order.
pub(crate) fn inertia(data: Data<'_>, centers: &[f64], labels: &[usize]) -> f64 {
    let d = data.d;
    let n_chunks = data.n.div_ceil(CHUNK);
    let parts: Vec<f64> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            data.chunk_rows(c)
                .map(|i| {
                    let l = labels[i];
                    data.w[i] * sq_dist(data.row(i), &centers[l * d..(l + 1) * d])
                })
                .sum()
        })
        .collect();
    parts.iter().sum()
}

/// The result of one run of Lloyd's or Elkan's algorithm.
pub(crate) struct RunResult {
    pub centers: Vec<f64>,
    pub labels: Vec<usize>,
    pub inertia: f64,
    pub n_iter: usize,
    pub converged: bool,
}

/// The input checks both k-means estimators make before fitting: finite `x`, valid sample
/// weights, at least `k` rows, and given initial centres of shape `k × n_features`, finite.
///
/// # Errors
/// `Error::NonFinite`, the sample-weight errors of `kiln_core::check`,
/// `Error::TooFewSamples` and `Error::ShapeMismatch`.
pub(crate) fn check_fit_input(
    estimator: &str,
    x: ndarray::ArrayView2<'_, f64>,
    sample_weight: Option<ndarray::ArrayView1<'_, f64>>,
    k: usize,
    init: &super::KMeansInit,
) -> kiln_core::Result<()> {
    use kiln_core::check::{self, NanPolicy};
    check::check_x(x, NanPolicy::Reject)?;
    let (n, d) = x.dim();
    check::check_sample_weight(sample_weight, n)?;
    // Squared distances of values past ~1e151 overflow (found by probing: X of 1e160 gave an
    // infinite inertia and every label 0).
    check::check_squares_fit_2d(x, "X")?;
    if k > n {
        return Err(kiln_core::Error::TooFewSamples {
            estimator: estimator.into(),
            needed: format!("n_samples >= n_clusters={k}"),
            got: format!("n_samples={n}"),
            n_samples: n,
        });
    }
    if let super::KMeansInit::Given(c) = init {
        check::check_same_len(
            "rows of the given init centres against n_clusters",
            k,
            c.nrows(),
        )?;
        check::check_same_len(
            "columns of the given init centres against n_features",
            d,
            c.ncols(),
        )?;
        check::check_finite(c.view(), "init", NanPolicy::Reject)?;
    }
    Ok(())
}

/// The Euclidean distance of every row of the row-major `xs` (`d` values each) to every one of
/// the `k` row-major `centers`: `rows × k`, rows in parallel chunks.
pub(crate) fn distances(xs: &[f64], d: usize, centers: &[f64], k: usize) -> ndarray::Array2<f64> {
    let n = xs.len() / d.max(1);
    let mut out = vec![0.0; n * k];
    // Called by `transform` from the program's thread: see `map_chunks_mut` for why the
    // caller takes chunks too.
    kiln_core::pool::map_chunks_mut(&mut out, CHUNK * k.max(1), |c, o| {
        let rows = xs.chunks(CHUNK * d.max(1)).nth(c).unwrap_or(&[]);
        for (o, r) in o
            .chunks_exact_mut(k.max(1))
            .zip(rows.chunks_exact(d.max(1)))
        {
            for (j, v) in o.iter_mut().enumerate() {
                *v = sq_dist(r, &centers[j * d..(j + 1) * d]).sqrt();
            }
        }
    });
    ndarray::Array2::from_shape_vec((n, k), out).unwrap_or_else(|_| ndarray::Array2::zeros((n, k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sq_dist_sums_all_features() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [0.0, 0.0, 0.0, 0.0, 0.0, 8.0];
        assert_eq!(sq_dist(&a, &b), 1.0 + 4.0 + 9.0 + 16.0 + 25.0 + 4.0);
        assert_eq!(sq_dist(&a[..3], &b[..3]), 14.0);
    }

    /// Fresh sums of the rows of each label, row by row.
    fn fresh(x: &[f64], w: &[f64], labels: &[usize], k: usize, d: usize) -> Sums {
        let mut s = Sums::zeros(k, d);
        for ((row, &wi), &l) in x.chunks_exact(d).zip(w).zip(labels) {
            s.add(pulp::Scalar, l, row, wi);
        }
        s
    }

    #[test]
    fn running_sums_follow_the_labels_as_rows_move() {
        use kiln_core::random::rng_from_seed;
        use rand::Rng;
        let (n, d, k) = (500, 7, 5);
        let mut rng = rng_from_seed(8);
        let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-50.0..50.0)).collect();
        // Unit weights, and weights that are not sums of powers of two (some zero).
        for w in [vec![1.0; n], (0..n).map(|i| (i % 7) as f64 * 0.1).collect()] {
            let mut running = Running::new(k, d);
            let mut labels = vec![NO_LABEL; n];
            for it in 0..60 {
                let mut delta = Delta::zeros(k, d);
                for (i, (row, &wi)) in x.chunks_exact(d).zip(&w).enumerate() {
                    // All rows at first, then about a tenth of them each time.
                    if it == 0 || rng.random_range(0..10) == 0 {
                        let to = rng.random_range(0..k);
                        if to != labels[i] {
                            delta.moved(pulp::Scalar, labels[i], to, row, wi);
                            labels[i] = to;
                        }
                    }
                }
                let got = running.apply(vec![delta], d);
                let want = fresh(&x, &w, &labels, k, d);
                for (g, f) in got.centers.iter().zip(&want.centers) {
                    assert!((g - f).abs() <= 1e-12 * 50.0 * n as f64, "{g} {f}");
                }
                for (g, f) in got.weights.iter().zip(&want.weights) {
                    assert!((g - f).abs() <= 1e-12 * n as f64, "{g} {f}");
                }
            }
        }
    }

    #[test]
    fn a_cluster_left_without_weighted_rows_has_exactly_zero_sums_and_weight() {
        let (d, k) = (2, 2);
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        // 0.1 + 0.2 + 0.3, less each again, is not zero in floating point.
        let w = [0.1, 0.2, 0.3, 0.0];
        let mut running = Running::new(k, d);
        let mut delta = Delta::zeros(k, d);
        for (row, &wi) in x.chunks_exact(d).zip(&w) {
            delta.moved(pulp::Scalar, NO_LABEL, 0, row, wi);
        }
        running.apply(vec![delta], d);
        // The weighted rows leave cluster 0 one iteration at a time (in an order whose
        // subtractions leave 8e-17 of weight); only the zero-weight row stays, so cluster 0
        // is empty (zero weight) as a fresh sum would find it.
        let mut s = Sums::zeros(k, d);
        for i in [2, 0, 1] {
            let mut delta = Delta::zeros(k, d);
            delta.moved(pulp::Scalar, 0, 1, &x[i * d..(i + 1) * d], w[i]);
            s = running.apply(vec![delta], d);
        }
        assert_eq!(s.weights[0], 0.0);
        assert_eq!(&s.centers[..d], &[0.0, 0.0]);
        let want = fresh(&x, &w, &[1, 1, 1, 0], k, d);
        assert_eq!(s.weights[0].to_bits(), want.weights[0].to_bits());
        assert_eq!(s.centers[..d], want.centers[..d]);
    }
}
