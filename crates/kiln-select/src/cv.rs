//! Cross-validation: fit and score an estimator on every fold of a splitter.
//!
//! [`cross_validate`] fits a fresh model on each training set and scores it on the matching
//! test set with any number of [`Scorer`]s, as scikit-learn's `cross_validate`; it returns the
//! per-fold scores, fit and score times, and optionally the train scores and fitted models.
//! [`cross_val_score`] is the one-scorer shortcut and [`cross_val_predict`] gives each sample
//! the prediction of the model that did not see it.
//!
//! ```
//! use kiln_core::Fit;
//! use kiln_linear::Ridge;
//! use kiln_prep::split::KFold;
//! use kiln_select::cv::{cross_validate, CvOptions};
//! use kiln_select::scorer;
//! use ndarray::{Array1, Array2};
//!
//! let x = Array2::from_shape_fn((40, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
//! let y: Array1<f64> = x.rows().into_iter().map(|r| 2.0 * r[0] - r[1] + 1.0).collect();
//! let cv = KFold::default().with_n_splits(4);
//! let scorers = [scorer::mean_absolute_error(), scorer::r2()];
//! let res = cross_validate(&Ridge::default().with_alpha(1e-8), x.view(), y.view(), &cv,
//!     &scorers, &CvOptions::default())?;
//! assert_eq!(res.n_splits(), 4);
//! assert!(res.mean("mean_absolute_error").unwrap() < 1e-6); // the data are exactly linear
//! assert!(res.mean("r2").unwrap() > 0.999_999);
//! println!("{res}");
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Determinism and parallelism
//! Folds run in parallel on rayon's pool by default ([`CvOptions::with_parallel`]); each fold
//! is computed independently and results are kept in fold order, so scores do not depend on
//! the thread count (only the measured times do).
//!
//! # Sample weights
//! Weights given with [`CvOptions::with_sample_weight`] are passed to `fit_weighted` on each
//! training set **and** to every scorer (on the test set, and the train set for train
//! scores), i.e. scikit-learn's `cross_validate(params={"sample_weight": w})` with metadata
//! routing requesting the weights for both the fit and the score.

mod predict;
pub(crate) mod run;

use std::fmt;
use std::time::Duration;

use kiln_core::{Fit, Result};
use kiln_prep::split::Splitter;
use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::scorer::{Direction, Scorer, Target};
pub use predict::cross_val_predict;
use run::{Data, FoldOutcome, TestTargets, check_plan, check_scorers, missing_fold, run_fold};

/// Options of [`cross_validate`] (and of the searches and curves built on it).
///
/// # Parameters
/// - `groups` (default `None`): group labels for splitters that need them (`GroupKFold`).
/// - `sample_weight` (default `None`): weights passed to the fit and to the scorers.
/// - `return_train_score` (default `false`): also score each model on its training set.
/// - `return_models` (default `false`): keep the fitted model of each fold.
/// - `parallel` (default `true`): run folds in parallel (results are the same either way).
#[derive(Debug, Clone, Copy)]
pub struct CvOptions<'a> {
    /// Group labels, one per sample, for splitters that need them. By default, `None`.
    pub groups: Option<ArrayView1<'a, usize>>,
    /// Sample weights, one per sample, for the fits and the scorers. By default, `None`.
    pub sample_weight: Option<ArrayView1<'a, f64>>,
    /// Whether to score each model on its training set too. By default, `false`.
    pub return_train_score: bool,
    /// Whether to keep each fold's fitted model. By default, `false`.
    pub return_models: bool,
    /// Whether to run the folds in parallel. By default, `true`.
    pub parallel: bool,
}

impl Default for CvOptions<'_> {
    fn default() -> Self {
        Self {
            groups: None,
            sample_weight: None,
            return_train_score: false,
            return_models: false,
            parallel: true,
        }
    }
}

impl<'a> CvOptions<'a> {
    /// Sets the group labels (by default, none).
    pub fn with_groups(mut self, groups: ArrayView1<'a, usize>) -> Self {
        self.groups = Some(groups);
        self
    }

    /// Sets the sample weights used by the fits and the scorers (by default, none).
    pub fn with_sample_weight(mut self, sample_weight: ArrayView1<'a, f64>) -> Self {
        self.sample_weight = Some(sample_weight);
        self
    }

    /// Also scores each model on its training set (by default, `false`).
    pub fn with_return_train_score(mut self, yes: bool) -> Self {
        self.return_train_score = yes;
        self
    }

    /// Keeps each fold's fitted model (by default, `false`).
    pub fn with_return_models(mut self, yes: bool) -> Self {
        self.return_models = yes;
        self
    }

