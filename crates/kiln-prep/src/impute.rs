//! Filling in missing values: [`SimpleImputer`], the numeric twin of scikit-learn's
//! `SimpleImputer`, with its optional missing-value indicator; and [`FrameImputer`], which
//! fills the categorical and numeric columns of a [`crate::Frame`] and gives a frame back.
//!
//! For [`SimpleImputer`], missing means NaN. Fitting learns one statistic per feature from its
//! non-missing values; transforming replaces every NaN with its feature's statistic.
//!
//! # Example
//!
//! ```
//! use kiln_core::{FitUnsupervised, Transform};
//! use kiln_prep::impute::{SimpleImputer, Strategy};
//! use ndarray::array;
//!
//! let x = array![[1.0, f64::NAN], [3.0, 4.0], [f64::NAN, 8.0]];
//! let imputer = SimpleImputer::default()
//!     .with_strategy(Strategy::Median)
//!     .with_add_indicator(true)
//!     .fit(x.view())?;
//! assert_eq!(imputer.statistics().to_vec(), vec![2.0, 6.0]);
//! let out = imputer.transform(x.view())?;
//! // Two imputed features, then one 0/1 indicator column per feature that had missing values.
//! assert_eq!(out.row(0).to_vec(), vec![1.0, 6.0, 0.0, 1.0]);
//! let names = imputer.feature_names_out(&["a".to_string(), "b".to_string()])?;
//! assert_eq!(names, ["a", "b", "missingindicator_a", "missingindicator_b"]);
//! # Ok::<(), kiln_core::Error>(())
//! ```

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, FitTransform, FitUnsupervised, Fitted, Params, Result, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::scale::colstats;

mod categorical;

pub use categorical::{CategoricalStrategy, Fill, FittedFrameImputer, FrameImputer};

/// The statistic that replaces a feature's missing values.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Strategy {
    /// The mean of the non-missing values (the default, as in scikit-learn).
    #[default]
    Mean,
    /// The median of the non-missing values (the mean of the two middle ones for an even
    /// count).
    Median,
    /// The most frequent non-missing value; the smallest of those tied for most frequent.
    MostFrequent,
    /// A fixed, finite value (scikit-learn's `strategy="constant"` with `fill_value`).
    Constant(f64),
}

/// Replaces missing values (NaN) with a per-feature statistic, as scikit-learn's
/// `SimpleImputer` does for numeric data.
///
/// # Parameters
/// - `strategy` (default [`Strategy::Mean`]): mean, median, most frequent or a constant.
/// - `add_indicator` (default `false`): append one 0/1 column per feature that had missing
///   values at fit, 1 where the value was missing (scikit-learn's `MissingIndicator` with
///   `features="missing-only"`; a feature with no missing value at fit gets no column, even
///   if it has some later).
/// - `keep_empty_features` (default `false`): keep features that had no observed value at
///   fit, filled with 0 (or with the constant, for [`Strategy::Constant`]); by default they
///   are dropped from the output, as in scikit-learn.
///
/// # Fitted attributes
/// [`FittedSimpleImputer::statistics`], [`FittedSimpleImputer::kept_features`],
/// [`FittedSimpleImputer::indicator_features`] and
/// [`FittedSimpleImputer::feature_names_out`].
///
/// # Notes
/// Output columns: the kept features in input order, then the indicator columns in input
/// order. Sample weights are not defined (scikit-learn has none either): passing some gives
/// [`Error::Unsupported`]. Infinite values are rejected, not imputed.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SimpleImputer {
    /// How each feature's fill value is computed. By default, [`Strategy::Mean`].
    pub strategy: Strategy,
    /// Append missing-value indicator columns. By default, `false`.
    pub add_indicator: bool,
    /// Keep features with no observed value at fit. By default, `false` (they are dropped).
    pub keep_empty_features: bool,
}

impl SimpleImputer {
    /// Sets `strategy` (by default, [`Strategy::Mean`]).
    #[must_use]
    pub fn with_strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets `add_indicator` (by default, `false`).
    #[must_use]
    pub fn with_add_indicator(mut self, add_indicator: bool) -> Self {
        self.add_indicator = add_indicator;
        self
    }

    /// Sets `keep_empty_features` (by default, `false`).
    #[must_use]
    pub fn with_keep_empty_features(mut self, keep_empty_features: bool) -> Self {
        self.keep_empty_features = keep_empty_features;
        self
    }
}

impl Params for SimpleImputer {
    const NAME: &'static str = "SimpleImputer";

    fn validate(&self) -> Result<()> {
        if let Strategy::Constant(v) = self.strategy
            && !v.is_finite()
        {
            return Err(Error::invalid_param(
                Self::NAME,
                "strategy",
                format!("must hold a finite fill value for Constant; got Constant({v})"),
            ));
        }
        Ok(())
    }
}

