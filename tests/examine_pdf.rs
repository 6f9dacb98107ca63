//! End-to-end tests of `leaktrace examine` on PDFs, run against the real
//! binary and the fixtures in `testdata/pdf/` (made by
//! `testdata/pdf/make_fixtures.py`, described with their expected verdicts in
//! `testdata/README.md`).

mod support;

use serde_json::Value;
use support::{examine, leaktrace, sha256_of, warned, warnings};

const DIR: &str = "testdata/pdf";

const JANE: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
const MARY: &str = "Produced 2017-01-19 14:02:11-06:00 by acme.angeltrack.com for user Mary Jones (ID 31) at 70.114.201.66.";

/// One fixture as documented: verdict, the attribution's name, whether it is
/// verified, and the printed name.
struct Fixture {
    name: &'static str,
    verdict: &'static str,
    who: Option<&'static str>,
    verified: bool,
    printed: Option<&'static str>,
}

const fn fixture(
    name: &'static str,
    verdict: &'static str,
    who: Option<&'static str>,
    verified: bool,
    printed: Option<&'static str>,
) -> Fixture {
    Fixture {
        name,
        verdict,
        who,
        verified,
        printed,
    }
}

const ZOE: &str = "Zoë O'Brien-Núñez";

const FIXTURES: &[Fixture] = &[
    fixture(
        "consistent.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture(
        "flate_split.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture("identity_h.pdf", "consistent", Some(ZOE), true, Some(ZOE)),
    fixture(
        "form_xobject.pdf",
        "consistent",
        Some("Mary Jones"),
        true,
        Some("Mary Jones"),
    ),
    fixture(
        "annotation.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture(
        "xmp_only.pdf",
        "metadata_only",
        Some("Mary Jones"),
        false,
        None,
    ),
    fixture(
        "metadata_only.pdf",
        "metadata_only",
        Some("Jane Doe"),
        false,
        None,
    ),
    fixture(
        "reprinted.pdf",
        "visible_only",
        Some("Jane Doe"),
        false,
        Some("Jane Doe"),
    ),
    fixture(
        "mismatch.pdf",
        "mismatch",
        Some("Jane Doe"),
        false,
        Some("Jane Doe"),
    ),
    fixture(
        "rewritten.pdf",
        "mismatch",
        Some("Jane Doe"),
        false,
        Some("Jane Doe"),
    ),
    fixture(
        "stripped.pdf",
        "mismatch",
        Some("Jane Doe"),
        false,
        Some("Jane Doe"),
    ),
    fixture(
        "restamped.pdf",
        "mismatch",
        Some("Jane Doe"),
        false,
        Some("John Smith"),
    ),
    fixture(
        "many_revisions.pdf",
        "mismatch",
        Some("Jane Doe"),
        false,
        Some("Jane Doe"),
    ),
    fixture(
        "retitled.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture(
        "object_stream.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture(
        "owner_only.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture("user_password.pdf", "encrypted", None, false, None),
    fixture("image_only.pdf", "none", None, false, None),
    fixture("truncated.pdf", "damaged", Some("Jane Doe"), false, None),
    fixture(
        "reportlab.pdf",
        "consistent",
        Some("Jane Doe"),
        true,
        Some("Jane Doe"),
    ),
    fixture(
        "reportlab_ttf.pdf",
        "consistent",
        Some(ZOE),
        true,
        Some(ZOE),
    ),
    fixture("fpdf2.pdf", "consistent", Some(ZOE), true, Some(ZOE)),
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
        "encrypted and damaged files are examined, not failures; stderr:\n{stderr}"
    );
    assert_eq!(files.len(), FIXTURES.len());
    for (f, file) in FIXTURES.iter().zip(&files) {
        assert_eq!(file["file"], path(f.name));
        assert_eq!(file["kind"], "pdf", "{}", f.name);
        assert_eq!(file["verdict"], f.verdict, "{}: {file:#}", f.name);
        assert_eq!(
            file["attribution"]["name"].as_str(),
            f.who,
            "{}: {file:#}",
            f.name
        );
        if f.who.is_some() {
            assert_eq!(file["attribution"]["verified"], f.verified, "{}", f.name);
        }
        assert_eq!(
            file["printed_by"]["name"].as_str(),
            f.printed,
            "{}: {file:#}",
            f.name
        );
    }
}

#[test]
fn json_has_the_documented_fields_and_the_file_hash() {
    let file = one(&[&path("consistent.pdf")]);
    let keys: Vec<&str> = file
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "file",
            "sha256",
            "archive_sha256",
            "kind",
            "verdict",
            "attribution",
            "pcrs",
            "signature",
            "records",
            "columns",
            "warnings",
            "printed_by",
            "metadata_statement",
            "metadata",
            "revisions",
            "revision_statements",
            "encrypted",
        ]
    );
    assert_eq!(file["sha256"], sha256_of(&path("consistent.pdf")));
    assert_eq!(
        file["printed_by"],
        serde_json::json!({"name": "Jane Doe", "text": "Printed by: Jane Doe", "pages": [1]})
    );
    assert_eq!(file["metadata_statement"]["text"], JANE);
    assert_eq!(file["metadata_statement"]["parsed"], true);
    assert_eq!(file["attribution"]["text"], JANE);
    assert_eq!(file["attribution"]["user_id"], 16);
    assert_eq!(file["metadata"]["Subject"], JANE);
    assert_eq!(file["metadata"]["CreationDate"], "D:20210701173516Z");
    assert_eq!(file["revisions"], 1);
    assert_eq!(file["encrypted"], false);
    assert_eq!(
        file["revision_statements"][0]["statement"]["name"],
        "Jane Doe"
    );
    assert_eq!(warnings(&file), Vec::<&str>::new());
}

