//! End-to-end tests of `leaktrace examine` on ZIP archives (bulk exports),
//! run against the real binary and the fixtures in `testdata/zip/` (made by
//! `testdata/zip/make_fixtures.py` from the NEMSIS, grid and PDF fixtures,
//! described in `testdata/README.md`).

use std::io::Write;

use crate::support::{examine, leaktrace, sha256_of, warned, warnings};
use serde_json::Value;

const DIR: &str = "testdata/zip";
const EXPORT: &str = "testdata/zip/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip";

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// The `file` of every examined file, in output order.
fn files_of(files: &[Value]) -> Vec<&str> {
    files
        .iter()
        .map(|f| f["file"].as_str().expect("file is a string"))
        .collect()
}

/// Runs `examine` and returns exit code, files and stderr, for a run that
/// must not panic.
fn run(args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let (code, files, stderr) = examine(args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, files, stderr)
}

#[test]
fn an_export_of_two_nemsis_files_is_examined_member_by_member() {
    let (code, files, stderr) = run(&[EXPORT]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        files_of(&files),
        [
            format!("{EXPORT}!vendor_sample_v351.xml"),
            format!("{EXPORT}!reports/several_consistent.xml"),
        ]
    );
    let archive = sha256_of(EXPORT);
    for (file, (fixture, pcrs, name)) in files.iter().zip([
        ("vendor_sample_v351.xml", 1, "Jane Doe"),
        ("several_consistent.xml", 3, "Zoë O'Brien-Núñez"),
    ]) {
        assert_eq!(file["kind"], "nemsis");
        assert_eq!(file["verdict"], "consistent");
        assert_eq!(file["pcrs"].as_array().map(Vec::len), Some(pcrs));
        assert_eq!(file["attribution"]["name"], name);
        // The member's own hash: the member is the fixture, byte for byte.
        assert_eq!(
            file["sha256"],
            sha256_of(&format!("testdata/nemsis/{fixture}"))
        );
        assert_eq!(file["archive_sha256"], archive.as_str());
    }
    assert!(
        stderr.ends_with("leaktrace: 2 files examined\n"),
        "{stderr}"
    );
}

#[test]
fn archive_sha256_follows_sha256_and_is_null_for_a_plain_file() {
    let (_, files, _) = run(&[EXPORT, "testdata/nemsis/vendor_sample_v351.xml"]);
    let keys: Vec<&str> = files[0]
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys[..4], ["file", "sha256", "archive_sha256", "kind"]);
    assert_eq!(files[2]["file"], "testdata/nemsis/vendor_sample_v351.xml");
    assert_eq!(files[2]["archive_sha256"], Value::Null);
    // The same bytes inside and outside the archive: the same findings.
    let mut member = files[0].clone();
    let mut plain = files[2].clone();
    for f in [&mut member, &mut plain] {
        let o = f.as_object_mut().expect("an object");
        o.remove("file");
        o.remove("archive_sha256");
    }
    assert_eq!(member, plain);
}

#[test]
fn csv_output_has_the_archive_hash_column() {
    let out = leaktrace()
        .args(["--format", "csv", "examine", EXPORT])
        .output()
        .expect("leaktrace runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        stdout.starts_with("file,sha256,archive_sha256,kind,"),
        "{stdout}"
    );
    assert!(stdout.contains(&sha256_of(EXPORT)), "{stdout}");
}

#[test]
fn a_csv_and_a_pdf_member_are_examined_by_kind() {
    // The PDF is stored first: `%PDF-` is in the archive's first kilobyte,
    // yet the file is the archive.
    let (code, files, stderr) = run(&[&path("csv_pdf.zip")]);
    assert_eq!(code, Some(0), "{stderr}");
    let kinds: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default(),
                f["kind"].as_str().unwrap_or_default(),
                f["verdict"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "testdata/zip/csv_pdf.zip!consistent.pdf",
                "pdf",
                "consistent"
            ),
            ("testdata/zip/csv_pdf.zip!plain.csv", "csv", "signed"),
        ]
    );
    assert_eq!(files[0]["sha256"], sha256_of("testdata/pdf/consistent.pdf"));
    assert_eq!(files[1]["sha256"], sha256_of("testdata/grid/plain.csv"));
    assert_eq!(files[1]["signature"]["row"], 5);
}

