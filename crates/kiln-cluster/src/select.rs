//! Choosing `k`: [`scan_k`] fits [`KMeans`] for every `k` of a range and reports the inertia
//! and the silhouette ([`silhouette_score`]) of each fit.

use kiln_core::check::{self, NanPolicy};
use kiln_core::random::rng_from_seed;
use kiln_core::{Error, FitUnsupervised, Result};
use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::KMeans;
use crate::kmeans::common::sq_dist;

/// Rows per parallel work item of the silhouette. Fixed, so results never depend on the
/// thread count.
const ROWS_PER_TASK: usize = 64;

/// The scores of one `k` in [`scan_k`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    /// The number of clusters.
    pub k: usize,
    /// The inertia of the [`KMeans`] fit with this `k` (lower is tighter; it always falls as
    /// `k` grows, so look for the "elbow").
    pub inertia: f64,
    /// The mean silhouette of that fit's labels (higher is better, at most 1); `None` when
    /// it is undefined: for `k = 1`, or when the fit (or the sampled rows) has fewer than 2
    /// clusters or every row in its own cluster.
    pub silhouette: Option<f64>,
}

/// Fits `params` with `n_clusters = k` for every `k` in `ks` and returns, in the order of
/// `ks`, the inertia and the silhouette of each fit.
///
/// The silhouette is computed on all rows (`silhouette_sample = None`, `O(n²)` distances) or
/// on `silhouette_sample` rows drawn without replacement with [`rng_from_seed`]`(seed)`; the
/// same rows are used for every `k`, so the scores are comparable. The fits use `params`'
/// own seed.
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty `ks` or `silhouette_sample = Some(0)`; any error
/// of [`KMeans::fit`](FitUnsupervised::fit) (e.g. `k = 0`, or `k` larger than the number of
/// rows).
///
/// # Example
/// ```
/// use kiln_cluster::{KMeans, scan_k};
/// use ndarray::array;
///
/// let x = array![[0.0], [0.5], [1.0], [10.0], [10.5], [11.0], [20.0], [20.5], [21.0]];
/// let scores = scan_k(x.view(), &[1, 2, 3, 4], &KMeans::default(), None, 0)?;
/// assert_eq!(scores[0].silhouette, None);
/// // Three groups: k = 3 has the best silhouette.
/// let best = scores.iter().max_by(|a, b| a.silhouette.partial_cmp(&b.silhouette).unwrap());
/// assert_eq!(best.map(|s| s.k), Some(3));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn scan_k(
    x: ArrayView2<'_, f64>,
    ks: &[usize],
    params: &KMeans,
    silhouette_sample: Option<usize>,
    seed: u64,
) -> Result<Vec<KScore>> {
    if ks.is_empty() {
        return Err(Error::invalid_param(
            "scan_k",
            "ks",
            "must hold at least one number of clusters; got none",
        ));
    }
    check_sample(silhouette_sample)?;
    check::check_x(x, NanPolicy::Reject)?;
    let rows = sample_rows(x.nrows(), silhouette_sample, seed);
    let xs = gather_rows(x, &rows);
    let mut out = Vec::with_capacity(ks.len());
    for &k in ks {
        let fitted = params.clone().with_n_clusters(k).fit(x)?;
        let silhouette = if k == 1 {
            None
        } else {
            let labels = fitted.labels();
            let lab: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
            silhouette_rows(&xs, x.ncols(), &lab)
        };
        out.push(KScore {
            k,
            inertia: fitted.inertia(),
            silhouette,
        });
    }
    Ok(out)
}

