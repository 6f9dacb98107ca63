//! NEMSIS XML: the eRecord.900 / eRecord.901 engravitures of each report.
//!
//! AngelTrack ends every `PatientCareReport` it exports with two custom
//! results: `eRecord.900`, the forensic [`Statement`] in plain text, and
//! `eRecord.901`, the same statement in base64, for when a wrongdoer has
//! edited the plain copy. [`examine`] reads a file as a stream of XML events
//! (never a tree) and compares the two copies of every report; the file is
//! judged on all of its reports, but only the first [`MAX_LISTED_REPORTS`]
//! are kept and listed, so memory does not follow the number of reports.
//!
//! Files are evidence and may be hostile: nothing from a DTD is loaded or
//! expanded (an entity reference other than the five XML ones stays as
//! written, with a warning), every XML item and every collected text is
//! capped, and a file that is not well-formed or is cut short still yields
//! every report read before the damage, with where it happened.

mod encoding;
mod guard;
mod scan;
mod verdict;

use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::Attribution;
use super::statement::Statement;
use encoding::{Source, Transcoder};
use scan::{Scan, read_xml};
pub use verdict::{MAX_STATEMENTS, ReportStatements, StatementGroup};

/// One patient care report's engravitures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pcr {
    /// Its `eRecord.01`.
    pub pcr: Option<String>,
    /// The `UUID` attribute of `PatientCareReport` (absent in NEMSIS 3.4).
    pub uuid: Option<String>,
    /// The line (1-based) of its `<PatientCareReport>` start tag.
    pub line: u64,
    pub verdict: PcrVerdict,
    /// The plain statement (eRecord.900).
    pub e900: Option<Statement>,
    /// The base64 statement (eRecord.901), decoded.
    pub e901: Option<Statement>,
    /// Why eRecord.901 could not be read, or what it decoded to when that is
    /// not text.
    pub e901_error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcrVerdict {
    /// Both copies are there and say the same.
    Consistent,
    /// The copies differ (or one copy appears twice with different texts);
    /// also when eRecord.901 is valid base64 of bytes that are not text: that
    /// is not the statement, so it was replaced.
    Mismatch,
    /// One copy is missing, empty, not base64 or too long to decode.
    Incomplete,
    /// The report has no engraviture at all.
    None,
}

impl PcrVerdict {
    /// The verdict's name in the output (`examine`'s `verdict`).
    pub fn as_str(self) -> &'static str {
        match self {
            PcrVerdict::Consistent => "consistent",
            PcrVerdict::Mismatch => "mismatch",
            PcrVerdict::Incomplete => "incomplete",
            PcrVerdict::None => "none",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileVerdict {
    /// Not well-formed or cut short; the reports before the damage are kept.
    Damaged,
    /// Some report's copies differ.
    Mismatch,
    /// Every report's copies agree, but the reports name different people.
    Mixed,
    /// Some report lacks a copy (or, while others are engraved, both).
    Incomplete,
    Consistent,
    /// No report is engraved (or there is no report).
    None,
}

impl FileVerdict {
    /// The verdict's name in the output (`examine`'s `verdict`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileVerdict::Damaged => "damaged",
            FileVerdict::Mismatch => "mismatch",
            FileVerdict::Mixed => "mixed",
            FileVerdict::Incomplete => "incomplete",
            FileVerdict::Consistent => "consistent",
            FileVerdict::None => "none",
        }
    }
}

/// What a NEMSIS file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NemsisReport {
    /// Judged on every report read.
    pub verdict: FileVerdict,
    pub attribution: Option<Attribution>,
    /// The first reports, in file order: at most [`MAX_LISTED_REPORTS`] (a
    /// warning says how many more were counted).
    pub pcrs: Vec<Pcr>,
    /// Every report read, listed or not.
    pub reports: u64,
    /// The distinct statements of every report read, with their counts.
    pub statements: ReportStatements,
    pub warnings: Vec<String>,
}

/// Reports listed one by one per file; the rest are read, judged and
/// counted alike, but not listed, so that memory does not follow the
/// number of reports (a report listed costs a few KiB, in the findings and
/// in the output).
pub const MAX_LISTED_REPORTS: usize = 10_000;

/// Bounds that keep memory small on hostile files.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// Bytes of text kept per collected element (eRecord.01,
    /// eCustomResults.01/.02). A statement is about 120 bytes.
    text: usize,
    /// Bytes one XML item (a tag, a text run, a comment, the DOCTYPE) may
    /// take: quick-xml holds a whole item in memory.
    item: u64,
    /// Element nesting (NEMSIS needs about 8).
    depth: usize,
    /// Warnings kept; the rest are counted.
    warnings: usize,
    /// Reports listed; the rest are counted.
    listed: usize,
}

const LIMITS: Limits = Limits {
    text: 64 << 10,
    item: 64 << 20,
    depth: 256,
    warnings: 100,
    listed: MAX_LISTED_REPORTS,
};

/// The bytes read up front to find the encoding.
const HEAD: u64 = 1024;

