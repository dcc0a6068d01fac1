//! Feature selection after the column transformer: [`SelectStep`] and its fitted form.

use kiln_core::{Error, Fit, FitUnsupervised, Result, Transform};
use kiln_prep::select::{
    ClassifScore, FittedSelectKBest, FittedVarianceThreshold, RegressionScore, SelectKBest,
    VarianceThreshold,
};
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// A feature-selection step applied to the encoded features, in order, before the estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SelectStep {
    /// Drop features whose variance is at most a threshold ([`VarianceThreshold`]).
    Variance(VarianceThreshold),
    /// Keep the k best features for a classification target ([`SelectKBest`]).
    KBestClassif(SelectKBest<ClassifScore>),
    /// Keep the k best features for a regression target ([`SelectKBest`]).
    KBestRegression(SelectKBest<RegressionScore>),
}

/// A fitted [`SelectStep`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedSelectStep {
    /// A fitted variance threshold.
    Variance(FittedVarianceThreshold),
    /// A fitted k-best selector on a classification target.
    KBestClassif(FittedSelectKBest<ClassifScore>),
    /// A fitted k-best selector on a regression target.
    KBestRegression(FittedSelectKBest<RegressionScore>),
}

impl SelectStep {
    pub(crate) fn validate(&self) -> Result<()> {
        use kiln_core::Params;
        match self {
            SelectStep::Variance(p) => p.validate(),
            SelectStep::KBestClassif(p) => p.validate(),
            SelectStep::KBestRegression(p) => p.validate(),
        }
    }

    pub(crate) fn fit_unsupervised(&self, x: ArrayView2<'_, f64>) -> Result<FittedSelectStep> {
        match self {
            SelectStep::Variance(p) => Ok(FittedSelectStep::Variance(p.fit(x)?)),
            _ => Err(Error::invalid_param(
                "Pipeline",
                "select",
                "a k-best selector needs a target, and this pipeline is fitted without one",
            )),
        }
    }
}

impl FittedSelectStep {
    pub(crate) fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        match self {
            FittedSelectStep::Variance(m) => m.transform(x),
            FittedSelectStep::KBestClassif(m) => m.transform(x),
            FittedSelectStep::KBestRegression(m) => m.transform(x),
        }
    }

    /// Which input features are kept.
    pub fn support(&self) -> &[bool] {
        match self {
            FittedSelectStep::Variance(m) => m.support(),
            FittedSelectStep::KBestClassif(m) => m.support(),
            FittedSelectStep::KBestRegression(m) => m.support(),
        }
    }
}

/// A target type a pipeline can be fitted on: class indices (`usize`) or real values
/// (`f64`). It decides which supervised selection steps apply.
pub trait PipelineTarget: Copy + Send + Sync + 'static {
    /// Fits `step` on `x` and this target.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a selector of the other kind of target; the step's own
    /// errors.
    fn fit_select(
        step: &SelectStep,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, Self>,
    ) -> Result<FittedSelectStep>;
}

fn wrong_kind(step: &str, target: &str) -> Error {
    Error::invalid_param(
        "Pipeline",
        "select",
        format!(
            "{step} needs a {step_target} target, but the estimator's target is {target}",
            step_target = if target == "class indices" {
                "regression"
            } else {
                "classification"
            }
        ),
    )
}

impl PipelineTarget for usize {
    fn fit_select(
        step: &SelectStep,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
    ) -> Result<FittedSelectStep> {
        match step {
            SelectStep::KBestClassif(p) => Ok(FittedSelectStep::KBestClassif(p.fit(x, y)?)),
            SelectStep::KBestRegression(_) => Err(wrong_kind("KBestRegression", "class indices")),
            SelectStep::Variance(_) => step.fit_unsupervised(x),
        }
    }
}

impl PipelineTarget for f64 {
    fn fit_select(
        step: &SelectStep,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<FittedSelectStep> {
        match step {
            SelectStep::KBestRegression(p) => Ok(FittedSelectStep::KBestRegression(p.fit(x, y)?)),
            SelectStep::KBestClassif(_) => Err(wrong_kind("KBestClassif", "real values")),
            SelectStep::Variance(_) => step.fit_unsupervised(x),
        }
    }
}
