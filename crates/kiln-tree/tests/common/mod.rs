//! Helpers shared by the tree and forest tests: the data sets as the reference scripts encode
//! them (`tests/reference/*.py`: the numeric feature columns of kiln-datasets, missing → NaN,
//! then each categorical column coded as the index of its value among the column's sorted
//! distinct non-missing strings), two small real data sets, and a fixed-size thread pool.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]
#![allow(clippy::unwrap_used, reason = "helpers of tests fail loudly")]

use kiln_datasets::Dataset;
use ndarray::{Array1, Array2};

/// Why forests that bootstrap skip kiln-check's sample-weight equivalence check.
pub const BOOTSTRAP_WEIGHTS: &str = "a bootstrap sample draws n_samples row indices: a \
     duplicated row or a removed row changes n_samples and so every draw, while a weight does \
     not";

/// breast_cancer's numeric features and class indices.
pub fn cancer() -> (Array2<f64>, Array1<usize>) {
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let y = d.target.class_indices().unwrap().clone();
    (d.x, y)
}

/// diabetes's features and target.
pub fn diabetes() -> (Array2<f64>, Array1<f64>) {
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let y = d.target.values().unwrap().clone();
    (d.x, y)
}

/// Runs `f` on a rayon pool of `n` threads.
pub fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
        .install(f)
}

/// Index of each string among the sorted distinct non-empty strings (empty → `None`), and
/// the number of distinct strings.
pub fn sorted_codes(values: &[String]) -> (Vec<Option<usize>>, usize) {
    let mut levels: Vec<&str> = values
        .iter()
        .filter(|v| !v.is_empty())
        .map(String::as_str)
        .collect();
    // `str`'s order is byte order, which for UTF-8 is code-point order, as Python's `sorted`.
    levels.sort_unstable();
    levels.dedup();
    let codes = values
        .iter()
        .map(|v| (!v.is_empty()).then(|| levels.binary_search(&v.as_str()).unwrap()))
        .collect();
    (codes, levels.len())
}

/// The numeric columns of `set`, then its coded categorical columns (whose indices are
/// `numeric.x.ncols()..`).
pub fn encoded_x(set: Dataset) -> Array2<f64> {
    let info = set.info();
    let numeric = set.load_numeric().unwrap();
    let n = numeric.x.nrows();
    let p_num = numeric.x.ncols();
    let p = p_num + info.features_categorical.len();
    let mut x = Array2::from_elem((n, p), f64::NAN);
    x.slice_mut(ndarray::s![.., ..p_num]).assign(&numeric.x);
    for (k, col) in info.features_categorical.iter().enumerate() {
        let (codes, _) = sorted_codes(&set.column_strings(col).unwrap());
        for (i, c) in codes.into_iter().enumerate() {
            x[[i, p_num + k]] = c.map_or(f64::NAN, |c| c as f64);
        }
    }
    x
}
