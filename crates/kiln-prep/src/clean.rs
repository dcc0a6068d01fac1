//! Cleaning a [`Frame`]: duplicate rows and missing values.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
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
    /// [`kiln_core::Error::InvalidValue`] for an unknown column in `subset`, or an empty
    /// `subset` (no columns to compare would make every row a duplicate of the first; pass
    /// `None` to compare all columns).
    pub fn duplicated<S: AsRef<str>>(&self, subset: Option<&[S]>, keep: Keep) -> Result<Vec<bool>> {
        if subset.is_some_and(<[S]>::is_empty) {
            return Err(kiln_core::Error::InvalidValue {
                what: "duplicate subset".into(),
                row: None,
                reason: "no columns named: name at least one column, or pass None to compare \
                         all columns"
                    .into(),
            });
        }
        let cols: Vec<&Column> = match subset {
            Some(names) => names
                .iter()
                .map(|n| self.column(n.as_ref()))
                .collect::<Result<_>>()?,
            None => self.columns().iter().collect(),
        };
        let hashes = row_hashes(&cols, self.n_rows());
        Ok(find_duplicates(&cols, &hashes, keep))
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
#[inline(always)]
fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// The 64-bit finalizer of MurmurHash3 (Appleby), a bijection with full avalanche.
#[inline(always)]
fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn value_bits(c: &Column, i: usize) -> u64 {
    match c {
        Column::Float(v) | Column::Int(v) | Column::Bool(v) => canonical_bits(v[i]),
        Column::Categorical(cat) => u64::from(cat.codes()[i]),
    }
}

/// NaNs share one pattern and `-0.0` is `0.0`, so equal-by-pandas values hash alike.
#[inline(always)]
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
    let arch = pulp::Arch::new();
    let fill = |start: usize, out: &mut [u64]| arch.dispatch(HashRows { cols, start, out });
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

/// The hashes of the rows `start..start + out.len()`, column after column, compiled for the
/// widest instruction set at hand ([`pulp::Arch::dispatch`]): with AVX-512 the 64-bit
/// multiply and rotate of [`mix`] are vector instructions, where the baseline build mixes one
/// row at a time. The same hashes on every instruction set.
struct HashRows<'a> {
    cols: &'a [&'a Column],
    start: usize,
    out: &'a mut [u64],
}

impl pulp::WithSimd for HashRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self { cols, start, out } = self;
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
        // The multiply-rotate mix leaves the low bits weak (integer-valued floats have zero
        // low mantissa bits); a final avalanche spreads every input bit over the whole hash.
        for h in out.iter_mut() {
            *h = avalanche(*h);
        }
    }
}

/// The duplicate flags of the rows of `cols`, given each row's hash (equal rows must have
/// equal hashes; different rows may share one).
fn find_duplicates(cols: &[&Column], hashes: &[u64], keep: Keep) -> Vec<bool> {
    let n = hashes.len();
    // Rows with equal values have equal hashes, so they land in the same partition and
    // each partition is deduplicated on its own, in parallel. Within a partition rows keep
    // their order, so "first" and "last" mean what they say and the result does not
    // depend on the number of threads.
    let (offsets, order) = partition_by_hash(hashes);
    let find = |p: usize| {
        let rows = &order[offsets[p]..offsets[p + 1]];
        match keep {
            Keep::First => same_hash_pairs(rows.iter().copied()),
            Keep::Last => same_hash_pairs(rows.iter().rev().copied()),
        }
    };
    let pairs: Vec<Vec<(usize, usize)>> = if n >= PAR_ROWS {
        (0..PARTITIONS).into_par_iter().map(find).collect()
    } else {
        (0..PARTITIONS).map(find).collect()
    };
    // Each candidate row with the kept row whose hash it shares, verified in row order
    // (the values of neighbouring candidates are read from neighbouring memory).
    let mut kept_for = vec![NO_ROW; n];
    for (i, first) in pairs.into_iter().flatten() {
        kept_for[i] = first;
    }
    let mut dup = vec![false; n];
    // Column by column over a chunk's candidates: each column is then read as two ordered
    // streams (the candidates and their kept rows), where comparing row by row walked all
    // the columns at once, two reads per column per candidate, more streams than the
    // processor prefetches.
    let verify = |(start, out): (usize, &mut [bool])| {
        let pairs: Vec<(usize, usize)> = (start..start + out.len())
            .filter_map(|i| {
                let first = kept_for[i];
                (first != NO_ROW).then_some((i, first))
            })
            .collect();
        let mut equal = vec![true; pairs.len()];
        for c in cols {
            match c {
                Column::Float(v) | Column::Int(v) | Column::Bool(v) => {
                    for (e, &(i, first)) in equal.iter_mut().zip(&pairs) {
                        *e &= canonical_bits(v[first]) == canonical_bits(v[i]);
                    }
                }
                Column::Categorical(cat) => {
                    let codes = cat.codes();
                    for (e, &(i, first)) in equal.iter_mut().zip(&pairs) {
                        *e &= codes[first] == codes[i];
                    }
                }
            }
        }
        let mut mismatched = Vec::new();
        for (&(i, _), &e) in pairs.iter().zip(&equal) {
            out[i - start] = e;
            if !e {
                mismatched.push(hashes[i]);
            }
        }
        mismatched
    };
    let collisions: Vec<u64> = if n >= PAR_ROWS {
        dup.par_chunks_mut(PAR_ROWS)
            .enumerate()
            .flat_map_iter(|(c, out)| verify((c * PAR_ROWS, out)))
            .collect()
    } else {
        verify((0, &mut dup))
    };
    if !collisions.is_empty() {
        resolve_collisions(cols, hashes, &collisions, keep, &mut dup);
    }
    dup
}

