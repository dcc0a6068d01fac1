//! Run-time estimator choice (`kiln::estimator`): names, parameters from text, delegation to
//! the wrapped estimators on real data, persistence and the kiln-check suite.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "data helpers outside #[test] functions fail loudly on broken inputs"
)]

use kiln::Error;
use kiln::cluster::{KMeans, KMeansAlgorithm, KMeansInit, MiniBatchKMeans};
use kiln::datasets::Dataset;
use kiln::estimator::{
    Classifier, ClassifierModel, Clusterer, FittedClassifier, FittedClusterer, FittedRegressor,
    Regressor, RegressorModel,
};
use kiln::linear::logistic::ClassWeight as LogisticClassWeight;
use kiln::linear::{ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge};
use kiln::persist::{self, read_header};
use kiln::pipeline::{CategoricalPrep, PipelineEstimator};
use kiln::prelude::*;
use kiln::tree::{
    ClassWeight, ClassificationCriterion, DecisionTreeClassifier, DecisionTreeRegressor,
    EarlyStopping, ExtraTreesClassifier, ExtraTreesRegressor, ForestClassWeight,
    HistGradientBoostingClassifier, HistGradientBoostingRegressor, Importance, MaxFeatures,
    MaxSamples, RandomForestClassifier, RandomForestRegressor, RegressionLoss,
};
use kiln_check::Checker;
use ndarray::{Array1, Array2};

fn breast_cancer() -> (Array2<f64>, Array1<usize>) {
    let d = Dataset::BreastCancer.load_numeric().unwrap();
    let y = d.target.class_indices().unwrap().clone();
    (d.x, y)
}

fn diabetes() -> (Array2<f64>, Array1<f64>) {
    let d = Dataset::Diabetes.load_numeric().unwrap();
    let y = d.target.values().unwrap().clone();
    (d.x, y)
}

fn iris() -> Array2<f64> {
    Dataset::Iris.load_numeric().unwrap().x
}

/// The `(estimator, name, reason)` of an `InvalidParameter` error.
fn invalid(e: Error) -> (String, String, String) {
    match e {
        Error::InvalidParameter {
            estimator,
            name,
            reason,
        } => (estimator, name, reason),
        other => panic!("expected InvalidParameter, got {other}"),
    }
}

// ---- Names --------------------------------------------------------------------------------

#[test]
fn every_classifier_name_and_alias_builds_its_variant() {
    for (name, canonical) in [
        ("logistic", "logistic"),
        ("logistic-regression", "logistic"),
        ("tree", "tree"),
        ("decision-tree", "tree"),
        ("forest", "forest"),
        ("random-forest", "forest"),
        ("gbdt", "gbdt"),
        ("boosting", "gbdt"),
        ("hgb", "gbdt"),
        ("Random_Forest", "forest"),
        ("gradient_boosting", "gbdt"),
        ("HistGradientBoostingClassifier", "gbdt"),
        ("RandomForestClassifier", "forest"),
        ("extra-trees", "extra-trees"),
        ("Extra_Trees", "extra-trees"),
        ("ExtraTreesClassifier", "extra-trees"),
        ("LogisticRegression", "logistic"),
    ] {
        assert_eq!(
            Classifier::from_name(name).unwrap().name(),
            canonical,
            "{name}"
        );
    }
    assert_eq!(
        Classifier::from_name("logistic").unwrap(),
        Classifier::Logistic(LogisticRegression::default())
    );
    assert_eq!(
        Classifier::from_name("tree").unwrap(),
        Classifier::Tree(DecisionTreeClassifier::default())
    );
    assert_eq!(
        Classifier::from_name("forest").unwrap(),
        Classifier::Forest(RandomForestClassifier::default())
    );
    assert_eq!(
        Classifier::from_name("gbdt").unwrap(),
        Classifier::Boosting(HistGradientBoostingClassifier::default())
    );
    for &n in Classifier::NAMES {
        assert_eq!(Classifier::from_name(n).unwrap().name(), n);
    }
}

#[test]
fn every_regressor_name_builds_its_variant() {
    let expected = [
        ("linear", Regressor::Linear(LinearRegression::default())),
        (
            "linear-regression",
            Regressor::Linear(LinearRegression::default()),
        ),
        ("ridge", Regressor::Ridge(Ridge::default())),
        ("lasso", Regressor::Lasso(Lasso::default())),
        ("elastic-net", Regressor::ElasticNet(ElasticNet::default())),
        ("elasticnet", Regressor::ElasticNet(ElasticNet::default())),
        (
            "LinearRegression",
            Regressor::Linear(LinearRegression::default()),
        ),
        ("tree", Regressor::Tree(DecisionTreeRegressor::default())),
        (
            "DecisionTreeRegressor",
            Regressor::Tree(DecisionTreeRegressor::default()),
        ),
        (
            "forest",
            Regressor::Forest(RandomForestRegressor::default()),
        ),
        (
            "extra-trees",
            Regressor::ExtraTrees(ExtraTreesRegressor::default()),
        ),
        (
            "ExtraTreesRegressor",
            Regressor::ExtraTrees(ExtraTreesRegressor::default()),
        ),
        (
            "gbdt",
            Regressor::Boosting(HistGradientBoostingRegressor::default()),
        ),
        (
            "hgb",
            Regressor::Boosting(HistGradientBoostingRegressor::default()),
        ),
    ];
    for (name, variant) in expected {
        assert_eq!(Regressor::from_name(name).unwrap(), variant, "{name}");
    }
    for &n in Regressor::NAMES {
        assert_eq!(Regressor::from_name(n).unwrap().name(), n);
    }
}

