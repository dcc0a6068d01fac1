//! Permutation importance: against scikit-learn 1.9.1's `permutation_importance` on diabetes
//! with Ridge (fixture from `tests/reference/importance_reference.py`; the generators differ,
//! so means are compared within a few standard errors), exact zeros for features a model does
//! not use, the order on a synthetic target, thread-count independence, groups, max_samples,
//! sample weights, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture or a mismatch should fail the test loudly"
)]

use kiln_core::{Error, Fit, Fitted, Predict, Result};
use kiln_datasets::Dataset;
use kiln_linear::{FittedRidge, LinearRegression, Ridge};
use kiln_select::importance::{
    FeatureGroup, MaxSamples, PermutationImportance, PermutationOptions, permutation_importance,
};
use kiln_select::scorer::{Direction, Scorer};
use kiln_tree::DecisionTreeRegressor;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/importance.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f64s(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn mse_metric(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..y.len() {
        let wi = w.map_or(1.0, |w| w[i]);
        num += wi * (y[i] - p[i]).powi(2);
        den += wi;
    }
    Ok(num / den)
}

fn r2_metric(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    _w: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let mean = y.mean().unwrap();
    let num: f64 = y.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum();
    let den: f64 = y.iter().map(|a| (a - mean).powi(2)).sum();
    Ok(1.0 - num / den)
}

fn mse<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions("mse", Direction::Minimize, mse_metric)
}

fn r2<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions("r2", Direction::Maximize, r2_metric)
}

fn diabetes() -> (Array2<f64>, Array1<f64>, Vec<String>) {
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let y = d.target.values().unwrap().clone();
    (d.x, y, d.feature_names)
}

fn diabetes_ridge() -> (Array2<f64>, Array1<f64>, Vec<String>, FittedRidge) {
    let (x, y, names) = diabetes();
    let model = Ridge::default()
        .with_alpha(1.0)
        .fit(x.view(), y.view())
        .unwrap();
    (x, y, names, model)
}

#[test]
fn ridge_on_diabetes_agrees_with_scikit_learn_in_distribution() {
    let doc = fixture();
    let (x, y, names, model) = diabetes_ridge();
    let want_names: Vec<&str> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, want_names);
    // The same fitted model as scikit-learn's (closed form), so baselines agree exactly.
    for (g, w) in model.coef().iter().zip(&f64s(&doc["coef"])) {
        assert!((g - w).abs() <= 1e-9 * w.abs(), "coef {g} vs {w}");
    }
    let n_repeats = doc["n_repeats"].as_u64().unwrap() as usize;
    for case in doc["cases"].as_array().unwrap() {
        let fraction = case["max_samples"].as_f64().unwrap();
        let mut options = PermutationOptions::default()
            .with_n_repeats(n_repeats)
            .with_seed(7)
            .with_feature_names(names.clone());
        if fraction < 1.0 {
            options = options.with_max_samples(MaxSamples::Fraction(fraction));
        }
        let scorer = match case["scoring"].as_str().unwrap() {
            "r2" => r2(),
            _ => mse(),
        };
        let result =
            permutation_importance(&model, x.view(), y.view(), &[scorer], &options).unwrap();
        let s = &result.scorers()[0];
        let what = format!("{} max_samples={fraction}", case["scoring"]);
        let base = case["baseline"].as_f64().unwrap();
        assert!(
            (s.baseline() - base).abs() <= 1e-9 * base.abs(),
            "{what}: baseline {} vs {base}",
            s.baseline()
        );
        assert_eq!(result.n_rows_per_repeat(), (fraction * 442.0) as usize);
        let (want_mean, want_std) = (f64s(&case["mean"]), f64s(&case["std"]));
        let r = n_repeats as f64;
        // With max_samples each library scores its own subset of rows, and the importances
        // include the subset's offset from the baseline on all rows: only the order of the
        // strongest features is comparable there.
        let comparable = if fraction < 1.0 { 0 } else { names.len() };
        for j in 0..comparable {
            let (m, sd) = (s.mean()[j], s.std()[j]);
            // Two independent means of `r` draws: their difference has standard error
            // sqrt(sd_a²/r + sd_b²/r).
            let se = ((sd * sd + want_std[j] * want_std[j]) / r).sqrt();
            assert!(
                (m - want_mean[j]).abs() <= 4.0 * se + 1e-12,
                "{what} {}: mean {m} vs scikit-learn {} (se {se})",
                names[j],
                want_mean[j]
            );
            let ratio = sd / want_std[j];
            assert!(
                (0.6..=1.6).contains(&ratio),
                "{what} {}: std {sd} vs {}",
                names[j],
                want_std[j]
            );
        }
        // The three strongest features are the same.
        let top: Vec<usize> = s.ranking()[..3].to_vec();
        let mut want_order: Vec<usize> = (0..names.len()).collect();
        want_order.sort_by(|&a, &b| want_mean[b].total_cmp(&want_mean[a]));
        assert_eq!(top, want_order[..3].to_vec(), "{what}");
    }
}

