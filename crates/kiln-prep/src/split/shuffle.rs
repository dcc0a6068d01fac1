//! `ShuffleSplit` and `StratifiedShuffleSplit`: independent random holdouts, and the size
//! rules and stratified sampling that [`TrainTestSplit`](super::TrainTestSplit) shares.

use kiln_core::check::check_param;
use kiln_core::random::{KilnRng, rng_from_seed, shuffle};
use kiln_core::{Error, Params, Result};
use ndarray::ArrayView1;

use super::{Fold, Size, Splitter, check_not_empty, check_split_inputs, encode_sorted, required};

/// Random permutation cross-validation: `n_splits` independent random train/test splits.
///
/// Each split permutes the samples anew and takes the first `n_test` as the test set and the
/// next `n_train` as the training set, as scikit-learn's `ShuffleSplit`. Unlike k-fold, test
/// sets of different splits may overlap, and with both sizes set some samples may be in
/// neither set. The indices come in the random order of the permutation (as in
/// scikit-learn); sort them if you need them ascending.
///
/// Sizes: a test fraction is rounded up and a train fraction down; a `None` size is the
/// complement of the other; with both `None` the test set is 10% of the samples.
///
/// # Parameters
/// - `n_splits`: number of splits, at least 1. Default 10.
/// - `test_size`: size of each test set. Default `None` (10% if `train_size` is `None` too,
///   else the complement of `train_size`).
/// - `train_size`: size of each training set. Default `None` (the complement of the test set).
/// - `seed`: seed of the permutations. Default [`kiln_core::random::DEFAULT_SEED`].
///
/// # Example
/// ```
/// use kiln_prep::split::ShuffleSplit;
/// let folds = ShuffleSplit::default().with_n_splits(3).with_test_size(0.25).split(10)?;
/// assert_eq!(folds.len(), 3);
/// assert!(folds.iter().all(|f| f.train.len() == 7 && f.test.len() == 3));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ShuffleSplit {
    /// Number of splits, at least 1. Default 10.
    pub n_splits: usize,
    /// Size of each test set; `None` for the complement of [`Self::train_size`], or 10% when
    /// both are `None`. Default `None`.
    pub test_size: Option<Size>,
    /// Size of each training set; `None` for the complement of the test set. Default `None`.
    pub train_size: Option<Size>,
    /// Seed of the permutations. Default [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for ShuffleSplit {
    /// Ten splits with 10% of the samples in each test set, scikit-learn's defaults.
    fn default() -> Self {
        Self {
            n_splits: 10,
            test_size: None,
            train_size: None,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl ShuffleSplit {
    /// Sets [`Self::n_splits`].
    pub fn with_n_splits(mut self, n_splits: usize) -> Self {
        self.n_splits = n_splits;
        self
    }
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
    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Draws [`Self::n_splits`] random splits of `n_samples` samples.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the params are invalid or a size does not fit
    /// `n_samples` (a count not below `n_samples`, or train and test counts adding up to more
    /// than `n_samples`); [`Error::EmptyInput`] if `n_samples` is 0;
    /// [`Error::TooFewSamples`] if the training set would be empty.
    pub fn split(&self, n_samples: usize) -> Result<Vec<Fold>> {
        self.validate()?;
        let sizes = resolve_sizes(
            Self::NAME,
            n_samples,
            self.test_size,
            self.train_size,
            DEFAULT_SHUFFLE_TEST_FRACTION,
        )?;
        let mut rng = rng_from_seed(self.seed);
        let mut folds = reserve_folds(Self::NAME, self.n_splits, n_samples)?;
        folds.extend((0..self.n_splits).map(|_| random_holdout(n_samples, sizes, &mut rng)));
        Ok(folds)
    }
}

impl Params for ShuffleSplit {
    const NAME: &'static str = "ShuffleSplit";

    fn validate(&self) -> Result<()> {
        check_n_splits_min_1(Self::NAME, self.n_splits)?;
        validate_sizes(Self::NAME, self.test_size, self.train_size)
    }
}

impl Splitter for ShuffleSplit {
    fn n_splits(&self) -> usize {
        self.n_splits
    }

    fn folds(
        &self,
        n_samples: usize,
        y: Option<ArrayView1<'_, usize>>,
        groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<Vec<Fold>> {
        check_split_inputs(n_samples, y, groups)?;
        self.split(n_samples)
    }
}

/// Stratified random holdouts: `n_splits` independent random splits that keep each class's
/// share of the samples in both the training and the test set.
///
/// The number of training samples of each class is its proportional share of `n_train`
/// rounded down, with the samples still missing given to the classes with the largest
/// remainders (ties broken at random); the test counts are then shared out the same way over
/// the samples left. Each class's training count is therefore within one of its exact
/// proportional share, and so is its test count when the two sets take every sample (the
/// default); when both sizes are set and leave samples out, a test count can be up to (not
/// including) two away. This is scikit-learn's `StratifiedShuffleSplit` rule; the random
/// choices differ, since kiln uses its own generator. Indices come in random order.
///
/// Sizes follow [`ShuffleSplit`] (10% test by default). Every class needs at least 2
/// members, and the training and test sets at least one sample per class.
///
/// # Parameters
/// - `n_splits`: number of splits, at least 1. Default 10.
/// - `test_size`: size of each test set. Default `None` (10% if `train_size` is `None` too,
///   else the complement of `train_size`).
/// - `train_size`: size of each training set. Default `None` (the complement of the test set).
/// - `seed`: seed of the random choices. Default [`kiln_core::random::DEFAULT_SEED`].
///
/// # Example
/// ```
/// use kiln_prep::split::StratifiedShuffleSplit;
/// use ndarray::array;
///
/// let y = array![0usize, 0, 0, 0, 0, 0, 1, 1, 1, 1];
/// let folds = StratifiedShuffleSplit::default().with_test_size(0.5).split(y.view())?;
/// for fold in &folds {
///     let test_ones = fold.test.iter().filter(|&&i| y[i] == 1).count();
///     assert_eq!((fold.test.len(), test_ones), (5, 2));
/// }
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StratifiedShuffleSplit {
    /// Number of splits, at least 1. Default 10.
    pub n_splits: usize,
    /// Size of each test set; `None` for the complement of [`Self::train_size`], or 10% when
    /// both are `None`. Default `None`.
    pub test_size: Option<Size>,
    /// Size of each training set; `None` for the complement of the test set. Default `None`.
    pub train_size: Option<Size>,
    /// Seed of the random choices. Default [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for StratifiedShuffleSplit {
    /// Ten splits with 10% of the samples in each test set, scikit-learn's defaults.
    fn default() -> Self {
        Self {
            n_splits: 10,
            test_size: None,
            train_size: None,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl StratifiedShuffleSplit {
    /// Sets [`Self::n_splits`].
    pub fn with_n_splits(mut self, n_splits: usize) -> Self {
        self.n_splits = n_splits;
        self
    }
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
    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Draws [`Self::n_splits`] stratified random splits of the samples labelled `y` (class
    /// labels of any ordered type).
    ///
    /// # Errors
    /// As [`ShuffleSplit::split`], with `n_samples = y.len()`; also
    /// [`Error::TooFewSamples`] if a class has a single member, and
    /// [`Error::InvalidParameter`] if the training or test set is smaller than the number of
    /// classes.
    pub fn split<L: Ord>(&self, y: ArrayView1<'_, L>) -> Result<Vec<Fold>> {
        self.validate()?;
        let sizes = resolve_sizes(
            Self::NAME,
            y.len(),
            self.test_size,
            self.train_size,
            DEFAULT_SHUFFLE_TEST_FRACTION,
        )?;
        let strata = Strata::new(Self::NAME, y, sizes)?;
        let mut rng = rng_from_seed(self.seed);
        let mut folds = reserve_folds(Self::NAME, self.n_splits, y.len())?;
        folds.extend((0..self.n_splits).map(|_| strata.holdout(sizes, &mut rng)));
        Ok(folds)
    }
}

impl Params for StratifiedShuffleSplit {
    const NAME: &'static str = "StratifiedShuffleSplit";

    fn validate(&self) -> Result<()> {
        check_n_splits_min_1(Self::NAME, self.n_splits)?;
        validate_sizes(Self::NAME, self.test_size, self.train_size)
    }
}

impl Splitter for StratifiedShuffleSplit {
    fn n_splits(&self) -> usize {
        self.n_splits
    }

    fn folds(
        &self,
        n_samples: usize,
        y: Option<ArrayView1<'_, usize>>,
        groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<Vec<Fold>> {
        check_split_inputs(n_samples, y, groups)?;
        let y = y.ok_or_else(|| required(Self::NAME, "y", "stratify the splits"))?;
        self.split(y)
    }
}

/// The test fraction of the shuffle splitters when neither size is given.
const DEFAULT_SHUFFLE_TEST_FRACTION: f64 = 0.1;

/// The resolved number of training and test samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sizes {
    pub(super) n_train: usize,
    pub(super) n_test: usize,
}

fn check_n_splits_min_1(estimator: &str, n_splits: usize) -> Result<()> {
    check_param(
        estimator,
        "n_splits",
        n_splits,
        n_splits >= 1,
        "an int in the range [1, inf)",
    )
}

/// The checks of `test_size` and `train_size` that need no data: fractions in (0, 1), counts
/// at least 1, and two fractions adding up to at most 1.
pub(super) fn validate_sizes(
    estimator: &str,
    test_size: Option<Size>,
    train_size: Option<Size>,
) -> Result<()> {
    for (name, size) in [("test_size", test_size), ("train_size", train_size)] {
        match size {
            Some(Size::Fraction(f)) => check_param(
                estimator,
                name,
                f,
                f > 0.0 && f < 1.0,
                "a fraction in the range (0, 1) or a count >= 1",
            )?,
            Some(Size::Count(c)) => check_param(
                estimator,
                name,
                c,
                c >= 1,
                "a fraction in the range (0, 1) or a count >= 1",
            )?,
            None => {}
        }
    }
    if let (Some(Size::Fraction(test)), Some(Size::Fraction(train))) = (test_size, train_size) {
        let sum = train + test;
        check_param(
            estimator,
            "train_size",
            format!("{train} (train_size + test_size = {sum})"),
            sum <= 1.0,
            "a fraction with train_size + test_size <= 1",
        )?;
    }
    Ok(())
}

/// Turns `test_size` and `train_size` into sample counts for `n_samples` samples, by
/// scikit-learn's rules: a test fraction rounds up, a train fraction down, a missing size is
/// the complement of the other, and `default_test` is the test fraction when both are missing.
pub(super) fn resolve_sizes(
    estimator: &str,
    n_samples: usize,
    test_size: Option<Size>,
    train_size: Option<Size>,
    default_test: f64,
) -> Result<Sizes> {
    validate_sizes(estimator, test_size, train_size)?;
    check_not_empty(n_samples, "X")?;
    let test_size = match (test_size, train_size) {
        (None, None) => Some(Size::Fraction(default_test)),
        (test, _) => test,
    };
    for (name, size) in [("test_size", test_size), ("train_size", train_size)] {
        if let Some(Size::Count(c)) = size {
            check_param(
                estimator,
                name,
                c,
                c < n_samples,
                &format!("a count below n_samples={n_samples} or a fraction in the range (0, 1)"),
            )?;
        }
    }
    // The same float product as scikit-learn's, so sizes agree where it lands just off an
    // integer (0.07 * 100 = 7.000000000000001 gives 8 test samples in both).
    let count = |size: Size, round: fn(f64) -> f64| match size {
        Size::Fraction(f) => round(f * n_samples as f64) as usize,
        Size::Count(c) => c,
    };
    let n_test = test_size.map(|s| count(s, f64::ceil));
    let n_train = train_size.map(|s| count(s, f64::floor));
    let (n_train, n_test) = match (n_train, n_test) {
        (Some(train), Some(test)) => (train, test),
        (Some(train), None) => (train, n_samples.saturating_sub(train)),
        (None, Some(test)) => (n_samples.saturating_sub(test), test),
        (None, None) => (n_samples, 0),
    };
    if n_train + n_test > n_samples {
        return Err(Error::invalid_param(
            estimator,
            "train_size",
            format!(
                "together with test_size must give at most n_samples={n_samples} samples; \
                 got {n_train} train + {n_test} test"
            ),
        ));
    }
    if n_train == 0 {
        let show = |s: Option<Size>| s.map_or("None".to_owned(), |s| s.to_string());
        return Err(Error::TooFewSamples {
            estimator: estimator.to_owned(),
            needed: "a non-empty training set".into(),
            got: format!(
                "0 training samples from test_size={} and train_size={}",
                show(test_size),
                show(train_size)
            ),
            n_samples,
        });
    }
    Ok(Sizes { n_train, n_test })
}

/// One random holdout: the first `n_test` samples of a permutation are the test set, the next
/// `n_train` the training set.
pub(super) fn random_holdout(n_samples: usize, sizes: Sizes, rng: &mut KilnRng) -> Fold {
    let mut order: Vec<usize> = (0..n_samples).collect();
    shuffle(&mut order, rng);
    let test = order[..sizes.n_test].to_vec();
    let train = order[sizes.n_test..sizes.n_test + sizes.n_train].to_vec();
    Fold { train, test }
}

/// The samples of each class, ready to draw stratified holdouts from.
#[derive(Debug)]
pub(super) struct Strata {
    /// The sample indices of each class (classes in sorted order), ascending.
    members: Vec<Vec<usize>>,
}

impl Strata {
    /// Groups the samples by class and checks that a stratified split of `sizes` exists:
    /// every class has at least 2 members, and both sets can hold one sample of each class.
    pub(super) fn new<L: Ord>(estimator: &str, y: ArrayView1<'_, L>, sizes: Sizes) -> Result<Self> {
        let (codes, counts) = encode_sorted(y);
        if let Some(class) = counts.iter().position(|&c| c < 2) {
            let sample = codes.iter().position(|&c| c == class).unwrap_or_default();
            return Err(Error::TooFewSamples {
                estimator: estimator.to_owned(),
                needed: "at least 2 members in every class of y to stratify".into(),
                got: format!("the class of sample {sample} has only 1 member"),
                n_samples: y.len(),
            });
        }
        let n_classes = counts.len();
        for (name, n) in [("train_size", sizes.n_train), ("test_size", sizes.n_test)] {
            check_param(
                estimator,
                name,
                format!("{n} samples"),
                n >= n_classes,
                &format!("at least the number of classes ({n_classes} samples) to stratify"),
            )?;
        }
        let mut members: Vec<Vec<usize>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
        for (sample, &code) in codes.iter().enumerate() {
            members[code].push(sample);
        }
        Ok(Self { members })
    }

    /// One stratified holdout of `sizes`, indices in random order.
    pub(super) fn holdout(&self, sizes: Sizes, rng: &mut KilnRng) -> Fold {
        let counts: Vec<usize> = self.members.iter().map(Vec::len).collect();
        let train_counts = approximate_mode(&counts, sizes.n_train, rng);
        let left: Vec<usize> = counts
            .iter()
            .zip(&train_counts)
            .map(|(&c, &t)| c - t)
            .collect();
        let test_counts = approximate_mode(&left, sizes.n_test, rng);
        let mut train = Vec::with_capacity(sizes.n_train);
        let mut test = Vec::with_capacity(sizes.n_test);
        for ((members, &n_train), &n_test) in
            self.members.iter().zip(&train_counts).zip(&test_counts)
        {
            let mut members = members.clone();
            shuffle(&mut members, rng);
            train.extend_from_slice(&members[..n_train]);
            test.extend_from_slice(&members[n_train..n_train + n_test]);
        }
        shuffle(&mut train, rng);
        shuffle(&mut test, rng);
        Fold { train, test }
    }
}

/// How many of `n_draws` samples each class gets when drawn in proportion to `counts`: its
/// share rounded down, plus one for the classes with the largest remainders until the total
/// is `n_draws` (ties broken at random). Each count is within one of the exact share and at
/// most the class's count, as long as `n_draws <= counts.sum()`.
///
/// The remainders are compared exactly, in integers.
fn approximate_mode(counts: &[usize], n_draws: usize, rng: &mut KilnRng) -> Vec<usize> {
    let total: u128 = counts.iter().map(|&c| c as u128).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let draws = n_draws as u128;
    let mut drawn: Vec<usize> = counts
        .iter()
        .map(|&c| (c as u128 * draws / total) as usize)
        .collect();
    let remainder: Vec<u128> = counts.iter().map(|&c| c as u128 * draws % total).collect();
    let mut missing = n_draws.saturating_sub(drawn.iter().sum());
    let mut levels: Vec<u128> = remainder.clone();
    levels.sort_unstable_by(|a, b| b.cmp(a));
    levels.dedup();
    for level in levels {
        if missing == 0 {
            break;
        }
        let mut tied: Vec<usize> = (0..counts.len())
            .filter(|&i| remainder[i] == level)
            .collect();
        if tied.len() > missing {
            shuffle(&mut tied, rng);
            tied.truncate(missing);
        }
        for &i in &tied {
            drawn[i] += 1;
        }
        missing -= tied.len();
    }
    drawn
}

/// Room for `n_splits` folds of `n_samples` indices each, or an error when they cannot be
/// held in memory (an allocation failure would abort the process, not return an error).
fn reserve_folds(estimator: &str, n_splits: usize, n_samples: usize) -> Result<Vec<Fold>> {
    let too_many = || {
        Error::invalid_param(
            estimator,
            "n_splits",
            format!(
                "is too large: {n_splits} splits of {n_samples} sample indices each do not fit \
                 in memory"
            ),
        )
    };
    let bytes = n_splits
        .checked_mul(n_samples)
        .and_then(|n| n.checked_mul(std::mem::size_of::<usize>()))
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or_else(too_many)?;
    let mut folds = Vec::new();
    folds.try_reserve_exact(n_splits).map_err(|_| too_many())?;
    // Probe the indices' memory as well: a failed reservation is an error, not an abort.
    let mut probe: Vec<usize> = Vec::new();
    probe
        .try_reserve_exact(bytes / std::mem::size_of::<usize>())
        .map_err(|_| too_many())?;
    Ok(folds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximate_mode_matches_sklearn_docstring_cases() {
        let mut rng = rng_from_seed(0);
        assert_eq!(approximate_mode(&[4, 2], 3, &mut rng), vec![2, 1]);
        assert_eq!(approximate_mode(&[5, 2], 4, &mut rng), vec![3, 1]);
        // Three classes tie for the two extra draws; the fourth never gets one.
        for seed in 0..20 {
            let drawn = approximate_mode(&[2, 2, 2, 1], 2, &mut rng_from_seed(seed));
            assert_eq!(drawn.iter().sum::<usize>(), 2);
            assert_eq!(drawn[3], 0);
            assert!(drawn.iter().all(|&d| d <= 1));
        }
    }
}
