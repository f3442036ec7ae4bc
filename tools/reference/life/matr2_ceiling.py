#!/usr/bin/env python3
"""How low can MATR2 go from the 41 training cells? Evidence for issue #24.

Why: `crates/life`'s benchmark picks one model by cross-validation on the 41
training cells (a GP with a linear term and an ARD RBF on Severson's six
discharge features): 72 cycles RMSE on MATR1, 174 on MATR2, against the
acceptance MATR1 < 90 and MATR2 < 149. This script asks whether any model
on the inputs the shared files carry can reach MATR2 < 149 at all, and
where MATR2's error comes from.

It prints four things:
  1. Level: log10 residuals of Severson's variance model (OLS of log10 life
     on log10 |var dQ|, fitted on train) per split. A batch shift in the
     feature -> life relation would show as a mean residual on MATR2.
  2. Scale: MATR2's cells live longer (rms life) than the training cells, so
     the same relative error is more cycles; the relative rms error each
     split would need for 149 cycles.
  3. Concentration: the share of the chosen model's (sklearn replica)
     squared error on MATR2 carried by its three worst cells, their lives,
     and the lives of the training cells nearest to them in feature space.
  4. Ceiling: a grid of 430+ configurations (six feature sets incl. the
     charge time implied by the charging policy, ridge / elastic net / SVR /
     GP / random forest, and PLS / PCR / ridge / GP on the QdLinear curve,
     every hyperparameter value as its own configuration), each fitted on
     train, ranked by MATR2 RMSE *using the test labels*: an oracle choice no
     honest protocol can make. If even its best is above 149, no choice made
     on the training cells reaches 149 with these inputs.

Run:  /tmp/pyg/bin/python tools/reference/life/matr2_ceiling.py > tools/reference/life/matr2_ceiling.out
"""

import csv
import os
import platform
import re
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.cross_decomposition import PLSRegression
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, DotProduct, WhiteKernel
from sklearn.linear_model import ElasticNet, LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

DATA = os.environ.get("SEVERSON_DIR", "/work/shared/data/severson2019_lfp_fastcharge")
TARGET = 149.0  # BatteryML's best MATR2 (its "discharge" model, 329 on MATR1)


def read_csv(name):
    with open(os.path.join(DATA, name)) as f:
        return list(csv.DictReader(f))


def load():
    feats = read_csv("features_first100cycles.csv")
    ids = [r["cell_id"] for r in feats]
    life = np.array([float(r["cycle_life"]) for r in feats])
    split = np.array([r["split"] for r in feats])
    col = lambda name: np.array([float(r[name]) for r in feats])

    # Q(2.0 V) per cycle, the four one-cycle glitches (about 31 Ah) masked,
    # as the benchmark's discharge features do.
    q2v = read_csv("qdlin_at_2V_cycles2_100.csv")
    q = np.array([[float(r[c]) for c in ids] for r in q2v])  # 99 cycles x 124
    q[q > 5.0] = np.nan
    q_cycle2 = q[0]
    q_max_minus_q2 = np.nanmax(q, axis=0) - q_cycle2

    # Charge time from 0 to 80 % SOC implied by the policy "C1(Q1%)-C2":
    # Severson's full model reads the measured charge time, which the shared
    # files lack; the policy fixes it up to the CV tail.
    def charge_minutes(policy):
        m = re.match(r"([\d.]+)C\((\d+)%\)-([\d.]+)C", policy)
        c1, q1, c2 = float(m.group(1)), float(m.group(2)) / 100, float(m.group(3))
        return 60 * (q1 / c1 + (0.8 - q1) / c2)

    columns = {
        "min": col("log10_abs_min_dq"),
        "var": col("log10_abs_var_dq"),
        "skew": col("log10_abs_skew_dq"),
        "kurt": col("log10_abs_kurt_dq"),
        "mean": col("log10_abs_mean_dq"),
        "q2": q_cycle2,
        "qmax": q_max_minus_q2,
        "fade91": col("fade_slope_91_100_Ah_per_cycle"),
        "charge_min": np.array([charge_minutes(r["charging_policy"]) for r in feats]),
    }

    def curve(name):
        rows = read_csv(name)
        return np.array([[float(r[c]) for c in ids] for r in rows]).T  # 124 x 1000

    qdlinear = (curve("qdlin_cycle100.csv") - curve("qdlin_cycle10.csv"))[:, ::10]

    train = np.flatnonzero(split == "train")
    primary = np.flatnonzero(split == "test1")
    matr1 = primary[primary != primary[np.argmin(life[primary])]]
    matr2 = np.flatnonzero(split == "test2")
    assert (len(train), len(matr1), len(matr2)) == (41, 42, 40)
    return ids, life, columns, qdlinear, train, matr1, matr2


