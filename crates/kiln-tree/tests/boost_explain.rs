//! Monotonic constraints, TreeSHAP contributions, feature importances, sample and class weights
//! and missing values of the boosted models, through the public API.
//!
//! The tree structure is not public; the TreeSHAP brute force and the split-count importance
//! read it from the serde serialization of the fitted model (`model.trees[t].nodes[i]` with
//! `left`, `right`, `feature`, `threshold`, `missing_left`, `value`, `count`), which persistence
//! already relies on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] functions fail loudly on a broken model or fixture"
)]

use kiln_core::{Fit, Predict, PredictProba};
use kiln_tree::{ClassWeight, Importance};
use ndarray::{Array1, Array2, Axis, array, s};
use serde_json::Value;
mod boost_common;
use boost_common::*;

// ------------------------------------------------------------------ monotonic constraints

/// Raw scores along a grid of `feature` for many base rows; checks the direction.
fn assert_monotonic(
    raw: impl Fn(&Array2<f64>) -> Array1<f64>,
    base: &Array2<f64>,
    feature: usize,
    direction: i8,
) {
    let grid: Vec<f64> = (0..=40).map(|k| -2.2 + 0.11 * f64::from(k)).collect();
    for row in base.rows() {
        let mut xs = Array2::zeros((grid.len(), base.ncols()));
        for (k, &g) in grid.iter().enumerate() {
            xs.row_mut(k).assign(&row);
            xs[[k, feature]] = g;
        }
        let r = raw(&xs);
        for k in 1..r.len() {
            let step = r[k] - r[k - 1];
            assert!(
                step * f64::from(direction) >= 0.0,
                "feature {feature} direction {direction}: {} then {}",
                r[k - 1],
                r[k]
            );
        }
    }
}

#[test]
fn monotonic_constraints_hold_along_a_grid() {
    let (x, y) = regression(600, 70);
    let base = uniform(40, 4, 71);
    let free = reg().with_max_iter(30).fit(x.view(), y.view()).unwrap();
    // Unconstrained, the sine in x0 shows: the test can fail.
    let violates = std::panic::catch_unwind(|| {
        assert_monotonic(|g| free.predict(g.view()).unwrap(), &base, 0, 1);
    });
    assert!(violates.is_err(), "the data must be non-monotonic in x0");
    let m = reg()
        .with_max_iter(30)
        .with_monotonic_cst(vec![1, -1, 0, 0])
        .fit(x.view(), y.view())
        .unwrap();
    assert_monotonic(|g| m.predict(g.view()).unwrap(), &base, 0, 1);
    assert_monotonic(|g| m.predict(g.view()).unwrap(), &base, 1, -1);

    let (x, y) = binary(600, 72);
    let m = clf()
        .with_max_iter(30)
        .with_monotonic_cst(vec![-1, 1, 0, 0])
        .fit(x.view(), y.view())
        .unwrap();
    let raw = |g: &Array2<f64>| m.decision_function(g.view()).unwrap().column(0).to_owned();
    assert_monotonic(raw, &base, 0, -1);
    assert_monotonic(raw, &base, 1, 1);
}

// ------------------------------------------------------------------ TreeSHAP

/// The fitted trees from the serialization: per tree, per node (left, right, feature,
/// threshold, missing_left, value, count); `left == None` for a leaf.
type Node = (Option<usize>, usize, usize, f64, bool, f64, f64);

