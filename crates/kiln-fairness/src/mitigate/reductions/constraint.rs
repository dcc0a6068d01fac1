//! The fairness constraints of the reductions approach (fairlearn's `UtilityParity`
//! subclasses) and their bounds.

use kiln_core::Result;
use kiln_core::check::check_param;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use super::moments::LoadedMoment;
use crate::groups::SensitiveColumn;

/// The fairlearn default of `difference_bound`.
pub const DEFAULT_DIFFERENCE_BOUND: f64 = 0.01;

/// Which parity a [`Constraint`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConstraintKind {
    /// `P[h = 1 | A = a] = P[h = 1]` (fairlearn's `DemographicParity`).
    DemographicParity,
    /// `P[h = 1 | A = a, Y = y] = P[h = 1 | Y = y]` for `y` in {0, 1} (`EqualizedOdds`).
    EqualizedOdds,
    /// Equal opportunity: `P[h = 1 | A = a, Y = 1] = P[h = 1 | Y = 1]`
    /// (`TruePositiveRateParity`).
    TruePositiveRateParity,
    /// `P[h = 1 | A = a, Y = 0] = P[h = 1 | Y = 0]` (`FalsePositiveRateParity`).
    FalsePositiveRateParity,
    /// `P[h ≠ Y | A = a] = P[h ≠ Y]` (`ErrorRateParity`).
    ErrorRateParity,
}

impl ConstraintKind {
    /// fairlearn's class name, e.g. `"DemographicParity"`.
    pub fn name(self) -> &'static str {
        match self {
            ConstraintKind::DemographicParity => "DemographicParity",
            ConstraintKind::EqualizedOdds => "EqualizedOdds",
            ConstraintKind::TruePositiveRateParity => "TruePositiveRateParity",
            ConstraintKind::FalsePositiveRateParity => "FalsePositiveRateParity",
            ConstraintKind::ErrorRateParity => "ErrorRateParity",
        }
    }
}

/// A fairness constraint of the reductions approach: a parity and how far each group may be
/// from its event's overall rate.
///
/// # Parameters
/// * `kind`: the parity.
/// * `difference_bound`: the allowed difference `ε` between a group's rate and the overall
///   rate, in `[0, ∞)`. By default, `0.01` (fairlearn's default).
/// * `ratio_bound`: `None` (the default) for difference constraints; `Some(r)` with `r` in
///   `(0, 1]` for fairlearn's ratio constraints, whose slack is then `difference_bound`
///   (fairlearn's `ratio_bound_slack`).
///
/// # Example
/// ```
/// use kiln_fairness::mitigate::reductions::{Constraint, ConstraintKind};
/// let c = Constraint::equalized_odds().with_difference_bound(0.02);
/// assert_eq!(c.kind, ConstraintKind::EqualizedOdds);
/// assert_eq!(c.difference_bound, 0.02);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    /// The parity. By default, demographic parity.
    pub kind: ConstraintKind,
    /// The allowed difference (or, with a ratio bound, the ratio slack). By default, `0.01`.
    pub difference_bound: f64,
    /// A ratio bound in `(0, 1]`, or `None` for a difference constraint (the default).
    pub ratio_bound: Option<f64>,
}

impl Default for Constraint {
    fn default() -> Self {
        Self::new(ConstraintKind::DemographicParity)
    }
}

impl Constraint {
    /// A difference constraint of this kind with the default bound `0.01`.
    pub fn new(kind: ConstraintKind) -> Self {
        Self {
            kind,
            difference_bound: DEFAULT_DIFFERENCE_BOUND,
            ratio_bound: None,
        }
    }

    /// Demographic parity, bound `0.01`.
    pub fn demographic_parity() -> Self {
        Self::new(ConstraintKind::DemographicParity)
    }

    /// Equalized odds, bound `0.01`.
    pub fn equalized_odds() -> Self {
        Self::new(ConstraintKind::EqualizedOdds)
    }

    /// True positive rate parity (equal opportunity), bound `0.01`.
    pub fn true_positive_rate_parity() -> Self {
        Self::new(ConstraintKind::TruePositiveRateParity)
    }

    /// False positive rate parity, bound `0.01`.
    pub fn false_positive_rate_parity() -> Self {
        Self::new(ConstraintKind::FalsePositiveRateParity)
    }

    /// Error rate parity, bound `0.01`.
    pub fn error_rate_parity() -> Self {
        Self::new(ConstraintKind::ErrorRateParity)
    }

    /// Sets the allowed difference. By default, `0.01`.
    pub fn with_difference_bound(mut self, difference_bound: f64) -> Self {
        self.difference_bound = difference_bound;
        self
    }

    /// Makes this a ratio constraint with the given ratio (slack: `difference_bound`).
    /// By default, there is no ratio bound.
    pub fn with_ratio_bound(mut self, ratio_bound: Option<f64>) -> Self {
        self.ratio_bound = ratio_bound;
        self
    }

    /// Checks the bounds.
    ///
    /// # Errors
    /// [`InvalidParameter`](kiln_core::Error::InvalidParameter) for a negative or non-finite
    /// `difference_bound` or a `ratio_bound` outside `(0, 1]`.
    pub fn validate(&self, estimator: &str) -> Result<()> {
        let b = self.difference_bound;
        check_param(
            estimator,
            "difference_bound",
            b,
            b.is_finite() && b >= 0.0,
            "a float in the range [0, inf)",
        )?;
        if let Some(r) = self.ratio_bound {
            check_param(
                estimator,
                "ratio_bound",
                r,
                r > 0.0 && r <= 1.0,
                "a float in the range (0, 1]",
            )?;
        }
        Ok(())
    }

    /// Loads the data: labels, sensitive columns and optional control columns.
    ///
    /// # Errors
    /// [`EmptyInput`](kiln_core::Error::EmptyInput) for no rows or no sensitive column;
    /// [`ShapeMismatch`](kiln_core::Error::ShapeMismatch) when a column's length differs from
    /// `y`'s; [`InvalidValue`](kiln_core::Error::InvalidValue) for labels other than 0/1;
    /// [`InvalidParameter`](kiln_core::Error::InvalidParameter) for invalid bounds.
    pub fn load(
        &self,
        y: ArrayView1<'_, usize>,
        sensitive: &[SensitiveColumn],
        control: &[SensitiveColumn],
    ) -> Result<LoadedMoment> {
        self.validate(self.kind.name())?;
        LoadedMoment::new(*self, y, sensitive, control)
    }
}
