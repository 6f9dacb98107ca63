//! End-to-end tests of `leaktrace logs`, run against the real binary and the
//! fixtures in `testdata/` (documented, with line numbers and expected
//! readings, in `testdata/README.md`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use crate::support::{HEADER_15, leaktrace};
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const SAMPLE: &str = "testdata/sample";
const SAMPLE_DAY1: &str = "testdata/sample/u_ex170119.log";
const FILTERS: &str = "testdata/w3c/filters.log";
const DST: &str = "testdata/w3c/dst.log";
const IPV6: &str = "testdata/w3c/ipv6_users.log";
const MALFORMED: &str = "testdata/w3c/malformed.log";
const VENDOR: &str = "testdata/w3c/vendor_sample.log";
/// The vendor sample's real layout: the 15-field layout without s-ip and s-port.
const VENDOR_FIELDS: &str = "date time cs-method cs-uri-stem cs-uri-query cs-username c-ip \
     cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";
const RECORD_KEYS: [&str; 24] = [
    "file",
    "line",
    "time_utc",
    "time_local",
    "local_date",
    "local_time",
    "method",
    "uri_stem",
    "uri_query",
    "username",
    "client_ip",
    "user_agent",
    "referer",
    "status",
    "substatus",
    "win32_status",
    "time_taken_ms",
    "server_ip",
    "server_port",
    "host",
    "bytes_sent",
    "bytes_received",
    "extra",
    "invalid",
];

// ---------------------------------------------------------------- helpers

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_cmd(cmd: &mut Command) -> Outcome {
    let out = cmd.output().expect("leaktrace runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Outcome {
    run_cmd(leaktrace().args(args))
}

/// Parses NDJSON: every line must be one JSON object.
fn parse_ndjson(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
            assert!(v.is_object(), "not an object: {line}");
            v
        })
        .collect()
}

/// Runs `cmd` with `--format ndjson`, requires exit 0, returns the records
/// and standard error.
fn ndjson_cmd(cmd: &mut Command) -> (Vec<Value>, String) {
    let o = run_cmd(cmd.args(["--format", "ndjson"]));
    assert_eq!(o.code, Some(0), "exit status; stderr:\n{}", o.stderr);
    (parse_ndjson(&o.stdout), o.stderr)
}

fn ndjson(args: &[&str]) -> (Vec<Value>, String) {
    ndjson_cmd(leaktrace().args(args))
}

fn records(args: &[&str]) -> Vec<Value> {
    ndjson(args).0
}

fn line_numbers(records: &[Value]) -> Vec<u64> {
    records
        .iter()
        .map(|r| r["line"].as_u64().expect("line is a number"))
        .collect()
}

/// Line numbers of the filters.log rows matched with these extra arguments.
fn filter_lines(extra: &[&str]) -> Vec<u64> {
    let mut args = vec!["logs", FILTERS];
    args.extend_from_slice(extra);
    line_numbers(&records(&args))
}

fn at_line(records: &[Value], line: u64) -> &Value {
    records
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("no record for line {line}"))
}

fn strings(records: &[Value], key: &str) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            r[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} is not a string in {r}"))
                .to_string()
        })
        .collect()
}

/// The first line of standard error: `leaktrace: N file(s), R records, ...`.
fn summary(stderr: &str) -> &str {
    let first = stderr.lines().next().unwrap_or("");
    assert!(first.starts_with("leaktrace: "), "no summary in:\n{stderr}");
    first
}

/// The summary line that reports `file:line:`.
fn reason<'a>(stderr: &'a str, at: &str) -> &'a str {
    stderr
        .lines()
        .find(|l| l.trim_start().starts_with(at))
        .unwrap_or_else(|| panic!("no line for {at} in:\n{stderr}"))
}

fn without_file(mut record: Value) -> Value {
    record
        .as_object_mut()
        .expect("record is an object")
        .remove("file");
    record
}

fn all_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| all_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| all_strings(x, out)),
        _ => {}
    }
}

fn write_log(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp log");
    path.to_str().expect("UTF-8 temp path").to_string()
}

// ---------------------------------------------------------- sample data

#[test]
fn user_filter_finds_jsmith_export_flow_in_chicago_time() {
    let recs = records(&[
        "--tz",
        "America/Chicago",
        "logs",
        SAMPLE,
        "--user",
        "jsmith",
    ]);
    assert!(recs.iter().all(|r| r["username"] == "jsmith"));
    let day1: Vec<&Value> = recs.iter().filter(|r| r["file"] == SAMPLE_DAY1).collect();
    let lines: Vec<u64> = day1.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    for line in (129..=136).chain([139, 140]) {
        assert!(lines.contains(&line), "line {line} missing from {lines:?}");
    }
    let export_post = day1.iter().find(|r| r["line"] == 136).unwrap();
    assert_eq!(export_post["method"], "POST");
    assert_eq!(export_post["uri_stem"], "/DispatchesClosed.aspx");
    assert_eq!(export_post["time_taken_ms"], 15126);
    assert_eq!(export_post["time_utc"], "2017-01-19T17:16:17Z");
    assert_eq!(export_post["time_local"], "2017-01-19T11:16:17-06:00");
}

#[test]
fn anonymous_export_download_is_not_matched_by_user() {
    let recs = records(&["logs", SAMPLE, "--user", "jsmith"]);
    assert!(
        !recs
            .iter()
            .any(|r| r["file"] == SAMPLE_DAY1 && (r["line"] == 137 || r["line"] == 138)),
        "rows with cs-username '-' must not match --user jsmith"
    );
}

#[test]
fn anonymous_export_download_is_found_by_path_and_ip() {
    let (recs, stderr) = ndjson(&["logs", SAMPLE, "--path", "/temp/*", "--ip", "73.21.44.9"]);
    assert_eq!(recs.len(), 1, "{recs:?}");
    let r = &recs[0];
    assert_eq!(r["file"], SAMPLE_DAY1);
    assert_eq!(r["line"], 138);
    assert_eq!(
        r["uri_stem"],
        "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip"
    );
    assert_eq!(r["username"], Value::Null);
    assert_eq!(r["time_utc"], "2017-01-19T17:16:30Z");
    assert_eq!(r["status"], 200);
    assert_eq!(r["time_taken_ms"], 6182);
    assert_eq!(
        summary(&stderr),
        "leaktrace: 2 files, 552 records, 1 matched, 0 malformed"
    );
}

// ------------------------------------------------------------ W3C edges

#[test]
fn header_blocks_each_row_is_read_with_its_own_fields() {
    let recs = records(&["logs", "testdata/w3c/blocks.log"]);
    assert_eq!(line_numbers(&recs), [6, 8, 9, 17, 18, 20, 26, 28]);
    // 15-field and 14-field blocks: no host, no byte counts.
    for line in [6, 8, 9, 26, 28] {
        let r = at_line(&recs, line);
        assert_eq!(r["host"], Value::Null, "line {line}");
        assert_eq!(r["bytes_sent"], Value::Null, "line {line}");
    }
    // 18-field block.
    for line in [17, 18, 20] {
        assert_eq!(at_line(&recs, line)["host"], "acme.angeltrack.com");
    }
    let zip = at_line(&recs, 20);
    assert_eq!(
        zip["uri_stem"],
        "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip"
    );
    assert_eq!(zip["bytes_sent"], 3_870_417);
    assert_eq!(zip["status"], 200);
    assert_eq!(at_line(&recs, 17)["time_taken_ms"], 15126);
    // 14-field block (no cs(Referer)): status is still in the right place.
    let post = at_line(&recs, 28);
    assert_eq!(post["referer"], Value::Null);
    assert_eq!(post["status"], 302);
    assert_eq!(post["username"], "jdoe");
}

#[test]
fn directives_comments_and_blank_lines_are_not_malformed() {
    let (_, stderr) = ndjson(&["logs", "testdata/w3c/blocks.log"]);
    assert_eq!(
        summary(&stderr),
        "leaktrace: 1 file, 8 records, 8 matched, 0 malformed"
    );
}

#[test]
fn vendor_sample_without_fields_reports_every_row_malformed_with_hint() {
    let o = run(&["--format", "ndjson", "logs", VENDOR]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stdout, "", "no shifted columns may be emitted");
    assert_eq!(
        summary(&o.stderr),
        "leaktrace: 1 file, 0 records, 0 matched, 11 malformed"
    );
    assert!(reason(&o.stderr, "testdata/w3c/vendor_sample.log:9:").contains("13 values"));
    assert!(o.stderr.contains("--fields"), "{}", o.stderr);
}

