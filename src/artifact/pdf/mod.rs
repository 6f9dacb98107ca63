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
//! reported as damage. lopdf silently drops an object nested deeper than it
//! parses (100 levels), so objects missing that way are warned about, and a
//! dropped Info dictionary is read from the bytes ([`lost_info`]).

mod base14;
mod metadata;
mod text;

use crate::contain::contain;
use jiff::Timestamp;
use lopdf::xref::XrefEntry;
use lopdf::{Document, LoadOptions, Object, ObjectId};

use super::Attribution;
use super::grid::size;
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
    match contain(|| examine_inner(bytes, password)) {
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
    let pages = text::read_pages(&doc, &mut warnings);
    findings.printed_by = stamp(&pages, &mut warnings);
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
        revisions(bytes, &doc, password, newest, &mut findings, &mut warnings)
    };
    judge(findings, history, damaged, warnings)
}

/// Every Info entry and XMP property; an Info dictionary lopdf dropped is
/// read from the bytes (see [`lost_info`]).
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

/// How deeply lopdf parses arrays and dictionaries, and parentheses in a
/// string: an object nested deeper is dropped whole, without an error.
const LOPDF_NESTING: usize = 100;
/// How deeply the values of an Info dictionary read by hand are kept.
const INFO_DEPTH: usize = 32;
/// The most bytes of an Info dictionary read by hand.
const MAX_INFO_BYTES: usize = 1 << 20;
/// How many keys whose values were cut a warning names.
const MAX_CUT_KEYS: usize = 10;
/// What stands for a value nested deeper than [`INFO_DEPTH`].
const TOO_DEEP: &str = "(nested too deep; not read)";

