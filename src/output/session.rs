//! How a [`Session`] is printed: every field for programs; for people, one
//! row with local start and end, who, from where, how much, and the first
//! pages visited.

use serde_json::Value;

use super::{Cell, Column, Context, Item, Keep};
use crate::analyze::sessions::{Page, Session};

/// Pages shown in the table at most, and the width they may take together.
const TABLE_PAGES: usize = 5;
const TABLE_PAGES_WIDTH: usize = 80;

impl Item for Session {
    const FIELDS: &'static [&'static str] = &[
        "user",
        "client_ips",
        "user_agent",
        "other_user_agents",
        "start_utc",
        "end_utc",
        "start_local",
        "end_local",
        "duration_s",
        "requests",
        "posts",
        "polling",
        "polling_paths",
        "pages",
        "downloads",
        "bytes_sent",
        "bytes_received",
        "not_listed",
        "file",
        "line",
    ];
    const TABLE: &'static [Column] = &[
        Column::whole("Start"),
        Column::optional("End", 4),
        Column::whole("User"),
        Column::whole("Client IPs"),
        Column::optional("Requests", 2),
        Column::optional("POSTs", 1),
        Column::optional("Downloads", 3),
        Column::shrink("Pages", Keep::Start, 20),
    ];

    fn cells(&self, ctx: &Context) -> Vec<Cell> {
        let strings = |v: &[String]| Cell::Json(Value::from(v.to_vec()));
        let duration = self.end.duration_since(self.start).as_secs().max(0) as u64;
        vec![
            self.user.clone().into(),
            strings(&self.client_ips),
            self.user_agent.clone().into(),
            strings(&self.other_user_agents),
            Cell::Text(self.start.to_string()),
            Cell::Text(self.end.to_string()),
            Cell::Text(ctx.zone.rfc3339(self.start)),
            Cell::Text(ctx.zone.rfc3339(self.end)),
            Cell::Int(duration),
            Cell::Int(self.requests),
            Cell::Int(self.posts),
            Cell::Int(self.polling),
            Cell::Json(Value::from_iter(self.polling_paths.iter().map(
                |p| serde_json::json!({"path": p.path, "requests": p.requests}),
            ))),
            Cell::Json(Value::from_iter(self.pages.iter().map(|p| {
                serde_json::json!({
                    "path": p.path,
                    "time_local": ctx.zone.rfc3339(p.time),
                    "requests": p.requests,
                })
            }))),
            strings(&self.downloads),
            self.bytes_sent.into(),
            self.bytes_received.into(),
            Cell::Json(serde_json::json!({
                "client_ips": self.not_listed.client_ips,
                "user_agents": self.not_listed.user_agents,
                "pages": self.not_listed.pages,
                "downloads": self.not_listed.downloads,
                "polling_paths": self.not_listed.polling_paths,
            })),
            super::file_cell(&self.file),
            Cell::Int(self.line),
        ]
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let start = ctx.zone.human(self.start);
        let mut end = ctx.zone.human(self.end);
        // On the same local day, the end needs only its time.
        if end.get(..11) == start.get(..11) {
            end.replace_range(..11, "");
        }
        vec![
            start,
            end,
            self.user.clone().unwrap_or_else(|| "-".to_string()),
            self.client_ips.join(", "),
            self.requests.to_string(),
            self.posts.to_string(),
            self.downloads.len().to_string(),
            page_trail(&self.pages),
        ]
    }
}

