//! `kiln describe`, `kiln audit` and `kiln drift` run as a user runs them: the real binary on
//! the bundled CSVs and on small hand-made files. Expected values come from the data sets'
//! metadata (`datasets.json`), from counting the CSV text directly, or from hand computation.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers unwrap to fail the test loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The bundled data sets (the copy inside the repository, so a fresh clone has them).
fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kiln-datasets/data")
        .join(name)
}

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .output()
        .unwrap()
}

fn run_ok(args: &[&str]) -> String {
    let out = kiln(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "kiln {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&run_ok(args)).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn metadata(file: &str) -> Value {
    let text = std::fs::read_to_string(data("datasets.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["datasets"]
        .as_object()
        .unwrap()
        .values()
        .find(|d| d["file"] == file)
        .unwrap()
        .clone()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------------------------------
// describe

#[test]
fn describe_json_matches_the_metadata_of_every_bundled_csv() {
    for file in [
        "iris.csv",
        "credit_scoring.csv",
        "penguins.csv",
        "german_credit.csv",
    ] {
        let meta = metadata(file);
        let doc = json(&["describe", s(&data(file)), "--json"]);
        assert_eq!(doc["n_rows"], meta["rows"], "{file}");
        assert_eq!(doc["n_columns"], meta["columns"], "{file}");
        assert_eq!(doc["missing_cells"], meta["missing_cells"], "{file}");
        assert_eq!(doc["duplicate_rows"], meta["duplicate_rows"], "{file}");
        assert!(
            doc.get("target").is_none(),
            "{file}: no --target, no target"
        );
        let columns = doc["columns"].as_array().unwrap();
        assert_eq!(columns.len() as u64, meta["columns"].as_u64().unwrap());
        let by_col = meta["missing_by_column"].as_object().unwrap();
        for c in columns {
            let expected = by_col
                .get(c["name"].as_str().unwrap())
                .map_or(0, |v| v.as_u64().unwrap());
            assert_eq!(
                c["missing"].as_u64().unwrap(),
                expected,
                "{file} {}",
                c["name"]
            );
            let total = c["count"].as_u64().unwrap() + expected;
            assert_eq!(total, meta["rows"].as_u64().unwrap());
        }
    }
}

#[test]
fn describe_iris_text_shows_one_duplicate_and_balanced_classes() {
    let text = run_ok(&["describe", s(&data("iris.csv")), "--target", "target"]);
    assert!(
        text.contains("150 rows, 5 columns, 0 missing cells"),
        "{text}"
    );
    assert!(text.contains("1 duplicate rows"), "{text}");
    // petal_length_cm: min 1.0, max 6.9 (Fisher's data).
    let line = text
        .lines()
        .find(|l| l.starts_with("petal_length_cm"))
        .unwrap();
    assert!(
        line.contains("6.9000") && line.contains(" float "),
        "{line}"
    );
    assert!(text.contains("target `target`: 3 classes"), "{text}");
    assert_eq!(text.matches("33.3%").count(), 3, "{text}");
}

#[test]
fn describe_target_balance_counts_classes_or_summarises_a_numeric_target() {
    let doc = json(&[
        "describe",
        s(&data("credit_scoring.csv")),
        "--target",
        "status",
        "--json",
    ]);
    let t = &doc["target"];
    assert_eq!(t["kind"], "classes");
    // Counted from the file itself: `status` is the first field of each line.
    let text = std::fs::read_to_string(data("credit_scoring.csv")).unwrap();
    let bad = text
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("bad,"))
        .count() as u64;
    let classes = t["classes"].as_array().unwrap();
    let bad_entry = classes.iter().find(|c| c["label"] == "bad").unwrap();
    assert_eq!(bad_entry["count"].as_u64().unwrap(), bad);
    assert!((bad_entry["share"].as_f64().unwrap() - bad as f64 / 4454.0).abs() < 1e-12);
    // The income column: 381 missing (metadata), mean and std as numbers.
    let income = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "income")
        .unwrap();
    assert_eq!(income["missing"], 381);
    assert!(income["mean"].as_f64().unwrap() > 0.0 && income["std"].as_f64().unwrap() > 0.0);
    let home = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "home")
        .unwrap();
    assert_eq!(home["type"], "categorical");
    assert_eq!(home["top"][0]["value"], "owner");

    let doc = json(&[
        "describe",
        s(&data("diabetes.csv")),
        "--target",
        "target",
        "--json",
    ]);
    assert_eq!(doc["target"]["kind"], "numeric");
    assert!(doc["target"]["unique"].as_u64().unwrap() > 20);
    assert!(doc["target"]["min"].as_f64().unwrap() < doc["target"]["max"].as_f64().unwrap());
}

#[test]
fn describe_hand_made_numbers_match_pandas_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "h.csv", "x,c\n1,a\n2,b\n4,a\n,a\n2,b\n");
    let doc = json(&["describe", &p, "--json"]);
    let x = &doc["columns"][0];
    assert_eq!(x["count"], 4);
    assert_eq!(x["missing"], 1);
    assert_eq!(x["unique"], 3);
    // Values 1, 2, 4, 2: mean 9/4, deviations -5/4, -1/4, 7/4, -1/4.
    let mean = 9.0 / 4.0;
    let std = ((25.0 + 1.0 + 49.0 + 1.0) / 16.0 / 3.0_f64).sqrt();
    assert!((x["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert!((x["std"].as_f64().unwrap() - std).abs() < 1e-12);
    assert_eq!(doc["duplicate_rows"], 1, "row `2,b` repeats");
    assert_eq!(doc["missing_cells"], 1);
    assert_eq!(
        doc["columns"][1]["top"][0],
        serde_json::json!({"value": "a", "count": 3})
    );
}

#[test]
fn describe_unknown_target_is_a_usage_error_naming_it() {
    let out = kiln(&["describe", s(&data("iris.csv")), "--target", "species"]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("--target") && e.contains("species"), "{e}");
}

// ---------------------------------------------------------------------------------------
// audit

/// Group a: predictions 1,1,1,0 on truths 1,1,0,0; group b: 1,0,0,0 on 1,1,0,0.
/// Selection rates 3/4 and 1/4; TPR 1 and 1/2; FPR 1/2 and 0.
fn tiny_predictions(dir: &Path) -> String {
    write(
        dir,
        "p.csv",
        "y,pred,g\n1,1.0,a\n1,1.0,a\n0,1.0,a\n0,0.0,a\n1,1.0,b\n1,0.0,b\n0,0.0,b\n0,0.0,b\n",
    )
}

#[test]
fn audit_measures_equal_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = tiny_predictions(dir.path());
    // Int 0/1 truths and float 1.0/0.0 predictions are the same labels; 1 is favourable.
    let doc = json(&[
        "audit",
        &p,
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "g",
        "--json",
    ]);
    assert_eq!(doc["command"], "audit");
    assert_eq!(doc["positive"], "1");
    let m = &doc["measures"];
    let v = |name: &str| m[name]["value"].as_f64().unwrap();
    assert!((v("demographic_parity_difference") - 0.5).abs() < 1e-12);
    assert!((v("demographic_parity_ratio") - 1.0 / 3.0).abs() < 1e-12);
    assert!((v("equalized_odds_difference") - 0.5).abs() < 1e-12);
    assert!((v("equal_opportunity_difference") - 0.5).abs() < 1e-12);
    assert!((v("equal_opportunity_ratio") - 0.5).abs() < 1e-12);
    assert_eq!(m["demographic_parity_difference"]["verdict"], "fail");
    assert_eq!(
        m["demographic_parity_difference"]["threshold"]["at_most"],
        0.1
    );
    assert_eq!(m["demographic_parity_ratio"]["threshold"]["at_least"], 0.8);
    let sel = &doc["by_group"]["selection_rate"];
    assert_eq!(sel["groups"]["a"]["value"], 0.75);
    assert_eq!(sel["groups"]["a"]["count"], 4);
    assert_eq!(sel["groups"]["b"]["value"], 0.25);
    assert_eq!(sel["overall"], 0.5);
    assert_eq!(doc["by_group"]["tpr"]["groups"]["b"]["value"], 0.5);
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(doc["report"]["schema"], "kiln_fairness.report/1");
    assert_eq!(doc["report"]["n_rows"], 8);
    // Bootstrap intervals: [lower, upper] in [0, 1] for a rate and a one-rate measure, null
    // for the worse-of-two measure.
    let iv = |x: &serde_json::Value| {
        let a = x.as_array().unwrap();
        (a[0].as_f64().unwrap(), a[1].as_f64().unwrap())
    };
    let (lo, hi) = iv(&m["demographic_parity_difference"]["interval"]);
    assert!(
        (0.0..=1.0).contains(&lo) && lo <= hi && hi <= 1.0,
        "{lo} {hi}"
    );
    let (lo, hi) = iv(&sel["groups"]["a"]["interval"]);
    assert!(
        (0.0..=1.0).contains(&lo) && lo <= hi && hi <= 1.0,
        "{lo} {hi}"
    );
    assert!(m["equalized_odds_difference"]["interval"].is_null());
    assert_eq!(doc["report"]["intervals"]["bootstrap"]["n_resamples"], 1000);
}

#[test]
fn audit_text_marks_failures_and_ends_with_a_verdict_but_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = tiny_predictions(dir.path());
    let text = run_ok(&[
        "audit",
        &p,
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "g",
    ]);
    assert!(text.contains("!! demographic_parity_difference"), "{text}");
    assert!(text.contains("too small to judge"), "{text}");
    assert!(text.contains("95% interval"), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("fairness verdict: FAIL"),
        "{text}"
    );
    // A generous threshold turns the verdict around.
    let doc = json(&[
        "audit",
        &p,
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "g",
        "--max-difference",
        "0.6",
        "--min-ratio",
        "0.3",
        "--json",
    ]);
    assert_eq!(
        doc["measures"]["demographic_parity_difference"]["verdict"],
        "pass"
    );
    assert_eq!(
        doc["measures"]["demographic_parity_ratio"]["verdict"],
        "pass"
    );
}

