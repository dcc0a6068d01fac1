//! [`OneHotEncoder`]: one 0/1 column per category.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fitted, Params, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::FrameTransform;
use super::common::{self, Categories};
use crate::Frame;

/// What to do with a category not seen at fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HandleUnknown {
    /// Fail with [`kiln_core::Error::UnknownLabel`] naming the column, the value and the row (the
    /// default, as in scikit-learn).
    #[default]
    Error,
    /// Encode the row as all zeros in that column's outputs (scikit-learn's `"ignore"`).
    Ignore,
}

/// Which category of each column gets no output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DropCategory {
    /// Keep every category (the default).
    #[default]
    None,
    /// Drop the first output column of every column (its smallest frequent category).
    First,
    /// Drop the first output column of columns with exactly two output columns.
    IfBinary,
}

/// Encodes categorical columns as one 0/1 column per category, as scikit-learn's
/// `OneHotEncoder` (dense output).
///
/// # Parameters
/// - `handle_unknown` (default [`HandleUnknown::Error`]): fail on a category not seen at fit,
///   or encode it as all zeros.
/// - `drop` (default [`DropCategory::None`]): drop the first output column of every column,
///   or of binary columns only (for models that need a full-rank design).
/// - `min_frequency` (default `None`): a category seen in fewer than this many training rows
///   is *infrequent*; a column's infrequent categories share one output column, placed last
///   and named `<column>=infrequent` (scikit-learn's `min_frequency` as an integer). Must be
///   at least 1.
///
/// # Fitted attributes
/// [`FittedOneHotEncoder::categories`] (scikit-learn's `categories_`),
/// [`FittedOneHotEncoder::infrequent_categories`] and [`FrameTransform::feature_names_out`].
///
/// # Notes
/// A missing value is a category (`<column>=missing`), sorted after every value, as
/// scikit-learn treats `NaN`. A missing value at transform in a column that had none at fit
/// is an unknown category. Output columns follow the input columns, and within a column the
/// sorted frequent categories, then the infrequent column, minus the dropped one. A value
/// literally called `missing` or `infrequent` would share its name with those columns.
///
/// # Errors
/// `fit` fails for an empty frame or column list, a column named twice, an absent or numeric
/// column, and an invalid `min_frequency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OneHotEncoder {
    /// What to do with a category not seen at fit. By default, [`HandleUnknown::Error`].
    pub handle_unknown: HandleUnknown,
    /// Which output column to drop per column. By default, [`DropCategory::None`].
    pub drop: DropCategory,
    /// Group categories seen in fewer training rows than this. By default, `None` (no
    /// grouping).
    pub min_frequency: Option<usize>,
}

impl OneHotEncoder {
    /// Sets `handle_unknown` (by default, [`HandleUnknown::Error`]).
    #[must_use]
    pub fn with_handle_unknown(mut self, handle_unknown: HandleUnknown) -> Self {
        self.handle_unknown = handle_unknown;
        self
    }

    /// Sets `drop` (by default, [`DropCategory::None`]).
    #[must_use]
    pub fn with_drop(mut self, drop: DropCategory) -> Self {
        self.drop = drop;
        self
    }

    /// Sets `min_frequency` (by default, `None`).
    #[must_use]
    pub fn with_min_frequency(mut self, min_frequency: Option<usize>) -> Self {
        self.min_frequency = min_frequency;
        self
    }

    /// Learns the categories of `columns` (categorical columns of `frame`).
    ///
    /// # Errors
    /// As listed under the type's `# Errors`.
    pub fn fit<S: AsRef<str>>(&self, frame: &Frame, columns: &[S]) -> Result<FittedOneHotEncoder> {
        self.validate()?;
        let names = common::check_fit_columns(frame, columns, Self::NAME)?;
        let mut encoded = Vec::with_capacity(names.len());
        for name in &names {
            let col = common::categorical(frame, name, Self::NAME)?;
            let (categories, counts) = Categories::learn(col);
            encoded.push(self.layout(name, categories, &counts));
        }
        Ok(FittedOneHotEncoder {
            params: *self,
            input: names,
            columns: encoded,
        })
    }

