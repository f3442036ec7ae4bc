//! A thin layer over `csv` that turns every failure into an [`Error::Parse`]
//! naming file, line and column (both 1-based; the header is line 1).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use voltai_core::{Error, Result};

/// A CSV source with a header row, read record by record.
pub struct Table<R: Read> {
    file: String,
    headers: Vec<String>,
    reader: csv::Reader<R>,
}

/// One data row and where it came from.
pub struct Row<'a> {
    file: &'a str,
    line: u64,
    record: csv::StringRecord,
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let (line, column) = match e.position() {
        Some(p) => (p.line(), 1),
        None => (0, 0),
    };
    let column = match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => *len + 1,
        _ => column,
    };
    Error::parse(file, line, column, e.to_string())
}

impl Table<File> {
    /// Opens a CSV file with a header row.
    pub fn open(path: &Path) -> Result<Self> {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        Table::from_reader(&path.display().to_string(), f)
    }
}

impl<R: Read> Table<R> {
    /// Reads the header row of CSV text from any reader; `name` is used in errors.
    pub fn from_reader(name: &str, reader: R) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers = reader
            .headers()
            .map_err(|e| csv_error(name, &e))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect::<Vec<_>>();
        if headers.is_empty() || headers.iter().all(String::is_empty) {
            return Err(Error::parse(name, 1, 1, "missing header row"));
        }
        Ok(Table {
            file: name.to_string(),
            headers,
            reader,
        })
    }

    /// The file name used in errors.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Header names, trimmed.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Index of a required column, or an error naming the file and the header line.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.find(name).ok_or_else(|| {
            Error::parse(
                &self.file,
                1,
                self.headers.len() as u64 + 1,
                format!(
                    "missing column `{name}` (found: {})",
                    self.headers.join(", ")
                ),
            )
        })
    }

    /// Index of an optional column.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The next data row, `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>>> {
        let mut record = csv::StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(false) => None,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                Some(Ok(Row {
                    file: &self.file,
                    line,
                    record,
                }))
            }
            Err(e) => Some(Err(csv_error(&self.file, &e))),
        }
    }
}

impl Row<'_> {
    /// 1-based line of this row.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Error located at this row and a 0-based column index.
    pub fn error(&self, col: usize, message: impl Into<String>) -> Error {
        Error::parse(self.file, self.line, col as u64 + 1, message)
    }

    /// Raw text of a column (trimmed).
    pub fn text(&self, col: usize) -> Result<&str> {
        self.record
            .get(col)
            .map(str::trim)
            .ok_or_else(|| self.error(col, "row is shorter than the header"))
    }

    /// A required finite number.
    pub fn num(&self, col: usize) -> Result<f64> {
        self.opt_num(col)?
            .ok_or_else(|| self.error(col, "empty field where a number is required"))
    }

    /// An optional finite number: an empty field (or `NaN`/`nan` as some cyclers
    /// write for "not measured") gives `None`; other text is an error.
    pub fn opt_num(&self, col: usize) -> Result<Option<f64>> {
        let t = self.text(col)?;
        if t.is_empty() || t.eq_ignore_ascii_case("nan") {
            return Ok(None);
        }
        let v: f64 = t
            .parse()
            .map_err(|_| self.error(col, format!("`{t}` is not a number")))?;
        if !v.is_finite() {
            return Err(self.error(col, format!("`{t}` is not a finite number")));
        }
        Ok(Some(v))
    }

    /// A required non-negative integer (also accepts `12.0`).
    pub fn uint(&self, col: usize) -> Result<u32> {
        let v = self.num(col)?;
        if v < 0.0 || v.fract() != 0.0 || v > u32::MAX as f64 {
            return Err(self.error(col, format!("`{v}` is not a non-negative integer")));
        }
        Ok(v as u32)
    }
}
