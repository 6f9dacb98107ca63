//! The verdicts: decoding the base64 copy (eRecord.901), and judging a
//! file from its reports, with whom it names and whether that is verified.
//! Both the verdict ([`ReportsSeen`]) and the statements correlated by
//! `investigate` ([`ReportStatements`]) are gathered one report at a time,
//! so that a file of any number of reports is judged on all of them while
//! only the first are kept.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::super::Attribution;
use super::super::statement::Statement;
use super::scan::Reading;
use super::{FileVerdict, Pcr, PcrVerdict};

/// The base64 copy: all whitespace removed (it is wrapped at any width),
/// then decoded strictly. Bytes that are not UTF-8 are valid base64 of
/// something that is not a statement: said, not called unreadable.
pub(super) fn decode_901(text: &str) -> Reading {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let decoded = STANDARD.decode(&compact).map_err(|e| match e {
        base64::DecodeError::InvalidByte(at, b'=') => {
            format!(
                "invalid base64: misplaced padding '=' at character {}",
                at + 1
            )
        }
        base64::DecodeError::InvalidByte(at, b) => format!(
            "invalid base64: character {} is {}",
            at + 1,
            if b.is_ascii_graphic() {
                format!("'{}'", b as char)
            } else {
                format!("byte 0x{b:02X}")
            }
        ),
        base64::DecodeError::InvalidLength(n) => {
            format!(
                "invalid base64: {n} character{} cannot be a whole encoding",
                if n == 1 { "" } else { "s" }
            )
        }
        base64::DecodeError::InvalidLastSymbol { offset, .. } => {
            format!(
                "invalid base64: character {} ends the encoding with stray bits",
                offset + 1
            )
        }
        base64::DecodeError::InvalidPadding => "invalid base64: wrong padding".to_string(),
    });
    match decoded.map(String::from_utf8) {
        Ok(Ok(text)) => Reading::Text(Statement::parse(&text)),
        Ok(Err(e)) => Reading::NotText(format!(
            "decodes to {} bytes that are not UTF-8 text (from byte {})",
            e.as_bytes().len(),
            e.utf8_error().valid_up_to() + 1
        )),
        Err(why) => Reading::Unreadable(why),
    }
}

/// What the file's verdict and attribution need of its reports, gathered
/// one report at a time, so that the reports themselves need not be kept:
/// which verdicts occur, and the first statement of each kind the
/// attribution may fall back on.
#[derive(Debug, Default)]
pub(super) struct ReportsSeen {
    mismatch: bool,
    incomplete: bool,
    unengraved: bool,
    engraved: bool,
    /// The first statement a report stands for (see [`surviving`]), and
    /// whether a later one names someone else.
    first_surviving: Option<Statement>,
    first_surviving_parsed: Option<Statement>,
    mixed: bool,
    /// The plain copy of the first consistent report.
    consistent: Option<Statement>,
    /// The copies of the first mismatched reports that have them: the base64
    /// copy in the vendor's form, the plain copy, the base64 copy.
    mismatch_parsed_901: Option<Statement>,
    mismatch_900: Option<Statement>,
    mismatch_901: Option<Statement>,
}

/// Sets `slot` to `value` unless it holds one already.
fn first(slot: &mut Option<Statement>, value: Option<&Statement>) {
    if slot.is_none() {
        *slot = value.cloned();
    }
}

