//! The kiln algorithms the harness runs. Each model issue adds its estimators here, with the
//! parameters matched to the peers' (see `docs/benchmarks.md`).

use kiln::cluster::{KMeans, KMeansAlgorithm, KMeansInit, MiniBatchKMeans};
use kiln::linear::{ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge};
use kiln::prelude::*;
use kiln::tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, EarlyStopping, ExtraTreesClassifier,
    HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier,
};
use ndarray::{Array1, Array2, ArrayView2};
use serde_json::{Value, json};

use crate::BenchResult;
use crate::protocol::{Algorithm, BenchModel, Prediction};
use crate::workload::{Entry, Table, Task};

/// Every registered algorithm.
pub fn all() -> Vec<Algorithm> {
    vec![
        Algorithm {
            name: "prior",
            family: "baseline (class prior / mean)",
            tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
            params: |_| json!({}),
            fit: fit_prior,
            notes: "predicts the training class frequencies (or mean): the quality floor, and a \
                    check of the harness itself",
        },
        Algorithm {
            name: "logistic_regression",
            family: "logistic regression",
            tasks: &[Task::Binary, Task::Multiclass],
            params: |_| json!({"C": 1.0, "l1_ratio": 0.0, "max_iter": 1000, "tol": 1e-4}),
            fit: |_, t| {
                let m = LogisticRegression::default()
                    .with_c(1.0)
                    .with_max_iter(1000)
                    .fit(t.x.view(), t.classes().view())?;
                let info = json!({"n_iter": m.n_iter(), "converged": m.converged()});
                Ok(Box::new(Classifier(m, info)))
            },
            notes: "L2, Newton with the exact Hessian; multinomial for more than two classes",
        },
        Algorithm {
            name: "linear_regression",
            family: "linear regression",
            tasks: &[Task::Regression],
            params: |_| json!({}),
            fit: |_, t| {
                let m = LinearRegression::default().fit(t.x.view(), t.y.view())?;
                let info = json!({"rank": m.rank()});
                Ok(Box::new(Regressor(m, info)))
            },
            notes: "normal equations when well conditioned, else QR + SVD",
        },
        Algorithm {
            name: "ridge",
            family: "ridge regression",
            tasks: &[Task::Regression],
            params: |_| json!({"alpha": 1.0}),
            fit: |_, t| {
                let m = Ridge::default().fit(t.x.view(), t.y.view())?;
                Ok(Box::new(Regressor(m, json!({}))))
            },
            notes: "Cholesky of the Gram matrix",
        },
        Algorithm {
            name: "lasso",
            family: "lasso",
            tasks: &[Task::Regression],
            params: |_| json!({"alpha": 0.1, "max_iter": 1000, "tol": 1e-4}),
            fit: |_, t| {
                let m = Lasso::default()
                    .with_alpha(0.1)
                    .fit(t.x.view(), t.y.view())?;
                let info = json!({"n_iter": m.n_iter(), "converged": m.converged()});
                Ok(Box::new(Regressor(m, info)))
            },
            notes: "coordinate descent on the Gram matrix, duality-gap stop (as scikit-learn)",
        },
        Algorithm {
            name: "elastic_net",
            family: "elastic net",
            tasks: &[Task::Regression],
            params: |_| json!({"alpha": 0.1, "l1_ratio": 0.5, "max_iter": 1000, "tol": 1e-4}),
            fit: |_, t| {
                let m = ElasticNet::default()
                    .with_alpha(0.1)
                    .with_l1_ratio(0.5)
                    .fit(t.x.view(), t.y.view())?;
                let info = json!({"n_iter": m.n_iter(), "converged": m.converged()});
                Ok(Box::new(Regressor(m, info)))
            },
            notes: "coordinate descent on the Gram matrix, duality-gap stop (as scikit-learn)",
        },
        Algorithm {
            name: "decision_tree",
            family: "decision tree",
            tasks: &[Task::Binary, Task::Multiclass],
            params: |_| json!({"criterion": "gini", "max_depth": null, "seed": 0}),
            fit: |_, t| {
                let m = DecisionTreeClassifier::default().fit(t.x.view(), t.classes().view())?;
                let info = json!({"depth": m.depth(), "leaves": m.n_leaves()});
                Ok(Box::new(Classifier(m, info)))
            },
            notes: "exact splits below 20,000 rows, 255-bin histograms from there (SplitSearch::Auto)",
        },
        Algorithm {
            name: "decision_tree_depth10",
            family: "decision tree (max depth 10)",
            tasks: &[Task::Binary, Task::Multiclass],
            params: |_| json!({"criterion": "gini", "max_depth": 10, "seed": 0}),
            fit: |_, t| {
                let m = DecisionTreeClassifier::default()
                    .with_max_depth(Some(10))
                    .fit(t.x.view(), t.classes().view())?;
                let info = json!({"depth": m.depth(), "leaves": m.n_leaves()});
                Ok(Box::new(Classifier(m, info)))
            },
            notes: "as decision_tree, with max_depth 10",
        },
        Algorithm {
            name: "random_forest",
            family: "random forest",
            tasks: &[Task::Binary, Task::Multiclass],
            params: |_| json!({"n_estimators": 100, "max_features": "sqrt", "seed": 0}),
            fit: |_, t| {
                let m = RandomForestClassifier::default()
                    .with_n_estimators(100)
                    .fit(t.x.view(), t.classes().view())?;
                Ok(Box::new(Classifier(m, json!({}))))
            },
            notes: "bootstrap, sqrt features per split, trees in parallel (rayon, 2 threads); histogram split search from 20,000 rows",
        },
        Algorithm {
            name: "extra_trees",
            family: "extra trees",
            tasks: &[Task::Binary, Task::Multiclass],
            params: |_| json!({"n_estimators": 100, "max_features": "sqrt", "bootstrap": false, "seed": 0}),
            fit: |_, t| {
                let m = ExtraTreesClassifier::default()
                    .with_n_estimators(100)
                    .fit(t.x.view(), t.classes().view())?;
                Ok(Box::new(Classifier(m, json!({}))))
            },
            notes: "extremely randomized trees: all rows, sqrt features per split, one random threshold each; trees in parallel (rayon, 2 threads)",
        },
        Algorithm {
            name: "hist_gradient_boosting",
            family: "gradient boosting",
            tasks: &[Task::Binary, Task::Multiclass],
            params: |_| boosting_params(),
            fit: |_, t| {
                let m = HistGradientBoostingClassifier::default()
                    .with_max_iter(100)
                    .with_learning_rate(0.1)
                    .with_max_leaf_nodes(Some(31))
                    .with_max_bins(255)
                    .with_early_stopping(EarlyStopping::Off)
                    .fit(t.x.view(), t.classes().view())?;
                let info = json!({"n_iter": m.n_iter(), "trees": m.trees().len()});
                Ok(Box::new(Classifier(m, info)))
            },
            notes: "255 bins, leaf-wise growth on gradient histograms with the subtraction trick",
        },
        Algorithm {
            name: "hist_gradient_boosting_regressor",
            family: "gradient boosting",
            tasks: &[Task::Regression],
            params: |_| boosting_params(),
            fit: |_, t| {
                let m = HistGradientBoostingRegressor::default()
                    .with_max_iter(100)
                    .with_learning_rate(0.1)
                    .with_max_leaf_nodes(Some(31))
                    .with_max_bins(255)
                    .with_early_stopping(EarlyStopping::Off)
                    .fit(t.x.view(), t.y.view())?;
                let info = json!({"n_iter": m.n_iter()});
                Ok(Box::new(Regressor(m, info)))
            },
            notes: "squared error; 255 bins, leaf-wise growth on gradient histograms",
        },
        Algorithm {
            name: "kmeans",
            family: "k-means (k-means++ init)",
            tasks: &[Task::Clustering],
            params: |e| {
                json!({"n_clusters": e.n_classes, "init": "k-means++", "n_init": 1,
                       "max_iter": 100, "tol": 0.0, "algorithm": "auto", "seed": 0})
            },
            fit: |e, t| {
                let m = KMeans::default()
                    .with_n_clusters(e.n_classes)
                    .with_n_init(1)
                    .with_max_iter(100)
                    .with_tol(0.0)
                    .with_algorithm(KMeansAlgorithm::Auto)
                    .fit(t.x.view())?;
                let info = json!({"n_iter": m.n_iter(), "inertia": m.inertia()});
                Ok(Box::new(Clusterer(m, info)))
            },
            notes: "greedy k-means++ (our generator); Auto: Elkan above 16 features (handing over to Lloyd if its bounds stop pruning); Lloyd up to 16 (and wider on AVX2 without AVX-512), handing over to Elkan once < 1 % of labels change (AVX-512 or AVX2, <= 16 centres)",
        },
        Algorithm {
            name: "kmeans_fixed_init",
            family: "k-means (fixed init)",
            tasks: &[Task::Clustering],
            params: |e| {
                json!({"n_clusters": e.n_classes, "init": "first k rows", "n_init": 1,
                       "max_iter": 100, "tol": 0.0, "algorithm": "auto"})
            },
            fit: |e, t| {
                let k = e.n_classes.min(t.x.nrows());
                let init = t.x.slice(ndarray::s![..k, ..]).to_owned();
                let m = KMeans::default()
                    .with_n_clusters(k)
                    .with_init(KMeansInit::Given(init))
                    .with_max_iter(100)
                    .with_tol(0.0)
                    .with_algorithm(KMeansAlgorithm::Auto)
                    .fit(t.x.view())?;
                let info = json!({"n_iter": m.n_iter(), "inertia": m.inertia()});
                Ok(Box::new(Clusterer(m, info)))
            },
            notes: "init = the first k rows, so every library starts from the same centres; Auto as in the k-means++ row",
        },
        Algorithm {
            name: "minibatch_kmeans",
            family: "mini-batch k-means",
            tasks: &[Task::Clustering],
            params: |e| {
                json!({"n_clusters": e.n_classes, "init": "k-means++", "n_init": 1,
                       "batch_size": 1024, "max_iter": 100, "max_no_improvement": 10,
                       "tol": 0.0, "reassignment_ratio": 0.01, "seed": 0})
            },
            fit: |e, t| {
                let m = MiniBatchKMeans::default()
                    .with_n_clusters(e.n_classes)
                    .with_n_init(1)
                    .with_batch_size(1024)
                    .with_max_iter(100)
                    .with_max_no_improvement(Some(10))
                    .with_tol(0.0)
                    .with_reassignment_ratio(0.01)
                    .with_seed(0)
                    .fit(t.x.view())?;
                let info = json!({"n_iter": m.n_iter(), "n_steps": m.n_steps(),
                                  "inertia": m.inertia()});
                Ok(Box::new(Clusterer(m, info)))
            },
            notes: "scikit-learn's defaults (batch 1024, init_size 3 x batch, early stop after 10 steps without improvement of the smoothed batch inertia); labels and inertia of all rows at the end",
        },
        Algorithm {
            name: "decision_tree_regressor",
            family: "decision tree",
            tasks: &[Task::Regression],
            params: |_| json!({"criterion": "squared_error", "max_depth": null, "seed": 0}),
            fit: |_, t| {
                let m = DecisionTreeRegressor::default().fit(t.x.view(), t.y.view())?;
                let info = json!({"depth": m.depth(), "leaves": m.n_leaves()});
                Ok(Box::new(Regressor(m, info)))
            },
            notes: "exact splits on per-feature sorted lists (SplitSearch::Auto is exact for regression)",
        },
    ]
}

