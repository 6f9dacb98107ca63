//! `leaktrace investigate`: a case folder in, the person and a report out.
//!
//! Inputs are sorted by content into logs, leaked files (everything
//! `examine` reads, ZIP archives member by member) and the roster; the rest
//! is listed as ignored, with why. The leaked files are examined first: their
//! statements' times say which stretches of log to keep. Then the logs are
//! read once, as `downloads` reads them, and every lead is correlated.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::artifact::intake::{self, MAX_STREAMED};
use crate::digest::{sha256_file, sha256_reader};

use crate::analyze::downloads::Settings;
use crate::analyze::{Located, Lookahead, RepeatCheck, scan_ordered};
use crate::artifact::examination::{Examined, examine_input};
use crate::case::collect::{self, Collector, Windows};
use crate::case::correlate::{self, Evidence, is_internal};
use crate::case::roster::{self, Roster};
use crate::case::sort::{self, LogShape};
use crate::case::{
    Case, Coverage, EvidenceRole, Exhibit, Lead, MAX_CONTEXT_ROWS, MAX_DOWNLOADS, gaps, is_tampered,
};
use crate::cli::{GlobalArgs, InvestigateArgs};
use crate::exit::{Exit, usage};
use crate::filter::{Filter, FilterSpec, parse_ip};
use crate::output::case::{finding_ip, write_tables};
use crate::output::report::{findings_bytes, verdict_counts, write_report};
use crate::output::sanitize::for_terminal;
use crate::output::{Context, Format, counted, table};
use crate::w3c::input::MmapChoice;
use crate::w3c::{Input, Row, ScanConfig};

