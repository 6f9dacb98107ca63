//! PDFs built for tests: raw bytes with a cross-reference table (to damage
//! and nest at will) and lopdf documents with a given ToUnicode CMap; used
//! by the tests of several of the modules.

use lopdf::{Document, Object, Stream, dictionary};

/// A PDF of these objects (numbered from 1: the catalog, the pages, one
/// page showing "Printed by Jane Doe", its content, its font), then
/// `more`, with a cross-reference table and `/Info info 0 R`.
pub(super) fn raw_pdf(more: &[&[u8]], info: Option<usize>) -> Vec<u8> {
    let content = b"BT /F1 10 Tf 50 700 Td (Printed by Jane Doe) Tj ET";
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    let mut objects: Vec<&[u8]> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R >> >> >>",
        &stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ];
    objects.extend_from_slice(more);
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend_from_slice(object);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for at in offsets {
        out.extend(format!("{at:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size {} /Root 1 0 R", objects.len() + 1).bytes());
    if let Some(info) = info {
        out.extend(format!(" /Info {info} 0 R").bytes());
    }
    out.extend(format!(" >>\nstartxref\n{xref}\n%%EOF\n").bytes());
    out
}

pub(super) fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

/// A document whose page shows `content` in a font /F1 with this
/// ToUnicode CMap and no /Encoding.
pub(super) fn cmap_doc(cmap: &[u8], content: &[u8]) -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let cmap = doc.add_object(Stream::new(dictionary! {}, cmap.to_vec()));
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "ToUnicode" => cmap,
    });
    let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc
}
