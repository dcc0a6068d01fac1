//! A plain-words reading of train and test scores: under- or overfitting, more data helping.

use std::fmt;

use crate::scorer::Direction;

/// The thresholds of the [`Diagnosis`] rule.
///
/// Gaps and changes are measured **relative** to the scale of the scores,
/// `scale = max(|train|, |test|)` (1 when both are 0), so the same defaults serve accuracy,
/// R² and squared errors; `poor_score` is an absolute level in the scorer's own units.
///
/// # Parameters
/// - `gap` (default `0.1`): a train score better than the test score by more than
///   `gap · scale` reads as overfitting.
/// - `poor_score` (default `Some(0.7)`): a test score worse than this (below it for maximized
///   scores, above it for minimized ones) is poor. The default suits maximized scores in
///   `[0, 1]` (accuracy, R², AUC); set it in your scorer's units, or `None` to never read
///   underfitting.
/// - `rising` (default `0.01`): a test score that improves by more than `rising · scale`
///   between the two largest training sizes is still rising.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiagnosisThresholds {
    /// Relative train–test gap above which the model overfits. By default, `0.1`.
    pub gap: f64,
    /// Test score level worse than which the model does poorly. By default, `Some(0.7)`.
    pub poor_score: Option<f64>,
    /// Relative improvement of the test score that counts as still rising. By default, `0.01`.
    pub rising: f64,
}

impl Default for DiagnosisThresholds {
    fn default() -> Self {
        Self {
            gap: 0.1,
            poor_score: Some(0.7),
            rising: 0.01,
        }
    }
}

impl DiagnosisThresholds {
    /// Sets the relative gap for overfitting (by default, `0.1`).
    pub fn with_gap(mut self, gap: f64) -> Self {
        self.gap = gap;
        self
    }

    /// Sets the poor test score level (by default, `Some(0.7)`).
    pub fn with_poor_score(mut self, poor_score: Option<f64>) -> Self {
        self.poor_score = poor_score;
        self
    }

    /// Sets the relative rise that counts as still rising (by default, `0.01`).
    pub fn with_rising(mut self, rising: f64) -> Self {
        self.rising = rising;
        self
    }
}

/// A plain-words reading of a curve's mean train and test scores.
///
/// # The rule
/// With `train`, `test` the mean scores at the point read (the largest training size of a
/// learning curve, or a point of a validation curve), `scale = max(|train|, |test|)`, and
/// "better" per the scorer's [`Direction`], the first that holds is the reading:
/// 1. a score is NaN or infinite: [`Diagnosis::Undetermined`];
/// 2. train is better than test by more than `gap · scale`: [`Diagnosis::Overfitting`];
/// 3. test is worse than `poor_score`: [`Diagnosis::Underfitting`] (both poor and close,
///    since rule 2 did not hold);
/// 4. (learning curves) test improved by more than `rising · scale` from the second-largest
///    to the largest training size: [`Diagnosis::MoreDataHelps`];
/// 5. otherwise [`Diagnosis::WellFitted`].
///
/// `Display` gives one sentence with the numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Diagnosis {
    /// Both scores are poor and close: the model is too simple for the data.
    Underfitting {
        /// Mean train score.
        train: f64,
        /// Mean test score.
        test: f64,
    },
    /// The train score is much better than the test score: the model memorizes.
    Overfitting {
        /// Mean train score.
        train: f64,
        /// Mean test score.
        test: f64,
        /// Whether the test score was still rising at the largest training size (learning
        /// curves only; `false` for validation curves).
        still_rising: bool,
    },
    /// Close, good scores, but the test score is still improving with more data.
    MoreDataHelps {
        /// Mean test score at the second-largest training size.
        from: f64,
        /// Mean test score at the largest training size.
        to: f64,
    },
    /// Close, good scores that have levelled off.
    WellFitted {
        /// Mean train score.
        train: f64,
        /// Mean test score.
        test: f64,
    },
    /// A score is not finite, so no reading is possible.
    Undetermined,
}

fn better(direction: Direction, a: f64, b: f64) -> f64 {
    match direction {
        Direction::Maximize => a - b,
        Direction::Minimize => b - a,
    }
}

