//! `stats`: requests, POSTs, addresses, pages, exports and failed logons
//! per user, address, page, local day or hour (any combination), the share
//! of after-hours work, and the days that stand out from a person's own
//! and their peers' usual.
//!
//! The parse stays the engine's and parallel: on the cores, [`Facts::fact`]
//! turns a row into a [`Fact`] of typed values (keys as 64-bit keyed hashes,
//! the local day and hour computed there). The main thread only appends
//! facts to columns ([`frame::FactFrame`]); polars' lazy engine groups them.
//!
//! **Memory bound.** Facts are held in columns of at most
//! [`frame::BUFFER_ROWS`] rows (about 14 MiB); each full buffer is
//! pre-aggregated by polars into one row per group and the distinct (group,
//! address) and (group, page) pairs, and only those are kept (grouped again
//! when they pass [`frame::COMPACT_ROWS`]); each core keeps a fixed cache of
//! what it sent lately ([`Recent`], 544 KiB). What is held grows with the
//! groups, their distinct pairs and the distinct names, never with the
//! number of rows.

pub mod clock;
pub mod frame;
pub mod hash;
pub mod outliers;
pub mod partial;

use std::borrow::Cow;

use jiff::Timestamp;

use super::export;
use crate::filter::Filter;
use crate::w3c::{Column, Row};
use clock::LocalClock;
use hash::Keyer;

/// What rows are grouped by (`--by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    User,
    Ip,
    Page,
    Day,
    Hour,
}

impl Key {
    /// The JSON key and the `--by` name.
    pub fn name(self) -> &'static str {
        match self {
            Key::User => "user",
            Key::Ip => "ip",
            Key::Page => "page",
            Key::Day => "day",
            Key::Hour => "hour",
        }
    }

    /// Reads `--by`: names separated by commas, each once.
    pub fn parse_list(text: &str) -> Result<Vec<Key>, String> {
        let mut keys = Vec::new();
        for part in text.split(',') {
            let key = match part.trim().to_ascii_lowercase().as_str() {
                "user" => Key::User,
                "ip" => Key::Ip,
                "page" => Key::Page,
                "day" => Key::Day,
                "hour" => Key::Hour,
                other => {
                    return Err(format!(
                        "--by: '{other}' is not one of user, ip, page, day, hour"
                    ));
                }
            };
            if keys.contains(&key) {
                return Err(format!("--by: {} is named twice", key.name()));
            }
            keys.push(key);
        }
        Ok(keys)
    }
}

/// Working hours (`--after-hours 07:00-19:00`): an action outside them, or
/// on a Saturday or Sunday, is after hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkHours {
    /// Seconds since local midnight: the first working second.
    pub start: u32,
    /// The first second after work; before `start` when work crosses
    /// midnight (`22:00-06:00`, a night shift).
    pub end: u32,
}

impl WorkHours {
    /// Reads `HH:MM-HH:MM` (local; `24:00` is the end of the day).
    pub fn parse(text: &str) -> Result<WorkHours, String> {
        let bad =
            || format!("--after-hours '{text}' is not working hours HH:MM-HH:MM (07:00-19:00)");
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        let clock = |s: &str| -> Option<u32> {
            let (h, m) = s.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 3600 + m * 60)
        };
        let (start, end) = (clock(a).ok_or_else(bad)?, clock(b).ok_or_else(bad)?);
        if start == end {
            return Err(format!(
                "--after-hours '{text}': the working hours are empty (start equals end)"
            ));
        }
        Ok(WorkHours { start, end })
    }

    /// Whether a local time is after hours.
    pub fn is_after(self, local: clock::LocalTime) -> bool {
        let s = local.second;
        let working = if self.start < self.end {
            s >= self.start && s < self.end
        } else {
            s >= self.start || s < self.end
        };
        local.is_weekend() || !working
    }
}

/// What `stats` was asked for, validated.
#[derive(Clone, Debug)]
pub struct StatsConfig {
    pub by: Vec<Key>,
    pub work_hours: Option<WorkHours>,
    pub outliers: bool,
}

