//! JSON text written straight into a buffer, byte for byte as `serde_json`
//! writes it: strings escaped as it escapes them (`\"`, `\\`, `\b \f \n \r
//! \t`, other control characters as `\u00xx`; everything else, `/`, DEL
//! and non-ASCII included, as is), numbers in decimal, objects whose keys
//! come once (in the place of their first use, with their last value, as
//! its ordered map keeps them).
//!
//! The items printed most (a log's records, sessions) write themselves with
//! these instead of building `serde_json` values: on the big outputs of
//! `logs` this is most of the time of a run.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::Cell;

/// What follows the backslash for a byte that must be escaped; 0 for a byte
/// written as is. `u` stands for `\u00XX`.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// How many bytes at the start of `bytes` need no escape. Eight bytes at a
/// time: a byte below 0x20, a `"` or a `\` sets the high bit of its lane
/// (lanes above the first such byte may be set falsely by a borrow, never
/// a lane below it, so the lowest set lane is the first such byte).
fn clean_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let zero_lane = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let (words, rest) = bytes.as_chunks::<8>();
    for (i, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let found =
            control | zero_lane(x ^ (ONES * u64::from(b'"'))) | zero_lane(x ^ (ONES * 0x5c));
        if found != 0 {
            return i * 8 + (found.trailing_zeros() / 8) as usize;
        }
    }
    let done = words.len() * 8;
    done + rest
        .iter()
        .position(|&b| ESCAPE[usize::from(b)] != 0)
        .unwrap_or(rest.len())
}

/// Whether `bytes` are ASCII and need no escape in a JSON string (so any
/// piece of them is a JSON string's contents as it is). 64 bytes at a
/// time, each byte tested without a branch and the results or-ed, for the
/// compiler to make vector compares of (the last bytes as the last 64, read
/// again): a log's line is checked once instead of escaping each value.
pub fn plain_ascii(bytes: &[u8]) -> bool {
    // Signed, a byte below 0x20 or above 0x7f is below 0x20.
    let needs = |b: u8| u8::from((b as i8) < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\');
    let clean = |block: &[u8; 64]| block.iter().fold(0, |any, &b| any | needs(b)) == 0;
    let (blocks, rest) = bytes.as_chunks::<64>();
    if rest.is_empty() || blocks.is_empty() {
        return blocks.iter().all(clean) && rest.iter().all(|&b| needs(b) == 0);
    }
    let last = bytes.last_chunk::<64>();
    blocks.iter().all(clean) && last.is_some_and(clean)
}

/// A JSON string of `piece`, a piece of `line` that needs no escape
/// ([`plain_ascii`]): copied from `line` a window of 32 bytes at a time,
/// the bytes past the piece written and cut off again (a copy of a known
/// size is made inline: the many short values of a row without a call of
/// `memcpy` each).
#[inline]
pub fn plain_piece(out: &mut Vec<u8>, line: &[u8], piece: &[u8]) {
    debug_assert!(plain_ascii(piece));
    out.push(b'"');
    let at = (piece.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    match line.get(at..at.wrapping_add(piece.len())) {
        Some(same) if std::ptr::eq(same.as_ptr(), piece.as_ptr()) => {
            let end = out.len() + piece.len();
            let mut from = at;
            while out.len() < end {
                match line.get(from..).and_then(|rest| rest.first_chunk::<32>()) {
                    Some(window) => out.extend_from_slice(window),
                    None => {
                        out.extend_from_slice(&line[from..at + piece.len()]);
                        break;
                    }
                }
                from += 32;
            }
            out.truncate(end);
        }
        _ => out.extend_from_slice(piece),
    }
    out.push(b'"');
}

/// Appends the first `len` bytes of `padded`, copied whole and cut back (a
/// copy of a known size is made inline, not by a call of `memcpy`).
#[inline]
pub fn padded<const N: usize>(out: &mut Vec<u8>, padded: &[u8; N], len: usize) {
    let end = out.len() + len.min(N);
    out.extend_from_slice(padded);
    out.truncate(end);
}

/// Writes the contents of a JSON string (no quotes) of `text`, which must
/// be UTF-8 (only ASCII bytes are escaped: the others are copied).
fn escaped(out: &mut Vec<u8>, mut text: &[u8]) {
    loop {
        let clean = clean_prefix(text);
        out.extend_from_slice(&text[..clean]);
        let Some((&b, rest)) = text[clean..].split_first() else {
            return;
        };
        match ESCAPE[usize::from(b)] {
            b'u' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            short => out.extend_from_slice(&[b'\\', short]),
        }
        text = rest;
    }
}

/// A JSON string of `text`.
pub fn string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    escaped(out, text.as_bytes());
    out.push(b'"');
}

/// A JSON string of bytes that are known to be UTF-8 (a value of a line
/// that is UTF-8 as a whole, cut at ASCII bytes).
pub fn utf8_string(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    escaped(out, text);
    out.push(b'"');
}

/// A JSON string of bytes, those that are not UTF-8 as U+FFFD.
pub fn lossy_string(out: &mut Vec<u8>, bytes: &[u8]) {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(text) => string(out, text),
        Cow::Owned(text) => string(out, &text),
    }
}

