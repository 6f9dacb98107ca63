//! `logs --format parquet`: records into one folder per UTC day.
//!
//! Records are the bulk of what leaktrace writes, so the cores read each
//! chunk's rows into its [`RecordColumns`] instead of into [`Record`]s, and
//! the Parquet columns are filled from those in parallel, one task per
//! column, rather than through [`Item::cells`] (a test checks that both
//! give the same rows); local times are computed once per instant.

use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use polars::prelude::*;
use rayon::prelude::*;

use super::columns::{EXTRA, INVALID, RecordColumns};
use super::{Builder, ColumnType, NULL_PARTITION, OpenFile, Pending, ROWS_PER_GROUP, RowGroup};
use crate::analyze::stats::clock::{LocalClock, OffsetSpan};
use crate::output::Item;
use crate::time::Zone;
use crate::w3c::Record;

/// The type of each of `Record::FIELDS`.
pub const TYPES: &[ColumnType] = {
    use ColumnType::*;
    &[
        File, Int, Utc, Text, Date, Text, Text, Text, Text, Text, Text, Text, Text, Int, Int, Int,
        Int, Text, Int, Text, Int, Int, Json, Json,
    ]
};

/// A zone with its offsets as a table ([`LocalClock`]), for the local-time
/// columns of many records.
pub struct LocalZone {
    zone: Zone,
    clock: LocalClock,
}

impl LocalZone {
    pub fn new(zone: Zone) -> LocalZone {
        let clock = LocalClock::new(zone.tz());
        LocalZone { zone, clock }
    }
}

/// The local-time columns of instants in one zone: the offset in force last
/// (it changes twice a year at most), and the text of the last instant
/// written (records come in bursts of the same second). Each column asks
/// only for its own value: what [`Zone::rfc3339`] and [`Zone::civil`] give.
pub struct LocalTimes<'a> {
    zone: &'a LocalZone,
    span: Option<OffsetSpan>,
    stamp: (Option<Timestamp>, String),
    time: (Option<Timestamp>, String),
}

