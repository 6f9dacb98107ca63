//! One request as a session sees it: taken from the row on the cores.
//!
//! Every request of a log passes through here, and most repeat the values
//! of the ones before (a client's address and browser, a handful of pages):
//! each core keeps what it made of the values it has seen ([`Interned`]),
//! so that a request points to shared values instead of carrying new
//! strings, and what the tracker asks of a value (its keyed hash, its lower
//! case, a path's facts) is worked out once per distinct value, on the
//! cores, not once per request on the thread that orders them.
//!
//! An event holds its values through its epoch ([`super::epoch`]), not a
//! reference count per value. An event held for long (waiting in the
//! reorder window) is settled ([`Held`](super::super::ordered::Held)) into an epoch of its
//! own, so that it does not keep alive the values of the events made
//! around it: memory follows the events held, not the epochs they came in.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::ptr::NonNull;
use std::sync::Arc;

use super::super::export::is_download;
use super::super::keys::{Prehashed, hash_state};
use super::super::polling::is_endpoint;
use super::super::{client_key, path_key};
use super::epoch::{EpochRef, Open, Value};
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
///
/// Its login name, client and path are reached through
/// [`SessionEvent::login`], [`SessionEvent::client`] and
/// [`SessionEvent::path`]: the event points to values its epoch keeps
/// alive (see the module's notes).
pub struct SessionEvent {
    /// Holds every value the pointers below point to.
    epoch: EpochRef,
    /// The login name as logged (`None` for `-`).
    login: Option<Shared<LoginName>>,
    client: Shared<ClientValues>,
    path: Option<Shared<PathValue>>,
    /// Bytes sent and received, as logged when `flags` says so.
    bytes: [u64; 2],
    /// Where the login name, client and path are among the epoch's values.
    slots: [u16; 3],
    flags: u8,
}

/// [`SessionEvent::flags`].
const SENT: u8 = 1;
const RECEIVED: u8 = 2;
const POST: u8 = 4;
const DOWNLOAD: u8 = 8;
/// The event's epoch holds only its own values.
const SETTLED: u8 = 16;

/// A value an event points to: one of the values of the event's epoch.
struct Shared<T>(NonNull<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        *self
    }
}

impl<T> Copy for Shared<T> {}

impl<T> Shared<T> {
    fn of(value: &Arc<T>) -> Shared<T> {
        Shared(NonNull::from(&**value))
    }
}

// SAFETY: an event's values are immutable and `Sync` (texts, numbers), and
// they live as long as the event: its epoch holds an `Arc` of each, an
// epoch's values are only ever added to until it is dropped, and it is
// dropped only once every event of it has been (`EpochRef`). So the event
// can move to another thread as if it held the `Arc`s itself.
unsafe impl Send for SessionEvent {}

impl SessionEvent {
    /// The login name (`None` for `-`).
    pub fn login(&self) -> Option<&LoginName> {
        // SAFETY: the event's epoch holds an `Arc` of the value (see `Send`
        // above), and lives at least as long as `self`.
        self.login.map(|l| unsafe { l.0.as_ref() })
    }

    pub fn client(&self) -> &ClientValues {
        // SAFETY: as in `login`.
        unsafe { self.client.0.as_ref() }
    }

    pub fn path(&self) -> Option<&PathValue> {
        // SAFETY: as in `login`.
        self.path.map(|p| unsafe { p.0.as_ref() })
    }

    pub fn bytes_sent(&self) -> Option<u64> {
        (self.flags & SENT != 0).then_some(self.bytes[0])
    }

    pub fn bytes_received(&self) -> Option<u64> {
        (self.flags & RECEIVED != 0).then_some(self.bytes[1])
    }

    /// A POST.
    pub fn post(&self) -> bool {
        self.flags & POST != 0
    }

    /// A GET or HEAD under `/temp/` (see [`is_download`]), whatever its status.
    pub fn download(&self) -> bool {
        self.flags & DOWNLOAD != 0
    }
}

/// Gives the event an epoch of its own, holding only its own values: for
/// an event held for long, which would otherwise keep alive the values of
/// every event of its epoch. Once is enough.
impl super::super::ordered::Held for SessionEvent {
    fn settle(&mut self) {
        if self.flags & SETTLED != 0 {
            return;
        }
        let mut own = Vec::with_capacity(3);
        let mut slots = self.slots;
        {
            let values = self.epoch.values();
            for ((slot, pointer), new) in self.slots.iter().zip(self.pointers()).zip(&mut slots) {
                let Some(pointer) = pointer else {
                    continue;
                };
                let value = values.get(usize::from(*slot));
                let Some(value) = value.filter(|v| Arc::as_ptr(v).cast::<()>() == pointer) else {
                    // Every value an event points to is at its slot: were
                    // one not, the event would keep the epoch it has.
                    return;
                };
                *new = own.len() as u16;
                own.push(Arc::clone(value));
            }
        }
        self.slots = slots;
        // The values are the same: the pointers stay as they are.
        self.epoch = EpochRef::owning(own);
        self.flags |= SETTLED;
    }
}

