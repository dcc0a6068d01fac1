//! Random forests: the kiln-check suite, thread independence, importances, out-of-bag
//! scores, parameter errors, and held-out accuracy / R² against scikit-learn 1.9.1's spread
//! across seeds (fixture written by `tests/reference/forest_reference.py`).

#![expect(
    clippy::unwrap_used,
    reason = "data and fixture helpers outside #[test] functions fail loudly on broken inputs"
)]

use kiln_check::{Check, Checker};
use kiln_core::{Error, Fit, Params, Predict};
use kiln_datasets::Dataset;
use kiln_tree::{
    ExtraTreesClassifier, ExtraTreesRegressor, ForestClassWeight, MaxFeatures, MaxSamples,
    RandomForestClassifier, RandomForestRegressor,
};
use ndarray::{Array1, Array2, Axis};
use serde_json::Value;

mod common;
use common::{BOOTSTRAP_WEIGHTS, cancer, diabetes, on_threads};

fn small_classifier() -> RandomForestClassifier {
    RandomForestClassifier::default().with_n_estimators(10)
}

fn small_regressor() -> RandomForestRegressor {
    RandomForestRegressor::default().with_n_estimators(10)
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
        .invalid_param(
            d.clone().with_max_samples(MaxSamples::Count(0)),
            "max_samples",
        )
        .invalid_param(
            d.clone().with_max_samples(MaxSamples::Fraction(1.5)),
            "max_samples",
        )
        .invalid_param(
            d.clone().with_bootstrap(false).with_oob_score(true),
            "oob_score",
        )
        .invalid_param(
            d.clone()
                .with_class_weight(ForestClassWeight::Given([(0, -1.0)].into_iter().collect())),
            "class_weight",
        )
        .skip(Check::SampleWeightEquivalence, BOOTSTRAP_WEIGHTS)
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn classifier_without_bootstrap_passes_the_whole_suite() {
    for params in [
        small_classifier().with_bootstrap(false),
        small_classifier()
            .with_bootstrap(false)
            .with_class_weight(ForestClassWeight::BalancedSubsample)
            .with_max_leaf_nodes(Some(6)),
    ] {
        Checker::new(params.clone())
            .invalid_param(params.with_n_estimators(0), "n_estimators")
            .allows_missing()
            .check_probabilistic_classifier()
            .assert_passed();
    }
}

#[test]
fn classifier_variants_pass_the_suite() {
    for params in [
        small_classifier()
            .with_class_weight(ForestClassWeight::BalancedSubsample)
            .with_oob_score(true),
        small_classifier()
            .with_max_samples(MaxSamples::Fraction(0.5))
            .with_max_depth(Some(3)),
    ] {
        Checker::new(params.clone())
            .invalid_param(params.with_n_estimators(0), "n_estimators")
            .skip(Check::SampleWeightEquivalence, BOOTSTRAP_WEIGHTS)
            .allows_missing()
            .check_probabilistic_classifier()
            .assert_passed();
    }
}

#[test]
fn regressor_passes_the_suite() {
    let d = small_regressor();
    Checker::new(d.clone())
        .invalid_param(d.clone().with_n_estimators(0), "n_estimators")
        .invalid_param(d.clone().with_min_samples_leaf(0), "min_samples_leaf")
        .invalid_param(
            d.clone().with_max_features(MaxFeatures::Count(0)),
            "max_features",
        )
        .invalid_param(
            d.clone().with_max_samples(MaxSamples::Fraction(0.0)),
            "max_samples",
        )
        .invalid_param(
            d.clone()
                .with_bootstrap(false)
                .with_max_samples(MaxSamples::Count(3)),
            "max_samples",
        )
        .skip(Check::SampleWeightEquivalence, BOOTSTRAP_WEIGHTS)
        .allows_missing()
        .check_regressor()
        .assert_passed();
}

#[test]
fn regressor_without_bootstrap_passes_the_whole_suite() {
    let params = small_regressor()
        .with_bootstrap(false)
        .with_max_features(MaxFeatures::Count(2));
    Checker::new(params.clone())
        .invalid_param(params.with_n_estimators(0), "n_estimators")
        .allows_missing()
        .check_regressor()
        .assert_passed();
}

#[test]
fn forests_are_identical_on_one_and_two_threads() {
    let (x, y) = cancer();
    let params = small_classifier().with_oob_score(true).with_seed(11);
    let one = on_threads(1, || params.fit(x.view(), y.view()).unwrap());
    let two = on_threads(2, || params.fit(x.view(), y.view()).unwrap());
    assert_eq!(one, two);
    let (x, y) = diabetes();
    let params = small_regressor()
        .with_seed(5)
        .with_max_features(MaxFeatures::Sqrt);
    let one = on_threads(1, || params.fit(x.view(), y.view()).unwrap());
    let two = on_threads(2, || params.fit(x.view(), y.view()).unwrap());
    assert_eq!(one, two);
    // The trees of one forest are different draws, not copies.
    assert_ne!(one.trees()[0], one.trees()[1]);
}

/// The mean over trees of each row's leaf values, by walking every tree through its public
/// accessors (`split`, `children`, `value`): the reference for the forest's batched walk.
fn mean_by_walking(trees: &[kiln_tree::Tree], x: &Array2<f64>) -> Array2<f64> {
    let n_out = trees[0].n_outputs();
    let mut out = Array2::<f64>::zeros((x.nrows(), n_out));
    for t in trees {
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            let mut i = 0;
            while let Some((f, thr, missing_left)) = t.split(i) {
                let (l, r) = t.children(i).unwrap();
                let v = row[f];
                let left = if v.is_nan() { missing_left } else { v <= thr };
                i = if left { l } else { r };
            }
            o.iter_mut()
                .zip(t.value(i).unwrap())
                .for_each(|(a, b)| *a += b);
        }
    }
    out / trees.len() as f64
}

