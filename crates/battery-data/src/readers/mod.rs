//! Readers for the real data sets in `../shared/data/` and for a user's own files.

mod attia;
mod chen;
mod eis;
mod mapping;
mod severson;
mod wide;

pub use attia::{AttiaData, ProtocolLife, ValidationCell};
pub use chen::ChenData;
pub use eis::{
    Zhang2020Labels, read_eis_long, read_eis_long_from, read_gasper2022, read_gasper2022_from,
    read_zhang2020, read_zhang2020_with,
};
pub use mapping::{ColumnMap, CsvMapping, Field, SignFromColumn, read_arbin, read_arbin_from};
pub use severson::{
    SEVERSON_EOL_AH, SEVERSON_NOMINAL_AH, SeversonCell, SeversonData, SeversonSplit,
};
pub use wide::WideTable;
