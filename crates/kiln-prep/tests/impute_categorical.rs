//! `FrameImputer` against scikit-learn 1.9.1's `SimpleImputer` (most frequent and constant on
//! string columns, mean / median / most frequent on numeric ones; fixtures from
//! `tests/reference/impute_categorical_reference.py` on penguins and credit_scoring), by
//! hand-computed cases, and on bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_check::{FrameAdapter, FrameChecker, Unseen};
use kiln_core::persist;
use kiln_core::{Error, Params};
use kiln_datasets::Dataset;
use kiln_prep::encode::{FrameTransform, OneHotEncoder};
use kiln_prep::impute::{CategoricalStrategy, Fill, FittedFrameImputer, FrameImputer, Strategy};
use kiln_prep::{Categorical, Column, ColumnType, CsvOptions, Frame};
use ndarray::Array2;
use serde_json::Value;

/// Means of a few hundred values: kiln and NumPy sum in different orders.
const TOL: f64 = 1e-12;

fn fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/impute_categorical.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["versions"]["sklearn"], "1.9.1");
    doc
}

fn frame(name: &str) -> Frame {
    let csv = Dataset::from_name(name).unwrap().csv();
    CsvOptions::default().read_str(csv).unwrap().0
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * (1.0 + b.abs())
}

fn params_of(case: &Value) -> FrameImputer {
    let categorical = match case["categorical_strategy"].as_str().unwrap() {
        "most_frequent" => CategoricalStrategy::MostFrequent,
        "constant" => {
            CategoricalStrategy::Constant(case["fill_value"].as_str().unwrap().to_owned())
        }
        other => panic!("unknown strategy {other}"),
    };
    let numeric = match case["numeric_strategy"].as_str().unwrap() {
        "mean" => Strategy::Mean,
        "median" => Strategy::Median,
        "most_frequent" => Strategy::MostFrequent,
        other => panic!("unknown strategy {other}"),
    };
    FrameImputer::default()
        .with_categorical_strategy(categorical)
        .with_numeric_strategy(numeric)
        .with_add_indicator(case["add_indicator"].as_bool().unwrap())
}

/// Compares one output column at the fixture's rows: text for categories, numbers otherwise.
fn assert_column(what: &str, col: &Column, rows: &[usize], want: &[Value]) {
    assert_eq!(rows.len(), want.len(), "{what}");
    for (&r, w) in rows.iter().zip(want) {
        match (col, w) {
            (Column::Categorical(c), Value::String(s)) => {
                assert_eq!(c.get(r), Some(s.as_str()), "{what}, row {r}");
            }
            (_, Value::Number(n)) => {
                let got = col.as_numeric().unwrap()[r];
                let n = n.as_f64().unwrap();
                assert!(
                    close(got, n),
                    "{what}, row {r}: got {got}, scikit-learn {n}"
                );
            }
            _ => panic!(
                "{what}, row {r}: a {} column against {w}",
                col.column_type()
            ),
        }
    }
}

#[test]
fn frame_imputer_matches_scikit_learn() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut f = frame(case["dataset"].as_str().unwrap());
        if let Some(n) = case["n_rows"].as_u64() {
            f = f.take_rows(&(0..n as usize).collect::<Vec<_>>()).unwrap();
        }
        let mut columns = strings(&case["categorical"]);
        columns.extend(strings(&case["numeric"]));
        let m = params_of(case).fit(&f, &columns).unwrap();
        for (c, fill) in columns.iter().zip(m.statistics()) {
            match (fill, &case["statistics"][c]) {
                (Fill::Category(got), Value::String(want)) => {
                    assert_eq!(got, want, "{name}: statistic of {c}");
                }
                (Fill::Number(got), want) => {
                    let want = want.as_f64().unwrap();
                    assert!(
                        close(*got, want),
                        "{name}: statistic of {c}: {got} vs {want}"
                    );
                }
                (got, want) => panic!("{name}: statistic of {c}: {got:?} vs {want}"),
            }
        }
        let out = m.transform(&f).unwrap();
        let rows: Vec<usize> = case["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_u64().unwrap() as usize)
            .collect();
        for c in &columns {
            let col = out.column(c).unwrap();
            assert_eq!(col.n_missing(), 0, "{name}: {c} still has missing values");
            let want = case["imputed"][c].as_array().unwrap();
            assert_column(&format!("{name}: {c}"), col, &rows, want);
        }
        let indicators = case["indicators"].as_object().unwrap();
        assert_eq!(m.indicator_names().len(), indicators.len(), "{name}");
        // The indicators follow the fitted columns, as scikit-learn's do within each imputer.
        let mut want_names: Vec<&String> = indicators.keys().collect();
        want_names.sort_by_key(|n| columns.iter().position(|c| n.ends_with(&format!("_{c}"))));
        assert_eq!(
            m.indicator_names().iter().collect::<Vec<_>>(),
            want_names,
            "{name}"
        );
        for (n, want) in indicators {
            let col = out.column(n).unwrap();
            assert_eq!(col.column_type(), ColumnType::Bool, "{name}: {n}");
            assert_column(
                &format!("{name}: {n}"),
                col,
                &rows,
                want.as_array().unwrap(),
            );
        }
        // Indicators come last, after every input column, in order.
        let n_in = f.n_cols();
        assert_eq!(&out.names()[..n_in], f.names(), "{name}");
        assert_eq!(out.names()[n_in..], m.indicator_names(), "{name}");
    }
}

