//! The document's metadata: every Info entry and XMP property, and who,
//! where and when they name.
//!
//! Which fields the vendor uses is not documented, so nothing is assumed:
//! the vendor's statement sentence is recognised in any value; otherwise the
//! name comes from `Author`, a key ending in "By", or `dc:creator` (a name
//! written `Jane Doe (ID 16)` gives its ID apart), else from a value saying
//! `by <name> (ID <n>)`; the IP address from any value holding one; the date
//! from a "requested" or "…On" key, the `on <date>` of that value, or the
//! creation date.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;
use lopdf::{Dictionary, Document, Object};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::MAX_STREAM;
use crate::artifact::statement::Statement;

/// The most XMP properties and values kept (a hostile packet can hold many).
const MAX_PROPERTIES: usize = 1000;
const MAX_VALUE: usize = 64 << 10;

/// Every Info entry, then every XMP property, as `(key, text)`.
pub fn read(doc: &Document, warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(info) = doc
        .trailer
        .get(b"Info")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict())
    {
        info_entries(doc, info, &mut out);
    }
    let xmp = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_stream().ok());
    if let Some(stream) = xmp {
        match stream.get_plain_content_with_limit(MAX_STREAM) {
            Ok(bytes) => {
                if let Err(e) = xmp_properties(&bytes, &mut out) {
                    warnings.push(format!("the XMP metadata is not well-formed: {e}"));
                }
            }
            Err(e) => warnings.push(format!("the XMP metadata could not be decoded: {e}")),
        }
    }
    out
}

fn info_entries(doc: &Document, info: &Dictionary, out: &mut Vec<(String, String)>) {
    for (key, value) in info.iter().take(MAX_PROPERTIES) {
        let value = doc.dereference(value).map_or(value, |(_, o)| o);
        out.push((String::from_utf8_lossy(key).into_owned(), text_of(value)));
    }
}

/// An Info value as text: text strings decoded (PDFDocEncoding, UTF-16BE,
/// UTF-8), other objects written as PDF writes them.
fn text_of(value: &Object) -> String {
    let text = match value {
        // UTF-16LE with its byte order mark: not allowed, but written.
        Object::String(bytes, _) if bytes.starts_with(&[0xFF, 0xFE]) => encoding_rs::UTF_16LE
            .decode_without_bom_handling(&bytes[2..])
            .0
            .into_owned(),
        Object::String(bytes, _) => lopdf::decode_text_string(value)
            .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned()),
        Object::Name(n) => format!("/{}", String::from_utf8_lossy(n)),
        Object::Integer(i) => i.to_string(),
        Object::Real(r) => r.to_string(),
        Object::Boolean(b) => b.to_string(),
        Object::Null => "null".into(),
        Object::Reference((n, g)) => format!("{n} {g} R"),
        Object::Array(items) => {
            let mut joined = String::new();
            for item in items {
                if joined.len() >= MAX_VALUE {
                    break;
                }
                if !joined.is_empty() {
                    joined.push_str("; ");
                }
                joined.push_str(&text_of(item));
            }
            joined
        }
        Object::Dictionary(_) => "<<dictionary>>".into(),
        Object::Stream(_) => "<<stream>>".into(),
    };
    text.chars().take(MAX_VALUE).collect()
}