#[test]
fn audit_needs_a_positive_label_that_exists() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "t.csv",
        "y,pred,g\ngood,good,a\nbad,good,a\ngood,unsure,b\nbad,bad,b\n",
    );
    let base = [
        "audit",
        p.as_str(),
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "g",
    ];
    let out = kiln(&base);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--positive is needed"),
        "{}",
        stderr(&out)
    );
    let out = kiln(&[&base[..], &["--positive", "great"]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("great") && stderr(&out).contains("bad, good"),
        "{}",
        stderr(&out)
    );
    // `unsure` is only a prediction: it is simply unfavourable. Selection: a 2/2, b 0/2.
    let doc = json(&[&base[..], &["--positive", "good", "--json"]].concat());
    assert_eq!(
        doc["measures"]["demographic_parity_difference"]["value"],
        1.0
    );
}

#[test]
fn audit_of_german_credit_predictions_from_kiln_predict() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.kiln");
    let preds = dir.path().join("p.csv");
    let gc = data("german_credit.csv");
    run_ok(&[
        "train",
        s(&gc),
        "--target",
        "credit",
        "--positive",
        "good",
        "--model",
        "logistic",
        "--test-size",
        "0",
        "--out",
        s(&model),
        "--quiet",
    ]);
    run_ok(&["predict", s(&model), s(&gc), "--out", s(&preds)]);
    let doc = json(&[
        "audit",
        s(&preds),
        "--target",
        "credit",
        "--prediction",
        "prediction",
        "--score",
        "proba_good",
        "--sensitive",
        "sex,age_group",
        "--positive",
        "good",
        "--json",
    ]);
    // Group sizes counted from the CSV text (german_credit has no quoted fields).
    let text = std::fs::read_to_string(&gc).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (isex, iage) = (
        header.iter().position(|h| *h == "sex").unwrap(),
        header.iter().position(|h| *h == "age_group").unwrap(),
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 4);
    for g in groups {
        let name = g["group"].as_str().unwrap();
        let n = rows
            .iter()
            .filter(|r| format!("{}, {}", r[isex], r[iage]) == name)
            .count();
        assert_eq!(g["count"].as_u64().unwrap() as usize, n, "{name}");
    }
    assert!(doc["measures"]["auc_difference"]["value"].is_number());
    assert_eq!(
        doc["report"]["sensitive_columns"],
        serde_json::json!(["sex", "age_group"])
    );
}

