//! Properties that scikit-learn cannot pin for us: cross-fitting out of fold, unknown
//! categories ignored, frames with other column orders, save and load.

use kiln_core::persist::{self, FeatureSchema, Persist};
use kiln_prep::encode::{
    ColumnTransformer, FittedOneHotEncoder, FittedOrdinalEncoder, FittedTargetEncoder,
    FrameTransform, HandleUnknown, NumericStep, OneHotEncoder, OrdinalEncoder, OrdinalUnknown,
    Step, TargetType, encode_target,
};
use kiln_prep::split::{KFold, StratifiedKFold};
use kiln_prep::{Categorical, Column, Frame};
use ndarray::Array1;

use crate::reference::{target_data, target_encoder};
use crate::support::{cases, close, fixture, frame, strings};

#[test]
fn target_encoder_fit_transform_encodes_each_row_without_its_fold() {
    let doc = fixture("target");
    // german_credit (binary, stratified folds) and penguins (continuous, plain k-fold).
    for case in [&cases(&doc)[0], &cases(&doc)[3]] {
        let (f, y) = target_data(case);
        let columns = strings(&case["columns"]);
        let params = target_encoder(case).with_seed(7);
        let (full, oof) = params.fit_transform(&f, &columns, y.view()).unwrap();
        // The fitted encoder is the full-data one.
        assert_eq!(full, params.fit(&f, &columns, y.view()).unwrap());
        let folds = match params.target_type {
            TargetType::Binary => {
                let classes: Array1<u8> = y.mapv(|v| v as u8);
                StratifiedKFold::default()
                    .with_n_splits(5)
                    .with_shuffle(true)
                    .with_seed(7)
                    .split(classes.view())
                    .unwrap()
            }
            TargetType::Continuous => KFold::default()
                .with_n_splits(5)
                .with_shuffle(true)
                .with_seed(7)
                .split(y.len())
                .unwrap(),
        };
        let mut seen = vec![0usize; f.n_rows()];
        for fold in &folds {
            // Refit from scratch on the other folds only; a category absent there is encoded
            // as that fit's target mean, as in scikit-learn's cross-fitting.
            let train = f.take_rows(&fold.train).unwrap();
            let y_train: Array1<f64> = fold.train.iter().map(|&r| y[r]).collect();
            let m = params.fit(&train, &columns, y_train.view()).unwrap();
            let want = m
                .transform_frame(&f.take_rows(&fold.test).unwrap())
                .unwrap();
            for (k, &r) in fold.test.iter().enumerate() {
                seen[r] += 1;
                for j in 0..columns.len() {
                    assert!(
                        close(oof[[r, j]], want[[k, j]], 1e-12),
                        "{}: row {r}, column {}: {} against {}",
                        case["data"],
                        columns[j],
                        oof[[r, j]],
                        want[[k, j]]
                    );
                }
            }
        }
        assert!(seen.iter().all(|&s| s == 1), "every row in one test fold");
        // The training rows do not see their own target: out-of-fold values differ from the
        // full-data encoding.
        let direct = full.transform_frame(&f).unwrap();
        assert!(oof.iter().zip(&direct).any(|(a, b)| a != b));
        // Same seed, same result; another seed, other folds.
        let (_, again) = params.fit_transform(&f, &columns, y.view()).unwrap();
        assert_eq!(again, oof);
        let (_, other) = params
            .with_seed(8)
            .fit_transform(&f, &columns, y.view())
            .unwrap();
        assert_ne!(other, oof);
    }
}

fn small(island: &[Option<&str>]) -> Frame {
    let n = island.len();
    Frame::new(vec![
        (
            "island".into(),
            Column::Categorical(Categorical::from_values(island)),
        ),
        (
            "mass".into(),
            Column::Float((0..n).map(|i| 3000.0 + 100.0 * i as f64).collect()),
        ),
    ])
    .unwrap()
}

#[test]
fn one_hot_ignore_encodes_unknown_categories_as_zeros() {
    let train = small(&[Some("Biscoe"), Some("Dream"), Some("Biscoe")]);
    let test = small(&[Some("Torgersen"), Some("Dream"), None]);
    let m = OneHotEncoder::default()
        .with_handle_unknown(HandleUnknown::Ignore)
        .fit(&train, &["island"])
        .unwrap();
    let x = m.transform_frame(&test).unwrap();
    assert_eq!(x.row(0).to_vec(), [0.0, 0.0]);
    assert_eq!(x.row(1).to_vec(), [0.0, 1.0]);
    assert_eq!(x.row(2).to_vec(), [0.0, 0.0]); // missing was not a category at fit
}

