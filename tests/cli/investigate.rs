//! End-to-end tests of `leaktrace investigate`: what a compliance officer
//! relies on, run against the real binary, the bundled sample case
//! (`testdata/case/`, see its `EXPECTED.md` and the `## case/` section of
//! `testdata/README.md`) and variants of it built by each test in a
//! temporary folder (copies; `testdata/` is never written to).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{leaktrace, sha256_of};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CASE: &str = "testdata/case";
const TZ: [&str; 2] = ["--tz", "America/Chicago"];
const CHARLES: &str = "AcmeAmbulance.charles.garcia.2017-01-19-10-42-05.csv";
const JSMITH_ZIP: &str = "AcmeAmbulance.jsmith.2017-01-19-11-16-16.zip";
const JSMITH_MEMBER: &str = "AcmeAmbulance.jsmith.2017-01-19-11-16-16/NEMSIS_export.xml";
const BWHITE: &str = "AcmeAmbulance.bwhite.2017-01-20-08-05-31.csv";
const MARY_CSV: &str = "AcmeAmbulance.mary.jones.2017-01-20-09-30-00.csv";
const GRID_HEADER: &str = "Date,Run #,Patient,DOB,Address,Disposition";
const CHARLES_STATEMENT: &str = "Produced 2017-01-19 16:42:05-00:00 by acme.angeltrack.com for user Charles Garcia (ID 57) at 24.213.38.154.";

// ---------------------------------------------------------------------------
// running the binary
// ---------------------------------------------------------------------------

/// Runs `leaktrace investigate <args>` from `dir` (the crate root when `None`).
fn investigate_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = leaktrace();
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd
        .arg("investigate")
        .args(args)
        .output()
        .expect("leaktrace runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

/// Runs `investigate --format json <args>` from the crate root: exit code,
/// the case object, stderr.
fn case_json(args: &[&str]) -> (Option<i32>, Value, String) {
    parse(investigate_in(
        None,
        &[&["--format", "json"], args].concat(),
    ))
}

fn parse(out: Output) -> (Option<i32>, Value, String) {
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (out.status.code(), v, stderr)
}

/// The sample case, as EXPECTED.md runs it.
fn sample() -> Value {
    let (code, case, stderr) = case_json(&[CASE, TZ[0], TZ[1]]);
    assert_eq!(code, Some(0), "{stderr}");
    case
}

// ---------------------------------------------------------------------------
// reading the JSON
// ---------------------------------------------------------------------------

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// The one finding whose `file` ends with `suffix`.
fn finding<'a>(case: &'a Value, suffix: &str) -> &'a Value {
    let all = array(&case["findings"]);
    let hits: Vec<&Value> = all
        .iter()
        .filter(|f| text(&f["file"]).ends_with(suffix))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "one finding ending in {suffix} among {:?}",
        all.iter().map(|f| &f["file"]).collect::<Vec<_>>()
    );
    hits[0]
}

/// The one evidence entry whose `path` ends with `suffix`.
fn exhibit<'a>(case: &'a Value, suffix: &str) -> &'a Value {
    let all = array(&case["evidence"]);
    let hits: Vec<&Value> = all
        .iter()
        .filter(|e| text(&e["path"]).ends_with(suffix))
        .collect();
    assert_eq!(hits.len(), 1, "one exhibit ending in {suffix}: {all:?}");
    hits[0]
}

/// `u_ex170119.log:566` for a cited log row or a download.
fn place(record: &Value) -> String {
    let file = text(&record["file"]);
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    format!("{base}:{}", record["line"])
}

/// The places of a finding's cited requests with this role.
fn cited(f: &Value, role: &str) -> Vec<String> {
    array(&f["requests"])
        .iter()
        .filter(|r| r["role"] == role)
        .map(place)
        .collect()
}

fn reasons(f: &Value) -> Vec<&str> {
    array(&f["reasons"]).iter().map(text).collect()
}

fn has_reason(f: &Value, parts: &[&str]) -> bool {
    reasons(f)
        .iter()
        .any(|r| parts.iter().all(|p| r.contains(p)))
}

fn strings(v: &Value) -> Vec<&str> {
    array(v).iter().map(text).collect()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------
// building variant cases
// ---------------------------------------------------------------------------

/// The sample case folder, absolute.
fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE)
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).expect("mkdir");
        let mut entries: Vec<_> = fs::read_dir(from)
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for e in entries {
            copy_tree(&e, &to.join(e.file_name().expect("a name")));
        }
    } else {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::copy(from, to).expect("copy");
    }
}

