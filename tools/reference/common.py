"""Portable data generators shared with the Rust side (voltai_core::synthetic)."""
import math

import numpy as np

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next_u64() >> 11) * (1.0 / 9007199254740992.0)

    def normal(self):
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def normal_matrix(self, n, d):
        return np.array([[self.normal() for _ in range(d)] for _ in range(n)])


def imbalanced(n, d, seed, positive_fraction=0.05):
    """Same as voltai_kernels tests' `imbalanced`: the top 5 % of a nonlinear
    score (plus noise) are the positive class."""
    rng = SplitMix64(seed)
    x = rng.normal_matrix(n, d)
    noise = np.array([rng.normal() for _ in range(n)])
    score = x[:, 0] + x[:, 1] - 0.5 * x[:, 2] ** 2 + 0.3 * x[:, 3] * x[:, 4] + 0.5 * noise
    n_pos = int(round(positive_fraction * n))
    order = np.argsort(-score, kind="stable")
    y = np.zeros(n, dtype=int)
    y[order[:n_pos]] = 1
    return x, y


def fold_ids(n, k, seed):
    """Same as voltai_core::split::shuffled_fold_ids: rank rows by SplitMix64
    uniforms (stable ties by index) and deal the ranks round-robin."""
    rng = SplitMix64(seed)
    keys = [rng.uniform() for _ in range(n)]
    order = sorted(range(n), key=lambda i: (keys[i], i))
    ids = [0] * n
    for rank, i in enumerate(order):
        ids[i] = rank % k
    return ids
