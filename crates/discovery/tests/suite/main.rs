//! The integration tests of voltai-discovery, one module per topic, in one test
//! binary: one link of the crate and its dependencies instead of one per file.

mod bo_api;
mod bo_benchmarks;
mod bo_pareto;
mod bo_safe;
mod contract;
mod parity_sklearn;
mod sindy_battery;
mod sindy_lorenz;
mod sindy_parts;