#[test]
fn every_clusterer_name_builds_its_variant() {
    assert_eq!(
        Clusterer::from_name("kmeans").unwrap(),
        Clusterer::KMeans(KMeans::default())
    );
    assert_eq!(
        Clusterer::from_name("k-means").unwrap(),
        Clusterer::KMeans(KMeans::default())
    );
    assert_eq!(
        Clusterer::from_name("minibatch-kmeans").unwrap(),
        Clusterer::MiniBatchKMeans(MiniBatchKMeans::default())
    );
    assert_eq!(Clusterer::NAMES, ["kmeans", "minibatch-kmeans"]);
}

#[test]
fn unknown_model_name_lists_the_valid_names_and_the_closest() {
    let (estimator, name, reason) = invalid(Classifier::from_name("forst").unwrap_err());
    assert_eq!((estimator.as_str(), name.as_str()), ("kiln", "model"));
    assert!(reason.contains("did you mean `forest`?"), "{reason}");
    assert!(
        reason.contains("logistic, tree, forest, extra-trees, gbdt"),
        "{reason}"
    );

    let (_, _, reason) = invalid(Regressor::from_name("neural-net").unwrap_err());
    assert!(!reason.contains("did you mean"), "{reason}");
    assert!(
        reason.contains("linear, ridge, lasso, elastic-net, tree, forest, extra-trees, gbdt"),
        "{reason}"
    );
}

#[test]
fn a_model_of_another_task_is_named_as_such() {
    let (e, n, reason) = invalid(Regressor::from_name("logistic").unwrap_err());
    assert_eq!((e.as_str(), n.as_str()), ("kiln", "model"));
    assert!(reason.contains("a classification model"), "{reason}");
    assert!(reason.contains("the regressors are: linear"), "{reason}");

    let (_, _, reason) = invalid(Classifier::from_name("linear").unwrap_err());
    assert!(reason.contains("a regression model"), "{reason}");
    assert!(reason.contains("the classifiers are: logistic"), "{reason}");

    let (_, _, reason) = invalid(Classifier::from_name("kmeans").unwrap_err());
    assert!(reason.contains("a clustering model"), "{reason}");

    let (_, _, reason) = invalid(Clusterer::from_name("forest").unwrap_err());
    assert!(reason.contains("a classification model"), "{reason}");
    assert!(reason.contains("kmeans, minibatch-kmeans"), "{reason}");
}

#[test]
fn extra_trees_names_build_the_extra_trees_variants() {
    for name in [
        "extra-trees",
        "ExtraTreesClassifier",
        "extratreesclassifier",
    ] {
        let c = Classifier::from_name(name).unwrap();
        assert_eq!(c, Classifier::ExtraTrees(ExtraTreesClassifier::default()));
        assert_eq!(
            (c.name(), c.estimator_name()),
            ("extra-trees", "ExtraTreesClassifier")
        );
    }
    for name in ["extra-trees", "ExtraTreesRegressor", "extratreesregressor"] {
        let r = Regressor::from_name(name).unwrap();
        assert_eq!(r, Regressor::ExtraTrees(ExtraTreesRegressor::default()));
        assert_eq!(
            (r.name(), r.estimator_name()),
            ("extra-trees", "ExtraTreesRegressor")
        );
    }
    assert!(Classifier::NAMES.contains(&"extra-trees"));
    assert!(Regressor::NAMES.contains(&"extra-trees"));
    // The other task's scikit-learn name is still named as such.
    let (_, _, reason) = invalid(Regressor::from_name("ExtraTreesClassifier").unwrap_err());
    assert!(reason.contains("a classification model"), "{reason}");
    let (_, _, reason) = invalid(Classifier::from_name("extratreesregressor").unwrap_err());
    assert!(reason.contains("a regression model"), "{reason}");
}

#[test]
fn extra_trees_take_the_forest_parameters_except_split_search() {
    let forest = Classifier::from_name("forest").unwrap().param_names();
    let expected: Vec<_> = forest
        .into_iter()
        .filter(|&n| n != "split_search")
        .collect();
    assert_eq!(
        Classifier::from_name("extra-trees").unwrap().param_names(),
        expected
    );
    let forest = Regressor::from_name("forest").unwrap().param_names();
    let expected: Vec<_> = forest
        .into_iter()
        .filter(|&n| n != "split_search")
        .collect();
    assert_eq!(
        Regressor::from_name("extra-trees").unwrap().param_names(),
        expected
    );
}

// ---- Setting parameters -------------------------------------------------------------------

