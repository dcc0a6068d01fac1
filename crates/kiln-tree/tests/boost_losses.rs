//! Histogram gradient boosting with the losses and options `boost_reference.rs` does not
//! cover, against scikit-learn 1.9.1 (fixture written by `tests/reference/boost_losses.py`):
//! absolute error, quantile and Poisson loss, sample weights (regressor and classifier),
//! `class_weight = Balanced`, monotonic constraints, and `l2_regularization` with
//! `max_leaf_nodes` and `max_depth`.
//!
//! Every case fits one model on all rows with early stopping off and compares its raw scores
//! on those rows with scikit-learn's at 1e-9 (relative above 1, absolute below), its baseline
//! at 1e-12, and a classifier's predicted classes exactly. The fixture stores scores to 12
//! significant digits.
//!
//! Data are encoded as `boost_reference.rs` encodes them (numeric columns, then categorical
//! columns coded as the index of their value among the sorted distinct strings; missing →
//! NaN). The Poisson count data and the sample weights are read from the fixture.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "fixture-reading and comparing helpers outside #[test] functions fail loudly"
)]

use kiln_core::{Fit, Predict};
use kiln_datasets::Dataset;
use kiln_tree::{
    ClassWeight, EarlyStopping, HistGradientBoostingClassifier, HistGradientBoostingRegressor,
    RegressionLoss,
};
use ndarray::{Array1, Array2, Axis};
use serde_json::Value;
use std::sync::OnceLock;

mod common;

fn fixture() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = format!(
            "{}/tests/fixtures/boost_losses.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// X (numeric columns, then coded categorical ones), y as floats (class indices for
/// classification), and the categorical column indices.
fn load(name: &str) -> (Array2<f64>, Array1<f64>, Vec<usize>) {
    let doc = fixture();
    match name {
        "counts" => {
            let rows = doc["counts"]["x"].as_array().unwrap();
            let p = rows[0].as_array().unwrap().len();
            let flat: Vec<f64> = rows.iter().flat_map(floats).collect();
            let x = Array2::from_shape_vec((rows.len(), p), flat).unwrap();
            (x, Array1::from(floats(&doc["counts"]["y"])), Vec::new())
        }
        "quantile_tie" => {
            // The script's `quantile_tie_data`: the 0.8 quantile of y is 8, the target of the
            // last three rows.
            let x = Array2::from_shape_fn((10, 1), |(i, _)| i as f64);
            let y = Array1::from(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 8.0]);
            (x, y, Vec::new())
        }
        "penguins_categorical_first" => {
            let (x, y, _) = load("penguins");
            (x.select(Axis(1), &[5, 6, 0, 1, 2, 3, 4]), y, vec![0, 1])
        }
        "diabetes_without_s2" => {
            let (x, y, _) = load("diabetes");
            let cols: Vec<usize> = doc["diabetes_without_s2"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            (x.select(Axis(1), &cols), y, Vec::new())
        }
        _ => {
            let set = Dataset::from_name(name).unwrap();
            let numeric = set.load_numeric().unwrap();
            let p_num = numeric.x.ncols();
            let x = common::encoded_x(set);
            let p = x.ncols();
            let y = match numeric.target.class_indices() {
                Some(y) => y.mapv(|c| c as f64),
                None => numeric.target.values().unwrap().clone(),
            };
            (x, y, (p_num..p).collect())
        }
    }
}

fn weights_of(data: &str) -> Array1<f64> {
    let key = match data {
        "diabetes_without_s2" => "diabetes",
        "penguins_categorical_first" => "penguins",
        other => other,
    };
    Array1::from(floats(&fixture()["weights"][key]))
}

fn case(name: &str) -> &'static Value {
    fixture()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name} in the fixture"))
}

/// The shared parameters of a case, as the script set them.
macro_rules! configure {
    ($est:expr, $p:expr, $cats:expr) => {{
        let p = $p;
        let mut est = $est
            .with_max_iter(p["max_iter"].as_u64().unwrap() as usize)
            .with_max_bins(255)
            .with_early_stopping(EarlyStopping::Off)
            .with_categorical_features($cats)
            .with_seed(0);
        if let Some(m) = p["min_samples_leaf"].as_u64() {
            est = est.with_min_samples_leaf(m as usize);
        }
        if let Some(l2) = p["l2_regularization"].as_f64() {
            est = est.with_l2_regularization(l2);
        }
        if let Some(m) = p["max_leaf_nodes"].as_u64() {
            est = est.with_max_leaf_nodes(Some(m as usize));
        }
        if let Some(d) = p["max_depth"].as_u64() {
            est = est.with_max_depth(Some(d as usize));
        }
        if let Some(m) = p["monotonic_cst"].as_array() {
            est = est.with_monotonic_cst(m.iter().map(|v| v.as_i64().unwrap() as i8).collect());
        }
        est
    }};
}

/// Raw scores (rows × outputs), baseline, and for classifiers the predicted classes; for
/// Poisson also `predict`.
struct Got {
    raw: Array2<f64>,
    baseline: Vec<f64>,
    classes: Option<Vec<usize>>,
    predict: Option<Array1<f64>>,
}

