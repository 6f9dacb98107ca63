//! How a log [`Record`] is printed; and [`RecordJson`], which writes a
//! selected row's JSON object on the cores, without making a `Record`.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Cell, Column, Context, Item, Keep, clock, json};
use crate::time::Zone;
use crate::w3c::{Column as Field, Record, Row};

impl Item for Record {
    const FIELDS: &'static [&'static str] = &[
        "file",
        "line",
        "time_utc",
        "time_local",
        "local_date",
        "local_time",
        "method",
        "uri_stem",
        "uri_query",
        "username",
        "client_ip",
        "user_agent",
        "referer",
        "status",
        "substatus",
        "win32_status",
        "time_taken_ms",
        "server_ip",
        "server_port",
        "host",
        "bytes_sent",
        "bytes_received",
        "extra",
        "invalid",
    ];
    const TABLE: &'static [Column] = &[
        Column::whole("Local time"),
        Column::whole("User"),
        Column::whole("Client IP"),
        Column::shrink("Request", Keep::Start, 16),
        Column::whole("Status"),
        Column::optional("ms", 1),
    ];

    fn cells(&self, ctx: &Context) -> Vec<Cell> {
        let civil = self.time_utc.map(|t| ctx.zone.civil(t));
        let extra: Map<String, Value> = self
            .extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone().map_or(Value::Null, Value::String)))
            .collect();
        vec![
            super::file_cell(&self.file),
            Cell::Int(self.line),
            self.time_utc.map(|t| t.to_string()).into(),
            self.time_utc.map(|t| ctx.zone.rfc3339(t)).into(),
            civil.as_ref().map(|c| c.0.clone()).into(),
            civil.map(|c| c.1).into(),
            self.method.clone().into(),
            self.uri_stem.clone().into(),
            self.uri_query.clone().into(),
            self.username.clone().into(),
            self.client_ip.clone().into(),
            self.user_agent.clone().into(),
            self.referer.clone().into(),
            self.status.into(),
            self.substatus.into(),
            self.win32_status.into(),
            self.time_taken_ms.into(),
            self.server_ip.clone().into(),
            self.server_port.into(),
            self.host.clone().into(),
            self.bytes_sent.into(),
            self.bytes_received.into(),
            Cell::Json(Value::Object(extra)),
            if self.invalid.is_empty() {
                Cell::Null
            } else {
                Cell::Json(Value::Object(
                    self.invalid
                        .iter()
                        .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
                        .collect(),
                ))
            },
        ]
    }

    fn json_members(&self, ctx: &Context, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"file\":");
        json::file(out, &self.file);
        out.extend_from_slice(b",\"line\":");
        json::uint(out, self.line);
        clock::with(&ctx.zone, |c| c.record_members(out, self.time_utc));
        values(
            out,
            |out, field| json::opt_string(out, self.text(field)),
            |field| self.number(field),
        );
        let extra: Vec<(&str, Option<&[u8]>)> = self
            .extra
            .iter()
            .map(|(k, v)| (&**k, v.as_deref().map(str::as_bytes)))
            .collect();
        let invalid: Vec<(&str, Option<&[u8]>)> = self
            .invalid
            .iter()
            .map(|(k, v)| (&**k, Some(v.as_bytes())))
            .collect();
        extra_and_invalid(out, &extra, &invalid);
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let dash = || "-".to_string();
        // The request line, as a browser sent it: method, path, query.
        let mut request = self.method.clone().unwrap_or_else(dash);
        request.push(' ');
        request.push_str(self.uri_stem.as_deref().unwrap_or("-"));
        if let Some(q) = &self.uri_query {
            request.push('?');
            request.push_str(q);
        }
        let status = match (self.status, self.substatus) {
            (Some(s), Some(sub)) if sub != 0 => format!("{s}.{sub}"),
            (Some(s), _) => s.to_string(),
            _ => dash(),
        };
        vec![
            self.time_utc.map_or_else(dash, |t| ctx.zone.human(t)),
            self.username.clone().unwrap_or_else(dash),
            self.client_ip.clone().unwrap_or_else(dash),
            request,
            status,
            self.time_taken_ms.map_or_else(dash, |n| n.to_string()),
        ]
    }
}

impl Record {
    /// The text of a field of [`VALUES`].
    fn text(&self, field: Field) -> Option<&str> {
        match field {
            Field::Method => &self.method,
            Field::UriStem => &self.uri_stem,
            Field::UriQuery => &self.uri_query,
            Field::Username => &self.username,
            Field::ClientIp => &self.client_ip,
            Field::UserAgent => &self.user_agent,
            Field::Referer => &self.referer,
            Field::ServerIp => &self.server_ip,
            Field::Host => &self.host,
            _ => &None,
        }
        .as_deref()
    }

