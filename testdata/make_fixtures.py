#!/usr/bin/env python3
"""Generate the leaktrace test fixtures under testdata/.

Run from anywhere:

    python3 testdata/make_fixtures.py

Everything written here is synthetic. The output is deterministic: random
filler traffic uses per-session integer seeds, gzip members are built by hand
with mtime=0 and no file name, and every file is written in binary mode with
exactly the bytes listed below (LF line endings unless a fixture says
otherwise). Re-running the script rewrites the same bytes. It never deletes
anything; it only (over)writes the files listed in testdata/README.md.

After writing, the script reads every fixture back and checks the facts that
testdata/README.md states (row counts, line numbers of notable rows). If one of
those checks fails, fix the README and the expectation together.

Standard library only (Python 3.9+; zoneinfo is used only for an optional
check of the DST table).
"""

import os
import random
import struct
import sys
import zlib
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.abspath(__file__))

IIS85 = "Microsoft Internet Information Services 8.5"

# The AngelTrack / IIS 8.5 default layout (15 fields).
F15 = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
       "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
       "time-taken").split()
# The same plus cs-host after cs(Referer) and sc-bytes cs-bytes before time-taken.
F18 = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
       "c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus "
       "sc-win32-status sc-bytes cs-bytes time-taken").split()
# The IIS 7.5 default layout: F15 without cs(Referer) (14 fields).
F14 = [f for f in F15 if f != "cs(Referer)"]

HOST = "acme.angeltrack.com"
SITE = "https://acme.angeltrack.com/"
S_IP = "10.0.1.15"
S_PORT = "443"

UA_MAC_CHROME55 = ("Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_12_2)+AppleWebKit/537.36+"
                   "(KHTML,+like+Gecko)+Chrome/55.0.2883.95+Safari/537.36")
UA_WIN10_CHROME55 = ("Mozilla/5.0+(Windows+NT+10.0;+WOW64)+AppleWebKit/537.36+"
                     "(KHTML,+like+Gecko)+Chrome/55.0.2883.87+Safari/537.36")
UA_WIN7_FIREFOX50 = "Mozilla/5.0+(Windows+NT+6.1;+WOW64;+rv:50.0)+Gecko/20100101+Firefox/50.0"
UA_WIN10_EDGE14 = ("Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+"
                   "(KHTML,+like+Gecko)+Chrome/51.0.2704.79+Safari/537.36+Edge/14.14393")
UA_IPHONE_IOS102 = ("Mozilla/5.0+(iPhone;+CPU+iPhone+OS+10_2+like+Mac+OS+X)+AppleWebKit/602.3.12+"
                    "(KHTML,+like+Gecko)+Version/10.0+Mobile/14C92+Safari/602.1")
UA_WIN7_IE11 = "Mozilla/5.0+(Windows+NT+6.1;+WOW64;+Trident/7.0;+rv:11.0)+like+Gecko"
UA_CURL = "curl/7.51.0"

# client key -> (c-ip, User-Agent). The key is also the AngelTrack user name,
# except "outsider", which never authenticates.
CLIENTS = {
    "jsmith": ("73.21.44.9", UA_MAC_CHROME55),
    "jdoe": ("98.199.20.117", UA_WIN10_CHROME55),
    "mwilliams": ("24.155.87.3", UA_WIN7_FIREFOX50),
    "mary.jones": ("70.114.201.66", UA_WIN10_EDGE14),
    "rgarcia": ("172.58.105.20", UA_IPHONE_IOS102),
    "tnguyen": ("66.69.12.40", UA_WIN7_IE11),
    "outsider": ("203.0.113.77", UA_CURL),
}


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def out_path(rel):
    return os.path.join(ROOT, *rel.split("/"))


