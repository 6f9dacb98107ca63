//! End-to-end tests of `leaktrace downloads` against the bundled sample logs
//! (see `testdata/README.md`) and small logs written by the tests.

use crate::support::{HEADER_15, leaktrace};
use serde_json::Value;

const SAMPLE: &str = "testdata/sample";
const DAY1: &str = "testdata/sample/u_ex170119.log";
const DAY2: &str = "testdata/sample/u_ex170120.log";

/// Runs `downloads` with NDJSON output; returns the downloads and stderr.
fn downloads(args: &[&str]) -> (Vec<Value>, String) {
    let out = leaktrace()
        .args(["--format", "ndjson", "downloads"])
        .args(args)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let rows = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    (rows, stderr)
}

fn by_name<'a>(rows: &'a [Value], file_name: &str) -> &'a Value {
    rows.iter()
        .find(|d| d["file_name"] == file_name)
        .unwrap_or_else(|| panic!("{file_name} not among {rows:?}"))
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|d| d["file_name"].as_str().unwrap().to_string())
        .collect()
}

/// A log of the vendor's layout written to a temp dir.
fn temp_log(rows: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u_ex.log");
    let mut text = String::from(HEADER_15);
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap().to_string();
    (dir, p)
}

const UA: &str = "Mozilla/5.0+(Windows+NT+10.0)";

#[test]
fn vendor_export_flow_is_consistent_with_its_build() {
    let (rows, _) = downloads(&["--tz", "America/Chicago", SAMPLE]);
    let d = by_name(&rows, "AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip");
    assert_eq!(d["file"], DAY1);
    assert_eq!(d["time_utc"], "2017-01-19T17:16:30Z");
    assert_eq!(d["time_local"], "2017-01-19T11:16:30-06:00");
    assert_eq!(d["site"], "acme");
    assert_eq!(d["extension"], "zip");
    assert_eq!(d["export_user"], "jsmith");
    assert_eq!(d["export_time_local"], "2017-01-19T09:16:16");
    assert_eq!(d["session_user"], "jsmith");
    assert_eq!(d["attribution"], "consistent");
    assert_eq!(d["outcome"], "completed");
    assert_eq!(d["export_page"], "/DispatchesClosed.aspx");
    assert_eq!(d["export_posts"], 7);
    assert_eq!(d["build_ms"], 15126);
    assert_eq!(d["implied_utc_offset"], "-08:00");
    assert_eq!(
        d["replay_url"],
        "https://acme.angeltrack.com/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip"
    );
    assert_eq!(d["likely_purged"], Value::Null);
}

#[test]
fn someone_elses_client_fetching_an_export_is_a_conflict() {
    let (rows, _) = downloads(&[SAMPLE]);
    let d = by_name(&rows, "AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip");
    assert_eq!(d["export_user"], "jdoe");
    assert_eq!(d["session_user"], "mwilliams");
    assert_eq!(d["attribution"], "conflict");
}

#[test]
fn csv_export_by_a_user_with_a_dot_in_the_name() {
    let (rows, _) = downloads(&[SAMPLE]);
    let d = by_name(&rows, "AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv");
    assert_eq!(d["extension"], "csv");
    assert_eq!(d["export_user"], "mary.jones");
    assert_eq!(d["session_user"], "mary.jones");
    assert_eq!(d["attribution"], "consistent");
    assert_eq!(d["export_page"], "/Patients.aspx");
}

#[test]
fn a_404_replay_of_an_old_export_failed_and_names_only_the_file() {
    let (rows, _) = downloads(&[SAMPLE]);
    let d = by_name(&rows, "AcmeAmbulance.jsmith.2017-01-09-08-00-00.zip");
    assert_eq!(d["status"], 404);
    assert_eq!(d["outcome"], "failed");
    assert_eq!(d["attribution"], "file_name_only");
    assert_eq!(d["session_user"], Value::Null);
    assert_eq!(
        d["implied_utc_offset"],
        Value::Null,
        "a replay days later implies no offset"
    );
}

#[test]
fn look_alike_paths_and_uploads_are_not_downloads() {
    let (rows, _) = downloads(&["--all", SAMPLE]);
    assert_eq!(
        names(&rows),
        [
            "AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip",
            "PCR.48213.pdf",
            "AcmeAmbulance.jsmith.2017-01-09-08-00-00.zip",
            "AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv",
            "AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip",
            "AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip",
            "AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv",
        ]
    );
    let pdf = by_name(&rows, "PCR.48213.pdf");
    assert_eq!(
        pdf["export_user"],
        Value::Null,
        "a printout is not an export"
    );
    assert_eq!(pdf["attribution"], "session_only");
}

/// The sample's exports, in time order; its one other /temp/ fetch is the
/// printout PCR.48213.pdf, second in time.
const EXPORTS: [&str; 6] = [
    "AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip",
    "AcmeAmbulance.jsmith.2017-01-09-08-00-00.zip",
    "AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv",
    "AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip",
    "AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip",
    "AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv",
];

