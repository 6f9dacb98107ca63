//! The SIMD line splitter: finds a line's end and, in the same pass, the
//! spans between its single spaces, 64 bytes at a time with AVX2, 16 with
//! SSE2, byte by byte elsewhere; with AVX2, a chunk's lines a group at a
//! time ([`SplitLines`]). All of the engine's `unsafe` SIMD code is here,
//! beside the randomized tests that hold it to a plain byte loop and the
//! grouped split to the line-by-line one.

use memchr::memchr;

use super::fields::MAX_FIELDS;
use super::row::MAX_LINE;
use super::tokenize::Span;
/// The end of the line at the start of some data, found in the same pass as
/// the line's single-space split (the hot path: most rows are simple).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineScan {
    /// Length of the line's content (without `\n` and a final `\r`).
    pub len: usize,
    /// Where the next line starts.
    pub next: usize,
    /// The spans are the row's values: no quote, no empty value, not blank,
    /// and all of them kept (not `capped`, not longer than [`MAX_LINE`]).
    /// Otherwise the line must go through [`tokenize`](super::tokenize::tokenize).
    pub simple: bool,
}

/// Scans one line from the start of `data`: finds its end and, on the way,
/// the spans between single spaces.
pub fn scan_line(data: &[u8], out: &mut Vec<Span>) -> LineScan {
    let (end, mut st) = split_line(data, out);
    let (mut len, next) = match end {
        Some(e) => (e, e + 1),
        None => (data.len(), data.len()),
    };
    if len > st.start && data[len - 1] == b'\r' {
        len -= 1;
    }
    st.irregular |= st.start >= len;
    out.push(Span::plain(st.start, len.max(st.start)));
    LineScan {
        len,
        next,
        simple: !st.quotes && !st.irregular,
    }
}

/// The lines of a chunk split ahead, a group at a time: with AVX2, 64-byte
/// blocks are read once for all the lines they hold, and the spaces, quotes
/// and line ends of a block are taken in one loop, so a line costs no call
/// into the block loop and the end of a line is not read again as the
/// start of the next. Each line is what [`scan_line`] of its start gives.
#[derive(Default)]
pub struct SplitLines {
    lines: Vec<SplitLine>,
    spans: Vec<Span>,
}

/// One line of a [`SplitLines`] group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitLine {
    /// Where the line starts in the data.
    pub start: usize,
    /// What [`scan_line`] of the data from `start` gives.
    pub scan: LineScan,
    /// Its spans in [`SplitLines::spans`].
    spans: (u32, u32),
}

/// Lines split at a time by [`SplitLines::split`]: their data and spans
/// stay in the first-level cache until they are read, also when each row's
/// selection does much work of its own (64 at a time left `logs --count` no
/// faster and made `sessions`, whose selection interns three values per
/// row, 3-5% slower).
const GROUP: usize = 16;

/// Spans written past a part's last space (see [`SplitLines::split_avx2`]).
const SPARE: usize = 3;

/// How far ahead of the block being split its data is fetched.
const PREFETCH: usize = 2048;

/// The longest line split in a group; a longer one is left to
/// [`scan_line`] (its window and its cap on spans).
const GROUPED_LINE: usize = 2 << 10;

impl SplitLines {
    /// Splits the lines from `pos` (a line start) on: up to [`GROUP`], all
    /// whole, within [`GROUPED_LINE`] bytes, and ending within the 64-byte
    /// blocks that fit in `data` ([`SplitLines::lines`]). None when the
    /// line at `pos` is not one:
    /// it is [`scan_line`]'s.
    pub fn split(&mut self, data: &[u8], pos: usize) {
        self.lines.clear();
        self.spans.clear();
        #[cfg(target_arch = "x86_64")]
        if has_avx2_bmi() {
            // SAFETY: the CPU has AVX2, BMI1, BMI2, POPCNT and LZCNT
            // (checked at run time).
            unsafe { self.split_avx2(data, pos) };
        }
    }

    /// Splits the line at `pos` alone, as [`scan_line`] does: a line no
    /// group takes ([`SplitLines::split`]).
    pub fn split_alone(&mut self, data: &[u8], pos: usize) {
        self.lines.clear();
        let scan = scan_line(&data[pos..], &mut self.spans);
        self.lines.push(SplitLine {
            start: pos,
            scan,
            spans: (0, self.spans.len() as u32),
        });
    }

    /// The lines of the group split last.
    #[inline]
    pub fn lines(&self) -> &[SplitLine] {
        &self.lines
    }

