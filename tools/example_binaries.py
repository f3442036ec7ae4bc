#!/usr/bin/env python3
"""Reads `cargo build --message-format=json` on standard input and prints
"name executable" for each example of the package named on the command line
(so CI runs the examples from the build it already has)."""
import json
import sys

package = sys.argv[1]
seen = set()
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except json.JSONDecodeError:
        continue
    if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
        continue
    target = msg["target"]
    if "example" not in target["kind"]:
        continue
    # Package ids look like "path+file:///work/main#voltai@0.1.0".
    if f"#{package}@" not in msg["package_id"]:
        continue
    if target["name"] in seen:
        continue
    seen.add(target["name"])
    print(target["name"], msg["executable"])