/// The matched boosting parameters (see `boosting_params` in `peers/run_peers.py`).
fn boosting_params() -> Value {
    json!({"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 31, "max_bins": 255,
           "min_samples_leaf": 20, "l2_regularization": 0.0, "early_stopping": false})
}

/// A fitted kiln clusterer (k-means or mini-batch k-means), and facts for the record.
struct Clusterer<M>(M, Value);

/// The fitted centres of a kiln clusterer.
trait Centres {
    fn centres(&self) -> Array2<f64>;
}

impl Centres for kiln::cluster::FittedKMeans {
    fn centres(&self) -> Array2<f64> {
        self.cluster_centers().to_owned()
    }
}

impl Centres for kiln::cluster::FittedMiniBatchKMeans {
    fn centres(&self) -> Array2<f64> {
        self.cluster_centers().to_owned()
    }
}

impl<M: Predict<Output = usize> + Centres> BenchModel for Clusterer<M> {
    fn predict(&self, x: ArrayView2<'_, f64>) -> BenchResult<Prediction> {
        Ok(Prediction::Clusters {
            labels: self.0.predict(x)?,
            centres: self.0.centres(),
        })
    }

    fn info(&self) -> serde_json::Map<String, Value> {
        self.1.as_object().cloned().unwrap_or_default()
    }
}

