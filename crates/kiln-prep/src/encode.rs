//! Turning categorical columns into numbers: [`OneHotEncoder`], [`OrdinalEncoder`] and
//! [`TargetEncoder`], the [`ColumnTransformer`] that composes them with numeric steps (imputers
//! and scalers), and [`encode_target`] for a classification target; Frame-based twins of
//! scikit-learn's encoders.
//!
//! The encoders read a [`Frame`] (categorical columns with sorted levels and missing values)
//! rather than an `ArrayView2<f64>`, so their fitted types implement [`FrameTransform`]
//! instead of `kiln_core::Transform`. Each learns, per column, the sorted categories present
//! in the training frame; a missing value is a category of its own, sorted last (as
//! scikit-learn treats `NaN`/`None`). Every fitted type records the names of the columns it
//! was fitted on, checks a frame has them (with the right type) before transforming, and
//! saves and loads through `kiln_core::persist`.
//!
//! # Example
//!
//! ```
//! use kiln_prep::CsvOptions;
//! use kiln_prep::encode::{
//!     ColumnTransformer, FrameTransform, NumericStep, OneHotEncoder, Step,
//! };
//! use kiln_prep::impute::{SimpleImputer, Strategy};
//! use kiln_prep::scale::StandardScaler;
//!
//! let csv = "island,sex,mass\nBiscoe,male,3750\nDream,,3800\nBiscoe,female,\n";
//! let (train, _) = CsvOptions::default().read_str(csv)?;
//!
//! let onehot = OneHotEncoder::default().fit(&train, &["island", "sex"])?;
//! assert_eq!(
//!     onehot.feature_names_out(),
//!     ["island=Biscoe", "island=Dream", "sex=female", "sex=male", "sex=missing"]
//! );
//! assert_eq!(onehot.transform_frame(&train)?.row(1).to_vec(), [0.0, 1.0, 0.0, 0.0, 1.0]);
//!
//! let ct = ColumnTransformer::default()
//!     .with_numeric("num", &["mass"], vec![
//!         NumericStep::Impute(SimpleImputer::default().with_strategy(Strategy::Median)),
//!         NumericStep::Standard(StandardScaler::default()),
//!     ])
//!     .with_step("cat", &["island"], Step::OneHot(OneHotEncoder::default()))
//!     .fit(&train)?;
//! assert_eq!(ct.feature_names_out(), ["num__mass", "cat__island=Biscoe", "cat__island=Dream"]);
//! let x = ct.transform_frame(&train)?;
//! assert_eq!(x.dim(), (3, 3));
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Output names
//!
//! One-hot columns are named `<column>=<category>`, `<column>=missing` for the missing-value
//! category and `<column>=infrequent` for the grouped rare categories (scikit-learn's
//! `<column>_<category>`, `<column>_nan` and `<column>_infrequent_sklearn`). The column
//! transformer prefixes each name with its step's name and `__`, as scikit-learn's
//! `verbose_feature_names_out=True`.

mod column;
mod common;
mod onehot;
mod ordinal;
mod target;
mod target_labels;

pub use column::{
    ColumnTransformer, FittedColumnTransformer, FittedNumericPipeline, FittedNumericStep,
    FittedStep, NumericStep, Remainder, Step,
};
pub use common::Categories;
pub use onehot::{DropCategory, FittedOneHotEncoder, HandleUnknown, OneHotEncoder};
pub use ordinal::{FittedOrdinalEncoder, OrdinalEncoder, OrdinalUnknown};
pub use target::{FittedTargetEncoder, Smooth, TargetEncoder, TargetType};
pub use target_labels::encode_target;

use kiln_core::Result;
use ndarray::Array2;

use crate::Frame;

/// A fitted transformer that reads a [`Frame`] by column name.
///
/// `kiln_core::Transform` takes an `ArrayView2<f64>`, which cannot hold categories; the
/// encoders of this module, and the [`ColumnTransformer`] that composes them, implement this
/// trait instead. The column transformer calls it on each step with the frame it is given.
pub trait FrameTransform {
    /// The names of the frame columns this transformer reads, in the order it was fitted on.
    fn input_columns(&self) -> &[String];

    /// Transforms the rows of `frame` into an `n_rows × feature_names_out().len()` matrix.
    ///
    /// Columns of `frame` that were not seen at fit are ignored.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidValue`] when a fitted column is absent or has another type;
    /// the transformer's own errors (e.g. an unknown category).
    fn transform_frame(&self, frame: &Frame) -> Result<Array2<f64>>;

    /// The names of the output columns, in order.
    fn feature_names_out(&self) -> Vec<String>;
}