#[test]
fn set_parses_whole_numbers_none_numbers_bools_and_keywords() {
    let mut c = Classifier::from_name("forest").unwrap();
    c.set("n_estimators", "300").unwrap();
    c.set("max_depth", "6").unwrap();
    c.set("max_leaf_nodes", "None").unwrap();
    c.set("min_impurity_decrease", "1e-3").unwrap();
    c.set("bootstrap", "no").unwrap();
    c.set("oob_score", "0").unwrap();
    c.set("max_features", "log2").unwrap();
    c.set("class_weight", "balanced_subsample").unwrap();
    c.set("criterion", "entropy").unwrap();
    c.set("seed", "42").unwrap();
    let Classifier::Forest(p) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(p.n_estimators, 300);
    assert_eq!(p.max_depth, Some(6));
    assert_eq!(p.max_leaf_nodes, None);
    assert_eq!(p.min_impurity_decrease, 1e-3);
    assert!(!p.bootstrap && !p.oob_score);
    assert_eq!(p.max_features, MaxFeatures::Log2);
    assert_eq!(p.class_weight, ForestClassWeight::BalancedSubsample);
    assert_eq!(p.seed, 42);

    // scikit-learn tells a count (`3`) from a fraction (`0.5`, `1.0`) by its type.
    for (text, expected) in [
        ("3", MaxFeatures::Count(3)),
        ("0.5", MaxFeatures::Fraction(0.5)),
        ("1.0", MaxFeatures::Fraction(1.0)),
        ("sqrt", MaxFeatures::Sqrt),
        ("none", MaxFeatures::All),
    ] {
        c.set("max_features", text).unwrap();
        let Classifier::Forest(p) = &c else { panic!() };
        assert_eq!(p.max_features, expected, "{text}");
    }
    let mut r = Regressor::from_name("forest").unwrap();
    r.set("bootstrap", "true").unwrap();
    r.set("max_samples", "0.8").unwrap();
    let Regressor::Forest(p) = &r else { panic!() };
    assert_eq!(p.max_samples, MaxSamples::Fraction(0.8));
}

#[test]
fn set_reads_extra_trees_parameters_and_they_validate() {
    let mut c = Classifier::from_name("extra-trees").unwrap();
    c.set("n_estimators", "7").unwrap();
    c.set("bootstrap", "true").unwrap();
    c.set("max_features", "sqrt").unwrap();
    c.set("class_weight", "balanced_subsample").unwrap();
    c.set("criterion", "log_loss").unwrap();
    c.set("random_state", "11").unwrap();
    c.validate().unwrap();
    let expected = ExtraTreesClassifier::default()
        .with_n_estimators(7)
        .with_bootstrap(true)
        .with_max_features(MaxFeatures::Sqrt)
        .with_class_weight(ForestClassWeight::BalancedSubsample)
        .with_criterion(ClassificationCriterion::Entropy)
        .with_seed(11);
    assert_eq!(c, Classifier::ExtraTrees(expected));

    let mut r = Regressor::from_name("extratreesregressor").unwrap();
    r.set("n_estimators", "7").unwrap();
    r.set("bootstrap", "true").unwrap();
    r.set("max_features", "sqrt").unwrap();
    r.set("max_samples", "0.8").unwrap();
    r.set("oob_score", "yes").unwrap();
    r.validate().unwrap();
    let expected = ExtraTreesRegressor::default()
        .with_n_estimators(7)
        .with_bootstrap(true)
        .with_max_features(MaxFeatures::Sqrt)
        .with_max_samples(MaxSamples::Fraction(0.8))
        .with_oob_score(true);
    assert_eq!(r, Regressor::ExtraTrees(expected));

    // `validate` is the wrapped estimator's: out-of-bag scores need bootstrap samples.
    r.set("bootstrap", "false").unwrap();
    let err = r.validate().unwrap_err();
    assert!(err.to_string().contains("ExtraTreesRegressor"), "{err}");
    let mut c = Classifier::from_name("extra-trees").unwrap();
    c.set("n_estimators", "0").unwrap();
    assert_eq!(
        c.validate().unwrap_err().parameter_name(),
        Some("n_estimators")
    );
}

#[test]
fn set_reads_logistic_c_penalty_and_class_weight() {
    let mut c = Classifier::from_name("logistic").unwrap();
    c.set("C", "0.25").unwrap();
    c.set("max_iter", "500").unwrap();
    c.set("fit_intercept", "False").unwrap();
    c.set("class_weight", "balanced").unwrap();
    c.set("penalty", "l1").unwrap();
    let Classifier::Logistic(p) = &c else {
        panic!()
    };
    assert_eq!(
        (p.c, p.max_iter, p.fit_intercept, p.l1_ratio),
        (0.25, 500, false, 1.0)
    );
    assert_eq!(p.class_weight, LogisticClassWeight::Balanced);
    c.set("c", "4").unwrap();
    c.set("penalty", "none").unwrap();
    let Classifier::Logistic(p) = &c else {
        panic!()
    };
    assert_eq!(p.c, f64::INFINITY);
    c.set("l1_ratio", "0.3").unwrap();
    c.set("penalty", "elasticnet").unwrap();
    let Classifier::Logistic(p) = &c else {
        panic!()
    };
    assert_eq!(p.l1_ratio, 0.3);
}

