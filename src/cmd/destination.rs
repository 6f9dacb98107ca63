//! Where a command's items go: standard output through the
//! [`Writer`](crate::output::Writer), or with `--format parquet` the
//! Parquet files of `--output`.

use std::io::{self, Write};
use std::marker::PhantomData;
use std::path::PathBuf;

use crate::cli::GlobalArgs;
#[cfg(feature = "analytics")]
use crate::cli::{Cli, Command};
use crate::enrich::Enricher;
#[cfg(feature = "analytics")]
use crate::exit::usage;
use crate::output::{Column, Context, LeftOut, Writer, table};

/// The items of a command and where they are written.
// One per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Destination<W: Write, I> {
    Stream(Writer<W>, PhantomData<fn(&I)>),
    #[cfg(feature = "analytics")]
    Parquet(crate::output::parquet::ItemFile<I>),
}

/// Items that can go to either: those of downloads and sessions.
#[cfg(feature = "analytics")]
pub trait Destined: crate::output::parquet::OneFile {}
#[cfg(feature = "analytics")]
impl<I: crate::output::parquet::OneFile> Destined for I {}
#[cfg(not(feature = "analytics"))]
pub trait Destined: crate::output::Item {}
#[cfg(not(feature = "analytics"))]
impl<I: crate::output::Item> Destined for I {}

impl<W: Write, I: Destined> Destination<W, I> {
    /// Standard output (`out`) in the chosen format, with the `appended`
    /// columns (what the enricher adds: `output::enrich::columns`); or the
    /// Parquet files of `--output`.
    pub fn new(
        out: W,
        global: &GlobalArgs,
        ctx: Context,
        appended: (&'static [&'static str], &'static [Column]),
        inputs: &[PathBuf],
    ) -> anyhow::Result<Destination<W, I>> {
        #[cfg(feature = "analytics")]
        if let Some(dir) = &global.output {
            crate::output::parquet::prepare_folder(dir, inputs)?;
            return Ok(Destination::Parquet(
                crate::output::parquet::ItemFile::create(dir, ctx)?,
            ));
        }
        let _ = inputs;
        let mut writer = Writer::new(out, global.format, ctx, table::width());
        writer.append_columns(appended.0, appended.1);
        Ok(Destination::Stream(writer, PhantomData))
    }

    /// The writer to standard output; None for Parquet files.
    pub fn stream(&mut self) -> Option<&mut Writer<W>> {
        match self {
            Destination::Stream(writer, _) => Some(writer),
            #[cfg(feature = "analytics")]
            Destination::Parquet(_) => None,
        }
    }

    /// Writes an item (with the `geo` of address `ip` and the `client` of
    /// user agent `ua` when `--geo` and `--device` asked for them).
    pub fn write(
        &mut self,
        enricher: &mut Enricher,
        item: &I,
        ip: Option<&str>,
        ua: Option<&str>,
    ) -> io::Result<()> {
        match self {
            Destination::Stream(writer, _) => super::write_enriched(writer, enricher, item, ip, ua),
            #[cfg(feature = "analytics")]
            Destination::Parquet(sink) => sink.write(item),
        }
    }

    /// Ends the output. Parquet files are given their names only when the
    /// run was not interrupted. Returns the table columns left out.
    #[cfg_attr(not(feature = "analytics"), allow(unused_variables))]
    pub fn finish(self, global: &GlobalArgs) -> anyhow::Result<Option<LeftOut>> {
        match self {
            Destination::Stream(writer, _) => Ok(writer.finish::<I>()?),
            #[cfg(feature = "analytics")]
            Destination::Parquet(sink) => {
                if crate::interrupt::requested() {
                    return Ok(None);
                }
                note_too_big(sink.finish()?, global.quiet);
                Ok(None)
            }
        }
    }
}

/// `--format parquet` and `--output` go together, and with logs,
/// downloads and sessions only.
#[cfg(feature = "analytics")]
pub fn check_parquet(cli: &Cli) -> anyhow::Result<()> {
    use crate::output::Format;
    let global = &cli.global;
    let parquet = global.format == Format::Parquet;
    let (name, enrich) = match &cli.command {
        Command::Logs(a) => ("logs", Some((&a.enrich, a.count))),
        Command::Downloads(a) => ("downloads", Some((&a.enrich, false))),
        Command::Sessions(a) => ("sessions", Some((&a.enrich, false))),
        Command::Ips(_) => ("ips", None),
        Command::Examine(_) => ("examine", None),
        Command::Investigate(_) => ("investigate", None),
        Command::Stats(_) => ("stats", None),
    };
    if !parquet {
        if global.output.is_some() {
            return Err(usage(
                "--output is the folder of --format parquet; the other formats go to standard output (redirect it to a file)",
            ));
        }
        return Ok(());
    }
    let Some((enrich, count)) = enrich else {
        return Err(usage(format!(
            "--format parquet is written by logs, downloads and sessions, not by {name}"
        )));
    };
    if global.output.is_none() {
        return Err(usage(
            "--format parquet writes files, not standard output: give their folder with --output DIR",
        ));
    }
    if count {
        return Err(usage(
            "--count prints a number on standard output; it does not go with --format parquet",
        ));
    }
    if enrich.geo || enrich.device {
        return Err(usage(
            "--geo and --device are not written to Parquet: use --format ndjson or json for them",
        ));
    }
    Ok(())
}

/// Notes (unless `quiet`) the numbers too big for Parquet's INT64.
#[cfg(feature = "analytics")]
pub fn note_too_big(too_big: u64, quiet: bool) {
    if too_big > 0 && !quiet {
        eprintln!(
            "note: {} beyond {} (the largest Parquet INT64) written as null",
            crate::output::counted(too_big, "number"),
            i64::MAX
        );
    }
}
