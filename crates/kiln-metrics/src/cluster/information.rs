//! Information-theoretic comparisons of two labelings: mutual information (plain, normalized,
//! adjusted for chance), homogeneity, completeness and V-measure.

use kiln_core::special::ln_gamma;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use super::contingency::Contingency;
use crate::input::check_pair;

/// How [`normalized_mutual_info_score`] and [`adjusted_mutual_info_score`] average the two
/// entropies in their denominator (scikit-learn's `average_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AverageMethod {
    /// `min(H(U), H(V))`.
    Min,
    /// `sqrt(H(U) · H(V))`.
    Geometric,
    /// `(H(U) + H(V)) / 2`, scikit-learn's default (and the V-measure).
    #[default]
    Arithmetic,
    /// `max(H(U), H(V))`.
    Max,
}

impl AverageMethod {
    fn average(self, u: f64, v: f64) -> f64 {
        match self {
            AverageMethod::Min => u.min(v),
            AverageMethod::Geometric => (u * v).sqrt(),
            AverageMethod::Arithmetic => (u + v) / 2.0,
            AverageMethod::Max => u.max(v),
        }
    }
}

/// Shannon entropy (nats) of a labeling given its class counts, as scikit-learn's `_entropy`.
fn entropy(counts: &[usize]) -> f64 {
    if counts.len() <= 1 {
        return 0.0;
    }
    let total: usize = counts.iter().sum();
    let total = total as f64;
    let ln_total = total.ln();
    -counts
        .iter()
        .map(|&c| {
            let c = c as f64;
            c / total * (c.ln() - ln_total)
        })
        .sum::<f64>()
}

/// Mutual information of a contingency table, term by term as scikit-learn computes it
/// (terms below machine epsilon in magnitude are dropped, the sum is clipped at 0).
fn mutual_info(c: &Contingency) -> f64 {
    if c.n_classes() == 1 || c.n_clusters() == 1 {
        return 0.0;
    }
    let n = c.n_samples() as f64;
    let ln_n = n.ln();
    let (pi, pj) = (c.row_sums(), c.col_sums());
    let mut mi = 0.0;
    for &(i, j, v) in c.cells() {
        let share = v as f64 / n;
        // The product is formed exactly in integers (it is at most n^2).
        let outer = (pi[i] as u128 * pj[j] as u128) as f64;
        let log_outer = -outer.ln() + ln_n + ln_n;
        let term = share * ((v as f64).ln() - ln_n) + share * log_outer;
        if term.abs() >= f64::EPSILON {
            mi += term;
        }
    }
    mi.max(0.0)
}

/// The expected mutual information of two random labelings with the margins of `c`, under
/// the hypergeometric model of Vinh, Epps & Bailey (2010), eq. 24a, evaluated term by term in
/// log space as scikit-learn's `expected_mutual_information`.
fn expected_mutual_info(c: &Contingency) -> f64 {
    let (a, b) = (c.row_sums(), c.col_sums());
    if a.len() == 1 || b.len() == 1 {
        return 0.0;
    }
    let n = c.n_samples();
    let nf = n as f64;
    // ln(k!) for k = 0..=n, computed once: the inner loop only indexes it.
    let ln_fact: Vec<f64> = (0..=n).map(|k| ln_gamma(k as f64 + 1.0)).collect();
    let max_ab = a.iter().chain(b).copied().max().unwrap_or(1);
    let ln_n_nij: Vec<f64> = (0..=max_ab)
        .map(|k| nf.ln() + (k.max(1) as f64).ln())
        .collect();
    let gln_n_nij: Vec<f64> = (0..=max_ab).map(|k| ln_fact[k] + ln_fact[n]).collect();
    let ln_b: Vec<f64> = b.iter().map(|&v| (v as f64).ln()).collect();
    let mut emi = 0.0;
    for &ai in a {
        let ln_ai = (ai as f64).ln();
        let gln_ai = ln_fact[ai] + 0.0;
        let gln_nai = ln_fact[n - ai];
        for (j, &bj) in b.iter().enumerate() {
            let start = (ai + bj).saturating_sub(n).max(1);
            let end = ai.min(bj);
            let gln_ab = gln_ai + ln_fact[bj] + gln_nai + ln_fact[n - bj];
            for nij in start..=end {
                let term1 = nij as f64 / nf;
                let term2 = ln_n_nij[nij] - ln_ai - ln_b[j];
                let gln = gln_ab
                    - gln_n_nij[nij]
                    - ln_fact[ai - nij]
                    - ln_fact[bj - nij]
                    - ln_fact[n + nij - ai - bj];
                emi += term1 * term2 * gln.exp();
            }
        }
    }
    emi
}