impl ReportsSeen {
    /// Counts one report, in file order.
    pub(super) fn add(&mut self, p: &Pcr) {
        match p.verdict {
            PcrVerdict::Mismatch => {
                self.mismatch = true;
                first(
                    &mut self.mismatch_parsed_901,
                    p.e901.as_ref().filter(|s| s.parsed),
                );
                first(&mut self.mismatch_900, p.e900.as_ref());
                first(&mut self.mismatch_901, p.e901.as_ref());
            }
            PcrVerdict::Consistent => first(&mut self.consistent, p.e900.as_ref()),
            PcrVerdict::Incomplete => self.incomplete = true,
            PcrVerdict::None => self.unengraved = true,
        }
        self.engraved |= p.verdict != PcrVerdict::None;
        if let Some(s) = surviving(p) {
            match &self.first_surviving {
                Some(f) => self.mixed |= !f.same_identity(s),
                None => self.first_surviving = Some(s.clone()),
            }
            first(
                &mut self.first_surviving_parsed,
                Some(s).filter(|s| s.parsed),
            );
        }
    }

    /// The file's verdict and whom it names. A damaged file is judged on the
    /// reports read before the damage, like a whole one, but its attribution
    /// is never verified: the rest of the file may say otherwise.
    pub(super) fn judge(self, damaged: bool) -> (FileVerdict, Option<Attribution>) {
        let verdict = self.reports_verdict();
        let attribution = self.attribution(verdict).map(|statement| Attribution {
            statement,
            verified: verdict == FileVerdict::Consistent && !damaged,
        });
        (
            if damaged {
                FileVerdict::Damaged
            } else {
                verdict
            },
            attribution,
        )
    }

    fn reports_verdict(&self) -> FileVerdict {
        if self.mismatch {
            FileVerdict::Mismatch
        } else if self.mixed {
            FileVerdict::Mixed
        } else if self.incomplete || (self.engraved && self.unengraved) {
            // A report without engravitures among engraved ones lost both
            // copies.
            FileVerdict::Incomplete
        } else if self.engraved {
            FileVerdict::Consistent
        } else {
            FileVerdict::None
        }
    }

    fn attribution(self, verdict: FileVerdict) -> Option<Statement> {
        match verdict {
            FileVerdict::Consistent => self.consistent,
            // The base64 copy is the one a wrongdoer who edited the plain
            // text missed.
            FileVerdict::Mismatch => self
                .mismatch_parsed_901
                .or(self.mismatch_900)
                .or(self.mismatch_901),
            FileVerdict::Incomplete => self
                .consistent
                .or(self.first_surviving_parsed)
                .or(self.first_surviving),
            FileVerdict::Mixed | FileVerdict::None | FileVerdict::Damaged => None,
        }
    }
}

/// The file's verdict and whom it names, from all of its reports.
#[cfg(test)]
pub(super) fn judge(pcrs: &[Pcr], damaged: bool) -> (FileVerdict, Option<Attribution>) {
    let mut tally = ReportsSeen::default();
    for p in pcrs {
        tally.add(p);
    }
    tally.judge(damaged)
}

/// The copy a report stands for: the agreed statement, or the only one.
fn surviving(p: &Pcr) -> Option<&Statement> {
    match p.verdict {
        PcrVerdict::Consistent => p.e900.as_ref(),
        PcrVerdict::Incomplete => p.e900.as_ref().or(p.e901.as_ref()),
        _ => None,
    }
}

/// The distinct statements of a file's reports, each with the reports that
/// carry it, gathered one report at a time: what `investigate` correlates.
/// A report whose copies disagree counts under its base64 copy, the one a
/// wrongdoer who edited the plain text missed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportStatements {
    /// In order of first appearance, at most [`MAX_STATEMENTS`]: statements
    /// of the same identity and time are one.
    pub groups: Vec<StatementGroup>,
    /// Reports that carry no statement.
    pub unsigned: u64,
    /// Reports whose statement is none of the first [`MAX_STATEMENTS`].
    pub beyond: u64,
}

/// One distinct statement of a file and the reports that carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementGroup {
    pub statement: Statement,
    /// Whether every report carrying it has both copies in agreement.
    pub verified: bool,
    pub reports: u64,
}

/// Distinct statements of one file told apart; reports with others are
/// counted in [`ReportStatements::beyond`].
pub const MAX_STATEMENTS: usize = 64;

