//! The parameter types [`ElasticNet`] and [`Lasso`] and their `fit`.

use kiln_core::random::DEFAULT_SEED;
use kiln_core::{Fit, Params, Result};
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::fitted::{FittedElasticNet, FittedLasso};
use super::path::{self, Alphas, EnetPath};
use super::{Config, Precompute, Selection, fit_config};

/// Linear regression with combined L1 and L2 penalties, as scikit-learn's `ElasticNet`.
///
/// Minimizes `1/(2·Σw)·Σ wᵢ(yᵢ − b − xᵢβ)² + alpha·l1_ratio·‖β‖₁ + ½·alpha·(1 − l1_ratio)·‖β‖²`
/// by coordinate descent (see the [module docs](super) for how).
///
/// # Parameters
/// - `alpha` (default `1.0`): the overall strength of the penalty, `>= 0`. `0` is ordinary
///   least squares, which coordinate descent reaches slowly; prefer `LinearRegression`.
/// - `l1_ratio` (default `0.5`): the share of the L1 part, in `[0, 1]`; `1` is the lasso, `0`
///   ridge.
/// - `fit_intercept` (default `true`): fit `b`; otherwise the data are assumed centred.
/// - `max_iter` (default `1000`): the most sweeps over the features, `>= 1`.
/// - `tol` (default `1e-4`): stop when the duality gap is at most `tol·‖y − ȳ‖²_w`
///   (scikit-learn's rule, with `y` centred and weighted), `>= 0`.
/// - `positive` (default `false`): constrain every coefficient to be `>= 0`.
/// - `selection` (default [`Selection::Cyclic`]): the order of coordinate updates.
/// - `seed` (default [`DEFAULT_SEED`] = 0): the seed of [`Selection::Random`]
///   (scikit-learn's `random_state`); unused for cyclic selection.
/// - `precompute` (default [`Precompute::Auto`]): whether to work on the Gram matrix.
///
/// Warm starts (scikit-learn's `warm_start=True`) are [`ElasticNet::fit_from`].
///
/// # Fitted attributes
/// [`FittedElasticNet::coef`], [`FittedElasticNet::intercept`], [`FittedElasticNet::n_iter`],
/// [`FittedElasticNet::dual_gap`] and [`FittedElasticNet::converged`].
///
/// # Errors
/// `fit` returns [`kiln_core::Error::InvalidParameter`] for a parameter out of range (a
/// negative or NaN `alpha`, `l1_ratio` outside `[0, 1]`, `max_iter = 0`, a negative `tol`),
/// then [`kiln_core::Error::EmptyInput`], [`kiln_core::Error::NonFinite`] or
/// [`kiln_core::Error::ShapeMismatch`] for bad data and the sample-weight errors of
/// [`kiln_core::check::check_sample_weight`]. Not converging within `max_iter` is not an
/// error: [`FittedElasticNet::converged`] reports it.
///
/// # Notes
/// - Sample weights follow scikit-learn: they are rescaled to sum to `n_samples`, so the
///   objective above is unchanged by scaling them, a weight of 2 equals a duplicated row and a
///   weight of 0 a removed one.
/// - The duality gap, the stopping test and the gap safe screening of features are those of
///   scikit-learn 1.9, so `tol` means the same there and here.
///
/// # References
/// - J. Friedman, T. Hastie, R. Tibshirani (2010). Regularization paths for generalized linear
///   models via coordinate descent. *Journal of Statistical Software* 33(1).
/// - O. Fercoq, A. Gramfort, J. Salmon (2015). Mind the duality gap: safer rules for the
///   Lasso. *ICML*.
/// - E. Ndiaye, O. Fercoq, A. Gramfort, J. Salmon (2017). Gap safe screening rules for
///   sparsity enforcing penalties. *JMLR* 18(128).
/// - H. Zou, T. Hastie (2005). Regularization and variable selection via the elastic net.
///   *JRSS B* 67(2).
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_linear::enet::ElasticNet;
/// use ndarray::array;
///
/// let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]];
/// let y = array![1.0, 3.0, 5.0, 7.0, 9.0]; // y = 1 + 2·x0
/// let model = ElasticNet::default()
///     .with_alpha(0.01)
///     .with_l1_ratio(0.9)
///     .with_tol(1e-10)
///     .fit(x.view(), y.view())?;
/// assert!(model.converged());
/// assert!((model.coef()[0] - 2.0).abs() < 0.02);
/// assert_eq!(model.coef()[1], 0.0); // the irrelevant feature is exactly zero
/// let pred = model.predict(array![[5.0, 0.0]].view())?;
/// assert!((pred[0] - 11.0).abs() < 0.1);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ElasticNet {
    /// Penalty strength, `>= 0`. By default, `1.0`.
    pub alpha: f64,
    /// Share of the L1 penalty, in `[0, 1]`. By default, `0.5`.
    pub l1_ratio: f64,
    /// Fit an intercept. By default, `true`.
    pub fit_intercept: bool,
    /// Maximum number of sweeps, `>= 1`. By default, `1000`.
    pub max_iter: usize,
    /// Duality-gap tolerance relative to `‖y − ȳ‖²`, `>= 0`. By default, `1e-4`.
    pub tol: f64,
    /// Force non-negative coefficients. By default, `false`.
    pub positive: bool,
    /// Coordinate order. By default, [`Selection::Cyclic`].
    pub selection: Selection,
    /// Seed of random selection. By default, [`DEFAULT_SEED`].
    pub seed: u64,
    /// Gram-matrix use. By default, [`Precompute::Auto`].
    pub precompute: Precompute,
}

