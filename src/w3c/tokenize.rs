//! Tokenizing a row into value spans: the single-space split when it fits,
//! otherwise the careful path with quoted values (`"a b"`, `""` escapes),
//! runs of spaces, and an empty value written as a double space.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till1},
    character::complete::char,
    combinator::{map, recognize},
    multi::many0,
    sequence::delimited,
};

use super::fields::MAX_FIELDS;
use super::row::{MAX_LINE, Problem};
use super::split::split_line;
/// A value's place in its line: the content (inside quotes, for a quoted value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub(super) start: u32,
    pub(super) end: u32,
    /// Quoted with `""` escapes inside, to be unescaped when read.
    pub(super) escaped: bool,
}

impl Span {
    /// Offsets fit: a line longer than [`MAX_LINE`] is refused before its
    /// spans are read (the hot path casts without a check; the spans of such
    /// a line are never used).
    pub(super) fn plain(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
            escaped: false,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Splits a row into value spans. With `expected`, returns `Err(found)` when
/// the row does not have that many values; without, splits on runs of spaces.
pub fn tokenize(line: &[u8], expected: Option<usize>, out: &mut Vec<Span>) -> Result<(), Problem> {
    tokenize_within(line, expected, out, MAX_LINE)
}

/// [`tokenize`], for lines up to `max_line` bytes (a parameter for the tests).
fn tokenize_within(
    line: &[u8],
    expected: Option<usize>,
    out: &mut Vec<Span>,
    max_line: usize,
) -> Result<(), Problem> {
    if line.len() > max_line {
        out.clear();
        return Err(Problem::LineTooLong {
            bytes: line.len() as u64,
        });
    }
    // The line holds no line end, so the scan runs over all of it.
    let (_, st) = split_line(line, out);
    if st.quotes || st.capped {
        // Quotes, or more single spaces than a row may have values (runs of
        // spaces may still make a row that fits): value by value, capped.
        out.clear();
        return tokenize_quoted(line, expected, out);
    }
    let irregular = st.irregular || st.start == line.len();
    out.push(Span::plain(st.start, line.len()));
    if !irregular {
        return check_count(out.len(), expected);
    }
    // Runs of spaces, or leading/trailing ones. Separators are runs of spaces,
    // unless the single-space split is the one that fits: then an empty value
    // was written as a double space, and its position is exact.
    let single = out.len();
    let edges_clean = line.first() != Some(&b' ') && line.last() != Some(&b' ');
    if expected == Some(single) && edges_clean && single > 1 {
        return Ok(());
    }
    out.retain(|s| !s.is_empty());
    if out.is_empty() {
        return Err(Problem::OnlyWhitespace);
    }
    check_count(out.len(), expected)
}

fn check_count(found: usize, expected: Option<usize>) -> Result<(), Problem> {
    if found > MAX_FIELDS {
        return Err(Problem::TooManyValues);
    }
    match expected {
        Some(expected) if expected != found => Err(Problem::FieldCount { found, expected }),
        _ => Ok(()),
    }
}

/// The careful path: values may be quoted (`"a b"`, `""` for a quote inside,
/// `""` alone for empty) and separated by runs of spaces. A quote that is not
/// closed before a space is part of a bare value (as in some cookies).
fn tokenize_quoted(
    line: &[u8],
    expected: Option<usize>,
    out: &mut Vec<Span>,
) -> Result<(), Problem> {
    let mut rest = line;
    loop {
        let skipped = rest.iter().take_while(|&&b| b == b' ').count();
        rest = &rest[skipped..];
        if rest.is_empty() {
            break;
        }
        let offset = line.len() - rest.len();
        // `value` always takes at least one byte of a non-space start; the
        // fallback only keeps the loop total.
        match value(rest) {
            Ok((after, tok)) => {
                let (start, end, escaped) = match tok {
                    Token::Quoted { inner, escaped } => {
                        let start = offset + 1;
                        (start, start + inner.len(), escaped)
                    }
                    Token::Bare(text) => (offset, offset + text.len(), false),
                };
                out.push(Span {
                    start: start as u32,
                    end: end as u32,
                    escaped,
                });
                rest = after;
            }
            Err(_) => {
                out.push(Span::plain(offset, line.len()));
                break;
            }
        }
        if out.len() > MAX_FIELDS {
            return Err(Problem::TooManyValues);
        }
    }
    if out.is_empty() {
        return Err(Problem::OnlyWhitespace);
    }
    check_count(out.len(), expected)
}

enum Token<'a> {
    Quoted { inner: &'a [u8], escaped: bool },
    Bare(&'a [u8]),
}

/// A value: a quoted string that ends at a space or the end of the line, or a
/// bare run of non-spaces (which may hold quotes, as cookies do).
fn value(input: &[u8]) -> IResult<&[u8], Token<'_>> {
    alt((quoted_value, map(take_till1(|b| b == b' '), Token::Bare))).parse(input)
}

fn quoted_value(input: &[u8]) -> IResult<&[u8], Token<'_>> {
    let body = recognize(many0(alt((tag(&b"\"\""[..]), take_till1(|b| b == b'"')))));
    let (rest, inner) = delimited(char('"'), body, char('"')).parse(input)?;
    // A closing quote must end the value; otherwise this is a bare value that
    // happens to start with a quote.
    if !(rest.is_empty() || rest[0] == b' ') {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Verify,
        )));
    }
    let escaped = memchr::memmem::find(inner, b"\"\"").is_some();
    Ok((rest, Token::Quoted { inner, escaped }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(line: &str, expected: Option<usize>) -> Result<Vec<String>, Problem> {
        let mut spans = Vec::new();
        tokenize(line.as_bytes(), expected, &mut spans)?;
        Ok(spans
            .iter()
            .map(|s| line[s.start as usize..s.end as usize].to_string())
            .collect())
    }

    /// A plain reading of the documented rules, byte by byte, to hold the
    /// tokenizer (SIMD split, nom, the double-space rule) to.
    fn reference(line: &[u8], expected: Option<usize>) -> Result<Vec<Span>, Problem> {
        let span = |start: usize, end: usize, escaped: bool| Span {
            start: start as u32,
            end: end as u32,
            escaped,
        };
        let count = |spans: Vec<Span>| -> Result<Vec<Span>, Problem> {
            if spans.is_empty() {
                return Err(Problem::OnlyWhitespace);
            }
            if spans.len() > MAX_FIELDS {
                return Err(Problem::TooManyValues);
            }
            match expected {
                Some(e) if e != spans.len() => Err(Problem::FieldCount {
                    found: spans.len(),
                    expected: e,
                }),
                _ => Ok(spans),
            }
        };
        if !line.contains(&b'"') {
            // Single spaces, when that split is the one that fits ...
            let mut pieces = Vec::new();
            let mut start = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == b' ' {
                    pieces.push(span(start, i, false));
                    start = i + 1;
                }
            }
            pieces.push(span(start, line.len(), false));
            let clean = line.first() != Some(&b' ') && line.last() != Some(&b' ');
            if expected == Some(pieces.len()) && clean && pieces.len() > 1 {
                return Ok(pieces);
            }
            // ... else runs of spaces separate values.
            return count(pieces.into_iter().filter(|s| s.start != s.end).collect());
        }
        let mut spans = Vec::new();
        let mut i = 0;
        while i < line.len() {
            if line[i] == b' ' {
                i += 1;
                continue;
            }
            let start = i;
            let bare_end = line[i..]
                .iter()
                .position(|&b| b == b' ')
                .map_or(line.len(), |n| i + n);
            let mut quoted = None;
            if line[i] == b'"' {
                // Closed by a quote that is not doubled, followed by a space
                // or the end of the line.
                let mut j = i + 1;
                while j < line.len() {
                    if line[j] == b'"' {
                        if line.get(j + 1) == Some(&b'"') {
                            j += 2;
                            continue;
                        }
                        if j + 1 == line.len() || line[j + 1] == b' ' {
                            quoted = Some(j);
                        }
                        break;
                    }
                    j += 1;
                }
            }
            match quoted {
                Some(close) => {
                    let inner = &line[start + 1..close];
                    let escaped = inner.windows(2).any(|w| w == b"\"\"");
                    spans.push(span(start + 1, close, escaped));
                    i = close + 1;
                }
                None => {
                    spans.push(span(start, bare_end, false));
                    i = bare_end;
                }
            }
            if spans.len() > MAX_FIELDS {
                return Err(Problem::TooManyValues);
            }
        }
        count(spans)
    }

    #[test]
    fn tokenize_agrees_with_a_plain_reading_of_the_rules() {
        let mut next = crate::w3c::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut spans = Vec::new();
        for round in 0..20_000 {
            // Mostly short lines of values, spaces and quotes; now and then
            // one with more values than a row may have.
            let len = if round % 500 == 0 {
                600
            } else {
                (next() % 48) as usize
            };
            let line: Vec<u8> = (0..len)
                .map(|_| match next() % 10 {
                    0..=2 => b' ',
                    3 => b'"',
                    4 => b'-',
                    5 => b'b',
                    _ => b'a',
                })
                .collect();
            let expected = match next() % 4 {
                0 => None,
                _ => Some((next() % 8) as usize + 1),
            };
            let got = tokenize(&line, expected, &mut spans).map(|()| spans.clone());
            let want = reference(&line, expected);
            assert_eq!(
                got,
                want,
                "{:?} expecting {expected:?}",
                String::from_utf8_lossy(&line)
            );
        }
    }

    #[test]
    fn single_spaces() {
        assert_eq!(values("a b - d", Some(4)).unwrap(), ["a", "b", "-", "d"]);
    }

    #[test]
    fn wrong_count_is_a_problem() {
        assert_eq!(
            values("a b c", Some(4)),
            Err(Problem::FieldCount {
                found: 3,
                expected: 4
            })
        );
    }

    #[test]
    fn runs_of_spaces_separate_values() {
        assert_eq!(values("  a    b   c ", Some(3)).unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn double_space_is_an_empty_value_when_that_fits() {
        assert_eq!(
            values("444  user ::1", Some(4)).unwrap(),
            ["444", "", "user", "::1"]
        );
        assert_eq!(
            values("444  user ::1", Some(3)).unwrap(),
            ["444", "user", "::1"]
        );
    }

    #[test]
    fn quoted_values() {
        let got = values(r#""2017-06-28" "a b" "" "say ""hi""" x"y"#, Some(5)).unwrap();
        assert_eq!(got, ["2017-06-28", "a b", "", r#"say ""hi"""#, "x\"y"]);
    }

    #[test]
    fn unclosed_quote_is_part_of_a_bare_value() {
        assert_eq!(values(r#"a "b c"#, None).unwrap(), ["a", "\"b", "c"]);
    }

    #[test]
    fn only_spaces() {
        assert_eq!(values("    ", Some(2)), Err(Problem::OnlyWhitespace));
    }

    #[test]
    fn a_line_longer_than_value_offsets_reach_is_refused() {
        // Offsets are u32: a longer line would wrap them (and read wrong
        // values, or panic on a span that ends before it starts).
        let mut spans = Vec::new();
        assert_eq!(
            tokenize_within(b"a b c", None, &mut spans, 4),
            Err(Problem::LineTooLong { bytes: 5 })
        );
        assert!(tokenize_within(b"a b c", None, &mut spans, 5).is_ok());
        assert_eq!(
            Problem::LineTooLong {
                bytes: 5_000_000_000
            }
            .to_string(),
            "a line of 5000000000 bytes, longer than the 16777216 bytes (16 MiB) a row may have; not read"
        );
    }
}