impl FitUnsupervised for SimpleImputer {
    type Fitted = FittedSimpleImputer;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSimpleImputer> {
        self.validate()?;
        crate::scale::no_weights(Self::NAME, sample_weight)?;
        check::check_x(x, NanPolicy::AllowMissing)?;
        let counts_sums = colstats::count_sum(x);
        let mut statistics: Vec<f64> = match self.strategy {
            Strategy::Mean => counts_sums
                .iter()
                .enumerate()
                .map(|(j, &(c, s))| {
                    if s.is_finite() {
                        s / c
                    } else {
                        // The values are finite, so their sum overflowed: sum them scaled
                        // by a power of two (exact) and scale the mean back.
                        colstats::scaled_mean(x.column(j))
                    }
                })
                .collect(),
            Strategy::Median => colstats::sorted_columns(x, colstats::median_sorted),
            Strategy::MostFrequent => colstats::sorted_columns(x, colstats::mode_sorted),
            Strategy::Constant(v) => vec![v; x.ncols()],
        };
        let n = x.nrows() as f64;
        let mut kept = Vec::with_capacity(x.ncols());
        let mut indicator = Vec::new();
        for (j, (&(count, _), stat)) in counts_sums.iter().zip(&mut statistics).enumerate() {
            if count == 0.0 {
                *stat = match (self.keep_empty_features, self.strategy) {
                    (true, Strategy::Constant(v)) => v,
                    (true, _) => 0.0,
                    (false, _) => f64::NAN,
                };
            }
            if count > 0.0 || self.keep_empty_features {
                kept.push(j);
            }
            if self.add_indicator && count < n {
                indicator.push(j);
            }
        }
        Ok(FittedSimpleImputer {
            params: *self,
            n_features: x.ncols(),
            statistics: Array1::from(statistics),
            kept,
            indicator,
        })
    }
}

impl FitTransform for SimpleImputer {}

/// A fitted [`SimpleImputer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSimpleImputer {
    params: SimpleImputer,
    n_features: usize,
    statistics: Array1<f64>,
    kept: Vec<usize>,
    indicator: Vec<usize>,
}

impl FittedSimpleImputer {
    /// The params it was fitted with.
    pub fn params(&self) -> &SimpleImputer {
        &self.params
    }

    /// The fill value of each input feature (`statistics_`): NaN for a feature with no
    /// observed value at fit (which is dropped), unless `keep_empty_features` is on.
    pub fn statistics(&self) -> &Array1<f64> {
        &self.statistics
    }

    /// The input features that appear in the output, in order (all but the empty ones,
    /// unless `keep_empty_features`).
    pub fn kept_features(&self) -> &[usize] {
        &self.kept
    }

    /// The input features that get an indicator column (those with missing values at fit;
    /// `indicator_.features_` in scikit-learn); empty unless `add_indicator`.
    pub fn indicator_features(&self) -> &[usize] {
        &self.indicator
    }

    /// The number of output columns: kept features plus indicator columns.
    pub fn n_features_out(&self) -> usize {
        self.kept.len() + self.indicator.len()
    }

    /// The names of the output columns given the input feature names: the kept features'
    /// names, then `missingindicator_<name>` per indicator column (scikit-learn's
    /// `get_feature_names_out`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `input` does not hold one name per input feature.
    pub fn feature_names_out(&self, input: &[String]) -> Result<Vec<String>> {
        check::check_same_len(
            "number of input feature names against n_features_in",
            self.n_features,
            input.len(),
        )?;
        let kept = self.kept.iter().map(|&j| input[j].clone());
        let indicators = self
            .indicator
            .iter()
            .map(|&j| format!("missingindicator_{}", input[j]));
        Ok(kept.chain(indicators).collect())
    }
}

impl Fitted for FittedSimpleImputer {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Transform for FittedSimpleImputer {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            SimpleImputer::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        let k = self.kept.len();
        colstats::map_rows(x, self.n_features_out(), |row, out| {
            let (values, flags) = out.split_at_mut(k);
            for (o, &j) in values.iter_mut().zip(&self.kept) {
                let v = row[j];
                *o = if v.is_nan() { self.statistics[j] } else { v };
            }
            for (o, &j) in flags.iter_mut().zip(&self.indicator) {
                *o = if row[j].is_nan() { 1.0 } else { 0.0 };
            }
        })
    }
}

impl Persist for FittedSimpleImputer {
    const KIND: &'static str = "kiln_prep::SimpleImputer";
    type Params = SimpleImputer;

    fn params(&self) -> &SimpleImputer {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
