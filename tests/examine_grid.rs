//! End-to-end tests of `leaktrace examine` on grid exports (CSV, as exported
//! and as re-saved by Excel, and XLSX), run against the real binary and the
//! fixtures in `testdata/grid/` (made by `testdata/grid/make_fixtures.py`,
//! described with their expected verdicts in `testdata/README.md`).

mod support;

use serde_json::Value;
use support::{examine, json_array, leaktrace, sha256_of, warned, warnings};

const DIR: &str = "testdata/grid";

const JANE: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
const ZOE: &str = "Produced 2021-07-01 12:35:16-05:00 by acme.angeltrack.com for user Zoë O'Brien-Núñez (ID 7) at 2001:db8::42.";
const RENEE: &str = "Produced 2021-07-02 08:05:00+02:00 by acme.angeltrack.com for user Renée Dupré (ID 23) at 192.168.1.77.";
const MARY: &str = "Produced 2017-01-19 14:02:11-06:00 by acme.angeltrack.com for user Mary Jones (ID 31) at 70.114.201.66.";

/// Where a signature is: row, column, and for XLSX sheet and cell.
type Place = (u64, u64, Option<&'static str>, Option<&'static str>);

/// One fixture as documented: kind, verdict, the signature's place and text,
/// and whether it has warnings.
struct Fixture {
    name: &'static str,
    kind: &'static str,
    verdict: &'static str,
    signature: Option<(Place, &'static str)>,
    warnings: bool,
}

const fn fixture(
    name: &'static str,
    kind: &'static str,
    verdict: &'static str,
    signature: Option<(Place, &'static str)>,
    warnings: bool,
) -> Fixture {
    Fixture {
        name,
        kind,
        verdict,
        signature,
        warnings,
    }
}

const FIXTURES: &[Fixture] = &[
    fixture(
        "plain.csv",
        "csv",
        "signed",
        Some(((5, 7, None, None), JANE)),
        false,
    ),
    fixture(
        "quoted.csv",
        "csv",
        "signed",
        Some(((5, 6, None, None), JANE)),
        false,
    ),
    fixture(
        "crlf_bom.csv",
        "csv",
        "signed",
        Some(((4, 5, None, None), ZOE)),
        false,
    ),
    fixture(
        "excel_eu.csv",
        "csv",
        "signed",
        Some(((5, 6, None, None), RENEE)),
        true,
    ),
    fixture(
        "unicode_text.txt",
        "csv",
        "signed",
        Some(((4, 6, None, None), JANE)),
        false,
    ),
    fixture(
        "trailing_rows.csv",
        "csv",
        "signed",
        Some(((5, 7, None, None), JANE)),
        false,
    ),
    fixture(
        "padding.csv",
        "csv",
        "signed",
        Some(((4, 5, None, None), JANE)),
        false,
    ),
    fixture(
        "resorted.csv",
        "csv",
        "signed_moved",
        Some(((3, 7, None, None), JANE)),
        true,
    ),
    fixture("unsigned.csv", "csv", "none", None, false),
    fixture(
        "notes_beyond.csv",
        "csv",
        "signed",
        Some(((5, 7, None, None), JANE)),
        true,
    ),
    fixture(
        "damaged_quote.csv",
        "csv",
        "damaged",
        Some(((5, 7, None, None), JANE)),
        true,
    ),
    fixture(
        "damaged_utf16.txt",
        "csv",
        "damaged",
        Some(((4, 6, None, None), JANE)),
        true,
    ),
    fixture(
        "signed.xlsx",
        "xlsx",
        "signed",
        Some(((5, 10, Some("Patients"), Some("J5")), JANE)),
        false,
    ),
    fixture(
        "two_sheets.xlsx",
        "xlsx",
        "signed",
        Some(((4, 29, Some("Export"), Some("AC4")), MARY)),
        false,
    ),
    fixture(
        "resorted.xlsx",
        "xlsx",
        "signed_moved",
        Some(((3, 10, Some("Sheet1"), Some("J3")), JANE)),
        true,
    ),
    fixture("unsigned.xlsx", "xlsx", "none", None, false),
    fixture("empty.xlsx", "xlsx", "none", None, true),
    fixture("bomb.xlsx", "xlsx", "damaged", None, true),
    fixture("truncated.xlsx", "xlsx", "damaged", None, true),
];

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// Examines one file; requires exit 0.
fn one(args: &[&str]) -> Value {
    let (code, files, stderr) = examine(args);
    assert_eq!(code, Some(0), "{args:?}: exit status; stderr:\n{stderr}");
    assert_eq!(files.len(), 1, "{args:?}");
    files[0].clone()
}

#[test]
fn every_fixture_has_its_documented_verdict() {
    let args: Vec<String> = FIXTURES.iter().map(|f| path(f.name)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, files, stderr) = examine(&args);
    assert_eq!(
        code,
        Some(0),
        "damaged files are examined, not failures; stderr:\n{stderr}"
    );
    assert_eq!(files.len(), FIXTURES.len());
    for (file, f) in files.iter().zip(FIXTURES) {
        let name = f.name;
        assert_eq!(file["file"], path(name));
        assert_eq!(
            file["kind"], f.kind,
            "{name} is recognised from its content"
        );
        assert_eq!(file["verdict"], f.verdict, "{name}: {file}");
        let (s, a) = (&file["signature"], &file["attribution"]);
        match f.signature {
            Some(((row, column, sheet, cell), text)) => {
                assert_eq!(s["row"], row, "{name}");
                assert_eq!(s["column"], column, "{name}");
                assert_eq!(s["sheet"], sheet.map_or(Value::Null, Value::from), "{name}");
                assert_eq!(s["cell"], cell.map_or(Value::Null, Value::from), "{name}");
                assert_eq!(s["text"], text, "{name}");
                assert_eq!(a["text"], text, "{name}");
                assert_eq!(a["parsed"], true, "{name}");
                assert_eq!(a["verified"], f.verdict == "signed", "{name}");
            }
            None => {
                assert!(s.is_null(), "{name}: {s}");
                assert!(a.is_null(), "{name}: {a}");
            }
        }
        assert_eq!(
            !warnings(file).is_empty(),
            f.warnings,
            "{name}: {:?}",
            warnings(file)
        );
    }
}

#[test]
fn json_has_the_documented_fields_and_the_file_hash() {
    let file = one(&[&path("signed.xlsx")]);
    for key in [
        "file",
        "sha256",
        "kind",
        "verdict",
        "attribution",
        "signature",
        "warnings",
    ] {
        assert!(file.get(key).is_some(), "{key} missing in {file}");
    }
    assert_eq!(file["sha256"], sha256_of(&path("signed.xlsx")));
    let keys: Vec<&str> = file["signature"]
        .as_object()
        .expect("signature is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["text", "row", "column", "sheet", "cell"]);
    let a = &file["attribution"];
    assert_eq!(a["name"], "Jane Doe");
    assert_eq!(a["user_id"], 16);
    assert_eq!(a["ip"], "192.168.1.42");
    assert_eq!(a["host"], "acme.angeltrack.com");
    assert_eq!(a["produced_at"], "2021-07-01T17:35:16Z");
    assert_eq!(a["verified"], true);
}

#[test]
fn csv_signature_has_no_sheet_or_cell() {
    let file = one(&[&path("plain.csv")]);
    assert_eq!(file["signature"]["sheet"], Value::Null);
    assert_eq!(file["signature"]["cell"], Value::Null);
    assert_eq!(warnings(&file), Vec::<&str>::new());
}

#[test]
fn rows_count_records_not_physical_lines() {
    let bytes = std::fs::read(path("quoted.csv")).expect("fixture");
    assert_eq!(
        bytes.iter().filter(|&&b| b == b'\n').count(),
        8,
        "8 physical lines"
    );
    let file = one(&[&path("quoted.csv")]);
    assert_eq!(file["signature"]["row"], 5, "5 records");
}

#[test]
fn european_excel_and_unicode_text_are_decoded() {
    let file = one(&[&path("excel_eu.csv")]);
    assert_eq!(file["attribution"]["name"], "Renée Dupré");
    assert_eq!(file["attribution"]["produced_at"], "2021-07-02T06:05:00Z");
    assert!(warned(&file, "Windows-1252"), "{:?}", warnings(&file));
    let file = one(&[&path("unicode_text.txt")]);
    assert_eq!(file["kind"], "csv");
    assert_eq!(file["verdict"], "signed");
    let file = one(&[&path("crlf_bom.csv")]);
    assert_eq!(file["attribution"]["name"], "Zoë O'Brien-Núñez");
    assert_eq!(file["attribution"]["ip"], "2001:db8::42");
}

#[test]
fn moved_signatures_say_where_and_why() {
    let file = one(&[&path("resorted.csv")]);
    assert!(
        warned(&file, "row 3, but the final data row is 7"),
        "{:?}",
        warnings(&file)
    );
    let file = one(&[&path("resorted.xlsx")]);
    assert!(
        warned(&file, "sheet 'Sheet1': the signature is in row 3"),
        "{:?}",
        warnings(&file)
    );
    assert_eq!(file["attribution"]["verified"], false);
}

#[test]
fn other_text_beyond_the_header_is_warned() {
    let file = one(&[&path("notes_beyond.csv")]);
    assert!(
        warned(
            &file,
            "2 rows have text beyond the header's 6 columns (rows 3, 5); reported row 5"
        ),
        "{:?}",
        warnings(&file)
    );
}

#[test]
fn damaged_files_report_what_could_be_read() {
    let file = one(&[&path("damaged_quote.csv")]);
    assert!(
        warned(&file, "unterminated quote at line 3 (row 3)"),
        "{:?}",
        warnings(&file)
    );
    assert_eq!(file["attribution"]["verified"], false);
    let file = one(&[&path("damaged_utf16.txt")]);
    assert!(warned(&file, "invalid UTF-16LE"), "{:?}", warnings(&file));
    let file = one(&[&path("bomb.xlsx")]);
    assert!(warned(&file, "declares 600 MiB"), "{:?}", warnings(&file));
    let file = one(&[&path("truncated.xlsx")]);
    assert!(
        warned(&file, "not a readable XLSX workbook"),
        "{:?}",
        warnings(&file)
    );
}

#[test]
fn empty_workbook_is_none() {
    let file = one(&[&path("empty.xlsx")]);
    assert_eq!(file["verdict"], "none");
    assert!(
        warned(&file, "every sheet is empty"),
        "{:?}",
        warnings(&file)
    );
}

#[test]
fn as_forces_the_kind() {
    let file = one(&["--as", "xlsx", &path("plain.csv")]);
    assert_eq!(file["kind"], "xlsx");
    assert_eq!(file["verdict"], "damaged");
    let file = one(&["--as", "csv", &path("plain.csv")]);
    assert_eq!(
        (&file["kind"], &file["verdict"]),
        (&Value::from("csv"), &Value::from("signed"))
    );
}

#[test]
fn stdin_is_examined_by_content() {
    let bytes = std::fs::read(path("unicode_text.txt")).expect("fixture");
    let out = leaktrace()
        .args(["--format", "json", "examine", "-"])
        .write_stdin(bytes)
        .output()
        .expect("leaktrace runs");
    let (code, files, stderr) = json_array(out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(files[0]["kind"], "csv");
    assert_eq!(files[0]["signature"]["row"], 4);
}

#[test]
fn a_file_of_no_known_kind_fails_the_run_but_not_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let odd = dir.path().join("blob.bin");
    std::fs::write(&odd, b"\x00\x01\x02\x03binary").expect("write");
    let odd = odd.to_str().expect("UTF-8 path");
    let (code, files, stderr) = examine(&[odd, &path("signed.xlsx")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["verdict"], "signed");
    assert!(stderr.contains("blob.bin"), "{stderr}");
}
