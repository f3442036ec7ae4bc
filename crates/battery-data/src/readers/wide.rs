//! Wide numeric tables: a key column, then one numeric column per cell.

use std::io::Read;

use ndarray::Array2;

use crate::table::Table;
use voltai_core::{Error, Result};

/// A fully numeric table `key, col1, col2, ...` read into memory.
#[derive(Debug, Clone, PartialEq)]
pub struct WideTable {
    /// Values of the first (key) column, e.g. voltage or cycle number.
    pub keys: Vec<f64>,
    /// Names of the remaining columns.
    pub columns: Vec<String>,
    /// `keys.len() × columns.len()` values.
    pub values: Array2<f64>,
}

impl WideTable {
    /// Reads a wide table whose first header must be `key`.
    pub fn read<R: Read>(mut t: Table<R>, key: &str) -> Result<Self> {
        if t.headers().first().map(String::as_str) != Some(key) {
            return Err(Error::parse(
                t.file(),
                1,
                1,
                format!("first column must be `{key}`"),
            ));
        }
        let columns: Vec<String> = t.headers()[1..].to_vec();
        let mut keys = Vec::new();
        let mut flat = Vec::new();
        while let Some(row) = t.next_row() {
            let row = row?;
            keys.push(row.num(0)?);
            for c in 1..=columns.len() {
                flat.push(row.num(c)?);
            }
        }
        if keys.is_empty() {
            return Err(Error::parse(t.file(), 2, 1, "table has no data rows"));
        }
        let values = Array2::from_shape_vec((keys.len(), columns.len()), flat)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        Ok(WideTable {
            keys,
            columns,
            values,
        })
    }

    /// Index of a named column.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}
