//! The grouping engine: sensitive columns (one or several, giving intersectional groups) and
//! optional control columns, turned into one group index per row.
//!
//! Groups are the non-empty combinations of the columns' levels, ordered by the control
//! columns' levels first, then the sensitive columns' (each column's levels sorted), so the
//! groups of one control level are contiguous and the order matches fairlearn's `by_group`
//! index. Combinations that no row has are listed by [`Groups::empty_intersections`] and take
//! no part in any aggregate.
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//!
//! let sex = SensitiveColumn::from_strings("sex", ["f", "m", "m", "f", "m"])?;
//! let age = SensitiveColumn::from_strings("age", ["<25", "<25", ">=25", ">=25", ">=25"])?;
//! let groups = Groups::new(&[sex, age], &[])?;
//! assert_eq!(groups.n_groups(), 4);
//! assert_eq!(groups.name(0), "f, <25");
//! assert_eq!(groups.counts(), &[1, 1, 1, 2]);
//! assert_eq!(groups.group_of(), &[0, 2, 3, 1, 3]);
//! # Ok::<(), kiln_core::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use kiln_core::check::{check_same_len, check_sample_weight};
use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

/// What a missing value in a sensitive or control column means.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MissingPolicy {
    /// A missing value is an error naming the column and the row (the default: an unknown
    /// group cannot be judged, and silently dropping rows hides who they were).
    #[default]
    Error,
    /// A missing value is a group of its own, with this level name (e.g. `"missing"`).
    Group(String),
}

/// One sensitive (or control) column: a name, its levels (sorted) and each row's level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitiveColumn {
    name: String,
    levels: Vec<String>,
    codes: Vec<u32>,
}

impl SensitiveColumn {
    /// A column from values where `None` is missing, handled by `missing`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the column and row of a missing value under
    /// [`MissingPolicy::Error`]; [`Error::EmptyInput`] for no values.
    pub fn from_values<I, S>(
        name: impl Into<String>,
        values: I,
        missing: &MissingPolicy,
    ) -> Result<Self>
    where
        I: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let name = name.into();
        let mut raw: Vec<String> = Vec::new();
        for (row, v) in values.into_iter().enumerate() {
            match (v, missing) {
                (Some(s), _) => raw.push(s.as_ref().to_owned()),
                (None, MissingPolicy::Group(level)) => raw.push(level.clone()),
                (None, MissingPolicy::Error) => {
                    return Err(Error::InvalidValue {
                        what: format!("sensitive column `{name}`"),
                        row: Some(row),
                        reason: "missing value; pass MissingPolicy::Group to make missing \
                                 values a group of their own"
                            .into(),
                    });
                }
            }
        }
        Self::from_owned(name, raw)
    }

    /// A column from values that are all present.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for no values.
    pub fn from_strings<I, S>(name: impl Into<String>, values: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::from_owned(
            name.into(),
            values.into_iter().map(|s| s.as_ref().to_owned()).collect(),
        )
    }

    /// A column from integer codes; level `c` is named `level_names[c]` when given, else `c`.
    /// Levels are ordered by code; only codes that occur become levels.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for no values; [`Error::InvalidValue`] for a code without a name.
    pub fn from_codes(
        name: impl Into<String>,
        codes: ArrayView1<'_, usize>,
        level_names: Option<&[String]>,
    ) -> Result<Self> {
        let name = name.into();
        check_not_empty(&name, codes.len())?;
        // The distinct codes, sorted: through a dense table when the codes are small (the
        // usual case, one lookup per row), else by sorting a copy.
        let max = codes.iter().copied().max().unwrap_or(0);
        let dense = max < (1 << 20);
        let distinct: Vec<usize> = if dense {
            let mut seen = vec![false; max + 1];
            for &c in codes {
                seen[c] = true;
            }
            (0..=max).filter(|&c| seen[c]).collect()
        } else {
            let mut v = codes.to_vec();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut levels = Vec::with_capacity(distinct.len());
        for &code in &distinct {
            levels.push(match level_names {
                Some(names) => names
                    .get(code)
                    .cloned()
                    .ok_or_else(|| Error::InvalidValue {
                        what: format!("sensitive column `{name}`"),
                        row: codes.iter().position(|&c| c == code),
                        reason: format!(
                            "code {code} has no level name ({} names given)",
                            names.len()
                        ),
                    })?,
                None => code.to_string(),
            });
        }
        let codes: Vec<u32> = if dense {
            let mut table = vec![0u32; max + 1];
            for (k, &c) in distinct.iter().enumerate() {
                table[c] = k as u32;
            }
            codes.iter().map(|&c| table[c]).collect()
        } else {
            codes
                .iter()
                .map(|c| distinct.binary_search(c).map_or(0, |k| k as u32))
                .collect()
        };
        Ok(Self {
            name,
            levels,
            codes,
        })
    }

    fn from_owned(name: String, raw: Vec<String>) -> Result<Self> {
        check_not_empty(&name, raw.len())?;
        let mut index: BTreeMap<&str, u32> = raw.iter().map(|s| (s.as_str(), 0)).collect();
        for (k, slot) in index.values_mut().enumerate() {
            *slot = k as u32;
        }
        let codes = raw.iter().map(|s| index[s.as_str()]).collect();
        let levels = index.keys().map(|s| (*s).to_owned()).collect();
        Ok(Self {
            name,
            levels,
            codes,
        })
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The levels, sorted (by name for strings, by code for codes).
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    /// Each row's level, an index into [`SensitiveColumn::levels`].
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the column has no rows (never true for a constructed column).
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

fn check_not_empty(name: &str, n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::EmptyInput {
            what: format!("sensitive column `{name}`"),
            reason: "0 rows".into(),
        });
    }
    Ok(())
}

