//! [`ColumnTransformer`]: different steps for different columns, outputs side by side.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, FitUnsupervised, Fitted, Params, Result, Transform};
use ndarray::{Array2, ArrayView2, Axis, concatenate};
use serde::{Deserialize, Serialize};

use super::common;
use super::{
    FittedOneHotEncoder, FittedOrdinalEncoder, FrameTransform, OneHotEncoder, OrdinalEncoder,
};
use crate::Frame;
use crate::impute::{FittedSimpleImputer, SimpleImputer};
use crate::scale::{
    FittedMaxAbsScaler, FittedMinMaxScaler, FittedRobustScaler, FittedStandardScaler, MaxAbsScaler,
    MinMaxScaler, RobustScaler, StandardScaler,
};

/// One stage of a numeric pipeline, applied to the output of the stage before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum NumericStep {
    /// Fill missing values ([`SimpleImputer`]; may drop all-missing columns and append
    /// indicator columns, which renames the outputs accordingly).
    Impute(SimpleImputer),
    /// Standardize ([`StandardScaler`]).
    Standard(StandardScaler),
    /// Scale to a range ([`MinMaxScaler`]).
    MinMax(MinMaxScaler),
    /// Centre on the median and scale by a quantile range ([`RobustScaler`]).
    Robust(RobustScaler),
    /// Divide by the maximum absolute value ([`MaxAbsScaler`]).
    MaxAbs(MaxAbsScaler),
}

/// A fitted [`NumericStep`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedNumericStep {
    /// A fitted imputer.
    Impute(FittedSimpleImputer),
    /// A fitted standard scaler.
    Standard(FittedStandardScaler),
    /// A fitted min-max scaler.
    MinMax(FittedMinMaxScaler),
    /// A fitted robust scaler.
    Robust(FittedRobustScaler),
    /// A fitted max-abs scaler.
    MaxAbs(FittedMaxAbsScaler),
}

impl NumericStep {
    fn validate(&self) -> Result<()> {
        match self {
            NumericStep::Impute(p) => p.validate(),
            NumericStep::Standard(p) => p.validate(),
            NumericStep::MinMax(p) => p.validate(),
            NumericStep::Robust(p) => p.validate(),
            NumericStep::MaxAbs(p) => p.validate(),
        }
    }

    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<FittedNumericStep> {
        Ok(match self {
            NumericStep::Impute(p) => FittedNumericStep::Impute(p.fit(x)?),
            NumericStep::Standard(p) => FittedNumericStep::Standard(p.fit(x)?),
            NumericStep::MinMax(p) => FittedNumericStep::MinMax(p.fit(x)?),
            NumericStep::Robust(p) => FittedNumericStep::Robust(p.fit(x)?),
            NumericStep::MaxAbs(p) => FittedNumericStep::MaxAbs(p.fit(x)?),
        })
    }
}

impl FittedNumericStep {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        match self {
            FittedNumericStep::Impute(m) => m.transform(x),
            FittedNumericStep::Standard(m) => m.transform(x),
            FittedNumericStep::MinMax(m) => m.transform(x),
            FittedNumericStep::Robust(m) => m.transform(x),
            FittedNumericStep::MaxAbs(m) => m.transform(x),
        }
    }

    fn names_out(&self, input: &[String]) -> Result<Vec<String>> {
        match self {
            FittedNumericStep::Impute(m) => m.feature_names_out(input),
            _ => Ok(input.to_vec()),
        }
    }
}

/// What a [`ColumnTransformer`] does to a set of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// One-hot encode categorical columns.
    OneHot(OneHotEncoder),
    /// Ordinal encode categorical columns.
    Ordinal(OrdinalEncoder),
    /// Numeric columns through these stages in order (none: pass them through unchanged).
    Numeric(Vec<NumericStep>),
}

/// What happens to the frame's columns that no step names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Remainder {
    /// Leave them out of the output (the default, as in scikit-learn).
    #[default]
    Drop,
    /// Append them, unchanged, after every step's output. Only numeric columns can pass
    /// through: a categorical column left over is an error at fit.
    Passthrough,
}