/// A fitted kiln classifier with probabilities, and facts for the record.
struct Classifier<M>(M, Value);

impl<M: PredictProba> BenchModel for Classifier<M> {
    fn predict(&self, x: ArrayView2<'_, f64>) -> BenchResult<Prediction> {
        Ok(Prediction::Classes {
            labels: self.0.predict(x)?,
            proba: Some(self.0.predict_proba(x)?),
        })
    }

    fn predict_timed(&self, x: ArrayView2<'_, f64>) -> BenchResult<()> {
        self.0.predict(x)?;
        Ok(())
    }

    fn info(&self) -> serde_json::Map<String, Value> {
        self.1.as_object().cloned().unwrap_or_default()
    }
}

/// A fitted kiln regressor, and facts for the record.
struct Regressor<M>(M, Value);

impl<M: Predict<Output = f64>> BenchModel for Regressor<M> {
    fn predict(&self, x: ArrayView2<'_, f64>) -> BenchResult<Prediction> {
        Ok(Prediction::Values(self.0.predict(x)?))
    }

    fn info(&self) -> serde_json::Map<String, Value> {
        self.1.as_object().cloned().unwrap_or_default()
    }
}

/// The class prior or the mean of the target.
struct Prior {
    proba: Option<Array1<f64>>,
    mean: f64,
}

