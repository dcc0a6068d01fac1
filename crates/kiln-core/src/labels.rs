//! Class labels: any labels ↔ sorted class indices, with an explicit positive class.

use std::fmt::Display;

use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The classes of a classification target, sorted, and the map between labels and indices.
///
/// Classifiers work on class indices `0..n_classes`; this type turns labels of any ordered type
/// (`String`, `i64`, `bool`, ...) into those indices and back. Index `i` is the `i`-th smallest
/// label, so the mapping does not depend on the order rows arrive in.
///
/// The positive class of a binary task is never inferred: set it with
/// [`ClassLabels::binary`] or [`ClassLabels::with_positive`].
///
/// # Example
/// ```
/// use kiln_core::ClassLabels;
/// let raw = ["good", "bad", "good", "good"];
/// let labels = ClassLabels::binary(raw.iter().copied(), &"bad")?;
/// assert_eq!(labels.classes(), &["bad", "good"]);
/// assert_eq!(labels.positive_index(), Some(0));
/// let y = labels.encode(raw.iter())?;
/// assert_eq!(y.to_vec(), vec![1, 0, 1, 1]);
/// assert_eq!(labels.decode(y.view())?, raw.to_vec());
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassLabels<L> {
    classes: Vec<L>,
    positive: Option<usize>,
}

impl<L: Ord + Clone + Display> ClassLabels<L> {
    /// Collects the distinct labels, sorted.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] when there are no labels.
    pub fn fit<I: IntoIterator<Item = L>>(labels: I) -> Result<Self> {
        let mut classes: Vec<L> = labels.into_iter().collect();
        if classes.is_empty() {
            return Err(Error::EmptyInput {
                what: "labels".into(),
                reason: "0 labels".into(),
            });
        }
        classes.sort();
        classes.dedup();
        Ok(Self {
            classes,
            positive: None,
        })
    }

    /// Collects the labels of a binary task and records `positive` as its positive class.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for no labels, [`Error::InvalidValue`] when there are more than two
    /// distinct labels, [`Error::UnknownLabel`] when `positive` is not among them. A target with
    /// only the positive class, or only one other class, is accepted as long as `positive` is
    /// one of the labels (a fold may hold one class); check the class count where it matters.
    pub fn binary<I: IntoIterator<Item = L>>(labels: I, positive: &L) -> Result<Self> {
        let fitted = Self::fit(labels)?;
        if fitted.classes.len() > 2 {
            return Err(Error::InvalidValue {
                what: "labels".into(),
                row: None,
                reason: format!(
                    "a binary task needs at most 2 distinct labels, found {}: {}",
                    fitted.classes.len(),
                    fitted.describe_classes()
                ),
            });
        }
        fitted.with_positive(positive)
    }

    /// Builds the map from a known list of classes (sorted and deduplicated here).
    ///
    /// Use it when some classes may be absent from the data at hand (a fold, a batch).
    ///
    /// # Errors
    /// [`Error::EmptyInput`] when `classes` is empty.
    pub fn from_classes(classes: Vec<L>) -> Result<Self> {
        Self::fit(classes)
    }

    /// Records `positive` as the positive class.
    ///
    /// # Errors
    /// [`Error::UnknownLabel`] when `positive` is not one of the classes.
    pub fn with_positive(mut self, positive: &L) -> Result<Self> {
        let idx = self.index_of(positive).ok_or_else(|| Error::UnknownLabel {
            what: "positive class".into(),
            label: positive.to_string(),
            row: None,
            known: self.describe_classes(),
        })?;
        self.positive = Some(idx);
        Ok(self)
    }

    /// The sorted classes; the class with index `i` is `classes()[i]`.
    pub fn classes(&self) -> &[L] {
        &self.classes
    }

    /// The number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// The index of `label`, if it is a known class.
    pub fn index_of(&self, label: &L) -> Option<usize> {
        self.classes.binary_search(label).ok()
    }

    /// The label of class index `index`, if it exists.
    pub fn label(&self, index: usize) -> Option<&L> {
        self.classes.get(index)
    }

    /// The index of the positive class, when one was set.
    pub fn positive_index(&self) -> Option<usize> {
        self.positive
    }

