//! A reorder buffer: turns batches of events in file order into one stream
//! in time order.
//!
//! IIS writes rows a little out of order (by the time a request took), and
//! consecutive daily files touch at midnight. Events are held until the
//! newest time seen is `slack` past them; then they are released in time
//! order (ties keep input order). An event older than what was already
//! released is "late": it is still delivered, at once, and counted.
//!
//! The window is bounded in rows too ([`MAX_HELD`]): a log that packs more
//! rows than that into the slack (a flood, or a forged log all in one
//! second) has its oldest rows released early, and counted, so that memory
//! follows the limit and not the input.

use jiff::{SignedDuration, Timestamp};

/// The most events held at once, waiting for the slack to pass.
pub const MAX_HELD: usize = 250_000;

/// Events keyed by time: nanoseconds since the epoch ([`key`]).
pub struct Reorder<E> {
    /// Held events (8-byte keys instead of 16-byte timestamps: every event
    /// of a large log passes through here).
    pending: Vec<(i64, E)>,
    slack: i64,
    /// The newest time released so far.
    released: Option<i64>,
    late: u64,
    max_held: usize,
    early: u64,
}

/// Nanoseconds since the epoch; saturates outside ±292 years of 1970 (an
/// ordering key: the events keep their own times).
pub fn key(t: Timestamp) -> i64 {
    i64::try_from(t.as_nanosecond()).unwrap_or(if t.as_second() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// A duration in key units (nanoseconds), saturating.
pub fn key_span(d: SignedDuration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// The instant of a key.
pub fn instant(k: i64) -> Timestamp {
    Timestamp::from_nanosecond(i128::from(k)).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl<E> Reorder<E> {
    pub fn new(slack: SignedDuration) -> Reorder<E> {
        Reorder::holding(slack, MAX_HELD)
    }

    /// A buffer that holds at most `max_held` events.
    pub fn holding(slack: SignedDuration, max_held: usize) -> Reorder<E> {
        Reorder {
            pending: Vec::new(),
            slack: key_span(slack),
            released: None,
            late: 0,
            max_held,
            early: 0,
        }
    }

    /// Adds a batch of events and delivers those that are now safe to order.
    /// Stops at the first error `deliver` returns.
    pub fn push<I, F, X>(&mut self, events: I, mut deliver: F) -> Result<(), X>
    where
        I: IntoIterator<Item = (i64, E)>,
        F: FnMut(i64, E) -> Result<(), X>,
    {
        let held = self.pending.len();
        for (k, e) in events {
            if self.released.is_some_and(|r| k < r) {
                self.late += 1;
                deliver(k, e)?;
            } else {
                self.pending.push((k, e));
            }
        }
        // Rows mostly come in time order: sort only when they did not.
        let sorted = self.pending[held.saturating_sub(1)..]
            .windows(2)
            .all(|w| w[0].0 <= w[1].0);
        if !sorted {
            // Stable and adaptive: nearly sorted input sorts in close to linear time.
            self.pending.sort_by_key(|(t, _)| *t);
        }
        let Some(newest) = self.pending.last().map(|(t, _)| *t) else {
            return Ok(());
        };
        let horizon = newest.saturating_sub(self.slack);
        let due = self.pending.partition_point(|(t, _)| *t <= horizon);
        let ready = due.max(self.pending.len().saturating_sub(self.max_held));
        self.early += (ready - due) as u64;
        for (k, e) in self.pending.drain(..ready) {
            self.released = Some(k);
            deliver(k, e)?;
        }
        Ok(())
    }

    /// Delivers everything still held.
    pub fn finish<F, X>(&mut self, mut deliver: F) -> Result<(), X>
    where
        F: FnMut(i64, E) -> Result<(), X>,
    {
        for (k, e) in self.pending.drain(..) {
            self.released = Some(k);
            deliver(k, e)?;
        }
        Ok(())
    }

    /// Events that arrived after newer ones had been released.
    pub fn late(&self) -> u64 {
        self.late
    }

    /// Events released before the slack had passed, because the window was
    /// full.
    pub fn early(&self) -> u64 {
        self.early
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> i64 {
        key(Timestamp::from_second(s).unwrap())
    }

    #[test]
    fn releases_in_time_order_within_the_slack() {
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        let mut take = |_, e| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        r.push([(ts(100), 'a'), (ts(95), 'b'), (ts(130), 'c')], &mut take)
            .unwrap();
        r.push([(ts(125), 'd'), (ts(125), 'e')], &mut take).unwrap();
        r.finish(&mut take).unwrap();
        assert_eq!(out, ['b', 'a', 'd', 'e', 'c']);
        assert_eq!(r.late(), 0);
    }

    #[test]
    fn a_batch_in_order_after_a_newer_one_is_still_merged() {
        // Each batch is sorted, but the second starts before the first ends.
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        let mut take = |_, e| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        r.push([(ts(100), 'a'), (ts(105), 'b')], &mut take).unwrap();
        r.push([(ts(103), 'c'), (ts(104), 'd'), (ts(120), 'e')], &mut take)
            .unwrap();
        r.finish(&mut take).unwrap();
        assert_eq!(out, ['a', 'c', 'd', 'b', 'e']);
        assert_eq!(r.late(), 0);
    }

    #[test]
    fn a_window_full_of_one_second_releases_its_oldest_early_and_counts_them() {
        // Rows all in one second never age past the slack: without a bound,
        // every row of the log would be held.
        let mut r = Reorder::holding(SignedDuration::from_secs(900), 3);
        let out = std::cell::RefCell::new(Vec::new());
        let take = |_, e| -> Result<(), ()> {
            out.borrow_mut().push(e);
            Ok(())
        };
        r.push([(ts(100), 'a'), (ts(100), 'b')], take).unwrap();
        assert!(out.borrow().is_empty(), "within the bound, held");
        r.push([(ts(100), 'c'), (ts(101), 'd'), (ts(100), 'e')], take)
            .unwrap();
        assert_eq!(*out.borrow(), ['a', 'b'], "the oldest, down to the bound");
        assert_eq!(r.pending.len(), 3);
        r.push([(ts(99), 'z')], take).unwrap();
        r.finish(take).unwrap();
        assert_eq!(*out.borrow(), ['a', 'b', 'z', 'c', 'e', 'd']);
        assert_eq!((r.early(), r.late()), (2, 1));
    }

    #[test]
    fn late_events_are_delivered_and_counted() {
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        let mut take = |_, e| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        r.push([(ts(100), 'a'), (ts(200), 'b')], &mut take).unwrap();
        r.push([(ts(50), 'z')], &mut take).unwrap();
        r.finish(&mut take).unwrap();
        assert_eq!(out, ['a', 'z', 'b']);
        assert_eq!(r.late(), 1);
    }
}
