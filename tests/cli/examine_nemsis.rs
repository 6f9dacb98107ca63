//! End-to-end tests of `leaktrace examine` on NEMSIS XML, run against the
//! real binary and the fixtures in `testdata/nemsis/` (made by
//! `testdata/nemsis/make_fixtures.py`, described with their expected
//! verdicts in `testdata/README.md`).

use crate::support::{examine, leaktrace, sha256_of, warnings};
use serde_json::Value;

const DIR: &str = "testdata/nemsis";

const JANE: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
const ZOE: &str = "Produced 2021-07-01 12:35:16-05:00 by acme.angeltrack.com for user Zoë O'Brien-Núñez (ID 7) at 2001:db8::42.";
const REGISTRY: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.";

/// A fixture, its file verdict, its report verdicts, and the attribution's
/// text and whether it is verified.
type Expected = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<(&'static str, bool)>,
);

const FIXTURES: &[Expected] = &[
    (
        "vendor_sample_v351.xml",
        "consistent",
        &["consistent"],
        Some((JANE, true)),
    ),
    (
        "v340_no_uuid.xml",
        "consistent",
        &["consistent"],
        Some((JANE, true)),
    ),
    (
        "prefixed_namespace.xml",
        "consistent",
        &["consistent"],
        Some((JANE, true)),
    ),
    (
        "crlf.xml",
        "consistent",
        &["consistent"],
        Some((JANE, true)),
    ),
    (
        "base64_wraps.xml",
        "consistent",
        &["consistent"; 4],
        Some((JANE, true)),
    ),
    (
        "several_consistent.xml",
        "consistent",
        &["consistent"; 3],
        Some((ZOE, true)),
    ),
    (
        "registry_upload.xml",
        "consistent",
        &["consistent"],
        Some((REGISTRY, true)),
    ),
    (
        "utf16le_bom.xml",
        "consistent",
        &["consistent"],
        Some((ZOE, true)),
    ),
    (
        "edited_900.xml",
        "mismatch",
        &["mismatch"],
        Some((JANE, false)),
    ),
    (
        "garbage_901.xml",
        "mismatch",
        &["mismatch"],
        Some((JANE, false)),
    ),
    (
        "billion_laughs.xml",
        "mismatch",
        &["mismatch"],
        Some((JANE, false)),
    ),
    (
        "deleted_900.xml",
        "incomplete",
        &["incomplete"],
        Some((JANE, false)),
    ),
    (
        "deleted_901.xml",
        "incomplete",
        &["incomplete"],
        Some((JANE, false)),
    ),
    (
        "corrupt_901_char.xml",
        "incomplete",
        &["incomplete"],
        Some((JANE, false)),
    ),
    (
        "corrupt_901_padding.xml",
        "incomplete",
        &["incomplete"],
        Some((JANE, false)),
    ),
    ("mixed.xml", "mixed", &["consistent", "consistent"], None),
    ("other_custom_results.xml", "none", &["none"], None),
    (
        "truncated.xml",
        "damaged",
        &["consistent"],
        Some((JANE, false)),
    ),
];

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// Examines one fixture; requires exit 0.
fn one(name: &str) -> Value {
    let (code, files, stderr) = examine(&[&path(name)]);
    assert_eq!(code, Some(0), "{name}: exit status; stderr:\n{stderr}");
    assert_eq!(files.len(), 1, "{name}");
    files[0].clone()
}

#[test]
fn every_fixture_has_its_documented_verdict() {
    let args: Vec<String> = FIXTURES.iter().map(|f| path(f.0)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, files, stderr) = examine(&args);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(files.len(), FIXTURES.len());
    for (file, (name, verdict, pcrs, attribution)) in files.iter().zip(FIXTURES) {
        assert_eq!(file["file"], path(name));
        assert_eq!(
            file["kind"], "nemsis",
            "{name} is recognised from its content"
        );
        assert_eq!(file["verdict"], *verdict, "{name}");
        let got: Vec<&str> = file["pcrs"]
            .as_array()
            .expect("pcrs is an array")
            .iter()
            .map(|p| p["verdict"].as_str().expect("verdict"))
            .collect();
        assert_eq!(got, *pcrs, "{name}");
        let a = &file["attribution"];
        match attribution {
            Some((text, verified)) => {
                assert_eq!(a["text"], *text, "{name}");
                assert_eq!(a["verified"], *verified, "{name}");
            }
            None => assert!(a.is_null(), "{name}: {a}"),
        }
        let expect_warnings = matches!(*name, "billion_laughs.xml" | "truncated.xml");
        assert_eq!(
            !warnings(file).is_empty(),
            expect_warnings,
            "{name}: {:?}",
            warnings(file)
        );
    }
}

