//! NEMSIS XML: the eRecord.900 / eRecord.901 engravitures of each report.
//!
//! AngelTrack ends every `PatientCareReport` it exports with two custom
//! results: `eRecord.900`, the forensic [`Statement`] in plain text, and
//! `eRecord.901`, the same statement in base64, for when a wrongdoer has
//! edited the plain copy. [`examine`] reads a file as a stream of XML events
//! (never a tree), so memory holds only the small per-report results however
//! many reports a file has, and it compares the two copies of every report.
//!
//! Files are evidence and may be hostile: nothing from a DTD is loaded or
//! expanded (an entity reference other than the five XML ones stays as
//! written, with a warning), every XML item and every collected text is
//! capped, and a file that is not well-formed or is cut short still yields
//! every report read before the damage, with where it happened.

use std::io::{self, BufRead, Read};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use encoding_rs::Encoding;
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::Attribution;
use super::statement::Statement;

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

/// What a NEMSIS file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NemsisReport {
    pub verdict: FileVerdict,
    pub attribution: Option<Attribution>,
    pub pcrs: Vec<Pcr>,
    pub warnings: Vec<String>,
}

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
}

const LIMITS: Limits = Limits {
    text: 64 << 10,
    item: 64 << 20,
    depth: 256,
    warnings: 100,
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

// ------------------------------------------------------------- encodings

/// How the bytes of a file are to be read.
#[derive(Debug, PartialEq)]
struct Source {
    /// Length of the byte order mark to skip.
    bom: usize,
    /// The encoding to convert from; `None` for UTF-8, read as it is.
    encoding: Option<&'static Encoding>,
    warning: Option<String>,
}

impl Source {
    /// From the first bytes: a BOM, UTF-16 without BOM (XML spec, appendix
    /// F), or the declaration's `encoding`.
    fn detect(head: &[u8]) -> Source {
        let utf = |bom, encoding| Source {
            bom,
            encoding,
            warning: None,
        };
        if head.starts_with(b"\xEF\xBB\xBF") {
            return utf(3, None);
        }
        if head.starts_with(b"\xFF\xFE") {
            return utf(2, Some(encoding_rs::UTF_16LE));
        }
        if head.starts_with(b"\xFE\xFF") {
            return utf(2, Some(encoding_rs::UTF_16BE));
        }
        if head.starts_with(b"<\0?\0") {
            return utf(0, Some(encoding_rs::UTF_16LE));
        }
        if head.starts_with(b"\0<\0?") {
            return utf(0, Some(encoding_rs::UTF_16BE));
        }
        let Some(label) = declared_encoding(head) else {
            return utf(0, None);
        };
        match Encoding::for_label(label) {
            // The bytes are ASCII-compatible, so a UTF-16 label is wrong:
            // the file was converted without its declaration.
            Some(e)
                if e == encoding_rs::UTF_8
                    || e == encoding_rs::UTF_16LE
                    || e == encoding_rs::UTF_16BE =>
            {
                utf(0, None)
            }
            Some(e) if e != encoding_rs::REPLACEMENT => utf(0, Some(e)),
            _ => Source {
                bom: 0,
                encoding: None,
                warning: Some(format!(
                    "the XML declaration names an unknown encoding ({}): read as UTF-8",
                    String::from_utf8_lossy(&label[..label.len().min(40)])
                )),
            },
        }
    }
}

/// The `encoding` of an XML declaration at the very start.
fn declared_encoding(head: &[u8]) -> Option<&[u8]> {
    let rest = head.strip_prefix(b"<?xml")?;
    let decl = &rest[..memchr::memmem::find(rest, b"?>")?];
    let at = memchr::memmem::find(decl, b"encoding")?;
    let rest = decl[at + 8..]
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let value = &rest[1..];
    Some(&value[..memchr::memchr(quote, value)?])
}

/// Converts a stream to UTF-8 as it is read.
struct Transcoder<S> {
    inner: S,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    done: bool,
    replaced: bool,
}

impl<S: BufRead> Transcoder<S> {
    fn new(inner: S, encoding: &'static Encoding) -> Self {
        Transcoder {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            out: Vec::new(),
            pos: 0,
            done: false,
            replaced: false,
        }
    }
}

impl<S: BufRead> Read for Transcoder<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, buf)
    }
}

impl<S: BufRead> BufRead for Transcoder<S> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.out.len() && !self.done {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let room = self
                .decoder
                .max_utf8_buffer_length(input.len())
                .ok_or_else(|| io::Error::other("input chunk too large to convert"))?;
            self.out.clear();
            self.out.resize(room, 0);
            self.pos = 0;
            let (_, read, written, replaced) =
                self.decoder.decode_to_utf8(input, &mut self.out, last);
            self.out.truncate(written);
            self.replaced |= replaced;
            self.inner.consume(read);
            self.done = last;
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.out.len());
    }
}

/// `Read` for a type whose real work is in its `BufRead` side.
fn read_buffered<B: BufRead>(reader: &mut B, buf: &mut [u8]) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(buf.len());
    buf[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

/// Counts bytes and lines as the parser consumes them, and stops one XML
/// item from growing past [`Limits::item`].
struct Guard<S> {
    inner: S,
    consumed: u64,
    /// Newlines consumed so far.
    newlines: u64,
    /// Where the current item must end.
    limit: u64,
}

/// The I/O error a [`Guard`] gives when an item is too long.
#[derive(Debug)]
struct ItemTooLong;

impl std::fmt::Display for ItemTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("XML item too long")
    }
}

impl std::error::Error for ItemTooLong {}

impl<S: BufRead> Read for Guard<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, buf)
    }
}

