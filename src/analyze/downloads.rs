//! Downloads from `/temp/` and who made them.
//!
//! The fetch of an export carries no login name. Two witnesses name the
//! person: the export's file name (`<Org>.<user>.<timestamp>.<ext>`), and the
//! session of the client that fetched it (the latest authenticated request
//! from the same address and browser shortly before). When both speak and
//! disagree, someone else's client fetched the file: the `conflict` an
//! investigator most needs to see.
//!
//! The cores turn rows into small [`Event`]s; the [`Tracker`] sees them in
//! time order and keeps state per active client only.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::export::{self, ExportName};

use super::keys::Prehashed;
use super::{Located, client_key, ordered, path_key, same_user};
use crate::filter::Filter;
use crate::time::Zone;
use crate::w3c::{Column, Record, Row};

/// What the tracker needs from a row.
#[derive(Debug)]
pub enum Event {
    /// A request that is not a download: it may name the client's user, and
    /// a POST may be building an export.
    Request {
        client: u64,
        user: Option<UserName>,
        /// The path, as [`path_key`].
        page: u64,
        /// For a POST: its time taken in ms (`Some(None)` when not logged;
        /// kept in 32 bits, which hold 49 days, to keep events small).
        post: Option<Option<u32>>,
    },
    /// A download, with the record and whether it passed the request filters.
    Download {
        client: u64,
        record: Box<Record>,
        selected: bool,
    },
}

/// Holds only its own values.
impl super::ordered::Held for Event {}

/// Turns a row into an event (on the cores). Anonymous GETs that are not
/// downloads tell nothing about who a client is, and are dropped.
pub fn event(row: &Row<'_>, filter: &Filter) -> Option<Event> {
    if row.has_escapes() {
        // Values with `""` escapes are read unescaped (copied).
        event_from(row, filter, |c| row.raw(c))
    } else {
        event_from(row, filter, |c| row.plain(c))
    }
}

/// The event of a row whose columns `value` reads. Columns are read only
/// when needed: most rows are dropped after three.
fn event_from<B: AsRef<[u8]>>(
    row: &Row<'_>,
    filter: &Filter,
    value: impl Fn(Column) -> Option<B>,
) -> Option<Event> {
    let (method, stem) = (value(Column::Method), value(Column::UriStem));
    let method = method.as_ref().map(AsRef::as_ref);
    let stem = stem.as_ref().map(AsRef::as_ref);
    let download = matches!((method, stem), (Some(m), Some(s)) if export::is_download(m, s));
    let user = value(Column::Username);
    let is_post = method.is_some_and(|m| m.eq_ignore_ascii_case(b"POST"));
    if !download && user.is_none() && !is_post {
        return None;
    }
    let (ip, agent) = (value(Column::ClientIp), value(Column::UserAgent));
    let client = client_key(
        ip.as_ref().map_or(&[][..], AsRef::as_ref),
        agent.as_ref().map_or(&[][..], AsRef::as_ref),
    );
    if download {
        return Some(download_event(row, filter, client));
    }
    Some(Event::Request {
        client,
        user: user.as_ref().map(|u| UserName::new(u.as_ref())),
        page: path_key(stem.unwrap_or_default()),
        post: is_post.then(|| {
            row.number(Column::TimeTaken)
                .map(|ms| u32::try_from(ms).unwrap_or(u32::MAX))
        }),
    })
}

/// The event of a download (rare: kept out of the path of requests).
#[cold]
#[inline(never)]
fn download_event(row: &Row<'_>, filter: &Filter, client: u64) -> Event {
    // Held until the download is attributed: values past a few KiB cut.
    let mut record = Record::from_row(row);
    record.clip_values();
    Event::Download {
        client,
        record: Box::new(record),
        selected: filter.matches_request(row),
    }
}

/// A login name as the log holds it, made text only when a download names
/// it (rarely): up to [`INLINE_NAME`] bytes as they are, in place (nearly
/// every name), a longer one as text ([`name`]).
#[derive(Debug)]
pub enum UserName {
    Inline { len: u8, bytes: [u8; INLINE_NAME] },
    Text(Box<str>),
}

