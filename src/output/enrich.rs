//! The columns `--geo` and `--device` append: `geo` and `client` objects for
//! programs, `Place` and `Device` for people.

use std::io::Write;

use super::{Cell, Column, Format, Writer, geo};
use crate::enrich::device::{Client, DeviceClass};
use crate::enrich::{Enricher, Enrichment};

/// The `Device` column: left out first when the table does not fit, like
/// `Place`.
const DEVICE: Column = Column::optional("Device", 0);

const BOTH: &[Column] = &[geo::PLACE, DEVICE];

/// JSON keys and table columns of the appended columns.
pub fn columns(enricher: &Enricher) -> (&'static [&'static str], &'static [Column]) {
    match (enricher.locator.is_some(), enricher.devices.is_some()) {
        (true, true) => (&["geo", "client"], BOTH),
        (true, false) => (geo::FIELDS, geo::TABLE),
        (false, true) => (&["client"], &[DEVICE]),
        (false, false) => (&[], &[]),
    }
}

/// The same for sessions: with `--device`, `device_changed` after
/// `client` (in the table, a mark in the `Device` column).
pub fn session_columns(enricher: &Enricher) -> (&'static [&'static str], &'static [Column]) {
    match (enricher.locator.is_some(), enricher.devices.is_some()) {
        (true, true) => (&["geo", "client", "device_changed"], BOTH),
        (false, true) => (&["client", "device_changed"], &[DEVICE]),
        _ => columns(enricher),
    }
}

/// Adds a session's `device_changed` to the appended values of
/// [`cells`]: `null` for a session without a login; the table marks a
/// change after the device.
pub fn add_device_changed(
    format: Format,
    changed: Option<bool>,
    cells: &mut Vec<Cell>,
    table: &mut [String],
) {
    if format != Format::Table {
        cells.push(changed.map_or(Cell::Null, |c| Cell::Json(c.into())));
    } else if changed == Some(true)
        && let Some(device) = table.last_mut()
    {
        device.push_str(" · device changed");
    }
}

/// The appended values for `writer` (only what its format shows is made;
/// each distinct place and client is rendered once).
pub fn cells<W: Write>(
    writer: &mut Writer<W>,
    enricher: &Enricher,
    found: &Enrichment,
) -> (Vec<Cell>, Vec<String>) {
    let (mut cells, mut table) = (Vec::new(), Vec::new());
    let for_people = writer.format() == Format::Table;
    if enricher.locator.is_some() {
        match (&found.geo, for_people) {
            (geo, true) => table.push(geo::table(geo.as_deref())),
            (Some(g), false) => cells.push(writer.shared_cell(g, |g| geo::cell(Some(g)))),
            (None, false) => cells.push(Cell::Null),
        }
    }
    if enricher.devices.is_some() {
        match (&found.client, for_people) {
            (client, true) => table.push(client_table(client.as_deref())),
            (Some(c), false) => cells.push(writer.shared_cell(c, |c| client_cell(Some(c)))),
            (None, false) => cells.push(Cell::Null),
        }
    }
    (cells, table)
}

/// The `client` object (null without a user agent).
pub fn client_cell(client: Option<&Client>) -> Cell {
    match client {
        Some(c) => serde_json::to_string(c).map_or(Cell::Null, |text| Cell::Raw(text.into())),
        None => Cell::Null,
    }
}

/// The table's device: "Chrome 85 · Windows 10", "Mobile Safari 13 · iOS
/// 13.7 · iPhone", with the class when it is not desktop.
pub fn client_table(client: Option<&Client>) -> String {
    let Some(c) = client else {
        return "-".into();
    };
    let named = |name: &Option<String>, version: &Option<String>| {
        name.as_ref().map(|n| match version {
            Some(v) => format!("{n} {}", v.split('.').next().unwrap_or(v)),
            None => n.clone(),
        })
    };
    let mut parts: Vec<String> = Vec::new();
    parts.extend(named(&c.browser, &c.browser_version));
    parts.extend(c.os.as_ref().map(|os| match &c.os_version {
        Some(v) => format!("{os} {v}"),
        None => os.clone(),
    }));
    parts.extend(c.device.clone());
    if c.class != DeviceClass::Desktop {
        parts.push(c.class.as_str().into());
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" · ")
    }
}
