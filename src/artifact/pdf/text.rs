//! Page text as a reader sees it: words spaced and lines broken where the
//! positioning operators put them.
//!
//! Content streams are decoded (every filter lopdf supports, each bounded),
//! their operators walked with the text state (`Tf`, `Td`, `TD`, `Tm`, `T*`,
//! `'`, `"`, `Tc`, `Tw`, `Tz`, `TL`) and the transformation matrix (`cm`,
//! `q`/`Q`, a form's `/Matrix`), and glyph advances taken from the font
//! widths (the standard fonts' own when a PDF leaves them out). Measured
//! along the baseline, a gap wider than a fifth of the font size becomes a
//! space, one wider than one and a half a double space (a column or tab
//! stop), and a step across it a line break; rotated text reads the same.
//! Form XObjects are entered (depth-limited, guarded against cycles), and so
//! are the appearances of visible annotations. Glyphs are mapped through the
//! font's ToUnicode CMap (code space, bfchar, bfrange; ranges kept as
//! ranges, so a range over every code costs one entry), else through
//! lopdf's reading of its encoding (WinAnsi/Standard/MacRoman with
//! Differences, Type0 Identity-H; lopdf reads a CMap only when it is small,
//! as it lists every code). Work is bounded by the operators walked, the
//! bytes decoded and the text kept (`Limits`), never by what the file
//! declares.

use std::collections::HashMap;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::MAX_STREAM;
use super::font::{Font, latin1};

/// How deep form XObjects may nest.
const MAX_DEPTH: usize = 12;
/// Annotations read per page.
const MAX_ANNOTATIONS: usize = 1000;
/// Bytes of text kept per page.
const MAX_PAGE_TEXT: usize = 1 << 20;

/// What reading the pages of one document may cost.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// Pages read: the stamp is on every page, so the first suffice, and a
    /// document of hundreds of thousands of pages is not read through.
    pages: u32,
    /// Operators walked.
    operations: usize,
    /// Bytes of content streams, forms and ToUnicode CMaps decoded: a form
    /// drawn many times, or one content stream shared by many pages, is
    /// decoded each time.
    bytes: usize,
    /// Bytes of page text kept over all pages.
    text: usize,
}

/// Pages whose text is read, per document (see `Limits::pages`).
pub const MAX_PAGES: u32 = 2_000;

pub(super) const LIMITS: Limits = Limits {
    pages: MAX_PAGES,
    operations: 2_000_000,
    bytes: 256 << 20,
    text: 64 << 20,
};

/// What reading the pages found (the text itself is handed over page by
/// page, and not kept).
#[derive(Debug, Default)]
pub struct Pages {
    /// Pages in the document.
    pub pages: u32,
    /// Pages past `Limits::pages`: not read (a warning says so).
    pub beyond: u32,
    /// Image XObjects and inline images drawn.
    pub images: usize,
    /// Characters of text found over all pages.
    pub text_chars: usize,
    /// Page content streams that could not be read (a warning says why).
    pub unread: usize,
}

/// Reads the text of the pages in order, handing each page's text (empty
/// once a limit is reached) to `each` with its 1-based number.
pub fn read_pages(
    doc: &Document,
    warnings: &mut Vec<String>,
    each: impl FnMut(u32, &str),
) -> Pages {
    read_pages_within(doc, LIMITS, warnings, each)
}

