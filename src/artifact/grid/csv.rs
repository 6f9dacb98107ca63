//! CSV: reading delimited text (`,`, `;`, tab) record by record with the `csv`
//! crate, finding its delimiter, a spreadsheet's `sep=` line, and a quote that
//! never closes.

use std::cmp::Reverse;

use super::tally::SheetTally;

pub(super) fn csv_reader(delimiter: u8, quoting: bool, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(quoting)
        .from_reader(bytes)
}

pub(super) fn feed(tally: &mut SheetTally, row: u64, record: &csv::ByteRecord) {
    for (i, field) in record.iter().enumerate() {
        // Delimiters are ASCII, so fields of decoded text are UTF-8.
        tally.cell(row, i as u64 + 1, &String::from_utf8_lossy(field));
    }
}

/// The delimiter most frequent outside quotes in the header; on a tie, the
/// one most frequent in the first records; then `,`, `;`, tab in that order.
pub(super) fn detect_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    const RECORDS: u32 = 8;
    let mut header = [0u64; 3];
    let mut early = [0u64; 3];
    let (mut quoted, mut in_record, mut records) = (false, false, 0u32);
    for &b in text.as_bytes() {
        match b {
            b'"' => {
                quoted = !quoted;
                in_record = true;
            }
            b'\r' | b'\n' if !quoted => {
                if in_record {
                    in_record = false;
                    records += 1;
                    if records == RECORDS {
                        break;
                    }
                }
            }
            _ => {
                in_record = true;
                if !quoted && let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    if records == 0 {
                        header[i] += 1;
                    }
                    early[i] += 1;
                }
            }
        }
    }
    let best = (0..CANDIDATES.len())
        .max_by_key(|&i| (header[i], early[i], Reverse(i)))
        .unwrap_or(0);
    CANDIDATES[best]
}

/// Excel's `sep=;` first line: the delimiter, and the text after the line.
pub(super) fn excel_sep_line(text: &str) -> Option<(u8, &str)> {
    let rest = text.strip_prefix("sep=")?;
    let delimiter = *rest.as_bytes().first()?;
    if !delimiter.is_ascii() || matches!(delimiter, b'\r' | b'\n' | b'"') {
        return None;
    }
    let rest = &rest[1..];
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .or_else(|| rest.strip_prefix('\r'))
        .or_else(|| rest.is_empty().then_some(rest))?;
    Some((delimiter, rest))
}

/// The first record of text (up to a line break outside quotes).
pub(super) fn first_record(text: &str) -> &str {
    let mut quoted = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\r' | b'\n' if !quoted => return &text[..i],
            _ => {}
        }
    }
    text
}

/// A quote that opens a field and never closes.
pub(super) struct OpenQuote {
    /// Byte offset of the quote.
    pub(super) quote: usize,
    /// Byte offset where its record starts.
    pub(super) record: usize,
}

/// Finds a quoted field that runs to the end of the text, with the csv
/// crate's rules: a quote opens a field only at its start, `""` inside is a
/// quote, and text after the closing quote belongs to the field.
pub(super) fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<OpenQuote> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        RecordStart,
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut quote, mut record) = (State::RecordStart, 0, 0);
    let mut i = 0;
    while i < bytes.len() {
        if state == State::Quoted {
            match memchr::memchr(b'"', &bytes[i..]) {
                Some(k) => {
                    i += k + 1;
                    state = State::QuoteInQuoted;
                    continue;
                }
                None => return Some(OpenQuote { quote, record }),
            }
        }
        let b = bytes[i];
        let newline = b == b'\n' || b == b'\r';
        state = match state {
            State::RecordStart if newline => State::RecordStart,
            State::RecordStart | State::FieldStart => {
                if state == State::RecordStart {
                    record = i;
                }
                if b == b'"' {
                    quote = i;
                    State::Quoted
                } else if b == delimiter {
                    State::FieldStart
                } else if newline {
                    State::RecordStart
                } else {
                    State::Unquoted
                }
            }
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            _ if b == delimiter => State::FieldStart,
            _ if newline => State::RecordStart,
            _ => State::Unquoted,
        };
        i += 1;
    }
    (state == State::Quoted).then_some(OpenQuote { quote, record })
}

