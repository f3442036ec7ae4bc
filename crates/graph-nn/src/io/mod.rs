//! Structure files: CIF (read, write), POSCAR/CONTCAR (read, write),
//! extended XYZ (read). Every reader reports malformed input as
//! `Error::Parse` with file, line and column.

pub mod cif;
pub mod poscar;
pub mod symop;
pub mod xyz;

use std::path::Path;

use voltai_core::{Error, Result};

use crate::structure::Structure;

pub use cif::{parse_cif, read_cif, write_cif};
pub use poscar::{parse_poscar, read_poscar, write_poscar};
pub use xyz::{parse_extxyz, read_extxyz};

/// Reads a structure, choosing the format from the file name: `.cif`,
/// `.xyz`/`.extxyz`, otherwise POSCAR (`POSCAR*`, `CONTCAR*`, `.vasp`, `.poscar`).
pub fn read_structure(path: impl AsRef<Path>) -> Result<Structure> {
    let path = path.as_ref();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .ok_or_else(|| Error::InvalidInput(format!("`{}` is not a file name", path.display())))?;
    if name.ends_with(".cif") {
        read_cif(path)
    } else if name.ends_with(".xyz") || name.ends_with(".extxyz") {
        read_extxyz(path)
    } else {
        read_poscar(path)
    }
}