DISCHARGE = ["min", "var", "skew", "kurt", "q2", "qmax"]
FEATURE_SETS = {
    "variance": ["var"],
    "discharge": DISCHARGE,
    "discharge + mean dQ": DISCHARGE + ["mean"],
    "discharge + charge time": DISCHARGE + ["charge_min"],
    "discharge + fade 91-100": DISCHARGE + ["fade91"],
    "min, var, Q2": ["min", "var", "q2"],
}


def gp_linear_ard(n):
    # The benchmark's chosen family: linear + ARD RBF + white, ML-II.
    return GaussianProcessRegressor(
        ConstantKernel(0.1) * DotProduct(1.0) + ConstantKernel(1.0) * RBF(np.ones(n)) + WhiteKernel(0.1),
        normalize_y=True, n_restarts_optimizer=4, random_state=0)


def gp_rbf(_):
    return GaussianProcessRegressor(ConstantKernel(1.0) * RBF(3.0) + WhiteKernel(0.1),
                                    normalize_y=True, n_restarts_optimizer=2, random_state=0)


def tabular_models():
    out = {"GP linear + ARD RBF": gp_linear_ard, "GP RBF": gp_rbf,
           "random forest": lambda _: RandomForestRegressor(300, max_features=0.5, random_state=0)}
    for a in np.logspace(-3, 3, 13):
        out[f"ridge a={a:.3g}"] = lambda _, a=a: Ridge(alpha=a)
    for a in np.logspace(-4, 0, 9):
        for l1 in (0.1, 0.5, 1.0):
            out[f"elastic net a={a:.3g} l1={l1}"] = lambda _, a=a, l1=l1: ElasticNet(alpha=a, l1_ratio=l1, max_iter=50000)
    for c in (1, 10, 100):
        for eps in (0.01, 0.03):
            for g in (0.01, 0.03, 0.1, 0.3):
                out[f"SVR C={c} eps={eps} gamma={g}"] = lambda _, c=c, eps=eps, g=g: SVR(C=c, epsilon=eps, gamma=g)
    return out


def curve_models():
    out = {"GP RBF": gp_rbf}
    for k in (2, 4, 6, 8, 10, 12, 16):
        out[f"PLS {k}"] = lambda _, k=k: PLSRegression(k, scale=False)
        out[f"PCR {k}"] = lambda _, k=k: make_pipeline(PCA(k), LinearRegression())
    for a in np.logspace(-3, 3, 13):
        out[f"ridge a={a:.3g}"] = lambda _, a=a: Ridge(alpha=a)
    return out


def fit_predict(make, x, y, train):
    """Standardise on train, fit log10 life, predict every cell in cycles."""
    scaler = StandardScaler().fit(x[train])
    xs = scaler.transform(x)
    model = make(x.shape[1]).fit(xs[train], y[train])
    return 10 ** np.ravel(model.predict(xs))