#[test]
fn json_carries_the_file_hash_and_each_report() {
    let file = one("vendor_sample_v351.xml");
    for key in [
        "file",
        "sha256",
        "kind",
        "verdict",
        "attribution",
        "pcrs",
        "warnings",
    ] {
        assert!(file.get(key).is_some(), "{key} missing in {file}");
    }
    assert_eq!(file["sha256"], sha256_of(&path("vendor_sample_v351.xml")));

    let pcr = &file["pcrs"][0];
    let keys: Vec<&str> = pcr
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "pcr",
            "uuid",
            "verdict",
            "e900",
            "e901",
            "e901_error",
            "line"
        ]
    );
    assert_eq!(pcr["pcr"], "ACME-2021-00001");
    assert_eq!(pcr["uuid"], "30f9c0a3-177e-523c-a21a-7954213f795b");
    assert_eq!(pcr["e901_error"], Value::Null);
    for copy in ["e900", "e901"] {
        let s = &pcr[copy];
        assert_eq!(s["text"], JANE, "{copy}");
        assert_eq!(s["parsed"], true);
        assert_eq!(s["name"], "Jane Doe");
        assert_eq!(s["user_id"], 16);
        assert_eq!(s["ip"], "192.168.1.42");
        assert_eq!(s["host"], "acme.angeltrack.com");
        assert_eq!(s["produced_at"], "2021-07-01T17:35:16Z");
    }
    assert_eq!(file["attribution"]["name"], "Jane Doe");
}

#[test]
fn version_3_4_reports_have_no_uuid() {
    let file = one("v340_no_uuid.xml");
    assert_eq!(file["pcrs"][0]["uuid"], Value::Null);
    assert_eq!(file["pcrs"][0]["pcr"], "ACME-2021-00001");
}

#[test]
fn edited_plain_copy_is_caught_by_the_base64_copy() {
    let file = one("edited_900.xml");
    let pcr = &file["pcrs"][0];
    assert_eq!(pcr["e900"]["name"], "John Smith");
    assert_eq!(pcr["e901"]["name"], "Jane Doe");
    assert_eq!(file["attribution"]["name"], "Jane Doe");
    assert_eq!(file["attribution"]["verified"], false);
}

#[test]
fn a_901_that_is_no_statement_leaves_the_plain_copy() {
    let file = one("garbage_901.xml");
    let e901 = &file["pcrs"][0]["e901"];
    assert_eq!(e901["text"], "Exported for the quarterly quality review.");
    assert_eq!(e901["parsed"], false);
    assert_eq!(e901["name"], Value::Null);
    assert_eq!(file["attribution"]["text"], JANE);
}

#[test]
fn deleted_copies_leave_the_other() {
    let file = one("deleted_900.xml");
    assert_eq!(file["pcrs"][0]["e900"], Value::Null);
    assert_eq!(file["pcrs"][0]["e901"]["name"], "Jane Doe");
    let file = one("deleted_901.xml");
    assert_eq!(file["pcrs"][0]["e901"], Value::Null);
    assert_eq!(
        file["pcrs"][0]["e901_error"],
        Value::Null,
        "missing is not undecodable"
    );
    assert_eq!(file["pcrs"][0]["e900"]["name"], "Jane Doe");
}

#[test]
fn corrupt_base64_is_reported_not_repaired() {
    for (name, error) in [
        (
            "corrupt_901_char.xml",
            "invalid base64: character 21 is '!'",
        ),
        ("corrupt_901_padding.xml", "invalid base64: wrong padding"),
    ] {
        let pcr = &one(name)["pcrs"][0];
        assert_eq!(pcr["e901"], Value::Null, "{name}");
        assert_eq!(pcr["e901_error"], error, "{name}");
        assert_eq!(pcr["e900"]["name"], "Jane Doe", "{name}");
    }
}

#[test]
fn both_copies_rewritten_in_one_report_is_mixed() {
    let file = one("mixed.xml");
    let names: Vec<&Value> = file["pcrs"]
        .as_array()
        .expect("pcrs")
        .iter()
        .map(|p| &p["e901"]["name"])
        .collect();
    assert_eq!(
        names,
        [&Value::from("Jane Doe"), &Value::from("John Smith")]
    );
}

#[test]
fn registry_upload_names_the_recipient() {
    let a = one("registry_upload.xml")["attribution"].clone();
    assert_eq!(
        a["recipient"],
        "newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws"
    );
    assert_eq!(a["name"], Value::Null);
    assert_eq!(a["verified"], true);
}

