//! The data registry against the shared files, and (with `fetch`) downloads
//! from a local HTTP server that serves the shared files well and badly:
//! whole, cut off half way, with a corrupted byte, not at all (404), or
//! stalled.

use voltai_battery_data::data_dir::dataset_dir;
use voltai_battery_data::registry::{FileStatus, Registry, verify_dataset};
use voltai_core::Error;

#[test]
fn builtin_registry_matches_every_shared_file() {
    let registry = Registry::builtin().unwrap();
    let mut checked = 0;
    for d in &registry.datasets {
        let dir = dataset_dir(&d.name).unwrap();
        for check in verify_dataset(d, &dir).unwrap() {
            assert_eq!(check.status, FileStatus::Ok, "{}", check.path.display());
            checked += 1;
        }
        assert!(
            !d.citation.is_empty() && !d.licence.is_empty(),
            "{}",
            d.name
        );
        // Files the registry can serve publicly are either verbatim at their
        // source or hosted because the licence allows it.
        for f in &d.files {
            if f.url.is_none() {
                assert!(!d.redistributable, "{}/{} has no address", d.name, f.path);
            }
        }
    }
    assert!(checked > 100, "{checked} files checked");
}

/// The files the repository carries under `data/` are the registered bytes
/// (they are the download source of the files no other address serves).
#[test]
fn carried_files_match_the_registry() {
    let registry = Registry::builtin().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut carried = 0;
    for d in &registry.datasets {
        for f in &d.files {
            let path = root.join(&d.name).join(&f.path);
            if path.is_file() {
                assert_eq!(
                    voltai_battery_data::registry::sha256_file(&path).unwrap(),
                    f.sha256,
                    "{}",
                    path.display()
                );
                assert!(
                    f.url.as_deref().is_some_and(|u| u.contains("/data/")),
                    "{}",
                    path.display()
                );
                carried += 1;
            }
        }
    }
    // The Severson set (5 files) and 138 package-derived materials files.
    assert_eq!(carried, 143);
}

#[test]
fn registry_files_are_refused_when_malformed() {
    let ok = r#"{"version":1,"datasets":[{"name":"d","title":"t","citation":"c","licence":"MIT",
        "redistributable":true,"files":[{"path":"a/b.csv","sha256":"SHA","bytes":1,
        "url":"https://example.org/b.csv","origin":{"kind":"verbatim","source":"s"},"licence":"MIT"}]}]}"#
        .replace("SHA", &"0".repeat(64));
    let r = Registry::from_json(&ok, "test").unwrap();
    assert_eq!(r.get("d").unwrap().bytes(), 1);
    assert!(r.get("e").is_err());
    for (from, to) in [
        ("0000000000", "XYZ"),
        ("a/b.csv", "../b.csv"),
        ("a/b.csv", "/etc/b.csv"),
        ("a/b.csv", "a//b.csv"),
        ("\"name\":\"d\"", "\"name\":\"d/e\""),
        ("\"version\":1", "\"version\":2"),
        ("\"kind\":\"verbatim\"", "\"kind\":\"copied\""),
    ] {
        let text = ok.replacen(from, to, 1);
        assert_ne!(text, ok);
        assert!(
            Registry::from_json(&text, "test").is_err(),
            "{from} -> {to}"
        );
    }
    // A JSON syntax error names the line and column.
    match Registry::from_json("{\n  \"version\": ,", "reg.json") {
        Err(Error::Parse { file, line, .. }) => assert_eq!((file.as_str(), line), ("reg.json", 2)),
        other => panic!("{other:?}"),
    }
    let m = r.mirrored("http://127.0.0.1:9/mirror/");
    assert_eq!(
        m.get("d").unwrap().files[0].url.as_deref(),
        Some("http://127.0.0.1:9/mirror/d/a/b.csv")
    );
}

