//! The streaming scan: XML events, never a tree, run through a small state
//! ([`Scan`]) that tracks the open `PatientCareReport`, collects its
//! `eRecord.01` and engraviture groups (capped), and records damage with
//! where it happened, keeping every report read before it.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::super::statement::Statement;
use super::guard::{Guard, ItemTooLong};
use super::verdict::{ReportStatements, ReportsSeen, decode_901};
use super::{Limits, NemsisReport, Pcr, PcrVerdict, is_xml_space};

/// Where an XML item starts.
#[derive(Clone, Copy, Debug)]
struct At {
    line: u64,
    byte: u64,
}

/// Text collected from one element, capped.
#[derive(Debug, Default)]
struct Collected {
    text: String,
    truncated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// eRecord.01
    Id,
    /// eCustomResults.01
    Value,
    /// eCustomResults.02
    Kind,
}

#[derive(Debug)]
struct Collect {
    target: Target,
    depth: usize,
    text: Collected,
}

/// An open `eCustomResults.ResultsGroup`.
#[derive(Debug)]
struct Group {
    depth: usize,
    line: u64,
    value: Option<Collected>,
    values: u32,
    kind: Option<Collected>,
}

/// A copy read from a report.
#[derive(Debug)]
struct ReadCopy {
    line: u64,
    reading: Reading,
}

/// What a copy holds.
#[derive(Debug, PartialEq)]
pub(super) enum Reading {
    /// Text: the statement, parsed or kept raw.
    Text(Statement),
    /// Base64 that decodes cleanly to bytes that are not text: something
    /// other than the statement was encoded (what it is, said).
    NotText(String),
    /// Nothing to compare: empty, not base64, or too long to decode (why).
    Unreadable(String),
}

/// An open `PatientCareReport`.
#[derive(Debug)]
struct OpenPcr {
    depth: usize,
    line: u64,
    id: Option<String>,
    uuid: Option<String>,
    plain: Option<ReadCopy>,
    encoded: Option<ReadCopy>,
    /// A copy appears twice with different texts.
    conflict: bool,
    group: Option<Group>,
    collect: Option<Collect>,
}

