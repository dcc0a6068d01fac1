//! Data-quality rules and outlier flags against pandas / NumPy / SciPy (fixtures from
//! `tests/reference/rules_reference.py`), what each action does, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::Error;
use kiln_datasets::Dataset;
use kiln_prep::rules::{
    Action, CellValue, Check, OutlierMethod, Rules, iqr_outliers, zscore_outliers,
};
use kiln_prep::{Categorical, Column, CsvOptions, Frame};
use serde_json::Value;

const REL: f64 = 1e-10;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/rules_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn frame(data: &str) -> Frame {
    let set = Dataset::from_name(data).unwrap();
    CsvOptions::default().read_str(set.csv()).unwrap().0
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn close(what: &str, got: f64, want: f64) {
    let tol = REL * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (diff {})",
        (got - want).abs()
    );
}

fn rule_from(v: &Value) -> (String, Check, Action) {
    let column = v["column"].as_str().unwrap().to_owned();
    let check = match v["check"].as_str().unwrap() {
        "range" => Check::Range {
            min: num(&v["min"]),
            max: num(&v["max"]),
        },
        "non_negative" => Check::NonNegative,
        "not_null" => Check::NotNull,
        "allowed" => Check::AllowedCategories(
            v["allowed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect(),
        ),
        other => panic!("unknown check {other}"),
    };
    let action = match v["action"].as_str().unwrap() {
        "flag" => Action::Flag,
        "set_missing" => Action::SetMissing,
        "drop_row" => Action::DropRow,
        other => panic!("unknown action {other}"),
    };
    (column, check, action)
}

#[test]
fn rule_counts_and_actions_match_pandas_masks() {
    let doc = fixture("checks");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for (c, case) in cases.iter().enumerate() {
        let input = frame(case["data"].as_str().unwrap());
        let mut rules = Rules::new();
        for r in case["rules"].as_array().unwrap() {
            let (column, check, action) = rule_from(r);
            rules = rules.rule(column, check, action);
        }
        let (out, report) = rules.apply(&input).unwrap();
        let what = |i: usize| format!("case {c}, rule {i}");
        let want = case["outcomes"].as_array().unwrap();
        assert_eq!(report.outcomes.len(), want.len());
        for (i, (got, want)) in report.outcomes.iter().zip(want).enumerate() {
            assert_eq!(
                got.n_violations,
                want["n_violations"].as_u64().unwrap() as usize,
                "{}",
                what(i)
            );
            let rows: Vec<usize> = got.examples.iter().map(|e| e.row).collect();
            assert_eq!(rows, usizes(&want["rows"]), "{}", what(i));
            for (e, v) in got.examples.iter().zip(want["values"].as_array().unwrap()) {
                match (&e.value, v) {
                    (CellValue::Number(x), Value::Number(_)) => {
                        close(&what(i), *x, v.as_f64().unwrap())
                    }
                    (CellValue::Category(s), Value::String(t)) => assert_eq!(s, t, "{}", what(i)),
                    (CellValue::Missing, Value::Null) => {}
                    (g, w) => panic!("{}: value {g:?} against {w}", what(i)),
                }
            }
        }
        assert_eq!(
            report.rows_dropped,
            case["rows_dropped"].as_u64().unwrap() as usize
        );
        assert_eq!(report.dropped_rows, usizes(&case["dropped_rows"]));
        assert_eq!(report.rows_before, input.n_rows());
        assert_eq!(
            report.rows_after,
            case["rows_after"].as_u64().unwrap() as usize
        );
        assert_eq!(out.n_rows(), report.rows_after);
        for (col, n) in case["missing_after"].as_object().unwrap() {
            assert_eq!(
                out.column(col).unwrap().n_missing(),
                n.as_u64().unwrap() as usize,
                "case {c}: missing in `{col}` after apply"
            );
        }
    }
}

#[test]
fn outlier_flags_match_numpy_percentile_and_scipy_zscore() {
    let doc = fixture("outliers");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 52);
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let column = case["column"].as_str().unwrap();
        let param = case["param"].as_f64().unwrap();
        let method = case["method"].as_str().unwrap();
        let what = format!("{method}({param}) on {data}.{column}");
        let f = frame(data);
        let got = match method {
            "iqr" => iqr_outliers(&f, column, param).unwrap(),
            _ => zscore_outliers(&f, column, param).unwrap(),
        };
        assert_eq!(got.rows, usizes(&case["rows"]), "{what}: flagged rows");
        assert_eq!(got.n_outliers, got.rows.len());
        assert_eq!(got.n_missing, case["n_missing"].as_u64().unwrap() as usize);
        assert_eq!(got.column, column);
        match got.method {
            OutlierMethod::Iqr { k, q1, q3 } => {
                assert_eq!(k, param);
                close(&format!("{what}: q1"), q1, case["q1"].as_f64().unwrap());
                close(&format!("{what}: q3"), q3, case["q3"].as_f64().unwrap());
                close(
                    &format!("{what}: lower"),
                    got.lower,
                    case["lower"].as_f64().unwrap(),
                );
                close(
                    &format!("{what}: upper"),
                    got.upper,
                    case["upper"].as_f64().unwrap(),
                );
            }
            OutlierMethod::ZScore {
                threshold,
                mean,
                std,
            } => {
                assert_eq!(threshold, param);
                close(
                    &format!("{what}: mean"),
                    mean,
                    case["mean"].as_f64().unwrap(),
                );
                close(&format!("{what}: std"), std, case["std"].as_f64().unwrap());
            }
        }
    }
}

