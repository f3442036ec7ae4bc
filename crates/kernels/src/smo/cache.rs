//! Kernel-row cache indexed by solver position, with an LRU memory limit.
//!
//! Rows are stored as prefixes (`len` first positions), as in libsvm: after
//! shrinking, only the active prefix of a row is ever needed.

use super::Qfloat;

pub(crate) struct RowCache {
    data: Vec<Vec<Qfloat>>,
    stamp: Vec<u64>,
    /// Positions that currently hold data (for O(cached) scans instead of O(l)).
    cached: Vec<usize>,
    /// Buffers of evicted rows, kept for the next rows: a row is larger than
    /// the allocator's mmap threshold, so freeing and reallocating it cost a
    /// fresh zeroed mapping each time (about a tenth of a 20 000-point fit).
    /// Their capacity is bounded by the budget, since each once held a row.
    spare: Vec<Vec<Qfloat>>,
    /// Position swaps not yet applied inside the cached rows (see
    /// [`Self::swap_index`]), oldest first.
    pending: Vec<(usize, usize)>,
    clock: u64,
    used: usize,
    budget: usize,
    /// Kernel entries requested, and those found already computed.
    requested: u64,
    reused: u64,
}

impl RowCache {
    /// A cache for `l` rows holding at most `budget_bytes` of entries
    /// (never less than two full rows, which the solver needs at once).
    pub(crate) fn new(l: usize, budget_bytes: usize) -> Self {
        RowCache {
            data: vec![Vec::new(); l],
            stamp: vec![0; l],
            cached: Vec::new(),
            spare: Vec::new(),
            pending: Vec::new(),
            clock: 0,
            used: 0,
            budget: (budget_bytes / std::mem::size_of::<Qfloat>()).max(2 * l),
            requested: 0,
            reused: 0,
        }
    }

    fn drop_row(&mut self, i: usize) {
        self.used -= self.data[i].len();
        let mut buffer = std::mem::take(&mut self.data[i]);
        buffer.clear();
        self.spare.push(buffer);
        if let Some(p) = self.cached.iter().position(|&c| c == i) {
            self.cached.swap_remove(p);
        }
    }

    /// Ensures row `i` has at least `len` entries, evicting least-recently used
    /// rows if needed. Returns the row and the first entry still to compute.
    pub(crate) fn row(&mut self, i: usize, len: usize) -> (&mut Vec<Qfloat>, usize) {
        self.apply_pending_swaps();
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
                if let Some(buffer) = self.spare.pop() {
                    self.data[i] = buffer;
                }
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
    pub(crate) fn pair(&self, i: usize, j: usize, len: usize) -> (&[Qfloat], &[Qfloat]) {
        (&self.data[i][..len], &self.data[j][..len])
    }

    /// Swaps positions `i` and `j` (libsvm's `Cache::swap_index`): rows trade
    /// places now; inside every cached row, entries `i` and `j` trade places
    /// (or a row covering only one of the two is dropped) at the next
    /// [`Self::row`].
    ///
    /// Why deferred: shrinking swaps thousands of positions in a burst, and
    /// applying each swap to every cached row at once touches two entries in
    /// each of hundreds of rows per swap, nearly every touch a cache miss.
    /// Applied later row by row, all of a row's swaps hit memory that is
    /// already in cache; the rows end up exactly as with eager swapping.
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
        self.pending.push((i, j));
    }

    /// Applies the deferred swaps to every cached row, in order.
    fn apply_pending_swaps(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut k = 0;
        while k < self.cached.len() {
            let h = self.cached[k];
            let row = &mut self.data[h];
            let len = row.len();
            // A row was cached through every pending swap (rows are only
            // filled by `row`, which applies the swaps first), so each
            // applies to it, oldest first, as eager swapping would have.
            let mut keep = true;
            for &(i, j) in &pending {
                if len > i {
                    if len > j {
                        row.swap(i, j);
                    } else {
                        keep = false;
                        break;
                    }
                }
            }
            if keep {
                k += 1;
            } else {
                self.drop_row(h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entry (p, q) of a matrix whose rows and columns are the original
    /// indices behind positions p and q.
    fn value(orig: &[usize], p: usize, q: usize) -> Qfloat {
        (orig[p] * 100 + orig[q]) as Qfloat
    }

    /// Fills row `p` up to `len` and checks every entry the cache kept.
    fn fetch(cache: &mut RowCache, orig: &[usize], p: usize, len: usize) {
        let (row, have) = cache.row(p, len);
        for (q, v) in row.iter().enumerate().take(have) {
            assert_eq!(*v, value(orig, p, q), "row {p}, entry {q}");
        }
        for (q, v) in row.iter_mut().enumerate().skip(have) {
            *v = value(orig, p, q);
        }
    }

    /// Deferred swaps leave every kept entry where eager swapping would:
    /// rows of several prefix lengths, bursts of swaps between fetches.
    #[test]
    fn deferred_swaps_keep_every_cached_entry_in_place() {
        let l = 12;
        let mut cache = RowCache::new(l, 1 << 20);
        let mut orig: Vec<usize> = (0..l).collect();
        for p in 0..l {
            fetch(&mut cache, &orig, p, 4 + p % 9);
        }
        let mut state = 7usize;
        for round in 0..40 {
            for _ in 0..1 + round % 5 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let (i, j) = ((state >> 33) % l, (state >> 17) % l);
                cache.swap_index(i, j);
                orig.swap(i, j);
            }
            let p = (state >> 40) % l;
            fetch(&mut cache, &orig, p, 1 + (state >> 45) % l);
        }
        for p in 0..l {
            fetch(&mut cache, &orig, p, l);
        }
    }
}
