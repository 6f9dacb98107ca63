//! PDF run reports and CMS-1500 forms: the "Printed by" stamp, the metadata,
//! and the revisions a leaker may have tried to overwrite.
//!
//! The application prints "Printed by <employee>" on every page and puts the
//! employee's name, IP address and the date requested into the document's
//! metadata (which fields is not documented). A leaker may strip the
//! metadata, rewrite it with an incremental update (the old objects stay in
//! the file), or re-print the file, so every source is read and compared:
//! the page text and visible annotations ([`text`]), every Info entry and
//! XMP property ([`metadata`]), and each revision's Info and stamp (an
//! earlier revision is read by parsing the bytes up to its `%%EOF`). Files are parsed by lopdf in
//! memory and never written; its panics on hostile input are caught and
//! reported as damage.

mod base14;
mod metadata;
mod text;

use std::panic::{AssertUnwindSafe, catch_unwind};

use jiff::Timestamp;
use lopdf::{Document, LoadOptions};

use super::Attribution;
use super::statement::Statement;
pub use metadata::Identity;

/// The most a single stream may decompress to (content, XMP, object streams).
const MAX_STREAM: usize = 16 << 20;
/// The most revisions whose Info is read one by one (each is a full parse).
const MAX_REVISIONS: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfVerdict {
    /// The printed name and the metadata name the same person.
    Consistent,
    /// The printed name and the metadata disagree, or a later revision
    /// changed who, where or when.
    Mismatch,
    /// A name is printed, the metadata names no one (re-printed to PDF).
    VisibleOnly,
    /// The metadata names someone, no "Printed by" is on the pages.
    MetadataOnly,
    /// Nobody is named anywhere.
    None,
    /// A user password is needed to read the file.
    Encrypted,
    /// The file could not be read as a whole; what was read is reported.
    Damaged,
}

/// The visible stamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintedBy {
    /// The name that follows "Printed by".
    pub name: String,
    /// The whole line it was found on (first page).
    pub text: String,
    /// 1-based pages carrying the stamp with this name.
    pub pages: Vec<u32>,
}

/// Who, where and when one revision's metadata says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionStatement {
    /// 1-based: 1 is the original file.
    pub revision: usize,
    pub statement: Option<Statement>,
    /// The name after "Printed by" on this revision's pages.
    pub printed_by: Option<String>,
    /// What differs from the revision before (`name`, `ip`, `date`,
    /// `printed_by`).
    pub changed: Vec<&'static str>,
}

/// Everything read from a PDF besides the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PdfFindings {
    pub printed_by: Option<PrintedBy>,
    /// Who the (newest) metadata names, with the vendor's sentence when found.
    pub metadata_statement: Option<Statement>,
    /// Every Info entry and XMP property (`xmp:` + qualified name), in order.
    pub metadata: Vec<(String, String)>,
    pub revisions: usize,
    pub revision_statements: Vec<RevisionStatement>,
    /// Whether the file is encrypted (owner-only files included).
    pub encrypted: bool,
}

/// What a PDF says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdfReport {
    pub verdict: PdfVerdict,
    pub attribution: Option<Attribution>,
    pub findings: PdfFindings,
    pub warnings: Vec<String>,
}

/// Examines a PDF held in memory; `password` opens files that need one.
pub fn examine(bytes: &[u8], password: Option<&str>) -> PdfReport {
    match catch_unwind(AssertUnwindSafe(|| examine_inner(bytes, password))) {
        Ok(report) => report,
        Err(_) => {
            let mut warnings =
                vec!["the PDF reader failed on this file (hostile or damaged)".into()];
            let findings = salvage(bytes, &mut warnings);
            judge(findings, Vec::new(), true, warnings)
        }
    }
}

fn load_options(password: Option<&str>) -> LoadOptions {
    let mut options = LoadOptions::with_max_decompressed_size(MAX_STREAM);
    options.password = password.map(str::to_string);
    options
}

/// Loads a document in memory, turning a panic into an error.
fn load(bytes: &[u8], password: Option<&str>) -> Result<Document, String> {
    match catch_unwind(AssertUnwindSafe(|| {
        Document::load_mem_with_options(bytes, load_options(password))
    })) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the PDF reader failed on it".into()),
    }
}

