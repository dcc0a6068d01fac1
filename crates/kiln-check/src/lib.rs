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
//! - `fit_transform` equals `fit` then `transform`;
//! - for classifiers and regressors, `fit_rows` and `predict_rows` on a subset of the rows
//!   equal a fit and a prediction on a copy of those rows.
//!
//! One `check_*` method per kind of estimator picks the checks that apply:
//! [`Checker::check_classifier`], [`Checker::check_probabilistic_classifier`],
//! [`Checker::check_regressor`], [`Checker::check_clusterer`], [`Checker::check_transformer`]
//! (unsupervised, on `transform`, plus `fit_transform`), and
//! [`Checker::check_supervised_transformer`] for transformers fitted on `X` and a target
//! (feature selectors): the common checks on `transform`, the target length, and non-finite
//! targets when the target is `f64` (see [`SupervisedTarget`]).
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
//! # Frame mode
//!
//! Encoders fitted on a table of named, typed columns (kiln-prep's `Frame`) are checked by
//! [`FrameChecker`]: it takes a [`FrameAdapter`] (how to take rows, drop or retype a column,
//! put an unseen category in one, and transform with a fitted model; kiln-check cannot depend
//! on kiln-prep, whose tests depend on kiln-check), a training frame, and a fit closure. It
//! checks determinism (also across refits and thread counts), that a subset of rows and single
//! rows transform as the same rows of the whole frame, save → load, `feature_names_out` against
//! the output width, that a missing column or a column of the wrong type gives an error naming
//! it, what an unseen category gives ([`Unseen`]), and that an empty or one-row frame gives a
//! typed error or a result, never a panic.
//!
//! ```
//! use kiln_check::{FrameAdapter, FrameChecker};
//! use kiln_core::persist::{FeatureSchema, Persist};
//! use kiln_core::{Error, Result};
//! use ndarray::Array2;
//! use serde::{Deserialize, Serialize};
//!
//! /// A table: named columns of text (`Ok`) or numbers (`Err`).
//! type Table = Vec<(String, std::result::Result<Vec<String>, Vec<f64>>)>;
//!
//! /// Codes each text column by its sorted categories.
//! #[derive(Serialize, Deserialize)]
//! struct Codes { columns: Vec<String>, categories: Vec<Vec<String>> }
//!
//! fn col<'a>(t: &'a Table, name: &str) -> Result<&'a [String]> {
//!     let bad = |reason: &str| Error::InvalidValue {
//!         what: format!("column `{name}`"), row: None, reason: reason.into() };
//!     match t.iter().find(|(n, _)| n == name) {
//!         Some((_, Ok(v))) => Ok(v),
//!         Some((_, Err(_))) => Err(bad("is numeric")),
//!         None => Err(bad("is absent")),
//!     }
//! }
//!
//! fn fit(t: &Table, columns: &[&str]) -> Result<Codes> {
//!     let mut categories = Vec::new();
//!     for &c in columns {
//!         let mut v = col(t, c)?.to_vec();
//!         if v.is_empty() {
//!             return Err(Error::EmptyInput { what: "table".into(), reason: "0 rows".into() });
//!         }
//!         v.sort();
//!         v.dedup();
//!         categories.push(v);
//!     }
//!     Ok(Codes { columns: columns.iter().map(|c| c.to_string()).collect(), categories })
//! }
//!
//! impl Persist for Codes {
//!     const KIND: &'static str = "doc::Codes";
//!     type Params = ();
//!     fn params(&self) -> &() { &() }
//!     fn feature_schema(&self) -> FeatureSchema { FeatureSchema::with_names(self.columns.clone()) }
//! }
//!
//! struct Tables;
//!
//! impl FrameAdapter<Codes> for Tables {
//!     type Frame = Table;
//!     fn n_rows(&self, t: &Table) -> usize {
//!         t[0].1.as_ref().map_or_else(|v| v.len(), |v| v.len())
//!     }
//!     fn take_rows(&self, t: &Table, rows: &[usize]) -> Result<Table> {
//!         Ok(t.iter().map(|(n, c)| (n.clone(), match c {
//!             Ok(v) => Ok(rows.iter().map(|&r| v[r].clone()).collect()),
//!             Err(v) => Err(rows.iter().map(|&r| v[r]).collect()),
//!         })).collect())
//!     }
//!     fn drop_column(&self, t: &Table, name: &str) -> Result<Table> {
//!         Ok(t.iter().filter(|(n, _)| n != name).cloned().collect())
//!     }
//!     fn retype_column(&self, t: &Table, name: &str) -> Result<Table> {
//!         let n = self.n_rows(t);
//!         Ok(t.iter().map(|(c, v)| (c.clone(), match (c == name, v) {
//!             (true, Ok(_)) => Err(vec![0.0; n]),
//!             (true, Err(_)) => Ok(vec!["x".to_string(); n]),
//!             (false, v) => v.clone(),
//!         })).collect())
//!     }
//!     fn with_unseen_category(&self, t: &Table, name: &str, row: usize) -> Result<Option<Table>> {
//!         let mut t = t.clone();
//!         match t.iter_mut().find(|(n, _)| n == name) {
//!             Some((_, Ok(v))) => { v[row] = "never seen".into(); Ok(Some(t)) }
//!             _ => Ok(None),
//!         }
//!     }
//!     fn input_columns(&self, m: &Codes) -> Vec<String> { m.columns.clone() }
//!     fn transform(&self, m: &Codes, t: &Table) -> Result<Array2<f64>> {
//!         let mut out = Array2::zeros((self.n_rows(t), m.columns.len()));
//!         for (j, (name, cats)) in m.columns.iter().zip(&m.categories).enumerate() {
//!             for (i, v) in col(t, name)?.iter().enumerate() {
//!                 let code = cats.binary_search(v).map_err(|_| Error::UnknownLabel {
//!                     what: format!("column `{name}`"), label: v.clone(), row: Some(i),
//!                     known: cats.join(", ") })?;
//!                 out[[i, j]] = code as f64;
//!             }
//!         }
//!         Ok(out)
//!     }
//!     fn feature_names_out(&self, m: &Codes) -> Vec<String> { m.columns.clone() }
//! }
//!
//! let colours = ["red", "green", "blue"].map(String::from);
//! let table: Table = vec![
//!     ("colour".into(), Ok((0..12).map(|i| colours[i % 3].clone()).collect())),
//!     ("weight".into(), Err((0..12).map(|i| i as f64).collect())),
//! ];
//! FrameChecker::new(Tables, table, |t: &Table| fit(t, &["colour"]))
//!     .skip(kiln_check::Check::InvalidParams, "Codes has no parameters")
//!     .check()
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
mod frame;
mod frame_checks;
mod report;
mod target;

pub use checker::Checker;
pub use frame::{FrameAdapter, FrameChecker, Unseen};
pub use report::{Check, CheckResult, Outcome, Report};
pub use target::SupervisedTarget;