pub(super) fn read_pages_within(
    doc: &Document,
    limits: Limits,
    warnings: &mut Vec<String>,
    mut each: impl FnMut(u32, &str),
) -> Pages {
    let mut walker = Walker {
        doc,
        fonts: HashMap::new(),
        limits,
        operations: 0,
        bytes: 0,
        images: 0,
        unread: 0,
        notes: Vec::new(),
    };
    let mut pages = Pages::default();
    let mut kept = 0usize;
    // Pages cut at MAX_PAGE_TEXT, and the first of them.
    let (mut cut, mut first_cut) = (0usize, 0u32);
    for (_, page_id) in doc.get_pages() {
        pages.pages += 1;
        if pages.pages > limits.pages {
            pages.beyond += 1;
            continue;
        }
        let mut out = Out {
            room: MAX_PAGE_TEXT.min(limits.text - kept),
            ..Out::default()
        };
        if !walker.spent() && out.room > 0 {
            walker.page(page_id, &mut out);
        }
        kept += out.text.len();
        if out.cut && kept < limits.text {
            cut += 1;
            if first_cut == 0 {
                first_cut = pages.pages;
            }
        }
        pages.text_chars += out.text.chars().filter(|c| !c.is_whitespace()).count();
        each(pages.pages, &out.text);
    }
    // These are said whatever else was noted (notes are capped).
    let mut summary = Vec::new();
    if pages.beyond > 0 {
        summary.push(format!(
            "{} page{} after the first {} {} not read: over the limit of {} pages read per PDF \
             (the stamp is on every page)",
            pages.beyond,
            if pages.beyond == 1 { "" } else { "s" },
            limits.pages,
            if pages.beyond == 1 { "was" } else { "were" },
            limits.pages
        ));
    }
    if walker.operations >= limits.operations {
        summary.push(format!(
            "text extraction stopped after {} operators; later pages were not read",
            limits.operations
        ));
    } else if walker.bytes >= limits.bytes {
        summary.push(format!(
            "text extraction stopped after decoding {} of content streams, forms and CMaps; \
             later pages were not read",
            super::size(limits.bytes as u64)
        ));
    }
    if cut > 0 {
        summary.push(format!(
            "{cut} page{} more than {} of text (the first: page {first_cut}); the rest of it \
             was not kept",
            if cut == 1 { " holds" } else { "s hold" },
            super::size(MAX_PAGE_TEXT as u64)
        ));
    }
    if kept >= limits.text {
        summary.push(format!(
            "the pages hold more than {} of text: the text after it was not kept",
            super::size(limits.text as u64)
        ));
    }
    pages.images = walker.images;
    pages.unread = walker.unread;
    warnings.extend(walker.notes);
    warnings.extend(summary);
    pages
}

/// The text matrix and text state.
#[derive(Clone, Copy)]
struct State {
    /// The current transformation matrix (graphics state: saved by `q`).
    ctm: [f32; 6],
    /// The font selected by `Tf` (a key of `Walker::fonts`).
    font: Option<usize>,
    tm: [f32; 6],
    tlm: [f32; 6],
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
}

impl Default for State {
    fn default() -> Self {
        State {
            ctm: IDENTITY,
            font: None,
            tm: IDENTITY,
            tlm: IDENTITY,
            size: 12.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
        }
    }
}

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

impl State {
    fn translate(&mut self, tx: f32, ty: f32) {
        let m = self.tlm;
        self.tlm[4] = tx * m[0] + ty * m[2] + m[4];
        self.tlm[5] = tx * m[1] + ty * m[3] + m[5];
        self.tm = self.tlm;
    }

