//! `leaktrace ips`: per login and client address, when, how much, where
//! from and with what, and the addresses worth a look.

use std::io::{self, BufWriter, Write};

use jiff::Timestamp;

use crate::analyze::ips::{AddressBook, AddressUse};
use crate::analyze::sessions::{Session, SessionEvent, SessionTracker};
use crate::analyze::{Located, Lookahead, RepeatCheck, scan_ordered};
use crate::cli::{GlobalArgs, IpsArgs};
use crate::enrich::device::Devices;
use crate::exit::Exit;
use crate::output::{Context, Writer, table};
use crate::w3c::Row;

pub fn run(args: &IpsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let idle = super::duration(&args.idle, "--idle")?;
    let users = super::user_filter(&args.user)?;
    let mut locator = super::open_locator(args.geoip.as_deref())?;
    let mut devices = Devices::new()?;
    let cfg = super::scan_config(&args.read)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);

    let mut book = AddressBook::default();
    let mut tracker = SessionTracker::new(idle);
    let select = |row: &Row<'_>| Some(SessionEvent::from_row(row));
    let mut deliver = |t: Timestamp, ev: Located<'_, SessionEvent>| -> io::Result<()> {
        book.observe(t, &ev.event, ev.file, ev.line);
        for session in tracker.observe(t, ev) {
            book.session(&session);
        }
        Ok(())
    };
    let ordered = scan_ordered(
        &inputs,
        &cfg,
        &select,
        &mut deliver,
        &progress,
        Lookahead::Chunk,
        RepeatCheck::AcrossInputs,
    )?;
    let last: Vec<Session> = tracker.finish();
    for session in &last {
        book.session(session);
    }
    bar.finish_and_clear();
    let moves_not_judged = book.moves_not_judged();
    let uses = book.finish(&zone, |ip| locator.locate(ip), |ua| devices.identify(ua));

    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut writer = Writer::new(
        out,
        global.format,
        Context {
            zone,
            verbose: global.verbose,
        },
        table::width(),
    );
    let mut shown = 0u64;
    for u in &uses {
        if users
            .as_ref()
            .is_some_and(|f| !f.user_matches(Some(u.user.as_bytes())))
        {
            continue;
        }
        shown += 1;
        writer.write(u)?;
    }
    let left_out = writer.finish::<AddressUse>()?;
    let exit = super::finish(&ordered.run, &list_errors, global, Some(shown));
    super::note_left_out(left_out.as_ref(), global);
    if !global.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        let _ = super::write_order_notes(&mut err, &ordered);
        let _ = super::write_geo_notes(&mut err, &locator, &ordered.run);
        let flagged = uses.iter().filter(|u| !u.flags.is_empty()).count();
        let _ = writeln!(
            err,
            "leaktrace: {shown} address use{} shown, {flagged} flagged of {}",
            if shown == 1 { "" } else { "s" },
            uses.len()
        );
        if moves_not_judged > 0 {
            let _ = writeln!(
                err,
                "leaktrace: {moves_not_judged} changes of address were not checked for impossible travel: past {} distinct moves (login, from, to)",
                crate::analyze::travel::MAX_MOVES
            );
        }
    }
    Ok(exit)
}
