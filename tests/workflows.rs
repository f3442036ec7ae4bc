//! The umbrella's integration tests in one binary (each test binary links
//! the whole workspace; one link instead of three keeps the README's test
//! command quick on a fresh clone).

#[path = "workflows/attia_replay.rs"]
mod attia_replay;
#[path = "workflows/chen_early_life.rs"]
mod chen_early_life;
#[path = "workflows/cross_validate.rs"]
mod cross_validate;
#[path = "workflows/eis_capacity.rs"]
mod eis_capacity;
#[path = "workflows/physics_fusion.rs"]
mod physics_fusion;
#[path = "workflows/severson_discharge_cv.rs"]
mod severson_discharge_cv;
#[path = "workflows/transfer.rs"]
mod transfer;
