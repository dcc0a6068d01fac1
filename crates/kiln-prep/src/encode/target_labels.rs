//! [`encode_target`]: a frame column as class indices.

use kiln_core::{ClassLabels, Error, Result};
use ndarray::Array1;

use crate::Frame;

/// The column `column` of `frame` as class indices, with the [`ClassLabels`] that map them
/// back to the column's values (as text, sorted; a numeric column's values as written to
/// CSV, e.g. `0` and `1`).
///
/// With `positive = Some(p)` the target must be binary (at most two distinct values) and `p`
/// is recorded as its positive class, so `labels.encode_positive` gives the 0/1 target that
/// [`super::TargetEncoder`] with [`super::TargetType::Binary`] takes. Nothing is inferred:
/// with `None`, no positive class is set.
///
/// # Errors
/// [`Error::InvalidValue`] when the column is absent or has a missing value (naming its
/// row), or has more than two values while `positive` is given; [`Error::EmptyInput`] for a
/// frame without rows; [`Error::UnknownLabel`] when `positive` is not one of the values.
///
/// # Example
/// ```
/// use kiln_prep::CsvOptions;
/// use kiln_prep::encode::encode_target;
///
/// let (frame, _) = CsvOptions::default().read_str("credit\ngood\nbad\ngood\n")?;
/// let (y, labels) = encode_target(&frame, "credit", Some("good"))?;
/// assert_eq!(y.to_vec(), [1, 0, 1]);
/// assert_eq!(labels.classes(), ["bad", "good"]);
/// assert_eq!(labels.positive_index(), Some(1));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn encode_target(
    frame: &Frame,
    column: &str,
    positive: Option<&str>,
) -> Result<(Array1<usize>, ClassLabels<String>)> {
    let col = frame.column(column)?;
    if let Some(row) = (0..col.len()).find(|&i| col.is_missing(i)) {
        return Err(Error::InvalidValue {
            what: format!("target column `{column}`"),
            row: Some(row),
            reason: "the value is missing; drop or fill such rows first".into(),
        });
    }
    let values: Vec<String> = (0..col.len()).map(|i| col.format(i)).collect();
    let labels = match positive {
        Some(p) => ClassLabels::binary(values.iter().cloned(), &p.to_owned())?,
        None => ClassLabels::fit(values.iter().cloned())?,
    };
    let y = labels.encode(values.iter())?;
    Ok((y, labels))
}
