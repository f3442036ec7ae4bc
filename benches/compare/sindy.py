"""SINDy fit (Lorenz) and ElasticNetCV (Severson discharge features): Voltai vs
PySINDy and scikit-learn on identical inputs, one run.

    tools/reference/.venv/bin/python benches/compare/sindy.py

SINDy: 5001 × 3 Lorenz samples (fixed-step RK4, as tools/reference/sindy),
second-order finite differences, degree-2 polynomial library, STLSQ 0.1 — the
whole `fit`, median of 51 runs. Elastic net: 41 training cells × 6 standardised
features, 7 L1 ratios × 100 alphas, 4 folds, default tolerances (tol 1e-4,
max_iter 1000) on both sides, median of 11 runs. Prints ratios (< 1: we are faster).
"""
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pysindy as ps
import sklearn
from sklearn.linear_model import ElasticNetCV
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference", "sindy"))
from make_reference import rk4  # noqa: E402

FEATURES = os.path.join(ROOT, "tools", "reference", "sparse", "severson_discharge_features.csv")


def median_seconds(reps, f):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return sorted(times)[reps // 2]


subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-discovery", "--example", "sindy_timing"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target", "release", "examples", "sindy_timing")
ours = json.loads(subprocess.run([binary, FEATURES], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])

dt = 0.002
x = rk4([-8.0, 8.0, 27.0], dt, 5001)


def fit_sindy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ps.SINDy(feature_library=ps.PolynomialLibrary(degree=2), differentiation_method=ps.FiniteDifference(),
                 optimizer=ps.STLSQ(threshold=0.1)).fit(x, t=dt)


sindy_s = median_seconds(51, fit_sindy)

data = np.genfromtxt(FEATURES, delimiter=",", skip_header=1, dtype=str)
train = data[:, 0] == "Train"
xs = StandardScaler().fit_transform(data[train, 2:].astype(float))
ys = data[train, 1].astype(float)
enet_s = median_seconds(11, lambda: ElasticNetCV(l1_ratio=[0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0], alphas=100, eps=1e-3, cv=KFold(4)).fit(xs, ys))

print(f"pysindy {ps.__version__}, scikit-learn {sklearn.__version__}, {os.cpu_count()} cores")
print(f"{'task':<26}{'ours (ms)':>11}{'peer (ms)':>11}{'ratio':>8}")
print(f"{'SINDy fit, Lorenz':<26}{1e3 * ours['sindy_fit_s']:>11.3f}{1e3 * sindy_s:>11.3f}{ours['sindy_fit_s'] / sindy_s:>8.3f}")
print(f"{'ElasticNetCV, Severson':<26}{1e3 * ours['enet_cv_s']:>11.3f}{1e3 * enet_s:>11.3f}{ours['enet_cv_s'] / enet_s:>8.3f}")
