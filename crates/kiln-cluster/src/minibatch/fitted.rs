//! [`FittedMiniBatchKMeans`]: the centres and learning state of a [`MiniBatchKMeans`], with
//! `partial_fit` for further batches, predict, transform and score.

use std::borrow::Cow;

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::random::task_rng;
use kiln_core::{Fitted, Params, Predict, Result, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::MiniBatchKMeans;
use super::step::State;
use crate::kmeans::common::{self, Data};
use crate::kmeans::lloyd;

/// A fitted [`MiniBatchKMeans`]: the centres, the per-centre counts that set the learning
/// rates of further [`partial_fit`](Self::partial_fit) calls, and the labels and inertia of
/// the last data seen.
///
/// # Fitted attributes
/// [`cluster_centers`](Self::cluster_centers), [`counts`](Self::counts),
/// [`labels`](Self::labels), [`inertia`](Self::inertia), [`n_iter`](Self::n_iter) and
/// [`n_steps`](Self::n_steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMiniBatchKMeans {
    pub(super) params: MiniBatchKMeans,
    pub(super) n_features: usize,
    /// Subtracted from every row before any computation (see the notes of
    /// [`MiniBatchKMeans`]).
    pub(super) offset: Vec<f64>,
    /// The learning state, in shifted coordinates.
    pub(super) state: State,
    pub(super) cluster_centers: Array2<f64>,
    pub(super) labels: Array1<usize>,
    pub(super) inertia: f64,
    pub(super) n_iter: usize,
    pub(super) n_steps: usize,
}

impl FittedMiniBatchKMeans {
    /// The params it was fitted with.
    pub fn params(&self) -> &MiniBatchKMeans {
        &self.params
    }

    /// The centres, `n_clusters × n_features` (scikit-learn's `cluster_centers_`).
    pub fn cluster_centers(&self) -> ArrayView2<'_, f64> {
        self.cluster_centers.view()
    }

    /// The weight each centre has accumulated over all steps (scikit-learn's private
    /// `_counts`); a centre's learning rate for a new row of weight `w` is `w / count`.
    pub fn counts(&self) -> &[f64] {
        &self.state.counts
    }

    /// After `fit`: the cluster of every training row under the final centres
    /// (scikit-learn's `labels_`). After `partial_fit`: the clusters of the rows of the last
    /// batch under the updated centres.
    pub fn labels(&self) -> ArrayView1<'_, usize> {
        self.labels.view()
    }

    /// The weighted sum of squared distances to the nearest centre of the rows that
    /// [`labels`](Self::labels) describes (scikit-learn's `inertia_`).
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// The number of passes over the data made by `fit`, `⌈n_steps · batch_size / n_samples⌉`
    /// (scikit-learn's `n_iter_`); 0 for a model built by `partial_fit` alone.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// The number of mini-batch steps made, by `fit` and `partial_fit` together
    /// (scikit-learn's `n_steps_`).
    pub fn n_steps(&self) -> usize {
        self.n_steps
    }

    /// Updates the model with one more batch of rows (scikit-learn's `partial_fit` after the
    /// first call): one mini-batch step with the counts carried over, then the labels and
    /// inertia of `x` under the updated centres. The random reassignment of this step draws
    /// from [`task_rng`]`(seed, n_steps)`, so a stream of batches gives the same model
    /// however it is split between processes (the model saves and loads in between).
    ///
    /// # Errors
    /// [`kiln_core::Error::FeatureCountMismatch`] when `x` has a different number of columns
    /// than the first batch; empty or non-finite `x`; invalid sample weights. The model is
    /// unchanged on error.
    pub fn partial_fit(
        &mut self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<()> {
        check::check_predict_x(MiniBatchKMeans::NAME, self.n_features, x, NanPolicy::Reject)?;
        check::check_sample_weight(sample_weight, x.nrows())?;
        check::check_squares_fit_2d(x, "X")?;
        let xs = self.shifted(x);
        let w: Vec<f64> = match sample_weight {
            Some(w) => w.to_vec(),
            None => vec![1.0; x.nrows()],
        };
        let data = Data {
            x: &xs,
            w: &w,
            n: x.nrows(),
            d: self.n_features,
        };
        let mut rng = task_rng(self.params.seed, self.n_steps as u64);
        self.learn_batch(data, &mut rng);
        Ok(())
    }

    /// One step on the shifted `data`, then its labels and inertia.
    pub(super) fn learn_batch(&mut self, data: Data<'_>, rng: &mut kiln_core::random::KilnRng) {
        let reassign = self.state.reassign_due(data.n);
        let mut labels = Vec::new();
        self.state.step(
            data,
            reassign,
            self.params.reassignment_ratio,
            rng,
            &mut labels,
        );
        self.n_steps += 1;
        self.relabel(data);
    }

    /// Sets the labels and inertia to those of the shifted `data` and refreshes the public
    /// centres from the state.
    pub(super) fn relabel(&mut self, data: Data<'_>) {
        let k = self.state.counts.len();
        let mut labels = vec![0; data.n];
        lloyd::assign(data.x, data.d, &self.state.centers, k, &mut labels);
        self.inertia = common::inertia(data, &self.state.centers, &labels);
        self.labels = Array1::from(labels);
        let d = self.n_features;
        let (c, o) = (&self.state.centers, &self.offset);
        self.cluster_centers = Array2::from_shape_fn((k, d), |(j, f)| c[j * d + f] + o[f]);
    }

    /// `x` minus the offset, row-major: `x` itself when it is row-major and the offset is
    /// zero.
    fn shifted<'a>(&self, x: ArrayView2<'a, f64>) -> Cow<'a, [f64]> {
        match x.to_slice() {
            Some(s) if self.offset.iter().all(|&o| o == 0.0) => Cow::Borrowed(s),
            _ => Cow::Owned(crate::kmeans::shift_rows(x, &self.offset)),
        }
    }

    /// The nearest centre of every row of the shifted, row-major `xs`.
    fn nearest(&self, xs: &[f64]) -> Vec<usize> {
        let d = self.n_features;
        let k = self.state.counts.len();
        let mut labels = vec![0; xs.len() / d.max(1)];
        lloyd::assign(xs, d, &self.state.centers, k, &mut labels);
        labels
    }

    /// The negated inertia of `x` against the fitted centres (scikit-learn's `score`): higher
    /// is better.
    ///
    /// # Errors
    /// As [`Predict::predict`], and invalid sample weights.
    pub fn score(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<f64> {
        check::check_predict_x(MiniBatchKMeans::NAME, self.n_features, x, NanPolicy::Reject)?;
        check::check_sample_weight(sample_weight, x.nrows())?;
        let xs = self.shifted(x);
        let w: Vec<f64> = match sample_weight {
            Some(w) => w.to_vec(),
            None => vec![1.0; x.nrows()],
        };
        let labels = self.nearest(&xs);
        let data = Data {
            x: &xs,
            w: &w,
            n: x.nrows(),
            d: self.n_features,
        };
        Ok(-common::inertia(data, &self.state.centers, &labels))
    }
}

