//! ferrolearn 0.5, through its sub-crates ferrolearn-linear, ferrolearn-tree and ferrolearn-cluster
//! (the `ferrolearn` crate only re-exports these plus a dozen others we do not need).
//! Built on ndarray 0.17.

use crate::common::*;
use crate::{Job, Outcome, Shape, Spec};
use ferrolearn_cluster::KMeans;
use ferrolearn_core::{Fit, HasClasses, Predict};
use ferrolearn_linear::{Lasso, LinearRegression, LogisticRegression, Ridge};
use ferrolearn_tree::{
    ClassificationCriterion, DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures,
    RandomForestClassifier, RandomForestRegressor,
};
use nd::{Array1, Array2};
use ndarray17 as nd;
use serde_json::json;

fn sqrt_features(p: usize) -> usize {
    ((p as f64).sqrt().floor() as usize).max(1)
}

pub fn spec(alg: &str, s: &Shape) -> Option<Spec> {
    let ok = |params: serde_json::Value, notes: &str| Spec {
        params,
        notes: notes.to_string(),
        unsupported: None,
    };
    Some(match alg {
        "logistic_regression" => ok(
            json!({"C": 1.0, "penalty": "l2", "max_iter": 1000, "solver": "lbfgs",
                   "tol": "library default", "mapping": "C as in scikit-learn"}),
            "binary sigmoid, multinomial softmax for more classes; probabilities from \
             predict_proba; single-threaded (n_jobs is a no-op)",
        ),
        "decision_tree" => ok(
            json!({"criterion": "gini", "max_depth": null, "min_samples_split": 2,
                   "min_samples_leaf": 1, "min_impurity_decrease": 0.0}),
            "defaults; probabilities from predict_proba; single-threaded",
        ),
        "random_forest" => ok(
            json!({"n_estimators": 100, "max_features": "sqrt",
                   "max_features_n": sqrt_features(s.n_features), "random_state": 0}),
            "MaxFeatures::Fixed(floor(sqrt(p))) because ferrolearn's MaxFeatures::Sqrt rounds up \
             while scikit-learn's rounds down; trees built in parallel with rayon",
        ),
        "decision_tree_regressor" => ok(
            json!({"criterion": "squared error", "max_depth": null, "min_samples_split": 2,
                   "min_samples_leaf": 1}),
            "defaults; single-threaded",
        ),
        "random_forest_regressor" => ok(
            json!({"n_estimators": 100, "max_features": 1.0, "random_state": 0}),
            "all features per split (scikit-learn's regressor default); trees built in parallel \
             with rayon",
        ),
        "linear_regression" => ok(
            json!({"fit_intercept": true, "solver": "lstsq (SVD, ferray/faer)"}),
            "",
        ),
        "ridge" => ok(
            json!({"alpha": 1.0, "solver": "auto (Cholesky)",
                   "mapping": "alpha as in scikit-learn Ridge"}),
            "",
        ),
        "lasso" => ok(
            json!({"alpha": 0.1, "max_iter": 1000, "tol": 1e-4,
                   "mapping": "alpha as in scikit-learn Lasso"}),
            "coordinate descent",
        ),
        "kmeans" => ok(
            json!({"n_clusters": s.k, "n_init": 1, "init": "k-means++", "max_iter": 100,
                   "tol": 0.0, "random_state": 0}),
            "assignment step in parallel (rayon)",
        ),
        "kmeans_fixed_init" => Spec {
            params: json!({"n_clusters": s.k}),
            notes: String::new(),
            unsupported: Some("ferrolearn KMeans always seeds with k-means++ (no init parameter)".into()),
        },
        _ => return None,
    })
}

fn to_array(t: Vec<f64>, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_vec((rows, cols), t).expect("shape")
}

/// Re-orders probability columns (given in `classes` order) into class-index columns 0..k.
fn proba_by_class(p: &Array2<f64>, classes: &[usize], k: usize) -> Vec<f64> {
    let mut out = vec![0.0; p.nrows() * k];
    for (i, row) in p.outer_iter().enumerate() {
        for (&c, &q) in classes.iter().zip(row.iter()) {
            if c < k {
                out[i * k + c] = q;
            }
        }
    }
    out
}

pub fn run(job: Job) -> Result<Outcome, String> {
    let Job { algorithm, task: _, k, train, test, batch, repeats, budget } = job;
    let p = train.features;
    let x = to_array(train.x, train.rows, p);
    let y = train.y;
    let batch = to_array(batch, PREDICT_ROWS, p);
    let (xe, ye) = match test {
        Some(t) => (Some(to_array(t.x, t.rows, p)), t.y),
        None => (None, y.clone()),
    };
    let xe = xe.as_ref().unwrap_or(&x);
    let err = |e: ferrolearn_core::FerroError| e.to_string();
    let extra = Vec::new();

    macro_rules! classify {
        ($est:expr, $proba:expr) => {{
            let yl = Array1::from(labels_usize(&y));
            let est = $est;
            let (m, timing) = time_fits(repeats, budget, || est.fit(&x, &yl).map_err(err))?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let pred = m.predict(xe).map_err(err)?.to_vec();
            let proba = if $proba {
                let pm = m.predict_proba(xe).map_err(err)?;
                Some(proba_by_class(&pm, m.classes(), k))
            } else {
                None
            };
            let quality = classifier_quality(&labels_usize(&ye), &pred, proba.as_deref(), k);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }};
    }
    macro_rules! regress {
        ($est:expr) => {{
            let ya = Array1::from(y.clone());
            let est = $est;
            let (m, timing) = time_fits(repeats, budget, || est.fit(&x, &ya).map_err(err))?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let pred = m.predict(xe).map_err(err)?.to_vec();
            let quality = regression_quality(&ye, &pred);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }};
    }

    match algorithm.as_str() {
        "logistic_regression" => {
            classify!(LogisticRegression::<f64>::new().with_c(1.0).with_max_iter(1000), true)
        }
        "decision_tree" => classify!(
            DecisionTreeClassifier::<f64>::new().with_criterion(ClassificationCriterion::Gini),
            true
        ),
        "random_forest" => classify!(
            RandomForestClassifier::<f64>::new()
                .with_n_estimators(100)
                .with_max_features(MaxFeatures::Fixed(sqrt_features(p)))
                .with_criterion(ClassificationCriterion::Gini)
                .with_random_state(0),
            true
        ),
        "decision_tree_regressor" => regress!(DecisionTreeRegressor::<f64>::new()),
        "random_forest_regressor" => regress!(RandomForestRegressor::<f64>::new()
            .with_n_estimators(100)
            .with_max_features(MaxFeatures::All)
            .with_random_state(0)),
        "linear_regression" => regress!(LinearRegression::<f64>::new()),
        "ridge" => regress!(Ridge::<f64>::new().with_alpha(1.0)),
        "lasso" => regress!(Lasso::<f64>::new().with_alpha(0.1).with_max_iter(1000).with_tol(1e-4)),
        "kmeans" => {
            let est = KMeans::<f64>::new(k)
                .with_max_iter(100)
                .with_tol(0.0)
                .with_n_init(1)
                .with_random_state(0);
            let (m, timing) = time_fits(repeats, budget, || est.fit(&x, &()).map_err(err))?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let assign = m.predict(xe).map_err(err)?.to_vec();
            let centres: Vec<f64> = m.cluster_centers().iter().copied().collect();
            let quality = clustering_quality(xe.iter().copied(), p, &labels_usize(&ye), &assign, &centres);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        other => Err(format!("ferrolearn: no {other}")),
    }
}