/// A model that reads columns 0 and 2 only.
struct IgnoresColumnOne;

impl Fitted for IgnoresColumnOne {
    fn n_features_in(&self) -> usize {
        3
    }
}

impl Predict for IgnoresColumnOne {
    type Output = f64;
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(x.rows().into_iter().map(|r| 2.0 * r[0] - r[2]).collect())
    }
}

fn synthetic(n: usize) -> (Array2<f64>, Array1<f64>) {
    // Deterministic, uncorrelated-looking columns from a small LCG.
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let x = Array2::from_shape_fn((n, 3), |_| next());
    let y = Array1::from_shape_fn(n, |i| 3.0 * x[[i, 0]] + 0.3 * x[[i, 1]] + 0.05 * next());
    (x, y)
}

#[test]
fn a_feature_the_model_does_not_use_has_importance_exactly_zero() {
    let (x, y) = synthetic(200);
    let options = PermutationOptions::default().with_n_repeats(4);
    let result = permutation_importance(
        &IgnoresColumnOne,
        x.view(),
        y.view(),
        &[mse(), r2()],
        &options,
    )
    .unwrap();
    for s in result.scorers() {
        assert!(
            s.importances().row(1).iter().all(|&v| v == 0.0),
            "{}",
            s.name()
        );
        assert!(
            s.importances().row(0).iter().all(|&v| v > 0.0),
            "{}",
            s.name()
        );
        assert_eq!(s.std()[1], 0.0);
    }
    // A depth-1 tree splits on x0 only, so shuffling x1 or x2 changes no prediction.
    let tree = DecisionTreeRegressor::default()
        .with_max_depth(Some(1))
        .fit(x.view(), y.view())
        .unwrap();
    let result = permutation_importance(&tree, x.view(), y.view(), &[mse()], &options).unwrap();
    let s = &result.scorers()[0];
    assert_eq!(s.mean()[1], 0.0);
    assert_eq!(s.mean()[2], 0.0);
    assert!(s.mean()[0] > 0.0);
}

#[test]
fn strong_feature_ranks_above_weak_above_noise() {
    let (x, y) = synthetic(300);
    let model = LinearRegression::default().fit(x.view(), y.view()).unwrap();
    let options = PermutationOptions::default().with_feature_names(vec![
        "strong".into(),
        "weak".into(),
        "noise".into(),
    ]);
    let result =
        permutation_importance(&model, x.view(), y.view(), &[r2(), mse()], &options).unwrap();
    for k in 0..2 {
        assert_eq!(
            result.ranking(k),
            vec![0, 1, 2],
            "{}",
            result.scorers()[k].name()
        );
        let m = result.scorers()[k].mean();
        assert!(m[1] > 0.0 && m[0] > 20.0 * m[1], "{m}");
    }
    assert!(result.ranking(5).is_empty());
    let text = result.to_string();
    assert!(
        text.contains("permutation importance: r2") && text.contains("error increase"),
        "{text}"
    );
    let first_row = text.lines().nth(2).unwrap();
    assert!(first_row.trim_start().starts_with("1  strong"), "{text}");
    println!("{text}");
}

