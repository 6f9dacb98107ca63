//! Developer tasks for leaktrace (not shipped).
//!
//! `cargo xtask docs` writes the man pages (`man/`) and shell completions
//! (`completions/`) from the clap definition; `cargo xtask docs --check` fails
//! if the committed files differ from what the code would generate (CI runs it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap_complete::Shell;

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
fn docs(check: bool) -> std::io::Result<Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let cmd = leaktrace::cli::command();

    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    files.push((root.join("man/leaktrace.1"), page));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("leaktrace-{}", sub.get_name());
        // Subcommand pages show the global options too.
        let mut sub = sub.clone().name(name.clone());
        for arg in cmd.get_arguments().filter(|a| a.is_global_set()) {
            sub = sub.arg(arg.clone());
        }
        let mut page = Vec::new();
        clap_mangen::Man::new(sub)
            .title(name.clone())
            .render(&mut page)?;
        files.push((root.join(format!("man/{name}.1")), page));
    }

    for (shell, file) in [
        (Shell::Bash, "leaktrace.bash"),
        (Shell::Zsh, "_leaktrace"),
        (Shell::Fish, "leaktrace.fish"),
        (Shell::PowerShell, "_leaktrace.ps1"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "leaktrace", &mut out);
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
