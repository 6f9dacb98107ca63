//! The stream batching thread, for input that is not mapped (standard
//! input, gzip, files read without a map): reads ahead in batches that end
//! at a line end, so parsing one batch overlaps reading the next.
//!
//! Memory is bounded whatever the stream holds: a line is never held past
//! [`MAX_LINE`] bytes. NUL padding at the start of a line (IIS preallocates
//! log files with NULs) is counted and dropped as it arrives, however long;
//! any other line longer than the limit is counted, skipped to its line end
//! without being held, and reported as one `LongLine`.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};

use memchr::memrchr;

use super::row::MAX_LINE;

/// Bytes read ahead from a stream at a time (stdin, gzip): keeps memory small.
const STREAM_BATCH: usize = 16 << 20;
/// Bytes read at a time while a line over the limit is skipped.
const SKIP_BLOCK: usize = 64 << 10;

/// A line longer than [`MAX_LINE`] (NUL padding at its start not counted),
/// skipped without being held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LongLine {
    /// Its length, without its line end.
    pub bytes: u64,
    /// The stream ended before its line end.
    pub unterminated: bool,
}

/// What the reader hands over: whole lines, then the NUL padding dropped
/// from the start of lines that were not yet whole, then at most one line
/// over the limit (it follows `data`).
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub data: Vec<u8>,
    pub dropped_nuls: u64,
    pub long: Option<LongLine>,
    pub eof: bool,
}

/// Reads a stream on its own thread, in batches that end at a line end, so
/// parsing one batch overlaps reading the next. Memory stays at a few batches.
pub(super) fn spawn_reader(stream: Box<dyn Read + Send>) -> Receiver<io::Result<Batch>> {
    let (tx, rx) = sync_channel(1);
    std::thread::spawn(move || {
        read_batches(stream, STREAM_BATCH, MAX_LINE, &mut |b| tx.send(b).is_ok());
    });
    rx
}

