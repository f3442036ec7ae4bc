//! A second thread that computes the back half of each uncached kernel row
//! while the solver's thread computes the front half.
//!
//! Why not rayon: an SMO iteration needs at most two new rows, tens of
//! microseconds of work each, separated by serial working-set selection and
//! gradient updates. Rayon's idle workers fall asleep within that gap, so
//! every row paid a sleep and a wake-up on both sides, and a 20 000-point
//! fit ran no faster on two threads than on one. This helper lives for one
//! solve, keeps its own copy of the (permuted) training rows, and waits for
//! work by spinning, then yielding, and only after a long pause by blocking.
//!
//! Each entry is computed by [`fill_q_entries`] whichever thread runs it, so
//! the answer does not depend on the split.

use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::{self, Scope};
use std::time::{Duration, Instant};

use super::Qfloat;
use crate::kernel::Kernel;

/// How long a waiting thread keeps polling before it blocks: longer than
/// the serial part of an iteration, short enough not to burn a core once
/// the solve has moved on.
const PATIENCE: Duration = Duration::from_millis(2);

/// Polls spent in a tight spin before polls start yielding the core.
const TIGHT_SPINS: u32 = 512;

/// Entries `first..first + out.len()` of row `i` of Q (Q_ij = s_i s_j k(x_i, x_j)),
/// with `x` row-major and `d` values per row. The kernel values are computed
/// in `f64` (in `scratch`) and rounded once when stored, as libsvm does.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fill_q_entries<K: Kernel>(
    kernel: &K,
    x: &[f64],
    d: usize,
    sign: &[f64],
    i: usize,
    first: usize,
    scratch: &mut Vec<f64>,
    out: &mut [Qfloat],
) {
    let n = out.len();
    scratch.clear();
    scratch.resize(n, 0.0);
    let a = &x[i * d..(i + 1) * d];
    kernel.eval_row(a, &x[first * d..(first + n) * d], scratch);
    if (first..first + n).contains(&i) {
        scratch[i - first] = kernel.eval_same(a);
    }
    let si = sign[i];
    for (k, (o, v)) in out.iter_mut().zip(scratch.iter()).enumerate() {
        *o = (v * si * sign[first + k]) as Qfloat;
    }
}

/// Work for the helper, in the order the solver issues it.
enum Job {
    /// Entries `first..first + buffer.len()` of row `i`, into `buffer`.
    Row {
        i: usize,
        first: usize,
        buffer: Vec<Qfloat>,
    },
    /// Shrinking swapped positions `i` and `j`.
    Swap(usize, usize),
}

/// The solver's side of the helper thread. Dropping it ends the thread.
pub(crate) struct RowHelper {
    jobs: Sender<Job>,
    done: Receiver<Vec<Qfloat>>,
    /// The buffer of the last finished row, reused for the next one.
    spare: Vec<Qfloat>,
}

impl RowHelper {
    /// Starts the helper inside `scope` with its own copy of the rows and
    /// signs (the solver permutes both while shrinking; [`Self::swap`]
    /// keeps the copy in step).
    pub(crate) fn spawn<'scope, 'env, K: Kernel>(
        scope: &'scope Scope<'scope, 'env>,
        kernel: &'env K,
        mut x: Vec<f64>,
        d: usize,
        mut sign: Vec<f64>,
    ) -> Self {
        let (jobs, job_queue) = mpsc::channel::<Job>();
        let (done_sender, done) = mpsc::channel::<Vec<Qfloat>>();
        scope.spawn(move || {
            let mut scratch = Vec::new();
            while let Some(job) = wait(&job_queue) {
                match job {
                    Job::Swap(i, j) => {
                        sign.swap(i, j);
                        for k in 0..d {
                            x.swap(i * d + k, j * d + k);
                        }
                    }
                    Job::Row {
                        i,
                        first,
                        mut buffer,
                    } => {
                        fill_q_entries(kernel, &x, d, &sign, i, first, &mut scratch, &mut buffer);
                        if done_sender.send(buffer).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        RowHelper {
            jobs,
            done,
            spare: Vec::new(),
        }
    }

    /// Asks for entries `first..end` of row `i`; false if the helper is gone.
    pub(crate) fn start_row(&mut self, i: usize, first: usize, end: usize) -> bool {
        let mut buffer = std::mem::take(&mut self.spare);
        buffer.clear();
        buffer.resize(end - first, 0.0);
        self.jobs.send(Job::Row { i, first, buffer }).is_ok()
    }

    /// Waits for the row started last and copies it into `out`; false if
    /// the helper is gone (the caller then computes those entries itself).
    pub(crate) fn finish_row(&mut self, out: &mut [Qfloat]) -> bool {
        match wait(&self.done) {
            Some(buffer) if buffer.len() == out.len() => {
                out.copy_from_slice(&buffer);
                self.spare = buffer;
                true
            }
            _ => false,
        }
    }

    /// Mirrors the solver's swap of positions `i` and `j`.
    pub(crate) fn swap(&self, i: usize, j: usize) {
        // A helper that is gone gets no more rows either (`start_row`
        // reports it), so a lost swap cannot leave it out of step.
        let _ = self.jobs.send(Job::Swap(i, j));
    }
}

/// The next message, or `None` once the other side hung up.
fn wait<T>(queue: &Receiver<T>) -> Option<T> {
    let since = Instant::now();
    let mut polls = 0u32;
    loop {
        match queue.try_recv() {
            Ok(message) => return Some(message),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        polls = polls.saturating_add(1);
        if polls < TIGHT_SPINS {
            std::hint::spin_loop();
        } else if since.elapsed() < PATIENCE {
            thread::yield_now();
        } else {
            return queue.recv().ok();
        }
    }
}
