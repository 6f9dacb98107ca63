//! A reorder buffer: turns batches of events in file order into one stream
//! in time order.
//!
//! IIS writes rows a little out of order (by the time a request took), and
//! consecutive daily files touch at midnight. Events are held until the
//! stream's time is `slack` past them; then they are released in time
//! order (ties keep input order). An event older than what was already
//! released is "late": it is still delivered, at once, and counted.
//!
//! The stream's time is the median time of the last [`CLOCK_WINDOW`]
//! events in input order, not the newest time seen: a row far ahead of the
//! rows around it (a server clock set wrong, a forged row) would otherwise
//! make every row after it late, each handled out of order, and which ones
//! would depend on how the input was cut into batches (mapped or streamed).
//! Such a row is held until the stream reaches it, or to the end; a real
//! jump (a quiet weekend, the next file) moves the median once half the
//! window has come after it.
//!
//! A batch comes in as a vector and is held as it is, sorted in place if
//! its rows were not in order: the held events are runs, one after the
//! other in time order, and a batch that starts before the held events end
//! is merged with only the part it overlaps. Rows mostly come in order, so
//! an event is moved once, when it is released, not pushed through a
//! buffer and moved along it.
//!
//! The window is bounded in rows too ([`MAX_HELD`]): a log that packs more
//! rows than that into the slack (a flood, or a forged log all in one
//! second) has its oldest rows released early, and counted, so that memory
//! follows the limit and not the input.

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};

/// The most events held at once, waiting for the slack to pass.
pub const MAX_HELD: usize = 250_000;

/// The events, last in input order, whose median time is the stream's time.
pub const CLOCK_WINDOW: usize = 1024;

/// Events that come in between two calls of [`Timed::settle`] on the held
/// ones: what the events that came since keep alive is bounded by this.
pub const SETTLE_EVERY: usize = 1 << 17;

/// An event with its ordering key ([`key`]).
pub trait Timed {
    fn key(&self) -> i64;

    /// Called on the events held each time [`SETTLE_EVERY`] more came in
    /// (on some more than once): an event that keeps alive what the
    /// events made around it point to lets go of it here ([`Held`]).
    fn settle(&mut self) {}
}

/// What [`Timed::settle`] does for an event of
/// [`scan_ordered`](super::scan_ordered): nothing, unless the event
/// keeps alive more than its own values while it waits
/// (a [`SessionEvent`](super::sessions::SessionEvent)'s epoch).
pub trait Held {
    fn settle(&mut self) {}
}

impl<E> Timed for (i64, E) {
    fn key(&self) -> i64 {
        self.0
    }
}

/// Events held in time order: runs, each sorted, every key of a run at most
/// the first of the next (ties keep input order).
pub struct Reorder<E> {
    runs: VecDeque<VecDeque<E>>,
    held: usize,
    slack: i64,
    /// The newest time released so far.
    released: Option<i64>,
    late: u64,
    max_held: usize,
    early: u64,
    /// Events pushed since the held ones were last settled.
    settled: usize,
    /// The keys of the last [`CLOCK_WINDOW`] events pushed (a ring, in
    /// input order), where the next goes, and room to find their median.
    recent: Vec<i64>,
    next: usize,
    scratch: Vec<i64>,
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

impl<E: Timed> Reorder<E> {
    pub fn new(slack: SignedDuration) -> Reorder<E> {
        Reorder::holding(slack, MAX_HELD)
    }

    /// A buffer that holds at most `max_held` events.
    pub fn holding(slack: SignedDuration, max_held: usize) -> Reorder<E> {
        Reorder {
            runs: VecDeque::new(),
            held: 0,
            slack: key_span(slack),
            released: None,
            late: 0,
            max_held,
            early: 0,
            settled: 0,
            recent: Vec::with_capacity(CLOCK_WINDOW),
            next: 0,
            scratch: Vec::with_capacity(CLOCK_WINDOW),
        }
    }

