//! `leaktrace examine`: what leaked files say about who took them.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};

use sha2::{Digest, Sha256};

use crate::artifact::{self, Kind, grid, nemsis, pdf};
use crate::cli::{ExamineArgs, GlobalArgs};
use crate::exit::Exit;
use crate::output::examination::{Examination, grid_verdict, nemsis_verdict, pdf_verdict};
use crate::output::sanitize::for_terminal;
use crate::output::{Context, Writer, stdout_is_terminal};
use crate::w3c::{Input, expand};

/// Bytes read to decide a file's kind.
const HEAD: usize = 64 << 10;

pub fn run(args: &ExamineArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let (inputs, list_errors) = expand(&args.inputs);
    let mut problems: Vec<String> = list_errors.iter().map(ToString::to_string).collect();
    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ctx = Context {
        zone,
        verbose: global.verbose,
    };
    let mut writer = Writer::new(out, global.format, ctx, stdout_is_terminal());
    let mut examined = 0u64;
    for input in &inputs {
        let name = input.display_name().to_string();
        match examine(input, args.kind, args.password.as_deref()) {
            Ok(Some(found)) => {
                writer.write(&found)?;
                examined += 1;
            }
            Ok(None) => problems.push(format!(
                "{name}: not a kind leaktrace examines (NEMSIS XML, CSV, XLSX, PDF); give --as to force one"
            )),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    writer.finish::<Examination>()?;
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for p in &problems {
        let _ = writeln!(err, "leaktrace: {}", for_terminal(p));
    }
    if !global.quiet {
        let _ = writeln!(
            err,
            "leaktrace: {examined} file{} examined{}",
            if examined == 1 { "" } else { "s" },
            match problems.len() {
                0 => String::new(),
                1 => ", 1 problem".to_string(),
                n => format!(", {n} problems"),
            }
        );
    }
    Ok(if problems.is_empty() {
        Exit::Success
    } else {
        Exit::InputError
    })
}

/// Examines one file; `None` when it is of no known kind.
fn examine(
    input: &Input,
    forced: Option<Kind>,
    password: Option<&str>,
) -> io::Result<Option<Examination>> {
    let mut source: Box<dyn Read> = match input {
        Input::Stdin => Box::new(io::stdin().lock()),
        Input::File { path, .. } => Box::new(File::open(path)?),
    };
    let mut head = Vec::with_capacity(HEAD);
    (&mut source).take(HEAD as u64).read_to_end(&mut head)?;
    let Some(kind) = forced.or_else(|| artifact::sniff(&head)) else {
        return Ok(None);
    };
    let mut hasher = Sha256::new();
    let file = input.display_name().to_string();
    let found = match kind {
        Kind::Nemsis => {
            // Streamed: the hash is taken as the parser reads, and whatever
            // it leaves (after damage) is read to the end for the hash.
            let mut reader = Hashing {
                inner: io::Cursor::new(head).chain(source),
                hasher: &mut hasher,
            };
            let report = nemsis::examine(BufReader::new(&mut reader));
            io::copy(&mut reader, &mut io::sink())?;
            Examination {
                file,
                sha256: String::new(),
                kind,
                verdict: nemsis_verdict(report.verdict),
                attribution: report.attribution,
                pcrs: Some(report.pcrs),
                signature: None,
                pdf: None,
                warnings: report.warnings,
            }
        }
        Kind::Csv | Kind::Xlsx | Kind::Pdf => {
            let mut bytes = head;
            source.read_to_end(&mut bytes)?;
            hasher.update(&bytes);
            match kind {
                Kind::Pdf => {
                    let report = pdf::examine(&bytes, password);
                    Examination {
                        file,
                        sha256: String::new(),
                        kind,
                        verdict: pdf_verdict(report.verdict),
                        attribution: report.attribution,
                        pcrs: None,
                        signature: None,
                        pdf: Some(report.findings),
                        warnings: report.warnings,
                    }
                }
                _ => {
                    let report = if kind == Kind::Csv {
                        grid::examine_csv(&bytes)
                    } else {
                        grid::examine_xlsx(&bytes)
                    };
                    Examination {
                        file,
                        sha256: String::new(),
                        kind,
                        verdict: grid_verdict(report.verdict),
                        attribution: report.attribution,
                        pcrs: None,
                        signature: report.signature,
                        pdf: None,
                        warnings: report.warnings,
                    }
                }
            }
        }
    };
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Examination { sha256, ..found }))
}

/// A reader that hashes what passes through it.
struct Hashing<'h, R> {
    inner: R,
    hasher: &'h mut Sha256,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
