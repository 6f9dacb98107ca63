//! Developer tasks for leaktrace (not shipped).
//!
//! `cargo xtask docs` writes the man pages (`man/`) and shell completions
//! (`completions/`) from the clap definition; `cargo xtask docs --check` fails
//! if the committed files differ from what the code would generate (CI runs it).
//! A man page is clap_mangen's NAME, DESCRIPTION, OPTIONS and SUBCOMMANDS
//! sections with our own SYNOPSIS (`leaktrace downloads [--user NAME]...`),
//! EXIT STATUS (the `Exit status:` text of `--help`), EXAMPLES (the README's
//! tour, read by `tour.rs`, so the check also fails when the tour changed) and
//! SEE ALSO.

mod tour;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction};
use clap_complete::Shell;
use roff::{Roff, bold, roman};

use tour::Example;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    match args.first().map(String::as_str) {
        Some("docs") => match docs(check) {
            Ok(stale) if stale.is_empty() => ExitCode::SUCCESS,
            Ok(stale) => {
                eprintln!("generated files are out of date: {}", stale.join(", "));
                eprintln!("run `cargo xtask docs` and commit the result");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("xtask: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo xtask docs [--check]");
            ExitCode::from(2)
        }
    }
}

/// Generates every file; in check mode writes nothing and returns the stale ones.
fn docs(check: bool) -> io::Result<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let examples = tour::tour(&readme).map_err(io::Error::other)?;
    // `leaktrace help` works, but it has no page of its own.
    let cmd = leaktrace::cli::command().disable_help_subcommand(true);
    let version = cmd.get_version().unwrap_or_default().to_owned();
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    let names: Vec<&str> = subs.iter().map(|s| s.get_name()).collect();
    if let Some(stray) = examples.iter().find(|e| e.subcommand(&names).is_none()) {
        return Err(io::Error::other(format!(
            "the README's tour command `{}` runs none of: {}",
            stray.command(),
            names.join(", ")
        )));
    }
    let page_names: Vec<String> = std::iter::once("leaktrace".to_owned())
        .chain(names.iter().map(|n| format!("leaktrace-{n}")))
        .collect();

    // The top page shows the overview at the head of the tour.
    let top = Page {
        name: "leaktrace".to_owned(),
        invocation: "leaktrace".to_owned(),
        version: &version,
        examples: examples.iter().filter(|e| e.block == 0).collect(),
        see_also: &page_names,
    };
    files.push((root.join("man/leaktrace.1"), top.render(cmd.clone())?));
    for sub in &subs {
        // Subcommand pages show the global options too.
        let name = format!("leaktrace-{}", sub.get_name());
        let mut sub_cmd = (*sub).clone().display_name(name.clone());
        for arg in cmd.get_arguments().filter(|a| a.is_global_set()) {
            sub_cmd = sub_cmd.arg(arg.clone());
        }
        let page = Page {
            name,
            invocation: format!("leaktrace {}", sub.get_name()),
            version: &version,
            examples: examples
                .iter()
                .filter(|e| e.subcommand(&names) == Some(sub.get_name()))
                .collect(),
            see_also: &page_names,
        };
        files.push((
            root.join(format!("man/{}.1", page.name)),
            page.render(sub_cmd)?,
        ));
    }

    for (shell, file) in [
        (Shell::Bash, "leaktrace.bash"),
        (Shell::Zsh, "_leaktrace"),
        (Shell::Fish, "leaktrace.fish"),
        (Shell::PowerShell, "_leaktrace.ps1"),
    ] {
        let mut out = Vec::new();
        let mut cmd = leaktrace::cli::command();
        clap_complete::generate(shell, &mut cmd, "leaktrace", &mut out);
        files.push((root.join("completions").join(file), out));
    }

    let mut stale = Vec::new();
    for (path, content) in files {
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(content.as_slice()) {
            continue;
        }
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        if check {
            stale.push(shown);
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, content)?;
            println!("wrote {shown}");
        }
    }
    Ok(stale)
}

/// One man page and what it is made of besides the clap definition.
struct Page<'a> {
    /// The page's name: `leaktrace-downloads`.
    name: String,
    /// How the command is typed: `leaktrace downloads`.
    invocation: String,
    version: &'a str,
    /// The README tour's commands for this page.
    examples: Vec<&'a Example>,
    /// Every page; the page itself is left out of its SEE ALSO.
    see_also: &'a [String],
}

