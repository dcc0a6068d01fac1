//! Quickstart: the whole kiln workflow on german_credit (bundled), from the business problem to
//! the retraining decision: state the problem, prepare the data, compare three models with
//! cross-validation, evaluate the chosen one on held-out rows with confidence intervals, audit
//! it for fairness by sex and age group, mitigate the gap, save and load it, check a shifted
//! batch for drift and decide whether to retrain.
//!
//! Run with `cargo run --release --example quickstart`.

use std::error::Error as StdError;
use std::fmt::Display;

use kiln::datasets::Dataset;
use kiln::fairness::groups::{Groups, MissingPolicy, SensitiveColumn};
use kiln::fairness::mitigate::Disparity;
use kiln::fairness::mitigate::threshold::ThresholdOptimizer;
use kiln::fairness::report::{FairnessReport, Verdict};
use kiln::metrics::bootstrap::Bootstrap;
use kiln::metrics::classification::accuracy;
use kiln::metrics::ranking::roc_auc;
use kiln::monitor::drift::{Correction, DriftOptions, DriftReport};
use kiln::monitor::policy::{Observations, Policy};
use kiln::prelude::*;
use kiln::prep::split::{StratifiedKFold, TrainTestSplit};
use kiln::prep::{Column, Keep};
use kiln::select::compare::{CompareOptions, compare_scores};
use kiln::select::cv::{CvOptions, cross_validate};
use kiln::select::scorer::{self, Direction};
use ndarray::{Array1, ArrayView1, Axis};

type Res<T> = std::result::Result<T, Box<dyn StdError>>;

/// The intersectional groups of `columns` (a missing value is a group of its own).
fn groups_of(frame: &Frame, columns: &[String]) -> Res<Groups> {
    let missing = MissingPolicy::Group("missing".into());
    let mut cols = Vec::new();
    for name in columns {
        let col = frame.column(name)?;
        let values = (0..col.len()).map(|i| (!col.is_missing(i)).then(|| col.format(i)));
        cols.push(SensitiveColumn::from_values(
            name.clone(),
            values,
            &missing,
        )?);
    }
    Ok(Groups::new(&cols, &[])?)
}

/// `frame` with the numeric column `name` replaced by `f` of each value, keeping its type.
fn shifted(frame: Frame, name: &str, f: impl Fn(f64) -> f64) -> Res<Frame> {
    let column = match frame.column(name)? {
        Column::Int(v) => Column::Int(v.iter().map(|&x| f(x)).collect()),
        Column::Float(v) => Column::Float(v.iter().map(|&x| f(x)).collect()),
        _ => return Err(format!("`{name}` is not a numeric column").into()),
    };
    Ok(frame.with_column(name, column)?)
}

/// The probability of the positive class `good` (a class index) for each row.
fn good_score(predictions: &Predictions, good: usize) -> Res<Array1<f64>> {
    let proba = predictions.proba().ok_or("class probabilities")?;
    Ok(proba.column(good).to_owned())
}

/// `yes` when `cond` holds, else `no`.
fn say<'a>(cond: bool, yes: &'a str, no: &'a str) -> &'a str {
    if cond { yes } else { no }
}

/// A multi-line text indented by two spaces.
fn indent(text: impl Display) -> String {
    format!("  {}", text.to_string().replace('\n', "\n  "))
}