fn run_on_threads(threads: usize, options: &PermutationOptions) -> PermutationImportance {
    let (x, y, _, model) = diabetes_ridge();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        permutation_importance(&model, x.view(), y.view(), &[mse(), r2()], options).unwrap()
    })
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    for options in [
        PermutationOptions::default().with_seed(3),
        PermutationOptions::default()
            .with_seed(3)
            .with_max_samples(MaxSamples::Count(100)),
    ] {
        let one = run_on_threads(1, &options);
        let two = run_on_threads(2, &options);
        assert_eq!(one, two);
        let other_seed = run_on_threads(2, &options.clone().with_seed(4));
        assert_ne!(
            one.scorers()[0].importances(),
            other_seed.scorers()[0].importances()
        );
    }
}

#[test]
fn groups_shuffle_columns_together() {
    let (x, y, _, model) = diabetes_ridge();
    let singles = PermutationOptions::default().with_groups(
        (0..x.ncols())
            .map(|j| FeatureGroup::new(format!("x{j}"), vec![j]))
            .collect(),
    );
    // One group per column, in column order, is the ungrouped computation.
    let a = permutation_importance(&model, x.view(), y.view(), &[mse()], &singles).unwrap();
    let b = permutation_importance(
        &model,
        x.view(),
        y.view(),
        &[mse()],
        &PermutationOptions::default(),
    )
    .unwrap();
    assert_eq!(a, b);
    // s1 and s2 (columns 4, 5) are strongly correlated with opposite Ridge coefficients:
    // shuffled together they matter in a way neither does alone.
    let grouped = PermutationOptions::default()
        .with_n_repeats(10)
        .with_groups(vec![
            FeatureGroup::new("bmi", vec![2]),
            FeatureGroup::new("s1+s2", vec![5, 4, 4]),
        ]);
    let g = permutation_importance(&model, x.view(), y.view(), &[mse()], &grouped).unwrap();
    assert_eq!(g.feature_names(), ["bmi", "s1+s2"]);
    assert_eq!(g.scorers()[0].importances().dim(), (2, 10));
    assert!(g.scorers()[0].mean()[1] > 0.0);
}

