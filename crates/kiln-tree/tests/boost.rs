//! Behaviour of `HistGradientBoostingClassifier` and `HistGradientBoostingRegressor` through
//! the public API (no reference library): the kiln-check suite, persistence, determinism,
//! early stopping and the per-iteration callback. Typed errors are in `boost_errors.rs`;
//! constraints, TreeSHAP, importances, weights and missing values in `boost_explain.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] functions fail loudly on a broken model or fixture"
)]

use std::ops::ControlFlow;

use kiln_check::{Check, Checker};
use kiln_core::FormatCheck;
use kiln_core::persist;
use kiln_core::random::rng_from_seed;
use kiln_core::{Error, Fit, Predict, PredictProba};
use kiln_tree::{EarlyStopping, FitOptions, Progress, RegressionLoss};
use ndarray::{Array1, s};
use rand::Rng;
mod boost_common;
use boost_common::*;

// ------------------------------------------------------------------ kiln-check suite

/// The invalid values of the shared parameters, for either estimator.
macro_rules! invalid_shared {
    ($checker:expr, $d:expr) => {{
        let d = $d;
        $checker
            .invalid_param(d.clone().with_learning_rate(0.0), "learning_rate")
            .invalid_param(d.clone().with_learning_rate(-0.1), "learning_rate")
            .invalid_param(d.clone().with_max_leaf_nodes(Some(1)), "max_leaf_nodes")
            .invalid_param(d.clone().with_max_bins(0), "max_bins")
            .invalid_param(d.clone().with_max_bins(256), "max_bins")
            .invalid_param(d.clone().with_min_samples_leaf(0), "min_samples_leaf")
            .invalid_param(d.clone().with_max_features(0.0), "max_features")
            .invalid_param(d.clone().with_max_features(1.5), "max_features")
            .invalid_param(d.clone().with_subsample(0.0), "subsample")
            .invalid_param(
                d.clone().with_validation_fraction(Some(1.0)),
                "validation_fraction",
            )
            .invalid_param(
                d.clone().with_monotonic_cst(vec![0, 2, 0, 0]),
                "monotonic_cst",
            )
    }};
}

const ROWS_NOT_WEIGHTS: &str = "min_samples_leaf counts rows, as in scikit-learn, so a row of \
     weight 2 and its duplicate grow different leaves, and a row of weight 0 still counts \
     (and still sets bin thresholds); gradients are stored in f32 (as scikit-learn's), so \
     w·g rounds differently from g + g; integer_weights_equal_duplicated_rows checks the \
     equivalence where it holds";