impl<S: BufRead> BufRead for Guard<S> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let room = self.limit.saturating_sub(self.consumed);
        if room == 0 {
            return Err(io::Error::other(ItemTooLong));
        }
        let buf = self.inner.fill_buf()?;
        Ok(&buf[..buf.len().min(usize::try_from(room).unwrap_or(usize::MAX))])
    }

    fn consume(&mut self, amt: usize) {
        // The bytes consumed are still in the inner buffer: count their lines.
        if amt > 0
            && let Ok(buf) = self.inner.fill_buf()
        {
            self.newlines += memchr::memchr_iter(b'\n', &buf[..amt.min(buf.len())]).count() as u64;
        }
        self.inner.consume(amt);
        self.consumed += amt as u64;
    }
}

// ------------------------------------------------------------- the scan

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
struct Copy {
    line: u64,
    reading: Reading,
}

/// What a copy holds.
#[derive(Debug, PartialEq)]
enum Reading {
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
    plain: Option<Copy>,
    encoded: Option<Copy>,
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
        let copy = Copy {
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
struct Scan {
    limits: Limits,
    pcrs: Vec<Pcr>,
    warnings: Vec<String>,
    warnings_dropped: usize,
    damaged: bool,
    /// Open elements: local name (shortened) and line.
    stack: Vec<(String, u64)>,
    root: Root,
    pcr: Option<OpenPcr>,
    doctype_seen: bool,
    /// Bytes skipped before the parser (a UTF-8 BOM).
    base: u64,
    /// The encoding converted from, when not UTF-8 (byte positions then
    /// count the converted text, so only lines are given).
    converted: Option<&'static str>,
}

impl Scan {
    fn new(limits: Limits) -> Scan {
        Scan {
            limits,
            pcrs: Vec::new(),
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

    fn warn(&mut self, warning: String) {
        if self.warnings.len() < self.limits.warnings {
            self.warnings.push(warning);
        } else {
            self.warnings_dropped += 1;
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
    fn damage(&mut self, what: String) {
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
                self.pcrs.push(pcr.into_pcr());
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
            self.pcrs.push(pcr);
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
    fn finish(mut self) -> NemsisReport {
        if self.warnings_dropped > 0 {
            let n = self.warnings_dropped;
            self.warnings.push(format!(
                "… and {n} more warning{}",
                if n == 1 { "" } else { "s" }
            ));
        }
        let (verdict, attribution) = judge(&self.pcrs, self.damaged);
        NemsisReport {
            verdict,
            attribution,
            pcrs: self.pcrs,
            warnings: self.warnings,
        }
    }
}

/// Runs the XML events of a stream through the scan; gives the stream back.
fn read_xml<S: BufRead>(stream: S, scan: &mut Scan) -> S {
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

// ------------------------------------------------------------- verdicts

/// The base64 copy: all whitespace removed (it is wrapped at any width),
/// then decoded strictly. Bytes that are not UTF-8 are valid base64 of
/// something that is not a statement: said, not called unreadable.
fn decode_901(text: &str) -> Reading {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let decoded = STANDARD.decode(&compact).map_err(|e| match e {
        base64::DecodeError::InvalidByte(at, b'=') => {
            format!(
                "invalid base64: misplaced padding '=' at character {}",
                at + 1
            )
        }
        base64::DecodeError::InvalidByte(at, b) => format!(
            "invalid base64: character {} is {}",
            at + 1,
            if b.is_ascii_graphic() {
                format!("'{}'", b as char)
            } else {
                format!("byte 0x{b:02X}")
            }
        ),
        base64::DecodeError::InvalidLength(n) => {
            format!("invalid base64: {n} characters cannot be a whole encoding")
        }
        base64::DecodeError::InvalidLastSymbol { offset, .. } => {
            format!(
                "invalid base64: character {} ends the encoding with stray bits",
                offset + 1
            )
        }
        base64::DecodeError::InvalidPadding => "invalid base64: wrong padding".to_string(),
    });
    match decoded.map(String::from_utf8) {
        Ok(Ok(text)) => Reading::Text(Statement::parse(&text)),
        Ok(Err(e)) => Reading::NotText(format!(
            "decodes to {} bytes that are not UTF-8 text (from byte {})",
            e.as_bytes().len(),
            e.utf8_error().valid_up_to() + 1
        )),
        Err(why) => Reading::Unreadable(why),
    }
}

/// The file's verdict and whom it names. A damaged file is judged on the
/// reports read before the damage, like a whole one, but its attribution
/// is never verified: the rest of the file may say otherwise.
fn judge(pcrs: &[Pcr], damaged: bool) -> (FileVerdict, Option<Attribution>) {
    let verdict = reports_verdict(pcrs);
    let attribution = attribution(pcrs, verdict).map(|statement| Attribution {
        statement,
        verified: verdict == FileVerdict::Consistent && !damaged,
    });
    (
        if damaged {
            FileVerdict::Damaged
        } else {
            verdict
        },
        attribution,
    )
}

/// The copy a report stands for: the agreed statement, or the only one.
fn surviving(p: &Pcr) -> Option<&Statement> {
    match p.verdict {
        PcrVerdict::Consistent => p.e900.as_ref(),
        PcrVerdict::Incomplete => p.e900.as_ref().or(p.e901.as_ref()),
        _ => None,
    }
}

fn reports_verdict(pcrs: &[Pcr]) -> FileVerdict {
    let has = |v: PcrVerdict| pcrs.iter().any(|p| p.verdict == v);
    if has(PcrVerdict::Mismatch) {
        return FileVerdict::Mismatch;
    }
    let mut named = pcrs.iter().filter_map(surviving);
    if let Some(first) = named.next()
        && named.any(|s| !first.same_identity(s))
    {
        return FileVerdict::Mixed;
    }
    let engraved = pcrs.iter().any(|p| p.verdict != PcrVerdict::None);
    // A report without engravitures among engraved ones lost both copies.
    if has(PcrVerdict::Incomplete) || (engraved && has(PcrVerdict::None)) {
        return FileVerdict::Incomplete;
    }
    if engraved {
        FileVerdict::Consistent
    } else {
        FileVerdict::None
    }
}

fn attribution(pcrs: &[Pcr], verdict: FileVerdict) -> Option<Statement> {
    let first = |v: PcrVerdict| pcrs.iter().filter(move |p| p.verdict == v);
    match verdict {
        FileVerdict::Consistent => first(PcrVerdict::Consistent).find_map(|p| p.e900.clone()),
        // The base64 copy is the one a wrongdoer who edited the plain text
        // missed.
        FileVerdict::Mismatch => first(PcrVerdict::Mismatch)
            .find_map(|p| p.e901.clone().filter(|s| s.parsed))
            .or_else(|| first(PcrVerdict::Mismatch).find_map(|p| p.e900.clone()))
            .or_else(|| first(PcrVerdict::Mismatch).find_map(|p| p.e901.clone())),
        FileVerdict::Incomplete => first(PcrVerdict::Consistent)
            .find_map(|p| p.e900.clone())
            .or_else(|| {
                pcrs.iter()
                    .filter_map(surviving)
                    .find(|s| s.parsed)
                    .cloned()
            })
            .or_else(|| pcrs.iter().find_map(surviving).cloned()),
        FileVerdict::Mixed | FileVerdict::None | FileVerdict::Damaged => None,
    }
}

// ------------------------------------------------------------- small helpers

fn is_xml_space(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
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

#[cfg(test)]
mod tests {
    use super::*;

    const JANE: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
    const JOHN: &str = "Produced 2021-07-02 09:12:44-00:00 by acme.angeltrack.com for user John Smith (ID 42) at 73.21.44.9.";
    const REGISTRY: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.";
    /// The vendor's own eRecord.901, wrapped at 66 characters.
    const VENDOR_901: &str = "UHJvZHVjZWQgMjAyMS0wNy0wMSAxNzozNToxNi0wMDowMCBieSBhY21lLmFuZ2VsdH\nJhY2suY29tIGZvciB1c2VyIEphbmUgRG9lIChJRCAxNikgYXQgMTkyLjE2OC4xLjQyLg==";

    fn b64(text: &str) -> String {
        STANDARD.encode(text)
    }

    fn wrap(s: &str, width: usize) -> String {
        s.as_bytes()
            .chunks(width)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn group(value: &str, kind: &str) -> String {
        format!(
            "<eCustomResults.ResultsGroup>\n<eCustomResults.01>\n{value}\n</eCustomResults.01>\n<eCustomResults.02>{kind}</eCustomResults.02>\n</eCustomResults.ResultsGroup>\n"
        )
    }

    /// A report with the given engraviture groups (raw XML).
    fn pcr_with(id: &str, groups: &str) -> String {
        format!(
            "<PatientCareReport UUID=\"uuid-{id}\">\n<eRecord>\n<eRecord.01>{id}</eRecord.01>\n</eRecord>\n<eCustomResults>\n{groups}</eCustomResults>\n</PatientCareReport>\n"
        )
    }

    /// A report engraved with `plain` and the base64 of `encoded`.
    fn pcr(id: &str, plain: &str, encoded: &str) -> String {
        pcr_with(
            id,
            &(group(plain, "eRecord.900") + &group(&wrap(&b64(encoded), 76), "eRecord.901")),
        )
    }

    fn doc(pcrs: &[String]) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EMSDataSet xmlns=\"http://www.nemsis.org\">\n<Header>\n{}</Header>\n</EMSDataSet>\n",
            pcrs.concat()
        )
    }

    fn run(xml: &str) -> NemsisReport {
        examine(xml.as_bytes())
    }

    fn verdicts(r: &NemsisReport) -> Vec<PcrVerdict> {
        r.pcrs.iter().map(|p| p.verdict).collect()
    }

    fn who(r: &NemsisReport) -> Option<(String, bool)> {
        r.attribution
            .as_ref()
            .map(|a| (a.statement.text.clone(), a.verified))
    }

    // ---------------------------------------------------------- reading

    #[test]
    fn vendor_sample_is_consistent() {
        let xml = doc(&[pcr_with(
            "P1",
            &(group(JANE, "eRecord.900") + &group(VENDOR_901, "eRecord.901")),
        )]);
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
        assert_eq!(r.warnings, Vec::<String>::new());
        let p = &r.pcrs[0];
        assert_eq!(
            (p.pcr.as_deref(), p.uuid.as_deref(), p.line),
            (Some("P1"), Some("uuid-P1"), 4)
        );
        assert_eq!(p.e901.as_ref().unwrap().name.as_deref(), Some("Jane Doe"));
        assert_eq!(who(&r), Some((JANE.to_string(), true)));
    }

    #[test]
    fn version_3_4_has_no_uuid() {
        let xml = doc(&[pcr("P1", JANE, JANE)]).replace(" UUID=\"uuid-P1\"", "");
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert_eq!(r.pcrs[0].uuid, None);
    }

    #[test]
    fn prefixed_namespace() {
        let xml = doc(&[pcr("P1", JANE, JANE)])
            .replace("<EMSDataSet xmlns=", "<nem:EMSDataSet xmlns:nem=")
            .replace("<", "<nem:")
            .replace("<nem:/", "</nem:")
            .replace("<nem:?", "<?")
            .replace("<nem:nem:", "<nem:");
        assert!(
            xml.contains("<nem:eCustomResults.01>") && xml.contains("</nem:eRecord.01>"),
            "{xml}"
        );
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
        assert_eq!(r.pcrs[0].pcr.as_deref(), Some("P1"));
        assert_eq!(r.pcrs[0].uuid.as_deref(), Some("uuid-P1"));
        assert!(is_nemsis(xml.as_bytes()));
    }

    #[test]
    fn crlf_line_endings() {
        let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", JANE, JANE)]).replace('\n', "\r\n");
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert_eq!(
            r.pcrs[1].line,
            pcr("P1", JANE, JANE).lines().count() as u64 + 4
        );
    }

    #[test]
    fn base64_wrapped_at_any_width_or_not_at_all() {
        for width in [1, 3, 60, 64, 66, 76, 1000] {
            let groups =
                group(JANE, "eRecord.900") + &group(&wrap(&b64(JANE), width), "eRecord.901");
            let r = run(&doc(&[pcr_with("P", &groups)]));
            assert_eq!(r.verdict, FileVerdict::Consistent, "width {width}");
        }
        // Tabs, CRLF and indentation inside the value are whitespace too.
        let indented = wrap(&b64(JANE), 20).replace('\n', "\r\n\t    ");
        let r = run(&doc(&[pcr_with(
            "P",
            &(group(JANE, "eRecord.900") + &group(&indented, "eRecord.901")),
        )]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
    }

    #[test]
    fn references_and_cdata_keep_their_spaces() {
        let name = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane & John O'Doe <x> (ID 16) at 192.168.1.42.";
        let plain = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane &amp; John O&apos;Doe &lt;x&#62; (ID&#32;16) at 192.168.1.42.";
        let r = run(&doc(&[pcr("P", plain, name)]));
        assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
        assert_eq!(
            r.pcrs[0].e900.as_ref().unwrap().name.as_deref(),
            Some("Jane & John O'Doe <x>")
        );
        let cdata = format!("<![CDATA[{name}]]>");
        let r = run(&doc(&[pcr("P", &cdata, name)]));
        assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
    }

    #[test]
    fn other_custom_results_are_not_engravitures() {
        let groups = group("FN3230", "eMedications.903")
            + &group(JANE, "eRecord.902")
            + &group(&b64(JOHN), "eRecord.9010")
            + "<eCustomResults.ResultsGroup CorrelationID=\"433-333\">\n<eCustomResults.01>x</eCustomResults.01>\n<eCustomResults.02>CDateTime</eCustomResults.02>\n<eCustomResults.03>433-333</eCustomResults.03>\n</eCustomResults.ResultsGroup>\n";
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(
            (r.verdict, verdicts(&r)),
            (FileVerdict::None, vec![PcrVerdict::None])
        );
        assert_eq!(r.attribution, None);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        // Mixed in with the engravitures, they change nothing.
        let groups = group("a", "C101")
            + &group(JANE, "eRecord.900")
            + &group("b", "C102")
            + &group(&b64(JANE), "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn the_group_kind_may_come_first_and_be_padded() {
        let groups = format!(
            "<eCustomResults.ResultsGroup><eCustomResults.02> eRecord.900\n</eCustomResults.02><eCustomResults.01>{JANE}</eCustomResults.01></eCustomResults.ResultsGroup>{}",
            group(&b64(JANE), "eRecord.901")
        );
        assert_eq!(
            run(&doc(&[pcr_with("P", &groups)])).verdict,
            FileVerdict::Consistent
        );
    }

    #[test]
    fn registry_upload() {
        let r = run(&doc(&[pcr("P", REGISTRY, REGISTRY)]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        let s = &r.attribution.as_ref().unwrap().statement;
        assert_eq!(
            s.recipient.as_deref(),
            Some("newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws")
        );
        assert_eq!(s.name, None);
    }

    #[test]
    fn statements_in_other_shapes_that_agree_are_flagged() {
        let r = run(&doc(&[pcr("P", "hello", "hello")]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("not in the vendor's statement form"));
    }

    // ---------------------------------------------------------- tampering

    #[test]
    fn edited_plain_copy_is_a_mismatch_attributed_from_901() {
        let r = run(&doc(&[pcr(
            "P",
            &JANE.replace("Jane Doe", "John Smith"),
            JANE,
        )]));
        assert_eq!(
            (r.verdict, verdicts(&r)),
            (FileVerdict::Mismatch, vec![PcrVerdict::Mismatch])
        );
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }

    #[test]
    fn a_901_that_is_not_a_statement_is_a_mismatch_attributed_from_900() {
        let r = run(&doc(&[pcr(
            "P",
            JANE,
            "This export was produced by nobody.",
        )]));
        assert_eq!(r.verdict, FileVerdict::Mismatch);
        assert!(!r.pcrs[0].e901.as_ref().unwrap().parsed);
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }

    #[test]
    fn a_missing_copy_is_incomplete() {
        let only_901 = pcr_with("P", &group(&b64(JANE), "eRecord.901"));
        let r = run(&doc(&[only_901]));
        assert_eq!(
            (r.verdict, verdicts(&r)),
            (FileVerdict::Incomplete, vec![PcrVerdict::Incomplete])
        );
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
        assert_eq!(
            (r.pcrs[0].e900.as_ref(), r.pcrs[0].e901_error.as_ref()),
            (None, None)
        );

        let only_900 = pcr_with("P", &group(JANE, "eRecord.900"));
        let r = run(&doc(&[only_900]));
        assert_eq!(r.verdict, FileVerdict::Incomplete);
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }

    #[test]
    fn an_emptied_copy_is_incomplete_with_a_warning() {
        let groups = group("  ", "eRecord.900") + &group(&b64(JANE), "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(r.verdict, FileVerdict::Incomplete);
        assert_eq!(r.pcrs[0].e900, None);
        assert!(
            r.warnings[0].contains("eRecord.900 group at line 9 has no value"),
            "{:?}",
            r.warnings
        );

        let groups = group(JANE, "eRecord.900")
            + "<eCustomResults.ResultsGroup><eCustomResults.01/><eCustomResults.02>eRecord.901</eCustomResults.02></eCustomResults.ResultsGroup>";
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(r.verdict, FileVerdict::Incomplete);
        assert_eq!(
            r.pcrs[0].e901_error.as_deref(),
            Some("eRecord.901 is empty")
        );
    }

    #[test]
    fn corrupt_base64_is_an_error_never_skipped() {
        let good = b64(JANE);
        let cases = [
            (
                format!("{}!{}", &good[..10], &good[10..]),
                "invalid base64: character 11 is '!'",
            ),
            (
                good.trim_end_matches('=').to_string(),
                "invalid base64: wrong padding",
            ),
            (
                format!("{good}="),
                "invalid base64: misplaced padding '=' at character",
            ),
            (
                format!("{}\u{A0}{}", &good[..8], &good[8..]),
                "invalid base64: character 9 is byte 0xC2",
            ),
            (
                format!("{}=={}", &good[..8], &good[8..]),
                "invalid base64: misplaced padding",
            ),
            (
                "eB==".to_string(),
                "invalid base64: character 2 ends the encoding with stray bits",
            ),
        ];
        for (value, error) in cases {
            let groups = group(JANE, "eRecord.900") + &group(&value, "eRecord.901");
            let r = run(&doc(&[pcr_with("P", &groups)]));
            assert_eq!(r.verdict, FileVerdict::Incomplete, "{value}");
            let p = &r.pcrs[0];
            assert_eq!(p.e901, None);
            let got = p.e901_error.as_deref().unwrap();
            assert!(got.starts_with(error), "{value}: {got}");
            assert_eq!(who(&r), Some((JANE.to_string(), false)));
        }
    }

    /// Regression (issue "Hardening"): a 901 of clean base64 whose bytes are
    /// not text was `incomplete`, as if it could not be read; it was read,
    /// and it is not the statement: someone replaced it.
    #[test]
    fn a_901_decoding_to_bytes_that_are_not_text_is_a_mismatch() {
        let cases = [
            (
                STANDARD.encode(b"Produced \xFF\xFE"),
                "decodes to 11 bytes that are not UTF-8 text (from byte 10)",
            ),
            (
                STANDARD.encode([0x89, b'P', b'N', b'G', 0, 1, 2, 3]),
                "decodes to 8 bytes that are not UTF-8 text (from byte 1)",
            ),
        ];
        for (value, error) in cases {
            let groups = group(JANE, "eRecord.900") + &group(&wrap(&value, 4), "eRecord.901");
            let r = run(&doc(&[pcr_with("P", &groups)]));
            assert_eq!(
                (r.verdict, verdicts(&r)),
                (FileVerdict::Mismatch, vec![PcrVerdict::Mismatch]),
                "{value}"
            );
            let p = &r.pcrs[0];
            assert_eq!(p.e901, None);
            assert_eq!(p.e901_error.as_deref(), Some(error));
            // The plain copy is the only statement left, and it is not verified.
            assert_eq!(who(&r), Some((JANE.to_string(), false)));
        }
        // Without a plain copy to compare with, a copy is still missing.
        let only = pcr_with(
            "P",
            &group(&STANDARD.encode(b"\xFF\xFE\xFD"), "eRecord.901"),
        );
        let r = run(&doc(&[only]));
        assert_eq!(r.verdict, FileVerdict::Incomplete);
        // The same bytes given twice are one copy, not a conflict.
        let twice = group(JANE, "eRecord.900")
            + &group(&STANDARD.encode(b"\xFF"), "eRecord.901")
            + &group(&STANDARD.encode(b"\xFF"), "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &twice)]));
        assert_eq!(verdicts(&r), vec![PcrVerdict::Mismatch]);
        assert!(
            r.warnings.iter().any(|w| w.contains("(same text)")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn both_copies_of_one_report_rewritten_to_another_person_is_mixed() {
        let r = run(&doc(&[pcr("P1", JANE, JANE), pcr("P2", JOHN, JOHN)]));
        assert_eq!(r.verdict, FileVerdict::Mixed);
        assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent; 2]);
        assert_eq!(r.attribution, None);
    }

    #[test]
    fn same_person_exporting_twice_is_not_mixed() {
        let later = JANE.replace("17:35:16", "18:00:00");
        let r = run(&doc(&[pcr("P1", JANE, JANE), pcr("P2", &later, &later)]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert_eq!(who(&r), Some((JANE.to_string(), true)));
    }

    #[test]
    fn a_report_stripped_of_both_copies_makes_the_file_incomplete() {
        let r = run(&doc(&[
            pcr("P1", JANE, JANE),
            pcr_with("P2", ""),
            pcr("P3", JANE, JANE),
        ]));
        assert_eq!(
            verdicts(&r),
            vec![
                PcrVerdict::Consistent,
                PcrVerdict::None,
                PcrVerdict::Consistent
            ]
        );
        assert_eq!(r.verdict, FileVerdict::Incomplete);
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }

    #[test]
    fn a_copy_given_twice() {
        let same = group(JANE, "eRecord.900")
            + &group(JANE, "eRecord.900")
            + &group(&b64(JANE), "eRecord.901");
        let r = run(&doc(&[pcr_with("P", &same)]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert!(
            r.warnings[0].contains("appears again at line 15 (same text)"),
            "{:?}",
            r.warnings
        );

        let other = group(JANE, "eRecord.900")
            + &group(&b64(JANE), "eRecord.901")
            + &group(JOHN, "eRecord.900");
        let r = run(&doc(&[pcr_with("P", &other)]));
        assert_eq!(r.verdict, FileVerdict::Mismatch);
        assert_eq!(r.pcrs[0].e900.as_ref().unwrap().text, JANE);
        assert!(
            r.warnings[0].contains("with a different text"),
            "{:?}",
            r.warnings
        );
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
    }

    #[test]
    fn two_values_in_one_group_use_the_first() {
        let groups = format!(
            "<eCustomResults.ResultsGroup><eCustomResults.01>{JANE}</eCustomResults.01><eCustomResults.01>{JOHN}</eCustomResults.01><eCustomResults.02>eRecord.900</eCustomResults.02></eCustomResults.ResultsGroup>{}",
            group(&b64(JANE), "eRecord.901")
        );
        let r = run(&doc(&[pcr_with("P", &groups)]));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert!(
            r.warnings[0].contains("has 2 values; the first is used"),
            "{:?}",
            r.warnings
        );
    }

    // ---------------------------------------------------------- damage

    #[test]
    fn cut_short_inside_the_second_report_keeps_the_first() {
        let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", JANE, JANE)]);
        let cut = xml.find("<eRecord.01>P2").unwrap() + 8;
        let r = run(&xml[..cut]);
        assert_eq!(r.verdict, FileVerdict::Damaged);
        assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
        assert!(
            r.warnings[0].starts_with("cut short in markup starting at line 26, byte 821"),
            "{:?}",
            r.warnings
        );
        assert!(
            r.warnings[0].ends_with("inside <eRecord> (opened at line 25)"),
            "{:?}",
            r.warnings
        );
        assert!(
            r.warnings[1]
                .contains("PCR at line 24 is cut short by the damage before its engravitures")
        );

        // Cut inside text rather than a tag.
        let r = run(&xml[..cut + 5]);
        assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
        assert_eq!(
            r.warnings,
            [
                "cut short: the file ends at line 26, byte 834, inside <eRecord.01> (opened at line 26)",
                "the PCR at line 24 is cut short by the damage before its engravitures: not reported"
            ]
        );
        assert!(
            r.warnings[0].starts_with("cut short: the file ends at line 26, byte 834"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn a_report_cut_after_its_engravitures_is_kept() {
        let xml = doc(&[pcr("P1", JANE, JANE)]);
        let cut = xml.find("</eCustomResults>").unwrap();
        let r = run(&xml[..cut]);
        assert_eq!(r.verdict, FileVerdict::Damaged);
        assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
        assert!(
            r.warnings[1]
                .contains("PCR P1 (line 4) is cut short by the damage; its engravitures were read")
        );
    }

    #[test]
    fn mismatched_tags_are_damage_with_a_position() {
        let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", JANE, JANE)]).replacen(
            "</eRecord>",
            "</eRecrod>",
            2,
        );
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Damaged);
        assert_eq!(r.pcrs.len(), 0);
        assert!(
            r.warnings[0].starts_with("not well-formed at line 7, byte 164: ill-formed document: expected `</eRecord>`, but `</eRecrod>` was found, inside <eRecord> (opened at line 5)"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn invalid_utf8_is_damage() {
        let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", "Jos\u{e9}", JANE)]);
        let bytes = xml.replace("Jos\u{e9}", "Jos\u{1}").into_bytes();
        let bytes: Vec<u8> = bytes
            .into_iter()
            .map(|b| if b == 1 { 0xE9 } else { b })
            .collect();
        let r = examine(&bytes[..]);
        assert_eq!(r.verdict, FileVerdict::Damaged);
        assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
        assert_eq!(
            r.warnings[0],
            "not well-formed: bytes that are not UTF-8 at byte 930, in the item starting at line 30, byte 926, inside <eCustomResults.01> (opened at line 30)"
        );
    }

    #[test]
    fn not_xml_empty_or_trailing_junk_is_damage() {
        for (input, warning) in [
            ("", "not well-formed: no root element"),
            ("  \n", "not well-formed: no root element"),
            (
                "a,b,c\n1,2,3\n",
                "not well-formed: text before the root element at line 1, byte 0",
            ),
            (
                "<EMSDataSet/>\njunk",
                "not well-formed: text after the root element at line 1, byte 13",
            ),
            (
                "<EMSDataSet/><EMSDataSet/>",
                "not well-formed: a second root element <EMSDataSet> at line 1, byte 13",
            ),
        ] {
            let r = run(input);
            assert_eq!(r.verdict, FileVerdict::Damaged, "{input:?}");
            assert!(r.warnings[0].starts_with(warning), "{:?}", r.warnings);
        }
        // Comments, processing instructions and whitespace around the root are fine.
        let r = run("<!-- a -->\n<EMSDataSet/>\n<?pi x?>\n<!-- b -->\n");
        assert_eq!((r.verdict, r.warnings.len()), (FileVerdict::None, 0));
    }

    #[test]
    fn another_root_is_read_with_a_warning() {
        let r = run("<DEMDataSet><PatientCareReport/></DEMDataSet>");
        assert_eq!(r.verdict, FileVerdict::None);
        assert_eq!(r.pcrs.len(), 1);
        assert_eq!(
            r.warnings,
            vec!["the root element is <DEMDataSet>, not <EMSDataSet>"]
        );
    }

    // ---------------------------------------------------------- hostile files

    const LAUGHS: &str = "<?xml version=\"1.0\"?>\n<!DOCTYPE EMSDataSet [\n <!ENTITY lol \"lol\">\n <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n <!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n <!ENTITY ext SYSTEM \"file:///etc/passwd\">\n]>\n";

    #[test]
    fn billion_laughs_expands_nothing() {
        let xml = format!(
            "{LAUGHS}{}",
            doc(&[pcr("P", "&lol9;", JANE)]).split_once('\n').unwrap().1
        );
        assert!(is_nemsis(xml.as_bytes()));
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Mismatch, "{r:?}");
        assert_eq!(r.pcrs[0].e900.as_ref().unwrap().text, "&lol9;");
        assert_eq!(who(&r), Some((JANE.to_string(), false)));
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(r.warnings[0].starts_with("line 2, byte 22: the file has a DOCTYPE"));
        assert!(
            r.warnings[1].starts_with("line 18, byte 540: "),
            "{:?}",
            r.warnings
        );
        assert!(r.warnings[1].contains("&lol9; is not expanded"));

        let xml = format!("{LAUGHS}<EMSDataSet>&ext;&#0;&#xD800;</EMSDataSet>");
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::None);
        assert_eq!(r.warnings.len(), 4, "{:?}", r.warnings);
        assert!(r.warnings[3].contains("&#xD800; is not expanded"));
    }

    #[test]
    fn long_text_is_capped_with_a_warning() {
        let limits = Limits {
            text: 300,
            ..LIMITS
        };
        let long = format!("{JANE} {}", "x".repeat(400));
        let groups = group(&long, "eRecord.900") + &group(&b64(&long), "eRecord.901");
        let xml = doc(&[pcr_with("P", &groups)]);
        let r = examine_with(xml.as_bytes(), limits);
        assert_eq!(r.verdict, FileVerdict::Incomplete);
        let p = &r.pcrs[0];
        assert_eq!(
            p.e900.as_ref().unwrap().text.len(),
            299,
            "300 bytes less the leading newline"
        );
        assert_eq!(
            p.e901_error.as_deref(),
            Some("longer than 300 bytes: not decoded")
        );
        assert!(
            r.warnings[0].contains("eRecord.900 is longer than 300 bytes"),
            "{:?}",
            r.warnings
        );
        // The cut never splits a character.
        let limits = Limits { text: 4, ..LIMITS };
        let r = examine_with(doc(&[pcr("ééé", JANE, JANE)]).as_bytes(), limits);
        assert_eq!(r.pcrs[0].pcr.as_deref(), Some("éé"));
    }

    #[test]
    fn an_overlong_item_stops_the_reading() {
        let limits = Limits {
            item: 4096,
            ..LIMITS
        };
        let xml = doc(&[pcr("P1", JANE, JANE), pcr("P2", &"y".repeat(10_000), JANE)]);
        let r = examine_with(xml.as_bytes(), limits);
        assert_eq!(r.verdict, FileVerdict::Damaged);
        assert_eq!(verdicts(&r), vec![PcrVerdict::Consistent]);
        assert!(
            r.warnings[0]
                .starts_with("an XML item starting at line 30, byte 926 is longer than 4096 bytes"),
            "{:?}",
            r.warnings
        );
        assert!(
            r.warnings[0]
                .ends_with("reading stopped there, inside <eCustomResults.01> (opened at line 30)")
        );
    }

    #[test]
    fn deep_nesting_stops_the_reading() {
        let xml = format!("<EMSDataSet>{}", "<a>".repeat(1000));
        let r = run(&xml);
        assert_eq!(r.verdict, FileVerdict::Damaged);
        assert_eq!(
            r.warnings[0],
            "elements nested deeper than 256 at line 1, byte 777: reading stopped there"
        );
    }

    #[test]
    fn warnings_are_capped() {
        let xml = format!("<EMSDataSet>{}</EMSDataSet>", "&x;".repeat(500));
        let r = run(&xml);
        assert_eq!(r.warnings.len(), 101);
        assert_eq!(r.warnings[100], "… and 400 more warnings");
    }

    #[test]
    fn many_reports_stream_through() {
        /// Yields a document of `n` reports without holding it.
        struct Many {
            n: usize,
            done: usize,
            chunk: io::Cursor<Vec<u8>>,
        }
        impl Read for Many {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                loop {
                    let got = self.chunk.read(buf)?;
                    if got > 0 || self.done > self.n {
                        return Ok(got);
                    }
                    let next = match self.done {
                        0 => "<EMSDataSet><Header>".to_string(),
                        d if d == self.n => "</Header></EMSDataSet>".to_string(),
                        d => pcr(&d.to_string(), JANE, JANE),
                    };
                    self.done += 1;
                    self.chunk = io::Cursor::new(next.into_bytes());
                }
            }
        }
        let n = 20_000;
        let many = Many {
            n,
            done: 0,
            chunk: io::Cursor::new(Vec::new()),
        };
        let r = examine(io::BufReader::new(many));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert_eq!(r.pcrs.len(), n - 1);
        assert_eq!(r.pcrs.last().unwrap().pcr.as_deref(), Some("19999"));
    }

    /// A small file with most of what the reader meets: CRLF, references,
    /// CDATA, comments, attributes, an empty element and two reports.
    fn varied_doc() -> String {
        let cdata = format!("<![CDATA[{JANE}]]>");
        doc(&[
            pcr("P&amp;1", &cdata, JANE),
            pcr("P2", "&#80;roduced &lt;", JOHN),
        ])
        .replace("<Header>", "<Header><!-- c --><x a='1' b=\"&gt;\"/>")
        .replace('\n', "\r\n")
    }

    #[test]
    fn every_prefix_reads_without_panic_and_keeps_what_it_read() {
        let xml = varied_doc();
        let whole = run(&xml);
        assert_eq!(whole.verdict, FileVerdict::Mismatch);
        assert_eq!(whole.pcrs[0].pcr.as_deref(), Some("P&1"));
        let mut reports = 0;
        for cut in 0..xml.len() {
            if !xml.is_char_boundary(cut) {
                continue;
            }
            let r = run(&xml[..cut]);
            if cut < xml.trim_end().len() {
                assert_eq!(r.verdict, FileVerdict::Damaged, "cut at {cut}");
            }
            assert!(
                r.pcrs.len() >= reports,
                "cut at {cut}: fewer reports than before"
            );
            reports = r.pcrs.len();
        }
        assert_eq!(reports, 2);
    }

    #[test]
    fn mutated_bytes_never_panic() {
        let xml = varied_doc().into_bytes();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let mut bytes = xml.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = b"<>&;/=\"' \n\x00\xFF\xFEAa]!?-"[(next() % 18) as usize];
            }
            let r = examine(&bytes[..]);
            assert!(r.warnings.len() <= LIMITS.warnings + 1);
        }
    }

    // ---------------------------------------------------------- encodings

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for u in units {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let name = JANE.replace("Jane Doe", "Zoë Núñez");
        let xml = doc(&[pcr("P", &name, &name)]).replace("UTF-8", "UTF-16");
        for (be, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let bytes = utf16(&xml, be, bom);
            assert!(
                is_nemsis(&bytes[..bytes.len().min(200)]),
                "be {be} bom {bom}"
            );
            let r = examine(&bytes[..]);
            assert_eq!(
                r.verdict,
                FileVerdict::Consistent,
                "be {be} bom {bom}: {r:?}"
            );
            assert_eq!(
                r.pcrs[0].e900.as_ref().unwrap().name.as_deref(),
                Some("Zoë Núñez")
            );
            assert!(r.warnings.is_empty());
        }
        // Damage in converted text is placed by line only.
        let bytes = utf16(&xml[..xml.find("</eRecord>").unwrap()], false, true);
        let r = examine(&bytes[..]);
        assert_eq!(
            r.warnings[0],
            "cut short: the file ends at line 7, inside <eRecord> (opened at line 5)"
        );
    }

    #[test]
    fn utf8_bom_counts_in_byte_positions() {
        let r = run("\u{FEFF}<EMSDataSet/>x");
        assert_eq!(
            r.warnings[0],
            "not well-formed: text after the root element at line 1, byte 16"
        );
        assert!(is_nemsis("\u{FEFF}<EMSDataSet/>".as_bytes()));
    }

    #[test]
    fn declared_single_byte_encoding_is_converted() {
        let name = JANE.replace("Jane Doe", "Zoé Núñez");
        let xml = doc(&[pcr("P", &name, &name)]).replace("UTF-8", "ISO-8859-1");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&xml);
        assert!(bytes.contains(&0xE9));
        let r = examine(&bytes[..]);
        assert_eq!(r.verdict, FileVerdict::Consistent, "{r:?}");
        assert_eq!(
            r.pcrs[0].e901.as_ref().unwrap().name.as_deref(),
            Some("Zoé Núñez")
        );
        // A UTF-16 label on ASCII bytes is ignored; an unknown one is reported.
        let r = run(&doc(&[pcr("P", JANE, JANE)]).replace("UTF-8", "UTF-16"));
        assert_eq!((r.verdict, r.warnings.len()), (FileVerdict::Consistent, 0));
        let r = run(&doc(&[pcr("P", JANE, JANE)]).replace("UTF-8", "klingon"));
        assert_eq!(r.verdict, FileVerdict::Consistent);
        assert_eq!(
            r.warnings,
            vec!["the XML declaration names an unknown encoding (klingon): read as UTF-8"]
        );
    }

    // ---------------------------------------------------------- is_nemsis

    #[test]
    fn sniffing_the_root() {
        for head in [
            "<EMSDataSet>",
            "<nem:EMSDataSet xmlns:nem=\"http://www.nemsis.org\">",
            "<?xml version=\"1.0\"?>\r\n<!-- a > b -->\n<?pi?>\n<!DOCTYPE EMSDataSet [<!ENTITY a \"<b>\">]>\n<EMSDataSet>",
            "<EMSDataSet/>",
        ] {
            let sniffed = is_nemsis(head.as_bytes());
            assert!(sniffed, "{head}");
        }
        for head in [
            "",
            "<DEMDataSet>",
            "<EMSDataSetX>",
            "hello <EMSDataSet>",
            "<!-- unfinished comment <EMSDataSet>",
            "\u{FFFD}<EMSDataSet>",
            "<html><EMSDataSet>",
        ] {
            assert!(!is_nemsis(head.as_bytes()), "{head}");
        }
        assert!(!is_nemsis(b"\xFF\xD8\xFF\xE0 jpeg"));
    }

    // ---------------------------------------------------------- judging

    fn report(verdict: PcrVerdict, e900: Option<&str>, e901: Option<&str>) -> Pcr {
        Pcr {
            pcr: None,
            uuid: None,
            line: 1,
            verdict,
            e900: e900.map(Statement::parse),
            e901: e901.map(Statement::parse),
            e901_error: None,
        }
    }

    #[test]
    fn file_verdicts_in_order() {
        type Case = (Vec<Pcr>, FileVerdict, Option<(&'static str, bool)>);
        use PcrVerdict as P;
        let c = report(P::Consistent, Some(JANE), Some(JANE));
        let cj = report(P::Consistent, Some(JOHN), Some(JOHN));
        let m = report(P::Mismatch, Some(JOHN), Some(JANE));
        let i = report(P::Incomplete, None, Some(JANE));
        let ij = report(P::Incomplete, Some(JOHN), None);
        let n = report(P::None, None, None);
        let cases: Vec<Case> = vec![
            (vec![], FileVerdict::None, None),
            (vec![n.clone()], FileVerdict::None, None),
            (vec![c.clone()], FileVerdict::Consistent, Some((JANE, true))),
            (
                vec![c.clone(), m.clone(), cj.clone()],
                FileVerdict::Mismatch,
                Some((JANE, false)),
            ),
            (vec![c.clone(), cj.clone()], FileVerdict::Mixed, None),
            (vec![c.clone(), ij.clone()], FileVerdict::Mixed, None),
            (
                vec![i.clone(), c.clone()],
                FileVerdict::Incomplete,
                Some((JANE, false)),
            ),
            (
                vec![ij.clone()],
                FileVerdict::Incomplete,
                Some((JOHN, false)),
            ),
            (
                vec![n.clone(), c.clone()],
                FileVerdict::Incomplete,
                Some((JANE, false)),
            ),
            (
                vec![report(P::Mismatch, Some(JOHN), Some("junk"))],
                FileVerdict::Mismatch,
                Some((JOHN, false)),
            ),
            (
                vec![report(P::Mismatch, None, Some("junk"))],
                FileVerdict::Mismatch,
                Some(("junk", false)),
            ),
        ];
        for (pcrs, verdict, attribution) in cases {
            let (v, a) = judge(&pcrs, false);
            assert_eq!(v, verdict, "{pcrs:?}");
            let a = a.map(|a| (a.statement.text, a.verified));
            assert_eq!(a, attribution.map(|(t, v)| (t.to_string(), v)), "{pcrs:?}");
        }
        // Damaged: the same rules on what was read, never verified.
        let (v, a) = judge(std::slice::from_ref(&c), true);
        assert_eq!(
            (v, a.map(|a| a.verified)),
            (FileVerdict::Damaged, Some(false))
        );
        let (v, a) = judge(&[c, cj], true);
        assert_eq!((v, a), (FileVerdict::Damaged, None));
    }
}