    /// The positive class label, when one was set.
    pub fn positive(&self) -> Option<&L> {
        self.positive.and_then(|i| self.classes.get(i))
    }

    /// Maps labels to class indices.
    ///
    /// # Errors
    /// [`Error::UnknownLabel`] with the row of the first label that is not a known class.
    pub fn encode<'a, I>(&self, labels: I) -> Result<Array1<usize>>
    where
        I: IntoIterator<Item = &'a L>,
        L: 'a,
    {
        labels
            .into_iter()
            .enumerate()
            .map(|(row, l)| {
                self.index_of(l).ok_or_else(|| Error::UnknownLabel {
                    what: "y".into(),
                    label: l.to_string(),
                    row: Some(row),
                    known: self.describe_classes(),
                })
            })
            .collect()
    }

    /// Maps class indices back to labels.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with the row of the first index that is not `< n_classes`.
    pub fn decode(&self, indices: ArrayView1<'_, usize>) -> Result<Vec<L>> {
        indices
            .iter()
            .enumerate()
            .map(|(row, &i)| {
                self.classes
                    .get(i)
                    .cloned()
                    .ok_or_else(|| Error::InvalidValue {
                        what: "class indices".into(),
                        row: Some(row),
                        reason: format!(
                            "index {i} is out of range for {} classes",
                            self.classes.len()
                        ),
                    })
            })
            .collect()
    }

    /// Maps labels to 1.0 for the positive class and 0.0 otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when no positive class was set; [`Error::UnknownLabel`] for an
    /// unknown label.
    pub fn encode_positive<'a, I>(&self, labels: I) -> Result<Array1<f64>>
    where
        I: IntoIterator<Item = &'a L>,
        L: 'a,
    {
        let pos = self.positive.ok_or_else(|| Error::InvalidValue {
            what: "labels".into(),
            row: None,
            reason: "no positive class was set; use ClassLabels::with_positive".into(),
        })?;
        Ok(self
            .encode(labels)?
            .mapv(|i| if i == pos { 1.0 } else { 0.0 }))
    }

    /// The classes as printed in messages: the first ten, then a count of the rest.
    fn describe_classes(&self) -> String {
        let shown: Vec<String> = self
            .classes
            .iter()
            .take(10)
            .map(|c| c.to_string())
            .collect();
        let more = self.classes.len().saturating_sub(10);
        if more > 0 {
            format!("[{}, ... and {more} more]", shown.join(", "))
        } else {
            format!("[{}]", shown.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_regardless_of_arrival_order() {
        let a = ClassLabels::fit([3i64, -1, 3, 7]).unwrap();
        let b = ClassLabels::fit([7i64, 3, -1]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.classes(), &[-1, 3, 7]);
    }

    #[test]
    fn unknown_labels_are_reported_with_row() {
        let l = ClassLabels::fit(["a".to_string(), "b".to_string()]).unwrap();
        let err = l
            .encode(["a".to_string(), "c".to_string()].iter())
            .unwrap_err();
        assert!(matches!(err, Error::UnknownLabel { row: Some(1), .. }));
        assert!(err.to_string().contains("`c`"), "{err}");
        assert!(l.decode(ndarray::array![0usize, 2].view()).is_err());
    }

    #[test]
    fn binary_requires_known_positive_and_two_classes() {
        assert!(ClassLabels::binary([1, -1, 1], &0).is_err());
        assert!(ClassLabels::binary([1, 2, 3], &1).is_err());
        let l = ClassLabels::binary([1, -1, 1], &1).unwrap();
        assert_eq!(l.positive_index(), Some(1));
        assert_eq!(l.positive(), Some(&1));
        let e = l.encode_positive([-1, 1, 1].iter()).unwrap();
        assert_eq!(e.to_vec(), vec![0.0, 1.0, 1.0]);
        let no_pos = ClassLabels::fit([1, 2]).unwrap();
        assert!(no_pos.encode_positive([1].iter()).is_err());
    }

    #[test]
    fn empty_is_an_error() {
        assert!(ClassLabels::<i32>::fit([]).is_err());
    }
}
