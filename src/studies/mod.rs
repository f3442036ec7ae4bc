//! The workflows the examples and `quickstart` show, as functions with typed
//! results: the glue between readers and models lives here, not in
//! `examples/`. Each study reads the shared data through
//! `voltai_battery_data::data_dir` and is gated by the features it needs.
//!
//! | study | function | features |
//! | --- | --- | --- |
//! | Severson early-life prediction | [`crate::life::severson::fit_severson_model`] | `life` |
//! | at-risk cells and anomalies from EIS (Zhang 2020) | [`eis::eis_screening`] | `battery-data`, `kernels` |
//! | Bayesian-optimisation replay (Attia 2020) | [`bo_replay::attia_replay`] | `battery-data`, `discovery` |
//! | causal effect of C-rate on retention (Chen) | [`chen::c_rate_effect`] | `battery-data`, `causal` |
//! | equivalent-circuit discovery (SINDYc) | [`ecm::one_rc_sindyc`] | `discovery` |
//! | capacity from EIS, paper protocol and cross-temperature (Zhang 2020) | [`eis_capacity::eis_capacity`] | `battery-data`, `gp` |
//! | physics model + measurements, multi-fidelity (PyBaMM) | [`physics_fusion::run_method`] | `gp` |
//! | transfer LFP → NMC with CKA-guided freezing, learning curve | [`transfer::transfer_study`] | `battery-data`, `neural` |

#[cfg(all(feature = "battery-data", feature = "discovery"))]
pub mod bo_replay;
#[cfg(feature = "battery-data")]
pub mod chen;
#[cfg(feature = "discovery")]
pub mod ecm;
#[cfg(all(feature = "battery-data", feature = "kernels"))]
pub mod eis;
#[cfg(all(feature = "battery-data", feature = "gp"))]
pub mod eis_capacity;
#[cfg(feature = "gp")]
pub mod physics_fusion;
#[cfg(all(feature = "battery-data", feature = "neural"))]
pub mod transfer;
