//! Downloading a registered data set into a data root (the `fetch` feature).
//!
//! Each file is streamed into `<root>/.partial/<data set>/<path>.part`,
//! resumed with an HTTP range request when a transfer stops half way, checked
//! against its SHA-256 and only then renamed into `<root>/<data set>/<path>`
//! (an atomic rename on one file system), so the data set folder never holds a
//! file that did not verify. A lock file per data set serialises concurrent
//! fetches of the same data set (in one process or several); the second finds
//! the files in place and checks them instead of downloading again.
//!
//! Transient failures (refused or reset connections, a server that stalls past
//! the read time-out, a transfer that closes early, 5xx answers) are retried
//! with exponential back-off; a 4xx answer is not, and a checksum mismatch is
//! retried once from scratch (a resumed file may join two versions of the
//! source). On a failure the partial file is kept only when it is a
//! clean prefix worth resuming (the transfer stopped); a file that failed its
//! checksum, or an error writing it (a full disk), leaves nothing behind.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use voltai_core::{Error, Progress, ProgressFn, Result};

use super::{RegisteredDataset, RegisteredFile, Registry};

/// Downloads registered data sets into one data root.
///
/// ```no_run
/// use voltai_battery_data::registry::{Registry, fetch::Fetcher};
///
/// let fetcher = Fetcher::new(Registry::builtin()?)?; // into $VOLTAI_DATA_DIR or the cache
/// let dir = fetcher.fetch("zhang2020_lco_eis", &mut |_| {})?;
/// println!("{}", dir.display());
/// # Ok::<(), voltai_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Fetcher {
    registry: Registry,
    root: PathBuf,
    connect_timeout: Duration,
    read_timeout: Duration,
    retries: u32,
    backoff: Duration,
}

/// Why one download attempt stopped.
enum Attempt {
    /// Worth another try (after back-off); resuming from what is on disk.
    Retry(Error),
    /// Final.
    Fail(Error),
}

impl Fetcher {
    /// A fetcher writing to [`crate::data_dir::fetch_root`] (`$VOLTAI_DATA_DIR`,
    /// else the per-user cache), with a 30 s connect and read time-out and
    /// 4 retries starting at 1 s back-off.
    pub fn new(registry: Registry) -> Result<Self> {
        Ok(Self::with_root(registry, crate::data_dir::fetch_root()?))
    }

    /// A fetcher writing under `root` (created when needed), with the
    /// defaults of [`Fetcher::new`].
    pub fn with_root(registry: Registry, root: impl Into<PathBuf>) -> Self {
        Self {
            registry,
            root: root.into(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            retries: 4,
            backoff: Duration::from_secs(1),
        }
    }

    /// Writes under `root` instead.
    pub fn root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = root.into();
        self
    }

    /// The folder data sets are written to.
    pub fn root_dir(&self) -> &Path {
        &self.root
    }

    /// The longest wait for a connection, and for each read of a transfer
    /// (a server that sends nothing for this long is a stalled transfer).
    pub fn timeouts(mut self, connect: Duration, read: Duration) -> Result<Self> {
        for (name, d) in [("connect_timeout", connect), ("read_timeout", read)] {
            if d.is_zero() {
                return Err(Error::invalid_parameter(name, "0 s", "a positive duration"));
            }
        }
        self.connect_timeout = connect;
        self.read_timeout = read;
        Ok(self)
    }

    /// Retries after a transient failure, waiting `backoff`, then twice that,
    /// and so on.
    pub fn retries(mut self, retries: u32, backoff: Duration) -> Self {
        self.retries = retries;
        self.backoff = backoff;
        self
    }

