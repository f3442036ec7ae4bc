"""Noisy Bayesian optimisation: Voltai's ledger campaign vs BoTorch's qLogNEI,
same problems, seeds and budgets, in one run.

    tools/reference/bo/setup_botorch.sh          # once: BoTorch (CPU) in a venv
    tools/reference/bo/.venv-botorch/bin/python benches/compare/botorch.py [seeds] [--first=N] [--peer-only] [--problem=hartmann6|branin]

Seeds are N, N + 1, … (default N = 0) for both libraries.

Problems (noise: Gaussian, sd 0.1, on every reading):
  - Hartmann-6, 60 evaluations, one pick per round;
  - Branin, 50 evaluations, rounds of 4 (a batch of 4 out at once).
Both start from 2(d + 1) scrambled Sobol points (each library its own
scramble). BoTorch: SingleTaskGP with its default priors, fit_gpytorch_mll,
qLogNoisyExpectedImprovement with the observed points as baseline,
optimize_acqf (10 restarts, 512 raw samples). Ours:
`cargo run --release -p voltai-discovery --example bo_noisy` with log-NEI on a
Matérn-5/2 GP under BoTorch's priors (`GpSurrogate::priors`), the
configuration chosen on seeds 10–49 of noisy Hartmann-6 (median regret 0.122
against BoTorch's 0.183 there); then, for reference, log-EI against the best
posterior mean on the same GP (`... bo_noisy -- <problem> <q> <n> <seeds>
<first> log-ei`) and on the library's default GP, squared exponential by
maximum likelihood (`... log-ei default`). The reported
point of each run is the observed point with the best posterior mean; regret
is the noiseless objective there minus the global minimum. Proposal time is
the mean seconds per model-based round (fit + acquisition optimisation). Both
run on the same 2 threads (torch.set_num_threads).
"""
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

# This file is called botorch.py: keep its own folder off the import path so
# `import botorch` finds the library, not this script.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from botorch.acquisition.logei import qLogNoisyExpectedImprovement  # noqa: E402
from botorch.fit import fit_gpytorch_mll  # noqa: E402
from botorch.models import SingleTaskGP  # noqa: E402
from botorch.models.transforms import Normalize, Standardize  # noqa: E402
from botorch.optim import optimize_acqf  # noqa: E402
from botorch.test_functions import Branin, Hartmann  # noqa: E402
from gpytorch.mlls import ExactMarginalLogLikelihood  # noqa: E402

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float64)
THREADS = int(os.environ.get("THREADS", "2"))
torch.set_num_threads(THREADS)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NOISE_SD = 0.1
PROBLEMS = [
    # name, botorch function, minimum, q, budget
    ("hartmann6", Hartmann(dim=6), -3.32237, 1, 60),
    ("branin", Branin(), 0.397887, 4, 50),
]


def botorch_run(fn, q, budget, seed):
    d = fn.dim
    bounds = fn.bounds
    # optimize_acqf's raw samples and the fit's restarts draw from torch's
    # global generator: seed it so a rerun repeats the run.
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    n_init = 2 * (d + 1)
    sobol = torch.quasirandom.SobolEngine(d, scramble=True, seed=seed)
    unit = sobol.draw(n_init)
    x = bounds[0] + (bounds[1] - bounds[0]) * unit

    def observe(xs):
        clean = fn(xs)
        return (clean + NOISE_SD * torch.randn(clean.shape, generator=gen)).unsqueeze(-1)

    y = observe(x)
    seconds = []
    while x.shape[0] < budget:
        k = min(q, budget - x.shape[0])
        t = time.perf_counter()
        # Minimise: BoTorch maximises, so model -y.
        model = SingleTaskGP(x, -y, input_transform=Normalize(d), outcome_transform=Standardize(1))
        fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
        acq = qLogNoisyExpectedImprovement(model, X_baseline=x, prune_baseline=True)
        cand, _ = optimize_acqf(acq, bounds=bounds, q=k, num_restarts=10, raw_samples=512)
        seconds.append(time.perf_counter() - t)
        x = torch.cat([x, cand])
        y = torch.cat([y, observe(cand)])
    model = SingleTaskGP(x, -y, input_transform=Normalize(d), outcome_transform=Standardize(1))
    fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
    with torch.no_grad():
        mean = model.posterior(x).mean.squeeze(-1)
    best = x[int(torch.argmax(mean))].unsqueeze(0)
    return float(fn(best)), float(np.mean(seconds))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seeds = int(args[0]) if args else 10
    first = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--first=")), 0)
    peer_only = "--peer-only" in sys.argv
    only = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--problem=")), None)
    import botorch

    print(f"BoTorch {botorch.__version__} (torch {torch.__version__}, {THREADS} threads) vs voltai-discovery, seeds {first}–{first + seeds - 1}, noise sd {NOISE_SD}")
    if not peer_only:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-discovery", "--example", "bo_noisy"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "examples", "bo_noisy")
    print(f"{'problem':<44}{'regret ours':>13}{'regret BoTorch':>16}{'s/round ours':>14}{'s/round BoTorch':>17}{'time ratio':>12}")
    for name, fn, fmin, q, budget in PROBLEMS:
        if only is not None and name != only:
            continue
        peer = [botorch_run(fn, q, budget, s) for s in range(first, first + seeds)]
        peer_regret = [v - fmin for v, _ in peer]
        peer_time = [t for _, t in peer]
        label = f"{name} q={q} n={budget}"
        if peer_only:
            print(f"{label:<44}{'':>13}{statistics.median(peer_regret):>16.4f}{'':>14}{statistics.median(peer_time):>17.4f}")
            print(f"  BoTorch regret per seed: {[round(v, 4) for v in peer_regret]}")
            continue
        env = dict(os.environ, RAYON_NUM_THREADS=str(THREADS))
        r_peer, t_peer = statistics.median(peer_regret), statistics.median(peer_time)
        for acquisition, surrogate in [("log-nei", "matern-priors"), ("log-ei", "matern-priors"), ("log-ei", "default")]:
            out = subprocess.run([binary, name, str(q), str(budget), str(seeds), str(first), acquisition, surrogate], check=True, capture_output=True, text=True, env=env)
            ours = json.loads(out.stdout.strip().splitlines()[-1])
            r_ours, t_ours = statistics.median(ours["regret"]), statistics.median(ours["seconds_per_round"])
            row = f"{label} {acquisition} {surrogate}"
            print(f"{row:<44}{r_ours:>13.4f}{r_peer:>16.4f}{t_ours:>14.4f}{t_peer:>17.4f}{t_ours / t_peer:>12.3f}")
            print(f"  ours ({acquisition}, {surrogate}) regret per seed: {[round(v, 4) for v in ours['regret']]}")
        print(f"  BoTorch regret per seed: {[round(v, 4) for v in peer_regret]}")


if __name__ == "__main__":
    main()
