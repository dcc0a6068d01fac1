//! `LogisticRegression` against scikit-learn 1.9.1 (fixture from
//! `tests/reference/logistic_reference.py` on standardized breast_cancer and penguins), the
//! kiln-check suite, bad input, and behaviour the issue (#5) pins: separable data, reported
//! non-convergence.

use kiln_check::Checker;
use kiln_core::{Error, Fit, Params, Predict, PredictProba};
use kiln_datasets::Dataset;
use kiln_linear::logistic::{ClassWeight, LogisticRegression};
use ndarray::{Array1, Array2, Axis, array};
use serde_json::Value;

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logistic.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The numeric features without rows holding a missing value, each column standardized with
/// the population standard deviation, as the reference script does.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn standardized(set: Dataset) -> (Array2<f64>, Array1<usize>) {
    let data = set.load_numeric().unwrap();
    let y_all = data.target.class_indices().unwrap().clone();
    let keep: Vec<usize> = (0..data.x.nrows())
        .filter(|&i| data.x.row(i).iter().all(|v| !v.is_nan()))
        .collect();
    let mut x = data.x.select(Axis(0), &keep);
    let y = y_all.select(Axis(0), &keep);
    for mut col in x.columns_mut() {
        let n = col.len() as f64;
        let mean = col.sum() / n;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let sd = var.sqrt();
        col.mapv_inplace(|v| (v - mean) / sd);
    }
    (x, y)
}

/// The synthetic wide problem of the reference script (more than 1000 parameters).
fn wide() -> (Array2<f64>, Array1<usize>) {
    let (n, p) = (300, 350);
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        let (fi, fj) = (i as f64, j as f64);
        (0.37 * fi + 1.13 * fj).sin() + 0.5 * (0.11 * fi * ((j % 7 + 1) as f64)).cos()
    });
    let y = Array1::from_shape_fn(n, |i| (i * 7 + usize::from(x[[i, 0]] > 0.0)) % 3);
    (x, y)
}

fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.0 + (i % 5) as f64 * 0.5)
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        _ => v.as_f64().unwrap(),
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(num).collect())
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn log_loss(proba: &Array2<f64>, y: &Array1<usize>, classes: &[usize]) -> f64 {
    let n = y.len() as f64;
    y.iter()
        .enumerate()
        .map(|(i, c)| {
            let j = classes.binary_search(c).unwrap();
            -proba[[i, j]].ln()
        })
        .sum::<f64>()
        / n
}

fn assert_all_close(what: &str, got: &Array2<f64>, want: &Array2<f64>, abs: f64) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((idx, g), w) in got.indexed_iter().zip(want.iter()) {
        assert!(
            (g - w).abs() <= abs * w.abs().max(1.0),
            "{what}: at {idx:?}, kiln {g} vs scikit-learn {w} (diff {:e})",
            (g - w).abs()
        );
    }
}

