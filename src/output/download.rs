//! How a download is printed.

use super::{Cell, Column, Context, Item, Keep};
use crate::analyze::downloads::{Download, Outcome, format_offset};

impl Item for Download {
    const FIELDS: &'static [&'static str] = &[
        "file",
        "line",
        "time_utc",
        "time_local",
        "local_date",
        "local_time",
        "uri_stem",
        "client_ip",
        "user_agent",
        "status",
        "win32_status",
        "file_name",
        "extension",
        "site",
        "export_user",
        "export_time_local",
        "implied_utc_offset",
        "outcome",
        "session_user",
        "attribution",
        "export_page",
        "export_posts",
        "build_ms",
        "replay_url",
        "likely_purged",
    ];
    const TABLE: &'static [Column] = &[
        Column::whole("Local time"),
        Column::whole("Export user"),
        Column::whole("Session user"),
        // Follows from the two users; left out first.
        Column::optional("Attribution", 1),
        Column::optional("Client IP", 2),
        Column::shrink("File", Keep::End, 16),
        Column::whole("Status"),
    ];

    fn cells(&self, ctx: &Context) -> Vec<Cell> {
        let civil = self.record.time_utc.map(|t| ctx.zone.civil(t));
        let r = &self.record;
        vec![
            super::file_cell(&r.file),
            Cell::Int(r.line),
            r.time_utc.map(|t| t.to_string()).into(),
            r.time_utc.map(|t| ctx.zone.rfc3339(t)).into(),
            civil.as_ref().map(|c| c.0.clone()).into(),
            civil.map(|c| c.1).into(),
            r.uri_stem.clone().into(),
            r.client_ip.clone().into(),
            r.user_agent.clone().into(),
            r.status.into(),
            r.win32_status.into(),
            Cell::Text(self.name.file_name.clone()),
            self.name.extension.clone().into(),
            self.name.site.clone().into(),
            self.name.export_user.clone().into(),
            self.name.export_time_local.map(|t| t.to_string()).into(),
            self.implied_utc_offset.map(format_offset).into(),
            Cell::Text(self.outcome.as_str().into()),
            self.session_user.clone().into(),
            Cell::Text(self.attribution.as_str().into()),
            self.export_page.clone().into(),
            self.export_posts.map(u64::from).into(),
            self.build_ms.into(),
            self.replay_url.clone().into(),
            self.likely_purged
                .map_or(Cell::Null, |b| Cell::Json(b.into())),
        ]
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let dash = || "-".to_string();
        let r = &self.record;
        vec![
            r.time_utc.map_or_else(dash, |t| ctx.zone.human(t)),
            self.name.export_user.clone().unwrap_or_else(dash),
            self.session_user.clone().unwrap_or_else(dash),
            self.attribution.as_str().to_string(),
            r.client_ip.clone().unwrap_or_else(dash),
            self.name.file_name.clone(),
            status(self),
        ]
    }
}

/// The status, and the outcome when the download did not complete:
/// `200`, `404 failed`, `200 partial` (the client went away).
fn status(d: &Download) -> String {
    let code = d
        .record
        .status
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    match d.outcome {
        Outcome::Completed => code,
        other => format!("{code} {}", other.as_str()),
    }
}
