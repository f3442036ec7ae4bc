//! `voltai_fade_slope(cycle_index, discharge_capacity_ah)` and
//! `voltai_cycle_life(cycle_index, discharge_capacity_ah)`: per-cell fade
//! features from raw time-series rows (or from per-cycle capacities, which
//! give the same answer), through [`CapacityByCycle`].

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, GroupsAccumulator, Signature, Volatility,
};
use voltai_battery_data::features::CapacityByCycle;

use crate::columns::{
    coerce, external, f64_list, f64s, groups_adapter, list_of, lists, row, u32_list, u32s,
};

const ARGS: [&str; 2] = ["cycle_index", "discharge_capacity_ah"];

/// Which fade feature a function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FadeOutput {
    /// Least-squares slope of capacity on cycle, Ah per cycle (`Float64`).
    Slope,
    /// First cycle below the end-of-life fraction of the first capacity
    /// (`UInt32`, NULL when the cell has not reached it).
    Life,
}

/// The aggregate function behind both fade features.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FadeUdaf {
    output: FadeOutput,
    /// The end-of-life fraction's bits (an `f64` has no `Eq`/`Hash`).
    eol_fraction_bits: u64,
    signature: Signature,
}

impl FadeUdaf {
    pub(crate) fn new(output: FadeOutput, eol_fraction: f64) -> Self {
        FadeUdaf {
            output,
            eol_fraction_bits: eol_fraction.to_bits(),
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn accumulator_box(&self) -> FadeAccumulator {
        FadeAccumulator {
            output: self.output,
            eol_fraction: f64::from_bits(self.eol_fraction_bits),
            capacity: CapacityByCycle::default(),
        }
    }
}

impl AggregateUDFImpl for FadeUdaf {
    fn name(&self) -> &str {
        match self.output {
            FadeOutput::Slope => crate::FADE_SLOPE,
            FadeOutput::Life => crate::CYCLE_LIFE,
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce(self.name(), &ARGS, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.output {
            FadeOutput::Slope => DataType::Float64,
            FadeOutput::Life => DataType::UInt32,
        })
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(self.accumulator_box()))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[cycles]", args.name),
                list_of(DataType::UInt32),
                true,
            )),
            Arc::new(Field::new(
                format!("{}[capacity]", args.name),
                list_of(DataType::Float64),
                true,
            )),
        ])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let udaf = self.clone();
        Ok(groups_adapter(move || Ok(udaf.accumulator_box())))
    }
}

#[derive(Debug)]
struct FadeAccumulator {
    output: FadeOutput,
    eol_fraction: f64,
    capacity: CapacityByCycle,
}

impl Accumulator for FadeAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [cycle, q] = values else {
            return Err(crate::columns::internal(format!(
                "fade: {} argument columns",
                values.len()
            )));
        };
        let (cycle, q) = (
            u32s(cycle, "cycle_index")?,
            f64s(q, "discharge_capacity_ah")?,
        );
        if cycle.null_count() == 0 && q.null_count() == 0 {
            return self
                .capacity
                .extend(cycle.values(), q.values())
                .map_err(external);
        }
        for i in 0..q.len() {
            // A row without a cycle or a capacity says nothing about fade.
            if cycle.is_valid(i) && q.is_valid(i) {
                self.capacity
                    .push(cycle.value(i), q.value(i))
                    .map_err(external)?;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.capacity.is_empty() {
            return Ok(match self.output {
                FadeOutput::Slope => ScalarValue::Float64(None),
                FadeOutput::Life => ScalarValue::UInt32(None),
            });
        }
        let fade = self.capacity.fade(self.eol_fraction).map_err(external)?;
        Ok(match self.output {
            FadeOutput::Slope => ScalarValue::Float64(Some(fade.fade_slope_ah_per_cycle)),
            FadeOutput::Life => ScalarValue::UInt32(fade.cycle_life.cycles()),
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.capacity.len() * 40
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let per_cycle = self.capacity.per_cycle();
        Ok(vec![
            u32_list(per_cycle.iter().map(|p| p.0)),
            f64_list(per_cycle.iter().map(|p| p.1)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [cycles, capacity] = states else {
            return Err(crate::columns::internal(format!(
                "fade: {} state columns",
                states.len()
            )));
        };
        let (cycles, capacity) = (lists(cycles, "cycles")?, lists(capacity, "capacity")?);
        for i in 0..cycles.len() {
            if cycles.is_null(i) || capacity.is_null(i) {
                continue;
            }
            let (c, q) = (row(cycles, i), row(capacity, i));
            let (c, q) = (u32s(&c, "cycles")?, f64s(&q, "capacity")?);
            if c.len() != q.len() {
                return Err(crate::columns::internal(format!(
                    "fade state: {} cycles, {} capacities",
                    c.len(),
                    q.len()
                )));
            }
            if c.null_count() + q.null_count() > 0 {
                return Err(crate::columns::internal("fade state with nulls".into()));
            }
            self.capacity
                .extend(c.values(), q.values())
                .map_err(external)?;
        }
        Ok(())
    }
}
