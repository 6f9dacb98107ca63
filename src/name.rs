//! The names of input files, kept lossless.
//!
//! A file name on Unix is bytes, and need not be UTF-8. Shown as text with
//! U+FFFD in place of the bad bytes, the reported path would not be the file
//! on disk, and two different files could be reported under one name. So a
//! name that is not UTF-8 is shown with its bad bytes escaped as `\xNN`
//! (`u_ex\xE9.log`), and JSON, NDJSON and CSV give its exact bytes as
//! `{"bytes": "<base64>"}`, as ripgrep's JSON does. UTF-8 names (nearly all)
//! are plain strings everywhere.
//!
//! The escaped name is what the rest of leaktrace carries (records hold an
//! `Arc<str>`); the bytes it stands for are kept here, by escaped name, for
//! the writers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;

/// Escaped names of files whose names are not UTF-8 → their bytes.
fn registry() -> &'static Mutex<HashMap<Arc<str>, Vec<u8>>> {
    static NAMES: OnceLock<Mutex<HashMap<Arc<str>, Vec<u8>>>> = OnceLock::new();
    NAMES.get_or_init(Mutex::default)
}

/// The name a path is reported under: itself when it is UTF-8, else with
/// each byte that is not part of UTF-8 written `\xNN` (and remembered, for
/// [`raw_bytes`]).
pub fn display(path: &Path) -> Arc<str> {
    if let Some(text) = path.to_str() {
        return Arc::from(text);
    }
    let bytes = path_bytes(path);
    let name: Arc<str> = Arc::from(escape(&bytes));
    if let Ok(mut names) = registry().lock() {
        names.entry(name.clone()).or_insert(bytes);
    }
    name
}

/// The exact bytes of a name from [`display`] that was not UTF-8.
pub fn raw_bytes(name: &str) -> Option<Vec<u8>> {
    // Called for every record written: a name without `\x` was never
    // escaped, and needs no lock.
    if !name.contains("\\x") {
        return None;
    }
    registry().lock().ok()?.get(name).cloned()
}

/// A name as JSON: a string, or `{"bytes": "<base64>"}` for one that is not
/// UTF-8.
pub fn json(name: &str) -> serde_json::Value {
    match raw_bytes(name) {
        Some(bytes) => serde_json::json!({
            "bytes": base64::engine::general_purpose::STANDARD.encode(bytes)
        }),
        None => serde_json::Value::String(name.to_string()),
    }
}

/// UTF-8 runs as they are; every other byte as `\xNN`.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    // Windows names are UTF-16; one that is not valid Unicode (a lone
    // surrogate) is given as its WTF-8 bytes.
    path.as_os_str().as_encoded_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_are_plain_strings() {
        let name = display(Path::new("logs/u_ex170119.log"));
        assert_eq!(&*name, "logs/u_ex170119.log");
        assert_eq!(json(&name), serde_json::json!("logs/u_ex170119.log"));
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_escaped_for_people_and_exact_in_json() {
        use std::os::unix::ffi::OsStrExt;
        let raw = b"logs/u_ex\xE9t\xE9.log";
        let name = display(Path::new(std::ffi::OsStr::from_bytes(raw)));
        assert_eq!(&*name, "logs/u_ex\\xE9t\\xE9.log");
        assert_eq!(raw_bytes(&name).as_deref(), Some(&raw[..]));
        assert_eq!(
            json(&name),
            serde_json::json!({"bytes": base64::engine::general_purpose::STANDARD.encode(raw)})
        );
        // Two names that differ only in their bad bytes stay two names.
        let other = display(Path::new(std::ffi::OsStr::from_bytes(
            b"logs/u_ex\xE8t\xE9.log",
        )));
        assert_ne!(name, other);
    }
}
