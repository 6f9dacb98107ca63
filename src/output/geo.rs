//! How what is known of an address ([`Geo`]) is printed: a `geo` object for
//! programs, a short place for people ("US, Texas, Dallas · AS6167 mobile").

use super::{Cell, Column};
use std::io::{self, Write};

use jiff::Timestamp;

use crate::enrich::geo::{Geo, Network, Stale};

/// The `geo` column: JSON key and table title.
pub const FIELDS: &[&str] = &["geo"];
/// The `Place` column: left out first when the table does not fit.
pub const PLACE: Column = Column::optional("Place", 0);
pub const TABLE: &[Column] = &[PLACE];

/// The `geo` object (null when there is no address).
pub fn cell(geo: Option<&Geo>) -> Cell {
    match geo {
        Some(g) => serde_json::to_string(g).map_or(Cell::Null, |text| Cell::Raw(text.into())),
        None => Cell::Null,
    }
}

/// The table's place: country, region, city, autonomous system, and the
/// network when it is not plain public.
pub fn table(geo: Option<&Geo>) -> String {
    let Some(g) = geo else {
        return "-".into();
    };
    let mut parts: Vec<String> = place(g).into_iter().collect();
    if let Some(asn) = g.asn {
        parts.push(format!("AS{asn}"));
    }
    match g.network {
        Some(Network::Public) | None => {}
        Some(n) => match g.carrier {
            Some(carrier) => parts.push(format!("{carrier} (mobile)")),
            None => parts.push(n.as_str().into()),
        },
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" · ")
    }
}

/// Country, region and city, as far as they are known ("US, Illinois,
/// Chicago").
pub fn place(g: &Geo) -> Option<String> {
    let parts: Vec<&str> = [&g.country, &g.region, &g.city]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The note for databases built far from the log's dates.
pub fn write_stale<W: Write>(
    out: &mut W,
    stale: &[Stale],
    first: Timestamp,
    last: Timestamp,
) -> io::Result<()> {
    for s in stale {
        let days = s.gap.as_secs().abs() / 86_400;
        let (how_far, date) = if s.gap.is_positive() {
            ("after the last record", last)
        } else {
            ("before the first record", first)
        };
        writeln!(
            out,
            "note: the database {} was built {} days {how_far} ({}): addresses change hands, so its owners and places may not be those of the log's days",
            super::sanitize::for_terminal(&s.label),
            days,
            date.strftime("%Y-%m-%d"),
        )?;
    }
    Ok(())
}
