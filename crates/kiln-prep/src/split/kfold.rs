//! `KFold`: consecutive (optionally shuffled) folds.

use kiln_core::check::check_param;
use kiln_core::random::{rng_from_seed, shuffle};
use kiln_core::{Params, Result};
use ndarray::ArrayView1;

use super::{
    Fold, FoldPlan, Splitter, check_n_splits_le_n_samples, check_not_empty, check_split_inputs,
    chunk_sizes,
};

/// K-fold cross-validation: `n_splits` consecutive folds, each the test set once while the
/// others train.
///
/// The first `n_samples % n_splits` folds hold `n_samples / n_splits + 1` samples, the
/// others `n_samples / n_splits`. Without shuffling, fold 0 is the first block of samples,
/// fold 1 the next, and so on, exactly as scikit-learn's `KFold`. With `shuffle`, the fold
/// labels (as many of each as that fold's size) are shuffled over the samples by a generator
/// seeded with `seed`: every assignment with those sizes is equally likely, as with
/// scikit-learn's permute-then-cut. Train and test indices are ascending either way.
///
/// # Parameters
/// - `n_splits`: number of folds, at least 2. Default 5.
/// - `shuffle`: whether to permute the samples before cutting them into folds. Default `false`.
/// - `seed`: seed of the permutation; unused without `shuffle`. Default
///   [`kiln_core::random::DEFAULT_SEED`].
///
/// # Example
/// ```
/// use kiln_prep::split::KFold;
/// let folds = KFold::default().with_n_splits(3).split(7)?;
/// let tests: Vec<_> = folds.iter().map(|f| f.test.clone()).collect();
/// assert_eq!(tests, vec![vec![0, 1, 2], vec![3, 4], vec![5, 6]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KFold {
    /// Number of folds, at least 2. Default 5.
    pub n_splits: usize,
    /// Whether to permute the samples before cutting them into folds. Default `false`.
    pub shuffle: bool,
    /// Seed of the permutation; unused without [`Self::shuffle`]. Default
    /// [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for KFold {
    /// Five unshuffled folds, scikit-learn's default.
    fn default() -> Self {
        Self {
            n_splits: 5,
            shuffle: false,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl KFold {
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

    /// Splits `n_samples` samples into [`Self::n_splits`] folds.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] if the params are invalid;
    /// [`kiln_core::Error::EmptyInput`] if `n_samples` is 0;
    /// [`kiln_core::Error::TooFewSamples`] if `n_splits > n_samples`.
    pub fn split(&self, n_samples: usize) -> Result<Vec<Fold>> {
        self.split_plan(n_samples).map(FoldPlan::into_folds)
    }

    /// The split as a [`FoldPlan`]: one fold number per sample.
    fn split_plan(&self, n_samples: usize) -> Result<FoldPlan> {
        self.validate()?;
        check_not_empty(n_samples, "X")?;
        check_n_splits_le_n_samples(Self::NAME, self.n_splits, n_samples)?;
        // Fold labels in blocks, shuffled in place when asked: one pass fewer than permuting
        // the sample indices and then writing each one's fold. One byte per label when the
        // fold numbers fit (always, short of 255 folds): an eighth of the memory to shuffle.
        let mut rng = rng_from_seed(self.seed);
        if self.n_splits < usize::from(u8::MAX) {
            let mut fold_of: Vec<u8> = Vec::with_capacity(n_samples);
            for (fold, size) in (0u8..).zip(chunk_sizes(n_samples, self.n_splits)) {
                fold_of.resize(fold_of.len() + size, fold);
            }
            if self.shuffle {
                shuffle(&mut fold_of, &mut rng);
            }
            return Ok(FoldPlan::partition_narrow(fold_of, self.n_splits));
        }
        let mut fold_of: Vec<usize> = Vec::with_capacity(n_samples);
        for (fold, size) in chunk_sizes(n_samples, self.n_splits).enumerate() {
            fold_of.resize(fold_of.len() + size, fold);
        }
        if self.shuffle {
            shuffle(&mut fold_of, &mut rng);
        }
        Ok(FoldPlan::partition(fold_of, self.n_splits))
    }
}

impl Params for KFold {
    const NAME: &'static str = "KFold";

    fn validate(&self) -> Result<()> {
        check_n_splits_param(Self::NAME, self.n_splits)
    }
}

impl Splitter for KFold {
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
        self.split_plan(n_samples)
    }
}

/// The `n_splits >= 2` check of every k-fold splitter.
pub(super) fn check_n_splits_param(estimator: &str, n_splits: usize) -> Result<()> {
    check_param(
        estimator,
        "n_splits",
        n_splits,
        n_splits >= 2,
        "an int in the range [2, inf)",
    )
}
