//! Univariate scores: [`f_classif`], [`f_regression`] and [`chi2`], and the [`ScoreFunc`]
//! choices that [`super::SelectKBest`] and [`super::SelectPercentile`] rank features by
//! (these three and the mutual information of [`super::mutual_info`]).

use std::fmt::Debug;

use kiln_core::check::{self, NanPolicy};
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use kiln_core::special;

use super::mutual_info;
use crate::scale::colstats;

fn unzip(pairs: Vec<(f64, f64)>) -> (Array1<f64>, Array1<f64>) {
    let (a, b): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    (Array1::from(a), Array1::from(b))
}

/// Class index → position among the sorted classes present (classes may have gaps).
fn class_positions(classes: &[usize], y: ArrayView1<'_, usize>) -> Vec<usize> {
    y.iter()
        .map(|c| classes.binary_search(c).unwrap_or(0))
        .collect()
}

/// The ANOVA F-value of each feature against class indices `y`, with its p-value
/// (scikit-learn's `f_classif`).
///
/// `F = (SS_between / (K − 1)) / (SS_within / (n − K))` over the `K` classes present in `y`,
/// and `p = P(F(K−1, n−K) > F)`. The sums of squares are computed around the class means (not
/// by scikit-learn's raw sums of squares), which agrees with it to rounding and is more
/// accurate on features with a large mean.
///
/// A constant feature gives `F = NaN` and `p = NaN` (0/0, as in scikit-learn); a feature
/// constant within each class but not across gives `F = ∞`, `p = 0`.
///
/// # Errors
/// Empty or non-finite `x`, `y` of another length, and [`Error::SingleClass`] when `y` holds
/// one class (scikit-learn returns NaN there).
///
/// # Example
/// ```
/// use kiln_prep::select::f_classif;
/// use ndarray::array;
///
/// let x = array![[1.0, 5.0], [2.0, 5.5], [8.0, 5.2], [9.0, 5.1]];
/// let (f, p) = f_classif(x.view(), array![0usize, 0, 1, 1].view())?;
/// assert!((f[0] - 98.0).abs() < 1e-9); // scikit-learn: 98.0, p = 0.01005
/// assert!(p[0] < 0.011 && p[1] > 0.7);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn f_classif(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
) -> Result<(Array1<f64>, Array1<f64>)> {
    check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
    let counts = check::check_class_indices("f_classif", y, true)?;
    let k = counts.classes.len();
    let n = x.nrows();
    let pos = class_positions(&counts.classes, y);
    let n_k: Vec<f64> = counts.counts.iter().map(|&c| c as f64).collect();
    let (dfbn, dfwn) = ((k - 1) as f64, n as f64 - k as f64);
    let per_column = colstats::by_column_blocks(x, |block| {
        let d = block.ncols();
        // F is scale-free: each column is scaled by a power of two (exact) so that its sums
        // of squares neither overflow nor underflow for values near 1e±300.
        let scales: Vec<f64> = colstats::pow2_scales(block);
        let mut sums = vec![0.0; k * d];
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        colstats::for_each_row(block, |i, row| {
            let s = &mut sums[pos[i] * d..(pos[i] + 1) * d];
            for ((((s, l), h), &v), sc) in s
                .iter_mut()
                .zip(lo.iter_mut())
                .zip(hi.iter_mut())
                .zip(row)
                .zip(&scales)
            {
                *s += v * sc;
                *l = l.min(v);
                *h = h.max(v);
            }
        });
        let mut means = sums.clone();
        for (c, chunk) in means.chunks_mut(d).enumerate() {
            chunk.iter_mut().for_each(|m| *m /= n_k[c]);
        }
        let grand: Vec<f64> = (0..d)
            .map(|j| (0..k).map(|c| sums[c * d + j]).sum::<f64>() / n as f64)
            .collect();
        let mut within = vec![0.0; d];
        colstats::for_each_row(block, |i, row| {
            let m = &means[pos[i] * d..(pos[i] + 1) * d];
            for (((w, &v), &m), sc) in within.iter_mut().zip(row).zip(m).zip(&scales) {
                let t = v * sc - m;
                *w += t * t;
            }
        });
        (0..d)
            .map(|j| {
                if lo[j] == hi[j] {
                    // Exactly constant: both sums of squares are 0, whatever the rounding of
                    // the means says.
                    return (f64::NAN, f64::NAN);
                }
                let between: f64 = (0..k)
                    .map(|c| n_k[c] * (means[c * d + j] - grand[j]).powi(2))
                    .sum();
                let f = (between / dfbn) / (within[j] / dfwn);
                (f, special::f_sf(dfbn, dfwn, f))
            })
            .collect()
    });
    Ok(unzip(per_column))
}

