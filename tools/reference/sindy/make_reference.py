"""PySINDy reference coefficients for the Lorenz system (voltai-discovery parity tests).

Inputs are generated identically on both sides: fixed-step classical RK4 from
x0 = (-8, 8, 27), dt = 0.002, 5001 samples (t in [0, 10]); noise is 1 % of the RMS
of all states (PySINDy's convention) times SplitMix64 normals drawn row by row (tools/reference/common.py
mirrors voltai_core::synthetic::SplitMix64).

Run: tools/reference/.venv/bin/python tools/reference/sindy/make_reference.py
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import pysindy as ps

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import SplitMix64  # noqa: E402

SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0


def lorenz(x):
    return np.array([SIGMA * (x[1] - x[0]), x[0] * (RHO - x[2]) - x[1], x[0] * x[1] - BETA * x[2]])


def rk4(x0, dt, n):
    out = np.zeros((n, 3))
    x = np.array(x0, dtype=float)
    out[0] = x
    for i in range(1, n):
        k1 = lorenz(x)
        k2 = lorenz(x + 0.5 * dt * k1)
        k3 = lorenz(x + 0.5 * dt * k2)
        k4 = lorenz(x + dt * k3)
        x = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        out[i] = x
    return out


def noisy(x, level, seed):
    """PySINDy's convention: noise sd = level × the RMS of all states together."""
    rng = SplitMix64(seed)
    rms = np.sqrt(np.mean(x**2))
    out = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] += level * rms * rng.normal()
    return out


def fit(x, dt, differentiation, optimizer):
    model = ps.SINDy(
        feature_library=ps.PolynomialLibrary(degree=2),
        differentiation_method=differentiation,
        optimizer=optimizer,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, t=dt)
    return model


def main():
    dt, n = 0.002, 5001
    clean = rk4([-8.0, 8.0, 27.0], dt, n)
    out = {
        "peer": f"pysindy {ps.__version__}",
        "numpy": np.__version__,
        "dt": dt,
        "n": n,
        "x_last": clean[-1].tolist(),
        "noise_level": 0.01,
    }
    m = fit(clean, dt, ps.FiniteDifference(), ps.STLSQ(threshold=0.1))
    out["terms"] = list(m.get_feature_names())
    out["clean_stlsq"] = m.coefficients().tolist()
    # Smoothing window 101 samples (0.2 s, under a third of the oscillation
    # period), polynomial order 7; seeds 0..9 so the recovery rate is known.
    smoother = {"window_length": 101, "polyorder": 7}
    out["noisy"] = []
    for seed in range(10):
        dirty = noisy(clean, 0.01, seed)
        m = fit(dirty, dt, ps.SmoothedFiniteDifference(smoother_kws=dict(smoother)), ps.STLSQ(threshold=0.1))
        out["noisy"].append({"seed": seed, "x_first": dirty[0].tolist(), "coef": m.coefficients().tolist()})
    m = fit(clean, dt, ps.FiniteDifference(), ps.SR3(reg_weight_lam=0.1, regularizer="L0", max_iter=100))
    out["clean_sr3_l0"] = m.coefficients().tolist()
    m = fit(clean, dt, ps.FiniteDifference(), ps.SR3(reg_weight_lam=0.1, regularizer="L1", max_iter=100))
    out["clean_sr3_l1"] = m.coefficients().tolist()
    path = os.path.join(os.path.dirname(__file__), "lorenz.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
