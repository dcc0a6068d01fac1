//! Bad input: typed errors that say what and where, never a panic.

use kiln_core::{Error, Params};
use kiln_prep::encode::{
    ColumnTransformer, FrameTransform, NumericStep, OneHotEncoder, OrdinalEncoder, OrdinalUnknown,
    Remainder, Step, TargetEncoder, TargetType, encode_target,
};
use kiln_prep::scale::StandardScaler;
use ndarray::Array1;

use crate::support::frame;

#[test]
fn unknown_category_names_the_column_the_value_and_the_row() {
    let f = frame("penguins");
    let island = f.column("island").unwrap();
    let not_dream: Vec<usize> = (0..f.n_rows())
        .filter(|&i| island.format(i) != "Dream")
        .collect();
    let train = f.take_rows(&not_dream).unwrap();
    let m = OneHotEncoder::default()
        .fit(&train, &["island", "sex"])
        .unwrap();
    let islands = &m.categories()[0].levels;
    let row = (0..f.n_rows())
        .find(|&i| {
            let v = f.column("island").unwrap().format(i);
            !islands.contains(&v)
        })
        .unwrap();
    assert!(row > 0);
    let value = f.column("island").unwrap().format(row);
    let err = m.transform_frame(&f).unwrap_err();
    match &err {
        Error::UnknownLabel {
            what,
            label,
            row: r,
            ..
        } => {
            assert!(what.contains("`island`"), "{err}");
            assert_eq!(label, &value);
            assert_eq!(*r, Some(row));
        }
        other => panic!("expected UnknownLabel, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(&value) && msg.contains(&format!("row {row}")),
        "{msg}"
    );

    // The same for the ordinal encoder.
    let m = OrdinalEncoder::default().fit(&train, &["island"]).unwrap();
    assert!(matches!(
        m.transform_frame(&f),
        Err(Error::UnknownLabel { row: Some(r), .. }) if r == row
    ));
}

#[test]
fn a_missing_value_unseen_at_fit_is_an_unknown_category() {
    let f = frame("penguins");
    let first = f.take_rows(&[0, 1, 2]).unwrap(); // sexes present
    let m = OneHotEncoder::default().fit(&first, &["sex"]).unwrap();
    assert!(!m.categories()[0].missing);
    let err = m.transform_frame(&f).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownLabel { row: Some(3), .. }),
        "{err}"
    );
}

#[test]
fn a_column_absent_at_transform_is_named() {
    let f = frame("penguins");
    let m = OneHotEncoder::default()
        .fit(&f, &["island", "sex"])
        .unwrap();
    let without = f.drop_columns(&["sex"]).unwrap();
    let err = m.transform_frame(&without).unwrap_err();
    assert!(err.to_string().contains("no column `sex`"), "{err}");

    let ct = ColumnTransformer::default()
        .with_numeric("num", &["body_mass_g"], vec![])
        .fit(&f)
        .unwrap();
    let err = ct
        .transform_frame(&f.drop_columns(&["body_mass_g"]).unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("`body_mass_g`"), "{err}");
}

#[test]
fn wrong_column_types_are_rejected_at_fit_and_transform() {
    let f = frame("penguins");
    let err = OneHotEncoder::default().fit(&f, &["year"]).unwrap_err();
    assert!(
        err.to_string().contains("`year`") && err.to_string().contains("int"),
        "{err}"
    );
    let err = ColumnTransformer::default()
        .with_numeric(
            "num",
            &["island"],
            vec![NumericStep::Standard(StandardScaler::default())],
        )
        .fit(&f)
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("transformers"), "{err}");
    assert!(
        err.to_string().contains("categorical column `island`"),
        "{err}"
    );
    let err = ColumnTransformer::default()
        .with_step("cat", &["year"], Step::OneHot(OneHotEncoder::default()))
        .fit(&f)
        .unwrap_err();
    assert!(err.to_string().contains("int column `year`"), "{err}");

    // A new frame whose column changed type.
    let m = OneHotEncoder::default().fit(&f, &["island"]).unwrap();
    let retyped = f
        .clone()
        .with_column("island", kiln_prep::Column::Float(vec![1.0; f.n_rows()]))
        .unwrap();
    let err = m.transform_frame(&retyped).unwrap_err();
    assert!(err.to_string().contains("`island`"), "{err}");
}

