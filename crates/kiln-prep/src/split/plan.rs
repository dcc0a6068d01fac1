//! [`FoldPlan`]: the folds of a split kept compact and written out one at a time.

use super::Fold;

/// The folds of a split, kept compact and written out one fold at a time into a buffer the
/// caller reuses.
///
/// [`Splitter::folds`](super::Splitter::folds) returns every fold's train and test indices at
/// once: `n_splits` × `n_samples` indices, which for 5 folds of 100,000 samples is 4 MB to
/// allocate and fill before the first fit starts. Cross-validation only needs one fold at a
/// time per worker, so [`Splitter::plan`](super::Splitter::plan) returns this instead:
///
/// - for the k-fold splitters ([`KFold`](super::KFold),
///   [`StratifiedKFold`](super::StratifiedKFold), [`GroupKFold`](super::GroupKFold)), whose
///   test sets partition the samples, one fold number per sample; [`FoldPlan::fold`] writes
///   fold `k`'s ascending indices into the buffer (two ranges when the folds are consecutive
///   blocks, as unshuffled `KFold`'s are);
/// - for any other splitter, the listed folds, handed out by reference.
///
/// Either way `plan.fold(k, &mut buf)` equals `folds[k]`.
///
/// ```
/// use kiln_prep::split::{Fold, KFold, Splitter};
///
/// let cv = KFold::default().with_n_splits(3).with_shuffle(true);
/// let folds = cv.folds(10, None, None)?;
/// let plan = cv.plan(10, None, None)?;
/// assert_eq!(plan.n_folds(), 3);
/// let mut buf = Fold::default();
/// for (k, fold) in folds.iter().enumerate() {
///     assert_eq!(plan.fold(k, &mut buf), Some(fold));
/// }
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldPlan {
    repr: Repr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    /// `fold_of[i]` is the fold whose test set holds sample `i`; `sizes[k]` counts them.
    /// `starts[k]` is the sum of the sizes before fold `k`. `blocks` when `fold_of` is
    /// non-decreasing, so fold `k`'s test set is the run of samples from `starts[k]`.
    Partition {
        fold_of: Vec<usize>,
        sizes: Vec<usize>,
        starts: Vec<usize>,
        blocks: bool,
    },
    /// The folds in full.
    Listed(Vec<Fold>),
}

impl FoldPlan {
    /// A plan that hands out `folds` as they are.
    pub fn listed(folds: Vec<Fold>) -> Self {
        Self {
            repr: Repr::Listed(folds),
        }
    }

    /// A plan whose test sets partition the samples: `fold_of[i]` is the fold whose test set
    /// holds sample `i`, and every other fold trains on it. Fold numbers at or above
    /// `n_splits` put the sample in no test set (and in every training set).
    pub(crate) fn partition(fold_of: Vec<usize>, n_splits: usize) -> Self {
        // One pass: the size of each fold, and whether the fold numbers are valid and never
        // decrease (consecutive blocks).
        let mut sizes = vec![0usize; n_splits];
        let (mut blocks, mut previous) = (true, 0);
        for &owner in &fold_of {
            match sizes.get_mut(owner) {
                Some(s) => *s += 1,
                None => blocks = false,
            }
            blocks &= owner >= previous;
            previous = owner;
        }
        let mut starts = Vec::with_capacity(n_splits);
        let mut start = 0;
        for &size in &sizes {
            starts.push(start);
            start += size;
        }
        Self {
            repr: Repr::Partition {
                fold_of,
                sizes,
                starts,
                blocks,
            },
        }
    }

    /// The number of folds.
    pub fn n_folds(&self) -> usize {
        match &self.repr {
            Repr::Partition { sizes, .. } => sizes.len(),
            Repr::Listed(folds) => folds.len(),
        }
    }

    /// The number of samples a partition was made for (`None` for a listed plan, whose
    /// indices are not inspected).
    pub fn n_samples(&self) -> Option<usize> {
        match &self.repr {
            Repr::Partition { fold_of, .. } => Some(fold_of.len()),
            Repr::Listed(_) => None,
        }
    }

    /// Whether every sample is in exactly one test set (true for the k-fold splitters' plans;
    /// a listed plan is not inspected and answers `false`).
    pub fn is_partition(&self) -> bool {
        match &self.repr {
            Repr::Partition { fold_of, sizes, .. } => sizes.iter().sum::<usize>() == fold_of.len(),
            Repr::Listed(_) => false,
        }
    }

    /// The sizes of fold `k`'s train and test sets, without writing the fold out; `None` when
    /// `k` is not below [`Self::n_folds`].
    pub fn fold_sizes(&self, k: usize) -> Option<(usize, usize)> {
        match &self.repr {
            Repr::Partition { fold_of, sizes, .. } => {
                let test = *sizes.get(k)?;
                Some((fold_of.len() - test, test))
            }
            Repr::Listed(folds) => folds.get(k).map(|f| (f.train.len(), f.test.len())),
        }
    }

    /// Fold `k`: written into `buf` (whose memory is reused) for a partition, borrowed from
    /// the list otherwise. `None` when `k` is not below [`Self::n_folds`].
    pub fn fold<'a>(&'a self, k: usize, buf: &'a mut Fold) -> Option<&'a Fold> {
        match &self.repr {
            Repr::Listed(folds) => folds.get(k),
            Repr::Partition {
                fold_of,
                sizes,
                starts,
                blocks,
            } => {
                let (size, start) = (*sizes.get(k)?, *starts.get(k)?);
                if *blocks {
                    fill_blocks(fold_of.len(), start, start + size, buf);
                } else {
                    fill_scattered(fold_of, k, size, buf);
                }
                Some(buf)
            }
        }
    }

