//! `LinearRegression` against scikit-learn 1.9.1 (fixture from
//! `tests/reference/ols_ridge_reference.py`: diabetes with and without intercept and weights,
//! rank-deficient and ill-conditioned designs), hand-computed cases, the kiln-check suite and
//! bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure should stop the test loudly"
)]

use kiln_check::Checker;
use kiln_core::{Error, Fit, Fitted, Params, Predict, persist};
use kiln_datasets::Dataset;
use kiln_linear::ols::LstsqMethod;
use kiln_linear::{FittedLinearRegression, LinearRegression};
use ndarray::{Array1, Array2, ShapeBuilder, array, s};
use serde_json::Value;

mod lstsq_fixture;

use lstsq_fixture::{design_x, fixture, rel_err, vec1, weights};

/// The fixture's design and the first `rows` diabetes targets.
fn design(case: &Value) -> (Array2<f64>, Array1<f64>) {
    let (data, x) = design_x(case);
    let y = data
        .target
        .values()
        .unwrap()
        .slice(s![..x.nrows()])
        .to_owned();
    (x, y)
}

#[test]
fn linear_regression_matches_scikit_learn_on_diabetes_and_edge_designs() {
    let doc = fixture();
    let cases = doc["ols"].as_array().unwrap();
    assert!(cases.len() >= 15, "{} cases", cases.len());
    let n_pred = doc["n_predict"].as_u64().unwrap() as usize;
    let mut worst = 0.0_f64;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (x, y) = design(case);
        let w = weights(x.nrows());
        let w = case["weighted"].as_bool().unwrap().then(|| w.view());
        let params = LinearRegression::default()
            .with_fit_intercept(case["fit_intercept"].as_bool().unwrap());
        let m = params.fit_weighted(x.view(), y.view(), w).unwrap();
        let tol = case["tol"].as_f64().unwrap();
        assert!(
            tol <= 1e-7,
            "{name}: the fixture widened the tolerance to {tol:e}"
        );

        let coef_err = rel_err(m.coef().view(), vec1(&case["coef"]).view());
        assert!(
            coef_err <= tol,
            "{name}: coef relative error {coef_err:e} > {tol:e}"
        );
        worst = worst.max(coef_err);
        println!("{name}: coef error {coef_err:.1e} ({:?})", m.method());

        assert_eq!(
            m.rank(),
            case["rank"].as_u64().unwrap() as usize,
            "{name}: rank"
        );

        let want_s = vec1(&case["singular"]);
        assert_eq!(
            m.singular().len(),
            want_s.len(),
            "{name}: number of singular values"
        );
        let smax = want_s.iter().fold(0.0_f64, |a, v| a.max(*v));
        for (g, w) in m.singular().iter().zip(&want_s) {
            // Singular values below the rank cut-off are rounding noise in both libraries.
            assert!(
                (g - w).abs() <= 1e-8 * w + 1e-12 * smax,
                "{name}: singular value {g} against {w}"
            );
        }

        let pred = m.predict(x.slice(s![..n_pred.min(x.nrows()), ..])).unwrap();
        let want_pred = vec1(&case["predict"]);
        let scale = y.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        for (g, w) in pred.iter().zip(&want_pred) {
            assert!(
                (g - w).abs() <= 1e-8 * scale,
                "{name}: prediction {g} against {w}"
            );
        }
        let want_b = case["intercept"].as_f64().unwrap();
        assert!(
            (m.intercept() - want_b).abs() <= 1e-8 * scale.max(want_b.abs()),
            "{name}: intercept {} against {want_b}",
            m.intercept()
        );
    }
    println!("worst coefficient relative error against scikit-learn: {worst:e}");
}

#[test]
fn diabetes_takes_the_normal_equations_and_degenerate_designs_the_qr_path() {
    let doc = fixture();
    for case in doc["ols"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, y) = design(case);
        let m = LinearRegression::default()
            .with_fit_intercept(case["fit_intercept"].as_bool().unwrap())
            .fit(x.view(), y.view())
            .unwrap();
        let full_rank = case["rank"].as_u64().unwrap() as usize == x.ncols();
        if name.starts_with("diabetes") {
            assert_eq!(m.method(), LstsqMethod::NormalEquations, "{name}");
        }
        if !full_rank {
            assert_eq!(m.method(), LstsqMethod::QrSvd, "{name}");
        }
    }
}

