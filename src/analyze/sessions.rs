//! Sessions: requests grouped into what one person did in one sitting.
//!
//! Authenticated requests belong to their user's session; the anonymous ones
//! around them (images, scripts, `/temp/` downloads, the logon page itself)
//! carry no login name and are joined by client: the same address and
//! browser ([`client_key`]). A client is owned by the user who last
//! authenticated from it; an anonymous request goes to that user's session
//! while both are active, otherwise to an anonymous session of the client,
//! which the user's session absorbs if someone then logs on from it. A
//! session ends when the person did nothing for longer than the idle time:
//! timed polling ([`super::polling`]) does not count as doing something.
//! Polling requests are counted in the session open for their client, not
//! listed as pages, and open no session of their own.
//!
//! The tracker sees the requests as one time-ordered stream and keeps state
//! only for the active sessions and the clients they own: a session leaves
//! memory as soon as it ends, so memory does not grow with the input.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::export::is_download;
use super::polling::{Kind, PollingRule, is_endpoint};
use super::{Located, client_key, path_key};
use crate::w3c::{Column, Row};

/// Extensions of static assets: requested by the browser on its own (with no
/// login name), not pages a person chose to visit.
const STATIC: &[&str] = &[
    "png", "gif", "jpg", "jpeg", "ico", "css", "js", "map", "woff", "woff2", "ttf", "svg", "axd",
];

/// What a session needs of one request, taken from the row on the cores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionEvent {
    /// The login name as logged (`None` for `-`).
    pub user: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub method: Option<String>,
    pub stem: Option<String>,
    pub status: Option<u64>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// A GET or HEAD under `/temp/` (see [`is_download`]), whatever its status.
    pub download: bool,
    /// [`client_key`] of the address and user agent.
    pub client: u64,
}

impl SessionEvent {
    pub fn from_row(row: &Row<'_>) -> SessionEvent {
        let ip = row.raw(Column::ClientIp);
        let agent = row.raw(Column::UserAgent);
        let method = row.raw(Column::Method);
        let stem = row.raw(Column::UriStem);
        let download = match (&method, &stem) {
            (Some(m), Some(s)) => is_download(m, s),
            _ => false,
        };
        // Held while the session is open: cut past a few KiB.
        let text = |b: &Option<std::borrow::Cow<'_, [u8]>>| {
            b.as_ref().map(|b| {
                let mut s = String::from_utf8_lossy(b).into_owned();
                crate::w3c::record::clip(&mut s);
                s
            })
        };
        SessionEvent {
            user: row.text(Column::Username).map(|mut u| {
                crate::w3c::record::clip(&mut u);
                u
            }),
            client: client_key(
                ip.as_deref().unwrap_or_default(),
                agent.as_deref().unwrap_or_default(),
            ),
            client_ip: text(&ip),
            user_agent: text(&agent),
            method: text(&method),
            stem: text(&stem),
            status: row.number(Column::Status),
            bytes_sent: row.number(Column::BytesSent),
            bytes_received: row.number(Column::BytesReceived),
            download,
        }
    }

    fn is_post(&self) -> bool {
        self.method
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
    }
}

/// A login name in lower case, without a copy when it is already (most are).
fn lowercase(name: &str) -> std::borrow::Cow<'_, str> {
    if name
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        std::borrow::Cow::Owned(name.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// Whether a path is a static asset, by the extension of its last segment.
pub fn is_static(stem: &str) -> bool {
    let b = stem.as_bytes();
    // The extension of the last segment: after its last dot, if any.
    let Some(dot) = memchr::memrchr(b'.', b) else {
        return false;
    };
    let ext = &b[dot + 1..];
    ext.len() <= 5
        && !ext.contains(&b'/')
        && STATIC
            .iter()
            .any(|s| ext.eq_ignore_ascii_case(s.as_bytes()))
}

/// One session, once it has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The login name as first logged in the session; `None` for a client
    /// that never authenticated.
    pub user: Option<String>,
    /// Client addresses, in the order they were first seen.
    pub client_ips: Vec<String>,
    /// The first user agent seen.
    pub user_agent: Option<String>,
    /// Any other user agents, in the order they were first seen.
    pub other_user_agents: Vec<String>,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Every request, polling included.
    pub requests: u64,
    /// POST requests that were not polling.
    pub posts: u64,
    /// Requests that were timed polling ([`super::polling`]).
    pub polling: u64,
    /// The paths polled, in the order first polled, with their requests.
    pub polling_paths: Vec<Polled>,
    /// The requests that are neither static assets, downloads nor polling,
    /// in order, with consecutive repeats of a path folded into one.
    pub pages: Vec<Page>,
    /// Paths of the `/temp/` downloads (every attempt, whatever its status).
    pub downloads: Vec<String>,
    /// Sums of what was logged; `None` when no request had the field.
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// What the lists above leave out, past their limits.
    pub not_listed: NotListed,
    /// Where the session's first request is.
    pub file: Arc<str>,
    pub line: u64,
}

/// A page of a session's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    /// The first request of the page.
    pub time: Timestamp,
    /// The requests folded into it: the page and its consecutive repeats
    /// (postbacks, reloads).
    pub requests: u64,
}

/// A path polled in a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Polled {
    pub path: String,
    pub requests: u64,
}

impl Session {
    /// The order sessions are reported in: by end (the order they close in a
    /// stream), then start, user, and place in the input.
    pub fn report_order(&self, other: &Session) -> Ordering {
        (self.end, self.start, &self.user, &self.file, self.line).cmp(&(
            other.end,
            other.start,
            &other.user,
            &other.file,
            other.line,
        ))
    }
}

/// A point in the stream: the request's time, then its arrival (ties in
/// time keep the order the requests came in).
type Seq = (Timestamp, u64);

/// Distinct addresses or user agents listed per session at most.
pub const MAX_LISTED_VALUES: usize = 1_000;
/// Pages, and downloads, listed per session at most.
pub const MAX_LISTED_PATHS: usize = 10_000;
/// Distinct polled paths listed per session at most.
pub const MAX_POLLING_PATHS: usize = 100;

