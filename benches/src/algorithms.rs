//! The kiln algorithms the harness runs. Each model issue adds its estimators here, with the
//! parameters matched to the peers' (see `docs/benchmarks.md`).

use ndarray::{Array1, Array2, ArrayView2};
use serde_json::{Value, json};

use crate::BenchResult;
use crate::protocol::{Algorithm, BenchModel, Prediction};
use crate::workload::{Entry, Table, Task};

/// Every registered algorithm.
pub fn all() -> Vec<Algorithm> {
    vec![Algorithm {
        name: "prior",
        family: "baseline (class prior / mean)",
        tasks: &[Task::Binary, Task::Multiclass, Task::Regression],
        params: |_| json!({}),
        fit: fit_prior,
        notes: "predicts the training class frequencies (or mean): the quality floor, and a \
                check of the harness itself",
    }]
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
