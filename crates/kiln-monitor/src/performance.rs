//! Performance over time: chunks, metrics per chunk with alerts, estimated performance without
//! labels (CBPE), and multivariate drift by a domain classifier.
//!
//! | piece | what it does | as in |
//! |---|---|---|
//! | [`chunk_by_size`], [`chunk_by_time`], [`chunk_by_period`] | cut a stream into [`Chunk`]s | NannyML's chunkers |
//! | [`metric_per_chunk`] | any metric closure on each chunk | NannyML's realized performance |
//! | [`Thresholds`], [`PerformanceReport`] | fixed or reference mean ± 3 std alert bounds, an alert per chunk | NannyML's `StandardDeviationThreshold` |
//! | [`Cbpe`] | expected confusion matrix and metrics from calibrated probabilities | NannyML's CBPE |
//! | [`DomainClassifier`] | out-of-fold AUC of a classifier separating current from reference | NannyML's domain classifier |
//!
//! Reports print as text (`Display`) and serialize to JSON (`to_json`); a metric that fails on a
//! chunk (ROC AUC on a chunk holding one class) is reported on that chunk, not skipped.
//!
//! # Example: monitor accuracy on labelled chunks
//!
//! ```
//! use kiln_metrics::classification::accuracy;
//! use kiln_monitor::performance::{
//!     chunk_by_size, metric_per_chunk, Incomplete, PerformanceReport, Thresholds,
//! };
//! use ndarray::Array1;
//!
//! // A stream of 400 predictions: right 9 times in 10 at first, half the time at the end.
//! let y_true: Array1<usize> = (0..400).map(|i| i % 2).collect();
//! let y_pred: Array1<usize> = (0..400)
//!     .map(|i| if (i < 300 && i % 10 != 3) || (i >= 300 && i % 4 < 2) { i % 2 } else { 1 - i % 2 })
//!     .collect();
//! let chunks = chunk_by_size(400, 50, Incomplete::Keep)?;
//! let values = metric_per_chunk(&chunks, y_true.view(), y_pred.view(), None, accuracy)?;
//! // The first four chunks are the reference (unused by fixed bounds); alert below 0.8.
//! let report = PerformanceReport::new(
//!     "accuracy",
//!     Thresholds::Fixed { lower: Some(0.8), upper: None },
//!     &values[..4],
//!     &chunks[4..],
//!     &values[4..],
//! )?;
//! assert_eq!(report.alerts(), vec![false, false, true, true]);
//! println!("{report}");
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Example: estimate performance before the labels arrive
//!
//! ```
//! use kiln_monitor::performance::{chunk_by_size, Cbpe, CbpeMetric, Incomplete, Thresholds};
//! use ndarray::Array1;
//!
//! let proba: Array1<f64> = (0..300).map(|i| ((i * 37) % 100) as f64 / 100.0).collect();
//! let chunks = chunk_by_size(300, 100, Incomplete::Keep)?;
//! let cbpe = Cbpe::default();
//! let estimates = cbpe.estimate_chunks(&chunks, proba.view())?;
//! let report = cbpe.report(
//!     CbpeMetric::Accuracy,
//!     Thresholds::default(),
//!     &estimates[..2],
//!     &chunks[2..],
//!     &estimates[2..],
//! )?;
//! assert!(report.estimated);
//! assert!(report.chunks[0].value.unwrap() > 0.7);
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod alerts;
mod cbpe;
mod chunks;
mod domain;

pub use alerts::{
    AlertBounds, ChunkResult, ChunkValue, PerformanceReport, Thresholds, metric_per_chunk,
};
pub use cbpe::{Cbpe, CbpeEstimate, CbpeMetric};
pub use chunks::{Chunk, Incomplete, chunk_by_period, chunk_by_size, chunk_by_time};
pub use domain::{DomainClassifier, DomainClassifierResult};
