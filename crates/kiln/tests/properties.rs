//! Property tests (issue #15): a saved and reloaded `kiln::model::Model` predicts exactly as
//! the model it was saved from, on any subset of rows, for each task.

#![expect(clippy::unwrap_used, reason = "tests unwrap to fail loudly")]

use std::sync::OnceLock;

use kiln::datasets::Dataset;
use kiln::model::{Estimator, Model, TrainOptions};
use kiln::prelude::*;
use kiln::problem::Task;
use kiln_core::persist;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(24)
    }
}

fn frame(d: Dataset) -> Frame {
    CsvOptions::default().read_str(d.csv()).unwrap().0
}

/// (data, model, reloaded model) for one problem, trained once per test binary.
struct Case {
    data: Frame,
    model: Model,
    back: Model,
}

fn case(task: Task, name: &str, d: Dataset, problem: Problem) -> Case {
    let data = frame(d);
    let est = Estimator::from_name(task, name).unwrap();
    let model = Model::train(&problem, est, &data, None, &TrainOptions::default()).unwrap();
    let back: Model = persist::from_bytes(&persist::to_bytes(&model).unwrap()).unwrap();
    Case { data, model, back }
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        vec![
            case(
                Task::Classification,
                "logistic",
                Dataset::Iris,
                Problem::classification("target"),
            ),
            case(
                Task::Classification,
                "forest",
                Dataset::Penguins,
                Problem::classification("species"),
            ),
            case(
                Task::Regression,
                "gbdt",
                Dataset::Diabetes,
                Problem::regression("target"),
            ),
            case(
                Task::Clustering,
                "kmeans",
                Dataset::Iris,
                Problem::clustering().with_exclude(["target"]),
            ),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn reloaded_model_predicts_like_the_saved_one(which in 0usize..4, rows in proptest::collection::vec(any::<prop::sample::Index>(), 1..40)) {
        let c = &cases()[which];
        let idx: Vec<usize> = rows.iter().map(|i| i.index(c.data.n_rows())).collect();
        let sub = c.data.take_rows(&idx).unwrap();
        prop_assert_eq!(c.model.predict(&sub).unwrap(), c.back.predict(&sub).unwrap());
    }
}