/// A temp folder holding copies of these parts of the sample case
/// (`logs`, `leaked`, `roster.csv`, `leaked/old_export.csv`, ...), under
/// `case/` so that the temp dir itself can be a working directory.
fn variant(parts: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let case = tmp.path().join("case");
    fs::create_dir_all(&case).expect("mkdir");
    for part in parts {
        copy_tree(&sample_dir().join(part), &case.join(part));
    }
    (tmp, case)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// A grid export: the header, `rows` data rows, and `statement` beyond the
/// last column of the final row (where AngelTrack writes it).
fn grid_csv(rows: usize, statement: &str) -> String {
    let mut out = format!("{GRID_HEADER}\n");
    for i in 0..rows {
        out.push_str(&format!(
            "2017-01-{:02},{},Patient Fake{i},1950-01-01,{} Elm Ave Springfield,Transported",
            1 + i % 18,
            60_000 + i,
            100 + i
        ));
        if i + 1 == rows {
            out.push(',');
            out.push_str(statement);
        }
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// 1. the sample case, verdict by verdict
// ---------------------------------------------------------------------------

#[test]
fn the_json_has_its_documented_shape() {
    let case = sample();
    let keys: Vec<&str> = case
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "case",
            "evidence",
            "log_coverage",
            "summary",
            "findings",
            "people",
            "limitations",
            "problems",
            "places"
        ]
    );
    // Every client address the findings and people name is placed (the
    // sample's are public: no database, so no source).
    let places = case["places"].as_object().expect("places is an object");
    assert!(!places.is_empty());
    for (ip, geo) in places {
        assert!(geo["network"].is_string(), "{ip}: {geo}");
    }
    let head: Vec<&str> = case["case"]
        .as_object()
        .expect("case is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        head,
        [
            "tool",
            "version",
            "arguments",
            "tz",
            "generated_at",
            "tolerances"
        ]
    );
    assert_eq!(case["case"]["tool"], "leaktrace");
    assert_eq!(case["case"]["tz"], "America/Chicago");
    assert_eq!(
        strings(&case["case"]["arguments"]),
        [
            "investigate",
            "--format",
            "json",
            CASE,
            "--tz",
            "America/Chicago"
        ]
    );
    assert_eq!(case["case"]["tolerances"]["name_time_s"], 2);
    assert_eq!(case["problems"], Value::Array(vec![]));
    let summary = &case["summary"];
    assert_eq!(summary["findings"], 8);
    for (verdict, n) in [
        ("corroborated", 3),
        ("contradicted", 1),
        ("not_in_logs", 1),
        ("outside_logs", 1),
        ("registry_upload", 1),
        ("unsigned", 1),
    ] {
        assert_eq!(summary["verdicts"][verdict], n, "{verdict}");
    }
}

/// A row of EXPECTED.md: file, verdict, login, download, build POST.
type Expected<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

#[test]
fn every_leaked_file_of_the_sample_gets_its_expected_verdict_and_login() {
    let case = sample();
    // EXPECTED.md: file, verdict, login, download, build POST.
    let table: [Expected<'_>; 8] = [
        (
            CHARLES,
            "corroborated",
            Some("charles.garcia"),
            Some("u_ex170119.log:566"),
            Some("u_ex170119.log:565"),
        ),
        (
            &format!("{JSMITH_ZIP}!{JSMITH_MEMBER}"),
            "corroborated",
            Some("jsmith"),
            Some("u_ex170119.log:627"),
            Some("u_ex170119.log:625"),
        ),
        (
            "PCR_48213.pdf",
            "corroborated",
            Some("mary.jones"),
            Some("u_ex170120.log:501"),
            Some("u_ex170120.log:500"),
        ),
        (
            BWHITE,
            "contradicted",
            Some("bwhite"),
            Some("u_ex170120.log:370"),
            Some("u_ex170120.log:369"),
        ),
        ("old_export.csv", "outside_logs", None, None, None),
        (
            MARY_CSV,
            "unsigned",
            Some("mary.jones"),
            Some("u_ex170120.log:498"),
            Some("u_ex170120.log:497"),
        ),
        ("patients_forged.csv", "not_in_logs", None, None, None),
        (
            "registry/trauma_upload.xml",
            "registry_upload",
            None,
            None,
            None,
        ),
    ];
    for (file, verdict, login, download, build) in table {
        let f = finding(&case, file);
        assert_eq!(f["verdict"], verdict, "{file}: {:#?}", reasons(f));
        assert_eq!(f["login"].as_str(), login, "{file}");
        match download {
            Some(at) => {
                assert_eq!(place(&f["download"]), at, "{file}");
                assert_eq!(cited(f, "download"), [at], "{file}");
            }
            None => {
                assert_eq!(f["download"], Value::Null, "{file}");
                assert!(cited(f, "download").is_empty(), "{file}");
            }
        }
        match build {
            Some(at) => assert_eq!(cited(f, "build"), [at], "{file}"),
            None => assert!(cited(f, "build").is_empty(), "{file}"),
        }
    }
    for file in [CHARLES, JSMITH_MEMBER, "PCR_48213.pdf"] {
        let f = finding(&case, file);
        assert_eq!(f["confidence"], "high", "{file}: {:#?}", reasons(f));
        assert_eq!(f["login_source"], "session", "{file}");
        assert_eq!(f["name_link"], "roster", "{file}");
        assert_eq!(f["statement_verified"], true, "{file}");
    }
}

#[test]
fn corroborated_findings_cite_the_rows_a_reader_can_check() {
    let case = sample();
    let f = finding(&case, CHARLES);
    let requests = array(&f["requests"]);
    let download = requests
        .iter()
        .find(|r| r["role"] == "download")
        .expect("the download is cited");
    assert_eq!(download["method"], "GET");
    assert_eq!(
        download["uri_stem"],
        format!("/temp/acme/{CHARLES}").as_str()
    );
    assert_eq!(download["client_ip"], "24.213.38.154");
    assert_eq!(download["time_utc"], "2017-01-19T16:42:11Z");
    assert_eq!(download["time_local"], "2017-01-19T10:42:11-06:00");
    let build = requests
        .iter()
        .find(|r| r["role"] == "build")
        .expect("the build is cited");
    assert_eq!(build["method"], "POST");
    assert_eq!(build["username"], "charles.garcia");
    assert_eq!(build["time_taken_ms"], 9000);
    // The cited rows are in time order.
    let times: Vec<&str> = requests.iter().map(|r| text(&r["time_utc"])).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // The next night's replay from another client is listed, not confused
    // with the download.
    let replays: Vec<String> = array(&f["other_fetches"]).iter().map(place).collect();
    assert_eq!(replays, ["u_ex170120.log:174"]);
    assert_eq!(f["other_fetches"][0]["client_ip"], "185.220.101.7");
    assert!(
        has_reason(f, &["other client", "replay"]),
        "{:#?}",
        reasons(f)
    );

    // jsmith's second export of the day is among his other downloads.
    let j = finding(&case, JSMITH_MEMBER);
    let others: Vec<String> = array(&j["other_exports"]).iter().map(place).collect();
    assert!(
        others.contains(&"u_ex170119.log:797".to_string()),
        "{others:?}"
    );

    // The PDF printout is matched by address, time and kind.
    let p = finding(&case, "PCR_48213.pdf");
    assert_eq!(p["download"]["uri_stem"], "/temp/acme/PCR.48213.pdf");
    assert_eq!(p["name_witness"], Value::Null);
}

#[test]
fn the_contradicted_export_names_the_other_address_and_the_roster_login() {
    let case = sample();
    let f = finding(&case, BWHITE);
    assert_eq!(f["verdict"], "contradicted");
    assert_eq!(f["named_employee"]["login"], "lmartinez");
    assert_eq!(f["named_employee"]["employee_id"], 31);
    assert!(
        has_reason(f, &["71.10.20.30", "66.87.12.40"]),
        "the other IP: {:#?}",
        reasons(f)
    );
    assert!(
        has_reason(f, &["roster", "lmartinez", "bwhite"]),
        "the roster login: {:#?}",
        reasons(f)
    );
    assert!(
        has_reason(f, &["own name", "bwhite", "Linda Martinez"]),
        "{:#?}",
        reasons(f)
    );
}

#[test]
fn outside_logs_unsigned_registry_and_not_in_logs_say_what_to_do_next() {
    let case = sample();

    let old = finding(&case, "old_export.csv");
    assert_eq!(strings(&old["missing_log_days_utc"]), ["2017-01-25"]);
    assert!(has_reason(old, &["2017-01-25"]), "{:#?}", reasons(old));
    assert_eq!(old["statement"]["name"], "Daniel Kim");
    // A finding inside the logs' span asks for no logs.
    assert!(array(&finding(&case, CHARLES)["missing_log_days_utc"]).is_empty());

    let unsigned = finding(&case, MARY_CSV);
    assert_eq!(unsigned["statement"], Value::Null);
    assert_eq!(unsigned["name_witness"]["login"], "mary.jones");
    assert_eq!(
        unsigned["name_witness"]["local_time"],
        "2017-01-20T09:30:00"
    );
    assert_eq!(unsigned["download"]["file_name"], MARY_CSV);
    assert_eq!(unsigned["download"]["session_user"], "mary.jones");
    assert_eq!(unsigned["patient_records"], 8);

    let registry = finding(&case, "registry/trauma_upload.xml");
    assert_eq!(registry["kind"], "nemsis");
    assert!(
        has_reason(registry, &["newyork.imagetrendelite.com"]),
        "{:#?}",
        reasons(registry)
    );
    assert_eq!(registry["login"], Value::Null);

    let forged = finding(&case, "patients_forged.csv");
    assert_eq!(forged["statement"]["name"], "Charles Garcia");
    assert_eq!(forged["download"], Value::Null);
    assert!(array(&forged["missing_log_days_utc"]).is_empty());
    // What it cites is context only: his page requests around that time.
    let requests = array(&forged["requests"]);
    assert!(!requests.is_empty());
    for r in requests {
        assert_eq!(r["role"], "nearby", "{r}");
        assert_eq!(r["client_ip"], "24.213.38.154", "{r}");
    }
}

#[test]
fn evidence_lists_every_input_with_its_role_and_hash() {
    let case = sample();
    let notes = exhibit(&case, "leaked/notes.txt");
    assert_eq!(notes["role"], "ignored");
    assert!(
        notes["note"].as_str().is_some_and(|n| !n.is_empty()),
        "{notes}"
    );
    for log in ["logs/u_ex170119.log", "logs/u_ex170120.log"] {
        let e = exhibit(&case, log);
        assert_eq!(e["role"], "log", "{log}");
        assert_eq!(e["kind"], "w3c", "{log}");
    }
    let roster = exhibit(&case, "roster.csv");
    assert_eq!(roster["role"], "roster");
    for leaked in [
        CHARLES,
        JSMITH_ZIP,
        BWHITE,
        MARY_CSV,
        "PCR_48213.pdf",
        "old_export.csv",
        "patients_forged.csv",
        "registry/trauma_upload.xml",
    ] {
        assert_eq!(exhibit(&case, leaked)["role"], "leaked", "{leaked}");
    }
    assert_eq!(exhibit(&case, JSMITH_ZIP)["kind"], "zip");
    for e in array(&case["evidence"]) {
        let path = text(&e["path"]);
        assert_eq!(e["sha256"], sha256_of(path).as_str(), "{path}");
        assert_eq!(
            e["bytes"],
            fs::metadata(path).expect("an input").len(),
            "{path}"
        );
    }
    let files = array(&case["log_coverage"]["files"]);
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["records"], 978);
    assert_eq!(files[0]["first_utc"], "2017-01-19T00:00:07Z");
    assert_eq!(files[1]["records"], 856);
    assert_eq!(files[1]["last_local"], "2017-01-20T17:59:52-06:00");
    assert!(array(&case["log_coverage"]["gaps"]).is_empty());
}

