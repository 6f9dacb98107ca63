//! Instants, the investigator's time zone, and the `--since` / `--until` bounds.
//!
//! Time is a UTC instant ([`Timestamp`]) until it is shown. The zone comes from
//! the time zone database compiled into the binary, so a report reads the same
//! on every machine whatever its own tzdata. Local times are computed per
//! instant with the rules in force at that instant. A local time that does
//! not exist or exists twice is an error that shows the candidates.

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone, TimeZoneDatabase};
use jiff::{Timestamp, Zoned};

/// A bad `--tz`, `--since` or `--until` value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimeError {
    #[error("unknown time zone '{0}': give an IANA name such as America/Chicago or UTC")]
    UnknownZone(String),
    #[error(
        "'{name}' is an abbreviation, not a time zone{fixed}: give the IANA name of the place ({suggest}), or a fixed offset such as UTC-06:00"
    )]
    Abbreviation {
        name: String,
        /// What the tz database makes of it, when it has it.
        fixed: String,
        suggest: String,
    },
    #[error(
        "'{0}' is not a time: give an RFC 3339 instant (2017-01-19T17:16:30Z, 2017-01-19T11:16:30-06:00) or a local YYYY-MM-DD[ HH:MM[:SS]]"
    )]
    Unparsable(String),
    #[error(
        "{local} does not exist in {zone}: the clocks skipped it. It would be {earlier} or {later}; give one of these with its offset"
    )]
    Skipped {
        local: String,
        zone: String,
        earlier: String,
        later: String,
    },
    #[error(
        "{local} happened twice in {zone}: first at {earlier}, then at {later}; give one of these with its offset"
    )]
    Repeated {
        local: String,
        zone: String,
        earlier: String,
        later: String,
    },
}

/// The zone local times are shown in.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// Looks a zone up by IANA name in the bundled database (`UTC` always works).
    ///
    /// A fixed offset is accepted as `-06:00`, `+05:30`, `UTC-6` or
    /// `UTC+05:30` (no daylight saving, named `UTC-06:00`). An abbreviation
    /// (`EST`, `CST`, `CET`, `PST8PDT`) is refused, with the IANA names it
    /// may stand for: the database's `EST` is a fixed UTC-05:00 all year,
    /// a trap in July, and `CST` is not in it at all.
    pub fn named(name: &str) -> Result<Zone, TimeError> {
        if let Some(offset) = fixed_offset(name) {
            return Ok(Zone {
                name: offset_name(offset),
                tz: TimeZone::fixed(offset),
            });
        }
        if is_abbreviation(name) {
            return Err(abbreviation(name));
        }
        let tz = if name.eq_ignore_ascii_case("UTC") {
            TimeZone::UTC
        } else {
            bundled()
                .get(name)
                .map_err(|_| TimeError::UnknownZone(name.to_string()))?
        };
        Ok(Zone {
            name: if name.eq_ignore_ascii_case("UTC") {
                "UTC".into()
            } else {
                name.to_string()
            },
            tz,
        })
    }

    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The instant as a zoned time in this zone.
    pub fn zoned(&self, ts: Timestamp) -> Zoned {
        ts.to_zoned(self.tz.clone())
    }

    /// The offset in force at an instant.
    pub fn offset(&self, ts: Timestamp) -> Offset {
        self.tz.to_offset(ts)
    }

    /// RFC 3339 with this zone's offset at the instant: `2017-01-19T09:16:30-08:00`.
    pub fn rfc3339(&self, ts: Timestamp) -> String {
        ts.display_with_offset(self.offset(ts)).to_string()
    }

    /// The local date and clock time, without offset (`2017-01-19`,
    /// `11:16:30`): what a database or spreadsheet reads as the local time
    /// (one that reads `time_local` as an instant shows it in UTC).
    pub fn civil(&self, ts: Timestamp) -> (String, String) {
        let dt = self.zoned(ts).datetime();
        (
            dt.date().to_string(),
            dt.time().strftime("%H:%M:%S%.f").to_string(),
        )
    }

    /// For people: `2017-01-19 09:16:30 PST`.
    pub fn human(&self, ts: Timestamp) -> String {
        let info = self.tz.to_offset_info(ts);
        let dt = info.offset().to_datetime(ts);
        let mut out = dt.strftime("%Y-%m-%d %H:%M:%S").to_string();
        let sub = dt.subsec_nanosecond();
        if sub != 0 {
            let _ = write!(out, ".{:03}", sub / 1_000_000);
        }
        let abbr = info.abbreviation();
        out.push(' ');
        out.push_str(if abbr.is_empty() { "?" } else { abbr });
        out
    }

    /// Reads a local civil time in this zone, refusing skipped and repeated ones.
    pub fn instant_of(&self, dt: DateTime) -> Result<Timestamp, TimeError> {
        let amb = self.tz.to_ambiguous_timestamp(dt);
        let show = |off: Offset| -> String {
            match off.to_timestamp(dt) {
                Ok(ts) => format!("{} (= {})", ts.display_with_offset(off), ts),
                Err(_) => format!("{dt}{off}"),
            }
        };
        match amb.offset() {
            AmbiguousOffset::Unambiguous { offset } => offset
                .to_timestamp(dt)
                .map_err(|_| TimeError::Unparsable(dt.to_string())),
            AmbiguousOffset::Gap { before, after } => Err(TimeError::Skipped {
                local: local_text(dt),
                zone: self.name.clone(),
                earlier: show(after),
                later: show(before),
            }),
            AmbiguousOffset::Fold { before, after } => Err(TimeError::Repeated {
                local: local_text(dt),
                zone: self.name.clone(),
                earlier: show(before),
                later: show(after),
            }),
        }
    }

    /// The first instant of a local day (midnight, or the first time that
    /// exists if the day starts in a gap).
    pub fn start_of_day(&self, date: Date) -> Result<Timestamp, TimeError> {
        date.to_zoned(self.tz.clone())
            .and_then(|z| z.start_of_day())
            .map(|z| z.timestamp())
            .map_err(|_| TimeError::Unparsable(date.to_string()))
    }
}

