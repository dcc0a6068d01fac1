//! Multivariate drift by a domain classifier: can a model tell current rows from reference
//! rows?

use std::fmt;

use kiln_core::check::{check_n_features, check_non_empty, check_param};
use kiln_core::{Error, Fit, PredictProba, Result};
use kiln_metrics::ranking::roc_auc;
use kiln_prep::split::StratifiedKFold;
use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate};
use serde::{Deserialize, Serialize};

/// Multivariate drift detection by a domain classifier (as NannyML's
/// `DomainClassifierCalculator` and Evidently's text drift).
///
/// Reference rows are labelled 0 and current rows 1; a classifier is fitted on the stacked rows
/// by stratified k-fold cross-validation, each row is scored by the model that did not see it,
/// and the ROC AUC of those pooled out-of-fold probabilities of class 1 is the drift measure:
/// 0.5 when the two sets cannot be told apart, up to 1 when they are fully separable. Drift is
/// declared when the AUC is above `threshold`.
///
/// # Parameters
/// - `threshold` (default `0.55`): drift when the AUC is strictly above it; in `[0.5, 1]`.
///   The AUC of indistinguishable sets spreads around 0.5 with standard deviation about
///   `√((n_r + n_c + 1) / (12·n_r·n_c))` (Mann–Whitney), 0.018 for 500 + 500 rows, so 0.55 is
///   about three of those at that size; lower it only for large sets.
/// - `n_splits` (default `5`): the number of stratified folds, at least 2.
/// - `seed` (default [`kiln_core::random::DEFAULT_SEED`]): seed of the fold assignment
///   (passed to [`StratifiedKFold`] with shuffling). The classifier's own seed is its params'.
///
/// # Errors
/// [`Error::InvalidParameter`] for parameters out of range; [`Error::EmptyInput`] for an empty
/// set; [`Error::FeatureCountMismatch`] when the sets have different column counts;
/// [`Error::TooFewSamples`] when a set has fewer rows than `n_splits`; any error of the
/// classifier's `fit` or `predict_proba` (e.g. NaN for a model that rejects it).
///
/// # Notes
/// Any kiln classifier works: its params implement [`Fit`] with `usize` targets and its fitted
/// model [`PredictProba`]. The result has no feature importances, since the traits expose none
/// generically; to find the drifting features, look at the per-column drift report, or fit the
/// classifier on all rows and read its own importances.
///
/// # Example
/// ```
/// use kiln_linear::LogisticRegression;
/// use kiln_monitor::performance::DomainClassifier;
/// use ndarray::Array2;
///
/// let reference = Array2::from_shape_fn((200, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
/// let current = reference.mapv(|v| v + 6.0); // shifted: easy to tell apart
/// let result = DomainClassifier::default()
///     .detect(&LogisticRegression::default(), reference.view(), current.view())?;
/// assert!(result.drift && result.auc > 0.9, "{result}");
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DomainClassifier {
    /// Drift when the AUC is above this. By default, `0.55`.
    pub threshold: f64,
    /// Number of stratified folds. By default, `5`.
    pub n_splits: usize,
    /// Seed of the fold assignment. By default, [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for DomainClassifier {
    fn default() -> Self {
        Self {
            threshold: 0.55,
            n_splits: 5,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

/// The outcome of [`DomainClassifier::detect`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainClassifierResult {
    /// ROC AUC of the pooled out-of-fold probabilities.
    pub auc: f64,
    /// ROC AUC within each fold's held-out rows.
    pub fold_aucs: Vec<f64>,
    /// The threshold used.
    pub threshold: f64,
    /// Whether `auc > threshold`.
    pub drift: bool,
    /// Rows of the reference set.
    pub n_reference: usize,
    /// Rows of the current set.
    pub n_current: usize,
    /// Folds used.
    pub n_splits: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
}

impl DomainClassifierResult {
    /// The result as pretty-printed JSON.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if serialization fails (it does not for this type).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidValue {
            what: "DomainClassifierResult".into(),
            row: None,
            reason: format!("JSON serialization failed: {e}"),
        })
    }
}

