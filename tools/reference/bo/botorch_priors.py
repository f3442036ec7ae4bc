"""Reference for GpSurrogate's BoTorch priors (crates/discovery, test
`the_priors_match_botorchs_map_fit`).

BoTorch's default SingleTaskGP (0.16): an ARD RBF kernel without an output
scale, ln-normal priors on the length scales, LogNormal(sqrt(2) + ln(d)/2,
sqrt(3)), and on the noise variance, LogNormal(-4, 1), fitted by MAP
(fit_gpytorch_mll). The mean is set to zero here, as GpSurrogate's default,
and the targets are already standardised (ddof = 1), so no transform differs.

Data: 14 points in [0, 1]^3, x_ij = frac((i + 1) * sqrt(p_j)) for p = 2, 3, 5,
y_i = sin(3 x_i0) + x_i1^2 - 0.5 x_i2 + 0.05 sin(17 i), then standardised.

Run: python tools/reference/bo/botorch_priors.py  (in a venv with botorch==0.16.1)
"""
import math

import botorch
import gpytorch
import torch
from botorch.fit import fit_gpytorch_mll
from botorch.models import SingleTaskGP
from botorch.models.transforms import Normalize
from gpytorch.means import ZeroMean
from gpytorch.mlls import ExactMarginalLogLikelihood

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
n, d = 14, 3
primes = [2, 3, 5]
x = torch.tensor([[((i + 1) * math.sqrt(p)) % 1.0 for p in primes] for i in range(n)])
y = torch.sin(3 * x[:, 0]) + x[:, 1] ** 2 - 0.5 * x[:, 2] + 0.05 * torch.sin(17 * torch.arange(n, dtype=torch.float64))
y = ((y - y.mean()) / y.std()).unsqueeze(-1)
bounds = torch.stack([torch.zeros(d), torch.ones(d)])
model = SingleTaskGP(x, y, input_transform=Normalize(d, bounds=bounds), mean_module=ZeroMean())
fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
model.eval()
test = torch.tensor([[0.5, 0.5, 0.5], [0.1, 0.9, 0.3], [0.95, 0.05, 0.7], [0.3, 0.3, 0.9]])
with torch.no_grad():
    post = model.posterior(test)
print(f"botorch {botorch.__version__}, gpytorch {gpytorch.__version__}, torch {torch.__version__}")
print("lengthscales", [round(v, 6) for v in model.covar_module.lengthscale.squeeze().tolist()])
print("noise", round(float(model.likelihood.noise.item()), 8))
print("mean", [round(v, 6) for v in post.mean.squeeze(-1).tolist()])
print("variance", [round(v, 6) for v in post.variance.squeeze(-1).tolist()])
