//! The built-in scorers on models with known outputs, against values computed by hand or
//! quoted from scikit-learn's documentation.

#![allow(clippy::unwrap_used, reason = "tests")]

use kiln_core::{Fitted, Predict, PredictProba, Result};
use kiln_metrics::classification::Average;
use kiln_select::scorer::{self, Direction};
use ndarray::{Array1, Array2, ArrayView2, array};

/// A classifier whose probabilities are fixed: row `i` of `x` gets row `i` of `proba`.
struct FixedClassifier {
    classes: Vec<usize>,
    proba: Array2<f64>,
}

impl Fitted for FixedClassifier {
    fn n_features_in(&self) -> usize {
        1
    }
}

impl Predict for FixedClassifier {
    type Output = usize;
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let p = self.predict_proba(x)?;
        Ok(p.rows()
            .into_iter()
            .map(|r| {
                let mut best = 0;
                for j in 1..r.len() {
                    if r[j] > r[best] {
                        best = j;
                    }
                }
                self.classes[best]
            })
            .collect())
    }
}

impl PredictProba for FixedClassifier {
    fn classes(&self) -> &[usize] {
        &self.classes
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        Ok(self.proba.slice(ndarray::s![..x.nrows(), ..]).to_owned())
    }
}

/// A regressor returning fixed values.
struct FixedRegressor(Array1<f64>);

impl Fitted for FixedRegressor {
    fn n_features_in(&self) -> usize {
        1
    }
}

impl Predict for FixedRegressor {
    type Output = f64;
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.0.slice(ndarray::s![..x.nrows()]).to_owned())
    }
}

fn binary_model() -> FixedClassifier {
    // scikit-learn's roc_auc_score doc example: scores 0.1, 0.4, 0.35, 0.8 for y 0, 0, 1, 1.
    let pos = [0.1, 0.4, 0.35, 0.8];
    let mut proba = Array2::zeros((4, 2));
    for (i, p) in pos.iter().enumerate() {
        proba[[i, 0]] = 1.0 - p;
        proba[[i, 1]] = *p;
    }
    FixedClassifier {
        classes: vec![0, 1],
        proba,
    }
}

#[test]
fn binary_scorers_match_hand_computed_values() {
    let model = binary_model();
    let x = Array2::zeros((4, 1));
    let y = array![0usize, 0, 1, 1];
    let auc = scorer::roc_auc()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((auc - 0.75).abs() < 1e-15);
    // Predictions 0, 0, 0, 1: accuracy 3/4, precision 1/1, recall 1/2, F1 2/3.
    let acc = scorer::accuracy()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((acc - 0.75).abs() < 1e-15);
    let f1 = scorer::f1(Average::Binary);
    assert_eq!(f1.name(), "f1");
    assert!((f1.score(&model, x.view(), y.view(), None).unwrap() - 2.0 / 3.0).abs() < 1e-15);
    let recall = scorer::recall(Average::Macro);
    assert_eq!(recall.name(), "recall_macro");
    // Class 0 recall 1, class 1 recall 1/2.
    assert!((recall.score(&model, x.view(), y.view(), None).unwrap() - 0.75).abs() < 1e-15);
    let ll = scorer::log_loss();
    assert_eq!(ll.direction(), Direction::Minimize);
    let want = -(0.9_f64.ln() + 0.6_f64.ln() + 0.35_f64.ln() + 0.8_f64.ln()) / 4.0;
    assert!((ll.score(&model, x.view(), y.view(), None).unwrap() - want).abs() < 1e-15);
    let brier = scorer::brier_score()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    let want = (0.01 + 0.16 + 0.65 * 0.65 + 0.04) / 4.0;
    assert!((brier - want).abs() < 1e-15);
    // Average precision: ranks 0.8 (pos), 0.4 (neg), 0.35 (pos), 0.1 (neg):
    // AP = 1/2 * 1 + 1/2 * 2/3 (scikit-learn's doc example gives 0.8333).
    let ap = scorer::average_precision()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((ap - 5.0 / 6.0).abs() < 1e-15);
}

#[test]
fn probability_scorers_place_columns_at_class_indices() {
    // Fitted on a fold that never saw class 0: columns are classes 1 and 2.
    let model = FixedClassifier {
        classes: vec![1, 2],
        proba: array![[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]],
    };
    let x = Array2::zeros((4, 1));
    let y = array![1usize, 2, 0, 2];
    // log-loss over the true classes' probabilities 0.9, 0.8, 0 (clipped to eps), 0.7.
    let ll = scorer::log_loss()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    let want = -(0.9_f64.ln() + 0.8_f64.ln() + f64::EPSILON.ln() + 0.7_f64.ln()) / 4.0;
    assert!((ll - want).abs() < 1e-12, "{ll} vs {want}");
    // Binary scorers refuse a three-class problem with a clear error.
    let err = scorer::brier_score()
        .score(&model, x.view(), y.view(), None)
        .unwrap_err();
    assert!(err.to_string().contains("binary"), "{err}");
}

#[test]
fn regression_scorers_match_hand_computed_values() {
    let model = FixedRegressor(array![2.5, 0.0, 2.0, 8.0]);
    let x = Array2::zeros((4, 1));
    // scikit-learn's doc example: y_true 3, -0.5, 2, 7.
    let y = array![3.0, -0.5, 2.0, 7.0];
    let mse = scorer::mean_squared_error()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((mse - 0.375).abs() < 1e-15);
    let rmse = scorer::root_mean_squared_error()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((rmse - 0.375_f64.sqrt()).abs() < 1e-15);
    let mae = scorer::mean_absolute_error()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((mae - 0.5).abs() < 1e-15);
    let r2 = scorer::r2()
        .score(&model, x.view(), y.view(), None)
        .unwrap();
    assert!((r2 - 0.948_608_137_044_967_9).abs() < 1e-15);
    let s = scorer::r2::<FixedRegressor>();
    assert!(s.is_better(0.9, 0.8) && !s.is_better(f64::NAN, 0.1) && s.is_better(0.1, f64::NAN));
    assert!(scorer::mean_squared_error::<FixedRegressor>().is_better(0.1, 0.2));
}
