//! Line-by-line reading of text exports whatever their encoding and line endings.
//!
//! Cycler software writes UTF-8 (with or without a byte-order mark), Latin-1 or
//! Windows-1252 (`°`, `µ` as single bytes), and sometimes GBK on Chinese
//! installations. Each line is taken as UTF-8 when it is valid UTF-8 and decoded
//! with the fallback encoding otherwise, so one stray byte never fails a file.

use std::io::BufRead;

use encoding_rs::Encoding;

use voltai_core::{Error, Result};

/// Reads lines with their 1-based numbers; `\r\n`, `\n` and a final line without
/// a newline all end a line.
pub(crate) struct Lines<R> {
    reader: R,
    file: String,
    line: u64,
    raw: Vec<u8>,
    decoded: String,
    fallback: &'static Encoding,
    pending: Option<Vec<u8>>,
}

impl<R> Lines<R> {
    /// The file name used in errors.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(file: &str, reader: R, fallback: &'static Encoding) -> Self {
        Lines {
            reader,
            file: file.to_string(),
            line: 0,
            raw: Vec::new(),
            decoded: String::new(),
            fallback,
            pending: None,
        }
    }

    /// The file and the line last returned, for errors about it.
    pub(crate) fn at(&self) -> super::table::At<'_> {
        super::table::At {
            file: &self.file,
            line: self.line,
        }
    }

    /// 1-based number of the line last returned (0 before the first).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// A parse error at the current line and a 1-based column.
    pub(crate) fn error(&self, column: u64, message: impl Into<String>) -> Error {
        Error::parse(&self.file, self.line, column, message)
    }

    /// Puts the last line back so that the next call returns it again.
    pub(crate) fn push_back(&mut self) {
        self.pending = Some(self.raw.clone());
        self.line -= 1;
    }

    /// The next line with its 1-based number.
    pub(crate) fn next_numbered(&mut self) -> Result<Option<(u64, &str)>> {
        let n = self.line + 1;
        Ok(self.next_line()?.map(|l| (n, l)))
    }

    /// The next line without its line ending, or `None` at the end of the file.
    /// A NUL byte means the file is binary, which is an error for a text format.
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>> {
        if let Some(p) = self.pending.take() {
            self.raw = p;
        } else {
            self.raw.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.raw)
                .map_err(|e| Error::io(&self.file, e))?;
            if n == 0 {
                return Ok(None);
            }
        }
        self.line += 1;
        while matches!(self.raw.last(), Some(b'\n' | b'\r')) {
            self.raw.pop();
        }
        if self.line == 1 && self.raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.raw.drain(..3);
        }
        if let Some(pos) = self.raw.iter().position(|&b| b == 0) {
            return Err(self.error(
                pos as u64 + 1,
                "NUL byte in a text format: the file is binary or corrupt",
            ));
        }
        match std::str::from_utf8(&self.raw) {
            Ok(s) => Ok(Some(s)),
            Err(_) => {
                let (text, _, _) = self.fallback.decode(&self.raw);
                self.decoded.clear();
                self.decoded.push_str(&text);
                Ok(Some(&self.decoded))
            }
        }
    }
}

/// Splits `line` at `delimiter` into field ranges, honouring double quotes
/// (`"a,b"` is one field; `""` inside quotes is a quote). Quotes are not removed
/// from the ranges; [`field`] strips them.
pub(crate) fn split_fields(line: &str, delimiter: u8, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, bytes.len()));
}

/// Field text, trimmed of blanks and of one pair of enclosing quotes.
pub(crate) fn field(line: &str, range: (usize, usize)) -> &str {
    let f = line[range.0..range.1].trim();
    let f = f
        .strip_prefix('"')
        .and_then(|g| g.strip_suffix('"'))
        .unwrap_or(f);
    f.trim()
}

/// Parses a number written with a decimal point or, when `decimal_comma`, a
/// decimal comma. Empty text, `N/A` and `NaN` give `None`.
pub(crate) fn parse_number(
    text: &str,
    decimal_comma: bool,
) -> std::result::Result<Option<f64>, ()> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.eq_ignore_ascii_case("n/a") {
        return Ok(None);
    }
    let v = if decimal_comma && t.contains(',') {
        let mut buf = [0u8; 64];
        if t.len() > buf.len() {
            return Err(());
        }
        for (dst, &b) in buf.iter_mut().zip(t.as_bytes()) {
            *dst = if b == b',' { b'.' } else { b };
        }
        std::str::from_utf8(&buf[..t.len()])
            .map_err(|_| ())?
            .parse::<f64>()
            .map_err(|_| ())?
    } else {
        t.parse::<f64>().map_err(|_| ())?
    };
    if v.is_finite() { Ok(Some(v)) } else { Err(()) }
}