#[test]
fn exact_fit_and_hand_computed_weighted_mean() {
    // y = 2·x − 1 exactly: any least-squares solver must recover it.
    let x = array![[0.0], [1.0], [2.0], [5.0]];
    let y = array![-1.0, 1.0, 3.0, 9.0];
    let m = LinearRegression::default().fit(x.view(), y.view()).unwrap();
    assert!((m.coef()[0] - 2.0).abs() < 1e-13);
    assert!((m.intercept() + 1.0).abs() < 1e-13);
    assert_eq!(m.singular().len(), 1);
    // Centred x is (−2, −1, 0, 3): its norm is the singular value, sqrt(14).
    assert!((m.singular()[0] - 14.0_f64.sqrt()).abs() < 1e-13);

    // Two points, weights 1 and 3, no slope possible (one feature constant): the intercept is
    // the weighted mean of y, (1·2 + 3·6) / 4 = 5, and the coefficient the minimum-norm 0.
    let x = array![[7.0], [7.0]];
    let y = array![2.0, 6.0];
    let w = array![1.0, 3.0];
    let m = LinearRegression::default()
        .fit_weighted(x.view(), y.view(), Some(w.view()))
        .unwrap();
    assert_eq!(m.rank(), 0);
    assert_eq!(m.coef()[0], 0.0);
    assert!((m.intercept() - 5.0).abs() < 1e-13);
}

#[test]
fn linear_regression_passes_the_kiln_check_suite() {
    for fit_intercept in [true, false] {
        Checker::new(LinearRegression::default().with_fit_intercept(fit_intercept))
            .invalid_param(LinearRegression::default().with_tol(-1.0), "tol")
            .invalid_param(LinearRegression::default().with_tol(f64::NAN), "tol")
            .check_regressor()
            .assert_passed();
    }
}

#[test]
fn bad_input_gives_typed_errors() {
    let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
    let y = array![1.0, 2.0, 3.0];
    let p = LinearRegression::default();
    let err = p.with_tol(-0.5).fit(x.view(), y.view()).unwrap_err();
    assert_eq!(err.parameter_name(), Some("tol"));
    let mut bad = x.clone();
    bad[[2, 1]] = f64::INFINITY;
    assert!(matches!(
        p.fit(bad.view(), y.view()),
        Err(Error::NonFinite {
            row: 2,
            col: Some(1),
            ..
        })
    ));
    let y_nan = array![1.0, f64::NAN, 3.0];
    assert!(matches!(
        p.fit(x.view(), y_nan.view()),
        Err(Error::NonFinite {
            row: 1,
            col: None,
            ..
        })
    ));
    assert!(matches!(
        p.fit(x.view(), y.slice(s![..2])),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    assert!(matches!(
        p.fit(x.slice(s![..0, ..]), y.slice(s![..0])),
        Err(Error::EmptyInput { .. })
    ));
    let m = p.fit(x.view(), y.view()).unwrap();
    assert!(matches!(
        m.predict(array![[1.0, 2.0, 3.0]].view()),
        Err(Error::FeatureCountMismatch {
            expected: 2,
            got: 3,
            ..
        })
    ));
}

/// Large enough that the Gram pass runs many leaves in parallel; pseudo-random features
/// (a 64-bit LCG) around an offset of 100, so the design is well conditioned once centred.
fn big_problem(n: usize, p: usize) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let x = Array2::from_shape_simple_fn((n, p), || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        100.0 + (state >> 11) as f64 / (1u64 << 53) as f64
    });
    let y = Array1::from_shape_fn(n, |i| {
        (0..p).map(|j| x[[i, j]] * (j as f64 - 3.5)).sum::<f64>() + ((i * 31) as f64).cos()
    });
    let w = Array1::from_shape_fn(n, |i| 0.5 + (i % 3) as f64);
    (x, y, w)
}

#[test]
fn results_do_not_depend_on_the_thread_count_or_memory_layout() {
    let (x, y, w) = big_problem(30_000, 12);
    let fit = |threads: usize, x: &Array2<f64>| -> FittedLinearRegression {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                LinearRegression::default()
                    .fit_weighted(x.view(), y.view(), Some(w.view()))
                    .unwrap()
            })
    };
    let one = fit(1, &x);
    assert_eq!(one.method(), LstsqMethod::NormalEquations);
    let two = fit(2, &x);
    assert_eq!(one, two);
    let mut fortran = Array2::zeros(x.dim().f());
    fortran.assign(&x);
    let f = fit(2, &fortran);
    assert_eq!(one, f);
    assert_eq!(
        one.predict(x.view()).unwrap(),
        f.predict(fortran.view()).unwrap()
    );
}

#[test]
fn save_and_load_keep_coefficients_and_feature_names() {
    let (x, y) = design(&fixture()["ols"][0]);
    let names: Vec<String> = Dataset::Diabetes.load_numeric().unwrap().feature_names;
    let m = LinearRegression::default()
        .fit(x.view(), y.view())
        .unwrap()
        .with_feature_names(names.clone())
        .unwrap();
    assert_eq!(m.coef_named()[2].name, "bmi");
    assert_eq!(m.coef_named()[2].value, m.coef()[2]);
    let bytes = persist::to_bytes(&m).unwrap();
    let back: FittedLinearRegression = persist::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.feature_names(), Some(names.as_slice()));
    assert_eq!(back.n_features_in(), 10);
    assert!(matches!(
        m.clone().with_feature_names(vec!["a".into()]),
        Err(Error::ShapeMismatch {
            expected: 10,
            got: 1,
            ..
        })
    ));
    assert!(LinearRegression::default().validate().is_ok());
}
