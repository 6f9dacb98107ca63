//! One data row: tokenizing it against its field map and checking its values.
//!
//! Rows are space-separated. Most rows hold no quote and exactly one space
//! between values, and take the fast path: one `memchr` pass. Rows with quoted
//! values (IIS Advanced Logging, Incapsula, Oracle Web Cache), runs of spaces,
//! or an empty value written as a double space (Exchange) take the careful path.
//! A row whose values do not fit its field map is never assigned by guesswork:
//! it becomes a [`Problem`].

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use memchr::memchr;
use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till1},
    character::complete::char,
    combinator::{map, recognize},
    multi::many0,
    sequence::delimited,
};

use super::fields::{Column, FieldMap, MAX_FIELDS, NUMERIC_COLUMNS};

/// A value's place in its line: the content (inside quotes, for a quoted value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    start: u32,
    end: u32,
    /// Quoted with `""` escapes inside, to be unescaped when read.
    escaped: bool,
}

impl Span {
    fn plain(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
            escaped: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Why a row was not turned into a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The row has more or fewer values than its field map names.
    FieldCount {
        found: usize,
        expected: usize,
    },
    /// No `#Fields:` before the row, no `--fields`, and no default layout has
    /// this many values.
    NoHeader {
        found: usize,
    },
    TooManyValues,
    OnlyWhitespace,
    BadDate(String),
    BadTime(String),
    BadNumber {
        field: String,
        value: String,
    },
    BadAddress {
        field: String,
        value: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::FieldCount { found, expected } => write!(
                f,
                "{found} values, but the field list (#Fields or --fields) names {expected}"
            ),
            Problem::NoHeader { found } => write!(
                f,
                "row before any #Fields header, and its {found} values fit no default IIS layout (give --fields)"
            ),
            Problem::TooManyValues => write!(f, "more than {MAX_FIELDS} values"),
            Problem::OnlyWhitespace => f.write_str("the row holds only spaces"),
            Problem::BadDate(v) => write!(f, "date {} is not a valid YYYY-MM-DD date", quote(v)),
            Problem::BadTime(v) => write!(f, "time {} is not a valid HH:MM:SS time", quote(v)),
            Problem::BadNumber { field, value } => {
                write!(f, "{field} {} is not a number", quote(value))
            }
            Problem::BadAddress { field, value } => {
                write!(f, "{field} {} is not an IP address", quote(value))
            }
        }
    }
}

/// Quotes a value for a message: escaped, and cut to a readable length.
fn quote(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(40)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().count() > 40 {
        out.push('…');
    }
    format!("'{out}'")
}

/// Splits a row into value spans. With `expected`, returns `Err(found)` when
/// the row does not have that many values; without, splits on runs of spaces.
pub fn tokenize(line: &[u8], expected: Option<usize>, out: &mut Vec<Span>) -> Result<(), Problem> {
    // The line holds no line end, so the scan runs over all of it.
    let (_, st) = split_line(line, out);
    if st.quotes {
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

/// The end of the line at the start of some data, found in the same pass as
/// the line's single-space split (the hot path: most rows are simple).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineScan {
    /// Length of the line's content (without `\n` and a final `\r`).
    pub len: usize,
    /// Where the next line starts.
    pub next: usize,
    /// The spans are the row's values: no quote, no empty value, not blank.
    /// Otherwise the line must go through [`tokenize`].
    pub simple: bool,
}

/// Scans one line from the start of `data`: finds its end and, on the way,
/// the spans between single spaces.
pub fn scan_line(data: &[u8], out: &mut Vec<Span>) -> LineScan {
    let (end, mut st) = split_line(data, out);
    let (mut len, next) = match end {
        Some(e) => (e, e + 1),
        None => (data.len(), data.len()),
    };
    if len > st.start && data[len - 1] == b'\r' {
        len -= 1;
    }
    st.irregular |= st.start >= len;
    out.push(Span::plain(st.start, len.max(st.start)));
    LineScan {
        len,
        next,
        simple: !st.quotes && !st.irregular,
    }
}

/// Splits the line at the start of `data` at single spaces, up to its line
/// end (returned, if there is one), in one pass: 32 bytes at a time with
/// AVX2, 16 with SSE2 (every x86-64 CPU), byte by byte elsewhere. The last
/// value (after the last space) is left to the caller.
fn split_line(data: &[u8], out: &mut Vec<Span>) -> (Option<usize>, SplitState) {
    out.clear();
    let mut st = SplitState::default();
    #[allow(unused_mut)]
    let mut base = 0;
    let mut end = None;
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2() {
            // SAFETY: the CPU has AVX2 (checked at run time).
            end = unsafe { blocks_avx2(data, &mut base, &mut st, out) };
        }
        if end.is_none() {
            end = blocks_sse2(data, &mut base, &mut st, out);
        }
    }
    if end.is_none() {
        for (i, &b) in data[base..].iter().enumerate() {
            match b {
                b'\n' => {
                    end = Some(base + i);
                    break;
                }
                b' ' => st.space(base + i, out),
                b'"' => st.quotes = true,
                _ => {}
            }
        }
    }
    (end, st)
}