impl Fitted for FittedMiniBatchKMeans {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedMiniBatchKMeans {
    type Output = usize;

    /// The nearest centre of every row (the first on ties), computed as at fit, so the
    /// training rows get [`FittedMiniBatchKMeans::labels`] after `fit`.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        check::check_predict_x(MiniBatchKMeans::NAME, self.n_features, x, NanPolicy::Reject)?;
        Ok(Array1::from(self.nearest(&self.shifted(x))))
    }
}

impl Transform for FittedMiniBatchKMeans {
    /// The Euclidean distance of every row to every centre, `n_rows × n_clusters`.
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(MiniBatchKMeans::NAME, self.n_features, x, NanPolicy::Reject)?;
        let k = self.state.counts.len();
        let d = self.n_features;
        let centers = &self.state.centers;
        let xs = self.shifted(x);
        Ok(common::distances(&xs, d, centers, k))
    }
}

impl Persist for FittedMiniBatchKMeans {
    const KIND: &'static str = "kiln_cluster::MiniBatchKMeans";
    type Params = MiniBatchKMeans;

    fn params(&self) -> &MiniBatchKMeans {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        let (k, d) = self.cluster_centers.dim();
        let consistent = k > 0
            && d == self.n_features
            && self.offset.len() == d
            && self.state.counts.len() == k
            && self.state.centers.len() == k * d
            && self.cluster_centers.iter().all(|v| v.is_finite());
        if !consistent {
            return Err(kiln_core::Error::model_format(
                kiln_core::FormatCheck::Payload,
                format!(
                    "{k} x {d} cluster centres, {} state centre values, {} counts and {} \
                     offsets do not fit {} features",
                    self.state.centers.len(),
                    self.state.counts.len(),
                    self.offset.len(),
                    self.n_features
                ),
            ));
        }
        Ok(())
    }
}