#[test]
fn other_kinds_have_null_pdf_fields() {
    let file = one(&["testdata/grid/plain.csv"]);
    for key in [
        "printed_by",
        "metadata_statement",
        "metadata",
        "revisions",
        "revision_statements",
        "encrypted",
    ] {
        assert_eq!(file[key], Value::Null, "{key}");
    }
}

#[test]
fn split_text_hex_strings_and_custom_keys_are_read() {
    let file = one(&[&path("flate_split.pdf")]);
    assert_eq!(file["printed_by"]["text"], "Printed by: Jane Doe");
    let a = &file["attribution"];
    assert_eq!(a["parsed"], false);
    assert_eq!(a["ip"], "192.168.1.42");
    assert_eq!(a["produced_at"], "2021-07-01T17:35:16Z");
    assert!(
        a["text"].as_str().unwrap().contains("RequestedBy=Jane Doe"),
        "{a}"
    );
    assert_eq!(file["metadata"]["RequestedFrom"], "192.168.1.42");
}

#[test]
fn identity_h_fonts_and_utf16_info_are_decoded() {
    let file = one(&[&path("identity_h.pdf")]);
    assert_eq!(file["printed_by"]["text"], format!("Printed by {ZOE}"));
    assert_eq!(file["metadata"]["Author"], ZOE);
}

#[test]
fn form_xobjects_are_entered_once_and_xmp_is_read() {
    let file = one(&[&path("form_xobject.pdf")]);
    assert_eq!(file["printed_by"]["text"], "Printed by Mary Jones");
    assert!(warned(&file, "draws itself (a cycle)"), "{file:#}");
    assert_eq!(file["metadata"]["xmp:dc:creator"], "Mary Jones");
    assert_eq!(file["attribution"]["ip"], "70.114.201.66");
    assert_eq!(file["attribution"]["produced_at"], "2017-01-19T20:02:11Z");
    let file = one(&[&path("xmp_only.pdf")]);
    assert_eq!(file["metadata"]["xmp:dc:description"], MARY);
    assert_eq!(file["attribution"]["text"], MARY);
    assert_eq!(file["attribution"]["parsed"], true);
}

#[test]
fn annotation_appearances_are_read_unless_hidden() {
    let file = one(&[&path("annotation.pdf")]);
    assert_eq!(file["printed_by"]["text"], "Printed by: Jane Doe");
    assert!(!warned(&file, "Eve"), "{file:#}");
}

#[test]
fn mismatch_names_both() {
    let file = one(&[&path("mismatch.pdf")]);
    assert!(
        warned(
            &file,
            "the printed name (Jane Doe) is not the one in the metadata (Mary Jones)"
        ),
        "{file:#}"
    );
    assert_eq!(file["metadata_statement"]["name"], "Mary Jones");
}