    /// Adds a batch of events (in input order) and delivers those that are
    /// now safe to order. Stops at the first error `deliver` returns.
    pub fn push<F, X>(&mut self, mut events: Vec<E>, mut deliver: F) -> Result<(), X>
    where
        F: FnMut(E) -> Result<(), X>,
    {
        // One look at the keys: are they in order, is any late?
        let mut sorted = true;
        let mut late = false;
        let mut previous = i64::MIN;
        for e in &events {
            let k = e.key();
            sorted &= previous <= k;
            late |= self.released.is_some_and(|r| k < r);
            previous = k;
        }
        self.remember(&events);
        if late {
            let released = self.released;
            for e in events.extract_if(.., |e| released.is_some_and(|r| e.key() < r)) {
                self.late += 1;
                deliver(e)?;
            }
        }
        if !sorted {
            // Stable and adaptive: nearly sorted input sorts in close to linear time.
            events.sort_by_key(Timed::key);
        }
        self.settled += events.len();
        self.hold(events.into());
        if self.settled >= SETTLE_EVERY {
            // Most events are released within a few batches; those still
            // held are few, and settling one again does nothing.
            self.settled = 0;
            self.runs.iter_mut().flatten().for_each(Timed::settle);
        }
        let Some(now) = self.now() else {
            return Ok(());
        };
        let horizon = now.saturating_sub(self.slack);
        while let Some(run) = self.runs.front_mut() {
            // The run's events that are due: a prefix (it is sorted),
            // released together.
            let due = run.partition_point(|e| e.key() <= horizon);
            if due > 0 {
                self.held -= due;
                for e in run.drain(..due) {
                    self.released = Some(e.key());
                    deliver(e)?;
                }
                continue;
            }
            let Some(first) = run.front() else {
                self.runs.pop_front();
                continue;
            };
            if self.held <= self.max_held {
                break;
            }
            // Not due, but the window is full: the oldest goes early.
            self.early += 1;
            self.released = Some(first.key());
            let Some(e) = run.pop_front() else { break };
            self.held -= 1;
            deliver(e)?;
        }
        Ok(())
    }

    /// Keeps the keys of the last [`CLOCK_WINDOW`] events (of `events`,
    /// in input order, after those before).
    fn remember(&mut self, events: &[E]) {
        let skip = events.len().saturating_sub(CLOCK_WINDOW);
        for e in &events[skip..] {
            if self.recent.len() < CLOCK_WINDOW {
                self.recent.push(e.key());
            } else {
                self.recent[self.next] = e.key();
            }
            self.next = (self.next + 1) % CLOCK_WINDOW;
        }
    }

    /// The stream's time: the median key of the last events (the lower of
    /// the two middle ones of an even count); `None` before any.
    fn now(&mut self) -> Option<i64> {
        if self.recent.is_empty() {
            return None;
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.recent);
        let middle = (self.scratch.len() - 1) / 2;
        Some(*self.scratch.select_nth_unstable(middle).1)
    }

    /// Puts a sorted batch among the held events: after them if it starts
    /// at or after their end (most batches), else merged with the events
    /// it overlaps (held first on ties: they came first).
    fn hold(&mut self, mut batch: VecDeque<E>) {
        let Some(first) = batch.front().map(Timed::key) else {
            return;
        };
        self.held += batch.len();
        // The held events newer than the batch's first, oldest first.
        let mut tail: VecDeque<E> = VecDeque::new();
        while let Some(run) = self.runs.back_mut() {
            let from = run.partition_point(|e| e.key() <= first);
            if from == run.len() {
                break;
            }
            if from == 0 {
                if let Some(mut whole) = self.runs.pop_back() {
                    whole.append(&mut tail);
                    tail = whole;
                }
                continue;
            }
            let mut part = run.split_off(from);
            part.append(&mut tail);
            tail = part;
            break;
        }
        if tail.is_empty() {
            self.runs.push_back(batch);
            return;
        }
        // Only the batch's events before the tail's last are interleaved;
        // the rest follow it as they are.
        let last = tail.back().map_or(i64::MIN, Timed::key);
        let overlap = batch.partition_point(|e| e.key() < last);
        let mut merged = VecDeque::with_capacity(tail.len() + overlap);
        let mut early = batch.drain(..overlap).peekable();
        for held in tail {
            while let Some(e) = early.next_if(|e| e.key() < held.key()) {
                merged.push_back(e);
            }
            merged.push_back(held);
        }
        merged.extend(early);
        self.runs.push_back(merged);
        if !batch.is_empty() {
            self.runs.push_back(batch);
        }
    }