/// Bits of [`Fact::flags`].
pub mod flag {
    pub const POST: u8 = 1;
    pub const EXPORT: u8 = 1 << 1;
    /// An export whose `sc-bytes` was logged.
    pub const BYTES: u8 = 1 << 2;
    pub const FAILED_LOGON: u8 = 1 << 3;
    pub const AFTER_HOURS: u8 = 1 << 4;
}

/// The parts of a group: the hashes of its user, address and page, its
/// local day and hour (absent: 0, [`NO_DAY`], [`NO_HOUR`]; parts not in
/// `--by` are absent too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Parts {
    pub user: u64,
    pub ip: u64,
    pub page: u64,
    pub day: i32,
    pub hour: i8,
}

/// A day that is not there (a row without a UTC time).
pub const NO_DAY: i32 = i32::MIN;
pub const NO_HOUR: i8 = -1;

/// One row, as `stats` needs it: three 64-bit keyed hashes (see
/// [`Facts`]), flags, the bytes of an export and the time.
#[derive(Debug)]
pub struct Fact {
    /// The group: a hash of its [`Parts`].
    pub group: u64,
    /// The (group, address) and (group, page) pairs, for the distinct
    /// counts; 0 when the row has no address or page, or when this core
    /// has sent the pair before.
    pub ip_pair: u64,
    pub page_pair: u64,
    pub flags: u8,
    /// `sc-bytes` of an export, when logged.
    pub bytes: u64,
    /// UTC nanoseconds.
    pub time: Option<i64>,
    /// The group's parts and the spellings of its names, the first time
    /// this core meets them (see [`Facts`]); almost always `None`.
    pub new: Option<Box<NewGroup>>,
}

/// What the main thread needs once per group (and per spelling): its parts,
/// and the names of its user, address and page as written.
#[derive(Debug)]
pub struct NewGroup {
    /// The group's hash ([`Fact::group`]).
    pub group: u64,
    pub parts: Parts,
    pub names: [Option<LogName>; 3],
}

/// A user, address or page as logged: its bytes, which need not be UTF-8.
/// People read one that is not with each bad byte as `\xNN`
/// ([`LogName::text`]); JSON, NDJSON and CSV give its exact bytes as
/// `{"bytes": "<base64>"}` ([`LogName::json`]), as for file names
/// ([`crate::name`]). Ordered by its bytes (for UTF-8, by code point).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogName(Vec<u8>);

impl LogName {
    pub fn new(bytes: &[u8]) -> LogName {
        LogName(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The name for people: UTF-8 runs as they are, other bytes `\xNN`.
    pub fn text(&self) -> Cow<'_, str> {
        match std::str::from_utf8(&self.0) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => {
                let mut out = String::with_capacity(self.0.len() + 8);
                for piece in self.0.utf8_chunks() {
                    out.push_str(piece.valid());
                    piece
                        .invalid()
                        .iter()
                        .for_each(|b| out.push_str(&format!("\\x{b:02X}")));
                }
                Cow::Owned(out)
            }
        }
    }

    /// A JSON string, or `{"bytes": "<base64>"}` when it is not UTF-8.
    pub fn json(&self) -> serde_json::Value {
        use base64::Engine as _;
        match std::str::from_utf8(&self.0) {
            Ok(text) => serde_json::Value::String(text.to_string()),
            Err(_) => serde_json::json!({
                "bytes": base64::engine::general_purpose::STANDARD.encode(&self.0)
            }),
        }
    }
}

