//! An investigation: from a case folder (logs and leaked files, mixed) to
//! the person, in one pass over the logs.
//!
//! Each leaked file's statement ([`Lead`]) says who produced it, when and
//! from where; its own name may be a second witness ([`NameWitness`]). The
//! logs are read once, as the time-ordered stream `downloads` uses: every
//! `/temp/` download is attributed, and the requests around each statement's
//! time are kept ([`collect`]). Then each lead is joined with what the logs
//! hold ([`correlate`]): the request the statement describes, the login of
//! the session that made it, whether that login is the named person
//! ([`roster`]), and what else that person took.
//!
//! Facts (cited by file and line) are kept apart from conclusions (the
//! verdict and its reasons), so a report can show both.

pub mod collect;
pub mod correlate;
pub mod evidence;
pub mod people;
pub mod roster;
pub mod sort;

use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};

use crate::analyze::downloads::Download;
use crate::analyze::export;
use crate::analyze::sessions::Session;
use crate::artifact::examination::Examination;
use crate::artifact::statement::Statement;
use crate::w3c::Record;
use roster::{Employee, NameLink};

/// How close the logs must come to a statement to be the request it
/// describes. Shown in every report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerances {
    /// An export name's local time and `produced_at` (same zone offset).
    pub name_time: SignedDuration,
    /// A `/temp/` fetch without an export-shaped name (a PDF printout) may
    /// come this long after `produced_at` ...
    pub fetch_after: SignedDuration,
    /// ... or this long before it (clocks of one server, rounding).
    pub fetch_before: SignedDuration,
    /// A POST spans `produced_at` when it started (its time minus its time
    /// taken) and ended within this of it.
    pub build_slack: SignedDuration,
    /// Requests from the statement's address this close to `produced_at`
    /// are cited as context.
    pub nearby: SignedDuration,
    /// The stretch of log kept around `produced_at` to rebuild the session.
    pub context_before: SignedDuration,
    pub context_after: SignedDuration,
    /// A log covers `produced_at` when it falls in the log's span, widened by this.
    pub coverage_slack: SignedDuration,
}

pub const TOLERANCES: Tolerances = Tolerances {
    name_time: SignedDuration::from_secs(2),
    fetch_after: SignedDuration::from_mins(10),
    fetch_before: SignedDuration::from_secs(5),
    build_slack: SignedDuration::from_secs(2),
    nearby: SignedDuration::from_mins(10),
    context_before: SignedDuration::from_hours(1),
    context_after: SignedDuration::from_mins(30),
    coverage_slack: SignedDuration::from_mins(1),
};

/// Requests kept around the statements' times, in all; past this the rest
/// are counted and the report says so.
pub const MAX_CONTEXT_ROWS: usize = 200_000;
/// Downloads kept from the logs, in all.
pub const MAX_DOWNLOADS: usize = 200_000;
/// Items listed per finding or person (other exports, fetches, cited rows).
pub const MAX_LISTED: usize = 500;
/// Distinct statements of one NEMSIS file correlated; reports with others
/// are counted in a warning.
pub const MAX_STATEMENTS_PER_FILE: usize = crate::artifact::nemsis::MAX_STATEMENTS;
/// Patient records at which a breach must be reported to HHS and the media
/// within 60 days (45 CFR 164.406, 164.408).
pub const BREACH_THRESHOLD: u64 = 500;

/// What the leaked file's own name says, when it has the export shape
/// `<Org>.<user>.<YYYY-MM-DD-HH-MM-SS>.<ext>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameWitness {
    /// The name that carries it (the file's, or its archive's).
    pub file_name: String,
    pub org: String,
    pub login: String,
    /// The site's local civil time in the name.
    pub local: DateTime,
}

impl NameWitness {
    /// The witness of the first name that has the export shape.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<NameWitness> {
        names.into_iter().find_map(|name| {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let parsed = export::parse(&format!("/temp/{base}"));
            Some(NameWitness {
                file_name: base.to_string(),
                org: parsed.org?,
                login: parsed.export_user?,
                local: parsed.export_time_local?,
            })
        })
    }
}