impl Diagnosis {
    /// Reads `train`, `test` (and the previous test score `prev_test` of a learning curve).
    pub fn read(
        direction: Direction,
        train: f64,
        test: f64,
        prev_test: Option<f64>,
        t: &DiagnosisThresholds,
    ) -> Self {
        if !train.is_finite() || !test.is_finite() || prev_test.is_some_and(|p| !p.is_finite()) {
            return Diagnosis::Undetermined;
        }
        let scale = match train.abs().max(test.abs()) {
            s if s > 0.0 => s,
            _ => 1.0,
        };
        let rising = prev_test.is_some_and(|p| better(direction, test, p) > t.rising * scale);
        if better(direction, train, test) > t.gap * scale {
            return Diagnosis::Overfitting {
                train,
                test,
                still_rising: rising,
            };
        }
        if t.poor_score
            .is_some_and(|poor| better(direction, poor, test) > 0.0)
        {
            return Diagnosis::Underfitting { train, test };
        }
        match (rising, prev_test) {
            (true, Some(from)) => Diagnosis::MoreDataHelps { from, to: test },
            _ => Diagnosis::WellFitted { train, test },
        }
    }
}

/// Scores printed with enough digits to compare, whatever their scale.
pub(crate) fn num(v: f64) -> String {
    match v.abs() {
        a if a >= 1000.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.3}"),
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Diagnosis::Underfitting { train, test } => write!(
                f,
                "Train and test scores are both poor and close (train {}, test {}): the model \
                 underfits; a more flexible model or better features should help more than \
                 more data.",
                num(train),
                num(test)
            ),
            Diagnosis::Overfitting {
                train,
                test,
                still_rising,
            } => {
                write!(
                    f,
                    "The train score is much better than the test score (train {}, test {}): \
                     the model overfits; more regularization or a simpler model should help",
                    num(train),
                    num(test)
                )?;
                if still_rising {
                    write!(
                        f,
                        ", and the test score is still rising, so more data should too."
                    )
                } else {
                    write!(f, ".")
                }
            }
            Diagnosis::MoreDataHelps { from, to } => write!(
                f,
                "Test score is still {} at the largest training size ({} → {}): more data is \
                 likely to help.",
                if to >= from { "rising" } else { "falling" },
                num(from),
                num(to)
            ),
            Diagnosis::WellFitted { train, test } => write!(
                f,
                "Train and test scores are close and good (train {}, test {}): the model fits \
                 well.",
                num(train),
                num(test)
            ),
            Diagnosis::Undetermined => {
                write!(f, "Some scores are not finite, so no reading is possible.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_order_and_thresholds() {
        let t = DiagnosisThresholds::default();
        let max = Direction::Maximize;
        assert!(matches!(
            Diagnosis::read(max, 1.0, 0.8, Some(0.7), &t),
            Diagnosis::Overfitting {
                still_rising: true,
                ..
            }
        ));
        assert!(matches!(
            Diagnosis::read(max, 0.52, 0.48, Some(0.47), &t),
            Diagnosis::Underfitting { .. }
        ));
        assert!(matches!(
            Diagnosis::read(max, 0.86, 0.84, Some(0.81), &t),
            Diagnosis::MoreDataHelps { .. }
        ));
        assert!(matches!(
            Diagnosis::read(max, 0.86, 0.84, Some(0.835), &t),
            Diagnosis::WellFitted { .. }
        ));
        // Minimized scores: a lower train error than test error is the overfitting gap.
        let min = Direction::Minimize;
        let t = t.with_poor_score(None);
        assert!(matches!(
            Diagnosis::read(min, 1000.0, 3000.0, None, &t),
            Diagnosis::Overfitting {
                still_rising: false,
                ..
            }
        ));
        assert!(matches!(
            Diagnosis::read(min, 2900.0, 3000.0, None, &t),
            Diagnosis::WellFitted { .. }
        ));
        assert_eq!(
            Diagnosis::read(max, f64::NAN, 0.5, None, &t),
            Diagnosis::Undetermined
        );
        let s = Diagnosis::MoreDataHelps {
            from: 0.81,
            to: 0.84,
        }
        .to_string();
        assert!(
            s.contains("still rising") && s.contains("0.810 → 0.840"),
            "{s}"
        );
    }
}