#[test]
fn audit_of_the_true_labels_gives_the_base_rates_by_group() {
    // Auditing the target against itself: selection rates are the shares of `good` per sex.
    let gc = data("german_credit.csv");
    let doc = json(&[
        "audit",
        s(&gc),
        "--target",
        "credit",
        "--prediction",
        "credit",
        "--sensitive",
        "sex",
        "--positive",
        "good",
        "--json",
    ]);
    let text = std::fs::read_to_string(&gc).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let isex = header.iter().position(|h| *h == "sex").unwrap();
    let rate = |sex: &str| {
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|r| r[isex] == sex)
            .collect();
        rows.iter().filter(|r| *r.last().unwrap() == "good").count() as f64 / rows.len() as f64
    };
    let (f, m) = (rate("female"), rate("male"));
    let dp = doc["measures"]["demographic_parity_difference"]["value"]
        .as_f64()
        .unwrap();
    assert!((dp - (m - f).abs()).abs() < 1e-12, "{dp} vs {f} {m}");
    assert_eq!(doc["measures"]["equalized_odds_difference"]["value"], 0.0);
}

// ---------------------------------------------------------------------------------------
// drift

/// german_credit with `age` shifted by 30 years.
fn shifted_german_credit(dir: &Path) -> String {
    let text = std::fs::read_to_string(data("german_credit.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let iage = header.split(',').position(|h| h == "age").unwrap();
    let mut out = format!("{header}\n");
    for l in lines {
        let mut f: Vec<String> = l.split(',').map(str::to_owned).collect();
        f[iage] = (f[iage].parse::<i64>().unwrap() + 30).to_string();
        out.push_str(&f.join(","));
        out.push('\n');
    }
    write(dir, "shifted.csv", &out)
}

#[test]
fn drift_of_a_data_set_against_itself_finds_nothing() {
    let gc = data("german_credit.csv");
    let doc = json(&["drift", s(&gc), s(&gc), "--fail-on-drift", "--json"]);
    assert_eq!(doc["dataset_drift"], false);
    assert_eq!(doc["share_drifted"], 0.0);
    let cols = doc["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 23);
    for c in cols {
        assert_eq!(c["drifted"], false, "{}", c["column"]);
        assert!(c["test"].is_string() && c["threshold"].is_number());
    }
    assert_eq!(doc["schema_changes"], serde_json::json!([]));
    let text = run_ok(&["drift", s(&gc), s(&gc)]);
    assert!(
        text.lines().last().unwrap() == "verdict: no drift",
        "{text}"
    );
}

#[test]
fn drift_flags_a_shifted_column_and_fail_on_drift_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let gc = data("german_credit.csv");
    let shifted = shifted_german_credit(dir.path());
    let doc = json(&["drift", s(&gc), &shifted, "--json"]);
    assert_eq!(doc["drifted_columns"], serde_json::json!(["age"]));
    let age = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "age")
        .unwrap();
    assert_eq!(age["test"], "ks");
    assert!(age["p_value"].as_f64().unwrap() < 0.05);
    assert_eq!(age["drifted"], true);
    // One column of 23 is below the dataset share of 0.5.
    assert_eq!(doc["dataset_drift"], false);

    // One drifted column of 23 does not fail the run; a lower dataset share does.
    let out = kiln(&["drift", s(&gc), &shifted, "--fail-on-drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = kiln(&[
        "drift",
        s(&gc),
        &shifted,
        "--fail-on-drift",
        "--drift-share",
        "0.04",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with("age ")).unwrap();
    assert!(line.contains("DRIFT"), "{line}");
    assert!(
        text.contains("verdict: DRIFT in 1 of 23 columns (age)"),
        "{text}"
    );
    // Without the flag, drift is reported with exit status 0.
    assert_eq!(kiln(&["drift", s(&gc), &shifted]).status.code(), Some(0));
    // --columns restricts the check.
    let doc = json(&[
        "drift",
        s(&gc),
        &shifted,
        "--columns",
        "sex,duration",
        "--json",
    ]);
    assert_eq!(doc["columns"].as_array().unwrap().len(), 2);
    assert_eq!(doc["n_drifted"], 0);
}

#[test]
fn drift_with_a_model_checks_its_inputs_and_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.kiln");
    let gc = data("german_credit.csv");
    run_ok(&[
        "train",
        s(&gc),
        "--target",
        "credit",
        "--positive",
        "good",
        "--model",
        "logistic",
        "--test-size",
        "0",
        "--drop",
        "sex,age_group",
        "--out",
        s(&model),
        "--quiet",
    ]);
    let doc = json(&["drift", s(&gc), s(&gc), "--model", s(&model), "--json"]);
    let names: Vec<&str> = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"prediction") && names.contains(&"age"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"credit") && !names.contains(&"sex"),
        "{names:?}"
    );
    assert_eq!(doc["n_drifted"], 0);
}

