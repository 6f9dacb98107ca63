//! The stream batching thread, for input that is not mapped (standard
//! input, gzip, files read without a map): reads ahead in batches that end
//! at a line end, so parsing one batch overlaps reading the next.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};

use memchr::memrchr;

/// Bytes read ahead from a stream at a time (stdin, gzip): keeps memory small.
const STREAM_BATCH: usize = 16 << 20;

/// Reads a stream on its own thread, in batches that end at a line end, so
/// parsing one batch overlaps reading the next. Memory stays at a few batches.
pub(super) fn spawn_reader(
    mut stream: Box<dyn Read + Send>,
) -> Receiver<io::Result<(Vec<u8>, bool)>> {
    let (tx, rx) = sync_channel(1);
    std::thread::spawn(move || {
        let mut carry = Vec::new();
        loop {
            let mut buf = std::mem::take(&mut carry);
            buf.reserve(STREAM_BATCH.saturating_sub(buf.len()));
            let mut eof = false;
            let mut scanned = 0;
            loop {
                let want = (STREAM_BATCH.saturating_sub(buf.len())).max(1 << 16) as u64;
                match (&mut stream).take(want).read_to_end(&mut buf) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        // Keep what was read before the damage (a truncated
                        // .gz still yields its first rows), then report it.
                        if !buf.is_empty() {
                            let _ = tx.send(Ok((buf, true)));
                        }
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
                // Send only whole lines; a line longer than a batch keeps reading.
                if buf.len() >= STREAM_BATCH && memrchr(b'\n', &buf[scanned..]).is_some() {
                    break;
                }
                scanned = buf.len();
            }
            if !eof && let Some(nl) = memrchr(b'\n', &buf) {
                carry = buf[nl + 1..].to_vec();
                buf.truncate(nl + 1);
            }
            if tx.send(Ok((buf, eof))).is_err() || eof {
                return;
            }
        }
    });
    rx
}
