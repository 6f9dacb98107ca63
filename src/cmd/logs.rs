//! `leaktrace logs`: read W3C logs, filter, print the matching records.

use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex};

use crate::cli::{GlobalArgs, LogsArgs};
use crate::enrich::Enricher;
use crate::exit::Exit;
use crate::filter::{Criterion, Filter};
use crate::output::json;
use crate::output::record::RecordJson;
use crate::output::{Context, Format, Writer, table};
use crate::time::Zone;
use crate::w3c::{
    ChunkWork, Hit, Input, Record, Row, RunReport, ScanConfig, scan_all, scan_all_chunks,
};

pub fn run(args: &LogsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let filter = super::filter(&args.filters, &zone)?;
    let mut enricher = if args.count {
        crate::enrich::Enricher::default()
    } else {
        super::enricher(&args.enrich)?
    };
    let cfg = super::scan_config(&args.read)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());

    // --format parquet: the records go to files (checked: not with --count).
    #[cfg(feature = "analytics")]
    let parquet = match &global.output {
        Some(dir) => Some(write_parquet(
            dir, args, global, &filter, &cfg, &inputs, &progress,
        )?),
        None => None,
    };
    #[cfg(not(feature = "analytics"))]
    let parquet: Option<(RunReport, u64)> = None;
    let (run, replaced, left_out) = if let Some((run, replaced)) = parquet {
        bar.finish_and_clear();
        (run, replaced, None)
    } else if args.count {
        let select = |row: &Row<'_>| filter.matches(row).then_some(());
        let mut sink = |_: &Arc<str>, _: Vec<Hit<()>>| Ok(());
        let run = scan_all(&inputs, &cfg, &select, &mut sink, &progress)?;
        bar.finish_and_clear();
        let matched: u64 = run.files.iter().map(|f| f.matched).sum();
        crate::output::write_count(&mut out, global.format, matched)?;
        (run, 0, None)
    } else {
        let mut writer = Writer::new(
            out,
            global.format,
            Context {
                zone,
                verbose: global.verbose,
            },
            table::width(),
        );
        let json = matches!(global.format, Format::Json | Format::Ndjson);
        let (run, replaced) = if json && !enricher.is_on() {
            write_json(&mut writer, &filter, &cfg, &inputs, &progress)?
        } else {
            write_records(
                &mut writer,
                &mut enricher,
                &filter,
                &cfg,
                &inputs,
                &progress,
            )?
        };
        bar.finish_and_clear();
        let left_out = writer.finish::<Record>()?;
        (run, replaced, left_out)
    };
    let exit = super::finish(&run, &list_errors, global, None);
    super::note_left_out(left_out.as_ref(), global);
    if let Some(locator) = &enricher.locator
        && !global.quiet
    {
        let _ = super::write_geo_notes(&mut io::stderr().lock(), locator, &run);
    }
    let matched: u64 = run.files.iter().map(|f| f.matched).sum();
    let records: u64 = run.files.iter().map(|f| f.records).sum();
    if matched == 0 && records > 0 && !filter.given().is_empty() && !global.quiet {
        let zone = super::zone(global)?;
        let alone = if inputs.iter().any(|i| matches!(i, Input::Stdin)) {
            None
        } else {
            Some(each_alone(&inputs, &cfg, &filter)?)
        };
        let _ = explain_no_match(&mut io::stderr().lock(), &run, &zone, alone.as_deref());
    }
    if replaced > 0 && !global.quiet {
        eprintln!(
            "note: {replaced} printed record{} held bytes that are not UTF-8; they are shown as U+FFFD",
            if replaced == 1 { "" } else { "s" }
        );
    }
    Ok(exit)
}

/// Writes the matching records through `writer`, each made into a
/// [`Record`] on the cores (tables, CSV, `--geo`, `--device`). Returns the
/// run and the records that held bytes that are not UTF-8.
fn write_records<W: Write>(
    writer: &mut Writer<W>,
    enricher: &mut Enricher,
    filter: &Filter,
    cfg: &ScanConfig,
    inputs: &[Input],
    progress: &dyn Fn(u64),
) -> io::Result<(RunReport, u64)> {
    let (fields, table) = crate::output::enrich::columns(enricher);
    writer.append_columns(fields, table);
    let select = |row: &Row<'_>| filter.matches(row).then(|| Record::from_row(row));
    let mut replaced = 0u64;
    let mut sink = |file: &Arc<str>, hits: Vec<Hit<Record>>| -> io::Result<()> {
        for hit in hits {
            let mut record = hit.item;
            replaced += u64::from(record.replaced);
            record.file = file.clone();
            record.line = hit.line;
            super::write_enriched(
                writer,
                enricher,
                &record,
                record.client_ip.as_deref(),
                record.user_agent.as_deref(),
            )?;
        }
        Ok(())
    };
    let run = scan_all(inputs, cfg, &select, &mut sink, progress)?;
    Ok((run, replaced))
}

