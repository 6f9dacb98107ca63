//! What examining a leaked file found, as data: one [`Examination`] per
//! file, whatever its kind.
//!
//! A file is examined by its kind, decided from its content; a ZIP archive
//! (a bulk export) is opened and each member examined in archive order, a
//! ZIP inside it too (one level), within the limits of
//! [`archive`](super::archive). No more of an input is read than the limit
//! of its kind ([`intake`]). [`examine_input`] and [`examine_bytes`] return
//! what was found, and what could not be read; `examine` prints it and
//! `investigate` weighs it against the logs.

use std::fs::File;
use std::io::{self, BufReader, Read};

use sha2::{Digest, Sha256};

use super::archive::{Archive, Budget, Entry, MAX_NESTING, Member};
use super::grid::Signature;
use super::intake::{self, Bounded};
use super::nemsis::{Pcr, ReportStatements};
use super::pdf::PdfFindings;
use super::{Attribution, Kind, SNIFF_HEAD, grid, nemsis, pdf};
use crate::digest::{hex, sha256};
use crate::w3c::Input;

/// The kinds named when a file is of none of them.
pub const KINDS: &str = "NEMSIS XML, CSV, XLSX, PDF, ZIP";

/// The findings on one file, whatever its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Examination {
    /// The file's name; for a member of a ZIP archive
    /// `<archive>!<member path>` (`<archive>!<inner.zip>!<member>` nested).
    pub file: String,
    /// The file's own SHA-256 (a member's, for a member of an archive).
    pub sha256: String,
    /// For a member of a ZIP archive: the outermost archive's SHA-256, the
    /// file as it was downloaded.
    pub archive_sha256: Option<String>,
    pub kind: Kind,
    pub verdict: &'static str,
    pub attribution: Option<Attribution>,
    /// Patient records the file holds: NEMSIS reports, grid data rows
    /// (`None` for PDFs: not counted).
    pub records: Option<u64>,
    /// Grid exports: the header's column names.
    pub columns: Option<Vec<String>>,
    /// NEMSIS: the reports, at most the first
    /// [`MAX_LISTED_REPORTS`](crate::artifact::nemsis::MAX_LISTED_REPORTS)
    /// (`records` counts them all).
    pub pcrs: Option<Vec<Pcr>>,
    /// NEMSIS: the distinct statements of all the reports, with their
    /// counts, for `investigate` (not printed).
    pub statements: Option<ReportStatements>,
    /// Grid exports: where the signature is.
    pub signature: Option<Signature>,
    /// PDFs: the stamp, the metadata and the revisions.
    pub pdf: Option<PdfFindings>,
    pub warnings: Vec<String>,
}

impl Examination {
    /// The findings every kind has; the kind's own are added by its caller.
    fn of(
        file: String,
        sha256: String,
        kind: Kind,
        verdict: &'static str,
        attribution: Option<Attribution>,
        warnings: Vec<String>,
    ) -> Examination {
        Examination {
            file,
            sha256,
            archive_sha256: None,
            kind,
            verdict,
            attribution,
            records: None,
            columns: None,
            pcrs: None,
            statements: None,
            signature: None,
            pdf: None,
            warnings,
        }
    }
}

/// What examining one input found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Examined {
    /// Of no kind leaktrace examines (and not forced with `--as`).
    Unknown,
    /// A file of a known kind (boxed: an examination is large).
    File(Box<Examination>),
    /// A ZIP archive: its examinable members, and what was not examined.
    Archive(ArchiveReport),
}

impl Examined {
    /// The examinations, in order: one for a file, one per examinable
    /// member of an archive, none for an unknown file.
    pub fn files(&self) -> &[Examination] {
        match self {
            Examined::Unknown => &[],
            Examined::File(found) => std::slice::from_ref(found),
            Examined::Archive(report) => &report.files,
        }
    }

    pub fn into_files(self) -> Vec<Examination> {
        match self {
            Examined::Unknown => Vec::new(),
            Examined::File(found) => vec![*found],
            Examined::Archive(report) => report.files,
        }
    }
}