#[test]
fn people_are_named_from_the_roster_with_their_downloads() {
    let case = sample();
    let people = array(&case["people"]);
    let logins: Vec<&str> = people.iter().map(|p| text(&p["login"])).collect();
    assert_eq!(logins, ["bwhite", "charles.garcia", "jsmith", "mary.jones"]);
    let jsmith = &people[2];
    assert_eq!(jsmith["name"], "John Smith");
    assert_eq!(jsmith["name_source"], "roster");
    assert_eq!(jsmith["employee_id"], 42);
    assert_eq!(strings(&jsmith["client_ips"]), ["73.21.44.9"]);
    let downloads: Vec<String> = array(&jsmith["downloads"]).iter().map(place).collect();
    assert_eq!(downloads, ["u_ex170119.log:627", "u_ex170119.log:797"]);
    // The replay from 185.220.101.7 is not charles.garcia's download.
    let charles: Vec<String> = array(&people[1]["downloads"]).iter().map(place).collect();
    assert_eq!(charles, ["u_ex170119.log:566"]);
}

#[test]
fn the_table_has_one_line_per_leaked_file_with_its_verdict() {
    // Wide enough for whole file names (at 80 columns they are cut).
    let out = leaktrace()
        .args(["investigate", CASE, TZ[0], TZ[1], "--format", "table"])
        .env("COLUMNS", "200")
        .output()
        .expect("leaktrace runs");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    for (file, verdict) in [
        (CHARLES, "corroborated"),
        (BWHITE, "contradicted"),
        ("old_export.csv", "outside_logs"),
        ("patients_forged.csv", "not_in_logs"),
        ("trauma_upload.xml", "registry_upload"),
        (MARY_CSV, "unsigned"),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(file) && l.contains(verdict)),
            "{file} {verdict}:\n{stdout}"
        );
    }
}

