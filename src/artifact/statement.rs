//! The forensic statement the application engraves into every export:
//!
//! `Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.`
//!
//! and, for uploads to a registry, `Produced <time> by <host> for <endpoint>.`
//! One parser serves every kind of file. Text that does not have this shape
//! is kept as it is and flagged: never guessed at. [`Statement::find`] finds
//! the sentence inside a longer text (a PDF's metadata value) in time that
//! grows with the text's length, however hostile the text.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

/// The longest text read as a statement, in bytes. The vendor's sentence is
/// about 120 bytes; a longer text is kept raw (`parsed: false`), and
/// [`Statement::find`] never looks further than this from a "Produced ".
pub const MAX_STATEMENT: usize = 1024;
/// The longest date or time word (`17:35:16.123456789-00:00` is 24 bytes).
const MAX_WORD: usize = 32;
/// The longest host name (DNS allows 253 bytes).
const MAX_HOST: usize = 255;
/// The most digits of a user ID (`u64::MAX` has 20).
const MAX_ID_DIGITS: usize = 20;

/// A statement, parsed when it has the vendor's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The text as found (trimmed).
    pub text: String,
    /// Whether the text has the vendor's shape. The parser leaves every other
    /// field `None` when it is false; a PDF's metadata may still fill them
    /// from separate fields (its `text` then lists the fields used).
    pub parsed: bool,
    /// The user's name (`Jane Doe`).
    pub name: Option<String>,
    /// The user's numeric ID (`16`).
    pub user_id: Option<u64>,
    pub ip: Option<String>,
    /// When it was produced, as a UTC instant.
    pub produced_at: Option<Timestamp>,
    /// The server that produced it (`acme.angeltrack.com`).
    pub host: Option<String>,
    /// For uploads: where it was sent (`newyork.imagetrendelite.com/...`).
    pub recipient: Option<String>,
}

impl Statement {
    /// Parses a statement; text of another shape, or longer than
    /// [`MAX_STATEMENT`], is kept raw, unparsed.
    pub fn parse(text: &str) -> Statement {
        let text = text.trim();
        parse_shape(text).unwrap_or_else(|| Statement {
            text: text.to_string(),
            parsed: false,
            name: None,
            user_id: None,
            ip: None,
            produced_at: None,
            host: None,
            recipient: None,
        })
    }

    /// The first statement in the vendor's shape inside a longer text: at
    /// the leftmost "Produced " that starts one, ended by the first `.`
    /// (before whitespace or the end of the text) that completes it, at most
    /// [`MAX_STATEMENT`] bytes long.
    ///
    /// Each "Produced " costs a bounded read of its header and a binary
    /// search; nothing is copied until a statement is found. The end of a
    /// user statement, `(ID <n>) at <ip>.`, does not depend on where the
    /// statement starts, so those tails are found once, in one pass over the
    /// text, rather than tried from every start.
    pub fn find(text: &str) -> Option<Statement> {
        let mut tails = None;
        for start in memchr::memmem::find_iter(text.as_bytes(), b"Produced ") {
            if let Some(end) = end_of_statement(text, start, &mut tails)
                && let Some(statement) = parse_shape(&text[start..end])
            {
                return Some(statement);
            }
        }
        None
    }

    /// Whether two statements name the same person and moment (used to
    /// compare copies and reports). Unparsed statements compare by text.
    pub fn same_identity(&self, other: &Statement) -> bool {
        if !(self.parsed && other.parsed) {
            return self.text == other.text;
        }
        (&self.name, self.user_id, &self.ip, &self.recipient)
            == (&other.name, other.user_id, &other.ip, &other.recipient)
    }
}

/// `Produced <date> <time> by <host> for `: read with a bounded look at
/// each word, so that a text of many "Produced " costs little per start.
struct Header<'a> {
    produced_at: Timestamp,
    host: &'a str,
    /// Where the rest (`user ...` or the recipient) starts, in bytes.
    body: usize,
}

