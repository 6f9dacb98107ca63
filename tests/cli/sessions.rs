//! End-to-end tests of `leaktrace sessions`, run against the real binary and
//! the bundled sample logs (documented, with line numbers, in
//! `testdata/README.md`).

use crate::support::{HEADER_15, leaktrace, written_an_hour_ago};
use serde_json::Value;

const SAMPLE: &str = "testdata/sample";
const DAY1: &str = "testdata/sample/u_ex170119.log";
const DAY2: &str = "testdata/sample/u_ex170120.log";

const JSMITH_ZIP: &str = "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip";
const JSMITH_OLD_ZIP: &str = "/temp/acme/AcmeAmbulance.jsmith.2017-01-09-08-00-00.zip";
const MARY_CSV: &str = "/temp/acme/AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv";
const JDOE_ZIP_DAY1: &str = "/temp/acme/AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip";
const JDOE_ZIP_MIDNIGHT: &str = "/temp/acme/AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip";
const MWILLIAMS_CSV: &str = "/temp/acme/AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv";
const PCR_PDF: &str = "/temp/acme/PCR.48213.pdf";

const SESSION_KEYS: [&str; 20] = [
    "user",
    "client_ips",
    "user_agent",
    "other_user_agents",
    "start_utc",
    "end_utc",
    "start_local",
    "end_local",
    "duration_s",
    "requests",
    "posts",
    "polling",
    "polling_paths",
    "pages",
    "downloads",
    "bytes_sent",
    "bytes_received",
    "not_listed",
    "file",
    "line",
];

/// jsmith's pages from 10:57 (Chicago) on 19 January: when, and how many
/// requests each folds (the export page's nine postbacks in one).
const TIMELINE: [(&str, u64); 5] = [
    ("2017-01-19T10:57:02-06:00", 2),
    ("2017-01-19T10:57:15-06:00", 1),
    ("2017-01-19T10:57:40-06:00", 1),
    ("2017-01-19T10:58:00-06:00", 9),
    ("2017-01-19T11:17:02-06:00", 1),
];

// ---------------------------------------------------------------- helpers

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Outcome {
    let out = leaktrace().args(args).output().expect("leaktrace runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The sessions of an NDJSON run that exited 0.
fn ndjson(o: &Outcome) -> Vec<Value> {
    assert_eq!(o.code, Some(0), "exit status; stderr:\n{}", o.stderr);
    o.stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// Runs with `--format ndjson`, requires exit 0, returns the sessions.
fn sessions(args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--format", "ndjson"]);
    ndjson(&run(&all))
}

fn text<'a>(session: &'a Value, key: &str) -> &'a str {
    session[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {session}"))
}

fn list<'a>(session: &'a Value, key: &str) -> Vec<&'a str> {
    session[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {session}"))
        .iter()
        .map(|v| v.as_str().expect("array of strings"))
        .collect()
}

/// The paths of a session's `pages`.
fn pages(session: &Value) -> Vec<&str> {
    session["pages"]
        .as_array()
        .unwrap_or_else(|| panic!("pages is not an array in {session}"))
        .iter()
        .map(|p| p["path"].as_str().expect("a page has a path"))
        .collect()
}

fn users(sessions: &[Value]) -> Vec<Option<&str>> {
    sessions.iter().map(|s| s["user"].as_str()).collect()
}

/// The one session whose first request is at `file:line`.
fn starting_at<'a>(sessions: &'a [Value], file: &str, line: u64) -> &'a Value {
    let found: Vec<&Value> = sessions
        .iter()
        .filter(|s| s["file"] == file && s["line"] == line)
        .collect();
    assert_eq!(found.len(), 1, "sessions starting at {file}:{line}");
    found[0]
}

/// The sessions that list a download, with the session's user.
fn downloaders<'a>(sessions: &'a [Value], download: &str) -> Vec<Option<&'a str>> {
    sessions
        .iter()
        .filter(|s| list(s, "downloads").contains(&download))
        .map(|s| s["user"].as_str())
        .collect()
}

// ---------------------------------------------------------------- the investigator's question