    /// Every fold, written out.
    pub fn into_folds(self) -> Vec<Fold> {
        match self.repr {
            Repr::Listed(folds) => folds,
            plan @ Repr::Partition { .. } => {
                let plan = Self { repr: plan };
                (0..plan.n_folds())
                    .map(|k| {
                        let mut fold = Fold::default();
                        plan.fold(k, &mut fold);
                        fold
                    })
                    .collect()
            }
        }
    }
}

/// Fold whose test set is the run `start..end` of `0..n`: test is that run, train the rest.
fn fill_blocks(n: usize, start: usize, end: usize, buf: &mut Fold) {
    buf.test.clear();
    buf.test.extend(start..end);
    buf.train.clear();
    buf.train.extend((0..start).chain(end..n));
}

/// Fold `k` of the assignment `fold_of` (`size` samples in its test set), both lists
/// ascending.
///
/// Branch-free: every sample is written to the next slot of both lists and only the list it
/// belongs to advances (a shuffled assignment would mispredict a branch on every few
/// samples). One spare slot per list takes the writes after its last sample; it is cut off
/// at the end. The lists are resized rather than cleared, so a reused buffer of about the
/// right length is not zero-filled again before being overwritten. (Measured on 100,000
/// samples: writing the test sets once into a list sorted by fold and only the training set
/// here was no faster, as the extra list costs what the second store saves.)
fn fill_scattered(fold_of: &[usize], k: usize, size: usize, buf: &mut Fold) {
    let n_train = fold_of.len() - size;
    buf.test.resize(size + 1, 0);
    buf.train.resize(n_train + 1, 0);
    let (test, train) = (&mut buf.test[..], &mut buf.train[..]);
    let (mut a, mut b) = (0usize, 0usize);
    for (sample, &owner) in fold_of.iter().enumerate() {
        let own = usize::from(owner == k);
        test[a] = sample;
        train[b] = sample;
        a += own;
        b += 1 - own;
    }
    buf.test.truncate(size);
    buf.train.truncate(n_train);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(plan: &FoldPlan) -> Vec<Fold> {
        let mut buf = Fold::default();
        (0..plan.n_folds())
            .map(|k| plan.fold(k, &mut buf).cloned().unwrap_or_default())
            .collect()
    }

    #[test]
    fn scattered_and_block_assignments_give_disjoint_sorted_folds() {
        let plan = FoldPlan::partition(vec![1, 0, 1, 0], 2);
        assert!(plan.is_partition());
        assert_eq!(plan.n_samples(), Some(4));
        let want = vec![
            Fold {
                train: vec![0, 2],
                test: vec![1, 3],
            },
            Fold {
                train: vec![1, 3],
                test: vec![0, 2],
            },
        ];
        assert_eq!(all(&plan), want);
        assert_eq!(plan.clone().into_folds(), want);
        let blocks = FoldPlan::partition(vec![0, 0, 1, 2, 2], 3);
        assert_eq!(
            all(&blocks),
            vec![
                Fold {
                    train: vec![2, 3, 4],
                    test: vec![0, 1],
                },
                Fold {
                    train: vec![0, 1, 3, 4],
                    test: vec![2],
                },
                Fold {
                    train: vec![0, 1, 2],
                    test: vec![3, 4],
                },
            ]
        );
        assert_eq!(blocks.fold_sizes(1), Some((4, 1)));
        assert_eq!(blocks.fold_sizes(3), None);
        assert_eq!(blocks.fold(3, &mut Fold::default()), None);
    }

    #[test]
    fn a_reused_buffer_of_another_length_is_refilled_exactly() {
        // Long buffer first, then a short fold, then a long one again.
        let plan = FoldPlan::partition(vec![0, 1, 1, 1, 0, 1, 1, 1, 1], 2);
        let mut buf = Fold {
            train: vec![99; 20],
            test: vec![99; 20],
        };
        let f0 = plan.fold(0, &mut buf).cloned();
        assert_eq!(
            f0,
            Some(Fold {
                train: vec![1, 2, 3, 5, 6, 7, 8],
                test: vec![0, 4],
            })
        );
        let f1 = plan.fold(1, &mut buf).cloned();
        assert_eq!(
            f1,
            Some(Fold {
                train: vec![0, 4],
                test: vec![1, 2, 3, 5, 6, 7, 8],
            })
        );
    }

    #[test]
    fn samples_outside_every_test_set_train_everywhere() {
        let plan = FoldPlan::partition(vec![0, 5, 1], 2);
        assert!(!plan.is_partition());
        assert_eq!(
            all(&plan),
            vec![
                Fold {
                    train: vec![1, 2],
                    test: vec![0],
                },
                Fold {
                    train: vec![0, 1],
                    test: vec![2],
                },
            ]
        );
    }

    #[test]
    fn listed_plans_lend_their_folds() {
        let folds = vec![Fold {
            train: vec![2],
            test: vec![0, 1],
        }];
        let plan = FoldPlan::listed(folds.clone());
        assert!(!plan.is_partition());
        assert_eq!(plan.n_samples(), None);
        assert_eq!(plan.n_folds(), 1);
        assert_eq!(plan.fold_sizes(0), Some((1, 2)));
        assert_eq!(all(&plan), folds);
        assert_eq!(plan.into_folds(), folds);
    }
}
