//! Pieces every linear model shares: feature names attached to coefficients.

use kiln_core::check;
use kiln_core::persist::FeatureSchema;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

/// A coefficient with the name of its feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedCoef {
    /// The feature's name (`x0`, `x1`, ... when the model was not given names).
    pub name: String,
    /// The coefficient.
    pub value: f64,
}

/// The optional names of a fitted model's features, kept beside its coefficients and in its
/// saved schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FeatureNames(Option<Vec<String>>);

impl FeatureNames {
    /// Attaches `names` to a model of `n_features` features.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the count differs from `n_features`.
    pub(crate) fn set(&mut self, names: Vec<String>, n_features: usize) -> Result<()> {
        if names.len() != n_features {
            return Err(Error::ShapeMismatch {
                what: "feature names".into(),
                expected: n_features,
                got: names.len(),
            });
        }
        self.0 = Some(names);
        Ok(())
    }

    /// The names, when given.
    pub(crate) fn get(&self) -> Option<&[String]> {
        self.0.as_deref()
    }

    /// The schema of a model of `n_features` features: named when names were given.
    pub(crate) fn schema(&self, n_features: usize) -> FeatureSchema {
        match &self.0 {
            Some(names) => FeatureSchema::with_names(names.clone()),
            None => FeatureSchema::new(n_features),
        }
    }

    /// Pairs each coefficient with its feature's name (`x{j}` when unnamed).
    pub(crate) fn named(&self, coef: ArrayView1<'_, f64>) -> Vec<NamedCoef> {
        coef.iter()
            .enumerate()
            .map(|(j, &value)| NamedCoef {
                name: self
                    .0
                    .as_ref()
                    .and_then(|n| n.get(j).cloned())
                    .unwrap_or_else(|| format!("x{j}")),
                value,
            })
            .collect()
    }
}

/// `value` must be a finite float ≥ 0 (scikit-learn's "a float in the range [0, inf)").
pub(crate) fn check_non_negative(estimator: &str, name: &str, value: f64) -> Result<()> {
    check::check_param(
        estimator,
        name,
        value,
        value >= 0.0 && value.is_finite(),
        "a float in the range [0, inf)",
    )
}

/// `value` must lie in `[0, 1]` (e.g. `l1_ratio`).
pub(crate) fn check_unit_interval(estimator: &str, name: &str, value: f64) -> Result<()> {
    check::check_param(
        estimator,
        name,
        value,
        (0.0..=1.0).contains(&value),
        "a float in the range [0, 1]",
    )
}

/// `value` must be at least 1 (e.g. `max_iter`).
pub(crate) fn check_at_least_one(estimator: &str, name: &str, value: usize) -> Result<()> {
    check::check_param(
        estimator,
        name,
        value,
        value >= 1,
        "an int in the range [1, inf)",
    )
}
