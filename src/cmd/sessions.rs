//! `leaktrace sessions`: group requests into sessions and print each one as
//! it ends.
//!
//! `--since`/`--until` clip the requests before they are grouped; `--user`
//! and `--ip` choose among the finished sessions, so anonymous requests still
//! find their user's session.

use std::io::{self, BufWriter, Write};

use ipnet::IpNet;
use jiff::Timestamp;

use super::destination::Destination;
use crate::analyze::sessions::{Session, SessionEvent, SessionTracker};
use crate::analyze::{Located, Lookahead, RepeatCheck, scan_ordered};
use crate::cli::{GlobalArgs, SessionsArgs};
use crate::exit::{Exit, usage};
use crate::filter::{Filter, FilterError, FilterSpec, parse_ip, parse_net};
use crate::output::Context;
use crate::time::{Bound, Zone, parse_bound};
use crate::w3c::Row;

/// Which sessions are printed.
struct Selection {
    users: Option<Filter>,
    nets: Vec<IpNet>,
}

impl Selection {
    fn new(args: &SessionsArgs) -> anyhow::Result<Selection> {
        let users = if args.user.is_empty() {
            None
        } else {
            let spec = FilterSpec {
                users: args.user.clone(),
                ..FilterSpec::default()
            };
            Some(Filter::new(&spec).map_err(usage)?)
        };
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

/// The validated `--since` and `--until`.
fn bounds(
    args: &SessionsArgs,
    zone: &Zone,
) -> anyhow::Result<(Option<Timestamp>, Option<Timestamp>)> {
    let bound = |text: &Option<String>, which: Bound, flag: &str| -> anyhow::Result<_> {
        text.as_deref()
            .map(|t| parse_bound(t, which, zone).map_err(|e| usage(format!("{flag}: {e}"))))
            .transpose()
    };
    let since = bound(&args.since, Bound::Since, "--since")?;
    let until = bound(&args.until, Bound::Until, "--until")?;
    if let (Some(s), Some(u), Some(st), Some(ut)) = (since, until, &args.since, &args.until)
        && s >= u
    {
        return Err(usage(format!(
            "--since {st} ({s}) is not before --until {ut} ({u}): the range is empty"
        )));
    }
    Ok((since, until))
}

pub fn run(args: &SessionsArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    let idle = super::duration(&args.idle, "--idle")?;
    let (since, until) = bounds(args, &zone)?;
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
    let mut writer: Destination<_, Session> =
        Destination::new(out, global, ctx, &enricher, &args.inputs)?;

    let select = |row: &Row<'_>| {
        if let Some(t) = row.time
            && (since.is_some_and(|s| t < s) || until.is_some_and(|u| t >= u))
        {
            return None;
        }
        Some(SessionEvent::from_row(row))
    };
    let mut tracker = SessionTracker::new(idle);
    let (mut total, mut shown) = (0u64, 0u64);
    let mut report =
        |sessions: Vec<Session>, writer: &mut Destination<_, Session>| -> io::Result<()> {
            for session in sessions {
                total += 1;
                if selection.keeps(&session) {
                    shown += 1;
                    writer.write(
                        &mut enricher,
                        &session,
                        session.client_ips.first().map(String::as_str),
                        session.user_agent.as_deref(),
                    )?;
                }
            }
            Ok(())
        };
    let mut deliver =
        |t: Timestamp, ev: Located<'_, SessionEvent>| report(tracker.observe(t, ev), &mut writer);
    let ordered = scan_ordered(
        &inputs,
        &cfg,
        &select,
        &mut deliver,
        &progress,
        Lookahead::Chunk,
        RepeatCheck::AcrossInputs,
    )?;
    let polling_outside = tracker.polling_outside_sessions();
    report(tracker.finish(), &mut writer)?;
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
        let plural = if total == 1 { "" } else { "s" };
        let filtered = selection.users.is_some() || !selection.nets.is_empty();
        if filtered {
            let _ = writeln!(err, "leaktrace: {shown} of {total} session{plural} shown");
        } else {
            let _ = writeln!(err, "leaktrace: {total} session{plural}");
        }
        if polling_outside > 0 {
            let _ = writeln!(
                err,
                "leaktrace: {polling_outside} polling request{} came while their client had no open session (a page left open): counted in no session",
                if polling_outside == 1 { "" } else { "s" }
            );
        }
    }
    Ok(exit)
}
