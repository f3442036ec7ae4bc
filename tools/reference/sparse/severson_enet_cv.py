"""scikit-learn ElasticNetCV on the Severson "discharge" features, for parity.

Input: tools/reference/sparse/severson_discharge_features.csv, written by our
feature code (`cargo run --release --example early_life_prediction --
--export-features tools/reference/sparse/severson_discharge_features.csv`):
the four capacity glitches masked, Q(2.0 V) fade features recomputed. The Rust
test checks it still equals what the code computes.

Standardised on the training cells (population sd), target log10(cycle life),
l1_ratio in [0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1], 100 alphas down to 1e-3·α_max,
folds: plain 4-fold (`cv=KFold(4)`), then 10 shuffled 4-fold assignments shared
with Rust through common.fold_ids (PredefinedSplit). Writes severson_enet_cv.json.

Run: tools/reference/.venv/bin/python tools/reference/sparse/severson_enet_cv.py
"""
import csv
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNetCV
from sklearn.model_selection import KFold, PredefinedSplit
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import fold_ids  # noqa: E402

RATIOS = [0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0]

with open(os.path.join(HERE, "severson_discharge_features.csv")) as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
split = np.array([r[0] for r in body])
y = np.array([float(r[1]) for r in body])
x = np.array([[float(v) for v in r[2:]] for r in body])
train = split == "Train"
scaler = StandardScaler().fit(x[train])
xs = scaler.transform(x)


def run(cv):
    m = ElasticNetCV(l1_ratio=RATIOS, alphas=100, eps=1e-3, cv=cv, tol=1e-12, max_iter=1_000_000).fit(xs[train], y[train])
    life = 10 ** y
    rmse = {}
    for s in ["Train", "PrimaryTest", "SecondaryTest"]:
        pred = 10 ** m.predict(xs[split == s])
        rmse[s] = float(np.sqrt(np.mean((pred - life[split == s]) ** 2)))
    return {
        "alpha": float(m.alpha_),
        "l1_ratio": float(m.l1_ratio_),
        "support": [int(i) for i in np.flatnonzero(m.coef_)],
        "coef": m.coef_.tolist(),
        "rmse": rmse,
    }


out = {
    "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
    "features": header[2:],
    "kfold4": run(KFold(4)),
    "seeds": [],
}
for seed in range(10):
    r = run(PredefinedSplit(fold_ids(int(train.sum()), 4, seed)))
    r["seed"] = seed
    out["seeds"].append(r)
with open(os.path.join(HERE, "severson_enet_cv.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out["kfold4"], indent=1))
print([(s["seed"], s["support"], round(s["rmse"]["PrimaryTest"], 1)) for s in out["seeds"]])
