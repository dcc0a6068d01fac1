//! [`LogisticRegression`]: binary and multinomial logistic regression with L2, L1 and
//! elastic-net penalties, as scikit-learn's `LogisticRegression`.

mod fitted;
mod lbfgs;
mod loss;
mod newton;

use kiln_core::check::{self, NanPolicy};
use kiln_core::{Error, Fit, Params, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

pub use fitted::FittedLogisticRegression;
use loss::Problem;

/// Above this many parameters (`n_classes·(n_features + 1)`, or `n_features + 1` for a binary
/// fit) the L2 objective is minimized by L-BFGS instead of Newton: forming and factoring the
/// Hessian then costs more than the extra passes over the data that L-BFGS needs.
const NEWTON_MAX_DIM: usize = 1000;

/// How the classes are weighted in the loss (scikit-learn's `class_weight`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Every class has weight 1 (scikit-learn's `None`). The default.
    #[default]
    Uniform,
    /// `n_samples / (n_classes · count(class))`, with counts weighted by the sample weights,
    /// so that every class carries the same total weight (scikit-learn's `"balanced"`).
    Balanced,
    /// Explicit weights as `(class index, weight)` pairs; classes not listed get weight 1.
    /// Listed classes absent from `y` are ignored when every class of `y` is listed, and an
    /// error otherwise (scikit-learn's dict form and its rule).
    Custom(Vec<(usize, f64)>),
}

/// Logistic regression (a linear classifier with log-loss), binary or multinomial, as
/// scikit-learn's `LogisticRegression`.
///
/// It minimizes, over coefficients `W` (one row per class, or one row for a binary task) and
/// intercepts `b`,
///
/// `C · Σᵢ sᵢ · lossᵢ + (1 − l1_ratio)/2 · ‖W‖² + l1_ratio · ‖W‖₁`
///
/// where `lossᵢ` is the negative log-likelihood of row `i` (the sigmoid for two classes, the
/// softmax over all classes otherwise) and `sᵢ` its sample weight times its class weight. The
/// intercepts are not penalized. `C = ∞` removes the penalty.
///
/// # Parameters
/// - `c` (scikit-learn's `C`, default `1.0`): inverse penalty strength, in `(0, ∞]`.
/// - `l1_ratio` (default `0.0`): the share of L1 in the penalty, in `[0, 1]`: 0 is L2, 1 is
///   L1 (lasso), in between elastic-net.
/// - `fit_intercept` (default `true`): fit one intercept per class.
/// - `tol` (default `1e-4`): stop when the largest entry of the (minimum-norm sub)gradient of
///   the objective divided by `C · Σ sᵢ` is at most `tol` (scikit-learn's lbfgs `gtol`).
/// - `max_iter` (default `100`): the most Newton (or L-BFGS) iterations.
/// - `class_weight` (default [`ClassWeight::Uniform`]).
///
/// # Fitted attributes
/// [`FittedLogisticRegression::coef`] (one row for a binary fit, for the larger class index,
/// as scikit-learn; otherwise one per class), [`FittedLogisticRegression::intercept`],
/// [`PredictProba::classes`](kiln_core::PredictProba::classes),
/// [`FittedLogisticRegression::n_iter`] and [`FittedLogisticRegression::converged`].
///
/// # Errors
/// `fit` returns [`Error::InvalidParameter`] for `C ≤ 0` or NaN, `l1_ratio` outside `[0, 1]`,
/// a negative or non-finite `tol` or custom class weight; then [`Error::EmptyInput`],
/// [`Error::NonFinite`] (with row and column) or [`Error::ShapeMismatch`] for bad data or
/// sample weights; [`Error::SingleClass`] when `y` holds one class; [`Error::InvalidValue`]
/// when the class weights leave no positive total weight. Not converging within `max_iter`
/// is not an error: see [`FittedLogisticRegression::converged`].
///
/// # Notes
/// - Solvers: for L2 (and no penalty) with at most 1000 parameters, Newton's method on the
///   exact Hessian (formed over row blocks in parallel and factored by Cholesky) with a
///   backtracking line search; above that, L-BFGS. With an L1 part, a proximal Newton method
///   (coordinate descent on the quadratic model, as newGLMNET), which keeps the dense
///   Hessian, so its memory is `8·dim²` bytes.
/// - Multinomial fits use all `n_classes` rows of coefficients, like scikit-learn. The
///   objective does not change when the same constant is added to every class's intercept
///   (and, with `C = ∞`, to every class's coefficient of a feature); the fitted values are the
///   representative whose sum over classes is zero, which is what scikit-learn's default
///   lbfgs solver returns.
/// - Without penalty on linearly separable data the optimum is at infinity: the loss keeps
///   falling as the coefficients grow, and its gradient shrinks with it, so the fit stops
///   where the gradient falls below `tol` (as scikit-learn's lbfgs does) and reports
///   `converged() == true` at coefficients that grow as `tol` shrinks (about 9 at the default
///   `tol`, 27 at `1e-12`, on six separable points). They are a point along the way, not an
///   optimum; with a penalty (finite `C`) the coefficients are the finite optimum.
/// - Results do not depend on the number of threads: rows are split into blocks by their
///   count alone, and the partial sums are added in block order.
///
/// # References
/// - scikit-learn's `LogisticRegression` (objective, class weights, parameter names).
/// - J. Nocedal, S. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006.
/// - G.-X. Yuan, C.-H. Ho, C.-J. Lin, "An improved GLMNET for L1-regularized logistic
///   regression", JMLR 13, 2012.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict, PredictProba};
/// use kiln_linear::logistic::{ClassWeight, LogisticRegression};
/// use ndarray::array;
///
/// let x = array![[0.0, 1.0], [1.0, 0.5], [2.0, 0.0], [3.0, 1.5], [4.0, 1.0], [5.0, 0.0]];
/// let y = array![0, 0, 0, 1, 1, 1];
/// let model = LogisticRegression::default()
///     .with_c(10.0)
///     .with_class_weight(ClassWeight::Balanced)
///     .fit(x.view(), y.view())?;
/// assert!(model.converged());
/// assert_eq!(model.coef().dim(), (1, 2)); // binary: one row, for class 1
/// assert_eq!(model.predict(x.view())?.to_vec(), vec![0, 0, 0, 1, 1, 1]);
/// let p = model.predict_proba(array![[2.5, 0.75]].view())?;
/// assert!((p[[0, 0]] + p[[0, 1]] - 1.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// Inverse penalty strength (scikit-learn's `C`), in `(0, ∞]`. By default, `1.0`.
    pub c: f64,
    /// Share of L1 in the penalty, in `[0, 1]`. By default, `0.0` (L2).
    pub l1_ratio: f64,
    /// Whether to fit intercepts. By default, `true`.
    pub fit_intercept: bool,
    /// Stopping tolerance on the largest gradient entry of the normalized objective.
    /// By default, `1e-4`.
    pub tol: f64,
    /// The most solver iterations. By default, `100`.
    pub max_iter: usize,
    /// Class weights. By default, [`ClassWeight::Uniform`].
    pub class_weight: ClassWeight,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        Self {
            c: 1.0,
            l1_ratio: 0.0,
            fit_intercept: true,
            tol: 1e-4,
            max_iter: 100,
            class_weight: ClassWeight::Uniform,
        }
    }
}

