//! The tables of every command on the bundled sample data, laid out for 80
//! and for 200 columns (`COLUMNS`): pinned as snapshots (tests/snapshots/,
//! reviewed with `cargo insta review` or by reading the diff), and checked
//! for what a snapshot does not say by itself: no line is wider than the
//! width, every row is one line, and no value of a column that is never cut
//! (times, users, addresses, verdicts, statuses, counts) is cut or broken.

use std::collections::BTreeSet;

use crate::support::{leaktrace, leaktrace_at};
use serde_json::Value;

const WIDTHS: [usize; 2] = [80, 200];

/// Standard output and standard error of `leaktrace <args>` laid out for
/// `width` columns.
fn run(args: &[&str], width: usize) -> (String, String) {
    let out = leaktrace_at(width)
        .args(args)
        .output()
        .expect("leaktrace runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, stderr)
}

/// The JSON of the same command: the values the table must show whole.
fn json(args: &[&str]) -> Value {
    let out = leaktrace()
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("leaktrace runs");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// One table of the output: its titles (with where each column starts, in
/// characters) and its lines, each cut into cells at those places.
struct Parsed {
    titles: Vec<(String, usize)>,
    rows: Vec<Vec<String>>,
}

impl Parsed {
    fn column(&self, title: &str) -> Option<usize> {
        self.titles.iter().position(|(t, _)| t == title)
    }

    /// The cells of a column, in order (empty ones too).
    fn cells(&self, title: &str) -> Vec<&str> {
        let i = self
            .column(title)
            .unwrap_or_else(|| panic!("no column {title}"));
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}

/// The tables of an output (one, or two separated by a blank line). A
/// title may wrap at its spaces over several header lines; a column starts
/// where its title's first word does, and cells are cut there.
fn parse(text: &str) -> Vec<Parsed> {
    let mut tables = Vec::new();
    for block in text.trim_end().split("\n\n") {
        let lines: Vec<&str> = block.lines().collect();
        let rule = lines
            .iter()
            .position(|l| !l.is_empty() && l.chars().all(|c| c == '─'))
            .unwrap_or_else(|| panic!("no rule under a header:\n{block}"));
        let header = &lines[..rule];
        let starts = title_starts(header[0]);
        let mut titles: Vec<(String, usize)> =
            starts.iter().map(|&(s, ref t)| (t.clone(), s)).collect();
        for more in &header[1..] {
            for (start, word) in title_starts(more) {
                let t = titles
                    .iter_mut()
                    .find(|(_, s)| *s == start)
                    .unwrap_or_else(|| panic!("a title line out of place: {more:?}"));
                t.0.push(' ');
                t.0.push_str(&word);
            }
        }
        let rows = lines[rule + 1..]
            .iter()
            .map(|line| {
                let chars: Vec<char> = line.chars().collect();
                (0..titles.len())
                    .map(|i| {
                        let from = titles[i].1.min(chars.len());
                        let to = titles
                            .get(i + 1)
                            .map_or(chars.len(), |t| t.1)
                            .min(chars.len());
                        chars[from..to]
                            .iter()
                            .collect::<String>()
                            .trim()
                            .to_string()
                    })
                    .collect()
            })
            .collect();
        tables.push(Parsed { titles, rows });
    }
    tables
}

/// Where each title (or title word) on a header line starts: titles are
/// set apart by two spaces or more.
fn title_starts(line: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !(chars[i] == ' ' && chars.get(i + 1).is_none_or(|c| *c == ' ')) {
            i += 1;
        }
        out.push((start, chars[start..i].iter().collect()));
    }
    out
}

/// Checks every output: no line wider than `width` characters.
fn fits(stdout: &str, width: usize) {
    for line in stdout.lines() {
        assert!(
            line.chars().count() <= width,
            "{} characters, wider than {width}: {line}",
            line.chars().count()
        );
    }
}

/// A local time as the tables print it: `2017-01-19 11:16:30 CST`.
fn is_time(cell: &str) -> bool {
    let b = cell.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 21
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[10] == b' '
        && digits(11..13)
        && b[13] == b':'
        && digits(17..19)
        && b[19] == b' '
        && cell[20..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '?')
}

/// A time of day only (a session's end on its start's day).
fn is_clock(cell: &str) -> bool {
    let b = cell.as_bytes();
    b.len() >= 10
        && b[2] == b':'
        && b[5] == b':'
        && b[8] == b' '
        && b[..2].iter().all(u8::is_ascii_digit)
}

/// Every cell of `title` is one of `allowed` (or `-`): no value was cut,
/// wrapped or broken.
fn whole(t: &Parsed, title: &str, allowed: &BTreeSet<String>) {
    if t.column(title).is_none() {
        return;
    }
    for cell in t.cells(title) {
        assert!(
            cell == "-" || allowed.contains(cell),
            "{title}: {cell:?} is not a whole value (of {allowed:?})"
        );
    }
}

/// The string values of `key` in every object of a JSON array.
fn values(items: &Value, key: &str) -> BTreeSet<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .flat_map(|item| match &item[key] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Value::Number(n) => vec![n.to_string()],
            _ => vec![],
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The cells of a column that shrinks: whole, or cut with `…`.
fn cut_or_whole(t: &Parsed, title: &str, whole_values: &BTreeSet<String>) {
    if t.column(title).is_none() {
        return;
    }
    for cell in t.cells(title) {
        let ok = cell.is_empty()
            || whole_values.contains(cell)
            || (cell.starts_with('…')
                && whole_values
                    .iter()
                    .any(|v| v.ends_with(&cell['…'.len_utf8()..])))
            || (cell.ends_with('…')
                && whole_values
                    .iter()
                    .any(|v| v.starts_with(&cell[..cell.len() - '…'.len_utf8()])));
        assert!(
            ok,
            "{title}: {cell:?} is neither a value nor one cut with …"
        );
    }
}

#[test]
fn logs_table() {
    let args = [
        "--tz",
        "America/Chicago",
        "logs",
        "testdata/sample/u_ex170119.log",
        "--ip",
        "73.21.44.9",
        "--since",
        "2017-01-19 11:10",
        "--until",
        "2017-01-19 11:20",
    ];
    let records = json(&args);
    let n = records.as_array().unwrap().len();
    let requests: BTreeSet<String> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut line = format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["uri_stem"].as_str().unwrap()
            );
            if let Some(q) = r["uri_query"].as_str() {
                line.push('?');
                line.push_str(q);
            }
            line
        })
        .collect();
    for width in WIDTHS {
        let (stdout, stderr) = run(&args, width);
        insta::assert_snapshot!(format!("logs_{width}"), stdout);
        fits(&stdout, width);
        let t = &parse(&stdout)[0];
        assert_eq!(t.rows.len(), n, "one line per record:\n{stdout}");
        assert!(t.cells("Local time").iter().all(|c| is_time(c)), "{stdout}");
        whole(t, "User", &values(&records, "username"));
        whole(t, "Client IP", &values(&records, "client_ip"));
        whole(t, "Status", &values(&records, "status"));
        whole(t, "ms", &values(&records, "time_taken_ms"));
        cut_or_whole(t, "Request", &requests);
        assert!(t.column("ms").is_some(), "{stdout}");
        assert!(!stderr.contains("leaves out"), "{stderr}");
    }
}

