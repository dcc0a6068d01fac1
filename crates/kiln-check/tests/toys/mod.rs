//! Toy estimators for the suite's self-test: each is correct by default, and each `Flaw`
//! breaks one rule the way a real bug would.

pub mod frame;

use std::sync::atomic::{AtomicU64, Ordering};

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{
    Error, Fit, FitTransform, FitUnsupervised, Fitted, Params, Predict, PredictProba, Result,
    Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// One broken rule each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flaw {
    /// `validate` accepts anything.
    NoParamCheck,
    /// No finiteness check at fit.
    NoFiniteCheckAtFit,
    /// No finiteness check at predict.
    NoFiniteCheckAtPredict,
    /// No empty-input check: fits on zero rows.
    AcceptsEmpty,
    /// No feature-count check at predict.
    NoFeatureCheck,
    /// No y-length check: indexes past the end of y.
    NoLengthCheck,
    /// Reads a second row unconditionally.
    PanicsOnOneSample,
    /// With a single class, predicts class 0.
    WrongSingleClass,
    /// Returns class positions instead of class indices.
    AssumesContiguousClasses,
    /// Hidden global state changes each fit.
    GlobalState,
    /// Centres each predicted batch on its own mean.
    BatchStatistics,
    /// Probabilities not normalised.
    UnnormalizedProba,
    /// `predict` picks the least likely class.
    ArgmaxDisagrees,
    /// A field used at predict is not saved.
    UnsavedField,
    /// Depends on the rayon thread count.
    ThreadDependent,
    /// Sample weights are validated but ignored.
    IgnoresWeights,
    /// Sample weights are used without validation.
    NoWeightValidation,
    /// No NaN/inf check on a regression target.
    NoTargetCheck,
    /// `fit_transform` uses another variance formula than `fit`.
    FitTransformDiffers,
    /// `fit_rows` fits on every row instead of the chosen ones.
    RowsIgnored,
    /// `predict_rows` predicts the first rows instead of the chosen ones.
    PredictRowsIgnored,
}

static FITS: AtomicU64 = AtomicU64::new(0);

/// Nearest-centroid classifier with softmax(-distance² / temperature) probabilities.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Centroid {
    pub temperature: f64,
    pub flaw: Option<Flaw>,
}