impl<'a> LocalTimes<'a> {
    pub fn new(zone: &'a LocalZone) -> LocalTimes<'a> {
        LocalTimes {
            zone,
            span: None,
            stamp: (None, String::new()),
            time: (None, String::new()),
        }
    }

    /// Local seconds since 1970 and the offset, for an instant of whole
    /// seconds (others are left to jiff).
    fn local(&mut self, t: Timestamp) -> Option<(i64, i32)> {
        if t.subsec_nanosecond() != 0 {
            return None;
        }
        let utc = t.as_second();
        let offset = self.zone.clock.offset_near(utc, &mut self.span);
        Some((utc + i64::from(offset), offset))
    }

    /// `time_local`: `2017-01-19T10:57:02-06:00`.
    pub(super) fn stamp(&mut self, t: Timestamp) -> &str {
        if self.stamp.0 != Some(t) {
            let fast = self.local(t).and_then(|(l, offset)| rfc3339(l, offset));
            let text = &mut self.stamp.1;
            text.clear();
            match fast {
                // Digits and signs: ASCII.
                Some(stamp) => text.push_str(std::str::from_utf8(&stamp).unwrap_or_default()),
                None => text.push_str(&self.zone.zone.rfc3339(t)),
            }
            self.stamp.0 = Some(t);
        }
        &self.stamp.1
    }

    /// `local_date`: days since 1970-01-01.
    pub(super) fn date(&mut self, t: Timestamp) -> Option<i32> {
        match self.local(t) {
            Some((l, _)) => i32::try_from(l.div_euclid(86_400)).ok(),
            None => super::days_of(&self.zone.zone.civil(t).0),
        }
    }

    /// `local_time`: `10:57:02`.
    pub(super) fn time(&mut self, t: Timestamp) -> &str {
        if self.time.0 != Some(t) {
            let fast = self.local(t);
            let text = &mut self.time.1;
            text.clear();
            match fast {
                Some((l, _)) => {
                    let mut clock = *b"00:00:00";
                    let s = l.rem_euclid(86_400);
                    digits(&mut clock, 0, s / 3600, 2);
                    digits(&mut clock, 3, s / 60 % 60, 2);
                    digits(&mut clock, 6, s % 60, 2);
                    text.push_str(std::str::from_utf8(&clock).unwrap_or_default());
                }
                None => text.push_str(&self.zone.zone.civil(t).1),
            }
            self.time.0 = Some(t);
        }
        &self.time.1
    }
}

/// Writes `value` as `width` decimal digits at `at` (`format!` costs more
/// than the rest of a row).
fn digits(out: &mut [u8], at: usize, value: i64, width: usize) {
    let mut v = value;
    for i in (at..at + width).rev() {
        if let Some(d) = out.get_mut(i) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
    }
}

/// RFC 3339 of local seconds at a whole-minute offset, as jiff writes it;
/// `None` for other offsets and years (jiff writes those).
fn rfc3339(local: i64, offset: i32) -> Option<[u8; 25]> {
    if offset % 60 != 0 {
        return None;
    }
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    if !(0..=9999).contains(&y) {
        return None;
    }
    let second = local.rem_euclid(86_400);
    let off = i64::from(offset.unsigned_abs());
    let mut stamp = *b"0000-00-00T00:00:00+00:00";
    for (at, value, width) in [
        (0, y, 4),
        (5, m, 2),
        (8, d, 2),
        (11, second / 3600, 2),
        (14, second / 60 % 60, 2),
        (17, second % 60, 2),
        (20, off / 3600, 2),
        (23, off / 60 % 60, 2),
    ] {
        digits(&mut stamp, at, value, width);
    }
    if offset < 0 {
        stamp[19] = b'-';
    }
    Some(stamp)
}

/// The proleptic Gregorian date of days since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A file name as its column holds it: the name, or the JSON text
/// `{"bytes": "<base64>"}` of one that is not UTF-8 (as JSON gives it).
pub fn file_value(name: &str) -> String {
    match crate::name::raw_bytes(name) {
        Some(_) => crate::name::json(name).to_string(),
        None => name.to_string(),
    }
}

/// Adds the rows `rows` of records read from `file` (as its column holds
/// the name: [`file_value`]), with the values `Record::cells` gives. Each
/// column is filled by its own task, on the cores.
pub fn extend(
    group: &mut RowGroup,
    records: &RecordColumns,
    rows: Range<usize>,
    file: &str,
    zone: &LocalZone,
) {
    let too_big: u64 = group
        .builders
        .par_iter_mut()
        .enumerate()
        .map(|(i, builder)| fill(i, builder, records, rows.clone(), file, zone))
        .sum();
    group.too_big += too_big;
    group.rows += rows.len();
}

/// Fills column `i` (of `Record::FIELDS`) from the rows `rows` of
/// `records`; returns the numbers that do not fit a signed 64-bit integer
/// (written as null).
fn fill(
    i: usize,
    builder: &mut Builder,
    records: &RecordColumns,
    rows: Range<usize>,
    file: &str,
    zone: &LocalZone,
) -> u64 {
    let mut too_big = 0;
    let mut int = |b: &mut PrimitiveChunkedBuilder<Int64Type>, v: Option<u64>| {
        let fits = v.map(i64::try_from);
        too_big += u64::from(matches!(fits, Some(Err(_))));
        b.append_option(fits.and_then(Result::ok));
    };
    let mut local = LocalTimes::new(zone);
    let lines = records.lines.get(rows.clone()).unwrap_or_default();
    let times = records.times.get(rows.clone()).unwrap_or_default();
    match (i, builder) {
        (0, Builder::Text(b)) => rows.for_each(|_| b.append_value(file)),
        (1, Builder::Int(b)) => lines.iter().for_each(|&line| int(b, Some(line))),
        (2, Builder::Utc(b)) => times
            .iter()
            .for_each(|t| b.append_option(t.map(Timestamp::as_microsecond))),
        (3, Builder::Text(b)) => times.iter().for_each(|t| match *t {
            Some(t) => b.append_value(local.stamp(t)),
            None => b.append_null(),
        }),
        (4, Builder::Date(b)) => times.iter().for_each(|t| {
            b.append_option(t.and_then(|t| local.date(t)));
        }),
        (5, Builder::Text(b)) => times.iter().for_each(|t| match *t {
            Some(t) => b.append_value(local.time(t)),
            None => b.append_null(),
        }),
        (6..=12 | 17 | 19, Builder::Text(b)) => {
            // method .. referer, then server_ip and host.
            let col = match i {
                17 => 7,
                19 => 8,
                _ => i - 6,
            };
            for v in records.texts[col].values(rows) {
                b.append_option(v);
            }
        }
        (13..=16 | 18 | 20 | 21, Builder::Int(b)) => {
            // status .. time_taken_ms, server_port, bytes_sent, bytes_received.
            let col = match i {
                18 => 4,
                20 | 21 => i - 15,
                _ => i - 13,
            };
            for &n in records.numbers[col].get(rows).unwrap_or_default() {
                int(b, n);
            }
        }
        (22, Builder::Text(b)) => records.texts[EXTRA]
            .values(rows)
            .for_each(|v| b.append_value(v.unwrap_or("{}"))),
        (23, Builder::Text(b)) => records.texts[INVALID]
            .values(rows)
            .for_each(|v| b.append_option(v)),
        // The builders are made from TYPES: no other pairing exists.
        _ => {}
    }
    too_big
}

/// The UTC day of an instant, as days since 1970-01-01.
fn utc_day(t: Timestamp) -> i64 {
    t.as_second().div_euclid(86_400)
}

/// A day's partition folder name: `date=2017-01-19`.
fn partition(day: Option<i64>) -> String {
    match day.and_then(|d| Timestamp::from_second(d * 86_400).ok()) {
        Some(t) => format!("date={}", t.strftime("%Y-%m-%d")),
        None => format!("date={NULL_PARTITION}"),
    }
}

/// A day's file being written.
struct OpenDay {
    day: Option<i64>,
    file: OpenFile,
    /// When a record last went to it (a counter), to close the oldest.
    used: u64,
}

/// Records into `DIR/date=YYYY-MM-DD/part-N.parquet`.
pub struct DayPartitions {
    dir: PathBuf,
    zone: LocalZone,
    open: Vec<OpenDay>,
    /// Parts started per day in this run.
    parts: Vec<(Option<i64>, u32)>,
    pending: Pending,
    clock: u64,
    too_big: u64,
    /// The partition of an earlier run that stopped this one.
    refused: Option<String>,
    /// Partition folders made by this run (removed again if left empty).
    made: Vec<PathBuf>,
}

impl DayPartitions {
    pub fn new(dir: &Path, zone: Zone) -> DayPartitions {
        DayPartitions {
            dir: dir.to_path_buf(),
            zone: LocalZone::new(zone),
            open: Vec::new(),
            parts: Vec::new(),
            pending: Pending::default(),
            clock: 0,
            too_big: 0,
            refused: None,
            made: Vec::new(),
        }
    }

