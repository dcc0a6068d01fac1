//! [`FittedKMeans`]: the centres of a fitted [`KMeans`], with predict, transform and score.

use std::borrow::Cow;

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fitted, Params, Predict, Result, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::KMeans;
use super::common::{self, Data};
use super::lloyd;

/// A fitted [`KMeans`]: the centres and the labels, inertia and iteration count of the best
/// run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedKMeans {
    pub(super) params: KMeans,
    pub(super) n_features: usize,
    pub(super) cluster_centers: Array2<f64>,
    pub(super) labels: Array1<usize>,
    pub(super) inertia: f64,
    pub(super) n_iter: usize,
    pub(super) converged: bool,
    /// The shift the fit subtracted from every row (the column means, when the data lay
    /// further from the origin than it spread; empty when it read the rows as they are).
    /// Predict, transform and score subtract it too, from the rows and the centres, so that
    /// the distances of rows far from the origin keep the precision the fit had.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) offset: Vec<f64>,
}

impl FittedKMeans {
    /// The params it was fitted with.
    pub fn params(&self) -> &KMeans {
        &self.params
    }

    /// The centres, `n_clusters × n_features` (scikit-learn's `cluster_centers_`).
    pub fn cluster_centers(&self) -> ArrayView2<'_, f64> {
        self.cluster_centers.view()
    }

    /// The cluster of every training row (`labels_`), consistent with the centres.
    pub fn labels(&self) -> ArrayView1<'_, usize> {
        self.labels.view()
    }

    /// The weighted sum of squared distances of the training rows to their centres
    /// (`inertia_`).
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// The number of iterations of the best run (`n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the best run stopped by strict convergence (no label changed) or by the
    /// tolerance on centre shifts, rather than by reaching `max_iter` without either. A run
    /// that meets a stopping rule in its `max_iter`-th iteration counts as converged.
    pub fn converged(&self) -> bool {
        self.converged
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
        check::check_predict_x(KMeans::NAME, self.n_features, x, NanPolicy::Reject)?;
        check::check_sample_weight(sample_weight, x.nrows())?;
        let xs = self.rows(x);
        let w: Vec<f64> = match sample_weight {
            Some(w) => w.to_vec(),
            None => vec![1.0; x.nrows()],
        };
        let (labels, _) = self.nearest(&xs);
        let centers = self.shifted_centers();
        let data = Data {
            x: &xs,
            w: &w,
            n: x.nrows(),
            d: self.n_features,
        };
        Ok(-common::inertia(data, &centers, &labels))
    }

    /// The rows of `x`, row-major, minus the fit's offset (borrowed when there is neither a
    /// copy to make nor an offset).
    fn rows<'a>(&self, x: ArrayView2<'a, f64>) -> Cow<'a, [f64]> {
        match x.to_slice() {
            Some(s) if self.offset.iter().all(|&o| o == 0.0) => Cow::Borrowed(s),
            _ if self.offset.is_empty() => Cow::Owned(x.iter().copied().collect()),
            _ => Cow::Owned(crate::kmeans::shift_rows(x, &self.offset)),
        }
    }

    /// The centres, row-major, minus the fit's offset.
    fn shifted_centers(&self) -> Vec<f64> {
        if self.offset.is_empty() {
            return self.cluster_centers.iter().copied().collect();
        }
        crate::kmeans::shift_rows(self.cluster_centers.view(), &self.offset)
    }

    /// The nearest centre of every row of the row-major, shifted `xs`.
    fn nearest(&self, xs: &[f64]) -> (Vec<usize>, bool) {
        let d = self.n_features;
        let k = self.cluster_centers.nrows();
        let centers = self.shifted_centers();
        let mut labels = vec![0; xs.len() / d.max(1)];
        let finite = lloyd::assign_finite(xs, d, &centers, k, &mut labels);
        (labels, finite)
    }
}

impl Fitted for FittedKMeans {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedKMeans {
    type Output = usize;

    /// The nearest centre of every row (the first on ties).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        check::check_n_features(KMeans::NAME, self.n_features, x)?;
        check::check_non_empty(x, "X")?;
        // The assignment notes whether every value was finite, so the data is read once; the
        // positional check (which names the row and column) runs only when one was not.
        let (labels, finite) = self.nearest(&self.rows(x));
        if !finite {
            check::check_finite(x, "X", NanPolicy::Reject)?;
        }
        Ok(Array1::from(labels))
    }
}

impl Transform for FittedKMeans {
    /// The Euclidean distance of every row to every centre, `n_rows × n_clusters`.
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(KMeans::NAME, self.n_features, x, NanPolicy::Reject)?;
        let k = self.cluster_centers.nrows();
        let centers = self.shifted_centers();
        Ok(common::distances(
            &self.rows(x),
            self.n_features,
            &centers,
            k,
        ))
    }
}

impl Persist for FittedKMeans {
    const KIND: &'static str = "kiln_cluster::KMeans";
    type Params = KMeans;

    fn params(&self) -> &KMeans {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        let (k, d) = self.cluster_centers.dim();
        if k == 0 || d != self.n_features || !self.cluster_centers.iter().all(|v| v.is_finite()) {
            return Err(kiln_core::Error::model_format(
                kiln_core::FormatCheck::Payload,
                format!(
                    "{k} x {d} cluster centres (finite: {}) for {} features",
                    self.cluster_centers.iter().all(|v| v.is_finite()),
                    self.n_features
                ),
            ));
        }
        if !(self.offset.is_empty()
            || self.offset.len() == d && self.offset.iter().all(|v| v.is_finite()))
        {
            return Err(kiln_core::Error::model_format(
                kiln_core::FormatCheck::Payload,
                format!(
                    "an offset of {} values for {d} features (it must be empty or one finite \
                     value per feature)",
                    self.offset.len()
                ),
            ));
        }
        Ok(())
    }
}
