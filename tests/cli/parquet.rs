//! `--format parquet --output DIR`: the files read back with polars (and
//! with DuckDB when its Python package is installed), against the JSON
//! output of the same command.
#![cfg(feature = "analytics")]

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::support::{json_array, leaktrace};
use polars::prelude::*;
use polars_io::SerReader;
use polars_io::parquet::read::ParquetReader;
use serde_json::Value;

/// Two UTC days of the sample, the parser's edge cases, and rows with only
/// a local time (no UTC day: the null partition).
const INPUTS: [&str; 2] = ["testdata/sample", "testdata/w3c"];

fn utc() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

/// Every `part-*.parquet` under `dir`, by partition folder name.
fn parts(dir: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for day in std::fs::read_dir(dir).unwrap() {
        let day = day.unwrap().path();
        let name = day.file_name().unwrap().to_string_lossy().into_owned();
        for f in std::fs::read_dir(&day).unwrap() {
            let f = f.unwrap().path();
            out.entry(name.clone()).or_default().push(f);
        }
    }
    out
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// A cell of a frame as the JSON output writes it.
fn json_value(col: &Column, row: usize) -> Value {
    let v = col.get(row).unwrap();
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Int64(n) => Value::from(n),
        AnyValue::Boolean(b) => Value::from(b),
        AnyValue::String(s) => Value::from(s),
        AnyValue::StringOwned(s) => Value::from(s.as_str()),
        AnyValue::Datetime(us, TimeUnit::Microseconds, Some(tz)) => {
            assert_eq!(tz, &TimeZone::UTC);
            let t = jiff::Timestamp::from_microsecond(us).unwrap();
            Value::from(t.to_string())
        }
        AnyValue::Date(days) => {
            let d = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().days(days))
                .unwrap();
            Value::from(d.to_string())
        }
        other => panic!("unexpected value {other:?} in {}", col.name()),
    }
}

/// The rows of a frame as JSON objects; columns in `json_columns` hold
/// JSON text and are parsed back.
fn rows(df: &DataFrame, json_columns: &[&str]) -> Vec<Value> {
    (0..df.height())
        .map(|i| {
            let map = df
                .columns()
                .iter()
                .map(|c| {
                    let mut v = json_value(c, i);
                    if json_columns.contains(&c.name().as_str())
                        && let Value::String(text) = &v
                    {
                        v = serde_json::from_str(text).unwrap();
                    }
                    (c.name().to_string(), v)
                })
                .collect();
            Value::Object(map)
        })
        .collect()
}

fn json_of(command: &str, inputs: &[&str], extra: &[&str]) -> Vec<Value> {
    let out = leaktrace()
        .args(["--format", "json", "--tz", "America/Chicago", command])
        .args(inputs)
        .args(extra)
        .output()
        .unwrap();
    json_array(out).1
}

fn parquet_run(command: &str, inputs: &[&str], dir: &Path) -> std::process::Output {
    leaktrace()
        .args(["--format", "parquet", "--tz", "America/Chicago", command])
        .args(inputs)
        .arg("--output")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn logs_are_partitioned_by_utc_day_typed_and_equal_to_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pq");
    let out = parquet_run("logs", &INPUTS, &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.stdout.is_empty(), "nothing on standard output");
    let json = json_of("logs", &INPUTS, &[]);
    let parts = parts(&dir);
    let days: Vec<&str> = parts.keys().map(String::as_str).collect();
    assert!(days.contains(&"date=2017-01-19"), "{days:?} {stderr}");
    assert!(days.contains(&"date=2017-01-20"), "{days:?}");
    assert!(
        days.contains(&"date=__HIVE_DEFAULT_PARTITION__"),
        "{days:?}"
    );
    assert!(days.len() >= 4, "{days:?}");

    let want_types: Vec<(&str, DataType)> = vec![
        ("file", DataType::String),
        ("line", DataType::Int64),
        ("time_utc", utc()),
        ("time_local", DataType::String),
        ("local_date", DataType::Date),
        ("local_time", DataType::String),
        ("method", DataType::String),
        ("uri_stem", DataType::String),
        ("uri_query", DataType::String),
        ("username", DataType::String),
        ("client_ip", DataType::String),
        ("user_agent", DataType::String),
        ("referer", DataType::String),
        ("status", DataType::Int64),
        ("substatus", DataType::Int64),
        ("win32_status", DataType::Int64),
        ("time_taken_ms", DataType::Int64),
        ("server_ip", DataType::String),
        ("server_port", DataType::Int64),
        ("host", DataType::String),
        ("bytes_sent", DataType::Int64),
        ("bytes_received", DataType::Int64),
        ("extra", DataType::String),
        ("invalid", DataType::String),
    ];
    // The edge cases span more UTC days than are open at once (4): a day
    // that comes again after it was closed gets its next part.
    let names: Vec<String> = parts
        .values()
        .flatten()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("part-") && n.ends_with(".parquet")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "part-1.parquet"), "{names:?}");
    let mut by_place: BTreeMap<(String, u64), Value> = BTreeMap::new();
    for (day, file) in parts
        .iter()
        .flat_map(|(d, fs)| fs.iter().map(move |f| (d, f)))
    {
        let df = read(file);
        let types: Vec<(&str, DataType)> = df
            .columns()
            .iter()
            .map(|c| (c.name().as_str(), c.dtype().clone()))
            .collect();
        assert_eq!(types, want_types, "{day}");
        for row in rows(&df, &["extra", "invalid"]) {
            // Each row is in the partition of its UTC day.
            let want_day = match row["time_utc"].as_str() {
                Some(t) => format!("date={}", &t[..10]),
                None => "date=__HIVE_DEFAULT_PARTITION__".into(),
            };
            assert_eq!(day, &want_day, "{row}");
            let key = (
                row["file"].as_str().unwrap().to_string(),
                row["line"].as_u64().unwrap(),
            );
            assert!(by_place.insert(key, row).is_none(), "a row written twice");
        }
    }
    assert_eq!(by_place.len(), json.len(), "row counts of Parquet and JSON");
    let mut with_extra = 0;
    let mut with_invalid = 0;
    for j in &json {
        let key = (
            j["file"].as_str().unwrap().to_string(),
            j["line"].as_u64().unwrap(),
        );
        let p = &by_place[&key];
        assert_eq!(p, j, "the Parquet row and the JSON record differ");
        with_extra += usize::from(j["extra"].as_object().is_some_and(|m| !m.is_empty()));
        with_invalid += usize::from(!j["invalid"].is_null());
    }
    // The fixtures exercise the JSON-text columns.
    assert!(
        with_extra > 0 && with_invalid > 0,
        "{with_extra} {with_invalid}"
    );
}

