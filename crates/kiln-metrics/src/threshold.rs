//! Decisions from scores: metrics at a threshold, the threshold that maximizes a metric or
//! meets a target precision or recall, and cost-weighted decisions.
//!
//! A score becomes a decision with a threshold: "positive when `score >= threshold`" (the rule
//! of scikit-learn's `roc_curve`). [`confusion_at_threshold`] evaluates one rule. The searches
//! ([`best_threshold`], [`threshold_for_precision`], [`threshold_for_recall`],
//! [`min_cost_threshold`]) consider every rule the data can tell apart, each distinct score
//! plus `+inf` (everything negative), from one linear-time sort and one pass, so they cost
//! O(n) like one ROC curve. [`bayes_threshold`] needs no data: the cost-optimal threshold on
//! calibrated probabilities.
//!
//! scikit-learn has no direct equivalent (its `TunedThresholdClassifierCV` searches a grid of
//! thresholds inside cross-validation); the reference tests check these against brute force
//! over every threshold with scikit-learn's confusion matrix.
//!
//! # Example
//!
//! ```
//! use kiln_metrics::threshold::{
//!     Costs, ThresholdMetric, bayes_threshold, best_threshold, confusion_at_threshold,
//! };
//! use ndarray::array;
//!
//! let y = array![0, 0, 1, 1, 0, 1];
//! let s = array![0.1, 0.4, 0.35, 0.8, 0.5, 0.9];
//! let at_half = confusion_at_threshold(y.view(), s.view(), 0.5, None)?;
//! assert_eq!(at_half.recall(), 2.0 / 3.0);
//! let best = best_threshold(y.view(), s.view(), ThresholdMetric::YoudenJ, None)?;
//! assert_eq!(best.threshold, 0.8); // recall 2/3, specificity 1
//! // A false negative costing 9 false positives: flag from probability 0.1 up.
//! let t = bayes_threshold(&Costs::default().with_cost_fn(9.0))?;
//! assert_eq!(t, 0.1);
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod cost;
mod counts;
mod search;

pub use cost::{Costs, bayes_threshold, min_cost_threshold};
pub use counts::{ConfusionCounts, ThresholdMetric, confusion_at_threshold};
pub use search::{ThresholdChoice, best_threshold, threshold_for_precision, threshold_for_recall};