/// One thing to correlate: a leaked file, or one distinct statement of a
/// NEMSIS file.
#[derive(Clone, Debug)]
pub struct Lead {
    pub file: String,
    pub sha256: String,
    pub archive_sha256: Option<String>,
    pub kind: &'static str,
    pub examine_verdict: &'static str,
    /// The statement correlation uses (the copy `examine` attributes to).
    pub statement: Option<Statement>,
    /// Whether `examine` could verify that statement (both copies agree).
    pub verified: bool,
    pub name_witness: Option<NameWitness>,
    /// NEMSIS: the reports that carry this statement; grids: data rows.
    pub records: Option<u64>,
    /// Grid exports: the header.
    pub columns: Vec<String>,
    pub warnings: Vec<String>,
}

/// Verdicts `examine` gives to a file someone changed after it was made.
pub fn is_tampered(examine_verdict: &str) -> bool {
    matches!(examine_verdict, "mismatch" | "mixed")
}

impl Lead {
    /// The leads of an examined file: one, or for NEMSIS one per distinct
    /// statement (a report whose copies disagree counts under its base64
    /// copy, the one a wrongdoer who edited the plain text missed).
    pub fn from_examination(ex: &Examination, names: &[&str]) -> Vec<Lead> {
        let name_witness = NameWitness::of(names.iter().copied());
        let base = Lead {
            file: ex.file.clone(),
            sha256: ex.sha256.clone(),
            archive_sha256: ex.archive_sha256.clone(),
            kind: ex.kind.as_str(),
            examine_verdict: ex.verdict,
            statement: ex.attribution.as_ref().map(|a| a.statement.clone()),
            verified: ex.attribution.as_ref().is_some_and(|a| a.verified),
            name_witness,
            records: ex.records,
            columns: ex.columns.clone().unwrap_or_default(),
            warnings: ex.warnings.clone(),
        };
        let Some(found) = &ex.statements else {
            return vec![base];
        };
        if found.groups.is_empty() {
            return vec![Lead {
                statement: None,
                verified: false,
                ..base
            }];
        }
        let mut base = base;
        if found.beyond > 0 {
            base.warnings.push(format!(
                "{} reports carry statements beyond the first {MAX_STATEMENTS_PER_FILE} distinct ones of this file: not correlated",
                found.beyond
            ));
        }
        let mut leads: Vec<Lead> = found
            .groups
            .iter()
            .map(|g| Lead {
                statement: Some(g.statement.clone()),
                verified: g.verified,
                records: Some(g.reports),
                ..base.clone()
            })
            .collect();
        if found.unsigned > 0 {
            leads.push(Lead {
                statement: None,
                verified: false,
                records: Some(found.unsigned),
                ..base
            });
        }
        leads
    }

    /// The instants the logs are read around: the statement's time, else
    /// the time in the file's name (read in `zone`).
    pub fn anchor(&self, zone: &crate::time::Zone) -> Option<Timestamp> {
        self.produced_at().or_else(|| {
            let w = self.name_witness.as_ref()?;
            zone.tz().to_ambiguous_timestamp(w.local).compatible().ok()
        })
    }

    /// The statement's UTC time, when it names a person or an endpoint and a time.
    pub fn produced_at(&self) -> Option<Timestamp> {
        self.statement.as_ref().and_then(|s| s.produced_at)
    }
}

/// The verdict on one lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The logs hold the request the statement describes, from its address,
    /// by a login that fits its name.
    Corroborated,
    /// The logs hold that request, but the login does not fit the name, or
    /// it came from another address, or the file's name names someone else.
    Contradicted,
    /// The logs cover the time but hold no such request.
    NotInLogs,
    /// No log covers the time.
    OutsideLogs,
    /// The statement names a registry endpoint, not a person.
    RegistryUpload,
    /// No statement to correlate.
    Unsigned,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Corroborated => "corroborated",
            Verdict::Contradicted => "contradicted",
            Verdict::NotInLogs => "not_in_logs",
            Verdict::OutsideLogs => "outside_logs",
            Verdict::RegistryUpload => "registry_upload",
            Verdict::Unsigned => "unsigned",
        }
    }

    pub const ALL: [Verdict; 6] = [
        Verdict::Corroborated,
        Verdict::Contradicted,
        Verdict::NotInLogs,
        Verdict::OutsideLogs,
        Verdict::RegistryUpload,
        Verdict::Unsigned,
    ];
}

