//! Text → estimator: model names (`--model forest`) and parameters (`--set max_depth=6`).
//!
//! Shared by [`Classifier`](super::Classifier), [`Regressor`](super::Regressor) and
//! [`Clusterer`](super::Clusterer). Names are matched after trimming, lower-casing and reading
//! `-` as `_` (`Max-Depth` is `max_depth`); values after trimming, keywords case-insensitively.
//! Parsing checks only the *kind* of a value (a whole number, a number, a keyword); ranges are
//! checked once by `Params::validate` when the caller is done setting.

use kiln_core::{Error, Result};
use kiln_linear::enet::{Precompute, Selection};
use kiln_linear::{ElasticNet, Lasso};
use kiln_tree::{
    BoostParams, ClassWeight, ClassificationCriterion, DecisionTreeClassifier,
    DecisionTreeRegressor, EarlyStopping, ExtraTreesClassifier, ExtraTreesRegressor,
    ForestClassWeight, HistGradientBoostingClassifier, HistGradientBoostingRegressor, MaxFeatures,
    MaxSamples, RandomForestClassifier, RandomForestRegressor, RegressionCriterion, RegressionLoss,
};

/// The kind of task a model name belongs to, for telling a user they asked the wrong one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    Classification,
    Regression,
    Clustering,
}

impl Task {
    fn model_kind(self) -> &'static str {
        match self {
            Task::Classification => "a classification model",
            Task::Regression => "a regression model",
            Task::Clustering => "a clustering model",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Task::Classification => "classifiers",
            Task::Regression => "regressors",
            Task::Clustering => "clusterers",
        }
    }
}

/// Every model name kiln knows, with aliases: (name as typed, task, canonical name).
const MODEL_NAMES: &[(&str, Task, &str)] = &[
    ("logistic", Task::Classification, "logistic"),
    ("logistic-regression", Task::Classification, "logistic"),
    ("logisticregression", Task::Classification, "logistic"),
    ("tree", Task::Classification, "tree"),
    ("decision-tree", Task::Classification, "tree"),
    ("decisiontreeclassifier", Task::Classification, "tree"),
    ("forest", Task::Classification, "forest"),
    ("random-forest", Task::Classification, "forest"),
    ("randomforestclassifier", Task::Classification, "forest"),
    ("extra-trees", Task::Classification, "extra-trees"),
    ("extratreesclassifier", Task::Classification, "extra-trees"),
    ("gbdt", Task::Classification, "gbdt"),
    ("boosting", Task::Classification, "gbdt"),
    ("hgb", Task::Classification, "gbdt"),
    ("gradient-boosting", Task::Classification, "gbdt"),
    ("hist-gradient-boosting", Task::Classification, "gbdt"),
    (
        "histgradientboostingclassifier",
        Task::Classification,
        "gbdt",
    ),
    ("gradientboostingclassifier", Task::Classification, "gbdt"),
    ("linear", Task::Regression, "linear"),
    ("linear-regression", Task::Regression, "linear"),
    ("linearregression", Task::Regression, "linear"),
    ("ridge", Task::Regression, "ridge"),
    ("lasso", Task::Regression, "lasso"),
    ("elastic-net", Task::Regression, "elastic-net"),
    ("elasticnet", Task::Regression, "elastic-net"),
    ("tree", Task::Regression, "tree"),
    ("decision-tree", Task::Regression, "tree"),
    ("decisiontreeregressor", Task::Regression, "tree"),
    ("forest", Task::Regression, "forest"),
    ("random-forest", Task::Regression, "forest"),
    ("randomforestregressor", Task::Regression, "forest"),
    ("extra-trees", Task::Regression, "extra-trees"),
    ("extratreesregressor", Task::Regression, "extra-trees"),
    ("gbdt", Task::Regression, "gbdt"),
    ("boosting", Task::Regression, "gbdt"),
    ("hgb", Task::Regression, "gbdt"),
    ("gradient-boosting", Task::Regression, "gbdt"),
    ("hist-gradient-boosting", Task::Regression, "gbdt"),
    ("histgradientboostingregressor", Task::Regression, "gbdt"),
    ("gradientboostingregressor", Task::Regression, "gbdt"),
    ("kmeans", Task::Clustering, "kmeans"),
    ("k-means", Task::Clustering, "kmeans"),
    ("minibatch-kmeans", Task::Clustering, "minibatch-kmeans"),
    ("mini-batch-kmeans", Task::Clustering, "minibatch-kmeans"),
    ("minibatchkmeans", Task::Clustering, "minibatch-kmeans"),
];