impl Default for ElasticNet {
    fn default() -> Self {
        Self {
            alpha: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
            positive: false,
            selection: Selection::Cyclic,
            seed: DEFAULT_SEED,
            precompute: Precompute::Auto,
        }
    }
}

/// The lasso: linear regression with an L1 penalty, as scikit-learn's `Lasso`.
///
/// Minimizes `1/(2·Σw)·Σ wᵢ(yᵢ − b − xᵢβ)² + alpha·‖β‖₁`: an [`ElasticNet`] with
/// `l1_ratio = 1`, with the same solver.
///
/// # Parameters
/// - `alpha` (default `1.0`): the penalty strength, `>= 0`.
/// - `fit_intercept` (default `true`), `max_iter` (default `1000`), `tol` (default `1e-4`),
///   `positive` (default `false`), `selection` (default [`Selection::Cyclic`]), `seed`
///   (default [`DEFAULT_SEED`]) and `precompute` (default [`Precompute::Auto`]): as for
///   [`ElasticNet`].
///
/// Warm starts are [`Lasso::fit_from`]; paths are [`Lasso::path`].
///
/// # Fitted attributes
/// [`FittedLasso::coef`], [`FittedLasso::intercept`], [`FittedLasso::n_iter`],
/// [`FittedLasso::dual_gap`] and [`FittedLasso::converged`].
///
/// # Errors
/// As [`ElasticNet`] (messages name `Lasso`).
///
/// # Notes
/// As [`ElasticNet`]. Among strongly correlated features the lasso tends to keep one; the
/// elastic net spreads the weight.
///
/// # References
/// - R. Tibshirani (1996). Regression shrinkage and selection via the lasso. *JRSS B* 58(1).
/// - and those of [`ElasticNet`].
///
/// # Example
/// ```
/// use kiln_core::Fit;
/// use kiln_linear::enet::Lasso;
/// use ndarray::array;
///
/// let x = array![[1.0, 0.5], [2.0, -0.5], [3.0, 0.5], [4.0, -0.5]];
/// let y = array![2.0, 4.0, 6.0, 8.0];
/// let model = Lasso::default().with_alpha(0.1).fit(x.view(), y.view())?;
/// // The penalty shrinks the slope below 2 and drops the unrelated feature.
/// assert!(model.coef()[0] < 2.0 && model.coef()[0] > 1.8);
/// assert_eq!(model.coef()[1], 0.0);
/// assert!(model.converged());
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lasso {
    /// Penalty strength, `>= 0`. By default, `1.0`.
    pub alpha: f64,
    /// Fit an intercept. By default, `true`.
    pub fit_intercept: bool,
    /// Maximum number of sweeps, `>= 1`. By default, `1000`.
    pub max_iter: usize,
    /// Duality-gap tolerance relative to `‖y − ȳ‖²`, `>= 0`. By default, `1e-4`.
    pub tol: f64,
    /// Force non-negative coefficients. By default, `false`.
    pub positive: bool,
    /// Coordinate order. By default, [`Selection::Cyclic`].
    pub selection: Selection,
    /// Seed of random selection. By default, [`DEFAULT_SEED`].
    pub seed: u64,
    /// Gram-matrix use. By default, [`Precompute::Auto`].
    pub precompute: Precompute,
}