/// The single-space split of a line in progress.
#[derive(Default)]
struct SplitState {
    start: usize,
    irregular: bool,
    quotes: bool,
}

impl SplitState {
    #[inline(always)]
    fn space(&mut self, pos: usize, out: &mut Vec<Span>) {
        self.irregular |= pos == self.start;
        out.push(Span::plain(self.start, pos));
        self.start = pos + 1;
    }
}

/// The block loop of [`scan_line`]: `masks` gives, for the `W` bytes at an
/// offset, the bit masks of spaces, quotes and line ends. Returns the line's
/// end if a block holds it; `base` is left at the first unscanned byte.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn scan_blocks<const W: usize>(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
    masks: impl Fn(*const u8) -> (u32, u32, u32),
) -> Option<usize> {
    while *base + W <= data.len() {
        // The pointer is in bounds: `base + W <= data.len()`.
        let (mut spaces, mut quote, newline) = masks(data[*base..].as_ptr());
        let mut end = None;
        if newline != 0 {
            let before = (1u32 << newline.trailing_zeros()).wrapping_sub(1);
            spaces &= before;
            quote &= before;
            end = Some(*base + newline.trailing_zeros() as usize);
        }
        st.quotes |= quote != 0;
        while spaces != 0 {
            st.space(*base + spaces.trailing_zeros() as usize, out);
            spaces &= spaces - 1;
        }
        if end.is_some() {
            return end;
        }
        *base += W;
    }
    None
}

#[cfg(target_arch = "x86_64")]
fn blocks_sse2(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    scan_blocks::<16>(data, base, st, out, |p| {
        // SAFETY: SSE2 is in the x86-64 baseline; `p` has 16 readable bytes.
        unsafe {
            let v = _mm_loadu_si128(p.cast::<__m128i>());
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) as u32,
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))) as u32,
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u32,
            )
        }
    })
}

/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn blocks_avx2(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    scan_blocks::<32>(data, base, st, out, |p| {
        // SAFETY: AVX2 is enabled for this function; `p` has 32 readable bytes.
        unsafe {
            let v = _mm256_loadu_si256(p.cast::<__m256i>());
            (
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8))) as u32,
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8))) as u32,
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8))) as u32,
            )
        }
    })
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX2.get_or_init(|| std::is_x86_feature_detected!("avx2"))
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

/// A cache of the last `date` value seen, since consecutive rows share it.
#[derive(Default)]
pub struct DateCache {
    last: Option<[u8; 10]>,
    seconds: i64,
}

impl DateCache {
    #[inline]
    fn seconds(&mut self, raw: &[u8]) -> Option<i64> {
        let key: [u8; 10] = raw.try_into().ok()?;
        if self.last == Some(key) {
            return Some(self.seconds);
        }
        let date = parse_date(raw)?;
        self.seconds = midnight_utc(date);
        self.last = Some(key);
        Some(self.seconds)
    }
}

