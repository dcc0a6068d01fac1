//! The histogram split search of the forests (`SplitSearch::Histogram`), against the exact one:
//! where every feature has at most 255 distinct values the bins are the values, and both
//! searches must grow the same trees (same splits of the training rows, same node counts,
//! weights and values); elsewhere the accuracy must stay close. Plus the `Auto` switch, the
//! kiln-check suite and thread independence on the histogram path.

#![expect(
    clippy::unwrap_used,
    reason = "data helpers outside #[test] functions fail loudly on broken inputs"
)]

use kiln_check::{Check, Checker};
use kiln_core::{Fit, Predict, PredictProba};
use kiln_datasets::Dataset;
use kiln_datasets::synthetic::MakeClassification;
use kiln_tree::{
    MaxFeatures, RandomForestClassifier, RandomForestRegressor, SplitSearch, Tree,
    forest::HISTOGRAM_ROWS,
};
use ndarray::{Array1, Array2, s};

/// Each column mapped to `levels` integer levels (equal-width), with NaN put in every 7th
/// row of column 1 and every 11th row of column 4 (missing values both searches must route).
fn quantized(x: &Array2<f64>, levels: f64) -> Array2<f64> {
    let mut q = x.clone();
    for mut col in q.columns_mut() {
        let (lo, hi) = col
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let width = (hi - lo).max(f64::MIN_POSITIVE);
        col.mapv_inplace(|v| ((v - lo) / width * levels).round());
    }
    for i in (0..q.nrows()).step_by(7) {
        q[[i, 1]] = f64::NAN;
    }
    for i in (0..q.nrows()).step_by(11) {
        q[[i, 4]] = f64::NAN;
    }
    q
}

/// The two trees split the training rows the same way: same shape, split features, NaN
/// directions, row counts, weights and values (thresholds may differ: the exact search puts
/// them between the node's values, the histogram one at the bin edges).
fn assert_same_tree(a: &Tree, b: &Tree, what: &str) {
    assert_eq!(a.node_count(), b.node_count(), "{what}: node count");
    for n in 0..a.node_count() {
        assert_eq!(a.children(n), b.children(n), "{what}: node {n}");
        let (sa, sb) = (a.split(n), b.split(n));
        assert_eq!(
            sa.map(|s| (s.0, s.2)),
            sb.map(|s| (s.0, s.2)),
            "{what}: node {n}"
        );
        assert_eq!(a.n_node_samples(n), b.n_node_samples(n), "{what}: node {n}");
        assert_eq!(
            a.weighted_n_node_samples(n),
            b.weighted_n_node_samples(n),
            "{what}: node {n}"
        );
        let (va, vb) = (a.value(n).unwrap(), b.value(n).unwrap());
        for (p, q) in va.iter().zip(vb) {
            assert!(
                (p - q).abs() <= 1e-12 * p.abs().max(1.0),
                "{what}: node {n}: {p} vs {q}"
            );
        }
        let (ia, ib) = (a.impurity(n).unwrap(), b.impurity(n).unwrap());
        assert!(
            (ia - ib).abs() <= 1e-9 * ia.abs().max(1.0),
            "{what}: node {n}: {ia} vs {ib}"
        );
    }
}

#[test]
fn with_few_distinct_values_histograms_grow_the_exact_trees() {
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let x = quantized(&d.x, 40.0);
    let y = d.target.class_indices().unwrap().clone();
    // Gini (and squared error below) with integer counts and weights give bit-identical
    // proxies whether rows are added one at a time or a bin at a time. Entropy's running
    // `x ln x` sums are not (a bin's jump and the same rows' steps round differently), so
    // near-ties may break the other way: it is checked for accuracy below instead.
    let base = RandomForestClassifier::default()
        .with_n_estimators(8)
        .with_seed(3);
    for params in [
        base.clone(),
        base.clone()
            .with_max_depth(Some(4))
            .with_min_samples_leaf(3),
        base.clone().with_max_leaf_nodes(Some(12)),
        base.clone().with_bootstrap(false),
    ] {
        let exact = params
            .clone()
            .with_split_search(SplitSearch::Exact)
            .fit(x.view(), y.view())
            .unwrap();
        let hist = params
            .clone()
            .with_split_search(SplitSearch::Histogram)
            .fit(x.view(), y.view())
            .unwrap();
        for (i, (a, b)) in exact.trees().iter().zip(hist.trees()).enumerate() {
            assert_same_tree(a, b, &format!("{params:?}, tree {i}"));
        }
        // Without bootstrap every training row is in every tree: the same probabilities on
        // them (a row left out of a bootstrap sample may fall between the two thresholds).
        if !params.bootstrap {
            let pa = exact.predict_proba(x.view()).unwrap();
            let pb = hist.predict_proba(x.view()).unwrap();
            assert!(pa.iter().zip(&pb).all(|(p, q)| (p - q).abs() < 1e-12));
        }
    }

    // Regression: diabetes' target is integer-valued, so the sums are exact either way.
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let x = quantized(&d.x, 30.0);
    let y = d.target.values().unwrap().clone();
    let params = RandomForestRegressor::default()
        .with_n_estimators(6)
        .with_max_features(MaxFeatures::Sqrt)
        .with_seed(9);
    let exact = params
        .clone()
        .with_split_search(SplitSearch::Exact)
        .fit(x.view(), y.view())
        .unwrap();
    let hist = params
        .with_split_search(SplitSearch::Histogram)
        .fit(x.view(), y.view())
        .unwrap();
    for (i, (a, b)) in exact.trees().iter().zip(hist.trees()).enumerate() {
        assert_same_tree(a, b, &format!("regressor tree {i}"));
    }
}