/// How many partitions [`Frame::duplicated`] splits the rows into (by hash bits 32..40).
const PARTITIONS: usize = 256;

/// A counting sort of the rows by partition: `order[offsets[p]..offsets[p + 1]]` are the rows
/// of partition `p`, in increasing order, each with its hash (so a partition's hashes are read
/// from one stretch of memory, not gathered from all of `hashes`).
fn partition_by_hash(hashes: &[u64]) -> (Vec<usize>, Vec<(u64, usize)>) {
    let part = |h: u64| ((h >> 32) as usize) % PARTITIONS;
    let mut offsets = vec![0usize; PARTITIONS + 1];
    for &h in hashes {
        offsets[part(h) + 1] += 1;
    }
    for p in 0..PARTITIONS {
        offsets[p + 1] += offsets[p];
    }
    let mut next = offsets.clone();
    let mut order = vec![(0u64, 0usize); hashes.len()];
    for (i, &h) in hashes.iter().enumerate() {
        let slot = &mut next[part(h)];
        order[*slot] = (h, i);
        *slot += 1;
    }
    (offsets, order)
}

/// Marks "no row" in [`Frame::duplicated`]'s candidate table.
const NO_ROW: usize = usize::MAX;

/// The rows of one partition (each with its hash), visited in `rows` order, whose hash was
/// seen before, each with the first visited row of that hash.
fn same_hash_pairs(rows: impl ExactSizeIterator<Item = (u64, usize)>) -> Vec<(usize, usize)> {
    let mut seen: HashMap<u64, usize, BuildHasherDefault<Identity>> =
        HashMap::with_capacity_and_hasher(rows.len(), BuildHasherDefault::default());
    let mut pairs = Vec::new();
    for (h, i) in rows {
        match seen.entry(h) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(e) => pairs.push((i, *e.get())),
        }
    }
    pairs
}

/// Decides exactly, by comparing values, which rows are duplicates among all rows whose hash
/// is in `collided` (different rows that share a hash: rare).
fn resolve_collisions(
    cols: &[&Column],
    hashes: &[u64],
    collided: &[u64],
    keep: Keep,
    dup: &mut [bool],
) {
    let mut groups: HashMap<u64, Vec<usize>> = collided.iter().map(|&h| (h, Vec::new())).collect();
    for (i, h) in hashes.iter().enumerate() {
        if let Some(rows) = groups.get_mut(h) {
            rows.push(i);
        }
    }
    for rows in groups.values_mut() {
        if keep == Keep::Last {
            rows.reverse();
        }
        let mut distinct: Vec<usize> = Vec::new();
        for &i in rows.iter() {
            dup[i] = distinct.iter().any(|&d| rows_equal(cols, d, i));
            if !dup[i] {
                distinct.push(i);
            }
        }
    }
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

    /// The quadratic definition: a row is a duplicate when an equal row comes before it (after
    /// it, for `Keep::Last`).
    fn brute_force(cols: &[&Column], keep: Keep) -> Vec<bool> {
        let n = cols.first().map_or(0, |c| c.len());
        (0..n)
            .map(|i| match keep {
                Keep::First => (0..i).any(|j| rows_equal(cols, i, j)),
                Keep::Last => (i + 1..n).any(|j| rows_equal(cols, i, j)),
            })
            .collect()
    }

    proptest::proptest! {
        /// Colliding hashes (here: few distinct ones) never make unequal rows duplicates,
        /// whatever the partition or the verification order.
        #[test]
        fn duplicates_are_exact_even_when_hashes_collide(
            a in proptest::collection::vec(0u8..3, 1..200),
            salt in 0u64..5,
            buckets in 1u64..4,
            last in proptest::bool::ANY,
        ) {
            let n = a.len();
            let c0 = Column::Float(a.iter().map(|&v| f64::from(v)).collect());
            let c1 = Column::Float((0..n).map(|i| ((i * 7 + salt as usize) % 3) as f64).collect());
            let cols = [&c0, &c1];
            let keep = if last { Keep::Last } else { Keep::First };
            // Equal rows must share a hash; with `buckets` < 9 different rows share them too.
            let hashes: Vec<u64> = (0..n)
                .map(|i| (u64::from(a[i]) * 3 + ((i * 7 + salt as usize) % 3) as u64) % buckets)
                .collect();
            proptest::prop_assert_eq!(find_duplicates(&cols, &hashes, keep), brute_force(&cols, keep));
            let real = row_hashes(&cols, n);
            proptest::prop_assert_eq!(find_duplicates(&cols, &real, keep), brute_force(&cols, keep));
        }
    }

    #[test]
    fn canonical_bits_merge_nan_and_signed_zero() {
        assert_eq!(canonical_bits(f64::NAN), canonical_bits(-f64::NAN));
        assert_eq!(canonical_bits(0.0), canonical_bits(-0.0));
        assert_ne!(canonical_bits(1.0), canonical_bits(-1.0));
    }
}