impl Centroid {
    pub fn new(flaw: Option<Flaw>) -> Self {
        Self {
            temperature: 1.0,
            flaw,
        }
    }
    fn has(&self, f: Flaw) -> bool {
        self.flaw == Some(f)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FittedCentroid {
    params: Centroid,
    classes: Vec<usize>,
    centroids: Array2<f64>,
    #[serde(skip)]
    scale: f64,
}

impl Params for Centroid {
    const NAME: &'static str = "Centroid";
    fn validate(&self) -> Result<()> {
        if self.has(Flaw::NoParamCheck) {
            return Ok(());
        }
        let t = self.temperature;
        check::check_param(
            Self::NAME,
            "temperature",
            t,
            t > 0.0 && t.is_finite(),
            "> 0",
        )
    }
}

fn check_weights(flawed: bool, w: Option<ArrayView1<'_, f64>>, n: usize) -> Result<()> {
    if flawed {
        Ok(())
    } else {
        check::check_sample_weight(w, n)
    }
}

impl Fit for Centroid {
    type Target = usize;
    type Fitted = FittedCentroid;
    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedCentroid> {
        self.validate()?;
        if !self.has(Flaw::AcceptsEmpty) {
            check::check_non_empty(x, "X")?;
        }
        if !self.has(Flaw::NoFiniteCheckAtFit) {
            check::check_finite(x, "X", NanPolicy::Reject)?;
        }
        if !self.has(Flaw::NoLengthCheck) {
            check::check_same_len("length of y against rows of X", x.nrows(), y.len())?;
        }
        check_weights(self.has(Flaw::NoWeightValidation), w, x.nrows())?;
        if self.has(Flaw::PanicsOnOneSample) {
            let _second = x.row(1);
        }
        let mut classes: Vec<usize> = (0..x.nrows()).map(|i| y[i]).collect();
        classes.sort_unstable();
        classes.dedup();
        let mut centroids = Array2::zeros((classes.len(), x.ncols()));
        let mut totals = vec![0.0; classes.len()];
        for (i, row) in x.outer_iter().enumerate() {
            let k = classes.binary_search(&y[i]).unwrap_or(0);
            let wi = match (w, self.has(Flaw::IgnoresWeights)) {
                (Some(w), false) => w[i],
                _ => 1.0,
            };
            centroids.row_mut(k).scaled_add(wi, &row);
            totals[k] += wi;
        }
        for (k, t) in totals.iter().enumerate() {
            centroids.row_mut(k).mapv_inplace(|v| v / t);
        }
        if self.has(Flaw::GlobalState) {
            let n = FITS.fetch_add(1, Ordering::Relaxed) as f64;
            centroids.mapv_inplace(|v| v + n * 1e-3);
        }
        if self.has(Flaw::ThreadDependent) {
            let t = rayon::current_num_threads() as f64;
            centroids.mapv_inplace(|v| v + t * 1e-3);
        }
        Ok(FittedCentroid {
            params: self.clone(),
            classes,
            centroids,
            scale: 1.0,
        })
    }
}

impl Fitted for FittedCentroid {
    fn n_features_in(&self) -> usize {
        self.centroids.ncols()
    }
}

impl FittedCentroid {
    fn scores(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let p = &self.params;
        if !p.has(Flaw::NoFeatureCheck) {
            check::check_n_features(Centroid::NAME, self.n_features_in(), x)?;
        }
        check::check_non_empty(x, "X")?;
        if !p.has(Flaw::NoFiniteCheckAtPredict) {
            check::check_finite(x, "X", NanPolicy::Reject)?;
        }
        let mut x = x.to_owned();
        if p.has(Flaw::BatchStatistics)
            && let Some(mean) = x.mean_axis(Axis(0))
        {
            x -= &mean;
            x += &self.centroids.mean_axis(Axis(0)).unwrap_or(mean);
        }
        let scale = if p.has(Flaw::UnsavedField) {
            self.scale
        } else {
            1.0
        };
        let mut out = Array2::zeros((x.nrows(), self.classes.len()));
        for (i, row) in x.outer_iter().enumerate() {
            for (k, c) in self.centroids.outer_iter().enumerate() {
                let d2: f64 = row.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
                out[[i, k]] = -d2 * scale / p.temperature;
            }
        }
        Ok(out)
    }
}

impl Predict for FittedCentroid {
    type Output = usize;
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let p = &self.params;
        let proba = self.predict_proba(x)?;
        Ok(proba
            .outer_iter()
            .map(|row| {
                let mut best = 0;
                for (k, &v) in row.iter().enumerate() {
                    let better = if p.has(Flaw::ArgmaxDisagrees) {
                        v < row[best]
                    } else {
                        v > row[best]
                    };
                    if better {
                        best = k;
                    }
                }
                if p.has(Flaw::AssumesContiguousClasses) {
                    best
                } else if p.has(Flaw::WrongSingleClass) && self.classes.len() == 1 {
                    0
                } else {
                    self.classes[best]
                }
            })
            .collect())
    }
}

/// As a supervised transformer: the class scores (negative scaled squared distances).
impl Transform for FittedCentroid {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.scores(x)
    }
}

impl PredictProba for FittedCentroid {
    fn classes(&self) -> &[usize] {
        &self.classes
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut s = self.scores(x)?;
        for mut row in s.outer_iter_mut() {
            let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - max).exp());
            if !self.params.has(Flaw::UnnormalizedProba) {
                let sum = row.sum();
                row.mapv_inplace(|v| v / sum);
            } else {
                row.mapv_inplace(|v| v * 0.9);
            }
        }
        Ok(s)
    }
}

impl Persist for FittedCentroid {
    const KIND: &'static str = "kiln_check_selftest::Centroid";
    type Params = Centroid;
    fn params(&self) -> &Centroid {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.centroids.ncols())
    }
}

/// Weighted least squares on the first feature: y ≈ a + b·x₀.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Line {
    pub flaw: Option<Flaw>,
    pub ridge: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FittedLine {
    params: Line,
    intercept: f64,
    slope: f64,
    n_features: usize,
}

