//! `Ridge` against scikit-learn 1.9.1 (fixture from `tests/reference/ols_ridge_reference.py`:
//! diabetes with several alphas, with and without intercept and weights, multi-target with one
//! alpha per target, rank-deficient and wide designs), a hand-computed case, the kiln-check
//! suite and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure should stop the test loudly"
)]

use kiln_check::Checker;
use kiln_core::{Error, Fit, Fitted, Predict, persist};
use kiln_datasets::Dataset;
use kiln_linear::ridge::{Alpha, FittedRidgeMulti};
use kiln_linear::{FittedRidge, Ridge};
use ndarray::{Array1, Array2, array, s};
use serde_json::Value;

mod lstsq_fixture;

use lstsq_fixture::{design_x, fixture, mat, rel_err, vec1, weights};

/// The fixture's design and its named targets.
fn design(case: &Value) -> (Array2<f64>, Array2<f64>) {
    let (data, x) = design_x(case);
    let target = data.target.values().unwrap();
    let names = case["targets"].as_array().unwrap();
    let y = Array2::from_shape_fn((x.nrows(), names.len()), |(i, t)| {
        let v = target[i];
        match names[t].as_str().unwrap() {
            "y" => v,
            "log_y" => v.ln(),
            "y_age" => v * data.x[[i, 0]] / 50.0,
            other => panic!("unknown target {other}"),
        }
    });
    (x, y)
}

fn alpha_of(v: &Value) -> Alpha {
    match v.as_array() {
        Some(list) => Alpha::PerTarget(list.iter().map(|a| a.as_f64().unwrap()).collect()),
        None => Alpha::Scalar(v.as_f64().unwrap()),
    }
}

#[test]
fn ridge_matches_scikit_learn_on_diabetes_and_edge_designs() {
    let doc = fixture();
    let cases = doc["ridge"].as_array().unwrap();
    assert!(cases.len() >= 18, "{} cases", cases.len());
    let n_pred = doc["n_predict"].as_u64().unwrap() as usize;
    let mut worst = 0.0_f64;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (x, y) = design(case);
        let w = weights(x.nrows());
        let w = case["weighted"].as_bool().unwrap().then(|| w.view());
        let params = Ridge::default()
            .with_alpha(alpha_of(&case["alpha"]))
            .with_fit_intercept(case["fit_intercept"].as_bool().unwrap());
        let tol = case["tol"].as_f64().unwrap();
        let want_coef = mat(&case["coef"]);
        let want_b = vec1(&case["intercept"]);
        let want_pred = mat(&case["predict"]);
        let xp = x.slice(s![..n_pred.min(x.nrows()), ..]);
        let scale = y.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let (coef, intercept, pred): (Array2<f64>, Array1<f64>, Array2<f64>) = if y.ncols() == 1 {
            let m = params.fit_weighted(x.view(), y.column(0), w).unwrap();
            let pred = m.predict(xp).unwrap().insert_axis(ndarray::Axis(1));
            (
                m.coef().clone().insert_axis(ndarray::Axis(0)),
                array![m.intercept()],
                pred,
            )
        } else {
            let m = params.fit_multi(x.view(), y.view(), w).unwrap();
            (
                m.coef().clone(),
                m.intercept().clone(),
                m.predict(xp).unwrap(),
            )
        };
        for t in 0..y.ncols() {
            let err = rel_err(coef.row(t), want_coef.row(t));
            println!("{name} target {t}: coef error {err:.1e}");
            assert!(
                err <= tol,
                "{name} target {t}: coef relative error {err:e} > {tol:e}"
            );
            worst = worst.max(err);
            let yscale = y.column(t).iter().fold(0.0_f64, |a, v| a.max(v.abs()));
            assert!(
                (intercept[t] - want_b[t]).abs() <= 1e-8 * yscale.max(want_b[t].abs()),
                "{name} target {t}: intercept {} against {}",
                intercept[t],
                want_b[t]
            );
        }
        for (g, w) in pred.iter().zip(&want_pred) {
            assert!(
                (g - w).abs() <= 1e-8 * scale,
                "{name}: prediction {g} against {w}"
            );
        }
    }
    println!("worst coefficient relative error against scikit-learn: {worst:e}");
}

#[test]
fn alpha_zero_on_a_singular_design_falls_back_to_the_minimum_norm_solution() {
    // Two identical columns: XᵀX is singular, Cholesky fails for alpha = 0, and the fallback
    // splits the weight evenly (the minimum-norm solution): y = 2·x0 = 1·x0 + 1·x1.
    let x = array![[1.0, 1.0], [2.0, 2.0], [4.0, 4.0], [7.0, 7.0]];
    let y = array![3.0, 5.0, 9.0, 15.0];
    let m = Ridge::default()
        .with_alpha(0.0)
        .fit(x.view(), y.view())
        .unwrap();
    assert!((m.coef()[0] - 1.0).abs() < 1e-12, "{}", m.coef());
    assert!((m.coef()[1] - 1.0).abs() < 1e-12, "{}", m.coef());
    assert!((m.intercept() - 1.0).abs() < 1e-12);
}

