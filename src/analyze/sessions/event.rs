//! One request as a session sees it: taken from the row on the cores.
//!
//! Every request of a log passes through here, and most repeat the values
//! of the ones before (a client's address and browser, a handful of pages):
//! each core keeps what it made of the values it has seen ([`Interned`]),
//! so that a request carries three shared pointers instead of new strings,
//! and what the tracker asks of a value (its keyed hash, its lower case, a
//! path's facts) is worked out once per distinct value, on the cores, not
//! once per request on the thread that orders them.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use super::super::export::is_download;
use super::super::keys::{Prehashed, hash_state};
use super::super::polling::is_endpoint;
use super::super::{client_key, path_key};
use crate::w3c::record::{MAX_HELD_VALUE, clip};
use crate::w3c::{Column, Row};

/// A value of a request as a session holds it: shared, not copied.
pub type Text = Arc<str>;

/// Extensions of static assets: requested by the browser on its own (with no
/// login name), not pages a person chose to visit.
pub(super) const STATIC: &[&str] = &[
    "png", "gif", "jpg", "jpeg", "ico", "css", "js", "map", "woff", "woff2", "ttf", "svg", "axd",
];

/// A text with its keyed hash, computed where the text was made: a map
/// keyed by it ([`Prehashed`]) hashes nothing, and compares the text only
/// when the hashes are equal.
#[derive(Clone, Debug)]
pub struct KeyedText {
    hash: u64,
    text: Text,
}

impl KeyedText {
    pub fn new(text: Text) -> KeyedText {
        KeyedText {
            hash: hash_state().hash_one(text.as_bytes()),
            text,
        }
    }

    pub fn text(&self) -> &Text {
        &self.text
    }
}

impl PartialEq for KeyedText {
    fn eq(&self, other: &KeyedText) -> bool {
        self.hash == other.hash && (Arc::ptr_eq(&self.text, &other.text) || self.text == other.text)
    }
}

impl Eq for KeyedText {}

impl Hash for KeyedText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// A login name as logged, with its lower case (the key a user's sessions
/// are found by: IIS logs a name as typed).
#[derive(Debug, PartialEq, Eq)]
pub struct LoginName {
    pub name: Text,
    pub key: KeyedText,
}

/// A client: the address and the browser, with their [`client_key`].
#[derive(Debug, PartialEq, Eq)]
pub struct ClientValues {
    pub key: u64,
    pub ip: Option<KeyedText>,
    pub agent: Option<KeyedText>,
}

/// A path (`cs-uri-stem`), with what the tracker asks of it.
#[derive(Debug, PartialEq, Eq)]
pub struct PathValue {
    pub text: Text,
    pub facts: PathFacts,
}

/// What a session needs of one request, taken from the row on the cores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEvent {
    /// The login name as logged (`None` for `-`).
    pub login: Option<Arc<LoginName>>,
    pub client: Arc<ClientValues>,
    pub path: Option<Arc<PathValue>>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// A POST.
    pub post: bool,
    /// A GET or HEAD under `/temp/` (see [`is_download`]), whatever its status.
    pub download: bool,
}

/// What the tracker asks of a request's path: worked out on the cores, once
/// per distinct path ([`Interned`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathFacts {
    /// [`is_static`].
    pub is_static: bool,
    /// [`is_endpoint`].
    pub endpoint: bool,
    /// [`path_key`].
    pub key: u64,
}

impl PathFacts {
    pub fn of(stem: &str) -> PathFacts {
        PathFacts {
            is_static: is_static(stem),
            endpoint: is_endpoint(stem),
            key: path_key(stem.as_bytes()),
        }
    }
}

/// The values of a request a session reads, as logged (`None` for `-`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Request<'a> {
    pub user: Option<&'a [u8]>,
    pub ip: Option<&'a [u8]>,
    pub agent: Option<&'a [u8]>,
    pub method: Option<&'a [u8]>,
    pub stem: Option<&'a [u8]>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// The values are a [`Record`](crate::w3c::Record)'s: text already
    /// [`clip`]ped, taken as they are (clipped again, a long value would
    /// change).
    pub from_record: bool,
}

