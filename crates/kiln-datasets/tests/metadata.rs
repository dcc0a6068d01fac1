//! The hand-written metadata agrees with `data/datasets.json` and with the embedded CSVs.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap or panic is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use kiln_datasets::{Dataset, DatasetInfo};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn json() -> Value {
    serde_json::from_str(include_str!("../data/datasets.json")).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect(),
        other => panic!("expected a list or null, got {other}"),
    }
}

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every CSV row as a vector of fields, header excluded.
fn rows(set: Dataset) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(set.csv().as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, records)
}

#[test]
fn json_lists_exactly_the_bundled_sets() {
    let doc = json();
    let in_json: BTreeSet<&str> = doc["datasets"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let bundled: BTreeSet<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
    assert_eq!(in_json, bundled);
}

#[test]
fn every_metadata_field_matches_datasets_json() {
    let doc = json();
    for set in Dataset::ALL {
        let info: &DatasetInfo = set.info();
        let j = &doc["datasets"][info.name];
        let name = info.name;
        assert_eq!(j["file"], info.file, "{name}: file");
        assert_eq!(j["sha256"], info.sha256, "{name}: sha256");
        assert_eq!(j["rows"], info.rows, "{name}: rows");
        assert_eq!(j["columns"], info.columns, "{name}: columns");
        assert_eq!(j["task"], info.task.as_str(), "{name}: task");
        assert_eq!(j["target"], info.target, "{name}: target");
        assert_eq!(
            j["positive_class"].as_str(),
            info.positive_class,
            "{name}: positive_class"
        );
        assert_eq!(
            strings(&j["classes"]),
            owned(info.classes),
            "{name}: classes"
        );
        assert_eq!(
            strings(&j["features_numeric"]),
            owned(info.features_numeric),
            "{name}: features_numeric"
        );
        assert_eq!(
            strings(&j["features_categorical"]),
            owned(info.features_categorical),
            "{name}: features_categorical"
        );
        assert_eq!(
            strings(&j["sensitive"]),
            owned(info.sensitive),
            "{name}: sensitive"
        );
        assert_eq!(
            j["missing_cells"], info.missing_cells,
            "{name}: missing_cells"
        );
        let json_missing: BTreeMap<String, u64> = j["missing_by_column"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        let ours: BTreeMap<String, u64> = info
            .missing_by_column
            .iter()
            .map(|&(k, v)| (k.to_owned(), v as u64))
            .collect();
        assert_eq!(json_missing, ours, "{name}: missing_by_column");
        assert_eq!(
            j["duplicate_rows"], info.duplicate_rows,
            "{name}: duplicate_rows"
        );
        assert_eq!(j["source"], info.source, "{name}: source");
        assert_eq!(j["license"], info.license, "{name}: license");
        assert_eq!(j["notes"], info.notes, "{name}: notes");
    }
}

#[test]
fn embedded_csv_bytes_have_the_recorded_sha256() {
    for set in Dataset::ALL {
        let digest = hex(&Sha256::digest(set.csv().as_bytes()));
        assert_eq!(digest, set.info().sha256, "{set}");
    }
}

#[test]
fn embedded_csv_shape_and_header_match_the_metadata() {
    for set in Dataset::ALL {
        let info = set.info();
        let (header, records) = rows(set);
        assert_eq!(header, owned(info.column_names), "{set}: header");
        assert_eq!(header.len(), info.columns, "{set}: column count");
        assert_eq!(records.len(), info.rows, "{set}: row count");
        assert!(records.iter().all(|r| r.len() == info.columns), "{set}");
    }
}

#[test]
fn missing_cells_and_duplicates_counted_from_the_csv_match_the_metadata() {
    for set in Dataset::ALL {
        let info = set.info();
        let (header, records) = rows(set);
        let mut total = 0;
        for (c, column) in header.iter().enumerate() {
            let missing = records.iter().filter(|r| r[c].is_empty()).count();
            assert_eq!(
                missing,
                info.missing_in(column),
                "{set}: missing in {column}"
            );
            total += missing;
        }
        assert_eq!(total, info.missing_cells, "{set}: missing cells");
        let mut seen = HashSet::new();
        let duplicates = records.iter().filter(|&r| !seen.insert(r)).count();
        assert_eq!(duplicates, info.duplicate_rows, "{set}: duplicate rows");
    }
}

#[test]
fn column_roles_partition_the_header() {
    for set in Dataset::ALL {
        let info = set.info();
        let mut roles: Vec<&str> = info
            .features_numeric
            .iter()
            .chain(info.features_categorical)
            .chain(info.sensitive)
            .copied()
            .collect();
        roles.push(info.target);
        let distinct: BTreeSet<&str> = roles.iter().copied().collect();
        assert_eq!(distinct.len(), roles.len(), "{set}: a column has two roles");
        let header: BTreeSet<&str> = info.column_names.iter().copied().collect();
        assert_eq!(distinct, header, "{set}: roles do not cover the header");
    }
}

#[test]
fn target_labels_in_the_csv_are_the_listed_classes() {
    for set in Dataset::ALL {
        let info = set.info();
        if !info.task.is_classification() {
            assert!(info.classes.is_empty() && info.positive_class.is_none());
            continue;
        }
        let labels: BTreeSet<String> = set
            .column_strings(info.target)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(
            labels.into_iter().collect::<Vec<_>>(),
            owned(info.classes),
            "{set}"
        );
        if let Some(p) = info.positive_class {
            assert!(info.classes.contains(&p), "{set}: positive class {p}");
        }
    }
}

#[test]
fn names_round_trip_and_unknown_names_list_the_known_ones() {
    for set in Dataset::ALL {
        assert_eq!(Dataset::from_name(set.name()).unwrap(), set);
        assert_eq!(Dataset::from_name(set.info().file).unwrap(), set);
        assert_eq!(set.to_string().parse::<Dataset>().unwrap(), set);
    }
    assert_eq!(Dataset::from_name("IRIS").unwrap(), Dataset::Iris);
    let err = Dataset::from_name("mnist").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`mnist`") && msg.contains("credit_scoring"),
        "{msg}"
    );
}

#[test]
fn data_readme_keeps_a_source_and_licence_line_for_every_file() {
    let readme = include_str!("../data/README.md");
    for set in Dataset::ALL {
        let info = set.info();
        assert!(readme.contains(info.file), "README lacks {}", info.file);
        assert!(
            readme.contains(info.license),
            "README lacks the licence of {set}"
        );
        assert!(
            readme.contains(info.source),
            "README lacks the source of {set}"
        );
    }
}
