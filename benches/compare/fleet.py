"""Per-cell fade features from one fleet Parquet file: voltai's streaming scan, DataFusion and
Ballista (voltai-fleet) vs polars' streaming engine, one run.

    tools/reference/bo/.venv-botorch/bin/python benches/compare/fleet.py [cells] [cycles] [points] [partitions]

Builds `voltai-fleet`'s example `fleet_features` (release, every feature), which writes a
synthetic fleet (cells x cycles x points rows, cell by cell) unless the file exists. Each route
then runs alone in its own process (`--route`, `--fade-only`) so that its peak memory (maximum
resident set, from /usr/bin/time) is its own: per cell, capacity per cycle (the cycle's largest
discharge capacity), the least-squares fade slope of capacity on cycle, and the cycle life (first
cycle below 80 % of the first cycle's capacity; none if never). polars computes the same features
on the same file with its streaming engine. Prints times, ratios to polars and peak memory, and
checks every route against polars to 1e-12 relative (slopes) and exactly (lives). Versions are
printed with the figures.
"""
import json
import os
import resource
import subprocess
import sys
import time

import polars as pl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
args = sys.argv[1:]
cells, cycles, points = (int(a) for a in (args[0:3] + ["1000", "1000", "10"][len(args[0:3]):]))
partitions = int(args[3]) if len(args) > 3 else os.cpu_count()

subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-fleet", "--all-features", "--example", "fleet_features"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target", "release", "examples", "fleet_features")
base = [binary, str(cells), str(cycles), str(points), "--partitions", str(partitions), "--fade-only"]
# First call writes the file if needed (and warms the page cache, as for polars).
subprocess.run(base + ["--route", "scan"], check=True, capture_output=True)


def route(name):
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + base + ["--route", name], check=True, capture_output=True, text=True)
    out = json.loads(proc.stdout)
    return out, out[f"{name}_s"], int(proc.stderr.strip().splitlines()[-1]) / 1024


ours = {name: route(name) for name in ("scan", "datafusion", "ballista")}
path = ours["scan"][0]["file"]

t = time.perf_counter()
per_cycle = (
    pl.scan_parquet(path)
    .select(["cell_id", "cycle_index", "discharge_capacity_ah"])
    .group_by(["cell_id", "cycle_index"])
    .agg(pl.col("discharge_capacity_ah").max().alias("q"))
)
feats = (
    per_cycle.sort(["cell_id", "cycle_index"])
    .group_by("cell_id", maintain_order=True)
    .agg([
        pl.cov("cycle_index", "q", ddof=0).alias("sxy"),
        pl.col("cycle_index").var(ddof=0).alias("sxx"),
        pl.col("cycle_index").filter(pl.col("q") < 0.8 * pl.col("q").first()).first().alias("life"),
    ])
    .collect(engine="streaming")
)
polars_s = time.perf_counter() - t
polars_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
theirs = {r["cell_id"]: (r["sxy"] / r["sxx"], r["life"]) for r in feats.iter_rows(named=True)}

print(f"fleet of {cells} cells, {ours['scan'][0]['rows']:,} rows, {partitions} partitions, {os.cpu_count()} cores; polars {pl.__version__}")
print(f"{'route':<28}{'seconds':>10}{'/ polars':>10}{'peak MB':>10}{'/ polars':>10}{'worst rel. slope diff':>24}")
for name, (out, seconds, peak) in ours.items():
    worst = 0.0
    for cell, slope, life, _ in out["features"]:
        s2, l2 = theirs[cell]
        worst = max(worst, abs(s2 - slope) / max(abs(slope), 1e-300))
        assert l2 == life, (name, cell, life, l2)
    assert len(out["features"]) == len(theirs), name
    assert worst <= 1e-12, (name, worst)
    print(f"{'voltai ' + name:<28}{seconds:>10.3f}{seconds / polars_s:>10.2f}{peak:>10.0f}{peak / polars_peak_mb:>10.2f}{worst:>24.1e}")
print(f"{'polars streaming':<28}{polars_s:>10.3f}{1:>10.2f}{polars_peak_mb:>10.0f}{1:>10.2f}")
print("cycle lives identical on every cell for every route")
