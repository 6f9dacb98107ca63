//! What the PDF reader is given. lopdf parses every object of a document
//! into memory when it loads it (a few KiB an object, and a copy of every
//! stream), so a file too large, or with too many objects, is not loaded at
//! all: the objects are counted in the bytes first, from what the file
//! declares (each trailer's `/Size`, each cross-reference stream's `/Index`)
//! and from what it holds (`obj` keywords, cross-reference table entries).

use super::size;

/// What a file may be to be loaded.
#[derive(Clone, Copy, Debug)]
pub(super) struct Admission {
    /// Bytes.
    pub(super) bytes: usize,
    /// Objects, declared or found.
    pub(super) objects: u64,
}

/// The most a PDF handed to the reader may be: a run report or a form is
/// well under a MiB; its copy in the reader's memory comes on top.
pub const MAX_PDF_BYTES: usize = 128 << 20;

/// The most objects a PDF handed to the reader may declare or hold. A
/// document of a few thousand pages has tens of thousands.
pub const MAX_PDF_OBJECTS: u64 = 100_000;

pub(super) const ADMISSION: Admission = Admission {
    bytes: MAX_PDF_BYTES,
    objects: MAX_PDF_OBJECTS,
};

/// Why a file is not handed to the reader, or `None` when it may be.
pub(super) fn refusal(bytes: &[u8], within: Admission) -> Option<String> {
    if bytes.len() > within.bytes {
        return Some(format!(
            "the file is {}, over the limit of {} for a PDF handed to the PDF reader",
            size(bytes.len() as u64),
            size(within.bytes as u64)
        ));
    }
    let counts = [
        (declared_size(bytes), "declares", "(its trailer's /Size)"),
        (
            declared_index(bytes),
            "declares",
            "(its cross-reference streams' /Index)",
        ),
        (keywords(bytes), "holds", "(obj keywords)"),
        (
            table_entries(bytes),
            "holds",
            "(cross-reference table entries)",
        ),
    ];
    counts
        .into_iter()
        .find(|(n, _, _)| *n > within.objects)
        .map(|(n, verb, how)| {
            format!(
                "it {verb} {n} objects {how}, over the limit of {} for a PDF handed to the PDF \
                 reader",
                within.objects
            )
        })
}

/// The unsigned integer at the start of `rest`, after white space.
fn number_after(rest: &[u8]) -> Option<u64> {
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let digits = rest[start..]
        .iter()
        .take(20)
        .take_while(|b| b.is_ascii_digit())
        .count();
    std::str::from_utf8(&rest[start..start + digits])
        .ok()?
        .parse()
        .ok()
}

/// The largest `/Size` (trailers and cross-reference streams carry it).
fn declared_size(bytes: &[u8]) -> u64 {
    memchr::memmem::find_iter(bytes, b"/Size")
        .filter_map(|at| number_after(&bytes[at + 5..]))
        .max()
        .unwrap_or(0)
}

/// The entries the `/Index` arrays of cross-reference streams declare, in
/// all (pairs of a first object and a count: the counts are summed).
fn declared_index(bytes: &[u8]) -> u64 {
    memchr::memmem::find_iter(bytes, b"/Index")
        .filter_map(|at| {
            let rest = &bytes[at + 6..(at + 6 + 4096).min(bytes.len())];
            let open = rest.iter().position(|b| !b.is_ascii_whitespace())?;
            if rest[open] != b'[' {
                return None;
            }
            let close = open + rest[open..].iter().position(|&b| b == b']')?;
            let inside = std::str::from_utf8(&rest[open + 1..close]).ok()?;
            let numbers: Vec<u64> = inside
                .split_ascii_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            Some(
                numbers
                    .chunks_exact(2)
                    .fold(0u64, |sum, pair| sum.saturating_add(pair[1])),
            )
        })
        .fold(0u64, u64::saturating_add)
}

/// `<number> <generation> obj` keywords: indirect objects in the file body.
fn keywords(bytes: &[u8]) -> u64 {
    memchr::memmem::find_iter(bytes, b"obj")
        .filter(|&at| {
            let before = &bytes[..at];
            let after = bytes.get(at + 3);
            after.is_none_or(|b| !b.is_ascii_alphanumeric())
                && before.last().is_some_and(u8::is_ascii_whitespace)
                && before[..before.len() - 1]
                    .iter()
                    .rev()
                    .find(|b| !b.is_ascii_whitespace())
                    .is_some_and(u8::is_ascii_digit)
        })
        .count() as u64
}

/// Entries of cross-reference tables in use (`0000012345 00000 n`).
fn table_entries(bytes: &[u8]) -> u64 {
    memchr::memmem::find_iter(bytes, b" n")
        .filter(|&at| {
            at >= 16
                && bytes[at - 16..at - 6].iter().all(u8::is_ascii_digit)
                && bytes[at - 6] == b' '
                && bytes[at - 5..at].iter().all(u8::is_ascii_digit)
                && bytes.get(at + 2).is_none_or(u8::is_ascii_whitespace)
        })
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::pdf::testing::raw_pdf;

    const SMALL: Admission = Admission {
        bytes: 1 << 20,
        objects: 7,
    };

    #[test]
    fn a_pdf_of_too_many_objects_is_not_handed_to_the_reader() {
        // A review measured 1.36 GB for a PDF of 400,000 pages: lopdf held
        // every object.
        let six = raw_pdf(&[b"<< /Author (Jane Doe) >>"], Some(6));
        assert_eq!(refusal(&six, SMALL), None);
        let seven = raw_pdf(&[b"(a)", b"(b)"], None);
        assert_eq!(
            refusal(&seven, SMALL).as_deref(),
            Some(
                "it declares 8 objects (its trailer's /Size), over the limit of 7 for a PDF \
                 handed to the PDF reader"
            )
        );
        // A trailer that lies is caught by what the file holds.
        let eight = String::from_utf8(raw_pdf(&[b"(a)", b"(b)", b"(c)"], None)).unwrap();
        let lying = eight.replace("/Size 9", "/Size 1");
        assert_eq!(
            refusal(lying.as_bytes(), SMALL).as_deref(),
            Some(
                "it holds 8 objects (obj keywords), over the limit of 7 for a PDF handed to \
                 the PDF reader"
            )
        );
        let index = b"<< /Type /XRef /Size 2 /Index [0 2 10 3] /W [1 2 1] >>";
        assert_eq!(declared_index(index), 5);
        assert_eq!(
            refusal(&vec![b' '; 2 << 20], SMALL).as_deref(),
            Some("the file is 2 MiB, over the limit of 1 MiB for a PDF handed to the PDF reader")
        );
    }

    #[test]
    fn table_entries_and_keywords_are_told_from_lookalikes() {
        let table = b"xref\n0 3\n0000000000 65535 f \n0000000015 00000 n \n0000000099 00000 n\r\n";
        assert_eq!(table_entries(table), 2);
        assert_eq!(
            keywords(b"1 0 obj\n(x)\nendobj\n2 0\nobj (objective) 3 0 objx"),
            2
        );
    }
}
