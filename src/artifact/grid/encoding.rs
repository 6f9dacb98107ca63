//! Text encodings: how the bytes of a delimited export are decoded (UTF-16 by
//! its byte-order mark or its NUL bytes, UTF-8, Windows-1252), and what did not
//! decode cleanly. UTF-8 is read in place; any other text is converted to a
//! copy in UTF-8, capped (one byte may become three), so that the copy
//! cannot grow past a limit whatever the bytes are.

use std::borrow::Cow;

use encoding_rs::{CoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// A file's text, and how it was decoded.
pub(super) struct Decoded<'a> {
    pub(super) text: Cow<'a, str>,
    pub(super) utf16: bool,
    /// Bytes that are not valid in the encoding the file declares.
    pub(super) damage: Option<String>,
    pub(super) notes: Vec<String>,
    /// The text converted to UTF-8 was cut at the cap: the bytes after it
    /// were not decoded.
    pub(super) cut: bool,
}

/// Text converted to UTF-8.
struct Converted {
    text: String,
    /// Something did not decode and is U+FFFD.
    replaced: bool,
    /// Cut at the cap.
    cut: bool,
}

/// Converts `bytes` to UTF-8, with U+FFFD for what does not decode, keeping
/// at most `cap` bytes of text.
fn convert(encoding: &'static Encoding, bytes: &[u8], cap: usize) -> Converted {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let room = decoder
        .max_utf8_buffer_length(bytes.len())
        .unwrap_or(usize::MAX)
        .min(cap);
    // The decoder writes within the capacity and never grows it.
    let mut text = String::with_capacity(room);
    let (result, read, replaced) = decoder.decode_to_string(bytes, &mut text, true);
    Converted {
        text,
        replaced,
        cut: result == CoderResult::OutputFull && read < bytes.len(),
    }
}

/// UTF-16 by its byte-order mark (or by its NUL bytes); UTF-8 when valid;
/// Windows-1252 otherwise. `head`: the bytes may stop anywhere. Text that is
/// not valid UTF-8 is converted, to at most `cap` bytes.
pub(super) fn decode<'a>(bytes: &'a [u8], head: bool, cap: usize) -> Decoded<'a> {
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(body, UTF_16LE, 2, head, cap);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(body, UTF_16BE, 2, head, cap);
    }
    if let Some(encoding) = utf16_by_nuls(bytes) {
        let mut decoded = decode_utf16(bytes, encoding, 0, head, cap);
        decoded.notes.insert(
            0,
            format!(
                "no byte-order mark, but the NUL bytes say {}: read as such",
                encoding.name()
            ),
        );
        return decoded;
    }
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &bytes[3..] } else { bytes };
    let plain = |text: Cow<'a, str>, note: Option<String>| Decoded {
        text,
        utf16: false,
        damage: None,
        notes: note.into_iter().collect(),
        cut: false,
    };
    match std::str::from_utf8(body) {
        Ok(text) => plain(Cow::Borrowed(text), None),
        // A head may end inside a character.
        Err(e) if head && e.error_len().is_none() => plain(
            Cow::Borrowed(std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default()),
            None,
        ),
        Err(e) if bom || e.error_len().is_none() => {
            let offset = e.valid_up_to() + if bom { 3 } else { 0 };
            let why = if e.error_len().is_none() {
                "the file ends inside a UTF-8 character (cut off?)".to_string()
            } else {
                format!(
                    "the file has a UTF-8 byte-order mark but is not UTF-8 (byte offset {offset})"
                )
            };
            let converted = convert(UTF_8, body, cap);
            Decoded {
                cut: converted.cut,
                ..plain(
                    Cow::Owned(converted.text),
                    Some(format!("{why}: the bad bytes were read as U+FFFD")),
                )
            }
        }
        Err(e) => {
            let converted = convert(WINDOWS_1252, body, cap);
            let offset = e.valid_up_to();
            Decoded {
                cut: converted.cut,
                ..plain(
                    Cow::Owned(converted.text),
                    Some(format!(
                        "read as Windows-1252: not UTF-8 (byte 0x{:02X} at offset {offset})",
                        body[offset]
                    )),
                )
            }
        }
    }
}

