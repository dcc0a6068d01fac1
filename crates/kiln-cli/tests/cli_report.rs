//! `kiln report` and the `--html` option of `evaluate`, `audit` and `drift`, run as a user
//! runs them on german_credit: each writes a page with the sections it should, and the pages
//! hold no network reference.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers unwrap to fail the test loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kiln-datasets/data")
        .join(name)
}

fn run_ok(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "kiln {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn page(path: &Path) -> String {
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script"));
    html
}

#[test]
fn report_and_html_options_write_the_sections_that_apply() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let credit = data("german_credit.csv");
    let credit = credit.to_str().unwrap();
    run_ok(&[
        "train",
        credit,
        "--target",
        "credit",
        "--positive",
        "good",
        "--sensitive",
        "sex",
        "--model",
        "logistic",
        "--out",
        &p("m.kiln"),
        "--quiet",
    ]);

    let out = run_ok(&[
        "report",
        &p("m.kiln"),
        credit,
        "--compare",
        "logistic,tree",
        "--chunks",
        "4",
        "--out",
        &p("r.html"),
        "--json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sections: Vec<&str> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        sections,
        [
            "Data profile",
            "Model comparison",
            "Held-out evaluation",
            "Performance over chunks",
            "Fairness by group",
            "Drift per column"
        ]
    );
    let html = page(&dir.path().join("r.html"));
    for title in [
        "ROC curve",
        "Confusion matrix",
        "Selection rate by group",
        "roc_auc per chunk",
    ] {
        assert!(html.contains(title), "missing {title}");
    }

    run_ok(&[
        "evaluate",
        &p("m.kiln"),
        credit,
        "--html",
        &p("e.html"),
        "--quiet",
    ]);
    let html = page(&dir.path().join("e.html"));
    assert!(html.contains("Precision-recall curve") && html.contains("Fairness by group"));
    assert!(!html.contains("Drift per column"));

    run_ok(&[
        "predict",
        &p("m.kiln"),
        credit,
        "--out",
        &p("pred.csv"),
        "--quiet",
    ]);
    run_ok(&[
        "audit",
        &p("pred.csv"),
        "--target",
        "credit",
        "--prediction",
        "prediction",
        "--sensitive",
        "sex",
        "--positive",
        "good",
        "--html",
        &p("a.html"),
        "--quiet",
    ]);
    let html = page(&dir.path().join("a.html"));
    assert!(html.contains("Fairness by group") && !html.contains("ROC curve"));

    run_ok(&[
        "drift",
        credit,
        credit,
        "--model",
        &p("m.kiln"),
        "--html",
        &p("d.html"),
        "--quiet",
    ]);
    let html = page(&dir.path().join("d.html"));
    assert!(html.contains("Drift per column") && html.contains("0 of "));
}
