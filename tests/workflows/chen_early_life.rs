//! The Chen multi-task table: every cell with 400 cycles, its design read
//! from the reader (cells.csv: packs P531 and P540 are NMC811, P533 and P540
//! moderate loading, P462 high), and targets in range.
#![cfg(feature = "battery-data")]

use voltai::core::Result;
use voltai::studies::chen::{CHEN_EARLY_INPUTS, chen_cells, chen_early_life_table};

#[test]
fn chen_early_life_table_carries_each_cells_design() -> Result<()> {
    let (x, y) = chen_early_life_table(&chen_cells()?)?;
    assert_eq!(x.dim(), (44, CHEN_EARLY_INPUTS.len()));
    assert_eq!(y.dim(), (44, 2));
    let count = |j: usize| x.column(j).iter().filter(|&&v| v == 1.0).count();
    assert_eq!((count(1), count(2), count(3)), (18, 11, 6));
    for &c in x.column(0) {
        assert!([1.0, 4.0, 4.5, 6.0, 8.0, 9.0].contains(&c), "C-rate {c}");
    }
    assert!(y.column(0).iter().all(|&r| r > 0.5 && r < 1.1));
    Ok(())
}
