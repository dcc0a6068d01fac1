//! # kiln-core: the contract every kiln crate follows
//!
//! This crate holds what the rest of kiln shares and nothing else: the [`Error`] type, the
//! estimator traits ([`Params`] → [`Fit`] / [`FitUnsupervised`] → fitted model → [`Predict`] /
//! [`PredictProba`] / [`Transform`]), the input [`check`]s every estimator runs, [`ClassLabels`]
//! for mapping any labels to class indices, seeded [`random`] generators, model
//! [`persist`]ence through a checksummed envelope, and where a fit runs ([`pool`]: rayon's
//! pool or the caller's thread). It depends on no other kiln crate.
//!
//! # Example: an estimator written against the contract
//!
//! ```
//! use kiln_core::check::{self, NanPolicy};
//! use kiln_core::{Fit, Fitted, Params, Predict, Result};
//! use ndarray::{array, Array1, ArrayView1, ArrayView2};
//!
//! /// Predicts the (weighted) mean of the training target.
//! #[derive(Debug, Clone, Default)]
//! struct MeanRegressor;
//!
//! struct FittedMean { mean: f64, n_features: usize }
//!
//! impl Params for MeanRegressor {
//!     const NAME: &'static str = "MeanRegressor";
//!     fn validate(&self) -> Result<()> { Ok(()) }
//! }
//!
//! impl Fit for MeanRegressor {
//!     type Target = f64;
//!     type Fitted = FittedMean;
//!     fn fit_weighted(
//!         &self,
//!         x: ArrayView2<'_, f64>,
//!         y: ArrayView1<'_, f64>,
//!         w: Option<ArrayView1<'_, f64>>,
//!     ) -> Result<FittedMean> {
//!         self.validate()?;
//!         check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
//!         check::check_finite_1d(y, "y")?;
//!         check::check_sample_weight(w, y.len())?;
//!         let mean = match w {
//!             Some(w) => y.dot(&w) / w.sum(),
//!             None => y.sum() / y.len() as f64,
//!         };
//!         Ok(FittedMean { mean, n_features: x.ncols() })
//!     }
//! }
//!
//! impl Fitted for FittedMean {
//!     fn n_features_in(&self) -> usize { self.n_features }
//! }
//!
//! impl Predict for FittedMean {
//!     type Output = f64;
//!     fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
//!         check::check_predict_x(MeanRegressor::NAME, self.n_features, x, NanPolicy::Reject)?;
//!         Ok(Array1::from_elem(x.nrows(), self.mean))
//!     }
//! }
//!
//! let x = array![[1.0], [2.0], [3.0]];
//! let model = MeanRegressor.fit(x.view(), array![1.0, 2.0, 6.0].view())?;
//! assert_eq!(model.predict(x.view())?.to_vec(), vec![3.0; 3]);
//! // Wrong feature count at predict is a typed error, never a panic.
//! assert!(model.predict(array![[1.0, 2.0]].view()).is_err());
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Design
//!
//! - **Params, then fit, then a fitted model.** Params are plain structs with public fields and
//!   a documented `Default`; `fit` validates them first ([`Params::validate`] is public so a
//!   parameter search can reject a point without fitting), then checks the data.
//! - **Errors, not panics.** Every check returns an [`Error`] whose message says what was wrong
//!   and where (parameter, row, column, file, which model-file check failed).
//! - **Determinism.** Randomness comes from a `seed: u64`; parallel task `i` draws from
//!   [`random::task_rng`]`(seed, i)`, so results do not depend on the thread count.
//! - **Safe persistence.** [`persist::save`] writes atomically; [`persist::load`] checks magic,
//!   version, lengths, checksum, kind and schema before trusting a payload.

// This crate needs no unsafe: forbid it (stronger than the workspace's deny, which a module
// could override). Crates that use ndarray's `s!` keep deny: that macro expands to
// `#[allow(unsafe_code)]`, which forbid rejects.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod check;
mod error;
mod labels;
pub mod persist;
pub mod pool;
pub mod random;
pub mod sort;
pub mod special;
mod traits;

pub use error::{Error, FormatCheck, Result};
pub use labels::ClassLabels;
pub use persist::{FeatureSchema, Persist};
pub use traits::{
    Fit, FitTransform, FitUnsupervised, Fitted, InverseTransform, Params, Predict, PredictProba,
    Transform,
};