fn examine_inner(bytes: &[u8], password: Option<&str>) -> PdfReport {
    let mut warnings = Vec::new();
    let doc = match load(bytes, password) {
        Ok(doc) => doc,
        Err(e) => {
            if password.is_some() && looks_encrypted(bytes) {
                warnings.push(format!("the password given does not open it ({e})"));
                return encrypted(warnings);
            }
            warnings.push(format!("not readable as a whole: {e}"));
            let findings = salvage(bytes, &mut warnings);
            return judge(findings, Vec::new(), true, warnings);
        }
    };
    if doc.is_encrypted() {
        warnings.push(if password.is_some() {
            "the password given does not open it".into()
        } else {
            "a user password is needed to open it (give --password); its strings are ciphertext, so no text or metadata is shown".into()
        });
        return encrypted(warnings);
    }
    let mut findings = PdfFindings {
        encrypted: doc.was_encrypted(),
        ..PdfFindings::default()
    };
    if findings.encrypted {
        warnings.push(if password.is_some() {
            "encrypted: opened with the password given".into()
        } else {
            "encrypted with an owner password only: it opens without a password".into()
        });
    }
    let mut damaged = false;
    if let Some(recovery) = &doc.xref_recovery {
        match recovery {
            lopdf::xref::XrefRecovery::OffsetCorrected => warnings.push(
                "a cross-reference offset was wrong and was corrected (edited by hand?)".into(),
            ),
            _ => {
                damaged = true;
                warnings.push(
                    "the cross-reference data is missing or broken (truncated?): objects were recovered by scanning the file"
                        .into(),
                );
            }
        }
    }
    findings.metadata = metadata::read(&doc, &mut warnings);
    // A lost trailer loses the Info with it: look for one in the bytes.
    if damaged && findings.metadata.iter().all(|(k, _)| k.starts_with("xmp:")) {
        let raw = metadata::scan_raw(bytes);
        if !raw.is_empty() {
            warnings.push("the Info dictionary was found by scanning the raw bytes".into());
            findings.metadata.splice(0..0, raw);
        }
    }
    let pages = text::read_pages(&doc, &mut warnings);
    findings.printed_by = stamp(&pages, &mut warnings);
    if pages.text_chars == 0 {
        if pages.pages == 0 {
            warnings.push("the document has no pages".into());
        } else if pages.images > 0 {
            warnings.push(
                "no text layer: the pages hold only images (a scan, or printed as images); the stamp cannot be read without OCR, which leaktrace does not do"
                    .into(),
            );
        } else {
            warnings.push(
                "the pages hold no text (drawn as outlines, or blank); the stamp cannot be read"
                    .into(),
            );
        }
    }
    let identity = metadata::identity(&findings.metadata);
    findings.metadata_statement = identity.statement();
    let history = if damaged {
        findings.revisions = 1;
        Vec::new()
    } else {
        let newest = Revision {
            identity,
            stamp: findings.printed_by.as_ref().map(|p| p.name.clone()),
        };
        revisions(bytes, &doc, password, newest, &mut findings, &mut warnings)
    };
    judge(findings, history, damaged, warnings)
}

fn looks_encrypted(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"/Encrypt").is_some()
}

fn encrypted(warnings: Vec<String>) -> PdfReport {
    PdfReport {
        verdict: PdfVerdict::Encrypted,
        attribution: None,
        findings: PdfFindings {
            encrypted: true,
            revisions: 1,
            ..PdfFindings::default()
        },
        warnings,
    }
}

/// What can be read from a file lopdf refused: an Info-like dictionary.
fn salvage(bytes: &[u8], warnings: &mut Vec<String>) -> PdfFindings {
    let metadata = metadata::scan_raw(bytes);
    if metadata.is_empty() {
        warnings.push("no Info-like dictionary was found in the raw bytes".into());
    } else {
        warnings.push("an Info-like dictionary was found by scanning the raw bytes".into());
    }
    let identity = metadata::identity(&metadata);
    PdfFindings {
        metadata_statement: identity.statement(),
        metadata,
        revisions: 1,
        encrypted: looks_encrypted(bytes),
        ..PdfFindings::default()
    }
}

/// Where each revision ends: after each `%%EOF` preceded by a `startxref`.
fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(bytes, b"%%EOF") {
        if memchr::memmem::rfind(&bytes[from..at], b"startxref").is_some() {
            let mut end = at + 5;
            while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
                end += 1;
            }
            ends.push(end);
            from = at + 5;
        }
    }
    ends
}

/// What one revision says: its metadata's identity and its stamp.
#[derive(Clone, Debug, Default)]
struct Revision {
    identity: Identity,
    stamp: Option<String>,
}

