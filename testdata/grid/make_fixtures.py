#!/usr/bin/env python3
"""Generate the grid-export fixtures under testdata/grid/ (CSV and XLSX).

Run from anywhere:

    python3 testdata/grid/make_fixtures.py

Everything here is synthetic: the patients, addresses and employees are made
up. The signature text follows the vendor's statement shape from the
AngelTrack data-leak forensics guide.

Standard library only. The output is deterministic: every file is written in
binary mode from the literal rows below, and the XLSX workbooks are built by
hand with zipfile (fixed 1980-01-01 timestamps, fixed entry order, deflate
level 9, no extra fields). The deflate bytes come from the zlib Python links;
another zlib build may compress differently (same contents, other bytes), so
the committed .xlsx files are the reference.

After writing, the script reads every fixture back and checks what
testdata/README.md states (record counts, the signature's row, column and
cell). When openpyxl happens to be installed, the workbooks are also opened
with it as an independent check. It stops with `CHECK FAILED: ...` when a fact
no longer holds; `--no-verify` skips the checks.
"""

import csv
import io
import os
import struct
import sys
import zipfile

ROOT = os.path.dirname(os.path.abspath(__file__))

SIG = ("Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com "
       "for user Jane Doe (ID 16) at 192.168.1.42.")
SIG_ZOE = ("Produced 2021-07-01 12:35:16-05:00 by acme.angeltrack.com "
           "for user Zo\u00eb O'Brien-N\u00fa\u00f1ez (ID 7) at 2001:db8::42.")
SIG_RENEE = ("Produced 2021-07-02 08:05:00+02:00 by acme.angeltrack.com "
             "for user Ren\u00e9e Dupr\u00e9 (ID 23) at 192.168.1.77.")
SIG_MARY = ("Produced 2017-01-19 14:02:11-06:00 by acme.angeltrack.com "
            "for user Mary Jones (ID 31) at 70.114.201.66.")

HEADER6 = ["Run Number", "Date of Service", "Patient", "Pickup", "Destination", "Miles"]
ROWS6 = [
    ["48190", "2021-06-28", "Alice Brown", "12 Oak St", "Mercy Hospital", "4.2"],
    ["48191", "2021-06-29", "Bob Green", "7 Elm Ave", "St. Luke's", "11.0"],
    ["48192", "2021-06-30", "Carol White", "301 Pine Rd", "County General", "6.8"],
    ["48193", "2021-07-01", "David Black", "55 Birch Ln", "Mercy Hospital", "3.1"],
]


