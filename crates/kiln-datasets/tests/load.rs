//! `Dataset::load_numeric` and `Dataset::column_strings` on the bundled files.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap or panic is a failed test"
)]

use kiln_core::Error;
use kiln_datasets::{Dataset, NumericData, Target};
use ndarray::Array1;

fn classes(data: &NumericData) -> (&Array1<usize>, Vec<String>) {
    let y = data.target.class_indices().unwrap();
    let labels = data.target.labels().unwrap().classes().to_vec();
    (y, labels)
}

fn counts(y: &Array1<usize>, n_classes: usize) -> Vec<usize> {
    let mut c = vec![0; n_classes];
    for &k in y {
        c[k] += 1;
    }
    c
}

fn nan_count(data: &NumericData, column: usize) -> usize {
    data.x.column(column).iter().filter(|v| v.is_nan()).count()
}

#[test]
fn every_set_loads_with_the_documented_shape_and_feature_order() {
    for set in Dataset::ALL {
        let info = set.info();
        let data = set.load_numeric().unwrap();
        assert_eq!(
            data.x.dim(),
            (info.rows, info.features_numeric.len()),
            "{set}"
        );
        assert_eq!(data.feature_names, info.features_numeric, "{set}");
        assert_eq!(data.target_name, info.target, "{set}");
        assert_eq!(data.target.len(), info.rows, "{set}");
        assert!(
            data.x.iter().all(|v| v.is_finite() || v.is_nan()),
            "{set}: only finite values or NaN"
        );
    }
}

#[test]
fn nan_cells_are_exactly_the_missing_numeric_cells_of_datasets_json() {
    for set in Dataset::ALL {
        let info = set.info();
        let data = set.load_numeric().unwrap();
        for (j, name) in info.features_numeric.iter().enumerate() {
            assert_eq!(nan_count(&data, j), info.missing_in(name), "{set}: {name}");
        }
    }
    let credit = Dataset::CreditScoring.load_numeric().unwrap();
    let total_nan = credit.x.iter().filter(|v| v.is_nan()).count();
    // income 381 + assets 47 + debt 18; the other 9 missing cells are categorical.
    assert_eq!(total_nan, 381 + 47 + 18);
}

#[test]
fn penguins_two_birds_lack_every_measurement() {
    let data = Dataset::Penguins.load_numeric().unwrap();
    let rows_with_nan: Vec<usize> = (0..data.x.nrows())
        .filter(|&i| data.x.row(i).iter().any(|v| v.is_nan()))
        .collect();
    assert_eq!(rows_with_nan.len(), 2);
    for i in rows_with_nan {
        let row = data.x.row(i);
        // The four measurements are missing, `year` is not.
        assert_eq!(row.iter().filter(|v| v.is_nan()).count(), 4, "row {i}");
        assert!(row[4] >= 2007.0 && row[4] <= 2009.0, "year {}", row[4]);
    }
    let (y, labels) = classes(&data);
    assert_eq!(labels, ["Adelie", "Chinstrap", "Gentoo"]);
    assert_eq!(counts(y, 3), vec![152, 68, 124]);
    assert!(data.target.labels().unwrap().positive().is_none());
}

#[test]
fn iris_has_fifty_flowers_per_species_and_known_first_row() {
    let data = Dataset::Iris.load_numeric().unwrap();
    let (y, labels) = classes(&data);
    assert_eq!(labels, ["0", "1", "2"]);
    assert_eq!(counts(y, 3), vec![50, 50, 50]);
    assert_eq!(data.x.row(0).to_vec(), vec![5.1, 3.5, 1.4, 0.2]);
    assert_eq!(y[0], 0);
    assert_eq!(y[149], 2);
}

#[test]
fn breast_cancer_is_212_malignant_and_357_benign_with_benign_positive() {
    let data = Dataset::BreastCancer.load_numeric().unwrap();
    let (y, labels) = classes(&data);
    assert_eq!(labels, ["0", "1"]);
    assert_eq!(counts(y, 2), vec![212, 357]);
    let l = data.target.labels().unwrap();
    assert_eq!(l.positive().map(String::as_str), Some("1"));
    assert_eq!(l.positive_index(), Some(1));
    assert_eq!(data.x[[0, 0]], 17.99);
}

#[test]
fn german_credit_has_good_as_positive_class() {
    let data = Dataset::GermanCredit.load_numeric().unwrap();
    let (y, labels) = classes(&data);
    assert_eq!(labels, ["bad", "good"]);
    assert_eq!(counts(y, 2), vec![300, 700]);
    let l = data.target.labels().unwrap();
    assert_eq!(l.positive().map(String::as_str), Some("good"));
    assert_eq!(l.positive_index(), Some(1));
}

#[test]
fn credit_scoring_has_bad_as_positive_class() {
    let data = Dataset::CreditScoring.load_numeric().unwrap();
    let (y, _) = classes(&data);
    assert_eq!(counts(y, 2), vec![1254, 3200]);
    let l = data.target.labels().unwrap();
    assert_eq!(l.positive().map(String::as_str), Some("bad"));
    assert_eq!(l.positive_index(), Some(0));
}

#[test]
fn diabetes_target_is_real_valued_with_the_published_range() {
    let data = Dataset::Diabetes.load_numeric().unwrap();
    assert!(data.target.class_indices().is_none());
    let t = data.target.values().unwrap();
    assert_eq!(t.len(), 442);
    let min = t.iter().copied().fold(f64::INFINITY, f64::min);
    let max = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!((min, max), (25.0, 346.0));
    assert!((t.mean().unwrap() - 152.133).abs() < 1e-3);
    assert_eq!(
        data.x.row(0).to_vec(),
        vec![59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]
    );
}

#[test]
fn class_indices_decode_back_to_the_target_column() {
    for set in Dataset::ALL {
        let data = set.load_numeric().unwrap();
        let Target::Classes { y, labels } = &data.target else {
            continue;
        };
        let decoded = labels.decode(y.view()).unwrap();
        assert_eq!(
            decoded,
            set.column_strings(set.info().target).unwrap(),
            "{set}"
        );
    }
}

#[test]
fn german_credit_sensitive_columns_are_readable_and_consistent_with_age() {
    let set = Dataset::GermanCredit;
    let sex = set.column_strings("sex").unwrap();
    assert_eq!(sex.iter().filter(|s| *s == "male").count(), 690);
    assert_eq!(sex.iter().filter(|s| *s == "female").count(), 310);
    let age_group = set.column_strings("age_group").unwrap();
    let data = set.load_numeric().unwrap();
    let age_col = data.feature_names.iter().position(|n| n == "age").unwrap();
    for (i, group) in age_group.iter().enumerate() {
        let expected = if data.x[[i, age_col]] < 25.0 {
            "<25"
        } else {
            ">=25"
        };
        assert_eq!(group, expected, "row {i}");
    }
    assert_eq!(age_group.iter().filter(|g| *g == "<25").count(), 149);
}

#[test]
fn missing_categorical_cells_come_back_as_empty_strings() {
    let home = Dataset::CreditScoring.column_strings("home").unwrap();
    assert_eq!(home.len(), 4454);
    assert_eq!(home.iter().filter(|s| s.is_empty()).count(), 6);
}

#[test]
fn an_unknown_column_is_an_error_that_lists_the_columns() {
    let err = Dataset::GermanCredit.column_strings("gender").unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("`gender`"), "{msg}");
    assert!(msg.contains("german_credit"), "{msg}");
    assert!(msg.contains("age_group"), "{msg}");
}