/// What a ZIP archive held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveReport {
    /// The archive's display name.
    pub file: String,
    /// The archive's own SHA-256 (each member's is in its examination).
    pub sha256: String,
    /// Members of the archive itself, read or not (directories are not
    /// members); 0 for an empty archive or one that could not be opened.
    pub members: u64,
    /// One per examinable member, in archive order; the members of a nested
    /// archive in its place. `file` is `<archive>!<member path>`.
    pub files: Vec<Examination>,
    /// What was not examined and why, in archive order.
    pub notes: Vec<ArchiveNote>,
}

impl ArchiveReport {
    /// Whether something could not be read (the run's exit status is 1).
    pub fn failed(&self) -> bool {
        self.notes.iter().any(|n| n.failed)
    }

    /// Why nothing in the archive was examined, when nothing was and no
    /// failure explains it: such an archive is reported like a file of no
    /// known kind.
    pub fn nothing_examined(&self) -> Option<String> {
        (self.files.is_empty() && !self.failed()).then(|| nothing_examined(self.members))
    }
}

/// Something in an archive that was not examined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveNote {
    /// The archive (`x.zip`), a member (`x.zip!dir/a.bin`) or a member of a
    /// nested archive (`x.zip!inner.zip!b.xml`).
    pub file: String,
    pub why: String,
    /// True for what could not be read (a damaged or encrypted member, a
    /// limit reached, an archive that does not open): evidence that went
    /// unexamined. False for what was passed over (a member of no known
    /// kind, an archive nested too deep, members past the count limit).
    pub failed: bool,
}

/// Examines one input: a file of a known kind, or a ZIP archive member by
/// member. `forced` (`--as`) applies to the input itself, not to the members
/// of an archive. An error is one reading the input, or the input being
/// over the limit of its kind ([`intake`]: of kind
/// [`io::ErrorKind::FileTooLarge`], and no SHA-256 is claimed); what goes
/// wrong inside an archive is in its [`ArchiveReport`].
pub fn examine_input(
    input: &Input,
    forced: Option<Kind>,
    password: Option<&str>,
) -> io::Result<Examined> {
    let (mut source, regular_size): (Box<dyn Read>, _) = match input {
        Input::Stdin => (Box::new(io::stdin().lock()), None),
        Input::File { path, .. } => {
            let file = File::open(path)?;
            let size = intake::regular_size(&file);
            (Box::new(file), size)
        }
    };
    let mut head = Vec::with_capacity(SNIFF_HEAD);
    (&mut source)
        .take(SNIFF_HEAD as u64)
        .read_to_end(&mut head)?;
    let file = input.display_name().to_string();
    let Some(kind) = forced.or_else(|| super::sniff(&head)) else {
        return Ok(Examined::Unknown);
    };
    // Nothing past the kind's limit is read: a regular file over it is
    // refused from its size, anything else stops one byte past it.
    let (limit, what) = intake::limit(kind);
    intake::check_size(regular_size, limit, &what)?;
    let rest =
        Bounded::new(source, limit.saturating_sub(head.len() as u64), &what).reporting(limit);
    if kind == Kind::Nemsis {
        return stream_nemsis(file, head, rest).map(|found| Examined::File(Box::new(found)));
    }
    let mut bytes = head;
    intake::read_held(rest, &mut bytes, regular_size)?;
    Ok(examine_bytes(&file, &bytes, forced, password))
}

/// Examines NEMSIS XML as it streams in: its `head`, then `rest`. The hash
/// is taken as the parser reads, and whatever the parser leaves (after
/// damage) is read to the end for the hash. An error reading (a limit
/// reached, from a [`Bounded`] `rest`) gives no examination, so no hash is
/// claimed of bytes that were not read.
fn stream_nemsis(file: String, head: Vec<u8>, rest: impl Read) -> io::Result<Examination> {
    let mut hasher = Sha256::new();
    let mut reader = Hashing {
        inner: io::Cursor::new(head).chain(rest),
        hasher: &mut hasher,
    };
    let report = nemsis::examine(BufReader::new(&mut reader));
    io::copy(&mut reader, &mut io::sink())?;
    Ok(nemsis_examination(
        file,
        hex(hasher.finalize().as_slice()),
        report,
    ))
}

