//! [`Ridge`]: least squares with an L2 penalty, as scikit-learn's `Ridge` (closed form).

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fit, Fitted, Params, Predict, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::common::{FeatureNames, NamedCoef};
use crate::lstsq::{self, Design, SvdSystem};

/// The regularization strength of a [`Ridge`]: one value for every target, or one per target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Alpha {
    /// The same strength for every target.
    Scalar(f64),
    /// One strength per target, in the order of the columns of `y` given to
    /// [`Ridge::fit_multi`].
    PerTarget(Vec<f64>),
}

impl From<f64> for Alpha {
    fn from(alpha: f64) -> Self {
        Alpha::Scalar(alpha)
    }
}

impl From<Vec<f64>> for Alpha {
    fn from(alphas: Vec<f64>) -> Self {
        Alpha::PerTarget(alphas)
    }
}

impl Alpha {
    /// The strength of each of `n_targets` targets.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when a per-target list has another length.
    fn for_targets(&self, n_targets: usize) -> Result<Vec<f64>> {
        match self {
            Alpha::Scalar(a) => Ok(vec![*a; n_targets]),
            Alpha::PerTarget(v) => {
                check::check_same_len(
                    "number of alphas against number of targets",
                    n_targets,
                    v.len(),
                )?;
                Ok(v.clone())
            }
        }
    }
}

/// Ridge regression: minimizes `Σ wᵢ (yᵢ − xᵢ·β − b)² + α‖β‖²`, as scikit-learn's `Ridge`
/// with its default (`"auto"` → Cholesky) solver. The intercept is not penalized.
///
/// # Parameters
/// - `alpha` (default `1.0`): the penalty strength, `>= 0` and finite; an [`Alpha::PerTarget`]
///   list gives each target of [`Ridge::fit_multi`] its own (scikit-learn's array `alpha`).
/// - `fit_intercept` (default `true`): fit an intercept; when `false` the data are used as
///   they are.
///
/// # Fitted attributes
/// [`FittedRidge::coef`] and [`FittedRidge::intercept`] (`coef_`, `intercept_`); for several
/// targets, [`FittedRidgeMulti::coef`] (n_targets × n_features) and
/// [`FittedRidgeMulti::intercept`].
///
/// # Errors
/// `fit` rejects a negative or non-finite `alpha`, a per-target list whose length is not the
/// number of targets, empty input, NaN or infinite values in `X` or `y`
/// ([`Error::NonFinite`] with the position), a target whose length differs from the number of
/// rows and invalid sample weights. `predict` rejects a different number of features.
///
/// # Notes
/// - **Algorithm.** One parallel pass forms the weighted, centred Gram matrix `XᵀWX` and
///   `XᵀWY` (fixed row blocks merged in a fixed order, so the result does not depend on the
///   number of threads); then `(XᵀWX + αI) β = XᵀWy` is solved by Cholesky, once per distinct
///   `alpha`. With several targets the data are read once for all of them.
/// - When `XᵀWX + αI` is not positive definite (only possible for `alpha = 0` with a singular
///   design), the design is factored as `QR` and `R` through an SVD and
///   `β = V diag(σ/(σ² + α)) Uᵀ Qᵀy` with singular values `<= 1e-15` dropped, as scikit-learn
///   falls back to its `"svd"` solver.
/// - scikit-learn solves the dual (kernel) system when there are more features than samples;
///   the primal system solved here has the same solution, at a cost of `O(p³)`.
/// - A weight of 2 counts a sample twice; a weight of 0 removes it.
///
/// # References
/// - A. E. Hoerl, R. W. Kennard, "Ridge regression: biased estimation for nonorthogonal
///   problems", Technometrics 12 (1970).
/// - G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed. (2013), §4.2 (Cholesky).
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_linear::Ridge;
/// use ndarray::array;
///
/// let x = array![[0.0], [1.0], [2.0], [3.0]];
/// let y = array![1.0, 3.0, 5.0, 7.0]; // y = 2x + 1
/// // Centred x has Σx² = 5, so the slope shrinks to 2·5 / (5 + α).
/// let model = Ridge::default().with_alpha(5.0).fit(x.view(), y.view())?;
/// assert!((model.coef()[0] - 1.0).abs() < 1e-12);
/// assert!((model.intercept() - 2.5).abs() < 1e-12);
/// let pred = model.predict(array![[1.5]].view())?;
/// assert!((pred[0] - 4.0).abs() < 1e-12);
///
/// // Two targets, each with its own alpha.
/// let y2 = array![[1.0, 0.0], [3.0, -1.0], [5.0, -2.0], [7.0, -3.0]];
/// let multi = Ridge::default()
///     .with_alpha(vec![5.0, 0.0])
///     .fit_multi(x.view(), y2.view(), None)?;
/// assert!((multi.coef()[[0, 0]] - 1.0).abs() < 1e-12);
/// assert!((multi.coef()[[1, 0]] + 1.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ridge {
    /// The penalty strength. By default, `1.0`.
    pub alpha: Alpha,
    /// Fit an intercept. By default, `true`.
    pub fit_intercept: bool,
}

