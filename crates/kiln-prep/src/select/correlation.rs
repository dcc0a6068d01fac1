//! [`CorrelationFilter`]: drop features strongly correlated with an earlier kept feature.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{FitTransform, FitUnsupervised, Fitted, Params, Result, Transform};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::scale::{colstats, no_weights};

/// The correlation coefficient a [`CorrelationFilter`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CorrelationMethod {
    /// Pearson's product-moment correlation (NumPy's `corrcoef`; the default).
    #[default]
    Pearson,
}

/// Drops each feature whose absolute correlation with an earlier kept feature is above
/// `threshold`, keeping the first of every highly correlated group.
///
/// # Parameters
/// - `threshold` (default `0.95`): a float in `[0, 1]`; a pair is "highly correlated" when
///   `|r| > threshold` (strictly).
/// - `method` (default [`CorrelationMethod::Pearson`]).
///
/// # Fitted attributes
/// [`FittedCorrelationFilter::correlations`] (the matrix used),
/// [`FittedCorrelationFilter::support`], [`FittedCorrelationFilter::selected`] and
/// [`FittedCorrelationFilter::dropped`] (each dropped feature with the kept feature it
/// correlated with and `|r|`).
///
/// # Notes
/// - **The rule**, deterministic and independent of anything but the column order: scan the
///   pairs `(i, j)`, `i < j`, in lexicographic order (`(0, 1), (0, 2), …, (1, 2), …`); when
///   `|r_ij| > threshold` and neither `i` nor `j` is already dropped, drop `j`, the later
///   column, recording `i` as its partner. A partner is never dropped afterwards (only pairs
///   with a smaller first index could drop it, and those came earlier), so every dropped
///   feature points at a kept one, and column 0 is always kept. Reordering the columns can
///   change which member of a group survives.
/// - A constant column has no defined correlation (NaN in `correlations()`, diagonal
///   included, as `np.corrcoef`): it never causes a drop and is never dropped. Use
///   [`VarianceThreshold`](super::VarianceThreshold) to remove it. With one sample every
///   column is constant, so nothing is dropped.
/// - NaN in `X` is an error ([`NanPolicy::Reject`]): impute first. Sample weights are not
///   defined ([`kiln_core::Error::Unsupported`]).
///
/// # Example
/// ```
/// use kiln_core::{FitUnsupervised, Transform};
/// use kiln_prep::select::CorrelationFilter;
/// use ndarray::array;
///
/// // Column 1 is twice column 0; column 2 is unrelated.
/// let x = array![[1.0, 2.0, 0.5], [2.0, 4.0, -1.0], [3.0, 6.0, 0.7], [4.0, 8.0, 0.1]];
/// let filter = CorrelationFilter::default().fit(x.view())?;
/// assert_eq!(filter.support(), &[true, false, true]);
/// let d = &filter.dropped()[0];
/// assert_eq!((d.feature, d.kept), (1, 0));
/// assert!((d.abs_correlation - 1.0).abs() < 1e-12);
/// assert_eq!(filter.transform(x.view())?.ncols(), 2);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorrelationFilter {
    /// Pairs with `|r|` above this are highly correlated. By default, `0.95`.
    pub threshold: f64,
    /// The correlation coefficient. By default, [`CorrelationMethod::Pearson`].
    pub method: CorrelationMethod,
}

impl Default for CorrelationFilter {
    fn default() -> Self {
        Self {
            threshold: 0.95,
            method: CorrelationMethod::Pearson,
        }
    }
}

impl CorrelationFilter {
    /// Sets `threshold` (by default, `0.95`).
    #[must_use]
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Sets `method` (by default, [`CorrelationMethod::Pearson`]).
    #[must_use]
    pub fn with_method(mut self, method: CorrelationMethod) -> Self {
        self.method = method;
        self
    }
}

impl Params for CorrelationFilter {
    const NAME: &'static str = "CorrelationFilter";

    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "threshold",
            self.threshold,
            (0.0..=1.0).contains(&self.threshold),
            "a float in the range [0, 1]",
        )
    }
}

/// A feature removed by a [`CorrelationFilter`], and why.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DroppedFeature {
    /// The index of the dropped feature.
    pub feature: usize,
    /// The index of the earlier, kept feature it correlated with.
    pub kept: usize,
    /// `|r|` between the two (above the threshold).
    pub abs_correlation: f64,
}

