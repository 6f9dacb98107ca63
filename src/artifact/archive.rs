//! ZIP archives: the application's bulk exports.
//!
//! A bulk export (`AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip`) holds the
//! leaked files themselves: NEMSIS XML, CSV, XLSX or PDF. [`Archive`] hands
//! over its members one at a time, in central-directory order, each member's
//! bytes in memory (leaked files are small), and says what it did not read
//! and why. An archive is hostile input: what it may decompress to is capped
//! in total (one [`Budget`] for an archive and the archives inside it) and
//! per member, the declared sizes are checked before anything is read, and
//! every read is metered as well, because a header can lie. When the central
//! directory is missing or damaged (a download cut short), the members before
//! the damage are read from their local headers. Member names are labels,
//! never paths on disk: nothing is extracted.

use std::collections::VecDeque;
use std::io::{self, Cursor, Read};

use zip::ZipArchive;
use zip::read::read_zipfile_from_stream;
use zip::result::ZipError;

use super::grid::{self, size};
use crate::contain::contain;

/// The most an archive may decompress to, nested archives included: the
/// same limit as for an XLSX workbook. Bulk exports are small; more than this
/// is a ZIP bomb or not an export.
pub const MAX_ARCHIVE_UNCOMPRESSED: u64 = grid::MAX_XLSX_UNCOMPRESSED;

/// The most one member may decompress to. Every member is held in memory
/// while it is examined, so this bounds the memory one member takes.
pub const MAX_MEMBER_UNCOMPRESSED: u64 = 256 << 20;

/// The most members read from one archive (directories are not counted).
/// An export holds one file per report or a handful of grids; past this the
/// remaining members are counted and reported, not read.
pub const MAX_MEMBERS: u64 = 10_000;

/// How many levels of archives inside an archive are opened: a ZIP in the
/// export is read, a ZIP inside that one is reported and left closed.
pub const MAX_NESTING: usize = 1;

/// Decompressed bytes an archive may still yield. One budget is shared by an
/// archive and the archives nested in it, so nesting cannot multiply it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    left: u64,
}

impl Budget {
    pub fn new(total: u64) -> Budget {
        Budget { left: total }
    }

    /// Bytes still allowed.
    pub fn left(&self) -> u64 {
        self.left
    }

    fn spend(&mut self, bytes: u64) {
        self.left = self.left.saturating_sub(bytes);
    }
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::new(MAX_ARCHIVE_UNCOMPRESSED)
    }
}

/// Why an archive could not be opened at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveError {
    /// The central directory declares more content than the budget allows.
    #[error(
        "refused: the archive declares {} of content uncompressed, over the limit of {} \
         (a ZIP bomb, or not a leaked export)",
        size(*declared),
        size(*limit)
    )]
    TooLarge { declared: u64, limit: u64 },
    /// Neither a central directory nor a first local header could be read.
    #[error("not a readable ZIP archive: {0}")]
    Unreadable(String),
}

/// One file stored in an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The name as stored (a path inside the archive). A name that is not
    /// UTF-8 is decoded lossily, and [`Member::name_note`] says so.
    pub path: String,
    pub bytes: Vec<u8>,
    /// For a name that is not UTF-8: its stored bytes, escaped, so that the
    /// name can be recovered, and how it reads as CP437 (the ZIP default).
    pub name_note: Option<String>,
}

/// What an archive yields, in archive order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Member(Member),
    /// Something that could not be read: a damaged or encrypted member, a
    /// member over a limit, a damaged archive. `path` is the member's, or
    /// `None` for the archive as a whole.
    Unread {
        path: Option<String>,
        why: String,
    },
    /// Something passed over on purpose (members past [`MAX_MEMBERS`], a
    /// symbolic link) or worth knowing (duplicate names): not a failure.
    Skipped {
        path: Option<String>,
        why: String,
    },
}

/// Limits of one archive, apart from the shared budget (tests shrink them).
#[derive(Clone, Copy, Debug)]
struct Limits {
    member: u64,
    members: u64,
}

const LIMITS: Limits = Limits {
    member: MAX_MEMBER_UNCOMPRESSED,
    members: MAX_MEMBERS,
};

/// An open archive, read member by member.
pub struct Archive<'a> {
    source: Source<'a>,
    limits: Limits,
    /// Notes on the archive as a whole, handed over before its members.
    pending: VecDeque<Entry>,
    /// Members met so far (read or not; directories are not members).
    members: u64,
    done: bool,
}

