//! Linear models for kiln: least squares, ridge, lasso, elastic-net and logistic regression,
//! and stochastic gradient descent for data that arrives in batches.
//!
//! Every model follows the kiln contract (see `kiln-core`): a parameter struct with defaults
//! and `with_*` setters, `fit` (or `fit_weighted`) returning a separate fitted type, and
//! `predict` that rejects a different feature count. Fitted models save and load through
//! [`kiln_core::persist`] and expose their coefficients, with feature names when given.
//!
//! | model | fits | how |
//! |---|---|---|
//! | [`LinearRegression`] | least squares; rank-deficient designs give the minimum-norm solution | weighted, centred Gram matrix and its eigendecomposition when well conditioned, else Householder QR then an SVD of R |
//! | [`Ridge`] | L2-penalized least squares, one alpha or one per target | Cholesky of the Gram matrix plus `alpha·I` |
//! | [`Lasso`], [`ElasticNet`] | L1 / L1+L2 penalties, paths over alphas, warm starts, positivity | coordinate descent with a duality-gap stop, on the Gram matrix when `n ≫ p` |
//! | [`LogisticRegression`] | binary and multinomial; L2, L1, elastic-net; class and sample weights | Newton with the exact Hessian (L-BFGS when it is too big); proximal Newton for L1 |
//! | [`SGDClassifier`], [`SGDRegressor`] | data in batches (`partial_fit`): hinge, log-loss, squared and robust losses; L2, L1, elastic-net | scikit-learn's plain SGD: scaled weights for O(1) L2 decay, truncated gradient for L1, seeded shuffling, averaging |
//!
//! # Example
//!
//! ```
//! use kiln_core::{Fit, Predict, PredictProba};
//! use kiln_datasets::Dataset;
//! use kiln_linear::{Lasso, LinearRegression, LogisticRegression};
//!
//! let diabetes = Dataset::Diabetes.load_numeric()?;
//! let y = diabetes.target.values().ok_or("diabetes is a regression set")?;
//! let ols = LinearRegression::default()
//!     .fit(diabetes.x.view(), y.view())?
//!     .with_feature_names(diabetes.feature_names.clone())?;
//! assert_eq!(ols.rank(), 10);
//! let bmi = ols.coef_named().into_iter().find(|c| c.name == "bmi").ok_or("no bmi")?;
//! assert!(bmi.value > 0.0);
//!
//! // The lasso keeps only some of the ten features.
//! let lasso = Lasso::default().with_alpha(10.0).fit(diabetes.x.view(), y.view())?;
//! assert!(lasso.n_nonzero() < 10 && lasso.converged());
//! assert_eq!(lasso.predict(diabetes.x.view())?.len(), y.len());
//!
//! let cancer = Dataset::BreastCancer.load_numeric()?;
//! let classes = cancer.target.class_indices().ok_or("a classification set")?;
//! let logit = LogisticRegression::default()
//!     .with_c(0.1)
//!     .with_max_iter(1000)
//!     .fit(cancer.x.view(), classes.view())?;
//! let proba = logit.predict_proba(cancer.x.view())?;
//! assert_eq!(proba.ncols(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every model is checked against scikit-learn on the data sets in `shared/datasets`
//! (fixtures made by the scripts in `tests/reference/`), and runs the `kiln-check` suite.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod common;
pub mod enet;
pub mod logistic;
mod lstsq;
pub mod ols;
mod predict;
pub mod ridge;
pub mod sgd;

pub use common::NamedCoef;
pub use enet::{ElasticNet, FittedElasticNet, FittedLasso, Lasso};
pub use logistic::{FittedLogisticRegression, LogisticRegression};
pub use ols::{FittedLinearRegression, LinearRegression};
pub use ridge::{FittedRidge, Ridge};
pub use sgd::{FittedSGDClassifier, FittedSGDRegressor, SGDClassifier, SGDRegressor};