impl Default for Lasso {
    fn default() -> Self {
        Self {
            alpha: 1.0,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
            positive: false,
            selection: Selection::Cyclic,
            seed: DEFAULT_SEED,
            precompute: Precompute::Auto,
        }
    }
}

/// The `with_*` setters common to both estimators.
macro_rules! common_setters {
    ($ty:ident) => {
        impl $ty {
            /// Sets `alpha` (by default, `1.0`).
            #[must_use]
            pub fn with_alpha(mut self, alpha: f64) -> Self {
                self.alpha = alpha;
                self
            }

            /// Sets `fit_intercept` (by default, `true`).
            #[must_use]
            pub fn with_fit_intercept(mut self, fit_intercept: bool) -> Self {
                self.fit_intercept = fit_intercept;
                self
            }

            /// Sets `max_iter` (by default, `1000`).
            #[must_use]
            pub fn with_max_iter(mut self, max_iter: usize) -> Self {
                self.max_iter = max_iter;
                self
            }

            /// Sets `tol` (by default, `1e-4`).
            #[must_use]
            pub fn with_tol(mut self, tol: f64) -> Self {
                self.tol = tol;
                self
            }

            /// Sets `positive` (by default, `false`).
            #[must_use]
            pub fn with_positive(mut self, positive: bool) -> Self {
                self.positive = positive;
                self
            }

            /// Sets `selection` (by default, [`Selection::Cyclic`]).
            #[must_use]
            pub fn with_selection(mut self, selection: Selection) -> Self {
                self.selection = selection;
                self
            }

            /// Sets `seed` (by default, [`DEFAULT_SEED`]).
            #[must_use]
            pub fn with_seed(mut self, seed: u64) -> Self {
                self.seed = seed;
                self
            }

            /// Sets `precompute` (by default, [`Precompute::Auto`]).
            #[must_use]
            pub fn with_precompute(mut self, precompute: Precompute) -> Self {
                self.precompute = precompute;
                self
            }
        }
    };
}

common_setters!(ElasticNet);
common_setters!(Lasso);

impl ElasticNet {
    /// Sets `l1_ratio` (by default, `0.5`).
    #[must_use]
    pub fn with_l1_ratio(mut self, l1_ratio: f64) -> Self {
        self.l1_ratio = l1_ratio;
        self
    }

    fn config(&self) -> Config {
        Config {
            name: Self::NAME,
            alpha: self.alpha,
            l1_ratio: self.l1_ratio,
            fit_intercept: self.fit_intercept,
            max_iter: self.max_iter,
            tol: self.tol,
            positive: self.positive,
            selection: self.selection,
            seed: self.seed,
            precompute: self.precompute,
        }
    }