fn cat(values: &[Option<&str>]) -> Column {
    Column::Categorical(Categorical::from_values(values))
}

fn small() -> Frame {
    Frame::new(vec![
        (
            "colour".into(),
            cat(&[
                Some("red"),
                Some("blue"),
                None,
                Some("red"),
                Some("blue"),
                None,
            ]),
        ),
        (
            "n".into(),
            Column::Int(vec![1.0, 2.0, f64::NAN, 2.0, 4.0, 1.0]),
        ),
        (
            "flag".into(),
            Column::Bool(vec![1.0, f64::NAN, 1.0, 0.0, 1.0, 1.0]),
        ),
        (
            "other".into(),
            cat(&[None, Some("a"), Some("b"), None, Some("a"), Some("b")]),
        ),
    ])
    .unwrap()
}

#[test]
fn most_frequent_ties_go_to_the_smallest_category_and_types_are_kept() {
    let f = small();
    let m = FrameImputer::default()
        .with_numeric_strategy(Strategy::MostFrequent)
        .fit(&f, &["colour", "n", "flag"])
        .unwrap();
    // blue and red both appear twice: blue is smaller. n: 1 and 2 tie, 1 is smaller.
    assert_eq!(
        m.statistics(),
        [
            Fill::Category("blue".into()),
            Fill::Number(1.0),
            Fill::Number(1.0)
        ]
    );
    let out = m.transform(&f).unwrap();
    assert_eq!(out.column("colour").unwrap().format(2), "blue");
    assert_eq!(out.column("colour").unwrap().format(5), "blue");
    assert_eq!(out.column("n").unwrap().column_type(), ColumnType::Int);
    assert_eq!(out.column("n").unwrap().format(2), "1");
    assert_eq!(out.column("flag").unwrap().column_type(), ColumnType::Bool);
    // Columns not fitted pass through untouched.
    assert_eq!(out.column("other").unwrap(), f.column("other").unwrap());
    assert_eq!(out.names(), f.names());

    // A mean that is not whole turns an Int column into a Float one instead of rounding.
    let m = FrameImputer::default().fit(&f, &["n", "flag"]).unwrap();
    assert_eq!(m.statistics()[0], Fill::Number(2.0));
    assert_eq!(m.statistics()[1], Fill::Number(0.8));
    let out = m.transform(&f).unwrap();
    assert_eq!(out.column("n").unwrap().column_type(), ColumnType::Int);
    assert_eq!(out.column("flag").unwrap().column_type(), ColumnType::Float);
    assert_eq!(out.column("flag").unwrap().as_numeric().unwrap()[1], 0.8);
}