/// Builds facts from rows on the cores.
///
/// Keys are keyed 64-bit hashes ([`super::path_key`]: ASCII case ignored,
/// as IIS does; a collision, about one in 10^19 per pair of keys, would
/// merge two); groups and pairs are hashed from them with keys of the run
/// too ([`hash::Keyer`], with the same odds). A group's parts and its names are sent with a fact only when
/// the core has not met that group with that exact spelling lately
/// ([`Recent`]), so the main thread receives each at least once and almost
/// no string per row; of the spellings of one name (`JSmith`, `jsmith`) the
/// smallest is shown, whichever core met it first.
pub struct Facts<'a> {
    filter: &'a Filter,
    /// Whether any filter of requests was given (else none is looked at).
    filtered: bool,
    clock: LocalClock,
    config: &'a StatsConfig,
    by: [bool; 5],
    /// This run's number, to tell its [`Recent`] entries from another's.
    run: u64,
    /// The hashes of groups and pairs.
    keyer: Keyer,
}

/// What a core sent lately: a direct-mapped cache of hashes (groups with
/// their spellings, and pairs), a fixed size per core. A hash sent again
/// after being pushed out costs the main thread a little; one never sent
/// cannot happen (a hash not in the cache is sent). It also keeps the
/// zone's offset last looked up.
struct Recent {
    run: u64,
    groups: Box<[u64]>,
    pairs: Box<[u64]>,
    offset: Option<clock::OffsetSpan>,
}

/// Slots of [`Recent`]: 32 KiB and 512 KiB per core.
const RECENT_GROUPS: usize = 1 << 12;
const RECENT_PAIRS: usize = 1 << 16;

impl Recent {
    fn new(run: u64) -> Recent {
        Recent {
            run,
            groups: vec![0; RECENT_GROUPS].into_boxed_slice(),
            pairs: vec![0; RECENT_PAIRS].into_boxed_slice(),
            offset: None,
        }
    }

    /// Whether `hash` (never 0) was not in `slots`; it is now.
    fn first_time(slots: &mut [u64], hash: u64) -> bool {
        let mask = slots.len() - 1;
        let slot = &mut slots[hash as usize & mask];
        let new = *slot != hash;
        *slot = hash;
        new
    }
}

thread_local! {
    static RECENT: std::cell::RefCell<Option<Recent>> = const { std::cell::RefCell::new(None) };
}