/// What a session's lists leave out, past [`MAX_LISTED_VALUES`] and
/// [`MAX_LISTED_PATHS`] and [`MAX_POLLING_PATHS`]: requests whose address
/// (user agent) is not listed, pages and downloads not listed, and polling
/// requests of paths not listed. Memory follows the limits, not a
/// flood of distinct values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotListed {
    pub client_ips: u64,
    pub user_agents: u64,
    pub pages: u64,
    pub downloads: u64,
    pub polling_paths: u64,
}

impl NotListed {
    pub fn any(&self) -> bool {
        *self != NotListed::default()
    }
}

/// Distinct values with the point each was first seen, up to a limit.
#[derive(Debug, Default)]
struct FirstSeen {
    first: foldhash::HashMap<String, Seq>,
    /// Values not kept, the list being full.
    not_listed: u64,
}

impl FirstSeen {
    fn add(&mut self, at: Seq, value: String) {
        let full = self.first.len() >= MAX_LISTED_VALUES;
        match self.first.entry(value) {
            Entry::Occupied(mut e) => {
                if at < *e.get() {
                    e.insert(at);
                }
            }
            Entry::Vacant(_) if full => self.not_listed += 1,
            Entry::Vacant(e) => {
                e.insert(at);
            }
        }
    }

    fn merge(&mut self, other: FirstSeen) {
        self.not_listed += other.not_listed;
        let mut theirs: Vec<(Seq, String)> =
            other.first.into_iter().map(|(v, at)| (at, v)).collect();
        theirs.sort_unstable();
        for (at, value) in theirs {
            self.add(at, value);
        }
    }

    fn into_vec(self) -> Vec<String> {
        let mut all: Vec<(Seq, String)> = self.first.into_iter().map(|(v, at)| (at, v)).collect();
        all.sort_unstable();
        all.into_iter().map(|(_, v)| v).collect()
    }
}

/// Paths in stream order; optionally with consecutive repeats folded (and
/// counted); up to [`MAX_LISTED_PATHS`] of them.
#[derive(Debug)]
struct Timeline {
    /// When, what, and how many requests were folded into it.
    entries: Vec<(Seq, String, u64)>,
    fold: bool,
    /// Entries not kept, the list being full.
    not_listed: u64,
}

impl Timeline {
    fn new(fold: bool) -> Timeline {
        Timeline {
            entries: Vec::new(),
            fold,
            not_listed: 0,
        }
    }

    fn add(&mut self, at: Seq, path: String) {
        // IIS paths are case-insensitive: `/home.aspx` repeats `/Home.aspx`.
        let fold = self.fold;
        let same = |e: &(Seq, String, u64)| fold && e.1.eq_ignore_ascii_case(&path);
        if self.entries.last().is_none_or(|(last, _, _)| *last <= at) {
            let full = self.entries.len() >= MAX_LISTED_PATHS;
            match self.entries.last_mut() {
                Some(e) if same(e) => e.2 += 1,
                _ if full => self.not_listed += 1,
                _ => self.entries.push((at, path, 1)),
            }
            return;
        }
        // A late request (inputs overlapping in time): put it in its place.
        let pos = self.entries.partition_point(|(e, _, _)| *e <= at);
        if let Some(e) = pos.checked_sub(1).and_then(|p| self.entries.get_mut(p))
            && same(e)
        {
            e.2 += 1;
            return;
        }
        if let Some(e) = self.entries.get_mut(pos)
            && same(e)
        {
            e.0 = at;
            e.2 += 1;
            return;
        }
        self.entries.insert(pos, (at, path, 1));
        self.cap();
    }

    fn merge(&mut self, other: Timeline) {
        self.not_listed += other.not_listed;
        self.entries.extend(other.entries);
        self.entries.sort_by_key(|(at, _, _)| *at);
        if self.fold {
            self.entries.dedup_by(|b, a| {
                let same = a.1.eq_ignore_ascii_case(&b.1);
                if same {
                    a.2 += b.2;
                }
                same
            });
        }
        self.cap();
    }

    /// Keeps the first [`MAX_LISTED_PATHS`] entries, counting the rest.
    fn cap(&mut self) {
        if self.entries.len() > MAX_LISTED_PATHS {
            self.not_listed += (self.entries.len() - MAX_LISTED_PATHS) as u64;
            self.entries.truncate(MAX_LISTED_PATHS);
        }
    }

    fn into_paths(self) -> Vec<String> {
        self.entries.into_iter().map(|(_, p, _)| p).collect()
    }

    fn into_pages(self) -> Vec<Page> {
        self.entries
            .into_iter()
            .map(|((time, _), path, requests)| Page {
                path,
                time,
                requests,
            })
            .collect()
    }
}

/// Polled paths with their requests, in the order first polled, up to
/// [`MAX_POLLING_PATHS`]; few per client, so searched in a list.
#[derive(Debug, Default)]
struct PollingPaths {
    /// [`path_key`], the path, first polled, requests.
    paths: Vec<(u64, String, Seq, u64)>,
    not_listed: u64,
}

impl PollingPaths {
    fn add(&mut self, at: Seq, path: &str, requests: u64) {
        let key = path_key(path.as_bytes());
        if let Some(p) = self.paths.iter_mut().find(|p| p.0 == key) {
            p.2 = p.2.min(at);
            p.3 += requests;
        } else if self.paths.len() >= MAX_POLLING_PATHS {
            self.not_listed += requests;
        } else {
            self.paths.push((key, path.to_string(), at, requests));
        }
    }

    fn merge(&mut self, other: PollingPaths) {
        self.not_listed += other.not_listed;
        for (_, path, at, requests) in other.paths {
            self.add(at, &path, requests);
        }
    }

    fn into_vec(mut self) -> Vec<Polled> {
        self.paths.sort_by_key(|p| p.2);
        self.paths
            .into_iter()
            .map(|(_, path, _, requests)| Polled { path, requests })
            .collect()
    }
}