#[test]
fn ridge_passes_the_kiln_check_suite() {
    for fit_intercept in [true, false] {
        Checker::new(Ridge::default().with_fit_intercept(fit_intercept))
            .invalid_param(Ridge::default().with_alpha(-1.0), "alpha")
            .invalid_param(Ridge::default().with_alpha(f64::NAN), "alpha")
            .invalid_param(Ridge::default().with_alpha(vec![1.0, -2.0]), "alpha")
            .invalid_param(Ridge::default().with_alpha(Vec::new()), "alpha")
            .check_regressor()
            .assert_passed();
    }
}

#[test]
fn bad_input_gives_typed_errors() {
    let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
    let y = array![1.0, 2.0, 3.0];
    let p = Ridge::default();
    let err = p
        .clone()
        .with_alpha(-0.5)
        .fit(x.view(), y.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("alpha"));
    assert!(err.to_string().contains("[0, inf); got -0.5"), "{err}");
    let mut bad = x.clone();
    bad[[1, 0]] = f64::NAN;
    assert!(matches!(
        p.fit(bad.view(), y.view()),
        Err(Error::NonFinite {
            row: 1,
            col: Some(0),
            ..
        })
    ));
    assert!(matches!(
        p.fit(x.view(), y.slice(s![..1])),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        p.fit(x.slice(s![.., ..0]), y.view()),
        Err(Error::EmptyInput { .. })
    ));
    // Per-target alphas must match the number of targets.
    let two = p.clone().with_alpha(vec![1.0, 2.0]);
    assert!(matches!(
        two.fit(x.view(), y.view()),
        Err(Error::ShapeMismatch {
            expected: 1,
            got: 2,
            ..
        })
    ));
    let y3 = Array2::from_shape_fn((3, 3), |(i, t)| (i + t) as f64);
    assert!(matches!(
        two.fit_multi(x.view(), y3.view(), None),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    let mut y3_bad = y3.clone();
    y3_bad[[2, 1]] = f64::INFINITY;
    assert!(matches!(
        p.fit_multi(x.view(), y3_bad.view(), None),
        Err(Error::NonFinite {
            row: 2,
            col: Some(1),
            ..
        })
    ));
    assert!(matches!(
        p.fit_multi(x.view(), y3.slice(s![.., ..0]), None),
        Err(Error::EmptyInput { .. })
    ));
    let m = p.fit_multi(x.view(), y3.view(), None).unwrap();
    assert!(matches!(
        m.predict(array![[1.0]].view()),
        Err(Error::FeatureCountMismatch {
            expected: 2,
            got: 1,
            ..
        })
    ));
}

#[test]
fn multi_target_equals_one_fit_per_target_and_round_trips() {
    let case = &fixture()["ridge"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["targets"].as_array().unwrap().len() == 3 && c["weighted"] == true)
        .unwrap()
        .clone();
    let (x, y) = design(case);
    let w = weights(x.nrows());
    let alphas = vec![0.5, 2.0, 0.5];
    let multi = Ridge::default()
        .with_alpha(alphas.clone())
        .fit_multi(x.view(), y.view(), Some(w.view()))
        .unwrap();
    assert_eq!(multi.n_targets(), 3);
    let pred = multi.predict(x.view()).unwrap();
    for (t, &a) in alphas.iter().enumerate() {
        let single = Ridge::default()
            .with_alpha(a)
            .fit_weighted(x.view(), y.column(t), Some(w.view()))
            .unwrap();
        let err = rel_err(multi.coef().row(t), single.coef().view());
        assert!(err < 1e-12, "target {t}: {err:e}");
        let from_multi = multi.target(t).unwrap();
        assert_eq!(from_multi.params().alpha, Alpha::Scalar(a));
        assert_eq!(from_multi.predict(x.view()).unwrap(), pred.column(t));
    }
    assert!(multi.target(3).is_none());

    let names: Vec<String> = Dataset::Diabetes.load_numeric().unwrap().feature_names;
    let multi = multi.with_feature_names(names.clone()).unwrap();
    assert_eq!(multi.coef_named(1).unwrap()[2].name, "bmi");
    let back: FittedRidgeMulti = persist::from_bytes(&persist::to_bytes(&multi).unwrap()).unwrap();
    assert_eq!(back, multi);
    assert_eq!(back.n_features_in(), 10);

    let single = multi.target(0).unwrap();
    let back: FittedRidge = persist::from_bytes(&persist::to_bytes(&single).unwrap()).unwrap();
    assert_eq!(back.feature_names(), Some(names.as_slice()));
    assert_eq!(back.coef_named()[2].value, single.coef()[2]);
}

#[test]
fn ridge_does_not_depend_on_the_thread_count() {
    let n = 30_000;
    let x = Array2::from_shape_fn((n, 9), |(i, j)| {
        ((i * 5 + j * 11) as f64 * 0.13).sin() + j as f64
    });
    let y = Array1::from_shape_fn(n, |i| x.row(i).sum() + ((i * 3) as f64).cos());
    let fit = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                Ridge::default()
                    .with_alpha(0.3)
                    .fit(x.view(), y.view())
                    .unwrap()
            })
    };
    assert_eq!(fit(1), fit(2));
}
