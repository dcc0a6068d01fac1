//! Permutation importance: how much a fitted model's score drops when one feature's values
//! are shuffled, breaking its link with the target (Breiman 2001; scikit-learn's
//! `permutation_importance`).
//!
//! For each feature (or named group of features) and each repeat, the column is shuffled,
//! the model is scored on the shuffled data, and the importance is the loss of score against
//! the baseline on the intact data. The sign follows the scorer's [`Direction`](crate::scorer::Direction):
//! `baseline − permuted` for scores to maximize and `permuted − baseline` for errors to
//! minimize, so **a larger importance always means a more important feature**, and a feature
//! the model ignores has importance exactly 0.
//!
//! ```
//! use kiln_core::Fit;
//! use kiln_linear::LinearRegression;
//! use kiln_select::importance::{PermutationOptions, permutation_importance};
//! use kiln_select::scorer::{Direction, Scorer};
//! use ndarray::{Array1, Array2};
//!
//! // y depends on x0 only.
//! let x = Array2::from_shape_fn((40, 2), |(i, j)| ((i * (j + 3)) % 11) as f64);
//! let y = Array1::from_shape_fn(40, |i| 2.0 * x[[i, 0]]);
//! let model = LinearRegression::default().fit(x.view(), y.view())?;
//! let mse = Scorer::from_predictions("mse", Direction::Minimize, |y, p, _w| {
//!     Ok(y.iter().zip(p).map(|(a, b): (&f64, &f64)| (a - b).powi(2)).sum::<f64>() / y.len() as f64)
//! });
//! let options = PermutationOptions::default().with_n_repeats(3);
//! let result = permutation_importance(&model, x.view(), y.view(), &[mse], &options)?;
//! let mse_imp = &result.scorers()[0];
//! assert!(mse_imp.mean()[0] > 1.0);
//! assert!(mse_imp.mean()[1].abs() < 1e-9);
//! assert_eq!(result.ranking(0), vec![0, 1]);
//! println!("{result}");
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod report;

pub use report::ScorerImportance;

use kiln_core::check;
use kiln_core::random::{derive_seed, shuffle, task_rng};
use kiln_core::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

use crate::scorer::{Scorer, Target};

const NAME: &str = "permutation_importance";

/// The generator index of the `max_samples` row subset, apart from the per-unit indices
/// `0..n_units`.
const SUBSET_STREAM: u64 = u64::MAX;

/// How many rows each repeat scores (scikit-learn's `max_samples`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxSamples {
    /// A fraction of the rows, in (0, 1]: `floor(fraction × n_samples)` rows (at least 1).
    Fraction(f64),
    /// A number of rows, in [1, n_samples].
    Count(usize),
}

/// Features shuffled together under one name (e.g. the one-hot columns of one category, or
/// strongly correlated measurements), so their joint importance is measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureGroup {
    /// The name shown in the results.
    pub name: String,
    /// The column indices of the group (at least one, each < n_features).
    pub columns: Vec<usize>,
}

impl FeatureGroup {
    /// A group named `name` of the given columns.
    pub fn new(name: impl Into<String>, columns: Vec<usize>) -> Self {
        Self {
            name: name.into(),
            columns,
        }
    }
}

/// The options of [`permutation_importance`].
///
/// # Parameters
/// - `n_repeats` (default 5): shuffles per feature.
/// - `seed` (default 0): repeat `r` of feature (or group) `j` shuffles with
///   `task_rng(derive_seed(seed, j), r)`, so results do not depend on the thread count.
/// - `sample_weight` (default `None`): weights passed to every scorer.
/// - `max_samples` (default `None`, all rows): rows drawn without replacement, as
///   scikit-learn's `max_samples`. One subset (seeded by `seed`) serves every feature and
///   repeat, as in scikit-learn; the baseline always uses all rows, so the importances then
///   include the difference between the score on all rows and on the subset.
/// - `groups` (default `None`, one feature per column): named groups of columns shuffled
///   together; the results then have one entry per group.
/// - `feature_names` (default `None`, `x0`, `x1`, …): names of the columns of `X`.
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationOptions {
    /// Shuffles per feature. By default, 5.
    pub n_repeats: usize,
    /// The seed of the shuffles. By default, 0.
    pub seed: u64,
    /// Per-sample weights given to the scorers. By default, `None`.
    pub sample_weight: Option<Array1<f64>>,
    /// Rows scored per repeat. By default, `None` (all rows).
    pub max_samples: Option<MaxSamples>,
    /// Groups of columns shuffled together. By default, `None` (each column alone).
    pub groups: Option<Vec<FeatureGroup>>,
    /// Names of the columns of `X`. By default, `None` (`x0`, `x1`, …).
    pub feature_names: Option<Vec<String>>,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        Self {
            n_repeats: 5,
            seed: kiln_core::random::DEFAULT_SEED,
            sample_weight: None,
            max_samples: None,
            groups: None,
            feature_names: None,
        }
    }
}

