//! smartcore 0.7 with its own DenseMatrix (no ndarray bindings, default features less
//! serde). Everything here is single-threaded: smartcore has no parallel code paths.

use crate::common::*;
use crate::{Job, Outcome, Shape, Spec};
use serde_json::json;
use smartcore::cluster::kmeans::{KMeans, KMeansParameters};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::lasso::{Lasso, LassoParameters};
use smartcore::linear::linear_regression::{
    LinearRegression, LinearRegressionParameters, LinearRegressionSolverName,
};
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};
use smartcore::linear::ridge_regression::{
    RidgeRegression, RidgeRegressionParameters, RidgeRegressionSolverName,
};
use smartcore::tree::decision_tree_classifier::{
    DecisionTreeClassifier, DecisionTreeClassifierParameters, SplitCriterion,
};
use smartcore::tree::decision_tree_regressor::{
    DecisionTreeRegressor, DecisionTreeRegressorParameters,
};

type M = DenseMatrix<f64>;

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
            json!({"C": 1.0, "penalty": "l2", "alpha": 1.0, "solver": "LBFGS",
                   "max_iter": "not settable (smartcore's LBFGS default)",
                   "mapping": "smartcore minimises sum(log-loss) + alpha/2 |w|^2 (intercept not penalised), so alpha = 1/C = 1"}),
            "smartcore has no predict_proba for logistic regression: probabilities for log-loss/AUC \
             are computed by this harness from its coefficients and intercept (sigmoid / softmax); \
             single-threaded",
        ),
        "decision_tree" => ok(
            json!({"criterion": "gini", "max_depth": null, "min_samples_split": 2,
                   "min_samples_leaf": 1}),
            "defaults; probabilities from predict_proba; single-threaded",
        ),
        "random_forest" => ok(
            json!({"n_trees": 100, "m": sqrt_features(s.n_features), "max_features": "sqrt",
                   "criterion": "gini", "seed": 0}),
            "m = floor(sqrt(n_features)); no predict_proba on the forest, so no log-loss/AUC; \
             single-threaded (trees are built one after another)",
        ),
        "decision_tree_regressor" => ok(
            json!({"criterion": "squared error", "max_depth": null, "min_samples_split": 2,
                   "min_samples_leaf": 1}),
            "defaults; single-threaded",
        ),
        "random_forest_regressor" => ok(
            json!({"n_trees": 100, "m": s.n_features, "max_features": 1.0, "seed": 0}),
            "all features per split, like scikit-learn's regressor default (max_features=1.0); \
             single-threaded",
        ),
        "linear_regression" => ok(
            json!({"fit_intercept": true, "solver": "SVD (smartcore default)"}),
            "single-threaded",
        ),
        "ridge" => ok(
            json!({"alpha": 1.0, "normalize": true, "solver": "Cholesky",
                   "mapping": "smartcore solves (Z'Z + alpha I) w = Z'y on standardised features Z, i.e. scikit-learn Ridge's alpha when the features have unit variance (as in these workloads)"}),
            "normalize=true (smartcore's default): with normalize=false smartcore fits no intercept \
             at all; single-threaded",
        ),
        "lasso" => ok(
            json!({"alpha": 0.2, "sklearn_alpha": 0.1, "normalize": true, "tol": 1e-4,
                   "max_iter": 1000, "solver": "interior point",
                   "mapping": "smartcore minimises 1/n |y-Xw|^2 + alpha |w|_1 on standardised features; scikit-learn 1/(2n) |y-Xw|^2 + alpha |w|_1, so alpha = 2 x 0.1 (same penalty when features have unit variance)"}),
            "interior-point solver, not coordinate descent; normalize=true (smartcore's default): \
             with normalize=false its intercept is mean(y) without centring X; single-threaded",
        ),
        "kmeans" => ok(
            json!({"n_clusters": s.k, "n_init": 1, "init": "k-means++", "max_iter": 100,
                   "tol": "none (stops when the distortion stops decreasing)", "seed": 0}),
            "Lloyd iterations over a BBD tree; the fitted centres are not exposed, so inertia uses \
             the mean of the points predict assigns to each cluster; single-threaded",
        ),
        "kmeans_fixed_init" => Spec {
            params: json!({"n_clusters": s.k}),
            notes: String::new(),
            unsupported: Some("smartcore KMeans cannot start from given centres".into()),
        },
        _ => return None,
    })
}

fn matrix(x: Vec<f64>, rows: usize, cols: usize) -> Result<M, String> {
    DenseMatrix::new(rows, cols, x, false).map_err(|e| e.to_string())
}

