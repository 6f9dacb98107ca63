//! One request as a session sees it: taken from the row on the cores.
//!
//! Every request of a log passes through here, and most repeat the values
//! of the ones before (a client's address and browser, a handful of pages):
//! each core keeps the text of the values it has seen ([`intern`]), so that
//! a request carries shared strings instead of five new ones.

use std::cell::RefCell;
use std::sync::Arc;

use super::super::export::is_download;
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

/// What a session needs of one request, taken from the row on the cores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionEvent {
    /// The login name as logged (`None` for `-`).
    pub user: Option<Text>,
    pub client_ip: Option<Text>,
    pub user_agent: Option<Text>,
    pub stem: Option<Text>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    /// A POST.
    pub post: bool,
    /// A GET or HEAD under `/temp/` (see [`is_download`]), whatever its status.
    pub download: bool,
    /// [`client_key`] of the address and user agent.
    pub client: u64,
    /// What the tracker asks of `stem` ([`PathFacts::of`]).
    pub path: PathFacts,
}

/// What the tracker asks of a request's path: worked out on the cores, once
/// per distinct path ([`intern`]).
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
        let (ip, agent) = (ip.as_deref(), agent.as_deref());
        let user = row.raw(Column::Username);
        // Held while the session is open: cut past a few KiB.
        with_interned(|interned| {
            let (stem, path) = match stem.as_deref().map(|s| interned.path(s)) {
                Some((stem, path)) => (Some(stem), path),
                None => (None, PathFacts::default()),
            };
            SessionEvent {
                user: user.as_deref().map(|u| interned.text(u)),
                client: client_key(ip.unwrap_or_default(), agent.unwrap_or_default()),
                client_ip: ip.map(|i| interned.text(i)),
                user_agent: agent.map(|a| interned.text(a)),
                post: method.as_deref().is_some_and(is_post),
                stem,
                path,
                bytes_sent: row.number(Column::BytesSent),
                bytes_received: row.number(Column::BytesReceived),
                download,
            }
        })
    }
}

/// Values longer than this are not kept by [`intern`] (every request of
/// a flood of long values would evict the others).
const INTERNED_MAX_LEN: usize = 512;
/// What [`intern`] keeps per core, in bytes of values, before it starts
/// afresh: memory follows this bound, not the input.
const INTERNED_MAX_BYTES: usize = 2 << 20;

/// The values a core has seen, with their text.
#[derive(Default)]
struct Interned {
    texts: foldhash::HashMap<Box<[u8]>, Text>,
    paths: foldhash::HashMap<Box<[u8]>, (Text, PathFacts)>,
    bytes: usize,
}

impl Interned {
    /// Makes room for `size` more bytes: starts afresh when full.
    fn room(&mut self, size: usize) {
        if self.bytes + size > INTERNED_MAX_BYTES {
            self.texts.clear();
            self.paths.clear();
            self.bytes = 0;
        }
        self.bytes += size;
    }
}

thread_local! {
    static INTERNED: RefCell<Interned> = RefCell::new(Interned::default());
}

/// The text of a logged value (bytes that are not UTF-8 become U+FFFD,
/// [`clip`]ped past a few KiB), shared with the requests before it on this
/// core that had the same value.
pub fn intern(bytes: &[u8]) -> Text {
    with_interned(|interned| interned.text(bytes))
}

/// [`intern`] for a path, with its [`PathFacts`].
pub fn intern_path(bytes: &[u8]) -> (Text, PathFacts) {
    with_interned(|interned| interned.path(bytes))
}

impl Interned {
    /// [`intern`] with this core's values.
    fn text(&mut self, bytes: &[u8]) -> Text {
        if bytes.len() > INTERNED_MAX_LEN {
            return text_of(bytes);
        }
        if let Some(text) = self.texts.get(bytes) {
            return text.clone();
        }
        let text = text_of(bytes);
        self.room(bytes.len() + text.len() + 64);
        self.texts.insert(bytes.into(), text.clone());
        text
    }

    /// [`intern_path`] with this core's values.
    fn path(&mut self, bytes: &[u8]) -> (Text, PathFacts) {
        let fresh = || {
            let text = text_of(bytes);
            let facts = PathFacts::of(&text);
            (text, facts)
        };
        if bytes.len() > INTERNED_MAX_LEN {
            return fresh();
        }
        if let Some(path) = self.paths.get(bytes) {
            return path.clone();
        }
        let path = fresh();
        self.room(bytes.len() + path.0.len() + 80);
        self.paths.insert(bytes.into(), path.clone());
        path
    }
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

/// A value's text, as [`Row::text`] and [`clip`] make it.
fn text_of(bytes: &[u8]) -> Text {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.len() <= MAX_HELD_VALUE => Arc::from(s),
        _ => {
            let mut s = String::from_utf8_lossy(bytes).into_owned();
            clip(&mut s);
            Arc::from(s)
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