    fn close(&mut self, day: OpenDay) -> anyhow::Result<()> {
        let (staged, too_big) = day.file.close()?;
        self.too_big += too_big;
        self.pending.0.push(staged);
        Ok(())
    }

    /// Opens the next part of a day, closing the least recently used day
    /// when [`super::MAX_OPEN_DAYS`] are open. Returns its index.
    fn open_day(&mut self, day: Option<i64>) -> anyhow::Result<usize> {
        if self.open.len() >= super::MAX_OPEN_DAYS
            && let Some(oldest) = (0..self.open.len()).min_by_key(|&i| self.open[i].used)
        {
            let closed = self.open.swap_remove(oldest);
            self.close(closed)?;
        }
        let folder = self.dir.join(partition(day));
        let part = match self.parts.iter_mut().find(|(d, _)| *d == day) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.refuse_earlier(&folder)?;
                if !folder.is_dir() {
                    fs::create_dir_all(&folder)?;
                    self.made.push(folder.clone());
                }
                self.parts.push((day, 0));
                0
            }
        };
        let file = OpenFile::create(
            folder.join(format!("part-{part}.parquet")),
            Record::FIELDS,
            TYPES,
        )?;
        self.open.push(OpenDay {
            day,
            file,
            used: self.clock,
        });
        Ok(self.open.len() - 1)
    }

    /// A partition that already holds Parquet files is an earlier run's:
    /// adding to it would count its records twice.
    fn refuse_earlier(&mut self, folder: &Path) -> anyhow::Result<()> {
        let Ok(entries) = fs::read_dir(folder) else {
            return Ok(());
        };
        let mut earlier: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && n.ends_with(".parquet"))
            .collect();
        earlier.sort();
        if let Some(first) = earlier.first() {
            let why = format!(
                "--output {}: {} already holds {first} (an earlier run?); leaktrace does not add to or replace a partition: write to an empty folder, or delete that partition first",
                self.dir.display(),
                folder.display(),
            );
            self.refused = Some(why.clone());
            anyhow::bail!(why);
        }
        Ok(())
    }
}

impl DayPartitions {
    /// Why writing stopped: a partition of an earlier run was in the way.
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    /// Adds records read from `file` (as its column holds the name:
    /// [`file_value`]), in order.
    pub fn write(&mut self, records: &RecordColumns, file: &str) -> io::Result<()> {
        let day_of = |i: usize| records.times[i].map(utc_day);
        let mut from = 0;
        while from < records.len() {
            let day = day_of(from);
            let same_day = (from..records.len())
                .take_while(|&i| day_of(i) == day)
                .count();
            self.clock += 1;
            let i = match self.open.iter().position(|d| d.day == day) {
                Some(i) => i,
                None => self.open_day(day).map_err(io::Error::other)?,
            };
            let open = &mut self.open[i];
            open.used = self.clock;
            // A full group was written when it filled: there is room.
            let n = same_day.min(ROWS_PER_GROUP.saturating_sub(open.file.rows.len()).max(1));
            extend(
                &mut open.file.rows,
                records,
                from..from + n,
                file,
                &self.zone,
            );
            open.file.flush_full().map_err(io::Error::other)?;
            from += n;
        }
        Ok(())
    }

    /// Completes every file and gives each its name (nothing is published
    /// unless all can be). Returns the integers written as null.
    pub fn finish(mut self) -> anyhow::Result<u64> {
        // Deterministic: files are completed in day order.
        self.open.sort_by_key(|d| d.day);
        for day in std::mem::take(&mut self.open) {
            self.close(day)?;
        }
        self.pending.publish()?;
        Ok(self.too_big)
    }
}

impl Drop for DayPartitions {
    fn drop(&mut self) {
        for day in self.open.drain(..) {
            day.file.discard();
        }
        // Published files are not yet in place while `pending` is alive:
        // drop it first, then remove the folders only it would have filled.
        drop(std::mem::take(&mut self.pending));
        for folder in &self.made {
            let _ = fs::remove_dir(folder);
        }
    }
}