/// The entries of an Info dictionary the trailer names but lopdf dropped
/// (an object nested deeper than it parses, or otherwise malformed): the
/// object is found in the bytes, made parseable (strings keep their text;
/// values nested deeper than [`INFO_DEPTH`] are replaced) and read. A
/// warning says what happened either way, so that a verdict never rests on
/// silently missing metadata.
fn lost_info(
    doc: &Document,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Option<Vec<(String, String)>> {
    let Ok(&Object::Reference(id)) = doc.trailer.get(b"Info") else {
        return None;
    };
    if doc.objects.contains_key(&id) {
        return None;
    }
    let raw = if doc.was_encrypted() {
        // Its strings are ciphertext in the bytes.
        None
    } else {
        object_bytes(Some(doc), bytes, id)
    };
    info_by_hand(raw.as_deref(), id, warnings)
}

/// Reads an Info dictionary lopdf refused from its bytes (see [`tame`]),
/// with a warning saying why and what became of it.
fn info_by_hand(
    raw: Option<&[u8]>,
    id: ObjectId,
    warnings: &mut Vec<String>,
) -> Option<Vec<(String, String)>> {
    let object = format!("object {} {} R", id.0, id.1);
    let tamed = raw.and_then(tame);
    let read = tamed.as_ref().and_then(|t| {
        let mut wrapped = b"%PDF-1.4\n1 0 obj\n".to_vec();
        wrapped.extend_from_slice(&t.dict);
        wrapped.extend_from_slice(
            b"\nendobj\n2 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 2 0 R /Info 1 0 R >>\n%%EOF\n",
        );
        let small = load(&wrapped, None).ok()?;
        let mut ignored = Vec::new();
        Some(metadata::read(&small, &mut ignored)).filter(|_| small.objects.contains_key(&(1, 0)))
    });
    let why = match &tamed {
        Some(t) if t.depth > LOPDF_NESTING => format!(
            "a value in it is nested deeper than the {LOPDF_NESTING} levels the PDF reader parses"
        ),
        // The string's own parentheses are one level; lopdf reads 100 inside.
        Some(t) if t.parentheses > LOPDF_NESTING + 1 => format!(
            "a string in it nests parentheses deeper than the {LOPDF_NESTING} levels the PDF reader parses"
        ),
        _ => format!(
            "it is malformed, or nested deeper than the {LOPDF_NESTING} levels the PDF reader parses"
        ),
    };
    match (read, tamed) {
        (Some(entries), Some(tamed)) => {
            let cut = if tamed.cut.is_empty() {
                String::new()
            } else {
                let mut keys = tamed.cut.clone();
                if keys.len() > MAX_CUT_KEYS {
                    keys.truncate(MAX_CUT_KEYS);
                    keys.push("others".into());
                }
                format!(
                    "; what lies deeper than {INFO_DEPTH} levels in {} reads \"{}\"",
                    keys.join(", "),
                    &TOO_DEEP[1..TOO_DEEP.len() - 1]
                )
            };
            warnings.push(format!(
                "the PDF reader dropped the Info dictionary ({object}): {why}; its entries were read by \
                 leaktrace itself{cut}"
            ));
            Some(entries)
        }
        _ => {
            warnings.push(format!(
                "the Info dictionary ({object}) could not be read: {why}; the metadata shown lacks it"
            ));
            None
        }
    }
}

/// The object the last `/Info n g R` in the bytes names (a trailer's).
fn raw_info_reference(bytes: &[u8]) -> Option<ObjectId> {
    memchr::memmem::rfind_iter(bytes, b"/Info").find_map(|at| {
        let rest = bytes.get(at + 5..(at + 40).min(bytes.len()))?;
        let rest = std::str::from_utf8(&rest[..rest.iter().position(|&b| b == b'R')?]).ok()?;
        let mut numbers = rest.split_ascii_whitespace();
        let id = (numbers.next()?.parse().ok()?, numbers.next()?.parse().ok()?);
        numbers.next().is_none().then_some(id)
    })
}

/// The bytes of an indirect object, from the `<<` after its `obj` keyword:
/// where the cross-reference table puts it, else its last definition in the
/// file, or its place in an object stream lopdf kept.
fn object_bytes(doc: Option<&Document>, bytes: &[u8], id: ObjectId) -> Option<Vec<u8>> {
    let header = format!("{} {} obj", id.0, id.1);
    let after_header = |from: usize| -> Option<usize> {
        let rest = bytes.get(from..)?;
        let at = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest[at..]
            .starts_with(header.as_bytes())
            .then_some(from + at + header.len())
    };
    match doc.and_then(|doc| doc.reference_table.get(id.0).map(|e| (doc, e))) {
        Some((doc, XrefEntry::Compressed { container, .. })) => {
            return in_object_stream(doc, (*container, 0), id.0);
        }
        Some((_, XrefEntry::Normal { offset, .. })) => {
            if let Some(at) = usize::try_from(*offset).ok().and_then(after_header) {
                return Some(bytes[at..].iter().take(MAX_INFO_BYTES).copied().collect());
            }
        }
        _ => {}
    }
    // Recovered or shifted offsets: the last definition, at a line start.
    let at = memchr::memmem::find_iter(bytes, header.as_bytes())
        .filter(|&at| at == 0 || matches!(bytes[at - 1], b'\r' | b'\n' | b' ' | b'\t'))
        .last()?;
    let start = at + header.len();
    Some(
        bytes[start..]
            .iter()
            .take(MAX_INFO_BYTES)
            .copied()
            .collect(),
    )
}

/// Object `number`'s bytes in an object stream.
fn in_object_stream(doc: &Document, container: ObjectId, number: u32) -> Option<Vec<u8>> {
    let stream = doc.get_object(container).ok()?.as_stream().ok()?;
    let content = stream.get_plain_content_with_limit(MAX_STREAM).ok()?;
    let first = usize::try_from(stream.dict.get(b"First").ok()?.as_i64().ok()?).ok()?;
    let count = usize::try_from(stream.dict.get(b"N").ok()?.as_i64().ok()?).ok()?;
    let head = std::str::from_utf8(content.get(..first)?).ok()?;
    let numbers: Vec<usize> = head
        .split_ascii_whitespace()
        .take(count.saturating_mul(2))
        .map_while(|n| n.parse().ok())
        .collect();
    let offset = numbers
        .chunks_exact(2)
        .find(|pair| pair[0] == number as usize)?[1];
    let at = first.checked_add(offset)?;
    Some(
        content
            .get(at..)?
            .iter()
            .take(MAX_INFO_BYTES)
            .copied()
            .collect(),
    )
}

/// An Info dictionary rewritten so that lopdf parses it.
#[derive(Debug, PartialEq, Eq)]
struct Tamed {
    dict: Vec<u8>,
    /// The keys whose values were cut at [`INFO_DEPTH`].
    cut: Vec<String>,
    /// The deepest nesting of arrays and dictionaries (the Info is 1), and
    /// of parentheses in a string, found.
    depth: usize,
    parentheses: usize,
}

/// Rewrites the dictionary at the start of `bytes` (after whitespace and
/// comments): parentheses inside strings are escaped, which keeps their text
/// and nests nothing, and arrays and dictionaries deeper than
/// [`INFO_DEPTH`] become [`TOO_DEEP`]. `None` when it does not close.
fn tame(bytes: &[u8]) -> Option<Tamed> {
    let bytes = &bytes[..bytes.len().min(MAX_INFO_BYTES)];
    let mut tamed = Tamed {
        dict: Vec::new(),
        cut: Vec::new(),
        depth: 0,
        parentheses: 0,
    };
    let mut depth = 0;
    let mut key: &[u8] = b"";
    let mut i = 0;
    while i < bytes.len() {
        let opens = match &bytes[i..] {
            [b'<', b'<', ..] => 2,
            [b'[', ..] => 1,
            _ => 0,
        };
        let closes = match &bytes[i..] {
            [b'>', b'>', ..] => 2,
            [b']', ..] => 1,
            _ => 0,
        };
        let b = bytes[i];
        if depth == 0 && opens != 2 && !b.is_ascii_whitespace() && b != b'%' {
            return None;
        }
        if b == b'%' {
            while i < bytes.len() && !matches!(bytes[i], b'\r' | b'\n') {
                i += 1;
            }
            tamed.dict.push(b'\n');
        } else if b == b'(' {
            let (end, nest) = literal(bytes, i, &mut tamed.dict)?;
            tamed.parentheses = tamed.parentheses.max(nest);
            i = end;
        } else if opens > 0 {
            if depth >= INFO_DEPTH {
                let (end, deepest) = skip_value(bytes, i)?;
                tamed.depth = tamed.depth.max(depth + deepest);
                tamed.dict.extend_from_slice(TOO_DEEP.as_bytes());
                let key = format!("/{}", String::from_utf8_lossy(key));
                if tamed.cut.len() <= MAX_CUT_KEYS && !tamed.cut.contains(&key) {
                    tamed.cut.push(key);
                }
                i = end;
            } else {
                depth += 1;
                tamed.depth = tamed.depth.max(depth);
                tamed.dict.extend_from_slice(&bytes[i..i + opens]);
                i += opens;
            }
        } else if closes > 0 {
            depth -= 1;
            tamed.dict.extend_from_slice(&bytes[i..i + closes]);
            i += closes;
            if depth == 0 {
                return Some(tamed);
            }
        } else if b == b'<' {
            let end = i + memchr::memchr(b'>', &bytes[i..])?;
            tamed.dict.extend_from_slice(&bytes[i..=end]);
            i = end + 1;
        } else if b == b'/' && depth == 1 {
            let end = bytes[i + 1..]
                .iter()
                .position(|&c| c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c))
                .map_or(bytes.len(), |n| i + 1 + n);
            key = &bytes[i + 1..end];
            tamed.dict.extend_from_slice(&bytes[i..end]);
            i = end;
        } else {
            tamed.dict.push(b);
            i += 1;
        }
    }
    None
}

