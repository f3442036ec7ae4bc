"""Which capacity series belongs to raw 25C02 and which to 25C03 (Zhang 2020).

The shared folder's two label sources swap the capacity series of 25C02 and
25C03 (its README).  This asks the spectra: a GP fitted on 25C01, 25C04 and
one of the two cells (under one pairing) predicts the other cell (under the
same pairing).  The pairing whose cells predict each other is the consistent
one.  Only the paper's training cells are used; no test cell is read.

Run: /tmp/venv/bin/python tools/reference/eis/label_pairing.py
Output (scikit-learn 1.9.1, numpy 2.x) is kept in label_pairing.txt.
"""
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel as C, DotProduct, WhiteKernel
from sklearn.preprocessing import StandardScaler

root = os.environ.get("VOLTAI_DATA_DIR", os.path.join(os.path.dirname(__file__), "../../../../shared/data"))
folder = os.path.join(root, "zhang2020_lco_eis")
wide = pd.read_csv(os.path.join(folder, "eis_state_V_wide_labelled.csv"))
labels = pd.read_csv(os.path.join(folder, "capacity_labels.csv"))
wide = wide.merge(labels[["cell_id", "cycle", "alt_capacity_mAh_author_zip"]], on=["cell_id", "cycle"])
inputs = [c for c in wide.columns if c.startswith("zre_") or c.startswith("zim_")]
kernel = C(0.01) * DotProduct(1.0) + C(0.1) * RBF(10.0) + WhiteKernel(1e-3)

print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")
print("pairing    held-out  RMSE (mAh)")
for pairing, column in [("tutorial", "capacity_mAh"), ("authors", "alt_capacity_mAh_author_zip")]:
    for held, other in [("25C02", "25C03"), ("25C03", "25C02")]:
        train = wide[wide.cell_id.isin(["25C01", "25C04", other])]
        y = np.where(train.cell_id == other, train[column], train.capacity_mAh)
        scaler = StandardScaler().fit(train[inputs])
        gp = GaussianProcessRegressor(kernel, normalize_y=True, random_state=0)
        gp.fit(scaler.transform(train[inputs]), y)
        test = wide[wide.cell_id == held]
        pred = gp.predict(scaler.transform(test[inputs]))
        print(f"{pairing:10s} {held}     {np.sqrt(np.mean((pred - test[column]) ** 2)):.2f}")
