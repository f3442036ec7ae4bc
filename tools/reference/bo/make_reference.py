"""scikit-optimize GP+EI baseline on Branin and Hartmann-6 (voltai-discovery BO acceptance).

Same protocol as crates/discovery/examples/bo_benchmark.rs: 10 initial Sobol
points + 40 model-based iterations (n_calls = 50), expected improvement, seeds
0..9. Records the simple regret per seed and the median seconds per
model-based iteration (time between consecutive evaluations after the initial
design). Writes skopt_regret.json with the peer version.

Run: tools/reference/.venv/bin/python tools/reference/bo/make_reference.py
"""
import json
import os
import time
import warnings

import numpy as np
import skopt
from skopt import gp_minimize

BRANIN_MIN = 0.397887357729738
HARTMANN6_MIN = -3.322368011391339


def branin(x):
    a, b, c, r, s, t = 1.0, 5.1 / (4 * np.pi**2), 5 / np.pi, 6.0, 10.0, 1 / (8 * np.pi)
    return float(a * (x[1] - b * x[0] ** 2 + c * x[0] - r) ** 2 + s * (1 - t) * np.cos(x[0]) + s)


ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
P = np.array([[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]])


def hartmann6(x):
    x = np.asarray(x)
    return float(-np.sum(ALPHA * np.exp(-np.sum(A * (x - P) ** 2, axis=1))))


PROBLEMS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], BRANIN_MIN),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6, HARTMANN6_MIN),
}


def run(name, seed):
    f, dims, fmin = PROBLEMS[name]
    stamps = []

    def callback(res):
        stamps.append(time.perf_counter())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gp_minimize(f, dims, n_calls=50, n_initial_points=10, initial_point_generator="sobol",
                          acq_func="EI", random_state=seed, callback=callback)
    per_iter = np.median(np.diff(stamps[9:]))
    return float(res.fun - fmin), float(per_iter)


def main():
    out = {"peer": f"scikit-optimize {skopt.__version__}", "numpy": np.__version__,
           "protocol": "10 Sobol + 40 EI iterations, seeds 0..9"}
    for name in PROBLEMS:
        regrets, times = zip(*(run(name, s) for s in range(10)))
        out[name] = {"regret": list(regrets), "median_regret": float(np.median(regrets)),
                     "seconds_per_iteration": float(np.median(times))}
        print(name, out[name]["median_regret"], out[name]["seconds_per_iteration"])
    with open(os.path.join(os.path.dirname(__file__), "skopt_regret.json"), "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