/// The longest name held as bytes: what fits [`UserName`] in 24 bytes.
const INLINE_NAME: usize = 22;

impl UserName {
    /// The name of bytes read from a row.
    #[inline]
    pub fn new(name_bytes: &[u8]) -> UserName {
        let n = name_bytes.len();
        if n > INLINE_NAME {
            return UserName::Text(name(name_bytes).into_boxed_str());
        }
        // Copied as two overlapping pieces of a fixed size: a few moves,
        // where a copy of any length would be a call.
        let mut bytes = [0u8; INLINE_NAME];
        fn halves<const K: usize>(to: &mut [u8], from: &[u8]) {
            let n = from.len();
            to[..K].copy_from_slice(&from[..K]);
            to[n - K..n].copy_from_slice(&from[n - K..]);
        }
        match n {
            16.. => halves::<16>(&mut bytes, name_bytes),
            8.. => halves::<8>(&mut bytes, name_bytes),
            4.. => halves::<4>(&mut bytes, name_bytes),
            _ => bytes[..n].copy_from_slice(name_bytes),
        }
        UserName::Inline {
            // At most INLINE_NAME.
            len: n as u8,
            bytes,
        }
    }

    /// The name as text: what [`name`] makes of the bytes.
    pub fn text(&self) -> String {
        match self {
            UserName::Inline { len, bytes } => name(&bytes[..usize::from(*len)]),
            UserName::Text(text) => text.to_string(),
        }
    }
}

/// A login name as text; bytes that are not UTF-8 become U+FFFD, and a name
/// past a few KiB is cut (held per client), and says so.
fn name(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if bytes.len() > crate::w3c::record::MAX_HELD_VALUE {
        crate::w3c::record::clip(&mut text);
    }
    text
}

/// How a download ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx and no Windows error.
    Completed,
    /// 206, or Windows status 64, 995 or 1236: the client went away.
    Partial,
    /// 4xx or 5xx (a 404 is a purged file or an expired replay).
    Failed,
    /// Anything else (a redirect, or no status logged).
    Other,
}

impl Outcome {
    pub fn of(status: Option<u64>, win32: Option<u64>) -> Outcome {
        match (status, win32) {
            (Some(s), _) if s >= 400 => Outcome::Failed,
            (Some(206), _) | (_, Some(64 | 995 | 1236)) => Outcome::Partial,
            (Some(200..=299), Some(0) | None) => Outcome::Completed,
            _ => Outcome::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
            Outcome::Other => "other",
        }
    }
}

/// Whether the two witnesses agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// The export's user and the session's user are the same person.
    Consistent,
    /// Both are known and differ: another person's client fetched the file.
    Conflict,
    FileNameOnly,
    SessionOnly,
    Unknown,
}

impl Agreement {
    pub fn of(export_user: Option<&str>, session_user: Option<&str>) -> Agreement {
        match (export_user, session_user) {
            (Some(e), Some(s)) if same_user(e, s) => Agreement::Consistent,
            (Some(_), Some(_)) => Agreement::Conflict,
            (Some(_), None) => Agreement::FileNameOnly,
            (None, Some(_)) => Agreement::SessionOnly,
            (None, None) => Agreement::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Consistent => "consistent",
            Agreement::Conflict => "conflict",
            Agreement::FileNameOnly => "file_name_only",
            Agreement::SessionOnly => "session_only",
            Agreement::Unknown => "unknown",
        }
    }
}

/// One download, attributed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    pub record: Record,
    pub name: ExportName,
    /// `export_time_local − time_utc`, rounded to 15 minutes; `None` when the
    /// name has no time, or the fetch came more than 14 hours from it (a
    /// replay days later says nothing about the zone).
    pub implied_utc_offset: Option<SignedDuration>,
    pub outcome: Outcome,
    pub session_user: Option<String>,
    pub attribution: Agreement,
    /// The path of the referer: the page the export was made from.
    pub export_page: Option<String>,
    /// POSTs to the export page in the client's session before the download.
    pub export_posts: Option<u32>,
    /// The longest of those POSTs' time taken: the export being built.
    pub build_ms: Option<u64>,
    pub replay_url: Option<String>,
    /// With `--as-of`: fetched more than 7 days before it.
    pub likely_purged: Option<bool>,
}

