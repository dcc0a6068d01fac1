//! Metrics per chunk, alert thresholds (fixed or from reference chunks) and the report.

use std::fmt;

use kiln_core::check::{check_param, check_same_len, check_sample_weight};
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, Axis};
use serde::{Deserialize, Serialize};

use super::chunks::{Chunk, check_chunks};

/// The value of a metric on one chunk, or why it could not be computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkValue {
    /// The metric's value; `None` when the metric failed on this chunk.
    pub value: Option<f64>,
    /// The metric's error message when it failed (e.g. ROC AUC on a chunk holding one class).
    pub error: Option<String>,
}

impl ChunkValue {
    /// A computed value.
    pub fn ok(value: f64) -> Self {
        Self {
            value: Some(value),
            error: None,
        }
    }
}

/// Computes `metric(y_true, y_pred, sample_weight)` on the rows of each chunk.
///
/// `metric` is any closure with the shape of kiln-metrics' functions, e.g.
/// `|t, p, w| kiln_metrics::classification::accuracy(t, p, w)` with class predictions, or
/// `|t, s, w| kiln_metrics::ranking::roc_auc(t, s, w)` with scores. A metric that fails on a
/// chunk (say ROC AUC on a chunk with a single class) does not stop the others: that chunk's
/// [`ChunkValue`] holds the error message instead of a value.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `y_pred` or `sample_weight` differ in length from `y_true`;
/// the sample-weight checks of [`kiln_core::check::check_sample_weight`];
/// [`Error::EmptyInput`] for no chunks or an empty chunk; [`Error::InvalidValue`] for a row
/// index beyond `y_true`.
///
/// # Example
/// ```
/// use kiln_metrics::classification::accuracy;
/// use kiln_monitor::performance::{chunk_by_size, metric_per_chunk, Incomplete};
/// use ndarray::array;
///
/// let y_true = array![0usize, 1, 1, 0, 1, 1];
/// let y_pred = array![0usize, 1, 0, 0, 1, 1];
/// let chunks = chunk_by_size(6, 3, Incomplete::Keep)?;
/// let acc = metric_per_chunk(&chunks, y_true.view(), y_pred.view(), None, accuracy)?;
/// assert_eq!(acc[0].value, Some(2.0 / 3.0));
/// assert_eq!(acc[1].value, Some(1.0));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn metric_per_chunk<T, P, F>(
    chunks: &[Chunk],
    y_true: ArrayView1<'_, T>,
    y_pred: ArrayView1<'_, P>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    metric: F,
) -> Result<Vec<ChunkValue>>
where
    T: Clone,
    P: Clone,
    F: Fn(ArrayView1<'_, T>, ArrayView1<'_, P>, Option<ArrayView1<'_, f64>>) -> Result<f64>,
{
    let n = y_true.len();
    check_same_len("length of y_pred against y_true", n, y_pred.len())?;
    if let Some(w) = sample_weight {
        check_same_len("length of sample_weight against y_true", n, w.len())?;
    }
    check_chunks(chunks, n)?;
    let mut out = Vec::with_capacity(chunks.len());
    for c in chunks {
        let contiguous = c.rows.last().map(|&b| b + 1 - c.rows[0]) == Some(c.rows.len());
        let result = if contiguous {
            // Contiguous chunks are views into the stream: no copy.
            let r = c.rows[0]..c.rows[0] + c.rows.len();
            let w = sample_weight.map(|w| w.slice_move(ndarray::s![r.clone()]));
            check_sample_weight(w, c.rows.len()).and_then(|()| {
                metric(
                    y_true.slice(ndarray::s![r.clone()]),
                    y_pred.slice(ndarray::s![r]),
                    w,
                )
            })
        } else {
            let t: Array1<T> = y_true.select(Axis(0), &c.rows);
            let p: Array1<P> = y_pred.select(Axis(0), &c.rows);
            let w = sample_weight.map(|w| w.select(Axis(0), &c.rows));
            let wv = w.as_ref().map(|w| w.view());
            check_sample_weight(wv, c.rows.len()).and_then(|()| metric(t.view(), p.view(), wv))
        };
        out.push(match result {
            Ok(v) if !v.is_nan() => ChunkValue::ok(v),
            // A NaN would compare false with both bounds and never alert (found by probing):
            // it is a failed value, as an error is.
            Ok(_) => ChunkValue {
                value: None,
                error: Some("the metric returned NaN on this chunk".into()),
            },
            Err(e) => ChunkValue {
                value: None,
                error: Some(e.to_string()),
            },
        });
    }
    Ok(out)
}

/// How the alert bounds of a metric are set.
///
/// # Notes
/// - Reference bounds need at least 2 reference chunks (see [`Thresholds::bounds`]). If every
///   reference chunk has the same value, the standard deviation is 0 and any other value
///   alerts: prefer fixed bounds then.
/// - Bounds are not clipped to the metric's range (NannyML clips, e.g. to [0, 1] for
///   accuracy); an upper bound above 1 simply never fires.
/// - A value alerts when it is strictly outside `[lower, upper]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Thresholds {
    /// Fixed bounds: alert when the value is below `lower` or above `upper` (either optional).
    Fixed {
        /// Alert below this value.
        lower: Option<f64>,
        /// Alert above this value.
        upper: Option<f64>,
    },
    /// Bounds from the reference chunks: mean ± `n_std` standard deviations of the metric over
    /// the reference chunks, the standard deviation with `ddof` degrees of freedom removed
    /// (NannyML's `StandardDeviationThreshold` uses `np.std`, i.e. `ddof = 0`, and 3).
    Reference {
        /// Width in standard deviations, finite and ≥ 0.
        n_std: f64,
        /// Delta degrees of freedom of the standard deviation: 0 (population) or 1 (sample).
        ddof: usize,
    },
}