/// Seconds since the Unix epoch of a date's UTC midnight.
pub fn midnight_utc(date: Date) -> i64 {
    jiff::tz::Offset::UTC
        .to_timestamp(DateTime::from_parts(date, Time::midnight()))
        .map(|ts| ts.as_second())
        .unwrap_or(0)
}

fn digits(raw: &[u8]) -> Option<i32> {
    let mut n: i32 = 0;
    for &b in raw {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i32::from(b - b'0');
    }
    Some(n)
}

/// `YYYY-MM-DD`.
fn parse_date(raw: &[u8]) -> Option<Date> {
    if raw.len() != 10 || raw[4] != b'-' || raw[7] != b'-' {
        return None;
    }
    let y = digits(&raw[0..4])?;
    let m = digits(&raw[5..7])?;
    let d = digits(&raw[8..10])?;
    Date::new(y as i16, m as i8, d as i8).ok()
}

/// `HH:MM:SS[.fraction]` as (seconds of the day, nanoseconds).
fn parse_time(raw: &[u8]) -> Option<(i64, i32)> {
    if raw.len() < 8 || raw[2] != b':' || raw[5] != b':' {
        return None;
    }
    let h = digits(&raw[0..2])?;
    let m = digits(&raw[3..5])?;
    let s = digits(&raw[6..8])?;
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let mut nanos = 0i32;
    if raw.len() > 8 {
        let frac = &raw[9..];
        if raw[8] != b'.' || frac.is_empty() || frac.len() > 9 {
            return None;
        }
        nanos = digits(frac)? * 10i32.pow(9 - frac.len() as u32);
    }
    Some((i64::from(h * 3600 + m * 60 + s), nanos))
}

/// A cheap shape check of a logged address: hex digits, `.` and `:` (IPv4,
/// IPv6, IPv4-mapped), optionally `[...]`, then an optional `%zone`. It keeps
/// a row whose address slot holds something else (a shifted value, text
/// damaged by a copy through markdown) from passing as a record.
fn looks_like_ip(raw: &[u8]) -> bool {
    // One branch-free pass over the bytes on the hot path; a zone id (`%`)
    // or brackets take the slower split below.
    let (mut all, mut any) = (ADDRESS, 0);
    for &b in raw {
        let class = ADDRESS_BYTES[b as usize];
        all &= class;
        any |= class;
    }
    if all & ADDRESS != 0 && any & (ZONE | BRACKET) == 0 {
        return any & SEPARATOR != 0;
    }
    let (addr, zone) = match raw.iter().position(|&b| b == b'%') {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, &b""[..]),
    };
    let addr = match addr {
        [b'[', inner @ .., b']'] => inner,
        _ => addr,
    };
    !addr.is_empty()
        && addr
            .iter()
            .all(|&b| ADDRESS_BYTES[b as usize] & ADDRESS != 0)
        && addr
            .iter()
            .any(|&b| ADDRESS_BYTES[b as usize] & SEPARATOR != 0)
        && zone
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Byte classes of logged addresses.
const ADDRESS: u8 = 1;
const SEPARATOR: u8 = 2;
const ZONE: u8 = 4;
const BRACKET: u8 = 8;
const ADDRESS_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => ADDRESS,
            b'.' | b':' => ADDRESS | SEPARATOR,
            b'%' => ZONE,
            b'[' | b']' => BRACKET,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// A number as logged: digits (up to `u64`). `time-taken` may also be written
