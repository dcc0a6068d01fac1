//! Helpers shared by `tests/scale.rs`, `tests/impute.rs` and `tests/select.rs`: reading the
//! scikit-learn fixtures written by `tests/reference/numeric_reference.py`, loading the bundled
//! data sets, and comparing with a tolerance.
//!
//! Fixture encoding: NaN is `null`, ±inf are the strings `"inf"` / `"-inf"`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture should fail the test loudly"
)]
#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]

use kiln_datasets::Dataset;
use ndarray::{Array1, Array2};
use serde_json::Value;

/// Relative tolerance against scikit-learn where its computation is deterministic.
pub const REL: f64 = 1e-10;
/// Absolute floor for values that cancel to (near) zero, e.g. `x − mean` for `x ≈ mean`.
pub const ABS: f64 = 1e-12;

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/numeric_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

pub fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

pub fn vec1(v: &Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

pub fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(vec1).collect();
    let d = rows.first().map_or(0, |r| r.len());
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}

pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

pub fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_bool().unwrap())
        .collect()
}

/// The numeric features of a bundled data set, or the fixture's own small matrix for
/// `"edge"` (read from `edge_key` of the fixture document).
pub fn data_x(doc: &Value, data: &str, edge_key: &str) -> Array2<f64> {
    if data == "edge" {
        mat(&doc[edge_key])
    } else {
        Dataset::from_name(data).unwrap().load_numeric().unwrap().x
    }
}

pub fn class_target(data: &str) -> Array1<usize> {
    Dataset::from_name(data)
        .unwrap()
        .load_numeric()
        .unwrap()
        .target
        .class_indices()
        .unwrap()
        .clone()
}

pub fn value_target(data: &str) -> Array1<f64> {
    let d = Dataset::from_name(data).unwrap().load_numeric().unwrap();
    match d.target.values() {
        Some(v) => v.clone(),
        None => d.target.class_indices().unwrap().mapv(|c| c as f64),
    }
}

pub fn rows(x: &Array2<f64>, idx: &[usize]) -> Array2<f64> {
    x.select(ndarray::Axis(0), idx)
}

pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= rel * a.abs().max(b.abs()) + abs
}

pub fn assert_close<'a>(
    what: &str,
    got: impl IntoIterator<Item = &'a f64>,
    want: impl IntoIterator<Item = &'a f64>,
    rel: f64,
    abs: f64,
) {
    let got: Vec<f64> = got.into_iter().copied().collect();
    let want: Vec<f64> = want.into_iter().copied().collect();
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        assert!(
            close(g, w, rel, abs),
            "{what}: element {i}: got {g:e}, scikit-learn {w:e} (diff {:e})",
            (g - w).abs()
        );
    }
}

pub fn assert_mat_close(what: &str, got: &Array2<f64>, want: &Array2<f64>, rel: f64, abs: f64) {
    assert_eq!(got.dim(), want.dim(), "{what}: shapes differ");
    assert_close(what, got.iter(), want.iter(), rel, abs);
}
