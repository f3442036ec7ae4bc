//! Sequential minimal optimisation for the SVM duals, after libsvm's `Solver`
//! (Chang & Lin 2011): second-order working-set selection (Fan, Chen & Lin
//! 2005), shrinking with gradient reconstruction, and libsvm's stopping rule
//! `max violation ≤ tol`.
//!
//! Solves  min ½ αᵀQα + pᵀα  s.t.  yᵀα = Δ,  0 ≤ α_i ≤ C_i.

// Index loops mirror libsvm line by line, which keeps the port auditable.
#![allow(clippy::needless_range_loop)]

use super::qmatrix::QMatrix;
use voltai_core::{Error, Progress, ProgressFn, Result};

const TAU: f64 = 1e-12;

/// Options shared by every SMO-trained model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SmoOptions {
    /// Stopping tolerance on the maximal KKT violation (libsvm `-e`, default 1e-3).
    pub tol: f64,
    /// Temporarily remove bounded variables from the active set (libsvm `-h`, default on).
    pub shrinking: bool,
    /// Kernel-row cache budget in MiB (libsvm `-m`, default 200).
    pub cache_mb: f64,
    /// Iteration cap; `None` = max(10⁷, 100·l) as libsvm.
    pub max_iter: Option<usize>,
}

impl Default for SmoOptions {
    fn default() -> Self {
        SmoOptions {
            tol: 1e-3,
            shrinking: true,
            cache_mb: 200.0,
            max_iter: None,
        }
    }
}

impl SmoOptions {
    /// Validates the options.
    pub fn check(&self) -> Result<()> {
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::invalid_parameter("tol", self.tol, "(0, inf)"));
        }
        if !(self.cache_mb.is_finite() && self.cache_mb > 0.0) {
            return Err(Error::invalid_parameter(
                "cache_mb",
                self.cache_mb,
                "(0, inf)",
            ));
        }
        Ok(())
    }

    pub(crate) fn cache_bytes(&self) -> usize {
        (self.cache_mb * 1024.0 * 1024.0) as usize
    }
}

/// What the solver returns, in the caller's original variable order.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub alpha: Vec<f64>,
    pub rho: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Share of the kernel entries the solver asked for that the row cache
    /// already held.
    pub cache_hit_rate: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Lower,
    Upper,
    Free,
}

struct Solver<'q, Q: QMatrix> {
    q: &'q mut Q,
    l: usize,
    active_size: usize,
    y: Vec<f64>,
    g: Vec<f64>,
    g_bar: Vec<f64>,
    alpha: Vec<f64>,
    status: Vec<Status>,
    p: Vec<f64>,
    c: Vec<f64>,
    /// Q_ii, mirrored here so it can be read while a Q row is borrowed.
    qd: Vec<f64>,
    active_set: Vec<usize>,
    tol: f64,
    unshrink: bool,
}

