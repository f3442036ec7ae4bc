#!/usr/bin/env python3
"""How much of the Chen NMC cells' fade after cycle 100 can the first 100 cycles predict?

Why: the transfer study (`src/studies/transfer.rs`, issue #21) forecasts each
target cell's relative capacity over cycles 101-420 (32 ten-cycle block means)
from its first 100 cycles (10 block means), and asks fine-tuning to beat
training from scratch by one standard deviation at 10 % of the 44 cells. This
script measures, on the same windows, how low simple forecasters go when they
may learn from every other cell (leave-one-cell-out), so the networks' figures
can be read against what the data can give:

  * persistence (last observed block), linear extrapolation of blocks 5-9
    (as voltai_neural::trajectories::linear_forecast);
  * mean fade: last observed block + the other cells' mean drop after theirs
    (as voltai_neural::trajectories::mean_fade_forecast);
  * personalised: per forecast step, ridge regression of a cell's drop on its
    own observed shape (the 10 blocks relative to the last), the penalty by
    inner leave-one-out (cells with outlying shapes extrapolate badly); and
    the mean drop of the k nearest cells in that shape;
  * mean fade from random draws of 3, 5, 11 and 22 training cells (the study's
    5 / 10 / 25 / 50 %), tested on the rest, 200 draws each; nearest
    neighbours likewise, for every k tried.

RMSE in % of the mean capacity of cycles 2-6, pooled over cells and steps.

Run:  /tmp/pyg/bin/python tools/reference/transfer/nmc_forecast_floor.py > tools/reference/transfer/nmc_forecast_floor.out
"""

import csv
import os
import platform
from collections import defaultdict

import numpy as np

DATA = os.environ.get("CHEN_DIR", "/work/shared/data/chen_nmc_pouch_aging_modes")
WINDOW, STRIDE, HORIZON = 100, 10, 320


