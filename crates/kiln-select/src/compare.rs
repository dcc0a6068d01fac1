//! Paired comparison of two models evaluated on the same cross-validation folds.
//!
//! Fold scores of two models on the same folds are paired; their differences
//! `d_i = score_A,i − score_B,i` are tested for a mean of zero. Because the training sets of
//! the folds overlap, the fold differences are correlated and the plain paired t-test is too
//! confident (its type I error can far exceed the nominal level). The **corrected resampled
//! t-test** of Nadeau & Bengio (2003) inflates the variance of the mean difference from
//! `σ̂²/k` to `(1/k + n_test/n_train) σ̂²`; it is the main result here, with the plain paired
//! t-test given beside it for reference.
//!
//! [`compare_scores`] is a pure function of the fold scores; [`compare_models`]
//! cross-validates two estimators on the same folds (with [`crate::cv::cross_validate`]) and
//! compares them. The verdict honours the metric's direction: for an error (Minimize),
//! "A beats B" means A's error is lower.
//!
//! ```
//! use kiln_select::compare::{CompareOptions, compare_scores};
//! use kiln_select::scorer::Direction;
//! use ndarray::array;
//!
//! let a = array![0.95, 0.96, 0.94, 0.97, 0.95, 0.96, 0.95, 0.97, 0.96, 0.95];
//! let b = array![0.93, 0.93, 0.92, 0.94, 0.94, 0.93, 0.92, 0.95, 0.94, 0.92];
//! let options = CompareOptions::new(512, 57)
//!     .with_metric("accuracy", Direction::Maximize)
//!     .with_names("logistic", "tree");
//! let c = compare_scores(a.view(), b.view(), &options)?;
//! assert!(c.mean_difference() > 0.0);
//! assert!(c.corrected().p_two_sided < 0.05);
//! println!("{}", c.verdict());
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Repeated k-fold
//! With `r` repetitions of `k`-fold cross-validation, pass all `r·k` fold scores (paired
//! fold by fold). They count as `r·k` folds: the variance factor is
//! `1/(r·k) + n_test/n_train` and the degrees of freedom `r·k − 1`, the "corrected repeated
//! k-fold cv test" of Bouckaert & Frank (2004). The correction term `n_test/n_train`, not the
//! fold count, accounts for the dependence between folds.
//!
//! # References
//! C. Nadeau, Y. Bengio (2003), Inference for the generalization error, *Machine Learning*
//! 52, 239–281; R. R. Bouckaert, E. Frank (2004), Evaluating the replicability of
//! significance tests for comparing learning algorithms, *PAKDD*, LNCS 3056, 3–12.

mod cv;

pub use cv::{CompareModelsOptions, compare_models};

use std::fmt;

use kiln_core::check;
use kiln_core::special::t_sf;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use crate::scorer::Direction;
pub use kiln_core::special::t_ppf;

const NAME: &str = "compare_scores";

/// The options of [`compare_scores`].
///
/// # Parameters
/// - `n_train`, `n_test` (required): the training and test set sizes of a fold, for the
///   correction `n_test/n_train` (with unequal folds, pass the typical sizes, e.g.
///   `n − n/k` and `n/k`).
/// - `confidence` (default 0.95): the level of the confidence interval, in (0, 1).
/// - `alpha` (default 0.05): the significance level of the verdict, in (0, 1).
/// - `metric` (default `"score"`) and `direction` (default [`Direction::Maximize`]).
/// - `name_a`, `name_b` (default `"A"`, `"B"`): the models' names in the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    /// Training rows per fold.
    pub n_train: usize,
    /// Test rows per fold.
    pub n_test: usize,
    /// Level of the confidence interval. By default, 0.95.
    pub confidence: f64,
    /// Significance level of the verdict (two-sided corrected test). By default, 0.05.
    pub alpha: f64,
    /// The metric's name. By default, `"score"`.
    pub metric: String,
    /// Which way the metric is better. By default, [`Direction::Maximize`].
    pub direction: Direction,
    /// The first model's name. By default, `"A"`.
    pub name_a: String,
    /// The second model's name. By default, `"B"`.
    pub name_b: String,
}

