//! Categories, output names and transformed rows against scikit-learn.

use kiln_core::persist;
use kiln_prep::encode::{
    ColumnTransformer, DropCategory, FittedColumnTransformer, FrameTransform, NumericStep,
    OneHotEncoder, OrdinalEncoder, Remainder, Smooth, Step, TargetEncoder, TargetType,
    encode_target,
};
use kiln_prep::impute::{SimpleImputer, Strategy};
use kiln_prep::scale::{MinMaxScaler, RobustScaler, StandardScaler};
use kiln_prep::{Column, Frame};
use ndarray::Array1;

use crate::support::{
    TOL, assert_all_close, assert_rows, cases, categories, fixture, frame, nums, strings, usizes,
};

/// The categorical feature columns kiln's CSV reader infers are the ones pandas reads as
/// strings, so both sides encode the same columns.
fn assert_same_categorical_columns(frame: &Frame, target: &str, want: &[String]) {
    let got: Vec<String> = frame
        .categorical_names()
        .into_iter()
        .filter(|c| c != target)
        .collect();
    assert_eq!(got, want);
}

#[test]
fn one_hot_encoder_matches_scikit_learn() {
    let doc = fixture("onehot");
    assert_eq!(cases(&doc).len(), 18);
    for case in cases(&doc) {
        let data = case["data"].as_str().unwrap();
        let f = frame(data);
        let columns = strings(&case["columns"]);
        let target = match data {
            "german_credit" => "credit",
            "penguins" => "species",
            _ => "status",
        };
        assert_same_categorical_columns(&f, target, &columns);
        let drop = match case["drop"].as_str() {
            None => DropCategory::None,
            Some("first") => DropCategory::First,
            Some("if_binary") => DropCategory::IfBinary,
            Some(other) => panic!("unknown drop {other}"),
        };
        let params = OneHotEncoder::default()
            .with_drop(drop)
            .with_min_frequency(case["min_frequency"].as_u64().map(|m| m as usize));
        let what = format!("{params:?} on {data}");
        let m = params.fit(&f, &columns).unwrap();
        let want = categories(&case["categories"]);
        assert_eq!(m.categories(), want.iter().collect::<Vec<_>>(), "{what}");
        let infrequent: Vec<Vec<usize>> = case["infrequent"]
            .as_array()
            .unwrap()
            .iter()
            .map(usizes)
            .collect();
        assert_eq!(
            m.infrequent_categories(),
            infrequent.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            "{what}"
        );
        assert_eq!(
            m.feature_names_out(),
            strings(&case["feature_names_out"]),
            "{what}"
        );
        let x = m.transform_frame(&f).unwrap();
        assert_eq!(x.ncols(), m.n_features_out(), "{what}");
        // 0/1 indicators: exact.
        assert_rows(&what, &x, case, 0.0);
        assert!(x.iter().all(|&v| v == 0.0 || v == 1.0), "{what}");
    }
}

#[test]
fn ordinal_encoder_matches_scikit_learn() {
    let doc = fixture("ordinal");
    assert_eq!(cases(&doc).len(), 3);
    for case in cases(&doc) {
        let data = case["data"].as_str().unwrap();
        let f = frame(data);
        let columns = strings(&case["columns"]);
        let m = OrdinalEncoder::default().fit(&f, &columns).unwrap();
        assert_eq!(m.categories(), categories(&case["categories"]), "{data}");
        assert_eq!(m.feature_names_out(), columns, "{data}");
        let x = m.transform_frame(&f).unwrap();
        // Codes and NaN for missing: exact.
        assert_rows(data, &x, case, 0.0);
    }
}

fn column_transformer(case: &serde_json::Value) -> ColumnTransformer {
    let numeric = strings(&case["numeric"]);
    let categorical = strings(&case["categorical"]);
    let stages = match case["pipeline"].as_str().unwrap() {
        "median_standard" => vec![
            NumericStep::Impute(SimpleImputer::default().with_strategy(Strategy::Median)),
            NumericStep::Standard(StandardScaler::default()),
        ],
        "mean_minmax" => vec![
            NumericStep::Impute(SimpleImputer::default()),
            NumericStep::MinMax(MinMaxScaler::default()),
        ],
        "median_robust" => vec![
            NumericStep::Impute(SimpleImputer::default().with_strategy(Strategy::Median)),
            NumericStep::Robust(RobustScaler::default()),
        ],
        other => panic!("unknown pipeline {other}"),
    };
    let encoder = match case["encoder"].as_str().unwrap() {
        "onehot" => Step::OneHot(OneHotEncoder::default()),
        "onehot_first" => Step::OneHot(OneHotEncoder::default().with_drop(DropCategory::First)),
        "ordinal" => Step::Ordinal(OrdinalEncoder::default()),
        other => panic!("unknown encoder {other}"),
    };
    let remainder = match case["remainder"].as_str().unwrap() {
        "drop" => Remainder::Drop,
        _ => Remainder::Passthrough,
    };
    ColumnTransformer::default()
        .with_numeric("num", &numeric, stages)
        .with_step("cat", &categorical, encoder)
        .with_remainder(remainder)
}