/// Settings of the tracker.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How far back the session's user is looked for.
    pub window: SignedDuration,
    /// Host for replay URLs when the row names none.
    pub host: Option<String>,
    /// The date the replay status is judged at.
    pub as_of: Option<Timestamp>,
}

/// What the tracker knows of one client (address + browser). Times are
/// [`ordered::key`]s: every event passes here, and these compare in one step.
#[derive(Debug)]
struct ClientState {
    last_seen: i64,
    last_auth: Option<(i64, UserName)>,
    /// POSTs to each page since the client last loaded it (a GET) or
    /// downloaded an export made on it: page ([`path_key`]), count, longest
    /// time taken.
    posts: Vec<(u64, u32, Option<u32>)>,
}

/// Follows clients through the time-ordered stream and attributes downloads.
pub struct Tracker {
    settings: Settings,
    /// `settings.window` in nanoseconds.
    window: i64,
    clients: std::collections::HashMap<u64, ClientState, Prehashed>,
    last_sweep: Option<i64>,
}

/// Exports are kept on the server for 2 to 7 days.
const RETENTION: SignedDuration = SignedDuration::from_hours(7 * 24);

impl Tracker {
    pub fn new(settings: Settings) -> Tracker {
        Tracker {
            window: i64::try_from(settings.window.as_nanos()).unwrap_or(i64::MAX),
            settings,
            clients: std::collections::HashMap::default(),
            last_sweep: None,
        }
    }

    /// Number of clients being followed (memory is bounded by this).
    pub fn active_clients(&self) -> usize {
        self.clients.len()
    }

    /// Takes the next event in time order; returns a download when the event
    /// is one (selected or not: the caller applies `--user`).
    pub fn observe(&mut self, t: Timestamp, ev: Located<Event>) -> Option<(Download, bool)> {
        let now = ordered::key(t);
        self.sweep(now);
        match ev.event {
            Event::Request {
                client,
                user,
                page,
                post,
            } => {
                self.request(now, client, user, page, post);
                None
            }
            Event::Download {
                client,
                mut record,
                selected,
            } => {
                record.file = ev.file.clone();
                record.line = ev.line;
                Some((self.download(t, now, client, *record), selected))
            }
        }
    }

    /// A request: what the client's session is, and the POSTs of its visit.
    /// Nearly every event is one: kept small, to be inlined.
    #[inline]
    fn request(
        &mut self,
        now: i64,
        client: u64,
        user: Option<UserName>,
        page: u64,
        post: Option<Option<u32>>,
    ) {
        let st = self.clients.entry(client).or_insert_with(|| ClientState {
            last_seen: now,
            last_auth: None,
            posts: Vec::new(),
        });
        // How long before `now` a time is (saturating: keys may be extreme).
        if now.saturating_sub(st.last_seen) > self.window {
            st.posts.clear();
        }
        st.last_seen = st.last_seen.max(now);
        if let Some(user) = user {
            st.last_auth = Some((now, user));
        }
        let entry = st.posts.iter().position(|(p, _, _)| *p == page);
        match (post, entry) {
            (Some(ms), Some(i)) => {
                let (_, n, longest) = &mut st.posts[i];
                *n += 1;
                *longest = (*longest).max(ms);
            }
            (Some(ms), None) => st.posts.push((page, 1, ms)),
            // Loading the page again starts a new visit.
            (None, Some(i)) => {
                st.posts.swap_remove(i);
            }
            (None, None) => {}
        }
    }

