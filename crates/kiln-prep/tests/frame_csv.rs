//! Reading CSV into a Frame, describing it, writing it back, and cleaning it, checked on the
//! bundled real data sets against their published metadata and on hand-made edge cases.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: failing the test is their job"
)]

use kiln_core::Error;
use kiln_datasets::Dataset;
use kiln_prep::{Column, ColumnType, CsvOptions, Frame, Keep};

fn read(text: &str) -> Frame {
    CsvOptions::default().read_str(text).unwrap().0
}

fn parse_error(
    r: kiln_core::Result<(Frame, kiln_prep::ReadReport)>,
) -> (u64, Option<usize>, String) {
    match r {
        Err(Error::Parse {
            line,
            column,
            reason,
            ..
        }) => (line, column, reason),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn every_bundled_data_set_reads_with_its_published_shape_and_missing_counts() {
    for ds in Dataset::ALL {
        let info = ds.info();
        let (frame, report) = CsvOptions::default().read_str(ds.csv()).unwrap();
        assert_eq!(frame.shape(), (info.rows, info.columns), "{}", info.name);
        assert_eq!(report.rows, info.rows);
        assert_eq!(report.passes, 1, "{}: {report:?}", info.name);
        assert_eq!(frame.names(), info.column_names, "{}", info.name);
        for name in frame.names() {
            let col = frame.column(name).unwrap();
            assert_eq!(
                col.n_missing(),
                info.missing_in(name),
                "{}.{name}",
                info.name
            );
        }
        for name in info.features_numeric {
            assert!(
                frame.column(name).unwrap().column_type().is_numeric(),
                "{}.{name} should be numeric",
                info.name
            );
        }
        for name in info.features_categorical {
            assert_eq!(
                frame.column(name).unwrap().column_type(),
                ColumnType::Categorical,
                "{}.{name}",
                info.name
            );
        }
    }
}

#[test]
fn penguins_types_values_and_describe_match_pandas() {
    let frame = read(Dataset::Penguins.csv());
    assert_eq!(frame.column("year").unwrap().column_type(), ColumnType::Int);
    assert_eq!(
        frame.column("bill_length_mm").unwrap().column_type(),
        ColumnType::Float
    );
    let d = frame.describe();
    let bill = d
        .columns
        .iter()
        .find(|c| c.name == "bill_length_mm")
        .unwrap();
    // pandas 3.1.1 (read_csv with keep_default_na=False, na_values=['']):
    // count 342, mean 43.9219298245614, std 5.4595837139265315, min 32.1, max 59.6.
    assert_eq!((bill.count, bill.missing), (342, 2));
    let s = bill.numeric.unwrap();
    assert!((s.mean - 43.921_929_824_561_4).abs() < 1e-9, "{s:?}");
    assert!((s.std - 5.459_583_713_926_532).abs() < 1e-9, "{s:?}");
    assert_eq!((s.min, s.max), (32.1, 59.6));
    let species = d.columns.iter().find(|c| c.name == "species").unwrap();
    assert_eq!(species.unique, 3);
    assert_eq!(species.top[0], ("Adelie".to_string(), 152));
    let sex = d.columns.iter().find(|c| c.name == "sex").unwrap();
    assert_eq!((sex.count, sex.missing, sex.unique), (333, 11, 2));
}

#[test]
fn chunk_and_block_sizes_do_not_change_the_result() {
    let text = Dataset::CreditScoring.csv();
    let whole = read(text);
    let opts = CsvOptions {
        chunk_bytes: 777,
        block_bytes: 10_000,
        infer_rows: 50,
        ..CsvOptions::default()
    };
    let (small, _) = opts.read_str(text).unwrap();
    assert_eq!(whole, small);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credit.csv");
    std::fs::write(&path, text).unwrap();
    let (from_file, _) = opts.read_path(&path).unwrap();
    assert_eq!(whole, from_file);
}

#[test]
fn quoted_fields_keep_separators_quotes_and_newlines() {
    let text = "name,note,x\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\",1.5\nLee,plain,2\n";
    for chunk in [1, 5, 1 << 20] {
        let opts = CsvOptions {
            chunk_bytes: chunk,
            ..CsvOptions::default()
        };
        let (f, _) = opts.read_str(text).unwrap();
        let name = f.column("name").unwrap().as_categorical().unwrap();
        assert_eq!(name.get(0), Some("Smith, J"));
        let note = f.column("note").unwrap().as_categorical().unwrap();
        assert_eq!(note.get(0), Some("said \"hi\"\nthen left"));
        assert_eq!(f.column("x").unwrap().as_numeric().unwrap(), &[1.5, 2.0]);
    }
}

#[test]
fn a_quote_never_closed_is_an_error_at_its_line_not_one_long_field() {
    // Issue #12 (found by the CLI tests): the csv crate reads the rest of the file into the
    // open field; pandas and Python's csv module report it.
    let text = "a,b\n1,2\n3,\"4\n5,6\n";
    let e = CsvOptions::default().read_str(text).unwrap_err();
    assert!(matches!(e, kiln_core::Error::Parse { line: 3, .. }), "{e}");
    assert!(e.to_string().contains("never closed"), "{e}");
    // A quote inside an unquoted field is a literal character, as in the csv crate.
    let (f, _) = CsvOptions::default()
        .read_str("size,n\n12\" pizza,1\n")
        .unwrap();
    let size = f.column("size").unwrap().as_categorical().unwrap();
    assert_eq!(size.get(0), Some("12\" pizza"));
}

#[test]
fn a_literal_quote_in_an_unquoted_field_does_not_move_record_boundaries() {
    // Found by probing: the block and chunk splitters flipped a quote flag on every `"`,
    // so `5"6` (a literal quote) made them cut inside the real quoted field that follows,
    // and the halves parsed "cleanly" into wrong rows. pandas reads 2 rows:
    // {'a': [1, 2], 'b': ['5"6', 'x\n3,z']}.
    let text = "a,b\n1,5\"6\n2,\"x\n3,z\"\n";
    for (chunk, block) in [(1, 1), (1, 6), (3, 9), (1 << 20, 1 << 20)] {
        let opts = CsvOptions {
            chunk_bytes: chunk,
            block_bytes: block,
            ..CsvOptions::default()
        };
        let (f, _) = opts.read_str(text).unwrap();
        assert_eq!(f.shape(), (2, 2), "chunk {chunk}, block {block}");
        assert_eq!(f.column("a").unwrap().as_numeric().unwrap(), &[1.0, 2.0]);
        let b = f.column("b").unwrap().as_categorical().unwrap();
        assert_eq!(b.get(0), Some("5\"6"));
        assert_eq!(b.get(1), Some("x\n3,z"));
    }
    // The same with many multi-line quoted fields after the literal quote.
    let mut text = String::from("a,b\n1,5\"6\n");
    for i in 0..10 {
        text.push_str(&format!("{i},\"line\nbreak\"\n"));
    }
    for (chunk, block) in [(1, 1), (7, 13), (1 << 20, 1 << 20)] {
        let opts = CsvOptions {
            chunk_bytes: chunk,
            block_bytes: block,
            ..CsvOptions::default()
        };
        let (f, _) = opts.read_str(&text).unwrap();
        assert_eq!(f.shape(), (11, 2), "chunk {chunk}, block {block}");
        let b = f.column("b").unwrap().as_categorical().unwrap();
        assert_eq!(b.get(10), Some("line\nbreak"));
    }
}

#[test]
fn the_header_is_never_read_as_data() {
    // A literal quote in a header name (pandas: {'a"b': [1, 3], 'c': [2, 4]}).
    let (f, _) = CsvOptions::default()
        .read_str("a\"b,c\n1,2\n3,4\n")
        .unwrap();
    assert_eq!(f.names(), &["a\"b", "c"]);
    assert_eq!(f.column("c").unwrap().as_numeric().unwrap(), &[2.0, 4.0]);
    // A header longer than a read block.
    let mut text = String::from("first_column_name,second_column_name\n");
    for i in 0..50 {
        text.push_str(&format!("{i},{}\n", i * 2));
    }
    let opts = CsvOptions {
        block_bytes: 4,
        chunk_bytes: 1,
        ..CsvOptions::default()
    };
    let (f, _) = opts.read_str(&text).unwrap();
    assert_eq!(f.shape(), (50, 2));
    assert_eq!(
        f.column("first_column_name").unwrap().column_type(),
        ColumnType::Int
    );
}

#[test]
fn options_that_cannot_be_told_apart_are_invalid_parameters() {
    let bad = [
        CsvOptions {
            quote: b',',
            ..CsvOptions::default()
        },
        CsvOptions::default().with_delimiter(b'\n'),
        CsvOptions {
            quote: b'\r',
            ..CsvOptions::default()
        },
    ];
    for opts in bad {
        let e = opts.read_str("a,b\n1,2\n").unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    }
    // A directory is an I/O error naming the path, not a parse error.
    let dir = tempfile::tempdir().unwrap();
    let e = CsvOptions::default().read_path(dir.path()).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
}

#[test]
fn minus_zero_reads_as_negative_zero_either_way() {
    let f = read("x\n-0\n-0.0\n1.5\n");
    let x = f.column("x").unwrap().as_numeric().unwrap();
    assert!(x[0] == 0.0 && x[0].is_sign_negative());
    assert!(x[1] == 0.0 && x[1].is_sign_negative());
}

#[test]
fn missing_is_the_empty_field_and_markers_are_opt_in() {
    let text = "city,n\nNA,1\nNone,\nOslo,3\n";
    let f = read(text);
    let city = f.column("city").unwrap().as_categorical().unwrap();
    assert_eq!(city.levels(), &["NA", "None", "Oslo"]);
    assert_eq!(f.column("n").unwrap().n_missing(), 1);
    let (f, _) = CsvOptions::default()
        .with_na_values(["NA"])
        .read_str(text)
        .unwrap();
    assert_eq!(f.column("city").unwrap().n_missing(), 1);
}

#[test]
fn integers_booleans_and_widening() {
    let f = read("i,b,mixed,big\n1,true,1,9007199254740993\n-2,FALSE,2.5,1\n,True,3,2\n");
    assert_eq!(f.column("i").unwrap().column_type(), ColumnType::Int);
    assert_eq!(f.column("b").unwrap().column_type(), ColumnType::Bool);
    assert_eq!(
        f.column("b").unwrap().as_numeric().unwrap(),
        &[1.0, 0.0, 1.0]
    );
    assert_eq!(f.column("mixed").unwrap().column_type(), ColumnType::Float);
    // An integer beyond 2^53 cannot be held exactly: an identifier, read as text.
    assert_eq!(
        f.column("big").unwrap().column_type(),
        ColumnType::Categorical
    );
}

#[test]
fn a_late_text_value_retypes_the_column_with_a_second_pass() {
    let mut text = String::from("id,x\n");
    for i in 0..100 {
        text.push_str(&format!("{i},{}.5\n", i % 7));
    }
    text.push_str("100,unknown\n");
    let (f, report) = CsvOptions::default()
        .with_infer_rows(10)
        .read_str(&text)
        .unwrap();
    assert_eq!(
        f.column("x").unwrap().column_type(),
        ColumnType::Categorical
    );
    assert_eq!(report.passes, 2);
    assert_eq!(
        report.retyped,
        vec![("x".into(), 102, "unknown".into(), ColumnType::Float)]
    );
    // The earlier values keep their exact text.
    let x = f.column("x").unwrap().as_categorical().unwrap();
    assert_eq!(x.get(0), Some("0.5"));
    // A decimal after the sample widens an int column to float, without a second pass.
    let mut text = String::from("n\n");
    for i in 0..50 {
        text.push_str(&format!("{i}\n"));
    }
    text.push_str("2.25\n");
    let (f, report) = CsvOptions::default()
        .with_infer_rows(5)
        .read_str(&text)
        .unwrap();
    assert_eq!(f.column("n").unwrap().column_type(), ColumnType::Float);
    assert_eq!(report.passes, 1);
}

#[test]
fn given_types_are_strict_unless_lenient() {
    let text = "a,b\n1,x\n2,?\n3,4\n";
    let opts = CsvOptions::default().with_type("b", ColumnType::Float);
    let (line, column, reason) = parse_error(opts.read_str(text));
    assert_eq!((line, column), (2, Some(2)));
    assert!(
        reason.contains("`x` is not a valid float value"),
        "{reason}"
    );
    let (f, report) = opts.clone().with_lenient(true).read_str(text).unwrap();
    assert_eq!(f.column("b").unwrap().n_missing(), 2);
    assert_eq!(report.unparsed, vec![("b".to_string(), 2)]);
    let (f, _) = CsvOptions::default()
        .with_type("a", ColumnType::Categorical)
        .read_str(text)
        .unwrap();
    assert_eq!(
        f.column("a").unwrap().column_type(),
        ColumnType::Categorical
    );
}

#[test]
fn malformed_input_gets_line_and_field() {
    let (line, _, reason) = parse_error(CsvOptions::default().read_str("a,b\n1,2\n3\n4,5\n"));
    assert_eq!(line, 3);
    assert!(reason.contains("expected 2 fields, found 1"), "{reason}");
    let (line, _, _) = parse_error(CsvOptions::default().read_str(""));
    assert_eq!(line, 1);
    let (_, _, reason) = parse_error(CsvOptions::default().read_str("a,b\n"));
    assert!(reason.contains("no data rows"), "{reason}");
    let (line, column, reason) = parse_error(CsvOptions::default().read_str("a,b,a\n1,2,3\n"));
    assert_eq!((line, column), (1, Some(3)));
    assert!(reason.contains("duplicate column name `a`"), "{reason}");
    let bad_utf8 = b"name,x\nok,1\n\xff\xfe,2\n";
    let (line, column, reason) = parse_error(CsvOptions::default().read_reader(&bad_utf8[..]));
    assert_eq!((line, column), (3, Some(1)));
    assert!(reason.contains("UTF-8"), "{reason}");
    let err = CsvOptions::default()
        .with_type("nope", ColumnType::Float)
        .read_str("a\n1\n")
        .unwrap_err();
    assert!(err.to_string().contains("`nope`"), "{err}");
    let err = CsvOptions::default()
        .read_path("/no/such/file.csv")
        .unwrap_err();
    assert!(matches!(err, Error::Io { path: Some(_), .. }));
}

#[test]
fn write_then_read_gives_the_same_frame() {
    for ds in [
        Dataset::Penguins,
        Dataset::GermanCredit,
        Dataset::CreditScoring,
    ] {
        let f = read(ds.csv());
        let mut out = Vec::new();
        f.write_csv(&mut out).unwrap();
        let back = CsvOptions::default().read_reader(&out[..]).unwrap().0;
        assert_eq!(f, back, "{}", ds.name());
    }
    // The bundled files are already in canonical form: writing reproduces them byte for byte.
    let f = read(Dataset::Iris.csv());
    let mut out = Vec::new();
    f.write_csv(&mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), Dataset::Iris.csv());
}

#[test]
fn an_infinite_value_is_not_written_where_it_would_read_back_as_text() {
    let f = Frame::new(vec![
        ("a".to_owned(), Column::Float(vec![1.0, 2.5, f64::NAN])),
        (
            "b".to_owned(),
            Column::Float(vec![0.5, f64::NEG_INFINITY, 1.0]),
        ),
    ])
    .unwrap();
    let mut out = Vec::new();
    let err = f.write_csv(&mut out).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(1), ref what, .. } if what.contains("`b`")),
        "{err}"
    );
    assert!(out.is_empty(), "nothing is written");
    // NaN is a missing value: written empty, read back missing.
    let g = Frame::new(vec![(
        "a".to_owned(),
        Column::Float(vec![1.0, f64::NAN, 2.0]),
    )])
    .unwrap();
    let mut out = Vec::new();
    g.write_csv(&mut out).unwrap();
    // (A lone empty field is quoted, so the line is not blank.)
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        "a\n1.0\n\"\"\n2.0\n"
    );
    let back = CsvOptions::default().read_reader(&out[..]).unwrap().0;
    assert_eq!(back.column("a").unwrap().n_missing(), 1);
    assert_eq!(back.n_rows(), 3);
}

