//! [`SearchResult`]: the results table of a parameter search, with ranks.

use std::fmt;
use std::time::Duration;

use kiln_core::Fit;

use crate::cv::{CvResult, FoldScores};
use crate::scorer::Direction;

/// The cross-validation results of one candidate.
#[derive(Debug, Clone)]
pub struct CandidateResult<P> {
    /// The candidate's description, e.g. `alpha=0.1, fit_intercept=true`.
    pub description: String,
    /// The candidate's params.
    pub params: P,
    /// Mean test score per scorer (in scorer order).
    pub mean_test: Vec<f64>,
    /// Population standard deviation of the test scores per scorer (scikit-learn's
    /// `std_test_score`).
    pub std_test: Vec<f64>,
    /// Rank per scorer: 1 is best; equal means share the smallest rank (scipy's `rankdata`
    /// with `method="min"`, as scikit-learn's `rank_test_score`); NaN means rank last.
    pub rank_test: Vec<usize>,
    /// Mean train score per scorer, when train scores were asked for.
    pub mean_train: Option<Vec<f64>>,
    /// Standard deviation of the train scores per scorer, when asked for.
    pub std_train: Option<Vec<f64>>,
    /// Mean fit time over the folds.
    pub mean_fit_time: Duration,
    /// Mean score time over the folds.
    pub mean_score_time: Duration,
    /// Each fold's scores and times.
    pub folds: Vec<FoldScores>,
}

impl<P> CandidateResult<P> {
    pub(crate) fn new<M>(description: String, params: P, cv: &CvResult<M>) -> Self {
        let names = cv.scorer_names();
        let pick = |f: &dyn Fn(&str) -> Option<f64>| -> Option<Vec<f64>> {
            names.iter().map(|n| f(n)).collect()
        };
        let k = cv.n_splits().max(1) as u32;
        Self {
            description,
            params,
            mean_test: pick(&|n| cv.mean(n)).unwrap_or_default(),
            std_test: pick(&|n| cv.std(n)).unwrap_or_default(),
            rank_test: Vec::new(),
            mean_train: pick(&|n| cv.train_mean(n)),
            std_train: pick(&|n| cv.train_std(n)),
            mean_fit_time: cv.fit_times().iter().sum::<Duration>() / k,
            mean_score_time: cv.score_times().iter().sum::<Duration>() / k,
            folds: cv.folds().to_vec(),
        }
    }
}

/// A candidate left out of a search because its params failed [`kiln_core::Params::validate`]
/// (with [`super::OnInvalid::Skip`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The candidate's position among all candidates drawn or enumerated.
    pub index: usize,
    /// The candidate's description.
    pub description: String,
    /// The validation error, as text.
    pub reason: String,
}

/// What a grid or random search returns: per-candidate results, ranks, the best candidate and
/// (unless turned off) the best params refitted on all the data.
#[derive(Debug)]
pub struct SearchResult<P: Fit> {
    pub(crate) names: Vec<String>,
    pub(crate) directions: Vec<Direction>,
    pub(crate) candidates: Vec<CandidateResult<P>>,
    pub(crate) skipped: Vec<Skipped>,
    pub(crate) refit_scorer: usize,
    pub(crate) best_index: usize,
    pub(crate) best_model: Option<P::Fitted>,
    pub(crate) refit_time: Option<Duration>,
}

/// Ranks `means` (1 = best) with ties sharing the smallest rank; NaN ranks after every
/// number, as scikit-learn's search (which replaces NaN by a value worse than all).
pub(crate) fn rank_min(means: &[f64], direction: Direction) -> Vec<usize> {
    let worse = |a: f64, b: f64| -> bool {
        // Is `a` strictly better than `b`?
        match (a.is_nan(), b.is_nan()) {
            (true, _) => false,
            (false, true) => true,
            _ => match direction {
                Direction::Maximize => a > b,
                Direction::Minimize => a < b,
            },
        }
    };
    means
        .iter()
        .map(|&m| 1 + means.iter().filter(|&&o| worse(o, m)).count())
        .collect()
}

impl<P: Fit> SearchResult<P> {
    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The scorer names, in the order given.
    pub fn scorer_names(&self) -> &[String] {
        &self.names
    }

