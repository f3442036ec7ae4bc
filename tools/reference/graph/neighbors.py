"""Reference neighbour lists from pymatgen for voltai-graph-nn's tests.

For each structure file, pymatgen parses it (`Structure.from_file`) and
`get_all_neighbors(8.0)` lists every periodic image within 8 Å. Stored per
site: its fractional coordinates (pymatgen orders sites its own way), the neighbour count, the 12 nearest distances, and the sum and sum of
squares of all distances (a compact fingerprint of the whole sorted list).
Also writes `skewed.vasp`, a sheared 2-atom cell far smaller than the
cutoff, where minimum-image methods miss neighbours.

Run: tools/reference/.venv/bin/python tools/reference/graph/neighbors.py
"""
import json
import os
import warnings

import numpy as np
import pymatgen
from pymatgen.core import Lattice, Structure

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "materials")
CUTOFF = 8.0

files = []
for name in sorted(os.listdir(os.path.join(DATA, "pymatgen_structures", "cif"))):
    files.append(f"pymatgen_structures/cif/{name}")
for name in sorted(os.listdir(os.path.join(DATA, "pymatgen_structures", "poscar")))[:6]:
    files.append(f"pymatgen_structures/poscar/{name}")
for name in sorted(os.listdir(os.path.join(DATA, "obelix_ionic_conductivity", "cifs")))[:12]:
    files.append(f"obelix_ionic_conductivity/cifs/{name}")
for name in sorted(os.listdir(os.path.join(DATA, "alignn_jarvis_bandgap_sample", "structures")))[:8]:
    files.append(f"alignn_jarvis_bandgap_sample/structures/{name}")
for name in sorted(os.listdir(os.path.join(DATA, "cgcnn_sample", "sample-regression")))[:4]:
    if name.endswith(".cif"):
        files.append(f"cgcnn_sample/sample-regression/{name}")

skewed = Structure(
    Lattice.from_parameters(2.1, 2.4, 2.2, 60.0, 110.0, 55.0),
    ["Li", "O"],
    [[0.1, 0.2, 0.3], [0.6, 0.9, 0.75]],
)
skewed_path = os.path.join(HERE, "skewed.vasp")
skewed.to(filename=skewed_path, fmt="poscar")


def fingerprint(s):
    sites = []
    for site, nbrs in zip(s, s.get_all_neighbors(CUTOFF)):
        d = np.sort(np.array([n.nn_distance for n in nbrs]))
        sites.append(
            {
                "frac": [round(float(x), 8) for x in site.frac_coords],
                "count": int(len(d)),
                "nearest": [round(float(x), 8) for x in d[:12]],
                "sum": float(d.sum()),
                "sum_sq": float((d**2).sum()),
            }
        )
    return {"n_sites": len(s), "ordered": bool(s.is_ordered), "sites": sites}


out = {"pymatgen": pymatgen.core.__version__, "cutoff": CUTOFF, "structures": {}}
for f in files:
    out["structures"][f] = fingerprint(Structure.from_file(os.path.join(DATA, f)))
out["structures"]["<reference>/skewed.vasp"] = fingerprint(Structure.from_file(skewed_path))
with open(os.path.join(HERE, "neighbors.json"), "w") as fh:
    json.dump(out, fh, indent=0)
print(len(out["structures"]), "structures")