    /// The spans of a line of the group.
    #[inline]
    pub fn spans(&self, line: &SplitLine) -> &[Span] {
        &self.spans[line.spans.0 as usize..line.spans.1 as usize]
    }

    /// # Safety
    /// The CPU must support AVX2, BMI1, BMI2, POPCNT and LZCNT.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,popcnt,lzcnt")]
    unsafe fn split_avx2(&mut self, data: &[u8], pos: usize) {
        use std::arch::x86_64::{
            __m256i, _MM_HINT_T0, _mm_prefetch, _mm256_cmpeq_epi8, _mm256_loadu_si256,
            _mm256_movemask_epi8, _mm256_set1_epi8,
        };
        let load = |at: usize| {
            // SAFETY: callers check `at + 64 <= data.len()`.
            let (a, b) = unsafe {
                let p = data.as_ptr().add(at);
                (
                    _mm256_loadu_si256(p.cast::<__m256i>()),
                    _mm256_loadu_si256(p.add(32).cast::<__m256i>()),
                )
            };
            let bits = |c: u8| {
                let c = _mm256_set1_epi8(c as i8);
                let lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(a, c)) as u32;
                let hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(b, c)) as u32;
                u64::from(lo) | u64::from(hi) << 32
            };
            (bits(b' '), bits(b'"'), bits(b'\n'))
        };
        let mut at = pos;
        if at + 64 > data.len() {
            return;
        }
        // Written through raw pointers into room reserved ahead, with the
        // counts in locals: the loop keeps its state in registers.
        self.lines.reserve(GROUP);
        let lines = self.lines.as_mut_ptr();
        let mut count = 0;
        let spans = &mut self.spans;
        // Spans are written at `len`, with room for a block's up to `room`.
        let mut len = 0;
        let mut room = 0;
        // The line in progress: where it starts in `data`, where its value
        // in progress starts (in the line), its first span, and the bytes
        // that make it not simple (a quote, an empty value).
        let (mut line, mut start, mut first) = (pos, 0usize, 0usize);
        let mut odd = 0u64;
        // Whether the byte before the block ends a value (a space or a line
        // end; the group starts at a line start).
        let mut after_end = 1;
        loop {
            // Fetched ahead into the cache (the hardware's own prefetch
            // stops at page ends); a prefetch past the data is dropped.
            _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().wrapping_add(at + PREFETCH).cast::<i8>());
            let (mut spaces, quote, mut newline) = load(at);
            // The bytes that keep a line from being simple: a quote, a
            // space right after another or first on a line (an empty value).
            let ends = spaces | newline;
            let mut odd_bytes = spaces & (ends << 1 | after_end) | quote;
            after_end = ends >> 63;
            if len + 64 + SPARE > room {
                // SAFETY: the spans up to `len` were initialised below.
                unsafe { spans.set_len(len) };
                spans.reserve(64 + SPARE);
                room = spans.capacity();
            }
            let out = spans.as_mut_ptr();
            // The block's offset in the line (modulo 2^64: the block may
            // start before the line; every offset written is in it).
            let mut base = at.wrapping_sub(line);
            loop {
                // The part of the block up to the next line end, or all
                // of it.
                let part = if newline != 0 {
                    (newline & newline.wrapping_neg()) - 1
                } else {
                    !0
                };
                let mut space = spaces & part;
                odd |= odd_bytes & part;
                if space != 0 {
                    // Four spans at a time without a branch per space (a
                    // loop ending at a varying count is mispredicted once
                    // per part): the spans written past the last space are
                    // past `len`, overwritten or left out.
                    let count = space.count_ones() as usize;
                    let last = base.wrapping_add(63 - space.leading_zeros() as usize);
                    let mut at_span = len;
                    loop {
                        for _ in 0..4 {
                            let end = base.wrapping_add(space.trailing_zeros() as usize);
                            // SAFETY: there is room for a block's spans and
                            // `SPARE` more after `len` (reserved above): a
                            // block has at most 64 spaces and line ends, each
                            // writing one span, and fewer than 4 are written
                            // past the last space.
                            unsafe { out.add(at_span).write(Span::plain(start, end)) };
                            at_span += 1;
                            start = end.wrapping_add(1);
                            space &= space.wrapping_sub(1);
                        }
                        if space == 0 {
                            break;
                        }
                    }
                    len += count;
                    start = last + 1;
                }
                if newline == 0 {
                    break;
                }
                let end = base.wrapping_add(newline.trailing_zeros() as usize);
                let mut content = end;
                if content > start && data[line + content - 1] == b'\r' {
                    content -= 1;
                }
                // SAFETY: as above.
                unsafe { out.add(len).write(Span::plain(start, content.max(start))) };
                len += 1;
                let done = SplitLine {
                    start: line,
                    scan: LineScan {
                        len: content,
                        next: end + 1,
                        simple: odd == 0 && start < content,
                    },
                    spans: (first as u32, len as u32),
                };
                // SAFETY: `lines` has room for `GROUP` lines (reserved
                // above), and no more are written.
                unsafe { lines.add(count).write(done) };
                count += 1;
                (line, start, first, odd) = (line + end + 1, 0, len, 0);
                base = base.wrapping_sub(end + 1);
                // The rest of the block is the next line's.
                let rest = !(newline ^ (newline - 1));
                spaces &= rest;
                odd_bytes &= rest;
                newline &= rest;
                if count == GROUP {
                    break;
                }
            }
            at += 64;
            if count == GROUP || at + 64 > data.len() || at + 64 - line > GROUPED_LINE {
                // SAFETY: the first `count` lines and `len` spans were
                // written above, within the capacity.
                unsafe {
                    self.lines.set_len(count);
                    spans.set_len(len);
                }
                return;
            }
        }
    }
}