/// in decimal seconds, as the W3C draft defines it; that is turned into ms.
fn parse_number(col: Column, raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    let mut digits_only = true;
    for &b in raw {
        if !b.is_ascii_digit() {
            digits_only = false;
            break;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if digits_only {
        return Some(n);
    }
    if col == Column::TimeTaken && memchr(b'.', raw).is_some() {
        let secs: f64 = std::str::from_utf8(raw).ok()?.parse().ok()?;
        if secs.is_finite() && secs >= 0.0 {
            return Some((secs * 1000.0).round() as u64);
        }
    }
    None
}

/// What a row's context supplies: its field map and the block's `#Date`.
pub struct RowContext<'m> {
    pub map: &'m FieldMap,
    /// UTC midnight of the block's `#Date`, for rows without a `date` field.
    pub block_date: Option<i64>,
    /// The row was split on single spaces: no value is quoted.
    pub unquoted: bool,
}

/// A row that fits its field map, with its time and numbers checked. Text
/// values are read from the line on demand.
pub struct Row<'a> {
    line: &'a [u8],
    spans: &'a [Span],
    map: &'a FieldMap,
    /// UTC instant, when the row has a time and a date (its own or the block's).
    pub time: Option<Timestamp>,
    numbers: [Option<u64>; NUMERIC_COLUMNS.len()],
    /// Known to hold no quoted value (split on single spaces).
    unquoted: bool,
}