    /// A download, attributed (rare: kept out of the path of requests).
    #[inline(never)]
    fn download(&mut self, t: Timestamp, now: i64, client: u64, record: Record) -> Download {
        let window = self.window;
        // How long before `now` a time is (saturating: keys may be extreme).
        let since = |at: i64| now.saturating_sub(at);
        let state = self
            .clients
            .get_mut(&client)
            .filter(|st| since(st.last_seen) <= window);
        let export_page = record.referer.as_deref().and_then(url_path);
        let session_user = state
            .as_ref()
            .and_then(|st| st.last_auth.as_ref())
            .filter(|(at, _)| since(*at) <= window)
            .map(|(_, u)| u.text());
        let (export_posts, build_ms) = match (&export_page, state) {
            (Some(page), Some(st)) => {
                st.last_seen = st.last_seen.max(now);
                let key = path_key(page.as_bytes());
                // The visit's POSTs built this export: they are used up.
                match st.posts.iter().position(|(p, _, _)| *p == key) {
                    Some(i) => {
                        let (_, n, ms) = st.posts.swap_remove(i);
                        (Some(n), ms.map(u64::from))
                    }
                    None => (Some(0), None),
                }
            }
            (Some(_), None) => (Some(0), None),
            (None, state) => {
                if let Some(st) = state {
                    st.last_seen = st.last_seen.max(now);
                }
                (None, None)
            }
        };
        self.attribute(t, record, session_user, export_page, export_posts, build_ms)
    }

    fn attribute(
        &self,
        t: Timestamp,
        record: Record,
        session_user: Option<String>,
        export_page: Option<String>,
        export_posts: Option<u32>,
        build_ms: Option<u64>,
    ) -> Download {
        let name = export::parse(record.uri_stem.as_deref().unwrap_or(""));
        let implied_utc_offset = name
            .export_time_local
            .and_then(|local| implied_offset(local, t));
        let host = record
            .host
            .clone()
            .or_else(|| record.referer.as_deref().and_then(url_host))
            .or_else(|| self.settings.host.as_deref().map(bare_host));
        let replay_url = match (host, &record.uri_stem) {
            (Some(h), Some(stem)) => Some(format!("https://{h}{stem}")),
            _ => None,
        };
        let likely_purged = self
            .settings
            .as_of
            .map(|as_of| as_of.duration_since(t) > RETENTION);
        Download {
            outcome: Outcome::of(record.status, record.win32_status),
            attribution: Agreement::of(name.export_user.as_deref(), session_user.as_deref()),
            record,
            name,
            implied_utc_offset,
            session_user,
            export_page,
            export_posts,
            build_ms,
            replay_url,
            likely_purged,
        }
    }

    /// Forgets clients idle for longer than the window (checked once per
    /// window of stream time), so memory follows the clients active in the
    /// last two windows.
    #[inline]
    fn sweep(&mut self, now: i64) {
        let Some(last) = self.last_sweep else {
            self.last_sweep = Some(now);
            return;
        };
        if now.saturating_sub(last) >= self.window {
            self.forget_idle(now);
        }
    }

    #[inline(never)]
    fn forget_idle(&mut self, now: i64) {
        self.last_sweep = Some(now);
        let window = self.window;
        self.clients
            .retain(|_, st| now.saturating_sub(st.last_seen) <= window);
    }
}

/// `export_time_local − time_utc`, rounded to 15 minutes, if within 14 hours.
/// The fetch comes after the export is built, so the difference falls short
/// of the true offset by that delay: it is rounded up, which gives the true
/// offset for any fetch within 15 minutes of the build.
pub fn implied_offset(local: jiff::civil::DateTime, t: Timestamp) -> Option<SignedDuration> {
    let as_utc = jiff::tz::Offset::UTC.to_timestamp(local).ok()?;
    let secs = as_utc.duration_since(t).as_secs();
    let rounded = secs.div_euclid(900) * 900 + if secs.rem_euclid(900) > 0 { 900 } else { 0 };
    (rounded.abs() <= 14 * 3600).then(|| SignedDuration::from_secs(rounded))
}

