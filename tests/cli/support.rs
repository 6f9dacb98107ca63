//! What the end-to-end tests share: running the binary, reading its JSON, and
//! the header and file times of the logs they write themselves.
#![allow(dead_code)] // not every helper is used in every build (parquet and stats need polars)

use std::path::Path;
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use serde_json::Value;

/// The IIS 8.5 default header, for logs the tests write themselves.
pub const HEADER_15: &str = "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port \
     cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

/// Sets a file's modification time an hour back, so that `--mmap auto`
/// maps it (a file just written is streamed).
pub fn written_an_hour_ago(path: &Path) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

/// The binary, run from the crate root (so `file` values are the relative
/// paths given) and without a `LEAKTRACE_TZ` or `COLUMNS` leaking in from the
/// caller (tables are then laid out for 80 columns: output is a pipe).
pub fn leaktrace() -> Command {
    let mut cmd = Command::cargo_bin("leaktrace").expect("leaktrace binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LEAKTRACE_TZ")
        .env_remove("COLUMNS");
    cmd
}

/// [`leaktrace`] with tables laid out for `columns` columns (`COLUMNS`).
pub fn leaktrace_at(columns: usize) -> Command {
    let mut cmd = leaktrace();
    cmd.env("COLUMNS", columns.to_string());
    cmd
}

/// Exit code, the JSON array printed, and standard error.
pub fn json_array(out: std::process::Output) -> (Option<i32>, Vec<Value>, String) {
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    let items = v
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .clone();
    (out.status.code(), items, stderr)
}

/// Runs `leaktrace --format json examine <args>`.
pub fn examine(args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let out = leaktrace()
        .args(["--format", "json", "examine"])
        .args(args)
        .output()
        .expect("leaktrace runs");
    json_array(out)
}

/// The `warnings` of one examined file.
pub fn warnings(file: &Value) -> Vec<&str> {
    file["warnings"]
        .as_array()
        .expect("warnings is an array")
        .iter()
        .map(|w| w.as_str().expect("a warning is a string"))
        .collect()
}

/// Whether one of a file's warnings contains `part`.
pub fn warned(file: &Value, part: &str) -> bool {
    warnings(file).iter().any(|w| w.contains(part))
}

/// The SHA-256 of a file, in lower-case hex, as `examine` reports it.
pub fn sha256_of(path: &str) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).expect("fixture");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}