    /// Delivers everything still held.
    pub fn finish<F, X>(&mut self, mut deliver: F) -> Result<(), X>
    where
        F: FnMut(E) -> Result<(), X>,
    {
        while let Some(run) = self.runs.pop_front() {
            for e in run {
                self.held -= 1;
                self.released = Some(e.key());
                deliver(e)?;
            }
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
        let mut take = |(_, e): (i64, char)| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        r.push(
            vec![(ts(100), 'a'), (ts(95), 'b'), (ts(130), 'c')],
            &mut take,
        )
        .unwrap();
        r.push(vec![(ts(125), 'd'), (ts(125), 'e')], &mut take)
            .unwrap();
        r.finish(&mut take).unwrap();
        assert_eq!(out, ['b', 'a', 'd', 'e', 'c']);
        assert_eq!(r.late(), 0);
    }

    #[test]
    fn a_batch_in_order_after_a_newer_one_is_still_merged() {
        // Each batch is sorted, but the second starts before the first ends.
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        let mut take = |(_, e): (i64, char)| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        r.push(vec![(ts(100), 'a'), (ts(105), 'b')], &mut take)
            .unwrap();
        r.push(
            vec![(ts(103), 'c'), (ts(104), 'd'), (ts(120), 'e')],
            &mut take,
        )
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
        let take = |(_, e): (i64, char)| -> Result<(), ()> {
            out.borrow_mut().push(e);
            Ok(())
        };
        r.push(vec![(ts(100), 'a'), (ts(100), 'b')], take).unwrap();
        assert!(out.borrow().is_empty(), "within the bound, held");
        r.push(vec![(ts(100), 'c'), (ts(101), 'd'), (ts(100), 'e')], take)
            .unwrap();
        assert_eq!(*out.borrow(), ['a', 'b'], "the oldest, down to the bound");
        assert_eq!(r.held, 3);
        r.push(vec![(ts(99), 'z')], take).unwrap();
        r.finish(take).unwrap();
        assert_eq!(*out.borrow(), ['a', 'b', 'z', 'c', 'e', 'd']);
        assert_eq!((r.early(), r.late()), (2, 1));
    }

    #[test]
    fn late_events_are_delivered_and_counted() {
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        let mut take = |(_, e): (i64, char)| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        r.push(
            vec![(ts(100), 'a'), (ts(200), 'b'), (ts(200), 'c')],
            &mut take,
        )
        .unwrap();
        r.push(vec![(ts(50), 'z')], &mut take).unwrap();
        r.finish(&mut take).unwrap();
        assert_eq!(out, ['a', 'z', 'b', 'c']);
        assert_eq!(r.late(), 1);
    }

    #[test]
    fn a_row_far_ahead_of_the_others_makes_none_of_them_late() {
        // A forged or mis-clocked row years ahead, then rows a little out
        // of order as IIS writes them: they are still put in order.
        let mut r = Reorder::new(SignedDuration::from_secs(60));
        let mut out = Vec::new();
        let mut take = |(k, _): (i64, u32)| -> Result<(), ()> {
            out.push(k);
            Ok(())
        };
        let far = ts(1_000_000_000);
        let mut id = 0;
        for batch in 0..20i64 {
            let mut events: Vec<(i64, u32)> = (0..500i64)
                .map(|i| {
                    id += 1;
                    let second = batch * 500 + i;
                    // Every tenth row written 30 s after its time.
                    (ts(second - if i % 10 == 0 { 30 } else { 0 }), id)
                })
                .collect();
            if batch % 5 == 0 {
                events.insert(250, (far, 0));
            }
            r.push(events, &mut take).unwrap();
            // The rows before the slack are let go as they come.
            if batch > 1 {
                assert!(r.held < 2 * CLOCK_WINDOW, "{}", r.held);
            }
        }
        r.finish(&mut take).unwrap();
        assert_eq!(r.late(), 0);
        assert!(out.is_sorted());
        assert_eq!(out.len(), 20 * 500 + 4);
        assert_eq!(out[out.len() - 4..], [far; 4]);
    }

    #[test]
    fn a_real_jump_in_time_moves_the_window_once_half_of_it_came() {
        let mut r = Reorder::new(SignedDuration::from_secs(60));
        let mut out = Vec::new();
        let mut take = |(k, _): (i64, u32)| -> Result<(), ()> {
            out.push(k);
            Ok(())
        };
        let before: Vec<(i64, u32)> = (0..2000).map(|i| (ts(i), 0)).collect();
        r.push(before, &mut take).unwrap();
        // The next day's file.
        let after: Vec<(i64, u32)> = (0..CLOCK_WINDOW as i64)
            .map(|i| (ts(86_400 + i), 1))
            .collect();
        r.push(after, &mut take).unwrap();
        assert!(out.len() >= 2000, "the first day is let go: {}", out.len());
    }

    /// An event that counts the times it was settled.
    struct Counted(i64, u32);

    impl Timed for Counted {
        fn key(&self) -> i64 {
            self.0
        }

        fn settle(&mut self) {
            self.1 += 1;
        }
    }

    #[test]
    fn events_held_while_many_more_come_are_settled_and_no_others() {
        let mut r = Reorder::new(SignedDuration::from_secs(10));
        let mut out = Vec::new();
        let mut take = |e: Counted| -> Result<(), ()> {
            out.push(e);
            Ok(())
        };
        // One event far ahead of the others: held until the end.
        r.push(vec![Counted(ts(1_000_000), 0)], &mut take).unwrap();
        // Batches in order, each released by the next but its last seconds.
        let per_batch = 1000;
        let batches = SETTLE_EVERY / per_batch + 1;
        for b in 0..batches {
            let batch = (0..per_batch)
                .map(|i| Counted(ts((b * per_batch + i) as i64 / 100), 0))
                .collect();
            r.push(batch, &mut take).unwrap();
        }
        r.finish(&mut take).unwrap();
        assert_eq!(out.len(), 1 + batches * per_batch);
        let ahead = out.last().unwrap();
        assert_eq!((ahead.0, ahead.1), (ts(1_000_000), 1), "settled once");
        let settled = out.iter().filter(|e| e.1 > 0).count();
        // Those within the slack of the stream's time when the sweep came.
        assert!(
            settled > 1 && settled < 2 * (10 * 100 + CLOCK_WINDOW),
            "{settled}"
        );
        assert!(out.iter().all(|e| e.1 <= 1));
    }
}

#[cfg(test)]
mod model {
    //! The buffer against the plainest form of what it does: every event
    //! in one vector, sorted (stably) after each batch.
    use super::*;

