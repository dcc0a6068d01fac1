//! [`FittedPipeline`]: the fitted preparation and model, applied to raw frames.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Predict, PredictProba, Result, Transform};
use kiln_prep::Frame;
use kiln_prep::encode::{FittedColumnTransformer, FrameTransform};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::schema::InputSchema;
use super::steps::FittedSelectStep;

/// A fitted [`Pipeline`](super::Pipeline): the input schema, the fitted column transformer,
/// the fitted selection steps and the fitted model `M`.
///
/// # Fitted attributes
/// [`FittedPipeline::schema`] (input columns and types), [`FittedPipeline::transformer`],
/// [`FittedPipeline::select_steps`], [`FittedPipeline::feature_names_out`] (the model's
/// feature names, e.g. `num__age`, `cat__housing=own`), [`FittedPipeline::model`].
///
/// # Errors
/// Every method taking a frame first conforms it to the schema
/// ([`InputSchema::conform`]): a missing column, or text where numbers were trained on, is
/// an [`Error::InvalidValue`] naming it; then each step's errors (e.g. an unknown category
/// for an encoder set to fail on them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedPipeline<M> {
    schema: InputSchema,
    transformer: FittedColumnTransformer,
    select: Vec<FittedSelectStep>,
    feature_names: Vec<String>,
    model: M,
}

impl<M> FittedPipeline<M> {
    pub(crate) fn new(
        schema: InputSchema,
        transformer: FittedColumnTransformer,
        select: Vec<FittedSelectStep>,
        model: M,
    ) -> Self {
        let mut feature_names = transformer.feature_names_out();
        for step in &select {
            feature_names = feature_names
                .into_iter()
                .zip(step.support())
                .filter(|(_, keep)| **keep)
                .map(|(n, _)| n)
                .collect();
        }
        Self {
            schema,
            transformer,
            select,
            feature_names,
            model,
        }
    }

    /// The input columns and their types.
    pub fn schema(&self) -> &InputSchema {
        &self.schema
    }

    /// The fitted column transformer.
    pub fn transformer(&self) -> &FittedColumnTransformer {
        &self.transformer
    }

    /// The fitted selection steps, in order.
    pub fn select_steps(&self) -> &[FittedSelectStep] {
        &self.select
    }

    /// The names of the features the model was fitted on.
    pub fn feature_names_out(&self) -> &[String] {
        &self.feature_names
    }

    /// The fitted model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Takes the fitted model out.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The model's features for the rows of `frame`: the frame conformed to the schema, then
    /// the column transformer and the selection steps.
    ///
    /// # Errors
    /// See the type's `# Errors`.
    pub fn transform(&self, frame: &Frame) -> Result<Array2<f64>> {
        // A frame that already fits is read in place: conforming copies every column, which
        // dominates the cost of predicting a single row.
        let conformed;
        let inputs = if self.schema.fits(frame) {
            frame
        } else {
            conformed = self.schema.conform(frame)?;
            &conformed
        };
        if inputs.n_rows() == 0 {
            return Err(kiln_core::Error::EmptyInput {
                what: "the data given to the pipeline".into(),
                reason: "0 rows".into(),
            });
        }
        let mut x = self.transformer.transform_frame(inputs)?;
        for step in &self.select {
            x = step.transform(x.view())?;
        }
        Ok(x)
    }

    /// Predictions for the rows of `frame`.
    ///
    /// # Errors
    /// See the type's `# Errors`; the model's errors.
    pub fn predict(&self, frame: &Frame) -> Result<Array1<M::Output>>
    where
        M: Predict,
    {
        self.model.predict(self.transform(frame)?.view())
    }

    /// Class probabilities for the rows of `frame`, one column per class of
    /// [`FittedPipeline::classes`].
    ///
    /// # Errors
    /// As [`FittedPipeline::predict`].
    pub fn predict_proba(&self, frame: &Frame) -> Result<Array2<f64>>
    where
        M: PredictProba,
    {
        self.model.predict_proba(self.transform(frame)?.view())
    }

    /// The classes of a classifier, in the order of `predict_proba`'s columns.
    pub fn classes(&self) -> &[usize]
    where
        M: PredictProba,
    {
        self.model.classes()
    }

    /// The model's output for the rows of `frame` (e.g. k-means distances to the centres).
    ///
    /// # Errors
    /// As [`FittedPipeline::predict`].
    pub fn transform_model(&self, frame: &Frame) -> Result<Array2<f64>>
    where
        M: Transform,
    {
        self.model.transform(self.transform(frame)?.view())
    }

    /// Checks that the model and the schema agree (used after loading).
    fn check_consistent(&self) -> Result<()>
    where
        M: kiln_core::Fitted,
    {
        let n = self.model.n_features_in();
        if n != self.feature_names.len() {
            return Err(Error::model_format(
                kiln_core::FormatCheck::Payload,
                format!(
                    "the pipeline's model reads {n} features but its steps produce {}",
                    self.feature_names.len()
                ),
            ));
        }
        Ok(())
    }
}

impl<M: kiln_core::Fitted> kiln_core::Fitted for FittedPipeline<M> {
    /// The number of raw input columns.
    fn n_features_in(&self) -> usize {
        self.schema.len()
    }
}

impl<M> Persist for FittedPipeline<M>
where
    M: Persist + kiln_core::Fitted,
{
    const KIND: &'static str = "kiln::Pipeline";
    type Params = M::Params;

    fn params(&self) -> &M::Params {
        self.model.params()
    }

    /// The raw input columns by name.
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.schema.names())
    }

    fn check_loaded(&self) -> Result<()> {
        self.model.check_loaded()
    }
}

impl<M> FittedPipeline<M>
where
    M: Persist + kiln_core::Fitted,
{
    /// Saves the pipeline (atomically) to `path`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        kiln_core::persist::save(self, path)
    }

    /// Loads a pipeline saved by [`FittedPipeline::save`], checking the envelope and that
    /// the model agrees with the steps.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::ModelFormat`] naming the failed check (another kind of model,
    /// a pipeline of another model type, a corrupt file).
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let p: Self = kiln_core::persist::load(path)?;
        p.check_consistent()?;
        Ok(p)
    }
}