    /// Where each category of one column goes in the output.
    fn layout(&self, name: &str, categories: Categories, counts: &[usize]) -> EncodedColumn {
        let min = self.min_frequency.unwrap_or(0);
        let infrequent: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] < min).collect();
        let n_frequent = counts.len() - infrequent.len();
        // The grouped order: frequent categories in category order, then the infrequent one.
        let mut grouped = vec![0usize; counts.len()];
        let mut next = 0;
        for (g, &n) in grouped.iter_mut().zip(counts) {
            if n < min {
                *g = n_frequent;
            } else {
                *g = next;
                next += 1;
            }
        }
        let n_grouped = n_frequent + usize::from(!infrequent.is_empty());
        let dropped = match self.drop {
            DropCategory::None => None,
            DropCategory::First => Some(0),
            DropCategory::IfBinary => (n_grouped == 2).then_some(0),
        };
        let out: Vec<Option<usize>> = grouped
            .iter()
            .map(|&g| match dropped {
                Some(d) if g == d => None,
                Some(d) if g > d => Some(g - 1),
                _ => Some(g),
            })
            .collect();
        let mut labels =
            vec![std::borrow::Cow::Owned(categories.synthetic("infrequent")); n_grouped];
        for (i, &g) in grouped.iter().enumerate() {
            if g < n_frequent {
                labels[g] = categories.label(i);
            }
        }
        let names_out = labels
            .iter()
            .enumerate()
            .filter(|&(g, _)| dropped != Some(g))
            .map(|(_, label)| format!("{name}={label}"))
            .collect();
        EncodedColumn {
            name: name.to_owned(),
            categories,
            infrequent,
            out,
            names_out,
        }
    }
}

impl Params for OneHotEncoder {
    const NAME: &'static str = "OneHotEncoder";

    fn validate(&self) -> Result<()> {
        if let Some(m) = self.min_frequency {
            kiln_core::check::check_param(
                Self::NAME,
                "min_frequency",
                format!("Some({m})"),
                m >= 1,
                "None or Some(n) with n >= 1",
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct EncodedColumn {
    name: String,
    categories: Categories,
    infrequent: Vec<usize>,
    /// The output column (relative to this column's first) of each category index; `None`
    /// when dropped.
    out: Vec<Option<usize>>,
    names_out: Vec<String>,
}

/// A fitted [`OneHotEncoder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOneHotEncoder {
    params: OneHotEncoder,
    input: Vec<String>,
    columns: Vec<EncodedColumn>,
}

impl FittedOneHotEncoder {
    /// The params it was fitted with.
    pub fn params(&self) -> &OneHotEncoder {
        &self.params
    }

    /// The categories learned for each input column, in input order (`categories_`).
    pub fn categories(&self) -> Vec<&Categories> {
        self.columns.iter().map(|c| &c.categories).collect()
    }

    /// The indices (see [`Categories`]) of each column's infrequent categories
    /// (`infrequent_categories_`); empty for a column without any.
    pub fn infrequent_categories(&self) -> Vec<&[usize]> {
        self.columns
            .iter()
            .map(|c| c.infrequent.as_slice())
            .collect()
    }

    /// The number of output columns.
    pub fn n_features_out(&self) -> usize {
        self.columns.iter().map(|c| c.names_out.len()).sum()
    }
}

impl FrameTransform for FittedOneHotEncoder {
    fn input_columns(&self) -> &[String] {
        &self.input
    }

    fn transform_frame(&self, frame: &Frame) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((frame.n_rows(), self.n_features_out()));
        let mut offset = 0;
        for c in &self.columns {
            let col = common::categorical(frame, &c.name, OneHotEncoder::NAME)?;
            for (row, idx) in c.categories.indices(col).into_iter().enumerate() {
                match idx {
                    Some(i) => {
                        if let Some(Some(j)) = c.out.get(i) {
                            out[[row, offset + j]] = 1.0;
                        }
                    }
                    None if self.params.handle_unknown == HandleUnknown::Ignore => {}
                    None => {
                        return Err(common::unknown_category(
                            OneHotEncoder::NAME,
                            &c.name,
                            col,
                            row,
                            &c.categories,
                        ));
                    }
                }
            }
            offset += c.names_out.len();
        }
        Ok(out)
    }

    fn feature_names_out(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(|c| c.names_out.iter().cloned())
            .collect()
    }
}

impl Fitted for FittedOneHotEncoder {
    fn n_features_in(&self) -> usize {
        self.columns.len()
    }
}

impl Persist for FittedOneHotEncoder {
    const KIND: &'static str = "kiln_prep::OneHotEncoder";
    type Params = OneHotEncoder;

    fn params(&self) -> &OneHotEncoder {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.input.clone())
    }
}