// ---------------------------------------------------------------------------
// 2. roster versus heuristic
// ---------------------------------------------------------------------------

#[test]
fn a_roster_given_with_roster_links_names_by_employee_id() {
    let (_tmp, case_dir) = variant(&["logs", "leaked"]);
    let roster = format!("{CASE}/roster.csv");
    let (code, case, stderr) = case_json(&[path_str(&case_dir), TZ[0], TZ[1], "--roster", &roster]);
    assert_eq!(code, Some(0), "{stderr}");
    for (file, login, id) in [
        (CHARLES, "charles.garcia", 57),
        (JSMITH_MEMBER, "jsmith", 42),
    ] {
        let f = finding(&case, file);
        assert_eq!(f["name_link"], "roster", "{file}");
        assert_eq!(f["name_link_detail"]["kind"], "roster");
        assert_eq!(f["name_link_detail"]["by"], "employee ID");
        assert_eq!(f["name_link_detail"]["login"], login);
        assert_eq!(f["name_link_detail"]["employee_id"], id);
        assert_eq!(f["named_employee"]["employee_id"], id);
        assert_eq!(f["confidence"], "high", "{file}");
    }
    let e = exhibit(&case, "roster.csv");
    assert_eq!(e["path"], roster.as_str());
    assert_eq!(e["role"], "roster");
    assert_eq!(e["sha256"], sha256_of(&roster).as_str());
    assert!(
        !strings(&case["limitations"])
            .iter()
            .any(|l| l.contains("heuristic")),
        "{:#?}",
        case["limitations"]
    );
}

#[test]
fn without_a_roster_names_are_linked_by_heuristic_and_confidence_drops() {
    let (_tmp, case_dir) = variant(&["logs", "leaked"]);
    let (code, case, stderr) = case_json(&[path_str(&case_dir), TZ[0], TZ[1]]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !array(&case["evidence"])
            .iter()
            .any(|e| e["role"] == "roster")
    );
    for (file, form) in [
        (CHARLES, "first.last"),
        (JSMITH_MEMBER, "initial + surname"),
    ] {
        let f = finding(&case, file);
        assert_eq!(f["verdict"], "corroborated", "{file}");
        assert_eq!(f["name_link"], "heuristic", "{file}");
        assert_eq!(f["name_link_detail"]["form"], form, "{file}");
        assert_eq!(f["named_employee"], Value::Null, "{file}");
        assert_ne!(f["confidence"], "high", "{file}: {:#?}", reasons(f));
        assert!(has_reason(f, &["heuristic"]), "{:#?}", reasons(f));
    }
    assert!(
        strings(&case["limitations"])
            .iter()
            .any(|l| l.contains("heuristic") && l.contains("roster")),
        "{:#?}",
        case["limitations"]
    );
    let people = array(&case["people"]);
    let charles = people
        .iter()
        .find(|p| p["login"] == "charles.garcia")
        .expect("charles.garcia");
    assert_eq!(charles["employee_id"], Value::Null);
    assert_ne!(charles["name_source"], "roster");
}

#[test]
fn a_roster_without_a_login_column_is_a_usage_error_naming_its_headers() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let roster = tmp.path().join("staff.csv");
    fs::write(&roster, "Name,Phone\nCharles Garcia,555-0100\n").expect("write");
    let out = investigate_in(
        None,
        &[
            CASE,
            TZ[0],
            TZ[1],
            "--format",
            "json",
            "--roster",
            path_str(&roster),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("no login column"), "{stderr}");
    assert!(stderr.contains("Name, Phone"), "{stderr}");
}

// ---------------------------------------------------------------------------
// 3. ZIP members
// ---------------------------------------------------------------------------

#[test]
fn a_zip_member_carries_its_own_hash_and_its_archives() {
    let case = sample();
    let zip_path = format!("{CASE}/leaked/{JSMITH_ZIP}");
    let f = finding(&case, JSMITH_MEMBER);
    assert_eq!(f["file"], format!("{zip_path}!{JSMITH_MEMBER}").as_str());
    assert_eq!(f["kind"], "nemsis");
    assert_eq!(f["patient_records"], 3);
    assert_eq!(f["name_witness"]["file_name"], JSMITH_ZIP);

    let archive = sha256_of(&zip_path);
    assert_eq!(f["archive_sha256"], archive.as_str());
    assert_eq!(exhibit(&case, JSMITH_ZIP)["sha256"], archive.as_str());

    let mut zip =
        zip::ZipArchive::new(fs::File::open(&zip_path).expect("the zip")).expect("a readable zip");
    let mut member = zip.by_name(JSMITH_MEMBER).expect("the member");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut member, &mut bytes).expect("inflate");
    assert_eq!(f["sha256"], hex(&bytes).as_str());
    assert_ne!(f["sha256"], f["archive_sha256"]);
    // A plain file has no archive.
    assert_eq!(finding(&case, CHARLES)["archive_sha256"], Value::Null);
}

// ---------------------------------------------------------------------------
// 4. the file's own name as a witness
// ---------------------------------------------------------------------------

