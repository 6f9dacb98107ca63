//! Sessions: requests grouped into what one person did in one sitting.
//!
//! Authenticated requests belong to their user's session; the anonymous ones
//! around them (images, scripts, `/temp/` downloads, the logon page itself)
//! carry no login name and are joined by client: the same address and
//! browser ([`client_key`](super::client_key)). A client is owned by the user who last
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
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use foldhash::{HashMap, HashSet};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::Located;
use super::polling::{Kind, PollingRule, Recent};

mod epoch;
mod event;
mod lists;

use super::keys::Prehashed;
pub use event::{
    ClientValues, KeyedText, LoginName, PathFacts, PathValue, Request, SessionEvent, Text, is_post,
    is_static,
};
use lists::{FirstSeen, PollingPaths, Seq, Timeline};
pub use lists::{MAX_LISTED_PATHS, MAX_LISTED_VALUES, MAX_POLLING_PATHS, NotListed};

/// One session, once it has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The login name as first logged in the session; `None` for a client
    /// that never authenticated.
    pub user: Option<String>,
    /// Client addresses, in the order they were first seen.
    pub client_ips: Vec<Text>,
    /// The first user agent seen.
    pub user_agent: Option<Text>,
    /// Any other user agents, in the order they were first seen.
    pub other_user_agents: Vec<Text>,
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
    pub downloads: Vec<Text>,
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
    pub path: Text,
    /// The first request of the page.
    pub time: Timestamp,
    /// The requests folded into it: the page and its consecutive repeats
    /// (postbacks, reloads).
    pub requests: u64,
}

/// A path polled in a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Polled {
    pub path: Text,
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