#[test]
fn predictions_equal_a_tree_by_tree_walk_with_and_without_missing_values() {
    use kiln_core::PredictProba;
    // Missing values in training, so the trees learn where NaN goes.
    let (mut x, y) = cancer();
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        if i % 7 == 0 {
            row[i % 5] = f64::NAN;
        }
    }
    let forest = small_classifier().fit(x.view(), y.view()).unwrap();
    // Blocks without any NaN take the walk without the missing-value test; a block with one
    // takes the full walk. Both must equal the reference exactly.
    let clean: Array2<f64> = x.select(
        Axis(0),
        &(1..x.nrows()).filter(|i| i % 7 != 0).collect::<Vec<_>>(),
    );
    assert!(clean.iter().all(|v| !v.is_nan()));
    for data in [&clean, &x] {
        let want = mean_by_walking(forest.trees(), data);
        assert_eq!(forest.predict_proba(data.view()).unwrap(), want);
    }
    // Enough rows (569 x 10 = 5,690 over 10 trees) for the parallel blocked path, with a
    // short last group of lanes.
    let tall = ndarray::concatenate(Axis(0), &[x.view(); 10]).unwrap();
    assert_eq!(
        forest.predict_proba(tall.view()).unwrap(),
        mean_by_walking(forest.trees(), &tall)
    );
    // Three classes: leaves wider than the two values a flattened step holds.
    let iris = Dataset::Iris.load_numeric().unwrap();
    let yi = iris.target.class_indices().unwrap().clone();
    let multi = small_classifier().fit(iris.x.view(), yi.view()).unwrap();
    assert_eq!(multi.trees()[0].n_outputs(), 3);
    assert_eq!(
        multi.predict_proba(iris.x.view()).unwrap(),
        mean_by_walking(multi.trees(), &iris.x)
    );
    let (xr, yr) = diabetes();
    let reg = small_regressor().fit(xr.view(), yr.view()).unwrap();
    let want = mean_by_walking(reg.trees(), &xr);
    assert_eq!(reg.predict(xr.view()).unwrap(), want.column(0));
}

#[test]
fn a_forest_that_has_predicted_equals_and_saves_as_one_that_has_not() {
    use kiln_core::{PredictProba, persist};
    let (x, y) = cancer();
    let forest = small_classifier().fit(x.view(), y.view()).unwrap();
    let fresh = forest.clone();
    let first = forest.predict_proba(x.view()).unwrap();
    // The flattened trees kept by the first prediction are not part of the model.
    assert_eq!(forest, fresh);
    assert_eq!(
        persist::to_bytes(&forest).unwrap(),
        persist::to_bytes(&fresh).unwrap()
    );
    let back: kiln_tree::FittedRandomForestClassifier =
        persist::from_bytes(&persist::to_bytes(&forest).unwrap()).unwrap();
    assert_eq!(back.predict_proba(x.view()).unwrap(), first);
    assert_eq!(forest.predict_proba(x.view()).unwrap(), first);
    let clone_after = forest.clone();
    assert_eq!(clone_after.predict_proba(x.view()).unwrap(), first);
}

#[test]
fn first_predictions_made_at_once_from_many_tasks_agree() {
    use kiln_core::PredictProba;
    use rayon::prelude::*;
    let (x, y) = cancer();
    let tall = ndarray::concatenate(Axis(0), &[x.view(); 10]).unwrap();
    let forest = small_classifier().fit(x.view(), y.view()).unwrap();
    let want = mean_by_walking(forest.trees(), &tall);
    // Every task may be the first to build the flattened trees, and each prediction runs
    // on the same rayon pool as the build.
    let got: Vec<Array2<f64>> = (0..8)
        .into_par_iter()
        .map(|_| forest.predict_proba(tall.view()).unwrap())
        .collect();
    assert!(got.iter().all(|p| *p == want));
}

