//! `leaktrace examine`: what leaked files say about who took them. The
//! files are examined by [`crate::artifact::examination`]; this command runs
//! them in parallel and prints the findings in input order.

use std::io::{self, BufWriter};

use rayon::prelude::*;

use crate::artifact::examination::{Examination, Examined, KINDS, examine_input};
use crate::cli::{ExamineArgs, GlobalArgs};
use crate::exit::Exit;
use crate::output::summary::ExamineSummary;
use crate::output::{Context, Writer, table};

pub fn run(args: &ExamineArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, false);
    let mut said = ExamineSummary::default();
    for e in list_errors {
        said.problem(e);
    }
    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ctx = Context {
        zone,
        verbose: global.verbose,
    };
    let mut writer = Writer::new(out, global.format, ctx, table::width());
    let mut examined = 0u64;
    // Files are examined in parallel, a window at a time, and written in
    // input order: the output is the same as one file after another. At most
    // one file per core is held in memory at once (each within its kind's
    // limit, `artifact::intake`).
    let window = rayon::current_num_threads().max(1) * 4;
    for group in inputs.chunks(window) {
        let results: Vec<Option<io::Result<Examined>>> = group
            .par_iter()
            .map(|input| {
                (!crate::interrupt::requested())
                    .then(|| examine_input(input, args.kind, args.password.as_deref()))
            })
            .collect();
        for (input, result) in group.iter().zip(results) {
            let Some(result) = result else {
                break;
            };
            let name = input.display_name().to_string();
            match result {
                Ok(Examined::File(found)) => {
                    writer.write(found.as_ref())?;
                    examined += 1;
                }
                Ok(Examined::Unknown) => said.problem(format!(
                    "{name}: not a kind leaktrace examines ({KINDS}); give --as to force one"
                )),
                Ok(Examined::Archive(report)) => {
                    for found in &report.files {
                        writer.write(found)?;
                        examined += 1;
                    }
                    for note in &report.notes {
                        let line = format!("{}: {}", note.file, note.why);
                        if note.failed {
                            said.problem(line);
                        } else {
                            said.warning(line);
                        }
                    }
                    if let Some(why) = report.nothing_examined() {
                        said.problem(format!("{name}: {why}"));
                    }
                }
                Err(e) => said.problem(format!("{name}: {e}")),
            }
        }
        if crate::interrupt::requested() {
            break;
        }
    }
    let left_out = writer.finish::<Examination>()?;
    said.write(&mut io::stderr().lock(), examined, global.quiet);
    super::note_left_out(left_out.as_ref(), global);
    Ok(if said.problems == 0 {
        Exit::Success
    } else {
        Exit::InputError
    })
}
