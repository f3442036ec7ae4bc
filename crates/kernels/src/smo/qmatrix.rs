//! The Q matrices of the SVM duals: Q_ij = s_i s_j k(x_i, x_j).

use rayon::prelude::*;

use super::cache::RowCache;
use crate::kernel::Kernel;

/// What the SMO solver needs from a dual's Hessian.
pub(crate) trait QMatrix {
    /// Number of dual variables.
    fn len(&self) -> usize;
    /// Diagonal Q_ii.
    fn qd(&self, i: usize) -> f64;
    /// Entries `0..len` of row `i`.
    fn row(&mut self, i: usize, len: usize) -> &[f64];
    /// Rows `i` and `j` together (both `0..len`), without copying.
    fn rows2(&mut self, i: usize, j: usize, len: usize) -> (&[f64], &[f64]);
    /// Swaps dual variables `i` and `j` (shrinking moves inactive ones to the end).
    fn swap_index(&mut self, i: usize, j: usize);
    /// Kernel entries requested from the cache so far, and how many were
    /// already there.
    fn cache_stats(&self) -> (u64, u64);
}

/// Entries computed per rayon task; below this a row is filled serially.
const PAR_CHUNK: usize = 512;

/// Q for C-SVC (signs = labels ±1) and one-class SVM (signs = 1), with the
/// training rows physically permuted alongside the solver's positions.
pub(crate) struct KernelQ<'k, K: Kernel> {
    kernel: &'k K,
    x: Vec<f64>,
    d: usize,
    sign: Vec<f64>,
    qd: Vec<f64>,
    cache: RowCache,
}

impl<'k, K: Kernel> KernelQ<'k, K> {
    /// `x` row-major `l × d`.
    pub(crate) fn new(
        kernel: &'k K,
        x: Vec<f64>,
        d: usize,
        sign: Vec<f64>,
        cache_bytes: usize,
    ) -> Self {
        let l = sign.len();
        let qd = (0..l)
            .map(|i| kernel.eval_same(&x[i * d..(i + 1) * d]))
            .collect();
        KernelQ {
            kernel,
            x,
            d,
            sign,
            qd,
            cache: RowCache::new(l, cache_bytes),
        }
    }
}

impl<K: Kernel> QMatrix for KernelQ<'_, K> {
    fn len(&self) -> usize {
        self.sign.len()
    }
    fn qd(&self, i: usize) -> f64 {
        self.qd[i]
    }
    fn row(&mut self, i: usize, len: usize) -> &[f64] {
        let (kernel, x, d, sign) = (self.kernel, &self.x, self.d, &self.sign);
        let (row, start) = self.cache.row(i, len);
        if start < len {
            let a = &x[i * d..(i + 1) * d];
            let si = sign[i];
            let fill_chunk = |off: usize, out: &mut [f64]| {
                let first = start + off;
                kernel.eval_row(a, &x[first * d..(first + out.len()) * d], out);
                if (first..first + out.len()).contains(&i) {
                    out[i - first] = kernel.eval_same(a);
                }
                for (k, o) in out.iter_mut().enumerate() {
                    *o *= si * sign[first + k];
                }
            };
            let todo = &mut row[start..len];
            if todo.len() > 2 * PAR_CHUNK {
                // One chunk per thread: each extra task is a hand-off that
                // costs about as much as computing a few hundred entries.
                let chunk = todo
                    .len()
                    .div_ceil(rayon::current_num_threads())
                    .next_multiple_of(PAR_CHUNK);
                todo.par_chunks_mut(chunk)
                    .enumerate()
                    .for_each(|(k, out)| fill_chunk(k * chunk, out));
            } else {
                fill_chunk(0, todo);
            }
        }
        &row[..len]
    }
    fn rows2(&mut self, i: usize, j: usize, len: usize) -> (&[f64], &[f64]) {
        // The cache keeps at least two full rows and evicts least-recently used
        // first, so computing row j cannot evict the just-used row i.
        self.row(i, len);
        self.row(j, len);
        self.cache.pair(i, j, len)
    }
    fn cache_stats(&self) -> (u64, u64) {
        self.cache.stats()
    }
    fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        self.cache.swap_index(i, j);
        self.sign.swap(i, j);
        self.qd.swap(i, j);
        for k in 0..self.d {
            self.x.swap(i * self.d + k, j * self.d + k);
        }
    }
}

/// Q for ε-SVR: 2l variables (α⁺ then α⁻) over l samples. Kernel rows are
/// cached per *sample* (full length), the 2l-row assembled on request.
pub(crate) struct SvrQ<'k, K: Kernel> {
    inner: KernelQ<'k, K>,
    /// Sample behind each position.
    index: Vec<usize>,
    sign: Vec<f64>,
    buffer: Vec<f64>,
    buffer2: Vec<f64>,
}

impl<'k, K: Kernel> SvrQ<'k, K> {
    pub(crate) fn new(kernel: &'k K, x: Vec<f64>, d: usize, cache_bytes: usize) -> Self {
        let l = x.len() / d.max(1);
        let inner = KernelQ::new(kernel, x, d, vec![1.0; l], cache_bytes);
        let index = (0..2 * l).map(|k| k % l).collect();
        let sign = (0..2 * l).map(|k| if k < l { 1.0 } else { -1.0 }).collect();
        SvrQ {
            inner,
            index,
            sign,
            buffer: vec![0.0; 2 * l],
            buffer2: vec![0.0; 2 * l],
        }
    }
}

impl<K: Kernel> QMatrix for SvrQ<'_, K> {
    fn len(&self) -> usize {
        self.index.len()
    }
    fn qd(&self, i: usize) -> f64 {
        self.inner.qd[self.index[i]]
    }
    fn row(&mut self, i: usize, len: usize) -> &[f64] {
        let l = self.inner.len();
        let si = self.sign[i];
        let krow = self.inner.row(self.index[i], l);
        for j in 0..len {
            self.buffer[j] = si * self.sign[j] * krow[self.index[j]];
        }
        &self.buffer[..len]
    }
    fn rows2(&mut self, i: usize, j: usize, len: usize) -> (&[f64], &[f64]) {
        self.row(j, len);
        std::mem::swap(&mut self.buffer, &mut self.buffer2);
        self.row(i, len);
        (&self.buffer[..len], &self.buffer2[..len])
    }
    fn swap_index(&mut self, i: usize, j: usize) {
        self.index.swap(i, j);
        self.sign.swap(i, j);
    }
    fn cache_stats(&self) -> (u64, u64) {
        self.inner.cache_stats()
    }
}