def write_bytes(rel, data):
    path = out_path(rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def read_bytes(rel):
    with open(out_path(rel), "rb") as fh:
        return fh.read()


def lines_to_bytes(lines, eol=b"\n", final_eol=True):
    """Join str/bytes lines with eol; str is encoded as UTF-8."""
    enc = [l.encode("utf-8") if isinstance(l, str) else l for l in lines]
    data = eol.join(enc)
    if final_eol:
        data += eol
    return data


def header(date, fields, software=IIS85):
    return ["#Software: " + software, "#Version: 1.0", "#Date: " + date,
            "#Fields: " + " ".join(fields)]


def gzip_member(data):
    """One gzip member: deflate level 9, mtime 0, no FNAME, XFL=2, OS=255."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    head = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
    tail = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return head + body + tail


def row15(date, time, method, stem, query, user, cip, ua, ref, status, sub, win32, taken):
    return " ".join([date, time, S_IP, method, stem, query, S_PORT, user, cip, ua, ref,
                     str(status), str(sub), str(win32), str(taken)])


def crc(s):
    return zlib.crc32(s.encode("utf-8"))


# --------------------------------------------------------------------------
# A. sample/u_ex170119.log and sample/u_ex170120.log
# --------------------------------------------------------------------------

class Ev:
    """One request of the sample server."""
    __slots__ = ("t", "client", "user", "method", "stem", "query", "ref", "status",
                 "sub", "win32", "taken", "sc_bytes", "cs_bytes", "scripted")

    def __init__(self, t, client, user, method, stem, query="-", ref="-", status=200,
                 sub=0, win32=0, taken=100, sc_bytes=None, cs_bytes=None, scripted=False):
        self.t, self.client, self.user, self.method = t, client, user, method
        self.stem, self.query, self.ref, self.status = stem, query, ref, status
        self.sub, self.win32, self.taken = sub, win32, taken
        self.sc_bytes, self.cs_bytes, self.scripted = sc_bytes, cs_bytes, scripted

    def byte_counts(self):
        """sc-bytes / cs-bytes: explicit, or derived from a hash of the row."""
        h = crc("%s %s %s %s" % (self.t, self.client, self.method, self.stem))
        if self.method == "POST":
            sc = 4000 + h % 56000
            cs = 2500 + (h >> 8) % 28000
        elif self.status == 304:
            sc = 220 + h % 40
            cs = 420 + (h >> 8) % 380
        elif self.stem.endswith(".aspx"):
            sc = 18000 + h % 72000
            cs = 420 + (h >> 8) % 480
        else:
            sc = 600 + h % 39000
            cs = 380 + (h >> 8) % 320
        if self.status == 302:
            sc = 380 + h % 200
        if self.status in (404, 500):
            sc = 1200 + h % 3000
        return (self.sc_bytes if self.sc_bytes is not None else sc,
                self.cs_bytes if self.cs_bytes is not None else cs)

    def values(self):
        cip, ua = CLIENTS[self.client]
        sc, cs = self.byte_counts()
        return {
            "date": self.t.strftime("%Y-%m-%d"), "time": self.t.strftime("%H:%M:%S"),
            "s-ip": S_IP, "cs-method": self.method, "cs-uri-stem": self.stem,
            "cs-uri-query": self.query, "s-port": S_PORT, "cs-username": self.user,
            "c-ip": cip, "cs(User-Agent)": ua, "cs(Referer)": self.ref, "cs-host": HOST,
            "sc-status": str(self.status), "sc-substatus": str(self.sub),
            "sc-win32-status": str(self.win32), "sc-bytes": str(sc), "cs-bytes": str(cs),
            "time-taken": str(self.taken),
        }

    def line(self, fields):
        v = self.values()
        return " ".join(v[f] for f in fields)


def T(s):
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S")


def url(page, query="-"):
    return SITE + page + ("" if query == "-" else "?" + query)


ASSETS = [
    ("/images/icons/Export.png", "-"), ("/images/icons/Add.png", "-"),
    ("/images/icons/Edit.png", "-"), ("/images/icons/Delete.png", "-"),
    ("/images/AngelTrackLogo.png", "-"), ("/scripts/AngelTrack.js", "-"),
    ("/scripts/FuelLevels.js", "-"), ("/scripts/jquery-1.12.4.min.js", "-"),
    ("/WebResource.axd", "d=pynGkmcFUV13He1Qd6_TZAG0IJA1TzhPdcbBfEKAkd01&t=636204528600000000"),
    ("/WebResource.axd", "d=x2nkrMJGXkMELz33nwnakC9CqXo2mDzKzqWQ1iO63BM1&t=636204528600000000"),
]

# page -> (query generator kind, page a Save redirects to)
PAGES = {
    "Home.aspx": (None, None),
    "Dispatch.aspx": (None, None),
    "DispatchEdit.aspx": ("dispatch", "Dispatch.aspx"),
    "DispatchesClosed.aspx": (None, None),
    "Patients.aspx": (None, None),
    "PatientEdit.aspx": ("patient", "Patients.aspx"),
    "Shifts.aspx": (None, None),
    "ShiftBegin.aspx": (None, "Shifts.aspx"),
    "Crews.aspx": (None, None),
    "PCRView.aspx": ("pcr", None),
    "PCREdit.aspx": ("pcr", "PCRView.aspx"),
    "BillingHome.aspx": (None, None),
    "Invoices.aspx": (None, None),
    "InvoiceEdit.aspx": ("invoice", "Invoices.aspx"),
    "QAHome.aspx": (None, None),
}

ROLE_PAGES = {
    "tnguyen": ["Dispatch.aspx", "DispatchEdit.aspx", "Shifts.aspx", "Crews.aspx", "Patients.aspx"],
    "rgarcia": ["PCRView.aspx", "PCREdit.aspx", "ShiftBegin.aspx", "Shifts.aspx"],
    "jsmith": ["Dispatch.aspx", "Shifts.aspx", "Crews.aspx", "DispatchEdit.aspx", "Home.aspx"],
    "jdoe": ["Dispatch.aspx", "DispatchEdit.aspx", "Patients.aspx", "PatientEdit.aspx"],
    "mwilliams": ["BillingHome.aspx", "Invoices.aspx", "InvoiceEdit.aspx", "PatientEdit.aspx"],
    "mary.jones": ["QAHome.aspx", "PCRView.aspx", "Patients.aspx", "PatientEdit.aspx"],
}


def page_query(rng, page):
    kind = PAGES[page][0]
    if kind == "dispatch":
        return "ID=%d" % rng.randint(48100, 48260)
    if kind == "patient":
        return "ID=%d" % rng.randint(10200, 10999)
    if kind == "pcr":
        return "ID=%d" % rng.randint(48100, 48260)
    if kind == "invoice":
        return "ID=%d" % rng.randint(23000, 23999)
    return "-"


def filler_session(user, start, end, logon=True, prev_page="Home.aspx"):
    """Random but seeded page traffic of one user between start and end (UTC).

    With logon=True the session starts with the logon page; otherwise it
    continues from prev_page (used as the first referer)."""
    rng = random.Random(crc("%s|%s|%s" % (user, start, end)))
    evs = []
    cached = set()
    t = T(start)
    stop = T(end)

    def emit(ev):
        if ev.t <= stop:
            evs.append(ev)

    def assets(t, page_url, n):
        # n distinct assets, at t or t+1 s, in non-decreasing time order
        dt = t
        for idx in rng.sample(range(len(ASSETS)), n):
            stem, q = ASSETS[idx]
            dt = dt + timedelta(seconds=rng.randint(0, 1))
            if (stem, q) in cached:
                emit(Ev(dt, user, "-", "GET", stem, q, page_url, 304, taken=rng.randint(0, 15)))
            else:
                cached.add((stem, q))
                emit(Ev(dt, user, "-", "GET", stem, q, page_url, 200, taken=rng.randint(15, 140)))

    if logon:
        emit(Ev(t, user, "-", "GET", "/Logon.aspx", "-", "-", 200, taken=rng.randint(120, 400)))
        assets(t, url("Logon.aspx"), 2)
        t += timedelta(seconds=rng.randint(6, 25))
        emit(Ev(t, user, "-", "POST", "/Logon.aspx", "-", url("Logon.aspx"), 302,
                taken=rng.randint(150, 600)))
        emit(Ev(t, user, user, "GET", "/Home.aspx", "-", url("Logon.aspx"), 200,
                taken=rng.randint(200, 700)))
        assets(t, url("Home.aspx"), 2)
        prev = url("Home.aspx")
    else:
        page, _, q = prev_page.partition("?")
        prev = url(page, q or "-")
    pages = ROLE_PAGES[user]
    while True:
        t += timedelta(seconds=rng.randint(40, 240))
        if t > stop:
            break
        page = rng.choice(pages)
        q = page_query(rng, page)
        here = url(page, q)
        emit(Ev(t, user, user, "GET", "/" + page, q, prev, 200, taken=rng.randint(140, 950)))
        assets(t, here, rng.choice([0, 1, 1, 2]))
        nposts = rng.choice([0, 0, 1, 1, 2])
        for i in range(nposts):
            t += timedelta(seconds=rng.randint(4, 45))
            target = PAGES[page][1]
            if i == nposts - 1 and target and rng.random() < 0.5:
                # Save button: POST answered by a redirect, then the list page.
                emit(Ev(t, user, user, "POST", "/" + page, q, here, 302,
                        taken=rng.randint(150, 900)))
                emit(Ev(t, user, user, "GET", "/" + target, "ATSaveRefer=0", here, 200,
                        taken=rng.randint(140, 700)))
                here = url(target, "ATSaveRefer=0")
            else:
                emit(Ev(t, user, user, "POST", "/" + page, q, here, 200,
                        taken=rng.randint(120, 1000)))
        prev = here
    return evs


def S(t, client, user, method, stem, query="-", ref="-", status=200, sub=0, win32=0,
      taken=100, sc_bytes=None):
    """A hand-written (scripted) event; ref may be a page name or '-'."""
    if ref != "-" and not ref.startswith("http"):
        ref = SITE + ref
    return Ev(T(t), client, user, method, stem, query, ref, status, sub, win32, taken,
              sc_bytes=sc_bytes, scripted=True)


def scripted_events():
    evs = []
    a = evs.append
    # --- jsmith: logon, then the vendor's documented bulk-export flow (verbatim
    # apart from c-ip 73.21.44.9 instead of 127.0.0.1 and the added s-ip/s-port).
    a(S("2017-01-19 16:57:02", "jsmith", "-", "GET", "/Logon.aspx", taken=231))
    a(S("2017-01-19 16:57:02", "jsmith", "-", "GET", "/images/AngelTrackLogo.png", ref="Logon.aspx", status=304, taken=2))
    a(S("2017-01-19 16:57:15", "jsmith", "-", "POST", "/Logon.aspx", ref="Logon.aspx", status=302, taken=388))
    a(S("2017-01-19 16:57:15", "jsmith", "jsmith", "GET", "/Home.aspx", ref="Logon.aspx", taken=412))
    a(S("2017-01-19 16:57:40", "jsmith", "jsmith", "GET", "/Dispatch.aspx", ref="Home.aspx", taken=508))
    a(S("2017-01-19 16:57:41", "jsmith", "-", "GET", "/scripts/AngelTrack.js", ref="Dispatch.aspx", status=304, taken=1))
    dc = "DispatchesClosed.aspx"
    for t, m, stem, user, ref, st, w32, tt, scb in [
        ("16:58:00", "GET", "/DispatchesClosed.aspx", "jsmith", "Dispatch.aspx", 200, 0, 470, None),
        ("16:58:07", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 995, 717, None),
        ("16:58:08", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 995, 845, None),
        ("16:58:08", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 0, 829, None),
        ("16:58:33", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 0, 813, None),
        ("16:59:04", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 0, 895, None),
        ("17:15:52", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 0, 370, None),
        ("17:16:17", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 0, 15126, None),
        ("17:16:17", "GET", "/images/icons/Suitcase.loaded.zip.gif", "-", dc, 200, 0, 63, None),
        ("17:16:30", "GET", "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip", "-", dc, 200, 0, 6182, 3870417),
        ("17:16:39", "POST", "/DispatchesClosed.aspx", "jsmith", dc, 200, 0, 424, None),
    ]:
        a(S("2017-01-19 " + t, "jsmith", user, m, stem, "-", ref, st, 0, w32, tt, scb))
    a(S("2017-01-19 17:17:02", "jsmith", "jsmith", "GET", "/Home.aspx", ref=dc, taken=377))

    # --- mary.jones: CSV grid export from /Patients.aspx (name = local UTC-6).
    a(S("2017-01-19 20:00:40", "mary.jones", "mary.jones", "GET", "/Patients.aspx", ref="QAHome.aspx", taken=688))
    a(S("2017-01-19 20:00:41", "mary.jones", "-", "GET", "/images/icons/Export.png", ref="Patients.aspx", status=304, taken=3))
    a(S("2017-01-19 20:01:05", "mary.jones", "mary.jones", "POST", "/Patients.aspx", ref="Patients.aspx", taken=742))
    a(S("2017-01-19 20:01:31", "mary.jones", "mary.jones", "POST", "/Patients.aspx", ref="Patients.aspx", taken=655))
    a(S("2017-01-19 20:01:52", "mary.jones", "mary.jones", "POST", "/Patients.aspx", ref="Patients.aspx", taken=903))
    a(S("2017-01-19 20:02:11", "mary.jones", "-", "GET", "/images/temp/spinner.gif", ref="Patients.aspx", taken=22))
    a(S("2017-01-19 20:02:12", "mary.jones", "mary.jones", "POST", "/Patients.aspx", ref="Patients.aspx", taken=1402))
    a(S("2017-01-19 20:02:14", "mary.jones", "-", "GET", "/temp/acme/AcmeAmbulance.mary.jones.2017-01-19-14-02-11.csv",
        ref="Patients.aspx", taken=318, sc_bytes=48213))
    a(S("2017-01-19 20:02:31", "mary.jones", "mary.jones", "POST", "/Patients.aspx", ref="Patients.aspx", taken=597))

    # --- jdoe: bulk export at 15:30:00 local (21:30:00 UTC); jdoe's own client
    # never fetches it.
    a(S("2017-01-19 21:26:40", "jdoe", "jdoe", "GET", "/DispatchesClosed.aspx", ref="Dispatch.aspx", taken=512))
    a(S("2017-01-19 21:26:41", "jdoe", "-", "GET", "/images/icons/Export.png", ref=dc, status=304, taken=2))
    a(S("2017-01-19 21:27:05", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=790))
    a(S("2017-01-19 21:27:33", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=861))
    a(S("2017-01-19 21:28:10", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=804))
    a(S("2017-01-19 21:30:01", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=8113))
    a(S("2017-01-19 21:30:01", "jdoe", "-", "GET", "/images/icons/Suitcase.loaded.zip.gif", ref=dc, taken=58))
    a(S("2017-01-19 21:30:44", "jdoe", "jdoe", "GET", "/Dispatch.aspx", ref=dc, taken=466))

    # --- mwilliams: authenticated requests, then fetches jdoe's export with no
    # referer (link pasted into the address bar) about 10 minutes later.
    a(S("2017-01-19 21:37:12", "mwilliams", "mwilliams", "POST", "/Invoices.aspx", ref="Invoices.aspx", taken=702))
    a(S("2017-01-19 21:38:40", "mwilliams", "mwilliams", "GET", "/InvoiceEdit.aspx", "ID=23517", ref="Invoices.aspx", taken=655))
    a(S("2017-01-19 21:38:41", "mwilliams", "-", "GET", "/templates/Invoice.html", ref=SITE + "InvoiceEdit.aspx?ID=23517", taken=41))
    a(S("2017-01-19 21:40:09", "mwilliams", "-", "GET", "/temp/acme/AcmeAmbulance.jdoe.2017-01-19-15-30-00.zip",
        taken=3907, sc_bytes=2960118))
    a(S("2017-01-19 21:41:30", "mwilliams", "mwilliams", "GET", "/BillingHome.aspx", ref=SITE + "InvoiceEdit.aspx?ID=23517", taken=433))

    # --- an outside client replays an expired export link: 404 0 2.
    a(S("2017-01-19 18:41:27", "outsider", "-", "GET", "/temp/acme/AcmeAmbulance.jsmith.2017-01-09-08-00-00.zip",
        status=404, sub=0, win32=2, taken=15))

    # --- rgarcia (crew, phone): upload handler and a PCR printout under /temp/.
    a(S("2017-01-19 18:20:05", "rgarcia", "-", "GET", "/Logon.aspx", taken=301))
    a(S("2017-01-19 18:20:21", "rgarcia", "-", "POST", "/Logon.aspx", ref="Logon.aspx", status=302, taken=455))
    a(S("2017-01-19 18:20:21", "rgarcia", "rgarcia", "GET", "/Home.aspx", ref="Logon.aspx", taken=618))
    a(S("2017-01-19 18:21:02", "rgarcia", "rgarcia", "GET", "/PCREdit.aspx", "ID=48213", ref="Home.aspx", taken=903))
    a(S("2017-01-19 18:21:03", "rgarcia", "-", "GET", "/scripts/AngelTrack.js", ref=SITE + "PCREdit.aspx?ID=48213", taken=88))
    a(S("2017-01-19 18:24:16", "rgarcia", "rgarcia", "POST", "/PCREdit.aspx", "ID=48213", ref=SITE + "PCREdit.aspx?ID=48213", taken=671))
    a(S("2017-01-19 18:27:44", "rgarcia", "rgarcia", "POST", "/temp/acme/upload.ashx", ref=SITE + "PCREdit.aspx?ID=48213", taken=2874))
    a(S("2017-01-19 18:28:30", "rgarcia", "rgarcia", "GET", "/PCRView.aspx", "ID=48213", ref=SITE + "PCREdit.aspx?ID=48213", taken=544))
    a(S("2017-01-19 18:29:10", "rgarcia", "-", "GET", "/temp/acme/PCR.48213.pdf", ref=SITE + "PCRView.aspx?ID=48213", taken=2210,
        sc_bytes=412877))

    # --- tnguyen: the one 500 (a Save on a dispatch fails).
    a(S("2017-01-19 00:45:31", "tnguyen", "tnguyen", "GET", "/DispatchEdit.aspx", "ID=48190", ref="Dispatch.aspx", taken=611))
    a(S("2017-01-19 00:46:03", "tnguyen", "tnguyen", "POST", "/DispatchEdit.aspx", "ID=48190",
        ref=SITE + "DispatchEdit.aspx?ID=48190", status=500, taken=2316))

    # --- jdoe: late session crossing UTC midnight; export named with local
    # date 2017-01-19 but requested on UTC day 2017-01-20.
    a(S("2017-01-20 00:04:10", "jdoe", "jdoe", "GET", "/DispatchesClosed.aspx", ref="Dispatch.aspx", taken=498))
    a(S("2017-01-20 00:04:25", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=811))
    a(S("2017-01-20 00:04:48", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=764))
    a(S("2017-01-20 00:05:13", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=12844))
    a(S("2017-01-20 00:05:13", "jdoe", "-", "GET", "/images/icons/Suitcase.loaded.zip.gif", ref=dc, taken=61))
    a(S("2017-01-20 00:05:20", "jdoe", "-", "GET", "/temp/acme/AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip",
        ref=dc, taken=5210, sc_bytes=3311052))
    a(S("2017-01-20 00:05:41", "jdoe", "jdoe", "POST", "/DispatchesClosed.aspx", ref=dc, taken=402))

    # --- mwilliams on day 2, after the restart (18-field rows): an ordinary
    # CSV export fetched by its owner.
    a(S("2017-01-20 16:11:10", "mwilliams", "mwilliams", "GET", "/Invoices.aspx", ref="BillingHome.aspx", taken=598))
    a(S("2017-01-20 16:11:40", "mwilliams", "mwilliams", "POST", "/Invoices.aspx", ref="Invoices.aspx", taken=707))
    a(S("2017-01-20 16:12:41", "mwilliams", "mwilliams", "POST", "/Invoices.aspx", ref="Invoices.aspx", taken=1650))
    a(S("2017-01-20 16:12:43", "mwilliams", "-", "GET", "/temp/acme/AcmeAmbulance.mwilliams.2017-01-20-10-12-40.csv",
        ref="Invoices.aspx", taken=280, sc_bytes=61544))
    a(S("2017-01-20 16:13:05", "mwilliams", "mwilliams", "GET", "/BillingHome.aspx", ref="Invoices.aspx", taken=402))
    return evs


FILLER = [
    # day 1 (UTC 2017-01-19)
    ("tnguyen", "2017-01-19 00:00:12", "2017-01-19 00:30:00", True),
    ("tnguyen", "2017-01-19 00:47:00", "2017-01-19 01:00:00", False, "DispatchEdit.aspx?ID=48190"),
    ("rgarcia", "2017-01-19 13:10:00", "2017-01-19 13:25:00", True),
    ("jsmith", "2017-01-19 14:30:00", "2017-01-19 14:50:00", True),
    ("jdoe", "2017-01-19 15:00:00", "2017-01-19 15:12:00", True),
    ("mary.jones", "2017-01-19 19:42:00", "2017-01-19 20:00:00", True),
    ("mary.jones", "2017-01-19 20:03:00", "2017-01-19 20:15:00", False, "Patients.aspx"),
    ("jdoe", "2017-01-19 21:10:00", "2017-01-19 21:26:00", True),
    ("mwilliams", "2017-01-19 21:15:00", "2017-01-19 21:36:00", True),
    ("tnguyen", "2017-01-19 22:00:00", "2017-01-19 22:20:00", True),
    ("jdoe", "2017-01-19 23:40:00", "2017-01-20 00:03:50", True),
    # day 2 (UTC 2017-01-20)
    ("tnguyen", "2017-01-20 00:00:03", "2017-01-20 00:30:00", True),
    ("jdoe", "2017-01-20 00:06:00", "2017-01-20 00:20:00", False, "DispatchesClosed.aspx"),
    ("rgarcia", "2017-01-20 13:05:00", "2017-01-20 13:25:00", True),
    ("jsmith", "2017-01-20 14:10:00", "2017-01-20 14:35:00", True),
    ("mary.jones", "2017-01-20 15:30:00", "2017-01-20 15:55:00", True),
    ("mwilliams", "2017-01-20 15:50:00", "2017-01-20 16:10:30", True),
    ("mwilliams", "2017-01-20 16:13:30", "2017-01-20 16:25:00", False, "BillingHome.aspx"),
    ("jdoe", "2017-01-20 19:00:00", "2017-01-20 19:20:00", True),
]

RESTART = T("2017-01-20 15:42:10")


def sample_events():
    evs = []
    for user, start, end, logon, *prev in FILLER:
        evs.extend(filler_session(user, start, end, logon, *prev))
    evs.extend(scripted_events())
    evs.sort(key=lambda e: e.t)  # stable: same-second events keep their order
    day1 = [e for e in evs if e.t.date() == T("2017-01-19 00:00:00").date()]
    day2 = [e for e in evs if e.t.date() == T("2017-01-20 00:00:00").date()]
    # One adjacent pair out of order by a few seconds (IIS does this): the
    # first pair after 13:00 of two filler rows from different clients that
    # are 2-8 s apart gets swapped.
    for i in range(len(day1) - 1):
        x, y = day1[i], day1[i + 1]
        if (x.t >= T("2017-01-19 13:00:00") and not x.scripted and not y.scripted
                and x.client != y.client and 2 <= (y.t - x.t).total_seconds() <= 8):
            day1[i], day1[i + 1] = y, x
            break
    else:
        raise SystemExit("no pair to swap")
    return day1, day2


def make_sample():
    # Bundled sample: two days of a fictional AngelTrack server with a
    # documented export flow, a CSV export, a conflict, a 404 replay, decoys,
    # a session across UTC midnight, one out-of-order pair and a restart.
    day1, day2 = sample_events()
    lines = header(day1[0].t.strftime("%Y-%m-%d %H:%M:%S"), F15)
    lines += [e.line(F15) for e in day1]
    data1 = lines_to_bytes(lines)
    write_bytes("sample/u_ex170119.log", data1)

    before = [e for e in day2 if e.t < RESTART]
    after = [e for e in day2 if e.t >= RESTART]
    lines = header(before[0].t.strftime("%Y-%m-%d %H:%M:%S"), F15)
    lines += [e.line(F15) for e in before]
    lines += header(RESTART.strftime("%Y-%m-%d %H:%M:%S"), F18)
    lines += [e.line(F18) for e in after]
    write_bytes("sample/u_ex170120.log", lines_to_bytes(lines))
    return data1


# --------------------------------------------------------------------------
# B-O. w3c/ edge cases
# --------------------------------------------------------------------------

VENDOR_SAMPLE_UA = ("Mozilla/5.0+(Windows+NT+10.0;+WOW64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+"
                    "Chrome/53.0.2785.116+Safari/537.36")


def make_vendor_sample():
    # The vendor's documented sample, verbatim: two header blocks whose
    # #Fields lists 15 fields, but the rows carry only 13 values (no s-ip,
    # no s-port), as printed in the AngelTrack guide.
    sb = "https://sandbox2.angeltrack.com/"
    hdr = lambda d: ["#Software: " + IIS85, "#Version: 1.0", "#Date: " + d,
                     "#Fields: " + " ".join(F15)]
    rows = [
        ("00:25:21", "GET", "/Shifts.aspx", "-", "jdoe", "Dispatch.aspx", "292"),
        ("00:25:21", "GET", "/images/icons/Export.png", "-", "-", "Shifts.aspx", "61"),
        ("00:25:21", "GET", "/images/icons/Add.png", "-", "-", "Shifts.aspx", "75"),
        ("00:25:23", "GET", "/ShiftBegin.aspx", "-", "jdoe", "Shifts.aspx", "461"),
        ("00:25:23", "GET", "/scripts/FuelLevels.js", "-", "-", "ShiftBegin.aspx", "92"),
        ("00:25:31", "POST", "/ShiftBegin.aspx", "-", "jdoe", "ShiftBegin.aspx", "172"),
        ("00:25:40", "POST", "/ShiftBegin.aspx", "-", "jdoe", "ShiftBegin.aspx", "198"),
        ("00:25:42", "POST", "/ShiftBegin.aspx", "-", "jdoe", "ShiftBegin.aspx", "145"),
        ("00:25:44", "POST", "/ShiftBegin.aspx", "-", "jdoe", "ShiftBegin.aspx", "160"),
        ("00:25:45", "POST", "/ShiftBegin.aspx", "-", "jdoe", "ShiftBegin.aspx", "209"),
        ("00:25:45", "GET", "/Shifts.aspx", "ATSaveRefer=0", "jdoe", "ShiftBegin.aspx", "139"),
    ]
    lines = hdr("2016-10-02 00:00:21") + hdr("2016-10-02 00:25:03")
    for t, m, stem, q, user, ref, tt in rows:
        lines.append(" ".join(["2016-10-02", t, m, stem, q, user, "127.0.0.1",
                               VENDOR_SAMPLE_UA, sb + ref, "200", "0", "0", tt]))
    data = lines_to_bytes(lines)
    write_bytes("w3c/vendor_sample.log", data)
    return data


def make_blocks():
    # Three header blocks with different #Fields (15, 18, 14), plus #Remark,
    # an unknown directive, trailing "// comments" on directives, blank lines
    # between directives and between rows, and a #Fields line with extra
    # spaces after the colon and a trailing space.
    ua = CLIENTS["jsmith"][1]
    lines = [
        "#Software: Microsoft Internet Information Services 8.5   // the software that wrote the log",
        "#Version: 1.0   // the log file version",
        "#Date: 2017-01-19 16:58:00   // when the block was started",
        "#Remark: synthetic fixture for leaktrace, block 1 of 3",
        "#Fields: " + " ".join(F15),
        row15("2017-01-19", "16:58:00", "GET", "/DispatchesClosed.aspx", "-", "jsmith", "73.21.44.9", ua,
              SITE + "Dispatch.aspx", 200, 0, 0, 470),
        "",
        row15("2017-01-19", "16:58:07", "POST", "/DispatchesClosed.aspx", "-", "jsmith", "73.21.44.9", ua,
              SITE + "DispatchesClosed.aspx", 200, 0, 995, 717),
        row15("2017-01-19", "16:58:08", "POST", "/DispatchesClosed.aspx", "-", "jsmith", "73.21.44.9", ua,
              SITE + "DispatchesClosed.aspx", 200, 0, 0, 829),
        "",
        "#Software: Microsoft Internet Information Services 8.5",
        "",
        "#Version: 1.0",
        "#Date: 2017-01-19 17:16:00",
        "#X-Custom: whatever",
        "#Fields:    " + " ".join(F18) + " ",
    ]
    for t, m, stem, user, ref, scb, csb, tt in [
        ("17:16:17", "POST", "/DispatchesClosed.aspx", "jsmith", "DispatchesClosed.aspx", 20611, 18230, 15126),
        ("17:16:17", "GET", "/images/icons/Suitcase.loaded.zip.gif", "-", "DispatchesClosed.aspx", 2113, 512, 63),
        ("17:16:30", "GET", "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip", "-", "DispatchesClosed.aspx",
         3870417, 530, 6182),
    ]:
        lines.append(" ".join(["2017-01-19", t, S_IP, m, stem, "-", S_PORT, user, "73.21.44.9", ua,
                               SITE + ref, HOST, "200", "0", "0", str(scb), str(csb), str(tt)]))
        if t == "17:16:17" and m == "GET":
            lines.append("")
    lines += [
        "",
        "#Software: " + IIS85,
        "#Version: 1.0",
        "#Date: 2017-01-19 17:20:00",
        "#Fields: " + " ".join(F14),
    ]
    for t, m, stem, user, st, tt in [
        ("17:20:05", "GET", "/Dispatch.aspx", "jdoe", 200, 388),
        ("17:20:09", "POST", "/Dispatch.aspx", "jdoe", 302, 251),
    ]:
        if t == "17:20:09":
            lines.append("")
        lines.append(" ".join(["2017-01-19", t, S_IP, m, stem, "-", S_PORT, user, "98.199.20.117",
                               UA_WIN10_CHROME55, str(st), "0", "0", str(tt)]))
    write_bytes("w3c/blocks.log", lines_to_bytes(lines))


def simple_rows(n_start=1, date="2017-01-19", t0="17:00:00", user="jsmith", cip="73.21.44.9",
                ua=UA_MAC_CHROME55, count=3):
    """count ordinary 15-field rows, GET /Dispatch.aspx?n=k, 10 s apart."""
    base = datetime.strptime(date + " " + t0, "%Y-%m-%d %H:%M:%S")
    out = []
    for k in range(count):
        t = base + timedelta(seconds=10 * k)
        out.append(row15(date, t.strftime("%H:%M:%S"), "GET", "/Dispatch.aspx", "n=%d" % (n_start + k),
                         user, cip, ua, SITE + "Home.aspx", 200, 0, 0, 200 + 17 * k))
    return out


def make_crlf_bom():
    # UTF-8 BOM before "#Software", CRLF line endings everywhere, 3 rows.
    lines = header("2017-01-19 17:00:00", F15) + simple_rows()
    write_bytes("w3c/crlf_bom.log", b"\xef\xbb\xbf" + lines_to_bytes(lines, eol=b"\r\n"))


def make_invalid_utf8():
    # Row 2 (line 6) carries cp1252 bytes (0xE9 'e-acute', 0x96 en dash) in
    # cs-uri-stem and cs(User-Agent); they are not valid UTF-8.
    rows = simple_rows()
    bad = b" ".join([b"2017-01-19", b"17:00:10", S_IP.encode(), b"GET", b"/Caf\xe9\x96Menu.aspx", b"-",
                     S_PORT.encode(), b"jsmith", b"73.21.44.9",
                     b"Mozilla/4.0+(compatible;+MSIE+8.0;+Windows+NT+5.1)+Ren\xe9e\x96Toolbar",
                     (SITE + "Home.aspx").encode(), b"200", b"0", b"0", b"217"])
    lines = header("2017-01-19 17:00:00", F15) + [rows[0], bad, rows[2]]
    write_bytes("w3c/invalid_utf8.log", lines_to_bytes(lines))


def make_nul_padding():
    # IIS preallocation: 3 valid rows, then 8192 NUL bytes up to end of file.
    lines = header("2017-01-19 17:00:00", F15) + simple_rows()
    write_bytes("w3c/nul_padding.log", lines_to_bytes(lines) + b"\x00" * 8192)


def make_nul_then_restart():
    # After a crash IIS appends right after the NUL padding: 2 rows, 600 NULs,
    # then (no newline in between) a new header block and 2 more rows.
    first = lines_to_bytes(header("2017-01-19 17:00:00", F15) + simple_rows(count=2))
    second = lines_to_bytes(header("2017-01-19 17:30:00", F15)
                            + simple_rows(n_start=3, t0="17:30:00", count=2))
    write_bytes("w3c/nul_then_restart.log", first + b"\x00" * 600 + second)


def make_truncated():
    # Crash mid-write: 3 valid rows, then a 4th row (an export download) cut
    # off inside cs(User-Agent), with no final newline.
    lines = header("2017-01-19 17:00:00", F15) + simple_rows()
    cut = " ".join(["2017-01-19", "17:16:30", S_IP, "GET",
                    "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip", "-", S_PORT, "-",
                    "73.21.44.9", "Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_"])
    write_bytes("w3c/truncated.log", lines_to_bytes(lines) + cut.encode())


def make_no_final_newline():
    # 2 valid rows; the last one is not followed by a newline (still valid).
    lines = header("2017-01-19 17:00:00", F15) + simple_rows(count=2)
    write_bytes("w3c/no_final_newline.log", lines_to_bytes(lines, final_eol=False))


def make_ipv6_users():
    # 18-field layout: IPv6 c-ip with and without zone ids, IPv4-mapped IPv6,
    # DOMAIN\user, machine account with $, dotted user, a sc-win32-status and
    # a sc-bytes beyond 32 bits, and one Exchange-style double space that
    # leaves cs-username as an empty token.
    def r(t, sip, stem, user, cip, win32, scb, csb, sep_user=" "):
        pre = " ".join(["2017-01-19", t, sip, "GET", stem, "-", S_PORT])
        post = " ".join([cip, UA_WIN10_CHROME55, SITE + "Home.aspx", HOST, "200", "0",
                         str(win32), str(scb), str(csb), "120"])
        if sep_user is None:  # empty cs-username: two spaces in a row
            return pre + "  " + post
        return pre + " " + user + " " + post

    lines = header("2017-01-19 17:00:00", F18) + [
        r("17:00:01", S_IP, "/Dispatch.aspx", "ACME\\jsmith", "fe80::1ff:fe23:4567:890a%3", 0, 24512, 611),
        r("17:00:02", S_IP, "/Patients.aspx", "ACME\\EX04$", "2001:db8::7", 0, 31877, 702),
        r("17:00:03", S_IP, "/temp/acme/AcmeAmbulance.a.b.c.2017-01-19-11-00-03.zip", "a.b.c",
          "::ffff:73.21.44.9", 0, 5000000000, 655),
        r("17:00:04", "::1%0", "/Home.aspx", "-", "::1%0", 4294967296123, 1834, 420),
        r("17:00:05", S_IP, "/Shifts.aspx", None, "73.21.44.9", 0, 20113, 590, sep_user=None),
    ]
    write_bytes("w3c/ipv6_users.log", lines_to_bytes(lines))


def make_quoted():
    # IIS Advanced Logging style: quoted values with spaces, "" escapes inside
    # quotes, "" as an empty value, and one row where every value is quoted.
    lines = [
        "#Software: IIS Advanced Logging Module",
        "#Version: 1.0",
        "#Start-Date: 2017-01-19 17:00:00.000",
        "#Fields: " + " ".join(F15),
        # 5: User-Agent quoted, with spaces inside
        " ".join(["2017-01-19", "17:00:01", S_IP, "GET", "/Dispatch.aspx", "-", S_PORT, "jsmith",
                  "73.21.44.9", '"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"', SITE + "Home.aspx",
                  "200", "0", "0", "301"]),
        # 6: cs-uri-query is say "hi" written with "" escapes
        " ".join(["2017-01-19", "17:00:02", S_IP, "GET", "/Patients.aspx", '"say ""hi"""', S_PORT, "jsmith",
                  "73.21.44.9", '"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"', SITE + "Dispatch.aspx",
                  "200", "0", "0", "288"]),
        # 7: cs(Referer) is "" (empty)
        " ".join(["2017-01-19", "17:00:03", S_IP, "GET", "/Shifts.aspx", "-", S_PORT, "jsmith",
                  "73.21.44.9", '"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"', '""',
                  "200", "0", "0", "250"]),
        # 8: every value quoted, including date and time
        " ".join('"%s"' % v for v in [
            "2017-01-19", "17:00:04", S_IP, "GET", "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-11-00-04.zip",
            "-", S_PORT, "-", "73.21.44.9", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            SITE + "DispatchesClosed.aspx", "200", "0", "0", "4120"]),
    ]
    write_bytes("w3c/quoted.log", lines_to_bytes(lines))


