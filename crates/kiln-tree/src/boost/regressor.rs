//! [`HistGradientBoostingRegressor`]: boosting with squared, absolute, quantile or Poisson
//! loss.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fit, Fitted, Params, Predict, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::fit::{Boosted, Data, boost};
use super::loss::Loss;
use super::{BoostParams, BoostTree, FitOptions, boost_fitted_accessors, boost_setters};

/// The loss a [`HistGradientBoostingRegressor`] minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum RegressionLoss {
    /// Squared error: predicts the conditional mean (the default).
    #[default]
    SquaredError,
    /// Absolute error: predicts the conditional median; leaves take the median residual.
    AbsoluteError,
    /// Pinball loss of a quantile in `(0, 1)`; leaves take that quantile of the residuals.
    Quantile(f64),
    /// Poisson deviance with a log link, for counts and rates (`y >= 0`, not all zero);
    /// predictions are `exp` of the raw score.
    Poisson,
}

/// A gradient-boosted tree regressor on binned features, as scikit-learn's
/// `HistGradientBoostingRegressor` and LightGBM's `LGBMRegressor`.
///
/// # Parameters
/// The shared [`BoostParams`] (see [`HistGradientBoostingClassifier`](super::HistGradientBoostingClassifier)
/// for the list and defaults), and
/// - `loss` (default [`RegressionLoss::SquaredError`]).
///
/// # Fitted attributes
/// [`FittedHistGradientBoostingRegressor::n_iter`], `trees`, `baseline`,
/// `feature_importances`, `train_scores`, `validation_scores`, `bin_thresholds`.
///
/// # Errors
/// As the classifier's, plus [`Error::NonFinite`] for NaN or infinite targets,
/// [`Error::InvalidValue`] for negative targets (or all zero) with Poisson loss or a target
/// whose magnitude (times the largest sample weight) exceeds 1e30 (1e300 for the absolute-error
/// and quantile losses; single-precision gradients or residuals would overflow), and [`Error::InvalidParameter`] for a quantile outside
/// `(0, 1)` or `Scoring::Accuracy`.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_datasets::Dataset;
/// use kiln_tree::{EarlyStopping, HistGradientBoostingRegressor};
///
/// let diabetes = Dataset::Diabetes.load_numeric()?;
/// let y = diabetes.target.values().ok_or("a regression set")?;
/// let model = HistGradientBoostingRegressor::default()
///     .with_max_iter(50)
///     .with_early_stopping(EarlyStopping::Off)
///     .fit(diabetes.x.view(), y.view())?;
/// let pred = model.predict(diabetes.x.view())?;
/// let mean = y.mean().ok_or("non-empty")?;
/// let r2 = 1.0 - (&pred - y).mapv(|e| e * e).sum() / y.mapv(|v| (v - mean).powi(2)).sum();
/// assert!(r2 > 0.6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HistGradientBoostingRegressor {
    /// The parameters shared with the classifier.
    pub params: BoostParams,
    /// The loss. By default, squared error.
    pub loss: RegressionLoss,
}

impl HistGradientBoostingRegressor {
    boost_setters!();

    /// Sets `loss` (by default, [`RegressionLoss::SquaredError`]).
    #[must_use]
    pub fn with_loss(mut self, loss: RegressionLoss) -> Self {
        self.loss = loss;
        self
    }

