//! The integration tests of voltai-gp, one module per topic, in one test
//! binary: one link of the crate and its dependencies instead of one per file.

mod common;
mod contract;
mod models;
mod multifidelity;
mod parity_sklearn;