#[test]
fn drift_on_a_missing_current_file_names_it() {
    let out = kiln(&["drift", s(&data("iris.csv")), "no_such_batch.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no_such_batch.csv"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------------
// errors shared by the three commands

#[test]
fn malformed_csv_exits_1_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let ragged = write(dir.path(), "ragged.csv", "a,b\n1,2\n3,4,5\n6,7\n");
    let quote = write(dir.path(), "quote.csv", "a,b\n1,2\n\"3,4\n5,6\n");
    let good = write(dir.path(), "good.csv", "a,b\n1,2\n3,4\n");
    for args in [
        vec!["describe", ragged.as_str()],
        vec!["describe", quote.as_str()],
        vec![
            "audit",
            ragged.as_str(),
            "--target",
            "a",
            "--prediction",
            "b",
            "--sensitive",
            "a",
        ],
        vec!["drift", good.as_str(), ragged.as_str()],
    ] {
        let out = kiln(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let e = stderr(&out);
        assert!(e.contains("line 3"), "{args:?}: {e}");
        assert!(!e.contains("panicked") && e.lines().count() <= 2, "{e}");
    }
}

#[test]
fn wrong_option_exits_2_and_missing_file_exits_1_naming_it() {
    let iris = data("iris.csv");
    for args in [
        vec!["describe", s(&iris), "--no-such-option"],
        vec!["audit", s(&iris), "--target", "target"],
        vec!["drift", s(&iris)],
        vec![
            "audit",
            s(&iris),
            "--target",
            "target",
            "--prediction",
            "target",
            "--sensitive",
            "nope",
        ],
        vec!["drift", s(&iris), s(&iris), "--columns", "nope"],
    ] {
        assert_eq!(kiln(&args).status.code(), Some(2), "{args:?}");
    }
    for cmd in ["describe", "drift"] {
        let mut args = vec![cmd, "missing_file.csv"];
        if cmd == "drift" {
            args.push(s(&iris));
        }
        let out = kiln(&args);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("missing_file.csv"),
            "{}",
            stderr(&out)
        );
    }
    let out = kiln(&[
        "audit",
        "missing_file.csv",
        "--target",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing_file.csv"));
}
