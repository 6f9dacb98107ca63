//! The join: each lead against what the logs hold.
//!
//! For a statement that names a person and a time, in this order:
//! 1. Is the time covered by a log at all? If not: `outside_logs`, with the
//!    UTC days whose logs to obtain.
//! 2. The request the statement describes: the `/temp/` fetch whose export
//!    name's local time is `produced_at` in the site's zone (the offset that
//!    `--tz` has then, or the one the fetch's own name implies), within
//!    [`TOLERANCES`]`.name_time`; failing that, for files whose fetch has no
//!    export-shaped name (PDF printouts), a `/temp/` fetch of a file of the
//!    same kind from the statement's address just after `produced_at`; and
//!    the POSTs from that address (or the fetching client) that were being
//!    answered at `produced_at` (the build).
//! 3. None of these: `not_in_logs`. Otherwise the login of the client's
//!    session (as `downloads` attributes it), checked against the name
//!    (roster, else heuristic), the address, and the file's name witness:
//!    all agree, `corroborated`; any disagrees, `contradicted`.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};

use super::evidence::{is_loopback, name_offset, offsets_for, same_ip};
use super::roster::{self, NameLink};
use super::{
    Cited, Confidence, Finding, Lead, MAX_LISTED, NameWitness, Role, TOLERANCES, Verdict, covered,
    is_tampered,
};
use crate::analyze::downloads::{Agreement, Download};
use crate::analyze::sessions::{Request, Session, SessionEvent, SessionTracker, is_static};
use crate::analyze::{Located, same_user};
use crate::time::Zone;
use crate::w3c::Record;

pub use super::evidence::{Evidence, is_internal, shift};
pub use super::people::people;

/// Extensions a fetch of this kind of leaked file may have.
fn extensions(lead: &Lead) -> Vec<&'static str> {
    let mut exts: Vec<&'static str> = match lead.kind {
        "pdf" => vec!["pdf"],
        "csv" => vec!["csv", "txt"],
        "xlsx" => vec!["xlsx", "csv"],
        "nemsis" => vec!["xml", "zip"],
        "zip" => vec!["zip"],
        _ => vec![],
    };
    if lead.file.contains('!') && !exts.contains(&"zip") {
        exts.push("zip");
    }
    exts
}