/// Examines a file held in memory, named `file` in the findings: its kind
/// is `forced` or decided from the content; a ZIP archive is examined member
/// by member.
pub fn examine_bytes(
    file: &str,
    bytes: &[u8],
    forced: Option<Kind>,
    password: Option<&str>,
) -> Examined {
    match forced.or_else(|| super::sniff_whole(bytes)) {
        None => Examined::Unknown,
        Some(Kind::Zip) => Examined::Archive(examine_archive(file, bytes, password)),
        Some(kind) => examine_file(file.to_string(), kind, bytes, password)
            .map_or(Examined::Unknown, |found| Examined::File(Box::new(found))),
    }
}

/// Examines a file of a known kind; `None` for an archive, which is not one
/// file (see [`examine_archive`]).
fn examine_file(
    file: String,
    kind: Kind,
    bytes: &[u8],
    password: Option<&str>,
) -> Option<Examination> {
    let sha256 = sha256(bytes);
    let found = match kind {
        Kind::Zip => return None,
        Kind::Nemsis => {
            let report = nemsis::examine(bytes);
            nemsis_examination(file, sha256, report)
        }
        Kind::Pdf => {
            let report = pdf::examine(bytes, password);
            Examination {
                pdf: Some(report.findings),
                ..Examination::of(
                    file,
                    sha256,
                    kind,
                    report.verdict.as_str(),
                    report.attribution,
                    report.warnings,
                )
            }
        }
        Kind::Csv | Kind::Xlsx => {
            let report = if kind == Kind::Csv {
                grid::examine_csv(bytes)
            } else {
                grid::examine_xlsx(bytes)
            };
            Examination {
                records: Some(report.data_rows),
                columns: Some(report.columns),
                signature: report.signature,
                ..Examination::of(
                    file,
                    sha256,
                    kind,
                    report.verdict.as_str(),
                    report.attribution,
                    report.warnings,
                )
            }
        }
    };
    Some(found)
}

/// Examines each member of a ZIP archive named `file`.
fn examine_archive(file: &str, bytes: &[u8], password: Option<&str>) -> ArchiveReport {
    let sha256 = sha256(bytes);
    let mut walk = Walk {
        archive_sha256: sha256.clone(),
        password,
        budget: Budget::default(),
        listed: nemsis::MAX_LISTED_REPORTS,
        files: Vec::new(),
        notes: Vec::new(),
    };
    let members = walk.archive(file, bytes, 0).unwrap_or(0);
    ArchiveReport {
        file: file.to_string(),
        sha256,
        members,
        files: walk.files,
        notes: walk.notes,
    }
}

/// Why an archive in which nothing was examined (and nothing failed) is
/// passed over.
fn nothing_examined(members: u64) -> String {
    if members == 0 {
        "an empty ZIP archive: nothing to examine".into()
    } else {
        format!("a ZIP archive with no member of a kind leaktrace examines ({KINDS})")
    }
}

/// One outermost archive being read, nested archives included.
struct Walk<'p> {
    /// The outermost archive's hash: the one a member's custody goes back to.
    archive_sha256: String,
    password: Option<&'p str>,
    /// Shared with nested archives, so nesting cannot multiply it.
    budget: Budget,
    /// NEMSIS reports the archive's members may still list between them:
    /// each member's own limit, times thousands of members, would hold
    /// millions of reports.
    listed: usize,
    files: Vec<Examination>,
    notes: Vec<ArchiveNote>,
}

