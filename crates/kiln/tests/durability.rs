//! Durability of saved models (issue #15): a save cut short at any byte never loads as a
//! model, any flipped payload byte fails the checksum, and a failed save leaves the previous
//! file whole and loadable. Run on real fitted models and on a `kiln::model::Model` file.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests unwrap and panic to fail loudly"
)]

use std::path::Path;

use kiln::datasets::Dataset;
use kiln::linear::{FittedRidge, Ridge};
use kiln::model::{Estimator, Model, TrainOptions};
use kiln::monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln::prelude::*;
use kiln::problem::Task;
use kiln::tree::{DecisionTreeClassifier, FittedDecisionTreeClassifier};
use kiln_core::persist::{self, Persist};
use kiln_core::{Error, FormatCheck};
use ndarray::{Array1, Array2};

/// Envelope prefix: magic (9) + format version (4) + two lengths (8 + 8).
const PREFIX: usize = 29;

fn frame(d: Dataset) -> Frame {
    CsvOptions::default().read_str(d.csv()).unwrap().0
}

fn small_model() -> Model {
    // Iris with a shallow tree: a complete Model (pipeline, evaluation, reference profile)
    // whose file is small enough to cut at every byte in well under a second.
    let est = Estimator::from_name(Task::Classification, "tree").unwrap();
    Model::train(
        &Problem::classification("target"),
        est,
        &frame(Dataset::Iris),
        None,
        &TrainOptions::default(),
    )
    .unwrap()
}

