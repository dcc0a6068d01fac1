//! The one error type of kiln.

use std::fmt;
use std::path::PathBuf;

/// The result type used throughout kiln.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which check of a model file failed while loading it.
///
/// Loading checks the fields of a saved model in the order listed here and stops at the first
/// that fails, so a file that is not a kiln model at all reports [`FormatCheck::Magic`], not a
/// checksum error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FormatCheck {
    /// The file does not start with the kiln magic bytes: it is not a kiln model file.
    Magic,
    /// The file ends before the lengths in its header say it should (or has bytes after its end).
    Truncated,
    /// The envelope format version is one this build cannot read.
    Version,
    /// The checksum over header and payload does not match: the file is corrupted.
    Checksum,
    /// The header could not be decoded.
    Header,
    /// The file holds a different kind of model than the one asked for.
    Kind,
    /// The payload version of this model kind is one this build cannot read.
    PayloadVersion,
    /// The feature schema differs from the one expected (or from the payload's own).
    Schema,
    /// The parameters or the payload could not be decoded into the requested type.
    Payload,
}

impl fmt::Display for FormatCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            FormatCheck::Magic => "magic",
            FormatCheck::Truncated => "length",
            FormatCheck::Version => "format version",
            FormatCheck::Checksum => "checksum",
            FormatCheck::Header => "header",
            FormatCheck::Kind => "model kind",
            FormatCheck::PayloadVersion => "payload version",
            FormatCheck::Schema => "feature schema",
            FormatCheck::Payload => "payload",
        };
        f.write_str(name)
    }
}

/// Everything that can go wrong in kiln, with enough structure to say what was wrong and where.
///
/// Every variant's `Display` names the offending estimator, parameter, value, row, column or
/// file. The enum is `#[non_exhaustive]`: match the variants you handle and keep a `_` arm.
/// Crates may define their own error enums as long as they convert into this one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is outside its allowed range or inconsistent with another parameter.
    #[error("the `{name}` parameter of {estimator} {reason}")]
    InvalidParameter {
        /// The estimator (or transformer) whose parameter it is, e.g. `KMeans`.
        estimator: String,
        /// The parameter's name, spelled as the field, e.g. `tol`.
        name: String,
        /// What is wrong, phrased to follow "the `tol` parameter of KMeans ...",
        /// e.g. "must be a float in the range [0, inf); got -1".
        reason: String,
    },

    /// An input has no rows, no columns or no elements.
    #[error("{what} is empty: {reason}")]
    EmptyInput {
        /// The input, e.g. `X` or `y`.
        what: String,
        /// What is missing, e.g. "0 rows (at least 1 is needed)".
        reason: String,
    },

    /// Two inputs that must agree in size do not.
    #[error("shape mismatch: {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// Which sizes disagree, e.g. "length of y against rows of X".
        what: String,
        /// The size required.
        expected: usize,
        /// The size given.
        got: usize,
    },

    /// A NaN or infinite value where only finite values are allowed.
    #[error("non-finite value {value} in {what} at row {row}{}", fmt_col(*.col))]
    NonFinite {
        /// The input, e.g. `X`, `y` or `sample_weight`.
        what: String,
        /// The row (or element, for one-dimensional inputs) of the first offending value.
        row: usize,
        /// The column of the first offending value; `None` for one-dimensional inputs.
        col: Option<usize>,
        /// The offending value (NaN, inf or -inf).
        value: f64,
    },

    /// Data given to a fitted model has a different number of features than it was fitted with.
    #[error("{estimator} was fitted on {expected} features but {got} were given")]
    FeatureCountMismatch {
        /// The fitted model.
        estimator: String,
        /// The number of features seen at fit.
        expected: usize,
        /// The number of features given now.
        got: usize,
    },

    /// A classifier received a target with fewer than two classes.
    #[error("{estimator} needs at least 2 classes in y, but every sample has class {class}")]
    SingleClass {
        /// The estimator being fitted.
        estimator: String,
        /// The only class present, as it is printed.
        class: String,
    },

    /// Fewer samples than an estimator needs (e.g. fewer samples than clusters).
    #[error("{estimator} needs {needed}, got {got} (n_samples={n_samples})")]
    TooFewSamples {
        /// The estimator being fitted.
        estimator: String,
        /// What is needed, e.g. "n_samples >= n_clusters=8".
        needed: String,
        /// What was given, e.g. "n_samples=3".
        got: String,
        /// The number of samples given.
        n_samples: usize,
    },

    /// A value is finite but not allowed, e.g. a negative sample weight or an unknown class label.
    #[error("invalid value in {what}{}: {reason}", fmt_at(*.row))]
    InvalidValue {
        /// The input, e.g. `sample_weight` or `y`.
        what: String,
        /// The row (or element) of the first offending value, when there is one.
        row: Option<usize>,
        /// What is wrong with it.
        reason: String,
    },

    /// A label that is not one of the known classes.
    #[error("unknown label `{label}` in {what}{}; known classes: {known}", fmt_at(*.row))]
    UnknownLabel {
        /// The input holding the label.
        what: String,
        /// The label as it is printed.
        label: String,
        /// The row (or element) where it appears, when known.
        row: Option<usize>,
        /// The known classes, as printed (possibly shortened).
        known: String,
    },

    /// An operation that this estimator does not support (e.g. sample weights in an algorithm
    /// that does not define them).
    #[error("{estimator} does not support {what}")]
    Unsupported {
        /// The estimator.
        estimator: String,
        /// What it does not support.
        what: String,
    },

    /// Malformed text input (CSV, configuration).
    #[error("parse error{} at line {line}{}: {reason}", fmt_source(.source_name.as_deref()), fmt_col_1(*.column))]
    Parse {
        /// The file or input name, when known.
        source_name: Option<String>,
        /// 1-based line number.
        line: u64,
        /// 1-based column (field) number, when known.
        column: Option<usize>,
        /// What is wrong.
        reason: String,
    },

    /// An I/O error, with the path it happened on when known.
    #[error("I/O error{}: {source}", fmt_path(.path.as_ref()))]
    Io {
        /// The file involved, when known.
        path: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A model file (or byte buffer) failed one of the checks made while loading it.
    #[error("not a valid kiln model ({check} check failed): {reason}")]
    ModelFormat {
        /// Which check failed.
        check: FormatCheck,
        /// What was found, e.g. "expected kind `KMeans`, found `Ridge`".
        reason: String,
    },
}

