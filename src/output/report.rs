//! The report folder of an investigation (`investigate --report DIR`):
//! `report.md`, a self-contained `report.html`, `findings.json` (the JSON
//! that `--format json` prints), `timeline.jsonl` (every statement and cited
//! request as a Timesketch event) and `SHA256SUMS` over the evidence and the
//! other four files, so that `sha256sum -c` run where leaktrace was run
//! checks them all.
//!
//! The Markdown and the HTML are rendered from one outline (`Block`s), so
//! they say the same things. Facts (with file:line) come before the
//! conclusions drawn from them, and the two are headed apart.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::Context;
use super::case::{case_json, finding_time, person_label, short_file};
use crate::case::roster::NameLink;
use crate::case::{BREACH_THRESHOLD, Case, Finding, TOLERANCES, Verdict, is_tampered};
use crate::time::Zone;

/// One piece of the outline.
enum Block {
    Heading(u8, String),
    Para(String),
    /// Set apart (the breach flag, a conclusion).
    Callout(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
}

fn human(zone: &Zone, t: Option<jiff::Timestamp>) -> String {
    t.map_or_else(|| "-".into(), |t| format!("{} ({t})", zone.human(t)))
}

fn or_dash(s: Option<&str>) -> String {
    s.map_or_else(|| "-".to_string(), str::to_string)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The outline of the report.
fn outline(case: &Case, zone: &Zone) -> Vec<Block> {
    let mut b = Vec::new();
    b.push(Block::Heading(1, "Data leak investigation".into()));
    b.push(Block::Para(format!(
        "Prepared with leaktrace {} from {}. Local times are {} ({}); every time is also given in UTC.{}",
        case.version,
        plural(case.evidence.len(), "input", "inputs"),
        zone.name(),
        "the zone given with --tz",
        match case.generated_at {
            Some(t) => format!(" Generated at {t}."),
            None => " The generation time is not recorded, so that the same evidence gives the same report, byte for byte.".into(),
        }
    )));

    // Scope and summary.
    b.push(Block::Heading(2, "Summary".into()));
    let logs = case.coverage.len();
    let leaked = case
        .evidence
        .iter()
        .filter(|e| e.role == crate::case::EvidenceRole::Leaked)
        .count();
    b.push(Block::Para(format!(
        "Scope: {} and {} ({} correlated). Command: leaktrace {}.",
        plural(logs, "server log", "server logs"),
        plural(leaked, "leaked file", "leaked files"),
        plural(case.findings.len(), "statement", "statements"),
        case.arguments.join(" ")
    )));
    b.push(Block::Table(
        ["File", "Verdict", "Person (login)", "When", "Sure"]
            .map(String::from)
            .to_vec(),
        case.findings
            .iter()
            .map(|f| {
                vec![
                    short_file(&f.lead.file),
                    verdict_label(f),
                    person_label(case, f),
                    human(zone, finding_time(f)),
                    or_dash(f.confidence.map(|c| c.as_str())),
                ]
            })
            .collect(),
    ));

    // Breach assessment.
    b.push(Block::Heading(2, "Breach assessment".into()));
    let (records, unknown) = case.records();
    b.push(Block::Table(
        ["File", "Kind", "Patient records", "Columns"]
            .map(String::from)
            .to_vec(),
        case.findings
            .iter()
            .map(|f| {
                vec![
                    short_file(&f.lead.file),
                    f.lead.kind.to_string(),
                    f.lead
                        .records
                        .map_or_else(|| "not counted".into(), |n| n.to_string()),
                    if f.lead.columns.is_empty() {
                        "-".into()
                    } else {
                        f.lead.columns.join(", ")
                    },
                ]
            })
            .collect(),
    ));
    let threshold = if records >= BREACH_THRESHOLD {
        format!(
            "The leaked files hold {records} patient records: {BREACH_THRESHOLD} or more. If they concern {BREACH_THRESHOLD} or more individuals, \
             the breach must be reported to HHS and to prominent media within 60 days (45 CFR 164.406, 164.408)."
        )
    } else {
        format!(
            "The leaked files hold {records} patient records, fewer than {BREACH_THRESHOLD}{}.",
            if unknown {
                " counted (PDF run reports are not counted: a run report usually concerns one patient)"
            } else {
                ""
            }
        )
    };
    b.push(Block::Callout(format!(
        "{threshold} Records are NEMSIS patient care reports and grid data rows; one patient may appear in several, so this is an upper bound on individuals."
    )));

    // Evidence.
    b.push(Block::Heading(2, "Evidence".into()));
    b.push(Block::Para(
        "Every input was opened read-only. SHA-256 of each file as received (for a member of an archive, its own hash and its archive's):".into(),
    ));
    b.push(Block::Table(
        ["Path", "Role", "Kind", "Bytes", "SHA-256", "Note"]
            .map(String::from)
            .to_vec(),
        case.evidence
            .iter()
            .map(|e| {
                vec![
                    e.path.clone(),
                    e.role.as_str().into(),
                    e.kind.clone(),
                    e.bytes.to_string(),
                    or_dash(e.sha256.as_deref()),
                    or_dash(e.note.as_deref()),
                ]
            })
            .collect(),
    ));
    b.push(Block::Heading(3, "Log coverage".into()));
    b.push(Block::Table(
        [
            "Log",
            "First request",
            "Last request",
            "Records",
            "Malformed",
        ]
        .map(String::from)
        .to_vec(),
        case.coverage
            .iter()
            .map(|c| {
                vec![
                    c.path.clone(),
                    human(zone, c.first),
                    human(zone, c.last),
                    c.records.to_string(),
                    c.malformed.to_string(),
                ]
            })
            .collect(),
    ));
    if !case.gaps.is_empty() {
        b.push(Block::Para("No log covers these stretches:".into()));
        b.push(Block::List(
            case.gaps
                .iter()
                .map(|g| {
                    format!(
                        "{} to {}",
                        human(zone, Some(g.from)),
                        human(zone, Some(g.to))
                    )
                })
                .collect(),
        ));
    }

    // Method.
    b.push(Block::Heading(2, "Method and tolerances".into()));
    let t = TOLERANCES;
    b.push(Block::List(vec![
        "Each leaked file was examined: NEMSIS eRecord.900 (plain) and eRecord.901 (base64) compared per report; \
         the statement beyond the rightmost column of grid exports; the Printed-by stamp, Info, XMP and revisions of PDFs. \
         Where examine found the file changed, the copy it attributes to is used."
            .into(),
        format!(
            "The request a statement describes: a /temp/ fetch whose export name's local time equals produced_at within {:#} \
             (in the zone given, or the offset the name itself implies); for a file fetched without an export-shaped name (a PDF printout), \
             a fetch of the same kind from the statement's address from {:#} before to {:#} after produced_at; \
             and any POST from that address (or the fetching client) being answered at produced_at, within {:#}.",
            t.name_time, t.fetch_before, t.fetch_after, t.build_slack
        ),
        format!(
            "A log covers produced_at when it falls between the log's first and last request, widened by {:#}.",
            t.coverage_slack
        ),
        "The person: the login of the fetching client's session (the latest authenticated request from the same address and browser within 30 minutes before the fetch), \
         else the build POST's login, else the export name's."
            .into(),
        "Name to login: by the roster (employee ID first, then name) when one is given; otherwise by a heuristic (first.last, first_last, firstlast, \
         initial + surname, surname + initial, last.first, ignoring case, domain and trailing digits), reported as such and never as fact."
            .into(),
        format!(
            "Session: requests from {:#} before to {:#} after produced_at, grouped as the sessions command does (30 minutes idle ends a session).",
            t.context_before, t.context_after
        ),
        "Verdicts: corroborated (the request is in the logs, from the statement's address, by a login that fits the name); contradicted (the request is there, \
         but the login, the address or the file's own name disagrees); not_in_logs (the logs cover the time, no such request); outside_logs (no log covers the time); \
         registry_upload (the statement names a registry, not a person); unsigned (no statement)."
            .into(),
    ]));

    // Findings.
    b.push(Block::Heading(2, "Findings".into()));
    for (i, f) in case.findings.iter().enumerate() {
        finding_blocks(&mut b, i + 1, f, case, zone);
    }

    // People.
    if !case.people.is_empty() {
        b.push(Block::Heading(2, "People".into()));
        for p in &case.people {
            b.push(Block::Heading(
                3,
                match &p.name {
                    Some(n) => format!("{} ({n})", p.login),
                    None => p.login.clone(),
                },
            ));
            b.push(Block::Para(format!(
                "Name from: {}. Employee ID: {}. Addresses of their downloads: {}. Leaked files pointing at them: {}.",
                p.name_source.unwrap_or("unknown"),
                p.employee_id
                    .map_or_else(|| "-".into(), |i| i.to_string()),
                if p.client_ips.is_empty() {
                    "-".into()
                } else {
                    p.client_ips.join(", ")
                },
                p.findings
                    .iter()
                    .map(|i| short_file(&case.findings[*i].lead.file))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
            if !p.downloads.is_empty() {
                b.push(Block::Para(format!(
                    "Every download attributed to {} in the logs (export or session user), the scope of what else may have left:",
                    p.login
                )));
                b.push(download_table(&p.downloads, zone));
                if p.more_downloads > 0 {
                    b.push(Block::Para(format!("... and {} more.", p.more_downloads)));
                }
            }
        }
    }

    b.push(Block::Heading(2, "Limitations".into()));
    b.push(Block::List(case.limitations.clone()));
    if !case.problems.is_empty() {
        b.push(Block::Heading(3, "Inputs that could not be read".into()));
        b.push(Block::List(case.problems.clone()));
    }
    b
}

fn verdict_label(f: &Finding) -> String {
    if is_tampered(f.lead.examine_verdict) {
        format!("{} (file {})", f.verdict.as_str(), f.lead.examine_verdict)
    } else {
        f.verdict.as_str().into()
    }
}

fn download_table(downloads: &[crate::analyze::downloads::Download], zone: &Zone) -> Block {
    Block::Table(
        ["Where", "When", "File", "Client", "Session user", "Outcome"]
            .map(String::from)
            .to_vec(),
        downloads
            .iter()
            .map(|d| {
                vec![
                    format!("{}:{}", d.record.file, d.record.line),
                    human(zone, d.record.time_utc),
                    d.name.file_name.clone(),
                    or_dash(d.record.client_ip.as_deref()),
                    or_dash(d.session_user.as_deref()),
                    d.outcome.as_str().into(),
                ]
            })
            .collect(),
    )
}

fn finding_blocks(b: &mut Vec<Block>, n: usize, f: &Finding, case: &Case, zone: &Zone) {
    let l = &f.lead;
    b.push(Block::Heading(3, format!("{n}. {}", l.file)));
    b.push(Block::Heading(4, "Facts".into()));
    let mut facts = vec![
        format!(
            "{} file, SHA-256 {}{}; examine: {}.",
            l.kind,
            l.sha256,
            l.archive_sha256
                .as_deref()
                .map_or_else(String::new, |a| format!(" (archive SHA-256 {a})")),
            l.examine_verdict
        ),
        match &l.statement {
            Some(s) => format!(
                "Statement{}: \"{}\"",
                if l.verified { "" } else { " (unverified)" },
                s.text
            ),
            None => "No forensic statement.".into(),
        },
    ];
    if let Some(s) = &l.statement
        && let Some(p) = s.produced_at
    {
        facts.push(format!(
            "Produced at {}; name {}; employee ID {}; address {}.",
            human(zone, Some(p)),
            or_dash(s.name.as_deref()),
            s.user_id.map_or_else(|| "-".into(), |i| i.to_string()),
            or_dash(s.ip.as_deref())
        ));
    }
    if let Some(w) = &l.name_witness {
        facts.push(format!(
            "The file's own name ({}) names the login {} and the local time {}.",
            w.file_name, w.login, w.local
        ));
    }
    if let NameLink::Roster { employee, by } = &f.name_link {
        facts.push(format!(
            "Roster ({by}): {} is {} (employee ID {}, roster line {}).",
            employee.login,
            or_dash(employee.name.as_deref()),
            employee.id.map_or_else(|| "-".into(), |i| i.to_string()),
            employee.line
        ));
    }
    if let Some(r) = l.records {
        facts.push(format!(
            "Holds {} patient record{}.",
            r,
            if r == 1 { "" } else { "s" }
        ));
    }
    b.push(Block::List(facts));
    if !f.requests.is_empty() {
        b.push(Block::Para("Log rows cited:".into()));
        b.push(Block::Table(
            [
                "Where", "Role", "When", "Request", "Login", "Client", "Status",
            ]
            .map(String::from)
            .to_vec(),
            f.requests
                .iter()
                .map(|c| {
                    let r = &c.record;
                    vec![
                        format!("{}:{}", r.file, r.line),
                        c.role.as_str().into(),
                        human(zone, r.time_utc),
                        format!(
                            "{} {}{}",
                            or_dash(r.method.as_deref()),
                            or_dash(r.uri_stem.as_deref()),
                            r.uri_query
                                .as_deref()
                                .map_or_else(String::new, |q| format!("?{q}"))
                        ),
                        or_dash(r.username.as_deref()),
                        or_dash(r.client_ip.as_deref()),
                        r.status.map_or_else(|| "-".into(), |s| s.to_string()),
                    ]
                })
                .collect(),
        ));
    }
    if let Some(s) = &f.session {
        b.push(Block::Para(format!(
            "Session of {}: {} to {}, {} ({}) from {}; first request at {}:{}. Pages in order: {}.",
            or_dash(s.user.as_deref()),
            human(zone, Some(s.start)),
            human(zone, Some(s.end)),
            super::counted(s.requests, "request"),
            super::counted(s.posts, "POST"),
            s.client_ips.join(", "),
            s.file,
            s.line,
            if s.pages.is_empty() {
                "-".into()
            } else {
                let paths: Vec<&str> = s.pages.iter().map(|p| &*p.path).collect();
                paths.join(" → ")
            }
        )));
    }
    if !f.other_fetches.is_empty() {
        b.push(Block::Para(
            "Other clients that fetched the same /temp/ path:".into(),
        ));
        b.push(download_table(&f.other_fetches, zone));
    }
    if !f.other_exports.is_empty() {
        b.push(Block::Para(format!(
            "Other downloads by {} in the logs:",
            or_dash(f.login.as_deref())
        )));
        b.push(download_table(&f.other_exports, zone));
    }
    b.push(Block::Heading(4, "Conclusion".into()));
    b.push(Block::Callout(format!(
        "Verdict: {}{}. Person: {}.",
        verdict_label(f),
        f.confidence
            .map_or_else(String::new, |c| format!(", confidence {}", c.as_str())),
        person_label(case, f)
    )));
    if !f.reasons.is_empty() {
        b.push(Block::List(f.reasons.clone()));
    }
    if !f.lead.warnings.is_empty() {
        b.push(Block::Para("Examine's warnings:".into()));
        b.push(Block::List(f.lead.warnings.clone()));
    }
}

/// Markdown text: characters with a meaning escaped, lines joined.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn render_md(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&"#".repeat(usize::from(*level)));
                out.push(' ');
                out.push_str(&md(text));
                out.push_str("\n\n");
            }
            Block::Para(text) => {
                out.push_str(&md(text));
                out.push_str("\n\n");
            }
            Block::Callout(text) => {
                out.push_str("> **");
                out.push_str(&md(text));
                out.push_str("**\n\n");
            }
            Block::List(items) => {
                for item in items {
                    out.push_str("- ");
                    out.push_str(&md(item));
                    out.push('\n');
                }
                out.push('\n');
            }
            Block::Table(header, rows) => {
                let line = |cells: &[String]| {
                    format!(
                        "| {} |\n",
                        cells.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")
                    )
                };
                out.push_str(&line(header));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for row in rows {
                    out.push_str(&line(row));
                }
                out.push('\n');
            }
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push_str(&format!("&#x{:x};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.4}\
h1,h2,h3,h4{font-family:Helvetica,Arial,sans-serif;line-height:1.2}\
h2{border-bottom:1px solid #999;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.85rem}\
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
th{background:#eee}\
.callout{border-left:4px solid #333;background:#f4f4f4;padding:.5rem .8rem;font-weight:bold}\
code{font-size:.9em}\
@media print{body{margin:0;max-width:none;font-size:10pt}h2,h3{break-after:avoid}tr,.callout{break-inside:avoid}th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

fn render_html(blocks: &[Block]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("Report");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        html_escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("<h{level}>{}</h{level}>\n", html_escape(text)));
            }
            Block::Para(text) => out.push_str(&format!("<p>{}</p>\n", html_escape(text))),
            Block::Callout(text) => {
                out.push_str(&format!("<p class=\"callout\">{}</p>\n", html_escape(text)));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", html_escape(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    out.push_str(&format!("<th>{}</th>", html_escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for c in row {
                        out.push_str(&format!("<td>{}</td>", html_escape(c)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One Timesketch event.
fn event(
    t: jiff::Timestamp,
    desc: &str,
    message: String,
    finding: &Finding,
    extra: Value,
) -> (i128, String, Value) {
    let micros = t.as_microsecond();
    let mut v = json!({
        "message": message,
        "datetime": t.to_string(),
        "timestamp": micros,
        "timestamp_desc": desc,
        "leaked_file": finding.lead.file,
        "verdict": finding.verdict.as_str(),
    });
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    (i128::from(micros), finding.lead.file.clone(), v)
}

/// Every statement and cited request, in time order.
pub fn timeline(case: &Case) -> Vec<Value> {
    let mut events: Vec<(i128, String, Value)> = Vec::new();
    for f in &case.findings {
        if let Some(s) = &f.lead.statement
            && let Some(p) = s.produced_at
        {
            events.push(event(
                p,
                "Statement produced",
                format!("{} says: {}", f.lead.file, s.text),
                f,
                json!({"source": "leaked_file", "name": s.name, "client_ip": s.ip}),
            ));
        }
        let rows = f
            .requests
            .iter()
            .map(|c| (c.role.as_str(), &c.record))
            .chain(f.other_fetches.iter().map(|d| ("other_fetch", &d.record)));
        for (role, r) in rows {
            let Some(t) = r.time_utc else { continue };
            events.push(event(
                t,
                "Request logged",
                format!(
                    "{} {} by {} from {} ({})",
                    r.method.as_deref().unwrap_or("-"),
                    r.uri_stem.as_deref().unwrap_or("-"),
                    r.username.as_deref().unwrap_or("-"),
                    r.client_ip.as_deref().unwrap_or("-"),
                    r.status.map_or_else(|| "-".into(), |s| s.to_string())
                ),
                f,
                json!({
                    "source": "log",
                    "role": role,
                    "log_file": crate::name::json(&r.file),
                    "log_line": r.line,
                    "username": r.username,
                    "client_ip": r.client_ip,
                    "user_agent": r.user_agent,
                    "uri_stem": r.uri_stem,
                    "status": r.status,
                }),
            ));
        }
    }
    events.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    events.into_iter().map(|(_, _, v)| v).collect()
}

/// A `sha256sum` line; names with a backslash or newline are escaped as
/// GNU coreutils does.
fn sum_line(hash: &str, path: &str) -> String {
    if path.contains(['\\', '\n', '\r']) {
        let escaped = path
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{hash}  {escaped}\n")
    } else {
        format!("{hash}  {path}\n")
    }
}

/// The JSON of the case, as printed and as `findings.json`.
pub fn findings_bytes(case: &Case, ctx: &Context) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&case_json(case, ctx)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Writes the report folder; returns the files written.
pub fn write_report(dir: &Path, case: &Case, ctx: &Context) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let blocks = outline(case, &ctx.zone);
    let mut timeline_bytes = Vec::new();
    for v in timeline(case) {
        serde_json::to_writer(&mut timeline_bytes, &v)?;
        timeline_bytes.push(b'\n');
    }
    let outputs: [(&str, Vec<u8>); 4] = [
        ("report.md", render_md(&blocks).into_bytes()),
        ("report.html", render_html(&blocks).into_bytes()),
        ("findings.json", findings_bytes(case, ctx)),
        ("timeline.jsonl", timeline_bytes),
    ];
    let mut sums = String::new();
    for e in &case.evidence {
        if let Some(hash) = &e.sha256 {
            sums.push_str(&sum_line(hash, &e.path));
        }
    }
    let mut written = Vec::new();
    for (name, bytes) in &outputs {
        let path = dir.join(name);
        let mut file = fs::File::create(&path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        sums.push_str(&sum_line(
            &crate::digest::sha256(bytes),
            &path.to_string_lossy(),
        ));
        written.push(path);
    }
    let path = dir.join("SHA256SUMS");
    fs::write(&path, sums)?;
    written.push(path);
    Ok(written)
}

/// Counts per verdict, for the summary line (`2 corroborated, 1 contradicted`).
pub fn verdict_counts(case: &Case) -> String {
    let parts: Vec<String> = Verdict::ALL
        .iter()
        .filter_map(|v| {
            let n = case.findings.iter().filter(|f| f.verdict == *v).count();
            (n > 0).then(|| format!("{n} {}", v.as_str()))
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_break_out_of_markdown_or_html() {
        assert_eq!(
            md("a|b <script> *x* [l](u)"),
            "a\\|b \\<script\\> \\*x\\* \\[l\\](u)"
        );
        assert_eq!(
            html_escape("<img src=x onerror=\"a\">&'"),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn sums_escape_names_as_coreutils_does() {
        assert_eq!(sum_line("ab", "x/y.log"), "ab  x/y.log\n");
        assert_eq!(sum_line("ab", "x\\y\nz"), "\\ab  x\\\\y\\nz\n");
    }
}