impl Revision {
    /// Which of who, where, when and the printed name differ in `later`.
    fn changes(&self, later: &Revision) -> Vec<&'static str> {
        let mut changed = self.identity.changes(&later.identity);
        let same_stamp = match (&self.stamp, &later.stamp) {
            (Some(a), Some(b)) => same_name(a, b),
            (a, b) => a == b,
        };
        if !same_stamp {
            changed.push("printed_by");
        }
        changed
    }

    fn describe(&self, field: &str) -> String {
        match field {
            "printed_by" => self.stamp.clone().unwrap_or_else(|| "(none)".into()),
            _ => self.identity.describe(field),
        }
    }
}

/// Reads each earlier revision's Info and pages and records who, where and
/// when each one says; returns them, oldest first.
fn revisions(
    bytes: &[u8],
    doc: &Document,
    password: Option<&str>,
    newest: Revision,
    findings: &mut PdfFindings,
    warnings: &mut Vec<String>,
) -> Vec<Revision> {
    let linked = doc.revision_count();
    let mut ends = revision_ends(bytes);
    // A linearized file has an extra first-page section with its own %%EOF.
    if doc.linearization.is_some() && ends.len() > linked {
        ends.remove(0);
    }
    if ends.len() > linked {
        warnings.push(format!(
            "the file holds {} revisions (each with %%EOF, xref and trailer) but its cross-reference chain links {linked}: \
             an update cut the link to older revisions; all were read",
            ends.len()
        ));
    }
    let count = linked.max(ends.len()).max(1);
    findings.revisions = count;
    let mut history = Vec::new();
    if count > 1 && ends.len() == count {
        let earlier = &ends[..ends.len() - 1];
        // The earliest revisions matter most (the download itself).
        if earlier.len() > MAX_REVISIONS {
            warnings.push(format!(
                "{count} revisions: revisions {} to {} were not read one by one",
                MAX_REVISIONS + 1,
                earlier.len()
            ));
        }
        for (i, &end) in earlier.iter().enumerate().take(MAX_REVISIONS) {
            let mut ignored = Vec::new();
            let revision = match load(&bytes[..end], password) {
                Ok(old) => Revision {
                    identity: metadata::identity(&metadata::read(&old, &mut ignored)),
                    stamp: stamp(&text::read_pages(&old, &mut ignored), &mut ignored)
                        .map(|p| p.name),
                },
                Err(e) => {
                    warnings.push(format!(
                        "revision {} is not readable on its own: {e}",
                        i + 1
                    ));
                    Revision::default()
                }
            };
            history.push((i + 1, revision));
        }
    } else if count > 1 {
        warnings.push(format!(
            "{count} revisions, but their ends could not be found; only the newest was read"
        ));
    }
    history.push((count.max(1), newest));
    let mut previous: Option<&Revision> = None;
    for (number, revision) in &history {
        let changed = previous.map_or_else(Vec::new, |p| p.changes(revision));
        if let Some(p) = previous {
            for field in &changed {
                let what = match *field {
                    "printed_by" => "the printed name".to_string(),
                    field => format!("the metadata's {field}"),
                };
                warnings.push(format!(
                    "revision {number} changed {what}: {} → {}",
                    p.describe(field),
                    revision.describe(field)
                ));
            }
        }
        findings.revision_statements.push(RevisionStatement {
            revision: *number,
            statement: revision.identity.statement(),
            printed_by: revision.stamp.clone(),
            changed,
        });
        previous = Some(revision);
    }
    if history.len() > 1
        && findings
            .revision_statements
            .iter()
            .all(|r| r.changed.is_empty())
    {
        warnings.push(format!(
            "{count} revisions: the file was changed after it was made (incremental updates); who, where and when and the printed name stayed the same"
        ));
    }
    history.into_iter().map(|(_, i)| i).collect()
}

/// How many different printed names are told apart (more are counted).
const MAX_STAMP_NAMES: usize = 50;

/// Finds "Printed by <name>" on the pages. The stamp is on every page, so
/// when lines name different people the name on the most pages is reported
/// (the first one found on a tie), and the others are warned about.
fn stamp(pages: &text::Pages, warnings: &mut Vec<String>) -> Option<PrintedBy> {
    let mut found: Vec<PrintedBy> = Vec::new();
    for (i, page) in pages.text.iter().enumerate() {
        let number = i as u32 + 1;
        for line in page.lines() {
            let Some(name) = printed_by(line) else {
                continue;
            };
            if let Some(f) = found.iter_mut().find(|f| same_name(&f.name, &name)) {
                if f.pages.last() != Some(&number) {
                    f.pages.push(number);
                }
            } else if found.len() < MAX_STAMP_NAMES {
                found.push(PrintedBy {
                    name,
                    text: line.trim().to_string(),
                    pages: vec![number],
                });
            }
        }
    }
    let best = found
        .iter()
        .enumerate()
        .max_by_key(|(i, f)| (f.pages.len(), std::cmp::Reverse(*i)))
        .map(|(i, _)| i)?;
    let reported = found.swap_remove(best);
    found.sort_by_key(|f| f.pages.first().copied());
    for other in &found {
        let pages: Vec<String> = other.pages.iter().take(5).map(u32::to_string).collect();
        warnings.push(format!(
            "another printed name on page{} {}: \"{}\" (reported: {}, on more pages)",
            if other.pages.len() == 1 { "" } else { "s" },
            pages.join(", "),
            other.text,
            reported.name
        ));
    }
    if pages.pages > 0 && (reported.pages.len() as u32) < pages.pages {
        warnings.push(format!(
            "the stamp is on {} of {} pages",
            reported.pages.len(),
            pages.pages
        ));
    }
    Some(reported)
}

