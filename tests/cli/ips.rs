//! End-to-end tests of `leaktrace ips`: per login and address, with the
//! flags (a new address on the day of an export, a mobile network, a
//! private address among public ones). The log and the ASN database are
//! written here.

use crate::support::{HEADER_15, leaktrace};
use serde::Serialize;
use serde_json::Value;

const UA_PC: &str = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/85.0.4183.121+Safari/537.36";
const UA_PHONE: &str = "Mozilla/5.0+(iPhone;+CPU+iPhone+OS+13_7+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/13.1.2+Mobile/15E148+Safari/604.1";

/// ann works from the office (10.1.1.5) and home (73.12.0.9) on the 19th;
/// on the 20th a phone on T-Mobile (2607:fb90::5) logs in and fetches her
/// export. bob only uses the office.
fn log() -> String {
    let row = |date: &str, time: &str, stem: &str, user: &str, ip: &str, ua: &str| {
        format!("{date} {time} 10.0.0.1 GET {stem} - 443 {user} {ip} {ua} - 200 0 0 10\n")
    };
    let mut log = HEADER_15.to_string();
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
    crate::support::json_array(out)
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

#[derive(Serialize)]
struct Named {
    names: std::collections::BTreeMap<&'static str, &'static str>,
}

#[derive(Serialize)]
struct Location {
    latitude: f64,
    longitude: f64,
    accuracy_radius: u16,
}

#[derive(Serialize)]
struct City {
    city: Named,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
}

/// A City database: Chicago, Milwaukee and Lagos with their points, and a
/// network whose city has no point.
fn city_database(dir: &std::path::Path) -> String {
    let mut db = mmdb_writer::Writer::new("GeoLite2-City");
    for (net, name, point) in [
        ("73.0.0.0/8", "Chicago", Some((41.8781, -87.6298, 20))),
        ("24.0.0.0/8", "Milwaukee", Some((43.0389, -87.9065, 20))),
        ("105.112.0.0/12", "Lagos", Some((6.455, 3.3841, 50))),
        ("81.0.0.0/8", "Nowhere", None),
    ] {
        let record = City {
            city: Named {
                names: [("en", name)].into(),
            },
            location: point.map(|(latitude, longitude, accuracy_radius)| Location {
                latitude,
                longitude,
                accuracy_radius,
            }),
        };
        db.insert(net.parse::<ipnet::IpNet>().unwrap(), &record)
            .unwrap();
    }
    let path = dir.join("city.mmdb");
    std::fs::write(&path, db.to_bytes().unwrap()).unwrap();
    path.display().to_string()
}

/// cy goes from Chicago to Lagos in an hour; dee from Chicago to
/// Milwaukee in an hour; eve from Chicago to Lagos in three days; fay
/// from a place with no point, and from the office, to Lagos in an hour.
fn travel_log() -> String {
    let mut log =
        "#Fields: date time cs-method cs-uri-stem cs-username c-ip cs(User-Agent) sc-status\n"
            .to_string();
    for (date, time, user, ip) in [
        ("2017-01-19", "10:00:00", "cy", "73.1.1.1"),
        ("2017-01-19", "10:00:00", "dee", "73.1.1.2"),
        ("2017-01-19", "10:00:00", "eve", "73.1.1.3"),
        ("2017-01-19", "10:00:00", "fay", "81.1.1.1"),
        ("2017-01-19", "10:30:00", "fay", "10.1.1.1"),
        ("2017-01-19", "11:00:00", "cy", "105.112.0.1"),
        ("2017-01-19", "11:00:00", "dee", "24.1.1.1"),
        ("2017-01-19", "11:00:00", "fay", "105.112.0.4"),
        ("2017-01-22", "10:00:00", "eve", "105.112.0.3"),
    ] {
        log += &format!("{date} {time} GET /Home.aspx {user} {ip} {UA_PC} 200\n");
    }
    log
}

#[test]
fn impossible_travel_needs_far_places_close_in_time_with_points() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u_ex.log"), travel_log()).unwrap();
    let city = city_database(dir.path());
    let (code, rows, stderr) = ips(dir.path(), &["--geoip", &city]);
    assert_eq!(code, Some(0), "{stderr}");
    let flagged: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| !r["travel"].as_array().unwrap().is_empty())
        .map(|r| {
            (
                r["user"].as_str().unwrap(),
                r["client_ip"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(flagged, [("cy", "105.112.0.1")], "{rows:#?}");
    let lagos = rows
        .iter()
        .find(|r| r["client_ip"] == "105.112.0.1")
        .unwrap();
    assert_eq!(lagos["flags"], serde_json::json!(["impossible_travel"]));
    let t = &lagos["travel"][0];
    assert_eq!(t["from"]["client_ip"], "73.1.1.1");
    assert_eq!(t["from"]["place"], "Chicago");
    assert_eq!(t["from"]["time_utc"], "2017-01-19T10:00:00Z");
    assert_eq!(t["from"]["line"], 2);
    assert_eq!(t["from"]["accuracy_km"], 20);
    assert_eq!(t["to"]["client_ip"], "105.112.0.1");
    assert_eq!(t["to"]["place"], "Lagos");
    assert_eq!(t["to"]["time_local"], "2017-01-19T05:00:00-06:00");
    assert_eq!(t["to"]["line"], 7);
    // 9,613 km between the points, less 20 and 50 km of radius, in an hour.
    assert_eq!(t["distance_km"], 9613.0);
    assert_eq!(t["min_distance_km"], 9543.0);
    assert_eq!(t["hours"], 1.0);
    assert_eq!(t["km_per_h"], 9543.0);
    // No one else's row has the flag (fay's office address is private
    // among public ones).
    for r in &rows {
        if r["client_ip"] != "105.112.0.1" {
            let flags = r["flags"].as_array().unwrap();
            assert!(!flags.contains(&"impossible_travel".into()), "{r:#?}");
        }
    }
    // Without a City database nothing is claimed.
    let (_, rows, _) = ips(dir.path(), &[]);
    assert!(
        rows.iter().all(|r| r["travel"] == serde_json::json!([])),
        "{rows:#?}"
    );
    // The table names the move.
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .env("COLUMNS", "300")
        .args(["ips", "--user", "cy", "--geoip", &city])
        .arg(dir.path().join("u_ex.log"))
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("impossible_travel (from 73.1.1.1 (Chicago): 9543 km in 1.00 h, 9543 km/h)"),
        "{table}"
    );
}

#[test]
fn an_export_goes_to_the_same_login_on_every_run() {
    // Two spellings of one login on one address, then an export fetched
    // without a login: its count went to whichever spelling came first in
    // hash order, which changed from run to run.
    let dir = tempfile::tempdir().unwrap();
    let mut log = HEADER_15.to_string();
    for (time, user) in [
        ("14:00:00", "ACME\\ann"),
        ("14:01:00", "ann"),
        ("14:02:00", "ANN"),
    ] {
        log += &format!(
            "2017-01-19 {time} 10.0.0.1 GET /Home.aspx - 443 {user} 73.12.0.9 {UA_PC} - 200 0 0 10\n"
        );
    }
    log += &format!(
        "2017-01-19 14:03:00 10.0.0.1 GET /temp/Acme.ann.2017-01-19-08-03-00.csv - 443 - 73.12.0.9 {UA_PC} - 200 0 0 10\n"
    );
    std::fs::write(dir.path().join("u_ex.log"), log).unwrap();
    let exports_of = || {
        let (code, rows, stderr) = ips(dir.path(), &[]);
        assert_eq!(code, Some(0), "{stderr}");
        rows.iter()
            .map(|r| {
                (
                    r["user"].as_str().unwrap().to_string(),
                    r["exports"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = exports_of();
    assert_eq!(
        first.iter().filter(|(_, n)| *n == 1).count(),
        1,
        "one login has the export: {first:?}"
    );
    assert!(
        first.contains(&("ACME\\ann".to_string(), 1)),
        "the least spelling: {first:?}"
    );
    for _ in 0..12 {
        assert_eq!(exports_of(), first);
    }
}