/// Mutual information (in nats) between two labelings, as scikit-learn's `mutual_info_score`:
/// `MI(U, V) = Σ_ij (n_ij / N) ln(N n_ij / (|U_i| |V_j|))`.
///
/// Symmetric; 0 when either labeling has a single class.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::mutual_info_score;
/// use ndarray::array;
///
/// let mi = mutual_info_score(array![0, 1, 1, 0, 1, 0].view(), array![0, 1, 0, 0, 1, 1].view())?;
/// assert!((mi - 0.056_633_012_265_132_6).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn mutual_info_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<f64> {
    check_pair("mutual_info_score", labels_true, labels_pred, "labels_pred")?;
    Ok(mutual_info(&Contingency::build(labels_true, labels_pred)))
}

/// Normalized mutual information: `MI / average(H(U), H(V))`, as scikit-learn's
/// `normalized_mutual_info_score(average_method=...)`.
///
/// 1.0 when both labelings have a single class; 0 when the mutual information is 0.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::{AverageMethod, normalized_mutual_info_score};
/// use ndarray::array;
///
/// let nmi = normalized_mutual_info_score(
///     array![0, 0, 1, 1].view(),
///     array![1, 1, 0, 0].view(),
///     AverageMethod::Arithmetic,
/// )?;
/// assert!((nmi - 1.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn normalized_mutual_info_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
    average_method: AverageMethod,
) -> Result<f64> {
    check_pair(
        "normalized_mutual_info_score",
        labels_true,
        labels_pred,
        "labels_pred",
    )?;
    let c = Contingency::build(labels_true, labels_pred);
    if c.n_classes() == 1 && c.n_clusters() == 1 {
        return Ok(1.0);
    }
    let mi = mutual_info(&c);
    if mi == 0.0 {
        return Ok(0.0);
    }
    let normalizer = average_method.average(entropy(c.row_sums()), entropy(c.col_sums()));
    Ok(mi / normalizer)
}

/// Adjusted mutual information (AMI): `(MI − E[MI]) / (average(H(U), H(V)) − E[MI])`, as
/// scikit-learn's `adjusted_mutual_info_score(average_method=...)`.
///
/// 1.0 for labelings equal up to renaming (and when both have a single class), about 0 for
/// independent labelings, 0 when exactly one has a single class. As in scikit-learn, the
/// numerator and denominator are kept at least machine epsilon away from 0.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
///
/// # Notes
/// The expected mutual information sums O(Σ_ij min(|U_i|, |V_j|)) terms, each the
/// exponential of a sum of log-factorials (taken from one table of
/// `kiln_core::special::ln_gamma` values); with large samples those sums reach ~1e5 and
/// lose about 1e-11 absolute, which bounds the agreement with scikit-learn (whose C `lgamma`
/// has the same limit).
///
/// # References
/// N. X. Vinh, J. Epps and J. Bailey (2010), "Information theoretic measures for clusterings
/// comparison: variants, properties, normalization and correction for chance", JMLR 11,
/// 2837–2854.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::{AverageMethod, adjusted_mutual_info_score};
/// use ndarray::array;
///
/// let ami = adjusted_mutual_info_score(
///     array![0, 0, 1, 1].view(),
///     array![0, 0, 1, 1].view(),
///     AverageMethod::Arithmetic,
/// )?;
/// assert!((ami - 1.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn adjusted_mutual_info_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
    average_method: AverageMethod,
) -> Result<f64> {
    check_pair(
        "adjusted_mutual_info_score",
        labels_true,
        labels_pred,
        "labels_pred",
    )?;
    let c = Contingency::build(labels_true, labels_pred);
    if c.n_classes() == 1 && c.n_clusters() == 1 {
        return Ok(1.0);
    }
    if c.n_classes() == 1 || c.n_clusters() == 1 {
        return Ok(0.0);
    }
    let mi = mutual_info(&c);
    let emi = expected_mutual_info(&c);
    let normalizer = average_method.average(entropy(c.row_sums()), entropy(c.col_sums()));
    let away_from_zero = |v: f64| {
        if v < 0.0 {
            v.min(-f64::EPSILON)
        } else {
            v.max(f64::EPSILON)
        }
    };
    Ok(away_from_zero(mi - emi) / away_from_zero(normalizer - emi))
}