/// How sure the verdict is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// Why a log row is cited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The `/temp/` fetch of the leaked file.
    Download,
    /// A POST that was being answered at `produced_at` (the build).
    Build,
    /// The authenticated request the session's login was taken from.
    Login,
    /// Another request from the statement's address near `produced_at`.
    Nearby,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Download => "download",
            Role::Build => "build",
            Role::Login => "login",
            Role::Nearby => "nearby",
        }
    }
}

/// A log row a finding rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cited {
    pub role: Role,
    pub record: Record,
}

/// The verdict on one lead, with everything it rests on.
#[derive(Clone, Debug)]
pub struct Finding {
    pub lead: Lead,
    pub verdict: Verdict,
    pub confidence: Option<Confidence>,
    /// The login the logs show for the request (session user, else the
    /// build POST's user, else the export name's user).
    pub login: Option<String>,
    /// Where `login` came from: `session`, `build_post`, `export_name`.
    pub login_source: Option<&'static str>,
    pub name_link: NameLink,
    /// The statement's person on the roster (who the file says it is).
    pub named: Option<Employee>,
    pub download: Option<Download>,
    pub requests: Vec<Cited>,
    pub session: Option<Session>,
    pub other_exports: Vec<Download>,
    pub other_fetches: Vec<Download>,
    /// Days (UTC) whose logs to obtain, for `outside_logs`.
    pub missing_days: Vec<jiff::civil::Date>,
    pub reasons: Vec<String>,
}

impl Finding {
    /// Cites a log row, once (a row cited for one role is not cited again).
    pub fn cite(&mut self, role: Role, record: &Record) {
        let known = self
            .requests
            .iter()
            .any(|c| c.record.file == record.file && c.record.line == record.line);
        if !known {
            self.requests.push(Cited {
                role,
                record: record.clone(),
            });
        }
    }
}

/// One person the findings point at.
#[derive(Clone, Debug)]
pub struct Person {
    pub login: String,
    pub name: Option<String>,
    pub employee_id: Option<u64>,
    /// `roster`, `statement` (the name of a statement the login fits), or none.
    pub name_source: Option<&'static str>,
    /// Indexes into the findings.
    pub findings: Vec<usize>,
    /// Every download attributed to this login in the logs (export or
    /// session user), in time order.
    pub downloads: Vec<Download>,
    pub more_downloads: u64,
    pub client_ips: Vec<String>,
}

/// A log file's span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    pub path: String,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub records: u64,
    pub malformed: u64,
    pub untimed: u64,
}

/// A stretch of time no log covers, between two that do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// Gaps this long or longer between log spans are reported.
pub const MIN_GAP: SignedDuration = SignedDuration::from_hours(1);

/// The union of the spans, and the gaps between them.
pub fn gaps(coverage: &[Coverage]) -> Vec<Gap> {
    let mut spans: Vec<(Timestamp, Timestamp)> = coverage
        .iter()
        .filter_map(|c| Some((c.first?, c.last?)))
        .collect();
    spans.sort();
    let mut gaps = Vec::new();
    let mut end: Option<Timestamp> = None;
    for (s, e) in spans {
        if let Some(prev) = end
            && s.duration_since(prev) >= MIN_GAP
        {
            gaps.push(Gap { from: prev, to: s });
        }
        end = Some(end.map_or(e, |p| p.max(e)));
    }
    gaps
}

/// Whether a log covers an instant.
pub fn covered(coverage: &[Coverage], t: Timestamp) -> bool {
    let slack = TOLERANCES.coverage_slack;
    coverage.iter().any(|c| match (c.first, c.last) {
        (Some(f), Some(l)) => {
            f.checked_sub(slack).is_ok_and(|f| f <= t) && l.checked_add(slack).is_ok_and(|l| t <= l)
        }
        _ => false,
    })
}

