//! [`SGDClassifier`]: its parameters, `fit`, and the one-versus-rest training shared with
//! [`FittedSGDClassifier::partial_fit`].

use kiln_core::random::{DEFAULT_SEED, derive_seed, task_rng};
use kiln_core::{Error, Fit, Params, Result, check};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::fitted_classifier::FittedSGDClassifier;
use super::kernel::{Data, State};
use super::{
    ClassWeight, ClassifierLoss, Common, Job, LearningRate, LossKind, Penalty, as_rows, check_data,
    rows_of, weights_vec,
};

/// Above this many `n_samples · n_features` per epoch, the binary problems of a multiclass fit
/// run in parallel (below it, spawning costs more than it saves).
const PAR_MIN_WORK: usize = 1 << 15;

/// A linear classifier fitted by stochastic gradient descent (a linear SVM by default, or
/// logistic regression with [`ClassifierLoss::LogLoss`]), as scikit-learn's `SGDClassifier`.
///
/// Two classes give one binary problem, for the larger class index; more classes give one
/// binary problem per class against the rest (one-versus-rest), each fitted independently.
/// See the [module docs](super) for the objective and how the loop runs.
///
/// # Parameters
/// - `loss` (default [`ClassifierLoss::Hinge`]).
/// - `penalty` (default [`Penalty::L2`]), `alpha` (default `1e-4`, `>= 0`), `l1_ratio`
///   (default `0.15`, in `[0, 1]`, used by [`Penalty::ElasticNet`]).
/// - `fit_intercept` (default `true`).
/// - `max_iter` (default `1000`, `>= 1`): the most epochs of [`Fit::fit`].
/// - `tol` (default `Some(1e-3)`, `>= 0`): stop when the mean objective of an epoch has not
///   fallen below the best so far minus `tol` for `n_iter_no_change` epochs in a row; `None`
///   runs all `max_iter` epochs.
/// - `n_iter_no_change` (default `5`, `>= 1`).
/// - `shuffle` (default `true`): shuffle the rows before each epoch.
/// - `seed` (default [`DEFAULT_SEED`] = 0): the seed of the shuffles (scikit-learn's
///   `random_state`).
/// - `epsilon` (default `0.1`, `>= 0`): the threshold of the Huber and epsilon-insensitive
///   losses.
/// - `learning_rate` (default [`LearningRate::Optimal`]), `eta0` (default `0.01`, `> 0`),
///   `power_t` (default `0.5`, `>= 0`).
/// - `class_weight` (default [`ClassWeight::Uniform`]).
/// - `average` (default `0`): `0` plain SGD; `k >= 1` returns the average of the iterates
///   from update `k` on (averaged SGD; scikit-learn's `average=True` is `1`).
///
/// # Fitted attributes
/// [`FittedSGDClassifier::coef`], [`FittedSGDClassifier::intercept`],
/// [`FittedSGDClassifier::classes`](kiln_core::PredictProba::classes),
/// [`FittedSGDClassifier::n_iter`], [`FittedSGDClassifier::t`] and
/// [`FittedSGDClassifier::converged`].
///
/// # Errors
/// `fit` returns [`Error::InvalidParameter`] for a parameter out of range (named as in
/// scikit-learn; `alpha = 0` with the optimal schedule is one), then
/// [`Error::EmptyInput`], [`Error::NonFinite`] or [`Error::ShapeMismatch`] for bad data or
/// sample weights, [`Error::SingleClass`] when `y` holds one class, and
/// [`Error::InvalidValue`] when the weights overflow during training (unscaled features).
/// Stopping at `max_iter` is not an error: [`FittedSGDClassifier::converged`] reports it.
///
/// # Notes
/// - With `shuffle = false` the steps are scikit-learn's, so coefficients agree to rounding;
///   with shuffling the row orders differ (kiln draws them from ChaCha8), so only the quality
///   of the fit is comparable.
/// - `class_weight` as scikit-learn's: [`ClassWeight::Balanced`] uses *unweighted* class
///   counts (`n_samples / (n_classes · count)`), and in a multiclass fit the class weight
///   scales the samples of the positive class of each binary problem only (the rest keep
///   weight 1), as scikit-learn does.
/// - A sample weight of 2 is not the same as a duplicated row: the duplicate takes a second,
///   later step with a smaller step size. Zero-weight samples still advance `t`.
/// - Early stopping on a validation split and the passive-aggressive schedules are not
///   implemented.
///
/// # References
/// See the [module docs](super).
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict, PredictProba};
/// use kiln_linear::sgd::{ClassifierLoss, SGDClassifier};
/// use ndarray::array;
///
/// let x = array![[-2.0, 0.5], [-1.5, -0.5], [-1.0, 0.0], [1.0, 0.5], [1.5, -0.5], [2.0, 0.0]];
/// let y = array![0, 0, 0, 1, 1, 1];
/// let model = SGDClassifier::default()
///     .with_loss(ClassifierLoss::LogLoss)
///     .with_seed(7)
///     .fit(x.view(), y.view())?;
/// assert_eq!(model.predict(x.view())?.to_vec(), vec![0, 0, 0, 1, 1, 1]);
/// assert_eq!(model.coef().dim(), (1, 2)); // binary: one row, for class 1
/// let p = model.predict_proba(array![[3.0, 0.0]].view())?;
/// assert!(p[[0, 1]] > 0.9);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SGDClassifier {
    /// The loss. By default, [`ClassifierLoss::Hinge`].
    pub loss: ClassifierLoss,
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
    /// The step-size schedule. By default, [`LearningRate::Optimal`].
    pub learning_rate: LearningRate,
    /// Initial step size, `> 0` (unused by the optimal schedule). By default, `0.01`.
    pub eta0: f64,
    /// Exponent of the inverse-scaling schedule, `>= 0`. By default, `0.5`.
    pub power_t: f64,
    /// Class weights. By default, [`ClassWeight::Uniform`].
    pub class_weight: ClassWeight,
    /// Update count from which iterates are averaged; `0` is off. By default, `0`.
    pub average: usize,
}