    /// Runs folds in parallel (by default, `true`); the scores are the same either way.
    pub fn with_parallel(mut self, yes: bool) -> Self {
        self.parallel = yes;
        self
    }
}

/// The scores and times of one fold.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldScores {
    /// The test score of each scorer, in the order of the scorers.
    pub test: Vec<f64>,
    /// The train score of each scorer, when asked for.
    pub train: Option<Vec<f64>>,
    /// Time spent in the fit (not counting gathering the training rows, as scikit-learn).
    pub fit_time: Duration,
    /// Time spent scoring (test, and train when asked for; not counting gathering rows).
    pub score_time: Duration,
    /// Number of training samples.
    pub n_train: usize,
    /// Number of test samples.
    pub n_test: usize,
}

/// What [`cross_validate`] returns: per-fold scores and times, and optionally the models.
#[derive(Debug, Clone)]
pub struct CvResult<M> {
    names: Vec<String>,
    directions: Vec<Direction>,
    folds: Vec<FoldScores>,
    models: Option<Vec<M>>,
}

impl<M> CvResult<M> {
    pub(crate) fn from_outcomes<T>(
        scorers: &[Scorer<M, T>],
        outcomes: Vec<FoldOutcome<M>>,
        keep_models: bool,
    ) -> Self {
        let mut models = keep_models.then(Vec::new);
        let folds = outcomes
            .into_iter()
            .map(|o| {
                if let (Some(ms), Some(m)) = (models.as_mut(), o.model) {
                    ms.push(m);
                }
                FoldScores {
                    test: o.test,
                    train: o.train,
                    fit_time: o.fit_time,
                    score_time: o.score_time,
                    n_train: o.n_train,
                    n_test: o.n_test,
                }
            })
            .collect();
        Self {
            names: scorers.iter().map(|s| s.name().to_owned()).collect(),
            directions: scorers.iter().map(Scorer::direction).collect(),
            folds,
            models,
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The number of folds.
    pub fn n_splits(&self) -> usize {
        self.folds.len()
    }

    /// The scorer names, in the order given.
    pub fn scorer_names(&self) -> &[String] {
        &self.names
    }

    /// The direction of the scorer called `name`.
    pub fn direction(&self, name: &str) -> Option<Direction> {
        self.index(name).map(|i| self.directions[i])
    }

    /// The scores and times of each fold, in the splitter's order.
    pub fn folds(&self) -> &[FoldScores] {
        &self.folds
    }

    /// The test score of each fold for the scorer called `name` (`None` for an unknown name).
    pub fn test_scores(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.index(name)?;
        Some(self.folds.iter().map(|f| f.test[i]).collect())
    }

    /// The train score of each fold for the scorer `name` (`None` for an unknown name or when
    /// train scores were not asked for).
    pub fn train_scores(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.index(name)?;
        self.folds
            .iter()
            .map(|f| f.train.as_ref().map(|t| t[i]))
            .collect()
    }

    /// The mean test score of the scorer `name` over the folds.
    pub fn mean(&self, name: &str) -> Option<f64> {
        self.test_scores(name).map(|v| run::mean(&v))
    }

    /// The population standard deviation (NumPy's default `std`, `ddof = 0`, as
    /// scikit-learn's `std_test_score`) of the test scores of the scorer `name`.
    pub fn std(&self, name: &str) -> Option<f64> {
        self.test_scores(name).map(|v| run::std(&v))
    }

    /// The mean train score of the scorer `name`, when train scores were asked for.
    pub fn train_mean(&self, name: &str) -> Option<f64> {
        self.train_scores(name).map(|v| run::mean(&v))
    }

    /// The population standard deviation of the train scores of the scorer `name`.
    pub fn train_std(&self, name: &str) -> Option<f64> {
        self.train_scores(name).map(|v| run::std(&v))
    }

    /// The fit time of each fold.
    pub fn fit_times(&self) -> Vec<Duration> {
        self.folds.iter().map(|f| f.fit_time).collect()
    }

    /// The score time of each fold.
    pub fn score_times(&self) -> Vec<Duration> {
        self.folds.iter().map(|f| f.score_time).collect()
    }

    /// The fitted model of each fold, when [`CvOptions::return_models`] was set.
    pub fn models(&self) -> Option<&[M]> {
        self.models.as_deref()
    }

    /// Takes the fitted models out of the result.
    pub fn into_models(self) -> Option<Vec<M>> {
        self.models
    }
}

impl<M> fmt::Display for CvResult<M> {
    /// A table: one row per scorer with mean, std and each fold's test score (and train
    /// scores, when present), then the total fit and score times.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.folds.len();
        writeln!(f, "{k}-fold cross-validation")?;
        let width = self.names.iter().map(String::len).max().unwrap_or(5).max(5) + 6;
        write!(f, "{:<width$} {:>10} {:>10}", "score", "mean", "std")?;
        for i in 0..k {
            write!(f, " {:>10}", format!("fold {i}"))?;
        }
        writeln!(f)?;
        let row = |f: &mut fmt::Formatter<'_>, label: String, v: &[f64]| -> fmt::Result {
            write!(
                f,
                "{label:<width$} {:>10.4} {:>10.4}",
                run::mean(v),
                run::std(v)
            )?;
            for s in v {
                write!(f, " {s:>10.4}")?;
            }
            writeln!(f)
        };
        for name in &self.names {
            if let Some(v) = self.test_scores(name) {
                row(f, format!("{name} test"), &v)?;
            }
            if let Some(v) = self.train_scores(name) {
                row(f, format!("{name} train"), &v)?;
            }
        }
        let fit: Duration = self.folds.iter().map(|x| x.fit_time).sum();
        let score: Duration = self.folds.iter().map(|x| x.score_time).sum();
        write!(
            f,
            "fit time {:.3} s, score time {:.3} s (sums over folds)",
            fit.as_secs_f64(),
            score.as_secs_f64()
        )
    }
}

