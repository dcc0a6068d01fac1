//! Histogram gradient boosting: [`HistGradientBoostingClassifier`] and
//! [`HistGradientBoostingRegressor`].
//!
//! Gradient boosting (Friedman 2001) adds regression trees one at a time, each fitted to the
//! gradient of the loss at the current predictions with a Newton step in every leaf (Chen &
//! Guestrin 2016). As in LightGBM (Ke et al. 2017) and scikit-learn's
//! `HistGradientBoosting*`, features are binned once into at most 255 bins (quantile
//! thresholds, `bin`), trees grow leaf-wise on per-bin gradient histograms (`grow`,
//! `hist`, `split`) and the larger child's histogram is its parent's minus the smaller
//! child's. Missing values get their own bin and a learned direction; categorical features are
//! split on sets of categories ordered by their gradient statistics.
//!
//! Determinism: histograms are summed per feature block in row order by one task each, and
//! every random draw (binning subsample, row subsample, features per split, validation split)
//! comes from a generator derived from `seed`, so a seed gives the same model on any number of
//! threads.

pub(crate) mod bin;
mod classifier;
mod fit;
mod grow;
mod hist;
mod loss;
mod partition;
mod predict;
mod regressor;
mod shap;
mod split;
pub(crate) mod tree;

use std::ops::ControlFlow;

use kiln_core::check::check_param;
use kiln_core::{Error, Result};
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

pub use classifier::{FittedHistGradientBoostingClassifier, HistGradientBoostingClassifier};
pub use regressor::{
    FittedHistGradientBoostingRegressor, HistGradientBoostingRegressor, RegressionLoss,
};
pub use tree::BoostTree;

/// When a boosted model stops adding trees before `max_iter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EarlyStopping {
    /// On when the training data has more than 10 000 rows (scikit-learn's `"auto"`, the
    /// default).
    #[default]
    Auto,
    /// Always on.
    On,
    /// Never: exactly `max_iter` iterations.
    Off,
}

/// What early stopping watches (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scoring {
    /// The negative mean loss (the default).
    #[default]
    Loss,
    /// Accuracy (classifiers only).
    Accuracy,
    /// The coefficient of determination R² (regressors only).
    R2,
}

/// The kind of feature importance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Importance {
    /// The total gain of the splits on each feature, normalized to sum to 1 (the default).
    #[default]
    Gain,
    /// How many splits use each feature (not normalized).
    Split,
}

/// What a fit reports after each iteration to a callback (see `FitOptions::callback`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Iterations done (1 after the first).
    pub iteration: usize,
    /// The score on the training rows (the negative mean loss unless `scoring` says
    /// otherwise; held-out rows excluded).
    pub train_score: Option<f64>,
    /// The score on the validation rows (held out by early stopping, or given as an
    /// evaluation set), if any.
    pub validation_score: Option<f64>,
}

/// Rows held out to watch a fit: features, targets and optional sample weights.
#[derive(Debug, Clone, Copy)]
pub struct EvalSet<'a, T> {
    /// The features, with the training data's columns.
    pub x: ArrayView2<'a, f64>,
    /// The targets.
    pub y: ArrayView1<'a, T>,
    /// Optional sample weights.
    pub sample_weight: Option<ArrayView1<'a, f64>>,
}

/// Options of `fit_with`: sample weights, an evaluation set and a per-iteration callback.
#[derive(Default)]
pub struct FitOptions<'a, T> {
    /// Sample weights of the training rows.
    pub sample_weight: Option<ArrayView1<'a, f64>>,
    /// Rows to score after each iteration; early stopping (when on) watches them instead of
    /// holding out `validation_fraction` of the training rows.
    pub eval_set: Option<EvalSet<'a, T>>,
    /// Called after each iteration; returning `ControlFlow::Break(())` ends the fit there.
    #[allow(clippy::type_complexity)]
    pub callback: Option<&'a mut dyn FnMut(&Progress) -> ControlFlow<()>>,
}

