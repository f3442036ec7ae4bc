//! `voltai`: battery data from the command line — inspect cycler files,
//! convert them to Parquet, compute early-life features, predict cycle life
//! with the shipped model, write an HTML report, fetch the public data
//! sets, and run the cycle-life benchmark.

mod data;
mod inspect;
mod load;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use voltai_battery_data::features::{DeltaQOptions, FeatureSet, NamedFeatures, cell_features};
use voltai_core::{Error, Result};
use voltai_life::EarlyLifeModel;

use crate::load::{CellOptions, load_histories, progress_bar};

/// Battery data from the command line.
#[derive(Parser)]
#[command(name = "voltai", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Format, cells, cycles, rows, time span, voltage range and per-cycle capacities of each file.
    Inspect {
        /// Cycler or impedance files (format detected from content).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON (schema: crates/cli/inspect.schema.json) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Convert cycling files to one time-series Parquet file.
    Convert {
        /// Cycling files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output Parquet file (one file per input when several: OUT stem + input stem).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Early-life features of each cell as CSV (one row per file).
    Features {
        /// Cycling files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Feature set: severson-variance, severson-discharge, severson-full, severson-all.
        #[arg(long, default_value = "severson-discharge")]
        set: String,
        /// Output CSV (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        cell: CellArgs,
    },
    /// Cycle life from the first 100 cycles with the shipped model, with a 90 % interval and domain warnings.
    PredictLife {
        /// Cycling files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Shipped model: severson2019_discharge or severson2019_variance.
        #[arg(long, default_value = "severson2019_discharge")]
        model: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        cell: CellArgs,
    },
    /// The public data sets: list, fetch (with checksums), locate, verify.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// BatteryML's cycle-life benchmark on the Severson cells with our models, beside BatteryML's figures.
    LifeBenchmark {
        /// Trimmed grids and two seeds (seconds instead of minutes).
        #[arg(long)]
        quick: bool,
        /// Also write the table as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// An HTML report per cell: capacity fade, ΔQ(V), features and prediction, with figures.
    Report {
        /// Cycling files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output HTML file.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        cell: CellArgs,
    },
}

/// What the files do not say about their cells.
#[derive(Args, Clone)]
struct CellArgs {
    /// Cell chemistry (e.g. LFP, NMC), for the domain check.
    #[arg(long)]
    chemistry: Option<String>,
    /// Nominal capacity in Ah, for the domain check.
    #[arg(long)]
    nominal_ah: Option<f64>,
}

impl CellArgs {
    fn options(&self) -> Result<CellOptions> {
        if let Some(q) = self.nominal_ah
            && !(q.is_finite() && q > 0.0)
        {
            return Err(Error::invalid_parameter("--nominal-ah", q, "(0, inf)"));
        }
        Ok(CellOptions {
            chemistry: self.chemistry.clone(),
            nominal_capacity_ah: self.nominal_ah,
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Ok(false) when some file could not be handled (each reason printed).
fn run(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::Inspect { files, json } => inspect::run(&files, json),
        Command::Convert { files, output } => convert(&files, &output),
        Command::Features {
            files,
            set,
            output,
            cell,
        } => features(
            &files,
            FeatureSet::from_label(&set)?,
            output,
            &cell.options()?,
        ),
        Command::PredictLife {
            files,
            model,
            json,
            cell,
        } => predict_life(
            &files,
            &EarlyLifeModel::shipped(&model)?,
            json,
            &cell.options()?,
        ),
        Command::Report {
            files,
            output,
            cell,
        } => report::run(&files, &output, &cell.options()?),
        Command::Data(command) => data::run(command),
        Command::LifeBenchmark { quick, json } => life_benchmark(quick, json),
    }
}

fn life_benchmark(quick: bool, json: Option<PathBuf>) -> Result<bool> {
    use voltai_battery_data::data_dir::dataset_dir;
    use voltai_battery_data::readers::SeversonData;
    use voltai_life::benchmark::{BenchmarkOptions, run_benchmark};
    let data = SeversonData::load(dataset_dir("severson2019_lfp_fastcharge")?)?;
    let options = if quick {
        BenchmarkOptions::quick()
    } else {
        BenchmarkOptions::full()
    };
    let bar = progress_bar(1, "life benchmark");
    let report = run_benchmark(&data, &options, &mut |p| {
        if let Some(total) = p.total {
            bar.set_length(total as u64);
        }
        bar.set_position(p.step as u64);
        if let Some(label) = p.label {
            bar.set_message(label.to_string());
        }
    })?;
    bar.finish_and_clear();
    println!("{report}");
    if let Some(path) = json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| Error::internal(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(true)
}

fn convert(files: &[PathBuf], output: &std::path::Path) -> Result<bool> {
    let bar = progress_bar(files.len(), "converting");
    let mut ok = true;
    for file in files {
        bar.set_message(file.display().to_string());
        let out = if files.len() == 1 {
            output.to_path_buf()
        } else {
            let stem = output.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
            let input = file.file_stem().and_then(|s| s.to_str()).unwrap_or("cell");
            output.with_file_name(format!("{stem}_{input}.parquet"))
        };
        match voltai_battery_data::cycler::convert_to_parquet(file, &out, None) {
            // Printed beside the bar (which hides itself off a terminal).
            Ok(n) => {
                bar.suspend(|| println!("{}: {n} records → {}", file.display(), out.display()))
            }
            Err(e) => {
                bar.suspend(|| eprintln!("{}: {e}", file.display()));
                ok = false;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(ok)
}

fn features(
    files: &[PathBuf],
    set: FeatureSet,
    output: Option<PathBuf>,
    cell: &CellOptions,
) -> Result<bool> {
    let mut rows: Vec<NamedFeatures> = Vec::new();
    let mut ok = true;
    for (file, history) in load_histories(files, cell) {
        match history.and_then(|h| cell_features(&h, set, &DeltaQOptions::default())) {
            Ok(f) => rows.push(f),
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                ok = false;
            }
        }
    }
    let mut text = String::from("cell_id");
    for n in set.names() {
        text.push(',');
        text.push_str(n);
    }
    text.push('\n');
    for r in &rows {
        text.push_str(&csv_field(&r.cell_id));
        for v in &r.values {
            text.push_str(&format!(",{v:e}"));
        }
        text.push('\n');
    }
    match output {
        Some(path) => std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?,
        None => print!("{text}"),
    }
    Ok(ok)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn predict_life(
    files: &[PathBuf],
    model: &EarlyLifeModel,
    json: bool,
    cell: &CellOptions,
) -> Result<bool> {
    let mut ok = true;
    let mut out = Vec::new();
    for (file, history) in load_histories(files, cell) {
        let result = history.and_then(|h| model.predict(&h));
        let path = file.display().to_string();
        match &result {
            Ok(p) if !json => {
                println!(
                    "{path}: cell {} — cycle life {:.0} (90 % interval {:.0}–{:.0}) [{}]",
                    p.cell_id, p.cycle_life, p.interval.0, p.interval.1, p.model
                );
                for w in &p.warnings {
                    println!("  warning: {w}");
                }
            }
            Err(e) if !json => println!("{path}: no prediction: {e}"),
            _ => {}
        }
        ok &= result.is_ok();
        out.push(match result {
            Ok(p) => serde_json::json!({"file": path, "prediction": p}),
            Err(e) => serde_json::json!({"file": path, "error": e.to_string()}),
        });
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| Error::internal(e.to_string()))?
        );
    }
    Ok(ok)
}
