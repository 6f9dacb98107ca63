//! Fonts as page text needs them: how a string's codes become text (the
//! ToUnicode CMap first, else lopdf's reading of the encoding) and how far
//! each glyph advances (`/Widths`, a CIDFont's `/W`, the standard fonts'
//! own widths). lopdf is handed a font's ToUnicode CMap only when it is
//! whole and small, as it lists every code of every range it reads.

use std::sync::LazyLock;

use lopdf::{Dictionary, Document, Encoding, Object, dictionary};

use super::MAX_STREAM;
use super::cmap::{MAX_CMAP_ENTRIES, Spans, ToUnicode, number};
use super::text::Walker;

/// A font as far as text extraction needs it.
pub(super) struct Font<'a> {
    /// The font's own mapping to Unicode, preferred when present.
    to_unicode: Option<ToUnicode>,
    /// lopdf's reading of `/Encoding` (and of `/ToUnicode` for Type0).
    encoding: Option<Encoding<'a>>,
    /// Type0: codes are two bytes unless the CMap says otherwise.
    two_byte: bool,
    pub(super) widths: Widths,
}

impl Font<'_> {
    /// The text of a string (at most `room` bytes of it), its codes with
    /// their byte lengths, and whether text was left out for want of room.
    pub(super) fn decode(&self, bytes: &[u8], room: usize) -> (String, Vec<(u32, usize)>, bool) {
        let mut text = String::new();
        let mut codes = Vec::new();
        let mut cut = false;
        let mut i = 0;
        while i < bytes.len() {
            let len = self
                .to_unicode
                .as_ref()
                .and_then(|t| t.code_length(&bytes[i..]))
                .unwrap_or(if self.two_byte { 2 } else { 1 })
                .min(bytes.len() - i);
            let code = number(&bytes[i..i + len]);
            codes.push((code, len));
            let here = &bytes[i..i + len];
            i += len;
            // The page keeps no more text: the codes still advance the pen.
            if text.len() >= room {
                cut = true;
                continue;
            }
            if self
                .to_unicode
                .as_ref()
                .is_some_and(|t| t.write(len, code, &mut text))
            {
                continue;
            }
            match &self.encoding {
                Some(e) => text.push_str(&e.bytes_to_string(here).unwrap_or_else(|_| latin1(here))),
                None if len == 1 => text.push(char::from(here[0])),
                None => {}
            }
        }
        if text.len() > room {
            let mut end = room;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            cut = true;
        }
        (text, codes, cut)
    }
}

pub(super) enum Widths {
    Simple {
        first: i64,
        widths: Vec<f32>,
        missing: f32,
    },
    Cid {
        widths: Spans<f32>,
        default: f32,
    },
}

impl Widths {
    pub(super) fn of(&self, code: u32) -> f32 {
        match self {
            Widths::Simple {
                first,
                widths,
                missing,
            } => usize::try_from(i64::from(code) - first)
                .ok()
                .and_then(|i| widths.get(i).copied())
                .filter(|w| *w > 0.0)
                .unwrap_or(*missing),
            Widths::Cid { widths, default } => {
                widths.get(u64::from(code)).copied().unwrap_or(*default)
            }
        }
    }
}