impl SessionEvent {
    pub fn from_row(row: &Row<'_>) -> SessionEvent {
        let numbers = (
            row.number(Column::BytesSent),
            row.number(Column::BytesReceived),
        );
        if !row.has_escapes() {
            // Most rows: the values as they lie in the line, no copies.
            return SessionEvent::of(&Request {
                user: row.plain(Column::Username),
                ip: row.plain(Column::ClientIp),
                agent: row.plain(Column::UserAgent),
                method: row.plain(Column::Method),
                stem: row.plain(Column::UriStem),
                bytes_sent: numbers.0,
                bytes_received: numbers.1,
                from_record: false,
            });
        }
        let (user, ip, agent) = (
            row.raw(Column::Username),
            row.raw(Column::ClientIp),
            row.raw(Column::UserAgent),
        );
        let (method, stem) = (row.raw(Column::Method), row.raw(Column::UriStem));
        SessionEvent::of(&Request {
            user: user.as_deref(),
            ip: ip.as_deref(),
            agent: agent.as_deref(),
            method: method.as_deref(),
            stem: stem.as_deref(),
            bytes_sent: numbers.0,
            bytes_received: numbers.1,
            from_record: false,
        })
    }

    /// The event of a request's values, shared with the requests before it
    /// on this core that had the same ones.
    pub fn of(r: &Request<'_>) -> SessionEvent {
        with_interned(|interned| {
            interned.from_record = r.from_record;
            SessionEvent {
                login: r.user.map(|u| interned.login(u)),
                client: interned.client(r.ip.unwrap_or_default(), r.agent.unwrap_or_default()),
                path: r.stem.map(|s| interned.path(s)),
                bytes_sent: r.bytes_sent,
                bytes_received: r.bytes_received,
                post: r.method.is_some_and(is_post),
                download: match (r.method, r.stem) {
                    (Some(m), Some(s)) => is_download(m, s),
                    _ => false,
                },
            }
        })
    }

    /// The login name as logged.
    pub fn user(&self) -> Option<&Text> {
        self.login.as_ref().map(|l| &l.name)
    }

    pub fn client_ip(&self) -> Option<&Text> {
        self.client.ip.as_ref().map(KeyedText::text)
    }

    pub fn user_agent(&self) -> Option<&Text> {
        self.client.agent.as_ref().map(KeyedText::text)
    }

    pub fn stem(&self) -> Option<&Text> {
        self.path.as_ref().map(|p| &p.text)
    }

    /// What the tracker asks of the path (nothing is true of no path).
    pub fn facts(&self) -> PathFacts {
        self.path.as_ref().map(|p| p.facts).unwrap_or_default()
    }
}

/// Values longer than this are not kept by [`Interned`] (every request of
/// a flood of long values would evict the others).
const INTERNED_MAX_LEN: usize = 512;
/// What [`Interned`] keeps per core, in bytes of values, before it starts
/// afresh: memory follows this bound, not the input.
const INTERNED_MAX_BYTES: usize = 2 << 20;

/// What a core made of the values it has seen.
#[derive(Default)]
struct Interned {
    texts: foldhash::HashMap<Box<[u8]>, KeyedText>,
    logins: foldhash::HashMap<Box<[u8]>, Arc<LoginName>>,
    /// By [`sample_key`] (a keyed hash: not hashed again), with the address
    /// and browser as logged, one after the other, and where the browser
    /// starts: an entry is taken only for the same bytes.
    clients: std::collections::HashMap<u64, InternedClient, Prehashed>,
    paths: foldhash::HashMap<Box<[u8]>, Arc<PathValue>>,
    bytes: usize,
    /// The values now read are a record's ([`Request::from_record`]).
    from_record: bool,
}

/// A client's address and browser as logged, one after the other, where
/// the browser starts, and what was made of them.
type InternedClient = (Box<[u8]>, usize, Arc<ClientValues>);

thread_local! {
    static INTERNED: RefCell<Interned> = RefCell::new(Interned::default());
}

impl Interned {
    /// Makes room for `size` more bytes: starts afresh when full.
    fn room(&mut self, size: usize) {
        if self.bytes + size > INTERNED_MAX_BYTES {
            self.texts.clear();
            self.logins.clear();
            self.clients.clear();
            self.paths.clear();
            self.bytes = 0;
        }
        self.bytes += size;
    }

    /// The text of a logged value (bytes that are not UTF-8 become U+FFFD,
    /// [`clip`]ped past a few KiB), with its hash.
    fn text(&mut self, bytes: &[u8]) -> KeyedText {
        if bytes.len() > INTERNED_MAX_LEN {
            return KeyedText::new(self.text_of(bytes));
        }
        if let Some(text) = self.texts.get(bytes) {
            return text.clone();
        }
        let text = KeyedText::new(self.text_of(bytes));
        self.room(bytes.len() + text.text.len() + 64);
        self.texts.insert(bytes.into(), text.clone());
        text
    }