/// Applies a step to each named set of columns of a [`Frame`] and puts the outputs side by
/// side, as scikit-learn's `ColumnTransformer`.
///
/// # Parameters
/// - `transformers` (default empty): `(name, step, columns)` triples, applied in order.
///   Names must be distinct, non-empty, without `__`, and not `remainder`; a column may be
///   named by one step only.
/// - `remainder` (default [`Remainder::Drop`]): drop or pass through the columns no step
///   names.
/// - `verbose_feature_names_out` (default `true`): prefix each output name with its step's
///   name and `__` (`remainder__` for passed-through columns), as scikit-learn.
///
/// # Fitted attributes
/// [`FittedColumnTransformer::steps`], [`FittedColumnTransformer::remainder_columns`] and
/// [`FrameTransform::feature_names_out`].
///
/// # Notes
/// Every step is fitted on the training frame only; `transform_frame` applies the fitted steps
/// unchanged, reading columns by name, so a new frame may order its columns differently or
/// hold extra ones. Outputs are in the order of `transformers`, then the remainder in frame
/// order.
///
/// # Errors
/// [`Error::InvalidParameter`] (at `validate` or `fit`) for a bad step name, a column in two
/// steps, a column the frame does not have, a categorical column given to a numeric step or a
/// numeric column to an encoder, a categorical column left over with
/// [`Remainder::Passthrough`], and two output columns with the same name (possible with
/// `verbose_feature_names_out = false`); each step's own errors. A step that names no
/// columns is skipped: it has no output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnTransformer {
    /// `(name, step, columns)` triples. By default, empty.
    pub transformers: Vec<(String, Step, Vec<String>)>,
    /// What to do with unnamed columns. By default, [`Remainder::Drop`].
    pub remainder: Remainder,
    /// Prefix output names with `<step>__`. By default, `true`.
    pub verbose_feature_names_out: bool,
}

impl Default for ColumnTransformer {
    fn default() -> Self {
        Self {
            transformers: Vec::new(),
            remainder: Remainder::Drop,
            verbose_feature_names_out: true,
        }
    }
}

impl ColumnTransformer {
    /// Adds a step named `name` over `columns`.
    #[must_use]
    pub fn with_step<S: AsRef<str>>(mut self, name: &str, columns: &[S], step: Step) -> Self {
        let columns = columns.iter().map(|c| c.as_ref().to_owned()).collect();
        self.transformers.push((name.to_owned(), step, columns));
        self
    }

    /// Adds a numeric pipeline named `name` over `columns` (shorthand for
    /// [`Step::Numeric`]).
    #[must_use]
    pub fn with_numeric<S: AsRef<str>>(
        self,
        name: &str,
        columns: &[S],
        steps: Vec<NumericStep>,
    ) -> Self {
        self.with_step(name, columns, Step::Numeric(steps))
    }

    /// Sets `remainder` (by default, [`Remainder::Drop`]).
    #[must_use]
    pub fn with_remainder(mut self, remainder: Remainder) -> Self {
        self.remainder = remainder;
        self
    }

    /// Sets `verbose_feature_names_out` (by default, `true`).
    #[must_use]
    pub fn with_verbose_feature_names_out(mut self, verbose: bool) -> Self {
        self.verbose_feature_names_out = verbose;
        self
    }

    fn bad(reason: String) -> Error {
        Error::invalid_param(Self::NAME, "transformers", reason)
    }