/// Copies the literal string at `bytes[at]` with the parentheses inside it
/// escaped; returns where it ends and how deeply its parentheses nest.
fn literal(bytes: &[u8], at: usize, out: &mut Vec<u8>) -> Option<(usize, usize)> {
    out.push(b'(');
    let (mut nest, mut deepest) = (1usize, 1usize);
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                out.extend_from_slice(bytes.get(i..i + 2).unwrap_or(b"\\\\"));
                i += 2;
                continue;
            }
            b'(' => {
                nest += 1;
                deepest = deepest.max(nest);
                out.extend_from_slice(b"\\(");
            }
            b')' => {
                nest -= 1;
                if nest == 0 {
                    out.push(b')');
                    return Some((i + 1, deepest));
                }
                out.extend_from_slice(b"\\)");
            }
            b => out.push(b),
        }
        i += 1;
    }
    None
}

/// Skips the array or dictionary at `bytes[at]`: where it ends, and how
/// deeply it nests (strings and comments inside are skipped too).
fn skip_value(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut ignored = Vec::new();
    let mut i = at;
    while i < bytes.len() {
        match &bytes[i..] {
            [b'<', b'<', ..] => {
                depth += 1;
                i += 2;
            }
            [b'>', b'>', ..] => {
                depth = depth.checked_sub(1)?;
                i += 2;
            }
            [b'[', ..] => {
                depth += 1;
                i += 1;
            }
            [b']', ..] => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            [b'(', ..] => {
                ignored.clear();
                i = literal(bytes, i, &mut ignored)?.0;
            }
            [b'<', ..] => i += memchr::memchr(b'>', &bytes[i..])? + 1,
            [b'%', ..] => {
                while i < bytes.len() && !matches!(bytes[i], b'\r' | b'\n') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        deepest = deepest.max(depth);
        if depth == 0 {
            return Some((i, deepest));
        }
    }
    None
}

/// Objects the cross-reference data lists as in use that lopdf could not
/// read (it drops an object nested deeper than it parses, or malformed):
/// what they held is missing from the report.
fn lost_objects(doc: &Document, bytes: &[u8]) -> Option<String> {
    // lopdf removes the encryption dictionary once it has decrypted.
    let mut encryption: Vec<u32> = Vec::new();
    if doc.was_encrypted() {
        encryption.extend(
            memchr::memmem::find_iter(bytes, b"/Encrypt").filter_map(|at| {
                let rest = bytes.get(at + 8..(at + 40).min(bytes.len()))?;
                let rest =
                    std::str::from_utf8(&rest[..rest.iter().position(|&b| b == b'R')?]).ok()?;
                rest.split_ascii_whitespace().next()?.parse::<u32>().ok()
            }),
        );
        encryption.sort_unstable();
        encryption.dedup();
    }
    // A dropped Info dictionary has a warning of its own.
    let info = match doc.trailer.get(b"Info") {
        Ok(Object::Reference((number, _))) => Some(*number),
        _ => None,
    };
    let lost: Vec<u32> = doc
        .reference_table
        .entries
        .iter()
        .filter(|(_, entry)| {
            matches!(
                entry,
                XrefEntry::Normal { .. } | XrefEntry::Compressed { .. }
            )
        })
        .filter(|(number, entry)| {
            let generation = match entry {
                XrefEntry::Normal { generation, .. } => *generation,
                _ => 0,
            };
            !doc.objects.contains_key(&(**number, generation))
                && encryption.binary_search(number).is_err()
                && info != Some(**number)
        })
        .map(|(number, _)| *number)
        .collect();
    if lost.is_empty() {
        return None;
    }
    let listed: Vec<String> = lost.iter().take(10).map(u32::to_string).collect();
    Some(format!(
        "{} object{} listed in the cross-reference data could not be read (malformed, or nested \
         deeper than the {LOPDF_NESTING} levels the PDF reader parses): object{} {}{}; whatever \
         they held (pages, fonts, metadata) is missing from this report",
        lost.len(),
        if lost.len() == 1 { "" } else { "s" },
        if lost.len() == 1 { "" } else { "s" },
        listed.join(", "),
        if lost.len() > listed.len() {
            ", …"
        } else {
            ""
        }
    ))
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
                    identity: metadata::identity(&read_metadata(&old, &bytes[..end], &mut ignored)),
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
    // The names' keys, computed once: pages may hold millions of stamps.
    let mut keys: Vec<String> = Vec::new();
    for (i, page) in pages.text.iter().enumerate() {
        let number = i as u32 + 1;
        for line in page.lines() {
            let Some(name) = printed_by(line) else {
                continue;
            };
            let key = name_key(&name);
            if let Some(at) = keys.iter().position(|k| *k == key) {
                let f = &mut found[at];
                if f.pages.last() != Some(&number) {
                    f.pages.push(number);
                }
            } else if found.len() < MAX_STAMP_NAMES {
                keys.push(key);
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

    /// A PDF of these objects (numbered from 1: the catalog, the pages, one
    /// page showing "Printed by Jane Doe", its content, its font), then
    /// `more`, with a cross-reference table and `/Info info 0 R`.
    fn raw_pdf(more: &[&[u8]], info: Option<usize>) -> Vec<u8> {
        let content = b"BT /F1 10 Tf 50 700 Td (Printed by Jane Doe) Tj ET";
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        let mut objects: Vec<&[u8]> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
              /Resources << /Font << /F1 5 0 R >> >> >>",
            &stream,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        objects.extend_from_slice(more);
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).bytes());
            out.extend_from_slice(object);
            out.extend(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for at in offsets {
            out.extend(format!("{at:010} 00000 n \n").bytes());
        }
        out.extend(format!("trailer\n<< /Size {} /Root 1 0 R", objects.len() + 1).bytes());
        if let Some(info) = info {
            out.extend(format!(" /Info {info} 0 R").bytes());
        }
        out.extend(format!(" >>\nstartxref\n{xref}\n%%EOF\n").bytes());
        out
    }

    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!("{}{}", open.repeat(depth), close.repeat(depth))
    }

    #[test]
    fn an_info_value_nested_too_deep_no_longer_drops_the_whole_info() {
        // lopdf drops an object nested deeper than 100 levels, without an
        // error: the Author went with it and the verdict was a silent
        // `visible_only`.
        for (value, shown) in [
            (nested("[", "]", 100), "nested too deep; not read"),
            (nested("<< /A ", " >>", 150), "<<dictionary>>"),
            (nested("[", "]", 100_000), "nested too deep; not read"),
        ] {
            let info = format!("<< /Author (Jane Doe) /Deep {value} /Producer (Acme) >>");
            let r = examine(&raw_pdf(&[info.as_bytes()], Some(6)), None);
            assert_eq!(r.verdict, PdfVerdict::Consistent, "{:?}", r.warnings);
            assert_eq!(
                r.findings.metadata,
                [
                    ("Author".to_string(), "Jane Doe".to_string()),
                    ("Deep".into(), shown.into()),
                    ("Producer".into(), "Acme".into()),
                ]
            );
            assert_eq!(
                r.warnings,
                [
                    "the PDF reader dropped the Info dictionary (object 6 0 R): a value in it is nested \
                  deeper than the 100 levels the PDF reader parses; its entries were read by leaktrace \
                  itself; what lies deeper than 32 levels in /Deep reads \"nested too deep; not read\""
                ]
            );
        }
    }

    #[test]
    fn an_info_string_nesting_parentheses_too_deep_is_read_whole() {
        let title = nested("(", ")", 101);
        let info =
            format!("<< /Author (Jane Doe) /Title ({title}) % a comment (\n/Subject <4A44> >>");
        let r = examine(&raw_pdf(&[info.as_bytes()], Some(6)), None);
        assert_eq!(r.verdict, PdfVerdict::Consistent, "{:?}", r.warnings);
        assert_eq!(r.findings.metadata[1], ("Title".to_string(), title));
        assert_eq!(r.findings.metadata[2], ("Subject".to_string(), "JD".into()));
        assert_eq!(
            r.warnings,
            [
                "the PDF reader dropped the Info dictionary (object 6 0 R): a string in it nests \
              parentheses deeper than the 100 levels the PDF reader parses; its entries were read \
              by leaktrace itself"
            ]
        );
    }

    #[test]
    fn an_info_dictionary_that_cannot_be_read_is_said_to_be_missing() {
        let info = format!("<< /Author (Jane Doe) /Deep {} ", "[".repeat(200));
        let r = examine(&raw_pdf(&[info.as_bytes()], Some(6)), None);
        assert_eq!(r.verdict, PdfVerdict::VisibleOnly);
        assert_eq!(
            r.warnings,
            [
                "the Info dictionary (object 6 0 R) could not be read: it is malformed, or nested \
              deeper than the 100 levels the PDF reader parses; the metadata shown lacks it"
            ]
        );
    }

    #[test]
    fn every_revision_reads_a_too_deep_info_alike() {
        // Without it, the earlier revision named no one and the later one
        // Jane Doe: a rewrite that did not happen.
        let info = format!("<< /Author (Jane Doe) /Deep {} >>", nested("[", "]", 120));
        let mut bytes = raw_pdf(&[info.as_bytes()], Some(6));
        let xref = memchr::memmem::rfind(&bytes, b"\nxref\n").unwrap() + 1;
        let update = bytes.len();
        bytes.extend(b"7 0 obj\n(unused)\nendobj\n");
        let at = bytes.len();
        bytes.extend(
            format!(
                "xref\n7 1\n{update:010} 00000 n \ntrailer\n<< /Size 8 /Root 1 0 R /Info 6 0 R \
                 /Prev {xref} >>\nstartxref\n{at}\n%%EOF\n"
            )
            .bytes(),
        );
        let r = examine(&bytes, None);
        assert_eq!(r.findings.revisions, 2);
        assert_eq!(r.verdict, PdfVerdict::Consistent, "{:?}", r.warnings);
        assert!(
            r.findings
                .revision_statements
                .iter()
                .all(|s| s.changed.is_empty()),
            "{:?}",
            r.findings.revision_statements
        );
    }

    #[test]
    fn a_damaged_file_with_a_too_deep_info_is_still_read() {
        let info = format!("<< /Author (Jane Doe) /Deep {} >>", nested("[", "]", 120));
        let mut bytes = raw_pdf(&[info.as_bytes()], Some(6));
        let xref = memchr::memmem::rfind(&bytes, b"\nxref\n").unwrap() + 1;
        // The trailer survives; the table and the pages do not.
        let trailer = bytes[memchr::memmem::rfind(&bytes, b"trailer").unwrap()..].to_vec();
        bytes.truncate(xref);
        bytes.drain(9..memchr::memmem::find(&bytes, b"6 0 obj").unwrap());
        bytes.extend(trailer);
        let r = examine(&bytes, None);
        assert_eq!(r.verdict, PdfVerdict::Damaged);
        assert_eq!(
            r.findings
                .metadata_statement
                .and_then(|s| s.name)
                .as_deref(),
            Some("Jane Doe"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn objects_lopdf_dropped_are_warned_about() {
        // A page nested too deep: its stamp is lost with it.
        let page_font = format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /X {} >>",
            nested("[", "]", 101)
        );
        let info = b"<< /Author (Jane Doe) >>";
        let mut bytes = raw_pdf(&[info], Some(6));
        let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
        let at = memchr::memmem::find(&bytes, font).unwrap();
        bytes.splice(at..at + font.len(), page_font.bytes());
        // The offsets after it moved: lopdf finds them again.
        let r = examine(&bytes, None);
        assert!(
            r.warnings.iter().any(|w| w.starts_with(
                "1 object listed in the cross-reference data could not be read (malformed, or nested \
                 deeper than the 100 levels the PDF reader parses): object 5;"
            )),
            "{:?}",
            r.warnings
        );
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
    fn tame_keeps_text_and_cuts_only_what_is_too_deep() {
        let t = tame(b" % c\n<< /A (x(y)z\\)) /B [ <41> [1] ] /C <</D 1>> >> trailing").unwrap();
        assert_eq!(
            String::from_utf8_lossy(&t.dict),
            " \n\n<< /A (x\\(y\\)z\\)) /B [ <41> [1] ] /C <</D 1>> >>"
        );
        assert_eq!((t.depth, t.parentheses, t.cut.len()), (3, 2, 0));
        let deep = format!("<< /K {} /L 2 >>", nested("[", "]", 40));
        let t = tame(deep.as_bytes()).unwrap();
        assert_eq!(t.cut, ["/K"]);
        assert_eq!(t.depth, 41);
        assert!(tame(b"[ 1 ]").is_none());
        assert!(tame(b"<< /A (open").is_none());
        assert!(tame(b"<< /A [ ").is_none());
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
