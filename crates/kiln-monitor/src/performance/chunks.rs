//! Cutting a stream of rows into chunks: by size, by a time column or by period ids.

use std::collections::BTreeMap;
use std::fmt;

use kiln_core::check::check_param;
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// What [`chunk_by_size`] does with the last chunk when the row count is not a multiple of the
/// chunk size (NannyML's `incomplete=` of its `SizeBasedChunker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Incomplete {
    /// Keep the last, smaller chunk as a chunk of its own. The default (as NannyML).
    #[default]
    Keep,
    /// Drop the rows of the last, smaller chunk.
    Drop,
    /// Merge the rows of the last, smaller chunk into the chunk before it (when there is only
    /// one chunk, it is kept as it is).
    Append,
}

/// A chunk of a stream: which rows it holds and how it was formed.
///
/// Chunks are built by [`chunk_by_size`], [`chunk_by_time`] or [`chunk_by_period`]; rows are
/// indices into the stream, ascending. Chunks built by hand must not be empty (the functions
/// taking chunks reject an empty one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// Position of the chunk in the sequence, from 0.
    pub index: usize,
    /// The period id of a time or period chunk (`floor((t − origin) / period)`); `None` for a
    /// size chunk.
    pub period: Option<i64>,
    /// The row indices of the chunk, ascending.
    pub rows: Vec<usize>,
}

impl Chunk {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the chunk holds no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// A short name: `rows 0..50` for contiguous chunks, `period 85000` for time chunks.
    pub fn key(&self) -> String {
        match (self.period, self.rows.first(), self.rows.last()) {
            (Some(p), _, _) => format!("period {p}"),
            (None, Some(&a), Some(&b)) if b + 1 - a == self.rows.len() => {
                format!("rows {a}..{}", b + 1)
            }
            (None, _, _) => format!("chunk {} ({} rows)", self.index, self.rows.len()),
        }
    }
}

impl fmt::Display for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} rows)", self.key(), self.rows.len())
    }
}

/// Cuts `n_rows` rows, in order, into chunks of `chunk_size` rows (NannyML's
/// `SizeBasedChunker`); the last partial chunk is handled by `incomplete`.
///
/// # Errors
/// [`Error::InvalidParameter`] for `chunk_size = 0`; [`Error::EmptyInput`] for `n_rows = 0`;
/// [`Error::TooFewSamples`] when [`Incomplete::Drop`] leaves no chunk (`n_rows < chunk_size`).
///
/// # Example
/// ```
/// use kiln_monitor::performance::{chunk_by_size, Incomplete};
///
/// let chunks = chunk_by_size(7, 3, Incomplete::Append)?;
/// assert_eq!(chunks.len(), 2);
/// assert_eq!(chunks[1].rows, vec![3, 4, 5, 6]);
/// assert_eq!(chunk_by_size(7, 3, Incomplete::Keep)?.len(), 3);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn chunk_by_size(
    n_rows: usize,
    chunk_size: usize,
    incomplete: Incomplete,
) -> Result<Vec<Chunk>> {
    check_param(
        "chunk_by_size",
        "chunk_size",
        chunk_size,
        chunk_size >= 1,
        "an integer in the range [1, inf)",
    )?;
    if n_rows == 0 {
        return Err(Error::EmptyInput {
            what: "stream".into(),
            reason: "0 rows to cut into chunks".into(),
        });
    }
    let mut bounds: Vec<(usize, usize)> = (0..n_rows)
        .step_by(chunk_size)
        .map(|s| (s, (s + chunk_size).min(n_rows)))
        .collect();
    if !n_rows.is_multiple_of(chunk_size) {
        match incomplete {
            Incomplete::Keep => {}
            Incomplete::Drop => {
                bounds.pop();
            }
            Incomplete::Append => {
                if bounds.len() > 1
                    && let Some((_, end)) = bounds.pop()
                    && let Some(prev) = bounds.last_mut()
                {
                    prev.1 = end;
                }
            }
        }
    }
    if bounds.is_empty() {
        return Err(Error::TooFewSamples {
            estimator: "chunk_by_size".into(),
            needed: format!("at least chunk_size={chunk_size} rows with Incomplete::Drop"),
            got: format!("n_rows={n_rows}"),
            n_samples: n_rows,
        });
    }
    Ok(bounds
        .into_iter()
        .enumerate()
        .map(|(index, (a, b))| Chunk {
            index,
            period: None,
            rows: (a..b).collect(),
        })
        .collect())
}