/// The F-statistic of a univariate linear regression of `y` on each feature, with its p-value
/// (scikit-learn's `f_regression` with `center=True`, `force_finite=True`).
///
/// With `r` the Pearson correlation of the feature and `y`, `F = r² / (1 − r²) · (n − 2)` and
/// `p = P(F(1, n−2) > F)`. As in scikit-learn, a constant feature (or constant `y`) gets
/// `r = 0`, so `F = 0` and `p = 1`; a perfectly correlated feature gets `F = f64::MAX` and
/// `p = 0`. With fewer than 3 samples F is 0 and p NaN (no degrees of freedom).
///
/// Unlike scikit-learn, `r` is clamped to `[−1, 1]`: for a feature collinear with `y`,
/// rounding can give `|r|` a hair above 1, where scikit-learn returns a large *negative* F.
/// Each feature and `y` are scaled by a power of two first (exact, so ordinary data gives
/// the same bits), so values near 1e±300 give the unit-scale result where scikit-learn's
/// sums of squares overflow or underflow (0, NaN or `f64::MAX` there). [`f_classif`] does
/// the same.
///
/// # Errors
/// Empty or non-finite `x` or `y`, or `y` of another length.
///
/// # Example
/// ```
/// use kiln_prep::select::f_regression;
/// use ndarray::array;
///
/// let x = array![[1.0, 3.0], [2.0, -1.0], [3.0, 4.0], [4.0, 0.0]];
/// let (f, p) = f_regression(x.view(), array![2.1, 3.9, 6.2, 7.8].view())?;
/// assert!(f[0] > 458.9 && f[0] < 459.0); // scikit-learn: 458.9756, p = 0.00217
/// assert!(p[0] < 0.003 && p[1] > 0.8);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn f_regression(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<(Array1<f64>, Array1<f64>)> {
    check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
    check::check_finite_1d(y, "y")?;
    let n = x.nrows() as f64;
    // F is scale-free: each column and y are scaled by a power of two (exact) so that their
    // squares neither overflow nor underflow for values near 1e±300.
    let ys = colstats::pow2_scale_of(y.iter().copied());
    let y_mean = y.iter().map(|v| v * ys).sum::<f64>() / n;
    let yc: Vec<f64> = y.iter().map(|v| v * ys - y_mean).collect();
    let y_ss = yc.iter().map(|v| v * v).sum::<f64>();
    let dof = n - 2.0;
    let per_column = colstats::by_column_blocks(x, |block| {
        let d = block.ncols();
        let scales: Vec<f64> = colstats::pow2_scales(block);
        let mut sums = vec![0.0; d];
        colstats::for_each_row(block, |_, row| {
            for ((s, v), sc) in sums.iter_mut().zip(row).zip(&scales) {
                *s += v * sc;
            }
        });
        let means: Vec<f64> = sums.iter().map(|s| s / n).collect();
        let mut cross = vec![0.0; d];
        let mut ssq = vec![0.0; d];
        colstats::for_each_row(block, |i, row| {
            let yi = yc[i];
            for ((((c, q), &v), &m), sc) in cross
                .iter_mut()
                .zip(ssq.iter_mut())
                .zip(row)
                .zip(&means)
                .zip(&scales)
            {
                let t = v * sc - m;
                *c += t * yi;
                *q += t * t;
            }
        });
        (0..d)
            .map(|j| {
                // One square root of the product keeps r = ±1 exact for an exactly
                // collinear feature; the split form only guards against overflow.
                let product = ssq[j] * y_ss;
                let denom = if product.is_finite() {
                    product.sqrt()
                } else {
                    ssq[j].sqrt() * y_ss.sqrt()
                };
                let mut r = cross[j] / denom;
                if r.is_nan() {
                    r = 0.0;
                }
                // Rounding can push |r| just past 1, where scikit-learn returns a huge negative
                // F; the correlation of a (numerically) collinear feature is ±1.
                r = r.clamp(-1.0, 1.0);
                let r2 = r * r;
                let f = r2 / (1.0 - r2) * dof;
                if dof <= 0.0 {
                    // One or two samples: no residual degrees of freedom, so nothing to test
                    // (two points are always collinear).
                    return (0.0, f64::NAN);
                }
                let p = special::f_sf(1.0, dof, f);
                if f.is_infinite() {
                    (f64::MAX, p)
                } else if f.is_nan() {
                    (0.0, 1.0)
                } else {
                    (f, p)
                }
            })
            .collect()
    });
    Ok(unzip(per_column))
}

