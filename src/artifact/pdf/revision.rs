//! Revisions: where each one ends in the bytes, what each says (its
//! metadata's identity and its stamp), and the changes from one to the
//! next, warned about.

use super::{
    Identity, PdfFindings, RevisionStatement, load, metadata, read_metadata, read_stamp, same_name,
};

/// The most revisions whose Info is read one by one (each is a full parse).
const MAX_REVISIONS: usize = 32;

/// Where each revision ends: after each `%%EOF` preceded by a `startxref`.
fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(bytes, b"%%EOF") {
        if memchr::memmem::rfind(&bytes[from..at], b"startxref").is_some() {
            let mut end = at + 5;
            while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
                end += 1;
            }
            ends.push(end);
            from = at + 5;
        }
    }
    ends
}

/// What one revision says: its metadata's identity and its stamp.
#[derive(Clone, Debug, Default)]
pub(super) struct Revision {
    pub(super) identity: Identity,
    pub(super) stamp: Option<String>,
}

impl Revision {
    /// Which of who, where, when and the printed name differ in `later`.
    pub(super) fn changes(&self, later: &Revision) -> Vec<&'static str> {
        let mut changed = self.identity.changes(&later.identity);
        let same_stamp = match (&self.stamp, &later.stamp) {
            (Some(a), Some(b)) => same_name(a, b),
            (a, b) => a == b,
        };
        if !same_stamp {
            changed.push("printed_by");
        }
        changed
    }

    fn describe(&self, field: &str) -> String {
        match field {
            "printed_by" => self.stamp.clone().unwrap_or_else(|| "(none)".into()),
            _ => self.identity.describe(field),
        }
    }
}

/// What the newest revision's cross-reference chain says of the others.
#[derive(Clone, Copy, Debug)]
pub(super) struct Linked {
    /// Revisions the chain links.
    pub(super) revisions: usize,
    pub(super) linearized: bool,
}

/// Reads each earlier revision's Info and pages and records who, where and
/// when each one says; returns them, oldest first.
pub(super) fn revisions(
    bytes: &[u8],
    linked: Linked,
    password: Option<&str>,
    newest: Revision,
    findings: &mut PdfFindings,
    warnings: &mut Vec<String>,
) -> Vec<Revision> {
    let Linked {
        revisions: linked,
        linearized,
    } = linked;
    let mut ends = revision_ends(bytes);
    // A linearized file has an extra first-page section with its own %%EOF.
    if linearized && ends.len() > linked {
        ends.remove(0);
    }
    if ends.len() > linked {
        warnings.push(format!(
            "the file holds {} revisions (each with %%EOF, xref and trailer) but its cross-reference chain links {linked}: \
             an update cut the link to older revisions; all were read",
            ends.len()
        ));
    }
    let count = linked.max(ends.len()).max(1);
    findings.revisions = count;
    let mut history = Vec::new();
    if count > 1 && ends.len() == count {
        let earlier = &ends[..ends.len() - 1];
        // The earliest revisions matter most (the download itself).
        if earlier.len() > MAX_REVISIONS {
            warnings.push(format!(
                "{count} revisions: revisions {} to {} were not read one by one",
                MAX_REVISIONS + 1,
                earlier.len()
            ));
        }
        for (i, &end) in earlier.iter().enumerate().take(MAX_REVISIONS) {
            let mut ignored = Vec::new();
            let revision = match load(&bytes[..end], password) {
                Ok(old) => Revision {
                    identity: metadata::identity(&read_metadata(&old, &bytes[..end], &mut ignored)),
                    stamp: read_stamp(&old, &mut ignored).1.map(|p| p.name),
                },
                Err(e) => {
                    warnings.push(format!(
                        "revision {} is not readable on its own: {e}",
                        i + 1
                    ));
                    Revision::default()
                }
            };
            history.push((i + 1, revision));
        }
    } else if count > 1 {
        warnings.push(format!(
            "{count} revisions, but their ends could not be found; only the newest was read"
        ));
    }
    history.push((count.max(1), newest));
    let mut previous: Option<&Revision> = None;
    for (number, revision) in &history {
        let changed = previous.map_or_else(Vec::new, |p| p.changes(revision));
        if let Some(p) = previous {
            for field in &changed {
                let what = match *field {
                    "printed_by" => "the printed name".to_string(),
                    field => format!("the metadata's {field}"),
                };
                warnings.push(format!(
                    "revision {number} changed {what}: {} → {}",
                    p.describe(field),
                    revision.describe(field)
                ));
            }
        }
        findings.revision_statements.push(RevisionStatement {
            revision: *number,
            statement: revision.identity.statement(),
            printed_by: revision.stamp.clone(),
            changed,
        });
        previous = Some(revision);
    }
    if history.len() > 1
        && findings
            .revision_statements
            .iter()
            .all(|r| r.changed.is_empty())
    {
        warnings.push(format!(
            "{count} revisions: the file was changed after it was made (incremental updates); who, where and when and the printed name stayed the same"
        ));
    }
    history.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use crate::artifact::pdf::testing::{nested, raw_pdf};
    use crate::artifact::pdf::{PdfVerdict, examine};

    #[test]
    fn every_revision_reads_a_too_deep_info_alike() {
        // Without it, the earlier revision named no one and the later one
        // Jane Doe: a rewrite that did not happen.
        let info = format!("<< /Author (Jane Doe) /Deep {} >>", nested("[", "]", 120));
        let mut bytes = raw_pdf(&[info.as_bytes()], Some(6));
        let xref = memchr::memmem::rfind(&bytes, b"\nxref\n").unwrap() + 1;
        let update = bytes.len();
        bytes.extend(b"7 0 obj\n(unused)\nendobj\n");
        let at = bytes.len();
        bytes.extend(
            format!(
                "xref\n7 1\n{update:010} 00000 n \ntrailer\n<< /Size 8 /Root 1 0 R /Info 6 0 R \
                 /Prev {xref} >>\nstartxref\n{at}\n%%EOF\n"
            )
            .bytes(),
        );
        let r = examine(&bytes, None);
        assert_eq!(r.findings.revisions, 2);
        assert_eq!(r.verdict, PdfVerdict::Consistent, "{:?}", r.warnings);
        assert!(
            r.findings
                .revision_statements
                .iter()
                .all(|s| s.changed.is_empty()),
            "{:?}",
            r.findings.revision_statements
        );
    }
}
