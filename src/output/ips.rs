//! How one login's use of one address ([`AddressUse`]) is printed.

use serde_json::Value;

use super::enrich::client_table;
use super::{Cell, Column, Context, Item, Keep, geo};
use crate::analyze::ips::AddressUse;

impl Item for AddressUse {
    const FIELDS: &'static [&'static str] = &[
        "user",
        "client_ip",
        "first_seen_utc",
        "last_seen_utc",
        "first_seen_local",
        "last_seen_local",
        "requests",
        "sessions",
        "exports",
        "geo",
        "clients",
        "user_agents",
        "more_user_agents",
        "flags",
        "file",
        "line",
    ];
    const TABLE: &'static [Column] = &[
        Column::whole("User"),
        Column::whole("Client IP"),
        Column::whole("First seen"),
        Column::optional("Last seen", 5),
        Column::optional("Requests", 3),
        Column::optional("Sessions", 2),
        Column::optional("Exports", 4),
        Column::optional("Place", 1),
        Column::optional("Clients", 0),
        Column::shrink("Flags", Keep::Start, 16),
    ];

    fn cells(&self, ctx: &Context) -> Vec<Cell> {
        let clients: Vec<Value> = self
            .clients
            .iter()
            .map(|c| serde_json::to_value(&**c).unwrap_or(Value::Null))
            .collect();
        vec![
            Cell::Text(self.user.clone()),
            Cell::Text(self.ip.clone()),
            Cell::Text(self.first.to_string()),
            Cell::Text(self.last.to_string()),
            Cell::Text(ctx.zone.rfc3339(self.first)),
            Cell::Text(ctx.zone.rfc3339(self.last)),
            Cell::Int(self.requests),
            Cell::Int(self.sessions),
            Cell::Int(self.exports),
            geo::cell(Some(&self.geo)),
            Cell::Json(Value::Array(clients)),
            Cell::Json(Value::from(self.user_agents.clone())),
            Cell::Int(self.more_user_agents),
            Cell::Json(Value::from(
                self.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
            )),
            super::file_cell(&self.file),
            Cell::Int(self.line),
        ]
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let clients: Vec<String> = self.clients.iter().map(|c| client_table(Some(c))).collect();
        let flags: Vec<&str> = self.flags.iter().map(|f| f.as_str()).collect();
        vec![
            self.user.clone(),
            self.ip.clone(),
            ctx.zone.human(self.first),
            ctx.zone.human(self.last),
            self.requests.to_string(),
            self.sessions.to_string(),
            self.exports.to_string(),
            geo::table(Some(&self.geo)),
            if clients.is_empty() {
                "-".into()
            } else {
                clients.join("; ")
            },
            if flags.is_empty() {
                "-".into()
            } else {
                flags.join(", ")
            },
        ]
    }
}