#[test]
fn downloads_table() {
    for all in [false, true] {
        let mut args = vec!["--tz", "America/Chicago", "downloads", "testdata/sample"];
        if all {
            args.push("--all");
        }
        let downloads = json(&args);
        let n = downloads.as_array().unwrap().len();
        let mut users = values(&downloads, "export_user");
        users.extend(values(&downloads, "session_user"));
        for width in WIDTHS {
            let (stdout, stderr) = run(&args, width);
            let name = format!("downloads{}_{width}", if all { "_all" } else { "" });
            insta::assert_snapshot!(name, stdout);
            fits(&stdout, width);
            let t = &parse(&stdout)[0];
            assert_eq!(t.rows.len(), n, "one line per download:\n{stdout}");
            assert!(t.cells("Local time").iter().all(|c| is_time(c)), "{stdout}");
            whole(t, "Export user", &users);
            whole(t, "Session user", &users);
            whole(t, "Attribution", &values(&downloads, "attribution"));
            whole(t, "Client IP", &values(&downloads, "client_ip"));
            whole(t, "Status", &set(&["200", "404 failed"]));
            cut_or_whole(t, "File", &values(&downloads, "file_name"));
            if width == 80 {
                assert!(
                    stderr.contains(
                        "note: to fit 80 columns the table leaves out Attribution and Client IP;"
                    ),
                    "{stderr}"
                );
            } else {
                assert!(t.column("Attribution").is_some() && t.column("Client IP").is_some());
                assert!(!stderr.contains("leaves out"), "{stderr}");
            }
        }
    }
}

