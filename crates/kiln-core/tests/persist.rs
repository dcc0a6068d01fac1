//! Every way a model file can be wrong gives `Error::ModelFormat` naming the failed check.

use kiln_core::persist::{self, FeatureSchema, MAGIC, Persist};
use kiln_core::{Error, FormatCheck};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ToyParams {
    alpha: f64,
    missing_marker: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ToyModel {
    params: ToyParams,
    coef: Vec<f64>,
    names: Option<Vec<String>>,
}

impl Persist for ToyModel {
    const KIND: &'static str = "test::ToyModel";
    type Params = ToyParams;
    fn params(&self) -> &ToyParams {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        match &self.names {
            Some(n) => FeatureSchema::with_names(n.clone()),
            None => FeatureSchema::new(self.coef.len()),
        }
    }
}

/// Same kind name, a later payload layout.
#[derive(Debug, Serialize, Deserialize)]
struct ToyModelV2 {
    params: ToyParams,
    coef: Vec<f64>,
    names: Option<Vec<String>>,
}

impl Persist for ToyModelV2 {
    const KIND: &'static str = "test::ToyModel";
    const PAYLOAD_VERSION: u32 = 2;
    type Params = ToyParams;
    fn params(&self) -> &ToyParams {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.coef.len())
    }
}

/// Claims the same kind and version but has another layout: the payload cannot decode.
#[derive(Debug, Serialize, Deserialize)]
struct Impostor {
    params: ToyParams,
    weights: Vec<String>,
}

impl Persist for Impostor {
    const KIND: &'static str = "test::ToyModel";
    type Params = ToyParams;
    fn params(&self) -> &ToyParams {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.weights.len())
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct OtherKind {
    params: (),
}

impl Persist for OtherKind {
    const KIND: &'static str = "test::OtherKind";
    type Params = ();
    fn params(&self) -> &() {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(0)
    }
}

/// Serialization that fails part-way, to show a failed save leaves the old file alone.
#[derive(Debug, Deserialize)]
struct Unserializable {
    params: (),
}

impl Serialize for Unserializable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refuses to serialize"))
    }
}

impl Persist for Unserializable {
    const KIND: &'static str = "test::Unserializable";
    type Params = ();
    fn params(&self) -> &() {
        &self.params
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(1)
    }
}

fn toy() -> ToyModel {
    ToyModel {
        params: ToyParams {
            alpha: 0.5,
            missing_marker: f64::NAN,
        },
        coef: vec![1.0, -2.5, f64::INFINITY, 1e-300, 0.1 + 0.2],
        names: None,
    }
}

#[expect(clippy::panic, reason = "a test helper: failing the test is its job")]
fn check_of(err: Error) -> FormatCheck {
    match err {
        Error::ModelFormat { check, .. } => check,
        other => panic!("expected a ModelFormat error, got {other:?}"),
    }
}

fn assert_same(a: &ToyModel, b: &ToyModel) {
    assert_eq!(a.coef.len(), b.coef.len());
    for (x, y) in a.coef.iter().zip(&b.coef) {
        assert_eq!(x.to_bits(), y.to_bits());
    }
    assert_eq!(a.params.alpha, b.params.alpha);
    assert!(b.params.missing_marker.is_nan());
    assert_eq!(a.names, b.names);
}

#[test]
fn round_trip_is_bit_exact_including_nan_and_inf() {
    let m = toy();
    let bytes = persist::to_bytes(&m).unwrap();
    assert!(bytes.starts_with(MAGIC));
    let back: ToyModel = persist::from_bytes(&bytes).unwrap();
    assert_same(&m, &back);
    let header = persist::read_header(&bytes).unwrap();
    assert_eq!(header.kind, "test::ToyModel");
    assert_eq!(header.payload_version, 1);
    assert_eq!(header.schema, FeatureSchema::new(5));
    let params: ToyParams = header.params().unwrap();
    assert_eq!(params.alpha, 0.5);
}

#[test]
fn saving_is_deterministic() {
    assert_eq!(
        persist::to_bytes(&toy()).unwrap(),
        persist::to_bytes(&toy()).unwrap()
    );
}

#[test]
fn save_and_load_through_a_file_leave_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.kiln");
    persist::save(&toy(), &path).unwrap();
    // Overwrite: still atomic, still one file.
    persist::save(&toy(), &path).unwrap();
    let back: ToyModel = persist::load(&path).unwrap();
    assert_same(&toy(), &back);
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "temporary files left behind: {entries:?}");
}

#[test]
fn failed_save_leaves_previous_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.kiln");
    persist::save(&toy(), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = persist::save(&Unserializable { params: () }, &path).unwrap_err();
    assert_eq!(check_of(err), FormatCheck::Payload);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn save_into_missing_directory_is_an_io_error_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/model.kiln");
    let err = persist::save(&toy(), &path).unwrap_err();
    match &err {
        Error::Io { path: Some(p), .. } => assert!(p.starts_with(dir.path())),
        other => panic!("expected Io with path, got {other:?}"),
    }
    assert!(err.to_string().contains("no/such/dir"), "{err}");
}

#[test]
fn loading_a_missing_file_is_an_io_error() {
    let err = persist::load::<ToyModel>("/definitely/not/here.kiln").unwrap_err();
    assert!(matches!(err, Error::Io { path: Some(_), .. }));
}

