//! Reading argument and state columns: the typed arrays an accumulator
//! needs, with a clear error when the planner handed something else.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, ListArray, UInt32Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, ScalarValue, plan_err};
use datafusion::logical_expr::{Accumulator, GroupsAccumulator};
use datafusion::physical_expr::GroupsAccumulatorAdapter;

/// Argument types after coercion: cycle numbers as `UInt32`, measurements
/// as `Float64`. Anything not numeric is a planning error naming the
/// function and the argument.
pub(crate) fn coerce(function: &str, names: &[&str], given: &[DataType]) -> Result<Vec<DataType>> {
    if given.len() != names.len() {
        return plan_err!(
            "{function} takes {} arguments ({}), got {}",
            names.len(),
            names.join(", "),
            given.len()
        );
    }
    names
        .iter()
        .zip(given)
        .map(|(name, t)| {
            if !(t.is_numeric() || t.is_null()) {
                return plan_err!("{function}: argument `{name}` must be numeric, got {t}");
            }
            Ok(if *name == "cycle_index" {
                DataType::UInt32
            } else {
                DataType::Float64
            })
        })
        .collect()
}

pub(crate) fn u32s<'a>(a: &'a ArrayRef, what: &str) -> Result<&'a UInt32Array> {
    a.as_any()
        .downcast_ref::<UInt32Array>()
        .ok_or_else(|| internal(format!("{what}: expected UInt32, got {}", a.data_type())))
}

pub(crate) fn f64s<'a>(a: &'a ArrayRef, what: &str) -> Result<&'a Float64Array> {
    a.as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| internal(format!("{what}: expected Float64, got {}", a.data_type())))
}

pub(crate) fn lists<'a>(a: &'a ArrayRef, what: &str) -> Result<&'a ListArray> {
    a.as_any()
        .downcast_ref::<ListArray>()
        .ok_or_else(|| internal(format!("{what}: expected a list, got {}", a.data_type())))
}

/// The values of row `i` of a list column, non-null.
pub(crate) fn row(list: &ListArray, i: usize) -> ArrayRef {
    list.value(i)
}

/// A state list of `UInt32`.
pub(crate) fn u32_list(values: impl IntoIterator<Item = u32>) -> ScalarValue {
    let values: Vec<ScalarValue> = values
        .into_iter()
        .map(|v| ScalarValue::UInt32(Some(v)))
        .collect();
    ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::UInt32))
}

/// A state list of `Float64`.
pub(crate) fn f64_list(values: impl IntoIterator<Item = f64>) -> ScalarValue {
    let values: Vec<ScalarValue> = values
        .into_iter()
        .map(|v| ScalarValue::Float64(Some(v)))
        .collect();
    ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Float64))
}

/// The list type of a state field.
pub(crate) fn list_of(t: DataType) -> DataType {
    DataType::List(Arc::new(
        datafusion::arrow::datatypes::Field::new_list_field(t, true),
    ))
}

/// A grouped-query accumulator from a per-group one: DataFusion's adapter
/// keeps one `A` per group.
pub(crate) fn groups_adapter<A: Accumulator + 'static>(
    make: impl Fn() -> Result<A> + Send + 'static,
) -> Box<dyn GroupsAccumulator> {
    Box::new(GroupsAccumulatorAdapter::new(move || {
        Ok(Box::new(make()?) as Box<dyn Accumulator>)
    }))
}

pub(crate) fn internal(message: String) -> DataFusionError {
    DataFusionError::Internal(message)
}

/// A library error, kept whole inside DataFusion's error.
pub(crate) fn external(e: voltai_core::Error) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}