#[test]
fn sessions_table() {
    let args = ["--tz", "America/Chicago", "sessions", "testdata/sample"];
    let sessions = json(&args);
    let n = sessions.as_array().unwrap().len();
    let ips = values(&sessions, "client_ips");
    for width in WIDTHS {
        let (stdout, _) = run(&args, width);
        insta::assert_snapshot!(format!("sessions_{width}"), stdout);
        fits(&stdout, width);
        let t = &parse(&stdout)[0];
        assert_eq!(t.rows.len(), n, "one line per session:\n{stdout}");
        assert!(t.cells("Start").iter().all(|c| is_time(c)), "{stdout}");
        if t.column("End").is_some() {
            assert!(
                t.cells("End").iter().all(|c| is_time(c) || is_clock(c)),
                "{stdout}"
            );
        }
        whole(t, "User", &values(&sessions, "user"));
        for cell in t.cells("Client IPs") {
            assert!(cell.split(", ").all(|ip| ips.contains(ip)), "{cell:?}");
        }
        whole(t, "Requests", &values(&sessions, "requests"));
        whole(t, "POSTs", &values(&sessions, "posts"));
        for cell in t.cells("Pages") {
            assert!(cell == "-" || cell.starts_with("/Logon.aspx"), "{cell:?}");
        }
        // At 80 columns the page trail had 7 characters.
        let pages = t.cells("Pages").iter().map(|c| c.chars().count()).max();
        assert!(pages >= Some(25), "{stdout}");
    }
}

#[test]
fn examine_table() {
    let args = [
        "--tz",
        "America/Chicago",
        "examine",
        "testdata/nemsis",
        "testdata/grid",
        "testdata/pdf",
    ];
    let files = json(&args);
    let n = files.as_array().unwrap().len();
    let mismatched_nemsis = files
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "nemsis" && f["verdict"] == "mismatch")
        .count();
    let ips: BTreeSet<String> = files
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            let mut ips = vec![f["attribution"]["ip"].as_str().map(String::from)];
            for p in f["pcrs"].as_array().into_iter().flatten() {
                ips.push(p["e900"]["ip"].as_str().map(String::from));
                ips.push(p["e901"]["ip"].as_str().map(String::from));
            }
            ips.into_iter().flatten()
        })
        .collect();
    for width in WIDTHS {
        let (stdout, _) = run(&args, width);
        insta::assert_snapshot!(format!("examine_{width}"), stdout);
        fits(&stdout, width);
        let t = &parse(&stdout)[0];
        assert_eq!(
            t.rows.len(),
            n + mismatched_nemsis,
            "one line per file, and one for the other copy of a NEMSIS mismatch:\n{stdout}"
        );
        let mut verdicts = values(&files, "verdict");
        verdicts.insert(String::new());
        whole(t, "Verdict", &verdicts);
        whole(t, "Kind", &{
            let mut k = values(&files, "kind");
            k.insert(String::new());
            k
        });
        for cell in t.cells("When (local)") {
            assert!(cell == "-" || is_time(cell), "{cell:?}");
        }
        whole(t, "IP", &ips);
        cut_or_whole(t, "File", &values(&files, "file"));
    }
}