#[test]
fn what_jsmith_did_on_19_january_in_chicago_time() {
    let found = sessions(&[
        "--tz",
        "America/Chicago",
        "sessions",
        SAMPLE,
        "--user",
        "jsmith",
        "--since",
        "2017-01-19",
        "--until",
        "2017-01-19",
    ]);
    assert_eq!(users(&found), [Some("jsmith"), Some("jsmith")]);
    let starts: Vec<&str> = found.iter().map(|s| text(s, "start_local")).collect();
    assert_eq!(
        starts,
        ["2017-01-19T08:30:00-06:00", "2017-01-19T10:57:02-06:00"]
    );
    let export = &found[1];
    assert_eq!(text(export, "start_utc"), "2017-01-19T16:57:02Z");
    assert_eq!(text(export, "end_utc"), "2017-01-19T17:17:02Z");
    assert_eq!(text(export, "end_local"), "2017-01-19T11:17:02-06:00");
    assert_eq!(export["duration_s"], 1200);
    assert_eq!(
        (export["file"].as_str(), export["line"].as_u64()),
        (Some(DAY1), Some(123))
    );
    assert_eq!(list(export, "client_ips"), ["73.21.44.9"]);
    assert_eq!(list(export, "downloads"), [JSMITH_ZIP]);
    assert_eq!(
        pages(export),
        [
            "/Logon.aspx",
            "/Home.aspx",
            "/Dispatch.aspx",
            "/DispatchesClosed.aspx",
            "/Home.aspx"
        ]
    );
    // A timeline: each page's first request in --tz, and the repeats folded
    // into it.
    let timeline: Vec<(&str, u64)> = export["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["time_local"].as_str().unwrap(),
                p["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(timeline, TIMELINE);
    assert_eq!(export["posts"], 9);
    assert_eq!(export["requests"], 18);
}

#[test]
fn since_and_until_clip_the_requests_of_a_session() {
    let found = sessions(&[
        "--tz",
        "America/Chicago",
        "sessions",
        SAMPLE,
        "--user",
        "jsmith",
        "--since",
        "2017-01-19 11:00",
        "--until",
        "2017-01-19 11:17",
    ]);
    assert_eq!(found.len(), 1);
    let s = &found[0];
    assert!(text(s, "start_utc") >= "2017-01-19T17:00:00Z", "{s}");
    assert!(text(s, "end_utc") < "2017-01-19T17:17:00Z", "{s}");
    assert!(s["requests"].as_u64().unwrap() < 18, "{s}");
    assert_eq!(list(s, "downloads"), [JSMITH_ZIP]);
}

// ---------------------------------------------------------------- many files, one stream

#[test]
fn session_across_utc_midnight_is_one_session_in_any_input_order() {
    let forward = run(&["sessions", DAY1, DAY2, "--format", "ndjson"]);
    let reverse = run(&["sessions", DAY2, DAY1, "--format", "ndjson"]);
    assert_eq!(forward.code, Some(0), "{}", forward.stderr);
    assert_eq!(reverse.code, Some(0), "{}", reverse.stderr);
    assert_eq!(forward.stdout, reverse.stdout);

    let found = sessions(&["sessions", DAY2, DAY1]);
    let jdoe = starting_at(&found, DAY1, 288);
    assert_eq!(jdoe["user"], "jdoe");
    assert_eq!(text(jdoe, "start_utc"), "2017-01-19T23:40:00Z");
    assert_eq!(text(jdoe, "end_utc"), "2017-01-20T00:19:56Z");
    assert_eq!(list(jdoe, "downloads"), [JDOE_ZIP_MIDNIGHT]);
    // Nothing of it is left over as a second session starting on day 2.
    let after_midnight: Vec<&Value> = found
        .iter()
        .filter(|s| s["user"] == "jdoe" && text(s, "start_utc") < "2017-01-20T01:00:00Z")
        .filter(|s| text(s, "start_utc") >= "2017-01-20T00:00:00Z")
        .collect();
    assert!(after_midnight.is_empty(), "{after_midnight:?}");
}

#[test]
fn logon_page_before_authentication_belongs_to_the_users_session() {
    let found = sessions(&["sessions", SAMPLE]);
    let jdoe = starting_at(&found, DAY1, 288);
    assert_eq!(pages(jdoe)[..2], ["/Logon.aspx", "/Home.aspx"]);
    assert!(jdoe["posts"].as_u64().unwrap() >= 1);
    // Employees always log on first: the only anonymous session is the outsider's.
    let anonymous: Vec<&Value> = found.iter().filter(|s| s["user"].is_null()).collect();
    assert_eq!(anonymous.len(), 1, "{anonymous:?}");
    assert_eq!(list(anonymous[0], "client_ips"), ["203.0.113.77"]);
}

// ---------------------------------------------------------------- downloads

#[test]
fn downloads_are_in_the_sessions_of_the_clients_that_fetched_them() {
    let found = sessions(&["sessions", SAMPLE]);
    assert_eq!(downloaders(&found, JSMITH_ZIP), [Some("jsmith")]);
    assert_eq!(downloaders(&found, MARY_CSV), [Some("mary.jones")]);
    // jdoe's export, fetched from mwilliams's browser.
    assert_eq!(downloaders(&found, JDOE_ZIP_DAY1), [Some("mwilliams")]);
    assert_eq!(downloaders(&found, JDOE_ZIP_MIDNIGHT), [Some("jdoe")]);
    assert_eq!(downloaders(&found, MWILLIAMS_CSV), [Some("mwilliams")]);
    assert_eq!(downloaders(&found, PCR_PDF), [Some("rgarcia")]);
    // The failed replay of an expired export, by a client nobody logged on from.
    assert_eq!(downloaders(&found, JSMITH_OLD_ZIP), [None]);
    let total: usize = found.iter().map(|s| list(s, "downloads").len()).sum();
    assert_eq!(total, 7);
}

#[test]
fn pages_leave_out_assets_and_downloads_and_fold_repeats() {
    let found = sessions(&["sessions", SAMPLE]);
    let assets = [".png", ".gif", ".js", ".css", ".axd"];
    for s in &found {
        let paths = pages(s);
        for pair in paths.windows(2) {
            assert_ne!(pair[0], pair[1], "repeat not folded in {s}");
        }
        for p in &paths {
            let lower = p.to_ascii_lowercase();
            assert!(!assets.iter().any(|a| lower.ends_with(a)), "{p} in {s}");
            assert!(!lower.starts_with("/temp/acme/acme"), "{p} in {s}");
        }
    }
    // A POST to /temp/ is not a download: it is a page.
    let upload: Vec<&Value> = found
        .iter()
        .filter(|s| pages(s).contains(&"/temp/acme/upload.ashx"))
        .collect();
    assert_eq!(
        users(&upload.into_iter().cloned().collect::<Vec<_>>()),
        [Some("rgarcia")]
    );
}

#[test]
fn bytes_are_summed_where_the_log_has_them_and_null_elsewhere() {
    let found = sessions(&["sessions", SAMPLE]);
    let mwilliams = found
        .iter()
        .find(|s| list(s, "downloads").contains(&MWILLIAMS_CSV))
        .expect("mwilliams's day-2 session");
    let sent = mwilliams["bytes_sent"].as_u64().expect("sc-bytes logged");
    assert!(sent > 61544, "the csv alone is 61544 bytes: {sent}");
    assert!(mwilliams["bytes_received"].as_u64().is_some());
    let day1 = starting_at(&found, DAY1, 123);
    assert!(day1["bytes_sent"].is_null() && day1["bytes_received"].is_null());
}

// ---------------------------------------------------------------- options

#[test]
fn idle_of_one_minute_splits_sessions() {
    let default = sessions(&["sessions", SAMPLE, "--user", "jsmith"]);
    let short = sessions(&["sessions", SAMPLE, "--user", "jsmith", "--idle", "1m"]);
    assert_eq!(default.len(), 3);
    assert!(short.len() > default.len() + 5, "{} sessions", short.len());
    let requests = |v: &[Value]| {
        v.iter()
            .map(|s| s["requests"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(requests(&short), requests(&default));
}

#[test]
fn bad_idle_is_a_usage_error() {
    for bad in ["0s", "-5m", "soon"] {
        let o = run(&["sessions", SAMPLE, &format!("--idle={bad}")]);
        assert_eq!(o.code, Some(2), "--idle {bad}: {}", o.stderr);
        assert!(
            o.stderr.contains(&format!(
                "--idle '{bad}' is not a positive duration (30m, 1h 30m, 90s)"
            )),
            "{}",
            o.stderr
        );
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn empty_time_range_and_bad_ip_are_usage_errors() {
    let o = run(&[
        "sessions",
        SAMPLE,
        "--since",
        "2017-01-20",
        "--until",
        "2017-01-19",
    ]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("the range is empty"), "{}", o.stderr);
    let o = run(&["sessions", SAMPLE, "--ip", "73.21.44"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("--ip '73.21.44' is not an IP address"),
        "{}",
        o.stderr
    );
}

#[test]
fn ip_filter_selects_sessions_by_client_address() {
    let o = run(&[
        "sessions",
        SAMPLE,
        "--ip",
        "203.0.113.0/24",
        "--format",
        "ndjson",
    ]);
    let found = ndjson(&o);
    assert_eq!(users(&found), [None]);
    assert_eq!(list(&found[0], "downloads"), [JSMITH_OLD_ZIP]);
    assert!(
        o.stderr.contains("leaktrace: 1 of 18 sessions shown"),
        "{}",
        o.stderr
    );

    let jsmith = sessions(&["sessions", SAMPLE, "--ip", "73.21.44.9"]);
    assert_eq!(users(&jsmith), [Some("jsmith"); 3]);
}

#[test]
fn user_filter_ignores_case() {
    let found = sessions(&["sessions", SAMPLE, "--user", "MARY.JONES"]);
    assert_eq!(users(&found), [Some("mary.jones"), Some("mary.jones")]);
}

// ---------------------------------------------------------------- polling

/// A dispatch board opened at 17:00 UTC and left open overnight: its web
/// service polled every 30 seconds (with a second of jitter), its
/// notifications every 60, until its user comes back at 08:00 UTC.
fn board_left_open_overnight() -> String {
    let mut log = String::from(HEADER_15);
    let mut row = |secs: i64, method: &str, stem: &str, user: &str| {
        let t = jiff::Timestamp::from_second(1_677_690_000 + secs).unwrap();
        let when = t.strftime("%Y-%m-%d %H:%M:%S");
        log.push_str(&format!(
            "{when} 10.0.1.15 {method} {stem} - 443 {user} 73.21.44.9 Mozilla/5.0 - 200 0 0 15\n"
        ));
    };
    row(0, "GET", "/Dispatch.aspx", "cgarcia");
    row(1, "GET", "/js/site.js", "-");
    row(20, "POST", "/Dispatch.aspx", "cgarcia");
    let board = "/WebServices/DispatchService.asmx/GetBoardUpdates";
    let morning = 15 * 3600;
    let mut secs = 30;
    while secs < morning {
        row(secs + secs % 7 % 2, "POST", board, "cgarcia");
        if secs % 60 == 0 {
            row(secs + 1, "GET", "/Handlers/Notifications.ashx", "cgarcia");
        }
        secs += 30;
    }
    row(morning + 12, "GET", "/Dispatch.aspx", "cgarcia");
    row(morning + 75, "GET", "/Patients.aspx", "cgarcia");
    log
}

#[test]
fn a_polling_board_left_open_overnight_is_two_sessions_with_polling_counted_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("board.log");
    std::fs::write(&path, board_left_open_overnight()).unwrap();
    let o = run(&[
        "--tz",
        "America/Chicago",
        "sessions",
        path.to_str().unwrap(),
        "--format",
        "ndjson",
    ]);
    let found = ndjson(&o);
    assert_eq!(found.len(), 2, "{}", o.stdout);
    let (evening, morning) = (&found[0], &found[1]);
    assert_eq!(text(evening, "start_local"), "2023-03-01T11:00:00-06:00");
    // The page's own first calls of the service and the handler.
    assert_eq!(text(evening, "end_local"), "2023-03-01T11:01:01-06:00");
    assert_eq!(
        pages(evening),
        [
            "/Dispatch.aspx",
            "/WebServices/DispatchService.asmx/GetBoardUpdates",
            "/Handlers/Notifications.ashx"
        ]
    );
    assert_eq!(evening["pages"][0]["requests"], 2);
    assert_eq!(evening["posts"], 2);
    let polled: Vec<(&str, u64)> = evening["polling_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["requests"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        polled,
        [
            ("/WebServices/DispatchService.asmx/GetBoardUpdates", 61),
            ("/Handlers/Notifications.ashx", 30)
        ]
    );
    assert_eq!(evening["polling"], 91);
    assert_eq!(evening["requests"], 96);
    assert_eq!(text(morning, "start_local"), "2023-03-02T02:00:12-06:00");
    assert_eq!(pages(morning), ["/Dispatch.aspx", "/Patients.aspx"]);
    assert_eq!(morning["polling"], 0);
    assert!(
        o.stderr.contains(
            "leaktrace: 2605 polling requests came while their client had no open session"
        ),
        "{}",
        o.stderr
    );
}

// ---------------------------------------------------------------- output

#[test]
fn json_is_an_array_of_sessions_with_keys_in_order() {
    let o = run(&["sessions", SAMPLE, "--format", "json"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let all: Value = serde_json::from_str(&o.stdout).expect("one JSON document");
    let all = all.as_array().expect("an array");
    assert_eq!(all.len(), 18);
    let first_object = o.stdout.lines().nth(1).expect("an object line");
    let positions: Vec<usize> = SESSION_KEYS
        .iter()
        .map(|k| {
            first_object
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("no {k} in {first_object}"))
        })
        .collect();
    assert!(positions.is_sorted(), "keys out of order: {first_object}");
    for s in all {
        assert_eq!(s.as_object().unwrap().len(), SESSION_KEYS.len());
    }
    // Reported in the order sessions end.
    let ends: Vec<&str> = all.iter().map(|s| text(s, "end_utc")).collect();
    assert!(ends.is_sorted(), "{ends:?}");
}

#[test]
fn csv_has_the_json_keys_as_header() {
    let o = run(&["sessions", DAY2, "--user", "mwilliams", "--format", "csv"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let mut lines = o.stdout.lines();
    assert_eq!(lines.next(), Some(SESSION_KEYS.join(",").as_str()));
    let row = lines.next().expect("a session");
    assert!(
        row.starts_with("mwilliams,\"[\"\"24.155.87.3\"\"]\","),
        "{row}"
    );
}

#[test]
fn table_shows_local_times_and_the_first_pages() {
    // Wide enough for every column (at 80, some are left out).
    let out = leaktrace()
        .args([
            "--tz",
            "America/Chicago",
            "sessions",
            DAY1,
            "--user",
            "jsmith",
        ])
        .env("COLUMNS", "200")
        .output()
        .expect("leaktrace runs");
    let o = Outcome {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let header = o.stdout.lines().next().unwrap_or("");
    for title in [
        "Start",
        "End",
        "User",
        "Client IPs",
        "Requests",
        "POSTs",
        "Downloads",
        "Pages",
    ] {
        assert!(header.contains(title), "{header}");
    }
    let row = o
        .stdout
        .lines()
        .find(|l| l.contains("2017-01-19 10:57:02 CST"))
        .unwrap_or_else(|| panic!("no 10:57 session in:\n{}", o.stdout));
    assert!(row.contains("11:17:02 CST"), "{row}");
    assert!(
        row.contains("/Logon.aspx → /Home.aspx → /Dispatch.aspx"),
        "{row}"
    );
}

#[test]
fn stderr_has_the_summary_and_the_session_count_unless_quiet() {
    let o = run(&["sessions", SAMPLE, "--format", "ndjson"]);
    assert_eq!(o.code, Some(0));
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert!(
        lines[0].starts_with("leaktrace: 2 files, 552 records"),
        "{}",
        o.stderr
    );
    assert_eq!(lines.last(), Some(&"leaktrace: 18 sessions"));
    let o = run(&["--quiet", "sessions", SAMPLE, "--format", "ndjson"]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stderr, "");
    assert_eq!(o.stdout.lines().count(), 18);
}

#[test]
fn the_same_file_named_twice_is_read_once() {
    // Regression: a file named twice was read twice, every session doubled.
    let once = run(&["sessions", DAY1, "--format", "ndjson"]);
    let twice = run(&["sessions", DAY1, DAY1, "--format", "ndjson"]);
    assert_eq!(twice.code, Some(0), "{}", twice.stderr);
    assert_eq!(twice.stdout, once.stdout);
    assert!(
        twice
            .stderr
            .contains("the same file as testdata/sample/u_ex170119.log; read once"),
        "{}",
        twice.stderr
    );
}

#[test]
fn missing_input_is_reported_and_the_rest_is_read() {
    let o = run(&[
        "sessions",
        DAY1,
        "testdata/sample/nope.log",
        "--format",
        "ndjson",
    ]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.contains("nope.log"), "{}", o.stderr);
    assert!(o.stdout.lines().count() > 5);
}

#[test]
fn row_dated_2500_is_malformed_as_in_logs_not_moved_to_2262() {
    // Once: `logs` showed 2500, `sessions` 2262-04-11T23:47:16.854775807Z
    // (the i64 nanosecond key saturated). The same bytes as the twin test in
    // logs.rs: the same rows are malformed, for the same reasons.
    let row = |at: &str, stem: &str| {
        format!("{at} 10.0.1.15 GET {stem} - 443 jsmith 73.21.44.9 Mozilla/5.0 - 200 0 0 15\n")
    };
    let log = format!(
        "{HEADER_15}{}{}{}",
        row("2017-01-19 17:16:30", "/Home.aspx"),
        row("2500-01-01 00:00:00", "/Far.aspx"),
        row("2262-04-11 23:59:59", "/Edge.aspx")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.log");
    std::fs::write(&path, log).unwrap();
    let path = path.to_str().unwrap();
    let o = run(&["sessions", path, "--format", "ndjson"]);
    let found = ndjson(&o);
    assert_eq!(found.len(), 1, "{}", o.stdout);
    assert_eq!(text(&found[0], "start_utc"), "2017-01-19T17:16:30Z");
    assert_eq!(text(&found[0], "end_utc"), "2017-01-19T17:16:30Z");
    assert_eq!(found[0]["requests"], 1);
    assert!(!o.stdout.contains("2262"), "{}", o.stdout);
    assert!(
        o.stderr
            .starts_with("leaktrace: 1 file, 1 record, 1 matched, 2 malformed\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains(&format!("{path}:3: date '2500-01-01' is out of range")),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains(&format!(
            "{path}:4: date and time '2262-04-11 23:59:59' are out of range"
        )),
        "{}",
        o.stderr
    );
}

// ---------------------------------------------------------------- repeats

#[test]
fn the_same_log_as_log_and_gz_is_counted_once_with_the_places_named() {
    // Their bytes differ (one is compressed), so they are both read: the
    // records of the second are repeats of the first's.
    let once = sessions(&["sessions", DAY1]);
    let o = run(&[
        "sessions",
        DAY1,
        "testdata/gz/u_ex170119.log.gz",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let twice: Vec<Value> = serde_json::from_str::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let requests = |all: &[Value]| {
        all.iter()
            .map(|s| s["requests"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(twice.len(), once.len());
    assert_eq!(requests(&twice), requests(&once));
    assert!(
        o.stderr
            .contains("312 records appeared in more than one input")
            && o.stderr
                .contains("u_ex170119.log.gz:5 = testdata/sample/u_ex170119.log:5"),
        "{}",
        o.stderr
    );
}

#[test]
fn consecutive_days_are_not_repeats() {
    let o = run(&["sessions", DAY1, DAY2, "--format", "json"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(!o.stderr.contains("more than one input"), "{}", o.stderr);
}

// ---------------------------------------------------------------- limits

#[test]
fn a_user_agent_of_megabytes_is_held_cut_and_says_so() {
    // Every open session held its agent whole: 100 sessions of 10 MB agents
    // took 1 GB. Held values are cut at 8 KiB, with a marker.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u_ex.log");
    let agent = "M".repeat(40_000);
    let log = format!(
        "#Fields: date time cs-method cs-uri-stem cs-username c-ip cs(User-Agent) sc-status\n\
         2017-01-19 10:00:00 GET /Home.aspx jsmith 1.2.3.4 {agent} 200\n"
    );
    std::fs::write(&path, log).unwrap();
    let found = sessions(&["sessions", path.to_str().unwrap()]);
    let held = text(&found[0], "user_agent");
    assert!(held.starts_with(&"M".repeat(8192)), "{}", held.len());
    assert!(
        held.ends_with("…[31808 more bytes not kept]"),
        "{}",
        &held[8000..]
    );
}

// ---------------------------------------------------------------- order

/// Five users on their own clients, a request every second for about six
/// hours (over 3 MiB: several chunks of the scan), every seventh row
/// written 40 seconds after its time (as IIS writes a slow request), and
/// one row near the start dated ten years ahead (a forged or mis-clocked
/// row).
fn log_with_a_row_far_ahead() -> String {
    let mut log = String::from(HEADER_15);
    let row = |log: &mut String, secs: i64, n: i64| {
        let t = jiff::Timestamp::from_second(1_677_690_000 + secs).unwrap();
        let when = t.strftime("%Y-%m-%d %H:%M:%S");
        let user = n % 5;
        log.push_str(&format!(
            "{when} 10.0.1.15 GET /Page{}.aspx id={n}&padding=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 443 \
             user{user} 73.21.44.{user} Mozilla/5.0+(Windows+NT+10.0)+Chrome/120 - 200 0 0 15\n",
            n % 13
        ));
    };
    for n in 0..22_000 {
        let lag = if n % 7 == 0 { 40 } else { 0 };
        row(&mut log, n - lag, n);
        if n == 100 {
            row(&mut log, 10 * 365 * 86_400, n);
        }
    }
    log
}

#[test]
fn a_row_far_ahead_puts_no_other_row_out_of_order_mapped_or_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u_ex230301.log");
    std::fs::write(&path, log_with_a_row_far_ahead()).unwrap();
    written_an_hour_ago(&path);
    let log = path.to_str().unwrap();
    let mapped = run(&["sessions", log, "--format", "ndjson"]);
    let streamed = run(&["sessions", log, "--format", "ndjson", "--mmap", "never"]);
    assert!(
        !mapped.stderr.contains("behind newer ones"),
        "{}",
        mapped.stderr
    );
    assert_eq!(mapped.stdout, streamed.stdout);
    let found = ndjson(&mapped);
    // One sitting per user, and the row ten years ahead on its own, last.
    assert_eq!(found.len(), 6, "{}", mapped.stdout);
    assert!(
        found[..5]
            .iter()
            .all(|s| s["requests"].as_u64() == Some(4400))
    );
    assert_eq!(found[5]["requests"], 1);
    assert!(text(&found[5], "start_utc").starts_with("2033-"));
}

/// Two daily logs; the second day's starts with one row dated years back
/// (a server clock wrong for a moment after a restart).
fn two_days_the_second_starting_with_a_row_dated_wrong() -> (String, String) {
    let day = |start: i64, first: Option<i64>| {
        let mut log = String::from(HEADER_15);
        // The service account's row dated wrong, then a person's requests:
        // pages in turn, a minute or so apart.
        let rows = first.map(|t| (t, "svc-backup"));
        let person = (0..600).map(|n| (start + n * 60 + n % 7, "cgarcia"));
        for (n, (t, user)) in rows.into_iter().chain(person).enumerate() {
            let when = jiff::Timestamp::from_second(t)
                .unwrap()
                .strftime("%Y-%m-%d %H:%M:%S");
            log.push_str(&format!(
                "{when} 10.0.1.15 GET /Page{}.aspx - 443 {user} 73.21.44.9 Mozilla/5.0 - 200 0 0 15\n",
                n % 5
            ));
        }
        log
    };
    let day1 = 1_677_628_800; // 2023-03-01T00:00:00Z
    (day(day1, None), day(day1 + 86_400, Some(978_307_200)))
}

#[test]
fn a_row_dated_wrong_at_the_top_of_a_file_does_not_put_the_file_first() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = two_days_the_second_starting_with_a_row_dated_wrong();
    let (day1, day2) = (
        dir.path().join("u_ex230301.log"),
        dir.path().join("u_ex230302.log"),
    );
    std::fs::write(&day1, first).unwrap();
    std::fs::write(&day2, second).unwrap();
    let o = run(&[
        "sessions",
        day2.to_str().unwrap(),
        day1.to_str().unwrap(),
        "--format",
        "ndjson",
    ]);
    let found = ndjson(&o);
    // The first day is read first: only the row dated 2001 is out of order
    // (put first, every row of the first day would have been).
    assert!(
        o.stderr.contains("1 record came more than 15m behind"),
        "{}",
        o.stderr
    );
    let sessions: Vec<(&str, &str, u64)> = found
        .iter()
        .map(|s| {
            (
                text(s, "user"),
                text(s, "start_utc"),
                s["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sessions,
        [
            ("svc-backup", "2001-01-01T00:00:00Z", 1),
            ("cgarcia", "2023-03-01T00:00:00Z", 600),
            ("cgarcia", "2023-03-02T00:00:00Z", 600)
        ]
    );
}
