//! `logs --format json|ndjson` writes each record's JSON on the cores,
//! without making a record (`output::record::RecordJson`); with `--geo` or
//! `--device` the records go through the writer's items. These tests hold
//! the two to the same bytes, and both to what `serde_json` writes.

use std::path::Path;

use crate::support::leaktrace;
use serde_json::Value;

/// Every log fixture, and folders of them.
fn fixtures() -> Vec<String> {
    let mut logs = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if name.ends_with(".log") || name.ends_with(".log.gz") {
                logs.push(name);
            }
        }
    }
    logs.sort();
    logs.extend(["testdata/sample", "testdata/w3c"].map(String::from));
    logs
}

/// Standard output and exit status of `leaktrace logs ARGS`.
fn logs(args: &[&str]) -> (String, Option<i32>) {
    let out = leaktrace().arg("logs").args(args).output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

/// A line of NDJSON as `serde_json` reads it (keys in order).
fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// The same records through both paths, in both formats, in two zones:
/// the direct lines are what serde_json writes of them, the records with
/// `--geo` are the same but for their `geo`, and the JSON array frames the
/// same objects as the NDJSON lines.
fn check(args: &[&str]) {
    for tz in ["UTC", "America/Chicago"] {
        let with = |more: &[&str]| {
            let mut all: Vec<&str> = args.to_vec();
            all.extend(["-q", "--tz", tz]);
            all.extend(more);
            logs(&all)
        };
        let (ndjson, status) = with(&["--format", "ndjson"]);
        let (geo, geo_status) = with(&["--format", "ndjson", "--geo"]);
        let (array, array_status) = with(&["--format", "json"]);
        assert_eq!(status, geo_status, "{args:?}");
        assert_eq!(status, array_status, "{args:?}");
        let lines: Vec<&str> = ndjson.lines().collect();
        let geo_lines: Vec<&str> = geo.lines().collect();
        assert_eq!(lines.len(), geo_lines.len(), "{args:?}");
        for (line, geo_line) in lines.iter().zip(&geo_lines) {
            let direct = parse(line);
            assert_eq!(serde_json::to_string(&direct).unwrap(), *line, "{args:?}");
            let mut through_items = parse(geo_line);
            through_items
                .as_object_mut()
                .and_then(|o| o.shift_remove("geo"))
                .expect("a geo member");
            assert_eq!(
                serde_json::to_string(&through_items).unwrap(),
                *line,
                "{args:?}"
            );
        }
        let framed = if lines.is_empty() {
            "[]\n".to_string()
        } else {
            format!("[\n{}\n]\n", lines.join(",\n"))
        };
        assert_eq!(array, framed, "{args:?}");
    }
}

#[test]
fn every_fixture_is_written_as_serde_json_and_the_records_write_it() {
    for fixture in fixtures() {
        check(&[&fixture]);
    }
    check(&["testdata/sample", "--user", "jsmith"]);
}

#[test]
fn escapes_bad_bytes_extra_and_invalid_values_are_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("awkward.log");
    let mut log = b"#Fields: date time cs-method cs-uri-stem x-a x-b x-a c-ip sc-status \
sc-bytes cs(User-Agent)\n"
        .to_vec();
    for row in [
        &b"2017-01-19 16:57:02 GET /a\\b x \x01\x7f - 10.0.0.1 200 12 \"say \"\"hi\"\"\"\n"[..],
        b"2017-01-19 16:57:03 GET /caf\xc3\xa9 - y\tz 3 not-an-ip 2x0 99 Mozilla/5.0\n",
        b"2017-01-19 16:57:04 POST /bad\xff\xfe q \x1f / 10.0.0.2 500 1a \"\xe9\"\n",
        b"2017-01-19 16:57:05 GET /d?x=1 - - - ::1 404 - -\n",
    ] {
        log.extend_from_slice(row);
    }
    std::fs::write(&path, log).unwrap();
    let name = path.to_str().unwrap();
    check(&[name]);
    let (ndjson, _) = logs(&[name, "--format", "ndjson", "-q"]);
    assert_eq!(ndjson.lines().count(), 4, "{ndjson}");
    assert!(ndjson.contains(r#""uri_stem":"/a\\b""#), "{ndjson}");
    // x-a twice: its first place, its last value.
    let extra = concat!(r#""extra":{"x-a":null,"x-b":"\u0001"#, "\u{7f}", r#""}"#);
    assert!(ndjson.contains(extra), "{ndjson}");
    assert!(ndjson.contains("\u{fffd}"), "{ndjson}");
}
