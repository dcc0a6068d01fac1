//! [`LinearRegression`]: ordinary least squares, as scikit-learn's `LinearRegression`.

use kiln_core::check;
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fit, Fitted, Params, Predict, Result};
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::common::{FeatureNames, NamedCoef};
use crate::lstsq::{self, Design, Path};

/// Ordinary least squares: minimizes `Σ wᵢ (yᵢ − xᵢ·β − b)²`, as scikit-learn's
/// `LinearRegression` (dense input, `positive=False`).
///
/// # Parameters
/// - `fit_intercept` (default `true`): fit an intercept `b`; when `false` the data are used as
///   they are (the model passes through the origin).
/// - `tol` (default `1e-6`): singular values of the (centred, weighted) design at or below
///   `tol × σ_max` are treated as zero, which is scikit-learn 1.9's `tol` (passed to
///   `scipy.linalg.lstsq` as `cond`). Must be finite and `>= 0`.
///
/// # Fitted attributes
/// [`FittedLinearRegression::coef`], [`FittedLinearRegression::intercept`],
/// [`FittedLinearRegression::rank`], [`FittedLinearRegression::singular`] (scikit-learn's
/// `coef_`, `intercept_`, `rank_`, `singular_`) and [`FittedLinearRegression::method`].
///
/// # Errors
/// `fit` rejects an invalid `tol`, empty input, NaN or infinite values in `X` or `y`
/// ([`kiln_core::Error::NonFinite`] with the position), a target whose length differs from the
/// number of rows, and invalid sample weights. `predict` rejects a different number of features.
///
/// # Notes
/// - **Rank-deficient designs** (duplicate or all-zero columns, more features than samples) get
///   the minimum-norm solution, as with LAPACK's `gelsd` that scikit-learn uses, and
///   [`FittedLinearRegression::rank`] reports the numerical rank.
/// - **Algorithm.** One parallel pass forms the weighted, centred Gram matrix `XᵀWX` and `XᵀWy`
///   (fixed row blocks merged in a fixed order, so the result does not depend on the number of
///   threads). When the design is clearly of full rank (every singular value above
///   `max(1e-5, 10·tol)·σ_max`) and its Jacobi-scaled Gram matrix has condition number below
///   `1e6`, the normal equations are solved through a symmetric eigendecomposition; the
///   coefficients are then accurate to about `1e-10` relative. Otherwise the design is factored
///   again as `QR` (Householder) and the `R` factor through an SVD, which is as accurate as
///   `gelsd` but reads the data twice and runs on one thread. [`FittedLinearRegression::method`]
///   tells which path was taken.
/// - Singular values from the Gram path are the square roots of its eigenvalues: accurate to
///   about `ε·(σ_max/σᵢ)²` relative, which is below `1e-10` for `σ_max/σᵢ < 1e3` and never worse
///   than `2e-6` (larger ratios take the QR path).
/// - A weight of 2 counts a sample twice; a weight of 0 removes it.
///
/// # References
/// - Å. Björck, *Numerical Methods for Least Squares Problems*, SIAM (1996).
/// - G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed. (2013), §5.3 and §5.5.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_linear::LinearRegression;
/// use ndarray::array;
///
/// let x = array![[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 3.0]];
/// let y = array![6.0, 8.0, 9.0, 11.0]; // y = 1·x0 + 2·x1 + 3
/// let model = LinearRegression::default().fit(x.view(), y.view())?;
/// assert!((model.coef()[0] - 1.0).abs() < 1e-12);
/// assert!((model.coef()[1] - 2.0).abs() < 1e-12);
/// assert!((model.intercept() - 3.0).abs() < 1e-12);
/// assert_eq!(model.rank(), 2);
/// let pred = model.predict(array![[3.0, 5.0]].view())?;
/// assert!((pred[0] - 16.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearRegression {
    /// Fit an intercept. By default, `true`.
    pub fit_intercept: bool,
    /// Relative cut-off for small singular values. By default, `1e-6`.
    pub tol: f64,
}

impl Default for LinearRegression {
    fn default() -> Self {
        Self {
            fit_intercept: true,
            tol: 1e-6,
        }
    }
}

impl LinearRegression {
    /// Sets `fit_intercept` (by default, `true`).
    #[must_use]
    pub fn with_fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// Sets `tol`, the relative cut-off for small singular values (by default, `1e-6`).
    #[must_use]
    pub fn with_tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
}

impl Params for LinearRegression {
    const NAME: &'static str = "LinearRegression";

    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "tol",
            self.tol,
            self.tol.is_finite() && self.tol >= 0.0,
            "a float in the range [0, inf)",
        )
    }
}

impl Fit for LinearRegression {
    type Target = f64;
    type Fitted = FittedLinearRegression;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedLinearRegression> {
        self.fit_design(x, None, y, sample_weight)
    }

    /// Reads the rows in place (see [`crate::Ridge`]'s `fit_rows`): the same model, bit for
    /// bit, as a fit on the copied rows.
    const FITS_ROWS_IN_PLACE: bool = true;

