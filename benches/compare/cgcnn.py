"""CGCNN training on the OBELiX crystal graphs: voltai-graph-nn vs PyTorch Geometric, one run.

    tools/reference/.venv/bin/python benches/compare/cgcnn.py [epochs]

Both sides train on the *same* graphs, exported by our `gnn_timing` example
(8 Å / 12 nearest neighbours, CGCNN one-hot node features with occupancy
weighting, 41 Gaussians over 0-8 Å): embedding 74 → 64, three CGCNN
convolutions, mean pooling, dense 64 → 64 → 1; Adam(W) at 2e-3, batches of
16, standardised log10 conductivity, 90 % of the training graphs per epoch,
2 CPU threads. PyG's `CGConv` uses its batch normalisation (as in the
original CGCNN); ours normalises per atom with a layer norm. Prints training
graphs/second in training and in inference, the ratios (> 1: we are faster)
and the test MAE of each.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch_geometric
from torch import nn
from torch_geometric.data import Data
from torch_geometric.loader import DataLoader
from torch_geometric.nn import CGConv, global_mean_pool

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
export = "/tmp/voltai_obelix_graphs.json"
torch.set_num_threads(2)
torch.manual_seed(0)

subprocess.run(["cargo", "build", "--release", "-q", "-p", "voltai-graph-nn", "--example", "gnn_timing"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target", "release", "examples", "gnn_timing")
ours = json.loads(
    subprocess.run([binary, "--epochs", str(epochs), "--export", export], cwd=ROOT, check=True, capture_output=True, text=True).stdout
)

doc = json.load(open(export))
F, G, cutoff = doc["node_features"], doc["gaussians"], doc["cutoff"]
centres = np.linspace(0.0, cutoff, G)
step = centres[1] - centres[0]


def to_data(g):
    x = np.zeros((len(g["nodes"]), F), dtype=np.float32)
    for i, row in enumerate(g["nodes"]):
        for k, v in row:
            x[i, k] = v
    d = np.array(g["dist"])[:, None]
    e = np.exp(-(((d - centres[None, :]) / step) ** 2)).astype(np.float32)
    # PyG passes messages from edge_index[0] (source j) to edge_index[1] (target i):
    # our edge (source → target) means "source aggregates target", so flip it.
    ei = torch.tensor([g["dst"], g["src"]], dtype=torch.long)
    return Data(x=torch.from_numpy(x), edge_index=ei, edge_attr=torch.from_numpy(e), y=torch.tensor([g["y"]], dtype=torch.float32))


train = [to_data(g) for g in doc["graphs"] if g["split"] == "train"]
test = [to_data(g) for g in doc["graphs"] if g["split"] == "test"]
ys = torch.cat([d.y for d in train])
mu, sd = ys.mean(), ys.std(unbiased=False)
n_fit = len(train) - round(0.1 * len(train))
fit = train[:n_fit]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(F, 64)
        self.convs = nn.ModuleList([CGConv(64, dim=G, aggr="add", batch_norm=True) for _ in range(3)])
        self.dense = nn.Linear(64, 64)
        self.out = nn.Linear(64, 1)

    def forward(self, b):
        h = self.embed(b.x)
        for conv in self.convs:
            h = nn.functional.softplus(conv(h, b.edge_index, b.edge_attr))
        p = global_mean_pool(h, b.batch)
        return self.out(nn.functional.softplus(self.dense(nn.functional.softplus(p)))).squeeze(-1)


net = Net()
opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
loader = DataLoader(fit, batch_size=16, shuffle=True)
start = time.perf_counter()
for _ in range(epochs):
    net.train()
    for b in loader:
        opt.zero_grad()
        loss = ((net(b) - (b.y - mu) / sd) ** 2).mean()
        loss.backward()
        opt.step()
secs = time.perf_counter() - start
net.eval()
with torch.no_grad():
    tb = next(iter(DataLoader(test, batch_size=len(test))))
    pred = net(tb) * sd + mu
    # Inference throughput, as ours measures it: the test graphs 20 times over.
    start = time.perf_counter()
    for _ in range(20):
        net(next(iter(DataLoader(test, batch_size=len(test)))))
    pyg_infer = 20 * len(test) / (time.perf_counter() - start)
pyg_mae = float((pred - tb.y).abs().mean())
pyg_rate = n_fit * epochs / secs

print(f"PyTorch {torch.__version__}, PyG {torch_geometric.__version__} vs voltai-graph-nn; {epochs} epochs, {len(train)} train / {len(test)} test graphs, 2 threads")
print(f"{'':<16}{'train graphs/s':>16}{'infer graphs/s':>16}{'test MAE':>10}")
print(f"{'voltai (burn)':<16}{ours['graphs_per_s']:>16.1f}{ours['inference_graphs_per_s']:>16.1f}{ours['test_mae']:>10.3f}")
print(f"{'PyG CGConv':<16}{pyg_rate:>16.1f}{pyg_infer:>16.1f}{pyg_mae:>10.3f}")
print(f"throughput ratio ours / PyG: training {ours['graphs_per_s'] / pyg_rate:.2f}, inference {ours['inference_graphs_per_s'] / pyg_infer:.2f}")