enum Source<'a> {
    /// Through the central directory, entry by entry.
    Directory {
        zip: ZipArchive<Cursor<&'a [u8]>>,
        next: usize,
    },
    /// The central directory is unreadable: local header after local header
    /// from the start, until the damage.
    Stream { cursor: Cursor<&'a [u8]> },
}

const LOCAL_HEADER: &[u8] = b"PK\x03\x04";

impl<'a> Archive<'a> {
    /// Opens an archive; refuses one whose central directory declares more
    /// content than `budget` has left.
    pub fn open(bytes: &'a [u8], budget: &Budget) -> Result<Archive<'a>, ArchiveError> {
        Archive::open_within(bytes, budget, LIMITS)
    }

    fn open_within(
        bytes: &'a [u8],
        budget: &Budget,
        limits: Limits,
    ) -> Result<Archive<'a>, ArchiveError> {
        let mut pending = VecDeque::new();
        // The ZIP reader is not ours: a panic on a hostile directory is a
        // bad archive, not a crash.
        let opened = contain(|| ZipArchive::new(Cursor::new(bytes)))
            .unwrap_or_else(|_| Err(ZipError::InvalidArchive("the ZIP reader failed".into())));
        let source = match opened {
            Ok(zip) => {
                let declared = declared_uncompressed(&zip);
                if declared > budget.left() {
                    return Err(ArchiveError::TooLarge {
                        declared,
                        limit: budget.left(),
                    });
                }
                if zip.has_duplicate_names() {
                    // The reader keys members by name: a second member of
                    // the same name hides the first (a way to smuggle one).
                    pending.push_back(Entry::Skipped {
                        path: None,
                        why:
                            "several members have the same name; only the last of each name is read"
                                .into(),
                    });
                }
                Source::Directory { zip, next: 0 }
            }
            Err(e) if bytes.starts_with(LOCAL_HEADER) => {
                pending.push_back(Entry::Unread {
                    path: None,
                    why: format!(
                        "damaged ({}): the members before the damage are read from their local headers",
                        zip_error(&e)
                    ),
                });
                Source::Stream {
                    cursor: Cursor::new(bytes),
                }
            }
            Err(e) => return Err(ArchiveError::Unreadable(zip_error(&e))),
        };
        Ok(Archive {
            source,
            limits,
            pending,
            members: 0,
            done: false,
        })
    }

    /// Members met so far, read or not (directories are not counted).
    pub fn members(&self) -> u64 {
        self.members
    }

    /// The next member or note; `None` at the end. What a member decompresses
    /// to is taken from `budget`.
    pub fn next_entry(&mut self, budget: &mut Budget) -> Option<Entry> {
        if let Some(entry) = self.pending.pop_front() {
            return Some(entry);
        }
        if self.done {
            return None;
        }
        let entry = match &mut self.source {
            Source::Directory { .. } => self.next_from_directory(budget),
            Source::Stream { .. } => self.next_from_stream(budget),
        };
        if entry.is_none() {
            self.done = true;
        }
        entry
    }

    fn next_from_directory(&mut self, budget: &mut Budget) -> Option<Entry> {
        let Source::Directory { zip, next } = &mut self.source else {
            return None;
        };
        loop {
            let index = *next;
            if index >= zip.len() {
                return None;
            }
            *next += 1;
            let Ok(entry) = zip.by_index_data(index) else {
                continue;
            };
            if entry.is_dir() {
                continue;
            }
            self.members += 1;
            if self.members > self.limits.members {
                // The rest are counted, not read.
                let rest = (index..zip.len())
                    .filter(|&i| zip.by_index_data(i).is_ok_and(|e| !e.is_dir()))
                    .count();
                self.done = true;
                return Some(Entry::Skipped {
                    path: None,
                    why: format!(
                        "{rest} more member{} not read: over the limit of {} members per archive",
                        plural(rest as u64),
                        self.limits.members
                    ),
                });
            }
            let (path, name_note) = member_name(entry.name_raw(), entry.name().ok().as_deref());
            if let Some(why) = refusal(
                entry.encrypted(),
                entry.is_symlink(),
                entry.size(),
                self.limits,
            ) {
                return Some(why.into_entry(path));
            }
            let declared = entry.size();
            let cap = self.limits.member.min(budget.left());
            let read = contain(|| {
                let mut file = zip.by_index(index)?;
                read_capped(&mut file, declared, cap)
            })
            .unwrap_or_else(|_| Err(ZipError::InvalidArchive("the ZIP reader failed".into())));
            let after = Some(zip.len() - index - 1);
            let (entry, stop) =
                conclude(path, name_note, declared, read, budget, self.limits, after);
            self.done |= stop;
            return Some(entry);
        }
    }