impl<'a> Walker<'a> {
    pub(super) fn load_font(&mut self, dict: &'a Dictionary) -> Font<'a> {
        let doc = self.doc;
        let cmap_stream = dict
            .get_deref(b"ToUnicode", doc)
            .and_then(Object::as_stream)
            .ok();
        let to_unicode = cmap_stream
            .and_then(|s| self.decode(s, "a font's ToUnicode CMap"))
            .map(|bytes| ToUnicode::parse(&bytes));
        if to_unicode.as_ref().is_some_and(|t| t.cut) {
            self.note(format!(
                "a font's ToUnicode CMap has more than {MAX_CMAP_ENTRIES} entries; the rest were not read"
            ));
        }
        // lopdf lists every code of every range of a CMap it reads (for a
        // reverse map), 2^32 of them for one four-byte range: it reads a
        // font's CMap only when this reading found it whole and small.
        let lopdf_may_read = to_unicode
            .as_ref()
            .is_some_and(|t| t.complete && t.named <= LOPDF_CMAP_CODES);
        let encoding = if self.spent() {
            None
        } else if cmap_stream.is_some() && !lopdf_may_read {
            match encoding_needs_cmap(dict, doc) {
                CmapUse::Never => self.font_encoding(dict),
                CmapUse::Identity => None,
                // What lopdf takes for a simple font without /Encoding and
                // without a CMap: the standard encoding.
                CmapUse::NoEncoding => self.font_encoding(&PLAIN_FONT),
            }
        } else {
            self.font_encoding(dict)
        };
        let to_unicode = to_unicode.filter(|t| !t.map.is_empty());
        let two_byte = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
        let number = |o: &Object| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok());
        let widths = if two_byte {
            let descendant = dict
                .get_deref(b"DescendantFonts", doc)
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok());
            let default = descendant
                .and_then(|d| d.get(b"DW").ok())
                .and_then(number)
                .unwrap_or(1000.0);
            let mut widths = Spans::default();
            if let Some(w) = descendant
                .and_then(|d| d.get_deref(b"W", doc).ok())
                .and_then(|o| o.as_array().ok())
            {
                cid_widths(doc, w, &mut widths);
            }
            Widths::Cid { widths, default }
        } else {
            let mut first = dict
                .get(b"FirstChar")
                .ok()
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_i64().ok())
                .unwrap_or(0);
            let mut widths: Vec<f32> = dict
                .get_deref(b"Widths", doc)
                .and_then(Object::as_array)
                .map(|a| {
                    a.iter()
                        .take(256)
                        .map(|o| number(o).unwrap_or(0.0))
                        .collect()
                })
                .unwrap_or_default();
            let missing = dict
                .get_deref(b"FontDescriptor", doc)
                .and_then(Object::as_dict)
                .ok()
                .and_then(|d| d.get(b"MissingWidth").ok())
                .and_then(number)
                .filter(|w| *w > 0.0)
                .unwrap_or(500.0);
            // The standard fonts may be used without widths.
            if widths.is_empty()
                && let Some(table) = dict
                    .get(b"BaseFont")
                    .and_then(Object::as_name)
                    .ok()
                    .and_then(super::base14::widths)
            {
                widths = table.iter().map(|&w| f32::from(w)).collect();
                first = 32;
            }
            Widths::Simple {
                first,
                widths,
                missing,
            }
        };
        Font {
            to_unicode,
            encoding,
            two_byte,
            widths,
        }
    }

    /// lopdf's reading of a font's `/Encoding`.
    fn font_encoding(&mut self, dict: &'a Dictionary) -> Option<Encoding<'a>> {
        match dict.get_font_encoding_with_limit(self.doc, MAX_STREAM) {
            Ok(e) => Some(e),
            Err(lopdf::Error::Decompress(why)) => {
                self.note(format!("a font's encoding could not be read: {why}"));
                None
            }
            Err(e) => {
                self.note(format!("a font's encoding could not be read: {e}"));
                None
            }
        }
    }
}

/// The most codes a ToUnicode CMap may map for lopdf to read it.
const LOPDF_CMAP_CODES: u64 = 1 << 17;

/// A font dictionary with neither an encoding nor a CMap.
static PLAIN_FONT: LazyLock<Dictionary> = LazyLock::new(|| dictionary! { "Type" => "Font" });

/// When lopdf's reading of a font's encoding turns to its ToUnicode CMap.
enum CmapUse {
    Never,
    /// The font has no `/Encoding`.
    NoEncoding,
    /// `/Identity-H` or `/Identity-V`, by name or as a dictionary's
    /// `/BaseEncoding`.
    Identity,
}

fn encoding_needs_cmap(font: &Dictionary, doc: &Document) -> CmapUse {
    let identity = |o: &Object| matches!(o.as_name(), Ok(b"Identity-H" | b"Identity-V"));
    let Ok(encoding) = font.get(b"Encoding") else {
        return CmapUse::NoEncoding;
    };
    let named = match doc.dereference(encoding) {
        Ok((_, Object::Dictionary(d))) => d.get(b"BaseEncoding").is_ok_and(identity),
        Ok((_, other)) => identity(other),
        Err(_) => false,
    };
    if named {
        CmapUse::Identity
    } else {
        CmapUse::Never
    }
}

pub(super) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The most entries (widths in arrays, ranges) read from a CIDFont's `/W`.
const MAX_CID_WIDTHS: usize = 1 << 18;