fn fit_case(c: &Value) -> Got {
    let (x, y, cats) = load(c["data"].as_str().unwrap());
    let p = &c["params"];
    let w = c["weighted"]
        .as_bool()
        .unwrap()
        .then(|| weights_of(c["data"].as_str().unwrap()));
    if c["kind"] == "regressor" {
        let loss = match p["loss"].as_str().unwrap_or("squared_error") {
            "squared_error" => RegressionLoss::SquaredError,
            "absolute_error" => RegressionLoss::AbsoluteError,
            "quantile" => RegressionLoss::Quantile(p["quantile"].as_f64().unwrap()),
            "poisson" => RegressionLoss::Poisson,
            other => panic!("loss {other}"),
        };
        let est = configure!(
            HistGradientBoostingRegressor::default().with_loss(loss),
            p,
            cats
        );
        let m = est
            .fit_weighted(x.view(), y.view(), w.as_ref().map(|w| w.view()))
            .unwrap();
        Got {
            raw: m.raw_predict(x.view()).unwrap().insert_axis(Axis(1)),
            baseline: vec![m.baseline()],
            classes: None,
            predict: Some(m.predict(x.view()).unwrap()),
        }
    } else {
        let mut est = configure!(HistGradientBoostingClassifier::default(), p, cats);
        if p["class_weight"] == "balanced" {
            est = est.with_class_weight(ClassWeight::Balanced);
        }
        let y = y.mapv(|v| v as usize);
        let m = est
            .fit_weighted(x.view(), y.view(), w.as_ref().map(|w| w.view()))
            .unwrap();
        Got {
            raw: m.decision_function(x.view()).unwrap(),
            baseline: m.baseline().to_vec(),
            classes: Some(m.predict(x.view()).unwrap().to_vec()),
            predict: None,
        }
    }
}

/// `|a − b| / max(1, |b|)`: relative for large values, absolute near zero.
fn scaled(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1.0)
}

/// Compares a case with scikit-learn's scores in the fixture field `key` (and, for
/// `raw_scores`, its baseline, classes and Poisson predictions); `Err` describes the
/// disagreements.
fn compare(name: &str, key: &str) -> Result<(), String> {
    let c = case(name);
    let got = fit_case(c);
    let mut problems = Vec::new();
    let want_base = floats(&c["baseline"]);
    for (a, b) in got.baseline.iter().zip(&want_base) {
        if scaled(*a, *b) > 1e-12 {
            problems.push(format!("baseline {a} vs scikit-learn {b}"));
        }
    }
    let want: Vec<Vec<f64>> = c[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| match v.as_array() {
            Some(_) => floats(v),
            None => vec![v.as_f64().unwrap()],
        })
        .collect();
    assert_eq!(want.len(), got.raw.nrows(), "{name}: rows");
    let (mut worst, mut at, mut n_bad) = (0.0f64, (0, 0), 0);
    for (i, row) in want.iter().enumerate() {
        assert_eq!(row.len(), got.raw.ncols(), "{name}: outputs");
        for (k, &b) in row.iter().enumerate() {
            let e = scaled(got.raw[[i, k]], b);
            if e > 1e-9 {
                n_bad += 1;
            }
            if e > worst {
                (worst, at) = (e, (i, k));
            }
        }
    }
    println!("{name}: largest scaled difference {worst:.3e} at row {at:?}");
    if worst > 1e-9 {
        problems.push(format!(
            "raw scores: {n_bad} entries differ by more than 1e-9; largest {worst:.3e} at row {} \
             output {} (kiln {}, scikit-learn {})",
            at.0,
            at.1,
            got.raw[[at.0, at.1]],
            want[at.0][at.1]
        ));
    }
    if key != "raw_scores" {
        return if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{name} ({key}): {}", problems.join("; ")))
        };
    }
    if let (Some(classes), Some(s)) = (&got.classes, c["predicted"].as_str()) {
        let want: Vec<usize> = s.bytes().map(|b| usize::from(b - b'0')).collect();
        let n_diff = classes.iter().zip(&want).filter(|(a, b)| a != b).count();
        if n_diff > 0 {
            problems.push(format!("{n_diff} predicted classes differ"));
        }
    }
    if let (Some(pred), Some(w)) = (&got.predict, c.get("predict")) {
        let w = floats(w);
        let worst = pred
            .iter()
            .zip(&w)
            .map(|(a, b)| scaled(*a, *b))
            .fold(0.0, f64::max);
        if worst > 1e-9 {
            problems.push(format!("predict differs by {worst:.3e}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}", problems.join("; ")))
    }
}

fn assert_matches(name: &str) {
    if let Err(e) = compare(name, "raw_scores") {
        panic!("{e}");
    }
}

