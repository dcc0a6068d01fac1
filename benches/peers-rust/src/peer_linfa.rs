//! linfa 0.8 (linfa-logistic, linfa-trees, linfa-linear, linfa-elasticnet, linfa-clustering),
//! default features (no BLAS). Built on ndarray 0.16.

use crate::common::*;
use crate::{Job, Outcome, Shape, Spec};
use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use linfa_elasticnet::ElasticNetParams;
use linfa_linear::LinearRegression;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use linfa_trees::{DecisionTree, SplitQuality};
use nd::{Array1, Array2};
use ndarray16 as nd;
use rand08::{rngs::SmallRng, SeedableRng};
use serde_json::json;

const LOGREG_TOL: f64 = 1e-4;

pub fn spec(alg: &str, s: &Shape) -> Option<Spec> {
    let ok = |params: serde_json::Value, notes: &str| Spec {
        params,
        notes: notes.to_string(),
        unsupported: None,
    };
    Some(match alg {
        "logistic_regression" => ok(
            json!({"C": 1.0, "penalty": "l2", "max_iter": 1000, "alpha": 1.0,
                   "gradient_tolerance": LOGREG_TOL, "fit_intercept": true,
                   "solver": "argmin L-BFGS",
                   "mapping": "linfa minimises sum(log-loss) + alpha/2 |w|^2 (intercept not penalised), i.e. scikit-learn's objective divided by C, so alpha = 1/C = 1"}),
            "LogisticRegression for two classes, MultiLogisticRegression (softmax) for more; \
             probabilities from predict_probabilities; single-threaded",
        ),
        "decision_tree" => ok(
            json!({"criterion": "gini", "max_depth": null, "min_weight_split": 2.0,
                   "min_weight_leaf": 1.0, "min_impurity_decrease": f64::EPSILON}),
            "linfa rejects min_impurity_decrease below machine epsilon (its default is 1e-5), \
             so it is set to f64::EPSILON, i.e. effectively scikit-learn's 0; no predict_proba, \
             so no log-loss/AUC; single-threaded",
        ),
        "linear_regression" => ok(
            json!({"fit_intercept": true, "solver": "QR least squares (linfa-linalg, no BLAS)"}),
            "single-threaded",
        ),
        "ridge" => ok(
            json!({"alpha": 1.0, "penalty": 1.0 / s.n_train.max(1) as f64, "l1_ratio": 0.0,
                   "max_iter": 1000, "tol": 1e-4,
                   "mapping": "linfa-elasticnet minimises 1/(2n)|y-Xw|^2 + penalty/2 |w|^2; scikit-learn Ridge minimises |y-Xw|^2 + alpha |w|^2, so penalty = alpha/n_train"}),
            "linfa has no closed-form ridge without BLAS: linfa-elasticnet coordinate descent \
             with l1_ratio 0; linfa-elasticnet centres y but not X, so its intercept (mean of y) \
             is biased when feature means are not zero; single-threaded",
        ),
        "lasso" => ok(
            json!({"alpha": 0.1, "penalty": 0.1, "l1_ratio": 1.0, "max_iter": 1000, "tol": 1e-4,
                   "mapping": "same objective as scikit-learn Lasso, so penalty = alpha"}),
            "linfa-elasticnet coordinate descent; it centres y but not X, so its intercept (mean \
             of y) is biased when feature means are not zero; single-threaded",
        ),
        "kmeans" | "kmeans_fixed_init" => {
            let init = if alg == "kmeans" { "k-means++" } else { "first k rows" };
            ok(
                json!({"n_clusters": s.k, "n_init": 1, "init": init, "max_iter": 100,
                       "tol": f64::MIN_POSITIVE, "seed": 0, "rng": "rand SmallRng"}),
                "linfa requires tol > 0, so tol = f64::MIN_POSITIVE (stops only when the \
                 centres stop moving); assignment steps run in parallel (rayon)",
            )
        }
        _ => return None,
    })
}

fn to_array(t: Vec<f64>, rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_vec((rows, cols), t).expect("shape")
}

