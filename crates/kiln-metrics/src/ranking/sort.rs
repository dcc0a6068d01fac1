//! Scores in descending order in O(n): the keys of `kiln_core::sort` reversed, sorted by its
//! stable radix sort.

use kiln_core::sort::{RadixKey, ascending_key};

pub(crate) use kiln_core::sort::radix_sort as sort_by_key;

/// The key of a finite score: ascending keys are descending scores (`-0.0` and `0.0` share a
/// key, as scikit-learn's `np.diff` of the sorted scores treats them as one threshold).
#[inline]
pub(crate) fn descending_key(score: f64) -> u64 {
    !ascending_key(score)
}

/// A key with the position of its sample.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Indexed {
    pub(crate) key: u64,
    pub(crate) index: u32,
}

impl RadixKey for Indexed {
    #[inline]
    fn radix_key(&self) -> u64 {
        self.key
    }
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
    fn sorted_indices_follow_descending_scores_ties_in_input_order() {
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
        let mut want: Vec<u32> = (0..n).collect();
        want.sort_by(|&a, &b| {
            scores[b as usize]
                .total_cmp(&scores[a as usize])
                .then(a.cmp(&b))
        });
        sort_by_key(&mut items);
        let got: Vec<u32> = items.iter().map(|e| e.index).collect();
        assert_eq!(got, want);
    }
}