#[test]
fn set_reads_boosting_and_tree_parameters() {
    let mut c = Classifier::from_name("gbdt").unwrap();
    c.set("learning_rate", "0.05").unwrap();
    c.set("max_depth", "4").unwrap();
    c.set("max_leaf_nodes", "none").unwrap();
    c.set("early_stopping", "true").unwrap();
    c.set("validation_fraction", "none").unwrap();
    c.set("class_weight", "balanced").unwrap();
    let Classifier::Boosting(p) = &c else {
        panic!()
    };
    assert_eq!(p.params.learning_rate, 0.05);
    assert_eq!(p.params.max_depth, Some(4));
    assert_eq!(p.params.max_leaf_nodes, None);
    assert_eq!(p.params.early_stopping, EarlyStopping::On);
    assert_eq!(p.params.validation_fraction, None);
    assert_eq!(p.class_weight, ClassWeight::Balanced);

    let mut r = Regressor::from_name("gbdt").unwrap();
    r.set("loss", "absolute_error").unwrap();
    let Regressor::Boosting(p) = &r else { panic!() };
    assert_eq!(p.loss, RegressionLoss::AbsoluteError);
    r.set("quantile", "0.9").unwrap();
    r.set("loss", "quantile").unwrap();
    let Regressor::Boosting(p) = &r else { panic!() };
    assert_eq!(p.loss, RegressionLoss::Quantile(0.9));

    let mut t = Classifier::from_name("tree").unwrap();
    t.set("Max-Depth", " 3 ").unwrap();
    t.set("ccp_alpha", "0.01").unwrap();
    t.set("class_weight", "none").unwrap();
    let Classifier::Tree(p) = &t else { panic!() };
    assert_eq!((p.max_depth, p.ccp_alpha), (Some(3), 0.01));
}

#[test]
fn set_reads_linear_and_kmeans_parameters() {
    let mut r = Regressor::from_name("elastic-net").unwrap();
    r.set("alpha", "0.1").unwrap();
    r.set("l1_ratio", "0.7").unwrap();
    r.set("selection", "random").unwrap();
    r.set("random_state", "3").unwrap();
    let Regressor::ElasticNet(p) = &r else {
        panic!()
    };
    assert_eq!((p.alpha, p.l1_ratio, p.seed), (0.1, 0.7, 3));
    let mut r = Regressor::from_name("ridge").unwrap();
    r.set("alpha", "2.5").unwrap();
    assert_eq!(r, Regressor::Ridge(Ridge::default().with_alpha(2.5)));

    let mut k = Clusterer::from_name("kmeans").unwrap();
    k.set("n_clusters", "3").unwrap();
    k.set("init", "random").unwrap();
    k.set("algorithm", "Elkan").unwrap();
    k.set("n_init", "4").unwrap();
    k.set("seed", "9").unwrap();
    let Clusterer::KMeans(p) = &k else { panic!() };
    assert_eq!((p.n_clusters, p.n_init, p.seed), (3, 4, 9));
    assert_eq!(p.init, KMeansInit::Random);
    assert_eq!(p.algorithm, KMeansAlgorithm::Elkan);
    let mut m = Clusterer::from_name("minibatch-kmeans").unwrap();
    m.set("max_no_improvement", "none").unwrap();
    m.set("batch_size", "256").unwrap();
    let Clusterer::MiniBatchKMeans(p) = &m else {
        panic!()
    };
    assert_eq!((p.max_no_improvement, p.batch_size), (None, 256));
}

#[test]
fn a_value_of_the_wrong_kind_is_rejected_with_what_was_expected() {
    let mut c = Classifier::from_name("tree").unwrap();
    let err = c.set("max_depth", "deep").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `max_depth` parameter of DecisionTreeClassifier expects a whole number or \
         `none`, got `deep`"
    );
    let (_, name, reason) = invalid(c.set("min_samples_leaf", "2.5").unwrap_err());
    assert_eq!(
        (name.as_str(), reason.as_str()),
        ("min_samples_leaf", "expects a whole number, got `2.5`")
    );
    let (_, _, reason) = invalid(c.set("ccp_alpha", "nan").unwrap_err());
    assert_eq!(reason, "expects a number, got `nan`");
    let (_, _, reason) = invalid(c.set("criterion", "mse").unwrap_err());
    assert!(
        reason.contains("one of `gini`, `entropy`, `log_loss`"),
        "{reason}"
    );
    let mut r = Regressor::from_name("ridge").unwrap();
    let (estimator, _, reason) = invalid(r.set("fit_intercept", "maybe").unwrap_err());
    assert_eq!(estimator, "Ridge");
    assert!(reason.contains("true or false"), "{reason}");
    // Nothing changed on error.
    assert_eq!(c, Classifier::Tree(DecisionTreeClassifier::default()));
}

#[test]
fn an_unknown_parameter_lists_the_known_ones_and_the_closest() {
    let mut c = Classifier::from_name("forest").unwrap();
    let err = c.set("max_dept", "6").unwrap_err();
    let (estimator, name, reason) = invalid(err);
    assert_eq!(
        (estimator.as_str(), name.as_str()),
        ("RandomForestClassifier", "max_dept")
    );
    assert!(reason.contains("unknown for `forest`"), "{reason}");
    assert!(reason.contains("did you mean `max_depth`?"), "{reason}");
    assert!(
        reason.contains("known: n_estimators, criterion, max_depth,"),
        "{reason}"
    );
    // A parameter of another model is unknown here: ridge is solved in closed form.
    let (_, _, reason) = invalid(
        Regressor::from_name("ridge")
            .unwrap()
            .set("max_iter", "5")
            .unwrap_err(),
    );
    assert!(reason.contains("known: alpha, fit_intercept"), "{reason}");
    assert!(!reason.contains("did you mean"), "{reason}");
}