#[test]
fn seeds_change_the_forest() {
    let (x, y) = diabetes();
    let a = small_regressor()
        .with_seed(1)
        .fit(x.view(), y.view())
        .unwrap();
    let b = small_regressor()
        .with_seed(2)
        .fit(x.view(), y.view())
        .unwrap();
    assert_ne!(a.trees()[0], b.trees()[0]);
}

#[test]
fn importances_sum_to_one() {
    let (x, y) = cancer();
    let f = small_classifier().fit(x.view(), y.view()).unwrap();
    assert!((f.feature_importances().sum() - 1.0).abs() < 1e-12);
    assert!(f.feature_importances().iter().all(|&v| v >= 0.0));
    let (x, y) = diabetes();
    let f = small_regressor().fit(x.view(), y.view()).unwrap();
    assert!((f.feature_importances().sum() - 1.0).abs() < 1e-12);
}

#[test]
fn importances_of_all_single_leaf_trees_are_zero() {
    let x = ndarray::array![[1.0, 2.0], [2.0, 1.0], [3.0, 0.0]];
    let y = ndarray::array![4.0, 4.0, 4.0];
    let f = small_regressor().fit(x.view(), y.view()).unwrap();
    assert_eq!(f.feature_importances().to_vec(), vec![0.0, 0.0]);
}

#[test]
fn balanced_subsample_without_bootstrap_is_balanced() {
    let (x, y) = cancer();
    let p = small_classifier().with_bootstrap(false).with_seed(3);
    let a = p
        .clone()
        .with_class_weight(ForestClassWeight::Balanced)
        .fit(x.view(), y.view())
        .unwrap();
    let b = p
        .clone()
        .with_class_weight(ForestClassWeight::BalancedSubsample)
        .fit(x.view(), y.view())
        .unwrap();
    let none = p.fit(x.view(), y.view()).unwrap();
    assert_eq!(a.trees(), b.trees());
    assert_ne!(a.trees(), none.trees());
}

#[test]
fn bad_parameters_give_typed_errors() {
    let (x, y) = cancer();
    let named = |r: kiln_core::Result<_>, name: &str| match r {
        Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
        Err(e) => panic!("expected InvalidParameter {name}, got {e}"),
        Ok(_) => panic!("expected InvalidParameter {name}, got a model"),
    };
    let d = RandomForestClassifier::default();
    named(
        d.clone()
            .with_n_estimators(0)
            .fit(x.view(), y.view())
            .map(|_| ()),
        "n_estimators",
    );
    assert!(d.clone().with_n_estimators(0).validate().is_err());
    for ms in [
        MaxSamples::Count(0),
        MaxSamples::Count(x.nrows() + 1),
        MaxSamples::Fraction(0.0),
        MaxSamples::Fraction(1.01),
        MaxSamples::Fraction(f64::NAN),
    ] {
        named(
            d.clone()
                .with_max_samples(ms)
                .fit(x.view(), y.view())
                .map(|_| ()),
            "max_samples",
        );
    }
    // A count equal to n_samples is allowed, one above it only fails against the data.
    assert!(
        d.clone()
            .with_max_samples(MaxSamples::Count(x.nrows() + 1))
            .validate()
            .is_ok()
    );
    assert!(
        d.clone()
            .with_n_estimators(2)
            .with_max_samples(MaxSamples::Count(x.nrows()))
            .fit(x.view(), y.view())
            .is_ok()
    );
    named(
        d.clone()
            .with_max_features(MaxFeatures::Count(x.ncols() + 1))
            .fit(x.view(), y.view())
            .map(|_| ()),
        "max_features",
    );
    let r = RandomForestRegressor::default()
        .with_bootstrap(false)
        .with_oob_score(true);
    let (xd, yd) = diabetes();
    named(r.fit(xd.view(), yd.view()).map(|_| ()), "oob_score");
    let err = small_classifier()
        .fit(x.view(), y.view())
        .unwrap()
        .predict(xd.view());
    assert!(matches!(err, Err(Error::FeatureCountMismatch { .. })));
}

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forest.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
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

/// kiln seeds per split: fewer than scikit-learn's ten keeps the test fast, and the mean over
/// the splits still averages 3 × 3 forests.
const KILN_SEEDS: u64 = 3;