    fn login(&mut self, bytes: &[u8]) -> Arc<LoginName> {
        let fresh = |interned: &mut Interned| {
            let name = interned.text(bytes).text;
            let key = match lowercase(&name) {
                std::borrow::Cow::Borrowed(_) => KeyedText::new(name.clone()),
                std::borrow::Cow::Owned(lower) => KeyedText::new(lower.into()),
            };
            Arc::new(LoginName { name, key })
        };
        if bytes.len() > INTERNED_MAX_LEN {
            return fresh(self);
        }
        if let Some(login) = self.logins.get(bytes) {
            return login.clone();
        }
        let login = fresh(self);
        self.room(bytes.len() + 2 * login.name.len() + 96);
        self.logins.insert(bytes.into(), login.clone());
        login
    }

    /// `ip` and `agent` as logged (empty for `-`).
    fn client(&mut self, ip: &[u8], agent: &[u8]) -> Arc<ClientValues> {
        let sample = sample_key(ip, agent);
        if let Some((bytes, at, client)) = self.clients.get(&sample)
            && bytes.get(..*at) == Some(ip)
            && bytes.get(*at..) == Some(agent)
        {
            return client.clone();
        }
        let key = client_key(ip, agent);
        let value = |interned: &mut Interned, v: &[u8]| (!v.is_empty()).then(|| interned.text(v));
        let client = Arc::new(ClientValues {
            key,
            ip: value(self, ip),
            agent: value(self, agent),
        });
        if ip.len() + agent.len() <= INTERNED_MAX_LEN {
            self.room(ip.len() + agent.len() + 96);
            self.clients.insert(
                sample,
                ([ip, agent].concat().into(), ip.len(), client.clone()),
            );
        }
        client
    }

    fn path(&mut self, bytes: &[u8]) -> Arc<PathValue> {
        let fresh = |interned: &Interned| {
            let text = interned.text_of(bytes);
            let facts = PathFacts::of(&text);
            Arc::new(PathValue { text, facts })
        };
        if bytes.len() > INTERNED_MAX_LEN {
            return fresh(self);
        }
        if let Some(path) = self.paths.get(bytes) {
            return path.clone();
        }
        let path = fresh(self);
        self.room(bytes.len() + path.text.len() + 80);
        self.paths.insert(bytes.into(), path.clone());
        path
    }
}

/// A keyed hash of a client's address, its browser's length and the
/// browser's first and last 16 bytes: what finds a client among those a
/// core has seen, a fraction of the work of [`client_key`] for a browser's
/// hundred-odd bytes. Clients that share all of it share an entry (the
/// later replaces the earlier: the bytes are compared before an entry is
/// taken).
fn sample_key(ip: &[u8], agent: &[u8]) -> u64 {
    const SIDE: usize = 16;
    let mut h = hash_state().build_hasher();
    h.write(ip);
    h.write_usize(ip.len());
    h.write_usize(agent.len());
    h.write(&agent[..agent.len().min(SIDE)]);
    h.write(&agent[agent.len().saturating_sub(SIDE)..]);
    h.finish()
}

/// Runs `f` with this core's values (one look-up of the thread's state per
/// request, not one per value).
fn with_interned<R>(mut f: impl FnMut(&mut Interned) -> R) -> R {
    match INTERNED.try_with(|cell| cell.try_borrow_mut().ok().map(|mut i| f(&mut i))) {
        Ok(Some(r)) => r,
        // The thread's state is gone or in use (neither happens while
        // requests are read): the values are not shared.
        _ => f(&mut Interned::default()),
    }
}

impl Interned {
    /// A value's text, as [`Row::text`] and [`clip`] make it (a record's
    /// is taken as it is). Values past [`INTERNED_MAX_LEN`], the only ones
    /// [`clip`] changes, are never shared: a row's and a record's do not mix.
    fn text_of(&self, bytes: &[u8]) -> Text {
        match std::str::from_utf8(bytes) {
            Ok(s) if s.len() <= MAX_HELD_VALUE || self.from_record => Arc::from(s),
            _ => {
                let mut s = String::from_utf8_lossy(bytes).into_owned();
                if !self.from_record {
                    clip(&mut s);
                }
                Arc::from(s)
            }
        }
    }
}

/// Whether a method is POST (IIS logs methods as sent; any case).
pub fn is_post(method: &[u8]) -> bool {
    method.eq_ignore_ascii_case(b"POST")
}

/// A login name in lower case, without a copy when it is already (most are).
pub(super) fn lowercase(name: &str) -> std::borrow::Cow<'_, str> {
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