/// The chi-squared statistic of each non-negative feature against class indices `y`, with
/// its p-value (scikit-learn's `chi2`).
///
/// Features are read as counts (or frequencies): the observed total of feature `j` in class
/// `k` is compared with the total expected if the feature were independent of the class,
/// `χ² = Σ_k (O_kj − E_kj)² / E_kj`, and `p = P(χ²(K−1) > χ²)`. An all-zero feature gives NaN
/// (0/0), as in scikit-learn.
///
/// # Errors
/// Empty or non-finite `x`, `y` of another length, [`Error::InvalidValue`] naming the first
/// negative value of `x`, and [`Error::SingleClass`] when `y` holds one class.
///
/// # Example
/// ```
/// use kiln_prep::select::chi2;
/// use ndarray::array;
///
/// let x = array![[5.0, 1.0], [4.0, 1.0], [0.0, 1.0], [1.0, 1.0]];
/// let (stat, p) = chi2(x.view(), array![0usize, 0, 1, 1].view())?;
/// assert!(stat[0] > stat[1] && p[1] == 1.0);
/// assert!(chi2((-x).view(), array![0usize, 0, 1, 1].view()).is_err());
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn chi2(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
) -> Result<(Array1<f64>, Array1<f64>)> {
    check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
    if let Some(((row, col), &v)) = x.indexed_iter().find(|&(_, &v)| v < 0.0) {
        return Err(Error::InvalidValue {
            what: "X".into(),
            row: Some(row),
            reason: format!("chi2 needs non-negative features; got {v} in column {col}"),
        });
    }
    let counts = check::check_class_indices("chi2", y, true)?;
    let k = counts.classes.len();
    let n = x.nrows() as f64;
    let pos = class_positions(&counts.classes, y);
    let class_prob: Vec<f64> = counts.counts.iter().map(|&c| c as f64 / n).collect();
    let per_column = colstats::by_column_blocks(x, |block| {
        let d = block.ncols();
        let mut observed = vec![0.0; k * d];
        colstats::for_each_row(block, |i, row| {
            let o = &mut observed[pos[i] * d..(pos[i] + 1) * d];
            o.iter_mut().zip(row).for_each(|(o, v)| *o += v);
        });
        (0..d)
            .map(|j| {
                let total: f64 = (0..k).map(|c| observed[c * d + j]).sum();
                let stat: f64 = (0..k)
                    .map(|c| {
                        let expected = class_prob[c] * total;
                        (observed[c * d + j] - expected).powi(2) / expected
                    })
                    .sum();
                (stat, special::chi2_sf((k - 1) as f64, stat))
            })
            .collect()
    });
    Ok(unzip(per_column))
}

/// A univariate score function: one score (higher = more relevant) and one p-value per
/// feature, given the target.
///
/// Implemented by [`ClassifScore`] (class-index targets) and [`RegressionScore`] (real
/// targets); the selectors are generic over it, so the target type of `fit` follows from the
/// score chosen.
pub trait ScoreFunc: Debug + Clone + Serialize + DeserializeOwned + Send + Sync {
    /// The element type of the target: `usize` class indices or `f64` values.
    type Target: Copy + Send + Sync;
    /// The persistence kind of a fitted `SelectKBest` using this score type.
    const KBEST_KIND: &'static str;
    /// The persistence kind of a fitted `SelectPercentile` using this score type.
    const PERCENTILE_KIND: &'static str;

    /// Scores every feature of `x` against `y`: `(scores, p-values)`. A score without a
    /// p-value (mutual information) gives NaN p-values.
    ///
    /// # Errors
    /// As the underlying function ([`f_classif`], [`chi2`], [`f_regression`],
    /// [`super::MutualInfo`]).
    fn score(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, Self::Target>,
    ) -> Result<(Array1<f64>, Array1<f64>)>;

    /// Checks the score's own settings, without data (the F-tests and chi² have none, so by
    /// default every value is valid). [`ScoreFunc::score`] checks them too.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first setting out of range.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// Scores for a classification target (class indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClassifScore {
    /// ANOVA F-value, [`f_classif`] (the default, as in scikit-learn).
    #[default]
    FClassif,
    /// Chi-squared statistic of non-negative features, [`chi2`].
    Chi2,
    /// Mutual information with the default settings (3 neighbours, continuous features,
    /// tie-breaking noise from the default seed), [`super::mutual_info_classif`]; the
    /// p-values are NaN. For other settings use [`super::MutualInfoClassif`].
    MutualInfo,
}

impl ScoreFunc for ClassifScore {
    type Target = usize;
    const KBEST_KIND: &'static str = "kiln_prep::SelectKBest<ClassifScore>";
    const PERCENTILE_KIND: &'static str = "kiln_prep::SelectPercentile<ClassifScore>";

    fn score(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
    ) -> Result<(Array1<f64>, Array1<f64>)> {
        match self {
            ClassifScore::FClassif => f_classif(x, y),
            ClassifScore::Chi2 => chi2(x, y),
            ClassifScore::MutualInfo => mutual_info::default_classif(x, y),
        }
    }
}

/// Scores for a regression target (real values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RegressionScore {
    /// F-statistic of a univariate linear regression, [`f_regression`] (the default).
    #[default]
    FRegression,
    /// Mutual information with the default settings, [`super::mutual_info_regression`]; the
    /// p-values are NaN. For other settings use [`super::MutualInfoRegression`].
    MutualInfo,
}

impl ScoreFunc for RegressionScore {
    type Target = f64;
    const KBEST_KIND: &'static str = "kiln_prep::SelectKBest<RegressionScore>";
    const PERCENTILE_KIND: &'static str = "kiln_prep::SelectPercentile<RegressionScore>";

    fn score(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<(Array1<f64>, Array1<f64>)> {
        match self {
            RegressionScore::FRegression => f_regression(x, y),
            RegressionScore::MutualInfo => mutual_info::default_regression(x, y),
        }
    }
}
