#!/usr/bin/env python3
"""Generate the PDF fixtures under testdata/pdf/.

Run from anywhere:

    python3 testdata/pdf/make_fixtures.py

Everything here is synthetic: the employees, addresses and reports are made
up. The statement text follows the vendor's shape from the AngelTrack
data-leak forensics guide; the "Printed by" stamp follows its description.

The PDFs are written by hand with the standard library (objects, xref
tables, xref and object streams, incremental updates, Flate via zlib), so
every structure is exactly the one a test means. The two encrypted files
are made by pypdf (`pip install pypdf`), which encrypts with a random file
ID and salt: re-running rewrites them with other bytes (same verdicts).
Without pypdf they are left as they are. `reportlab.pdf`, `reportlab_ttf.pdf`
and `fpdf2.pdf` come from other producers (ReportLab, fpdf2: `pip install
reportlab fpdf2`), made deterministic; without them those files are left as
they are. Everything else is deterministic.
"""

import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

JANE = (
    "Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com "
    "for user Jane Doe (ID 16) at 192.168.1.42."
)
MARY = (
    "Produced 2017-01-19 14:02:11-06:00 by acme.angeltrack.com "
    "for user Mary Jones (ID 31) at 70.114.201.66."
)

# Helvetica widths for the printable ASCII range (AFM), so text positioned
# by hand below can be measured as a reader would.
HELV = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584,
    584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556,
    833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278,
    278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222,
    500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
    500, 334, 260, 334, 584,
]
HELV_FONT = (
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding"
    b" /FirstChar 32 /LastChar 126 /Widths [" + " ".join(map(str, HELV)).encode() + b"] >>"
)


