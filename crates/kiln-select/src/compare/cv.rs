//! Cross-validating two estimators on the very same folds, then comparing them.

use kiln_core::{Error, Fit, Result};
use kiln_prep::split::{Fold, Splitter};
use ndarray::{ArrayView1, ArrayView2};

use super::{CompareOptions, Comparison, compare_scores};
use crate::cv::{CvOptions, cross_validate};
use crate::scorer::{Scorer, Target};

/// A splitter that returns folds computed once, so both models see identical folds even if
/// the original splitter were not deterministic.
struct FixedFolds(Vec<Fold>);

impl Splitter for FixedFolds {
    fn n_splits(&self) -> usize {
        self.0.len()
    }

    fn folds(
        &self,
        _n_samples: usize,
        _y: Option<ArrayView1<'_, usize>>,
        _groups: Option<ArrayView1<'_, usize>>,
    ) -> Result<Vec<Fold>> {
        Ok(self.0.clone())
    }
}

/// The options of [`compare_models`].
///
/// # Parameters
/// - `cv` (default [`CvOptions::default`]): groups, sample weights and parallelism of the
///   cross-validation (train scores and models are not kept).
/// - `confidence` (default 0.95), `alpha` (default 0.05), `name_a`, `name_b` (default `"A"`,
///   `"B"`): as in [`CompareOptions`].
#[derive(Debug, Clone)]
pub struct CompareModelsOptions<'a> {
    /// Options of the cross-validation. By default, [`CvOptions::default`].
    pub cv: CvOptions<'a>,
    /// Level of the confidence interval. By default, 0.95.
    pub confidence: f64,
    /// Significance level of the verdict. By default, 0.05.
    pub alpha: f64,
    /// The first model's name. By default, `"A"`.
    pub name_a: String,
    /// The second model's name. By default, `"B"`.
    pub name_b: String,
}

impl Default for CompareModelsOptions<'_> {
    fn default() -> Self {
        Self {
            cv: CvOptions::default(),
            confidence: 0.95,
            alpha: 0.05,
            name_a: "A".into(),
            name_b: "B".into(),
        }
    }
}

impl<'a> CompareModelsOptions<'a> {
    /// Sets the cross-validation options (by default, [`CvOptions::default`]).
    #[must_use]
    pub fn with_cv(mut self, cv: CvOptions<'a>) -> Self {
        self.cv = cv;
        self
    }

    /// Sets `confidence` (by default, 0.95).
    #[must_use]
    pub fn with_confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }

    /// Sets the models' names (by default, `"A"` and `"B"`).
    #[must_use]
    pub fn with_names(mut self, name_a: impl Into<String>, name_b: impl Into<String>) -> Self {
        self.name_a = name_a.into();
        self.name_b = name_b.into();
        self
    }
}

/// Cross-validates `a` and `b` on the same folds of `cv` and compares their test scores with
/// [`compare_scores`].
///
/// The folds are computed once and given to both runs of [`cross_validate`]. The scorers
/// measure the same metric for each model type (a [`Scorer`] is typed by its model); the
/// comparison takes its name and direction from `scorer_a`. `n_train` and `n_test` are the
/// mean training and test sizes over the folds, rounded.
///
/// # Errors
/// [`Error::InvalidParameter`] (`scoring`) when the two scorers differ in name or direction;
/// the errors of [`cross_validate`] and of [`compare_scores`] (e.g. fewer than 2 folds).
pub fn compare_models<PA, PB, T>(
    (a, scorer_a): (&PA, &Scorer<PA::Fitted, T>),
    (b, scorer_b): (&PB, &Scorer<PB::Fitted, T>),
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, T>,
    cv: &dyn Splitter,
    options: &CompareModelsOptions<'_>,
) -> Result<Comparison>
where
    PA: Fit<Target = T> + Sync,
    PB: Fit<Target = T> + Sync,
    PA::Fitted: Send + Sync,
    PB::Fitted: Send + Sync,
    T: Target,
{
    if scorer_a.name() != scorer_b.name() || scorer_a.direction() != scorer_b.direction() {
        return Err(Error::invalid_param(
            "compare_models",
            "scoring",
            format!(
                "must be the same metric for both models; got `{}` ({:?}) and `{}` ({:?})",
                scorer_a.name(),
                scorer_a.direction(),
                scorer_b.name(),
                scorer_b.direction()
            ),
        ));
    }
    let folds = cv.folds(x.nrows(), T::class_indices(y), options.cv.groups)?;
    let fixed = FixedFolds(folds);
    let cv_options = CvOptions {
        return_train_score: false,
        return_models: false,
        ..options.cv
    };
    let res_a = cross_validate(a, x, y, &fixed, std::slice::from_ref(scorer_a), &cv_options)?;
    let res_b = cross_validate(b, x, y, &fixed, std::slice::from_ref(scorer_b), &cv_options)?;
    let k = res_a.folds().len().max(1) as f64;
    let mean_size = |f: fn(&crate::cv::FoldScores) -> usize| {
        (res_a.folds().iter().map(|s| f(s) as f64).sum::<f64>() / k).round() as usize
    };
    let scores_a: Vec<f64> = res_a.folds().iter().map(|f| f.test[0]).collect();
    let scores_b: Vec<f64> = res_b.folds().iter().map(|f| f.test[0]).collect();
    let compare = CompareOptions::new(mean_size(|s| s.n_train), mean_size(|s| s.n_test))
        .with_confidence(options.confidence)
        .with_alpha(options.alpha)
        .with_metric(scorer_a.name(), scorer_a.direction())
        .with_names(options.name_a.clone(), options.name_b.clone());
    compare_scores(
        ArrayView1::from(scores_a.as_slice()),
        ArrayView1::from(scores_b.as_slice()),
        &compare,
    )
}