#[test]
fn downloads_and_sessions_are_one_file_each_equal_to_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pq");
    let inputs = ["testdata/sample"];
    for (command, file, json_columns) in [
        ("downloads", "downloads.parquet", &[][..]),
        (
            "sessions",
            "sessions.parquet",
            &[
                "client_ips",
                "other_user_agents",
                "polling_paths",
                "pages",
                "downloads",
                "not_listed",
            ][..],
        ),
    ] {
        let out = parquet_run(command, &inputs, &dir);
        assert_eq!(out.status.code(), Some(0), "{command}");
        let df = read(&dir.join(file));
        let json = json_of(command, &inputs, &[]);
        assert!(!json.is_empty(), "{command}");
        assert_eq!(rows(&df, json_columns), json, "{command}");
        let dtype = |name: &str| df.column(name).unwrap().dtype().clone();
        if command == "downloads" {
            assert_eq!(dtype("time_utc"), utc());
            assert_eq!(dtype("local_date"), DataType::Date);
            assert_eq!(dtype("status"), DataType::Int64);
            assert_eq!(dtype("likely_purged"), DataType::Boolean);
        } else {
            assert_eq!(dtype("start_utc"), utc());
            assert_eq!(dtype("end_utc"), utc());
            assert_eq!(dtype("duration_s"), DataType::Int64);
            assert_eq!(dtype("pages"), DataType::String);
        }
    }
    // --as-of gives likely_purged values: booleans.
    let as_of = ["testdata/sample", "--as-of", "2017-02-01"];
    let dir2 = tmp.path().join("pq2");
    let out = leaktrace()
        .args([
            "--format",
            "parquet",
            "--tz",
            "America/Chicago",
            "downloads",
        ])
        .args(as_of)
        .arg("--output")
        .arg(&dir2)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let df = read(&dir2.join("downloads.parquet"));
    assert_eq!(rows(&df, &[]), json_of("downloads", &as_of, &[]));
    assert!(df.column("likely_purged").unwrap().bool().unwrap().any());
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_and_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pq");
    let first = parquet_run("logs", &["testdata/sample"], &dir);
    assert_eq!(first.status.code(), Some(0));
    let before = parts(&dir);
    let second = parquet_run("logs", &["testdata/sample"], &dir);
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("date=2017-01-19") && stderr.contains("already holds part-0.parquet"),
        "{stderr}"
    );
    assert_eq!(parts(&dir), before, "no file added, none left behind");
    // Another day still goes in: the refusal is per partition.
    let other = parquet_run("logs", &["testdata/w3c/dst.log"], &dir);
    assert_eq!(other.status.code(), Some(0), "{other:?}");
    assert!(parts(&dir).len() > before.len());

    let downloads = parquet_run("downloads", &["testdata/sample"], &dir);
    assert_eq!(downloads.status.code(), Some(0));
    let again = parquet_run("downloads", &["testdata/sample"], &dir);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("downloads.parquet exists"), "{stderr}");
    let hidden: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "temporary files left: {hidden:?}");
}