fn header(text: &str) -> Option<Header<'_>> {
    let rest = text.strip_prefix("Produced ")?;
    // `2021-07-01 17:35:16-00:00 by ...`: the time is two words.
    let (date, rest) = word(rest, MAX_WORD)?;
    let (time, rest) = word(rest, MAX_WORD)?;
    let produced_at = produced(date, time)?;
    let rest = rest.strip_prefix("by ")?;
    let (host, rest) = word(rest, MAX_HOST)?;
    let rest = rest.strip_prefix("for ")?;
    if host.is_empty() {
        return None;
    }
    Some(Header {
        produced_at,
        host,
        body: text.len() - rest.len(),
    })
}

/// The text before the first space, when that space is within `max + 1`
/// bytes, and the text after it.
fn word(text: &str, max: usize) -> Option<(&str, &str)> {
    let at = text.bytes().take(max + 1).position(|b| b == b' ')?;
    Some((&text[..at], &text[at + 1..]))
}

fn parse_shape(text: &str) -> Option<Statement> {
    if text.len() > MAX_STATEMENT {
        return None;
    }
    let Header {
        produced_at,
        host,
        body,
    } = header(text)?;
    // The final `.` is punctuation (an IPv4 address or a host name ends before it).
    let body = text[body..].strip_suffix('.')?;
    let mut statement = Statement {
        text: text.to_string(),
        parsed: true,
        name: None,
        user_id: None,
        ip: None,
        produced_at: Some(produced_at),
        host: Some(host.to_string()),
        recipient: None,
    };
    if let Some(user) = body.strip_prefix("user ") {
        // `Jane Doe (ID 16) at 192.168.1.42`, read from the right: the name
        // may hold anything but the `(ID n) at ip` tail, which is exactly
        // as the application writes it (no spaces in the ID or address).
        let (who, ip) = user.rsplit_once(") at ")?;
        let (name, id) = who.rsplit_once(" (ID ")?;
        let user_id = user_id(id)?;
        if name.trim().is_empty() || !is_ip(ip) {
            return None;
        }
        statement.name = Some(name.trim().to_string());
        statement.user_id = Some(user_id);
        statement.ip = Some(ip.to_string());
    } else {
        if body.is_empty() || body.contains(' ') {
            return None;
        }
        statement.recipient = Some(body.to_string());
    }
    Some(statement)
}