/// JSON and NDJSON without `--geo` or `--device`: each matching row's
/// JSON object is made on the core that parses its chunk
/// ([`RecordJson`]), framed, straight into the chunk's block; the blocks
/// are written in order. The same bytes as [`write_records`].
fn write_json<W: Write>(
    writer: &mut Writer<W>,
    filter: &Filter,
    cfg: &ScanConfig,
    inputs: &[Input],
    progress: &dyn Fn(u64),
) -> io::Result<(RunReport, u64)> {
    let work = JsonBlocks {
        records: RecordJson::new(writer.context().zone.clone()),
        filter: (!filter.given().is_empty()).then_some(filter),
        array: writer.format() == Format::Json,
        spare: Mutex::new(Vec::new()),
    };
    let mut replaced = 0u64;
    let mut sink = |_: &Arc<str>, blocks: Vec<JsonBlock>| -> io::Result<()> {
        for block in blocks {
            replaced += block.replaced;
            writer.write_json_framed(&block.bytes, block.objects)?;
            work.put_back(block.bytes);
        }
        Ok(())
    };
    let run = scan_all_chunks(inputs, cfg, &work, &mut sink, progress)?;
    Ok((run, replaced))
}

/// The [`ChunkWork`] of [`write_json`]: each chunk's matching records as
/// the writer frames them ([`json::framed`]), in one block.
struct JsonBlocks<'f> {
    records: RecordJson,
    /// None when no filter was given: every record is written.
    filter: Option<&'f Filter>,
    array: bool,
    /// Blocks written, kept for the next chunks (fresh ones would be paged
    /// in each time): at most a batch's.
    spare: Mutex<Vec<Vec<u8>>>,
}

/// One chunk's records, framed.
struct JsonBlock {
    /// What comes before each record's line ([`RecordJson::head`]).
    head: Vec<u8>,
    bytes: Vec<u8>,
    objects: u64,
    /// The records that held bytes that are not UTF-8.
    replaced: u64,
}

impl JsonBlocks<'_> {
    fn put_back(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        if let Ok(mut spare) = self.spare.lock() {
            spare.push(bytes);
        }
    }
}

impl ChunkWork for JsonBlocks<'_> {
    type Out = JsonBlock;
    /// A record's line is written in its object as it is made.
    const INPUT_LINES: bool = true;

    fn start(&self, file: &Arc<str>) -> JsonBlock {
        let bytes = self
            .spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default();
        JsonBlock {
            head: RecordJson::head(file),
            bytes,
            objects: 0,
            replaced: 0,
        }
    }

    /// Never asked for: the blocks are made with the input's lines.
    fn shift(&self, _: &mut JsonBlock, _: u64) {}

    fn row(&self, out: &mut JsonBlock, line: u64, row: &Row<'_>) -> bool {
        if self.filter.is_some_and(|f| !f.matches(row)) {
            return false;
        }
        let mut replaced = false;
        json::framed(&mut out.bytes, self.array, |bytes| {
            replaced = self.records.write(bytes, &out.head, line, row);
        });
        out.objects += 1;
        out.replaced += u64::from(replaced);
        true
    }
}

/// Writes the records to Parquet files in `dir`, one folder per UTC day.
/// Returns the run and the records that held bytes that are not UTF-8.
#[cfg(feature = "analytics")]
fn write_parquet(
    dir: &std::path::Path,
    args: &LogsArgs,
    global: &GlobalArgs,
    filter: &Filter,
    cfg: &ScanConfig,
    inputs: &[Input],
    progress: &dyn Fn(u64),
) -> anyhow::Result<(RunReport, u64)> {
    use crate::output::parquet::{DayPartitions, RecordColumns, file_value};
    crate::output::parquet::prepare_folder(dir, &args.inputs)?;
    let mut days = DayPartitions::new(dir, super::zone(global)?);
    let work = ParquetChunks {
        filter: (!filter.given().is_empty()).then_some(filter),
        spare: Mutex::new(Vec::new()),
    };
    let mut replaced = 0u64;
    let mut sink = |file: &Arc<str>, chunks: Vec<RecordColumns>| -> io::Result<()> {
        let file = file_value(file);
        for records in chunks {
            replaced += records.replaced;
            days.write(&records, &file)?;
            work.put_back(records);
        }
        Ok(())
    };
    let run = match scan_all_chunks(inputs, cfg, &work, &mut sink, progress) {
        Ok(run) => run,
        Err(e) => match days.refused() {
            Some(why) => return Err(crate::exit::usage(why)),
            None => return Err(e.into()),
        },
    };
    // Interrupted: nothing is published (the temporary files are removed).
    if !crate::interrupt::requested() {
        let too_big = days.finish()?;
        super::destination::note_too_big(too_big, global.quiet);
    }
    Ok((run, replaced))
}

