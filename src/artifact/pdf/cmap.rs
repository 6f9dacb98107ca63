//! ToUnicode CMaps: code space ranges, `bfchar` and `bfrange` entries read
//! into code intervals (a range over every code costs one entry), and the
//! lookup of a code's text and length. Reading is bounded by the entries,
//! the operators and the destination lengths, never by what the CMap
//! declares.

use std::collections::BTreeMap;
use std::rc::Rc;

use lopdf::Object;
use lopdf::content::Content;

/// The most entries (`bfchar` pairs, `bfrange` triples, array items) read
/// from one ToUnicode CMap.
pub(super) const MAX_CMAP_ENTRIES: usize = 1 << 18;
/// The longest destination string a CMap entry may have (PDF 32000-1,
/// 9.10.3: 512 bytes); longer ones are cut.
const MAX_CMAP_TEXT: usize = 512;
/// The most operators read from one ToUnicode CMap.
const MAX_CMAP_OPERATORS: usize = 100_000;

/// Code intervals, each mapped to one value. A later interval overwrites the
/// part of earlier ones it covers (a later CMap or `/W` entry wins), so what
/// is stored, and the work of storing it, follow the number of entries, never
/// the number of codes a range covers.
#[derive(Debug)]
pub(super) struct Spans<T> {
    /// First code → (last code, value); the intervals never overlap.
    pub(super) map: BTreeMap<u64, (u64, T)>,
}

impl<T> Default for Spans<T> {
    fn default() -> Self {
        Spans {
            map: BTreeMap::new(),
        }
    }
}

impl<T: Clone> Spans<T> {
    pub(super) fn insert(&mut self, lo: u64, hi: u64, value: T) {
        if hi < lo {
            return;
        }
        // An interval that starts before `lo` and reaches into it keeps its
        // head, and its tail past `hi`.
        if let Some((&start, (end, old))) = self.map.range(..lo).next_back()
            && *end >= lo
        {
            let (end, old) = (*end, old.clone());
            if end > hi {
                self.map.insert(hi + 1, (end, old.clone()));
            }
            self.map.insert(start, (lo - 1, old));
        }
        // Intervals that start inside are replaced; one reaching past `hi`
        // keeps its tail.
        let inside: Vec<u64> = self.map.range(lo..=hi).map(|(&k, _)| k).collect();
        for start in inside {
            if let Some((end, old)) = self.map.remove(&start)
                && end > hi
            {
                self.map.insert(hi + 1, (end, old));
            }
        }
        self.map.insert(lo, (hi, value));
    }

