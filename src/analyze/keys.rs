//! Keys the cores compute so that per-row events carry no strings: a client
//! (address and browser) and a path (any ASCII case), hashed with a key
//! chosen at random per run.

use std::hash::{BuildHasher, Hash, Hasher};

/// A client: the same address and the same browser. Hashed (64 bits) so the
/// per-row events that the cores produce carry no strings. The hash is keyed
/// with a random key per run (foldhash), so that log fields an attacker controls
/// cannot be crafted to collide with another person's client.
pub fn client_key(ip: &[u8], user_agent: &[u8]) -> u64 {
    let mut h = hash_state().build_hasher();
    ip.hash(&mut h);
    user_agent.hash(&mut h);
    h.finish()
}

/// A keyed hash of a path, ignoring ASCII case (as IIS does).
pub fn path_key(path: &[u8]) -> u64 {
    path_key_cased(path).0
}

/// [`path_key`], and whether the path holds an ASCII capital (`A`..=`Z`),
/// found on the way.
#[inline]
pub fn path_key_cased(path: &[u8]) -> (u64, bool) {
    let n = path.len();
    let mut upper = 0;
    let mut lower = |x: u64| {
        let (lowered, capitals) = ascii_lower_found(x);
        upper |= capitals;
        lowered
    };
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&path[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let mut h = hash_state().build_hasher();
    if n < 8 {
        h.write_u64(lower(short_word(path)));
    } else {
        // Sixteen bytes per step (one multiply in foldhash); the rest is read
        // from the end, overlapping. With the length last, equal keys still
        // mean equal paths (up to the hash).
        let mut i = 0;
        while i + 16 <= n {
            let pair = u128::from(lower(word(i))) | u128::from(lower(word(i + 8))) << 64;
            h.write_u128(pair);
            i += 16;
        }
        match n - i {
            0 => {}
            1..=8 => h.write_u128(u128::from(lower(word(n - 8)))),
            _ => {
                let pair = u128::from(lower(word(i))) | u128::from(lower(word(n - 8))) << 64;
                h.write_u128(pair);
            }
        }
    }
    h.write_usize(n);
    (h.finish(), upper != 0)
}

/// The bytes of a path shorter than 8 as a little-endian word, the rest
/// zeros (what copying them into a zeroed `[u8; 8]` gives), read as two
/// overlapping halves or, below 4 bytes, as its first, middle and last.
#[inline]
fn short_word(path: &[u8]) -> u64 {
    let n = path.len();
    debug_assert!(n < 8);
    match n {
        0 => 0,
        1..=3 => {
            let byte = |i: usize| u64::from(path[i]) << (8 * i);
            byte(0) | byte(n / 2) | byte(n - 1)
        }
        _ => {
            let half = |i: usize| {
                let mut w = [0u8; 4];
                w.copy_from_slice(&path[i..i + 4]);
                u64::from(u32::from_le_bytes(w)) << (8 * i)
            };
            half(0) | half(n - 4)
        }
    }
}

/// Eight bytes at once, with ASCII `A`..=`Z` made lower case and every other
/// byte kept: what `make_ascii_lowercase` does, without a loop.
#[cfg(test)]
fn ascii_lower(x: u64) -> u64 {
    ascii_lower_found(x).0
}

/// [`ascii_lower`], and the capitals found: the top bit of each byte that
/// was one (0 when there were none).
#[inline]
fn ascii_lower_found(x: u64) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & (0x7f * ONES);
    // The top bit of each byte: set where the byte is at least `A`, and where
    // it is past `Z` (7-bit sums, so no carry crosses into the next byte).
    let from_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = from_a & !past_z & !x & (0x80 * ONES);
    (x | (upper >> 2), upper)
}

/// The hasher of maps whose keys are keyed hashes already ([`client_key`],
/// or a text hashed where it was made): the key is its own hash.
pub type Prehashed = std::hash::BuildHasherDefault<PassThrough>;

/// See [`Prehashed`]: `write_u64` keeps the value; other writes (not used
/// by such keys) are folded in, so that it still hashes anything.
#[derive(Clone, Copy, Debug, Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = hash_state().build_hasher();
        h.write_u64(self.0);
        h.write(bytes);
        self.0 = h.finish();
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(super) fn hash_state() -> &'static foldhash::quality::RandomState {
    static STATE: std::sync::OnceLock<foldhash::quality::RandomState> = std::sync::OnceLock::new();
    STATE.get_or_init(foldhash::quality::RandomState::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_key_separates_browsers_on_one_address() {
        assert_ne!(client_key(b"1.2.3.4", b"A"), client_key(b"1.2.3.4", b"B"));
        assert_eq!(client_key(b"1.2.3.4", b"A"), client_key(b"1.2.3.4", b"A"));
        assert_eq!(
            path_key(b"/DispatchesClosed.aspx"),
            path_key(b"/dispatchesclosed.ASPX")
        );
        assert_ne!(path_key(b"/a.aspx"), path_key(b"/b.aspx"));
        assert_ne!(path_key(b"/a.aspx"), path_key(b"/a.aspx\0"));
        assert_ne!(path_key(b""), path_key(b"\0"));
        // Every length through the short, overlapping and long paths.
        let long = b"/Some/Deep/Path/To/DispatchesClosed.aspx";
        for n in 0..long.len() {
            let lower = long[..n].to_ascii_lowercase();
            assert_eq!(path_key(&long[..n]), path_key(&lower), "length {n}");
            if n > 0 {
                let mut other = lower.clone();
                other[n / 2] ^= 0x01;
                assert_ne!(path_key(&lower), path_key(&other), "length {n}");
                assert_ne!(path_key(&long[..n]), path_key(&long[..n - 1]), "length {n}");
            }
        }
    }

    #[test]
    fn short_paths_are_read_as_copied_into_a_zeroed_word() {
        let bytes = b"\x01\x80Az\xff-7";
        for n in 0..8 {
            let mut w = [0u8; 8];
            w[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(short_word(&bytes[..n]), u64::from_le_bytes(w), "length {n}");
        }
    }

    #[test]
    fn capitals_are_found_at_every_length_and_place() {
        let text = b"/some/deep/path/to/dispatchesclosed.aspx?";
        for n in 0..text.len() {
            let path = &text[..n];
            assert_eq!(path_key_cased(path), (path_key(path), false), "length {n}");
            for at in 0..n {
                for capital in [b'A', b'Q', b'Z'] {
                    let mut p = path.to_vec();
                    p[at] = capital;
                    assert!(path_key_cased(&p).1, "length {n}, at {at}");
                }
                for other in [b'@', b'[', b'a', b'z', 0xC1, 0xDA] {
                    let mut p = path.to_vec();
                    p[at] = other;
                    let found = p.iter().any(u8::is_ascii_uppercase);
                    assert_eq!(path_key_cased(&p).1, found, "length {n}, at {at}");
                }
            }
        }
    }

    #[test]
    fn ascii_lower_matches_the_standard_library_for_every_byte_and_lane() {
        for byte in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = *b"aZ@[`{\x80\xff";
                bytes[lane] = byte;
                let mut expected = bytes;
                expected.make_ascii_lowercase();
                let got = ascii_lower(u64::from_le_bytes(bytes)).to_le_bytes();
                assert_eq!(got, expected, "byte {byte:#x} in lane {lane}");
                let capitals = ascii_lower_found(u64::from_le_bytes(bytes)).1;
                let found = capitals.to_le_bytes().map(|b| b != 0);
                assert_eq!(
                    found,
                    bytes.map(|b| b.is_ascii_uppercase()),
                    "byte {byte:#x}"
                );
            }
        }
    }
}