    /// The registry this fetcher serves.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Downloads the data set `name` (files already in place and verified are
    /// kept) and returns its folder. `progress` gets the bytes done over the
    /// data set's total after each block, labelled with the file's path
    /// (task `"fetch"`), and one report with task `"fetch: waiting"` when
    /// another fetch of the same data set holds its lock.
    ///
    /// A data set with files that no address serves is refused before any
    /// download, with the remedy of [`crate::data_dir::remedy`].
    pub fn fetch(&self, name: &str, progress: &mut ProgressFn<'_>) -> Result<PathBuf> {
        let dataset = self.registry.get(name)?;
        if dataset.files.iter().any(|f| f.url.is_none()) {
            return Err(Error::InvalidInput(format!(
                "cannot fetch `{name}`: {}",
                crate::data_dir::remedy(dataset)
            )));
        }
        let dir = self.root.join(&dataset.name);
        create_dir(&self.root)?;
        // Held until this function returns: a concurrent fetch of the same
        // data set waits here, then finds the files in place.
        let lock_path = self.root.join(format!(".{}.lock", dataset.name));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                progress(&Progress {
                    task: "fetch: waiting",
                    step: 0,
                    total: None,
                    values: Vec::new(),
                    label: Some("another fetch of this data set is running"),
                });
                lock.lock().map_err(|e| Error::io(&lock_path, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
        }

        let total = dataset.bytes();
        let mut done = 0u64;
        for file in &dataset.files {
            let target = dir.join(&file.path);
            if is_verified(file, &target)? {
                done += file.bytes;
                report(progress, done, total, &file.path);
                continue;
            }
            self.download(dataset, file, &target, done, total, progress)?;
            done += file.bytes;
        }
        Ok(dir)
    }

    /// Where a download in progress is kept: named with the start of the
    /// expected SHA-256, so a partial file of another version of the file is
    /// never resumed.
    pub fn partial_path(&self, dataset: &RegisteredDataset, file: &RegisteredFile) -> PathBuf {
        self.root.join(".partial").join(&dataset.name).join(format!(
            "{}.{}.part",
            file.path,
            &file.sha256[..16]
        ))
    }

    fn download(
        &self,
        dataset: &RegisteredDataset,
        file: &RegisteredFile,
        target: &Path,
        done_before: u64,
        total: u64,
        progress: &mut ProgressFn<'_>,
    ) -> Result<()> {
        let url = file.url.as_deref().ok_or_else(|| {
            Error::InvalidInput(format!(
                "{}/{} has no public download address (licence: {}); see the data set's README \
                 for how to obtain it, or point VOLTAI_DATA_DIR at a copy",
                dataset.name, file.path, file.licence
            ))
        })?;
        let part = self.partial_path(dataset, file);
        if let Some(parent) = part.parent() {
            create_dir(parent)?;
        }
        if let Some(parent) = target.parent() {
            create_dir(parent)?;
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_resolve(Some(self.connect_timeout))
            .timeout_connect(Some(self.connect_timeout))
            .timeout_per_read(Some(self.read_timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut restarted = false;
        let mut attempt = 0u32;
        loop {
            let outcome = self.attempt(&agent, url, file, &part, done_before, total, progress);
            let error = match outcome {
                Ok(()) => match check_and_place(file, &part, target) {
                    Ok(()) => return Ok(()),
                    Err(e) => {
                        // A resumed file may have joined two different
                        // versions of the source: one clean restart.
                        if !restarted {
                            restarted = true;
                            continue;
                        }
                        return Err(e);
                    }
                },
                Err(Attempt::Fail(e)) => {
                    remove_quietly(&part);
                    return Err(e);
                }
                Err(Attempt::Retry(e)) => e,
            };
            if attempt >= self.retries {
                return Err(error);
            }
            std::thread::sleep(self.backoff.saturating_mul(1u32 << attempt.min(16)));
            attempt += 1;
        }
    }

    /// One request: appends to `part` from its current length.
    #[allow(clippy::too_many_arguments)]
    fn attempt(
        &self,
        agent: &ureq::Agent,
        url: &str,
        file: &RegisteredFile,
        part: &Path,
        done_before: u64,
        total: u64,
        progress: &mut ProgressFn<'_>,
    ) -> std::result::Result<(), Attempt> {
        let download = |message: String| Error::Download {
            url: url.to_string(),
            message,
        };
        let mut offset = match std::fs::metadata(part) {
            Ok(m) => m.len(),
            Err(_) => 0,
        };
        if offset > file.bytes {
            remove_quietly(part);
            offset = 0;
        }
        if offset == file.bytes {
            if file.bytes == 0 {
                File::create(part).map_err(|e| Attempt::Fail(Error::io(part, e)))?;
            }
            return Ok(());
        }
        let mut request = agent.get(url);
        if offset > 0 {
            request = request.header("Range", format!("bytes={offset}-"));
        }
        let response = request.call().map_err(|e| classify(url, e))?;
        let status = response.status().as_u16();
        let append = match status {
            206 => {
                let start = response
                    .headers()
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .and_then(content_range_start);
                if start != Some(offset) {
                    // The server sent another range than asked: start over.
                    remove_quietly(part);
                    return Err(Attempt::Retry(download(format!(
                        "asked for bytes from {offset}, got range starting at {start:?}"
                    ))));
                }
                true
            }
            200 => false,
            404 => return Err(Attempt::Fail(download("404 not found".into()))),
            416 => {
                // The partial file does not fit the file served: start over.
                remove_quietly(part);
                return Err(Attempt::Retry(download(
                    "416 range not satisfiable; restarting the file".into(),
                )));
            }
            s if (400..500).contains(&s) && s != 408 && s != 429 => {
                return Err(Attempt::Fail(download(format!("HTTP status {s}"))));
            }
            s => {
                return Err(Attempt::Retry(download(format!("HTTP status {s}"))));
            }
        };
        let mut out = if append {
            OpenOptions::new().append(true).open(part)
        } else {
            offset = 0;
            File::create(part)
        }
        .map_err(|e| Attempt::Fail(Error::io(part, e)))?;
        let mut body = response.into_body().into_reader();
        let mut buf = vec![0u8; 1 << 16];
        let mut written = offset;
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    // Whatever arrived is a clean prefix: keep it to resume.
                    let _ = out.flush();
                    return Err(Attempt::Retry(download(format!(
                        "transfer stopped after {written} of {} bytes: {}",
                        file.bytes,
                        describe_io(&e)
                    ))));
                }
            };
            if written + n as u64 > file.bytes {
                return Err(Attempt::Fail(download(format!(
                    "server sent more than the registered {} bytes",
                    file.bytes
                ))));
            }
            out.write_all(&buf[..n]).map_err(|e| write_error(part, e))?;
            written += n as u64;
            report(progress, done_before + written, total, &file.path);
        }
        out.sync_all().map_err(|e| write_error(part, e))?;
        if written < file.bytes {
            return Err(Attempt::Retry(download(format!(
                "transfer closed after {written} of {} bytes",
                file.bytes
            ))));
        }
        Ok(())
    }
}

/// A write failure ends the fetch and frees the partial file (a full disk
/// must not be filled further by retries).
fn write_error(part: &Path, e: std::io::Error) -> Attempt {
    remove_quietly(part);
    let e = if e.kind() == std::io::ErrorKind::StorageFull {
        std::io::Error::new(
            e.kind(),
            "disk full; the partial download was removed, free space and fetch again",
        )
    } else {
        e
    };
    Attempt::Fail(Error::io(part, e))
}

/// Checks the finished partial file and renames it into place; a mismatch
/// removes it.
fn check_and_place(file: &RegisteredFile, part: &Path, target: &Path) -> Result<()> {
    let actual = super::sha256_file(part)?;
    if actual != file.sha256 {
        remove_quietly(part);
        return Err(Error::Checksum {
            path: target.display().to_string(),
            expected: file.sha256.clone(),
            actual,
        });
    }
    std::fs::rename(part, target).map_err(|e| Error::io(target, e))
}

/// Whether `target` is in place with the registered size and SHA-256.
fn is_verified(file: &RegisteredFile, target: &Path) -> Result<bool> {
    match std::fs::metadata(target) {
        Ok(m) if m.len() == file.bytes => Ok(super::sha256_file(target)? == file.sha256),
        _ => Ok(false),
    }
}

fn report(progress: &mut ProgressFn<'_>, done: u64, total: u64, path: &str) {
    progress(&Progress {
        task: "fetch",
        step: usize::try_from(done).unwrap_or(usize::MAX),
        total: usize::try_from(total).ok(),
        values: vec![("bytes", done as f64)],
        label: Some(path),
    });
}

/// The first byte of a `Content-Range: bytes START-END/TOTAL` header.
fn content_range_start(v: &str) -> Option<u64> {
    v.trim()
        .strip_prefix("bytes ")?
        .split('-')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Sorts a failed request into retry-worthy and final, in words a user can act on.
fn classify(url: &str, e: ureq::Error) -> Attempt {
    let error = |message: String| Error::Download {
        url: url.to_string(),
        message,
    };
    match e {
        ureq::Error::HostNotFound => {
            Attempt::Retry(error("host not found (offline, or no DNS?)".into()))
        }
        ureq::Error::ConnectionFailed => Attempt::Retry(error(
            "could not connect (offline, or the server is down?)".into(),
        )),
        ureq::Error::Timeout(t) => Attempt::Retry(error(format!("timed out ({t})"))),
        ureq::Error::Io(io) => Attempt::Retry(error(describe_io(&io))),
        ureq::Error::BadUri(u) => Attempt::Fail(error(format!("bad address {u}"))),
        // Certificates, redirects and malformed requests do not get better
        // by waiting.
        e @ (ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::TooManyRedirects
        | ureq::Error::RedirectFailed
        | ureq::Error::Http(_)) => Attempt::Fail(error(e.to_string())),
        other => Attempt::Retry(error(other.to_string())),
    }
}

fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "connection refused (offline, or the server is down?)".into(),
        K::TimedOut | K::WouldBlock => "timed out waiting for data (the server stalled)".into(),
        K::UnexpectedEof => "the server closed the connection early".into(),
        _ => {
            // ureq wraps its own time-outs in io errors.
            match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            {
                Some(ureq::Error::Timeout(t)) => {
                    format!("timed out waiting for data ({t}; the server stalled)")
                }
                _ => e.to_string(),
            }
        }
    }
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

fn remove_quietly(path: &Path) {
    let _ = std::fs::remove_file(path);
}
