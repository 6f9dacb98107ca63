//! Timed polling: requests a browser makes on its own, on a timer, while a
//! page stays open (a dispatch board asking for updates every 30 seconds),
//! told apart from what a person does, so that an open page does not keep a
//! session open all night.
//!
//! A request of a client (address and browser) is **polling** when it
//! repeats a path that client requested before, with no page load of
//! another path in between, and either:
//!
//! - the path is a **handler or web service** ([`is_endpoint`]: `.asmx`,
//!   `.ashx`, `.svc`, `/api/`, `/signalr/`), called again since the last
//!   page load: a page calls such an endpoint once when it loads, and again
//!   and again only from a timer. Their intervals are not checked: browsers
//!   stretch the timers of background tabs, and several timers of one page
//!   interleave; or
//! - it is any other path (an ASP.NET Timer postback, a meta refresh)
//!   requested [`TIMER_REQUESTS`] times or more in a row at a **near-constant
//!   interval**: each of the last [`TIMER_REQUESTS`]` - 1` intervals within
//!   [`TOLERANCE_SECS`] seconds or a tenth of their median, whichever is
//!   more. People do not click at a metronome's pace four times in a row.
//!
//! Static assets and downloads neither are polling nor break a run. A first
//! call, or a repeat after a page load, is a person's action: it costs at
//! most one timer interval of session length per page load, and keeps a
//! person's own use of an endpoint (an upload handler) an action.
//!
//! Memory: per client, the endpoints called since its last page load (up to
//! [`ENDPOINTS_REMEMBERED`]) and the last few intervals of one path; a
//! client's state is dropped once it has been silent for the idle time.

use foldhash::HashMap;

use jiff::{SignedDuration, Timestamp};

use super::path_key;

/// Requests of one path in a row before their intervals make them a timer.
pub const TIMER_REQUESTS: usize = 5;
/// How far an interval may stray from the median of the run and still be a
/// timer's: this many seconds (IIS logs whole seconds), or a tenth of the
/// median if that is more.
pub const TOLERANCE_SECS: i64 = 2;
/// Distinct endpoints remembered per client between page loads; past that,
/// new ones count as actions.
pub const ENDPOINTS_REMEMBERED: usize = 32;

const INTERVALS: usize = TIMER_REQUESTS - 1;

/// Whether a path is a handler or web service that pages call from script:
/// ASMX and WCF services (also with a method after them), generic handlers,
/// and `/api/` or SignalR routes.
pub fn is_endpoint(stem: &str) -> bool {
    let s = stem.as_bytes();
    // `.asmx`, `.ashx`, `.svc`, at the end or before a `/` (a method).
    let service = memchr::memchr_iter(b'.', s).any(|dot| {
        let rest = &s[dot + 1..];
        let ext = &rest[..memchr::memchr(b'/', rest).unwrap_or(rest.len())];
        [&b"asmx"[..], b"ashx", b"svc"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
    });
    // An `/api/` or `/signalr/` segment (followed by more path).
    service || {
        let mut segments = s.split(|&b| b == b'/').skip(1).peekable();
        let mut found = false;
        while let Some(seg) = segments.next() {
            if segments.peek().is_some()
                && (seg.eq_ignore_ascii_case(b"api") || seg.eq_ignore_ascii_case(b"signalr"))
            {
                found = true;
                break;
            }
        }
        found
    }
}

/// What a request is, as far as polling goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A handler or web service ([`is_endpoint`]).
    Endpoint,
    /// Any other path that is neither a static asset nor a download.
    Page,
    /// Static assets, downloads, requests without a path: they do not take
    /// part.
    Other,
}

/// One client's recent rhythm.
#[derive(Debug)]
struct Rhythm {
    seen: Timestamp,
    /// [`path_key`]s of the endpoints called since the last page load.
    endpoints: Vec<u64>,
    /// The page requested last, when, and the intervals of its run (the
    /// latest last), as many as were in a row, up to [`INTERVALS`].
    page: Option<u64>,
    page_last: Timestamp,
    intervals: [i64; INTERVALS],
    run: usize,
}

impl Rhythm {
    fn new(t: Timestamp) -> Rhythm {
        Rhythm {
            seen: t,
            endpoints: Vec::new(),
            page: None,
            page_last: t,
            intervals: [0; INTERVALS],
            run: 0,
        }
    }

    fn endpoint(&mut self, key: u64) -> bool {
        if self.endpoints.contains(&key) {
            return true;
        }
        if self.endpoints.len() < ENDPOINTS_REMEMBERED {
            self.endpoints.push(key);
        }
        false
    }

    fn page(&mut self, t: Timestamp, key: u64) -> bool {
        if self.page != Some(key) {
            self.page = Some(key);
            self.page_last = t;
            self.run = 0;
            self.endpoints.clear();
            return false;
        }
        let interval = t.duration_since(self.page_last).as_secs();
        self.page_last = t;
        self.intervals.rotate_left(1);
        self.intervals[INTERVALS - 1] = interval;
        self.run = (self.run + 1).min(INTERVALS);
        let timed = self.run == INTERVALS && steady(&self.intervals);
        if !timed {
            // A person loading the page again.
            self.endpoints.clear();
        }
        timed
    }
}