    /// The number of a field of [`VALUES`].
    fn number(&self, field: Field) -> Option<u64> {
        match field {
            Field::Status => self.status,
            Field::Substatus => self.substatus,
            Field::Win32Status => self.win32_status,
            Field::TimeTaken => self.time_taken_ms,
            Field::ServerPort => self.server_port,
            Field::BytesSent => self.bytes_sent,
            Field::BytesReceived => self.bytes_received,
            _ => None,
        }
    }
}

/// The members of a record between its times and `extra`, in the order of
/// [`Record::FIELDS`]: the `,"key":` before each, the field it shows, and
/// whether it is a number.
const VALUES: [(Key, Field, bool); 16] = [
    (key(b",\"method\":"), Field::Method, false),
    (key(b",\"uri_stem\":"), Field::UriStem, false),
    (key(b",\"uri_query\":"), Field::UriQuery, false),
    (key(b",\"username\":"), Field::Username, false),
    (key(b",\"client_ip\":"), Field::ClientIp, false),
    (key(b",\"user_agent\":"), Field::UserAgent, false),
    (key(b",\"referer\":"), Field::Referer, false),
    (key(b",\"status\":"), Field::Status, true),
    (key(b",\"substatus\":"), Field::Substatus, true),
    (key(b",\"win32_status\":"), Field::Win32Status, true),
    (key(b",\"time_taken_ms\":"), Field::TimeTaken, true),
    (key(b",\"server_ip\":"), Field::ServerIp, false),
    (key(b",\"server_port\":"), Field::ServerPort, true),
    (key(b",\"host\":"), Field::Host, false),
    (key(b",\"bytes_sent\":"), Field::BytesSent, true),
    (key(b",\"bytes_received\":"), Field::BytesReceived, true),
];

/// The longest `,"key":` of [`VALUES`], padded.
const KEY: usize = 24;

/// A `,"key":` padded to [`KEY`] bytes ([`json::padded`]).
struct Key {
    text: [u8; KEY],
    len: usize,
}

/// A [`Key`] (a text over [`KEY`] bytes fails the build).
const fn key(text: &[u8]) -> Key {
    let mut padded = [0u8; KEY];
    let mut i = 0;
    while i < text.len() {
        padded[i] = text[i];
        i += 1;
    }
    Key {
        text: padded,
        len: text.len(),
    }
}

/// Writes the members of [`VALUES`]: `text` writes a field's JSON string
/// (or null), `number` gives a field's number.
fn values(
    out: &mut Vec<u8>,
    mut text: impl FnMut(&mut Vec<u8>, Field),
    number: impl Fn(Field) -> Option<u64>,
) {
    for (key, field, is_number) in &VALUES {
        json::padded(out, &key.text, key.len);
        if *is_number {
            json::opt_uint(out, number(*field));
        } else {
            text(out, *field);
        }
    }
}

/// The last members: `extra` (an object, maybe empty) and `invalid`
/// (null when empty).
fn extra_and_invalid(
    out: &mut Vec<u8>,
    extra: &[(&str, Option<&[u8]>)],
    invalid: &[(&str, Option<&[u8]>)],
) {
    out.extend_from_slice(b",\"extra\":");
    json::object(out, extra);
    out.extend_from_slice(b",\"invalid\":");
    if invalid.is_empty() {
        out.extend_from_slice(b"null");
    } else {
        json::object(out, invalid);
    }
}

/// Writes rows' JSON objects as the records made of them would be written
/// (`logs --format json|ndjson` without `--geo` or `--device`).
pub struct RecordJson {
    zone: Zone,
}

impl RecordJson {
    pub fn new(zone: Zone) -> RecordJson {
        RecordJson { zone }
    }

    /// Writes the JSON object of `row`, at `line` of the file whose
    /// [`RecordJson::head`] is `head`. Returns whether the row held bytes
    /// that are not UTF-8 (shown as U+FFFD).
    pub fn write(&self, out: &mut Vec<u8>, head: &[u8], line: u64, row: &Row<'_>) -> bool {
        // Most lines are ASCII with nothing to escape: checked once, then
        // their values are copied as they are.
        let plain = !row.has_escapes() && json::plain_ascii(row.line());
        let replaced = !plain && row.has_invalid_utf8();
        out.extend_from_slice(head);
        json::uint(out, line);
        self.write_tail(out, row, replaced, plain);
        replaced
    }