impl Default for SGDClassifier {
    fn default() -> Self {
        Self {
            loss: ClassifierLoss::Hinge,
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
            learning_rate: LearningRate::Optimal,
            eta0: 0.01,
            power_t: 0.5,
            class_weight: ClassWeight::Uniform,
            average: 0,
        }
    }
}

super::setters!(SGDClassifier, "Optimal", "0.5");

impl SGDClassifier {
    /// Sets `loss` (by default, [`ClassifierLoss::Hinge`]).
    #[must_use]
    pub fn with_loss(mut self, loss: ClassifierLoss) -> Self {
        self.loss = loss;
        self
    }

    /// Sets `class_weight` (by default, [`ClassWeight::Uniform`]).
    #[must_use]
    pub fn with_class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    pub(super) fn common(&self) -> Common {
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
    /// batch (scikit-learn's first `partial_fit(X, y, classes=classes)`). `classes` lists
    /// every class index the batches can hold; a batch need not hold all of them. Continue
    /// with [`FittedSGDClassifier::partial_fit`].
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`]; [`Error::InvalidValue`] when `classes` holds fewer than two
    /// distinct classes, [`Error::UnknownLabel`] when `y` holds a class not in `classes`, and
    /// [`Error::InvalidParameter`] for [`ClassWeight::Balanced`] (the class frequencies of one
    /// batch are not those of the data; compute the weights and pass them as
    /// [`ClassWeight::Custom`]).
    ///
    /// # Example
    /// ```
    /// use kiln_core::Predict;
    /// use kiln_linear::sgd::SGDClassifier;
    /// use ndarray::{array, s};
    ///
    /// let x = array![[-2.0], [2.0], [-1.0], [1.0], [-3.0], [3.0]];
    /// let y = array![0, 1, 0, 1, 0, 1];
    /// let params = SGDClassifier::default().with_seed(1);
    /// let mut model = params.partial_fit(x.slice(s![..2, ..]), y.slice(s![..2]), &[0, 1], None)?;
    /// model.partial_fit(x.slice(s![2.., ..]), y.slice(s![2..]), None)?;
    /// assert_eq!(model.t(), 7.0); // 1 + one update per sample
    /// assert_eq!(model.predict(array![[-5.0], [5.0]].view())?.to_vec(), vec![0, 1]);
    /// # Ok::<(), kiln_core::Error>(())
    /// ```
    pub fn partial_fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        classes: &[usize],
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSGDClassifier> {
        self.validate()?;
        if self.class_weight == ClassWeight::Balanced {
            return Err(Error::invalid_param(
                Self::NAME,
                "class_weight",
                "cannot be Balanced in partial_fit: one batch does not give the class \
                 frequencies; compute them on the whole target and pass ClassWeight::Custom",
            ));
        }
        let mut classes = classes.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(Error::InvalidValue {
                what: "classes".into(),
                row: None,
                reason: format!("{} needs at least 2 classes, got {classes:?}", Self::NAME),
            });
        }
        check_data(x, y.len(), sample_weight)?;
        let mut model = FittedSGDClassifier::empty(self.clone(), classes, x.ncols());
        train(&mut model, x, y, sample_weight, 1)?;
        Ok(model)
    }

