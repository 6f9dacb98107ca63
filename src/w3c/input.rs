//! Where log bytes come from: files, directories, gzip, standard input.
//!
//! Arguments are expanded into [`Input`]s in a stable order: files as given,
//! directories walked recursively in name order. Opening an input decides how
//! to read it: under `--mmap auto` a plain regular file is memory-mapped
//! (read-only, never modified) unless it looks like a log still being
//! written; gzip (recognised by its magic bytes, not its name), standard
//! input, `--mmap never` and anything else is streamed. A file is stat'ed
//! before and after it is read, so that one that changed meanwhile is noted.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use flate2::read::MultiGzDecoder;
use memmap2::Mmap;

/// One log to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File {
        path: PathBuf,
        /// Named on the command line (not found by walking a directory).
        explicit: bool,
    },
}

impl Input {
    /// The name records carry in their `file` field.
    pub fn display_name(&self) -> Arc<str> {
        match self {
            Input::Stdin => Arc::from("-"),
            Input::File { path, .. } => crate::name::display(path),
        }
    }
}

/// An input that could not be listed or opened.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct InputError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

/// What the command line's inputs expand to.
#[derive(Debug, Default)]
pub struct Listing {
    pub inputs: Vec<Input>,
    /// Paths that could not be listed or examined (exit status 1).
    pub errors: Vec<InputError>,
    /// What was passed over on purpose, and why (symbolic links met while
    /// walking a folder, a file named twice).
    pub notes: Vec<String>,
}

/// Expands the command line's inputs. Directories are walked recursively, in
/// name order; errors (a missing path, an unreadable directory or entry) are
/// returned beside the inputs that could be listed, so one bad path stops
/// nothing. Symbolic links named on the command line are followed; those met
/// while walking a folder are not (no loops, nothing read from outside the
/// folder), and each is noted. A file reached twice (named twice, or named
/// and found in a folder) is read once.
pub fn expand(args: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let listing = list(args);
    (listing.inputs, listing.errors)
}

/// [`expand`], with the notes.
pub fn list(args: &[PathBuf]) -> Listing {
    let mut listing = Listing::default();
    for arg in args {
        if arg.as_os_str() == "-" {
            listing.inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(arg) {
            Ok(meta) if meta.is_dir() => walk(arg, &mut listing),
            Ok(_) => listing.inputs.push(Input::File {
                path: arg.clone(),
                explicit: true,
            }),
            Err(source) => listing.errors.push(InputError {
                path: arg.display().to_string(),
                source,
            }),
        }
    }
    // The same file reached twice is read once (its first place is kept).
    let mut seen: std::collections::HashMap<PathBuf, String> = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(listing.inputs.len());
    for input in std::mem::take(&mut listing.inputs) {
        if let Input::File { path, .. } = &input
            && let Ok(real) = std::fs::canonicalize(path)
        {
            let name = path.display().to_string();
            if let Some(first) = seen.get(&real) {
                listing
                    .notes
                    .push(format!("{name}: the same file as {first}; read once"));
                continue;
            }
            seen.insert(real, name);
        }
        kept.push(input);
    }
    listing.inputs = kept;
    listing
}

/// Drops inputs whose bytes are those of an earlier input (the same log
/// copied, or downloaded twice): read twice, every record would count
/// twice. Only files of equal size are hashed (SHA-256). Returns the notes.
pub fn drop_identical(inputs: &mut Vec<Input>) -> Vec<String> {
    let size = |input: &Input| match input {
        Input::File { path, .. } => std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file() && m.len() > 0)
            .map(|m| m.len()),
        Input::Stdin => None,
    };
    let sizes: Vec<Option<u64>> = inputs.iter().map(size).collect();
    let mut digests: Vec<Option<[u8; 32]>> = vec![None; inputs.len()];
    for (i, input) in inputs.iter().enumerate() {
        let shared = sizes[i].is_some() && sizes.iter().filter(|s| **s == sizes[i]).count() > 1;
        if let (true, Input::File { path, .. }) = (shared, input) {
            digests[i] = crate::digest::sha256_file(path).ok().map(|d| d.sha256);
        }
    }
    let mut notes = Vec::new();
    let mut kept = Vec::with_capacity(inputs.len());
    let mut first: Vec<([u8; 32], String)> = Vec::new();
    for (input, digest) in std::mem::take(inputs).into_iter().zip(digests) {
        if let Some(d) = digest {
            let name = input.display_name().to_string();
            if let Some((_, earlier)) = first.iter().find(|(f, _)| *f == d) {
                notes.push(format!(
                    "{name}: the same bytes as {earlier} (same SHA-256); read once"
                ));
                continue;
            }
            first.push((d, name));
        }
        kept.push(input);
    }
    *inputs = kept;
    notes
}

