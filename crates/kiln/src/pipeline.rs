//! [`Pipeline`]: preparation steps and a final estimator, fitted on a raw [`Frame`], saved as
//! one artifact that knows its input schema.
//!
//! A pipeline reads the columns of a raw frame (numbers with missing values, text
//! categories), turns them into a matrix with a kiln-prep [`ColumnTransformer`] (built
//! automatically for the estimator, or given), optionally selects features, and fits the
//! estimator. The fitted pipeline records the input columns and their types
//! ([`InputSchema`]) and checks every frame it is given against them, so predicting on raw
//! rows cannot silently misalign features.
//!
//! The automatic preparation ([`AutoPrep`]) does what an experienced scikit-learn user
//! would write by hand, adapted to the estimator ([`PipelineEstimator::prep_needs`]):
//! numeric columns are imputed with their median unless the estimator handles NaN itself
//! (trees), and standardized when the estimator is fitted by gradients, penalties or
//! distances (linear models, k-means); categorical columns are one-hot encoded (unknown
//! categories at predict become all zeros, missing is a category of its own) or, for
//! histogram gradient boosting, given as category codes the model splits on natively.
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::linear::LogisticRegression;
//! use kiln::pipeline::Pipeline;
//! use kiln::prelude::*;
//! use kiln::prep::CsvOptions;
//!
//! let (frame, _) = CsvOptions::default().read_str(Dataset::GermanCredit.csv())?;
//! // The target: 1 for the positive class `good`, 0 for `bad`.
//! let credit = frame.column("credit")?;
//! let y: ndarray::Array1<usize> =
//!     (0..frame.n_rows()).map(|i| usize::from(credit.format(i) == "good")).collect();
//!
//! let pipeline = Pipeline::new(LogisticRegression::default())
//!     .with_exclude(["credit", "sex", "age_group"]);
//! let fitted = pipeline.fit(&frame, y.view())?;
//! assert_eq!(fitted.schema().len(), 20); // 23 columns less the target and two sensitive ones
//! let proba = fitted.predict_proba(&frame)?;
//! assert_eq!(proba.dim(), (1000, 2));
//!
//! // Rows missing a column the model reads are refused with a clear message.
//! let partial = frame.drop_columns(&["duration"])?;
//! let err = fitted.predict(&partial).unwrap_err();
//! assert!(err.to_string().contains("missing column `duration`"));
//! # Ok::<(), kiln::Error>(())
//! ```

mod fitted;
mod needs;
mod on_frame;
mod schema;
mod steps;

pub use fitted::FittedPipeline;
pub use needs::{CategoricalPrep, PipelineEstimator, PrepNeeds};
pub use on_frame::{FittedOnFrame, OnFrame, row_ids};
pub use schema::{InputColumn, InputSchema};
pub use steps::{FittedSelectStep, PipelineTarget, SelectStep};

use kiln_core::{Error, Fit, FitUnsupervised, Params, Result, check};
use kiln_prep::Frame;
use kiln_prep::encode::{
    ColumnTransformer, FittedColumnTransformer, FrameTransform, HandleUnknown, NumericStep,
    OneHotEncoder, OrdinalEncoder, OrdinalUnknown, Step,
};
use kiln_prep::impute::{SimpleImputer, Strategy};
use kiln_prep::scale::StandardScaler;
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// The automatic preparation's settings; see the [module docs](self) for what it does.
///
/// # Parameters
/// - `impute` (default [`Strategy::Median`]): how numeric missing values are filled for
///   estimators that cannot take NaN.
/// - `add_indicator` (default `false`): also add a 0/1 column per numeric column with missing
///   values at fit (scikit-learn's `add_indicator`).
/// - `scale` (default `None`: as the estimator needs): standardize numeric columns.
/// - `categorical` (default `None`: as the estimator needs): one-hot or native codes.
/// - `min_frequency` (default `None`): one-hot categories seen fewer times at fit are grouped
///   into one `infrequent` column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AutoPrep {
    /// Numeric imputation strategy. By default, the median.
    pub impute: Strategy,
    /// Add missing-indicator columns. By default, `false`.
    pub add_indicator: bool,
    /// Standardize numeric columns. By default, `None` (as the estimator needs).
    pub scale: Option<bool>,
    /// Categorical encoding. By default, `None` (as the estimator needs).
    pub categorical: Option<CategoricalPrep>,
    /// Group rare categories. By default, `None`.
    pub min_frequency: Option<usize>,
}