/// The mean silhouette coefficient of a clustering (Rousseeuw 1987), as scikit-learn's
/// `silhouette_score` with the Euclidean metric.
///
/// For row `i` with `a` its mean distance to the other rows of its cluster and `b` the
/// smallest mean distance to the rows of another cluster, `s(i) = (b − a) / max(a, b)`; a row
/// alone in its cluster has `s(i) = 0`. The result is the mean of `s(i)` over all rows, or
/// over `sample_size` rows drawn without replacement with [`rng_from_seed`]`(seed)` (all rows
/// when `sample_size` is at least their number), computed among those rows only.
///
/// Distances are summed directly (`√Σ(x − y)²`); rows are processed in parallel in fixed
/// chunks and the mean taken in row order, so the result does not depend on the thread count.
///
/// # Errors
/// Empty or non-finite `x`; `labels` of another length than the rows of `x`
/// ([`Error::ShapeMismatch`]); `sample_size = Some(0)` ([`Error::InvalidParameter`]); fewer
/// than 2 distinct labels, or as many as rows, among the rows used ([`Error::InvalidValue`]).
///
/// # References
/// Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation
/// of cluster analysis. *Journal of Computational and Applied Mathematics* 20, 53–65.
///
/// # Example
/// ```
/// use kiln_cluster::silhouette_score;
/// use ndarray::array;
///
/// let x = array![[0.0], [1.0], [5.0]];
/// // Row 0: a = 1, b = 5; row 1: a = 1, b = 4; row 2 is alone: 0.
/// let s = silhouette_score(x.view(), array![0, 0, 1].view(), None, 0)?;
/// assert!((s - (0.8 + 0.75) / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn silhouette_score(
    x: ArrayView2<'_, f64>,
    labels: ArrayView1<'_, usize>,
    sample_size: Option<usize>,
    seed: u64,
) -> Result<f64> {
    check_sample(sample_size)?;
    check::check_x(x, NanPolicy::Reject)?;
    check::check_same_len(
        "length of labels against rows of X",
        x.nrows(),
        labels.len(),
    )?;
    let rows = sample_rows(x.nrows(), sample_size, seed);
    let mut xs = gather_rows(x, &rows);
    // Squared distances of values near 1e154 and beyond overflow; silhouettes are ratios of
    // distances, so scale by a power of two (exact) first (found by probing: X × 1e160 gave
    // NaN).
    let largest = xs.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !((2.0 * largest) * (2.0 * largest) * x.ncols() as f64).is_finite() {
        let scale = 2f64.powi(-(largest.log2().ceil() as i32) - 1);
        xs.iter_mut().for_each(|v| *v *= scale);
    }
    let lab: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
    silhouette_rows(&xs, x.ncols(), &lab).ok_or_else(|| Error::InvalidValue {
        what: "labels".into(),
        row: None,
        reason: format!(
            "the silhouette needs between 2 and n_samples - 1 = {} distinct labels among the \
             {} rows used",
            rows.len().saturating_sub(1),
            rows.len()
        ),
    })
}

fn check_sample(sample: Option<usize>) -> Result<()> {
    match sample {
        Some(0) => Err(Error::invalid_param(
            "silhouette_score",
            "sample_size",
            "must be an int in the range [1, inf) or None; got 0",
        )),
        _ => Ok(()),
    }
}

/// The rows the silhouette uses: all, or `size` of `n` drawn without replacement, sorted.
fn sample_rows(n: usize, size: Option<usize>, seed: u64) -> Vec<usize> {
    match size {
        Some(s) if s < n => {
            let mut rows = rand::seq::index::sample(&mut rng_from_seed(seed), n, s).into_vec();
            rows.sort_unstable();
            rows
        }
        _ => (0..n).collect(),
    }
}

/// The rows `rows` of `x`, row-major.
fn gather_rows(x: ArrayView2<'_, f64>, rows: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() * x.ncols());
    for &i in rows {
        out.extend(x.row(i).iter().copied());
    }
    out
}

/// The mean silhouette of the row-major `xs` (`labels.len()` rows of `d` values), or `None`
/// when there are fewer than 2 distinct labels or as many as rows.
fn silhouette_rows(xs: &[f64], d: usize, labels: &[usize]) -> Option<f64> {
    let m = labels.len();
    // Compact the labels to 0..n_labels.
    let mut ids: Vec<usize> = labels.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let n_labels = ids.len();
    if n_labels < 2 || n_labels >= m {
        return None;
    }
    let lab: Vec<usize> = labels
        .iter()
        .map(|l| ids.partition_point(|v| v < l))
        .collect();
    let mut size = vec![0usize; n_labels];
    for &l in &lab {
        size[l] += 1;
    }
    let mut s = vec![0.0; m];
    s.par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .for_each(|(c, out)| {
            let mut sums = vec![0.0; n_labels];
            for (r, v) in out.iter_mut().enumerate() {
                let i = c * ROWS_PER_TASK + r;
                let xi = &xs[i * d..(i + 1) * d];
                sums.iter_mut().for_each(|t| *t = 0.0);
                for (j, &lj) in lab.iter().enumerate() {
                    sums[lj] += sq_dist(xi, &xs[j * d..(j + 1) * d]).sqrt();
                }
                let own = lab[i];
                *v = if size[own] == 1 {
                    0.0
                } else {
                    let a = sums[own] / (size[own] - 1) as f64;
                    let b = (0..n_labels)
                        .filter(|&c| c != own)
                        .map(|c| sums[c] / size[c] as f64)
                        .fold(f64::INFINITY, f64::min);
                    let den = a.max(b);
                    if den > 0.0 { (b - a) / den } else { 0.0 }
                };
            }
        });
    Some(s.iter().sum::<f64>() / m as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_silhouettes_are_none() {
        let xs = [0.0, 1.0, 2.0];
        assert_eq!(silhouette_rows(&xs, 1, &[4, 4, 4]), None);
        assert_eq!(silhouette_rows(&xs, 1, &[0, 1, 2]), None);
        assert!(silhouette_rows(&xs, 1, &[7, 7, 3]).is_some());
    }
}