/// `-08:00` for an offset.
pub fn format_offset(d: SignedDuration) -> String {
    let secs = d.as_secs();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The path of a URL (`https://host/Page.aspx?x=1` → `/Page.aspx`); a value
/// that is already a path is kept.
fn url_path(url: &str) -> Option<String> {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None if url.starts_with('/') => return Some(strip_query(url).to_string()),
        None => return None,
    };
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Some(strip_query(path).to_string())
}

fn strip_query(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The host of an absolute URL.
fn url_host(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| host.to_string())
}

fn bare_host(host: &str) -> String {
    let h = host.find("://").map_or(host, |i| &host[i + 3..]);
    h.trim_end_matches('/').to_string()
}

/// What the downloads shown add up to, for the summary on stderr: counts by
/// outcome and attribution, the UTC offsets the export names imply per site,
/// and the downloads whose implied offset is not the one `--tz` had then.
#[derive(Debug, Default)]
pub struct Summary {
    /// Downloads shown, and of them bulk exports.
    pub total: u64,
    pub exports: u64,
    /// Other /temp/ fetches that matched but are shown only with --all.
    pub others_not_shown: u64,
    pub outcomes: BTreeMap<&'static str, u64>,
    pub attributions: BTreeMap<&'static str, u64>,
    /// Per site: implied offset -> count.
    pub offsets: BTreeMap<String, BTreeMap<SignedDuration, u64>>,
    /// Downloads whose implied offset differs from --tz at that instant.
    pub disagreements: Vec<(String, SignedDuration, SignedDuration)>,
    pub disagreeing: u64,
}

impl Summary {
    /// Counts a download that is shown.
    pub fn add(&mut self, d: &Download, zone: &Zone) {
        self.total += 1;
        self.exports += u64::from(d.name.is_export());
        *self.outcomes.entry(d.outcome.as_str()).or_default() += 1;
        *self.attributions.entry(d.attribution.as_str()).or_default() += 1;
        let (Some(implied), Some(t)) = (d.implied_utc_offset, d.record.time_utc) else {
            return;
        };
        let site = d.name.site.clone().unwrap_or_else(|| "(none)".into());
        *self
            .offsets
            .entry(site)
            .or_default()
            .entry(implied)
            .or_default() += 1;
        let zone_offset = SignedDuration::from_secs(i64::from(zone.offset(t).seconds()));
        if zone_offset != implied {
            self.disagreeing += 1;
            if self.disagreements.len() < 5 {
                let at = format!("{}:{}", d.record.file, d.record.line);
                self.disagreements.push((at, implied, zone_offset));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn settings() -> Settings {
        Settings {
            window: SignedDuration::from_mins(30),
            host: None,
            as_of: None,
        }
    }

    fn located(event: Event) -> Located<'static, Event> {
        Located {
            file: Box::leak(Box::new(Arc::from("x.log"))),
            line: 7,
            event,
        }
    }

    fn request(
        client: u64,
        user: Option<&str>,
        post: Option<(&str, u64)>,
    ) -> Located<'static, Event> {
        located(Event::Request {
            client,
            user: user.map(|u| UserName::new(u.as_bytes())),
            page: path_key(post.map_or("/Home.aspx", |(p, _)| p).as_bytes()),
            post: post.map(|(_, ms)| Some(ms as u32)),
        })
    }

    fn get(client: u64, user: &str, page: &str) -> Located<'static, Event> {
        located(Event::Request {
            client,
            user: Some(UserName::new(user.as_bytes())),
            page: path_key(page.as_bytes()),
            post: None,
        })
    }

