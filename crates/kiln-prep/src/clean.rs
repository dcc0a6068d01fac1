//! Cleaning a [`Frame`]: duplicate rows and missing values.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use kiln_core::Result;
use rayon::prelude::*;

use crate::frame::{Column, Frame};

/// Which of a set of duplicate rows to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// Keep the first occurrence (the default, as in pandas).
    #[default]
    First,
    /// Keep the last occurrence.
    Last,
}

/// What [`Frame::drop_duplicates`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateReport {
    /// Rows before.
    pub rows_before: usize,
    /// Rows removed.
    pub removed: usize,
    /// The original positions of the rows kept, in order.
    pub kept: Vec<usize>,
}

/// Missing values per column, as [`Frame::missing_report`] gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingReport {
    /// Rows in the frame.
    pub rows: usize,
    /// (column, missing count, missing fraction), in column order.
    pub columns: Vec<(String, usize, f64)>,
    /// Rows with at least one missing value.
    pub rows_with_missing: usize,
}

/// Rows this size or more are hashed in parallel.
const PAR_ROWS: usize = 1 << 15;

impl Frame {
    /// Marks each row that repeats an earlier (with [`Keep::First`]) or later (with
    /// [`Keep::Last`]) row, comparing the columns in `subset` (all columns when `None`).
    ///
    /// Missing values compare equal to each other, and `-0.0` equals `0.0`, as in pandas.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidValue`] for an unknown column in `subset`.
    pub fn duplicated<S: AsRef<str>>(&self, subset: Option<&[S]>, keep: Keep) -> Result<Vec<bool>> {
        let cols: Vec<&Column> = match subset {
            Some(names) => names
                .iter()
                .map(|n| self.column(n.as_ref()))
                .collect::<Result<_>>()?,
            None => self.columns().iter().collect(),
        };
        let n = self.n_rows();
        let hashes = row_hashes(&cols, n);
        let mut seen: HashMap<u64, u32, BuildHasherDefault<Identity>> =
            HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
        // Rows whose hash matched a different row: rare, kept apart.
        let mut collided: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut dup = vec![false; n];
        let order: Box<dyn Iterator<Item = usize>> = match keep {
            Keep::First => Box::new(0..n),
            Keep::Last => Box::new((0..n).rev()),
        };
        for i in order {
            let h = hashes[i];
            match seen.get(&h) {
                None => {
                    seen.insert(h, i as u32);
                }
                Some(&first) if rows_equal(&cols, first as usize, i) => dup[i] = true,
                Some(_) => {
                    let others = collided.entry(h).or_default();
                    if others.iter().any(|&o| rows_equal(&cols, o, i)) {
                        dup[i] = true;
                    } else {
                        others.push(i);
                    }
                }
            }
        }
        Ok(dup)
    }

    /// Drops duplicate rows (see [`Frame::duplicated`]) and reports how many went.
    ///
    /// # Errors
    /// As [`Frame::duplicated`].
    pub fn drop_duplicates<S: AsRef<str>>(
        &self,
        subset: Option<&[S]>,
        keep: Keep,
    ) -> Result<(Frame, DuplicateReport)> {
        let dup = self.duplicated(subset, keep)?;
        let kept: Vec<usize> = (0..self.n_rows()).filter(|&i| !dup[i]).collect();
        let frame = self.take_rows(&kept)?;
        let report = DuplicateReport {
            rows_before: self.n_rows(),
            removed: self.n_rows() - kept.len(),
            kept,
        };
        Ok((frame, report))
    }

    /// Missing values per column and the number of rows with any.
    pub fn missing_report(&self) -> MissingReport {
        let rows = self.n_rows();
        let columns = self
            .names()
            .iter()
            .zip(self.columns())
            .map(|(name, c)| {
                let m = c.n_missing();
                (name.clone(), m, m as f64 / rows.max(1) as f64)
            })
            .collect();
        let rows_with_missing = (0..rows)
            .filter(|&i| self.columns().iter().any(|c| c.is_missing(i)))
            .count();
        MissingReport {
            rows,
            columns,
            rows_with_missing,
        }
    }

    /// Drops rows with a missing value in any of `subset` (all columns when `None`).
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidValue`] for an unknown column.
    pub fn drop_missing_rows<S: AsRef<str>>(&self, subset: Option<&[S]>) -> Result<(Frame, usize)> {
        let cols: Vec<&Column> = match subset {
            Some(names) => names
                .iter()
                .map(|n| self.column(n.as_ref()))
                .collect::<Result<_>>()?,
            None => self.columns().iter().collect(),
        };
        let kept: Vec<usize> = (0..self.n_rows())
            .filter(|&i| !cols.iter().any(|c| c.is_missing(i)))
            .collect();
        let removed = self.n_rows() - kept.len();
        Ok((self.take_rows(&kept)?, removed))
    }

    /// Drops the columns whose share of missing values is above `max_fraction` (in [0, 1]),
    /// returning the frame and the names dropped.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] when `max_fraction` is outside [0, 1].
    pub fn drop_columns_missing_over(&self, max_fraction: f64) -> Result<(Frame, Vec<String>)> {
        kiln_core::check::check_param(
            "drop_columns_missing_over",
            "max_fraction",
            max_fraction,
            (0.0..=1.0).contains(&max_fraction),
            "a fraction in the range [0, 1]",
        )?;
        let report = self.missing_report();
        let dropped: Vec<String> = report
            .columns
            .into_iter()
            .filter(|(_, _, f)| *f > max_fraction)
            .map(|(n, _, _)| n)
            .collect();
        Ok((self.drop_columns(&dropped)?, dropped))
    }
}

/// FxHash-style mixing: fast and good enough to bucket rows; equality is always checked.
fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

fn value_bits(c: &Column, i: usize) -> u64 {
    match c {
        Column::Float(v) | Column::Int(v) | Column::Bool(v) => canonical_bits(v[i]),
        Column::Categorical(cat) => u64::from(cat.codes()[i]),
    }
}

/// NaNs share one pattern and `-0.0` is `0.0`, so equal-by-pandas values hash alike.
fn canonical_bits(x: f64) -> u64 {
    if x.is_nan() {
        0x7ff8_0000_0000_0000
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
}

fn row_hashes(cols: &[&Column], n: usize) -> Vec<u64> {
    let mut hashes = vec![0u64; n];
    let fill = |start: usize, out: &mut [u64]| {
        for c in cols {
            match c {
                Column::Float(v) | Column::Int(v) | Column::Bool(v) => {
                    for (h, &x) in out.iter_mut().zip(&v[start..]) {
                        *h = mix(*h, canonical_bits(x));
                    }
                }
                Column::Categorical(cat) => {
                    for (h, &x) in out.iter_mut().zip(&cat.codes()[start..]) {
                        *h = mix(*h, u64::from(x));
                    }
                }
            }
        }
    };
    if n >= PAR_ROWS {
        hashes
            .par_chunks_mut(PAR_ROWS)
            .enumerate()
            .for_each(|(k, out)| fill(k * PAR_ROWS, out));
    } else {
        fill(0, &mut hashes);
    }
    hashes
}

fn rows_equal(cols: &[&Column], a: usize, b: usize) -> bool {
    cols.iter().all(|c| value_bits(c, a) == value_bits(c, b))
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bits_merge_nan_and_signed_zero() {
        assert_eq!(canonical_bits(f64::NAN), canonical_bits(-f64::NAN));
        assert_eq!(canonical_bits(0.0), canonical_bits(-0.0));
        assert_ne!(canonical_bits(1.0), canonical_bits(-1.0));
    }
}
