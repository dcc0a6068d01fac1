//! Feature scaling: [`StandardScaler`], [`MinMaxScaler`], [`RobustScaler`] and
//! [`MaxAbsScaler`], numeric twins of scikit-learn's scalers.
//!
//! Each scaler is a params struct (public fields, a documented `Default`, `with_*` setters)
//! whose `fit` returns a fitted scaler that transforms, inverse-transforms and saves. Missing
//! values (NaN) are ignored when fitting and stay NaN when transforming, as in scikit-learn;
//! infinities are rejected with the row and column where they are.
//!
//! # Example
//!
//! ```
//! use kiln_core::{FitUnsupervised, InverseTransform, Transform};
//! use kiln_prep::scale::StandardScaler;
//! use ndarray::array;
//!
//! let x = array![[1.0, 10.0], [3.0, f64::NAN], [5.0, 30.0]];
//! let scaler = StandardScaler::default().fit(x.view())?;
//! assert_eq!(scaler.mean().map(|m| m.to_vec()), Some(vec![3.0, 20.0]));
//! let z = scaler.transform(x.view())?;
//! assert!((z[[2, 0]] - 1.224744871391589).abs() < 1e-12);
//! assert!(z[[1, 1]].is_nan()); // missing stays missing
//! let back = scaler.inverse_transform(z.view())?;
//! assert!((back[[0, 1]] - 10.0).abs() < 1e-12);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Which scaler
//!
//! | scaler | centre | scale | robust to outliers |
//! |---|---|---|---|
//! | [`StandardScaler`] | mean | standard deviation | no |
//! | [`MinMaxScaler`] | (maps min → `feature_range.0`) | max − min | no |
//! | [`RobustScaler`] | median | inter-quantile range | yes |
//! | [`MaxAbsScaler`] | none (keeps zeros and signs) | max \|x\| | no |
//!
//! A feature whose spread is (numerically) zero gets scale 1, so it is centred but never
//! divided by zero. Only [`StandardScaler`] accepts sample weights, as in scikit-learn; the
//! others return [`kiln_core::Error::Unsupported`] when given some.
//!
//! # Performance
//!
//! Fitting makes column-wise passes over the row-major data (one row at a time, all columns
//! updated together, which vectorizes), with no allocation per row. Wide inputs are split into
//! blocks of 64 columns that run in parallel; transforms of large inputs run in parallel over
//! fixed chunks of rows. Each column's statistics are accumulated in the same order whatever
//! the split, so results never depend on the number of threads.

pub(crate) mod colstats;
mod maxabs;
mod minmax;
mod robust;
mod standard;

pub use maxabs::{FittedMaxAbsScaler, MaxAbsScaler};
pub use minmax::{FittedMinMaxScaler, MinMaxScaler};
pub use robust::{FittedRobustScaler, RobustScaler};
pub use standard::{FittedStandardScaler, StandardScaler};

use kiln_core::{Error, Result};
use ndarray::ArrayView1;

/// The error of a scaler that does not define sample weights, when some are given.
pub(crate) fn no_weights(estimator: &str, w: Option<ArrayView1<'_, f64>>) -> Result<()> {
    match w {
        None => Ok(()),
        Some(_) => Err(Error::Unsupported {
            estimator: estimator.to_owned(),
            what: "sample weights (scikit-learn does not define them for it either)".to_owned(),
        }),
    }
}
