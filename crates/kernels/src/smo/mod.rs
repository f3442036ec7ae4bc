//! The SMO solver and the dual Hessians it works on.

mod cache;
mod qmatrix;
mod solver;

pub(crate) use qmatrix::{KernelQ, SvrQ};
pub(crate) use solver::solve;
pub use solver::{SmoOptions, SmoProgress};