#[test]
fn a_file_renamed_to_another_login_is_contradicted_by_its_own_name() {
    let (_tmp, case_dir) = variant(&["logs", "roster.csv", &format!("leaked/{CHARLES}")]);
    let renamed = "AcmeAmbulance.bwhite.2017-01-19-10-42-05.csv";
    fs::copy(
        case_dir.join("leaked").join(CHARLES),
        case_dir.join("leaked").join(renamed),
    )
    .expect("copy");
    let (code, case, stderr) = case_json(&[path_str(&case_dir), TZ[0], TZ[1]]);
    assert_eq!(code, Some(0), "{stderr}");

    // Same bytes, its true name: corroborated.
    let original = finding(&case, &format!("leaked/{CHARLES}"));
    assert_eq!(original["verdict"], "corroborated");

    let f = finding(&case, renamed);
    assert_eq!(f["verdict"], "contradicted", "{:#?}", reasons(f));
    assert_eq!(f["name_witness"]["login"], "bwhite");
    assert_eq!(f["login"], "charles.garcia", "the logs' login");
    assert_eq!(place(&f["download"]), "u_ex170119.log:566");
    assert!(
        has_reason(f, &["own name", renamed, "bwhite", "Charles Garcia"]),
        "{:#?}",
        reasons(f)
    );
}

// ---------------------------------------------------------------------------
// 5. the report folder
// ---------------------------------------------------------------------------

/// Runs the sample case with `--format json --report <dir>` from the crate
/// root; returns stdout.
fn report_run(dir: &Path, extra: &[&str]) -> Vec<u8> {
    let out = investigate_in(
        None,
        &[
            &[
                CASE,
                TZ[0],
                TZ[1],
                "--format",
                "json",
                "--report",
                path_str(dir),
            ],
            extra,
        ]
        .concat(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_text(dir: &Path, name: &str) -> String {
    String::from_utf8(read(dir, name)).expect("UTF-8")
}

#[test]
fn the_report_folder_holds_five_files_and_findings_json_is_the_stdout() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("report");
    let stdout = report_run(&dir, &[]);
    let names: BTreeSet<String> = fs::read_dir(&dir)
        .expect("the report folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "findings.json",
            "report.html",
            "report.md",
            "timeline.jsonl"
        ]
        .map(String::from)
        .into_iter()
        .collect()
    );
    assert!(
        stdout == read(&dir, "findings.json"),
        "findings.json != stdout"
    );
    let md = read_text(&dir, "report.md");
    assert!(md.starts_with("# "), "{md}");
    // Markdown escapes `_`.
    for file in [
        CHARLES,
        JSMITH_ZIP,
        BWHITE,
        "PCR_48213.pdf",
        "old_export.csv",
    ] {
        let shown = file.replace('_', "\\_");
        assert!(md.contains(&shown), "report.md names {shown}");
    }
    assert!(
        md.contains("u\\_ex170119.log:566"),
        "report.md cites the download"
    );
    assert!(!md.contains("HHS"), "49 records do not reach the threshold");
}

#[test]
fn sha256sums_checks_the_evidence_and_the_report() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("report");
    let stdout = report_run(&dir, &[]);
    let case: Value = serde_json::from_slice(&stdout).expect("JSON");
    let sums = read_text(&dir, "SHA256SUMS");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (hash, path) = line.split_once("  ").expect("`hash  path`");
        assert_eq!(hash.len(), 64, "{line}");
        // Relative paths are relative to where leaktrace ran.
        let bytes = fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(hash, hex(&bytes), "{path}");
        listed.push(path.to_string());
    }
    let mut expected: Vec<String> = array(&case["evidence"])
        .iter()
        .map(|e| text(&e["path"]).to_string())
        .collect();
    for name in [
        "report.md",
        "report.html",
        "findings.json",
        "timeline.jsonl",
    ] {
        expected.push(path_str(&dir.join(name)).to_string());
    }
    assert_eq!(listed, expected);

    // The tool investigators use, where it is installed.
    match std::process::Command::new("sha256sum")
        .arg("-c")
        .arg(dir.join("SHA256SUMS"))
        .current_dir(root)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "sha256sum -c: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("sha256sum not run ({e}); the sums were checked in Rust"),
    }
}

#[test]
fn the_timeline_is_time_ordered_timesketch_events() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("report");
    report_run(&dir, &[]);
    let timeline = read_text(&dir, "timeline.jsonl");
    let events: Vec<Value> = timeline
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(!events.is_empty());
    for e in &events {
        for key in ["message", "datetime", "timestamp_desc"] {
            assert!(
                e[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {e}"
            );
        }
        assert!(e["timestamp"].is_i64(), "{e}");
    }
    let datetimes: Vec<&str> = events.iter().map(|e| text(&e["datetime"])).collect();
    // Whole seconds in UTC: text order is time order.
    assert!(
        datetimes
            .iter()
            .all(|d| d.len() == 20 && d.ends_with('Z') && d.as_bytes()[10] == b'T'),
        "{datetimes:?}"
    );
    assert!(
        datetimes.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by datetime"
    );
    let stamps: Vec<i64> = events
        .iter()
        .map(|e| e["timestamp"].as_i64().unwrap_or_default())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]));
    // The statement and the download of the charles.garcia export are both there.
    let of_charles = |e: &&Value| text(&e["leaked_file"]).ends_with(CHARLES);
    assert!(
        events
            .iter()
            .filter(of_charles)
            .any(|e| e["datetime"] == "2017-01-19T16:42:05Z"
                && e["timestamp_desc"] == "Statement produced")
    );
    assert!(
        events
            .iter()
            .filter(of_charles)
            .any(|e| e["role"] == "download"
                && e["log_line"] == 566
                && e["datetime"] == "2017-01-19T16:42:11Z")
    );
}

#[test]
fn the_html_report_is_one_self_contained_file_naming_every_leaked_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("report");
    let stdout = report_run(&dir, &[]);
    let case: Value = serde_json::from_slice(&stdout).expect("JSON");
    let html = read_text(&dir, "report.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    assert!(html.contains("<style>"));
    let lower = html.to_lowercase();
    for banned in ["src=\"http", "<link", "<script", "@import", "url(http"] {
        assert!(!lower.contains(banned), "report.html has {banned}");
    }
    for e in array(&case["evidence"])
        .iter()
        .filter(|e| e["role"] == "leaked")
    {
        let path = text(&e["path"]);
        let name = path.rsplit('/').next().unwrap_or(path);
        assert!(html.contains(name), "report.html names {name}");
    }
}

