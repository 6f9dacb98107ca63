//! How an investigation is printed: one JSON object for programs, two
//! tables for people (one line per leaked file, one per person).
//!
//! The JSON is the report's source of truth: `findings.json` in a report
//! folder is the same bytes, and the Markdown and HTML reports are written
//! from the same [`Case`]. Keys are stable; absent values are `null`.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::examination::statement_json;
use super::sanitize::for_table;
use super::table::render;
use super::{Column, Context, Keep, LeftOut, item_json};
use crate::case::roster::NameLink;
use crate::case::{BREACH_THRESHOLD, Case, Finding, Person, TOLERANCES, Verdict};
use crate::time::Zone;

fn secs(d: jiff::SignedDuration) -> Value {
    Value::from(d.as_secs())
}

fn time(t: Option<jiff::Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_string()))
}

fn local(zone: &Zone, t: Option<jiff::Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(zone.rfc3339(t)))
}

/// The tolerances, in seconds, with what each is.
pub fn tolerances_json() -> Value {
    let t = TOLERANCES;
    json!({
        "name_time_s": secs(t.name_time),
        "fetch_before_s": secs(t.fetch_before),
        "fetch_after_s": secs(t.fetch_after),
        "build_slack_s": secs(t.build_slack),
        "nearby_s": secs(t.nearby),
        "context_before_s": secs(t.context_before),
        "context_after_s": secs(t.context_after),
        "coverage_slack_s": secs(t.coverage_slack),
    })
}

/// The whole case as one JSON object.
pub fn case_json(case: &Case, ctx: &Context) -> Value {
    let zone = &ctx.zone;
    let (records, unknown) = case.records();
    let mut verdicts = Map::new();
    for v in Verdict::ALL {
        let n = case.findings.iter().filter(|f| f.verdict == v).count();
        verdicts.insert(v.as_str().into(), n.into());
    }
    json!({
        "case": {
            "tool": "leaktrace",
            "version": case.version,
            "arguments": case.arguments,
            "tz": case.tz,
            "generated_at": time(case.generated_at),
            "tolerances": tolerances_json(),
        },
        "evidence": case.evidence.iter().map(|e| json!({
            "path": crate::name::json(&e.path),
            "sha256": e.sha256,
            "bytes": e.bytes,
            "role": e.role.as_str(),
            "kind": e.kind,
            "note": e.note,
        })).collect::<Vec<_>>(),
        "log_coverage": {
            "files": case.coverage.iter().map(|c| json!({
                "path": crate::name::json(&c.path),
                "first_utc": time(c.first),
                "last_utc": time(c.last),
                "first_local": local(zone, c.first),
                "last_local": local(zone, c.last),
                "records": c.records,
                "malformed": c.malformed,
                "untimed": c.untimed,
            })).collect::<Vec<_>>(),
            "gaps": case.gaps.iter().map(|g| json!({
                "from_utc": g.from.to_string(),
                "to_utc": g.to.to_string(),
            })).collect::<Vec<_>>(),
        },
        "summary": {
            "findings": case.findings.len(),
            "verdicts": verdicts,
            "patient_records": records,
            "patient_records_incomplete": unknown,
            "breach_threshold": BREACH_THRESHOLD,
            "reaches_threshold": records >= BREACH_THRESHOLD,
        },
        "findings": case.findings.iter().map(|f| finding_json(f, ctx)).collect::<Vec<_>>(),
        "people": case.people.iter().map(|p| person_json(p, case, ctx)).collect::<Vec<_>>(),
        "limitations": case.limitations,
        "problems": case.problems,
        "places": case.places,
    })
}

fn name_link_json(link: &NameLink) -> Value {
    match link {
        NameLink::Roster { employee, by } => json!({
            "kind": "roster",
            "by": by,
            "login": employee.login,
            "name": employee.name,
            "employee_id": employee.id,
            "roster_line": employee.line,
        }),
        NameLink::Heuristic { form } => json!({"kind": "heuristic", "form": form}),
        NameLink::None => json!({"kind": "none"}),
    }
}

pub fn finding_json(f: &Finding, ctx: &Context) -> Value {
    let l = &f.lead;
    json!({
        "file": crate::name::json(&l.file),
        "sha256": l.sha256,
        "archive_sha256": l.archive_sha256,
        "kind": l.kind,
        "examine_verdict": l.examine_verdict,
        "verdict": f.verdict.as_str(),
        "confidence": f.confidence.map(|c| c.as_str()),
        "statement": statement_json(l.statement.as_ref()),
        "statement_verified": l.statement.as_ref().map(|_| l.verified),
        "name_witness": l.name_witness.as_ref().map(|w| json!({
            "file_name": w.file_name,
            "org": w.org,
            "login": w.login,
            "local_time": w.local.to_string(),
        })),
        "login": f.login,
        "login_source": f.login_source,
        "name_link": f.name_link.as_str(),
        "name_link_detail": name_link_json(&f.name_link),
        "named_employee": f.named.as_ref().map(|e| json!({
            "login": e.login, "name": e.name, "employee_id": e.id, "roster_line": e.line,
        })),
        "download": f.download.as_ref().map(|d| item_json(d, ctx)),
        "requests": f.requests.iter().map(|c| {
            let mut v = item_json(&c.record, ctx);
            if let Value::Object(m) = &mut v {
                m.insert("role".into(), c.role.as_str().into());
            }
            v
        }).collect::<Vec<_>>(),
        "session": f.session.as_ref().map(|s| item_json(s, ctx)),
        "other_exports": f.other_exports.iter().map(|d| item_json(d, ctx)).collect::<Vec<_>>(),
        "other_fetches": f.other_fetches.iter().map(|d| item_json(d, ctx)).collect::<Vec<_>>(),
        "missing_log_days_utc": f.missing_days.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "patient_records": l.records,
        "columns": l.columns,
        "reasons": f.reasons,
        "warnings": l.warnings,
    })
}

