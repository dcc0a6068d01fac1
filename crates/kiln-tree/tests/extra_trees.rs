//! Extremely randomized trees (`ExtraTreesClassifier`, `ExtraTreesRegressor`, and the
//! `Splitter::Random` decision trees): the kiln-check suite, the random split rule checked
//! against the training rows that reach each node, the distribution of the thresholds,
//! missing values, thread independence and persistence. Held-out accuracy / R² against
//! scikit-learn's spread is in `tests/forest.rs` (fixture `forest.json`).

#![expect(
    clippy::unwrap_used,
    reason = "data helpers outside #[test] functions fail loudly on broken inputs"
)]

use kiln_check::{Check, Checker};
use kiln_core::{Error, Fit, Predict, PredictProba, persist};
use kiln_tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
    FittedExtraTreesClassifier, FittedRandomForestClassifier, ForestClassWeight, MaxFeatures,
    MaxSamples, Splitter, Tree,
};
use ndarray::{Array1, Array2, array};

mod common;
use common::{BOOTSTRAP_WEIGHTS, cancer, diabetes, on_threads};

fn small_classifier() -> ExtraTreesClassifier {
    ExtraTreesClassifier::default().with_n_estimators(10)
}

fn small_regressor() -> ExtraTreesRegressor {
    ExtraTreesRegressor::default().with_n_estimators(10)
}