#[test]
fn every_listed_parameter_is_settable() {
    // A listed name given a nonsense value must fail on the value, not on the name.
    let classifiers: Vec<Classifier> = Classifier::NAMES
        .iter()
        .map(|n| Classifier::from_name(n).unwrap())
        .collect();
    let regressors: Vec<Regressor> = Regressor::NAMES
        .iter()
        .map(|n| Regressor::from_name(n).unwrap())
        .collect();
    let clusterers: Vec<Clusterer> = Clusterer::NAMES
        .iter()
        .map(|n| Clusterer::from_name(n).unwrap())
        .collect();
    let mut checked = 0;
    let mut check =
        |model: &str, names: Vec<&'static str>, set: &mut dyn FnMut(&str) -> kiln::Result<()>| {
            assert!(!names.is_empty(), "{model}");
            for name in names {
                let (_, got, reason) = invalid(set(name).unwrap_err());
                assert_eq!(got, name, "{model}");
                assert!(reason.starts_with("expects "), "{model} `{name}`: {reason}");
                checked += 1;
            }
        };
    for mut c in classifiers {
        let names = c.param_names();
        check(c.name(), names, &mut |n| c.set(n, "?!"));
    }
    for mut r in regressors {
        let names = r.param_names();
        check(r.name(), names, &mut |n| r.set(n, "?!"));
    }
    for mut k in clusterers {
        let names = k.param_names();
        check(k.name(), names, &mut |n| k.set(n, "?!"));
    }
    assert!(checked > 90, "{checked}");
}

#[test]
fn set_does_not_validate_ranges() {
    let mut c = Classifier::from_name("tree").unwrap();
    c.set("max_depth", "0").unwrap();
    assert_eq!(
        c.validate().unwrap_err().parameter_name(),
        Some("max_depth")
    );
    let mut k = Clusterer::from_name("kmeans").unwrap();
    k.set("tol", "-1").unwrap();
    assert_eq!(k.validate().unwrap_err().parameter_name(), Some("tol"));
}

// ---- Delegation on real data --------------------------------------------------------------

/// Row weights that are not all equal, to show weights reach the wrapped estimator.
fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 0.5 + (i % 3) as f64)
}

/// Fits `c` and the estimator `p` it wraps on breast_cancer, with and without weights, and
/// checks that they predict identically; `importances` reads them from the direct fit.
fn check_classifier_delegation<P>(
    c: &Classifier,
    p: &P,
    importances: fn(&P::Fitted) -> Option<Array1<f64>>,
) where
    P: Fit<Target = usize>,
    P::Fitted: PredictProba,
{
    let (x, y) = breast_cancer();
    let w = weights(y.len());
    let name = c.name();
    let direct = p.fit(x.view(), y.view()).unwrap();
    let direct_w = p.fit_weighted(x.view(), y.view(), Some(w.view())).unwrap();
    let fitted = c.fit(x.view(), y.view()).unwrap();
    let fitted_w = c.fit_weighted(x.view(), y.view(), Some(w.view())).unwrap();
    let pred = fitted.predict(x.view()).unwrap();
    let proba = fitted.predict_proba(x.view()).unwrap();
    assert_eq!(pred, direct.predict(x.view()).unwrap(), "{name}");
    assert_eq!(proba, direct.predict_proba(x.view()).unwrap(), "{name}");
    assert_eq!(
        fitted_w.predict_proba(x.view()).unwrap(),
        direct_w.predict_proba(x.view()).unwrap(),
        "{name}"
    );
    assert_ne!(
        proba,
        direct_w.predict_proba(x.view()).unwrap(),
        "{name}: weights ignored?"
    );
    assert_eq!(fitted.classes(), direct.classes(), "{name}");
    assert_eq!(fitted.classes(), &[0, 1], "{name}");
    assert_eq!(fitted.n_features_in(), 30, "{name}");
    assert_eq!(fitted.name(), name);
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12, "{name}: {row}");
    }
    assert_eq!(fitted.feature_importances(), importances(&direct), "{name}");
    if let Some(imp) = fitted.feature_importances() {
        assert!((imp.sum() - 1.0).abs() < 1e-12, "{name}: {}", imp.sum());
    }
    // The fit is a real one: training accuracy of each of these is above 0.9.
    let acc = pred.iter().zip(&y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
    assert!(acc > 0.9, "{name}: {acc}");
}

#[test]
fn classifiers_predict_as_the_wrapped_estimator_on_breast_cancer() {
    let classifiers: Vec<Classifier> = vec![
        LogisticRegression::default().with_max_iter(200).into(),
        DecisionTreeClassifier::default()
            .with_max_depth(Some(5))
            .into(),
        RandomForestClassifier::default()
            .with_n_estimators(25)
            .with_seed(5)
            .into(),
        // Without bootstrap samples, fully grown extra trees put every training row in a pure
        // leaf, where weights cannot change a prediction; larger leaves show that they arrive.
        ExtraTreesClassifier::default()
            .with_n_estimators(25)
            .with_min_samples_leaf(5)
            .with_seed(5)
            .into(),
        HistGradientBoostingClassifier::default()
            .with_max_iter(30)
            .into(),
    ];
    for c in &classifiers {
        match c {
            Classifier::Logistic(p) => check_classifier_delegation(c, p, |_| None),
            Classifier::Tree(p) => {
                check_classifier_delegation(c, p, |m| Some(m.feature_importances().clone()));
            }
            Classifier::Forest(p) => {
                check_classifier_delegation(c, p, |m| Some(m.feature_importances().clone()));
            }
            Classifier::ExtraTrees(p) => {
                check_classifier_delegation(c, p, |m| Some(m.feature_importances().clone()));
            }
            Classifier::Boosting(p) => {
                check_classifier_delegation(c, p, |m| Some(m.feature_importances(Importance::Gain)))
            }
        }
    }
}