    fn next_from_stream(&mut self, budget: &mut Budget) -> Option<Entry> {
        let Source::Stream { cursor } = &mut self.source else {
            return None;
        };
        loop {
            // The damage was reported when the archive was opened; running
            // into the end of the bytes is that damage, not news.
            if cursor.position() >= cursor.get_ref().len() as u64 {
                return None;
            }
            let members = self.members;
            let limits = self.limits;
            let cap = limits.member.min(budget.left());
            let step = contain(|| {
                let Some(mut file) = read_zipfile_from_stream(&mut *cursor)? else {
                    return Ok(None);
                };
                if file.is_dir() {
                    return Ok(Some(Step::Directory));
                }
                let (path, name_note) = member_name(file.name_raw(), file.name().ok().as_deref());
                if members >= limits.members {
                    return Ok(Some(Step::OverCount));
                }
                let declared = file.size();
                if let Some(why) = refusal(file.encrypted(), file.is_symlink(), declared, limits) {
                    return Ok(Some(Step::Refused(path, why)));
                }
                let read = read_capped(&mut file, declared, cap);
                Ok(Some(Step::Read {
                    path,
                    name_note,
                    declared,
                    read,
                }))
            })
            .unwrap_or_else(|_| Err(ZipError::InvalidArchive("the ZIP reader failed".into())));
            match step {
                Ok(None) => return None,
                Ok(Some(Step::Directory)) => continue,
                Ok(Some(Step::OverCount)) => {
                    // Without a directory the rest cannot be counted.
                    self.done = true;
                    return Some(Entry::Skipped {
                        path: None,
                        why: format!(
                            "the members after the first {} were not read: over the limit of {} members per archive",
                            limits.members, limits.members
                        ),
                    });
                }
                Ok(Some(Step::Refused(path, why))) => {
                    self.members += 1;
                    return Some(why.into_entry(path));
                }
                Ok(Some(Step::Read {
                    path,
                    name_note,
                    declared,
                    read,
                })) => {
                    self.members += 1;
                    let (entry, stop) =
                        conclude(path, name_note, declared, read, budget, limits, None);
                    self.done |= stop;
                    return Some(entry);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Entry::Unread {
                        path: None,
                        why: format!(
                            "the local headers could not be followed after {} member{}: {}",
                            self.members,
                            plural(self.members),
                            zip_error(&e)
                        ),
                    });
                }
            }
        }
    }
}

/// Turns one member's read into an entry, and takes what was read from the
/// budget; true when nothing more may be read. `after` counts the directory
/// entries after this one (`None` when walking local headers).
fn conclude(
    path: String,
    name_note: Option<String>,
    declared: u64,
    read: Result<Capped, ZipError>,
    budget: &mut Budget,
    limits: Limits,
    after: Option<usize>,
) -> (Entry, bool) {
    match read {
        Ok(Capped::Whole(bytes)) => {
            budget.spend(bytes.len() as u64);
            let member = Member {
                path,
                bytes,
                name_note,
            };
            (Entry::Member(member), false)
        }
        Ok(Capped::Over(read)) if read > limits.member => {
            budget.spend(read);
            let why = format!(
                "decompresses to more than the limit of {} per member (its header declares {}); not read",
                size(limits.member),
                size(declared)
            );
            (
                Entry::Unread {
                    path: Some(path),
                    why,
                },
                false,
            )
        }
        Ok(Capped::Over(read)) => {
            // Only a lying header, or a damaged archive read without its
            // directory, gets here: the declared total was checked when the
            // archive was opened.
            budget.spend(read);
            let rest = match after {
                Some(0) => String::new(),
                Some(n) => format!(
                    ", nor the {n} entr{} after it",
                    if n == 1 { "y" } else { "ies" }
                ),
                None => ", nor the members after it".into(),
            };
            let why = format!(
                "decompresses past what the archive may hold in all ({} at most, nested archives \
                 included; its header declares {}): not read{rest}",
                size(MAX_ARCHIVE_UNCOMPRESSED),
                size(declared),
            );
            (
                Entry::Unread {
                    path: Some(path),
                    why,
                },
                true,
            )
        }
        Err(e) => {
            let why = format!("not readable: {}", zip_error(&e));
            (
                Entry::Unread {
                    path: Some(path),
                    why,
                },
                false,
            )
        }
    }
}