#[test]
fn a_rewritten_info_is_attributed_to_the_earliest_revision() {
    let file = one(&[&path("rewritten.pdf")]);
    assert_eq!(file["revisions"], 2);
    assert_eq!(file["attribution"]["text"], JANE);
    assert_eq!(file["attribution"]["verified"], false);
    assert_eq!(file["metadata_statement"]["name"], "John Smith");
    let revisions = file["revision_statements"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["revision"], 1);
    assert_eq!(revisions[0]["statement"]["name"], "Jane Doe");
    assert_eq!(revisions[0]["changed"], serde_json::json!([]));
    assert_eq!(revisions[1]["statement"]["name"], "John Smith");
    assert_eq!(revisions[1]["changed"], serde_json::json!(["name", "ip"]));
    assert!(
        warned(
            &file,
            "revision 2 changed the metadata's name: Jane Doe → John Smith"
        ),
        "{file:#}"
    );
    assert!(warned(&file, "10.0.0.7"), "{file:#}");
    // The evidence file is never written.
    let before = std::fs::read(path("rewritten.pdf")).unwrap();
    let _ = one(&[&path("rewritten.pdf")]);
    assert_eq!(std::fs::read(path("rewritten.pdf")).unwrap(), before);
}

#[test]
fn stripping_the_info_in_an_update_is_a_change_but_retitling_is_not() {
    let file = one(&[&path("stripped.pdf")]);
    assert_eq!(file["metadata"], serde_json::json!({}));
    assert_eq!(file["metadata_statement"], Value::Null);
    assert_eq!(file["attribution"]["text"], JANE);
    assert_eq!(file["revision_statements"][1]["statement"], Value::Null);
    assert!(
        warned(&file, "changed the metadata's name: Jane Doe → (none)"),
        "{file:#}"
    );
    let file = one(&[&path("retitled.pdf")]);
    assert_eq!(file["revisions"], 2);
    assert_eq!(file["metadata"]["Title"], "Run Report 48213 (copy)");
    assert!(
        warned(
            &file,
            "who, where and when and the printed name stayed the same"
        ),
        "{file:#}"
    );
}

#[test]
fn a_page_restamped_in_an_update_is_caught_by_its_first_revision() {
    let file = one(&[&path("restamped.pdf")]);
    assert_eq!(file["attribution"]["text"], JANE);
    assert_eq!(file["metadata_statement"]["name"], "John Smith");
    let revisions = file["revision_statements"].as_array().unwrap();
    assert_eq!(revisions[0]["printed_by"], "Jane Doe");
    assert_eq!(revisions[1]["printed_by"], "John Smith");
    assert_eq!(
        revisions[1]["changed"],
        serde_json::json!(["name", "ip", "date", "printed_by"])
    );
    assert!(
        warned(
            &file,
            "revision 2 changed the printed name: Jane Doe → John Smith"
        ),
        "{file:#}"
    );
}

#[test]
fn the_earliest_revisions_are_read_when_there_are_too_many() {
    let file = one(&[&path("many_revisions.pdf")]);
    assert_eq!(file["revisions"], 41);
    assert_eq!(file["metadata_statement"]["name"], "Person 40");
    assert_eq!(file["revision_statements"].as_array().unwrap().len(), 33);
    assert_eq!(
        file["revision_statements"][0]["statement"]["name"],
        "Jane Doe"
    );
    assert!(
        warned(
            &file,
            "41 revisions: revisions 33 to 40 were not read one by one"
        ),
        "{file:#}"
    );
}

#[test]
fn owner_only_encryption_opens_by_itself() {
    let file = one(&[&path("owner_only.pdf")]);
    assert_eq!(file["encrypted"], true);
    assert_eq!(file["attribution"]["text"], JANE);
    assert!(warned(&file, "owner password only"), "{file:#}");
}

