//! Internal indices that judge a clustering from the data alone: Davies–Bouldin and
//! Calinski–Harabasz, plus the input checks shared with the silhouette.

use kiln_core::check::{NanPolicy, check_finite, check_non_empty, check_same_len};
use kiln_core::{Error, Result};
use ndarray::{Array2, ArrayView1, ArrayView2};

use super::encode::{Encoded, encode};

/// Checks `x` (non-empty, finite) and `labels` (one per row, between 2 and `n_samples − 1`
/// distinct values, as scikit-learn's `check_number_of_labels`) and encodes the labels.
pub(crate) fn check_x_labels(
    metric: &str,
    x: ArrayView2<'_, f64>,
    labels: ArrayView1<'_, usize>,
) -> Result<Encoded> {
    check_x_len(metric, x, labels)?;
    let enc = encode(labels);
    check_n_labels(metric, enc.values.len(), x.nrows())?;
    Ok(enc)
}

/// Checks that `x` is non-empty and finite and that `labels` has one value per row.
pub(crate) fn check_x_len(
    metric: &str,
    x: ArrayView2<'_, f64>,
    labels: ArrayView1<'_, usize>,
) -> Result<()> {
    let what = format!("X of {metric}");
    check_non_empty(x, &what)?;
    check_same_len(
        &format!("length of labels against rows of X in {metric}"),
        x.nrows(),
        labels.len(),
    )?;
    check_finite(x, &what, NanPolicy::Reject)
}

/// scikit-learn's `check_number_of_labels`: `2 ≤ n_labels ≤ n_samples − 1`.
pub(crate) fn check_n_labels(metric: &str, n_labels: usize, n_samples: usize) -> Result<()> {
    if n_labels < 2 || n_labels >= n_samples {
        return Err(Error::InvalidValue {
            what: format!("labels of {metric}"),
            row: None,
            reason: format!(
                "the number of distinct labels is {n_labels}; valid values are 2 to \
                 n_samples - 1 = {} (inclusive)",
                n_samples.saturating_sub(1)
            ),
        });
    }
    Ok(())
}

/// The centroid of each cluster (rows follow the codes of `enc`).
fn centroids(x: ArrayView2<'_, f64>, enc: &Encoded) -> Array2<f64> {
    let mut c = Array2::<f64>::zeros((enc.values.len(), x.ncols()));
    for (row, &k) in x.outer_iter().zip(&enc.codes) {
        let mut ck = c.row_mut(k);
        ck += &row;
    }
    for (mut ck, &count) in c.outer_iter_mut().zip(&enc.counts) {
        ck /= count as f64;
    }
    c
}

fn sq_dist(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum()
}

/// The Davies–Bouldin index, as scikit-learn's `davies_bouldin_score`: the mean over clusters
/// of the worst ratio `(s_i + s_j) / d(c_i, c_j)`, where `s_i` is the mean Euclidean distance of
/// cluster `i`'s points to its centroid `c_i`. Lower is better; 0 is the minimum.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`], [`kiln_core::Error::NonFinite`] (with the position) or
/// [`kiln_core::Error::ShapeMismatch`] for bad `x` or `labels`;
/// [`kiln_core::Error::InvalidValue`] unless there are between 2 and `n_samples − 1` distinct
/// labels.
///
/// # Notes
/// As in scikit-learn: 0.0 when all `s_i` or all centroid distances are within 1e-8 of 0
/// (`np.allclose`), and two distinct clusters with the same centroid add nothing to each
/// other's ratio. Distances are taken from coordinate differences (scikit-learn expands
/// `|x|² + |y|² − 2x·y`), so results agree to about 1e-12 relative, not to the last bit.
///
/// # References
/// D. L. Davies and D. W. Bouldin (1979), "A cluster separation measure", IEEE PAMI 1(2).
///
/// # Example
/// ```
/// use kiln_metrics::cluster::davies_bouldin_score;
/// use ndarray::array;
///
/// let x = array![[0.0], [2.0], [10.0], [12.0]];
/// // s = 1 for both clusters, centroids 10 apart: (1 + 1) / 10.
/// let db = davies_bouldin_score(x.view(), array![0, 0, 1, 1].view())?;
/// assert!((db - 0.2).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn davies_bouldin_score(x: ArrayView2<'_, f64>, labels: ArrayView1<'_, usize>) -> Result<f64> {
    let enc = check_x_labels("davies_bouldin_score", x, labels)?;
    let k = enc.values.len();
    let c = centroids(x, &enc);
    let mut intra = vec![0.0; k];
    for (row, &code) in x.outer_iter().zip(&enc.codes) {
        intra[code] += sq_dist(row, c.row(code)).sqrt();
    }
    for (s, &count) in intra.iter_mut().zip(&enc.counts) {
        *s /= count as f64;
    }
    let mut dist = Array2::<f64>::zeros((k, k));
    for i in 0..k {
        for j in (i + 1)..k {
            let d = sq_dist(c.row(i), c.row(j)).sqrt();
            dist[[i, j]] = d;
            dist[[j, i]] = d;
        }
    }
    // np.allclose(v, 0) with its default atol = 1e-8.
    let near_zero = |v: f64| v.abs() <= 1e-8;
    if intra.iter().all(|&v| near_zero(v)) || dist.iter().all(|&v| near_zero(v)) {
        return Ok(0.0);
    }
    let mut total = 0.0;
    for i in 0..k {
        let worst = (0..k)
            .filter(|&j| j != i && dist[[i, j]] != 0.0)
            .map(|j| (intra[i] + intra[j]) / dist[[i, j]])
            .fold(0.0, f64::max);
        total += worst;
    }
    Ok(total / k as f64)
}

/// The Calinski–Harabasz index (variance ratio criterion), as scikit-learn's
/// `calinski_harabasz_score`: `[B / (k − 1)] / [W / (n − k)]` with `B` the between-cluster
/// and `W` the within-cluster sum of squares. Higher is better; 1.0 when `W = 0`, as in
/// scikit-learn.
///
/// # Errors
/// As [`davies_bouldin_score`].
///
/// # References
/// T. Caliński and J. Harabasz (1974), "A dendrite method for cluster analysis",
/// Communications in Statistics 3(1).
///
/// # Example
/// ```
/// use kiln_metrics::cluster::calinski_harabasz_score;
/// use ndarray::array;
///
/// let x = array![[0.0], [2.0], [10.0], [12.0]];
/// // B = 4 · 25 = 100 with k − 1 = 1; W = 4 with n − k = 2.
/// let ch = calinski_harabasz_score(x.view(), array![0, 0, 1, 1].view())?;
/// assert!((ch - 50.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn calinski_harabasz_score(
    x: ArrayView2<'_, f64>,
    labels: ArrayView1<'_, usize>,
) -> Result<f64> {
    let enc = check_x_labels("calinski_harabasz_score", x, labels)?;
    let (n, k) = (x.nrows(), enc.values.len());
    let c = centroids(x, &enc);
    let mean = x.sum_axis(ndarray::Axis(0)) / n as f64;
    let mut extra = 0.0;
    for (ck, &count) in c.outer_iter().zip(&enc.counts) {
        extra += count as f64 * sq_dist(ck, mean.view());
    }
    let mut intra = 0.0;
    for (row, &code) in x.outer_iter().zip(&enc.codes) {
        intra += sq_dist(row, c.row(code));
    }
    if intra == 0.0 {
        return Ok(1.0);
    }
    Ok(extra * (n - k) as f64 / (intra * (k as f64 - 1.0)))
}