/// One member met while walking the local headers.
enum Step {
    Directory,
    OverCount,
    Refused(String, Refusal),
    Read {
        path: String,
        name_note: Option<String>,
        declared: u64,
        read: Result<Capped, ZipError>,
    },
}

/// A member not read, decided from its header alone.
enum Refusal {
    Encrypted,
    Symlink,
    TooLarge(u64, u64),
}

impl Refusal {
    fn into_entry(self, path: String) -> Entry {
        match self {
            Refusal::Encrypted => Entry::Unread {
                path: Some(path),
                why: "encrypted: not read (leaktrace does not decrypt ZIP members)".into(),
            },
            Refusal::Symlink => Entry::Skipped {
                path: Some(path),
                why: "a symbolic link; not followed".into(),
            },
            Refusal::TooLarge(declared, limit) => Entry::Unread {
                path: Some(path),
                why: format!(
                    "refused: declares {} uncompressed, over the limit of {} per member",
                    size(declared),
                    size(limit)
                ),
            },
        }
    }
}

fn refusal(encrypted: bool, symlink: bool, declared: u64, limits: Limits) -> Option<Refusal> {
    if encrypted {
        Some(Refusal::Encrypted)
    } else if symlink {
        Some(Refusal::Symlink)
    } else if declared > limits.member {
        Some(Refusal::TooLarge(declared, limits.member))
    } else {
        None
    }
}

/// A member's content, or how much was read before it passed the cap.
enum Capped {
    Whole(Vec<u8>),
    Over(u64),
}

/// Reads at most `cap` bytes (one more tells that there were more).
fn read_capped(file: &mut impl Read, declared: u64, cap: u64) -> Result<Capped, ZipError> {
    // The declared size is a hint for the allocation, never trusted for more
    // than a little.
    let hint = declared.min(cap).min(1 << 20);
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Ok(Capped::Over(bytes.len() as u64));
    }
    Ok(Capped::Whole(bytes))
}

/// What the central directory says the files decompress to, in all.
fn declared_uncompressed(zip: &ZipArchive<Cursor<&[u8]>>) -> u64 {
    (0..zip.len())
        .filter_map(|i| zip.by_index_data(i).ok())
        .filter(|e| !e.is_dir())
        .fold(0u64, |total, e| total.saturating_add(e.size()))
}

/// Whether a ZIP holds an Excel workbook, by the names in its central
/// directory: `None` when the directory cannot be read.
///
/// A bulk export that stores an XLSX member uncompressed shows the member's
/// part names (`xl/workbook.xml`) in its first bytes, which is all that
/// sniffing sees; the directory tells the two apart.
pub fn lists_workbook(bytes: &[u8]) -> Option<bool> {
    let zip = contain(|| ZipArchive::new(Cursor::new(bytes))).ok()?.ok()?;
    Some(
        zip.file_names_raw()
            .any(|n| n.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(b"xl/"))),
    )
}

/// A member's name as text, with a note when the stored bytes are not UTF-8.
fn member_name(raw: &[u8], cp437: Option<&str>) -> (String, Option<String>) {
    match std::str::from_utf8(raw) {
        Ok(name) => (name.to_string(), None),
        Err(_) => {
            let escaped = raw.escape_ascii().to_string();
            let note = match cp437 {
                Some(text) => format!(
                    "the member's name is not UTF-8: its stored bytes are `{escaped}` (as CP437: `{text}`)"
                ),
                None => format!("the member's name is not UTF-8: its stored bytes are `{escaped}`"),
            };
            (String::from_utf8_lossy(raw).into_owned(), Some(note))
        }
    }
}

