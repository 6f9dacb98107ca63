//! End-to-end tests of `leaktrace stats`: counts per user, local day and
//! hour (the daylight-saving days of America/Chicago in 2026: March 8 has
//! 23 hours, November 1 has 25), after-hours shares with a weekend, failed
//! logons, an outlier planted among steady users, and every format. The
//! logs are written here, with their counts known by construction.
#![cfg(feature = "analytics")]

use crate::support::{json_array, leaktrace};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

const FIELDS: &str = "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken\n";
const UA: &str = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)";

/// One row at a UTC instant.
fn row(at: Timestamp, method: &str, stem: &str, user: &str, ip: &str, status: u16) -> String {
    let t = at.strftime("%Y-%m-%d %H:%M:%S");
    format!("{t} 10.0.0.1 {method} {stem} - 443 {user} {ip} {UA} - {status} 0 0 5120 12\n")
}

fn utc(s: &str) -> Timestamp {
    s.parse().expect("a test instant")
}

/// alice makes one request at the start of every UTC hour of the two local
/// days of change in Chicago: 23 on 2026-03-08 (no 02:00), 25 on
/// 2026-11-01 (01:00 twice).
fn dst_log() -> String {
    let mut log = FIELDS.to_string();
    for (from, to) in [
        ("2026-03-08T06:00:00Z", "2026-03-09T05:00:00Z"),
        ("2026-11-01T05:00:00Z", "2026-11-02T06:00:00Z"),
    ] {
        let mut t = utc(from);
        while t < utc(to) {
            log += &row(t, "GET", "/Dispatch.aspx", "alice", "10.1.1.5", 200);
            t += SignedDuration::from_hours(1);
        }
    }
    log
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("the test log is written");
    path.to_string_lossy().into_owned()
}

/// `leaktrace --format json --tz America/Chicago stats <args>`.
fn stats(args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let out = leaktrace()
        .args(["--format", "json", "--tz", "America/Chicago", "stats"])
        .args(args)
        .output()
        .expect("leaktrace runs");
    json_array(out)
}

#[test]
fn local_days_of_23_and_25_hours() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "dst.log", &dst_log());
    let (code, rows, err) = stats(&[&log, "--by", "user,day"]);
    assert_eq!(code, Some(0), "{err}");
    let days: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap(),
                r["day"].as_str().unwrap(),
                r["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [("alice", "2026-03-08", 23), ("alice", "2026-11-01", 25)]
    );
    assert_eq!(rows[0]["first_local"], "2026-03-08T00:00:00-06:00");
    assert_eq!(rows[0]["last_local"], "2026-03-08T23:00:00-05:00");
    assert_eq!(rows[1]["first_local"], "2026-11-01T00:00:00-05:00");
    assert_eq!(rows[1]["last_local"], "2026-11-01T23:00:00-06:00");
}

#[test]
fn hours_of_the_days_of_change() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "dst.log", &dst_log());
    let (code, rows, err) = stats(&[&log, "--by", "day,hour"]);
    assert_eq!(code, Some(0), "{err}");
    let hours = |day: &str| -> Vec<(u64, u64)> {
        rows.iter()
            .filter(|r| r["day"] == day)
            .map(|r| (r["hour"].as_u64().unwrap(), r["requests"].as_u64().unwrap()))
            .collect()
    };
    let march = hours("2026-03-08");
    assert_eq!(march.len(), 23);
    assert!(!march.iter().any(|&(h, _)| h == 2), "02:00 never happened");
    assert!(march.iter().all(|&(_, n)| n == 1));
    let november = hours("2026-11-01");
    assert_eq!(november.len(), 24);
    assert_eq!(november[1], (1, 2), "01:00 happened twice");
    assert_eq!(november.iter().map(|&(_, n)| n).sum::<u64>(), 25);
    // Sorted by day, then hour.
    assert_eq!(march[0].0, 0);
    assert_eq!(rows[0]["day"], "2026-03-08");
    assert_eq!(rows[0]["hour"], 0);
}

/// bob on Monday 2026-03-09 at 06:00, 08:00, 12:00, 18:59 and 19:00 local
/// (CDT, UTC-5), and on Saturday 2026-03-14 at noon.
fn office_log() -> String {
    let mut log = FIELDS.to_string();
    for t in [
        "2026-03-09T11:00:00Z",
        "2026-03-09T13:00:00Z",
        "2026-03-09T17:00:00Z",
        "2026-03-09T23:59:00Z",
        "2026-03-10T00:00:00Z",
        "2026-03-14T17:00:00Z",
    ] {
        log += &row(utc(t), "GET", "/Shifts.aspx", "bob", "10.1.1.6", 200);
    }
    log
}

