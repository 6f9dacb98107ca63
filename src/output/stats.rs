//! How `stats` groups are printed. Their columns depend on `--by`,
//! `--after-hours` and `--outliers`, so they are chosen per run here rather
//! than fixed per type as [`super::Item`]s are; the formats are the same:
//! JSON keys and CSV headers the same names, absent values `null` (empty in
//! CSV), local times RFC 3339 with their offset, tables fitted to the width
//! and printed in pages.

use std::io::{self, Write};

use serde_json::Value;

use super::{Cell, Column, Context, Format, Keep, LeftOut, sanitize, table};
use crate::analyze::stats::{GroupStats, Key, LogName, StatsReport};

/// Rows per printed table page, as [`super::Writer`] prints them.
const PAGE: usize = 1000;

/// The JSON keys and CSV header, in order.
pub fn fields(report: &StatsReport) -> Vec<&'static str> {
    let mut f: Vec<&'static str> = report.by.iter().map(|k| k.name()).collect();
    f.extend([
        "requests",
        "posts",
        "ips",
        "pages",
        "exports",
        "export_bytes",
        "failed_logons",
        "first_local",
        "last_local",
    ]);
    if report.after_hours {
        f.extend(["after_hours", "after_hours_share"]);
    }
    if report.outliers {
        f.extend(["score", "why"]);
    }
    f
}

/// The table columns; in 80 columns the least useful are left out first
/// (last seen, bytes, first seen ...), and a page or a reason is cut.
fn columns(report: &StatsReport) -> Vec<Column> {
    let mut c: Vec<Column> = report
        .by
        .iter()
        .map(|k| match k {
            Key::User => Column::whole("User"),
            Key::Ip => Column::whole("IP"),
            Key::Page => Column::shrink("Page", Keep::Start, 12),
            Key::Day => Column::whole("Day"),
            Key::Hour => Column::whole("Hour"),
        })
        .collect();
    c.extend([
        Column::whole("Requests"),
        Column::optional("POSTs", 6),
        Column::optional("IPs", 4),
        Column::optional("Pages", 3),
        Column::whole("Exports"),
        Column::optional("Bytes", 1),
        Column::optional("Failed logons", 5),
        Column::optional("First", 2),
        Column::optional("Last", 0),
    ]);
    if report.after_hours {
        c.extend([Column::whole("After hours"), Column::whole("Share")]);
    }
    if report.outliers {
        c.extend([
            Column::whole("Score"),
            Column::shrink("Why", Keep::Start, 20),
        ]);
    }
    c
}

/// A share or a score as a JSON number, rounded.
fn decimal(v: f64, places: i32) -> Cell {
    let scale = 10f64.powi(places);
    Cell::Json(Value::from((v * scale).round() / scale))
}

/// A name as logged: a string, or `{"bytes": "<base64>"}` (a JSON text in
/// CSV) for one that is not UTF-8.
fn name_cell(name: Option<&LogName>) -> Cell {
    match name.map(LogName::json) {
        None => Cell::Null,
        Some(Value::String(text)) => Cell::Text(text),
        Some(other) => Cell::Json(other),
    }
}

/// The values of a group, in the order of [`fields`].
fn cells(g: &GroupStats, report: &StatsReport, ctx: &Context) -> Vec<Cell> {
    let mut c: Vec<Cell> = report
        .by
        .iter()
        .map(|k| match k {
            Key::User => name_cell(g.user.as_ref()),
            Key::Ip => name_cell(g.ip.as_ref()),
            Key::Page => name_cell(g.page.as_ref()),
            Key::Day => Cell::from(g.day.map(|d| d.to_string())),
            Key::Hour => Cell::from(g.hour.map(u64::from)),
        })
        .collect();
    c.extend([
        Cell::Int(g.requests),
        Cell::Int(g.posts),
        Cell::Int(g.ips),
        Cell::Int(g.pages),
        Cell::Int(g.exports),
        Cell::from(g.export_bytes),
        Cell::Int(g.failed_logons),
        Cell::from(g.first.map(|t| ctx.zone.rfc3339(t))),
        Cell::from(g.last.map(|t| ctx.zone.rfc3339(t))),
    ]);
    if report.after_hours {
        c.extend([Cell::Int(g.after_hours), decimal(g.after_hours_share(), 4)]);
    }
    if report.outliers {
        match &g.outlier {
            Some(o) => c.extend([decimal(o.score, 2), Cell::Text(o.why.clone())]),
            None => c.extend([Cell::Null, Cell::Null]),
        }
    }
    c
}

