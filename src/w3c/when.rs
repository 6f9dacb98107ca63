//! Dates and times of rows: a logged `date` and `time` (or a block's
//! `#Date`) become a UTC instant only where every part of leaktrace can hold
//! it. The time-ordered analyses key events by `i64` nanoseconds since 1970,
//! so a time before 1677-09-21 or after 2262-04-11, or a date no instant can
//! hold (9999-12-31), is a malformed value ([`Problem`]), never a time moved
//! elsewhere.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};

use super::row::{Problem, excerpt};

/// The first and the last date of which some UTC instant is an `i64` count
/// of nanoseconds since 1970 (see `instant`).
pub const FIRST_DATE: Date = jiff::civil::date(1677, 9, 21);
pub const LAST_DATE: Date = jiff::civil::date(2262, 4, 11);

/// The range of times, for messages.
pub(super) const TIME_RANGE: &str = "leaktrace places times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z (what 64-bit nanoseconds since 1970 hold)";

/// A cache of the last `date` value seen, since consecutive rows share it.
#[derive(Default)]
pub struct DateCache {
    last: Option<[u8; 10]>,
    seconds: i64,
}

impl DateCache {
    /// UTC midnight of a row's `date` value; `None` for a value that is not
    /// a date, or a date out of range ([`date_problem`] says which).
    #[inline]
    pub(super) fn seconds(&mut self, raw: &[u8]) -> Option<i64> {
        let key: [u8; 10] = raw.try_into().ok()?;
        if self.last == Some(key) {
            return Some(self.seconds);
        }
        let date = parse_date(raw)?;
        self.seconds = midnight_utc(date)?;
        self.last = Some(key);
        Some(self.seconds)
    }
}

/// Why [`DateCache::seconds`] refused a `date` value (out of the hot path).
#[cold]
pub(super) fn date_problem(raw: &[u8]) -> Problem {
    match parse_date(raw) {
        Some(_) => Problem::DateOutOfRange {
            date: excerpt(raw),
            header: false,
        },
        None => Problem::BadDate(excerpt(raw)),
    }
}

/// Seconds since the Unix epoch of a date's UTC midnight; `None` for a date
/// outside [`FIRST_DATE`]..=[`LAST_DATE`] (no time leaktrace holds is on it).
pub fn midnight_utc(date: Date) -> Option<i64> {
    if !(FIRST_DATE..=LAST_DATE).contains(&date) {
        return None;
    }
    jiff::tz::Offset::UTC
        .to_timestamp(DateTime::from_parts(date, Time::midnight()))
        .ok()
        .map(|ts| ts.as_second())
}

/// The `#Date` (or `#Start-Date`) of a header block: the date of its rows
/// that have no `date` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockDate {
    date: Date,
    /// UTC midnight; `None` when the date is out of range.
    midnight: Option<i64>,
}

impl BlockDate {
    pub fn new(date: Date) -> BlockDate {
        BlockDate {
            date,
            midnight: midnight_utc(date),
        }
    }

    /// UTC midnight, or why a row cannot be placed on this date.
    pub(super) fn midnight(&self) -> Result<i64, Problem> {
        self.midnight.ok_or_else(|| Problem::DateOutOfRange {
            date: self.date.to_string(),
            header: true,
        })
    }
}

/// A date (the row's, or else the block's) and time out of range.
#[cold]
pub(super) fn time_out_of_range(
    row_date: Option<&[u8]>,
    block: Option<BlockDate>,
    time: &[u8],
) -> Problem {
    let date = match (row_date, block) {
        (Some(raw), _) => excerpt(raw),
        (None, Some(block)) => block.date.to_string(),
        (None, None) => String::new(),
    };
    Problem::TimeOutOfRange(format!("{date} {}", excerpt(time)))
}

/// The instant of a time of day on a date (UTC midnight, in seconds), if it
/// is an `i64` count of nanoseconds since 1970: what the time-ordered
/// analyses key events by, so every command shows the same time for a row.
#[inline]
pub(super) fn instant(midnight: i64, seconds: i64, nanos: i32) -> Option<Timestamp> {
    /// Seconds well inside the range either way, whatever the fraction.
    const INSIDE: i64 = i64::MAX / 1_000_000_000 - 1;
    let second = midnight + seconds;
    if !(-INSIDE..=INSIDE).contains(&second)
        && i64::try_from(i128::from(second) * 1_000_000_000 + i128::from(nanos)).is_err()
    {
        return None;
    }
    Timestamp::new(second, nanos).ok()
}

pub(super) fn digits(raw: &[u8]) -> Option<i32> {
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
pub(super) fn parse_date(raw: &[u8]) -> Option<Date> {
    if raw.len() != 10 || raw[4] != b'-' || raw[7] != b'-' {
        return None;
    }
    let y = i16::try_from(digits(&raw[0..4])?).ok()?;
    let m = i8::try_from(digits(&raw[5..7])?).ok()?;
    let d = i8::try_from(digits(&raw[8..10])?).ok()?;
    Date::new(y, m, d).ok()
}

/// `HH:MM:SS[.fraction]` as (seconds of the day, nanoseconds).
#[inline]
pub(super) fn parse_time(raw: &[u8]) -> Option<(i64, i32)> {
    // `HH:MM:SS` read as one little-endian word: the digits less `0` and
    // the colons less `:` leave bytes 0 to 9 and 0 (no branch per byte);
    // the fraction, rare in IIS logs, takes the loop of `digits`.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const SHAPE: u64 = u64::from_le_bytes(*b"00:00:00");
    let (word, rest) = raw.split_first_chunk::<8>()?;
    let x = u64::from_le_bytes(*word) ^ SHAPE;
    // Each byte below 10 (no sum carries when all are below 128), and the
    // colons' bytes zero.
    let high = (x | x.wrapping_add(ONES * (0x80 - 10))) & (ONES * 0x80);
    let colons = x & u64::from_le_bytes([0, 0, 0xff, 0, 0, 0xff, 0, 0]);
    if high | colons != 0 {
        return None;
    }
    let b = x.to_le_bytes();
    let h = u32::from(b[0]) * 10 + u32::from(b[1]);
    let m = u32::from(b[3]) * 10 + u32::from(b[4]);
    let s = u32::from(b[6]) * 10 + u32::from(b[7]);
    if (h > 23) | (m > 59) | (s > 59) {
        return None;
    }
    let mut nanos = 0i32;
    if let [dot, frac @ ..] = rest {
        if *dot != b'.' || frac.is_empty() || frac.len() > 9 {
            return None;
        }
        nanos = digits(frac)? * 10i32.pow(9 - frac.len() as u32);
    }
    Some((i64::from(h * 3600 + m * 60 + s), nanos))
}

/// The general form of [`parse_time`] it replaced, kept for the tests
/// that hold the fixed-width form to it.
#[cfg(test)]
pub(super) fn parse_time_slow(raw: &[u8]) -> Option<(i64, i32)> {
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
