//! End-to-end tests of `--device`: the client a user agent names (uap-core
//! rules built in), alone and beside `--geo`. The user agents are ones the
//! public sample logs in `../shared/corpus/w3c` carry, written here.

use crate::support::leaktrace;
use serde_json::Value;

const LOG: &str = "\
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
2017-01-19 15:00:00 10.0.0.1 GET /Default.aspx - 443 ACME\\ann.lee 10.1.1.1 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/85.0.4183.121+Safari/537.36 - 200 0 0 10
2017-01-19 15:01:00 10.0.0.1 GET /Default.aspx - 443 ACME\\bob.ray 10.1.1.2 Mozilla/5.0+(iPhone;+CPU+iPhone+OS+13_7+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/13.1.2+Mobile/15E148+Safari/604.1 - 200 0 0 10
2017-01-19 15:02:00 10.0.0.1 GET /robots.txt - 443 - 10.1.1.3 Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm) - 200 0 0 10
2017-01-19 15:03:00 10.0.0.1 GET /Default.aspx - 443 ACME\\cy.dee 10.1.1.4 - - 200 0 0 10
";

fn log() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), LOG).unwrap();
    file
}

fn ndjson(args: &[&str], log: &std::path::Path) -> Vec<Value> {
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .args(["--format", "ndjson"])
        .args(args)
        .arg(log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn logs_device_identifies_browser_os_and_class() {
    let log = log();
    let rows = ndjson(&["logs", "--device"], log.path());
    assert!(rows[0].get("geo").is_none());
    let client = &rows[0]["client"];
    assert_eq!(client["browser"], "Chrome");
    assert_eq!(client["browser_version"], "85.0.4183");
    assert_eq!(client["os"], "Windows");
    assert_eq!(client["os_version"], "10");
    assert_eq!(client["class"], "desktop");
    assert!(
        client["source"].as_str().unwrap().starts_with("uap-core "),
        "{client}"
    );
    assert_eq!(rows[1]["client"]["browser"], "Mobile Safari");
    assert_eq!(rows[1]["client"]["os"], "iOS");
    assert_eq!(rows[1]["client"]["device"], "iPhone");
    assert_eq!(rows[1]["client"]["class"], "mobile");
    assert_eq!(rows[2]["client"]["class"], "bot");
    assert_eq!(rows[3]["client"], Value::Null, "no user agent");
}

#[test]
fn geo_and_device_together_in_that_order() {
    let log = log();
    let rows = ndjson(&["logs", "--geo", "--device"], log.path());
    let keys = crate::support::keys(&rows[0]);
    assert_eq!(keys[keys.len() - 2..], ["geo", "client"]);
    assert_eq!(rows[0]["geo"]["network"], "private");
    let out = leaktrace()
        .args(["--format", "csv", "logs", "--geo", "--device"])
        .arg(log.path())
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines().next().unwrap().ends_with(",geo,client"),
        "{csv}"
    );
    // At 80 columns (no terminal) the Device column is left out, and said so.
    let out = leaktrace()
        .args(["logs", "--device"])
        .arg(log.path())
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.contains("Device"), "{table}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("leaves out") && l.contains("Device")),
        "{stderr}"
    );
    let out = leaktrace()
        .env("COLUMNS", "200")
        .args(["logs", "--device"])
        .arg(log.path())
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Device"), "{table}");
    assert!(table.contains("Chrome 85 · Windows 10"), "{table}");
    assert!(
        table.contains("Mobile Safari 13 · iOS 13.7 · iPhone · mobile"),
        "{table}"
    );
}

#[test]
fn sessions_and_downloads_take_device() {
    let log = log();
    let sessions = ndjson(&["sessions", "--device"], log.path());
    let bob = sessions
        .iter()
        .find(|s| s["user"] == "ACME\\bob.ray")
        .unwrap();
    assert_eq!(bob["client"]["class"], "mobile");
    let downloads = ndjson(&["downloads", "--device"], log.path());
    assert!(downloads.is_empty());
}

const UA_PC: &str = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/85.0.4183.121+Safari/537.36";
const UA_PC_FIREFOX: &str =
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+rv:81.0)+Gecko/20100101+Firefox/81.0";
const UA_PHONE: &str = "Mozilla/5.0+(iPhone;+CPU+iPhone+OS+13_7+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/13.1.2+Mobile/15E148+Safari/604.1";

/// ann's sessions, an hour apart each: a Windows desktop (Chrome), the
/// same desktop with Firefox (not a new device), then an iPhone, then the
/// desktop again (seen before); one anonymous session.
fn device_log() -> tempfile::NamedTempFile {
    let mut log =
        "#Fields: date time cs-method cs-uri-stem cs-username c-ip cs(User-Agent) sc-status\n"
            .to_string();
    for (time, user, ip, ua) in [
        ("09:00:00", "ann", "73.1.1.1", UA_PC),
        ("10:00:00", "ANN", "73.1.1.1", UA_PC_FIREFOX),
        ("11:00:00", "ann", "73.1.1.2", UA_PHONE),
        ("11:00:01", "-", "73.9.9.9", UA_PHONE),
        ("12:00:00", "ann", "73.1.1.1", UA_PC),
    ] {
        log += &format!("2017-01-19 {time} GET /Home.aspx {user} {ip} {ua} 200\n");
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), log).unwrap();
    file
}

#[test]
fn sessions_flag_a_device_class_or_os_the_user_had_not_used() {
    let log = device_log();
    let sessions = ndjson(&["sessions", "--device", "--idle", "10m"], log.path());
    let seen: Vec<(&str, &Value)> = sessions
        .iter()
        .map(|s| {
            (
                s["client"]["browser"].as_str().unwrap(),
                &s["device_changed"],
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Chrome", &Value::Bool(false)),
            ("Firefox", &Value::Bool(false)),
            ("Mobile Safari", &Value::Bool(true)),
            ("Mobile Safari", &Value::Null),
            ("Chrome", &Value::Bool(false)),
        ]
    );
    // After client, and only with --device.
    let keys = crate::support::keys(&sessions[0]);
    assert_eq!(keys[keys.len() - 2..], ["client", "device_changed"]);
    let plain = ndjson(&["sessions", "--geo"], log.path());
    assert!(plain[0].get("device_changed").is_none());
    let both = ndjson(&["sessions", "--geo", "--device"], log.path());
    let keys = crate::support::keys(&both[0]);
    assert_eq!(keys[keys.len() - 3..], ["geo", "client", "device_changed"]);
    // --ip picks sessions after they are judged: the sessions not shown
    // still count as earlier ones.
    let phone = ndjson(
        &["sessions", "--device", "--idle", "10m", "--ip", "73.1.1.2"],
        log.path(),
    );
    assert_eq!(phone.len(), 1);
    assert_eq!(phone[0]["device_changed"], true);
    // --since cuts requests before grouping: nothing earlier is known.
    let later = ndjson(
        &[
            "sessions",
            "--device",
            "--idle",
            "10m",
            "--since",
            "2017-01-19T10:30:00Z",
        ],
        log.path(),
    );
    assert_eq!(later[0]["device_changed"], false);
    let out = leaktrace()
        .env_remove("LEAKTRACE_GEOIP")
        .env("COLUMNS", "250")
        .args(["sessions", "--device", "--idle", "10m"])
        .arg(log.path())
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("iPhone · mobile · device changed"),
        "{table}"
    );
    assert_eq!(table.matches("device changed").count(), 1, "{table}");
}
