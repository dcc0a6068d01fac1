//! The quality measures reported beside the timings, from kiln-metrics (checked against
//! scikit-learn there), plus the k-means inertia of a labelling.

use kiln::metrics::{classification, cluster, ranking, regression};
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde_json::{Map, Value};

use crate::BenchResult;
use crate::protocol::Prediction;
use crate::workload::{Table, Task};

/// The measures that fit `task`, computed on `eval` against `pred`.
///
/// # Errors
/// When the prediction's kind does not fit the task.
pub fn measure(task: Task, eval: &Table, pred: &Prediction) -> BenchResult<Map<String, Value>> {
    let mut q = Map::new();
    let mut put = |k: &str, v: f64| {
        q.insert(k.into(), Value::from(v));
    };
    match (task, pred) {
        (Task::Binary | Task::Multiclass, Prediction::Classes { labels, proba }) => {
            let y = eval.classes();
            put(
                "accuracy",
                classification::accuracy(y.view(), labels.view(), None)?,
            );
            if let Some(p) = proba {
                put(
                    "log_loss",
                    classification::log_loss(y.view(), p.view(), None)?,
                );
                if task == Task::Binary && p.ncols() == 2 {
                    put("roc_auc", ranking::roc_auc(y.view(), p.column(1), None)?);
                }
            }
        }
        (Task::Regression, Prediction::Values(v)) => {
            put("r2", regression::r2(eval.y.view(), v.view(), None)?);
            put(
                "rmse",
                regression::root_mean_squared_error(eval.y.view(), v.view(), None)?,
            );
        }
        (Task::Clustering, Prediction::Clusters { labels, centres }) => {
            put("inertia", inertia(eval.x.view(), labels.view(), centres));
            put(
                "adjusted_rand",
                cluster::adjusted_rand_score(eval.classes().view(), labels.view())?,
            );
        }
        (task, _) => {
            return Err(format!("a prediction of the wrong kind for a {task:?} task").into());
        }
    }
    Ok(q)
}

/// Sum of squared distances from each row to its assigned centre.
pub fn inertia(
    x: ArrayView2<'_, f64>,
    labels: ArrayView1<'_, usize>,
    centres: &Array2<f64>,
) -> f64 {
    x.outer_iter()
        .zip(labels)
        .map(|(row, &k)| {
            row.iter()
                .zip(centres.row(k))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn inertia_sums_squared_distances_to_the_assigned_centre() {
        let x = array![[0.0, 0.0], [1.0, 1.0], [4.0, 4.0]];
        let centres = array![[0.0, 1.0], [4.0, 3.0]];
        // 1 + 1 + 1
        assert!((inertia(x.view(), array![0usize, 0, 1].view(), &centres) - 3.0).abs() < 1e-15);
    }
}