/// A CIDFont's `/W`: `c [w1 w2 ...]` and `c_first c_last w`. Widths are
/// stored as ranges, so a range over every code costs one entry.
fn cid_widths(doc: &Document, w: &[Object], out: &mut Spans<f32>) {
    let number = |o: &Object| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok());
    // A code as written: a whole number from 0 to 2^32 - 1, else nothing.
    let code = |o: &Object| {
        number(o)
            .filter(|c| c.fract() == 0.0 && (0.0..=u32::MAX as f32).contains(c))
            .map(|c| c as u32)
    };
    let mut entries = 0;
    let mut i = 0;
    while i < w.len() && entries < MAX_CID_WIDTHS {
        let Some(first) = code(&w[i]) else { break };
        match w.get(i + 1) {
            Some(Object::Array(list)) => {
                for (k, width) in list.iter().take(MAX_CID_WIDTHS - entries).enumerate() {
                    entries += 1;
                    if let (Some(width), Some(at)) = (number(width), first.checked_add(k as u32)) {
                        out.insert(u64::from(at), u64::from(at), width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) = (code(last), w.get(i + 2).and_then(number)) else {
                    break;
                };
                entries += 1;
                out.insert(u64::from(first), u64::from(last), width);
                i += 3;
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::pdf::testing::cmap_doc;
    use crate::artifact::pdf::text::{LIMITS, texts};

    #[test]
    fn to_unicode_wins_over_the_encoding_and_reads_ranges() {
        let cmap = ToUnicode::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
              /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
              1 begincodespacerange <00> <FF> endcodespacerange \
              2 beginbfchar <01> <004A> <02> <00EB> endbfchar \
              2 beginbfrange <10> <12> <0061> <20> <21> [<0020> <D83DDE00>] endbfrange \
              endcmap CMapName currentdict /CMap defineresource pop end end",
        );
        let font = Font {
            to_unicode: Some(cmap),
            encoding: None,
            two_byte: false,
            widths: Widths::Cid {
                widths: Spans::default(),
                default: 500.0,
            },
        };
        let (text, codes, _) = font.decode(b"\x01\x02\x10\x12\x20\x21\x41", usize::MAX);
        assert_eq!(text, "Jëac \u{1F600}A");
        assert_eq!(codes.len(), 7);
        // Two-byte code spaces decide the code length.
        let wide = ToUnicode::parse(
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfchar <0102> <0041> endbfchar",
        );
        assert_eq!(wide.code_length(b"\x01\x02"), Some(2));
        let mut text = String::new();
        assert!(wide.write(2, 0x0102, &mut text));
        assert_eq!(text, "A");
    }

    #[test]
    fn a_cid_width_range_over_every_code_costs_one_entry() {
        // `0 4294967295 500` repeated: each range was filled code by code.
        let doc = Document::with_version("1.5");
        let mut w = Vec::new();
        for _ in 0..10_000 {
            w.extend([
                Object::Integer(0),
                Object::Integer(i64::from(u32::MAX)),
                Object::Integer(500),
            ]);
        }
        w.extend([
            Object::Integer(7),
            Object::Array(vec![Object::Integer(250), Object::Real(300.5)]),
            Object::Integer(-5),
            Object::Integer(9),
            Object::Integer(1),
        ]);
        let mut widths = Spans::default();
        cid_widths(&doc, &w, &mut widths);
        assert_eq!(widths.map.len(), 4, "{widths:?}");
        assert_eq!(widths.get(6), Some(&500.0));
        assert_eq!(widths.get(8), Some(&300.5));
        assert_eq!(widths.get(u64::from(u32::MAX)), Some(&500.0));
        // A negative code is no code: reading stops there.
        assert_eq!(widths.get(9), Some(&500.0));
    }

    /// A ToUnicode CMap laid out as Adobe writes them (lopdf's reader
    /// wants its lines).
    fn adobe_cmap(body: &str) -> Vec<u8> {
        format!(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CMapName /X def\n/CMapType 2 def\n{body}\nendcmap\n\
             CMapName currentdict /CMap defineresource pop\nend\nend\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_four_byte_cmap_range_is_not_handed_to_lopdf() {
        // lopdf builds a reverse map over every code of every range it
        // reads: 2^32 entries for each of these (a hang, then out of
        // memory), even for an array of one.
        let mut w = Vec::new();
        for range in ["<0041>", "[<0041>]"] {
            let cmap = adobe_cmap(&format!(
                "1 begincodespacerange\n<00000000> <FFFFFFFF>\nendcodespacerange\n\
                 1 beginbfrange\n<00000000> <FFFFFFFF> {range}\nendbfrange"
            ));
            let t = texts(
                &cmap_doc(&cmap, b"BT /F1 9 Tf <00000000> Tj ET"),
                LIMITS,
                &mut w,
            );
            assert_eq!(t, ["A"], "{range}: {w:?}");
        }
        // Small CMaps still go to lopdf (which has no text for a code the
        // CMap leaves out).
        let cmap = adobe_cmap(
            "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n\
             1 beginbfchar\n<41> <005A>\nendbfchar",
        );
        let t = texts(&cmap_doc(&cmap, b"BT /F1 9 Tf (AB) Tj ET"), LIMITS, &mut w);
        assert_eq!(t, ["Z"], "{w:?}");
        assert_eq!(w, Vec::<String>::new());
    }
}