impl PermutationOptions {
    /// Sets `n_repeats` (by default, 5).
    #[must_use]
    pub fn with_n_repeats(mut self, n_repeats: usize) -> Self {
        self.n_repeats = n_repeats;
        self
    }

    /// Sets `seed` (by default, 0).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets `sample_weight` (by default, `None`).
    #[must_use]
    pub fn with_sample_weight(mut self, sample_weight: Array1<f64>) -> Self {
        self.sample_weight = Some(sample_weight);
        self
    }

    /// Sets `max_samples` (by default, `None`: all rows).
    #[must_use]
    pub fn with_max_samples(mut self, max_samples: MaxSamples) -> Self {
        self.max_samples = Some(max_samples);
        self
    }

    /// Sets `groups` (by default, `None`: each column alone).
    #[must_use]
    pub fn with_groups(mut self, groups: Vec<FeatureGroup>) -> Self {
        self.groups = Some(groups);
        self
    }

    /// Sets `feature_names` (by default, `None`: `x0`, `x1`, …).
    #[must_use]
    pub fn with_feature_names(mut self, names: Vec<String>) -> Self {
        self.feature_names = Some(names);
        self
    }

    /// The number of rows each repeat scores, for `n_samples` rows.
    fn rows_per_repeat(&self, n_samples: usize) -> Result<usize> {
        match self.max_samples {
            None => Ok(n_samples),
            Some(MaxSamples::Fraction(f)) => {
                check::check_param(
                    NAME,
                    "max_samples",
                    f,
                    f > 0.0 && f <= 1.0,
                    "a float in the range (0, 1] or an int in [1, n_samples]",
                )?;
                // scikit-learn: int(max_samples * n_samples), kept at least 1.
                Ok(((f * n_samples as f64) as usize).max(1))
            }
            Some(MaxSamples::Count(c)) => {
                check::check_param(
                    NAME,
                    "max_samples",
                    c,
                    c >= 1 && c <= n_samples,
                    &format!("an int in the range [1, n_samples={n_samples}]"),
                )?;
                Ok(c)
            }
        }
    }
}

/// The result of [`permutation_importance`]: one [`ScorerImportance`] per scorer, over the
/// same features (or groups).
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationImportance {
    feature_names: Vec<String>,
    n_repeats: usize,
    n_rows_per_repeat: usize,
    scorers: Vec<ScorerImportance>,
}

impl PermutationImportance {
    /// The name of each feature (or group), in the order of the result rows.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The number of shuffles per feature.
    pub fn n_repeats(&self) -> usize {
        self.n_repeats
    }

    /// The number of rows each repeat scored (all rows unless `max_samples` was set).
    pub fn n_rows_per_repeat(&self) -> usize {
        self.n_rows_per_repeat
    }

    /// The results of each scorer, in the order the scorers were given.
    pub fn scorers(&self) -> &[ScorerImportance] {
        &self.scorers
    }

    /// The results of the scorer called `name`, if any.
    pub fn scorer(&self, name: &str) -> Option<&ScorerImportance> {
        self.scorers.iter().find(|s| s.name() == name)
    }

    /// Feature (or group) indices from the most to the least important under scorer
    /// `scorer` (by mean importance; ties keep index order). Empty when `scorer` is out of
    /// range.
    pub fn ranking(&self, scorer: usize) -> Vec<usize> {
        self.scorers
            .get(scorer)
            .map(ScorerImportance::ranking)
            .unwrap_or_default()
    }
}

/// One unit to shuffle: a single column or a group of columns.
struct Unit {
    name: String,
    columns: Vec<usize>,
}

