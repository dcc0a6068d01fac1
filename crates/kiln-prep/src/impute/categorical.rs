//! [`FrameImputer`]: missing values of a [`Frame`]'s categorical and numeric columns filled in,
//! giving a frame back.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, FitUnsupervised, Fitted, Params, Result, Transform};
use serde::{Deserialize, Serialize};

use super::{FittedSimpleImputer, SimpleImputer, Strategy};
use crate::{Categorical, Column, Frame, MISSING_CODE};

/// The value that replaces a categorical column's missing values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CategoricalStrategy {
    /// The most frequent category at fit; the smallest (in byte order) of those tied for most
    /// frequent, as scikit-learn (the default).
    #[default]
    MostFrequent,
    /// A fixed, non-empty category (scikit-learn's `strategy="constant"` with a string
    /// `fill_value`, whose default is `"missing_value"`). It need not be one of the column's
    /// categories.
    Constant(String),
}

/// A column's fill value: a number for a numeric column, a category for a categorical one
/// (scikit-learn's `statistics_`, an object array for string columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fill {
    /// The fill value of a numeric column.
    Number(f64),
    /// The fill value of a categorical column.
    Category(String),
}

/// Fills the missing values of chosen [`Frame`] columns: categorical columns with their most
/// frequent category or a constant, numeric columns through [`SimpleImputer`]'s strategies;
/// optionally appends missing-value indicator columns. Returns a frame, ready for the encoders.
///
/// # Parameters
/// - `categorical_strategy` (default [`CategoricalStrategy::MostFrequent`]): how categorical
///   columns are filled (scikit-learn's `strategy="most_frequent"` or `"constant"` with a
///   string `fill_value`).
/// - `numeric_strategy` (default [`Strategy::Mean`]): how numeric columns are filled, as
///   [`SimpleImputer`]'s `strategy`. A `Constant` must be finite.
/// - `add_indicator` (default `false`): append one `Bool` column `missingindicator_<name>` per
///   imputed column that had missing values at fit, true where the value was missing
///   (scikit-learn's `add_indicator=True`, `features="missing-only"`).
///
/// # Fitted attributes
/// [`FittedFrameImputer::statistics`] (`statistics_`), [`FittedFrameImputer::input_columns`]
/// and [`FittedFrameImputer::indicator_columns`] (`indicator_.features_` by name).
///
/// # Errors
/// `fit` fails for invalid params, an empty frame or column list, a column named twice or
/// absent, and a column with no observed value at fit under a strategy that learns from the
/// data (there is nothing to learn: use a constant, or drop the column). `transform` fails
/// when a fitted column is absent or changed between numeric and categorical (naming it), when
/// the frame already has a column named like one of the indicators it would add, and for
/// infinite numbers.
///
/// # Notes
/// - Why a frame comes out, not a matrix: the imputed categorical columns are still text, and
///   the encoders (and [`crate::encode::ColumnTransformer`]) read frames. So this type does not
///   implement `FrameTransform`, whose output is numbers.
/// - Columns not named at fit pass through unchanged; the output keeps the input's column
///   order, with the indicator columns last, in fitted-column order.
/// - An `Int` column stays `Int` when its fill value is a whole number (and a `Bool` column
///   `Bool` when it is 0 or 1); otherwise it becomes `Float`, so a mean is not rounded.
/// - Unlike scikit-learn, a column with no observed value is an error rather than silently
///   dropped (or, for `keep_empty_features`, filled with 0 or an empty string).
///
/// # Example
/// ```
/// use kiln_prep::CsvOptions;
/// use kiln_prep::impute::{CategoricalStrategy, Fill, FrameImputer, Strategy};
///
/// let csv = "island,sex,mass\nBiscoe,male,3750\nDream,,3800\nBiscoe,female,\nDream,female,4000\n";
/// let (frame, _) = CsvOptions::default().read_str(csv)?;
/// let imputer = FrameImputer::default()
///     .with_numeric_strategy(Strategy::Median)
///     .with_add_indicator(true)
///     .fit(&frame, &["sex", "mass"])?;
/// assert_eq!(imputer.statistics()[0], Fill::Category("female".into()));
/// assert_eq!(imputer.statistics()[1], Fill::Number(3800.0));
/// let filled = imputer.transform(&frame)?;
/// assert_eq!(filled.column("sex")?.format(1), "female");
/// assert_eq!(filled.column("mass")?.format(2), "3800");
/// assert_eq!(filled.column("missingindicator_sex")?.format(1), "true");
///
/// let constant = FrameImputer::default()
///     .with_categorical_strategy(CategoricalStrategy::Constant("unknown".into()))
///     .fit(&frame, &["sex"])?;
/// assert_eq!(constant.transform(&frame)?.column("sex")?.format(1), "unknown");
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FrameImputer {
    /// How categorical columns are filled. By default, [`CategoricalStrategy::MostFrequent`].
    pub categorical_strategy: CategoricalStrategy,
    /// How numeric columns are filled. By default, [`Strategy::Mean`].
    pub numeric_strategy: Strategy,
    /// Append missing-value indicator columns. By default, `false`.
    pub add_indicator: bool,
}

