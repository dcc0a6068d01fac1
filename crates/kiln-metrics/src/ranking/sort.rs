//! Scores in descending order in O(n): an order-preserving map f64 → u64 and an LSD radix sort.
//!
//! A comparison sort of a million f64 costs about as much as scikit-learn's whole `roc_auc_score`
//! here; mapping each score to an integer key whose ascending order is the scores' descending
//! order, then sorting the keys with a least-significant-digit radix sort (11-bit digits, six
//! passes at most, a pass skipped when every key shares its digit) is linear and stable. The
//! sort is sequential, so its output never depends on the thread count.

/// Keys at or below this length are sorted by a comparison sort (the radix sort's histograms
/// and buffer cost more than they save on short inputs).
const SMALL: usize = 512;
/// Bits per radix digit: 2048 counters per pass stay in L1 cache.
const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;
const PASSES: usize = 64_usize.div_ceil(DIGIT_BITS as usize);

/// The key of a finite score: ascending keys are descending scores.
///
/// `-0.0` and `0.0` get the same key, as they compare equal (scikit-learn's `np.diff` of the
/// sorted scores treats them as one threshold).
#[inline]
pub(crate) fn descending_key(score: f64) -> u64 {
    // Adding 0.0 turns -0.0 into 0.0 and leaves every other value unchanged.
    let bits = (score + 0.0).to_bits();
    // The classic order-preserving flip: negatives reverse all bits, positives set the sign bit.
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
}

/// An element sorted by a `u64` key; `tie` orders equal keys (the original position), which
/// makes the comparison-sort path give the same order as the stable radix sort.
pub(crate) trait Keyed: Copy + Default {
    /// The sort key.
    fn key(&self) -> u64;
    /// The tie-breaker for equal keys.
    fn tie(&self) -> u32;
}

impl Keyed for u64 {
    #[inline]
    fn key(&self) -> u64 {
        *self
    }
    #[inline]
    fn tie(&self) -> u32 {
        0
    }
}

/// A key with the position of its sample.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Indexed {
    pub(crate) key: u64,
    pub(crate) index: u32,
}

impl Keyed for Indexed {
    #[inline]
    fn key(&self) -> u64 {
        self.key
    }
    #[inline]
    fn tie(&self) -> u32 {
        self.index
    }
}

/// Sorts `items` by ascending key, stably (equal keys keep their order, assumed to be ascending
/// `tie` on entry).
pub(crate) fn sort_by_key<T: Keyed>(items: &mut Vec<T>) {
    let n = items.len();
    if n <= SMALL {
        items.sort_unstable_by_key(|e| (e.key(), e.tie()));
        return;
    }
    // All digit histograms in one read of the keys.
    let mut hist = vec![[0usize; BUCKETS]; PASSES];
    for e in items.iter() {
        let k = e.key();
        for (p, h) in hist.iter_mut().enumerate() {
            h[digit(k, p)] += 1;
        }
    }
    let first = items[0].key();
    let mut buf = vec![T::default(); n];
    for (p, h) in hist.iter_mut().enumerate() {
        // Every key shares this digit: the pass would copy the data unchanged.
        if h[digit(first, p)] == n {
            continue;
        }
        let mut offset = 0;
        for c in h.iter_mut() {
            let count = *c;
            *c = offset;
            offset += count;
        }
        for e in items.iter() {
            let slot = &mut h[digit(e.key(), p)];
            buf[*slot] = *e;
            *slot += 1;
        }
        std::mem::swap(items, &mut buf);
    }
}

#[inline]
fn digit(key: u64, pass: usize) -> usize {
    ((key >> (pass as u32 * DIGIT_BITS)) as usize) & (BUCKETS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_reverse_the_order_of_scores() {
        let xs = [f64::MAX, 1.5, 1e-300, 0.0, -0.0, -1e-300, -2.0, f64::MIN];
        for w in xs.windows(2) {
            assert!(descending_key(w[0]) <= descending_key(w[1]), "{w:?}");
        }
        assert_eq!(descending_key(0.0), descending_key(-0.0));
        assert!(descending_key(1.0) < descending_key(0.5));
    }

    #[test]
    fn radix_sort_is_stable_and_matches_a_comparison_sort() {
        // Many ties and mixed signs, long enough for the radix path.
        let n = 5000_u32;
        let scores: Vec<f64> = (0..n)
            .map(|i| (((i * 7919) % 201) as f64 - 100.0) / 37.0)
            .collect();
        let mut items: Vec<Indexed> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| Indexed {
                key: descending_key(s),
                index: i as u32,
            })
            .collect();
        let mut want = items.clone();
        want.sort_by(|a, b| {
            scores[b.index as usize]
                .total_cmp(&scores[a.index as usize])
                .then(a.index.cmp(&b.index))
        });
        sort_by_key(&mut items);
        let got: Vec<u32> = items.iter().map(|e| e.index).collect();
        let want: Vec<u32> = want.iter().map(|e| e.index).collect();
        assert_eq!(got, want);
    }
}
