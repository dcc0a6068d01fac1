//! Train/test splits and cross-validation splitters.
//!
//! Every splitter returns **indices** into the samples, as scikit-learn's do, so the same split
//! can be applied to `X`, `y`, sample weights or a sensitive attribute alike. A split is a
//! [`Fold`]: the `train` and `test` indices.
//!
//! | splitter | splits by | as in scikit-learn |
//! |---|---|---|
//! | [`TrainTestSplit`] | one random (optionally stratified) holdout | `train_test_split` |
//! | [`KFold`] | `n_splits` consecutive (optionally shuffled) folds | `KFold` |
//! | [`StratifiedKFold`] | folds keeping each class's share | `StratifiedKFold` |
//! | [`GroupKFold`] | folds that never split a group | `GroupKFold` |
//! | [`TimeSeriesSplit`] | growing (or sliding) windows, test after train | `TimeSeriesSplit` |
//! | [`ShuffleSplit`] | independent random holdouts | `ShuffleSplit` |
//! | [`StratifiedShuffleSplit`] | independent stratified holdouts | `StratifiedShuffleSplit` |
//!
//! Each splitter is a params struct with public fields, a `Default` holding scikit-learn's
//! defaults, `with_*` setters and [`Params::validate`](kiln_core::Params::validate). Its
//! inherent `split` method takes what that splitter needs: a sample count, class labels `y` or
//! group labels `groups` (labels of any ordered type). All of them also implement
//! [`Splitter`], one object-safe signature taking the sample count and optional class indices
//! and groups, so cross-validation can accept any of them.
//!
//! # Example
//!
//! ```
//! use kiln_prep::split::{KFold, StratifiedKFold, TrainTestSplit};
//! use ndarray::array;
//!
//! // A 75/25 holdout of 8 samples, shuffled with the default seed.
//! let (train, test) = TrainTestSplit::default().split(8)?;
//! assert_eq!((train.len(), test.len()), (6, 2));
//!
//! // 5-fold cross-validation without shuffling: the first 10 % 5 = 0 folds get an extra sample.
//! let folds = KFold::default().split(10)?;
//! assert_eq!(folds[0].test, vec![0, 1]);
//! assert_eq!(folds[0].train, vec![2, 3, 4, 5, 6, 7, 8, 9]);
//!
//! // Stratified: each test fold holds one sample of each class.
//! let y = array![0usize, 0, 1, 1, 0, 1];
//! let folds = StratifiedKFold::default().with_n_splits(3).split(y.view())?;
//! assert_eq!(folds[0].test, vec![0, 2]);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Matching scikit-learn
//!
//! Where scikit-learn is deterministic (`KFold`, `StratifiedKFold` and `GroupKFold` without
//! shuffling, `TimeSeriesSplit`, `train_test_split(shuffle=False)`, and the train/test sizes
//! of every splitter), kiln returns the same indices in the same order; the tests check this
//! against fixtures generated with scikit-learn 1.9.1. With shuffling, kiln draws from its own
//! seeded ChaCha8 generator ([`kiln_core::random`]), so the indices differ from
//! scikit-learn's for any seed while following the same rules (sizes, stratification,
//! tie-breaking at random).
//!
//! Where scikit-learn only warns (e.g. a class with fewer members than `n_splits` in
//! [`StratifiedKFold`]), kiln splits without an error; the type's docs say what happens.

mod group;
mod kfold;
mod plan;
mod shuffle;
mod stratified;
mod time_series;
mod train_test;

use std::collections::BTreeMap;
use std::fmt;

use kiln_core::check::check_same_len;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;

pub use group::GroupKFold;
pub use kfold::KFold;
pub use plan::FoldPlan;
pub use shuffle::{ShuffleSplit, StratifiedShuffleSplit};
pub use stratified::StratifiedKFold;
pub use time_series::TimeSeriesSplit;
pub use train_test::TrainTestSplit;

/// One split: the indices of the training samples and of the test samples.
///
/// The two never overlap. Unless a splitter's docs say otherwise, both are in ascending order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fold {
    /// Indices of the samples to train on.
    pub train: Vec<usize>,
    /// Indices of the samples to evaluate on.
    pub test: Vec<usize>,
}

/// The size of a train or test set: a fraction of the samples or an absolute count.
///
/// `0.3.into()` gives a fraction and `30usize.into()` a count, so setters such as
/// [`TrainTestSplit::with_test_size`] take either.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    /// A fraction of the samples, in the open range (0, 1). A test fraction is rounded up
    /// (`ceil(fraction * n_samples)`), a train fraction down, as in scikit-learn.
    Fraction(f64),
    /// An absolute number of samples, at least 1 and below the number of samples.
    Count(usize),
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Size::Fraction(v) => write!(f, "{v}"),
            Size::Count(c) => write!(f, "{c}"),
        }
    }
}

impl From<f64> for Size {
    fn from(fraction: f64) -> Self {
        Size::Fraction(fraction)
    }
}

impl From<usize> for Size {
    fn from(count: usize) -> Self {
        Size::Count(count)
    }
}

