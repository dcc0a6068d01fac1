//! Exact agreement with scikit-learn 1.9.1 where it is deterministic, and agreement on sizes
//! and errors where it shuffles.

use kiln_core::Error;
use kiln_prep::split::{
    GroupKFold, KFold, ShuffleSplit, Size, StratifiedKFold, StratifiedShuffleSplit,
    TimeSeriesSplit, TrainTestSplit,
};
use ndarray::ArrayView1;
use serde::Deserialize;

use super::support::{
    Labels, RefFold, RefSize, as_ref_folds, assert_disjoint_within, assert_stratified,
    assert_stratified_within, codes_of, load,
};

#[derive(Deserialize)]
struct KFoldCase {
    n_samples: usize,
    n_splits: usize,
    folds: Option<Vec<RefFold>>,
    error: Option<String>,
}

#[test]
fn kfold_matches_sklearn() {
    for case in load::<KFoldCase>("split_kfold.json") {
        let got = KFold::default()
            .with_n_splits(case.n_splits)
            .split(case.n_samples);
        let label = format!("n={} k={}", case.n_samples, case.n_splits);
        match (case.folds, got) {
            (Some(want), Ok(got)) => assert_eq!(as_ref_folds(&got), want, "{label}"),
            (None, Err(Error::TooFewSamples { .. })) => {}
            (want, got) => panic!(
                "{label}: sklearn {:?} / {:?}, kiln {got:?}",
                want, case.error
            ),
        }
    }
}

#[derive(Deserialize)]
struct StratifiedCase {
    name: String,
    y: Labels,
    n_splits: usize,
    folds: Option<Vec<RefFold>>,
    error: Option<String>,
    warns: bool,
}

#[test]
fn stratified_kfold_matches_sklearn() {
    let mut warned = 0;
    for case in load::<StratifiedCase>("split_stratified_kfold.json") {
        let cv = StratifiedKFold::default().with_n_splits(case.n_splits);
        let got = match &case.y {
            Labels::Ints(y) => cv.split(ArrayView1::from(y)),
            Labels::Strings(y) => cv.split(ArrayView1::from(y)),
        };
        let label = format!("{} k={}", case.name, case.n_splits);
        match (&case.folds, got) {
            (Some(want), Ok(got)) => assert_eq!(&as_ref_folds(&got), want, "{label}"),
            (None, Err(Error::TooFewSamples { .. })) => {}
            (_, got) => panic!("{label}: sklearn {:?}, kiln {got:?}", case.error),
        }
        // Where scikit-learn only warns, kiln splits (and the comparison above covered it).
        warned += usize::from(case.warns);
    }
    assert!(warned >= 3, "the fixtures should cover the warning case");
}

#[derive(Deserialize)]
struct GroupCase {
    name: String,
    groups: Labels,
    n_splits: usize,
    folds: Option<Vec<RefFold>>,
    error: Option<String>,
}

#[test]
fn group_kfold_matches_sklearn() {
    for case in load::<GroupCase>("split_group_kfold.json") {
        let cv = GroupKFold::default().with_n_splits(case.n_splits);
        let got = match &case.groups {
            Labels::Ints(g) => cv.split(ArrayView1::from(g)),
            Labels::Strings(g) => cv.split(ArrayView1::from(g)),
        };
        let label = format!("{} k={}", case.name, case.n_splits);
        match (&case.folds, got) {
            (Some(want), Ok(got)) => assert_eq!(&as_ref_folds(&got), want, "{label}"),
            (None, Err(Error::TooFewSamples { .. })) => {}
            (_, got) => panic!("{label}: sklearn {:?}, kiln {got:?}", case.error),
        }
    }
}

#[derive(Deserialize)]
struct TimeSeriesCase {
    n_samples: usize,
    n_splits: usize,
    max_train_size: Option<usize>,
    test_size: Option<usize>,
    gap: usize,
    folds: Option<Vec<RefFold>>,
    error: Option<String>,
}

#[test]
fn time_series_split_matches_sklearn() {
    let (mut ok, mut errors) = (0, 0);
    for case in load::<TimeSeriesCase>("split_time_series.json") {
        let cv = TimeSeriesSplit {
            n_splits: case.n_splits,
            max_train_size: case.max_train_size,
            test_size: case.test_size,
            gap: case.gap,
        };
        let got = cv.split(case.n_samples);
        let label = format!(
            "n={} k={} max_train={:?} test={:?} gap={}",
            case.n_samples, case.n_splits, case.max_train_size, case.test_size, case.gap
        );
        match (&case.folds, got) {
            (Some(want), Ok(got)) => {
                assert_eq!(&as_ref_folds(&got), want, "{label}");
                ok += 1;
            }
            (None, Err(Error::TooFewSamples { .. })) => errors += 1,
            (_, got) => panic!("{label}: sklearn {:?}, kiln {got:?}", case.error),
        }
    }
    assert!(ok > 100 && errors > 100, "{ok} splits, {errors} errors");
}

#[derive(Deserialize)]
struct TrainTestCase {
    n_samples: usize,
    test_size: Option<RefSize>,
    train_size: Option<RefSize>,
    train: Option<Vec<usize>>,
    test: Option<Vec<usize>>,
    error: Option<String>,
    shuffle_split_sizes: Option<(usize, usize)>,
}