/// Homogeneity, completeness and V-measure at once, as scikit-learn's
/// `homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)`.
///
/// - homogeneity `h = MI / H(C)` (1.0 when `labels_true` has one class): each cluster holds
///   members of one class only;
/// - completeness `c = MI / H(K)` (1.0 when `labels_pred` has one cluster): each class sits in
///   one cluster;
/// - V-measure `(1 + β) h c / (β h + c)`, 0 when `h + c = 0`, and 0 when `β = 0` and
///   `c = 0` (where scikit-learn raises `ZeroDivisionError`). With `beta = 1` (scikit-learn's
///   default) it equals the arithmetic [`normalized_mutual_info_score`].
///
/// # Errors
/// [`kiln_core::Error::InvalidParameter`] when `beta` is negative or NaN;
/// [`kiln_core::Error::EmptyInput`] for no samples (scikit-learn returns `(1, 1, 1)` there);
/// [`kiln_core::Error::ShapeMismatch`] for labelings of different lengths.
///
/// # References
/// A. Rosenberg and J. Hirschberg (2007), "V-Measure: a conditional entropy-based external
/// cluster evaluation measure", EMNLP-CoNLL.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::homogeneity_completeness_v_measure;
/// use ndarray::array;
///
/// // Pure clusters, but one class split in two: homogeneous, not complete.
/// let (h, c, v) =
///     homogeneity_completeness_v_measure(array![0, 0, 1, 1].view(), array![0, 0, 1, 2].view(), 1.0)?;
/// assert!((h - 1.0).abs() < 1e-15);
/// assert!((c - 2.0 / 3.0).abs() < 1e-15);
/// assert!((v - 0.8).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn homogeneity_completeness_v_measure(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
    beta: f64,
) -> Result<(f64, f64, f64)> {
    hcv(
        "homogeneity_completeness_v_measure",
        labels_true,
        labels_pred,
        beta,
    )
}

fn hcv(
    metric: &str,
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
    beta: f64,
) -> Result<(f64, f64, f64)> {
    if beta.is_nan() || beta < 0.0 {
        return Err(Error::invalid_param(
            metric,
            "beta",
            format!("must be a float in the range [0, inf); got {beta}"),
        ));
    }
    check_pair(metric, labels_true, labels_pred, "labels_pred")?;
    let c = Contingency::build(labels_true, labels_pred);
    let (h_true, h_pred) = (entropy(c.row_sums()), entropy(c.col_sums()));
    let mi = mutual_info(&c);
    let homogeneity = if h_true != 0.0 { mi / h_true } else { 1.0 };
    let completeness = if h_pred != 0.0 { mi / h_pred } else { 1.0 };
    // scikit-learn divides by zero (and raises) when beta = 0 with completeness 0 while
    // homogeneity is 1 (a single true class); 0 is the V-measure's value as completeness → 0.
    let v = if homogeneity + completeness == 0.0 || beta * homogeneity + completeness == 0.0 {
        0.0
    } else {
        (1.0 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    };
    Ok((homogeneity, completeness, v))
}

/// Homogeneity: whether each cluster holds members of a single class, as scikit-learn's
/// `homogeneity_score`; see [`homogeneity_completeness_v_measure`].
///
/// # Errors
/// As [`homogeneity_completeness_v_measure`].
///
/// # Example
/// ```
/// use kiln_metrics::cluster::homogeneity_score;
/// use ndarray::array;
///
/// // Every cluster is pure, though classes are split.
/// let h = homogeneity_score(array![0, 0, 1, 1].view(), array![0, 1, 2, 3].view())?;
/// assert!((h - 1.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn homogeneity_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<f64> {
    Ok(hcv("homogeneity_score", labels_true, labels_pred, 1.0)?.0)
}

/// Completeness: whether all members of a class fall in one cluster, as scikit-learn's
/// `completeness_score`; see [`homogeneity_completeness_v_measure`].
///
/// # Errors
/// As [`homogeneity_completeness_v_measure`].
///
/// # Example
/// ```
/// use kiln_metrics::cluster::completeness_score;
/// use ndarray::array;
///
/// assert_eq!(completeness_score(array![0, 0, 1, 1].view(), array![0, 0, 0, 0].view())?, 1.0);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn completeness_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<f64> {
    Ok(hcv("completeness_score", labels_true, labels_pred, 1.0)?.1)
}

/// The V-measure, the weighted harmonic mean of homogeneity and completeness, as
/// scikit-learn's `v_measure_score(beta=...)` (scikit-learn's default `beta` is 1.0); see
/// [`homogeneity_completeness_v_measure`].
///
/// # Errors
/// As [`homogeneity_completeness_v_measure`].
///
/// # Example
/// ```
/// use kiln_metrics::cluster::v_measure_score;
/// use ndarray::array;
///
/// let v = v_measure_score(array![0, 0, 1, 2].view(), array![0, 0, 1, 1].view(), 1.0)?;
/// assert!((v - 0.8).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn v_measure_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
    beta: f64,
) -> Result<f64> {
    Ok(hcv("v_measure_score", labels_true, labels_pred, beta)?.2)
}
