//! Category counts of a reference and a current sample, aligned by category name.

use std::collections::HashMap;

use kiln_core::{Error, Result};
use kiln_prep::{Categorical, MISSING_CODE};
use serde::{Deserialize, Serialize};

use super::check_counts;

/// Counts per category of a reference and a current sample on one shared list of categories,
/// ready for [`psi`](super::psi), [`jensen_shannon`](super::jensen_shannon) or
/// [`chi2_contingency`](super::chi2_contingency).
///
/// `categories` lists the reference's categories in their given order, then the categories
/// that appear only in the current sample (in their given order). New categories are kept in
/// the count vectors (reference count 0) **and** listed in `new_categories`, so a drift test
/// sees them and a report can name them; nothing is dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryCounts {
    /// Every category, reference ones first.
    pub categories: Vec<String>,
    /// Reference count of each category in `categories`.
    pub reference: Vec<f64>,
    /// Current count of each category in `categories`.
    pub current: Vec<f64>,
    /// Categories with a positive current count that the reference does not have (or has with
    /// count 0).
    pub new_categories: Vec<String>,
    /// Reference categories (positive count) absent from the current sample.
    pub missing_categories: Vec<String>,
}

/// Aligns reference counts `(ref_names, ref_counts)` and current counts `(cur_names,
/// cur_counts)` by category name (exact, case-sensitive match). See [`CategoryCounts`].
///
/// # Errors
/// [`Error::ShapeMismatch`] when names and counts differ in length, [`Error::InvalidValue`] for
/// a name repeated within one sample or a negative count, [`Error::NonFinite`] for NaN or
/// infinite counts. Empty samples are allowed here (the distances reject a zero total).
///
/// # Example
/// ```
/// use kiln_monitor::distance::align_categories;
///
/// let a = align_categories(&["a", "b"], &[6.0, 4.0], &["b", "c"], &[5.0, 5.0])?;
/// assert_eq!(a.categories, ["a", "b", "c"]);
/// assert_eq!((a.reference, a.current), (vec![6.0, 4.0, 0.0], vec![0.0, 5.0, 5.0]));
/// assert_eq!((a.new_categories, a.missing_categories), (vec!["c".to_owned()], vec!["a".to_owned()]));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn align_categories<S: AsRef<str>, T: AsRef<str>>(
    ref_names: &[S],
    ref_counts: &[f64],
    cur_names: &[T],
    cur_counts: &[f64],
) -> Result<CategoryCounts> {
    kiln_core::check::check_same_len(
        "length of ref_counts against ref_names",
        ref_names.len(),
        ref_counts.len(),
    )?;
    kiln_core::check::check_same_len(
        "length of cur_counts against cur_names",
        cur_names.len(),
        cur_counts.len(),
    )?;
    check_counts(ref_counts, "ref_counts")?;
    check_counts(cur_counts, "cur_counts")?;
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(ref_names.len());
    for (i, name) in ref_names.iter().enumerate() {
        if index.insert(name.as_ref(), i).is_some() {
            return Err(duplicate("ref_names", i, name.as_ref()));
        }
    }
    let mut categories: Vec<String> = ref_names.iter().map(|s| s.as_ref().to_owned()).collect();
    let mut reference = ref_counts.to_vec();
    let mut current = vec![0.0; categories.len()];
    let mut seen = vec![false; categories.len()];
    let mut new_categories = Vec::new();
    for (i, (name, &count)) in cur_names.iter().zip(cur_counts).enumerate() {
        let name = name.as_ref();
        let j = match index.get(name) {
            Some(&j) => j,
            // A level the current sample does not use is not a new category.
            None if count == 0.0 => continue,
            None => {
                categories.push(name.to_owned());
                reference.push(0.0);
                current.push(0.0);
                seen.push(false);
                categories.len() - 1
            }
        };
        if seen[j] {
            return Err(duplicate("cur_names", i, name));
        }
        seen[j] = true;
        current[j] = count;
        if count > 0.0 && reference[j] == 0.0 {
            new_categories.push(name.to_owned());
        }
    }
    let missing_categories = categories
        .iter()
        .zip(reference.iter().zip(&current))
        .filter(|(_, (r, c))| **r > 0.0 && **c == 0.0)
        .map(|(name, _)| name.clone())
        .collect();
    Ok(CategoryCounts {
        categories,
        reference,
        current,
        new_categories,
        missing_categories,
    })
}

/// The levels of a categorical column and how many rows hold each (missing rows are not
/// counted; levels no row uses count 0).
pub fn count_levels(column: &Categorical) -> (Vec<String>, Vec<f64>) {
    let mut counts = vec![0.0; column.levels().len()];
    for &code in column.codes() {
        if code != MISSING_CODE
            && let Some(c) = counts.get_mut(code as usize)
        {
            *c += 1.0;
        }
    }
    (column.levels().to_vec(), counts)
}

/// [`align_categories`] on two categorical columns: counts of each level by name, missing
/// values excluded.
///
/// # Errors
/// As [`align_categories`] (cannot fail on well-formed columns).
pub fn category_counts(reference: &Categorical, current: &Categorical) -> Result<CategoryCounts> {
    let (ref_names, ref_counts) = count_levels(reference);
    let (cur_names, cur_counts) = count_levels(current);
    align_categories(&ref_names, &ref_counts, &cur_names, &cur_counts)
}

fn duplicate(what: &str, row: usize, name: &str) -> Error {
    Error::InvalidValue {
        what: what.into(),
        row: Some(row),
        reason: format!("category `{name}` appears twice"),
    }
}