impl Params for Line {
    const NAME: &'static str = "Line";
    fn validate(&self) -> Result<()> {
        check::check_param(Self::NAME, "ridge", self.ridge, self.ridge >= 0.0, ">= 0")
    }
}

impl Fit for Line {
    type Target = f64;
    type Fitted = FittedLine;
    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedLine> {
        self.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
        if self.flaw != Some(Flaw::NoTargetCheck) {
            check::check_finite_1d(y, "y")?;
        }
        check::check_sample_weight(w, y.len())?;
        let w = w.map_or_else(|| Array1::ones(y.len()), |w| w.to_owned());
        let x0 = x.column(0);
        let sw = w.sum();
        let mx = x0.dot(&w) / sw;
        let my = y.dot(&w) / sw;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for i in 0..y.len() {
            sxy += w[i] * (x0[i] - mx) * (y[i] - my);
            sxx += w[i] * (x0[i] - mx) * (x0[i] - mx);
        }
        let slope = if sxx + self.ridge > 0.0 {
            sxy / (sxx + self.ridge)
        } else {
            0.0
        };
        Ok(FittedLine {
            params: self.clone(),
            intercept: my - slope * mx,
            slope,
            n_features: x.ncols(),
        })
    }

    fn fit_rows(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
        rows: &[usize],
    ) -> Result<FittedLine> {
        if self.flaw == Some(Flaw::RowsIgnored) {
            return self.fit_weighted(x, y, w);
        }
        check::check_rows(x.nrows(), y.len(), w, rows)?;
        let w = w.map(|w| w.select(Axis(0), rows));
        self.fit_weighted(
            x.select(Axis(0), rows).view(),
            y.select(Axis(0), rows).view(),
            w.as_ref().map(|w| w.view()),
        )
    }
}

impl Fitted for FittedLine {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedLine {
    type Output = f64;
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::check_predict_x(Line::NAME, self.n_features, x, NanPolicy::Reject)?;
        Ok(x.column(0).mapv(|v| self.intercept + self.slope * v))
    }

    fn predict_rows(&self, x: ArrayView2<'_, f64>, rows: &[usize]) -> Result<Array1<f64>> {
        check::check_row_indices(x.nrows(), rows)?;
        if self.params.flaw == Some(Flaw::PredictRowsIgnored) {
            let first: Vec<usize> = (0..rows.len()).map(|i| i % x.nrows()).collect();
            return self.predict(x.select(Axis(0), &first).view());
        }
        self.predict(x.select(Axis(0), rows).view())
    }
}

/// As a supervised transformer: every feature mapped through the fitted line.
impl Transform for FittedLine {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(Line::NAME, self.n_features, x, NanPolicy::Reject)?;
        Ok(x.mapv(|v| self.intercept + self.slope * v))
    }
}

impl Persist for FittedLine {
    const KIND: &'static str = "kiln_check_selftest::Line";
    type Params = Line;
    fn params(&self) -> &Line {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}

/// Weighted standardisation: (x - mean) / std, std with the population formula.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Scaler {
    pub flaw: Option<Flaw>,
    pub epsilon: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FittedScaler {
    params: Scaler,
    mean: Array1<f64>,
    std: Array1<f64>,
}

impl Params for Scaler {
    const NAME: &'static str = "Scaler";
    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "epsilon",
            self.epsilon,
            self.epsilon >= 0.0,
            ">= 0",
        )
    }
}

impl Scaler {
    fn fit_with(
        &self,
        x: ArrayView2<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
        ddof: f64,
    ) -> Result<FittedScaler> {
        self.validate()?;
        check::check_x(x, NanPolicy::Reject)?;
        check::check_sample_weight(w, x.nrows())?;
        let w = w.map_or_else(|| Array1::ones(x.nrows()), |w| w.to_owned());
        let sw = w.sum();
        let mean = x.t().dot(&w) / sw;
        let mut var = Array1::zeros(x.ncols());
        for (i, row) in x.outer_iter().enumerate() {
            var += &((&row - &mean).mapv(|d| d * d) * w[i]);
        }
        let denom = (sw - ddof).max(1.0);
        let std = var.mapv(|v: f64| (v / denom).sqrt().max(self.epsilon).max(1e-300));
        Ok(FittedScaler {
            params: self.clone(),
            mean,
            std,
        })
    }
}

