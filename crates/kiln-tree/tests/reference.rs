//! Decision trees against scikit-learn 1.9.1 (fixture written by
//! `tests/reference/tree_reference.py`): identical splits, thresholds, values and
//! importances on depth-limited trees without ties, the cost-complexity pruning path, and
//! held-out accuracy / R² within the spread scikit-learn shows across data splits (on
//! breast_cancer, penguins, diabetes and german_credit with its categorical columns coded).

#![expect(
    clippy::unwrap_used,
    reason = "fixture-reading helpers outside #[test] functions fail loudly on a broken fixture"
)]

use kiln_core::{Fit, Predict};
use kiln_datasets::Dataset;
use kiln_tree::{
    ClassWeight, ClassificationCriterion, DecisionTreeClassifier, DecisionTreeRegressor, Tree,
};
use ndarray::{Array1, Array2, Axis};
use serde_json::Value;

mod common;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tree.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn dataset(name: &str) -> Dataset {
    Dataset::from_name(name).unwrap()
}

enum Y {
    Classes(Array1<usize>),
    Values(Array1<f64>),
}

/// The data set's numeric columns (or the named subset), with the fixture's missing rule.
fn load(case: &Value, rule: &Value) -> (Array2<f64>, Y) {
    let data = dataset(case["dataset"].as_str().unwrap())
        .load_numeric()
        .unwrap();
    let mut x = match case["columns"].as_array() {
        Some(cols) => {
            let idx: Vec<usize> = cols
                .iter()
                .map(|c| {
                    let c = c.as_str().unwrap();
                    data.feature_names.iter().position(|n| n == c).unwrap()
                })
                .collect();
            data.x.select(Axis(1), &idx)
        }
        None => data.x.clone(),
    };
    if case["missing_rule"].as_bool() == Some(true) {
        for r in rule.as_array().unwrap() {
            let (j, m, rem) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
                r[2].as_u64().unwrap() as usize,
            );
            for i in (0..x.nrows()).filter(|i| i % m == rem) {
                x[[i, j]] = f64::NAN;
            }
        }
    }
    let y = match data.target.class_indices() {
        Some(y) => Y::Classes(y.clone()),
        None => Y::Values(data.target.values().unwrap().clone()),
    };
    (x, y)
}

fn classifier(params: &Value) -> DecisionTreeClassifier {
    let mut p = DecisionTreeClassifier::default();
    if params["criterion"].as_str() == Some("entropy") {
        p = p.with_criterion(ClassificationCriterion::Entropy);
    }
    if params["class_weight"].as_str() == Some("balanced") {
        p = p.with_class_weight(ClassWeight::Balanced);
    }
    common(params, |d, l, m| {
        p.clone()
            .with_max_depth(d)
            .with_min_samples_leaf(l)
            .with_max_leaf_nodes(m)
    })
}

fn regressor(params: &Value) -> DecisionTreeRegressor {
    common(params, |d, l, m| {
        DecisionTreeRegressor::default()
            .with_max_depth(d)
            .with_min_samples_leaf(l)
            .with_max_leaf_nodes(m)
    })
}

