//! [`SGDRegressor`]: its parameters, `fit`, and the training shared with
//! [`FittedSGDRegressor::partial_fit`].

use kiln_core::random::{DEFAULT_SEED, derive_seed, rng_from_seed};
use kiln_core::{Fit, Params, Result, check};
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::fitted_regressor::FittedSGDRegressor;
use super::kernel::{Data, State};
use super::{
    Common, Job, LearningRate, LossKind, Penalty, RegressorLoss, as_rows, check_data, rows_of,
    weights_vec,
};

/// A linear regression fitted by stochastic gradient descent, as scikit-learn's
/// `SGDRegressor`.
///
/// See the [module docs](super) for the objective and how the loop runs.
///
/// # Parameters
/// - `loss` (default [`RegressorLoss::SquaredError`]).
/// - `penalty` (default [`Penalty::L2`]), `alpha` (default `1e-4`, `>= 0`), `l1_ratio`
///   (default `0.15`, in `[0, 1]`, used by [`Penalty::ElasticNet`]).
/// - `fit_intercept` (default `true`).
/// - `max_iter` (default `1000`, `>= 1`): the most epochs of [`Fit::fit`].
/// - `tol` (default `Some(1e-3)`, `>= 0`): stop when the mean objective of an epoch has not
///   fallen below the best so far minus `tol` for `n_iter_no_change` epochs in a row; `None`
///   runs all `max_iter` epochs.
/// - `n_iter_no_change` (default `5`, `>= 1`).
/// - `shuffle` (default `true`) and `seed` (default [`DEFAULT_SEED`] = 0, scikit-learn's
///   `random_state`).
/// - `epsilon` (default `0.1`, `>= 0`): the threshold of the Huber and epsilon-insensitive
///   losses, in the units of `y`.
/// - `learning_rate` (default [`LearningRate::InvScaling`]), `eta0` (default `0.01`, `> 0`),
///   `power_t` (default `0.25`, `>= 0`).
/// - `average` (default `0`): `0` plain SGD; `k >= 1` averages the iterates from update `k`
///   on (scikit-learn's `average=True` is `1`).
///
/// # Fitted attributes
/// [`FittedSGDRegressor::coef`], [`FittedSGDRegressor::intercept`],
/// [`FittedSGDRegressor::n_iter`], [`FittedSGDRegressor::t`] and
/// [`FittedSGDRegressor::converged`].
///
/// # Errors
/// `fit` returns [`kiln_core::Error::InvalidParameter`] for a parameter out of range, then
/// [`kiln_core::Error::EmptyInput`], [`kiln_core::Error::NonFinite`] or
/// [`kiln_core::Error::ShapeMismatch`] for bad data, targets or sample weights, and
/// [`kiln_core::Error::InvalidValue`] when the weights overflow (unscaled features or too
/// large `eta0`). Stopping at `max_iter` is not an error: see
/// [`FittedSGDRegressor::converged`].
///
/// # Notes
/// - SGD is sensitive to the scale of the features: standardize them first.
/// - With `shuffle = false` the steps are scikit-learn's, so coefficients agree to rounding.
/// - A sample weight of 2 is not the same as a duplicated row (the duplicate takes a second,
///   later step).
/// - Early stopping on a validation split and the passive-aggressive schedules are not
///   implemented.
///
/// # References
/// See the [module docs](super).
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_linear::sgd::{LearningRate, SGDRegressor};
/// use ndarray::{Array1, Array2};
///
/// // y = 1 + 2·x0 − x1 on a grid.
/// let x = Array2::from_shape_fn((50, 2), |(i, j)| ((i * (j + 3)) % 11) as f64 / 5.0 - 1.0);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| 1.0 + 2.0 * r[0] - r[1]).collect();
/// let model = SGDRegressor::default()
///     .with_alpha(0.0)
///     .with_learning_rate(LearningRate::Constant)
///     .with_eta0(0.05)
///     .with_tol(None)
///     .with_max_iter(200)
///     .fit(x.view(), y.view())?;
/// assert!((model.coef()[0] - 2.0).abs() < 1e-3);
/// assert!((model.intercept() - 1.0).abs() < 1e-3);
/// let pred = model.predict(x.view())?;
/// assert!((pred[3] - y[3]).abs() < 1e-3);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SGDRegressor {
    /// The loss. By default, [`RegressorLoss::SquaredError`].
    pub loss: RegressorLoss,
    /// The penalty. By default, [`Penalty::L2`].
    pub penalty: Penalty,
    /// Penalty strength, `>= 0` (`> 0` for the optimal schedule). By default, `1e-4`.
    pub alpha: f64,
    /// Share of L1 in the elastic-net penalty, in `[0, 1]`. By default, `0.15`.
    pub l1_ratio: f64,
    /// Fit an intercept. By default, `true`.
    pub fit_intercept: bool,
    /// The most epochs of `fit`, `>= 1`. By default, `1000`.
    pub max_iter: usize,
    /// Stopping tolerance on the epoch's mean objective, `>= 0`; `None` never stops early.
    /// By default, `Some(1e-3)`.
    pub tol: Option<f64>,
    /// Epochs without improvement before stopping, `>= 1`. By default, `5`.
    pub n_iter_no_change: usize,
    /// Shuffle rows before each epoch. By default, `true`.
    pub shuffle: bool,
    /// Seed of the shuffles. By default, [`DEFAULT_SEED`].
    pub seed: u64,
    /// Threshold of the Huber and epsilon-insensitive losses, `>= 0`. By default, `0.1`.
    pub epsilon: f64,
    /// The step-size schedule. By default, [`LearningRate::InvScaling`].
    pub learning_rate: LearningRate,
    /// Initial step size, `> 0`. By default, `0.01`.
    pub eta0: f64,
    /// Exponent of the inverse-scaling schedule, `>= 0`. By default, `0.25`.
    pub power_t: f64,
    /// Update count from which iterates are averaged; `0` is off. By default, `0`.
    pub average: usize,
}

