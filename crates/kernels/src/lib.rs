//! # voltai-kernels
//!
//! Kernel methods for battery data:
//!
//! - the [`Kernel`] trait (evaluation, parallel Gram matrices, diagonal, and
//!   gradients with respect to log-hyperparameters, used by `voltai-gp`) and the
//!   [built-in kernels](kernels): linear, polynomial, RBF (shared or ARD
//!   length-scales), Laplacian, Matérn ½ / 3⁄2 / 5⁄2, rational quadratic,
//!   periodic, constant, white noise, sums, products, scaling, column
//!   selection and precomputed matrices;
//! - an SMO solver of libsvm grade (second-order working-set selection,
//!   shrinking, an LRU kernel-row cache with a memory limit) behind
//!   [`SvcParams`] (C-SVC with class weights, Platt probabilities, one-vs-one),
//!   [`OneClassSvmParams`] (ν one-class) and [`SvrParams`] (ε-SVR);
//! - [multiple kernel learning](mkl) (SimpleMKL, ALIGNF, uniform) and
//!   [centred kernel alignment](cka) (linear / RBF, biased / debiased).
//!
//! ```
//! use ndarray::array;
//! use voltai_core::{Classifier, Dataset, Fit};
//! use voltai_kernels::{ClassWeight, SvcParams, kernels::Rbf};
//!
//! let x = array![[0.0, 0.0], [0.1, 0.2], [1.0, 1.0], [0.9, 1.1], [0.2, 0.1]];
//! let y = array![0.0, 0.0, 1.0, 1.0, 0.0];
//! let model = SvcParams::new(Rbf::from_gamma(1.0)?)
//!     .c(10.0)?
//!     .class_weight(ClassWeight::Balanced)?
//!     .fit(&Dataset::new(x, y)?)?;
//! assert_eq!(model.predict(array![[0.95, 1.0]].view())?[0], 1);
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod cka;
mod kernel;
pub mod kernels;
pub mod mkl;
mod one_class;
pub mod platt;
mod smo;
mod svc;
mod svm_common;
mod svr;

pub use kernel::Kernel;
pub use mkl::{Mkl, MklMethod, MklParams, WeightedSum};
pub use one_class::{OneClassSvm, OneClassSvmParams};
pub use smo::SmoOptions;
pub use svc::{BinaryMachine, ClassWeight, Svc, SvcParams};
pub use svr::{Svr, SvrParams};
