"""Reference values for voltai-discovery's sparse regression, from scikit-learn.

Run:  tools/reference/.venv/bin/python tools/reference/sparse/make_reference.py
Writes tools/reference/sparse/sparse.json (peer versions inside).
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNet, ElasticNetCV, Lasso, LogisticRegression, Ridge
from sklearn.model_selection import KFold

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import SplitMix64  # noqa: E402

rng = SplitMix64(31)
x = rng.normal_matrix(120, 8)
noise = np.array([rng.normal() for _ in range(120)])
y = 3.0 * x[:, 0] - 2.0 * x[:, 3] + 0.5 * x[:, 5] + 1.0 + 0.5 * noise

TOL = 1e-12
out = {"versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__}, "seed": 31, "n": 120, "d": 8}
las = Lasso(alpha=0.1, tol=TOL, max_iter=100000).fit(x, y)
out["lasso_0.1"] = {"coef": las.coef_.tolist(), "intercept": float(las.intercept_)}
en = ElasticNet(alpha=0.2, l1_ratio=0.3, tol=TOL, max_iter=100000).fit(x, y)
out["enet_0.2_0.3"] = {"coef": en.coef_.tolist(), "intercept": float(en.intercept_)}
# scikit-learn's Ridge minimises ‖y − Xw‖² + a‖w‖²; ours ½n⁻¹‖·‖² + ½α‖w‖², so a = nα.
rid = Ridge(alpha=120 * 0.5).fit(x, y)
out["ridge_0.5"] = {"coef": rid.coef_.tolist(), "intercept": float(rid.intercept_)}
cv = ElasticNetCV(l1_ratio=[0.1, 0.5, 0.9, 1.0], alphas=100, eps=1e-3, cv=KFold(5), tol=TOL, max_iter=100000).fit(x, y)
out["enet_cv"] = {
    "l1_ratios": [0.1, 0.5, 0.9, 1.0], "alpha": float(cv.alpha_), "l1_ratio": float(cv.l1_ratio_),
    "coef": cv.coef_.tolist(), "intercept": float(cv.intercept_),
    "alphas": cv.alphas_.tolist(), "mean_mse": cv.mse_path_.mean(axis=2).tolist(),
}
labels = (y > np.median(y)).astype(int)
lr = LogisticRegression(C=0.5, tol=1e-12, max_iter=10000).fit(x, labels)
out["logistic_0.5"] = {"labels": labels.tolist(), "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0])}
with open(os.path.join(HERE, "sparse.json"), "w") as f:
    json.dump(out, f, indent=1)
print("written", out["versions"], cv.alpha_, cv.l1_ratio_)