impl CompareOptions {
    /// Options for folds of `n_train` training and `n_test` test rows, other fields at their
    /// defaults.
    pub fn new(n_train: usize, n_test: usize) -> Self {
        Self {
            n_train,
            n_test,
            confidence: 0.95,
            alpha: 0.05,
            metric: "score".into(),
            direction: Direction::Maximize,
            name_a: "A".into(),
            name_b: "B".into(),
        }
    }

    /// Sets `confidence` (by default, 0.95).
    #[must_use]
    pub fn with_confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }

    /// Sets `alpha` (by default, 0.05).
    #[must_use]
    pub fn with_alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Sets the metric's name and direction (by default, `"score"`, maximized).
    #[must_use]
    pub fn with_metric(mut self, metric: impl Into<String>, direction: Direction) -> Self {
        self.metric = metric.into();
        self.direction = direction;
        self
    }

    /// Sets the models' names (by default, `"A"` and `"B"`).
    #[must_use]
    pub fn with_names(mut self, name_a: impl Into<String>, name_b: impl Into<String>) -> Self {
        self.name_a = name_a.into();
        self.name_b = name_b.into();
        self
    }

    fn validate(&self) -> Result<()> {
        check::check_param(
            NAME,
            "n_train",
            self.n_train,
            self.n_train >= 1,
            "an int in the range [1, inf)",
        )?;
        check::check_param(
            NAME,
            "n_test",
            self.n_test,
            self.n_test >= 1,
            "an int in the range [1, inf)",
        )?;
        let open_unit = "a float in the range (0, 1)";
        check::check_param(
            NAME,
            "confidence",
            self.confidence,
            self.confidence > 0.0 && self.confidence < 1.0,
            open_unit,
        )?;
        check::check_param(
            NAME,
            "alpha",
            self.alpha,
            self.alpha > 0.0 && self.alpha < 1.0,
            open_unit,
        )
    }
}

/// One t-test of the mean fold difference (A − B).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTest {
    /// The standard error of the mean difference used by this test.
    pub std_error: f64,
    /// The t statistic, mean difference / standard error (NaN when both are 0).
    pub t: f64,
    /// Degrees of freedom, number of folds − 1.
    pub df: f64,
    /// Two-sided p-value of "no difference".
    pub p_two_sided: f64,
    /// One-sided p-value of "A is better than B" (honouring the direction: for a Maximize
    /// metric the alternative is a positive mean difference, for Minimize a negative one).
    pub p_a_better: f64,
    /// Lower end of the confidence interval of the mean difference A − B.
    pub ci_low: f64,
    /// Upper end of the confidence interval of the mean difference A − B.
    pub ci_high: f64,
}

impl TTest {
    fn new(mean: f64, std_error: f64, df: f64, confidence: f64, direction: Direction) -> Self {
        let t = mean / std_error;
        let p_two_sided = if t.is_nan() {
            f64::NAN
        } else {
            (2.0 * t_sf(df, t.abs())).min(1.0)
        };
        let p_a_better = match direction {
            Direction::Maximize => t_sf(df, t),
            Direction::Minimize => t_sf(df, -t),
        };
        let q = t_ppf(df, 0.5 + confidence / 2.0);
        Self {
            std_error,
            t,
            df,
            p_two_sided,
            p_a_better,
            ci_low: mean - q * std_error,
            ci_high: mean + q * std_error,
        }
    }
}

/// The result of [`compare_scores`]: the fold differences A − B, the corrected resampled
/// t-test (the one the verdict uses) and the plain paired t-test.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    options: CompareOptions,
    n_folds: usize,
    mean_a: f64,
    mean_b: f64,
    mean_difference: f64,
    std_difference: f64,
    corrected: TTest,
    paired: TTest,
}

impl Comparison {
    /// The number of paired folds.
    pub fn n_folds(&self) -> usize {
        self.n_folds
    }

    /// The mean score of A over the folds.
    pub fn mean_a(&self) -> f64 {
        self.mean_a
    }

    /// The mean score of B over the folds.
    pub fn mean_b(&self) -> f64 {
        self.mean_b
    }

    /// The mean of the fold differences A − B.
    pub fn mean_difference(&self) -> f64 {
        self.mean_difference
    }

    /// The sample standard deviation (`ddof = 1`) of the fold differences.
    pub fn std_difference(&self) -> f64 {
        self.std_difference
    }