def make_no_date_field():
    # No `date` field: the date of each row comes from the block's #Date.
    # Two blocks (2017-01-19 and 2017-01-20); some times have fractions.
    f = "time c-ip cs-method cs-uri-stem sc-status cs-username".split()
    lines = header("2017-01-19 16:58:00", f, software="Microsoft Internet Information Services 6.0") + [
        "16:58:00 73.21.44.9 GET /DispatchesClosed.aspx 200 jsmith",
        "16:58:07.250 73.21.44.9 POST /DispatchesClosed.aspx 200 jsmith",
        "17:16:30.5 73.21.44.9 GET /temp/acme/AcmeAmbulance.jsmith.2017-01-19-09-16-16.zip 200 -",
    ] + header("2017-01-20 00:05:00", f, software="Microsoft Internet Information Services 6.0") + [
        "00:05:13 98.199.20.117 POST /DispatchesClosed.aspx 200 jdoe",
        "00:05:20.125 98.199.20.117 GET /temp/acme/AcmeAmbulance.jdoe.2017-01-19-18-05-12.zip 200 -",
        "00:05:41 98.199.20.117 POST /DispatchesClosed.aspx 200 jdoe",
    ]
    write_bytes("w3c/no_date_field.log", lines_to_bytes(lines))


def make_no_header():
    # No directives at all: rows in the IIS default 15-field layout; line 3
    # has a 16th value (a trailing X-Forwarded-For address).
    rows = simple_rows(count=4)
    rows.insert(2, row15("2017-01-19", "17:00:15", "GET", "/Patients.aspx", "-", "jsmith", "10.0.0.4",
                         UA_MAC_CHROME55, SITE + "Dispatch.aspx", 200, 0, 0, 240) + " 73.21.44.9")
    write_bytes("w3c/no_header.log", lines_to_bytes(rows))