#[test]
fn duplicates_match_the_published_counts() {
    // datasets.json: iris has 1 duplicate row, credit_scoring 2, penguins 0.
    for (ds, expected) in [
        (Dataset::Iris, 1),
        (Dataset::CreditScoring, 2),
        (Dataset::Penguins, 0),
        (Dataset::GermanCredit, 0),
    ] {
        let f = read(ds.csv());
        let (deduped, report) = f.drop_duplicates::<&str>(None, Keep::First).unwrap();
        assert_eq!(report.removed, expected, "{}", ds.name());
        assert_eq!(deduped.n_rows(), f.n_rows() - expected);
        assert_eq!(ds.info().duplicate_rows, expected);
    }
}

#[test]
fn duplicates_keep_first_or_last_and_compare_missing_as_equal() {
    let f = read("k,v\na,1\nb,\na,1\nb,\nc,0.0\nc,-0.0\n");
    assert_eq!(
        f.duplicated::<&str>(None, Keep::First).unwrap(),
        vec![false, false, true, true, false, true]
    );
    assert_eq!(
        f.duplicated::<&str>(None, Keep::Last).unwrap(),
        vec![true, true, false, false, true, false]
    );
    let (_, report) = f.drop_duplicates(Some(&["k"]), Keep::Last).unwrap();
    assert_eq!(report.kept, vec![2, 3, 5]);
    assert!(f.duplicated(Some(&["zzz"]), Keep::First).is_err());
    // No columns to compare is an error, not "every row repeats the first" (pandas raises too).
    let none: &[&str] = &[];
    let err = f.drop_duplicates(Some(none), Keep::First).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidValue { reason, .. } if reason.contains("no columns")),
        "{err}"
    );
}