#[test]
fn column_transformer_matches_scikit_learn() {
    let doc = fixture("column");
    assert_eq!(cases(&doc).len(), 4);
    for case in cases(&doc) {
        let data = case["data"].as_str().unwrap();
        let target = if data == "penguins" {
            "species"
        } else {
            "status"
        };
        // The target is not a feature: drop it, as the reference script does.
        let f = frame(data).drop_columns(&[target]).unwrap();
        let params = column_transformer(case);
        let what = format!("{} {} on {data}", case["pipeline"], case["encoder"]);
        let m = params.fit(&f).unwrap();
        assert_eq!(
            m.feature_names_out(),
            strings(&case["feature_names_out"]),
            "{what}"
        );
        let x = m.transform_frame(&f).unwrap();
        assert_rows(&what, &x, case, TOL);

        // Save and load: the same transform, bit for bit.
        let bytes = persist::to_bytes(&m).unwrap();
        let back: FittedColumnTransformer = persist::from_bytes(&bytes).unwrap();
        // (`==` would fail on the ordinal encoder's NaN `encoded_missing_value`.)
        assert_eq!(persist::to_bytes(&back).unwrap(), bytes, "{what}");
        let y = back.transform_frame(&f).unwrap();
        assert!(
            x.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{what}"
        );
    }
}

/// The frame and 0/1 (or continuous) target of a target-encoder case, rows with a missing
/// target left out as the reference script does.
pub fn target_data(case: &serde_json::Value) -> (Frame, Array1<f64>) {
    let f = frame(case["data"].as_str().unwrap());
    let target = case["target"].as_str().unwrap();
    match case["positive"].as_str() {
        Some(positive) => {
            let (y, labels) = encode_target(&f, target, Some(positive)).unwrap();
            let pos = labels.positive_index().unwrap();
            (f, y.mapv(|c| if c == pos { 1.0 } else { 0.0 }))
        }
        None => {
            let col = f.column(target).unwrap();
            let keep: Vec<usize> = (0..f.n_rows()).filter(|&i| !col.is_missing(i)).collect();
            let f = f.take_rows(&keep).unwrap();
            let y = match f.column(target).unwrap() {
                Column::Float(v) | Column::Int(v) => Array1::from(v.clone()),
                other => panic!("target {target} is {:?}", other.column_type()),
            };
            (f, y)
        }
    }
}

pub fn target_encoder(case: &serde_json::Value) -> TargetEncoder {
    let target_type = match case["target_type"].as_str().unwrap() {
        "binary" => TargetType::Binary,
        _ => TargetType::Continuous,
    };
    let smooth = case["smooth"].as_f64().map_or(Smooth::Auto, Smooth::Value);
    TargetEncoder::default()
        .with_target_type(target_type)
        .with_smooth(smooth)
}

#[test]
fn target_encoder_matches_scikit_learn() {
    let doc = fixture("target");
    assert_eq!(cases(&doc).len(), 4);
    for case in cases(&doc) {
        let (f, y) = target_data(case);
        let columns = strings(&case["columns"]);
        let params = target_encoder(case);
        let what = format!("{params:?} on {}", case["data"]);
        let m = params.fit(&f, &columns, y.view()).unwrap();
        assert_eq!(m.categories(), categories(&case["categories"]), "{what}");
        assert_all_close(
            &format!("{what}: target_mean"),
            &[m.target_mean()],
            &[case["target_mean"].as_f64().unwrap()],
            TOL,
        );
        let want = case["encodings"].as_array().unwrap();
        assert_eq!(m.encodings().len(), want.len(), "{what}");
        for ((col, got), want) in columns.iter().zip(m.encodings()).zip(want) {
            assert_all_close(
                &format!("{what}: encodings of {col}"),
                &got.to_vec(),
                &nums(want),
                TOL,
            );
        }
        let x = m.transform_frame(&f).unwrap();
        assert_rows(&what, &x, case, TOL);
    }
}
