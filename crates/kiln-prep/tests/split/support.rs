//! Fixture loading and the assertions shared by the split tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use kiln_core::Error;
use kiln_datasets::Dataset;
use kiln_prep::split::{Fold, Size};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Fixture<C> {
    sklearn_version: String,
    cases: Vec<C>,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct RefFold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Class or group labels as the fixtures hold them: integers or strings.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum Labels {
    Ints(Vec<usize>),
    Strings(Vec<String>),
}

impl Labels {
    pub fn len(&self) -> usize {
        match self {
            Labels::Ints(v) => v.len(),
            Labels::Strings(v) => v.len(),
        }
    }
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum RefSize {
    Fraction(f64),
    Count(usize),
}

impl From<RefSize> for Size {
    fn from(s: RefSize) -> Size {
        match s {
            RefSize::Fraction(f) => Size::Fraction(f),
            RefSize::Count(c) => Size::Count(c),
        }
    }
}

pub fn load<C: for<'de> Deserialize<'de>>(name: &str) -> Vec<C> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let fixture: Fixture<C> = serde_json::from_str(&text).unwrap();
    assert_eq!(fixture.sklearn_version, "1.9.1", "{name}");
    assert!(!fixture.cases.is_empty());
    fixture.cases
}

pub fn as_ref_folds(folds: &[Fold]) -> Vec<RefFold> {
    folds
        .iter()
        .map(|f| RefFold {
            train: f.train.clone(),
            test: f.test.clone(),
        })
        .collect()
}

/// Every index below `n`, no repeats within or across the two sets.
pub fn assert_disjoint_within(train: &[usize], test: &[usize], n: usize) {
    let mut seen = BTreeSet::new();
    for &i in train.iter().chain(test) {
        assert!(i < n, "index {i} out of range {n}");
        assert!(seen.insert(i), "index {i} repeated");
    }
}

/// Checks that the test sets partition the samples and each train set is the complement.
pub fn assert_partition(folds: &[Fold], n: usize) {
    let mut owner = vec![None; n];
    for (f, fold) in folds.iter().enumerate() {
        assert!(fold.test.windows(2).all(|w| w[0] < w[1]), "test sorted");
        assert!(fold.train.windows(2).all(|w| w[0] < w[1]), "train sorted");
        assert_eq!(fold.train.len() + fold.test.len(), n);
        assert_disjoint_within(&fold.train, &fold.test, n);
        for &i in &fold.test {
            assert_eq!(owner[i], None, "sample {i} tested twice");
            owner[i] = Some(f);
        }
    }
    assert!(owner.iter().all(Option::is_some), "a sample never tested");
}

pub fn codes_of(labels: &Labels) -> Vec<usize> {
    fn encode<T: Ord + Clone>(v: &[T]) -> Vec<usize> {
        let classes: BTreeSet<T> = v.iter().cloned().collect();
        let code: BTreeMap<T, usize> = classes.into_iter().zip(0..).collect();
        v.iter().map(|x| code[x]).collect()
    }
    match labels {
        Labels::Ints(v) => encode(v),
        Labels::Strings(v) => encode(v),
    }
}

pub fn class_counts(codes: &[usize], subset: &[usize]) -> Vec<usize> {
    let n_classes = codes.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0; n_classes];
    for &i in subset {
        counts[codes[i]] += 1;
    }
    counts
}

/// Each class's count in `subset` is within one sample of its proportional share.
pub fn assert_stratified(codes: &[usize], subset: &[usize], what: &str, label: &str) {
    assert_stratified_within(codes, subset, 1.0, what, label);
}

/// Each class's count in `subset` is less than `tolerance` away from its proportional share.
pub fn assert_stratified_within(
    codes: &[usize],
    subset: &[usize],
    tolerance: f64,
    what: &str,
    label: &str,
) {
    let overall = class_counts(codes, &(0..codes.len()).collect::<Vec<_>>());
    let got = class_counts(codes, subset);
    for (c, (&all, &got)) in overall.iter().zip(&got).enumerate() {
        let share = all as f64 * subset.len() as f64 / codes.len() as f64;
        assert!(
            (got as f64 - share).abs() < tolerance + 1e-9,
            "{label}: class {c} has {got} in {what}, share {share}"
        );
    }
}

/// The error's parameter name, failing the test unless it is [`Error::InvalidParameter`].
pub fn param_name(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::InvalidParameter { name, .. }) => name,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

/// Iris's class indices, `0`, `1`, `2`.
pub fn iris_targets() -> Vec<usize> {
    Dataset::Iris
        .column_strings("target")
        .unwrap()
        .iter()
        .map(|v| v.parse().unwrap())
        .collect()
}

/// The species of the Palmer penguins, as strings.
pub fn penguin_species() -> Vec<String> {
    Dataset::Penguins.column_strings("species").unwrap()
}