    /// The corrected resampled t-test (Nadeau & Bengio 2003): standard error
    /// `sqrt((1/k + n_test/n_train) σ̂²)`, `k − 1` degrees of freedom.
    pub fn corrected(&self) -> &TTest {
        &self.corrected
    }

    /// The plain paired t-test (standard error `σ̂/√k`); over-confident on CV folds, given
    /// for reference.
    pub fn paired(&self) -> &TTest {
        &self.paired
    }

    /// The options the comparison was made with.
    pub fn options(&self) -> &CompareOptions {
        &self.options
    }

    /// Whether the corrected test rejects "no difference" at level `alpha` (two-sided).
    pub fn is_significant(&self) -> bool {
        self.corrected.p_two_sided < self.options.alpha
    }

    /// A plain-words verdict from the corrected test, e.g. "A beats B on accuracy by 0.021
    /// (95% CI 0.004 to 0.038, corrected t-test p = 0.03, 10 folds)" or "no significant
    /// difference ...". "By" is the absolute mean difference, in the metric's units, and the
    /// interval is that of the winner's advantage.
    pub fn verdict(&self) -> String {
        let o = &self.options;
        let c = &self.corrected;
        let level = fmt_pct(o.confidence);
        if c.t.is_nan() {
            return format!(
                "no difference between {} and {} on {}: identical scores on all {} folds",
                o.name_a, o.name_b, o.metric, self.n_folds
            );
        }
        let d = self.mean_difference;
        // Which model is better: positive difference favours A for Maximize, B for Minimize.
        let a_better = match o.direction {
            Direction::Maximize => d > 0.0,
            Direction::Minimize => d < 0.0,
        };
        let (winner, loser) = if a_better {
            (&o.name_a, &o.name_b)
        } else {
            (&o.name_b, &o.name_a)
        };
        let detail = |lo: f64, hi: f64| {
            format!(
                "{level} CI {} to {}, corrected t-test p = {}, {} folds",
                fmt_num(lo),
                fmt_num(hi),
                fmt_p(c.p_two_sided),
                self.n_folds
            )
        };
        if self.is_significant() {
            // The interval of |d|, the winner's advantage in the metric's units.
            let (lo, hi) = if d >= 0.0 {
                (c.ci_low, c.ci_high)
            } else {
                (-c.ci_high, -c.ci_low)
            };
            format!(
                "{winner} beats {loser} on {} by {} ({})",
                o.metric,
                fmt_num(d.abs()),
                detail(lo, hi)
            )
        } else {
            format!(
                "no significant difference between {a} and {b} on {} (mean difference {a} − {b} = {}; {})",
                o.metric,
                fmt_num(d),
                detail(c.ci_low, c.ci_high),
                a = o.name_a,
                b = o.name_b,
            )
        }
    }
}

impl fmt::Display for Comparison {
    /// The verdict, then both tests in a small table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(f, "{}", self.verdict())?;
        writeln!(
            f,
            "{} mean {:.6}, {} mean {:.6}, difference {:.6} (std {:.6}) over {} folds; n_train {}, n_test {}",
            o.name_a,
            self.mean_a,
            o.name_b,
            self.mean_b,
            self.mean_difference,
            self.std_difference,
            self.n_folds,
            o.n_train,
            o.n_test
        )?;
        let level = fmt_pct(o.confidence);
        writeln!(
            f,
            "{:<10} {:>10} {:>6} {:>10} {:>12} {:>24}",
            "test",
            "t",
            "df",
            "p",
            "p(A better)",
            format!("{level} CI")
        )?;
        for (name, t) in [("corrected", &self.corrected), ("paired", &self.paired)] {
            writeln!(
                f,
                "{:<10} {:>10.4} {:>6} {:>10.4} {:>12.4} {:>24}",
                name,
                t.t,
                t.df,
                t.p_two_sided,
                t.p_a_better,
                format!("[{:.6}, {:.6}]", t.ci_low, t.ci_high)
            )?;
        }
        Ok(())
    }
}

fn fmt_pct(level: f64) -> String {
    let pct = level * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{}%", pct.round())
    } else {
        format!("{pct}%")
    }
}

/// Three significant decimals for differences of scores of order 0.001–1, more digits only
/// for very small values.
fn fmt_num(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.001 {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}

fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else if p < 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    }
}

