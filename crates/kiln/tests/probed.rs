//! Regressions found by adversarial probing of the model and metric crates (2026-11-27):
//! inputs that used to give a panic, an abort or a silent NaN/inf and must now give a typed
//! error (or, for `-0.0` categories, the right answer).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: failing the test is its job"
)]

use std::collections::BTreeMap;

use kiln::cluster::KMeans;
use kiln::linear::{Lasso, LinearRegression, LogisticRegression, Ridge};
use kiln::metrics::bootstrap::Bootstrap;
use kiln::metrics::ranking::{CalibrationStrategy, calibration_curve, expected_calibration_error};
use kiln::prelude::*;
use kiln::tree::{
    ClassWeight, DecisionTreeRegressor, EarlyStopping, HistGradientBoostingClassifier,
    HistGradientBoostingRegressor, RandomForestRegressor, RegressionLoss, Scoring,
};
use ndarray::{Array1, Array2, array};

fn data(n: usize) -> (Array2<f64>, Array1<f64>, Array1<usize>) {
    let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * 7 + j * 3) % 17) as f64 - 8.0);
    let y = Array1::from_shape_fn(n, |i| x[[i, 0]] * 2.0 + x[[i, 1]]);
    let labels = y.mapv(|v| usize::from(v > 0.0));
    (x, y, labels)
}

fn is_invalid_value(e: &Error) -> bool {
    matches!(e, Error::InvalidValue { .. })
}

#[test]
fn weights_whose_sum_overflows_are_an_error() {
    let (x, y, _) = data(400);
    let w = Array1::from_elem(400, 1e308);
    let e = DecisionTreeRegressor::default()
        .fit_weighted(x.view(), y.view(), Some(w.view()))
        .unwrap_err();
    assert!(
        is_invalid_value(&e) && e.to_string().contains("rescale"),
        "{e}"
    );
    let e = Lasso::default()
        .fit_weighted(x.view(), y.view(), Some(w.view()))
        .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
    let e = KMeans::default()
        .with_n_clusters(3)
        .fit_weighted(x.view(), Some(w.view()))
        .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
}

#[test]
fn values_whose_squares_overflow_are_an_error_not_nan() {
    let (x, y, labels) = data(400);
    let huge_y = y.mapv(|v| v * 1e306 + 1e307);
    for e in [
        LinearRegression::default()
            .fit(x.view(), huge_y.view())
            .map(|_| ())
            .unwrap_err(),
        Ridge::default()
            .fit(x.view(), huge_y.view())
            .map(|_| ())
            .unwrap_err(),
        Lasso::default()
            .fit(x.view(), huge_y.view())
            .map(|_| ())
            .unwrap_err(),
        DecisionTreeRegressor::default()
            .fit(x.view(), huge_y.view())
            .map(|_| ())
            .unwrap_err(),
        RandomForestRegressor::default()
            .with_n_estimators(3)
            .fit(x.view(), huge_y.view())
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert!(is_invalid_value(&e), "{e}");
        assert!(e.to_string().contains('y'), "{e}");
    }
    let huge_x = x.mapv(|v| v * 1e160);
    let e = KMeans::default()
        .with_n_clusters(3)
        .fit(huge_x.view())
        .map(|_| ())
        .unwrap_err();
    assert!(
        is_invalid_value(&e) && e.to_string().contains("rescale"),
        "{e}"
    );
    let e = LogisticRegression::default()
        .fit(huge_x.view(), labels.view())
        .map(|_| ())
        .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
    // Large but safe magnitudes still fit to finite models.
    let big = y.mapv(|v| v * 1e100);
    let m = LinearRegression::default()
        .fit(x.view(), big.view())
        .unwrap();
    assert!(m.predict(x.view()).unwrap().iter().all(|v| v.is_finite()));
}

#[test]
fn a_negative_zero_category_is_category_zero() {
    let x = Array2::from_shape_fn((200, 1), |(i, _)| (i % 2) as f64);
    let y = Array1::from_shape_fn(200, |i| if i % 2 == 0 { 10.0 } else { 0.0 });
    let m = HistGradientBoostingRegressor::default()
        .with_categorical_features(vec![0])
        .with_max_iter(30)
        .with_learning_rate(0.5)
        .fit(x.view(), y.view())
        .unwrap();
    let p = m.predict(array![[0.0], [-0.0]].view()).unwrap();
    assert_eq!(p[0], p[1]);
    assert!((p[0] - 10.0).abs() < 1e-3, "{p}");
    // Training rows holding -0.0 land in the same bin as 0.0.
    let mixed = Array2::from_shape_fn((200, 1), |(i, _)| match i % 4 {
        0 => 0.0,
        2 => -0.0,
        _ => 1.0,
    });
    let m2 = HistGradientBoostingRegressor::default()
        .with_categorical_features(vec![0])
        .with_max_iter(30)
        .with_learning_rate(0.5)
        .fit(mixed.view(), y.view())
        .unwrap();
    assert_eq!(m2.predict(x.view()).unwrap(), m.predict(x.view()).unwrap());
}