fn path_eq(a: &Download, b: &Download) -> bool {
    match (&a.record.uri_stem, &b.record.uri_stem) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

fn same_client(a: &Record, b: &Record) -> bool {
    a.client_ip == b.client_ip && a.user_agent == b.user_agent
}

fn fmt_time(zone: &Zone, t: Timestamp) -> String {
    format!("{t} ({})", zone.human(t))
}

fn at(r: &Record) -> String {
    format!("{}:{}", r.file, r.line)
}

/// Correlates every lead.
pub fn correlate(leads: Vec<Lead>, ev: &Evidence<'_>) -> Vec<Finding> {
    leads.into_iter().map(|lead| one(lead, ev)).collect()
}

fn blank(lead: Lead, verdict: Verdict) -> Finding {
    Finding {
        lead,
        verdict,
        confidence: None,
        login: None,
        login_source: None,
        name_link: NameLink::None,
        named: None,
        download: None,
        requests: Vec::new(),
        session: None,
        other_exports: Vec::new(),
        other_fetches: Vec::new(),
        missing_days: Vec::new(),
        reasons: Vec::new(),
    }
}

fn one(lead: Lead, ev: &Evidence<'_>) -> Finding {
    let statement = lead.statement.clone();
    let tampered = is_tampered(lead.examine_verdict);
    let mut f = blank(lead, Verdict::Unsigned);
    if tampered {
        f.reasons.push(format!(
            "examine found the file changed after it was made ({}); the statement used is the copy examine attributes to",
            f.lead.examine_verdict
        ));
    }
    let Some(s) = statement.filter(|s| s.name.is_some() || s.recipient.is_some()) else {
        f.reasons.push(match &f.lead.statement {
            Some(s) => format!(
                "the file carries text where the statement belongs, but it names no person: \"{}\"",
                s.text
            ),
            None => "the file carries no forensic statement".to_string(),
        });
        witness_only(&mut f, ev);
        return f;
    };
    if let Some(recipient) = &s.recipient {
        f.verdict = Verdict::RegistryUpload;
        f.reasons.push(format!(
            "the statement records an upload to {recipient}, not a person: the registry (or whoever it forwarded the data to) is where to ask next"
        ));
        return f;
    }
    if let Some(r) = ev.roster {
        f.named = r.find(s.name.as_deref(), s.user_id).cloned();
        if let (Some(e), Some(name)) = (&f.named, &s.name)
            && let Some(listed) = &e.name
            && roster::fold_name(listed) != roster::fold_name(name)
        {
            f.reasons.push(format!(
                "the roster gives employee ID {} to {listed}, but the statement names {name}",
                e.id.map_or_else(|| "?".into(), |i| i.to_string())
            ));
        }
    }
    let Some(p) = s.produced_at else {
        f.reasons.push(format!(
            "the file names {} but not when: nothing to look up in the logs",
            s.name.as_deref().unwrap_or("someone")
        ));
        witness_only(&mut f, ev);
        return f;
    };
    if !covered(ev.coverage, p) {
        f.verdict = Verdict::OutsideLogs;
        let mut days = BTreeSet::new();
        days.insert(p.to_zoned(jiff::tz::TimeZone::UTC).date());
        // The fetch follows the build: near midnight, the next day's log too.
        if let Ok(later) = p.checked_add(TOLERANCES.fetch_after) {
            days.insert(later.to_zoned(jiff::tz::TimeZone::UTC).date());
        }
        f.missing_days = days.into_iter().collect();
        f.reasons.push(format!(
            "no log covers {}: obtain the server's logs for {} (UTC)",
            fmt_time(ev.zone, p),
            f.missing_days
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        ));
        return f;
    }
    let ip = s.ip.clone();
    let downloads = &ev.collected.downloads;

    // The fetch: by the export name's time, else by address, time and kind.
    let by_name: Vec<&Download> = ev
        .named_near(p)
        .filter(|d| {
            let Some(local) = d.name.export_time_local else {
                return false;
            };
            let offsets = offsets_for(ev.zone, p, d.implied_utc_offset);
            name_offset(local, p, &offsets).is_some()
                && d.record
                    .time_utc
                    .is_some_and(|t| t >= shift(p, -TOLERANCES.fetch_before))
        })
        .collect();
    let mut matched: Option<&Download> = by_name.first().copied();
    let mut how = "its export name's time equals produced_at";
    if by_name.len() > 1 {
        let paths: BTreeSet<String> = by_name
            .iter()
            .filter_map(|d| d.record.uri_stem.as_deref().map(str::to_lowercase))
            .collect();
        if paths.len() > 1 {
            f.reasons.push(format!(
                "{} exports have a name time equal to produced_at ({}); the one from the statement's address is used",
                paths.len(),
                paths.into_iter().collect::<Vec<_>>().join(", ")
            ));
            if let Some(ip) = &ip
                && let Some(d) = by_name.iter().find(|d| {
                    d.record
                        .client_ip
                        .as_deref()
                        .is_some_and(|c| same_ip(c, ip))
                })
            {
                matched = Some(d);
            }
        }
    }
    if matched.is_none() {
        let exts = extensions(&f.lead);
        let from_ip = |d: &&Download| match (&ip, &d.record.client_ip) {
            (Some(ip), Some(c)) => same_ip(c, ip) || ev.proxied,
            _ => ev.proxied,
        };
        // An export name whose time is near produced_at but outside the
        // name tolerance (a clock or rounding difference) still qualifies,
        // and the difference is reported.
        let name_near = |d: &&Download| match d.name.export_time_local {
            None => true,
            Some(local) => offsets_for(ev.zone, p, d.implied_utc_offset)
                .iter()
                .filter_map(|o| o.to_timestamp(local).ok())
                .any(|t| {
                    t >= shift(p, -TOLERANCES.fetch_before) && t <= shift(p, TOLERANCES.fetch_after)
                }),
        };
        matched = downloads
            .iter()
            .filter(name_near)
            .filter(|d| {
                d.name
                    .extension
                    .as_deref()
                    .is_some_and(|e| exts.contains(&e))
            })
            .filter(from_ip)
            .filter(|d| {
                d.record.time_utc.is_some_and(|t| {
                    t >= shift(p, -TOLERANCES.fetch_before) && t <= shift(p, TOLERANCES.fetch_after)
                })
            })
            .min_by_key(|d| d.record.time_utc.map(|t| t.duration_since(p).abs()));
        how = "a fetch of a file of this kind from the statement's address just after produced_at";
        if let Some(d) = matched
            && let Some(local) = d.name.export_time_local
        {
            f.reasons.push(format!(
                "its export name's time ({local}) is not produced_at within {:#} in {} or the offset the name implies: matched by address, time and kind instead",
                TOLERANCES.name_time,
                ev.zone.name()
            ));
        }
    }
    // The first fetch of that path is the download; later ones by other
    // clients are replays (someone else fetching the same file).
    let download = matched.map(|m| {
        downloads
            .iter()
            .find(|d| path_eq(d, m))
            .unwrap_or(m)
            .clone()
    });

    // The context rows: build POSTs, the login row, nearby requests.
    let context = &ev.collected.context;
    let from_client = |r: &Record| download.as_ref().is_some_and(|d| same_client(r, &d.record));
    let from_statement_ip = |r: &Record| match (&ip, &r.client_ip) {
        (Some(ip), Some(c)) => same_ip(c, ip),
        _ => false,
    };
    let builds: Vec<&Record> = between(
        context,
        shift(p, -TOLERANCES.build_slack),
        shift(p, TOLERANCES.context_after),
    )
    .iter()
    .filter(|r| {
        r.method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
    })
    .filter(|r| from_statement_ip(r) || from_client(r))
    .filter(|r| {
        let (Some(t), Some(ms)) = (r.time_utc, r.time_taken_ms) else {
            return false;
        };
        let taken = SignedDuration::from_millis(i64::try_from(ms).unwrap_or(i64::MAX));
        let start = t
            .checked_sub(taken)
            .and_then(|s| s.checked_sub(TOLERANCES.build_slack));
        let end = t.checked_add(TOLERANCES.build_slack);
        matches!((start, end), (Ok(s), Ok(e)) if s <= p && p <= e)
    })
    .take(10)
    .collect();
    if download.is_none() && builds.is_empty() {
        f.verdict = Verdict::NotInLogs;
        f.confidence = Some(Confidence::Medium);
        f.reasons.push(format!(
            "the logs cover {} but hold no /temp/ fetch of this export and no POST {} being answered then: \
             either the statement was made or edited by hand, or the log rows are missing",
            fmt_time(ev.zone, p),
            ip.as_deref()
                .map_or_else(|| "from its address".to_string(), |i| format!("from {i}"))
        ));
        let near = nearby(context, &ip, p);
        if !near.is_empty() {
            let logins: BTreeSet<&str> =
                near.iter().filter_map(|r| r.username.as_deref()).collect();
            f.reasons.push(format!(
                "{} request{} from {} within {:#} of produced_at{}, none that built or fetched a file",
                near.len(),
                if near.len() == 1 { "" } else { "s" },
                ip.as_deref().unwrap_or("?"),
                TOLERANCES.nearby,
                if logins.is_empty() {
                    String::new()
                } else {
                    format!(" (logins: {})", logins.into_iter().collect::<Vec<_>>().join(", "))
                }
            ));
        }
        f.requests = near
            .into_iter()
            .map(|r| Cited {
                role: Role::Nearby,
                record: r.clone(),
            })
            .collect();
        return f;
    }

    // Who made the request.
    let (login, source) = match &download {
        Some(d) if d.session_user.is_some() => (d.session_user.clone(), "session"),
        _ => match builds.iter().find_map(|r| r.username.clone()) {
            Some(u) => (Some(u), "build_post"),
            None => (
                download.as_ref().and_then(|d| d.name.export_user.clone()),
                "export_name",
            ),
        },
    };
    f.login_source = login.as_ref().map(|_| source);
    f.login = login.clone();

    let mut contradictions: Vec<String> = Vec::new();
    let mut weak: Vec<String> = Vec::new();
    if let Some(d) = &download {
        f.reasons.push(format!(
            "{} fetched {} at {} ({how})",
            at(&d.record),
            d.name.file_name,
            d.record
                .time_utc
                .map_or_else(|| "?".into(), |t| fmt_time(ev.zone, t)),
        ));
        if d.attribution == Agreement::Conflict {
            contradictions.push(format!(
                "the export name says {} built it, but the fetching client's session is {}'s",
                d.name.export_user.as_deref().unwrap_or("?"),
                d.session_user.as_deref().unwrap_or("?")
            ));
        }
    } else {
        f.reasons.push(
            "no /temp/ fetch of it is in the logs (purged, or fetched through another path); \
             the build POST is the request cited"
                .to_string(),
        );
        weak.push("no download in the logs".into());
    }
    if !builds.is_empty() {
        f.reasons.push(format!(
            "{} was being answered at produced_at (the build)",
            builds.iter().map(|r| at(r)).collect::<Vec<_>>().join(", ")
        ));
    }

    // The site: a server may host several; the statement names its own.
    let bare = |h: &str| {
        h.trim()
            .trim_end_matches('.')
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(h.trim(), |(host, _)| host)
            .to_ascii_lowercase()
    };
    if let (Some(want), Some(got)) = (
        s.host.as_deref(),
        download.as_ref().and_then(|d| d.record.host.as_deref()),
    ) && bare(want) != bare(got)
    {
        contradictions.push(format!(
            "the fetch was made on the site {got}, but the statement was produced by {want}"
        ));
    }

    // The address.
    let request_ip = download
        .as_ref()
        .and_then(|d| d.record.client_ip.clone())
        .or_else(|| builds.first().and_then(|r| r.client_ip.clone()));
    match (&ip, &request_ip) {
        (Some(want), Some(got)) if same_ip(want, got) => {}
        (Some(want), Some(got)) if ev.proxied || is_loopback(got) => {
            weak.push(format!(
                "the log shows {got}, a proxy's address, not the statement's {want}: the address cannot be compared"
            ));
        }
        (Some(want), Some(got)) => contradictions.push(format!(
            "the request came from {got}, not from {want} as the statement says"
        )),
        _ => weak.push("no address to compare".into()),
    }

    // The person.
    match &login {
        Some(login) => {
            let (fits, link) = roster::link(ev.roster, s.name.as_deref(), s.user_id, login);
            match (&link, fits) {
                (NameLink::Roster { employee, by }, true) => f.reasons.push(format!(
                    "the roster ({by}) gives {} the login {}",
                    s.name.as_deref().unwrap_or("?"),
                    employee.login
                )),
                (NameLink::Roster { employee, by }, false) => contradictions.push(format!(
                    "the roster ({by}) gives {} the login {}, but the request was made by {login}",
                    s.name.as_deref().unwrap_or("?"),
                    employee.login
                )),
                (NameLink::Heuristic { form }, _) => {
                    weak.push(format!(
                        "{login} fits {} by the name heuristic ({form}), not by a roster",
                        s.name.as_deref().unwrap_or("?")
                    ));
                }
                (NameLink::None, _) => contradictions.push(format!(
                    "the login {login} does not fit the name {} (no roster entry; by the name heuristic){}",
                    s.name.as_deref().unwrap_or("?"),
                    if ev.roster.is_none() {
                        ": give --roster to settle it"
                    } else {
                        ""
                    }
                )),
            }
            f.name_link = link;
        }
        None => weak.push("the logs show no login for the request".into()),
    }

    // The file's own name.
    if let Some(w) = f.lead.name_witness.clone() {
        check_witness(&mut f, &w, &s, p, ev, &mut contradictions);
    }

    // What the verdict rests on.
    if let Some(d) = &download {
        f.requests.push(Cited {
            role: Role::Download,
            record: d.record.clone(),
        });
    }
    for r in &builds {
        f.requests.push(Cited {
            role: Role::Build,
            record: (*r).clone(),
        });
    }
    if let Some(d) = &download
        && let Some(row) = login_row(context, d)
    {
        f.cite(Role::Login, row);
    }
    for r in nearby(context, &ip, p) {
        f.cite(Role::Nearby, r);
    }
    sort_cited(&mut f.requests);

    let anchor = download
        .as_ref()
        .and_then(|d| d.record.time_utc)
        .unwrap_or(p);
    if let Some(login) = &login {
        f.session = session_of(
            context,
            login,
            download.as_ref().map(|d| &d.record),
            anchor,
            p,
        );
        if let Some(session) = &f.session
            && (session.client_ips.len() > 1 || !session.other_user_agents.is_empty())
        {
            weak.push(format!(
                "{login}'s session used {} address(es) and {} browser(s): a shared login cannot be told apart",
                session.client_ips.len(),
                1 + session.other_user_agents.len()
            ));
        }
        f.other_exports = ev
            .downloads_of(login)
            .filter(|d| !download.as_ref().is_some_and(|m| path_eq(d, m)))
            .take(MAX_LISTED)
            .cloned()
            .collect();
    }
    if let Some(d) = &download {
        f.other_fetches = downloads
            .iter()
            .filter(|o| path_eq(o, d) && !same_client(&o.record, &d.record))
            .take(MAX_LISTED)
            .cloned()
            .collect();
        if !f.other_fetches.is_empty() {
            f.reasons.push(format!(
                "{} other client{} fetched the same path (a replay of the link)",
                f.other_fetches.len(),
                if f.other_fetches.len() == 1 { "" } else { "s" }
            ));
        }
    }

    f.download = download.clone();
    f.verdict = if contradictions.is_empty() {
        Verdict::Corroborated
    } else {
        Verdict::Contradicted
    };
    let unverified = tampered || !f.lead.verified;
    f.confidence = Some(match f.verdict {
        Verdict::Corroborated if weak.is_empty() && !unverified => Confidence::High,
        Verdict::Corroborated if login.is_some() => Confidence::Medium,
        Verdict::Contradicted if contradictions.len() > 1 => Confidence::High,
        Verdict::Contradicted => Confidence::Medium,
        _ => Confidence::Low,
    });
    if unverified && !tampered {
        weak.push("examine could not verify the statement (only one copy, or moved)".into());
    }
    f.reasons.extend(contradictions);
    f.reasons.extend(weak);
    f
}

/// The file's name witness against the statement and the logs.
fn check_witness(
    f: &mut Finding,
    w: &NameWitness,
    s: &crate::artifact::statement::Statement,
    p: Timestamp,
    ev: &Evidence<'_>,
    contradictions: &mut Vec<String>,
) {
    let name = s.name.as_deref().unwrap_or("?");
    let (fits, link) = roster::link(ev.roster, s.name.as_deref(), s.user_id, &w.login);
    if fits {
        f.reasons.push(format!(
            "the file's own name ({}) names {}, who fits {name} ({})",
            w.file_name,
            w.login,
            link.as_str()
        ));
    } else {
        contradictions.push(format!(
            "the file's own name ({}) names {}, not {name}",
            w.file_name, w.login
        ));
    }
    let offsets = offsets_for(ev.zone, p, None);
    let implied = ev
        .collected
        .downloads
        .iter()
        .find(|d| d.name.file_name.eq_ignore_ascii_case(&w.file_name))
        .and_then(|d| d.implied_utc_offset);
    let mut all = offsets;
    all.extend(offsets_for(ev.zone, p, implied));
    if name_offset(w.local, p, &all).is_none() {
        f.reasons.push(format!(
            "the file's own name says it was built at {} local time, which is not produced_at in {} (renamed, or another export)",
            w.local,
            ev.zone.name()
        ));
    }
}

/// For a file with no usable statement: what its name witness finds.
fn witness_only(f: &mut Finding, ev: &Evidence<'_>) {
    let Some(w) = f.lead.name_witness.clone() else {
        return;
    };
    let downloads = &ev.collected.downloads;
    let Some(first) = downloads
        .iter()
        .find(|d| d.name.file_name.eq_ignore_ascii_case(&w.file_name))
    else {
        f.reasons.push(format!(
            "its name says {} built it at {} local time; no fetch of {} is in the logs",
            w.login, w.local, w.file_name
        ));
        return;
    };
    f.reasons.push(format!(
        "its name says {} built it at {} local time; {} fetched it at {}, session user {}",
        w.login,
        w.local,
        at(&first.record),
        first
            .record
            .time_utc
            .map_or_else(|| "?".into(), |t| fmt_time(ev.zone, t)),
        first.session_user.as_deref().unwrap_or("unknown")
    ));
    let login = first
        .session_user
        .clone()
        .or_else(|| first.name.export_user.clone());
    f.login_source = login.as_ref().map(|_| {
        if first.session_user.is_some() {
            "session"
        } else {
            "export_name"
        }
    });
    f.login = login.clone();
    f.requests.push(Cited {
        role: Role::Download,
        record: first.record.clone(),
    });
    if let Some(row) = build_row(&ev.collected.context, first) {
        f.requests.push(Cited {
            role: Role::Build,
            record: row.clone(),
        });
    }
    if let Some(row) = login_row(&ev.collected.context, first) {
        f.cite(Role::Login, row);
    }
    sort_cited(&mut f.requests);
    f.other_fetches = downloads
        .iter()
        .filter(|o| path_eq(o, first) && !same_client(&o.record, &first.record))
        .take(MAX_LISTED)
        .cloned()
        .collect();
    if let Some(login) = &login {
        if let Some(t) = first.record.time_utc {
            f.session = session_of(&ev.collected.context, login, Some(&first.record), t, t);
        }
        f.other_exports = ev
            .downloads_of(login)
            .filter(|d| !path_eq(d, first))
            .take(MAX_LISTED)
            .cloned()
            .collect();
    }
    f.download = Some(first.clone());
}

/// The context rows (sorted by time) from `from` to `to`, both included.
fn between(context: &[Record], from: Timestamp, to: Timestamp) -> &[Record] {
    let start = context.partition_point(|r| r.time_utc.is_none_or(|t| t < from));
    let end = context.partition_point(|r| r.time_utc.is_none_or(|t| t <= to));
    context.get(start..end.max(start)).unwrap_or_default()
}

/// Nearby requests cited per finding.
const MAX_NEARBY: usize = 50;

/// Requests from the statement's address near `p` (pages, not static assets).
fn nearby<'c>(context: &'c [Record], ip: &Option<String>, p: Timestamp) -> Vec<&'c Record> {
    let Some(ip) = ip else {
        return Vec::new();
    };
    between(
        context,
        shift(p, -TOLERANCES.nearby),
        shift(p, TOLERANCES.nearby),
    )
    .iter()
    .filter(|r| r.client_ip.as_deref().is_some_and(|c| same_ip(c, ip)))
    .filter(|r| !r.uri_stem.as_deref().is_some_and(is_static))
    .filter(|r| {
        r.time_utc
            .is_some_and(|t| t.duration_since(p).abs() <= TOLERANCES.nearby)
    })
    .take(MAX_NEARBY)
    .collect()
}

