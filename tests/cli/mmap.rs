//! End-to-end tests of `--mmap never|auto`: how log files are read must never
//! change what is found, and a bad choice is a usage error.

use std::path::Path;

use crate::support::{leaktrace, written_an_hour_ago};

const SAMPLE: &str = "testdata/sample";

/// Exit code, stdout and stderr of `leaktrace <args>`.
fn run(args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let out = leaktrace().args(args).output().expect("leaktrace runs");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Copies the sample logs into `dir` with modification times an hour back,
/// so that `--mmap auto` maps them (a file just written is streamed).
fn old_copy_of_sample(dir: &Path) {
    for entry in std::fs::read_dir(SAMPLE).unwrap() {
        let from = entry.unwrap().path();
        let to = dir.join(from.file_name().unwrap());
        std::fs::copy(&from, &to).unwrap();
        written_an_hour_ago(&to);
    }
}

#[test]
fn mmap_never_prints_the_same_bytes_as_auto() {
    let dir = tempfile::tempdir().unwrap();
    old_copy_of_sample(dir.path());
    let copy = dir.path().to_str().unwrap();
    for logs in [SAMPLE, copy] {
        let auto = run(&["logs", logs, "--format", "ndjson"]);
        let never = run(&["logs", logs, "--format", "ndjson", "--mmap", "never"]);
        let default = run(&["logs", logs, "--format", "ndjson", "--mmap", "auto"]);
        assert_eq!(auto.0, Some(0), "{}", auto.2);
        assert!(!auto.1.is_empty());
        assert_eq!(never, auto, "{logs}");
        assert_eq!(default, auto, "{logs}");
        assert!(!auto.2.contains("changed while it was read"), "{}", auto.2);
    }
}

#[test]
fn mmap_is_taken_by_every_command_that_reads_logs() {
    for command in ["downloads", "sessions"] {
        let auto = run(&[command, SAMPLE, "--format", "json"]);
        let never = run(&[command, SAMPLE, "--format", "json", "--mmap", "never"]);
        assert_eq!(auto.0, Some(0), "{command}: {}", auto.2);
        assert_eq!(never, auto, "{command}");
    }
}

#[test]
fn a_bad_mmap_choice_is_a_usage_error() {
    let (code, stdout, stderr) = run(&["logs", SAMPLE, "--mmap", "always"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("invalid value 'always'"), "{stderr}");
    assert!(
        stderr.contains("[possible values: auto, never]"),
        "{stderr}"
    );
}