    /// Fits with sample weights, an evaluation set and a per-iteration callback.
    ///
    /// # Errors
    /// As [`Fit::fit`], plus the same checks on the evaluation set.
    pub fn fit_with(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        options: FitOptions<'_, f64>,
    ) -> Result<FittedHistGradientBoostingRegressor> {
        self.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::AllowMissing)?;
        check::check_sample_weight(options.sample_weight, y.len())?;
        self.check_target(y, options.sample_weight, "y")?;
        let y: Vec<f64> = y.to_vec();
        let w: Option<Vec<f64>> = options.sample_weight.map(|w| w.to_vec());
        let eval = match &options.eval_set {
            Some(e) => {
                check::check_n_features(Self::NAME, x.ncols(), e.x)?;
                check::check_fit_xy(e.x, e.y.len(), NanPolicy::AllowMissing)?;
                check::check_sample_weight(e.sample_weight, e.y.len())?;
                check::check_finite_1d(e.y, "the evaluation set's y")?;
                Some((e.x, e.y.to_vec(), e.sample_weight.map(|w| w.to_vec())))
            }
            None => None,
        };
        let settings =
            self.params
                .settings(Self::NAME, x.nrows(), x.ncols(), options.eval_set.is_some())?;
        let loss = match self.loss {
            RegressionLoss::SquaredError => Loss::Squared,
            RegressionLoss::AbsoluteError => Loss::Absolute,
            RegressionLoss::Quantile(alpha) => Loss::Quantile { alpha },
            RegressionLoss::Poisson => Loss::Poisson,
        };
        let train = Data {
            x,
            y: &y,
            w: w.as_deref(),
        };
        let eval_data = eval.as_ref().map(|(ex, ey, ew)| Data {
            x: *ex,
            y: ey,
            w: ew.as_deref(),
        });
        let model = boost(&settings, loss, train, eval_data, options.callback)?;
        Ok(FittedHistGradientBoostingRegressor {
            params: self.clone(),
            n_features: x.ncols(),
            model,
        })
    }

    fn check_target(
        &self,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        what: &str,
    ) -> Result<()> {
        check::check_finite_1d(y, what)?;
        // Squared-error and Poisson gradients are (prediction − y) × weight, kept in single
        // precision like scikit-learn's: past f32's range (3.4e38) they overflow and every
        // prediction becomes NaN. Absolute and quantile gradients are ±weight, but their leaf
        // values are quantiles of the residuals y − prediction, which overflow for targets
        // near f64's range (found by probing: ±1e308 gave NaN predictions).
        {
            let bound = match self.loss {
                RegressionLoss::SquaredError | RegressionLoss::Poisson => MAX_TARGET,
                _ => MAX_TARGET_BOUNDED_GRADIENT,
            };
            let w_max = sample_weight.map_or(1.0, |w| w.iter().copied().fold(0.0, f64::max));
            let (row, y_max) =
                y.iter()
                    .map(|v| v.abs())
                    .enumerate()
                    .fold(
                        (0, 0.0),
                        |best, (i, v)| if v > best.1 { (i, v) } else { best },
                    );
            if y_max * w_max.max(1.0) > bound {
                return Err(Error::InvalidValue {
                    what: what.into(),
                    row: Some(row),
                    reason: format!(
                        "|y| = {y_max:e} (times the largest sample weight, {w_max:e}) exceeds \
                         {bound:e}, where the {:?} loss's gradients or residuals overflow; \
                         rescale the target (e.g. divide it by a constant)",
                        self.loss
                    ),
                });
            }
        }
        if self.loss == RegressionLoss::Poisson {
            if let Some(row) = y.iter().position(|&v| v < 0.0) {
                return Err(Error::InvalidValue {
                    what: what.into(),
                    row: Some(row),
                    reason: format!("Poisson loss needs y >= 0; got {}", y[row]),
                });
            }
            let weight = |i: usize| sample_weight.and_then(|w| w.get(i).copied()).unwrap_or(1.0);
            if y.iter()
                .enumerate()
                .all(|(i, &v)| v == 0.0 || weight(i) == 0.0)
            {
                return Err(Error::InvalidValue {
                    what: what.into(),
                    row: None,
                    reason: "Poisson loss needs at least one positive y with a positive \
                             sample weight"
                        .into(),
                });
            }
        }
        Ok(())
    }
}

/// The largest |y| × sample weight the squared-error and Poisson losses accept: gradients up
/// to twice it, summed or scaled by the learning rate, stay well inside f32's range.
const MAX_TARGET: f64 = 1e30;

/// The same bound for the absolute-error and quantile losses, whose gradients are ±weight
/// but whose leaf values are quantiles of the residuals `y − prediction`: those stay finite
/// while |y| is well inside f64's range.
const MAX_TARGET_BOUNDED_GRADIENT: f64 = 1e300;

impl Params for HistGradientBoostingRegressor {
    const NAME: &'static str = "HistGradientBoostingRegressor";