#[test]
fn after_hours_count_weekends() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "office.log", &office_log());
    let (code, rows, err) = stats(&[&log, "--after-hours", "07:00-19:00"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), 1);
    // 06:00 and 19:00 on Monday, and Saturday noon.
    assert_eq!(rows[0]["after_hours"], 3);
    assert_eq!(rows[0]["after_hours_share"], 0.5);
    let (_, rows, _) = stats(&[&log, "--after-hours", "06:00-20:00", "--by", "user,day"]);
    let shares: Vec<f64> = rows
        .iter()
        .map(|r| r["after_hours_share"].as_f64().unwrap())
        .collect();
    assert_eq!(
        shares,
        [0.0, 1.0],
        "Monday inside the hours, Saturday all after"
    );
}

#[test]
fn bad_working_hours_and_keys_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "office.log", &office_log());
    for args in [
        vec![log.as_str(), "--after-hours", "7-19"],
        vec![log.as_str(), "--by", "month"],
        vec![log.as_str(), "--by", "user,user"],
        vec![log.as_str(), "--outliers", "--by", "ip"],
    ] {
        let out = leaktrace()
            .arg("stats")
            .args(&args)
            .output()
            .expect("leaktrace runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

/// Logons from 203.0.113.9 (anonymous until the redirect): two answered
/// with the form again (200), one 401, one good (302); carol's POST to
/// another page answered 200 is no logon at all.
fn logon_log() -> String {
    let mut log = FIELDS.to_string();
    let at = utc("2026-04-01T15:00:00Z");
    for (i, status) in [200, 200, 401, 302].into_iter().enumerate() {
        let t = at + SignedDuration::from_secs(i as i64);
        log += &row(t, "GET", "/Login.aspx", "-", "203.0.113.9", 200);
        log += &row(t, "POST", "/Login.aspx", "-", "203.0.113.9", status);
    }
    log += &row(at, "POST", "/Shifts.aspx", "carol", "198.51.100.4", 200);
    log
}

#[test]
fn failed_logons_by_address() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "logon.log", &logon_log());
    let (code, rows, err) = stats(&[&log, "--by", "ip"]);
    assert_eq!(code, Some(0), "{err}");
    let got: Vec<(&str, u64, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["ip"].as_str().unwrap(),
                r["requests"].as_u64().unwrap(),
                r["posts"].as_u64().unwrap(),
                r["failed_logons"].as_u64().unwrap(),
            )
        })
        .collect();
    // Addresses in numeric order.
    assert_eq!(got, [("198.51.100.4", 1, 1, 0), ("203.0.113.9", 8, 4, 3)]);
    // By user, the anonymous logons are the group without a user, last.
    let (_, rows, _) = stats(&[&log]);
    assert_eq!(rows[0]["user"], "carol");
    assert_eq!(rows[1]["user"], Value::Null);
    assert_eq!(rows[1]["failed_logons"], 3);
}

/// Five users, ten days (2026-04-06 ..): 20 requests and one export a day
/// each, fetched without a login name as the application does; u3 makes
/// 12 exports on 2026-04-10.
fn team_log() -> String {
    let mut log = FIELDS.to_string();
    for day in 0..10 {
        let start = utc("2026-04-06T14:00:00Z") + SignedDuration::from_hours(24 * day);
        for u in 1..=5 {
            let user = format!("u{u}");
            let ip = format!("10.2.0.{u}");
            for i in 0..20 {
                let t = start + SignedDuration::from_mins(i * 5 + u);
                log += &row(t, "GET", "/Dispatch.aspx", &user, &ip, 200);
            }
            let exports = if u == 3 && day == 4 { 12 } else { 1 };
            for e in 0..exports {
                let t = start + SignedDuration::from_mins(120 + e * 2 + u);
                let local = t.to_zoned(jiff::tz::TimeZone::get("America/Chicago").unwrap());
                let stem = format!(
                    "/temp/acme/AcmeAmbulance.{user}.{}.zip",
                    local.strftime("%Y-%m-%d-%H-%M-%S")
                );
                log += &row(t, "GET", &stem, "-", &ip, 200);
            }
        }
    }
    log
}

