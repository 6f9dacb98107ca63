//! The README's tour, run: every command in the code blocks of README.md's
//! `## A tour` section runs from the repository root with the binary just
//! built and must exit with the status listed here. A command added to the
//! tour fails this test until it is listed, with its status and the files it
//! writes; a status other than 0 must be said in the README, in the comment
//! above the command ("Exits 1: ...").

use crate::tour;

use std::path::Path;
use std::process::{Command, Stdio};

/// Every command of the tour (continuation lines joined), its exit status,
/// and the files it writes, which the test sends to a temporary folder so
/// that the repository stays clean.
const EXPECTED: &[(&str, i32, &[&str])] = &[
    (
        "leaktrace investigate testdata/case --tz America/Chicago --report case-report",
        0,
        &["case-report"],
    ),
    (
        "leaktrace --tz America/Chicago logs testdata/sample --user jsmith --since 2017-01-19 --until 2017-01-19",
        0,
        &[],
    ),
    (
        "leaktrace logs testdata/case/logs --path '/temp/*' --ip 24.213.38.0/24 --format ndjson",
        0,
        &[],
    ),
    (
        "leaktrace logs testdata/gz/u_ex170119.log.gz --status 4xx --count",
        0,
        &[],
    ),
    (
        "leaktrace logs testdata/w3c/vendor_sample.log --fields \"date time cs-method cs-uri-stem cs-uri-query cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\"",
        0,
        &[],
    ),
    (
        "gzip -dc testdata/gz/u_ex170119.log.gz | leaktrace logs - --user jsmith --format csv > jsmith.csv",
        0,
        &["jsmith.csv"],
    ),
    (
        "leaktrace investigate testdata/case --tz America/Chicago",
        0,
        &[],
    ),
    (
        "leaktrace investigate testdata/case/logs testdata/case/leaked --roster testdata/case/roster.csv --format json",
        0,
        &[],
    ),
    (
        "leaktrace --tz America/Chicago downloads testdata/sample",
        0,
        &[],
    ),
    ("leaktrace downloads testdata/sample --all", 0, &[]),
    (
        "leaktrace downloads testdata/case/logs --user jsmith --as-of 2017-01-25 --format json",
        0,
        &[],
    ),
    (
        "leaktrace --tz America/Chicago sessions testdata/case/logs --user jsmith --since 2017-01-19 --until 2017-01-19",
        0,
        &[],
    ),
    (
        "leaktrace sessions testdata/case/logs --user jsmith --geo --format ndjson",
        0,
        &[],
    ),
    (
        "leaktrace sessions testdata/sample --device --format ndjson",
        0,
        &[],
    ),
    (
        "leaktrace --tz America/Chicago ips testdata/case/logs",
        0,
        &[],
    ),
    (
        "leaktrace --tz America/Chicago stats testdata/sample --by user,day",
        0,
        &[],
    ),
    // notes.txt in that folder is not a leaked file.
    (
        "leaktrace --tz America/Chicago examine testdata/case/leaked -v",
        1,
        &[],
    ),
    (
        "leaktrace examine testdata/grid/plain.csv --format json",
        0,
        &[],
    ),
    (
        "leaktrace examine testdata/case/leaked/AcmeAmbulance.jsmith.2017-01-19-11-16-16.zip",
        0,
        &[],
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tour() -> Vec<tour::Example> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md is readable");
    tour::tour(&readme).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_tour_command_is_listed_with_its_exit_status() {
    let commands: Vec<String> = tour().iter().map(tour::Example::command).collect();
    let unlisted: Vec<&String> = commands
        .iter()
        .filter(|c| !EXPECTED.iter().any(|(listed, ..)| listed == c))
        .collect();
    assert!(
        unlisted.is_empty(),
        "tour commands missing from EXPECTED in tests/readme.rs (add each with its exit status \
         and the files it writes): {unlisted:#?}"
    );
    let gone: Vec<&str> = EXPECTED
        .iter()
        .map(|(listed, ..)| *listed)
        .filter(|listed| !commands.iter().any(|c| c == listed))
        .collect();
    assert!(
        gone.is_empty(),
        "listed but no longer in the tour: {gone:#?}"
    );
}

#[test]
fn the_readme_says_when_a_tour_command_does_not_exit_0() {
    for example in tour() {
        let command = example.command();
        let Some((_, status, _)) = EXPECTED.iter().find(|(c, ..)| *c == command) else {
            continue; // reported by every_tour_command_is_listed_with_its_exit_status
        };
        let description = example.description().to_lowercase();
        let said: Vec<&str> = description
            .match_indices("exits ")
            .map(|(at, said)| &description[at + said.len()..])
            .map(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap_or("")
            })
            .collect();
        assert!(
            said.iter().all(|code| *code == status.to_string()),
            "`{command}` exits {status}, but its comment says otherwise: {description:?}"
        );
        assert!(
            *status == 0 || !said.is_empty(),
            "`{command}` exits {status}: its comment in the README must say so \
             (\"Exits {status}: why\"), but it is: {description:?}"
        );
    }
}

#[test]
fn tour_commands_run_and_exit_as_documented() {
    let binary = env!("CARGO_BIN_EXE_leaktrace");
    let mut failures = Vec::new();
    for example in tour() {
        let command = example.command();
        let Some((_, status, writes)) = EXPECTED.iter().find(|(c, ..)| *c == command) else {
            continue; // reported by every_tour_command_is_listed_with_its_exit_status
        };
        if !cfg!(feature = "analytics") && needs_analytics(&command) {
            eprintln!("skipped without the analytics feature: {command}");
            continue;
        }
        let out_dir = tempfile::tempdir().expect("a temporary folder");
        let existed: Vec<bool> = writes.iter().map(|w| root().join(w).exists()).collect();
        let rewrite = |word: &str| -> Option<String> {
            if word == "leaktrace" {
                return Some(binary.to_owned());
            }
            writes
                .contains(&word)
                .then(|| out_dir.path().join(word).display().to_string())
        };

        let mut run = match shell_words(&command) {
            Some(words) => {
                let words: Vec<String> = words
                    .iter()
                    .map(|w| rewrite(w).unwrap_or_else(|| w.clone()))
                    .collect();
                let mut run = Command::new(&words[0]);
                run.args(&words[1..]);
                run
            }
            None if cfg!(windows) => {
                eprintln!("skipped on Windows (needs sh): {command}");
                continue;
            }
            None => {
                // Pipes and redirections: sh runs it, with the binary and the
                // written files put in place word by word (splitting on single
                // spaces keeps the rest of the line as it was).
                let script: Vec<String> = command
                    .split(' ')
                    .map(|w| rewrite(w).map_or_else(|| w.to_owned(), |p| sh_quote(&p)))
                    .collect();
                let mut run = Command::new("sh");
                run.arg("-c").arg(script.join(" "));
                run
            }
        };
        let out = run
            .current_dir(root())
            .env_remove("LEAKTRACE_TZ")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("`{command}` could not start: {e}"));

        if out.status.code() != Some(*status) {
            failures.push(format!(
                "`{command}`: exit {:?}, the README says {status}\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for (written, existed) in writes.iter().zip(existed) {
            assert!(
                out_dir.path().join(written).exists(),
                "`{command}` did not write {written} where the test sent it"
            );
            assert!(
                existed || !root().join(written).exists(),
                "`{command}` wrote {written} into the repository"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The words of a command as sh would split them (quotes and backslashes),
/// or `None` when it needs a shell: a pipe, a redirection, a variable, a
/// pattern.
fn shell_words(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => w.push(c),
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        '$' | '`' => return None,
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '$' | '`' | '*' | '?' | '[' | '~' => {
                return None;
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    (!words.is_empty()).then_some(words)
}

/// Quotes a path for sh.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[test]
fn shell_words_splits_as_sh_does() {
    assert_eq!(
        shell_words(r#"leaktrace logs a --path '/temp/*' --fields "a b" c\ d"#).unwrap(),
        [
            "leaktrace",
            "logs",
            "a",
            "--path",
            "/temp/*",
            "--fields",
            "a b",
            "c d"
        ]
    );
    assert_eq!(shell_words("gzip -dc a | leaktrace logs -"), None);
    assert_eq!(shell_words("leaktrace logs a > out.csv"), None);
    assert_eq!(shell_words("leaktrace logs *.log"), None);
    assert_eq!(shell_words("leaktrace logs 'unterminated"), None);
}

/// Whether a tour command needs the `analytics` feature (polars): `stats`
/// and `--format parquet`, which a `--no-default-features` build has not.
fn needs_analytics(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.contains(&"stats") || words.windows(2).any(|w| w == ["--format", "parquet"])
}