impl Default for Thresholds {
    /// `Reference { n_std: 3.0, ddof: 0 }`, NannyML's default.
    fn default() -> Self {
        Thresholds::Reference {
            n_std: 3.0,
            ddof: 0,
        }
    }
}

/// Alert bounds resolved from [`Thresholds`], with the reference statistics behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlertBounds {
    /// Alert when a value is strictly below this.
    pub lower: Option<f64>,
    /// Alert when a value is strictly above this.
    pub upper: Option<f64>,
    /// Mean of the reference chunks' values (`None` for fixed bounds).
    pub reference_mean: Option<f64>,
    /// Standard deviation of the reference chunks' values (`None` for fixed bounds).
    pub reference_std: Option<f64>,
}

impl AlertBounds {
    /// Whether `value` is outside the bounds.
    pub fn alerts(&self, value: f64) -> bool {
        self.lower.is_some_and(|l| value < l) || self.upper.is_some_and(|u| value > u)
    }
}

impl Thresholds {
    /// Resolves the bounds; `reference` holds the metric on each reference chunk (ignored for
    /// fixed bounds).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a non-finite fixed bound, `lower > upper`, a negative
    /// or non-finite `n_std` or `ddof > 1`; for reference bounds, [`Error::TooFewSamples`]
    /// with fewer than 2 reference chunks (one chunk has no spread to measure: its `ddof = 1`
    /// standard deviation is undefined and its `ddof = 0` one is 0, which would alert on any
    /// change, so kiln refuses rather than returning bounds that mean nothing) and
    /// [`Error::NonFinite`] for a non-finite reference value.
    ///
    /// # Example
    /// ```
    /// use kiln_monitor::performance::Thresholds;
    ///
    /// let b = Thresholds::default().bounds(&[0.90, 0.92, 0.94])?;
    /// let std = (0.0008_f64 / 3.0).sqrt(); // ddof = 0
    /// assert!((b.lower.unwrap() - (0.92 - 3.0 * std)).abs() < 1e-12);
    /// assert!(b.alerts(0.85));
    /// # Ok::<(), kiln_core::Error>(())
    /// ```
    pub fn bounds(&self, reference: &[f64]) -> Result<AlertBounds> {
        match *self {
            Thresholds::Fixed { lower, upper } => {
                for (name, v) in [("lower", lower), ("upper", upper)] {
                    if let Some(v) = v {
                        check_param("Thresholds", name, v, v.is_finite(), "a finite float")?;
                    }
                }
                if let (Some(l), Some(u)) = (lower, upper) {
                    check_param("Thresholds", "lower", l, l <= u, "at most `upper`")?;
                }
                Ok(AlertBounds {
                    lower,
                    upper,
                    reference_mean: None,
                    reference_std: None,
                })
            }
            Thresholds::Reference { n_std, ddof } => {
                check_param(
                    "Thresholds",
                    "n_std",
                    n_std,
                    n_std.is_finite() && n_std >= 0.0,
                    "a finite float in the range [0, inf)",
                )?;
                check_param("Thresholds", "ddof", ddof, ddof <= 1, "0 or 1")?;
                if reference.len() < 2 {
                    return Err(Error::TooFewSamples {
                        estimator: "Thresholds::Reference".into(),
                        needed: "at least 2 reference chunks to measure the metric's spread".into(),
                        got: format!("{} reference chunk(s)", reference.len()),
                        n_samples: reference.len(),
                    });
                }
                if let Some(row) = reference.iter().position(|v| !v.is_finite()) {
                    return Err(Error::NonFinite {
                        what: "reference chunk values".into(),
                        row,
                        col: None,
                        value: reference[row],
                    });
                }
                let n = reference.len() as f64;
                let mean = reference.iter().sum::<f64>() / n;
                let ss = reference
                    .iter()
                    .map(|v| (v - mean) * (v - mean))
                    .sum::<f64>();
                let std = (ss / (n - ddof as f64)).sqrt();
                Ok(AlertBounds {
                    lower: Some(mean - n_std * std),
                    upper: Some(mean + n_std * std),
                    reference_mean: Some(mean),
                    reference_std: Some(std),
                })
            }
        }
    }
}