impl SessionEvent {
    /// Where the login name, client and path are (as `slots`).
    fn pointers(&self) -> [Option<*const ()>; 3] {
        [
            self.login.map(|p| p.0.as_ptr().cast_const().cast()),
            Some(self.client.0.as_ptr().cast_const().cast()),
            self.path.map(|p| p.0.as_ptr().cast_const().cast()),
        ]
    }

    /// How many values the event's epoch holds, and whether they include
    /// every value the event points to.
    #[cfg(test)]
    pub(super) fn epoch_holds(&self) -> (usize, bool) {
        let values = self.epoch.values();
        let held: Vec<*const ()> = values.iter().map(|v| Arc::as_ptr(v).cast()).collect();
        let all = self.pointers().iter().flatten().all(|p| held.contains(p));
        (values.len(), all)
    }
}

impl Clone for SessionEvent {
    fn clone(&self) -> SessionEvent {
        SessionEvent {
            epoch: self.epoch.clone(),
            login: self.login,
            client: self.client,
            path: self.path,
            bytes: self.bytes,
            slots: self.slots,
            flags: self.flags,
        }
    }
}

impl PartialEq for SessionEvent {
    fn eq(&self, other: &SessionEvent) -> bool {
        self.login() == other.login()
            && self.client() == other.client()
            && self.path() == other.path()
            && (self.bytes_sent(), self.bytes_received())
                == (other.bytes_sent(), other.bytes_received())
            && (self.post(), self.download()) == (other.post(), other.download())
    }
}

impl Eq for SessionEvent {}

impl std::fmt::Debug for SessionEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionEvent")
            .field("login", &self.login())
            .field("client", self.client())
            .field("path", &self.path())
            .field("bytes_sent", &self.bytes_sent())
            .field("bytes_received", &self.bytes_received())
            .field("post", &self.post())
            .field("download", &self.download())
            .finish()
    }
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
            let epoch = interned.next_event();
            let (login, l) = match r.user.map(|u| interned.login(u)) {
                Some((held, slot)) => (Some(held), slot),
                None => (None, 0),
            };
            let (client, c) =
                interned.client(r.ip.unwrap_or_default(), r.agent.unwrap_or_default());
            let (path, p) = match r.stem.map(|s| interned.path(s)) {
                Some((held, slot)) => (Some(held), slot),
                None => (None, 0),
            };
            let download = match (r.method, r.stem) {
                (Some(m), Some(s)) => is_download(m, s),
                _ => false,
            };
            let flag = |set: bool, flag: u8| if set { flag } else { 0 };
            let flags = flag(r.bytes_sent.is_some(), SENT)
                | flag(r.bytes_received.is_some(), RECEIVED)
                | flag(r.method.is_some_and(is_post), POST)
                | flag(download, DOWNLOAD);
            SessionEvent {
                epoch,
                login,
                client,
                path,
                bytes: [
                    r.bytes_sent.unwrap_or_default(),
                    r.bytes_received.unwrap_or_default(),
                ],
                slots: [l, c, p],
                flags,
            }
        })
    }

    /// The login name as logged.
    pub fn user(&self) -> Option<&Text> {
        self.login().map(|l| &l.name)
    }

    pub fn client_ip(&self) -> Option<&Text> {
        self.client().ip.as_ref().map(KeyedText::text)
    }

    pub fn user_agent(&self) -> Option<&Text> {
        self.client().agent.as_ref().map(KeyedText::text)
    }

    pub fn stem(&self) -> Option<&Text> {
        self.path().map(|p| &p.text)
    }

    /// What the tracker asks of the path (nothing is true of no path).
    pub fn facts(&self) -> PathFacts {
        self.path().map(|p| p.facts).unwrap_or_default()
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
    logins: Table<LoginName>,
    /// By [`sample_key`] (a keyed hash: not hashed again), with the address
    /// and browser as logged, one after the other, and where the browser
    /// starts: an entry is taken only for the same bytes.
    clients: std::collections::HashMap<u64, InternedClient, Prehashed>,
    paths: Table<PathValue>,
    bytes: usize,
    /// The values now read are a record's ([`Request::from_record`]).
    from_record: bool,
    /// The epoch of the events now made.
    epoch: Open,
}

/// The values a core made, by the bytes they were made of.
type Table<T> = foldhash::HashMap<Box<[u8]>, Entry<T>>;

/// A value a core made, with where it is in the core's current epoch.
struct Entry<T> {
    value: Arc<T>,
    /// The epoch it was last added to ([`Open::number`], +1: 0 for none),
    /// and where.
    epoch: u64,
    slot: u16,
}

