//! One module per subcommand: validate the arguments, call the engine, hand
//! the results to the output layer. Shared here: turning the common argument
//! groups into validated configuration, the progress bar, the run summary.

pub mod destination;
pub mod downloads;
pub mod examine;
pub mod investigate;
pub mod ips;
pub mod logs;
pub mod sessions;
#[cfg(feature = "analytics")]
pub mod stats;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Cli, Command, FilterArgs, GlobalArgs, ReadArgs};
use crate::exit::{Exit, usage};
use crate::filter::{Filter, FilterSpec};
use crate::output::LeftOut;
use crate::output::summary::{write_left_out, write_summary};
// The notes every time-ordered command writes; written by output/.
pub use crate::output::summary::{write_geo_notes, write_order_notes};
use crate::time::{Bound, Zone, parse_bound};
use crate::w3c::{FieldMap, Input, RunReport, ScanConfig};

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    #[cfg(feature = "analytics")]
    destination::check_parquet(&cli)?;
    match &cli.command {
        Command::Logs(args) => logs::run(args, &cli.global),
        Command::Downloads(args) => downloads::run(args, &cli.global),
        Command::Sessions(args) => sessions::run(args, &cli.global),
        Command::Ips(args) => ips::run(args, &cli.global),
        Command::Examine(args) => examine::run(args, &cli.global),
        Command::Investigate(args) => investigate::run(args, &cli.global),
        #[cfg(feature = "analytics")]
        Command::Stats(args) => stats::run(args, &cli.global),
    }
}

/// The inputs the command line names ([`crate::w3c::list`]); what was
/// passed over is noted on standard error now (unless `--quiet`), and the
/// paths that could not be listed are returned as messages. With `dedupe`
/// (logs), inputs with the same bytes as an earlier one are read once.
pub fn inputs(args: &[PathBuf], global: &GlobalArgs, dedupe: bool) -> (Vec<Input>, Vec<String>) {
    let mut listing = crate::w3c::list(args);
    if dedupe {
        let notes = crate::w3c::input::drop_identical(&mut listing.inputs);
        listing.notes.extend(notes);
    }
    if !global.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        for note in &listing.notes {
            let _ = writeln!(err, "note: {}", crate::output::sanitize::for_terminal(note));
        }
    }
    let errors = listing.errors.iter().map(ToString::to_string).collect();
    (listing.inputs, errors)
}

