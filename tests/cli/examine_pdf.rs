//! End-to-end tests of `leaktrace examine` on PDFs, run against the real
//! binary and the fixtures in `testdata/pdf/` (made by
//! `testdata/pdf/make_fixtures.py`, described with their expected verdicts in
//! `testdata/README.md`).

use crate::support::{examine, leaktrace, sha256_of, warned, warnings};
use serde_json::Value;

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
    // Wide enough for every column (at 80, Where is left out).
    let out = leaktrace()
        .args(["examine", &path("rewritten.pdf"), &path("reprinted.pdf")])
        .env("COLUMNS", "200")
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

/// A one-page PDF written byte by byte: the stamp (if any) in the page
/// content, the Info entries given (literal strings), an XMP packet (if any).
fn hand_made_pdf(stamp: Option<&str>, info: &[(&str, &str)], xmp: Option<&str>) -> Vec<u8> {
    fn literal(s: &str) -> String {
        s.replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    }
    let content = stamp
        .map(|s| format!("BT /F1 12 Tf 72 720 Td ({}) Tj ET", literal(s)))
        .unwrap_or_default();
    let xmp = xmp.unwrap_or_default();
    let info: String = info
        .iter()
        .map(|(k, v)| format!(" /{k} ({})", literal(v)))
        .collect();
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        format!(
            "<< /Type /Metadata /Subtype /XML /Length {} >>\nstream\n{xmp}\nendstream",
            xmp.len()
        ),
        format!("<<{info} >>"),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

/// An XMP packet with the given `acme:` properties.
fn xmp_with(properties: &[(&str, &str)]) -> String {
    let body: String = properties
        .iter()
        .map(|(k, v)| format!("<acme:{k}>{v}</acme:{k}>"))
        .collect();
    format!(
        r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:acme="http://acme.example/ns/">{body}</rdf:Description></rdf:RDF></x:xmpmeta>"#
    )
}

/// Writes `bytes` to a temporary file and examines it.
fn examine_bytes(bytes: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("leaked.pdf");
    std::fs::write(&p, bytes).unwrap();
    one(&[p.to_str().unwrap()])
}

/// Regression (issue "Hardening"): a 195 KB PDF whose Info values hold
/// `Produced . ` 5,900 times each kept `examine` busy for 76 s (every
/// "Produced " tried against every later `. `, copying the rest each time).
/// Checked by its answer, never by the clock; a megabyte of them as well.
#[test]
fn metadata_full_of_produced_is_read_not_hung_on() {
    let value = "Produced . ".repeat(5_900);
    let issue = hand_made_pdf(
        Some("Printed by: Jane Doe"),
        &[("Title", &value), ("Subject", &value), ("Keywords", &value)],
        None,
    );
    assert!(issue.len() > 190_000, "{}", issue.len());
    let keys: Vec<String> = (0..16).map(|i| format!("Note{i}")).collect();
    let info: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), value.as_str())).collect();
    let xmp = xmp_with(&[("Notes", &value)]);
    let megabyte = hand_made_pdf(Some("Printed by: Jane Doe"), &info, Some(&xmp));
    assert!(megabyte.len() > 1 << 20, "{}", megabyte.len());
    for bytes in [issue, megabyte] {
        let file = examine_bytes(&bytes);
        assert_eq!(file["verdict"], "visible_only", "{}", file["warnings"]);
        assert_eq!(file["metadata_statement"], Value::Null);
        assert_eq!(file["attribution"]["name"], "Jane Doe");
    }
}

/// Regression (issue "Hardening"): `Requested by Jane Doe (ID 16) from
/// 192.168.1.42 on ...` in the Subject gave `user_id: null`.
#[test]
fn a_requested_by_sentence_gives_the_user_id() {
    let file = examine_bytes(&hand_made_pdf(
        Some("Printed by: Jane Doe"),
        &[(
            "Subject",
            "Requested by Jane Doe (ID 16) from 192.168.1.42 on 2021-07-01 17:35:16-00:00",
        )],
        None,
    ));
    assert_eq!(file["verdict"], "consistent", "{}", file["warnings"]);
    let a = &file["attribution"];
    assert_eq!(a["name"], "Jane Doe");
    assert_eq!(a["user_id"], 16);
    assert_eq!(a["ip"], "192.168.1.42");
    assert_eq!(a["produced_at"], "2021-07-01T17:35:16Z");
    assert_eq!(a["parsed"], false);
    assert_eq!(a["verified"], true);
}

/// Regression (issue "Hardening"): an XMP `RequestedBy` of `Jane Doe (ID 16)`
/// was read as the name "Jane Doe (ID 16)", and the file was called a
/// `mismatch` against its own "Printed by: Jane Doe".
#[test]
fn a_requested_by_field_with_its_id_matches_the_stamp() {
    let xmp = xmp_with(&[("RequestedBy", "Jane Doe (ID 16)")]);
    let file = examine_bytes(&hand_made_pdf(
        Some("Printed by: Jane Doe"),
        &[("Producer", "AngelTrack PDF")],
        Some(&xmp),
    ));
    assert_eq!(file["verdict"], "consistent", "{}", file["warnings"]);
    assert_eq!(file["attribution"]["name"], "Jane Doe");
    assert_eq!(file["attribution"]["user_id"], 16);
    assert_eq!(file["metadata"]["xmp:acme:RequestedBy"], "Jane Doe (ID 16)");
    // Someone else's name with an ID is still someone else.
    let xmp = xmp_with(&[("RequestedBy", "Mary Jones (ID 31)")]);
    let file = examine_bytes(&hand_made_pdf(
        Some("Printed by: Jane Doe"),
        &[],
        Some(&xmp),
    ));
    assert_eq!(file["verdict"], "mismatch");
    assert!(warned(&file, "(Mary Jones)"), "{}", file["warnings"]);
}