fn common<P>(params: &Value, make: impl Fn(Option<usize>, usize, Option<usize>) -> P) -> P {
    let get = |k: &str| params[k].as_u64().map(|v| v as usize);
    make(
        get("max_depth"),
        get("min_samples_leaf").unwrap_or(1),
        get("max_leaf_nodes"),
    )
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

/// Compares a kiln tree with scikit-learn's `tree_` arrays, node by node.
fn assert_same_tree(name: &str, t: &Tree, importances: &Array1<f64>, sk: &Value) {
    let left = sk["children_left"].as_array().unwrap();
    assert_eq!(t.node_count(), left.len(), "{name}: node count");
    let feature = sk["feature"].as_array().unwrap();
    let threshold = floats(&sk["threshold"]);
    let missing = sk["missing_go_to_left"].as_array().unwrap();
    let impurity = floats(&sk["impurity"]);
    let n_samples = sk["n_node_samples"].as_array().unwrap();
    let w_samples = floats(&sk["weighted_n_node_samples"]);
    let values = sk["value"].as_array().unwrap();
    let right = sk["children_right"].as_array().unwrap();
    for i in 0..left.len() {
        let sk_children = match (left[i].as_i64().unwrap(), right[i].as_i64().unwrap()) {
            (-1, _) => None,
            (l, r) => Some((l as usize, r as usize)),
        };
        assert_eq!(t.children(i), sk_children, "{name}: children of node {i}");
        if let Some((f, thr, ml)) = t.split(i) {
            assert_eq!(
                f as i64,
                feature[i].as_i64().unwrap(),
                "{name}: feature of node {i}"
            );
            // scikit-learn stores X as float32; its thresholds are midpoints of f32 values.
            assert!(
                close(thr, threshold[i], 1e-6),
                "{name}: threshold of node {i}: {thr} vs {}",
                threshold[i]
            );
            assert_eq!(
                ml,
                missing[i].as_bool().unwrap(),
                "{name}: missing side of node {i}"
            );
        }
        assert_eq!(
            t.n_node_samples(i).unwrap() as u64,
            n_samples[i].as_u64().unwrap(),
            "{name}: samples of node {i}"
        );
        assert!(close(
            t.weighted_n_node_samples(i).unwrap(),
            w_samples[i],
            1e-12
        ));
        let imp = t.impurity(i).unwrap();
        assert!(
            close(imp, impurity[i], 1e-9),
            "{name}: impurity of node {i}: {imp} vs {}",
            impurity[i]
        );
        let sk_value = floats(&values[i]);
        let value = t.value(i).unwrap();
        assert_eq!(value.len(), sk_value.len());
        for (a, b) in value.iter().zip(&sk_value) {
            assert!(
                close(*a, *b, 1e-12),
                "{name}: value of node {i}: {value:?} vs {sk_value:?}"
            );
        }
    }
    let sk_imp = floats(&sk["feature_importances"]);
    assert!(
        (importances.sum() - 1.0).abs() < 1e-12,
        "{name}: importances sum"
    );
    for (j, (a, b)) in importances.iter().zip(&sk_imp).enumerate() {
        assert!(
            (a - b).abs() < 1e-9,
            "{name}: importance of feature {j}: {a} vs {b}"
        );
    }
}

#[test]
fn depth_limited_trees_without_ties_match_scikit_learn_node_for_node() {
    let fx = fixture();
    let cases = fx["structure"].as_array().unwrap();
    assert!(cases.len() >= 12, "the fixture lost cases: {}", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (x, y) = load(case, &fx["missing_rule"]);
        let w = case.get("sample_weight").map(|w| Array1::from(floats(w)));
        match y {
            Y::Classes(y) => {
                let m = classifier(&case["params"])
                    .fit_weighted(x.view(), y.view(), w.as_ref().map(|w| w.view()))
                    .unwrap();
                assert_same_tree(name, m.tree(), m.feature_importances(), &case["tree"]);
            }
            Y::Values(y) => {
                let m = regressor(&case["params"])
                    .fit_weighted(x.view(), y.view(), w.as_ref().map(|w| w.view()))
                    .unwrap();
                assert_same_tree(name, m.tree(), m.feature_importances(), &case["tree"]);
            }
        }
    }
}

#[test]
fn pruning_path_and_pruned_trees_match_scikit_learn() {
    let fx = fixture();
    let cases = fx["ccp"].as_array().unwrap();
    assert!(cases.len() >= 2);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (x, y) = load(case, &fx["missing_rule"]);
        let sk_alphas = floats(&case["ccp_alphas"]);
        let sk_imp = floats(&case["impurities"]);
        let path = match &y {
            Y::Classes(y) => classifier(&case["params"])
                .cost_complexity_pruning_path(x.view(), y.view(), None)
                .unwrap(),
            Y::Values(y) => regressor(&case["params"])
                .cost_complexity_pruning_path(x.view(), y.view(), None)
                .unwrap(),
        };
        assert_eq!(
            path.ccp_alphas.len(),
            sk_alphas.len(),
            "{name}: path length"
        );
        for (k, (a, b)) in path.ccp_alphas.iter().zip(&sk_alphas).enumerate() {
            assert!(close(*a, *b, 1e-9), "{name}: alpha {k}: {a} vs {b}");
        }
        for (k, (a, b)) in path.impurities.iter().zip(&sk_imp).enumerate() {
            assert!(close(*a, *b, 1e-9), "{name}: impurity {k}: {a} vs {b}");
        }
        for pruned in case["pruned"].as_array().unwrap() {
            let alpha = pruned["ccp_alpha"].as_f64().unwrap();
            let label = format!("{name} at ccp_alpha={alpha}");
            match &y {
                Y::Classes(y) => {
                    let m = classifier(&case["params"])
                        .with_ccp_alpha(alpha)
                        .fit(x.view(), y.view())
                        .unwrap();
                    assert_same_tree(&label, m.tree(), m.feature_importances(), &pruned["tree"]);
                }
                Y::Values(y) => {
                    let m = regressor(&case["params"])
                        .with_ccp_alpha(alpha)
                        .fit(x.view(), y.view())
                        .unwrap();
                    assert_same_tree(&label, m.tree(), m.feature_importances(), &pruned["tree"]);
                }
            }
        }
    }
}