    /// Fits every step on `frame`.
    ///
    /// # Errors
    /// As listed under the type's `# Errors`, and [`Error::EmptyInput`] for a frame without
    /// rows.
    pub fn fit(&self, frame: &Frame) -> Result<FittedColumnTransformer> {
        self.validate()?;
        if frame.n_rows() == 0 {
            return Err(Error::EmptyInput {
                what: format!("the frame given to {}", Self::NAME),
                reason: "0 rows (at least 1 is needed)".into(),
            });
        }
        for (name, step, columns) in &self.transformers {
            for c in columns {
                let col = frame.column(c).map_err(|_| {
                    Self::bad(format!(
                        "names column `{c}` in step `{name}`, but the frame has no such \
                         column; its columns are: {}",
                        frame.names().join(", ")
                    ))
                })?;
                let numeric_step = matches!(step, Step::Numeric(_));
                if numeric_step != col.column_type().is_numeric() {
                    let (kind, wants) = if numeric_step {
                        ("categorical", "numeric; give it to an encoder step")
                    } else {
                        (
                            col.column_type().name(),
                            "categorical; give it to a numeric step",
                        )
                    };
                    return Err(Self::bad(format!(
                        "gives {kind} column `{c}` to step `{name}`, which takes {wants}"
                    )));
                }
            }
        }
        let used: Vec<&String> = self.transformers.iter().flat_map(|t| &t.2).collect();
        let mut remainder_columns = Vec::new();
        if self.remainder == Remainder::Passthrough {
            for (n, col) in frame.names().iter().zip(frame.columns()) {
                if used.contains(&n) {
                    continue;
                }
                if !col.column_type().is_numeric() {
                    return Err(Error::invalid_param(
                        Self::NAME,
                        "remainder",
                        format!(
                            "must be Drop when a categorical column is left over, but \
                             `{n}` is named by no step; encode it in a step or use Drop"
                        ),
                    ));
                }
                remainder_columns.push(n.clone());
            }
        }
        let mut steps = Vec::with_capacity(self.transformers.len());
        for (name, step, columns) in &self.transformers {
            if columns.is_empty() {
                // A step that selects no columns has nothing to fit and no output (as in
                // scikit-learn), so a column list built from the data may come out empty.
                continue;
            }
            let fitted = match step {
                Step::OneHot(p) => FittedStep::OneHot(p.fit(frame, columns)?),
                Step::Ordinal(p) => FittedStep::Ordinal(p.fit(frame, columns)?),
                Step::Numeric(stages) => {
                    FittedStep::Numeric(FittedNumericPipeline::fit(frame, columns, stages)?)
                }
            };
            steps.push((name.clone(), fitted));
        }
        let input: Vec<String> = frame
            .names()
            .iter()
            .filter(|n| used.contains(n) || remainder_columns.contains(n))
            .cloned()
            .collect();
        let fitted = FittedColumnTransformer {
            params: self.clone(),
            input,
            steps,
            remainder_columns,
        };
        let names = fitted.feature_names_out();
        let mut seen = std::collections::HashSet::with_capacity(names.len());
        if let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(Error::invalid_param(
                Self::NAME,
                "verbose_feature_names_out",
                format!(
                    "would give two output columns the name `{dup}`; set it to true (each \
                     name then carries its step's prefix) or rename the clashing column"
                ),
            ));
        }
        Ok(fitted)
    }
}

impl Params for ColumnTransformer {
    const NAME: &'static str = "ColumnTransformer";

    fn validate(&self) -> Result<()> {
        for (i, (name, step, columns)) in self.transformers.iter().enumerate() {
            if name.is_empty() || name.contains("__") || name == "remainder" {
                return Err(Self::bad(format!(
                    "must have non-empty step names without `__` other than `remainder`; \
                     got `{name}`"
                )));
            }
            if let Some((other, ..)) = self.transformers[..i].iter().find(|t| &t.0 == name) {
                return Err(Self::bad(format!("names step `{other}` twice")));
            }
            for (k, c) in columns.iter().enumerate() {
                if columns[..k].contains(c) {
                    return Err(Self::bad(format!(
                        "names column `{c}` twice in step `{name}`"
                    )));
                }
                if let Some((other, ..)) = self.transformers[..i].iter().find(|t| t.2.contains(c)) {
                    return Err(Self::bad(format!(
                        "names column `{c}` in two steps, `{other}` and `{name}`"
                    )));
                }
            }
            match step {
                Step::OneHot(p) => p.validate()?,
                Step::Ordinal(p) => p.validate()?,
                Step::Numeric(stages) => stages.iter().try_for_each(NumericStep::validate)?,
            }
        }
        Ok(())
    }
}

/// A fitted numeric pipeline: its input columns, fitted stages and output names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedNumericPipeline {
    input: Vec<String>,
    stages: Vec<FittedNumericStep>,
    names_out: Vec<String>,
}

impl FittedNumericPipeline {
    fn fit(frame: &Frame, columns: &[String], stages: &[NumericStep]) -> Result<Self> {
        let mut x = frame.to_array(columns)?;
        let mut names = columns.to_vec();
        let mut fitted = Vec::with_capacity(stages.len());
        for s in stages {
            let m = s.fit(x.view())?;
            x = m.transform(x.view())?;
            names = m.names_out(&names)?;
            fitted.push(m);
        }
        Ok(Self {
            input: columns.to_vec(),
            stages: fitted,
            names_out: names,
        })
    }