fn fmt_col(col: Option<usize>) -> String {
    col.map(|c| format!(", column {c}")).unwrap_or_default()
}

fn fmt_col_1(col: Option<usize>) -> String {
    col.map(|c| format!(", field {c}")).unwrap_or_default()
}

fn fmt_at(row: Option<usize>) -> String {
    row.map(|r| format!(" at row {r}")).unwrap_or_default()
}

fn fmt_source(source: Option<&str>) -> String {
    source.map(|s| format!(" in {s}")).unwrap_or_default()
}

fn fmt_path(path: Option<&PathBuf>) -> String {
    path.map(|p| format!(" on {}", p.display()))
        .unwrap_or_default()
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io { path: None, source }
    }
}

impl Error {
    /// Builds [`Error::InvalidParameter`].
    ///
    /// `reason` should read on from "the `name` parameter of Estimator ...", e.g.
    /// `"must be a float in the range [0, inf); got -1"`.
    pub fn invalid_param(
        estimator: impl Into<String>,
        name: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            estimator: estimator.into(),
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// Builds [`Error::ModelFormat`].
    pub fn model_format(check: FormatCheck, reason: impl Into<String>) -> Self {
        Error::ModelFormat {
            check,
            reason: reason.into(),
        }
    }

    /// Builds [`Error::Io`] with the path it happened on.
    pub fn io_at(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: Some(path.into()),
            source,
        }
    }

    /// The name of the parameter, if this is an [`Error::InvalidParameter`].
    pub fn parameter_name(&self) -> Option<&str> {
        match self {
            Error::InvalidParameter { name, .. } => Some(name),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_and_where() {
        let e = Error::NonFinite {
            what: "X".into(),
            row: 3,
            col: Some(2),
            value: f64::NAN,
        };
        assert_eq!(
            e.to_string(),
            "non-finite value NaN in X at row 3, column 2"
        );
        let e = Error::invalid_param("KMeans", "tol", "must be in [0, inf); got -1");
        assert_eq!(
            e.to_string(),
            "the `tol` parameter of KMeans must be in [0, inf); got -1"
        );
        assert_eq!(e.parameter_name(), Some("tol"));
        let e = Error::Parse {
            source_name: Some("a.csv".into()),
            line: 7,
            column: Some(3),
            reason: "expected 5 fields, found 4".into(),
        };
        assert_eq!(
            e.to_string(),
            "parse error in a.csv at line 7, field 3: expected 5 fields, found 4"
        );
        let e = Error::model_format(FormatCheck::Kind, "expected `A`, found `B`");
        assert_eq!(
            e.to_string(),
            "not a valid kiln model (model kind check failed): expected `A`, found `B`"
        );
    }
}
