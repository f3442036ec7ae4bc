"""Per-cell fade features from one fleet Parquet file: voltai's scan vs polars, one run.

    tools/reference/bo/.venv-botorch/bin/python benches/compare/fleet.py [cells] [cycles] [points]

Runs `cargo run --release -p voltai-battery-data --example fleet_scan`, which
writes a synthetic fleet (cells x cycles x points rows, cell by cell) and
computes per cell: capacity per cycle (the cycle's largest discharge
capacity), the least-squares fade slope of capacity on cycle, and the cycle
life (first cycle below 80 % of cycle 1's capacity, else the last cycle),
once from every column (`TimeSeriesBatches`) and once through
`parquet_scan::Scan` (two projected columns, row groups in parallel). Then
polars computes the same features on the same file with its streaming
engine. Prints the times, the ratio and peak memory of each side (the
process's maximum resident set), and checks the features agree to 1e-12.
Versions are printed with the figures.
"""
import json
import os
import resource
import subprocess
import sys
import time

import polars as pl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
cells, cycles, points = (int(a) for a in (sys.argv[1:4] + ["1000", "1000", "10"][len(sys.argv[1:4]):]))

subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-battery-data", "--example", "fleet_scan"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target", "release", "examples", "fleet_scan")
# First call writes the file if needed; the timed call reads it warm from the page cache like polars.
subprocess.run([binary, str(cells), str(cycles), str(points)], check=True, capture_output=True)
proc = subprocess.run([binary, str(cells), str(cycles), str(points)], check=True, capture_output=True, text=True)
ours = json.loads(proc.stdout)
# Peak memory of the scan alone (the every-column route holds every cell's table).
proc = subprocess.run(["/usr/bin/time", "-f", "%M", binary, str(cells), str(cycles), str(points), "--scan-only"], check=True, capture_output=True, text=True)
scan_only = json.loads(proc.stdout)
ours_peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024

t = time.perf_counter()
per_cycle = (
    pl.scan_parquet(ours["file"])
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
        pl.col("q").first().alias("q1"),
        pl.col("cycle_index").filter(pl.col("q") < 0.8 * pl.col("q").first()).first().alias("life"),
        pl.col("cycle_index").last().alias("last"),
    ])
    .collect(engine="streaming")
)
polars_s = time.perf_counter() - t
polars_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

theirs = {r["cell_id"]: (r["sxy"] / r["sxx"], r["life"] if r["life"] is not None else r["last"]) for r in feats.iter_rows(named=True)}
worst = 0.0
for cell, slope, life in ours["features"]:
    s2, l2 = theirs[cell]
    worst = max(worst, abs(s2 - slope) / max(abs(slope), 1e-300))
    assert l2 == life, (cell, life, l2)
print(f"fleet of {ours['cells']} cells, {ours['rows']:,} rows, {ours['threads']} threads; polars {pl.__version__}")
print(f"{'route':<32}{'seconds':>10}{'peak MB':>10}")
print(f"{'voltai, every column':<32}{ours['all_columns_s']:>10.3f}{'':>10}")
print(f"{'voltai, projected scan':<32}{ours['scan_s']:>10.3f}{'':>10}")
print(f"{'voltai, projected scan alone':<32}{scan_only['scan_s']:>10.3f}{ours_peak_mb:>10.0f}")
print(f"{'polars streaming':<32}{polars_s:>10.3f}{polars_peak_mb:>10.0f}")
print(f"time ratio scan / polars: {scan_only['scan_s'] / polars_s:.2f}; peak memory ratio {ours_peak_mb / polars_peak_mb:.2f}; largest relative slope difference {worst:.1e}; lives identical")
