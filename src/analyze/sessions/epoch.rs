//! Epochs: what keeps alive the values a core's session events point to.
//!
//! An event points to its login name, client and path without counting a
//! reference to each: that count would be raised on the core that makes
//! the event and lowered on the thread that lets go of it, so its cache
//! line would move between the two cores three times per request. Instead
//! the events a core makes one after another share an epoch, which holds
//! each value they point to once; an event holds one reference to its
//! epoch, and the core counts the references it hands out by itself, then
//! adds them to the epoch's count once, when it closes the epoch ([`Open`]).
//! The only shared count an event touches is its epoch's, once, when it is
//! let go.
//!
//! All the `unsafe` of the sessions' events is here and in the accessors of
//! [`SessionEvent`](super::SessionEvent), which read through pointers that
//! their epoch keeps valid.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A value of an epoch: held, never read through here.
pub type Value = Arc<dyn Send + Sync>;

struct Epoch {
    /// References not yet let go: one per event (and clone), less those
    /// dropped; while the epoch is open, [`OPEN`] stands for the events
    /// not yet counted.
    refs: AtomicU64,
    /// Only ever added to, until the epoch is dropped.
    values: Mutex<Vec<Value>>,
}

/// The count of an open epoch before its events are counted: far above
/// any number of events.
const OPEN: u64 = 1 << 62;

/// One reference to an epoch, held by an event.
pub struct EpochRef(NonNull<Epoch>);

// SAFETY: the epoch is shared only through its atomic count and its locked
// values (both `Sync`), and is freed by whichever reference is let go last.
unsafe impl Send for EpochRef {}
// SAFETY: as for `Send` above.
unsafe impl Sync for EpochRef {}

impl EpochRef {
    /// A closed epoch holding `values`, with this one reference.
    pub fn owning(values: Vec<Value>) -> EpochRef {
        EpochRef(Epoch::make(1, values))
    }

    fn epoch(&self) -> &Epoch {
        // SAFETY: the epoch is freed only when its count reaches zero, and
        // this reference is still counted.
        unsafe { self.0.as_ref() }
    }

    /// The epoch's values.
    pub fn values(&self) -> MutexGuard<'_, Vec<Value>> {
        self.epoch()
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clone for EpochRef {
    fn clone(&self) -> EpochRef {
        // As `Arc`: a new reference made from a counted one needs no order.
        self.epoch().refs.fetch_add(1, Ordering::Relaxed);
        EpochRef(self.0)
    }
}

impl Drop for EpochRef {
    fn drop(&mut self) {
        // SAFETY: this reference is counted, and is let go once, here.
        unsafe { release(self.0, 1) }
    }
}

impl Epoch {
    fn make(refs: u64, values: Vec<Value>) -> NonNull<Epoch> {
        NonNull::from(Box::leak(Box::new(Epoch {
            refs: AtomicU64::new(refs),
            values: Mutex::new(values),
        })))
    }
}

/// Lets go of `n` counted references to `epoch`, and frees it when they
/// were the last.
///
/// # Safety
///
/// `epoch` was made by [`Epoch::make`], and the caller holds `n` of its
/// counted references, which it does not use again.
unsafe fn release(epoch: NonNull<Epoch>, n: u64) {
    // SAFETY: the caller's references are counted: the epoch is alive.
    let refs = unsafe { &epoch.as_ref().refs };
    // As `Arc`'s drop: every use of the epoch happens before it is freed.
    if refs.fetch_sub(n, Ordering::Release) != n {
        return;
    }
    fence(Ordering::Acquire);
    // SAFETY: that was the last reference, and the epoch came from a `Box`.
    drop(unsafe { Box::from_raw(epoch.as_ptr()) });
}

/// The epoch a core now makes events of; closed when dropped.
pub struct Open {
    epoch: NonNull<Epoch>,
    /// References handed out, not yet counted in the epoch.
    handed: u64,
    /// Counts the epochs of the core before this one.
    number: u64,
}

impl Default for Open {
    fn default() -> Open {
        Open::numbered(0)
    }
}

impl Open {
    fn numbered(number: u64) -> Open {
        Open {
            epoch: Epoch::make(OPEN, Vec::new()),
            handed: 0,
            number,
        }
    }

    /// The core's next epoch (this one closes when it is dropped).
    pub fn next(&self) -> Open {
        Open::numbered(self.number.wrapping_add(1))
    }

    /// Tells this epoch from the core's others.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// A reference for a new event: counted when the epoch is closed.
    pub fn event(&mut self) -> EpochRef {
        self.handed += 1;
        EpochRef(self.epoch)
    }

    /// Events made in this epoch.
    pub fn events(&self) -> u64 {
        self.handed
    }

    /// Adds a value, and returns its slot.
    pub fn add(&mut self, value: Value) -> usize {
        // SAFETY: an open epoch holds `OPEN` references of its own (let go
        // in `drop`): it is alive.
        let epoch = unsafe { self.epoch.as_ref() };
        let mut values = epoch.values.lock().unwrap_or_else(PoisonError::into_inner);
        values.push(value);
        values.len() - 1
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        // The epoch's own `OPEN` references become the events' `handed`.
        // SAFETY: `OPEN - handed` of the count are the epoch's own, never
        // let go before (the events let go of theirs).
        unsafe { release(self.epoch, OPEN - self.handed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(n: u32) -> Value {
        Arc::new(n)
    }

    #[test]
    fn an_epoch_lives_until_its_last_event_whatever_the_order() {
        // The values are freed with the epoch: a weak reference tells.
        let kept = Arc::new(7u32);
        let watch = Arc::downgrade(&kept);
        let mut open = Open::default();
        open.add(kept);
        let first = open.event();
        let second = open.event();
        let third = second.clone();
        drop(first);
        assert!(watch.upgrade().is_some(), "an event still holds it");
        drop(open);
        assert!(watch.upgrade().is_some(), "closed, with two events left");
        drop(second);
        assert_eq!(third.values().len(), 1);
        drop(third);
        assert!(watch.upgrade().is_none(), "the last event let it go");
    }

    #[test]
    fn an_epoch_whose_events_are_gone_is_freed_when_it_closes() {
        let kept = Arc::new(1u32);
        let watch = Arc::downgrade(&kept);
        let mut open = Open::default();
        assert_eq!(open.add(kept), 0);
        assert_eq!(open.add(value(2)), 1);
        drop(open.event());
        drop(open.event());
        assert_eq!(open.events(), 2);
        assert!(watch.upgrade().is_some(), "open: the core may still use it");
        drop(open);
        assert!(watch.upgrade().is_none());
    }

    #[test]
    fn events_let_go_on_other_threads_free_the_epoch_once() {
        let kept = Arc::new(3u32);
        let watch = Arc::downgrade(&kept);
        let mut open = Open::default();
        open.add(kept);
        let events: Vec<EpochRef> = (0..1000).map(|_| open.event()).collect();
        let (a, b): (Vec<_>, Vec<_>) = events
            .into_iter()
            .enumerate()
            .partition(|(i, _)| i % 2 == 0);
        std::thread::scope(|s| {
            s.spawn(move || drop(a));
            s.spawn(move || drop(b));
            drop(open);
        });
        assert!(watch.upgrade().is_none());
    }

    #[test]
    fn an_owning_epoch_holds_its_values_for_its_one_reference() {
        let kept = Arc::new(5u32);
        let watch = Arc::downgrade(&kept);
        let own = EpochRef::owning(vec![kept as Value]);
        assert_eq!(own.values().len(), 1);
        drop(own);
        assert!(watch.upgrade().is_none());
    }
}
