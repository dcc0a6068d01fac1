//! Property tests (issue #15): scalers invert, splitters partition their indices.
//!
//! Case counts are kept small so the file runs in a few seconds at the test profile's
//! opt-level 1.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_core::{FitUnsupervised, InverseTransform, Transform};
use kiln_prep::scale::{MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler};
use kiln_prep::split::{
    Fold, GroupKFold, KFold, ShuffleSplit, StratifiedKFold, TimeSeriesSplit, TrainTestSplit,
};
use ndarray::{Array1, Array2, ArrayView2};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    }
}

/// A matrix of 2..30 rows and 1..5 columns with values spread over many magnitudes.
fn matrix() -> impl Strategy<Value = Array2<f64>> {
    (2usize..30, 1usize..5).prop_flat_map(|(n, p)| {
        let value = prop_oneof![-1e3..1e3f64, -1e-3..1e-3f64, Just(0.0), -1e8..1e8f64];
        proptest::collection::vec(value, n * p).prop_map(move |v| {
            Array2::from_shape_vec((n, p), v).unwrap_or_else(|_| Array2::zeros((n, p)))
        })
    })
}

/// |a - b| small relative to the column's magnitude (the scale the transform divides by).
fn assert_inverts(name: &str, x: ArrayView2<'_, f64>, back: ArrayView2<'_, f64>) {
    assert_eq!(x.dim(), back.dim(), "{name}: shape");
    for (j, (cx, cb)) in x.columns().into_iter().zip(back.columns()).enumerate() {
        let scale = cx.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
        for (i, (a, b)) in cx.iter().zip(cb).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * scale + 1e-300,
                "{name}: x[{i},{j}] = {a} came back as {b}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn standard_scaler_inverse_transform_recovers_x(x in matrix(), with_mean: bool, with_std: bool) {
        let m = StandardScaler::default().with_mean(with_mean).with_std(with_std).fit(x.view()).unwrap();
        let back = m.inverse_transform(m.transform(x.view()).unwrap().view()).unwrap();
        assert_inverts("StandardScaler", x.view(), back.view());
    }

    #[test]
    fn minmax_scaler_inverse_transform_recovers_x(x in matrix(), lo in -5.0..0.0f64, width in 0.5..5.0f64) {
        let m = MinMaxScaler::default().with_feature_range((lo, lo + width)).fit(x.view()).unwrap();
        let back = m.inverse_transform(m.transform(x.view()).unwrap().view()).unwrap();
        assert_inverts("MinMaxScaler", x.view(), back.view());
    }

    #[test]
    fn robust_scaler_inverse_transform_recovers_x(x in matrix(), centering: bool, scaling: bool) {
        let m = RobustScaler::default()
            .with_centering(centering)
            .with_scaling(scaling)
            .fit(x.view())
            .unwrap();
        let back = m.inverse_transform(m.transform(x.view()).unwrap().view()).unwrap();
        assert_inverts("RobustScaler", x.view(), back.view());
    }

    #[test]
    fn maxabs_scaler_inverse_transform_recovers_x(x in matrix()) {
        let m = MaxAbsScaler.fit(x.view()).unwrap();
        let back = m.inverse_transform(m.transform(x.view()).unwrap().view()).unwrap();
        assert_inverts("MaxAbsScaler", x.view(), back.view());
    }
}

/// Train and test are disjoint, in range and sorted-unique; returns the test indices.
fn check_fold(name: &str, f: &Fold, n: usize) {
    let mut seen = vec![0u8; n];
    for &i in &f.train {
        assert!(i < n, "{name}: train index {i} >= n = {n}");
        seen[i] += 1;
    }
    for &i in &f.test {
        assert!(i < n, "{name}: test index {i} >= n = {n}");
        seen[i] += 2;
    }
    assert!(
        seen.iter().all(|&s| s <= 2),
        "{name}: an index is repeated or in both train and test: {f:?}"
    );
    assert!(!f.test.is_empty(), "{name}: empty test set");
    assert!(!f.train.is_empty(), "{name}: empty train set");
}

