//! Binning: every feature is mapped once to at most 255 small integer bins (plus a bin for
//! missing values), so that growing a tree works on histograms of bins instead of sorted
//! values.
//!
//! Numeric features: the thresholds are the midpoints between consecutive distinct values when
//! there are at most `max_bins` of them, else the `i / max_bins` quantiles (`i = 1..max_bins`)
//! computed as NumPy's `averaged_inverted_cdf` percentiles, with duplicates removed; a value
//! `x` goes to the first bin `b` with `x <= thresholds[b]` (the last bin when above all). This
//! is scikit-learn's `_BinMapper` (1.9), so the bins, and therefore the trees, are the same.
//! The thresholds come from a seeded subsample of `subsample` rows when there are more rows.
//!
//! Categorical features: the bins are the distinct categories, sorted; a category unseen at
//! fit, a negative or non-integer value, and NaN go to the missing bin at predict time.

use kiln_core::random::rng_from_seed;
use kiln_core::{Error, Result};
use ndarray::{ArrayView2, Axis};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::seq::index::sample;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::tree::MISSING_BIN;

/// The largest finite value a threshold may take (scikit-learn clips at `ALMOST_INF = 1e300`;
/// +inf thresholds only arise for "split on NaN" and are represented by `missing_left`).
const ALMOST_INF: f64 = 1e300;

/// How the features of a model are binned; fitted once on the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BinMapper {
    /// Numeric features: the increasing bin thresholds (empty for categorical features).
    pub(crate) thresholds: Vec<Vec<f64>>,
    /// Categorical features: the known categories, increasing (empty for numeric features).
    pub(crate) categories: Vec<Vec<f64>>,
    /// Whether each feature is categorical.
    pub(crate) is_categorical: Vec<bool>,
    /// The number of non-missing bins of each feature (at least 1).
    pub(crate) n_bins: Vec<u16>,
}

/// Features per group: one 8-byte word holds a row's bins of 8 features.
pub(crate) const GROUP: usize = 8;

/// Size of the group-major words above which a sparse node's words are gathered row by row
/// first (one cache miss per row), rather than by each group's task (one per row and group,
/// cheaper while all the words stay in the last-level cache). 16 MiB is half the 32 MiB L3 of
/// the benchmark machine: clf_1m (1M × 28, 32 MiB of words) gathers rows; clf_100k (100k × 50,
/// 5.6 MiB) does not, and measured slower when it did.
pub(crate) const GATHER_BYTES: usize = 16 << 20;

/// Binned rows, three times: group-major and row-major words for histograms and a
/// column-major copy for partitions.
///
/// `words[g * n_rows + r]` and `row_words[r * n_groups + g]` hold row `r`'s bins of features
/// `8g..8g + 8` (the last group padded with zeros). A histogram task takes one group and reads
/// one word per row: from `words` when the node's rows are consecutive (the root), otherwise
/// from words gathered first from `row_words`, where all the groups of a row share one cache
/// line (a sparse row costs one memory access, not one per group). `row_words` is kept only
/// when `words` exceed [`GATHER_BYTES`]; below that, each group's task reads its own words,
/// which stay in cache. A partition reads one feature of many rows, for which a column
/// (`cols[f * n_rows + r]`) is the smallest working set.
#[derive(Debug, Clone)]
pub(crate) struct Binned {
    pub(crate) words: Vec<u64>,
    pub(crate) row_words: Vec<u64>,
    pub(crate) cols: Vec<u8>,
    pub(crate) n_rows: usize,
    pub(crate) n_features: usize,
}

impl Binned {
    /// The number of feature groups.
    #[inline]
    pub(crate) fn n_groups(&self) -> usize {
        self.n_features.div_ceil(GROUP)
    }

    /// The bin of row `r` and feature `f`.
    #[inline]
    pub(crate) fn get(&self, r: usize, f: usize) -> u8 {
        self.cols[f * self.n_rows + r]
    }