impl Default for AutoPrep {
    fn default() -> Self {
        Self {
            impute: Strategy::Median,
            add_indicator: false,
            scale: None,
            categorical: None,
            min_frequency: None,
        }
    }
}

/// How a pipeline turns the raw frame into features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Prep {
    /// Built from the frame's column types and the estimator's needs ([`AutoPrep`]).
    Auto(AutoPrep),
    /// The given column transformer, as is (its columns are the pipeline's input columns).
    Columns(ColumnTransformer),
}

impl Default for Prep {
    fn default() -> Self {
        Prep::Auto(AutoPrep::default())
    }
}

/// Preparation steps and a final estimator, fitted on a raw [`Frame`]; see the
/// [module docs](self).
///
/// # Parameters
/// - `features` (default `None`: every column of the training frame not in `exclude`): the
///   input columns, for [`Prep::Auto`]. With [`Prep::Columns`] the transformer's columns are
///   the inputs and `features` must be `None`.
/// - `exclude` (default none): columns never used as features (the target, identifiers,
///   sensitive columns, leakage).
/// - `prep` (default [`Prep::Auto`] with [`AutoPrep::default`]).
/// - `select` (default none): feature selection steps after the preparation.
/// - `estimator`: the final estimator's params.
///
/// # Fitted attributes
/// See [`FittedPipeline`].
///
/// # Errors
/// `fit` returns the errors of [`Params::validate`] (duplicate or empty column names, a
/// custom transformer with `features` set, the estimator's own), a target whose length is not
/// the frame's row count, a frame with no usable feature column, and the errors of each
/// step and of the estimator (each names its step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline<E> {
    /// The input columns. By default, `None` (all but `exclude`).
    pub features: Option<Vec<String>>,
    /// Columns that are never features. By default, none.
    pub exclude: Vec<String>,
    /// The preparation. By default, automatic.
    pub prep: Prep,
    /// Feature selection. By default, none.
    pub select: Vec<SelectStep>,
    /// The final estimator.
    pub estimator: E,
}

impl<E> Pipeline<E> {
    /// A pipeline with automatic preparation ending in `estimator`.
    pub fn new(estimator: E) -> Self {
        Self {
            features: None,
            exclude: Vec::new(),
            prep: Prep::default(),
            select: Vec::new(),
            estimator,
        }
    }

    /// Sets `features` (by default, `None`: all columns but `exclude`).
    #[must_use]
    pub fn with_features<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.features = Some(
            columns
                .into_iter()
                .map(|c| c.as_ref().to_string())
                .collect(),
        );
        self
    }

    /// Sets `exclude` (by default, none).
    #[must_use]
    pub fn with_exclude<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.exclude = columns
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self
    }

    /// Sets `prep` (by default, [`Prep::Auto`]).
    #[must_use]
    pub fn with_prep(mut self, prep: Prep) -> Self {
        self.prep = prep;
        self
    }

    /// Appends a selection step (by default, none).
    #[must_use]
    pub fn with_select(mut self, step: SelectStep) -> Self {
        self.select.push(step);
        self
    }

    /// A pipeline bound to `frame`, for kiln-select's cross-validation and search; see
    /// [`OnFrame`].
    pub fn on<'f>(&self, frame: &'f Frame) -> OnFrame<'f, E>
    where
        E: Clone,
    {
        OnFrame::new(self.clone(), frame)
    }

    fn input_columns(&self, frame: &Frame) -> Result<Vec<String>> {
        let columns: Vec<String> = match (&self.prep, &self.features) {
            (Prep::Columns(ct), _) => ct
                .transformers
                .iter()
                .flat_map(|(_, _, cols)| cols.iter().cloned())
                .collect(),
            (Prep::Auto(_), Some(f)) => f.clone(),
            (Prep::Auto(_), None) => frame
                .names()
                .iter()
                .filter(|c| !self.exclude.contains(c))
                .cloned()
                .collect(),
        };
        if let Some(c) = columns.iter().find(|c| self.exclude.contains(c)) {
            return Err(Error::invalid_param(
                "Pipeline",
                "features",
                format!("names `{c}`, which is also excluded"),
            ));
        }
        if columns.is_empty() {
            return Err(Error::EmptyInput {
                what: "the pipeline's feature columns".into(),
                reason: format!(
                    "no column is left to learn from (the frame has {}; excluded: {})",
                    frame.names().join(", "),
                    self.exclude.join(", ")
                ),
            });
        }
        for c in &columns {
            frame.index_of(c)?;
        }
        Ok(columns)
    }
}

