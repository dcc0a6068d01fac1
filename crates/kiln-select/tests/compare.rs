//! The paired model comparison against SciPy 1.17.1 (fixture from
//! `tests/reference/compare_reference.py`: fold scores of scikit-learn models on breast_cancer,
//! diabetes and iris, statistics from `scipy.stats.t`), the verdict, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture or a mismatch should fail the test loudly"
)]

use kiln_core::Error;
use kiln_select::compare::{CompareOptions, Comparison, TTest, compare_scores, t_ppf};
use kiln_select::scorer::Direction;
use ndarray::{Array1, array};
use serde_json::Value;

const REL: f64 = 1e-12;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/compare.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vec1(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(what: &str, got: f64, want: f64, rel: f64, abs: f64) {
    let tol = rel * want.abs() + abs;
    assert!(
        (got - want).abs() <= tol,
        "{what}: kiln {got:e}, reference {want:e}, diff {:e} > {tol:e}",
        (got - want).abs()
    );
}

fn check_test(what: &str, got: &TTest, want: &Value) {
    let f = |k: &str| want[k].as_f64().unwrap();
    close(
        &format!("{what} std_error"),
        got.std_error,
        f("std_error"),
        REL,
        0.0,
    );
    close(&format!("{what} t"), got.t, f("t"), REL, 0.0);
    close(&format!("{what} df"), got.df, f("df"), 0.0, 0.0);
    close(
        &format!("{what} p_two_sided"),
        got.p_two_sided,
        f("p_two_sided"),
        REL,
        1e-300,
    );
    close(
        &format!("{what} p_a_better"),
        got.p_a_better,
        f("p_a_better"),
        REL,
        1e-300,
    );
    // The interval ends are differences of a mean and a margin of similar size: compare
    // relative to the margin.
    let scale = (f("ci_high") - f("ci_low")).abs();
    close(
        &format!("{what} ci_low"),
        got.ci_low,
        f("ci_low"),
        0.0,
        REL * scale,
    );
    close(
        &format!("{what} ci_high"),
        got.ci_high,
        f("ci_high"),
        0.0,
        REL * scale,
    );
}

fn run(case: &Value) -> Comparison {
    let direction = if case["maximize"].as_bool().unwrap() {
        Direction::Maximize
    } else {
        Direction::Minimize
    };
    let options = CompareOptions::new(
        case["n_train"].as_u64().unwrap() as usize,
        case["n_test"].as_u64().unwrap() as usize,
    )
    .with_confidence(case["confidence"].as_f64().unwrap())
    .with_metric(case["metric"].as_str().unwrap(), direction);
    let a = vec1(&case["scores_a"]);
    let b = vec1(&case["scores_b"]);
    compare_scores(a.view(), b.view(), &options).unwrap()
}

#[test]
fn corrected_and_paired_tests_match_scipy_on_real_fold_scores() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let c = run(case);
        let e = &case["expected"];
        assert_eq!(c.n_folds(), case["scores_a"].as_array().unwrap().len());
        close(
            &format!("{name} mean_a"),
            c.mean_a(),
            e["mean_a"].as_f64().unwrap(),
            REL,
            0.0,
        );
        close(
            &format!("{name} mean_b"),
            c.mean_b(),
            e["mean_b"].as_f64().unwrap(),
            REL,
            0.0,
        );
        close(
            &format!("{name} mean diff"),
            c.mean_difference(),
            e["mean_difference"].as_f64().unwrap(),
            REL,
            0.0,
        );
        close(
            &format!("{name} std diff"),
            c.std_difference(),
            e["std_difference"].as_f64().unwrap(),
            REL,
            0.0,
        );
        check_test(&format!("{name} corrected"), c.corrected(), &e["corrected"]);
        check_test(&format!("{name} paired"), c.paired(), &e["paired"]);
        // The correction only widens the interval.
        assert!(c.corrected().p_two_sided > c.paired().p_two_sided, "{name}");
    }
}

#[test]
fn t_ppf_matches_scipy() {
    let doc = fixture();
    for row in doc["t_ppf"].as_array().unwrap() {
        let (df, p, t) = (
            row["df"].as_f64().unwrap(),
            row["p"].as_f64().unwrap(),
            row["t"].as_f64().unwrap(),
        );
        close(
            &format!("t_ppf(df={df}, p={p})"),
            t_ppf(df, p),
            t,
            REL,
            1e-300,
        );
    }
    assert_eq!(t_ppf(5.0, 0.5), 0.0);
    assert_eq!(t_ppf(5.0, 0.0), f64::NEG_INFINITY);
    assert_eq!(t_ppf(5.0, 1.0), f64::INFINITY);
    assert!(t_ppf(5.0, 1.5).is_nan());
    assert!(t_ppf(0.0, 0.3).is_nan());
}

