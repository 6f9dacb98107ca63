//! The SIMD line splitter: finds a line's end and, in the same pass, the
//! spans between its single spaces, 32 bytes at a time with AVX2, 16 with
//! SSE2, byte by byte elsewhere. All of the engine's `unsafe` SIMD code is
//! here, beside the randomized test that holds it to a plain byte loop.

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
/// offset, the bit masks of spaces, quotes and line ends. Returns the line's
/// end if a block holds it; `base` is left at the first unscanned byte.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn scan_blocks<const W: usize>(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
    masks: impl Fn(*const u8) -> (u32, u32, u32),
) -> Option<usize> {
    while *base + W <= data.len() {
        // The pointer is in bounds: `base + W <= data.len()`.
        let (mut spaces, mut quote, newline) = masks(data[*base..].as_ptr());
        let mut end = None;
        if newline != 0 {
            let before = (1u32 << newline.trailing_zeros()).wrapping_sub(1);
            spaces &= before;
            quote &= before;
            end = Some(*base + newline.trailing_zeros() as usize);
        }
        st.quotes |= quote != 0;
        while spaces != 0 {
            st.space(*base + spaces.trailing_zeros() as usize, out);
            spaces &= spaces - 1;
        }
        if end.is_some() {
            return end;
        }
        *base += W;
    }
    None
}

#[cfg(target_arch = "x86_64")]
fn blocks_sse2(
    data: &[u8],
    base: &mut usize,
    st: &mut SplitState,
    out: &mut Vec<Span>,
) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    scan_blocks::<16>(data, base, st, out, |p| {
        // SAFETY: SSE2 is in the x86-64 baseline; `p` has 16 readable bytes.
        unsafe {
            let v = _mm_loadu_si128(p.cast::<__m128i>());
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) as u32,
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8))) as u32,
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u32,
            )
        }
    })
}

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
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    scan_blocks::<32>(data, base, st, out, |p| {
        // SAFETY: AVX2 is enabled for this function; `p` has 32 readable bytes.
        unsafe {
            let v = _mm256_loadu_si256(p.cast::<__m256i>());
            (
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8))) as u32,
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8))) as u32,
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8))) as u32,
            )
        }
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
        // Lines of every length around the 16- and 32-byte blocks, with
        // spaces, quotes, CR and the line end at every position.
        let mut next = crate::w3c::xorshift(0x2545_f491_4f6c_dd1d);
        let mut spans = Vec::new();
        for _ in 0..5000 {
            let len = (next() % 100) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| match next() % 12 {
                    0 | 1 => b' ',
                    2 if next().is_multiple_of(8) => b'"',
                    3 if next().is_multiple_of(8) => b'\n',
                    4 if next().is_multiple_of(8) => b'\r',
                    _ => b'a',
                })
                .collect();
            let scan = scan_line(&data, &mut spans);
            let end = data.iter().position(|&b| b == b'\n');
            let mut want_len = end.unwrap_or(data.len());
            assert_eq!(scan.next, end.map_or(data.len(), |e| e + 1));
            if want_len > 0
                && data[want_len - 1] == b'\r'
                && data[..want_len - 1].last() != Some(&b' ')
            {
                want_len -= 1;
            }
            let line = &data[..scan.len];
            if scan.simple {
                assert_eq!(scan.len, want_len, "{data:?}");
                let values: Vec<&[u8]> = spans
                    .iter()
                    .map(|s| &line[s.start as usize..s.end as usize])
                    .collect();
                let want: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
                assert_eq!(values, want, "{data:?}");
                assert!(!line.contains(&b'"'));
            }
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