def make_malformed():
    # Valid header, then malformed rows between valid ones (one per line).
    rows = simple_rows(count=5)
    ua = UA_MAC_CHROME55
    ref = SITE + "Home.aspx"
    bad = [
        # line 8: 14 values (time-taken missing)
        " ".join(["2017-01-19", "17:00:21", S_IP, "GET", "/Dispatch.aspx", "bad=14values", S_PORT, "jsmith",
                  "73.21.44.9", ua, ref, "200", "0", "0"]),
        # line 9: 17 values (two extra)
        " ".join(["2017-01-19", "17:00:22", S_IP, "GET", "/Dispatch.aspx", "bad=17values", S_PORT, "jsmith",
                  "73.21.44.9", ua, ref, "200", "0", "0", "210", "extra1", "extra2"]),
        # line 10: impossible date
        row15("2017-13-45", "17:00:23", "GET", "/Dispatch.aspx", "bad=date", "jsmith", "73.21.44.9", ua, ref,
              200, 0, 0, 210),
        # line 11: non-numeric sc-status
        row15("2017-01-19", "17:00:24", "GET", "/Dispatch.aspx", "bad=status", "jsmith", "73.21.44.9", ua, ref,
              "abc", 0, 0, 210),
        # line 12: impossible time
        row15("2017-01-19", "25:61:00", "GET", "/Dispatch.aspx", "bad=time", "jsmith", "73.21.44.9", ua, ref,
              200, 0, 0, 210),
        # line 13: only spaces
        "     ",
    ]
    lines = header("2017-01-19 17:00:00", F15) + rows[:3] + bad + rows[3:]
    write_bytes("w3c/malformed.log", lines_to_bytes(lines))


