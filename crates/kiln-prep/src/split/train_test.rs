//! `TrainTestSplit`: one train/test holdout, scikit-learn's `train_test_split`.

use kiln_core::check::check_param;
use kiln_core::random::rng_from_seed;
use kiln_core::{Params, Result};
use ndarray::ArrayView1;

use super::Size;
use super::shuffle::{Strata, random_holdout, resolve_sizes, validate_sizes};

/// One random split of the samples into a training set and a test set.
///
/// [`split`](Self::split) returns `(train, test)` indices. With `shuffle` (the default), the
/// samples are permuted with a generator seeded by `seed` and the indices come in that random
/// order, as scikit-learn's; without it, the training set is the first `n_train` samples and
/// the test set the `n_test` after them, exactly as `train_test_split(shuffle=False)`.
/// [`split_stratified`](Self::split_stratified) keeps each class's share of the samples in
/// both sets (see [`StratifiedShuffleSplit`](super::StratifiedShuffleSplit) for the rule).
///
/// Sizes: a test fraction is rounded up (`ceil(test_size * n_samples)`), a train fraction
/// down; a `None` size is the complement of the other; with both `None` the test set is 25%
/// of the samples. These counts equal scikit-learn's.
///
/// # Parameters
/// - `test_size`: size of the test set. Default `None` (25% if `train_size` is `None` too,
///   else the complement of `train_size`).
/// - `train_size`: size of the training set. Default `None` (the complement of the test set).
/// - `shuffle`: whether to permute the samples first. Default `true`; must be `true` to
///   stratify.
/// - `seed`: seed of the permutation. Default [`kiln_core::random::DEFAULT_SEED`].
///
/// # Example
/// ```
/// use kiln_prep::split::TrainTestSplit;
/// use ndarray::array;
///
/// let (train, test) = TrainTestSplit::default().with_shuffle(false).split(5)?;
/// assert_eq!((train, test), (vec![0, 1, 2], vec![3, 4]));
///
/// // 8 of class 0 and 4 of class 1: a quarter of each goes to the test set.
/// let y = array![0usize, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
/// let (train, test) = TrainTestSplit::default().with_seed(7).split_stratified(y.view())?;
/// assert_eq!((train.len(), test.len()), (9, 3));
/// assert_eq!(test.iter().filter(|&&i| y[i] == 1).count(), 1);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainTestSplit {
    /// Size of the test set; `None` for the complement of [`Self::train_size`], or 25% when
    /// both are `None`. Default `None`.
    pub test_size: Option<Size>,
    /// Size of the training set; `None` for the complement of the test set. Default `None`.
    pub train_size: Option<Size>,
    /// Whether to permute the samples before splitting. Default `true`.
    pub shuffle: bool,
    /// Seed of the permutation; unused without [`Self::shuffle`]. Default
    /// [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for TrainTestSplit {
    /// A shuffled 75/25 split, scikit-learn's default.
    fn default() -> Self {
        Self {
            test_size: None,
            train_size: None,
            shuffle: true,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

/// The test fraction of [`TrainTestSplit`] when neither size is given.
const DEFAULT_TEST_FRACTION: f64 = 0.25;

impl TrainTestSplit {
    /// Sets [`Self::test_size`] from a fraction (`f64`) or a count (`usize`).
    pub fn with_test_size(mut self, test_size: impl Into<Size>) -> Self {
        self.test_size = Some(test_size.into());
        self
    }
    /// Sets [`Self::train_size`] from a fraction (`f64`) or a count (`usize`).
    pub fn with_train_size(mut self, train_size: impl Into<Size>) -> Self {
        self.train_size = Some(train_size.into());
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

    /// Splits `n_samples` samples into `(train, test)` indices.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] if the params are invalid or a size does not fit
    /// `n_samples` (a count not below `n_samples`, or train and test adding up to more than
    /// `n_samples`); [`kiln_core::Error::EmptyInput`] if `n_samples` is 0;
    /// [`kiln_core::Error::TooFewSamples`] if the training set would be empty.
    pub fn split(&self, n_samples: usize) -> Result<(Vec<usize>, Vec<usize>)> {
        self.validate()?;
        let sizes = self.sizes(n_samples)?;
        if !self.shuffle {
            let train = (0..sizes.n_train).collect();
            let test = (sizes.n_train..sizes.n_train + sizes.n_test).collect();
            return Ok((train, test));
        }
        let fold = random_holdout(n_samples, sizes, &mut rng_from_seed(self.seed));
        Ok((fold.train, fold.test))
    }

    /// Splits the samples labelled `y` (class labels of any ordered type) into `(train, test)`
    /// indices that keep each class's share: every class's count in each set is within one
    /// of its proportional share (a test count within two if both sizes are set and leave
    /// samples out; see [`StratifiedShuffleSplit`](super::StratifiedShuffleSplit)).
    ///
    /// # Errors
    /// As [`Self::split`] with `n_samples = y.len()`; also
    /// [`kiln_core::Error::InvalidParameter`] if `shuffle` is `false` (scikit-learn does not
    /// stratify unshuffled splits either) or if the training or test set is smaller than the
    /// number of classes, and [`kiln_core::Error::TooFewSamples`] if a class has a single
    /// member.
    pub fn split_stratified<L: Ord>(
        &self,
        y: ArrayView1<'_, L>,
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        self.validate()?;
        let sizes = self.sizes(y.len())?;
        check_param(
            Self::NAME,
            "shuffle",
            self.shuffle,
            self.shuffle,
            "true for a stratified split (stratifying an unshuffled split is not supported)",
        )?;
        let strata = Strata::new(Self::NAME, y, sizes)?;
        let fold = strata.holdout(sizes, &mut rng_from_seed(self.seed));
        Ok((fold.train, fold.test))
    }

    fn sizes(&self, n_samples: usize) -> Result<super::shuffle::Sizes> {
        resolve_sizes(
            Self::NAME,
            n_samples,
            self.test_size,
            self.train_size,
            DEFAULT_TEST_FRACTION,
        )
    }
}

impl Params for TrainTestSplit {
    const NAME: &'static str = "TrainTestSplit";

    fn validate(&self) -> Result<()> {
        validate_sizes(Self::NAME, self.test_size, self.train_size)
    }
}
