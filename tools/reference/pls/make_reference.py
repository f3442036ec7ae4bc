"""Reference values for voltai-discovery's PLS regression and principal-component
regression: scikit-learn's PLSRegression (scale=True and False) and the pipeline
StandardScaler → PCA → LinearRegression on the Severson QdLinear curves
(ΔQ₁₀₀₋₁₀(V) on the 1000-point grid, subsampled to every 10th point) of the
41 training cells, target log10(cycle life); predictions on the 43 primary-test cells.

    tools/reference/.venv/bin/python tools/reference/pls/make_reference.py
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.cross_decomposition import PLSRegression

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.environ.get("VOLTAI_DATA_DIR", os.path.join(ROOT, "..", "shared", "data"))
d = os.path.join(DATA, "severson2019_lfp_fastcharge")
cells = pd.read_csv(os.path.join(d, "cells.csv"))
q10 = pd.read_csv(os.path.join(d, "qdlin_cycle10.csv"))
q100 = pd.read_csv(os.path.join(d, "qdlin_cycle100.csv"))
dq = (q100.drop(columns="voltage_V") - q10.drop(columns="voltage_V")).iloc[::10]


def split(name):
    ids = cells[cells.split == name].cell_id.tolist()
    x = dq[ids].to_numpy().T
    y = np.log10(cells.set_index("cell_id").loc[ids, "cycle_life"].to_numpy(float))
    return ids, x, y


_, xtr, ytr = split("train")
_, xte, _ = split("test1")
out = {"versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
       "features": "every 10th point of Q100(V) - Q10(V), 100 values",
       "x_train": xtr.tolist(), "y_train": ytr.tolist(), "x_test": xte.tolist(), "cases": []}
for scale in (True, False):
    for k in (1, 3, 8):
        m = PLSRegression(n_components=k, scale=scale).fit(xtr, ytr)
        out["cases"].append({"n_components": k, "scale": scale,
                             "train_pred": m.predict(xtr).ravel().tolist(),
                             "test_pred": m.predict(xte).ravel().tolist()})
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out["pcr_cases"] = []
for k in (1, 3, 8):
    m = make_pipeline(StandardScaler(), PCA(n_components=k), LinearRegression()).fit(xtr, ytr)
    out["pcr_cases"].append({"n_components": k,
                             "train_pred": m.predict(xtr).ravel().tolist(),
                             "test_pred": m.predict(xte).ravel().tolist(),
                             "explained_variance_ratio": m[1].explained_variance_ratio_.tolist()})
with open(os.path.join(os.path.dirname(__file__), "pls_severson.json"), "w") as f:
    json.dump(out, f)
print("wrote", len(out["cases"]), "cases")
