//! The checks the suite knows, their outcomes and the report.

use std::fmt;

/// One behaviour the suite checks. Each variant's docs say what passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// The params validate, and each declared invalid params value is rejected by
    /// `validate()` and by `fit` with `InvalidParameter` naming the declared parameter.
    InvalidParams,
    /// NaN, +inf and -inf in `X` at fit give `NonFinite` with the row and column where they
    /// were put (NaN must instead be accepted by estimators declared to allow missing values).
    NonFiniteAtFit,
    /// The same at predict (or transform).
    NonFiniteAtPredict,
    /// NaN or infinite values in a regression target give `NonFinite` with their row.
    NonFiniteTarget,
    /// Zero rows or zero columns at fit, and zero rows at predict, give `EmptyInput`. In frame
    /// mode: fitting on a frame of zero rows gives `EmptyInput`, and transforming one gives
    /// `EmptyInput` or an empty result of the output width; never a panic.
    EmptyData,
    /// A target whose length differs from the rows of `X` gives `ShapeMismatch`.
    TargetLength,
    /// `fit_rows` and `predict_rows` on a subset of the rows (out of order, one repeated,
    /// weighted) give exactly what `fit_weighted` and `predict` give on a copy of those rows
    /// (cross-validation relies on it), and an index out of range is `InvalidValue`.
    RowSubsets,
    /// `n_features_in()` is the column count at fit, and predicting with one more or one
    /// fewer column gives `FeatureCountMismatch` with both counts.
    FeatureCount,
    /// Fitting on a single sample gives a typed error or a model that predicts; never a panic.
    /// In frame mode, the model must transform that one row.
    OneSample,
    /// Fitting on a single feature gives a typed error or a model that predicts; never a panic.
    OneFeature,
    /// A target with a single class gives `SingleClass`, or a model predicting that class.
    SingleClass,
    /// Class indices with gaps (classes 0, 2, 4) are kept as they are: predictions and
    /// `classes()` use the same indices.
    SparseClassLabels,
    /// Fitting twice with the same params (and seed) gives bit-identical predictions.
    Determinism,
    /// Fitting on other data in between does not change what a fit on the original data gives
    /// (no state leaks between fits).
    RefitIdempotent,
    /// Predicting a whole batch equals predicting row by row (within the tolerance). In frame
    /// mode: transforming a subset of the rows, and single rows, equals the same rows of the
    /// whole frame's transform.
    BatchEqualsRows,
    /// Probabilities have one column per class, lie in [0, 1], sum to 1 per row, and their
    /// arg-max (lowest class on ties) is what `predict` returns.
    ProbaValid,
    /// A model saved and loaded (bytes and file) predicts bit-identically.
    SaveLoad,
    /// Fitting and predicting on 1 and on 2 rayon threads give bit-identical results.
    ThreadInvariance,
    /// Negative, NaN, wrongly sized or all-zero sample weights are rejected with the matching
    /// error (or weights are refused as `Unsupported`).
    SampleWeightValidation,
    /// Unit weights equal no weights, an integer weight of 2 equals the row duplicated, and a
    /// weight of 0 equals the row removed (within the tolerance).
    SampleWeightEquivalence,
    /// `fit_transform` equals `fit` then `transform`.
    FitTransform,
    /// Frame mode: a category not seen at fit, put in one row of a categorical input column,
    /// gives a typed error naming the column ([`crate::Unseen::Error`]), or is encoded
    /// without error, changing only that row and only output columns named after that
    /// input column ([`crate::Unseen::Accept`]).
    UnseenCategory,
    /// Frame mode: a frame without one of the input columns gives an error whose message
    /// names that column (as `` `name` ``), for every input column.
    MissingColumn,
    /// Frame mode: a frame in which an input column has another type (numeric for
    /// categorical, categorical for numeric) gives an error naming that column.
    WrongColumnType,
    /// Frame mode: `feature_names_out` has one name per output column, and the same names
    /// after save and load.
    FeatureNamesOut,
}

impl Check {
    /// The check's name in reports, e.g. `"non_finite_at_fit"`.
    pub fn name(self) -> &'static str {
        match self {
            Check::InvalidParams => "invalid_params",
            Check::NonFiniteAtFit => "non_finite_at_fit",
            Check::NonFiniteAtPredict => "non_finite_at_predict",
            Check::NonFiniteTarget => "non_finite_target",
            Check::EmptyData => "empty_data",
            Check::TargetLength => "target_length",
            Check::RowSubsets => "row_subsets",
            Check::FeatureCount => "feature_count",
            Check::OneSample => "one_sample",
            Check::OneFeature => "one_feature",
            Check::SingleClass => "single_class",
            Check::SparseClassLabels => "sparse_class_labels",
            Check::Determinism => "determinism",
            Check::RefitIdempotent => "refit_idempotent",
            Check::BatchEqualsRows => "batch_equals_rows",
            Check::ProbaValid => "proba_valid",
            Check::SaveLoad => "save_load",
            Check::ThreadInvariance => "thread_invariance",
            Check::SampleWeightValidation => "sample_weight_validation",
            Check::SampleWeightEquivalence => "sample_weight_equivalence",
            Check::FitTransform => "fit_transform",
            Check::UnseenCategory => "unseen_category",
            Check::MissingColumn => "missing_column",
            Check::WrongColumnType => "wrong_column_type",
            Check::FeatureNamesOut => "feature_names_out",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened when a check ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The estimator behaved as required.
    Passed,
    /// It did not; the message says what was seen.
    Failed(String),
    /// The check was skipped for this estimator, for the stated reason.
    Skipped(String),
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// Its outcome.
    pub outcome: Outcome,
}

/// The outcomes of one run of the suite on one estimator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The estimator's name.
    pub estimator: String,
    /// Every check that ran or was skipped, in order.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }

    /// The checks that failed.
    pub fn failures(&self) -> Vec<&CheckResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .collect()
    }

    /// The outcome of `check`, if it was part of this run.
    pub fn outcome(&self, check: Check) -> Option<&Outcome> {
        self.results
            .iter()
            .find(|r| r.check == check)
            .map(|r| &r.outcome)
    }

    /// Whether `check` ran and failed.
    pub fn failed(&self, check: Check) -> bool {
        matches!(self.outcome(check), Some(Outcome::Failed(_)))
    }

    /// Fails the calling test, listing every failed check, unless all passed or were skipped
    /// with a reason.
    ///
    /// # Panics
    /// When a check failed: this is a test assertion.
    #[track_caller]
    #[expect(
        clippy::panic,
        reason = "a test assertion: failing the calling test is its purpose"
    )]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("kiln-check found problems:\n{self}");
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "kiln-check report for {}", self.estimator)?;
        for r in &self.results {
            match &r.outcome {
                Outcome::Passed => writeln!(f, "  ok      {}", r.check)?,
                Outcome::Failed(m) => writeln!(f, "  FAILED  {}: {m}", r.check)?,
                Outcome::Skipped(why) => writeln!(f, "  skipped {}: {why}", r.check)?,
            }
        }
        Ok(())
    }
}
