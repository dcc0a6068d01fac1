//! The fixture of `tests/reference/ols_ridge_reference.py`, shared by the OLS and Ridge tests.

#![allow(
    dead_code,
    reason = "each test crate that includes this module uses a different subset of it"
)]

use kiln_datasets::{Dataset, NumericData};
use ndarray::{Array1, Array2, ArrayView1};
use serde_json::Value;

pub fn fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/ols_ridge.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

pub fn vec1(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(vec1).collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

/// The design recipe of the fixture (see the reference script): the diabetes data, and the
/// first `rows` samples with each column the left-to-right product of the listed feature
/// columns, or zeros for `null`.
pub fn design_x(case: &Value) -> (NumericData, Array2<f64>) {
    let data = Dataset::Diabetes.load_numeric().unwrap();
    let rows = case["rows"].as_u64().unwrap() as usize;
    let cols = case["cols"].as_array().unwrap();
    let mut x = Array2::zeros((rows, cols.len()));
    for (j, spec) in cols.iter().enumerate() {
        let Some(factors) = spec.as_array() else {
            continue;
        };
        for i in 0..rows {
            let mut v = data.x[[i, factors[0].as_u64().unwrap() as usize]];
            for f in &factors[1..] {
                v *= data.x[[i, f.as_u64().unwrap() as usize]];
            }
            x[[i, j]] = v;
        }
    }
    (data, x)
}

pub fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.0 + (i % 5) as f64 * 0.5)
}

/// The fixture's comparison: per element relative, with a floor of 1e-6 × the largest
/// reference magnitude (a coefficient that is zero in exact arithmetic has no relative error).
pub fn rel_err(got: ArrayView1<'_, f64>, want: ArrayView1<'_, f64>) -> f64 {
    assert_eq!(got.len(), want.len());
    let floor = 1e-6 * want.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    got.iter()
        .zip(want)
        .map(|(g, w)| {
            let scale = w.abs() + floor;
            (g - w).abs() / if scale == 0.0 { 1.0 } else { scale }
        })
        .fold(0.0, f64::max)
}
