//! Parameter search: cross-validate every candidate of a [`Grid`] or a [`RandomSpace`], rank
//! them, and refit the best on all the data, as scikit-learn's `GridSearchCV` and
//! `RandomizedSearchCV`.
//!
//! Params are plain structs with `with_*` setters, so a search axis is a name, values (or a
//! distribution) and a setter closure. Every candidate is checked with
//! [`Params::validate`](kiln_core::Params::validate) before anything is fitted; what happens to
//! an invalid one is chosen with [`OnInvalid`] (an error naming it, by default).
//!
//! ```
//! use kiln_linear::Ridge;
//! use kiln_prep::split::KFold;
//! use kiln_select::scorer;
//! use kiln_select::search::{Grid, GridSearch};
//! use ndarray::{Array1, Array2};
//!
//! let x = Array2::from_shape_fn((60, 3), |(i, j)| ((i * 5 + j * 7) % 13) as f64);
//! let y: Array1<f64> = x.rows().into_iter().enumerate()
//!     .map(|(i, r)| r[0] - 2.0 * r[2] + (i % 3) as f64).collect();
//! let mse = scorer::mean_squared_error();
//! let grid = Grid::new(Ridge::default())
//!     .axis("alpha", vec![0.01, 1.0, 100.0], |p: Ridge, v| p.with_alpha(v));
//! let res = GridSearch::new(grid).fit(x.view(), y.view(), &KFold::default(), &[mse])?;
//! assert_eq!(res.candidates().len(), 3);
//! assert_eq!(res.best().rank_test[0], 1);
//! assert!(res.best_model().is_some());
//! println!("{res}");
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Determinism and parallelism
//! All candidates share the splitter's folds (computed once). The candidate × fold jobs run in
//! parallel (unless `CvOptions::parallel` is off) and are gathered in order, so scores, ranks
//! and the best candidate do not depend on the thread count. Random candidates are drawn from
//! [`kiln_core::random::task_rng`]`(seed, i)`.

mod grid;
mod random;
mod table;

use std::time::Instant;

use kiln_core::{Error, Fit, Result};
use kiln_prep::split::Splitter;
use ndarray::{ArrayView1, ArrayView2};

use crate::cv::run::{Data, Scratch, TestTargets, check_fold, check_scorers, map_jobs, run_fold};
use crate::cv::{CvOptions, CvResult};
use crate::scorer::{Scorer, Target};
pub use grid::{Candidate, Grid};
pub use random::{Choice, IntUniform, LogUniform, RandomSpace, Sampler, Uniform};
pub use table::{CandidateResult, SearchResult, Skipped};

/// What a search does with a candidate whose params fail `validate()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnInvalid {
    /// Stop before fitting anything, with the validation error naming the candidate
    /// (the default: a grid with an invalid point is usually a typo).
    #[default]
    Error,
    /// Leave the candidate out and record it with its reason in
    /// [`SearchResult::skipped`] (useful for random spaces that reach invalid corners).
    Skip,
}

/// Options shared by [`GridSearch`] and [`RandomSearch`].
///
/// # Parameters
/// - `cv` (default [`CvOptions::default`]): groups, sample weights (passed to every fit,
///   every scorer and the refit), train scores and parallelism; `return_models` is ignored.
/// - `refit_scorer` (default `None`: the first scorer): the name of the scorer that ranks the
///   candidates to choose the best (scikit-learn's `refit="name"`).
/// - `refit` (default `true`): fit the best params on all the data.
/// - `on_invalid` (default [`OnInvalid::Error`]).
#[derive(Debug, Clone)]
pub struct SearchOptions<'a> {
    /// Cross-validation options. By default, [`CvOptions::default`].
    pub cv: CvOptions<'a>,
    /// The scorer that chooses the best candidate. By default, `None` (the first scorer).
    pub refit_scorer: Option<String>,
    /// Whether to fit the best params on all the data. By default, `true`.
    pub refit: bool,
    /// What to do with invalid candidates. By default, [`OnInvalid::Error`].
    pub on_invalid: OnInvalid,
}

impl Default for SearchOptions<'_> {
    /// The first scorer ranks, refit on, invalid candidates are an error.
    fn default() -> Self {
        Self {
            cv: CvOptions::default(),
            refit_scorer: None,
            refit: true,
            on_invalid: OnInvalid::Error,
        }
    }
}

