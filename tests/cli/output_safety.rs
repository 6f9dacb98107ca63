//! Hostile log values against every output format: what reaches a terminal,
//! a spreadsheet and a table is defused, and JSON keeps every character. The
//! logs are written by each test, so the hostile bytes are in plain sight.

use std::path::Path;

use crate::support::{HEADER_15, leaktrace, leaktrace_at};
use serde_json::Value;

/// A log of one request by `user` for `stem` (both written as given, so a
/// value with spaces must bring its own quotes).
fn one_request(user: &str, stem: &str) -> Vec<u8> {
    format!(
        "{HEADER_15}2017-01-19 10:00:00 10.0.1.15 GET {stem} - 443 {user} 1.2.3.4 Mozilla/5.0 - 200 0 0 15\n"
    )
    .into_bytes()
}

fn write_log(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp log");
    path.to_str().expect("UTF-8 temp path").to_string()
}

/// Exit code and standard output of `leaktrace <args>`.
fn run(args: &[&str]) -> (Option<i32>, String) {
    run_wide(args, 80)
}

/// [`run`] with tables laid out for `columns` columns (`COLUMNS`): wide
/// enough, a table shows a cell whole, as the escaping tests need.
fn run_wide(args: &[&str], columns: usize) -> (Option<i32>, String) {
    let out = leaktrace_at(columns)
        .args(args)
        .output()
        .expect("leaktrace runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    (out.status.code(), stdout)
}

/// The records printed by `leaktrace --format json logs <path>`.
fn json_records(path: &str) -> Vec<Value> {
    let (code, stdout) = run(&["--format", "json", "logs", path]);
    assert_eq!(code, Some(0), "{stdout}");
    let v: Value = serde_json::from_str(&stdout).expect("JSON");
    v.as_array().expect("an array").clone()
}

/// The CSV printed by `leaktrace --format csv logs <path>`, as records.
fn csv_rows(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let (code, stdout) = run(&["--format", "csv", "logs", path]);
    assert_eq!(code, Some(0), "{stdout}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header = reader
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[i]
}

// ------------------------------------------------- invisible characters

#[test]
fn table_showed_invisible_characters_as_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A user name with a zero-width space, a path hiding a word in tag
    // characters and one broken by a line separator, a Hangul filler.
    let user = "ad\u{200b}min";
    let stem = "/Report\u{e0065}\u{e0076}\u{e0069}\u{e006c}.aspx\u{2028}/\u{3164}\u{feff}\u{ad}";
    let path = write_log(dir.path(), "invisible.log", &one_request(user, stem));

    let (code, stdout) = run_wide(&["logs", &path], 200);
    assert_eq!(code, Some(0), "{stdout}");
    for c in [
        '\u{200b}',
        '\u{e0065}',
        '\u{2028}',
        '\u{3164}',
        '\u{feff}',
        '\u{ad}',
    ] {
        assert!(
            !stdout.contains(c),
            "U+{:04X} reached the table: {stdout:?}",
            c as u32
        );
    }
    assert!(stdout.contains("ad\\u{200b}min"), "{stdout}");
    assert!(
        stdout.contains("/Report\\u{e0065}\\u{e0076}\\u{e0069}\\u{e006c}.aspx\\u{2028}/\\u{3164}\\u{feff}\\u{ad}"),
        "{stdout}"
    );

    // JSON is for programs: it keeps the value as logged.
    let records = json_records(&path);
    assert_eq!(records[0]["username"], user);
    assert_eq!(records[0]["uri_stem"], stem);
}

// ----------------------------------------------------------------- CSV

#[test]
fn csv_ran_formulas_behind_whitespace_fullwidth_signs_and_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = HEADER_15.as_bytes().to_vec();
    // A quoted value may hold spaces; U+00A0 needs no quotes.
    let rows: [(&str, &str); 5] = [
        ("\" =1+1\"", " =1+1"),
        ("\u{a0}=1", "\u{a0}=1"),
        ("＝1+1", "＝1+1"),
        ("＠SUM(A1)", "＠SUM(A1)"),
        ("|calc!A0", "|calc!A0"),
    ];
    for (logged, _) in rows {
        log.extend_from_slice(
            format!(
                "2017-01-19 10:00:00 10.0.1.15 GET /a - 443 {logged} 1.2.3.4 Mozilla/5.0 - 200 0 0 15\n"
            )
            .as_bytes(),
        );
    }
    let path = write_log(dir.path(), "formulas.log", &log);

    let (header, csv) = csv_rows(&path);
    assert_eq!(csv.len(), rows.len());
    for (row, (_, value)) in csv.iter().zip(rows) {
        assert_eq!(column(&header, row, "username"), format!("'{value}"));
        // Numbers are numbers: not text, never prefixed.
        assert_eq!(column(&header, row, "status"), "200");
        let line = column(&header, row, "line");
        assert!(line.bytes().all(|b| b.is_ascii_digit()), "{line}");
    }
    // JSON keeps the values as logged.
    let records = json_records(&path);
    for (record, (_, value)) in records.iter().zip(rows) {
        assert_eq!(record["username"], value);
    }
}