#[test]
fn classifier_passes_the_suite() {
    let d = small_classifier();
    Checker::new(d.clone())
        .invalid_param(d.clone().with_n_estimators(0), "n_estimators")
        .invalid_param(d.clone().with_max_depth(Some(0)), "max_depth")
        .invalid_param(d.clone().with_min_samples_leaf(0), "min_samples_leaf")
        .invalid_param(d.clone().with_min_samples_split(1), "min_samples_split")
        .invalid_param(
            d.clone().with_max_features(MaxFeatures::Fraction(1.5)),
            "max_features",
        )
        .invalid_param(d.clone().with_oob_score(true), "oob_score")
        .invalid_param(
            d.clone().with_max_samples(MaxSamples::Count(3)),
            "max_samples",
        )
        .invalid_param(
            d.clone()
                .with_class_weight(ForestClassWeight::Given([(0, -1.0)].into_iter().collect())),
            "class_weight",
        )
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn bootstrapped_classifier_passes_the_suite() {
    let params = small_classifier()
        .with_bootstrap(true)
        .with_oob_score(true)
        .with_class_weight(ForestClassWeight::BalancedSubsample)
        .with_criterion(kiln_tree::ClassificationCriterion::Entropy);
    Checker::new(params.clone())
        .invalid_param(
            params.clone().with_max_samples(MaxSamples::Fraction(0.0)),
            "max_samples",
        )
        .skip(Check::SampleWeightEquivalence, BOOTSTRAP_WEIGHTS)
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn regressor_passes_the_suite() {
    let d = small_regressor();
    Checker::new(d.clone())
        .invalid_param(d.clone().with_n_estimators(0), "n_estimators")
        .invalid_param(
            d.clone().with_max_features(MaxFeatures::Count(0)),
            "max_features",
        )
        .invalid_param(
            d.clone().with_min_impurity_decrease(-1.0),
            "min_impurity_decrease",
        )
        .allows_missing()
        .check_regressor()
        .assert_passed();
    let best_first = small_regressor().with_max_leaf_nodes(Some(8));
    Checker::new(best_first.clone())
        .invalid_param(best_first.with_max_leaf_nodes(Some(1)), "max_leaf_nodes")
        .allows_missing()
        .check_regressor()
        .assert_passed();
}

#[test]
fn random_splitter_trees_pass_the_suite() {
    let c = DecisionTreeClassifier::default().with_splitter(Splitter::Random);
    Checker::new(c.clone())
        .invalid_param(c.with_max_depth(Some(0)), "max_depth")
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
    let r = DecisionTreeRegressor::default().with_splitter(Splitter::Random);
    Checker::new(r.clone())
        .invalid_param(r.with_ccp_alpha(-1.0), "ccp_alpha")
        .allows_missing()
        .check_regressor()
        .assert_passed();
}

/// Checks every internal node of `tree` against the rows of `x` that reach it (all rows
/// reach the root: trees grown without bootstrap): its threshold lies in `[min, max)` of
/// those rows' non-missing values of its feature, so both children get rows (or equals
/// `min = max` when the node has missing values, which then make up one side), and its
/// recorded row count is theirs. Returns the number of nodes checked.
fn check_thresholds(tree: &Tree, x: &Array2<f64>) -> usize {
    let mut stack = vec![(0usize, (0..x.nrows()).collect::<Vec<_>>())];
    let mut checked = 0;
    while let Some((node, rows)) = stack.pop() {
        assert_eq!(tree.n_node_samples(node), Some(rows.len()));
        let Some((f, t, missing_left)) = tree.split(node) else {
            continue;
        };
        let vals: Vec<f64> = rows
            .iter()
            .map(|&r| x[[r, f]])
            .filter(|v| !v.is_nan())
            .collect();
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let missing = vals.len() < rows.len();
        assert!(
            lo <= t && (t < hi || (missing && t == lo && lo == hi)),
            "node {node}: threshold {t} not in [{lo}, {hi})"
        );
        let (l, r) = tree.children(node).unwrap();
        let (left, right): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&i| {
            let v = x[[i, f]];
            if v.is_nan() { missing_left } else { v <= t }
        });
        stack.push((l, left));
        stack.push((r, right));
        checked += 1;
    }
    checked
}

#[test]
fn every_threshold_lies_within_the_values_reaching_its_node() {
    let (x, y) = cancer();
    let forest = small_classifier().fit(x.view(), y.view()).unwrap();
    for tree in forest.trees() {
        assert!(check_thresholds(tree, &x) > 5);
    }
    let (x, y) = diabetes();
    let forest = small_regressor()
        .with_min_samples_leaf(5)
        .fit(x.view(), y.view())
        .unwrap();
    for tree in forest.trees() {
        assert!(check_thresholds(tree, &x) > 5);
    }
}

#[test]
fn thresholds_are_uniform_between_the_node_minimum_and_maximum() {
    // Two rows at 0 and 1 of different classes: every tree is one split at a threshold
    // drawn uniformly in [0, 1), so over 400 trees the mean is 1/2 (std 1/sqrt(12 · 400) =
    // 0.014) and a quarter of them lie below 1/4 (std 0.022).
    let x = array![[0.0], [1.0]];
    let y = array![0usize, 1];
    let forest = ExtraTreesClassifier::default()
        .with_n_estimators(400)
        .with_seed(3)
        .fit(x.view(), y.view())
        .unwrap();
    let t: Vec<f64> = forest
        .trees()
        .iter()
        .map(|tree| tree.split(0).unwrap().1)
        .collect();
    assert!(t.iter().all(|&v| (0.0..1.0).contains(&v)));
    let mean = t.iter().sum::<f64>() / t.len() as f64;
    let below = t.iter().filter(|&&v| v < 0.25).count() as f64 / t.len() as f64;
    assert!((mean - 0.5).abs() < 0.06, "mean threshold {mean}");
    assert!((below - 0.25).abs() < 0.09, "fraction below 1/4: {below}");
    // Every tree separates the two rows, so the forest is certain on both.
    let p = forest.predict_proba(x.view()).unwrap();
    assert_eq!(p, array![[1.0, 0.0], [0.0, 1.0]]);
}

#[test]
fn missing_values_go_to_a_side_drawn_at_random() {
    // One feature with a third of it missing: every root splits it, and sends the missing
    // rows left in some trees and right in others.
    let n = 60;
    let x = Array2::from_shape_fn(
        (n, 1),
        |(i, _)| {
            if i % 3 == 0 { f64::NAN } else { i as f64 }
        },
    );
    let y = Array1::from_shape_fn(n, |i| usize::from(i >= n / 2));
    let forest = ExtraTreesClassifier::default()
        .with_n_estimators(50)
        .fit(x.view(), y.view())
        .unwrap();
    let sides: Vec<bool> = forest
        .trees()
        .iter()
        .map(|t| t.split(0).unwrap().2)
        .collect();
    assert!(sides.iter().any(|&s| s) && sides.iter().any(|&s| !s));
    for tree in forest.trees() {
        check_thresholds(tree, &x);
    }
    // A missing value at predict follows the learned sides: the forest's NaN prediction is
    // the mean, over trees, of the leaf each tree's missing rows reached.
    let p = forest.predict_proba(array![[f64::NAN]].view()).unwrap();
    assert!((p.sum() - 1.0).abs() < 1e-12);
}

#[test]
fn forests_are_identical_on_one_and_two_threads() {
    // Large enough that the root's features are scanned in parallel.
    let (x, y) = cancer();
    let tall = ndarray::concatenate(ndarray::Axis(0), &[x.view(); 40]).unwrap();
    let ty = ndarray::concatenate(ndarray::Axis(0), &[y.view(); 40]).unwrap();
    let params = small_classifier()
        .with_n_estimators(4)
        .with_max_features(MaxFeatures::All)
        .with_seed(11);
    let one = on_threads(1, || params.fit(tall.view(), ty.view()).unwrap());
    let two = on_threads(2, || params.fit(tall.view(), ty.view()).unwrap());
    assert_eq!(one, two);
    assert_ne!(one.trees()[0], one.trees()[1]);
    let (x, y) = diabetes();
    let params = small_regressor().with_bootstrap(true).with_oob_score(true);
    let one = on_threads(1, || params.fit(x.view(), y.view()).unwrap());
    let two = on_threads(2, || params.fit(x.view(), y.view()).unwrap());
    assert_eq!(one, two);
}

#[test]
fn random_thresholds_differ_from_the_best_ones() {
    // Same rows, same features at every split: the best splitter's trees are all the same
    // tree, the random splitter's are not, and each random tree fits its data less well.
    let (x, y) = cancer();
    let best = DecisionTreeClassifier::default()
        .with_max_depth(Some(2))
        .fit(x.view(), y.view())
        .unwrap();
    let random = DecisionTreeClassifier::default()
        .with_max_depth(Some(2))
        .with_splitter(Splitter::Random)
        .fit(x.view(), y.view())
        .unwrap();
    assert_ne!(best.tree(), random.tree());
    let acc = |p: Array1<usize>| p.iter().zip(&y).filter(|(a, b)| a == b).count();
    assert!(
        acc(best.predict(x.view()).unwrap()) >= acc(random.predict(x.view()).unwrap()),
        "a depth-2 tree of the best splits fits its training data at least as well"
    );
}

#[test]
fn saved_forests_load_as_their_own_kind_only() {
    let (x, y) = cancer();
    let forest = small_classifier().fit(x.view(), y.view()).unwrap();
    let bytes = persist::to_bytes(&forest).unwrap();
    let back: FittedExtraTreesClassifier = persist::from_bytes(&bytes).unwrap();
    assert_eq!(back, forest);
    assert_eq!(
        back.predict_proba(x.view()).unwrap(),
        forest.predict_proba(x.view()).unwrap()
    );
    assert_eq!(back.params(), &small_classifier());
    // A random forest has the same fitted layout, but not the same kind.
    let err = persist::from_bytes::<FittedRandomForestClassifier>(&bytes).unwrap_err();
    assert!(matches!(err, Error::ModelFormat { .. }), "{err:?}");
}

#[test]
fn huge_values_and_values_closer_than_an_f32_step_route_as_at_fit() {
    // The search reads values rounded up to f32: huge values land on a coarse f32 grid, and
    // values closer than an f32 step become equal. The rows each split sent left at fit must
    // still be the rows the tree sends left at predict (checked by walking the data). Values
    // beyond f32's range are an error (`values_beyond_the_f32_range_are_an_error...`).
    let n = 200;
    let x = Array2::from_shape_fn((n, 2), |(i, j)| match (i % 4, j) {
        (0, 0) => 3e38 + i as f64 * 1e22,
        (1, 0) => -3e38 - i as f64 * 1e22,
        (_, 0) => i as f64,
        (_, _) => 1.0 + (i as f64) * 1e-12,
    });
    let y = Array1::from_shape_fn(n, |i| usize::from(i % 3 == 0));
    let forest = small_classifier()
        .with_max_features(MaxFeatures::All)
        .fit(x.view(), y.view())
        .unwrap();
    for tree in forest.trees() {
        check_thresholds(tree, &x);
    }
    let p = forest.predict_proba(x.view()).unwrap();
    assert!(p.iter().all(|v| v.is_finite()));
}

#[test]
fn bad_input_gives_typed_errors() {
    let x = array![[f64::NAN, 1.0], [f64::NAN, 2.0], [f64::NAN, 3.0]];
    // An all-missing column is never split on; the other one is.
    let f = small_classifier()
        .with_max_features(MaxFeatures::All)
        .fit(x.view(), array![0usize, 1, 1].view())
        .unwrap();
    assert!(f.trees().iter().all(|t| t.split(0).unwrap().0 == 1));
    // A single class gives a one-leaf forest that predicts it.
    let one = small_classifier()
        .fit(x.view(), array![4usize, 4, 4].view())
        .unwrap();
    assert_eq!(one.predict(x.view()).unwrap().to_vec(), vec![4, 4, 4]);
    let inf = array![[f64::INFINITY, 1.0], [0.0, 2.0]];
    assert!(matches!(
        small_regressor().fit(inf.view(), array![1.0, 2.0].view()),
        Err(Error::NonFinite { .. })
    ));
    let fitted = small_regressor()
        .fit(x.view(), array![1.0, 2.0, 3.0].view())
        .unwrap();
    assert!(matches!(
        fitted.predict(array![[1.0]].view()),
        Err(Error::FeatureCountMismatch { .. })
    ));
    assert!(matches!(
        small_classifier()
            .with_max_features(MaxFeatures::Count(3))
            .fit(x.view(), array![0usize, 1, 1].view()),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn values_beyond_the_f32_range_are_an_error_not_one_rounded_value() {
    // The random splitter's thresholds are f32: 1e39 .. 6e39 would all round to f32's end,
    // and the trees could not split them (they predicted one class for all). Refused, as
    // scikit-learn refuses them; the exact splitter fits them.
    let x = Array2::from_shape_fn((6, 1), |(i, _)| (i + 1) as f64 * 1e39);
    let y = array![0usize, 1, 0, 1, 0, 1];
    let yr = array![0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let errors = [
        ExtraTreesClassifier::default()
            .with_n_estimators(5)
            .fit(x.view(), y.view())
            .map(|_| ())
            .unwrap_err(),
        ExtraTreesRegressor::default()
            .with_n_estimators(5)
            .fit(x.view(), yr.view())
            .map(|_| ())
            .unwrap_err(),
        DecisionTreeRegressor::default()
            .with_splitter(Splitter::Random)
            .fit(x.view(), yr.view())
            .map(|_| ())
            .unwrap_err(),
    ];
    for err in errors {
        assert!(
            matches!(&err, Error::InvalidValue { row: Some(0), reason, .. }
                if reason.contains("3.4e38")),
            "{err}"
        );
    }
    let exact = DecisionTreeRegressor::default()
        .fit(x.view(), yr.view())
        .unwrap();
    assert_eq!(exact.predict(x.view()).unwrap(), yr);
}
