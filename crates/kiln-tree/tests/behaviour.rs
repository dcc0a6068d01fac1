//! Behaviour of the decision trees beyond the kiln-check suite: bad input, missing values,
//! weights, renderings, paths, and results that do not depend on the thread count on data
//! large enough to take the parallel paths.

use std::time::Instant;

use kiln_core::{Error, Fit, Predict, PredictProba};
use kiln_datasets::synthetic::MakeClassification;
use kiln_tree::{
    ClassWeight, DecisionTreeClassifier, DecisionTreeRegressor, ExportOptions, MaxFeatures,
};
use ndarray::{Array1, Array2, array};

fn xor_like() -> (Array2<f64>, Array1<usize>) {
    let x = array![
        [0.0, 0.0],
        [0.0, 1.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [2.0, 0.0],
        [2.0, 1.0]
    ];
    let y = array![0usize, 1, 1, 0, 0, 1];
    (x, y)
}

#[test]
fn bad_parameters_are_typed_errors_naming_the_parameter() {
    let (x, y) = xor_like();
    let cases = [
        (
            DecisionTreeClassifier::default().with_max_depth(Some(0)),
            "max_depth",
        ),
        (
            DecisionTreeClassifier::default().with_min_samples_leaf(0),
            "min_samples_leaf",
        ),
        (
            DecisionTreeClassifier::default().with_max_features(MaxFeatures::Count(3)),
            "max_features",
        ),
        (
            DecisionTreeClassifier::default().with_max_features(MaxFeatures::Fraction(-0.5)),
            "max_features",
        ),
    ];
    for (params, name) in cases {
        let err = params.fit(x.view(), y.view()).unwrap_err();
        assert_eq!(err.parameter_name(), Some(name), "{err}");
    }
    let err = DecisionTreeClassifier::default()
        .with_max_features(MaxFeatures::Count(3))
        .fit(x.view(), y.view())
        .unwrap_err();
    assert!(err.to_string().contains("n_features=2"), "{err}");
}

#[test]
fn a_single_class_gives_a_one_leaf_tree() {
    let x = array![[1.0], [2.0], [3.0]];
    let y = array![4usize, 4, 4];
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.tree().node_count(), 1);
    assert_eq!(m.classes(), &[4]);
    assert_eq!(m.predict(x.view()).unwrap().to_vec(), vec![4, 4, 4]);
    assert_eq!(m.feature_importances().to_vec(), vec![0.0]);
}

#[test]
fn weights_that_remove_a_class_keep_it_with_probability_zero() {
    let (x, y) = xor_like();
    // Every row of class 1 has weight 0: one effective class remains.
    let w = y.mapv(|c| if c == 1 { 0.0 } else { 1.0 });
    let m = DecisionTreeClassifier::default()
        .fit_weighted(x.view(), y.view(), Some(w.view()))
        .unwrap();
    assert_eq!(m.classes(), &[0, 1]);
    let p = m.predict_proba(x.view()).unwrap();
    assert!(p.column(1).iter().all(|&v| v == 0.0));
    assert_eq!(m.predict(x.view()).unwrap().to_vec(), vec![0; 6]);
    // Class weights of zero for every class leave nothing to fit: a typed error.
    let zero = ClassWeight::Given([(0, 0.0), (1, 0.0)].into_iter().collect());
    let err = DecisionTreeClassifier::default()
        .with_class_weight(zero)
        .fit(x.view(), y.view())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
}

#[test]
fn an_all_nan_column_is_never_split_on() {
    let x = array![
        [f64::NAN, 0.0],
        [f64::NAN, 1.0],
        [f64::NAN, 2.0],
        [f64::NAN, 3.0]
    ];
    let y = array![0usize, 0, 1, 1];
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.tree().split(0), Some((1, 1.5, false)));
    assert_eq!(m.feature_importances().to_vec(), vec![0.0, 1.0]);
    assert_eq!(m.predict(x.view()).unwrap().to_vec(), vec![0, 0, 1, 1]);
}