def path(name):
    return os.path.join(ROOT, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def lines(rows, sep=",", eol="\n"):
    """Rows of already-quoted cells, joined. Every line ends with eol."""
    return "".join(sep.join(r) + eol for r in rows)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

def make_plain():
    rows = [HEADER6] + ROWS6[:3] + [ROWS6[3] + [SIG]]
    write("plain.csv", lines(rows).encode("ascii"))


def make_quoted():
    text = (
        'Run Number,Patient,Address,Notes,Miles\n'
        '48190,"Brown, Alice","12 Oak St, Apt 4","Patient said ""call my daughter""",4.2\n'
        '48191,"Green, Bob",7 Elm Ave,"Line one\nline two\nline three",11.0\n'
        '48192,"O\'Neil, Carol",301 Pine Rd,"",6.8\n'
        '48193,"Black, David","55 Birch Ln\nUnit B","Refused, then agreed",3.1,"' + SIG + '"\n'
    )
    write("quoted.csv", text.encode("ascii"))


def make_crlf_bom():
    rows = [
        ["Run Number", "Patient", "City", "Miles"],
        ["48190", "Zo\u00eb Adams", "San Jos\u00e9", "4.2"],
        ["48191", "Bj\u00f6rn Lee", "M\u00fcnchen", "11.0"],
        ["48192", "Ana N\u00fa\u00f1ez", "Espa\u00f1ola", "6.8", SIG_ZOE],
    ]
    write("crlf_bom.csv", b"\xef\xbb\xbf" + lines(rows, eol="\r\n").encode("utf-8"))


def make_excel_eu():
    # European Excel: `;`, Windows-1252, CRLF, decimal commas, dates as
    # dd.mm.yyyy, and every row padded to the widest one (the signature row).
    rows = [
        ["Run Number", "Patient", "Ville", "Kilom\u00e8tres", "Co\u00fbt"],
        ["48190", "Jos\u00e9 M\u00fcller", "Z\u00fcrich", "4,2", "12,50 \u20ac"],
        ["48191", "\u00c6r\u00f8 Hansen", "Gen\u00e8ve", "11,0", "30,00 \u20ac"],
        ["48192", "Fran\u00e7oise L\u00e9ger", "Li\u00e8ge", "6,8", "18,75 \u20ac"],
        ["48193", "Ren\u00e9 Fa\u00dfbender", "K\u00f6ln", "3,1", "9,90 \u20ac", SIG_RENEE],
    ]
    padded = [r + [""] * (6 - len(r)) for r in rows]
    write("excel_eu.csv", lines(padded, sep=";", eol="\r\n").encode("cp1252"))


def make_unicode_text():
    # Excel "Unicode Text": UTF-16LE with BOM, tab-separated, CRLF, padded.
    rows = [
        ["Run Number", "Patient", "Notes", "Pickup", "Miles"],
        ["48190", "Alice Brown", '"He said ""ouch"""', "12 Oak St", "4.2"],
        ["48191", "Bob Green", "\U0001F691 transfer", "7 Elm Ave", "11.0"],
        ["48192", "Carol White", "", "301 Pine Rd", "6.8", SIG],
    ]
    padded = [r + [""] * (6 - len(r)) for r in rows]
    write("unicode_text.txt", b"\xff\xfe" + lines(padded, sep="\t", eol="\r\n").encode("utf-16-le"))


def make_trailing_rows():
    rows = [HEADER6] + ROWS6[:3] + [ROWS6[3] + [SIG]]
    text = lines([r + [""] * (7 - len(r)) for r in rows])
    text += ",,,,,,\n" * 3 + "\n\n"
    write("trailing_rows.csv", text.encode("ascii"))


def make_padding():
    rows = [
        ["Run Number", "Patient", "Pickup", "Miles", "", "", ""],
        ["48190", "Alice Brown", "12 Oak St", "4.2", " ", "", "\t"],
        ["48191", "Bob Green", "7 Elm Ave", "11.0", "", "  ", ""],
        ["48192", "Carol White", "301 Pine Rd", "6.8", SIG, "", ""],
    ]
    write("padding.csv", lines(rows).encode("ascii"))


def make_resorted():
    # Sorted by Patient in a spreadsheet: the signature row (David Black)
    # lands in record 3 of 7.
    data = [
        ["48190", "2021-06-28", "Alice Brown", "12 Oak St", "Mercy Hospital", "4.2"],
        ["48193", "2021-07-01", "David Black", "55 Birch Ln", "Mercy Hospital", "3.1", SIG],
        ["48191", "2021-06-29", "Bob Green", "7 Elm Ave", "St. Luke's", "11.0"],
        ["48194", "2021-07-01", "Eve Grey", "9 Cedar Ct", "County General", "2.5"],
        ["48195", "2021-07-01", "Frank Stone", "14 Maple Dr", "St. Luke's", "8.9"],
        ["48192", "2021-06-30", "Carol White", "301 Pine Rd", "County General", "6.8"],
    ]
    write("resorted.csv", lines([HEADER6] + data).encode("ascii"))


def make_unsigned():
    write("unsigned.csv", lines([HEADER6] + ROWS6).encode("ascii"))


def make_notes_beyond():
    rows = [
        HEADER6,
        ROWS6[0],
        ROWS6[1] + ["ask Jane about this one"],
        ROWS6[2],
        ROWS6[3] + [SIG],
    ]
    write("notes_beyond.csv", lines(rows).encode("ascii"))


def make_damaged_quote():
    rows = [
        HEADER6,
        ROWS6[0],
        ["48191", "2021-06-29", '"Bob Green', "7 Elm Ave", "St. Luke's", "11.0"],
        ROWS6[2],
        ROWS6[3] + [SIG],
    ]
    write("damaged_quote.csv", lines(rows).encode("ascii"))


def make_damaged_utf16():
    rows = [
        ["Run Number", "Patient", "Notes", "Pickup", "Miles"],
        ["48190", "Alice Brown", "BROKEN", "12 Oak St", "4.2"],
        ["48191", "Bob Green", "", "7 Elm Ave", "11.0"],
        ["48192", "Carol White", "", "301 Pine Rd", "6.8", SIG],
    ]
    data = lines(rows, sep="\t", eol="\r\n").encode("utf-16-le")
    # An unpaired high surrogate (D800) in place of the B of BROKEN.
    broken = "BROKEN".encode("utf-16-le")
    data = data.replace(broken, b"\x00\xd8" + broken[2:], 1)
    write("damaged_utf16.txt", b"\xff\xfe" + data)


# --------------------------------------------------------------------------
# XLSX, built by hand
# --------------------------------------------------------------------------

def col_letters(n):
    """1 -> A, 26 -> Z, 27 -> AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class Strings:
    def __init__(self):
        self.index = {}
        self.order = []

    def get(self, s):
        if s not in self.index:
            self.index[s] = len(self.order)
            self.order.append(s)
        return self.index[s]

    def xml(self):
        items = "".join('<si><t xml:space="preserve">%s</t></si>' % xml_escape(s) for s in self.order)
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'count="%d" uniqueCount="%d">%s</sst>' % (len(self.order), len(self.order), items))


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def sheet_xml(rows, strings):
    """rows: list of (row number, [cells]) where cells start at column A;
    None or "" cells are left out, numeric strings become numbers."""
    out = []
    max_col, max_row = 1, 1
    for rnum, cells in rows:
        cs = []
        for i, v in enumerate(cells):
            if v is None or v == "":
                continue
            ref = "%s%d" % (col_letters(i + 1), rnum)
            max_col, max_row = max(max_col, i + 1), max(max_row, rnum)
            if is_number(v):
                cs.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                cs.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, strings.get(v)))
        out.append('<row r="%d">%s</row>' % (rnum, "".join(cs)))
    dim = "A1:%s%d" % (col_letters(max_col), max_row) if rows else "A1"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<dimension ref="%s"/><sheetData>%s</sheetData></worksheet>' % (dim, "".join(out)))


STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')


def zip_entry(z, name, text):
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.create_system = 0
    zi.external_attr = 0
    z.writestr(zi, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def xlsx_bytes(sheets):
    """sheets: list of (name, rows) with rows as for sheet_xml."""
    strings = Strings()
    bodies = [sheet_xml(rows, strings) for _, rows in sheets]
    ns_main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ns_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct_sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%s"/>' % (i + 1, ct_sheet)
                  for i in range(len(sheets)))
        + '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '</Types>')
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>' % ns_rel)
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="%s" xmlns:r="%s"><sheets>%s</sheets></workbook>'
        % (ns_main, ns_rel, "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>'
                                    % (xml_escape(name), i + 1, i + 1)
                                    for i, (name, _) in enumerate(sheets))))
    n = len(sheets)
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join('<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>'
                  % (i + 1, ns_rel, i + 1) for i in range(n))
        + '<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>' % (n + 1, ns_rel)
        + '<Relationship Id="rId%d" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % (n + 2, ns_rel)
        + '</Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        zip_entry(z, "[Content_Types].xml", content_types)
        zip_entry(z, "_rels/.rels", root_rels)
        zip_entry(z, "xl/workbook.xml", workbook)
        zip_entry(z, "xl/_rels/workbook.xml.rels", wb_rels)
        for i, body in enumerate(bodies):
            zip_entry(z, "xl/worksheets/sheet%d.xml" % (i + 1), body)
        zip_entry(z, "xl/styles.xml", STYLES)
        zip_entry(z, "xl/sharedStrings.xml", strings.xml())
    return buf.getvalue()


HEADER9 = ["Run Number", "Date of Service", "Patient", "Pickup", "Destination",
           "Miles", "Crew", "Unit", "Disposition"]
ROWS9 = [
    ["48190", "2021-06-28", "Alice Brown", "12 Oak St", "Mercy Hospital", "4.2", "Smith/Lee", "M12", "Transported"],
    ["48191", "2021-06-29", "Bob Green", "7 Elm Ave", "St. Luke's", "11.0", "Doe/Kim", "M07", "Transported"],
    ["48192", "2021-06-30", "Carol White", "301 Pine Rd", "County General", "6.8", "Smith/Lee", "M12", "Refused"],
    ["48193", "2021-07-01", "David Black", "55 Birch Ln", "Mercy Hospital", "3.1", "Doe/Kim", "M07", "Transported"],
    ["48194", "2021-07-01", "Eve Grey", "9 Cedar Ct", "County General", "2.5", "Nash/Ito", "M03", "Transported"],
    ["48195", "2021-07-01", "Frank Stone", "14 Maple Dr", "St. Luke's", "8.9", "Nash/Ito", "M03", "Cancelled"],
]


def numbered(rows):
    return [(i + 1, r) for i, r in enumerate(rows)]


def signed_xlsx():
    rows = [HEADER9] + ROWS9[:3] + [ROWS9[3] + [SIG]]
    return xlsx_bytes([("Patients", numbered(rows))])


def make_xlsx_signed():
    write("signed.xlsx", signed_xlsx())


def make_xlsx_two_sheets():
    summary = [["Unit", "Runs"], ["M07", "2"], ["M12", "1"]]
    header = ["Field %02d" % k for k in range(1, 29)]
    data = [
        ["%d" % (48190 + i)] + ["r%dc%d" % (i + 2, k) for k in range(2, 29)]
        for i in range(3)
    ]
    data[2] = data[2] + [SIG_MARY]
    write("two_sheets.xlsx", xlsx_bytes([("Summary", numbered(summary)),
                                          ("Export", numbered([header] + data))]))


def make_xlsx_resorted():
    data = [ROWS9[0], ROWS9[3] + [SIG], ROWS9[1], ROWS9[4], ROWS9[5], ROWS9[2]]
    write("resorted.xlsx", xlsx_bytes([("Sheet1", numbered([HEADER9] + data))]))


def make_xlsx_unsigned():
    write("unsigned.xlsx", xlsx_bytes([("Patients", numbered([HEADER9] + ROWS9))]))


def make_xlsx_empty():
    write("empty.xlsx", xlsx_bytes([("Sheet1", []), ("Sheet2", [])]))


BOMB_DECLARED = 600 * 1024 * 1024


def make_xlsx_bomb():
    # signed.xlsx, with sheet1.xml declaring 600 MiB uncompressed (local
    # header and central directory). Nothing here decompresses that far: the
    # claim alone must make a reader refuse.
    data = bytearray(signed_xlsx())
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        while pos >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, pos + size_at, BOMB_DECLARED)
            pos = data.find(sig, pos + 4)
    write("bomb.xlsx", bytes(data))


def make_xlsx_truncated():
    data = signed_xlsx()
    write("truncated.xlsx", data[:len(data) // 2])


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------

def check(cond, msg):
    if not cond:
        sys.exit("CHECK FAILED: " + msg)


def csv_records(name, encoding, delimiter, bom=b""):
    data = open(path(name), "rb").read()
    check(data.startswith(bom), name + ": BOM")
    text = data[len(bom):].decode(encoding)
    # Blank lines are not records (as in the csv crate); Python yields [].
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]


def beyond(records):
    """(row, column, text) of the non-blank cells beyond the header width."""
    width = max(i + 1 for i, c in enumerate(records[0]) if c.strip())
    found = []
    for r, rec in enumerate(records[1:], start=2):
        for c, v in enumerate(rec, start=1):
            if c > width and v.strip():
                found.append((r, c, v))
    return found


def last_data_row(records):
    return max(r for r, rec in enumerate(records, start=1) if any(v.strip() for v in rec))


# name -> (encoding, delimiter, BOM, records, [(row, column, text) beyond], final data row)
CSV_FACTS = {
    "plain.csv": ("ascii", ",", b"", 5, [(5, 7, SIG)], 5),
    "quoted.csv": ("ascii", ",", b"", 5, [(5, 6, SIG)], 5),
    "crlf_bom.csv": ("utf-8", ",", b"\xef\xbb\xbf", 4, [(4, 5, SIG_ZOE)], 4),
    "excel_eu.csv": ("cp1252", ";", b"", 5, [(5, 6, SIG_RENEE)], 5),
    "unicode_text.txt": ("utf-16-le", "\t", b"\xff\xfe", 4, [(4, 6, SIG)], 4),
    "trailing_rows.csv": ("ascii", ",", b"", 8, [(5, 7, SIG)], 5),
    "padding.csv": ("ascii", ",", b"", 4, [(4, 5, SIG)], 4),
    "resorted.csv": ("ascii", ",", b"", 7, [(3, 7, SIG)], 7),
    "unsigned.csv": ("ascii", ",", b"", 5, [], 5),
    "notes_beyond.csv": ("ascii", ",", b"", 5, [(3, 7, "ask Jane about this one"), (5, 7, SIG)], 5),
}


def verify_csv():
    for name, (enc, delim, bom, n, found, last) in CSV_FACTS.items():
        recs = csv_records(name, enc, delim, bom)
        check(len(recs) == n, "%s: %d records, expected %d" % (name, len(recs), n))
        check(beyond(recs) == found, "%s: beyond the header: %r" % (name, beyond(recs)))
        check(last_data_row(recs) == last, "%s: final data row %d" % (name, last_data_row(recs)))
    raw = open(path("quoted.csv"), "rb").read()
    check(raw.count(b"\n") == 8, "quoted.csv: 8 physical lines")
    check(open(path("crlf_bom.csv"), "rb").read().count(b"\r\n") == 4, "crlf_bom.csv: CRLF")
    eu = open(path("excel_eu.csv"), "rb").read()
    check(b"\x80" in eu and b"\xe9" in eu, "excel_eu.csv: Windows-1252 bytes")
    try:
        eu.decode("utf-8")
        check(False, "excel_eu.csv must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    check(eu.split(b"\r\n")[0].count(b";") == 5, "excel_eu.csv: padded header")
    check(min(i for i, b in enumerate(eu) if b >= 0x80) == 30 and eu[30] == 0xE8,
          "excel_eu.csv: first non-ASCII byte 0xE8 at offset 30")
    # damaged_quote.csv: Python's reader also swallows the rest into record 3.
    recs = csv_records("damaged_quote.csv", "ascii", ",")
    check(len(recs) == 3 and "\n" in recs[2][2] and SIG in recs[2][2],
          "damaged_quote.csv: unterminated quote swallows the rest")
    check(open(path("damaged_quote.csv"), "rb").read().count(b"\n") == 5, "damaged_quote.csv: 5 lines")
    bad = open(path("damaged_utf16.txt"), "rb").read()
    try:
        bad[2:].decode("utf-16-le")
        check(False, "damaged_utf16.txt must not be valid UTF-16")
    except UnicodeDecodeError as e:
        check(e.start == 114, "damaged_utf16.txt: bad unit at byte %d of the text" % e.start)
    good = bad[2:].decode("utf-16-le", errors="replace")
    recs = list(csv.reader(io.StringIO(good, newline=""), delimiter="\t"))
    check(beyond(recs) == [(4, 6, SIG)], "damaged_utf16.txt: signature still readable")


def zip_names(name):
    with zipfile.ZipFile(path(name)) as z:
        return [i.filename for i in z.infolist()], sum(i.file_size for i in z.infolist())


def sheet_cells(name):
    """{sheet: {cell ref: text}} read back with the standard library."""
    import re
    with zipfile.ZipFile(path(name)) as z:
        sst = re.findall(r"<t[^>]*>(.*?)</t>", z.read("xl/sharedStrings.xml").decode())
        wb = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]*)"', wb)
        out = {}
        for i, sheet in enumerate(names):
            body = z.read("xl/worksheets/sheet%d.xml" % (i + 1)).decode()
            cells = {}
            for ref, t, v in re.findall(r'<c r="([A-Z]+\d+)"( t="s")?><v>([^<]*)</v></c>', body):
                cells[ref] = sst[int(v)] if t else v
            out[sheet] = cells
        return out


# name -> {sheet: (header width, [(cell, text) beyond the header], final data row)}
XLSX_FACTS = {
    "signed.xlsx": {"Patients": (9, [("J5", SIG)], 5)},
    "two_sheets.xlsx": {"Summary": (2, [], 3), "Export": (28, [("AC4", SIG_MARY)], 4)},
    "resorted.xlsx": {"Sheet1": (9, [("J3", SIG)], 7)},
    "unsigned.xlsx": {"Patients": (9, [], 7)},
    "empty.xlsx": {"Sheet1": (0, [], 0), "Sheet2": (0, [], 0)},
}


def split_ref(ref):
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]), col


def verify_xlsx():
    check(col_letters(26) == "Z" and col_letters(27) == "AA" and col_letters(29) == "AC", "letters")
    for name, sheets in XLSX_FACTS.items():
        cells = sheet_cells(name)
        check(list(cells) == list(sheets), "%s: sheets %r" % (name, list(cells)))
        for sheet, (width, found, last) in sheets.items():
            pos = {split_ref(ref): text for ref, text in cells[sheet].items()}
            w = max([c for (r, c) in pos if r == 1], default=0)
            check(w == width, "%s/%s: header width %d" % (name, sheet, w))
            got = sorted(((r, c), ref, t) for ref, t in cells[sheet].items()
                         for (r, c) in [split_ref(ref)] if r > 1 and c > width)
            check([(ref, t) for _, ref, t in got] == found, "%s/%s: beyond %r" % (name, sheet, got))
            check(max([r for (r, c) in pos], default=0) == last, "%s/%s: final row" % (name, sheet))
    names, total = zip_names("bomb.xlsx")
    check(total == BOMB_DECLARED + zip_names("signed.xlsx")[1] - len(sheet_xml_of("signed.xlsx")),
          "bomb.xlsx: declared size")
    trunc = open(path("truncated.xlsx"), "rb").read()
    check(trunc.startswith(b"PK\x03\x04") and b"PK\x05\x06" not in trunc, "truncated.xlsx: no EOCD")
    check(len(trunc) == len(signed_xlsx()) // 2, "truncated.xlsx: half of signed.xlsx")
    try:
        import openpyxl
    except ImportError:
        return
    for name, sheets in XLSX_FACTS.items():
        wb = openpyxl.load_workbook(path(name), read_only=True)
        check(wb.sheetnames == list(sheets), "openpyxl %s: sheets" % name)
        for sheet, (_, found, _) in sheets.items():
            for ref, text in found:
                check(wb[sheet][ref].value == text, "openpyxl %s/%s!%s" % (name, sheet, ref))


def sheet_xml_of(name):
    with zipfile.ZipFile(path(name)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def main():
    make_plain()
    make_quoted()
    make_crlf_bom()
    make_excel_eu()
    make_unicode_text()
    make_trailing_rows()
    make_padding()
    make_resorted()
    make_unsigned()
    make_notes_beyond()
    make_damaged_quote()
    make_damaged_utf16()
    make_xlsx_signed()
    make_xlsx_two_sheets()
    make_xlsx_resorted()
    make_xlsx_unsigned()
    make_xlsx_empty()
    make_xlsx_bomb()
    make_xlsx_truncated()
    if "--no-verify" not in sys.argv:
        verify_csv()
        verify_xlsx()
    print("grid fixtures written under %s" % ROOT)


if __name__ == "__main__":
    main()