/// The properties of an XMP packet: elements inside `rdf:Description` and
/// its attributes, keyed `xmp:<qualified name>`; list items joined by `; `.
fn xmp_properties(bytes: &[u8], out: &mut Vec<(String, String)>) -> Result<(), String> {
    let text = decode_xml(bytes);
    let mut reader = Reader::from_str(&text);
    let mut xmp = Xmp::default();
    loop {
        if xmp.count >= MAX_PROPERTIES {
            break;
        }
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => xmp.open(&e, out),
            Event::Empty(e) => {
                xmp.open(&e, out);
                xmp.close(b"", out);
            }
            Event::End(e) => xmp.close(e.name().as_ref().as_bytes(), out),
            Event::Text(t) if xmp.property.is_some() => {
                xmp.text(&t.xml10_content());
            }
            Event::CData(c) if xmp.property.is_some() => {
                xmp.text(&c.xml10_content());
            }
            Event::GeneralRef(r) if xmp.property.is_some() => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    resolve_predefined_entity(&r).map(String::from)
                };
                // An entity XMP does not define stays as written, never
                // silently dropped from a name.
                match resolved {
                    Some(s) => xmp.text(&s),
                    None => xmp.text(&format!("&{};", &*r)),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// Where the XMP reader is.
#[derive(Default)]
struct Xmp {
    depth: usize,
    /// The depth of the open `rdf:Description`.
    description: Option<usize>,
    /// The open property and its depth.
    property: Option<(String, usize)>,
    values: Vec<String>,
    current: String,
    count: usize,
}

impl Xmp {
    fn open(&mut self, e: &quick_xml::events::BytesStart, out: &mut Vec<(String, String)>) {
        let name = e.name().as_ref().to_string();
        self.depth += 1;
        if name == "rdf:Description" {
            self.description = Some(self.depth);
            for attr in e.attributes().flatten() {
                let key = attr.key.as_ref().to_string();
                if key.starts_with("xmlns") || key.starts_with("rdf:") {
                    continue;
                }
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_or_else(|_| attr.value.to_string(), |v| v.into_owned());
                out.push((format!("xmp:{key}"), value));
                self.count += 1;
            }
        } else if self.description == Some(self.depth - 1) {
            self.property = Some((name, self.depth));
            self.values.clear();
            self.current.clear();
            for attr in e.attributes().flatten() {
                if attr.key.as_ref() == "rdf:resource" {
                    self.values.push(attr.value.to_string());
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        if self.current.len() < MAX_VALUE {
            self.current.push_str(t);
        }
    }

    fn close(&mut self, name: &[u8], out: &mut Vec<(String, String)>) {
        let at_property = self
            .property
            .as_ref()
            .is_some_and(|(_, d)| *d == self.depth);
        if name == b"rdf:li" || at_property {
            let v = self.current.trim();
            if !v.is_empty() {
                self.values.push(v.to_string());
            }
            self.current.clear();
        }
        if at_property && let Some((key, _)) = self.property.take() {
            out.push((format!("xmp:{key}"), self.values.join("; ")));
            self.count += 1;
        }
        if self.description == Some(self.depth) {
            self.description = None;
        }
        self.depth = self.depth.saturating_sub(1);
    }
}

/// XMP is UTF-8, or UTF-16 with a byte order mark; converted to UTF-8.
fn decode_xml(bytes: &[u8]) -> String {
    let (text, _) = match bytes {
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE.decode_without_bom_handling(&bytes[2..]),
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE.decode_without_bom_handling(&bytes[2..]),
        _ => encoding_rs::UTF_8.decode_with_bom_removal(bytes),
    };
    text.into_owned()
}

/// A PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (everything after the year optional).
pub fn pdf_date(text: &str) -> Option<Timestamp> {
    let s = text.trim().strip_prefix("D:").unwrap_or(text.trim());
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 4 || digits % 2 != 0 || digits > 14 {
        return None;
    }
    let num = |from: usize, default: i32| -> Option<i32> {
        if from + 2 <= digits {
            s.get(from..from + 2)?.parse().ok()
        } else {
            Some(default)
        }
    };
    let year: i16 = s.get(..4)?.parse().ok()?;
    let (month, day) = (num(4, 1)?, num(6, 1)?);
    let (hour, minute, second) = (num(8, 0)?, num(10, 0)?, num(12, 0)?);
    let dt = DateTime::new(
        year,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()?;
    let zone = &s[digits..];
    let offset = match zone.as_bytes().first() {
        None | Some(b'Z') => 0,
        Some(&sign @ (b'+' | b'-')) => {
            // `HH'mm'`, `HH'mm`, `HHmm` or `HH`, and nothing else.
            let rest: String = zone[1..].chars().filter(|&c| c != '\'').collect();
            if !matches!(rest.len(), 2 | 4) || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: i32 = rest.get(..2)?.parse().ok()?;
            let m: i32 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            if h > 23 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            if sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    Offset::from_seconds(offset).ok()?.to_timestamp(dt).ok()
}

/// Who, where and when the metadata names, and where each came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The vendor's statement, when a value holds it.
    pub vendor: Option<Statement>,
    pub name: Option<String>,
    /// The `(ID n)` written with the name.
    pub user_id: Option<u64>,
    pub ip: Option<String>,
    pub when: Option<Timestamp>,
    /// `key=value` of the fields used.
    pub sources: Vec<String>,
}

impl Identity {
    /// The identity as a statement: the vendor's, or one assembled from the
    /// separate fields (`parsed` false, its text naming the fields used).
    pub fn statement(&self) -> Option<Statement> {
        if let Some(v) = &self.vendor {
            return Some(v.clone());
        }
        if self.name.is_none() && self.ip.is_none() {
            return None;
        }
        Some(Statement {
            text: self.sources.join("; "),
            parsed: false,
            name: self.name.clone(),
            user_id: self.user_id,
            ip: self.ip.clone(),
            produced_at: self.when,
            host: None,
            recipient: None,
        })
    }

    /// Which of who, where and when differ from `later`.
    pub fn changes(&self, later: &Identity) -> Vec<&'static str> {
        let mut changed = Vec::new();
        let names = match (&self.name, &later.name) {
            (Some(a), Some(b)) => super::same_name(a, b),
            (a, b) => a == b,
        };
        if !names {
            changed.push("name");
        }
        if self.ip != later.ip {
            changed.push("ip");
        }
        if self.when != later.when {
            changed.push("date");
        }
        changed
    }

    pub fn describe(&self, field: &str) -> String {
        let v = match field {
            "name" => self.name.clone(),
            "ip" => self.ip.clone(),
            _ => self.when.map(|t| t.to_string()),
        };
        v.unwrap_or_else(|| "(none)".into())
    }
}

/// Reads who, where and when from the metadata entries.
pub fn identity(meta: &[(String, String)]) -> Identity {
    let mut id = Identity::default();
    for (key, value) in meta {
        if let Some(s) = Statement::find(value) {
            id.name.clone_from(&s.name);
            id.user_id = s.user_id;
            id.ip.clone_from(&s.ip);
            id.when = s.produced_at;
            id.sources.push(format!("{key}={value}"));
            id.vendor = Some(s);
            return id;
        }
    }
    let last = |k: &str| k.rsplit(':').next().unwrap_or(k).to_string();
    let name_keys: [&dyn Fn(&str) -> bool; 3] = [
        &|k| k == "Author" || k == "xmp:pdf:Author",
        &|k| {
            let l = last(k).to_ascii_lowercase();
            l.ends_with("by") && l.len() > 2
        },
        &|k| k == "xmp:dc:creator",
    ];
    'names: for matches in name_keys {
        for (key, value) in meta {
            if matches(key)
                && let Some((name, user_id)) = name_field(value)
            {
                id.name = Some(name);
                id.user_id = user_id;
                id.source(key, value);
                break 'names;
            }
        }
    }
    // `Requested by Jane Doe (ID 16) from 192.168.1.42 on ...`: names the
    // person when no field does, or gives the ID of the one a field names.
    let mut said_when = None;
    if id.user_id.is_none() {
        for (key, value) in meta {
            let Some(said) = requested_by(value) else {
                continue;
            };
            if id
                .name
                .as_deref()
                .is_some_and(|n| !super::same_name(n, &said.name))
            {
                continue;
            }
            id.name.get_or_insert(said.name);
            id.user_id = Some(said.user_id);
            said_when = said.when;
            id.source(key, value);
            break;
        }
    }
    let ip_key = |k: &str| k.to_ascii_lowercase().contains("ip");
    for pass in [true, false] {
        if id.ip.is_some() {
            break;
        }
        for (key, value) in meta {
            if ip_key(key) != pass {
                continue;
            }
            if let Some(ip) = find_ip(value) {
                id.source(key, value);
                id.ip = Some(ip);
                break;
            }
        }
    }
    let date_keys: [&dyn Fn(&str) -> bool; 2] = [
        &|k| {
            let l = last(k);
            l.to_ascii_lowercase().contains("requested")
                || l.ends_with("On")
                || l.to_ascii_lowercase().ends_with(" on")
                || l.to_ascii_lowercase().ends_with("_on")
        },
        &|k| k == "CreationDate" || k == "xmp:xmp:CreateDate",
    ];
    'dates: for (pass, matches) in date_keys.into_iter().enumerate() {
        if pass == 1
            && let Some(t) = said_when
        {
            // Its value is already among the sources.
            id.when = Some(t);
            break;
        }
        for (key, value) in meta {
            if matches(key)
                && let Some(t) = super::parse_date(value)
            {
                id.when = Some(t);
                id.source(key, value);
                break 'dates;
            }
        }
    }
    id
}

impl Identity {
    /// Lists a field used (once, however many things it gave).
    fn source(&mut self, key: &str, value: &str) {
        let source = format!("{key}={}", value.trim());
        if !self.sources.contains(&source) {
            self.sources.push(source);
        }
    }
}

/// A name field's value: the name, and the ID written after it
/// (`Jane Doe (ID 16)`, as the application writes users). `None` when it
/// names no one.
fn name_field(value: &str) -> Option<(String, Option<u64>)> {
    let value = value.trim();
    let (name, user_id) = match user_id_marks(value).next() {
        Some(mark) => (value[..mark.start].trim(), Some(mark.user_id)),
        None => (value, None),
    };
    (!name.is_empty()).then(|| (name.to_string(), user_id))
}

/// The application's `(ID 16)` after a name, and where it is.
#[derive(Debug, PartialEq, Eq)]
struct UserIdMark {
    start: usize,
    end: usize,
    user_id: u64,
}

/// Every `(ID <n>)` in a text (`ID` in any case, `:` or `#` allowed after
/// it), in order. Each `(` is looked at once, over a few bytes.
fn user_id_marks(text: &str) -> impl Iterator<Item = UserIdMark> + '_ {
    // At most one space between the parts, so each `(` costs a few bytes.
    fn space(b: &[u8]) -> &[u8] {
        b.strip_prefix(b" ").unwrap_or(b)
    }
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'(', bytes).filter_map(move |start| {
        let rest = space(&bytes[start + 1..]);
        if !rest.get(..2)?.eq_ignore_ascii_case(b"id") {
            return None;
        }
        let rest = space(&rest[2..]);
        let rest = space(
            rest.strip_prefix(b":")
                .or_else(|| rest.strip_prefix(b"#"))
                .unwrap_or(rest),
        );
        let digits = rest
            .iter()
            .take(21)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 20 {
            return None;
        }
        let after = space(&rest[digits..]);
        if after.first() != Some(&b')') {
            return None;
        }
        let user_id = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        let end = bytes.len() - after.len() + 1;
        Some(UserIdMark {
            start,
            end,
            user_id,
        })
    })
}

/// Who a sentence says asked for the file: `by <name> (ID <n>)` (or
/// `user <name> (ID <n>)`), and the `on <date>` that follows, if any.
#[derive(Debug, PartialEq, Eq)]
struct RequestedBy {
    name: String,
    user_id: u64,
    when: Option<Timestamp>,
}

/// How far before its `(ID n)` a name's `by ` is looked for, and after it an
/// `on <date>`.
const PHRASE_REACH: usize = 256;

fn requested_by(value: &str) -> Option<RequestedBy> {
    user_id_marks(value).find_map(|mark| {
        let from = floor_char_boundary(value, mark.start.saturating_sub(PHRASE_REACH));
        let before = &value[from..mark.start];
        let lower = before.to_ascii_lowercase();
        // The last `by ` or `user ` that starts a word.
        let name_from = ["by ", "user "]
            .iter()
            .filter_map(|word| {
                lower
                    .rmatch_indices(word)
                    .find(|&(i, _)| {
                        let preceding = if i == 0 { &value[..from] } else { &before[..i] };
                        preceding.is_empty() || preceding.ends_with(char::is_whitespace)
                    })
                    .map(|(i, _)| i + word.len())
            })
            .max()?;
        let name = before[name_from..].trim();
        if name.is_empty() {
            return None;
        }
        let to = floor_char_boundary(value, mark.end.saturating_add(PHRASE_REACH));
        Some(RequestedBy {
            name: name.to_string(),
            user_id: mark.user_id,
            when: date_said(&value[mark.end..to]),
        })
    })
}

/// The date of ` on <date>` in a text, up to the end of its sentence.
fn date_said(text: &str) -> Option<Timestamp> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(" on ")? + " on ".len();
    let rest = &text[at..];
    let sentence = rest.split(". ").next().unwrap_or(rest);
    super::parse_date(sentence.trim().trim_end_matches('.'))
}

/// The largest char boundary of `text` at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The first IPv4 or IPv6 address in a text.
pub fn find_ip(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == ':'))
        .map(|t| t.trim_matches(|c| c == '.' || c == ':'))
        .filter(|t| t.matches('.').count() == 3 || t.contains("::") || t.matches(':').count() == 7)
        .find(|t| crate::filter::parse_ip(t.as_bytes()).is_some())
        .map(str::to_string)
}