#[test]
fn verdict_names_the_winner_under_the_metric_direction() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    // breast_cancer: logistic (A) has the higher accuracy, significant at 0.05.
    let c = run(&cases[0]);
    assert!(c.is_significant());
    let v = c.verdict();
    assert!(v.starts_with("A beats B on accuracy by 0.0"), "{v}");
    assert!(
        v.contains("95% CI") && v.contains("corrected t-test p = ") && v.contains("10 folds"),
        "{v}"
    );
    // diabetes, mse (Minimize): ridge (A) has the lower error, so A beats B; swapped, B wins
    // with the same advantage.
    let ridge_first = run(&cases[2]);
    assert!(ridge_first.mean_difference() < 0.0);
    assert!(ridge_first.corrected().p_a_better < 0.01);
    let v = ridge_first.verdict();
    assert!(v.starts_with("A beats B on mse by "), "{v}");
    let tree_first = run(&cases[3]);
    assert!(tree_first.corrected().p_a_better > 0.99);
    let w = tree_first.verdict();
    assert!(w.starts_with("B beats A on mse by "), "{w}");
    // The same advantage and interval, whichever model is named first.
    assert_eq!(v.replacen("A beats B", "B beats A", 1), w);
    // iris: no significant difference.
    let c = run(&cases[4]);
    assert!(!c.is_significant());
    assert!(
        c.verdict()
            .starts_with("no significant difference between A and B on accuracy"),
        "{}",
        c.verdict()
    );
    assert!(
        c.verdict()
            .contains("A − B = 0.013; 95% CI -0.021 to 0.047"),
        "{}",
        c.verdict()
    );
    // Swapped, the interval is that of the new A − B.
    let swapped = compare_scores(
        vec1(&cases[4]["scores_b"]).view(),
        vec1(&cases[4]["scores_a"]).view(),
        &c.options().clone(),
    )
    .unwrap();
    let v = swapped.verdict();
    assert!(v.contains("A − B = -0.013; 95% CI -0.047 to 0.021"), "{v}");
    let table = c.to_string();
    println!("{}\n{table}", run(&cases[2]));
    assert!(
        table.contains("corrected") && table.contains("paired"),
        "{table}"
    );
}

#[test]
fn verdict_uses_the_model_names_and_confidence() {
    let a = array![0.91, 0.93, 0.92, 0.94, 0.92];
    let b = array![0.85, 0.86, 0.87, 0.85, 0.86];
    let options = CompareOptions::new(400, 100)
        .with_metric("f1", Direction::Maximize)
        .with_names("forest", "logistic")
        .with_confidence(0.9);
    let c = compare_scores(a.view(), b.view(), &options).unwrap();
    let v = c.verdict();
    assert!(
        v.starts_with("forest beats logistic on f1 by 0.066 (90% CI "),
        "{v}"
    );
    assert!(v.ends_with(", 5 folds)"), "{v}");
}

