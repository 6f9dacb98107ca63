//! PDF run reports and CMS-1500 forms: the "Printed by" stamp, the metadata,
//! and the revisions a leaker may have tried to overwrite.
//!
//! The application prints "Printed by &lt;employee&gt;" on every page and puts the
//! employee's name, IP address and the date requested into the document's
//! metadata (which fields is not documented). A leaker may strip the
//! metadata, rewrite it with an incremental update (the old objects stay in
//! the file), or re-print the file, so every source is read and compared:
//! the page text and visible annotations (`text`), every Info entry and
//! XMP property (`metadata`), and each revision's Info and stamp (an
//! earlier revision is read by parsing the bytes up to its `%%EOF`). Files are parsed by lopdf in
//! memory and never written; its panics on hostile input are caught and
//! reported as damage. lopdf silently drops an object nested deeper than it
//! parses (100 levels), so objects missing that way are warned about, and a
//! dropped Info dictionary is read from the bytes (`info::lost_info`).

mod admit;
mod base14;
mod cmap;
mod font;
mod info;
mod metadata;
mod revision;
#[cfg(test)]
mod testing;
mod text;

use crate::contain::contain;
use jiff::Timestamp;
use lopdf::{Document, LoadOptions};

use super::Attribution;
use super::grid::size;
use super::statement::Statement;
use admit::{ADMISSION, Admission};
pub use admit::{MAX_PDF_BYTES, MAX_PDF_OBJECTS};
use info::{info_by_hand, lost_info, lost_objects, object_bytes, raw_info_reference};
pub use metadata::Identity;
use revision::{Linked, Revision, revisions};
pub use text::MAX_PAGES;

/// The most a single stream may decompress to (content, XMP, object streams).
const MAX_STREAM: usize = 16 << 20;

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

impl PdfVerdict {
    /// The verdict's name in the output (`examine`'s `verdict`).
    pub fn as_str(self) -> &'static str {
        match self {
            PdfVerdict::Consistent => "consistent",
            PdfVerdict::Mismatch => "mismatch",
            PdfVerdict::VisibleOnly => "visible_only",
            PdfVerdict::MetadataOnly => "metadata_only",
            PdfVerdict::None => "none",
            PdfVerdict::Encrypted => "encrypted",
            PdfVerdict::Damaged => "damaged",
        }
    }
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
    examine_within(bytes, password, ADMISSION)
}

/// [`examine`], loading only what `admission` allows.
fn examine_within(bytes: &[u8], password: Option<&str>, admission: Admission) -> PdfReport {
    match contain(|| examine_inner(bytes, password, admission)) {
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
    match contain(|| Document::load_mem_with_options(bytes, load_options(password))) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
            ..
        }))) => Err(format!(
            "a stream needed to read it (an object or cross-reference stream) decompresses to \
             more than {}, the limit",
            size(MAX_STREAM as u64)
        )),
        Ok(Err(lopdf::Error::Decompress(why))) => Err(format!(
            "a stream needed to read it could not be decompressed: {why}"
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the PDF reader failed on it".into()),
    }
}