impl<T: Send + Sync + 'static> Entry<T> {
    fn new(value: Arc<T>) -> Entry<T> {
        Entry {
            value,
            epoch: 0,
            slot: 0,
        }
    }

    /// The value for an event of `epoch`: added to the epoch the first
    /// time it is used in it.
    fn hold(&mut self, epoch: &mut Open) -> (Shared<T>, u16) {
        let number = epoch.number().wrapping_add(1);
        if self.epoch != number {
            self.slot = slot(epoch.add(Arc::clone(&self.value) as Value));
            self.epoch = number;
        }
        (Shared::of(&self.value), self.slot)
    }
}

/// A client's address and browser as logged, one after the other, where
/// the browser starts, and what was made of them.
type InternedClient = (Box<[u8]>, usize, Entry<ClientValues>);

thread_local! {
    static INTERNED: RefCell<Interned> = RefCell::new(Interned::default());
}

/// How many events a core makes in one epoch: each distinct value of
/// theirs is added to the epoch once, and the epoch is let go with the
/// last of them. At most three values per event: a slot fits 16 bits.
const EPOCH_EVENTS: u64 = 4096;

impl Interned {
    /// Makes room for `size` more bytes: starts afresh when full (what the
    /// events made so far point to is kept by their epochs).
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

    /// The epoch of the next event: a new one every [`EPOCH_EVENTS`].
    fn next_event(&mut self) -> EpochRef {
        if self.epoch.events() >= EPOCH_EVENTS {
            self.epoch = self.epoch.next();
        }
        self.epoch.event()
    }

    /// A value not interned, for an event of the current epoch.
    fn hold_new<T: Send + Sync + 'static>(&mut self, value: Arc<T>) -> (Shared<T>, u16) {
        let held = Shared::of(&value);
        (held, slot(self.epoch.add(value)))
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

    fn login(&mut self, bytes: &[u8]) -> (Shared<LoginName>, u16) {
        self.interned(
            bytes,
            |i| (&mut i.logins, &mut i.epoch),
            |interned| {
                let name = interned.text(bytes).text;
                let key = match lowercase(&name) {
                    std::borrow::Cow::Borrowed(_) => KeyedText::new(name.clone()),
                    std::borrow::Cow::Owned(lower) => KeyedText::new(lower.into()),
                };
                let size = 2 * name.len() + 96;
                (Arc::new(LoginName { name, key }), size)
            },
        )
    }

    /// `ip` and `agent` as logged (empty for `-`).
    fn client(&mut self, ip: &[u8], agent: &[u8]) -> (Shared<ClientValues>, u16) {
        let sample = sample_key(ip, agent);
        if let Some((bytes, at, entry)) = self.clients.get_mut(&sample)
            && bytes.get(..*at) == Some(ip)
            && bytes.get(*at..) == Some(agent)
        {
            return entry.hold(&mut self.epoch);
        }
        let key = client_key(ip, agent);
        let value = |interned: &mut Interned, v: &[u8]| (!v.is_empty()).then(|| interned.text(v));
        let client = Arc::new(ClientValues {
            key,
            ip: value(self, ip),
            agent: value(self, agent),
        });
        if ip.len() + agent.len() > INTERNED_MAX_LEN {
            return self.hold_new(client);
        }
        self.room(ip.len() + agent.len() + 96);
        let (_, _, entry) = self
            .clients
            .entry(sample)
            .insert_entry(([ip, agent].concat().into(), ip.len(), Entry::new(client)))
            .into_mut();
        entry.hold(&mut self.epoch)
    }

    fn path(&mut self, bytes: &[u8]) -> (Shared<PathValue>, u16) {
        self.interned(
            bytes,
            |i| (&mut i.paths, &mut i.epoch),
            |interned| {
                let text = interned.text_of(bytes);
                let facts = PathFacts::of(&text);
                let size = text.len() + 80;
                (Arc::new(PathValue { text, facts }), size)
            },
        )
    }

    /// The value made of `bytes` for an event of the current epoch: taken
    /// from the table `parts` picks (with the epoch), or made by `fresh`
    /// (the value, and the bytes it holds beyond `bytes`) and kept there.
    /// A value past [`INTERNED_MAX_LEN`] is made each time, not kept.
    #[inline]
    fn interned<T: Send + Sync + 'static>(
        &mut self,
        bytes: &[u8],
        parts: fn(&mut Interned) -> (&mut Table<T>, &mut Open),
        fresh: impl FnOnce(&mut Interned) -> (Arc<T>, usize),
    ) -> (Shared<T>, u16) {
        if bytes.len() > INTERNED_MAX_LEN {
            let (value, _) = fresh(self);
            return self.hold_new(value);
        }
        let (table, epoch) = parts(self);
        if let Some(entry) = table.get_mut(bytes) {
            return entry.hold(epoch);
        }
        let (value, size) = fresh(self);
        self.room(bytes.len() + size);
        let (table, epoch) = parts(self);
        table
            .entry(bytes.into())
            .insert_entry(Entry::new(value))
            .into_mut()
            .hold(epoch)
    }
}

/// A value's slot in its epoch: at most three values per event, and
/// [`EPOCH_EVENTS`] events per epoch.
fn slot(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
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
