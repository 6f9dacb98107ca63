//! The guard between a stream and the XML parser: it counts the bytes and
//! lines the parser consumes, and bounds how long one XML item may grow on a
//! hostile file, since quick-xml holds a whole item in memory.

use std::io::{self, BufRead, Read};

use super::encoding::read_buffered;

/// Counts bytes and lines as the parser consumes them, and stops one XML
/// item from growing past [`Limits::item`](super::Limits::item).
pub(super) struct Guard<S> {
    pub(super) inner: S,
    pub(super) consumed: u64,
    /// Newlines consumed so far.
    pub(super) newlines: u64,
    /// Where the current item must end.
    pub(super) limit: u64,
}

/// The I/O error a [`Guard`] gives when an item is too long.
#[derive(Debug)]
pub(super) struct ItemTooLong;

impl std::fmt::Display for ItemTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("XML item too long")
    }
}

impl std::error::Error for ItemTooLong {}

impl<S: BufRead> Read for Guard<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, buf)
    }
}

impl<S: BufRead> BufRead for Guard<S> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let room = self.limit.saturating_sub(self.consumed);
        if room == 0 {
            return Err(io::Error::other(ItemTooLong));
        }
        let buf = self.inner.fill_buf()?;
        Ok(&buf[..buf.len().min(usize::try_from(room).unwrap_or(usize::MAX))])
    }

    fn consume(&mut self, amt: usize) {
        // The bytes consumed are still in the inner buffer: count their lines.
        if amt > 0
            && let Ok(buf) = self.inner.fill_buf()
        {
            self.newlines += memchr::memchr_iter(b'\n', &buf[..amt.min(buf.len())]).count() as u64;
        }
        self.inner.consume(amt);
        self.consumed += amt as u64;
    }
}