#[test]
fn a_user_password_hides_everything_until_given() {
    let file = one(&[&path("user_password.pdf")]);
    assert_eq!(file["verdict"], "encrypted");
    assert_eq!(file["encrypted"], true);
    assert_eq!(file["metadata"], serde_json::json!({}));
    assert_eq!(file["printed_by"], Value::Null);
    assert_eq!(file["attribution"], Value::Null);
    assert!(warned(&file, "give --password"), "{file:#}");
    for password in ["secret", "owner-secret"] {
        let file = one(&["--password", password, &path("user_password.pdf")]);
        assert_eq!(file["verdict"], "consistent", "{password}: {file:#}");
        assert_eq!(file["attribution"]["text"], JANE);
        assert_eq!(file["printed_by"]["name"], "Jane Doe");
    }
    let file = one(&["--password", "wrong", &path("user_password.pdf")]);
    assert_eq!(file["verdict"], "encrypted");
    assert!(
        warned(&file, "the password given does not open it"),
        "{file:#}"
    );
    // A password is harmless for files that need none.
    let file = one(&["--password", "wrong", &path("consistent.pdf")]);
    assert_eq!(file["verdict"], "consistent");
}

#[test]
fn image_only_pages_say_there_is_no_text_layer() {
    let file = one(&[&path("image_only.pdf")]);
    assert!(warned(&file, "no text layer"), "{file:#}");
    assert!(warned(&file, "OCR"), "{file:#}");
}

#[test]
fn truncated_files_report_what_was_recovered() {
    let file = one(&[&path("truncated.pdf")]);
    assert_eq!(file["attribution"]["text"], JANE);
    assert_eq!(file["metadata"]["Author"], "Jane Doe");
    assert!(warned(&file, "truncated?"), "{file:#}");
    // Cut anywhere: never a crash, always a report.
    let bytes = std::fs::read(path("consistent.pdf")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cut in [0, 9, 100, 300, 600, bytes.len() - 30] {
        let p = dir.path().join(format!("cut{cut}.pdf"));
        std::fs::write(&p, &bytes[..cut.max(5)]).unwrap();
        let file = one(&["--as", "pdf", p.to_str().unwrap()]);
        assert!(
            [
                "damaged",
                "consistent",
                "none",
                "metadata_only",
                "visible_only"
            ]
            .contains(&file["verdict"].as_str().unwrap()),
            "{cut}: {file:#}"
        );
    }
}

#[test]
fn other_producers_layouts_are_read() {
    // ReportLab: standard fonts without widths, label and name drawn apart,
    // the page number right-aligned on the same baseline (a wide gap).
    let file = one(&[&path("reportlab.pdf")]);
    assert_eq!(
        file["printed_by"]["text"],
        "Printed by: Jane Doe  Page 1 of 2"
    );
    assert_eq!(file["printed_by"]["pages"], serde_json::json!([1, 2]));
    // A TrueType subset with its own codes: only its ToUnicode reads it.
    let file = one(&[&path("reportlab_ttf.pdf")]);
    assert_eq!(
        file["printed_by"]["text"],
        format!("PRINTED BY {ZOE}  on 07/01/2021")
    );
    // fpdf2: cells, Type0 / Identity-H; the IP from a free-text subject.
    let file = one(&[&path("fpdf2.pdf")]);
    assert_eq!(
        file["printed_by"]["text"],
        format!("Printed by:  {ZOE}  Page 1 of 1")
    );
    assert_eq!(file["attribution"]["ip"], "2001:db8::42");
    assert_eq!(file["attribution"]["produced_at"], "2021-07-01T17:35:16Z");
}

#[test]
fn pdfs_are_sniffed_even_after_leading_junk() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("leaked.bin");
    let mut bytes = b"junk a mail gateway left\r\n".to_vec();
    bytes.extend(std::fs::read(path("consistent.pdf")).unwrap());
    std::fs::write(&p, &bytes).unwrap();
    let file = one(&[p.to_str().unwrap()]);
    assert_eq!(file["kind"], "pdf");
    assert_eq!(file["verdict"], "consistent");
    // Forced onto a file that is no PDF: damaged, not a failure.
    let file = one(&["--as", "pdf", "Cargo.toml"]);
    assert_eq!(file["verdict"], "damaged");
    assert!(warned(&file, "not readable as a whole"), "{file:#}");
}

#[test]
fn the_table_shows_pdfs_like_the_other_kinds() {
    let out = leaktrace()
        .args(["examine", &path("rewritten.pdf"), &path("reprinted.pdf")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Jane Doe (ID 16) (unverified)"), "{stdout}");
    assert!(
        stdout.contains("printed, page 1; metadata; 2 revisions"),
        "{stdout}"
    );
    assert!(stdout.contains("visible_only"), "{stdout}");
}