    /// Where the text matrix puts the next glyph on the page, the unit
    /// vector along the baseline, and the font size as drawn.
    fn placement(&self) -> Placement {
        let m = multiply(&self.tm, &self.ctm);
        let along = m[0].hypot(m[1]);
        let (ux, uy) = if along > 0.0 {
            (m[0] / along, m[1] / along)
        } else {
            (1.0, 0.0)
        };
        Placement {
            x: m[4],
            y: m[5],
            ux,
            uy,
            size: (self.size * m[2].hypot(m[3])).abs().max(0.01),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Placement {
    x: f32,
    y: f32,
    ux: f32,
    uy: f32,
    size: f32,
}

/// `a × b` for PDF matrices `[a b c d e f]`.
fn multiply(a: &[f32; 6], b: &[f32; 6]) -> [f32; 6] {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

/// Six numbers as a matrix.
fn matrix(operands: &[Object]) -> Option<[f32; 6]> {
    let mut m = [0.0; 6];
    if operands.len() < 6 {
        return None;
    }
    for (slot, o) in m.iter_mut().zip(operands) {
        *slot = o.as_float().ok().filter(|v| v.is_finite())?;
    }
    Some(m)
}

/// How many `q` may be open at once (deeper saves are not kept).
const MAX_SAVES: usize = 64;

/// Page text being built.
#[derive(Default)]
struct Out {
    text: String,
    /// How many bytes of text the page may keep.
    room: usize,
    /// Text was left out for want of room.
    cut: bool,
    /// Where the last shown text ended, on the page.
    last: Option<Placement>,
}

impl Out {
    fn push(&mut self, s: &str) {
        if self.text.len() + s.len() <= self.room {
            self.text.push_str(s);
        } else {
            self.cut = true;
        }
    }

    /// Bytes of text the page may still keep.
    fn left(&self) -> usize {
        self.room.saturating_sub(self.text.len())
    }

    fn ends_blank(&self) -> bool {
        self.text.is_empty() || self.text.ends_with(char::is_whitespace)
    }

    fn break_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push("\n");
        }
        self.last = None;
    }
}

pub(super) struct Walker<'a> {
    pub(super) doc: &'a Document,
    fonts: HashMap<usize, Font<'a>>,
    limits: Limits,
    /// Operators walked and bytes decoded so far.
    operations: usize,
    bytes: usize,
    images: usize,
    /// Page content streams that could not be read.
    unread: usize,
    notes: Vec<String>,
}

impl<'a> Walker<'a> {
    pub(super) fn note(&mut self, note: String) {
        if self.notes.len() < 20 && !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Whether a limit is reached: nothing more is read.
    pub(super) fn spent(&self) -> bool {
        self.operations >= self.limits.operations || self.bytes >= self.limits.bytes
    }

    /// Decodes a stream, counting its bytes against the limit; `what` names
    /// it in the note saying why it could not be read.
    pub(super) fn decode(&mut self, stream: &lopdf::Stream, what: &str) -> Option<Vec<u8>> {
        if self.spent() {
            return None;
        }
        match stream.get_plain_content_with_limit(MAX_STREAM) {
            Ok(bytes) => {
                self.bytes = self.bytes.saturating_add(bytes.len());
                Some(bytes)
            }
            Err(e) => {
                self.bytes = self.bytes.saturating_add(stream.content.len());
                self.note(super::unreadable_stream(what, stream, &e));
                None
            }
        }
    }

    fn page(&mut self, page_id: ObjectId, out: &mut Out) {
        let doc = self.doc;
        let mut resources: Vec<&'a Dictionary> = Vec::new();
        if let Ok((inline, ids)) = doc.get_page_resources(page_id) {
            resources.extend(inline);
            resources.extend(ids.into_iter().filter_map(|id| doc.get_dictionary(id).ok()));
        }
        let mut content = Vec::new();
        for id in doc.get_page_contents(page_id) {
            let stream = match doc.get_object(id).and_then(Object::as_stream) {
                Ok(stream) => stream,
                Err(e) => {
                    self.unread += 1;
                    self.note(format!("a page content stream could not be read: {e}"));
                    continue;
                }
            };
            if self.spent() {
                break;
            }
            match self.decode(stream, "a page content stream") {
                Some(bytes) => {
                    content.extend_from_slice(&bytes);
                    content.push(b'\n');
                }
                None => self.unread += 1,
            }
        }
        let mut stack = Vec::new();
        self.run(&content, &resources, IDENTITY, out, &mut stack);
        self.annotations(page_id, &resources, out);
    }

    /// Walks one content stream; `stack` holds the form XObjects being
    /// drawn (the cycle guard).
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        ctm: [f32; 6],
        out: &mut Out,
        stack: &mut Vec<ObjectId>,
    ) {
        let mut state = State {
            ctm,
            ..State::default()
        };
        let mut saved: Vec<State> = Vec::new();
        for op in Content::decode_iter(content) {
            let Ok(op) = op else {
                self.note(
                    "a content stream has a syntax error; the text after it is not read".into(),
                );
                break;
            };
            self.operations += 1;
            if self.spent() {
                return;
            }
            match op.operator.as_str() {
                "q" if saved.len() < MAX_SAVES => saved.push(state),
                "Q" => state = saved.pop().unwrap_or(state),
                _ => self.operation(&op, &mut state, resources, out, stack),
            }
        }
    }

