//! Local days and hours of UTC instants, per row and fast: the zone's
//! offsets as a table of transitions (read once from the bundled database),
//! searched per row, so that a day of 23 or 25 hours (a daylight-saving
//! change) is counted as it was lived.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A zone's offsets from UTC, as the instants they start at.
#[derive(Clone, Debug)]
pub struct LocalClock {
    /// UTC seconds at which `offsets[i]` starts to apply.
    starts: Vec<i64>,
    offsets: Vec<i32>,
    /// The offset before the first transition.
    before: i32,
}

/// The UTC seconds `start..end` over which a zone's offset is `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetSpan {
    start: i64,
    end: i64,
    offset: i32,
}

/// Where an instant falls in local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    /// Local days since 1970-01-01.
    pub day: i32,
    /// Seconds since local midnight (of the local date, as clocks show it).
    pub second: u32,
}

impl LocalTime {
    /// The local hour, 0–23.
    pub fn hour(self) -> u8 {
        // Below 86,400 / 3,600 = 24.
        (self.second / 3600) as u8
    }

    /// Saturday or Sunday (1970-01-01 was a Thursday).
    pub fn is_weekend(self) -> bool {
        matches!(i64::from(self.day + 4).rem_euclid(7), 0 | 6)
    }
}

impl LocalClock {
    /// The offsets of `tz` over every instant a row can hold (up to 2262:
    /// see [`crate::w3c::row`]).
    pub fn new(tz: &TimeZone) -> LocalClock {
        let before = tz.to_offset(Timestamp::MIN).seconds();
        // 2262-04-12: past the last instant a row holds.
        const LAST: i64 = 9_224_000_000;
        let (mut starts, mut offsets) = (Vec::new(), Vec::new());
        for t in tz.following(Timestamp::MIN) {
            let at = t.timestamp().as_second();
            if at > LAST {
                break;
            }
            starts.push(at);
            offsets.push(t.offset().seconds());
        }
        LocalClock {
            starts,
            offsets,
            before,
        }
    }

    /// The local day and time of an instant.
    pub fn local(&self, ts: Timestamp) -> LocalTime {
        self.local_near(ts, &mut None)
    }

    /// The offset from UTC (seconds) at UTC second `utc`, looking first at
    /// `span` (the offset looked up last), which it updates.
    pub fn offset_near(&self, utc: i64, span: &mut Option<OffsetSpan>) -> i32 {
        match *span {
            Some(s) if s.start <= utc && utc < s.end => s.offset,
            _ => {
                let i = self.starts.partition_point(|&s| s <= utc);
                let (start, offset) = match i.checked_sub(1) {
                    Some(j) => (self.starts[j], self.offsets[j]),
                    None => (i64::MIN, self.before),
                };
                let end = self.starts.get(i).copied().unwrap_or(i64::MAX);
                *span = Some(OffsetSpan { start, end, offset });
                offset
            }
        }
    }

    /// The local day and time of an instant, looking first at `span` (the
    /// offset of the instant looked up last): rows come in time order, so
    /// the table is searched once per change of offset, not once per row.
    pub fn local_near(&self, ts: Timestamp, span: &mut Option<OffsetSpan>) -> LocalTime {
        let mut utc = ts.as_second();
        if ts.subsec_nanosecond() < 0 {
            utc -= 1;
        }
        let local = utc + i64::from(self.offset_near(utc, span));
        LocalTime {
            // Rows hold years 1677..2262: days fit in i32 by far.
            day: local.div_euclid(DAY) as i32,
            second: local.rem_euclid(DAY) as u32,
        }
    }
}

/// The civil date of local days since 1970-01-01.
pub fn date_of(day: i32) -> Option<jiff::civil::Date> {
    let ts = Timestamp::from_second(i64::from(day) * DAY).ok()?;
    Some(jiff::tz::Offset::UTC.to_datetime(ts).date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chicago() -> LocalClock {
        LocalClock::new(crate::time::Zone::named("America/Chicago").unwrap().tz())
    }

    #[test]
    fn spring_forward_day_has_23_hours() {
        let clock = chicago();
        // 2026-03-08 06:00Z is 00:00 CST; 08:00Z is 03:00 CDT.
        let at = |s: &str| clock.local(s.parse::<Timestamp>().unwrap());
        let midnight = at("2026-03-08T06:00:00Z");
        assert_eq!(
            (date_of(midnight.day).unwrap().to_string(), midnight.hour()),
            ("2026-03-08".into(), 0)
        );
        assert_eq!(at("2026-03-08T07:59:59Z").hour(), 1);
        assert_eq!(at("2026-03-08T08:00:00Z").hour(), 3);
        let next = at("2026-03-09T05:00:00Z");
        assert_eq!((next.day - midnight.day, next.hour()), (1, 0));
        assert!(midnight.is_weekend());
        assert!(!next.is_weekend());
    }

    #[test]
    fn fall_back_day_has_25_hours() {
        let clock = chicago();
        let at = |s: &str| clock.local(s.parse::<Timestamp>().unwrap());
        // 01:xx happens twice: 06:xxZ (CDT) and 07:xxZ (CST).
        assert_eq!(at("2026-11-01T06:30:00Z").hour(), 1);
        assert_eq!(at("2026-11-01T07:30:00Z").hour(), 1);
        let first = at("2026-11-01T05:00:00Z");
        let next = at("2026-11-02T06:00:00Z");
        assert_eq!((first.hour(), next.day - first.day, next.hour()), (0, 1, 0));
    }

    #[test]
    fn same_answer_as_jiff_over_a_year() {
        let clock = chicago();
        let tz = crate::time::Zone::named("America/Chicago").unwrap();
        let mut t = "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap();
        let mut span = None;
        for _ in 0..(366 * 24 * 4) {
            let dt = tz.zoned(t).datetime();
            let local = clock.local(t);
            assert_eq!(clock.local_near(t, &mut span), local);
            assert_eq!(date_of(local.day).unwrap(), dt.date());
            assert_eq!(i32::from(local.hour()), i32::from(dt.hour()));
            t += jiff::SignedDuration::from_mins(15);
        }
    }
}