#[test]
fn missing_report_and_drops() {
    let f = read(Dataset::CreditScoring.csv());
    let r = f.missing_report();
    let income = r.columns.iter().find(|c| c.0 == "income").unwrap();
    assert_eq!(income.1, Dataset::CreditScoring.info().missing_in("income"));
    let (clean, removed) = f.drop_missing_rows::<&str>(None).unwrap();
    assert_eq!(removed, r.rows_with_missing);
    assert_eq!(clean.missing_report().rows_with_missing, 0);
    let (_, dropped) = f.drop_columns_missing_over(0.05).unwrap();
    let expected: Vec<String> = r
        .columns
        .iter()
        .filter(|c| c.2 > 0.05)
        .map(|c| c.0.clone())
        .collect();
    assert_eq!(dropped, expected);
    assert!(f.drop_columns_missing_over(1.5).is_err());
}

#[test]
fn frame_rejects_ragged_columns_and_duplicate_names() {
    let err = Frame::new(vec![
        ("a".into(), Column::Float(vec![1.0, 2.0])),
        ("b".into(), Column::Float(vec![1.0])),
    ])
    .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }));
    let err = Frame::new(vec![
        ("a".into(), Column::Float(vec![1.0])),
        ("a".into(), Column::Float(vec![1.0])),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("`a` appears twice"));
    let f = read("a,b\n1,x\n");
    assert!(f.to_array(&["b"]).is_err());
    assert!(f.take_rows(&[3]).is_err());
}

