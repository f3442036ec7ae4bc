"""Reference values for voltai-gp's parity tests, from scikit-learn's GaussianProcessRegressor.

Run:  tools/reference/.venv/bin/python tools/reference/gp/make_reference.py
Writes tools/reference/gp/*.json with the peer versions inside.
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import SplitMix64  # noqa: E402

VERSIONS = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}


def problem(n, seed):
    """3-D test function with noise, generated identically in Rust (tests/common)."""
    rng = SplitMix64(seed)
    x = rng.normal_matrix(n, 3)
    noise = np.array([rng.normal() for _ in range(n)])
    y = np.sin(2.0 * x[:, 0]) + np.cos(x[:, 1]) * x[:, 2] + 0.1 * noise
    return x, y


def dump(name, payload):
    payload["versions"] = VERSIONS
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=1)


# Fixed hyperparameters: LML, predictive mean and std.
x, y = problem(50, 21)
xt = SplitMix64(22).normal_matrix(30, 3)
k = ConstantKernel(1.3) * RBF([0.8, 1.2, 2.0]) + WhiteKernel(0.05)
gp = GaussianProcessRegressor(k, optimizer=None, normalize_y=True, alpha=1e-10).fit(x, y)
mean, std = gp.predict(xt, return_std=True)
dump("fixed.json", {
    "n": 50, "seed": 21, "test_seed": 22, "n_test": 30,
    "constant": 1.3, "length_scales": [0.8, 1.2, 2.0], "white": 0.05, "alpha": 1e-10,
    "lml": float(gp.log_marginal_likelihood_value_), "mean": mean.tolist(), "std": std.tolist(),
})

# Optimised: ConstantKernel × ARD-RBF + White, 5 restarts.
for n in (200, 1000):
    x, y = problem(n, 100 + n)
    k = ConstantKernel(1.0) * RBF([1.0, 1.0, 1.0]) + WhiteKernel(0.1)
    t = time.perf_counter()
    gp = GaussianProcessRegressor(k, n_restarts_optimizer=5, normalize_y=True, random_state=0).fit(x, y)
    dump(f"optimised_{n}.json", {
        "n": n, "seed": 100 + n, "restarts": 5,
        "lml": float(gp.log_marginal_likelihood_value_),
        "kernel": str(gp.kernel_), "seconds": time.perf_counter() - t,
    })
print("written", VERSIONS)