fn units(n_features: usize, options: &PermutationOptions) -> Result<Vec<Unit>> {
    if let Some(names) = &options.feature_names {
        check::check_same_len(
            "length of feature_names against columns of X",
            n_features,
            names.len(),
        )?;
    }
    let col_name = |j: usize| match &options.feature_names {
        Some(names) => names[j].clone(),
        None => format!("x{j}"),
    };
    match &options.groups {
        None => Ok((0..n_features)
            .map(|j| Unit {
                name: col_name(j),
                columns: vec![j],
            })
            .collect()),
        Some(groups) => {
            if groups.is_empty() {
                return Err(Error::invalid_param(
                    NAME,
                    "groups",
                    "must hold at least one group when given; got an empty list",
                ));
            }
            groups
                .iter()
                .map(|g| {
                    if g.columns.is_empty() {
                        return Err(Error::invalid_param(
                            NAME,
                            "groups",
                            format!("must not hold an empty group; group `{}` has no column", g.name),
                        ));
                    }
                    if let Some(&c) = g.columns.iter().find(|&&c| c >= n_features) {
                        return Err(Error::invalid_param(
                            NAME,
                            "groups",
                            format!(
                                "must hold column indices below n_features={n_features}; group `{}` has {c}",
                                g.name
                            ),
                        ));
                    }
                    let mut cols = g.columns.clone();
                    cols.sort_unstable();
                    cols.dedup();
                    Ok(Unit {
                        name: g.name.clone(),
                        columns: cols,
                    })
                })
                .collect()
        }
    }
}

