#!/usr/bin/env python3
"""Vendors the uap-core user-agent rules that src/enrich/device.rs embeds.

Reads the regexes.yaml that the ua-parser crate's package carries
(uap-core, Apache-2.0), and writes it as JSON (the same structure; leaktrace
already reads JSON, so no YAML parser is compiled in) with its licence:

    python3 scripts/uap_regexes.py [PATH/TO/ua-parser-0.2.x/uap-core]

Without a path, the newest ua-parser package in ~/.cargo/registry/src is
used (`cargo fetch` puts it there). Needs PyYAML.
"""

import glob
import json
import os
import shutil
import sys

import yaml

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "enrich", "uap-core")


def main() -> None:
    if len(sys.argv) > 1:
        src = sys.argv[1]
    else:
        found = sorted(glob.glob(os.path.expanduser(
            "~/.cargo/registry/src/*/ua-parser-0.2.*/uap-core")))
        if not found:
            sys.exit("no ua-parser package in ~/.cargo/registry/src: run cargo fetch")
        src = found[-1]
    with open(os.path.join(src, "regexes.yaml"), encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    with open(os.path.join(src, "package.json"), encoding="utf-8") as f:
        version = json.load(f)["version"]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "regexes.json"), "w", encoding="utf-8") as f:
        json.dump(rules, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(OUT, "VERSION"), "w", encoding="utf-8") as f:
        f.write(version + "\n")
    shutil.copyfile(os.path.join(src, "LICENSE"), os.path.join(OUT, "LICENSE"))
    print(f"uap-core {version} from {src} -> {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