/// The ZIP reader's error, in the investigator's words where it has a
/// common cause.
fn zip_error(e: &ZipError) -> String {
    match e {
        ZipError::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
            "the archive ends early".into()
        }
        // The end record is the last thing written: a cut-short download
        // has none.
        ZipError::InvalidArchive(why) if why.contains("EOCD") => {
            "no end of central directory record: the file is cut short or is not a ZIP".into()
        }
        other => other.to_string(),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;

    /// A ZIP of `(name, content, compressed)` members, in order.
    fn zip_of(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content, compressed) in members {
            let method = if *compressed {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            };
            let options = SimpleFileOptions::default().compression_method(method);
            w.start_file(*name, options).expect("start member");
            w.write_all(content).expect("write member");
        }
        w.finish().expect("finish zip").into_inner()
    }

    fn all(bytes: &[u8], budget: &mut Budget, limits: Limits) -> Vec<Entry> {
        let mut archive = Archive::open_within(bytes, budget, limits).expect("opens");
        std::iter::from_fn(|| archive.next_entry(budget)).collect()
    }

    fn read(bytes: &[u8]) -> Vec<Entry> {
        all(bytes, &mut Budget::default(), LIMITS)
    }

    fn member(path: &str, bytes: &[u8]) -> Entry {
        Entry::Member(Member {
            path: path.into(),
            bytes: bytes.into(),
            name_note: None,
        })
    }

    fn why(entry: &Entry) -> &str {
        match entry {
            Entry::Member(_) => "",
            Entry::Unread { why, .. } | Entry::Skipped { why, .. } => why,
        }
    }

    #[test]
    fn members_come_in_archive_order_stored_or_deflated() {
        let bytes = zip_of(&[
            ("b/report.xml", b"<EMSDataSet/>", true),
            ("a.csv", b"x,y\n1,2\n", false),
        ]);
        assert_eq!(
            read(&bytes),
            [
                member("b/report.xml", b"<EMSDataSet/>"),
                member("a.csv", b"x,y\n1,2\n")
            ]
        );
    }

    #[test]
    fn directories_are_not_members() {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        w.add_directory("exports/", SimpleFileOptions::default())
            .expect("dir");
        w.start_file("exports/a.txt", SimpleFileOptions::default())
            .expect("start");
        w.write_all(b"a").expect("write");
        let bytes = w.finish().expect("finish").into_inner();
        let mut budget = Budget::default();
        let mut archive = Archive::open(&bytes, &budget).expect("opens");
        let entries: Vec<Entry> = std::iter::from_fn(|| archive.next_entry(&mut budget)).collect();
        assert_eq!(entries, [member("exports/a.txt", b"a")]);
        assert_eq!(archive.members(), 1);
    }

    #[test]
    fn an_empty_archive_has_no_members() {
        let bytes = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        assert_eq!(read(bytes), []);
    }

    #[test]
    fn the_declared_total_is_checked_before_anything_is_read() {
        let bytes = zip_of(&[("a.txt", &[b'a'; 600], true), ("b.txt", &[b'b'; 600], true)]);
        let refused = Archive::open(&bytes, &Budget::new(1000)).err();
        assert_eq!(
            refused,
            Some(ArchiveError::TooLarge {
                declared: 1200,
                limit: 1000
            })
        );
        assert!(
            refused
                .map(|e| e.to_string())
                .is_some_and(|m| m.contains("declares 1200 bytes") && m.contains("ZIP bomb")),
        );
    }

    #[test]
    fn a_member_over_its_limit_is_refused_and_the_others_read() {
        let bytes = zip_of(&[("big.txt", &[b'a'; 100], true), ("small.txt", b"ok", false)]);
        let limits = Limits {
            member: 50,
            members: 10,
        };
        let entries = all(&bytes, &mut Budget::default(), limits);
        assert!(
            matches!(&entries[0], Entry::Unread { path: Some(p), .. } if p == "big.txt"),
            "{entries:?}"
        );
        assert!(
            why(&entries[0]).contains("declares 100 bytes"),
            "{entries:?}"
        );
        assert_eq!(entries[1], member("small.txt", b"ok"));
    }

    /// A header that declares less than the member holds: the member is
    /// read no further than the budget allows, and what follows is not read.
    #[test]
    fn reads_are_metered_against_lying_headers() {
        let bytes = zip_of(&[
            ("a.txt", &[b'a'; 400], true),
            ("b.txt", &[b'b'; 400], true),
            ("c.txt", b"c", true),
        ]);
        // Truncate the central directory away, so that no declared total is
        // checked: the local headers are walked and only the meter stands.
        let cut = memchr::memmem::find(&bytes, b"PK\x01\x02").expect("a directory");
        let mut budget = Budget::new(500);
        let entries = all(&bytes[..cut], &mut budget, LIMITS);
        assert!(matches!(&entries[0], Entry::Unread { path: None, .. }));
        assert_eq!(entries[1], member("a.txt", &[b'a'; 400]));
        assert!(
            matches!(&entries[2], Entry::Unread { path: Some(p), .. } if p == "b.txt"),
            "{entries:?}"
        );
        assert!(why(&entries[2]).contains("nor the members after it"));
        assert_eq!(entries.len(), 3, "c.txt is not read: {entries:?}");
        assert_eq!(budget.left(), 0);
    }

    #[test]
    fn past_the_member_limit_the_rest_are_counted() {
        let bytes = zip_of(&[
            ("1.txt", b"1", false),
            ("2.txt", b"2", false),
            ("3.txt", b"3", false),
            ("4.txt", b"4", false),
        ]);
        let limits = Limits {
            member: 1 << 20,
            members: 2,
        };
        let entries = all(&bytes, &mut Budget::default(), limits);
        assert_eq!(entries.len(), 3, "{entries:?}");
        assert!(matches!(&entries[2], Entry::Skipped { path: None, .. }));
        assert_eq!(
            why(&entries[2]),
            "2 more members not read: over the limit of 2 members per archive"
        );
    }

    #[test]
    fn a_truncated_archive_yields_the_members_before_the_cut() {
        let bytes = zip_of(&[("a.txt", b"first", false), ("b.txt", &[b'b'; 300], false)]);
        let second = memchr::memmem::find_iter(&bytes, LOCAL_HEADER)
            .nth(1)
            .expect("two members");
        let entries = read(&bytes[..second + 100]);
        assert!(
            why(&entries[0]).starts_with("damaged ("),
            "{:?}",
            entries[0]
        );
        assert_eq!(entries[1], member("a.txt", b"first"));
        assert!(
            matches!(&entries[2], Entry::Unread { path: Some(p), .. } if p == "b.txt"),
            "{entries:?}"
        );
        assert_eq!(entries.len(), 3, "{entries:?}");
    }

    #[test]
    fn bytes_that_are_no_zip_are_unreadable() {
        assert!(matches!(
            Archive::open(b"not a zip at all", &Budget::default()),
            Err(ArchiveError::Unreadable(_))
        ));
        assert!(matches!(
            Archive::open(b"PK\x03\x04", &Budget::default()).map(|mut a| {
                let mut budget = Budget::default();
                std::iter::from_fn(|| a.next_entry(&mut budget)).count()
            }),
            Ok(2)
        ));
    }

    #[test]
    fn an_encrypted_member_is_reported_and_skipped() {
        let mut bytes = zip_of(&[("secret.xml", b"<x/>", false), ("open.csv", b"a,b", false)]);
        // Set the encryption flag (bit 0) in the first member's local and
        // central headers: no password can be tried, so none is needed.
        for at in [0, memchr::memmem::find(&bytes, b"PK\x01\x02").expect("dir")] {
            let flags = if at == 0 { at + 6 } else { at + 8 };
            bytes[flags] |= 1;
        }
        let entries = read(&bytes);
        assert!(
            matches!(&entries[0], Entry::Unread { path: Some(p), .. } if p == "secret.xml"),
            "{entries:?}"
        );
        assert!(why(&entries[0]).starts_with("encrypted"));
        assert_eq!(entries[1], member("open.csv", b"a,b"));
    }

    #[test]
    fn a_name_that_is_not_utf8_is_kept_recoverable() {
        let (path, note) = member_name(b"caf\x82.xml", Some("café.xml"));
        assert_eq!(path, "caf\u{fffd}.xml");
        assert_eq!(
            note.as_deref(),
            Some(
                "the member's name is not UTF-8: its stored bytes are `caf\\x82.xml` (as CP437: `café.xml`)"
            )
        );
        assert_eq!(member_name(b"a/b.xml", None), ("a/b.xml".into(), None));
    }

    #[test]
    fn a_workbook_is_told_from_an_export_by_its_directory() {
        let book = zip_of(&[
            ("[Content_Types].xml", b"<Types/>", true),
            ("xl/workbook.xml", b"<workbook/>", true),
        ]);
        assert_eq!(lists_workbook(&book), Some(true));
        let export = zip_of(&[("book.xlsx", &book, false)]);
        assert_eq!(lists_workbook(&export), Some(false));
        assert_eq!(lists_workbook(b"PK\x03\x04 cut"), None);
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let bytes = zip_of(&[
            ("a.txt", b"hello hello hello", true),
            ("b.txt", b"x", false),
        ]);
        for cut in 0..bytes.len() {
            let mut budget = Budget::default();
            if let Ok(mut a) = Archive::open(&bytes[..cut], &budget) {
                while a.next_entry(&mut budget).is_some() {}
            }
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0xff;
            let mut budget = Budget::default();
            if let Ok(mut a) = Archive::open(&flipped, &budget) {
                while a.next_entry(&mut budget).is_some() {}
            }
        }
    }
}