/// An output folder (`flag`, for `what`) must not land among the evidence:
/// a second run would read it as evidence, and evidence is never written to.
pub fn refuse_inside_evidence(
    flag: &str,
    dir: &Path,
    inputs: &[PathBuf],
    what: &str,
) -> anyhow::Result<()> {
    // The folder may not exist yet: compare its nearest existing ancestor.
    let mut probe = dir.to_path_buf();
    let mut tail = Vec::new();
    while !probe.exists() {
        match (probe.file_name(), probe.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name.to_os_string());
                probe = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut full = canonical(&probe);
    for part in tail.iter().rev() {
        full.push(part);
    }
    for input in inputs {
        let input = canonical(input);
        if input.is_dir() && full.starts_with(&input) {
            return Err(usage(format!(
                "{flag} {}: the folder is inside the evidence ({}); write {what} elsewhere",
                dir.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// The validated `--tz`.
pub fn zone(global: &GlobalArgs) -> anyhow::Result<Zone> {
    Zone::named(global.tz.trim()).map_err(usage)
}

/// The validated filters; local `--since`/`--until` are read in `zone`.
pub fn filter(args: &FilterArgs, zone: &Zone) -> anyhow::Result<Filter> {
    let (since, until) = time_bounds(args.since.as_deref(), args.until.as_deref(), zone)?;
    let spec = FilterSpec {
        users: args.user.clone(),
        ips: args.ip.clone(),
        paths: args.path.clone(),
        methods: args.method.clone(),
        statuses: args.status.clone(),
        since,
        until,
    };
    Filter::new(&spec).map_err(usage)
}

/// The validated `--since` and `--until` of any command (local times read
/// in `zone`): a usage error names the flag, and an empty range both.
pub fn time_bounds(
    since: Option<&str>,
    until: Option<&str>,
    zone: &Zone,
) -> anyhow::Result<(Option<jiff::Timestamp>, Option<jiff::Timestamp>)> {
    let bound = |text: Option<&str>, which: Bound, flag: &str| -> anyhow::Result<_> {
        text.map(|t| parse_bound(t, which, zone).map_err(|e| usage(format!("{flag}: {e}"))))
            .transpose()
    };
    let from = bound(since, Bound::Since, "--since")?;
    let to = bound(until, Bound::Until, "--until")?;
    if let (Some(s), Some(u), Some(st), Some(ut)) = (from, to, since, until)
        && s >= u
    {
        return Err(usage(format!(
            "--since {st} ({s}) is not before --until {ut} ({u}): the range is empty"
        )));
    }
    Ok((from, to))
}

/// The validated `--user` of a command that selects whole sessions or
/// addresses by login (`sessions`, `ips`): None when not given.
pub fn user_filter(users: &[String]) -> anyhow::Result<Option<Filter>> {
    if users.is_empty() {
        return Ok(None);
    }
    let spec = FilterSpec {
        users: users.to_vec(),
        ..FilterSpec::default()
    };
    Filter::new(&spec).map(Some).map_err(usage)
}

/// A positive duration option: `30m`, `1h 30m`, `90s`, `PT30M`.
pub fn duration(text: &str, flag: &str) -> anyhow::Result<jiff::SignedDuration> {
    match text.trim().parse::<jiff::SignedDuration>() {
        Ok(d) if d.is_positive() => Ok(d),
        _ => Err(usage(format!(
            "{flag} '{text}' is not a positive duration (30m, 1h 30m, 90s)"
        ))),
    }
}

/// The validated reading options.
pub fn scan_config(args: &ReadArgs) -> anyhow::Result<ScanConfig> {
    let fields = match &args.fields {
        Some(spec) => Some(Arc::new(FieldMap::parse_override(spec).map_err(usage)?)),
        None => None,
    };
    let log_tz = match &args.log_tz {
        Some(name) => Some(Zone::named(name.trim()).map_err(|e| usage(format!("--log-tz: {e}")))?),
        None => None,
    };
    Ok(ScanConfig {
        fields,
        mmap: args.mmap,
        log_tz,
        hash: false,
    })
}

/// The validated `--geo`/`--geoip`/`--device`: what places addresses and
/// identifies devices, when asked.
pub fn enricher(args: &crate::cli::EnrichArgs) -> anyhow::Result<crate::enrich::Enricher> {
    let locator = if args.geo {
        Some(open_locator(args.geoip.as_deref())?)
    } else {
        None
    };
    let devices = if args.device {
        Some(crate::enrich::device::Devices::new()?)
    } else {
        None
    };
    Ok(crate::enrich::Enricher { locator, devices })
}

/// The databases at `path` (none: the built-in ranges and carrier table).
pub fn open_locator(path: Option<&std::path::Path>) -> anyhow::Result<crate::enrich::geo::Locator> {
    let databases = match path {
        Some(p) => crate::enrich::geo::open_databases(p).map_err(usage)?,
        None => Vec::new(),
    };
    Ok(crate::enrich::geo::Locator::new(databases))
}

/// Writes an item, with the `geo` of address `ip` and the `client` of user
/// agent `ua` when `--geo` and `--device` asked for them.
pub fn write_enriched<W: Write, I: crate::output::Item>(
    writer: &mut crate::output::Writer<W>,
    enricher: &mut crate::enrich::Enricher,
    item: &I,
    ip: Option<&str>,
    ua: Option<&str>,
) -> io::Result<()> {
    if !enricher.is_on() {
        return writer.write(item);
    }
    let found = enricher.enrich(ip, ua);
    let (cells, table) = crate::output::enrich::cells(writer, enricher, &found);
    writer.write_appended(item, cells, table)
}

/// A progress bar on standard error for long reads, when it is a terminal.
pub fn progress_bar(inputs: &[Input], quiet: bool) -> ProgressBar {
    const WORTH_IT: u64 = 64 << 20;
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let mut total = 0;
    let mut known = true;
    for input in inputs {
        match input {
            Input::File { path, .. } if !path.to_string_lossy().ends_with(".gz") => {
                total += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            }
            _ => known = false,
        }
    }
    if known && total < WORTH_IT {
        return ProgressBar::hidden();
    }
    if known {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template(
                "{bytes}/{total_bytes} {bytes_per_sec} [{wide_bar}] {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    } else {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        )
    }
}

/// Notes (unless quiet) the table columns left out to fit the width.
pub fn note_left_out(left_out: Option<&LeftOut>, global: &GlobalArgs) {
    if let Some(l) = left_out
        && !global.quiet
    {
        let _ = write_left_out(&mut io::stderr().lock(), l);
    }
}

/// Prints input errors and (unless quiet) the summary; returns the exit
/// status. `found` replaces the count of matched rows for commands whose
/// results are not rows (downloads, sessions).
pub fn finish(
    run: &RunReport,
    list_errors: &[String],
    global: &GlobalArgs,
    found: Option<u64>,
) -> Exit {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for e in list_errors.iter().chain(&run.errors) {
        let _ = writeln!(
            err,
            "leaktrace: {}",
            crate::output::sanitize::for_terminal(e)
        );
    }
    if !global.quiet {
        let _ = write_summary(&mut err, run, list_errors.len(), found, global.verbose);
    }
    if run.had_errors() || !list_errors.is_empty() {
        Exit::InputError
    } else {
        Exit::Success
    }
}
