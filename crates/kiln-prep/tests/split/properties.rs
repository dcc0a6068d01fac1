//! Properties of the shuffling splitters (partition, disjointness, stratification,
//! determinism), the [`Splitter`] trait, and a property test that nothing panics.

use std::collections::BTreeSet;

use kiln_prep::split::{
    Fold, GroupKFold, KFold, ShuffleSplit, Size, Splitter, StratifiedKFold, StratifiedShuffleSplit,
    TimeSeriesSplit, TrainTestSplit,
};
use ndarray::{Array1, ArrayView1, array};
use proptest::prelude::*;

use super::support::{
    Labels, assert_disjoint_within, assert_partition, assert_stratified, assert_stratified_within,
    class_counts, codes_of, iris_targets, penguin_species,
};

#[test]
fn shuffled_kfold_partitions_deterministically() {
    for n in [5, 10, 11, 17, 100] {
        let cv = KFold::default().with_n_splits(5).with_shuffle(true);
        let a = cv.clone().with_seed(3).split(n).unwrap();
        assert_partition(&a, n);
        assert_eq!(a, cv.clone().with_seed(3).split(n).unwrap());
        if n >= 10 {
            assert_ne!(a, cv.clone().with_seed(4).split(n).unwrap(), "n={n}");
            assert_ne!(a, KFold::default().split(n).unwrap(), "n={n}");
        }
        // Same fold sizes as without shuffling.
        let plain = KFold::default().split(n).unwrap();
        let sizes = |f: &[Fold]| f.iter().map(|f| f.test.len()).collect::<Vec<_>>();
        assert_eq!(sizes(&a), sizes(&plain));
    }
}

#[test]
fn shuffled_stratified_kfold_keeps_the_per_fold_class_counts() {
    let iris = iris_targets();
    let y = Array1::from(iris.clone());
    let plain = StratifiedKFold::default().split(y.view()).unwrap();
    let shuffled = StratifiedKFold::default()
        .with_shuffle(true)
        .with_seed(9)
        .split(y.view())
        .unwrap();
    assert_partition(&shuffled, y.len());
    assert_ne!(plain, shuffled);
    for (p, s) in plain.iter().zip(&shuffled) {
        assert_eq!(class_counts(&iris, &p.test), class_counts(&iris, &s.test));
        assert_eq!(class_counts(&iris, &s.test), vec![10, 10, 10]);
    }
    let again = StratifiedKFold::default()
        .with_shuffle(true)
        .with_seed(9)
        .split(y.view())
        .unwrap();
    assert_eq!(shuffled, again);

    // Imbalanced: each fold gets count / n_splits of each class, rounded up or down.
    let y: Vec<usize> = (0..103)
        .map(|i| usize::from(i % 7 == 0) + usize::from(i % 13 == 0))
        .collect();
    for seed in 0..5 {
        let folds = StratifiedKFold::default()
            .with_n_splits(4)
            .with_shuffle(true)
            .with_seed(seed)
            .split(ArrayView1::from(&y))
            .unwrap();
        assert_partition(&folds, y.len());
        let overall = class_counts(&y, &(0..y.len()).collect::<Vec<_>>());
        for fold in &folds {
            for (&all, &got) in overall.iter().zip(&class_counts(&y, &fold.test)) {
                assert!(got == all / 4 || got == all.div_ceil(4), "{got} of {all}");
            }
        }
    }
}

#[test]
fn shuffled_group_kfold_never_splits_a_group() {
    let groups: Vec<u32> = (0..60).map(|i| (i * 7 % 13) as u32).collect();
    let cv = GroupKFold::default()
        .with_n_splits(4)
        .with_shuffle(true)
        .with_seed(2);
    let folds = cv.split(ArrayView1::from(&groups)).unwrap();
    assert_partition(&folds, groups.len());
    for fold in &folds {
        let test_groups: BTreeSet<u32> = fold.test.iter().map(|&i| groups[i]).collect();
        assert!(
            fold.train
                .iter()
                .all(|&i| !test_groups.contains(&groups[i]))
        );
    }
    // 13 groups in 4 chunks: 4, 3, 3, 3 groups.
    let n_groups: Vec<usize> = folds
        .iter()
        .map(|f| {
            f.test
                .iter()
                .map(|&i| groups[i])
                .collect::<BTreeSet<_>>()
                .len()
        })
        .collect();
    assert_eq!(n_groups, vec![4, 3, 3, 3]);
    assert_eq!(folds, cv.split(ArrayView1::from(&groups)).unwrap());
    assert_ne!(
        folds,
        cv.with_seed(3).split(ArrayView1::from(&groups)).unwrap()
    );
}

#[test]
fn shuffle_split_is_seeded_and_draws_fresh_splits() {
    let cv = ShuffleSplit::default().with_test_size(0.2).with_seed(1);
    let folds = cv.split(50).unwrap();
    assert_eq!(folds.len(), 10);
    for fold in &folds {
        assert_eq!((fold.train.len(), fold.test.len()), (40, 10));
        assert_disjoint_within(&fold.train, &fold.test, 50);
    }
    assert_ne!(folds[0], folds[1]);
    assert_eq!(folds, cv.split(50).unwrap());
    assert_ne!(folds, cv.clone().with_seed(2).split(50).unwrap());
    // Both sizes set: some samples are in neither set.
    let fold = &ShuffleSplit::default()
        .with_n_splits(1)
        .with_test_size(5usize)
        .with_train_size(0.5)
        .split(20)
        .unwrap()[0];
    assert_eq!((fold.train.len(), fold.test.len()), (10, 5));
}