#[test]
fn planted_outlier_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "team.log", &team_log());
    let (code, rows, err) = stats(&[&log, "--outliers"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), 50);
    let top = &rows[0];
    assert_eq!(
        (top["user"].as_str(), top["day"].as_str()),
        (Some("u3"), Some("2026-04-10"))
    );
    assert_eq!(top["exports"], 12);
    assert_eq!(top["export_bytes"], 12 * 5120);
    assert_eq!(top["why"], "12 exports, usual 1 (peers 1)");
    // 0.6745 · 11 against u3's own days, and again against the day's peers.
    assert_eq!(top["score"], 14.84);
    assert!(rows[1..].iter().all(|r| r["score"] == 0.0), "{:?}", rows[1]);
    // The rest by user and day.
    assert_eq!(
        (rows[1]["user"].as_str(), rows[1]["day"].as_str()),
        (Some("u1"), Some("2026-04-06"))
    );
    let keys: Vec<&str> = top
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "user",
            "day",
            "requests",
            "posts",
            "ips",
            "pages",
            "exports",
            "export_bytes",
            "failed_logons",
            "first_local",
            "last_local",
            "score",
            "why"
        ]
    );
}

#[test]
fn user_filter_keeps_the_downloads_of_the_users_exports() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "team.log", &team_log());
    let (code, rows, err) = stats(&[&log, "--user", "u3", "--by", "user"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["requests"], 200 + 9 + 12);
    assert_eq!(rows[0]["exports"], 21);
    assert_eq!(rows[0]["ips"], 1);
    // Dispatch.aspx, and the 21 export files.
    assert_eq!(rows[0]["pages"], 22);
}

#[test]
fn every_format_has_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "office.log", &office_log());
    let run = |format: &str| {
        let out = leaktrace()
            .args(["--format", format, "--tz", "America/Chicago", "stats", &log])
            .args(["--by", "user,hour", "--after-hours", "07:00-19:00"])
            .output()
            .expect("leaktrace runs");
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let header = "user,hour,requests,posts,ips,pages,exports,export_bytes,failed_logons,first_local,last_local,after_hours,after_hours_share";
    let csv = run("csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(header));
    assert_eq!(
        lines.next(),
        Some("bob,6,1,0,1,1,0,0,0,2026-03-09T06:00:00-05:00,2026-03-09T06:00:00-05:00,1,1.0")
    );
    assert_eq!(csv.lines().count(), 6, "{csv}");
    let ndjson = run("ndjson");
    let first: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(first["hour"], 6);
    assert_eq!(ndjson.lines().count(), 5);
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    assert_eq!(json[0], first);
    let table = run("table");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    let head = table.lines().next().unwrap();
    assert!(head.starts_with("User  Hour  Requests"), "{table}");
    assert!(table.contains("bob   06"), "{table}");
}

#[test]
fn nothing_matched_is_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(&dir, "office.log", &office_log());
    let (code, rows, _) = stats(&[&log, "--user", "nobody"]);
    assert_eq!((code, rows.len()), (Some(0), 0));
}

/// A user and a page logged with bytes that are not UTF-8 (Latin-1 `é`).
#[test]
fn names_that_are_not_utf8_are_kept_lossless() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let at = utc("2026-03-10T15:00:00Z");
    // The byte 1 stands for the byte E9, which no &str holds.
    let text = FIELDS.to_string() + &row(at, "GET", "/caf\u{1}.aspx", "ren\u{1}", "10.1.1.5", 200);
    let bytes: Vec<u8> = text
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    let path = dir.path().join("latin1.log");
    std::fs::write(&path, bytes).expect("the test log is written");
    let path = path.to_string_lossy().into_owned();
    let (code, rows, _) = stats(&[&path, "--by", "user,page"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows[0]["user"], serde_json::json!({"bytes": "cmVu6Q=="}));
    assert_eq!(
        rows[0]["page"],
        serde_json::json!({"bytes": "L2NhZukuYXNweA=="})
    );
    let table = leaktrace()
        .args(["--format", "table", "stats", &path, "--by", "user,page"])
        .output()
        .expect("leaktrace runs");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("ren\\xE9"), "{text}");
    assert!(text.contains("/caf\\xE9.aspx"), "{text}");
}