/// The canonical model name of `given` for `task`.
///
/// `available` is the task's list of names it can build (its `NAMES`). Every canonical name of
/// [`MODEL_NAMES`] is offered today (a test pins it); a known name outside `available` would be
/// reported as not offered rather than built as another model.
///
/// # Errors
/// [`Error::InvalidParameter`] for estimator `kiln`, parameter `model`: an unknown name (with
/// the valid names and the closest one), a name of another task, or a name not offered.
pub(crate) fn model_name(
    task: Task,
    given: &str,
    available: &[&'static str],
) -> Result<&'static str> {
    let key = given.trim().to_lowercase().replace('_', "-");
    let err = |reason: String| Error::invalid_param("kiln", "model", reason);
    let valid = available.join(", ");
    if let Some(&(_, _, canonical)) = MODEL_NAMES.iter().find(|(n, t, _)| *n == key && *t == task) {
        if available.contains(&canonical) {
            return Ok(canonical);
        }
        return Err(err(format!(
            "is `{given}`, which kiln recognizes but does not offer as {}; the {} are: {valid}",
            task.model_kind(),
            task.plural()
        )));
    }
    if let Some(&(_, other, _)) = MODEL_NAMES.iter().find(|(n, _, _)| *n == key) {
        return Err(err(format!(
            "is `{given}`, {} (not {}); the {} are: {valid}",
            other.model_kind(),
            task.model_kind(),
            task.plural()
        )));
    }
    let hint = closest(&key, available.iter().copied())
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    Err(err(format!(
        "is `{given}`, which is not a known model; {hint}the {} are: {valid}",
        task.plural()
    )))
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `key`, when it is at most 2 edits away (the first on a tie).
fn closest<'a>(key: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(key, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// One `name=value` being applied to a model: the parsers of each kind of value.
pub(crate) struct Arg<'a> {
    /// The wrapped estimator's `Params::NAME`, for messages.
    estimator: &'static str,
    /// The canonical parameter name (one of the model's known names).
    pub(crate) name: &'static str,
    value: &'a str,
}

