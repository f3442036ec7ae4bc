//! The Q matrices of the SVM duals: Q_ij = s_i s_j k(x_i, x_j).

use std::thread::Scope;

use super::Qfloat;
use super::cache::RowCache;
use super::helper::{RowHelper, fill_q_entries};
use crate::kernel::Kernel;

/// What the SMO solver needs from a dual's Hessian.
pub(crate) trait QMatrix {
    /// Number of dual variables.
    fn len(&self) -> usize;
    /// Diagonal Q_ii.
    fn qd(&self, i: usize) -> f64;
    /// Entries `0..len` of row `i`.
    fn row(&mut self, i: usize, len: usize) -> &[Qfloat];
    /// Rows `i` and `j` together (both `0..len`), without copying.
    fn rows2(&mut self, i: usize, j: usize, len: usize) -> (&[Qfloat], &[Qfloat]);
    /// Swaps dual variables `i` and `j` (shrinking moves inactive ones to the end).
    fn swap_index(&mut self, i: usize, j: usize);
    /// Kernel entries requested from the cache so far, and how many were
    /// already there.
    fn cache_stats(&self) -> (u64, u64);
    /// Starts a helper thread in `scope` that computes half of each new
    /// kernel row (see `helper.rs`).
    fn attach_helper<'scope, 'env>(&mut self, scope: &'scope Scope<'scope, 'env>)
    where
        Self: 'env;
    /// Ends the helper thread, so that the scope can close.
    fn detach_helper(&mut self);
}

/// Rows shorter than this are computed by the solver's thread alone: the
/// hand-off costs about as much as a few hundred entries.
const SPLIT_BELOW: usize = 1024;

/// Q for C-SVC (signs = labels ±1) and one-class SVM (signs = 1), with the
/// training rows physically permuted alongside the solver's positions.
pub(crate) struct KernelQ<'k, K: Kernel> {
    kernel: &'k K,
    x: Vec<f64>,
    d: usize,
    sign: Vec<f64>,
    qd: Vec<f64>,
    cache: RowCache,
    helper: Option<RowHelper>,
    /// Kernel values of the row being computed, before rounding.
    scratch: Vec<f64>,
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
            helper: None,
            scratch: Vec::new(),
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
    fn row(&mut self, i: usize, len: usize) -> &[Qfloat] {
        let KernelQ {
            kernel,
            x,
            d,
            sign,
            cache,
            helper,
            scratch,
            ..
        } = self;
        let (row, start) = cache.row(i, len);
        if start < len {
            let todo = &mut row[start..len];
            let mid = todo.len() / 2;
            let split = match helper {
                Some(h) if todo.len() >= SPLIT_BELOW => h.start_row(i, start + mid, len),
                _ => false,
            };
            if split {
                let (front, back) = todo.split_at_mut(mid);
                fill_q_entries(*kernel, x, *d, sign, i, start, scratch, front);
                let received = helper.as_mut().is_some_and(|h| h.finish_row(back));
                if !received {
                    fill_q_entries(*kernel, x, *d, sign, i, start + mid, scratch, back);
                }
            } else {
                fill_q_entries(*kernel, x, *d, sign, i, start, scratch, todo);
            }
        }
        &row[..len]
    }
    fn rows2(&mut self, i: usize, j: usize, len: usize) -> (&[Qfloat], &[Qfloat]) {
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
        if let Some(h) = &self.helper {
            h.swap(i, j);
        }
    }
    fn attach_helper<'scope, 'env>(&mut self, scope: &'scope Scope<'scope, 'env>)
    where
        Self: 'env,
    {
        self.helper = Some(RowHelper::spawn(
            scope,
            self.kernel,
            self.x.clone(),
            self.d,
            self.sign.clone(),
        ));
    }
    fn detach_helper(&mut self) {
        self.helper = None;
    }
}

/// Q for ε-SVR: 2l variables (α⁺ then α⁻) over l samples. Kernel rows are
/// cached per *sample* (full length), the 2l-row assembled on request.
pub(crate) struct SvrQ<'k, K: Kernel> {
    inner: KernelQ<'k, K>,
    /// Sample behind each position.
    index: Vec<usize>,
    sign: Vec<f64>,
    buffer: Vec<Qfloat>,
    buffer2: Vec<Qfloat>,
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
    fn row(&mut self, i: usize, len: usize) -> &[Qfloat] {
        let l = self.inner.len();
        let si = self.sign[i];
        let krow = self.inner.row(self.index[i], l);
        for j in 0..len {
            self.buffer[j] = (si * self.sign[j]) as Qfloat * krow[self.index[j]];
        }
        &self.buffer[..len]
    }
    fn rows2(&mut self, i: usize, j: usize, len: usize) -> (&[Qfloat], &[Qfloat]) {
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
    fn attach_helper<'scope, 'env>(&mut self, scope: &'scope Scope<'scope, 'env>)
    where
        Self: 'env,
    {
        self.inner.attach_helper(scope);
    }
    fn detach_helper(&mut self) {
        self.inner.detach_helper();
    }
}
