#!/usr/bin/env bash
# Creates tools/reference/bo/.venv-botorch with BoTorch, the peer of
# benches/compare/botorch.py. Never a crate dependency. Only PyPI is reachable
# here, so torch comes as PyPI's default (CUDA) build, about 5 GB installed; it
# runs on the CPU. Versions used for the figures in the notes: botorch 0.16.1,
# gpytorch 1.15.2, torch 2.15.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv-botorch"
"$here/.venv-botorch/bin/pip" install -q --upgrade pip
"$here/.venv-botorch/bin/pip" install -q botorch==0.16.1 gpytorch==1.15.2 numpy scipy
"$here/.venv-botorch/bin/python" -c "import botorch, gpytorch, torch; print('botorch', botorch.__version__, 'gpytorch', gpytorch.__version__, 'torch', torch.__version__)"
