//! `leaktrace sessions`: group requests into sessions and print each one as
//! it ends.
//!
//! `--since`/`--until` clip the requests before they are grouped; `--user`
//! and `--ip` choose among the finished sessions, so anonymous requests still
//! find their user's session.

use std::io::{self, BufWriter};
use std::sync::Arc;

use ipnet::IpNet;
use jiff::Timestamp;

use super::destination::Destination;
use crate::analyze::sessions::{Session, SessionEvent, SessionTracker};
use crate::analyze::{Located, Lookahead, RepeatCheck, scan_ordered};
use crate::cli::{GlobalArgs, SessionsArgs};
use crate::enrich::Enricher;
use crate::enrich::device::KindsSeen;
use crate::exit::{Exit, usage};
use crate::filter::{Filter, FilterError, parse_ip, parse_net};
use crate::output::Context;
use crate::w3c::Row;

/// Which sessions are printed.
struct Selection {
    users: Option<Arc<Filter>>,
    nets: Vec<IpNet>,
}

impl Selection {
    fn new(args: &SessionsArgs) -> anyhow::Result<Selection> {
        let users = super::user_filter(&args.user)?.map(Arc::new);
        let nets = args
            .ip
            .iter()
            .map(|t| parse_net(t).ok_or_else(|| usage(FilterError::Ip(t.clone()))))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Selection { users, nets })
    }

    fn keeps(&self, session: &Session) -> bool {
        if let Some(users) = &self.users
            && !users.user_matches(session.user.as_deref().map(str::as_bytes))
        {
            return false;
        }
        self.nets.is_empty()
            || session
                .client_ips
                .iter()
                .filter_map(|ip| parse_ip(ip.as_bytes()))
                .any(|ip| self.nets.iter().any(|n| n.contains(&ip)))
    }
}

/// With `--device`, whether a session's user agents name a device class
/// or OS family the user's earlier sessions did not (as `ips` flags an
/// address); None without a login or without `--device`.
fn device_changed(
    enricher: &mut Enricher,
    kinds: &mut KindsSeen,
    session: &Session,
) -> Option<bool> {
    let (Some(devices), Some(user)) = (enricher.devices.as_mut(), &session.user) else {
        return None;
    };
    let clients: Vec<_> = session
        .user_agent
        .iter()
        .chain(&session.other_user_agents)
        .filter_map(|ua| devices.identify(ua))
        .collect();
    Some(kinds.changed(user, &clients))
}

pub fn run(args: &SessionsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let idle = super::duration(&args.idle, "--idle")?;
    let (since, until) = super::time_bounds(args.since.as_deref(), args.until.as_deref(), &zone)?;
    let selection = Selection::new(args)?;
    let cfg = super::scan_config(&args.read)?;
    let mut enricher = super::enricher(&args.enrich)?;
    let (inputs, list_errors) = super::inputs(&args.inputs, global, true);
    let bar = super::progress_bar(&inputs, global.quiet);
    let progress = |n: u64| bar.inc(n);
    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ctx = Context {
        zone,
        verbose: global.verbose,
    };
    let mut writer: Destination<_, Session> = Destination::new(
        out,
        global,
        ctx,
        crate::output::enrich::session_columns(&enricher),
        &args.inputs,
    )?;

    let select = |row: &Row<'_>| {
        if let Some(t) = row.time
            && (since.is_some_and(|s| t < s) || until.is_some_and(|u| t >= u))
        {
            return None;
        }
        Some(SessionEvent::from_row(row))
    };
    let mut tracker = SessionTracker::new(idle);
    if let Some(users) = &selection.users {
        // Sessions of other users are never printed: the tracker keeps of
        // them only what the others depend on.
        let users = Arc::clone(users);
        tracker = tracker.showing(move |name| users.user_matches(Some(name.as_bytes())));
    }
    let (mut total, mut shown) = (0u64, 0u64);
    // Every session counts for its user's devices, shown or not: the
    // sessions of one user end one after another.
    let mut kinds = KindsSeen::default();
    let mut report = |sessions: Vec<Session>,
                      writer: &mut Destination<_, Session>|
     -> io::Result<()> {
        for session in sessions {
            total += 1;
            let changed = device_changed(&mut enricher, &mut kinds, &session);
            if !selection.keeps(&session) {
                continue;
            }
            shown += 1;
            let ip = session.client_ips.first().map(|ip| &**ip);
            let Some(stream) = writer.stream() else {
                // Parquet: --geo and --device are refused with it.
                writer.write(&mut enricher, &session, ip, session.user_agent.as_deref())?;
                continue;
            };
            let found = enricher.enrich(ip, session.user_agent.as_deref());
            let (mut cells, mut table) = crate::output::enrich::cells(stream, &enricher, &found);
            if enricher.devices.is_some() {
                let format = stream.format();
                crate::output::enrich::add_device_changed(format, changed, &mut cells, &mut table);
            }
            stream.write_appended(&session, cells, table)?;
        }
        Ok(())
    };
    let mut deliver = |t: Timestamp, ev: Located<'_, SessionEvent>| {
        let ended = tracker.observe(t, ev);
        // Most requests end no session.
        if ended.is_empty() {
            return Ok(());
        }
        report(ended, &mut writer)
    };
    let ordered = scan_ordered(
        &inputs,
        &cfg,
        &select,
        &mut deliver,
        &progress,
        Lookahead::Batch,
        RepeatCheck::AcrossInputs,
    )?;
    let polling_outside = tracker.polling_outside_sessions();
    report(tracker.finish(), &mut writer)?;
    total += tracker.hidden();
    bar.finish_and_clear();
    let left_out = writer.finish(global)?;

    let exit = super::finish(&ordered.run, &list_errors, global, Some(shown));
    super::note_left_out(left_out.as_ref(), global);
    if !global.quiet {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        let _ = super::write_order_notes(&mut err, &ordered);
        if let Some(locator) = &enricher.locator {
            let _ = super::write_geo_notes(&mut err, locator, &ordered.run);
        }
        let filtered = selection.users.is_some() || !selection.nets.is_empty();
        let _ = crate::output::summary::write_sessions(
            &mut err,
            shown,
            total,
            filtered,
            polling_outside,
        );
    }
    Ok(exit)
}
