//! Property tests (issue #15): squared-error tree and forest predictions stay inside the
//! training target's range; save → load predicts bit-identically.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_core::persist;
use kiln_core::{Fit, Predict};
use kiln_tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, EarlyStopping, FittedDecisionTreeClassifier,
    FittedDecisionTreeRegressor, FittedHistGradientBoostingClassifier,
    FittedHistGradientBoostingRegressor, FittedRandomForestRegressor,
    HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestRegressor,
};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(32)
    }
}

/// A regression problem: 4..60 rows, 1..4 features, targets with large and tiny spreads;
/// and a query matrix of 1..20 rows that may lie far outside the training range.
fn problem() -> impl Strategy<Value = (Array2<f64>, Array1<f64>, Array2<f64>)> {
    (4usize..60, 1usize..4, 1usize..20).prop_flat_map(|(n, p, m)| {
        let target = prop_oneof![-1e3..1e3f64, (0i8..3).prop_map(f64::from), 1e9..1e9 + 1.0];
        (
            proptest::collection::vec(-10.0..10.0f64, n * p),
            proptest::collection::vec(target, n),
            proptest::collection::vec(-1e3..1e3f64, m * p),
        )
            .prop_map(move |(x, y, q)| {
                (
                    Array2::from_shape_vec((n, p), x).unwrap(),
                    Array1::from(y),
                    Array2::from_shape_vec((m, p), q).unwrap(),
                )
            })
    })
}

fn assert_in_range(name: &str, y: &Array1<f64>, pred: &Array1<f64>) {
    let lo = y.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Leaf means are averages of targets: allow the rounding of a sum of n terms.
    let slack = 1e-12 * lo.abs().max(hi.abs()) * y.len() as f64;
    for &v in pred {
        assert!(
            v >= lo - slack && v <= hi + slack,
            "{name}: prediction {v} outside [{lo}, {hi}]"
        );
    }
}

fn same_bits(a: &Array1<f64>, b: &Array1<f64>) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tree_regression_predictions_lie_in_target_range((x, y, q) in problem(), depth in 1usize..8) {
        let m = DecisionTreeRegressor::default().with_max_depth(Some(depth)).fit(x.view(), y.view()).unwrap();
        assert_in_range("DecisionTreeRegressor", &y, &m.predict(q.view()).unwrap());
        assert_in_range("DecisionTreeRegressor", &y, &m.predict(x.view()).unwrap());
    }

    #[test]
    fn forest_regression_predictions_lie_in_target_range((x, y, q) in problem(), seed: u64) {
        let m = RandomForestRegressor::default()
            .with_n_estimators(5)
            .with_seed(seed)
            .fit(x.view(), y.view())
            .unwrap();
        assert_in_range("RandomForestRegressor", &y, &m.predict(q.view()).unwrap());
    }

    #[test]
    fn boosting_with_learning_rate_one_and_one_iteration_lies_in_target_range((x, y, q) in problem()) {
        // One squared-error iteration at rate 1 predicts baseline + leaf mean residual = a
        // (regularised) leaf mean of y. Later iterations can overshoot (see
        // docs/reliability.md), as in scikit-learn, so only this case is an invariant.
        let m = HistGradientBoostingRegressor::default()
            .with_max_iter(1)
            .with_learning_rate(1.0)
            .with_early_stopping(EarlyStopping::Off)
            .fit(x.view(), y.view())
            .unwrap();
        assert_in_range("HistGradientBoostingRegressor", &y, &m.predict(q.view()).unwrap());
    }

    #[test]
    fn tree_models_predict_the_same_after_save_and_load((x, y, q) in problem(), seed: u64) {
        let labels = y.mapv(|v| usize::from(v > y.mean().unwrap_or(0.0)));
        prop_assume!(labels.iter().any(|&c| c == 0) && labels.iter().any(|&c| c == 1));

        let t = DecisionTreeRegressor::default().with_seed(seed).fit(x.view(), y.view()).unwrap();
        let back: FittedDecisionTreeRegressor = persist::from_bytes(&persist::to_bytes(&t).unwrap()).unwrap();
        prop_assert!(same_bits(&t.predict(q.view()).unwrap(), &back.predict(q.view()).unwrap()));

        let f = RandomForestRegressor::default().with_n_estimators(3).with_seed(seed).fit(x.view(), y.view()).unwrap();
        let back: FittedRandomForestRegressor = persist::from_bytes(&persist::to_bytes(&f).unwrap()).unwrap();
        prop_assert!(same_bits(&f.predict(q.view()).unwrap(), &back.predict(q.view()).unwrap()));

        let b = HistGradientBoostingRegressor::default().with_max_iter(5).with_seed(seed).fit(x.view(), y.view()).unwrap();
        let back: FittedHistGradientBoostingRegressor = persist::from_bytes(&persist::to_bytes(&b).unwrap()).unwrap();
        prop_assert!(same_bits(&b.predict(q.view()).unwrap(), &back.predict(q.view()).unwrap()));

        let c = DecisionTreeClassifier::default().fit(x.view(), labels.view()).unwrap();
        let back: FittedDecisionTreeClassifier = persist::from_bytes(&persist::to_bytes(&c).unwrap()).unwrap();
        prop_assert_eq!(c.predict(q.view()).unwrap(), back.predict(q.view()).unwrap());

        let hc = HistGradientBoostingClassifier::default().with_max_iter(5).fit(x.view(), labels.view()).unwrap();
        let back: FittedHistGradientBoostingClassifier = persist::from_bytes(&persist::to_bytes(&hc).unwrap()).unwrap();
        prop_assert_eq!(hc.predict(q.view()).unwrap(), back.predict(q.view()).unwrap());
    }
}