#[test]
fn missing_values_go_to_the_side_learned_at_fit() {
    // NaN rows belong with the high values: the split must send missing values right.
    let x = array![[1.0], [2.0], [3.0], [10.0], [11.0], [f64::NAN], [f64::NAN]];
    let y = array![0usize, 0, 0, 1, 1, 1, 1];
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.tree().split(0), Some((0, 6.5, false)));
    assert_eq!(
        m.predict(array![[f64::NAN]].view()).unwrap().to_vec(),
        vec![1]
    );
    // With the NaN rows in the low class they go left.
    let y = array![0usize, 0, 0, 1, 1, 0, 0];
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.tree().split(0), Some((0, 6.5, true)));
    assert_eq!(
        m.predict(array![[f64::NAN]].view()).unwrap().to_vec(),
        vec![0]
    );
    // Missing values alone on one side: threshold +inf, non-missing left.
    let y = array![0usize, 0, 0, 0, 0, 1, 1];
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.tree().split(0), Some((0, f64::INFINITY, false)));
}

#[test]
fn nan_unseen_at_fit_goes_to_the_larger_child() {
    let x = array![[1.0], [2.0], [3.0], [4.0], [10.0]];
    let y = array![0.0, 0.0, 0.0, 0.0, 5.0];
    let m = DecisionTreeRegressor::default()
        .with_max_depth(Some(1))
        .fit(x.view(), y.view())
        .unwrap();
    let (_, _, missing_left) = m.tree().split(0).unwrap();
    assert!(missing_left, "4 rows went left, 1 right");
    assert_eq!(
        m.predict(array![[f64::NAN]].view()).unwrap().to_vec(),
        vec![0.0]
    );
}

#[test]
fn infinite_values_are_rejected_with_their_position() {
    let (mut x, y) = xor_like();
    x[[2, 1]] = f64::INFINITY;
    let err = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 2,
                col: Some(1),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn balanced_class_weights_equal_explicit_ones() {
    let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [6.0], [7.0]];
    let y = array![0usize, 0, 0, 0, 0, 0, 1, 1];
    // 8 / (2 · 6) and 8 / (2 · 2).
    let given = ClassWeight::Given([(0, 8.0 / 12.0), (1, 2.0)].into_iter().collect());
    let a = DecisionTreeClassifier::default()
        .with_class_weight(ClassWeight::Balanced)
        .fit(x.view(), y.view())
        .unwrap();
    let b = DecisionTreeClassifier::default()
        .with_class_weight(given)
        .fit(x.view(), y.view())
        .unwrap();
    assert!(a.tree() == b.tree(), "{:?}\n{:?}", a.tree(), b.tree());
    // The root value is balanced: half and half.
    let root = a.tree().value(0).unwrap();
    assert!(
        (root[0] - 0.5).abs() < 1e-15 && (root[1] - 0.5).abs() < 1e-15,
        "{root:?}"
    );
}

#[test]
fn apply_and_decision_path_agree() {
    let (x, y) = xor_like();
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    let leaves = m.apply(x.view()).unwrap();
    let path = m.decision_path(x.view()).unwrap();
    assert_eq!(path.n_rows(), x.nrows());
    for i in 0..x.nrows() {
        let nodes = path.nodes(i);
        assert_eq!(nodes[0], 0);
        assert_eq!(*nodes.last().unwrap(), leaves[i]);
        assert!(m.tree().is_leaf(leaves[i]));
        for pair in nodes.windows(2) {
            let (l, r) = m.tree().children(pair[0]).unwrap();
            assert!(pair[1] == l || pair[1] == r);
        }
    }
}

#[test]
fn best_first_growth_stops_at_max_leaf_nodes() {
    let (x, y) = MakeClassification::default()
        .with_n_samples(500)
        .with_seed(1)
        .generate()
        .unwrap();
    for leaves in [2, 5, 17] {
        let m = DecisionTreeClassifier::default()
            .with_max_leaf_nodes(Some(leaves))
            .fit(x.view(), y.view())
            .unwrap();
        assert_eq!(m.n_leaves(), leaves);
    }
}