/// Names that are zones though they look like abbreviations.
const UNIVERSAL: [&str; 4] = ["UTC", "GMT", "UCT", "ZULU"];

/// An abbreviation-like name: capital letters (and digits, as in `EST5EDT`),
/// no `/`, not one of [`UNIVERSAL`].
fn is_abbreviation(name: &str) -> bool {
    (2..=7).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
        && name.bytes().any(|b| b.is_ascii_alphabetic())
        && name == name.to_ascii_uppercase()
        && !UNIVERSAL.contains(&name)
}

/// The refusal of an abbreviation, with the places it may stand for.
fn abbreviation(name: &str) -> TimeError {
    let suggest = match name.trim_end_matches(|c: char| c.is_ascii_digit()) {
        n if n.starts_with("EST") || n.starts_with("EDT") || n == "ET" => {
            "America/New_York for US Eastern time"
        }
        n if n.starts_with("CST") || n.starts_with("CDT") || n == "CT" => {
            "America/Chicago for US Central time"
        }
        n if n.starts_with("MST") || n.starts_with("MDT") || n == "MT" => {
            "America/Denver for US Mountain time, America/Phoenix for Arizona"
        }
        n if n.starts_with("PST") || n.starts_with("PDT") || n == "PT" => {
            "America/Los_Angeles for US Pacific time"
        }
        "AKST" | "AKDT" => "America/Anchorage",
        "HST" | "HDT" => "Pacific/Honolulu",
        "CET" | "CEST" | "MET" | "MEST" => "Europe/Berlin, Europe/Paris ...",
        "EET" | "EEST" => "Europe/Athens, Europe/Helsinki ...",
        "WET" | "WEST" => "Europe/Lisbon",
        "BST" => "Europe/London",
        _ => "such as America/Chicago",
    };
    // What the database makes of it: the same offset in January and July
    // is a zone without daylight saving (the database's `EST`).
    let fixed = bundled()
        .get(name)
        .ok()
        .and_then(|tz| {
            let at = |s: &str| s.parse::<Timestamp>().ok().map(|t| tz.to_offset(t));
            let (winter, summer) = (at("2017-01-15T12:00:00Z")?, at("2017-07-15T12:00:00Z")?);
            (winter == summer).then(|| {
                format!(
                    " (as a zone, {} all year, without daylight saving)",
                    offset_name(winter)
                )
            })
        })
        .unwrap_or_default();
    TimeError::Abbreviation {
        name: name.to_string(),
        fixed,
        suggest: suggest.to_string(),
    }
}

