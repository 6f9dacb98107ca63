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
//! font's ToUnicode CMap (code space, bfchar, bfrange), else through lopdf's
//! reading of its encoding (WinAnsi/Standard/MacRoman with Differences,
//! Type0 Identity-H). Work is bounded by an operator budget.

use std::collections::HashMap;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

use super::MAX_STREAM;

/// How deep form XObjects may nest.
const MAX_DEPTH: usize = 12;
/// Operators walked over the whole document.
const MAX_OPERATIONS: usize = 2_000_000;
/// Annotations read per page.
const MAX_ANNOTATIONS: usize = 1000;
/// Characters of text kept per page.
const MAX_PAGE_TEXT: usize = 1 << 20;

/// The text of every page.
#[derive(Debug, Default)]
pub struct Pages {
    pub text: Vec<String>,
    pub pages: u32,
    /// Image XObjects and inline images drawn.
    pub images: usize,
    /// Characters of text found over all pages.
    pub text_chars: usize,
}

pub fn read_pages(doc: &Document, warnings: &mut Vec<String>) -> Pages {
    read_pages_within(doc, MAX_OPERATIONS, warnings)
}

fn read_pages_within(doc: &Document, budget: usize, warnings: &mut Vec<String>) -> Pages {
    let mut walker = Walker {
        doc,
        fonts: HashMap::new(),
        budget,
        operations: 0,
        images: 0,
        notes: Vec::new(),
    };
    let mut pages = Pages::default();
    for (_, page_id) in doc.get_pages() {
        pages.pages += 1;
        let mut out = Out::default();
        if walker.operations < budget {
            walker.page(page_id, &mut out);
        }
        pages.text_chars += out.text.chars().filter(|c| !c.is_whitespace()).count();
        pages.text.push(out.text);
    }
    if walker.operations >= budget {
        walker.note(format!(
            "text extraction stopped after {budget} operators; later pages were not read"
        ));
    }
    pages.images = walker.images;
    warnings.extend(walker.notes);
    pages
}

/// A font as far as text extraction needs it.
struct Font<'a> {
    /// The font's own mapping to Unicode, preferred when present.
    to_unicode: Option<ToUnicode>,
    /// lopdf's reading of `/Encoding` (and of `/ToUnicode` for Type0).
    encoding: Option<Encoding<'a>>,
    /// Type0: codes are two bytes unless the CMap says otherwise.
    two_byte: bool,
    widths: Widths,
}

impl Font<'_> {
    /// The text of a string, and its codes with their byte lengths.
    fn decode(&self, bytes: &[u8]) -> (String, Vec<(u32, usize)>) {
        let mut text = String::new();
        let mut codes = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let len = self
                .to_unicode
                .as_ref()
                .and_then(|t| t.code_length(&bytes[i..]))
                .unwrap_or(if self.two_byte { 2 } else { 1 })
                .min(bytes.len() - i);
            let code = bytes[i..i + len]
                .iter()
                .fold(0u32, |a, &b| a << 8 | u32::from(b));
            let mapped = self
                .to_unicode
                .as_ref()
                .and_then(|t| t.map.get(&(len as u8, code)));
            match mapped {
                Some(s) => text.push_str(s),
                None => match &self.encoding {
                    Some(e) => text.push_str(
                        &e.bytes_to_string(&bytes[i..i + len])
                            .unwrap_or_else(|_| latin1(&bytes[i..i + len])),
                    ),
                    None if len == 1 => text.push(char::from(bytes[i])),
                    None => {}
                },
            }
            codes.push((code, len));
            i += len;
        }
        (text, codes)
    }
}

/// The most entries read from one ToUnicode CMap.
const MAX_CMAP_ENTRIES: usize = 65_536;

/// A ToUnicode CMap: code space ranges and code → text.
#[derive(Debug, Default)]
struct ToUnicode {
    /// `(length in bytes, low, high)`.
    spaces: Vec<(usize, u32, u32)>,
    map: HashMap<(u8, u32), String>,
}