fn examine_inner(bytes: &[u8], password: Option<&str>, admission: Admission) -> PdfReport {
    let mut warnings = Vec::new();
    if let Some(why) = admit::refusal(bytes, admission) {
        warnings.push(format!("not loaded: {why}"));
        let findings = salvage(bytes, &mut warnings);
        return judge(findings, Vec::new(), true, warnings);
    }
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
    findings.metadata = read_metadata(&doc, bytes, &mut warnings);
    if let Some(lost) = lost_objects(&doc, bytes) {
        warnings.push(lost);
    }
    // A lost trailer loses the Info with it: look for one in the bytes.
    if damaged && findings.metadata.iter().all(|(k, _)| k.starts_with("xmp:")) {
        let raw = metadata::scan_raw(bytes);
        if !raw.is_empty() {
            warnings.push("the Info dictionary was found by scanning the raw bytes".into());
            findings.metadata.splice(0..0, raw);
        }
    }
    let (pages, printed_by) = read_stamp(&doc, &mut warnings);
    findings.printed_by = printed_by;
    if pages.text_chars == 0 {
        if pages.pages == 0 {
            warnings.push("the document has no pages".into());
        } else if pages.unread > 0 {
            warnings.push(format!(
                "no text was read: {} page content stream{} could not be read (see above), so \
                 whether the stamp is on the pages is not known",
                pages.unread,
                if pages.unread == 1 { "" } else { "s" }
            ));
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
        let linked = Linked {
            revisions: doc.revision_count(),
            linearized: doc.linearization.is_some(),
        };
        // Each earlier revision is loaded on its own: not beside this one.
        drop(doc);
        revisions(
            bytes,
            linked,
            password,
            newest,
            &mut findings,
            &mut warnings,
        )
    };
    judge(findings, history, damaged, warnings)
}

/// Every Info entry and XMP property; an Info dictionary lopdf dropped is
/// read from the bytes (see [`info::lost_info`]).
fn read_metadata(
    doc: &Document,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Vec<(String, String)> {
    let mut found = metadata::read(doc, warnings);
    if let Some(info) = lost_info(doc, bytes, warnings) {
        found.splice(0..0, info);
    }
    found
}

/// Why a stream was not read, for a warning about `what`: a stream over the
/// size limit is said to be one (lopdf's own message, "couldn't decompress
/// stream", says so even of a stream that is not compressed).
fn unreadable_stream(what: &str, stream: &lopdf::Stream, e: &lopdf::Error) -> String {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            if stream.filters().is_ok_and(|f| !f.is_empty()) {
                format!(
                    "{what} decompresses to more than {}, the limit: not read",
                    size(MAX_STREAM as u64)
                )
            } else {
                format!(
                    "{what} is {} long (not compressed), over the limit of {}: not read",
                    size(stream.content.len() as u64),
                    size(MAX_STREAM as u64)
                )
            }
        }
        lopdf::Error::Decompress(why) => format!("{what} could not be decompressed: {why}"),
        e => format!("{what} could not be decoded: {e}"),
    }
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
    let mut metadata = metadata::scan_raw(bytes);
    // An Info dictionary lopdf cannot parse (one too deep) defeats the scan.
    if metadata.is_empty()
        && let Some(id) = raw_info_reference(bytes)
        && let Some(raw) = object_bytes(None, bytes, id)
    {
        let mut notes = Vec::new();
        if let Some(found) = info_by_hand(Some(&raw), id, &mut notes) {
            metadata = found;
            warnings.extend(notes);
        }
    }
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

/// How many different printed names are told apart (more are counted).
const MAX_STAMP_NAMES: usize = 50;

/// Reads the pages for "Printed by <name>" (see [`Stamps`]); each page's
/// text is dropped once it has been looked at.
fn read_stamp(doc: &Document, warnings: &mut Vec<String>) -> (text::Pages, Option<PrintedBy>) {
    let mut stamps = Stamps::default();
    let pages = text::read_pages(doc, warnings, |number, text| stamps.page(number, text));
    let found = stamps.finish(&pages, warnings);
    (pages, found)
}

/// "Printed by <name>" lines, gathered page by page. The stamp is on every
/// page, so when lines name different people the name on the most pages is
/// reported (the first one found on a tie), and the others are warned
/// about.
#[derive(Default)]
struct Stamps {
    found: Vec<PrintedBy>,
    /// The names' keys, computed once: pages may hold millions of stamps.
    keys: Vec<String>,
}

impl Stamps {
    fn page(&mut self, number: u32, text: &str) {
        for line in text.lines() {
            let Some(name) = printed_by(line) else {
                continue;
            };
            let key = name_key(&name);
            if let Some(at) = self.keys.iter().position(|k| *k == key) {
                let f = &mut self.found[at];
                if f.pages.last() != Some(&number) {
                    f.pages.push(number);
                }
            } else if self.found.len() < MAX_STAMP_NAMES {
                self.keys.push(key);
                self.found.push(PrintedBy {
                    name,
                    text: line.trim().to_string(),
                    pages: vec![number],
                });
            }
        }
    }

    fn finish(self, pages: &text::Pages, warnings: &mut Vec<String>) -> Option<PrintedBy> {
        let mut found = self.found;
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
        // Out of the pages looked at: those past the page limit were not.
        let looked_at = pages.pages - pages.beyond;
        if looked_at > 0 && (reported.pages.len() as u32) < looked_at {
            warnings.push(format!(
                "the stamp is on {} of {} pages",
                reported.pages.len(),
                looked_at
            ));
        }
        Some(reported)
    }
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
    name_key(a) == name_key(b)
}

/// A name as [`same_name`] compares it.
fn name_key(s: &str) -> String {
    let s = match s.split_once(',') {
        Some((last, first)) if !first.contains(',') => format!("{first}{last}"),
        _ => s.to_string(),
    };
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
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
    use testing::raw_pdf;

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
        let mut stamps = Stamps::default();
        for (number, text) in [
            "Note: printed by the billing office\nPrinted by: Jane Doe",
            "Printed by: JANE DOE",
            "nothing",
        ]
        .into_iter()
        .enumerate()
        {
            stamps.page(number as u32 + 1, text);
        }
        let pages = text::Pages {
            pages: 3,
            ..text::Pages::default()
        };
        let mut warnings = Vec::new();
        let s = stamps.finish(&pages, &mut warnings).unwrap();
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
    fn an_object_stream_over_the_limit_is_said_to_be_one() {
        // lopdf's message was "couldn't decompress stream".
        use std::io::Write;
        let mut flate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        flate.write_all(&vec![b' '; MAX_STREAM + 1]).unwrap();
        let data = flate.finish().unwrap();
        let mut stream = format!(
            "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            data.len()
        )
        .into_bytes();
        stream.extend(data);
        stream.extend(b"\nendstream");
        let r = examine(
            &raw_pdf(&[b"<< /Author (Jane Doe) >>", &stream], Some(6)),
            None,
        );
        assert_eq!(r.verdict, PdfVerdict::Damaged);
        assert_eq!(
            r.warnings[0],
            "not readable as a whole: a stream needed to read it (an object or cross-reference \
             stream) decompresses to more than 16 MiB, the limit"
        );
        assert_eq!(
            r.findings
                .metadata_statement
                .and_then(|s| s.name)
                .as_deref(),
            Some("Jane Doe")
        );
    }

    #[test]
    fn a_pdf_over_the_limits_is_not_loaded_and_its_metadata_is_looked_for() {
        let bytes = raw_pdf(&[b"<< /Author (Jane Doe) >>"], Some(6));
        let whole = examine(&bytes, None);
        assert_eq!(
            whole.verdict,
            PdfVerdict::Consistent,
            "{:?}",
            whole.warnings
        );
        let small = Admission {
            bytes: 1 << 20,
            objects: 5,
        };
        let r = examine_within(&bytes, None, small);
        assert_eq!(r.verdict, PdfVerdict::Damaged);
        assert_eq!(
            r.warnings,
            [
                "not loaded: it declares 7 objects (its trailer's /Size), over the limit of 5 \
                 for a PDF handed to the PDF reader",
                "an Info-like dictionary was found by scanning the raw bytes"
            ]
        );
        assert_eq!(
            r.attribution.map(|a| a.statement.name),
            Some(Some("Jane Doe".into()))
        );
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