    fn fit_rows(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        rows: &[usize],
    ) -> Result<FittedLinearRegression> {
        self.validate()?;
        let (y, w) = lstsq::rows_of(x.nrows(), y, sample_weight, rows)?;
        self.fit_design(x, Some(rows), y.view(), w.as_ref().map(|w| w.view()))
    }
}

impl LinearRegression {
    /// Checks the params and the data, then solves. `x_rows` picks the rows of `x` to fit on
    /// (read in place); `y` and `w` hold one entry per sample.
    fn fit_design(
        &self,
        x: ArrayView2<'_, f64>,
        x_rows: Option<&[usize]>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedLinearRegression> {
        self.validate()?;
        let design = Design {
            x,
            x_rows,
            y: y.insert_axis(Axis(1)),
            w: sample_weight,
            center: self.fit_intercept,
        };
        lstsq::check_shape(&design)?;
        let mom = lstsq::checked_moments(&design, || {
            check::check_finite_1d(y, "y")?;
            check::check_sample_weight(sample_weight, design.n())
        })?;
        let sol = lstsq::lstsq(&design, &mom, self.tol)?;
        let coef = Array1::from_shape_fn(x.ncols(), |j| sol.coef[(j, 0)]);
        let intercept = if self.fit_intercept {
            mom.y_mean()[0]
                - coef
                    .iter()
                    .zip(mom.x_mean())
                    .map(|(c, m)| c * m)
                    .sum::<f64>()
        } else {
            0.0
        };
        Ok(FittedLinearRegression {
            params: *self,
            n_features: x.ncols(),
            coef,
            intercept,
            rank: sol.rank,
            singular: Array1::from(sol.singular),
            method: match sol.path {
                Path::Gram => LstsqMethod::NormalEquations,
                Path::Qr => LstsqMethod::QrSvd,
            },
            names: FeatureNames::default(),
        })
    }
}

/// How a [`FittedLinearRegression`] was solved (see the notes of [`LinearRegression`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LstsqMethod {
    /// The Jacobi-scaled normal equations, through a symmetric eigendecomposition: the design
    /// was well conditioned and of full rank.
    NormalEquations,
    /// A Householder QR of the design and an SVD of its `R` factor: the design was
    /// ill-conditioned or rank-deficient.
    QrSvd,
}

/// A fitted [`LinearRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLinearRegression {
    params: LinearRegression,
    n_features: usize,
    coef: Array1<f64>,
    intercept: f64,
    rank: usize,
    singular: Array1<f64>,
    method: LstsqMethod,
    names: FeatureNames,
}

impl FittedLinearRegression {
    /// The params it was fitted with.
    pub fn params(&self) -> &LinearRegression {
        &self.params
    }

    /// The coefficient of each feature (`coef_`); the minimum-norm solution when the design is
    /// rank-deficient.
    pub fn coef(&self) -> &Array1<f64> {
        &self.coef
    }

    /// The intercept (`intercept_`); 0 when `fit_intercept` is off.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The numerical rank of the centred, weighted design (`rank_`): the number of singular
    /// values above `tol × σ_max`.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The singular values of the centred (when fitting an intercept), `sqrt(w)`-scaled design,
    /// in decreasing order, `min(n_samples, n_features)` of them (`singular_`).
    pub fn singular(&self) -> &Array1<f64> {
        &self.singular
    }

    /// Which algorithm solved the problem.
    pub fn method(&self) -> LstsqMethod {
        self.method
    }

    /// Attaches feature names, used by [`FittedLinearRegression::coef_named`] and saved in the
    /// model's schema.
    ///
    /// # Errors
    /// [`kiln_core::Error::ShapeMismatch`] when the number of names differs from the number of
    /// features.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        self.names.set(names, self.n_features)?;
        Ok(self)
    }

    /// The feature names, when given.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.names.get()
    }

    /// Each coefficient with its feature's name (`x0`, `x1`, ... when no names were given).
    pub fn coef_named(&self) -> Vec<NamedCoef> {
        self.names.named(self.coef.view())
    }
}

impl Fitted for FittedLinearRegression {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedLinearRegression {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        let coef = self.coef.to_vec();
        crate::predict::checked_linear(LinearRegression::NAME, x, &coef, self.intercept)
    }

    /// Reads the rows in place (cross-validation scores each fold's test rows without a copy).
    const PREDICTS_ROWS_IN_PLACE: bool = true;

    fn predict_rows(&self, x: ArrayView2<'_, f64>, rows: &[usize]) -> Result<Array1<f64>> {
        crate::predict::checked_linear_rows(
            LinearRegression::NAME,
            x,
            rows,
            &self.coef.to_vec(),
            self.intercept,
        )
    }
}

impl Persist for FittedLinearRegression {
    const KIND: &'static str = "kiln_linear::LinearRegression";
    type Params = LinearRegression;

    fn params(&self) -> &LinearRegression {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        self.names.schema(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        crate::predict::check_loaded_shapes(self.coef.len(), 1, 1, self.n_features)
    }
}
