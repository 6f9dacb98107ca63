//! How much of one input is read. A leaked file examined in memory (CSV,
//! XLSX, PDF, ZIP) is held whole, so it may be no larger than [`MAX_HELD`];
//! NEMSIS XML is streamed, and read (and hashed) up to [`MAX_STREAMED`]. A
//! regular file over its limit is refused from its size, before anything is
//! read; anything else (standard input, a pipe, a device such as
//! `/dev/zero`) is read through [`Bounded`], which stops one byte past the
//! limit with an error naming it: memory and time follow the limit, never
//! the input, and no SHA-256 is given of a file that was not read to its end.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::Kind;
use super::grid::size;

/// The most of one file read whole into memory (CSV, XLSX, PDF, ZIP).
/// Leaked exports are small; this is far above a real one, and low enough
/// that what examining such a file adds (its text decoded, a PDF's objects,
/// an archive's member) stays within a GiB.
pub const MAX_HELD: u64 = 256 << 20;

/// The most of one NEMSIS XML file read: it is streamed (memory does not
/// follow it), but time does, and a device never ends.
pub const MAX_STREAMED: u64 = 1 << 30;

/// The limit on reading a file of `kind`, and what it limits (for
/// messages: `a CSV file (read whole into memory)`).
pub fn limit(kind: Kind) -> (u64, String) {
    let name = match kind {
        Kind::Nemsis => return (MAX_STREAMED, "NEMSIS XML (streamed)".into()),
        Kind::Csv => "a CSV file",
        Kind::Xlsx => "an XLSX workbook",
        Kind::Pdf => "a PDF",
        Kind::Zip => "a ZIP archive",
    };
    (MAX_HELD, format!("{name} (read whole into memory)"))
}

/// An input over a limit: the error is an [`io::Error`] of kind
/// [`io::ErrorKind::FileTooLarge`] carrying this.
#[derive(Debug)]
pub struct TooLarge {
    /// The file's size, when known before reading (a regular file).
    pub bytes: Option<u64>,
    pub limit: u64,
    /// What is limited: `a CSV file (read whole into memory)`.
    pub what: String,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (limit, what) = (size(self.limit), &self.what);
        match self.bytes {
            Some(b) => write!(
                f,
                "{}, over the limit of {limit} for {what}: not read",
                size(b)
            ),
            None => write!(
                f,
                "longer than {limit}, the limit for {what}: read no further"
            ),
        }
    }
}

impl std::error::Error for TooLarge {}

impl TooLarge {
    fn error(self) -> io::Error {
        io::Error::new(io::ErrorKind::FileTooLarge, self)
    }
}

/// Refuses a regular file larger than `limit` from its size alone; `bytes`
/// is its size when it is one (from [`regular_size`]).
pub fn check_size(bytes: Option<u64>, limit: u64, what: &str) -> io::Result<()> {
    match bytes {
        Some(b) if b > limit => Err(TooLarge {
            bytes: Some(b),
            limit,
            what: what.to_string(),
        }
        .error()),
        _ => Ok(()),
    }
}

/// The size of an open file when it is a regular one (a device, a pipe or
/// a socket has none that can be trusted).
pub fn regular_size(file: &File) -> Option<u64> {
    file.metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
}

/// Opens a file to be read up to `limit` bytes: refused from its size when
/// it is a regular file over it, else bounded as it is read.
pub fn open(path: &Path, limit: u64, what: &str) -> io::Result<Bounded<File>> {
    let file = File::open(path)?;
    check_size(regular_size(&file), limit, what)?;
    Ok(Bounded::new(file, limit, what))
}

/// Reads a file whole, up to `limit` bytes (see [`open`]).
pub fn read_path(path: &Path, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let size = regular_size(&file);
    check_size(size, limit, what)?;
    let mut bytes = Vec::new();
    read_held(Bounded::new(file, limit, what), &mut bytes, size)?;
    Ok(bytes)
}

