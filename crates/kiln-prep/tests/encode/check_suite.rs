//! The kiln-check frame mode on every encoder and the column transformer, fitted on the
//! bundled penguins, german_credit and credit_scoring data.

use kiln_check::{Check, FrameAdapter, FrameChecker, Report, Unseen};
use kiln_core::Result;
use kiln_prep::encode::{
    ColumnTransformer, FrameTransform, HandleUnknown, NumericStep, OneHotEncoder, OrdinalEncoder,
    OrdinalUnknown, Smooth, Step, TargetEncoder, TargetType,
};
use kiln_prep::impute::{SimpleImputer, Strategy};
use kiln_prep::scale::StandardScaler;
use kiln_prep::{Categorical, Column, Frame};
use ndarray::{Array1, Array2};

use crate::support::frame;

/// Tells kiln-check how to use a [`Frame`] and any [`FrameTransform`].
pub struct Frames;

impl<M: FrameTransform> FrameAdapter<M> for Frames {
    type Frame = Frame;

    fn n_rows(&self, frame: &Frame) -> usize {
        frame.n_rows()
    }

    fn take_rows(&self, frame: &Frame, rows: &[usize]) -> Result<Frame> {
        frame.take_rows(rows)
    }

    fn drop_column(&self, frame: &Frame, name: &str) -> Result<Frame> {
        frame.drop_columns(&[name])
    }

    fn retype_column(&self, frame: &Frame, name: &str) -> Result<Frame> {
        let n = frame.n_rows();
        let other = match frame.column(name)? {
            Column::Categorical(_) => Column::Float(vec![0.0; n]),
            _ => Column::Categorical(Categorical::from_values(&vec![Some("x"); n])),
        };
        frame.clone().with_column(name, other)
    }

    fn with_unseen_category(&self, frame: &Frame, name: &str, row: usize) -> Result<Option<Frame>> {
        let Some(col) = frame.column(name)?.as_categorical() else {
            return Ok(None);
        };
        let mut codes = col.codes().to_vec();
        let mut levels = col.levels().to_vec();
        codes[row] = levels.len() as u32;
        levels.push("a value never seen in training".into());
        let col = Categorical::from_codes(codes, levels)?;
        frame
            .clone()
            .with_column(name, Column::Categorical(col))
            .map(Some)
    }

    fn input_columns(&self, model: &M) -> Vec<String> {
        model.input_columns().to_vec()
    }

    fn transform(&self, model: &M, frame: &Frame) -> Result<Array2<f64>> {
        model.transform_frame(frame)
    }

    fn feature_names_out(&self, model: &M) -> Vec<String> {
        model.feature_names_out()
    }
}

const PENGUIN_CATS: [&str; 3] = ["species", "island", "sex"];

#[test]
fn onehot_encoder_passes_the_frame_checks() {
    let f = frame("penguins");
    let report = FrameChecker::new(Frames, f.clone(), |f: &Frame| {
        OneHotEncoder::default().fit(f, &PENGUIN_CATS)
    })
    .invalid_param("min_frequency", |f: &Frame| {
        OneHotEncoder::default()
            .with_min_frequency(Some(0))
            .fit(f, &PENGUIN_CATS)
    })
    .check();
    report.assert_passed();
    assert_unseen_checked(&report);

    // Ignoring unknown categories, with infrequent grouping: the documented all-zero output.
    let ignore = OneHotEncoder::default()
        .with_handle_unknown(HandleUnknown::Ignore)
        .with_min_frequency(Some(20));
    FrameChecker::new(Frames, f, move |f: &Frame| ignore.fit(f, &PENGUIN_CATS))
        .skip(Check::InvalidParams, "declared in the run above")
        .unseen(Unseen::Accept)
        .check()
        .assert_passed();
}

fn assert_unseen_checked(report: &Report) {
    assert_eq!(
        report.outcome(Check::UnseenCategory),
        Some(&kiln_check::Outcome::Passed),
        "{report}"
    );
}

