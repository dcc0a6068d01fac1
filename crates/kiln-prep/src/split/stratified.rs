//! `StratifiedKFold`: k-fold that keeps each class's share in every fold.

use std::collections::BTreeMap;

use kiln_core::random::{rng_from_seed, shuffle};
use kiln_core::{Error, Params, Result};
use ndarray::ArrayView1;

use super::kfold::check_n_splits_param;
use super::{
    Fold, FoldPlan, Splitter, check_n_splits_le_n_samples, check_not_empty, check_split_inputs,
    required,
};

/// Stratified k-fold cross-validation: folds whose class proportions follow those of `y`.
///
/// The number of samples of each class in each test fold is scikit-learn's: sort the labels
/// by class (classes in their order of first appearance in `y`) and deal them round-robin to
/// the folds, so every fold gets `count / n_splits` or one more of each class and the fold
/// sizes differ by at most one. Within a class, the samples (in their order in `y`) fill fold
/// 0 first, then fold 1, and so on, which keeps the data order as far as stratification
/// allows; with `shuffle`, the fold of each sample within its class is permuted instead.
/// Without shuffling the folds equal scikit-learn's `StratifiedKFold` index for index.
///
/// A class with fewer members than `n_splits` is allowed (scikit-learn warns): it is simply
/// missing from the test sets of some folds. Only when *every* class has fewer members than
/// `n_splits` is it an error, as in scikit-learn.
///
/// # Parameters
/// - `n_splits`: number of folds, at least 2. Default 5.
/// - `shuffle`: whether to shuffle each class's samples across the folds. Default `false`.
/// - `seed`: seed of that shuffle; unused without `shuffle`. Default
///   [`kiln_core::random::DEFAULT_SEED`].
///
/// # Example
/// ```
/// use kiln_prep::split::StratifiedKFold;
/// use ndarray::array;
///
/// let y = array!["spam", "ham", "ham", "spam", "ham", "ham"];
/// let folds = StratifiedKFold::default().with_n_splits(2).split(y.view())?;
/// assert_eq!(folds[0].test, vec![0, 1, 2]);
/// assert_eq!(folds[1].test, vec![3, 4, 5]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StratifiedKFold {
    /// Number of folds, at least 2. Default 5.
    pub n_splits: usize,
    /// Whether to shuffle each class's samples across the folds. Default `false`.
    pub shuffle: bool,
    /// Seed of the shuffle; unused without [`Self::shuffle`]. Default
    /// [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for StratifiedKFold {
    /// Five unshuffled folds, scikit-learn's default.
    fn default() -> Self {
        Self {
            n_splits: 5,
            shuffle: false,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl StratifiedKFold {
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

    /// Splits the samples labelled `y` (class labels of any ordered type) into stratified
    /// folds.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the params are invalid; [`Error::EmptyInput`] if `y` is
    /// empty; [`Error::TooFewSamples`] if `n_splits` exceeds the number of samples or the
    /// size of every class.
    pub fn split<L: Ord>(&self, y: ArrayView1<'_, L>) -> Result<Vec<Fold>> {
        self.split_plan(y).map(FoldPlan::into_folds)
    }

    /// The split as a [`FoldPlan`]: one fold number per sample.
    fn split_plan<L: Ord>(&self, y: ArrayView1<'_, L>) -> Result<FoldPlan> {
        self.validate()?;
        let n_samples = y.len();
        check_not_empty(n_samples, "y")?;
        check_n_splits_le_n_samples(Self::NAME, self.n_splits, n_samples)?;
        let (codes, counts) = encode_by_appearance(y);
        let largest = counts.iter().copied().max().unwrap_or(0);
        if largest < self.n_splits {
            return Err(Error::TooFewSamples {
                estimator: Self::NAME.to_owned(),
                needed: format!("at least one class with n_splits={} members", self.n_splits),
                got: format!("the largest class has {largest}"),
                n_samples,
            });
        }

        // Class `c` occupies positions start..start + count of the labels sorted by class;
        // dealing those positions round-robin gives fold `f` the positions congruent to `f`.
        let k = self.n_splits;
        let dealt_below = |end: usize, fold: usize| (end + k - 1 - fold) / k;
        let mut rng = rng_from_seed(self.seed);
        let mut folds_of_class: Vec<Vec<usize>> = Vec::with_capacity(counts.len());
        let mut start = 0;
        for &count in &counts {
            let end = start + count;
            let mut folds = Vec::with_capacity(count);
            for fold in 0..k {
                let n = dealt_below(end, fold) - dealt_below(start, fold);
                folds.extend(std::iter::repeat_n(fold, n));
            }
            if self.shuffle {
                shuffle(&mut folds, &mut rng);
            }
            folds_of_class.push(folds);
            start = end;
        }

        let mut next = vec![0; counts.len()];
        let fold_of: Vec<usize> = codes
            .iter()
            .map(|&c| {
                let fold = folds_of_class[c][next[c]];
                next[c] += 1;
                fold
            })
            .collect();
        Ok(FoldPlan::partition(fold_of, k))
    }
}

/// Encodes labels by their order of first appearance (the first label seen is 0): the codes
/// and the count of each code.
fn encode_by_appearance<L: Ord>(labels: ArrayView1<'_, L>) -> (Vec<usize>, Vec<usize>) {
    let mut code_of: BTreeMap<&L, usize> = BTreeMap::new();
    let mut counts: Vec<usize> = Vec::new();
    let codes = labels
        .iter()
        .map(|label| {
            let code = *code_of.entry(label).or_insert_with(|| {
                counts.push(0);
                counts.len() - 1
            });
            counts[code] += 1;
            code
        })
        .collect();
    (codes, counts)
}

impl Params for StratifiedKFold {
    const NAME: &'static str = "StratifiedKFold";

    fn validate(&self) -> Result<()> {
        check_n_splits_param(Self::NAME, self.n_splits)
    }
}

impl Splitter for StratifiedKFold {
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
        let y = y.ok_or_else(|| required(Self::NAME, "y", "stratify the folds"))?;
        self.split_plan(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn classes_are_coded_by_first_appearance() {
        let y = array![3, 1, 3, 0];
        assert_eq!(
            encode_by_appearance(y.view()),
            (vec![0, 1, 0, 2], vec![2, 1, 1])
        );
    }
}