/// A PDF whose one page shows "Printed by Jane Doe" in font /F1 (`font`,
/// object 5), with `more` objects after it (6, 7, ...) and `/Info 6 0 R`:
/// built here so that no hostile file is committed.
fn hostile_pdf(content: &[u8], font: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        hostile_stream(content, ""),
        font.to_vec(),
    ];
    objects.extend(more.iter().cloned());
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend_from_slice(object);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for at in offsets {
        out.extend(format!("{at:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A stream object with these bytes and extra dictionary entries.
fn hostile_stream(data: &[u8], entries: &str) -> Vec<u8> {
    let mut out = format!("<< /Length {} {entries} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend(b"\nendstream");
    out
}

const STAMP: &[u8] = b"BT /F1 10 Tf 50 700 Td (Printed by Jane Doe) Tj ET";
const HELVETICA: &[u8] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/// Writes each file in a temporary folder and examines them together.
fn examine_written(files: &[(&str, Vec<u8>)]) -> (Option<i32>, Vec<Value>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths: Vec<String> = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            path.to_str().expect("UTF-8 path").to_string()
        })
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    examine(&paths)
}

#[test]
fn a_cmap_of_16000_full_ranges_no_longer_hangs() {
    // 1.7 KB of Flate held 16,000 `<0000> <FFFF> <0041>` bfranges, each
    // expanded code by code: 80 s (an hour at the 16 MiB stream limit).
    use std::io::Write;
    let mut cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n".to_vec();
    for _ in 0..160 {
        cmap.extend(b"100 beginbfrange\n");
        cmap.extend(b"<0000> <FFFF> <0041>\n".repeat(100));
        cmap.extend(b"endbfrange\n");
    }
    let mut flate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    flate.write_all(&cmap).expect("deflate");
    let cmap = flate.finish().expect("deflate");
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 7 0 R >>";
    let pdf = hostile_pdf(
        STAMP,
        font,
        &[
            b"<< /Author (Jane Doe) >>".to_vec(),
            hostile_stream(&cmap, "/Filter /FlateDecode"),
        ],
    );
    assert!(pdf.len() < 4096, "{}", pdf.len());
    let (code, files, stderr) = examine_written(&[("cmap.pdf", pdf)]);
    assert_eq!(code, Some(0), "{stderr}");
    // Every two-byte code maps to a letter from A on: no stamp is printed.
    assert_eq!(files[0]["verdict"], "metadata_only", "{}", files[0]);
    assert_eq!(files[0]["attribution"]["name"], "Jane Doe");
}

#[test]
fn an_info_nested_too_deep_keeps_its_other_entries_and_says_so() {
    // lopdf dropped the whole Info (an array 100 deep, a string of 101
    // nested parentheses): the verdict was a silent `visible_only`.
    let array = format!(
        "<< /Author (Jane Doe) /Deep {}{} >>",
        "[".repeat(100),
        "]".repeat(100)
    );
    let string = format!(
        "<< /Author (Jane Doe) /Title ({}x{}) >>",
        "(".repeat(101),
        ")".repeat(101)
    );
    let (code, files, stderr) = examine_written(&[
        (
            "array.pdf",
            hostile_pdf(STAMP, HELVETICA, &[array.into_bytes()]),
        ),
        (
            "string.pdf",
            hostile_pdf(STAMP, HELVETICA, &[string.into_bytes()]),
        ),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    for (file, why) in files.iter().zip([
        "a value in it is nested deeper than the 100 levels the PDF reader parses",
        "a string in it nests parentheses deeper than the 100 levels the PDF reader parses",
    ]) {
        assert_eq!(file["verdict"], "consistent", "{file}");
        assert_eq!(file["attribution"]["name"], "Jane Doe");
        assert!(
            warned(
                file,
                &format!("the PDF reader dropped the Info dictionary (object 6 0 R): {why}")
            ),
            "{:?}",
            warnings(file)
        );
    }
    assert_eq!(files[0]["metadata"]["Deep"], "nested too deep; not read");
    assert_eq!(
        files[1]["metadata"]["Title"],
        format!("{}x{}", "(".repeat(101), ")".repeat(101))
    );
}

#[test]
fn a_content_stream_over_16_mib_is_said_to_be_over_the_limit() {
    // It was "couldn't decompress stream" (it is not compressed), then
    // "the pages hold no text (drawn as outlines, or blank)".
    let mut content = STAMP.to_vec();
    content.extend(vec![b' '; 17 << 20]);
    let pdf = hostile_pdf(&content, HELVETICA, &[b"<< /Author (Jane Doe) >>".to_vec()]);
    let (code, files, stderr) = examine_written(&[("big.pdf", pdf)]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        warnings(&files[0]),
        [
            "a page content stream is 17 MiB long (not compressed), over the limit of 16 MiB: not read",
            "no text was read: 1 page content stream could not be read (see above), so whether the \
             stamp is on the pages is not known"
        ]
    );
}
