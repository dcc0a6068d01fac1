//! Helpers shared by the cross-validation, search and curve tests: the fixture written by
//! `tests/reference/cv_reference.py`, the data sets as the script loads them, and scorers
//! written here from their definitions (independent of kiln-metrics).

#![allow(dead_code, reason = "each test file uses a different subset")]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a malformed fixture fails the test"
)]

use kiln_core::{Predict, PredictProba};
use kiln_datasets::Dataset;
use kiln_linear::{FittedLogisticRegression, FittedRidge};
use kiln_select::scorer::{Direction, Scorer};
use ndarray::{Array1, Array2, ArrayView1};
use serde_json::Value;

/// Relative tolerance (of max(|value|, 1)) for closed-form (Ridge) results against
/// scikit-learn; the brief asks for 1e-10, and about 1e-14 is reached.
pub const REL: f64 = 1e-12;

pub fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cv.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

pub fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(f64s).collect()
}

#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tol = rel * w.abs().max(1.0);
        assert!(
            (g - w).abs() <= tol,
            "{what}[{i}]: kiln {g}, scikit-learn {w} (diff {:e})",
            (g - w).abs()
        );
    }
}

pub fn diabetes() -> (Array2<f64>, Array1<f64>) {
    let d = Dataset::Diabetes.load_numeric().unwrap();
    (d.x, d.target.values().unwrap().clone())
}

/// breast_cancer with each column standardized by its population standard deviation.
pub fn breast_cancer() -> (Array2<f64>, Array1<usize>) {
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let mut x = d.x;
    for mut col in x.columns_mut() {
        let n = col.len() as f64;
        let mean = col.sum() / n;
        let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        col.mapv_inplace(|v| (v - mean) / sd);
    }
    (x, d.target.class_indices().unwrap().clone())
}

/// The weights of the reference script: 1 + (i mod 5) / 2.
pub fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.0 + (i % 5) as f64 * 0.5)
}

fn w_at(w: Option<&ArrayView1<'_, f64>>, i: usize) -> f64 {
    w.map_or(1.0, |w| w[i])
}

/// R² with optional weights: 1 − Σw(y−p)² / Σw(y−ȳ_w)², as scikit-learn's `r2_score`.
pub fn r2() -> Scorer<FittedRidge, f64> {
    Scorer::from_predictions(
        "r2",
        Direction::Maximize,
        |y: ArrayView1<'_, f64>, p: ArrayView1<'_, f64>, w| {
            let sw: f64 = (0..y.len()).map(|i| w_at(w.as_ref(), i)).sum();
            let mean = (0..y.len())
                .map(|i| w_at(w.as_ref(), i) * y[i])
                .sum::<f64>()
                / sw;
            let (mut num, mut den) = (0.0, 0.0);
            for i in 0..y.len() {
                num += w_at(w.as_ref(), i) * (y[i] - p[i]).powi(2);
                den += w_at(w.as_ref(), i) * (y[i] - mean).powi(2);
            }
            Ok(1.0 - num / den)
        },
    )
}

/// Mean squared error with optional weights (minimized).
pub fn mse() -> Scorer<FittedRidge, f64> {
    Scorer::from_predictions(
        "mse",
        Direction::Minimize,
        |y: ArrayView1<'_, f64>, p: ArrayView1<'_, f64>, w| {
            let sw: f64 = (0..y.len()).map(|i| w_at(w.as_ref(), i)).sum();
            Ok((0..y.len())
                .map(|i| w_at(w.as_ref(), i) * (y[i] - p[i]).powi(2))
                .sum::<f64>()
                / sw)
        },
    )
}

pub fn accuracy<M: Predict<Output = usize>>() -> Scorer<M, usize> {
    Scorer::from_predictions("accuracy", Direction::Maximize, |y, p, _w| {
        Ok(y.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / y.len() as f64)
    })
}

/// Mean negative log-likelihood of the true class (scikit-learn's `log_loss`).
pub fn log_loss() -> Scorer<FittedLogisticRegression, usize> {
    Scorer::new(
        "log_loss",
        Direction::Minimize,
        |m: &FittedLogisticRegression, x, y, _w| {
            let p = m.predict_proba(x)?;
            Ok(-y
                .iter()
                .enumerate()
                .map(|(i, &c)| p[[i, c]].ln())
                .sum::<f64>()
                / y.len() as f64)
        },
    )
}