/// Keys that make a dictionary look like an Info dictionary.
const INFO_KEYS: &[&[u8]] = &[
    b"/Author",
    b"/Producer",
    b"/Creator",
    b"/CreationDate",
    b"/ModDate",
    b"/Title",
    b"/Subject",
    b"/Keywords",
];

/// Scans raw bytes for an Info-like dictionary (for files whose structure
/// is lost), and reads its entries by handing it to lopdf in a tiny wrapper.
pub fn scan_raw(bytes: &[u8]) -> Vec<(String, String)> {
    let mut best: Vec<(String, String)> = Vec::new();
    let mut tried = 0;
    for key in INFO_KEYS {
        for at in memchr::memmem::find_iter(bytes, key).take(8) {
            let Some(dict) = enclosing_dict(bytes, at) else {
                continue;
            };
            tried += 1;
            if tried > 32 {
                return best;
            }
            let mut wrapped = b"%PDF-1.4\n1 0 obj\n".to_vec();
            wrapped.extend_from_slice(dict);
            wrapped.extend_from_slice(b"\nendobj\n2 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 2 0 R /Info 1 0 R >>\n%%EOF\n");
            let Ok(doc) = super::load(&wrapped, None) else {
                continue;
            };
            if let Ok(info) = doc.get_dictionary((1, 0)) {
                let mut found = Vec::new();
                info_entries(&doc, info, &mut found);
                if found.len() > best.len() {
                    best = found;
                }
            }
        }
    }
    best
}

