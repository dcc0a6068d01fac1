//! Where a fit runs: on a thread of rayon's pool, or on the caller's thread.
//!
//! A fit with many short parallel regions (a boosting round's splits, a k-means++ step) pays
//! for each region when called from outside rayon's pool: the caller hands the region to the
//! pool and sleeps until it ends, and the pool's sleeping workers are woken each time. Run on
//! a pool thread, a region starts on the calling worker and the other workers steal from it.
//! But a pool thread allocates from its own glibc malloc arena, so repeated large fits in one
//! process can each leave their freed memory in a different arena and raise the peak; large
//! data therefore stays on the caller's thread, where the wake-ups are a small share anyway.
//!
//! ```
//! let sum = kiln_core::pool::fit_on_pool(1_000, || (0..1_000u64).sum::<u64>());
//! assert_eq!(sum, 499_500);
//! ```

/// Data of at most this many values is fitted on a thread of rayon's pool by [`fit_on_pool`].
/// Measured here: a gradient-boosting fit of 100k × 50 values ran ~5 % faster on the pool; one
/// of 1M × 28 ran no faster, and its peak memory over four fits in one process rose from
/// 458 MiB to as much as 597 MiB.
pub const POOL_THREAD_MAX_VALUES: usize = 1 << 23;

/// Runs `fit` on a thread of rayon's pool (it runs in place when already on one) if the data
/// has at most [`POOL_THREAD_MAX_VALUES`] `values`, else on the calling thread. The result is
/// the same either way; only where the work starts changes.
pub fn fit_on_pool<R: Send>(values: usize, fit: impl FnOnce() -> R + Send) -> R {
    if values <= POOL_THREAD_MAX_VALUES {
        rayon::scope(|_| fit())
    } else {
        fit()
    }
}
