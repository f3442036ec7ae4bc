"""Cycler-file parse throughput: Voltai's read_cycler_file vs pandas.read_csv, one run.

    tools/reference/.venv/bin/python benches/compare/readers.py [file ...]

Default files are the two largest text fixtures in ../shared/data/cycler_formats
(PEC 2.8 MB, Neware 1.9 MB). pandas reads the data table alone (header row
given, every column parsed, no date parsing); Voltai detects the format, reads
the preamble, converts units, clock and date-time columns and the current's
sign into its schema. Best of 7 on each side; ratio = ours / pandas time
(< 1 means we are faster; the issue asks for at most 2).
"""
import json
import os
import subprocess
import sys
import time

import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.environ.get("VOLTAI_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
FORMATS = os.path.join(DATA, "cycler_formats")

# file -> keyword arguments that make pandas read its data table
DEFAULTS = {
    "pec/pec.csv": dict(skiprows=32),
    "neware/neware_uio.csv": dict(),
}


def best_of(f, n=7):
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


files = sys.argv[1:] or list(DEFAULTS)
subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-battery-data", "--example", "read_timing"],
               cwd=ROOT, check=True)
exe = os.path.join(ROOT, "target", "release", "examples", "read_timing")
print(f"pandas {pd.__version__} vs voltai-battery-data read_cycler_file, best of 7, {os.cpu_count()} cores")
print(f"{'file':<26}{'MB':>6}{'rows':>8}{'voltai (ms)':>13}{'pandas (ms)':>13}{'ratio':>8}")
for rel in files:
    path = os.path.join(FORMATS, rel)
    kwargs = DEFAULTS.get(rel, {})
    frame = pd.read_csv(path, **kwargs)
    t_pd = best_of(lambda: pd.read_csv(path, **kwargs))
    out = subprocess.run([exe, path, "7"], check=True, capture_output=True, text=True).stdout
    ours = json.loads(out.strip().splitlines()[-1])
    if ours["records"] != len(frame):
        sys.exit(f"{rel}: {ours['records']} records vs pandas {len(frame)} rows")
    print(f"{rel:<26}{ours['bytes'] / 1e6:>6.2f}{ours['records']:>8}{ours['best_s'] * 1e3:>13.1f}"
          f"{t_pd * 1e3:>13.1f}{ours['best_s'] / t_pd:>8.2f}")
