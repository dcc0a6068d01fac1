//! Problem, Model and Evaluation: the workflow objects the `kiln` tool is built on.

#![expect(clippy::unwrap_used, reason = "tests unwrap to fail loudly")]

use std::collections::BTreeMap;

use kiln::datasets::Dataset;
use kiln::model::{Estimator, Evaluation, Model, TrainOptions};
use kiln::prelude::*;
use kiln::problem::Task;
use ndarray::array;

fn frame(d: Dataset) -> Frame {
    CsvOptions::default().read_str(d.csv()).unwrap().0
}

fn logistic() -> Estimator {
    Estimator::from_name(Task::Classification, "logistic").unwrap()
}

#[test]
fn problem_validate_names_the_inconsistency() {
    let e = Problem::classification("y")
        .with_metric("r2")
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("`r2` is a regression metric"), "{e}");
    let e = Problem::regression("y")
        .with_positive_class("a")
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("positive class"), "{e}");
    let e = Problem::classification("y")
        .with_exclude(["y"])
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("also excluded"), "{e}");
    let e = Problem::classification("y")
        .with_metric("auc")
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("roc_auc"), "{e}");
    assert!(Problem::clustering().validate().is_ok());
    let mut p = Problem::clustering();
    p.target = Some("y".into());
    assert!(p.validate().is_err());
}

#[test]
fn problem_assess_judges_higher_and_lower_is_better_goals() {
    let scores = BTreeMap::from([("rmse".to_string(), 10.0), ("r2".to_string(), 0.5)]);
    let a = Problem::regression("y")
        .with_goal("rmse", 12.0)
        .assess(&scores, None)
        .unwrap();
    assert_eq!(a.met, Some(true));
    let a = Problem::regression("y")
        .with_goal("rmse", 9.0)
        .assess(&scores, None)
        .unwrap();
    assert_eq!(a.met, Some(false));
    assert!(
        a.to_string()
            .contains("goal MISSED: rmse = 10.0000 (goal <= 9)"),
        "{a}"
    );
    let a = Problem::regression("y")
        .with_goal("r2", 0.6)
        .assess(&scores, None)
        .unwrap();
    assert_eq!(a.met, Some(false));
    let a = Problem::regression("y").assess(&scores, None).unwrap();
    assert_eq!(a.met, None);
    // A goal on a metric that was not computed is not met.
    let a = Problem::regression("y")
        .with_goal("mae", 1.0)
        .assess(&scores, None)
        .unwrap();
    assert_eq!(a.met, Some(false));
}