impl Default for Ridge {
    fn default() -> Self {
        Self {
            alpha: Alpha::Scalar(1.0),
            fit_intercept: true,
        }
    }
}

impl Ridge {
    /// Sets `alpha`: an `f64` for every target or a `Vec<f64>` with one per target (by
    /// default, `1.0`).
    #[must_use]
    pub fn with_alpha(mut self, alpha: impl Into<Alpha>) -> Self {
        self.alpha = alpha.into();
        self
    }

    /// Sets `fit_intercept` (by default, `true`).
    #[must_use]
    pub fn with_fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// Fits one model per column of `y` (n_samples × n_targets), reading the data once.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`]; also [`Error::EmptyInput`] for a `y` without columns and
    /// [`Error::ShapeMismatch`] when a per-target `alpha` list does not have one value per
    /// column of `y`.
    pub fn fit_multi(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRidgeMulti> {
        let (coef, intercept) = self.fit_design(x, None, y, sample_weight, || {
            if y.ncols() == 0 {
                return Err(Error::EmptyInput {
                    what: "y".into(),
                    reason: "0 targets (columns); at least 1 is needed".into(),
                });
            }
            check::check_finite(y, "y", NanPolicy::Reject)
        })?;
        Ok(FittedRidgeMulti {
            params: self.clone(),
            n_features: x.ncols(),
            coef,
            intercept,
            names: FeatureNames::default(),
        })
    }

    /// Checks the params and the data, then solves: the coefficients (n_targets ×
    /// n_features) and intercepts. `x_rows` picks the rows of `x` to fit on (read in place);
    /// `y` and `w` hold one entry per sample. `check_y` checks the target's values.
    fn fit_design(
        &self,
        x: ArrayView2<'_, f64>,
        x_rows: Option<&[usize]>,
        y: ArrayView2<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
        check_y: impl FnOnce() -> Result<()>,
    ) -> Result<(Array2<f64>, Array1<f64>)> {
        self.validate()?;
        let d = Design {
            x,
            x_rows,
            y,
            w,
            center: self.fit_intercept,
        };
        lstsq::check_shape(&d)?;
        let mut alphas = Vec::new();
        let mom = lstsq::checked_moments(&d, || {
            check_y()?;
            check::check_sample_weight(w, d.n())?;
            alphas = self.alpha.for_targets(y.ncols())?;
            Ok(())
        })?;
        self.solve(&d, &mom, &alphas)
    }

    /// Coefficients (n_targets × n_features) and intercepts of the checked problem.
    fn solve(
        &self,
        d: &Design<'_>,
        mom: &lstsq::Moments,
        alphas: &[f64],
    ) -> Result<(Array2<f64>, Array1<f64>)> {
        let (p, k) = (d.x.ncols(), d.y.ncols());
        let xy = mom.xy();
        let mut coef = Array2::zeros((k, p));
        let mut done = vec![false; k];
        let mut svd: Option<SvdSystem> = None;
        for t in 0..k {
            if done[t] {
                continue;
            }
            let alpha = alphas[t];
            // Targets sharing this alpha share one factorization.
            let group: Vec<usize> = (t..k)
                .filter(|&u| !done[u] && alphas[u].to_bits() == alpha.to_bits())
                .collect();
            let rhs = faer::Mat::from_fn(p, group.len(), |i, c| xy[(i, group[c])]);
            match lstsq::ridge_cholesky(mom.xx(), rhs.as_ref(), alpha) {
                Some(sol) => {
                    for (c, &u) in group.iter().enumerate() {
                        for j in 0..p {
                            coef[[u, j]] = sol[(j, c)];
                        }
                    }
                }
                None => {
                    if svd.is_none() {
                        svd = Some(lstsq::svd_system(d, mom)?);
                    }
                    if let Some(sys) = &svd {
                        for &u in &group {
                            let b = sys.solve_target(u, |s| {
                                if s > 1e-15 { s / (s * s + alpha) } else { 0.0 }
                            });
                            coef.row_mut(u).assign(&ArrayView1::from(&b));
                        }
                    }
                }
            }
            group.iter().for_each(|&u| done[u] = true);
        }
        let intercept = Array1::from_shape_fn(k, |t| {
            if self.fit_intercept {
                let shift: f64 = coef
                    .row(t)
                    .iter()
                    .zip(mom.x_mean())
                    .map(|(c, m)| c * m)
                    .sum();
                mom.y_mean()[t] - shift
            } else {
                0.0
            }
        });
        Ok((coef, intercept))
    }
}

impl Params for Ridge {
    const NAME: &'static str = "Ridge";