/// Splits the line at the start of `data` at single spaces, up to its line
/// end (returned, if there is one), in one pass: 32 bytes at a time with
/// AVX2, 16 with SSE2 (every x86-64 CPU), byte by byte elsewhere. The last
/// value (after the last space) is left to the caller.
///
/// The line is split a window of [`WINDOW`] bytes at a time (rows fit in
/// one); past a window, a line with more than [`MAX_FIELDS`] spans is
/// `capped`: its later spans are not kept, so a line of a billion spaces
/// costs no more memory than a window's worth of spans. A line longer than
/// [`MAX_LINE`] is marked irregular (its offsets do not fit a [`Span`]).
pub(super) fn split_line(data: &[u8], out: &mut Vec<Span>) -> (Option<usize>, SplitState) {
    out.clear();
    let mut st = SplitState::default();
    let mut base = 0;
    let first = &data[..data.len().min(WINDOW)];
    let end = split_window(first, &mut base, &mut st, out);
    if end.is_some() || first.len() == data.len() {
        return (end, st);
    }
    let end = split_long_line(data, base, &mut st, out);
    (end, st)
}

/// [`split_line`] past the first window (rows are shorter). A line with
/// more than [`MAX_FIELDS`] spans is `capped`, one longer than [`MAX_LINE`]
/// irregular: neither is read from these spans.
#[cold]
#[inline(never)]
fn split_long_line(
    data: &[u8],
    mut base: usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    let end = loop {
        if out.len() > MAX_FIELDS {
            st.capped = true;
            break memchr(b'\n', &data[base..]).map(|i| base + i);
        }
        let window = &data[..data.len().min(base + WINDOW)];
        if let Some(end) = split_window(window, &mut base, st, out) {
            break Some(end);
        }
        if window.len() == data.len() {
            break None;
        }
    };
    st.irregular |= st.capped || end.unwrap_or(data.len()) > MAX_LINE;
    end
}

/// Bytes of a line split before the number of its spans is looked at.
const WINDOW: usize = 4 << 10;

/// [`split_line`] over one window, from `base`: returns the line's end if
/// the window holds it; otherwise `base` is left at the window's end.
#[inline(always)]
fn split_window(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2() {
            // SAFETY: the CPU has AVX2 (checked at run time).
            if let Some(end) = unsafe { blocks_avx2(data, base, st, out) } {
                return Some(end);
            }
        }
        if let Some(end) = blocks_sse2(data, base, st, out) {
            return Some(end);
        }
    }
    for (i, &b) in data[*base..].iter().enumerate() {
        match b {
            b'\n' => return Some(*base + i),
            b' ' => st.space(*base + i, out),
            b'"' => st.quotes = true,
            _ => {}
        }
    }
    *base = data.len();
    None
}

/// The single-space split of a line in progress.
#[derive(Default)]
pub(super) struct SplitState {
    pub(super) start: usize,
    pub(super) irregular: bool,
    pub(super) quotes: bool,
    /// More than [`MAX_FIELDS`] spans after a window: later ones were not
    /// kept (the spans are not the row's values).
    pub(super) capped: bool,
}

