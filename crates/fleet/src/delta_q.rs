//! `voltai_delta_q_var(cycle_index, voltage_v, current_a,
//! discharge_capacity_ah)`: the variance of ΔQ(V) between two cycles
//! (Severson 2019's strongest single feature), through
//! [`DischargeSamples`]. Only the discharge rows of the two cycles are
//! kept, so a group's state is two cycles' rows however long the cell ran.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, GroupsAccumulator, Signature, Volatility,
};
use voltai_battery_data::features::DischargeSamples;
use voltai_battery_data::features::fleet::delta_q_variance;

use crate::columns::{
    coerce, external, f64_list, f64s, groups_adapter, internal, list_of, lists, row, u32_list, u32s,
};

const ARGS: [&str; 4] = [
    "cycle_index",
    "voltage_v",
    "current_a",
    "discharge_capacity_ah",
];

/// The aggregate function.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DeltaQUdaf {
    early: u32,
    late: u32,
    bins: usize,
    signature: Signature,
}

impl DeltaQUdaf {
    pub(crate) fn new(early: u32, late: u32, bins: usize) -> Self {
        DeltaQUdaf {
            early,
            late,
            bins,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn accumulator_box(&self) -> Result<DeltaQAccumulator> {
        Ok(DeltaQAccumulator {
            bins: self.bins,
            samples: DischargeSamples::new(self.early, self.late).map_err(external)?,
        })
    }
}

impl AggregateUDFImpl for DeltaQUdaf {
    fn name(&self) -> &str {
        crate::DELTA_Q_VAR
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce(self.name(), &ARGS, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(self.accumulator_box()?))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let mut fields: Vec<FieldRef> = ["early_v", "early_q", "late_v", "late_q"]
            .iter()
            .map(|part| {
                Arc::new(Field::new(
                    format!("{}[{part}]", args.name),
                    list_of(DataType::Float64),
                    true,
                ))
            })
            .collect();
        // The cycles and bins the partial state was kept for: a cluster
        // whose executors were given other options is refused at merge,
        // not merged into a wrong ΔQ.
        fields.push(Arc::new(Field::new(
            format!("{}[options]", args.name),
            list_of(DataType::UInt32),
            true,
        )));
        Ok(fields)
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let udaf = self.clone();
        Ok(groups_adapter(move || udaf.accumulator_box()))
    }
}

#[derive(Debug)]
struct DeltaQAccumulator {
    bins: usize,
    samples: DischargeSamples,
}

impl DeltaQAccumulator {
    /// (early cycle, late cycle, bins): what a state was kept for.
    fn options(&self) -> Vec<u32> {
        let (early, late) = self.samples.cycles();
        vec![early, late, u32::try_from(self.bins).unwrap_or(u32::MAX)]
    }
}

impl Accumulator for DeltaQAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [cycle, v, i, q] = values else {
            return Err(internal(format!("ΔQ: {} argument columns", values.len())));
        };
        let cycle = u32s(cycle, "cycle_index")?;
        let (v, i, q) = (
            f64s(v, "voltage_v")?,
            f64s(i, "current_a")?,
            f64s(q, "discharge_capacity_ah")?,
        );
        let (early, late) = self.samples.cycles();
        for r in 0..cycle.len() {
            if !cycle.is_valid(r) {
                continue;
            }
            let c = cycle.value(r);
            // Other cycles (nearly every row) are dropped before the
            // remaining columns are read.
            if c != early && c != late {
                continue;
            }
            if v.is_valid(r) && i.is_valid(r) && q.is_valid(r) {
                self.samples
                    .push(c, v.value(r), i.value(r), q.value(r))
                    .map_err(external)?;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(
            delta_q_variance(&self.samples, self.bins).map_err(external)?,
        ))
    }

    fn size(&self) -> usize {
        let (a, b) = self.samples.samples();
        std::mem::size_of_val(self) + (a.len() + b.len()) * 16
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (early, late) = self.samples.samples();
        Ok(vec![
            f64_list(early.iter().map(|s| s.0)),
            f64_list(early.iter().map(|s| s.1)),
            f64_list(late.iter().map(|s| s.0)),
            f64_list(late.iter().map(|s| s.1)),
            u32_list(self.options()),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [ev, eq, lv, lq, options] = states else {
            return Err(internal(format!("ΔQ: {} state columns", states.len())));
        };
        let parts = [
            lists(ev, "early_v")?,
            lists(eq, "early_q")?,
            lists(lv, "late_v")?,
            lists(lq, "late_q")?,
        ];
        let options = lists(options, "options")?;
        let (early, late) = self.samples.cycles();
        for r in 0..parts[0].len() {
            if parts.iter().any(|p| p.is_null(r)) || options.is_null(r) {
                continue;
            }
            let kept_for = row(options, r);
            let kept_for = u32s(&kept_for, "options")?;
            let kept_for: Vec<u32> = (0..kept_for.len()).map(|i| kept_for.value(i)).collect();
            if kept_for != self.options() {
                return Err(datafusion::common::DataFusionError::Plan(format!(
                    "{}: a partial state kept for (early, late, bins) = {kept_for:?} cannot merge into {:?}; register the same options on every executor",
                    crate::DELTA_Q_VAR,
                    self.options()
                )));
            }
            let rows: Vec<ArrayRef> = parts.iter().map(|p| row(p, r)).collect();
            for (cycle, v, q) in [(early, &rows[0], &rows[1]), (late, &rows[2], &rows[3])] {
                let (v, q) = (f64s(v, "state voltage")?, f64s(q, "state capacity")?);
                if v.len() != q.len() {
                    return Err(internal(format!(
                        "ΔQ state of cycle {cycle}: {} voltages, {} capacities",
                        v.len(),
                        q.len()
                    )));
                }
                for j in 0..v.len() {
                    // Kept rows were discharging: -1 A stands for "current < 0".
                    self.samples
                        .push(cycle, v.value(j), -1.0, q.value(j))
                        .map_err(external)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accumulator(early: u32, late: u32) -> DeltaQAccumulator {
        DeltaQUdaf::new(early, late, 100)
            .accumulator_box()
            .expect("valid cycles")
    }

    fn state_arrays(acc: &mut DeltaQAccumulator) -> Vec<ArrayRef> {
        acc.state()
            .expect("state")
            .iter()
            .map(|s| s.to_array().expect("array"))
            .collect()
    }

    #[test]
    fn states_merge_only_into_the_options_they_were_kept_for() {
        let mut a = accumulator(10, 80);
        a.samples.push(80, 3.0, -1.0, 0.5).expect("finite row");
        let states = state_arrays(&mut a);
        // Same options: the row arrives.
        let mut same = accumulator(10, 80);
        same.merge_batch(&states).expect("same options merge");
        assert_eq!(same.samples.samples().1, &[(3.0, 0.5)]);
        // Other cycles: refused, not merged as if they were cycle 100.
        let mut other = accumulator(10, 100);
        let e = other.merge_batch(&states).expect_err("other options");
        assert!(e.to_string().contains("same options"), "{e}");
        assert!(other.samples.samples().1.is_empty());
    }
}