impl FrameImputer {
    /// Sets `categorical_strategy` (by default, [`CategoricalStrategy::MostFrequent`]).
    #[must_use]
    pub fn with_categorical_strategy(mut self, strategy: CategoricalStrategy) -> Self {
        self.categorical_strategy = strategy;
        self
    }

    /// Sets `numeric_strategy` (by default, [`Strategy::Mean`]).
    #[must_use]
    pub fn with_numeric_strategy(mut self, strategy: Strategy) -> Self {
        self.numeric_strategy = strategy;
        self
    }

    /// Sets `add_indicator` (by default, `false`).
    #[must_use]
    pub fn with_add_indicator(mut self, add_indicator: bool) -> Self {
        self.add_indicator = add_indicator;
        self
    }

    fn numeric_imputer(&self) -> SimpleImputer {
        // Columns without an observed value are refused before the numeric imputer sees them,
        // except under a constant, which fills them as scikit-learn's constant strategy does.
        SimpleImputer::default()
            .with_strategy(self.numeric_strategy)
            .with_keep_empty_features(true)
    }

    /// Learns the fill value of each of `columns` from `frame`.
    ///
    /// # Errors
    /// As listed under the type's `# Errors`.
    pub fn fit<S: AsRef<str>>(&self, frame: &Frame, columns: &[S]) -> Result<FittedFrameImputer> {
        self.validate()?;
        let names = check_columns(frame, columns)?;
        let mut statistics = Vec::with_capacity(names.len());
        let mut numeric = Vec::new();
        let mut indicator = Vec::new();
        for name in &names {
            let col = frame.column(name)?;
            let n_missing = col.n_missing();
            let learns = match col {
                Column::Categorical(_) => {
                    matches!(self.categorical_strategy, CategoricalStrategy::MostFrequent)
                }
                _ => !matches!(self.numeric_strategy, Strategy::Constant(_)),
            };
            if learns && n_missing == col.len() {
                return Err(Error::InvalidValue {
                    what: format!("column `{name}` given to {}", Self::NAME),
                    row: None,
                    reason: "every value is missing, so there is no statistic to learn; \
                             use a constant strategy or drop the column"
                        .into(),
                });
            }
            if self.add_indicator && n_missing > 0 {
                indicator.push(name.clone());
            }
            match col {
                Column::Categorical(c) => statistics.push(Fill::Category(self.category_fill(c))),
                _ => {
                    numeric.push(name.clone());
                    statistics.push(Fill::Number(f64::NAN));
                }
            }
        }
        let numeric_imputer = if numeric.is_empty() {
            None
        } else {
            let x = frame.to_array(&numeric)?;
            let fitted = self.numeric_imputer().fit(x.view())?;
            let numeric_fills = statistics.iter_mut().filter_map(|s| match s {
                Fill::Number(v) => Some(v),
                Fill::Category(_) => None,
            });
            for (v, &stat) in numeric_fills.zip(fitted.statistics()) {
                *v = stat;
            }
            Some(fitted)
        };
        Ok(FittedFrameImputer {
            params: self.clone(),
            input: names,
            statistics,
            numeric,
            numeric_imputer,
            indicator,
        })
    }