#[test]
fn with_continuous_features_histograms_stay_as_accurate() {
    // breast_cancer's features have up to 500+ distinct values: bins merge some of them.
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let y = d.target.class_indices().unwrap().clone();
    let (xt, yt) = (d.x.slice(s![..400, ..]), y.slice(s![..400]));
    let (xv, yv) = (d.x.slice(s![400.., ..]), y.slice(s![400..]));
    for criterion in [
        kiln_tree::ClassificationCriterion::Gini,
        kiln_tree::ClassificationCriterion::Entropy,
    ] {
        let acc = |split: SplitSearch| {
            let m = RandomForestClassifier::default()
                .with_n_estimators(30)
                .with_criterion(criterion)
                .with_split_search(split)
                .fit(xt, yt)
                .unwrap();
            let p = m.predict(xv).unwrap();
            p.iter().zip(yv).filter(|(a, b)| a == b).count() as f64 / p.len() as f64
        };
        let (exact, hist) = (acc(SplitSearch::Exact), acc(SplitSearch::Histogram));
        assert!(hist > 0.9, "{criterion:?}: histogram accuracy {hist}");
        assert!(
            (exact - hist).abs() <= 0.03,
            "{criterion:?}: exact {exact} vs histogram {hist}"
        );
    }
}

#[test]
fn auto_uses_histograms_from_the_documented_row_count() {
    let (x, y) = MakeClassification::default()
        .with_n_samples(HISTOGRAM_ROWS)
        .with_n_features(4)
        .with_n_informative(3)
        .with_n_redundant(0)
        .with_seed(2)
        .generate()
        .unwrap();
    let y: Array1<usize> = y;
    let params = RandomForestClassifier::default()
        .with_n_estimators(2)
        .with_max_depth(Some(3));
    let fit = |split: SplitSearch, n: usize| {
        params
            .clone()
            .with_split_search(split)
            .fit(x.slice(s![..n, ..]), y.slice(s![..n]))
            .unwrap()
    };
    let n = HISTOGRAM_ROWS;
    assert_eq!(
        fit(SplitSearch::Auto, n).trees(),
        fit(SplitSearch::Histogram, n).trees()
    );
    assert_ne!(
        fit(SplitSearch::Exact, n).trees(),
        fit(SplitSearch::Histogram, n).trees()
    );
    assert_eq!(
        fit(SplitSearch::Auto, n - 1).trees(),
        fit(SplitSearch::Exact, n - 1).trees()
    );
}

#[test]
fn histogram_forests_pass_the_suite_and_ignore_the_thread_count() {
    let c = RandomForestClassifier::default()
        .with_n_estimators(5)
        .with_split_search(SplitSearch::Histogram);
    Checker::new(c.clone())
        .invalid_param(c.clone().with_n_estimators(0), "n_estimators")
        .skip(
            Check::SampleWeightEquivalence,
            "bootstrap draws depend on n_samples (tests/forest.rs)",
        )
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
    let r = RandomForestRegressor::default()
        .with_n_estimators(5)
        .with_split_search(SplitSearch::Histogram);
    Checker::new(r.clone())
        .invalid_param(r.clone().with_n_estimators(0), "n_estimators")
        .skip(
            Check::SampleWeightEquivalence,
            "bootstrap draws depend on n_samples (tests/forest.rs)",
        )
        .allows_missing()
        .check_regressor()
        .assert_passed();
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let y = d.target.class_indices().unwrap().clone();
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                c.clone()
                    .with_oob_score(true)
                    .fit(d.x.view(), y.view())
                    .unwrap()
            })
    };
    assert_eq!(on(1), on(2));
}

