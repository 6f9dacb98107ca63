#!/usr/bin/env python3
"""Checks `leaktrace downloads` against the ground truth of gen_iis.py.

Usage: scripts/check_truth.py TRUTH.jsonl DOWNLOADS.ndjson

TRUTH is what `gen_iis.py --truth` wrote (one bulk export per line);
DOWNLOADS is `leaktrace downloads LOG --all --format ndjson` on the same log.
Every export must be found once, with the right user and time, attributed
`consistent`; no other download may carry an export_user. Exit 0 when all
hold, 1 otherwise (the differences are printed).
"""
import json
import sys


def main():
    truth_path, downloads_path = sys.argv[1:3]
    truth = [json.loads(line) for line in open(truth_path) if line.strip()]
    found = [json.loads(line) for line in open(downloads_path) if line.strip()]
    by_path = {}
    for d in found:
        by_path.setdefault(d["uri_stem"], []).append(d)
    problems = []
    for t in truth:
        hits = by_path.get(t["path"], [])
        if len(hits) != 1:
            problems.append(f"{t['path']}: found {len(hits)} times")
            continue
        d = hits[0]
        want_time = t["download_utc"].replace(" ", "T") + "Z"
        for key, got, want in [
            ("export_user", d["export_user"], t["user"]),
            ("session_user", d["session_user"], t["user"]),
            ("time_utc", d["time_utc"], want_time),
            ("attribution", d["attribution"], "consistent"),
            ("export_page", d["export_page"], t["export_page"]),
            ("build_ms", d["build_ms"], t["long_post_tt_ms"]),
        ]:
            if got != want:
                problems.append(f"{t['path']}: {key} is {got!r}, truth says {want!r}")
    truth_paths = {t["path"] for t in truth}
    extra = [d for d in found if d["export_user"] and d["uri_stem"] not in truth_paths]
    for d in extra[:10]:
        problems.append(f"{d['file']}:{d['line']}: {d['uri_stem']} has export_user {d['export_user']!r} but is not an export")
    others = len(found) - len([d for d in found if d["uri_stem"] in truth_paths])
    print(f"truth: {len(truth)} exports; leaktrace: {len(found)} downloads "
          f"({len(found) - others} exports, {others} other /temp/ fetches)")
    for p in problems[:30]:
        print("  " + p)
    print("PASS" if not problems else f"FAIL ({len(problems)} problems)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