#[test]
fn column_transformer_config_errors_say_which() {
    let f = frame("credit_scoring");
    let err = ColumnTransformer::default()
        .with_numeric("num", &["income", "incomes"], vec![])
        .fit(&f)
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("`incomes`") && msg.contains("`num`"), "{msg}");

    let both = ColumnTransformer::default()
        .with_numeric("num", &["income"], vec![])
        .with_numeric("more", &["debt", "income"], vec![]);
    let err = both.validate().unwrap_err();
    assert!(
        err.to_string()
            .contains("names column `income` in two steps, `num` and `more`"),
        "{err}"
    );
    assert!(both.fit(&f).is_err());

    let err = ColumnTransformer::default()
        .with_numeric("a__b", &["income"], vec![])
        .validate()
        .unwrap_err();
    assert!(err.to_string().contains("`a__b`"), "{err}");

    let err = ColumnTransformer::default()
        .with_numeric("num", &["income"], vec![])
        .with_remainder(Remainder::Passthrough)
        .fit(&f)
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("remainder"));
    assert!(err.to_string().contains("`status`"), "{err}");
}

#[test]
fn invalid_params_are_named() {
    let f = frame("german_credit");
    let err = OneHotEncoder::default()
        .with_min_frequency(Some(0))
        .fit(&f, &["sex"])
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("min_frequency"));
    let err = OrdinalEncoder::default()
        .with_handle_unknown(OrdinalUnknown::Value(1.0))
        .fit(&f, &["sex"])
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("handle_unknown"));
    assert!(err.to_string().contains("`male`"), "{err}");
    let err = OrdinalEncoder::default()
        .with_handle_unknown(OrdinalUnknown::Value(0.5))
        .validate()
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("handle_unknown"));
    let y = Array1::zeros(f.n_rows());
    let err = TargetEncoder::default()
        .with_cv(1)
        .fit(&f, &["sex"], y.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("cv"));
}

#[test]
fn bad_fit_inputs_are_rejected() {
    let f = frame("german_credit");
    let none: [&str; 0] = [];
    assert!(matches!(
        OneHotEncoder::default().fit(&f, &none),
        Err(Error::EmptyInput { .. })
    ));
    let err = OneHotEncoder::default()
        .fit(&f, &["sex", "sex"])
        .unwrap_err();
    assert!(err.to_string().contains("`sex` appears twice"), "{err}");
    let empty = f.take_rows(&[]).unwrap();
    assert!(matches!(
        OneHotEncoder::default().fit(&empty, &["sex"]),
        Err(Error::EmptyInput { .. })
    ));

    let mut y = Array1::zeros(f.n_rows());
    y[5] = 2.0;
    let err = TargetEncoder::default()
        .with_target_type(TargetType::Binary)
        .fit(&f, &["sex"], y.view())
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(5), .. }),
        "{err}"
    );
    y[5] = f64::NAN;
    assert!(matches!(
        TargetEncoder::default().fit(&f, &["sex"], y.view()),
        Err(Error::NonFinite { row: 5, .. })
    ));
    let short = Array1::zeros(3);
    assert!(matches!(
        TargetEncoder::default().fit(&f, &["sex"], short.view()),
        Err(Error::ShapeMismatch { .. })
    ));

    let p = frame("penguins");
    let err = encode_target(&p, "sex", None).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(3), .. }),
        "{err}"
    );
    assert!(encode_target(&p, "species", Some("Adelie")).is_err());
    assert!(encode_target(&f, "credit", Some("excellent")).is_err());
}

