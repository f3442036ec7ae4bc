"""Minimal adjustment sets: Voltai vs pgmpy on the random 20–50-node DAGs of
tools/reference/causal/adjustment_sets.json, one run.

    tools/reference/.venv/bin/python benches/compare/causal.py

pgmpy's procedure (its `get_all_backdoor_adjustment_sets`: every subset of the
candidates checked with `is_valid_backdoor_adjustment_set`, minimal ones kept;
candidates restricted to ancestors of {X, Y} so it terminates) against
`CausalGraph::minimal_adjustment_sets`. Also prints our time on a random sparse
1000-node DAG, where the subset search is hopeless.
"""
import itertools
import json
import os
import subprocess
import time
import warnings

import networkx as nx
import pgmpy
from pgmpy.base import DAG
from pgmpy.inference import CausalInference

warnings.filterwarnings("ignore")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
cases = json.load(open(os.path.join(ROOT, "tools", "reference", "causal", "adjustment_sets.json")))["cases"]

subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-causal", "--example", "adjustment_timing"], cwd=ROOT, check=True)
out = subprocess.run([os.path.join(ROOT, "target", "release", "examples", "adjustment_timing")], cwd=ROOT, check=True,
                     capture_output=True, text=True).stdout
ours = json.loads(out.strip().splitlines()[-1])

print(f"pgmpy {pgmpy.__version__} vs voltai-causal: all minimal back-door sets")
print(f"{'graph':<18}{'nodes':>6}{'sets':>6}{'voltai (s)':>13}{'pgmpy (s)':>12}{'ratio':>10}")
ratios = []
for c in cases:
    if not c["name"].startswith("random"):
        continue
    g = nx.DiGraph([tuple(e) for e in c["edges"]])
    g.add_nodes_from(c["nodes"])
    dag = DAG([tuple(e) for e in c["edges"]])
    dag.add_nodes_from(c["nodes"])
    ci = CausalInference(dag)
    x, y = c["x"], c["y"]
    t = time.perf_counter()
    pool = sorted((nx.ancestors(g, x) | nx.ancestors(g, y)) - nx.descendants(g, x) - {x, y})
    found = []
    for k in range(len(pool) + 1):
        for s in itertools.combinations(pool, k):
            fs = frozenset(s)
            if any(v <= fs for v in found):
                continue
            if ci.is_valid_backdoor_adjustment_set(x, y, list(s)):
                found.append(fs)
    pg = time.perf_counter() - t
    r = ours["cases"][c["name"]] / pg
    ratios.append(r)
    print(f"{c['name']:<18}{len(c['nodes']):>6}{len(found):>6}{ours['cases'][c['name']]:>13.2e}{pg:>12.2e}{r:>10.1e}")
ratios.sort()
print(f"median ratio ours / pgmpy: {ratios[len(ratios) // 2]:.1e}")
print(f"random sparse 1000-node DAG ({ours['n1000_edges']} edges): {ours['n1000_sets']} minimal sets in {ours['n1000_seconds']:.2e} s (pair {ours['n1000_pair']})")
