//! The `kiln` binary end to end: train, evaluate, predict and compare on the bundled data
//! sets, their JSON documents, and the errors a new user runs into (exit 1 for bad data,
//! 2 for bad options, never a panic).

#![expect(clippy::unwrap_used, reason = "tests unwrap to fail loudly")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../kiln-datasets/data")
        .join(format!("{name}.csv"))
}

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn no_panic(o: &Output) {
    let e = stderr(o);
    assert!(
        !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
        "{e}"
    );
}

#[test]
fn train_evaluate_predict_round_trip_on_german_credit() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("credit.kiln");
    let gc = data("german_credit");
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--target",
        "credit",
        "--positive",
        "good",
        "--sensitive",
        "sex,age_group",
        "--model",
        "logistic",
        "--metric",
        "roc_auc",
        "--goal",
        "0.7",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&o);
    for key in [
        "fit_seconds",
        "predict_seconds",
        "accuracy",
        "balanced_accuracy",
        "precision",
        "recall",
        "f1",
        "matthews_corrcoef",
        "roc_auc",
        "average_precision",
        "log_loss",
        "brier",
    ] {
        assert!(doc[key].is_number(), "{key} missing in {doc}");
    }
    assert_eq!(doc["n_rows"], 200);
    assert_eq!(doc["positive_class"], "good");
    let cm = &doc["confusion_matrix"];
    assert_eq!(cm["labels"], serde_json::json!(["bad", "good"]));
    let total: f64 = cm["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .sum();
    assert_eq!(total, 200.0);
    // The sensitive columns are not features.
    let inputs: Vec<&str> = doc["input_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!inputs.contains(&"sex") && !inputs.contains(&"credit") && inputs.contains(&"age"));
    assert!(doc["assessment"]["goal"]["met"].is_boolean());

    // Evaluate on the whole file, with the fairness audit of the problem's sensitive columns.
    let o = kiln(&[
        "evaluate",
        model.to_str().unwrap(),
        gc.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["n_rows"], 1000);
    assert!(doc["accuracy"].as_f64().unwrap() > 0.7);
    let measures = doc["fairness"]["measures"].as_array().unwrap();
    assert!(
        measures
            .iter()
            .any(|m| m["name"] == "demographic_parity_difference")
    );
    // Text form names the verdict.
    let o = kiln(&["evaluate", model.to_str().unwrap(), gc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("roc_auc") && text.contains("verdict"),
        "{text}"
    );

    // Predict writes the rows plus prediction and probability columns.
    let preds = dir.path().join("preds.csv");
    let o = kiln(&[
        "predict",
        model.to_str().unwrap(),
        gc.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["n_rows"], 1000);
    let written = std::fs::read_to_string(&preds).unwrap();
    let header = written.lines().next().unwrap();
    assert!(
        header.ends_with("prediction,proba_bad,proba_good"),
        "{header}"
    );
    assert_eq!(written.lines().count(), 1001);
    let first: Vec<&str> = written.lines().nth(1).unwrap().split(',').collect();
    let (p_bad, p_good): (f64, f64) = (
        first[first.len() - 2].parse().unwrap(),
        first[first.len() - 1].parse().unwrap(),
    );
    assert!((p_bad + p_good - 1.0).abs() < 1e-9);
}

#[test]
fn regression_and_clustering_train_with_their_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("d.kiln");
    let o = kiln(&[
        "train",
        data("diabetes").to_str().unwrap(),
        "--target",
        "target",
        "--model",
        "ridge",
        "--set",
        "alpha=0.5",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["task"], "regression");
    for key in ["r2", "rmse", "mae", "fit_seconds", "predict_seconds"] {
        assert!(doc[key].is_number(), "{key} missing");
    }
    assert!(doc["r2"].as_f64().unwrap() > 0.3);

    let o = kiln(&[
        "train",
        data("iris").to_str().unwrap(),
        "--drop",
        "target",
        "--model",
        "kmeans",
        "--set",
        "n_clusters=3",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["task"], "clustering");
    assert!(doc["inertia"].as_f64().unwrap() > 0.0);
    assert!(doc["silhouette"].as_f64().unwrap() > 0.3);
}

#[test]
fn credit_scoring_with_missing_values_trains_every_classifier() {
    let dir = tempfile::tempdir().unwrap();
    // A fully grown tree gives 0/1 probabilities, hence its lower AUC.
    for (m, auc) in [("logistic", 0.75), ("tree", 0.6), ("gbdt", 0.75)] {
        let model = dir.path().join(format!("{m}.kiln"));
        let o = kiln(&[
            "train",
            data("credit_scoring").to_str().unwrap(),
            "--target",
            "status",
            "--positive",
            "bad",
            "--model",
            m,
            "--out",
            model.to_str().unwrap(),
            "--json",
        ]);
        let doc = json(&o);
        assert!(doc["roc_auc"].as_f64().unwrap() > auc, "{m}: {doc}");
    }
}

#[test]
fn compare_ranks_models_and_tests_the_best_two() {
    let o = kiln(&[
        "compare",
        data("breast_cancer").to_str().unwrap(),
        "--target",
        "target",
        "--models",
        "logistic,tree",
        "--cv",
        "3",
        "--json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["metric"], "roc_auc");
    let models = doc["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0]["model"], "logistic");
    assert_eq!(models[0]["scores"].as_array().unwrap().len(), 3);
    assert!(doc["comparison"]["p_value"].is_number());
}

#[test]
fn bad_options_exit_2_and_bad_data_exit_1_with_plain_messages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.kiln");
    let gc = data("german_credit");
    // Unknown option: clap's usage error.
    let o = kiln(&["train", gc.to_str().unwrap(), "--targt", "credit"]);
    assert_eq!(o.status.code(), Some(2));
    no_panic(&o);
    // A binary target without its positive class.
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--target",
        "credit",
        "--model",
        "tree",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--positive"), "{}", stderr(&o));
    // An unknown model and an unknown parameter.
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--target",
        "credit",
        "--positive",
        "good",
        "--model",
        "svm",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("logistic"), "{}", stderr(&o));
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--target",
        "credit",
        "--positive",
        "good",
        "--model",
        "forest",
        "--set",
        "max_dept=3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("max_depth"), "{}", stderr(&o));
    // A target column that does not exist.
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--target",
        "income",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`income`"), "{}", stderr(&o));
    // A missing file.
    let o = kiln(&[
        "train",
        "/no/such.csv",
        "--target",
        "y",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such.csv"));
    // A malformed CSV: the line is named.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a,b,y\n1,2,0\n3,\"4,1\n5,6,1\n").unwrap();
    let o = kiln(&[
        "train",
        bad.to_str().unwrap(),
        "--target",
        "y",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("line"), "{}", stderr(&o));
    no_panic(&o);
    // A file that is not a model.
    let o = kiln(&["evaluate", gc.to_str().unwrap(), gc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a valid kiln model"),
        "{}",
        stderr(&o)
    );
    no_panic(&o);
}

#[test]
fn predict_rejects_data_missing_a_model_column() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.kiln");
    let o = kiln(&[
        "train",
        data("diabetes").to_str().unwrap(),
        "--target",
        "target",
        "--model",
        "linear",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let partial = dir.path().join("p.csv");
    std::fs::write(&partial, "age,sex\n50,1\n").unwrap();
    let o = kiln(&[
        "predict",
        model.to_str().unwrap(),
        partial.to_str().unwrap(),
        "--out",
        dir.path().join("x.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("missing columns") && e.contains("`bmi`"), "{e}");
    no_panic(&o);
}

#[test]
fn problem_toml_file_states_the_problem_and_options_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("problem.toml");
    std::fs::write(
        &toml,
        "task = \"classification\"\ntarget = \"credit\"\npositive_class = \"good\"\n\
         metric = \"accuracy\"\ngoal = 0.99\nsensitive = [\"sex\"]\n\n[fairness]\nmin_ratio = 0.5\n",
    )
    .unwrap();
    let model = dir.path().join("m.kiln");
    let gc = data("german_credit");
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--problem",
        toml.to_str().unwrap(),
        "--model",
        "logistic",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["problem"]["metric"], "accuracy");
    assert_eq!(doc["problem"]["fairness"]["min_ratio"], 0.5);
    // The fairness bar's other fields keep their defaults.
    assert_eq!(doc["problem"]["fairness"]["max_difference"], 0.1);
    assert_eq!(doc["assessment"]["goal"]["met"], false);
    let inputs = doc["input_columns"].as_array().unwrap();
    assert!(!inputs.iter().any(|c| c == "sex"));
    // An option on the command line wins over the file.
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--problem",
        toml.to_str().unwrap(),
        "--goal",
        "0.5",
        "--model",
        "logistic",
        "--out",
        model.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(json(&o)["assessment"]["goal"]["met"], true);
    // An unknown key is named with its line.
    std::fs::write(
        &toml,
        "task = \"classification\"\ntarget = \"credit\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let o = kiln(&[
        "train",
        gc.to_str().unwrap(),
        "--problem",
        toml.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 3: unknown field `colour`"),
        "{}",
        stderr(&o)
    );
}
