#!/usr/bin/env python3
"""Checks the links of every published package's README (the root package and
crates/*): crates.io and docs.rs show a README away from the repository, so a
relative link is dead there. Every link must be absolute; a link into this
repository (its GitHub blob/tree URL on main) must name a file or folder that
exists. Links elsewhere are not fetched (CI has no network). Also checks that
the relative links of ARCHITECTURE.md (read only in the repository) resolve.

Usage: python3 tools/check_readme_links.py   (from the repository root)
Exit status 1 with one line per bad link.
"""
import os
import re
import sys

REPO = "https://github.com/voltai-dev/voltai/"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def links(path):
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            for m in LINK.finditer(line):
                yield lineno, m.group(1)


def main():
    bad = []
    readmes = ["README.md"] + sorted(
        os.path.join("crates", c, "README.md") for c in os.listdir("crates")
    )
    for readme in readmes:
        if not os.path.isfile(readme):
            bad.append(f"{readme}: missing")
            continue
        for lineno, target in links(readme):
            where = f"{readme}:{lineno}: {target}"
            if target.startswith("#"):
                continue
            if not re.match(r"[a-z]+://", target):
                bad.append(f"{where}: relative link (dead on crates.io and docs.rs)")
                continue
            if target.startswith(REPO):
                m = re.match(r"(blob|tree)/main/(.+?)(#.*)?$", target[len(REPO):])
                if not m:
                    bad.append(f"{where}: repository link not on blob/main or tree/main")
                    continue
                kind, path = m.group(1), m.group(2)
                ok = os.path.isfile(path) if kind == "blob" else os.path.isdir(path)
                if not ok:
                    bad.append(f"{where}: no such {'file' if kind == 'blob' else 'folder'}")
    for lineno, target in links("ARCHITECTURE.md"):
        if re.match(r"[a-z]+://", target) or target.startswith("#"):
            continue
        if not os.path.exists(target.split("#")[0]):
            bad.append(f"ARCHITECTURE.md:{lineno}: {target}: no such path")
    for line in bad:
        print(line)
    print(f"README links: {len(readmes)} READMEs checked, {len(bad)} bad")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
