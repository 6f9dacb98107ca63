//! The Info dictionary lopdf dropped: found in the bytes (by the
//! cross-reference data, or an object stream), tamed (strings keep their
//! text, values nested too deep are replaced) and read by hand, with a
//! warning either way; and the warning about other objects the
//! cross-reference data lists that lopdf could not read.

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectId};

use super::{MAX_STREAM, load, metadata};

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
pub(super) fn lost_info(
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
pub(super) fn info_by_hand(
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
pub(super) fn raw_info_reference(bytes: &[u8]) -> Option<ObjectId> {
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
pub(super) fn object_bytes(doc: Option<&Document>, bytes: &[u8], id: ObjectId) -> Option<Vec<u8>> {
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
pub(super) fn lost_objects(doc: &Document, bytes: &[u8]) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::pdf::testing::{nested, raw_pdf};
    use crate::artifact::pdf::{PdfVerdict, examine};

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
}