/// Reads `name` against the model's `known` names and applies `value` with `apply`.
///
/// `model` is the canonical model name (`forest`) used in the unknown-name message.
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown name (listing `known`, suggesting the closest)
/// or a value of the wrong kind.
pub(crate) fn apply(
    estimator: &'static str,
    model: &str,
    known: &[&'static str],
    name: &str,
    value: &str,
    apply: impl FnOnce(&Arg<'_>) -> Result<()>,
) -> Result<()> {
    let key = normalize(name);
    let found = known
        .iter()
        .copied()
        .find(|k| k.to_lowercase() == key || (key == "seed" && *k == "random_state"));
    let Some(canonical) = found else {
        let hint = closest(&key, known.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        return Err(Error::invalid_param(
            estimator,
            name,
            format!(
                "is unknown for `{model}`{hint}; known: {}",
                known.join(", ")
            ),
        ));
    };
    apply(&Arg {
        estimator,
        name: canonical,
        value: value.trim(),
    })
}

fn normalize(name: &str) -> String {
    name.trim().to_lowercase().replace('-', "_")
}

impl Arg<'_> {
    fn expects(&self, what: &str) -> Error {
        Error::invalid_param(
            self.estimator,
            self.name,
            format!("expects {what}, got `{}`", self.value),
        )
    }

    fn is(&self, keyword: &str) -> bool {
        self.value.eq_ignore_ascii_case(keyword)
    }

    /// An error for a name the model lists but the setter does not handle (a bug here, not
    /// the user's: the tests set every listed name).
    pub(crate) fn unhandled(&self) -> Error {
        Error::invalid_param(
            self.estimator,
            self.name,
            "is listed but cannot be set; please report this",
        )
    }

    /// A whole number `>= 0`.
    pub(crate) fn usize(&self) -> Result<usize> {
        self.value
            .parse()
            .map_err(|_| self.expects("a whole number"))
    }

    /// A whole number, or `none`.
    pub(crate) fn opt_usize(&self) -> Result<Option<usize>> {
        if self.is("none") {
            return Ok(None);
        }
        self.value
            .parse()
            .map(Some)
            .map_err(|_| self.expects("a whole number or `none`"))
    }

    /// A seed: a whole number in `[0, 2^64)`.
    pub(crate) fn seed(&self) -> Result<u64> {
        self.value
            .parse()
            .map_err(|_| self.expects("a whole number (a seed)"))
    }

    fn number(&self) -> Option<f64> {
        // `f64::from_str` also reads "nan"; NaN is never a meaningful setting.
        self.value.parse::<f64>().ok().filter(|v| !v.is_nan())
    }

    /// A number (`inf` allowed; the range is checked by `validate`).
    pub(crate) fn f64(&self) -> Result<f64> {
        self.number().ok_or_else(|| self.expects("a number"))
    }

    /// A number, or `none`.
    pub(crate) fn opt_f64(&self) -> Result<Option<f64>> {
        if self.is("none") {
            return Ok(None);
        }
        self.number()
            .map(Some)
            .ok_or_else(|| self.expects("a number or `none`"))
    }

    /// `true`/`false`, `yes`/`no` or `1`/`0`.
    pub(crate) fn bool(&self) -> Result<bool> {
        match self.value.to_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(self.expects("true or false (or yes/no, 1/0)")),
        }
    }

    /// One of the keywords of `options`.
    pub(crate) fn choice<T: Clone>(&self, options: &[(&str, T)]) -> Result<T> {
        let key = self.value.to_lowercase().replace('-', "_");
        options
            .iter()
            .find(|(k, _)| k.replace('-', "_") == key)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                let names: Vec<String> = options.iter().map(|(k, _)| format!("`{k}`")).collect();
                self.expects(&format!("one of {}", names.join(", ")))
            })
    }

    /// An int or float value: text with a `.` or an exponent is a fraction, as scikit-learn
    /// tells `1` (one) from `1.0` (all) by type.
    fn count_or_fraction(&self) -> Option<std::result::Result<usize, f64>> {
        if let Ok(n) = self.value.parse::<usize>() {
            return Some(Ok(n));
        }
        self.number().map(Err)
    }

    /// `sqrt`, `log2`, `none` (all features), a count or a fraction.
    pub(crate) fn max_features(&self) -> Result<MaxFeatures> {
        let what = "`sqrt`, `log2`, `none`, a whole number or a fraction";
        if self.is("sqrt") {
            return Ok(MaxFeatures::Sqrt);
        }
        if self.is("log2") {
            return Ok(MaxFeatures::Log2);
        }
        if self.is("none") {
            return Ok(MaxFeatures::All);
        }
        match self.count_or_fraction() {
            Some(Ok(n)) => Ok(MaxFeatures::Count(n)),
            Some(Err(f)) => Ok(MaxFeatures::Fraction(f)),
            None => Err(self.expects(what)),
        }
    }

    /// `none` (as many draws as rows), a count or a fraction.
    pub(crate) fn max_samples(&self) -> Result<MaxSamples> {
        if self.is("none") {
            return Ok(MaxSamples::All);
        }
        match self.count_or_fraction() {
            Some(Ok(n)) => Ok(MaxSamples::Count(n)),
            Some(Err(f)) => Ok(MaxSamples::Fraction(f)),
            None => Err(self.expects("`none`, a whole number or a fraction")),
        }
    }
}

// ---- The parameters of the models shared by classifier and regressor --------------------
//
// Each model has a list of settable names (what `param_names` shows and `apply` accepts) and
// a setter that matches exactly those names; a test sets every listed name. Logistic
// regression's and the clusterers' setters, used by one enum only, live in its file.

/// [`kiln_linear::LinearRegression`]'s settable names.
pub(crate) const LINEAR: &[&str] = &["fit_intercept", "tol"];

pub(crate) fn linear(p: &mut kiln_linear::LinearRegression, a: &Arg<'_>) -> Result<()> {
    match a.name {
        "fit_intercept" => p.fit_intercept = a.bool()?,
        "tol" => p.tol = a.f64()?,
        _ => return Err(a.unhandled()),
    }
    Ok(())
}

