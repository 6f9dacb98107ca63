//! Which inputs of a case folder are logs: decided from the content, never
//! the name. A W3C log opens with a `#Software`/`#Version`/`#Date`/`#Fields`
//! directive, or (headerless) with a `YYYY-MM-DD HH:MM:SS ` row; a gzip file
//! is a log when what it decompresses to starts like one.

use std::io::Read;

use flate2::read::MultiGzDecoder;

/// The bytes of a head that are looked at.
pub const HEAD: usize = 64 << 10;

/// What the head of an input says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogShape {
    /// A W3C log.
    Plain,
    /// A gzip-compressed W3C log.
    Gzip,
    /// gzip, holding something else.
    GzipOther,
    /// Not a log.
    No,
}

/// Sorts a head (up to [`HEAD`] bytes of the file).
pub fn log_shape(head: &[u8]) -> LogShape {
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut inner = Vec::with_capacity(HEAD);
        // A head cut short ends the stream early: what came out is enough.
        let _ = MultiGzDecoder::new(head)
            .take(HEAD as u64)
            .read_to_end(&mut inner);
        return if is_w3c(&inner) {
            LogShape::Gzip
        } else {
            LogShape::GzipOther
        };
    }
    if is_w3c(head) {
        LogShape::Plain
    } else {
        LogShape::No
    }
}

/// Whether text starts like a W3C log: its first line that is not blank
/// (after a BOM and NUL padding) is a W3C directive or a dated row.
pub fn is_w3c(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !matches!(b, 0 | b'\r' | b'\n' | b' ' | b'\t'))
        .unwrap_or(head.len());
    let rest = &head[start..];
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    const DIRECTIVES: [&[u8]; 7] = [
        b"#Software:",
        b"#Version:",
        b"#Date:",
        b"#Fields:",
        b"#Start-Date:",
        b"#End-Date:",
        b"#Remark:",
    ];
    if DIRECTIVES
        .iter()
        .any(|d| line.len() >= d.len() && line[..d.len()].eq_ignore_ascii_case(d))
    {
        return true;
    }
    // `2017-01-19 16:58:00 ` (a log without its header).
    crate::w3c::chunk::starts_dated(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn logs_are_told_from_leaked_files_by_content() {
        assert_eq!(
            log_shape(b"#Software: Microsoft IIS 8.5\r\n"),
            LogShape::Plain
        );
        assert_eq!(
            log_shape(b"\xef\xbb\xbf\n#Fields: date time\n"),
            LogShape::Plain
        );
        assert_eq!(
            log_shape(b"2017-01-19 16:58:00 GET /a.aspx - jsmith 1.2.3.4\n"),
            LogShape::Plain
        );
        assert_eq!(log_shape(b"Date,Run #,Patient\n"), LogShape::No);
        assert_eq!(log_shape(b"%PDF-1.4\n"), LogShape::No);
        assert_eq!(log_shape(b"2017-01-19,16:58:00,x\n"), LogShape::No);
        let gz = |text: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text).unwrap();
            e.finish().unwrap()
        };
        assert_eq!(log_shape(&gz(b"#Version: 1.0\n")), LogShape::Gzip);
        assert_eq!(log_shape(&gz(b"a,b,c\n")), LogShape::GzipOther);
        // Cut short: still recognised from what decompressed.
        let whole = gz(&b"#Version: 1.0\n".repeat(1000));
        assert_eq!(log_shape(&whole[..whole.len() / 2]), LogShape::Gzip);
    }
}
