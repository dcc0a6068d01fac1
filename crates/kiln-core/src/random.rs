//! Seeds and random-number generators.
//!
//! Everything random in kiln takes a `seed: u64` parameter (default [`DEFAULT_SEED`] unless an
//! estimator documents otherwise) and builds its generator with [`rng_from_seed`]. Work split
//! across threads never shares a generator: task `i` uses [`task_rng`]`(seed, i)`, so results do
//! not depend on how many threads run the tasks or in which order.
//!
//! The generator is ChaCha8 ([`KilnRng`]), whose output is fixed by its specification, so a seed
//! gives the same stream on every platform and in every future release (unlike `rand`'s
//! `StdRng`, whose algorithm may change).

use rand::SeedableRng;

/// The random-number generator used throughout kiln.
pub type KilnRng = rand_chacha::ChaCha8Rng;

/// The seed used when a caller does not choose one.
pub const DEFAULT_SEED: u64 = 0;

/// A generator seeded from `seed`.
pub fn rng_from_seed(seed: u64) -> KilnRng {
    KilnRng::seed_from_u64(seed)
}

/// A seed for sub-task `index` of the work seeded by `seed`.
///
/// Mixes both through the SplitMix64 finalizer (Steele, Lea & Flood 2014), so neighbouring
/// seeds and indices give unrelated streams. Derivations nest: the seed of node `j` of tree `i`
/// is `derive_seed(derive_seed(seed, i), j)`.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed
        .wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of parallel sub-task `index` of the work seeded by `seed`.
pub fn task_rng(seed: u64, index: u64) -> KilnRng {
    rng_from_seed(derive_seed(seed, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_seed_same_stream() {
        let (mut r1, mut r2) = (rng_from_seed(7), rng_from_seed(7));
        let a: Vec<u64> = (0..4).map(|_| r1.random()).collect();
        let b: Vec<u64> = (0..4).map(|_| r2.random()).collect();
        assert_eq!(a, b);
        let mut r3 = rng_from_seed(8);
        assert_ne!(a[0], r3.random::<u64>());
    }

    #[test]
    fn derived_seeds_differ() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..1000).map(|i| derive_seed(42, i)).collect();
        assert_eq!(seeds.len(), 1000);
        assert_ne!(derive_seed(1, 0), derive_seed(0, 1));
        let mut r0 = task_rng(3, 0);
        let mut r1 = task_rng(3, 1);
        assert_ne!(r0.random::<u64>(), r1.random::<u64>());
    }

    #[test]
    fn chacha8_stream_is_pinned() {
        // Pins the generator so a dependency update that changed the stream would be noticed:
        // saved seeds must keep giving the same models.
        let mut r = rng_from_seed(0);
        let first: u64 = r.random();
        let mut again = rng_from_seed(0);
        assert_eq!(first, again.random::<u64>());
        assert_eq!(first, PINNED_FIRST_U64);
    }

    /// The first `u64` of `rng_from_seed(0)`, recorded from rand_chacha 0.9.
    const PINNED_FIRST_U64: u64 = 13_080_132_717_333_068_652;
}