    fn operation(
        &mut self,
        op: &Operation,
        state: &mut State,
        resources: &[&'a Dictionary],
        out: &mut Out,
        stack: &mut Vec<ObjectId>,
    ) {
        let num = |i: usize| op.operands.get(i).and_then(|o| o.as_float().ok());
        match op.operator.as_str() {
            "BT" => {
                state.tm = IDENTITY;
                state.tlm = IDENTITY;
            }
            "Tf" => {
                if let Some(size) = num(1) {
                    state.size = size;
                }
                state.font = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| self.font(resources, name));
            }
            "Td" => state.translate(num(0).unwrap_or(0.0), num(1).unwrap_or(0.0)),
            "TD" => {
                let ty = num(1).unwrap_or(0.0);
                state.leading = -ty;
                state.translate(num(0).unwrap_or(0.0), ty);
            }
            "Tm" => {
                if let Some(m) = matrix(&op.operands) {
                    state.tm = m;
                    state.tlm = m;
                }
            }
            "cm" => {
                if let Some(m) = matrix(&op.operands) {
                    state.ctm = multiply(&m, &state.ctm);
                }
            }
            "T*" => state.translate(0.0, -state.leading),
            "TL" => state.leading = num(0).unwrap_or(0.0),
            "Tc" => state.char_spacing = num(0).unwrap_or(0.0),
            "Tw" => state.word_spacing = num(0).unwrap_or(0.0),
            "Tz" => state.scale = num(0).unwrap_or(100.0) / 100.0,
            "Tj" => {
                if let Some(Object::String(s, _)) = op.operands.first() {
                    self.show(s, state, out);
                }
            }
            "'" => {
                state.translate(0.0, -state.leading);
                if let Some(Object::String(s, _)) = op.operands.first() {
                    self.show(s, state, out);
                }
            }
            "\"" => {
                state.word_spacing = num(0).unwrap_or(state.word_spacing);
                state.char_spacing = num(1).unwrap_or(state.char_spacing);
                state.translate(0.0, -state.leading);
                if let Some(Object::String(s, _)) = op.operands.get(2) {
                    self.show(s, state, out);
                }
            }
            "TJ" => {
                if let Some(Object::Array(items)) = op.operands.first() {
                    for item in items {
                        match item {
                            Object::String(s, _) => self.show(s, state, out),
                            other => {
                                if let Ok(n) = other.as_float() {
                                    let tx = -n / 1000.0 * state.size * state.scale;
                                    state.tm[4] += tx * state.tm[0];
                                    state.tm[5] += tx * state.tm[1];
                                }
                            }
                        }
                    }
                }
            }
            "BI" | "EI" => self.images += usize::from(op.operator == "BI"),
            "Do" => {
                if let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) {
                    self.xobject(name, resources, state.ctm, out, stack);
                }
            }
            _ => {}
        }
    }

    /// Draws a named XObject: images are counted, forms walked.
    fn xobject(
        &mut self,
        name: &[u8],
        resources: &[&'a Dictionary],
        ctm: [f32; 6],
        out: &mut Out,
        stack: &mut Vec<ObjectId>,
    ) {
        let doc = self.doc;
        let Some(entry) = resources.iter().find_map(|r| {
            let xobjects = r.get_deref(b"XObject", doc).ok()?.as_dict().ok()?;
            xobjects.get(name).ok()
        }) else {
            return;
        };
        let Ok((id, object)) = doc.dereference(entry) else {
            return;
        };
        let Ok(stream) = object.as_stream() else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => self.images += 1,
            Ok(b"Form") => {
                if let Some(id) = id {
                    self.form(id, stream, resources, ctm, out, stack);
                }
            }
            _ => {}
        }
    }