    /// `plain`: the row has no escapes and its line is ASCII with nothing
    /// to escape ([`json::plain_ascii`]).
    fn write_tail(&self, out: &mut Vec<u8>, row: &Row<'_>, replaced: bool, plain: bool) {
        // A value is a piece of the line cut at ASCII bytes: when the line
        // is UTF-8, so is the value.
        let string = |out: &mut Vec<u8>, value: Option<&[u8]>| match value {
            None => out.extend_from_slice(b"null"),
            Some(v) if plain => json::plain_piece(out, row.line(), v),
            Some(v) if replaced => json::lossy_string(out, v),
            Some(v) => json::utf8_string(out, v),
        };
        clock::with(&self.zone, |c| c.record_members(out, row.time));
        let escapes = row.has_escapes();
        values(
            out,
            |out, field| {
                if escapes {
                    string(out, row.raw(field).as_deref());
                } else {
                    string(out, row.plain(field));
                }
            },
            |field| row.number(field),
        );
        let map = row.map();
        if map.extra().is_empty() && !row.has_invalid() {
            // Most rows: nothing to collect.
            extra_and_invalid(out, &[], &[]);
            out.push(b'}');
            return;
        }
        let extra: Vec<(&str, Option<Cow<'_, [u8]>>)> = map
            .extra()
            .iter()
            .map(|&pos| {
                let value = row.raw_at(pos as usize);
                (
                    map.name(pos as usize),
                    value.map(|v| if replaced { lossy(v) } else { v }),
                )
            })
            .collect();
        let invalid: Vec<(&str, Option<Cow<'_, [u8]>>)> = if row.has_invalid() {
            row.invalid_values()
                .into_iter()
                .map(|(_, name, value)| (name, Some(lossy(value))))
                .collect()
        } else {
            Vec::new()
        };
        extra_and_invalid(out, &borrowed(&extra), &borrowed(&invalid));
        out.push(b'}');
    }

    /// What comes before a record's line: `{"file":…,"line":`, for the
    /// records of `file`.
    pub fn head(file: &Arc<str>) -> Vec<u8> {
        let mut out = b"{\"file\":".to_vec();
        json::file(&mut out, file);
        out.extend_from_slice(b",\"line\":");
        out
    }
}

/// Entries of an object as [`json::object`] takes them.
fn borrowed<'a>(
    entries: &'a [(&'a str, Option<Cow<'a, [u8]>>)],
) -> Vec<(&'a str, Option<&'a [u8]>)> {
    entries.iter().map(|(k, v)| (*k, v.as_deref())).collect()
}

/// Bytes as UTF-8 text, those that are not as U+FFFD.
fn lossy(bytes: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match String::from_utf8_lossy(&bytes) {
        Cow::Borrowed(_) => bytes,
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            file: Arc::from("u_ex170119.log"),
            line: 9,
            time_utc: Some("2017-03-12T08:00:01Z".parse().unwrap()),
            method: Some("GET".into()),
            uri_stem: Some("/a \"b\" \\c".into()),
            uri_query: None,
            username: Some("jsmith".into()),
            client_ip: Some("10.0.0.1".into()),
            user_agent: Some("Mozilla/5.0+\u{1}\u{fffd}é".into()),
            referer: None,
            status: Some(200),
            substatus: Some(0),
            win32_status: None,
            time_taken_ms: Some(u64::MAX),
            server_ip: None,
            server_port: Some(443),
            host: Some("h\tost".into()),
            bytes_sent: None,
            bytes_received: Some(1),
            extra: vec![
                (Arc::from("x-a"), Some("1".into())),
                (Arc::from("x-b"), None),
                (Arc::from("x-a"), Some("2\n".into())),
            ],
            replaced: true,
            invalid: vec![(Arc::from("sc-bytes"), "12x".into())],
        }
    }

    #[test]
    fn a_records_own_json_is_the_json_of_its_cells() {
        let chicago = Context {
            zone: Zone::named("America/Chicago").unwrap(),
            verbose: false,
        };
        let utc = Context {
            zone: Zone::utc(),
            verbose: false,
        };
        let mut r = record();
        for ctx in [&chicago, &utc] {
            let (own, of_cells) = crate::output::own_and_cells_json(&r, ctx);
            assert_eq!(own, of_cells);
        }
        r.time_utc = None;
        r.extra.clear();
        r.invalid.clear();
        let (own, of_cells) = crate::output::own_and_cells_json(&r, &chicago);
        assert_eq!(own, of_cells);
        r.time_utc = Some("2017-11-05T06:59:59.125Z".parse().unwrap());
        let (own, of_cells) = crate::output::own_and_cells_json(&r, &chicago);
        assert_eq!(own, of_cells);
    }
}