    /// Delivers as the buffer must: (key, id) in order, and (late, early).
    fn plain(batches: &[Vec<(i64, u32)>], slack: i64, max_held: usize) -> (Vec<u32>, u64, u64) {
        let (mut pending, mut out): (Vec<(i64, u32)>, Vec<u32>) = (Vec::new(), Vec::new());
        let (mut released, mut late, mut early) = (None::<i64>, 0, 0);
        let mut keys = Vec::new();
        for batch in batches {
            keys.extend(batch.iter().map(|e| e.0));
            for &(k, id) in batch {
                if released.is_some_and(|r| k < r) {
                    late += 1;
                    out.push(id);
                } else {
                    pending.push((k, id));
                }
            }
            pending.sort_by_key(|e| e.0);
            // The median of the last keys in input order.
            let mut last = keys[keys.len().saturating_sub(CLOCK_WINDOW)..].to_vec();
            last.sort_unstable();
            let Some(&now) = last.get(last.len().saturating_sub(1) / 2) else {
                continue;
            };
            let due = pending.partition_point(|e| e.0 <= now - slack);
            let ready = due.max(pending.len().saturating_sub(max_held));
            early += (ready - due) as u64;
            for (k, id) in pending.drain(..ready) {
                released = Some(k);
                out.push(id);
            }
        }
        out.extend(pending.iter().map(|e| e.1));
        (out, late, early)
    }

    /// A small deterministic generator (no dependency for one test).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn runs_and_merges_deliver_what_one_sorted_vector_would() {
        let mut rng = Lcg(7);
        for case in 0..3000 {
            let slack = rng.below(20) as i64;
            let max_held = 1 + rng.below(40) as usize;
            let mut clock = 0i64;
            let mut id = 0u32;
            // Batches mostly in order, some rows lagging, some far behind
            // (late), some ties, some batches that start before the last
            // ended (two inputs overlapping).
            let batches: Vec<Vec<(i64, u32)>> = (0..1 + rng.below(8))
                .map(|_| {
                    if rng.below(4) == 0 {
                        clock -= rng.below(30) as i64;
                    }
                    (0..rng.below(12))
                        .map(|_| {
                            clock += rng.below(4) as i64;
                            let k = match rng.below(10) {
                                0 => clock - rng.below(15) as i64,
                                1 => clock - 100,
                                _ => clock,
                            };
                            id += 1;
                            (k, id)
                        })
                        .collect()
                })
                .collect();
            let mut r = Reorder::holding(SignedDuration::from_nanos(slack), max_held);
            let mut out = Vec::new();
            let mut take = |(_, e): (i64, u32)| -> Result<(), ()> {
                out.push(e);
                Ok(())
            };
            for b in &batches {
                r.push(b.clone(), &mut take).unwrap();
                assert!(r.held <= max_held, "case {case}: bound");
            }
            r.finish(&mut take).unwrap();
            let (want, late, early) = plain(&batches, slack, max_held);
            assert_eq!(out, want, "case {case}: {batches:?}");
            assert_eq!((r.late(), r.early()), (late, early), "case {case}");
        }
    }
}