#[test]
fn train_test_split_matches_sklearn() {
    for case in load::<TrainTestCase>("split_train_test.json") {
        let splitter = TrainTestSplit {
            test_size: case.test_size.map(Size::from),
            train_size: case.train_size.map(Size::from),
            shuffle: false,
            seed: 0,
        };
        let label = format!(
            "n={} test_size={:?} train_size={:?}",
            case.n_samples, case.test_size, case.train_size
        );
        match (&case.train, &case.test, splitter.split(case.n_samples)) {
            (Some(train), Some(test), Ok(got)) => {
                assert_eq!(&got, &(train.clone(), test.clone()), "{label}");
                // Shuffled: same sizes, a random selection without repeats.
                let (tr, te) = splitter
                    .clone()
                    .with_shuffle(true)
                    .split(case.n_samples)
                    .unwrap();
                assert_eq!((tr.len(), te.len()), (train.len(), test.len()), "{label}");
                assert_disjoint_within(&tr, &te, case.n_samples);
            }
            (None, None, Err(e)) => assert!(
                matches!(
                    e,
                    Error::InvalidParameter { .. } | Error::TooFewSamples { .. }
                ),
                "{label}: {e}"
            ),
            (_, _, got) => panic!("{label}: sklearn {:?}, kiln {got:?}", case.error),
        }

        let shuffle = ShuffleSplit {
            n_splits: 3,
            test_size: case.test_size.map(Size::from),
            train_size: case.train_size.map(Size::from),
            seed: 5,
        };
        match (case.shuffle_split_sizes, shuffle.split(case.n_samples)) {
            (Some((n_train, n_test)), Ok(folds)) => {
                for fold in &folds {
                    assert_eq!(
                        (fold.train.len(), fold.test.len()),
                        (n_train, n_test),
                        "{label}"
                    );
                    assert_disjoint_within(&fold.train, &fold.test, case.n_samples);
                }
            }
            (None, Err(_)) => {}
            (want, got) => panic!("ShuffleSplit {label}: sklearn {want:?}, kiln {got:?}"),
        }
    }
}

#[test]
fn test_fraction_rounds_up_with_sklearns_float_product() {
    // 0.07 * 100 is 7.000000000000001 in floating point, so scikit-learn takes 8 test samples;
    // 0.57 * 100 is 56.99999999999999, so a train fraction of 0.57 gives 56.
    let (train, test) = TrainTestSplit::default()
        .with_test_size(0.07)
        .with_shuffle(false)
        .split(100)
        .unwrap();
    assert_eq!((train.len(), test.len()), (92, 8));
    let (train, test) = TrainTestSplit::default()
        .with_train_size(0.57)
        .with_shuffle(false)
        .split(100)
        .unwrap();
    assert_eq!((train.len(), test.len()), (56, 44));
}

#[derive(Deserialize)]
struct StratifiedShuffleCase {
    name: String,
    y: Labels,
    test_size: Option<RefSize>,
    train_size: Option<RefSize>,
    shuffle_split_sizes: Option<(usize, usize)>,
    shuffle_split_error: Option<String>,
    train_test_sizes: Option<(usize, usize)>,
    train_test_error: Option<String>,
}

#[test]
fn stratified_shuffle_sizes_and_errors_match_sklearn() {
    for case in load::<StratifiedShuffleCase>("split_stratified_shuffle.json") {
        let label = format!("{} {:?} {:?}", case.name, case.test_size, case.train_size);
        let test_size = case.test_size.map(Size::from);
        let train_size = case.train_size.map(Size::from);
        let sss = StratifiedShuffleSplit {
            n_splits: 4,
            test_size,
            train_size,
            seed: 11,
        };
        let tts = TrainTestSplit {
            test_size,
            train_size,
            shuffle: true,
            seed: 11,
        };
        let (folds, holdout) = match &case.y {
            Labels::Ints(y) => (
                sss.split(ArrayView1::from(y)),
                tts.split_stratified(ArrayView1::from(y)),
            ),
            Labels::Strings(y) => (
                sss.split(ArrayView1::from(y)),
                tts.split_stratified(ArrayView1::from(y)),
            ),
        };
        let codes = codes_of(&case.y);
        match (case.shuffle_split_sizes, folds) {
            (Some((n_train, n_test)), Ok(folds)) => {
                assert_eq!(folds.len(), 4);
                for fold in &folds {
                    assert_eq!(
                        (fold.train.len(), fold.test.len()),
                        (n_train, n_test),
                        "{label}"
                    );
                    assert_disjoint_within(&fold.train, &fold.test, case.y.len());
                    // The test counts are shared out over what training left, so they are
                    // within one of their share only when the two sets take every sample.
                    let tolerance = if n_train + n_test == codes.len() {
                        1.0
                    } else {
                        2.0
                    };
                    assert_stratified_within(&codes, &fold.test, tolerance, "test", &label);
                    assert_stratified(&codes, &fold.train, "train", &label);
                }
            }
            (None, Err(_)) => {}
            (want, got) => panic!(
                "{label}: sklearn {want:?} {:?}, kiln {got:?}",
                case.shuffle_split_error
            ),
        }
        match (case.train_test_sizes, holdout) {
            (Some((n_train, n_test)), Ok((train, test))) => {
                assert_eq!((train.len(), test.len()), (n_train, n_test), "{label}");
                assert_disjoint_within(&train, &test, case.y.len());
                let tolerance = if n_train + n_test == codes.len() {
                    1.0
                } else {
                    2.0
                };
                assert_stratified_within(&codes, &test, tolerance, "test", &label);
                assert_stratified(&codes, &train, "train", &label);
            }
            (None, Err(_)) => {}
            (want, got) => panic!(
                "train_test {label}: sklearn {want:?} {:?}, kiln {got:?}",
                case.train_test_error
            ),
        }
    }
}
