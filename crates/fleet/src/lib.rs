//! Fleet-scale battery features as Apache DataFusion aggregate functions.
//!
//! The per-cell features of [`voltai_battery_data::features::fleet`] —
//! fade slope, cycle life, ΔQ(V) variance — registered with a DataFusion
//! [`SessionContext`] as SQL aggregate functions, so a fleet's time series
//! (Parquet written by `ParquetTableWriter`, or any table with the same
//! columns) is featurised by a query:
//!
//! ```sql
//! SELECT cell_id,
//!        voltai_fade_slope(cycle_index, discharge_capacity_ah),
//!        voltai_cycle_life(cycle_index, discharge_capacity_ah),
//!        voltai_delta_q_var(cycle_index, voltage_v, current_a, discharge_capacity_ah)
//! FROM fleet GROUP BY cell_id
//! ```
//!
//! Each function's state is the library's own accumulator, merged exactly
//! across partitions, so the query gives the features the in-process
//! streaming scan ([`voltai_battery_data::fleet::scan_features`]) gives,
//! to the last bit. With the `ballista` feature the same query runs
//! unchanged on a Ballista cluster ([`ballista_standalone`] starts one in
//! process).
//!
//! ```
//! use voltai_battery_data::features::FleetFeatureOptions;
//! use voltai_battery_data::fleet::{SyntheticFleet, scan_features};
//! use voltai_fleet::{FleetFeatures, cell_features, local_context};
//!
//! let path = std::env::temp_dir().join(format!("voltai_fleet_lib_{}.parquet", std::process::id()));
//! SyntheticFleet::new(4, 120, 12)?.write(&path, &mut voltai_core::progress::silent)?;
//! let options = FleetFeatureOptions::default();
//! let rt = tokio::runtime::Runtime::new().map_err(|e| voltai_core::Error::io(&path, e))?;
//! let from_sql = rt.block_on(async {
//!     let ctx = local_context(2, &options);
//!     voltai_fleet::register_parquet(&ctx, "fleet", &path).await?;
//!     cell_features(&ctx, "fleet", &options).await
//! })?;
//! let in_process: Vec<FleetFeatures> =
//!     scan_features(&path, &options)?.iter().map(FleetFeatures::from).collect();
//! assert_eq!(from_sql, in_process);
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), voltai_core::Error>(())
//! ```
#![deny(missing_docs)]

mod columns;
mod delta_q;
mod fade;
mod query;

#[cfg(feature = "ballista")]
mod cluster;

pub use query::{FleetFeatures, cell_features, features_sql, register_parquet};

#[cfg(feature = "ballista")]
pub use cluster::ballista_standalone;

use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::SessionConfig;
use voltai_battery_data::features::FleetFeatureOptions;

/// SQL name of the fade-slope function (Ah per cycle).
pub const FADE_SLOPE: &str = "voltai_fade_slope";
/// SQL name of the cycle-life function (NULL when not reached).
pub const CYCLE_LIFE: &str = "voltai_cycle_life";
/// SQL name of the ΔQ(V)-variance function (Ah²; NULL when a cycle is
/// missing).
pub const DELTA_Q_VAR: &str = "voltai_delta_q_var";

/// The aggregate functions for `options`: fade slope and cycle life, and
/// ΔQ(V) variance when the options compute it.
pub fn udafs(options: &FleetFeatureOptions) -> Vec<AggregateUDF> {
    let mut out = vec![
        AggregateUDF::from(fade::FadeUdaf::new(
            fade::FadeOutput::Slope,
            options.get_eol_fraction(),
        )),
        AggregateUDF::from(fade::FadeUdaf::new(
            fade::FadeOutput::Life,
            options.get_eol_fraction(),
        )),
    ];
    if let Some((early, late)) = options.get_delta_q_cycles() {
        out.push(AggregateUDF::from(delta_q::DeltaQUdaf::new(
            early,
            late,
            options.get_bins(),
        )));
    }
    out
}

/// Registers [`udafs`] with `ctx`.
pub fn register(ctx: &SessionContext, options: &FleetFeatureOptions) {
    for f in udafs(options) {
        ctx.register_udaf(f);
    }
}

/// A local DataFusion context running queries on `partitions` partitions
/// (0: one per core), with the functions registered.
pub fn local_context(partitions: usize, options: &FleetFeatureOptions) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    register(&ctx, options);
    ctx
}
