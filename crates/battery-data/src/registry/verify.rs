//! Checking a data set folder against the registry's sizes and SHA-256s.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use voltai_core::{Error, Result};

use super::RegisteredDataset;

/// The SHA-256 of a file, lower-case hex, read in 64 KiB blocks.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of a digest.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What [`verify_dataset`] found for one registered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Size and SHA-256 as registered.
    Ok,
    /// No file at the path.
    Missing,
    /// The size differs (the hash is not computed).
    WrongSize {
        /// Bytes on disk.
        actual: u64,
    },
    /// Same size, different bytes.
    WrongHash {
        /// SHA-256 on disk.
        actual: String,
    },
}

/// One registered file and its status in the folder checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The file on disk.
    pub path: PathBuf,
    /// What was found.
    pub status: FileStatus,
}

/// Checks every file the registry lists for `dataset` in `dir` (its size,
/// then its SHA-256). Files in the folder that the registry does not list
/// are not reported. I/O errors other than a missing file are errors.
pub fn verify_dataset(dataset: &RegisteredDataset, dir: &Path) -> Result<Vec<FileCheck>> {
    dataset
        .files
        .iter()
        .map(|f| {
            let path = dir.join(&f.path);
            let status = match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileStatus::Missing,
                Err(e) => return Err(Error::io(&path, e)),
                Ok(m) if m.len() != f.bytes => FileStatus::WrongSize { actual: m.len() },
                Ok(_) => {
                    let actual = sha256_file(&path)?;
                    if actual == f.sha256 {
                        FileStatus::Ok
                    } else {
                        FileStatus::WrongHash { actual }
                    }
                }
            };
            Ok(FileCheck { path, status })
        })
        .collect()
}
