//! Live drift: the bins of the last `window` served rows, per input column, against the
//! model's reference profile.
//!
//! Each column keeps the reference's bins (numeric: the profile's quantile bin edges, values
//! outside the reference range folding into the outer bins as in
//! [`kiln::monitor::distance::histogram`]; a numeric column without edges (constant in the
//! reference) but with few values: those values plus "other"; categorical: the reference's
//! levels plus "other"). A ring buffer holds each served row's bin per column: a new row adds
//! its bins and evicts the oldest row's, so the counts always describe the last `window` rows.
//! Missing values take no bin (as in kiln-monitor's drift tests, which drop them).
//!
//! At scrape time, the population stability index (PSI, in nats, empty bins filled with
//! `1e-4` as in kiln-monitor's default) and the Jensen–Shannon distance (base 2) compare the
//! window's counts with the reference's. A column drifts when PSI > 0.2, the industry rule
//! of thumb (Siddiqi, *Credit Risk Scorecards*, 2006; Evidently's default PSI threshold is
//! 0.1 for "some" and 0.2 for "significant" change); the data set drifts when at least half
//! of its columns do (Evidently's `DatasetDriftMetric` default share of 0.5).

use kiln::monitor::distance::{jensen_shannon, psi};
use kiln::monitor::profile::{ColumnSummary, ReferenceProfile};
use kiln::prep::{Column, Frame, MISSING_CODE};

/// PSI above which a column is said to drift.
pub const PSI_THRESHOLD: f64 = 0.2;
/// Share of drifted columns at or above which the data set is said to drift.
pub const SHARE_THRESHOLD: f64 = 0.5;
/// The fill of empty bins in PSI (kiln-monitor's default `DriftOptions::epsilon`).
pub const PSI_EPSILON: f64 = 1e-4;

/// The ring slot of a missing value (no bin).
const NO_BIN: u16 = u16::MAX;

#[derive(Debug, Clone)]
enum Binner {
    /// Inner edges of numeric bins (`edges[1..k]`).
    Edges(Vec<f64>),
    /// Discrete numeric values, then "other".
    Values(Vec<f64>),
    /// Categorical levels (sorted), then "other".
    Levels(Vec<String>),
}

#[derive(Debug, Clone)]
struct DriftColumn {
    name: String,
    /// The column's position in the reference profile (and the model's input schema).
    position: usize,
    binner: Binner,
    reference: Vec<f64>,
    current: Vec<f64>,
}

impl DriftColumn {
    /// Bins of `col`'s values into `out` (one per row).
    fn bins(&self, col: &Column, out: &mut Vec<u16>) {
        out.clear();
        match (&self.binner, col) {
            (Binner::Edges(inner), Column::Float(v) | Column::Int(v) | Column::Bool(v)) => {
                out.extend(v.iter().map(|&x| {
                    if x.is_nan() {
                        NO_BIN
                    } else {
                        inner.partition_point(|&e| e <= x) as u16
                    }
                }));
            }
            (Binner::Values(values), Column::Float(v) | Column::Int(v) | Column::Bool(v)) => {
                let other = values.len() as u16;
                out.extend(v.iter().map(|&x| {
                    if x.is_nan() {
                        NO_BIN
                    } else {
                        values
                            .binary_search_by(|r| r.total_cmp(&x))
                            .map_or(other, |i| i as u16)
                    }
                }));
            }
            (Binner::Levels(levels), Column::Categorical(c)) => {
                // Each of the batch's levels is looked up once, then codes map through.
                let other = levels.len() as u16;
                let map: Vec<u16> = c
                    .levels()
                    .iter()
                    .map(|l| levels.binary_search(l).map_or(other, |i| i as u16))
                    .collect();
                out.extend(c.codes().iter().map(|&code| {
                    if code == MISSING_CODE {
                        NO_BIN
                    } else {
                        map.get(code as usize).copied().unwrap_or(other)
                    }
                }));
            }
            // A column of another kind than the reference's: counted as missing.
            _ => out.extend(std::iter::repeat_n(NO_BIN, col.len())),
        }
    }
}

