//! The bundled data sets: embedded CSV text, metadata and a numeric loader.

use std::fmt;
use std::str::FromStr;

use csv::StringRecord;
use kiln_core::{ClassLabels, Error, Result};
use ndarray::{Array1, Array2};

use crate::info::{self, DatasetInfo, Task};

/// One of the real data sets bundled with the crate.
///
/// The CSV files are embedded in the binary (about 700 kB in all), so loading needs no file
/// system or network. [`Dataset::info`] describes a set without parsing it, [`Dataset::csv`]
/// gives the raw text and [`Dataset::load_numeric`] parses the numeric features and the target.
///
/// # Example
/// ```
/// use kiln_datasets::{Dataset, Task};
///
/// let set = Dataset::from_name("german_credit")?;
/// assert_eq!(set, Dataset::GermanCredit);
/// assert_eq!(set.info().task, Task::Binary);
/// assert_eq!(set.info().positive_class, Some("good"));
/// // Sensitive attributes are kept apart from the features, as raw strings.
/// let sex = set.column_strings("sex")?;
/// assert_eq!(sex.len(), 1000);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dataset {
    /// Fisher's iris: 150 flowers, 4 measurements, 3 species coded `0`, `1`, `2`.
    Iris,
    /// Breast Cancer Wisconsin (Diagnostic): 569 tumours, 30 features, `0` = malignant,
    /// `1` = benign (the positive class, following scikit-learn's coding).
    BreastCancer,
    /// Diabetes progression (Efron et al. 2004), raw units: 442 patients, 10 features,
    /// regression target.
    Diabetes,
    /// Palmer penguins: 344 birds, 3 species, string labels, categorical `island` and `sex`,
    /// missing values.
    Penguins,
    /// Statlog German Credit: 1000 applicants, `good` (favourable, positive) or `bad` credit;
    /// sensitive `sex` and `age_group`.
    GermanCredit,
    /// Credit scoring (Belanche Muñoz): 4454 applicants, `bad` (positive) or `good` status,
    /// missing numeric and categorical values.
    CreditScoring,
}

impl Dataset {
    /// Every bundled data set, in a fixed order.
    pub const ALL: [Dataset; 6] = [
        Dataset::Iris,
        Dataset::BreastCancer,
        Dataset::Diabetes,
        Dataset::Penguins,
        Dataset::GermanCredit,
        Dataset::CreditScoring,
    ];

