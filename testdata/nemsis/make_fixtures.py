#!/usr/bin/env python3
"""Generate the NEMSIS XML fixtures in testdata/nemsis/.

Run from anywhere:

    python3 testdata/nemsis/make_fixtures.py

Everything written here is synthetic: the agency, the reports and the people
are made up. The only text copied from elsewhere is the vendor's sample
engraviture block (the AngelTrack data-leak forensics guide, "Tracing a Leaked
NEMSIS XML Document"), used verbatim in vendor_sample_v351.xml and checked
against the guide when /work/shared/seeds/data-leak-forensics.txt is present.

Standard library only; deterministic (UUIDs are uuid5 of fixed names, files
are written in binary mode with the exact bytes built here). Re-running the
script rewrites the same bytes. After writing, it reads every file back and
judges it with a small independent reading of the rules (xml.etree + base64),
so the expected verdicts in EXPECTED, testdata/README.md and
tests/cli/examine_nemsis.rs stay true. It stops with `CHECK FAILED: ...` when one
no longer holds. `--no-verify` skips those checks.
"""

import base64
import binascii
import os
import re
import sys
import uuid
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.abspath(__file__))
SEED = "/work/shared/seeds/data-leak-forensics.txt"

NS = "http://www.nemsis.org"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = {
    "3.5": "https://nemsis.org/media/nemsis_v3/3.5.1.250403CP1/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd",
    "3.4": "https://nemsis.org/media/nemsis_v3/3.4.0.160713CP2/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd",
}

# The vendor's statement and their sample block, verbatim (guide lines 27-39).
JANE = ("Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user "
        "Jane Doe (ID 16) at 192.168.1.42.")
VENDOR_BLOCK = """<eCustomResults.ResultsGroup>
<eCustomResults.01>
Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for user Jane Doe (ID 16) at 192.168.1.42.
</eCustomResults.01>
<eCustomResults.02>eRecord.900</eCustomResults.02>
</eCustomResults.ResultsGroup>
<eCustomResults.ResultsGroup>
<eCustomResults.01>
UHJvZHVjZWQgMjAyMS0wNy0wMSAxNzozNToxNi0wMDowMCBieSBhY21lLmFuZ2VsdH
JhY2suY29tIGZvciB1c2VyIEphbmUgRG9lIChJRCAxNikgYXQgMTkyLjE2OC4xLjQyLg==
</eCustomResults.01>
<eCustomResults.02>eRecord.901</eCustomResults.02>
</eCustomResults.ResultsGroup>
"""
# The same statement with the plain copy's name changed by a wrongdoer.
JANE_EDITED = JANE.replace("Jane Doe", "John Smith")
JOHN = ("Produced 2021-07-02 09:12:44-00:00 by acme.angeltrack.com for user "
        "John Smith (ID 42) at 73.21.44.9.")
ZOE = ("Produced 2021-07-01 12:35:16-05:00 by acme.angeltrack.com for user "
       "Zoë O'Brien-Núñez (ID 7) at 2001:db8::42.")
REGISTRY = ("Produced 2021-07-01 17:35:16-00:00 by acme.angeltrack.com for "
            "newyork.imagetrendelite.com/Elite/Organizationnewyork/NEMSIS3Ws.")
GARBAGE = "Exported for the quarterly quality review."


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def wrap(s, width):
    """Base64 wrapped at `width` characters (None: one line)."""
    if width is None:
        return s
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))


def group(value, kind):
    """One eCustomResults.ResultsGroup, laid out like the vendor's sample."""
    return ("<eCustomResults.ResultsGroup>\n<eCustomResults.01>\n%s\n</eCustomResults.01>\n"
            "<eCustomResults.02>%s</eCustomResults.02>\n</eCustomResults.ResultsGroup>\n"
            % (value, kind))


def engravitures(plain=JANE, encoded=JANE, width=66):
    """The eRecord.900 / eRecord.901 pair; None leaves a copy out."""
    out = ""
    if plain is not None:
        out += group(plain, "eRecord.900")
    if encoded is not None:
        out += group(wrap(b64(encoded), width), "eRecord.901")
    return out