/// A session still taking requests.
#[derive(Debug)]
struct Open {
    user: Option<String>,
    /// `user`, lowercased: the key of `SessionTracker::by_user`.
    user_key: Option<String>,
    /// For an anonymous session, its client.
    anonymous_client: Option<u64>,
    /// Clients this session's user authenticated from.
    owned: HashSet<u64>,
    ips: FirstSeen,
    agents: FirstSeen,
    start: Seq,
    /// The latest request time.
    last: Timestamp,
    file: Arc<str>,
    line: u64,
    requests: u64,
    posts: u64,
    polling: u64,
    polling_paths: PollingPaths,
    pages: Timeline,
    downloads: Timeline,
    bytes_sent: Option<u64>,
    bytes_received: Option<u64>,
}

impl Open {
    fn new(at: Seq, file: Arc<str>, line: u64) -> Open {
        Open {
            user: None,
            user_key: None,
            anonymous_client: None,
            owned: HashSet::new(),
            ips: FirstSeen::default(),
            agents: FirstSeen::default(),
            start: at,
            last: at.0,
            file,
            line,
            requests: 0,
            posts: 0,
            polling: 0,
            polling_paths: PollingPaths::default(),
            pages: Timeline::new(true),
            downloads: Timeline::new(false),
            bytes_sent: None,
            bytes_received: None,
        }
    }

    fn add(&mut self, at: Seq, ev: Located<SessionEvent>) {
        self.last = self.last.max(at.0);
        let (stem, post, download) = self.count(at, ev);
        self.posts += u64::from(post);
        if let Some(stem) = stem {
            if download {
                self.downloads.add(at, stem);
            } else if !is_static(&stem) {
                self.pages.add(at, stem);
            }
        }
    }

    /// Counts a polling request: it is not listed, and does not move the
    /// session's end.
    fn add_polling(&mut self, at: Seq, ev: Located<SessionEvent>) {
        self.polling += 1;
        if let (Some(stem), _, _) = self.count(at, ev) {
            self.polling_paths.add(at, &stem, 1);
        }
    }

    /// What every request adds (its start, count, bytes, address and user
    /// agent); returns its path, whether it is a POST and a download.
    fn count(&mut self, at: Seq, ev: Located<SessionEvent>) -> (Option<String>, bool, bool) {
        if at < self.start {
            self.start = at;
            self.file = ev.file.clone();
            self.line = ev.line;
        }
        let e = ev.event;
        self.requests += 1;
        self.bytes_sent = add_logged(self.bytes_sent, e.bytes_sent);
        self.bytes_received = add_logged(self.bytes_received, e.bytes_received);
        let post = e.is_post();
        if let Some(ip) = e.client_ip {
            self.ips.add(at, ip);
        }
        if let Some(agent) = e.user_agent {
            self.agents.add(at, agent);
        }
        (e.stem, post, e.download)
    }

    /// Takes in another session of the same person (the anonymous requests
    /// made from a client before its user logged on).
    fn absorb(&mut self, other: Open) {
        if other.start < self.start {
            self.start = other.start;
            self.file = other.file;
            self.line = other.line;
        }
        self.last = self.last.max(other.last);
        self.requests += other.requests;
        self.posts += other.posts;
        self.polling += other.polling;
        self.polling_paths.merge(other.polling_paths);
        self.bytes_sent = add_logged(self.bytes_sent, other.bytes_sent);
        self.bytes_received = add_logged(self.bytes_received, other.bytes_received);
        self.ips.merge(other.ips);
        self.agents.merge(other.agents);
        self.pages.merge(other.pages);
        self.downloads.merge(other.downloads);
        self.owned.extend(other.owned);
    }

    fn into_session(self) -> Session {
        let not_listed = NotListed {
            client_ips: self.ips.not_listed,
            user_agents: self.agents.not_listed,
            pages: self.pages.not_listed,
            downloads: self.downloads.not_listed,
            polling_paths: self.polling_paths.not_listed,
        };
        let mut agents = self.agents.into_vec().into_iter();
        Session {
            user: self.user,
            client_ips: self.ips.into_vec(),
            user_agent: agents.next(),
            other_user_agents: agents.collect(),
            start: self.start.0,
            end: self.last,
            requests: self.requests,
            posts: self.posts,
            polling: self.polling,
            polling_paths: self.polling_paths.into_vec(),
            pages: self.pages.into_pages(),
            downloads: self.downloads.into_paths(),
            bytes_sent: self.bytes_sent,
            bytes_received: self.bytes_received,
            not_listed,
            file: self.file,
            line: self.line,
        }
    }
}

fn add_logged(sum: Option<u64>, value: Option<u64>) -> Option<u64> {
    match (sum, value) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, b) => a.or(b),
    }
}

/// Which session a client's anonymous requests go to, and when the client
/// was last seen.
#[derive(Debug)]
struct Owner {
    session: u64,
    seen: Timestamp,
}

/// Groups a time-ordered stream of requests into sessions.
pub struct SessionTracker {
    idle: SignedDuration,
    open: HashMap<u64, Open>,
    /// Open sessions by their latest request, to end them in order.
    by_end: BTreeSet<(Timestamp, u64)>,
    by_user: HashMap<String, u64>,
    /// Anonymous sessions by client.
    by_client: HashMap<u64, u64>,
    owners: HashMap<u64, Owner>,
    polling: PollingRule,
    /// Polling requests that came while their client had no open session.
    polling_outside: u64,
    next_id: u64,
    arrivals: u64,
}

impl SessionTracker {
    /// A session ends after `idle` without requests other than polling (a
    /// gap of exactly `idle` does not end it).
    pub fn new(idle: SignedDuration) -> SessionTracker {
        SessionTracker {
            idle,
            open: HashMap::new(),
            by_end: BTreeSet::new(),
            by_user: HashMap::new(),
            by_client: HashMap::new(),
            owners: HashMap::new(),
            polling: PollingRule::new(idle),
            polling_outside: 0,
            next_id: 0,
            arrivals: 0,
        }
    }