/// Each index is in exactly one test fold and, in every fold, in train or test.
fn check_partition(name: &str, folds: &[Fold], n: usize) {
    let mut in_test = vec![0usize; n];
    for f in folds {
        check_fold(name, f, n);
        assert_eq!(
            f.train.len() + f.test.len(),
            n,
            "{name}: fold does not cover all samples"
        );
        for &i in &f.test {
            in_test[i] += 1;
        }
    }
    assert!(
        in_test.iter().all(|&c| c == 1),
        "{name}: test folds do not partition: {in_test:?}"
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kfold_test_folds_partition_the_samples(n in 2usize..60, k in 2usize..8, shuffle: bool, seed: u64) {
        prop_assume!(k <= n);
        let folds = KFold::default().with_n_splits(k).with_shuffle(shuffle).with_seed(seed).split(n).unwrap();
        prop_assert_eq!(folds.len(), k);
        check_partition("KFold", &folds, n);
    }

    #[test]
    fn kfold_with_more_splits_than_samples_is_a_typed_error(n in 1usize..10, extra in 1usize..5) {
        prop_assert!(KFold::default().with_n_splits(n + extra).split(n).is_err());
    }

    #[test]
    fn stratified_kfold_partitions_and_keeps_class_shares(
        y in proptest::collection::vec(0usize..3, 6..60), k in 2usize..4, shuffle: bool, seed: u64,
    ) {
        let y = Array1::from(y);
        let n = y.len();
        let res = StratifiedKFold::default().with_n_splits(k).with_shuffle(shuffle).with_seed(seed).split(y.view());
        // Too few members for k folds is scikit-learn's error too; anything else must split.
        let mut counts = [0usize; 3];
        for &c in &y { counts[c] += 1; }
        let max_count = counts.iter().copied().max().unwrap_or(0);
        if max_count < k {
            prop_assert!(res.is_err());
            return Ok(());
        }
        let folds = res.unwrap();
        check_partition("StratifiedKFold", &folds, n);
        for f in &folds {
            for (class, &total) in counts.iter().enumerate() {
                let in_test = f.test.iter().filter(|&&i| y[i] == class).count();
                // Each class's test count is floor or ceil of its share of the fold.
                prop_assert!(in_test * k <= total + k && in_test * k + k >= total,
                    "class {} has {} of {} in a test fold of {} folds", class, in_test, total, k);
            }
        }
    }

    #[test]
    fn group_kfold_keeps_each_group_on_one_side(
        groups in proptest::collection::vec(0u32..8, 4..60), k in 2usize..5, shuffle: bool, seed: u64,
    ) {
        let g = Array1::from(groups);
        let n = g.len();
        let n_groups = {
            let mut v = g.to_vec();
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        let res = GroupKFold::default().with_n_splits(k).with_shuffle(shuffle).with_seed(seed).split(g.view());
        if n_groups < k {
            prop_assert!(res.is_err());
            return Ok(());
        }
        let folds = res.unwrap();
        check_partition("GroupKFold", &folds, n);
        for f in &folds {
            for &i in &f.test {
                prop_assert!(f.train.iter().all(|&t| g[t] != g[i]), "group {} on both sides", g[i]);
            }
        }
    }

    #[test]
    fn time_series_split_trains_only_on_the_past(n in 3usize..80, k in 2usize..6, gap in 0usize..3) {
        let res = TimeSeriesSplit::default().with_n_splits(k).with_gap(gap).split(n);
        let Ok(folds) = res else { return Ok(()); };
        prop_assert_eq!(folds.len(), k);
        let mut last_test_end = 0;
        for f in &folds {
            check_fold("TimeSeriesSplit", f, n);
            let train_max = *f.train.iter().max().unwrap();
            let test_min = *f.test.iter().min().unwrap();
            prop_assert!(train_max + gap < test_min, "train {} + gap {} >= test {}", train_max, gap, test_min);
            prop_assert!(test_min >= last_test_end, "test folds overlap");
            last_test_end = *f.test.iter().max().unwrap() + 1;
        }
    }

    #[test]
    fn shuffle_split_never_overlaps(n in 4usize..80, frac in 0.1..0.6f64, splits in 1usize..5, seed: u64) {
        let folds = ShuffleSplit::default().with_n_splits(splits).with_test_size(frac).with_seed(seed).split(n).unwrap();
        prop_assert_eq!(folds.len(), splits);
        let n_test = (frac * n as f64).ceil() as usize;
        for f in &folds {
            check_fold("ShuffleSplit", f, n);
            prop_assert_eq!(f.test.len(), n_test);
            prop_assert_eq!(f.train.len(), n - n_test);
        }
    }

    #[test]
    fn train_test_split_is_disjoint_and_complete(n in 4usize..200, frac in 0.05..0.6f64, shuffle: bool, seed: u64) {
        let (train, test) = TrainTestSplit::default()
            .with_test_size(frac)
            .with_shuffle(shuffle)
            .with_seed(seed)
            .split(n)
            .unwrap();
        let f = Fold { train, test };
        check_fold("TrainTestSplit", &f, n);
        prop_assert_eq!(f.train.len() + f.test.len(), n);
    }
}
