//! The fitted models [`FittedElasticNet`] and [`FittedLasso`].

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fitted, Params, Predict, Result};
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::Solution;
use super::params::{ElasticNet, Lasso};
use crate::common::{FeatureNames, NamedCoef};

/// A fitted [`ElasticNet`]: predicts `Xβ + b`.
///
/// Saved and loaded through [`kiln_core::persist`] as kind `kiln_linear::ElasticNet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedElasticNet {
    params: ElasticNet,
    sol: Solution,
    names: FeatureNames,
}

/// A fitted [`Lasso`]: predicts `Xβ + b`.
///
/// Saved and loaded through [`kiln_core::persist`] as kind `kiln_linear::Lasso`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLasso {
    params: Lasso,
    sol: Solution,
    names: FeatureNames,
}

/// Accessors, prediction and persistence, identical for both fitted types.
macro_rules! fitted_model {
    ($fitted:ident, $params:ident, $kind:literal) => {
        impl $fitted {
            pub(super) fn new(params: $params, sol: Solution) -> Self {
                Self {
                    params,
                    sol,
                    names: FeatureNames::default(),
                }
            }

            /// The params it was fitted with.
            pub fn params(&self) -> &$params {
                &self.params
            }

            /// The coefficients β, one per feature (scikit-learn's `coef_`).
            pub fn coef(&self) -> &Array1<f64> {
                &self.sol.coef
            }

            /// The intercept b (`intercept_`); `0` when `fit_intercept` is off.
            pub fn intercept(&self) -> f64 {
                self.sol.intercept
            }

            /// The number of sweeps coordinate descent ran (`n_iter_`); `0` when the
            /// starting point already met the tolerance.
            pub fn n_iter(&self) -> usize {
                self.sol.n_iter
            }

            /// The duality gap at the end (`dual_gap_`), in the scale of the objective
            /// (scikit-learn's: the solver's gap divided by `n_samples`).
            pub fn dual_gap(&self) -> f64 {
                self.sol.dual_gap
            }

            /// Whether the duality gap fell below the tolerance within `max_iter` sweeps.
            /// When not, the coefficients are the last iterate (scikit-learn warns with a
            /// `ConvergenceWarning` in that case).
            pub fn converged(&self) -> bool {
                self.sol.converged
            }

            /// The number of non-zero coefficients.
            pub fn n_nonzero(&self) -> usize {
                self.sol.coef.iter().filter(|c| **c != 0.0).count()
            }

            /// Attaches feature names, shown by [`Self::coef_named`] and saved in the schema.
            ///
            /// # Errors
            /// [`kiln_core::Error::ShapeMismatch`] when there are not `n_features_in()` names.
            pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
                let n = self.n_features_in();
                self.names.set(names, n)?;
                Ok(self)
            }

            /// The feature names, when given.
            pub fn feature_names(&self) -> Option<&[String]> {
                self.names.get()
            }

            /// Each coefficient with its feature's name (`x0`, `x1`, ... when unnamed).
            pub fn coef_named(&self) -> Vec<NamedCoef> {
                self.names.named(self.sol.coef.view())
            }
        }

        impl Fitted for $fitted {
            fn n_features_in(&self) -> usize {
                self.sol.coef.len()
            }
        }

        impl Predict for $fitted {
            type Output = f64;

            fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
                crate::predict::checked_linear(
                    $params::NAME,
                    x,
                    &self.sol.coef.to_vec(),
                    self.sol.intercept,
                )
            }
        }

        impl Persist for $fitted {
            const KIND: &'static str = $kind;
            type Params = $params;

            fn params(&self) -> &$params {
                &self.params
            }

            fn feature_schema(&self) -> FeatureSchema {
                self.names.schema(self.n_features_in())
            }
        }
    };
}

fitted_model!(FittedElasticNet, ElasticNet, "kiln_linear::ElasticNet");
fitted_model!(FittedLasso, Lasso, "kiln_linear::Lasso");
