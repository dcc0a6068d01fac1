//! [`OrdinalEncoder`]: one integer code per category.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fitted, Params, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::FrameTransform;
use super::common::{self, Categories};
use crate::Frame;

/// What [`OrdinalEncoder`] does with a category not seen at fit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum OrdinalUnknown {
    /// Fail with [`Error::UnknownLabel`] naming the column, the value and the row (the
    /// default, as in scikit-learn).
    #[default]
    Error,
    /// Encode it as this value: NaN or a whole number that is not the code of a category
    /// (scikit-learn's `handle_unknown="use_encoded_value"` with `unknown_value`).
    Value(f64),
}

/// Encodes each categorical column as one column of category codes, as scikit-learn's
/// `OrdinalEncoder`: the `i`-th smallest category seen at fit becomes `i` (as `f64`).
///
/// # Parameters
/// - `handle_unknown` (default [`OrdinalUnknown::Error`]): fail on a category not seen at
///   fit, or encode it as a given value.
/// - `encoded_missing_value` (default NaN): the output for a missing value, when the column
///   had missing values at fit (a missing value in a column without any at fit is an unknown
///   category, as in scikit-learn).
///
/// # Fitted attributes
/// [`FittedOrdinalEncoder::categories`] (scikit-learn's `categories_`; the missing category
/// gets no code).
///
/// # Errors
/// `fit` fails for an empty frame or column list, a column named twice, an absent or numeric
/// column, an `unknown_value` that is neither NaN nor a whole number, or that is the code
/// of a category, and an `encoded_missing_value` that is neither NaN nor a whole number, or
/// that is the code of a category of a column with missing values (as scikit-learn).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OrdinalEncoder {
    /// What to do with a category not seen at fit. By default, [`OrdinalUnknown::Error`].
    pub handle_unknown: OrdinalUnknown,
    /// The output for a missing value. By default, NaN.
    pub encoded_missing_value: f64,
}

impl Default for OrdinalEncoder {
    fn default() -> Self {
        Self {
            handle_unknown: OrdinalUnknown::Error,
            encoded_missing_value: f64::NAN,
        }
    }
}

impl OrdinalEncoder {
    /// Sets `handle_unknown` (by default, [`OrdinalUnknown::Error`]).
    #[must_use]
    pub fn with_handle_unknown(mut self, handle_unknown: OrdinalUnknown) -> Self {
        self.handle_unknown = handle_unknown;
        self
    }

    /// Sets `encoded_missing_value` (by default, NaN).
    #[must_use]
    pub fn with_encoded_missing_value(mut self, value: f64) -> Self {
        self.encoded_missing_value = value;
        self
    }

    /// Learns the categories of `columns` (categorical columns of `frame`).
    ///
    /// # Errors
    /// As listed under the type's `# Errors`.
    pub fn fit<S: AsRef<str>>(&self, frame: &Frame, columns: &[S]) -> Result<FittedOrdinalEncoder> {
        self.validate()?;
        let names = common::check_fit_columns(frame, columns, Self::NAME)?;
        let mut categories = Vec::with_capacity(names.len());
        for name in &names {
            let col = common::categorical(frame, name, Self::NAME)?;
            let (cats, _) = Categories::learn(col);
            if let OrdinalUnknown::Value(v) = self.handle_unknown
                && v >= 0.0
                && v < cats.levels.len() as f64
            {
                return Err(Error::invalid_param(
                    Self::NAME,
                    "handle_unknown",
                    format!(
                        "must not encode unknown categories as {v}, the code of category `{}` \
                         of column `{name}`",
                        cats.label(v as usize)
                    ),
                ));
            }
            let m = self.encoded_missing_value;
            if cats.missing && m >= 0.0 && m < cats.levels.len() as f64 {
                // scikit-learn: "encoded_missing_value (0) is already used to encode a known
                // category in features".
                return Err(Error::invalid_param(
                    Self::NAME,
                    "encoded_missing_value",
                    format!(
                        "must not encode missing values as {m}, the code of category `{}` of \
                         column `{name}`",
                        cats.label(m as usize)
                    ),
                ));
            }
            categories.push(cats);
        }
        Ok(FittedOrdinalEncoder {
            params: *self,
            input: names,
            categories,
        })
    }
}

impl Params for OrdinalEncoder {
    const NAME: &'static str = "OrdinalEncoder";

    fn validate(&self) -> Result<()> {
        let m = self.encoded_missing_value;
        kiln_core::check::check_param(
            Self::NAME,
            "encoded_missing_value",
            m,
            m.is_nan() || (m.is_finite() && m.fract() == 0.0),
            "NaN or a whole number",
        )?;
        if let OrdinalUnknown::Value(v) = self.handle_unknown {
            kiln_core::check::check_param(
                Self::NAME,
                "handle_unknown",
                format!("Value({v})"),
                v.is_nan() || (v.is_finite() && v.fract() == 0.0),
                "Error or Value(v) with v NaN or a whole number",
            )?;
        }
        Ok(())
    }
}

/// A fitted [`OrdinalEncoder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOrdinalEncoder {
    params: OrdinalEncoder,
    input: Vec<String>,
    categories: Vec<Categories>,
}

impl FittedOrdinalEncoder {
    /// The params it was fitted with.
    pub fn params(&self) -> &OrdinalEncoder {
        &self.params
    }

    /// The categories learned for each input column, in input order (`categories_`).
    pub fn categories(&self) -> &[Categories] {
        &self.categories
    }
}

impl FrameTransform for FittedOrdinalEncoder {
    fn input_columns(&self) -> &[String] {
        &self.input
    }

    fn transform_frame(&self, frame: &Frame) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((frame.n_rows(), self.input.len()));
        for (j, (name, cats)) in self.input.iter().zip(&self.categories).enumerate() {
            let col = common::categorical(frame, name, OrdinalEncoder::NAME)?;
            for (row, idx) in cats.indices(col).into_iter().enumerate() {
                out[[row, j]] = match (idx, self.params.handle_unknown) {
                    (Some(i), _) if i == cats.levels.len() => self.params.encoded_missing_value,
                    (Some(i), _) => i as f64,
                    (None, OrdinalUnknown::Value(v)) => v,
                    (None, OrdinalUnknown::Error) => {
                        return Err(common::unknown_category(
                            OrdinalEncoder::NAME,
                            name,
                            col,
                            row,
                            cats,
                        ));
                    }
                };
            }
        }
        Ok(out)
    }

    /// The input column names (one output column per input column).
    fn feature_names_out(&self) -> Vec<String> {
        self.input.clone()
    }
}

impl Fitted for FittedOrdinalEncoder {
    fn n_features_in(&self) -> usize {
        self.input.len()
    }
}

impl Persist for FittedOrdinalEncoder {
    const KIND: &'static str = "kiln_prep::OrdinalEncoder";
    type Params = OrdinalEncoder;

    fn params(&self) -> &OrdinalEncoder {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.input.clone())
    }
}
