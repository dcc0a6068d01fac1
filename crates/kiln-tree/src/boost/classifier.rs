//! [`HistGradientBoostingClassifier`]: boosting with binary or multiclass log-loss.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fit, Fitted, Params, Predict, PredictProba, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::fit::{Boosted, Data, boost};
use super::loss::{Loss, sigmoid, softmax_into};
use super::{BoostParams, BoostTree, FitOptions, boost_fitted_accessors, boost_setters};
use crate::tree::ClassWeight;

/// A gradient-boosted tree classifier on binned features, as scikit-learn's
/// `HistGradientBoostingClassifier` and LightGBM's `LGBMClassifier`: binary log-loss with one
/// tree per iteration for two classes, multiclass log-loss (softmax) with one tree per class
/// and iteration for more.
///
/// # Parameters
/// The shared [`BoostParams`] (in the `params` field, each with a `with_*` setter):
/// `learning_rate` (0.1), `max_iter` (100), `max_leaf_nodes` (`Some(31)`), `max_depth`
/// (`None`), `min_samples_leaf` (20), `min_sum_hessian` (1e-3), `l2_regularization` (0),
/// `max_features` (1.0), `max_bins` (255), `categorical_features` (none), `monotonic_cst`
/// (none), `subsample` (1.0), `early_stopping` ([`EarlyStopping::Auto`](super::EarlyStopping)),
/// `scoring` ([`Scoring::Loss`](super::Scoring)), `validation_fraction` (`Some(0.1)`),
/// `n_iter_no_change` (10), `tol` (1e-7), `seed` (0); and
/// - `class_weight` (default [`ClassWeight::None`]): multiplied into the sample weights.
///
/// # Fitted attributes
/// [`FittedHistGradientBoostingClassifier::n_iter`], `trees`, `feature_importances`,
/// `train_scores`, `validation_scores`, `bin_thresholds`, and the classes through
/// [`PredictProba`].
///
/// # Errors
/// `fit` returns [`Error::InvalidParameter`] for a parameter out of range (non-positive
/// `learning_rate`, `max_leaf_nodes < 2`, `max_bins` outside 2..=255, a monotonic constraint
/// on a categorical feature or with more than two classes, ...), [`Error::EmptyInput`],
/// [`Error::NonFinite`] for infinite values in `X` (NaN means missing),
/// [`Error::SingleClass`], [`Error::InvalidValue`] for a categorical feature with a
/// non-integer or negative code or more than `max_bins` categories, and the sample-weight
/// errors of `kiln_core::check`. Prediction rejects a different feature count and infinite
/// values.
///
/// # Notes
/// - The trees are those of scikit-learn 1.9 for the same data and parameters (same bins,
///   gains, tie-breaking and leaf values) when no tie between splits decides, and no random
///   choice is involved (subsampling and held-out rows use kiln's generator).
/// - Categories unseen at fit are treated as missing at predict time.
///
/// # References
/// - Friedman (2001). Greedy function approximation: a gradient boosting machine. *Annals of
///   Statistics* 29(5).
/// - Chen & Guestrin (2016). XGBoost: a scalable tree boosting system. *KDD*.
/// - Ke et al. (2017). LightGBM: a highly efficient gradient boosting decision tree. *NIPS*.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict, PredictProba};
/// use kiln_datasets::Dataset;
/// use kiln_tree::{EarlyStopping, HistGradientBoostingClassifier};
///
/// let cancer = Dataset::BreastCancer.load_numeric()?;
/// let y = cancer.target.class_indices().ok_or("a classification set")?;
/// let model = HistGradientBoostingClassifier::default()
///     .with_max_iter(50)
///     .with_early_stopping(EarlyStopping::Off)
///     .fit(cancer.x.view(), y.view())?;
/// assert_eq!(model.n_iter(), 50);
/// let p = model.predict_proba(cancer.x.view())?;
/// assert!((p.row(0).sum() - 1.0).abs() < 1e-12);
/// let accuracy = model.predict(cancer.x.view())?.iter().zip(y).filter(|(a, b)| a == b).count()
///     as f64 / y.len() as f64;
/// assert!(accuracy > 0.97);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HistGradientBoostingClassifier {
    /// The parameters shared with the regressor.
    pub params: BoostParams,
    /// Weights per class, multiplied into the sample weights. By default, none.
    pub class_weight: ClassWeight,
}