/// The reader's loop, with its sizes as parameters (for the tests). `send`
/// returns false when the receiver is gone.
fn read_batches(
    mut stream: impl Read,
    batch: usize,
    max_line: usize,
    send: &mut dyn FnMut(io::Result<Batch>) -> bool,
) {
    let mut buf: Vec<u8> = Vec::new();
    // Where the line not yet whole starts in `buf`.
    let mut line_start = 0;
    let mut dropped_nuls = 0u64;
    loop {
        let before = buf.len();
        let want = (batch.saturating_sub(before)).max(SKIP_BLOCK) as u64;
        match (&mut stream).take(want).read_to_end(&mut buf) {
            Ok(0) => {
                send(Ok(Batch {
                    data: buf,
                    dropped_nuls,
                    long: None,
                    eof: true,
                }));
                return;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Keep what was read before the damage (a truncated .gz
                // still yields its first rows), then report it.
                if (buf.is_empty() && dropped_nuls == 0)
                    || send(Ok(Batch {
                        data: buf,
                        dropped_nuls,
                        long: None,
                        eof: true,
                    }))
                {
                    send(Err(e));
                }
                return;
            }
        }
        if let Some(i) = memrchr(b'\n', &buf[before..]) {
            line_start = before + i + 1;
        }
        // NUL padding that starts the unfinished line: counted and dropped.
        let nuls = buf[line_start..].iter().take_while(|&&b| b == 0).count();
        if nuls > 0 {
            buf.drain(line_start..line_start + nuls);
            dropped_nuls += nuls as u64;
        }
        if buf.len() - line_start > max_line {
            let mut long = LongLine {
                bytes: (buf.len() - line_start) as u64,
                unterminated: false,
            };
            buf.truncate(line_start);
            let (rest, end) = skip_line(&mut stream, &mut long);
            let eof = !matches!(end, Ok(false));
            if !send(Ok(Batch {
                data: std::mem::replace(&mut buf, rest),
                dropped_nuls: std::mem::take(&mut dropped_nuls),
                long: Some(long),
                eof,
            })) {
                return;
            }
            if let Err(e) = end {
                send(Err(e));
                return;
            }
            if eof {
                return;
            }
            line_start = memrchr(b'\n', &buf).map_or(0, |i| i + 1);
            continue;
        }
        if buf.len() >= batch && line_start > 0 {
            let mut carry = Vec::with_capacity(batch);
            carry.extend_from_slice(&buf[line_start..]);
            buf.truncate(line_start);
            line_start = 0;
            if !send(Ok(Batch {
                data: std::mem::replace(&mut buf, carry),
                dropped_nuls: std::mem::take(&mut dropped_nuls),
                long: None,
                eof: false,
            })) {
                return;
            }
        }
    }
}

/// Reads past the rest of a line over the limit, counting its bytes into
/// `long`. Returns what followed its line end, and whether the stream ended
/// (`Ok(true)`) or failed first.
fn skip_line(stream: &mut impl Read, long: &mut LongLine) -> (Vec<u8>, io::Result<bool>) {
    let mut block = vec![0; SKIP_BLOCK];
    loop {
        let n = match stream.read(&mut block) {
            Ok(0) => {
                long.unterminated = true;
                return (Vec::new(), Ok(true));
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (Vec::new(), Err(e)),
        };
        match memchr::memchr(b'\n', &block[..n]) {
            Some(i) => {
                long.bytes += i as u64;
                return (block[i + 1..n].to_vec(), Ok(false));
            }
            None => long.bytes += n as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(input: &[u8], batch: usize, max_line: usize) -> Vec<io::Result<Batch>> {
        let mut out = Vec::new();
        read_batches(input, batch, max_line, &mut |b| {
            out.push(b);
            true
        });
        out
    }

    /// Everything the batches hand over, as (whole-line bytes, NULs dropped,
    /// long lines).
    fn collect(input: &[u8], batch: usize, max_line: usize) -> (Vec<u8>, u64, Vec<LongLine>) {
        let mut data = Vec::new();
        let mut nuls = 0;
        let mut longs = Vec::new();
        let all = batches(input, batch, max_line);
        let last = all.len() - 1;
        for (i, b) in all.into_iter().enumerate() {
            let b = b.unwrap();
            assert_eq!(b.eof, i == last, "only the last batch ends the input");
            if !b.eof {
                assert!(
                    b.data.is_empty() || b.data.ends_with(b"\n"),
                    "a batch ends at a line end"
                );
            }
            data.extend_from_slice(&b.data);
            nuls += b.dropped_nuls;
            longs.extend(b.long);
        }
        (data, nuls, longs)
    }

    #[test]
    fn batches_end_at_line_ends_and_lose_nothing() {
        let input: Vec<u8> = (0..5000)
            .flat_map(|i| format!("line {i} {}\n", "x".repeat(i % 97)).into_bytes())
            .collect();
        let (data, nuls, longs) = collect(&input, 1000, 4096);
        assert_eq!(data, input);
        assert_eq!((nuls, longs.len()), (0, 0));
    }

    #[test]
    fn a_line_over_the_limit_is_counted_and_skipped_without_being_held() {
        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 300_000));
        input.extend_from_slice(b"\nlast\n");
        let (data, _, longs) = collect(&input, 1000, 4096);
        assert_eq!(data, b"first\nlast\n");
        assert_eq!(
            longs,
            [LongLine {
                bytes: 300_000,
                unterminated: false
            }]
        );
    }

    #[test]
    fn an_endless_line_at_the_end_is_unterminated() {
        let input = vec![b'z'; 200_000];
        let (data, _, longs) = collect(&input, 1000, 4096);
        assert!(data.is_empty());
        assert_eq!(
            longs,
            [LongLine {
                bytes: 200_000,
                unterminated: true
            }]
        );
    }

    #[test]
    fn nul_padding_of_any_length_is_dropped_and_the_line_after_it_kept() {
        let mut input = b"a\n".to_vec();
        input.extend(std::iter::repeat_n(0u8, 500_000));
        input.extend_from_slice(b"#Software: after the restart\nb\n");
        let (data, dropped, longs) = collect(&input, 1000, 4096);
        // What is not dropped as it arrives is left to the line's reader,
        // which strips NULs from both ends of a line: never more than a read.
        let left = data.iter().filter(|&&b| b == 0).count();
        assert!(left <= SKIP_BLOCK, "{left} NULs held");
        assert_eq!(dropped + left as u64, 500_000);
        let text: Vec<u8> = data.into_iter().filter(|&b| b != 0).collect();
        assert!(text == b"a\n#Software: after the restart\nb\n", "{text:?}");
        assert!(longs.is_empty());
    }

    #[test]
    fn a_read_error_keeps_what_came_before_it() {
        struct Failing(Vec<u8>, bool);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.1 {
                    return Err(io::Error::other("damaged"));
                }
                self.1 = true;
                let n = self.0.len().min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                Ok(n)
            }
        }
        let mut out = Vec::new();
        read_batches(Failing(b"one\ntwo".to_vec(), false), 1000, 4096, &mut |b| {
            out.push(b);
            true
        });
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].as_ref().unwrap().data, b"one\ntwo");
        assert!(out[1].is_err());
    }
}