/// As [`check_classifier_delegation`], for a regressor on diabetes.
fn check_regressor_delegation<P>(
    r: &Regressor,
    p: &P,
    importances: fn(&P::Fitted) -> Option<Array1<f64>>,
) where
    P: Fit<Target = f64>,
    P::Fitted: Predict<Output = f64>,
{
    let (x, y) = diabetes();
    let w = weights(y.len());
    let name = r.name();
    let direct = p.fit(x.view(), y.view()).unwrap();
    let direct_w = p.fit_weighted(x.view(), y.view(), Some(w.view())).unwrap();
    let fitted = r.fit(x.view(), y.view()).unwrap();
    let fitted_w = r.fit_weighted(x.view(), y.view(), Some(w.view())).unwrap();
    let pred = fitted.predict(x.view()).unwrap();
    assert_eq!(pred, direct.predict(x.view()).unwrap(), "{name}");
    let pred_w = fitted_w.predict(x.view()).unwrap();
    assert_eq!(pred_w, direct_w.predict(x.view()).unwrap(), "{name}");
    assert_ne!(pred, pred_w, "{name}: weights ignored?");
    assert_eq!(fitted.feature_importances(), importances(&direct), "{name}");
    assert_eq!(fitted.n_features_in(), 10, "{name}");
    let mean = y.mean().unwrap();
    let r2 = 1.0 - (&pred - &y).mapv(|e| e * e).sum() / y.mapv(|v| (v - mean).powi(2)).sum();
    assert!(r2 > 0.4, "{name}: r2 {r2}");
}

#[test]
fn regressors_predict_as_the_wrapped_estimator_on_diabetes() {
    let regressors: Vec<Regressor> = vec![
        LinearRegression::default().into(),
        Ridge::default().with_alpha(0.5).into(),
        Lasso::default().with_alpha(0.1).into(),
        ElasticNet::default()
            .with_alpha(0.1)
            .with_l1_ratio(0.5)
            .into(),
        DecisionTreeRegressor::default()
            .with_max_depth(Some(4))
            .into(),
        RandomForestRegressor::default()
            .with_n_estimators(20)
            .with_seed(3)
            .into(),
        // Larger leaves, as for the classifier, so the weights can change a prediction.
        ExtraTreesRegressor::default()
            .with_n_estimators(20)
            .with_min_samples_leaf(5)
            .with_seed(3)
            .into(),
        HistGradientBoostingRegressor::default()
            .with_max_iter(30)
            .into(),
    ];
    for r in &regressors {
        match r {
            Regressor::Linear(p) => check_regressor_delegation(r, p, |_| None),
            Regressor::Ridge(p) => check_regressor_delegation(r, p, |_| None),
            Regressor::Lasso(p) => check_regressor_delegation(r, p, |_| None),
            Regressor::ElasticNet(p) => check_regressor_delegation(r, p, |_| None),
            Regressor::Tree(p) => {
                check_regressor_delegation(r, p, |m| Some(m.feature_importances().clone()));
            }
            Regressor::Forest(p) => {
                check_regressor_delegation(r, p, |m| Some(m.feature_importances().clone()));
            }
            Regressor::ExtraTrees(p) => {
                check_regressor_delegation(r, p, |m| Some(m.feature_importances().clone()));
            }
            Regressor::Boosting(p) => {
                check_regressor_delegation(r, p, |m| Some(m.feature_importances(Importance::Gain)))
            }
        }
    }
}

/// The extra-trees settings of the tests below, as text and as the direct builder gives them.
const EXTRA_TREES_TEXT: [(&str, &str); 4] = [
    ("n_estimators", "7"),
    ("bootstrap", "true"),
    ("max_features", "sqrt"),
    ("random_state", "4"),
];

/// `$wrapper` with [`EXTRA_TREES_TEXT`] set from text and validated, and `$params` with the
/// same settings given directly.
macro_rules! extra_trees_pair {
    ($wrapper:expr, $params:expr) => {{
        let mut wrapper = $wrapper;
        for (name, value) in EXTRA_TREES_TEXT {
            wrapper.set(name, value).unwrap();
        }
        wrapper.validate().unwrap();
        let direct = $params
            .with_n_estimators(7)
            .with_bootstrap(true)
            .with_max_features(MaxFeatures::Sqrt)
            .with_seed(4);
        (wrapper, direct)
    }};
}

