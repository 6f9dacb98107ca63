//! End-to-end tests of `--geo` and `--geoip` (logs, downloads, sessions):
//! the databases are written here with the `mmdb-writer` crate, in the
//! shapes of GeoLite2 City and ASN, with known build dates.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::leaktrace;
use serde::Serialize;
use serde_json::Value;

const LOG: &str = "\
#Software: Microsoft Internet Information Services 10.0
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
2017-01-19 15:00:00 10.0.0.1 GET /Default.aspx - 443 ACME\\ann.lee 174.205.1.2 Mozilla/5.0 - 200 0 0 10
2017-01-19 15:01:00 10.0.0.1 GET /temp/Acme.ann.lee.2017-01-19-09-00-30.csv - 443 - 174.205.1.2 Mozilla/5.0 - 200 0 0 10
2017-01-19 15:02:00 10.0.0.1 GET /Default.aspx - 443 ACME\\bob.ray 2607:fb90:1234::5 Mozilla/5.0 - 200 0 0 10
2017-01-19 15:03:00 10.0.0.1 GET /Default.aspx - 443 ACME\\cy.dee 73.12.0.9 Mozilla/5.0 - 200 0 0 10
2017-01-19 15:04:00 10.0.0.1 GET /Default.aspx - 443 ACME\\dee.fox 10.0.0.5 Mozilla/5.0 - 200 0 0 10
";

#[derive(Serialize)]
struct Named {
    #[serde(skip_serializing_if = "Option::is_none")]
    iso_code: Option<&'static str>,
    names: BTreeMap<&'static str, &'static str>,
}

#[derive(Serialize)]
struct City {
    country: Named,
    subdivisions: Vec<Named>,
    city: Named,
}

#[derive(Serialize)]
struct Asn {
    autonomous_system_number: u32,
    autonomous_system_organization: &'static str,
}

fn named(iso: Option<&'static str>, en: &'static str) -> Named {
    Named {
        iso_code: iso,
        names: [("en", en)].into(),
    }
}

fn writer(kind: &str, built: &str) -> mmdb_writer::Writer {
    let t: jiff::Timestamp = built.parse().unwrap();
    mmdb_writer::Writer::builder(kind)
        .build_epoch(std::time::SystemTime::from(t))
        .build()
}