#[test]
fn classifier_passes_the_suite() {
    let d = clf();
    invalid_shared!(Checker::new(d.clone()), d.clone())
        .allows_missing()
        .skip(Check::SampleWeightEquivalence, ROWS_NOT_WEIGHTS)
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn regressor_passes_the_suite() {
    let d = reg();
    invalid_shared!(Checker::new(d.clone()), d.clone())
        .invalid_param(d.clone().with_loss(RegressionLoss::Quantile(0.0)), "loss")
        .invalid_param(d.clone().with_loss(RegressionLoss::Quantile(1.0)), "loss")
        .allows_missing()
        .skip(Check::SampleWeightEquivalence, ROWS_NOT_WEIGHTS)
        .check_regressor()
        .assert_passed();
}

#[test]
fn randomized_variants_pass_the_suite_including_thread_invariance() {
    // Row subsampling, features per split, held-out validation rows: every random draw must
    // be the same on 1 and 2 threads (the suite's thread_invariance check).
    let (x, y) = binary(200, 5);
    let d = clf()
        .with_subsample(0.5)
        .with_max_features(0.5)
        .with_min_samples_leaf(5)
        .with_early_stopping(EarlyStopping::On)
        .with_n_iter_no_change(3)
        .with_seed(9);
    Checker::new(d.clone())
        .invalid_param(d.clone().with_subsample(1.5), "subsample")
        .classification_data(x, y)
        .allows_missing()
        .skip(Check::SampleWeightEquivalence, ROWS_NOT_WEIGHTS)
        .check_probabilistic_classifier()
        .assert_passed();
    let (x, y) = regression(200, 6);
    let d = reg()
        .with_loss(RegressionLoss::AbsoluteError)
        .with_subsample(0.7)
        .with_max_features(0.5)
        .with_seed(4);
    Checker::new(d.clone())
        .invalid_param(d.clone().with_max_features(-1.0), "max_features")
        .regression_data(x, y)
        .allows_missing()
        .skip(Check::SampleWeightEquivalence, ROWS_NOT_WEIGHTS)
        .check_regressor()
        .assert_passed();
}

// ------------------------------------------------------------------ persistence

#[test]
fn batched_walks_equal_row_by_row_walks_with_and_without_missing_values() {
    // Batches of 64 rows or more walk flattened trees (a block without NaN skips the
    // missing-value test); a single row walks the trees as stored. Same leaves, same sums.
    let (x, y) = regression(400, 9);
    let mut with_nan = x.clone();
    for i in (0..with_nan.nrows()).step_by(7) {
        with_nan[[i, 0]] = f64::NAN;
    }
    let m = reg()
        .with_max_iter(20)
        .fit(with_nan.view(), y.view())
        .unwrap();
    for data in [&x, &with_nan] {
        let batch = m.raw_predict(data.view()).unwrap();
        for (i, &b) in batch.iter().enumerate() {
            let one = m.raw_predict(data.slice(s![i..i + 1, ..])).unwrap();
            assert_eq!(one[0], b, "row {i}");
        }
    }
}

#[test]
fn save_and_load_keep_predictions_probabilities_and_contributions() {
    let (x, y) = multiclass(200, 2);
    let x = with_nan_and_category(&x);
    let m = clf()
        .with_categorical_features(vec![3])
        .fit(x.view(), y.view())
        .unwrap();
    let bytes = persist::to_bytes(&m).unwrap();
    let back: kiln_tree::FittedHistGradientBoostingClassifier =
        persist::from_bytes(&bytes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hgb.kiln");
    persist::save(&m, &path).unwrap();
    let file: kiln_tree::FittedHistGradientBoostingClassifier = persist::load(&path).unwrap();
    for other in [&back, &file] {
        assert_eq!(other, &m);
        assert_eq!(
            other.predict(x.view()).unwrap(),
            m.predict(x.view()).unwrap()
        );
        assert_eq!(
            other.predict_proba(x.view()).unwrap(),
            m.predict_proba(x.view()).unwrap()
        );
        assert_eq!(
            other.feature_contributions(x.view()).unwrap(),
            m.feature_contributions(x.view()).unwrap()
        );
    }
    let err = persist::from_bytes::<kiln_tree::FittedHistGradientBoostingRegressor>(&bytes)
        .expect_err("a classifier is not a regressor");
    assert!(
        matches!(
            err,
            Error::ModelFormat {
                check: FormatCheck::Kind,
                ..
            }
        ),
        "{err:?}"
    );

    let (x, y) = regression(150, 3);
    let r = reg()
        .with_loss(RegressionLoss::Poisson)
        .fit(x.view(), y.mapv(|v| (v + 2.0).max(0.0)).view())
        .unwrap();
    let back: kiln_tree::FittedHistGradientBoostingRegressor =
        persist::from_bytes(&persist::to_bytes(&r).unwrap()).unwrap();
    assert_eq!(
        back.predict(x.view()).unwrap(),
        r.predict(x.view()).unwrap()
    );
    assert_eq!(
        back.feature_contributions(x.view()).unwrap(),
        r.feature_contributions(x.view()).unwrap()
    );
}

// ------------------------------------------------------------------ determinism

#[test]
fn a_seed_gives_one_model_and_other_seeds_other_models() {
    let (x, y) = binary(300, 4);
    let p = clf()
        .with_subsample(0.5)
        .with_max_features(0.5)
        .with_seed(11);
    let a = p.fit(x.view(), y.view()).unwrap();
    let b = p.fit(x.view(), y.view()).unwrap();
    assert_eq!(a, b);
    let c = p.clone().with_seed(12).fit(x.view(), y.view()).unwrap();
    assert_ne!(
        a.decision_function(x.view()).unwrap(),
        c.decision_function(x.view()).unwrap()
    );
    // Without any random option the seed does not matter.
    let plain = clf().with_seed(1).fit(x.view(), y.view()).unwrap();
    let plain2 = clf().with_seed(2).fit(x.view(), y.view()).unwrap();
    assert_eq!(
        plain.decision_function(x.view()).unwrap(),
        plain2.decision_function(x.view()).unwrap()
    );

    let (x, y) = regression(300, 4);
    let p = reg()
        .with_subsample(0.5)
        .with_max_features(0.5)
        .with_seed(3);
    assert_eq!(
        p.fit(x.view(), y.view()).unwrap(),
        p.fit(x.view(), y.view()).unwrap()
    );
}

#[test]
fn one_and_two_threads_give_the_same_model() {
    // rayon is a dependency of kiln-tree, so its integration tests can use it.
    let (x, y) = multiclass(3000, 8);
    let x = with_nan_and_category(&x);
    let p = clf()
        .with_categorical_features(vec![3])
        .with_subsample(0.5)
        .with_max_features(0.5)
        .with_early_stopping(EarlyStopping::On)
        .with_seed(21);
    let on = |n: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap();
        pool.install(|| {
            let m = p.fit(x.view(), y.view()).unwrap();
            let c = m.feature_contributions(x.view()).unwrap();
            (m, c)
        })
    };
    let (m1, c1) = on(1);
    let (m2, c2) = on(2);
    assert_eq!(m1, m2);
    assert_eq!(c1, c2);
}

// ------------------------------------------------------------------ early stopping

/// Whether scikit-learn's rule stops after these scores (higher is better).
fn rule_stops(scores: &[f64], patience: usize, tol: f64) -> bool {
    if scores.len() <= patience {
        return false;
    }
    let reference = scores[scores.len() - patience - 1];
    scores[scores.len() - patience..]
        .iter()
        .all(|&s| s <= reference + tol)
}

/// The recorded scores must show that the fit stopped exactly when the rule first said so.
fn assert_rule(scores: &[f64], n_iter: usize, max_iter: usize, patience: usize, tol: f64) {
    assert_eq!(scores.len(), n_iter + 1);
    for len in 1..scores.len() {
        assert!(
            !rule_stops(&scores[..len], patience, tol),
            "the rule said stop after iteration {} but the fit went on",
            len - 1
        );
    }
    if n_iter < max_iter {
        assert!(rule_stops(scores, patience, tol), "stopped without cause");
    }
}

#[test]
fn early_stopping_on_noise_stops_before_max_iter_by_the_rule() {
    let x = uniform(500, 3, 30);
    let mut rng = rng_from_seed(31);
    let y = Array1::from_shape_fn(500, |_| rng.random_range(-1.0..1.0));
    let m = reg()
        .with_max_iter(200)
        .with_early_stopping(EarlyStopping::On)
        .with_n_iter_no_change(5)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(m.n_iter() < 50, "n_iter {}", m.n_iter());
    assert_rule(m.validation_scores(), m.n_iter(), 200, 5, 1e-7);
    // With a tolerance nothing can beat, it stops after exactly n_iter_no_change.
    let m = reg()
        .with_max_iter(200)
        .with_early_stopping(EarlyStopping::On)
        .with_n_iter_no_change(4)
        .with_tol(1e6)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.n_iter(), 4);

    let (x, y) = binary(600, 32);
    let m = clf()
        .with_max_iter(300)
        .with_learning_rate(0.5)
        .with_early_stopping(EarlyStopping::On)
        .with_n_iter_no_change(3)
        .with_tol(1e-4)
        .fit(x.view(), y.view())
        .unwrap();
    assert_rule(m.validation_scores(), m.n_iter(), 300, 3, 1e-4);
    assert!(m.n_iter() < 300);
    // Scoring on the training rows (no validation fraction) records training scores.
    let m = clf()
        .with_max_iter(300)
        .with_early_stopping(EarlyStopping::On)
        .with_validation_fraction(None)
        .with_n_iter_no_change(2)
        .with_tol(1e-3)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(m.validation_scores().is_empty());
    assert_rule(m.train_scores(), m.n_iter(), 300, 2, 1e-3);
}