impl SplitState {
    #[inline(always)]
    fn space(&mut self, pos: usize, out: &mut Vec<Span>) {
        self.irregular |= pos == self.start;
        out.push(Span::plain(self.start, pos));
        self.start = pos + 1;
    }
}

/// The block loop of [`scan_line`]: `masks` gives, for the `W` bytes at an
/// offset, the bit masks of spaces and of quotes and line ends together;
/// `newlines` the line ends alone, read only for a block that holds a quote
/// or a line end. Returns the line's end if a block holds it; `base` is left
/// at the first unscanned byte.
///
/// The split state stays in locals for the whole loop, and the spans of a
/// block are written into room reserved once per block: a space costs a
/// handful of instructions, not a `Vec::push` and a round trip through
/// memory.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn scan_blocks<const W: usize>(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
    masks: impl Fn(*const u8) -> (u64, u64),
    newlines: impl Fn(*const u8) -> u64,
) -> Option<usize> {
    let (mut start, mut irregular, mut quotes) = (st.start, st.irregular, st.quotes);
    let mut pos = *base;
    let mut end = None;
    while pos + W <= data.len() {
        // The pointer is in bounds: `pos + W <= data.len()`.
        let p = data[pos..].as_ptr();
        let (mut spaces, special) = masks(p);
        if special != 0 {
            let newline = newlines(p);
            let mut quote = special & !newline;
            if newline != 0 {
                let before = (1u64 << newline.trailing_zeros()).wrapping_sub(1);
                spaces &= before;
                quote &= before;
                end = Some(pos + newline.trailing_zeros() as usize);
            }
            quotes |= quote != 0;
        }
        // A space right after another, or first on the line (where `start`
        // is), leaves an empty value: found for the whole block at once.
        let after_space = spaces << 1 | u64::from(start == pos);
        irregular |= spaces & after_space != 0;
        out.reserve(W);
        let mut len = out.len();
        let room = out.spare_capacity_mut().as_mut_ptr();
        let mut written = 0;
        while spaces != 0 {
            let at = pos + spaces.trailing_zeros() as usize;
            // SAFETY: `room` has room for `W` spans (reserved above) and a
            // block has at most `W` spaces, so `written < W`.
            unsafe {
                room.add(written)
                    .write(std::mem::MaybeUninit::new(Span::plain(start, at)))
            };
            written += 1;
            start = at + 1;
            spaces &= spaces - 1;
        }
        len += written;
        // SAFETY: the `written` spans after the old length were initialised
        // above, within the capacity.
        unsafe { out.set_len(len) };
        if end.is_some() {
            break;
        }
        pos += W;
    }
    *base = pos;
    (st.start, st.irregular, st.quotes) = (start, irregular, quotes);
    end
}

#[cfg(target_arch = "x86_64")]
fn blocks_sse2(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let masks = |p: *const u8| {
        // SAFETY: SSE2 is in the x86-64 baseline; `p` has 16 readable bytes.
        unsafe {
            let v = _mm_loadu_si128(p.cast::<__m128i>());
            let spaces = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let special = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            );
            (
                u64::from(_mm_movemask_epi8(spaces) as u16),
                u64::from(_mm_movemask_epi8(special) as u16),
            )
        }
    };
    let newlines = |p: *const u8| {
        // SAFETY: as above.
        unsafe {
            let v = _mm_loadu_si128(p.cast::<__m128i>());
            u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u16)
        }
    };
    scan_blocks::<16>(data, base, st, out, masks, newlines)
}

/// 64 bytes a block (two AVX2 registers): half the block overhead of one
/// register, for rows of a few hundred bytes.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn blocks_avx2(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    // The closures inherit the function's AVX2 (plain `fn` items would
    // not), so the register intrinsics in them are safe to call.
    let bits = |a: __m256i, b: __m256i, c: u8| {
        let c = _mm256_set1_epi8(c as i8);
        let lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(a, c)) as u32;
        let hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(b, c)) as u32;
        u64::from(lo) | u64::from(hi) << 32
    };
    // SAFETY (both loads): `p` has 64 readable bytes.
    let load = |p: *const u8| unsafe {
        (
            _mm256_loadu_si256(p.cast::<__m256i>()),
            _mm256_loadu_si256(p.add(32).cast::<__m256i>()),
        )
    };
    let masks = |p: *const u8| {
        let (a, b) = load(p);
        let (q, n) = (_mm256_set1_epi8(b'"' as i8), _mm256_set1_epi8(b'\n' as i8));
        let lo = _mm256_or_si256(_mm256_cmpeq_epi8(a, q), _mm256_cmpeq_epi8(a, n));
        let hi = _mm256_or_si256(_mm256_cmpeq_epi8(b, q), _mm256_cmpeq_epi8(b, n));
        let special = u64::from(_mm256_movemask_epi8(lo) as u32)
            | u64::from(_mm256_movemask_epi8(hi) as u32) << 32;
        (bits(a, b, b' '), special)
    };
    let newlines = |p: *const u8| {
        let (a, b) = load(p);
        bits(a, b, b'\n')
    };
    scan_blocks::<64>(data, base, st, out, masks, newlines)
}

