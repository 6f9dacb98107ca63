//! `leaktrace downloads`: the bulk exports fetched from /temp/ (with
//! `--all`, every fetch from there), attributed to a person.

use std::io::{self, BufWriter, Write};

use jiff::Timestamp;

use super::destination::Destination;
use crate::analyze::downloads::{self, Download, Settings, Tracker};
use crate::analyze::{Located, Lookahead, RepeatCheck, Repeats, scan_ordered};
use crate::cli::{DownloadsArgs, GlobalArgs};
use crate::exit::{Exit, usage};
use crate::output::Context;
use crate::output::sanitize::for_terminal;
use crate::time::{Bound, parse_bound};
use crate::w3c::Row;

pub fn run(args: &DownloadsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let filter = super::filter(&args.filters, &zone)?;
    let cfg = super::scan_config(&args.read)?;
    let window = super::duration(&args.window, "--window")?;
    let as_of = match &args.as_of {
        Some(text) => Some(
            parse_bound(text, Bound::Since, &zone).map_err(|e| usage(format!("--as-of: {e}")))?,
        ),
        None => None,
    };
    let mut enricher = super::enricher(&args.enrich)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);

    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ctx = Context {
        zone: zone.clone(),
        verbose: global.verbose,
    };
    let mut writer: Destination<_, Download> = Destination::new(
        out,
        global,
        ctx,
        crate::output::enrich::columns(&enricher),
        &args.inputs,
    )?;
    let mut tracker = Tracker::new(Settings {
        window,
        host: args.host.clone(),
        as_of,
    });
    let mut tally = downloads::Summary::default();
    let mut repeats = Repeats::default();
    let select = |row: &Row<'_>| downloads::event(row, &filter);
    let mut deliver = |t: Timestamp, ev: Located<downloads::Event>| -> io::Result<()> {
        let Some((d, selected)) = tracker.observe(t, ev) else {
            return Ok(());
        };
        if repeats.is_repeat(Repeats::key(&d.record), &d.record.file, d.record.line) {
            return Ok(());
        }
        let by_user = !filter.has_users()
            || filter.user_matches(d.name.export_user.as_deref().map(str::as_bytes))
            || filter.user_matches(d.session_user.as_deref().map(str::as_bytes));
        if !(selected && by_user) {
            return Ok(());
        }
        if args.all || d.name.is_export() {
            tally.add(&d, &zone);
            writer.write(
                &mut enricher,
                &d,
                d.record.client_ip.as_deref(),
                d.record.user_agent.as_deref(),
            )?;
        } else {
            tally.others_not_shown += 1;
        }
        Ok(())
    };
    let ordered = scan_ordered(
        &inputs,
        &cfg,
        &select,
        &mut deliver,
        &progress,
        Lookahead::Batch,
        RepeatCheck::Off,
    )?;
    bar.finish_and_clear();
    let left_out = writer.finish(global)?;
    let exit = super::finish(&ordered.run, &list_errors, global, Some(tally.total));
    super::note_left_out(left_out.as_ref(), global);
    if !global.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        let _ = crate::output::summary::write_downloads(&mut err, &tally, &zone, args.all);
        let _ = super::write_order_notes(&mut err, &ordered);
        if let Some(locator) = &enricher.locator {
            let _ = super::write_geo_notes(&mut err, locator, &ordered.run);
        }
        if let Some(note) = repeats.note("downloads") {
            let _ = writeln!(err, "note: {}", for_terminal(&note));
        }
    }
    Ok(exit)
}