#[test]
fn logistic_matches_scikit_learn_on_real_data() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "{} cases", cases.len());
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let (x, y) = match data {
            "breast_cancer" => standardized(Dataset::BreastCancer),
            "penguins" => standardized(Dataset::Penguins),
            "wide" => wide(),
            other => panic!("unknown data {other}"),
        };
        let l1_ratio = num(&case["l1_ratio"]);
        let class_weight = match &case["class_weight"] {
            Value::Null => ClassWeight::Uniform,
            Value::String(s) if s == "balanced" => ClassWeight::Balanced,
            Value::Object(m) => ClassWeight::Custom(
                m.iter()
                    .map(|(k, v)| (k.parse().unwrap(), num(v)))
                    .collect(),
            ),
            other => panic!("class_weight {other}"),
        };
        let params = LogisticRegression::default()
            .with_c(num(&case["C"]))
            .with_l1_ratio(l1_ratio)
            .with_fit_intercept(case["fit_intercept"].as_bool().unwrap())
            .with_class_weight(class_weight)
            .with_tol(1e-10)
            .with_max_iter(1000);
        let w = weights(x.nrows());
        let w = case["weighted"].as_bool().unwrap().then(|| w.view());
        let what = format!(
            "{data} C={} l1_ratio={l1_ratio} class_weight={} weighted={} fit_intercept={}",
            case["C"], case["class_weight"], case["weighted"], case["fit_intercept"]
        );
        let m = params.fit_weighted(x.view(), y.view(), w).unwrap();
        assert!(m.converged(), "{what}: did not converge in {}", m.n_iter());
        // saga (the L1 reference) stops on a relative change of 1e-13 per epoch, which leaves
        // it about 1e-7 from the optimum; the smooth cases are solved to 1e-12.
        let tol = if l1_ratio > 0.0 { 1e-5 } else { 1e-6 };
        assert_all_close(&format!("{what}: coef"), m.coef(), &mat(&case["coef"]), tol);
        let intercept = m.intercept().clone().insert_axis(Axis(0));
        let want = Array1::from_iter(case["intercept"].as_array().unwrap().iter().map(num));
        assert_all_close(
            &format!("{what}: intercept"),
            &intercept,
            &want.insert_axis(Axis(0)),
            tol,
        );
        let proba = m.predict_proba(x.view()).unwrap();
        let ll = log_loss(&proba, &y, m.classes());
        let want_ll = num(&case["log_loss"]);
        assert!(
            (ll - want_ll).abs() <= 1e-7 * want_ll,
            "{what}: log-loss {ll} vs {want_ll} (rel {:e})",
            (ll - want_ll).abs() / want_ll
        );
        let head = proba.slice(ndarray::s![..5, ..]).to_owned();
        assert_all_close(
            &format!("{what}: predict_proba"),
            &head,
            &mat(&case["proba_head"]),
            1e-6,
        );
    }
}

fn suite(params: LogisticRegression) -> Checker<LogisticRegression> {
    Checker::new(params)
        .invalid_param(LogisticRegression::default().with_c(0.0), "C")
        .invalid_param(LogisticRegression::default().with_c(-1.0), "C")
        .invalid_param(LogisticRegression::default().with_c(f64::NAN), "C")
        .invalid_param(LogisticRegression::default().with_l1_ratio(1.5), "l1_ratio")
        .invalid_param(
            LogisticRegression::default().with_l1_ratio(-0.1),
            "l1_ratio",
        )
        .invalid_param(LogisticRegression::default().with_tol(-1.0), "tol")
        .invalid_param(
            LogisticRegression::default().with_class_weight(ClassWeight::Custom(vec![(0, -1.0)])),
            "class_weight",
        )
        .tolerance(1e-7)
}

#[test]
fn logistic_passes_the_estimator_suite() {
    // Tight tolerances so that fits of equivalent data (weight 2 against a duplicated row)
    // agree to the suite's 1e-7 and not only to the default tol.
    let tight = LogisticRegression::default().with_tol(1e-10);
    suite(tight.clone())
        .check_probabilistic_classifier()
        .assert_passed();
    suite(tight.clone().with_l1_ratio(0.5).with_c(0.5))
        .check_probabilistic_classifier()
        .assert_passed();
    suite(
        tight
            .clone()
            .with_class_weight(ClassWeight::Balanced)
            .with_fit_intercept(false),
    )
    .check_probabilistic_classifier()
    .assert_passed();
    // Binary data: breast_cancer's first rows.
    let (x, y) = standardized(Dataset::BreastCancer);
    let x = x.slice(ndarray::s![..80, ..6]).to_owned();
    let y = y.slice(ndarray::s![..80]).to_owned();
    suite(tight.clone())
        .classification_data(x.clone(), y.clone())
        .check_probabilistic_classifier()
        .assert_passed();
    suite(tight.with_l1_ratio(1.0))
        .classification_data(x, y)
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn logistic_rejects_bad_parameters_with_their_names() {
    let x = array![[0.0], [1.0], [2.0], [3.0]];
    let y = array![0, 0, 1, 1];
    let cases = [
        (LogisticRegression::default().with_c(0.0), "C"),
        (LogisticRegression::default().with_c(-2.0), "C"),
        (
            LogisticRegression::default().with_l1_ratio(1.01),
            "l1_ratio",
        ),
        (
            LogisticRegression::default().with_l1_ratio(f64::NAN),
            "l1_ratio",
        ),
        (LogisticRegression::default().with_tol(f64::INFINITY), "tol"),
    ];
    for (p, name) in cases {
        let err = p.validate().unwrap_err();
        assert_eq!(err.parameter_name(), Some(name), "{err}");
        let err = p.fit(x.view(), y.view()).unwrap_err();
        assert_eq!(err.parameter_name(), Some(name), "{err}");
    }
    let err = LogisticRegression::default()
        .with_c(0.0)
        .validate()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `C` parameter of LogisticRegression must be a float in the range (0, inf]; got 0"
    );
    // C = inf is no penalty, not an error.
    assert!(
        LogisticRegression::default()
            .with_c(f64::INFINITY)
            .validate()
            .is_ok()
    );
}