    pub(super) fn get(&self, code: u64) -> Option<&T> {
        let (_, (end, value)) = self.map.range(..=code).next_back()?;
        (code <= *end).then_some(value)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// What a CMap maps a code (or a run of codes) to.
#[derive(Clone, Debug)]
pub(super) enum Unicode {
    /// One code's text (`bfchar`, or an item of a `bfrange` array).
    Text(Rc<str>),
    /// A `bfrange` with a string: code `from` has these UTF-16 units, and
    /// each next code adds one to the last unit.
    Counting { from: u32, units: Rc<[u16]> },
}

/// A ToUnicode CMap: code space ranges and code → text.
#[derive(Debug, Default)]
pub(super) struct ToUnicode {
    /// Per code length (1 to 4 bytes): `(low, high)` code space ranges,
    /// sorted and merged.
    spaces: [Vec<(u32, u32)>; 4],
    /// Keyed by the code's length in bytes (high bits) and the code.
    pub(super) map: Spans<Unicode>,
    /// Entries past [`MAX_CMAP_ENTRIES`] were not read.
    pub(super) cut: bool,
    /// Every operator of the CMap was read (no syntax error, no limit).
    pub(super) complete: bool,
    /// The codes its `bfchar` and `bfrange` entries name, counted as
    /// written (overlaps, and array ranges longer than their arrays, too).
    pub(super) named: u64,
}

/// The key of a code of `len` bytes in [`ToUnicode::map`].
fn code_key(len: usize, code: u32) -> u64 {
    (len as u64) << 32 | u64::from(code)
}

impl ToUnicode {
    /// Reads `begincodespacerange`, `beginbfchar` and `beginbfrange`
    /// sections (the CMap is tokenised as a content stream: each section's
    /// strings are the operands of its `end…` operator).
    pub(super) fn parse(bytes: &[u8]) -> ToUnicode {
        let mut cmap = ToUnicode::default();
        let mut spaces: Vec<(usize, u32, u32)> = Vec::new();
        let mut entries = 0usize;
        let mut operators = Content::decode_iter(bytes);
        cmap.complete = true;
        'operators: for read in 0.. {
            let Some(op) = operators.next() else { break };
            let Ok(op) = op else {
                cmap.complete = false;
                break;
            };
            if read == MAX_CMAP_OPERATORS {
                cmap.complete = false;
                break;
            }
            let strings = &op.operands;
            match op.operator.as_str() {
                "endcodespacerange" => {
                    for pair in strings.chunks_exact(2) {
                        if let (Ok(lo), Ok(hi)) = (pair[0].as_str(), pair[1].as_str())
                            && (1..=4).contains(&lo.len())
                        {
                            spaces.push((lo.len(), number(lo), number(hi)));
                        }
                    }
                }
                "endbfchar" => {
                    for pair in strings.chunks_exact(2) {
                        entries += 1;
                        if entries > MAX_CMAP_ENTRIES {
                            cmap.cut = true;
                            break 'operators;
                        }
                        cmap.named = cmap.named.saturating_add(1);
                        if let (Ok(src), Ok(dst)) = (pair[0].as_str(), pair[1].as_str())
                            && (1..=4).contains(&src.len())
                        {
                            let code = code_key(src.len(), number(src));
                            cmap.map
                                .insert(code, code, Unicode::Text(utf16(dst).into()));
                        }
                    }
                }
                "endbfrange" => {
                    for triple in strings.chunks_exact(3) {
                        entries += 1;
                        if entries > MAX_CMAP_ENTRIES {
                            cmap.cut = true;
                            break 'operators;
                        }
                        let (Ok(lo), Ok(hi)) = (triple[0].as_str(), triple[1].as_str()) else {
                            continue;
                        };
                        let (len, lo, hi) = (lo.len(), number(lo), number(hi));
                        cmap.named = cmap
                            .named
                            .saturating_add(u64::from(hi.saturating_sub(lo)) + 1);
                        if hi < lo || !(1..=4).contains(&len) {
                            continue;
                        }
                        match &triple[2] {
                            Object::String(dst, _) => {
                                let units = units(&dst[..dst.len().min(MAX_CMAP_TEXT)]).into();
                                cmap.map.insert(
                                    code_key(len, lo),
                                    code_key(len, hi),
                                    Unicode::Counting { from: lo, units },
                                );
                            }
                            Object::Array(list) => {
                                for (code, dst) in (lo..=hi).zip(list) {
                                    entries += 1;
                                    if entries > MAX_CMAP_ENTRIES {
                                        cmap.cut = true;
                                        break 'operators;
                                    }
                                    if let Ok(dst) = dst.as_str() {
                                        let code = code_key(len, code);
                                        cmap.map.insert(
                                            code,
                                            code,
                                            Unicode::Text(utf16(dst).into()),
                                        );
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        cmap.complete &= !cmap.cut;
        spaces.retain(|&(_, lo, hi)| lo <= hi);
        spaces.sort_unstable();
        for (len, lo, hi) in spaces {
            let merged = &mut cmap.spaces[len - 1];
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        cmap
    }

    /// Appends the text of `code` (`len` bytes) to `text`; false when the
    /// CMap does not map it.
    pub(super) fn write(&self, len: usize, code: u32, text: &mut String) -> bool {
        match self.map.get(code_key(len, code)) {
            Some(Unicode::Text(s)) => text.push_str(s),
            Some(Unicode::Counting { from, units }) => {
                let step = code.wrapping_sub(*from) as u16;
                let last = units.len().saturating_sub(1);
                let units = units
                    .iter()
                    .enumerate()
                    .map(|(i, &u)| if i == last { u.wrapping_add(step) } else { u });
                text.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{fffd}')));
            }
            None => return false,
        }
        true
    }

    /// The length of the code at the start of `bytes`, from the code space
    /// ranges (shortest match first).
    pub(super) fn code_length(&self, bytes: &[u8]) -> Option<usize> {
        (1..=4).find(|&len| {
            let ranges = &self.spaces[len - 1];
            bytes.len() >= len && {
                let code = number(&bytes[..len]);
                let at = ranges.partition_point(|&(_, hi)| hi < code);
                ranges.get(at).is_some_and(|&(lo, _)| lo <= code)
            }
        })
    }
}

/// Big-endian bytes as a number.
pub(super) fn number(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |a, &b| a << 8 | u32::from(b))
}

/// UTF-16BE bytes as units (an odd last byte is a unit of its own).
fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| c.iter().fold(0u16, |a, &b| a << 8 | u16::from(b)))
        .collect()
}

/// A CMap destination string as text (at most [`MAX_CMAP_TEXT`] bytes).
fn utf16(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&units(&bytes[..bytes.len().min(MAX_CMAP_TEXT)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CMap of these sections.
    fn cmap(sections: &str) -> ToUnicode {
        ToUnicode::parse(sections.as_bytes())
    }

    fn mapped(cmap: &ToUnicode, len: usize, code: u32) -> Option<String> {
        let mut text = String::new();
        cmap.write(len, code, &mut text).then_some(text)
    }

    #[test]
    fn a_cmap_of_overlapping_full_ranges_is_read_in_time_linear_in_its_size() {
        // 16,000 ranges over every two-byte code were expanded code by code
        // (a string per code, even past the entry cap): 80 s for 1.7 KB of
        // Flate. Ranges are kept as ranges now: this is one interval.
        let mut text = String::from("1 begincodespacerange <0000> <FFFF> endcodespacerange\n");
        for _ in 0..16 {
            text.push_str("1000 beginbfrange\n");
            text.push_str(&"<0000> <FFFF> <0041>\n".repeat(1000));
            text.push_str("endbfrange\n");
        }
        let map = cmap(&text);
        assert_eq!(
            map.map.map.len(),
            1,
            "one interval, however often it is given"
        );
        assert_eq!(mapped(&map, 2, 0).as_deref(), Some("A"));
        assert_eq!(mapped(&map, 2, 1).as_deref(), Some("B"));
        assert_eq!(mapped(&map, 2, 0xFFFF).as_deref(), Some("\u{40}"));
        assert_eq!(map.code_length(b"\x00\x41"), Some(2));
    }

    #[test]
    fn cmap_ranges_of_four_byte_codes_cost_one_entry() {
        let map = cmap(
            "1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange \
             1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange",
        );
        assert_eq!(map.map.map.len(), 1);
        assert_eq!(map.named, 1 << 32);
        assert_eq!(mapped(&map, 4, 0xFFFF_FFFF).as_deref(), Some("\u{40}"));
        assert_eq!(
            mapped(&map, 2, 0).as_deref(),
            None,
            "a two-byte code is another code"
        );
    }

    #[test]
    fn later_cmap_entries_win_over_the_part_of_earlier_ones_they_cover() {
        let map = cmap(
            "1 beginbfrange <10> <1F> <0061> endbfrange \
             1 beginbfchar <14> <0058> endbfchar \
             1 beginbfrange <18> <19> [<0059> <005A>] endbfrange \
             1 beginbfrange <1E> <22> <0030> endbfrange",
        );
        let read: String = (0x10..=0x22)
            .map(|c| mapped(&map, 1, c).unwrap_or_else(|| "-".into()))
            .collect();
        // 10-13 a-d, 14 X, 15-17 f-h, 18-19 YZ, 1A-1D k-n, 1E-22 0-4.
        assert_eq!(read, "abcdXfghYZklmn01234");
        assert_eq!(mapped(&map, 1, 0x23), None);
    }

    #[test]
    fn cmap_entries_past_the_limit_and_long_destinations_are_cut() {
        let mut text = String::from("beginbfchar\n");
        for code in 0..=MAX_CMAP_ENTRIES as u32 {
            text.push_str(&format!("<{code:06X}> <0041>\n"));
        }
        text.push_str("endbfchar");
        let map = cmap(&text);
        assert!(map.cut && !map.complete);
        assert_eq!(map.map.map.len(), MAX_CMAP_ENTRIES);
        let long = format!("beginbfchar <01> <{}> endbfchar", "0041".repeat(1000));
        assert_eq!(
            mapped(&cmap(&long), 1, 1).map(|t| t.len()),
            Some(MAX_CMAP_TEXT / 2)
        );
    }

    #[test]
    fn code_space_ranges_are_merged_and_searched() {
        let mut text = String::from("beginbfchar <0102> <0041> endbfchar begincodespacerange\n");
        for lo in (0..0xFF00u32).step_by(0x100) {
            text.push_str(&format!("<{lo:04X}> <{:04X}>\n", lo + 0xFF));
        }
        text.push_str("<00> <0F> endcodespacerange");
        let map = cmap(&text);
        assert_eq!(map.spaces[1], [(0, 0xFEFF)]);
        assert_eq!(map.code_length(b"\x01\x02"), Some(1), "shortest first");
        assert_eq!(map.code_length(b"\x41\x02"), Some(2));
        assert_eq!(map.code_length(b"\xFF\x02"), None);
    }
}