#[test]
fn export_text_follows_scikit_learns_layout() {
    let x = array![[1.0, 0.0], [2.0, 0.0], [3.0, 1.0], [4.0, 1.0]];
    let y = array![0usize, 0, 2, 2];
    let m = DecisionTreeClassifier::default()
        .fit(x.view(), y.view())
        .unwrap();
    let opts = ExportOptions::default().with_feature_names(vec!["a".into(), "b".into()]);
    assert_eq!(
        m.export_text(&opts),
        "|--- a <= 2.50\n|   |--- class: 0\n|--- a >  2.50\n|   |--- class: 2\n"
    );
    let named = opts
        .clone()
        .with_class_names(vec!["low".into(), "high".into()]);
    assert!(m.export_text(&named).contains("class: high"));
    let dot = m.export_graphviz(&opts);
    assert!(dot.starts_with("digraph Tree {"), "{dot}");
    assert!(dot.contains("0 [label=\"a <= 2.50\\nmissing = right\\ngini = 0.50\\nsamples = 4"));
    assert!(dot.contains("0 -> 1 [labeldistance=2.5, labelangle=45, headlabel=\"True\"]"));
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn export_text_truncates_below_max_depth() {
    let x = Array2::from_shape_fn((16, 1), |(i, _)| i as f64);
    let y = Array1::from_shape_fn(16, |i| i as f64);
    let m = DecisionTreeRegressor::default()
        .fit(x.view(), y.view())
        .unwrap();
    let text = m.export_text(&ExportOptions::default().with_max_depth(1));
    assert!(text.contains("truncated branch of depth 2"), "{text}");
    assert!(text.starts_with("|--- feature_0 <= 7.50\n"), "{text}");
}

#[test]
fn ccp_alpha_prunes_to_the_path() {
    let (x, y) = MakeClassification::default()
        .with_n_samples(300)
        .with_seed(4)
        .generate()
        .unwrap();
    let p = DecisionTreeClassifier::default();
    let path = p
        .cost_complexity_pruning_path(x.view(), y.view(), None)
        .unwrap();
    let a = &path.ccp_alphas;
    assert_eq!(a[0], 0.0);
    assert!(a.windows(2).into_iter().all(|w| w[0] <= w[1]));
    assert!(
        path.impurities
            .windows(2)
            .into_iter()
            .all(|w| w[0] <= w[1] + 1e-15)
    );
    // The largest alpha prunes to the root.
    let root = p
        .clone()
        .with_ccp_alpha(a[a.len() - 1])
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(root.tree().node_count(), 1);
    let full = p.fit(x.view(), y.view()).unwrap();
    assert!((path.impurities[0] - 0.0).abs() < 1e-12 || full.n_leaves() > 1);
}

#[expect(
    clippy::unwrap_used,
    reason = "a test helper; the generator's params are fixed"
)]
fn large() -> (Array2<f64>, Array1<usize>) {
    let (mut x, y) = MakeClassification::default()
        .with_n_samples(30_000)
        .with_n_features(12)
        .with_n_informative(6)
        .with_seed(9)
        .generate()
        .unwrap();
    // Some missing values, so the parallel scans take both passes.
    for i in (0..x.nrows()).step_by(11) {
        x[[i, 3]] = f64::NAN;
    }
    (x, y)
}

#[test]
fn large_trees_are_identical_on_one_and_two_threads() {
    let (x, y) = large();
    let fit = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let c = DecisionTreeClassifier::default()
                .with_max_features(MaxFeatures::Sqrt)
                .with_seed(5)
                .fit(x.view(), y.view())
                .unwrap();
            let r = DecisionTreeRegressor::default()
                .with_max_depth(Some(12))
                .fit(x.view(), y.mapv(|c| c as f64).view())
                .unwrap();
            (
                c.tree().clone(),
                r.tree().clone(),
                c.predict_proba(x.view()).unwrap(),
            )
        })
    };
    let (a, b) = (fit(1), fit(2));
    // Compared without printing: the trees have thousands of nodes.
    assert!(
        a.0 == b.0,
        "classifier trees differ between 1 and 2 threads"
    );
    assert!(a.1 == b.1, "regressor trees differ between 1 and 2 threads");
    assert!(a.2 == b.2, "probabilities differ between 1 and 2 threads");
    assert!(
        a.0.node_count() > 100,
        "the tree is large enough to take the parallel paths"
    );
}

/// A rough timing on the benchmark shape; run with `--ignored --nocapture`.
#[test]
#[ignore = "timing, not a correctness check"]
fn timing_100k_by_50() {
    let (x, y) = MakeClassification::default()
        .with_n_samples(100_000)
        .with_n_features(50)
        .with_n_informative(10)
        .with_seed(0)
        .generate()
        .unwrap();
    for depth in [Some(10), None] {
        let t = Instant::now();
        let m = DecisionTreeClassifier::default()
            .with_max_depth(depth)
            .fit(x.view(), y.view())
            .unwrap();
        println!(
            "max_depth {depth:?}: {:.2} s, {} nodes, depth {}",
            t.elapsed().as_secs_f64(),
            m.tree().node_count(),
            m.depth()
        );
    }
}