/// A folder with a City database built near the log's dates and an ASN
/// database built almost ten years after them; and the log.
fn case() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut city = writer("GeoLite2-City", "2017-03-07T00:00:00Z");
    let place = |state, town| City {
        country: named(Some("US"), "United States"),
        subdivisions: vec![named(None, state)],
        city: named(None, town),
    };
    let net = |s: &str| s.parse::<ipnet::IpNet>().unwrap();
    city.insert(net("174.192.0.0/10"), &place("Texas", "Dallas"))
        .unwrap();
    city.insert(net("2607:fb90::/32"), &place("Illinois", "Chicago"))
        .unwrap();
    city.insert(net("73.0.0.0/8"), &place("Minnesota", "Saint Paul"))
        .unwrap();
    let mut asn = writer("GeoLite2-ASN", "2026-11-25T00:00:00Z");
    for (n, number, org) in [
        ("174.192.0.0/10", 6167, "Verizon Business"),
        ("2607:fb90::/32", 21928, "T-Mobile USA, Inc."),
        ("73.0.0.0/8", 7922, "Comcast Cable Communications, LLC"),
    ] {
        let record = Asn {
            autonomous_system_number: number,
            autonomous_system_organization: org,
        };
        asn.insert(net(n), &record).unwrap();
    }
    let dbs = dir.path().join("geoip");
    std::fs::create_dir(&dbs).unwrap();
    std::fs::write(dbs.join("GeoLite2-ASN.mmdb"), asn.to_bytes().unwrap()).unwrap();
    std::fs::write(dbs.join("GeoLite2-City.mmdb"), city.to_bytes().unwrap()).unwrap();
    std::fs::write(dir.path().join("u_ex170119.log"), LOG).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .args(["--format", "ndjson"])
        .args(args)
        .arg(dir.join("u_ex170119.log"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let items = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code(),
        items,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn geoip(dir: &Path) -> String {
    dir.join("geoip").display().to_string()
}

#[test]
fn logs_geo_places_mobile_residential_ipv6_and_private_addresses() {
    let dir = case();
    let (code, rows, stderr) = run(
        dir.path(),
        &["logs", "--geo", "--geoip", &geoip(dir.path())],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(rows.len(), 5);
    let both = "GeoLite2-ASN 2026-11-25, GeoLite2-City 2017-03-07";
    assert_eq!(
        rows[0]["geo"],
        serde_json::json!({
            "country": "US", "region": "Texas", "city": "Dallas",
            "asn": 6167, "as_org": "Verizon Business",
            "network": "mobile", "mobile": true, "carrier": "Verizon Wireless",
            "source": format!("{both}, carrier table"),
        })
    );
    let keys = crate::support::keys(&rows[0]);
    assert_eq!(keys.last(), Some(&"geo"));
    assert_eq!(rows[2]["geo"]["city"], "Chicago", "IPv6");
    assert_eq!(rows[2]["geo"]["carrier"], "T-Mobile US");
    assert_eq!(rows[2]["geo"]["mobile"], true);
    assert_eq!(rows[3]["geo"]["network"], "public", "residential");
    assert_eq!(rows[3]["geo"]["mobile"], false);
    assert_eq!(rows[3]["geo"]["asn"], 7922);
    assert_eq!(rows[3]["geo"]["source"], both);
    assert_eq!(rows[4]["geo"]["network"], "private");
    assert_eq!(rows[4]["geo"]["source"], "built-in ranges");
    assert_eq!(rows[4]["geo"]["country"], Value::Null);
    // The date warning names the ASN database, built ~10 years after the
    // log, and not the City one, built weeks after it.
    assert!(
        stderr.contains("GeoLite2-ASN 2026-11-25 was built"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("GeoLite2-City 2017-03-07 was built"),
        "{stderr}"
    );
}

#[test]
fn without_geo_there_is_no_geo_key_and_without_databases_the_ranges_answer() {
    let dir = case();
    let (_, rows, _) = run(dir.path(), &["logs"]);
    assert!(rows[0].get("geo").is_none());
    let (code, rows, stderr) = run(dir.path(), &["logs", "--geo"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows[0]["geo"]["network"], "public");
    assert_eq!(rows[0]["geo"]["source"], Value::Null);
    assert_eq!(rows[4]["geo"]["network"], "private");
    assert!(!stderr.contains("was built"), "{stderr}");
}

#[test]
fn geoip_on_the_command_line_takes_precedence_over_the_environment() {
    let dir = case();
    let out = leaktrace()
        .env("LEAKTRACE_GEOIP", dir.path().join("missing.mmdb"))
        .args([
            "--format",
            "json",
            "logs",
            "--geo",
            "--geoip",
            &geoip(dir.path()),
        ])
        .arg(dir.path().join("u_ex170119.log"))
        .output()
        .unwrap();
    let (code, rows, stderr) = crate::support::json_array(out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(rows[0]["geo"]["city"], "Dallas");
    // The environment alone is used too.
    let out = leaktrace()
        .env(
            "LEAKTRACE_GEOIP",
            dir.path().join("geoip/GeoLite2-ASN.mmdb"),
        )
        .args(["--format", "json", "logs", "--geo"])
        .arg(dir.path().join("u_ex170119.log"))
        .output()
        .unwrap();
    let (_, rows, _) = crate::support::json_array(out);
    assert_eq!(rows[0]["geo"]["asn"], 6167);
    assert_eq!(rows[0]["geo"]["city"], Value::Null);
}

#[test]
fn a_geoip_path_that_is_not_a_database_is_a_usage_error() {
    let dir = case();
    let log = dir.path().join("u_ex170119.log").display().to_string();
    let (code, _, stderr) = run(dir.path(), &["logs", "--geo", "--geoip", &log]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a MaxMind-format database"), "{stderr}");
    // An empty file cannot be mapped: it is read, and refused the same way.
    let empty = dir.path().join("empty.mmdb");
    std::fs::write(&empty, b"").unwrap();
    let empty = empty.display().to_string();
    let (code, _, stderr) = run(dir.path(), &["logs", "--geo", "--geoip", &empty]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a MaxMind-format database"), "{stderr}");
}

#[test]
fn downloads_and_sessions_carry_geo() {
    let dir = case();
    let db = geoip(dir.path());
    let (_, downloads, _) = run(dir.path(), &["downloads", "--geo", "--geoip", &db]);
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0]["geo"]["carrier"], "Verizon Wireless");
    let (_, sessions, _) = run(dir.path(), &["sessions", "--geo", "--geoip", &db]);
    let ann = sessions
        .iter()
        .find(|s| s["user"] == "ACME\\ann.lee")
        .unwrap();
    assert_eq!(ann["geo"]["city"], "Dallas");
    let dee = sessions
        .iter()
        .find(|s| s["user"] == "ACME\\dee.fox")
        .unwrap();
    assert_eq!(dee["geo"]["network"], "private");
}

#[test]
fn csv_and_table_show_the_place() {
    let dir = case();
    let log = dir.path().join("u_ex170119.log");
    let db = geoip(dir.path());
    let out = leaktrace()
        .args(["--format", "csv", "logs", "--geo", "--geoip", &db])
        .arg(&log)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines().next().unwrap().ends_with(",invalid,geo"),
        "{csv}"
    );
    assert!(csv.contains("Verizon Wireless"));
    // At 80 columns (no terminal) the Place column is left out, and said so.
    let out = leaktrace()
        .args(["logs", "--geo", "--geoip", &db])
        .arg(&log)
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.contains("Place"), "{table}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("leaves out") && l.contains("Place")),
        "{stderr}"
    );
    let out = leaktrace()
        .env("COLUMNS", "200")
        .args(["logs", "--geo", "--geoip", &db])
        .arg(&log)
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Place"), "{table}");
    assert!(
        table.contains("US, Texas, Dallas · AS6167 · Verizon Wireless (mobile)"),
        "{table}"
    );
    assert!(table.contains("private"), "{table}");
}