    /// Walks a form XObject (or an annotation's appearance) drawn with `ctm`.
    fn form(
        &mut self,
        id: ObjectId,
        stream: &'a lopdf::Stream,
        resources: &[&'a Dictionary],
        ctm: [f32; 6],
        out: &mut Out,
        stack: &mut Vec<ObjectId>,
    ) {
        let doc = self.doc;
        if stack.contains(&id) {
            self.note("a form XObject draws itself (a cycle); not entered again".into());
            return;
        }
        if stack.len() >= MAX_DEPTH {
            self.note(format!(
                "form XObjects nest deeper than {MAX_DEPTH}; the deeper ones are not read"
            ));
            return;
        }
        let Some(content) = self.decode(stream, "a form XObject") else {
            return;
        };
        let mut inner: Vec<&'a Dictionary> = Vec::new();
        if let Ok(own) = stream
            .dict
            .get(b"Resources")
            .and_then(|o| doc.dereference(o))
            .and_then(|(_, o)| o.as_dict())
        {
            inner.push(own);
        }
        inner.extend_from_slice(resources);
        let form_matrix = stream
            .dict
            .get(b"Matrix")
            .and_then(Object::as_array)
            .ok()
            .and_then(|m| matrix(m))
            .unwrap_or(IDENTITY);
        out.break_line();
        stack.push(id);
        self.run(&content, &inner, multiply(&form_matrix, &ctm), out, stack);
        stack.pop();
        out.break_line();
    }

    /// The normal appearances of the page's visible annotations (stamps,
    /// free text, filled form fields), each read as a form.
    fn annotations(&mut self, page_id: ObjectId, resources: &[&'a Dictionary], out: &mut Out) {
        let doc = self.doc;
        let Ok(annotations) = doc.get_page_annotations(page_id) else {
            return;
        };
        for annotation in annotations.into_iter().take(MAX_ANNOTATIONS) {
            // Hidden (2) and NoView (32) annotations are not seen on the page.
            let flags = annotation.get(b"F").and_then(Object::as_i64).unwrap_or(0);
            if flags & (2 | 32) != 0 {
                continue;
            }
            let Some(normal) = annotation
                .get_deref(b"AP", doc)
                .and_then(Object::as_dict)
                .ok()
                .and_then(|ap| ap.get(b"N").ok())
            else {
                continue;
            };
            let Ok((mut id, mut object)) = doc.dereference(normal) else {
                continue;
            };
            // Appearance states (check boxes): the one the annotation is in.
            if let Ok(states) = object.as_dict() {
                let state = annotation.get(b"AS").and_then(Object::as_name).ok();
                let chosen = state
                    .and_then(|s| states.get(s).ok())
                    .or_else(|| states.iter().next().map(|(_, v)| v));
                let Some(Ok((state_id, state_object))) = chosen.map(|c| doc.dereference(c)) else {
                    continue;
                };
                (id, object) = (state_id, state_object);
            }
            if let (Some(id), Ok(stream)) = (id, object.as_stream()) {
                let mut stack = Vec::new();
                self.form(id, stream, resources, IDENTITY, out, &mut stack);
            }
        }
    }

    /// The font named in the resources, loaded once.
    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<usize> {
        let doc = self.doc;
        let dict = resources.iter().find_map(|r| {
            let fonts = r.get_deref(b"Font", doc).ok()?.as_dict().ok()?;
            let (_, font) = doc.dereference(fonts.get(name).ok()?).ok()?;
            font.as_dict().ok()
        })?;
        let key = std::ptr::from_ref(dict) as usize;
        if !self.fonts.contains_key(&key) {
            let font = self.load_font(dict);
            self.fonts.insert(key, font);
        }
        Some(key)
    }

    /// Shows a string: a space or line break before it where the position
    /// says so, its text, and the text matrix advanced past it.
    fn show(&mut self, bytes: &[u8], state: &mut State, out: &mut Out) {
        let font = state.font.and_then(|k| self.fonts.get(&k));
        let (text, codes, cut) = match font {
            Some(f) => f.decode(bytes, out.left()),
            None => (
                latin1(bytes),
                bytes.iter().map(|&b| (b as u32, 1)).collect(),
                false,
            ),
        };
        out.cut |= cut;
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .filter(|c| *c != '\u{fffd}' && *c != '\0')
            .collect();
        let here = state.placement();
        if let Some(end) = out.last {
            // The offset from where the last text ended, along its baseline
            // and across it.
            let (dx, dy) = (here.x - end.x, here.y - end.y);
            let along = dx * end.ux + dy * end.uy;
            let across = dy * end.ux - dx * end.uy;
            let size = here.size.max(end.size);
            if across.abs() > size * 0.5 {
                out.break_line();
            } else if along > size * 1.5 && !out.ends_blank() {
                // A wide gap (another column, a tab stop): two spaces, which
                // end a name taken from the line.
                out.push("  ");
            } else if (along > size * 0.2 || along < -size * 2.0)
                && !out.ends_blank()
                && !text.starts_with(char::is_whitespace)
            {
                out.push(" ");
            }
        } else if !out.ends_blank() {
            out.push(" ");
        }
        out.push(&text);
        // Advance past the glyphs.
        let mut advance = 0.0;
        for (code, len) in codes {
            let w = font.map_or(500.0, |f| f.widths.of(code));
            advance += w / 1000.0 * state.size + state.char_spacing;
            if code == 32 && len == 1 {
                advance += state.word_spacing;
            }
        }
        let tx = advance * state.scale;
        state.tm[4] += tx * state.tm[0];
        state.tm[5] += tx * state.tm[1];
        out.last = Some(state.placement());
    }
}

/// The text of each page read, for tests.
#[cfg(test)]
pub(super) fn texts(doc: &Document, limits: Limits, warnings: &mut Vec<String>) -> Vec<String> {
    let mut texts = Vec::new();
    read_pages_within(doc, limits, warnings, |_, t| texts.push(t.to_string()));
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::pdf::testing::cmap_doc;
    use lopdf::{Stream, dictionary};

    /// A document whose pages have these contents, Helvetica as /F1 (no
    /// widths: 500 per glyph) and `forms` as form XObjects /X0, /X1, ...
    fn doc(pages: &[&[u8]], forms: &[&[u8]]) -> Document {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let mut xobjects = lopdf::Dictionary::new();
        let ids: Vec<ObjectId> = forms.iter().map(|_| doc.new_object_id()).collect();
        for (i, id) in ids.iter().enumerate() {
            xobjects.set(format!("X{i}"), *id);
        }
        let resources = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => font },
            "XObject" => xobjects,
        });
        for (id, content) in ids.iter().zip(forms) {
            let form = Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Form", "Resources" => resources },
                content.to_vec(),
            );
            doc.objects.insert(*id, Object::Stream(form));
        }
        let mut kids = Vec::new();
        for content in pages {
            let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
            kids.push(Object::Reference(doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
                "Resources" => resources,
            })));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn text(pages: &[&[u8]], forms: &[&[u8]]) -> (Vec<String>, Vec<String>) {
        let mut warnings = Vec::new();
        let t = texts(&doc(pages, forms), LIMITS, &mut warnings);
        (t, warnings)
    }

    #[test]
    fn positioning_operators_make_spaces_and_lines() {
        let (t, _) = text(
            &[
                b"BT /F1 10 Tf 12 TL 0 700 Td (Printed) Tj 40 0 Td (by:) Tj T* (Jane) Tj \
                (Doe) ' [-400 (Pa) 0 (ge) -400 (1)] TJ ET",
            ],
            &[],
        );
        assert_eq!(t, ["Printed by:\nJane\nDoe Page 1"]);
    }

    #[test]
    fn text_matrix_and_wide_gaps() {
        let (t, _) = text(
            &[b"BT /F1 1 Tf 10 0 0 10 50 700 Tm (Printed by Jane Doe) Tj \
                10 0 0 10 400 700 Tm (Page 1) Tj 10 0 0 10 50 680 Tm 1 2 (x) \" ET"],
            &[],
        );
        assert_eq!(t, ["Printed by Jane Doe  Page 1\nx"]);
    }

    #[test]
    fn the_ctm_places_text_and_rotated_lines_stay_whole() {
        // Each word placed by `cm` alone; the third line rotated 90 degrees,
        // its words along the rotated baseline.
        let (t, _) = text(
            &[b"q 1 0 0 1 50 700 cm BT /F1 10 Tf (Printed) Tj ET Q \
                q 1 0 0 1 95 700 cm BT /F1 10 Tf (by) Tj ET Q \
                q 1 0 0 1 50 680 cm BT /F1 10 Tf (Next) Tj ET Q \
                q 0 1 -1 0 20 300 cm BT /F1 10 Tf (Printed) Tj 45 0 Td (by) Tj ET Q"],
            &[],
        );
        assert_eq!(t, ["Printed by\nNext\nPrinted by"]);
    }

    fn operators(operations: usize) -> Limits {
        Limits {
            operations,
            ..LIMITS
        }
    }

    #[test]
    fn expansion_by_a_cmap_is_bounded_by_the_text_kept() {
        // One code maps to 256 characters; the string repeats it 100,000
        // times: 25 MB of text from 100 KB.
        let cmap = format!("beginbfchar <01> <{}> endbfchar", "0041".repeat(256));
        let mut content = b"BT /F1 9 Tf <".to_vec();
        content.extend("01".repeat(100_000).bytes());
        content.extend(b"> Tj ET");
        let doc = cmap_doc(cmap.as_bytes(), &content);
        let mut w = Vec::new();
        let t = texts(&doc, LIMITS, &mut w);
        assert!(t[0].len() <= MAX_PAGE_TEXT, "{}", t[0].len());
        assert!(t[0].len() > MAX_PAGE_TEXT - 1024);
        assert!(
            w.contains(&"1 page holds more than 1 MiB of text (the first: page 1); the rest of it was not kept".to_string()),
            "{w:?}"
        );
        let small = Limits {
            text: 1000,
            ..LIMITS
        };
        let t = texts(&doc, small, &mut w);
        assert_eq!(t[0].len(), 1000);
        assert!(
            w.iter().any(|w| w.contains("more than 1000 bytes of text")),
            "{w:?}"
        );
    }

    #[test]
    fn a_form_drawn_over_and_over_stops_at_the_byte_limit() {
        // Each `Do` decodes the form again.
        let form = b"BT /F1 9 Tf (inside) Tj ET ".repeat(100);
        let page = b"/X0 Do ".repeat(1000);
        let mut w = Vec::new();
        let limits = Limits {
            bytes: 100 * form.len(),
            ..LIMITS
        };
        let t = texts(&doc(&[&page, b"BT (late) Tj ET"], &[&form]), limits, &mut w);
        assert!(t[0].contains("inside"));
        assert_eq!(t[1], "");
        assert!(w.iter().any(|w| w.contains("after decoding")), "{w:?}");
    }

    #[test]
    fn a_content_stream_over_the_limit_says_so() {
        // lopdf's message said "couldn't decompress stream" of a stream
        // that is not compressed.
        let big = vec![b' '; MAX_STREAM + 1];
        let (t, w) = text(&[&big], &[]);
        assert_eq!(t, [""]);
        assert_eq!(
            w,
            [
                "a page content stream is 16 MiB long (not compressed), over the limit of 16 MiB: not read"
            ]
        );
        let mut w = Vec::new();
        let mut doc = doc(&[b""], &[]);
        let page = doc.get_pages()[&1];
        let mut bomb = Stream::new(dictionary! {}, vec![b' '; MAX_STREAM + 1]);
        bomb.compress().unwrap();
        let id = doc.add_object(bomb);
        doc.get_object_mut(page)
            .and_then(Object::as_dict_mut)
            .unwrap()
            .set("Contents", id);
        let p = read_pages_within(&doc, LIMITS, &mut w, |_, _| {});
        assert_eq!(p.unread, 1);
        assert_eq!(
            w,
            ["a page content stream decompresses to more than 16 MiB, the limit: not read"]
        );
    }

    #[test]
    fn forms_nest_with_a_depth_limit_and_cycles_stop() {
        // X0 draws X1 which shows text; X2 draws itself.
        let (t, w) = text(
            &[b"/X0 Do /X2 Do"],
            &[b"/X1 Do", b"BT /F1 9 Tf (inside) Tj ET", b"/X2 Do"],
        );
        assert_eq!(t, ["inside\n"]);
        assert!(w.iter().any(|w| w.contains("a cycle")), "{w:?}");
    }

    #[test]
    fn forms_deeper_than_the_limit_are_not_read() {
        // `n` forms, each drawing the next; the last shows text.
        let chain = |n: usize| {
            let mut forms: Vec<Vec<u8>> =
                (1..n).map(|i| format!("/X{i} Do").into_bytes()).collect();
            forms.push(b"BT /F1 9 Tf (deep) Tj ET".to_vec());
            let forms: Vec<&[u8]> = forms.iter().map(Vec::as_slice).collect();
            text(&[b"/X0 Do"], &forms)
        };
        let (t, w) = chain(MAX_DEPTH);
        assert!(t[0].contains("deep"), "{t:?} {w:?}");
        let (t, w) = chain(MAX_DEPTH + 1);
        assert!(!t[0].contains("deep"), "{t:?}");
        assert!(w.iter().any(|w| w.contains("nest deeper")), "{w:?}");
    }

    #[test]
    fn operator_budget_stops_hostile_pages() {
        let many = b"0 0 Td ".repeat(600);
        let mut w = Vec::new();
        let t = texts(
            &doc(&[&many, &many, b"BT (late) Tj ET"], &[]),
            operators(1000),
            &mut w,
        );
        assert_eq!(t.len(), 3);
        assert_eq!(t[2], "");
        assert!(w.iter().any(|w| w.contains("stopped after")), "{w:?}");
    }

    #[test]
    fn a_pdf_of_many_pages_is_read_to_the_page_limit() {
        // A review measured 1.36 GB for 400,000 pages: every page's text
        // was read and kept.
        let limits = Limits { pages: 3, ..LIMITS };
        let page: &[u8] = b"BT /F1 9 Tf (Printed by Jane Doe) Tj ET";
        let mut w = Vec::new();
        let mut seen = Vec::new();
        let p = read_pages_within(&doc(&[page; 5], &[]), limits, &mut w, |n, t| {
            seen.push((n, t.to_string()));
        });
        assert_eq!((p.pages, p.beyond), (5, 2));
        assert_eq!(
            seen,
            (1..=3)
                .map(|n| (n, "Printed by Jane Doe".to_string()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            w,
            [
                "2 pages after the first 3 were not read: over the limit of 3 pages read per PDF \
              (the stamp is on every page)"
            ]
        );
    }

    #[test]
    fn syntax_errors_keep_the_text_before_them() {
        let (t, w) = text(&[b"BT /F1 9 Tf (kept) Tj ET ) ( [ BT (lost) Tj ET"], &[]);
        assert!(t[0].starts_with("kept"), "{t:?}");
        assert!(!w.is_empty() || !t[0].contains("lost"), "{t:?} {w:?}");
    }
}