/// Regression (found by tests/robustness.rs in the `kiln` crate): targets near 1e150 made
/// the single-precision squared-error gradients overflow and every prediction NaN. They are now a typed
/// error naming the row; targets up to 1e30 still fit to finite predictions.
#[test]
fn boosting_rejects_targets_whose_gradient_sums_would_overflow() {
    let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i * 7 + j) % 13) as f64);
    let y = Array1::from_shape_fn(60, |i| (i as f64 - 30.0) * 1e150);
    let params = HistGradientBoostingRegressor::default()
        .with_max_iter(5)
        .with_early_stopping(EarlyStopping::Off);
    let e = params.fit(x.view(), y.view()).unwrap_err();
    assert!(
        matches!(e, kiln_core::Error::InvalidValue { row: Some(0), .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("rescale"), "{e}");

    let y = y.mapv(|v| v * 1e-122);
    let m = params.fit(x.view(), y.view()).unwrap();
    assert!(m.predict(x.view()).unwrap().iter().all(|v| v.is_finite()));
    // The bound counts sample weights, which scale the gradients.
    let w = Array1::from_elem(60, 1e3);
    assert!(
        params
            .fit_weighted(x.view(), y.view(), Some(w.view()))
            .is_err()
    );
    // Absolute error has bounded gradients and takes the large targets.
    let abs = params
        .clone()
        .with_loss(kiln_tree::RegressionLoss::AbsoluteError);
    let m = abs.fit(x.view(), y.mapv(|v| v * 1e122).view()).unwrap();
    assert!(m.predict(x.view()).unwrap().iter().all(|v| v.is_finite()));
    // ... but not targets near f64's range, whose residuals overflow (found by probing:
    // ±1e308 gave NaN predictions).
    let huge = Array1::from_shape_fn(60, |i| if i % 2 == 0 { -1e308 } else { 1e308 });
    for loss in [
        kiln_tree::RegressionLoss::AbsoluteError,
        kiln_tree::RegressionLoss::Quantile(0.5),
    ] {
        let e = params
            .clone()
            .with_loss(loss)
            .fit(x.view(), huge.view())
            .unwrap_err();
        assert!(e.to_string().contains("rescale"), "{e}");
    }
}
