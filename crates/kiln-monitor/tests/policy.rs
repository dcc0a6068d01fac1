//! The retraining `Policy`: each rule against hand-computed numbers, the decision with its
//! reasons, text and JSON output, and bad input.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::Error;
use kiln_monitor::policy::{Decision, MaxDrop, Observations, Policy, Rule, RuleStatus};
use serde_json::Value;

fn status(d: &Decision, rule: Rule) -> RuleStatus {
    d.reasons.iter().find(|r| r.rule == rule).unwrap().status
}

fn observed(d: &Decision, rule: Rule) -> Option<f64> {
    d.reasons.iter().find(|r| r.rule == rule).unwrap().observed
}

fn calm() -> Observations {
    Observations {
        drift_share: Some(0.2),
        latest_metric: Some(0.90),
        reference_metric: Some(0.92),
        alert_history: vec![false, true, true, false, true, true],
        rows_since_training: Some(50_000),
        days_since_training: Some(30.0),
    }
}

#[test]
fn nothing_fires_on_calm_observations_and_every_rule_is_reported() {
    let policy = Policy::default()
        .with_retrain_after_rows(Some(100_000))
        .with_max_days_since_training(Some(90.0));
    let d = policy.decide(&calm()).unwrap();
    assert!(!d.retrain, "{d}");
    assert_eq!(d.reasons.len(), 5);
    for r in &d.reasons {
        assert_eq!(r.status, RuleStatus::Passed, "{d}");
        assert!(r.observed.is_some() && r.limit.is_some());
    }
    // (0.92 - 0.90) / 0.92, a streak of 2 at the end of the history
    assert!((observed(&d, Rule::PerformanceDrop).unwrap() - 0.02 / 0.92).abs() < 1e-15);
    assert_eq!(observed(&d, Rule::AlertStreak), Some(2.0));
    assert!(d.to_string().starts_with("keep the model"));
}

#[test]
fn each_rule_fires_at_its_limit() {
    let policy = Policy::default()
        .with_retrain_after_rows(Some(100_000))
        .with_max_days_since_training(Some(90.0));
    let cases: Vec<(Rule, Observations)> = vec![
        (
            Rule::DriftShare,
            Observations {
                drift_share: Some(0.5),
                ..calm()
            },
        ),
        // 0.828 is exactly 10 % below 0.92 (within rounding: 0.8279 is safely over)
        (
            Rule::PerformanceDrop,
            Observations {
                latest_metric: Some(0.8279),
                ..calm()
            },
        ),
        (
            Rule::AlertStreak,
            Observations {
                alert_history: vec![false, true, true, true],
                ..calm()
            },
        ),
        (
            Rule::DataVolume,
            Observations {
                rows_since_training: Some(100_000),
                ..calm()
            },
        ),
        (
            Rule::ModelAge,
            Observations {
                days_since_training: Some(90.0),
                ..calm()
            },
        ),
    ];
    for (rule, obs) in cases {
        let d = policy.decide(&obs).unwrap();
        assert!(d.retrain, "{rule}: {d}");
        assert_eq!(d.fired(), vec![rule], "{d}");
        assert!(d.to_string().contains("RETRAIN"));
    }
    // Just below each limit: nothing fires.
    let d = policy
        .decide(&Observations {
            drift_share: Some(0.49),
            latest_metric: Some(0.83),
            ..calm()
        })
        .unwrap();
    assert!(!d.retrain, "{d}");
}

#[test]
fn absolute_drops_and_loss_metrics() {
    let policy = Policy::default().with_max_drop(Some(MaxDrop::Absolute(0.05)));
    let obs = Observations {
        latest_metric: Some(0.86),
        reference_metric: Some(0.92),
        ..calm()
    };
    let d = policy.decide(&obs).unwrap();
    assert_eq!(status(&d, Rule::PerformanceDrop), RuleStatus::Fired);
    assert!((observed(&d, Rule::PerformanceDrop).unwrap() - 0.06).abs() < 1e-12);
    // For a loss, a rise is the drop: 0.30 -> 0.36 is +20 %.
    let policy = Policy::default().with_higher_is_better(false);
    let obs = Observations {
        latest_metric: Some(0.36),
        reference_metric: Some(0.30),
        ..calm()
    };
    let d = policy.decide(&obs).unwrap();
    assert_eq!(status(&d, Rule::PerformanceDrop), RuleStatus::Fired);
    assert!((observed(&d, Rule::PerformanceDrop).unwrap() - 0.2).abs() < 1e-12);
    // An improvement of a loss does not fire.
    let obs = Observations {
        latest_metric: Some(0.20),
        reference_metric: Some(0.30),
        ..calm()
    };
    assert_eq!(
        status(&policy.decide(&obs).unwrap(), Rule::PerformanceDrop),
        RuleStatus::Passed
    );
}