    /// The metadata of this data set (shape, task, target, column roles, source, licence).
    pub fn info(self) -> &'static DatasetInfo {
        match self {
            Dataset::Iris => &info::IRIS,
            Dataset::BreastCancer => &info::BREAST_CANCER,
            Dataset::Diabetes => &info::DIABETES,
            Dataset::Penguins => &info::PENGUINS,
            Dataset::GermanCredit => &info::GERMAN_CREDIT,
            Dataset::CreditScoring => &info::CREDIT_SCORING,
        }
    }

    /// The short name, e.g. `"breast_cancer"` (the file name without `.csv`).
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The raw CSV text: UTF-8, a header row, `,` separators, `\n` line ends, and a missing
    /// value written as an empty field (and nothing else).
    ///
    /// This is the input for a general reader such as kiln-prep's `Frame`, which keeps the
    /// categorical columns that [`Dataset::load_numeric`] leaves out.
    pub fn csv(self) -> &'static str {
        match self {
            Dataset::Iris => include_str!("../data/iris.csv"),
            Dataset::BreastCancer => include_str!("../data/breast_cancer.csv"),
            Dataset::Diabetes => include_str!("../data/diabetes.csv"),
            Dataset::Penguins => include_str!("../data/penguins.csv"),
            Dataset::GermanCredit => include_str!("../data/german_credit.csv"),
            Dataset::CreditScoring => include_str!("../data/credit_scoring.csv"),
        }
    }

    /// Looks a data set up by its short name (`"iris"`, `"breast_cancer"`, `"diabetes"`,
    /// `"penguins"`, `"german_credit"`, `"credit_scoring"`), ignoring ASCII case. The file name
    /// (`"iris.csv"`) is accepted too.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for any other name; the message lists the known names.
    pub fn from_name(name: &str) -> Result<Dataset> {
        let wanted = name.trim();
        let wanted = wanted.strip_suffix(".csv").unwrap_or(wanted);
        Dataset::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::InvalidValue {
                what: "data set name".into(),
                row: None,
                reason: format!(
                    "no bundled data set is called `{name}`; known: {}",
                    Dataset::ALL.map(Dataset::name).join(", ")
                ),
            })
    }

    /// Parses the numeric features and the target.
    ///
    /// `x` has one row per CSV row and one column per name in
    /// [`DatasetInfo::features_numeric`], in that order. A missing (empty) cell becomes
    /// `f64::NAN`, scikit-learn's convention, so impute or drop before fitting a model that
    /// rejects NaN. Categorical features ([`DatasetInfo::features_categorical`]) and sensitive
    /// columns ([`DatasetInfo::sensitive`]) are **not** in `x`: read them as strings with
    /// [`Dataset::column_strings`], or load the whole mixed-type table with kiln-prep's `Frame`
    /// from [`Dataset::csv`].
    ///
    /// The target of a classification set becomes class indices with
    /// [`ClassLabels`] built from [`DatasetInfo::classes`] (sorted), and for a binary set with
    /// the positive class of [`DatasetInfo::positive_class`] recorded.
    ///
    /// # Errors
    /// [`Error::Parse`] (with file, line and field) for malformed CSV, a numeric cell that is
    /// not a finite number, or a missing target; [`Error::UnknownLabel`] for a target label
    /// outside [`DatasetInfo::classes`]. The bundled files parse without error (a test checks
    /// it); the errors exist so this never panics.
    pub fn load_numeric(self) -> Result<NumericData> {
        let info = self.info();
        let table = Table::read(self)?;
        let feature_cols = info
            .features_numeric
            .iter()
            .map(|name| table.column_index(name))
            .collect::<Result<Vec<_>>>()?;
        let target_col = table.column_index(info.target)?;

        let mut x = Array2::<f64>::zeros((table.records.len(), feature_cols.len()));
        for (i, record) in table.records.iter().enumerate() {
            for (j, &col) in feature_cols.iter().enumerate() {
                x[[i, j]] = table.number(record, col, true)?;
            }
        }

        let target = match info.task {
            Task::Regression => Target::Values(
                table
                    .records
                    .iter()
                    .map(|r| table.number(r, target_col, false))
                    .collect::<Result<Array1<f64>>>()?,
            ),
            Task::Binary | Task::Multiclass => {
                let raw = table
                    .records
                    .iter()
                    .map(|r| table.label(r, target_col))
                    .collect::<Result<Vec<String>>>()?;
                let mut labels = ClassLabels::from_classes(
                    info.classes.iter().map(|c| (*c).to_owned()).collect(),
                )?;
                if let Some(positive) = info.positive_class {
                    labels = labels.with_positive(&positive.to_owned())?;
                }
                let y = labels.encode(raw.iter())?;
                Target::Classes { y, labels }
            }
        };

        Ok(NumericData {
            x,
            feature_names: info
                .features_numeric
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            target_name: info.target.to_owned(),
            target,
        })
    }

    /// The raw text of one column, one entry per row, a missing cell as `""`.
    ///
    /// Any column can be read this way: a sensitive attribute for fairness work (german_credit's
    /// `sex` and `age_group`), a categorical feature, or the target's labels.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when the data set has no column called `name` (the message lists
    /// the columns); [`Error::Parse`] for malformed CSV.
    pub fn column_strings(self, name: &str) -> Result<Vec<String>> {
        let table = Table::read(self)?;
        let col = table.column_index(name)?;
        Ok(table
            .records
            .iter()
            .map(|r| r.get(col).unwrap_or_default().to_owned())
            .collect())
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dataset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Dataset::from_name(s)
    }
}

/// The numeric part of a bundled data set, as returned by [`Dataset::load_numeric`].
#[derive(Debug, Clone, PartialEq)]
pub struct NumericData {
    /// The numeric features, `rows × features_numeric.len()`, missing cells as `f64::NAN`.
    pub x: Array2<f64>,
    /// The name of each column of `x`.
    pub feature_names: Vec<String>,
    /// The name of the target column.
    pub target_name: String,
    /// The target: class indices with their labels, or real values.
    pub target: Target,
}

/// The target of a data set.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A classification target as class indices `0..labels.n_classes()`.
    Classes {
        /// The class index of each row.
        y: Array1<usize>,
        /// The map between indices and the labels as written in the file; for a binary set it
        /// records the positive class.
        labels: ClassLabels<String>,
    },
    /// A regression target.
    Values(Array1<f64>),
}

impl Target {
    /// The class indices, for a classification target.
    pub fn class_indices(&self) -> Option<&Array1<usize>> {
        match self {
            Target::Classes { y, .. } => Some(y),
            Target::Values(_) => None,
        }
    }

