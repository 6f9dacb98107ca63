//! A log record as leaktrace reports it: the row's values under stable names,
//! owned, with the file and line it came from.

use std::sync::Arc;

use jiff::Timestamp;

use super::fields::Column;
use super::row::Row;

/// One request from a W3C log. Absent values (`-`, or a field the log does
/// not have) are `None`. Text is kept as logged (`+` stays `+`), with bytes
/// that are not UTF-8 replaced by U+FFFD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub file: Arc<str>,
    pub line: u64,
    pub time_utc: Option<Timestamp>,
    pub method: Option<String>,
    pub uri_stem: Option<String>,
    pub uri_query: Option<String>,
    pub username: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub referer: Option<String>,
    pub status: Option<u64>,
    pub substatus: Option<u64>,
    pub win32_status: Option<u64>,
    pub time_taken_ms: Option<u64>,
    pub server_ip: Option<String>,
    pub server_port: Option<u64>,
    pub host: Option<String>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// Fields without a column of their own, by W3C name, in log order.
    pub extra: Vec<(Arc<str>, Option<String>)>,
    /// The row held bytes that are not UTF-8 (shown as U+FFFD).
    pub replaced: bool,
    /// Values that are not what their field holds (a `c-ip` that is not an
    /// address, an `sc-bytes` that is not a number), by W3C name, as logged,
    /// in log order: their typed fields above are `None`.
    pub invalid: Vec<(Arc<str>, String)>,
}

impl Record {
    /// Copies a row's values. The file and line are set by the caller, who
    /// knows them once the chunk is placed in the input.
    pub fn from_row(row: &Row<'_>) -> Record {
        let map = row.map();
        Record {
            file: Arc::from(""),
            line: 0,
            time_utc: row.time,
            method: row.text(Column::Method),
            uri_stem: row.text(Column::UriStem),
            uri_query: row.text(Column::UriQuery),
            username: row.text(Column::Username),
            client_ip: row.text(Column::ClientIp),
            user_agent: row.text(Column::UserAgent),
            referer: row.text(Column::Referer),
            status: row.number(Column::Status),
            substatus: row.number(Column::Substatus),
            win32_status: row.number(Column::Win32Status),
            time_taken_ms: row.number(Column::TimeTaken),
            server_ip: row.text(Column::ServerIp),
            server_port: row.number(Column::ServerPort),
            host: row.text(Column::Host),
            bytes_sent: row.number(Column::BytesSent),
            bytes_received: row.number(Column::BytesReceived),
            extra: map
                .extra()
                .iter()
                .map(|&pos| (Arc::from(map.name(pos as usize)), row.text_at(pos as usize)))
                .collect(),
            replaced: row.has_invalid_utf8(),
            invalid: if row.has_invalid() {
                invalid_values(row)
            } else {
                Vec::new()
            },
        }
    }
}

/// The longest value an analysis holds on to (a session's user agent, a
/// context row's fields): a longer one is cut there, and says so.
pub const MAX_HELD_VALUE: usize = 8 << 10;

/// Cuts `value` to [`MAX_HELD_VALUE`] bytes (at a character boundary), with
/// a marker that says how much was left out: a value of megabytes is never
/// what an analysis needs, and holding many of them would make memory
/// follow the input.
pub fn clip(value: &mut String) {
    if value.len() <= MAX_HELD_VALUE {
        return;
    }
    let cut = value.floor_char_boundary(MAX_HELD_VALUE);
    let left_out = value.len() - cut;
    // A new string: truncating would keep the long one's allocation.
    *value = format!("{}…[{left_out} more bytes not kept]", &value[..cut]);
}

impl Record {
    /// [`clip`]s every text value, for a record held by an analysis.
    pub fn clip_values(&mut self) {
        for v in [
            &mut self.method,
            &mut self.uri_stem,
            &mut self.uri_query,
            &mut self.username,
            &mut self.client_ip,
            &mut self.user_agent,
            &mut self.referer,
            &mut self.server_ip,
            &mut self.host,
        ]
        .into_iter()
        .flatten()
        {
            clip(v);
        }
        for (_, v) in &mut self.extra {
            if let Some(v) = v {
                clip(v);
            }
        }
        for (_, v) in &mut self.invalid {
            clip(v);
        }
    }
}

/// A row's invalid values, as text (out of line: almost no row has one).
#[cold]
fn invalid_values(row: &Row<'_>) -> Vec<(Arc<str>, String)> {
    row.invalid_values()
        .into_iter()
        .map(|(_, name, value)| {
            (
                Arc::from(name),
                String::from_utf8_lossy(&value).into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_value_is_cut_at_a_character_and_says_how_much_was_left_out() {
        let mut short = "Mozilla/5.0".to_string();
        clip(&mut short);
        assert_eq!(short, "Mozilla/5.0");
        let mut long = "é".repeat(MAX_HELD_VALUE);
        clip(&mut long);
        assert!(long.starts_with(&"é".repeat(MAX_HELD_VALUE / 2)));
        assert!(long.ends_with(&format!("…[{MAX_HELD_VALUE} more bytes not kept]")));
    }
}