#[test]
fn other_custom_results_are_not_engravitures() {
    let pcr = &one("other_custom_results.xml")["pcrs"][0];
    assert_eq!((&pcr["e900"], &pcr["e901"]), (&Value::Null, &Value::Null));
}

#[test]
fn truncated_file_keeps_the_first_report_and_says_where() {
    let file = one("truncated.xml");
    assert_eq!(file["pcrs"].as_array().expect("pcrs").len(), 1);
    assert_eq!(file["pcrs"][0]["pcr"], "ACME-2021-00001");
    assert_eq!(
        warnings(&file),
        [
            "cut short in markup starting at line 55, byte 2179: tag not closed: `>` not found before end of input, inside <eResponse.AgencyGroup> (opened at line 53)",
            "PCR ACME-2021-00002 (line 43) is cut short by the damage before its engravitures: not reported",
        ]
    );
    // The hash covers the whole file, not just what was parsed.
    assert_eq!(file["sha256"], sha256_of(&path("truncated.xml")));
}

#[test]
fn billion_laughs_is_not_expanded() {
    let file = one("billion_laughs.xml");
    assert_eq!(file["pcrs"][0]["e900"]["text"], "&lol9;");
    assert_eq!(
        warnings(&file),
        [
            "line 2, byte 39: the file has a DOCTYPE (NEMSIS files have none); no external DTD is read and no entity declared there is expanded",
            "line 42, byte 1955: &lol9; is not expanded (only the five XML entities and character references are); kept as written",
        ]
    );
}

#[test]
fn utf16_is_read_as_text() {
    let file = one("utf16le_bom.xml");
    assert_eq!(file["attribution"]["name"], "Zoë O'Brien-Núñez");
    assert_eq!(file["attribution"]["ip"], "2001:db8::42");
}