impl LogisticRegression {
    /// Sets `C`, the inverse penalty strength (by default, `1.0`); `f64::INFINITY` means no
    /// penalty.
    #[must_use]
    pub fn with_c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }

    /// Sets `l1_ratio` (by default, `0.0`: a pure L2 penalty).
    #[must_use]
    pub fn with_l1_ratio(mut self, l1_ratio: f64) -> Self {
        self.l1_ratio = l1_ratio;
        self
    }

    /// Sets `fit_intercept` (by default, `true`).
    #[must_use]
    pub fn with_fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// Sets `tol` (by default, `1e-4`).
    #[must_use]
    pub fn with_tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Sets `max_iter` (by default, `100`).
    #[must_use]
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets `class_weight` (by default, [`ClassWeight::Uniform`]).
    #[must_use]
    pub fn with_class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    /// The weight of each class in `classes` (sorted class indices present in `y`).
    fn class_weights(
        &self,
        classes: &[usize],
        y_pos: &[usize],
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Vec<f64>> {
        Ok(match &self.class_weight {
            ClassWeight::Uniform => vec![1.0; classes.len()],
            ClassWeight::Balanced => {
                let mut counts = vec![0.0; classes.len()];
                for (i, &c) in y_pos.iter().enumerate() {
                    counts[c] += sample_weight.map_or(1.0, |w| w[i]);
                }
                let total: f64 = counts.iter().sum();
                let k = classes.len() as f64;
                counts
                    .iter()
                    .map(|&n| if n > 0.0 { total / (k * n) } else { 0.0 })
                    .collect()
            }
            ClassWeight::Custom(pairs) => return custom_class_weights(Self::NAME, classes, pairs),
        })
    }
}

