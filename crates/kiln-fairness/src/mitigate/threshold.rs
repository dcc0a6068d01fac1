//! [`ThresholdOptimizer`] (post-processing): per-group thresholds on a model's scores that
//! maximize accuracy under a fairness constraint, as fairlearn 0.15's `ThresholdOptimizer`
//! (Hardt, Price & Srebro 2016).
//!
//! For each group, every threshold of its scores is a point (constraint rate, objective) or,
//! for equalized odds, (FPR, TPR); the upper convex hull of these points is what mixing two
//! thresholds at random can reach. The hulls are interpolated on a grid of the shared rate;
//! the grid point with the best overall objective is chosen, and each group predicts with its
//! two neighbouring thresholds mixed with probabilities `p0` and `p1` (for equalized odds,
//! further mixed with a constant prediction with probability `p_ignore`, so that every group
//! reaches the same TPR).
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use kiln_fairness::mitigate::Disparity;
//! use kiln_fairness::mitigate::threshold::ThresholdOptimizer;
//! use ndarray::array;
//!
//! let g = SensitiveColumn::from_strings("g", ["a", "a", "a", "a", "b", "b", "b", "b"])?;
//! let groups = Groups::new(&[g], &[])?;
//! let y = array![1, 1, 0, 0, 1, 1, 0, 0];
//! let scores = array![0.9, 0.8, 0.7, 0.1, 0.4, 0.3, 0.2, 0.1];
//! let fitted = ThresholdOptimizer::default()
//!     .with_constraints(Disparity::DemographicParity)
//!     .fit(scores.view(), y.view(), &groups)?;
//! // Group b's scores are low, but its own threshold selects its top half: equal selection.
//! let p = fitted.pmf_predict(scores.view(), &groups)?;
//! assert_eq!(p.to_vec(), vec![1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # References
//! M. Hardt, E. Price and N. Srebro, "Equality of opportunity in supervised learning",
//! NeurIPS 2016. fairlearn 0.15 `fairlearn.postprocessing.ThresholdOptimizer`.

mod curve;
mod fitted;

use kiln_core::check::{check_finite_1d, check_param, check_same_len};
use kiln_core::random::DEFAULT_SEED;
use kiln_core::{Error, Params, PredictProba, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

pub use curve::ThresholdOperation;
pub use fitted::{FittedThresholdOptimizer, GroupRule};

use crate::confusion::check_binary_labels;
use crate::groups::Groups;
use crate::mitigate::Disparity;

use curve::{Counts, Interpolated};

/// The performance objective maximized under the constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Accuracy (fairlearn's `accuracy_score`, the default).
    #[default]
    AccuracyScore,
    /// Balanced accuracy, the mean of TPR and TNR (`balanced_accuracy_score`).
    BalancedAccuracyScore,
}

/// How predictions are made from the fitted rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// fairlearn's behaviour (the default): a row is predicted 1 with its
    /// [`FittedThresholdOptimizer::pmf_predict`] probability, drawn from the seed. The
    /// constraint then holds in expectation.
    #[default]
    Randomized,
    /// Each group uses one threshold: of all its thresholds (not only the hull's), the one
    /// whose constraint rate on the training data is nearest the chosen shared rate
    /// ([`FittedThresholdOptimizer::x_best`]), ties to the better objective; for equalized
    /// odds, the one whose (FPR, TPR) is nearest (Euclidean) the chosen point. The same row
    /// always gets the same prediction, at the price of a gap that is no longer exactly
    /// closed on the training data (a small group has few thresholds to choose from); measure
    /// it with [`FittedThresholdOptimizer::trade_off`].
    Deterministic,
}

/// Finds per-group thresholds on scores under a fairness constraint.
///
/// # Parameters
/// - `constraints` (default [`Disparity::DemographicParity`]): the rate made equal across
///   groups; [`Disparity::EqualizedOdds`] equalizes both TPR and FPR.
/// - `objective` (default [`Objective::AccuracyScore`]).
/// - `grid_size` (default `1000`): the shared rate is searched on `grid_size + 1` points of
///   `[0, 1]`.
/// - `flip` (default `false`): also consider predicting 1 *below* a threshold.
/// - `mode` (default [`Mode::Randomized`]).
/// - `seed` (default [`DEFAULT_SEED`]): the draws of randomized predictions.
///
/// # Fitted attributes
/// [`FittedThresholdOptimizer::rules`] (per group: `p0`, `operation0`, `p1`, `operation1`, and
/// for equalized odds `p_ignore` and `prediction_constant`), [`FittedThresholdOptimizer::x_best`].
///
/// # Errors
/// `fit` rejects `grid_size = 0`, scores that are not finite, lengths that differ, labels
/// other than 0 and 1, groups defined with control columns (fairlearn has none) and a group
/// whose rows all have the same label (fairlearn's "degenerate labels").
///
/// # Notes
/// - Takes scores, not a model: any real-valued output works (a probability of class 1, e.g.
///   from [`scores_from_proba`], which is fairlearn's `predict_method="predict_proba"`, or a
///   decision function). fairlearn's `prefit=True`.
/// - Unweighted, as fairlearn's; its relaxed constraints (`tol`) are not implemented.
/// - The fitted rules match fairlearn's to rounding, and [`FittedThresholdOptimizer::pmf_predict`]
///   matches `_pmf_predict`; randomized draws use kiln's generator, not numpy's.
///
/// # Example
/// See the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdOptimizer {
    /// The constraint. By default, [`Disparity::DemographicParity`].
    pub constraints: Disparity,
    /// The objective. By default, [`Objective::AccuracyScore`].
    pub objective: Objective,
    /// Grid intervals over the shared rate. By default, `1000`.
    pub grid_size: usize,
    /// Allow flipped thresholds. By default, `false`.
    pub flip: bool,
    /// Randomized or deterministic predictions. By default, [`Mode::Randomized`].
    pub mode: Mode,
    /// Seed of randomized predictions. By default, [`DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for ThresholdOptimizer {
    fn default() -> Self {
        Self {
            constraints: Disparity::DemographicParity,
            objective: Objective::AccuracyScore,
            grid_size: 1000,
            flip: false,
            mode: Mode::Randomized,
            seed: DEFAULT_SEED,
        }
    }
}

