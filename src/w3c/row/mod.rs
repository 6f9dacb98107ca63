//! One data row: tokenizing it against its field map and checking its values.
//!
//! Rows are space-separated. Most rows hold no quote and exactly one space
//! between values, and take the fast path: one SIMD pass finds the line end
//! and the spaces together ([`split`](super::split)). Rows with quoted
//! values (IIS Advanced Logging, Incapsula, Oracle Web Cache), runs of spaces,
//! or an empty value written as a double space (Exchange) take the careful path.
//! A row whose values do not fit its field map is never assigned by guesswork:
//! it becomes a [`Problem`]. A row that fits, but one of whose addresses or
//! numbers is not one (a `c-ip` damaged by a copy through markdown), is kept:
//! that value reads as absent, and [`Row::invalid_values`] gives it as logged.
//!
//! Times are kept only where every part of leaktrace can hold them: the
//! time-ordered analyses key events by `i64` nanoseconds since 1970, so a UTC
//! time before 1677-09-21 or after 2262-04-11 (or a date no instant can hold,
//! such as 9999-12-31) is a malformed value, never a time moved elsewhere.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;

use crate::time::{TimeError, Zone};
use memchr::memchr;

use super::fields::{Column, FieldMap, MAX_FIELDS, NUMERIC_COLUMNS};
pub use super::split::{LineScan, scan_line};
pub use super::tokenize::{Span, tokenize};
pub use super::when::{BlockDate, DateCache, FIRST_DATE, LAST_DATE, midnight_utc};
use super::when::{TIME_RANGE, date_problem, instant, parse_time, time_out_of_range};
/// The longest line read as a row, 16 MiB: far past anything IIS writes
/// (HTTP.sys refuses a request over 16 MB), small enough that a line is never
/// what makes memory grow. A longer line (NUL padding at its start not
/// counted) is a malformed row, reported with its length; it is skipped, not
/// held. Value offsets are `u32`, so this must stay below 4 GiB.
pub const MAX_LINE: usize = 16 << 20;

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
    /// The line is longer than [`MAX_LINE`] bytes.
    LineTooLong {
        bytes: u64,
    },
    /// A `#Fields` line naming more than [`MAX_FIELDS`] fields (the line
    /// itself is reported with this).
    FieldsOverLimit {
        names: usize,
    },
    /// A row of the block of such a `#Fields` line: not read (no map).
    UnderFieldsOverLimit {
        names: usize,
    },
    BadDate(String),
    /// A date no UTC time leaktrace holds falls on (before [`FIRST_DATE`] or
    /// after [`LAST_DATE`]); `header` when it is the block's `#Date`.
    DateOutOfRange {
        date: String,
        header: bool,
    },
    BadTime(String),
    /// A date and time (`YYYY-MM-DD HH:MM:SS`) that make a UTC instant out
    /// of the range leaktrace holds (on the first or the last date).
    TimeOutOfRange(String),
    BadNumber {
        field: String,
        value: String,
    },
    BadAddress {
        field: String,
        value: String,
    },
    /// A row kept without a UTC time: its local time (`--log-tz`) names no
    /// instant or two.
    AmbiguousLocalTime {
        local: String,
        detail: String,
    },
    /// A row kept as a record although some of its values are invalid:
    /// the first of them ([`Problem::BadAddress`] or [`Problem::BadNumber`]),
    /// and how many more.
    Kept {
        first: Box<Problem>,
        more: usize,
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
            Problem::LineTooLong { bytes } => write!(
                f,
                "a line of {bytes} bytes, longer than the {MAX_LINE} bytes (16 MiB) a row may have; not read"
            ),
            Problem::FieldsOverLimit { names } => write!(
                f,
                "a #Fields line of {names} names, over the limit of {MAX_FIELDS}; the rows of its block are not read"
            ),
            Problem::UnderFieldsOverLimit { names } => write!(
                f,
                "not read: its #Fields line names {names} fields, over the limit of {MAX_FIELDS}"
            ),
            Problem::BadDate(v) => write!(f, "date {} is not a valid YYYY-MM-DD date", quote(v)),
            Problem::DateOutOfRange { date, header } => write!(
                f,
                "date {}{} is out of range: {TIME_RANGE}",
                quote(date),
                if *header { " (the block's #Date)" } else { "" }
            ),
            Problem::BadTime(v) => write!(f, "time {} is not a valid HH:MM:SS time", quote(v)),
            Problem::AmbiguousLocalTime { local, detail } => write!(
                f,
                "local time {} {detail}; kept without a UTC time (not guessed)",
                quote(local)
            ),
            Problem::TimeOutOfRange(v) => {
                write!(
                    f,
                    "date and time {} are out of range: {TIME_RANGE}",
                    quote(v)
                )
            }
            Problem::BadNumber { field, value } => {
                write!(f, "{field} {} is not a number", quote(value))
            }
            Problem::BadAddress { field, value } => {
                write!(f, "{field} {} is not an IP address", quote(value))
            }
            Problem::Kept { first, more } => {
                write!(f, "{first}")?;
                if *more > 0 {
                    write!(
                        f,
                        " (and {more} more invalid value{})",
                        if *more == 1 { "" } else { "s" }
                    )?;
                }
                f.write_str("; the row is kept, the value as logged under \"invalid\"")
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

/// A cheap shape check of a logged address: hex digits, `.` and `:` (IPv4,
/// IPv6, IPv4-mapped), optionally `[...]`, then an optional `%zone`. It keeps
/// a row whose address slot holds something else (a shifted value, text
/// damaged by a copy through markdown) from passing as a record.
fn looks_like_ip(raw: &[u8]) -> bool {
    if dotted_or_colons(raw) {
        return true;
    }
    looks_like_ip_by_bytes(raw)
}

/// The common case of [`looks_like_ip`], 8 bytes at a time: 8 to 16
/// bytes, each a digit, `.` or `:`, one of them `.` or `:` (an IPv4
/// address, or an IPv6 one without letters). `false` says only that the
/// byte-by-byte check must decide.
#[inline]
fn dotted_or_colons(raw: &[u8]) -> bool {
    /// Bit 7 of a byte of each kind: set for the bytes of `w` in `.`..=`:`
    /// (all below 128) that are not `/`; and for those that are `.` or `:`.
    #[inline(always)]
    fn kinds(w: u64) -> (u64, u64) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // Bytes below 128, so no sum carries into the next byte.
        let at_least_dot = (w & !HIGH) + ONES * (0x80 - u64::from(b'.'));
        let above_colon = (w & !HIGH) + ONES * (0x7f - u64::from(b':'));
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let splat = |b: u8| ONES * u64::from(b);
        let slash = zero(w ^ splat(b'/'));
        let in_range = at_least_dot & !above_colon & !w & HIGH & !slash;
        let separator = zero(w ^ splat(b'.')) | zero(w ^ splat(b':'));
        (in_range, separator & in_range)
    }
    let (Some(head), Some(tail)) = (raw.first_chunk::<8>(), raw.last_chunk::<8>()) else {
        return false;
    };
    if raw.len() > 16 {
        return false;
    }
    // The two words overlap when the address is shorter than 16 bytes:
    // every byte is in one of them.
    let (head_ok, head_sep) = kinds(u64::from_le_bytes(*head));
    let (tail_ok, tail_sep) = kinds(u64::from_le_bytes(*tail));
    const HIGH: u64 = 0x8080_8080_8080_8080;
    head_ok == HIGH && tail_ok == HIGH && (head_sep | tail_sep) != 0
}

/// [`looks_like_ip`] byte by byte: every form it takes.
fn looks_like_ip_by_bytes(raw: &[u8]) -> bool {
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
#[inline]
fn parse_number(col: Column, raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 20 {
        return None;
    }
    // Up to 19 digits never overflow a `u64` (10^19 - 1 < 2^64): no check
    // of the sum. Most values are a few digits: a plain loop, left at the
    // first byte that is not one.
    if raw.len() < 20 {
        let mut n: u64 = 0;
        for &b in raw {
            let d = b.wrapping_sub(b'0');
            if d >= 10 {
                return not_digits(col, raw);
            }
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        }
        return Some(n);
    }
    match twenty_digits(raw) {
        Some(n) => Some(n),
        None => not_digits(col, raw),
    }
}

/// A value that is not all digits: decimal seconds for `time-taken`.
#[cold]
fn not_digits(col: Column, raw: &[u8]) -> Option<u64> {
    if col == Column::TimeTaken {
        return seconds_as_ms(raw);
    }
    None
}

/// A number of 20 digits, if it fits a `u64` (out of line: rare).
#[cold]
#[inline(never)]
fn twenty_digits(raw: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &b in raw {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// The general form of [`parse_number`] it replaced, kept for the tests
/// that hold the fast one to it.
#[cfg(test)]
pub(super) fn parse_number_slow(col: Column, raw: &[u8]) -> Option<u64> {
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
    if col == Column::TimeTaken {
        return seconds_as_ms(raw);
    }
    None
}

/// Decimal seconds (`12.5`, `.25`, `3.`) as milliseconds, rounded half up,
/// exactly (no float), or `None` when they do not fit a `u64`. Out of line:
/// most logs write whole milliseconds, and the row check stays small.
#[inline(never)]
fn seconds_as_ms(raw: &[u8]) -> Option<u64> {
    let dot = memchr(b'.', raw)?;
    let (whole, fraction) = (&raw[..dot], &raw[dot + 1..]);
    if whole.is_empty() && fraction.is_empty()
        || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut ms: u64 = 0;
    for &b in whole {
        ms = ms.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    ms = ms.checked_mul(1000)?;
    for (&b, scale) in fraction.iter().zip([100, 10, 1]) {
        ms = ms.checked_add(u64::from(b - b'0') * scale)?;
    }
    if fraction.get(3).is_some_and(|&b| b >= b'5') {
        ms = ms.checked_add(1)?;
    }
    Some(ms)
}

/// What a row's context supplies: its field map and the block's `#Date`.
pub struct RowContext<'m> {
    pub map: &'m FieldMap,
    /// The block's `#Date`, for rows without a `date` field.
    pub block_date: Option<BlockDate>,
    /// The row was split on single spaces: no value is quoted.
    pub unquoted: bool,
    /// `--log-tz`: the zone `date-local`/`time-local` were written in.
    pub log_tz: Option<&'m Zone>,
}

/// How a row's local time (`date-local`, `time-local`: IIS Advanced
/// Logging) stands, for a row without a UTC `date`/`time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalTime {
    /// The row has a UTC time, or no local one.
    NotUsed,
    /// Only a local time, and no `--log-tz` to read it in: no UTC time.
    NoZone,
    /// Read in `--log-tz`: the row's UTC time comes from it.
    Resolved,
    /// The local time falls in a gap or a fold of `--log-tz` (it names no
    /// instant, or two): not guessed, the row has no UTC time.
    Ambiguous,
}

/// A row that fits its field map, with its time and numbers checked. Text
/// values are read from the line on demand.
pub struct Row<'a> {
    line: &'a [u8],
    spans: &'a [Span],
    map: &'a FieldMap,
    /// UTC instant, when the row has a time and a date (its own or the
    /// block's), or a local one read in `--log-tz`.
    pub time: Option<Timestamp>,
    /// Whether the time came from a local time, or why a local time gave none.
    pub local: LocalTime,
    /// The numeric columns' values, in the order of [`NUMERIC_COLUMNS`],
    /// those read marked in `numbered` (half the size of `Option`s: a
    /// `Row` is moved once per row).
    numbers: [u64; NUMERIC_COLUMNS.len()],
    numbered: u8,
    /// Known to hold no quoted value (split on single spaces).
    unquoted: bool,
    /// Values that are not what their field holds, as bits (see
    /// [`invalid_bit`]): they read as absent. Zero for almost every row.
    invalid: u16,
}

/// The bit of a checked column in [`Row`]'s `invalid`: the addresses, then
/// the numbers in the order of [`NUMERIC_COLUMNS`]; 0 for other columns.
const fn invalid_bit(col: Column) -> u16 {
    match col {
        Column::ClientIp => 1,
        Column::ServerIp => 1 << 1,
        Column::Status => 1 << 2,
        Column::Substatus => 1 << 3,
        Column::Win32Status => 1 << 4,
        Column::TimeTaken => 1 << 5,
        Column::ServerPort => 1 << 6,
        Column::BytesSent => 1 << 7,
        Column::BytesReceived => 1 << 8,
        _ => 0,
    }
}

/// The columns that may hold an invalid value, in the order of their bits.
/// [`invalid_bit`] of each of [`NUMERIC_COLUMNS`], by index.
const NUMERIC_BITS: [u16; NUMERIC_COLUMNS.len()] = {
    let mut bits = [0; NUMERIC_COLUMNS.len()];
    let mut i = 0;
    while i < NUMERIC_COLUMNS.len() {
        bits[i] = invalid_bit(NUMERIC_COLUMNS[i]);
        i += 1;
    }
    bits
};

const CHECKED_COLUMNS: [Column; 2 + NUMERIC_COLUMNS.len()] = {
    let mut cols = [Column::ClientIp; 2 + NUMERIC_COLUMNS.len()];
    cols[1] = Column::ServerIp;
    let mut i = 0;
    while i < NUMERIC_COLUMNS.len() {
        cols[2 + i] = NUMERIC_COLUMNS[i];
        i += 1;
    }
    cols
};

/// Checks a tokenized row and reads its time and numbers. A value count
/// that does not fit, or a bad date or time, is a [`Problem`]; an address
/// or a number that is not one leaves the row a row, with that value marked
/// invalid (absent to every reader, kept in [`Row::invalid_values`]).
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
        let (tod, nanos) = parse_time(traw).ok_or_else(|| Problem::BadTime(excerpt(traw)))?;
        let midnight = match map.slot(Column::Date) {
            Some(dpos) => match raw(dpos) {
                Some(draw) => Some(dates.seconds(draw).ok_or_else(|| date_problem(draw))?),
                None => None,
            },
            None => match &ctx.block_date {
                Some(block) => Some(block.midnight()?),
                None => None,
            },
        };
        if let Some(midnight) = midnight {
            match instant(midnight, tod, nanos) {
                Some(t) => time = Some(t),
                None => {
                    let date = map.slot(Column::Date).and_then(raw);
                    return Err(time_out_of_range(date, ctx.block_date, traw));
                }
            }
        }
    } else if let Some(dpos) = map.slot(Column::Date)
        && let Some(draw) = raw(dpos)
    {
        dates.seconds(draw).ok_or_else(|| date_problem(draw))?;
    }
    let mut local = LocalTime::NotUsed;
    if time.is_none()
        && let Some((dpos, tpos)) = map.local_slots()
        && let (Some(draw), Some(traw)) = (raw(dpos), raw(tpos))
    {
        let (tod, nanos) = parse_time(traw).ok_or_else(|| Problem::BadTime(excerpt(traw)))?;
        let midnight = dates.seconds(draw).ok_or_else(|| date_problem(draw))?;
        local = match ctx.log_tz {
            None => LocalTime::NoZone,
            Some(zone) => match local_instant(zone, midnight, tod, nanos) {
                Ok(Some(t)) => {
                    time = Some(t);
                    LocalTime::Resolved
                }
                Ok(None) => return Err(time_out_of_range(Some(draw), None, traw)),
                Err(_) => LocalTime::Ambiguous,
            },
        };
    }
    let mut invalid = 0;
    for col in [Column::ClientIp, Column::ServerIp] {
        if let Some(pos) = map.slot(col)
            && let Some(value) = raw(pos)
            && !looks_like_ip(value)
        {
            invalid |= invalid_bit(col);
        }
    }
    let mut numbers = [0; NUMERIC_COLUMNS.len()];
    let mut numbered = 0u8;
    for &(i, pos) in map.numeric() {
        if let Some(value) = raw(pos) {
            let number = parse_number(NUMERIC_COLUMNS[i], value);
            // Branch-free: the bit is set only when the value did not parse.
            invalid |= NUMERIC_BITS[i] * u16::from(number.is_none());
            numbered |= u8::from(number.is_some()) << i;
            numbers[i] = number.unwrap_or(0);
        }
    }
    Ok(Row {
        line,
        spans,
        map,
        time,
        local,
        numbers,
        numbered,
        unquoted: ctx.unquoted,
        invalid,
    })
}