#[test]
fn max_samples_draws_rows_and_their_weights() {
    let (x, y) = synthetic(50);
    // A scorer of the weights alone: the sum of the weights it receives.
    let weight_sum: Scorer<IgnoresColumnOne, f64> =
        Scorer::new("weight_sum", Direction::Maximize, |_m, _x, _y, w| {
            Ok(w.map_or(-1.0, |w: ArrayView1<'_, f64>| w.sum()))
        });
    let options = PermutationOptions::default()
        .with_sample_weight(Array1::from_elem(50, 2.0))
        .with_max_samples(MaxSamples::Count(20));
    let r = permutation_importance(
        &IgnoresColumnOne,
        x.view(),
        y.view(),
        std::slice::from_ref(&weight_sum),
        &options,
    )
    .unwrap();
    let s = &r.scorers()[0];
    assert_eq!(s.baseline(), 100.0);
    assert!(s.importances().iter().all(|&v| v == 100.0 - 40.0));
    // All rows, by fraction 1.0 or count n, is the computation without max_samples.
    let plain = PermutationOptions::default().with_sample_weight(Array1::from_elem(50, 2.0));
    let base =
        permutation_importance(&IgnoresColumnOne, x.view(), y.view(), &[mse()], &plain).unwrap();
    for m in [MaxSamples::Fraction(1.0), MaxSamples::Count(50)] {
        let r = permutation_importance(
            &IgnoresColumnOne,
            x.view(),
            y.view(),
            &[mse()],
            &plain.clone().with_max_samples(m),
        )
        .unwrap();
        assert_eq!(r, base);
    }
    // Fraction 0.37 of 50 rows: floor(18.5) = 18.
    let r = permutation_importance(
        &IgnoresColumnOne,
        x.view(),
        y.view(),
        &[weight_sum],
        &options.with_max_samples(MaxSamples::Fraction(0.37)),
    )
    .unwrap();
    assert_eq!(r.n_rows_per_repeat(), 18);
}

#[test]
fn max_samples_uses_one_subset_for_every_feature_and_repeat() {
    let (x, y) = synthetic(60);
    let options = PermutationOptions::default()
        .with_n_repeats(6)
        .with_max_samples(MaxSamples::Fraction(0.5));
    let r =
        permutation_importance(&IgnoresColumnOne, x.view(), y.view(), &[mse()], &options).unwrap();
    let s = &r.scorers()[0];
    // Shuffling the unused column changes nothing, so its importance is the subset's offset
    // from the baseline: the same value in every repeat, and not 0 (a different subset).
    let offset = s.importances()[[1, 0]];
    assert!(offset != 0.0);
    assert!(s.importances().row(1).iter().all(|&v| v == offset));
    assert_eq!(s.std()[1], 0.0);
}

#[test]
fn bad_input_is_a_typed_error() {
    let (x, y) = synthetic(10);
    let m = IgnoresColumnOne;
    let d = PermutationOptions::default();
    let empty = Array2::<f64>::zeros((0, 3));
    let y0 = Array1::<f64>::zeros(0);
    assert!(matches!(
        permutation_importance(&m, empty.view(), y0.view(), &[mse()], &d),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        permutation_importance(&m, x.view(), y.slice(ndarray::s![..9]), &[mse()], &d),
        Err(Error::ShapeMismatch {
            expected: 10,
            got: 9,
            ..
        })
    ));
    let param = |o: &PermutationOptions, scorers: &[Scorer<IgnoresColumnOne, f64>]| {
        permutation_importance(&m, x.view(), y.view(), scorers, o)
            .unwrap_err()
            .parameter_name()
            .map(str::to_owned)
    };
    assert_eq!(param(&d, &[]).as_deref(), Some("scoring"));
    assert_eq!(
        param(&d.clone().with_n_repeats(0), &[mse()]).as_deref(),
        Some("n_repeats")
    );
    for ms in [
        MaxSamples::Fraction(0.0),
        MaxSamples::Fraction(1.5),
        MaxSamples::Count(0),
        MaxSamples::Count(11),
    ] {
        assert_eq!(
            param(&d.clone().with_max_samples(ms), &[mse()]).as_deref(),
            Some("max_samples"),
            "{ms:?}"
        );
    }
    for groups in [
        vec![],
        vec![FeatureGroup::new("g", vec![])],
        vec![FeatureGroup::new("g", vec![0, 3])],
    ] {
        assert_eq!(
            param(&d.clone().with_groups(groups.clone()), &[mse()]).as_deref(),
            Some("groups"),
            "{groups:?}"
        );
    }
    assert!(matches!(
        permutation_importance(
            &m,
            x.view(),
            y.view(),
            &[mse()],
            &d.clone().with_feature_names(vec!["a".into()])
        ),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        permutation_importance(
            &m,
            x.view(),
            y.view(),
            &[mse()],
            &d.clone().with_sample_weight(array![1.0, 2.0])
        ),
        Err(Error::ShapeMismatch {
            expected: 10,
            got: 2,
            ..
        })
    ));
    // The model's own error (here a wrong feature count) comes through.
    let ridge = Ridge::default().fit(x.view(), y.view()).unwrap();
    let narrow = x.slice(ndarray::s![.., ..2]).to_owned();
    assert!(matches!(
        permutation_importance(&ridge, narrow.view(), y.view(), &[mse()], &d),
        Err(Error::FeatureCountMismatch { .. })
    ));
}