macro_rules! option_setters {
    () => {
        /// Sets the cross-validation options (by default, [`CvOptions::default`]).
        pub fn with_cv_options(mut self, cv: CvOptions<'a>) -> Self {
            self.options.cv = cv;
            self
        }

        /// Chooses the best candidate by the scorer called `name` (by default, the first).
        pub fn with_refit_scorer(mut self, name: impl Into<String>) -> Self {
            self.options.refit_scorer = Some(name.into());
            self
        }

        /// Whether to fit the best params on all the data (by default, `true`).
        pub fn with_refit(mut self, refit: bool) -> Self {
            self.options.refit = refit;
            self
        }

        /// What to do with invalid candidates (by default, [`OnInvalid::Error`]).
        pub fn with_on_invalid(mut self, on_invalid: OnInvalid) -> Self {
            self.options.on_invalid = on_invalid;
            self
        }
    };
}

/// Exhaustive search over a [`Grid`] (scikit-learn's `GridSearchCV`).
///
/// # Parameters
/// The [`SearchOptions`], set with `with_*` methods.
///
/// # Errors
/// See [`GridSearch::fit`].
#[derive(Debug)]
pub struct GridSearch<'a, P> {
    grid: Grid<P>,
    options: SearchOptions<'a>,
}

impl<'a, P: Clone> GridSearch<'a, P> {
    /// A search over `grid` with the default [`SearchOptions`].
    pub fn new(grid: Grid<P>) -> Self {
        Self {
            grid,
            options: SearchOptions::default(),
        }
    }

    option_setters!();

    /// Cross-validates every candidate of the grid on the folds of `cv`.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for an empty grid; an invalid candidate (with
    /// [`OnInvalid::Error`]), reported as its validation error with the candidate's index and
    /// description added; an unknown refit scorer; otherwise the errors of
    /// [`crate::cv::cross_validate`].
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, P::Target>,
        cv: &dyn Splitter,
        scorers: &[Scorer<P::Fitted, P::Target>],
    ) -> Result<SearchResult<P>>
    where
        P: Fit + Sync + Send,
        P::Target: Target,
        P::Fitted: Send + Sync,
    {
        // The candidates are listed up front: a grid past 2^24 of them is a mistake, and a
        // wrapped or huge count would abort the allocation.
        let n = self.grid.len();
        if n > MAX_CANDIDATES {
            return Err(Error::InvalidValue {
                what: "parameter grid".into(),
                row: None,
                reason: format!(
                    "it has {} candidates, more than the {MAX_CANDIDATES} a grid search lists; \
                     use a random search or fewer values",
                    if n == usize::MAX {
                        "too many".to_owned()
                    } else {
                        n.to_string()
                    }
                ),
            });
        }
        run_search(self.grid.candidates(), x, y, cv, scorers, &self.options)
    }
}

/// The most candidates a grid search lists.
const MAX_CANDIDATES: usize = 1 << 24;

/// Search over `n_iter` candidates drawn from a [`RandomSpace`] (scikit-learn's
/// `RandomizedSearchCV`).
///
/// # Parameters
/// - `n_iter` (default `10`): how many candidates to draw.
/// - `seed` (default [`kiln_core::random::DEFAULT_SEED`]): candidate `i` is drawn from
///   `task_rng(seed, i)`.
/// - the [`SearchOptions`].
#[derive(Debug)]
pub struct RandomSearch<'a, P> {
    space: RandomSpace<P>,
    n_iter: usize,
    seed: u64,
    options: SearchOptions<'a>,
}

impl<'a, P: Clone> RandomSearch<'a, P> {
    /// A search drawing 10 candidates from `space` with the default seed.
    pub fn new(space: RandomSpace<P>) -> Self {
        Self {
            space,
            n_iter: 10,
            seed: kiln_core::random::DEFAULT_SEED,
            options: SearchOptions::default(),
        }
    }

    /// Sets how many candidates to draw (by default, 10).
    pub fn with_n_iter(mut self, n_iter: usize) -> Self {
        self.n_iter = n_iter;
        self
    }

    /// Sets the seed of the draws (by default, [`kiln_core::random::DEFAULT_SEED`]).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    option_setters!();

    /// Draws the candidates and cross-validates each on the folds of `cv`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `n_iter = 0` or a bad distribution; otherwise as
    /// [`GridSearch::fit`].
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, P::Target>,
        cv: &dyn Splitter,
        scorers: &[Scorer<P::Fitted, P::Target>],
    ) -> Result<SearchResult<P>>
    where
        P: Fit + Sync + Send,
        P::Target: Target,
        P::Fitted: Send + Sync,
    {
        if self.n_iter == 0 {
            return Err(Error::invalid_param(
                "RandomSearch",
                "n_iter",
                "must be an int in the range [1, inf); got 0",
            ));
        }
        let candidates = self.space.sample(self.n_iter, self.seed)?;
        run_search(candidates, x, y, cv, scorers, &self.options)
    }
}