/// The held-out score of the fixture's `model` with default parameters and the OOB score of
/// the same model with bootstrap (random forests bootstrap by default, and computing the OOB
/// score does not change their trees; extra trees do not, so their OOB score comes from a
/// second, bootstrapped forest, as the script does).
fn scores(
    model: &str,
    n: usize,
    seed: u64,
    x: (&Array2<f64>, &Array2<f64>),
    y: Split,
) -> (f64, f64) {
    let (xtr, xte) = (x.0.view(), x.1.view());
    // (held-out score, OOB score) of `params` fitted on the training rows `ytr`.
    macro_rules! held_and_oob {
        ($params:expr, $ytr:expr, $score:expr) => {{
            let params = $params.with_n_estimators(n).with_seed(seed);
            let m = params.clone().fit(xtr, $ytr.view()).unwrap();
            let oob = params.with_bootstrap(true).with_oob_score(true);
            let oob = oob.fit(xtr, $ytr.view()).unwrap().oob_score().unwrap();
            ($score(m.predict(xte).unwrap()), oob)
        }};
    }
    let rf = model == "random_forest";
    match y {
        Split::Classes(ytr, yte) => {
            let acc = |p: Array1<usize>| accuracy(&p, &yte);
            if rf {
                held_and_oob!(RandomForestClassifier::default(), ytr, acc)
            } else {
                held_and_oob!(ExtraTreesClassifier::default(), ytr, acc)
            }
        }
        Split::Values(ytr, yte) => {
            let r2 = |p: Array1<f64>| r2(&yte, &p);
            if rf {
                held_and_oob!(RandomForestRegressor::default(), ytr, r2)
            } else {
                held_and_oob!(ExtraTreesRegressor::default(), ytr, r2)
            }
        }
    }
}

/// Training and test targets.
enum Split {
    Classes(Array1<usize>, Array1<usize>),
    Values(Array1<f64>, Array1<f64>),
}

#[test]
fn held_out_and_oob_scores_lie_within_scikit_learns_spread() {
    let fx = fixture();
    let n_estimators = fx["n_estimators"].as_u64().unwrap() as usize;
    for case in fx["cases"].as_array().unwrap() {
        let name = case["dataset"].as_str().unwrap();
        let model = case["model"].as_str().unwrap();
        assert!(["random_forest", "extra_trees"].contains(&model), "{model}");
        let set = Dataset::from_name(name).unwrap();
        let data = set.load_numeric().unwrap();
        let x = if case["encoded"].as_bool().unwrap() {
            common::encoded_x(set)
        } else {
            data.x.clone()
        };
        let (mut scores_, mut oobs) = (Vec::new(), Vec::new());
        for test in case["test_indices"].as_array().unwrap() {
            let test: Vec<usize> = test
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let train: Vec<usize> = (0..x.nrows()).filter(|i| !test.contains(i)).collect();
            let (xtr, xte) = (x.select(Axis(0), &train), x.select(Axis(0), &test));
            for seed in 0..KILN_SEEDS {
                let y = match data.target.class_indices() {
                    Some(y) => Split::Classes(y.select(Axis(0), &train), y.select(Axis(0), &test)),
                    None => {
                        let y = data.target.values().unwrap();
                        Split::Values(y.select(Axis(0), &train), y.select(Axis(0), &test))
                    }
                };
                let (s, oob) = scores(model, n_estimators, seed, (&xtr, &xte), y);
                scores_.push(s);
                oobs.push(oob);
            }
        }
        let name = format!("{name} {model}");
        let scores = scores_;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (m, oob) = (mean(&scores), mean(&oobs));
        let f = |k: &str| case[k].as_f64().unwrap();
        println!(
            "{name}: kiln held-out {m:.4}, OOB {oob:.4}; scikit-learn {:.4} ± {:.4}, OOB {:.4} ± {:.4}",
            f("mean"),
            f("std"),
            f("oob_mean"),
            f("oob_std")
        );
        // The std is over (split, seed) pairs; kiln's mean over the same splits must lie
        // within one of scikit-learn's mean, for held-out and for out-of-bag scores alike.
        assert!(
            (m - f("mean")).abs() <= f("std"),
            "{name}: kiln held-out {m:.4} vs scikit-learn {:.4} ± {:.4} ({scores:?})",
            f("mean"),
            f("std")
        );
        assert!(
            (oob - f("oob_mean")).abs() <= f("oob_std").max(0.01),
            "{name}: kiln OOB {oob:.4} vs scikit-learn {:.4} ± {:.4} ({oobs:?})",
            f("oob_mean"),
            f("oob_std")
        );
        // The OOB estimate tracks the held-out score: its gap may be no wider than
        // scikit-learn's own gap plus one held-out spread (OOB rows are training rows of a
        // third of the trees, so even scikit-learn's gap is not zero).
        let sk_gap = (f("oob_mean") - f("mean")).abs();
        assert!(
            (oob - m).abs() <= sk_gap + f("std"),
            "{name}: kiln OOB {oob:.4} vs held-out {m:.4} (scikit-learn's gap {sk_gap:.4}, \
             spread {:.4})",
            f("std")
        );
    }
}