DST_INSTANTS = [
    ("2016-11-06", "05:30:00"), ("2016-11-06", "06:30:00"), ("2016-11-06", "07:30:00"),
    ("2016-11-06", "08:30:00"), ("2016-11-06", "09:30:00"), ("2016-11-06", "10:30:00"),
    ("2017-03-12", "07:30:00"), ("2017-03-12", "08:30:00"), ("2017-03-12", "09:30:00"),
    ("2017-03-12", "10:30:00"), ("2017-03-12", "11:30:00"),
]

# Expected local wall-clock time of each DST row (same order), with the UTC offset.
DST_EXPECTED = [
    ("2016-11-06 00:30 -05:00 CDT", "2016-11-05 22:30 -07:00 PDT"),
    ("2016-11-06 01:30 -05:00 CDT", "2016-11-05 23:30 -07:00 PDT"),
    ("2016-11-06 01:30 -06:00 CST", "2016-11-06 00:30 -07:00 PDT"),
    ("2016-11-06 02:30 -06:00 CST", "2016-11-06 01:30 -07:00 PDT"),
    ("2016-11-06 03:30 -06:00 CST", "2016-11-06 01:30 -08:00 PST"),
    ("2016-11-06 04:30 -06:00 CST", "2016-11-06 02:30 -08:00 PST"),
    ("2017-03-12 01:30 -06:00 CST", "2017-03-11 23:30 -08:00 PST"),
    ("2017-03-12 03:30 -05:00 CDT", "2017-03-12 00:30 -08:00 PST"),
    ("2017-03-12 04:30 -05:00 CDT", "2017-03-12 01:30 -08:00 PST"),
    ("2017-03-12 05:30 -05:00 CDT", "2017-03-12 03:30 -07:00 PDT"),
    ("2017-03-12 06:30 -05:00 CDT", "2017-03-12 04:30 -07:00 PDT"),
]