#[test]
fn missing_observations_and_disabled_rules_are_reported() {
    let d = Policy::default().decide(&Observations::default()).unwrap();
    assert!(!d.retrain);
    assert_eq!(status(&d, Rule::DriftShare), RuleStatus::NoData);
    assert_eq!(status(&d, Rule::PerformanceDrop), RuleStatus::NoData);
    assert_eq!(status(&d, Rule::AlertStreak), RuleStatus::NoData);
    assert_eq!(status(&d, Rule::DataVolume), RuleStatus::Disabled);
    assert_eq!(status(&d, Rule::ModelAge), RuleStatus::Disabled);
    let text = d.to_string();
    assert!(text.contains("no data") && text.contains("off"), "{text}");
    let off = Policy::default()
        .with_max_drift_share(None)
        .with_alert_streak(None)
        .with_max_drop(None);
    let d = off
        .decide(&Observations {
            drift_share: Some(1.0),
            ..calm()
        })
        .unwrap();
    assert!(!d.retrain);
    assert_eq!(status(&d, Rule::DriftShare), RuleStatus::Disabled);
}

#[test]
fn decision_serializes_to_json() {
    let d = Policy::default()
        .decide(&Observations {
            drift_share: Some(0.75),
            ..calm()
        })
        .unwrap();
    let json: Value = serde_json::from_str(&d.to_json().unwrap()).unwrap();
    assert_eq!(json["retrain"], Value::Bool(true));
    assert_eq!(
        json["reasons"][0]["rule"],
        Value::String("DriftShare".into())
    );
    assert_eq!(json["reasons"][0]["status"], Value::String("Fired".into()));
    assert_eq!(json["reasons"][0]["observed"].as_f64(), Some(0.75));
    assert_eq!(json["reasons"][0]["limit"].as_f64(), Some(0.5));
    let back: Decision = serde_json::from_value(json).unwrap();
    assert_eq!(back, d);
}

#[test]
fn bad_parameters_and_observations_are_typed_errors() {
    let obs = calm();
    for (policy, name) in [
        (
            Policy::default().with_max_drift_share(Some(0.0)),
            "max_drift_share",
        ),
        (
            Policy::default().with_max_drift_share(Some(1.5)),
            "max_drift_share",
        ),
        (
            Policy::default().with_max_drop(Some(MaxDrop::Relative(-0.1))),
            "max_drop",
        ),
        (
            Policy::default().with_max_drop(Some(MaxDrop::Absolute(f64::NAN))),
            "max_drop",
        ),
        (Policy::default().with_alert_streak(Some(0)), "alert_streak"),
        (
            Policy::default().with_retrain_after_rows(Some(0)),
            "retrain_after_rows",
        ),
        (
            Policy::default().with_max_days_since_training(Some(-1.0)),
            "max_days_since_training",
        ),
    ] {
        assert_eq!(
            policy.decide(&obs).unwrap_err().parameter_name(),
            Some(name)
        );
    }
    let p = Policy::default();
    for bad in [
        Observations {
            drift_share: Some(1.2),
            ..calm()
        },
        Observations {
            drift_share: Some(f64::NAN),
            ..calm()
        },
        Observations {
            latest_metric: Some(f64::NAN),
            ..calm()
        },
        Observations {
            reference_metric: Some(f64::INFINITY),
            ..calm()
        },
        Observations {
            days_since_training: Some(-2.0),
            ..calm()
        },
        Observations {
            reference_metric: Some(0.0),
            ..calm()
        },
    ] {
        assert!(
            matches!(p.decide(&bad), Err(Error::InvalidValue { .. })),
            "{bad:?}"
        );
    }
}
