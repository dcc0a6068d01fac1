//! The suite proves itself: correct toy estimators pass every check, and a toy that breaks a
//! rule on purpose fails the check for that rule.

mod toys;

use kiln_check::{Check, Checker, FrameChecker, Outcome, Report, Unseen};
use toys::frame::{Codes, FrameFlaw, ToyAdapter, ToyFrame};
use toys::{Centroid, Flaw, Line, Scaler, TwoMeans};

fn classifier(flaw: Option<Flaw>) -> Report {
    Checker::new(Centroid::new(flaw))
        .invalid_param(
            Centroid {
                temperature: 0.0,
                flaw,
            },
            "temperature",
        )
        .invalid_param(
            Centroid {
                temperature: f64::NAN,
                flaw,
            },
            "temperature",
        )
        .check_probabilistic_classifier()
}

#[test]
fn correct_classifier_passes_every_check() {
    let report = classifier(None);
    report.assert_passed();
    for check in [
        Check::InvalidParams,
        Check::NonFiniteAtFit,
        Check::ProbaValid,
        Check::SingleClass,
        Check::SparseClassLabels,
        Check::SampleWeightEquivalence,
        Check::ThreadInvariance,
    ] {
        assert_eq!(report.outcome(check), Some(&Outcome::Passed), "{check}");
    }
}

#[test]
fn each_classifier_flaw_fails_its_check() {
    let cases = [
        (Flaw::NoParamCheck, Check::InvalidParams),
        (Flaw::NoFiniteCheckAtFit, Check::NonFiniteAtFit),
        (Flaw::NoFiniteCheckAtPredict, Check::NonFiniteAtPredict),
        (Flaw::AcceptsEmpty, Check::EmptyData),
        (Flaw::NoFeatureCheck, Check::FeatureCount),
        (Flaw::NoLengthCheck, Check::TargetLength),
        (Flaw::PanicsOnOneSample, Check::OneSample),
        (Flaw::WrongSingleClass, Check::SingleClass),
        (Flaw::AssumesContiguousClasses, Check::SparseClassLabels),
        (Flaw::GlobalState, Check::Determinism),
        (Flaw::GlobalState, Check::RefitIdempotent),
        (Flaw::BatchStatistics, Check::BatchEqualsRows),
        (Flaw::UnnormalizedProba, Check::ProbaValid),
        (Flaw::ArgmaxDisagrees, Check::ProbaValid),
        (Flaw::UnsavedField, Check::SaveLoad),
        (Flaw::ThreadDependent, Check::ThreadInvariance),
        (Flaw::IgnoresWeights, Check::SampleWeightEquivalence),
        (Flaw::NoWeightValidation, Check::SampleWeightValidation),
    ];
    for (flaw, check) in cases {
        let report = classifier(Some(flaw));
        assert!(
            report.failed(check),
            "{flaw:?} should fail {check}, report:\n{report}"
        );
    }
}

#[test]
fn label_only_checks_catch_flaws_too() {
    let report = Checker::new(Centroid::new(Some(Flaw::NoFeatureCheck)))
        .skip(Check::InvalidParams, "covered by the probabilistic run")
        .check_classifier();
    assert!(report.failed(Check::FeatureCount), "{report}");
    assert!(!report.failed(Check::Determinism), "{report}");
}

#[test]
fn correct_regressor_passes_and_unchecked_target_fails() {
    let bad = Line {
        flaw: None,
        ridge: -1.0,
    };
    Checker::new(Line::default())
        .invalid_param(bad.clone(), "ridge")
        .check_regressor()
        .assert_passed();
    let report = Checker::new(Line {
        flaw: Some(Flaw::NoTargetCheck),
        ridge: 0.0,
    })
    .invalid_param(bad, "ridge")
    .check_regressor();
    assert!(report.failed(Check::NonFiniteTarget), "{report}");
    assert_eq!(report.failures().len(), 1, "{report}");
}

#[test]
fn correct_transformer_passes_and_inconsistent_fit_transform_fails() {
    let bad = Scaler {
        flaw: None,
        epsilon: -1.0,
    };
    Checker::new(Scaler::default())
        .invalid_param(bad.clone(), "epsilon")
        .check_transformer()
        .assert_passed();
    let report = Checker::new(Scaler {
        flaw: Some(Flaw::FitTransformDiffers),
        epsilon: 0.0,
    })
    .invalid_param(bad, "epsilon")
    .check_transformer();
    assert!(report.failed(Check::FitTransform), "{report}");
    assert_eq!(report.failures().len(), 1, "{report}");
}