/// Cross-validates `params`: for each fold of `cv`, fits on the training rows and scores on
/// the test rows with every scorer.
///
/// `params` is validated ([`kiln_core::Params::validate`]) and the shapes of `x`, `y`,
/// weights and groups are checked before any fold runs. Each fold's rows are gathered once
/// (borrowed when consecutive). The folds run in parallel unless
/// [`CvOptions::with_parallel`]`(false)`; the result lists them in the splitter's order.
///
/// # Errors
/// The first of: invalid params; [`kiln_core::Error::EmptyInput`] for an empty `X` or no
/// scorers; [`kiln_core::Error::ShapeMismatch`] when `y`, the weights or the groups do not
/// have one entry per row; invalid weights; duplicate scorer names; the splitter's errors
/// (e.g. `GroupKFold` without groups, too few samples); then the error of the first fold (in
/// fold order) whose fit or scoring failed. scikit-learn records a failed fit as a NaN score
/// with a warning; kiln stops, since a silent NaN would only surface later as a bad mean.
pub fn cross_validate<P>(
    params: &P,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, P::Target>,
    cv: &dyn Splitter,
    scorers: &[Scorer<P::Fitted, P::Target>],
    options: &CvOptions<'_>,
) -> Result<CvResult<P::Fitted>>
where
    P: Fit + Sync,
    P::Target: Target,
    P::Fitted: Send + Sync,
{
    params.validate()?;
    check_scorers(scorers)?;
    let data = Data::new(x, y, options.sample_weight, options.groups)?;
    let plan = cv.plan(data.n_samples(), data.class_indices(), data.groups)?;
    check_plan(data.n_samples(), &plan)?;
    let targets = TestTargets::of_plan(&data, &plan)?;
    let job = |scratch: &mut run::Scratch, &k: &usize| {
        run::with_fold(scratch, &plan, k, |scratch, fold| {
            run_fold(
                scratch,
                params,
                &data,
                &fold.train,
                targets.rows(k, &fold.test)?,
                scorers,
                options.return_train_score,
                options.return_models,
            )
        })
        .unwrap_or_else(|| Err(missing_fold(k)))
    };
    let folds: Vec<usize> = (0..plan.n_folds()).collect();
    let outcomes: Vec<Result<FoldOutcome<P::Fitted>>> =
        run::map_jobs(&folds, options.parallel, job);
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(CvResult::from_outcomes(
        scorers,
        outcomes,
        options.return_models,
    ))
}

/// The test score of each fold for one scorer: [`cross_validate`] without the rest.
///
/// # Errors
/// As [`cross_validate`].
pub fn cross_val_score<P>(
    params: &P,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, P::Target>,
    cv: &dyn Splitter,
    scorer: &Scorer<P::Fitted, P::Target>,
    options: &CvOptions<'_>,
) -> Result<Array1<f64>>
where
    P: Fit + Sync,
    P::Target: Target,
    P::Fitted: Send + Sync,
{
    let opts = CvOptions {
        return_train_score: false,
        return_models: false,
        ..*options
    };
    let res = cross_validate(params, x, y, cv, std::slice::from_ref(scorer), &opts)?;
    Ok(res.folds.iter().map(|f| f.test[0]).collect())
}