/// The [`ChunkWork`] of [`write_parquet`]: each chunk's matching records,
/// column by column.
#[cfg(feature = "analytics")]
struct ParquetChunks<'f> {
    /// None when no filter was given: every record is written.
    filter: Option<&'f Filter>,
    /// Columns written, kept for the next chunks (their buffers have grown
    /// to a chunk's records): at most a batch's.
    spare: Mutex<Vec<crate::output::parquet::RecordColumns>>,
}

#[cfg(feature = "analytics")]
impl ParquetChunks<'_> {
    fn put_back(&self, mut records: crate::output::parquet::RecordColumns) {
        records.clear();
        if let Ok(mut spare) = self.spare.lock() {
            spare.push(records);
        }
    }
}

#[cfg(feature = "analytics")]
impl ChunkWork for ParquetChunks<'_> {
    type Out = crate::output::parquet::RecordColumns;
    /// The lines are added once known ([`ChunkWork::shift`]).
    const INPUT_LINES: bool = false;

    fn start(&self, _: &Arc<str>) -> Self::Out {
        self.spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }

    fn shift(&self, out: &mut Self::Out, lines: u64) {
        for line in &mut out.lines {
            *line += lines;
        }
    }

    fn row(&self, out: &mut Self::Out, line: u64, row: &Row<'_>) -> bool {
        if self.filter.is_some_and(|f| !f.matches(row)) {
            return false;
        }
        out.push_row(line, row);
        true
    }
}

/// How many records each filter given keeps on its own: a second, quiet
/// pass, made only when nothing matched (to say which filter removed all).
fn each_alone(
    inputs: &[Input],
    cfg: &ScanConfig,
    filter: &Filter,
) -> anyhow::Result<Vec<(Criterion, u64)>> {
    let given = filter.given();
    let select = |row: &Row<'_>| {
        let mut passed = 0u8;
        for (i, &c) in given.iter().enumerate() {
            passed |= u8::from(filter.passes(c, row)) << i;
        }
        Some(passed)
    };
    let mut counts = vec![0u64; given.len()];
    let mut sink = |_: &Arc<str>, hits: Vec<Hit<u8>>| -> io::Result<()> {
        for hit in hits {
            for (i, count) in counts.iter_mut().enumerate() {
                *count += u64::from(hit.item >> i & 1);
            }
        }
        Ok(())
    };
    scan_all(inputs, cfg, &select, &mut sink, &|_| {})?;
    Ok(given.into_iter().zip(counts).collect())
}

/// Why nothing matched: the span the inputs cover, and what each filter
/// keeps alone.
fn explain_no_match<W: Write>(
    out: &mut W,
    run: &RunReport,
    zone: &Zone,
    alone: Option<&[(Criterion, u64)]>,
) -> io::Result<()> {
    let first = run.files.iter().filter_map(|f| f.first_time).min();
    let last = run.files.iter().filter_map(|f| f.last_time).max();
    let records: u64 = run.files.iter().map(|f| f.records).sum();
    if let (Some(first), Some(last)) = (first, last) {
        writeln!(
            out,
            "note: no record matched. The inputs cover {first} .. {last} (UTC), {} .. {} in {}",
            zone.human(first),
            zone.human(last),
            zone.name()
        )?;
    } else {
        writeln!(out, "note: no record matched, and no record has a UTC time")?;
    }
    if let Some(alone) = alone {
        let each: Vec<String> = alone
            .iter()
            .map(|(c, n)| format!("{} keeps {n}", c.flag()))
            .collect();
        writeln!(
            out,
            "note: of {records} records, each filter alone: {}",
            each.join("; ")
        )?;
    }
    Ok(())
}
