//! `Lasso` and `ElasticNet` against scikit-learn 1.9.1 (fixture from
//! `tests/reference/enet_reference.py` on the diabetes data, raw and standardized), the
//! kiln-check suite, warm starts, paths, convergence reporting and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure should fail loudly"
)]

use kiln_check::Checker;
use kiln_core::persist::{self, Persist};
use kiln_core::random::KilnRng;
use kiln_core::random::rng_from_seed;
use kiln_core::{Error, Fit, Params, Predict};
use kiln_datasets::Dataset;
use kiln_linear::enet::{Alphas, Precompute, Selection};
use kiln_linear::{ElasticNet, FittedElasticNet, FittedLasso, Lasso};
use ndarray::{Array1, Array2, Axis, array};
use rand::Rng;
use serde_json::Value;

/// Coefficients must agree with scikit-learn to this, relative to the largest coefficient (and
/// at least absolutely). The issue asks for 1e-6; the reference itself is good to ~1e-9 and the
/// fits agree to 1e-10, so 1e-8 keeps a margin while still catching a real regression.
const COEF_TOL: f64 = 1e-8;

fn fixture() -> Value {
    let path = format!("{}/tests/fixtures/enet.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn vec1(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn diabetes() -> (Array2<f64>, Array1<f64>) {
    let d = Dataset::Diabetes.load_numeric().unwrap();
    (d.x, d.target.values().unwrap().clone())
}

/// Minus the mean, divided by the population standard deviation (as the reference script).
fn standardize(x: &Array2<f64>) -> Array2<f64> {
    let mean = x.mean_axis(Axis(0)).unwrap();
    let std = x.std_axis(Axis(0), 0.0);
    (x - &mean) / &std
}

fn data(name: &str) -> (Array2<f64>, Array1<f64>) {
    let (x, y) = diabetes();
    match name {
        "raw" => (x, y),
        "std" => (standardize(&x), y),
        other => panic!("unknown data {other}"),
    }
}

/// The reference script's weights: 1 + (i % 5) / 2.
fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.0 + (i % 5) as f64 * 0.5)
}

fn assert_coef_close(what: &str, got: &Array1<f64>, want: &Array1<f64>) {
    let scale = want.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= COEF_TOL * scale,
            "{what}: coef[{j}] = {g}, scikit-learn {w} (scale {scale})\n got {got}\nwant {want}"
        );
    }
}

fn assert_scalar_close(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs().max(1.0),
        "{what}: {got} against scikit-learn {want}"
    );
}

fn tight_enet(case: &Value) -> ElasticNet {
    ElasticNet::default()
        .with_alpha(case["alpha"].as_f64().unwrap())
        .with_l1_ratio(case["l1_ratio"].as_f64().unwrap())
        .with_fit_intercept(case["fit_intercept"].as_bool().unwrap())
        .with_positive(case["positive"].as_bool().unwrap())
        .with_tol(1e-12)
        .with_max_iter(1_000_000)
}

#[test]
fn single_fits_match_scikit_learn_on_diabetes_in_both_formulations() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let raw = data("raw");
    let std = data("std");
    for case in cases {
        let (x, y) = if case["data"] == "raw" { &raw } else { &std };
        let w = weights(x.nrows());
        let w = case["weighted"].as_bool().unwrap().then(|| w.view());
        let want_coef = vec1(&case["coef"]);
        let want_b = case["intercept"].as_f64().unwrap();
        let what = format!(
            "{} {} alpha={} l1_ratio={} fit_intercept={} weighted={} positive={}",
            case["estimator"],
            case["data"],
            case["alpha"],
            case["l1_ratio"],
            case["fit_intercept"],
            case["weighted"],
            case["positive"]
        );
        for precompute in [Precompute::Always, Precompute::Never] {
            let what = format!("{what} {precompute:?}");
            let enet = tight_enet(case).with_precompute(precompute);
            let (coef, b, converged, nnz) = if case["estimator"] == "Lasso" {
                let lasso = Lasso::default()
                    .with_alpha(enet.alpha)
                    .with_fit_intercept(enet.fit_intercept)
                    .with_positive(enet.positive)
                    .with_tol(enet.tol)
                    .with_max_iter(enet.max_iter)
                    .with_precompute(precompute);
                let m = lasso.fit_weighted(x.view(), y.view(), w).unwrap();
                (
                    m.coef().clone(),
                    m.intercept(),
                    m.converged(),
                    m.n_nonzero(),
                )
            } else {
                let m = enet.fit_weighted(x.view(), y.view(), w).unwrap();
                (
                    m.coef().clone(),
                    m.intercept(),
                    m.converged(),
                    m.n_nonzero(),
                )
            };
            assert!(converged, "{what}: did not converge");
            assert_coef_close(&what, &coef, &want_coef);
            let b_scale = want_coef.iter().fold(want_b.abs(), |m, v| m.max(v.abs()));
            assert!(
                (b - want_b).abs() <= COEF_TOL * b_scale.max(1.0),
                "{what}: intercept {b} against scikit-learn {want_b}"
            );
            assert_eq!(
                nnz,
                case["n_nonzero"].as_u64().unwrap() as usize,
                "{what}: non-zero count, coef {coef}"
            );
            if case["positive"].as_bool().unwrap() {
                assert!(coef.iter().all(|c| *c >= 0.0), "{what}: {coef}");
            }
        }
    }
}