#[test]
fn boosting_rejects_a_scorer_of_the_other_task_and_all_zero_class_weights() {
    let (x, y, labels) = data(400);
    let e = HistGradientBoostingRegressor::default()
        .with_early_stopping(EarlyStopping::On)
        .with_scoring(Scoring::Accuracy)
        .fit(x.view(), y.view())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.parameter_name(), Some("scoring"), "{e}");
    let e = HistGradientBoostingClassifier::default()
        .with_early_stopping(EarlyStopping::On)
        .with_scoring(Scoring::R2)
        .fit(x.view(), labels.view())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.parameter_name(), Some("scoring"), "{e}");
    let zero = ClassWeight::Given(BTreeMap::from([(0, 0.0), (1, 0.0)]));
    let e = HistGradientBoostingClassifier::default()
        .with_class_weight(zero)
        .fit(x.view(), labels.view())
        .map(|_| ())
        .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
    // Poisson needs a positive target that carries weight.
    let yp = Array1::from_shape_fn(400, |i| if i == 0 { 3.0 } else { 0.0 });
    let mut w = Array1::from_elem(400, 1.0);
    w[0] = 0.0;
    let e = HistGradientBoostingRegressor::default()
        .with_loss(RegressionLoss::Poisson)
        .fit_weighted(x.view(), yp.view(), Some(w.view()))
        .map(|_| ())
        .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
}

#[test]
fn sizes_no_allocation_can_serve_are_errors_not_aborts() {
    let y = array![0usize, 1, 0, 1];
    let p = array![0.1, 0.8, 0.3, 0.6];
    let e = expected_calibration_error(y.view(), p.view(), usize::MAX, None).unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_bins"), "{e}");
    let e = calibration_curve(y.view(), p.view(), usize::MAX, CalibrationStrategy::Uniform)
        .unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_bins"), "{e}");
    let mean = |rows: &[usize]| Ok(rows.len() as f64);
    assert!(
        Bootstrap::default()
            .with_n_resamples(usize::MAX)
            .interval(5, mean)
            .is_err()
    );
    assert!(Bootstrap::default().interval(usize::MAX, mean).is_err());
    assert!(
        Bootstrap::default()
            .resample_indices(usize::MAX, 0)
            .is_err()
    );
    let e = Bootstrap::default()
        .interval(5, |_| Ok(f64::INFINITY))
        .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
    let (x, y, _) = data(20);
    let e = RandomForestRegressor::default()
        .with_n_estimators(usize::MAX)
        .fit(x.view(), y.view())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_estimators"), "{e}");
}

#[test]
fn r2_does_not_depend_on_the_scale_even_near_overflow() {
    // Found by probing: values around 1e200 gave NaN (as in scikit-learn); R² is scale-free.
    let t = array![1.0, 2.0, 3.0, 4.5, 5.0];
    let p = array![1.1, 1.9, 3.2, 4.4, 5.3];
    let small = kiln::metrics::regression::r2(t.view(), p.view(), None).unwrap();
    let big = kiln::metrics::regression::r2(
        t.mapv(|v| v * 1e200).view(),
        p.mapv(|v| v * 1e200).view(),
        None,
    )
    .unwrap();
    assert!((small - big).abs() < 1e-12, "{small} {big}");
}

/// A splitter that returns the folds it was given (a user's custom splitter).
struct Given(Vec<kiln::prep::split::Fold>);

impl kiln::prep::split::Splitter for Given {
    fn n_splits(&self) -> usize {
        self.0.len()
    }
    fn folds(
        &self,
        _: usize,
        _: Option<ndarray::ArrayView1<'_, usize>>,
        _: Option<ndarray::ArrayView1<'_, usize>>,
    ) -> Result<Vec<kiln::prep::split::Fold>> {
        Ok(self.0.clone())
    }
}

fn ridge_r2() -> kiln::select::scorer::Scorer<kiln::linear::FittedRidge, f64> {
    kiln::select::scorer::Scorer::from_predictions(
        "r2",
        kiln::select::scorer::Direction::Maximize,
        |t: ndarray::ArrayView1<'_, f64>, p: ndarray::ArrayView1<'_, f64>, w| {
            kiln::metrics::regression::r2(t, p, w)
        },
    )
}

