#!/usr/bin/env python3
"""Prints the umbrella package's examples grouped by their declared
`required-features`: one line per feature set, "feat1,feat2 ex1,ex2", so CI
checks each set once (`--no-default-features --features <set>`)."""
import json
import subprocess
import sys

meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        check=True, capture_output=True, text=True,
    ).stdout
)
root = next(p for p in meta["packages"] if p["name"] == "voltai")
groups = {}
for t in root["targets"]:
    if "example" in t["kind"]:
        feats = t.get("required-features") or []
        if not feats:
            sys.exit(f"example {t['name']} declares no required-features")
        groups.setdefault(",".join(sorted(feats)), []).append(t["name"])
for feats, names in sorted(groups.items()):
    print(feats, ",".join(sorted(names)))
