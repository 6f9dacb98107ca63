//! How an examined file is printed.

use serde_json::{Map, Value, json};

use super::{Cell, Column, Context, Item, Keep};
use crate::artifact::examination::Examination;
use crate::artifact::nemsis::{Pcr, PcrVerdict};
use crate::artifact::pdf::PdfFindings;
use crate::artifact::statement::Statement;

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

/// A statement as a JSON object, `null` when there is none.
pub fn statement_json(s: Option<&Statement>) -> Value {
    s.map_or(Value::Null, |s| Value::Object(statement_map(s)))
}

impl Item for Examination {
    const FIELDS: &'static [&'static str] = &[
        "file",
        "sha256",
        "archive_sha256",
        "kind",
        "verdict",
        "attribution",
        "pcrs",
        "signature",
        "records",
        "columns",
        "warnings",
        "printed_by",
        "metadata_statement",
        "metadata",
        "revisions",
        "revision_statements",
        "encrypted",
    ];
    const TABLE: &'static [Column] = &[
        Column::shrink("File", Keep::End, 14),
        Column::optional("Kind", 2),
        Column::whole("Verdict"),
        Column::shrink("Who", Keep::Start, 22),
        Column::whole("When (local)"),
        Column::optional("IP", 3),
        Column::optional("Where", 1),
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
                            "verdict": p.verdict.as_str(),
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
        let pdf = self.pdf.as_ref();
        let printed_by = pdf.and_then(|p| p.printed_by.as_ref()).map_or(
            Value::Null,
            |p| json!({"name": p.name, "text": p.text, "pages": p.pages}),
        );
        let metadata = pdf.map_or(Value::Null, |p| {
            let mut m = Map::new();
            for (k, v) in &p.metadata {
                m.insert(k.clone(), v.clone().into());
            }
            Value::Object(m)
        });
        let revision_statements = pdf.map_or(Value::Null, |p| {
            Value::Array(
                p.revision_statements
                    .iter()
                    .map(|r| {
                        json!({
                            "revision": r.revision,
                            "statement": statement_json(r.statement.as_ref()),
                            "printed_by": r.printed_by,
                            "changed": r.changed,
                        })
                    })
                    .collect(),
            )
        });
        vec![
            super::file_cell(&self.file),
            Cell::Text(self.sha256.clone()),
            self.archive_sha256.clone().into(),
            Cell::Text(self.kind.as_str().into()),
            Cell::Text(self.verdict.into()),
            Cell::Json(attribution),
            Cell::Json(pcrs),
            Cell::Json(signature),
            self.records.into(),
            Cell::Json(
                self.columns
                    .as_ref()
                    .map_or(Value::Null, |c| c.clone().into()),
            ),
            Cell::Json(Value::Array(
                self.warnings
                    .iter()
                    .map(|w| Value::String(w.clone()))
                    .collect(),
            )),
            Cell::Json(printed_by),
            Cell::Json(pdf.map_or(Value::Null, |p| {
                statement_json(p.metadata_statement.as_ref())
            })),
            Cell::Json(metadata),
            Cell::Json(pdf.map_or(Value::Null, |p| p.revisions.into())),
            Cell::Json(revision_statements),
            Cell::Json(pdf.map_or(Value::Null, |p| p.encrypted.into())),
        ]
    }

    fn table_row(&self, ctx: &Context) -> Vec<String> {
        let statement = self.attribution.as_ref().map(|a| &a.statement);
        let who = match (self.disagreeing_report(), statement) {
            (Some(p), Some(s)) => copy_label(p, s),
            (None, Some(s)) => {
                let mut who = who(s);
                if self.attribution.as_ref().is_some_and(|a| !a.verified) {
                    who.push_str(" (unverified)");
                }
                who
            }
            (_, None) => "-".to_string(),
        };
        let place = match &self.signature {
            Some(s) => match (&s.sheet, &s.cell) {
                (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
                _ => format!("row {}, column {}", s.row, s.column),
            },
            None => match (&self.pcrs, &self.pdf) {
                (Some(p), _) => super::counted(self.records.unwrap_or(p.len() as u64), "report"),
                (None, Some(pdf)) => pdf_place(pdf),
                (None, None) => String::new(),
            },
        };
        vec![
            self.file.clone(),
            self.kind.as_str().into(),
            self.verdict.into(),
            who,
            when(statement, ctx),
            ip(statement),
            place,
        ]
    }

    /// The file's row; below a NEMSIS file whose copies disagree, the copy
    /// not believed (the table names both, as the JSON does); with
    /// `--verbose`, a row for each report (and its other copy).
    fn table_rows(&self, ctx: &Context) -> Vec<Vec<String>> {
        let mut rows = vec![self.table_row(ctx)];
        let other_copy = |p: &Pcr, believed: &Statement| {
            let (label, s) = other_copy(p, believed);
            vec![
                String::new(),
                String::new(),
                String::new(),
                label,
                when(s, ctx),
                ip(s),
                String::new(),
            ]
        };
        if let (Some(p), Some(a)) = (self.disagreeing_report(), &self.attribution) {
            rows.push(other_copy(p, &a.statement));
        }
        if ctx.verbose
            && let Some(pcrs) = &self.pcrs
        {
            for p in pcrs {
                let s = p.e901.as_ref().filter(|s| s.parsed).or(p.e900.as_ref());
                let mismatch = p.verdict == PcrVerdict::Mismatch;
                rows.push(vec![
                    format!("  PCR {}", p.pcr.as_deref().unwrap_or("?")),
                    p.uuid.clone().unwrap_or_default(),
                    p.verdict.as_str().into(),
                    match s {
                        Some(s) if mismatch => copy_label(p, s),
                        Some(s) => who(s),
                        None => "-".to_string(),
                    },
                    when(s, ctx),
                    ip(s),
                    p.e901_error.clone().unwrap_or_default(),
                ]);
                if let (Some(s), true) = (s, mismatch) {
                    rows.push(other_copy(p, s));
                }
            }
        }
        rows
    }
}

