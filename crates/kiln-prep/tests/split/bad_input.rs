//! Bad input gives typed errors, never panics.

use kiln_core::{Error, Params};
use kiln_prep::split::{
    GroupKFold, KFold, ShuffleSplit, Splitter, StratifiedKFold, StratifiedShuffleSplit,
    TimeSeriesSplit, TrainTestSplit,
};
use ndarray::{Array1, array};

use super::support::{assert_partition, param_name};

#[test]
fn one_split_is_an_invalid_parameter() {
    let y = array![0usize, 1, 0, 1];
    assert_eq!(
        param_name(KFold::default().with_n_splits(1).split(4)),
        "n_splits"
    );
    assert_eq!(
        param_name(KFold::default().with_n_splits(0).split(4)),
        "n_splits"
    );
    assert_eq!(
        param_name(StratifiedKFold::default().with_n_splits(1).split(y.view())),
        "n_splits"
    );
    assert_eq!(
        param_name(GroupKFold::default().with_n_splits(1).split(y.view())),
        "n_splits"
    );
    assert_eq!(
        param_name(TimeSeriesSplit::default().with_n_splits(1).split(4)),
        "n_splits"
    );
    assert_eq!(
        param_name(ShuffleSplit::default().with_n_splits(0).split(4)),
        "n_splits"
    );
    let err = KFold::default().with_n_splits(1).validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `n_splits` parameter of KFold must be an int in the range [2, inf); got 1"
    );
}

#[test]
fn more_splits_than_samples_is_too_few_samples() {
    let err = KFold::default().split(3).unwrap_err();
    assert!(
        matches!(err, Error::TooFewSamples { n_samples: 3, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "KFold needs n_samples >= n_splits=5, got n_samples=3 (n_samples=3)"
    );
    let y = array![0usize, 1, 0];
    assert!(matches!(
        StratifiedKFold::default().split(y.view()),
        Err(Error::TooFewSamples { .. })
    ));
    assert!(matches!(
        GroupKFold::default().split(y.view()),
        Err(Error::TooFewSamples { .. })
    ));
    // GroupKFold: enough samples but too few groups.
    let groups = array![1, 1, 2, 2, 3, 3];
    let err = GroupKFold::default()
        .with_n_splits(4)
        .split(groups.view())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("n_splits=4 distinct groups, got 3 groups"),
        "{err}"
    );
    assert!(matches!(
        TimeSeriesSplit::default().split(5),
        Err(Error::TooFewSamples { .. })
    ));
    let cv = TimeSeriesSplit::default()
        .with_n_splits(3)
        .with_test_size(3);
    assert!(matches!(cv.split(9), Err(Error::TooFewSamples { .. })));
    assert!(cv.split(10).is_ok());
    assert!(matches!(
        cv.with_gap(1).split(10),
        Err(Error::TooFewSamples { .. })
    ));
    // Huge sizes do not overflow.
    let cv = TimeSeriesSplit::default()
        .with_test_size(usize::MAX)
        .with_gap(usize::MAX);
    assert!(matches!(cv.split(100), Err(Error::TooFewSamples { .. })));
}

#[test]
fn stratified_kfold_errors_only_when_every_class_is_too_small() {
    let y = array![0usize, 0, 1, 1, 2, 2];
    let err = StratifiedKFold::default()
        .with_n_splits(3)
        .split(y.view())
        .unwrap_err();
    assert!(matches!(err, Error::TooFewSamples { .. }), "{err}");
    // One class large enough: scikit-learn warns, kiln splits; class 1 misses two test folds.
    let y = array![0usize, 0, 0, 0, 1, 1];
    let folds = StratifiedKFold::default()
        .with_n_splits(4)
        .split(y.view())
        .unwrap();
    assert_partition(&folds, 6);
    let with_class_1 = folds
        .iter()
        .filter(|f| f.test.iter().any(|&i| y[i] == 1))
        .count();
    assert_eq!(with_class_1, 2);
}

#[test]
fn bad_sizes_are_invalid_parameters() {
    for size in [0.0, 1.0, 1.5, -0.2, f64::NAN, f64::INFINITY] {
        let tts = TrainTestSplit::default().with_test_size(size);
        assert_eq!(param_name(tts.split(10)), "test_size", "{size}");
        assert_eq!(param_name(tts.validate()), "test_size", "{size}");
        let tts = TrainTestSplit::default().with_train_size(size);
        assert_eq!(param_name(tts.split(10)), "train_size", "{size}");
        let ss = ShuffleSplit::default().with_test_size(size);
        assert_eq!(param_name(ss.split(10)), "test_size", "{size}");
    }
    let err = TrainTestSplit::default()
        .with_test_size(1.5)
        .split(10)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `test_size` parameter of TrainTestSplit must be a fraction in the range (0, 1) \
         or a count >= 1; got 1.5"
    );
    assert_eq!(
        param_name(TrainTestSplit::default().with_test_size(0usize).split(10)),
        "test_size"
    );
    assert_eq!(
        param_name(TrainTestSplit::default().with_test_size(10usize).split(10)),
        "test_size"
    );
    assert_eq!(
        param_name(TrainTestSplit::default().with_train_size(12usize).split(10)),
        "train_size"
    );
    // Fractions adding up to more than 1, counts adding up to more than n_samples.
    let tts = TrainTestSplit::default()
        .with_test_size(0.6)
        .with_train_size(0.6);
    assert_eq!(param_name(tts.validate()), "train_size");
    let tts = TrainTestSplit::default()
        .with_test_size(6usize)
        .with_train_size(6usize);
    assert_eq!(param_name(tts.split(10)), "train_size");
    // Sizes that leave no training sample.
    assert!(matches!(
        TrainTestSplit::default().split(1),
        Err(Error::TooFewSamples { .. })
    ));
    assert!(matches!(
        TrainTestSplit::default().with_train_size(0.2).split(4),
        Err(Error::TooFewSamples { .. })
    ));
    assert_eq!(
        param_name(TimeSeriesSplit::default().with_test_size(0).split(10)),
        "test_size"
    );
    assert_eq!(
        param_name(TimeSeriesSplit::default().with_max_train_size(0).split(10)),
        "max_train_size"
    );
}