fn accuracy(a: &Array1<usize>, b: &Array1<usize>) -> f64 {
    a.iter().zip(b).filter(|(p, q)| p == q).count() as f64 / a.len() as f64
}

fn r2(y: &Array1<f64>, pred: &Array1<f64>) -> f64 {
    let mean = y.mean().unwrap();
    let ss_res: f64 = y.iter().zip(pred).map(|(a, b)| (a - b).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|a| (a - mean).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

#[test]
fn held_out_scores_lie_within_scikit_learns_spread() {
    let fx = fixture();
    for case in fx["heldout"].as_array().unwrap() {
        let name = case["dataset"].as_str().unwrap();
        let (mut x, y) = load(case, &Value::Null);
        if case["encoded"].as_bool() == Some(true) {
            x = common::encoded_x(dataset(name));
        }
        let mut scores = Vec::new();
        for test in case["test_indices"].as_array().unwrap() {
            let test: Vec<usize> = test
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let train: Vec<usize> = (0..x.nrows()).filter(|i| !test.contains(i)).collect();
            let (xtr, xte) = (x.select(Axis(0), &train), x.select(Axis(0), &test));
            let s = match &y {
                Y::Classes(y) => {
                    let m = DecisionTreeClassifier::default()
                        .fit(xtr.view(), y.select(Axis(0), &train).view())
                        .unwrap();
                    accuracy(&m.predict(xte.view()).unwrap(), &y.select(Axis(0), &test))
                }
                Y::Values(y) => {
                    let m = DecisionTreeRegressor::default()
                        .fit(xtr.view(), y.select(Axis(0), &train).view())
                        .unwrap();
                    r2(&y.select(Axis(0), &test), &m.predict(xte.view()).unwrap())
                }
            };
            scores.push(s);
        }
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let (sk_mean, sk_std) = (
            case["mean"].as_f64().unwrap(),
            case["std"].as_f64().unwrap(),
        );
        // The spread across ten splits is the standard deviation over (split, seed) pairs;
        // the mean over ten splits must lie within one of scikit-learn's.
        assert!(
            (mean - sk_mean).abs() <= sk_std,
            "{name}: kiln mean {mean:.4} vs scikit-learn {sk_mean:.4} ± {sk_std:.4} ({scores:?})"
        );
        println!("{name}: kiln mean {mean:.4} vs scikit-learn {sk_mean:.4} ± {sk_std:.4}");
    }
}