def make_dst():
    # Rows around the 2016 fall-back and 2017 spring-forward transitions of
    # America/Chicago and America/Los_Angeles (expected local times in README).
    lines = []
    for k, (d, t) in enumerate(DST_INSTANTS, start=1):
        if k in (1, 7):
            lines += header(d + " " + t, F15)
        lines.append(row15(d, t, "GET", "/Dispatch.aspx", "n=%d" % k, "dstuser", "73.21.44.9",
                           UA_MAC_CHROME55, SITE + "Home.aspx", 200, 0, 0, 250))
    write_bytes("w3c/dst.log", lines_to_bytes(lines))


# (date-local, time-local, stem) for local_time.log; line = index + 3. The
# server wrote America/Chicago wall-clock time (IIS Advanced Logging).
LOCAL_ROWS = [
    ("2017-03-12", "01:59:59", "/before.aspx"),   # CST: 07:59:59Z
    ("2017-03-12", "02:30:00", "/gap.aspx"),      # skipped: no instant
    ("2017-03-12", "03:00:00", "/after.aspx"),    # CDT: 08:00:00Z
    ("2016-11-06", "01:30:00", "/fold.aspx"),     # twice: 06:30Z or 07:30Z
    ("2016-11-06", "02:30:00", "/later.aspx"),    # CST: 08:30:00Z
    ("2017-01-19", "11:16:16", "/temp/acme/AcmeAmbulance.jsmith.2017-01-19-11-16-16.zip"),  # 17:16:16Z
]


