//! End-to-end tests of `leaktrace ips`: per login and address, with the
//! flags (a new address on the day of an export, a mobile network, a
//! private address among public ones). The log and the ASN database are
//! written here.

mod support;

use serde::Serialize;
use serde_json::Value;
use support::leaktrace;

const UA_PC: &str = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/85.0.4183.121+Safari/537.36";
const UA_PHONE: &str = "Mozilla/5.0+(iPhone;+CPU+iPhone+OS+13_7+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/13.1.2+Mobile/15E148+Safari/604.1";

/// ann works from the office (10.1.1.5) and home (73.12.0.9) on the 19th;
/// on the 20th a phone on T-Mobile (2607:fb90::5) logs in and fetches her
/// export. bob only uses the office.
fn log() -> String {
    let h = "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";
    let row = |date: &str, time: &str, stem: &str, user: &str, ip: &str, ua: &str| {
        format!("{date} {time} 10.0.0.1 GET {stem} - 443 {user} {ip} {ua} - 200 0 0 10\n")
    };
    let mut log = h.to_string();
    log += &row(
        "2017-01-19",
        "14:00:00",
        "/Home.aspx",
        "ACME\\ann",
        "10.1.1.5",
        UA_PC,
    );
    log += &row(
        "2017-01-19",
        "14:05:00",
        "/Home.aspx",
        "ACME\\ann",
        "10.1.1.5",
        UA_PC,
    );
    log += &row(
        "2017-01-19",
        "14:06:00",
        "/Home.aspx",
        "ACME\\bob",
        "10.1.1.6",
        UA_PC,
    );
    log += &row(
        "2017-01-19",
        "23:00:00",
        "/Home.aspx",
        "ACME\\ann",
        "73.12.0.9",
        UA_PC,
    );
    log += &row(
        "2017-01-20",
        "15:00:00",
        "/Home.aspx",
        "ACME\\ann",
        "2607:fb90::5",
        UA_PHONE,
    );
    log += &row(
        "2017-01-20",
        "15:01:00",
        "/temp/Acme.ann.2017-01-20-09-01-00.csv",
        "-",
        "2607:fb90::5",
        UA_PHONE,
    );
    log
}

#[derive(Serialize)]
struct Asn {
    autonomous_system_number: u32,
    autonomous_system_organization: &'static str,
}

fn case() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u_ex.log"), log()).unwrap();
    let mut asn = mmdb_writer::Writer::new("GeoLite2-ASN");
    for (net, number, org) in [
        ("2607:fb90::/32", 21928, "T-Mobile USA, Inc."),
        ("73.0.0.0/8", 7922, "Comcast Cable Communications, LLC"),
    ] {
        let record = Asn {
            autonomous_system_number: number,
            autonomous_system_organization: org,
        };
        asn.insert(net.parse::<ipnet::IpNet>().unwrap(), &record)
            .unwrap();
    }
    std::fs::write(dir.path().join("asn.mmdb"), asn.to_bytes().unwrap()).unwrap();
    dir
}

fn ips(dir: &std::path::Path, extra: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .args(["--format", "json", "--tz", "America/Chicago", "ips"])
        .arg(dir.join("u_ex.log"))
        .args(extra)
        .output()
        .unwrap();
    support::json_array(out)
}

#[test]
fn each_login_and_address_with_counts_places_clients_and_flags() {
    let dir = case();
    let asn = dir.path().join("asn.mmdb").display().to_string();
    let (code, rows, stderr) = ips(dir.path(), &["--geoip", &asn]);
    assert_eq!(code, Some(0), "{stderr}");
    let at: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap(),
                r["client_ip"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("ACME\\ann", "10.1.1.5"),
            ("ACME\\ann", "73.12.0.9"),
            ("ACME\\ann", "2607:fb90::5"),
            ("ACME\\bob", "10.1.1.6"),
        ]
    );
    let office = &rows[0];
    assert_eq!(office["requests"], 2);
    assert_eq!(office["sessions"], 1);
    assert_eq!(office["first_seen_utc"], "2017-01-19T14:00:00Z");
    assert_eq!(office["last_seen_local"], "2017-01-19T08:05:00-06:00");
    assert_eq!(office["geo"]["network"], "private");
    assert_eq!(office["flags"], serde_json::json!(["private_among_public"]));
    assert_eq!(office["clients"][0]["browser"], "Chrome");
    let home = &rows[1];
    assert_eq!(home["geo"]["asn"], 7922);
    assert_eq!(home["flags"], serde_json::json!([]));
    let phone = &rows[2];
    assert_eq!(phone["requests"], 1);
    assert_eq!(phone["exports"], 1);
    assert_eq!(phone["geo"]["carrier"], "T-Mobile US");
    assert_eq!(phone["clients"][0]["class"], "mobile");
    assert_eq!(
        phone["flags"],
        serde_json::json!(["first_seen_on_export_day", "mobile", "device_changed"])
    );
    // bob has no public address: his office address is not flagged.
    assert_eq!(rows[3]["flags"], serde_json::json!([]));
}

#[test]
fn user_picks_one_person_and_table_reads() {
    let dir = case();
    let (_, rows, _) = ips(dir.path(), &["--user", "bob"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["user"], "ACME\\bob");
    // At 80 columns (no terminal): who, where from, when and the flags.
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .args(["ips"])
        .arg(dir.path().join("u_ex.log"))
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("First seen"), "{table}");
    assert!(table.contains("Flags"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .env("COLUMNS", "200")
        .args(["ips"])
        .arg(dir.path().join("u_ex.log"))
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Place"), "{table}");
    assert!(table.contains("private_among_public"), "{table}");
}