fn walk(dir: &Path, listing: &mut Listing) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(source) => {
            listing.errors.push(InputError {
                path: dir.display().to_string(),
                source,
            });
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = match entry.file_type() {
            Ok(kind) => kind,
            Err(source) => {
                listing.errors.push(InputError {
                    path: path.display().to_string(),
                    source,
                });
                continue;
            }
        };
        if kind.is_symlink() {
            listing.notes.push(format!(
                "{}: a symbolic link, not followed inside a folder; name its target to read it",
                path.display()
            ));
            continue;
        }
        if kind.is_dir() {
            walk(&path, listing);
            continue;
        }
        // A folder that can be listed but not entered fails here: say so
        // rather than skip its files without a word.
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => listing.inputs.push(Input::File {
                path,
                explicit: false,
            }),
            Ok(_) => listing.notes.push(format!(
                "{}: not a regular file (a device, socket or pipe met in a folder); skipped",
                path.display()
            )),
            Err(source) => listing.errors.push(InputError {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}

/// Whether regular files may be memory-mapped (`--mmap`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MmapChoice {
    /// Map plain regular files, but stream one modified in the last 5
    /// seconds (probably still being written).
    #[default]
    Auto,
    /// Never map: read every file as a stream.
    Never,
}

/// A file modified less than this long ago (or ahead of now) is probably
/// still being written: under [`MmapChoice::Auto`] it is streamed, not mapped.
pub const RECENT: Duration = Duration::from_secs(5);

/// An opened input.
pub enum Opened {
    /// A regular plain-text file, mapped read-only.
    Mapped(Mmap),
    /// Anything read as a stream (stdin, gzip, pipes, empty files, `--mmap
    /// never`, a file still being written).
    Stream(Box<dyn Read + Send>),
    /// Not a text log (a ZIP, PDF …): the reason, for the warning.
    NotALog(&'static str),
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens an input read-only and picks how to read it (see [`MmapChoice`]).
pub fn open(input: &Input, mmap: MmapChoice) -> io::Result<Opened> {
    let path = match input {
        Input::Stdin => return stream(Box::new(io::stdin())),
        Input::File { path, .. } => path,
    };
    let file = File::open(path)?;
    if let Some(map) = map(&file, mmap)? {
        if map.starts_with(&GZIP_MAGIC) {
            return stream(Box::new(File::open(path)?));
        }
        if let Some(kind) = binary_kind(&map) {
            return Ok(Opened::NotALog(kind));
        }
        return Ok(Opened::Mapped(map));
    }
    stream(Box::new(file))
}

/// `file` mapped read-only when `mmap` allows it: a plain, non-empty regular
/// file not modified in the last [`RECENT`] seconds under
/// [`MmapChoice::Auto`]; `None` when it is to be streamed (or cannot be
/// mapped).
fn map(file: &File, mmap: MmapChoice) -> io::Result<Option<Mmap>> {
    let meta = file.metadata()?;
    let mappable = mmap == MmapChoice::Auto
        && meta.is_file()
        && meta.len() > 0
        && !recently_modified(meta.modified().ok(), SystemTime::now());
    if !mappable {
        return Ok(None);
    }
    // SAFETY: this is a shared, read-only mapping of a file that other
    // processes may still change: nothing stops a writer. Bytes they
    // change are read as they are at the moment they are touched (a row
    // may be torn, a hash taken of a mix), and a truncation below a page we
    // then read raises SIGBUS, which ends the process without a summary.
    // That is accepted under `--mmap auto` (as in ripgrep) because evidence
    // copies are not written to, a file modified in the last few seconds is
    // streamed instead, and a change during the read is noted afterwards;
    // `--mmap never` reads live logs and network shares without the risk.
    // No reference into the map outlives it.
    let Ok(map) = (unsafe { Mmap::map(file) }) else {
        return Ok(None);
    };
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(Some(map))
}

/// SHA-256 and size of a log file's bytes as they are on disk (not
/// decompressed), read as [`open`] would read it: mapped when `mmap`
/// allows, which spares copying a large log through a buffer, else streamed.
pub fn sha256(path: &Path, mmap: MmapChoice) -> io::Result<crate::digest::FileDigest> {
    let file = File::open(path)?;
    let Some(map) = map(&file, mmap)? else {
        return crate::digest::sha256_reader(file);
    };
    Ok(crate::digest::sha256_pieces(
        &map,
        HASHED_AT_ONCE,
        |a, b| release(&map, a, b),
    ))
}

/// How much of a mapped log [`sha256`] hashes before it lets the kernel drop
/// those pages: resident memory stays near this however large the log.
const HASHED_AT_ONCE: usize = 4 << 20;

/// Lets the kernel drop the page mappings of bytes that have been read: the
/// scan's batches (resident memory stays near two batches, the one read and
/// the one released meanwhile, however large the file) and [`sha256`]'s
/// pieces.
pub(crate) fn release(map: &memmap2::Mmap, start: usize, end: usize) {
    #[cfg(unix)]
    {
        let page = 4096;
        let from = start / page * page;
        let to = end / page * page;
        if to > from {
            // SAFETY: the map is a shared read-only view of the file (never
            // written through): after MADV_DONTNEED a later access reads the
            // file's bytes again, as they are then (see [`open`] on files
            // changed while mapped), and no reference into the
            // released range outlives this call (the batch's records own
            // their data).
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
            };
        }
    }
    #[cfg(not(unix))]
    let _ = (map, start, end);
}

/// Whether a file modified at `modified` is probably still being written:
/// its time is within [`RECENT`] of `now`, either side (a time ahead of the
/// clock is not trusted to be old). An unknown time is not recent.
fn recently_modified(modified: Option<SystemTime>, now: SystemTime) -> bool {
    let Some(modified) = modified else {
        return false;
    };
    let apart = match now.duration_since(modified) {
        Ok(d) => d,
        Err(ahead) => ahead.duration(),
    };
    apart < RECENT
}

/// A file's size and modification time, taken before and after it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    /// The stamp of a file input now; `None` for standard input and for a
    /// file that cannot be examined.
    pub fn of(input: &Input) -> Option<FileStamp> {
        let Input::File { path, .. } = input else {
            return None;
        };
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// A file whose size or modification time differed between the start and
/// the end of its read: what was read may be neither the old nor the new
/// file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangedDuringRead {
    pub len_before: u64,
    pub len_after: u64,
}

impl ChangedDuringRead {
    /// Compares the stamps taken before and after a read. Without both (standard
    /// input, a file gone or unreadable afterwards) nothing can be said.
    pub fn between(
        before: Option<FileStamp>,
        after: Option<FileStamp>,
    ) -> Option<ChangedDuringRead> {
        let (before, after) = (before?, after?);
        (before != after).then_some(ChangedDuringRead {
            len_before: before.len,
            len_after: after.len,
        })
    }
}

fn stream(reader: Box<dyn Read + Send>) -> io::Result<Opened> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let head = reader.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        return Ok(Opened::Stream(Box::new(MultiGzDecoder::new(reader))));
    }
    if let Some(kind) = binary_kind(head) {
        return Ok(Opened::NotALog(kind));
    }
    Ok(Opened::Stream(Box::new(reader)))
}