    fn validate(&self) -> Result<()> {
        self.params.validate(Self::NAME)?;
        check::check_param(
            Self::NAME,
            "scoring",
            format!("{:?}", self.params.scoring),
            self.params.scoring != crate::boost::Scoring::Accuracy,
            "Loss or R2 (Accuracy is for classifiers)",
        )?;
        if let RegressionLoss::Quantile(a) = self.loss {
            check::check_param(
                Self::NAME,
                "loss",
                a,
                a > 0.0 && a < 1.0,
                "a quantile in (0, 1)",
            )?;
        }
        Ok(())
    }
}

impl Fit for HistGradientBoostingRegressor {
    type Target = f64;
    type Fitted = FittedHistGradientBoostingRegressor;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedHistGradientBoostingRegressor> {
        let mut options = FitOptions::new();
        options.sample_weight = sample_weight;
        self.fit_with(x, y, options)
    }
}

/// A fitted [`HistGradientBoostingRegressor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedHistGradientBoostingRegressor {
    params: HistGradientBoostingRegressor,
    n_features: usize,
    model: Boosted,
}

impl FittedHistGradientBoostingRegressor {
    const NAME_FITTED: &'static str = "HistGradientBoostingRegressor";

    /// The params it was fitted with.
    pub fn params(&self) -> &HistGradientBoostingRegressor {
        &self.params
    }

    boost_fitted_accessors!();

    /// The trees, in order.
    pub fn trees(&self) -> &[BoostTree] {
        &self.model.trees
    }

    /// The raw score every row starts from (the mean, median, quantile or log-mean of `y`).
    pub fn baseline(&self) -> f64 {
        self.model.baseline.first().copied().unwrap_or(0.0)
    }

    /// The raw scores (the predictions before the inverse link; equal to them except with
    /// Poisson loss).
    ///
    /// # Errors
    /// [`Error::FeatureCountMismatch`], [`Error::NonFinite`] for infinite values.
    pub fn raw_predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::check_predict_x(
            Self::NAME_FITTED,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        let raw: Array2<f64> = self.model.raw_predict(x);
        Ok(raw.column(0).to_owned())
    }
}

impl Fitted for FittedHistGradientBoostingRegressor {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedHistGradientBoostingRegressor {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        let raw = self.raw_predict(x)?;
        Ok(match self.model.loss {
            Loss::Poisson => raw.mapv(f64::exp),
            _ => raw,
        })
    }
}

impl Persist for FittedHistGradientBoostingRegressor {
    const KIND: &'static str = "kiln_tree::HistGradientBoostingRegressor";
    type Params = HistGradientBoostingRegressor;

    fn params(&self) -> &HistGradientBoostingRegressor {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        self.model.check_structure(self.n_features, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::{Error, persist};
    use ndarray::{Array1, Array2};

    /// As the decision tree's: a decoded but inconsistent model fails at load.
    #[test]
    fn an_inconsistent_boosted_model_fails_to_load() {
        let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
        let y = Array1::from_shape_fn(60, |i| (i % 5) as f64);
        let good = HistGradientBoostingRegressor::default()
            .with_max_iter(3)
            .fit(x.view(), y.view())
            .unwrap_or_else(|e| panic!("{e}"));
        let edits: [fn(&mut FittedHistGradientBoostingRegressor); 5] = [
            |m| m.model.trees[0].nodes[0].feature = 9,
            |m| m.model.trees[0].nodes[0].left = 0,
            |m| m.model.trees[0].nodes[0].cat = 5,
            |m| m.model.baseline.clear(),
            |m| m.model.mapper.n_bins.pop().map_or((), |_| ()),
        ];
        for (k, edit) in edits.iter().enumerate() {
            let mut bad = good.clone();
            edit(&mut bad);
            let bytes = persist::to_bytes(&bad).unwrap_or_else(|e| panic!("{e}"));
            let err = persist::from_bytes::<FittedHistGradientBoostingRegressor>(&bytes)
                .map(|_| ())
                .unwrap_err();
            assert!(matches!(err, Error::ModelFormat { .. }), "edit {k}: {err}");
        }
        let bytes = persist::to_bytes(&good).unwrap_or_else(|e| panic!("{e}"));
        assert!(persist::from_bytes::<FittedHistGradientBoostingRegressor>(&bytes).is_ok());
    }
}