    fn validate(&self) -> Result<()> {
        let range = "a float in the range [0, inf)";
        match &self.alpha {
            Alpha::Scalar(a) => {
                check::check_param(Self::NAME, "alpha", a, a.is_finite() && *a >= 0.0, range)
            }
            Alpha::PerTarget(v) if v.is_empty() => Err(Error::invalid_param(
                Self::NAME,
                "alpha",
                "must hold at least one value; got an empty list",
            )),
            Alpha::PerTarget(v) => match v.iter().position(|a| !(a.is_finite() && *a >= 0.0)) {
                None => Ok(()),
                Some(t) => Err(Error::invalid_param(
                    Self::NAME,
                    "alpha",
                    format!(
                        "must hold floats in the range [0, inf); got {} for target {t}",
                        v[t]
                    ),
                )),
            },
        }
    }
}

impl Fit for Ridge {
    type Target = f64;
    type Fitted = FittedRidge;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRidge> {
        self.fit_one(x, None, y, sample_weight)
    }

    /// Reads the rows in place: the Gram pass copies rows into a cache-sized buffer anyway,
    /// so it takes them from `x` by index and no fold of cross-validation is copied. The
    /// model is the same, bit for bit, as a fit on the copied rows.
    const FITS_ROWS_IN_PLACE: bool = true;

    fn fit_rows(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        rows: &[usize],
    ) -> Result<FittedRidge> {
        self.validate()?;
        let (y, w) = lstsq::rows_of(x.nrows(), y, sample_weight, rows)?;
        self.fit_one(x, Some(rows), y.view(), w.as_ref().map(|w| w.view()))
    }
}

impl Ridge {
    /// A single-target fit on the rows `x_rows` of `x` (all rows when `None`); `y` and `w`
    /// hold one entry per sample.
    fn fit_one(
        &self,
        x: ArrayView2<'_, f64>,
        x_rows: Option<&[usize]>,
        y: ArrayView1<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRidge> {
        let (coef, intercept) = self.fit_design(x, x_rows, y.insert_axis(Axis(1)), w, || {
            check::check_finite_1d(y, "y")
        })?;
        Ok(FittedRidge {
            params: self.clone(),
            n_features: x.ncols(),
            coef: coef.row(0).to_owned(),
            intercept: intercept[0],
            names: FeatureNames::default(),
        })
    }
}

/// A fitted [`Ridge`] with one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRidge {
    params: Ridge,
    n_features: usize,
    coef: Array1<f64>,
    intercept: f64,
    names: FeatureNames,
}

impl FittedRidge {
    /// The params it was fitted with.
    pub fn params(&self) -> &Ridge {
        &self.params
    }

