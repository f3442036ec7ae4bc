//! The SMO solver and the dual Hessians it works on.

mod cache;
mod helper;
mod qmatrix;
mod solver;

pub(crate) use qmatrix::{KernelQ, SvrQ};

/// The type of cached kernel-matrix entries. libsvm stores them as `float`
/// too: half the memory traffic of the gradient update and working-set
/// selection (both memory-bound at 20 000 points) and twice the rows in the
/// same cache budget, for a rounding of 6e-8 relative in Q, far below the
/// solver's tolerance. Gradients, diagonals and duals stay `f64`.
pub(crate) type Qfloat = f32;
pub use solver::SmoOptions;
pub(crate) use solver::solve;
