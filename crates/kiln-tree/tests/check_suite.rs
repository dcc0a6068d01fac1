//! The kiln-check estimator suite on both trees, in their default configuration and with
//! the options that change the growth path (best first, feature sampling, pruning).

use kiln_check::{Check, Checker};
use kiln_tree::{ClassWeight, DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures};

fn invalid_classifiers(c: Checker<DecisionTreeClassifier>) -> Checker<DecisionTreeClassifier> {
    let d = DecisionTreeClassifier::default();
    c.invalid_param(d.clone().with_max_depth(Some(0)), "max_depth")
        .invalid_param(d.clone().with_min_samples_leaf(0), "min_samples_leaf")
        .invalid_param(d.clone().with_min_samples_split(1), "min_samples_split")
        .invalid_param(
            d.clone().with_max_features(MaxFeatures::Count(0)),
            "max_features",
        )
        .invalid_param(
            d.clone().with_max_features(MaxFeatures::Fraction(1.5)),
            "max_features",
        )
        .invalid_param(d.clone().with_max_leaf_nodes(Some(1)), "max_leaf_nodes")
        .invalid_param(
            d.clone().with_min_impurity_decrease(-1.0),
            "min_impurity_decrease",
        )
        .invalid_param(d.clone().with_ccp_alpha(f64::NAN), "ccp_alpha")
        .invalid_param(
            d.with_class_weight(ClassWeight::Given([(0, -1.0)].into_iter().collect())),
            "class_weight",
        )
}

#[test]
fn classifier_passes_the_suite() {
    invalid_classifiers(Checker::new(DecisionTreeClassifier::default()))
        .allows_missing()
        .check_probabilistic_classifier()
        .assert_passed();
}

#[test]
fn classifier_variants_pass_the_suite() {
    for params in [
        DecisionTreeClassifier::default().with_max_leaf_nodes(Some(5)),
        DecisionTreeClassifier::default()
            .with_max_features(MaxFeatures::Sqrt)
            .with_seed(3),
        DecisionTreeClassifier::default()
            .with_ccp_alpha(0.01)
            .with_class_weight(ClassWeight::Balanced),
    ] {
        Checker::new(params.clone())
            .invalid_param(params.with_min_samples_leaf(0), "min_samples_leaf")
            .allows_missing()
            .check_probabilistic_classifier()
            .assert_passed();
    }
}

#[test]
fn regressor_passes_the_suite() {
    let d = DecisionTreeRegressor::default();
    Checker::new(d.clone())
        .invalid_param(d.clone().with_max_depth(Some(0)), "max_depth")
        .invalid_param(d.clone().with_min_samples_leaf(0), "min_samples_leaf")
        .invalid_param(d.clone().with_min_samples_split(0), "min_samples_split")
        .invalid_param(
            d.clone().with_max_features(MaxFeatures::Fraction(0.0)),
            "max_features",
        )
        .invalid_param(d.clone().with_max_leaf_nodes(Some(0)), "max_leaf_nodes")
        .invalid_param(d.clone().with_ccp_alpha(-0.1), "ccp_alpha")
        .allows_missing()
        .check_regressor()
        .assert_passed();
}

#[test]
fn regressor_variants_pass_the_suite() {
    for params in [
        DecisionTreeRegressor::default().with_max_depth(Some(3)),
        DecisionTreeRegressor::default().with_max_leaf_nodes(Some(6)),
        DecisionTreeRegressor::default().with_max_features(MaxFeatures::Count(2)),
    ] {
        Checker::new(params.clone())
            .invalid_param(params.with_max_depth(Some(0)), "max_depth")
            .allows_missing()
            .check_regressor()
            .assert_passed();
    }
}

#[test]
fn min_samples_leaf_counts_rows_so_weights_are_not_duplicates() {
    let params = DecisionTreeRegressor::default().with_min_samples_leaf(3);
    Checker::new(params.clone())
        .invalid_param(params.with_min_samples_leaf(0), "min_samples_leaf")
        .skip(
            Check::SampleWeightEquivalence,
            "min_samples_leaf counts rows, as in scikit-learn: a row of weight 2 is one row, \
             its duplicate two, so leaves of fewer than 3 rows differ",
        )
        .allows_missing()
        .check_regressor()
        .assert_passed();
}