/// The UTC instant of a local date and time (midnight as UTC seconds, the
/// time of day) in `zone`: `Ok(None)` out of the range leaktrace holds, an
/// error for a time in a gap or a fold of the zone.
fn local_instant(
    zone: &Zone,
    midnight: i64,
    tod: i64,
    nanos: i32,
) -> Result<Option<Timestamp>, TimeError> {
    let Some(wall) = instant(midnight, tod, nanos) else {
        return Ok(None);
    };
    let civil = jiff::tz::TimeZone::UTC.to_datetime(wall);
    let t = zone.instant_of(civil)?;
    Ok(instant(t.as_second(), 0, t.subsec_nanosecond()))
}

/// The start of a bad value, for its message: enough for [`quote`] to show
/// (and to tell it was cut), not the whole value (it may be a megabyte).
pub(super) fn excerpt(bytes: &[u8]) -> String {
    const CHARS: usize = 41;
    let head = &bytes[..bytes.len().min(4 * CHARS)];
    String::from_utf8_lossy(head).chars().take(CHARS).collect()
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
    /// `Cow`, for the hot paths that read several columns of every row
    /// (always inlined there: the calls cost more than the reads; the rare
    /// read from `cs-uri` is not).
    #[inline(always)]
    pub fn plain(&self, col: Column) -> Option<&'a [u8]> {
        debug_assert!(!self.has_escapes());
        match self.map.slot(col) {
            Some(_) if self.is_invalid(col) => None,
            Some(pos) => self.plain_at(pos),
            None => self.plain_in_uri(col),
        }
    }

    /// The value at a position, for [`Row::plain`]; `None` for `-` or empty.
    #[inline(always)]
    fn plain_at(&self, pos: usize) -> Option<&'a [u8]> {
        let span = *self.spans.get(pos)?;
        let bytes = &self.line[span.start as usize..span.end as usize];
        (!bytes.is_empty() && bytes != b"-").then_some(bytes)
    }

    /// [`Row::plain`] of a column the map has not: the stem or query, from
    /// `cs-uri` (rare: most logs have the stem and query fields).
    #[cold]
    #[inline(never)]
    fn plain_in_uri(&self, col: Column) -> Option<&'a [u8]> {
        let uri = self.plain_at(self.map.slot(Column::Uri)?)?;
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
            if self.is_invalid(col) {
                return None;
            }
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
        (self.numbered >> i & 1 != 0).then_some(self.numbers[i])
    }

    /// The row's line, as it lies in the input.
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// Whether the row holds bytes that are not UTF-8.
    pub fn has_invalid_utf8(&self) -> bool {
        std::str::from_utf8(self.line).is_err()
    }

    /// Whether a column's value is not what the field holds (an address or
    /// a number that is not one): it reads as absent.
    #[inline]
    pub fn is_invalid(&self, col: Column) -> bool {
        self.invalid != 0 && self.invalid & invalid_bit(col) != 0
    }

    /// Whether any value of the row is invalid ([`Row::is_invalid`]).
    #[inline]
    pub fn has_invalid(&self) -> bool {
        self.invalid != 0
    }

    /// The invalid values, as (position, W3C field name, bytes as logged),
    /// in the order of the row.
    pub fn invalid_values(&self) -> Vec<(usize, &'a str, Cow<'a, [u8]>)> {
        let mut out: Vec<_> = CHECKED_COLUMNS
            .iter()
            .filter(|&&col| self.is_invalid(col))
            .filter_map(|&col| {
                let pos = self.map.slot(col)?;
                Some((pos, self.map.name(pos), self.raw_at(pos)?))
            })
            .collect();
        out.sort_unstable_by_key(|(pos, ..)| *pos);
        out
    }

    /// Why the row holds invalid values, for the run's summary: the first
    /// of them, and how many more. `None` when all are valid.
    #[cold]
    /// For a row whose local time falls in a gap or a fold of `zone`: what
    /// it could be, for the report.
    pub fn local_problem(&self, zone: &Zone) -> Option<Problem> {
        let (dpos, tpos) = self.map.local_slots()?;
        let local = format!(
            "{} {}",
            excerpt(&self.raw_at(dpos)?),
            excerpt(&self.raw_at(tpos)?)
        );
        let mut dates = DateCache::default();
        let draw = self.raw_at(dpos)?;
        let (tod, nanos) = parse_time(&self.raw_at(tpos)?)?;
        let midnight = dates.seconds(&draw)?;
        let detail = match local_instant(zone, midnight, tod, nanos) {
            Err(TimeError::Skipped { earlier, later, .. }) => {
                format!(
                    "does not exist in {} (the clocks skipped it): {earlier} or {later}",
                    zone.name()
                )
            }
            Err(TimeError::Repeated { earlier, later, .. }) => {
                format!("happened twice in {}: {earlier} or {later}", zone.name())
            }
            _ => return None,
        };
        Some(Problem::AmbiguousLocalTime { local, detail })
    }

    pub fn invalid_problem(&self) -> Option<Problem> {
        let values = self.invalid_values();
        let (pos, field, value) = values.first()?;
        let field = field.to_string();
        let value = excerpt(value);
        let col = CHECKED_COLUMNS
            .iter()
            .copied()
            .find(|&col| self.map.slot(col) == Some(*pos))?;
        let first = if matches!(col, Column::ClientIp | Column::ServerIp) {
            Problem::BadAddress { field, value }
        } else {
            Problem::BadNumber { field, value }
        };
        Some(Problem::Kept {
            first: Box::new(first),
            more: values.len() - 1,
        })
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
mod tests;