/// One chunk's line of a [`PerformanceReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkResult {
    /// The chunk's position.
    pub index: usize,
    /// The chunk's name ([`Chunk::key`]).
    pub key: String,
    /// The chunk's period id, for time chunks.
    pub period: Option<i64>,
    /// The number of rows.
    pub n_rows: usize,
    /// The metric's value (`None` when it could not be computed; see `error`).
    pub value: Option<f64>,
    /// Why the metric could not be computed on this chunk.
    pub error: Option<String>,
    /// Whether the value is outside the alert bounds (never for a missing value).
    pub alert: bool,
}

/// A metric over the chunks of a stream, with alert bounds and an alert per chunk.
///
/// Built by [`PerformanceReport::new`]; printable (`Display`) and serializable
/// ([`PerformanceReport::to_json`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceReport {
    /// The metric's name, as given.
    pub metric: String,
    /// Whether the values are estimates (CBPE) rather than realized metrics.
    pub estimated: bool,
    /// How the bounds were set.
    pub thresholds: Thresholds,
    /// The bounds and the reference statistics behind them.
    pub bounds: AlertBounds,
    /// The number of reference chunks (0 for fixed bounds).
    pub n_reference_chunks: usize,
    /// One entry per analysed chunk.
    pub chunks: Vec<ChunkResult>,
}