/// A session still taking requests.
#[derive(Debug)]
struct Open {
    user: Option<String>,
    /// `user`, lowercased: the key of `SessionTracker::by_user`.
    user_key: Option<KeyedText>,
    /// For an anonymous session, its client.
    anonymous_client: Option<u64>,
    /// Clients this session's user authenticated from.
    owned: HashSet<u64>,
    /// A session of a user the tracker does not show
    /// ([`SessionTracker::showing`]): only what other sessions depend on is
    /// kept up to date (its latest request, its clients), not its content.
    hidden: bool,
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
            owned: HashSet::default(),
            hidden: false,
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
        if self.hidden {
            return;
        }
        let e = &ev.event;
        self.count(at, ev.file, ev.line, e);
        self.posts += u64::from(e.post());
        if let Some(path) = e.path() {
            if e.download() {
                self.downloads.add(at, path);
            } else if !path.facts.is_static {
                self.pages.add(at, path);
            }
        }
    }

    /// Counts a polling request: it is not listed, and does not move the
    /// session's end.
    fn add_polling(&mut self, at: Seq, ev: Located<SessionEvent>) {
        if self.hidden {
            return;
        }
        self.polling += 1;
        let e = &ev.event;
        self.count(at, ev.file, ev.line, e);
        if let Some(path) = e.path() {
            self.polling_paths
                .add_keyed(at, path.facts.key, &path.text, 1);
        }
    }

    /// What every request adds: its start, count, bytes, address and user
    /// agent.
    fn count(&mut self, at: Seq, file: &Arc<str>, line: u64, e: &SessionEvent) {
        if at < self.start {
            self.start = at;
            self.file = file.clone();
            self.line = line;
        }
        self.requests += 1;
        self.bytes_sent = add_logged(self.bytes_sent, e.bytes_sent());
        self.bytes_received = add_logged(self.bytes_received, e.bytes_received());
        if let Some(ip) = &e.client().ip {
            self.ips.add(at, ip);
        }
        if let Some(agent) = &e.client().agent {
            self.agents.add(at, agent);
        }
    }

    /// Takes in another session of the same person (the anonymous requests
    /// made from a client before its user logged on).
    fn absorb(&mut self, other: Open) {
        self.owned.extend(other.owned);
        if self.hidden {
            self.last = self.last.max(other.last);
            return;
        }
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
    }

    /// Becomes a hidden session: what it held is let go.
    fn hide(&mut self) {
        let at = self.start;
        let (file, line) = (self.file.clone(), self.line);
        let kept = Open::new(at, file, line);
        self.ips = kept.ips;
        self.agents = kept.agents;
        self.polling_paths = kept.polling_paths;
        self.pages = kept.pages;
        self.downloads = kept.downloads;
        self.hidden = true;
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

/// Open sessions by the time they were queued under, earliest first: looked
/// at on every request, changed once per session and idle time.
///
/// A session that leaves (ended, or taken into another) is not looked for
/// in the queue: its entry stays until it comes first, and is then passed
/// over (the session is no longer open; an open session has exactly one
/// entry, under the time it was last queued at). Such entries are at most the sessions
/// that left within the idle time: they come first once it has passed.
#[derive(Debug, Default)]
struct EndQueue {
    heap: BinaryHeap<Reverse<(Timestamp, u64)>>,
}

impl EndQueue {
    fn first(&self) -> Option<Timestamp> {
        self.heap.peek().map(|Reverse(e)| e.0)
    }

    fn insert(&mut self, entry: (Timestamp, u64)) {
        self.heap.push(Reverse(entry));
    }

    fn pop_first(&mut self) -> Option<(Timestamp, u64)> {
        self.heap.pop().map(|Reverse(e)| e)
    }
}

/// Whether a login name's sessions are shown ([`SessionTracker::showing`]).
type Shows = dyn Fn(&str) -> bool;

/// Groups a time-ordered stream of requests into sessions.
pub struct SessionTracker {
    idle: SignedDuration,
    open: HashMap<u64, Open>,
    /// Open sessions by their latest request as it was when they were
    /// queued (at most their latest: not moved on every request, see
    /// `SessionTracker::observe`), to end them in order.
    by_end: EndQueue,
    /// Open sessions by their login name in lower case.
    by_user: std::collections::HashMap<KeyedText, u64, Prehashed>,
    /// Anonymous sessions by client.
    by_client: HashMap<u64, u64>,
    owners: HashMap<u64, Owner>,
    polling: PollingRule,
    /// Which users' sessions are shown (`None`: every session's).
    showing: Option<Box<Shows>>,
    /// Sessions of users not shown that ended.
    hidden: u64,
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
            open: HashMap::default(),
            by_end: EndQueue::default(),
            by_user: std::collections::HashMap::default(),
            by_client: HashMap::default(),
            owners: HashMap::default(),
            polling: PollingRule::new(idle),
            showing: None,
            hidden: 0,
            polling_outside: 0,
            next_id: 0,
            arrivals: 0,
        }
    }

    /// A tracker that returns only the sessions of the users `shows` accepts
    /// (by the session's login name) and the anonymous ones; the others are
    /// counted ([`SessionTracker::hidden`]).
    ///
    /// Their requests still come in, and still decide everything another
    /// session can see of them: a request of a user never joins another
    /// user's session (polling may, so polling is still told from the rest
    /// per client), but it does decide when its own session ends, which
    /// session owns its client (where the client's anonymous requests go)
    /// and whether the client's anonymous session is taken in. A session's
    /// login name never changes once set, and such a session is never taken
    /// into another: so its content (addresses, agents, pages, downloads,
    /// counts) can only ever reach the output through itself, and is not
    /// kept.
    pub fn showing(mut self, shows: impl Fn(&str) -> bool + 'static) -> SessionTracker {
        self.showing = Some(Box::new(shows));
        self
    }

    /// Sessions that ended and were not returned, their user not shown
    /// ([`SessionTracker::showing`]).
    pub fn hidden(&self) -> u64 {
        self.hidden
    }

    /// Adds a request at `t`, and returns the sessions that ended before it
    /// (their last request is more than `idle` before `t`), in report order.
    pub fn observe(&mut self, t: Timestamp, ev: Located<SessionEvent>) -> Vec<Session> {
        // A session is queued under a time no later than its latest request:
        // every session idle past `t` is found before the first whose queued
        // time is not; one that had requests since is queued again under
        // its latest (once per idle time, not once per request).
        let recent = Recent::before(t, self.idle);
        let mut due = Vec::new();
        while let Some(queued) = self.by_end.first() {
            if recent.holds(queued) {
                break;
            }
            let Some((_, id)) = self.by_end.pop_first() else {
                break;
            };
            // An entry of a session that left (see `EndQueue`).
            let Some(s) = self.open.get_mut(&id) else {
                continue;
            };
            if recent.holds(s.last) {
                self.by_end.insert((s.last, id));
            } else {
                due.push((s.last, id));
            }
        }
        let mut ended = Vec::new();
        if !due.is_empty() {
            due.sort_unstable();
            ended.extend(due.into_iter().filter_map(|(_, id)| self.close(id)));
            // Stable: ties keep the order of (end, creation).
            ended.sort_by(Session::report_order);
        }
        let at = (t, self.arrivals);
        self.arrivals += 1;
        if self.is_polling(t, recent, &ev.event) {
            match self.polled_session(recent, &ev.event) {
                Some(id) => {
                    if let Some(s) = self.open.get_mut(&id) {
                        s.add_polling(at, ev);
                    }
                }
                None => self.polling_outside += 1,
            }
            return ended;
        }
        let id = self.assign(at, recent, &ev);
        if let Some(s) = self.open.get_mut(&id) {
            s.add(at, ev);
        }
        ended
    }

    /// Ends every session still open, in report order.
    pub fn finish(&mut self) -> Vec<Session> {
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

    fn is_polling(&mut self, t: Timestamp, recent: Recent, e: &SessionEvent) -> bool {
        let Some(path) = e.path() else {
            return false;
        };
        let kind = if e.download() || path.facts.is_static {
            Kind::Other
        } else if path.facts.endpoint {
            Kind::Endpoint
        } else {
            Kind::Page
        };
        self.polling
            .is_polling_recent(t, recent, e.client().key, path.facts.key, kind)
    }

    /// The open session a polling request counts in, if any: its user's,
    /// else the one its client's anonymous requests go to. None is created.
    fn polled_session(&self, recent: Recent, e: &SessionEvent) -> Option<u64> {
        if let Some(login) = e.login()
            && let Some(&id) = self.by_user.get(&login.key)
        {
            return Some(id);
        }
        let client = e.client().key;
        if let Some(owner) = self.owners.get(&client)
            && self.open.contains_key(&owner.session)
            && recent.holds(owner.seen)
        {
            return Some(owner.session);
        }
        self.by_client.get(&client).copied()
    }

    /// The session a request belongs to (created if needed).
    fn assign(&mut self, at: Seq, recent: Recent, ev: &Located<SessionEvent>) -> u64 {
        let e = &ev.event;
        let Some(login) = e.login() else {
            return self.assign_anonymous(at, recent, ev);
        };
        let client = e.client().key;
        let anonymous = self.by_client.remove(&client);
        let id = match (self.by_user.get(&login.key).copied(), anonymous) {
            (Some(id), Some(anon)) => {
                if let Some(other) = self.open.remove(&anon)
                    && let Some(s) = self.open.get_mut(&id)
                {
                    s.absorb(other);
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
                let name = &login.name;
                let hidden = self.showing.as_ref().is_some_and(|shows| !shows(name));
                let key = login.key.clone();
                if let Some(s) = self.open.get_mut(&id) {
                    s.user = Some(name.to_string());
                    s.user_key = Some(key.clone());
                    s.anonymous_client = None;
                    if hidden {
                        s.hide();
                    }
                }
                self.by_user.insert(key, id);
                id
            }
        };
        match self.owners.get_mut(&client) {
            // The session that owns a client has it among its own already.
            Some(owner) if owner.session == id => owner.seen = at.0,
            _ => {
                if let Some(s) = self.open.get_mut(&id) {
                    s.owned.insert(client);
                }
                self.owners.insert(
                    client,
                    Owner {
                        session: id,
                        seen: at.0,
                    },
                );
            }
        }
        id
    }

    fn assign_anonymous(&mut self, at: Seq, recent: Recent, ev: &Located<SessionEvent>) -> u64 {
        let client = ev.event.client().key;
        if let Some(owner) = self.owners.get_mut(&client)
            && self.open.contains_key(&owner.session)
            && recent.holds(owner.seen)
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
        if s.hidden {
            self.hidden += 1;
            return None;
        }
        Some(s.into_session())
    }
}

#[cfg(test)]
mod tests;
