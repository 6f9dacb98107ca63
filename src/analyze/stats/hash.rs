//! The keyed hashes of `stats`, per row and cheap: a group's hash from its
//! parts, and the (group, address) and (group, page) pairs' hashes from
//! the group's hash and a key, each a few folded multiplies with keys
//! drawn once per run.
//!
//! **Collisions.** The values hashed here are keyed 64-bit hashes already
//! ([`super::super::path_key`]); each is combined with a key of the run by
//! foldhash's own step, the folded multiply of two 64-bit values (the
//! 128-bit product's halves XORed), which is what foldhash does with each
//! 16 bytes it takes in. Two different inputs give the same hash with a
//! chance of about one in 2^64 (10^19) per pair of them, as for the keys
//! themselves; the keys are random per run, so a log cannot be written to
//! make two groups collide. A multiply's weakness, an operand of 0 (the
//! product is then 0 whatever the other), needs a value equal to a secret
//! key of the run: about one in 2^64 too.

use std::hash::BuildHasher;

use super::Parts;

/// The 128-bit product of `a` and `b`, its halves XORed (foldhash's step).
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// The run's keys of these hashes (the same for every [`Keyer`] of a run).
#[derive(Clone, Copy, Debug)]
pub struct Keyer {
    keys: [u64; KEYS],
}

const KEYS: usize = 14;

impl Keyer {
    /// The run's keys, drawn from its random hash state
    /// ([`super::super::keys`]).
    pub fn new() -> Keyer {
        let state = super::super::keys::hash_state();
        Keyer {
            keys: std::array::from_fn(|i| state.hash_one(i as u64)),
        }
    }

    /// The hash of a group's parts.
    #[inline]
    pub fn group(&self, parts: &Parts) -> u64 {
        let k = &self.keys;
        // The day and hour in one word: the day's 32 bits, the hour's 8
        // above them (each as its bits, so that -1 and `NO_DAY` stay apart).
        let when = u64::from(parts.day as u32) | u64::from(parts.hour as u8) << 32;
        let who = fold(parts.user ^ k[0], parts.ip ^ k[1]);
        let what = fold(parts.page ^ k[2], when ^ k[3]);
        fold(who ^ k[4], what ^ k[5])
    }

    /// The hash of a (group, address) pair: never 0, which stands for
    /// "absent".
    #[inline]
    pub fn ip_pair(&self, group: u64, ip: u64) -> u64 {
        fold(group ^ self.keys[6], ip ^ self.keys[7]).max(1)
    }

    /// The hash of a (group, page) pair, never 0; other keys than
    /// [`Keyer::ip_pair`]'s, so that an address and a page with the same
    /// key make two pairs.
    #[inline]
    pub fn page_pair(&self, group: u64, page: u64) -> u64 {
        fold(group ^ self.keys[8], page ^ self.keys[9]).max(1)
    }

    /// `seen` with the `part`-th name (0 user, 1 address, 2 page) as
    /// spelled, `spelling` being a keyed hash of its exact bytes.
    #[inline]
    pub fn spelled(&self, seen: u64, part: usize, spelling: u64) -> u64 {
        let k = &self.keys;
        fold(seen ^ k[10], spelling ^ k[11 + part.min(2)])
    }
}

impl Default for Keyer {
    fn default() -> Keyer {
        Keyer::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(user: u64, ip: u64, page: u64, day: i32, hour: i8) -> Parts {
        Parts {
            user,
            ip,
            page,
            day,
            hour,
        }
    }

    #[test]
    fn the_keys_of_a_run_are_the_same() {
        let (a, b) = (Keyer::new(), Keyer::new());
        let p = parts(11, 22, 33, 20_000, 5);
        assert_eq!(a.group(&p), b.group(&p));
        assert_eq!(a.ip_pair(1, 2), b.ip_pair(1, 2));
    }

    #[test]
    fn each_part_counts_and_none_stands_for_another() {
        let k = Keyer::new();
        let base = parts(11, 22, 33, 20_000, 5);
        let mut seen = std::collections::HashSet::new();
        let variants = [
            base,
            parts(12, 22, 33, 20_000, 5),
            parts(22, 11, 33, 20_000, 5),
            parts(11, 33, 22, 20_000, 5),
            parts(33, 22, 11, 20_000, 5),
            parts(11, 22, 34, 20_000, 5),
            parts(11, 22, 33, 20_001, 5),
            parts(11, 22, 33, 20_000, 6),
            parts(11, 22, 33, super::super::NO_DAY, 5),
            parts(11, 22, 33, 20_000, super::super::NO_HOUR),
            parts(11, 22, 33, -1, 5),
            parts(0, 0, 0, super::super::NO_DAY, super::super::NO_HOUR),
        ];
        for p in variants {
            assert!(seen.insert(k.group(&p)), "{p:?}");
        }
        assert_ne!(k.ip_pair(1, 2), k.page_pair(1, 2));
        assert_ne!(k.ip_pair(1, 2), k.ip_pair(2, 1));
        assert_ne!(k.ip_pair(1, 2), k.ip_pair(1, 3));
        assert_ne!(k.spelled(1, 0, 2), k.spelled(1, 1, 2));
        assert_ne!(k.spelled(1, 0, 2), k.spelled(1, 0, 3));
        assert!(k.ip_pair(0, 0) != 0 && k.page_pair(0, 0) != 0);
    }
}