/// Numbers the runs of [`Facts`] (tests run several in one process).
static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl<'a> Facts<'a> {
    pub fn new(filter: &'a Filter, zone: &crate::time::Zone, config: &'a StatsConfig) -> Self {
        let has = |k: Key| config.by.contains(&k);
        Facts {
            filter,
            filtered: filter
                .given()
                .iter()
                .any(|c| *c != crate::filter::Criterion::User),
            clock: LocalClock::new(zone.tz()),
            config,
            by: [
                has(Key::User),
                has(Key::Ip),
                has(Key::Page),
                has(Key::Day),
                has(Key::Hour),
            ],
            run: RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            keyer: Keyer::new(),
        }
    }

    /// The fact of a row that passes the filters.
    #[inline]
    pub fn fact(&self, row: &Row<'_>) -> Option<Fact> {
        if self.filtered && !self.filter.matches_request(row) {
            return None;
        }
        // Most rows hold no `""` escape: their values are read in place.
        if !row.has_escapes() {
            let value = |c: Column| row.plain(c);
            self.fact_of(
                row,
                [
                    value(Column::Method),
                    value(Column::UriStem),
                    value(Column::Username),
                    value(Column::ClientIp),
                ],
            )
        } else {
            let value = |c: Column| row.raw(c);
            let (m, s, u, i) = (
                value(Column::Method),
                value(Column::UriStem),
                value(Column::Username),
                value(Column::ClientIp),
            );
            self.fact_of(
                row,
                [m.as_deref(), s.as_deref(), u.as_deref(), i.as_deref()],
            )
        }
    }

    /// The fact of a row, given its method, stem, user and address.
    #[inline(always)]
    fn fact_of(&self, row: &Row<'_>, values: [Option<&[u8]>; 4]) -> Option<Fact> {
        let [method, stem, logged_user, ip] = values;
        let method = method.unwrap_or_default();
        let stem = stem.unwrap_or_default();
        let mut flags = 0;
        let mut bytes = 0;
        let mut export_user = None;
        if export::is_download(method, stem) {
            let name = export::parse(&String::from_utf8_lossy(stem));
            if name.is_export() {
                flags |= flag::EXPORT;
                if let Some(b) = row.number(Column::BytesSent) {
                    flags |= flag::BYTES;
                    bytes = b;
                }
                export_user = name.export_user;
            }
        }
        // A download carries no login name: the export's file name gives it.
        let user: Option<&[u8]> = match (logged_user, &export_user) {
            (Some(u), _) => Some(u),
            (None, Some(u)) => Some(u.as_bytes()),
            (None, None) => None,
        };
        if self.filter.has_users() && !self.filter.user_matches(user) {
            return None;
        }
        if method.eq_ignore_ascii_case(b"POST") {
            flags |= flag::POST;
            if is_logon_page(stem) && matches!(row.number(Column::Status), Some(200 | 401)) {
                flags |= flag::FAILED_LOGON;
            }
        }
        let values: [Option<&[u8]>; 3] = [user, ip, Some(stem).filter(|s| !s.is_empty())];
        // The user's key only when users are grouped; addresses and pages
        // are always counted. With each, whether the name has a capital.
        let [user, ip, page] = [
            values[0].filter(|_| self.by[0]).map_or((0, false), key),
            values[1].map_or((0, false), key),
            values[2].map_or((0, false), key),
        ];
        let keys = [user.0, ip.0, page.0];
        let capitals = [user.1, ip.1, page.1];
        let named = |i: usize| values[i].filter(|_| self.by[i]);
        let time = row.time;
        RECENT.with_borrow_mut(|recent| {
            let recent = match recent {
                Some(r) if r.run == self.run => r,
                other => other.insert(Recent::new(self.run)),
            };
            let local = time.map(|t| self.clock.local_near(t, &mut recent.offset));
            if let (Some(hours), Some(l)) = (self.config.work_hours, local)
                && hours.is_after(l)
            {
                flags |= flag::AFTER_HOURS;
            }
            let part = |i: usize| if self.by[i] { keys[i] } else { 0 };
            let parts = Parts {
                user: part(0),
                ip: part(1),
                page: part(2),
                day: match local {
                    Some(l) if self.by[3] => l.day,
                    _ => NO_DAY,
                },
                hour: match local {
                    Some(l) if self.by[4] => l.hour() as i8,
                    _ => NO_HOUR,
                },
            };
            let group = self.keyer.group(&parts);
            // A spelling without an ASCII capital is the only one of its key
            // that has none: the key itself tells it apart.
            let mut seen_as = group;
            for (i, capitals) in capitals.into_iter().enumerate() {
                if capitals && let Some(v) = named(i) {
                    seen_as = self.keyer.spelled(seen_as, i, super::client_key(v, &[]));
                }
            }
            // A pair this core sent lately is not sent again: polars sees
            // each distinct pair a few times, not once per row.
            let mut sent = |k: u64, pair: fn(&Keyer, u64, u64) -> u64| {
                if k == 0 {
                    return 0;
                }
                let p = pair(&self.keyer, group, k);
                if Recent::first_time(&mut recent.pairs, p) {
                    p
                } else {
                    0
                }
            };
            let ip_pair = sent(keys[1], Keyer::ip_pair);
            let page_pair = sent(keys[2], Keyer::page_pair);
            let new = Recent::first_time(&mut recent.groups, seen_as.max(1)).then(|| {
                let name = |i: usize| named(i).map(LogName::new);
                Box::new(NewGroup {
                    group,
                    parts,
                    names: [name(0), name(1), name(2)],
                })
            });
            Some(Fact {
                group,
                ip_pair,
                page_pair,
                flags,
                bytes,
                time: time.map(nanos),
                new,
            })
        })
    }
}

/// A key's hash, never 0 (which stands for "absent"), and whether the
/// name has an ASCII capital.
#[inline]
fn key(bytes: &[u8]) -> (u64, bool) {
    let (key, capitals) = super::keys::path_key_cased(bytes);
    (key.max(1), capitals)
}

