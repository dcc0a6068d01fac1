//! The shared estimator suite on kiln-fairness' transformer.

use kiln_check::Checker;
use kiln_fairness::mitigate::correlation::CorrelationRemover;

#[test]
fn correlation_remover_passes_the_estimator_suite() {
    for alpha in [1.0, 0.5] {
        let base = CorrelationRemover::default()
            .with_sensitive_feature_ids(vec![0])
            .with_alpha(alpha);
        Checker::new(base.clone())
            .invalid_param(base.clone().with_alpha(1.5), "alpha")
            .invalid_param(base.clone().with_alpha(f64::NAN), "alpha")
            .check_transformer()
            .assert_passed();
    }
}