#[test]
fn params_saved_before_split_search_existed_load_as_auto() {
    let json = serde_json::to_value(RandomForestClassifier::default()).unwrap();
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("split_search");
    let back: RandomForestClassifier = serde_json::from_value(old).unwrap();
    assert_eq!(back.split_search, SplitSearch::Auto);
    assert_eq!(back, RandomForestClassifier::default());
}

#[test]
fn single_trees_search_on_histograms_too() {
    use kiln_tree::{DecisionTreeClassifier, DecisionTreeRegressor};
    // Few distinct values: the same tree, and the same predictions on the training rows.
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let x = quantized(&d.x, 40.0);
    let y = d.target.class_indices().unwrap().clone();
    for params in [
        DecisionTreeClassifier::default(),
        DecisionTreeClassifier::default().with_max_leaf_nodes(Some(10)),
        DecisionTreeClassifier::default()
            .with_max_features(MaxFeatures::Sqrt)
            .with_seed(4),
    ] {
        let exact = params
            .clone()
            .with_split_search(SplitSearch::Exact)
            .fit(x.view(), y.view())
            .unwrap();
        let hist = params
            .clone()
            .with_split_search(SplitSearch::Histogram)
            .fit(x.view(), y.view())
            .unwrap();
        assert_same_tree(exact.tree(), hist.tree(), &format!("{params:?}"));
        assert_eq!(
            exact.predict(x.view()).unwrap(),
            hist.predict(x.view()).unwrap()
        );
    }
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let x = quantized(&d.x, 30.0);
    let y = d.target.values().unwrap().clone();
    let exact = DecisionTreeRegressor::default()
        .with_split_search(SplitSearch::Exact)
        .fit(x.view(), y.view())
        .unwrap();
    let hist = DecisionTreeRegressor::default()
        .with_split_search(SplitSearch::Histogram)
        .fit(x.view(), y.view())
        .unwrap();
    assert_same_tree(exact.tree(), hist.tree(), "regression tree");
    assert_eq!(
        exact.predict(x.view()).unwrap(),
        hist.predict(x.view()).unwrap()
    );

    // The suite on the histogram path.
    let c = DecisionTreeClassifier::default().with_split_search(SplitSearch::Histogram);
    Checker::new(c.clone())
        .invalid_param(c.clone().with_max_depth(Some(0)), "max_depth")
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
    let r = DecisionTreeRegressor::default().with_split_search(SplitSearch::Histogram);
    Checker::new(r.clone())
        .invalid_param(r.clone().with_max_depth(Some(0)), "max_depth")
        .allows_missing()
        .check_regressor()
        .assert_passed();

    // Auto switches at HISTOGRAM_ROWS.
    let (x, y) = MakeClassification::default()
        .with_n_samples(HISTOGRAM_ROWS)
        .with_n_features(4)
        .with_n_informative(3)
        .with_n_redundant(0)
        .with_seed(5)
        .generate()
        .unwrap();
    let fit = |split: SplitSearch, n: usize| {
        DecisionTreeClassifier::default()
            .with_max_depth(Some(4))
            .with_split_search(split)
            .fit(x.slice(s![..n, ..]), y.slice(s![..n]))
            .unwrap()
            .tree()
            .clone()
    };
    let n = HISTOGRAM_ROWS;
    assert_eq!(fit(SplitSearch::Auto, n), fit(SplitSearch::Histogram, n));
    assert_ne!(fit(SplitSearch::Exact, n), fit(SplitSearch::Histogram, n));
    assert_eq!(
        fit(SplitSearch::Auto, n - 1),
        fit(SplitSearch::Exact, n - 1)
    );
    // For regression, Auto stays exact at any size.
    let target = x.column(0).mapv(|v| (3.0 * v).round());
    let fit = |split: SplitSearch| {
        DecisionTreeRegressor::default()
            .with_max_depth(Some(3))
            .with_split_search(split)
            .fit(x.slice(s![.., 1..]), target.view())
            .unwrap()
            .tree()
            .clone()
    };
    assert_eq!(fit(SplitSearch::Auto), fit(SplitSearch::Exact));
    assert_ne!(fit(SplitSearch::Auto), fit(SplitSearch::Histogram));
}
