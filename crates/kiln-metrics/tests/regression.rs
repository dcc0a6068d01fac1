//! The regression metrics against scikit-learn 1.9.1 (fixture from
//! `tests/reference/regression_reference.py`: models fitted on diabetes and evaluated on rows
//! they never saw, plus hand cases), hand-computed values, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::Error;
use kiln_metrics::regression::{
    d2_absolute_error_score, d2_pinball_score, d2_tweedie_score, explained_variance,
    explained_variance_with, max_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_gamma_deviance, mean_pinball_loss, mean_poisson_deviance, mean_squared_error,
    mean_squared_log_error, mean_tweedie_deviance, median_absolute_error, r2, r2_with,
    root_mean_squared_error, root_mean_squared_log_error,
};
use ndarray::{Array1, ArrayView1, array};
use serde_json::Value;

const REL: f64 = 1e-12;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/regression.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[expect(
    clippy::panic,
    reason = "test helper: a malformed fixture fails the test"
)]
fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::Number(x) => x.as_f64().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn vec1(v: &Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn close(got: f64, want: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() {
        return got == want;
    }
    // Relative, or absolute near 0.
    (got - want).abs() <= REL * want.abs().max(1e-3)
}

type Metric = Box<
    dyn Fn(ArrayView1<f64>, ArrayView1<f64>, Option<ArrayView1<f64>>) -> kiln_core::Result<f64>,
>;

/// The kiln function behind a fixture key (`name` or `name:param`).
fn metric(key: &str) -> Metric {
    let (name, param) = match key.split_once(':') {
        Some((n, p)) => (n, p.parse::<f64>().unwrap()),
        None => (key, f64::NAN),
    };
    match name {
        "mean_squared_error" => Box::new(mean_squared_error),
        "root_mean_squared_error" => Box::new(root_mean_squared_error),
        "mean_absolute_error" => Box::new(mean_absolute_error),
        "median_absolute_error" => Box::new(median_absolute_error),
        "max_error" => Box::new(|t, p, _| max_error(t, p)),
        "r2" => Box::new(r2),
        "r2_unforced" => Box::new(|t, p, w| r2_with(t, p, false, w)),
        "explained_variance" => Box::new(explained_variance),
        "explained_variance_unforced" => {
            Box::new(|t, p, w| explained_variance_with(t, p, false, w))
        }
        "mean_absolute_percentage_error" => Box::new(mean_absolute_percentage_error),
        "mean_squared_log_error" => Box::new(mean_squared_log_error),
        "root_mean_squared_log_error" => Box::new(root_mean_squared_log_error),
        "mean_poisson_deviance" => Box::new(mean_poisson_deviance),
        "mean_gamma_deviance" => Box::new(mean_gamma_deviance),
        "mean_tweedie_deviance" => Box::new(move |t, p, w| mean_tweedie_deviance(t, p, param, w)),
        "d2_tweedie_score" => Box::new(move |t, p, w| d2_tweedie_score(t, p, param, w)),
        "mean_pinball_loss" => Box::new(move |t, p, w| mean_pinball_loss(t, p, param, w)),
        "d2_pinball_score" => Box::new(move |t, p, w| d2_pinball_score(t, p, param, w)),
        "d2_absolute_error_score" => Box::new(d2_absolute_error_score),
        other => unreachable!("unknown metric {other}"),
    }
}

#[test]
fn regression_metrics_match_scikit_learn() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let (mut checked, mut errors, mut worst) = (0, 0, 0.0_f64);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let y = vec1(&case["y_true"]);
        let p = vec1(&case["y_pred"]);
        let w = (!case["weights"].is_null()).then(|| vec1(&case["weights"]));
        let w = w.as_ref().map(|w| w.view());
        for (key, want) in case["metrics"].as_object().unwrap() {
            let want = num(want);
            match metric(key)(y.view(), p.view(), w) {
                Ok(got) if close(got, want) => {
                    checked += 1;
                    if want.is_finite() && want != 0.0 {
                        worst = worst.max((got - want).abs() / want.abs());
                    }
                }
                Ok(got) => failures.push(format!("{name} {key}: kiln {got:e}, sklearn {want:e}")),
                Err(e) => failures.push(format!("{name} {key}: kiln error {e}, sklearn {want}")),
            }
        }
        for key in case["errors"].as_array().unwrap() {
            let key = key.as_str().unwrap();
            match metric(key)(y.view(), p.view(), w) {
                Err(Error::InvalidValue { .. }) => errors += 1,
                other => failures.push(format!("{name} {key}: sklearn raised, kiln {other:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} values (worst relative difference {worst:e}), {errors} errors");
    assert!(
        checked > 500 && errors > 50,
        "{checked} values, {errors} errors checked"
    );
}

// Hand-computed: |e| = [0.5, 0.5, 0, 1]; squared [0.25, 0.25, 0, 1].
#[test]
fn hand_computed_errors() {
    let y = array![3.0, -0.5, 2.0, 7.0];
    let p = array![2.5, 0.0, 2.0, 8.0];
    let (y, p) = (y.view(), p.view());
    assert_eq!(mean_squared_error(y, p, None).unwrap(), 0.375);
    assert_eq!(
        root_mean_squared_error(y, p, None).unwrap(),
        0.375_f64.sqrt()
    );
    assert_eq!(mean_absolute_error(y, p, None).unwrap(), 0.5);
    assert_eq!(median_absolute_error(y, p, None).unwrap(), 0.5);
    assert_eq!(max_error(y, p).unwrap(), 1.0);
    // Σ(y − ȳ)² with ȳ = 2.875: 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875.
    assert_eq!(r2(y, p, None).unwrap(), 1.0 - 1.5 / 29.1875);
    // Pinball at 0.9: residuals y − p = [0.5, −0.5, 0, −1] → [0.45, 0.05, 0, 0.1].
    assert!((mean_pinball_loss(y, p, 0.9, None).unwrap() - 0.6 / 4.0).abs() < 1e-15);
}

#[test]
fn constant_target_follows_force_finite() {
    let y = array![2.0, 2.0, 2.0];
    let perfect = array![2.0, 2.0, 2.0];
    let off = array![1.0, 2.0, 3.0];
    assert_eq!(r2(y.view(), perfect.view(), None).unwrap(), 1.0);
    assert_eq!(r2(y.view(), off.view(), None).unwrap(), 0.0);
    assert!(
        r2_with(y.view(), perfect.view(), false, None)
            .unwrap()
            .is_nan()
    );
    assert_eq!(
        r2_with(y.view(), off.view(), false, None).unwrap(),
        f64::NEG_INFINITY
    );
    assert_eq!(explained_variance(y.view(), off.view(), None).unwrap(), 0.0);
    // A constant bias leaves the residual variance at 0: explained variance is 1.
    let biased = array![3.0, 3.0, 3.0];
    assert_eq!(
        explained_variance(y.view(), biased.view(), None).unwrap(),
        1.0
    );
    assert!(
        r2(array![1.0].view(), array![2.0].view(), None)
            .unwrap()
            .is_nan()
    );
}

#[test]
fn weights_act_as_repeats() {
    let y = array![1.0, 4.0, 2.0, 8.0, 5.0];
    let p = array![1.5, 3.0, 2.0, 6.0, 5.5];
    let w = array![2.0, 1.0, 3.0, 1.0, 2.0];
    let rep_y = array![1.0, 1.0, 4.0, 2.0, 2.0, 2.0, 8.0, 5.0, 5.0];
    let rep_p = array![1.5, 1.5, 3.0, 2.0, 2.0, 2.0, 6.0, 5.5, 5.5];
    type F =
        fn(ArrayView1<f64>, ArrayView1<f64>, Option<ArrayView1<f64>>) -> kiln_core::Result<f64>;
    let fs: [(&str, F); 6] = [
        ("mse", mean_squared_error),
        ("mae", mean_absolute_error),
        ("r2", r2),
        ("ev", explained_variance),
        ("mape", mean_absolute_percentage_error),
        ("poisson", mean_poisson_deviance),
    ];
    for (name, f) in fs {
        let a = f(y.view(), p.view(), Some(w.view())).unwrap();
        let b = f(rep_y.view(), rep_p.view(), None).unwrap();
        assert!(
            (a - b).abs() <= 1e-14 * b.abs().max(1.0),
            "{name}: {a} vs {b}"
        );
    }
    // Weighted median of |e| = [0.5(2), 1(1), 0(3), 2(1), 0.5(2)]: sorted cdf 3, 7, 8, 9; half
    // of 9 is 4.5 → 0.5, matching the median of the 9 repeated errors.
    assert_eq!(
        median_absolute_error(y.view(), p.view(), Some(w.view())).unwrap(),
        0.5
    );
    assert_eq!(
        median_absolute_error(rep_y.view(), rep_p.view(), None).unwrap(),
        0.5
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let y = array![1.0, 2.0, 3.0];
    let short = array![1.0, 2.0];
    let empty = Array1::<f64>::zeros(0);
    assert!(matches!(
        mean_squared_error(empty.view(), empty.view(), None),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        r2(y.view(), short.view(), None),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    let nan = array![1.0, f64::NAN, 3.0];
    assert!(matches!(
        mean_absolute_error(y.view(), nan.view(), None),
        Err(Error::NonFinite { row: 1, .. })
    ));
    let inf = array![1.0, 2.0, f64::INFINITY];
    assert!(matches!(
        max_error(inf.view(), y.view()),
        Err(Error::NonFinite { row: 2, .. })
    ));
    let neg_w = array![1.0, -1.0, 1.0];
    assert!(matches!(
        mean_squared_error(y.view(), y.view(), Some(neg_w.view())),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    assert!(matches!(
        mean_squared_error(y.view(), y.view(), Some(short.view())),
        Err(Error::ShapeMismatch { .. })
    ));
    // Deviances: the row of the first value outside the domain.
    let zero_at_2 = array![1.0, 2.0, 0.0];
    let err = mean_gamma_deviance(zero_at_2.view(), y.view(), None).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(2), .. }),
        "{err}"
    );
    assert!(err.to_string().contains("y_true"), "{err}");
    let err = mean_poisson_deviance(y.view(), zero_at_2.view(), None).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(2), .. }),
        "{err}"
    );
    assert!(mean_poisson_deviance(zero_at_2.view(), y.view(), None).is_ok());
    let below = array![0.0, -1.0, 2.0];
    assert!(matches!(
        mean_squared_log_error(below.view(), y.view(), None),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    // Parameters.
    for power in [0.5, f64::NAN] {
        let err = mean_tweedie_deviance(y.view(), y.view(), power, None).unwrap_err();
        assert_eq!(err.parameter_name(), Some("power"), "{err}");
    }
    for alpha in [-0.1, 1.5, f64::NAN] {
        let err = mean_pinball_loss(y.view(), y.view(), alpha, None).unwrap_err();
        assert_eq!(err.parameter_name(), Some("alpha"), "{err}");
        assert!(d2_pinball_score(y.view(), y.view(), alpha, None).is_err());
    }
    // D² of a Tweedie deviance is undefined for a constant target (sklearn: ZeroDivisionError).
    let c = array![2.0, 2.0];
    assert!(matches!(
        d2_tweedie_score(c.view(), array![1.0, 3.0].view(), 0.0, None),
        Err(Error::InvalidValue { .. })
    ));
}
