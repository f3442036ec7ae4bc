#!/usr/bin/env python3
"""What can the LFP source teach about the NMC target's future, and how far can fine-tuning go?

Why: issue #21 asks that, at 10 % of the Chen NMC cells, fine-tuning a forecaster
pretrained on the Attia LFP cells beat training from scratch by more than one
standard deviation (`src/studies/transfer.rs`). Fine-tuning can only gain on
scratch by what the source knows about the target's future. This script asks
that of the source directly, with no network in the way, on the study's
windows (100 observed cycles, 32 ten-cycle blocks forecast, capacities
relative to cycles 2-6; source cells read at 1x, 2x and 3x speed, windows every
100 cycles):

  * zero-shot from the source: LFP mean fade (last observed block + the LFP
    windows' mean drop), the k nearest LFP windows in observed shape, and a
    per-step linear model of the drop on the recent fade rate (blocks 5-9)
    fitted on LFP;
  * the same rate model fitted on NMC cells (leave-one-cell-out), to show the
    relation is not linear on the target either;
  * the best any forecaster fitted on the 5 cells of a 10 % draw has shown on
    this data: the k nearest training cells in observed shape, with the k chosen
    on the test cells (an oracle, so an upper bound on what those 5 cells give).

RMSE in % of the mean capacity of cycles 2-6, pooled over cells and steps.

Run:  /tmp/pyg/bin/python tools/reference/transfer/lfp_to_nmc_ceiling.py > tools/reference/transfer/lfp_to_nmc_ceiling.out
"""

import csv
import os
import platform
from collections import defaultdict

import numpy as np

from nmc_forecast_floor import STRIDE, WINDOW, HORIZON, blocks, load, mean_fade, neighbours, rmse

ATTIA = os.environ.get("ATTIA_DIR", "/work/shared/data/attia2020_closed_loop_fastcharge")
STEPS = HORIZON // STRIDE


def load_source(speedups=(1, 2, 3), every=100):
    """The study's pretraining windows: each cell relative to cycles 2-6, then read every k-th cycle."""
    rows = defaultdict(list)
    with open(os.path.join(ATTIA, "validation_capacity_trajectories.csv")) as f:
        for r in csv.DictReader(f):
            rows[r["cell_id"]].append((int(r["cycle"]), float(r["discharge_capacity_Ah"])))
    enc, tgt = [], []
    for cell in sorted(rows):
        series = sorted(rows[cell])
        cycles = np.array([c for c, _ in series])
        q = np.array([v for _, v in series])
        q = q / q[(cycles >= 2) & (cycles <= 6)].mean()
        for k in speedups:
            qk = q[::k]
            for start in range(0, len(qk) - WINDOW - STRIDE + 1, every):
                t = np.full(STEPS, np.nan)
                later = blocks(qk[start + WINDOW:start + WINDOW + HORIZON])
                t[: len(later)] = later
                enc.append(blocks(qk[start:start + WINDOW]))
                tgt.append(t)
    return np.array(enc), np.array(tgt), len(rows)


def recent_rate(enc):
    """Least-squares slope of observed blocks 5-9, per block."""
    return np.polyfit(np.arange(5, 10), enc[:, 5:].T, 1)[0]


def fit_rate_model(enc, tgt):
    """Per forecast step: drop = a_t + b_t * recent rate (least squares)."""
    r = recent_rate(enc)
    coef = np.zeros((STEPS, 2))
    for t in range(STEPS):
        ok = ~np.isnan(tgt[:, t])
        x = np.c_[np.ones(ok.sum()), r[ok]]
        coef[t] = np.linalg.lstsq(x, tgt[ok, t] - enc[ok, -1], rcond=None)[0]
    return coef


def rate_forecast(coef, enc):
    return enc[:, -1:] + coef[:, 0][None] + recent_rate(enc)[:, None] * coef[:, 1][None]


def main():
    enc, tgt = load()
    src_enc, src_tgt, n_src = load_source()
    n = len(enc)
    print(f"python {platform.python_version()}, numpy {np.__version__}; source {n_src} LFP cells, "
          f"{len(src_enc)} windows (1x, 2x, 3x speed, every 100 cycles); target {n} NMC cells")

    print("\nZero-shot from the LFP source, tested on all 44 NMC cells (test RMSE %):")
    print(f"  LFP mean fade                              {rmse(mean_fade(src_enc, src_tgt, enc), tgt):.2f}")
    pooled = np.vstack([src_enc, enc])
    pooled_tgt = np.vstack([src_tgt, tgt])
    pooled_shape = pooled - pooled[:, -1:]
    src_rows = np.arange(len(src_enc))
    for k in (1, 5, 20, 50):
        pred = neighbours(pooled, pooled_tgt, pooled_shape, src_rows, len(src_enc) + np.arange(n), k)
        print(f"  {k:2d} nearest LFP windows in observed shape    {rmse(pred, tgt):.2f}")
    coef = fit_rate_model(src_enc, src_tgt)
    print(f"  LFP rate model (drop on recent fade rate)  {rmse(rate_forecast(coef, enc), tgt):.2f}"
          f"   (slope at the last step: {coef[-1, 1]:.0f} blocks)")
    def leave_one_out(forecast):
        return np.vstack([forecast(np.delete(enc, i, 0), np.delete(tgt, i, 0), enc[i:i + 1]) for i in range(n)])

    loo_rate = leave_one_out(lambda e, t, x: rate_forecast(fit_rate_model(e, t), x))
    print(f"  for scale: the rate model fitted on the other 43 NMC cells {rmse(loo_rate, tgt):.2f}, "
          f"their mean fade {rmse(leave_one_out(mean_fade), tgt):.2f}")

    print("\n10 % of the target (5 cells), 200 random draws, tested on the other 39 (test RMSE %, mean +- sd):")
    rng = np.random.default_rng(0)
    fade, knn = [], {k: [] for k in (1, 2, 3, 5)}
    shape = enc - enc[:, -1:]
    for _ in range(200):
        perm = rng.permutation(n)
        tr, te = perm[:5], perm[5:]
        fade.append(rmse(mean_fade(enc[tr], tgt[tr], enc[te]), tgt[te]))
        for k in knn:
            knn[k].append(rmse(neighbours(enc, tgt, shape, tr, te, k), tgt[te]))
    fade = np.array(fade)
    print(f"  mean fade of the 5 cells                   {fade.mean():.2f} +- {fade.std(ddof=1):.2f}")
    best = min(knn, key=lambda k: np.mean(knn[k]))
    for k, s in knn.items():
        s = np.array(s)
        mark = "  <- best k, chosen on the test cells" if k == best else ""
        print(f"  {k} nearest of the 5 cells in shape          {s.mean():.2f} +- {s.std(ddof=1):.2f}{mark}")


if __name__ == "__main__":
    main()