#[test]
fn ordinal_unknown_value_is_used_for_unknown_categories() {
    let train = small(&[Some("Biscoe"), Some("Dream"), None]);
    let test = small(&[Some("Torgersen"), Some("Dream"), None]);
    let m = OrdinalEncoder::default()
        .with_handle_unknown(OrdinalUnknown::Value(-1.0))
        .fit(&train, &["island"])
        .unwrap();
    let x = m.transform_frame(&test).unwrap();
    assert_eq!(x[[0, 0]], -1.0);
    assert_eq!(x[[1, 0]], 1.0);
    assert!(x[[2, 0]].is_nan()); // missing was seen at fit: encoded_missing_value
}

#[test]
fn transform_reads_columns_by_name_whatever_their_order() {
    let f = frame("penguins");
    let mut reordered = f.select(&["year", "sex", "body_mass_g", "island"]).unwrap();
    reordered = reordered
        .with_column("extra", Column::Float(vec![0.0; f.n_rows()]))
        .unwrap();
    let ct = ColumnTransformer::default()
        .with_numeric(
            "num",
            &["body_mass_g"],
            vec![NumericStep::Impute(Default::default())],
        )
        .with_step(
            "cat",
            &["island", "sex"],
            Step::OneHot(OneHotEncoder::default()),
        )
        .fit(&f)
        .unwrap();
    assert_eq!(ct.input_columns(), ["island", "body_mass_g", "sex"]);
    assert_eq!(
        ct.transform_frame(&f).unwrap(),
        ct.transform_frame(&reordered).unwrap()
    );
    // Without verbose names, the step prefixes go.
    let plain = ColumnTransformer {
        verbose_feature_names_out: false,
        ..ct.params().clone()
    }
    .fit(&f)
    .unwrap();
    assert_eq!(
        plain.feature_names_out()[..2],
        ["body_mass_g", "island=Biscoe"]
    );
    // An empty numeric pipeline passes its columns through.
    let pass = ColumnTransformer::default()
        .with_numeric("num", &["year"], vec![])
        .fit(&f)
        .unwrap();
    assert_eq!(
        pass.transform_frame(&f).unwrap().column(0).to_vec(),
        f.to_array(&["year"]).unwrap().column(0).to_vec()
    );
}

#[test]
fn fitted_encoders_save_and_load_with_their_column_schema() {
    let f = frame("credit_scoring");
    let cols = ["home", "marital", "records", "job"];
    let schema = FeatureSchema::with_names(cols.iter().map(|c| c.to_string()).collect());

    let onehot = OneHotEncoder::default()
        .with_min_frequency(Some(30))
        .fit(&f, &cols)
        .unwrap();
    assert_eq!(onehot.feature_schema(), schema);
    let bytes = persist::to_bytes(&onehot).unwrap();
    let back: FittedOneHotEncoder = persist::from_bytes_with_schema(&bytes, &schema).unwrap();
    assert_eq!(back, onehot);

    let ordinal = OrdinalEncoder::default().fit(&f, &cols).unwrap();
    let bytes = persist::to_bytes(&ordinal).unwrap();
    let back: FittedOrdinalEncoder = persist::from_bytes(&bytes).unwrap();
    // NaN params compare unequal with `==`; compare what they do.
    assert_eq!(back.categories(), ordinal.categories());
    let (a, b) = (
        back.transform_frame(&f).unwrap(),
        ordinal.transform_frame(&f).unwrap(),
    );
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));

    let (y, labels) = encode_target(&f, "status", Some("bad")).unwrap();
    let y = y.mapv(|c| (Some(c) == labels.positive_index()) as u8 as f64);
    let target = kiln_prep::encode::TargetEncoder::default()
        .with_target_type(TargetType::Binary)
        .fit(&f, &cols, y.view())
        .unwrap();
    let bytes = persist::to_bytes(&target).unwrap();
    let back: FittedTargetEncoder = persist::from_bytes(&bytes).unwrap();
    assert_eq!(back, target);
    // Another schema is refused.
    let other = FeatureSchema::with_names(vec!["a".into(), "b".into(), "c".into(), "d".into()]);
    assert!(persist::from_bytes_with_schema::<FittedTargetEncoder>(&bytes, &other).is_err());
}

#[test]
fn encode_target_maps_labels_to_sorted_indices() {
    let f = frame("german_credit");
    let (y, labels) = encode_target(&f, "credit", Some("good")).unwrap();
    assert_eq!(labels.classes(), ["bad", "good"]);
    assert_eq!(labels.positive(), Some(&"good".to_string()));
    assert_eq!(y.iter().filter(|&&c| c == 1).count(), 700);
    let f = frame("penguins");
    let (y, labels) = encode_target(&f, "species", None).unwrap();
    assert_eq!(labels.classes(), ["Adelie", "Chinstrap", "Gentoo"]);
    assert_eq!(labels.positive_index(), None);
    assert_eq!(y[0], 0);
}
