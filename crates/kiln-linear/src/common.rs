//! Pieces every linear model shares: feature names attached to coefficients.

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