def make_local_time():
    # Rows with only a local time, as IIS Advanced Logging writes them.
    lines = ["#Software: IIS Advanced Logging Module",
             "#Fields: date-local time-local s-ip cs-method cs-uri-stem cs-username c-ip sc-status"]
    for d, t, stem in LOCAL_ROWS:
        lines.append("%s %s 10.0.1.15 GET %s jsmith 73.21.44.9 200" % (d, t, stem))
    write_bytes("w3c/local_time.log", lines_to_bytes(lines))


# (user, c-ip, method, stem, status) for filters.log; line = index + 5
FILTER_ROWS = [
    ("jsmith", "73.21.44.9", "GET", "/temp/acme/A.jsmith.2017-01-19-09-16-16.zip", 200),
    ("JSmith", "73.21.44.9", "GET", "/Dispatch.aspx", 200),
    ("ACME\\jsmith", "73.21.44.200", "POST", "/Dispatch.aspx", 302),
    ("jsmith2", "73.21.45.1", "GET", "/Dispatch.aspx", 200),
    ("xjsmith", "2001:db8::7", "GET", "/Dispatch.aspx", 200),
    ("-", "73.21.44.9", "GET", "/images/temp/a.gif", 200),
    ("-", "73.21.44.200", "GET", "/templates/t.html", 200),
    ("-", "2001:db9::1", "GET", "/Temp/acme/x.csv", 200),
    ("jsmith", "2001:db8::7", "HEAD", "/temp/acme/A.jsmith.2017-01-19-09-16-16.zip", 200),
    ("-", "73.21.45.1", "GET", "/temp/acme/A.jsmith.2017-01-19-09-16-16.zip", 404),
    ("jsmith", "73.21.44.9", "POST", "/Dispatch.aspx", 500),
    ("JSmith", "2001:db9::1", "GET", "/Temp/acme/x.csv", 404),
    ("jsmith2", "73.21.44.200", "HEAD", "/Dispatch.aspx", 200),
    ("ACME\\jsmith", "73.21.44.9", "GET", "/images/temp/a.gif", 302),
    ("xjsmith", "73.21.45.1", "POST", "/templates/t.html", 500),
]


def make_filters():
    # 15 distinct rows for filter tests (user, IP/CIDR, path, method, status,
    # time window); cs-uri-query row=<line number> identifies each row.
    lines = header("2017-01-19 10:00:00", F15)
    base = T("2017-01-19 10:00:00")
    for i, (user, cip, m, stem, st) in enumerate(FILTER_ROWS):
        t = base + timedelta(minutes=i)
        lines.append(row15("2017-01-19", t.strftime("%H:%M:%S"), m, stem, "row=%d" % (i + 5), user, cip,
                           UA_MAC_CHROME55, SITE + "Dispatch.aspx", st, 0, 0, 100 + i))
    write_bytes("w3c/filters.log", lines_to_bytes(lines))


# --------------------------------------------------------------------------
# P. gz/   Q. tree/
# --------------------------------------------------------------------------

def make_gz(sample_day1):
    # gz/u_ex170119.log.gz: the day-1 sample, gzipped (one member, mtime 0).
    write_bytes("gz/u_ex170119.log.gz", gzip_member(sample_day1))
    # gz/concat.log.gz: two gzip members back to back (header + 2 rows, then
    # 2 more rows); readers must decode all members.
    part1 = lines_to_bytes(header("2017-01-19 17:00:00", F15) + simple_rows(count=2))
    part2 = lines_to_bytes(simple_rows(n_start=3, t0="17:00:20", count=2))
    write_bytes("gz/concat.log.gz", gzip_member(part1) + gzip_member(part2))


TREE = ["b.log", "a/2.log", "a/1.log", "c/sub/z.log.gz"]  # write order (not name order)
TREE_SORTED = ["a/1.log", "a/2.log", "b.log", "c/sub/z.log.gz"]


def make_tree():
    # Directory walk: 4 files in nested folders, one row each; the uri-stem
    # /tree/<relative path> identifies the file. Times grow in name order.
    for rel in TREE:
        k = TREE_SORTED.index(rel)
        row = row15("2017-01-19", "12:00:%02d" % k, "GET", "/tree/" + rel, "-", "jsmith", "73.21.44.9",
                    UA_MAC_CHROME55, "-", 200, 0, 0, 100)
        data = lines_to_bytes(header("2017-01-19 12:00:%02d" % k, F15) + [row])
        if rel.endswith(".gz"):
            data = gzip_member(data)
        write_bytes("tree/" + rel, data)


# --------------------------------------------------------------------------
# read-back checks (the facts testdata/README.md states)
# --------------------------------------------------------------------------

def phys_lines(rel):
    """Physical lines split on LF (a trailing LF does not start a new line)."""
    data = read_bytes(rel)
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return parts


def check(cond, msg):
    if not cond:
        raise SystemExit("CHECK FAILED: " + msg)


def find_lines(lines, needle):
    return [i + 1 for i, l in enumerate(lines) if needle.encode() in l]


def verify_sample():
    l1 = phys_lines("sample/u_ex170119.log")
    l2 = phys_lines("sample/u_ex170120.log")
    d1 = [l for l in l1 if not l.startswith(b"#")]
    check(len(l1) == 4 + len(d1), "day1 has one header block")
    check(all(len(l.split(b" ")) == 15 for l in d1), "day1 rows have 15 values")
    check(l1[0] == b"#Software: " + IIS85.encode() and l1[3] == b"#Fields: " + " ".join(F15).encode(),
          "day1 header")
    hdr2 = [i + 1 for i, l in enumerate(l2) if l.startswith(b"#Software:")]
    check(hdr2 == [1, 154], "day2 header blocks at lines %r" % hdr2)
    before = [l for l in l2[4:153]]
    after = [l for l in l2[157:]]
    check(all(len(l.split(b" ")) == 15 for l in before), "day2 rows before restart have 15 values")
    check(all(len(l.split(b" ")) == 18 for l in after), "day2 rows after restart have 18 values")
    check(l2[156] == b"#Fields: " + " ".join(F18).encode(), "day2 second #Fields")
    expect = {
        "sample/u_ex170119.log": {
            "rows": 312,
            "GET /temp/": [138, 149, 150, 181, 260],
            "POST /temp/": [147],
            "/templates/Invoice.html": [259],
            "/images/temp/spinner.gif": [179],
            " 500 0 ": [42],
            " 404 0 2 ": [150],
            "DispatchesClosed.aspx - 443 jsmith ": [129, 130, 131, 132, 133, 134, 135, 136, 139],
            "DispatchesClosed.aspx - 443 jdoe ": [240, 242, 246, 248, 249],
            "Suitcase.loaded.zip.gif": [137, 250],
            " 15126": [136],
            "2017-01-19 23:40:00 10.0.1.15 GET /Logon.aspx": [288],
        },
        "sample/u_ex170120.log": {
            "rows": 240,
            "GET /temp/": [24, 204],
            "POST /temp/": [],
            "DispatchesClosed.aspx - 443 jdoe ": [19, 20, 21, 22, 25],
            "Suitcase.loaded.zip.gif": [23],
            " 500 0 ": [],
            " 404 ": [],
        },
    }
    for rel, lines in (("sample/u_ex170119.log", l1), ("sample/u_ex170120.log", l2)):
        rows = [l for l in lines if not l.startswith(b"#")]
        check(len(rows) == expect[rel]["rows"], "%s rows %d" % (rel, len(rows)))
        for needle, want in expect[rel].items():
            if needle == "rows":
                continue
            got = find_lines(lines, needle)
            check(got == want, "%s %r at %r, expected %r" % (rel, needle, got, want))
    # out-of-order pair: exactly one descent in day 1, none in day 2
    for rel, lines, want in (("sample/u_ex170119.log", l1, [(213, 214)]), ("sample/u_ex170120.log", l2, [])):
        stamps = [(i + 1, l[:19]) for i, l in enumerate(lines) if not l.startswith(b"#")]
        desc = [(a[0], b[0]) for a, b in zip(stamps, stamps[1:]) if b[1] < a[1]]
        check(desc == want, "%s out-of-order pairs %r" % (rel, desc))
    check(l2[0:4][2] == b"#Date: 2017-01-20 00:00:03", "day2 #Date")
    check(l1[2] == b"#Date: 2017-01-19 00:00:12", "day1 #Date")
    check(l2[155] == b"#Date: 2017-01-20 15:42:10", "restart #Date")