/// The two digits of 0 to 99.
static PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

/// A number in decimal, two digits at a time (most are short, a status or
/// a line): up to 8 digits made in a register and copied as one word (a
/// buffer on the stack, read back whole just after its bytes were
/// written, would stall the read).
pub fn uint(out: &mut Vec<u8>, n: u64) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n >= 100_000_000 {
        return long_uint(out, n);
    }
    let len = n.ilog10() as usize + 1;
    // The digits in the order they are written: the first in the lowest byte.
    let mut word = 0u64;
    let mut at = len;
    let mut m = n;
    while m >= 100 {
        at -= 2;
        word |= u64::from(u16::from_le_bytes(PAIRS[(m % 100) as usize])) << (8 * at);
        m /= 100;
    }
    word |= if m >= 10 {
        u64::from(u16::from_le_bytes(PAIRS[m as usize]))
    } else {
        u64::from(b'0' + m as u8)
    };
    padded(out, &word.to_le_bytes(), len);
}

/// [`uint`] of a number of 9 digits or more.
fn long_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while n >= 100 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if n >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[n as usize]);
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    out.extend_from_slice(&digits[at..]);
}

/// A number, or `null`.
pub fn opt_uint(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => uint(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// A string, or `null`.
pub fn opt_string(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// An array of strings.
pub fn strings<S: AsRef<str>>(out: &mut Vec<u8>, texts: &[S]) {
    out.push(b'[');
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, text.as_ref());
    }
    out.push(b']');
}

/// A file name: a string, or `{"bytes":"<base64>"}` for one that is not
/// UTF-8 ([`crate::name`]).
pub fn file(out: &mut Vec<u8>, name: &str) {
    match crate::name::raw_bytes(name) {
        // Writing into a Vec cannot fail.
        Some(_) => {
            let _ = serde_json::to_writer(&mut *out, &crate::name::json(name));
        }
        None => string(out, name),
    }
}

/// A cell's value, as [`super::Writer`] writes it in JSON.
pub fn cell(out: &mut Vec<u8>, cell: &Cell) {
    match cell {
        Cell::Null => out.extend_from_slice(b"null"),
        Cell::Text(text) => string(out, text),
        Cell::Int(n) => uint(out, *n),
        // Writing into a Vec cannot fail, and a Value always serialises.
        Cell::Json(v) => {
            let _ = serde_json::to_writer(&mut *out, v);
        }
        Cell::Raw(text) => out.extend_from_slice(text.as_bytes()),
    }
}

/// One object as the writer frames it: in a JSON array after `,\n` (the
/// writer puts the array's `[` in place of the first object's `,`:
/// [`super::Writer::write_json_framed`]); in NDJSON followed by `\n`.
/// `object` writes the object itself.
pub fn framed(out: &mut Vec<u8>, array: bool, object: impl FnOnce(&mut Vec<u8>)) {
    if array {
        out.extend_from_slice(b",\n");
    }
    object(out);
    if !array {
        out.push(b'\n');
    }
}

/// `"key":` (after a `,` unless it is the first member).
pub fn key(out: &mut Vec<u8>, key: &str, first: bool) {
    if !first {
        out.push(b',');
    }
    string(out, key);
    out.push(b':');
}

/// Members `"key":cell`, keys in order, each after a `,` unless `first`.
pub fn members<'k>(
    out: &mut Vec<u8>,
    keys: impl Iterator<Item = &'k str>,
    cells: &[Cell],
    mut first: bool,
) {
    for (k, c) in keys.zip(cells) {
        key(out, k, first);
        cell(out, c);
        first = false;
    }
}

