//! How a log [`Record`] is printed.

use serde_json::{Map, Value};

use super::{Cell, Column, Context, Item, Keep};
use crate::w3c::Record;

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