impl PerformanceReport {
    /// Builds the report of `metric` on the analysed `chunks` from their `values` (as
    /// [`metric_per_chunk`] returns them) and the values on the reference chunks.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `values` and `chunks` differ in length; the errors of
    /// [`Thresholds::bounds`]; [`Error::InvalidValue`] naming a reference chunk whose metric
    /// failed (reference bounds need every reference value), or a value that is NaN.
    pub fn new(
        metric: &str,
        thresholds: Thresholds,
        reference: &[ChunkValue],
        chunks: &[Chunk],
        values: &[ChunkValue],
    ) -> Result<Self> {
        check_same_len(
            "number of values against number of chunks",
            chunks.len(),
            values.len(),
        )?;
        // A NaN value compares false with both bounds and would never alert (found by
        // probing): a failed chunk carries `value: None` and its error instead.
        for (what, list) in [
            ("reference chunk values", reference),
            ("chunk values", values),
        ] {
            if let Some(i) = list.iter().position(|v| v.value.is_some_and(f64::is_nan)) {
                return Err(Error::InvalidValue {
                    what: what.into(),
                    row: Some(i),
                    reason: "the value is NaN; give `value: None` with the error instead".into(),
                });
            }
        }
        let mut ref_values = Vec::with_capacity(reference.len());
        if matches!(thresholds, Thresholds::Reference { .. }) {
            for (i, v) in reference.iter().enumerate() {
                match v.value {
                    Some(x) => ref_values.push(x),
                    None => {
                        return Err(Error::InvalidValue {
                            what: "reference chunk values".into(),
                            row: Some(i),
                            reason: format!(
                                "the metric failed on reference chunk {i}: {}",
                                v.error.as_deref().unwrap_or("no value")
                            ),
                        });
                    }
                }
            }
        }
        let bounds = thresholds.bounds(&ref_values)?;
        let chunks = chunks
            .iter()
            .zip(values)
            .map(|(c, v)| ChunkResult {
                index: c.index,
                key: c.key(),
                period: c.period,
                n_rows: c.len(),
                value: v.value,
                error: v.error.clone(),
                alert: v.value.is_some_and(|x| bounds.alerts(x)),
            })
            .collect();
        Ok(Self {
            metric: metric.to_owned(),
            estimated: false,
            thresholds,
            bounds,
            n_reference_chunks: ref_values.len(),
            chunks,
        })
    }

    /// The alert flag of each chunk, in order (the input of a retraining policy's alert
    /// streak rule).
    pub fn alerts(&self) -> Vec<bool> {
        self.chunks.iter().map(|c| c.alert).collect()
    }

    /// The last chunk's value, if it has one.
    pub fn latest(&self) -> Option<f64> {
        self.chunks.last().and_then(|c| c.value)
    }

    /// The report as pretty-printed JSON (a missing value is `null`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if serialization fails (it does not for this type).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidValue {
            what: "PerformanceReport".into(),
            row: None,
            reason: format!("JSON serialization failed: {e}"),
        })
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.4}"))
}

impl fmt::Display for PerformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.estimated { "estimated " } else { "" };
        writeln!(f, "{kind}{} over {} chunks", self.metric, self.chunks.len())?;
        match self.thresholds {
            Thresholds::Fixed { .. } => writeln!(
                f,
                "alert bounds (fixed): lower {}, upper {}",
                fmt_opt(self.bounds.lower),
                fmt_opt(self.bounds.upper)
            )?,
            Thresholds::Reference { n_std, ddof } => writeln!(
                f,
                "alert bounds: reference mean {} ± {n_std} std ({} , ddof {ddof}) over {} chunks = [{}, {}]",
                fmt_opt(self.bounds.reference_mean),
                fmt_opt(self.bounds.reference_std),
                self.n_reference_chunks,
                fmt_opt(self.bounds.lower),
                fmt_opt(self.bounds.upper)
            )?,
        }
        for c in &self.chunks {
            let flag = if c.alert { "  ALERT" } else { "" };
            match (&c.value, &c.error) {
                (Some(v), _) => writeln!(f, "  {:<24} n={:<7} {v:.4}{flag}", c.key, c.n_rows)?,
                (None, e) => writeln!(
                    f,
                    "  {:<24} n={:<7} n/a ({})",
                    c.key,
                    c.n_rows,
                    e.as_deref().unwrap_or("no value")
                )?,
            }
        }
        let n_alerts = self.chunks.iter().filter(|c| c.alert).count();
        write!(f, "{n_alerts} of {} chunks alert", self.chunks.len())
    }
}