/// Whether intervals (in seconds) are a timer's: positive, each within the
/// tolerance of their median.
fn steady(intervals: &[i64; INTERVALS]) -> bool {
    let mut sorted = *intervals;
    sorted.sort_unstable();
    let median = sorted[INTERVALS / 2];
    if sorted[0] <= 0 {
        return false;
    }
    let tolerance = TOLERANCE_SECS.max(median / 10);
    sorted
        .iter()
        .all(|i| i.abs_diff(median) <= tolerance.unsigned_abs())
}

/// The times at most the idle time before a request's (`t.duration_since(x)
/// <= idle`), by one subtraction per request rather than one per look.
#[derive(Clone, Copy, Debug)]
pub struct Recent {
    /// `t - idle`; `None` when that is before the earliest instant (every
    /// time is recent).
    from: Option<Timestamp>,
}

impl Recent {
    /// `idle` is positive (a tracker's idle time).
    pub fn before(t: Timestamp, idle: SignedDuration) -> Recent {
        // IIS logs whole seconds and idle times are whole minutes: then a
        // subtraction of seconds, not jiff's general arithmetic (the same
        // instant, or none when out of range, as `checked_sub` gives).
        let from = if t.subsec_nanosecond() == 0 && idle.subsec_nanos() == 0 {
            t.as_second()
                .checked_sub(idle.as_secs())
                .and_then(|s| Timestamp::from_second(s).ok())
        } else {
            t.checked_sub(idle).ok()
        };
        Recent { from }
    }

    pub fn holds(self, x: Timestamp) -> bool {
        self.from.is_none_or(|from| x >= from)
    }
}

/// The rhythm of every client seen within the idle time.
#[derive(Debug)]
pub struct PollingRule {
    idle: SignedDuration,
    clients: HashMap<u64, Rhythm>,
    swept: Option<Timestamp>,
}

impl PollingRule {
    pub fn new(idle: SignedDuration) -> PollingRule {
        PollingRule {
            idle,
            clients: HashMap::default(),
            swept: None,
        }
    }

    /// Whether a request of `client` for `stem` at `t` is polling.
    pub fn is_polling(&mut self, t: Timestamp, client: u64, stem: &str, kind: Kind) -> bool {
        self.is_polling_keyed(t, client, path_key(stem.as_bytes()), kind)
    }

    /// [`PollingRule::is_polling`], with the path's [`path_key`].
    pub fn is_polling_keyed(&mut self, t: Timestamp, client: u64, key: u64, kind: Kind) -> bool {
        self.is_polling_recent(t, Recent::before(t, self.idle), client, key, kind)
    }

    /// [`PollingRule::is_polling_keyed`], with the times recent at `t`
    /// (`Recent::before(t, idle)` of this rule's idle time).
    pub fn is_polling_recent(
        &mut self,
        t: Timestamp,
        recent: Recent,
        client: u64,
        key: u64,
        kind: Kind,
    ) -> bool {
        self.sweep(t, recent);
        if kind == Kind::Other {
            if let Some(r) = self.clients.get_mut(&client) {
                r.seen = r.seen.max(t);
            }
            return false;
        }
        let rhythm = self.clients.entry(client).or_insert_with(|| Rhythm::new(t));
        if !recent.holds(rhythm.seen) {
            // Silent past the idle time: start afresh.
            *rhythm = Rhythm::new(t);
        }
        rhythm.seen = rhythm.seen.max(t);
        match kind {
            Kind::Endpoint => rhythm.endpoint(key),
            _ => rhythm.page(t, key),
        }
    }

    /// Clients held now.
    pub fn clients(&self) -> usize {
        self.clients.len()
    }