impl HistGradientBoostingClassifier {
    boost_setters!();

    /// Sets `class_weight` (by default, none).
    #[must_use]
    pub fn with_class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    /// Fits with sample weights, an evaluation set and a per-iteration callback.
    ///
    /// # Errors
    /// As [`Fit::fit`], plus the same checks on the evaluation set (its classes must be among
    /// the training classes).
    pub fn fit_with(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        options: FitOptions<'_, usize>,
    ) -> Result<FittedHistGradientBoostingClassifier> {
        self.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::AllowMissing)?;
        check::check_sample_weight(options.sample_weight, y.len())?;
        let counts = check::check_class_indices(Self::NAME, y, true)?;
        let classes = counts.classes;
        let k = classes.len();
        if k > 2 && self.params.monotonic_cst.iter().any(|&m| m != 0) {
            return Err(Error::invalid_param(
                Self::NAME,
                "monotonic_cst",
                "is not supported with more than two classes",
            ));
        }
        let code = |c: &usize| classes.binary_search(c).map(|i| i as f64);
        let y_codes: Vec<f64> = y.iter().map(|c| code(c).unwrap_or(0.0)).collect();
        let cw = self.class_weight.per_class(&classes, &counts.counts);
        let weights = class_weighted(&y_codes, &cw, options.sample_weight);
        if let Some(w) = &weights {
            let total: f64 = w.iter().sum();
            if total <= 0.0 || !total.is_finite() {
                return Err(Error::InvalidValue {
                    what: "sample_weight".into(),
                    row: None,
                    reason: format!(
                        "the weights sum to {total} once class weights are applied; they must \
                         sum to a positive finite number"
                    ),
                });
            }
        }

        let eval = match &options.eval_set {
            Some(e) => {
                check::check_n_features(Self::NAME, x.ncols(), e.x)?;
                check::check_fit_xy(e.x, e.y.len(), NanPolicy::AllowMissing)?;
                check::check_sample_weight(e.sample_weight, e.y.len())?;
                let codes =
                    e.y.iter()
                        .enumerate()
                        .map(|(row, c)| {
                            code(c).map_err(|_| Error::UnknownLabel {
                                what: "the evaluation set's y".into(),
                                label: c.to_string(),
                                row: Some(row),
                                known: format!("{classes:?}"),
                            })
                        })
                        .collect::<Result<Vec<f64>>>()?;
                let w = class_weighted(&codes, &cw, e.sample_weight);
                Some((e.x, codes, w))
            }
            None => None,
        };
        let settings =
            self.params
                .settings(Self::NAME, x.nrows(), x.ncols(), options.eval_set.is_some())?;
        let loss = if k == 2 {
            Loss::Binary
        } else {
            Loss::Softmax { k }
        };
        let train = Data {
            x,
            y: &y_codes,
            w: weights.as_deref(),
        };
        let eval_data = eval.as_ref().map(|(ex, ey, ew)| Data {
            x: *ex,
            y: ey,
            w: ew.as_deref(),
        });
        let model = boost(&settings, loss, train, eval_data, options.callback)?;
        Ok(FittedHistGradientBoostingClassifier {
            params: self.clone(),
            n_features: x.ncols(),
            classes,
            model,
        })
    }
}

/// Sample weights times class weights, or `None` when every weight is 1.
fn class_weighted(codes: &[f64], cw: &[f64], w: Option<ArrayView1<'_, f64>>) -> Option<Vec<f64>> {
    if w.is_none() && cw.iter().all(|&c| c == 1.0) {
        return None;
    }
    Some(
        codes
            .iter()
            .enumerate()
            .map(|(i, &c)| w.map_or(1.0, |w| w[i]) * cw[c as usize])
            .collect(),
    )
}