#[test]
fn csv_carried_raw_terminal_controls() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = HEADER_15.as_bytes().to_vec();
    log.extend_from_slice(
        b"2017-01-19 10:00:00 10.0.1.15 GET /a\x1b[2J\x1b]0;pwned\x07b - 443 jsmith 1.2.3.4 Mozilla/5.0 - 200 0 0 15\n",
    );
    let path = write_log(dir.path(), "controls.log", &log);

    let (code, stdout) = run(&["--format", "csv", "logs", &path]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        !stdout
            .bytes()
            .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')),
        "raw control in CSV: {stdout:?}"
    );
    let (header, rows) = csv_rows(&path);
    assert_eq!(
        column(&header, &rows[0], "uri_stem"),
        "/a\\x1b[2J\\x1b]0;pwned\\x07b"
    );

    let records = json_records(&path);
    assert_eq!(records[0]["uri_stem"], "/a\x1b[2J\x1b]0;pwned\x07b");
}

// ---------------------------------------------------------------- table

#[test]
fn table_stalled_on_a_six_megabyte_path() {
    const LEN: usize = 6_000_000;
    let dir = tempfile::tempdir().unwrap();
    let stem = format!("/{}", "a".repeat(LEN - 1));
    let path = write_log(dir.path(), "huge.log", &one_request("jsmith", &stem));

    let (code, stdout) = run_wide(&["logs", &path], 2_000);
    assert_eq!(code, Some(0));
    // The cell is the request line, `GET <path>`: 1,000 of its characters.
    let shown = format!("GET /{}", "a".repeat(995));
    let cut = format!("{shown}… ({} more characters)", LEN + 4 - 1_000);
    assert!(
        stdout.contains(&cut),
        "the path is not cut at 1,000 characters with a count: {:?}…",
        stdout.chars().take(2_000).collect::<String>()
    );
    assert!(stdout.len() < 20_000, "{} bytes of table", stdout.len());
    assert!(stdout.contains("jsmith"));

    // At 80 columns the path is cut to fit, and the rest of the row stays.
    let (code, stdout) = run(&["logs", &path]);
    assert_eq!(code, Some(0));
    assert!(stdout.lines().all(|l| l.chars().count() <= 80), "{stdout}");
    assert!(
        stdout.contains("jsmith") && stdout.contains("GET /aaa"),
        "{stdout}"
    );

    // The table is for people; NDJSON keeps the whole path.
    let (code, stdout) = run(&["--format", "ndjson", "logs", &path]);
    assert_eq!(code, Some(0));
    let record: Value = serde_json::from_str(stdout.trim_end()).expect("one JSON line");
    assert_eq!(record["uri_stem"].as_str().map(str::len), Some(LEN));
}

/// Regression: a file name that is not UTF-8 became U+FFFD in `file`, so the
/// reported path was not the file on disk (and two files could share it).
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_exact_in_json_and_escaped_for_people() {
    use base64::Engine as _;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let mut raw = dir.path().as_os_str().as_bytes().to_vec();
    raw.extend_from_slice(b"/u_ex\xE9.log");
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&raw));
    std::fs::write(&path, one_request("jsmith", "/Home.aspx")).unwrap();
    let out = leaktrace()
        .arg("logs")
        .arg(&path)
        .args(["--format", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        record["file"],
        serde_json::json!({"bytes": base64::engine::general_purpose::STANDARD.encode(&raw)})
    );
    let table = leaktrace().arg("logs").arg(&path).output().unwrap();
    let stderr = String::from_utf8(table.stderr).unwrap();
    // Not a log: the message names it with the byte escaped, not U+FFFD.
    let out = leaktrace().arg("examine").arg(&path).output().unwrap();
    let examine = String::from_utf8(out.stderr).unwrap();
    assert!(examine.contains("u_ex\\xE9.log"), "{examine}");
    assert!(
        !examine.contains('\u{FFFD}') && !stderr.contains('\u{FFFD}'),
        "{stderr}"
    );
}