impl<'a, T> FitOptions<'a, T> {
    /// Empty options.
    pub fn new() -> Self {
        Self {
            sample_weight: None,
            eval_set: None,
            callback: None,
        }
    }

    /// Sets the sample weights.
    #[must_use]
    pub fn sample_weight(mut self, w: ArrayView1<'a, f64>) -> Self {
        self.sample_weight = Some(w);
        self
    }

    /// Sets the evaluation set.
    #[must_use]
    pub fn eval_set(mut self, x: ArrayView2<'a, f64>, y: ArrayView1<'a, T>) -> Self {
        self.eval_set = Some(EvalSet {
            x,
            y,
            sample_weight: None,
        });
        self
    }

    /// Sets the callback.
    #[must_use]
    pub fn callback(mut self, f: &'a mut dyn FnMut(&Progress) -> ControlFlow<()>) -> Self {
        self.callback = Some(f);
        self
    }
}

impl<T> std::fmt::Debug for FitOptions<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitOptions")
            .field("sample_weight", &self.sample_weight.is_some())
            .field("eval_set", &self.eval_set.is_some())
            .field("callback", &self.callback.is_some())
            .finish()
    }
}

/// The parameters both boosted models share, with scikit-learn's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostParams {
    /// The shrinkage applied to every leaf value. By default, `0.1`.
    pub learning_rate: f64,
    /// The number of boosting iterations (trees per output). By default, `100`.
    pub max_iter: usize,
    /// The most leaves of a tree. By default, `Some(31)`.
    pub max_leaf_nodes: Option<usize>,
    /// The deepest level of a tree. By default, `None`.
    pub max_depth: Option<usize>,
    /// The fewest training rows in a leaf. By default, `20`.
    pub min_samples_leaf: usize,
    /// The least sum of hessians in a leaf (LightGBM's `min_sum_hessian_in_leaf`). By
    /// default, `1e-3`.
    pub min_sum_hessian: f64,
    /// L2 penalty on leaf values (λ in `−G/(H + λ)`). By default, `0.0`.
    pub l2_regularization: f64,
    /// The fraction of features searched at each split, in `(0, 1]`. By default, `1.0`.
    pub max_features: f64,
    /// Bins per feature for non-missing values, in `2..=255`. By default, `255`.
    pub max_bins: usize,
    /// Indices of categorical features (non-negative integer codes, NaN for missing). By
    /// default, none.
    pub categorical_features: Vec<usize>,
    /// Per feature −1 (decreasing), 0 or +1 (increasing); empty for none. By default, empty.
    pub monotonic_cst: Vec<i8>,
    /// The fraction of rows drawn (without replacement) for each iteration, in `(0, 1]`. By
    /// default, `1.0`.
    pub subsample: f64,
    /// Whether to stop early. By default, [`EarlyStopping::Auto`].
    pub early_stopping: EarlyStopping,
    /// What early stopping watches. By default, [`Scoring::Loss`].
    pub scoring: Scoring,
    /// The fraction of training rows held out for early stopping, in `(0, 1)`; `None` watches
    /// the training rows. By default, `Some(0.1)`.
    pub validation_fraction: Option<f64>,
    /// Iterations without improvement before stopping (the patience). By default, `10`.
    pub n_iter_no_change: usize,
    /// The least improvement that counts. By default, `1e-7`.
    pub tol: f64,
    /// Seed of every random choice. By default, `0`.
    pub seed: u64,
}