fn main() -> Res<()> {
    // 1. The problem comes first: what is predicted, and which number counts as success.
    let problem = Problem::classification("credit")
        .with_positive_class("good")
        .with_goal("roc_auc", 0.75)
        .with_sensitive(["sex", "age_group"]);
    problem.validate()?;
    let goal = problem.goal.unwrap_or(f64::NAN);
    println!("== 1. Problem");
    println!("  predict `credit`, positive class `good` (the applicant repays)");
    println!(
        "  success: {} >= {goal} on held-out applicants",
        problem.metric()
    );
    println!(
        "  fairness across {} (not features):\n  {} must pass (differences <= {}, ratios >= {})",
        problem.sensitive.join(" x "),
        problem.fairness_measures.join(" and "),
        problem.fairness.max_difference,
        problem.fairness.min_ratio
    );

    // 2. Data: look at it, then hold out 20% (stratified) for the final check.
    let (data, _) = CsvOptions::default().read_str(Dataset::GermanCredit.csv())?;
    let missing: usize = data.describe().columns.iter().map(|c| c.missing).sum();
    let (_, dups) = data.drop_duplicates(None::<&[&str]>, Keep::First)?;
    let credit = data.column("credit")?;
    let labels: Vec<String> = (0..data.n_rows()).map(|i| credit.format(i)).collect();
    let y: Array1<usize> = labels.iter().map(|l| usize::from(l == "good")).collect();
    let (train_rows, test_rows) = TrainTestSplit::default()
        .with_test_size(0.2)
        .with_seed(0)
        .split_stratified(ArrayView1::from(labels.as_slice()))?;
    let (train, test) = (data.take_rows(&train_rows)?, data.take_rows(&test_rows)?);
    let (y_train, y_test) = (
        y.select(Axis(0), &train_rows),
        y.select(Axis(0), &test_rows),
    );
    let features = problem.feature_columns(data.names());
    let prep = Pipeline::new(Classifier::from_name("logistic")?)
        .with_features(&features)
        .fit(&train, y_train.view())?;
    println!("\n== 2. Data");
    println!(
        "  {} rows, {} numeric and {} text columns, {missing} missing cells, {} duplicate rows",
        data.n_rows(),
        data.numeric_names().len(),
        data.categorical_names().len(),
        dups.removed
    );
    println!(
        "  automatic preparation for logistic regression: {} feature columns -> {} inputs",
        features.len(),
        prep.feature_names_out().len()
    );
    println!(
        "  train on {} rows, hold out {} ({:.0}% good in both)",
        train.n_rows(),
        test.n_rows(),
        100.0 * y_test.sum() as f64 / y_test.len() as f64
    );

    // 3. Compare three models on the same 5 stratified folds of the training rows. Each fold
    //    refits the preparation on its own training rows (Pipeline::on + row_ids).
    let mut forest = Classifier::from_name("forest")?;
    forest.set("n_estimators", "100")?;
    let candidates = [
        Classifier::from_name("logistic")?,
        forest,
        Classifier::from_name("gbdt")?,
    ];
    let cv = StratifiedKFold::default().with_n_splits(5);
    let ids = row_ids(train.n_rows());
    println!("\n== 3. Model comparison (5-fold stratified CV on the training rows, ROC AUC)");
    let mut scored = Vec::new();
    for (rank, c) in candidates.into_iter().enumerate() {
        let res = cross_validate(
            &Pipeline::new(c.clone()).with_features(&features).on(&train),
            ids.view(),
            y_train.view(),
            &cv,
            &[scorer::roc_auc()],
            &CvOptions::default(),
        )?;
        let mean = res.mean("roc_auc").ok_or("scored")?;
        let std = res.std("roc_auc").ok_or("scored")?;
        println!("  {:<9} {mean:.3} +/- {std:.3}", c.name());
        let folds = Array1::from(res.test_scores("roc_auc").ok_or("scored")?);
        scored.push((mean, rank, c, folds));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let n = train.n_rows();
    let options = CompareOptions::new(n - n / 5, n / 5)
        .with_metric("roc_auc", Direction::Maximize)
        .with_names(scored[0].2.name(), scored[1].2.name());
    let comparison = compare_scores(scored[0].3.view(), scored[1].3.view(), &options)?;
    println!("  {}", comparison.verdict());
    // Unless the best is significantly better, take the simpler of the two (candidates are
    // listed simplest first): cheaper to run, explain and monitor.
    let pick = if comparison.is_significant() || scored[0].1 < scored[1].1 {
        0
    } else {
        1
    };
    let chosen = scored[pick].2.clone();
    println!("  chosen: {}", chosen.name());

    // 4. Train the chosen model on all training rows; evaluate it on the held-out rows.
    let model = Model::train(
        &problem,
        Estimator::Classifier(chosen),
        &train,
        Some(&test),
        &TrainOptions::default(),
    )?;
    let eval = model.evaluation().ok_or("held-out evaluation")?;
    let good = model.positive_index().ok_or("a positive class")?;
    let predicted = model.predict(&test)?;
    let score = good_score(&predicted, good)?;
    let y_pred = predicted
        .indices()
        .ok_or("classes")?
        .mapv(|c| usize::from(c == good));
    let boot = Bootstrap::default()
        .with_seed(1)
        .with_stratify(y_test.to_vec());
    let auc_ci = boot.interval_paired(y_test.view(), score.view(), None, roc_auc)?;
    let acc_ci = boot.interval_paired(y_test.view(), y_pred.view(), None, accuracy)?;
    println!(
        "\n== 4. Held-out evaluation ({} rows, 95% bootstrap intervals)",
        eval.n_rows
    );
    for (name, ci) in [("ROC AUC", &auc_ci), ("accuracy", &acc_ci)] {
        println!(
            "  {name:<9} {:.3}  [{:.3}, {:.3}]",
            ci.estimate, ci.lower, ci.upper
        );
    }
    if let Some(assessment) = &eval.assessment {
        println!("{}", indent(assessment));
    }

    // 5. Fairness audit of the held-out decisions, by sex x age group.
    let audit = model.audit(&test, &[])?;
    println!("\n== 5. Fairness audit of the held-out decisions (approve = predict `good`)");
    let rate = |metric: &str, g: usize| {
        let by = audit.by_group.iter().find(|b| b.metric == metric);
        by.and_then(|b| b.groups.get(g))
            .map_or("n/a".to_string(), |v| format!("{:.3}", v.value))
    };
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        println!("  {a:<14} {b:>5} {c:>9} {d:>21} {e:>16}");
    };
    row(
        "group",
        "rows",
        "approved",
        "approved if repaying",
        "approved if not",
    );
    for (g, info) in audit.groups.iter().enumerate() {
        let rows = format!("{}{}", info.count, if info.too_small { "*" } else { "" });
        let rates = ["selection_rate", "tpr", "fpr"].map(|m| rate(m, g));
        row(&info.name, &rows, &rates[0], &rates[1], &rates[2]);
    }
    println!("  * fewer than 30 rows: too few to judge reliably");
    let value = |name: &str| audit.measure(name).and_then(|m| m.value.get());
    if let Some(v) = value("demographic_parity_ratio") {
        println!(
            "  the least-approved group is approved at {:.0}% of the rate of the most-approved (bar 80%)",
            100.0 * v
        );
    }
    if let Some(v) = value("equalized_odds_difference") {
        println!(
            "  applicants with the same outcome are approved at rates up to {:.0} points apart (bar 10)",
            100.0 * v
        );
    }
    println!(
        "  {} of {} measures of the full report fail",
        audit.summary.fail,
        audit.measures.len()
    );

    // 6. Mitigation: per-group thresholds on the model's scores for equal approval rates,
    //    fitted on the training rows (randomized near the thresholds, as fairlearn's), measured
    //    on the held-out rows.
    let train_score = good_score(&model.predict(&train)?, good)?;
    let optimizer = ThresholdOptimizer::default()
        .with_constraints(Disparity::DemographicParity)
        .fit(
            train_score.view(),
            y_train.view(),
            &groups_of(&train, &problem.sensitive)?,
        )?;
    let test_groups = groups_of(&test, &problem.sensitive)?;
    let trade = optimizer.trade_off(score.view(), y_test.view(), &test_groups, y_pred.view())?;
    let after = optimizer.predict(score.view(), &test_groups)?;
    let sensitive = &problem.sensitive;
    let (y_t, fair) = (y_test.view(), &problem.fairness);
    let audit_after = kiln::model::audit(&test, sensitive, y_t, after.view(), None, fair)?;
    println!("\n== 6. Mitigation: per-group thresholds for equal approval rates");
    println!("  {trade}");
    for name in &problem.fairness_measures {
        let show = |r: &FairnessReport| {
            r.measure(name).map_or("n/a".to_string(), |m| {
                format!("{:.3} ({})", m.value, m.verdict)
            })
        };
        println!("  {name:<26} {} -> {}", show(&audit), show(&audit_after));
    }

    // 7. Save the model (problem, pipeline, evaluation and reference profile in one file),
    //    load it back, and check it predicts exactly as before.
    let path = std::env::temp_dir().join(format!("kiln-quickstart-{}.kiln", std::process::id()));
    model.save(&path)?;
    let loaded = Model::load(&path);
    std::fs::remove_file(&path)?;
    let same = loaded?.predict(&test)?.proba() == predicted.proba();
    println!("\n== 7. Save and load");
    println!("  the reloaded model's predictions on the held-out rows are identical: {same}");

    // 8. Drift: the held-out applicants as they are, then 15 years older and asking for loans
    //    twice as long, against the training profile saved with the model. 20 tests at the 5%
    //    level raise one false alarm per batch on average; Benjamini-Hochberg corrects that.
    let batch = shifted(
        shifted(test.clone(), "age", |a| a + 15.0)?,
        "duration",
        |d| 2.0 * d,
    )?;
    let options = DriftOptions::default().with_correction(Correction::BenjaminiHochberg);
    println!("\n== 8. Drift against the model's reference profile (adjusted p < 0.05)");
    let mut share = 0.0;
    for (name, frame) in [("held-out rows", &test), ("shifted batch", &batch)] {
        let report =
            DriftReport::new(model.reference(), &model.schema().conform(frame)?, &options)?;
        let drifted: Vec<String> = report
            .columns()
            .iter()
            .filter(|c| c.counts_as_drifted())
            .map(|c| {
                format!(
                    " {} (p = {:.1e})",
                    c.column,
                    c.adjusted_p_value.unwrap_or(f64::NAN)
                )
            })
            .collect();
        let (k, m) = (report.n_drifted(), report.columns().len());
        let list = drifted.join(",");
        println!(
            "  {name}: {k} of {m} columns drifted{}{list}",
            say(list.is_empty(), "", ":")
        );
        share = report.share_drifted();
    }

    // 9. The retraining decision on the shifted batch, once its labels are known. The batch
    //    alerts when its ROC AUC falls below the held-out interval.
    let latest = model.evaluate(&batch)?.metrics.get("roc_auc").copied();
    let observed = Observations {
        drift_share: Some(share),
        latest_metric: latest,
        reference_metric: Some(auc_ci.estimate),
        alert_history: vec![latest.is_some_and(|a| a < auc_ci.lower)],
        ..Observations::default()
    };
    let decision = Policy::default().decide(&observed)?;
    println!(
        "\n== 9. Retraining decision (shifted batch ROC AUC {:.3})",
        latest.unwrap_or(f64::NAN)
    );
    println!("{}", indent(&decision));

    // The problem's verdict on the model as trained, fairness included.
    println!("\n== Conclusion");
    println!("{}", indent(problem.assess(&eval.metrics, Some(&audit))?));
    let in_ci = auc_ci.lower <= goal && goal <= auc_ci.upper;
    println!(
        "  with {} held-out rows, the ROC AUC interval [{:.3}, {:.3}] {} the goal",
        eval.n_rows,
        auc_ci.lower,
        auc_ci.upper,
        say(in_ci, "still contains", "excludes")
    );
    let passes = problem.fairness_measures.iter().all(|m| {
        let after = audit_after.measure(m);
        after.is_some_and(|r| r.verdict == Verdict::Pass)
    });
    println!(
        "  with per-group thresholds, fairness {} (accuracy {:+.3})",
        say(passes, "holds", "still fails"),
        -trade.accuracy_loss()
    );
    let retrain = say(decision.retrain, "needed", "not needed yet");
    println!("  retraining on the shifted batch: {retrain}");
    Ok(())
}