#[test]
fn a_constant_category_is_added_and_an_all_missing_column_needs_one() {
    let f = small()
        .with_column("empty", cat(&[None; 6]))
        .unwrap()
        .with_column("nothing", Column::Float(vec![f64::NAN; 6]))
        .unwrap();
    let err = FrameImputer::default()
        .fit(&f, &["colour", "empty"])
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidValue { what, .. } if what.contains("`empty`")),
        "{err}"
    );
    let err = FrameImputer::default().fit(&f, &["nothing"]).unwrap_err();
    assert!(err.to_string().contains("`nothing`"), "{err}");
    let m = FrameImputer::default()
        .with_categorical_strategy(CategoricalStrategy::Constant("zzz".into()))
        .with_numeric_strategy(Strategy::Constant(-1.0))
        .with_add_indicator(true)
        .fit(&f, &["colour", "empty", "nothing", "n"])
        .unwrap();
    let out = m.transform(&f).unwrap();
    let colour = out.column("colour").unwrap().as_categorical().unwrap();
    assert_eq!(colour.levels(), ["blue", "red", "zzz"]);
    assert_eq!(colour.get(2), Some("zzz"));
    assert_eq!(out.column("empty").unwrap().format(0), "zzz");
    assert_eq!(
        out.column("nothing").unwrap().as_numeric().unwrap()[3],
        -1.0
    );
    assert_eq!(
        m.indicator_names(),
        [
            "missingindicator_colour",
            "missingindicator_empty",
            "missingindicator_nothing",
            "missingindicator_n"
        ]
    );
    // The output feeds an encoder without a missing category.
    let onehot = OneHotEncoder::default().fit(&out, &["colour"]).unwrap();
    assert_eq!(
        onehot.feature_names_out(),
        ["colour=blue", "colour=red", "colour=zzz"]
    );
}

#[test]
fn invalid_params_are_named() {
    let f = small();
    for (p, name) in [
        (
            FrameImputer::default()
                .with_categorical_strategy(CategoricalStrategy::Constant(String::new())),
            "categorical_strategy",
        ),
        (
            FrameImputer::default().with_numeric_strategy(Strategy::Constant(f64::INFINITY)),
            "numeric_strategy",
        ),
    ] {
        assert_eq!(p.validate().unwrap_err().parameter_name(), Some(name));
        assert_eq!(p.fit(&f, &["n"]).unwrap_err().parameter_name(), Some(name));
    }
}

#[test]
fn bad_frames_give_errors_naming_the_column() {
    let f = small();
    let m = FrameImputer::default()
        .with_add_indicator(true)
        .fit(&f, &["colour", "n"])
        .unwrap();
    for bad in [
        f.drop_columns(&["colour"]).unwrap(),
        f.drop_columns(&["n"]).unwrap(),
        f.clone()
            .with_column("colour", Column::Float(vec![0.0; 6]))
            .unwrap(),
        f.clone().with_column("n", cat(&[Some("x"); 6])).unwrap(),
    ] {
        let err = m.transform(&bad).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`colour`") || text.contains("`n`"), "{text}");
    }
    let empty = f.take_rows(&[]).unwrap();
    assert!(matches!(
        FrameImputer::default().fit(&empty, &["n"]),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        FrameImputer::default().fit(&f, &[] as &[&str]),
        Err(Error::EmptyInput { .. })
    ));
    assert!(FrameImputer::default().fit(&f, &["n", "n"]).is_err());
    assert!(FrameImputer::default().fit(&f, &["absent"]).is_err());
    let inf = f
        .clone()
        .with_column(
            "n",
            Column::Int(vec![1.0, f64::INFINITY, 2.0, 3.0, 4.0, 5.0]),
        )
        .unwrap();
    assert!(matches!(
        m.transform(&inf),
        Err(Error::NonFinite { row: 1, .. })
    ));
}

#[test]
fn subsets_of_rows_and_save_load_give_the_same_frame() {
    let f = frame("credit_scoring");
    let columns = ["home", "marital", "job", "income", "assets", "debt"];
    let m = FrameImputer::default()
        .with_numeric_strategy(Strategy::Median)
        .with_add_indicator(true)
        .fit(&f, &columns)
        .unwrap();
    let full = m.transform(&f).unwrap();
    let rows: Vec<usize> = (0..f.n_rows()).step_by(7).rev().collect();
    let part = m.transform(&f.take_rows(&rows).unwrap()).unwrap();
    for c in full.names() {
        let a = full.column(c).unwrap();
        let b = part.column(c).unwrap();
        for (k, &r) in rows.iter().enumerate() {
            assert_eq!(a.format(r), b.format(k), "{c}, row {r}");
        }
    }
    let bytes = persist::to_bytes(&m).unwrap();
    let back: FittedFrameImputer = persist::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.transform(&f).unwrap(), full);
    // Fitting twice gives the same imputer.
    assert_eq!(
        FrameImputer::default()
            .with_numeric_strategy(Strategy::Median)
            .with_add_indicator(true)
            .fit(&f, &columns)
            .unwrap(),
        m
    );
}