#[test]
fn forcing_nemsis_on_something_else_is_damage_not_failure() {
    let (code, files, stderr) = examine(&["--as", "nemsis", "testdata/sample/u_ex170119.log"]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(files[0]["kind"], "nemsis");
    assert_eq!(files[0]["verdict"], "damaged");
    assert_eq!(files[0]["pcrs"], Value::Array(Vec::new()));
    assert_eq!(
        warnings(&files[0]),
        ["not well-formed: text before the root element at line 1, byte 0"]
    );
}

#[test]
fn a_damaged_file_does_not_stop_the_others() {
    let (code, files, stderr) = examine(&[&path("truncated.xml"), &path("crlf.xml")]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    let verdicts: Vec<&Value> = files.iter().map(|f| &f["verdict"]).collect();
    assert_eq!(
        verdicts,
        [&Value::from("damaged"), &Value::from("consistent")]
    );
}

#[test]
fn verbose_table_adds_a_line_per_report() {
    let file = path("several_consistent.xml");
    let out = leaktrace()
        .args(["--tz", "America/Chicago", "examine", &file])
        .output()
        .expect("runs");
    let plain = String::from_utf8(out.stdout).unwrap();
    let out = leaktrace()
        .args(["--tz", "America/Chicago", "-v", "examine", &file])
        .output()
        .expect("runs");
    let verbose = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        plain.lines().count() + 3,
        verbose.lines().count(),
        "{verbose}"
    );
    assert!(verbose.contains("ACME-2021-00002"), "{verbose}");
    assert!(plain.contains("2021-07-01 12:35:16 CDT"), "{plain}");
}

/// Regression (issue "Hardening"): an `eRecord.901` of clean base64 whose
/// bytes are not text (not even UTF-8) was `incomplete`, as if unreadable.
/// It was read, and it is not the statement: someone replaced it, so
/// `mismatch`, saying what it decoded to. A 901 that is not base64 stays
/// `incomplete` (`corrupt_base64_is_reported_not_repaired`).
#[test]
fn a_901_of_bytes_that_are_not_text_is_a_mismatch() {
    use base64::Engine as _;
    let garbage = std::fs::read_to_string(path("garbage_901.xml")).unwrap();
    let old = "RXhwb3J0ZWQgZm9yIHRoZSBxdWFydGVybHkgcXVhbGl0eSByZXZpZXcu";
    assert!(garbage.contains(old));
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(0..29u8);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("binary_901.xml");
    std::fs::write(&p, garbage.replace(old, &encoded)).unwrap();
    let (code, files, stderr) = examine(&[p.to_str().unwrap()]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    let file = &files[0];
    assert_eq!(file["verdict"], "mismatch");
    let pcr = &file["pcrs"][0];
    assert_eq!(pcr["verdict"], "mismatch");
    assert_eq!(pcr["e901"], Value::Null);
    assert_eq!(
        pcr["e901_error"],
        "decodes to 37 bytes that are not UTF-8 text (from byte 1)"
    );
    assert_eq!(pcr["e900"]["name"], "Jane Doe");
    assert_eq!(file["attribution"]["text"], JANE);
    assert_eq!(file["attribution"]["verified"], false);
}

#[test]
fn a_nemsis_file_of_many_reports_lists_the_first_and_counts_them_all() {
    // A review measured 999 MB for 200,000 reports: every report was kept
    // and printed. The JSON keeps its shape: `records` counts every report,
    // `pcrs` lists the first 10,000, and a warning says so.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(JANE);
    let group = |value: &str, kind: &str| {
        format!(
            "<eCustomResults.ResultsGroup><eCustomResults.01>{value}</eCustomResults.01>\
             <eCustomResults.02>{kind}</eCustomResults.02></eCustomResults.ResultsGroup>"
        )
    };
    let report = format!(
        "<PatientCareReport><eRecord><eRecord.01>P</eRecord.01></eRecord><eCustomResults>{}{}\
         </eCustomResults></PatientCareReport>\n",
        group(JANE, "eRecord.900"),
        group(&b64, "eRecord.901")
    );
    let xml = format!(
        "<EMSDataSet><Header>\n{}</Header></EMSDataSet>\n",
        report.repeat(10_005)
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("many.xml");
    std::fs::write(&p, xml).unwrap();
    let (code, files, stderr) = examine(&[p.to_str().unwrap()]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    let file = &files[0];
    assert_eq!(file["verdict"], "consistent");
    assert_eq!(file["records"], 10_005);
    assert_eq!(file["pcrs"].as_array().map(Vec::len), Some(10_000));
    assert_eq!(file["pcrs"][9_999]["line"], 10_001);
    assert_eq!(
        warnings(file),
        [
            "5 reports after the first 10000 are not listed (the limit per file): counted in the \
          records and judged in the verdict all the same"
        ]
    );
}

#[test]
fn a_nemsis_file_over_the_stream_limit_is_refused_from_its_size() {
    // `examine --as nemsis /dev/zero` never ended; a file larger than the
    // limit (sparse here: it takes no room) is refused before it is read.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.xml");
    std::fs::write(&p, "<EMSDataSet>\n").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .and_then(|f| f.set_len(2 << 30))
        .unwrap();
    let p = p.to_str().unwrap();
    let (code, files, stderr) = examine(&[p, &path("vendor_sample_v351.xml")]);
    assert_eq!(code, Some(1), "stderr:\n{stderr}");
    assert_eq!(files.len(), 1);
    assert!(
        stderr.contains(&format!(
            "leaktrace: {p}: 2 GiB, over the limit of 1 GiB for NEMSIS XML (streamed): not read\n"
        )),
        "{stderr}"
    );
}

/// The table line of `file` and the line below it (laid out wide enough for
/// every column).
fn table_lines(file: &str) -> (String, String) {
    let out = leaktrace()
        .args(["examine", &path(file)])
        .env("COLUMNS", "200")
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(file))
        .unwrap_or_else(|| panic!("{file} not in:\n{stdout}"));
    (
        lines[at].to_string(),
        lines.get(at + 1).unwrap_or(&"").to_string(),
    )
}

#[test]
fn a_mismatch_named_only_the_believed_copy_in_the_table() {
    // Regression: the plain copy's name (John Smith) was only in the JSON.
    let (row, below) = table_lines("edited_900.xml");
    assert!(row.contains("mismatch"), "{row}");
    assert!(row.contains("base64: Jane Doe (ID 16)"), "{row}");
    assert!(below.contains("plain: John Smith (ID 16)"), "{below}");
    assert!(below.contains("192.168.1.42"), "its address: {below}");
    assert!(!below.contains("edited_900.xml"), "{below}");
    // When the base64 copy is no statement, the plain one is believed.
    let (row, below) = table_lines("garbage_901.xml");
    assert!(row.contains("plain: Jane Doe (ID 16)"), "{row}");
    assert!(
        below.contains("base64: raw: Exported for the quarterly"),
        "{below}"
    );
    // A consistent file has one line.
    let (row, below) = table_lines("crlf.xml");
    assert!(
        row.contains("Jane Doe (ID 16)") && !row.contains("base64:"),
        "{row}"
    );
    assert!(!below.contains("plain:"), "{below}");
}