#[test]
fn paths_match_scikit_learn_grid_and_coefficients() {
    let doc = fixture();
    let paths = doc["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 4);
    for case in paths {
        let (x, y) = data(case["data"].as_str().unwrap());
        let w = weights(x.nrows());
        let w = case["weighted"].as_bool().unwrap().then(|| w.view());
        let l1_ratio = case["l1_ratio"].as_f64().unwrap();
        let positive = case["positive"].as_bool().unwrap();
        let grid = Alphas::Grid {
            n_alphas: case["n_alphas"].as_u64().unwrap() as usize,
            eps: case["eps"].as_f64().unwrap(),
        };
        let what = format!(
            "path on {} l1_ratio={l1_ratio} weighted={} positive={positive}",
            case["data"], case["weighted"]
        );
        let params = ElasticNet::default()
            .with_l1_ratio(l1_ratio)
            .with_positive(positive)
            .with_tol(1e-12)
            .with_max_iter(1_000_000);
        let path = params.path(x.view(), y.view(), w, &grid).unwrap();
        let want_alphas = vec1(&case["alphas"]);
        assert_eq!(path.alphas().len(), want_alphas.len(), "{what}");
        for (k, (a, b)) in path.alphas().iter().zip(&want_alphas).enumerate() {
            assert_scalar_close(&format!("{what}: alpha[{k}]"), *a, *b, 1e-12);
        }
        let coefs = case["coefs"].as_array().unwrap();
        let intercepts = vec1(&case["intercepts"]);
        for (k, want) in coefs.iter().enumerate() {
            let want = vec1(want);
            let got = path.coefs().row(k).to_owned();
            assert_coef_close(&format!("{what}: alpha[{k}]"), &got, &want);
            let scale = want.iter().fold(intercepts[k].abs(), |m, v| m.max(v.abs()));
            assert!(
                (path.intercepts()[k] - intercepts[k]).abs() <= COEF_TOL * scale.max(1.0),
                "{what}: intercept[{k}]"
            );
            assert!(path.converged()[k], "{what}: alpha[{k}] did not converge");
        }
        // alpha_max is the smallest alpha with every coefficient zero.
        assert!(path.coefs().row(0).iter().all(|c| *c == 0.0), "{what}");
        assert!(path.coefs().row(1).iter().any(|c| *c != 0.0), "{what}");
    }
}

#[test]
fn lasso_path_given_alphas_sorts_them_and_equals_single_fits() {
    let (x, y) = data("std");
    let alphas = vec![0.5, 5.0, 0.05];
    let lasso = Lasso::default().with_tol(1e-12).with_max_iter(100_000);
    let path = lasso
        .path(x.view(), y.view(), None, &Alphas::Values(alphas))
        .unwrap();
    assert_eq!(path.alphas().to_vec(), vec![5.0, 0.5, 0.05]);
    for (k, &a) in path.alphas().iter().enumerate() {
        let single = lasso.with_alpha(a).fit(x.view(), y.view()).unwrap();
        assert_coef_close(
            &format!("alpha {a}"),
            &path.coefs().row(k).to_owned(),
            single.coef(),
        );
        assert!((path.intercepts()[k] - single.intercept()).abs() < 1e-6);
    }
    assert_eq!(path.n_iters().len(), 3);
    assert!(path.dual_gaps().iter().all(|g| g.is_finite()));
}

/// A standard normal draw (Box–Muller), to keep the tests free of a distributions crate.
fn gauss(rng: &mut KilnRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-300);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn check_data() -> (Array2<f64>, Array1<f64>) {
    // The suite's own linear data, plus one feature of pure noise so the L1 part has work.
    let mut rng = rng_from_seed(7);
    let n = 50;
    let x = Array2::from_shape_fn((n, 5), |_| gauss(&mut rng));
    let y = Array1::from_shape_fn(n, |i| {
        10.0 + 1.5 * x[[i, 0]] - 2.0 * x[[i, 1]]
            + 0.5 * x[[i, 2]]
            + 3.0 * x[[i, 3]]
            + 0.1 * gauss(&mut rng)
    });
    (x, y)
}

#[test]
fn lasso_passes_the_estimator_suite() {
    let (x, y) = check_data();
    // A tight tolerance so that "weight 2 equals a duplicated row" compares two optima, not two
    // stopping points of the iterations.
    let base = Lasso::default()
        .with_alpha(0.1)
        .with_tol(1e-14)
        .with_max_iter(100_000);
    for precompute in [Precompute::Always, Precompute::Never] {
        let p = base.with_precompute(precompute);
        Checker::new(p)
            .regression_data(x.clone(), y.clone())
            .invalid_param(p.with_alpha(-1.0), "alpha")
            .invalid_param(p.with_alpha(f64::NAN), "alpha")
            .invalid_param(p.with_max_iter(0), "max_iter")
            .invalid_param(p.with_tol(-1e-4), "tol")
            .tolerance(1e-8)
            .check_regressor()
            .assert_passed();
    }
}

#[test]
fn elastic_net_passes_the_estimator_suite() {
    let (x, y) = check_data();
    let base = ElasticNet::default()
        .with_alpha(0.1)
        .with_tol(1e-14)
        .with_max_iter(100_000);
    for p in [
        base,
        base.with_precompute(Precompute::Never),
        base.with_positive(true),
        base.with_selection(Selection::Random).with_seed(3),
    ] {
        Checker::new(p)
            .regression_data(x.clone(), y.clone())
            .invalid_param(p.with_alpha(-0.5), "alpha")
            .invalid_param(p.with_l1_ratio(1.5), "l1_ratio")
            .invalid_param(p.with_l1_ratio(f64::NAN), "l1_ratio")
            .invalid_param(p.with_max_iter(0), "max_iter")
            .invalid_param(p.with_tol(f64::NAN), "tol")
            .tolerance(1e-8)
            .check_regressor()
            .assert_passed();
    }
}

#[test]
fn elastic_net_rejects_bad_parameters_naming_them() {
    let e = ElasticNet::default()
        .with_l1_ratio(-0.1)
        .validate()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the `l1_ratio` parameter of ElasticNet must be a float in the range [0, 1]; got -0.1"
    );
    let e = Lasso::default().with_alpha(-2.0).validate().unwrap_err();
    assert_eq!(e.parameter_name(), Some("alpha"));
    assert!(e.to_string().contains("Lasso"), "{e}");
    // l1_ratio = 0 is ridge by coordinate descent: allowed.
    assert!(ElasticNet::default().with_l1_ratio(0.0).validate().is_ok());
}

