//! Out-of-fold predictions.

use kiln_core::{Error, Fit, Predict, Result};
use kiln_prep::split::{Fold, Splitter};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rayon::prelude::*;

use super::CvOptions;
use super::run::{Data, check_fold, rows_in, take};
use crate::scorer::Target;

/// Checks that each sample is in exactly one test set, as `cross_val_predict` needs.
fn check_partition(n_samples: usize, folds: &[Fold]) -> Result<()> {
    let mut seen = vec![0usize; n_samples];
    for fold in folds {
        for &i in &fold.test {
            seen[i] += 1;
        }
    }
    match seen.iter().position(|&c| c != 1) {
        None => Ok(()),
        Some(i) => Err(Error::InvalidValue {
            what: "splitter of cross_val_predict".into(),
            row: Some(i),
            reason: format!(
                "sample {i} is in {} test sets; out-of-fold predictions need test sets that \
                 partition the samples (each in exactly one), as KFold's do and ShuffleSplit's \
                 do not",
                seen[i]
            ),
        }),
    }
}

/// Out-of-fold predictions: each sample is predicted by the model fitted on the folds that
/// did not hold it, as scikit-learn's `cross_val_predict` (with `method="predict"`).
///
/// Uses `options.groups`, `options.sample_weight` (for the fits) and `options.parallel`; the
/// other options do not apply.
///
/// # Errors
/// As [`super::cross_validate`], and [`Error::InvalidValue`] when the test sets of `cv` do not
/// partition the samples (e.g. `ShuffleSplit`, `TimeSeriesSplit`), checked before any fit.
///
/// # Example
/// ```
/// use kiln_linear::LinearRegression;
/// use kiln_prep::split::KFold;
/// use kiln_select::cv::{cross_val_predict, CvOptions};
/// use ndarray::array;
///
/// let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]];
/// let y = array![1.0, 3.0, 5.0, 7.0, 9.0, 11.0];
/// let cv = KFold::default().with_n_splits(3);
/// let pred = cross_val_predict(&LinearRegression::default(), x.view(), y.view(), &cv,
///     &CvOptions::default())?;
/// assert!(pred.iter().zip(&y).all(|(p, t)| (p - t).abs() < 1e-9));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn cross_val_predict<P>(
    params: &P,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, P::Target>,
    cv: &dyn Splitter,
    options: &CvOptions<'_>,
) -> Result<Array1<<P::Fitted as Predict>::Output>>
where
    P: Fit + Sync,
    P::Target: Target,
    P::Fitted: Predict + Send + Sync,
    <P::Fitted as Predict>::Output: Clone + Send,
{
    params.validate()?;
    let data = Data::new(x, y, options.sample_weight, options.groups)?;
    let n = data.n_samples();
    let folds = cv.folds(n, data.class_indices(), data.groups)?;
    for (i, fold) in folds.iter().enumerate() {
        check_fold(n, i, &fold.train, &fold.test)?;
    }
    check_partition(n, &folds)?;
    let job =
        |scratch: &mut Vec<f64>, fold: &Fold| -> Result<Array1<<P::Fitted as Predict>::Output>> {
            let model = if P::FITS_ROWS_IN_PLACE {
                params.fit_rows(data.x, data.y, data.sample_weight, &fold.train)?
            } else {
                let xt = rows_in(data.x, &fold.train, scratch);
                let yt = take(data.y, &fold.train);
                let w = data.sample_weight.map(|w| take(w, &fold.train));
                params.fit_weighted(xt, yt.view(), w.as_ref().map(|w| w.view()))?
            };
            if <P::Fitted as Predict>::PREDICTS_ROWS_IN_PLACE {
                model.predict_rows(data.x, &fold.test)
            } else {
                model.predict(rows_in(data.x, &fold.test, scratch))
            }
        };
    let preds: Vec<Result<_>> = if options.parallel {
        folds.par_iter().map_init(Vec::new, job).collect()
    } else {
        let mut scratch = Vec::new();
        folds.iter().map(|f| job(&mut scratch, f)).collect()
    };
    let mut out: Vec<Option<<P::Fitted as Predict>::Output>> = vec![None; n];
    for (fold, pred) in folds.iter().zip(preds) {
        let pred = pred?;
        for (&i, p) in fold.test.iter().zip(pred) {
            out[i] = Some(p);
        }
    }
    // The partition check guarantees every slot is filled; an empty slot would mean a model
    // returned fewer predictions than rows.
    out.into_iter()
        .enumerate()
        .map(|(i, p)| {
            p.ok_or_else(|| Error::InvalidValue {
                what: "out-of-fold predictions".into(),
                row: Some(i),
                reason: "the model returned fewer predictions than test rows".into(),
            })
        })
        .collect()
}