/// Recognises files that are certainly not logs by their first bytes.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive")
    } else if head.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        Some("UTF-16 text (save the log as UTF-8)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_an_error_and_others_continue() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.log");
        std::fs::write(&file, "x\n").unwrap();
        let (inputs, errors) = expand(&[dir.path().join("nope"), file.clone()]);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            inputs,
            [Input::File {
                path: file,
                explicit: true
            }]
        );
    }

    #[test]
    fn directories_walk_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["b.log", "a/2.log", "a/1.log", "c/sub/z.log"] {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x\n").unwrap();
        }
        let (inputs, errors) = expand(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let names: Vec<String> = inputs
            .iter()
            .map(|i| match i {
                Input::File { path, .. } => {
                    path.strip_prefix(dir.path()).unwrap().display().to_string()
                }
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(names, ["a/1.log", "a/2.log", "b.log", "c/sub/z.log"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_in_a_folder_are_noted_not_followed_and_a_file_named_twice_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.log"), "x\n").unwrap();
        std::os::unix::fs::symlink(root.join("a.log"), root.join("same.log")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("outside.log")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("dangling.log")).unwrap();
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        let listing = list(&[root.to_path_buf(), root.join("a.log")]);
        assert!(listing.errors.is_empty(), "{:?}", listing.errors);
        assert_eq!(
            listing.inputs,
            [Input::File {
                path: root.join("a.log"),
                explicit: false
            }]
        );
        let notes = listing.notes.join("\n");
        for name in ["dangling.log", "loop", "outside.log", "same.log"] {
            assert!(
                notes.contains(&format!("{name}: a symbolic link")),
                "{notes}"
            );
        }
        assert!(notes.contains("the same file as"), "{notes}");
        // Named on the command line, a link is followed.
        let named = list(&[root.join("same.log")]);
        assert_eq!(named.inputs.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_can_be_listed_but_not_entered_is_an_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("a.log"), "x\n").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
        let listing = list(std::slice::from_ref(&locked));
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Root reads anything: then the file is simply listed.
        if listing.inputs.is_empty() {
            assert_eq!(listing.errors.len(), 1, "{:?}", listing.errors);
            assert!(listing.errors[0].path.ends_with("a.log"));
        }
    }

    /// Writes `data` to a new file; `old` sets its modification time an hour back.
    fn file_input(dir: &Path, data: &[u8], old: bool) -> Input {
        let path = dir.join("u_ex170119.log");
        std::fs::write(&path, data).unwrap();
        if old {
            let hour_ago = SystemTime::now() - Duration::from_secs(3600);
            File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
        Input::File {
            path,
            explicit: true,
        }
    }

    fn how(opened: Opened) -> &'static str {
        match opened {
            Opened::Mapped(_) => "mapped",
            Opened::Stream(_) => "stream",
            Opened::NotALog(_) => "not a log",
        }
    }

    #[test]
    fn mmap_never_streams_and_auto_maps_only_files_not_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let log = b"#Fields: date time cs-uri-stem\n2017-01-19 00:00:00 /a\n";
        let old = file_input(dir.path(), log, true);
        assert_eq!(how(open(&old, MmapChoice::Auto).unwrap()), "mapped");
        assert_eq!(how(open(&old, MmapChoice::Never).unwrap()), "stream");
        // Just written: probably still being written, so streamed.
        let fresh = file_input(dir.path(), log, false);
        assert_eq!(how(open(&fresh, MmapChoice::Auto).unwrap()), "stream");
        // A binary is recognised either way.
        let zip = file_input(dir.path(), b"PK\x03\x04rest", true);
        for choice in [MmapChoice::Auto, MmapChoice::Never] {
            assert_eq!(how(open(&zip, choice).unwrap()), "not a log");
        }
    }

    #[test]
    fn a_log_hashes_alike_mapped_in_pieces_or_streamed() {
        let dir = tempfile::tempdir().unwrap();
        // Over two pieces, and not a whole number of them.
        let bytes: Vec<u8> = (0..HASHED_AT_ONCE * 2 + 4097)
            .map(|i| b"#2017-01-19 /a.csv\n"[i % 19])
            .collect();
        let want = crate::digest::sha256(&bytes);
        for old in [true, false] {
            let Input::File { path, .. } = file_input(dir.path(), &bytes, old) else {
                unreachable!()
            };
            for choice in [MmapChoice::Auto, MmapChoice::Never] {
                let d = sha256(&path, choice).unwrap();
                assert_eq!((d.hex(), d.bytes), (want.clone(), bytes.len() as u64));
            }
        }
        let empty = file_input(dir.path(), b"", true);
        let Input::File { path, .. } = empty else {
            unreachable!()
        };
        let d = sha256(&path, MmapChoice::Auto).unwrap();
        assert_eq!((d.hex(), d.bytes), (crate::digest::sha256(b""), 0));
    }

    #[test]
    fn recently_modified_is_within_five_seconds_either_side() {
        let now = SystemTime::now();
        let secs = Duration::from_secs;
        assert!(recently_modified(Some(now), now));
        assert!(recently_modified(Some(now - secs(4)), now));
        assert!(recently_modified(Some(now + secs(4)), now));
        assert!(!recently_modified(Some(now - secs(5)), now));
        assert!(!recently_modified(Some(now - secs(86_400)), now));
        assert!(!recently_modified(Some(now + secs(86_400)), now));
        assert!(!recently_modified(None, now));
    }

    #[test]
    fn a_change_of_size_or_time_between_the_stamps_is_a_change() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_484_800_000);
        let stamp = |len, modified| {
            Some(FileStamp {
                len,
                modified: Some(modified),
            })
        };
        assert_eq!(
            ChangedDuringRead::between(stamp(100, t), stamp(100, t)),
            None
        );
        assert_eq!(
            ChangedDuringRead::between(stamp(100, t), stamp(250, t + Duration::from_secs(1))),
            Some(ChangedDuringRead {
                len_before: 100,
                len_after: 250
            })
        );
        // Rewritten in place: same size, new time.
        assert_eq!(
            ChangedDuringRead::between(stamp(100, t), stamp(100, t + Duration::from_secs(1))),
            Some(ChangedDuringRead {
                len_before: 100,
                len_after: 100
            })
        );
        // Standard input, or a file gone afterwards: nothing to compare.
        assert_eq!(ChangedDuringRead::between(None, stamp(1, t)), None);
        assert_eq!(ChangedDuringRead::between(stamp(1, t), None), None);
    }

    #[test]
    fn a_log_appended_to_while_it_is_read_is_noted_in_its_report() {
        use crate::w3c::scan::{ScanConfig, scan};
        use std::io::Write;
        let log = b"#Fields: date time cs-uri-stem\n2017-01-19 00:00:00 /a\n";
        for (choice, old) in [
            (MmapChoice::Auto, true),
            (MmapChoice::Auto, false),
            (MmapChoice::Never, true),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let input = file_input(dir.path(), log, old);
            let Input::File { path, .. } = &input else {
                unreachable!()
            };
            let cfg = ScanConfig {
                mmap: choice,
                ..ScanConfig::default()
            };
            let select = |_: &crate::w3c::Row<'_>| Some(());
            let mut sink = |_: &Arc<str>, _: Vec<crate::w3c::Hit<()>>| Ok(());
            // The server writes a row after the first batch was read.
            let append = || {
                let mut f = File::options().append(true).open(path).unwrap();
                f.write_all(b"2017-01-19 00:00:01 /b\n").unwrap();
            };
            let report = scan(&input, &cfg, &select, &mut sink, &|_| append()).unwrap();
            assert_eq!(
                report.changed,
                Some(ChangedDuringRead {
                    len_before: log.len() as u64,
                    len_after: log.len() as u64 + 23
                }),
                "{choice:?}, old: {old}"
            );
            // Read again, unchanged: no note.
            let report = scan(&input, &cfg, &select, &mut sink, &|_| {}).unwrap();
            assert_eq!(report.changed, None, "{choice:?}, old: {old}");
        }
    }

    #[test]
    fn identical_logs_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.log"),
            dir.path().join("b.log"),
            dir.path().join("c.log"),
        );
        std::fs::write(&a, "#Fields: date\n2017-01-19\n").unwrap();
        std::fs::write(&b, "#Fields: date\n2017-01-19\n").unwrap();
        std::fs::write(&c, "#Fields: date\n2017-01-20\n").unwrap();
        let mut inputs: Vec<Input> = [&a, &b, &c]
            .into_iter()
            .map(|p| Input::File {
                path: p.clone(),
                explicit: true,
            })
            .collect();
        let notes = drop_identical(&mut inputs);
        assert_eq!(inputs.len(), 2);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("b.log: the same bytes as"), "{notes:?}");
    }
}