impl ReportStatements {
    /// Counts one report.
    pub(super) fn add(&mut self, p: &Pcr) {
        let (statement, verified) = match p.verdict {
            PcrVerdict::Mismatch => (p.e901.as_ref().or(p.e900.as_ref()), false),
            PcrVerdict::Consistent => (p.e900.as_ref(), true),
            _ => (p.e900.as_ref().or(p.e901.as_ref()), false),
        };
        let Some(s) = statement else {
            self.unsigned += 1;
            return;
        };
        let known = self
            .groups
            .iter()
            .position(|g| g.statement.same_identity(s) && g.statement.produced_at == s.produced_at);
        match known {
            Some(i) => {
                let g = &mut self.groups[i];
                g.verified &= verified;
                g.reports += 1;
            }
            None if self.groups.len() < MAX_STATEMENTS => self.groups.push(StatementGroup {
                statement: s.clone(),
                verified,
                reports: 1,
            }),
            None => self.beyond += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{JANE, JOHN};
    use super::*;

    fn report(verdict: PcrVerdict, e900: Option<&str>, e901: Option<&str>) -> Pcr {
        Pcr {
            pcr: None,
            uuid: None,
            line: 1,
            verdict,
            e900: e900.map(Statement::parse),
            e901: e901.map(Statement::parse),
            e901_error: None,
        }
    }

    #[test]
    fn file_verdicts_in_order() {
        type Case = (Vec<Pcr>, FileVerdict, Option<(&'static str, bool)>);
        use PcrVerdict as P;
        let c = report(P::Consistent, Some(JANE), Some(JANE));
        let cj = report(P::Consistent, Some(JOHN), Some(JOHN));
        let m = report(P::Mismatch, Some(JOHN), Some(JANE));
        let i = report(P::Incomplete, None, Some(JANE));
        let ij = report(P::Incomplete, Some(JOHN), None);
        let n = report(P::None, None, None);
        let cases: Vec<Case> = vec![
            (vec![], FileVerdict::None, None),
            (vec![n.clone()], FileVerdict::None, None),
            (vec![c.clone()], FileVerdict::Consistent, Some((JANE, true))),
            (
                vec![c.clone(), m.clone(), cj.clone()],
                FileVerdict::Mismatch,
                Some((JANE, false)),
            ),
            (vec![c.clone(), cj.clone()], FileVerdict::Mixed, None),
            (vec![c.clone(), ij.clone()], FileVerdict::Mixed, None),
            (
                vec![i.clone(), c.clone()],
                FileVerdict::Incomplete,
                Some((JANE, false)),
            ),
            (
                vec![ij.clone()],
                FileVerdict::Incomplete,
                Some((JOHN, false)),
            ),
            (
                vec![n.clone(), c.clone()],
                FileVerdict::Incomplete,
                Some((JANE, false)),
            ),
            (
                vec![report(P::Mismatch, Some(JOHN), Some("junk"))],
                FileVerdict::Mismatch,
                Some((JOHN, false)),
            ),
            (
                vec![report(P::Mismatch, None, Some("junk"))],
                FileVerdict::Mismatch,
                Some(("junk", false)),
            ),
        ];
        for (pcrs, verdict, attribution) in cases {
            let (v, a) = judge(&pcrs, false);
            assert_eq!(v, verdict, "{pcrs:?}");
            let a = a.map(|a| (a.statement.text, a.verified));
            assert_eq!(a, attribution.map(|(t, v)| (t.to_string(), v)), "{pcrs:?}");
        }
        // Damaged: the same rules on what was read, never verified.
        let (v, a) = judge(std::slice::from_ref(&c), true);
        assert_eq!(
            (v, a.map(|a| a.verified)),
            (FileVerdict::Damaged, Some(false))
        );
        let (v, a) = judge(&[c, cj], true);
        assert_eq!((v, a), (FileVerdict::Damaged, None));
    }
}
