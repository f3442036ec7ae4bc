//! The SMO solver and the dual Hessians it works on.

mod cache;
mod qmatrix;
mod solver;

pub(crate) use qmatrix::{KernelQ, SvrQ};
pub use solver::SmoOptions;
pub(crate) use solver::solve;
