//! [`SupervisedTarget`]: the two kinds of target a supervised estimator learns from, and what
//! the suite does differently for each.

use ndarray::{Array1, Array2};

use crate::Checker;
use crate::data;

/// The element type of a supervised target: `usize` class indices or `f64` values.
///
/// [`Checker::check_supervised_transformer`] accepts an estimator of either kind and picks from
/// this trait the data it fits on (the data given with
/// [`Checker::classification_data`] or [`Checker::regression_data`], else the built-in
/// classes or regression target) and whether the target can hold non-finite values to reject.
/// The trait is sealed: kiln's targets are these two types.
pub trait SupervisedTarget: sealed::Sealed + Clone + Send + Sync + 'static {}

impl SupervisedTarget for usize {}
impl SupervisedTarget for f64 {}

pub(crate) mod sealed {
    use super::{Array1, Array2, Checker};

    pub trait Sealed: Sized {
        /// The data the checker was given for this kind of target, else the built-in data.
        fn data<P>(checker: &Checker<P>) -> (Array2<f64>, Array1<Self>);

        /// `v` as a target value, `None` when this kind of target cannot hold it (class
        /// indices cannot be NaN, so that check does not apply to them).
        fn from_f64(v: f64) -> Option<Self>;
    }
}

impl sealed::Sealed for usize {
    fn data<P>(checker: &Checker<P>) -> (Array2<f64>, Array1<usize>) {
        checker
            .given_classification()
            .unwrap_or_else(data::classification)
    }

    fn from_f64(_v: f64) -> Option<usize> {
        None
    }
}

impl sealed::Sealed for f64 {
    fn data<P>(checker: &Checker<P>) -> (Array2<f64>, Array1<f64>) {
        checker.given_regression().unwrap_or_else(data::regression)
    }

    fn from_f64(v: f64) -> Option<f64> {
        Some(v)
    }
}
