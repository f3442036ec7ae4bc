"""Discharge curves for the multi-fidelity example, from PyBaMM.

    tools/multifidelity/setup_venv.sh          # once
    tools/multifidelity/.venv/bin/python tools/multifidelity/generate_pybamm.py

Writes data/multifidelity/pybamm_discharge.csv: one row per (source, C-rate,
point) with the depth of discharge (discharged capacity / 5 Ah nominal), the
C-rate and the terminal voltage.

- source "spme": the cheap model, PyBaMM's single-particle model with
  electrolyte (SPMe), isothermal at 25 °C, with the published parameters of
  the LG M50 cell (Chen 2020) — what a modeller has before looking at a cell.
- source "cell": the expensive source, standing in for measurements of one
  aged LG M50 cell: the Doyle–Fuller–Newman model (DFN) with a lumped thermal
  model, 15 % loss of lithium inventory, negative-particle diffusivity and
  exchange currents halved by ageing, and 8 mΩ of extra contact resistance.
  Measurement noise is added by the example, not here.

Both at 0.25C, 0.5C, 0.75C, 1C, 1.25C, 1.5C and 2C (5 A per C), discharged
from full charge to 2.5 V and sampled at 60 depths of discharge from 0 to 0.7
(the aged cell reaches DoD 0.76 at 2C; above 2C PyBaMM's SPMe stops early on
Chen 2020's parameters). PyBaMM's version is recorded in the CSV's header line.
"""
import os

import numpy as np
import pybamm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "data", "multifidelity", "pybamm_discharge.csv")
RATES = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
# Depth of discharge covered: both models reach it at every rate (the aged
# cell ends at DoD 0.76 at 2C); past it the end-of-discharge knee dominates.
MAX_DOD = 0.7
NOMINAL_AH = 5.0
POINTS = 60


def nominal():
    return pybamm.ParameterValues("Chen2020")


def aged():
    p = pybamm.ParameterValues("Chen2020")
    p["Initial concentration in negative electrode [mol.m-3]"] *= 0.85
    p["Negative particle diffusivity [m2.s-1]"] *= 0.5
    j0 = p["Negative electrode exchange-current density [A.m-2]"]
    p["Negative electrode exchange-current density [A.m-2]"] = lambda c_e, c_s_surf, c_s_max, T: 0.5 * j0(c_e, c_s_surf, c_s_max, T)
    p.update({"Contact resistance [Ohm]": 0.008}, check_already_exists=False)
    return p


def curve(model, params, rate):
    params = params.copy()
    params["Current function [A]"] = rate * NOMINAL_AH
    sim = pybamm.Simulation(model, parameter_values=params)
    sol = sim.solve([0, 3600.0 / rate * 1.2])
    q = sol["Discharge capacity [A.h]"].entries
    v = sol["Voltage [V]"].entries
    dod = q / NOMINAL_AH
    if dod[-1] < MAX_DOD:
        raise SystemExit(f"{rate}C ends at DoD {dod[-1]:.3f} < {MAX_DOD}")
    grid = np.linspace(0.0, MAX_DOD, POINTS)
    return grid, np.interp(grid, dod, v)


def main():
    rows = []
    spme = pybamm.lithium_ion.SPMe()
    dfn = pybamm.lithium_ion.DFN({"thermal": "lumped", "contact resistance": "true"})
    for rate in RATES:
        for source, model, params in (("spme", spme, nominal()), ("cell", dfn, aged())):
            dod, v = curve(model, params, rate)
            print(f"{source:5s} {rate:3.1f}C: {len(dod)} points, DoD to {dod[-1]:.3f}, V {v[0]:.3f} → {v[-1]:.3f}")
            rows += [(source, rate, d, u) for d, u in zip(dod, v)]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(f"# PyBaMM {pybamm.__version__}; see tools/multifidelity/generate_pybamm.py\n")
        f.write("source,c_rate,depth_of_discharge,voltage_v\n")
        for s, r, d, u in rows:
            f.write(f"{s},{r},{d:.6f},{u:.6f}\n")
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
