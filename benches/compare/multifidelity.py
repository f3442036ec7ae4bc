"""Physics model + 10 measurements: Voltai's multi-fidelity GPs vs emukit, same data, one run.

    tools/multifidelity/setup_venv.sh     # once: PyBaMM, emukit, GPy in tools/multifidelity/.venv
    tools/multifidelity/.venv/bin/python benches/compare/multifidelity.py [seeds] [--record]

Runs `cargo run --release --example multifidelity_physics -- --json`, which
draws every seed's split of `data/multifidelity/pybamm_discharge.csv` (200 SPMe
points, 10 noisy measurements of the aged cell at 0.5C and 1.5C, the cell's
curves at 0.25C, 0.75C, 1C, 1.25C and 2C held out), fits our models and writes
inputs and predictions. Then fits, on exactly those inputs, emukit's linear
multi-fidelity model (Kennedy–O'Hagan AR1: RBF-ARD kernels per fidelity,
`LinearMultiFidelityKernel`, GPy, 10 optimiser restarts) and emukit's
nonlinear model (NARGP, Perdikaris 2017), and prints per method: held-out RMSE
(mean and worst seed, mV), the worst seed's RMSE over the SPMe's, 95 % interval
coverage of the cell's noise-free voltage (noise-free predictive variance on
both sides) and fit time.

With --record (and the default 20 seeds) it also writes emukit's per-seed
figures to tools/reference/multifidelity/emukit_pybamm.json, which the
umbrella's workflow test compares our default model against; each seed carries
a fingerprint of its inputs so a changed protocol fails the test loudly.
"""
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import GPy  # noqa: E402
import emukit  # noqa: E402
from emukit.model_wrappers.gpy_model_wrappers import GPyMultiOutputWrapper  # noqa: E402
from emukit.multi_fidelity.convert_lists_to_array import convert_xy_lists_to_arrays  # noqa: E402
from emukit.multi_fidelity.kernels import LinearMultiFidelityKernel  # noqa: E402
from emukit.multi_fidelity.models import GPyLinearMultiFidelityModel  # noqa: E402
from emukit.multi_fidelity.models.non_linear_multi_fidelity_model import (  # noqa: E402
    NonLinearMultiFidelityModel,
    make_non_linear_kernels,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
args = [a for a in sys.argv[1:] if not a.startswith("--")]
record = "--record" in sys.argv
seeds = int(args[0]) if args else 20
out = os.path.join(ROOT, "target", "multifidelity_compare.json")
subprocess.run(
    ["cargo", "run", "--release", "-q", "--example", "multifidelity_physics", "--",
     "--seeds", str(seeds), "--json", out],
    cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
)
with open(out) as f:
    runs = json.load(f)["seeds"]


def emukit_linear(s):
    xl, yl = np.array(s["x_cheap"]), np.array(s["y_cheap"])[:, None]
    xh, yh = np.array(s["x_exp"]), np.array(s["y_exp"])[:, None]
    x, y = convert_xy_lists_to_arrays([xl, xh], [yl, yh])
    kernels = [GPy.kern.RBF(2, ARD=True), GPy.kern.RBF(2, ARD=True)]
    k = LinearMultiFidelityKernel(kernels)
    gpy = GPyLinearMultiFidelityModel(x, y, k, n_fidelities=2)
    model = GPyMultiOutputWrapper(gpy, 2, n_optimization_restarts=10, verbose_optimization=False)
    np.random.seed(s["seed"])
    model.optimize()
    xt = np.array(s["x_test"])
    xt_hi = np.hstack([xt, np.ones((len(xt), 1))])
    mean, var = gpy.predict_noiseless(xt_hi)
    return mean[:, 0], np.sqrt(np.maximum(var[:, 0], 0.0))


def emukit_nonlinear(s):
    xl, yl = np.array(s["x_cheap"]), np.array(s["y_cheap"])[:, None]
    xh, yh = np.array(s["x_exp"]), np.array(s["y_exp"])[:, None]
    x, y = convert_xy_lists_to_arrays([xl, xh], [yl, yh])
    kernels = make_non_linear_kernels(GPy.kern.RBF, 2, 2, ARD=True)
    np.random.seed(s["seed"])
    model = NonLinearMultiFidelityModel(x, y, n_fidelities=2, kernels=kernels, verbose=False,
                                        optimization_restarts=5)
    model.optimize()
    xt = np.array(s["x_test"])
    xt_hi = np.hstack([xt, np.ones((len(xt), 1))])
    mean, var = model.predict(xt_hi)
    # NARGP's variance includes the likelihood noise of the top level; remove it.
    noise = float(np.asarray(model.models[-1].Gaussian_noise.variance).ravel()[0])
    return mean[:, 0], np.sqrt(np.maximum(var[:, 0] - noise, 0.0))


def score(y, mean, sd, cheap):
    err = np.sqrt(np.mean((y - mean) ** 2))
    base = np.sqrt(np.mean((y - cheap) ** 2))
    cover = np.mean(np.abs(y - mean) <= 1.959964 * sd)
    return err, err / base, cover


table = {}
recorded = []
for s in runs:
    y, cheap = np.array(s["y_test"]), np.array(s["cheap_test"])
    for name, fn in (("emukit linear (AR1)", emukit_linear), ("emukit NARGP", emukit_nonlinear)):
        t = time.perf_counter()
        mean, sd = fn(s)
        secs = time.perf_counter() - t
        table.setdefault(name, []).append((*score(y, mean, sd, cheap), secs))
    lin, nl = table["emukit linear (AR1)"][-1], table["emukit NARGP"][-1]
    recorded.append({
        "seed": s["seed"],
        "fingerprint": float(np.sum(s["y_exp"]) + np.sum(s["y_cheap"])),
        "linear_rmse_v": lin[0], "linear_coverage95": lin[2],
        "nargp_rmse_v": nl[0], "nargp_coverage95": nl[2],
    })
    for name, v in s.items():
        if isinstance(v, dict) and "mean" in v:
            table.setdefault("voltai " + name, []).append(
                (*score(y, np.array(v["mean"]), np.array(v["sd"]), cheap), v["fit_s"]))
    table.setdefault("SPMe alone", []).append((*score(y, cheap, np.zeros_like(cheap), cheap), 0.0))

print(f"emukit {emukit.__version__} (GPy {GPy.__version__}) vs voltai-gp on the same {len(runs)} seeds, {os.cpu_count()} cores")
print(f"{'method':<48}{'RMSE mV':>9}{'worst':>8}{'worst/SPMe':>11}{'95% cover':>10}{'fit s':>8}")
for name, rows in table.items():
    r = np.array(rows)
    print(f"{name:<48}{1e3 * r[:, 0].mean():>9.1f}{1e3 * r[:, 0].max():>8.1f}{r[:, 1].max():>11.2f}"
          f"{100 * r[:, 2].mean():>9.1f}%{r[:, 3].mean():>8.2f}")

if record:
    path = os.path.join(ROOT, "tools", "reference", "multifidelity", "emukit_pybamm.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({
            "peer": f"emukit {emukit.__version__}, GPy {GPy.__version__}, numpy {np.__version__}",
            "made_by": "benches/compare/multifidelity.py --record",
            "protocol": "voltai::studies::physics_fusion::fusion_split(seed), seeds 0..20",
            "seeds": recorded,
        }, f, indent=1)
    print(f"recorded emukit's figures in {path}")
