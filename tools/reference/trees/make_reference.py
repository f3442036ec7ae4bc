"""Reference values for voltai-discovery's regression trees, random forest and
gradient boosting: scikit-learn's DecisionTreeRegressor, RandomForestRegressor
and GradientBoostingRegressor on the Severson early-life features (the nine
columns of features_first100cycles.csv that the four glitched Q(2.0 V) values
do not touch), target log10(cycle life), trained on the 41 training cells and
evaluated on the 83 test cells.

scikit-learn's trees work on float32 features, so the features are rounded to
float32 here first and both sides see identical values.

    tools/reference/.venv/bin/python tools/reference/trees/make_reference.py
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.environ.get("VOLTAI_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
f = pd.read_csv(os.path.join(DATA, "severson2019_lfp_fastcharge", "features_first100cycles.csv"))
COLS = ["log10_abs_var_dq", "log10_abs_min_dq", "log10_abs_mean_dq", "log10_abs_skew_dq", "log10_abs_kurt_dq",
        "q_cycle2_Ah", "q_cycle100_Ah", "fade_slope_91_100_Ah_per_cycle", "fade_intercept_91_100_Ah"]
missing = [c for c in COLS if c not in f.columns]
if missing:
    raise SystemExit(f"columns not found: {missing}; have {list(f.columns)}")
x = f[COLS].to_numpy().astype(np.float32).astype(np.float64)
y = np.log10(f["cycle_life"].to_numpy(float))
train = (f["split"] == "train").to_numpy()
xtr, ytr, xte = x[train], y[train], x[~train]

cases = []
for name, model in [
    ("tree, depth 3, 3 per leaf", DecisionTreeRegressor(max_depth=3, min_samples_leaf=3, random_state=0)),
]:
    model.fit(xtr, ytr)
    cases.append({"name": name, "data": "severson", "params": model.get_params(),
                  "predictions": model.predict(xte).tolist()})

# Deeper trees and boosting on the Severson cells meet exact ties: small
# nodes where two features cut the same rows, which scikit-learn breaks by
# its own random feature order. Friedman #1 (400 rows, 10 independent
# features, noise 1) with leaves of at least 5 rows has none.
rng = np.random.RandomState(0)
fx = rng.uniform(size=(500, 10)).astype(np.float32).astype(np.float64)
fy = (10 * np.sin(np.pi * fx[:, 0] * fx[:, 1]) + 20 * (fx[:, 2] - 0.5) ** 2 + 10 * fx[:, 3] + 5 * fx[:, 4]
      + rng.normal(size=500))
for name, model in [
    ("friedman tree, depth 5, 5 per leaf", DecisionTreeRegressor(max_depth=5, min_samples_leaf=5, random_state=0)),
    ("friedman boosting, 100 stages of depth 3, 5 per leaf",
     GradientBoostingRegressor(n_estimators=100, min_samples_leaf=5, random_state=0)),
    ("friedman boosting, 60 stages of depth 2, rate 0.3, 10 per leaf",
     GradientBoostingRegressor(n_estimators=60, max_depth=2, learning_rate=0.3, min_samples_leaf=10, random_state=0)),
]:
    model.fit(fx[:400], fy[:400])
    cases.append({"name": name, "data": "friedman", "params": model.get_params(),
                  "predictions": model.predict(fx[400:]).tolist()})

# Forests are random: their test error over seeds is the reference, not the trees.
yte = y[~train]
life = 10 ** yte
rmse = []
for seed in range(10):
    rf = RandomForestRegressor(n_estimators=200, random_state=seed).fit(xtr, ytr)
    rmse.append(float(np.sqrt(np.mean((10 ** rf.predict(xte) - life) ** 2))))

out = {
    "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
    "features": COLS,
    "x_train": xtr.tolist(), "y_train": ytr.tolist(), "x_test": xte.tolist(), "y_test": yte.tolist(),
    "friedman": {"x_train": fx[:400].tolist(), "y_train": fy[:400].tolist(), "x_test": fx[400:].tolist()},
    "cases": cases,
    "forest": {"n_estimators": 200, "seeds": 10, "test_rmse_cycles": rmse,
               "mean": float(np.mean(rmse)), "sd": float(np.std(rmse, ddof=1))},
}
with open(os.path.join(os.path.dirname(__file__), "trees_severson.json"), "w") as fh:
    json.dump(out, fh, indent=1, default=str)
print(f"scikit-learn {sklearn.__version__}: forest test RMSE {np.mean(rmse):.1f} ± {np.std(rmse, ddof=1):.1f} cycles")