impl Examination {
    /// The NEMSIS report whose two copies disagree and that the attribution
    /// comes from.
    fn disagreeing_report(&self) -> Option<&Pcr> {
        let believed = &self.attribution.as_ref()?.statement;
        self.pcrs.as_ref()?.iter().find(|p| {
            p.verdict == PcrVerdict::Mismatch
                && (p.e901.as_ref() == Some(believed) || p.e900.as_ref() == Some(believed))
        })
    }
}

/// Whether `believed` is the report's plain copy (eRecord.900) rather than
/// its base64 copy (eRecord.901).
fn believes_plain(p: &Pcr, believed: &Statement) -> bool {
    p.e900.as_ref() == Some(believed) && p.e901.as_ref() != Some(believed)
}

/// The believed copy of a report whose copies disagree, labelled:
/// `base64: Jane Doe (ID 16)`.
fn copy_label(p: &Pcr, believed: &Statement) -> String {
    let copy = if believes_plain(p, believed) {
        "plain"
    } else {
        "base64"
    };
    format!("{copy}: {}", who(believed))
}

/// The other copy, labelled (`plain: John Smith`), and its statement; a
/// base64 copy that is no statement says why.
fn other_copy<'a>(p: &'a Pcr, believed: &Statement) -> (String, Option<&'a Statement>) {
    let (copy, s, error) = if believes_plain(p, believed) {
        ("base64", p.e901.as_ref(), p.e901_error.as_deref())
    } else {
        ("plain", p.e900.as_ref(), None)
    };
    let text = match (s, error) {
        (Some(s), _) => who(s),
        (None, Some(e)) => e.to_string(),
        (None, None) => "-".to_string(),
    };
    (format!("{copy}: {text}"), s)
}

fn when(s: Option<&Statement>, ctx: &Context) -> String {
    s.and_then(|s| s.produced_at)
        .map_or_else(|| "-".into(), |t| ctx.zone.human(t))
}

fn ip(s: Option<&Statement>) -> String {
    s.and_then(|s| s.ip.clone()).unwrap_or_else(|| "-".into())
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

/// Where a PDF names someone: the stamp's pages, the metadata, revisions.
fn pdf_place(pdf: &PdfFindings) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &pdf.printed_by {
        let pages: Vec<String> = p.pages.iter().take(5).map(ToString::to_string).collect();
        let more = if p.pages.len() > 5 { ", …" } else { "" };
        parts.push(format!(
            "printed, page{} {}{more}",
            if p.pages.len() == 1 { "" } else { "s" },
            pages.join(", ")
        ));
    }
    if pdf.metadata_statement.is_some() {
        parts.push("metadata".to_string());
    }
    if pdf.revisions > 1 {
        parts.push(format!("{} revisions", pdf.revisions));
    }
    parts.join("; ")
}
