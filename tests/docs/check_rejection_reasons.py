#!/usr/bin/env python3
"""Every error code ingest can answer is in docs/operations.md's "Rejection reasons" table.

Reads the `code: "<reason>"` of every IngestError in Sources/SluiceIngest and the
first column pair of the table; exits 1 naming the codes the table lacks (or lists
but the code no longer has). Run by scripts/test.sh; needs no server.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def codes_in_source():
    found = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "Sources", "SluiceIngest")):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(folder, name)) as f:
                    found.update(re.findall(r'code: "([a-z_]+)"', f.read()))
    return found


def codes_in_table():
    with open(os.path.join(ROOT, "docs", "operations.md")) as f:
        text = f.read()
    section = text.split("### Rejection reasons", 1)[1].split("\n### ", 1)[0]
    return set(re.findall(r"^\| \d{3} \| `([a-z_]+)` \|", section, re.M))


def main():
    source, table = codes_in_source(), codes_in_table()
    missing, stale = sorted(source - table), sorted(table - source)
    if missing or stale:
        if missing:
            print(f"docs/operations.md, Rejection reasons: add {', '.join(missing)} (answered by Sources/SluiceIngest)")
        if stale:
            print(f"docs/operations.md, Rejection reasons: {', '.join(stale)} no longer answered by Sources/SluiceIngest")
        return 1
    print(f"docs: all {len(source)} rejection reasons of ingest are documented ({', '.join(sorted(source))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
