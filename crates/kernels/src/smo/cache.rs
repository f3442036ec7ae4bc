//! Kernel-row cache indexed by solver position, with an LRU memory limit.
//!
//! Rows are stored as prefixes (`len` first positions), as in libsvm: after
//! shrinking, only the active prefix of a row is ever needed.

pub(crate) struct RowCache {
    data: Vec<Vec<f64>>,
    stamp: Vec<u64>,
    /// Positions that currently hold data (for O(cached) scans instead of O(l)).
    cached: Vec<usize>,
    clock: u64,
    used: usize,
    budget: usize,
    /// Kernel entries requested, and those found already computed.
    requested: u64,
    reused: u64,
}

impl RowCache {
    /// A cache for `l` rows holding at most `budget_bytes` of f64 entries
    /// (never less than two full rows, which the solver needs at once).
    pub(crate) fn new(l: usize, budget_bytes: usize) -> Self {
        RowCache {
            data: vec![Vec::new(); l],
            stamp: vec![0; l],
            cached: Vec::new(),
            clock: 0,
            used: 0,
            budget: (budget_bytes / 8).max(2 * l),
            requested: 0,
            reused: 0,
        }
    }

    fn drop_row(&mut self, i: usize) {
        self.used -= self.data[i].len();
        self.data[i] = Vec::new();
        if let Some(p) = self.cached.iter().position(|&c| c == i) {
            self.cached.swap_remove(p);
        }
    }

    /// Ensures row `i` has at least `len` entries, evicting least-recently used
    /// rows if needed. Returns the row and the first entry still to compute.
    pub(crate) fn row(&mut self, i: usize, len: usize) -> (&mut Vec<f64>, usize) {
        self.clock += 1;
        self.stamp[i] = self.clock;
        let have = self.data[i].len();
        self.requested += len as u64;
        self.reused += have.min(len) as u64;
        if have < len {
            let extra = len - have;
            while self.used + extra > self.budget {
                let victim = self
                    .cached
                    .iter()
                    .copied()
                    .filter(|&c| c != i)
                    .min_by_key(|&c| self.stamp[c]);
                match victim {
                    Some(v) => self.drop_row(v),
                    None => break,
                }
            }
            if have == 0 {
                self.cached.push(i);
            }
            self.data[i].resize(len, 0.0);
            self.used += extra;
        }
        (&mut self.data[i], have)
    }

    /// Kernel entries requested so far, and how many of them were already
    /// in the cache.
    pub(crate) fn stats(&self) -> (u64, u64) {
        (self.requested, self.reused)
    }

    /// The first `len` entries of two rows already made available by [`Self::row`].
    pub(crate) fn pair(&self, i: usize, j: usize, len: usize) -> (&[f64], &[f64]) {
        (&self.data[i][..len], &self.data[j][..len])
    }

    /// Swaps positions `i` and `j` (libsvm's `Cache::swap_index`): rows trade
    /// places, and cached rows covering only one of the two are dropped.
    pub(crate) fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        self.data.swap(i, j);
        self.stamp.swap(i, j);
        for c in self.cached.iter_mut() {
            if *c == i {
                *c = j;
            } else if *c == j {
                *c = i;
            }
        }
        let mut k = 0;
        while k < self.cached.len() {
            let h = self.cached[k];
            let len = self.data[h].len();
            if len > i {
                if len > j {
                    self.data[h].swap(i, j);
                } else {
                    self.drop_row(h);
                    continue;
                }
            }
            k += 1;
        }
    }
}