/// One column's live drift statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDrift {
    /// The column.
    pub name: String,
    /// Population stability index of the window against the reference (nats).
    pub psi: f64,
    /// Jensen–Shannon distance (base 2, in `[0, 1]`).
    pub jensen_shannon: f64,
    /// `psi > PSI_THRESHOLD`.
    pub drifted: bool,
}

/// The drift verdict over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSnapshot {
    /// Rows in the window.
    pub window_rows: usize,
    /// Columns with at least one non-missing value in the window.
    pub columns: Vec<ColumnDrift>,
    /// Drifted columns over columns measured (0 with none).
    pub share: f64,
    /// `share >= SHARE_THRESHOLD`.
    pub dataset_drift: bool,
}

/// The ring buffer of served rows' bins and the resulting counts.
#[derive(Debug, Clone)]
pub(crate) struct DriftWindow {
    capacity: usize,
    columns: Vec<DriftColumn>,
    /// `capacity × columns.len()`, row-major: the bin of each column for each kept row.
    ring: Vec<u16>,
    next: usize,
    len: usize,
}

/// Per-batch bins, computed outside the window's lock.
pub(crate) struct BatchBins {
    n_rows: usize,
    /// Column-major: `bins[j]` holds column j's bin for each row.
    bins: Vec<Vec<u16>>,
}

