//! The quality measures reported beside the timings, computed the way scikit-learn defines
//! them (its documented examples are the tests). kiln-metrics will replace these once it lands.

use std::collections::BTreeMap;

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
            put("accuracy", accuracy(y.view(), labels.view()));
            if let Some(p) = proba {
                put("log_loss", log_loss(y.view(), p.view()));
                if task == Task::Binary && p.ncols() == 2 {
                    put("roc_auc", roc_auc(y.view(), p.column(1)));
                }
            }
        }
        (Task::Regression, Prediction::Values(v)) => {
            put("r2", r2(eval.y.view(), v.view()));
            put("rmse", rmse(eval.y.view(), v.view()));
        }
        (Task::Clustering, Prediction::Clusters { labels, centres }) => {
            put("inertia", inertia(eval.x.view(), labels.view(), centres));
            put(
                "adjusted_rand",
                adjusted_rand(eval.classes().view(), labels.view()),
            );
        }
        (task, _) => {
            return Err(format!("a prediction of the wrong kind for a {task:?} task").into());
        }
    }
    Ok(q)
}

/// Share of exact matches.
pub fn accuracy(y: ArrayView1<'_, usize>, pred: ArrayView1<'_, usize>) -> f64 {
    let hits = y.iter().zip(pred).filter(|(a, b)| a == b).count();
    hits as f64 / y.len().max(1) as f64
}

/// Mean negative log-likelihood of the true class; probabilities clipped to
/// `[eps, 1 - eps]` with `eps` the f64 machine epsilon, as scikit-learn does for float64.
pub fn log_loss(y: ArrayView1<'_, usize>, proba: ArrayView2<'_, f64>) -> f64 {
    let eps = f64::EPSILON;
    let total: f64 = y
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let row = proba.row(i);
            let sum: f64 = row.iter().map(|p| p.clamp(eps, 1.0 - eps)).sum();
            let p = row.get(c).copied().unwrap_or(0.0).clamp(eps, 1.0 - eps) / sum;
            -p.ln()
        })
        .sum();
    total / y.len().max(1) as f64
}

/// Area under the ROC curve for binary labels (class 1 positive), with tied scores counted as
/// half: the Mann–Whitney U statistic over average ranks, after one sort.
pub fn roc_auc(y: ArrayView1<'_, usize>, score: ArrayView1<'_, f64>) -> f64 {
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let (mut rank_sum, mut n_pos) = (0.0, 0usize);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        // Ranks i+1..=j+1 share their average.
        let avg = (i + j + 2) as f64 / 2.0;
        for &k in &order[i..=j] {
            if y[k] == 1 {
                rank_sum += avg;
                n_pos += 1;
            }
        }
        i = j + 1;
    }
    let n_neg = y.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return f64::NAN;
    }
    let np = n_pos as f64;
    (rank_sum - np * (np + 1.0) / 2.0) / (np * n_neg as f64)
}

/// Coefficient of determination.
pub fn r2(y: ArrayView1<'_, f64>, pred: ArrayView1<'_, f64>) -> f64 {
    let mean = y.mean().unwrap_or(0.0);
    let ss_res: f64 = y.iter().zip(pred).map(|(a, b)| (a - b) * (a - b)).sum();
    let ss_tot: f64 = y.iter().map(|a| (a - mean) * (a - mean)).sum();
    1.0 - ss_res / ss_tot
}

/// Root mean squared error.
pub fn rmse(y: ArrayView1<'_, f64>, pred: ArrayView1<'_, f64>) -> f64 {
    let ss: f64 = y.iter().zip(pred).map(|(a, b)| (a - b) * (a - b)).sum();
    (ss / y.len().max(1) as f64).sqrt()
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

/// Adjusted Rand index (Hubert & Arabie 1985) from the contingency table.
pub fn adjusted_rand(a: ArrayView1<'_, usize>, b: ArrayView1<'_, usize>) -> f64 {
    let pairs = |n: f64| n * (n - 1.0) / 2.0;
    let mut table: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut rows: BTreeMap<usize, f64> = BTreeMap::new();
    let mut cols: BTreeMap<usize, f64> = BTreeMap::new();
    for (&i, &j) in a.iter().zip(b) {
        *table.entry((i, j)).or_default() += 1.0;
        *rows.entry(i).or_default() += 1.0;
        *cols.entry(j).or_default() += 1.0;
    }
    let index: f64 = table.values().map(|&n| pairs(n)).sum();
    let sum_a: f64 = rows.values().map(|&n| pairs(n)).sum();
    let sum_b: f64 = cols.values().map(|&n| pairs(n)).sum();
    let expected = sum_a * sum_b / pairs(a.len() as f64);
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    // Expected values are the examples in scikit-learn's documentation of each function.

    #[test]
    fn roc_auc_matches_sklearn_doc_example() {
        let y = array![0usize, 0, 1, 1];
        let s = array![0.1, 0.4, 0.35, 0.8];
        assert!((roc_auc(y.view(), s.view()) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn roc_auc_counts_ties_as_half() {
        // One positive tied with one negative, one positive above all: (1 + 0.5) / 2.
        let y = array![0usize, 1, 1];
        let s = array![0.5, 0.5, 0.9];
        assert!((roc_auc(y.view(), s.view()) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn log_loss_matches_sklearn_doc_example() {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
        // = -(2 ln 0.9 + ln 0.8 + ln 0.65) / 4 (the docs print 0.21616...).
        let y = array![1usize, 0, 0, 1];
        let p = array![[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]];
        assert!((log_loss(y.view(), p.view()) - 0.216_161_874_680_579_1).abs() < 1e-12);
    }

    #[test]
    fn r2_matches_sklearn_doc_example() {
        let y = array![3.0, -0.5, 2.0, 7.0];
        let p = array![2.5, 0.0, 2.0, 8.0];
        assert!((r2(y.view(), p.view()) - 0.948_608_137_044_967_9).abs() < 1e-12);
    }

    #[test]
    fn adjusted_rand_matches_sklearn_doc_examples() {
        let a = array![0usize, 0, 1, 1];
        assert!((adjusted_rand(a.view(), array![1usize, 1, 0, 0].view()) - 1.0).abs() < 1e-12);
        let b = array![0usize, 0, 1, 2];
        assert!((adjusted_rand(a.view(), b.view()) - 0.571_428_571_428_571_5).abs() < 1e-12);
        let c = array![0usize, 1, 2, 3];
        assert!(adjusted_rand(array![0usize, 0, 0, 0].view(), c.view()).abs() < 1e-12);
    }
}