#[test]
fn errors_in_later_blocks_name_their_line_and_the_first_one_wins() {
    // 2,000 records over many small blocks; bad values on data records 1,500 and 1,800.
    let mut text = String::from("a,b\n");
    for i in 0..2000 {
        let b = if i == 1500 || i == 1800 {
            "oops".to_string()
        } else {
            format!("{}.25", i)
        };
        text.push_str(&format!("{i},{b}\n"));
    }
    let opts = CsvOptions {
        chunk_bytes: 300,
        block_bytes: 1000,
        ..CsvOptions::default()
    }
    .with_type("b", ColumnType::Float);
    let err = opts.read_str(&text).unwrap_err();
    // The header is line 1, so data record i is on line i + 2.
    assert!(
        matches!(
            err,
            Error::Parse {
                line: 1502,
                column: Some(2),
                ..
            }
        ),
        "{err}"
    );
    let (f, report) = opts.with_lenient(true).read_str(&text).unwrap();
    assert_eq!(f.n_rows(), 2000);
    assert_eq!(report.unparsed, vec![("b".to_string(), 2)]);
}

#[test]
fn a_numeric_missing_marker_is_missing_not_a_number() {
    let text = "x,y\n-999,1.5\n2.5,-999\n3,4\n";
    let (f, _) = CsvOptions::default()
        .with_na_values(["-999"])
        .read_str(text)
        .unwrap();
    assert_eq!(f.column("x").unwrap().n_missing(), 1);
    assert_eq!(f.column("y").unwrap().n_missing(), 1);
    assert_eq!(f.column("x").unwrap().as_numeric().unwrap()[1], 2.5);
}

#[test]
fn lone_carriage_returns_end_lines_as_newlines_do() {
    // Classic Mac OS line ends: the same frame as with `\n` and `\r\n`, from a string and a
    // file, and a parse error still names the right line.
    let lf = "name,x\nada,1.5\n\"b, c\",2\nlee,\n";
    let want = read(lf);
    assert_eq!(want.shape(), (3, 2));
    for text in [lf.replace('\n', "\r"), lf.replace('\n', "\r\n")] {
        assert_eq!(read(&text), want, "{text:?}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mac.csv");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(CsvOptions::default().read_path(&path).unwrap().0, want);
    }
    let bad = "a,b\r1,2\r3\r";
    let (line, _, reason) = parse_error(CsvOptions::default().read_str(bad));
    assert_eq!(line, 3, "{reason}");
}