#[test]
fn vendor_sample_with_fields_override_reads_all_rows() {
    let (recs, stderr) = ndjson(&["logs", VENDOR, "--fields", VENDOR_FIELDS]);
    assert_eq!(line_numbers(&recs), (9..=19).collect::<Vec<_>>());
    assert!(summary(&stderr).ends_with("11 records, 11 matched, 0 malformed"));
    assert_eq!(recs[0]["time_utc"], "2016-10-02T00:25:21Z");
    assert_eq!(recs[0]["method"], "GET");
    assert_eq!(recs[0]["uri_stem"], "/Shifts.aspx");
    assert_eq!(recs[10]["time_utc"], "2016-10-02T00:25:45Z");
    assert_eq!(recs[10]["uri_query"], "ATSaveRefer=0");
    for r in &recs {
        assert_eq!(r["client_ip"], "127.0.0.1");
        assert!(r["username"] == "jdoe" || r["username"].is_null(), "{r}");
        assert_eq!(r["server_ip"], Value::Null);
        assert_eq!(r["status"], 200);
    }
    assert!(recs.iter().any(|r| r["username"] == "jdoe"));
}

#[test]
fn crlf_line_ends_and_bom_are_stripped() {
    let recs = records(&["logs", "testdata/w3c/crlf_bom.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7]);
    assert_eq!(recs[0]["uri_query"], "n=1");
    let taken: Vec<&Value> = recs.iter().map(|r| &r["time_taken_ms"]).collect();
    assert_eq!(taken, [200, 217, 234]);
    let mut texts = Vec::new();
    for r in &recs {
        all_strings(r, &mut texts);
    }
    assert!(
        texts
            .iter()
            .all(|s| !s.contains('\r') && !s.contains('\u{feff}')),
        "{texts:?}"
    );
}

#[test]
fn invalid_utf8_row_is_kept_with_replacement_characters() {
    let (recs, stderr) = ndjson(&["logs", "testdata/w3c/invalid_utf8.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7]);
    assert!(summary(&stderr).ends_with("0 malformed"));
    let r = at_line(&recs, 6);
    let stem = r["uri_stem"].as_str().unwrap();
    assert!(
        stem.starts_with("/Caf") && stem.ends_with("Menu.aspx"),
        "{stem}"
    );
    assert!(stem.contains('\u{FFFD}'), "{stem}");
    let ua = r["user_agent"].as_str().unwrap();
    assert!(ua.contains("Ren\u{FFFD}e\u{FFFD}Toolbar"), "{ua}");
    assert_eq!(r["status"], 200);
    assert_eq!(r["time_taken_ms"], 217);
}

#[test]
fn nul_padding_is_skipped_and_noted() {
    let (recs, stderr) = ndjson(&["logs", "testdata/w3c/nul_padding.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7]);
    assert!(summary(&stderr).ends_with("3 records, 3 matched, 0 malformed"));
    let note = reason(&stderr, "note: testdata/w3c/nul_padding.log:");
    assert!(note.contains("8192 NUL"), "{note}");
}

#[test]
fn log_restarted_after_nul_padding_is_read_to_the_end() {
    let (recs, stderr) = ndjson(&["logs", "testdata/w3c/nul_then_restart.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 11, 12]);
    assert_eq!(strings(&recs, "uri_query"), ["n=1", "n=2", "n=3", "n=4"]);
    assert_eq!(recs[2]["time_utc"], "2017-01-19T17:30:00Z");
    assert!(summary(&stderr).ends_with("4 records, 4 matched, 0 malformed"));
    let note = reason(&stderr, "note: testdata/w3c/nul_then_restart.log:");
    assert!(note.contains("600 NUL"), "{note}");
}

#[test]
fn truncated_last_row_is_reported_as_cut_off() {
    let (recs, stderr) = ndjson(&["logs", "testdata/w3c/truncated.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7]);
    assert!(summary(&stderr).ends_with("3 records, 3 matched, 1 malformed"));
    let why = reason(&stderr, "testdata/w3c/truncated.log:8:");
    assert!(why.contains("cut off"), "{why}");
}

#[test]
fn last_row_without_final_newline_is_kept() {
    let recs = records(&["logs", "testdata/w3c/no_final_newline.log"]);
    assert_eq!(line_numbers(&recs), [5, 6]);
    assert_eq!(recs[1]["uri_query"], "n=2");
    assert_eq!(recs[1]["time_taken_ms"], 217);
}

#[test]
fn ipv6_zone_ids_are_kept_in_addresses() {
    let recs = records(&["logs", IPV6]);
    assert_eq!(
        strings(&recs, "client_ip"),
        [
            "fe80::1ff:fe23:4567:890a%3",
            "2001:db8::7",
            "::ffff:73.21.44.9",
            "::1%0",
            "73.21.44.9"
        ]
    );
    assert_eq!(at_line(&recs, 8)["server_ip"], "::1%0");
}

#[test]
fn ip_cidr_filter_matches_zoned_link_local_address() {
    let recs = records(&["logs", IPV6, "--ip", "fe80::/10"]);
    assert_eq!(line_numbers(&recs), [5]);
}

#[test]
fn ipv4_filter_matches_ipv4_mapped_ipv6_address() {
    let recs = records(&["logs", IPV6, "--ip", "73.21.44.0/24"]);
    assert_eq!(line_numbers(&recs), [7, 9]);
}

#[test]
fn user_filter_matches_domain_qualified_name() {
    let recs = records(&["logs", IPV6, "--user", "jsmith"]);
    assert_eq!(line_numbers(&recs), [5]);
    assert_eq!(recs[0]["username"], "ACME\\jsmith");
}

#[test]
fn counters_above_32_bits_are_exact_json_numbers() {
    let o = run(&["--format", "ndjson", "logs", IPV6]);
    assert_eq!(o.code, Some(0));
    assert!(
        o.stdout.contains("\"bytes_sent\":5000000000,"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("\"win32_status\":4294967296123,"));
    let recs = parse_ndjson(&o.stdout);
    assert_eq!(
        at_line(&recs, 7)["bytes_sent"].as_u64(),
        Some(5_000_000_000)
    );
    assert_eq!(
        at_line(&recs, 8)["win32_status"].as_u64(),
        Some(4_294_967_296_123)
    );
}

#[test]
fn empty_value_between_two_spaces_is_null_and_columns_stay_aligned() {
    let (recs, stderr) = ndjson(&["logs", IPV6]);
    assert!(summary(&stderr).ends_with("5 records, 5 matched, 0 malformed"));
    let r = at_line(&recs, 9);
    assert_eq!(r["username"], Value::Null);
    assert_eq!(r["server_port"], 443);
    assert_eq!(r["client_ip"], "73.21.44.9");
    assert_eq!(r["method"], "GET");
    assert_eq!(r["uri_stem"], "/Shifts.aspx");
    assert!(r["user_agent"].as_str().unwrap().starts_with("Mozilla/5.0"));
    assert_eq!(r["referer"], "https://acme.angeltrack.com/Home.aspx");
    assert_eq!(r["host"], "acme.angeltrack.com");
    assert_eq!(r["status"], 200);
    assert_eq!(r["time_taken_ms"], 120);
}

#[test]
fn quoted_values_are_unquoted() {
    let recs = records(&["logs", "testdata/w3c/quoted.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7, 8]);
    for r in &recs {
        assert_eq!(r["user_agent"], "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
    }
    assert_eq!(at_line(&recs, 6)["uri_query"], "say \"hi\"");
    assert_eq!(at_line(&recs, 7)["referer"], Value::Null);
    let all_quoted = at_line(&recs, 8);
    assert_eq!(all_quoted["time_utc"], "2017-01-19T17:00:04Z");
    assert_eq!(all_quoted["status"], 200);
    assert_eq!(all_quoted["username"], Value::Null);
    assert_eq!(all_quoted["client_ip"], "73.21.44.9");
}

#[test]
fn rows_without_date_field_take_the_block_date_and_keep_fractions() {
    let (recs, stderr) = ndjson(&["logs", "testdata/w3c/no_date_field.log"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7, 12, 13, 14]);
    assert!(summary(&stderr).ends_with("0 malformed"));
    let got: Vec<jiff::Timestamp> = strings(&recs, "time_utc")
        .iter()
        .map(|t| {
            assert!(t.ends_with('Z'), "{t}");
            t.parse().unwrap()
        })
        .collect();
    let want: Vec<jiff::Timestamp> = [
        "2017-01-19T16:58:00Z",
        "2017-01-19T16:58:07.250Z",
        "2017-01-19T17:16:30.500Z",
        "2017-01-20T00:05:13Z",
        "2017-01-20T00:05:20.125Z",
        "2017-01-20T00:05:41Z",
    ]
    .iter()
    .map(|t| t.parse().unwrap())
    .collect();
    assert_eq!(got, want);
}

#[test]
fn headerless_file_is_read_with_default_layout_and_noted() {
    let (recs, stderr) = ndjson(&["logs", "testdata/w3c/no_header.log"]);
    assert_eq!(line_numbers(&recs), [1, 2, 4, 5]);
    assert_eq!(strings(&recs, "uri_query"), ["n=1", "n=2", "n=3", "n=4"]);
    assert!(recs.iter().all(|r| r["username"] == "jsmith"));
    let note = reason(&stderr, "note: testdata/w3c/no_header.log:");
    assert!(note.contains("default layout"), "{note}");
    assert!(summary(&stderr).ends_with("4 records, 4 matched, 1 malformed"));
    let why = reason(&stderr, "testdata/w3c/no_header.log:3:");
    assert!(why.contains("16 values"), "{why}");
}

#[test]
fn malformed_rows_are_reported_with_line_and_reason_and_valid_rows_kept() {
    let (recs, stderr) = ndjson(&["logs", MALFORMED, "--verbose"]);
    // Line 11 (sc-status `abc`) is kept, its status null.
    assert_eq!(line_numbers(&recs), [5, 6, 7, 11, 14, 15]);
    assert!(
        summary(&stderr)
            .ends_with("6 records, 6 matched, 5 malformed, 1 row kept with an invalid value"),
        "{stderr}"
    );
    for (line, text) in [
        (8, "14 values"),
        (9, "17 values"),
        (10, "2017-13-45"),
        (11, "'abc'"),
        (12, "25:61:00"),
        (13, "spaces"),
    ] {
        let why = reason(&stderr, &format!("{MALFORMED}:{line}:"));
        assert!(why.contains(text), "line {line}: {why}");
    }
}

#[test]
fn summary_shows_first_five_malformed_lines_without_verbose() {
    let o = run(&["--format", "ndjson", "logs", MALFORMED]);
    assert_eq!(o.code, Some(0));
    assert!(o.stderr.contains(&format!("{MALFORMED}:12:")));
    assert!(!o.stderr.contains(&format!("{MALFORMED}:13:")));
    assert!(o.stderr.contains("1 more"), "{}", o.stderr);
}

#[test]
fn quiet_suppresses_the_summary() {
    let o = run(&["-q", "--format", "ndjson", "logs", MALFORMED]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stderr, "");
    assert_eq!(parse_ndjson(&o.stdout).len(), 6);
}

// ---------------------------------------------------------- time zones

#[test]
fn local_times_follow_dst_in_chicago() {
    let recs = records(&["--tz", "America/Chicago", "logs", DST]);
    assert_eq!(
        strings(&recs, "time_utc"),
        [
            "2016-11-06T05:30:00Z",
            "2016-11-06T06:30:00Z",
            "2016-11-06T07:30:00Z",
            "2016-11-06T08:30:00Z",
            "2016-11-06T09:30:00Z",
            "2016-11-06T10:30:00Z",
            "2017-03-12T07:30:00Z",
            "2017-03-12T08:30:00Z",
            "2017-03-12T09:30:00Z",
            "2017-03-12T10:30:00Z",
            "2017-03-12T11:30:00Z",
        ]
    );
    assert_eq!(
        strings(&recs, "time_local"),
        [
            "2016-11-06T00:30:00-05:00",
            "2016-11-06T01:30:00-05:00",
            "2016-11-06T01:30:00-06:00",
            "2016-11-06T02:30:00-06:00",
            "2016-11-06T03:30:00-06:00",
            "2016-11-06T04:30:00-06:00",
            "2017-03-12T01:30:00-06:00",
            "2017-03-12T03:30:00-05:00",
            "2017-03-12T04:30:00-05:00",
            "2017-03-12T05:30:00-05:00",
            "2017-03-12T06:30:00-05:00",
        ]
    );
}

#[test]
fn local_times_follow_dst_in_los_angeles() {
    let recs = records(&["--tz", "America/Los_Angeles", "logs", DST]);
    assert_eq!(
        strings(&recs, "time_local"),
        [
            "2016-11-05T22:30:00-07:00",
            "2016-11-05T23:30:00-07:00",
            "2016-11-06T00:30:00-07:00",
            "2016-11-06T01:30:00-07:00",
            "2016-11-06T01:30:00-08:00",
            "2016-11-06T02:30:00-08:00",
            "2017-03-11T23:30:00-08:00",
            "2017-03-12T00:30:00-08:00",
            "2017-03-12T01:30:00-08:00",
            "2017-03-12T03:30:00-07:00",
            "2017-03-12T04:30:00-07:00",
        ]
    );
}

#[test]
fn table_shows_zone_abbreviations_across_dst() {
    let o = run(&["--tz", "America/Chicago", "logs", DST]);
    assert_eq!(o.code, Some(0));
    for shown in [
        "2016-11-06 00:30:00 CDT",
        "2016-11-06 01:30:00 CDT",
        "2016-11-06 01:30:00 CST",
        "2016-11-06 04:30:00 CST",
        "2017-03-12 01:30:00 CST",
        "2017-03-12 03:30:00 CDT",
    ] {
        assert!(o.stdout.contains(shown), "{shown} missing:\n{}", o.stdout);
    }
    assert!(!o.stdout.contains("2017-03-12 02:"), "{}", o.stdout);
}

#[test]
fn default_zone_is_utc() {
    let recs = records(&["logs", DST]);
    assert_eq!(recs[0]["time_local"], "2016-11-06T05:30:00+00:00");
}

#[test]
fn global_options_may_follow_the_subcommand() {
    let o = run(&[
        "logs",
        DST,
        "--format",
        "ndjson",
        "--tz",
        "America/Chicago",
        "-q",
    ]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stderr, "");
    let recs = parse_ndjson(&o.stdout);
    assert_eq!(recs[0]["time_local"], "2016-11-06T00:30:00-05:00");
}

// -------------------------------------------------------- --since/--until

#[test]
fn since_is_inclusive_and_until_is_exclusive() {
    let lines = filter_lines(&["--since", "2017-01-19 10:03", "--until", "2017-01-19 10:06"]);
    assert_eq!(lines, [8, 9, 10]);
}

#[test]
fn time_bounds_accept_rfc3339_instants_with_offsets() {
    let lines = filter_lines(&[
        "--since",
        "2017-01-19T04:03:00-06:00",
        "--until",
        "2017-01-19T10:06:00Z",
    ]);
    assert_eq!(lines, [8, 9, 10]);
}

#[test]
fn local_time_bounds_are_read_in_tz() {
    let recs = records(&[
        "--tz",
        "America/Chicago",
        "logs",
        FILTERS,
        "--since",
        "2017-01-19 04:03",
        "--until",
        "2017-01-19 04:06:00",
    ]);
    assert_eq!(line_numbers(&recs), [8, 9, 10]);
}

#[test]
fn tz_can_come_from_leaktrace_tz_env() {
    let (recs, _) = ndjson_cmd(leaktrace().env("LEAKTRACE_TZ", "America/Chicago").args([
        "logs",
        FILTERS,
        "--since",
        "2017-01-19 04:03",
        "--until",
        "2017-01-19 04:06",
    ]));
    assert_eq!(line_numbers(&recs), [8, 9, 10]);
    assert_eq!(recs[0]["time_local"], "2017-01-19T04:03:00-06:00");
}

#[test]
fn tz_option_overrides_leaktrace_tz_env() {
    let (recs, _) = ndjson_cmd(leaktrace().env("LEAKTRACE_TZ", "America/Chicago").args([
        "--tz",
        "UTC",
        "logs",
        FILTERS,
        "--since",
        "2017-01-19 10:13",
    ]));
    assert_eq!(line_numbers(&recs), [18, 19]);
}

#[test]
fn date_only_until_includes_the_whole_local_day() {
    let recs = records(&[
        "--tz",
        "America/Chicago",
        "logs",
        SAMPLE,
        "--until",
        "2017-01-19",
    ]);
    // 2017-01-20 00:05:20 UTC is 2017-01-19 18:05:20 in Chicago.
    assert!(
        recs.iter()
            .any(|r| r["file"] == "testdata/sample/u_ex170120.log" && r["line"] == 24)
    );
    let times = strings(&recs, "time_utc");
    assert!(
        times.iter().all(|t| t.as_str() < "2017-01-20T06:00:00Z"),
        "a row after local midnight was kept"
    );
}

#[test]
fn date_only_until_ends_at_the_next_local_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = HEADER_15.as_bytes().to_vec();
    for (n, time) in ["05:59:59", "06:00:00"].iter().enumerate() {
        log.extend_from_slice(
            format!("2017-01-20 {time} 10.0.1.15 GET /a n={n} 443 jsmith 1.2.3.4 UA - 200 0 0 1\n")
                .as_bytes(),
        );
    }
    let path = write_log(dir.path(), "midnight.log", &log);
    let recs = records(&[
        "--tz",
        "America/Chicago",
        "logs",
        &path,
        "--until",
        "2017-01-19",
    ]);
    assert_eq!(strings(&recs, "time_local"), ["2017-01-19T23:59:59-06:00"]);
}

#[test]
fn date_only_since_starts_at_local_midnight() {
    let lines = filter_lines(&["--since", "2017-01-19"]);
    assert_eq!(lines.len(), 15);
    assert!(filter_lines(&["--since", "2017-01-20"]).is_empty());
    assert!(filter_lines(&["--until", "2017-01-18"]).is_empty());
}

#[test]
fn skipped_local_time_is_a_usage_error_naming_both_instants() {
    leaktrace()
        .args(["--tz", "America/Chicago", "logs", DST])
        .args(["--since", "2017-03-12 02:30"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("2017-03-12T07:30:00Z")
                .and(predicate::str::contains("2017-03-12T08:30:00Z")),
        );
}

#[test]
fn repeated_local_time_is_a_usage_error_naming_both_instants() {
    leaktrace()
        .args(["--tz", "America/Chicago", "logs", DST])
        .args(["--since", "2016-11-06 01:30"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("2016-11-06T06:30:00Z")
                .and(predicate::str::contains("2016-11-06T07:30:00Z")),
        );
}

#[test]
fn repeated_local_time_with_offset_selects_the_second_occurrence() {
    let recs = records(&[
        "--tz",
        "America/Chicago",
        "logs",
        DST,
        "--since",
        "2016-11-06T01:30:00-06:00",
    ]);
    assert_eq!(line_numbers(&recs), [7, 8, 9, 10, 15, 16, 17, 18, 19]);
}

#[test]
fn records_without_utc_time_are_noted_and_never_match_time_filters() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(
        dir.path(),
        "undated.log",
        b"#Fields: time c-ip cs-method cs-uri-stem sc-status\n10:00:00 1.2.3.4 GET /a 200\n",
    );
    let (recs, stderr) = ndjson(&["logs", &log]);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["time_utc"], Value::Null);
    assert_eq!(recs[0]["time_local"], Value::Null);
    assert!(stderr.contains("no UTC time"), "{stderr}");
    assert!(records(&["logs", &log, "--since", "2000-01-01"]).is_empty());
}

// -------------------------------------------------------------- filters

#[test]
fn user_filter_is_whole_name_any_case_with_or_without_domain() {
    assert_eq!(
        filter_lines(&["--user", "jsmith"]),
        [5, 6, 7, 13, 15, 16, 18]
    );
    assert_eq!(
        filter_lines(&["--user", "JSMITH"]),
        [5, 6, 7, 13, 15, 16, 18]
    );
    assert_eq!(filter_lines(&["--user", "jsmith2"]), [8, 17]);
}

#[test]
fn user_filter_with_domain_matches_only_that_domain() {
    assert_eq!(filter_lines(&["--user", "acme\\JSmith"]), [7, 18]);
    assert!(filter_lines(&["--user", "OTHER\\jsmith"]).is_empty());
}

#[test]
fn ip_filter_matches_exact_ipv4_address() {
    assert_eq!(filter_lines(&["--ip", "73.21.44.9"]), [5, 6, 10, 15, 18]);
}

#[test]
fn ip_filter_matches_ipv4_cidr() {
    assert_eq!(
        filter_lines(&["--ip", "73.21.44.0/24"]),
        [5, 6, 7, 10, 11, 15, 17, 18]
    );
    assert_eq!(
        filter_lines(&["--ip", "73.21.0.0/16"]),
        [5, 6, 7, 8, 10, 11, 14, 15, 17, 18, 19]
    );
}

#[test]
fn ip_filter_matches_ipv6_cidr() {
    assert_eq!(filter_lines(&["--ip", "2001:db8::/32"]), [9, 13]);
    assert_eq!(filter_lines(&["--ip", "2001:DB8::7"]), [9, 13]);
}

#[test]
fn path_glob_is_anchored_case_insensitive_and_star_crosses_slashes() {
    // Not /images/temp/a.gif (10) nor /templates/t.html (11).
    assert_eq!(filter_lines(&["--path", "/temp/*"]), [5, 12, 13, 14, 16]);
    assert_eq!(filter_lines(&["--path", "/TEMP/*"]), [5, 12, 13, 14, 16]);
    assert_eq!(filter_lines(&["--path", "*.zip"]), [5, 13, 14]);
}

#[test]
fn method_filter_ignores_case() {
    assert_eq!(filter_lines(&["--method", "head"]), [13, 17]);
    assert_eq!(
        filter_lines(&["--method", "GET"]),
        [5, 6, 8, 9, 10, 11, 12, 14, 16, 18]
    );
}

#[test]
fn status_filter_takes_a_code_or_a_class() {
    assert_eq!(filter_lines(&["--status", "404"]), [14, 16]);
    assert_eq!(filter_lines(&["--status", "4xx"]), [14, 16]);
    assert_eq!(filter_lines(&["--status", "5XX"]), [15, 19]);
    assert_eq!(filter_lines(&["--status", "302"]), [7, 18]);
}

#[test]
fn repeated_filter_flags_are_ored() {
    assert_eq!(
        filter_lines(&["--method", "head", "--method", "post"]),
        [7, 13, 15, 17, 19]
    );
    assert_eq!(
        filter_lines(&["--status", "404", "--status", "5xx"]),
        [14, 15, 16, 19]
    );
    assert_eq!(
        filter_lines(&["--ip", "73.21.44.9", "--ip", "2001:db8::/32"]),
        [5, 6, 9, 10, 13, 15, 18]
    );
}

#[test]
fn different_filter_flags_are_anded() {
    assert_eq!(
        filter_lines(&["--method", "GET", "--path", "/temp/*", "--status", "200"]),
        [5, 12]
    );
    assert_eq!(
        filter_lines(&["--user", "jsmith", "--ip", "73.21.44.9"]),
        [5, 6, 15, 18]
    );
}

// -------------------------------------------------------------- inputs

#[test]
fn gzip_log_reads_like_the_plain_log() {
    let plain = records(&["logs", SAMPLE_DAY1]);
    let gz = records(&["logs", "testdata/gz/u_ex170119.log.gz"]);
    assert_eq!(plain.len(), 312);
    assert!(
        gz.iter()
            .all(|r| r["file"] == "testdata/gz/u_ex170119.log.gz")
    );
    let plain: Vec<Value> = plain.into_iter().map(without_file).collect();
    let gz: Vec<Value> = gz.into_iter().map(without_file).collect();
    assert_eq!(plain, gz);
}

#[test]
fn concatenated_gzip_members_are_all_read() {
    let recs = records(&["logs", "testdata/gz/concat.log.gz"]);
    assert_eq!(line_numbers(&recs), [5, 6, 7, 8]);
    assert_eq!(recs[3]["time_utc"], "2017-01-19T17:00:30Z");
}

#[test]
fn truncated_gzip_keeps_the_rows_before_the_damage_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read("testdata/gz/u_ex170119.log.gz").unwrap();
    let cut = dir.path().join("cut.log.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let out = run(&["--format", "ndjson", "logs", cut.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let rows = out.stdout.lines().count();
    assert!(rows > 50 && rows < 312, "{rows} rows recovered");
    assert!(out.stderr.contains("read stopped after"), "{}", out.stderr);
    assert!(out.stderr.contains("1 unreadable"), "{}", out.stderr);
}

#[test]
fn directories_are_walked_recursively_in_name_order() {
    let (recs, stderr) = ndjson(&["logs", "testdata/tree"]);
    assert_eq!(
        strings(&recs, "file"),
        [
            "testdata/tree/a/1.log",
            "testdata/tree/a/2.log",
            "testdata/tree/b.log",
            "testdata/tree/c/sub/z.log.gz",
        ]
    );
    assert_eq!(
        strings(&recs, "uri_stem"),
        [
            "/tree/a/1.log",
            "/tree/a/2.log",
            "/tree/b.log",
            "/tree/c/sub/z.log.gz"
        ]
    );
    assert!(summary(&stderr).starts_with("leaktrace: 4 files, 4 records"));
}

#[test]
fn dash_reads_standard_input() {
    let input = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_DAY1)).unwrap();
    let (recs, _) = ndjson_cmd(leaktrace().args(["logs", "-"]).write_stdin(input));
    assert_eq!(recs.len(), 312);
    assert!(recs.iter().all(|r| r["file"] == "-"));
    assert_eq!(recs[0]["line"], 5);
}

#[test]
fn csv_from_standard_input_named_its_file_with_a_formula_guard() {
    // The `file` of standard input is `-`, which was written `'-`.
    let input = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_DAY1)).unwrap();
    let out = leaktrace()
        .args(["--format", "csv", "logs", "-", "--user", "jsmith"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| &r[0] == "-"), "{:?}", rows[0]);
}

#[test]
fn gzip_on_standard_input_is_decompressed() {
    let input =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/gz/concat.log.gz"))
            .unwrap();
    let (recs, _) = ndjson_cmd(leaktrace().args(["logs", "-"]).write_stdin(input));
    assert_eq!(line_numbers(&recs), [5, 6, 7, 8]);
}

#[test]
fn missing_file_exits_1_and_other_files_are_still_processed() {
    let o = run(&[
        "--format",
        "ndjson",
        "logs",
        "testdata/w3c/blocks.log",
        "testdata/does-not-exist.log",
        "testdata/w3c/crlf_bom.log",
    ]);
    assert_eq!(o.code, Some(1));
    let recs = parse_ndjson(&o.stdout);
    assert_eq!(recs.len(), 11);
    assert_eq!(recs[0]["file"], "testdata/w3c/blocks.log");
    assert_eq!(recs[10]["file"], "testdata/w3c/crlf_bom.log");
    assert!(
        o.stderr.contains("testdata/does-not-exist.log"),
        "{}",
        o.stderr
    );
}

// -------------------------------------------------------------- output

#[test]
fn ndjson_records_have_the_documented_keys_in_order() {
    let o = run(&["--format", "ndjson", "logs", IPV6]);
    assert_eq!(o.code, Some(0));
    for line in o.stdout.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let keys: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = RECORD_KEYS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want, "key set");
        let positions: Vec<usize> = RECORD_KEYS
            .iter()
            .map(|k| {
                line.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("{k} missing"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "order: {line}");
    }
}

#[test]
fn unknown_w3c_fields_go_to_extra_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(
        dir.path(),
        "extra.log",
        b"#Fields: date time c-ip cs-method cs-uri-stem sc-status cs(Cookie) x-custom\n\
          2017-01-19 10:00:00 1.2.3.4 GET /a 200 a=1 -\n",
    );
    let recs = records(&["logs", &log]);
    assert_eq!(recs.len(), 1);
    assert_eq!(
        recs[0]["extra"],
        serde_json::json!({"cs(Cookie)": "a=1", "x-custom": null})
    );
}

#[test]
fn json_output_is_one_array_of_records() {
    let o = run(&["--format", "json", "logs", "testdata/gz/concat.log.gz"]);
    assert_eq!(o.code, Some(0));
    let v: Value = serde_json::from_str(&o.stdout).expect("valid JSON");
    let recs = v.as_array().expect("an array");
    assert_eq!(line_numbers(recs), [5, 6, 7, 8]);
    assert_eq!(recs[0]["file"], "testdata/gz/concat.log.gz");
}

#[test]
fn json_output_with_no_match_is_an_empty_array() {
    let o = run(&["--format", "json", "logs", FILTERS, "--user", "nobody"]);
    assert_eq!(o.code, Some(0));
    let v: Value = serde_json::from_str(&o.stdout).expect("valid JSON");
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn ndjson_is_one_object_per_line() {
    let o = run(&["--format", "ndjson", "logs", FILTERS]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stdout.lines().count(), 15);
    assert!(o.stdout.ends_with("}\n"));
    assert_eq!(parse_ndjson(&o.stdout).len(), 15);
    let none = run(&["--format", "ndjson", "logs", FILTERS, "--user", "nobody"]);
    assert_eq!(none.stdout, "");
}

#[test]
fn csv_output_has_header_row_and_one_row_per_record() {
    let o = run(&["--format", "csv", "logs", "testdata/w3c/quoted.log"]);
    assert_eq!(o.code, Some(0));
    let mut reader = csv::Reader::from_reader(o.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, RECORD_KEYS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][1], "5");
    assert_eq!(&rows[1][8], "say \"hi\"");
    assert_eq!(&rows[2][12], "", "null is an empty cell");
    assert_eq!(&rows[0][11], "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
}

#[test]
fn csv_cells_that_look_like_formulas_are_defused() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = HEADER_15.as_bytes().to_vec();
    log.extend_from_slice(
        b"2017-01-19 10:00:00 10.0.1.15 GET /a - 443 @SUM(A1) 1.2.3.4 =cmd|'/c+calc'!A0 +x 200 0 0 1\n\
          2017-01-19 10:00:01 10.0.1.15 GET -2+3 - 443 jsmith 1.2.3.4 Mozilla/5.0 - 200 0 0 1\n",
    );
    let path = write_log(dir.path(), "inject.log", &log);
    let o = run(&["--format", "csv", "logs", &path]);
    assert_eq!(o.code, Some(0));
    let mut reader = csv::Reader::from_reader(o.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][9], "'@SUM(A1)");
    assert_eq!(&rows[0][11], "'=cmd|'/c+calc'!A0");
    assert_eq!(&rows[0][12], "'+x");
    assert_eq!(&rows[1][7], "'-2+3");
    assert_eq!(&rows[1][9], "jsmith");
}

#[test]
fn count_prints_only_the_number() {
    let o = run(&["logs", SAMPLE, "--count"]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stdout, "552\n");
    // GET /temp/ on day 1 lines 138, 149, 150, 181, 260 and day 2 lines 24,
    // 204; POST /temp/ on day 1 line 147.
    for (format, expected) in [
        ("table", "8\n"),
        ("json", "{\"matched\":8}\n"),
        ("ndjson", "{\"matched\":8}\n"),
        ("csv", "matched\n8\n"),
    ] {
        let o = run(&[
            "--format", format, "logs", SAMPLE, "--path", "/temp/*", "--count",
        ]);
        assert_eq!(o.stdout, expected, "--format {format}");
    }
}

#[test]
fn table_escapes_control_characters_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = HEADER_15.as_bytes().to_vec();
    log.extend_from_slice(
        b"2017-01-19 10:00:00 10.0.1.15 GET /a\x1b[2J\x1b]0;pwned\x07b - 443 jsmith 1.2.3.4 Mozilla/5.0 - 200 0 0 1\n",
    );
    let path = write_log(dir.path(), "esc.log", &log);
    let o = run(&["logs", &path]);
    assert_eq!(o.code, Some(0));
    assert!(
        !o.stdout.contains('\x1b'),
        "raw ESC in table: {:?}",
        o.stdout
    );
    assert!(
        !o.stdout.contains('\x07'),
        "raw BEL in table: {:?}",
        o.stdout
    );
    assert!(o.stdout.contains("\\x1b"), "{}", o.stdout);
    assert!(o.stdout.contains("jsmith"));
}

#[test]
fn closed_output_pipe_exits_0() {
    // About 1.3 MB of NDJSON: far more than a pipe buffer holds, so the
    // writes after the reader is gone must fail with a broken pipe.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leaktrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LEAKTRACE_TZ")
        .args(["--format", "ndjson", "logs", SAMPLE, SAMPLE, SAMPLE, SAMPLE])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn leaktrace");
    let mut first = String::new();
    {
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        reader.read_line(&mut first).unwrap();
    }
    assert!(first.starts_with('{'), "{first}");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

// --------------------------------------------------------- usage errors

fn assert_usage_error(cmd: &mut Command, message: &str) {
    cmd.assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(message));
}

#[test]
fn unknown_time_zone_is_a_usage_error() {
    assert_usage_error(
        leaktrace().args(["--tz", "Mars/Olympus", "logs", DST]),
        "Mars/Olympus",
    );
}

#[test]
fn unknown_time_zone_from_env_is_a_usage_error() {
    assert_usage_error(
        leaktrace()
            .env("LEAKTRACE_TZ", "Mars/Olympus")
            .args(["logs", DST]),
        "Mars/Olympus",
    );
}

#[test]
fn bad_ip_is_a_usage_error() {
    assert_usage_error(leaktrace().args(["logs", DST, "--ip", "1.2.3"]), "1.2.3");
    assert_usage_error(
        leaktrace().args(["logs", DST, "--ip", "10.0.0.0/33"]),
        "--ip",
    );
}

#[test]
fn bad_status_is_a_usage_error() {
    assert_usage_error(
        leaktrace().args(["logs", DST, "--status", "4x"]),
        "--status",
    );
    assert_usage_error(
        leaktrace().args(["logs", DST, "--status", "abc"]),
        "--status",
    );
}

#[test]
fn empty_field_list_is_a_usage_error() {
    assert_usage_error(leaktrace().args(["logs", DST, "--fields", ""]), "--fields");
    assert_usage_error(
        leaktrace().args(["logs", DST, "--fields", "   "]),
        "--fields",
    );
}

#[test]
fn since_not_before_until_is_a_usage_error() {
    assert_usage_error(
        leaktrace().args([
            "logs",
            DST,
            "--since",
            "2017-01-02",
            "--until",
            "2017-01-01",
        ]),
        "--since",
    );
    assert_usage_error(
        leaktrace().args([
            "logs",
            DST,
            "--since",
            "2017-01-19T10:00:00Z",
            "--until",
            "2017-01-19T10:00:00Z",
        ]),
        "--since",
    );
}

#[test]
fn unparsable_time_is_a_usage_error() {
    assert_usage_error(
        leaktrace().args(["logs", DST, "--since", "yesterday"]),
        "yesterday",
    );
    assert_usage_error(
        leaktrace().args(["logs", DST, "--until", "2017-02-30"]),
        "--until",
    );
}

#[test]
fn bad_command_line_is_a_usage_error() {
    assert_usage_error(leaktrace().args(["--format", "xml", "logs", DST]), "xml");
    assert_usage_error(leaktrace().args(["logs"]), "<LOG>");
    assert_usage_error(leaktrace().args(["logs", DST, "--bogus"]), "--bogus");
}

// ------------------------------------------------------------- hardening

/// A row of the 15-field layout by jsmith at a `YYYY-MM-DD HH:MM:SS`.
fn row_at(date_time: &str, stem: &str) -> String {
    format!("{date_time} 10.0.1.15 GET {stem} - 443 jsmith 73.21.44.9 Mozilla/5.0 - 200 0 0 15\n")
}

#[test]
fn row_dated_9999_is_malformed_not_read_as_1970() {
    // Once `unwrap_or(0)`: 9999-12-31 10:00:00 came out as
    // 1970-01-01T10:00:00Z, matched --since 1970-01-01, and no word was said.
    let dir = tempfile::tempdir().unwrap();
    let log = format!(
        "{HEADER_15}{}{}",
        row_at("2017-01-19 17:16:30", "/ok.aspx"),
        row_at("9999-12-31 10:00:00", "/far.aspx")
    );
    let path = write_log(dir.path(), "far.log", log.as_bytes());
    for (bound, at, matched) in [("--since", "1970-01-01", 1), ("--until", "1970-01-02", 0)] {
        let o = run(&["--format", "ndjson", "logs", &path, bound, at]);
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        let recs = parse_ndjson(&o.stdout);
        assert_eq!(recs.len(), matched, "{}", o.stdout);
        assert!(
            recs.iter().all(|r| r["uri_stem"] == "/ok.aspx"),
            "{}",
            o.stdout
        );
        assert_eq!(
            summary(&o.stderr),
            format!("leaktrace: 1 file, 1 record, {matched} matched, 1 malformed")
        );
        assert!(
            reason(&o.stderr, &format!("{path}:3:"))
                .contains("date '9999-12-31' is out of range: leaktrace places times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z"),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn block_date_9999_makes_its_rows_malformed_not_1970() {
    let dir = tempfile::tempdir().unwrap();
    let log = "#Date: 9999-12-31 00:00:00\n#Fields: time cs-uri-stem c-ip\n10:00:00 /a 1.2.3.4\n\
               #Date: 2017-01-19 00:00:00\n10:00:00 /b 1.2.3.4\n";
    let path = write_log(dir.path(), "far_block.log", log.as_bytes());
    let o = run(&["--format", "ndjson", "logs", &path]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let recs = parse_ndjson(&o.stdout);
    assert_eq!(strings(&recs, "time_utc"), ["2017-01-19T10:00:00Z"]);
    assert_eq!(
        summary(&o.stderr),
        "leaktrace: 1 file, 1 record, 1 matched, 1 malformed"
    );
    assert!(
        reason(&o.stderr, &format!("{path}:3:"))
            .contains("date '9999-12-31' (the block's #Date) is out of range"),
        "{}",
        o.stderr
    );
}

/// The log of `row_dated_2500_is_malformed_in_logs_as_in_sessions` (and its
/// twin in tests/sessions.rs): the same bytes must read the same everywhere.
fn far_future_log() -> String {
    format!(
        "{HEADER_15}{}{}{}",
        row_at("2017-01-19 17:16:30", "/Home.aspx"),
        row_at("2500-01-01 00:00:00", "/Far.aspx"),
        row_at("2262-04-11 23:59:59", "/Edge.aspx")
    )
}

#[test]
fn row_dated_2500_is_malformed_in_logs_as_in_sessions() {
    // Once 2500 here and 2262-04-11T23:47:16.854775807Z in `sessions`.
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), "far.log", far_future_log().as_bytes());
    let (recs, stderr) = ndjson(&["logs", &path]);
    assert_eq!(strings(&recs, "time_utc"), ["2017-01-19T17:16:30Z"]);
    assert_eq!(
        summary(&stderr),
        "leaktrace: 1 file, 1 record, 1 matched, 2 malformed"
    );
    assert!(
        reason(&stderr, &format!("{path}:3:")).contains("date '2500-01-01' is out of range"),
        "{stderr}"
    );
    assert!(
        reason(&stderr, &format!("{path}:4:"))
            .contains("date and time '2262-04-11 23:59:59' are out of range"),
        "{stderr}"
    );
}

#[test]
fn fields_line_of_70000_names_is_reported_and_its_rows_are_not_read() {
    // Once `unwrap_or(u16::MAX)`: c-ip, the 70,000th name, read value 65,535.
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..69_999).map(|i| format!("x-{i}")).collect();
    let mut log = format!("#Fields: {} c-ip\n", names.join(" "));
    log.push_str(&"- ".repeat(69_999));
    log.push_str("73.21.44.9\n");
    log.push_str(HEADER_15);
    log.push_str(&row_at("2017-01-19 17:16:30", "/Home.aspx"));
    let path = write_log(dir.path(), "wide.log", log.as_bytes());
    let o = run(&["--format", "ndjson", "logs", &path]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let recs = parse_ndjson(&o.stdout);
    assert_eq!(line_numbers(&recs), [4]);
    assert_eq!(
        summary(&o.stderr),
        "leaktrace: 1 file, 1 record, 1 matched, 2 malformed"
    );
    assert_eq!(
        reason(&o.stderr, &format!("{path}:1:")).trim(),
        format!(
            "{path}:1: a #Fields line of 70000 names, over the limit of 256; the rows of its block are not read"
        )
    );
    assert!(
        reason(&o.stderr, &format!("{path}:2:"))
            .contains("not read: its #Fields line names 70000 fields, over the limit of 256"),
        "{}",
        o.stderr
    );
}

/// Bytes like an executable's: an ELF header, then 256 KiB of a fixed
/// pseudo-random mix of NULs, newlines, spaces and other bytes. (These
/// tests read leaktrace's own executable once; but it holds the directive
/// names as text, and where the linker put one after a newline it was
/// rightly read as a log, so the tests failed by the build's layout.)
fn executable_like() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    while bytes.len() < 256 << 10 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push(match state % 16 {
            0..=5 => 0,
            6 => b'\n',
            7 => b' ',
            _ => (state >> 8) as u8,
        });
    }
    bytes
}

#[test]
fn binary_named_on_the_command_line_is_not_a_log_and_exits_1() {
    // Once "155523 malformed" and exit 0, on the test's own executable.
    let dir = tempfile::tempdir().unwrap();
    let elf = write_log(dir.path(), "a.out", &executable_like());
    let elf = elf.as_str();
    let o = run(&["--format", "ndjson", "logs", elf, FILTERS]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(parse_ndjson(&o.stdout).len(), 15, "the log is still read");
    assert!(
        o.stderr.lines().any(|l| l
            == format!(
                "leaktrace: {elf}: not a W3C text log (no W3C directive, and no row fits a default layout or --fields)"
            )),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .lines()
            .any(|l| l == "leaktrace: 2 files, 15 records, 15 matched, 0 malformed, 1 unreadable"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains(&format!("{elf}:1:")), "{}", o.stderr);
}

#[test]
fn binary_on_standard_input_is_not_a_log_and_exits_1() {
    let o = run_cmd(
        leaktrace()
            .args(["logs", "-", "--count"])
            .write_stdin(executable_like()),
    );
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(o.stdout, "0\n");
    assert!(
        o.stderr
            .contains("leaktrace: -: not a W3C text log (no W3C directive"),
        "{}",
        o.stderr
    );
}

#[test]
fn text_with_nothing_w3c_is_not_a_log_but_a_headerless_log_is() {
    let dir = tempfile::tempdir().unwrap();
    let notes = write_log(
        dir.path(),
        "notes.txt",
        b"meeting at noon\nbring the laptop\n",
    );
    let o = run(&["logs", &notes, "--count"]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.contains("not a W3C text log"), "{}", o.stderr);
    // A headerless log with a bad row, and a log whose rows all miss its
    // #Fields, are logs: their rows are reported, the exit status is 0.
    for log in ["testdata/w3c/no_header.log", VENDOR] {
        let o = run(&["logs", log, "--count"]);
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        assert!(!o.stderr.contains("not a W3C text log"), "{}", o.stderr);
        assert!(
            !summary(&o.stderr).ends_with(" 0 malformed"),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn binary_met_while_walking_a_directory_is_skipped_and_exits_1() {
    // Not a log, wherever it was found: skipped, reported, exit 1; the
    // folder's logs are still read.
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), "a.bin", &executable_like());
    let log = format!("{HEADER_15}{}", row_at("2017-01-19 17:16:30", "/Home.aspx"));
    write_log(dir.path(), "b.log", log.as_bytes());
    let folder = dir.path().to_str().unwrap();
    let o = run(&["logs", folder, "--count"]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(o.stdout, "1\n");
    let bin = dir.path().join("a.bin");
    assert!(
        o.stderr.contains(&format!(
            "leaktrace: {}: not a W3C text log (no W3C directive",
            bin.display()
        )),
        "{}",
        o.stderr
    );
}

#[test]
fn empty_file_is_an_empty_log_noted_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write_log(dir.path(), "u_ex170121.log", b"");
    let padded = write_log(dir.path(), "u_ex170122.log", &[0u8; 4096]);
    let o = run(&["logs", &empty, &padded, "--count"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "0\n");
    for name in [&empty, &padded] {
        assert!(
            o.stderr.contains(&format!(
                "note: {name}: empty: no row and no directive (a log with nothing in it yet?)"
            )),
            "{}",
            o.stderr
        );
    }
    assert!(!o.stderr.contains("not a W3C"), "{}", o.stderr);
}

// ------------------------------------------------- rows with an invalid value

/// A log of the IIS 8.5 layout whose line 3 is `row`, between two valid rows.
fn log_with_row(dir: &Path, row: &str) -> String {
    let valid = "2017-01-19 10:00:00 10.0.1.15 GET /a n=1 443 jsmith 10.9.8.7 UA - 200 0 0 1\n";
    let log = format!("{HEADER_15}{valid}{row}\n{valid}");
    write_log(dir, "u_ex170119.log", log.as_bytes())
}

#[test]
fn a_row_with_a_damaged_client_ip_is_kept_with_the_value_under_invalid() {
    // As in a public corpus file: the address copied through markdown.
    let dir = tempfile::tempdir().unwrap();
    let path = log_with_row(
        dir.path(),
        "2017-01-19 10:00:01 10.0.1.15 GET /Temp/a.zip x=1 443 jsmith [10.1.2.3](http://10.1.2.3) UA - 200 0 0 7",
    );
    let (recs, stderr) = ndjson(&["logs", &path]);
    assert_eq!(line_numbers(&recs), [2, 3, 4]);
    let kept = at_line(&recs, 3);
    assert_eq!(kept["client_ip"], Value::Null);
    assert_eq!(
        kept["invalid"],
        serde_json::json!({"c-ip": "[10.1.2.3](http://10.1.2.3)"})
    );
    assert_eq!(kept["username"], "jsmith");
    assert_eq!(kept["uri_stem"], "/Temp/a.zip");
    assert_eq!(kept["server_ip"], "10.0.1.15");
    assert_eq!(kept["status"], 200);
    assert_eq!(kept["time_taken_ms"], 7);
    assert_eq!(kept["time_utc"], "2017-01-19T10:00:01Z");
    assert_eq!(at_line(&recs, 2)["invalid"], Value::Null);
    assert!(
        summary(&stderr)
            .ends_with("3 records, 3 matched, 0 malformed, 1 row kept with an invalid value"),
        "{stderr}"
    );
    let why = reason(&stderr, &format!("{path}:3:"));
    assert!(
        why.ends_with("c-ip '[10.1.2.3](http://10.1.2.3)' is not an IP address; the row is kept, the value as logged under \"invalid\""),
        "{why}"
    );
    // CSV: the object as a JSON string, in the last column.
    let o = run(&["--format", "csv", "logs", &path]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let mut reader = csv::Reader::from_reader(o.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[1][23], r#"{"c-ip":"[10.1.2.3](http://10.1.2.3)"}"#);
    assert_eq!(&rows[0][23], "");
}

#[test]
fn garbage_in_a_number_field_keeps_the_row_and_filters_on_it_do_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with_row(
        dir.path(),
        "2017-01-19 10:00:01 10.0.1.15 GET /b - 443 jsmith 10.1.2.3 UA - 200 x7 0 9",
    );
    let (recs, stderr) = ndjson(&["logs", &path]);
    let kept = at_line(&recs, 3);
    assert_eq!(kept["substatus"], Value::Null);
    assert_eq!(kept["invalid"], serde_json::json!({"sc-substatus": "x7"}));
    assert_eq!(
        (&kept["status"], &kept["client_ip"]),
        (&Value::from(200), &Value::from("10.1.2.3"))
    );
    assert!(
        summary(&stderr).ends_with("0 malformed, 1 row kept with an invalid value"),
        "{stderr}"
    );
    // Its valid values still match; the invalid one never does.
    let by_ip = records(&["logs", &path, "--ip", "10.1.2.0/24"]);
    assert_eq!(line_numbers(&by_ip), [3]);
    let by_status = records(&["logs", &path, "--status", "200"]);
    assert_eq!(line_numbers(&by_status), [2, 3, 4]);

    let path = log_with_row(
        dir.path(),
        "2017-01-19 10:00:01 10.0.1.15 GET /b - 443 jsmith 10.1.2.3 UA - 2OO 0 0 9",
    );
    let recs = records(&["logs", &path]);
    assert_eq!(at_line(&recs, 3)["status"], Value::Null);
    assert_eq!(
        at_line(&recs, 3)["invalid"],
        serde_json::json!({"sc-status": "2OO"})
    );
    let by_status = records(&["logs", &path, "--status", "2xx"]);
    assert_eq!(line_numbers(&by_status), [2, 4]);
}

#[test]
fn ip_filter_does_not_match_a_damaged_client_ip() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with_row(
        dir.path(),
        "2017-01-19 10:00:01 10.0.1.15 GET /b - 443 jsmith [10.1.2.3](http://10.1.2.3) UA - 200 0 0 9",
    );
    let o = run(&["logs", &path, "--ip", "10.0.0.0/8", "--count"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "2\n");
    let o = run(&["logs", &path, "--user", "jsmith", "--count"]);
    assert_eq!(o.stdout, "3\n");
}

#[test]
fn a_bad_date_is_still_malformed_even_with_an_invalid_value_kept_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with_row(
        dir.path(),
        "2017-13-45 10:00:01 10.0.1.15 GET /b - 443 jsmith [10.1.2.3](http://10.1.2.3) UA - 200 0 0 9",
    );
    let (recs, stderr) = ndjson(&["logs", &path]);
    assert_eq!(line_numbers(&recs), [2, 4]);
    assert!(
        summary(&stderr).ends_with("2 records, 2 matched, 1 malformed"),
        "{stderr}"
    );
    let why = reason(&stderr, &format!("{path}:3:"));
    assert!(why.contains("date '2017-13-45'"), "{why}");
    // A value count that does not fit is malformed too.
    let path = log_with_row(
        dir.path(),
        "2017-01-19 10:00:01 10.0.1.15 GET /b - 443 jsmith [10.1.2.3](http://10.1.2.3) UA - 200 0 0",
    );
    let (recs, stderr) = ndjson(&["logs", &path]);
    assert_eq!(line_numbers(&recs), [2, 4]);
    assert!(summary(&stderr).ends_with("1 malformed"), "{stderr}");
}

#[test]
fn headerless_rows_of_an_unknown_width_are_a_log_with_malformed_rows_not_not_a_log() {
    // A public corpus file: IIS rows with X-Forwarded-For appended (16
    // values) and no #Fields header. No default layout fits, but every row
    // starts with a W3C date and time: a log whose field list is missing,
    // reported row by row with the hint to give --fields, not "not a log".
    let dir = tempfile::tempdir().unwrap();
    let row = "2020-10-07 23:00:17 192.168.16.11 POST /api/x - 443 - 192.168.7.63 \
               Mozilla/5.0 https://example.org/ 200 0 0 26 192.168.198.23\n";
    write_log(dir.path(), "xff.log", row.repeat(3).as_bytes());
    let path = dir.path().join("xff.log");
    let o = run(&["logs", path.to_str().unwrap(), "--count"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(!o.stderr.contains("not a W3C text log"), "{}", o.stderr);
    assert!(o.stderr.contains("3 malformed"), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("fit no default IIS layout (give --fields)"),
        "{}",
        o.stderr
    );
}

// ---------------------------------------------------------------- --log-tz

const LOCAL: &str = "testdata/w3c/local_time.log";

fn utc_times(records: &[Value]) -> Vec<Option<&str>> {
    records.iter().map(|r| r["time_utc"].as_str()).collect()
}

#[test]
fn local_only_rows_have_no_utc_time_and_the_summary_suggests_log_tz() {
    let (found, stderr) = ndjson(&["logs", LOCAL]);
    assert_eq!(found.len(), 6);
    assert!(utc_times(&found).iter().all(Option::is_none));
    assert!(
        stderr.contains("6 records have only a local time") && stderr.contains("--log-tz ZONE"),
        "{stderr}"
    );
    // A time filter cannot match a row without a UTC time.
    let (found, _) = ndjson(&["logs", LOCAL, "--since", "2000-01-01"]);
    assert!(found.is_empty());
}

#[test]
fn log_tz_gives_local_rows_their_utc_time_across_daylight_saving() {
    let (found, stderr) = ndjson(&["logs", LOCAL, "--log-tz", "America/Chicago"]);
    assert_eq!(
        utc_times(&found),
        [
            Some("2017-03-12T07:59:59Z"),
            None,
            Some("2017-03-12T08:00:00Z"),
            None,
            Some("2016-11-06T08:30:00Z"),
            Some("2017-01-19T17:16:16Z"),
        ]
    );
    // The gap and the fold are reported with both candidates, not guessed.
    assert!(
        stderr.contains(
            "local_time.log:4: local time '2017-03-12 02:30:00' does not exist in America/Chicago"
        ) && stderr.contains("2017-03-12T07:30:00Z")
            && stderr.contains("2017-03-12T08:30:00Z"),
        "{stderr}"
    );
    assert!(
        stderr.contains("local_time.log:6: local time '2016-11-06 01:30:00' happened twice")
            && stderr.contains("2016-11-06T06:30:00Z")
            && stderr.contains("2016-11-06T07:30:00Z"),
        "{stderr}"
    );
    assert!(stderr.contains("2 records have a local time that names no instant or two"));
    // Time filters now work on them.
    let (found, _) = ndjson(&[
        "logs",
        LOCAL,
        "--log-tz",
        "America/Chicago",
        "--since",
        "2017-03-12T08:00:00Z",
    ]);
    assert_eq!(line_numbers(&found), [5]);
}

#[test]
fn log_tz_lets_downloads_find_an_export_in_a_local_time_log() {
    let o = run(&[
        "downloads",
        LOCAL,
        "--log-tz",
        "America/Chicago",
        "--tz",
        "America/Chicago",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let found: Value = serde_json::from_str(&o.stdout).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["time_utc"], "2017-01-19T17:16:16Z");
    assert_eq!(found[0]["line"], 8);
}

#[test]
fn an_unknown_log_tz_is_a_usage_error() {
    let o = run(&["logs", LOCAL, "--log-tz", "Mars/Olympus_Mons"]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr
            .contains("--log-tz: unknown time zone 'Mars/Olympus_Mons'"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_comma_list_of_path_globs_matches_any_of_them() {
    let zips = records(&["logs", SAMPLE, "--path", "*.zip"]).len();
    let csvs = records(&["logs", SAMPLE, "--path", "*.csv"]).len();
    assert!(zips > 0 && csvs > 0);
    assert_eq!(
        records(&["logs", SAMPLE, "--path", "*.zip,*.csv"]).len(),
        zips + csvs
    );
    // A comma inside {..} belongs to the glob's own alternation.
    assert_eq!(
        records(&["logs", SAMPLE, "--path", "*.{zip,csv}"]).len(),
        zips + csvs
    );
}

#[test]
fn a_zone_abbreviation_is_refused_and_a_fixed_offset_accepted() {
    let o = run(&["--tz", "EST", "logs", SAMPLE_DAY1, "--user", "jsmith"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("America/New_York"), "{}", o.stderr);
    let (found, _) = ndjson(&["--tz=-06:00", "logs", SAMPLE_DAY1, "--path", "*.zip"]);
    let local = found[0]["time_local"].as_str().unwrap();
    assert!(local.ends_with("-06:00"), "{local}");
}

#[test]
fn a_query_that_matches_nothing_says_why() {
    let o = run(&[
        "--tz",
        "America/Chicago",
        "logs",
        SAMPLE,
        "--user",
        "jsmith",
        "--since",
        "2018-01-01",
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "The inputs cover 2017-01-19T00:00:12Z .. 2017-01-20T19:18:48Z (UTC), 2017-01-18 18:00:12 CST"
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains(
            "of 552 records, each filter alone: --user keeps 43; --since/--until keeps 0"
        ),
        "{}",
        o.stderr
    );
    // Not when something matched.
    let o = run(&["logs", SAMPLE, "--user", "jsmith"]);
    assert!(!o.stderr.contains("no record matched"), "{}", o.stderr);
}

/// Ctrl-C while reading a stream that does not end: the JSON array is
/// closed, the run says it was interrupted, exit status 130.
#[cfg(unix)]
#[test]
fn ctrl_c_closes_the_output_and_exits_130() {
    use std::io::Write as _;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("leaktrace"))
        .args(["logs", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"#Fields: date time cs-uri-stem\n2017-01-19 10:00:00 /a\n")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(130));
    let json: Value = serde_json::from_slice(&out.stdout).expect("a closed JSON array");
    assert!(json.is_array());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("interrupted: the output above is incomplete"),
        "{stderr}"
    );
}
