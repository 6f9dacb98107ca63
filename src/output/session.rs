//! How a [`Session`] is printed: every field for programs; for people, one
//! row with local start and end, who, from where, how much, and the first
//! pages visited.

use serde_json::Value;
use std::sync::Arc;

use super::clock::{self, Text};
use super::{Cell, Column, Context, Item, Keep, json};
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
        let strings = |v: &[Arc<str>]| Cell::Json(Value::from_iter(v.iter().map(|s| &**s)));
        let duration = self.end.duration_since(self.start).as_secs().max(0) as u64;
        vec![
            self.user.clone().into(),
            strings(&self.client_ips),
            self.user_agent.as_deref().map(str::to_string).into(),
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
                |p| serde_json::json!({"path": &*p.path, "requests": p.requests}),
            ))),
            Cell::Json(Value::from_iter(self.pages.iter().map(|p| {
                serde_json::json!({
                    "path": &*p.path,
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

    fn json_members(&self, ctx: &Context, out: &mut Vec<u8>) {
        // Every member but the first comes after a comma.
        let key = |out: &mut Vec<u8>, k: &str| json::key(out, k, false);
        json::key(out, "user", true);
        json::opt_string(out, self.user.as_deref());
        key(out, "client_ips");
        json::strings(out, &self.client_ips);
        key(out, "user_agent");
        json::opt_string(out, self.user_agent.as_deref());
        key(out, "other_user_agents");
        json::strings(out, &self.other_user_agents);
        clock::with(&ctx.zone, |clock| {
            for (k, t, text) in [
                ("start_utc", self.start, Text::Utc),
                ("end_utc", self.end, Text::Utc),
                ("start_local", self.start, Text::Local),
                ("end_local", self.end, Text::Local),
            ] {
                key(out, k);
                clock.write(out, t, text);
            }
            let duration = self.end.duration_since(self.start).as_secs().max(0) as u64;
            for (k, n) in [
                ("duration_s", duration),
                ("requests", self.requests),
                ("posts", self.posts),
                ("polling", self.polling),
            ] {
                key(out, k);
                json::uint(out, n);
            }
            key(out, "polling_paths");
            out.push(b'[');
            // The members of the lists' objects, keys and all, written as
            // they are (sessions list hundreds of pages each).
            for (i, p) in self.polling_paths.iter().enumerate() {
                out.extend_from_slice(if i == 0 {
                    b"{\"path\":"
                } else {
                    b",{\"path\":"
                });
                json::string(out, &p.path);
                out.extend_from_slice(b",\"requests\":");
                json::uint(out, p.requests);
                out.push(b'}');
            }
            out.push(b']');
            key(out, "pages");
            out.push(b'[');
            for (i, p) in self.pages.iter().enumerate() {
                out.extend_from_slice(if i == 0 {
                    b"{\"path\":"
                } else {
                    b",{\"path\":"
                });
                json::string(out, &p.path);
                out.extend_from_slice(b",\"time_local\":");
                clock.write(out, p.time, Text::Local);
                out.extend_from_slice(b",\"requests\":");
                json::uint(out, p.requests);
                out.push(b'}');
            }
            out.push(b']');
        });
        key(out, "downloads");
        json::strings(out, &self.downloads);
        key(out, "bytes_sent");
        json::opt_uint(out, self.bytes_sent);
        key(out, "bytes_received");
        json::opt_uint(out, self.bytes_received);
        key(out, "not_listed");
        let n = &self.not_listed;
        for (i, (k, count)) in [
            ("client_ips", n.client_ips),
            ("user_agents", n.user_agents),
            ("pages", n.pages),
            ("downloads", n.downloads),
            ("polling_paths", n.polling_paths),
        ]
        .into_iter()
        .enumerate()
        {
            out.push(if i == 0 { b'{' } else { b',' });
            json::key(out, k, true);
            json::uint(out, count);
        }
        out.push(b'}');
        key(out, "file");
        json::file(out, &self.file);
        key(out, "line");
        json::uint(out, self.line);
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
    fn a_sessions_own_json_is_the_json_of_its_cells() {
        let mut s = session();
        let (own, of_cells) = crate::output::own_and_cells_json(&s, &chicago());
        assert_eq!(own, of_cells);
        s.user = None;
        s.user_agent = Some("quote \" back \\ tab \t é".into());
        s.client_ips = vec!["10.0.0.1".into(), "::1".into()];
        s.other_user_agents = vec!["a".into(), "\u{1}".into()];
        s.polling_paths.push(Polled {
            path: "/x\"y".into(),
            requests: 1,
        });
        s.pages.clear();
        s.downloads.clear();
        s.bytes_sent = Some(u64::MAX);
        s.not_listed.pages = 7;
        s.end = "2017-03-12T08:30:00.5Z".parse().unwrap();
        s.file = Arc::from("logs/u_ex\\xE9.log");
        for ctx in [
            chicago(),
            Context {
                zone: Zone::utc(),
                verbose: false,
            },
        ] {
            let (own, of_cells) = crate::output::own_and_cells_json(&s, &ctx);
            assert_eq!(own, of_cells);
        }
        s.polling_paths.clear();
        let (own, of_cells) = crate::output::own_and_cells_json(&s, &chicago());
        assert_eq!(own, of_cells);
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