def pdf_string(text):
    """A literal string: PDFDocEncoding when it fits in ASCII, else UTF-16BE."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"
    raw = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + raw + b")"


def info_dict(entries):
    body = b"<<"
    for key, value in entries:
        body += b" /" + key.encode() + b" " + pdf_string(value)
    return body + b" >>"


def stream(dict_body, data, flate=False):
    if flate:
        data = zlib.compress(data, 9)
        dict_body += b" /Filter /FlateDecode"
    return (
        b"<< " + dict_body + b" /Length " + str(len(data)).encode() + b" >>\nstream\n"
        + data + b"\nendstream"
    )


class Pdf:
    """A PDF built object by object; `save` writes an xref table."""

    def __init__(self, version=b"1.4"):
        self.out = b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n"
        self.offsets = {}
        self.revision_start = 0
        self.prev = None
        self.size = 1

    def add(self, num, body):
        self.offsets[num] = len(self.out)
        self.out += str(num).encode() + b" 0 obj\n" + body + b"\nendobj\n"
        self.size = max(self.size, num + 1)

    def save(self, root, info=None, extra=b""):
        """Ends a revision: xref table for the objects added since the last."""
        xref_at = len(self.out)
        nums = sorted(self.offsets)
        table = b"xref\n"
        if self.prev is None:
            table += b"0 1\n0000000000 65535 f \n"
        for num in nums:
            table += b"%d 1\n%010d 00000 n \n" % (num, self.offsets[num])
        trailer = b"trailer\n<< /Size %d /Root %d 0 R" % (self.size, root)
        if info:
            trailer += b" /Info %d 0 R" % info
        if self.prev is not None:
            trailer += b" /Prev %d" % self.prev
        trailer += extra + b" >>\n"
        self.out += table + trailer + b"startxref\n%d\n%%%%EOF\n" % xref_at
        self.prev = xref_at
        self.offsets = {}
        return self.out


def page_pdf(content, info=None, flate=False, fonts=None, extra_objects=None,
             xobjects=b"", catalog_extra=b"", version=b"1.4", page_extra=b""):
    """One page with `content`; fonts as `{name: object number}`."""
    pdf = Pdf(version)
    pdf.add(1, b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>")
    pdf.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    fonts = fonts or {b"F1": 5}
    font_res = b" ".join(b"/%s %d 0 R" % (k, v) for k, v in fonts.items())
    pdf.add(
        3,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << " + font_res + b" >>" + xobjects + b" >>" + page_extra + b" >>",
    )
    pdf.add(4, stream(b"", content, flate))
    if 5 in fonts.values():
        pdf.add(5, HELV_FONT)
    for num, body in (extra_objects or {}).items():
        pdf.add(num, body)
    info_num = None
    if info is not None:
        info_num = 9
        pdf.add(9, info_dict(info))
    return pdf, pdf.save(1, info_num)


STAMP = b"BT /F1 9 Tf 40 40 Td (Printed by: Jane Doe) Tj ET\n"
BODY = (
    b"BT /F1 14 Tf 40 740 Td (Run Report 48213) Tj 0 -20 Td (Patient: [redacted]) Tj ET\n"
)


def consistent():
    _, out = page_pdf(
        BODY + STAMP,
        info=[("Title", "Run Report 48213"), ("Author", "Jane Doe"),
              ("Subject", JANE), ("Producer", "AngelTrack PDF"),
              ("CreationDate", "D:20210701173516Z")],
    )
    return out


def flate_split():
    # The stamp split over TJ offsets, a hex string and a second Td on the
    # same baseline; the name's two words are separate operators.
    content = BODY + (
        b"BT /F1 9 Tf 40 40 Td [(Pri) 0 (nted) -278 (by:)] TJ"
        b" 55.5 0 Td <4A616E65> Tj 22.5 0 Td (Doe) Tj ET\n"
        b"BT /F1 9 Tf 40 28 Td (Page 1 of 1) Tj ET\n"
    )
    _, out = page_pdf(
        content, flate=True,
        info=[("Producer", "AngelTrack PDF"), ("RequestedBy", "Jane Doe"),
              ("RequestedFrom", "192.168.1.42"), ("RequestedOn", "D:20210701123516-05'00'")],
    )
    return out


def identity_h():
    name = "Zoë O'Brien-Núñez"
    text = "Printed by " + name
    # Glyph ids: 1..n in order of first use; the CMap maps them back.
    gids, cmap_chars = {}, []
    for ch in text:
        if ch not in gids:
            gids[ch] = len(gids) + 1
            cmap_chars.append((gids[ch], ch))
    codes = b"".join(b"%04X" % gids[ch] for ch in text)
    # Half the glyphs by bfrange (consecutive gid -> consecutive code points
    # only where that holds), the rest by bfchar.
    bfchar = b"".join(b"<%04X> <%s>\n" % (g, ch.encode("utf-16-be").hex().upper().encode())
                      for g, ch in cmap_chars[1:])
    first_gid, first_ch = cmap_chars[0]
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"1 beginbfrange <%04X> <%04X> <%04X> endbfrange\n" % (first_gid, first_gid, ord(first_ch))
        + b"%d beginbfchar\n" % (len(cmap_chars) - 1) + bfchar + b"endbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    content = b"BT /F1 9 Tf 40 40 Td <" + codes + b"> Tj ET\n"
    extra = {
        6: b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+NotoSans /Encoding /Identity-H"
           b" /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>",
        7: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+NotoSans"
           b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
           b" /DW 600 >>",
        8: stream(b"", cmap, flate=True),
    }
    _, out = page_pdf(
        content, fonts={b"F1": 6}, extra_objects=extra, flate=True,
        info=[("Author", name), ("Title", "CMS-1500")],
    )
    return out


def xmp_packet(props):
    body = "".join(props)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:acme="http://acme.example/ns/forensic/1.0/" pdf:Producer="AngelTrack PDF">\n'
        + body + '\n</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
    ).encode("utf-8")


def form_xobject():
    # The stamp is drawn by form 11, which form 10 draws; form 12 draws
    # itself (a cycle the reader must not follow forever).
    content = BODY + b"q /Fm0 Do Q q /Fm2 Do Q\n"
    xobjects = b" /XObject << /Fm0 10 0 R /Fm2 12 0 R >>"
    form = b"/Type /XObject /Subtype /Form /BBox [0 0 612 792]"
    extra = {
        10: stream(form + b" /Resources << /XObject << /Fm1 11 0 R >> >>", b"q /Fm1 Do Q", True),
        11: stream(form + b" /Resources << /Font << /F1 5 0 R >> >>",
                   b"BT /F1 9 Tf 1 0 0 1 40 40 Tm (Printed by) Tj 44 0 Td (Mary Jones) Tj ET", True),
        12: stream(form + b" /Resources << /XObject << /Me 12 0 R >> >>", b"/Me Do", False),
        13: stream(b"/Type /Metadata /Subtype /XML", xmp_packet([
            '<dc:creator><rdf:Seq><rdf:li>Mary Jones</rdf:li></rdf:Seq></dc:creator>',
            '<acme:RequestedFrom>70.114.201.66</acme:RequestedFrom>',
            '<xmp:CreateDate>2017-01-19T14:02:11-06:00</xmp:CreateDate>',
        ])),
    }
    _, out = page_pdf(content, flate=True, xobjects=xobjects, extra_objects=extra,
                      catalog_extra=b" /Metadata 13 0 R")
    return out


def xmp_only():
    extra = {
        13: stream(b"/Type /Metadata /Subtype /XML", xmp_packet([
            '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Run Report 48213</rdf:li></rdf:Alt></dc:title>',
            '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">' + MARY + '</rdf:li></rdf:Alt></dc:description>',
        ])),
    }
    _, out = page_pdf(BODY, extra_objects=extra, catalog_extra=b" /Metadata 13 0 R")
    return out


def reprinted():
    # Printed to PDF again: the stamp is on the page, the metadata is the
    # printer driver's.
    _, out = page_pdf(
        BODY + STAMP,
        info=[("Producer", "Microsoft: Print To PDF"), ("Title", "Run Report 48213")],
    )
    return out


def metadata_only():
    _, out = page_pdf(
        BODY,
        info=[("Author", "Jane Doe"), ("Keywords", "requested from 192.168.1.42"),
              ("CreationDate", "D:20210701173516Z")],
    )
    return out


def mismatch():
    _, out = page_pdf(BODY + STAMP, info=[("Author", "Mary Jones"), ("Subject", MARY)])
    return out


def rewritten():
    # Revision 1 is the download; revision 2, an incremental update, gives
    # the Info a new name and address (the old Info object stays in the file).
    pdf, _ = page_pdf(BODY + STAMP, info=[("Author", "Jane Doe"), ("Subject", JANE)])
    pdf.add(9, info_dict([
        ("Author", "John Smith"),
        ("Subject", JANE.replace("Jane Doe (ID 16) at 192.168.1.42", "John Smith (ID 44) at 10.0.0.7")),
    ]))
    return pdf.save(1, 9)


def stripped():
    # Revision 2 drops the Info from the trailer (the way a metadata
    # "remover" saving incrementally does); revision 1 still holds it.
    pdf, _ = page_pdf(BODY + STAMP, info=[("Author", "Jane Doe"), ("Subject", JANE)])
    pdf.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    return pdf.save(1, None)


def many_revisions():
    # 40 incremental updates, each renaming the author: more than are read
    # one by one (32), so the earliest must still be among those read.
    pdf, _ = page_pdf(BODY + STAMP, info=[("Author", "Jane Doe")])
    for i in range(40):
        pdf.add(9, info_dict([("Author", "Person %d" % (i + 1))]))
        pdf.save(1, 9)
    return pdf.out


def annotation():
    # The stamp is an annotation's appearance (as a PDF editor or a
    # print-stamping tool adds it), not page content; a hidden annotation
    # (flag 2) with another name must not count.
    form = b"/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 5 0 R >> >>"
    extra = {
        10: b"<< /Type /Annot /Subtype /Stamp /Rect [40 30 240 50] /F 4 /AP << /N 11 0 R >> >>",
        11: stream(form, b"BT /F1 9 Tf 2 6 Td (Printed by: Jane Doe) Tj ET", True),
        12: b"<< /Type /Annot /Subtype /FreeText /Rect [40 60 240 80] /F 2 /AP << /N 13 0 R >> >>",
        13: stream(form, b"BT /F1 9 Tf 2 6 Td (Printed by: Eve Hidden) Tj ET", True),
    }
    _, out = page_pdf(BODY, info=[("Author", "Jane Doe")], extra_objects=extra,
                      page_extra=b" /Annots [10 0 R 12 0 R]")
    return out


def restamped():
    # Revision 2 replaces the page content (the stamp now names John Smith)
    # and the Info alike: the newest revision agrees with itself; only
    # revision 1 shows who downloaded it.
    pdf, _ = page_pdf(BODY + STAMP, info=[("Author", "Jane Doe"), ("Subject", JANE)])
    pdf.add(4, stream(b"", BODY + STAMP.replace(b"Jane Doe", b"John Smith"), True))
    pdf.add(9, info_dict([("Author", "John Smith")]))
    return pdf.save(1, 9)


def retitled():
    # Revision 2 changes only the title: who, where and when stay the same.
    pdf, _ = page_pdf(BODY + STAMP, info=[("Author", "Jane Doe"), ("Subject", JANE)])
    pdf.add(9, info_dict([("Title", "Run Report 48213 (copy)"), ("Author", "Jane Doe"),
                          ("Subject", JANE)]))
    return pdf.save(1, 9)


def objstm():
    # PDF 1.5: the catalog, page tree, page, font and Info live in a
    # compressed object stream, found through a compressed xref stream.
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
           b" /Resources << /Font << /F1 5 0 R >> >> >>",
        5: HELV_FONT,
        9: info_dict([("Author", "Jane Doe"), ("Subject", JANE)]),
    }
    in_stream = [1, 2, 3, 5, 9]
    header, body = b"", b""
    for num in in_stream:
        header += b"%d %d " % (num, len(body))
        body += objs[num] + b"\n"
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    offsets[4] = len(out)
    out += b"4 0 obj\n" + stream(b"", BODY + STAMP, True) + b"\nendobj\n"
    offsets[6] = len(out)
    out += b"6 0 obj\n" + stream(
        b"/Type /ObjStm /N %d /First %d" % (len(in_stream), len(header)), header + body, True
    ) + b"\nendobj\n"
    xref_at = len(out)
    rows = b""
    for num in range(0, 10):
        if num == 0:
            rows += bytes([0, 0, 0, 0xFF])
        elif num == 8:
            rows += bytes([0, 0, 0, 0])
        elif num in offsets:
            rows += bytes([1]) + offsets[num].to_bytes(2, "big") + b"\x00"
        elif num == 7:
            rows += bytes([1]) + xref_at.to_bytes(2, "big") + b"\x00"
        else:
            rows += bytes([2, 0, 6, in_stream.index(num)])
    out += b"7 0 obj\n" + stream(
        b"/Type /XRef /Size 10 /W [1 2 1] /Root 1 0 R /Info 9 0 R", rows, True
    ) + b"\nendobj\n"
    return out + b"startxref\n%d\n%%%%EOF\n" % xref_at


def image_only():
    image = stream(
        b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8", b"\x00\xff\xff\x00")
    _, out = page_pdf(
        b"q 612 0 0 792 0 0 cm /Im0 Do Q\n",
        fonts={}, xobjects=b" /XObject << /Im0 10 0 R >>", extra_objects={10: image},
    )
    return out


def truncated():
    # The consistent file cut in its page content stream: no xref, no
    # trailer, but the Info dictionary (written before) survives.
    full = page_pdf_info_first()
    return full[: full.index(b"4 0 obj") + 40]


def page_pdf_info_first():
    pdf = Pdf()
    pdf.add(9, info_dict([("Author", "Jane Doe"), ("Subject", JANE)]))
    pdf.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    pdf.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    pdf.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>")
    pdf.add(4, stream(b"", BODY + STAMP))
    pdf.add(5, HELV_FONT)
    return pdf.save(1, 9)


def encrypted(source, user, owner, algorithm):
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        return None
    import io
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def other_producers():
    """Files written by ReportLab and fpdf2, when installed (`pip install
    reportlab fpdf2`): their own layouts, font handling and metadata. Made
    deterministic (ReportLab's invariant mode, fixed dates)."""
    import io
    try:
        import datetime
        import reportlab
        from fpdf import FPDF
        from reportlab import rl_config
        from reportlab.lib.pagesizes import letter
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen import canvas
    except ImportError:
        return {}
    rl_config.invariant = 1
    vera = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")
    zoe = "Zoë O'Brien-Núñez"
    out = {}

    # ReportLab, standard fonts (no /Widths): the label and the name drawn
    # separately, a right-aligned page number, and a second stamp rotated
    # 90 degrees in the margin by a `cm`; two pages.
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    c.setAuthor("Jane Doe")
    c.setTitle("Run Report 48213")
    c.setSubject(JANE)
    for page in (1, 2):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 720, "Run Report 48213")
        c.setFont("Helvetica", 9)
        c.drawString(72, 40, "Printed by:")
        c.drawString(122, 40, "Jane Doe")
        c.drawRightString(540, 40, "Page %d of 2" % page)
        c.saveState()
        c.translate(20, 400)
        c.rotate(90)
        c.drawString(0, 0, "Printed by Jane Doe")
        c.restoreState()
        c.showPage()
    c.save()
    out["reportlab.pdf"] = buf.getvalue()

    # ReportLab with an embedded TrueType subset: a simple font with its
    # own codes, readable only through its ToUnicode CMap.
    pdfmetrics.registerFont(TTFont("Vera", vera))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    c.setAuthor(zoe)
    c.setFont("Vera", 10)
    c.drawString(72, 720, "CMS-1500 Health Insurance Claim Form")
    c.drawString(72, 40, "PRINTED BY " + zoe + "  on 07/01/2021")
    c.showPage()
    c.save()
    out["reportlab_ttf.pdf"] = buf.getvalue()

    # fpdf2: cells; a TrueType font embedded as Type0 / Identity-H.
    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2021, 7, 1, 17, 35, 16, tzinfo=datetime.timezone.utc))
    pdf.set_author(zoe)
    pdf.set_subject("Requested from 2001:db8::42")
    pdf.add_font("Vera", fname=vera)
    pdf.add_page()
    pdf.set_font("Vera", size=14)
    pdf.cell(0, 10, "Run Report 48213", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Vera", size=9)
    pdf.cell(30, 6, "Printed by:")
    pdf.cell(60, 6, zoe)
    pdf.cell(0, 6, "Page 1 of 1", align="R")
    out["fpdf2.pdf"] = bytes(pdf.output())
    return out


def main():
    fixtures = {
        "consistent.pdf": consistent(),
        "flate_split.pdf": flate_split(),
        "identity_h.pdf": identity_h(),
        "form_xobject.pdf": form_xobject(),
        "xmp_only.pdf": xmp_only(),
        "reprinted.pdf": reprinted(),
        "metadata_only.pdf": metadata_only(),
        "mismatch.pdf": mismatch(),
        "rewritten.pdf": rewritten(),
        "stripped.pdf": stripped(),
        "retitled.pdf": retitled(),
        "restamped.pdf": restamped(),
        "annotation.pdf": annotation(),
        "many_revisions.pdf": many_revisions(),
        "object_stream.pdf": objstm(),
        "image_only.pdf": image_only(),
        "truncated.pdf": truncated(),
    }
    owner = encrypted(consistent(), "", "owner-secret", "AES-128")
    user = encrypted(consistent(), "secret", "owner-secret", "AES-256")
    if owner is not None:
        fixtures["owner_only.pdf"] = owner
        fixtures["user_password.pdf"] = user
    else:
        print("pypdf is not installed: the encrypted fixtures are left as they are", file=sys.stderr)
    others = other_producers()
    if others:
        fixtures.update(others)
    else:
        print("reportlab or fpdf2 is not installed: their files are left as they are", file=sys.stderr)
    for name, data in fixtures.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(fixtures)} files to {HERE}")


if __name__ == "__main__":
    main()