#[test]
fn examine_counts_one_report_not_one_reports() {
    let (stdout, _) = run(&["examine", "testdata/nemsis/crlf.xml"], 200);
    let t = &parse(&stdout)[0];
    assert_eq!(t.cells("Where"), ["1 report"], "{stdout}");
    let (stdout, _) = run(&["examine", "testdata/nemsis/base64_wraps.xml"], 200);
    assert_eq!(parse(&stdout)[0].cells("Where"), ["4 reports"], "{stdout}");
}

#[test]
fn investigate_tables() {
    let args = ["investigate", "testdata/case", "--tz", "America/Chicago"];
    let case = json(&args);
    let findings = case["findings"].as_array().unwrap().len();
    let people = &case["people"];
    for width in WIDTHS {
        let (stdout, _) = run(&args, width);
        insta::assert_snapshot!(format!("investigate_{width}"), stdout);
        fits(&stdout, width);
        let tables = parse(&stdout);
        assert_eq!(tables.len(), 2, "{stdout}");
        let files = &tables[0];
        assert_eq!(
            files.rows.len(),
            findings,
            "one line per leaked file:\n{stdout}"
        );
        for cell in files.cells("Verdict") {
            let verdict = cell.split(' ').next().unwrap_or("");
            assert!(
                [
                    "corroborated",
                    "contradicted",
                    "not_in_logs",
                    "outside_logs",
                    "registry_upload",
                    "unsigned"
                ]
                .contains(&verdict),
                "{cell:?}"
            );
        }
        for cell in files.cells("When (local)") {
            assert!(cell == "-" || is_time(cell), "{cell:?}");
        }
        whole(files, "Sure", &set(&["high", "medium", "low"]));
        // A person's files and downloads are lines below their login.
        let logins = values(people, "login");
        let mut login_cells = tables[1].cells("Login");
        login_cells.retain(|c| !c.is_empty());
        assert_eq!(
            login_cells,
            logins.iter().map(String::as_str).collect::<Vec<_>>(),
            "{stdout}"
        );
        for cell in tables[1].cells("Downloads in the logs") {
            assert!(
                cell.is_empty() || cell == "-" || is_time(&cell[..cell.len().min(23)]),
                "{cell:?}"
            );
        }
    }
}

#[test]
fn no_terminal_a_zero_width_terminal_and_columns_80_lay_out_alike() {
    // The tests run without a terminal: COLUMNS unset, 0, or not a number
    // give the 80-column layout.
    let args = ["--tz", "America/Chicago", "downloads", "testdata/sample"];
    let (at_80, _) = run(&args, 80);
    for columns in [None, Some("0"), Some("wide")] {
        let mut cmd = leaktrace();
        cmd.args(args);
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().expect("runs");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            at_80,
            "COLUMNS={columns:?}"
        );
    }
}

#[test]
fn logs_leave_out_the_time_taken_first_at_80_columns() {
    let args = [
        "logs",
        "testdata/sample/u_ex170119.log",
        "--user",
        "mary.jones",
    ];
    let (stdout, stderr) = run(&args, 80);
    fits(&stdout, 80);
    let t = &parse(&stdout)[0];
    assert!(t.column("ms").is_none(), "{stdout}");
    assert!(
        stderr.contains("note: to fit 80 columns the table leaves out ms; "),
        "{stderr}"
    );
    let (stdout, stderr) = run(&args, 200);
    assert!(parse(&stdout)[0].column("ms").is_some(), "{stdout}");
    assert!(!stderr.contains("leaves out"), "{stderr}");
    // Quiet means quiet.
    let out = leaktrace_at(80)
        .arg("-q")
        .args(args)
        .output()
        .expect("runs");
    assert!(out.stderr.is_empty());
}