#[test]
fn logistic_reports_single_class_and_bad_data() {
    let x = array![[0.0, 1.0], [1.0, 2.0], [2.0, 0.5]];
    let p = LogisticRegression::default();
    let err = p.fit(x.view(), array![3, 3, 3].view()).unwrap_err();
    assert!(
        matches!(err, Error::SingleClass { ref class, .. } if class == "3"),
        "{err}"
    );
    let err = p.fit(x.view(), array![0, 1].view()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShapeMismatch {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{err}"
    );
    let mut bad = x.clone();
    bad[[2, 1]] = f64::INFINITY;
    let err = p.fit(bad.view(), array![0, 1, 0].view()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 2,
                col: Some(1),
                ..
            }
        ),
        "{err}"
    );
    // Class weights that zero out every sample leave nothing to fit.
    let zero = LogisticRegression::default()
        .with_class_weight(ClassWeight::Custom(vec![(0, 0.0), (1, 0.0)]));
    let err = zero.fit(x.view(), array![0, 1, 0].view()).unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
}

/// Perfectly separable data: 1-D, class 1 exactly when x > 0.
fn separable() -> (Array2<f64>, Array1<usize>) {
    let x = Array2::from_shape_fn((40, 1), |(i, _)| i as f64 - 19.5);
    let y = Array1::from_shape_fn(40, |i| usize::from(i >= 20));
    (x, y)
}

#[test]
fn separable_data_gives_finite_coefficients_under_l2() {
    let (x, y) = separable();
    let m = LogisticRegression::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert!(m.converged());
    assert!(m.coef().iter().all(|c| c.is_finite() && *c > 0.0));
    // Stationarity by hand: C·Σ(pᵢ − yᵢ)·xᵢ + w = 0 and Σ(pᵢ − yᵢ) = 0.
    let proba = m.predict_proba(x.view()).unwrap();
    let r: Vec<f64> = (0..40).map(|i| proba[[i, 1]] - y[i] as f64).collect();
    let gw: f64 = r.iter().zip(x.column(0)).map(|(r, x)| r * x).sum::<f64>() + m.coef()[[0, 0]];
    let gb: f64 = r.iter().sum();
    assert!(gw.abs() < 1e-3 && gb.abs() < 1e-3, "gradient {gw} {gb}");
    assert_eq!(m.predict(x.view()).unwrap(), y);
}

#[test]
fn non_convergence_is_reported_on_the_model() {
    let (x, y) = separable();
    // Without penalty the optimum of separable data is at infinity.
    let m = LogisticRegression::default()
        .with_c(f64::INFINITY)
        .with_max_iter(5)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(!m.converged());
    assert_eq!(m.n_iter(), 5);
    assert!(m.coef().iter().all(|c| c.is_finite()));
    assert_eq!(m.predict(x.view()).unwrap(), y);
    // max_iter = 0 does no work and says so.
    let m = LogisticRegression::default()
        .with_max_iter(0)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(!m.converged());
    assert_eq!(m.n_iter(), 0);
}

