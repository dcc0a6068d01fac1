//! The options of the classification metrics: averaging, zero division, normalization and
//! kappa weights, plus the precision/recall/F options bundle.

use kiln_core::Result;
use kiln_core::check::check_param;

/// How per-class precision, recall and F-scores are combined into one number (scikit-learn's
/// `average=`).
///
/// The classes averaged over are the labels present in `y_true` or `y_pred` (or the `labels`
/// option of [`PrfOptions`] when set), as in scikit-learn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Average {
    /// Only the positive class, class 1. Both `y_true` and `y_pred` must hold only 0 and 1.
    Binary,
    /// Counts true positives, false positives and false negatives over all classes first, then
    /// divides once.
    Micro,
    /// The unweighted mean of the per-class scores.
    Macro,
    /// The mean of the per-class scores weighted by support (the weighted count of each class in
    /// `y_true`).
    Weighted,
}

/// What a ratio with a zero denominator becomes (scikit-learn's `zero_division=`).
///
/// scikit-learn's default, `"warn"`, returns 0 and warns; kiln's default [`ZeroDivision::Zero`]
/// returns the same 0 without a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ZeroDivision {
    /// 0.0 (scikit-learn's `"warn"` and `0.0`). The default.
    #[default]
    Zero,
    /// 1.0 (scikit-learn's `1.0`).
    One,
    /// NaN (scikit-learn's `np.nan`); NaN classes are left out of macro and weighted averages,
    /// and the average is NaN when every class is.
    Nan,
}

impl ZeroDivision {
    /// The value that stands in for `x / 0`.
    pub fn value(self) -> f64 {
        match self {
            ZeroDivision::Zero => 0.0,
            ZeroDivision::One => 1.0,
            ZeroDivision::Nan => f64::NAN,
        }
    }
}

/// How a confusion matrix is normalized (scikit-learn's `normalize=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Normalize {
    /// Raw (weighted) counts. The default (scikit-learn's `None`).
    #[default]
    None,
    /// Each row (true class) divided by its sum (`"true"`).
    True,
    /// Each column (predicted class) divided by its sum (`"pred"`).
    Pred,
    /// Every cell divided by the total (`"all"`).
    All,
}

/// The disagreement weights of Cohen's kappa (scikit-learn's `weights=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KappaWeights {
    /// Every disagreement counts 1 (scikit-learn's `None`). The default.
    #[default]
    Unweighted,
    /// Disagreement between the i-th and j-th label counts `|i - j|`.
    Linear,
    /// Disagreement between the i-th and j-th label counts `(i - j)^2`.
    Quadratic,
}

/// Options of precision, recall and F-beta beyond the averaging (scikit-learn's `beta`,
/// `labels` and `zero_division`).
///
/// # Parameters
/// - `beta` (default 1.0): weight of recall against precision in the F-score; must be ≥ 0
///   (0 gives precision and `f64::INFINITY` recall, as in scikit-learn).
/// - `labels` (default `None`): the classes to report or average over, in this order; `None`
///   means every class present in `y_true` or `y_pred`, sorted. A listed class that never
///   occurs gets zero counts.
/// - `zero_division` (default [`ZeroDivision::Zero`]): the value of a ratio with a zero
///   denominator.
///
/// # Example
/// ```
/// use kiln_metrics::classification::{PrfOptions, ZeroDivision};
/// let opts = PrfOptions::default().with_beta(2.0).with_zero_division(ZeroDivision::One);
/// assert!(opts.validate().is_ok());
/// assert!(PrfOptions::default().with_beta(-1.0).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PrfOptions {
    /// Weight of recall against precision in the F-score (default 1.0).
    pub beta: f64,
    /// Classes to include, in order (default `None`: all present, sorted).
    pub labels: Option<Vec<usize>>,
    /// Value of a ratio with a zero denominator (default [`ZeroDivision::Zero`]).
    pub zero_division: ZeroDivision,
}

impl Default for PrfOptions {
    fn default() -> Self {
        PrfOptions {
            beta: 1.0,
            labels: None,
            zero_division: ZeroDivision::Zero,
        }
    }
}

impl PrfOptions {
    /// Sets `beta` (default 1.0).
    #[must_use]
    pub fn with_beta(mut self, beta: f64) -> Self {
        self.beta = beta;
        self
    }

    /// Sets the classes to include (default `None`: every class present, sorted).
    #[must_use]
    pub fn with_labels(mut self, labels: Vec<usize>) -> Self {
        self.labels = Some(labels);
        self
    }

    /// Sets the zero-division value (default [`ZeroDivision::Zero`]).
    #[must_use]
    pub fn with_zero_division(mut self, zero_division: ZeroDivision) -> Self {
        self.zero_division = zero_division;
        self
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] for a negative or NaN `beta`, or an empty
    /// `labels` list.
    pub fn validate(&self) -> Result<()> {
        check_param(
            "precision_recall_fscore_support",
            "beta",
            self.beta,
            self.beta >= 0.0,
            "a float in the range [0, inf]",
        )?;
        if let Some(labels) = &self.labels {
            check_param(
                "precision_recall_fscore_support",
                "labels",
                "[]",
                !labels.is_empty(),
                "a non-empty list of classes",
            )?;
        }
        Ok(())
    }
}