def verify_edge():
    seed = "/work/shared/seeds/data-leak-forensics.txt"
    vs = read_bytes("w3c/vendor_sample.log")
    if os.path.exists(seed):  # optional: compare with the vendor document
        with open(seed, "rb") as fh:
            doc = fh.read().split(b"\n")
        check(b"\n".join(doc[63:82]) + b"\n" == vs, "vendor_sample.log == seed lines 64-82")
    vl = phys_lines("w3c/vendor_sample.log")
    check(len(vl) == 19 and all(len(l.split(b" ")) == 13 for l in vl[8:]), "vendor sample shape")

    bl = phys_lines("w3c/blocks.log")
    check(len(bl) == 28, "blocks.log has 28 lines, got %d" % len(bl))
    check([i + 1 for i, l in enumerate(bl) if l == b""] == [7, 10, 12, 19, 21, 27], "blocks blanks")
    check([i + 1 for i, l in enumerate(bl) if l.startswith(b"#Fields:")] == [5, 16, 25], "blocks fields")
    check(bl[15].endswith(b" ") and bl[15].startswith(b"#Fields:    date"), "blocks #Fields spacing")
    rows = [(i + 1, len(l.split(b" "))) for i, l in enumerate(bl) if l and not l.startswith(b"#")]
    check(rows == [(6, 15), (8, 15), (9, 15), (17, 18), (18, 18), (20, 18), (26, 14), (28, 14)],
          "blocks rows %r" % rows)

    cb = read_bytes("w3c/crlf_bom.log")
    check(cb.startswith(b"\xef\xbb\xbf#Software") and cb.count(b"\r\n") == 7 and cb.count(b"\n") == 7,
          "crlf_bom")

    iu = phys_lines("w3c/invalid_utf8.log")
    check(len(iu) == 7 and all(len(l.split(b" ")) == 15 for l in iu[4:]), "invalid_utf8 shape")
    bad = []
    for i, l in enumerate(iu):
        try:
            l.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i + 1)
    check(bad == [6], "invalid_utf8 bad line %r" % bad)

    npd = read_bytes("w3c/nul_padding.log")
    check(npd.endswith(b"\n" + b"\x00" * 8192) and npd.count(b"\x00") == 8192, "nul_padding")
    check(len(phys_lines("w3c/nul_padding.log")) == 8, "nul_padding lines")
    ntr = phys_lines("w3c/nul_then_restart.log")
    check(len(ntr) == 12 and ntr[6] == b"\x00" * 600 + b"#Software: " + IIS85.encode(), "nul_then_restart")

    tr = read_bytes("w3c/truncated.log")
    trl = phys_lines("w3c/truncated.log")
    check(not tr.endswith(b"\n") and len(trl) == 8 and len(trl[7].split(b" ")) == 10, "truncated")

    nf = read_bytes("w3c/no_final_newline.log")
    check(not nf.endswith(b"\n") and len(phys_lines("w3c/no_final_newline.log")) == 6, "no_final_newline")

    ip = phys_lines("w3c/ipv6_users.log")
    check(len(ip) == 9 and all(len(l.split(b" ")) == 18 for l in ip[4:]), "ipv6 rows split on single space")
    check(ip[8].split(b" ")[7] == b"" and len(ip[8].split()) == 17, "ipv6 double space row")

    q = phys_lines("w3c/quoted.log")
    check(len(q) == 8, "quoted lines")

    nd = phys_lines("w3c/no_date_field.log")
    check(len(nd) == 14 and [i + 1 for i, l in enumerate(nd) if l.startswith(b"#Date")] == [3, 10], "no_date")

    nh = phys_lines("w3c/no_header.log")
    check([len(l.split(b" ")) for l in nh] == [15, 15, 16, 15, 15], "no_header")

    ml = phys_lines("w3c/malformed.log")
    check(len(ml) == 15, "malformed lines")
    check([len(l.split(b" ")) for l in ml[4:]] == [15, 15, 15, 14, 17, 15, 15, 15, 6, 15, 15],
          "malformed value counts")
    check(ml[12] == b"     ", "malformed spaces-only line")

    dl = phys_lines("w3c/dst.log")
    check(len(dl) == 19, "dst lines")
    dst_rows = [l for l in dl if not l.startswith(b"#")]
    check([(r.split(b" ")[0].decode(), r.split(b" ")[1].decode()) for r in dst_rows] == DST_INSTANTS,
          "dst instants")
    check([i + 1 for i, l in enumerate(dl) if not l.startswith(b"#")] == [5, 6, 7, 8, 9, 10, 15, 16, 17, 18, 19],
          "dst row lines")
    try:
        from zoneinfo import ZoneInfo
        from datetime import timezone
        chi, la = ZoneInfo("America/Chicago"), ZoneInfo("America/Los_Angeles")
        for (d, t), (ec, el) in zip(DST_INSTANTS, DST_EXPECTED):
            u = datetime.strptime(d + " " + t, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
            fmt = lambda x: x.strftime("%Y-%m-%d %H:%M ") + x.strftime("%z")[:3] + ":" + \
                x.strftime("%z")[3:] + " " + x.tzname()
            check(fmt(u.astimezone(chi)) == ec, "dst chicago %s %s" % (d, t))
            check(fmt(u.astimezone(la)) == el, "dst la %s %s" % (d, t))
    except ImportError:
        pass
    except Exception as exc:  # no tz database available: skip this check only
        if type(exc).__name__ != "ZoneInfoNotFoundError":
            raise

    fl = phys_lines("w3c/filters.log")
    check(len(fl) == 19 and len(set(fl[4:])) == 15, "filters")
    for i, l in enumerate(fl[4:]):
        check(b" row=%d " % (i + 5) in l, "filters row id")

    import gzip
    check(gzip.decompress(read_bytes("gz/u_ex170119.log.gz")) == read_bytes("sample/u_ex170119.log"), "gz")
    cc = gzip.decompress(read_bytes("gz/concat.log.gz")).split(b"\n")
    check(len(cc) == 9 and cc[-1] == b"", "concat.gz decodes to 8 lines")
    check(read_bytes("gz/concat.log.gz").count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff") == 2, "2 members")

    for rel in TREE_SORTED:
        data = read_bytes("tree/" + rel)
        if rel.endswith(".gz"):
            data = gzip.decompress(data)
        check((" /tree/%s " % rel).encode() in data, "tree " + rel)


def main():
    day1 = make_sample()
    make_vendor_sample()
    make_blocks()
    make_crlf_bom()
    make_invalid_utf8()
    make_nul_padding()
    make_nul_then_restart()
    make_truncated()
    make_no_final_newline()
    make_ipv6_users()
    make_quoted()
    make_no_date_field()
    make_no_header()
    make_malformed()
    make_dst()
    make_local_time()
    make_filters()
    make_gz(day1)
    make_tree()
    if "--no-verify" not in sys.argv:
        verify_edge()
        verify_sample()
    print("fixtures written under %s" % ROOT)


if __name__ == "__main__":
    main()