/// Whether the start of a file is XML whose root element is `EMSDataSet`
/// (with any namespace prefix). A BOM, the XML declaration, comments,
/// processing instructions and a DOCTYPE may come first.
pub fn is_nemsis(head: &[u8]) -> bool {
    let source = Source::detect(head);
    let body = &head[source.bom..];
    let converted;
    let text: &[u8] = match source.encoding {
        Some(encoding) => {
            // A head cut inside a character ends in U+FFFD: harmless.
            converted = encoding.decode_without_bom_handling(body).0;
            converted.as_bytes()
        }
        None => body,
    };
    let mut reader = Reader::from_reader(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return e.local_name().as_ref() == "EMSDataSet";
            }
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
            Ok(Event::Text(t)) if is_xml_space(&t) => {}
            _ => return false,
        }
    }
}

/// Reads a NEMSIS file as a stream. It never fails: a read error, damage
/// or a hostile construct ends up in the verdict and the warnings, and the
/// reports read before it are kept. UTF-16 (BOM or not) and encodings named
/// in the XML declaration are converted to UTF-8 first.
pub fn examine<R: BufRead>(reader: R) -> NemsisReport {
    examine_with(reader, LIMITS)
}

fn examine_with<R: BufRead>(mut reader: R, limits: Limits) -> NemsisReport {
    let mut scan = Scan::new(limits);
    let mut head = Vec::new();
    if let Err(e) = (&mut reader).take(HEAD).read_to_end(&mut head) {
        scan.damage(format!("read error at the start of the file: {e}"));
        return scan.finish();
    }
    let source = Source::detect(&head);
    if let Some(w) = &source.warning {
        scan.warn(w.clone());
    }
    let bom = source.bom;
    head.drain(..bom);
    let stream = io::Cursor::new(head).chain(reader);
    match source.encoding {
        None => {
            scan.base = bom as u64;
            read_xml(stream, &mut scan);
        }
        Some(encoding) => {
            scan.converted = Some(encoding.name());
            let transcoder = read_xml(Transcoder::new(stream, encoding), &mut scan);
            if transcoder.replaced {
                scan.warn(format!(
                    "some bytes are not valid {}: they were read as U+FFFD",
                    encoding.name()
                ));
            }
        }
    }
    scan.finish()
}

fn is_xml_space(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Shared by the tests of this module and its parts.
#[cfg(test)]
pub(crate) mod fixtures {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    pub(crate) const JANE: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
    pub(crate) const JOHN: &str = "Produced 2021-07-02 09:12:44-00:00 by acme.angeltrack.com for user John Smith (ID 42) at 73.21.44.9.";
    pub(crate) const REGISTRY: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.";
    /// The vendor's own eRecord.901, wrapped at 66 characters.
    pub(crate) const VENDOR_901: &str = "UHJvZHVjZWQgMjAyMS0wNy0wMSAxNzozNToxNi0wMDowMCBieSBhY21lLmFuZ2VsdH\nJhY2suY29tIGZvciB1c2VyIEphbmUgRG9lIChJRCAxNikgYXQgMTkyLjE2OC4xLjQyLg==";

    pub(crate) fn b64(text: &str) -> String {
        STANDARD.encode(text)
    }

    pub(crate) fn wrap(s: &str, width: usize) -> String {
        s.as_bytes()
            .chunks(width)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub(crate) fn group(value: &str, kind: &str) -> String {
        format!(
            "<eCustomResults.ResultsGroup>\n<eCustomResults.01>\n{value}\n</eCustomResults.01>\n<eCustomResults.02>{kind}</eCustomResults.02>\n</eCustomResults.ResultsGroup>\n"
        )
    }

    /// A report with the given engraviture groups (raw XML).
    pub(crate) fn pcr_with(id: &str, groups: &str) -> String {
        format!(
            "<PatientCareReport UUID=\"uuid-{id}\">\n<eRecord>\n<eRecord.01>{id}</eRecord.01>\n</eRecord>\n<eCustomResults>\n{groups}</eCustomResults>\n</PatientCareReport>\n"
        )
    }

    /// A report engraved with `plain` and the base64 of `encoded`.
    pub(crate) fn pcr(id: &str, plain: &str, encoded: &str) -> String {
        pcr_with(
            id,
            &(group(plain, "eRecord.900") + &group(&wrap(&b64(encoded), 76), "eRecord.901")),
        )
    }

    pub(crate) fn doc(pcrs: &[String]) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EMSDataSet xmlns=\"http://www.nemsis.org\">\n<Header>\n{}</Header>\n</EMSDataSet>\n",
            pcrs.concat()
        )
    }

    pub(crate) fn run(xml: &str) -> NemsisReport {
        examine(xml.as_bytes())
    }

    pub(crate) fn verdicts(r: &NemsisReport) -> Vec<PcrVerdict> {
        r.pcrs.iter().map(|p| p.verdict).collect()
    }

    pub(crate) fn who(r: &NemsisReport) -> Option<(String, bool)> {
        r.attribution
            .as_ref()
            .map(|a| (a.statement.text.clone(), a.verified))
    }
}

#[cfg(test)]
mod tests;