    /// The fill value of a categorical column (which has an observed value, or a constant).
    fn category_fill(&self, col: &Categorical) -> String {
        match &self.categorical_strategy {
            CategoricalStrategy::Constant(v) => v.clone(),
            CategoricalStrategy::MostFrequent => {
                let mut counts = vec![0usize; col.levels().len()];
                for &c in col.codes() {
                    if let Some(n) = counts.get_mut(c as usize) {
                        *n += 1;
                    }
                }
                // Levels are sorted, so the first level with the top count is the smallest of
                // those tied, as scikit-learn picks.
                let mut best = 0;
                for (i, &n) in counts.iter().enumerate() {
                    if n > counts[best] {
                        best = i;
                    }
                }
                col.levels().get(best).cloned().unwrap_or_default()
            }
        }
    }
}

impl Params for FrameImputer {
    const NAME: &'static str = "FrameImputer";

    fn validate(&self) -> Result<()> {
        if let CategoricalStrategy::Constant(v) = &self.categorical_strategy
            && v.is_empty()
        {
            return Err(Error::invalid_param(
                Self::NAME,
                "categorical_strategy",
                "must hold a non-empty category for Constant (an empty field reads back as \
                 missing); got Constant(\"\")",
            ));
        }
        if let Strategy::Constant(v) = self.numeric_strategy
            && !v.is_finite()
        {
            return Err(Error::invalid_param(
                Self::NAME,
                "numeric_strategy",
                format!("must hold a finite fill value for Constant; got Constant({v})"),
            ));
        }
        Ok(())
    }
}

/// A fitted [`FrameImputer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedFrameImputer {
    params: FrameImputer,
    input: Vec<String>,
    statistics: Vec<Fill>,
    numeric: Vec<String>,
    numeric_imputer: Option<FittedSimpleImputer>,
    indicator: Vec<String>,
}

impl FittedFrameImputer {
    /// The params it was fitted with.
    pub fn params(&self) -> &FrameImputer {
        &self.params
    }

    /// The imputed columns, in the order given at fit.
    pub fn input_columns(&self) -> &[String] {
        &self.input
    }

    /// The fill value of each imputed column, in [`FittedFrameImputer::input_columns`] order
    /// (`statistics_`).
    pub fn statistics(&self) -> &[Fill] {
        &self.statistics
    }

    /// The columns that get an indicator column (those with missing values at fit); empty
    /// unless `add_indicator`.
    pub fn indicator_columns(&self) -> &[String] {
        &self.indicator
    }

    /// The names of the appended indicator columns, `missingindicator_<name>`, in order.
    pub fn indicator_names(&self) -> Vec<String> {
        self.indicator
            .iter()
            .map(|n| format!("missingindicator_{n}"))
            .collect()
    }