    /// The coefficient of each feature (`coef_`).
    pub fn coef(&self) -> &Array1<f64> {
        &self.coef
    }

    /// The intercept (`intercept_`); 0 when `fit_intercept` is off.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// Attaches feature names, used by [`FittedRidge::coef_named`] and saved in the model's
    /// schema.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of names differs from the number of features.
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

impl Fitted for FittedRidge {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedRidge {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        crate::predict::checked_linear(Ridge::NAME, x, &self.coef.to_vec(), self.intercept)
    }

    /// Reads the rows in place (cross-validation scores each fold's test rows without a copy).
    const PREDICTS_ROWS_IN_PLACE: bool = true;

    fn predict_rows(&self, x: ArrayView2<'_, f64>, rows: &[usize]) -> Result<Array1<f64>> {
        crate::predict::checked_linear_rows(
            Ridge::NAME,
            x,
            rows,
            &self.coef.to_vec(),
            self.intercept,
        )
    }
}

impl Persist for FittedRidge {
    const KIND: &'static str = "kiln_linear::Ridge";
    type Params = Ridge;

    fn params(&self) -> &Ridge {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        self.names.schema(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        crate::predict::check_loaded_shapes(self.coef.len(), 1, 1, self.n_features)
    }
}

/// A fitted [`Ridge`] with several targets, from [`Ridge::fit_multi`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRidgeMulti {
    params: Ridge,
    n_features: usize,
    coef: Array2<f64>,
    intercept: Array1<f64>,
    names: FeatureNames,
}

impl FittedRidgeMulti {
    /// The params it was fitted with.
    pub fn params(&self) -> &Ridge {
        &self.params
    }

    /// The coefficients, one row per target (`coef_`, n_targets × n_features).
    pub fn coef(&self) -> &Array2<f64> {
        &self.coef
    }

    /// The intercept of each target (`intercept_`); zeros when `fit_intercept` is off.
    pub fn intercept(&self) -> &Array1<f64> {
        &self.intercept
    }

    /// The number of targets.
    pub fn n_targets(&self) -> usize {
        self.coef.nrows()
    }

    /// The single-target model of target `t` (its params carry that target's `alpha`), or
    /// `None` when `t >= n_targets`.
    pub fn target(&self, t: usize) -> Option<FittedRidge> {
        let alpha = self.params.alpha.for_targets(self.n_targets()).ok()?;
        Some(FittedRidge {
            params: Ridge {
                alpha: Alpha::Scalar(*alpha.get(t)?),
                fit_intercept: self.params.fit_intercept,
            },
            n_features: self.n_features,
            coef: self.coef.row(t).to_owned(),
            intercept: self.intercept[t],
            names: self.names.clone(),
        })
    }

    /// Predictions, n_samples × n_targets.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        crate::predict::checked_linear_multi(
            Ridge::NAME,
            x,
            self.coef.view(),
            self.intercept.view(),
        )
    }

    /// Attaches feature names, saved in the model's schema.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of names differs from the number of features.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        self.names.set(names, self.n_features)?;
        Ok(self)
    }

    /// The feature names, when given.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.names.get()
    }

    /// The coefficients of target `t` with their features' names, or `None` when
    /// `t >= n_targets`.
    pub fn coef_named(&self, t: usize) -> Option<Vec<NamedCoef>> {
        (t < self.n_targets()).then(|| self.names.named(self.coef.row(t)))
    }
}

impl Fitted for FittedRidgeMulti {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Persist for FittedRidgeMulti {
    const KIND: &'static str = "kiln_linear::RidgeMulti";
    type Params = Ridge;

    fn params(&self) -> &Ridge {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        self.names.schema(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        let (outputs, cols) = self.coef.dim();
        crate::predict::check_loaded_shapes(cols, outputs, self.intercept.len(), self.n_features)
    }
}