/// What an input is to the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceRole {
    Log,
    Leaked,
    Roster,
    Ignored,
}

impl EvidenceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceRole::Log => "log",
            EvidenceRole::Leaked => "leaked",
            EvidenceRole::Roster => "roster",
            EvidenceRole::Ignored => "ignored",
        }
    }
}

/// One input, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exhibit {
    pub path: String,
    pub sha256: Option<String>,
    pub bytes: u64,
    pub role: EvidenceRole,
    /// `w3c`, `w3c+gzip`, `nemsis`, `csv`, `xlsx`, `pdf`, `zip`, `roster`; for
    /// an ignored file, what it seems to be.
    pub kind: String,
    /// Why it was ignored, or what could not be read.
    pub note: Option<String>,
}

/// The whole case, ready to be written out.
#[derive(Clone, Debug)]
pub struct Case {
    pub version: &'static str,
    pub arguments: Vec<String>,
    pub tz: String,
    pub generated_at: Option<Timestamp>,
    pub evidence: Vec<Exhibit>,
    pub coverage: Vec<Coverage>,
    pub gaps: Vec<Gap>,
    pub findings: Vec<Finding>,
    pub people: Vec<Person>,
    pub limitations: Vec<String>,
    /// Inputs or members that could not be read (also on stderr).
    pub problems: Vec<String>,
    /// What is known of each client address the findings and people name.
    pub places: std::collections::BTreeMap<String, crate::enrich::geo::Geo>,
}

impl Case {
    /// Patient records across the leaked files (NEMSIS reports, grid data
    /// rows; identical files counted once; an upper bound on the
    /// individuals: one patient may appear twice), and whether any file's
    /// count is unknown.
    pub fn records(&self) -> (u64, bool) {
        let mut total = 0u64;
        let mut unknown = false;
        // The same file given twice (two copies, or a member and its
        // extracted copy) holds the same records once.
        let mut seen = std::collections::HashSet::new();
        for f in &self.findings {
            let text = f.lead.statement.as_ref().map(|s| s.text.as_str());
            if !seen.insert((f.lead.sha256.as_str(), text)) {
                continue;
            }
            match f.lead.records {
                Some(n) => total = total.saturating_add(n),
                None => unknown = true,
            }
        }
        (total, unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_name_witness_is_the_first_export_shaped_name() {
        let w = NameWitness::of([
            "leaked/x.zip!AcmeAmbulance.jsmith.2017-01-19-11-16-16/NEMSIS_export.xml",
            "leaked/AcmeAmbulance.mary.jones.2017-01-19-11-16-16.zip",
        ])
        .unwrap();
        assert_eq!(w.login, "mary.jones");
        assert_eq!(w.org, "AcmeAmbulance");
        assert_eq!(w.local.to_string(), "2017-01-19T11:16:16");
        assert_eq!(NameWitness::of(["old_export.csv", "PCR.48213.pdf"]), None);
    }

    #[test]
    fn coverage_gaps_and_the_slack_at_the_edges() {
        let day = |first: &str, last: &str| Coverage {
            path: "x".into(),
            first: Some(t(first)),
            last: Some(t(last)),
            records: 1,
            malformed: 0,
            untimed: 0,
        };
        let logs = [
            day("2017-01-19T00:00:07Z", "2017-01-19T23:59:41Z"),
            day("2017-01-21T00:00:03Z", "2017-01-21T23:59:50Z"),
        ];
        assert_eq!(
            gaps(&logs),
            [Gap {
                from: t("2017-01-19T23:59:41Z"),
                to: t("2017-01-21T00:00:03Z")
            }]
        );
        assert!(covered(&logs, t("2017-01-19T00:00:00Z")));
        assert!(covered(&logs, t("2017-01-20T00:00:40Z")));
        assert!(!covered(&logs, t("2017-01-20T12:00:00Z")));
        assert!(!covered(&[], t("2017-01-20T12:00:00Z")));
    }
}
