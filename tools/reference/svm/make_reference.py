"""Reference values for voltai-kernels' SVM parity tests, from scikit-learn (libsvm).

Run:  tools/reference/.venv/bin/python tools/reference/svm/make_reference.py
Writes tools/reference/svm/*.json and data/breast_cancer.csv. The peer versions
are stored inside each JSON file.
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, OneClassSVM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))
from common import SplitMix64, imbalanced  # noqa: E402

TOL = 1e-3
VERSIONS = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}


def dump(name, payload):
    payload["versions"] = VERSIONS
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=1)


def svc_case(name, x, y, c, gamma):
    z = StandardScaler().fit_transform(x)
    m = SVC(C=c, kernel="rbf", gamma=gamma, class_weight="balanced", tol=TOL, cache_size=200).fit(z, y)
    dump(name, {
        "C": c, "gamma": gamma, "tol": TOL, "class_weight": "balanced",
        "n_support": int(m.support_.size),
        "support": m.support_.tolist(),
        "intercept": float(m.intercept_[0]),
        "decision": m.decision_function(z).tolist(),
        "predicted": m.predict(z).tolist(),
    })


bc = load_breast_cancer()
with open(os.path.join(ROOT, "data", "breast_cancer.csv"), "w") as f:
    f.write(",".join([c.replace(" ", "_") for c in bc.feature_names] + ["target"]) + "\n")
    for row, t in zip(bc.data, bc.target):
        f.write(",".join(repr(float(v)) for v in row) + f",{int(t)}\n")
svc_case("breast_cancer_svc.json", bc.data, bc.target, 1.0, 0.05)

x, y = imbalanced(5000, 20, 42)
svc_case("imbalanced_svc.json", x, y, 1.0, 0.05)

x = SplitMix64(7).normal_matrix(1000, 5)
oc = OneClassSVM(kernel="rbf", gamma=0.2, nu=0.1, tol=TOL).fit(x)
dump("one_class.json", {
    "nu": 0.1, "gamma": 0.2, "tol": TOL, "seed": 7, "n": 1000, "d": 5,
    "n_support": int(oc.support_.size),
    "decision": oc.decision_function(x).tolist(),
    "outlier": (oc.predict(x) == -1).tolist(),
})
rng = SplitMix64(11)
x = rng.normal_matrix(300, 3)
noise = np.array([rng.normal() for _ in range(300)])
y = np.sin(x[:, 0]) + 0.5 * x[:, 1] + 0.1 * noise
svr = SVR(kernel="rbf", gamma=0.5, C=1.0, epsilon=0.1, tol=TOL).fit(x, y)
dump("svr.json", {
    "C": 1.0, "gamma": 0.5, "epsilon": 0.1, "tol": TOL, "seed": 11, "n": 300, "d": 3,
    "n_support": int(svr.support_.size), "intercept": float(svr.intercept_[0]),
    "predicted": svr.predict(x).tolist(),
})

x = SplitMix64(13).normal_matrix(600, 4)
w = np.array([[1.0, -0.5, 0.2], [0.3, 1.0, -0.7], [-0.8, 0.4, 1.0], [0.5, 0.5, 0.5]])
y3 = np.argmax(x @ w + 0.3 * np.sin(3 * x[:, :3]), axis=1)
# Tight tolerance: both solvers land on the exact optimum, so the comparison
# checks the one-vs-one assembly rather than where each stops early.
mc = SVC(C=2.0, kernel="rbf", gamma=0.3, decision_function_shape="ovo", tol=1e-6).fit(x, y3)
dump("multiclass_svc.json", {
    "C": 2.0, "gamma": 0.3, "tol": 1e-6, "seed": 13, "n": 600, "d": 4,
    "labels": y3.tolist(), "n_support": int(mc.support_.size),
    "decision_ovo": mc.decision_function(x).tolist(), "predicted": mc.predict(x).tolist(),
})
print("written", VERSIONS)