/// The first pages, joined with arrows, cut to a readable width with the
/// number left out.
fn page_trail(pages: &[Page]) -> String {
    let mut out = String::new();
    let mut width = 0;
    let mut shown = 0;
    for page in pages.iter().take(TABLE_PAGES).map(|p| &p.path) {
        let len = page.chars().count();
        if shown > 0 && width + 3 + len > TABLE_PAGES_WIDTH {
            break;
        }
        if shown > 0 {
            out.push_str(" → ");
            width += 3;
        }
        if len > TABLE_PAGES_WIDTH {
            out.extend(page.chars().take(TABLE_PAGES_WIDTH - 1));
            out.push('…');
            width += TABLE_PAGES_WIDTH;
        } else {
            out.push_str(page);
            width += len;
        }
        shown += 1;
    }
    if pages.len() > shown {
        out.push_str(&format!(" → … (+{} more)", pages.len() - shown));
    }
    if pages.is_empty() {
        out.push('-');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analyze::sessions::Polled;
    use crate::time::Zone;

    fn page(path: &str, time: &str, requests: u64) -> Page {
        Page {
            path: path.into(),
            time: time.parse().unwrap(),
            requests,
        }
    }

    fn session() -> Session {
        Session {
            user: Some("jsmith".into()),
            client_ips: vec!["73.21.44.9".into()],
            user_agent: Some("Chrome".into()),
            other_user_agents: vec![],
            start: "2017-01-19T16:57:02Z".parse().unwrap(),
            end: "2017-01-19T17:17:02Z".parse().unwrap(),
            requests: 30,
            posts: 8,
            polling: 3,
            polling_paths: vec![Polled {
                path: "/Handlers/N.ashx".into(),
                requests: 3,
            }],
            pages: vec![
                page("/Logon.aspx", "2017-01-19T16:57:02Z", 2),
                page("/Home.aspx", "2017-01-19T16:58:00Z", 1),
            ],
            downloads: vec!["/temp/acme/X.zip".into()],
            bytes_sent: None,
            bytes_received: Some(12),
            not_listed: Default::default(),
            file: Arc::from("u_ex170119.log"),
            line: 123,
        }
    }

    fn chicago() -> Context {
        Context {
            zone: Zone::named("America/Chicago").unwrap(),
            verbose: false,
        }
    }

    #[test]
    fn cells_follow_fields_with_utc_and_local_times() {
        let s = session();
        let cells = s.cells(&chicago());
        assert_eq!(cells.len(), Session::FIELDS.len());
        let get = |k: &str| &cells[Session::FIELDS.iter().position(|f| *f == k).unwrap()];
        assert_eq!(get("start_utc"), &Cell::Text("2017-01-19T16:57:02Z".into()));
        assert_eq!(
            get("end_local"),
            &Cell::Text("2017-01-19T11:17:02-06:00".into())
        );
        assert_eq!(get("duration_s"), &Cell::Int(1200));
        assert_eq!(get("bytes_sent"), &Cell::Null);
        assert_eq!(get("other_user_agents"), &Cell::Json(Value::Array(vec![])));
        assert_eq!(
            get("pages"),
            &Cell::Json(serde_json::json!([
                {"path": "/Logon.aspx", "time_local": "2017-01-19T10:57:02-06:00", "requests": 2},
                {"path": "/Home.aspx", "time_local": "2017-01-19T10:58:00-06:00", "requests": 1},
            ]))
        );
        assert_eq!(get("polling"), &Cell::Int(3));
        assert_eq!(
            get("polling_paths"),
            &Cell::Json(serde_json::json!([{"path": "/Handlers/N.ashx", "requests": 3}]))
        );
    }

    #[test]
    fn table_row_shows_local_times_and_the_page_trail() {
        let row = session().table_row(&chicago());
        assert_eq!(row.len(), Session::TABLE.len());
        assert_eq!(row[0], "2017-01-19 10:57:02 CST");
        assert_eq!(row[1], "11:17:02 CST");
        assert_eq!(row[6], "1");
        assert_eq!(row[7], "/Logon.aspx → /Home.aspx");
    }

    #[test]
    fn long_page_trails_are_cut_with_a_count() {
        let t = "2017-01-19T16:57:02Z";
        let pages: Vec<Page> = (0..9)
            .map(|i| page(&format!("/Page{i}.aspx"), t, 1))
            .collect();
        assert_eq!(
            page_trail(&pages),
            "/Page0.aspx → /Page1.aspx → /Page2.aspx → /Page3.aspx → /Page4.aspx → … (+4 more)"
        );
        let long = vec![page(&"/".repeat(200), t, 1), page("/b", t, 1)];
        let trail = page_trail(&long);
        assert!(trail.starts_with(&"/".repeat(79)), "{trail}");
        assert!(trail.ends_with("… → … (+1 more)"), "{trail}");
        assert_eq!(page_trail(&[]), "-");
    }
}
