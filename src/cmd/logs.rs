//! `leaktrace logs`: read W3C logs, filter, print the matching records.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use crate::cli::{GlobalArgs, LogsArgs};
use crate::exit::Exit;
use crate::output::{Context, Writer, stdout_is_terminal};
use crate::w3c::{Hit, Record, Row, scan_all};

pub fn run(args: &LogsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let filter = super::filter(&args.filters, &zone)?;
    let cfg = super::scan_config(&args.read)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());

    let (run, replaced) = if args.count {
        let select = |row: &Row<'_>| filter.matches(row).then_some(());
        let mut sink = |_: &Arc<str>, _: Vec<Hit<()>>| Ok(());
        let run = scan_all(&inputs, &cfg, &select, &mut sink, &progress)?;
        bar.finish_and_clear();
        let matched: u64 = run.files.iter().map(|f| f.matched).sum();
        writeln!(out, "{matched}")?;
        out.flush()?;
        (run, 0)
    } else {
        let terminal = stdout_is_terminal();
        let mut writer = Writer::new(
            out,
            global.format,
            Context {
                zone,
                verbose: global.verbose,
            },
            terminal,
        );
        let select = |row: &Row<'_>| filter.matches(row).then(|| Record::from_row(row));
        let mut replaced = 0u64;
        let mut sink = |file: &Arc<str>, hits: Vec<Hit<Record>>| -> io::Result<()> {
            for hit in hits {
                let mut record = hit.item;
                replaced += u64::from(record.replaced);
                record.file = file.clone();
                record.line = hit.line;
                writer.write(&record)?;
            }
            Ok(())
        };
        let run = scan_all(&inputs, &cfg, &select, &mut sink, &progress)?;
        bar.finish_and_clear();
        writer.finish::<Record>()?;
        (run, replaced)
    };
    let exit = super::finish(&run, &list_errors, global, None);
    if replaced > 0 && !global.quiet {
        eprintln!(
            "note: {replaced} printed record{} held bytes that are not UTF-8; they are shown as U+FFFD",
            if replaced == 1 { "" } else { "s" }
        );
    }
    Ok(exit)
}