pub fn run(args: &InvestigateArgs, global: &GlobalArgs) -> anyhow::Result<Exit> {
    let zone = super::zone(global)?;
    if !matches!(global.format, Format::Table | Format::Json) {
        return Err(usage(
            "investigate writes one report: --format table or json (the report folder, --report, has the rest)",
        ));
    }
    let cfg = super::scan_config(&args.read)?;
    let mut locator = super::open_locator(args.geoip.as_deref())?;
    if args.inputs.iter().any(|p| p.as_os_str() == "-") {
        return Err(usage(
            "investigate reads files and folders, not standard input: give the case folder",
        ));
    }
    let given_roster = match &args.roster {
        Some(path) => Some(Roster::read(path).map_err(|e| usage(format!("--roster {e}")))?),
        None => None,
    };
    if let Some(dir) = &args.report {
        super::refuse_inside_evidence("--report", dir, &args.inputs, "the report")?;
    }
    let roster_path = args.roster.as_deref().map(canonical);

    let (inputs, mut problems) = super::inputs(&args.inputs, global, false);
    let mut evidence: Vec<Exhibit> = Vec::new();
    let mut logs: Vec<Input> = Vec::new();
    let mut leads: Vec<Lead> = Vec::new();
    let mut roster_candidates: Vec<(usize, Roster)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // Logs to hash: where their exhibit is, their path, and whether they
    // are plain text (which the scan can hash as it reads them).
    let mut unhashed: Vec<(usize, PathBuf, bool)> = Vec::new();

    for input in inputs {
        if crate::interrupt::requested() {
            break;
        }
        let Input::File { path, .. } = &input else {
            continue;
        };
        let name = input.display_name().to_string();
        // Logs are hashed while they are scanned (below); leaked files as
        // they are examined; the rest here.
        let head = match read_head(path) {
            Ok(head) => head,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                evidence.push(Exhibit {
                    path: name,
                    sha256: None,
                    bytes: 0,
                    role: EvidenceRole::Ignored,
                    kind: "unreadable".into(),
                    note: Some(e.to_string()),
                });
                continue;
            }
        };
        let mut exhibit = Exhibit {
            path: name.clone(),
            sha256: None,
            bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
            role: EvidenceRole::Ignored,
            kind: "unknown".into(),
            note: None,
        };
        if roster_path.as_deref() == Some(canonical(path).as_path()) {
            exhibit.role = EvidenceRole::Roster;
            exhibit.kind = "roster".into();
            hash_into(&mut exhibit, path);
            evidence.push(exhibit);
            continue;
        }
        let shape = sort::log_shape(&head);
        match shape {
            LogShape::Plain | LogShape::Gzip => {
                unhashed.push((evidence.len(), path.clone(), shape == LogShape::Plain));
                exhibit.role = EvidenceRole::Log;
                exhibit.kind = if shape == LogShape::Gzip {
                    "w3c+gzip".into()
                } else {
                    "w3c".into()
                };
                evidence.push(exhibit);
                logs.push(input.clone());
                continue;
            }
            LogShape::GzipOther => {
                exhibit.kind = "gzip".into();
                exhibit.note = Some("gzip of something that is not a W3C log".into());
                hash_into(&mut exhibit, path);
                evidence.push(exhibit);
                continue;
            }
            LogShape::No => {}
        }
        match examine_input(&input, None, args.password.as_deref()) {
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                exhibit.note = Some(format!("could not be read: {e}"));
                hash_into(&mut exhibit, path);
                evidence.push(exhibit);
            }
            Ok(Examined::Unknown) => {
                exhibit.note = Some(
                    "not a W3C log, nor a kind leaktrace examines (NEMSIS XML, CSV, XLSX, PDF, ZIP)"
                        .into(),
                );
                hash_into(&mut exhibit, path);
                evidence.push(exhibit);
            }
            Ok(Examined::File(ex)) => {
                exhibit.sha256 = Some(ex.sha256.clone());
                // An employee list among the evidence (a CSV with a login
                // column and no statement) is the roster, unless one was given.
                if given_roster.is_none()
                    && ex.kind == crate::artifact::Kind::Csv
                    && ex.attribution.is_none()
                    && let Ok(bytes) = roster::read_capped(path)
                    && let Ok(r) = Roster::parse(&name, &bytes)
                    && r.employees
                        .iter()
                        .any(|e| e.name.is_some() || e.id.is_some())
                {
                    exhibit.role = EvidenceRole::Roster;
                    exhibit.kind = "roster".into();
                    roster_candidates.push((evidence.len(), r));
                    evidence.push(exhibit);
                    continue;
                }
                exhibit.role = EvidenceRole::Leaked;
                exhibit.kind = ex.kind.as_str().into();
                leads.extend(Lead::from_examination(&ex, &[&name]));
                evidence.push(exhibit);
            }
            Ok(Examined::Archive(report)) => {
                exhibit.sha256 = Some(report.sha256.clone());
                exhibit.role = EvidenceRole::Leaked;
                exhibit.kind = "zip".into();
                for note in &report.notes {
                    let line = format!("{}: {}", note.file, note.why);
                    if note.failed {
                        problems.push(line);
                    } else {
                        notes.push(line);
                    }
                }
                if let Some(why) = report.nothing_examined() {
                    exhibit.role = EvidenceRole::Ignored;
                    exhibit.note = Some(why);
                }
                for ex in &report.files {
                    // The member's own name, then each enclosing archive's.
                    let mut names: Vec<&str> = ex.file.rsplit('!').collect();
                    names.dedup();
                    leads.extend(Lead::from_examination(ex, &names));
                }
                evidence.push(exhibit);
            }
        }
    }

    // The roster: given, or the one employee list found among the inputs.
    let roster = match (given_roster, roster_candidates.len()) {
        (Some(r), _) => {
            for (i, _) in &roster_candidates {
                evidence[*i].role = EvidenceRole::Leaked;
            }
            Some(r)
        }
        (None, 1) => {
            let (_, r) = roster_candidates.remove(0);
            notes.push(format!(
                "{}: read as the roster (an employee list with a login column); give --roster to name another",
                r.path
            ));
            Some(r)
        }
        (None, 0) => None,
        (None, n) => {
            notes.push(format!(
                "{n} employee lists among the inputs ({}): none is used as the roster; give --roster",
                roster_candidates
                    .iter()
                    .map(|(i, _)| evidence[*i].path.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            for (i, _) in &roster_candidates {
                evidence[*i].role = EvidenceRole::Ignored;
                evidence[*i].note =
                    Some("an employee list; not used as the roster (several found)".into());
            }
            None
        }
    };
    if let Some(path) = &args.roster
        && !evidence.iter().any(|e| e.role == EvidenceRole::Roster)
    {
        let digest =
            sha256_file(path).map_err(|e| usage(format!("--roster {}: {e}", path.display())))?;
        let (sha256, bytes) = (digest.hex(), digest.bytes);
        evidence.push(Exhibit {
            path: path.display().to_string(),
            sha256: Some(sha256),
            bytes,
            role: EvidenceRole::Roster,
            kind: "roster".into(),
            note: None,
        });
    }
    if let Some(r) = &roster {
        problems.extend(r.skipped.iter().cloned());
        if r.skipped_count > r.skipped.len() as u64 {
            problems.push(format!(
                "{}: {} more roster rows skipped",
                r.path,
                r.skipped_count - r.skipped.len() as u64
            ));
        }
    }

    // A log given twice (copied, or downloaded twice) is read once.
    let before: Vec<String> = logs.iter().map(|l| l.display_name().to_string()).collect();
    let duplicates = crate::w3c::input::drop_identical(&mut logs);
    for name in &before {
        if !logs.iter().any(|l| *l.display_name() == **name)
            && let Some(e) = evidence.iter_mut().find(|e| e.path == *name)
            && let Some(why) = duplicates.iter().find(|d| d.starts_with(name.as_str()))
        {
            e.note = Some(why[name.len()..].trim_start_matches(':').trim().to_string());
        }
    }
    notes.extend(duplicates);

    // One pass over the logs.
    let windows = Windows::around(leads.iter().filter_map(|l| l.anchor(&zone)));
    let everything = Filter::new(&FilterSpec::default()).map_err(usage)?;
    let bar = super::progress_bar(&logs, global.quiet);
    let progress = |n: u64| bar.inc(n);
    let mut collector = Collector::new(Settings {
        window: jiff::SignedDuration::from_mins(30),
        host: args.host.clone(),
        as_of: None,
    });
    let select = |row: &Row<'_>| collect::event(row, &everything, &windows);
    let mut deliver = |t: jiff::Timestamp, ev: Located<'_, collect::CaseEvent>| -> io::Result<()> {
        collector.observe(t, ev);
        Ok(())
    };
    // A plain log that is scanned is hashed by the scan, a batch on one
    // core while the others parse it (mapped: see `ScanConfig::hash`); the
    // others (compressed, read once for another, or `--mmap never`) on a
    // thread of their own beside the scan. A log the scan did not hash to
    // its end (a live log is streamed) is hashed after it.
    let scanned: std::collections::HashSet<String> =
        logs.iter().map(|l| l.display_name().to_string()).collect();
    let (in_scan, beside): (Vec<_>, Vec<_>) = unhashed.iter().partition(|(i, _, plain)| {
        *plain && cfg.mmap == MmapChoice::Auto && scanned.contains(&evidence[*i].path)
    });
    let cfg = ScanConfig {
        hash: !in_scan.is_empty(),
        ..cfg
    };
    let (ordered, hashes) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| {
            beside
                .iter()
                .map(|(i, path, _)| (*i, crate::w3c::input::sha256(path, cfg.mmap)))
                .collect::<Vec<_>>()
        });
        let ordered = scan_ordered(
            &logs,
            &cfg,
            &select,
            &mut deliver,
            &progress,
            Lookahead::Batch,
            RepeatCheck::Off,
        );
        (ordered, hashing.join())
    });
    let ordered = ordered?;
    let mut hashes = hashes.map_err(|_| anyhow::anyhow!("hashing the logs failed"))?;
    for (i, path, _) in in_scan {
        let read = ordered
            .run
            .files
            .iter()
            .find(|f| *f.name == *evidence[*i].path)
            .and_then(|f| f.sha256.clone());
        hashes.push((
            *i,
            read.map_or_else(|| crate::w3c::input::sha256(path, cfg.mmap), Ok),
        ));
    }
    // In the order of the exhibits, as the problems are listed.
    hashes.sort_by_key(|(i, _)| *i);
    for (i, hashed) in hashes {
        match hashed {
            Ok(digest) => {
                evidence[i].sha256 = Some(digest.hex());
                evidence[i].bytes = digest.bytes;
            }
            Err(e) => {
                evidence[i].note = Some(format!("could not be hashed: {e}"));
                problems.push(format!("{}: {e}", evidence[i].path));
            }
        }
    }
    bar.finish_and_clear();
    let collected = collector.finish();

    let coverage: Vec<Coverage> = ordered
        .run
        .files
        .iter()
        .map(|f| Coverage {
            path: f.name.to_string(),
            first: f.first_time,
            last: f.last_time,
            records: f.records,
            malformed: f.malformed,
            untimed: f.untimed,
        })
        .collect();
    for f in &ordered.run.files {
        if let Some(why) = f.skipped
            && let Some(e) = evidence.iter_mut().find(|e| *e.path == *f.name)
        {
            e.role = EvidenceRole::Ignored;
            e.note = Some(format!("not a log: {why}"));
        }
    }
    let addresses: Vec<std::net::IpAddr> = collected
        .context
        .iter()
        .filter_map(|r| r.client_ip.as_deref())
        .chain(
            collected
                .downloads
                .iter()
                .filter_map(|d| d.record.client_ip.as_deref()),
        )
        .filter_map(|ip| parse_ip(ip.as_bytes()))
        .collect();
    let proxied = !addresses.is_empty() && addresses.iter().all(is_internal);
    let ev = Evidence::new(&collected, &coverage, roster.as_ref(), &zone, proxied);
    let findings = correlate::correlate(leads, &ev);
    let people = correlate::people(&findings, &ev);

    let mut case = Case {
        version: env!("CARGO_PKG_VERSION"),
        arguments: std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        tz: zone.name().to_string(),
        generated_at: args.stamp.then(jiff::Timestamp::now),
        gaps: gaps(&coverage),
        evidence,
        coverage,
        findings,
        people,
        limitations: Vec::new(),
        problems: problems.clone(),
        places: std::collections::BTreeMap::new(),
    };
    let reported: Vec<String> = case
        .findings
        .iter()
        .filter_map(finding_ip)
        .chain(
            case.people
                .iter()
                .flat_map(|p| p.client_ips.iter().cloned()),
        )
        .collect();
    for ip in reported {
        let geo = locator.locate(&ip);
        case.places.insert(ip, (*geo).clone());
    }
    case.limitations = limitations(&case, &collected, &ordered, roster.as_ref(), proxied);

    let ctx = Context {
        zone: zone.clone(),
        verbose: global.verbose,
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let left_out = match global.format {
        Format::Json => {
            out.write_all(&findings_bytes(&case, &ctx))?;
            None
        }
        _ => write_tables(&mut out, &case, &ctx, table::width())?,
    };
    out.flush()?;
    drop(out);
    let written = match &args.report {
        Some(dir) => Some(
            write_report(dir, &case, &ctx)
                .map_err(|e| anyhow::anyhow!("writing the report to {}: {e}", dir.display()))?,
        ),
        None => None,
    };

    let exit = super::finish(
        &ordered.run,
        &[],
        global,
        Some(collected.downloads.len() as u64),
    );
    super::note_left_out(left_out.as_ref(), global);
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for p in &problems {
        let _ = writeln!(err, "leaktrace: {}", for_terminal(p));
    }
    if !global.quiet {
        for n in &notes {
            let _ = writeln!(err, "note: {}", for_terminal(n));
        }
        let _ = super::write_geo_notes(&mut err, &locator, &ordered.run);
        let count = |role: EvidenceRole| case.evidence.iter().filter(|e| e.role == role).count();
        let _ = writeln!(
            err,
            "investigate: {}, {}, {} ignored; {}: {}",
            counted(count(EvidenceRole::Log) as u64, "log"),
            counted(count(EvidenceRole::Leaked) as u64, "leaked file"),
            count(EvidenceRole::Ignored),
            counted(case.findings.len() as u64, "finding"),
            verdict_counts(&case)
        );
        for e in case
            .evidence
            .iter()
            .filter(|e| e.role == EvidenceRole::Ignored)
        {
            let _ = writeln!(
                err,
                "  ignored {}: {}",
                for_terminal(&e.path),
                for_terminal(e.note.as_deref().unwrap_or(""))
            );
        }
        if let Some(files) = &written {
            let _ = writeln!(
                err,
                "report: {}",
                files
                    .iter()
                    .map(|p| for_terminal(&p.to_string_lossy()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(if problems.is_empty() {
        exit
    } else {
        Exit::InputError
    })
}

/// The first bytes of a file.
fn read_head(path: &Path) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(sort::HEAD);
    File::open(path)?
        .take(sort::HEAD as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Hashes an input that nothing else reads whole (an ignored file, the
/// roster), up to the limit of a streamed file ([`MAX_STREAMED`]: a device
/// never ends); a failure is noted on the exhibit.
fn hash_into(exhibit: &mut Exhibit, path: &Path) {
    let hashed =
        intake::open(path, MAX_STREAMED, "a file that is only hashed").and_then(sha256_reader);
    match hashed {
        Ok(digest) => {
            exhibit.sha256 = Some(digest.hex());
            exhibit.bytes = digest.bytes;
        }
        // Said after what is already noted of the exhibit.
        Err(e) => {
            let hashed = format!("could not be hashed: {e}");
            exhibit.note = Some(match exhibit.note.take() {
                Some(note) => format!("{note}; {hashed}"),
                None => hashed,
            });
        }
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What the data shows the findings cannot see.
fn limitations(
    case: &Case,
    collected: &collect::Collected,
    ordered: &crate::analyze::OrderedRun,
    roster: Option<&Roster>,
    proxied: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if case.coverage.is_empty() {
        out.push(
            "No server log was among the inputs: no statement could be checked against the logs."
                .into(),
        );
    } else {
        let first = case.coverage.iter().filter_map(|c| c.first).min();
        let last = case.coverage.iter().filter_map(|c| c.last).max();
        if let (Some(f), Some(l)) = (first, last) {
            out.push(format!(
                "The logs cover {f} to {l} (UTC){}. Requests outside that span are unseen; the server keeps exports in /temp/ for 2 to 7 days, and its logs only as long as they are retained.",
                if case.gaps.is_empty() {
                    String::new()
                } else {
                    format!(", with {} gap(s) of an hour or more listed under log coverage", case.gaps.len())
                }
            ));
        }
    }
    if proxied {
        out.push("Every client address in the logs is private or loopback: a proxy or load balancer hides the real addresses, so a statement's address cannot be compared with the logs.".into());
    }
    out.push("A login shows whose credentials were used, not who sat at the keyboard: a shared or stolen login cannot be told apart in the logs. A user agent is whatever the browser sends, and can be forged.".into());
    match roster {
        None => out.push("No roster was given: names were tied to logins by a heuristic (first.last, initial + surname, ...), which is a lead, not proof. Give --roster with the employee list.".into()),
        Some(r) if r.skipped_count > 0 => out.push(format!(
            "{} could not be used (listed under problems).",
            counted(r.skipped_count, "roster row")
        )),
        Some(_) => {}
    }
    let malformed: u64 = case.coverage.iter().map(|c| c.malformed).sum();
    let untimed: u64 = case.coverage.iter().map(|c| c.untimed).sum();
    if malformed > 0 || untimed > 0 {
        out.push(format!(
            "{malformed} log rows could not be read and {untimed} had no UTC time: whatever they recorded is not in the findings."
        ));
    }
    if let Some(note) = &collected.repeats {
        out.push(format!("{note}."));
    }
    if ordered.early > 0 {
        out.push(format!(
            "More than {} log rows fell within 15 minutes of each other: the {} oldest were handled before that time had passed (memory stays bounded), so rows older than them may have been handled out of order.",
            crate::analyze::ordered::MAX_HELD,
            ordered.early
        ));
    }
    if ordered.late > 0 {
        out.push(format!(
            "{} log rows came more than 15 minutes behind newer ones (overlapping or duplicate logs?) and were handled out of order.",
            ordered.late
        ));
    }
    if collected.context_dropped > 0 {
        out.push(format!(
            "{} requests around the statements' times were past the limit of {MAX_CONTEXT_ROWS} kept: sessions and cited requests may be incomplete.",
            collected.context_dropped
        ));
    }
    if collected.downloads_dropped > 0 {
        out.push(format!(
            "{} downloads were past the limit of {MAX_DOWNLOADS} kept: matches and the lists of other exports may be incomplete.",
            collected.downloads_dropped
        ));
    }
    let shared: Vec<&str> = case
        .findings
        .iter()
        .filter_map(|f| f.session.as_ref())
        .filter(|s| s.client_ips.len() > 1 || !s.other_user_agents.is_empty())
        .filter_map(|s| s.user.as_deref())
        .collect();
    if !shared.is_empty() {
        out.push(format!(
            "Sessions of {} used more than one address or browser: several people may share that login, or one person used several devices.",
            shared.join(", ")
        ));
    }
    let tampered = case
        .findings
        .iter()
        .filter(|f| is_tampered(f.lead.examine_verdict))
        .count();
    if tampered > 0 {
        out.push(format!(
            "{tampered} leaked file(s) were changed after they were made (examine: mismatch or mixed): the statement used is the copy examine believes, and is unverified."
        ));
    }
    if case.findings.iter().any(|f| f.lead.records.is_none()) {
        out.push(
            "Patient records are not counted for PDFs (a run report usually concerns one patient)."
                .into(),
        );
    }
    out
}