pub fn run(job: Job) -> Result<Outcome, String> {
    let Job { algorithm, task: _, k, train, test, batch, repeats, budget } = job;
    let p = train.features;
    // Keep the evaluation rows as a plain buffer too (for the harness-side probabilities).
    let eval_is_train = test.is_none();
    let (xe_vec, ye) = match test {
        Some(t) => (t.x, t.y),
        None => (Vec::new(), train.y.clone()),
    };
    let x = matrix(train.x, train.rows, p)?;
    let y = train.y;
    let batch = matrix(batch, PREDICT_ROWS, p)?;
    let xe_owned = if eval_is_train { None } else { Some(matrix(xe_vec.clone(), ye.len(), p)?) };
    let xe = xe_owned.as_ref().unwrap_or(&x);
    let err = |e: smartcore::error::Failed| e.to_string();
    let mut extra = Vec::new();

    match algorithm.as_str() {
        "logistic_regression" => {
            let yl = labels_usize(&y);
            let params = LogisticRegressionParameters::default().with_alpha(1.0);
            let (m, timing) = time_fits(repeats, budget, || {
                LogisticRegression::<f64, usize, M, Vec<usize>>::fit(&x, &yl, params.clone()).map_err(err)
            })?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let pred = m.predict(xe).map_err(err)?;
            // Probabilities from the fitted coefficients.
            let coef = m.coefficients();
            let icpt = m.intercept();
            let classes = m.classes().clone();
            let n = ye.len();
            let row = |i: usize, j: usize| -> f64 {
                if eval_is_train { *x.get((i, j)) } else { xe_vec[i * p + j] }
            };
            let mut proba = vec![0.0; n * k];
            if classes.len() == 2 {
                for i in 0..n {
                    let z: f64 = (0..p).map(|j| row(i, j) * coef.get((0, j))).sum::<f64>() + icpt.get((0, 0));
                    let q = 1.0 / (1.0 + (-z).exp());
                    proba[i * k + classes[0]] = 1.0 - q;
                    proba[i * k + classes[1]] = q;
                }
            } else {
                let mut z = vec![0.0; classes.len()];
                for i in 0..n {
                    for (c, zc) in z.iter_mut().enumerate() {
                        *zc = (0..p).map(|j| row(i, j) * coef.get((c, j))).sum::<f64>() + icpt.get((c, 0));
                    }
                    let mx = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let total: f64 = z.iter().map(|v| (v - mx).exp()).sum();
                    for (c, zc) in z.iter().enumerate() {
                        if classes[c] < k {
                            proba[i * k + classes[c]] = (zc - mx).exp() / total;
                        }
                    }
                }
            }
            let quality = classifier_quality(&labels_usize(&ye), &pred, Some(&proba), k);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        "decision_tree" => {
            let yl = labels_usize(&y);
            let params = DecisionTreeClassifierParameters::default().with_criterion(SplitCriterion::Gini);
            let (m, timing) = time_fits(repeats, budget, || {
                DecisionTreeClassifier::<f64, usize, M, Vec<usize>>::fit(&x, &yl, params.clone()).map_err(err)
            })?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let pred = m.predict(xe).map_err(err)?;
            let pm = m.predict_proba(xe).map_err(err)?;
            let (n, kc) = pm.shape();
            let proba = if kc == k {
                Some((0..n).flat_map(|i| (0..k).map(move |c| (i, c))).map(|(i, c)| *pm.get((i, c))).collect::<Vec<f64>>())
            } else {
                extra.push(format!("predict_proba has {kc} columns for {k} classes: no log-loss/AUC"));
                None
            };
            let quality = classifier_quality(&labels_usize(&ye), &pred, proba.as_deref(), k);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        "random_forest" => {
            let yl = labels_usize(&y);
            let params = RandomForestClassifierParameters::default()
                .with_n_trees(100)
                .with_m(sqrt_features(p))
                .with_criterion(SplitCriterion::Gini)
                .with_seed(0);
            let (m, timing) = time_fits(repeats, budget, || {
                RandomForestClassifier::<f64, usize, M, Vec<usize>>::fit(&x, &yl, params.clone()).map_err(err)
            })?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let pred = m.predict(xe).map_err(err)?;
            let quality = classifier_quality(&labels_usize(&ye), &pred, None, k);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        "decision_tree_regressor" | "random_forest_regressor" | "linear_regression" | "ridge" | "lasso" => {
            macro_rules! regress {
                ($fit:expr) => {{
                    let (m, timing) = time_fits(repeats, budget, || $fit.map_err(err))?;
                    let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
                    let pred: Vec<f64> = m.predict(xe).map_err(err)?;
                    (pred, timing, predict_runs)
                }};
            }
            let (pred, timing, predict_runs) = match algorithm.as_str() {
                "decision_tree_regressor" => regress!(DecisionTreeRegressor::<f64, f64, M, Vec<f64>>::fit(
                    &x,
                    &y,
                    DecisionTreeRegressorParameters::default()
                )),
                "random_forest_regressor" => regress!(RandomForestRegressor::<f64, f64, M, Vec<f64>>::fit(
                    &x,
                    &y,
                    RandomForestRegressorParameters::default().with_n_trees(100).with_m(p).with_seed(0)
                )),
                "linear_regression" => regress!(LinearRegression::<f64, f64, M, Vec<f64>>::fit(
                    &x,
                    &y,
                    LinearRegressionParameters::default().with_solver(LinearRegressionSolverName::SVD)
                )),
                "ridge" => regress!(RidgeRegression::<f64, f64, M, Vec<f64>>::fit(
                    &x,
                    &y,
                    RidgeRegressionParameters::default()
                        .with_alpha(1.0)
                        .with_normalize(true)
                        .with_solver(RidgeRegressionSolverName::Cholesky)
                )),
                _ => regress!(Lasso::<f64, f64, M, Vec<f64>>::fit(
                    &x,
                    &y,
                    LassoParameters::default()
                        .with_alpha(0.2)
                        .with_normalize(true)
                        .with_tol(1e-4)
                        .with_max_iter(1000)
                )),
            };
            let quality = regression_quality(&ye, &pred);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        "kmeans" => {
            let mut params = KMeansParameters::default().with_k(k).with_max_iter(100);
            params.seed = Some(0);
            let (m, timing) = time_fits(repeats, budget, || {
                KMeans::<f64, usize, M, Vec<usize>>::fit(&x, params.clone()).map_err(err)
            })?;
            let predict_runs = time_predicts(|| m.predict(&batch).map_err(err))?;
            let assign: Vec<usize> = m.predict(xe).map_err(err)?;
            let centres = mean_centres(xe.iter().copied(), p, &assign, k);
            let quality = clustering_quality(xe.iter().copied(), p, &labels_usize(&ye), &assign, &centres);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        other => Err(format!("smartcore: no {other}")),
    }
}