#[test]
fn untrusted_text_is_escaped_in_the_html_and_markdown_reports() {
    let (tmp, case_dir) = variant(&["logs", "roster.csv"]);
    let evil = CHARLES_STATEMENT.replace("Charles Garcia", "<script>alert(1)</script>");
    fs::create_dir_all(case_dir.join("leaked")).expect("mkdir");
    fs::write(case_dir.join("leaked/evil.csv"), grid_csv(9, &evil)).expect("write");
    let dir = tmp.path().join("report");
    let out = investigate_in(
        None,
        &[
            path_str(&case_dir),
            TZ[0],
            TZ[1],
            "--format",
            "json",
            "--report",
            path_str(&dir),
        ],
    );
    let (code, case, stderr) = parse(out);
    assert_eq!(code, Some(0), "{stderr}");
    // The JSON keeps the text as it is.
    let f = finding(&case, "evil.csv");
    assert_eq!(f["statement"]["name"], "<script>alert(1)</script>");

    let html = read_text(&dir, "report.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.to_lowercase().contains("<script"),
        "raw <script> in html"
    );
    let md = read_text(&dir, "report.md");
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
    assert!(!md.contains("<script>"), "raw <script> in md");
}

/// A statement is untrusted text: a backtick in it must not open a code
/// span that carries a blank line and a raw HTML block into report.md.
#[test]

