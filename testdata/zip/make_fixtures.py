#!/usr/bin/env python3
"""Generate the ZIP fixtures under testdata/zip/ (bulk exports).

Run from anywhere:

    python3 testdata/zip/make_fixtures.py

The application's bulk exports are ZIP archives of the leaked files
themselves. These archives hold copies of the fixtures in testdata/nemsis/,
testdata/grid/ and testdata/pdf/ (run their generators first if you change
them), so everything in them is as synthetic as those files are.

Standard library only (zipfile). The output is deterministic: every member
has the date of the jsmith export (2017-01-19 09:16:16), Unix attributes
0644, no extra fields, a fixed order and deflate level 9, and each archive is
built in memory and written in binary mode. The deflate bytes come from the
zlib Python links; another zlib build may compress differently (same
contents, other bytes), so the committed files are the reference. A few
archives are patched after writing (a declared size, an encryption flag, a
name that is not UTF-8, a cut): each patch is done by offset below.

After writing, the script reads every archive back and checks what
testdata/README.md states; it stops with `CHECK FAILED: ...` when a fact no
longer holds. `--no-verify` skips the checks.
"""

import io
import os
import struct
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)
WHEN = (2017, 1, 19, 9, 16, 16)

# The jsmith export of the sample logs (testdata/sample/u_ex170119.log).
EXPORT = "AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip"

DEFLATED = zipfile.ZIP_DEFLATED
STORED = zipfile.ZIP_STORED


def fixture(kind, name):
    with open(os.path.join(TESTDATA, kind, name), "rb") as f:
        return f.read()