impl ThresholdOptimizer {
    /// Sets the constraint (by default, [`Disparity::DemographicParity`]).
    #[must_use]
    pub fn with_constraints(mut self, constraints: Disparity) -> Self {
        self.constraints = constraints;
        self
    }

    /// Sets the objective (by default, [`Objective::AccuracyScore`]).
    #[must_use]
    pub fn with_objective(mut self, objective: Objective) -> Self {
        self.objective = objective;
        self
    }

    /// Sets `grid_size` (by default, `1000`).
    #[must_use]
    pub fn with_grid_size(mut self, grid_size: usize) -> Self {
        self.grid_size = grid_size;
        self
    }

    /// Sets `flip` (by default, `false`).
    #[must_use]
    pub fn with_flip(mut self, flip: bool) -> Self {
        self.flip = flip;
        self
    }

    /// Sets the prediction mode (by default, [`Mode::Randomized`]).
    #[must_use]
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the seed of randomized predictions (by default, [`DEFAULT_SEED`]).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fits the per-group rules on `scores` and labels `y` of the rows of `groups`.
    ///
    /// # Errors
    /// See [`ThresholdOptimizer`].
    pub fn fit(
        &self,
        scores: ArrayView1<'_, f64>,
        y: ArrayView1<'_, usize>,
        groups: &Groups,
    ) -> Result<FittedThresholdOptimizer> {
        self.validate()?;
        check_inputs(scores, groups)?;
        check_binary_labels(y, groups.n_rows(), "y")?;
        let n_groups = groups.n_groups();
        let mut rows: Vec<Vec<(f64, usize)>> = groups
            .counts()
            .iter()
            .map(|&c| Vec::with_capacity(c))
            .collect();
        for ((&g, &s), &label) in groups.group_of().iter().zip(scores).zip(y) {
            rows[g as usize].push((s, label));
        }
        let grid = curve::grid(self.grid_size);
        let constraint = self.constraints;
        let objective = self.objective;
        let x_fn = |c: &Counts| curve::x_metric(constraint, c);
        let y_fn: Box<dyn Fn(&Counts) -> f64> = match constraint {
            Disparity::EqualizedOdds => Box::new(|c: &Counts| c.tp / (c.tp + c.fn_)),
            _ => Box::new(move |c: &Counts| curve::objective_value(objective, c)),
        };
        let mut curves: Vec<Vec<Interpolated>> = Vec::with_capacity(n_groups);
        let mut all_points: Vec<Vec<curve::Point>> = Vec::with_capacity(n_groups);
        for (g, group_rows) in rows.iter_mut().enumerate() {
            let n_pos = group_rows.iter().filter(|r| r.1 == 1).count();
            if n_pos == 0 || n_pos == group_rows.len() {
                return Err(Error::InvalidValue {
                    what: "y".into(),
                    row: None,
                    reason: format!(
                        "every row of group `{}` has label {}; {} needs both labels in every \
                         group (fairlearn: degenerate labels)",
                        groups.name(g),
                        usize::from(n_pos > 0),
                        Self::NAME
                    ),
                });
            }
            let points = curve::tradeoff_points(group_rows, self.flip, &x_fn, &*y_fn);
            let hull = curve::upper_hull(&points);
            curves.push(curve::interpolate(&hull, &grid));
            all_points.push(points);
        }
        let n = groups.n_rows() as f64;
        let (best, mut rules, target_y) = if constraint == Disparity::EqualizedOdds {
            let n_pos = y.iter().filter(|&&v| v == 1).count() as f64;
            let (best, rules, y_best) = equalized_odds(&curves, &grid, n - n_pos, n_pos, objective);
            (best, rules, Some(y_best))
        } else {
            let shares: Vec<f64> = groups.counts().iter().map(|&c| c as f64 / n).collect();
            let (best, rules) = simple(&curves, &grid, &shares);
            (best, rules, None)
        };
        for (rule, points) in rules.iter_mut().zip(&all_points) {
            rule.deterministic = nearest(points, grid[best], target_y);
        }
        Ok(FittedThresholdOptimizer {
            params: *self,
            group_names: (0..n_groups).map(|g| groups.name(g)).collect(),
            rules,
            x_best: grid[best],
        })
    }
}