fn fit_prior(entry: &Entry, train: &Table) -> BenchResult<Box<dyn BenchModel>> {
    let n = train.y.len().max(1) as f64;
    let proba = match entry.task {
        Task::Binary | Task::Multiclass => {
            let mut counts = Array1::<f64>::zeros(entry.n_classes.max(1));
            for &c in train.classes().iter() {
                if c >= counts.len() {
                    return Err(format!("label {c} outside 0..{}", entry.n_classes).into());
                }
                counts[c] += 1.0;
            }
            Some(counts / n)
        }
        _ => None,
    };
    Ok(Box::new(Prior {
        proba,
        mean: train.y.sum() / n,
    }))
}

impl BenchModel for Prior {
    fn predict(&self, x: ArrayView2<'_, f64>) -> BenchResult<Prediction> {
        let n = x.nrows();
        Ok(match &self.proba {
            Some(p) => {
                let best = (0..p.len()).fold(0, |b, k| if p[k] > p[b] { k } else { b });
                let proba = Array2::from_shape_fn((n, p.len()), |(_, k)| p[k]);
                Prediction::Classes {
                    labels: Array1::from_elem(n, best),
                    proba: Some(proba),
                }
            }
            None => Prediction::Values(Array1::from_elem(n, self.mean)),
        })
    }

    fn info(&self) -> serde_json::Map<String, Value> {
        serde_json::Map::new()
    }
}
