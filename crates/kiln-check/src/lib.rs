//! # kiln-check: one behaviour suite for every kiln estimator
//!
//! kiln's answer to scikit-learn's `check_estimator`. Every estimator crate runs it from its
//! tests; it fits the estimator on small seeded data (or data you give) and checks the
//! contract of `kiln-core`:
//!
//! - invalid parameters are rejected at `validate()` and at fit, naming the parameter;
//! - NaN and infinities in `X` (at fit and at predict) and in a regression target give
//!   `NonFinite` with the row and column; empty data, a target of the wrong length and a
//!   wrong feature count at predict give their typed errors;
//! - one sample, one feature and a single class give a clear error or a valid model, never a
//!   panic; class indices with gaps are kept;
//! - the same params give bit-identical models, also after fitting other data in between and
//!   on 1 or 2 threads; batch predictions equal row-by-row ones;
//! - probabilities lie in [0, 1], sum to 1 and agree with `predict`;
//! - save → load predicts bit-identically;
//! - sample weights are validated, unit weights equal none, weight 2 equals a duplicated row
//!   and weight 0 a removed one;
//! - `fit_transform` equals `fit` then `transform`.
//!
//! `Send + Sync` of fitted models is checked by the compiler: the `check_*` methods require it.
//! A panic anywhere is caught and reported as a failure of the check that caused it. A check
//! can be skipped only with a written reason, which the report shows.
//!
//! # Example
//!
//! ```
//! use kiln_check::{Check, Checker};
//! use kiln_core::check::{self, NanPolicy};
//! use kiln_core::persist::{FeatureSchema, Persist};
//! use kiln_core::{Fit, Fitted, Params, Predict, Result};
//! use ndarray::{Array1, ArrayView1, ArrayView2};
//! use serde::{Deserialize, Serialize};
//!
//! /// Predicts the weighted mean of the training target.
//! #[derive(Debug, Clone, Default, Serialize, Deserialize)]
//! struct MeanRegressor { shrink: f64 }
//!
//! #[derive(Serialize, Deserialize)]
//! struct FittedMean { params: MeanRegressor, mean: f64, n_features: usize }
//!
//! impl Params for MeanRegressor {
//!     const NAME: &'static str = "MeanRegressor";
//!     fn validate(&self) -> Result<()> {
//!         check::check_param(Self::NAME, "shrink", self.shrink,
//!             (0.0..=1.0).contains(&self.shrink), "a float in the range [0, 1]")
//!     }
//! }
//!
//! impl Fit for MeanRegressor {
//!     type Target = f64;
//!     type Fitted = FittedMean;
//!     fn fit_weighted(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>,
//!                     w: Option<ArrayView1<'_, f64>>) -> Result<FittedMean> {
//!         self.validate()?;
//!         check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
//!         check::check_finite_1d(y, "y")?;
//!         check::check_sample_weight(w, y.len())?;
//!         let mean = match w {
//!             Some(w) => y.dot(&w) / w.sum(),
//!             None => y.sum() / y.len() as f64,
//!         };
//!         Ok(FittedMean { params: self.clone(), mean: mean * (1.0 - self.shrink),
//!                         n_features: x.ncols() })
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
//! impl Persist for FittedMean {
//!     const KIND: &'static str = "doc::MeanRegressor";
//!     type Params = MeanRegressor;
//!     fn params(&self) -> &MeanRegressor { &self.params }
//!     fn feature_schema(&self) -> FeatureSchema { FeatureSchema::new(self.n_features) }
//! }
//!
//! Checker::new(MeanRegressor::default())
//!     .invalid_param(MeanRegressor { shrink: 2.0 }, "shrink")
//!     .tolerance(1e-12)
//!     .check_regressor()
//!     .assert_passed();
//! ```
//!
//! # Send + Sync
//!
//! The `check_*` methods only accept estimators whose fitted model is `Send + Sync`, so a
//! model that is not cannot pass the suite. The example above with one `Rc` field added to the
//! fitted model does not compile:
//!
//! ```compile_fail,E0599
//! use kiln_check::{Check, Checker};
//! use kiln_core::check::{self, NanPolicy};
//! use kiln_core::persist::{FeatureSchema, Persist};
//! use kiln_core::{Fit, Fitted, Params, Predict, Result};
//! use ndarray::{Array1, ArrayView1, ArrayView2};
//! use serde::{Deserialize, Serialize};
//!
//! /// Predicts the weighted mean of the training target.
//! #[derive(Debug, Clone, Default, Serialize, Deserialize)]
//! struct MeanRegressor { shrink: f64 }
//!
//! #[derive(Serialize, Deserialize)]
//! struct FittedMean { params: MeanRegressor, mean: f64, n_features: usize,
//!                     #[serde(skip)] cache: std::rc::Rc<()> }
//!
//! impl Params for MeanRegressor {
//!     const NAME: &'static str = "MeanRegressor";
//!     fn validate(&self) -> Result<()> {
//!         check::check_param(Self::NAME, "shrink", self.shrink,
//!             (0.0..=1.0).contains(&self.shrink), "a float in the range [0, 1]")
//!     }
//! }
//!
//! impl Fit for MeanRegressor {
//!     type Target = f64;
//!     type Fitted = FittedMean;
//!     fn fit_weighted(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>,
//!                     w: Option<ArrayView1<'_, f64>>) -> Result<FittedMean> {
//!         self.validate()?;
//!         check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
//!         check::check_finite_1d(y, "y")?;
//!         check::check_sample_weight(w, y.len())?;
//!         let mean = match w {
//!             Some(w) => y.dot(&w) / w.sum(),
//!             None => y.sum() / y.len() as f64,
//!         };
//!         Ok(FittedMean { params: self.clone(), mean: mean * (1.0 - self.shrink),
//!                         n_features: x.ncols(), cache: Default::default() })
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
//! impl Persist for FittedMean {
//!     const KIND: &'static str = "doc::MeanRegressor";
//!     type Params = MeanRegressor;
//!     fn params(&self) -> &MeanRegressor { &self.params }
//!     fn feature_schema(&self) -> FeatureSchema { FeatureSchema::new(self.n_features) }
//! }
//!
//! Checker::new(MeanRegressor::default())
//!     .invalid_param(MeanRegressor { shrink: 2.0 }, "shrink")
//!     .tolerance(1e-12)
//!     .check_regressor()
//!     .assert_passed();
//! ```

mod checker;
mod data;
mod engine;
mod report;

pub use checker::Checker;
pub use report::{Check, CheckResult, Outcome, Report};