    /// The weight of each class of `classes` for the target `y_pos` (positions in
    /// `classes`), as scikit-learn's `compute_class_weight` (unweighted counts).
    fn class_weights(&self, classes: &[usize], y_pos: &[usize]) -> Result<Vec<f64>> {
        Ok(match &self.class_weight {
            ClassWeight::Uniform => vec![1.0; classes.len()],
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; classes.len()];
                for &c in y_pos {
                    counts[c] += 1;
                }
                let (n, k) = (y_pos.len() as f64, classes.len() as f64);
                counts
                    .iter()
                    .map(|&c| if c > 0 { n / (k * c as f64) } else { 0.0 })
                    .collect()
            }
            ClassWeight::Custom(pairs) => {
                return crate::logistic::custom_class_weights(Self::NAME, classes, pairs);
            }
        })
    }
}

impl Params for SGDClassifier {
    const NAME: &'static str = "SGDClassifier";

    fn validate(&self) -> Result<()> {
        self.common().validate()?;
        if let ClassWeight::Custom(pairs) = &self.class_weight
            && let Some((c, w)) = pairs.iter().find(|(_, w)| !(w.is_finite() && *w >= 0.0))
        {
            return Err(Error::invalid_param(
                Self::NAME,
                "class_weight",
                format!("must hold finite weights >= 0; got {w} for class {c}"),
            ));
        }
        Ok(())
    }
}

impl Fit for SGDClassifier {
    type Target = usize;
    type Fitted = FittedSGDClassifier;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSGDClassifier> {
        self.validate()?;
        check_data(x, y.len(), sample_weight)?;
        let classes = check::check_class_indices(Self::NAME, y, true)?.classes;
        let mut model = FittedSGDClassifier::empty(self.clone(), classes, x.ncols());
        train(&mut model, x, y, sample_weight, self.max_iter)?;
        Ok(model)
    }
}

/// The parameters of one binary problem, updated by one worker.
struct Slot<'a> {
    coef: &'a mut [f64],
    avg_coef: &'a mut [f64],
    intercept: f64,
    avg_intercept: f64,
}

