//! Unit tests of the JSON body reader.

use super::*;
use kiln::prep::CsvOptions;

fn schema() -> RowSchema {
    let (frame, _) = CsvOptions::default()
        .read_str("age,job,flag\n30,a,true\n40,b,false\n")
        .unwrap();
    RowSchema::new(&InputSchema::from_frame(&frame, &["age", "job", "flag"]).unwrap())
}

#[test]
fn reads_single_row_batch_and_wrapper_alike() {
    let s = schema();
    let one = frame_from_json(br#"{"age": 30, "job": "a", "flag": true}"#, &s, 10).unwrap();
    let arr = frame_from_json(
        br#"[{"job": "a", "age": 30, "x": [1], "flag": true}]"#,
        &s,
        10,
    )
    .unwrap();
    let wrap = frame_from_json(
        br#"{"rows": [{"age": "30", "job": "a", "flag": "true"}]}"#,
        &s,
        10,
    )
    .unwrap();
    assert_eq!(one, arr);
    assert_eq!(one, wrap);
    assert_eq!(one.n_rows(), 1);
}

#[test]
fn null_and_empty_text_are_missing() {
    let s = schema();
    let f = frame_from_json(br#"[{"age": null, "job": null, "flag": ""}]"#, &s, 10).unwrap();
    assert!(f.column("age").unwrap().is_missing(0));
    assert!(f.column("job").unwrap().is_missing(0));
    assert!(f.column("flag").unwrap().is_missing(0));
}

#[test]
fn errors_name_field_and_row() {
    let s = schema();
    let e = frame_from_json(
        br#"[{"age": 1, "job": "a", "flag": 1}, {"job": "a", "flag": 1}]"#,
        &s,
        10,
    )
    .unwrap_err();
    assert_eq!(
        (e.status, e.field.as_deref(), e.row),
        (422, Some("age"), Some(1))
    );
    let e = frame_from_json(br#"[{"age": "old", "job": "a", "flag": 1}]"#, &s, 10).unwrap_err();
    assert_eq!(
        (e.status, e.field.as_deref(), e.row),
        (422, Some("age"), Some(0))
    );
    let e = frame_from_json(br#"[{"age": 1, "job": "a", "flag": 1}"#, &s, 10).unwrap_err();
    assert_eq!(e.status, 400);
    assert!(e.error.contains("line 1"), "{}", e.error);
    let e = frame_from_json(b"[]", &s, 10).unwrap_err();
    assert_eq!(e.status, 422);
    let e = frame_from_json(b"3", &s, 10).unwrap_err();
    assert_eq!(e.status, 422);
    let rows = br#"[{"age": 1, "job": "a", "flag": 1}, {"age": 1, "job": "a", "flag": 1}]"#;
    assert_eq!(frame_from_json(rows, &s, 1).unwrap_err().status, 413);
}
