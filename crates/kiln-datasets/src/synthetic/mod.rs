//! Seeded synthetic data generators.
//!
//! Each generator is a plain parameter struct with public fields, a `Default` that follows
//! scikit-learn's defaults where the generator has a scikit-learn counterpart, chained `with_*`
//! setters and a `seed` (default [`kiln_core::random::DEFAULT_SEED`]). `generate` first checks
//! the parameters ([`kiln_core::Params::validate`], which names the offending field in
//! [`kiln_core::Error::InvalidParameter`]) and then draws from a ChaCha8 generator seeded with
//! [`kiln_core::random::rng_from_seed`]: the same parameters and seed give bit-identical data on
//! every platform.
//!
//! | generator | scikit-learn counterpart | output |
//! |---|---|---|
//! | [`MakeClassification`] | `make_classification` | `(x, y)` |
//! | [`MakeRegression`] | `make_regression` | [`RegressionData`]: `x`, `y`, true `coef` |
//! | [`MakeBlobs`] | `make_blobs` | [`BlobsData`]: `x`, `y`, `centers` |
//! | [`MakeCredit`] | none: a credit-scoring model with a sensitive group and injected bias | [`CreditData`] |
//!
//! The streams are kiln's own: the same seed does not give the same numbers as scikit-learn
//! (which draws from NumPy's Mersenne Twister in a different order); the distributions are
//! the same.

mod blobs;
mod classification;
mod credit;
mod regression;

pub use blobs::{BlobsData, Centers, ClusterStd, MakeBlobs};
pub use classification::MakeClassification;
pub use credit::{CreditData, MakeCredit};
pub use regression::{MakeRegression, RegressionData};

use kiln_core::random::KilnRng;
use ndarray::{Array1, Array2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::StandardNormal;

/// One draw from N(0, 1).
fn standard_normal(rng: &mut KilnRng) -> f64 {
    rng.sample(StandardNormal)
}

/// An `rows × cols` matrix of independent N(0, 1) draws, filled row by row.
fn normal_matrix(rng: &mut KilnRng, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || standard_normal(rng))
}

/// An `rows × cols` matrix of independent U(-1, 1) draws, filled row by row.
fn uniform_pm1_matrix(rng: &mut KilnRng, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((rows, cols), || 2.0 * rng.random::<f64>() - 1.0)
}

/// A uniformly random permutation of `0..n`.
fn permutation(rng: &mut KilnRng, n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(rng);
    idx
}

/// Shuffles the rows of `x` and the entries of `y` by the same random permutation.
fn shuffle_rows<T: Clone>(
    rng: &mut KilnRng,
    x: &Array2<f64>,
    y: &Array1<T>,
) -> (Array2<f64>, Array1<T>) {
    let order = permutation(rng, x.nrows());
    (x.select(Axis(0), &order), y.select(Axis(0), &order))
}
