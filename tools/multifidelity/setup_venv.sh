#!/usr/bin/env bash
# Creates tools/multifidelity/.venv with the Python peers of the multi-fidelity
# work: PyBaMM (the physics model used as the cheap source) and emukit (the
# linear multi-fidelity model we compare against, on GPy). Never a crate
# dependency: only the scripts in this folder and benches/compare/multifidelity.py
# use it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install -q --upgrade pip
"$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
"$here/.venv/bin/python" -c "import pybamm, emukit, GPy; print('pybamm', pybamm.__version__, 'emukit', emukit.__version__, 'GPy', GPy.__version__)"