def archive(members):
    """A ZIP of (name, bytes, method) members, in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.compress_type = method
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, data, compress_type=method, compresslevel=9)
    return out.getvalue()


def local_headers(data):
    """Offsets of the local file headers, in order."""
    found, at = [], 0
    while True:
        at = data.find(b"PK\x03\x04", at)
        if at < 0:
            return found
        found.append(at)
        at += 4


def central_headers(data):
    found, at = [], 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            return found
        found.append(at)
        at += 4


def patched(data, at, fmt, value):
    data = bytearray(data)
    struct.pack_into(fmt, data, at, value)
    return bytes(data)


VENDOR = fixture("nemsis", "vendor_sample_v351.xml")
SEVERAL = fixture("nemsis", "several_consistent.xml")
PLAIN = fixture("grid", "plain.csv")
UNSIGNED = fixture("grid", "unsigned.csv")
SIGNED_XLSX = fixture("grid", "signed.xlsx")
CONSISTENT_PDF = fixture("pdf", "consistent.pdf")

BOMB_DECLARED = 600 << 20


def build():
    files = {}

    files[EXPORT] = archive([
        ("vendor_sample_v351.xml", VENDOR, DEFLATED),
        ("reports/several_consistent.xml", SEVERAL, DEFLATED),
    ])

    # The PDF first and stored: `%PDF-` is in the archive's first kilobyte.
    files["csv_pdf.zip"] = archive([
        ("consistent.pdf", CONSISTENT_PDF, STORED),
        ("plain.csv", PLAIN, DEFLATED),
    ])

    # The workbook first and stored: its part names are in the archive's head.
    files["workbook_stored.zip"] = archive([
        ("signed.xlsx", SIGNED_XLSX, STORED),
        ("unsigned.csv", UNSIGNED, DEFLATED),
    ])

    inner = archive([
        ("vendor_sample_v351.xml", VENDOR, DEFLATED),
        ("signed.xlsx", SIGNED_XLSX, STORED),
    ])
    files["nested.zip"] = archive([
        ("plain.csv", PLAIN, DEFLATED),
        ("inner.zip", inner, STORED),
    ])

    level2 = archive([("plain.csv", PLAIN, DEFLATED)])
    level1 = archive([
        ("unsigned.csv", UNSIGNED, DEFLATED),
        ("level2.zip", level2, STORED),
    ])
    files["nested_deep.zip"] = archive([("level1.zip", level1, STORED)])

    # bomb.csv holds plain.csv, but both of its headers declare 600 MiB.
    bomb = archive([
        ("bomb.csv", PLAIN, DEFLATED),
        ("plain.csv", PLAIN, DEFLATED),
    ])
    bomb = patched(bomb, local_headers(bomb)[0] + 22, "<I", BOMB_DECLARED)
    bomb = patched(bomb, central_headers(bomb)[0] + 24, "<I", BOMB_DECLARED)
    files["bomb.zip"] = bomb

    # The export, cut 200 bytes into the second member's data (a download
    # that stopped): no central directory, no end record.
    export = files[EXPORT]
    second = local_headers(export)[1]
    name_len, extra_len = struct.unpack_from("<HH", export, second + 26)
    files["truncated.zip"] = export[: second + 30 + name_len + extra_len + 200]

    files["unknown_member.zip"] = archive([
        ("README.txt", b"Bulk export for AcmeAmbulance. Generated 2017-01-19 by jsmith.\n", DEFLATED),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(64)), STORED),
        ("plain.csv", PLAIN, DEFLATED),
    ])

    files["empty.zip"] = archive([])

    # secret.csv has the encryption flag (bit 0) set in both its headers;
    # its content is plain.csv, unencrypted (nothing needs to decrypt it).
    secret = archive([
        ("secret.csv", PLAIN, DEFLATED),
        ("unsigned.csv", UNSIGNED, DEFLATED),
    ])
    first = local_headers(secret)[0]
    secret = patched(secret, first + 6, "<H", struct.unpack_from("<H", secret, first + 6)[0] | 1)
    central = central_headers(secret)[0]
    secret = patched(secret, central + 8, "<H", struct.unpack_from("<H", secret, central + 8)[0] | 1)
    files["encrypted_member.zip"] = secret

    # A name written by a tool in CP437 without the UTF-8 flag: byte 0x82
    # (é in CP437) in both headers; not valid UTF-8.
    odd = archive([("cafX.csv", PLAIN, DEFLATED)])
    odd = odd.replace(b"cafX.csv", b"caf\x82.csv")
    files["odd_name.zip"] = odd

    return files


def check(ok, what):
    if not ok:
        sys.exit(f"CHECK FAILED: {what}")


def names(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [i.filename for i in z.infolist()]


def verify(files):
    check(names(files[EXPORT]) == ["vendor_sample_v351.xml", "reports/several_consistent.xml"],
          "the export holds the two NEMSIS files")
    with zipfile.ZipFile(io.BytesIO(files[EXPORT])) as z:
        check(z.read("vendor_sample_v351.xml") == VENDOR, "the export's members are the fixtures")
    check(b"%PDF-" in files["csv_pdf.zip"][:1024], "csv_pdf.zip shows %PDF- in its first KiB")
    check(b"xl/workbook.xml" in files["workbook_stored.zip"][:65536],
          "workbook_stored.zip shows xl/workbook.xml in its head")
    check(not any(n.startswith("xl/") for n in names(files["workbook_stored.zip"])),
          "workbook_stored.zip has no xl/ part of its own")
    with zipfile.ZipFile(io.BytesIO(files["nested.zip"])) as z:
        check(names(z.read("inner.zip")) == ["vendor_sample_v351.xml", "signed.xlsx"],
              "nested.zip!inner.zip holds a NEMSIS file and a workbook")
    with zipfile.ZipFile(io.BytesIO(files["nested_deep.zip"])) as z:
        level1 = z.read("level1.zip")
        check(names(level1) == ["unsigned.csv", "level2.zip"], "level1.zip's members")
        with zipfile.ZipFile(io.BytesIO(level1)) as l1:
            check(names(l1.read("level2.zip")) == ["plain.csv"], "level2.zip holds plain.csv")
    with zipfile.ZipFile(io.BytesIO(files["bomb.zip"])) as z:
        check(z.infolist()[0].file_size == BOMB_DECLARED, "bomb.csv declares 600 MiB")
        check(sum(i.file_size for i in z.infolist()) > 512 << 20, "bomb.zip declares over 512 MiB")
    cut = files["truncated.zip"]
    check(b"PK\x01\x02" not in cut and b"PK\x05\x06" not in cut, "truncated.zip has no directory")
    check(len(local_headers(cut)) == 2, "truncated.zip is cut inside its second member")
    check(names(files["unknown_member.zip"]) == ["README.txt", "logo.png", "plain.csv"],
          "unknown_member.zip's members")
    check(len(files["empty.zip"]) == 22 and files["empty.zip"].startswith(b"PK\x05\x06"),
          "empty.zip is an end record alone")
    with zipfile.ZipFile(io.BytesIO(files["encrypted_member.zip"])) as z:
        flags = [i.flag_bits & 1 for i in z.infolist()]
        check(flags == [1, 0], "only secret.csv is flagged encrypted")
    odd = files["odd_name.zip"]
    check(odd.count(b"caf\x82.csv") == 2, "odd_name.zip's name is patched in both headers")
    with zipfile.ZipFile(io.BytesIO(odd)) as z:
        check(z.infolist()[0].flag_bits & 0x800 == 0, "odd_name.zip's name is not flagged UTF-8")
        check(z.infolist()[0].filename == "caf\u00e9.csv", "odd_name.zip's name reads café.csv as CP437")


def main():
    files = build()
    for name, data in files.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    if "--no-verify" not in sys.argv[1:]:
        verify(files)
    print(f"wrote {len(files)} archives to {HERE}")


if __name__ == "__main__":
    main()