/// `16`: decimal digits only, at most [`MAX_ID_DIGITS`] of them, that fit.
fn user_id(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > MAX_ID_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_ip(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && crate::filter::parse_ip(text.as_bytes()).is_some()
}

/// Where a user statement may end: `<name> (ID <n>) at <ip>.`, then
/// whitespace or the end of the text.
#[derive(Debug)]
struct Tail {
    /// Where ` (ID ` starts: the name ends there.
    name_end: usize,
    /// Just after the final `.`.
    end: usize,
}

/// Every tail in the text, in order, in one pass. Each `) at ` is read up to
/// the next whitespace (which the next `) at ` holds), so every byte is read
/// a bounded number of times. Both `name_end` and `end` increase along the
/// list: a tail's ` (ID <n>` cannot hold the `.` and whitespace ending the
/// previous one.
fn tails_of(text: &str) -> Vec<Tail> {
    let bytes = text.as_bytes();
    let mut tails = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b") at ") {
        let ip_from = at + ") at ".len();
        let end = text[ip_from..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| ip_from + i);
        if end - ip_from > MAX_STATEMENT {
            continue;
        }
        let Some(ip) = text[ip_from..end].strip_suffix('.') else {
            continue;
        };
        let digits = bytes[..at]
            .iter()
            .rev()
            .take(MAX_ID_DIGITS + 1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let Some(name_end) = (at - digits).checked_sub(" (ID ".len()) else {
            continue;
        };
        if bytes[name_end..at - digits] == *b" (ID "
            && user_id(&text[at - digits..at]).is_some()
            && is_ip(ip)
        {
            tails.push(Tail { name_end, end });
        }
    }
    tails
}

/// The end of the statement starting at `start` (a "Produced "), if it has
/// one within [`MAX_STATEMENT`] bytes. `tails` is filled on first need.
fn end_of_statement(text: &str, start: usize, tails: &mut Option<Vec<Tail>>) -> Option<usize> {
    let limit = floor_char_boundary(text, start.saturating_add(MAX_STATEMENT));
    let body = start + header(&text[start..limit])?.body;
    if text[body..limit].starts_with("user ") {
        // The name is not blank: it holds a character before its ` (ID `.
        let name_from = body + "user ".len();
        let first = name_from + text[name_from..limit].find(|c: char| !c.is_whitespace())?;
        let tails = tails.get_or_insert_with(|| tails_of(text));
        let tail = tails.get(tails.partition_point(|t| t.name_end <= first))?;
        (tail.end <= limit).then_some(tail.end)
    } else {
        // A recipient: one word without spaces, ended by its `.`.
        for (i, b) in text.as_bytes()[body..limit].iter().enumerate() {
            match b {
                b' ' => return None,
                b'.' if i > 0 && ends_here(text, body + i + 1) => return Some(body + i + 1),
                _ => {}
            }
        }
        None
    }
}

/// Whether a sentence may end at `at`: the end of the text or whitespace.
fn ends_here(text: &str, at: usize) -> bool {
    text.get(at..)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// The largest char boundary of `text` at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `2021-07-01` + `17:35:16-00:00` (an offset; `-00:00` means UTC).
fn produced(date: &str, time: &str) -> Option<Timestamp> {
    let split = time.rfind(['+', '-']).filter(|&i| i >= 8)?;
    let (clock, offset) = time.split_at(split);
    let dt: DateTime = format!("{date}T{clock}").parse().ok()?;
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let (h, m) = offset[1..].split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h.abs() > 23 || !(0..60).contains(&m) || offset[1..].len() != 5 {
        return None;
    }
    let off = Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()?;
    off.to_timestamp(dt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_sentence() {
        let s = Statement::parse(
            "  Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.\n",
        );
        assert!(s.parsed);
        assert_eq!(s.name.as_deref(), Some("Jane Doe"));
        assert_eq!(s.user_id, Some(16));
        assert_eq!(s.ip.as_deref(), Some("192.168.1.42"));
        assert_eq!(s.host.as_deref(), Some("acme.angeltrack.com"));
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-01T17:35:16Z");
        assert_eq!(s.recipient, None);
    }

    #[test]
    fn registry_upload() {
        let s = Statement::parse(
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.",
        );
        assert!(s.parsed);
        assert_eq!(
            s.recipient.as_deref(),
            Some("newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws")
        );
        assert_eq!((s.name, s.ip), (None, None));
    }

    #[test]
    fn names_with_apostrophes_hyphens_and_accents_and_ipv6() {
        let s = Statement::parse(
            "Produced 2021-07-01 12:35:16-05:00 by acme.angeltrack.com for user Zoë O'Brien-Núñez (ID 7) at 2001:db8::42.",
        );
        assert_eq!(s.name.as_deref(), Some("Zoë O'Brien-Núñez"));
        assert_eq!(s.ip.as_deref(), Some("2001:db8::42"));
        assert_eq!(s.produced_at.unwrap().to_string(), "2021-07-01T17:35:16Z");
    }

    #[test]
    fn other_text_is_kept_raw_and_flagged() {
        for text in [
            "Downloaded by Jane",
            "Produced yesterday by acme for user Jane Doe (ID 16) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID x) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at not-an-ip.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 1.2.3.4",
            // The ID and address are written exactly: no sign, no padding.
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID +16) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at  1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 000000000000000000016) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 99999999999999999999) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user  (ID 16) at 1.2.3.4.",
            "Produced 2021-07-01 17:35:16-00:00 by  for user Jane Doe (ID 16) at 1.2.3.4.",
        ] {
            let s = Statement::parse(text);
            assert!(!s.parsed, "{text}");
            assert_eq!(s.text, text);
            assert_eq!(s.name, None);
        }
    }

    const JANE: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.";
    const REGISTRY: &str = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for newyork.imagetrendelite.com/NEMSIS3Ws.";

    /// What `find` must return, tried the slow way: every "Produced "
    /// against every later `.` that may end a sentence, up to the cap.
    fn find_by_trying_every_end(text: &str) -> Option<Statement> {
        for (start, _) in text.match_indices("Produced ") {
            for (i, _) in text[start..].match_indices('.') {
                let end = start + i + 1;
                if end - start > MAX_STATEMENT {
                    break;
                }
                if ends_here(text, end)
                    && let Some(s) = parse_shape(&text[start..end])
                {
                    return Some(s);
                }
            }
        }
        None
    }

    #[test]
    fn find_takes_the_sentence_out_of_a_longer_text() {
        let text = format!("Run report. {JANE} Confidential. {REGISTRY}");
        assert_eq!(Statement::find(&text), Some(Statement::parse(JANE)));
        let text = format!("Sent. {REGISTRY}\nNext line.");
        assert_eq!(Statement::find(&text), Some(Statement::parse(REGISTRY)));
        // A name holding `. ` and even "Produced ": the first start that
        // makes a statement wins, with its first end.
        let odd = JANE.replace("Jane Doe", "Dr. J. Produced Doe");
        assert_eq!(
            Statement::find(&format!("x {odd} {JANE}")).and_then(|s| s.name),
            Some("Dr. J. Produced Doe".to_string())
        );
        assert_eq!(Statement::find("Produced nothing. Produced . "), None);
    }

    #[test]
    fn statements_printed_as_the_vendor_prints_them_parse_back_to_what_was_printed() {
        // Round trip over generated statements: names with spaces, accents,
        // apostrophes, hyphens and parentheses; IDs up to u64::MAX; IPv4 and
        // IPv6; offsets either side of UTC; registry endpoints.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let words = [
            "Jane",
            "Doe",
            "Zoë",
            "O'Brien-Núñez",
            "Q.",
            "van",
            "der",
            "(Jr)",
            "李",
            "Ana-María",
        ];
        for case in 0..2_000 {
            let name: Vec<&str> = (0..1 + next(4))
                .map(|_| words[next(words.len() as u64) as usize])
                .collect();
            let name = name.join(" ");
            let id = if case % 97 == 0 {
                u64::MAX
            } else {
                next(1_000_000)
            };
            let ip = if next(2) == 0 {
                format!("{}.{}.{}.{}", next(256), next(256), next(256), next(256))
            } else {
                format!("2001:db8::{:x}", next(65_536))
            };
            let offset_min = (next(27) as i64 - 13) * 60 + [0, 30, 45][next(3) as usize] as i64;
            let sign = if offset_min < 0 { '-' } else { '+' };
            let (h, m) = (offset_min.abs() / 60, offset_min.abs() % 60);
            let (day, hour, minute, second) = (1 + next(28), next(24), next(60), next(60));
            let time =
                format!("2021-07-{day:02} {hour:02}:{minute:02}:{second:02}{sign}{h:02}:{m:02}");
            let local: DateTime = format!("2021-07-{day:02}T{hour:02}:{minute:02}:{second:02}")
                .parse()
                .unwrap();
            let offset = Offset::from_seconds(i32::try_from(offset_min * 60).unwrap()).unwrap();
            let instant = offset.to_timestamp(local).unwrap();
            if next(5) == 0 {
                let endpoint = format!("state{}.example.org/Elite/NEMSIS3Ws", next(50));
                let text = format!("Produced {time} by acme.angeltrack.com for {endpoint}.");
                let s = Statement::parse(&text);
                assert!(s.parsed, "{text}");
                assert_eq!(s.recipient.as_deref(), Some(endpoint.as_str()), "{text}");
                assert_eq!(s.produced_at, Some(instant), "{text}");
                continue;
            }
            let text = format!(
                "Produced {time} by acme.angeltrack.com for user {name} (ID {id}) at {ip}."
            );
            let s = Statement::parse(&text);
            assert!(s.parsed, "{text}");
            assert_eq!(s.name.as_deref(), Some(name.as_str()), "{text}");
            assert_eq!(s.user_id, Some(id), "{text}");
            assert_eq!(s.ip.as_deref(), Some(ip.as_str()), "{text}");
            assert_eq!(s.produced_at, Some(instant), "{text}");
            assert_eq!(s.host.as_deref(), Some("acme.angeltrack.com"), "{text}");
            assert_eq!(
                Statement::find(&format!("header {text} trailer")).map(|f| f.text),
                Some(text.clone())
            );
        }
    }

    #[test]
    fn find_agrees_with_trying_every_end() {
        // Long enough that some texts pass the cap.
        let long = "n ".repeat(200);
        let parts = [
            "Produced ",
            "2021-07-01 ",
            "17:35:16-00:00 ",
            "by ",
            "acme.example ",
            "for ",
            "user ",
            "Jane ",
            "Q. ",
            "Doe",
            " (ID ",
            "(ID ",
            "16",
            ") at ",
            "192.168.1.42",
            "::1",
            ".",
            " ",
            "\n",
            "x",
            "reg.example/a",
            "é",
            JANE,
            REGISTRY,
            &long,
        ];
        // A fixed linear congruential sequence: the same cases every run.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut found = 0;
        for _ in 0..20_000 {
            let len = 1 + next(30);
            let text: String = (0..len).map(|_| parts[next(parts.len())]).collect();
            let fast = Statement::find(&text);
            assert_eq!(fast, find_by_trying_every_end(&text), "{text:?}");
            found += usize::from(fast.is_some());
        }
        assert!(found > 1000, "only {found} texts held a statement");
    }

    /// Regression (issue "Hardening"): `Produced . ` 5,900 times in a PDF's
    /// metadata took 76 s, each "Produced " tried against every later `. `
    /// with a copy of the rest. The answer is checked, never the clock.
    #[test]
    fn many_produced_in_one_text_is_no_statement() {
        for text in ["Produced . ".repeat(5_900), "Produced . ".repeat(100_000)] {
            assert_eq!(Statement::find(&text), None);
        }
        // A megabyte of starts whose header is whole, ends everywhere and
        // tails that are not quite right (a space before the `.`, an ID
        // that is not a number, an address that is not one, text after the
        // `.`); the real statement comes after more than the cap of filler,
        // so that no start reaches it.
        let header = "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user ";
        let noise = format!(
            "{header}J. (ID 16) at 1.2.3.4 . (ID x) at 1.2.3.4. (ID 16) at 1.2.3.999. (ID 16) at 1.2.3.4.x "
        );
        let mut text = noise.repeat((1 << 20) / noise.len());
        assert_eq!(Statement::find(&text), None);
        text.push_str(&"filler ".repeat(MAX_STATEMENT / 7 + 1));
        text.push_str(JANE);
        assert_eq!(Statement::find(&text), Some(Statement::parse(JANE)));
    }

    #[test]
    fn a_statement_longer_than_the_cap_is_kept_raw() {
        let long = JANE.replace("Jane Doe", &"J".repeat(MAX_STATEMENT));
        let s = Statement::parse(&long);
        assert!(!s.parsed);
        assert_eq!(s.text, long);
        assert_eq!(Statement::find(&long), None);
        let fits = JANE.replace("Jane Doe", &"J".repeat(MAX_STATEMENT - JANE.len() + 8));
        assert_eq!(fits.len(), MAX_STATEMENT);
        assert!(Statement::parse(&fits).parsed);
        assert_eq!(
            Statement::find(&format!("{fits} x")),
            Some(Statement::parse(&fits))
        );
    }

    #[test]
    fn tails_are_found_once_in_order() {
        let text = format!("{JANE} a (ID 7) at ::1. b (ID 8) at 1.2.3.4 . c (ID 9) at ::2.");
        let tails = tails_of(&text);
        let ends: Vec<&str> = tails.iter().map(|t| &text[t.name_end..t.end]).collect();
        assert_eq!(
            ends,
            [
                " (ID 16) at 192.168.1.42.",
                " (ID 7) at ::1.",
                " (ID 9) at ::2."
            ]
        );
        assert!(tails.windows(2).all(|w| w[0].end <= w[1].name_end));
    }
}