/// Cited rows in time order, then by place in the input.
fn sort_cited(cited: &mut [Cited]) {
    cited.sort_by(|a, b| {
        (a.record.time_utc, &a.record.file, a.record.line).cmp(&(
            b.record.time_utc,
            &b.record.file,
            b.record.line,
        ))
    });
}

/// The POST that built a download's export, as `downloads` measured it:
/// the client's longest POST to the export page in the window before the
/// fetch.
fn build_row<'c>(context: &'c [Record], d: &Download) -> Option<&'c Record> {
    let (page, ms, t) = (d.export_page.as_deref()?, d.build_ms?, d.record.time_utc?);
    between(context, shift(t, -SignedDuration::from_mins(30)), t)
        .iter()
        .rfind(|r| {
            same_client(r, &d.record)
                && r.method
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
                && r.uri_stem
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(page))
                && r.time_taken_ms == Some(ms)
        })
}

/// The authenticated request of the download's client that its session
/// user was taken from: the latest before the download.
fn login_row<'c>(context: &'c [Record], d: &Download) -> Option<&'c Record> {
    let user = d.session_user.as_deref()?;
    let t = d.record.time_utc?;
    between(context, shift(t, -SignedDuration::from_mins(30)), t)
        .iter()
        .rfind(|r| {
            same_client(r, &d.record)
                && r.username.as_deref().is_some_and(|u| u == user)
                && r.time_utc.is_some_and(|rt| rt <= t)
        })
}