    /// The class labels, for a classification target.
    pub fn labels(&self) -> Option<&ClassLabels<String>> {
        match self {
            Target::Classes { labels, .. } => Some(labels),
            Target::Values(_) => None,
        }
    }

    /// The values, for a regression target.
    pub fn values(&self) -> Option<&Array1<f64>> {
        match self {
            Target::Classes { .. } => None,
            Target::Values(v) => Some(v),
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Target::Classes { y, .. } => y.len(),
            Target::Values(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed CSV: the header and every record (each remembers its line for messages).
struct Table {
    file: &'static str,
    dataset: &'static str,
    header: StringRecord,
    records: Vec<StringRecord>,
}

impl Table {
    fn read(set: Dataset) -> Result<Table> {
        let info = set.info();
        Table::parse(set.csv(), info.file, info.name)
    }

    /// Parses `text`; `file` and `dataset` name it in messages.
    fn parse(text: &str, file: &'static str, dataset: &'static str) -> Result<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
        let records = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| csv_error(file, &e))?;
        Ok(Table {
            file,
            dataset,
            header,
            records,
        })
    }

    fn column_index(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::InvalidValue {
                what: "column name".into(),
                row: None,
                reason: format!(
                    "data set `{}` has no column `{name}`; its columns are: {}",
                    self.dataset,
                    self.header.iter().collect::<Vec<_>>().join(", ")
                ),
            })
    }

    /// The number in field `col` of `record`; an empty field is NaN when `allow_missing`.
    fn number(&self, record: &StringRecord, col: usize, allow_missing: bool) -> Result<f64> {
        let text = record.get(col).unwrap_or_default();
        if text.is_empty() {
            return if allow_missing {
                Ok(f64::NAN)
            } else {
                Err(self.parse_error(record, col, "missing value".into()))
            };
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.parse_error(
                record,
                col,
                format!("cannot read `{text}` as a finite number"),
            )),
        }
    }

    /// The label in field `col` of `record`, which must not be empty.
    fn label(&self, record: &StringRecord, col: usize) -> Result<String> {
        match record.get(col) {
            Some(text) if !text.is_empty() => Ok(text.to_owned()),
            _ => Err(self.parse_error(record, col, "missing target label".into())),
        }
    }

    fn parse_error(&self, record: &StringRecord, col: usize, reason: String) -> Error {
        let column = self.header.get(col).unwrap_or_default();
        Error::Parse {
            source_name: Some(self.file.to_owned()),
            line: record.position().map_or(0, csv::Position::line),
            column: Some(col + 1),
            reason: format!("column `{column}`: {reason}"),
        }
    }
}

fn csv_error(file: &str, err: &csv::Error) -> Error {
    Error::Parse {
        source_name: Some(file.to_owned()),
        line: err.position().map_or(0, csv::Position::line),
        column: None,
        reason: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_number_is_a_parse_error_with_line_and_field() {
        let table = Table::parse("a,b\n1,2\n3,x7\n", "t.csv", "t").unwrap();
        assert_eq!(table.number(&table.records[0], 1, false).unwrap(), 2.0);
        let err = table.number(&table.records[1], 1, false).unwrap_err();
        assert!(
            matches!(&err, Error::Parse { line: 3, column: Some(2), source_name: Some(s), .. } if s == "t.csv"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`x7`"), "{err}");
        assert!(err.to_string().contains("column `b`"), "{err}");
    }

    #[test]
    fn empty_cells_are_nan_only_where_missing_is_allowed() {
        let table = Table::parse("a,b\n,2\n", "t.csv", "t").unwrap();
        assert!(table.number(&table.records[0], 0, true).unwrap().is_nan());
        assert!(matches!(
            table.number(&table.records[0], 0, false),
            Err(Error::Parse {
                line: 2,
                column: Some(1),
                ..
            })
        ));
        assert!(table.label(&table.records[0], 0).is_err());
    }

    #[test]
    fn text_nan_and_infinity_are_rejected() {
        // Only an empty field means missing; "NaN" or "inf" in a numeric column is an error.
        let table = Table::parse("a,b\nNaN,inf\n", "t.csv", "t").unwrap();
        assert!(table.number(&table.records[0], 0, true).is_err());
        assert!(table.number(&table.records[0], 1, true).is_err());
    }

    #[test]
    fn a_ragged_row_is_a_parse_error() {
        let err = Table::parse("a,b\n1,2\n3\n", "t.csv", "t").err().unwrap();
        assert!(matches!(err, Error::Parse { line: 3, .. }), "{err:?}");
    }
}
