//! The (weighted) median and percentiles that scikit-learn's regression metrics use.

use ndarray::ArrayView1;

/// The median of `values` as `numpy.median`: the middle value, or the mean of the two middle
/// values for an even count. Reorders `values`. NaN for an empty slice.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let mid = n / 2;
    let (below, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    // The largest value of the lower half is the other middle value.
    let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// The weighted percentile of scikit-learn 1.9.1's `sklearn.utils.stats._weighted_percentile`
/// (1-d, finite values, weights not all zero).
///
/// `rank` is in percent. With `average == false` this is the weighted "inverted_cdf" of
/// Hyndman & Fan (1996): the smallest value whose cumulative weight reaches
/// `rank / 100 * total`. With `average == true` ("averaged_inverted_cdf"), when the
/// cumulative weight lands exactly on that target (within machine epsilon) the result is
/// the mean of that value and the next one of positive weight, so unit weights give
/// `numpy.median`.
pub(crate) fn weighted_percentile(
    values: ArrayView1<'_, f64>,
    weights: ArrayView1<'_, f64>,
    rank: f64,
    average: bool,
) -> f64 {
    let n = values.len();
    if n == 0 || weights.iter().all(|&w| w == 0.0) {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut cdf = Vec::with_capacity(n);
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        cdf.push(acc);
    }
    let total = acc;
    let mut target = rank / 100.0 * total;
    if target == 0.0 {
        // scikit-learn skips leading zero-weight values at rank 0 (its #20528).
        target = target.next_up();
    }
    let max_idx = n - 1;
    // numpy.searchsorted(side="left"): the first position whose cumulative weight reaches the
    // target; rounding may put the target past the end (scikit-learn's #11813), hence the clip.
    let pos = cdf.partition_point(|&c| c < target).min(max_idx);
    let value = values[order[pos]];
    if !average {
        return value;
    }
    let fraction_above = cdf[pos] - target;
    if fraction_above > f64::EPSILON {
        return value;
    }
    let mut next = (pos + 1).min(max_idx);
    if weights[order[next]] == 0.0 {
        // The next value carries no weight: take the first one past this cumulative weight
        // (numpy.searchsorted(side="right")), or stay when only zero weights follow.
        let after = cdf.partition_point(|&c| c <= cdf[pos]);
        next = if after > max_idx { pos } else { after };
    }
    (value + values[order[next]]) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }

    // Hand-computed: cdf of [1, 2, 3, 4] with unit weights is [1, 2, 3, 4]; rank 50 hits 2
    // exactly, so "averaged_inverted_cdf" gives (2 + 3) / 2 and "inverted_cdf" gives 2.
    #[test]
    fn weighted_percentile_hand_cases() {
        let v = array![4.0, 1.0, 3.0, 2.0];
        let w = array![1.0, 1.0, 1.0, 1.0];
        assert_eq!(weighted_percentile(v.view(), w.view(), 50.0, true), 2.5);
        assert_eq!(weighted_percentile(v.view(), w.view(), 50.0, false), 2.0);
        assert_eq!(weighted_percentile(v.view(), w.view(), 0.0, false), 1.0);
        assert_eq!(weighted_percentile(v.view(), w.view(), 100.0, true), 4.0);
        let w = array![0.0, 0.0, 1.0, 1.0];
        // Leading zero weights are skipped at rank 0: sorted [1(0), 2(1), 3(1), 4(0)].
        assert_eq!(weighted_percentile(v.view(), w.view(), 0.0, false), 2.0);
    }
}