/// Shows the suite the imputed frame as numbers: numeric columns as they are, each category as
/// a number computed from its text alone (so equal text gives equal numbers in any subset),
/// indicators as 0/1.
struct ImputedFrames;

fn text_code(s: &str) -> f64 {
    s.bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) as f64
}

impl FrameAdapter<FittedFrameImputer> for ImputedFrames {
    type Frame = Frame;

    fn n_rows(&self, frame: &Frame) -> usize {
        frame.n_rows()
    }

    fn take_rows(&self, frame: &Frame, rows: &[usize]) -> kiln_core::Result<Frame> {
        frame.take_rows(rows)
    }

    fn drop_column(&self, frame: &Frame, name: &str) -> kiln_core::Result<Frame> {
        frame.drop_columns(&[name])
    }

    fn retype_column(&self, frame: &Frame, name: &str) -> kiln_core::Result<Frame> {
        let n = frame.n_rows();
        let other = match frame.column(name)? {
            Column::Categorical(_) => Column::Float(vec![0.0; n]),
            _ => cat(&vec![Some("x"); n]),
        };
        frame.clone().with_column(name, other)
    }

    fn with_unseen_category(
        &self,
        frame: &Frame,
        name: &str,
        row: usize,
    ) -> kiln_core::Result<Option<Frame>> {
        let Some(col) = frame.column(name)?.as_categorical() else {
            return Ok(None);
        };
        let mut values: Vec<Option<&str>> = (0..col.codes().len()).map(|i| col.get(i)).collect();
        values[row] = Some("a value never seen in training");
        frame.clone().with_column(name, cat(&values)).map(Some)
    }

    fn input_columns(&self, model: &FittedFrameImputer) -> Vec<String> {
        model.input_columns().to_vec()
    }

    fn transform(
        &self,
        model: &FittedFrameImputer,
        frame: &Frame,
    ) -> kiln_core::Result<Array2<f64>> {
        let out = model.transform(frame)?;
        let names = self.feature_names_out(model);
        let mut x = Array2::zeros((out.n_rows(), names.len()));
        for (j, name) in names.iter().enumerate() {
            let col = out.column(name)?;
            for i in 0..out.n_rows() {
                x[[i, j]] = match col {
                    Column::Categorical(c) => c.get(i).map_or(f64::NAN, text_code),
                    _ => col.as_numeric().map_or(f64::NAN, |v| v[i]),
                };
            }
        }
        Ok(x)
    }

    fn feature_names_out(&self, model: &FittedFrameImputer) -> Vec<String> {
        let mut names = model.input_columns().to_vec();
        names.extend(model.indicator_names());
        names
    }
}

#[test]
fn frame_imputer_passes_the_frame_checks() {
    let columns = ["species", "island", "sex", "bill_length_mm", "body_mass_g"];
    let params = FrameImputer::default()
        .with_numeric_strategy(Strategy::Median)
        .with_add_indicator(true);
    FrameChecker::new(ImputedFrames, frame("penguins"), |f: &Frame| {
        params.fit(f, &columns)
    })
    .invalid_param("categorical_strategy", |f: &Frame| {
        FrameImputer::default()
            .with_categorical_strategy(CategoricalStrategy::Constant(String::new()))
            .fit(f, &columns)
    })
    .invalid_param("numeric_strategy", |f: &Frame| {
        FrameImputer::default()
            .with_numeric_strategy(Strategy::Constant(f64::NAN))
            .fit(f, &columns)
    })
    // A category that is not missing is not the imputer's business: it passes through.
    .unseen(Unseen::Accept)
    .check()
    .assert_passed();
}

#[test]
fn an_indicator_never_replaces_a_column_of_the_frame() {
    // Found by probing: `missingindicator_c` silently overwrote the user's column.
    let fr = Frame::new(vec![
        (
            "c".into(),
            Column::Categorical(Categorical::from_values(&[Some("a"), None])),
        ),
        ("missingindicator_c".into(), Column::Float(vec![1.0, 2.0])),
    ])
    .unwrap();
    let fitted = FrameImputer::default()
        .with_add_indicator(true)
        .fit(&fr, &["c"])
        .unwrap();
    let e = fitted.transform(&fr).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
    assert!(e.to_string().contains("missingindicator_c"), "{e}");
}
