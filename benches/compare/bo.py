"""Bayesian optimisation: Voltai vs scikit-optimize (GP + EI) on Branin and
Hartmann-6, same protocol, one run.

    tools/reference/.venv/bin/python benches/compare/bo.py [seeds]

10 initial Sobol points + 40 model-based iterations per seed (default 3 seeds).
Prints the median simple regret of each and the median seconds per
model-based iteration (proposal time: surrogate fit + acquisition search),
with the ratio ours / peer (< 1: we are faster).
"""
import json
import os
import subprocess
import sys

import numpy as np
import skopt

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference", "bo"))
from make_reference import run  # noqa: E402

seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-discovery", "--example", "bo_benchmark"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target", "release", "examples", "bo_benchmark")
print(f"scikit-optimize {skopt.__version__} vs voltai-discovery, {seeds} seeds, {os.cpu_count()} cores")
print(f"{'function':<11}{'regret ours':>13}{'regret skopt':>14}{'s/iter ours':>13}{'s/iter skopt':>14}{'ratio':>8}")
for name in ["branin", "hartmann6"]:
    ours = json.loads(subprocess.run([binary, name, str(seeds)], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    peer = [run(name, s) for s in range(seeds)]
    peer_regret = float(np.median([p[0] for p in peer]))
    peer_time = float(np.median([p[1] for p in peer]))
    print(f"{name:<11}{ours['median_regret']:>13.2e}{peer_regret:>14.2e}{ours['seconds_per_iteration']:>13.4f}"
          f"{peer_time:>14.4f}{ours['seconds_per_iteration'] / peer_time:>8.3f}")