fn trees_of(model: &impl serde::Serialize) -> Vec<Vec<Node>> {
    let v = serde_json::to_value(model).unwrap();
    v["model"]["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n: &Value| {
                    let left = n["left"].as_u64().unwrap();
                    (
                        (left != u64::from(u32::MAX)).then_some(left as usize),
                        n["right"].as_u64().unwrap() as usize,
                        n["feature"].as_u64().unwrap() as usize,
                        n["threshold"].as_f64().unwrap_or(f64::INFINITY),
                        n["missing_left"].as_bool().unwrap(),
                        n["value"].as_f64().unwrap(),
                        n["count"].as_f64().unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

/// The path-dependent value of feature set `set` (a bit mask) for `row` on one tree.
fn tree_value(nodes: &[Node], i: usize, row: &[f64], set: u32) -> f64 {
    let (left, right, f, t, ml, value, _) = nodes[i];
    let Some(left) = left else { return value };
    if set & (1 << f) != 0 {
        let go_left = if row[f].is_nan() { ml } else { row[f] <= t };
        tree_value(nodes, if go_left { left } else { right }, row, set)
    } else {
        let (cl, cr) = (nodes[left].6, nodes[right].6);
        (cl * tree_value(nodes, left, row, set) + cr * tree_value(nodes, right, row, set))
            / (cl + cr)
    }
}

/// Shapley values by enumerating every subset: φ_j = Σ_S |S|!(p−|S|−1)!/p! (v(S∪j) − v(S)).
fn brute_force_shap(trees: &[Vec<Node>], row: &[f64], p: usize) -> Vec<f64> {
    let v = |set: u32| -> f64 { trees.iter().map(|t| tree_value(t, 0, row, set)).sum() };
    let fact = |k: usize| -> f64 { (1..=k).map(|i| i as f64).product() };
    (0..p)
        .map(|j| {
            (0..1u32 << p)
                .filter(|s| s & (1 << j) == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    fact(k) * fact(p - k - 1) / fact(p) * (v(s | 1 << j) - v(s))
                })
                .sum()
        })
        .collect()
}

#[test]
fn contributions_equal_brute_force_shapley_values_on_a_tiny_model() {
    let (x, y) = regression(200, 80);
    let x = x.slice(s![.., ..3]).to_owned();
    let m = reg()
        .with_max_iter(2)
        .with_max_leaf_nodes(Some(4))
        .with_min_samples_leaf(5)
        .fit(x.view(), y.view())
        .unwrap();
    let trees = trees_of(&m);
    assert_eq!(trees.len(), 2);
    let mut used: Vec<usize> = trees
        .iter()
        .flatten()
        .filter(|n| n.0.is_some())
        .map(|n| n.2)
        .collect();
    used.sort_unstable();
    used.dedup();
    assert!(
        used.len() >= 2,
        "the tiny model must split on several features: {used:?}"
    );
    // NaN was not seen at fit: it follows each split's larger child, in both computations.
    let mut probe = uniform(25, 3, 81);
    probe[[0, 0]] = f64::NAN;
    probe[[1, 1]] = f64::NAN;
    probe.row_mut(2).fill(f64::NAN);
    let phi = m.feature_contributions(probe.view()).unwrap();
    let expected: f64 = m.baseline()
        + trees
            .iter()
            .map(|t| tree_value(t, 0, &[0.0; 3], 0))
            .sum::<f64>();
    for (i, row) in probe.rows().into_iter().enumerate() {
        let want = brute_force_shap(&trees, row.as_slice().unwrap(), 3);
        for j in 0..3 {
            assert!(
                (phi[[i, 0, j]] - want[j]).abs() < 1e-12,
                "row {i} feature {j}: {} vs brute force {}",
                phi[[i, 0, j]],
                want[j]
            );
        }
        assert!((phi[[i, 0, 3]] - expected).abs() < 1e-12);
    }
}

#[test]
fn contributions_sum_to_the_raw_scores() {
    let check = |phi: &ndarray::Array3<f64>, raw: &Array2<f64>| {
        assert_eq!(phi.dim().0, raw.nrows());
        assert_eq!(phi.dim().1, raw.ncols());
        let sums = phi.sum_axis(Axis(2));
        assert!(
            max_abs_diff(&sums, raw) < 1e-9,
            "{}",
            max_abs_diff(&sums, raw)
        );
    };
    let cats = vec![3];
    let (x, y) = binary(300, 90);
    let x = with_nan_and_category(&x);
    let mut all_nan = x.slice(s![..3, ..]).to_owned();
    all_nan.fill(f64::NAN);
    let probe = ndarray::concatenate![Axis(0), x, all_nan];
    let m = clf()
        .with_categorical_features(cats.clone())
        .fit(x.view(), y.view())
        .unwrap();
    check(
        &m.feature_contributions(probe.view()).unwrap(),
        &m.decision_function(probe.view()).unwrap(),
    );
    let (x3, y3) = multiclass(300, 91);
    let x3 = with_nan_and_category(&x3);
    let m = clf()
        .with_categorical_features(cats.clone())
        .fit(x3.view(), y3.view())
        .unwrap();
    assert_eq!(m.n_trees_per_iteration(), 3);
    check(
        &m.feature_contributions(probe.view()).unwrap(),
        &m.decision_function(probe.view()).unwrap(),
    );
    let (xr, yr) = regression(300, 92);
    let xr = with_nan_and_category(&xr);
    let m = reg()
        .with_categorical_features(cats)
        .fit(xr.view(), yr.view())
        .unwrap();
    check(
        &m.feature_contributions(probe.view()).unwrap(),
        &m.raw_predict(probe.view()).unwrap().insert_axis(Axis(1)),
    );
}

#[test]
fn a_feature_no_split_uses_contributes_nothing() {
    let (mut x, y) = regression(300, 100);
    x.column_mut(2).fill(1.0);
    let m = reg().fit(x.view(), y.view()).unwrap();
    let phi = m.feature_contributions(x.view()).unwrap();
    assert!(phi.slice(s![.., 0, 2]).iter().all(|&v| v == 0.0));
    assert!(phi.slice(s![.., 0, 0]).iter().any(|&v| v != 0.0));
}

// ------------------------------------------------------------------ importances

#[test]
fn importances_normalize_gain_and_count_splits() {
    let (mut x, y) = regression(400, 110);
    x.column_mut(3).fill(-0.5);
    let m = reg().with_max_iter(20).fit(x.view(), y.view()).unwrap();
    let gain = m.feature_importances(Importance::Gain);
    assert!((gain.sum() - 1.0).abs() < 1e-12);
    assert_eq!(gain[3], 0.0);
    assert!(gain[0] > 0.0 && gain[1] > 0.0);
    let split = m.feature_importances(Importance::Split);
    let mut want = [0.0; 4];
    for tree in trees_of(&m) {
        for node in &tree {
            if node.0.is_some() {
                want[node.2] += 1.0;
            }
        }
    }
    assert_eq!(split.to_vec(), want.to_vec());
    let internal: usize = m
        .trees()
        .iter()
        .map(|t| t.node_count() - t.n_leaves())
        .sum();
    assert_eq!(split.sum(), internal as f64);
    assert_eq!(split[3], 0.0);
}

// ------------------------------------------------------------------ weights

#[test]
fn integer_weights_equal_duplicated_rows() {
    // Rows counted by min_samples_leaf differ between a weight of 3 and three copies, so
    // both fits use min_samples_leaf = 1 and a negligible min_sum_hessian. Targets are
    // integers and the weights sum to 128, so with one iteration every gradient w·(b − y)
    // is exact in f32 and the two fits agree exactly; over more iterations the f32 rounding
    // of w·g against g + g + g (scikit-learn's storage as well) leaves differences of f32
    // precision only.
    let n = 64;
    let x = uniform(n, 3, 120);
    let y = Array1::from_shape_fn(n, |i| ((x[[i, 0]] * 2.0).round() + (i % 3) as f64).abs());
    let w = Array1::from_shape_fn(n, |i| if i % 2 == 0 { 1.0 } else { 3.0 });
    assert_eq!(w.sum(), 128.0);
    let rows: Vec<usize> = (0..n)
        .flat_map(|i| std::iter::repeat_n(i, w[i] as usize))
        .collect();
    let xd = x.select(Axis(0), &rows);
    let yd = y.select(Axis(0), &rows);
    let p = reg()
        .with_min_samples_leaf(1)
        .with_min_sum_hessian(1e-12)
        .with_max_leaf_nodes(Some(8));
    let probe = uniform(50, 3, 121);
    for (iters, tol) in [(1, 1e-12), (10, 1e-6)] {
        let a = p
            .clone()
            .with_max_iter(iters)
            .fit_weighted(x.view(), y.view(), Some(w.view()))
            .unwrap();
        let b = p
            .clone()
            .with_max_iter(iters)
            .fit(xd.view(), yd.view())
            .unwrap();
        let (pa, pb) = (
            a.predict(probe.view()).unwrap(),
            b.predict(probe.view()).unwrap(),
        );
        let worst = pa
            .iter()
            .zip(&pb)
            .map(|(u, v)| (u - v).abs())
            .fold(0.0, f64::max);
        assert!(worst <= tol, "{iters} iterations: {worst:e}");
        assert_eq!(
            a.trees().iter().map(|t| t.n_leaves()).collect::<Vec<_>>(),
            b.trees().iter().map(|t| t.n_leaves()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn balanced_class_weight_equals_its_sample_weights() {
    let (x, y) = multiclass(300, 131);
    let k = 3.0;
    let n = y.len() as f64;
    let count = |c: usize| y.iter().filter(|&&v| v == c).count() as f64;
    assert!(
        count(0) != count(1) || count(1) != count(2),
        "classes must be unbalanced"
    );
    let w = y.mapv(|c| n / (k * count(c)));
    let a = clf()
        .with_class_weight(ClassWeight::Balanced)
        .fit(x.view(), y.view())
        .unwrap();
    let b = clf()
        .fit_weighted(x.view(), y.view(), Some(w.view()))
        .unwrap();
    let unweighted = clf().fit(x.view(), y.view()).unwrap();
    let (da, db) = (
        a.decision_function(x.view()).unwrap(),
        b.decision_function(x.view()).unwrap(),
    );
    assert!(max_abs_diff(&da, &db) < 1e-9, "{}", max_abs_diff(&da, &db));
    assert!(max_abs_diff(&da, &unweighted.decision_function(x.view()).unwrap()) > 1e-3);
}

// ------------------------------------------------------------------ missing values

#[test]
fn nan_unseen_at_fit_goes_to_the_larger_child() {
    // One split on a step at `cut`: the larger child holds the side with more rows.
    for (cut, nan_like) in [(0.7, 0.0), (-0.9, 1.5)] {
        let x = uniform(500, 1, 140);
        let y = x.column(0).mapv(|v| if v > cut { 10.0 } else { 0.0 });
        let m = reg()
            .with_max_iter(1)
            .with_max_leaf_nodes(Some(2))
            .fit(x.view(), y.view())
            .unwrap();
        assert_eq!(m.trees()[0].n_leaves(), 2);
        let p = m.predict(array![[f64::NAN], [nan_like]].view()).unwrap();
        assert_eq!(p[0], p[1], "cut {cut}: NaN must follow the larger child");
    }
    // With several features, rows of NaN only still predict finite values.
    let (x, y) = multiclass(300, 141);
    let m = clf().fit(x.view(), y.view()).unwrap();
    let nan = Array2::from_elem((4, 4), f64::NAN);
    let p = m.predict_proba(nan.view()).unwrap();
    assert!(p.iter().all(|v| v.is_finite()));
    let r = reg()
        .fit(x.view(), y.mapv(|c| c as f64).view())
        .unwrap()
        .predict(nan.view())
        .unwrap();
    assert!(r.iter().all(|v| v.is_finite()));
}