/// Above this many entries, an object's repeated keys are found by hashing.
const FEW_ENTRIES: usize = 16;

/// An object of text values by name (`null` for an absent value), written
/// as `serde_json`'s ordered map holds them: a name used twice keeps its
/// first place and its last value. The values are UTF-8.
pub fn object(out: &mut Vec<u8>, entries: &[(&str, Option<&[u8]>)]) {
    // For each entry: the index of the last entry of its name, or None
    // when an earlier entry already had its name.
    let last_of = |i: usize, name: &str| -> Option<usize> {
        if entries[..i].iter().any(|(n, _)| *n == name) {
            return None;
        }
        Some(entries.iter().rposition(|(n, _)| *n == name).unwrap_or(i))
    };
    out.push(b'{');
    let mut first = true;
    let mut write = |out: &mut Vec<u8>, name: &str, value: Option<&[u8]>| {
        key(out, name, first);
        first = false;
        match value {
            Some(v) => utf8_string(out, v),
            None => out.extend_from_slice(b"null"),
        }
    };
    if entries.len() <= FEW_ENTRIES {
        for (i, &(name, _)) in entries.iter().enumerate() {
            if let Some(last) = last_of(i, name) {
                write(out, name, entries[last].1);
            }
        }
    } else {
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        for (i, &(name, _)) in entries.iter().enumerate() {
            last.insert(name, i);
        }
        let mut done: HashSet<&str> = HashSet::with_capacity(entries.len());
        for &(name, _) in entries {
            if done.insert(name) {
                let at = last.get(name).copied().unwrap_or(0);
                write(out, name, entries[at].1);
            }
        }
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    fn theirs(text: &str) -> String {
        serde_json::to_string(text).unwrap()
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        let mut n = 1u64;
        let mut all = vec![0, u64::MAX];
        while let Some(next) = n.checked_mul(10) {
            all.extend([n - 1, n, n + 1, n * 3 + 7]);
            n = next;
        }
        for n in all {
            let mut out = b"x".to_vec();
            uint(&mut out, n);
            assert_eq!(out, format!("x{n}").into_bytes());
        }
    }

    /// Every byte, at every place of lines of every length around the
    /// blocks' size: plain exactly when serde_json writes the bytes as
    /// they are, and they are ASCII.
    #[test]
    fn plain_ascii_is_what_needs_no_escape() {
        for len in [1, 2, 31, 63, 64, 65, 100, 127, 128, 129, 200] {
            let line = vec![b'a'; len];
            assert!(plain_ascii(&line));
            for at in [0, len / 2, len - 1] {
                for b in 0u8..=0xff {
                    let mut line = line.clone();
                    line[at] = b;
                    let as_is = b.is_ascii() && theirs(&(b as char).to_string()).len() == 3;
                    assert_eq!(plain_ascii(&line), as_is, "byte {b:#04x} at {at} of {len}");
                }
            }
        }
        assert!(plain_ascii(b""));
    }

    #[test]
    fn every_ascii_byte_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..=0x7f {
            let text = (b as char).to_string();
            assert_eq!(ours(&text), theirs(&text), "byte {b:#04x}");
            // And at every place of an eight-byte word, among clean bytes.
            for at in 0..17 {
                let mut long = "a".repeat(17);
                long.replace_range(at..at + 1, &text);
                assert_eq!(ours(&long), theirs(&long), "byte {b:#04x} at {at}");
            }
        }
    }

    #[test]
    fn quotes_backslashes_controls_and_non_ascii() {
        for text in [
            "",
            "plain",
            "say \"hi\"",
            "C:\\inetpub\\logs",
            "tab\there\nnew\r\u{c}\u{8}",
            "\u{0}\u{1}\u{1f}\u{7f}/</script>",
            "é ü 日本 🦀 \u{2028}\u{2029}",
            "\u{fffd}\u{fffd}x",
            &String::from_utf8_lossy(b"bad \xff\xfe bytes \xc3"),
        ] {
            assert_eq!(ours(text), theirs(text), "{text:?}");
        }
    }

    #[test]
    fn lossy_strings_replace_bad_bytes_as_the_records_do() {
        let bytes = b"a\xe9b\"\xff\x00";
        let mut out = Vec::new();
        lossy_string(&mut out, bytes);
        assert_eq!(out, theirs(&String::from_utf8_lossy(bytes)).into_bytes());
    }

    /// Many strings made from a small generator of troublesome pieces.
    #[test]
    fn generated_strings_match_serde_json() {
        const PIECES: &[&str] = &[
            "a", "Z", "0", " ", "+", "\"", "\\", "/", "\n", "\t", "\r", "\u{0}", "\u{1b}",
            "\u{1f}", "\u{7f}", "é", "€", "𝄞", "\u{fffd}", "\u{80}", "abcdefgh", "%2F",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            assert_eq!(ours(&text), theirs(&text), "{text:?}");
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut out = Vec::new();
            lossy_string(&mut out, &bytes);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                theirs(&String::from_utf8_lossy(&bytes)),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn numbers_are_decimal() {
        for n in (0..2000).chain([12345, 99_999, 100_000, u64::MAX / 7, u64::MAX - 1, u64::MAX]) {
            let mut out = Vec::new();
            uint(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    fn serde_object(entries: &[(&str, Option<&[u8]>)]) -> String {
        let map: serde_json::Map<String, serde_json::Value> = entries
            .iter()
            .map(|(k, v)| {
                let v = v.map_or(serde_json::Value::Null, |v| {
                    serde_json::Value::String(String::from_utf8(v.to_vec()).unwrap())
                });
                (k.to_string(), v)
            })
            .collect();
        serde_json::to_string(&map).unwrap()
    }

    #[test]
    fn objects_keep_a_repeated_key_in_its_first_place_with_its_last_value() {
        let names: Vec<String> = (0..40).map(|i| format!("x-{}", i % 7)).collect();
        for len in [0, 1, 3, FEW_ENTRIES, FEW_ENTRIES + 1, 40] {
            let entries: Vec<(&str, Option<&[u8]>)> = names[..len]
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let v: Option<&[u8]> = (i % 3 != 0).then_some(n.as_bytes());
                    (n.as_str(), v)
                })
                .collect();
            let mut out = Vec::new();
            object(&mut out, &entries);
            assert_eq!(String::from_utf8(out).unwrap(), serde_object(&entries));
        }
        let quoted: &[(&str, Option<&[u8]>)] = &[("a\"b", Some(b"\\\x01")), ("z", None)];
        let mut out = Vec::new();
        object(&mut out, quoted);
        assert_eq!(String::from_utf8(out).unwrap(), serde_object(quoted));
    }

    #[test]
    fn cells_are_written_as_the_writer_writes_them() {
        let cells = [
            Cell::Null,
            Cell::Text("a\"b".into()),
            Cell::Int(7),
            Cell::Json(serde_json::json!({"k": [1, "é"]})),
            Cell::Raw("{\"x\":1}".into()),
        ];
        let mut out = Vec::new();
        out.push(b'{');
        members(
            &mut out,
            ["a", "b", "c", "d", "e"].into_iter(),
            &cells,
            true,
        );
        out.push(b'}');
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":null,"b":"a\"b","c":7,"d":{"k":[1,"é"]},"e":{"x":1}}"#
        );
    }
}