/// AVX2 and the bit instructions of its CPUs (`blsr`, `tzcnt`, `popcnt`,
/// `lzcnt`).
#[cfg(target_arch = "x86_64")]
fn has_avx2_bmi() -> bool {
    static BMI: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    has_avx2()
        && *BMI.get_or_init(|| {
            std::is_x86_feature_detected!("bmi1")
                && std::is_x86_feature_detected!("bmi2")
                && std::is_x86_feature_detected!("popcnt")
                && std::is_x86_feature_detected!("lzcnt")
        })
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX2.get_or_init(|| std::is_x86_feature_detected!("avx2"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::w3c::row::Problem;
    use crate::w3c::tokenize::tokenize;

    #[test]
    fn space_finder_matches_a_plain_search() {
        let line = b"a b  c d\xa0\x20e f g hh i j k l m n o p q r s t u vvvvvvvvvvvvvvvvv w ";
        let mut spans = Vec::new();
        let spaces = |line: &[u8], spans: &mut Vec<Span>| {
            let (_, st) = split_line(line, spans);
            (
                spans.iter().map(|s| s.end as usize).collect::<Vec<_>>(),
                st.quotes,
            )
        };
        let (got, quoted) = spaces(line, &mut spans);
        assert!(!quoted);
        assert!(spaces(b"0123456789abcdef\"", &mut spans).1);
        assert!(spaces(b"01234\"", &mut spans).1);
        let want: Vec<usize> = line
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b' ')
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn scan_line_finds_the_end_and_the_values() {
        let data = b"2017-01-19 17:16:30 GET /temp/acme/A.jsmith.zip - 443 -\r\nnext line";
        let mut spans = Vec::new();
        let scan = scan_line(data, &mut spans);
        assert_eq!(scan.len, 55);
        assert_eq!(scan.next, 57);
        assert!(scan.simple);
        let values: Vec<&[u8]> = spans
            .iter()
            .map(|s| &data[s.start as usize..s.end as usize])
            .collect();
        assert_eq!(values.len(), 7);
        assert_eq!(values[6], b"-");
        let mut tokenized = Vec::new();
        tokenize(&data[..scan.len], Some(7), &mut tokenized).unwrap();
        assert_eq!(tokenized, spans);
    }

    #[test]
    fn scan_line_agrees_with_a_plain_byte_loop() {
        // Lines of every length around the 16- and 64-byte blocks up to
        // rows' lengths, with spaces, quotes, CR and the line end anywhere,
        // runs of spaces across the blocks' edges: the spans, the end and
        // whether the line is simple (no quote, no empty value) as a byte
        // loop finds them.
        let mut next = crate::w3c::xorshift(0xd1b5_4a32_d192_ed03);
        let mut spans = Vec::new();
        for round in 0..20_000 {
            let len = (next() % 400) as usize;
            let space_odds = [3, 8, 40][round % 3];
            let mut data: Vec<u8> = (0..len)
                .map(|_| match next() % space_odds {
                    0 => b' ',
                    _ => match next() % 200 {
                        0 => b'"',
                        1 => b'\n',
                        2 => b'\r',
                        3 => 0xff,
                        _ => b'a',
                    },
                })
                .collect();
            // Spaces on both sides of a block's edge.
            if len > 70 && round % 5 == 0 {
                data[63] = b' ';
                data[64] = b' ';
            }
            let scan = scan_line(&data, &mut spans);
            let end = data.iter().position(|&b| b == b'\n');
            assert_eq!(scan.next, end.map_or(data.len(), |e| e + 1));
            let mut line = &data[..end.unwrap_or(data.len())];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            assert_eq!(scan.len, line.len(), "{data:?}");
            let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
            let simple = !line.contains(&b'"') && parts.iter().all(|p| !p.is_empty());
            assert_eq!(scan.simple, simple, "{data:?}");
            if simple {
                let values: Vec<&[u8]> = spans
                    .iter()
                    .map(|s| &line[s.start as usize..s.end as usize])
                    .collect();
                assert_eq!(values, parts, "{data:?}");
            }
        }
    }

    #[test]
    fn grouped_lines_agree_with_scan_line() {
        // Chunks of random lines (spaces, runs of them, quotes, CR, NUL,
        // lines longer than a group takes, no line end at the chunk's end):
        // each line of a group is what `scan_line` of its start gives,
        // spans included, and every line is taken, in order.
        let mut next = crate::w3c::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut alone = Vec::new();
        let mut groups = SplitLines::default();
        let mut grouped = 0;
        for round in 0..300 {
            let mut data = Vec::new();
            for _ in 0..next() % 200 {
                let len = match next() % 50 {
                    0 => GROUPED_LINE - 70 + (next() % 140) as usize,
                    1 => WINDOW + (next() % 200) as usize,
                    _ => (next() % 400) as usize,
                };
                let space_odds = [3, 8, 40][round % 3];
                data.extend((0..len).map(|_| match next() % space_odds {
                    0 => b' ',
                    _ => match next() % 300 {
                        0 => b'"',
                        1 => b'\r',
                        2 => 0,
                        _ => b'a',
                    },
                }));
                data.push(b'\n');
            }
            if round % 4 == 0 {
                data.extend_from_slice(b"a b c no line end");
            }
            let mut pos = 0;
            while pos < data.len() {
                groups.split(&data, pos);
                if groups.lines().is_empty() {
                    groups.split_alone(&data, pos);
                } else {
                    grouped += groups.lines().len();
                }
                for line in groups.lines() {
                    assert_eq!(line.start, pos);
                    let scan = scan_line(&data[pos..], &mut alone);
                    assert_eq!(line.scan, scan, "{:?}", &data[pos..pos + scan.len]);
                    assert_eq!(groups.spans(line), &alone[..]);
                    pos += scan.next;
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx2_bmi() {
            assert!(grouped > 10_000, "{grouped}");
        }
    }

    #[test]
    fn scan_line_sends_unusual_lines_to_the_careful_path() {
        let mut spans = Vec::new();
        for line in [
            &b"a  b\n"[..],
            b"a \"b c\"\n",
            b" a b\n",
            b"a b \r\n",
            b"\n",
            b"\r\n",
        ] {
            assert!(
                !scan_line(line, &mut spans).simple,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let scan = scan_line(b"no newline at all, longer than sixteen bytes", &mut spans);
        assert_eq!((scan.len, scan.next, scan.simple), (44, 44, true));
    }

    #[test]
    fn a_line_of_spaces_does_not_grow_the_spans_past_the_limit() {
        // Once a span per space: 12 bytes of memory per byte of such a line.
        let mut line = b"a".to_vec();
        line.extend(std::iter::repeat_n(b' ', 1 << 20));
        line.extend_from_slice(b"b\nnext");
        let mut spans = Vec::new();
        let scan = scan_line(&line, &mut spans);
        assert!(!scan.simple);
        assert_eq!(scan.len, line.len() - 5);
        assert_eq!(scan.next, line.len() - 4);
        assert!(
            spans.capacity() <= 2 * (WINDOW + MAX_FIELDS),
            "{}",
            spans.capacity()
        );
        // Runs of spaces separate values: the row is two values.
        let row = &line[..scan.len];
        tokenize(row, Some(2), &mut spans).unwrap();
        assert_eq!(spans.len(), 2);
        assert!(
            spans.capacity() <= 2 * (WINDOW + MAX_FIELDS),
            "{}",
            spans.capacity()
        );
        // Values past the limit are refused, quoted or not, with or without a line end.
        let many = "x ".repeat(MAX_FIELDS + 1);
        assert_eq!(
            tokenize(many.trim_end().as_bytes(), None, &mut spans),
            Err(Problem::TooManyValues)
        );
        let quoted = format!("\"a b\" {many}");
        assert_eq!(
            tokenize(quoted.as_bytes(), None, &mut spans),
            Err(Problem::TooManyValues)
        );
        let scan = scan_line(many.as_bytes(), &mut spans);
        assert_eq!(
            (scan.len, scan.next, scan.simple),
            (many.len(), many.len(), false)
        );
        // Exactly the limit still fits.
        let fits = vec!["x"; MAX_FIELDS].join(" ");
        let scan = scan_line(fits.as_bytes(), &mut spans);
        assert!(scan.simple);
        assert_eq!(spans.len(), MAX_FIELDS);
    }
}
