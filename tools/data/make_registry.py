#!/usr/bin/env python3
"""Writes crates/battery-data/src/registry/datasets.json, the data registry.

Inputs: tools/data/provenance.json (per file: verbatim or derived, the source
address or the files it was derived from, the licence, per data set the title
and citation; researched from the shared data READMEs) and the shared data
folder itself (sizes and SHA-256s).

The download address of each file:
- a verbatim file published at an https address: that address;
- a file this repository carries under data/ (licence allows it; see
  data/README.md): its address in the repository's public home, pinned to
  the last commit that changed the carried data files (a later change of
  data/ must not break the addresses older builds use: commit the data first,
  then run this script);
- otherwise none (the registry names the sources to build it from).

Run from the repository root:  python3 tools/data/make_registry.py [SHARED_DATA]
"""
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data")
CARRIED = os.path.join(ROOT, "data")
REPO_RAW = "https://raw.githubusercontent.com/voltai-dev/voltai/{commit}/data"
OUT = os.path.join(ROOT, "crates", "battery-data", "src", "registry", "datasets.json")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def as_list(v):
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x) for x in v]
    return [str(v)]


def carried_commit():
    files = []
    for dirpath, _, names in os.walk(CARRIED):
        files += [os.path.join(dirpath, n) for n in names if n not in ("README.md", "LICENSE")]
    out = subprocess.run(["git", "log", "-1", "--format=%H", "--"] + files, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.strip()
    if not out:
        sys.exit("the carried data files are not committed yet: commit data/ first")
    dirty = subprocess.run(["git", "status", "--porcelain", "--"] + files, cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.strip()
    if dirty:
        sys.exit(f"carried data files differ from the last commit:\n{dirty}")
    return out


def main():
    raw = REPO_RAW.format(commit=carried_commit())
    provenance = json.load(open(os.path.join(ROOT, "tools", "data", "provenance.json")))
    datasets = {}
    for part in provenance:
        top = part["name"].split("/")[0]
        d = datasets.setdefault(top, {"name": top, "titles": [], "citations": [], "licences": [],
                                      "redistributable": True, "files": []})
        d["titles"].append(part["title"])
        if part.get("citation") and part["citation"] not in d["citations"]:
            d["citations"].append(part["citation"])
        if part.get("licence"):
            d["licences"].append(f"{part['name']}: {part['licence']}" if "/" in part["name"] else part["licence"])
        d["redistributable"] &= bool(part.get("redistributable"))
        for f in part["files"]:
            if f["origin"] not in ("verbatim", "derived"):
                continue  # project scripts kept beside the data, not data
            rel_shared = f["path"]
            rel = rel_shared.split("/", 1)[1]
            path = os.path.join(SHARED, rel_shared)
            size = os.path.getsize(path)
            if size != int(f["size_bytes"]):
                sys.exit(f"{rel_shared}: {size} bytes on disk, provenance says {f['size_bytes']}")
            url = f.get("url")
            if url in (None, "None", ""):
                url = None
            if f["origin"] == "verbatim":
                source = url or f"PyPI {f.get('package')}=={f.get('package_version')}: {f.get('package_path')}"
                origin = {"kind": "verbatim", "source": source}
            else:
                origin = {"kind": "derived", "from": as_list(f.get("upstream")),
                          "recipe": f.get("transform", "")}
            carried = os.path.join(CARRIED, rel_shared)
            if os.path.isfile(carried):
                if sha256(carried) != sha256(path):
                    sys.exit(f"data/{rel_shared} differs from the shared copy")
                url = f"{raw}/{rel_shared}"
            elif f["origin"] == "derived":
                url = None
            elif url is not None and not url.startswith("https://"):
                url = None
            d["files"].append({
                "path": rel,
                "sha256": sha256(path),
                "bytes": size,
                "url": url,
                "origin": origin,
                "licence": f.get("licence") or part.get("licence", ""),
            })
    out = []
    for name in sorted(datasets):
        d = datasets[name]
        d["files"].sort(key=lambda f: f["path"])
        title = d["titles"][0] if len(d["titles"]) == 1 else f"{name}: " + "; ".join(
            t.split(" - ")[0] for t in d["titles"])
        out.append({
            "name": name,
            "title": title,
            "citation": " | ".join(d["citations"]) or "see the data set's README",
            "licence": " | ".join(d["licences"]),
            "redistributable": d["redistributable"],
            "files": d["files"],
        })
    with open(OUT, "w") as fh:
        json.dump({"version": 1, "datasets": out}, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    n = sum(len(d["files"]) for d in out)
    print(f"{OUT}: {len(out)} data sets, {n} files")


if __name__ == "__main__":
    main()
