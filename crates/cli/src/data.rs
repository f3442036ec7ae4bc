//! `voltai data`: list, fetch, locate and verify the public data sets of the
//! registry in `voltai-battery-data`.

use std::path::PathBuf;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use voltai_battery_data::data_dir::{candidate_dirs, dataset_dir, fetch_root, remedy};
use voltai_battery_data::registry::fetch::Fetcher;
use voltai_battery_data::registry::{
    FileStatus, Origin, RegisteredDataset, Registry, verify_dataset,
};
use voltai_core::{Error, Result};

/// The environment variable naming a mirror that serves every registered
/// file at `{mirror}/{data set}/{path}`.
const MIRROR_ENV: &str = "VOLTAI_DATA_MIRROR";

#[derive(Subcommand)]
pub enum DataCommand {
    /// The registered data sets: files, size, licence, and where each is found.
    List {
        /// Also list every file with its source (one data set, or all).
        #[arg(long)]
        files: bool,
        /// Only these data sets.
        names: Vec<String>,
    },
    /// Download data sets into $VOLTAI_DATA_DIR or the per-user cache, checked against their SHA-256.
    Fetch {
        /// Data set names (`voltai data list`); `--all` for every one.
        names: Vec<String>,
        /// Every registered data set.
        #[arg(long)]
        all: bool,
        /// Serve every file from this mirror ({mirror}/{data set}/{path}); default $VOLTAI_DATA_MIRROR.
        #[arg(long)]
        mirror: Option<String>,
        /// Write under this folder instead of $VOLTAI_DATA_DIR or the cache.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The folder a data set is read from (the resolution order of `voltai data list`).
    Path {
        /// Data set name.
        name: String,
    },
    /// Check every registered file of the data sets found against its size and SHA-256.
    Verify {
        /// Only these data sets (default: every one that is found).
        names: Vec<String>,
    },
}

pub fn run(command: DataCommand) -> Result<bool> {
    let registry = Registry::builtin()?;
    match command {
        DataCommand::List { files, names } => list(&registry, &names, files),
        DataCommand::Fetch {
            names,
            all,
            mirror,
            dir,
        } => fetch(&registry, &names, all, mirror, dir),
        DataCommand::Path { name } => {
            registry.get(&name)?;
            println!("{}", dataset_dir(&name)?.display());
            Ok(true)
        }
        DataCommand::Verify { names } => verify(&registry, &names),
    }
}

fn selected<'a>(registry: &'a Registry, names: &[String]) -> Result<Vec<&'a RegisteredDataset>> {
    if names.is_empty() {
        Ok(registry.datasets.iter().collect())
    } else {
        names.iter().map(|n| registry.get(n)).collect()
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn list(registry: &Registry, names: &[String], files: bool) -> Result<bool> {
    println!(
        "resolution order: $VOLTAI_DATA_DIR, ../shared/data (nearest above), the cache, the checkout's data/"
    );
    match fetch_root() {
        Ok(root) => println!("fetch writes to: {}\n", root.display()),
        Err(e) => println!("fetch writes to: nowhere yet ({e})\n"),
    }
    for d in selected(registry, names)? {
        let no_url = d.files.iter().filter(|f| f.url.is_none()).count();
        let found = match dataset_dir(&d.name) {
            Ok(dir) => dir.display().to_string(),
            Err(Error::MissingData { .. }) => "not found".to_string(),
            Err(e) => return Err(e),
        };
        println!(
            "{}  ({} files, {})",
            d.name,
            d.files.len(),
            megabytes(d.bytes())
        );
        println!("  {}", d.title);
        println!("  cite: {}", d.citation);
        println!("  licence: {}", d.licence);
        println!("  found: {found}");
        if no_url == 0 {
            println!("  fetch: voltai data fetch {}", d.name);
        } else {
            println!(
                "  fetch: {no_url} of {} files have no public address (derived, licence does not allow \
                 hosting): build them from their sources (`voltai data list --files {}`) or use a mirror \
                 (`voltai data fetch {} --mirror URL`)",
                d.files.len(),
                d.name,
                d.name
            );
        }
        if files {
            for f in &d.files {
                let from = match &f.origin {
                    Origin::Verbatim { source } => format!("verbatim from {source}"),
                    Origin::Derived { from, recipe } => {
                        format!("derived from {}: {recipe}", from.join(", "))
                    }
                };
                println!(
                    "    {}  {} B  sha256 {}\n      url: {}\n      {from}",
                    f.path,
                    f.bytes,
                    f.sha256,
                    f.url.as_deref().unwrap_or("none")
                );
            }
        }
        println!();
    }
    Ok(true)
}

fn fetch(
    registry: &Registry,
    names: &[String],
    all: bool,
    mirror: Option<String>,
    dir: Option<PathBuf>,
) -> Result<bool> {
    if names.is_empty() && !all {
        return Err(Error::InvalidInput(
            "name the data sets to fetch (`voltai data list`), or pass --all".into(),
        ));
    }
    let mirror = mirror.or_else(|| std::env::var(MIRROR_ENV).ok().filter(|m| !m.is_empty()));
    let registry = match &mirror {
        Some(m) => registry.mirrored(m),
        None => registry.clone(),
    };
    let targets: Vec<String> = if all {
        // Without a mirror, --all fetches what has an address and says how
        // to get the rest; naming such a data set is an error instead.
        for d in &registry.datasets {
            if d.files.iter().any(|f| f.url.is_none()) {
                println!("{}: skipped; {}", d.name, remedy(d));
            }
        }
        registry
            .datasets
            .iter()
            .filter(|d| d.files.iter().all(|f| f.url.is_some()))
            .map(|d| d.name.clone())
            .collect()
    } else {
        names.to_vec()
    };
    let fetcher = match dir {
        Some(dir) => Fetcher::with_root(registry, dir),
        None => Fetcher::new(registry)?,
    };
    let mut ok = true;
    for name in &targets {
        let total = fetcher.registry().get(name)?.bytes();
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(name.clone());
        let result = fetcher.fetch(name, &mut |p| {
            if p.task == "fetch: waiting" {
                bar.println(format!(
                    "{name}: waiting for another fetch of this data set"
                ));
                return;
            }
            bar.set_position(p.step as u64);
            if let Some(label) = p.label {
                bar.set_message(label.to_string());
            }
        });
        bar.finish_and_clear();
        match result {
            Ok(dir) => println!("{name}: {} ({})", dir.display(), megabytes(total)),
            Err(e) => {
                eprintln!("{name}: {e}");
                ok = false;
            }
        }
    }
    Ok(ok)
}

fn verify(registry: &Registry, names: &[String]) -> Result<bool> {
    let mut ok = true;
    let mut any = false;
    for d in selected(registry, names)? {
        let dir = match dataset_dir(&d.name) {
            Ok(dir) => dir,
            Err(Error::MissingData { .. }) if names.is_empty() => {
                println!("{}: not found (skipped)", d.name);
                continue;
            }
            Err(e) => return Err(e),
        };
        any = true;
        let checks = verify_dataset(d, &dir)?;
        let bad: Vec<_> = checks
            .iter()
            .filter(|c| c.status != FileStatus::Ok)
            .collect();
        println!(
            "{}: {} of {} files verified (SHA-256) in {}",
            d.name,
            checks.len() - bad.len(),
            checks.len(),
            dir.display()
        );
        for c in &bad {
            println!("  {}: {:?}", c.path.display(), c.status);
        }
        ok &= bad.is_empty();
    }
    if !any {
        let searched: Vec<_> = candidate_dirs("<name>")?
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::InvalidInput(format!(
            "no data set found (looked in: {})",
            searched.join("; ")
        )));
    }
    Ok(ok)
}