/// 1-based physical line of a byte offset (LF, CRLF or CR line ends).
pub(super) fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let before = &bytes[..offset.min(bytes.len())];
    let lf = memchr::memchr_iter(b'\n', before).count();
    let lone_cr = memchr::memchr_iter(b'\r', before)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::grid::GridVerdict::{Damaged, Signed};
    use crate::artifact::grid::examine_csv;
    use crate::artifact::grid::tests::{SIG, at, csv, fixture, warned};

    #[test]
    fn quoted_newlines_count_records_not_lines() {
        let bytes = fixture("quoted.csv");
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 8);
        let r = examine_csv(&bytes);
        assert_eq!((r.verdict, at(&r)), (Signed, Some((5, 6))));
        assert_eq!(
            r.signature.unwrap().text,
            SIG,
            "the quotes are not part of the text"
        );
    }

    #[test]
    fn excel_sep_line_names_the_delimiter_and_is_no_row() {
        let r = csv(&format!("sep=;\r\na;b,x\r\n1;2;{SIG}\r\n"));
        assert_eq!((r.verdict, at(&r)), (Signed, Some((2, 3))));
        assert!(warned(&r, "sep=;"));
    }

    #[test]
    fn line_ends_cr_lf_crlf() {
        for eol in ["\n", "\r\n", "\r"] {
            let r = csv(&format!("a,b{eol}1,2{eol}3,4,{SIG}{eol}"));
            assert_eq!((r.verdict, at(&r)), (Signed, Some((3, 3))), "{eol:?}");
        }
        // No final line end.
        assert_eq!(at(&csv(&format!("a,b\n1,2,{SIG}"))), Some((2, 3)));
    }

    #[test]
    fn unterminated_quote_in_the_header() {
        let r = csv(&format!("\"a,b\n1,2,{SIG}\n"));
        assert_eq!((r.verdict, at(&r)), (Damaged, Some((2, 3))));
        assert!(warned(&r, "line 1 (row 1)"), "{:?}", r.warnings);
    }

    #[test]
    fn unterminated_quote_after_blank_lines_and_crlf() {
        let r = csv(&format!("a,b\r\n1,2\r\n\r\n\r\n3,\"4\r\n5,6,{SIG}\r\n"));
        assert_eq!((r.verdict, at(&r)), (Damaged, Some((4, 3))));
        assert!(warned(&r, "line 5 (row 3)"), "{:?}", r.warnings);
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a,b,c\n"), b',');
        assert_eq!(detect_delimiter("a;b;c\n1,5;2\n"), b';');
        assert_eq!(detect_delimiter("a\tb, c\tc\n"), b'\t');
        assert_eq!(
            detect_delimiter("\"x,y,z\";b\n"),
            b';',
            "commas inside quotes do not count"
        );
        assert_eq!(detect_delimiter("\"multi\nline,,\";b\n"), b';');
        assert_eq!(
            detect_delimiter("a;b,c\n1;2\n3;4\n"),
            b';',
            "tie: the first records decide"
        );
        assert_eq!(detect_delimiter("abc\n"), b',');
    }

    #[test]
    fn unterminated_quote_follows_csv_rules() {
        let open = |t: &str| unterminated_quote(t.as_bytes(), b',').map(|o| (o.quote, o.record));
        assert_eq!(open("a,\"b\"\"c\",d\n"), None);
        assert_eq!(open("a,b\"c\n"), None, "a quote inside a field is text");
        assert_eq!(
            open("a,\"b\"x\"y\n"),
            None,
            "text after the closing quote is text"
        );
        assert_eq!(open("a,\"b\n"), Some((2, 0)));
        assert_eq!(open("x\n\n\"a,b\nc"), Some((3, 3)));
        assert_eq!(open("x\ny,\"\"\"\n"), Some((4, 2)));
    }
}