#[test]
fn parquet_usage_errors_name_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let out = out_dir.to_str().unwrap();
    // `--format parquet --output DIR` and the rest.
    let pq = |rest: &[&'static str]| -> Vec<&str> {
        let mut args = vec!["--format", "parquet", "--output", out];
        args.extend_from_slice(rest);
        args
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--format", "parquet", "logs", "testdata/sample"],
            "give their folder with --output DIR",
        ),
        (pq(&["ips", "testdata/sample"]), "not by ips"),
        (pq(&["examine", "testdata/grid"]), "not by examine"),
        (
            vec![
                "--format",
                "json",
                "--output",
                out,
                "logs",
                "testdata/sample",
            ],
            "--output is the folder of --format parquet",
        ),
        (pq(&["logs", "--count", "testdata/sample"]), "--count"),
        (
            pq(&["logs", "--geo", "testdata/sample"]),
            "--geo and --device are not written to Parquet",
        ),
        (
            vec![
                "--format",
                "parquet",
                "--output",
                "testdata/sample/pq",
                "logs",
                "testdata/sample",
            ],
            "inside the evidence",
        ),
    ];
    for (args, want) in cases {
        let o = leaktrace().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    assert!(!out_dir.exists(), "nothing written on a usage error");
    assert!(!Path::new("testdata/sample/pq").exists());
}

/// Whether Python 3 can import `module`.
fn python_has(module: &str) -> bool {
    std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What a Python `script` prints, given `dir` as its argument; it must
/// succeed.
fn python(script: &str, dir: &Path) -> String {
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

/// The README's DuckDB query, when the `duckdb` Python package is there
/// (CI machines have only the Rust toolchain: the test says it skipped).
#[test]
fn duckdb_reads_the_partitions_as_the_readme_says() {
    if !python_has("duckdb") {
        eprintln!("skipped: the Python duckdb package is not installed (pip install duckdb)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pq");
    let out = parquet_run("logs", &INPUTS, &dir);
    assert_eq!(out.status.code(), Some(0));
    let json = json_of("logs", &INPUTS, &[]);
    let script = r#"
import sys, duckdb
d = sys.argv[1]
rows = duckdb.sql(f"""
    SELECT date, count(*) AS n, min(time_utc) AS first, typeof(time_utc) AS t, typeof(status) AS s
    FROM read_parquet('{d}/*/*.parquet', hive_partitioning = true)
    GROUP BY ALL ORDER BY date NULLS LAST""").fetchall()
for date, n, first, t, s in rows:
    print(date, n, t, s)
"#;
    let stdout = python(script, &dir);
    let lines: Vec<&str> = stdout.lines().collect();
    let total: usize = lines
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, json.len(), "{stdout}");
    assert!(
        lines.iter().any(|l| l.starts_with("2017-01-19 ")),
        "{stdout}"
    );
    assert!(lines.iter().any(|l| l.starts_with("None ")), "{stdout}");
    assert!(
        lines
            .iter()
            .all(|l| l.ends_with("TIMESTAMP WITH TIME ZONE BIGINT")),
        "{stdout}"
    );
}

/// The README's PySpark read, when `pyspark` (and the Java it runs on) is
/// there; it says so when it skips. Spark takes the `date=` folders for a
/// `date` column of dates, `time_utc` for a timestamp and the numbers for
/// longs, and reads every record once.
#[test]
fn spark_reads_the_partitions_as_the_readme_says() {
    let java = std::process::Command::new("java").arg("-version").output();
    if !python_has("pyspark") || !java.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: pyspark or Java is not installed (pip install pyspark)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pq");
    let out = parquet_run("logs", &INPUTS, &dir);
    assert_eq!(out.status.code(), Some(0));
    let json = json_of("logs", &INPUTS, &[]);
    let jsmith_on_the_19th = json
        .iter()
        .filter(|r| r["username"] == "jsmith")
        .filter(|r| {
            r["time_utc"]
                .as_str()
                .is_some_and(|t| t.starts_with("2017-01-19"))
        })
        .count();
    // The README's two lines, then what they rest on.
    let script = r#"
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("leaktrace-test")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
df = spark.read.parquet(sys.argv[1])
rows = df.where("date = '2017-01-19' AND username = 'jsmith'").groupBy("uri_stem").count().collect()
types = dict(df.dtypes)
print("records", df.count())
print("jsmith", sum(r["count"] for r in rows))
print("types", types["date"], types["time_utc"], types["status"], types["line"])
print("nodate", df.where("date IS NULL").count())
spark.stop()
"#;
    let stdout = python(script, &dir);
    let nodate = json.iter().filter(|r| r["time_utc"].is_null()).count();
    assert!(nodate > 0, "the inputs hold records without a UTC time");
    for want in [
        format!("records {}", json.len()),
        format!("jsmith {jsmith_on_the_19th}"),
        "types date timestamp bigint bigint".to_string(),
        format!("nodate {nodate}"),
    ] {
        assert!(stdout.lines().any(|l| l == want), "{want:?} in:\n{stdout}");
    }
}