#[test]
fn bad_data_gives_typed_errors() {
    let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
    let y = array![1.0, 2.0, 3.0];
    let m = Lasso::default();
    assert!(matches!(
        m.fit(x.view(), array![1.0, 2.0].view()),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        m.fit(x.view(), array![1.0, f64::NAN, 3.0].view()),
        Err(Error::NonFinite { row: 1, .. })
    ));
    let mut bad = x.clone();
    bad[[2, 1]] = f64::INFINITY;
    assert!(matches!(
        m.fit(bad.view(), y.view()),
        Err(Error::NonFinite {
            row: 2,
            col: Some(1),
            ..
        })
    ));
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(matches!(
        m.fit(empty.view(), Array1::zeros(0).view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        m.fit_weighted(x.view(), y.view(), Some(array![1.0, -1.0, 1.0].view())),
        Err(Error::InvalidValue { .. })
    ));
    let fitted = m.fit(x.view(), y.view()).unwrap();
    assert!(matches!(
        fitted.predict(array![[1.0, 2.0, 3.0]].view()),
        Err(Error::FeatureCountMismatch {
            expected: 2,
            got: 3,
            ..
        })
    ));
}

#[test]
fn path_rejects_bad_grids() {
    let (x, y) = (array![[1.0], [2.0], [3.0]], array![1.0, 2.0, 3.5]);
    let enet = ElasticNet::default();
    let name = |a: &Alphas, p: ElasticNet| {
        p.path(x.view(), y.view(), None, a)
            .unwrap_err()
            .parameter_name()
            .map(str::to_owned)
    };
    let grid = |n_alphas, eps| Alphas::Grid { n_alphas, eps };
    assert_eq!(name(&grid(0, 1e-3), enet).as_deref(), Some("n_alphas"));
    assert_eq!(name(&grid(10, 0.0), enet).as_deref(), Some("eps"));
    assert_eq!(
        name(&Alphas::default(), enet.with_l1_ratio(0.0)).as_deref(),
        Some("l1_ratio")
    );
    assert_eq!(
        name(&Alphas::Values(vec![]), enet).as_deref(),
        Some("alphas")
    );
    assert_eq!(
        name(&Alphas::Values(vec![1.0, -1.0]), enet).as_deref(),
        Some("alphas")
    );
    // l1_ratio = 0 works with given alphas.
    assert!(
        enet.with_l1_ratio(0.0)
            .path(x.view(), y.view(), None, &Alphas::Values(vec![0.1]))
            .is_ok()
    );
}

#[test]
fn non_convergence_is_reported_on_the_model() {
    let (x, y) = data("raw");
    let m = Lasso::default()
        .with_alpha(0.01)
        .with_tol(1e-12)
        .with_max_iter(2)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(!m.converged());
    assert_eq!(m.n_iter(), 2);
    assert!(m.dual_gap() > 0.0);
    // The same problem converges given room, with a far smaller gap.
    let ok = Lasso::default()
        .with_alpha(0.01)
        .with_tol(1e-12)
        .with_max_iter(100_000)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(ok.converged());
    assert!(ok.n_iter() > 2);
    assert!(ok.dual_gap() < m.dual_gap());
}

#[test]
fn warm_start_reaches_the_same_optimum_in_fewer_sweeps() {
    let (x, y) = data("std");
    let first: FittedElasticNet = ElasticNet::default()
        .with_alpha(0.2)
        .with_tol(1e-10)
        .fit(x.view(), y.view())
        .unwrap();
    let next = ElasticNet::default().with_alpha(0.15).with_tol(1e-10);
    let cold = next.fit(x.view(), y.view()).unwrap();
    let warm = next.fit_from(&first, x.view(), y.view(), None).unwrap();
    assert_coef_close("warm against cold", warm.coef(), cold.coef());
    assert!(
        warm.n_iter() < cold.n_iter(),
        "{} vs {}",
        warm.n_iter(),
        cold.n_iter()
    );
    // Refitting the same problem from its own optimum needs no sweep at all.
    let again = next.fit_from(&warm, x.view(), y.view(), None).unwrap();
    assert_eq!(again.n_iter(), 0);
    assert_eq!(again.coef(), warm.coef());

    let lasso: FittedLasso = Lasso::default().fit(x.view(), y.view()).unwrap();
    let narrow = x.slice(ndarray::s![.., ..3]).to_owned();
    assert!(matches!(
        Lasso::default().fit_from(&lasso, narrow.view(), y.view(), None),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 10,
            ..
        })
    ));
}