#[test]
fn printouts_drowned_the_bulk_exports_so_only_exports_are_listed_by_default() {
    let (rows, stderr) = downloads(&[SAMPLE]);
    assert_eq!(names(&rows), EXPORTS);
    assert!(
        stderr.contains(
            "downloads: 6 exports shown; 1 other /temp/ fetch not shown: --all shows it\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("leaktrace: 2 files, 552 records, 6 matched, 0 malformed"),
        "{stderr}"
    );
    let (rows, stderr) = downloads(&["--all", SAMPLE]);
    assert_eq!(rows.len(), 7);
    assert!(
        stderr.contains("downloads: 6 exports and 1 other /temp/ fetch shown\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "  outcome: 6 completed, 1 failed; attribution: 1 conflict, 4 consistent, 1 file_name_only, 1 session_only\n"
        ),
        "{stderr}"
    );
}

#[test]
fn every_format_lists_the_same_downloads() {
    let run = |format: &str, all: bool| {
        let mut cmd = leaktrace();
        cmd.args(["--format", format, "downloads", SAMPLE]);
        if all {
            cmd.arg("--all");
        }
        let out = cmd.output().expect("runs");
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    for all in [false, true] {
        let shown = if all { 7 } else { 6 };
        let json: Vec<Value> = serde_json::from_str(&run("json", all)).expect("JSON");
        assert_eq!(json.len(), shown);
        assert_eq!(run("ndjson", all).lines().count(), shown);
        let csv = run("csv", all);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(reader.records().count(), shown);
        assert_eq!(run("table", all).lines().count(), 2 + shown);
        assert_eq!(
            json.iter().any(|d| d["file_name"] == "PCR.48213.pdf"),
            all,
            "the printout is listed with --all only"
        );
    }
}

#[test]
fn no_other_fetch_means_no_word_about_all() {
    let (rows, stderr) = downloads(&[DAY2]);
    assert_eq!(rows.len(), 2);
    assert!(stderr.contains("downloads: 2 exports shown\n"), "{stderr}");
    assert!(!stderr.contains("--all"), "{stderr}");
}

#[test]
fn an_export_after_midnight_utc_keeps_the_session_from_the_day_before() {
    // Files given newest first: they are still read as one ordered stream.
    let (rows, _) = downloads(&[DAY2, DAY1]);
    let d = by_name(&rows, "AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip");
    assert_eq!(d["file"], DAY2);
    assert_eq!(d["time_utc"], "2017-01-20T00:05:20Z");
    assert_eq!(d["session_user"], "jdoe");
    assert_eq!(d["attribution"], "consistent");
    assert_eq!(d["export_posts"], 3);
    // Output follows time, not the order the files were named in.
    assert_eq!(rows[0]["file"], DAY1);
}

#[test]
fn user_filter_matches_the_export_user_or_the_session_user() {
    let (rows, _) = downloads(&["--user", "jdoe", SAMPLE]);
    assert_eq!(
        names(&rows),
        [
            "AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip",
            "AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip"
        ]
    );
    let (rows, _) = downloads(&["--user", "MWilliams", SAMPLE]);
    assert_eq!(
        names(&rows),
        [
            "AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip",
            "AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv"
        ]
    );
}

#[test]
fn request_filters_apply_to_the_download_itself() {
    let (rows, _) = downloads(&["--status", "4xx", SAMPLE]);
    assert_eq!(
        names(&rows),
        ["AcmeAmbulance.jsmith.2017-01-09-08-00-00.zip"]
    );
    let (rows, _) = downloads(&["--path", "*.csv", SAMPLE]);
    assert_eq!(rows.len(), 2);
    let (rows, _) = downloads(&["--tz", "America/Chicago", "--since", "2017-01-20", SAMPLE]);
    assert_eq!(
        names(&rows),
        ["AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv"]
    );
}

#[test]
fn summary_reports_implied_offsets_and_warns_when_tz_disagrees() {
    let (_, stderr) = downloads(&["--tz", "America/Chicago", SAMPLE]);
    assert!(stderr.contains("downloads: 6 exports shown;"), "{stderr}");
    assert!(
        stderr.contains("site acme: export names imply UTC-08:00 (1), UTC-06:00 (4)"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("u_ex170119.log:138: name implies UTC-08:00, America/Chicago was UTC-06:00"),
        "{stderr}"
    );
    let (_, stderr) = downloads(&["--tz", "America/Chicago", "--user", "mary.jones", SAMPLE]);
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn as_of_marks_old_exports_as_likely_purged() {
    let (rows, _) = downloads(&["--as-of", "2017-01-25", SAMPLE]);
    assert!(rows.iter().all(|d| d["likely_purged"] == false));
    let (rows, _) = downloads(&["--as-of", "2017-01-27", SAMPLE]);
    assert_eq!(
        by_name(&rows, "AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip")["likely_purged"],
        true
    );
    assert_eq!(
        by_name(&rows, "AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv")["likely_purged"],
        false
    );
}

#[test]
fn partial_and_head_downloads_and_host_fallback() {
    let (_dir, log) = temp_log(&[
        &format!(
            "2017-01-19 17:00:00 10.0.1.15 GET /Reports.aspx - 443 kim 73.1.1.1 {UA} - 200 0 0 100"
        ),
        &format!(
            "2017-01-19 17:00:30 10.0.1.15 GET /temp/acme/Org.kim.2017-01-19-11-00-25.zip - 443 - 73.1.1.1 {UA} - 206 0 0 100"
        ),
        &format!(
            "2017-01-19 17:00:40 10.0.1.15 HEAD /TEMP/acme/Org.kim.2017-01-19-11-00-25.zip - 443 - 73.1.1.1 {UA} - 200 0 995 5"
        ),
        &format!(
            "2017-01-19 17:00:50 10.0.1.15 POST /temp/acme/Org.kim.2017-01-19-11-00-25.zip - 443 - 73.1.1.1 {UA} - 200 0 0 5"
        ),
    ]);
    let (rows, _) = downloads(&["--host", "acme.example.org", &log]);
    assert_eq!(rows.len(), 2, "HEAD counts, POST does not");
    assert_eq!(rows[0]["outcome"], "partial");
    assert_eq!(rows[1]["outcome"], "partial");
    assert_eq!(rows[0]["session_user"], "kim");
    assert_eq!(rows[0]["export_page"], Value::Null);
    assert_eq!(rows[0]["export_posts"], Value::Null);
    assert_eq!(
        rows[0]["replay_url"],
        "https://acme.example.org/temp/acme/Org.kim.2017-01-19-11-00-25.zip"
    );
}

#[test]
fn session_user_comes_only_from_the_same_browser_within_the_window() {
    let (_dir, log) = temp_log(&[
        &format!(
            "2017-01-19 16:00:00 10.0.1.15 GET /Reports.aspx - 443 kim 73.1.1.1 {UA} - 200 0 0 100"
        ),
        "2017-01-19 16:50:00 10.0.1.15 GET /Reports.aspx - 443 lee 73.1.1.1 Other+Browser - 200 0 0 100",
        &format!(
            "2017-01-19 17:00:30 10.0.1.15 GET /temp/acme/Org.kim.2017-01-19-11-00-25.zip - 443 - 73.1.1.1 {UA} - 200 0 0 100"
        ),
    ]);
    let (rows, _) = downloads(&[&log]);
    assert_eq!(
        rows[0]["session_user"],
        Value::Null,
        "kim's request is 60 minutes old"
    );
    assert_eq!(rows[0]["attribution"], "file_name_only");
    let (rows, _) = downloads(&["--window", "2h", &log]);
    assert_eq!(rows[0]["session_user"], "kim");
}

#[test]
fn table_is_one_line_per_download_local_time_first() {
    let out = leaktrace()
        .args(["--tz", "America/Chicago", "downloads", "--all", SAMPLE])
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2 + 7, "{stdout}");
    assert!(lines[0].trim_start().starts_with("Local time"), "{stdout}");
    assert!(
        lines[2].contains("2017-01-19 11:16:30 CST") && lines[2].contains("consistent"),
        "{stdout}"
    );
}

#[test]
fn bad_window_is_a_usage_error() {
    leaktrace()
        .args(["downloads", "--window", "soon", SAMPLE])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--window"));
}

#[test]
fn the_same_log_as_log_and_gz_lists_each_export_once_with_a_note() {
    // Regression: every export was listed twice, with no warning.
    let dir = tempfile::tempdir().expect("temp dir");
    let log = std::fs::read("testdata/case/logs/u_ex170119.log").expect("case log");
    std::fs::write(dir.path().join("u_ex170119.log"), &log).expect("write");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &log).expect("gzip");
    std::fs::write(
        dir.path().join("u_ex170119.log.gz"),
        gz.finish().expect("gzip"),
    )
    .expect("write");
    // Every fetch: the note counts them all, listed or not.
    let once = downloads(&["--all", "testdata/case/logs/u_ex170119.log"])
        .0
        .len();
    let path = dir.path().to_str().expect("UTF-8 temp path");
    let (rows, stderr) = downloads(&["--all", path]);
    assert_eq!(rows.len(), once, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "note: {once} downloads appeared in more than one input"
        )),
        "{stderr}"
    );
    // A byte-identical copy is not even read twice.
    std::fs::write(dir.path().join("copy.log"), &log).expect("write");
    let (rows, stderr) = downloads(&["--all", path]);
    assert_eq!(rows.len(), once, "{stderr}");
    assert!(stderr.contains("(same SHA-256); read once"), "{stderr}");
}
