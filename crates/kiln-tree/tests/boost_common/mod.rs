//! Data and estimators shared by the boosting behaviour tests (`boost*.rs`).

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]
#![allow(clippy::unwrap_used, reason = "helpers of tests fail loudly")]

use kiln_core::random::rng_from_seed;
use kiln_tree::{EarlyStopping, HistGradientBoostingClassifier, HistGradientBoostingRegressor};
use ndarray::{Array1, Array2};
use rand::Rng;

// ------------------------------------------------------------------ data

/// `n × p` uniform values in `[-2, 2)`.
pub fn uniform(n: usize, p: usize, seed: u64) -> Array2<f64> {
    let mut rng = rng_from_seed(seed);
    Array2::from_shape_fn((n, p), |_| rng.random_range(-2.0..2.0))
}

/// A target that is not monotonic in x0 (a sine) nor in x1 (a parabola), plus noise.
pub fn regression(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let x = uniform(n, 4, seed);
    let mut rng = rng_from_seed(seed + 1);
    let y = Array1::from_shape_fn(n, |i| {
        (2.0 * x[[i, 0]]).sin()
            + x[[i, 1]] * x[[i, 1]]
            + 0.5 * x[[i, 2]]
            + 0.1 * rng.random_range(-1.0..1.0)
    });
    (x, y)
}

/// Two classes from a non-monotonic score.
pub fn binary(n: usize, seed: u64) -> (Array2<f64>, Array1<usize>) {
    let (x, score) = regression(n, seed);
    let med = {
        let mut v = score.to_vec();
        v.sort_by(f64::total_cmp);
        v[n / 2]
    };
    (x, score.mapv(|v| usize::from(v > med)))
}

/// Three classes from the same score.
pub fn multiclass(n: usize, seed: u64) -> (Array2<f64>, Array1<usize>) {
    let (x, score) = regression(n, seed);
    (
        x,
        score.mapv(|v| {
            if v < 0.5 {
                0
            } else if v < 1.8 {
                1
            } else {
                2
            }
        }),
    )
}

/// `x` with some NaN cells in column 0 and column 3 replaced by a categorical code 0..5 that
/// moves the target.
pub fn with_nan_and_category(x: &Array2<f64>) -> Array2<f64> {
    let mut x = x.clone();
    for i in 0..x.nrows() {
        if i % 7 == 0 {
            x[[i, 0]] = f64::NAN;
        }
        x[[i, 3]] = ((x[[i, 1]] + 2.0) * 1.5).floor().min(5.0);
    }
    x
}

pub fn reg() -> HistGradientBoostingRegressor {
    HistGradientBoostingRegressor::default()
        .with_max_iter(10)
        .with_early_stopping(EarlyStopping::Off)
}

pub fn clf() -> HistGradientBoostingClassifier {
    HistGradientBoostingClassifier::default()
        .with_max_iter(10)
        .with_early_stopping(EarlyStopping::Off)
}

pub fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