/// The best grid point of a simple constraint: the largest share-weighted objective.
fn simple(curves: &[Vec<Interpolated>], grid: &[f64], shares: &[f64]) -> (usize, Vec<GroupRule>) {
    let overall: Vec<f64> = (0..grid.len())
        .map(|i| {
            let mut terms = curves.iter().zip(shares).map(|(c, &p)| p * c[i].y);
            let first = terms.next().unwrap_or(0.0);
            terms.fold(first, |acc, t| acc + t)
        })
        .collect();
    let best = curve::first_argmax(&overall);
    let rules = curves
        .iter()
        .map(|c| GroupRule::from_interpolated(&c[best], None))
        .collect();
    (best, rules)
}

/// The best grid point of equalized odds: every group brought down to the lowest TPR at the
/// shared FPR, objective on the overall counts rounded to 15 decimals as fairlearn does.
fn equalized_odds(
    curves: &[Vec<Interpolated>],
    grid: &[f64],
    n_neg: f64,
    n_pos: f64,
    objective: Objective,
) -> (usize, Vec<GroupRule>, f64) {
    let y_min: Vec<f64> = (0..grid.len())
        .map(|i| curves.iter().map(|c| c[i].y).fold(f64::INFINITY, f64::min))
        .collect();
    let values: Vec<f64> = grid
        .iter()
        .zip(&y_min)
        .map(|(&x, &ym)| {
            let c = Counts {
                fp: n_neg * x,
                tn: n_neg * (1.0 - x),
                tp: n_pos * ym,
                fn_: n_pos * (1.0 - ym),
            };
            curve::around15(curve::objective_value(objective, &c))
        })
        .collect();
    let best = curve::first_argmax(&values);
    let (x_best, y_best) = (grid[best], y_min[best]);
    let rules = curves
        .iter()
        .map(|c| {
            let r = &c[best];
            let p_ignore = if r.y == r.x {
                0.0
            } else {
                (r.y - y_best) / (r.y - r.x)
            };
            GroupRule::from_interpolated(r, Some((p_ignore, x_best)))
        })
        .collect();
    (best, rules, y_best)
}

/// The single threshold of [`Mode::Deterministic`]: the point nearest the target rate `x`
/// (ties to the larger objective), or with `y`, nearest `(x, y)`; the first of equals.
fn nearest(points: &[curve::Point], x: f64, y: Option<f64>) -> ThresholdOperation {
    let key = |p: &curve::Point| match y {
        Some(y) => ((p.x - x).powi(2) + (p.y - y).powi(2), 0.0),
        None => ((p.x - x).abs(), -p.y),
    };
    let mut best = points.first().map_or(
        ThresholdOperation {
            greater: true,
            threshold: f64::INFINITY,
        },
        |p| p.op,
    );
    let mut best_key = (f64::INFINITY, f64::INFINITY);
    for p in points {
        let k = key(p);
        if k.0 < best_key.0 || (k.0 == best_key.0 && k.1 < best_key.1) {
            best_key = k;
            best = p.op;
        }
    }
    best
}

fn check_inputs(scores: ArrayView1<'_, f64>, groups: &Groups) -> Result<()> {
    if !groups.control_names().is_empty() {
        return Err(Error::Unsupported {
            estimator: ThresholdOptimizer::NAME.into(),
            what: "control columns (group by the sensitive columns only)".into(),
        });
    }
    check_same_len(
        "length of scores against the sensitive columns",
        groups.n_rows(),
        scores.len(),
    )?;
    check_finite_1d(scores, "scores")
}

impl Params for ThresholdOptimizer {
    const NAME: &'static str = "ThresholdOptimizer";

    fn validate(&self) -> Result<()> {
        check_param(
            Self::NAME,
            "grid_size",
            self.grid_size,
            // The grid is allocated up front: usize::MAX panicked (found by probing).
            (1..=1 << 24).contains(&self.grid_size),
            "an int in the range [1, 16777216]",
        )
    }
}

/// The scores fairlearn's `predict_method="predict_proba"` uses: the probability of class 1
/// (the column of class index 1) of a fitted binary classifier.
///
/// # Errors
/// [`Error::InvalidValue`] when the model has no class 1; the errors of its `predict_proba`.
pub fn scores_from_proba<M: PredictProba>(
    model: &M,
    x: ArrayView2<'_, f64>,
) -> Result<Array1<f64>> {
    let Some(col) = model.classes().iter().position(|&c| c == 1) else {
        return Err(Error::InvalidValue {
            what: "model classes".into(),
            row: None,
            reason: format!(
                "the model has no class 1 (the positive class); classes: {:?}",
                model.classes()
            ),
        });
    };
    let p = model.predict_proba(x)?;
    Ok(p.column(col).to_owned())
}
