//! `TimeSeriesSplit`: train on the past, test on what follows.

use kiln_core::check::check_param;
use kiln_core::{Error, Params, Result};
use ndarray::ArrayView1;

use super::kfold::check_n_splits_param;
use super::{Fold, Splitter, check_not_empty, check_split_inputs};

/// Cross-validation for time-ordered samples: every test set comes after its training set.
///
/// The last `n_splits * test_size` samples are cut into `n_splits` consecutive test sets of
/// `test_size` samples. Split `i` tests on the `i`-th of them and trains on everything before
/// it, minus the `gap` samples just before the test set (to keep, e.g., a label horizon out
/// of training) and, with `max_train_size`, only on the most recent `max_train_size` of those.
/// Samples must be in time order and equally spaced for the folds to be comparable. The folds
/// are scikit-learn's `TimeSeriesSplit`, index for index. Unlike the other splitters, the
/// test sets do not cover every sample: the first samples are only ever trained on.
///
/// # Parameters
/// - `n_splits`: number of splits, at least 2. Default 5.
/// - `max_train_size`: keep at most this many of the latest training samples; `None` (the
///   default) trains on all of them. At least 1.
/// - `test_size`: samples per test set; `None` (the default) means
///   `n_samples / (n_splits + 1)`. At least 1.
/// - `gap`: samples left out between the end of each training set and its test set.
///   Default 0.
///
/// # Example
/// ```
/// use kiln_prep::split::TimeSeriesSplit;
/// let folds = TimeSeriesSplit::default().with_n_splits(3).with_gap(1).split(8)?;
/// assert_eq!(folds[0].train, vec![0]);
/// assert_eq!(folds[0].test, vec![2, 3]);
/// assert_eq!(folds[2].train, vec![0, 1, 2, 3, 4]);
/// assert_eq!(folds[2].test, vec![6, 7]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeSeriesSplit {
    /// Number of splits, at least 2. Default 5.
    pub n_splits: usize,
    /// At most this many (the latest) training samples per split; `None` for all. At least 1.
    /// Default `None`.
    pub max_train_size: Option<usize>,
    /// Samples per test set; `None` for `n_samples / (n_splits + 1)`. At least 1. Default
    /// `None`.
    pub test_size: Option<usize>,
    /// Samples left out between each training set and its test set. Default 0.
    pub gap: usize,
}

impl Default for TimeSeriesSplit {
    /// Five splits, unbounded training sets, default test size, no gap: scikit-learn's
    /// defaults.
    fn default() -> Self {
        Self {
            n_splits: 5,
            max_train_size: None,
            test_size: None,
            gap: 0,
        }
    }
}

impl TimeSeriesSplit {
    /// Sets [`Self::n_splits`].
    pub fn with_n_splits(mut self, n_splits: usize) -> Self {
        self.n_splits = n_splits;
        self
    }
    /// Sets [`Self::max_train_size`] to `Some(max_train_size)`.
    pub fn with_max_train_size(mut self, max_train_size: usize) -> Self {
        self.max_train_size = Some(max_train_size);
        self
    }
    /// Sets [`Self::test_size`] to `Some(test_size)`.
    pub fn with_test_size(mut self, test_size: usize) -> Self {
        self.test_size = Some(test_size);
        self
    }
    /// Sets [`Self::gap`].
    pub fn with_gap(mut self, gap: usize) -> Self {
        self.gap = gap;
        self
    }

    /// Splits `n_samples` time-ordered samples.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the params are invalid; [`Error::EmptyInput`] if
    /// `n_samples` is 0; [`Error::TooFewSamples`] if `n_splits + 1 > n_samples`, or if the
    /// test sets and the gap leave no training sample for the first split
    /// (`n_samples - gap - n_splits * test_size <= 0`).
    pub fn split(&self, n_samples: usize) -> Result<Vec<Fold>> {
        self.validate()?;
        check_not_empty(n_samples, "X")?;
        let n_splits = self.n_splits;
        let n_folds = n_splits.saturating_add(1);
        if n_folds > n_samples {
            return Err(Error::TooFewSamples {
                estimator: Self::NAME.to_owned(),
                needed: format!("n_samples >= n_splits + 1 = {n_folds}"),
                got: format!("n_samples={n_samples}"),
                n_samples,
            });
        }
        let test_size = self.test_size.unwrap_or(n_samples / n_folds);
        let first_test = n_splits
            .checked_mul(test_size)
            .and_then(|tested| n_samples.checked_sub(tested))
            .filter(|&start| start > self.gap);
        let Some(first_test) = first_test else {
            return Err(Error::TooFewSamples {
                estimator: Self::NAME.to_owned(),
                needed: format!(
                    "n_samples > gap + n_splits * test_size = {} + {n_splits} * {test_size}",
                    self.gap
                ),
                got: format!("n_samples={n_samples}"),
                n_samples,
            });
        };
        let folds = (0..n_splits)
            .map(|i| {
                let test_start = first_test + i * test_size;
                let train_end = test_start - self.gap;
                let train_start = match self.max_train_size {
                    Some(max) if max < train_end => train_end - max,
                    _ => 0,
                };
                Fold {
                    train: (train_start..train_end).collect(),
                    test: (test_start..test_start + test_size).collect(),
                }
            })
            .collect();
        Ok(folds)
    }
}

impl Params for TimeSeriesSplit {
    const NAME: &'static str = "TimeSeriesSplit";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        check_n_splits_param(name, self.n_splits)?;
        if let Some(max) = self.max_train_size {
            check_param(name, "max_train_size", max, max >= 1, "None or an int >= 1")?;
        }
        if let Some(size) = self.test_size {
            check_param(name, "test_size", size, size >= 1, "None or an int >= 1")?;
        }
        Ok(())
    }
}

impl Splitter for TimeSeriesSplit {
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