/// The weights of `classes` (sorted class indices of `y`) under explicit `(class, weight)`
/// pairs, the last pair for a class winning; classes not listed get 1. As scikit-learn's
/// `compute_class_weight`: pairs naming classes absent from `y` are ignored when every class
/// of `y` is listed, and an error otherwise (a weight meant for a class of `y` was probably
/// given to the wrong index).
pub(crate) fn custom_class_weights(
    estimator: &str,
    classes: &[usize],
    pairs: &[(usize, f64)],
) -> Result<Vec<f64>> {
    let weights: Vec<f64> = classes
        .iter()
        .map(|c| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == c)
                .map_or(1.0, |&(_, w)| w)
        })
        .collect();
    let unweighted: Vec<usize> = classes
        .iter()
        .copied()
        .filter(|c| !pairs.iter().any(|(k, _)| k == c))
        .collect();
    let mut keys: Vec<usize> = pairs.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    keys.dedup();
    if !unweighted.is_empty() && classes.len() - unweighted.len() != keys.len() {
        let unknown: Vec<usize> = keys
            .into_iter()
            .filter(|k| classes.binary_search(k).is_err())
            .collect();
        return Err(Error::invalid_param(
            estimator,
            "class_weight",
            format!(
                "names classes {unknown:?}, which are not in y, while classes {unweighted:?} of \
                 y are not named (the classes of y are {classes:?})"
            ),
        ));
    }
    Ok(weights)
}

impl Params for LogisticRegression {
    const NAME: &'static str = "LogisticRegression";

    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "C",
            self.c,
            self.c > 0.0,
            "a float in the range (0, inf]",
        )?;
        check::check_param(
            Self::NAME,
            "l1_ratio",
            self.l1_ratio,
            (0.0..=1.0).contains(&self.l1_ratio),
            "a float in the range [0, 1]",
        )?;
        check::check_param(
            Self::NAME,
            "tol",
            self.tol,
            self.tol.is_finite() && self.tol >= 0.0,
            "a float in the range [0, inf)",
        )?;
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

impl Fit for LogisticRegression {
    type Target = usize;
    type Fitted = FittedLogisticRegression;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedLogisticRegression> {
        self.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
        check::check_sample_weight(sample_weight, x.nrows())?;
        check::check_squares_fit_2d(x, "X")?;
        let classes = check::check_class_indices(Self::NAME, y, true)?.classes;
        let y_pos: Vec<usize> = y
            .iter()
            .map(|c| classes.binary_search(c).unwrap_or(0))
            .collect();
        let cw = self.class_weights(&classes, &y_pos, sample_weight)?;
        let mut s: Vec<f64> = y_pos
            .iter()
            .enumerate()
            .map(|(i, &c)| sample_weight.map_or(1.0, |w| w[i]) * cw[c])
            .collect();
        let total: f64 = s.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(Error::InvalidValue {
                what: "class_weight".into(),
                row: None,
                reason: format!(
                    "sample weights times class weights sum to {total}; the total must be positive"
                ),
            });
        }
        s.iter_mut().for_each(|v| *v /= total);
        let (l2, l1) = if self.c.is_finite() {
            let scale = 1.0 / (self.c * total);
            ((1.0 - self.l1_ratio) * scale, self.l1_ratio * scale)
        } else {
            (0.0, 0.0)
        };
        let xs = x.as_standard_layout();
        let prob = Problem {
            x: xs.view(),
            y: &y_pos,
            s: &s,
            n_classes: classes.len(),
            fit_intercept: self.fit_intercept,
            l2,
        };
        let sol = if l1 > 0.0 {
            newton::prox_newton(&prob, l1, self.tol, self.max_iter)
        } else if prob.dim() <= NEWTON_MAX_DIM {
            newton::newton(&prob, self.tol, self.max_iter)
        } else {
            lbfgs::lbfgs(&prob, self.tol, self.max_iter)
        };
        let (k, p, q) = (prob.k_eff(), prob.p(), prob.q());
        let mut coef = Array2::from_shape_fn((k, p), |(c, j)| sol.theta[c * q + j]);
        let mut intercept = Array1::from_shape_fn(k, |c| {
            if self.fit_intercept {
                sol.theta[c * q + p]
            } else {
                0.0
            }
        });
        if k > 1 {
            // The representative with zero sum over classes (see the type's notes).
            let mean = intercept.sum() / k as f64;
            intercept.mapv_inplace(|v| v - mean);
            if l2 == 0.0 && l1 == 0.0 {
                for mut col in coef.columns_mut() {
                    let mean = col.sum() / k as f64;
                    col.mapv_inplace(|v| v - mean);
                }
            }
        }
        Ok(FittedLogisticRegression::new(
            self.clone(),
            classes,
            coef,
            intercept,
            sol.n_iter,
            sol.converged,
        ))
    }
}
