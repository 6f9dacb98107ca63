//! Leaked files: what they say about who took them.
//!
//! Each kind of export carries the same forensic statement ([`statement`])
//! somewhere of its own: NEMSIS XML in two engravitures per patient care
//! report ([`nemsis`]), CSV and spreadsheet grid exports in a cell beyond the
//! rightmost column ([`grid`]), PDFs in a "Printed by" stamp on the pages
//! and in their metadata ([`pdf`]). A file's kind is decided from its content,
//! never its name ([`sniff`]). Bulk exports are ZIP archives of such files,
//! read member by member within limits ([`archive`]). How much of any one
//! file is read is bounded ([`intake`]).

pub mod archive;
pub mod examination;
pub mod grid;
pub mod intake;
pub mod nemsis;
pub mod pdf;
pub mod statement;

use statement::Statement;

/// Kinds of leaked files leaktrace reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// NEMSIS XML (root element `EMSDataSet`).
    Nemsis,
    /// Delimited text: a CSV grid export, also re-saved by Excel (`;`, tab,
    /// Windows-1252, UTF-16).
    Csv,
    /// An Excel workbook (a ZIP holding `xl/workbook.xml`).
    Xlsx,
    /// A PDF document (a run report or CMS-1500 form).
    Pdf,
    /// A ZIP archive (a bulk export): each member is examined.
    Zip,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nemsis => "nemsis",
            Kind::Csv => "csv",
            Kind::Xlsx => "xlsx",
            Kind::Pdf => "pdf",
            Kind::Zip => "zip",
        }
    }
}

/// Whom a file names, and how far that can be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    pub statement: Statement,
    /// False when only one copy survived, or the copies disagree and this is
    /// the one believed (see the report's verdict and warnings).
    pub verified: bool,
}

/// Bytes of a file's head that [`sniff`] needs.
pub const SNIFF_HEAD: usize = 64 << 10;

/// Decides a file's kind from its first bytes (up to [`SNIFF_HEAD`] are
/// enough). A ZIP whose head names workbook parts is taken for XLSX; with
/// the whole file at hand, [`sniff_whole`] checks its directory.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    // ZIP first: a bulk export whose first member is a PDF stored
    // uncompressed has `%PDF-` within its first kilobyte too.
    if head.starts_with(b"PK\x03\x04") {
        return Some(if grid::is_xlsx_zip(head) {
            Kind::Xlsx
        } else {
            Kind::Zip
        });
    }
    // The end record alone: an archive with no members.
    if head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    // Readers accept up to 1 KiB of junk before the PDF header (a mail
    // gateway's or a download script's leftovers).
    let start = &head[..head.len().min(1024 + 6)];
    if memchr::memmem::find_iter(start, b"%PDF-")
        .any(|at| start.get(at + 5).is_some_and(u8::is_ascii_digit))
    {
        return Some(Kind::Pdf);
    }
    if nemsis::is_nemsis(head) {
        return Some(Kind::Nemsis);
    }
    grid::looks_delimited(head).then_some(Kind::Csv)
}

/// Decides the kind of a whole file: [`sniff`] on its head, then, for what
/// looks like a workbook, the ZIP's directory. A bulk export that stores an
/// XLSX member uncompressed shows the member's part names in its head too;
/// its directory has no `xl/` part of its own.
pub fn sniff_whole(bytes: &[u8]) -> Option<Kind> {
    let kind = sniff(&bytes[..bytes.len().min(SNIFF_HEAD)])?;
    if kind == Kind::Xlsx && archive::lists_workbook(bytes) == Some(false) {
        return Some(Kind::Zip);
    }
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_heads_are_archives_unless_they_name_workbook_parts() {
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0report.xml"), Some(Kind::Zip));
        assert_eq!(sniff(b"PK\x05\x06\0\0"), Some(Kind::Zip));
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\0\0xl/workbook.xml"),
            Some(Kind::Xlsx)
        );
        // A stored PDF member: the archive, not the PDF.
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\0\0run.pdf%PDF-1.4\n"),
            Some(Kind::Zip)
        );
        assert_eq!(sniff(b"junk\n%PDF-1.7\n"), Some(Kind::Pdf));
    }

    #[test]
    fn a_head_that_looks_like_a_workbook_is_checked_against_the_directory() {
        // Cut short: no directory to ask, so the head decides.
        assert_eq!(
            sniff_whole(b"PK\x03\x04\x14\0\0\0xl/workbook.xml"),
            Some(Kind::Xlsx)
        );
    }
}