impl Default for SGDRegressor {
    fn default() -> Self {
        Self {
            loss: RegressorLoss::SquaredError,
            penalty: Penalty::L2,
            alpha: 1e-4,
            l1_ratio: 0.15,
            fit_intercept: true,
            max_iter: 1000,
            tol: Some(1e-3),
            n_iter_no_change: 5,
            shuffle: true,
            seed: DEFAULT_SEED,
            epsilon: 0.1,
            learning_rate: LearningRate::InvScaling,
            eta0: 0.01,
            power_t: 0.25,
            average: 0,
        }
    }
}

super::setters!(SGDRegressor, "InvScaling", "0.25");

impl SGDRegressor {
    /// Sets `loss` (by default, [`RegressorLoss::SquaredError`]).
    #[must_use]
    pub fn with_loss(mut self, loss: RegressorLoss) -> Self {
        self.loss = loss;
        self
    }

    fn common(&self) -> Common {
        Common {
            name: Self::NAME,
            penalty: self.penalty,
            alpha: self.alpha,
            l1_ratio: self.l1_ratio,
            fit_intercept: self.fit_intercept,
            max_iter: self.max_iter,
            tol: self.tol,
            shuffle: self.shuffle,
            epsilon: self.epsilon,
            learning_rate: self.learning_rate,
            eta0: self.eta0,
            power_t: self.power_t,
            n_iter_no_change: self.n_iter_no_change,
            average: self.average,
        }
    }

    /// Starts a model for data that arrive in batches and runs one epoch over the first
    /// batch (scikit-learn's first `partial_fit`). Continue with
    /// [`FittedSGDRegressor::partial_fit`].
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`].
    pub fn partial_fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSGDRegressor> {
        self.validate()?;
        check_regression_data(x, y, sample_weight)?;
        let mut model = FittedSGDRegressor::empty(self.clone(), x.ncols());
        train(&mut model, x, y, sample_weight, 1)?;
        Ok(model)
    }
}

impl Params for SGDRegressor {
    const NAME: &'static str = "SGDRegressor";

    fn validate(&self) -> Result<()> {
        self.common().validate()
    }
}

impl Fit for SGDRegressor {
    type Target = f64;
    type Fitted = FittedSGDRegressor;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSGDRegressor> {
        self.validate()?;
        check_regression_data(x, y, sample_weight)?;
        let mut model = FittedSGDRegressor::empty(self.clone(), x.ncols());
        train(&mut model, x, y, sample_weight, self.max_iter)?;
        Ok(model)
    }
}

/// The data checks of a regression fit, including a finite target.
pub(super) fn check_regression_data(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<()> {
    check_data(x, y.len(), sample_weight)?;
    check::check_finite_1d(y, "y")
}

/// Runs up to `max_iter` epochs over checked data from the model's current state; the model
/// changes only on success.
pub(super) fn train(
    model: &mut FittedSGDRegressor,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    max_iter: usize,
) -> Result<()> {
    let common = model.params.common();
    let loss = LossKind::regressor(model.params.loss, model.params.epsilon);
    let xs = rows_of(x);
    let xs = as_rows(&xs)?;
    let y = y.to_vec();
    let sw = weights_vec(sample_weight, y.len());
    let job = Job {
        settings: common.settings(max_iter),
        data: Data {
            x: xs,
            n_features: x.ncols(),
            y: &y,
            sample_weight: &sw,
        },
        t: model.t,
        weight_pos: 1.0,
        weight_neg: 1.0,
        estimator: SGDRegressor::NAME,
    };
    let mut coef = model.coef.to_vec();
    let mut avg_coef = model.avg_coef.to_vec();
    let mut state = State {
        coef: &mut coef,
        intercept: model.intercept,
        avg_coef: &mut avg_coef,
        avg_intercept: model.avg_intercept,
    };
    let mut rng = rng_from_seed(derive_seed(model.params.seed, model.t as u64));
    let out = loss.run(&job, &mut state, &mut rng)?;
    let (intercept, avg_intercept) = (state.intercept, state.avg_intercept);
    model.coef = coef.into();
    model.avg_coef = avg_coef.into();
    model.intercept = intercept;
    model.avg_intercept = avg_intercept;
    model.t += (out.n_iter * x.nrows()) as f64;
    model.n_iter = out.n_iter;
    model.converged = out.converged;
    Ok(())
}