#[test]
fn supervised_transformers_are_checked_with_their_kind_of_target() {
    let bad = Line {
        flaw: None,
        ridge: -1.0,
    };
    let report = Checker::new(Line::default())
        .invalid_param(bad.clone(), "ridge")
        .check_supervised_transformer();
    report.assert_passed();
    // An f64 target is checked for non-finite values; class indices are not.
    assert_eq!(
        report.outcome(Check::NonFiniteTarget),
        Some(&Outcome::Passed)
    );
    let report = Checker::new(Line {
        flaw: Some(Flaw::NoTargetCheck),
        ridge: 0.0,
    })
    .invalid_param(bad, "ridge")
    .check_supervised_transformer();
    assert!(report.failed(Check::NonFiniteTarget), "{report}");
    assert_eq!(report.failures().len(), 1, "{report}");

    let invalid = Centroid {
        temperature: 0.0,
        flaw: None,
    };
    let report = Checker::new(Centroid::new(None))
        .invalid_param(invalid, "temperature")
        .check_supervised_transformer();
    report.assert_passed();
    assert_eq!(report.outcome(Check::NonFiniteTarget), None, "{report}");
    assert_eq!(report.outcome(Check::TargetLength), Some(&Outcome::Passed));
    for (flaw, check) in [
        (Flaw::NoFeatureCheck, Check::FeatureCount),
        (Flaw::NoLengthCheck, Check::TargetLength),
        (Flaw::BatchStatistics, Check::BatchEqualsRows),
        (Flaw::UnsavedField, Check::SaveLoad),
        (Flaw::IgnoresWeights, Check::SampleWeightEquivalence),
    ] {
        let report = Checker::new(Centroid::new(Some(flaw)))
            .skip(Check::InvalidParams, "tested above")
            .check_supervised_transformer();
        assert!(
            report.failed(check),
            "{flaw:?} should fail {check}:\n{report}"
        );
    }
}

#[test]
fn clusterer_runs_with_a_reasoned_skip() {
    let report = Checker::new(TwoMeans {
        seed: 3,
        n_iter: 5,
    })
    .invalid_param(
        TwoMeans {
            seed: 3,
            n_iter: 1000,
        },
        "n_iter",
    )
    .skip(
        Check::SampleWeightEquivalence,
        "the seeded initial rows are drawn from n rows, so adding or removing a row changes them",
    )
    .check_clusterer();
    report.assert_passed();
    assert!(matches!(
        report.outcome(Check::SampleWeightEquivalence),
        Some(Outcome::Skipped(_))
    ));
    // The skipped check is real: without the skip it fails for this estimator (with no
    // iterations to wash out the initial rows).
    let unskipped = Checker::new(TwoMeans { seed: 3, n_iter: 0 })
        .skip(Check::InvalidParams, "tested above")
        .check_clusterer();
    assert!(
        unskipped.failed(Check::SampleWeightEquivalence),
        "{unskipped}"
    );
}

#[test]
fn a_skip_without_reason_fails() {
    let report = Checker::new(Line::default())
        .skip(Check::InvalidParams, "  ")
        .check_regressor();
    assert!(report.failed(Check::InvalidParams), "{report}");
}

#[test]
fn missing_invalid_param_examples_fail() {
    let report = Checker::new(Line::default()).check_regressor();
    assert!(report.failed(Check::InvalidParams), "{report}");
}

#[test]
fn allows_missing_requires_nan_to_be_accepted() {
    // The centroid classifier rejects NaN, so declaring it NaN-tolerant must fail.
    let report = Checker::new(Centroid::new(None))
        .skip(Check::InvalidParams, "tested above")
        .allows_missing()
        .check_classifier();
    assert!(report.failed(Check::NonFiniteAtFit), "{report}");
    assert!(report.failed(Check::NonFiniteAtPredict), "{report}");
}

#[test]
fn report_lists_failures_by_name() {
    let report = classifier(Some(Flaw::NoFeatureCheck));
    let text = report.to_string();
    assert!(text.contains("FAILED  feature_count"), "{text}");
    let result = std::panic::catch_unwind(|| report.assert_passed());
    assert!(result.is_err());
}