#[cfg(feature = "fetch")]
mod fetch {
    use std::collections::HashSet;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use voltai_battery_data::data_dir::dataset_dir;
    use voltai_battery_data::registry::fetch::Fetcher;
    use voltai_battery_data::registry::{FileStatus, RegisteredFile, Registry, verify_dataset};
    use voltai_core::Error;

    /// A small data set from the registry (1.4 MB, 2 files).
    const DATASET: &str = "chen_nmc_pouch_aging_modes";

    /// One request the server saw: the path and its Range header.
    #[derive(Debug, Clone)]
    struct Seen {
        path: String,
        range: Option<u64>,
    }

    /// Serves `<root>/<data set>/<file>` at `/<mode>/<data set>/<file>`.
    struct Server {
        base: String,
        log: Arc<Mutex<Vec<Seen>>>,
    }

    impl Server {
        fn start(root: PathBuf) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let log = Arc::new(Mutex::new(Vec::new()));
            let cut_once = Arc::new(Mutex::new(HashSet::new()));
            let (log2, root) = (log.clone(), Arc::new(root));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let (log, root, cut_once) = (log2.clone(), root.clone(), cut_once.clone());
                    std::thread::spawn(move || serve(stream, &root, &log, &cut_once));
                }
            });
            Server { base, log }
        }

        fn url(&self, mode: &str) -> String {
            format!("{}/{mode}", self.base)
        }

        fn requests(&self) -> Vec<Seen> {
            self.log.lock().unwrap().clone()
        }
    }

    fn serve(
        stream: TcpStream,
        root: &Path,
        log: &Mutex<Vec<Seen>>,
        cut_once: &Mutex<HashSet<String>>,
    ) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut range = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("range: bytes=") {
                range = v.trim().trim_end_matches('-').parse::<u64>().ok();
            }
        }
        log.lock().unwrap().push(Seen {
            path: path.clone(),
            range,
        });
        let mut out = stream;
        let mut parts = path.trim_start_matches('/').splitn(2, '/');
        let mode = parts.next().unwrap_or("").to_string();
        let rel = parts.next().unwrap_or("").to_string();
        let Ok(mut bytes) = std::fs::read(root.join(&rel)) else {
            let _ = out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        };
        match mode.as_str() {
            "missing" => {
                let _ = out.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
                );
                return;
            }
            "corrupt" => {
                let mid = bytes.len() / 2;
                bytes[mid] ^= 0x20;
            }
            _ => {}
        }
        let total = bytes.len() as u64;
        let start = range.unwrap_or(0).min(total);
        let head = if range.is_some() {
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{total}\r\nConnection: close\r\n\r\n",
                total - start,
                total.saturating_sub(1)
            )
        } else {
            format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n")
        };
        let _ = out.write_all(head.as_bytes());
        let body = &bytes[start as usize..];
        match mode.as_str() {
            // The first request for each file stops half way.
            "cut" if range.is_none() && cut_once.lock().unwrap().insert(rel.clone()) => {
                let _ = out.write_all(&body[..body.len() / 2]);
                let _ = out.flush();
            }
            "stall" => {
                let _ = out.write_all(&body[..body.len().min(100)]);
                let _ = out.flush();
                std::thread::sleep(Duration::from_secs(3));
            }
            _ => {
                let _ = out.write_all(body);
            }
        }
        let _ = out.shutdown(std::net::Shutdown::Both);
        // Drain so the client never sees a reset before our bytes.
        let _ = reader.read(&mut [0u8; 16]);
    }

    /// A temporary folder, removed when the test ends.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    fn scratch(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "voltai-fetch-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn shared_root() -> PathBuf {
        dataset_dir(DATASET)
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf()
    }

    fn fetcher(server: &Server, mode: &str, root: &Path) -> Fetcher {
        Fetcher::new(Registry::builtin().unwrap().mirrored(&server.url(mode)))
            .unwrap()
            .root(root)
            .timeouts(Duration::from_secs(5), Duration::from_millis(500))
            .unwrap()
            .retries(2, Duration::from_millis(10))
    }

    /// Every regular file under `dir`, recursively.
    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(files_under(&p));
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    fn assert_all_verified(root: &Path) {
        let registry = Registry::builtin().unwrap();
        let d = registry.get(DATASET).unwrap();
        for c in verify_dataset(d, &root.join(DATASET)).unwrap() {
            assert_eq!(c.status, FileStatus::Ok, "{}", c.path.display());
        }
        assert!(
            files_under(&root.join(".partial")).is_empty(),
            "partial files left"
        );
    }

    #[test]
    fn fetch_places_verified_files_and_reports_bytes() {
        let server = Server::start(shared_root());
        let root = scratch("ok");
        let mut last = (0, None);
        let dir = fetcher(&server, "ok", &root)
            .fetch(DATASET, &mut |p| last = (p.step, p.total))
            .unwrap();
        assert_eq!(dir, root.join(DATASET));
        assert_all_verified(&root);
        let total = Registry::builtin().unwrap().get(DATASET).unwrap().bytes() as usize;
        assert_eq!(last, (total, Some(total)));
        // A second fetch checks what is there and downloads nothing.
        let before = server.requests().len();
        fetcher(&server, "ok", &root)
            .fetch(DATASET, &mut |_| {})
            .unwrap();
        assert_eq!(server.requests().len(), before);
    }

    #[test]
    fn interrupted_transfer_resumes_with_a_range_request() {
        let server = Server::start(shared_root());
        let root = scratch("cut");
        fetcher(&server, "cut", &root)
            .fetch(DATASET, &mut |_| {})
            .unwrap();
        assert_all_verified(&root);
        let registry = Registry::builtin().unwrap();
        for f in &registry.get(DATASET).unwrap().files {
            let seen: Vec<_> = server
                .requests()
                .into_iter()
                .filter(|s| s.path.ends_with(&format!("/{}", f.path)))
                .collect();
            assert_eq!(seen.len(), 2, "{}: {seen:?}", f.path);
            assert_eq!(seen[0].range, None);
            assert_eq!(seen[1].range, Some(f.bytes / 2), "{}", f.path);
        }
    }

    /// The data set's first file and where a partial download of it is kept
    /// (its folder created).
    fn first_partial(server: &Server, root: &Path) -> (RegisteredFile, PathBuf) {
        let registry = Registry::builtin().unwrap();
        let dataset = registry.get(DATASET).unwrap();
        let first = dataset.files[0].clone();
        let part = fetcher(server, "ok", root).partial_path(dataset, &first);
        std::fs::create_dir_all(part.parent().unwrap()).unwrap();
        (first, part)
    }

    #[test]
    fn partial_file_from_an_earlier_run_is_resumed() {
        let server = Server::start(shared_root());
        let root = scratch("seeded");
        let (first, part) = first_partial(&server, &root);
        let source = std::fs::read(shared_root().join(DATASET).join(&first.path)).unwrap();
        std::fs::write(&part, &source[..1000]).unwrap();
        fetcher(&server, "ok", &root)
            .fetch(DATASET, &mut |_| {})
            .unwrap();
        assert_all_verified(&root);
        let seen = server.requests();
        let req = seen
            .iter()
            .find(|s| s.path.ends_with(&format!("/{}", first.path)))
            .unwrap();
        assert_eq!(req.range, Some(1000));
    }

    #[test]
    fn corrupted_byte_is_a_checksum_error_and_leaves_nothing() {
        let server = Server::start(shared_root());
        let root = scratch("corrupt");
        match fetcher(&server, "corrupt", &root).fetch(DATASET, &mut |_| {}) {
            Err(Error::Checksum {
                expected, actual, ..
            }) => assert_ne!(expected, actual),
            other => panic!("{other:?}"),
        }
        // The first file, downloaded twice (one clean restart), then given up.
        assert_eq!(server.requests().len(), 2);
        let left: Vec<_> = files_under(&root)
            .into_iter()
            .filter(|p| !p.file_name().unwrap().to_string_lossy().ends_with(".lock"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn not_found_is_final_and_leaves_nothing() {
        let server = Server::start(shared_root());
        let root = scratch("404");
        match fetcher(&server, "missing", &root).fetch(DATASET, &mut |_| {}) {
            Err(Error::Download { message, url }) => {
                assert!(message.contains("404"), "{message}");
                assert!(url.starts_with(&server.base), "{url}");
            }
            other => panic!("{other:?}"),
        }
        // A 404 is not retried.
        assert_eq!(server.requests().len(), 1);
        assert!(files_under(&root.join(DATASET)).is_empty());
    }

    #[test]
    fn stalled_server_times_out() {
        let server = Server::start(shared_root());
        let root = scratch("stall");
        let fetch = fetcher(&server, "stall", &root)
            .timeouts(Duration::from_secs(5), Duration::from_millis(200))
            .unwrap()
            .retries(1, Duration::from_millis(10));
        match fetch.fetch(DATASET, &mut |_| {}) {
            Err(Error::Download { message, .. }) => {
                assert!(message.contains("timed out"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        // Retried once, resuming from the 100 bytes that arrived.
        let seen = server.requests();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[1].range, Some(100));
        assert!(files_under(&root.join(DATASET)).is_empty());
    }

    #[test]
    fn data_set_without_addresses_is_refused_before_any_download() {
        // The shipped registry: the Chen tables have no public address.
        let root = scratch("no-address");
        let fetch = Fetcher::with_root(Registry::builtin().unwrap(), &*root);
        match fetch.fetch(DATASET, &mut |_| {}) {
            Err(Error::InvalidInput(m)) => {
                assert!(
                    m.contains(&format!("voltai data fetch {DATASET} --mirror URL")),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(files_under(&root).is_empty());
    }

    #[test]
    fn offline_is_a_clear_error() {
        // A port nothing listens on.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let root = scratch("offline");
        let fetch = Fetcher::new(
            Registry::builtin()
                .unwrap()
                .mirrored(&format!("http://127.0.0.1:{port}")),
        )
        .unwrap()
        .root(&*root)
        .retries(1, Duration::from_millis(10));
        match fetch.fetch(DATASET, &mut |_| {}) {
            Err(Error::Download { message, .. }) => {
                assert!(
                    message.contains("could not connect") || message.contains("refused"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(files_under(&root.join(DATASET)).is_empty());
    }

    /// A full disk: the partial file is a link to /dev/full, where every
    /// write fails with "no space left on device".
    #[cfg(target_os = "linux")]
    #[test]
    fn full_disk_is_a_clear_error_and_leaves_nothing() {
        let server = Server::start(shared_root());
        let root = scratch("full");
        let (_, part) = first_partial(&server, &root);
        std::os::unix::fs::symlink("/dev/full", &part).unwrap();
        match fetcher(&server, "ok", &root).fetch(DATASET, &mut |_| {}) {
            Err(Error::Io { source, .. }) => {
                assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
                assert!(source.to_string().contains("disk full"), "{source}");
            }
            other => panic!("{other:?}"),
        }
        // Not retried: one request, and neither the partial file nor the
        // data set folder holds anything.
        assert_eq!(server.requests().len(), 1);
        assert!(std::fs::symlink_metadata(&part).is_err());
        assert!(files_under(&root.join(DATASET)).is_empty());
    }

    #[test]
    fn concurrent_fetches_of_one_data_set_do_not_clash() {
        let server = Server::start(shared_root());
        let root = scratch("concurrent");
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let f = fetcher(&server, "ok", &root);
                std::thread::spawn(move || f.fetch(DATASET, &mut |_| {}))
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        assert_all_verified(&root);
        // The lock makes the later fetches find the files in place.
        let files = Registry::builtin()
            .unwrap()
            .get(DATASET)
            .unwrap()
            .files
            .len();
        assert_eq!(server.requests().len(), files);
    }
}
