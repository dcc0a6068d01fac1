//! Credit risk: detect applicants who will default (`bad`) on credit_scoring (bundled), a data
//! set with missing numbers and categories and two duplicate rows. Clean it, state the problem,
//! train two models chosen by name (class-weighted logistic regression and gradient boosting)
//! with automatic preparation, read their held-out evaluations, see which features drive the
//! boosting model, and score three new applicants given as raw values (one without an income:
//! the pipeline imputes it).
//!
//! Run with `cargo run --release --example credit_risk`.

use std::error::Error as StdError;

use kiln::datasets::Dataset;
use kiln::model::Trained;
use kiln::prelude::*;
use kiln::prep::{Categorical, Column, Keep};

type Res<T> = std::result::Result<T, Box<dyn StdError>>;

/// A text column from values, `None` for missing.
fn text(values: &[Option<&str>]) -> Column {
    Column::Categorical(Categorical::from_values(values))
}

fn main() -> Res<()> {
    // The problem: find the applicants who will default, the event to detect (positive class
    // `bad`), while `good` (repaying) stays the favourable outcome for any fairness audit.
    let problem = Problem::classification("status")
        .with_positive_class("bad")
        .with_favorable_class("good")
        .with_goal("roc_auc", 0.80);
    problem.validate()?;
    println!("Problem: predict `status`; positive class `bad` (default), favourable `good`");
    println!(
        "Success: {} >= {} on held-out applicants\n",
        problem.metric(),
        problem.goal.unwrap_or(f64::NAN)
    );

    // Clean: drop exact duplicate rows, then see what is missing (the pipeline imputes it).
    let (raw, _) = CsvOptions::default().read_str(Dataset::CreditScoring.csv())?;
    let (data, dups) = raw.drop_duplicates(None::<&[&str]>, Keep::First)?;
    println!(
        "Data: {} rows, {} duplicate rows dropped, {} left",
        dups.rows_before,
        dups.removed,
        data.n_rows()
    );
    let missing = data.missing_report();
    println!(
        "Missing values ({} rows have at least one):",
        missing.rows_with_missing
    );
    for (column, count, share) in missing.columns.iter().filter(|c| c.1 > 0) {
        println!("  {column:<8} {count:>4} ({:.1}%)", 100.0 * share);
    }

    // Two models by name, with parameters set from text as on the command line. Each is
    // trained on the same stratified 80% and evaluated on the same held-out 20%.
    let mut logistic = Estimator::from_name(Task::Classification, "logistic")?;
    logistic.set("class_weight", "balanced")?;
    let gbdt = Estimator::from_name(Task::Classification, "gbdt")?;
    let mut models = Vec::new();
    for estimator in [logistic, gbdt] {
        let model = Model::train(&problem, estimator, &data, None, &TrainOptions::default())?;
        let eval = model.evaluation().ok_or("held-out rows")?;
        println!(
            "\n== {} ({} training rows), held-out evaluation:",
            model.estimator().name(),
            model.n_train_rows()
        );
        println!("{eval}");
        models.push(model);
    }

    // What drives the boosting model: total split gain per prepared feature.
    let gbdt = models.last().ok_or("a model")?;
    if let Trained::Classifier(p) = gbdt.trained() {
        let importances = p.model().feature_importances().ok_or("importances")?;
        let mut ranked: Vec<(&String, f64)> =
            p.feature_names_out().iter().zip(importances).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("\nTop features of gbdt (share of total split gain):");
        for (name, share) in ranked.iter().take(5) {
            println!("  {name:<16} {share:.3}");
        }
    }

    // Three new applicants, raw as they would arrive; the second gave no income.
    let applicants = Frame::new(vec![
        ("seniority".into(), Column::Int(vec![12.0, 1.0, 3.0])),
        (
            "home".into(),
            text(&[Some("owner"), Some("rent"), Some("parents")]),
        ),
        ("time".into(), Column::Int(vec![36.0, 60.0, 48.0])),
        ("age".into(), Column::Int(vec![45.0, 23.0, 30.0])),
        (
            "marital".into(),
            text(&[Some("married"), Some("single"), Some("single")]),
        ),
        (
            "records".into(),
            text(&[Some("no"), Some("yes"), Some("no")]),
        ),
        (
            "job".into(),
            text(&[Some("fixed"), Some("partime"), Some("fixed")]),
        ),
        ("expenses".into(), Column::Int(vec![60.0, 35.0, 45.0])),
        ("income".into(), Column::Float(vec![220.0, f64::NAN, 130.0])),
        ("assets".into(), Column::Float(vec![8000.0, 0.0, 0.0])),
        ("debt".into(), Column::Float(vec![0.0, 500.0, 0.0])),
        ("amount".into(), Column::Int(vec![1000.0, 1500.0, 1200.0])),
        ("price".into(), Column::Int(vec![1600.0, 1550.0, 1400.0])),
    ])?;
    // Logistic regression's pipeline fills the missing income with the training median;
    // gradient boosting sends it down the branch it learned for missing values.
    println!("\nNew applicants, P(bad) by model:");
    let mut lines = vec![String::new(); applicants.n_rows()];
    for model in &models {
        let predictions = model.predict(&applicants)?;
        let proba = predictions.proba().ok_or("probabilities")?;
        let bad = model.positive_index().ok_or("a positive class")?;
        for (i, line) in lines.iter_mut().enumerate() {
            let label = predictions.label(i);
            line.push_str(&format!(
                "  {:<9} {:.2} {label:<4}",
                model.estimator().name(),
                proba[[i, bad]]
            ));
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let note = if i == 1 { "  (no income given)" } else { "" };
        println!("  applicant {}:{line}{note}", i + 1);
    }

    // Did the models reach the goal? Both numbers come from the same held-out rows.
    println!();
    let mut met_by = Vec::new();
    for model in &models {
        let eval = model.evaluation().ok_or("held-out rows")?;
        let metric = |m: &str| eval.metrics.get(m).copied().unwrap_or(f64::NAN);
        let met = eval.assessment.as_ref().and_then(|a| a.met) == Some(true);
        println!(
            "{:<9} ROC AUC {:.3}, catches {:.0}% of defaulters at its default threshold: goal {}",
            model.estimator().name(),
            metric("roc_auc"),
            100.0 * metric("recall"),
            if met { "met" } else { "NOT met" }
        );
        if met {
            met_by.push(model.estimator().name());
        }
    }
    match met_by.as_slice() {
        [] => println!(
            "Neither model reaches ROC AUC {}.",
            problem.goal.unwrap_or(f64::NAN)
        ),
        names => println!("Goal met by: {}.", names.join(", ")),
    }
    Ok(())
}