impl DriftWindow {
    /// A window of `capacity` rows over the columns of `reference` (0 disables monitoring).
    pub(crate) fn new(reference: &ReferenceProfile, capacity: usize) -> Self {
        let columns: Vec<DriftColumn> = reference
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(position, c)| {
                let (binner, reference) = match &c.summary {
                    ColumnSummary::Numeric(n) if n.edges.len() >= 2 => (
                        Binner::Edges(n.edges[1..n.edges.len() - 1].to_vec()),
                        n.bin_counts.clone(),
                    ),
                    ColumnSummary::Numeric(n) if !n.values.is_empty() => {
                        let mut counts = n.value_counts.clone();
                        counts.push(0.0);
                        (Binner::Values(n.values.clone()), counts)
                    }
                    ColumnSummary::Numeric(_) => return None,
                    ColumnSummary::Categorical(cat) => {
                        let mut counts = cat.counts.clone();
                        counts.push(0.0);
                        (Binner::Levels(cat.levels.clone()), counts)
                    }
                };
                // Bins are stored as u16; a profile never has that many, but stay safe.
                if reference.len() >= usize::from(NO_BIN) || reference.iter().sum::<f64>() <= 0.0 {
                    return None;
                }
                let current = vec![0.0; reference.len()];
                Some(DriftColumn {
                    name: c.name.clone(),
                    position,
                    binner,
                    reference,
                    current,
                })
            })
            .collect();
        let ring = vec![NO_BIN; capacity * columns.len()];
        Self {
            capacity,
            columns,
            ring,
            next: 0,
            len: 0,
        }
    }

    /// The bins of a batch's rows (only the last `capacity` rows matter).
    pub(crate) fn bins(&self, frame: &Frame) -> BatchBins {
        let n = frame.n_rows();
        let keep = n.min(self.capacity);
        let bins = self
            .columns
            .iter()
            .map(|c| {
                let j = c.position;
                let mut out = Vec::with_capacity(n);
                // Frames built from JSON hold the schema's columns in its order, like the
                // profile: a positional match saves a lookup by name.
                let col = match (frame.names().get(j), frame.columns().get(j)) {
                    (Some(name), Some(col)) if *name == c.name => Some(col),
                    _ => frame.column(&c.name).ok(),
                };
                match col {
                    Some(col) => c.bins(col, &mut out),
                    None => out.resize(n, NO_BIN),
                }
                out.drain(..n - keep);
                out
            })
            .collect();
        BatchBins { n_rows: keep, bins }
    }

    /// Adds a batch's bins, evicting the oldest rows past the capacity.
    pub(crate) fn push(&mut self, batch: &BatchBins) {
        if self.capacity == 0 || self.columns.is_empty() {
            return;
        }
        let k = self.columns.len();
        for i in 0..batch.n_rows {
            let slot = self.next * k;
            for (j, col) in self.columns.iter_mut().enumerate() {
                if self.len == self.capacity {
                    let old = self.ring[slot + j];
                    if let Some(c) = col.current.get_mut(usize::from(old)) {
                        *c -= 1.0;
                    }
                }
                let new = batch
                    .bins
                    .get(j)
                    .and_then(|b| b.get(i))
                    .copied()
                    .unwrap_or(NO_BIN);
                self.ring[slot + j] = new;
                if let Some(c) = col.current.get_mut(usize::from(new)) {
                    *c += 1.0;
                }
            }
            self.next = (self.next + 1) % self.capacity;
            self.len = (self.len + 1).min(self.capacity);
        }
    }

    /// The statistics of the window (columns without any value in it are left out).
    pub(crate) fn snapshot(&self) -> DriftSnapshot {
        let columns: Vec<ColumnDrift> = self
            .columns
            .iter()
            .filter(|c| c.current.iter().sum::<f64>() > 0.0)
            .filter_map(|c| {
                let p = psi(&c.reference, &c.current, PSI_EPSILON).ok()?;
                let js = jensen_shannon(&c.reference, &c.current, 2.0).ok()?;
                Some(ColumnDrift {
                    name: c.name.clone(),
                    psi: p,
                    jensen_shannon: js,
                    drifted: p > PSI_THRESHOLD,
                })
            })
            .collect();
        let drifted = columns.iter().filter(|c| c.drifted).count();
        let share = if columns.is_empty() {
            0.0
        } else {
            drifted as f64 / columns.len() as f64
        };
        DriftSnapshot {
            window_rows: self.len,
            columns,
            share,
            dataset_drift: share >= SHARE_THRESHOLD,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln::monitor::profile::ProfileOptions;
    use kiln::prep::Categorical;

    fn frame(x: Vec<f64>, c: &[&str]) -> Frame {
        let c: Vec<Option<&str>> = c.iter().map(|s| Some(*s)).collect();
        Frame::new(vec![
            ("x".into(), Column::Float(x)),
            (
                "c".into(),
                Column::Categorical(Categorical::from_values(&c)),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn ring_counts_the_last_rows_only() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let c: Vec<&str> = (0..100)
            .map(|i| if i % 2 == 0 { "a" } else { "b" })
            .collect();
        let reference = frame(x.clone(), &c);
        let profile = ReferenceProfile::build(&reference, &ProfileOptions::default()).unwrap();
        let mut w = DriftWindow::new(&profile, 100);
        w.push(&w.bins(&reference));
        let s = w.snapshot();
        assert_eq!(s.window_rows, 100);
        assert!(s.columns.iter().all(|c| c.psi.abs() < 1e-12), "{s:?}");
        // 100 shifted rows push every reference row out: x drifts, c does not.
        let shifted = frame(x.iter().map(|v| v + 1000.0).collect(), &c);
        w.push(&w.bins(&shifted));
        let s = w.snapshot();
        assert_eq!(s.window_rows, 100);
        let x_drift = &s.columns[0];
        assert!(x_drift.drifted && x_drift.psi > 1.0, "{s:?}");
        assert!(!s.columns[1].drifted);
        assert_eq!(s.share, 0.5);
        assert!(s.dataset_drift);
        // Hand check: all 100 rows in the last of 10 bins of 10 reference rows each.
        let p_ref = 0.1_f64;
        let fill = PSI_EPSILON;
        let hand = 9.0 * (p_ref - fill) * (p_ref / fill).ln() + (p_ref - 1.0) * (p_ref / 1.0).ln();
        assert!(
            (x_drift.psi - hand).abs() < 1e-3,
            "{} vs {hand}",
            x_drift.psi
        );
    }
}