fn a_backtick_in_a_statement_cannot_carry_raw_html_into_the_markdown() {
    let (tmp, case_dir) = variant(&["logs", "roster.csv"]);
    let evil =
        CHARLES_STATEMENT.replace("Charles Garcia", "Eve `x\n\n<script>alert(1)</script>\n\n`");
    fs::create_dir_all(case_dir.join("leaked")).expect("mkdir");
    fs::write(
        case_dir.join("leaked/evil.csv"),
        grid_csv(9, &format!("\"{evil}\"")),
    )
    .expect("write");
    let dir = tmp.path().join("report");
    let out = investigate_in(
        None,
        &[
            path_str(&case_dir),
            TZ[0],
            TZ[1],
            "--report",
            path_str(&dir),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let md = read_text(&dir, "report.md");
    assert!(
        !md.lines().any(|l| l.trim_start().starts_with("<script")),
        "a raw HTML block in report.md:\n{md}"
    );
    assert!(!md.contains("<script>"), "raw <script> in md");
}

#[test]
fn a_report_folder_inside_the_evidence_is_refused_and_nothing_is_written() {
    let (_tmp, case_dir) = variant(&["logs", "leaked"]);
    for inside in [
        case_dir.join("report"),
        case_dir.join("leaked/deeper/report"),
    ] {
        let out = investigate_in(
            None,
            &[
                path_str(&case_dir),
                TZ[0],
                TZ[1],
                "--format",
                "json",
                "--report",
                path_str(&inside),
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("inside the evidence"), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(!inside.exists());
        assert!(!case_dir.join("leaked/deeper").exists());
    }
    // Relative to the working directory too.
    let out = investigate_in(Some(&case_dir), &[".", TZ[0], TZ[1], "--report", "out"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!case_dir.join("out").exists());
    let mut names: Vec<String> = fs::read_dir(&case_dir)
        .expect("case")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["leaked", "logs"]);
}

// ---------------------------------------------------------------------------
// 6. determinism
// ---------------------------------------------------------------------------

#[test]
fn two_runs_print_the_same_bytes() {
    let one = investigate_in(None, &[CASE, TZ[0], TZ[1], "--format", "json"]);
    let two = investigate_in(None, &[CASE, TZ[0], TZ[1], "--format", "json"]);
    assert!(!one.stdout.is_empty());
    assert!(one.stdout == two.stdout, "two JSON runs differ");
    let one = investigate_in(None, &[CASE, TZ[0], TZ[1]]);
    let two = investigate_in(None, &[CASE, TZ[0], TZ[1]]);
    assert!(one.stdout == two.stdout, "two table runs differ");
}

#[test]
fn two_reports_of_the_same_evidence_are_the_same_bytes() {
    // The same command line in two different folders (the command line is
    // part of the report).
    let (a_tmp, _) = variant(&["logs", "leaked", "roster.csv"]);
    let (b_tmp, _) = variant(&["logs", "leaked", "roster.csv"]);
    for tmp in [&a_tmp, &b_tmp] {
        let out = investigate_in(Some(tmp.path()), &["case", TZ[0], TZ[1], "--report", "out"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (a, b) = (a_tmp.path().join("out"), b_tmp.path().join("out"));
    for name in [
        "findings.json",
        "report.md",
        "report.html",
        "timeline.jsonl",
        "SHA256SUMS",
    ] {
        let (x, y) = (read(&a, name), read(&b, name));
        assert!(!x.is_empty(), "{name} is empty");
        assert!(x == y, "{name} differs between two runs");
    }

    // Into two different folders from the same place: only the command
    // line recorded in the report may differ.
    let tmp = tempfile::tempdir().expect("temp dir");
    let (c, d) = (tmp.path().join("c"), tmp.path().join("d"));
    report_run(&c, &[]);
    report_run(&d, &[]);
    assert!(read(&c, "timeline.jsonl") == read(&d, "timeline.jsonl"));
    let without_arguments = |dir: &Path| {
        let mut v: Value = serde_json::from_slice(&read(dir, "findings.json")).expect("JSON");
        v["case"]["arguments"] = Value::Null;
        v
    };
    assert_eq!(without_arguments(&c), without_arguments(&d));
    let without_command = |dir: &Path| {
        read_text(dir, "report.md")
            .lines()
            .filter(|l| !l.contains("Command: leaktrace"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_command(&c), without_command(&d));
}

#[test]
fn stamp_records_when_the_report_was_made_and_is_off_by_default() {
    let (_, plain, _) = case_json(&[CASE, TZ[0], TZ[1]]);
    assert_eq!(plain["case"]["generated_at"], Value::Null);
    let (code, stamped, stderr) = case_json(&[CASE, TZ[0], TZ[1], "--stamp"]);
    assert_eq!(code, Some(0), "{stderr}");
    let at = stamped["case"]["generated_at"]
        .as_str()
        .unwrap_or_else(|| panic!("generated_at: {}", stamped["case"]));
    let when: jiff::Timestamp = at.parse().unwrap_or_else(|e| panic!("{at}: {e}"));
    let age = jiff::Timestamp::now().duration_since(when);
    assert!(
        age >= jiff::SignedDuration::ZERO && age < jiff::SignedDuration::from_mins(10),
        "{at} is not the time of the run"
    );
    // Nothing else changes.
    let mut rest = stamped.clone();
    rest["case"]["generated_at"] = Value::Null;
    rest["case"]["arguments"] = plain["case"]["arguments"].clone();
    assert_eq!(rest, plain);
}

// ---------------------------------------------------------------------------
// 7. bad input never stops the others
// ---------------------------------------------------------------------------

/// Bytes that are no known format (a fixed xorshift stream).
fn garbage(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn damaged_and_unknown_inputs_are_reported_and_the_rest_is_investigated() {
    let (_tmp, case_dir) = variant(&["logs", "leaked", "roster.csv"]);
    let leaked = case_dir.join("leaked");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/zip/truncated.zip"),
        leaked.join("truncated.zip"),
    )
    .expect("copy");
    fs::write(leaked.join("garbage.bin"), garbage(4096)).expect("write");
    fs::write(leaked.join("empty.csv"), b"").expect("write");
    let mut binary = b"\x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n".to_vec();
    binary.extend(garbage(512));
    fs::write(case_dir.join("logs/u_ex170121.log"), binary).expect("write");

    let (code, case, stderr) = case_json(&[path_str(&case_dir), TZ[0], TZ[1]]);
    assert_eq!(code, Some(1), "the damaged ZIP could not be read: {stderr}");
    assert!(stderr.contains("truncated.zip"), "{stderr}");

    // Every finding of the sample is still there, with its verdict.
    let sample = sample();
    for f in array(&sample["findings"]) {
        let name = text(&f["file"]).trim_start_matches("testdata/case/");
        let g = finding(&case, name);
        assert_eq!(g["verdict"], f["verdict"], "{name}");
        assert_eq!(g["login"], f["login"], "{name}");
    }
    // The readable member of the damaged archive too.
    let member = finding(&case, "truncated.zip!vendor_sample_v351.xml");
    assert_eq!(member["kind"], "nemsis");
    let problems = strings(&case["problems"]);
    assert!(
        problems.iter().any(|p| p.contains("truncated.zip")),
        "{problems:?}"
    );
    for name in ["garbage.bin", "empty.csv", "u_ex170121.log"] {
        let e = exhibit(&case, name);
        assert_eq!(e["role"], "ignored", "{name}");
        assert!(e["note"].as_str().is_some_and(|n| !n.is_empty()), "{e}");
    }
    // The binary `.log` is not taken for a log.
    let logs: Vec<&str> = array(&case["log_coverage"]["files"])
        .iter()
        .map(|f| text(&f["path"]))
        .collect();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(case["summary"]["findings"], 9);
}

#[test]
fn a_missing_input_is_reported_and_the_rest_is_investigated() {
    let missing = "testdata/case/no-such-folder";
    let (code, case, stderr) = case_json(&[
        "testdata/case/logs",
        "testdata/case/leaked/old_export.csv",
        "testdata/case/leaked/patients_forged.csv",
        missing,
        TZ[0],
        TZ[1],
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(missing), "{stderr}");
    assert!(
        strings(&case["problems"])
            .iter()
            .any(|p| p.contains(missing))
    );
    assert_eq!(finding(&case, "old_export.csv")["verdict"], "outside_logs");
    assert_eq!(
        finding(&case, "patients_forged.csv")["verdict"],
        "not_in_logs"
    );
}

#[test]
fn a_leaked_file_over_the_limit_is_reported_and_the_rest_is_investigated() {
    // investigate goes through examine's reading: a CSV over its limit is
    // refused from its size (sparse here: 5 GiB that take no room), its hash
    // is not attempted past the limit, and the other files are correlated.
    let (_tmp, case_dir) = variant(&["logs", "leaked/old_export.csv"]);
    let big = case_dir.join("leaked/big.csv");
    fs::write(&big, format!("{GRID_HEADER}\n").repeat(2_000)).expect("write");
    fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(5 << 30))
        .expect("sparse");
    let (code, case, stderr) = case_json(&[path_str(&case_dir), TZ[0], TZ[1]]);
    assert_eq!(code, Some(1), "{stderr}");
    let over = "5 GiB, over the limit of 256 MiB for a CSV file (read whole into memory): not read";
    assert!(
        strings(&case["problems"])
            .iter()
            .any(|p| p.ends_with(&format!("big.csv: {over}"))),
        "{stderr}"
    );
    let e = exhibit(&case, "big.csv");
    assert_eq!(e["sha256"], Value::Null);
    assert_eq!(
        e["note"],
        format!(
            "could not be read: {over}; could not be hashed: 5 GiB, over the limit of 1 GiB for a \
             file that is only hashed: not read"
        )
    );
    assert_eq!(finding(&case, "old_export.csv")["verdict"], "outside_logs");
}

#[test]
fn formats_other_than_table_and_json_and_stdin_are_usage_errors() {
    for args in [
        vec![CASE, "--format", "csv"],
        vec![CASE, "--format", "ndjson"],
        vec!["-", "--format", "json"],
        vec![CASE, "-"],
    ] {
        let out = investigate_in(None, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr.starts_with("leaktrace: "), "{args:?}: {stderr}");
    }
}

// ---------------------------------------------------------------------------
// 8. breach assessment
// ---------------------------------------------------------------------------

#[test]
fn patient_records_add_up_across_the_findings() {
    let case = sample();
    let findings = array(&case["findings"]);
    let sum: u64 = findings
        .iter()
        .filter_map(|f| f["patient_records"].as_u64())
        .sum();
    assert_eq!(sum, 12 + 3 + 10 + 6 + 8 + 9 + 1);
    assert_eq!(case["summary"]["patient_records"], sum);
    // The PDF is not counted, and the summary says the count is incomplete.
    assert_eq!(
        finding(&case, "PCR_48213.pdf")["patient_records"],
        Value::Null
    );
    assert_eq!(case["summary"]["patient_records_incomplete"], true);
    assert_eq!(case["summary"]["breach_threshold"], 500);
    assert_eq!(case["summary"]["reaches_threshold"], false);
    assert_eq!(
        finding(&case, CHARLES)["columns"].as_array().map(Vec::len),
        Some(6)
    );
}

/// Runs a case of the logs and one grid export of `rows` rows; returns the
/// case and report.md.
fn breach_case(rows: usize) -> (Value, String) {
    let (tmp, case_dir) = variant(&["logs", "roster.csv"]);
    fs::write(case_dir.join("big.csv"), grid_csv(rows, CHARLES_STATEMENT)).expect("write");
    let dir = tmp.path().join("report");
    let (code, case, stderr) = parse(investigate_in(
        None,
        &[
            path_str(&case_dir),
            TZ[0],
            TZ[1],
            "--format",
            "json",
            "--report",
            path_str(&dir),
        ],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    (case, read_text(&dir, "report.md"))
}

#[test]
fn five_hundred_patient_records_reach_the_hhs_notice_threshold() {
    let (case, md) = breach_case(501);
    let f = finding(&case, "big.csv");
    assert_eq!(f["patient_records"], 501);
    assert_eq!(f["statement"]["name"], "Charles Garcia");
    let summary = &case["summary"];
    assert_eq!(summary["patient_records"], 501);
    assert_eq!(summary["patient_records_incomplete"], false);
    assert_eq!(summary["reaches_threshold"], true);
    assert!(md.contains("HHS"), "report.md mentions the HHS notice");
    assert!(md.contains("60 days"), "report.md gives the deadline");

    let (case, md) = breach_case(499);
    assert_eq!(case["summary"]["patient_records"], 499);
    assert_eq!(case["summary"]["reaches_threshold"], false);
    assert!(!md.contains("HHS"), "499 records: no notice");
}

// ---------------------------------------------------------------------------
// 9. no logs at all
// ---------------------------------------------------------------------------

#[test]
fn without_logs_every_signed_file_is_outside_logs_and_the_report_says_why() {
    let (_tmp, case_dir) = variant(&["leaked"]);
    let (code, case, stderr) = case_json(&[path_str(&case_dir), TZ[0], TZ[1]]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(array(&case["log_coverage"]["files"]).is_empty());
    let findings = array(&case["findings"]);
    assert_eq!(findings.len(), 8);
    for f in findings {
        let file = text(&f["file"]);
        let names_a_person = f["statement"]["name"].is_string();
        let expected = if names_a_person {
            "outside_logs"
        } else if file.ends_with("trauma_upload.xml") {
            "registry_upload"
        } else {
            "unsigned"
        };
        assert_eq!(f["verdict"], expected, "{file}");
        if names_a_person {
            let day = &text(&f["statement"]["produced_at"])[..10];
            assert_eq!(strings(&f["missing_log_days_utc"]), [day], "{file}");
            assert_eq!(f["login"], Value::Null, "{file}");
        }
    }
    assert_eq!(case["summary"]["verdicts"]["outside_logs"], 6);
    assert!(
        strings(&case["limitations"])
            .iter()
            .any(|l| l.contains("No server log")),
        "{:#?}",
        case["limitations"]
    );
}

/// Rewrites one line of a copied log, checking it held `from`.
fn edit_log(case: &Path, log: &str, line: usize, from: &str, to: &str) {
    let path = case.join("logs").join(log);
    let text = fs::read_to_string(&path).expect("log");
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    assert!(
        lines[line - 1].contains(from),
        "{log}:{line}: {}",
        lines[line - 1]
    );
    lines[line - 1] = lines[line - 1].replace(from, to);
    fs::write(&path, lines.join("\n")).expect("write log");
}

#[test]
fn an_export_name_a_little_off_produced_at_is_matched_by_address_and_time() {
    // The server named the export 25 s after the statement's time (another
    // clock, rounding): not the same name time, but the same client, kind
    // and moment.
    let (_tmp, case) = variant(&["logs", "roster.csv", &format!("leaked/{CHARLES}")]);
    edit_log(&case, "u_ex170119.log", 566, "10-42-05.csv", "10-42-30.csv");
    edit_log(&case, "u_ex170120.log", 174, "10-42-05.csv", "10-42-30.csv");
    let (code, json, stderr) = case_json(&[path_str(&case), "--tz", "America/Chicago"]);
    assert_eq!(code, Some(0), "{stderr}");
    let f = finding(&json, CHARLES);
    assert_eq!(f["verdict"], "corroborated", "{:#?}", reasons(f));
    assert_eq!(place(&f["download"]), "u_ex170119.log:566");
    assert_eq!(array(&f["other_fetches"]).len(), 1, "the replay");
    assert!(
        has_reason(
            f,
            &["export name's time", "matched by address, time and kind"]
        ),
        "{:#?}",
        reasons(f)
    );
}

#[test]
fn a_fetch_on_another_site_contradicts_the_statement() {
    // The PDF's fetch is in the 18-field block, which logs cs-host.
    let (_tmp, case) = variant(&["logs", "roster.csv", "leaked/PCR_48213.pdf"]);
    edit_log(
        &case,
        "u_ex170120.log",
        501,
        " acme.angeltrack.com 200 ",
        " other.angeltrack.com 200 ",
    );
    let (_, json, stderr) = case_json(&[path_str(&case), "--tz", "America/Chicago"]);
    let f = finding(&json, "PCR_48213.pdf");
    assert_eq!(f["verdict"], "contradicted", "{stderr}{:#?}", reasons(f));
    assert!(
        has_reason(f, &["other.angeltrack.com", "acme.angeltrack.com"]),
        "{:#?}",
        reasons(f)
    );
}
