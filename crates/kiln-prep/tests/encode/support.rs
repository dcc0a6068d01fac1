//! Fixture loading, data sets as frames, and comparisons shared by the encode tests.
//!
//! Fixture encoding: NaN is JSON `null`.

use kiln_datasets::Dataset;
use kiln_prep::encode::Categories;
use kiln_prep::{CsvOptions, Frame};
use ndarray::Array2;
use serde_json::Value;

/// Tolerance against scikit-learn (relative, with the same value as an absolute floor).
pub const TOL: f64 = 1e-10;

pub fn fixture(kind: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/encode_{kind}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["versions"]["sklearn"], "1.9.1", "{path}");
    doc
}

pub fn cases(doc: &Value) -> &Vec<Value> {
    doc["cases"].as_array().unwrap()
}

/// A bundled data set read as kiln reads any CSV.
pub fn frame(name: &str) -> Frame {
    let csv = Dataset::from_name(name).unwrap().csv();
    CsvOptions::default().read_str(csv).unwrap().0
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

pub fn num(v: &Value) -> f64 {
    if v.is_null() {
        f64::NAN
    } else {
        v.as_f64().unwrap()
    }
}

pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

pub fn categories(v: &Value) -> Vec<Categories> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| Categories {
            levels: strings(&c["levels"]),
            missing: c["missing"].as_bool().unwrap(),
        })
        .collect()
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * (1.0 + b.abs())
}

pub fn assert_all_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol), "{what}[{i}]: got {g}, scikit-learn {w}");
    }
}

/// Compares the fixture's `transformed` rows (at `rows`) with the same rows of `got`.
pub fn assert_rows(what: &str, got: &Array2<f64>, case: &Value, tol: f64) {
    let rows = usizes(&case["rows"]);
    let want = case["transformed"].as_array().unwrap();
    assert_eq!(rows.len(), want.len(), "{what}");
    for (r, w) in rows.iter().zip(want) {
        assert_all_close(
            &format!("{what}, row {r}"),
            &got.row(*r).to_vec(),
            &nums(w),
            tol,
        );
    }
}