impl Walk<'_> {
    /// Reads the archive named `name` (`depth` archives down); the members
    /// it has, or `None` when it does not open.
    fn archive(&mut self, name: &str, bytes: &[u8], depth: usize) -> Option<u64> {
        let mut archive = match Archive::open(bytes, &self.budget) {
            Ok(archive) => archive,
            Err(e) => {
                self.note(name.to_string(), e.to_string(), true);
                return None;
            }
        };
        while let Some(entry) = archive.next_entry(&mut self.budget) {
            let at = |path: Option<String>| {
                path.map_or_else(|| name.to_string(), |p| format!("{name}!{p}"))
            };
            match entry {
                Entry::Member(member) => self.member(name, member, depth),
                Entry::Unread { path, why } => self.note(at(path), why, true),
                Entry::Skipped { path, why } => self.note(at(path), why, false),
            }
        }
        Some(archive.members())
    }

    fn member(&mut self, archive_name: &str, member: Member, depth: usize) {
        let file = format!("{archive_name}!{}", member.path);
        let named = |why: String| match &member.name_note {
            Some(note) => format!("{why} ({note})"),
            None => why,
        };
        match super::sniff_whole(&member.bytes) {
            Some(Kind::Zip) if depth < MAX_NESTING => {
                let before = (self.files.len(), self.notes.len());
                let opened = self.archive(&file, &member.bytes, depth + 1);
                if let Some(members) = opened
                    && before == (self.files.len(), self.notes.len())
                {
                    self.note(
                        file.clone(),
                        named(format!("{}; skipped", nothing_examined(members))),
                        false,
                    );
                } else if let Some(note) = &member.name_note {
                    self.note(file, note.clone(), false);
                }
            }
            Some(Kind::Zip) => self.note(
                file,
                named(format!(
                    "a ZIP archive nested more than {MAX_NESTING} level{} deep: not opened",
                    if MAX_NESTING == 1 { "" } else { "s" }
                )),
                false,
            ),
            Some(kind) => {
                let Some(mut found) = examine_file(file, kind, &member.bytes, self.password) else {
                    return;
                };
                found.archive_sha256 = Some(self.archive_sha256.clone());
                if let Some(note) = member.name_note {
                    found.warnings.insert(0, note);
                }
                self.cap_listed(&mut found);
                self.files.push(found);
            }
            None => self.note(
                file,
                named(format!("not a kind leaktrace examines ({KINDS}); skipped")),
                false,
            ),
        }
    }

    /// Keeps the reports a NEMSIS member lists within what the archive may
    /// still list; the others stay counted in its `records`.
    fn cap_listed(&mut self, found: &mut Examination) {
        let Some(pcrs) = &mut found.pcrs else {
            return;
        };
        if pcrs.len() > self.listed {
            let unlisted = pcrs.len() - self.listed;
            pcrs.truncate(self.listed);
            pcrs.shrink_to_fit();
            found.warnings.push(format!(
                "{unlisted} report{} not listed: the archive's members list {} reports at most \
                 between them (the limit per archive); counted in the records and judged in the \
                 verdict all the same",
                if unlisted == 1 { " is" } else { "s are" },
                nemsis::MAX_LISTED_REPORTS
            ));
        }
        self.listed -= pcrs.len();
    }

    fn note(&mut self, file: String, why: String, failed: bool) {
        self.notes.push(ArchiveNote { file, why, failed });
    }
}

/// A reader that hashes what passes through it.
struct Hashing<'h, R> {
    inner: R,
    hasher: &'h mut Sha256,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The examination of a NEMSIS file.
fn nemsis_examination(file: String, sha256: String, report: nemsis::NemsisReport) -> Examination {
    Examination {
        records: Some(report.reports),
        pcrs: Some(report.pcrs),
        statements: Some(report.statements),
        ..Examination::of(
            file,
            sha256,
            Kind::Nemsis,
            report.verdict.as_str(),
            report.attribution,
            report.warnings,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nemsis_stream_that_never_ends_stops_at_the_limit() {
        // `examine --as nemsis /dev/zero` never ended: after the parser
        // stopped on the damage, the rest was read for the hash for ever.
        let what = "NEMSIS XML (streamed)";
        let endless = Bounded::new(io::repeat(0), 1 << 20, what);
        let e = stream_nemsis("zero".into(), b"<EMSDataSet>".to_vec(), endless).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            e.to_string(),
            "longer than 1 MiB, the limit for NEMSIS XML (streamed): read no further"
        );
        // Damaged but within the limit: examined, and hashed to the end.
        let rest = b"</Oops>junk after the damage".repeat(1000);
        let found = stream_nemsis(
            "damaged".into(),
            b"<EMSDataSet>".to_vec(),
            Bounded::new(&rest[..], 1 << 20, what),
        )
        .unwrap();
        assert_eq!(found.verdict, "damaged");
        assert_eq!(
            found.sha256,
            sha256(&[&b"<EMSDataSet>"[..], &rest].concat())
        );
    }
}