impl ToUnicode {
    /// Reads `begincodespacerange`, `beginbfchar` and `beginbfrange`
    /// sections (the CMap is tokenised as a content stream: each section's
    /// strings are the operands of its `end…` operator).
    fn parse(bytes: &[u8]) -> ToUnicode {
        let mut cmap = ToUnicode::default();
        for op in Content::decode_iter(bytes).take(100_000) {
            let Ok(op) = op else { break };
            let strings: Vec<&Object> = op.operands.iter().collect();
            match op.operator.as_str() {
                "endcodespacerange" => {
                    for pair in strings.chunks_exact(2) {
                        if let (Ok(lo), Ok(hi)) = (pair[0].as_str(), pair[1].as_str())
                            && (1..=4).contains(&lo.len())
                        {
                            cmap.spaces.push((lo.len(), number(lo), number(hi)));
                        }
                    }
                }
                "endbfchar" => {
                    for pair in strings.chunks_exact(2) {
                        if let (Ok(src), Ok(dst)) = (pair[0].as_str(), pair[1].as_str()) {
                            cmap.put(src.len(), number(src), utf16(dst));
                        }
                    }
                }
                "endbfrange" => {
                    for triple in strings.chunks_exact(3) {
                        let (Ok(lo), Ok(hi)) = (triple[0].as_str(), triple[1].as_str()) else {
                            continue;
                        };
                        let (len, lo, hi) = (lo.len(), number(lo), number(hi));
                        if hi < lo || (hi - lo) as usize > MAX_CMAP_ENTRIES {
                            continue;
                        }
                        match triple[2] {
                            Object::String(dst, _) => {
                                let mut units: Vec<u16> = dst
                                    .chunks(2)
                                    .map(|c| c.iter().fold(0u16, |a, &b| a << 8 | u16::from(b)))
                                    .collect();
                                for code in lo..=hi {
                                    cmap.put(len, code, String::from_utf16_lossy(&units));
                                    if let Some(last) = units.last_mut() {
                                        *last = last.wrapping_add(1);
                                    }
                                }
                            }
                            Object::Array(list) => {
                                for (code, dst) in (lo..=hi).zip(list) {
                                    if let Ok(dst) = dst.as_str() {
                                        cmap.put(len, code, utf16(dst));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            if cmap.map.len() >= MAX_CMAP_ENTRIES {
                break;
            }
        }
        cmap
    }

    fn put(&mut self, len: usize, code: u32, text: String) {
        if (1..=4).contains(&len) && self.map.len() < MAX_CMAP_ENTRIES {
            self.map.insert((len as u8, code), text);
        }
    }

    /// The length of the code at the start of `bytes`, from the code space
    /// ranges (shortest match first).
    fn code_length(&self, bytes: &[u8]) -> Option<usize> {
        (1..=4).find(|&len| {
            bytes.len() >= len
                && self
                    .spaces
                    .iter()
                    .any(|&(l, lo, hi)| l == len && (lo..=hi).contains(&number(&bytes[..len])))
        })
    }
}

/// Big-endian bytes as a number.
fn number(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |a, &b| a << 8 | u32::from(b))
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| c.iter().fold(0u16, |a, &b| a << 8 | u16::from(b)))
        .collect();
    String::from_utf16_lossy(&units)
}

enum Widths {
    Simple {
        first: i64,
        widths: Vec<f32>,
        missing: f32,
    },
    Cid {
        widths: HashMap<u32, f32>,
        default: f32,
    },
}

impl Widths {
    fn of(&self, code: u32) -> f32 {
        match self {
            Widths::Simple {
                first,
                widths,
                missing,
            } => usize::try_from(i64::from(code) - first)
                .ok()
                .and_then(|i| widths.get(i).copied())
                .filter(|w| *w > 0.0)
                .unwrap_or(*missing),
            Widths::Cid { widths, default } => widths.get(&code).copied().unwrap_or(*default),
        }
    }
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
    /// Where the last shown text ended, on the page.
    last: Option<Placement>,
}

impl Out {
    fn push(&mut self, s: &str) {
        if self.text.len() < MAX_PAGE_TEXT {
            self.text.push_str(s);
        }
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

struct Walker<'a> {
    doc: &'a Document,
    fonts: HashMap<usize, Font<'a>>,
    /// Operators that may be walked; `operations` counts them.
    budget: usize,
    operations: usize,
    images: usize,
    notes: Vec<String>,
}

impl<'a> Walker<'a> {
    fn note(&mut self, note: String) {
        if self.notes.len() < 20 && !self.notes.contains(&note) {
            self.notes.push(note);
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
            match doc
                .get_object(id)
                .and_then(Object::as_stream)
                .and_then(|s| s.get_plain_content_with_limit(MAX_STREAM))
            {
                Ok(bytes) => {
                    content.extend_from_slice(&bytes);
                    content.push(b'\n');
                }
                Err(e) => self.note(format!("a page content stream could not be decoded: {e}")),
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
            if self.operations >= self.budget {
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
        let content = match stream.get_plain_content_with_limit(MAX_STREAM) {
            Ok(c) => c,
            Err(e) => {
                self.note(format!("a form XObject could not be decoded: {e}"));
                return;
            }
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

    fn load_font(&mut self, dict: &'a Dictionary) -> Font<'a> {
        let doc = self.doc;
        let encoding = match dict.get_font_encoding_with_limit(doc, MAX_STREAM) {
            Ok(e) => Some(e),
            Err(e) => {
                self.note(format!("a font's encoding could not be read: {e}"));
                None
            }
        };
        let two_byte = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
        let number = |o: &Object| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok());
        let widths = if two_byte {
            let descendant = dict
                .get_deref(b"DescendantFonts", doc)
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok());
            let default = descendant
                .and_then(|d| d.get(b"DW").ok())
                .and_then(number)
                .unwrap_or(1000.0);
            let mut widths = HashMap::new();
            if let Some(w) = descendant
                .and_then(|d| d.get_deref(b"W", doc).ok())
                .and_then(|o| o.as_array().ok())
            {
                cid_widths(doc, w, &mut widths);
            }
            Widths::Cid { widths, default }
        } else {
            let mut first = dict
                .get(b"FirstChar")
                .ok()
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_i64().ok())
                .unwrap_or(0);
            let mut widths: Vec<f32> = dict
                .get_deref(b"Widths", doc)
                .and_then(Object::as_array)
                .map(|a| {
                    a.iter()
                        .take(256)
                        .map(|o| number(o).unwrap_or(0.0))
                        .collect()
                })
                .unwrap_or_default();
            let missing = dict
                .get_deref(b"FontDescriptor", doc)
                .and_then(Object::as_dict)
                .ok()
                .and_then(|d| d.get(b"MissingWidth").ok())
                .and_then(number)
                .filter(|w| *w > 0.0)
                .unwrap_or(500.0);
            // The standard fonts may be used without widths.
            if widths.is_empty()
                && let Some(table) = dict
                    .get(b"BaseFont")
                    .and_then(Object::as_name)
                    .ok()
                    .and_then(super::base14::widths)
            {
                widths = table.iter().map(|&w| f32::from(w)).collect();
                first = 32;
            }
            Widths::Simple {
                first,
                widths,
                missing,
            }
        };
        let to_unicode = dict
            .get_deref(b"ToUnicode", doc)
            .and_then(Object::as_stream)
            .ok()
            .and_then(|s| match s.get_plain_content_with_limit(MAX_STREAM) {
                Ok(bytes) => Some(ToUnicode::parse(&bytes)),
                Err(_) => None,
            })
            .filter(|t| !t.map.is_empty());
        Font {
            to_unicode,
            encoding,
            two_byte,
            widths,
        }
    }

    /// Shows a string: a space or line break before it where the position
    /// says so, its text, and the text matrix advanced past it.
    fn show(&mut self, bytes: &[u8], state: &mut State, out: &mut Out) {
        let font = state.font.and_then(|k| self.fonts.get(&k));
        let (text, codes) = match font {
            Some(f) => f.decode(bytes),
            None => (
                latin1(bytes),
                bytes.iter().map(|&b| (b as u32, 1)).collect(),
            ),
        };
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

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A CIDFont's `/W`: `c [w1 w2 ...]` and `c_first c_last w`.
fn cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f32>) {
    let number = |o: &Object| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok());
    let mut i = 0;
    while i < w.len() && out.len() < 65_536 {
        let Some(first) = number(&w[i]) else { break };
        let first = first as u32;
        match w.get(i + 1) {
            Some(Object::Array(list)) => {
                for (k, width) in list.iter().take(65_536).enumerate() {
                    if let Some(width) = number(width) {
                        out.insert(first.saturating_add(k as u32), width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) = (number(last), w.get(i + 2).and_then(number))
                else {
                    break;
                };
                let last = (last as u32).min(first.saturating_add(65_536));
                for code in first..=last {
                    out.insert(code, width);
                }
                i += 3;
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let p = read_pages(&doc(pages, forms), &mut warnings);
        (p.text, warnings)
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

    #[test]
    fn to_unicode_wins_over_the_encoding_and_reads_ranges() {
        let cmap = ToUnicode::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
              /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
              1 begincodespacerange <00> <FF> endcodespacerange \
              2 beginbfchar <01> <004A> <02> <00EB> endbfchar \
              2 beginbfrange <10> <12> <0061> <20> <21> [<0020> <D83DDE00>] endbfrange \
              endcmap CMapName currentdict /CMap defineresource pop end end",
        );
        let font = Font {
            to_unicode: Some(cmap),
            encoding: None,
            two_byte: false,
            widths: Widths::Cid {
                widths: HashMap::new(),
                default: 500.0,
            },
        };
        let (text, codes) = font.decode(b"\x01\x02\x10\x12\x20\x21\x41");
        assert_eq!(text, "Jëac \u{1F600}A");
        assert_eq!(codes.len(), 7);
        // Two-byte code spaces decide the code length.
        let wide = ToUnicode::parse(
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfchar <0102> <0041> endbfchar",
        );
        assert_eq!(wide.code_length(b"\x01\x02"), Some(2));
        assert_eq!(wide.map.get(&(2, 0x0102)).map(String::as_str), Some("A"));
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
        let t =
            read_pages_within(&doc(&[&many, &many, b"BT (late) Tj ET"], &[]), 1000, &mut w).text;
        assert_eq!(t.len(), 3);
        assert_eq!(t[2], "");
        assert!(w.iter().any(|w| w.contains("stopped after")), "{w:?}");
    }

    #[test]
    fn syntax_errors_keep_the_text_before_them() {
        let (t, w) = text(&[b"BT /F1 9 Tf (kept) Tj ET ) ( [ BT (lost) Tj ET"], &[]);
        assert!(t[0].starts_with("kept"), "{t:?}");
        assert!(!w.is_empty() || !t[0].contains("lost"), "{t:?} {w:?}");
    }
}