#[test]
fn extra_trees_set_from_text_predict_as_extra_trees_fitted_directly() {
    let (x, y) = breast_cancer();
    let (c, direct) = extra_trees_pair!(
        Classifier::from_name("extra-trees").unwrap(),
        ExtraTreesClassifier::default()
    );
    let direct = direct.fit(x.view(), y.view()).unwrap();
    let fitted = c.fit(x.view(), y.view()).unwrap();
    assert_eq!(fitted.kind_name(), "ExtraTreesClassifier");
    let ClassifierModel::ExtraTrees(inner) = fitted.model() else {
        panic!("{}", fitted.name())
    };
    assert_eq!(inner.trees().len(), 7);
    assert_eq!(
        fitted.predict(x.view()).unwrap(),
        direct.predict(x.view()).unwrap()
    );
    assert_eq!(
        fitted.predict_proba(x.view()).unwrap(),
        direct.predict_proba(x.view()).unwrap()
    );
    assert_eq!(
        fitted.feature_importances(),
        Some(direct.feature_importances().clone())
    );
    // The settings reached the fit: the default extra trees predict otherwise.
    let default = ExtraTreesClassifier::default()
        .with_n_estimators(7)
        .with_seed(4)
        .fit(x.view(), y.view())
        .unwrap();
    assert_ne!(
        fitted.predict_proba(x.view()).unwrap(),
        default.predict_proba(x.view()).unwrap()
    );

    let (x, y) = diabetes();
    let (r, direct) = extra_trees_pair!(
        Regressor::from_name("extratreesregressor").unwrap(),
        ExtraTreesRegressor::default()
    );
    let direct = direct.fit(x.view(), y.view()).unwrap();
    let fitted = r.fit(x.view(), y.view()).unwrap();
    assert_eq!(fitted.kind_name(), "ExtraTreesRegressor");
    assert!(matches!(fitted.model(), RegressorModel::ExtraTrees(_)));
    assert_eq!(
        fitted.predict(x.view()).unwrap(),
        direct.predict(x.view()).unwrap()
    );
    assert_eq!(
        fitted.feature_importances(),
        Some(direct.feature_importances().clone())
    );
}

#[test]
fn clusterers_predict_and_transform_as_the_wrapped_estimator_on_iris() {
    let x = iris();
    let mut k = Clusterer::from_name("kmeans").unwrap();
    k.set("n_clusters", "3").unwrap();
    let mut m = Clusterer::from_name("minibatch-kmeans").unwrap();
    m.set("n_clusters", "3").unwrap();
    m.set("batch_size", "50").unwrap();
    for c in [k, m] {
        let fitted = c.fit(x.view()).unwrap();
        let (labels, dist) = match &c {
            Clusterer::KMeans(p) => {
                let d = p.fit(x.view()).unwrap();
                assert_eq!(fitted.inertia(), d.inertia());
                assert_eq!(fitted.cluster_centers(), d.cluster_centers());
                (d.predict(x.view()).unwrap(), d.transform(x.view()).unwrap())
            }
            Clusterer::MiniBatchKMeans(p) => {
                let d = p.fit(x.view()).unwrap();
                assert_eq!(fitted.inertia(), d.inertia());
                (d.predict(x.view()).unwrap(), d.transform(x.view()).unwrap())
            }
        };
        assert_eq!(fitted.predict(x.view()).unwrap(), labels, "{}", c.name());
        assert_eq!(fitted.transform(x.view()).unwrap(), dist, "{}", c.name());
        assert_eq!(fitted.labels().to_owned(), labels);
        assert_eq!(fitted.cluster_centers().dim(), (3, 4));
    }
}

// ---- Persistence --------------------------------------------------------------------------

#[test]
fn fitted_enums_save_and_load_and_predict_identically() {
    let (x, y) = breast_cancer();
    let mut c = Classifier::from_name("gbdt").unwrap();
    c.set("max_iter", "20").unwrap();
    let fc = c.fit(x.view(), y.view()).unwrap();
    let bytes = persist::to_bytes(&fc).unwrap();
    let header = read_header(&bytes).unwrap();
    assert_eq!(header.kind, "kiln::FittedClassifier");
    assert_eq!(header.schema.n_features(), 30);
    assert_eq!(header.params::<Classifier>().unwrap(), c);
    let back: FittedClassifier = persist::from_bytes(&bytes).unwrap();
    assert_eq!(
        back.predict_proba(x.view()).unwrap(),
        fc.predict_proba(x.view()).unwrap()
    );
    assert!(matches!(back.model(), ClassifierModel::Boosting(_)));

    let (xr, yr) = diabetes();
    let r = Regressor::from_name("lasso").unwrap();
    let fr = r.fit(xr.view(), yr.view()).unwrap();
    let back: FittedRegressor = persist::from_bytes(&persist::to_bytes(&fr).unwrap()).unwrap();
    assert_eq!(
        back.predict(xr.view()).unwrap(),
        fr.predict(xr.view()).unwrap()
    );
    assert_eq!(back.params(), &r);

    let xi = iris();
    let mut k = Clusterer::from_name("kmeans").unwrap();
    k.set("n_clusters", "3").unwrap();
    let fk = k.fit(xi.view()).unwrap();
    let back: FittedClusterer = persist::from_bytes(&persist::to_bytes(&fk).unwrap()).unwrap();
    assert_eq!(
        back.transform(xi.view()).unwrap(),
        fk.transform(xi.view()).unwrap()
    );
}

