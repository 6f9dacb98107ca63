//! The encodings of a NEMSIS file: how its bytes are to be read ([`Source`],
//! from a BOM, UTF-16 without one, or the XML declaration) and the
//! conversion of anything but UTF-8 to UTF-8 as it is read ([`Transcoder`]).

use std::io::{self, BufRead, Read};

use encoding_rs::Encoding;

/// How the bytes of a file are to be read.
#[derive(Debug, PartialEq)]
pub(super) struct Source {
    /// Length of the byte order mark to skip.
    pub(super) bom: usize,
    /// The encoding to convert from; `None` for UTF-8, read as it is.
    pub(super) encoding: Option<&'static Encoding>,
    pub(super) warning: Option<String>,
}

impl Source {
    /// From the first bytes: a BOM, UTF-16 without BOM (XML spec, appendix
    /// F), or the declaration's `encoding`.
    pub(super) fn detect(head: &[u8]) -> Source {
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
pub(super) struct Transcoder<S> {
    inner: S,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    done: bool,
    pub(super) replaced: bool,
}

impl<S: BufRead> Transcoder<S> {
    pub(super) fn new(inner: S, encoding: &'static Encoding) -> Self {
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
pub(super) fn read_buffered<B: BufRead>(reader: &mut B, buf: &mut [u8]) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(buf.len());
    buf[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{FileVerdict, examine, is_nemsis};

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
}
