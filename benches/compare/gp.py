"""GP fit-with-optimisation and predict: Voltai vs scikit-learn on identical data, one run.

    tools/reference/.venv/bin/python benches/compare/gp.py [restarts] [n ...]

Kernel ConstantKernel × ARD-RBF (3-D) + WhiteKernel, normalize_y, default bounds,
`restarts` extra random starts on both sides (default 1), predict mean and std at
1000 points. Prints times, ours / scikit-learn ratios (< 1: we are faster) and
the log marginal likelihood each reached.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from common import SplitMix64  # noqa: E402

restarts = int(sys.argv[1]) if len(sys.argv) > 1 else 1
sizes = [int(a) for a in sys.argv[2:]] or [500, 1000, 2000]

subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-gp", "--example", "gp_timing"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target", "release", "examples", "gp_timing")
print(f"scikit-learn {sklearn.__version__} vs voltai-gp, {restarts} extra restart(s), {os.cpu_count()} cores")
print(f"{'n':>6}{'fit ours':>10}{'fit sk':>10}{'ratio':>7}{'pred ours':>11}{'pred sk':>9}{'ratio':>7}{'LML ours':>11}{'LML sk':>11}")
for n in sizes:
    rng = SplitMix64(100 + n)
    x = rng.normal_matrix(n, 3)
    noise = np.array([rng.normal() for _ in range(n)])
    y = np.sin(2.0 * x[:, 0]) + np.cos(x[:, 1]) * x[:, 2] + 0.1 * noise
    xt = SplitMix64(7).normal_matrix(1000, 3)
    k = ConstantKernel(1.0) * RBF([1.0, 1.0, 1.0]) + WhiteKernel(0.1)
    t = time.perf_counter()
    gp = GaussianProcessRegressor(k, n_restarts_optimizer=restarts, normalize_y=True, random_state=0).fit(x, y)
    sk_fit = time.perf_counter() - t
    t = time.perf_counter()
    gp.predict(xt, return_std=True)
    sk_pred = time.perf_counter() - t
    out = subprocess.run([binary, str(n), str(restarts)], check=True, capture_output=True, text=True).stdout
    ours = json.loads(out.strip().splitlines()[-1])
    print(f"{n:>6}{ours['fit_s']:>10.2f}{sk_fit:>10.2f}{ours['fit_s'] / sk_fit:>7.2f}"
          f"{ours['predict_s']:>11.3f}{sk_pred:>9.3f}{ours['predict_s'] / sk_pred:>7.2f}"
          f"{ours['lml']:>11.3f}{gp.log_marginal_likelihood_value_:>11.3f}")
