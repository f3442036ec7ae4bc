//! The `voltai` command end to end on the shared files and on a synthetic
//! Arbin export: inspect agrees with the published per-file facts and with
//! its JSON schema, predict-life explains what it cannot predict, and
//! features, convert and report write what they promise.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn voltai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_voltai"))
        .args(args)
        .output()
        .expect("the voltai binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn data_dir() -> PathBuf {
    voltai_battery_data::data_dir::dataset_dir("cycler_formats").expect("shared cycler files")
}

/// One "Facts:" line of `cycler_formats/README.md`.
#[derive(Debug)]
struct Facts {
    file: String,
    rows: usize,
    cycles: Option<usize>,
    voltage: Option<(f64, f64)>,
    frequency: Option<(f64, f64)>,
}

fn number_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.split(key).nth(1).map(str::trim)
}

fn pair(text: &str, key: &str, unit: &str) -> Option<(f64, f64)> {
    let rest = number_after(text, key)?;
    let (a, rest) = rest.split_once(&format!(" {unit} to "))?;
    let b = rest.split_once(&format!(" {unit}"))?.0;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn readme_facts(dir: &Path) -> Vec<Facts> {
    let text = std::fs::read_to_string(dir.join("README.md")).expect("README");
    text.lines()
        // Companion files (metadata) have empty facts.
        .filter(|l| l.starts_with("- `") && l.contains("Facts:") && l.contains(" data rows"))
        .map(|l| {
            let file = l[3..].split('`').next().unwrap_or_default().to_string();
            let facts = l.split("Facts:").nth(1).unwrap_or_default();
            let rows = facts
                .trim()
                .split(' ')
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
            let cycles = facts
                .split("; ")
                .find(|p| p.contains("cycle number(s)"))
                .and_then(|p| p.trim().split(' ').next()?.parse().ok());
            Facts {
                file,
                rows,
                cycles,
                voltage: pair(facts, "voltage", "V"),
                frequency: pair(facts, "frequency", "Hz"),
            }
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    // The README rounds to 6 significant digits.
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1e-3)
}

/// Files whose native values the readers deliberately change, with why.
const READER_CORRECTIONS: &[(&str, &str)] = &[(
    "biologic/cp.mpt",
    "<Ewe>/V is written as 0 from record 5 on; the reader rebuilds it from Ewe-Ece and <Ece>, as the .mpr holds it",
)];

#[test]
fn inspect_agrees_with_the_published_facts_and_its_schema() {
    let dir = data_dir();
    let facts = readme_facts(&dir);
    assert!(facts.len() >= 30, "{} facts lines", facts.len());
    let paths: Vec<String> = facts
        .iter()
        .map(|f| dir.join(&f.file).display().to_string())
        .collect();
    let mut args = vec!["inspect", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let (code, stdout, stderr) = voltai(&args);
    assert_eq!(code, 0, "{stderr}");
    let all: Value = serde_json::from_str(&stdout).expect("JSON");
    let items = all.as_array().expect("an array");
    assert_eq!(items.len(), facts.len());
    let schema: Value =
        serde_json::from_str(include_str!("../inspect.schema.json")).expect("schema");
    let item_schema = &schema["items"]["oneOf"][0];
    let required: Vec<&str> = item_schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for (f, item) in facts.iter().zip(items) {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "keys in alphabetical order");
        for k in &required {
            assert!(keys.contains(k), "{}: no `{k}`", f.file);
        }
        for k in &keys {
            assert!(
                item_schema["properties"].get(*k).is_some(),
                "{}: `{k}` is not in the schema",
                f.file
            );
        }
        assert_eq!(
            item["rows"].as_u64(),
            Some(f.rows as u64),
            "{}: rows",
            f.file
        );
        if let Some(n) = f.cycles {
            assert_eq!(
                item["cycle_numbers"].as_array().map(Vec::len),
                Some(n),
                "{}: cycles",
                f.file
            );
        }
        if let Some((lo, hi)) = f.voltage
            && !READER_CORRECTIONS.iter().any(|(file, _)| *file == f.file)
        {
            let v = &item["voltage_v"];
            let (a, b) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
            assert!(
                close(a, lo) && close(b, hi),
                "{}: voltage {a}–{b} vs {lo}–{hi}",
                f.file
            );
        }
        if let Some((x, y)) = f.frequency {
            let v = &item["frequency_hz"];
            let (a, b) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
            let (lo, hi) = (x.min(y), x.max(y));
            assert!(
                close(a, lo) && close(b, hi),
                "{}: frequency {a}–{b} vs {lo}–{hi}",
                f.file
            );
        }
    }
}

#[test]
fn predict_life_says_why_the_attia_gitt_file_has_no_prediction() {
    let file = voltai_battery_data::data_dir::dataset_dir("attia2020_closed_loop_fastcharge")
        .expect("shared Attia data")
        .join("arbin_gitt_aged_CH34.csv");
    let (code, stdout, _) = voltai(&["predict-life", file.to_str().unwrap()]);
    assert_eq!(code, 1, "no prediction is a failure exit: {stdout}");
    assert!(
        stdout.contains("no prediction") && stdout.contains("cycle 10 is missing"),
        "{stdout}"
    );
    let (_, json, _) = voltai(&["predict-life", "--json", file.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(
        v[0]["error"]
            .as_str()
            .unwrap()
            .contains("cycle 10 is missing")
    );
}

#[test]
fn a_synthetic_arbin_export_goes_through_every_command() {
    use voltai_battery_data::synthetic::{Sampling, SyntheticCell, write_arbin_csv};
    let dir = std::env::temp_dir().join(format!("voltai_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("lfp_cell.csv");
    let cell = SyntheticCell::lfp("lfp_cell");
    let series = cell
        .time_series(&Sampling {
            dt_s: 2.0,
            noise_v: 1e-3,
            quantum_v: 1e-4,
            seed: 3,
            ..Sampling::default()
        })
        .unwrap();
    write_arbin_csv(&series, &csv).unwrap();
    let csv_s = csv.to_str().unwrap();

    // inspect: 100 cycles with the closed-form capacities.
    let (code, out, err) = voltai(&["inspect", "--json", csv_s]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["format"], "Arbin CSV");
    assert_eq!(v[0]["cycle_numbers"].as_array().unwrap().len(), 100);
    let q50 = v[0]["cycles"][49]["discharge_capacity_ah"]
        .as_f64()
        .unwrap();
    assert!((q50 - cell.discharge_capacity(50)).abs() < 1e-4, "{q50}");

    // predict-life: a prediction with its interval; the clean synthetic cell
    // fades more gently than any training cell, which the warnings say.
    let (code, out, err) = voltai(&[
        "predict-life",
        "--json",
        "--chemistry",
        "LFP",
        "--nominal-ah",
        "1.1",
        csv_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let p = &v[0]["prediction"];
    let (life, lo, hi) = (
        p["cycle_life"].as_f64().unwrap(),
        p["interval"][0].as_f64().unwrap(),
        p["interval"][1].as_f64().unwrap(),
    );
    assert!(lo < life && life < hi, "{p}");
    let warnings = p["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("q_max_minus_q2_Ah")),
        "{p}"
    );
    assert!(
        !warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("chemistry")),
        "{p}"
    );

    // features: CSV with the set's columns, the same numbers as the library.
    let out_csv = dir.join("features.csv");
    let (code, _, err) = voltai(&[
        "features",
        csv_s,
        "--set",
        "severson-discharge",
        "-o",
        out_csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out_csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "cell_id,log10_abs_min_dq,log10_abs_var_dq,log10_abs_skew_dq,log10_abs_kurt_dq,q_cycle2_Ah,q_max_minus_q2_Ah"
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let q2: f64 = row[5].parse().unwrap();
    assert!((q2 - cell.discharge_capacity(2)).abs() < 1e-4);
    let (code, _, err) = voltai(&["features", csv_s, "--set", "severson-everything"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown feature set"), "{err}");

    // convert: one Parquet file with every record.
    let parquet = dir.join("lfp_cell.parquet");
    let (code, out, err) = voltai(&["convert", csv_s, "-o", parquet.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("{} records", series.records.len())),
        "{out}"
    );
    assert!(parquet.metadata().unwrap().len() > 1000);

    // report: HTML with figures and the prediction.
    let html = dir.join("report.html");
    let (code, _, err) = voltai(&["report", csv_s, "-o", html.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<svg").count(), 2, "capacity fade and ΔQ(V)");
    assert!(page.contains("Predicted cycle life"));
    std::fs::remove_dir_all(&dir).ok();
}

/// `voltai` with a controlled environment: no `$VOLTAI_DATA_DIR`, the cache
/// under `cache`, run from `cwd`.
fn voltai_in(
    cwd: &Path,
    cache: &Path,
    env: &[(&str, &Path)],
    args: &[&str],
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_voltai"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("VOLTAI_DATA_DIR")
        .env_remove("VOLTAI_DATA_MIRROR")
        .env("XDG_CACHE_HOME", cache)
        .env("HOME", cache);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the voltai binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("voltai-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn data_verify_confirms_every_registered_shared_file() {
    let (code, out, err) = voltai(&["data", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
    let registry = voltai_battery_data::registry::Registry::builtin().unwrap();
    for d in &registry.datasets {
        let n = d.files.len();
        assert!(
            out.contains(&format!("{}: {n} of {n} files verified (SHA-256)", d.name)),
            "{}: {out}",
            d.name
        );
    }
}

#[test]
fn data_verify_reports_a_changed_file() {
    let shared = data_dir().parent().unwrap().to_path_buf();
    let root = scratch("verify");
    let copy = root.join("gasper2022_nmc_eis_temp_soc");
    std::fs::create_dir_all(&copy).unwrap();
    let mut bytes = std::fs::read(shared.join("gasper2022_nmc_eis_temp_soc/data.csv")).unwrap();
    bytes[1000] ^= 1;
    std::fs::write(copy.join("data.csv"), &bytes).unwrap();
    let (code, out, _) = voltai_in(
        &root,
        &root.join("cache"),
        &[("VOLTAI_DATA_DIR", &root)],
        &["data", "verify", "gasper2022_nmc_eis_temp_soc"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("0 of 1 files verified") && out.contains("WrongHash"),
        "{out}"
    );
}

// Linux: the test sets the cache through XDG_CACHE_HOME and compares paths
// with `/` separators.
#[cfg(target_os = "linux")]
#[test]
fn data_path_follows_the_resolution_order_and_names_the_fetch_command() {
    const GASPER: &str = "gasper2022_nmc_eis_temp_soc";
    let real = data_dir().parent().unwrap().join(GASPER).join("data.csv");
    let outside = scratch("path");
    let cache = outside.join("cache");
    let path_of = |cwd: &Path, env: &[(&str, &Path)], name: &str| {
        let (code, out, err) = voltai_in(cwd, &cache, env, &["data", "path", name]);
        (code, out.trim().to_string(), err)
    };
    // Outside any checkout, with an empty cache: not found, and the exact command.
    let (code, _, err) = path_of(&outside, &[], GASPER);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("voltai data fetch {GASPER}")),
        "{err}"
    );
    // A derived data set that no public address serves says how to get it.
    let (_, _, err) = path_of(&outside, &[], "zhang2020_lco_eis");
    assert!(
        err.contains("--mirror URL") && err.contains("voltai data list --files zhang2020_lco_eis"),
        "{err}"
    );
    // The checkout's own copy of the Severson files is found from anywhere.
    let (code, out, _) = path_of(&outside, &[], "severson2019_lfp_fastcharge");
    assert_eq!(code, 0);
    assert!(out.ends_with("data/severson2019_lfp_fastcharge"), "{out}");
    // A complete data set in the cache is found; an incomplete one is not.
    let cached = cache.join("voltai/data").join(GASPER);
    std::fs::create_dir_all(&cached).unwrap();
    assert_eq!(path_of(&outside, &[], GASPER).0, 2);
    std::fs::copy(&real, cached.join("data.csv")).unwrap();
    assert_eq!(path_of(&outside, &[], GASPER).1, cached.to_str().unwrap());
    // shared/data beside the working folder comes before the cache ...
    let work = outside.join("work");
    let shared = outside.join("shared/data").join(GASPER);
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::copy(&real, shared.join("data.csv")).unwrap();
    assert_eq!(path_of(&work, &[], GASPER).1, shared.to_str().unwrap());
    // ... and $VOLTAI_DATA_DIR before both, when its copy is complete (a
    // fetch that stopped half way leaves an incomplete one).
    let mine = outside.join("mine");
    std::fs::create_dir_all(mine.join(GASPER)).unwrap();
    let env = [("VOLTAI_DATA_DIR", mine.as_path())];
    assert_eq!(path_of(&work, &env, GASPER).1, shared.to_str().unwrap());
    std::fs::copy(&real, mine.join(GASPER).join("data.csv")).unwrap();
    assert_eq!(
        path_of(&work, &env, GASPER).1,
        mine.join(GASPER).to_str().unwrap()
    );
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn data_list_names_sources_and_licences() {
    let (code, out, _) = voltai(&["data", "list", "--files", "zhang2020_lco_eis"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("zhang2020_lco_eis")
            && out.contains("licence:")
            && out.contains("derived from https://"),
        "{out}"
    );
    let (code, _, err) = voltai(&["data", "fetch"]);
    assert_eq!(code, 2);
    assert!(err.contains("--all"), "{err}");
}

/// Serves `root/<path>` for `GET /<path>` on 127.0.0.1 (whole files, no
/// ranges), one thread per connection; returns the base address.
fn serve_folder(root: PathBuf) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let path = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/')
                    .to_string();
                let mut out = stream;
                let _ = match std::fs::read(root.join(path)) {
                    Ok(bytes) => out
                        .write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len()).as_bytes())
                        .and_then(|_| out.write_all(&bytes)),
                    Err(_) => out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                };
            });
        }
    });
    base
}

#[test]
fn data_fetch_from_a_mirror_then_verify_and_locate() {
    let shared = data_dir().parent().unwrap().to_path_buf();
    let mirror = serve_folder(shared);
    let root = scratch("fetch");
    let cache = root.join("cache");
    let into = root.join("into");
    let env = [("VOLTAI_DATA_DIR", into.as_path())];
    // Into $VOLTAI_DATA_DIR (created), from the mirror, a set with no public address.
    let (code, out, err) = voltai_in(
        &root,
        &cache,
        &env,
        &[
            "data",
            "fetch",
            "chen_nmc_pouch_aging_modes",
            "--mirror",
            &mirror,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("chen_nmc_pouch_aging_modes:") && out.contains("1.4 MB"),
        "{out}"
    );
    let (code, out, _) = voltai_in(
        &root,
        &cache,
        &env,
        &["data", "verify", "chen_nmc_pouch_aging_modes"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("2 of 2 files verified"), "{out}");
    let (_, out, _) = voltai_in(
        &root,
        &cache,
        &env,
        &["data", "path", "chen_nmc_pouch_aging_modes"],
    );
    assert_eq!(
        out.trim(),
        into.join("chen_nmc_pouch_aging_modes").to_str().unwrap()
    );
    // Without the mirror the same set is refused before any download, exit 1.
    let (code, _, err) = voltai_in(
        &root,
        &cache,
        &[],
        &[
            "data",
            "fetch",
            "zhang2020_lco_eis",
            "--dir",
            into.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("--mirror URL"), "{err}");
    // A mirror that lacks the files: 404, exit 1, nothing placed.
    let (code, _, err) = voltai_in(
        &root,
        &cache,
        &env,
        &[
            "data",
            "fetch",
            "gasper2022_nmc_eis_temp_soc",
            "--mirror",
            &format!("{mirror}/nowhere"),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("404"), "{err}");
    assert!(!into.join("gasper2022_nmc_eis_temp_soc/data.csv").exists());
    let _ = std::fs::remove_dir_all(&*root);
}

/// `voltai life-benchmark --quick` prints the table with the variance
/// model at Severson et al.'s 138 / 196 cycles and writes the same rows as JSON.
#[test]
fn life_benchmark_prints_the_table_and_writes_json() {
    let json = std::env::temp_dir().join(format!("voltai-benchmark-{}.json", std::process::id()));
    let (code, out, err) = voltai(&[
        "life-benchmark",
        "--quick",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let variance = out
        .lines()
        .find(|l| l.contains("variance model"))
        .unwrap_or_else(|| panic!("no variance row in\n{out}"));
    let cells: Vec<&str> = variance.split_whitespace().collect();
    assert_eq!(&cells[3..7], &["138", "136", "196", "211"], "{variance}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The ten classical rows first; the four neural ones follow when
    // voltai-life is built with `neural` (as under --all-features).
    let names: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    assert_eq!(names[..2], ["dummy (training mean)", "variance model"]);
    assert_eq!(names[3], "GP (linear + ARD)");
    assert_eq!(names[9], "gradient boosting");
    assert!(names.len() == 10 || names[10..] == ["MLP", "CNN", "LSTM", "Transformer"]);
    assert_eq!(report["quick"], true);
    let _ = std::fs::remove_file(&json);
}