/// Adds the candidate's index and description to its validation error.
fn name_candidate(err: Error, index: usize, description: &str) -> Error {
    match err {
        Error::InvalidParameter {
            estimator,
            name,
            reason,
        } => Error::InvalidParameter {
            estimator,
            name,
            reason: format!("{reason} (search candidate {index}: {description})"),
        },
        other => Error::InvalidValue {
            what: format!("search candidate {index} ({description})"),
            row: None,
            reason: other.to_string(),
        },
    }
}

/// Cross-validates `candidates` on shared folds, ranks them and refits the best.
///
/// # Errors
/// See [`GridSearch::fit`].
pub fn run_search<P>(
    candidates: Vec<Candidate<P>>,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, P::Target>,
    cv: &dyn Splitter,
    scorers: &[Scorer<P::Fitted, P::Target>],
    options: &SearchOptions<'_>,
) -> Result<SearchResult<P>>
where
    P: Fit + Sync + Send,
    P::Target: Target,
    P::Fitted: Send + Sync,
{
    if candidates.is_empty() {
        return Err(Error::EmptyInput {
            what: "parameter search".into(),
            reason: "no candidates (an axis has no values)".into(),
        });
    }
    check_scorers(scorers)?;
    let refit_scorer = match &options.refit_scorer {
        None => 0,
        Some(name) => scorers
            .iter()
            .position(|s| s.name() == name)
            .ok_or_else(|| {
                Error::invalid_param(
                    "parameter search",
                    "refit_scorer",
                    format!(
                        "must name one of the scorers ({}); got `{name}`",
                        scorers
                            .iter()
                            .map(Scorer::name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
    };
    let mut valid = Vec::with_capacity(candidates.len());
    let mut skipped = Vec::new();
    for (index, c) in candidates.into_iter().enumerate() {
        match (c.params.validate(), options.on_invalid) {
            (Ok(()), _) => valid.push(c),
            (Err(e), OnInvalid::Error) => return Err(name_candidate(e, index, &c.description)),
            (Err(e), OnInvalid::Skip) => skipped.push(Skipped {
                index,
                description: c.description,
                reason: e.to_string(),
            }),
        }
    }
    if valid.is_empty() {
        return Err(Error::EmptyInput {
            what: "parameter search".into(),
            reason: format!("all {} candidates are invalid", skipped.len()),
        });
    }
    let opts = &options.cv;
    let data = Data::new(x, y, opts.sample_weight, opts.groups)?;
    let folds = cv.folds(data.n_samples(), data.class_indices(), data.groups)?;
    crate::cv::run::check_some_folds(folds.len())?;
    for (i, fold) in folds.iter().enumerate() {
        check_fold(data.n_samples(), i, &fold.train, &fold.test)?;
    }
    let targets = TestTargets::of_folds(&data, &folds);
    let k = folds.len();
    let jobs: Vec<(usize, usize)> = (0..valid.len())
        .flat_map(|c| (0..k).map(move |f| (c, f)))
        .collect();
    let job = |scratch: &mut Scratch, &(c, f): &(usize, usize)| {
        let fold = &folds[f];
        run_fold(
            scratch,
            &valid[c].params,
            &data,
            &fold.train,
            targets.rows(f, &fold.test)?,
            scorers,
            opts.return_train_score,
            false,
        )
    };
    let outcomes: Vec<Result<_>> = map_jobs(&jobs, opts.parallel, job);
    let mut outcomes = outcomes.into_iter();
    let mut results = Vec::with_capacity(valid.len());
    for c in valid {
        let per_fold = outcomes.by_ref().take(k).collect::<Result<Vec<_>>>()?;
        let cv_res = CvResult::from_outcomes(scorers, per_fold, false);
        results.push(CandidateResult::new(c.description, c.params, &cv_res));
    }
    for (s, scorer) in scorers.iter().enumerate() {
        let means: Vec<f64> = results.iter().map(|r| r.mean_test[s]).collect();
        for (r, rank) in results
            .iter_mut()
            .zip(table::rank_min(&means, scorer.direction()))
        {
            r.rank_test.push(rank);
        }
    }
    let best_index = results
        .iter()
        .position(|r| r.rank_test[refit_scorer] == 1)
        .unwrap_or(0);
    let (best_model, refit_time) = if options.refit {
        let start = Instant::now();
        let m = results[best_index]
            .params
            .fit_weighted(x, y, opts.sample_weight)?;
        (Some(m), Some(start.elapsed()))
    } else {
        (None, None)
    };
    Ok(SearchResult {
        names: scorers.iter().map(|s| s.name().to_owned()).collect(),
        directions: scorers.iter().map(Scorer::direction).collect(),
        candidates: results,
        skipped,
        refit_scorer,
        best_index,
        best_model,
        refit_time,
    })
}