def pcr(name, n, groups, version="3.5"):
    """A small patient care report ending with `groups` (raw XML)."""
    attr = ""
    if version != "3.4":  # UUID is required from 3.5.0 on, absent in 3.4
        attr = ' UUID="%s"' % uuid.uuid5(uuid.NAMESPACE_URL,
                                         "leaktrace/testdata/nemsis/%s/%d" % (name, n))
    return ("    <PatientCareReport%s>\n"
            "      <eRecord>\n"
            "        <eRecord.01>ACME-2021-%05d</eRecord.01>\n"
            "        <eRecord.SoftwareApplicationGroup>\n"
            "          <eRecord.02>AngelTrack LLC</eRecord.02>\n"
            "          <eRecord.03>AngelTrack</eRecord.03>\n"
            "          <eRecord.04>2021.07</eRecord.04>\n"
            "        </eRecord.SoftwareApplicationGroup>\n"
            "      </eRecord>\n"
            "      <eResponse>\n"
            "        <eResponse.AgencyGroup>\n"
            "          <eResponse.01>ACME-EMS</eResponse.01>\n"
            "          <eResponse.02>Acme Ambulance</eResponse.02>\n"
            "        </eResponse.AgencyGroup>\n"
            "        <eResponse.03>2021-07-%05d</eResponse.03>\n"
            "      </eResponse>\n"
            "      <eCustomResults>\n"
            "%s"
            "      </eCustomResults>\n"
            "    </PatientCareReport>\n" % (attr, n, 4400 + n, groups))


def document(pcrs, version="3.5", prolog='<?xml version="1.0" encoding="UTF-8"?>\n'):
    return (prolog +
            '<EMSDataSet xmlns="%s" xmlns:xsi="%s"\n'
            '            xsi:schemaLocation="%s %s">\n'
            "  <Header>\n"
            "    <DemographicGroup>\n"
            "      <dAgency.01>A0001</dAgency.01>\n"
            "      <dAgency.02>ACME-EMS</dAgency.02>\n"
            "      <dAgency.04>36</dAgency.04>\n"
            "    </DemographicGroup>\n"
            "%s"
            "  </Header>\n"
            "</EMSDataSet>\n" % (NS, XSI, NS, XSD[version], "".join(pcrs)))


def prefixed(text, prefix="nem"):
    """Every element name in the `prefix` namespace, declared on the root."""
    text = re.sub(r"<(/?)([A-Za-z][\w.]*)", r"<\1%s:\2" % prefix, text)
    return text.replace(' xmlns="%s"' % NS, ' xmlns:%s="%s"' % (prefix, NS))


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(ROOT, name), "wb") as fh:
        fh.write(data)


# ---------------------------------------------------------------- fixtures