#[test]
fn selection_rejects_no_folds_and_nan_scores() {
    use kiln::select::cv::{CvOptions, cross_validate};
    use kiln::select::importance::{PermutationOptions, permutation_importance};
    let (x, y, _) = data(40);
    let opts = CvOptions::default();
    let e = cross_validate(
        &Ridge::default(),
        x.view(),
        y.view(),
        &Given(vec![]),
        &[ridge_r2()],
        &opts,
    )
    .map(|_| ())
    .unwrap_err();
    assert!(matches!(e, Error::EmptyInput { .. }), "{e}");
    // A test fold of one row: R² is undefined (NaN), which is now an error naming the scorer.
    let one = kiln::prep::split::Fold {
        train: (1..40).collect(),
        test: vec![0],
    };
    let e = cross_validate(
        &Ridge::default(),
        x.view(),
        y.view(),
        &Given(vec![one]),
        &[ridge_r2()],
        &opts,
    )
    .map(|_| ())
    .unwrap_err();
    assert!(
        is_invalid_value(&e) && e.to_string().contains("`r2`"),
        "{e}"
    );
    let m = Ridge::default().fit(x.view(), y.view()).unwrap();
    let e = permutation_importance(
        &m,
        x.view(),
        y.view(),
        &[ridge_r2()],
        &PermutationOptions::default().with_n_repeats(usize::MAX),
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_repeats"), "{e}");
    let e = permutation_importance(
        &m,
        x.slice(ndarray::s![..1, ..]),
        y.slice(ndarray::s![..1]),
        &[ridge_r2()],
        &PermutationOptions::default(),
    )
    .map(|_| ())
    .unwrap_err();
    assert!(is_invalid_value(&e), "{e}");
}

#[test]
fn monitoring_rejects_overflowing_values_instead_of_returning_nan() {
    use kiln::monitor::distance::{Binning, bin_edges, chi2_contingency};
    use kiln::monitor::stats::{energy_distance, wasserstein_distance};
    assert!(bin_edges(&[1.7e308, -1.7e308, 0.0], &Binning::Uniform { n_bins: 4 }).is_err());
    assert!(bin_edges(&[0.0, 1.0], &Binning::Uniform { n_bins: 1 << 40 }).is_err());
    assert!(wasserstein_distance(&[1e308, -1e308], &[1.7e308, -1.7e308]).is_err());
    assert!(energy_distance(&[1e308, -1e308], &[1.7e308, -1.7e308]).is_err());
    assert!(chi2_contingency(&[1e308, 1e308], &[1e308, 1.0]).is_err());
    // Ordinary inputs are unchanged.
    assert_eq!(
        bin_edges(&[1.0, 2.0, 3.0, 4.0, 5.0], &Binning::Uniform { n_bins: 2 }).unwrap(),
        [1.0, 3.0, 5.0]
    );
}

#[test]
fn reweighing_keeps_zero_weights_at_zero() {
    use kiln::fairness::groups::{Groups, SensitiveColumn};
    use kiln::fairness::mitigate::reweighing::reweighing;
    // Found by probing: group `a` has no weight, so its cells have no factor; 0 × NaN gave
    // NaN weights.
    let g = Groups::new(
        &[SensitiveColumn::from_strings("s", ["a", "a", "b", "b"]).unwrap()],
        &[],
    )
    .unwrap();
    let r = reweighing(
        array![1usize, 1, 0, 1].view(),
        &g,
        Some(array![0.0, 0.0, 1.0, 1.0].view()),
    )
    .unwrap();
    assert!(r.weights().iter().all(|w| w.is_finite()), "{}", r.weights());
    assert_eq!(r.weights()[0], 0.0);
}

#[test]
fn a_grid_too_large_to_list_is_an_error_not_an_empty_grid() {
    use kiln::select::search::{Grid, GridSearch};
    // Found by probing: 8 axes of 256 values (2^64 candidates) wrapped `len()` to 0.
    let mut grid = Grid::new(Ridge::default());
    for a in 0..8 {
        grid = grid.axis(format!("a{a}"), vec![1.0; 256], |p: Ridge, v| {
            p.with_alpha(v)
        });
    }
    assert_eq!(grid.len(), usize::MAX);
    assert!(!grid.is_empty());
    let (x, y, _) = data(40);
    let e = GridSearch::new(grid)
        .fit(
            x.view(),
            y.view(),
            &kiln::prep::split::KFold::default(),
            &[ridge_r2()],
        )
        .map(|_| ())
        .unwrap_err();
    assert!(
        is_invalid_value(&e) && e.to_string().contains("candidates"),
        "{e}"
    );
}

#[test]
fn quantile_slices_reject_infinite_values() {
    let v = array![1.0, f64::INFINITY, 2.0, 3.0];
    let e = kiln::select::slices::Slices::quantile_bins("x", v.view(), 2).unwrap_err();
    assert!(matches!(e, Error::NonFinite { row: 1, .. }), "{e}");
}

#[test]
fn silhouettes_do_not_depend_on_the_scale_even_near_overflow() {
    // Found by probing: [[0], [1e200], [2e200], [3e200]] with labels [0, 0, 1, 1] gave 0.0
    // (scikit-learn too); the answer is the one of [[0], [1], [2], [3]], 0.4667.
    let x = array![[0.0], [1.0], [2.0], [3.0]];
    let labels = array![0usize, 0, 1, 1];
    let small = kiln::metrics::cluster::silhouette_score(x.view(), labels.view()).unwrap();
    let big_x = x.mapv(|v| v * 1e200);
    let big = kiln::metrics::cluster::silhouette_score(big_x.view(), labels.view()).unwrap();
    assert!(
        (small - big).abs() < 1e-12 && (small - 0.4667).abs() < 1e-3,
        "{small} {big}"
    );
    let via_cluster =
        kiln::cluster::silhouette_score(big_x.view(), labels.view(), None, 0).unwrap();
    assert!((small - via_cluster).abs() < 1e-12, "{small} {via_cluster}");
}