/// A small frame: `x` numeric with a gap, `c` categorical with a gap.
fn toy() -> Frame {
    Frame::new(vec![
        (
            "x".into(),
            Column::Float(vec![1.0, -2.0, f64::NAN, 50.0, 3.0, -0.0]),
        ),
        (
            "c".into(),
            Column::Categorical(Categorical::from_values(&[
                Some("a"),
                Some("b"),
                Some("zz"),
                None,
                Some("a"),
                Some("zz"),
            ])),
        ),
    ])
    .unwrap()
}

#[test]
fn flag_reports_and_leaves_the_frame_unchanged() {
    let f = toy();
    let (out, report) = Rules::new()
        .rule("x", Check::NonNegative, Action::Flag)
        .rule("c", Check::NotNull, Action::Flag)
        .apply(&f)
        .unwrap();
    assert_eq!(out, f);
    // -0.0 passes NonNegative, NaN passes too.
    assert_eq!(report.outcomes[0].n_violations, 1);
    assert_eq!(report.outcomes[0].examples[0].row, 1);
    assert_eq!(
        report.outcomes[0].examples[0].value,
        CellValue::Number(-2.0)
    );
    assert_eq!(report.outcomes[1].examples[0].value, CellValue::Missing);
    assert_eq!(report.outcomes[1].examples[0].row, 3);
    assert_eq!(report.n_violations(), 2);
    assert_eq!((report.rows_dropped, report.values_set_missing), (0, 0));
    assert_eq!(
        (
            report.outcomes[0].rows_dropped,
            report.outcomes[0].values_set_missing
        ),
        (0, 0)
    );
}

#[test]
fn set_missing_blanks_numeric_and_categorical_values() {
    let f = toy();
    let (out, report) = Rules::new()
        .rule(
            "x",
            Check::Range {
                min: Some(-1.0),
                max: Some(10.0),
            },
            Action::SetMissing,
        )
        .rule(
            "c",
            Check::AllowedCategories(vec!["a".into(), "b".into()]),
            Action::SetMissing,
        )
        .apply(&f)
        .unwrap();
    let x = out.column("x").unwrap().as_numeric().unwrap().to_vec();
    assert!(x[1].is_nan() && x[2].is_nan() && x[3].is_nan());
    assert_eq!((x[0], x[4], x[5]), (1.0, 3.0, 0.0));
    let c = out.column("c").unwrap();
    assert_eq!(c.n_missing(), 3);
    assert!(c.is_missing(2) && c.is_missing(3) && c.is_missing(5));
    // The column keeps its levels.
    assert_eq!(c.as_categorical().unwrap().levels(), &["a", "b", "zz"]);
    assert_eq!(report.outcomes[0].values_set_missing, 2);
    assert_eq!(report.outcomes[1].values_set_missing, 2);
    assert_eq!(report.values_set_missing, 4);
    assert_eq!(report.rows_after, 6);
}

#[test]
fn rows_dropped_by_several_rules_count_once() {
    let f = toy();
    let (out, report) = Rules::new()
        .rule("x", Check::NonNegative, Action::DropRow)
        .rule(
            "c",
            Check::AllowedCategories(vec!["a".into()]),
            Action::DropRow,
        )
        .rule(
            "x",
            Check::Range {
                min: None,
                max: Some(10.0),
            },
            Action::SetMissing,
        )
        .apply(&f)
        .unwrap();
    // x < 0: row 1; c not in {a}: rows 1, 2, 5 (row 3 is missing and passes).
    assert_eq!(report.outcomes[0].rows_dropped, 1);
    assert_eq!(report.outcomes[1].rows_dropped, 3);
    assert_eq!(report.dropped_rows, vec![1, 2, 5]);
    assert_eq!(report.rows_dropped, 3);
    assert_eq!(out.n_rows(), 3);
    assert_eq!(report.rows_after, 3);
    // Row 3 (x = 50) remains and was set missing.
    let x = out.column("x").unwrap().as_numeric().unwrap().to_vec();
    assert_eq!(x[0], 1.0);
    assert!(x[1].is_nan());
    assert_eq!(x[2], 3.0);
    assert_eq!(report.values_set_missing, 1);
}

