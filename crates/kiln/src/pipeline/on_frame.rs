//! [`OnFrame`]: a pipeline bound to a frame, so kiln-select's cross-validation, searches and
//! comparisons (which take a matrix `x`) can fit it on raw rows.
//!
//! kiln-select splits the rows of `x`; here `x` is the one-column matrix of row numbers
//! [`row_ids`], and each fit or predict takes those rows of the bound frame. Every fold
//! therefore refits the whole preparation on its training rows only, as it must: imputation
//! medians, scaling and category lists never see the test fold.
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::pipeline::{Pipeline, row_ids};
//! use kiln::prep::CsvOptions;
//! use kiln::prep::split::StratifiedKFold;
//! use kiln::select::cv::{CvOptions, cross_validate};
//! use kiln::select::scorer;
//! use kiln::tree::DecisionTreeClassifier;
//!
//! let (frame, _) = CsvOptions::default().read_str(Dataset::Penguins.csv())?;
//! let species = frame.column("species")?.as_categorical().ok_or("text")?;
//! let y: ndarray::Array1<usize> = species.codes().iter().map(|&c| c as usize).collect();
//!
//! let pipeline = Pipeline::new(DecisionTreeClassifier::default().with_max_depth(Some(3)))
//!     .with_exclude(["species"]);
//! let cv = StratifiedKFold::default().with_n_splits(5);
//! let res = cross_validate(&pipeline.on(&frame), row_ids(frame.n_rows()).view(), y.view(),
//!     &cv, &[scorer::accuracy()], &CvOptions::default())?;
//! assert!(res.mean("accuracy").ok_or("scored")? > 0.9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use kiln_core::{Error, Fit, Fitted, Params, Predict, PredictProba, Result};
use kiln_prep::Frame;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::{FittedPipeline, Pipeline, PipelineEstimator, PipelineTarget};

/// The `n × 1` matrix of row numbers `0..n` to give kiln-select as `x` with an [`OnFrame`].
pub fn row_ids(n: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, 1), |(i, _)| i as f64)
}

/// A [`Pipeline`] bound to a frame: implements [`Fit`] where `x` holds row numbers of the
/// frame ([`row_ids`]); see [`Pipeline::on`] and the `kiln::pipeline` module docs.
///
/// The pipeline is a public field so a search can set its estimator's params
/// (`|p, v| p.pipeline.estimator.max_depth = v`).
#[derive(Debug, Clone)]
pub struct OnFrame<'f, E> {
    /// The pipeline.
    pub pipeline: Pipeline<E>,
    frame: &'f Frame,
}

impl<'f, E> OnFrame<'f, E> {
    /// `pipeline` bound to `frame`.
    pub fn new(pipeline: Pipeline<E>, frame: &'f Frame) -> Self {
        Self { pipeline, frame }
    }

    /// The bound frame.
    pub fn frame(&self) -> &'f Frame {
        self.frame
    }
}

/// Reads the row numbers of `x` (one column of whole numbers below `n`).
fn rows_of(x: ArrayView2<'_, f64>, n: usize) -> Result<Vec<usize>> {
    if x.ncols() != 1 {
        return Err(Error::FeatureCountMismatch {
            estimator: "Pipeline bound to a frame (x must be row_ids)".into(),
            expected: 1,
            got: x.ncols(),
        });
    }
    x.column(0)
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v >= 0.0 && v.fract() == 0.0 && v < n as f64 {
                Ok(v as usize)
            } else {
                Err(Error::InvalidValue {
                    what: "x (row numbers of the bound frame)".into(),
                    row: Some(i),
                    reason: format!("{v} is not a row number below {n}"),
                })
            }
        })
        .collect()
}

impl<E: Params> Params for OnFrame<'_, E> {
    const NAME: &'static str = "Pipeline";

    fn validate(&self) -> Result<()> {
        self.pipeline.validate()
    }
}

impl<'f, E> Fit for OnFrame<'f, E>
where
    E: Fit + PipelineEstimator,
    E::Target: PipelineTarget,
{
    type Target = E::Target;
    type Fitted = FittedOnFrame<'f, E::Fitted>;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, E::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self::Fitted> {
        let rows = rows_of(x, self.frame.n_rows())?;
        let part = self.frame.take_rows(&rows)?;
        let pipeline = self.pipeline.fit_weighted(&part, y, sample_weight)?;
        Ok(FittedOnFrame {
            pipeline,
            frame: self.frame,
        })
    }
}

/// A [`FittedPipeline`] that predicts rows of the frame it was bound to, from their numbers.
#[derive(Debug, Clone)]
pub struct FittedOnFrame<'f, M> {
    pipeline: FittedPipeline<M>,
    frame: &'f Frame,
}

impl<M> FittedOnFrame<'_, M> {
    /// The fitted pipeline.
    pub fn pipeline(&self) -> &FittedPipeline<M> {
        &self.pipeline
    }

    /// Takes the fitted pipeline out (it no longer needs the frame).
    pub fn into_pipeline(self) -> FittedPipeline<M> {
        self.pipeline
    }

    fn rows(&self, x: ArrayView2<'_, f64>) -> Result<Frame> {
        let rows = rows_of(x, self.frame.n_rows())?;
        self.frame.take_rows(&rows)
    }
}

impl<M> Fitted for FittedOnFrame<'_, M> {
    /// One: the row number.
    fn n_features_in(&self) -> usize {
        1
    }
}

impl<M: Predict> Predict for FittedOnFrame<'_, M> {
    type Output = M::Output;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<M::Output>> {
        self.pipeline.predict(&self.rows(x)?)
    }
}

impl<M: PredictProba> PredictProba for FittedOnFrame<'_, M> {
    fn classes(&self) -> &[usize] {
        self.pipeline.classes()
    }

    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.pipeline.predict_proba(&self.rows(x)?)
    }
}
