//! The feature query: its SQL, registering a fleet file, and reading the
//! answer back as Rust values.

use std::path::Path;

use datafusion::arrow::array::{Array, Float64Array, StringArray, UInt32Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::TableReference;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SessionContext;
use datafusion::prelude::ParquetReadOptions;
use voltai_battery_data::features::{CellFleetFeatures, FleetFeatureOptions};
use voltai_core::{Error, Result};

use crate::{CYCLE_LIFE, DELTA_Q_VAR, FADE_SLOPE};

/// One cell's features as a query returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetFeatures {
    /// The cell.
    pub cell_id: String,
    /// Least-squares slope of capacity on cycle, Ah per cycle.
    pub fade_slope_ah_per_cycle: f64,
    /// First cycle below the end-of-life fraction; `None` when not reached.
    pub cycle_life: Option<u32>,
    /// ΔQ(V) variance, Ah²; `None` when not computed or a cycle is missing.
    pub delta_q_variance: Option<f64>,
}

impl From<&CellFleetFeatures> for FleetFeatures {
    fn from(f: &CellFleetFeatures) -> Self {
        FleetFeatures {
            cell_id: f.cell_id.clone(),
            fade_slope_ah_per_cycle: f.fade.fade_slope_ah_per_cycle,
            cycle_life: f.fade.cycle_life.cycles(),
            delta_q_variance: f.delta_q_variance,
        }
    }
}

/// The query computing every cell's features from `table` (columns of the
/// time-series schema), one row per cell in cell order.
pub fn features_sql(table: &str, options: &FleetFeatureOptions) -> String {
    let delta_q = match options.get_delta_q_cycles() {
        Some(_) => format!(
            ",\n       {DELTA_Q_VAR}(cycle_index, voltage_v, current_a, discharge_capacity_ah) AS delta_q_variance"
        ),
        None => String::new(),
    };
    // A quoted identifier, as registered by `register_parquet`.
    let table = table.replace('"', "\"\"");
    format!(
        "SELECT cell_id,\n       {FADE_SLOPE}(cycle_index, discharge_capacity_ah) AS fade_slope_ah_per_cycle,\n       {CYCLE_LIFE}(cycle_index, discharge_capacity_ah) AS cycle_life{delta_q}\nFROM \"{table}\"\nGROUP BY cell_id\nORDER BY cell_id"
    )
}

pub(crate) fn df_error(what: &str, e: DataFusionError) -> Error {
    Error::InvalidInput(format!("{what}: {e}"))
}

/// Registers the Parquet file (or directory of files) at `path` as `table`.
pub async fn register_parquet(
    ctx: &SessionContext,
    table: &str,
    path: impl AsRef<Path>,
) -> Result<()> {
    let path = path.as_ref();
    let url = path
        .to_str()
        .ok_or_else(|| Error::InvalidInput(format!("{} is not UTF-8", path.display())))?;
    // Bare: the name is taken as written (no lower-casing, no schema
    // split at a dot), as `features_sql` quotes it.
    ctx.register_parquet(
        TableReference::bare(table),
        url,
        ParquetReadOptions::default(),
    )
    .await
    .map_err(|e| df_error(&format!("registering {}", path.display()), e))
}

/// Runs [`features_sql`] on `table` in `ctx` and reads the answer. The
/// functions compute with the options they were registered with (see
/// [`crate::register`]); `options` here must be the same, and says which
/// columns the query asks for.
pub async fn cell_features(
    ctx: &SessionContext,
    table: &str,
    options: &FleetFeatureOptions,
) -> Result<Vec<FleetFeatures>> {
    let batches = ctx
        .sql(&features_sql(table, options))
        .await
        .map_err(|e| df_error("planning the feature query", e))?
        .collect()
        .await
        .map_err(|e| df_error("running the feature query", e))?;
    let mut out = Vec::new();
    for b in batches {
        let column = |name: &str| {
            b.column_by_name(name)
                .cloned()
                .ok_or_else(|| Error::internal(format!("feature query: no column `{name}`")))
        };
        let ids = cast(&column("cell_id")?, &DataType::Utf8)
            .map_err(|e| Error::InvalidInput(format!("cell_id is not text: {e}")))?;
        let ids = downcast::<StringArray>(&ids, "cell_id")?;
        let slope = column("fade_slope_ah_per_cycle")?;
        let slope = downcast::<Float64Array>(&slope, "fade slope")?;
        let life = column("cycle_life")?;
        let life = downcast::<UInt32Array>(&life, "cycle life")?;
        let dq = match options.get_delta_q_cycles() {
            Some(_) => Some(column("delta_q_variance")?),
            None => None,
        };
        let dq = dq
            .as_ref()
            .map(|a| downcast::<Float64Array>(a, "ΔQ variance"))
            .transpose()?;
        for i in 0..b.num_rows() {
            if ids.is_null(i) {
                return Err(Error::InvalidInput(
                    "the table has rows without a cell id".into(),
                ));
            }
            if slope.is_null(i) {
                return Err(Error::InvalidInput(format!(
                    "cell {}: no discharge capacity in any row",
                    ids.value(i)
                )));
            }
            out.push(FleetFeatures {
                cell_id: ids.value(i).to_string(),
                fade_slope_ah_per_cycle: slope.value(i),
                cycle_life: life.is_valid(i).then(|| life.value(i)),
                delta_q_variance: dq.and_then(|d| d.is_valid(i).then(|| d.value(i))),
            });
        }
    }
    Ok(out)
}

fn downcast<'a, T: 'static>(a: &'a dyn Array, what: &str) -> Result<&'a T> {
    a.as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| Error::internal(format!("feature query: {what} has type {}", a.data_type())))
}
