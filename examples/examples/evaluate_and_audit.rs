//! Evaluate and audit: compare two models by cross-validation, evaluate the chosen one on
//! held-out data with a confidence interval, pick a decision threshold, audit it for fairness
//! across sex × age group, and mitigate the largest gap with per-group thresholds.
//!
//! Run with `cargo run --release --example evaluate_and_audit`.

use kiln::datasets::Dataset;
use kiln::fairness::groups::{Groups, SensitiveColumn};
use kiln::fairness::mitigate::Disparity;
use kiln::fairness::mitigate::threshold::ThresholdOptimizer;
use kiln::fairness::report::{FairnessReport, ReportParams};
use kiln::linear::LogisticRegression;
use kiln::metrics::bootstrap::Bootstrap;
use kiln::metrics::classification::accuracy;
use kiln::metrics::ranking::roc_auc;
use kiln::metrics::threshold::threshold_for_precision;
use kiln::prelude::*;
use kiln::prep::scale::StandardScaler;
use kiln::prep::split::{StratifiedKFold, TrainTestSplit};
use kiln::select::compare::{CompareModelsOptions, compare_models};
use kiln::select::cv::{CvOptions, cross_validate};
use kiln::select::scorer;
use kiln::tree::HistGradientBoostingClassifier;
use ndarray::{Array1, Axis};

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    // 1. The problem: predict good credit (the favourable outcome) from the numeric columns.
    let data = Dataset::GermanCredit;
    let credit = data.load_numeric()?;
    let y = credit
        .target
        .class_indices()
        .ok_or("a classification target")?
        .clone();
    let sex = data.column_strings("sex")?;
    let age = data.column_strings("age_group")?;
    println!(
        "german_credit: {} rows, numeric features {:?}",
        y.len(),
        credit.feature_names
    );

    // 2. Hold out 30% (stratified), and standardize with statistics of the training rows.
    let (train, test) = TrainTestSplit::default()
        .with_test_size(0.3)
        .with_seed(0)
        .split_stratified(y.view())?;
    let (scaler, x_train) =
        StandardScaler::default().fit_transform(credit.x.select(Axis(0), &train).view())?;
    let x_test = scaler.transform(credit.x.select(Axis(0), &test).view())?;
    let (y_train, y_test) = (y.select(Axis(0), &train), y.select(Axis(0), &test));

    // 3. Compare two models on the same 10 folds of the training rows.
    let cv = StratifiedKFold::default().with_n_splits(10);
    let logistic = LogisticRegression::default();
    let boosting = HistGradientBoostingClassifier::default().with_max_iter(100);
    let res = cross_validate(
        &logistic,
        x_train.view(),
        y_train.view(),
        &cv,
        &[scorer::roc_auc(), scorer::accuracy()],
        &CvOptions::default(),
    )?;
    println!("\nLogistic regression, 10-fold CV:\n{res}");
    let verdict = compare_models(
        (&boosting, &scorer::roc_auc()),
        (&logistic, &scorer::roc_auc()),
        x_train.view(),
        y_train.view(),
        &cv,
        &CompareModelsOptions::default(),
    )?;
    println!(
        "Gradient boosting (A) vs logistic regression (B): {}",
        verdict.verdict()
    );

    // 4. Held-out evaluation of the logistic regression, with a 95% bootstrap interval.
    let model = logistic.fit(x_train.view(), y_train.view())?;
    let proba = model.predict_proba(x_test.view())?;
    let score: Array1<f64> = proba.column(1).to_owned();
    let auc = roc_auc(y_test.view(), score.view(), None)?;
    let ci = Bootstrap::default()
        .with_seed(1)
        .with_stratify(y_test.to_vec())
        .interval_paired(y_test.view(), score.view(), None, roc_auc)?;
    println!(
        "\nHeld-out ROC AUC {auc:.3} (95% CI {:.3} to {:.3}, {} resamples)",
        ci.lower, ci.upper, ci.n_resamples
    );

    // 5. A decision threshold: approve when the model is at least 80% precise on "good".
    let choice = threshold_for_precision(y_test.view(), score.view(), 0.8, None)?
        .ok_or("no threshold reaches 80% precision")?;
    let y_pred: Array1<usize> = score.mapv(|s| usize::from(s >= choice.threshold));
    println!(
        "Threshold {:.3}: precision >= 0.8 with recall {:.3}, accuracy {:.3}",
        choice.threshold,
        choice.value,
        accuracy(y_test.view(), y_pred.view(), None)?
    );

    // 6. Fairness audit of those decisions across sex × age group.
    let pick = |v: &[String]| test.iter().map(|&i| v[i].clone()).collect::<Vec<_>>();
    let groups = Groups::new(
        &[
            SensitiveColumn::from_strings("sex", pick(&sex))?,
            SensitiveColumn::from_strings("age_group", pick(&age))?,
        ],
        &[],
    )?;
    let report = FairnessReport::new(
        y_test.view(),
        y_pred.view(),
        Some(score.view()),
        &groups,
        &ReportParams::default(),
        None,
    )?;
    println!("\n{report}");

    // 7. Mitigate the equal-opportunity gap with per-group thresholds (fitted on the training
    //    rows' scores), and show the trade-off on the held-out rows.
    let train_score = model.predict_proba(x_train.view())?.column(1).to_owned();
    let pick_train = |v: &[String]| train.iter().map(|&i| v[i].clone()).collect::<Vec<_>>();
    let train_groups = Groups::new(
        &[
            SensitiveColumn::from_strings("sex", pick_train(&sex))?,
            SensitiveColumn::from_strings("age_group", pick_train(&age))?,
        ],
        &[],
    )?;
    let optimizer = ThresholdOptimizer::default()
        .with_constraints(Disparity::TruePositiveRateParity)
        .fit(train_score.view(), y_train.view(), &train_groups)?;
    let trade = optimizer.trade_off(score.view(), y_test.view(), &groups, y_pred.view())?;
    println!("Threshold optimizer (equal opportunity): {trade}");
    Ok(())
}
