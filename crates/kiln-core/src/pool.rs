//! Where parallel work runs: a fit on a thread of rayon's pool or on the caller's thread
//! ([`fit_on_pool`]); a short region entered from the caller's thread on the caller and the
//! pool together ([`map_chunks_mut`]).
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

/// `f(i, chunk)` for every `chunk_len`-long chunk `i` of `data` (the last may be shorter), in
/// parallel; the results in chunk order. The same as rayon's
/// `par_chunks_mut(chunk_len).enumerate().map(f).collect()`, but called from outside rayon's
/// pool the calling thread takes chunks too, beside one helper job per worker, each claiming
/// the next chunk until none is left.
///
/// Why: a parallel region entered from outside the pool puts the caller to sleep and wakes a
/// worker, which wakes the next. Measured here (two virtual CPUs, a 0.4 ms region of 25
/// chunks, twelve calls a process): the scheduler often placed both woken workers on one CPU
/// and left the other idle, so the region ran at one thread's speed, 0.7 instead of 0.4 ms
/// in about a third of the processes (whole processes at a time: `perf sched` showed the two
/// workers alternating on one CPU); with the caller working beside the helpers the same region
/// kept to two threads' speed (medians 0.18–0.25 against 0.19–0.47 ms). On a pool thread,
/// with a one-thread pool or a single chunk it is rayon's own loop. Which thread computes a
/// chunk never changes its result.
///
/// ```
/// let mut v = vec![1u64; 10_000];
/// let sums = kiln_core::pool::map_chunks_mut(&mut v, 4096, |i, c| {
///     c.iter_mut().for_each(|x| *x += i as u64);
///     c.iter().sum::<u64>()
/// });
/// assert_eq!(sums, vec![4096, 2 * 4096, 3 * (10_000 - 2 * 4096)]);
/// ```
pub fn map_chunks_mut<T: Send, R: Send>(
    data: &mut [T],
    chunk_len: usize,
    f: impl Fn(usize, &mut [T]) -> R + Sync,
) -> Vec<R> {
    map_items(data.chunks_mut(chunk_len.max(1)).collect(), f)
}

/// `f(i, item)` for every item of `items`, in parallel as [`map_chunks_mut`] (whose chunks
/// are such items): the results in order. For chunks of several slices at once, zipped.
///
/// ```
/// let (mut a, mut b) = (vec![1u32; 10], vec![0u32; 10]);
/// let items: Vec<_> = a.chunks_mut(4).zip(b.chunks_mut(4)).collect();
/// let lens = kiln_core::pool::map_items(items, |i, (a, b)| {
///     b.copy_from_slice(a);
///     b.iter_mut().for_each(|x| *x += i as u32);
///     b.len()
/// });
/// assert_eq!(lens, vec![4, 4, 2]);
/// assert_eq!(b, vec![1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
/// ```
pub fn map_items<I: Send, R: Send>(items: Vec<I>, f: impl Fn(usize, I) -> R + Sync) -> Vec<R> {
    use rayon::prelude::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let helpers = rayon::current_num_threads();
    if rayon::current_thread_index().is_some() || helpers < 2 || items.len() < 2 {
        return items
            .into_par_iter()
            .enumerate()
            .map(|(i, c)| f(i, c))
            .collect();
    }
    let slots: Vec<Mutex<Option<I>>> = items.into_iter().map(|c| Mutex::new(Some(c))).collect();
    let results: Vec<Mutex<Option<R>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // Claims items until none is left; `f` runs outside the locks, so a panic in it (which
    // the scope passes on to the caller) poisons none.
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(slot) = slots.get(i) else { break };
        let item = slot.lock().ok().and_then(|mut s| s.take());
        if let Some(item) = item {
            let r = f(i, item);
            if let Some(Ok(mut out)) = results.get(i).map(|m| m.lock()) {
                *out = Some(r);
            }
        }
    };
    rayon::in_place_scope(|s| {
        for _ in 0..helpers {
            s.spawn(|_| work());
        }
        work();
    });
    // Every item was claimed once and computed before the scope ended.
    results
        .into_iter()
        .filter_map(|r| r.into_inner().ok().flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Runs `map_chunks_mut` over `0..n` with chunks of `len`: every value gets its chunk's
    /// index added, each chunk returns (index, its first value, its length). Checked against
    /// the same computed one chunk at a time.
    fn check(n: usize, len: usize) {
        let calls = AtomicUsize::new(0);
        let mut v: Vec<usize> = (0..n).collect();
        let got = map_chunks_mut(&mut v, len, |i, c| {
            calls.fetch_add(1, Ordering::Relaxed);
            c.iter_mut().for_each(|x| *x += i * 1_000_000);
            (i, c.first().copied(), c.len())
        });
        let mut w: Vec<usize> = (0..n).collect();
        let want: Vec<_> = w
            .chunks_mut(len.max(1))
            .enumerate()
            .map(|(i, c)| {
                c.iter_mut().for_each(|x| *x += i * 1_000_000);
                (i, c.first().copied(), c.len())
            })
            .collect();
        assert_eq!(got, want, "n = {n}, len = {len}");
        assert_eq!(v, w, "n = {n}, len = {len}");
        assert_eq!(calls.load(Ordering::Relaxed), want.len(), "each chunk once");
    }

    const SIZES: [(usize, usize); 9] = [
        (0, 4),
        (1, 4),
        (3, 4),
        (4, 4),
        (5, 4),
        (4096 * 25 + 17, 4096),
        (1000, 7),
        (10, 0),
        (64, 1),
    ];

    /// The test thread is outside rayon's pool, so with two or more CPUs (CI has two) this
    /// takes the branch where the caller claims chunks beside the helpers.
    #[test]
    fn map_chunks_mut_from_outside_the_pool_matches_a_sequential_map() {
        assert!(rayon::current_thread_index().is_none());
        for (n, len) in SIZES {
            check(n, len);
        }
    }

    #[test]
    fn map_chunks_mut_on_a_pool_thread_and_on_one_thread_matches_too() {
        rayon::scope(|_| {
            for (n, len) in SIZES {
                check(n, len);
            }
        });
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        assert!(one.is_ok());
        if let Ok(one) = one {
            one.install(|| {
                for (n, len) in SIZES {
                    check(n, len);
                }
            });
        }
    }
}