#[test]
fn ordinal_encoder_passes_the_frame_checks() {
    let f = frame("german_credit");
    let columns = f.categorical_names();
    let report = FrameChecker::new(Frames, f.clone(), |f: &Frame| {
        OrdinalEncoder::default().fit(f, &columns)
    })
    .invalid_param("handle_unknown", |f: &Frame| {
        OrdinalEncoder::default()
            .with_handle_unknown(OrdinalUnknown::Value(0.5))
            .fit(f, &columns)
    })
    .check();
    report.assert_passed();
    assert_unseen_checked(&report);

    let reserved = OrdinalEncoder::default().with_handle_unknown(OrdinalUnknown::Value(-1.0));
    FrameChecker::new(Frames, f, |f: &Frame| reserved.fit(f, &columns))
        .skip(Check::InvalidParams, "declared in the run above")
        .unseen(Unseen::Accept)
        .check()
        .assert_passed();
}

/// The target travels in the frame as column `y`, so every subset of rows the suite fits on
/// keeps its own target.
fn with_binary_target(f: &Frame, column: &str, positive: &str) -> Frame {
    let labels = f.column(column).unwrap();
    let y: Vec<f64> = (0..f.n_rows())
        .map(|i| f64::from(u8::from(labels.format(i) == positive)))
        .collect();
    f.drop_columns(&[column])
        .unwrap()
        .with_column("y", Column::Float(y))
        .unwrap()
}

fn target_fit(
    params: TargetEncoder,
    f: &Frame,
    columns: &[String],
) -> Result<impl FrameTransform + kiln_core::Persist + use<>> {
    let y: Array1<f64> = f.to_array(&["y"])?.column(0).to_owned();
    params.fit(f, columns, y.view())
}

#[test]
fn target_encoder_passes_the_frame_checks() {
    let f = with_binary_target(&frame("german_credit"), "credit", "good");
    let columns = f.categorical_names();
    let binary = TargetEncoder::default().with_target_type(TargetType::Binary);
    // An unseen category is encoded as the target mean, as in scikit-learn.
    FrameChecker::new(Frames, f.clone(), |f: &Frame| {
        target_fit(binary, f, &columns)
    })
    .invalid_param("cv", |f: &Frame| target_fit(binary.with_cv(1), f, &columns))
    .invalid_param("smooth", |f: &Frame| {
        target_fit(binary.with_smooth(Smooth::Value(-1.0)), f, &columns)
    })
    .unseen(Unseen::Accept)
    .check()
    .assert_passed();
    // A continuous target: penguin body mass from the categorical columns.
    let p = frame("penguins");
    let rows: Vec<usize> = (0..p.n_rows())
        .filter(|&i| !p.column("body_mass_g").unwrap().is_missing(i))
        .collect();
    let p = p.take_rows(&rows).unwrap();
    let mass = p.column("body_mass_g").unwrap().clone();
    let p = p.with_column("y", mass).unwrap();
    FrameChecker::new(Frames, p, |f: &Frame| {
        target_fit(TargetEncoder::default(), f, &PENGUIN_CATS.map(String::from))
    })
    .skip(Check::InvalidParams, "declared in the binary run above")
    .unseen(Unseen::Accept)
    .check()
    .assert_passed();
}

fn credit_transformer() -> ColumnTransformer {
    ColumnTransformer::default()
        .with_numeric(
            "num",
            &["income", "assets", "debt", "age", "amount"],
            vec![
                NumericStep::Impute(SimpleImputer::default().with_strategy(Strategy::Median)),
                NumericStep::Standard(StandardScaler::default()),
            ],
        )
        .with_step(
            "cat",
            &["home", "marital", "job", "records"],
            Step::OneHot(OneHotEncoder::default()),
        )
        .with_step("ord", &["status"], Step::Ordinal(OrdinalEncoder::default()))
}

#[test]
fn column_transformer_passes_the_frame_checks() {
    let f = frame("credit_scoring");
    let ct = credit_transformer();
    let report = FrameChecker::new(Frames, f, |f: &Frame| ct.fit(f))
        .invalid_param("transformers", |f: &Frame| {
            credit_transformer()
                .with_step("bad__name", &["price"], Step::Numeric(vec![]))
                .fit(f)
        })
        .invalid_param("strategy", |f: &Frame| {
            ColumnTransformer::default()
                .with_numeric(
                    "num",
                    &["income"],
                    vec![NumericStep::Impute(
                        SimpleImputer::default().with_strategy(Strategy::Constant(f64::NAN)),
                    )],
                )
                .fit(f)
        })
        .check();
    report.assert_passed();
    assert_unseen_checked(&report);
}