impl<E: Params> Params for Pipeline<E> {
    const NAME: &'static str = "Pipeline";

    fn validate(&self) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for c in self.features.iter().flatten() {
            if c.is_empty() || !seen.insert(c) {
                return Err(Error::invalid_param(
                    Self::NAME,
                    "features",
                    format!("must hold distinct, non-empty names; `{c}` is not"),
                ));
            }
        }
        if matches!(self.prep, Prep::Columns(_)) && self.features.is_some() {
            return Err(Error::invalid_param(
                Self::NAME,
                "features",
                "must be None with a custom column transformer, whose columns are the inputs",
            ));
        }
        if let Prep::Columns(ct) = &self.prep {
            ct.validate()?;
        }
        for s in &self.select {
            s.validate()?;
        }
        self.estimator.validate()
    }
}

/// The column transformer of the automatic preparation for `frame`'s `columns`.
fn auto_transformer(
    auto: &AutoPrep,
    needs: PrepNeeds,
    frame: &Frame,
    columns: &[String],
) -> Result<ColumnTransformer> {
    let mut numeric = Vec::new();
    let mut categorical = Vec::new();
    for c in columns {
        if frame.column(c)?.column_type().is_numeric() {
            numeric.push(c.clone());
        } else {
            categorical.push(c.clone());
        }
    }
    let mut ct = ColumnTransformer::default();
    if !numeric.is_empty() {
        let mut steps = Vec::new();
        if !needs.native_missing || auto.add_indicator {
            let imputer = SimpleImputer {
                strategy: auto.impute,
                add_indicator: auto.add_indicator,
                ..SimpleImputer::default()
            };
            steps.push(NumericStep::Impute(imputer));
        }
        if auto.scale.unwrap_or(needs.scale) {
            steps.push(NumericStep::Standard(StandardScaler::default()));
        }
        ct = ct.with_numeric("num", &numeric, steps);
    }
    if !categorical.is_empty() {
        let step = match auto.categorical.unwrap_or(needs.categorical) {
            CategoricalPrep::OneHot => Step::OneHot(OneHotEncoder {
                handle_unknown: HandleUnknown::Ignore,
                min_frequency: auto.min_frequency,
                ..OneHotEncoder::default()
            }),
            CategoricalPrep::Native => Step::Ordinal(OrdinalEncoder {
                handle_unknown: OrdinalUnknown::Value(f64::NAN),
                encoded_missing_value: f64::NAN,
            }),
        };
        ct = ct.with_step("cat", &categorical, step);
    }
    Ok(ct)
}

/// The output columns of a native-categorical `cat` step.
fn native_columns(ct: &FittedColumnTransformer) -> Vec<usize> {
    ct.feature_names_out()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with("cat__"))
        .map(|(i, _)| i)
        .collect()
}

/// Everything fitted before the estimator.
struct Prepared {
    schema: InputSchema,
    transformer: FittedColumnTransformer,
    x: Array2<f64>,
    native: Vec<usize>,
}

impl<E: Params + PipelineEstimator> Pipeline<E> {
    fn prepare(&self, frame: &Frame) -> Result<Prepared> {
        self.validate()?;
        let columns = self.input_columns(frame)?;
        let schema = InputSchema::from_frame(frame, &columns)?;
        let inputs = schema.conform(frame)?;
        let needs = self.estimator.prep_needs();
        let (ct, native) = match &self.prep {
            Prep::Auto(auto) => {
                let ct = auto_transformer(auto, needs, &inputs, &columns)?;
                let native =
                    auto.categorical.unwrap_or(needs.categorical) == CategoricalPrep::Native;
                (ct, native)
            }
            Prep::Columns(ct) => (ct.clone(), false),
        };
        let transformer = ct.fit(&inputs)?;
        let x = transformer.transform_frame(&inputs)?;
        let native = if native {
            native_columns(&transformer)
        } else {
            Vec::new()
        };
        Ok(Prepared {
            schema,
            transformer,
            x,
            native,
        })
    }

