//! One chunk's records as the Parquet columns take them, column by column.
//!
//! The cores read each matching row of a chunk straight into its chunk's
//! columns: a text column's values one after another in one buffer, each
//! numeric column in a vector of its own. A row costs no allocation of its
//! own (the buffers grow per chunk and are kept for the next chunks; only
//! a row with `extra` fields or invalid values makes its JSON), and the task
//! that fills a Parquet column reads only that column's values, in order,
//! rather than every record's whole row.

use std::borrow::Cow;
use std::ops::Range;

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::w3c::{Column, Record, Row};

/// The text columns of a record, in the order of `Record::FIELDS`.
const TEXT: [Column; 9] = [
    Column::Method,
    Column::UriStem,
    Column::UriQuery,
    Column::Username,
    Column::ClientIp,
    Column::UserAgent,
    Column::Referer,
    Column::ServerIp,
    Column::Host,
];

/// The numeric columns of a record, in the order of `Record::FIELDS` (and
/// of a checked row).
const NUMBERS: [Column; 7] = crate::w3c::fields::NUMERIC_COLUMNS;

/// [`RecordColumns::texts`]: [`TEXT`], then these two, as JSON text.
pub const EXTRA: usize = TEXT.len();
pub const INVALID: usize = TEXT.len() + 1;

/// The values of one text column, one after another in one buffer.
#[derive(Debug, Default)]
pub struct TextColumn {
    text: String,
    /// Where each row's value ends in `text` (an absent one where the value
    /// before it ends).
    ends: Vec<usize>,
    present: Vec<bool>,
}

impl TextColumn {
    fn push(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.text.push_str(v);
        }
        self.end(value.is_some());
    }

    /// Ends a value written into `text` since the last one.
    fn end(&mut self, present: bool) {
        self.ends.push(self.text.len());
        self.present.push(present);
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.present.clear();
    }

    /// The values of the rows `rows`, in order (`None` when absent).
    pub fn values(&self, rows: Range<usize>) -> impl Iterator<Item = Option<&str>> {
        let mut start = rows
            .start
            .checked_sub(1)
            .and_then(|i| self.ends.get(i).copied())
            .unwrap_or(0);
        let ends = self.ends.get(rows.clone()).unwrap_or_default();
        let present = self.present.get(rows).unwrap_or_default();
        ends.iter().zip(present).map(move |(&end, &present)| {
            let value = self.text.get(start..end).filter(|_| present);
            start = end;
            value
        })
    }
}

/// One chunk's matching records, column by column; rows in input order.
#[derive(Debug, Default)]
pub struct RecordColumns {
    /// Each record's line in its input.
    pub lines: Vec<u64>,
    pub times: Vec<Option<Timestamp>>,
    /// [`TEXT`], then `extra` (absent for `{}`) and `invalid` (absent for
    /// null) as JSON text.
    pub texts: [TextColumn; TEXT.len() + 2],
    /// [`NUMBERS`].
    pub numbers: [Vec<Option<u64>>; NUMBERS.len()],
    /// The records that held bytes that are not UTF-8 (shown as U+FFFD).
    pub replaced: u64,
}

impl RecordColumns {
    /// The records taken.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Empties the columns, keeping their buffers for the next chunk.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.times.clear();
        self.texts.iter_mut().for_each(TextColumn::clear);
        self.numbers.iter_mut().for_each(Vec::clear);
        self.replaced = 0;
    }

    /// Adds the values [`Record::from_row`] reads, of a row at `line`.
    pub fn push_row(&mut self, line: u64, row: &Row<'_>) {
        if row.has_invalid() {
            let mut record = Record::from_row(row);
            record.line = line;
            self.push_record(&record);
            return;
        }
        // The line is checked once: when it is UTF-8, so is each value
        // (values are cut at ASCII bytes, and unquoting removes ASCII `"`).
        let replaced = row.has_invalid_utf8();
        // Most rows hold no `""` escape: their values are read in place.
        let plain = !row.has_escapes();
        for (column, col) in self.texts.iter_mut().zip(TEXT) {
            let value = if plain {
                row.plain(col).map(Cow::Borrowed)
            } else {
                row.raw(col)
            };
            if let Some(bytes) = &value {
                if replaced {
                    column.text.push_str(&String::from_utf8_lossy(bytes));
                } else {
                    // SAFETY: `bytes` is a value of a line that is valid
                    // UTF-8 (checked above), cut at ASCII bytes (spaces,
                    // quotes, `?`) and unquoted by removing ASCII `"`: it
                    // is valid UTF-8 too.
                    column
                        .text
                        .push_str(unsafe { std::str::from_utf8_unchecked(bytes) });
                }
            }
            column.end(value.is_some());
        }
        let map = row.map();
        let extra = (!map.extra().is_empty()).then(|| {
            let values: Map<String, Value> = map
                .extra()
                .iter()
                .map(|&pos| {
                    let value = row.text_at(pos as usize).map_or(Value::Null, Value::String);
                    (map.name(pos as usize).to_string(), value)
                })
                .collect();
            Value::Object(values).to_string()
        });
        self.texts[EXTRA].push(extra.as_deref());
        self.texts[INVALID].push(None);
        for (column, col) in self.numbers.iter_mut().zip(NUMBERS) {
            column.push(row.number(col));
        }
        self.lines.push(line);
        self.times.push(row.time);
        self.replaced += u64::from(replaced);
    }

    /// Adds a record's values (its file aside).
    pub fn push_record(&mut self, r: &Record) {
        let values = [
            &r.method,
            &r.uri_stem,
            &r.uri_query,
            &r.username,
            &r.client_ip,
            &r.user_agent,
            &r.referer,
            &r.server_ip,
            &r.host,
        ];
        for (column, value) in self.texts.iter_mut().zip(values) {
            column.push(value.as_deref());
        }
        let extra = (!r.extra.is_empty()).then(|| {
            let values: Map<String, Value> = r
                .extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone().map_or(Value::Null, Value::String)))
                .collect();
            Value::Object(values).to_string()
        });
        let invalid = (!r.invalid.is_empty()).then(|| {
            let values: Map<String, Value> = r
                .invalid
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
                .collect();
            Value::Object(values).to_string()
        });
        self.texts[EXTRA].push(extra.as_deref());
        self.texts[INVALID].push(invalid.as_deref());
        let numbers = [
            r.status,
            r.substatus,
            r.win32_status,
            r.time_taken_ms,
            r.server_port,
            r.bytes_sent,
            r.bytes_received,
        ];
        for (column, n) in self.numbers.iter_mut().zip(numbers) {
            column.push(n);
        }
        self.lines.push(r.line);
        self.times.push(r.time_utc);
        self.replaced += u64::from(r.replaced);
    }
}