/// [`kiln_linear::Ridge`]'s settable names (closed form: no `max_iter` or `tol`).
pub(crate) const RIDGE: &[&str] = &["alpha", "fit_intercept"];

pub(crate) fn ridge(p: &mut kiln_linear::Ridge, a: &Arg<'_>) -> Result<()> {
    match a.name {
        // A list of per-target strengths only applies to multi-target fits.
        "alpha" => p.alpha = a.f64()?.into(),
        "fit_intercept" => p.fit_intercept = a.bool()?,
        _ => return Err(a.unhandled()),
    }
    Ok(())
}

/// [`Lasso`]'s settable names.
#[rustfmt::skip]
pub(crate) const LASSO: &[&str] = &[
    "alpha", "fit_intercept", "max_iter", "tol", "positive", "selection", "precompute",
    "random_state",
];

/// [`ElasticNet`]'s settable names.
#[rustfmt::skip]
pub(crate) const ELASTIC_NET: &[&str] = &[
    "alpha", "l1_ratio", "fit_intercept", "max_iter", "tol", "positive", "selection",
    "precompute", "random_state",
];

/// Defines a setter `$f(p: &mut $t, a)` over the coordinate-descent fields [`Lasso`] and
/// [`ElasticNet`] share, plus the `$extra` match arms.
macro_rules! cd_setter {
    ($f:ident, $t:ty, |$p:ident, $a:ident| { $($extra:tt)* }) => {
        pub(crate) fn $f($p: &mut $t, $a: &Arg<'_>) -> Result<()> {
            match $a.name {
                "alpha" => $p.alpha = $a.f64()?,
                "fit_intercept" => $p.fit_intercept = $a.bool()?,
                "max_iter" => $p.max_iter = $a.usize()?,
                "tol" => $p.tol = $a.f64()?,
                "positive" => $p.positive = $a.bool()?,
                "selection" => {
                    $p.selection = $a.choice(&[
                        ("cyclic", Selection::Cyclic),
                        ("random", Selection::Random),
                    ])?;
                }
                "precompute" => {
                    $p.precompute = $a.choice(&[
                        ("auto", Precompute::Auto),
                        ("true", Precompute::Always),
                        ("false", Precompute::Never),
                    ])?;
                }
                "random_state" => $p.seed = $a.seed()?,
                $($extra)*
                _ => return Err($a.unhandled()),
            }
            Ok(())
        }
    };
}

cd_setter!(lasso, Lasso, |p, a| {});
cd_setter!(elastic_net, ElasticNet, |p, a| {
    "l1_ratio" => p.l1_ratio = a.f64()?,
});

/// A decision-tree classifier's settable names.
#[rustfmt::skip]
pub(crate) const TREE_CLASSIFIER: &[&str] = &[
    "criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features",
    "max_leaf_nodes", "min_impurity_decrease", "ccp_alpha", "class_weight", "random_state",
];

/// A decision-tree regressor's settable names.
#[rustfmt::skip]
pub(crate) const TREE_REGRESSOR: &[&str] = &[
    "criterion", "max_depth", "min_samples_split", "min_samples_leaf", "max_features",
    "max_leaf_nodes", "min_impurity_decrease", "ccp_alpha", "random_state",
];

/// A forest classifier's settable names: a random forest's and extremely randomized trees'.
#[rustfmt::skip]
pub(crate) const FOREST_CLASSIFIER: &[&str] = &[
    "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
    "max_features", "max_leaf_nodes", "min_impurity_decrease", "bootstrap", "max_samples",
    "oob_score", "class_weight", "random_state",
];

/// A forest regressor's settable names: a random forest's and extremely randomized trees'.
#[rustfmt::skip]
pub(crate) const FOREST_REGRESSOR: &[&str] = &[
    "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
    "max_features", "max_leaf_nodes", "min_impurity_decrease", "bootstrap", "max_samples",
    "oob_score", "random_state",
];

