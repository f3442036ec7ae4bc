"""C-SVC fit/predict and one-class fit: Voltai vs scikit-learn on identical data, one run.

    tools/reference/.venv/bin/python benches/compare/svm.py [n] [d] [seed]

Generates the portable synthetic set (tools/reference/common.py) in both
languages, times scikit-learn here and `voltai-kernels`' svm_timing example in
a release build, and prints ours / scikit-learn ratios (< 1 means we are faster).
Both sides use RBF γ = 0.05, C = 1, class_weight balanced, tol 1e-3, 200 MB cache;
one-class ν = 0.1. Each side runs REPEATS (default 3) times, interleaved, and the
ratios are of the medians (this machine's timings vary by ±30 % run to run).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, OneClassSVM

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from common import imbalanced  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
d = int(sys.argv[2]) if len(sys.argv) > 2 else 20
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42

x, y = imbalanced(n, d, seed)
z = StandardScaler().fit_transform(x)

repeats = int(os.environ.get("REPEATS", "3"))
subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-kernels", "--example", "svm_timing"], cwd=ROOT, check=True)


def sklearn_run():
    t = time.perf_counter()
    svc = SVC(C=1.0, kernel="rbf", gamma=0.05, class_weight="balanced", tol=1e-3, cache_size=200).fit(z, y)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    dec = svc.decision_function(z)
    pred = time.perf_counter() - t
    t = time.perf_counter()
    oc = OneClassSVM(kernel="rbf", gamma=0.05, nu=0.1, tol=1e-3, cache_size=200).fit(z)
    return svc, dec, oc, {"svc_fit_s": fit, "svc_predict_s": pred, "ocsvm_fit_s": time.perf_counter() - t}


def voltai_run():
    out = subprocess.run([os.path.join(ROOT, "target", "release", "examples", "svm_timing"), str(n), str(d), str(seed)],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


sk_runs, our_runs = [], []
for _ in range(repeats):
    # A pause before each side: threads of the other side's runtime (OpenMP,
    # BLAS) spin for a while after their work and would take a core.
    time.sleep(1.0)
    svc, dec, oc, times = sklearn_run()
    sk_runs.append(times)
    time.sleep(1.0)
    our_runs.append(voltai_run())
ours = our_runs[-1]
sk = {k: float(np.median([r[k] for r in sk_runs])) for k in sk_runs[0]}
med = {k: float(np.median([r[k] for r in our_runs])) for k in sk}
load = os.getloadavg()[0]

print(f"scikit-learn {sklearn.__version__} vs voltai-kernels, n={n}, d={d}, seed={seed}, {os.cpu_count()} cores, "
      f"median of {repeats}, load average before the report {load:.2f}")
print(f"{'phase':<16}{'voltai (s)':>12}{'sklearn (s)':>13}{'ratio':>8}")
for name, key in [("C-SVC fit", "svc_fit_s"), ("C-SVC predict", "svc_predict_s"), ("one-class fit", "ocsvm_fit_s")]:
    print(f"{name:<16}{med[key]:>12.3f}{sk[key]:>13.3f}{med[key] / sk[key]:>8.2f}")
print(f"SMO iterations (shrinking on): C-SVC {ours['svc_iterations']} vs libsvm {int(np.sum(svc.n_iter_))}; "
      f"our kernel cache hit rate {100 * ours['svc_cache_hit_rate']:.1f} %")
print(f"support vectors: C-SVC {ours['svc_n_support']} vs {svc.support_.size}, "
      f"one-class {ours['ocsvm_n_support']} vs {oc.support_.size}; "
      f"decision sum {ours['decision_sum']:.4f} vs {float(np.sum(dec)):.4f}")
