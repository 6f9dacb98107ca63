#!/usr/bin/env python3
"""Leaked files for the `investigate` benchmark, made from gen_iis.py's ground truth.

Usage: bench_case.py TRUTH.jsonl OUTDIR [N]

Writes N signed CSV grid exports (default 5), one per export spread over the
truth file, each named as the export was and signed with the statement the
application would have written: produced at the export name's local time
(US Central, as gen_iis.py writes it) in UTC, for the user (a name whose
initial and surname give the login) at the export's address. Prints one
line per file with the login and download time that `investigate` must
find. Standard library only; deterministic.
"""
import datetime as dt
import json
import os
import sys
from zoneinfo import ZoneInfo

FIRST = {c: n for c, n in zip("abcdefghijklmnopqrstuvwxyz", [
    "Alice", "Brian", "Carol", "David", "Emily", "Frank", "George", "Helen", "Irene",
    "James", "Karen", "Linda", "Mary", "Nancy", "Oscar", "Paul", "Quinn", "Robert",
    "Susan", "Thomas", "Ursula", "Victor", "William", "Xavier", "Yvonne", "Zachary"])}


def main():
    truth, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with open(truth) as f:
        exports = [json.loads(line) for line in f if line.strip()]
    if not exports:
        sys.exit("no exports in " + truth)
    os.makedirs(out, exist_ok=True)
    step = max(1, len(exports) // n)
    chosen = exports[::step][:n]
    central = ZoneInfo("America/Chicago")
    for e in chosen:
        name = e["path"].rsplit("/", 1)[1]
        stamp = name.rsplit(".", 2)[1]
        local = dt.datetime.strptime(stamp, "%Y-%m-%d-%H-%M-%S").replace(tzinfo=central)
        utc = local.astimezone(dt.timezone.utc)
        login = e["user"]
        person = FIRST.get(login[0], "Alex") + " " + login[1:].capitalize()
        statement = (f"Produced {utc:%Y-%m-%d %H:%M:%S}-00:00 by acme.angeltrack.com "
                     f"for user {person} (ID {sum(map(ord, login)) % 1000}) at {e['ip']}.")
        base = name.rsplit(".", 1)[0] + ".csv"
        rows = ["Date,Run #,Patient,Disposition"]
        rows += [f"2023-03-01,{1000 + i},Patient {i},Transported" for i in range(3)]
        rows.append(f"2023-03-01,1003,Patient 3,Transported,{statement}")
        with open(os.path.join(out, base), "wb") as f:
            f.write(("\r\n".join(rows) + "\r\n").encode())
        print(f"{base} {login} {e['download_utc']}")


if __name__ == "__main__":
    main()