    fn estimator_for(&self, native: &[usize]) -> E {
        let mut est = self.estimator.clone();
        if !native.is_empty() {
            est.set_categorical_features(native);
        }
        est
    }
}

impl<E> Pipeline<E>
where
    E: Fit + PipelineEstimator,
    E::Target: PipelineTarget,
{
    /// Fits every step on `frame` and the estimator on the result, with target `y` (one entry
    /// per row of `frame`).
    ///
    /// # Errors
    /// See the type's `# Errors`.
    pub fn fit(
        &self,
        frame: &Frame,
        y: ArrayView1<'_, E::Target>,
    ) -> Result<FittedPipeline<E::Fitted>> {
        self.fit_weighted(frame, y, None)
    }

    /// [`Pipeline::fit`] with sample weights (given to the estimator).
    ///
    /// # Errors
    /// See the type's `# Errors`; weights of the wrong length or negative.
    pub fn fit_weighted(
        &self,
        frame: &Frame,
        y: ArrayView1<'_, E::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedPipeline<E::Fitted>> {
        self.fit_weighted_with(frame, y, sample_weight, |e, x, y, w| {
            e.fit_weighted(x, y, w)
        })
    }

    /// [`Pipeline::fit_weighted`] with the final fit made by `fit(estimator, x, y, weights)`
    /// on the prepared features: a way to fit with options the [`Fit`] trait does not carry
    /// (a progress callback, an evaluation set).
    ///
    /// # Errors
    /// As [`Pipeline::fit_weighted`], and `fit`'s.
    pub fn fit_weighted_with<F>(
        &self,
        frame: &Frame,
        y: ArrayView1<'_, E::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        fit: F,
    ) -> Result<FittedPipeline<E::Fitted>>
    where
        F: FnOnce(
            &E,
            ArrayView2<'_, f64>,
            ArrayView1<'_, E::Target>,
            Option<ArrayView1<'_, f64>>,
        ) -> Result<E::Fitted>,
    {
        check::check_same_len(
            "length of y against rows of the frame",
            frame.n_rows(),
            y.len(),
        )?;
        let prepared = self.prepare(frame)?;
        let mut x = prepared.x;
        let mut select = Vec::with_capacity(self.select.len());
        for step in &self.select {
            let fitted = E::Target::fit_select(step, x.view(), y)?;
            x = fitted.transform(x.view())?;
            select.push(fitted);
        }
        let model = fit(
            &self.estimator_for(&prepared.native),
            x.view(),
            y,
            sample_weight,
        )?;
        Ok(FittedPipeline::new(
            prepared.schema,
            prepared.transformer,
            select,
            model,
        ))
    }
}

impl<E> Pipeline<E>
where
    E: FitUnsupervised + PipelineEstimator,
{
    /// Fits every step and the (unsupervised) estimator on `frame`.
    ///
    /// # Errors
    /// See the type's `# Errors`; a k-best selection step (it needs a target).
    pub fn fit_unsupervised(&self, frame: &Frame) -> Result<FittedPipeline<E::Fitted>> {
        self.fit_unsupervised_weighted(frame, None)
    }

    /// [`Pipeline::fit_unsupervised`] with sample weights.
    ///
    /// # Errors
    /// As [`Pipeline::fit_unsupervised`].
    pub fn fit_unsupervised_weighted(
        &self,
        frame: &Frame,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedPipeline<E::Fitted>> {
        let prepared = self.prepare(frame)?;
        let mut x = prepared.x;
        let mut select = Vec::with_capacity(self.select.len());
        for step in &self.select {
            let fitted = step.fit_unsupervised(x.view())?;
            x = fitted.transform(x.view())?;
            select.push(fitted);
        }
        let model = self
            .estimator_for(&prepared.native)
            .fit_weighted(x.view(), sample_weight)?;
        Ok(FittedPipeline::new(
            prepared.schema,
            prepared.transformer,
            select,
            model,
        ))
    }
}
