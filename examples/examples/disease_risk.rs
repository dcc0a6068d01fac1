//! Disease risk: screen breast tumours for malignancy on the bundled `breast_cancer` data.
//! Shows a stratified split, a standardized logistic regression and a random forest, ROC AUC,
//! a high-sensitivity threshold (chosen on out-of-fold training predictions for a target
//! recall of 0.98 on the malignant class), and whether each model's probabilities can be read
//! as risks: calibration tables, expected calibration error and Brier score.
//!
//! The bundled target codes 0 = malignant, 1 = benign; here the disease is the positive class,
//! so the labels are re-encoded with malignant = 1.
//!
//! Run with `cargo run --release --example disease_risk`.

use kiln::datasets::Dataset;
use kiln::linear::LogisticRegression;
use kiln::metrics::bootstrap::Bootstrap;
use kiln::metrics::classification::brier_score;
use kiln::metrics::ranking::{
    CalibrationStrategy, calibration_curve, expected_calibration_error, roc_auc,
};
use kiln::metrics::threshold::{confusion_at_threshold, threshold_for_recall};
use kiln::prelude::*;
use kiln::prep::scale::StandardScaler;
use kiln::prep::split::{StratifiedKFold, TrainTestSplit};
use kiln::tree::RandomForestClassifier;
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

/// Recall on malignant tumours the threshold is chosen for (on training rows).
const TARGET_RECALL: f64 = 0.98;
/// Success: recall on malignant tumours in the held-out rows at the chosen threshold.
const SUCCESS_RECALL: f64 = 0.95;

/// The two models compared.
#[derive(Clone, Copy)]
enum Model {
    Logistic,
    Forest,
}