impl<Q: QMatrix> Solver<'_, Q> {
    fn update_status(&mut self, i: usize) {
        self.status[i] = if self.alpha[i] >= self.c[i] {
            Status::Upper
        } else if self.alpha[i] <= 0.0 {
            Status::Lower
        } else {
            Status::Free
        };
    }
    fn upper(&self, i: usize) -> bool {
        self.status[i] == Status::Upper
    }
    fn lower(&self, i: usize) -> bool {
        self.status[i] == Status::Lower
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.q.swap_index(i, j);
        self.y.swap(i, j);
        self.g.swap(i, j);
        self.status.swap(i, j);
        self.alpha.swap(i, j);
        self.p.swap(i, j);
        self.active_set.swap(i, j);
        self.g_bar.swap(i, j);
        self.c.swap(i, j);
        self.qd.swap(i, j);
    }

    fn reconstruct_gradient(&mut self) {
        let (a, l) = (self.active_size, self.l);
        if a == l {
            return;
        }
        for j in a..l {
            self.g[j] = self.g_bar[j] + self.p[j];
        }
        let nr_free = (0..a).filter(|&j| self.status[j] == Status::Free).count();
        if nr_free * l > 2 * a * (l - a) {
            for i in a..l {
                let qi = self.q.row(i, a).to_vec();
                let mut s = 0.0;
                for j in 0..a {
                    if self.status[j] == Status::Free {
                        s += self.alpha[j] * f64::from(qi[j]);
                    }
                }
                self.g[i] += s;
            }
        } else {
            for i in 0..a {
                if self.status[i] == Status::Free {
                    let ai = self.alpha[i];
                    let qi = self.q.row(i, l);
                    for j in a..l {
                        self.g[j] += ai * f64::from(qi[j]);
                    }
                }
            }
        }
    }

    /// Returns (i, j) or None when optimal within tol; also the violation.
    fn select_working_set(&mut self) -> (Option<(usize, usize)>, f64) {
        let a = self.active_size;
        let mut gmax = f64::NEG_INFINITY;
        let mut gmax2 = f64::NEG_INFINITY;
        let mut gmax_idx = None;
        for t in 0..a {
            if self.y[t] > 0.0 {
                if !self.upper(t) && -self.g[t] >= gmax {
                    gmax = -self.g[t];
                    gmax_idx = Some(t);
                }
            } else if !self.lower(t) && self.g[t] >= gmax {
                gmax = self.g[t];
                gmax_idx = Some(t);
            }
        }
        let Some(i) = gmax_idx else {
            return (None, 0.0);
        };
        let qd_i = self.qd[i];
        let yi = self.y[i];
        let qi = self.q.row(i, a);
        let mut gmin_idx = None;
        let mut obj_diff_min = f64::INFINITY;
        for j in 0..a {
            let qd_j = self.qd[j];
            if self.y[j] > 0.0 {
                if self.status[j] != Status::Lower {
                    let grad_diff = gmax + self.g[j];
                    gmax2 = gmax2.max(self.g[j]);
                    if grad_diff > 0.0 {
                        let quad = qd_i + qd_j - 2.0 * yi * f64::from(qi[j]);
                        let obj = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                        if obj <= obj_diff_min {
                            gmin_idx = Some(j);
                            obj_diff_min = obj;
                        }
                    }
                }
            } else if self.status[j] != Status::Upper {
                let grad_diff = gmax - self.g[j];
                gmax2 = gmax2.max(-self.g[j]);
                if grad_diff > 0.0 {
                    let quad = qd_i + qd_j + 2.0 * yi * f64::from(qi[j]);
                    let obj = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                    if obj <= obj_diff_min {
                        gmin_idx = Some(j);
                        obj_diff_min = obj;
                    }
                }
            }
        }
        let violation = gmax + gmax2;
        match gmin_idx {
            Some(j) if violation >= self.tol => (Some((i, j)), violation),
            _ => (None, violation),
        }
    }

    fn be_shrunk(&self, i: usize, gmax1: f64, gmax2: f64) -> bool {
        if self.upper(i) {
            if self.y[i] > 0.0 {
                -self.g[i] > gmax1
            } else {
                -self.g[i] > gmax2
            }
        } else if self.lower(i) {
            if self.y[i] > 0.0 {
                self.g[i] > gmax2
            } else {
                self.g[i] > gmax1
            }
        } else {
            false
        }
    }

    fn do_shrinking(&mut self) {
        let mut gmax1 = f64::NEG_INFINITY;
        let mut gmax2 = f64::NEG_INFINITY;
        for i in 0..self.active_size {
            if self.y[i] > 0.0 {
                if !self.upper(i) {
                    gmax1 = gmax1.max(-self.g[i]);
                }
                if !self.lower(i) {
                    gmax2 = gmax2.max(self.g[i]);
                }
            } else {
                if !self.upper(i) {
                    gmax2 = gmax2.max(-self.g[i]);
                }
                if !self.lower(i) {
                    gmax1 = gmax1.max(self.g[i]);
                }
            }
        }
        if !self.unshrink && gmax1 + gmax2 <= self.tol * 10.0 {
            self.unshrink = true;
            self.reconstruct_gradient();
            self.active_size = self.l;
        }
        let mut i = 0;
        while i < self.active_size {
            if self.be_shrunk(i, gmax1, gmax2) {
                self.active_size -= 1;
                while self.active_size > i {
                    if !self.be_shrunk(self.active_size, gmax1, gmax2) {
                        self.swap_index(i, self.active_size);
                        break;
                    }
                    self.active_size -= 1;
                }
            }
            i += 1;
        }
    }

    fn calculate_rho(&self) -> f64 {
        let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut nr_free, mut sum_free) = (0usize, 0.0);
        for i in 0..self.active_size {
            let yg = self.y[i] * self.g[i];
            if self.upper(i) {
                if self.y[i] < 0.0 {
                    ub = ub.min(yg)
                } else {
                    lb = lb.max(yg)
                }
            } else if self.lower(i) {
                if self.y[i] > 0.0 {
                    ub = ub.min(yg)
                } else {
                    lb = lb.max(yg)
                }
            } else {
                nr_free += 1;
                sum_free += yg;
            }
        }
        if nr_free > 0 {
            sum_free / nr_free as f64
        } else {
            (ub + lb) / 2.0
        }
    }

    fn take_step(&mut self, i: usize, j: usize) {
        let a = self.active_size;
        let (ci, cj) = (self.c[i], self.c[j]);
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let qij = f64::from(self.q.row(i, a)[j]);
        let (qd_i, qd_j) = (self.qd[i], self.qd[j]);
        let (gi, gj) = (self.g[i], self.g[j]);
        let (mut ai, mut aj) = (old_i, old_j);
        if self.y[i] != self.y[j] {
            let mut quad = qd_i + qd_j + 2.0 * qij;
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (-gi - gj) / quad;
            let diff = ai - aj;
            ai += delta;
            aj += delta;
            if diff > 0.0 {
                if aj < 0.0 {
                    aj = 0.0;
                    ai = diff;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = -diff;
            }
            if diff > ci - cj {
                if ai > ci {
                    ai = ci;
                    aj = ci - diff;
                }
            } else if aj > cj {
                aj = cj;
                ai = cj + diff;
            }
        } else {
            let mut quad = qd_i + qd_j - 2.0 * qij;
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (gi - gj) / quad;
            let sum = ai + aj;
            ai -= delta;
            aj += delta;
            if sum > ci {
                if ai > ci {
                    ai = ci;
                    aj = sum - ci;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > cj {
                if aj > cj {
                    aj = cj;
                    ai = sum - cj;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
        }
        let (new_i, new_j) = (ai, aj);
        self.alpha[i] = new_i;
        self.alpha[j] = new_j;
        let (dai, daj) = (new_i - old_i, new_j - old_j);
        // Gradient update over the active set: needs rows i and j together.
        let (qi, qj) = self.q.rows2(i, j, a);
        for k in 0..a {
            self.g[k] += f64::from(qi[k]) * dai + f64::from(qj[k]) * daj;
        }
        let (ui, uj) = (self.upper(i), self.upper(j));
        self.update_status(i);
        self.update_status(j);
        let l = self.l;
        for (idx, was_upper, c) in [(i, ui, ci), (j, uj, cj)] {
            if was_upper != self.upper(idx) {
                let q = self.q.row(idx, l);
                let s = if was_upper { -c } else { c };
                for k in 0..l {
                    self.g_bar[k] += s * f64::from(q[k]);
                }
            }
        }
    }
}

/// Runs SMO. `y` are ±1 labels of the dual's equality constraint, `c` the
/// per-variable upper bounds, `alpha0` a feasible start.
///
/// When rayon's current pool has two or more threads, a helper thread
/// computes half of every new kernel row for the length of the solve
/// (`helper.rs` says why not rayon itself); the answer is the same either way.
pub(crate) fn solve<Q: QMatrix>(
    q: &mut Q,
    p: Vec<f64>,
    y: Vec<f64>,
    c: Vec<f64>,
    alpha0: Vec<f64>,
    opts: &SmoOptions,
    progress: &mut ProgressFn<'_>,
) -> Solution {
    if rayon::current_num_threads() < 2 {
        return solve_here(q, p, y, c, alpha0, opts, progress);
    }
    /// Ends the helper when the solve ends, also by a panic: the scope
    /// waits for the helper, which waits for work until its queue closes.
    struct Detach<'q, Q: QMatrix>(&'q mut Q);
    impl<Q: QMatrix> Drop for Detach<'_, Q> {
        fn drop(&mut self) {
            self.0.detach_helper();
        }
    }
    std::thread::scope(|scope| {
        q.attach_helper(scope);
        let q = Detach(q);
        solve_here(q.0, p, y, c, alpha0, opts, progress)
    })
}

fn solve_here<Q: QMatrix>(
    q: &mut Q,
    p: Vec<f64>,
    y: Vec<f64>,
    c: Vec<f64>,
    alpha0: Vec<f64>,
    opts: &SmoOptions,
    progress: &mut ProgressFn<'_>,
) -> Solution {
    let l = q.len();
    let qd = (0..l).map(|i| q.qd(i)).collect();
    let mut s = Solver {
        q,
        l,
        active_size: l,
        y,
        g: p.clone(),
        g_bar: vec![0.0; l],
        alpha: alpha0,
        status: vec![Status::Lower; l],
        p,
        c,
        qd,
        active_set: (0..l).collect(),
        tol: opts.tol,
        unshrink: false,
    };
    for i in 0..l {
        s.update_status(i);
    }
    for i in 0..l {
        if !s.lower(i) {
            let ai = s.alpha[i];
            let ci = s.c[i];
            let up = s.upper(i);
            let qi = s.q.row(i, l);
            for j in 0..l {
                s.g[j] += ai * f64::from(qi[j]);
            }
            if up {
                for j in 0..l {
                    s.g_bar[j] += ci * f64::from(qi[j]);
                }
            }
        }
    }
    let max_iter = opts
        .max_iter
        .unwrap_or_else(|| 10_000_000usize.max(100usize.saturating_mul(l)));
    let mut counter = l.min(1000) + 1;
    let mut iter = 0;
    let mut converged = false;
    let mut violation = f64::INFINITY;
    while iter < max_iter {
        counter -= 1;
        if counter == 0 {
            counter = l.min(1000);
            if opts.shrinking {
                s.do_shrinking();
            }
            // Reported every 1000 iterations: the maximal KKT violation
            // (the solve stops when it is ≤ tol) and the active-set size.
            progress(
                &Progress::new("smo", iter)
                    .value("violation", violation)
                    .value("active", s.active_size as f64),
            );
        }
        let (ws, v) = s.select_working_set();
        violation = v;
        let (i, j) = match ws {
            Some(w) => w,
            None => {
                s.reconstruct_gradient();
                s.active_size = l;
                let (ws, v) = s.select_working_set();
                violation = v;
                match ws {
                    Some(w) => {
                        counter = 1;
                        w
                    }
                    None => {
                        converged = true;
                        break;
                    }
                }
            }
        };
        iter += 1;
        s.take_step(i, j);
    }
    if !converged && s.active_size < l {
        s.reconstruct_gradient();
        s.active_size = l;
    }
    let rho = s.calculate_rho();
    let mut alpha = vec![0.0; l];
    for i in 0..l {
        alpha[s.active_set[i]] = s.alpha[i];
    }
    let (requested, reused) = s.q.cache_stats();
    Solution {
        alpha,
        rho,
        iterations: iter,
        converged,
        cache_hit_rate: if requested == 0 {
            0.0
        } else {
            reused as f64 / requested as f64
        },
    }
}