/// Defines a setter `$f(p: &mut $t, a)` over the growth fields every tree and forest has,
/// plus the `$extra` match arms.
macro_rules! tree_setter {
    ($f:ident, $t:ty, |$p:ident, $a:ident| { $($extra:tt)* }) => {
        pub(crate) fn $f($p: &mut $t, $a: &Arg<'_>) -> Result<()> {
            match $a.name {
                "max_depth" => $p.max_depth = $a.opt_usize()?,
                "min_samples_split" => $p.min_samples_split = $a.usize()?,
                "min_samples_leaf" => $p.min_samples_leaf = $a.usize()?,
                "max_features" => $p.max_features = $a.max_features()?,
                "max_leaf_nodes" => $p.max_leaf_nodes = $a.opt_usize()?,
                "min_impurity_decrease" => $p.min_impurity_decrease = $a.f64()?,
                "random_state" => $p.seed = $a.seed()?,
                $($extra)*
                _ => return Err($a.unhandled()),
            }
            Ok(())
        }
    };
}

fn classification_criterion(a: &Arg<'_>) -> Result<ClassificationCriterion> {
    a.choice(&[
        ("gini", ClassificationCriterion::Gini),
        ("entropy", ClassificationCriterion::Entropy),
        ("log_loss", ClassificationCriterion::Entropy),
    ])
}

fn regression_criterion(a: &Arg<'_>) -> Result<RegressionCriterion> {
    a.choice(&[("squared_error", RegressionCriterion::SquaredError)])
}

fn tree_class_weight(a: &Arg<'_>) -> Result<ClassWeight> {
    a.choice(&[
        ("balanced", ClassWeight::Balanced),
        ("none", ClassWeight::None),
    ])
}

tree_setter!(tree_classifier, DecisionTreeClassifier, |p, a| {
    "criterion" => p.criterion = classification_criterion(a)?,
    "ccp_alpha" => p.ccp_alpha = a.f64()?,
    "class_weight" => p.class_weight = tree_class_weight(a)?,
});

tree_setter!(tree_regressor, DecisionTreeRegressor, |p, a| {
    "criterion" => p.criterion = regression_criterion(a)?,
    "ccp_alpha" => p.ccp_alpha = a.f64()?,
});

/// Defines, for each `$f: $t`, a setter `$f(p: &mut $t, a)` over the fields every forest has
/// (the growth fields and the sampling ones), plus the `$extra` match arms. A random forest
/// and extremely randomized trees of one task have the same fields, so they share a setter.
macro_rules! forest_setters {
    ($($f:ident: $t:ty),+; |$p:ident, $a:ident| $extra:tt) => {
        $(forest_setters!(@one $f, $t, |$p, $a| $extra);)+
    };
    (@one $f:ident, $t:ty, |$p:ident, $a:ident| { $($extra:tt)* }) => {
        tree_setter!($f, $t, |$p, $a| {
            "n_estimators" => $p.n_estimators = $a.usize()?,
            "bootstrap" => $p.bootstrap = $a.bool()?,
            "max_samples" => $p.max_samples = $a.max_samples()?,
            "oob_score" => $p.oob_score = $a.bool()?,
            $($extra)*
        });
    };
}

forest_setters!(
    forest_classifier: RandomForestClassifier,
    extra_trees_classifier: ExtraTreesClassifier;
    |p, a| {
        "criterion" => p.criterion = classification_criterion(a)?,
        "class_weight" => {
            p.class_weight = a.choice(&[
                ("balanced", ForestClassWeight::Balanced),
                ("balanced_subsample", ForestClassWeight::BalancedSubsample),
                ("none", ForestClassWeight::None),
            ])?;
        }
    }
);

forest_setters!(
    forest_regressor: RandomForestRegressor,
    extra_trees_regressor: ExtraTreesRegressor;
    |p, a| {
        "criterion" => p.criterion = regression_criterion(a)?,
    }
);

/// A gradient-boosting classifier's settable names.
#[rustfmt::skip]
pub(crate) const GBDT_CLASSIFIER: &[&str] = &[
    "learning_rate", "max_iter", "max_leaf_nodes", "max_depth", "min_samples_leaf",
    "l2_regularization", "max_features", "max_bins", "early_stopping", "validation_fraction",
    "n_iter_no_change", "tol", "class_weight", "random_state",
];

