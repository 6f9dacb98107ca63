//! The tracker's tests: streams of requests in, sessions out.

use super::*;
use crate::analyze::ordered::Held;
use crate::analyze::{client_key, same_user};
use crate::w3c::FieldMap;

const A: &str = "Mozilla/5.0+(Macintosh)+Chrome/55";
const B: &str = "Mozilla/5.0+(Windows+NT+10.0)+Chrome/55";

fn ts(hms: &str) -> Timestamp {
    format!("2017-01-19T{hms}Z").parse().unwrap()
}

fn ev(user: Option<&str>, ip: &str, agent: &str, method: &str, stem: &str) -> SessionEvent {
    SessionEvent::of(&Request {
        user: user.map(str::as_bytes),
        ip: Some(ip.as_bytes()),
        agent: Some(agent.as_bytes()),
        method: Some(method.as_bytes()),
        stem: Some(stem.as_bytes()),
        ..Request::default()
    })
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
            let e = if i % 2 == 0 {
                let stem = format!("/temp/acme/X{i}.zip");
                ev(Some("jsmith"), &ip, A, "GET", &stem)
            } else {
                ev(Some("jsmith"), &ip, A, "GET", &page)
            };
            assert_eq!(e.download(), i % 2 == 0);
            ("10:00:00", e)
        })
        .collect();
    let all = sessions(30, stream);
    assert_eq!(all.len(), 1);
    let s = &all[0];
    assert_eq!(s.requests, n as u64);
    assert_eq!(s.client_ips.len(), MAX_LISTED_VALUES);
    assert_eq!(&*s.client_ips[0], "10.0.0.0", "the first ones are listed");
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
    assert_eq!(&*s.downloads[0], "/temp/acme/X0.zip");
}

fn paths(session: &Session) -> Vec<&str> {
    session.pages.iter().map(|p| &*p.path).collect()
}

/// A session's list of texts, to compare with string literals.
fn texts(list: &[Text]) -> Vec<&str> {
    list.iter().map(|t| &**t).collect()
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
    assert_eq!(texts(&jsmith.client_ips), ["1.1.1.1", "3.3.3.3"]);
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
    assert_eq!(texts(&out[0].downloads), ["/temp/acme/X.jsmith.zip"]);
    assert_eq!(paths(&out[0]), ["/Dispatch.aspx"]);
    assert_eq!(texts(&out[1].downloads), ["/temp/acme/Y.zip"]);
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
    assert_eq!(texts(&out[0].client_ips), ["2.2.2.2", "1.1.1.1"]);
    assert_eq!(out[0].user_agent.as_deref(), Some(B));
    assert_eq!(texts(&out[0].other_user_agents), [A]);
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
    assert_eq!(texts(&out[1].downloads), ["/temp/acme/X.zip"]);
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
    assert_eq!(texts(&out[1].downloads), ["/temp/acme/X.zip"]);
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
    assert_eq!(texts(&out[0].downloads), ["/temp/acme/X.zip"]);
    assert_eq!((out[0].requests, out[0].posts), (11, 4));
    let folded: Vec<(Timestamp, u64)> = out[0].pages.iter().map(|p| (p.time, p.requests)).collect();
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
    assert_eq!(texts(&s.downloads), ["/temp/acme/A.jdoe.zip"]);
    assert_eq!(s.requests, 5);
}