/// `-06:00`, `+0530`, `UTC-6`, `GMT+05:30`: a fixed offset.
fn fixed_offset(name: &str) -> Option<Offset> {
    let upper = name.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() > 2 {
        return None;
    }
    let (h, m): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// `UTC-06:00`.
fn offset_name(offset: Offset) -> String {
    let s = offset.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", s.abs() / 3600, s.abs() % 3600 / 60)
}

fn local_text(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// The bundled IANA database, loaded once.
fn bundled() -> &'static TimeZoneDatabase {
    static DB: std::sync::OnceLock<TimeZoneDatabase> = std::sync::OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

/// Which end of a range a bound is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `--since`: inclusive; a date alone means the start of that day.
    Since,
    /// `--until`: exclusive; a date alone includes that whole day.
    Until,
}

/// Parses a `--since` / `--until` value: an RFC 3339 instant (with `Z` or an
/// offset), or a local `YYYY-MM-DD[ HH:MM[:SS]]` read in `zone`.
pub fn parse_bound(text: &str, bound: Bound, zone: &Zone) -> Result<Timestamp, TimeError> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    if text.len() == 10
        && let Ok(date) = text.parse::<Date>()
    {
        return match bound {
            Bound::Since => zone.start_of_day(date),
            Bound::Until => {
                let next = date
                    .tomorrow()
                    .map_err(|_| TimeError::Unparsable(text.to_string()))?;
                zone.start_of_day(next)
            }
        };
    }
    let dt = parse_local(text).ok_or_else(|| TimeError::Unparsable(text.to_string()))?;
    zone.instant_of(dt)
}