impl OpenPcr {
    fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("PCR {} (line {})", shorten(id, 80), self.line),
            None => format!("the PCR at line {}", self.line),
        }
    }

    /// An element whose text was collected has closed.
    fn collected(&mut self, collect: Collect, limit: usize) -> Vec<String> {
        let text = collect.text;
        let mut notes = Vec::new();
        match collect.target {
            Target::Id => {
                if text.truncated {
                    notes.push(format!(
                        "{}: eRecord.01 is longer than {limit} bytes; only the start is kept",
                        self.label()
                    ));
                }
                self.id = Some(text.text.trim().to_string());
            }
            Target::Kind => {
                if let Some(g) = &mut self.group {
                    g.kind = Some(text);
                }
            }
            Target::Value => {
                if let Some(g) = &mut self.group {
                    g.values += 1;
                    if g.value.is_none() {
                        g.value = Some(text);
                    }
                }
            }
        }
        notes
    }

    /// A results group has closed: keep it when it is an engraviture.
    fn close_group(&mut self, group: Group, limit: usize) -> Vec<String> {
        let mut notes = Vec::new();
        let Some(kind) = &group.kind else {
            return notes;
        };
        let plain = match kind.text.trim() {
            "eRecord.900" => true,
            "eRecord.901" => false,
            _ => return notes,
        };
        let which = if plain { "eRecord.900" } else { "eRecord.901" };
        let label = self.label();
        if group.values > 1 {
            notes.push(format!(
                "{label}: the {which} group at line {} has {} values; the first is used",
                group.line, group.values
            ));
        }
        let value = group.value.unwrap_or_default();
        let reading = if value.text.trim().is_empty() {
            notes.push(format!(
                "{label}: the {which} group at line {} has no value",
                group.line
            ));
            Reading::Unreadable(format!("{which} is empty"))
        } else if plain {
            if value.truncated {
                notes.push(format!(
                    "{label}: {which} is longer than {limit} bytes; only the start is kept"
                ));
            }
            Reading::Text(Statement::parse(&value.text))
        } else if value.truncated {
            Reading::Unreadable(format!("longer than {limit} bytes: not decoded"))
        } else {
            decode_901(&value.text)
        };
        let copy = ReadCopy {
            line: group.line,
            reading,
        };
        let slot = if plain {
            &mut self.plain
        } else {
            &mut self.encoded
        };
        let Some(first) = slot else {
            *slot = Some(copy);
            return notes;
        };
        let same = match (&first.reading, &copy.reading) {
            (Reading::Text(a), Reading::Text(b)) => a.text == b.text,
            (a, b) => a == b,
        };
        let how = if same {
            "(same text)"
        } else {
            self.conflict = true;
            "with a different text"
        };
        notes.push(format!(
            "{label}: {which} appears again at line {} {how}; the first, at line {}, is used",
            copy.line, first.line
        ));
        notes
    }

    fn into_pcr(self) -> Pcr {
        let verdict = match (&self.plain, &self.encoded) {
            (None, None) => PcrVerdict::None,
            _ if self.conflict => PcrVerdict::Mismatch,
            (Some(plain), Some(encoded)) => match (&plain.reading, &encoded.reading) {
                (Reading::Text(plain), Reading::Text(encoded)) => {
                    if plain.text == encoded.text {
                        PcrVerdict::Consistent
                    } else {
                        PcrVerdict::Mismatch
                    }
                }
                // The plain copy is there and the base64 one decodes to
                // something that cannot be it.
                (Reading::Text(_), Reading::NotText(_)) => PcrVerdict::Mismatch,
                _ => PcrVerdict::Incomplete,
            },
            _ => PcrVerdict::Incomplete,
        };
        let (e901, e901_error) = match self.encoded.map(|c| c.reading) {
            Some(Reading::Text(s)) => (Some(s), None),
            Some(Reading::NotText(e) | Reading::Unreadable(e)) => (None, Some(e)),
            None => (None, None),
        };
        Pcr {
            pcr: self.id,
            uuid: self.uuid,
            line: self.line,
            verdict,
            e900: self.plain.and_then(|c| match c.reading {
                Reading::Text(s) => Some(s),
                Reading::NotText(_) | Reading::Unreadable(_) => None,
            }),
            e901,
            e901_error,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Root {
    NotYet,
    Open,
    Closed,
}

/// The state of one file's reading.
pub(super) struct Scan {
    limits: Limits,
    /// The first reports, at most [`Limits::listed`].
    pcrs: Vec<Pcr>,
    /// Every report read, listed or not.
    reports: u64,
    tally: ReportsSeen,
    statements: ReportStatements,
    warnings: Vec<String>,
    warnings_dropped: usize,
    damaged: bool,
    /// Open elements: local name (shortened) and line.
    stack: Vec<(String, u64)>,
    root: Root,
    pcr: Option<OpenPcr>,
    doctype_seen: bool,
    /// Bytes skipped before the parser (a UTF-8 BOM).
    pub(super) base: u64,
    /// The encoding converted from, when not UTF-8 (byte positions then
    /// count the converted text, so only lines are given).
    pub(super) converted: Option<&'static str>,
}

impl Scan {
    pub(super) fn new(limits: Limits) -> Scan {
        Scan {
            limits,
            pcrs: Vec::new(),
            reports: 0,
            tally: ReportsSeen::default(),
            statements: ReportStatements::default(),
            warnings: Vec::new(),
            warnings_dropped: 0,
            damaged: false,
            stack: Vec::new(),
            root: Root::NotYet,
            pcr: None,
            doctype_seen: false,
            base: 0,
            converted: None,
        }
    }

    pub(super) fn warn(&mut self, warning: String) {
        if self.warnings.len() < self.limits.warnings {
            self.warnings.push(warning);
        } else {
            self.warnings_dropped += 1;
        }
    }

    /// A report has been read: it counts towards the verdict and the
    /// statements, and is listed while there is room.
    fn report(&mut self, pcr: Pcr) {
        self.reports += 1;
        self.tally.add(&pcr);
        self.statements.add(&pcr);
        if self.pcrs.len() < self.limits.listed {
            self.pcrs.push(pcr);
        }
    }

    /// `line 12, byte 345` (only the line for converted text).
    fn at(&self, at: At) -> String {
        match self.converted {
            Some(_) => format!("line {}", at.line),
            None => format!("line {}, byte {}", at.line, at.byte + self.base),
        }
    }

    /// Records damage; the reading stops after it. A report cut short is
    /// kept when at least one of its engravitures was read.
    pub(super) fn damage(&mut self, what: String) {
        self.damaged = true;
        self.warn(what);
        if let Some(mut pcr) = self.pcr.take() {
            pcr.group = None;
            pcr.collect = None;
            let label = pcr.label();
            if pcr.plain.is_some() || pcr.encoded.is_some() {
                self.warn(format!(
                    "{label} is cut short by the damage; its engravitures were read before it"
                ));
                self.report(pcr.into_pcr());
            } else {
                self.warn(format!(
                    "{label} is cut short by the damage before its engravitures: not reported"
                ));
            }
        }
    }

    /// `inside <eRecord.01> (opened at line 12)`, for damage messages.
    fn context(&self) -> String {
        match self.stack.last() {
            Some((name, line)) => format!(", inside <{name}> (opened at line {line})"),
            None => String::new(),
        }
    }

    fn start(&mut self, e: &BytesStart, at: At) -> Result<(), String> {
        let local = e.local_name();
        let name = local.as_ref();
        match self.root {
            Root::NotYet => {
                self.root = Root::Open;
                if name != "EMSDataSet" {
                    self.warn(format!(
                        "the root element is <{}>, not <EMSDataSet>",
                        shorten(name, 80)
                    ));
                }
            }
            Root::Closed => {
                return Err(format!(
                    "not well-formed: a second root element <{}> at {}",
                    shorten(name, 80),
                    self.at(at)
                ));
            }
            Root::Open => {}
        }
        if self.stack.len() >= self.limits.depth {
            return Err(format!(
                "elements nested deeper than {} at {}: reading stopped there",
                self.limits.depth,
                self.at(at)
            ));
        }
        self.stack.push((shorten(name, 80).to_string(), at.line));
        let depth = self.stack.len();
        let Some(pcr) = &mut self.pcr else {
            if name == "PatientCareReport" {
                let uuid = self.uuid(e, at);
                self.pcr = Some(OpenPcr {
                    depth,
                    line: at.line,
                    id: None,
                    uuid,
                    plain: None,
                    encoded: None,
                    conflict: false,
                    group: None,
                    collect: None,
                });
            }
            return Ok(());
        };
        if pcr.collect.is_some() {
            return Ok(());
        }
        let target = match (name, &pcr.group) {
            ("eRecord.01", _) if pcr.id.is_none() => Target::Id,
            ("eCustomResults.ResultsGroup", None) => {
                pcr.group = Some(Group {
                    depth,
                    line: at.line,
                    value: None,
                    values: 0,
                    kind: None,
                });
                return Ok(());
            }
            ("eCustomResults.01", Some(_)) => Target::Value,
            ("eCustomResults.02", Some(g)) if g.kind.is_none() => Target::Kind,
            _ => return Ok(()),
        };
        pcr.collect = Some(Collect {
            target,
            depth,
            text: Collected::default(),
        });
        Ok(())
    }

    /// The `UUID` attribute, unescaped when it can be.
    fn uuid(&mut self, e: &BytesStart, at: At) -> Option<String> {
        for attr in e.attributes() {
            let attr = match attr {
                Ok(a) => a,
                Err(err) => {
                    self.warn(format!(
                        "{}: the attributes of <PatientCareReport> cannot be read ({err})",
                        self.at(at)
                    ));
                    return None;
                }
            };
            if attr.key.local_name().as_ref() == "UUID" {
                let value = match attr.normalized_value(XmlVersion::Implicit1_0) {
                    Ok(v) => v.into_owned(),
                    Err(_) => {
                        self.warn(format!(
                            "{}: the UUID of <PatientCareReport> holds a reference that is not expanded; kept as written",
                            self.at(at)
                        ));
                        attr.value.into_owned()
                    }
                };
                return Some(shorten(value.trim(), 200).to_string());
            }
        }
        None
    }

    fn end(&mut self) {
        self.stack.pop();
        let depth = self.stack.len();
        if self.root == Root::Open && depth == 0 {
            self.root = Root::Closed;
        }
        let limit = self.limits.text;
        let Some(pcr) = &mut self.pcr else {
            return;
        };
        let notes = if let Some(collect) = pcr.collect.take_if(|c| depth < c.depth) {
            pcr.collected(collect, limit)
        } else if let Some(group) = pcr.group.take_if(|g| depth < g.depth) {
            pcr.close_group(group, limit)
        } else if depth < pcr.depth
            && let Some(open) = self.pcr.take()
        {
            let pcr = open.into_pcr();
            let mut notes = Vec::new();
            if pcr.verdict == PcrVerdict::Consistent && pcr.e900.as_ref().is_some_and(|s| !s.parsed)
            {
                let label = match &pcr.pcr {
                    Some(id) => format!("PCR {} (line {})", shorten(id, 80), pcr.line),
                    None => format!("the PCR at line {}", pcr.line),
                };
                notes.push(format!(
                    "{label}: eRecord.900 and eRecord.901 agree, but not in the vendor's statement form"
                ));
            }
            self.report(pcr);
            notes
        } else {
            Vec::new()
        };
        for note in notes {
            self.warn(note);
        }
    }

    /// Text (already unescaped) inside the current element.
    fn text(&mut self, text: &str) {
        let limit = self.limits.text;
        if let Some(collect) = self.pcr.as_mut().and_then(|p| p.collect.as_mut()) {
            let kept = &mut collect.text;
            if kept.truncated {
                return;
            }
            let room = limit.saturating_sub(kept.text.len());
            if text.len() <= room {
                kept.text.push_str(text);
            } else {
                kept.text.push_str(&text[..floor_char_boundary(text, room)]);
                kept.truncated = true;
            }
        }
    }

    /// An entity or character reference in text.
    fn reference(&mut self, r: &BytesRef, at: At) {
        let resolved = if r.is_char_ref() {
            r.resolve_char_ref().ok().flatten().map(String::from)
        } else {
            resolve_predefined_entity(r).map(String::from)
        };
        match resolved {
            Some(s) => self.text(&s),
            None => {
                let written = format!("&{};", shorten(r, 80));
                self.warn(format!(
                    "{}: {written} is not expanded (only the five XML entities and character references are); kept as written",
                    self.at(at)
                ));
                self.text(&written);
            }
        }
    }

    /// Sums up the reports into the file's verdict and attribution.
    pub(super) fn finish(mut self) -> NemsisReport {
        let unlisted = self.reports - self.pcrs.len() as u64;
        if unlisted > 0 {
            // Said whatever else was said: not one of the capped warnings.
            self.warnings.push(format!(
                "{unlisted} report{} after the first {} {} not listed (the limit per file): \
                 counted in the records and judged in the verdict all the same",
                if unlisted == 1 { "" } else { "s" },
                self.limits.listed,
                if unlisted == 1 { "is" } else { "are" },
            ));
        }
        if self.warnings_dropped > 0 {
            let n = self.warnings_dropped;
            self.warnings.push(format!(
                "… and {n} more warning{}",
                if n == 1 { "" } else { "s" }
            ));
        }
        let (verdict, attribution) = self.tally.judge(self.damaged);
        NemsisReport {
            verdict,
            attribution,
            pcrs: self.pcrs,
            reports: self.reports,
            statements: self.statements,
            warnings: self.warnings,
        }
    }
}

/// Runs the XML events of a stream through the scan; gives the stream back.
pub(super) fn read_xml<S: BufRead>(stream: S, scan: &mut Scan) -> S {
    let mut reader = Reader::from_reader(Guard {
        inner: stream,
        consumed: 0,
        newlines: 0,
        limit: 0,
    });
    let mut buf = Vec::new();
    loop {
        if buf.capacity() > 1 << 20 {
            buf = Vec::new();
        }
        buf.clear();
        let guard = reader.get_mut();
        guard.limit = guard.consumed.saturating_add(scan.limits.item);
        let at = At {
            line: guard.newlines + 1,
            byte: guard.consumed,
        };
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let what = describe_error(&e, scan, at, reader.error_position());
                scan.damage(what);
                break;
            }
        };
        let outcome = match event {
            Event::Start(e) => scan.start(&e, at),
            Event::Empty(e) => scan.start(&e, at).map(|()| scan.end()),
            Event::End(_) => {
                scan.end();
                Ok(())
            }
            Event::Text(t) => {
                outside_root(scan, !is_xml_space(&t), at).map(|()| scan.text(&t.xml10_content()))
            }
            Event::CData(c) => outside_root(scan, true, at).map(|()| scan.text(&c.xml10_content())),
            Event::GeneralRef(r) => outside_root(scan, true, at).map(|()| scan.reference(&r, at)),
            Event::DocType(_) => {
                if !scan.doctype_seen {
                    scan.doctype_seen = true;
                    scan.warn(format!(
                        "{}: the file has a DOCTYPE (NEMSIS files have none); no external DTD is read and no entity declared there is expanded",
                        scan.at(at)
                    ));
                }
                Ok(())
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => Ok(()),
            Event::Eof => {
                let guard = reader.get_ref();
                let end = At {
                    line: guard.newlines + 1,
                    byte: guard.consumed,
                };
                match scan.root {
                    Root::NotYet => {
                        scan.damage("not well-formed: no root element (empty, or not XML)".into())
                    }
                    Root::Open => {
                        let what = format!(
                            "cut short: the file ends at {}{}",
                            scan.at(end),
                            scan.context()
                        );
                        scan.damage(what);
                    }
                    Root::Closed => {}
                }
                break;
            }
        };
        if let Err(what) = outcome {
            scan.damage(what);
            break;
        }
    }
    reader.into_inner().inner
}

/// Content outside the root element is damage (whitespace is not content).
fn outside_root(scan: &Scan, content: bool, at: At) -> Result<(), String> {
    match scan.root {
        Root::Open => Ok(()),
        _ if !content => Ok(()),
        Root::NotYet => Err(format!(
            "not well-formed: text before the root element at {}",
            scan.at(at)
        )),
        Root::Closed => Err(format!(
            "not well-formed: text after the root element at {}",
            scan.at(at)
        )),
    }
}

fn describe_error(e: &quick_xml::Error, scan: &Scan, at: At, error_position: u64) -> String {
    let context = scan.context();
    match e {
        quick_xml::Error::Io(io) if io.get_ref().is_some_and(|i| i.is::<ItemTooLong>()) => format!(
            "an XML item starting at {} is longer than {}: reading stopped there{context}",
            scan.at(at),
            size(scan.limits.item)
        ),
        quick_xml::Error::Io(io) => format!("read error after {}: {io}{context}", scan.at(at)),
        quick_xml::Error::Encoding(quick_xml::encoding::EncodingError::Utf8(u)) => format!(
            "not well-formed: bytes that are not UTF-8 at byte {}, in the item starting at {}{context}",
            at.byte + scan.base + u.valid_up_to() as u64,
            scan.at(at)
        ),
        // Every syntax error is the input ending inside markup.
        quick_xml::Error::Syntax(s) => format!(
            "cut short in markup starting at {}: {s}{context}",
            scan.at(at)
        ),
        other => {
            let at = At {
                line: at.line,
                byte: error_position.max(at.byte),
            };
            format!("not well-formed at {}: {other}{context}", scan.at(at))
        }
    }
}

/// `64 MiB`, or `4096 bytes` below a MiB.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The largest index `<= at` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// At most `max` bytes of `s`, cut at a char boundary (for messages).
fn shorten(s: &str, max: usize) -> &str {
    &s[..floor_char_boundary(s, max)]
}