    /// The bins of feature `f`, row by row.
    #[inline]
    pub(crate) fn column(&self, f: usize) -> &[u8] {
        &self.cols[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// The words of group `g`, row by row.
    #[inline]
    pub(crate) fn group(&self, g: usize) -> &[u64] {
        &self.words[g * self.n_rows..(g + 1) * self.n_rows]
    }

    /// Whether any row of `feature` is in the missing bin.
    pub(crate) fn has_missing(&self, feature: usize) -> bool {
        self.column(feature).contains(&MISSING_BIN)
    }
}

impl BinMapper {
    /// Fits the bins of every feature of `x` (rows × features).
    ///
    /// `max_bins` is in `2..=255`; `categorical[j]` marks categorical features; thresholds come
    /// from `subsample` rows drawn without replacement with `seed` when `x` has more rows.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a categorical feature with a negative, non-integer or
    /// infinite value, or with more than `max_bins` categories.
    pub(crate) fn fit(
        x: ArrayView2<'_, f64>,
        weights: Option<&[f64]>,
        max_bins: usize,
        categorical: &[bool],
        subsample: usize,
        seed: u64,
    ) -> Result<Self> {
        let n = x.nrows();
        // Above `subsample` rows, thresholds come from a subsample (drawn in proportion to the
        // weights, with replacement, when weighted; as scikit-learn does) and are unweighted.
        let rows: Option<Vec<usize>> = (n > subsample).then(|| {
            let mut rng = rng_from_seed(seed);
            let mut idx = match weights.and_then(|w| WeightedIndex::new(w).ok()) {
                Some(dist) => (0..subsample).map(|_| dist.sample(&mut rng)).collect(),
                None => sample(&mut rng, n, subsample).into_vec(),
            };
            idx.sort_unstable();
            idx
        });
        let weights = if rows.is_some() { None } else { weights };
        let per_feature: Vec<Result<(Vec<f64>, Vec<f64>)>> = (0..x.ncols())
            .into_par_iter()
            .map(|j| {
                if categorical.get(j).copied().unwrap_or(false) {
                    // Categories come from every row, not a subsample: a rare level must
                    // still get its own bin.
                    let cats = fit_categories(x.index_axis(Axis(1), j), j, max_bins)?;
                    return Ok((Vec::new(), cats));
                }
                let col = x.index_axis(Axis(1), j);
                let thresholds = match (&rows, weights) {
                    // The non-missing values of rows of positive weight with their weights,
                    // sorted by value.
                    (None, Some(w)) => {
                        let mut pairs: Vec<(f64, f64)> = col
                            .iter()
                            .copied()
                            .zip(w.iter().copied())
                            .filter(|&(v, w)| !v.is_nan() && w != 0.0)
                            .collect();
                        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                        let (values, w): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
                        numeric_thresholds(&values, Some(&w), max_bins)
                    }
                    // Unweighted: the values alone (half the bytes to sort).
                    (rows, _) => {
                        let mut values: Vec<f64> = match rows {
                            Some(rows) => rows.iter().map(|&r| col[r]).collect(),
                            None => col.iter().copied().collect(),
                        };
                        values.retain(|v| !v.is_nan());
                        values.sort_unstable_by(f64::total_cmp);
                        numeric_thresholds(&values, None, max_bins)
                    }
                };
                Ok((thresholds, Vec::new()))
            })
            .collect();
        let mut thresholds = Vec::with_capacity(x.ncols());
        let mut categories = Vec::with_capacity(x.ncols());
        let mut n_bins = Vec::with_capacity(x.ncols());
        for r in per_feature {
            let (t, c) = r?;
            let nb = if c.is_empty() { t.len() + 1 } else { c.len() };
            // At most 255 non-missing bins, so the count fits u16 and bins fit u8 below 255.
            n_bins.push(nb.max(1) as u16);
            thresholds.push(t);
            categories.push(c);
        }
        Ok(Self {
            thresholds,
            categories,
            is_categorical: (0..x.ncols())
                .map(|j| categorical.get(j).copied().unwrap_or(false))
                .collect(),
            n_bins,
        })
    }

    /// The number of features.
    pub(crate) fn n_features(&self) -> usize {
        self.n_bins.len()
    }

    /// The bin of a numeric value of `feature`.
    #[inline]
    fn numeric_bin(&self, feature: usize, x: f64) -> u8 {
        if x.is_nan() {
            return MISSING_BIN;
        }
        // Count of thresholds strictly below x (thresholds are increasing), branch-free.
        let t = &self.thresholds[feature];
        let mut base = 0usize;
        let mut len = t.len();
        while len > 0 {
            let half = len / 2;
            if t[base + half] < x {
                base += half + 1;
                len -= half + 1;
            } else {
                len = half;
            }
        }
        base as u8
    }

    /// The bin of a category of `feature` (the missing bin for NaN and unknown categories).
    #[inline]
    pub(crate) fn category_bin(&self, feature: usize, x: f64) -> u8 {
        if x.is_nan() {
            return MISSING_BIN;
        }
        // `+ 0.0` turns -0.0 into 0.0: the same category (the codes are stored that way).
        let x = x + 0.0;
        match self.categories[feature].binary_search_by(|c| c.total_cmp(&x)) {
            Ok(b) => b as u8,
            Err(_) => MISSING_BIN,
        }
    }

    /// The bin of value `x` of `feature`.
    #[inline]
    pub(crate) fn bin(&self, feature: usize, x: f64) -> u8 {
        if self.is_categorical[feature] {
            self.category_bin(feature, x)
        } else {
            self.numeric_bin(feature, x)
        }
    }

    /// Bins every row of `x` (whose column count the caller has checked).
    pub(crate) fn transform(&self, x: ArrayView2<'_, f64>) -> Binned {
        let (n, p) = x.dim();
        let groups = p.div_ceil(GROUP);
        if n == 0 || p == 0 {
            return Binned {
                words: Vec::new(),
                row_words: Vec::new(),
                cols: Vec::new(),
                n_rows: n,
                n_features: p,
            };
        }
        // Rows in parallel (each row of `x` read once), then the other layouts from them, a
        // group of 8 features per task.
        let mut row_words = vec![0u64; n * groups];
        const ROWS: usize = 4096;
        row_words
            .par_chunks_mut(ROWS * groups)
            .enumerate()
            .for_each(|(c, out)| {
                for (i, rec) in out.chunks_exact_mut(groups).enumerate() {
                    let row = x.row(c * ROWS + i);
                    let mut bytes = [0u8; GROUP];
                    for (g, w) in rec.iter_mut().enumerate() {
                        let fs = g * GROUP..((g + 1) * GROUP).min(p);
                        bytes.fill(0);
                        for (b, f) in bytes.iter_mut().zip(fs) {
                            *b = self.bin(f, row[f]);
                        }
                        *w = u64::from_le_bytes(bytes);
                    }
                }
            });
        let mut words = vec![0u64; n * groups];
        words.par_chunks_mut(n).enumerate().for_each(|(g, out)| {
            for (w, rec) in out.iter_mut().zip(row_words.chunks_exact(groups)) {
                *w = rec[g];
            }
        });
        let mut cols = vec![0u8; n * p];
        cols.par_chunks_mut(n).enumerate().for_each(|(f, col)| {
            let shift = 8 * (f % GROUP);
            let group = &words[(f / GROUP) * n..(f / GROUP + 1) * n];
            for (c, &w) in col.iter_mut().zip(group) {
                *c = (w >> shift) as u8;
            }
        });
        // The row-major copy only serves data whose words exceed the cache budget.
        let row_words = if words.len() * 8 > GATHER_BYTES {
            row_words
        } else {
            Vec::new()
        };
        Binned {
            words,
            row_words,
            cols,
            n_rows: n,
            n_features: p,
        }
    }

    /// A copy of `x`'s row with categorical values replaced by their bins (NaN when missing or
    /// unknown), as the real-valued tree walk expects.
    #[inline]
    pub(crate) fn map_row(&self, row: impl Iterator<Item = f64>, out: &mut [f64]) {
        for (j, (v, o)) in row.zip(out.iter_mut()).enumerate() {
            *o = if self.is_categorical[j] {
                match self.category_bin(j, v) {
                    MISSING_BIN => f64::NAN,
                    b => f64::from(b),
                }
            } else {
                v
            };
        }
    }
}

/// The thresholds of a numeric feature from its non-missing values, sorted, and their weights
/// (`None`: all 1).
fn numeric_thresholds(sorted: &[f64], weights: Option<&[f64]>, max_bins: usize) -> Vec<f64> {
    let mut distinct: Vec<f64> = Vec::new();
    for &v in sorted {
        if distinct.last() != Some(&v) {
            distinct.push(v);
        }
    }
    if distinct.len() <= 1 {
        return Vec::new();
    }
    let step = 100.0 / max_bins as f64;
    let mut t: Vec<f64> = if distinct.len() <= max_bins {
        distinct.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
    } else if let Some(weights) = weights {
        // scikit-learn's _weighted_percentile(average=True): the first value whose cumulative
        // weight reaches the rank, averaged with the next one when the rank falls on it.
        let mut cdf = Vec::with_capacity(sorted.len());
        let mut acc = 0.0;
        for &w in weights {
            acc += w;
            cdf.push(acc);
        }
        let last = sorted.len() - 1;
        (1..max_bins)
            .map(|i| {
                let mut rank = (i as f64 * step) / 100.0 * acc;
                if rank == 0.0 {
                    rank = f64::from_bits(1);
                }
                let idx = cdf.partition_point(|&c| c < rank).min(last);
                if cdf[idx] - rank > f64::EPSILON {
                    sorted[idx]
                } else {
                    (sorted[idx] + sorted[(idx + 1).min(last)]) / 2.0
                }
            })
            .collect()
    } else {
        // NumPy's percentile(method="averaged_inverted_cdf") at linspace(0, 100, max_bins + 1)
        // [1:-1]: virtual index v = n·q − 1; an integer v averages sorted[v] and sorted[v + 1],
        // otherwise it takes sorted[floor(v) + 1]. The arithmetic follows NumPy's, so the
        // thresholds are bit-identical to scikit-learn's.
        let n = sorted.len();
        (1..max_bins)
            .map(|i| {
                let q = (i as f64 * step) / 100.0;
                let v = n as f64 * q - 1.0;
                let prev = v.floor();
                let gamma = v - prev;
                let a = sorted[clamp_index(prev, n)];
                let b = sorted[clamp_index(prev + 1.0, n)];
                if gamma == 0.0 {
                    // NumPy's lerp for t = 0.5: b − (b − a)·0.5.
                    b - (b - a) * 0.5
                } else {
                    b
                }
            })
            .collect()
    };
    // Quantiles repeat on heavily tied data; scikit-learn keeps the distinct ones.
    t.dedup();
    for v in &mut t {
        if *v > ALMOST_INF {
            *v = ALMOST_INF;
        }
    }
    t
}

fn clamp_index(i: f64, n: usize) -> usize {
    if i <= 0.0 { 0 } else { (i as usize).min(n - 1) }
}

/// The sorted distinct categories of a categorical column.
fn fit_categories(
    col: ndarray::ArrayView1<'_, f64>,
    feature: usize,
    max_bins: usize,
) -> Result<Vec<f64>> {
    let mut cats: Vec<f64> = Vec::new();
    for (row, &v) in col.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        if !v.is_finite() || v < 0.0 || v.fract() != 0.0 || v > f64::from(u32::MAX) {
            return Err(Error::InvalidValue {
                what: format!("categorical feature {feature} of X"),
                row: Some(row),
                reason: format!(
                    "categories must be non-negative integer codes (NaN for missing); got {v}"
                ),
            });
        }
        // -0.0 is category 0 (`+ 0.0` maps it to 0.0; `total_cmp` would keep them apart).
        cats.push(v + 0.0);
    }
    cats.sort_unstable_by(f64::total_cmp);
    cats.dedup();
    if cats.len() > max_bins {
        return Err(Error::InvalidValue {
            what: format!("categorical feature {feature} of X"),
            row: None,
            reason: format!(
                "it has {} categories, more than max_bins = {max_bins}; merge rare levels \
                 or treat the feature as numeric",
                cats.len()
            ),
        });
    }
    Ok(cats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn few_distinct_values_give_midpoints() {
        let t = numeric_thresholds(&[1.0, 1.0, 2.0, 4.0], None, 255);
        assert_eq!(t, vec![1.5, 3.0]);
    }

    #[test]
    fn quantiles_follow_averaged_inverted_cdf() {
        // 10 distinct values, 4 bins: q = 0.25, 0.5, 0.75 → v = 1.5, 4, 6.5
        // → sorted[2], mean(sorted[4], sorted[5]), sorted[7].
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(numeric_thresholds(&v, None, 4), vec![2.0, 4.5, 7.0]);
        // Unit weights through the weighted rule give the same thresholds.
        let ones = vec![1.0; 10];
        assert_eq!(numeric_thresholds(&v, Some(&ones), 4), vec![2.0, 4.5, 7.0]);
        // Weight 3 on the value 0 moves the first quartile down to it: cumulative weights
        // 3, 4, ..., 12; rank 3 lands exactly on value 0 → mean of 0 and 1.
        let mut w = ones.clone();
        w[0] = 3.0;
        assert_eq!(numeric_thresholds(&v, Some(&w), 4)[0], 0.5);
    }

    #[test]
    fn bins_and_missing() {
        let x = array![[1.0, 0.0], [2.0, 3.0], [f64::NAN, 3.0], [4.0, f64::NAN]];
        let m = BinMapper::fit(x.view(), None, 255, &[false, true], 1000, 0).unwrap();
        assert_eq!(m.thresholds[0], vec![1.5, 3.0]);
        assert_eq!(m.categories[1], vec![0.0, 3.0]);
        let b = m.transform(x.view());
        let got: Vec<u8> = (0..4).flat_map(|r| [b.get(r, 0), b.get(r, 1)]).collect();
        assert_eq!(got, vec![0, 0, 1, 1, MISSING_BIN, 1, 2, MISSING_BIN]);
        assert_eq!(b.words.len(), 4);
        assert_eq!(b.words[3], u64::from(MISSING_BIN) << 8 | 2);
        assert_eq!(m.bin(1, 7.0), MISSING_BIN);
        assert_eq!(m.bin(0, 1.5), 0);
        assert_eq!(m.bin(0, 1.5000001), 1);
    }

    #[test]
    fn transform_bins_every_value_as_bin_does() {
        // 1,037 rows, 19 features (a partial last group), every fifth one categorical, some
        // values missing, some categories unseen at fit.
        let (n, p) = (1037, 19);
        let cat: Vec<bool> = (0..p).map(|f| f % 5 == 2).collect();
        let x = ndarray::Array2::from_shape_fn((n, p), |(i, f)| {
            let h = (i * 7919 + f * 104_729) % 1000;
            if h % 37 == 0 {
                f64::NAN
            } else if cat[f] {
                (h % 9) as f64
            } else {
                (h as f64 * 0.37).sin() * 10.0
            }
        });
        let fit_rows = x.slice_axis(Axis(0), (..800).into());
        let m = BinMapper::fit(fit_rows, None, 255, &cat, 100_000, 0).unwrap();
        let b = m.transform(x.view());
        for i in 0..n {
            for f in 0..p {
                let want = m.bin(f, x[[i, f]]);
                assert_eq!(b.get(i, f), want, "row {i} feature {f}");
                assert_eq!(b.column(f)[i], want);
                assert_eq!((b.group(f / GROUP)[i] >> (8 * (f % GROUP))) as u8, want);
            }
        }
    }

    #[test]
    fn categorical_errors() {
        let x = array![[0.5], [1.0]];
        assert!(BinMapper::fit(x.view(), None, 255, &[true], 1000, 0).is_err());
        let x = array![[0.0], [1.0], [2.0]];
        assert!(BinMapper::fit(x.view(), None, 2, &[true], 1000, 0).is_err());
    }

    #[test]
    fn a_numeric_bin_counts_the_thresholds_below_the_value() {
        // Threshold lists of every length up to 254 (and empty), values on, between and
        // outside the thresholds: the bin is the count of thresholds strictly below.
        for len in 0..255usize {
            let t: Vec<f64> = (0..len).map(|i| (i * i) as f64 * 0.5 - 10.0).collect();
            let m = BinMapper {
                thresholds: vec![t.clone()],
                categories: vec![Vec::new()],
                is_categorical: vec![false],
                n_bins: vec![(len + 1) as u16],
            };
            let probes = t.iter().flat_map(|&v| [v, v - 0.25, v + 0.25]).chain([
                f64::NEG_INFINITY,
                f64::INFINITY,
                -1e300,
                1e300,
                0.0,
            ]);
            for x in probes {
                let want = t.iter().filter(|&&v| v < x).count();
                assert_eq!(usize::from(m.bin(0, x)), want, "len {len} x {x}");
            }
            assert_eq!(m.bin(0, f64::NAN), MISSING_BIN);
        }
    }
}