/// The `<< ... >>` holding position `at` (within 8 KiB before it), skipping
/// literal strings; `None` when it does not close.
fn enclosing_dict(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let from = at.saturating_sub(8 << 10);
    let open = from + memchr::memmem::rfind(&bytes[from..at], b"<<")?;
    let mut depth = 0i32;
    let mut i = open;
    let limit = (open + (64 << 10)).min(bytes.len());
    while i < limit {
        match bytes[i] {
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut nest = 0;
                while i < limit {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => nest += 1,
                        b')' => {
                            nest -= 1;
                            if nest == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(&bytes[open..=i]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn vendor_statement_anywhere_wins() {
        let id = identity(&meta(&[
            ("Author", "AngelTrack"),
            (
                "Subject",
                "Run report. Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42. Confidential.",
            ),
        ]));
        let s = id.statement().unwrap();
        assert!(s.parsed);
        assert_eq!(s.name.as_deref(), Some("Jane Doe"));
        assert_eq!(s.ip.as_deref(), Some("192.168.1.42"));
    }

    #[test]
    fn separate_fields_are_assembled() {
        let id = identity(&meta(&[
            ("Title", "Run report 4821 v1.7"),
            ("CreationDate", "D:20200101000000Z"),
            ("RequestedBy", "Jane Doe"),
            ("RequestedOn", "D:20210701173516Z"),
            ("Description", "requested from 192.168.1.42."),
        ]));
        assert_eq!(id.name.as_deref(), Some("Jane Doe"));
        assert_eq!(id.ip.as_deref(), Some("192.168.1.42"));
        assert_eq!(id.when.unwrap().to_string(), "2021-07-01T17:35:16Z");
        let s = id.statement().unwrap();
        assert!(!s.parsed);
        assert!(s.text.contains("RequestedBy=Jane Doe"), "{}", s.text);
    }

    #[test]
    fn author_first_then_by_then_dc_creator() {
        let id = identity(&meta(&[
            ("xmp:dc:creator", "Mary Jones"),
            ("PrintedBy", "Jane"),
        ]));
        assert_eq!(id.name.as_deref(), Some("Jane"));
        let id = identity(&meta(&[("xmp:dc:creator", "Mary Jones")]));
        assert_eq!(id.name.as_deref(), Some("Mary Jones"));
        assert_eq!(id.statement().unwrap().produced_at, None);
        assert_eq!(identity(&meta(&[("Producer", "x")])).statement(), None);
    }

    #[test]
    fn ips_are_found_in_text_but_times_and_versions_are_not() {
        assert_eq!(find_ip("at 2001:db8::42."), Some("2001:db8::42".into()));
        assert_eq!(find_ip("IP=10.0.0.7;"), Some("10.0.0.7".into()));
        assert_eq!(find_ip("17:35:16 v1.2.3 D:20210701"), None);
    }

    #[test]
    fn xmp_properties_lists_attributes_and_entities() {
        let xmp = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" pdf:Producer="Acme">
<dc:creator><rdf:Seq><rdf:li>Jane &amp; John Doe</rdf:li><rdf:li>Mary</rdf:li></rdf:Seq></dc:creator>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Run report</rdf:li></rdf:Alt></dc:title>
<pdf:Keywords>a, b</pdf:Keywords><pdf:Empty/>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
        let mut out = Vec::new();
        xmp_properties(xmp.as_bytes(), &mut out).unwrap();
        assert_eq!(
            out,
            meta(&[
                ("xmp:pdf:Producer", "Acme"),
                ("xmp:dc:creator", "Jane & John Doe; Mary"),
                ("xmp:dc:title", "Run report"),
                ("xmp:pdf:Keywords", "a, b"),
                ("xmp:pdf:Empty", ""),
            ])
        );
    }

    #[test]
    fn info_strings_in_every_text_encoding() {
        use lopdf::StringFormat::{Hexadecimal, Literal};
        for (bytes, text) in [
            (&b"Jane Doe"[..], "Jane Doe"),
            (b"\xfe\xff\x00Z\x00o\x00\xeb", "Zoë"),
            (b"\xff\xfeZ\x00o\x00\xeb\x00", "Zoë"),
            (b"\xef\xbb\xbfZo\xc3\xab", "Zoë"),
            (b"Zo\xeb \x8dq\x8e", "Zoë “q”"),
        ] {
            for format in [Literal, Hexadecimal] {
                assert_eq!(text_of(&Object::String(bytes.to_vec(), format)), text);
            }
        }
        assert_eq!(text_of(&Object::Name(b"False".to_vec())), "/False");
        assert_eq!(text_of(&Object::Integer(3)), "3");
    }

    #[test]
    fn raw_scan_finds_an_info_dictionary_in_a_fragment() {
        let bytes = b"%PDF-1.4\n7 0 obj\n<< /Author (Jane \\(J\\) Doe) /Producer <FEFF004100740020> /CreationDate (D:20210701173516Z) >>\nendobj\n3 0 obj << /Type /Pa";
        let found = scan_raw(bytes);
        assert_eq!(found[0], ("Author".into(), "Jane (J) Doe".into()));
        assert_eq!(found[1], ("Producer".into(), "At ".into()));
        assert_eq!(found.len(), 3);
        assert!(scan_raw(b"/Author (unterminated").is_empty());
    }

    /// Regression (issue "Hardening"): the ID written in a "requested by"
    /// sentence was left out (`user_id: null`), and the name with it.
    #[test]
    fn requested_by_a_name_with_its_id_gives_both() {
        let id = identity(&meta(&[
            ("Title", "Run report"),
            (
                "Subject",
                "Requested by Jane Doe (ID 16) from 192.168.1.42 on 2021-07-01 17:35:16-00:00.",
            ),
        ]));
        assert_eq!(id.name.as_deref(), Some("Jane Doe"));
        assert_eq!(id.user_id, Some(16));
        assert_eq!(id.ip.as_deref(), Some("192.168.1.42"));
        assert_eq!(id.when.unwrap().to_string(), "2021-07-01T17:35:16Z");
        let s = id.statement().unwrap();
        assert_eq!((s.user_id, s.parsed), (Some(16), false));
        // The value is listed once, though it gave four things.
        assert_eq!(
            s.text,
            "Subject=Requested by Jane Doe (ID 16) from 192.168.1.42 on 2021-07-01 17:35:16-00:00."
        );
        // A date named by its key still comes first.
        let id = identity(&meta(&[
            (
                "Subject",
                "requested by Jane Doe (id: 16) on 2021-07-01 17:35:16-00:00",
            ),
            ("RequestedOn", "D:20200101000000Z"),
        ]));
        assert_eq!(id.when.unwrap().to_string(), "2020-01-01T00:00:00Z");
    }

    /// Regression (issue "Hardening"): an XMP `RequestedBy` of
    /// `Jane Doe (ID 16)` was the name "Jane Doe (ID 16)", which then did
    /// not match the file's own "Printed by: Jane Doe".
    #[test]
    fn a_name_field_written_with_its_id_is_split() {
        for key in [
            "xmp:acme:RequestedBy",
            "Author",
            "xmp:dc:creator",
            "PrintedBy",
        ] {
            let id = identity(&meta(&[(key, " Jane Doe (ID 16) ")]));
            assert_eq!(id.name.as_deref(), Some("Jane Doe"), "{key}");
            assert_eq!(id.user_id, Some(16), "{key}");
            assert_eq!(id.statement().unwrap().user_id, Some(16), "{key}");
        }
        // What is not an ID stays part of what is written.
        for value in ["Jane Doe (ID x)", "Jane Doe (ID 123456789012345678901)"] {
            let id = identity(&meta(&[("Author", value)]));
            assert_eq!(id.name.as_deref(), Some(value));
            assert_eq!(id.user_id, None);
        }
        // An ID alone names no one: the next field does.
        let id = identity(&meta(&[
            ("Author", "(ID 16)"),
            ("xmp:dc:creator", "Jane Doe"),
        ]));
        assert_eq!((id.name.as_deref(), id.user_id), (Some("Jane Doe"), None));
    }

    #[test]
    fn a_sentence_gives_the_id_only_of_the_person_the_fields_name() {
        let said = ("Subject", "Requested by Jane Doe (ID 16) from 192.168.1.42");
        let id = identity(&meta(&[("Author", "JANE DOE"), said]));
        assert_eq!(
            (id.name.as_deref(), id.user_id),
            (Some("JANE DOE"), Some(16))
        );
        let id = identity(&meta(&[("Author", "Mary Jones"), said]));
        assert_eq!((id.name.as_deref(), id.user_id), (Some("Mary Jones"), None));
        // `by` must start a word; `user` counts too; the nearest wins.
        assert_eq!(
            requested_by("Nearby Jane (ID 3)").map(|r| r.name),
            None::<String>
        );
        assert_eq!(
            requested_by("Produced yesterday by acme for user Zoë Núñez (ID 7) at x")
                .map(|r| (r.name, r.user_id)),
            Some(("Zoë Núñez".to_string(), 7))
        );
        assert_eq!(requested_by("by (ID 3)"), None);
    }

    #[test]
    fn id_marks_are_read_exactly() {
        let marks: Vec<u64> =
            user_id_marks("a (ID 1) b (id:2) c ( ID #3 ) d (ID) e (IDx 4) f (ID 5")
                .map(|m| m.user_id)
                .collect();
        assert_eq!(marks, [1, 2, 3]);
        let m = user_id_marks("Jane (ID 16)!").next().unwrap();
        assert_eq!((m.start, m.end), (5, 12));
    }

    /// Regression (issue "Hardening"): an entity XMP does not define was
    /// dropped, so `Jane &x; Doe` read as a plausible "Jane  Doe".
    #[test]
    fn an_unknown_xmp_entity_stays_as_written() {
        let xmp = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>Jane &x; Doe &#65;</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let mut out = Vec::new();
        xmp_properties(xmp.as_bytes(), &mut out).unwrap();
        assert_eq!(out, meta(&[("xmp:dc:creator", "Jane &x; Doe A")]));
    }

    /// Regression (issue "Hardening"): values of `Produced . ` thousands of
    /// times (and longer) are searched once each, and name no one.
    #[test]
    fn metadata_full_of_produced_names_no_one() {
        let value = "Produced . ".repeat(5_900);
        let long = "Produced . ".repeat(100_000);
        let id = identity(&meta(&[
            ("Title", &value),
            ("Subject", &long),
            ("Keywords", &value),
        ]));
        assert_eq!(id, Identity::default());
    }

    #[test]
    fn an_array_value_stops_growing_at_the_cap() {
        let item = Object::string_literal("x".repeat(MAX_VALUE / 2));
        let text = text_of(&Object::Array(vec![item; 100]));
        assert_eq!(text.chars().count(), MAX_VALUE);
    }
}
