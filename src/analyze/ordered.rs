//! A reorder buffer: turns batches of events in file order into one stream
//! in time order.
//!
//! IIS writes rows a little out of order (by the time a request took), and
//! consecutive daily files touch at midnight. Events are held until the
//! newest time seen is `slack` past them; then they are released in time
//! order (ties keep input order). An event older than what was already
//! released is "late": it is still delivered, at once, and counted.

use jiff::{SignedDuration, Timestamp};

pub struct Reorder<E> {
    pending: Vec<(Timestamp, E)>,
    slack: SignedDuration,
    /// The newest time released so far.
    released: Option<Timestamp>,
    late: u64,
}

impl<E> Reorder<E> {
    pub fn new(slack: SignedDuration) -> Reorder<E> {
        Reorder {
            pending: Vec::new(),
            slack,
            released: None,
            late: 0,
        }
    }

    /// Adds a batch of events and delivers those that are now safe to order.
    pub fn push<I, F>(&mut self, events: I, mut deliver: F)
    where
        I: IntoIterator<Item = (Timestamp, E)>,
        F: FnMut(Timestamp, E),
    {
        for (t, e) in events {
            if self.released.is_some_and(|r| t < r) {
                self.late += 1;
                deliver(t, e);
            } else {
                self.pending.push((t, e));
            }
        }
        // Stable and adaptive: nearly sorted input sorts in close to linear time.
        self.pending.sort_by_key(|(t, _)| *t);
        let Some(newest) = self.pending.last().map(|(t, _)| *t) else {
            return;
        };
        let horizon = newest.checked_sub(self.slack).unwrap_or(newest);
        let ready = self.pending.partition_point(|(t, _)| *t <= horizon);
        if ready == 0 {
            return;
        }
        let rest = self.pending.split_off(ready);
        for (t, e) in std::mem::replace(&mut self.pending, rest) {
            self.released = Some(t);
            deliver(t, e);
        }
    }

    /// Delivers everything still held.
    pub fn finish<F: FnMut(Timestamp, E)>(&mut self, mut deliver: F) {
        for (t, e) in self.pending.drain(..) {
            self.released = Some(t);
            deliver(t, e);
        }
    }

    /// Events that arrived after newer ones had been released.
    pub fn late(&self) -> u64 {
        self.late
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn releases_in_time_order_within_the_slack() {
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        r.push([(ts(100), 'a'), (ts(95), 'b'), (ts(130), 'c')], |_, e| out.push(e));
        assert_eq!(out, ['b', 'a']);
        r.push([(ts(125), 'd'), (ts(125), 'e')], |_, e| out.push(e));
        r.finish(|_, e| out.push(e));
        assert_eq!(out, ['b', 'a', 'd', 'e', 'c']);
        assert_eq!(r.late(), 0);
    }

    #[test]
    fn late_events_are_delivered_and_counted() {
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        r.push([(ts(100), 'a'), (ts(200), 'b')], |_, e| out.push(e));
        r.push([(ts(50), 'z')], |_, e| out.push(e));
        r.finish(|_, e| out.push(e));
        assert_eq!(out, ['a', 'z', 'b']);
        assert_eq!(r.late(), 1);
    }
}