    /// The direction of the scorer called `name`.
    pub fn direction(&self, name: &str) -> Option<Direction> {
        self.index(name).map(|i| self.directions[i])
    }

    /// The name of the scorer that chose the best candidate.
    pub fn refit_scorer(&self) -> &str {
        &self.names[self.refit_scorer]
    }

    /// Every candidate that was cross-validated, in enumeration (or draw) order.
    pub fn candidates(&self) -> &[CandidateResult<P>] {
        &self.candidates
    }

    /// Candidates skipped because their params were invalid.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The mean test score of each candidate for the scorer `name`.
    pub fn mean_test_scores(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.index(name)?;
        Some(self.candidates.iter().map(|c| c.mean_test[i]).collect())
    }

    /// The standard deviation of the test scores of each candidate for the scorer `name`.
    pub fn std_test_scores(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.index(name)?;
        Some(self.candidates.iter().map(|c| c.std_test[i]).collect())
    }

    /// The rank of each candidate for the scorer `name` (1 = best).
    pub fn ranks(&self, name: &str) -> Option<Vec<usize>> {
        let i = self.index(name)?;
        Some(self.candidates.iter().map(|c| c.rank_test[i]).collect())
    }

    /// The position (in [`SearchResult::candidates`]) of the best candidate: the first
    /// ranked 1 by the refit scorer.
    pub fn best_index(&self) -> usize {
        self.best_index
    }

    /// The best candidate's results.
    pub fn best(&self) -> &CandidateResult<P> {
        &self.candidates[self.best_index]
    }

    /// The best candidate's params.
    pub fn best_params(&self) -> &P {
        &self.best().params
    }

    /// The best candidate's mean test score under the refit scorer.
    pub fn best_score(&self) -> f64 {
        self.best().mean_test[self.refit_scorer]
    }

    /// The best params fitted on all the data (`None` when refitting was turned off).
    pub fn best_model(&self) -> Option<&P::Fitted> {
        self.best_model.as_ref()
    }

    /// Takes the refitted best model out of the result.
    pub fn into_best_model(self) -> Option<P::Fitted> {
        self.best_model
    }

    /// How long the refit on all the data took.
    pub fn refit_time(&self) -> Option<Duration> {
        self.refit_time
    }
}

impl<P: Fit> fmt::Display for SearchResult<P> {
    /// The results table, one row per candidate: rank and mean ± std per scorer, mean fit
    /// time, then the description; the best row is marked with `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} candidates ranked by {}{}",
            self.candidates.len(),
            self.refit_scorer(),
            if self.skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} skipped as invalid)", self.skipped.len())
            }
        )?;
        write!(f, "  ")?;
        for n in &self.names {
            write!(f, " {:>5} {:>22}", "rank", format!("{n} mean ± std"))?;
        }
        writeln!(f, " {:>12}  params", "mean fit")?;
        for (i, c) in self.candidates.iter().enumerate() {
            write!(f, "{}", if i == self.best_index { "* " } else { "  " })?;
            for s in 0..self.names.len() {
                write!(
                    f,
                    " {:>5} {:>22}",
                    c.rank_test[s],
                    format!("{:.4} ± {:.4}", c.mean_test[s], c.std_test[s])
                )?;
            }
            writeln!(
                f,
                " {:>9.3} ms  {}",
                c.mean_fit_time.as_secs_f64() * 1e3,
                c.description
            )?;
        }
        for s in &self.skipped {
            writeln!(
                f,
                "  skipped #{}: {} ({})",
                s.index, s.description, s.reason
            )?;
        }
        write!(
            f,
            "best: {} ({} = {:.6})",
            self.best().description,
            self.refit_scorer(),
            self.best_score()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_rankdata_min() {
        // scipy.stats.rankdata(-[0.5, 0.9, 0.5, 0.7], method="min") = [3, 1, 3, 2]
        assert_eq!(
            rank_min(&[0.5, 0.9, 0.5, 0.7], Direction::Maximize),
            vec![3, 1, 3, 2]
        );
        assert_eq!(
            rank_min(&[0.5, 0.9, 0.5, 0.7], Direction::Minimize),
            vec![1, 4, 1, 3]
        );
        assert_eq!(
            rank_min(&[f64::NAN, 0.2, f64::NAN], Direction::Maximize),
            vec![2, 1, 2]
        );
    }
}