#[test]
fn fixture_is_from_the_pinned_versions_and_has_every_case() {
    let doc = fixture();
    assert_eq!(doc["sklearn_version"], "1.9.1");
    assert_eq!(doc["cases"].as_array().unwrap().len(), 17);
    // The data both sides fit on: the same rows and targets as the script's.
    let (x, y, _) = load("diabetes");
    assert_eq!((x.nrows(), x.ncols()), (442, 10));
    assert_eq!(y.sum(), 67_243.0);
    assert_eq!(weights_of("diabetes").len(), 442);
    let (x, y, cats) = load("penguins_categorical_first");
    assert_eq!((x.nrows(), x.ncols(), cats), (344, 7, vec![0, 1]));
    assert_eq!(y.len(), weights_of("penguins").len());
    let (x, y, _) = load("counts");
    assert_eq!((x.nrows(), x.ncols(), y.len()), (200, 4, 200));
    assert_eq!(weights_of("breast_cancer").len(), 569);
}

#[test]
fn absolute_error_matches_scikit_learn() {
    assert_matches("absolute_error_iter5");
    assert_matches("absolute_error_iter20");
}

#[test]
fn absolute_error_with_sample_weights_matches_scikit_learn() {
    // Weighted leaf medians: scikit-learn's `_weighted_percentile` (inverted CDF).
    assert_matches("absolute_error_weighted_iter5");
}

// The three quantile cases differ only through the pinball gradient at `y == raw`:
// scikit-learn (`cgradient_pinball_loss` in sklearn/_loss/_loss.pyx.tp) returns `-quantile`
// when `y_true >= raw_prediction`, kiln (`Loss::grad_hess`, src/boost/loss.rs) `-alpha` only
// when `y > f`, so rows whose target equals their raw score get `1 − alpha` instead of
// `−alpha`. Such rows always exist when the baseline is a data value (the 0.8 quantile of
// diabetes' integer targets is 232, held by two rows; a weighted quantile is always a data
// value). Checked outside the suite: patching scikit-learn's loss to kiln's rule reproduces
// kiln's scores on all three cases exactly (largest difference 0), and on diabetes with one
// of the two 232s moved by 1e-9 (no tie) kiln equals unpatched scikit-learn exactly at 1, 5
// and 20 iterations.

#[test]
fn quantile_gradient_at_a_tie_matches_scikit_learn() {
    // Ten rows, 0.8 quantile 8 = the target of rows 7..9. scikit-learn: gradients −0.8 on
    // rows 7..9 and 0.2 elsewhere, so the root splits at x <= 6.5; the left leaf's 0.8
    // quantile of the residuals −7..−1 is −2.2, giving 8 − 0.22 = 7.78 on rows 0..6 and 8 on
    // rows 7..9. kiln gives every row the gradient 0.2: no split gains, one leaf, 8 everywhere.
    let c = case("quantile_tie_iter1");
    let want = floats(&c["raw_scores"]);
    for (i, &w) in want.iter().enumerate() {
        let hand = if i < 7 { 7.78 } else { 8.0 };
        assert!((w - hand).abs() < 1e-12, "fixture row {i}: {w}");
    }
    assert_matches("quantile_tie_iter1");
}

#[test]
fn quantile_one_iteration_matches_scikit_learn() {
    assert_matches("quantile_0.8_iter1");
}

#[test]
fn quantile_twenty_iterations_matches_scikit_learn() {
    assert_matches("quantile_0.8_iter20");
}

#[test]
fn quantile_with_sample_weights_matches_scikit_learn() {
    assert_matches("quantile_0.8_weighted_iter5");
}

#[test]
fn poisson_matches_scikit_learn() {
    assert_matches("poisson_iter1");
    assert_matches("poisson_iter5");
    assert_matches("poisson_iter20");
}

#[test]
fn squared_error_with_sample_weights_matches_scikit_learn() {
    assert_matches("squared_weighted_iter20");
}

#[test]
fn squared_error_with_weights_on_a_feature_binned_differently_matches_scikit_learn() {
    // s2 has 302 distinct values, so its thresholds are weighted quantiles (as in
    // scikit-learn 1.9).
    let c = case("squared_weighted_all_columns_iter5");
    assert_eq!(c["weighted_binning_features"], serde_json::json!([5]));
    assert_matches("squared_weighted_all_columns_iter5");
}

#[test]
fn monotonic_constraints_match_scikit_learn() {
    assert_matches("monotonic_iter20");
}

#[test]
fn l2_with_leaf_and_depth_limits_matches_scikit_learn() {
    assert_matches("l2_leaves8_depth3_iter20");
}

#[test]
fn classifier_with_sample_weights_matches_scikit_learn() {
    // penguins with its categorical columns first: scikit-learn scans categorical features
    // before numeric ones whatever their column, and this fit has exact ties (zero-gain
    // splits of pure nodes, gain 5.7e-14 on both a categorical and a numeric feature), which
    // scikit-learn gives to the categorical feature and kiln to the lower column index.
    assert_matches("classifier_weighted_iter5");
}

#[test]
fn classifier_with_balanced_class_weight_matches_scikit_learn() {
    assert_matches("classifier_balanced_iter5");
}

#[test]
fn classifier_with_weights_and_weighted_binning_matches_scikit_learn() {
    // breast_cancer: every feature has more than 255 distinct values, binned by weighted
    // quantiles.
    assert_matches("classifier_weighted_breast_cancer_iter5");
}
