//! SHA-256 of evidence, as lower-case hex: one way to hash a file or bytes
//! for every command (chain of custody in `examine` and `investigate`,
//! identical inputs in the log commands, `SHA256SUMS` of a report).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes in memory, as hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(Sha256::digest(bytes).as_slice())
}

/// A file read once for its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    pub sha256: [u8; 32],
    pub bytes: u64,
}

impl FileDigest {
    pub fn hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// SHA-256 and size of bytes given in order, a piece at a time (a log
/// hashed as the scan reads it).
#[derive(Clone, Debug, Default)]
pub struct Running {
    hasher: Sha256,
    bytes: u64,
}

impl Running {
    pub fn update(&mut self, piece: &[u8]) {
        self.hasher.update(piece);
        self.bytes += piece.len() as u64;
    }

    /// [`Running::update`] of `bytes`, `piece` bytes at a time;
    /// `hashed(start, end)` (offsets in `bytes`) is called after each piece
    /// (to let go of a mapped file's pages as they are passed).
    pub fn update_pieces(
        &mut self,
        bytes: &[u8],
        piece: usize,
        mut hashed: impl FnMut(usize, usize),
    ) {
        let mut start = 0;
        for p in bytes.chunks(piece.max(1)) {
            self.update(p);
            hashed(start, start + p.len());
            start += p.len();
        }
    }

    pub fn finish(self) -> FileDigest {
        FileDigest {
            sha256: self.hasher.finalize().into(),
            bytes: self.bytes,
        }
    }
}

/// SHA-256 and size of bytes in memory, hashed `piece` bytes at a time;
/// `hashed(start, end)` is called after each piece (to let go of a mapped
/// file's pages as they are passed).
pub fn sha256_pieces(bytes: &[u8], piece: usize, hashed: impl FnMut(usize, usize)) -> FileDigest {
    let mut running = Running::default();
    running.update_pieces(bytes, piece, hashed);
    running.finish()
}

/// SHA-256 and size of a file, in one read.
pub fn sha256_file(path: &Path) -> io::Result<FileDigest> {
    sha256_reader(File::open(path)?)
}

/// [`sha256_file`] of what a reader gives, to its end.
pub fn sha256_reader(mut file: impl Read) -> io::Result<FileDigest> {
    let mut running = Running::default();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        running.update(&buf[..n]);
    }
    Ok(running.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_hash_as_the_whole() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for piece in [0, 1, 63, 64, 4096, 10_000, 20_000] {
            let mut passed = Vec::new();
            let d = sha256_pieces(&bytes, piece, |a, b| passed.push((a, b)));
            assert_eq!(d.hex(), sha256(&bytes), "piece {piece}");
            assert_eq!(d.bytes, 10_000);
            assert_eq!(passed.first().map(|p| p.0), Some(0));
            assert_eq!(passed.last().map(|p| p.1), Some(10_000));
            assert!(passed.windows(2).all(|w| w[0].1 == w[1].0));
        }
    }

    #[test]
    fn file_and_bytes_hash_alike() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        std::fs::write(&path, b"abc").unwrap();
        let d = sha256_file(&path).unwrap();
        assert_eq!(
            d.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.hex(), sha256(b"abc"));
        assert_eq!(d.bytes, 3);
    }
}
