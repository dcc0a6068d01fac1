//! The contingency table of two labelings, stored sparsely, and the pair confusion matrix.

use kiln_core::Result;
use ndarray::{Array2, ArrayView1};

use super::encode::encode;
use crate::input::check_pair;

/// The contingency table of two labelings: how many samples fall in each (true class,
/// predicted cluster) cell, as scikit-learn's `contingency_matrix(..., sparse=True)`.
///
/// Only the non-zero cells are stored, in row-major order, so two labelings with many
/// distinct values each cost memory in proportion to the samples, not to
/// `n_classes × n_clusters`. Rows are the distinct values of `labels_true` in increasing
/// order, columns those of `labels_pred`.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::contingency_matrix;
/// use ndarray::array;
///
/// let c = contingency_matrix(array![0, 0, 1, 1, 2, 2].view(), array![1, 0, 2, 1, 0, 2].view())?;
/// assert_eq!(c.to_dense(), array![[1, 1, 0], [0, 1, 1], [1, 0, 1]]);
/// assert_eq!(c.classes(), &[0, 1, 2]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contingency {
    classes: Vec<usize>,
    clusters: Vec<usize>,
    /// Non-zero cells `(row, col, count)`, row-major.
    cells: Vec<(usize, usize, usize)>,
    row_sums: Vec<usize>,
    col_sums: Vec<usize>,
    n_samples: usize,
}

impl Contingency {
    /// The distinct values of `labels_true` (the rows), sorted.
    pub fn classes(&self) -> &[usize] {
        &self.classes
    }

    /// The distinct values of `labels_pred` (the columns), sorted.
    pub fn clusters(&self) -> &[usize] {
        &self.clusters
    }

    /// The non-zero cells as `(row, column, count)`, in row-major order.
    pub fn cells(&self) -> &[(usize, usize, usize)] {
        &self.cells
    }

    /// The number of samples in each true class (the row sums).
    pub fn row_sums(&self) -> &[usize] {
        &self.row_sums
    }

    /// The number of samples in each predicted cluster (the column sums).
    pub fn col_sums(&self) -> &[usize] {
        &self.col_sums
    }

    /// The number of samples (the sum of all cells).
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// The table as a dense `n_classes × n_clusters` matrix (beware: that can be large when
    /// both labelings have many distinct values).
    pub fn to_dense(&self) -> Array2<usize> {
        let mut out = Array2::zeros((self.classes.len(), self.clusters.len()));
        for &(i, j, c) in &self.cells {
            out[[i, j]] = c;
        }
        out
    }

    /// Builds the table from two labelings of the same length (checked by the caller).
    pub(crate) fn build(
        labels_true: ArrayView1<'_, usize>,
        labels_pred: ArrayView1<'_, usize>,
    ) -> Self {
        let t = encode(labels_true);
        let p = encode(labels_pred);
        let n = t.codes.len();
        let (nt, np) = (t.values.len(), p.values.len());
        // A dense count array is the fastest while it is no larger than a few times the
        // samples; beyond that, sorting the cell keys keeps memory O(n).
        let dense_cells = nt.checked_mul(np).filter(|&c| c <= 4 * n + 1024);
        let mut cells = Vec::new();
        if let Some(size) = dense_cells {
            let mut counts = vec![0usize; size];
            for (&i, &j) in t.codes.iter().zip(&p.codes) {
                counts[i * np + j] += 1;
            }
            for (key, &c) in counts.iter().enumerate() {
                if c > 0 {
                    cells.push((key / np, key % np, c));
                }
            }
        } else {
            // nt * np may not fit a usize in principle; (row, col) pairs sort the same way.
            let mut keys: Vec<(usize, usize)> = t
                .codes
                .iter()
                .copied()
                .zip(p.codes.iter().copied())
                .collect();
            keys.sort_unstable();
            for key in keys {
                match cells.last_mut() {
                    Some(last) if (last.0, last.1) == key => last.2 += 1,
                    _ => cells.push((key.0, key.1, 1)),
                }
            }
        }
        Self {
            classes: t.values,
            clusters: p.values,
            cells,
            row_sums: t.counts,
            col_sums: p.counts,
            n_samples: n,
        }
    }

    /// The number of distinct true classes.
    pub(crate) fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// The number of distinct predicted clusters.
    pub(crate) fn n_clusters(&self) -> usize {
        self.clusters.len()
    }
}

/// The contingency table of `labels_true` (rows) against `labels_pred` (columns), as
/// scikit-learn's `contingency_matrix(labels_true, labels_pred, sparse=True)`.
///
/// Labels may be any `usize` values; rows and columns follow their sorted distinct values.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
pub fn contingency_matrix(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<Contingency> {
    check_pair(
        "contingency_matrix",
        labels_true,
        labels_pred,
        "labels_pred",
    )?;
    Ok(Contingency::build(labels_true, labels_pred))
}

/// The pair confusion matrix of two labelings, as scikit-learn's `pair_confusion_matrix`:
/// `[[C00, C01], [C10, C11]]`, counting ordered pairs of distinct samples by whether they share
/// a cluster in `labels_true` (first index) and in `labels_pred` (second index). `C11` pairs are
/// together in both, `C00` apart in both.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::pair_confusion_matrix;
/// use ndarray::array;
///
/// let c = pair_confusion_matrix(array![0, 0, 1, 2].view(), array![0, 0, 1, 1].view())?;
/// assert_eq!(c, [[8, 2], [0, 2]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn pair_confusion_matrix(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<[[u128; 2]; 2]> {
    check_pair(
        "pair_confusion_matrix",
        labels_true,
        labels_pred,
        "labels_pred",
    )?;
    Ok(Contingency::build(labels_true, labels_pred).pair_confusion())
}

impl Contingency {
    /// The pair confusion matrix (Hubert & Arabie 1985), in exact integer arithmetic.
    pub(crate) fn pair_confusion(&self) -> [[u128; 2]; 2] {
        let n = self.n_samples as u128;
        let mut sum_squares = 0u128;
        let mut by_cols = 0u128;
        let mut by_rows = 0u128;
        for &(i, j, c) in &self.cells {
            let c = c as u128;
            sum_squares += c * c;
            by_cols += c * self.col_sums[j] as u128;
            by_rows += c * self.row_sums[i] as u128;
        }
        let c11 = sum_squares - n;
        let c01 = by_cols - sum_squares;
        let c10 = by_rows - sum_squares;
        let c00 = n * n - c01 - c10 - sum_squares;
        [[c00, c01], [c10, c11]]
    }
}