fn ridge() -> FittedRidge {
    let x = Array2::from_shape_fn((20, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
    let y = Array1::from_shape_fn(20, |i| i as f64 * 0.5 - 3.0);
    Ridge::default().fit(x.view(), y.view()).unwrap()
}

fn tree() -> FittedDecisionTreeClassifier {
    let x = Array2::from_shape_fn((30, 2), |(i, j)| ((i * 5 + j) % 13) as f64);
    let y = Array1::from_shape_fn(30, |i| i % 3);
    DecisionTreeClassifier::default()
        .with_max_depth(Some(3))
        .fit(x.view(), y.view())
        .unwrap()
}

fn profile() -> ReferenceProfile {
    ReferenceProfile::build(&frame(Dataset::Iris), &ProfileOptions::default()).unwrap()
}

/// The offset where the payload starts: after the prefix and the header.
fn payload_start(bytes: &[u8]) -> usize {
    let header_len = u64::from_le_bytes(bytes[13..21].try_into().unwrap());
    PREFIX + usize::try_from(header_len).unwrap()
}

fn is_format_or_io(e: &Error) -> bool {
    matches!(e, Error::ModelFormat { .. } | Error::Io { .. })
}

/// Every strict prefix of `bytes` fails to load with a typed error (and never panics: a
/// panic fails the test).
fn assert_every_truncation_rejected<M: Persist>(what: &str, bytes: &[u8]) {
    for cut in 0..bytes.len() {
        match persist::from_bytes::<M>(&bytes[..cut]) {
            Ok(_) => panic!("{what}: the first {cut} of {} bytes loaded", bytes.len()),
            Err(e) => assert!(is_format_or_io(&e), "{what} cut at {cut}: {e:?}"),
        }
    }
}

/// Flipping any payload byte (or checksum byte) fails the checksum; flipping any header or
/// prefix byte fails some envelope check.
fn assert_every_flip_rejected<M: Persist>(what: &str, bytes: &[u8]) {
    let start = payload_start(bytes);
    let mut buf = bytes.to_vec();
    for at in 0..bytes.len() {
        buf[at] ^= 0x5a;
        match persist::from_bytes::<M>(&buf) {
            Ok(_) => panic!("{what}: a flipped byte at {at} still loaded"),
            Err(Error::ModelFormat { check, .. }) => {
                if at >= PREFIX {
                    assert_eq!(
                        check,
                        FormatCheck::Checksum,
                        "{what}: flip at {at} (payload from {start})"
                    );
                }
            }
            Err(e) => panic!("{what}: flip at {at} gave {e:?}"),
        }
        buf[at] = bytes[at];
    }
}

fn assert_durable<M: Persist>(what: &str, model: &M) {
    let bytes = persist::to_bytes(model).unwrap();
    persist::from_bytes::<M>(&bytes).unwrap();
    assert_every_truncation_rejected::<M>(what, &bytes);
    assert_every_flip_rejected::<M>(what, &bytes);
}

#[test]
fn truncated_or_flipped_model_files_never_load() {
    assert_durable("Ridge", &ridge());
    assert_durable("DecisionTreeClassifier", &tree());
    assert_durable("ReferenceProfile", &profile());
}

#[test]
fn truncated_or_flipped_kiln_model_files_never_load() {
    let m = small_model();
    assert_durable("kiln::Model", &m);
    // Through the file system as well: a cut file on disk is a typed error from Model::load.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.kiln");
    m.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    for cut in [0, 1, 9, PREFIX, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let e = Model::load(&path).unwrap_err();
        assert!(is_format_or_io(&e), "cut at {cut}: {e:?}");
    }
}

#[test]
fn save_works_for_file_names_near_the_length_limit() {
    // Regression: the temporary name used to be the target's name plus a suffix, so a
    // target name the file system accepts (up to 255 bytes) could not be saved.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m".repeat(250));
    persist::save(&ridge(), &path).unwrap();
    let back: FittedRidge = persist::load(&path).unwrap();
    assert_eq!(
        persist::to_bytes(&back).unwrap(),
        persist::to_bytes(&ridge()).unwrap()
    );
    let names = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(names, 1, "temporary file left behind");
}

fn assert_intact(path: &Path, before: &[u8], data: &Frame, model: &Model) {
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "the previous file changed"
    );
    let back = Model::load(path).unwrap();
    assert_eq!(back.predict(data).unwrap(), model.predict(data).unwrap());
}

#[test]
fn failed_saves_leave_the_previous_model_file_loadable() {
    let model = small_model();
    let data = frame(Dataset::Iris);
    let dir = tempfile::tempdir().unwrap();

    // 1. The temporary file cannot be created: a directory already sits at every
    //    temporary name this process would use (the same failure as a full or read-only
    //    directory, which root, running CI, would bypass).
    let path = dir.path().join("model.kiln");
    model.save(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    for i in 0..4096 {
        std::fs::create_dir(
            dir.path()
                .join(format!(".model.kiln.tmp-{}-{i}", std::process::id())),
        )
        .unwrap();
    }
    let e = model.save(&path).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_intact(&path, &before, &data, &model);
    for i in 0..4096 {
        std::fs::remove_dir(
            dir.path()
                .join(format!(".model.kiln.tmp-{}-{i}", std::process::id())),
        )
        .unwrap();
    }

    // 2. The parent of the path is a file, not a directory.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let e = model.save(file.join("model.kiln")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a directory");

    // 3. The target is a non-empty directory: the rename fails and the directory and the
    //    model inside it survive, with no temporary file left behind.
    let target = dir.path().join("target-dir");
    std::fs::create_dir(&target).unwrap();
    let inner = target.join("model.kiln");
    model.save(&inner).unwrap();
    let before = std::fs::read(&inner).unwrap();
    let e = model.save(&target).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_intact(&inner, &before, &data, &model);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// The models the durability tests cut and flip also seed the fuzz corpora: with
/// `KILN_WRITE_FUZZ_SEEDS=DIR` set, their files are written to `DIR` (see
/// docs/reliability.md). Without it, this checks that each one round-trips.
#[test]
fn seed_model_files_round_trip() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("ridge.kiln", persist::to_bytes(&ridge()).unwrap()),
        ("tree.kiln", persist::to_bytes(&tree()).unwrap()),
        ("profile.kiln", persist::to_bytes(&profile()).unwrap()),
        ("model.kiln", persist::to_bytes(&small_model()).unwrap()),
    ];
    persist::from_bytes::<FittedRidge>(&files[0].1).unwrap();
    persist::from_bytes::<FittedDecisionTreeClassifier>(&files[1].1).unwrap();
    persist::from_bytes::<ReferenceProfile>(&files[2].1).unwrap();
    persist::from_bytes::<Model>(&files[3].1).unwrap();
    if let Some(dir) = std::env::var_os("KILN_WRITE_FUZZ_SEEDS") {
        for (name, bytes) in &files {
            std::fs::write(Path::new(&dir).join(name), bytes).unwrap();
        }
    }
}
