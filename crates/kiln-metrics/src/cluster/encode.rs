//! Label encoding shared by the clustering metrics: any `usize` values to dense codes `0..k`
//! in sorted order of the values (as NumPy's `unique(return_inverse=True)`).

use ndarray::ArrayView1;

/// Labels as dense codes with the distinct values they stand for.
pub(crate) struct Encoded {
    /// The distinct label values, sorted.
    pub(crate) values: Vec<usize>,
    /// For each sample, the index of its label in `values`.
    pub(crate) codes: Vec<usize>,
    /// For each code, how many samples carry it.
    pub(crate) counts: Vec<usize>,
}

/// A lookup table is used while the largest label stays within this many entries per sample
/// (plus a constant), so it costs no more memory than the codes themselves.
const TABLE_PER_SAMPLE: usize = 4;
const TABLE_SLACK: usize = 1 << 16;

/// Encodes `labels` in O(n) through a lookup table when the values are small, else by sorting.
pub(crate) fn encode(labels: ArrayView1<'_, usize>) -> Encoded {
    let n = labels.len();
    let max = labels.iter().copied().max().unwrap_or(0);
    if max
        < TABLE_PER_SAMPLE
            .saturating_mul(n)
            .saturating_add(TABLE_SLACK)
    {
        let mut seen = vec![0usize; max + 1];
        for &l in labels {
            seen[l] += 1;
        }
        let mut values = Vec::new();
        let mut counts = Vec::new();
        // Reuse `seen` as value -> code.
        for (v, c) in seen.iter_mut().enumerate() {
            if *c > 0 {
                values.push(v);
                counts.push(*c);
                *c = values.len() - 1;
            }
        }
        let codes = labels.iter().map(|&l| seen[l]).collect();
        Encoded {
            values,
            codes,
            counts,
        }
    } else {
        let mut values: Vec<usize> = labels.to_vec();
        values.sort_unstable();
        values.dedup();
        let mut counts = vec![0usize; values.len()];
        let codes = labels
            .iter()
            .map(|l| {
                let c = values.partition_point(|v| v < l);
                counts[c] += 1;
                c
            })
            .collect();
        Encoded {
            values,
            codes,
            counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn both_paths_give_sorted_codes() {
        let small = encode(array![7usize, 3, 7, 9].view());
        assert_eq!(small.values, vec![3, 7, 9]);
        assert_eq!(small.codes, vec![1, 0, 1, 2]);
        assert_eq!(small.counts, vec![1, 2, 1]);
        let big = encode(array![usize::MAX, 3, usize::MAX, 1 << 40].view());
        assert_eq!(big.values, vec![3, 1 << 40, usize::MAX]);
        assert_eq!(big.codes, vec![2, 0, 2, 1]);
        assert_eq!(big.counts, vec![1, 1, 2]);
    }
}
