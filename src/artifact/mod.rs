//! Leaked files: what they say about who took them.
//!
//! Each kind of export carries the same forensic statement ([`statement`])
//! somewhere of its own: NEMSIS XML in two engravitures per patient care
//! report ([`nemsis`]), CSV and spreadsheet grid exports in a cell beyond the
//! rightmost column ([`grid`]), PDFs in a "Printed by" stamp on the pages
//! and in their metadata ([`pdf`]). A file's kind is decided from its content,
//! never its name ([`sniff`]).

pub mod grid;
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
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nemsis => "nemsis",
            Kind::Csv => "csv",
            Kind::Xlsx => "xlsx",
            Kind::Pdf => "pdf",
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

/// Decides a file's kind from its first bytes (up to 64 KiB are enough).
pub fn sniff(head: &[u8]) -> Option<Kind> {
    // Readers accept up to 1 KiB of junk before the PDF header (a mail
    // gateway's or a download script's leftovers).
    let start = &head[..head.len().min(1024 + 6)];
    if memchr::memmem::find_iter(start, b"%PDF-")
        .any(|at| start.get(at + 5).is_some_and(u8::is_ascii_digit))
    {
        return Some(Kind::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") {
        return grid::is_xlsx_zip(head).then_some(Kind::Xlsx);
    }
    if nemsis::is_nemsis(head) {
        return Some(Kind::Nemsis);
    }
    grid::looks_delimited(head).then_some(Kind::Csv)
}