/// Permutation importance of every feature of `x` for a fitted `model`, under each scorer.
///
/// # Parameters
/// See [`PermutationOptions`]. Features (or groups) are processed in parallel with rayon;
/// each rayon job (about one per thread) shuffles its own copy of `X` and restores the
/// shuffled columns after each feature, so `X` is copied per worker, never per feature or
/// repeat.
///
/// # Errors
/// [`Error::EmptyInput`] for an `X` without rows or columns; [`Error::ShapeMismatch`] when
/// `y`, `sample_weight` or `feature_names` do not match `X`; invalid sample weights;
/// [`Error::InvalidParameter`] for no scorer (`scoring`), `n_repeats = 0`, `max_samples` out of
/// range, or empty / out-of-range `groups`; and any error of the model or a scorer.
///
/// # Notes
/// - Importance is `baseline − permuted` for [`crate::scorer::Direction::Maximize`] scorers
///   and `permuted − baseline` for `Minimize` scorers: larger means more important, in both
///   cases. This equals scikit-learn's values for its sign-flipped `neg_*` scorers.
/// - `std` is the population standard deviation over repeats (`ddof = 0`), as scikit-learn.
/// - The shuffles come from kiln's ChaCha8 generator, not NumPy's, so individual values
///   differ from scikit-learn's; their distribution is the same.
///
/// # References
/// L. Breiman (2001), Random forests, *Machine Learning* 45, 5–32; A. Fisher, C. Rudin,
/// F. Dominici (2019), All models are wrong, but many are useful, *JMLR* 20(177).
pub fn permutation_importance<M, T>(
    model: &M,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, T>,
    scorers: &[Scorer<M, T>],
    options: &PermutationOptions,
) -> Result<PermutationImportance>
where
    M: Sync,
    T: Target,
{
    check::check_non_empty(x, "X")?;
    let (n_samples, n_features) = x.dim();
    check::check_same_len("length of y against rows of X", n_samples, y.len())?;
    let sw = options.sample_weight.as_ref().map(|w| w.view());
    check::check_sample_weight(sw, n_samples)?;
    if scorers.is_empty() {
        return Err(Error::invalid_param(
            NAME,
            "scoring",
            "must hold at least one scorer; got none",
        ));
    }
    check::check_param(
        NAME,
        "n_repeats",
        options.n_repeats,
        // The scores of every repeat are allocated up front: 2^40 repeats aborted the
        // allocation (found by probing).
        (1..=1 << 24).contains(&options.n_repeats),
        "an int in the range [1, 16777216]",
    )?;
    let n_rows = options.rows_per_repeat(n_samples)?;
    let units = units(n_features, options)?;

    let baselines = scorers
        .iter()
        .map(|s| s.score(model, x, y, sw))
        .collect::<Result<Vec<f64>>>()?;
    // Found by probing: a NaN baseline (R² of one row, a NaN scorer) gave Ok with every
    // importance NaN.
    if let Some((scorer, _)) = scorers.iter().zip(&baselines).find(|(_, b)| b.is_nan()) {
        return Err(Error::InvalidValue {
            what: format!("scorer `{}`", scorer.name()),
            row: None,
            reason: "it returned NaN on the intact data, so no importance can be measured".into(),
        });
    }

    let n_repeats = options.n_repeats;
    // With max_samples, one subset of rows is drawn up front and shared by every feature and
    // repeat (as scikit-learn, whose features all draw from the same seed): importances of
    // different features are then measured on the same rows.
    let subset = (n_rows < n_samples).then(|| {
        let mut rng = task_rng(options.seed, SUBSET_STREAM);
        let rows = rand::seq::index::sample(&mut rng, n_samples, n_rows).into_vec();
        let xs = x.select(Axis(0), &rows);
        let ys: Array1<T> = rows.iter().map(|&i| y[i]).collect();
        let ws = sw.map(|w| w.select(Axis(0), &rows));
        (xs, ys, ws)
    });
    let (xs, ys, ws) = match &subset {
        Some((xs, ys, ws)) => (xs.view(), ys.view(), ws.as_ref().map(|w| w.view())),
        None => (x, y, sw),
    };
    // Per unit: scores[scorer][repeat], flattened scorer-major.
    let per_unit: Vec<Result<Vec<f64>>> = (0..units.len())
        .into_par_iter()
        .map_init(
            // One copy of the (subset of) X per rayon job, not per unit: each unit restores its
            // columns.
            || (xs.to_owned(), Vec::with_capacity(n_rows)),
            |(buf, perm): &mut (Array2<f64>, Vec<usize>), u| {
                let columns = &units[u].columns;
                let unit_seed = derive_seed(options.seed, u as u64);
                let mut scores = vec![0.0; scorers.len() * n_repeats];
                let mut outcome = Ok(());
                'repeats: for r in 0..n_repeats {
                    let mut rng = task_rng(unit_seed, r as u64);
                    perm.clear();
                    perm.extend(0..n_rows);
                    shuffle(perm, &mut rng);
                    for &c in columns {
                        let (src, mut dst) = (xs.column(c), buf.column_mut(c));
                        for (d, &p) in dst.iter_mut().zip(perm.iter()) {
                            *d = src[p];
                        }
                    }
                    for (s, scorer) in scorers.iter().enumerate() {
                        match scorer.score(model, buf.view(), ys, ws) {
                            Ok(v) => scores[s * n_repeats + r] = v,
                            Err(e) => {
                                outcome = Err(e);
                                break 'repeats;
                            }
                        }
                    }
                }
                // Restore even after an error: the worker's copy is reused.
                for &c in columns {
                    buf.column_mut(c).assign(&xs.column(c));
                }
                outcome.map(|()| scores)
            },
        )
        .collect();

    let mut raw = Vec::with_capacity(units.len());
    for r in per_unit {
        raw.push(r?);
    }
    if let Some(s) = (0..scorers.len()).find(|&s| {
        raw.iter().any(|u| {
            u[s * n_repeats..(s + 1) * n_repeats]
                .iter()
                .any(|v| v.is_nan())
        })
    }) {
        return Err(Error::InvalidValue {
            what: format!("scorer `{}`", scorers[s].name()),
            row: None,
            reason: "it returned NaN on permuted data".into(),
        });
    }
    let results = scorers
        .iter()
        .enumerate()
        .map(|(s, scorer)| {
            let importances = Array2::from_shape_fn((units.len(), n_repeats), |(u, r)| {
                let permuted = raw[u][s * n_repeats + r];
                match scorer.direction() {
                    crate::scorer::Direction::Maximize => baselines[s] - permuted,
                    crate::scorer::Direction::Minimize => permuted - baselines[s],
                }
            });
            ScorerImportance::new(
                scorer.name().to_owned(),
                scorer.direction(),
                baselines[s],
                importances,
            )
        })
        .collect();
    Ok(PermutationImportance {
        feature_names: units.into_iter().map(|u| u.name).collect(),
        n_repeats,
        n_rows_per_repeat: n_rows,
        scorers: results,
    })
}
