//! The texts of instants in JSON (`time_utc`, `time_local`, `local_date`,
//! `local_time`, a session's start and end), made once per minute.
//!
//! Formatting an instant through its zone costs more than the rest of a
//! record's JSON. Within a minute whose offset does not change, the texts of
//! its seconds differ only in their two digits of seconds, so a [`Clock`]
//! keeps the texts of recent minutes (each checked by making its second 59
//! as well), and writes the digits of each second into them. Anything
//! else (a fraction of a second, an offset with seconds, a transition inside
//! the minute) is made through the zone each time, as before.

use std::cell::RefCell;

use jiff::Timestamp;

use super::json;
use crate::time::Zone;

/// The four texts of an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// `2017-01-19T16:57:02Z`
    Utc,
    /// `2017-01-19T10:57:02-06:00`
    Local,
    /// `2017-01-19`
    LocalDate,
    /// `10:57:02`
    LocalTime,
}

const TEXTS: [Text; 4] = [Text::Utc, Text::Local, Text::LocalDate, Text::LocalTime];

/// One text of `t` in `zone`, made through the zone.
fn make(zone: &Zone, t: Timestamp, text: Text) -> String {
    match text {
        Text::Utc => t.to_string(),
        Text::Local => zone.rfc3339(t),
        Text::LocalDate => zone.civil(t).0,
        Text::LocalTime => zone.civil(t).1,
    }
}

/// A text of a minute's second 0, ready for the digits of any second.
enum Slot {
    /// Not made yet.
    Unknown,
    /// The text, and where its two digits of seconds are (None: it has
    /// none, a date).
    Patch(String, Option<usize>),
    /// Made through the zone for each second (an offset with seconds).
    Unpatchable,
}

/// The texts of one minute, made as they are asked for.
struct Minute {
    /// The minute, as UTC seconds since the epoch divided by 60.
    number: i64,
    /// The offset does not change inside the minute.
    steady: bool,
    slots: [Slot; 4],
}

impl Minute {
    fn new(zone: &Zone, number: i64) -> Minute {
        let steady = bounds(number).is_some_and(|(start, last)| {
            zone.tz()
                .following(start)
                .next()
                .is_none_or(|change| change.timestamp() > last)
        });
        Minute {
            number,
            steady,
            slots: [const { Slot::Unknown }; 4],
        }
    }

    /// The text of the minute, and where its seconds are; None when the
    /// seconds cannot be written into it.
    fn text(&mut self, zone: &Zone, text: Text) -> Option<(&str, Option<usize>)> {
        let slot = &mut self.slots[text as usize];
        if let Slot::Unknown = slot {
            *slot = match bounds(self.number) {
                Some((start, last)) if self.steady => {
                    let at_start = make(zone, start, text);
                    match seconds_place(&at_start, &make(zone, last, text)) {
                        Some(at) => Slot::Patch(at_start, at),
                        None => Slot::Unpatchable,
                    }
                }
                _ => Slot::Unpatchable,
            };
        }
        match slot {
            Slot::Patch(t, at) => Some((t.as_str(), *at)),
            _ => None,
        }
    }
}

/// The first and last second of a minute.
fn bounds(number: i64) -> Option<(Timestamp, Timestamp)> {
    let first = number.checked_mul(60)?;
    Some((
        Timestamp::from_second(first).ok()?,
        Timestamp::from_second(first.checked_add(59)?).ok()?,
    ))
}

/// Where the texts of second 0 and second 59 of a minute differ: nowhere,
/// or in two digits `00` / `59` (then their place); None otherwise.
fn seconds_place(at_start: &str, at_last: &str) -> Option<Option<usize>> {
    let (a, b) = (at_start.as_bytes(), at_last.as_bytes());
    if a.len() != b.len() {
        return None;
    }
    let Some(first) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return Some(None);
    };
    let same_after = a.get(first + 2..) == b.get(first + 2..);
    (a.get(first..first + 2) == Some(b"00") && b.get(first..first + 2) == Some(b"59") && same_after)
        .then_some(Some(first))
}

/// Minutes a clock keeps (the last ones asked for, by their number): the
/// pages of the sessions that end one after another go back hours, and a
/// minute made again costs several passes through the zone (64 minutes
/// were made again and again: 8.6% of the instructions of `sessions`'
/// main thread on a 32 MB slice of the benchmark log). About
/// 150 KiB per thread.
const MINUTES: usize = 1024;

/// The minute `number` (UTC seconds since the epoch divided by 60) of
/// `minutes`, kept or made.
fn minute<'a>(minutes: &'a mut [Option<Minute>], zone: &Zone, number: i64) -> &'a mut Minute {
    let slot = &mut minutes[number.rem_euclid(MINUTES as i64) as usize];
    if !matches!(slot, Some(m) if m.number == number) {
        *slot = None;
    }
    slot.get_or_insert_with(|| Minute::new(zone, number))
}

/// The keys of a record's four times, in the order of [`TEXTS`].
const KEYS: [&[u8]; 4] = [
    b",\"time_utc\":",
    b",\"time_local\":",
    b",\"local_date\":",
    b",\"local_time\":",
];

/// A record's four time members for second 0 of a minute, keys and
/// quotes included, and where the digits of its seconds go: the members
/// of a record in that minute from one look-up and one copy.
struct Members {
    number: i64,
    text: Vec<u8>,
    seconds: Vec<usize>,
}

/// Makes the texts of instants in a zone, recent minutes' texts kept.
pub struct Clock {
    zone: Zone,
    minutes: Vec<Option<Minute>>,
    /// The record members of the last minute asked for, if they can be
    /// patched.
    members: Option<Members>,
}