/// UTC nanoseconds of an instant (rows hold 1677..2262, which fit in i64).
fn nanos(t: Timestamp) -> i64 {
    i64::try_from(t.as_nanosecond()).unwrap_or(i64::MAX)
}

/// The application's logon page, `/Login.aspx` (any case, at any depth).
/// A POST to it answered 200 (the form shown again) or 401 is a failed
/// logon; a good one is answered 302, a redirect to the page asked for.
pub fn is_logon_page(stem: &[u8]) -> bool {
    const PAGE: &[u8] = b"/login.aspx";
    stem.len() >= PAGE.len() && stem[stem.len() - PAGE.len()..].eq_ignore_ascii_case(PAGE)
}

/// One group's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupStats {
    pub user: Option<LogName>,
    pub ip: Option<LogName>,
    pub page: Option<LogName>,
    pub day: Option<jiff::civil::Date>,
    pub hour: Option<u8>,
    pub requests: u64,
    pub posts: u64,
    pub ips: u64,
    pub pages: u64,
    pub exports: u64,
    /// `None` when the group has exports and none has `sc-bytes` logged.
    pub export_bytes: Option<u64>,
    pub failed_logons: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub after_hours: u64,
    pub outlier: Option<outliers::Standing>,
}

impl GroupStats {
    /// The share of after-hours actions, 0..=1.
    pub fn after_hours_share(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.after_hours as f64 / self.requests as f64
        }
    }
}

/// What `stats` found: one row per group, in the order to print.
#[derive(Clone, Debug)]
pub struct StatsReport {
    pub by: Vec<Key>,
    pub after_hours: bool,
    pub outliers: bool,
    pub groups: Vec<GroupStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_lists_are_read_and_checked() {
        assert_eq!(
            Key::parse_list("user, Day").unwrap(),
            vec![Key::User, Key::Day]
        );
        assert!(Key::parse_list("user,user").unwrap_err().contains("twice"));
        assert!(Key::parse_list("month").unwrap_err().contains("'month'"));
    }

    #[test]
    fn work_hours_and_weekends() {
        let h = WorkHours::parse("07:00-19:00").unwrap();
        let at = |day: i32, hour: u32| clock::LocalTime {
            day,
            second: hour * 3600,
        };
        // 2026-03-09 is a Monday: day 20521.
        let monday = 20521;
        assert!(!h.is_after(at(monday, 7)));
        assert!(h.is_after(at(monday, 19)));
        assert!(h.is_after(at(monday, 6)));
        assert!(h.is_after(at(monday - 1, 12)), "Sunday");
        assert!(h.is_after(at(monday - 2, 12)), "Saturday");
        let night = WorkHours::parse("22:00-06:00").unwrap();
        assert!(!night.is_after(at(monday, 23)));
        assert!(night.is_after(at(monday, 12)));
        assert!(WorkHours::parse("07:00-07:00").is_err());
        assert!(WorkHours::parse("7-19").is_err());
        assert!(WorkHours::parse("07:60-19:00").is_err());
    }

    #[test]
    fn names_that_are_not_utf8_are_kept() {
        let name = LogName::new(b"j\xE9r\xF4me");
        assert_eq!(name.text(), "j\\xE9r\\xF4me");
        assert_eq!(name.json(), serde_json::json!({"bytes": "auly9G1l"}));
        let plain = LogName::new("jérôme".as_bytes());
        assert_eq!(plain.text(), "jérôme");
        assert_eq!(plain.json(), serde_json::json!("jérôme"));
    }

    #[test]
    fn logon_page_any_case() {
        assert!(is_logon_page(b"/Login.aspx"));
        assert!(is_logon_page(b"/acme/LOGIN.ASPX"));
        assert!(!is_logon_page(b"/Login.aspx.bak"));
        assert!(!is_logon_page(b"/wp-login.php"));
    }
}