/// Runs up to `max_iter` epochs over `x` from the model's current state (fresh for `fit`, the
/// previous batches' for `partial_fit`). The model changes only when every binary problem
/// succeeded. The data were checked by the caller.
pub(super) fn train(
    model: &mut FittedSGDClassifier,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    max_iter: usize,
) -> Result<()> {
    let params = model.params.clone();
    let name = SGDClassifier::NAME;
    let classes = model.classes.clone();
    let mut y_pos = Vec::with_capacity(y.len());
    for (row, c) in y.iter().enumerate() {
        match classes.binary_search(c) {
            Ok(k) => y_pos.push(k),
            Err(_) => {
                return Err(Error::UnknownLabel {
                    what: "y".into(),
                    label: c.to_string(),
                    row: Some(row),
                    known: format!("{classes:?}"),
                });
            }
        }
    }
    let cw = params.class_weights(&classes, &y_pos)?;
    let common = params.common();
    let loss = LossKind::classifier(params.loss, params.epsilon);
    let label_neg = if params.loss == ClassifierLoss::LogLoss {
        0.0
    } else {
        -1.0
    };
    let xs = rows_of(x);
    let xs = as_rows(&xs)?;
    let sw = weights_vec(sample_weight, y.len());
    let (n, p) = x.dim();
    let binary = classes.len() == 2;
    let base = Job {
        settings: common.settings(max_iter),
        data: Data {
            x: xs,
            n_features: p,
            y: &[],
            sample_weight: &sw,
        },
        t: model.t,
        weight_pos: 1.0,
        weight_neg: 1.0,
        estimator: name,
    };
    let shuffle_seed = derive_seed(params.seed, model.t as u64);
    let averaging = params.average > 0;

    let mut coef = model.coef.clone();
    let mut avg_coef = model.avg_coef.clone();
    let mut intercept = model.intercept.clone();
    let mut avg_intercept = model.avg_intercept.clone();
    let avg_rows: Vec<&mut [f64]> = if averaging {
        avg_coef
            .rows_mut()
            .into_iter()
            .map(|r| r.into_slice().unwrap_or_default())
            .collect()
    } else {
        (0..coef.nrows()).map(|_| <&mut [f64]>::default()).collect()
    };
    let mut slots: Vec<Slot<'_>> = coef
        .rows_mut()
        .into_iter()
        .zip(avg_rows)
        .enumerate()
        .map(|(k, (row, avg))| Slot {
            coef: row.into_slice().unwrap_or_default(),
            avg_coef: avg,
            intercept: intercept[k],
            avg_intercept: if averaging { avg_intercept[k] } else { 0.0 },
        })
        .collect();
    if slots.iter().any(|s| s.coef.len() != p) {
        return Err(Error::InvalidValue {
            what: "coefficients".into(),
            row: None,
            reason: format!("{name}: the coefficient rows are not contiguous"),
        });
    }

    let run_one = |k: usize, slot: &mut Slot<'_>| -> Result<(usize, bool)> {
        // The positive class of problem k: the larger class for a binary task.
        let positive = if binary { 1 } else { k };
        let y_k: Vec<f64> = y_pos
            .iter()
            .map(|&c| if c == positive { 1.0 } else { label_neg })
            .collect();
        let (weight_pos, weight_neg) = if binary { (cw[1], cw[0]) } else { (cw[k], 1.0) };
        let job = Job {
            data: Data {
                y: &y_k,
                ..base.data
            },
            weight_pos,
            weight_neg,
            ..base
        };
        let mut state = State {
            coef: slot.coef,
            intercept: slot.intercept,
            avg_coef: slot.avg_coef,
            avg_intercept: slot.avg_intercept,
        };
        let mut rng = task_rng(shuffle_seed, k as u64);
        let out = loss.run(&job, &mut state, &mut rng)?;
        slot.intercept = state.intercept;
        slot.avg_intercept = state.avg_intercept;
        Ok((out.n_iter, out.converged))
    };
    let outcomes: Vec<Result<(usize, bool)>> = if slots.len() > 1 && n * p >= PAR_MIN_WORK {
        slots
            .par_iter_mut()
            .enumerate()
            .map(|(k, s)| run_one(k, s))
            .collect()
    } else {
        slots
            .iter_mut()
            .enumerate()
            .map(|(k, s)| run_one(k, s))
            .collect()
    };
    let mut n_iter = 0;
    let mut converged = true;
    for out in outcomes {
        let (it, conv) = out?;
        n_iter = n_iter.max(it);
        converged &= conv;
    }
    for (k, s) in slots.iter().enumerate() {
        intercept[k] = s.intercept;
        if averaging {
            avg_intercept[k] = s.avg_intercept;
        }
    }
    drop(slots);
    model.coef = coef;
    model.intercept = intercept;
    model.avg_coef = avg_coef;
    model.avg_intercept = avg_intercept;
    model.t += (n_iter * n) as f64;
    model.n_iter = n_iter;
    model.converged = converged;
    Ok(())
}

/// The shape of the coefficients of a model of `n_classes`: one row for two classes.
pub(super) fn coef_rows(n_classes: usize) -> usize {
    if n_classes == 2 { 1 } else { n_classes }
}

/// Zero coefficients and intercepts for `n_classes` and `n_features`.
pub(super) fn zeros(n_classes: usize, n_features: usize) -> (Array2<f64>, Array1<f64>) {
    let k = coef_rows(n_classes);
    (Array2::zeros((k, n_features)), Array1::zeros(k))
}