/// Checks a tokenized row and reads its time and numbers.
pub fn check<'a>(
    line: &'a [u8],
    spans: &'a [Span],
    ctx: &RowContext<'a>,
    dates: &mut DateCache,
) -> Result<Row<'a>, Problem> {
    let map = ctx.map;
    let raw = |pos: usize| -> Option<&'a [u8]> {
        let span = spans[pos];
        let bytes = &line[span.start as usize..span.end as usize];
        (!bytes.is_empty() && bytes != b"-").then_some(bytes)
    };
    let mut time = None;
    if let Some(tpos) = map.slot(Column::Time)
        && let Some(traw) = raw(tpos)
    {
        let (tod, nanos) = parse_time(traw).ok_or_else(|| Problem::BadTime(lossy(traw)))?;
        let day = match map.slot(Column::Date) {
            Some(dpos) => match raw(dpos) {
                Some(draw) => Some(
                    dates
                        .seconds(draw)
                        .ok_or_else(|| Problem::BadDate(lossy(draw)))?,
                ),
                None => None,
            },
            None => ctx.block_date,
        };
        time = day.and_then(|d| Timestamp::new(d + tod, nanos).ok());
    } else if let Some(dpos) = map.slot(Column::Date)
        && let Some(draw) = raw(dpos)
    {
        dates
            .seconds(draw)
            .ok_or_else(|| Problem::BadDate(lossy(draw)))?;
    }
    for col in [Column::ClientIp, Column::ServerIp] {
        if let Some(pos) = map.slot(col)
            && let Some(value) = raw(pos)
            && !looks_like_ip(value)
        {
            return Err(Problem::BadAddress {
                field: map.name(pos).to_string(),
                value: lossy(value),
            });
        }
    }
    let mut numbers = [None; NUMERIC_COLUMNS.len()];
    for &(i, pos) in map.numeric() {
        if let Some(value) = raw(pos) {
            numbers[i] = Some(parse_number(NUMERIC_COLUMNS[i], value).ok_or_else(|| {
                Problem::BadNumber {
                    field: map.name(pos).to_string(),
                    value: lossy(value),
                }
            })?);
        }
    }
    Ok(Row {
        line,
        spans,
        map,
        time,
        numbers,
        unquoted: ctx.unquoted,
    })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl<'a> Row<'a> {
    pub fn map(&self) -> &'a FieldMap {
        self.map
    }

    /// Whether some value of the row is quoted with `""` escapes inside:
    /// then [`Row::raw`] must copy it, and [`Row::plain`] cannot be used.
    #[inline]
    pub fn has_escapes(&self) -> bool {
        !self.unquoted && self.spans.iter().any(|s| s.escaped)
    }

    /// A column's value as it lies in the line, for rows without escapes
    /// ([`Row::has_escapes`]): what [`Row::raw`] gives, without building a
    /// `Cow`, for the hot paths that read several columns of every row.
    #[inline]
    pub fn plain(&self, col: Column) -> Option<&'a [u8]> {
        debug_assert!(!self.has_escapes());
        let value = |pos: usize| {
            let span = *self.spans.get(pos)?;
            let bytes = &self.line[span.start as usize..span.end as usize];
            (!bytes.is_empty() && bytes != b"-").then_some(bytes)
        };
        if let Some(pos) = self.map.slot(col) {
            return value(pos);
        }
        let uri = value(self.map.slot(Column::Uri)?)?;
        uri_part(col, uri).map(|part| &uri[part])
    }

    /// The raw bytes of the value at a position; `None` for `-` or empty.
    #[inline]
    pub fn raw_at(&self, pos: usize) -> Option<Cow<'a, [u8]>> {
        let span = *self.spans.get(pos)?;
        let bytes = &self.line[span.start as usize..span.end as usize];
        if bytes.is_empty() || bytes == b"-" {
            return None;
        }
        if span.escaped {
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                out.push(bytes[i]);
                i += if bytes[i] == b'"' && bytes.get(i + 1) == Some(&b'"') {
                    2
                } else {
                    1
                };
            }
            return Some(Cow::Owned(out));
        }
        Some(Cow::Borrowed(bytes))
    }

    /// The raw bytes of a column's value. `cs-uri` stands in for the stem
    /// (before `?`) and the query (after it) when the row has no stem/query.
    #[inline]
    pub fn raw(&self, col: Column) -> Option<Cow<'a, [u8]>> {
        if let Some(pos) = self.map.slot(col) {
            return self.raw_at(pos);
        }
        let uri = self.raw_at(self.map.slot(Column::Uri)?)?;
        let part = uri_part(col, &uri)?;
        Some(match uri {
            Cow::Borrowed(b) => Cow::Borrowed(&b[part]),
            Cow::Owned(v) => Cow::Owned(v[part].to_vec()),
        })
    }

    /// A column's value as text; bytes that are not UTF-8 become U+FFFD.
    pub fn text(&self, col: Column) -> Option<String> {
        self.raw(col)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    pub fn text_at(&self, pos: usize) -> Option<String> {
        self.raw_at(pos)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// A numeric column's value.
    #[inline]
    pub fn number(&self, col: Column) -> Option<u64> {
        let i = NUMERIC_COLUMNS.iter().position(|c| *c == col)?;
        self.numbers[i]
    }

    /// Whether the row holds bytes that are not UTF-8.
    pub fn has_invalid_utf8(&self) -> bool {
        std::str::from_utf8(self.line).is_err()
    }
}

/// Where `cs-uri` holds the stem (before `?`) or the query (after it), for
/// rows without those columns; `None` for other columns and empty parts.
fn uri_part(col: Column, uri: &[u8]) -> Option<std::ops::Range<usize>> {
    match (col, memchr(b'?', uri)) {
        (Column::UriStem, Some(q)) => Some(0..q),
        (Column::UriStem, None) => Some(0..uri.len()),
        (Column::UriQuery, Some(q)) if q + 1 < uri.len() => Some(q + 1..uri.len()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::w3c::fields::FieldOrigin;

    fn values(line: &str, expected: Option<usize>) -> Result<Vec<String>, Problem> {
        let mut spans = Vec::new();
        tokenize(line.as_bytes(), expected, &mut spans)?;
        Ok(spans
            .iter()
            .map(|s| line[s.start as usize..s.end as usize].to_string())
            .collect())
    }

    #[test]
    fn space_finder_matches_a_plain_search() {
        let line = b"a b  c d\xa0\x20e f g hh i j k l m n o p q r s t u vvvvvvvvvvvvvvvvv w ";
        let mut spans = Vec::new();
        let spaces = |line: &[u8], spans: &mut Vec<Span>| {
            let (_, st) = split_line(line, spans);
            (
                spans.iter().map(|s| s.end as usize).collect::<Vec<_>>(),
                st.quotes,
            )
        };
        let (got, quoted) = spaces(line, &mut spans);
        assert!(!quoted);
        assert!(spaces(b"0123456789abcdef\"", &mut spans).1);
        assert!(spaces(b"01234\"", &mut spans).1);
        let want: Vec<usize> = line
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b' ')
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn scan_line_finds_the_end_and_the_values() {
        let data = b"2017-01-19 17:16:30 GET /temp/acme/A.jsmith.zip - 443 -\r\nnext line";
        let mut spans = Vec::new();
        let scan = scan_line(data, &mut spans);
        assert_eq!(scan.len, 55);
        assert_eq!(scan.next, 57);
        assert!(scan.simple);
        let values: Vec<&[u8]> = spans
            .iter()
            .map(|s| &data[s.start as usize..s.end as usize])
            .collect();
        assert_eq!(values.len(), 7);
        assert_eq!(values[6], b"-");
        let mut tokenized = Vec::new();
        tokenize(&data[..scan.len], Some(7), &mut tokenized).unwrap();
        assert_eq!(tokenized, spans);
    }

    #[test]
    fn scan_line_agrees_with_a_plain_byte_loop() {
        // Lines of every length around the 16- and 32-byte blocks, with
        // spaces, quotes, CR and the line end at every position.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut spans = Vec::new();
        for _ in 0..5000 {
            let len = (next() % 100) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| match next() % 12 {
                    0 | 1 => b' ',
                    2 if next() % 8 == 0 => b'"',
                    3 if next() % 8 == 0 => b'\n',
                    4 if next() % 8 == 0 => b'\r',
                    _ => b'a',
                })
                .collect();
            let scan = scan_line(&data, &mut spans);
            let end = data.iter().position(|&b| b == b'\n');
            let mut want_len = end.unwrap_or(data.len());
            assert_eq!(scan.next, end.map_or(data.len(), |e| e + 1));
            if want_len > 0
                && data[want_len - 1] == b'\r'
                && data[..want_len - 1].last() != Some(&b' ')
            {
                want_len -= 1;
            }
            let line = &data[..scan.len];
            if scan.simple {
                assert_eq!(scan.len, want_len, "{data:?}");
                let values: Vec<&[u8]> = spans
                    .iter()
                    .map(|s| &line[s.start as usize..s.end as usize])
                    .collect();
                let want: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
                assert_eq!(values, want, "{data:?}");
                assert!(!line.contains(&b'"'));
            }
        }
    }

    #[test]
    fn scan_line_sends_unusual_lines_to_the_careful_path() {
        let mut spans = Vec::new();
        for line in [
            &b"a  b\n"[..],
            b"a \"b c\"\n",
            b" a b\n",
            b"a b \r\n",
            b"\n",
            b"\r\n",
        ] {
            assert!(
                !scan_line(line, &mut spans).simple,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let scan = scan_line(b"no newline at all, longer than sixteen bytes", &mut spans);
        assert_eq!((scan.len, scan.next, scan.simple), (44, 44, true));
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
    fn times_and_dates() {
        assert_eq!(parse_time(b"17:16:30"), Some((62190, 0)));
        assert_eq!(parse_time(b"00:00:00.363"), Some((0, 363_000_000)));
        assert_eq!(parse_time(b"25:61:00"), None);
        assert_eq!(parse_time(b"12:00:00."), None);
        assert!(parse_date(b"2017-13-45").is_none());
        assert!(parse_date(b"2016-02-29").is_some());
        assert_eq!(midnight_utc(parse_date(b"2017-01-19").unwrap()), 1484784000);
    }

    #[test]
    fn address_shapes() {
        for ok in [
            "73.21.44.9",
            "::1",
            "::1%0",
            "fe80::1ff:fe23:4567:890a%eth0",
            "::ffff:1.2.3.4",
            "[2001:db8::1]",
        ] {
            assert!(looks_like_ip(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "[10.1.2.3](http://10.1.2.3)",
            "host.example",
            "abc",
            "1234",
            "GET",
        ] {
            assert!(!looks_like_ip(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn numbers_beyond_32_bits_and_decimal_seconds() {
        assert_eq!(
            parse_number(Column::Win32Status, b"214784354254"),
            Some(214784354254)
        );
        assert_eq!(parse_number(Column::TimeTaken, b"0.25"), Some(250));
        assert_eq!(parse_number(Column::Status, b"2.5"), None);
        assert_eq!(
            parse_number(Column::Status, b"99999999999999999999999"),
            None
        );
    }

    #[test]
    fn row_reads_time_numbers_and_unescapes() {
        let map = FieldMap::new(
            &["date", "time", "cs(User-Agent)", "sc-status"],
            FieldOrigin::Header,
        );
        let line = br#"2017-01-19 17:16:30 "say ""hi""" 200"#;
        let mut spans = Vec::new();
        tokenize(line, Some(4), &mut spans).unwrap();
        let ctx = RowContext {
            map: &map,
            block_date: None,
            unquoted: false,
        };
        let row = check(line, &spans, &ctx, &mut DateCache::default()).unwrap();
        assert!(row.has_escapes());
        assert_eq!(row.time.unwrap().to_string(), "2017-01-19T17:16:30Z");
        assert_eq!(row.text(Column::UserAgent).unwrap(), r#"say "hi""#);
        assert_eq!(row.number(Column::Status), Some(200));
    }

    #[test]
    fn plain_reads_what_raw_reads() {
        let map = FieldMap::new(
            &[
                "date",
                "time",
                "cs-method",
                "cs-uri",
                "cs-username",
                "sc-status",
            ],
            FieldOrigin::Header,
        );
        for line in [
            &b"2017-01-19 17:16:30 GET /Temp/a.zip?x=1 - 200"[..],
            b"2017-01-19 17:16:30 POST /Page.aspx jsmith 200",
            b"2017-01-19 17:16:30 GET /q? ACME\\jsmith 200",
        ] {
            let mut spans = Vec::new();
            tokenize(line, Some(6), &mut spans).unwrap();
            let ctx = RowContext {
                map: &map,
                block_date: None,
                unquoted: true,
            };
            let row = check(line, &spans, &ctx, &mut DateCache::default()).unwrap();
            assert!(!row.has_escapes());
            for col in [
                Column::Method,
                Column::UriStem,
                Column::UriQuery,
                Column::Username,
                Column::ClientIp,
            ] {
                assert_eq!(row.plain(col), row.raw(col).as_deref(), "{col:?}");
            }
        }
    }

    #[test]
    fn row_without_date_uses_block_date() {
        let map = FieldMap::new(&["time", "cs-uri"], FieldOrigin::Header);
        let line = b"16:58:07.250 /a/b?x=1";
        let mut spans = Vec::new();
        tokenize(line, Some(2), &mut spans).unwrap();
        let day = midnight_utc(jiff::civil::date(2017, 1, 19));
        let ctx = RowContext {
            map: &map,
            block_date: Some(day),
            unquoted: false,
        };
        let row = check(line, &spans, &ctx, &mut DateCache::default()).unwrap();
        assert_eq!(row.time.unwrap().to_string(), "2017-01-19T16:58:07.25Z");
        assert_eq!(row.text(Column::UriStem).unwrap(), "/a/b");
        assert_eq!(row.text(Column::UriQuery).unwrap(), "x=1");
    }

    #[test]
    fn bad_number_names_the_field() {
        let map = FieldMap::new(&["sc-status"], FieldOrigin::Header);
        let mut spans = Vec::new();
        tokenize(b"abc", Some(1), &mut spans).unwrap();
        let ctx = RowContext {
            map: &map,
            block_date: None,
            unquoted: false,
        };
        let err = check(b"abc", &spans, &ctx, &mut DateCache::default())
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "sc-status 'abc' is not a number");
    }
}