def blocks(v):
    """Means of consecutive STRIDE-cycle blocks (a trailing partial block is dropped)."""
    return v[: len(v) // STRIDE * STRIDE].reshape(-1, STRIDE).mean(1)


def load():
    rows = defaultdict(list)
    with open(os.path.join(DATA, "cycles.csv")) as f:
        for r in csv.DictReader(f):
            rows[r["cell_id"]].append((int(r["cycle"]), float(r["capacity_Ah"])))
    enc, tgt = [], []
    for cell in sorted(rows):
        series = sorted(rows[cell])
        cycles = np.array([c for c, _ in series])
        assert np.all(np.diff(cycles) == 1), cell  # consecutive, as CellSeries requires
        q = np.array([v for _, v in series])
        q = q / q[(cycles >= 2) & (cycles <= 6)].mean()
        e = blocks(q[:WINDOW])
        t = np.full(HORIZON // STRIDE, np.nan)
        later = blocks(q[WINDOW:WINDOW + HORIZON])
        t[: len(later)] = later
        enc.append(e)
        tgt.append(t)
    return np.array(enc), np.array(tgt)


def rmse(pred, truth):
    m = ~np.isnan(truth)
    return 100 * np.sqrt(np.mean((pred[m] - truth[m]) ** 2))


def mean_fade(enc_tr, tgt_tr, enc_te):
    drop = np.nanmean(tgt_tr - enc_tr[:, -1:], axis=0)
    return enc_te[:, -1:] + drop


def neighbours(enc, tgt, shape, tr, te, k):
    """Each test cell's last block plus the mean drop of its k nearest training cells in shape."""
    out = np.zeros((len(te), tgt.shape[1]))
    for a, i in enumerate(te):
        for t in range(tgt.shape[1]):
            ok = tr[~np.isnan(tgt[tr, t])]
            near = ok[np.argsort(np.linalg.norm(shape[ok] - shape[i], axis=1))[:k]]
            out[a, t] = enc[i, -1] + np.mean(tgt[near, t] - enc[near, -1])
    return out


def ridge_fit_predict(x_tr, y_tr, x_te, alpha):
    mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-12
    a, b = (x_tr - mu) / sd, (x_te - mu) / sd
    ym = y_tr.mean()
    w = np.linalg.solve(a.T @ a + alpha * np.eye(a.shape[1]), a.T @ (y_tr - ym))
    return ym + b @ w


def main():
    enc, tgt = load()
    n = len(enc)
    print(f"python {platform.python_version()}, numpy {np.__version__}; {n} cells, "
          f"{enc.shape[1]} observed and {tgt.shape[1]} forecast blocks of {STRIDE} cycles")
    shape = enc - enc[:, -1:]  # a cell's observed fade shape, level removed
    others = lambda i: np.array([j for j in range(n) if j != i])

    print("\nLeave-one-cell-out over all 44 cells (43 training cells each), test RMSE %:")
    persistence = np.repeat(enc[:, -1:], tgt.shape[1], axis=1)
    x = np.arange(enc.shape[1])[5:]
    linear = np.array([np.polyval(np.polyfit(x, e[5:], 1), np.arange(10, 10 + tgt.shape[1])) for e in enc])
    fade = np.vstack([mean_fade(enc[others(i)], tgt[others(i)], enc[i:i + 1]) for i in range(n)])
    alphas = np.logspace(-2, 4, 13)
    ridge = np.zeros_like(tgt)
    for i in range(n):
        o = others(i)
        for t in range(tgt.shape[1]):
            ok = o[~np.isnan(tgt[o, t])]
            y = tgt[ok, t] - enc[ok, -1]
            # inner leave-one-out picks the penalty, on the training cells only
            inner = [np.mean([(ridge_fit_predict(shape[np.delete(ok, k)], np.delete(y, k), shape[ok[k]:ok[k] + 1], a)[0] - y[k]) ** 2
                              for k in range(len(ok))]) for a in alphas]
            ridge[i, t] = enc[i, -1] + ridge_fit_predict(shape[ok], y, shape[i:i + 1], alphas[int(np.argmin(inner))])[0]
    knn = np.vstack([neighbours(enc, tgt, shape, others(i), [i], 5) for i in range(n)])
    for name, pred in [("persistence", persistence), ("linear extrapolation", linear),
                       ("mean fade", fade), ("ridge on the observed shape", ridge),
                       ("5 nearest neighbours in shape", knn)]:
        print(f"  {name:32s} {rmse(pred, tgt):.2f}")

    print("\nMean fade from random draws of training cells, tested on the rest (200 draws):")
    rng = np.random.default_rng(0)
    for share, k in [(5, 3), (10, 5), (25, 11), (50, 22)]:
        scores = []
        for _ in range(200):
            perm = rng.permutation(n)
            tr, te = perm[:k], perm[k:]
            scores.append(rmse(mean_fade(enc[tr], tgt[tr], enc[te]), tgt[te]))
        s = np.array(scores)
        print(f"  {share:2d} % ({k:2d} cells): {s.mean():.2f} +- {s.std(ddof=1):.2f}  "
              f"(5th-95th percentile {np.percentile(s, 5):.2f}-{np.percentile(s, 95):.2f})")

    print("\nNearest neighbours in observed shape from random draws (60 draws; every k shown, none chosen):")
    rng = np.random.default_rng(0)

    for share, m in [(10, 5), (25, 11), (50, 22)]:
        draws = [rng.permutation(n) for _ in range(60)]
        cells = []
        for k in (1, 2, 3, 5):
            s = np.array([rmse(neighbours(enc, tgt, shape, p[:m], p[m:], k), tgt[p[m:]]) for p in draws])
            cells.append(f"k={k}: {s.mean():.2f} +- {s.std(ddof=1):.2f}")
        print(f"  {share:2d} % ({m:2d} cells): " + ",  ".join(cells))


if __name__ == "__main__":
    main()
