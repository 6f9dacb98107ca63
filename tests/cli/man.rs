//! The committed man pages (`man/`, written by `cargo xtask docs`): one per
//! command, each with the standard sections, a synopsis as the command is
//! typed, EXAMPLES that are the README tour's commands, the exit statuses
//! README.md and `--help` give, and references only to pages that exist.

use crate::tour;

use std::path::Path;

const SECTIONS: [&str; 7] = [
    ".SH NAME",
    ".SH SYNOPSIS",
    ".SH DESCRIPTION",
    ".SH OPTIONS",
    ".SH \"EXIT STATUS\"",
    ".SH EXAMPLES",
    ".SH \"SEE ALSO\"",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every page: its name, the subcommand it documents (`None` for
/// `leaktrace(1)`), and its roff source.
fn pages() -> Vec<(String, Option<String>, String)> {
    let cmd = leaktrace::cli::command();
    let subs = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| Some(s.get_name().to_owned()));
    std::iter::once(None)
        .chain(subs)
        .map(|sub| {
            let name = match &sub {
                Some(sub) => format!("leaktrace-{sub}"),
                None => "leaktrace".to_owned(),
            };
            let path = root().join("man").join(format!("{name}.1"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask docs`)", path.display()));
            (name, sub, text)
        })
        .collect()
}

/// Text as a reader sees it: escapes resolved, font changes dropped.
fn unescape(roff: &str) -> String {
    let mut out = String::new();
    let mut chars = roff.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('f') => {
                chars.next();
            }
            Some('*') => {
                let name: String = chars.by_ref().take(3).collect();
                out.push_str(if name == "(Aq" { "'" } else { "?" });
            }
            Some('&') | None => {}
            Some('e') => out.push('\\'),
            Some(c) => out.push(c),
        }
    }
    out
}

/// The roff source of one section (heading excluded), up to the next one.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let start = page
        .find(&format!("{heading}\n"))
        .unwrap_or_else(|| panic!("no {heading}"))
        + heading.len()
        + 1;
    let rest = &page[start..];
    &rest[..rest.find("\n.SH ").map_or(rest.len(), |end| end + 1)]
}

/// The words of a section's text lines (control lines left out), unescaped.
fn words(section: &str) -> String {
    let text: Vec<&str> = section.lines().filter(|l| !l.starts_with('.')).collect();
    unescape(&text.join(" "))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_man_page_has_the_standard_sections_in_order() {
    for (name, _, page) in pages() {
        let mut at = 0;
        for heading in SECTIONS {
            let found = page[at..]
                .find(&format!("\n{heading}\n"))
                .unwrap_or_else(|| panic!("{name}.1: no {heading} after byte {at}"));
            at += found + 1;
        }
        assert!(!page.contains(".SH EXTRA"), "{name}.1 has an EXTRA section");
    }
}

#[test]
fn synopsis_is_the_command_as_typed() {
    for (name, sub, page) in pages() {
        let synopsis = words(section(&page, ".SH SYNOPSIS"));
        let typed = match &sub {
            Some(sub) => format!("leaktrace {sub} ["),
            None => "leaktrace [".to_owned(),
        };
        assert!(
            synopsis.starts_with(&typed),
            "{name}.1 synopsis: {synopsis}"
        );
        assert!(
            !synopsis.contains("leaktrace-"),
            "{name}.1 synopsis: {synopsis}"
        );
    }
    let logs = pages()
        .into_iter()
        .find(|(_, sub, _)| sub.as_deref() == Some("logs"))
        .expect("a logs page");
    let synopsis = words(section(&logs.2, ".SH SYNOPSIS"));
    for shown in [
        "[--user NAME]...",
        "[--since TIME]",
        "[--format FORMAT]",
        "[-q|--quiet]",
        "[--count]",
        "<LOG>...",
    ] {
        assert!(synopsis.contains(shown), "{shown} not in: {synopsis}");
    }
}

#[test]
fn man_pages_refer_only_to_pages_that_exist() {
    for (name, _, page) in pages() {
        let text = unescape(&page);
        assert!(
            !text.contains("leaktrace-help"),
            "{name}.1 names leaktrace-help"
        );
        for (at, _) in text.match_indices("(1)") {
            let before = &text[..at];
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(0, |i| i + 1);
            let referred = &before[start..];
            if referred.starts_with("leaktrace") {
                assert!(
                    root().join("man").join(format!("{referred}.1")).is_file(),
                    "{name}.1 refers to {referred}(1), which has no page"
                );
            }
        }
    }
}

#[test]
fn man_examples_are_the_readme_tour() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let examples = tour::tour(&readme).unwrap_or_else(|e| panic!("{e}"));
    let cmd = leaktrace::cli::command();
    let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
    for (name, sub, page) in pages() {
        let shown = unescape(section(&page, ".SH EXAMPLES"));
        let expected: Vec<&tour::Example> = examples
            .iter()
            .filter(|e| match &sub {
                Some(sub) => e.subcommand(&names) == Some(sub.as_str()),
                None => e.block == 0,
            })
            .collect();
        assert!(!expected.is_empty(), "the tour has no example for {name}");
        for example in expected {
            for line in &example.lines {
                assert!(
                    shown.lines().any(|l| l == line),
                    "{name}.1 EXAMPLES lack `{line}` (run `cargo xtask docs`)"
                );
            }
        }
    }
}

#[test]
fn exit_status_is_the_same_in_readme_help_and_man_pages() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let table: Vec<String> = readme
        .lines()
        .skip_while(|l| *l != "## Exit status")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.strip_prefix("| ")?.splitn(2, " | ").collect();
            let code = cells.first()?;
            let meaning = cells.get(1)?.trim_end().strip_suffix(" |")?;
            code.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| format!("{code} {}", meaning.replace(r"\|", "|")))
        })
        .collect();
    assert_eq!(table.len(), 4, "README's exit status table: {table:?}");
    let expected = table.join(" ");

    let help = std::process::Command::new(env!("CARGO_BIN_EXE_leaktrace"))
        .arg("--help")
        .output()
        .expect("leaktrace --help runs");
    let help = String::from_utf8(help.stdout).expect("help is UTF-8");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains(&format!("Exit status: {expected}")),
        "--help does not say what README.md says: {expected}\n{help}"
    );

    for (name, _, page) in pages() {
        let shown = words(section(&page, ".SH \"EXIT STATUS\""));
        assert_eq!(shown, expected, "{name}.1 EXIT STATUS");
    }
}

#[test]
fn top_page_and_examine_say_they_read_pdfs_and_zip_archives() {
    for (name, sub, page) in pages() {
        if sub.is_some() && sub.as_deref() != Some("examine") {
            continue;
        }
        let description = words(section(&page, ".SH DESCRIPTION"));
        for kind in ["PDF", "ZIP"] {
            assert!(
                description.contains(kind),
                "{name}.1 DESCRIPTION does not mention {kind}: {description}"
            );
        }
    }
}