/// `YYYY-MM-DD HH:MM[:SS[.f]]`, with a space or `T`; no offset.
fn parse_local(text: &str) -> Option<DateTime> {
    let bytes = text.as_bytes();
    if bytes.len() < 16 || !(bytes[10] == b' ' || bytes[10] == b'T' || bytes[10] == b't') {
        return None;
    }
    let normal = format!("{}T{}", &text[..10], &text[11..]);
    if normal.len() == 16 {
        // HH:MM
        return format!("{normal}:00").parse().ok();
    }
    normal.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_refused_with_the_places_they_may_mean() {
        let err = Zone::named("EST").unwrap_err().to_string();
        assert!(err.contains("'EST' is an abbreviation"), "{err}");
        assert!(err.contains("UTC-05:00 all year"), "{err}");
        assert!(err.contains("America/New_York"), "{err}");
        let err = Zone::named("CST").unwrap_err().to_string();
        assert!(err.contains("America/Chicago"), "{err}");
        assert!(Zone::named("PST8PDT").is_err());
        for fine in ["UTC", "GMT", "America/Chicago", "Etc/GMT+6"] {
            assert!(Zone::named(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn fixed_offsets_are_zones_without_daylight_saving() {
        for (text, name, seconds) in [
            ("-06:00", "UTC-06:00", -6 * 3600),
            ("UTC-6", "UTC-06:00", -6 * 3600),
            ("utc+05:30", "UTC+05:30", 5 * 3600 + 1800),
            ("+0545", "UTC+05:45", 5 * 3600 + 45 * 60),
            ("GMT+1", "UTC+01:00", 3600),
        ] {
            let z = Zone::named(text).unwrap();
            assert_eq!(z.name(), name);
            let july: Timestamp = "2017-07-01T12:00:00Z".parse().unwrap();
            assert_eq!(z.offset(july).seconds(), seconds, "{text}");
        }
        for bad in ["-25:00", "UTC-6:75", "+", "UTC+123"] {
            assert!(Zone::named(bad).is_err(), "{bad}");
        }
    }

    fn chicago() -> Zone {
        Zone::named("America/Chicago").unwrap()
    }

    #[test]
    fn rfc3339_instants_ignore_the_zone() {
        let ts = parse_bound("2017-01-19T11:16:30-06:00", Bound::Since, &chicago()).unwrap();
        assert_eq!(ts.to_string(), "2017-01-19T17:16:30Z");
        let ts = parse_bound("2017-01-19T17:16:30Z", Bound::Since, &Zone::utc()).unwrap();
        assert_eq!(ts.to_string(), "2017-01-19T17:16:30Z");
    }

    #[test]
    fn local_times_use_the_rules_in_force() {
        let z = chicago();
        assert_eq!(
            parse_bound("2017-01-19 09:16", Bound::Since, &z)
                .unwrap()
                .to_string(),
            "2017-01-19T15:16:00Z"
        );
        assert_eq!(
            parse_bound("2017-07-19 09:16:05", Bound::Since, &z)
                .unwrap()
                .to_string(),
            "2017-07-19T14:16:05Z"
        );
    }

    #[test]
    fn date_alone_until_includes_the_whole_day() {
        let z = chicago();
        assert_eq!(
            parse_bound("2017-01-19", Bound::Since, &z)
                .unwrap()
                .to_string(),
            "2017-01-19T06:00:00Z"
        );
        assert_eq!(
            parse_bound("2017-01-19", Bound::Until, &z)
                .unwrap()
                .to_string(),
            "2017-01-20T06:00:00Z"
        );
        // The day clocks fall back has 25 hours.
        assert_eq!(
            parse_bound("2016-11-06", Bound::Until, &z)
                .unwrap()
                .to_string(),
            "2016-11-07T06:00:00Z"
        );
    }

    #[test]
    fn skipped_local_time_is_an_error_with_both_candidates() {
        let err = parse_bound("2017-03-12 02:30", Bound::Since, &chicago()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, TimeError::Skipped { .. }), "{msg}");
        assert!(
            msg.contains("2017-03-12 02:30:00 does not exist in America/Chicago"),
            "{msg}"
        );
        assert!(
            msg.contains("2017-03-12T02:30:00-06:00 (= 2017-03-12T08:30:00Z)"),
            "{msg}"
        );
        assert!(
            msg.contains("2017-03-12T02:30:00-05:00 (= 2017-03-12T07:30:00Z)"),
            "{msg}"
        );
    }

    #[test]
    fn repeated_local_time_is_an_error_with_both_candidates() {
        let err = parse_bound("2016-11-06 01:30", Bound::Until, &chicago()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, TimeError::Repeated { .. }), "{msg}");
        assert!(
            msg.contains("first at 2016-11-06T01:30:00-05:00 (= 2016-11-06T06:30:00Z)"),
            "{msg}"
        );
        assert!(
            msg.contains("then at 2016-11-06T01:30:00-06:00 (= 2016-11-06T07:30:00Z)"),
            "{msg}"
        );
    }

    #[test]
    fn human_and_rfc3339_local_times_across_dst() {
        let z = Zone::named("America/Los_Angeles").unwrap();
        let before: Timestamp = "2016-11-06T08:30:00Z".parse().unwrap();
        let after: Timestamp = "2016-11-06T09:30:00Z".parse().unwrap();
        assert_eq!(z.rfc3339(before), "2016-11-06T01:30:00-07:00");
        assert_eq!(z.rfc3339(after), "2016-11-06T01:30:00-08:00");
        assert_eq!(z.human(before), "2016-11-06 01:30:00 PDT");
        assert_eq!(z.human(after), "2016-11-06 01:30:00 PST");
    }

    #[test]
    fn unknown_zone_and_garbage() {
        assert!(matches!(
            Zone::named("Mars/Olympus"),
            Err(TimeError::UnknownZone(_))
        ));
        assert!(matches!(
            parse_bound("yesterday", Bound::Since, &Zone::utc()),
            Err(TimeError::Unparsable(_))
        ));
    }
}