#[test]
fn stratified_train_test_split_keeps_penguin_species_shares() {
    let species = penguin_species();
    let codes = codes_of(&Labels::Strings(species.clone()));
    let y = Array1::from(species);
    for seed in 0..10 {
        let (train, test) = TrainTestSplit::default()
            .with_seed(seed)
            .split_stratified(y.view())
            .unwrap();
        assert_eq!((train.len(), test.len()), (258, 86));
        assert_disjoint_within(&train, &test, y.len());
        assert_stratified(&codes, &test, "test", "penguins");
        assert_stratified(&codes, &train, "train", "penguins");
    }
    let a = TrainTestSplit::default()
        .with_seed(4)
        .split_stratified(y.view())
        .unwrap();
    let b = TrainTestSplit::default()
        .with_seed(4)
        .split_stratified(y.view())
        .unwrap();
    let c = TrainTestSplit::default()
        .with_seed(5)
        .split_stratified(y.view())
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn splitter_trait_agrees_with_the_inherent_methods() {
    let y = array![0usize, 1, 1, 0, 2, 2, 0, 1, 2, 0, 1, 2];
    let groups = array![0usize, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    let n = y.len();
    let check = |cv: &dyn Splitter, want: Vec<Fold>| {
        let got = cv.folds(n, Some(y.view()), Some(groups.view())).unwrap();
        assert_eq!(got.len(), cv.n_splits());
        assert_eq!(got, want);
        // The plan writes the same folds into one reused buffer, in any order.
        let plan = cv.plan(n, Some(y.view()), Some(groups.view())).unwrap();
        assert_eq!(plan.n_folds(), want.len());
        let mut buf = Fold::default();
        for k in (0..want.len()).chain((0..want.len()).rev()) {
            assert_eq!(plan.fold(k, &mut buf), Some(&want[k]), "fold {k}");
            let sizes = (want[k].train.len(), want[k].test.len());
            assert_eq!(plan.fold_sizes(k), Some(sizes));
        }
        assert_eq!(plan.fold(want.len(), &mut buf), None);
    };
    for shuffle in [false, true] {
        let kf = KFold::default().with_n_splits(5).with_shuffle(shuffle);
        check(&kf, kf.split(n).unwrap());
        let skf = StratifiedKFold::default()
            .with_n_splits(4)
            .with_shuffle(shuffle);
        check(&skf, skf.split(y.view()).unwrap());
        let gkf = GroupKFold::default().with_n_splits(3).with_shuffle(shuffle);
        check(&gkf, gkf.split(groups.view()).unwrap());
    }
    let ts = TimeSeriesSplit::default().with_n_splits(3);
    check(&ts, ts.split(n).unwrap());
    let ss = ShuffleSplit::default().with_n_splits(2);
    check(&ss, ss.split(n).unwrap());
    let sss = StratifiedShuffleSplit::default()
        .with_n_splits(2)
        .with_test_size(0.25);
    check(&sss, sss.split(y.view()).unwrap());
}

// ---------------------------------------------------------------------------------------------
// No panics on any parameters

proptest! {
    #[test]
    fn splitters_never_panic(
        n in 0usize..40,
        k in 0usize..12,
        shuffle in any::<bool>(),
        seed in any::<u64>(),
        test_size in prop_oneof![
            Just(None),
            (0usize..45).prop_map(|c| Some(Size::Count(c))),
            (-0.5f64..1.5).prop_map(|f| Some(Size::Fraction(f))),
        ],
        train_size in prop_oneof![
            Just(None),
            (0usize..45).prop_map(|c| Some(Size::Count(c))),
            (-0.5f64..1.5).prop_map(|f| Some(Size::Fraction(f))),
        ],
        gap in 0usize..10,
        labels in proptest::collection::vec(0usize..4, 0..40),
    ) {
        if let Ok(folds) = (KFold { n_splits: k, shuffle, seed }).split(n) {
            assert_partition(&folds, n);
        }
        let y = ArrayView1::from(&labels);
        if let Ok(folds) = (StratifiedKFold { n_splits: k, shuffle, seed }).split(y) {
            assert_partition(&folds, labels.len());
        }
        if let Ok(folds) = (GroupKFold { n_splits: k, shuffle, seed }).split(y) {
            assert_partition(&folds, labels.len());
        }
        let ts = TimeSeriesSplit { n_splits: k, max_train_size: None, test_size: None, gap };
        if let Ok(folds) = ts.split(n) {
            for fold in &folds {
                assert!(!fold.train.is_empty() && !fold.test.is_empty());
                assert!(fold.train.last() < fold.test.first());
            }
        }
        let ss = ShuffleSplit { n_splits: 2, test_size, train_size, seed };
        if let Ok(folds) = ss.split(n) {
            for fold in &folds {
                prop_assert!(!fold.train.is_empty() && !fold.test.is_empty());
                assert_disjoint_within(&fold.train, &fold.test, n);
            }
        }
        let tts = TrainTestSplit { test_size, train_size, shuffle, seed };
        let _ = tts.split(n);
        if let Ok((train, test)) = tts.split_stratified(y) {
            assert_disjoint_within(&train, &test, labels.len());
        }
        let sss = StratifiedShuffleSplit { n_splits: 2, test_size, train_size, seed };
        if let Ok(folds) = sss.split(y) {
            for fold in &folds {
                assert_disjoint_within(&fold.train, &fold.test, labels.len());
                assert_stratified(&labels, &fold.train, "train", "proptest");
                assert_stratified_within(&labels, &fold.test, 2.0, "test", "proptest");
            }
        }
    }
}