impl Default for BoostParams {
    fn default() -> Self {
        Self {
            learning_rate: 0.1,
            max_iter: 100,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            min_sum_hessian: 1e-3,
            l2_regularization: 0.0,
            max_features: 1.0,
            max_bins: 255,
            categorical_features: Vec::new(),
            monotonic_cst: Vec::new(),
            subsample: 1.0,
            early_stopping: EarlyStopping::Auto,
            scoring: Scoring::Loss,
            validation_fraction: Some(0.1),
            n_iter_no_change: 10,
            tol: 1e-7,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl BoostParams {
    /// Checks every range that does not depend on the data.
    fn validate(&self, est: &str) -> Result<()> {
        let lr = self.learning_rate;
        check_param(
            est,
            "learning_rate",
            lr,
            lr.is_finite() && lr > 0.0,
            "a float in (0, inf)",
        )?;
        check_param(
            est,
            "max_iter",
            self.max_iter,
            self.max_iter >= 1,
            "an int >= 1",
        )?;
        if let Some(m) = self.max_leaf_nodes {
            check_param(est, "max_leaf_nodes", m, m >= 2, "None or an int >= 2")?;
        }
        if let Some(d) = self.max_depth {
            check_param(est, "max_depth", d, d >= 1, "None or an int >= 1")?;
        }
        let msl = self.min_samples_leaf;
        check_param(
            est,
            "min_samples_leaf",
            msl,
            msl >= 1 && msl <= u32::MAX as usize / 2,
            "an int >= 1",
        )?;
        let h = self.min_sum_hessian;
        check_param(
            est,
            "min_sum_hessian",
            h,
            h.is_finite() && h >= 0.0,
            "a float in [0, inf)",
        )?;
        let l2 = self.l2_regularization;
        check_param(
            est,
            "l2_regularization",
            l2,
            l2.is_finite() && l2 >= 0.0,
            "a float in [0, inf)",
        )?;
        let mf = self.max_features;
        check_param(
            est,
            "max_features",
            mf,
            mf > 0.0 && mf <= 1.0,
            "a float in (0, 1]",
        )?;
        let mb = self.max_bins;
        check_param(
            est,
            "max_bins",
            mb,
            (2..=255).contains(&mb),
            "an int in [2, 255]",
        )?;
        let ss = self.subsample;
        check_param(
            est,
            "subsample",
            ss,
            ss > 0.0 && ss <= 1.0,
            "a float in (0, 1]",
        )?;
        if let Some(v) = self.validation_fraction {
            check_param(
                est,
                "validation_fraction",
                v,
                v > 0.0 && v < 1.0,
                "None or a float in (0, 1)",
            )?;
        }
        let nic = self.n_iter_no_change;
        check_param(est, "n_iter_no_change", nic, nic >= 1, "an int >= 1")?;
        check_param(
            est,
            "tol",
            self.tol,
            self.tol.is_finite() && self.tol >= 0.0,
            "a float in [0, inf)",
        )?;
        for (j, &m) in self.monotonic_cst.iter().enumerate() {
            check_param(
                est,
                "monotonic_cst",
                m,
                (-1..=1).contains(&m),
                "a list of -1, 0 or 1 per feature",
            )?;
            if m != 0 && self.categorical_features.contains(&j) {
                return Err(Error::invalid_param(
                    est,
                    "monotonic_cst",
                    format!("cannot constrain feature {j}: it is categorical"),
                ));
            }
        }
        Ok(())
    }

    /// The fit settings for data with `n_rows` rows and `n_features` features.
    fn settings(
        &self,
        est: &str,
        n_rows: usize,
        n_features: usize,
        has_eval: bool,
    ) -> Result<fit::Settings> {
        let mut categorical = vec![false; n_features];
        for &j in &self.categorical_features {
            if j >= n_features {
                return Err(Error::invalid_param(
                    est,
                    "categorical_features",
                    format!("must hold feature indices below {n_features}; got {j}"),
                ));
            }
            categorical[j] = true;
        }
        let monotonic = if self.monotonic_cst.is_empty() {
            vec![0; n_features]
        } else if self.monotonic_cst.len() == n_features {
            self.monotonic_cst.clone()
        } else {
            return Err(Error::invalid_param(
                est,
                "monotonic_cst",
                format!(
                    "must have one entry per feature ({n_features}); got {}",
                    self.monotonic_cst.len()
                ),
            ));
        };
        if n_rows > u32::MAX as usize {
            return Err(Error::Unsupported {
                estimator: est.into(),
                what: format!("more than {} rows", u32::MAX),
            });
        }
        let on = match self.early_stopping {
            EarlyStopping::Auto => n_rows > 10_000,
            EarlyStopping::On => true,
            EarlyStopping::Off => false,
        };
        let early_stop = on.then_some(fit::EarlyStop {
            n_iter_no_change: self.n_iter_no_change,
            tol: self.tol,
            scoring: self.scoring,
            validation_fraction: if has_eval {
                None
            } else {
                self.validation_fraction
            },
        });
        Ok(fit::Settings {
            max_iter: self.max_iter,
            learning_rate: self.learning_rate,
            max_leaf_nodes: self.max_leaf_nodes,
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            min_sum_hessian: self.min_sum_hessian,
            l2_regularization: self.l2_regularization,
            max_features: self.max_features,
            max_bins: self.max_bins,
            categorical,
            monotonic,
            subsample: self.subsample,
            early_stop,
            seed: self.seed,
        })
    }
}

/// The `with_*` setters of the shared parameters, for both boosted estimators (which keep
/// them in a `params: BoostParams` field).
macro_rules! boost_setters {
    () => {
        /// Sets `learning_rate` (by default, `0.1`).
        #[must_use]
        pub fn with_learning_rate(mut self, v: f64) -> Self {
            self.params.learning_rate = v;
            self
        }
        /// Sets `max_iter` (by default, `100`).
        #[must_use]
        pub fn with_max_iter(mut self, v: usize) -> Self {
            self.params.max_iter = v;
            self
        }
        /// Sets `max_leaf_nodes` (by default, `Some(31)`).
        #[must_use]
        pub fn with_max_leaf_nodes(mut self, v: Option<usize>) -> Self {
            self.params.max_leaf_nodes = v;
            self
        }
        /// Sets `max_depth` (by default, `None`).
        #[must_use]
        pub fn with_max_depth(mut self, v: Option<usize>) -> Self {
            self.params.max_depth = v;
            self
        }
        /// Sets `min_samples_leaf` (by default, `20`).
        #[must_use]
        pub fn with_min_samples_leaf(mut self, v: usize) -> Self {
            self.params.min_samples_leaf = v;
            self
        }
        /// Sets `min_sum_hessian` (by default, `1e-3`).
        #[must_use]
        pub fn with_min_sum_hessian(mut self, v: f64) -> Self {
            self.params.min_sum_hessian = v;
            self
        }
        /// Sets `l2_regularization` (by default, `0.0`).
        #[must_use]
        pub fn with_l2_regularization(mut self, v: f64) -> Self {
            self.params.l2_regularization = v;
            self
        }
        /// Sets `max_features`, the fraction of features searched per split (by default,
        /// `1.0`).
        #[must_use]
        pub fn with_max_features(mut self, v: f64) -> Self {
            self.params.max_features = v;
            self
        }
        /// Sets `max_bins` (by default, `255`).
        #[must_use]
        pub fn with_max_bins(mut self, v: usize) -> Self {
            self.params.max_bins = v;
            self
        }
        /// Sets the indices of the categorical features (by default, none).
        #[must_use]
        pub fn with_categorical_features(mut self, v: Vec<usize>) -> Self {
            self.params.categorical_features = v;
            self
        }
        /// Sets the monotonic constraints, −1, 0 or +1 per feature (by default, none).
        #[must_use]
        pub fn with_monotonic_cst(mut self, v: Vec<i8>) -> Self {
            self.params.monotonic_cst = v;
            self
        }
        /// Sets `subsample`, the fraction of rows per iteration (by default, `1.0`).
        #[must_use]
        pub fn with_subsample(mut self, v: f64) -> Self {
            self.params.subsample = v;
            self
        }
        /// Sets `early_stopping` (by default, [`EarlyStopping::Auto`](crate::boost::EarlyStopping)).
        #[must_use]
        pub fn with_early_stopping(mut self, v: $crate::boost::EarlyStopping) -> Self {
            self.params.early_stopping = v;
            self
        }
        /// Sets `scoring` (by default, [`Scoring::Loss`](crate::boost::Scoring)).
        #[must_use]
        pub fn with_scoring(mut self, v: $crate::boost::Scoring) -> Self {
            self.params.scoring = v;
            self
        }
        /// Sets `validation_fraction` (by default, `Some(0.1)`).
        #[must_use]
        pub fn with_validation_fraction(mut self, v: Option<f64>) -> Self {
            self.params.validation_fraction = v;
            self
        }
        /// Sets `n_iter_no_change` (by default, `10`).
        #[must_use]
        pub fn with_n_iter_no_change(mut self, v: usize) -> Self {
            self.params.n_iter_no_change = v;
            self
        }
        /// Sets `tol` (by default, `1e-7`).
        #[must_use]
        pub fn with_tol(mut self, v: f64) -> Self {
            self.params.tol = v;
            self
        }
        /// Sets `seed` (by default, `0`).
        #[must_use]
        pub fn with_seed(mut self, v: u64) -> Self {
            self.params.seed = v;
            self
        }
    };
}
pub(crate) use boost_setters;

/// The accessors both fitted boosted models share (they keep `n_features`, `model: Boosted`
/// and a `NAME_FITTED` for error messages).
macro_rules! boost_fitted_accessors {
    () => {
        /// The iterations run (fewer than `max_iter` after early stopping).
        pub fn n_iter(&self) -> usize {
            self.model.n_iter
        }

        /// Scores on the training rows, from the baseline on (empty unless early stopping
        /// watched them or a callback was given).
        pub fn train_scores(&self) -> &[f64] {
            &self.model.train_scores
        }

        /// Scores on the validation rows, from the baseline on (empty without validation
        /// rows).
        pub fn validation_scores(&self) -> &[f64] {
            &self.model.validation_scores
        }

        /// The thresholds of a numeric feature's bins (`x <= t[b]` is bin `b`); empty for a
        /// categorical feature or an index out of range.
        pub fn bin_thresholds(&self, feature: usize) -> &[f64] {
            self.model
                .mapper
                .thresholds
                .get(feature)
                .map_or(&[], |t| t.as_slice())
        }

        /// Feature importances: total split gain per feature normalized to sum to 1, or
        /// split counts.
        pub fn feature_importances(&self, kind: $crate::boost::Importance) -> ndarray::Array1<f64> {
            self.model.importances(kind)
        }

        /// The leaf index each row reaches in each tree (`rows × trees`).
        ///
        /// # Errors
        /// [`kiln_core::Error::FeatureCountMismatch`], [`kiln_core::Error::NonFinite`] for
        /// infinite values.
        pub fn apply(
            &self,
            x: ndarray::ArrayView2<'_, f64>,
        ) -> kiln_core::Result<ndarray::Array2<usize>> {
            kiln_core::check::check_predict_x(
                Self::NAME_FITTED,
                self.n_features,
                x,
                kiln_core::check::NanPolicy::AllowMissing,
            )?;
            Ok(self.model.apply(x))
        }

        /// Per-feature contributions to the raw scores (TreeSHAP, Lundberg et al. 2018):
        /// `rows × outputs × (features + 1)`, the last entry being the expected raw score;
        /// each row's entries of an output sum to its raw score.
        ///
        /// # Errors
        /// As [`Self::apply`].
        pub fn feature_contributions(
            &self,
            x: ndarray::ArrayView2<'_, f64>,
        ) -> kiln_core::Result<ndarray::Array3<f64>> {
            kiln_core::check::check_predict_x(
                Self::NAME_FITTED,
                self.n_features,
                x,
                kiln_core::check::NanPolicy::AllowMissing,
            )?;
            Ok(self.model.contributions(x))
        }
    };
}
pub(crate) use boost_fitted_accessors;