#[test]
fn constant_differences_give_infinite_t_and_identical_scores_nan() {
    // Differences of exactly 0.5 on every fold (representable, so the variance is 0).
    let a = array![1.5, 2.5, 3.5];
    let b = array![1.0, 2.0, 3.0];
    let c = compare_scores(a.view(), b.view(), &CompareOptions::new(10, 5)).unwrap();
    assert_eq!(c.std_difference(), 0.0);
    assert_eq!(c.corrected().t, f64::INFINITY);
    assert_eq!(c.corrected().p_two_sided, 0.0);
    assert_eq!(c.corrected().p_a_better, 0.0);
    let c = compare_scores(a.view(), a.view(), &CompareOptions::new(10, 5)).unwrap();
    assert!(c.corrected().t.is_nan() && c.corrected().p_two_sided.is_nan());
    assert!(!c.is_significant());
    assert!(
        c.verdict().contains("identical scores on all 3 folds"),
        "{}",
        c.verdict()
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let a = array![0.9, 0.8, 0.85];
    let b = array![0.8, 0.7];
    let o = CompareOptions::new(90, 10);
    assert!(matches!(
        compare_scores(a.view(), b.view(), &o),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    let one = array![0.9];
    assert!(matches!(
        compare_scores(one.view(), one.view(), &o),
        Err(Error::TooFewSamples { n_samples: 1, .. })
    ));
    let empty = Array1::<f64>::zeros(0);
    assert!(matches!(
        compare_scores(empty.view(), empty.view(), &o),
        Err(Error::TooFewSamples { n_samples: 0, .. })
    ));
    let nan = array![0.9, f64::NAN, 0.85];
    assert!(matches!(
        compare_scores(nan.view(), a.view(), &o),
        Err(Error::NonFinite { row: 1, .. })
    ));
    // Finite scores whose differences overflow f64.
    let huge = array![1e308, -1e308, 1e308];
    let err = compare_scores(huge.view(), (-&huge).view(), &o).unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
    assert!(err.to_string().contains("overflow"), "{err}");
    // Large but representable ones still compare: differences 0.5e300, 1e300, 1.5e300 have
    // mean 1e300 and standard deviation 0.5e300 (their squares overflow).
    let big = array![1e300, 2e300, 3e300];
    let c = compare_scores(big.view(), (&big * 0.5).view(), &o).unwrap();
    assert!((c.mean_difference() / 1e300 - 1.0).abs() < 1e-12);
    assert!((c.std_difference() / 0.5e300 - 1.0).abs() < 1e-12, "{c:?}");
    // The same t statistic as the same scores scaled down to ordinary values.
    let small = &big / 1e300;
    let s = compare_scores(small.view(), (&small * 0.5).view(), &o).unwrap();
    assert!((c.paired().t - s.paired().t).abs() < 1e-9 * s.paired().t.abs());
    for (opts, name) in [
        (CompareOptions::new(0, 10), "n_train"),
        (CompareOptions::new(90, 0), "n_test"),
        (
            CompareOptions::new(90, 10).with_confidence(1.0),
            "confidence",
        ),
        (CompareOptions::new(90, 10).with_alpha(0.0), "alpha"),
    ] {
        let err = compare_scores(a.view(), a.view(), &opts).unwrap_err();
        assert_eq!(err.parameter_name(), Some(name), "{err}");
    }
}

#[test]
fn compare_models_cross_validates_both_on_the_same_folds() {
    use kiln_core::Fit;
    use kiln_datasets::Dataset;
    use kiln_linear::{LinearRegression, Ridge};
    use kiln_prep::split::KFold;
    use kiln_select::compare::{CompareModelsOptions, compare_models};
    use kiln_select::scorer::Scorer;

    fn mse<M: kiln_core::Predict<Output = f64>>() -> Scorer<M, f64> {
        Scorer::from_predictions("mse", Direction::Minimize, |y, p, _w| {
            Ok(y.iter()
                .zip(p)
                .map(|(a, b): (&f64, &f64)| (a - b).powi(2))
                .sum::<f64>()
                / y.len() as f64)
        })
    }
    let doc = fixture();
    let case = &doc["cv_case"];
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let y = d.target.values().unwrap();
    let ridge = Ridge::default().with_alpha(1.0);
    let ols = LinearRegression::default();
    let options = CompareModelsOptions::default().with_names("ridge", "ols");
    let c = compare_models(
        (&ridge, &mse::<<Ridge as Fit>::Fitted>()),
        (&ols, &mse::<<LinearRegression as Fit>::Fitted>()),
        d.x.view(),
        y.view(),
        &KFold::default().with_n_splits(5),
        &options,
    )
    .unwrap();
    // The same statistics as scikit-learn's fold scores give; kiln's closed-form fits agree
    // with scikit-learn's to ~1e-10 relative, which the small differences between the two
    // models (a few units of MSE ~3000) amplify, hence the tolerances.
    assert_eq!(c.n_folds(), 5);
    assert_eq!((c.options().n_train, c.options().n_test), (354, 88));
    assert_eq!(c.options().direction, Direction::Minimize);
    let e = &case["expected"];
    let f = |v: &Value| v.as_f64().unwrap();
    close("mean_a", c.mean_a(), f(&e["mean_a"]), 1e-9, 0.0);
    close("mean_b", c.mean_b(), f(&e["mean_b"]), 1e-9, 0.0);
    close(
        "mean_difference",
        c.mean_difference(),
        f(&e["mean_difference"]),
        0.0,
        1e-6,
    );
    close(
        "std_difference",
        c.std_difference(),
        f(&e["std_difference"]),
        0.0,
        1e-6,
    );
    let t = c.corrected();
    close("t", t.t, f(&e["corrected"]["t"]), 0.0, 1e-6);
    close(
        "p",
        t.p_two_sided,
        f(&e["corrected"]["p_two_sided"]),
        0.0,
        1e-6,
    );
    close("ci_low", t.ci_low, f(&e["corrected"]["ci_low"]), 0.0, 1e-5);
    close(
        "ci_high",
        t.ci_high,
        f(&e["corrected"]["ci_high"]),
        0.0,
        1e-5,
    );
    assert!(
        c.verdict()
            .starts_with("no significant difference between ridge and ols on mse"),
        "{}",
        c.verdict()
    );
    // Two scorers of different metrics are refused.
    let other: Scorer<<LinearRegression as Fit>::Fitted, f64> =
        Scorer::from_predictions("mae", Direction::Minimize, |_y, _p, _w| Ok(0.0));
    let err = compare_models(
        (&ridge, &mse::<<Ridge as Fit>::Fitted>()),
        (&ols, &other),
        d.x.view(),
        y.view(),
        &KFold::default(),
        &options,
    )
    .unwrap_err();
    assert_eq!(err.parameter_name(), Some("scoring"));
}
