//! Feature extraction from cycling data, Q(V) curves and impedance spectra.

mod cycling;
mod delta_q;
mod eis;
pub mod fleet;
mod named;
pub mod qv;
mod severson;

pub use cycling::{CycleLife, capacity_at, cycle_life, fade_line, max_minus_at};
pub use delta_q::{DeltaQStats, interpolate_q};
pub use eis::{EisFeatures, eis_features};
pub use fleet::{
    CapacityByCycle, CellAccumulator, CellFleetFeatures, DischargeSamples, FadeFeatures,
    FleetFeatureOptions,
};
pub use named::{
    DeltaQOptions, FeatureSet, NamedFeatures, QdLinear, cell_features, delta_q, features_dataset,
    qdlinear,
};
pub use qv::{QvCurve, voltage_grid};
pub use severson::{
    Mask, SeversonFeatures, severson_dataset, severson_features, validated_severson_features,
};