#[test]
fn truncated_files_are_rejected_at_every_length() {
    let bytes = persist::to_bytes(&toy()).unwrap();
    for len in 0..bytes.len() {
        let err = persist::from_bytes::<ToyModel>(&bytes[..len]).unwrap_err();
        let check = check_of(err);
        assert_eq!(check, FormatCheck::Truncated, "cut at {len} bytes");
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    let mut bytes = persist::to_bytes(&toy()).unwrap();
    bytes.push(0);
    assert_eq!(
        check_of(persist::from_bytes::<ToyModel>(&bytes).unwrap_err()),
        FormatCheck::Truncated
    );
}

#[test]
fn every_flipped_byte_after_the_prefix_fails_the_checksum() {
    let bytes = persist::to_bytes(&toy()).unwrap();
    // Bytes 13..29 are the length fields (a flip there is a length error, tested below).
    for i in 29..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x01;
        let check = check_of(persist::from_bytes::<ToyModel>(&bad).unwrap_err());
        assert_eq!(check, FormatCheck::Checksum, "flipped byte {i}");
    }
}

#[test]
fn corrupted_length_fields_are_rejected() {
    let bytes = persist::to_bytes(&toy()).unwrap();
    for i in 13..29 {
        let mut bad = bytes.clone();
        bad[i] ^= 0x80;
        let check = check_of(persist::from_bytes::<ToyModel>(&bad).unwrap_err());
        assert_eq!(check, FormatCheck::Truncated, "flipped byte {i}");
    }
}

#[test]
fn foreign_files_fail_the_magic_check() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let json = br#"{"coef": [1, 2]}"#;
    let mut garbage = vec![0u8; 4096];
    garbage[0] = 0x42;
    for foreign in [&png[..], &json[..], &garbage[..], b"KILN"] {
        let check = check_of(persist::from_bytes::<ToyModel>(foreign).unwrap_err());
        assert_eq!(check, FormatCheck::Magic);
    }
}

#[test]
fn other_format_versions_are_rejected() {
    let mut bytes = persist::to_bytes(&toy()).unwrap();
    bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&2u32.to_le_bytes());
    let err = persist::from_bytes::<ToyModel>(&bytes).unwrap_err();
    assert!(err.to_string().contains("format version 2"), "{err}");
    assert_eq!(check_of(err), FormatCheck::Version);
}

#[test]
fn wrong_kind_is_rejected_naming_both_kinds() {
    let bytes = persist::to_bytes(&OtherKind { params: () }).unwrap();
    let err = persist::from_bytes::<ToyModel>(&bytes).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("test::ToyModel") && msg.contains("test::OtherKind"),
        "{msg}"
    );
    assert_eq!(check_of(err), FormatCheck::Kind);
}

#[test]
fn other_payload_versions_are_rejected() {
    let newer = ToyModelV2 {
        params: toy().params,
        coef: vec![1.0],
        names: None,
    };
    let bytes = persist::to_bytes(&newer).unwrap();
    let err = persist::from_bytes::<ToyModel>(&bytes).unwrap_err();
    assert_eq!(check_of(err), FormatCheck::PayloadVersion);
}

#[test]
fn undecodable_payload_is_rejected() {
    let bytes = persist::to_bytes(&Impostor {
        params: toy().params,
        weights: vec!["a".into()],
    })
    .unwrap();
    let err = persist::from_bytes::<ToyModel>(&bytes).unwrap_err();
    assert_eq!(check_of(err), FormatCheck::Payload);
}

#[test]
fn schema_is_checked_when_expected() {
    let mut m = toy();
    m.coef.truncate(2);
    m.names = Some(vec!["age".into(), "income".into()]);
    let bytes = persist::to_bytes(&m).unwrap();
    let ok = FeatureSchema::with_names(vec!["age".into(), "income".into()]);
    assert!(persist::from_bytes_with_schema::<ToyModel>(&bytes, &ok).is_ok());
    let unnamed = FeatureSchema::new(2);
    assert!(persist::from_bytes_with_schema::<ToyModel>(&bytes, &unnamed).is_ok());
    let renamed = FeatureSchema::with_names(vec!["age".into(), "debt".into()]);
    let err = persist::from_bytes_with_schema::<ToyModel>(&bytes, &renamed).unwrap_err();
    assert!(err.to_string().contains("`income`"), "{err}");
    assert_eq!(check_of(err), FormatCheck::Schema);
    let err =
        persist::from_bytes_with_schema::<ToyModel>(&bytes, &FeatureSchema::new(3)).unwrap_err();
    assert_eq!(check_of(err), FormatCheck::Schema);
}

#[test]
fn file_loading_checks_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.kiln");
    persist::save(&toy(), &path).unwrap();
    let err = persist::load_with_schema::<ToyModel>(&path, &FeatureSchema::new(4)).unwrap_err();
    assert_eq!(check_of(err), FormatCheck::Schema);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_corruption_never_panics_and_never_loads(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let bytes = persist::to_bytes(&toy()).unwrap();
        let mut bad = bytes.clone();
        for (i, v) in &edits {
            let at = i.index(bad.len());
            bad[at] = *v;
        }
        prop_assume!(bad != bytes);
        prop_assert!(persist::from_bytes::<ToyModel>(&bad).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend_from_slice(&data);
        prop_assert!(persist::from_bytes::<ToyModel>(&data).is_err());
        prop_assert!(persist::from_bytes::<ToyModel>(&with_magic).is_err());
    }
}