    /// Adds a request at `t`, and returns the sessions that ended before it
    /// (their last request is more than `idle` before `t`), in report order.
    pub fn observe(&mut self, t: Timestamp, ev: Located<SessionEvent>) -> Vec<Session> {
        let mut ended = Vec::new();
        while let Some(&(last, id)) = self.by_end.first() {
            if t.duration_since(last) <= self.idle {
                break;
            }
            self.by_end.pop_first();
            if let Some(s) = self.close(id) {
                ended.push(s);
            }
        }
        // Stable: ties keep the order they were popped in (end, creation).
        ended.sort_by(Session::report_order);
        let at = (t, self.arrivals);
        self.arrivals += 1;
        if self.is_polling(t, &ev.event) {
            match self.polled_session(t, &ev.event) {
                Some(id) => {
                    if let Some(s) = self.open.get_mut(&id) {
                        s.add_polling(at, ev);
                    }
                }
                None => self.polling_outside += 1,
            }
            return ended;
        }
        let id = self.assign(at, &ev);
        if let Some(s) = self.open.get_mut(&id) {
            let before = s.last;
            s.add(at, ev);
            if s.last != before {
                self.by_end.remove(&(before, id));
                self.by_end.insert((s.last, id));
            }
        }
        ended
    }

    /// Ends every session still open, in report order.
    pub fn finish(mut self) -> Vec<Session> {
        let mut ids: Vec<u64> = self.open.keys().copied().collect();
        // Creation order breaks ties in the report order (not map order).
        ids.sort_unstable();
        let mut ended: Vec<Session> = ids.into_iter().filter_map(|id| self.close(id)).collect();
        ended.sort_by(Session::report_order);
        ended
    }

    /// Sessions open now.
    pub fn active(&self) -> usize {
        self.open.len()
    }

    /// Polling requests so far that came while no session was open for
    /// their client (a page left open after its user left): in no session.
    pub fn polling_outside_sessions(&self) -> u64 {
        self.polling_outside
    }

    fn is_polling(&mut self, t: Timestamp, e: &SessionEvent) -> bool {
        let Some(stem) = e.stem.as_deref() else {
            return false;
        };
        let kind = if e.download || is_static(stem) {
            Kind::Other
        } else if is_endpoint(stem) {
            Kind::Endpoint
        } else {
            Kind::Page
        };
        self.polling.is_polling(t, e.client, stem, kind)
    }

    /// The open session a polling request counts in, if any: its user's,
    /// else the one its client's anonymous requests go to. None is created.
    fn polled_session(&self, t: Timestamp, e: &SessionEvent) -> Option<u64> {
        if let Some(name) = &e.user
            && let Some(&id) = self.by_user.get(lowercase(name).as_ref())
        {
            return Some(id);
        }
        if let Some(owner) = self.owners.get(&e.client)
            && self.open.contains_key(&owner.session)
            && t.duration_since(owner.seen) <= self.idle
        {
            return Some(owner.session);
        }
        self.by_client.get(&e.client).copied()
    }

    /// The session a request belongs to (created if needed).
    fn assign(&mut self, at: Seq, ev: &Located<SessionEvent>) -> u64 {
        let e = &ev.event;
        let Some(name) = &e.user else {
            return self.assign_anonymous(at, ev);
        };
        let key = lowercase(name).into_owned();
        let anonymous = self.by_client.remove(&e.client);
        let id = match (self.by_user.get(&key).copied(), anonymous) {
            (Some(id), Some(anon)) => {
                if let Some(other) = self.open.remove(&anon) {
                    self.by_end.remove(&(other.last, anon));
                    if let Some(s) = self.open.get_mut(&id) {
                        let before = s.last;
                        s.absorb(other);
                        if s.last != before {
                            self.by_end.remove(&(before, id));
                            self.by_end.insert((s.last, id));
                        }
                    }
                }
                id
            }
            (Some(id), None) => id,
            (None, anonymous) => {
                // The client's anonymous session becomes the user's.
                let id = match anonymous.filter(|a| self.open.contains_key(a)) {
                    Some(anon) => anon,
                    None => self.create(at, ev),
                };
                if let Some(s) = self.open.get_mut(&id) {
                    s.user = Some(name.clone());
                    s.user_key = Some(key.clone());
                    s.anonymous_client = None;
                }
                self.by_user.insert(key, id);
                id
            }
        };
        if let Some(s) = self.open.get_mut(&id) {
            s.owned.insert(e.client);
        }
        self.owners.insert(
            e.client,
            Owner {
                session: id,
                seen: at.0,
            },
        );
        id
    }

    fn assign_anonymous(&mut self, at: Seq, ev: &Located<SessionEvent>) -> u64 {
        let client = ev.event.client;
        if let Some(owner) = self.owners.get_mut(&client)
            && self.open.contains_key(&owner.session)
            && at.0.duration_since(owner.seen) <= self.idle
        {
            owner.seen = owner.seen.max(at.0);
            return owner.session;
        }
        if let Some(&id) = self.by_client.get(&client) {
            return id;
        }
        let id = self.create(at, ev);
        if let Some(s) = self.open.get_mut(&id) {
            s.anonymous_client = Some(client);
        }
        self.by_client.insert(client, id);
        id
    }

    fn create(&mut self, at: Seq, ev: &Located<SessionEvent>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.open
            .insert(id, Open::new(at, ev.file.clone(), ev.line));
        self.by_end.insert((at.0, id));
        id
    }

    /// Removes a session and everything that points to it.
    fn close(&mut self, id: u64) -> Option<Session> {
        let s = self.open.remove(&id)?;
        self.by_end.remove(&(s.last, id));
        if let Some(key) = &s.user_key
            && self.by_user.get(key) == Some(&id)
        {
            self.by_user.remove(key);
        }
        if let Some(client) = s.anonymous_client
            && self.by_client.get(&client) == Some(&id)
        {
            self.by_client.remove(&client);
        }
        for client in &s.owned {
            if self.owners.get(client).is_some_and(|o| o.session == id) {
                self.owners.remove(client);
            }
        }
        Some(s.into_session())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::w3c::FieldMap;

    const A: &str = "Mozilla/5.0+(Macintosh)+Chrome/55";
    const B: &str = "Mozilla/5.0+(Windows+NT+10.0)+Chrome/55";

    fn ts(hms: &str) -> Timestamp {
        format!("2017-01-19T{hms}Z").parse().unwrap()
    }

    fn ev(user: Option<&str>, ip: &str, agent: &str, method: &str, stem: &str) -> SessionEvent {
        SessionEvent {
            user: user.map(str::to_string),
            client_ip: Some(ip.to_string()),
            user_agent: Some(agent.to_string()),
            method: Some(method.to_string()),
            stem: Some(stem.to_string()),
            status: Some(200),
            bytes_sent: None,
            bytes_received: None,
            download: is_download(method.as_bytes(), stem.as_bytes()),
            client: client_key(ip.as_bytes(), agent.as_bytes()),
        }
    }

    fn at(file: &str, line: u64, event: SessionEvent) -> Located<'static, SessionEvent> {
        Located {
            file: Box::leak(Box::new(Arc::from(file))),
            line,
            event,
        }
    }

