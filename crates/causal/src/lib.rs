//! # voltai-causal
//!
//! Causal questions of battery data — "what is the effect of C-rate on life?"
//! — answered in three steps:
//!
//! 1. write the assumptions as a [`CausalGraph`] (in code, or parsed from DOT
//!    or dagitty text; cycles, self-loops and unknown names are errors);
//! 2. ask whether and how the effect is identifiable: d-separation,
//!    [all minimal adjustment sets](CausalGraph::minimal_adjustment_sets), the
//!    front-door criterion, instruments, and the independences the graph implies;
//! 3. estimate it from data ([`Estimator`]: regression adjustment,
//!    stratification, IPW, AIPW) with bootstrap intervals, refute it, and test
//!    the graph's implied independences against the data.
//!
//! ```
//! use voltai_causal::CausalGraph;
//!
//! let g = CausalGraph::from_edges(
//!     &["temperature", "material", "c_rate", "life"],
//!     &[("temperature", "c_rate"), ("material", "c_rate"), ("temperature", "life"),
//!       ("material", "life"), ("c_rate", "life")],
//! )?;
//! assert_eq!(g.minimal_adjustment_sets("c_rate", "life")?, vec![vec!["material", "temperature"]]);
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

mod estimate;
mod graph;
mod identify;
mod ols;
mod parse;
mod queries;

pub use estimate::{
    Estimate, Estimator, IndependenceTest, Method, Refutation, Subsets, test_implied_independences,
};
pub use graph::CausalGraph;
pub use queries::Independence;