#[test]
fn fitted_extra_trees_save_and_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = breast_cancer();
    let mut c = Classifier::from_name("extra-trees").unwrap();
    for (name, value) in EXTRA_TREES_TEXT {
        c.set(name, value).unwrap();
    }
    let fc = c.fit(x.view(), y.view()).unwrap();
    let path = dir.path().join("extra_trees_classifier.kiln");
    persist::save(&fc, &path).unwrap();
    let header = read_header(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(header.kind, "kiln::FittedClassifier");
    assert_eq!(header.schema.n_features(), 30);
    assert_eq!(header.params::<Classifier>().unwrap(), c);
    let back: FittedClassifier = persist::load(&path).unwrap();
    assert!(matches!(back.model(), ClassifierModel::ExtraTrees(_)));
    assert_eq!(back.name(), "extra-trees");
    assert_eq!(
        back.predict_proba(x.view()).unwrap(),
        fc.predict_proba(x.view()).unwrap()
    );
    assert_eq!(back, fc);

    let (xr, yr) = diabetes();
    let mut r = Regressor::from_name("extra-trees").unwrap();
    r.set("n_estimators", "7").unwrap();
    let fr = r.fit(xr.view(), yr.view()).unwrap();
    let path = dir.path().join("extra_trees_regressor.kiln");
    persist::save(&fr, &path).unwrap();
    let back: FittedRegressor = persist::load(&path).unwrap();
    assert!(matches!(back.model(), RegressorModel::ExtraTrees(_)));
    assert_eq!(back.params(), &r);
    assert_eq!(
        back.predict(xr.view()).unwrap(),
        fr.predict(xr.view()).unwrap()
    );
}

#[test]
fn a_classifier_file_does_not_load_as_a_regressor() {
    let (x, y) = breast_cancer();
    let fc = Classifier::from_name("tree")
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    let bytes = persist::to_bytes(&fc).unwrap();
    match persist::from_bytes::<FittedRegressor>(&bytes) {
        Err(Error::ModelFormat { check, reason }) => {
            assert_eq!(check, kiln::FormatCheck::Kind);
            assert!(reason.contains("kiln::FittedClassifier"), "{reason}");
        }
        other => panic!("expected a ModelFormat error, got {other:?}"),
    }
    // Nor does the wrapped model's own file load as the enum.
    let ClassifierModel::Tree(tree) = fc.model() else {
        panic!()
    };
    let inner = persist::to_bytes(tree).unwrap();
    assert!(matches!(
        persist::from_bytes::<FittedClassifier>(&inner),
        Err(Error::ModelFormat { .. })
    ));
}

// ---- Contracts ----------------------------------------------------------------------------

#[test]
fn fitted_enums_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<FittedClassifier>();
    assert_send_sync::<FittedRegressor>();
    assert_send_sync::<FittedClusterer>();
    assert_send_sync::<Classifier>();
    assert_send_sync::<Regressor>();
    assert_send_sync::<Clusterer>();
}

#[test]
fn pipeline_needs_are_those_of_the_wrapped_estimator() {
    let logistic = Classifier::from_name("logistic").unwrap().prep_needs();
    assert!(logistic.scale);
    assert_eq!(logistic.categorical, CategoricalPrep::OneHot);
    let forest = Regressor::from_name("forest").unwrap().prep_needs();
    assert!(!forest.scale);
    assert_eq!(
        Regressor::from_name("extra-trees").unwrap().prep_needs(),
        forest
    );
    assert_eq!(
        Classifier::from_name("extra-trees").unwrap().prep_needs(),
        Classifier::from_name("forest").unwrap().prep_needs()
    );
    assert!(Clusterer::from_name("kmeans").unwrap().prep_needs().scale);
    let mut gbdt = Classifier::from_name("gbdt").unwrap();
    assert_eq!(gbdt.prep_needs().categorical, CategoricalPrep::Native);
    gbdt.set_categorical_features(&[1, 4]);
    let Classifier::Boosting(p) = &gbdt else {
        panic!()
    };
    assert_eq!(p.params.categorical_features, vec![1, 4]);
    let mut r = Regressor::from_name("gbdt").unwrap();
    r.set_categorical_features(&[2]);
    let Regressor::Boosting(p) = &r else { panic!() };
    assert_eq!(p.params.categorical_features, vec![2]);
}

#[test]
fn classifier_tree_passes_the_kiln_check_suite() {
    let base = Classifier::Tree(DecisionTreeClassifier::default());
    let mut bad_depth = base.clone();
    bad_depth.set("max_depth", "0").unwrap();
    let mut bad_leaf = base.clone();
    bad_leaf.set("min_samples_leaf", "0").unwrap();
    Checker::new(base)
        .invalid_param(bad_depth, "max_depth")
        .invalid_param(bad_leaf, "min_samples_leaf")
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn regressor_ridge_passes_the_kiln_check_suite() {
    let base = Regressor::Ridge(Ridge::default());
    let mut bad = base.clone();
    bad.set("alpha", "-1").unwrap();
    Checker::new(base)
        .invalid_param(bad, "alpha")
        .check_regressor()
        .assert_passed();
}

#[test]
fn clusterer_kmeans_passes_the_kiln_check_suite() {
    let mut base = Clusterer::from_name("kmeans").unwrap();
    base.set("n_clusters", "3").unwrap();
    let mut bad_k = base.clone();
    bad_k.set("n_clusters", "0").unwrap();
    let mut bad_tol = base.clone();
    bad_tol.set("tol", "-1").unwrap();
    Checker::new(base)
        .invalid_param(bad_k, "n_clusters")
        .invalid_param(bad_tol, "tol")
        .check_clusterer()
        .assert_passed();
}