    fn download(
        client: u64,
        stem: &str,
        referer: Option<&str>,
        status: u64,
    ) -> Located<'static, Event> {
        let record = Record {
            file: Arc::from(""),
            line: 0,
            time_utc: None,
            method: Some("GET".into()),
            uri_stem: Some(stem.into()),
            uri_query: None,
            username: None,
            client_ip: Some("73.21.44.9".into()),
            user_agent: Some("UA".into()),
            referer: referer.map(Into::into),
            status: Some(status),
            substatus: Some(0),
            win32_status: Some(0),
            time_taken_ms: Some(10),
            server_ip: None,
            server_port: None,
            host: None,
            bytes_sent: None,
            bytes_received: None,
            extra: Vec::new(),
            replaced: false,
            invalid: Vec::new(),
        };
        located(Event::Download {
            client,
            record: Box::new(record),
            selected: true,
        })
    }

    const ZIP: &str = "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-11-16-16.zip";
    const PAGE: &str = "https://acme.angeltrack.com/DispatchesClosed.aspx";

    #[test]
    fn events_stay_small() {
        assert!(
            std::mem::size_of::<Event>() <= 48,
            "{}",
            std::mem::size_of::<Event>()
        );
    }

    #[test]
    fn user_names_in_place_read_as_the_text_of_their_bytes() {
        assert!(std::mem::size_of::<Option<UserName>>() <= 24);
        // Every length through each way of copying (and past it), with
        // bytes that differ at every position, some not UTF-8, some cut
        // in the middle of a character.
        let distinct: Vec<u8> = (b'a'..=b'z').chain(b'A'..=b'Z').collect();
        let accents = "éàü日本".repeat(8).into_bytes();
        let mut names: Vec<Vec<u8>> = Vec::new();
        for n in 0..=INLINE_NAME + 3 {
            names.push(distinct[..n].to_vec());
            names.push(accents[..n].to_vec());
            let mut bad = distinct[..n].to_vec();
            if n > 0 {
                bad[n / 2] = 0xff;
            }
            names.push(bad);
        }
        let long = "é".repeat(crate::w3c::record::MAX_HELD_VALUE).into_bytes();
        names.push(long);
        for bytes in &names {
            let mut want = String::from_utf8_lossy(bytes).into_owned();
            if bytes.len() > crate::w3c::record::MAX_HELD_VALUE {
                crate::w3c::record::clip(&mut want);
            }
            let user = UserName::new(bytes);
            assert_eq!(user.text(), want, "{bytes:?}");
            let inline = matches!(user, UserName::Inline { .. });
            assert_eq!(inline, bytes.len() <= INLINE_NAME, "{bytes:?}");
        }
    }

    #[test]
    fn consistent_export_with_its_build() {
        let mut t = Tracker::new(settings());
        t.observe(ts("2017-01-19T16:58:00Z"), request(1, Some("jsmith"), None));
        t.observe(
            ts("2017-01-19T16:58:07Z"),
            request(1, Some("jsmith"), Some(("/DispatchesClosed.aspx", 717))),
        );
        t.observe(
            ts("2017-01-19T17:16:17Z"),
            request(1, Some("JSmith"), Some(("/dispatchesclosed.aspx", 15126))),
        );
        let (d, _) = t
            .observe(
                ts("2017-01-19T17:16:30Z"),
                download(1, ZIP, Some(PAGE), 200),
            )
            .unwrap();
        assert_eq!(d.session_user.as_deref(), Some("JSmith"));
        // A second export from the same page counts only its own visit.
        t.observe(
            ts("2017-01-19T17:20:00Z"),
            get(1, "jsmith", "/DispatchesClosed.aspx"),
        );
        t.observe(
            ts("2017-01-19T17:21:00Z"),
            request(1, Some("jsmith"), Some(("/DispatchesClosed.aspx", 900))),
        );
        let (d2, _) = t
            .observe(
                ts("2017-01-19T17:22:00Z"),
                download(1, ZIP, Some(PAGE), 200),
            )
            .unwrap();
        assert_eq!((d2.export_posts, d2.build_ms), (Some(1), Some(900)));
        assert_eq!(d.attribution, Agreement::Consistent);
        assert_eq!(d.export_page.as_deref(), Some("/DispatchesClosed.aspx"));
        assert_eq!((d.export_posts, d.build_ms), (Some(2), Some(15126)));
        assert_eq!(d.outcome, Outcome::Completed);
        assert_eq!(
            d.implied_utc_offset.map(format_offset).as_deref(),
            Some("-06:00")
        );
        assert_eq!(
            d.replay_url.as_deref(),
            Some(
                "https://acme.angeltrack.com/temp/acme/AcmeAmbulance.jsmith.2017-01-19-11-16-16.zip"
            )
        );
        assert_eq!((d.record.file.as_ref(), d.record.line), ("x.log", 7));
    }

    #[test]
    fn another_users_client_is_a_conflict() {
        let mut t = Tracker::new(settings());
        t.observe(
            ts("2017-01-19T17:10:00Z"),
            request(2, Some("mwilliams"), None),
        );
        let (d, _) = t
            .observe(ts("2017-01-19T17:16:30Z"), download(2, ZIP, None, 200))
            .unwrap();
        assert_eq!(d.attribution, Agreement::Conflict);
        assert_eq!((d.export_page, d.export_posts), (None, None));
    }

    #[test]
    fn session_user_must_be_within_the_window() {
        let mut t = Tracker::new(settings());
        t.observe(ts("2017-01-19T16:00:00Z"), request(1, Some("jsmith"), None));
        let (d, _) = t
            .observe(
                ts("2017-01-19T17:16:30Z"),
                download(1, ZIP, Some(PAGE), 200),
            )
            .unwrap();
        assert_eq!(d.session_user, None);
        assert_eq!(d.attribution, Agreement::FileNameOnly);
        assert_eq!(d.export_posts, Some(0));
        t.observe(
            ts("2017-01-19T18:00:00Z"),
            request(3, None, Some(("/x.aspx", 1))),
        );
        assert_eq!(t.active_clients(), 1, "idle clients are forgotten");
    }

    #[test]
    fn other_files_and_outcomes() {
        let mut t = Tracker::new(Settings {
            as_of: Some(ts("2017-02-01T00:00:00Z")),
            host: Some("https://acme.example/".into()),
            ..settings()
        });
        t.observe(ts("2017-01-19T17:00:00Z"), request(1, Some("jdoe"), None));
        let (d, _) = t
            .observe(
                ts("2017-01-19T17:01:00Z"),
                download(1, "/temp/acme/PCR.48213.pdf", None, 404),
            )
            .unwrap();
        assert_eq!(d.attribution, Agreement::SessionOnly);
        assert_eq!(d.outcome, Outcome::Failed);
        assert_eq!(d.likely_purged, Some(true));
        assert_eq!(
            d.replay_url.as_deref(),
            Some("https://acme.example/temp/acme/PCR.48213.pdf")
        );
        assert_eq!(Outcome::of(Some(206), Some(0)), Outcome::Partial);
        assert_eq!(Outcome::of(Some(200), Some(995)), Outcome::Partial);
        assert_eq!(Outcome::of(Some(304), Some(0)), Outcome::Other);
        assert_eq!(Agreement::of(None, None), Agreement::Unknown);
    }

    #[test]
    fn implied_offsets() {
        let local = jiff::civil::datetime(2017, 1, 19, 9, 16, 16, 0);
        assert_eq!(
            implied_offset(local, ts("2017-01-19T17:16:30Z"))
                .map(format_offset)
                .as_deref(),
            Some("-08:00")
        );
        assert_eq!(implied_offset(local, ts("2017-01-29T17:16:30Z")), None);
        assert_eq!(
            format_offset(SignedDuration::from_secs(5 * 3600 + 1800)),
            "+05:30"
        );
        // Fetched ten minutes after the build: still the zone's offset.
        let built = jiff::civil::datetime(2017, 1, 19, 15, 30, 0, 0);
        assert_eq!(
            implied_offset(built, ts("2017-01-19T21:40:09Z"))
                .map(format_offset)
                .as_deref(),
            Some("-06:00")
        );
    }

    #[test]
    fn url_parts() {
        assert_eq!(
            url_path("https://h/DispatchesClosed.aspx?x=1").as_deref(),
            Some("/DispatchesClosed.aspx")
        );
        assert_eq!(url_path("https://h").as_deref(), Some("/"));
        assert_eq!(
            url_host("https://acme.angeltrack.com/x").as_deref(),
            Some("acme.angeltrack.com")
        );
        assert_eq!(url_path("-"), None);
    }
}