#[test]
fn random_selection_is_seeded_and_reaches_the_cyclic_optimum() {
    let (x, y) = data("std");
    let base = Lasso::default().with_alpha(0.3).with_tol(1e-12);
    let cyclic = base.fit(x.view(), y.view()).unwrap();
    let random = base.with_selection(Selection::Random).with_seed(11);
    let a = random.fit(x.view(), y.view()).unwrap();
    let b = random.fit(x.view(), y.view()).unwrap();
    assert_eq!(a, b);
    assert!(a.converged());
    assert_coef_close("random against cyclic", a.coef(), cyclic.coef());
}

/// Enough rows for several Gram chunks and for the parallel `Xᵀr` of the residual form.
fn large_data() -> (Array2<f64>, Array1<f64>) {
    let mut rng = rng_from_seed(99);
    let (n, p) = (40_000, 8);
    let x = Array2::from_shape_fn((n, p), |(_, j)| 3.0 * j as f64 + gauss(&mut rng));
    let y = Array1::from_shape_fn(n, |i| x[[i, 0]] - 0.5 * x[[i, 3]] + gauss(&mut rng));
    (x, y)
}

#[test]
fn large_fits_are_identical_on_one_and_two_threads() {
    let (x, y) = large_data();
    let w = weights(x.nrows());
    for precompute in [Precompute::Always, Precompute::Never] {
        let m = ElasticNet::default()
            .with_alpha(0.05)
            .with_precompute(precompute);
        let fit_on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| m.fit_weighted(x.view(), y.view(), Some(w.view())).unwrap())
        };
        let one = fit_on(1);
        let two = fit_on(2);
        assert_eq!(one, two, "{precompute:?}");
        assert!(one.converged());
    }
}