impl FitUnsupervised for CorrelationFilter {
    type Fitted = FittedCorrelationFilter;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedCorrelationFilter> {
        self.validate()?;
        no_weights(Self::NAME, sample_weight)?;
        check::check_x(x, NanPolicy::Reject)?;
        let correlations = match self.method {
            CorrelationMethod::Pearson => pearson(x),
        };
        let p = x.ncols();
        let mut support = vec![true; p];
        let mut dropped = Vec::new();
        for i in 0..p {
            if !support[i] {
                continue;
            }
            for j in i + 1..p {
                let r = correlations[[i, j]].abs();
                // NaN (a constant column) compares false: never a drop.
                if support[j] && r > self.threshold {
                    support[j] = false;
                    dropped.push(DroppedFeature {
                        feature: j,
                        kept: i,
                        abs_correlation: r,
                    });
                }
            }
        }
        dropped.sort_by_key(|d| d.feature);
        let selected = (0..p).filter(|&j| support[j]).collect();
        Ok(FittedCorrelationFilter {
            params: *self,
            correlations,
            support,
            selected,
            dropped,
        })
    }
}

impl FitTransform for CorrelationFilter {}

/// Pearson correlations of the columns of `x`: centred cross-products over the square root
/// of the product of the centred sums of squares, clipped to [-1, 1] like `np.corrcoef`.
/// Columns whose values are all equal get NaN (their variance is zero; testing equality
/// rather than a zero sum of squares keeps rounding in the mean from inventing a
/// correlation).
fn pearson(x: ArrayView2<'_, f64>) -> Array2<f64> {
    let n = x.nrows() as f64;
    let p = x.ncols();
    let mut centred = x.to_owned();
    let mut constant = vec![false; p];
    for (j, mut col) in centred.axis_iter_mut(Axis(1)).enumerate() {
        let first = col[0];
        constant[j] = col.iter().all(|&v| v == first);
        // Correlations are scale-free: a power-of-two scale (exact) keeps the sums of squares
        // of values near 1e±300 from overflowing or underflowing.
        let scale = colstats::pow2_scale_of(col.iter().copied());
        col.mapv_inplace(|v| v * scale);
        let mean = col.sum() / n;
        col.mapv_inplace(|v| v - mean);
    }
    let ss: Vec<f64> = centred
        .axis_iter(Axis(1))
        .map(|c| c.dot(&c).sqrt())
        .collect();
    let mut r = Array2::from_elem((p, p), f64::NAN);
    for i in 0..p {
        if constant[i] {
            continue;
        }
        r[[i, i]] = 1.0;
        for j in i + 1..p {
            if constant[j] {
                continue;
            }
            let c = centred.column(i).dot(&centred.column(j)) / ss[i] / ss[j];
            let c = c.clamp(-1.0, 1.0);
            r[[i, j]] = c;
            r[[j, i]] = c;
        }
    }
    r
}

/// A fitted [`CorrelationFilter`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCorrelationFilter {
    params: CorrelationFilter,
    correlations: Array2<f64>,
    support: Vec<bool>,
    selected: Vec<usize>,
    dropped: Vec<DroppedFeature>,
}

impl FittedCorrelationFilter {
    /// The params it was fitted with.
    pub fn params(&self) -> &CorrelationFilter {
        &self.params
    }

    /// The `n_features × n_features` correlation matrix the rule used (NaN in the rows and
    /// columns of constant features).
    pub fn correlations(&self) -> &Array2<f64> {
        &self.correlations
    }

    /// Whether each input feature is kept.
    pub fn support(&self) -> &[bool] {
        &self.support
    }

    /// The indices of the kept features, ascending.
    pub fn selected(&self) -> &[usize] {
        &self.selected
    }

    /// The dropped features, by ascending index, each with its kept partner and `|r|`.
    pub fn dropped(&self) -> &[DroppedFeature] {
        &self.dropped
    }
}

impl Fitted for FittedCorrelationFilter {
    fn n_features_in(&self) -> usize {
        self.support.len()
    }
}

impl Transform for FittedCorrelationFilter {
    /// Keeps the selected columns.
    ///
    /// # Errors
    /// [`kiln_core::Error::FeatureCountMismatch`], [`kiln_core::Error::EmptyInput`] or
    /// [`kiln_core::Error::NonFinite`] (NaN included).
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            CorrelationFilter::NAME,
            self.support.len(),
            x,
            NanPolicy::Reject,
        )?;
        Ok(x.select(Axis(1), &self.selected))
    }
}

impl Persist for FittedCorrelationFilter {
    const KIND: &'static str = "kiln_prep::CorrelationFilter";
    type Params = CorrelationFilter;

    fn params(&self) -> &CorrelationFilter {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.support.len())
    }
}
