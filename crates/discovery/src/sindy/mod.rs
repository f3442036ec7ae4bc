//! SINDy — sparse identification of nonlinear dynamics (Brunton, Proctor &
//! Kutz 2016), with the parts of PySINDy swappable: a [library](FeatureLibrary)
//! of candidate terms, a [differentiator](Differentiator) and a
//! [sparse optimiser](SparseOptimizer). Control inputs (SINDYc) enter the
//! library beside the states, so a current profile can drive a battery model.
//!
//! ```
//! use ndarray::{Array1, Array2};
//! use voltai_discovery::sindy::{SindyParams, Times, Trajectory};
//! use voltai_core::Fit;
//!
//! // x' = -2x sampled exactly: SINDy finds the one term.
//! let dt = 0.01;
//! let x = Array2::from_shape_fn((300, 1), |(i, _)| (-2.0 * i as f64 * dt).exp());
//! let model = SindyParams::new()
//!     .state_names(&["x"])?
//!     .fit(&[Trajectory::new(x, Times::uniform(dt)?)?])?;
//! assert_eq!(model.active_terms(), vec![("x".to_string(), "x".to_string())]);
//! assert!((model.coefficient("x", "x")? + 2.0).abs() < 1e-3);
//! # Ok::<(), voltai_core::Error>(())
//! ```

mod data;
pub mod differentiate;
mod integrate;
pub mod library;
mod model;
pub mod optimize;
mod spec;
pub mod systems;

pub use data::{Times, Trajectory, interpolate_rows};
pub use differentiate::{
    Differentiator, FiniteDifference, SavitzkyGolay, SmoothedFiniteDifference, TotalVariation,
};
pub use integrate::{IntegrationOptions, integrate};
pub use library::{
    ConcatLibrary, CustomLibrary, FeatureLibrary, FourierLibrary, OnInputs, PolynomialLibrary,
    TensorLibrary,
};
pub use model::{SindyModel, SindyParams, sample_times};
pub use optimize::{
    Aggregate, EnsembleOptimizer, Regularizer, SparseFit, SparseOptimizer, Sr3, Stlsq,
};
pub use spec::{DifferentiatorSpec, LibrarySpec};