impl Params for HistGradientBoostingClassifier {
    const NAME: &'static str = "HistGradientBoostingClassifier";

    fn validate(&self) -> Result<()> {
        self.params.validate(Self::NAME)?;
        check::check_param(
            Self::NAME,
            "scoring",
            format!("{:?}", self.params.scoring),
            self.params.scoring != crate::boost::Scoring::R2,
            "Loss or Accuracy (R2 is for regressors)",
        )?;
        crate::tree::params::check_class_weight(Self::NAME, &self.class_weight)
    }
}

impl Fit for HistGradientBoostingClassifier {
    type Target = usize;
    type Fitted = FittedHistGradientBoostingClassifier;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedHistGradientBoostingClassifier> {
        let mut options = FitOptions::new();
        options.sample_weight = sample_weight;
        self.fit_with(x, y, options)
    }
}

/// A fitted [`HistGradientBoostingClassifier`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedHistGradientBoostingClassifier {
    params: HistGradientBoostingClassifier,
    n_features: usize,
    classes: Vec<usize>,
    model: Boosted,
}

impl FittedHistGradientBoostingClassifier {
    /// The params it was fitted with.
    pub fn params(&self) -> &HistGradientBoostingClassifier {
        &self.params
    }

    boost_fitted_accessors!();

    /// Trees per iteration: 1 for two classes, the number of classes otherwise.
    pub fn n_trees_per_iteration(&self) -> usize {
        self.model.n_outputs
    }

    /// The trees, iteration-major (tree `k` of iteration `i` is `trees()[i * n_trees_per_iteration() + k]`).
    pub fn trees(&self) -> &[BoostTree] {
        &self.model.trees
    }

    /// The raw score every row starts from, per output (the log-odds of the class prior for
    /// two classes).
    pub fn baseline(&self) -> &[f64] {
        &self.model.baseline
    }

    /// The raw scores: `rows × 1` (log-odds of the second class) for two classes, `rows ×
    /// n_classes` otherwise (scikit-learn's `decision_function`).
    ///
    /// # Errors
    /// [`Error::FeatureCountMismatch`], [`Error::NonFinite`] for infinite values.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            Self::NAME_FITTED,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        Ok(self.model.raw_predict(x))
    }

    const NAME_FITTED: &'static str = "HistGradientBoostingClassifier";
}

impl Fitted for FittedHistGradientBoostingClassifier {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedHistGradientBoostingClassifier {
    type Output = usize;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let raw = self.decision_function(x)?;
        Ok(raw
            .rows()
            .into_iter()
            .map(|r| {
                let idx = if r.len() == 1 {
                    usize::from(r[0] > 0.0)
                } else {
                    let mut best = 0;
                    for (j, &v) in r.iter().enumerate() {
                        if v > r[best] {
                            best = j;
                        }
                    }
                    best
                };
                self.classes[idx]
            })
            .collect())
    }
}

impl PredictProba for FittedHistGradientBoostingClassifier {
    fn classes(&self) -> &[usize] {
        &self.classes
    }

    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let raw = self.decision_function(x)?;
        let k = self.classes.len();
        let mut p = Array2::<f64>::zeros((raw.nrows(), k));
        for (r, mut out) in raw.rows().into_iter().zip(p.rows_mut()) {
            if k == 2 {
                let p1 = sigmoid(r[0]);
                out[0] = 1.0 - p1;
                out[1] = p1;
            } else if let Some(o) = out.as_slice_mut() {
                softmax_into(r.iter().copied(), o);
            }
        }
        Ok(p)
    }
}

impl Persist for FittedHistGradientBoostingClassifier {
    const KIND: &'static str = "kiln_tree::HistGradientBoostingClassifier";
    type Params = HistGradientBoostingClassifier;

    fn params(&self) -> &HistGradientBoostingClassifier {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        // One output for two classes (binary log-loss), one per class otherwise.
        let outputs = if self.classes.len() <= 2 {
            1
        } else {
            self.classes.len()
        };
        self.model.check_structure(self.n_features, outputs)
    }
}