    /// `frame` with the fitted columns' missing values filled and, with `add_indicator`, the
    /// indicator columns appended.
    ///
    /// # Errors
    /// As listed under [`FrameImputer`]'s `# Errors`.
    pub fn transform(&self, frame: &Frame) -> Result<Frame> {
        // An indicator must not replace a column of the frame (`with_column` would).
        if let Some(clash) = self
            .indicator_names()
            .into_iter()
            .find(|n| frame.names().contains(n))
        {
            return Err(Error::InvalidValue {
                what: format!("column `{clash}`"),
                row: None,
                reason: format!(
                    "the frame already has a column named `{clash}`, the name of a missing \
                     indicator this imputer adds; rename it or turn `add_indicator` off"
                ),
            });
        }
        let mut indicators = Vec::with_capacity(self.indicator.len());
        for name in &self.indicator {
            let col = frame.column(name)?;
            let flags = (0..col.len())
                .map(|i| f64::from(u8::from(col.is_missing(i))))
                .collect();
            indicators.push((format!("missingindicator_{name}"), Column::Bool(flags)));
        }
        let mut out = frame.clone();
        for (name, fill) in self.input.iter().zip(&self.statistics) {
            let col = frame.column(name)?;
            match (fill, col) {
                (Fill::Category(v), Column::Categorical(c)) => {
                    out = out.with_column(name, Column::Categorical(fill_category(c, v)?))?;
                }
                (Fill::Number(_), Column::Float(_) | Column::Int(_) | Column::Bool(_)) => {}
                _ => {
                    let want = match fill {
                        Fill::Category(_) => "categorical",
                        Fill::Number(_) => "numeric",
                    };
                    return Err(Error::InvalidValue {
                        what: format!("column `{name}`"),
                        row: None,
                        reason: format!(
                            "{} was fitted on it as {want}, but it is {}",
                            FrameImputer::NAME,
                            col.column_type()
                        ),
                    });
                }
            }
        }
        if let Some(imputer) = &self.numeric_imputer {
            let x = imputer.transform(frame.to_array(&self.numeric)?.view())?;
            for (j, name) in self.numeric.iter().enumerate() {
                let values = x.column(j).to_vec();
                let fill = imputer.statistics()[j];
                let column = match frame.column(name)? {
                    Column::Int(_) if fill.fract() == 0.0 => Column::Int(values),
                    Column::Bool(_) if fill == 0.0 || fill == 1.0 => Column::Bool(values),
                    _ => Column::Float(values),
                };
                out = out.with_column(name, column)?;
            }
        }
        for (name, col) in indicators {
            out = out.with_column(&name, col)?;
        }
        Ok(out)
    }
}

/// The column list of a fit: non-empty, each name once, over a frame with rows.
fn check_columns<S: AsRef<str>>(frame: &Frame, columns: &[S]) -> Result<Vec<String>> {
    let empty = |what: &str, reason: &str| Error::EmptyInput {
        what: format!("the {what} given to {}", FrameImputer::NAME),
        reason: reason.into(),
    };
    if columns.is_empty() {
        return Err(empty("columns", "0 columns (at least 1 is needed)"));
    }
    if frame.n_rows() == 0 {
        return Err(empty("frame", "0 rows (at least 1 is needed)"));
    }
    let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_owned()).collect();
    for (i, n) in names.iter().enumerate() {
        frame.index_of(n)?;
        if names[..i].contains(n) {
            return Err(Error::InvalidValue {
                what: format!("the columns given to {}", FrameImputer::NAME),
                row: None,
                reason: format!("`{n}` appears twice"),
            });
        }
    }
    Ok(names)
}

/// `col` with its missing rows set to `fill` (added as a level when it is not one).
fn fill_category(col: &Categorical, fill: &str) -> Result<Categorical> {
    let mut levels = col.levels().to_vec();
    let code = match levels.iter().position(|l| l == fill) {
        Some(i) => i,
        None => {
            levels.push(fill.to_owned());
            levels.len() - 1
        }
    };
    let codes = col
        .codes()
        .iter()
        .map(|&c| if c == MISSING_CODE { code as u32 } else { c })
        .collect();
    Categorical::from_codes(codes, levels)
}

impl Fitted for FittedFrameImputer {
    fn n_features_in(&self) -> usize {
        self.input.len()
    }
}

impl Persist for FittedFrameImputer {
    const KIND: &'static str = "kiln_prep::FrameImputer";
    type Params = FrameImputer;

    fn params(&self) -> &FrameImputer {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.input.clone())
    }
}
