//! [`TargetEncoder`]: each category replaced by a shrunk mean of the target.

use kiln_core::check::{self, check_param};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fitted, Params, Result};
use ndarray::{Array1, Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::FrameTransform;
use super::common::{self, Categories};
use crate::Frame;
use crate::split::{Fold, KFold, StratifiedKFold};

/// The kind of target a [`TargetEncoder`] learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TargetType {
    /// Any finite values (the default); cross-fitting uses [`KFold`].
    #[default]
    Continuous,
    /// Values 0.0 and 1.0 (1 = positive class; see [`super::encode_target`]);
    /// cross-fitting uses [`StratifiedKFold`], as scikit-learn does for a binary target.
    Binary,
}

/// How much a category's mean is pulled towards the overall target mean.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Smooth {
    /// Empirical Bayes shrinkage (the default, scikit-learn's `smooth="auto"`): with `n`
    /// rows in the category, category mean `m_c` and variance `v_c`, overall mean `m` and
    /// variance `v`, the encoding is `λ m_c + (1 − λ) m` with `λ = n v / (n v + v_c)`.
    #[default]
    Auto,
    /// An m-estimate with this finite, non-negative weight `s`:
    /// `(n m_c + s m) / (n + s)`.
    Value(f64),
}

/// Encodes each categorical column as one column holding, per category, a mean of the target
/// over the training rows of that category, shrunk towards the overall mean; as
/// scikit-learn's `TargetEncoder` (1.3+) for a binary or continuous target.
///
/// # Parameters
/// - `target_type` (default [`TargetType::Continuous`]): continuous or binary (0/1) target.
/// - `smooth` (default [`Smooth::Auto`]): the shrinkage.
/// - `cv` (default 5): the number of folds of [`TargetEncoder::fit_transform`], at least 2.
/// - `shuffle` (default `true`, as scikit-learn): shuffle the rows before cutting the folds.
/// - `seed` (default [`kiln_core::random::DEFAULT_SEED`]): seed of that shuffle.
///
/// # Fitted attributes
/// [`FittedTargetEncoder::encodings`] (`encodings_`), [`FittedTargetEncoder::categories`]
/// (`categories_`) and [`FittedTargetEncoder::target_mean`] (`target_mean_`).
///
/// # Notes
/// - [`TargetEncoder::fit_transform`] encodes each training row with encodings learned
///   without that row's fold (cross-fitting), so a model trained on the output does not see
///   its own target leak through the encoding. [`TargetEncoder::fit`] and
///   [`FrameTransform::transform_frame`] use the encodings learned on all training rows; use
///   them for new data, not for the training rows.
/// - A missing value is a category. A category not seen at fit (or a missing value in a
///   column that had none) is encoded as the target mean, as in scikit-learn.
/// - The folds come from kiln's splitters, so with `shuffle` they differ from
///   scikit-learn's (whose generator kiln does not reproduce); the full-data encodings match.
///
/// # Errors
/// `fit` fails for an empty frame or column list, a column named twice, an absent or numeric
/// column, a target of the wrong length or with non-finite values (or values other than 0
/// and 1 for [`TargetType::Binary`]), invalid params, and (in `fit_transform`) when the
/// folds cannot be made (`cv` above the number of rows, or above the size of the larger
/// class for a binary target).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetEncoder {
    /// Continuous or binary target. By default, [`TargetType::Continuous`].
    pub target_type: TargetType,
    /// The shrinkage. By default, [`Smooth::Auto`].
    pub smooth: Smooth,
    /// The number of cross-fitting folds, at least 2. By default, 5.
    pub cv: usize,
    /// Shuffle rows before cutting folds. By default, `true`.
    pub shuffle: bool,
    /// Seed of the shuffle. By default, [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for TargetEncoder {
    fn default() -> Self {
        Self {
            target_type: TargetType::Continuous,
            smooth: Smooth::Auto,
            cv: 5,
            shuffle: true,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl TargetEncoder {
    /// Sets `target_type` (by default, [`TargetType::Continuous`]).
    #[must_use]
    pub fn with_target_type(mut self, target_type: TargetType) -> Self {
        self.target_type = target_type;
        self
    }

    /// Sets `smooth` (by default, [`Smooth::Auto`]).
    #[must_use]
    pub fn with_smooth(mut self, smooth: Smooth) -> Self {
        self.smooth = smooth;
        self
    }

    /// Sets `cv` (by default, 5).
    #[must_use]
    pub fn with_cv(mut self, cv: usize) -> Self {
        self.cv = cv;
        self
    }

    /// Sets `shuffle` (by default, `true`).
    #[must_use]
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Sets `seed` (by default, [`kiln_core::random::DEFAULT_SEED`]).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Learns the encodings of `columns` from all rows of `frame` and the target `y`.
    ///
    /// # Errors
    /// As listed under the type's `# Errors`.
    pub fn fit<S: AsRef<str>>(
        &self,
        frame: &Frame,
        columns: &[S],
        y: ArrayView1<'_, f64>,
    ) -> Result<FittedTargetEncoder> {
        Ok(self.prepare(frame, columns, y)?.0)
    }

    /// Fits on all rows, and encodes each row of `frame` with encodings learned on the other
    /// folds (`cv` folds, shuffled by `seed` when `shuffle`).
    ///
    /// # Errors
    /// As listed under the type's `# Errors`.
    pub fn fit_transform<S: AsRef<str>>(
        &self,
        frame: &Frame,
        columns: &[S],
        y: ArrayView1<'_, f64>,
    ) -> Result<(FittedTargetEncoder, Array2<f64>)> {
        let (fitted, indices) = self.prepare(frame, columns, y)?;
        let folds = self.folds(y)?;
        let mut out = Array2::zeros((frame.n_rows(), indices.len()));
        for fold in &folds {
            let y_train: Vec<f64> = fold.train.iter().map(|&r| y[r]).collect();
            for (j, (idx, cats)) in indices.iter().zip(&fitted.categories).enumerate() {
                let idx_train: Vec<usize> = fold.train.iter().map(|&r| idx[r]).collect();
                let enc = self.encode(&idx_train, &y_train, cats.len());
                for &r in &fold.test {
                    out[[r, j]] = enc[idx[r]];
                }
            }
        }
        Ok((fitted, out))
    }

    /// The cross-fitting folds of `fit_transform`.
    fn folds(&self, y: ArrayView1<'_, f64>) -> Result<Vec<Fold>> {
        match self.target_type {
            TargetType::Continuous => KFold::default()
                .with_n_splits(self.cv)
                .with_shuffle(self.shuffle)
                .with_seed(self.seed)
                .split(y.len()),
            TargetType::Binary => {
                let classes: Array1<u8> = y.mapv(|v| u8::from(v == 1.0));
                StratifiedKFold::default()
                    .with_n_splits(self.cv)
                    .with_shuffle(self.shuffle)
                    .with_seed(self.seed)
                    .split(classes.view())
            }
        }
    }

    /// Validates, checks the data, learns categories and full-data encodings; returns the
    /// category index of every row of every column too.
    fn prepare<S: AsRef<str>>(
        &self,
        frame: &Frame,
        columns: &[S],
        y: ArrayView1<'_, f64>,
    ) -> Result<(FittedTargetEncoder, Vec<Vec<usize>>)> {
        self.validate()?;
        let names = common::check_fit_columns(frame, columns, Self::NAME)?;
        check::check_same_len(
            "length of y against rows of the frame",
            frame.n_rows(),
            y.len(),
        )?;
        check::check_finite_1d(y, "y")?;
        if self.target_type == TargetType::Binary
            && let Some(row) = y.iter().position(|&v| v != 0.0 && v != 1.0)
        {
            return Err(Error::InvalidValue {
                what: "y".into(),
                row: Some(row),
                reason: format!(
                    "a binary target holds 0 and 1 (see encode_target); got {}",
                    y[row]
                ),
            });
        }
        let y_all = y.to_vec();
        let mut categories = Vec::with_capacity(names.len());
        let mut encodings = Vec::with_capacity(names.len());
        let mut indices = Vec::with_capacity(names.len());
        for name in &names {
            let col = common::categorical(frame, name, Self::NAME)?;
            let (cats, _) = Categories::learn(col);
            // Every row's category was learned from these very rows, so none is unknown.
            let idx: Vec<usize> = cats
                .indices(col)
                .into_iter()
                .map(|i| i.unwrap_or(0))
                .collect();
            encodings.push(Array1::from(self.encode(&idx, &y_all, cats.len())));
            categories.push(cats);
            indices.push(idx);
        }
        let fitted = FittedTargetEncoder {
            params: *self,
            input: names,
            categories,
            encodings,
            target_mean: mean(&y_all),
        };
        Ok((fitted, indices))
    }

    /// The encoding of each of `n_cats` categories from rows with category `idx` and target
    /// `y` (scikit-learn's `_fit_encoding_fast` and `_fit_encoding_fast_auto_smooth`).
    fn encode(&self, idx: &[usize], y: &[f64], n_cats: usize) -> Vec<f64> {
        let y_mean = mean(y);
        let mut counts = vec![0usize; n_cats];
        let mut sums = vec![0.0; n_cats];
        for (&c, &v) in idx.iter().zip(y) {
            counts[c] += 1;
            sums[c] += v;
        }
        match self.smooth {
            Smooth::Value(s) => (0..n_cats)
                .map(|c| {
                    let n = counts[c] as f64 + s;
                    if n == 0.0 {
                        y_mean
                    } else {
                        (sums[c] + s * y_mean) / n
                    }
                })
                .collect(),
            Smooth::Auto => {
                let y_var = y.iter().map(|v| (v - y_mean).powi(2)).sum::<f64>() / y.len() as f64;
                let means: Vec<f64> = (0..n_cats).map(|c| sums[c] / counts[c] as f64).collect();
                let mut ssd = vec![0.0; n_cats];
                for (&c, &v) in idx.iter().zip(y) {
                    ssd[c] += (v - means[c]).powi(2);
                }
                (0..n_cats)
                    .map(|c| {
                        let n = counts[c] as f64;
                        let lambda = y_var * n / (y_var * n + ssd[c] / n);
                        if lambda.is_nan() {
                            y_mean
                        } else {
                            lambda * means[c] + (1.0 - lambda) * y_mean
                        }
                    })
                    .collect()
            }
        }
    }
}

fn mean(y: &[f64]) -> f64 {
    y.iter().sum::<f64>() / y.len() as f64
}

impl Params for TargetEncoder {
    const NAME: &'static str = "TargetEncoder";

    fn validate(&self) -> Result<()> {
        check_param(
            Self::NAME,
            "cv",
            self.cv,
            self.cv >= 2,
            "an int in the range [2, inf)",
        )?;
        if let Smooth::Value(s) = self.smooth {
            check_param(
                Self::NAME,
                "smooth",
                format!("Value({s})"),
                s.is_finite() && s >= 0.0,
                "Auto or Value(s) with s finite and >= 0",
            )?;
        }
        Ok(())
    }
}

/// A fitted [`TargetEncoder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedTargetEncoder {
    params: TargetEncoder,
    input: Vec<String>,
    categories: Vec<Categories>,
    encodings: Vec<Array1<f64>>,
    target_mean: f64,
}

impl FittedTargetEncoder {
    /// The params it was fitted with.
    pub fn params(&self) -> &TargetEncoder {
        &self.params
    }

    /// The categories learned for each input column (`categories_`).
    pub fn categories(&self) -> &[Categories] {
        &self.categories
    }

    /// The encoding of each category (by category index, see [`Categories`]) of each input
    /// column, learned from all training rows (`encodings_`).
    pub fn encodings(&self) -> &[Array1<f64>] {
        &self.encodings
    }

    /// The mean of the training target (`target_mean_`), the encoding of unknown categories.
    pub fn target_mean(&self) -> f64 {
        self.target_mean
    }
}

impl FrameTransform for FittedTargetEncoder {
    fn input_columns(&self) -> &[String] {
        &self.input
    }

    fn transform_frame(&self, frame: &Frame) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((frame.n_rows(), self.input.len()));
        for (j, ((name, cats), enc)) in self
            .input
            .iter()
            .zip(&self.categories)
            .zip(&self.encodings)
            .enumerate()
        {
            let col = common::categorical(frame, name, TargetEncoder::NAME)?;
            for (row, idx) in cats.indices(col).into_iter().enumerate() {
                out[[row, j]] = idx
                    .and_then(|i| enc.get(i).copied())
                    .unwrap_or(self.target_mean);
            }
        }
        Ok(out)
    }

    /// The input column names (one output column per input column, as scikit-learn for a
    /// binary or continuous target).
    fn feature_names_out(&self) -> Vec<String> {
        self.input.clone()
    }
}

impl Fitted for FittedTargetEncoder {
    fn n_features_in(&self) -> usize {
        self.input.len()
    }
}

impl Persist for FittedTargetEncoder {
    const KIND: &'static str = "kiln_prep::TargetEncoder";
    type Params = TargetEncoder;

    fn params(&self) -> &TargetEncoder {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.input.clone())
    }
}
