"""Reference minimal back-door adjustment sets from pgmpy, for voltai-causal's tests.

Run:  tools/reference/.venv/bin/python tools/reference/causal/make_reference.py
Writes tools/reference/causal/adjustment_sets.json (peer version inside).

For each graph and (treatment, outcome) pair, every subset of the candidate
nodes is checked with pgmpy's `CausalInference.is_valid_backdoor_adjustment_set`
and the inclusion-minimal valid ones are kept — pgmpy's own
`get_all_backdoor_adjustment_sets` procedure, with candidates restricted to
ancestors of {X, Y} that are not descendants of X (minimal separators lie
there: Tian, Paz & Pearl 1998), so 20–50-node graphs stay tractable.
"""
import itertools
import json
import os
import sys
import time
import warnings

import networkx as nx
import pgmpy
from pgmpy.base import DAG
from pgmpy.inference import CausalInference

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import SplitMix64  # noqa: E402

CLASSIC = {
    "m_bias": [("A", "X"), ("A", "M"), ("B", "M"), ("B", "Y"), ("X", "Y")],
    "butterfly": [("A", "M"), ("B", "M"), ("A", "X"), ("B", "Y"), ("M", "X"), ("M", "Y"), ("X", "Y")],
    "confounder_triangle": [("Z", "X"), ("Z", "Y"), ("X", "Y")],
    "mediator_with_confounder": [("Z", "X"), ("Z", "Y"), ("X", "M"), ("M", "Y")],
    # dagitty's "Shrier & Platt (2008)" warm-up / injury example.
    "shrier_platt_2008": [
        ("Coach", "TeamMotivation"), ("Coach", "FitnessLevel"), ("Genetics", "FitnessLevel"),
        ("Genetics", "ConnectiveTissueDisorder"), ("Genetics", "NeuromuscularFatigue"),
        ("FitnessLevel", "NeuromuscularFatigue"), ("FitnessLevel", "PreGameProprioception"),
        ("TeamMotivation", "WarmUpExercises"), ("TeamMotivation", "PreviousInjury"),
        ("PreviousInjury", "WarmUpExercises"), ("PreviousInjury", "Injury"),
        ("ContactSport", "PreviousInjury"), ("ContactSport", "IntraGameProprioception"),
        ("WarmUpExercises", "IntraGameProprioception"), ("PreGameProprioception", "WarmUpExercises"),
        ("ConnectiveTissueDisorder", "TissueWeakness"), ("ConnectiveTissueDisorder", "Injury"),
        ("NeuromuscularFatigue", "Injury"), ("TissueWeakness", "Injury"),
        ("IntraGameProprioception", "Injury"), ("WarmUpExercises", "Injury"),
        ("NeuromuscularFatigue", "IntraGameProprioception"),
    ],
    # dagitty's "Sebastiani et al. (2005)"-style confounded chain with two back doors.
    "two_backdoors": [("A", "X"), ("A", "B"), ("B", "Y"), ("C", "X"), ("C", "D"), ("D", "Y"), ("X", "Y"), ("E", "A"), ("E", "C")],
}
PAIRS = {"shrier_platt_2008": ("WarmUpExercises", "Injury")}


def minimal_sets(edges, nodes, x, y):
    dag = DAG(edges)
    dag.add_nodes_from(nodes)
    ci = CausalInference(dag)
    g = nx.DiGraph(edges)
    g.add_nodes_from(nodes)
    pool = (nx.ancestors(g, x) | nx.ancestors(g, y)) - nx.descendants(g, x) - {x, y}
    pool = sorted(pool)
    found = []
    for k in range(len(pool) + 1):
        for s in itertools.combinations(pool, k):
            fs = frozenset(s)
            if any(v <= fs for v in found):
                continue
            if ci.is_valid_backdoor_adjustment_set(x, y, list(s)):
                found.append(fs)
    return sorted(sorted(s) for s in found), len(pool)


def random_dag(seed, n):
    """Random DAG in topological order v0..v{n-1}: each node gets up to 3 parents
    among the 8 previous nodes (sparse, local), as in the Rust tests."""
    rng = SplitMix64(seed)
    edges = []
    for j in range(1, n):
        for _ in range(1 + rng.next_u64() % 3):
            i = j - 1 - rng.next_u64() % min(j, 8)
            if (f"v{i}", f"v{j}") not in edges:
                edges.append((f"v{i}", f"v{j}"))
    return edges


cases = []
t0 = time.perf_counter()
for name, edges in CLASSIC.items():
    nodes = sorted({v for e in edges for v in e})
    x, y = PAIRS.get(name, ("X", "Y"))
    sets, pool = minimal_sets(edges, nodes, x, y)
    cases.append({"name": name, "nodes": nodes, "edges": edges, "x": x, "y": y, "sets": sets})
seed = 1
while sum(1 for c in cases if c["name"].startswith("random")) < 24:
    rng = SplitMix64(1000 + seed)
    n = 20 + rng.next_u64() % 31
    edges = random_dag(seed, n)
    nodes = [f"v{i}" for i in range(n)]
    g = nx.DiGraph(edges)
    g.add_nodes_from(nodes)
    x = f"v{n // 3 + rng.next_u64() % (n // 3)}"
    y = f"v{n - 1 - rng.next_u64() % (n // 4)}"
    seed += 1
    pool = (nx.ancestors(g, x) | nx.ancestors(g, y)) - nx.descendants(g, x) - {x, y}
    if x == y or not nx.has_path(g, x, y) or len(pool) > 14:
        continue
    sets, _ = minimal_sets(edges, nodes, x, y)
    cases.append({"name": f"random_{seed - 1}_n{n}", "nodes": nodes, "edges": edges, "x": x, "y": y, "sets": sets})
elapsed = time.perf_counter() - t0
with open(os.path.join(HERE, "adjustment_sets.json"), "w") as f:
    json.dump({"versions": {"pgmpy": pgmpy.__version__, "networkx": nx.__version__}, "seconds": elapsed, "cases": cases}, f, indent=1)
print(f"{len(cases)} cases in {elapsed:.1f} s; pgmpy {pgmpy.__version__}")