fn frame_report(params: Codes, unseen: Unseen) -> Report {
    let bad = Codes {
        offset: f64::INFINITY,
        ..params.clone()
    };
    let columns = ["colour", "weight", "size"];
    FrameChecker::new(ToyAdapter, ToyFrame::sample(), move |f: &ToyFrame| {
        params.fit(f, &columns)
    })
    .invalid_param("offset", move |f: &ToyFrame| bad.fit(f, &columns))
    .unseen(unseen)
    .check()
}

fn codes(flaw: Option<FrameFlaw>) -> Codes {
    Codes {
        offset: 1.0,
        accept_unseen: false,
        flaw,
    }
}

#[test]
fn correct_frame_encoder_passes_every_frame_check() {
    let report = frame_report(codes(None), Unseen::Error);
    report.assert_passed();
    assert_eq!(report.estimator, "kiln_check_selftest::Codes");
    for check in [
        Check::InvalidParams,
        Check::EmptyData,
        Check::BatchEqualsRows,
        Check::SaveLoad,
        Check::FeatureNamesOut,
        Check::MissingColumn,
        Check::WrongColumnType,
        Check::UnseenCategory,
        Check::ThreadInvariance,
    ] {
        assert_eq!(report.outcome(check), Some(&Outcome::Passed), "{check}");
    }
    // An encoder that accepts unseen categories passes when declared to, and fails when the
    // suite expects an error.
    let accepting = Codes {
        accept_unseen: true,
        ..codes(None)
    };
    frame_report(accepting.clone(), Unseen::Accept).assert_passed();
    let report = frame_report(accepting, Unseen::Error);
    assert!(report.failed(Check::UnseenCategory), "{report}");
    assert_eq!(report.failures().len(), 1, "{report}");
}

#[test]
fn each_frame_flaw_fails_its_check() {
    let cases = [
        (FrameFlaw::VagueMissingColumn, Check::MissingColumn),
        (FrameFlaw::NoTypeCheck, Check::WrongColumnType),
        (FrameFlaw::UnseenAsZero, Check::UnseenCategory),
        (FrameFlaw::BatchCodes, Check::BatchEqualsRows),
        (FrameFlaw::ExtraName, Check::FeatureNamesOut),
        (FrameFlaw::UnsavedOffset, Check::SaveLoad),
        (FrameFlaw::PanicsOnEmpty, Check::EmptyData),
        (FrameFlaw::GlobalState, Check::Determinism),
        (FrameFlaw::GlobalState, Check::RefitIdempotent),
    ];
    for (flaw, check) in cases {
        let report = frame_report(codes(Some(flaw)), Unseen::Error);
        assert!(
            report.failed(check),
            "{flaw:?} should fail {check}, report:\n{report}"
        );
    }
}

#[test]
fn frame_checks_need_invalid_params_or_a_reasoned_skip() {
    let params = codes(None);
    let fit = move |f: &ToyFrame| params.fit(f, &["colour"]);
    let report = FrameChecker::new(ToyAdapter, ToyFrame::sample(), fit).check();
    assert!(report.failed(Check::InvalidParams), "{report}");
    assert_eq!(report.failures().len(), 1, "{report}");
    let params = codes(None);
    let report = FrameChecker::new(ToyAdapter, ToyFrame::sample(), move |f: &ToyFrame| {
        params.fit(f, &["weight"])
    })
    .skip(Check::InvalidParams, "offset is tested above")
    .check();
    // A numeric-only transformer cannot be given an unseen category.
    assert!(report.failed(Check::UnseenCategory), "{report}");
    assert!(matches!(
        report.outcome(Check::InvalidParams),
        Some(Outcome::Skipped(_))
    ));
}

#[test]
fn fit_rows_and_predict_rows_that_ignore_the_rows_fail_row_subsets() {
    let bad = Line {
        flaw: None,
        ridge: -1.0,
    };
    for flaw in [Flaw::RowsIgnored, Flaw::PredictRowsIgnored] {
        let report = Checker::new(Line {
            flaw: Some(flaw),
            ridge: 0.0,
        })
        .invalid_param(bad.clone(), "ridge")
        .check_regressor();
        assert!(report.failed(Check::RowSubsets), "{flaw:?}: {report}");
        assert_eq!(report.failures().len(), 1, "{flaw:?}: {report}");
    }
    // The classifier toy keeps the default `fit_rows` and `predict_rows`, and passes.
    assert_eq!(
        classifier(None).outcome(Check::RowSubsets),
        Some(&Outcome::Passed)
    );
}