#[test]
fn early_stopping_off_runs_max_iter_and_auto_switches_at_ten_thousand_rows() {
    let x = uniform(500, 3, 30);
    let y = Array1::from_shape_fn(500, |i| (i % 5) as f64);
    let m = reg()
        .with_max_iter(37)
        .with_early_stopping(EarlyStopping::Off)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.n_iter(), 37);
    assert!(m.validation_scores().is_empty() && m.train_scores().is_empty());

    let auto = reg()
        .with_max_iter(2)
        .with_max_leaf_nodes(Some(3))
        .with_early_stopping(EarlyStopping::Auto);
    let big = uniform(10_001, 2, 40);
    let yb = big.column(0).to_owned();
    let m = auto.fit(big.view(), yb.view()).unwrap();
    assert_eq!(
        m.validation_scores().len(),
        m.n_iter() + 1,
        "on above 10 000"
    );
    let exact = big.slice(s![..10_000, ..]).to_owned();
    let m = auto
        .fit(exact.view(), yb.slice(s![..10_000]).view())
        .unwrap();
    assert!(m.validation_scores().is_empty(), "off at 10 000 rows");
}

#[test]
fn an_eval_set_replaces_the_held_out_fraction() {
    let (x, y) = regression(400, 50);
    let (xv, yv) = regression(100, 51);
    let m = reg()
        .with_max_iter(15)
        .with_early_stopping(EarlyStopping::On)
        .fit_with(
            x.view(),
            y.view(),
            FitOptions::new().eval_set(xv.view(), yv.view()),
        )
        .unwrap();
    let scores = m.validation_scores();
    assert_eq!(scores.len(), m.n_iter() + 1);
    // No row was held out: the baseline is the mean of all 400 training targets, and the
    // first score is minus half the mean squared error of that constant on the eval set.
    let mean = y.mean().unwrap();
    assert!((m.baseline() - mean).abs() < 1e-12);
    let first = -yv.mapv(|v| 0.5 * (mean - v).powi(2)).mean().unwrap();
    assert!(
        (scores[0] - first).abs() < 1e-12,
        "{} vs {first}",
        scores[0]
    );
    let pred = m.predict(xv.view()).unwrap();
    let last = -(&pred - &yv).mapv(|e| 0.5 * e * e).mean().unwrap();
    assert!((scores[scores.len() - 1] - last).abs() < 1e-12);
}