#[test]
fn class_labels_with_gaps_are_kept() {
    let x = array![[0.0], [0.2], [2.0], [2.2], [4.0], [4.2]];
    let y = array![1, 1, 4, 4, 9, 9];
    let m = LogisticRegression::default()
        .with_c(100.0)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.classes(), &[1, 4, 9]);
    assert_eq!(m.predict(x.view()).unwrap(), y);
    assert_eq!(m.decision_function(x.view()).unwrap().dim(), (6, 3));
}

#[test]
fn binary_decision_function_has_one_column_for_the_larger_class() {
    let (x, y) = separable();
    let m = LogisticRegression::default()
        .fit(x.view(), y.view())
        .unwrap();
    let z = m.decision_function(x.view()).unwrap();
    assert_eq!(z.dim(), (40, 1));
    let proba = m.predict_proba(x.view()).unwrap();
    for i in 0..40 {
        let p1 = 1.0 / (1.0 + (-z[[i, 0]]).exp());
        assert!((proba[[i, 1]] - p1).abs() < 1e-15);
    }
}

#[test]
fn feature_names_label_coefficients_and_schema() {
    use kiln_core::persist::{self, Persist};
    let (x, y) = separable();
    let m = LogisticRegression::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.named_coef()[0][0].name, "x0");
    assert!(
        m.clone()
            .with_feature_names(vec!["a".into(), "b".into()])
            .is_err()
    );
    let m = m.with_feature_names(vec!["dose".into()]).unwrap();
    assert_eq!(m.feature_names(), Some(&["dose".to_string()][..]));
    assert_eq!(m.feature_schema().names(), Some(&["dose".to_string()][..]));
    let back: kiln_linear::FittedLogisticRegression =
        persist::from_bytes(&persist::to_bytes(&m).unwrap()).unwrap();
    assert_eq!(back, m);
}

#[test]
fn balanced_weights_equal_explicit_ones() {
    // 3 of class 0 and 1 of class 1: balanced gives 4/(2·3) and 4/(2·1).
    let x = array![[0.0], [1.0], [2.0], [1.5]];
    let y = array![0, 0, 0, 1];
    let tight = LogisticRegression::default().with_tol(1e-12);
    let a = tight
        .clone()
        .with_class_weight(ClassWeight::Balanced)
        .fit(x.view(), y.view())
        .unwrap();
    let b = tight
        .with_class_weight(ClassWeight::Custom(vec![(0, 2.0 / 3.0), (1, 2.0)]))
        .fit(x.view(), y.view())
        .unwrap();
    assert!((a.coef()[[0, 0]] - b.coef()[[0, 0]]).abs() < 1e-10);
    assert!((a.intercept()[0] - b.intercept()[0]).abs() < 1e-10);
}

#[test]
fn a_class_weight_for_a_class_not_in_y_is_an_error_unless_every_class_is_weighted() {
    let x = array![[-3.0], [-2.0], [-1.0], [1.0], [2.0], [3.0]];
    let y = array![0usize, 0, 1, 0, 1, 1];
    // scikit-learn 1.9: "The classes, [0, 1], are not in class_weight" for {7: 2.0}.
    let err = LogisticRegression::default()
        .with_class_weight(ClassWeight::Custom(vec![(7, 2.0)]))
        .fit(x.view(), y.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("class_weight"), "{err}");
    assert!(err.to_string().contains("[7]"), "{err}");
    // Every class of y weighted: an extra key is ignored, as in scikit-learn.
    let with_extra = LogisticRegression::default()
        .with_class_weight(ClassWeight::Custom(vec![(0, 1.0), (1, 2.0), (7, 5.0)]))
        .fit(x.view(), y.view())
        .unwrap();
    let without = LogisticRegression::default()
        .with_class_weight(ClassWeight::Custom(vec![(0, 1.0), (1, 2.0)]))
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(with_extra.coef(), without.coef());
    // Some classes unnamed but no unknown key: the unnamed get 1.
    assert!(
        LogisticRegression::default()
            .with_class_weight(ClassWeight::Custom(vec![(1, 2.0)]))
            .fit(x.view(), y.view())
            .is_ok()
    );
}