    /// Forgets the clients silent for longer than the idle time, once per
    /// idle time of stream: memory follows the clients active together.
    fn sweep(&mut self, t: Timestamp, recent: Recent) {
        match self.swept {
            Some(s) if recent.holds(s) => {}
            _ => {
                self.clients.retain(|_, r| recent.holds(r.seen));
                self.swept = Some(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        "2023-03-01T17:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_secs(secs)
    }

    fn rule() -> PollingRule {
        PollingRule::new(SignedDuration::from_mins(30))
    }

    #[test]
    fn endpoints_and_services_by_path() {
        assert!(is_endpoint(
            "/WebServices/DispatchService.asmx/GetBoardUpdates"
        ));
        assert!(is_endpoint("/Handlers/Notifications.ashx"));
        assert!(is_endpoint("/Services/Board.svc/Poll"));
        assert!(is_endpoint("/api/board"));
        assert!(is_endpoint("/App/API/Messages"));
        assert!(is_endpoint("/signalr/poll"));
        assert!(!is_endpoint("/Dispatch.aspx"));
        assert!(!is_endpoint("/apiary.aspx"));
    }

    #[test]
    fn an_endpoint_called_again_without_a_page_load_is_polling() {
        let mut r = rule();
        let board = "/WebServices/DispatchService.asmx/GetBoardUpdates";
        assert!(!r.is_polling(at(0), 1, "/Dispatch.aspx", Kind::Page));
        assert!(!r.is_polling(at(1), 1, board, Kind::Endpoint));
        assert!(!r.is_polling(at(2), 1, "/Handlers/N.ashx", Kind::Endpoint));
        // Random intervals, other clients between: still polling.
        assert!(!r.is_polling(at(5), 2, board, Kind::Endpoint));
        assert!(r.is_polling(at(40), 1, board, Kind::Endpoint));
        assert!(r.is_polling(at(41), 1, "/handlers/n.ASHX", Kind::Endpoint));
        assert!(!r.is_polling(at(42), 1, "/images/x.png", Kind::Other));
        assert!(r.is_polling(at(97), 1, board, Kind::Endpoint));
        // A page load: the next call is the page's own.
        assert!(!r.is_polling(at(100), 1, "/Patients.aspx", Kind::Page));
        assert!(!r.is_polling(at(101), 1, board, Kind::Endpoint));
        assert!(r.is_polling(at(130), 1, board, Kind::Endpoint));
    }

    #[test]
    fn a_page_at_a_constant_interval_is_polling_from_the_fifth_request() {
        let mut r = rule();
        let polled: Vec<bool> = [0, 60, 120, 181, 240, 300, 360]
            .iter()
            .map(|&s| r.is_polling(at(s), 1, "/Board.aspx", Kind::Page))
            .collect();
        assert_eq!(polled, [false, false, false, false, true, true, true]);
        // Assets between do not break the run; a person's reload at another
        // moment does.
        assert!(!r.is_polling(at(390), 1, "/x.png", Kind::Other));
        assert!(r.is_polling(at(420), 1, "/Board.aspx", Kind::Page));
        assert!(!r.is_polling(at(431), 1, "/Board.aspx", Kind::Page));
        assert!(!r.is_polling(at(480), 1, "/Board.aspx", Kind::Page));
    }

    #[test]
    fn a_person_repeating_a_page_at_uneven_intervals_is_not_polling() {
        let mut r = rule();
        for (i, s) in [0, 20, 65, 70, 130, 131, 200].iter().enumerate() {
            assert!(!r.is_polling(at(*s), 1, "/PCREdit.aspx", Kind::Page), "{i}");
        }
        // Another page between ends the run.
        let mut r = rule();
        for s in [0, 60, 120, 180] {
            r.is_polling(at(s), 1, "/Board.aspx", Kind::Page);
        }
        assert!(!r.is_polling(at(200), 1, "/Home.aspx", Kind::Page));
        assert!(!r.is_polling(at(240), 1, "/Board.aspx", Kind::Page));
    }

    #[test]
    fn a_client_silent_past_the_idle_time_starts_afresh_and_is_forgotten() {
        let mut r = rule();
        let board = "/Handlers/N.ashx";
        assert!(!r.is_polling(at(0), 1, board, Kind::Endpoint));
        assert!(r.is_polling(at(30), 1, board, Kind::Endpoint));
        assert!(!r.is_polling(at(30 + 1801), 1, board, Kind::Endpoint));
        for c in 2..100 {
            r.is_polling(at(4000), c, board, Kind::Endpoint);
        }
        // Client 1, silent since 1831 s, is forgotten.
        assert_eq!(r.clients(), 98);
        r.is_polling(at(4000 + 3700), 1, board, Kind::Endpoint);
        assert_eq!(r.clients(), 1);
    }

    #[test]
    fn recent_is_what_checked_sub_says_in_whole_seconds_and_not() {
        let idle = SignedDuration::from_mins(30);
        let times = [
            at(0),
            at(1799),
            at(-5),
            Timestamp::UNIX_EPOCH,
            Timestamp::from_second(-1).unwrap(),
            Timestamp::new(-1, -500).unwrap(),
            Timestamp::new(100, 999_999_999).unwrap(),
            Timestamp::MIN,
            Timestamp::MIN + SignedDuration::from_mins(29),
            Timestamp::MIN + SignedDuration::from_mins(30),
            Timestamp::MAX,
        ];
        for idle in [
            idle,
            SignedDuration::new(90, 5),
            SignedDuration::from_secs(1),
        ] {
            for &t in &times {
                let from = t.checked_sub(idle).ok();
                assert_eq!(Recent::before(t, idle).from, from, "{t} - {idle:?}");
                for &x in &times {
                    let want = t.duration_since(x) <= idle;
                    assert_eq!(Recent::before(t, idle).holds(x), want, "{x} near {t}");
                }
            }
        }
    }
}
