//! `GroupKFold`: k-fold that never splits a group.

use kiln_core::random::{rng_from_seed, shuffle};
use kiln_core::{Error, Params, Result};
use ndarray::ArrayView1;

use super::kfold::check_n_splits_param;
use super::{
    Fold, FoldPlan, Splitter, check_n_splits_le_n_samples, check_not_empty, check_split_inputs,
    chunk_sizes, encode_sorted, required,
};

/// K-fold cross-validation over groups: all samples of a group (a patient, a user, a site)
/// fall in the same test fold, so a model is never tested on a group it was trained on.
///
/// Without shuffling, groups are dealt greedily to balance the number of samples per fold:
/// the largest group first, each into the fold holding the fewest samples so far (the
/// lowest-numbered such fold on a tie). Groups of equal size are taken in descending order of
/// their labels. This is scikit-learn's `GroupKFold`, and the folds are identical to its.
/// With `shuffle`, the distinct groups are permuted and cut into `n_splits` chunks of
/// near-equal numbers of *groups* (the first `n_groups % n_splits` chunks get one more), so
/// the fold sizes in samples may differ more.
///
/// # Parameters
/// - `n_splits`: number of folds, at least 2 and at most the number of distinct groups.
///   Default 5.
/// - `shuffle`: whether to permute the groups instead of balancing fold sizes. Default `false`.
/// - `seed`: seed of the permutation; unused without `shuffle`. Default
///   [`kiln_core::random::DEFAULT_SEED`].
///
/// # Example
/// ```
/// use kiln_prep::split::GroupKFold;
/// use ndarray::array;
///
/// let groups = array!["ann", "ann", "ann", "bob", "bob", "cy"];
/// let folds = GroupKFold::default().with_n_splits(2).split(groups.view())?;
/// assert_eq!(folds[0].test, vec![0, 1, 2]);
/// assert_eq!(folds[1].test, vec![3, 4, 5]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupKFold {
    /// Number of folds, at least 2 and at most the number of distinct groups. Default 5.
    pub n_splits: usize,
    /// Whether to permute the groups instead of balancing fold sizes. Default `false`.
    pub shuffle: bool,
    /// Seed of the permutation; unused without [`Self::shuffle`]. Default
    /// [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for GroupKFold {
    /// Five folds balanced by size, scikit-learn's default.
    fn default() -> Self {
        Self {
            n_splits: 5,
            shuffle: false,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl GroupKFold {
    /// Sets [`Self::n_splits`].
    pub fn with_n_splits(mut self, n_splits: usize) -> Self {
        self.n_splits = n_splits;
        self
    }
    /// Sets [`Self::shuffle`].
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Splits the samples whose group labels (of any ordered type) are `groups`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the params are invalid; [`Error::EmptyInput`] if
    /// `groups` is empty; [`Error::TooFewSamples`] if `n_splits` exceeds the number of samples
    /// or the number of distinct groups.
    pub fn split<G: Ord>(&self, groups: ArrayView1<'_, G>) -> Result<Vec<Fold>> {
        self.split_plan(groups).map(FoldPlan::into_folds)
    }

    /// The split as a [`FoldPlan`]: one fold number per sample.
    fn split_plan<G: Ord>(&self, groups: ArrayView1<'_, G>) -> Result<FoldPlan> {
        self.validate()?;
        let n_samples = groups.len();
        check_not_empty(n_samples, "groups")?;
        check_n_splits_le_n_samples(Self::NAME, self.n_splits, n_samples)?;
        let (codes, sizes) = encode_sorted(groups);
        let n_groups = sizes.len();
        if n_groups < self.n_splits {
            return Err(Error::TooFewSamples {
                estimator: Self::NAME.to_owned(),
                needed: format!("at least n_splits={} distinct groups", self.n_splits),
                got: format!("{n_groups} groups"),
                n_samples,
            });
        }

        let mut fold_of_group = vec![0; n_groups];
        if self.shuffle {
            let mut order: Vec<usize> = (0..n_groups).collect();
            shuffle(&mut order, &mut rng_from_seed(self.seed));
            let mut start = 0;
            for (fold, size) in chunk_sizes(n_groups, self.n_splits).enumerate() {
                for &group in &order[start..start + size] {
                    fold_of_group[group] = fold;
                }
                start += size;
            }
        } else {
            // Largest first; among equal sizes the higher label first (a stable ascending
            // sort reversed, as scikit-learn does).
            let mut order: Vec<usize> = (0..n_groups).collect();
            order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(b.cmp(&a)));
            let mut load = vec![0usize; self.n_splits];
            for group in order {
                let lightest = lightest_fold(&load);
                load[lightest] += sizes[group];
                fold_of_group[group] = lightest;
            }
        }
        let fold_of: Vec<usize> = codes.iter().map(|&g| fold_of_group[g]).collect();
        Ok(FoldPlan::partition(fold_of, self.n_splits))
    }
}

/// The index of the smallest load, the first one on a tie.
fn lightest_fold(load: &[usize]) -> usize {
    let mut best = 0;
    for (fold, &l) in load.iter().enumerate() {
        if l < load[best] {
            best = fold;
        }
    }
    best
}

impl Params for GroupKFold {
    const NAME: &'static str = "GroupKFold";

    fn validate(&self) -> Result<()> {
        check_n_splits_param(Self::NAME, self.n_splits)
    }
}

impl Splitter for GroupKFold {
    fn n_splits(&self) -> usize {
        self.n_splits
    }

    fn folds(
        &self,
        n_samples: usize,
        y: Option<ArrayView1<'_, usize>>,
        groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<Vec<Fold>> {
        self.plan(n_samples, y, groups).map(FoldPlan::into_folds)
    }

    fn plan(
        &self,
        n_samples: usize,
        y: Option<ArrayView1<'_, usize>>,
        groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<FoldPlan> {
        check_split_inputs(n_samples, y, groups)?;
        let groups =
            groups.ok_or_else(|| required(Self::NAME, "groups", "keep groups together"))?;
        self.split_plan(groups)
    }
}
