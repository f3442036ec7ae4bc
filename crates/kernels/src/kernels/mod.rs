//! The built-in kernels.

mod combinators;
mod dot_product;
mod noise;
mod stationary;

pub use combinators::{OnColumns, Precomputed, Product, Scaled, Sum};
pub use dot_product::{Linear, Polynomial};
pub use noise::{Constant, White};
pub use stationary::{Laplacian, Matern, MaternNu, Periodic, RationalQuadratic, Rbf};