#[test]
fn rules_see_the_input_so_order_does_not_matter() {
    let f = toy();
    let range = Check::Range {
        min: None,
        max: Some(10.0),
    };
    let a = Rules::new()
        .rule("x", range.clone(), Action::SetMissing)
        .rule("x", Check::NotNull, Action::Flag)
        .apply(&f)
        .unwrap();
    let b = Rules::new()
        .rule("x", Check::NotNull, Action::Flag)
        .rule("x", range, Action::SetMissing)
        .apply(&f)
        .unwrap();
    assert_eq!(a.0, b.0);
    assert_eq!(a.1.outcomes[1].n_violations, 1);
    assert_eq!(b.1.outcomes[0].n_violations, 1);
}

#[test]
fn max_examples_limits_the_listed_rows() {
    let f = toy();
    let (_, report) = Rules::new()
        .with_max_examples(1)
        .rule("c", Check::AllowedCategories(vec![]), Action::Flag)
        .apply(&f)
        .unwrap();
    assert_eq!(report.outcomes[0].n_violations, 5);
    assert_eq!(report.outcomes[0].examples.len(), 1);
    assert_eq!(Rules::new().max_examples(), 5);
}

#[test]
fn unknown_column_is_an_error_naming_rule_and_column() {
    let f = toy();
    let err = Rules::new()
        .rule("x", Check::NotNull, Action::DropRow)
        .rule("income", Check::NonNegative, Action::DropRow)
        .apply(&f)
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidValue { .. }), "{msg}");
    assert!(msg.contains("rule 1") && msg.contains("`income`"), "{msg}");
}

#[test]
fn wrong_column_type_for_a_check_is_an_error_before_anything_is_applied() {
    let f = toy();
    let err = Rules::new()
        .rule("c", Check::NonNegative, Action::DropRow)
        .apply(&f)
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidValue { .. }), "{msg}");
    assert!(
        msg.contains("rule 0") && msg.contains("`c`") && msg.contains("categorical"),
        "{msg}"
    );

    let err = Rules::new()
        .rule("x", Check::NotNull, Action::DropRow)
        .rule(
            "x",
            Check::AllowedCategories(vec!["a".into()]),
            Action::Flag,
        )
        .validate(&f)
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("rule 1") && msg.contains("`x`") && msg.contains("float"),
        "{msg}"
    );

    let err = Rules::new()
        .rule(
            "c",
            Check::Range {
                min: Some(0.0),
                max: None,
            },
            Action::Flag,
        )
        .apply(&f)
        .unwrap_err();
    assert!(err.to_string().contains("Range"), "{err}");
}

#[test]
fn bad_range_bounds_are_invalid_parameters() {
    let f = toy();
    let err = Rules::new()
        .rule(
            "x",
            Check::Range {
                min: Some(5.0),
                max: Some(1.0),
            },
            Action::Flag,
        )
        .apply(&f)
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("min"), "{err}");
    assert!(err.to_string().contains("rule 0"), "{err}");
    let err = Rules::new()
        .rule(
            "x",
            Check::Range {
                min: None,
                max: Some(f64::NAN),
            },
            Action::Flag,
        )
        .apply(&f)
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("max"), "{err}");
}

#[test]
fn outliers_skip_missing_and_constant_columns_flag_nothing() {
    let f = Frame::new(vec![
        ("k".into(), Column::Float(vec![0.1; 6])),
        (
            "g".into(),
            Column::Float(vec![1.0, 2.0, f64::NAN, 3.0, 4.0, 100.0]),
        ),
    ])
    .unwrap();
    let z = zscore_outliers(&f, "k", 0.5).unwrap();
    assert!(z.rows.is_empty());
    assert!(matches!(z.method, OutlierMethod::ZScore { std, .. } if std == 0.0));
    assert!(iqr_outliers(&f, "k", 0.0).unwrap().rows.is_empty());
    let q = iqr_outliers(&f, "g", 1.5).unwrap();
    assert_eq!((q.rows.clone(), q.n_missing), (vec![5], 1));
}

#[test]
fn outliers_reject_bad_parameters_and_columns() {
    let f = toy();
    assert_eq!(
        iqr_outliers(&f, "x", -1.0).unwrap_err().parameter_name(),
        Some("k")
    );
    assert_eq!(
        iqr_outliers(&f, "x", f64::NAN)
            .unwrap_err()
            .parameter_name(),
        Some("k")
    );
    assert_eq!(
        zscore_outliers(&f, "x", 0.0).unwrap_err().parameter_name(),
        Some("threshold")
    );
    let err = iqr_outliers(&f, "c", 1.5).unwrap_err();
    assert!(
        err.to_string().contains("`c`") && err.to_string().contains("categorical"),
        "{err}"
    );
    let err = zscore_outliers(&f, "nope", 3.0).unwrap_err();
    assert!(err.to_string().contains("`nope`"), "{err}");
    let gaps = Frame::new(vec![("m".into(), Column::Float(vec![f64::NAN; 3]))]).unwrap();
    assert!(matches!(
        zscore_outliers(&gaps, "m", 3.0),
        Err(Error::EmptyInput { .. })
    ));
}