fn person_json(p: &Person, case: &Case, ctx: &Context) -> Value {
    json!({
        "login": p.login,
        "name": p.name,
        "name_source": p.name_source,
        "employee_id": p.employee_id,
        "findings": p.findings.iter().map(|i| {
            let f = &case.findings[*i];
            json!({"file": crate::name::json(&f.lead.file), "verdict": f.verdict.as_str()})
        }).collect::<Vec<_>>(),
        "client_ips": p.client_ips,
        "downloads": p.downloads.iter().map(|d| item_json(d, ctx)).collect::<Vec<_>>(),
        "more_downloads": p.more_downloads,
    })
}

/// The person column: `login (Name)`.
pub fn person_label(case: &Case, f: &Finding) -> String {
    match &f.login {
        Some(login) => {
            let name = case
                .people
                .iter()
                .find(|p| &p.login == login)
                .and_then(|p| p.name.clone());
            match name {
                Some(n) => format!("{login} ({n})"),
                None => login.clone(),
            }
        }
        None => match f.lead.statement.as_ref().and_then(|s| s.name.clone()) {
            Some(n) => format!("({n}, per the file)"),
            None => "-".into(),
        },
    }
}

/// When the finding happened: the download, else `produced_at`.
pub fn finding_time(f: &Finding) -> Option<jiff::Timestamp> {
    f.download
        .as_ref()
        .and_then(|d| d.record.time_utc)
        .or_else(|| f.lead.produced_at())
}

/// The address: the request's, else the statement's.
pub fn finding_ip(f: &Finding) -> Option<String> {
    f.download
        .as_ref()
        .and_then(|d| d.record.client_ip.clone())
        .or_else(|| f.lead.statement.as_ref().and_then(|s| s.ip.clone()))
}

/// Short file label: the last path component (and the member of an archive).
pub fn short_file(file: &str) -> String {
    file.split('!')
        .map(|part| part.rsplit(['/', '\\']).next().unwrap_or(part))
        .collect::<Vec<_>>()
        .join("!")
}

/// A table cell: each line escaped for the terminal and cut at the table's
/// cell limit, lines kept.
fn cell(text: &str) -> String {
    text.split('\n')
        .map(for_table)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line per leaked file.
const FILES: &[Column] = &[
    Column::shrink("File", Keep::End, 16),
    Column::whole("Verdict"),
    Column::shrink("Person", Keep::Start, 14),
    Column::whole("When (local)"),
    Column::optional("IP", 2),
    Column::optional("Sure", 1),
];

/// One line per person, with their files and downloads below each other.
/// The files are also in the table above (by person): left out first.
const PEOPLE: &[Column] = &[
    Column::whole("Login"),
    Column::shrink("Name", Keep::Start, 12),
    Column::optional("Leaked files", 1),
    Column::shrink("Downloads in the logs", Keep::Start, 24),
];

/// The tables for people, laid out for `width` columns; returns the
/// columns left out to fit.
pub fn write_tables<W: Write>(
    out: &mut W,
    case: &Case,
    ctx: &Context,
    width: usize,
) -> io::Result<Option<LeftOut>> {
    let zone = &ctx.zone;
    let mut left_out = None;
    let mut files = Vec::new();
    for f in &case.findings {
        let mut verdict = f.verdict.as_str().to_string();
        if crate::case::is_tampered(f.lead.examine_verdict) {
            verdict.push_str(&format!(" ({})", f.lead.examine_verdict));
        }
        files.push(
            [
                short_file(&f.lead.file),
                verdict,
                person_label(case, f),
                finding_time(f).map_or_else(|| "-".into(), |t| zone.human(t)),
                finding_ip(f).unwrap_or_else(|| "-".into()),
                f.confidence.map_or("-", |c| c.as_str()).to_string(),
            ]
            .map(|c| cell(&c))
            .to_vec(),
        );
    }
    let table = render(FILES, &files, width);
    LeftOut::add(&mut left_out, &table, width);
    writeln!(out, "{}", table.text)?;
    if !case.people.is_empty() {
        let mut people = Vec::new();
        for p in &case.people {
            let listed: Vec<String> = p
                .downloads
                .iter()
                .map(|d| {
                    format!(
                        "{} {}",
                        d.record
                            .time_utc
                            .map_or_else(|| "?".into(), |t| zone.human(t)),
                        d.name.file_name
                    )
                })
                .collect();
            let mut listing = listed.join("\n");
            if p.more_downloads > 0 {
                listing.push_str(&format!("\n... and {} more", p.more_downloads));
            }
            if listing.is_empty() {
                listing = "-".into();
            }
            people.push(
                [
                    p.login.clone(),
                    p.name.clone().unwrap_or_else(|| "-".into()),
                    p.findings
                        .iter()
                        .map(|i| short_file(&case.findings[*i].lead.file))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    listing,
                ]
                .map(|c| cell(&c))
                .to_vec(),
            );
        }
        let table = render(PEOPLE, &people, width);
        LeftOut::add(&mut left_out, &table, width);
        writeln!(out)?;
        writeln!(out, "{}", table.text)?;
    }
    Ok(left_out)
}