#[test]
fn gram_and_residual_formulations_agree_on_large_shifted_data() {
    // Feature means far from zero test the centring of the Gram pass.
    let (x, y) = large_data();
    let x = x + 1e4;
    let m = Lasso::default().with_alpha(0.02).with_tol(1e-12);
    let gram = m
        .with_precompute(Precompute::Always)
        .fit(x.view(), y.view())
        .unwrap();
    let cols = m
        .with_precompute(Precompute::Never)
        .fit(x.view(), y.view())
        .unwrap();
    assert_coef_close("gram against residual", gram.coef(), cols.coef());
    assert!((gram.intercept() - cols.intercept()).abs() < 1e-4 * cols.intercept().abs().max(1.0));
}

#[test]
fn saved_models_keep_names_and_predictions() {
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let y = d.target.values().unwrap();
    let m = ElasticNet::default()
        .with_alpha(0.5)
        .fit(d.x.view(), y.view())
        .unwrap()
        .with_feature_names(d.feature_names.clone())
        .unwrap();
    let named = m.coef_named();
    assert_eq!(named.len(), 10);
    assert_eq!(named[2].name, "bmi");
    assert_eq!(named[2].value, m.coef()[2]);
    let bytes = persist::to_bytes(&m).unwrap();
    let back: FittedElasticNet = persist::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.feature_schema().names(), Some(&d.feature_names[..]));
    assert_eq!(
        back.predict(d.x.view()).unwrap(),
        m.predict(d.x.view()).unwrap()
    );
    // A Lasso file is not an ElasticNet.
    let lasso = Lasso::default().fit(d.x.view(), y.view()).unwrap();
    let bytes = persist::to_bytes(&lasso).unwrap();
    assert!(persist::from_bytes::<FittedElasticNet>(&bytes).is_err());
    assert!(m.clone().with_feature_names(vec!["a".into()]).is_err());
}

#[test]
fn constant_features_and_constant_targets_give_zero_coefficients() {
    let x = array![[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [4.0, 5.0]];
    let m = Lasso::default()
        .with_alpha(0.01)
        .fit(x.view(), array![2.0, 4.0, 6.0, 8.0].view())
        .unwrap();
    assert_eq!(m.coef()[1], 0.0);
    assert!(m.coef()[0] > 1.9);
    let flat = Lasso::default()
        .fit(x.view(), array![3.0, 3.0, 3.0, 3.0].view())
        .unwrap();
    assert_eq!(flat.coef().to_vec(), vec![0.0, 0.0]);
    assert_eq!(flat.intercept(), 3.0);
    assert_eq!(flat.n_iter(), 0);
    assert!(flat.converged());
}