/// The name after "Printed by" (any case, colon optional) on a line.
fn printed_by(line: &str) -> Option<String> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(at) = find_ci(&bytes[from..], b"printed") {
        let start = from + at;
        from = start + 7;
        let mut i = from;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if !bytes[i..]
            .get(..2)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"by"))
        {
            continue;
        }
        i += 2;
        if bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b':') {
            i += 1;
        }
        let name = name_part(&line[i..]);
        if !name.is_empty() {
            return Some(name);
        }
    }
    None
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The name at the start of the rest of a stamp line: it ends at a wide gap,
/// a separator, `on`/`at`, or a word starting with a digit (a date).
fn name_part(rest: &str) -> String {
    let rest = rest.split(['\t', '|']).next().unwrap_or_default();
    let rest = rest.split("  ").next().unwrap_or_default();
    let mut words = Vec::new();
    for word in rest.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "on" | "at" | "-" | "–" | "—" | "(" | "date:" | "on:"
        ) || word.starts_with(|c: char| c.is_ascii_digit())
        {
            break;
        }
        words.push(word);
    }
    words
        .join(" ")
        .trim_end_matches([',', ';', '.', ':'])
        .to_string()
}

/// Names compared without case and spaces; `Doe, Jane` is `Jane Doe`.
pub fn same_name(a: &str, b: &str) -> bool {
    fn key(s: &str) -> String {
        let s = match s.split_once(',') {
            Some((last, first)) if !first.contains(',') => format!("{first}{last}"),
            _ => s.to_string(),
        };
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    }
    key(a) == key(b)
}

/// Decides the verdict and whom to question.
fn judge(
    findings: PdfFindings,
    history: Vec<Revision>,
    damaged: bool,
    mut warnings: Vec<String>,
) -> PdfReport {
    let visible = findings.printed_by.as_ref().map(|p| p.name.clone());
    let meta = findings
        .metadata_statement
        .clone()
        .filter(|s| s.name.is_some());
    // The earliest revision naming someone, when a later one changed it.
    let earliest = history
        .iter()
        .find(|r| r.identity.name.is_some() || r.stamp.is_some());
    let rewritten = match (earliest, history.last()) {
        (Some(first), Some(last)) => !first.changes(last).is_empty(),
        _ => false,
    };
    let stamp_statement = |name: &str| Statement {
        text: format!("Printed by {name}"),
        parsed: false,
        name: Some(name.to_string()),
        user_id: None,
        ip: None,
        produced_at: None,
        host: None,
        recipient: None,
    };
    let (verdict, attribution) = if rewritten {
        let first = earliest.and_then(|r| {
            r.identity
                .statement()
                .filter(|s| s.name.is_some())
                .or_else(|| r.stamp.as_deref().map(stamp_statement))
        });
        warnings.push(
            "a later revision rewrote who, where or when the file names: attributed to the earliest revision"
                .into(),
        );
        if let (Some(v), Some(f)) = (&visible, first.as_ref().and_then(|s| s.name.as_ref()))
            && !same_name(v, f)
        {
            warnings.push(format!(
                "the printed name ({v}) is not the earliest revision's ({f})"
            ));
        }
        (PdfVerdict::Mismatch, first)
    } else {
        match (&visible, &meta) {
            (Some(v), Some(m)) => {
                let name = m.name.as_deref().unwrap_or_default();
                if same_name(v, name) {
                    (PdfVerdict::Consistent, Some(m.clone()))
                } else {
                    warnings.push(format!(
                        "the printed name ({v}) is not the one in the metadata ({name}): attributed to the printed name, which is on the pages; the metadata is easier to edit"
                    ));
                    (PdfVerdict::Mismatch, Some(stamp_statement(v)))
                }
            }
            (Some(v), None) => (PdfVerdict::VisibleOnly, Some(stamp_statement(v))),
            (None, Some(m)) => (PdfVerdict::MetadataOnly, Some(m.clone())),
            (None, None) => (PdfVerdict::None, None),
        }
    };
    let verdict = if damaged {
        PdfVerdict::Damaged
    } else {
        verdict
    };
    PdfReport {
        attribution: attribution.map(|statement| Attribution {
            statement,
            verified: verdict == PdfVerdict::Consistent,
        }),
        verdict,
        findings,
        warnings,
    }
}

