//! How an examined file is printed.

use serde_json::{Map, Value, json};

use super::{Cell, Context, Item};
use crate::artifact::grid::{GridVerdict, Signature};
use crate::artifact::nemsis::{FileVerdict, Pcr, PcrVerdict};
use crate::artifact::statement::Statement;
use crate::artifact::{Attribution, Kind};

/// The findings on one file, whatever its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Examination {
    pub file: String,
    pub sha256: String,
    pub kind: Kind,
    pub verdict: &'static str,
    pub attribution: Option<Attribution>,
    /// NEMSIS: the reports.
    pub pcrs: Option<Vec<Pcr>>,
    /// Grid exports: where the signature is.
    pub signature: Option<Signature>,
    pub warnings: Vec<String>,
}

pub fn pcr_verdict(v: PcrVerdict) -> &'static str {
    match v {
        PcrVerdict::Consistent => "consistent",
        PcrVerdict::Mismatch => "mismatch",
        PcrVerdict::Incomplete => "incomplete",
        PcrVerdict::None => "none",
    }
}

pub fn nemsis_verdict(v: FileVerdict) -> &'static str {
    match v {
        FileVerdict::Damaged => "damaged",
        FileVerdict::Mismatch => "mismatch",
        FileVerdict::Mixed => "mixed",
        FileVerdict::Incomplete => "incomplete",
        FileVerdict::Consistent => "consistent",
        FileVerdict::None => "none",
    }
}

pub fn grid_verdict(v: GridVerdict) -> &'static str {
    match v {
        GridVerdict::Signed => "signed",
        GridVerdict::SignedMoved => "signed_moved",
        GridVerdict::None => "none",
        GridVerdict::Damaged => "damaged",
    }
}

/// `{text, parsed, name, user_id, ip, produced_at, host, recipient}`.
fn statement_map(s: &Statement) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("text".into(), s.text.clone().into());
    m.insert("parsed".into(), s.parsed.into());
    m.insert("name".into(), s.name.clone().into());
    m.insert("user_id".into(), s.user_id.into());
    m.insert("ip".into(), s.ip.clone().into());
    m.insert(
        "produced_at".into(),
        s.produced_at.map(|t| t.to_string()).into(),
    );
    m.insert("host".into(), s.host.clone().into());
    m.insert("recipient".into(), s.recipient.clone().into());
    m
}

fn statement_json(s: Option<&Statement>) -> Value {
    s.map_or(Value::Null, |s| Value::Object(statement_map(s)))
}

impl Item for Examination {
    const FIELDS: &'static [&'static str] = &[
        "file",
        "sha256",
        "kind",
        "verdict",
        "attribution",
        "pcrs",
        "signature",
        "warnings",
    ];
    const TABLE: &'static [&'static str] = &[
        "File",
        "Kind",
        "Verdict",
        "Who",
        "When (local)",
        "IP",
        "Where",
    ];

    fn cells(&self, _ctx: &Context) -> Vec<Cell> {
        let attribution = self.attribution.as_ref().map_or(Value::Null, |a| {
            let mut m = statement_map(&a.statement);
            m.insert("verified".into(), a.verified.into());
            Value::Object(m)
        });
        let pcrs = self.pcrs.as_ref().map_or(Value::Null, |pcrs| {
            Value::Array(
                pcrs.iter()
                    .map(|p| {
                        json!({
                            "pcr": p.pcr,
                            "uuid": p.uuid,
                            "verdict": pcr_verdict(p.verdict),
                            "e900": statement_json(p.e900.as_ref()),
                            "e901": statement_json(p.e901.as_ref()),
                            "e901_error": p.e901_error,
                            "line": p.line,
                        })
                    })
                    .collect(),
            )
        });
        let signature = self.signature.as_ref().map_or(Value::Null, |s| {
            json!({"text": s.text, "row": s.row, "column": s.column, "sheet": s.sheet, "cell": s.cell})
        });
        vec![
            Cell::Text(self.file.clone()),
            Cell::Text(self.sha256.clone()),
            Cell::Text(self.kind.as_str().into()),
            Cell::Text(self.verdict.into()),
            Cell::Json(attribution),
            Cell::Json(pcrs),
            Cell::Json(signature),
            Cell::Json(Value::Array(
                self.warnings
                    .iter()
                    .map(|w| Value::String(w.clone()))
                    .collect(),
            )),
        ]
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let statement = self.attribution.as_ref().map(|a| &a.statement);
        let mut who = statement.map_or_else(|| "-".to_string(), who);
        if self.attribution.as_ref().is_some_and(|a| !a.verified) {
            who.push_str(" (unverified)");
        }
        let place = match &self.signature {
            Some(s) => match (&s.sheet, &s.cell) {
                (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
                _ => format!("row {}, column {}", s.row, s.column),
            },
            None => self
                .pcrs
                .as_ref()
                .map_or_else(String::new, |p| format!("{} reports", p.len())),
        };
        vec![
            self.file.clone(),
            self.kind.as_str().into(),
            self.verdict.into(),
            who,
            statement
                .and_then(|s| s.produced_at)
                .map_or_else(|| "-".into(), |t| ctx.zone.human(t)),
            statement
                .and_then(|s| s.ip.clone())
                .unwrap_or_else(|| "-".into()),
            place,
        ]
    }

    fn table_rows(&self, ctx: &Context) -> Vec<Vec<String>> {
        let mut rows = vec![self.table_row(ctx)];
        if ctx.verbose
            && let Some(pcrs) = &self.pcrs
        {
            for p in pcrs {
                let s = p.e901.as_ref().filter(|s| s.parsed).or(p.e900.as_ref());
                rows.push(vec![
                    format!("  PCR {}", p.pcr.as_deref().unwrap_or("?")),
                    p.uuid.clone().unwrap_or_default(),
                    pcr_verdict(p.verdict).into(),
                    s.map_or_else(|| "-".to_string(), who),
                    s.and_then(|s| s.produced_at)
                        .map_or_else(|| "-".into(), |t| ctx.zone.human(t)),
                    s.and_then(|s| s.ip.clone()).unwrap_or_else(|| "-".into()),
                    p.e901_error.clone().unwrap_or_default(),
                ]);
            }
        }
        rows
    }
}

/// A person (with ID), a registry, or the raw text of an unparsed statement.
fn who(s: &Statement) -> String {
    match (&s.name, s.user_id, &s.recipient) {
        (Some(n), Some(id), _) => format!("{n} (ID {id})"),
        (Some(n), None, _) => n.clone(),
        (None, _, Some(r)) => format!("for {r}"),
        _ => {
            let mut t: String = s.text.chars().take(40).collect();
            if s.text.chars().count() > 40 {
                t.push('…');
            }
            format!("raw: {t}")
        }
    }
}
