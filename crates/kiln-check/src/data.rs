//! The small, seeded data sets the suite fits on when an estimator brings none.

use kiln_core::random::rng_from_seed;
use ndarray::{Array1, Array2};
use rand::Rng;
use rand_distr::StandardNormal;

const SEED: u64 = 20_261_125;

/// Three well separated Gaussian classes in four dimensions, 20 samples each, rows interleaved
/// (class `i % 3`) so that any prefix holds every class.
pub fn classification() -> (Array2<f64>, Array1<usize>) {
    let mut rng = rng_from_seed(SEED);
    let centres = [
        [0.0, 0.0, 0.0, 0.0],
        [4.0, 4.0, 0.0, 1.0],
        [0.0, 4.0, 4.0, -1.0],
    ];
    let n = 60;
    let y = Array1::from_shape_fn(n, |i| i % 3);
    let x = Array2::from_shape_fn((n, 4), |(i, j)| {
        let noise: f64 = rng.sample(StandardNormal);
        centres[i % 3][j] + noise
    });
    (x, y)
}

/// A noisy linear target in four dimensions, 50 samples.
pub fn regression() -> (Array2<f64>, Array1<f64>) {
    let mut rng = rng_from_seed(SEED + 1);
    let n = 50;
    let coef = [1.5, -2.0, 0.5, 3.0];
    let x = Array2::from_shape_fn((n, 4), |_| rng.sample::<f64, _>(StandardNormal));
    let y = Array1::from_shape_fn(n, |i| {
        let noise: f64 = rng.sample(StandardNormal);
        10.0 + (0..4).map(|j| coef[j] * x[[i, j]]).sum::<f64>() + 0.1 * noise
    });
    (x, y)
}

/// Three Gaussian blobs in three dimensions with different scales per feature, 60 samples.
pub fn unsupervised() -> Array2<f64> {
    let (x, _) = classification();
    let scales = [1.0, 10.0, 0.1];
    Array2::from_shape_fn((x.nrows(), 3), |(i, j)| x[[i, j]] * scales[j] + j as f64)
}