/// The mean of `k` values: their sum over `k`, or (when the sum overflows) the sum of each
/// over `k`.
fn mean_of(values: impl Iterator<Item = f64> + Clone, k: f64) -> f64 {
    let m = values.clone().sum::<f64>() / k;
    if m.is_finite() {
        m
    } else {
        values.map(|v| v / k).sum()
    }
}

/// Compares two models from their scores on the same folds (`scores_a[i]` and `scores_b[i]`
/// on fold `i`).
///
/// # Errors
/// [`Error::ShapeMismatch`] when the score vectors differ in length;
/// [`Error::TooFewSamples`] with fewer than 2 folds; [`Error::NonFinite`] for a NaN or
/// infinite score; [`Error::InvalidValue`] for scores so large (near 1e308) that their
/// differences overflow; [`Error::InvalidParameter`] for `n_train` or `n_test` of 0, or
/// `confidence` / `alpha` outside (0, 1).
///
/// # Notes
/// - Let `d_i = a_i − b_i`, `k` folds, `d̄` their mean and `σ̂²` their sample variance
///   (`ddof = 1`). The corrected test uses `t = d̄ / sqrt((1/k + n_test/n_train) σ̂²)`, the
///   paired test `t = d̄ / sqrt(σ̂²/k)`; both have `k − 1` degrees of freedom, and the
///   confidence interval is `d̄ ± t_{(1+confidence)/2, k−1} · se`.
/// - When every difference is the same, `σ̂ = 0`: t is ±∞ (p = 0) if that difference is
///   non-zero and NaN (p NaN, as SciPy's `ttest_rel`) if the scores are identical.
/// - Repeated k-fold: see the module docs (all `r·k` folds count).
pub fn compare_scores(
    scores_a: ArrayView1<'_, f64>,
    scores_b: ArrayView1<'_, f64>,
    options: &CompareOptions,
) -> Result<Comparison> {
    options.validate()?;
    check::check_same_len(
        "number of folds of scores_b against scores_a",
        scores_a.len(),
        scores_b.len(),
    )?;
    let k = scores_a.len();
    if k < 2 {
        return Err(Error::TooFewSamples {
            estimator: NAME.into(),
            needed: "at least 2 folds".into(),
            got: format!("{k} fold{}", if k == 1 { "" } else { "s" }),
            n_samples: k,
        });
    }
    check::check_finite_1d(scores_a, "scores_a")?;
    check::check_finite_1d(scores_b, "scores_b")?;
    let kf = k as f64;
    let mean_a = mean_of(scores_a.iter().copied(), kf);
    let mean_b = mean_of(scores_b.iter().copied(), kf);
    let diffs: Vec<f64> = scores_a.iter().zip(scores_b).map(|(a, b)| a - b).collect();
    let mean = mean_of(diffs.iter().copied(), kf);
    if ![mean_a, mean_b, mean].iter().all(|v| v.is_finite()) {
        // Finite scores near f64's limits whose differences overflow.
        return Err(Error::InvalidValue {
            what: "scores_a, scores_b".into(),
            row: None,
            reason: "the differences of the scores overflow f64 (scores near 1e308)".into(),
        });
    }
    // The standard deviation of the differences as `scale · sqrt(v)`: `scale` is 1 unless
    // the squares overflow, then the largest deviation (so `v ≤ k`).
    let sq = |scale: f64| {
        diffs
            .iter()
            .map(|d| ((d - mean) / scale).powi(2))
            .sum::<f64>()
    };
    let direct = sq(1.0) / (kf - 1.0);
    let (scale, v) = if direct.is_finite() {
        (1.0, direct)
    } else {
        let s = diffs.iter().map(|d| (d - mean).abs()).fold(0.0, f64::max);
        (s, sq(s) / (kf - 1.0))
    };
    let df = kf - 1.0;
    let ratio = options.n_test as f64 / options.n_train as f64;
    let corrected = TTest::new(
        mean,
        scale * ((1.0 / kf + ratio) * v).sqrt(),
        df,
        options.confidence,
        options.direction,
    );
    let paired = TTest::new(
        mean,
        scale * (v / kf).sqrt(),
        df,
        options.confidence,
        options.direction,
    );
    Ok(Comparison {
        options: options.clone(),
        n_folds: k,
        mean_a,
        mean_b,
        mean_difference: mean,
        std_difference: scale * v.sqrt(),
        corrected,
        paired,
    })
}
