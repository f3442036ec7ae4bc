//! The integration tests of voltai-kernels, one module per topic, in one test
//! binary: one link of the crate and its dependencies instead of one per file.

mod cka_mkl;
mod common;
mod contract;
mod kernel_functions;
mod parity_sklearn;
mod svm_behaviour;