/// A date as the metadata writes it: PDF (`D:20210701173516Z`), RFC 3339,
/// or `2021-07-01 17:35:16-00:00`.
pub fn parse_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Some(pdf) = metadata::pdf_date(text) {
        return Some(pdf);
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    text.replacen(' ', "T", 1).parse::<Timestamp>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_by_takes_the_name_on_its_line() {
        for (line, name) in [
            ("Printed by: Jane Doe", Some("Jane Doe")),
            ("PRINTED BY Jane Doe on 2021-07-01 17:35", Some("Jane Doe")),
            ("printed   by:Zoë O'Brien-Núñez", Some("Zoë O'Brien-Núñez")),
            (
                "Run report   Printed by Jane Doe   Page 1 of 2",
                Some("Jane Doe"),
            ),
            ("Printedby:JaneDoe", Some("JaneDoe")),
            ("Printed by", None),
            (
                "This copy was printed by the billing office",
                Some("the billing office"),
            ),
            ("Printed bytes: 12", None),
            ("Reprinted by: Mary Jones | 07/01/2021", Some("Mary Jones")),
        ] {
            assert_eq!(printed_by(line).as_deref(), name, "{line}");
        }
    }

    #[test]
    fn the_name_on_most_pages_is_the_stamp() {
        let pages = text::Pages {
            text: vec![
                "Note: printed by the billing office\nPrinted by: Jane Doe".into(),
                "Printed by: JANE DOE".into(),
                "nothing".into(),
            ],
            pages: 3,
            ..text::Pages::default()
        };
        let mut warnings = Vec::new();
        let s = stamp(&pages, &mut warnings).unwrap();
        assert_eq!(
            (s.name.as_str(), s.pages.as_slice()),
            ("Jane Doe", &[1, 2][..])
        );
        assert_eq!(
            warnings,
            [
                "another printed name on page 1: \"Note: printed by the billing office\" (reported: Jane Doe, on more pages)",
                "the stamp is on 2 of 3 pages"
            ]
        );
    }

    #[test]
    fn names_compare_without_case_spaces_or_comma_order() {
        assert!(same_name("Jane Doe", "JANE  DOE"));
        assert!(same_name("JaneDoe", "Jane Doe"));
        assert!(same_name("Doe, Jane", "Jane Doe"));
        assert!(!same_name("Jane Doe", "John Doe"));
    }

    #[test]
    fn dates_in_three_shapes() {
        for text in [
            "D:20210701173516Z",
            "D:20210701123516-05'00'",
            "D:20210701123516-05'00",
            "2021-07-01T17:35:16Z",
            "2021-07-01T12:35:16-05:00",
            "2021-07-01 17:35:16-00:00",
        ] {
            assert_eq!(
                parse_date(text).map(|t| t.to_string()).as_deref(),
                Some("2021-07-01T17:35:16Z"),
                "{text}"
            );
        }
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn mangled_fixtures_never_panic_or_hang() {
        // Deterministic byte damage to every committed fixture: each run
        // must end with a report (catch_unwind turns lopdf panics into one).
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/pdf");
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "pdf") {
                continue;
            }
            let original = std::fs::read(&path).unwrap();
            for _ in 0..12 {
                let mut bytes = original.clone();
                for _ in 0..1 + next() % 8 {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = next() as u8;
                }
                let cut = bytes.len() - (next() % 64) as usize % bytes.len();
                let r = examine(&bytes[..cut], None);
                assert!(r.findings.revisions >= 1 || r.verdict == PdfVerdict::Damaged);
            }
        }
    }

    #[test]
    fn garbage_is_damaged_not_a_panic() {
        for bytes in [
            &b""[..],
            b"%PDF-1.4",
            b"%PDF-1.4\n1 0 obj << /Author (Jane",
            b"%PDF-1.7\n%%EOF startxref %%EOF xref trailer <<>>",
        ] {
            let r = examine(bytes, None);
            assert_eq!(r.verdict, PdfVerdict::Damaged, "{bytes:?}: {r:?}");
        }
    }
}