/// Level combinations at most this many are enumerated to list the empty intersections.
const MAX_ENUMERATED: usize = 1 << 16;

/// Rows grouped by the combination of their sensitive (and control) levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    sensitive_names: Vec<String>,
    control_names: Vec<String>,
    /// Levels of every column, control columns first.
    levels: Vec<Vec<String>>,
    /// Level codes of each group, control columns first.
    keys: Vec<Vec<u32>>,
    group_of: Vec<u32>,
    counts: Vec<usize>,
    /// The groups of each control level (one range covering all groups without controls).
    control_ranges: Vec<Range<usize>>,
    empty: Vec<Vec<String>>,
    n_rows: usize,
}

impl Groups {
    /// Groups the rows by their sensitive columns' levels, within the control columns' levels.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] without sensitive columns; [`Error::ShapeMismatch`] when the
    /// columns have different lengths.
    pub fn new(sensitive: &[SensitiveColumn], control: &[SensitiveColumn]) -> Result<Self> {
        let Some(first) = sensitive.first() else {
            return Err(Error::EmptyInput {
                what: "sensitive columns".into(),
                reason: "none given; at least one is needed to form groups".into(),
            });
        };
        let n_rows = first.len();
        let columns: Vec<&SensitiveColumn> = control.iter().chain(sensitive).collect();
        for c in &columns {
            check_same_len(
                &format!("rows of column `{}` against `{}`", c.name, first.name),
                n_rows,
                c.len(),
            )?;
        }
        // Mixed-radix keys, last column fastest: ascending keys are lexicographic level order.
        let radices: Vec<u64> = columns.iter().map(|c| c.levels.len() as u64).collect();
        let product = radices
            .iter()
            .try_fold(1u64, |acc, &r| acc.checked_mul(r.max(1)));
        let mut row_keys = vec![0u64; n_rows];
        let mut stride = 1u64;
        for (c, &r) in columns.iter().zip(&radices).rev() {
            for (k, &code) in row_keys.iter_mut().zip(&c.codes) {
                *k += u64::from(code) * stride;
            }
            stride = stride.saturating_mul(r.max(1));
        }
        let (group_of, present) = compact(&row_keys, product);
        let decode = |key: u64| -> Vec<u32> {
            let mut codes = vec![0u32; radices.len()];
            let mut rest = key;
            for (slot, &r) in codes.iter_mut().zip(&radices).rev() {
                *slot = (rest % r.max(1)) as u32;
                rest /= r.max(1);
            }
            codes
        };
        let keys: Vec<Vec<u32>> = present.iter().map(|&k| decode(k)).collect();
        let mut counts = vec![0usize; keys.len()];
        for &g in &group_of {
            counts[g as usize] += 1;
        }
        let n_control = control.len();
        let mut control_ranges: Vec<Range<usize>> = Vec::new();
        for (g, key) in keys.iter().enumerate() {
            let same = g > 0 && keys[g - 1][..n_control] == key[..n_control];
            match control_ranges.last_mut() {
                Some(r) if same => r.end = g + 1,
                _ => control_ranges.push(g..g + 1),
            }
        }
        let levels: Vec<Vec<String>> = columns.iter().map(|c| c.levels.clone()).collect();
        let mut empty = Vec::new();
        if let Some(total) = product.filter(|&p| p as usize <= MAX_ENUMERATED) {
            let mut next = present.iter().peekable();
            for key in 0..total {
                if next.peek() == Some(&&key) {
                    next.next();
                    continue;
                }
                let codes = decode(key);
                empty.push(
                    codes
                        .iter()
                        .zip(&levels)
                        .map(|(&c, l)| l[c as usize].clone())
                        .collect(),
                );
            }
        }
        Ok(Self {
            sensitive_names: sensitive.iter().map(|c| c.name.clone()).collect(),
            control_names: control.iter().map(|c| c.name.clone()).collect(),
            levels,
            keys,
            group_of,
            counts,
            control_ranges,
            empty,
            n_rows,
        })
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The number of non-empty groups.
    pub fn n_groups(&self) -> usize {
        self.keys.len()
    }

    /// Each row's group, an index below [`Groups::n_groups`].
    pub fn group_of(&self) -> &[u32] {
        &self.group_of
    }

    /// The number of rows in each group.
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// The total sample weight of each group (the counts as `f64` without weights).
    ///
    /// # Errors
    /// As [`kiln_core::check::check_sample_weight`] against the number of rows.
    pub fn weights(&self, sample_weight: Option<ArrayView1<'_, f64>>) -> Result<Vec<f64>> {
        check_sample_weight(sample_weight, self.n_rows)?;
        let mut out = vec![0.0; self.n_groups()];
        match sample_weight {
            Some(w) => {
                for (&g, &wi) in self.group_of.iter().zip(w) {
                    out[g as usize] += wi;
                }
            }
            None => {
                for (o, &c) in out.iter_mut().zip(&self.counts) {
                    *o = c as f64;
                }
            }
        }
        Ok(out)
    }

    /// The names of the sensitive columns.
    pub fn sensitive_names(&self) -> &[String] {
        &self.sensitive_names
    }

    /// The names of the control columns (empty without controls).
    pub fn control_names(&self) -> &[String] {
        &self.control_names
    }

    /// The sensitive columns' levels of group `g`, in column order.
    pub fn sensitive_levels(&self, g: usize) -> Vec<&str> {
        self.levels_of(g, self.control_names.len()..self.levels.len())
    }

    /// The control columns' levels of group `g` (empty without controls).
    pub fn control_levels(&self, g: usize) -> Vec<&str> {
        self.levels_of(g, 0..self.control_names.len())
    }

    fn levels_of(&self, g: usize, columns: Range<usize>) -> Vec<&str> {
        let Some(key) = self.keys.get(g) else {
            return Vec::new();
        };
        columns
            .map(|c| self.levels[c][key[c] as usize].as_str())
            .collect()
    }

    /// The group's name: its sensitive levels joined by `", "` (e.g. `"female, <25"`),
    /// preceded by its control levels and `" | "` when there are control columns.
    pub fn name(&self, g: usize) -> String {
        let sensitive = self.sensitive_levels(g).join(", ");
        if self.control_names.is_empty() {
            sensitive
        } else {
            format!("{} | {sensitive}", self.control_levels(g).join(", "))
        }
    }

    /// The groups of each control level, as contiguous ranges of group indices; a single
    /// range covering every group when there are no control columns.
    pub fn control_ranges(&self) -> &[Range<usize>] {
        &self.control_ranges
    }

    /// The level combinations (control columns first) that no row has. They take no part in
    /// any aggregate. Listed when the columns have at most 65,536 combinations.
    pub fn empty_intersections(&self) -> &[Vec<String>] {
        &self.empty
    }
}

/// Maps each row's key to a compact group index, in ascending key order; returns the row
/// groups and the present keys.
fn compact(row_keys: &[u64], product: Option<u64>) -> (Vec<u32>, Vec<u64>) {
    match product.filter(|&p| p as usize <= 1 << 24) {
        Some(p) => {
            // Dense table: one pass to mark, one to number, one to map.
            let mut slot = vec![u32::MAX; p as usize];
            for &k in row_keys {
                slot[k as usize] = 0;
            }
            let mut present = Vec::new();
            for (k, s) in slot.iter_mut().enumerate() {
                if *s == 0 {
                    *s = present.len() as u32;
                    present.push(k as u64);
                }
            }
            (
                row_keys.iter().map(|&k| slot[k as usize]).collect(),
                present,
            )
        }
        None => {
            let mut present: Vec<u64> = row_keys.to_vec();
            present.sort_unstable();
            present.dedup();
            let index: HashMap<u64, u32> = present
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect();
            (row_keys.iter().map(|k| index[k]).collect(), present)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_columns_come_first_and_empty_intersections_are_listed() {
        let s = SensitiveColumn::from_strings("s", ["a", "b", "a", "b"]).unwrap();
        let c = SensitiveColumn::from_strings("c", ["x", "x", "y", "y"]).unwrap();
        let t = SensitiveColumn::from_strings("t", ["u", "u", "u", "v"]).unwrap();
        let g = Groups::new(&[s, t], &[c]).unwrap();
        // (x, a, u), (x, b, u), (y, a, u), (y, b, v)
        assert_eq!(g.n_groups(), 4);
        assert_eq!(g.name(3), "y | b, v");
        assert_eq!(g.control_ranges(), &[0..2, 2..4]);
        assert_eq!(g.empty_intersections().len(), 8 - 4);
        assert_eq!(g.empty_intersections()[0], vec!["x", "a", "v"]);
    }

    #[test]
    fn missing_values_are_an_error_or_a_group() {
        let v = [Some("a"), None, Some("b")];
        let err = SensitiveColumn::from_values("sex", v, &MissingPolicy::Error).unwrap_err();
        assert!(err.to_string().contains("sex") && err.to_string().contains("row 1"));
        let col = SensitiveColumn::from_values("sex", v, &MissingPolicy::Group("missing".into()))
            .unwrap();
        assert_eq!(col.levels(), &["a", "b", "missing"]);
        assert_eq!(col.codes(), &[0, 2, 1]);
    }

    #[test]
    fn codes_keep_their_order_and_names_dense_or_sparse() {
        let names: Vec<String> = ["zero", "one", "two", "three"].map(String::from).to_vec();
        let codes = ndarray::array![3usize, 1, 3, 0];
        let col = SensitiveColumn::from_codes("c", codes.view(), Some(&names)).unwrap();
        assert_eq!(col.levels(), &["zero", "one", "three"]);
        assert_eq!(col.codes(), &[2, 1, 2, 0]);
        let big = ndarray::array![5_000_000usize, 7, 5_000_000];
        let col = SensitiveColumn::from_codes("b", big.view(), None).unwrap();
        assert_eq!(col.levels(), &["7", "5000000"]);
        assert_eq!(col.codes(), &[1, 0, 1]);
        let err = SensitiveColumn::from_codes("c", codes.view(), Some(&names[..2])).unwrap_err();
        assert!(err.to_string().contains("code 3"), "{err}");
    }

    #[test]
    fn sparse_keys_use_the_hash_path() {
        let n = 3000;
        let a: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
        let b: Vec<String> = (0..n).map(|i| format!("b{}", i % 7)).collect();
        let c: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let cols = [
            SensitiveColumn::from_strings("a", &a).unwrap(),
            SensitiveColumn::from_strings("b", &b).unwrap(),
            SensitiveColumn::from_strings("c", &c).unwrap(),
        ];
        // 3000 * 7 * 3000 combinations: too many for the dense table.
        let g = Groups::new(&cols, &[]).unwrap();
        assert_eq!(g.n_groups(), n);
        assert!(g.empty_intersections().is_empty());
        assert_eq!(g.counts().iter().sum::<usize>(), n);
    }
}