fn decode_utf16<'a>(
    body: &'a [u8],
    encoding: &'static Encoding,
    bom: usize,
    head: bool,
    cap: usize,
) -> Decoded<'a> {
    let utf16 = |text: String, damage: Option<String>, cut: bool| Decoded {
        text: Cow::Owned(text),
        utf16: true,
        damage,
        notes: Vec::new(),
        cut,
    };
    if head {
        let even = &body[..body.len() & !1];
        return utf16(convert(encoding, even, cap).text, None, false);
    }
    let Converted {
        text,
        replaced,
        cut,
    } = convert(encoding, body, cap);
    if !replaced {
        return utf16(text, None, cut);
    }
    let bad = text.find('\u{fffd}').unwrap_or(text.len());
    let offset = bom + 2 * text[..bad].encode_utf16().count();
    let why = if offset + 1 >= bom + body.len() && body.len() % 2 == 1 {
        format!("an odd number of bytes: the last byte (offset {offset}) is cut off")
    } else {
        format!("an unpaired surrogate at byte offset {offset}")
    };
    utf16(
        text,
        Some(format!(
            "invalid {}: {why}; read with U+FFFD in its place",
            encoding.name()
        )),
        cut,
    )
}

/// UTF-16 without a byte-order mark: ASCII text leaves every other byte NUL.
fn utf16_by_nuls(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(1024) & !1];
    let units = sample.len() / 2;
    if units < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if even == 0 && odd * 2 >= units {
        Some(UTF_16LE)
    } else if odd == 0 && even * 2 >= units {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::artifact::grid::GridVerdict::{Damaged, Signed, SignedMoved};
    use crate::artifact::grid::examine_csv;
    use crate::artifact::grid::tests::{SIG, at, fixture, name, utf16, verified, warned};

    #[test]
    fn european_excel_is_windows_1252_with_semicolons() {
        let r = examine_csv(&fixture("excel_eu.csv"));
        assert!(warned(&r, "Windows-1252"), "{:?}", r.warnings);
        let s = &r.attribution.unwrap().statement;
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-02T06:05:00Z");
        assert_eq!(s.ip.as_deref(), Some("192.168.1.77"));
    }

    #[test]
    fn utf16_big_endian_and_without_bom() {
        let text = format!("a\tb\r\n1\t2\t{SIG}\r\n");
        let r = examine_csv(&utf16(&text, true, true));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let r = examine_csv(&utf16(&text, false, false));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "NUL bytes say UTF-16LE"), "{:?}", r.warnings);
    }

    #[test]
    fn utf16_cut_off_is_damaged_but_read() {
        let mut bytes = utf16(&format!("a\tb\r\n1\t2\t{SIG}\r\n"), false, true);
        bytes.push(b'x');
        let r = examine_csv(&bytes);
        assert_eq!(
            (r.verdict, at(&r), verified(&r)),
            (Damaged, Some((2, 3)), Some(false))
        );
        assert!(warned(&r, "odd number of bytes"), "{:?}", r.warnings);
    }

    #[test]
    fn utf8_cut_off_in_a_character_stays_utf8() {
        let mut bytes = format!("a,b\nZoë,2,{SIG}\n3,Jos").into_bytes();
        bytes.push(0xC3);
        let r = examine_csv(&bytes);
        assert_eq!(
            (r.verdict, at(&r), name(&r)),
            (SignedMoved, Some((2, 3)), Some("Jane Doe"))
        );
        assert!(
            warned(&r, "ends inside a UTF-8 character"),
            "{:?}",
            r.warnings
        );
        assert!(!warned(&r, "Windows-1252"));
    }

    #[test]
    fn utf8_bom_with_bad_bytes_is_read_as_utf8() {
        let mut bytes = b"\xEF\xBB\xBFa,b\n1,\xFF,".to_vec();
        bytes.extend(SIG.as_bytes());
        let r = examine_csv(&bytes);
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "byte offset 9"), "{:?}", r.warnings);
    }

    #[test]
    fn windows_1252_names_are_decoded() {
        let (before, after) = SIG.split_once("Jane Doe").unwrap();
        let mut bytes = b"a;b\r\n1;2;".to_vec();
        bytes.extend(before.as_bytes());
        bytes.extend(b"J\xe9r\xf4me \x80");
        bytes.extend(after.as_bytes());
        let r = examine_csv(&bytes);
        assert_eq!(name(&r), Some("Jérôme €"));
    }
}