impl FitUnsupervised for Scaler {
    type Fitted = FittedScaler;
    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedScaler> {
        self.fit_with(x, w, 0.0)
    }
}

impl FitTransform for Scaler {
    fn fit_transform(&self, x: ArrayView2<'_, f64>) -> Result<(FittedScaler, Array2<f64>)> {
        let ddof = if self.flaw == Some(Flaw::FitTransformDiffers) {
            1.0
        } else {
            0.0
        };
        let fitted = self.fit_with(x, None, ddof)?;
        let out = fitted.transform(x)?;
        Ok((fitted, out))
    }
}

impl Fitted for FittedScaler {
    fn n_features_in(&self) -> usize {
        self.mean.len()
    }
}

impl Transform for FittedScaler {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(Scaler::NAME, self.mean.len(), x, NanPolicy::Reject)?;
        Ok((&x - &self.mean) / &self.std)
    }
}

impl Persist for FittedScaler {
    const KIND: &'static str = "kiln_check_selftest::Scaler";
    type Params = Scaler;
    fn params(&self) -> &Scaler {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.mean.len())
    }
}

/// Two-means with one assignment step from seeded initial rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TwoMeans {
    pub seed: u64,
    pub n_iter: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FittedTwoMeans {
    params: TwoMeans,
    centres: Array2<f64>,
}

impl Params for TwoMeans {
    const NAME: &'static str = "TwoMeans";
    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "n_iter",
            self.n_iter,
            self.n_iter <= 100,
            "<= 100",
        )
    }
}

fn nearest(centres: &Array2<f64>, row: ArrayView1<'_, f64>) -> usize {
    let d = |k: usize| -> f64 {
        centres
            .row(k)
            .iter()
            .zip(row)
            .map(|(a, b)| (a - b) * (a - b))
            .sum()
    };
    if d(1) < d(0) { 1 } else { 0 }
}

impl FitUnsupervised for TwoMeans {
    type Fitted = FittedTwoMeans;
    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedTwoMeans> {
        use rand::Rng;
        self.validate()?;
        check::check_x(x, NanPolicy::Reject)?;
        check::check_sample_weight(w, x.nrows())?;
        if x.nrows() < 2 {
            return Err(Error::TooFewSamples {
                estimator: Self::NAME.into(),
                needed: "n_samples >= n_clusters=2".into(),
                got: format!("n_samples={}", x.nrows()),
                n_samples: x.nrows(),
            });
        }
        let mut rng = kiln_core::random::rng_from_seed(self.seed);
        let a = rng.random_range(0..x.nrows());
        let b = (a + 1 + rng.random_range(0..x.nrows() - 1)) % x.nrows();
        let mut centres =
            ndarray::stack(Axis(0), &[x.row(a), x.row(b)]).map_err(|e| Error::InvalidValue {
                what: "X".into(),
                row: None,
                reason: e.to_string(),
            })?;
        for _ in 0..self.n_iter {
            let mut sums = Array2::<f64>::zeros(centres.dim());
            let mut tot = [0.0; 2];
            for (i, row) in x.outer_iter().enumerate() {
                let k = nearest(&centres, row);
                let wi = w.map_or(1.0, |w| w[i]);
                sums.row_mut(k).scaled_add(wi, &row);
                tot[k] += wi;
            }
            for (k, &t) in tot.iter().enumerate() {
                if t > 0.0 {
                    centres.row_mut(k).assign(&(&sums.row(k) / t));
                }
            }
        }
        Ok(FittedTwoMeans {
            params: self.clone(),
            centres,
        })
    }
}

impl Fitted for FittedTwoMeans {
    fn n_features_in(&self) -> usize {
        self.centres.ncols()
    }
}

impl Predict for FittedTwoMeans {
    type Output = usize;
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        check::check_predict_x(TwoMeans::NAME, self.centres.ncols(), x, NanPolicy::Reject)?;
        Ok(x.outer_iter().map(|r| nearest(&self.centres, r)).collect())
    }
}

impl Persist for FittedTwoMeans {
    const KIND: &'static str = "kiln_check_selftest::TwoMeans";
    type Params = TwoMeans;
    fn params(&self) -> &TwoMeans {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.centres.ncols())
    }
}