def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def main():
    warnings.filterwarnings("ignore")
    ids, life, columns, qdlinear, train, matr1, matr2 = load()
    y = np.log10(life)
    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    splits = {"train": train, "MATR1": matr1, "MATR2": matr2}

    print("\n1. Level: variance-model log10 residuals (fitted on train), mean +- se, sd")
    x = columns["var"][:, None]
    ols = LinearRegression().fit(x[train], y[train])
    for name, rows in splits.items():
        r = y[rows] - ols.predict(x[rows])
        print(f"   {name:6s} mean {r.mean():+.3f} +- {r.std(ddof=1) / np.sqrt(len(r)):.3f}"
              f" (x{10 ** r.mean():.3f} in life), sd {r.std(ddof=1):.3f}")

    print("\n2. Scale: rms life per split, and the relative rms error that 149 cycles allows")
    for name, rows in splits.items():
        rms_life = np.sqrt(np.mean(life[rows] ** 2))
        print(f"   {name:6s} mean life {life[rows].mean():6.0f}, max {life[rows].max():5.0f}, rms {rms_life:6.0f};"
              f" 149 cycles = {100 * TARGET / rms_life:4.1f} % of rms life")

    print("\n3. Concentration: the chosen family (GP linear + ARD RBF, discharge features), sklearn replica")
    xd = np.column_stack([columns[c] for c in DISCHARGE])
    pred = fit_predict(gp_linear_ard, xd, y, train)
    for name, rows in splits.items():
        if name == "train":
            continue
        err = pred[rows] - life[rows]
        rel = np.sqrt(np.mean((err / life[rows]) ** 2))
        order = np.argsort(-err ** 2)
        top = (err[order[:3]] ** 2).sum() / (err ** 2).sum()
        print(f"   {name}: RMSE {rmse(pred[rows], life[rows]):.0f} cycles, relative rms error {100 * rel:.1f} %;"
              f" three worst cells carry {100 * top:.0f} % of the squared error;"
              f" RMSE without them {np.sqrt(np.mean(np.sort(err ** 2)[:-3])):.0f}")
    scaler = StandardScaler().fit(xd[train])
    z = scaler.transform(xd)
    err = pred[matr2] - life[matr2]
    print("   MATR2's three worst cells, and the lives of the three training cells nearest in the")
    print("   standardised discharge features:")
    for i in matr2[np.argsort(-err ** 2)[:3]]:
        near = train[np.argsort(np.linalg.norm(z[train] - z[i], axis=1))[:3]]
        print(f"     {ids[i]}: life {life[i]:.0f}, predicted {pred[i]:.0f} ({100 * (pred[i] / life[i] - 1):+.0f} %);"
              f" nearest training lives {', '.join(f'{life[j]:.0f}' for j in near)}")
    print(f"   training cells living longer than 1500 cycles: {int((life[train] > 1500).sum())} of 41"
          f"; MATR2: {int((life[matr2] > 1500).sum())} of 40")

    print("\n4. Ceiling: every configuration fitted on train, ranked by MATR2 RMSE chosen WITH the test labels")
    results = []
    for set_name, cols in FEATURE_SETS.items():
        x = np.column_stack([columns[c] for c in cols])
        for model_name, make in tabular_models().items():
            p = fit_predict(make, x, y, train)
            results.append((rmse(p[matr2], life[matr2]), rmse(p[matr1], life[matr1]), f"{set_name} | {model_name}"))
    for model_name, make in curve_models().items():
        p = fit_predict(make, qdlinear, y, train)
        results.append((rmse(p[matr2], life[matr2]), rmse(p[matr1], life[matr1]), f"QdLinear | {model_name}"))
    results.sort()
    print(f"   {len(results)} configurations; the ten lowest MATR2 (MATR2 / MATR1, cycles):")
    for r2, r1, name in results[:10]:
        print(f"     {r2:5.0f} / {r1:5.0f}  {name}")
    below = [r for r in results if r[0] < TARGET]
    print(f"   configurations with MATR2 < {TARGET:.0f}: {len(below)}")


if __name__ == "__main__":
    main()