/// Reads `source` to its end onto `bytes`. For a regular file of `size`,
/// room for all of it is made at once; a stream of unknown length is read
/// in steps of a few MiB, each given exactly its room, rather than by
/// doubling (which, at the limit, would hold half as much again).
pub fn read_held(mut source: impl Read, bytes: &mut Vec<u8>, size: Option<u64>) -> io::Result<()> {
    if let Some(size) = size {
        bytes.reserve_exact(
            usize::try_from(size)
                .unwrap_or(0)
                .saturating_sub(bytes.len()),
        );
        source.read_to_end(bytes)?;
        return Ok(());
    }
    const STEP: u64 = 8 << 20;
    loop {
        bytes.reserve_exact(STEP as usize);
        let before = bytes.len();
        (&mut source).take(STEP).read_to_end(bytes)?;
        if ((bytes.len() - before) as u64) < STEP {
            return Ok(());
        }
    }
}

/// A reader that gives at most `limit` bytes, then an error of kind
/// [`io::ErrorKind::FileTooLarge`] if the input has more (it reads one byte
/// past the limit to know), and the same error on every read after.
pub struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
    what: String,
    over: bool,
}

impl<R: Read> Bounded<R> {
    /// `limit` counts from here: bytes already read (a head) are the
    /// caller's to subtract.
    pub fn new(inner: R, limit: u64, what: &str) -> Bounded<R> {
        Bounded {
            inner,
            left: limit,
            limit,
            what: what.to_string(),
            over: false,
        }
    }

    /// Names the limit in the error as `limit`, when the bytes left to read
    /// are fewer because a head was read before.
    pub fn reporting(mut self, limit: u64) -> Bounded<R> {
        self.limit = limit;
        self
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            if !self.over && self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            // Once over, always over: a reader that reads on after the error
            // must not take what follows for the end of the file.
            self.over = true;
            return Err(TooLarge {
                bytes: None,
                limit: self.limit,
                what: self.what.clone(),
            }
            .error());
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_read_to_its_limit_and_no_further() {
        let mut bytes = Vec::new();
        let e = Bounded::new(io::repeat(0), 1000, "a CSV file (read whole into memory)")
            .read_to_end(&mut bytes)
            .unwrap_err();
        assert_eq!(bytes.len(), 1000);
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        // One byte over, then the end: still over.
        let mut bounded = Bounded::new(&[7u8; 1001][..], 1000, "x");
        assert!(bounded.read_to_end(&mut Vec::new()).is_err());
        assert!(bounded.read_to_end(&mut Vec::new()).is_err());
        assert_eq!(
            e.to_string(),
            "longer than 1000 bytes, the limit for a CSV file (read whole into memory): read no \
             further"
        );
        // Exactly the limit is not over it.
        let mut bytes = Vec::new();
        Bounded::new(&[7u8; 1000][..], 1000, "x")
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(bytes.len(), 1000);
    }

    #[test]
    fn a_stream_is_held_whole_in_steps() {
        let n = (20 << 20) + 5;
        let mut bytes = b"head".to_vec();
        read_held(io::repeat(1).take(n), &mut bytes, None).unwrap();
        assert_eq!(bytes.len() as u64, n + 4);
        assert!(bytes.capacity() < bytes.len() + (8 << 20));
        let mut bytes = Vec::new();
        read_held(&[5u8; 3][..], &mut bytes, Some(3)).unwrap();
        assert_eq!(bytes, [5, 5, 5]);
    }

    #[test]
    fn a_regular_file_over_the_limit_is_refused_from_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        // Sparse: 5 GiB that take no room and would take long to read.
        File::create(&path).unwrap().set_len(5 << 30).unwrap();
        let e = read_path(&path, MAX_HELD, "a CSV file (read whole into memory)").unwrap_err();
        assert_eq!(
            e.to_string(),
            "5 GiB, over the limit of 256 MiB for a CSV file (read whole into memory): not read"
        );
    }
}