#[test]
fn bytes_are_summed_when_logged_and_absent_otherwise() {
    let with_bytes = |sent, received| {
        SessionEvent::of(&Request {
            user: Some(b"a"),
            ip: Some(b"1.1.1.1"),
            agent: Some(A.as_bytes()),
            method: Some(b"GET"),
            stem: Some(b"/x.aspx"),
            bytes_sent: sent,
            bytes_received: received,
            from_record: false,
        })
    };
    let logged = with_bytes(Some(100), Some(7));
    let also = with_bytes(Some(50), None);
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
    assert_eq!(e.user(), None);
    assert!(e.download());
    assert_eq!(e.stem().map(|s| &**s), Some("/temp/acme/X.zip"));
    assert_eq!((e.bytes_sent(), e.bytes_received()), (Some(3870417), None));
    assert_eq!(e.client().key, client_key(b"73.21.44.9", b"Chrome"));
    assert_eq!(e.client_ip().map(|s| &**s), Some("73.21.44.9"));
    let e =
        event(b"2017-01-19 17:16:39 POST /temp/acme/up.ashx ACME\\JSmith 73.21.44.9 Chrome 200 10");
    assert_eq!(e.user().map(|s| &**s), Some("ACME\\JSmith"));
    let login = e.login().unwrap();
    assert_eq!(login.key, KeyedText::new("acme\\jsmith".into()));
    assert!(!e.download() && e.post());
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

/// Runs one stream (times in seconds, arrival order as given) through a
/// tracker showing every session and through one showing only `shown`;
/// returns (every session, the sessions the second returned, its hidden
/// count).
fn with_and_without_showing(
    stream: &[(i64, SessionEvent)],
    shown: &'static str,
) -> (Vec<Session>, Vec<Session>, u64) {
    let t0 = ts("10:00:00");
    let run = |mut tracker: SessionTracker| {
        let mut out = Vec::new();
        for (i, (secs, e)) in stream.iter().enumerate() {
            let t = t0 + SignedDuration::from_secs(*secs);
            out.extend(tracker.observe(t, at("u_ex.log", i as u64 + 1, e.clone())));
        }
        out.extend(tracker.finish());
        (out, tracker.hidden())
    };
    let idle = SignedDuration::from_mins(30);
    let (all, none_hidden) = run(SessionTracker::new(idle));
    assert_eq!(none_hidden, 0);
    let (some, hidden) = run(SessionTracker::new(idle).showing(move |u| same_user(u, shown)));
    (all, some, hidden)
}

/// The sessions of `all` but those of other users (in the order reported),
/// and how many those are.
fn kept(all: &[Session], shown: &str) -> (Vec<Session>, u64) {
    let mine: Vec<Session> = all
        .iter()
        .filter(|s| s.user.as_deref().is_none_or(|u| same_user(u, shown)))
        .cloned()
        .collect();
    let others = all
        .iter()
        .filter(|s| s.user.as_deref().is_some_and(|u| !same_user(u, shown)))
        .count() as u64;
    (mine, others)
}

#[test]
fn showing_one_user_keeps_a_row_without_a_login_that_joins_their_session() {
    // Out of order: the anonymous request of 10:01 comes after jsmith's
    // login of 10:02 on the same client, and the late 09:59 one after that;
    // then bob logs on from that client (he owns it from then on: its
    // anonymous request of 10:10 is his); the anonymous session of another
    // client is taken in when ACME\jsmith logs on from it, and a row far
    // out of order still finds her session there.
    let stream = vec![
        (120, ev(Some("JSmith"), "1.1.1.1", A, "GET", "/Home.aspx")),
        (60, ev(None, "1.1.1.1", A, "GET", "/Patients.aspx")),
        (-60, ev(None, "1.1.1.1", A, "GET", "/Logon.aspx")),
        (300, ev(Some("bob"), "1.1.1.1", A, "GET", "/Board.aspx")),
        (600, ev(None, "1.1.1.1", A, "GET", "/Bob.aspx")),
        (610, ev(None, "2.2.2.2", B, "GET", "/Before.aspx")),
        (
            620,
            ev(Some("acme\\jsmith"), "2.2.2.2", B, "GET", "/After.aspx"),
        ),
        (30, ev(None, "2.2.2.2", B, "GET", "/VeryLate.aspx")),
        (4000, ev(Some("bob"), "3.3.3.3", B, "GET", "/Late.aspx")),
    ];
    let (all, some, hidden) = with_and_without_showing(&stream, "jsmith");
    let (mine, others) = kept(&all, "jsmith");
    assert_eq!(some, mine);
    assert_eq!(hidden, others);
    // The rows without a login are in jsmith's sessions.
    let pages: Vec<&str> = mine
        .iter()
        .filter(|s| s.user.is_some())
        .flat_map(|s| s.pages.iter().map(|p| &*p.path))
        .collect();
    for p in [
        "/Logon.aspx",
        "/Patients.aspx",
        "/Before.aspx",
        "/VeryLate.aspx",
    ] {
        assert!(pages.contains(&p), "{p} in {pages:?}");
    }
    assert!(!pages.contains(&"/Bob.aspx"), "{pages:?}");
    assert_eq!(hidden, 2, "bob's two sessions");
}

#[test]
fn showing_one_user_returns_the_same_sessions_as_filtering_afterwards() {
    // Random streams: few clients shared by three users and anonymous
    // requests, polling, idle gaps, and rows out of order.
    let mut next = crate::w3c::xorshift(0x5eed_0f5e_5510_0001);
    let users = [
        Some("jsmith"),
        Some("JSMITH"),
        Some("bob"),
        Some("ACME\\bob"),
        None,
        None,
    ];
    let clients = [
        ("1.1.1.1", A),
        ("1.1.1.1", B),
        ("2.2.2.2", A),
        ("3.3.3.3", B),
    ];
    let paths = [
        ("GET", "/Home.aspx"),
        ("GET", "/Board.aspx"),
        ("POST", "/WebServices/Board.asmx/Poll"),
        ("GET", "/js/site.js"),
        ("GET", "/temp/acme/X.zip"),
    ];
    let mut compared = 0;
    for round in 0..200 {
        let mut secs = 0i64;
        let stream: Vec<(i64, SessionEvent)> = (0..60)
            .map(|_| {
                let r = next();
                secs += match r % 10 {
                    0 => 2000 + (r >> 8) as i64 % 3000,
                    1 => -((r >> 8) as i64 % 900),
                    _ => (r >> 8) as i64 % 90,
                };
                let (ip, agent) = clients[(r >> 20) as usize % clients.len()];
                let (method, path) = paths[(r >> 24) as usize % paths.len()];
                let user = users[(r >> 28) as usize % users.len()];
                (secs, ev(user, ip, agent, method, path))
            })
            .collect();
        let (all, some, hidden) = with_and_without_showing(&stream, "jsmith");
        let (mine, others) = kept(&all, "jsmith");
        assert_eq!(some, mine, "round {round}");
        assert_eq!(hidden, others, "round {round}");
        compared += mine.iter().filter(|s| s.user.is_some()).count();
    }
    assert!(compared > 200, "jsmith had sessions to compare: {compared}");
}

#[test]
fn clients_that_share_a_sample_are_told_apart_by_their_bytes() {
    // Same address, same browser length, same first and last 16 bytes:
    // the core's look-up shares an entry, the bytes decide.
    let one = "Mozilla/5.0+(Windows+NT+10.0;+AAAA)+Gecko/20100101+Firefox/115.0";
    let two = "Mozilla/5.0+(Windows+NT+10.0;+BBBB)+Gecko/20100101+Firefox/115.0";
    for _ in 0..3 {
        for agent in [one, two] {
            let e = ev(None, "1.1.1.1", agent, "GET", "/Home.aspx");
            assert_eq!(e.user_agent().map(|a| &**a), Some(agent));
            assert_eq!(e.client().key, client_key(b"1.1.1.1", agent.as_bytes()));
        }
    }
    // A value past the length interned is still read whole.
    let long = "X".repeat(600);
    let e = ev(None, "1.1.1.1", &long, "GET", &format!("/{long}"));
    assert_eq!(e.user_agent().map(|a| a.len()), Some(600));
    assert_eq!(e.client().key, client_key(b"1.1.1.1", long.as_bytes()));
    assert_eq!(e.stem().map(|s| s.len()), Some(601));
}

#[test]
fn a_records_clipped_value_is_not_clipped_again() {
    // `investigate` builds events from records, whose values were clipped
    // when read: a row's long value is clipped, a record's kept as it is.
    let mut held = "p".repeat(crate::w3c::record::MAX_HELD_VALUE + 10);
    crate::w3c::record::clip(&mut held);
    let raw = "p".repeat(crate::w3c::record::MAX_HELD_VALUE + 10);
    let of = |stem: &str, from_record: bool| {
        SessionEvent::of(&Request {
            stem: Some(stem.as_bytes()),
            from_record,
            ..Request::default()
        })
        .stem()
        .map(|s| s.to_string())
    };
    assert_eq!(of(&raw, false).as_deref(), Some(held.as_str()));
    assert_eq!(of(&held, true).as_deref(), Some(held.as_str()));
}

#[test]
fn login_names_are_keyed_in_lower_case_and_compared_by_text() {
    let key = |name: &str| {
        ev(Some(name), "1.1.1.1", A, "GET", "/")
            .login()
            .map(|l| l.key.clone())
    };
    assert_eq!(key("ACME\\JSmith"), key("acme\\jsmith"));
    assert_ne!(key("jsmith"), key("jsmith2"));
    let a = KeyedText::new("jsmith".into());
    let b = KeyedText::new(String::from("jsmith").into());
    assert_eq!(a, b, "equal texts from different places");
}

#[test]
fn sessions_taken_in_leave_queue_entries_that_are_passed_over_and_then_let_go() {
    // Anonymous sessions of many clients, each taken into its user's open
    // session when the user logs on from it: their queue entries stay
    // behind (see `EndQueue`), must end nothing, and go once passed.
    let mut tracker = SessionTracker::new(SignedDuration::from_mins(1));
    let mut ended = Vec::new();
    let mut send = |tracker: &mut SessionTracker, time: &str, e: SessionEvent| {
        ended.extend(tracker.observe(ts(time), at("f", 1, e)));
    };
    for c in 0..50 {
        let (user, elsewhere, here) = (
            format!("u{c}"),
            format!("10.1.0.{c}"),
            format!("10.0.0.{c}"),
        );
        send(
            &mut tracker,
            "10:00:00",
            ev(Some(&user), &elsewhere, A, "GET", "/Home.aspx"),
        );
        send(
            &mut tracker,
            "10:00:00",
            ev(None, &here, A, "GET", "/logo.png"),
        );
        send(
            &mut tracker,
            "10:00:10",
            ev(Some(&user), &here, A, "GET", "/Home.aspx"),
        );
    }
    assert_eq!(tracker.active(), 50, "every anonymous session taken in");
    assert_eq!(tracker.by_end.heap.len(), 100, "50 entries left behind");
    // Past the idle time of the entries left behind, not of the users'.
    for c in 0..50 {
        let e = ev(
            Some(&format!("u{c}")),
            &format!("10.0.0.{c}"),
            A,
            "GET",
            "/P.aspx",
        );
        send(&mut tracker, "10:01:05", e);
    }
    assert!(ended.is_empty(), "{:?}", users(&ended));
    assert_eq!(
        tracker.by_end.heap.len(),
        50,
        "what was left behind is let go"
    );
    let last = tracker.finish();
    assert_eq!(last.len(), 50);
    assert!(
        last.iter()
            .all(|s| s.requests == 4 && s.start == ts("10:00:00"))
    );
}

#[test]
fn an_event_is_small() {
    // Every request passes through the reorder buffer as one.
    assert!(std::mem::size_of::<SessionEvent>() <= 56);
}

#[test]
fn a_settled_event_reads_the_same_values_after_its_epoch_is_gone() {
    let first = ev(Some("JSmith"), "1.1.1.1", A, "POST", "/temp/acme/A.zip");
    let others: Vec<SessionEvent> = (0..10)
        .map(|i| ev(None, &format!("3.3.3.{i}"), B, "GET", &format!("/q{i}")))
        .collect();
    let before = format!("{first:?}");
    let mut settled = first.clone();
    let (shared, all) = settled.epoch_holds();
    assert!(all && shared >= 3 + 20, "the epoch of the events around it");
    Held::settle(&mut settled);
    assert_eq!(settled.epoch_holds(), (3, true), "its own values only");
    Held::settle(&mut settled);
    assert_eq!(settled.epoch_holds(), (3, true), "once is enough");
    drop(others);
    // Many more events on this thread: its epoch closes and new ones open;
    // with the other events of its epoch gone, only the settled one is
    // left to keep its values.
    drop(first);
    for i in 0..20_000 {
        drop(ev(
            Some(&format!("u{i}")),
            "2.2.2.2",
            B,
            "GET",
            &format!("/p{i}"),
        ));
    }
    assert_eq!(format!("{settled:?}"), before);
    assert_eq!(settled.user().map(|u| &**u), Some("JSmith"));
    assert_eq!(settled.stem().map(|s| &**s), Some("/temp/acme/A.zip"));
    assert_eq!(settled.client().key, client_key(b"1.1.1.1", A.as_bytes()));
    assert!(settled.post() && !settled.download());
}