    /// Runs a stream through a tracker; returns every session, in the order
    /// they were reported.
    fn sessions(idle_mins: i64, stream: Vec<(&str, SessionEvent)>) -> Vec<Session> {
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(idle_mins));
        let mut out = Vec::new();
        for (i, (time, e)) in stream.into_iter().enumerate() {
            out.extend(tracker.observe(ts(time), at("u_ex170119.log", i as u64 + 5, e)));
        }
        out.extend(tracker.finish());
        out
    }

    #[test]
    fn a_flood_of_distinct_values_is_listed_up_to_the_limits_and_counted_past_them() {
        // One user, one second, a new address and a new page on every
        // request: the lists stop at their limits, the rest is counted.
        let n = 2 * MAX_LISTED_PATHS + 7;
        let stream: Vec<(&str, SessionEvent)> = (0..n)
            .map(|i| {
                let ip = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
                let page = format!("/Page{i}.aspx");
                let mut e = ev(Some("jsmith"), &ip, A, "GET", &page);
                if i % 2 == 0 {
                    e.download = true;
                    e.stem = Some(format!("/temp/acme/X{i}.zip"));
                }
                ("10:00:00", e)
            })
            .collect();
        let all = sessions(30, stream);
        assert_eq!(all.len(), 1);
        let s = &all[0];
        assert_eq!(s.requests, n as u64);
        assert_eq!(s.client_ips.len(), MAX_LISTED_VALUES);
        assert_eq!(s.client_ips[0], "10.0.0.0", "the first ones are listed");
        assert_eq!(
            s.not_listed,
            NotListed {
                client_ips: (n - MAX_LISTED_VALUES) as u64,
                user_agents: 0,
                pages: 3,
                downloads: 4,
                polling_paths: 0,
            }
        );
        assert_eq!(s.pages.len(), MAX_LISTED_PATHS);
        assert_eq!(s.downloads[0], "/temp/acme/X0.zip");
    }

    fn paths(session: &Session) -> Vec<&str> {
        session.pages.iter().map(|p| p.path.as_str()).collect()
    }

    fn users(sessions: &[Session]) -> Vec<Option<&str>> {
        sessions.iter().map(|s| s.user.as_deref()).collect()
    }

    #[test]
    fn authenticated_requests_are_grouped_by_user() {
        let out = sessions(
            30,
            vec![
                (
                    "10:00:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "10:00:05",
                    ev(Some("jdoe"), "2.2.2.2", B, "GET", "/Home.aspx"),
                ),
                (
                    "10:01:00",
                    ev(Some("JSmith"), "1.1.1.1", A, "POST", "/Home.aspx"),
                ),
                (
                    "10:02:00",
                    ev(Some("jsmith"), "3.3.3.3", A, "GET", "/Patients.aspx"),
                ),
                (
                    "10:03:00",
                    ev(Some("jdoe"), "2.2.2.2", B, "GET", "/Dispatch.aspx"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jsmith"), Some("jdoe")]);
        let jsmith = &out[0];
        assert_eq!((jsmith.requests, jsmith.posts), (3, 1));
        assert_eq!(jsmith.client_ips, ["1.1.1.1", "3.3.3.3"]);
        assert_eq!(paths(jsmith), ["/Home.aspx", "/Patients.aspx"]);
        assert_eq!((jsmith.start, jsmith.end), (ts("10:00:00"), ts("10:02:00")));
        assert_eq!((&*jsmith.file, jsmith.line), ("u_ex170119.log", 5));
        assert_eq!(out[1].requests, 2);
        assert_eq!(out[1].line, 6);
    }

    #[test]
    fn anonymous_requests_join_the_session_of_the_client_owner() {
        let out = sessions(
            30,
            vec![
                (
                    "10:00:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Dispatch.aspx"),
                ),
                (
                    "10:00:01",
                    ev(None, "1.1.1.1", A, "GET", "/images/Suitcase.zip.gif"),
                ),
                (
                    "10:00:02",
                    ev(None, "1.1.1.1", A, "GET", "/temp/acme/X.jsmith.zip"),
                ),
                // Same address, another browser: not jsmith's.
                (
                    "10:00:03",
                    ev(None, "1.1.1.1", B, "GET", "/temp/acme/Y.zip"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jsmith"), None]);
        assert_eq!(out[0].requests, 3);
        assert_eq!(out[0].downloads, ["/temp/acme/X.jsmith.zip"]);
        assert_eq!(paths(&out[0]), ["/Dispatch.aspx"]);
        assert_eq!(out[1].downloads, ["/temp/acme/Y.zip"]);
        assert_eq!(out[1].user_agent.as_deref(), Some(B));
    }

    #[test]
    fn anonymous_session_before_logon_is_merged_into_the_users_session() {
        let out = sessions(
            30,
            vec![
                ("10:00:00", ev(None, "1.1.1.1", A, "GET", "/Logon.aspx")),
                (
                    "10:00:01",
                    ev(None, "1.1.1.1", A, "GET", "/images/logo.png"),
                ),
                ("10:00:20", ev(None, "1.1.1.1", A, "POST", "/Logon.aspx")),
                (
                    "10:00:21",
                    ev(Some("jdoe"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jdoe")]);
        assert_eq!(out[0].requests, 4);
        assert_eq!(out[0].posts, 1);
        assert_eq!(paths(&out[0]), ["/Logon.aspx", "/Home.aspx"]);
        assert_eq!(out[0].start, ts("10:00:00"));
        assert_eq!(out[0].line, 5);
    }

    #[test]
    fn anonymous_session_merges_into_a_session_already_open_elsewhere() {
        let out = sessions(
            30,
            vec![
                (
                    "10:00:00",
                    ev(Some("jdoe"), "2.2.2.2", B, "GET", "/Home.aspx"),
                ),
                ("10:01:00", ev(None, "1.1.1.1", A, "GET", "/Logon.aspx")),
                (
                    "10:02:00",
                    ev(Some("jdoe"), "2.2.2.2", B, "GET", "/Patients.aspx"),
                ),
                (
                    "10:03:00",
                    ev(Some("jdoe"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jdoe")]);
        assert_eq!(
            paths(&out[0]),
            ["/Home.aspx", "/Logon.aspx", "/Patients.aspx", "/Home.aspx"]
        );
        assert_eq!(out[0].client_ips, ["2.2.2.2", "1.1.1.1"]);
        assert_eq!(out[0].user_agent.as_deref(), Some(B));
        assert_eq!(out[0].other_user_agents, [A]);
        assert_eq!(out[0].requests, 4);
    }

    #[test]
    fn idle_gap_splits_sessions_and_exact_idle_does_not() {
        let out = sessions(
            30,
            vec![
                (
                    "10:00:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "10:30:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "11:00:01",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
            ],
        );
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].start, out[0].end), (ts("10:00:00"), ts("10:30:00")));
        assert_eq!(out[1].start, ts("11:00:01"));
    }

    #[test]
    fn ended_sessions_are_reported_when_the_stream_passes_their_idle_time() {
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(1));
        let e = |u: &str| at("f", 1, ev(Some(u), "1.1.1.1", A, "GET", "/Home.aspx"));
        assert!(tracker.observe(ts("10:00:00"), e("a")).is_empty());
        assert!(tracker.observe(ts("10:00:30"), e("b")).is_empty());
        assert!(tracker.observe(ts("10:01:00"), e("c")).is_empty());
        assert_eq!(tracker.active(), 3);
        let ended = tracker.observe(ts("10:01:31"), e("d"));
        assert_eq!(users(&ended), [Some("a"), Some("b")]);
        assert_eq!(tracker.active(), 2);
        assert_eq!(users(&tracker.finish()), [Some("c"), Some("d")]);
    }

    #[test]
    fn client_ownership_ends_with_the_owners_session() {
        let out = sessions(
            1,
            vec![
                (
                    "10:00:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "10:05:00",
                    ev(None, "1.1.1.1", A, "GET", "/temp/acme/X.zip"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jsmith"), None]);
        assert_eq!(out[1].downloads, ["/temp/acme/X.zip"]);
    }

    #[test]
    fn a_client_that_idled_is_not_joined_to_its_owners_ongoing_session() {
        let out = sessions(
            30,
            vec![
                (
                    "10:00:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "10:20:00",
                    ev(Some("jsmith"), "3.3.3.3", B, "GET", "/Home.aspx"),
                ),
                (
                    "10:40:00",
                    ev(Some("jsmith"), "3.3.3.3", B, "GET", "/Home.aspx"),
                ),
                // jsmith's session is active, but this client was last seen 45 minutes ago.
                (
                    "10:45:00",
                    ev(None, "1.1.1.1", A, "GET", "/temp/acme/X.zip"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jsmith"), None]);
        assert!(out[0].downloads.is_empty());
    }

    #[test]
    fn another_user_logging_on_takes_the_client_over() {
        let out = sessions(
            30,
            vec![
                (
                    "10:00:00",
                    ev(Some("jsmith"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "10:01:00",
                    ev(Some("jdoe"), "1.1.1.1", A, "GET", "/Home.aspx"),
                ),
                (
                    "10:01:01",
                    ev(None, "1.1.1.1", A, "GET", "/temp/acme/X.zip"),
                ),
            ],
        );
        assert_eq!(users(&out), [Some("jsmith"), Some("jdoe")]);
        assert!(out[0].downloads.is_empty());
        assert_eq!(out[1].downloads, ["/temp/acme/X.zip"]);
    }

    #[test]
    fn pages_fold_consecutive_repeats_and_leave_out_assets_and_downloads() {
        let u = Some("jsmith");
        let out = sessions(
            30,
            vec![
                ("10:00:00", ev(u, "1.1.1.1", A, "GET", "/Dispatch.aspx")),
                ("10:00:01", ev(u, "1.1.1.1", A, "POST", "/Dispatch.aspx")),
                ("10:00:02", ev(None, "1.1.1.1", A, "GET", "/scripts/app.JS")),
                (
                    "10:00:03",
                    ev(None, "1.1.1.1", A, "GET", "/WebResource.axd"),
                ),
                ("10:00:04", ev(u, "1.1.1.1", A, "POST", "/Dispatch.aspx")),
                (
                    "10:00:05",
                    ev(None, "1.1.1.1", A, "GET", "/temp/acme/X.zip"),
                ),
                (
                    "10:00:06",
                    ev(u, "1.1.1.1", A, "POST", "/temp/acme/upload.ashx"),
                ),
                (
                    "10:00:07",
                    ev(None, "1.1.1.1", A, "GET", "/images/temp/spinner.gif"),
                ),
                ("10:00:08", ev(u, "1.1.1.1", A, "GET", "/Home.aspx")),
                ("10:00:09", ev(u, "1.1.1.1", A, "GET", "/Dispatch.aspx")),
                ("10:00:10", ev(u, "1.1.1.1", A, "POST", "/dispatch.ASPX")),
            ],
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            paths(&out[0]),
            [
                "/Dispatch.aspx",
                "/temp/acme/upload.ashx",
                "/Home.aspx",
                "/Dispatch.aspx"
            ]
        );
        assert_eq!(out[0].downloads, ["/temp/acme/X.zip"]);
        assert_eq!((out[0].requests, out[0].posts), (11, 4));
        let folded: Vec<(Timestamp, u64)> =
            out[0].pages.iter().map(|p| (p.time, p.requests)).collect();
        assert_eq!(
            folded,
            [
                (ts("10:00:00"), 3),
                (ts("10:00:06"), 1),
                (ts("10:00:08"), 1),
                (ts("10:00:09"), 2)
            ]
        );
    }

    /// A dispatch board left open from 17:00 to 08:00 the next morning,
    /// polling every `every` seconds; its user's actions at 17:00 and 08:00.
    fn board_left_open_overnight(poll: &str, method: &str, every: i64) -> (Vec<Session>, u64) {
        let t0 = "2023-03-01T17:00:00Z".parse::<Timestamp>().unwrap();
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(30));
        let mut out = Vec::new();
        let u = Some("charles.garcia");
        let mut line = 0;
        let mut send = |tracker: &mut SessionTracker, secs: i64, e: SessionEvent| {
            line += 1;
            let t = t0 + SignedDuration::from_secs(secs);
            out.extend(tracker.observe(t, at("u_ex.log", line, e)));
        };
        send(
            &mut tracker,
            0,
            ev(u, "1.1.1.1", A, "GET", "/Dispatch.aspx"),
        );
        send(
            &mut tracker,
            1,
            ev(None, "1.1.1.1", A, "GET", "/js/site.js"),
        );
        let morning = 15 * 3600;
        let mut secs = every;
        while secs < morning {
            send(&mut tracker, secs, ev(u, "1.1.1.1", A, method, poll));
            secs += every;
        }
        send(
            &mut tracker,
            morning + 25,
            ev(u, "1.1.1.1", A, "GET", "/Dispatch.aspx"),
        );
        send(
            &mut tracker,
            morning + 60,
            ev(u, "1.1.1.1", A, "GET", "/Patients.aspx"),
        );
        let outside = tracker.polling_outside_sessions();
        out.extend(tracker.finish());
        (out, outside)
    }

    #[test]
    fn a_polling_board_left_open_overnight_is_two_sessions() {
        let board = "/WebServices/DispatchService.asmx/GetBoardUpdates";
        let (out, outside) = board_left_open_overnight(board, "POST", 30);
        assert_eq!(out.len(), 2, "{out:#?}");
        let (evening, morning) = (&out[0], &out[1]);
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        // The first call after the page load is the page's own; then the
        // polls are counted while the session is open (30 minutes).
        assert_eq!(evening.start, t("2023-03-01T17:00:00Z"));
        assert_eq!(evening.end, t("2023-03-01T17:00:30Z"));
        assert_eq!(paths(evening), ["/Dispatch.aspx", board]);
        assert_eq!(evening.polling, 60);
        assert_eq!(evening.posts, 1);
        assert_eq!(
            evening.polling_paths,
            [Polled {
                path: board.into(),
                requests: 60
            }]
        );
        assert_eq!(evening.requests, 63);
        assert_eq!(morning.start, t("2023-03-02T08:00:25Z"));
        assert_eq!(paths(morning), ["/Dispatch.aspx", "/Patients.aspx"]);
        // 15 hours of polls every 30 s: 1799; 61 in the evening session.
        assert_eq!(outside, 1799 - 61);
    }

    #[test]
    fn a_timer_postback_left_open_overnight_is_two_sessions() {
        // An ASP.NET Timer posting the board back every minute: a page, but
        // at a constant interval.
        let (out, outside) = board_left_open_overnight("/Dispatch.aspx", "POST", 60);
        assert_eq!(out.len(), 2, "{out:#?}");
        let evening = &out[0];
        // The page and the first three postbacks (the run is not yet long
        // enough to be a timer) are folded into one page.
        assert_eq!(evening.pages.len(), 1);
        assert_eq!(evening.pages[0].requests, 4);
        assert_eq!(evening.end.to_string(), "2023-03-01T17:03:00Z");
        assert_eq!(evening.polling, 30);
        assert_eq!(evening.posts, 3);
        assert_eq!(outside, 899 - 3 - 30);
        assert_eq!(out[1].start.to_string(), "2023-03-02T08:00:25Z");
    }

    #[test]
    fn polling_is_counted_not_listed_and_does_not_extend_the_session() {
        let u = Some("jsmith");
        let poll = "/Handlers/Notifications.ashx";
        let out = sessions(
            30,
            vec![
                ("10:00:00", ev(u, "1.1.1.1", A, "GET", "/Dispatch.aspx")),
                ("10:00:02", ev(u, "1.1.1.1", A, "GET", poll)),
                ("10:00:40", ev(u, "1.1.1.1", A, "GET", poll)),
                ("10:01:00", ev(u, "1.1.1.1", A, "GET", "/Patients.aspx")),
                ("10:01:10", ev(u, "1.1.1.1", A, "GET", poll)),
                ("10:01:50", ev(u, "1.1.1.1", A, "GET", poll)),
                ("10:02:30", ev(u, "1.1.1.1", A, "GET", poll)),
            ],
        );
        assert_eq!(out.len(), 1);
        let s = &out[0];
        assert_eq!(paths(s), ["/Dispatch.aspx", poll, "/Patients.aspx", poll]);
        assert_eq!((s.requests, s.polling), (7, 3));
        assert_eq!(s.polling_paths[0].requests, 3);
        assert_eq!(s.end, ts("10:01:10"));
    }

    #[test]
    fn polling_of_a_client_with_no_open_session_opens_none() {
        let poll = "/Handlers/Notifications.ashx";
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(1));
        let mut out = Vec::new();
        for i in 0..10 {
            let e = ev(Some("jsmith"), "1.1.1.1", A, "GET", poll);
            let t = ts("10:00:00") + SignedDuration::from_secs(i * 30);
            out.extend(tracker.observe(t, at("f", i as u64, e)));
        }
        assert_eq!(tracker.polling_outside_sessions(), 7);
        out.extend(tracker.finish());
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].requests, out[0].polling), (3, 2));
    }

    #[test]
    fn session_across_midnight_and_two_files_is_one_session() {
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(30));
        let day1 = |t: &str| format!("2017-01-19T{t}Z").parse::<Timestamp>().unwrap();
        let day2 = |t: &str| format!("2017-01-20T{t}Z").parse::<Timestamp>().unwrap();
        let mut out = Vec::new();
        let e = |user, stem| ev(user, "98.199.20.117", B, "GET", stem);
        out.extend(tracker.observe(
            day1("23:40:00"),
            at("u_ex170119.log", 288, e(None, "/Logon.aspx")),
        ));
        out.extend(tracker.observe(
            day1("23:41:00"),
            at("u_ex170119.log", 290, e(Some("jdoe"), "/Home.aspx")),
        ));
        out.extend(tracker.observe(
            day1("23:59:50"),
            at("u_ex170119.log", 316, e(Some("jdoe"), "/Dispatch.aspx")),
        ));
        out.extend(tracker.observe(
            day2("00:05:20"),
            at("u_ex170120.log", 24, e(None, "/temp/acme/A.jdoe.zip")),
        ));
        out.extend(tracker.observe(
            day2("00:19:56"),
            at("u_ex170120.log", 55, e(Some("jdoe"), "/Patients.aspx")),
        ));
        out.extend(tracker.finish());
        assert_eq!(out.len(), 1);
        let s = &out[0];
        assert_eq!((&*s.file, s.line), ("u_ex170119.log", 288));
        assert_eq!((s.start, s.end), (day1("23:40:00"), day2("00:19:56")));
        assert_eq!(s.downloads, ["/temp/acme/A.jdoe.zip"]);
        assert_eq!(s.requests, 5);
    }

    #[test]
    fn bytes_are_summed_when_logged_and_absent_otherwise() {
        let mut logged = ev(Some("a"), "1.1.1.1", A, "GET", "/x.aspx");
        logged.bytes_sent = Some(100);
        logged.bytes_received = Some(7);
        let mut also = logged.clone();
        also.bytes_sent = Some(50);
        also.bytes_received = None;
        let out = sessions(
            30,
            vec![
                ("10:00:00", logged),
                ("10:00:01", also),
                ("10:00:02", ev(Some("b"), "2.2.2.2", A, "GET", "/x.aspx")),
            ],
        );
        assert_eq!(
            (out[0].bytes_sent, out[0].bytes_received),
            (Some(150), Some(7))
        );
        assert_eq!((out[1].bytes_sent, out[1].bytes_received), (None, None));
    }

    #[test]
    fn late_request_keeps_pages_in_time_order_and_moves_the_start() {
        let u = Some("a");
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(30));
        let e = |stem| ev(u, "1.1.1.1", A, "GET", stem);
        tracker.observe(ts("10:00:10"), at("f", 10, e("/B.aspx")));
        tracker.observe(ts("10:00:20"), at("f", 11, e("/C.aspx")));
        tracker.observe(ts("10:00:00"), at("g", 3, e("/A.aspx")));
        tracker.observe(ts("10:00:15"), at("g", 4, e("/C.aspx")));
        let out = tracker.finish();
        assert_eq!(paths(&out[0]), ["/A.aspx", "/B.aspx", "/C.aspx"]);
        assert_eq!(
            (&*out[0].file, out[0].line, out[0].start),
            ("g", 3, ts("10:00:00"))
        );
        assert_eq!(out[0].end, ts("10:00:20"));
    }

    #[test]
    fn memory_is_released_as_sessions_end() {
        let mut tracker = SessionTracker::new(SignedDuration::from_mins(1));
        let start = ts("00:00:00");
        let mut ended = 0;
        for i in 0..2000i64 {
            let ip = format!("10.0.{}.{}", i / 250, i % 250);
            let user = format!("user{i}");
            let e = ev(Some(&user), &ip, A, "GET", "/Home.aspx");
            let t = start + SignedDuration::from_secs(i * 10);
            ended += tracker.observe(t, at("f", i as u64, e)).len();
            assert!(tracker.active() <= 7, "{} active at {i}", tracker.active());
        }
        assert!(tracker.owners.len() <= 7 && tracker.by_user.len() <= 7);
        assert_eq!(ended + tracker.finish().len(), 2000);
    }

    #[test]
    fn event_from_row_reads_the_request_and_keys_the_client() {
        use crate::w3c::fields::FieldOrigin;
        use crate::w3c::row::{DateCache, RowContext, check, tokenize};
        let map = FieldMap::new(
            &[
                "date",
                "time",
                "cs-method",
                "cs-uri-stem",
                "cs-username",
                "c-ip",
                "cs(User-Agent)",
                "sc-status",
                "sc-bytes",
            ],
            FieldOrigin::Header,
        );
        let event = |line: &[u8]| {
            let mut spans = Vec::new();
            tokenize(line, Some(9), &mut spans).unwrap();
            let ctx = RowContext {
                map: &map,
                block_date: None,
                unquoted: false,
                log_tz: None,
            };
            SessionEvent::from_row(&check(line, &spans, &ctx, &mut DateCache::default()).unwrap())
        };
        let e = event(b"2017-01-19 17:16:30 GET /temp/acme/X.zip - 73.21.44.9 Chrome 200 3870417");
        assert_eq!(e.user, None);
        assert!(e.download);
        assert_eq!(e.stem.as_deref(), Some("/temp/acme/X.zip"));
        assert_eq!(
            (e.status, e.bytes_sent, e.bytes_received),
            (Some(200), Some(3870417), None)
        );
        assert_eq!(e.client, client_key(b"73.21.44.9", b"Chrome"));
        let e = event(
            b"2017-01-19 17:16:39 POST /temp/acme/up.ashx ACME\\JSmith 73.21.44.9 Chrome 200 10",
        );
        assert_eq!(e.user.as_deref(), Some("ACME\\JSmith"));
        assert!(!e.download && e.is_post());
    }

    #[test]
    fn static_assets_by_extension() {
        assert!(is_static("/images/icons/Add.png"));
        assert!(is_static("/WebResource.axd"));
        assert!(is_static("/fonts/x.WOFF2"));
        assert!(!is_static("/Dispatch.aspx"));
        assert!(!is_static("/templates/Invoice.html"));
        assert!(!is_static("/js.dir/page"));
        assert!(!is_static("/temp/acme/X.zip"));
    }
}