impl fmt::Display for DomainClassifierResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.drift { "DRIFT" } else { "no drift" };
        write!(
            f,
            "domain classifier: {verdict} (AUC {:.4} {} threshold {:.4}; {} reference vs {} current rows, {}-fold, seed {}; fold AUCs {})",
            self.auc,
            if self.drift { ">" } else { "<=" },
            self.threshold,
            self.n_reference,
            self.n_current,
            self.n_splits,
            self.seed,
            self.fold_aucs
                .iter()
                .map(|a| format!("{a:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl DomainClassifier {
    /// Sets `threshold` (by default, `0.55`).
    #[must_use]
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Sets `n_splits` (by default, `5`).
    #[must_use]
    pub fn with_n_splits(mut self, n_splits: usize) -> Self {
        self.n_splits = n_splits;
        self
    }

    /// Sets `seed` (by default, [`kiln_core::random::DEFAULT_SEED`]).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `threshold` outside `[0.5, 1]` or `n_splits < 2`.
    pub fn validate(&self) -> Result<()> {
        check_param(
            "DomainClassifier",
            "threshold",
            self.threshold,
            (0.5..=1.0).contains(&self.threshold),
            "a float in the range [0.5, 1]",
        )?;
        check_param(
            "DomainClassifier",
            "n_splits",
            self.n_splits,
            self.n_splits >= 2,
            "an integer in the range [2, inf)",
        )
    }

    /// Fits `classifier` to separate `current` rows from `reference` rows and reports the
    /// out-of-fold AUC.
    ///
    /// # Errors
    /// See [`DomainClassifier`].
    pub fn detect<P>(
        &self,
        classifier: &P,
        reference: ArrayView2<'_, f64>,
        current: ArrayView2<'_, f64>,
    ) -> Result<DomainClassifierResult>
    where
        P: Fit<Target = usize>,
        P::Fitted: PredictProba,
    {
        self.validate()?;
        check_non_empty(reference, "reference")?;
        check_non_empty(current, "current")?;
        check_n_features("DomainClassifier (reference)", reference.ncols(), current)?;
        let (n_ref, n_cur) = (reference.nrows(), current.nrows());
        let smaller = n_ref.min(n_cur);
        if smaller < self.n_splits {
            return Err(Error::TooFewSamples {
                estimator: "DomainClassifier".into(),
                needed: format!("at least n_splits={} rows in each set", self.n_splits),
                got: format!("{n_ref} reference and {n_cur} current rows"),
                n_samples: n_ref + n_cur,
            });
        }
        let x: Array2<f64> =
            concatenate(Axis(0), &[reference, current]).map_err(|e| Error::InvalidValue {
                what: "reference and current".into(),
                row: None,
                reason: format!("cannot stack the sets: {e}"),
            })?;
        let y: Array1<usize> = (0..n_ref + n_cur)
            .map(|i| usize::from(i >= n_ref))
            .collect();
        let folds = StratifiedKFold::default()
            .with_n_splits(self.n_splits)
            .with_shuffle(true)
            .with_seed(self.seed)
            .split(y.view())?;
        let mut oof = Array1::<f64>::zeros(y.len());
        let mut fold_aucs = Vec::with_capacity(folds.len());
        for fold in &folds {
            let xt = x.select(Axis(0), &fold.train);
            let yt = y.select(Axis(0), &fold.train);
            let model = classifier.fit(xt.view(), yt.view())?;
            let col = model
                .classes()
                .iter()
                .position(|&c| c == 1)
                .ok_or_else(|| Error::InvalidValue {
                    what: "domain classifier".into(),
                    row: None,
                    reason: "the fitted classifier does not know class 1 (current)".into(),
                })?;
            let xs = x.select(Axis(0), &fold.test);
            let proba = model.predict_proba(xs.view())?;
            let score = proba.column(col);
            for (&i, &s) in fold.test.iter().zip(score) {
                oof[i] = s;
            }
            let ys = y.select(Axis(0), &fold.test);
            fold_aucs.push(roc_auc(ys.view(), score, None)?);
        }
        let auc = roc_auc(y.view(), oof.view(), None)?;
        Ok(DomainClassifierResult {
            auc,
            fold_aucs,
            threshold: self.threshold,
            drift: auc > self.threshold,
            n_reference: n_ref,
            n_current: n_cur,
            n_splits: self.n_splits,
            seed: self.seed,
        })
    }
}
