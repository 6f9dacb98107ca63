//! How one login's use of one address ([`AddressUse`]) is printed.

use serde_json::Value;

use super::enrich::client_table;
use super::{Cell, Column, Context, Item, Keep, geo};
use crate::analyze::ips::{AddressUse, Flag};
use crate::analyze::travel::{Stop, Travel};
use crate::enrich::geo::{Coordinates, Geo};

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
        "travel",
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
            Cell::Json(Value::from_iter(
                self.travel.iter().map(|t| travel_json(t, ctx)),
            )),
            super::file_cell(&self.file),
            Cell::Int(self.line),
        ]
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let clients: Vec<String> = self.clients.iter().map(|c| client_table(Some(c))).collect();
        let flags: Vec<String> = self
            .flags
            .iter()
            .map(|f| match (f, self.travel.first()) {
                (Flag::ImpossibleTravel, Some(t)) => {
                    format!("{} ({})", f.as_str(), travel_text(t, self.travel.len()))
                }
                _ => f.as_str().to_string(),
            })
            .collect();
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

/// A move too fast to be travel, with what an investigator needs to check
/// it: both ends (address, place, point, request), the distances, the time
/// and the speed.
fn travel_json(t: &Travel, ctx: &Context) -> Value {
    let end = |s: &Stop, g: &Geo, p: &Coordinates| {
        serde_json::json!({
            "client_ip": s.ip,
            "place": geo::place(g),
            "latitude": p.latitude,
            "longitude": p.longitude,
            "accuracy_km": p.accuracy_km,
            "time_utc": s.time.to_string(),
            "time_local": ctx.zone.rfc3339(s.time),
            "file": crate::name::json(&s.file),
            "line": s.line,
        })
    };
    serde_json::json!({
        "from": end(&t.from, &t.from_geo, &t.from_point),
        "to": end(&t.to, &t.to_geo, &t.to_point),
        "distance_km": t.distance_km.round(),
        "min_distance_km": t.min_km.round(),
        "hours": (t.hours * 100.0).round() / 100.0,
        "km_per_h": t.km_per_h.map(f64::round),
    })
}

/// The table's account of the first move: "from 73.12.0.9 (US, Illinois,
/// Chicago): 9,543 km in 1.00 h, 9,543 km/h".
fn travel_text(t: &Travel, moves: usize) -> String {
    let place = geo::place(&t.from_geo).unwrap_or_else(|| "?".into());
    let speed = match t.km_per_h {
        Some(v) => format!("{v:.0} km/h"),
        None => "at the same time".into(),
    };
    let more = if moves > 1 {
        format!("; {} more", moves - 1)
    } else {
        String::new()
    };
    format!(
        "from {} ({place}): {:.0} km in {:.2} h, {speed}{more}",
        t.from.ip, t.min_km, t.hours
    )
}