// ------------------------------------------------------------------ callback

#[test]
fn the_callback_sees_every_iteration_and_can_stop_the_fit() {
    let (x, y) = binary(300, 60);
    let (xv, yv) = binary(80, 61);
    let mut seen: Vec<Progress> = Vec::new();
    let mut record = |p: &Progress| {
        seen.push(*p);
        ControlFlow::Continue(())
    };
    let m = clf()
        .with_max_iter(8)
        .fit_with(
            x.view(),
            y.view(),
            FitOptions::new()
                .eval_set(xv.view(), yv.view())
                .callback(&mut record),
        )
        .unwrap();
    assert_eq!(m.n_iter(), 8);
    assert_eq!(
        seen.iter().map(|p| p.iteration).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    for (k, p) in seen.iter().enumerate() {
        assert!(p.train_score.is_some_and(f64::is_finite));
        assert_eq!(p.validation_score, Some(m.validation_scores()[k + 1]));
    }
    // Training log-loss falls as trees are added.
    assert!(seen[7].train_score > seen[0].train_score);

    let mut stop = |p: &Progress| {
        if p.iteration == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let stopped = clf()
        .with_max_iter(50)
        .fit_with(x.view(), y.view(), FitOptions::new().callback(&mut stop))
        .unwrap();
    assert_eq!(stopped.n_iter(), 3);
    let three = clf().with_max_iter(3).fit(x.view(), y.view()).unwrap();
    assert_eq!(
        stopped.decision_function(x.view()).unwrap(),
        three.decision_function(x.view()).unwrap()
    );
    assert_eq!(stopped.trees(), three.trees());
}