#[test]
fn encoded_missing_value_must_not_be_a_category_code() {
    // Found by probing: 0.0 made "a" and missing indistinguishable. scikit-learn 1.9.1:
    // "encoded_missing_value (0) is already used to encode a known category in features".
    let f = kiln_prep::Frame::new(vec![(
        "c".into(),
        kiln_prep::Column::Categorical(kiln_prep::Categorical::from_values(&[
            Some("a"),
            Some("b"),
            None,
        ])),
    )])
    .unwrap();
    for m in [0.0, 1.0] {
        let e = OrdinalEncoder::default()
            .with_encoded_missing_value(m)
            .fit(&f, &["c"])
            .unwrap_err();
        assert_eq!(e.parameter_name(), Some("encoded_missing_value"), "{e}");
        assert!(e.to_string().contains("`c`"), "{e}");
    }
    // Infinite or fractional values are invalid parameters; -1 and 2 are fine.
    for m in [f64::INFINITY, 0.5] {
        let p = OrdinalEncoder::default().with_encoded_missing_value(m);
        assert!(p.validate().is_err(), "{m}");
    }
    for m in [-1.0, 2.0] {
        let out = OrdinalEncoder::default()
            .with_encoded_missing_value(m)
            .fit(&f, &["c"])
            .unwrap()
            .transform_frame(&f)
            .unwrap();
        assert_eq!(out.column(0).to_vec(), vec![0.0, 1.0, m]);
    }
}

#[test]
fn made_up_category_names_never_collide_with_real_ones() {
    // Found by probing: a real category "missing" plus missing values gave two outputs named
    // `c=missing`.
    let values = [
        Some("missing"),
        None,
        Some("infrequent"),
        Some("infrequent"),
        Some("rare"),
        Some("missing"),
    ];
    let f = kiln_prep::Frame::new(vec![(
        "c".into(),
        kiln_prep::Column::Categorical(kiln_prep::Categorical::from_values(&values)),
    )])
    .unwrap();
    let names = OneHotEncoder::default()
        .fit(&f, &["c"])
        .unwrap()
        .feature_names_out();
    assert_eq!(names, ["c=infrequent", "c=missing", "c=rare", "c=missing_"]);
    let grouped = OneHotEncoder::default()
        .with_min_frequency(Some(2))
        .fit(&f, &["c"])
        .unwrap()
        .feature_names_out();
    let mut unique = grouped.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), grouped.len(), "{grouped:?}");
    assert!(grouped.contains(&"c=infrequent_".to_owned()), "{grouped:?}");
}

#[test]
fn output_names_must_be_unique_and_empty_steps_are_skipped() {
    use kiln_prep::{Categorical, Column, Frame};
    let f = Frame::new(vec![
        (
            "c".into(),
            Column::Categorical(Categorical::from_values(&[Some("x"), Some("y"), Some("x")])),
        ),
        ("c=x".into(), Column::Float(vec![1.0, 2.0, 3.0])),
    ])
    .unwrap();
    let ct = ColumnTransformer::default()
        .with_step("onehot", &["c"], Step::OneHot(OneHotEncoder::default()))
        .with_remainder(Remainder::Passthrough);
    // Without the prefixes, the one-hot column `c=x` and the passed-through column `c=x`
    // would share a name (scikit-learn raises here too).
    let err = ct
        .clone()
        .with_verbose_feature_names_out(false)
        .fit(&f)
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("verbose_feature_names_out"));
    assert!(err.to_string().contains("`c=x`"), "{err}");
    let fitted = ct.fit(&f).unwrap();
    assert_eq!(
        fitted.feature_names_out(),
        ["onehot__c=x", "onehot__c=y", "remainder__c=x"]
    );

    // A step naming no columns has no output, as in scikit-learn.
    let none: &[&str] = &[];
    let fitted = ColumnTransformer::default()
        .with_numeric(
            "scaled",
            none,
            vec![NumericStep::Standard(StandardScaler::default())],
        )
        .with_numeric("raw", &["c=x"], vec![])
        .fit(&f)
        .unwrap();
    assert_eq!(fitted.feature_names_out(), ["raw__c=x"]);
    assert_eq!(fitted.transform_frame(&f).unwrap().dim(), (3, 1));
    assert_eq!(fitted.steps().len(), 1);
}
