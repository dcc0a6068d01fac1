//! Sorting many `f64`s fast: an order-preserving map to `u64` keys and a stable
//! least-significant-digit radix sort, linear in the number of items.
//!
//! A comparison sort of a million values costs more than the rest of a ROC curve or a drift
//! profile; the radix sort reads the keys once for all digit histograms, then moves them once
//! per 11-bit digit (six passes at most), skipping a pass when every key shares that digit
//! (often the sign and exponent). It runs on one thread, so its output never depends on the
//! thread count.
//!
//! ```
//! use kiln_core::sort::{ascending_key, from_ascending_key, radix_sort};
//!
//! let values = [2.5, -1.0, 0.0, -0.0, 1e-300, -7.25];
//! let mut keys: Vec<u64> = values.iter().map(|&v| ascending_key(v)).collect();
//! radix_sort(&mut keys);
//! let sorted: Vec<f64> = keys.into_iter().map(from_ascending_key).collect();
//! assert_eq!(sorted, [-7.25, -1.0, 0.0, 0.0, 1e-300, 2.5]);
//! ```

/// Items at or below this count are sorted by the standard library's stable sort (the radix
/// sort's histograms and buffer cost more than they save on short inputs).
const SMALL: usize = 512;
/// Bits per radix digit: 2048 counters per pass stay in the L1 cache.
const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;
const PASSES: usize = 64_usize.div_ceil(DIGIT_BITS as usize);

/// The key of a finite `f64` whose unsigned order is the order of the values; `-0.0` and
/// `0.0` get the same key (they compare equal). NaN has no meaningful key: leave it out first.
#[inline]
pub fn ascending_key(x: f64) -> u64 {
    // Adding 0.0 turns -0.0 into 0.0 and leaves every other value unchanged.
    let bits = (x + 0.0).to_bits();
    // Negatives reverse all their bits, positives set the sign bit.
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The value of an [`ascending_key`] (`-0.0` comes back as `0.0`).
#[inline]
pub fn from_ascending_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// An item sorted by a `u64` key.
pub trait RadixKey: Copy + Default {
    /// The sort key.
    fn radix_key(&self) -> u64;
}

impl RadixKey for u64 {
    #[inline]
    fn radix_key(&self) -> u64 {
        *self
    }
}

/// Sorts `items` by ascending key, stably: items with equal keys keep their order.
pub fn radix_sort<T: RadixKey>(items: &mut Vec<T>) {
    let n = items.len();
    if n <= SMALL {
        items.sort_by_key(|e| e.radix_key());
        return;
    }
    // All digit histograms in one read of the keys.
    let mut hist = vec![[0usize; BUCKETS]; PASSES];
    for e in items.iter() {
        let k = e.radix_key();
        for (p, h) in hist.iter_mut().enumerate() {
            h[digit(k, p)] += 1;
        }
    }
    let first = items[0].radix_key();
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
            let slot = &mut h[digit(e.radix_key(), p)];
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
    fn keys_keep_the_order_of_values_and_round_trip() {
        let xs = [f64::MIN, -2.0, -1e-300, -0.0, 0.0, 1e-300, 1.5, f64::MAX];
        for w in xs.windows(2) {
            assert!(ascending_key(w[0]) <= ascending_key(w[1]), "{w:?}");
        }
        assert_eq!(ascending_key(0.0), ascending_key(-0.0));
        for &x in &xs {
            assert_eq!(from_ascending_key(ascending_key(x)), x + 0.0);
        }
    }

    #[derive(Clone, Copy, Default, Debug, PartialEq)]
    struct Tagged(u64, u32);

    impl RadixKey for Tagged {
        fn radix_key(&self) -> u64 {
            self.0
        }
    }

    #[test]
    fn radix_sort_is_stable_and_matches_a_stable_comparison_sort() {
        // Many ties and keys spread over every digit, long enough for the radix path.
        let items: Vec<Tagged> = (0..5000u32)
            .map(|i| {
                let v = (((i * 7919) % 201) as f64 - 100.0) * 1e5 / 37.0;
                Tagged(ascending_key(v), i)
            })
            .collect();
        let mut want = items.clone();
        want.sort_by_key(|t| t.0);
        let mut got = items;
        radix_sort(&mut got);
        assert_eq!(got, want);
    }
}