    /// Fits starting from the coefficients of `previous` (scikit-learn's `warm_start=True`):
    /// much faster when the data or `alpha` changed little.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`], and [`kiln_core::Error::ShapeMismatch`] when `previous` was
    /// fitted on a different number of features.
    pub fn fit_from(
        &self,
        previous: &FittedElasticNet,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedElasticNet> {
        let sol = fit_config(
            &self.config(),
            x,
            y,
            sample_weight,
            Some(previous.coef().view()),
        )?;
        Ok(FittedElasticNet::new(*self, sol))
    }

    /// The regularization path: one fit per alpha, from the largest to the smallest, each
    /// starting from the previous one's coefficients. `self.alpha` is not used.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`]; [`kiln_core::Error::InvalidParameter`] for a bad grid
    /// (see [`Alphas`]), and for [`Alphas::Grid`] with `l1_ratio = 0` (the default grid is
    /// defined by the L1 part; give the alphas instead).
    ///
    /// # Example
    /// ```
    /// use kiln_linear::enet::{Alphas, ElasticNet};
    /// use ndarray::array;
    ///
    /// let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0], [5.0, 0.0]];
    /// let y = array![1.1, 2.0, 3.1, 3.9, 5.0];
    /// let grid = Alphas::Grid { n_alphas: 5, eps: 1e-2 };
    /// let path = ElasticNet::default().path(x.view(), y.view(), None, &grid)?;
    /// assert_eq!(path.coefs().dim(), (5, 2));
    /// // The grid starts at the smallest alpha that zeroes every coefficient.
    /// assert!(path.coefs().row(0).iter().all(|c| *c == 0.0));
    /// assert!(path.coefs()[[4, 0]] > 0.5);
    /// # Ok::<(), kiln_core::Error>(())
    /// ```
    pub fn path(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        alphas: &Alphas,
    ) -> Result<EnetPath> {
        path::run(&self.config(), x, y, sample_weight, alphas)
    }
}

impl Lasso {
    fn config(&self) -> Config {
        Config {
            name: Self::NAME,
            alpha: self.alpha,
            l1_ratio: 1.0,
            fit_intercept: self.fit_intercept,
            max_iter: self.max_iter,
            tol: self.tol,
            positive: self.positive,
            selection: self.selection,
            seed: self.seed,
            precompute: self.precompute,
        }
    }

    /// Fits starting from the coefficients of `previous` (scikit-learn's `warm_start=True`).
    ///
    /// # Errors
    /// As [`ElasticNet::fit_from`].
    pub fn fit_from(
        &self,
        previous: &FittedLasso,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedLasso> {
        let sol = fit_config(
            &self.config(),
            x,
            y,
            sample_weight,
            Some(previous.coef().view()),
        )?;
        Ok(FittedLasso::new(*self, sol))
    }

    /// The lasso path with warm starts, as [`ElasticNet::path`] (scikit-learn's `lasso_path`).
    ///
    /// # Errors
    /// As [`ElasticNet::path`].
    pub fn path(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        alphas: &Alphas,
    ) -> Result<EnetPath> {
        path::run(&self.config(), x, y, sample_weight, alphas)
    }
}

impl Params for ElasticNet {
    const NAME: &'static str = "ElasticNet";

    fn validate(&self) -> Result<()> {
        self.config().validate()
    }
}

impl Params for Lasso {
    const NAME: &'static str = "Lasso";

    fn validate(&self) -> Result<()> {
        self.config().validate()
    }
}

impl Fit for ElasticNet {
    type Target = f64;
    type Fitted = FittedElasticNet;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedElasticNet> {
        let sol = fit_config(&self.config(), x, y, sample_weight, None)?;
        Ok(FittedElasticNet::new(*self, sol))
    }
}

impl Fit for Lasso {
    type Target = f64;
    type Fitted = FittedLasso;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedLasso> {
        let sol = fit_config(&self.config(), x, y, sample_weight, None)?;
        Ok(FittedLasso::new(*self, sol))
    }
}