/// The table row of a group, in the order of [`columns`].
fn table_row(g: &GroupStats, report: &StatsReport, ctx: &Context) -> Vec<String> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut r: Vec<String> = report
        .by
        .iter()
        .map(|k| match k {
            Key::User => or_dash(g.user.as_ref().map(|n| n.text().into_owned())),
            Key::Ip => or_dash(g.ip.as_ref().map(|n| n.text().into_owned())),
            Key::Page => or_dash(g.page.as_ref().map(|n| n.text().into_owned())),
            Key::Day => or_dash(g.day.map(|d| d.to_string())),
            Key::Hour => or_dash(g.hour.map(|h| format!("{h:02}"))),
        })
        .collect();
    r.extend([
        g.requests.to_string(),
        g.posts.to_string(),
        g.ips.to_string(),
        g.pages.to_string(),
        g.exports.to_string(),
        or_dash(g.export_bytes.map(|b| b.to_string())),
        g.failed_logons.to_string(),
        or_dash(g.first.map(|t| ctx.zone.human(t))),
        or_dash(g.last.map(|t| ctx.zone.human(t))),
    ]);
    if report.after_hours {
        r.extend([
            g.after_hours.to_string(),
            format!("{:.1}%", g.after_hours_share() * 100.0),
        ]);
    }
    if report.outliers {
        match &g.outlier {
            Some(o) => r.extend([format!("{:.2}", o.score), o.why.clone()]),
            None => r.extend(["-".into(), "-".into()]),
        }
    }
    r
}

/// Prints the groups in `format`; returns the table columns left out to fit
/// `width`, if any.
pub fn write<W: Write>(
    mut out: W,
    format: Format,
    ctx: &Context,
    width: usize,
    report: &StatsReport,
) -> io::Result<Option<LeftOut>> {
    let keys = fields(report);
    let mut left_out = None;
    match format {
        Format::Table => {
            let columns = columns(report);
            for page in report.groups.chunks(PAGE) {
                let rows: Vec<Vec<String>> = page
                    .iter()
                    .map(|g| {
                        table_row(g, report, ctx)
                            .iter()
                            .map(|c| sanitize::for_table(c))
                            .collect()
                    })
                    .collect();
                let rendered = table::render(&columns, &rows, width);
                LeftOut::add(&mut left_out, &rendered, width);
                writeln!(out, "{}", rendered.text)?;
            }
        }
        Format::Json => {
            out.write_all(b"[")?;
            for (i, g) in report.groups.iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                out.write_all(&json_object(&keys, &cells(g, report, ctx)))?;
            }
            out.write_all(if report.groups.is_empty() {
                b"]\n"
            } else {
                b"\n]\n"
            })?;
        }
        Format::Ndjson => {
            for g in &report.groups {
                out.write_all(&json_object(&keys, &cells(g, report, ctx)))?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => {
            let mut csv = csv::WriterBuilder::new().from_writer(&mut out);
            csv.write_record(&keys).map_err(super::csv_error)?;
            for g in &report.groups {
                let row = cells(g, report, ctx).into_iter().map(super::csv_cell);
                csv.write_record(row).map_err(super::csv_error)?;
            }
            csv.flush()?;
        }
        // Refused before the run (`cmd::destination::check_parquet`).
        Format::Parquet => {
            return Err(io::Error::other("stats does not write --format parquet"));
        }
    }
    out.flush()?;
    Ok(left_out)
}

/// A group as one JSON object, its keys in order.
fn json_object(keys: &[&str], cells: &[Cell]) -> Vec<u8> {
    let mut object = vec![b'{'];
    super::json::members(&mut object, keys.iter().copied(), cells, true);
    object.push(b'}');
    object
}