#[test]
fn empty_input_is_empty_input() {
    let empty: Array1<usize> = Array1::zeros(0);
    assert!(matches!(
        KFold::default().split(0),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        StratifiedKFold::default().split(empty.view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        GroupKFold::default().split(empty.view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        TimeSeriesSplit::default().split(0),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        ShuffleSplit::default().split(0),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        StratifiedShuffleSplit::default().split(empty.view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        TrainTestSplit::default().split(0),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        TrainTestSplit::default().split_stratified(empty.view()),
        Err(Error::EmptyInput { .. })
    ));
}

#[test]
fn splitter_rejects_mismatched_or_missing_labels() {
    let y = array![0usize, 1, 0, 1, 0, 1];
    let groups = array![0usize, 0, 1, 1, 2];
    let err = GroupKFold::default()
        .with_n_splits(2)
        .folds(6, None, Some(groups.view()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShapeMismatch {
                expected: 6,
                got: 5,
                ..
            }
        ),
        "{err}"
    );
    let err = KFold::default()
        .with_n_splits(2)
        .folds(5, Some(y.view()), None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShapeMismatch {
                expected: 5,
                got: 6,
                ..
            }
        ),
        "{err}"
    );
    let err = GroupKFold::default()
        .with_n_splits(2)
        .folds(6, Some(y.view()), None)
        .unwrap_err();
    assert!(
        matches!(&err, Error::EmptyInput { what, .. } if what == "groups"),
        "{err}"
    );
    let err = StratifiedKFold::default()
        .with_n_splits(2)
        .folds(6, None, None)
        .unwrap_err();
    assert!(
        matches!(&err, Error::EmptyInput { what, .. } if what == "y"),
        "{err}"
    );
    let err = StratifiedShuffleSplit::default()
        .folds(6, None, None)
        .unwrap_err();
    assert!(
        matches!(&err, Error::EmptyInput { what, .. } if what == "y"),
        "{err}"
    );
}

#[test]
fn stratify_rejects_a_single_member_class_and_unshuffled_splits() {
    let y = array![0usize, 0, 0, 1, 1, 1, 2, 0];
    let err = TrainTestSplit::default()
        .with_test_size(0.5)
        .split_stratified(y.view())
        .unwrap_err();
    assert!(matches!(err, Error::TooFewSamples { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("the class of sample 6 has only 1 member"),
        "{err}"
    );
    let err = StratifiedShuffleSplit::default()
        .with_test_size(0.5)
        .split(y.view())
        .unwrap_err();
    assert!(matches!(err, Error::TooFewSamples { .. }), "{err}");

    let y = array![0usize, 0, 0, 1, 1, 1];
    let tts = TrainTestSplit::default()
        .with_test_size(0.5)
        .with_shuffle(false);
    assert_eq!(param_name(tts.split_stratified(y.view())), "shuffle");
    assert!(tts.split(6).is_ok());
    // A test set smaller than the number of classes cannot be stratified.
    let tts = TrainTestSplit::default().with_test_size(1usize);
    assert_eq!(param_name(tts.split_stratified(y.view())), "test_size");
}

#[test]
fn more_shuffle_splits_than_memory_holds_is_an_error_not_an_abort() {
    // Found by probing: 2^40 splits asked for 52 TB at once and aborted the process.
    let e = ShuffleSplit::default()
        .with_n_splits(1 << 40)
        .split(10)
        .unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_splits"), "{e}");
    let y = Array1::from_iter((0..40).map(|i| i % 2));
    let e = StratifiedShuffleSplit::default()
        .with_n_splits(1 << 40)
        .split(y.view())
        .unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_splits"), "{e}");
    // An ordinary count still works.
    assert_eq!(
        ShuffleSplit::default()
            .with_n_splits(3)
            .split(10)
            .unwrap()
            .len(),
        3
    );
}