#[test]
fn problem_feature_columns_leave_out_target_excluded_and_sensitive() {
    let all: Vec<String> = ["id", "age", "sex", "y", "income"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let p = Problem::classification("y")
        .with_exclude(["id"])
        .with_sensitive(["sex"]);
    assert_eq!(p.feature_columns(&all), ["age", "income"]);
    let p = p.with_sensitive_as_features(true);
    assert_eq!(p.feature_columns(&all), ["age", "sex", "income"]);
}

#[test]
fn evaluation_of_a_hand_made_binary_case() {
    // Positive class index 0 (`bad`): 2 of 3 bad rows caught, 1 good row flagged.
    let y_true = array![0usize, 0, 0, 1, 1];
    let y_pred = array![0usize, 0, 1, 0, 1];
    let proba = array![[0.9, 0.1], [0.8, 0.2], [0.4, 0.6], [0.7, 0.3], [0.2, 0.8]];
    let classes = vec!["bad".to_string(), "good".to_string()];
    let e = Evaluation::classification(
        y_true.view(),
        y_pred.view(),
        Some(proba.view()),
        &classes,
        Some(0),
        0.0,
    )
    .unwrap();
    let m = &e.metrics;
    assert!((m["accuracy"] - 0.6).abs() < 1e-12);
    assert!((m["precision"] - 2.0 / 3.0).abs() < 1e-12);
    assert!((m["recall"] - 2.0 / 3.0).abs() < 1e-12);
    // Scores of `bad`: 0.9, 0.8, 0.4 (bad) vs 0.7, 0.2 (good): 5 of 6 pairs ordered.
    assert!((m["roc_auc"] - 5.0 / 6.0).abs() < 1e-12);
    assert_eq!(
        e.confusion_matrix.unwrap(),
        vec![vec![2.0, 1.0], vec![1.0, 1.0]]
    );
    assert_eq!(e.positive_class.as_deref(), Some("bad"));
}

#[test]
fn train_needs_a_named_positive_class_unless_it_is_one_or_true() {
    let data = frame(Dataset::GermanCredit);
    let e = Model::train(
        &Problem::classification("credit"),
        logistic(),
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("never guessed"), "{e}");
    // breast_cancer's target is 0/1: 1 is taken as positive, as scikit-learn's pos_label.
    let cancer = frame(Dataset::BreastCancer);
    let m = Model::train(
        &Problem::classification("target"),
        logistic(),
        &cancer,
        None,
        &TrainOptions::default(),
    )
    .unwrap();
    assert_eq!(m.positive_index(), Some(1));
    assert_eq!(m.evaluation().unwrap().positive_class.as_deref(), Some("1"));
    let e = Model::train(
        &Problem::classification("credit").with_positive_class("excellent"),
        logistic(),
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("`excellent` is not a label"), "{e}");
}

#[test]
fn train_rejects_a_model_of_another_task_and_a_text_regression_target() {
    let data = frame(Dataset::GermanCredit);
    let ridge = Estimator::from_name(Task::Regression, "ridge").unwrap();
    let e = Model::train(
        &Problem::classification("credit").with_positive_class("good"),
        ridge.clone(),
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("is a regression model"), "{e}");
    let e = Model::train(
        &Problem::regression("credit"),
        ridge,
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("holds text"), "{e}");
}

#[test]
fn held_out_split_is_stratified_and_seeded() {
    let data = frame(Dataset::GermanCredit);
    let problem = Problem::classification("credit").with_positive_class("good");
    let opts = TrainOptions {
        seed: 7,
        ..TrainOptions::default()
    };
    let a = Model::train(&problem, logistic(), &data, None, &opts).unwrap();
    let b = Model::train(&problem, logistic(), &data, None, &opts).unwrap();
    let (ea, eb) = (a.evaluation().unwrap(), b.evaluation().unwrap());
    assert_eq!(ea.metrics, eb.metrics);
    // 700 good / 300 bad overall: the 200 held-out rows keep the 70/30 balance.
    let cm = ea.confusion_matrix.as_ref().unwrap();
    let bad: f64 = cm[0].iter().sum();
    assert_eq!(bad, 60.0);
    assert_eq!(a.n_train_rows(), 800);
}

#[test]
fn an_unseen_label_at_evaluation_is_named() {
    let data = frame(Dataset::Iris);
    let setosa_versicolor: Vec<usize> = (0..100).collect();
    let train = data.take_rows(&setosa_versicolor).unwrap();
    let problem = Problem::classification("target").with_positive_class("1");
    let opts = TrainOptions {
        test_size: 0.0,
        ..TrainOptions::default()
    };
    let m = Model::train(&problem, logistic(), &train, None, &opts).unwrap();
    assert!(m.evaluation().is_none());
    let e = m.evaluate(&data).unwrap_err();
    assert!(matches!(e, Error::UnknownLabel { .. }), "{e}");
    assert!(e.to_string().contains("`2`"), "{e}");
}

#[test]
fn audit_counts_the_favourable_outcome_not_the_positive_class() {
    let data = frame(Dataset::CreditScoring);
    let (data, _) = data
        .drop_duplicates::<&str>(None, kiln::prep::Keep::First)
        .unwrap();
    // Detect `bad`, but audit who gets `good`; `marital` as the sensitive column.
    let problem = Problem::classification("status")
        .with_positive_class("bad")
        .with_favorable_class("good")
        .with_sensitive(["marital"]);
    let opts = TrainOptions {
        test_size: 0.0,
        ..TrainOptions::default()
    };
    let m = Model::train(&problem, logistic(), &data, None, &opts).unwrap();
    let report = m.audit(&data, &[]).unwrap();
    // The selection rate of each group is its share of predicted `good`, counted here.
    let preds = m.predict(&data).unwrap();
    let marital = data.column("marital").unwrap();
    let mut counts: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for i in 0..data.n_rows() {
        let g = if marital.is_missing(i) {
            "missing".to_string()
        } else {
            marital.format(i)
        };
        let e = counts.entry(g).or_default();
        e.0 += f64::from(u8::from(preds.label(i) == "good"));
        e.1 += 1.0;
    }
    let rates: Vec<f64> = counts.values().map(|(s, n)| s / n).collect();
    let max = rates.iter().copied().fold(f64::MIN, f64::max);
    let min = rates.iter().copied().fold(f64::MAX, f64::min);
    let dpd = report.measure("demographic_parity_difference").unwrap();
    assert!((dpd.value.get().unwrap() - (max - min)).abs() < 1e-12);
    assert_eq!(report.groups.len(), counts.len());
}

#[test]
fn model_saves_loads_and_rejects_other_files() {
    let data = frame(Dataset::Penguins);
    let problem = Problem::classification("species");
    let m = Model::train(&problem, logistic(), &data, None, &TrainOptions::default()).unwrap();
    assert_eq!(m.classes(), ["Adelie", "Chinstrap", "Gentoo"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("penguins.kiln");
    m.save(&path).unwrap();
    let back = Model::load(&path).unwrap();
    let (a, b) = (m.predict(&data).unwrap(), back.predict(&data).unwrap());
    assert_eq!(a, b);
    assert_eq!(a.label(0), "Adelie");
    let cols: Vec<String> = a.to_columns().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        cols,
        [
            "prediction",
            "proba_Adelie",
            "proba_Chinstrap",
            "proba_Gentoo"
        ]
    );
    assert_eq!(back.evaluation(), m.evaluation());
    assert_eq!(back.problem(), m.problem());

    // A pipeline file is not a model file.
    let other = dir.path().join("pipeline.kiln");
    if let kiln::model::Trained::Classifier(p) = m.trained() {
        p.save(&other).unwrap();
    }
    let e = Model::load(&other).unwrap_err();
    assert!(matches!(e, Error::ModelFormat { .. }), "{e}");
    // Truncated: never loads.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&other, &bytes[..bytes.len() / 2]).unwrap();
    assert!(Model::load(&other).is_err());
}

#[test]
fn regression_and_clustering_models_predict_values_and_clusters() {
    let data = frame(Dataset::Diabetes);
    let gbdt = Estimator::from_name(Task::Regression, "gbdt").unwrap();
    let m = Model::train(
        &Problem::regression("target").with_goal("r2", 0.3),
        gbdt,
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap();
    let e = m.evaluation().unwrap();
    assert!(e.metrics["r2"] > 0.3 && e.metrics["rmse"] > 0.0);
    assert_eq!(e.assessment.as_ref().unwrap().met, Some(true));
    assert_eq!(m.predict(&data).unwrap().values().unwrap().len(), 442);

    let iris = frame(Dataset::Iris);
    let mut km = Estimator::from_name(Task::Clustering, "kmeans").unwrap();
    km.set("n_clusters", "3").unwrap();
    let m = Model::train(
        &Problem::clustering().with_exclude(["target"]),
        km,
        &iris,
        None,
        &TrainOptions::default(),
    )
    .unwrap();
    let p = m.predict(&iris).unwrap();
    assert_eq!(p.distances().unwrap().ncols(), 3);
    assert!(p.indices().unwrap().iter().all(|&c| c < 3));
    assert!(m.evaluation().unwrap().metrics["silhouette"] > 0.4);
}

#[test]
fn problem_reads_in_plain_words() {
    let p = Problem::classification("credit")
        .with_positive_class("good")
        .with_goal("log_loss", 0.5)
        .with_sensitive(["sex"])
        .with_exclude(["id"]);
    let text = p.to_string();
    assert!(
        text.contains("predict `credit`, positive class `good`"),
        "{text}"
    );
    assert!(text.contains("success: log_loss <= 0.5"), "{text}");
    assert!(text.contains("groups of sex must pass"), "{text}");
    assert!(text.contains("never features: id"), "{text}");
}

#[test]
fn model_drift_and_target_indices_read_raw_frames() {
    let data = frame(Dataset::GermanCredit);
    let problem = Problem::classification("credit").with_positive_class("good");
    let m = Model::train(&problem, logistic(), &data, None, &TrainOptions::default()).unwrap();
    let y = m.target_indices(&data).unwrap();
    assert_eq!(y.iter().filter(|&&c| c == 1).count(), 700);
    // The training rows against their own profile: nothing drifts.
    let same = m.drift(&data, &Default::default()).unwrap();
    assert_eq!(same.n_drifted(), 0);
    // Ages shifted by 30 years drift, and only the model's inputs are tested.
    let age: Vec<f64> = data
        .column("age")
        .unwrap()
        .as_numeric()
        .unwrap()
        .iter()
        .map(|a| a + 30.0)
        .collect();
    let names = data.names().to_vec();
    let cols: Vec<(String, kiln::prep::Column)> = names
        .iter()
        .map(|n| {
            let c = if n == "age" {
                kiln::prep::Column::Int(age.clone())
            } else {
                data.column(n).unwrap().clone()
            };
            (n.clone(), c)
        })
        .collect();
    let shifted = Frame::new(cols).unwrap();
    let report = m.drift(&shifted, &Default::default()).unwrap();
    assert!(report.column("age").unwrap().counts_as_drifted());
    assert!(report.column("credit").is_none());
}

#[test]
fn a_positive_class_on_a_multiclass_target_is_noted_not_silently_ignored() {
    let data = frame(Dataset::Iris);
    let problem = Problem::classification("target").with_positive_class("2");
    let m = Model::train(&problem, logistic(), &data, None, &TrainOptions::default()).unwrap();
    let ev = m.evaluation().unwrap();
    assert_eq!(ev.average.as_deref(), Some("macro"));
    assert!(
        ev.notes
            .iter()
            .any(|n| n.contains("positive class `2`") && n.contains("3-class")),
        "{:?}",
        ev.notes
    );
    // Without one, no such note.
    let m = Model::train(
        &Problem::classification("target"),
        logistic(),
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap();
    assert!(
        !m.evaluation()
            .unwrap()
            .notes
            .iter()
            .any(|n| n.contains("positive class")),
    );
}

#[test]
fn a_single_class_target_is_named_by_its_label() {
    let csv: String = std::iter::once("x,answer\n".to_string())
        .chain((0..20).map(|i| format!("{i},yes\n")))
        .collect();
    let data = CsvOptions::default().read_str(&csv).unwrap().0;
    let e = Model::train(
        &Problem::classification("answer"),
        logistic(),
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::SingleClass { .. }), "{e}");
    assert!(e.to_string().contains("class `yes`"), "{e}");
}