impl Model {
    fn name(self) -> &'static str {
        match self {
            Model::Logistic => "logistic regression",
            Model::Forest => "random forest",
        }
    }

    /// Fits on `(x, y)` and returns the probability of malignancy for the rows of `x_new`.
    /// The logistic regression standardizes with statistics of the fitting rows only.
    fn fit_score(
        self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        x_new: ArrayView2<'_, f64>,
    ) -> Result<Array1<f64>> {
        let proba = match self {
            Model::Logistic => {
                let (scaler, xs) = StandardScaler::default().fit_transform(x)?;
                LogisticRegression::default()
                    .fit(xs.view(), y)?
                    .predict_proba(scaler.transform(x_new)?.view())?
            }
            Model::Forest => RandomForestClassifier::default()
                .with_n_estimators(100)
                .with_seed(11)
                .fit(x, y)?
                .predict_proba(x_new)?,
        };
        Ok(proba.column(1).to_owned())
    }

    /// Out-of-fold probabilities on the training rows (5 stratified folds): each row is scored
    /// by a model that did not see it, so a threshold chosen on them is not over-optimistic.
    fn out_of_fold(self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, usize>) -> Result<Array1<f64>> {
        let mut oof = Array1::<f64>::zeros(y.len());
        let folds = StratifiedKFold::default()
            .with_n_splits(5)
            .with_shuffle(true)
            .with_seed(5)
            .split(y)?;
        for fold in folds {
            let fold_x = x.select(Axis(0), &fold.train);
            let fold_y = y.select(Axis(0), &fold.train);
            let scores = self.fit_score(
                fold_x.view(),
                fold_y.view(),
                x.select(Axis(0), &fold.test).view(),
            )?;
            for (&i, s) in fold.test.iter().zip(scores) {
                oof[i] = s;
            }
        }
        Ok(oof)
    }
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    // 1. The problem, and the labels with the disease as the positive class.
    let data = Dataset::BreastCancer;
    let cancer = data.load_numeric()?;
    let raw = data.column_strings(data.info().target)?;
    let malignant = "0".to_string();
    let labels = ClassLabels::binary(raw.iter().cloned(), &malignant)?;
    let y: Array1<usize> = labels
        .encode(raw.iter())?
        .mapv(|c| usize::from(Some(c) == labels.positive_index()));
    let n_malignant = y.sum();
    println!("Problem: flag malignant breast tumours from 30 cell-nucleus measurements.");
    println!(
        "  positive class = malignant (raw target \"0\", re-encoded as 1): {n_malignant} of {} rows",
        y.len()
    );
    println!(
        "  Success: recall on malignant >= {SUCCESS_RECALL:.2} on held-out rows, at a threshold \
         chosen\n  on training rows (out-of-fold) for recall {TARGET_RECALL:.2}; precision stated."
    );

    // 2. A stratified 70/30 split keeps the malignant share equal in both parts.
    let (train, test) = TrainTestSplit::default()
        .with_test_size(0.3)
        .with_seed(0)
        .split_stratified(y.view())?;
    let (x_train, y_train) = (cancer.x.select(Axis(0), &train), y.select(Axis(0), &train));
    let (x_test, y_test) = (cancer.x.select(Axis(0), &test), y.select(Axis(0), &test));
    println!(
        "  train {} rows ({} malignant), test {} rows ({} malignant)",
        y_train.len(),
        y_train.sum(),
        y_test.len(),
        y_test.sum()
    );

    // 3. Per model: ROC AUC, the high-sensitivity threshold and its test performance.
    println!("\n== Discrimination and the high-sensitivity threshold (test rows) ==");
    println!(
        "  {:<20} {:>22} {:>10} {:>8} {:>10} {:>8}",
        "model", "ROC AUC [95% CI]", "threshold", "recall", "precision", "missed"
    );
    let mut scored = Vec::new();
    for model in [Model::Logistic, Model::Forest] {
        let oof = model.out_of_fold(x_train.view(), y_train.view())?;
        let choice = threshold_for_recall(y_train.view(), oof.view(), TARGET_RECALL, None)?
            .ok_or("no threshold reaches the target recall")?;
        let score = model.fit_score(x_train.view(), y_train.view(), x_test.view())?;
        let auc = Bootstrap::default()
            .with_seed(1)
            .with_stratify(y_test.to_vec())
            .interval_paired(y_test.view(), score.view(), None, roc_auc)?;
        let c = confusion_at_threshold(y_test.view(), score.view(), choice.threshold, None)?;
        println!(
            "  {:<20} {:>6.3} [{:.3}, {:.3}] {:>10.3} {:>8.3} {:>10.3} {:>8.0}",
            model.name(),
            auc.estimate,
            auc.lower,
            auc.upper,
            choice.threshold,
            c.recall(),
            c.precision(),
            c.fn_
        );
        scored.push((model, score, c));
    }

    // 4. Calibration: among tumours given probability ~p, is the malignant share ~p?
    println!("\n== Calibration on test rows (5 equal-width bins; empty bins left out) ==");
    let mut quality = Vec::new();
    for (model, score, _) in &scored {
        let curve =
            calibration_curve(y_test.view(), score.view(), 5, CalibrationStrategy::Uniform)?;
        println!("  {}", model.name());
        println!(
            "    {:>14} {:>18} {:>6}",
            "mean predicted", "observed malignant", "rows"
        );
        for ((pred, obs), n) in curve
            .prob_pred
            .iter()
            .zip(&curve.prob_true)
            .zip(&curve.counts)
        {
            println!("    {pred:>14.3} {obs:>18.3} {n:>6}");
        }
        let ece = expected_calibration_error(y_test.view(), score.view(), 10, None)?;
        let brier = brier_score(y_test.view(), score.view(), None)?;
        quality.push((model.name(), ece, brier));
    }
    println!("\n  {:<20} {:>12} {:>8}", "model", "ECE (10 bins)", "Brier");
    for (name, ece, brier) in &quality {
        println!("  {name:<20} {ece:>12.3} {brier:>8.3}");
    }

    // 5. Conclusions in plain words.
    println!("\nConclusion:");
    for (model, _, c) in &scored {
        let met = c.recall() >= SUCCESS_RECALL;
        println!(
            "  {}: catches {:.0} of {:.0} malignant (recall {:.3}, precision {:.3}); \
             goal {}.",
            model.name(),
            c.tp,
            c.tp + c.fn_,
            c.recall(),
            c.precision(),
            if met { "met" } else { "NOT met" }
        );
    }
    let (best, worse) = if quality[0].1 <= quality[1].1 {
        (&quality[0], &quality[1])
    } else {
        (&quality[1], &quality[0])
    };
    println!(
        "  Risks: the {}'s probabilities track observed frequencies more closely\n  (ECE {:.3} \
         vs {:.3}, Brier {:.3} vs {:.3}), so they are the ones to read as a patient's risk;\n  \
         the {}'s scores rank tumours well but need recalibrating before being read \
         as risks.",
        best.0, best.1, worse.1, best.2, worse.2, worse.0
    );
    Ok(())
}