/// A cross-validation splitter: anything that turns samples into a list of [`Fold`]s.
///
/// One object-safe signature for every splitter, so cross-validation can take
/// `&dyn Splitter`. Splitters use what they need and ignore the rest: [`StratifiedKFold`] and
/// [`StratifiedShuffleSplit`] require `y`, [`GroupKFold`] requires `groups`. Whatever is
/// given must have `n_samples` elements.
///
/// ```
/// use kiln_prep::split::{GroupKFold, KFold, Splitter, StratifiedKFold};
/// use ndarray::array;
///
/// let y = array![0usize, 1, 0, 1, 0, 1];
/// let groups = array![0usize, 0, 1, 1, 2, 2];
/// let splitters: Vec<Box<dyn Splitter>> = vec![
///     Box::new(KFold::default().with_n_splits(3)),
///     Box::new(StratifiedKFold::default().with_n_splits(3)),
///     Box::new(GroupKFold::default().with_n_splits(3)),
/// ];
/// for cv in &splitters {
///     let folds = cv.folds(6, Some(y.view()), Some(groups.view()))?;
///     assert_eq!(folds.len(), cv.n_splits());
/// }
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub trait Splitter {
    /// The number of folds [`Splitter::folds`] returns.
    fn n_splits(&self) -> usize;

    /// Splits `n_samples` samples, using the class indices `y` and the `groups` where the
    /// splitter needs them.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if `y` or `groups` is given with a length other than
    /// `n_samples`; [`Error::EmptyInput`] if the splitter needs `y` or `groups` and it is
    /// `None`; otherwise the errors of the splitter's own `split`.
    fn folds(
        &self,
        n_samples: usize,
        y: Option<ArrayView1<'_, usize>>,
        groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<Vec<Fold>>;

    /// The same folds as [`Splitter::folds`], as a [`FoldPlan`] that writes one fold at a
    /// time into a reused buffer. The k-fold splitters keep one fold number per sample instead
    /// of every fold's indices; the default lists the folds.
    ///
    /// # Errors
    /// As [`Splitter::folds`].
    fn plan(
        &self,
        n_samples: usize,
        y: Option<ArrayView1<'_, usize>>,
        groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<FoldPlan> {
        self.folds(n_samples, y, groups).map(FoldPlan::listed)
    }
}

/// Checks the optional `y` and `groups` given to [`Splitter::folds`] against `n_samples`.
fn check_split_inputs(
    n_samples: usize,
    y: Option<ArrayView1<'_, usize>>,
    groups: Option<ArrayView1<'_, usize>>,
) -> Result<()> {
    if let Some(y) = y {
        check_same_len("length of y against n_samples", n_samples, y.len())?;
    }
    if let Some(groups) = groups {
        check_same_len(
            "length of groups against n_samples",
            n_samples,
            groups.len(),
        )?;
    }
    Ok(())
}

/// The error for a splitter that needs `what` (`y` or `groups`) and was not given it.
fn required(estimator: &str, what: &str, purpose: &str) -> Error {
    Error::EmptyInput {
        what: what.to_owned(),
        reason: format!("{estimator} needs {what} to {purpose}, but none was given"),
    }
}

/// [`Error::EmptyInput`] when there are no samples.
fn check_not_empty(n_samples: usize, what: &str) -> Result<()> {
    if n_samples == 0 {
        return Err(Error::EmptyInput {
            what: what.to_owned(),
            reason: "0 samples; at least 1 is needed to split".into(),
        });
    }
    Ok(())
}

/// The k-fold check shared with scikit-learn: no more folds than samples.
fn check_n_splits_le_n_samples(estimator: &str, n_splits: usize, n_samples: usize) -> Result<()> {
    if n_splits > n_samples {
        return Err(Error::TooFewSamples {
            estimator: estimator.to_owned(),
            needed: format!("n_samples >= n_splits={n_splits}"),
            got: format!("n_samples={n_samples}"),
            n_samples,
        });
    }
    Ok(())
}

/// Encodes labels as indices of their sorted distinct values (NumPy's `unique` with
/// `return_inverse`): the codes, one per sample, and the count of each code.
fn encode_sorted<L: Ord>(labels: ArrayView1<'_, L>) -> (Vec<usize>, Vec<usize>) {
    let mut code_of: BTreeMap<&L, usize> = labels.iter().map(|label| (label, 0)).collect();
    for (code, slot) in code_of.values_mut().enumerate() {
        *slot = code;
    }
    let mut counts = vec![0; code_of.len()];
    let codes = labels
        .iter()
        .map(|label| {
            let code = code_of.get(label).copied().unwrap_or_default();
            counts[code] += 1;
            code
        })
        .collect();
    (codes, counts)
}

/// The sizes of `n_splits` near-equal consecutive chunks of `n` items: the first `n % n_splits`
/// chunks get one item more (NumPy's `array_split`, scikit-learn's `KFold`).
fn chunk_sizes(n: usize, n_splits: usize) -> impl Iterator<Item = usize> {
    let (base, extra) = (n / n_splits, n % n_splits);
    (0..n_splits).map(move |i| base + usize::from(i < extra))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn encode_sorted_matches_numpy_unique() {
        let y = array!["b", "a", "c", "a"];
        assert_eq!(encode_sorted(y.view()), (vec![1, 0, 2, 0], vec![2, 1, 1]));
    }

    #[test]
    fn chunk_sizes_put_the_remainder_first() {
        assert_eq!(chunk_sizes(11, 3).collect::<Vec<_>>(), vec![4, 4, 3]);
        assert_eq!(chunk_sizes(9, 3).collect::<Vec<_>>(), vec![3, 3, 3]);
    }
}