impl Clock {
    pub fn new(zone: Zone) -> Clock {
        Clock {
            zone,
            minutes: (0..MINUTES).map(|_| None).collect(),
            members: None,
        }
    }

    /// Writes a text of `t` as a JSON string.
    pub fn write(&mut self, out: &mut Vec<u8>, t: Timestamp, text: Text) {
        let second = t.as_second();
        let number = second.div_euclid(60);
        let patch = if t.subsec_nanosecond() == 0 {
            minute(&mut self.minutes, &self.zone, number).text(&self.zone, text)
        } else {
            None
        };
        let Some((minute_text, at)) = patch else {
            json::string(out, &make(&self.zone, t, text));
            return;
        };
        out.push(b'"');
        let start = out.len();
        out.extend_from_slice(minute_text.as_bytes());
        if let Some(at) = at {
            let s = second.rem_euclid(60) as u8;
            out[start + at] = b'0' + s / 10;
            out[start + at + 1] = b'0' + s % 10;
        }
        out.push(b'"');
    }

    /// The record members of minute `number`, when each of its texts can
    /// be patched.
    fn minute_members(&mut self, number: i64) -> Option<Members> {
        let mut text = Vec::new();
        let mut seconds = Vec::new();
        for (key, which) in KEYS.into_iter().zip(TEXTS) {
            text.extend_from_slice(key);
            let (minute_text, at) =
                minute(&mut self.minutes, &self.zone, number).text(&self.zone, which)?;
            text.push(b'"');
            if let Some(at) = at {
                seconds.push(text.len() + at);
            }
            text.extend_from_slice(minute_text.as_bytes());
            text.push(b'"');
        }
        Some(Members {
            number,
            text,
            seconds,
        })
    }

    /// The four members of a record's times, `,"time_utc":…` to
    /// `…"local_time":…`, null without a time.
    pub fn record_members(&mut self, out: &mut Vec<u8>, t: Option<Timestamp>) {
        if let Some(t) = t
            && t.subsec_nanosecond() == 0
        {
            let second = t.as_second();
            let number = second.div_euclid(60);
            if self.members.as_ref().is_none_or(|m| m.number != number) {
                self.members = self.minute_members(number);
            }
            if let Some(m) = &self.members {
                let start = out.len();
                out.extend_from_slice(&m.text);
                let s = second.rem_euclid(60) as u8;
                for &at in &m.seconds {
                    out[start + at] = b'0' + s / 10;
                    out[start + at + 1] = b'0' + s % 10;
                }
                return;
            }
        }
        for (key, text) in KEYS.into_iter().zip(TEXTS) {
            out.extend_from_slice(key);
            match t {
                Some(t) => self.write(out, t, text),
                None => out.extend_from_slice(b"null"),
            }
        }
    }
}

thread_local! {
    /// Each thread's clock (the cores render records in parallel).
    static CLOCK: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's clock for `zone`.
pub fn with<R>(zone: &Zone, f: impl FnOnce(&mut Clock) -> R) -> R {
    CLOCK.with_borrow_mut(|clock| {
        if !matches!(clock, Some(c) if c.zone.name() == zone.name()) {
            *clock = None;
        }
        f(clock.get_or_insert_with(|| Clock::new(zone.clone())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_clock(zone: &Zone, t: Timestamp, text: Text) -> String {
        let mut out = Vec::new();
        with(zone, |c| c.write(&mut out, t, text));
        String::from_utf8(out).unwrap()
    }

    fn through_zone(zone: &Zone, t: Timestamp, text: Text) -> String {
        serde_json::to_string(&make(zone, t, text)).unwrap()
    }

    /// Every second around transitions of several zones, fractions and
    /// far dates: the clock's texts are the zone's.
    #[test]
    fn the_clocks_texts_are_the_zones() {
        let zones = [
            "UTC",
            "America/Chicago",
            "Europe/London",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "Africa/Monrovia",
            "+05:30",
        ];
        let starts = [
            "2017-03-12T07:58:00Z",
            "2017-11-05T06:58:00Z",
            "2017-03-26T00:58:00Z",
            "2017-04-01T14:58:00Z",
            "1971-12-31T23:58:00Z",
            "1900-01-01T00:00:00Z",
            "2023-03-01T23:59:00Z",
            "9999-12-30T20:58:00Z",
        ];
        for name in zones {
            let zone = Zone::named(name).unwrap();
            for start in starts {
                let start: Timestamp = start.parse().unwrap();
                for s in (0..180).chain([7 * 86_400 + 3, 90 * 86_400 + 61]) {
                    let Ok(t) = start.checked_add(jiff::SignedDuration::from_secs(s)) else {
                        continue;
                    };
                    let mut expected = String::new();
                    for (key, text) in KEYS.into_iter().zip(TEXTS) {
                        assert_eq!(
                            through_clock(&zone, t, text),
                            through_zone(&zone, t, text),
                            "{name} {t} {text:?}"
                        );
                        expected.push_str(std::str::from_utf8(key).unwrap());
                        expected.push_str(&through_zone(&zone, t, text));
                    }
                    let mut members = Vec::new();
                    with(&zone, |c| c.record_members(&mut members, Some(t)));
                    assert_eq!(String::from_utf8(members).unwrap(), expected, "{name} {t}");
                    let fraction = t.checked_add(jiff::SignedDuration::from_millis(250));
                    if let Ok(t) = fraction {
                        assert_eq!(
                            through_clock(&zone, t, Text::LocalTime),
                            through_zone(&zone, t, Text::LocalTime)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_record_without_a_time_has_null_times() {
        let mut out = Vec::new();
        with(&Zone::utc(), |c| c.record_members(&mut out, None));
        assert_eq!(
            out,
            b",\"time_utc\":null,\"time_local\":null,\"local_date\":null,\"local_time\":null"
        );
    }
}