LAUGHS_PROLOG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE EMSDataSet [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
  <!ENTITY passwd SYSTEM "file:///etc/passwd">
]>
"""

OTHER_GROUPS = (
    "<eCustomResults.ResultsGroup>\n"
    "<eCustomResults.01>FN3230</eCustomResults.01>\n"
    "<eCustomResults.02>eMedications.903</eCustomResults.02>\n"
    "<eCustomResults.03>c1</eCustomResults.03>\n"
    "</eCustomResults.ResultsGroup>\n"
    '<eCustomResults.ResultsGroup CorrelationID="433-333">\n'
    "<eCustomResults.01>2021-07-01T05:10:00-05:00</eCustomResults.01>\n"
    "<eCustomResults.02>CDateTime</eCustomResults.02>\n"
    "</eCustomResults.ResultsGroup>\n"
    "<eCustomResults.ResultsGroup>\n"
    "<eCustomResults.01>stretcher restraint</eCustomResults.01>\n"
    "<eCustomResults.02>C101</eCustomResults.02>\n"
    "<eCustomResults.03>433-333</eCustomResults.03>\n"
    "</eCustomResults.ResultsGroup>\n"
    + group(JOHN, "eRecord.902")
    + group(wrap(b64(JOHN), 76), "eRecord.9010")
)

# Expected readings: file -> (file verdict, [report verdicts], attribution
# text or None, verified). Attribution texts are statements defined above.
EXPECTED = {}


def fixture(name, data, verdict, pcrs, attribution=None, verified=False):
    write(name, data)
    EXPECTED[name] = (verdict, pcrs, attribution, verified)


def corrupt_char():
    """The base64 of JANE with its 21st character replaced by `!`."""
    s = b64(JANE)
    return s[:20] + "!" + s[21:]


def make_all():
    vendor_groups = VENDOR_BLOCK
    fixture("vendor_sample_v351.xml", document([pcr("vendor", 1, vendor_groups)]),
            "consistent", ["consistent"], JANE, True)
    fixture("v340_no_uuid.xml",
            document([pcr("v340", 1, engravitures(), version="3.4")], version="3.4"),
            "consistent", ["consistent"], JANE, True)
    fixture("prefixed_namespace.xml", prefixed(document([pcr("prefixed", 1, engravitures())])),
            "consistent", ["consistent"], JANE, True)
    fixture("crlf.xml", document([pcr("crlf", 1, engravitures())]).replace("\n", "\r\n"),
            "consistent", ["consistent"], JANE, True)
    fixture("base64_wraps.xml",
            document([pcr("wraps", i + 1, engravitures(width=w))
                      for i, w in enumerate([76, 64, 60, None])]),
            "consistent", ["consistent"] * 4, JANE, True)
    fixture("several_consistent.xml",
            document([pcr("several", i + 1, engravitures(ZOE, ZOE)) for i in range(3)]),
            "consistent", ["consistent"] * 3, ZOE, True)
    fixture("registry_upload.xml",
            document([pcr("registry", 1, engravitures(REGISTRY, REGISTRY))]),
            "consistent", ["consistent"], REGISTRY, True)

    fixture("edited_900.xml", document([pcr("edited", 1, engravitures(JANE_EDITED, JANE))]),
            "mismatch", ["mismatch"], JANE, False)
    fixture("deleted_900.xml", document([pcr("deleted900", 1, engravitures(None, JANE))]),
            "incomplete", ["incomplete"], JANE, False)
    fixture("deleted_901.xml", document([pcr("deleted901", 1, engravitures(JANE, None))]),
            "incomplete", ["incomplete"], JANE, False)
    fixture("corrupt_901_char.xml",
            document([pcr("char", 1, group(JANE, "eRecord.900")
                          + group(wrap(corrupt_char(), 66), "eRecord.901"))]),
            "incomplete", ["incomplete"], JANE, False)
    fixture("corrupt_901_padding.xml",
            document([pcr("padding", 1, group(JANE, "eRecord.900")
                          + group(wrap(b64(JANE)[:-1], 66), "eRecord.901"))]),
            "incomplete", ["incomplete"], JANE, False)
    fixture("garbage_901.xml", document([pcr("garbage", 1, engravitures(JANE, GARBAGE))]),
            "mismatch", ["mismatch"], JANE, False)
    fixture("mixed.xml",
            document([pcr("mixed", 1, engravitures()), pcr("mixed", 2, engravitures(JOHN, JOHN))]),
            "mixed", ["consistent", "consistent"])

    whole = document([pcr("truncated", 1, engravitures()), pcr("truncated", 2, engravitures())])
    second = whole.index("<PatientCareReport", whole.index("</PatientCareReport>"))
    cut = whole.index("<eResponse.02>", second) + len("<eResponse.0")
    fixture("truncated.xml", whole[:cut], "damaged", ["consistent"], JANE, False)

    fixture("billion_laughs.xml",
            document([pcr("laughs", 1, engravitures("&lol9;", JANE))], prolog=LAUGHS_PROLOG),
            "mismatch", ["mismatch"], JANE, False)
    fixture("other_custom_results.xml", document([pcr("other", 1, OTHER_GROUPS)]),
            "none", ["none"])
    text = document([pcr("utf16", 1, engravitures(ZOE, ZOE))]).replace(
        'encoding="UTF-8"', 'encoding="UTF-16"')
    fixture("utf16le_bom.xml", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
            "consistent", ["consistent"], ZOE, True)


# ---------------------------------------------------------------- checks

FAILED = []


def check(cond, msg):
    if not cond:
        FAILED.append(msg)
        print("CHECK FAILED: %s" % msg, file=sys.stderr)


def local(tag):
    return tag.rsplit("}", 1)[-1]


def decode_901(text):
    compact = re.sub(r"\s+", "", text)
    try:
        return base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def who(statement):
    m = re.search(r" for user (.+) \(ID (\d+)\) at (\S+)\.$", statement)
    if m:
        return ("user",) + m.groups()
    m = re.match(r"Produced \S+ \S+ by \S+ for (\S+)\.$", statement)
    return ("recipient", m.group(1)) if m else ("raw", statement)


def judge(root):
    """The rules of the issue, read independently of the Rust code."""
    reports = []
    for p in root.iter():
        if local(p.tag) != "PatientCareReport":
            continue
        plain = encoded = None
        have900 = have901 = False
        for g in p.iter():
            if local(g.tag) != "eCustomResults.ResultsGroup":
                continue
            kids = {local(k.tag): "".join(k.itertext()) for k in g}
            kind = kids.get("eCustomResults.02", "").strip()
            value = kids.get("eCustomResults.01", "")
            if kind == "eRecord.900":
                have900, plain = True, value.strip() or None
            elif kind == "eRecord.901":
                have901 = True
                decoded = decode_901(value)
                encoded = decoded.strip() if decoded is not None else None
        if not (have900 or have901):
            reports.append(("none", None))
        elif plain is not None and encoded is not None:
            reports.append(("consistent" if plain == encoded else "mismatch", (plain, encoded)))
        else:
            reports.append(("incomplete", plain if plain is not None else encoded))
    return reports


def file_verdict(reports):
    verdicts = [v for v, _ in reports]
    if "mismatch" in verdicts:
        for v, copies in reports:
            if v == "mismatch":
                parsed = who(copies[1])[0] != "raw"
                return "mismatch", copies[1] if parsed else copies[0]
    named = [c[0] if v == "consistent" else c for v, c in reports if v in ("consistent", "incomplete")]
    if len({who(s) for s in named}) > 1:
        return "mixed", None
    engraved = any(v != "none" for v in verdicts)
    if "incomplete" in verdicts or (engraved and "none" in verdicts):
        return "incomplete", named[0]
    if engraved:
        return "consistent", named[0]
    return "none", None


def verify():
    for name, (verdict, pcrs, attribution, verified) in sorted(EXPECTED.items()):
        path = os.path.join(ROOT, name)
        with open(path, "rb") as fh:
            data = fh.read()
        if name == "billion_laughs.xml":
            # Never handed to expat (it would try to expand it): strip the DTD
            # and judge the rest, where &lol9; stands as written.
            text = data.decode("utf-8")
            check(text.count("<!ENTITY") == 11 and "&lol9;" in text, name + ": DTD as documented")
            body = text[text.index("]>\n") + 3:].replace("&lol9;", "&amp;lol9;")
            root = ET.fromstring(body)
            reports = judge(root)
            check(reports[0][1][0] == "&lol9;", name + ": plain copy is the reference")
        elif name == "truncated.xml":
            try:
                ET.fromstring(data)
                check(False, name + ": must not be well-formed")
            except ET.ParseError:
                pass
            text = data.decode("utf-8")
            check(text.endswith("<eResponse.0"), name + ": cut inside a tag")
            check(text.count("<PatientCareReport") == 2, name + ": cut inside the second report")
            check(text.count("</PatientCareReport>") == 1, name + ": first report whole")
            # Judge the complete first report alone.
            first = text[:text.index("</PatientCareReport>") + len("</PatientCareReport>")]
            root = ET.fromstring(first + "\n</Header></EMSDataSet>")
            reports = judge(root)
            check(len(data) == 2191 and text.count("\n") + 1 == 55,
                  name + ": %d bytes, cut on line %d" % (len(data), text.count("\n") + 1))
        else:
            root = ET.fromstring(data)
            reports = judge(root)
            check(local(root.tag) == "EMSDataSet", name + ": root is EMSDataSet")
        got = [v for v, _ in reports]
        check(got == pcrs, "%s: reports %s, expected %s" % (name, got, pcrs))
        fv, stmt = file_verdict(reports)
        if name == "truncated.xml":
            fv = "damaged"
        check(fv == verdict, "%s: verdict %s, expected %s" % (name, fv, verdict))
        check(stmt == attribution, "%s: attribution %r, expected %r" % (name, stmt, attribution))
    # Specific facts the README states.
    vendor = open(os.path.join(ROOT, "vendor_sample_v351.xml"), encoding="utf-8").read()
    check(VENDOR_BLOCK in vendor, "vendor block verbatim")
    check(base64.b64decode("".join(VENDOR_BLOCK.split("\n")[8:10])).decode() == JANE,
          "the vendor's 901 is the base64 of their 900")
    check(len(VENDOR_BLOCK.split("\n")[8]) == 66, "the vendor wraps at 66")
    if os.path.exists(SEED):
        with open(SEED, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        check("\n".join(lines[26:39]) + "\n" == VENDOR_BLOCK, "VENDOR_BLOCK == seed lines 27-39")
    check(corrupt_char()[20] == "!", "corrupt char at 21")
    check(b64(JANE).endswith("==") and not b64(JANE)[:-1].endswith("=="), "padding cut to one '='")
    check("UUID=" not in open(os.path.join(ROOT, "v340_no_uuid.xml")).read(), "3.4 without UUID")
    crlf = open(os.path.join(ROOT, "crlf.xml"), "rb").read()
    check(crlf.count(b"\n") == crlf.count(b"\r\n") > 0, "crlf everywhere")
    utf16 = open(os.path.join(ROOT, "utf16le_bom.xml"), "rb").read()
    check(utf16.startswith(b"\xff\xfe<\x00?\x00x\x00m\x00l\x00"), "UTF-16LE with BOM")
    if FAILED:
        sys.exit(1)


def main():
    make_all()
    if "--no-verify" not in sys.argv:
        verify()
    print("%d NEMSIS fixtures written under %s" % (len(EXPECTED), ROOT))


if __name__ == "__main__":
    main()
