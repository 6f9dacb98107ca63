//! The verdicts: decoding the base64 copy (eRecord.901), and judging a
//! file from its reports, with whom it names and whether that is verified.

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
            format!("invalid base64: {n} characters cannot be a whole encoding")
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

/// The file's verdict and whom it names. A damaged file is judged on the
/// reports read before the damage, like a whole one, but its attribution
/// is never verified: the rest of the file may say otherwise.
pub(super) fn judge(pcrs: &[Pcr], damaged: bool) -> (FileVerdict, Option<Attribution>) {
    let verdict = reports_verdict(pcrs);
    let attribution = attribution(pcrs, verdict).map(|statement| Attribution {
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

/// The copy a report stands for: the agreed statement, or the only one.
fn surviving(p: &Pcr) -> Option<&Statement> {
    match p.verdict {
        PcrVerdict::Consistent => p.e900.as_ref(),
        PcrVerdict::Incomplete => p.e900.as_ref().or(p.e901.as_ref()),
        _ => None,
    }
}

fn reports_verdict(pcrs: &[Pcr]) -> FileVerdict {
    let has = |v: PcrVerdict| pcrs.iter().any(|p| p.verdict == v);
    if has(PcrVerdict::Mismatch) {
        return FileVerdict::Mismatch;
    }
    let mut named = pcrs.iter().filter_map(surviving);
    if let Some(first) = named.next()
        && named.any(|s| !first.same_identity(s))
    {
        return FileVerdict::Mixed;
    }
    let engraved = pcrs.iter().any(|p| p.verdict != PcrVerdict::None);
    // A report without engravitures among engraved ones lost both copies.
    if has(PcrVerdict::Incomplete) || (engraved && has(PcrVerdict::None)) {
        return FileVerdict::Incomplete;
    }
    if engraved {
        FileVerdict::Consistent
    } else {
        FileVerdict::None
    }
}

fn attribution(pcrs: &[Pcr], verdict: FileVerdict) -> Option<Statement> {
    let first = |v: PcrVerdict| pcrs.iter().filter(move |p| p.verdict == v);
    match verdict {
        FileVerdict::Consistent => first(PcrVerdict::Consistent).find_map(|p| p.e900.clone()),
        // The base64 copy is the one a wrongdoer who edited the plain text
        // missed.
        FileVerdict::Mismatch => first(PcrVerdict::Mismatch)
            .find_map(|p| p.e901.clone().filter(|s| s.parsed))
            .or_else(|| first(PcrVerdict::Mismatch).find_map(|p| p.e900.clone()))
            .or_else(|| first(PcrVerdict::Mismatch).find_map(|p| p.e901.clone())),
        FileVerdict::Incomplete => first(PcrVerdict::Consistent)
            .find_map(|p| p.e900.clone())
            .or_else(|| {
                pcrs.iter()
                    .filter_map(surviving)
                    .find(|s| s.parsed)
                    .cloned()
            })
            .or_else(|| pcrs.iter().find_map(surviving).cloned()),
        FileVerdict::Mixed | FileVerdict::None | FileVerdict::Damaged => None,
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