impl Page<'_> {
    fn render(&self, cmd: clap::Command) -> io::Result<Vec<u8>> {
        let exits = exit_statuses(&cmd).ok_or_else(|| {
            io::Error::other(format!(
                "the help of `{}` has no `Exit status:` list",
                self.invocation
            ))
        })?;
        let mut built = cmd.clone();
        built.build();
        let man = clap_mangen::Man::new(cmd)
            .title(self.name.clone())
            .source(format!("leaktrace {}", self.version))
            .manual("leaktrace manual");

        let preamble = Roff::new().render();
        let mut page = preamble.clone();
        let mut section = |render: &dyn Fn(&mut Vec<u8>) -> io::Result<()>| -> io::Result<()> {
            let mut out = Vec::new();
            render(&mut out)?;
            let text = String::from_utf8(out).map_err(io::Error::other)?;
            page.push_str(text.strip_prefix(&preamble).unwrap_or(&text));
            Ok(())
        };
        section(&|w| man.render_title(w))?;
        section(&|w| man.render_name_section(w))?;
        section(&|w| {
            use io::Write;
            w.write_all(synopsis(&built, &self.invocation).as_bytes())
        })?;
        section(&|w| man.render_description_section(w))?;
        section(&|w| man.render_options_section(w))?;
        if built.has_subcommands() {
            section(&|w| man.render_subcommands_section(w))?;
        }
        section(&|w| self.closing_sections(&exits).to_writer(w))?;
        Ok(page.into_bytes())
    }

    /// EXIT STATUS, EXAMPLES and SEE ALSO.
    fn closing_sections(&self, exits: &[(String, String)]) -> Roff {
        let mut roff = Roff::new();
        roff.control("SH", ["EXIT STATUS"]);
        for (code, meaning) in exits {
            roff.control("TP", []);
            roff.text([bold(code.as_str())]);
            roff.text([roman(meaning.as_str())]);
        }

        roff.control("SH", ["EXAMPLES"]);
        roff.text([roman(
            "From the repository root, on the bundled files in testdata/ \
             (the tour in README.md):",
        )]);
        for example in &self.examples {
            roff.control("PP", []);
            let description = example.description();
            if !description.is_empty() {
                roff.text([roman(description)]);
            }
            roff.control("RS", ["4"]);
            roff.control("nf", []);
            for line in &example.lines {
                roff.text([roman(line.as_str())]);
            }
            roff.control("fi", []);
            roff.control("RE", []);
        }

        roff.control("SH", ["SEE ALSO"]);
        // Page names are neither hyphenated nor spread apart.
        roff.control("nh", []);
        roff.control("ad", ["l"]);
        let mut line = Vec::new();
        for other in self.see_also.iter().filter(|p| **p != self.name) {
            if !line.is_empty() {
                line.push(roman(", "));
            }
            line.push(bold(other.as_str()));
            line.push(roman("(1)"));
        }
        roff.text(line);
        roff
    }
}

/// The SYNOPSIS section: the command as typed, every option with its value
/// and `...` where it may be repeated, then the operands. Each bracketed
/// option is kept on one line (`\ ` is a space that neither breaks nor
/// stretches), and the lines are not justified (`.ad l`).
fn synopsis(cmd: &clap::Command, invocation: &str) -> String {
    let mut line = format!(
        ".SH SYNOPSIS\n.ad l\n\\fB{}\\fR",
        escape(invocation).replace(' ', "\\ ")
    );
    let mut options: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
        .collect();
    // The command's own options, then the global ones, then help and version.
    options.sort_by_key(|a| match a.get_id().as_str() {
        "help" | "version" => 2,
        _ if a.is_global_set() => 1,
        _ => 0,
    });
    for arg in options {
        let mut names = Vec::new();
        if let Some(short) = arg.get_short() {
            names.push(format!("\\fB\\-{short}\\fR"));
        }
        if let Some(long) = arg.get_long() {
            names.push(format!("\\fB\\-\\-{}\\fR", escape(long)));
        }
        let mut item = format!(" [{}", names.join("|"));
        if arg.get_num_args().is_some_and(|n| n.takes_values()) {
            item.push_str(&format!("\\ \\fI{}\\fR", escape(&value_name(arg))));
        }
        item.push(']');
        if repeats(arg) {
            item.push_str("...");
        }
        line.push_str(&item);
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let value = format!("\\fI<{}>\\fR", escape(&value_name(arg)));
        let value = if repeats(arg) { value + "..." } else { value };
        if arg.is_required_set() {
            line.push_str(&format!(" {value}"));
        } else {
            line.push_str(&format!(" [{value}]"));
        }
    }
    if cmd.has_subcommands() {
        line.push_str(" \\fI<COMMAND>\\fR");
    }
    line.push_str("\n.ad\n");
    line
}

/// What an option's value is called, as `--help` calls it.
fn value_name(arg: &Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

fn repeats(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append | ArgAction::Count)
}

/// Escapes text for a roff text line (backslashes and hyphens).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}

/// The `Exit status:` list of a command's after-help, as (code, meaning);
/// an indented line without a code continues the meaning above it.
fn exit_statuses(cmd: &clap::Command) -> Option<Vec<(String, String)>> {
    let help = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())?
        .to_string();
    let mut lines = help.lines().skip_while(|l| l.trim() != "Exit status:");
    lines.next()?;
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in lines.map(str::trim).take_while(|l| !l.is_empty()) {
        match line.split_once(' ') {
            Some((code, meaning)) if code.bytes().all(|b| b.is_ascii_digit()) => {
                rows.push((code.to_owned(), meaning.trim().to_owned()));
            }
            _ => {
                let (_, meaning) = rows.last_mut()?;
                meaning.push(' ');
                meaning.push_str(line);
            }
        }
    }
    (!rows.is_empty()).then_some(rows)
}