/// The login's session around the anchor, rebuilt from the context rows.
fn session_of(
    context: &[Record],
    login: &str,
    client: Option<&Record>,
    anchor: Timestamp,
    p: Timestamp,
) -> Option<Session> {
    let from = shift(p, -TOLERANCES.context_before);
    let to = shift(p, TOLERANCES.context_after);
    let mut tracker = SessionTracker::new(SignedDuration::from_mins(30));
    let mut sessions: Vec<Session> = Vec::new();
    for r in between(context, from, to) {
        let Some(t) = r.time_utc else {
            continue;
        };
        fn value(v: &Option<String>) -> Option<&[u8]> {
            v.as_deref().map(str::as_bytes)
        }
        let event = SessionEvent::of(&Request {
            user: value(&r.username),
            ip: value(&r.client_ip),
            agent: value(&r.user_agent),
            method: value(&r.method),
            stem: value(&r.uri_stem),
            bytes_sent: r.bytes_sent,
            bytes_received: r.bytes_received,
            from_record: true,
        });
        sessions.extend(tracker.observe(
            t,
            Located {
                file: &r.file,
                line: r.line,
                event,
            },
        ));
    }
    sessions.extend(tracker.finish());
    let mine = |s: &&Session| s.user.as_deref().is_some_and(|u| same_user(u, login));
    let holds = |s: &&Session| s.start <= anchor && anchor <= s.end;
    let has_client = |s: &&Session| {
        client.is_some_and(|c| {
            c.client_ip
                .as_ref()
                .is_some_and(|ip| s.client_ips.iter().any(|x| **x == **ip))
        })
    };
    sessions
        .iter()
        .filter(mine)
        .find(|s| holds(s) && (client.is_none() || has_client(s)))
        .or_else(|| sessions.iter().filter(mine).find(holds))
        .or_else(|| {
            sessions
                .iter()
                .filter(mine)
                .min_by_key(|s| s.start.duration_since(anchor).abs())
        })
        .cloned()
}