pub fn run(job: Job) -> Result<Outcome, String> {
    let Job { algorithm, task, k, train, test, batch, repeats, budget } = job;
    let p = train.features;
    let x = to_array(train.x, train.rows, p);
    let y = train.y;
    let batch = to_array(batch, PREDICT_ROWS, p);
    // Evaluation set: the test rows, or the training rows (clustering workloads).
    let (xe, ye) = match test {
        Some(t) => (Some(to_array(t.x, t.rows, p)), t.y),
        None => (None, y.clone()),
    };
    let xe_ref = xe.as_ref().unwrap_or(&x);
    let mut extra = Vec::new();

    match algorithm.as_str() {
        "logistic_regression" => {
            let yl = Array1::from(labels_usize(&y));
            let ds = DatasetBase::new(x.view(), yl.view());
            let truth = labels_usize(&ye);
            if task == "binary" {
                let params = LogisticRegression::default()
                    .alpha(1.0)
                    .max_iterations(1000)
                    .gradient_tolerance(LOGREG_TOL);
                let (m, timing) = time_fits(repeats, budget, || params.fit(&ds).map_err(|e| e.to_string()))?;
                let predict_runs = time_predicts(|| Ok(m.predict(&batch)))?;
                let pred = m.predict(xe_ref).to_vec();
                let pos = m.labels().pos.class;
                let p_pos = m.predict_probabilities(xe_ref);
                let proba: Vec<f64> = p_pos
                    .iter()
                    .flat_map(|&q| if pos == 1 { [1.0 - q, q] } else { [q, 1.0 - q] })
                    .collect();
                let quality = classifier_quality(&truth, &pred, Some(&proba), 2);
                Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
            } else {
                let params = MultiLogisticRegression::default()
                    .alpha(1.0)
                    .max_iterations(1000)
                    .gradient_tolerance(LOGREG_TOL);
                let (m, timing) = time_fits(repeats, budget, || params.fit(&ds).map_err(|e| e.to_string()))?;
                let predict_runs = time_predicts(|| Ok(m.predict(&batch)))?;
                let pred = m.predict(xe_ref).to_vec();
                let probs = m.predict_probabilities(xe_ref);
                let classes = m.classes().to_vec();
                let mut proba = vec![0.0; probs.nrows() * k];
                for (i, row) in probs.outer_iter().enumerate() {
                    for (c, &q) in classes.iter().zip(row.iter()) {
                        if *c < k {
                            proba[i * k + c] = q;
                        }
                    }
                }
                let quality = classifier_quality(&truth, &pred, Some(&proba), k);
                Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
            }
        }
        "decision_tree" => {
            let yl = Array1::from(labels_usize(&y));
            let ds = DatasetBase::new(x.view(), yl.view());
            let params = DecisionTree::params()
                .split_quality(SplitQuality::Gini)
                .max_depth(None)
                .min_weight_split(2.0)
                .min_weight_leaf(1.0)
                .min_impurity_decrease(f64::EPSILON);
            let (m, timing) = time_fits(repeats, budget, || params.fit(&ds).map_err(|e| e.to_string()))?;
            let predict_runs = time_predicts(|| Ok(m.predict(&batch)))?;
            let pred = m.predict(xe_ref).to_vec();
            extra.push(format!("tree depth {}, leaves {}", m.max_depth(), m.num_leaves()));
            let quality = classifier_quality(&labels_usize(&ye), &pred, None, k);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        "linear_regression" | "ridge" | "lasso" => {
            let ya = Array1::from(y);
            let ds = DatasetBase::new(x.view(), ya.view());
            let n = x.nrows() as f64;
            let (pred, timing, predict_runs) = if algorithm == "linear_regression" {
                let params = LinearRegression::new().with_intercept(true);
                let (m, timing) = time_fits(repeats, budget, || params.fit(&ds).map_err(|e| e.to_string()))?;
                let predict_runs = time_predicts(|| Ok(m.predict(&batch)))?;
                (m.predict(xe_ref).to_vec(), timing, predict_runs)
            } else {
                let (pen, l1) = if algorithm == "ridge" { (1.0 / n, 0.0) } else { (0.1, 1.0) };
                let params = ElasticNetParams::new()
                    .penalty(pen)
                    .l1_ratio(l1)
                    .with_intercept(true)
                    .max_iterations(1000)
                    .tolerance(1e-4);
                let (m, timing) = time_fits(repeats, budget, || params.fit(&ds).map_err(|e| e.to_string()))?;
                let predict_runs = time_predicts(|| Ok(m.predict(&batch)))?;
                (m.predict(xe_ref).to_vec(), timing, predict_runs)
            };
            let quality = regression_quality(&ye, &pred);
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        "kmeans" | "kmeans_fixed_init" => {
            let ds = DatasetBase::from(x.view());
            let init = if algorithm == "kmeans" {
                KMeansInit::KMeansPlusPlus
            } else {
                KMeansInit::Precomputed(x.slice(nd::s![0..k, ..]).to_owned())
            };
            let (m, timing) = time_fits(repeats, budget, || {
                KMeans::params_with_rng(k, SmallRng::seed_from_u64(0))
                    .n_runs(1)
                    .max_n_iterations(100)
                    .tolerance(f64::MIN_POSITIVE)
                    .init_method(init.clone())
                    .fit(&ds)
                    .map_err(|e| e.to_string())
            })?;
            let predict_runs = time_predicts(|| Ok(m.predict(&batch)))?;
            let assign = m.predict(xe_ref).to_vec();
            let centres: Vec<f64> = m.centroids().iter().copied().collect();
            let quality = clustering_quality(
                xe_ref.iter().copied(),
                p,
                &labels_usize(&ye),
                &assign,
                &centres,
            );
            Ok(Outcome { timing, predict_runs, quality, extra_notes: extra })
        }
        other => Err(format!("linfa: no {other}")),
    }
}