#[test]
fn a_stored_workbook_member_does_not_make_the_export_a_workbook() {
    let (code, files, stderr) = run(&[&path("workbook_stored.zip")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        files_of(&files),
        [
            "testdata/zip/workbook_stored.zip!signed.xlsx",
            "testdata/zip/workbook_stored.zip!unsigned.csv"
        ]
    );
    assert_eq!(files[0]["kind"], "xlsx");
    assert_eq!(files[0]["signature"]["cell"], "J5");
    assert_eq!(files[1]["verdict"], "none");
}

#[test]
fn a_nested_archive_is_opened_one_level_deep() {
    let (code, files, stderr) = run(&[&path("nested.zip")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        files_of(&files),
        [
            "testdata/zip/nested.zip!plain.csv",
            "testdata/zip/nested.zip!inner.zip!vendor_sample_v351.xml",
            // An XLSX member is a workbook, not an archive to open.
            "testdata/zip/nested.zip!inner.zip!signed.xlsx",
        ]
    );
    assert_eq!(files[2]["kind"], "xlsx");
    assert_eq!(files[2]["verdict"], "signed");
    // Custody goes back to the outermost archive, the file downloaded.
    for f in &files {
        assert_eq!(f["archive_sha256"], sha256_of(&path("nested.zip")));
    }
    assert_eq!(
        files[1]["sha256"],
        sha256_of("testdata/nemsis/vendor_sample_v351.xml")
    );
}

#[test]
fn an_archive_nested_two_levels_deep_is_warned_not_opened() {
    let (code, files, stderr) = run(&[&path("nested_deep.zip")]);
    assert_eq!(code, Some(0), "a warning, not a failure: {stderr}");
    assert_eq!(
        files_of(&files),
        ["testdata/zip/nested_deep.zip!level1.zip!unsigned.csv"]
    );
    assert_eq!(
        stderr,
        "leaktrace: testdata/zip/nested_deep.zip!level1.zip!level2.zip: \
         a ZIP archive nested more than 1 level deep: not opened\n\
         leaktrace: 1 file examined, 1 warning\n"
    );
}

#[test]
fn a_zip_bomb_is_refused_before_anything_is_read() {
    let (code, files, stderr) = run(&[&path("bomb.zip")]);
    assert_eq!(code, Some(1));
    assert!(files.is_empty(), "{files:?}");
    assert_eq!(
        stderr,
        "leaktrace: testdata/zip/bomb.zip: refused: the archive declares 600 MiB of content \
         uncompressed, over the limit of 512 MiB (a ZIP bomb, or not a leaked export)\n\
         leaktrace: 0 files examined, 1 problem\n"
    );
}

#[test]
fn a_bad_archive_does_not_stop_the_other_inputs() {
    let (code, files, stderr) = run(&[&path("bomb.zip"), "testdata/grid/plain.csv"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(files_of(&files), ["testdata/grid/plain.csv"]);
}

#[test]
fn a_truncated_export_keeps_the_members_before_the_cut() {
    let (code, files, stderr) = run(&[&path("truncated.zip")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        files_of(&files),
        ["testdata/zip/truncated.zip!vendor_sample_v351.xml"]
    );
    assert_eq!(files[0]["verdict"], "consistent");
    assert_eq!(
        files[0]["archive_sha256"],
        sha256_of(&path("truncated.zip"))
    );
    assert_eq!(
        stderr,
        "leaktrace: testdata/zip/truncated.zip: damaged (no end of central directory record: \
         the file is cut short or is not a ZIP): the members before the damage are read from \
         their local headers\n\
         leaktrace: testdata/zip/truncated.zip!reports/several_consistent.xml: not readable: \
         the archive ends early\n\
         leaktrace: 1 file examined, 2 problems\n"
    );
}

#[test]
fn a_member_of_no_known_kind_is_a_warning_and_the_others_are_examined() {
    let (code, files, stderr) = run(&[&path("unknown_member.zip")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        files_of(&files),
        ["testdata/zip/unknown_member.zip!plain.csv"]
    );
    assert_eq!(
        stderr,
        "leaktrace: testdata/zip/unknown_member.zip!README.txt: not a kind leaktrace examines \
         (NEMSIS XML, CSV, XLSX, PDF, ZIP); skipped\n\
         leaktrace: testdata/zip/unknown_member.zip!logo.png: not a kind leaktrace examines \
         (NEMSIS XML, CSV, XLSX, PDF, ZIP); skipped\n\
         leaktrace: 1 file examined, 2 warnings\n"
    );
}

#[test]
fn an_empty_archive_is_reported_like_an_unknown_file() {
    let (code, files, stderr) = run(&[&path("empty.zip")]);
    assert_eq!(code, Some(1));
    assert!(files.is_empty());
    assert_eq!(
        stderr,
        "leaktrace: testdata/zip/empty.zip: an empty ZIP archive: nothing to examine\n\
         leaktrace: 0 files examined, 1 problem\n"
    );
}

#[test]
fn an_archive_of_unknown_members_only_is_reported_like_an_unknown_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let zip_path = dir.path().join("notes.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create"));
    w.start_file("notes.txt", zip::write::SimpleFileOptions::default())
        .expect("start");
    w.write_all(b"nothing to see here\n").expect("write");
    w.finish().expect("finish");
    let zip_path = zip_path.to_str().expect("UTF-8 path");
    let (code, files, stderr) = run(&[zip_path]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(files.is_empty());
    assert!(
        stderr.contains(&format!(
            "{zip_path}: a ZIP archive with no member of a kind leaktrace examines (NEMSIS XML, CSV, XLSX, PDF, ZIP)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("notes.zip!notes.txt: not a kind"),
        "{stderr}"
    );
}

#[test]
fn an_encrypted_member_is_reported_and_the_others_examined() {
    let (code, files, stderr) = run(&[&path("encrypted_member.zip")]);
    assert_eq!(code, Some(1), "an unread member fails the run: {stderr}");
    assert_eq!(
        files_of(&files),
        ["testdata/zip/encrypted_member.zip!unsigned.csv"]
    );
    assert!(
        stderr.contains(
            "leaktrace: testdata/zip/encrypted_member.zip!secret.csv: encrypted: not read \
             (leaktrace does not decrypt ZIP members)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_member_name_that_is_not_utf8_is_kept_recoverable() {
    let (code, files, stderr) = run(&[&path("odd_name.zip")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        files_of(&files),
        ["testdata/zip/odd_name.zip!caf\u{fffd}.csv"]
    );
    assert_eq!(files[0]["verdict"], "signed");
    assert_eq!(
        warnings(&files[0]),
        [
            "the member's name is not UTF-8: its stored bytes are `caf\\x82.csv` (as CP437: `café.csv`)"
        ]
    );
}

#[test]
fn as_zip_forces_an_archive() {
    let (code, files, stderr) = run(&["--as", "zip", EXPORT]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(files.len(), 2);
    let (code, files, stderr) = run(&["--as", "zip", "testdata/grid/plain.csv"]);
    assert_eq!(code, Some(1));
    assert!(files.is_empty());
    assert!(
        stderr.contains("testdata/grid/plain.csv: not a readable ZIP archive"),
        "{stderr}"
    );
}

#[test]
fn an_archive_on_standard_input_is_examined() {
    let bytes = std::fs::read(EXPORT).expect("fixture");
    let out = leaktrace()
        .args(["--format", "json", "examine", "-"])
        .write_stdin(bytes)
        .output()
        .expect("leaktrace runs");
    let (code, files, stderr) = crate::support::json_array(out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        files_of(&files),
        [
            "-!vendor_sample_v351.xml",
            "-!reports/several_consistent.xml"
        ]
    );
    assert_eq!(files[0]["archive_sha256"], sha256_of(EXPORT));
}

#[test]
fn a_directory_of_archives_is_read_in_name_order() {
    let (code, files, stderr) = run(&[DIR]);
    assert_eq!(
        code,
        Some(1),
        "the bomb, the cut, the empty archive, the encrypted member, the generator script: {stderr}"
    );
    let names = files_of(&files);
    assert_eq!(
        names.first().copied(),
        Some(&*format!("{EXPORT}!vendor_sample_v351.xml"))
    );
    assert!(names.iter().all(|n| n.contains(".zip!")), "{names:?}");
    assert!(!warned(&files[0], "not UTF-8"));
}

#[test]
fn the_table_names_each_member() {
    // Wide enough for whole names (at 80 columns they are cut at the start).
    let out = leaktrace()
        .args(["--tz", "UTC", "examine", &path("nested.zip")])
        .env("COLUMNS", "200")
        .output()
        .expect("leaktrace runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        stdout.contains("testdata/zip/nested.zip!inner.zip!signed.xlsx"),
        "{stdout}"
    );
}

#[test]
fn an_archive_of_many_nemsis_members_lists_10000_reports_between_them() {
    // Each NEMSIS member listed up to 10,000 reports: a 2.7 MB archive of
    // 10,000 members held 25 million reports (8.7 GB before it was killed).
    let dir = tempfile::tempdir().expect("temp dir");
    let zip_path = dir.path().join("bulk.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create"));
    let body = format!(
        "<EMSDataSet>{}</EMSDataSet>",
        "<PatientCareReport/>".repeat(4_000)
    );
    for name in ["a.xml", "b.xml", "c.xml"] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        w.write_all(body.as_bytes()).expect("write");
    }
    w.finish().expect("finish");
    let zip_path = zip_path.to_str().expect("UTF-8 path");
    let (code, files, stderr) = run(&[zip_path]);
    assert_eq!(code, Some(0), "{stderr}");
    let listed: Vec<(u64, usize)> = files
        .iter()
        .map(|f| {
            (
                f["records"].as_u64().expect("records"),
                f["pcrs"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    assert_eq!(listed, [(4_000, 4_000), (4_000, 4_000), (4_000, 2_000)]);
    assert_eq!(
        files[2]["warnings"][0],
        "2000 reports are not listed: the archive's members list 10000 reports at most between \
         them (the limit per archive); counted in the records and judged in the verdict all the \
         same"
    );
}

#[test]
fn a_folder_is_examined_in_parallel_and_written_in_name_order() {
    // Files are examined on every core a window at a time; what is written,
    // on stdout and stderr, must be what one file after another gives.
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = [
        "testdata/nemsis/edited_900.xml",
        "testdata/grid/plain.csv",
        "testdata/zip/nested.zip",
        "testdata/grid/signed.xlsx",
        "testdata/gz/u_ex170119.log.gz",
    ];
    for i in 0..40 {
        let src = sources[i % sources.len()];
        let ext = std::path::Path::new(src)
            .extension()
            .unwrap()
            .to_str()
            .unwrap();
        std::fs::copy(src, dir.path().join(format!("{i:03}.{ext}"))).expect("copy");
    }
    let run = |threads: &str| {
        leaktrace()
            .args(["examine", "--format", "ndjson"])
            .arg(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("leaktrace runs")
    };
    let one = run("1");
    let many = run("8");
    assert_eq!(one.status.code(), Some(1), "the .gz files are of no kind");
    assert_eq!(many.status.code(), one.status.code());
    assert_eq!(
        String::from_utf8_lossy(&many.stdout),
        String::from_utf8_lossy(&one.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&many.stderr),
        String::from_utf8_lossy(&one.stderr)
    );
    let stdout = String::from_utf8(many.stdout).expect("UTF-8");
    let names: Vec<String> = stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("NDJSON");
            let file = v["file"].as_str().expect("file");
            // An archive's members come in archive order, under its name.
            file.split('!').next().expect("a name").to_string()
        })
        .collect();
    assert_eq!(names.len(), 48, "8 of each file, 3 examined per archive");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "name order");
}