    /// The fitted stages, in order.
    pub fn stages(&self) -> &[FittedNumericStep] {
        &self.stages
    }
}

impl FrameTransform for FittedNumericPipeline {
    fn input_columns(&self) -> &[String] {
        &self.input
    }

    fn transform_frame(&self, frame: &Frame) -> Result<Array2<f64>> {
        for c in &self.input {
            common::numeric(frame, c, "a numeric step")?;
        }
        let mut x = frame.to_array(&self.input)?;
        for s in &self.stages {
            x = s.transform(x.view())?;
        }
        Ok(x)
    }

    fn feature_names_out(&self) -> Vec<String> {
        self.names_out.clone()
    }
}

/// A fitted [`Step`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedStep {
    /// A fitted one-hot encoder.
    OneHot(FittedOneHotEncoder),
    /// A fitted ordinal encoder.
    Ordinal(FittedOrdinalEncoder),
    /// A fitted numeric pipeline.
    Numeric(FittedNumericPipeline),
}

impl FittedStep {
    fn as_transform(&self) -> &dyn FrameTransform {
        match self {
            FittedStep::OneHot(m) => m,
            FittedStep::Ordinal(m) => m,
            FittedStep::Numeric(m) => m,
        }
    }
}

/// A fitted [`ColumnTransformer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedColumnTransformer {
    params: ColumnTransformer,
    input: Vec<String>,
    steps: Vec<(String, FittedStep)>,
    remainder_columns: Vec<String>,
}

impl FittedColumnTransformer {
    /// The params it was fitted with.
    pub fn params(&self) -> &ColumnTransformer {
        &self.params
    }

    /// The fitted steps with their names, in order (`named_transformers_`).
    pub fn steps(&self) -> &[(String, FittedStep)] {
        &self.steps
    }

    /// The columns passed through as the remainder (empty with [`Remainder::Drop`]).
    pub fn remainder_columns(&self) -> &[String] {
        &self.remainder_columns
    }
}

impl FrameTransform for FittedColumnTransformer {
    /// The frame columns read (those named by a step, and the remainder), in the training
    /// frame's order.
    fn input_columns(&self) -> &[String] {
        &self.input
    }

    fn transform_frame(&self, frame: &Frame) -> Result<Array2<f64>> {
        let mut parts = Vec::with_capacity(self.steps.len() + 1);
        for (_, step) in &self.steps {
            parts.push(step.as_transform().transform_frame(frame)?);
        }
        if !self.remainder_columns.is_empty() {
            for c in &self.remainder_columns {
                common::numeric(frame, c, "the remainder")?;
            }
            parts.push(frame.to_array(&self.remainder_columns)?);
        }
        if parts.is_empty() {
            return Ok(Array2::zeros((frame.n_rows(), 0)));
        }
        let views: Vec<ArrayView2<'_, f64>> = parts.iter().map(|p| p.view()).collect();
        concatenate(Axis(1), &views).map_err(|e| Error::InvalidValue {
            what: "step outputs".into(),
            row: None,
            reason: format!("could not be put side by side: {e}"),
        })
    }

    fn feature_names_out(&self) -> Vec<String> {
        let verbose = self.params.verbose_feature_names_out;
        let prefix = |step: &str, n: &str| {
            if verbose {
                format!("{step}__{n}")
            } else {
                n.to_owned()
            }
        };
        let mut names = Vec::new();
        for (name, step) in &self.steps {
            names.extend(
                step.as_transform()
                    .feature_names_out()
                    .iter()
                    .map(|n| prefix(name, n)),
            );
        }
        names.extend(
            self.remainder_columns
                .iter()
                .map(|n| prefix("remainder", n)),
        );
        names
    }
}

impl Fitted for FittedColumnTransformer {
    fn n_features_in(&self) -> usize {
        self.input.len()
    }
}

impl Persist for FittedColumnTransformer {
    const KIND: &'static str = "kiln_prep::ColumnTransformer";
    type Params = ColumnTransformer;

    fn params(&self) -> &ColumnTransformer {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.input.clone())
    }
}