/// A gradient-boosting regressor's settable names.
#[rustfmt::skip]
pub(crate) const GBDT_REGRESSOR: &[&str] = &[
    "loss", "quantile", "learning_rate", "max_iter", "max_leaf_nodes", "max_depth",
    "min_samples_leaf", "l2_regularization", "max_features", "max_bins", "early_stopping",
    "validation_fraction", "n_iter_no_change", "tol", "random_state",
];

/// Sets a field of the parameters both boosted models share; `Ok(false)` for another field.
fn boost_field(p: &mut BoostParams, a: &Arg<'_>) -> Result<bool> {
    match a.name {
        "learning_rate" => p.learning_rate = a.f64()?,
        "max_iter" => p.max_iter = a.usize()?,
        "max_leaf_nodes" => p.max_leaf_nodes = a.opt_usize()?,
        "max_depth" => p.max_depth = a.opt_usize()?,
        "min_samples_leaf" => p.min_samples_leaf = a.usize()?,
        "l2_regularization" => p.l2_regularization = a.f64()?,
        "max_features" => p.max_features = a.f64()?,
        "max_bins" => p.max_bins = a.usize()?,
        "early_stopping" => {
            p.early_stopping = a.choice(&[
                ("auto", EarlyStopping::Auto),
                ("true", EarlyStopping::On),
                ("false", EarlyStopping::Off),
                ("yes", EarlyStopping::On),
                ("no", EarlyStopping::Off),
            ])?;
        }
        "validation_fraction" => p.validation_fraction = a.opt_f64()?,
        "n_iter_no_change" => p.n_iter_no_change = a.usize()?,
        "tol" => p.tol = a.f64()?,
        "random_state" => p.seed = a.seed()?,
        _ => return Ok(false),
    }
    Ok(true)
}

pub(crate) fn gbdt_classifier(p: &mut HistGradientBoostingClassifier, a: &Arg<'_>) -> Result<()> {
    if boost_field(&mut p.params, a)? {
        return Ok(());
    }
    match a.name {
        "class_weight" => p.class_weight = tree_class_weight(a)?,
        _ => return Err(a.unhandled()),
    }
    Ok(())
}

pub(crate) fn gbdt_regressor(p: &mut HistGradientBoostingRegressor, a: &Arg<'_>) -> Result<()> {
    if boost_field(&mut p.params, a)? {
        return Ok(());
    }
    match a.name {
        // `quantile` carries its own level; `loss=quantile` keeps a level set before, else
        // takes scikit-learn's usual choice, the median.
        "loss" => {
            let level = match p.loss {
                RegressionLoss::Quantile(q) => q,
                _ => 0.5,
            };
            p.loss = a.choice(&[
                ("squared_error", RegressionLoss::SquaredError),
                ("absolute_error", RegressionLoss::AbsoluteError),
                ("poisson", RegressionLoss::Poisson),
                ("quantile", RegressionLoss::Quantile(level)),
            ])?;
        }
        "quantile" => p.loss = RegressionLoss::Quantile(a.f64()?),
        _ => return Err(a.unhandled()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("max_dept", "max_depth"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_ignores_names_more_than_two_edits_away() {
        let names = ["max_depth", "n_estimators"];
        assert_eq!(
            closest("max_dpth", names.iter().copied()),
            Some("max_depth")
        );
        assert_eq!(closest("depth", names.iter().copied()), None);
    }

    #[test]
    fn every_known_model_name_is_offered_by_its_task() {
        use crate::estimator::{Classifier, Clusterer, Regressor};
        for &(name, task, canonical) in MODEL_NAMES {
            let available = match task {
                Task::Classification => Classifier::NAMES,
                Task::Regression => Regressor::NAMES,
                Task::Clustering => Clusterer::NAMES,
            };
            assert_eq!(
                model_name(task, name, available).ok(),
                Some(canonical),
                "{name}"
            );
        }
    }

    #[test]
    fn a_known_name_outside_the_available_ones_is_not_offered() {
        let err = model_name(Task::Regression, "ExtraTreesRegressor", &["tree", "forest"]);
        let reason = err.map(|_| ()).unwrap_err().to_string();
        assert!(
            reason.contains("recognizes but does not offer as a regression model"),
            "{reason}"
        );
        assert!(
            reason.contains("the regressors are: tree, forest"),
            "{reason}"
        );
    }
}