/// Period ids beyond this magnitude are rejected: `f64` no longer holds every integer there.
const MAX_PERIOD_ID: f64 = 9.0e15;

/// Groups rows by time period: row `i` goes to period `floor((timestamps[i] − origin) / period)`
/// (e.g. Unix seconds with `period = 86400` and `origin = 0` give calendar days in UTC).
///
/// Chunks come in ascending period order; periods without rows make no chunk (as NannyML's
/// period chunker, which groups the rows present). Rows keep their stream order inside a chunk,
/// and the stream need not be sorted by time.
///
/// # Errors
/// [`Error::InvalidParameter`] for a `period` that is not finite and positive or a non-finite
/// `origin`; [`Error::EmptyInput`] for no timestamps; [`Error::NonFinite`] for a NaN or
/// infinite timestamp (with its row); [`Error::InvalidValue`] for a period id beyond ±9·10¹⁵.
///
/// # Example
/// ```
/// use kiln_monitor::performance::chunk_by_time;
///
/// let t = [0.5, 3.0, 1.2, 7.9];
/// let chunks = chunk_by_time(&t, 2.0, 0.0)?;
/// let periods: Vec<_> = chunks.iter().map(|c| c.period).collect();
/// assert_eq!(periods, vec![Some(0), Some(1), Some(3)]);
/// assert_eq!(chunks[0].rows, vec![0, 2]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn chunk_by_time(timestamps: &[f64], period: f64, origin: f64) -> Result<Vec<Chunk>> {
    check_param(
        "chunk_by_time",
        "period",
        period,
        period.is_finite() && period > 0.0,
        "a finite float in the range (0, inf)",
    )?;
    check_param(
        "chunk_by_time",
        "origin",
        origin,
        origin.is_finite(),
        "a finite float",
    )?;
    let mut ids = Vec::with_capacity(timestamps.len());
    for (row, &t) in timestamps.iter().enumerate() {
        if !t.is_finite() {
            return Err(Error::NonFinite {
                what: "timestamps".into(),
                row,
                col: None,
                value: t,
            });
        }
        // t and origin are finite, so q is finite or ±inf (never NaN).
        let q = ((t - origin) / period).floor();
        if q.abs() > MAX_PERIOD_ID {
            return Err(Error::InvalidValue {
                what: "timestamps".into(),
                row: Some(row),
                reason: format!(
                    "period id (t - origin) / period = {q:e} is beyond ±9e15; choose a nearer origin or a longer period"
                ),
            });
        }
        #[expect(clippy::cast_possible_truncation, reason = "|q| <= 9e15 checked above")]
        ids.push(q as i64);
    }
    chunk_by_period(&ids)
}

/// Groups rows by integer period id (e.g. a week number or a batch id), one chunk per distinct
/// id in ascending id order; rows keep their stream order inside a chunk.
///
/// # Errors
/// [`Error::EmptyInput`] for no ids.
///
/// # Example
/// ```
/// use kiln_monitor::performance::chunk_by_period;
///
/// let chunks = chunk_by_period(&[202601, 202601, 202603, 202602])?;
/// assert_eq!(chunks.len(), 3);
/// assert_eq!(chunks[2].rows, vec![2]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn chunk_by_period(period_ids: &[i64]) -> Result<Vec<Chunk>> {
    if period_ids.is_empty() {
        return Err(Error::EmptyInput {
            what: "period ids".into(),
            reason: "0 rows to cut into chunks".into(),
        });
    }
    let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (row, &id) in period_ids.iter().enumerate() {
        groups.entry(id).or_default().push(row);
    }
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(index, (id, rows))| Chunk {
            index,
            period: Some(id),
            rows,
        })
        .collect())
}

/// Checks that hand-built chunks are non-empty and index rows below `n_rows`.
pub(crate) fn check_chunks(chunks: &[Chunk], n_rows: usize) -> Result<()> {
    if chunks.is_empty() {
        return Err(Error::EmptyInput {
            what: "chunks".into(),
            reason: "no chunk given".into(),
        });
    }
    for c in chunks {
        if c.rows.is_empty() {
            return Err(Error::EmptyInput {
                what: format!("chunk {}", c.index),
                reason: "0 rows".into(),
            });
        }
        if let Some(&bad) = c.rows.iter().find(|&&r| r >= n_rows) {
            return Err(Error::InvalidValue {
                what: format!("rows of chunk {}", c.index),
                row: Some(bad),
                reason: format!("row index {bad} is out of range for {n_rows} rows"),
            });
        }
    }
    Ok(())
}
