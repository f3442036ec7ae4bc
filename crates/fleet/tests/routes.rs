//! The three routes to a fleet's features — the in-process streaming scan,
//! DataFusion, Ballista standalone — agree on every cell, and the features
//! match the synthetic fleet's closed forms.

use std::path::PathBuf;

use voltai_battery_data::features::FleetFeatureOptions;
use voltai_battery_data::fleet::{SyntheticFleet, scan_features};
use voltai_fleet::{FleetFeatures, cell_features, local_context, register_parquet};

const CELLS: usize = 24;
const CYCLES: u32 = 90;
const POINTS: u32 = 12;

/// A fleet file removed when dropped.
struct Fleet {
    path: PathBuf,
    spec: SyntheticFleet,
}

impl Fleet {
    fn write(tag: &str) -> Fleet {
        let path =
            std::env::temp_dir().join(format!("voltai_fleet_{tag}_{}.parquet", std::process::id()));
        // Row groups of 5000 rows: cells (1080 rows each) straddle them,
        // so partitions hold parts of cells whose states must merge.
        let spec = SyntheticFleet::new(CELLS, CYCLES, POINTS)
            .and_then(|f| f.row_group_rows(5000))
            .expect("valid fleet");
        spec.write(&path, &mut voltai_core::progress::silent)
            .expect("fleet written");
        Fleet { path, spec }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

/// End of life at 98 %: cells with faster fade reach it within 90 cycles
/// (life ≈ 1 + 0.02 / fade, 63–101 cycles here), slower ones do not, so
/// both kinds of answer are checked. ΔQ(V) between cycles 10 and 80.
fn options() -> FleetFeatureOptions {
    FleetFeatureOptions::default()
        .eol_fraction(0.98)
        .and_then(|o| o.delta_q_cycles(Some((10, 80))))
        .expect("valid options")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn in_process(fleet: &Fleet, options: &FleetFeatureOptions) -> Vec<FleetFeatures> {
    scan_features(&fleet.path, options)
        .expect("scan features")
        .iter()
        .map(FleetFeatures::from)
        .collect()
}

fn datafusion(
    fleet: &Fleet,
    partitions: usize,
    options: &FleetFeatureOptions,
) -> Vec<FleetFeatures> {
    runtime()
        .block_on(async {
            let ctx = local_context(partitions, options);
            register_parquet(&ctx, "fleet", &fleet.path).await?;
            cell_features(&ctx, "fleet", options).await
        })
        .expect("DataFusion features")
}

fn assert_agree(a: &[FleetFeatures], b: &[FleetFeatures], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: cell count");
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.cell_id, y.cell_id, "{what}");
        assert!(
            close(x.fade_slope_ah_per_cycle, y.fade_slope_ah_per_cycle),
            "{what}: {x:?} vs {y:?}"
        );
        assert_eq!(x.cycle_life, y.cycle_life, "{what}: {}", x.cell_id);
        match (x.delta_q_variance, y.delta_q_variance) {
            (Some(p), Some(q)) => assert!(close(p, q), "{what}: {x:?} vs {y:?}"),
            (p, q) => assert_eq!(p, q, "{what}: {}", x.cell_id),
        }
    }
}

#[test]
fn features_match_the_closed_forms() {
    let fleet = Fleet::write("closed");
    let features = in_process(&fleet, &options());
    assert_eq!(features.len(), CELLS);
    let mut reached = 0;
    for (i, f) in features.iter().enumerate() {
        assert_eq!(f.cell_id, SyntheticFleet::cell_id(i));
        let (q0, fade) = fleet.spec.truth(i);
        // Capacity per cycle is q0 (1 − fade c): the slope is −q0 fade.
        let slope = -q0 * fade;
        assert!(
            (f.fade_slope_ah_per_cycle - slope).abs() <= 1e-9 * slope.abs(),
            "{f:?} vs {slope}"
        );
        // First c with 1 − fade c < 0.98 (1 − fade), if within the run.
        let life = (1..=CYCLES).find(|&c| 1.0 - fade * f64::from(c) < 0.98 * (1.0 - fade));
        assert_eq!(f.cycle_life, life, "cell {i}");
        reached += usize::from(life.is_some());
        // Q_80(V) is Q_10(V) scaled by (1 − 80 fade)/(1 − 10 fade): ΔQ
        // varies along the curve, so its variance is positive.
        assert!(f.delta_q_variance.is_some_and(|v| v > 0.0), "{f:?}");
    }
    assert!(
        reached > 0 && reached < CELLS,
        "{reached} of {CELLS} reached end of life"
    );
}

#[test]
fn datafusion_agrees_with_the_scan_on_every_cell() {
    let fleet = Fleet::write("datafusion");
    let reference = in_process(&fleet, &options());
    for partitions in [1, 3, 7] {
        let sql = datafusion(&fleet, partitions, &options());
        assert_agree(
            &reference,
            &sql,
            &format!("DataFusion, {partitions} partitions"),
        );
    }
    // Without ΔQ the query has no ΔQ column and the fade features stand.
    let fade_only = options().delta_q_cycles(None).expect("valid options");
    let sql = datafusion(&fleet, 2, &fade_only);
    assert!(sql.iter().all(|f| f.delta_q_variance.is_none()));
    assert_agree(
        &in_process(&fleet, &fade_only),
        &sql,
        "DataFusion, fade only",
    );
}

#[test]
fn per_cycle_rows_give_the_same_fade_as_raw_rows() {
    // Capacity per cycle is SQL's MAX; the per-cell functions take those
    // rows as readily as the raw ones, with the same answer.
    let fleet = Fleet::write("per_cycle");
    let reference = in_process(&fleet, &options());
    let batches = runtime()
        .block_on(async {
            let ctx = local_context(3, &options());
            register_parquet(&ctx, "fleet", &fleet.path).await?;
            ctx.sql(
                "WITH per_cycle AS (SELECT cell_id, cycle_index, MAX(discharge_capacity_ah) AS q \
                 FROM fleet GROUP BY cell_id, cycle_index) \
                 SELECT cell_id, voltai_fade_slope(cycle_index, q) AS s, \
                 voltai_cycle_life(cycle_index, q) AS l FROM per_cycle GROUP BY cell_id ORDER BY cell_id",
            )
            .await
            .map_err(|e| voltai_core::Error::InvalidInput(e.to_string()))?
            .collect()
            .await
            .map_err(|e| voltai_core::Error::InvalidInput(e.to_string()))
        })
        .expect("per-cycle query");
    let mut rows = 0;
    for b in &batches {
        let s = b
            .column(1)
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Float64Array>()
            .expect("Float64");
        let l = b
            .column(2)
            .as_any()
            .downcast_ref::<datafusion::arrow::array::UInt32Array>()
            .expect("UInt32");
        for i in 0..b.num_rows() {
            let want = &reference[rows];
            assert!(
                (s.value(i) - want.fade_slope_ah_per_cycle).abs()
                    <= 1e-12 * want.fade_slope_ah_per_cycle.abs()
            );
            assert_eq!(l.is_valid(i).then(|| l.value(i)), want.cycle_life);
            rows += 1;
        }
    }
    assert_eq!(rows, CELLS);
}

#[test]
fn table_names_are_taken_as_written() {
    let fleet = Fleet::write("names");
    let opts = options();
    let features = runtime()
        .block_on(async {
            let ctx = local_context(2, &opts);
            register_parquet(&ctx, "Fleet \"A\".v2", &fleet.path).await?;
            cell_features(&ctx, "Fleet \"A\".v2", &opts).await
        })
        .expect("quoted table name");
    assert_agree(
        &in_process(&fleet, &opts),
        &features,
        "a table named Fleet \"A\".v2",
    );
}

#[cfg(feature = "ballista")]
#[test]
fn ballista_standalone_runs_the_same_query() {
    let fleet = Fleet::write("ballista");
    let reference = in_process(&fleet, &options());
    let from_cluster = runtime()
        .block_on(async {
            let ctx = voltai_fleet::ballista_standalone(4, &options()).await?;
            register_parquet(&ctx, "fleet", &fleet.path).await?;
            cell_features(&ctx, "fleet", &options()).await
        })
        .expect("Ballista features");
    assert_agree(
        &reference,
        &from_cluster,
        "Ballista standalone, 4 partitions",
    );
}

#[test]
fn sql_on_other_tables_and_bad_input() {
    let opts = FleetFeatureOptions::default();
    let run = |sql: &str| {
        runtime().block_on(async {
            let ctx = local_context(2, &opts);
            ctx.sql(sql).await?.collect().await
        })
    };
    // Integer cycles and literal capacities coerce; the slope of
    // 1.0, 0.9, 0.8 over cycles 1, 2, 3 is −0.1.
    let batches = run(
        "SELECT voltai_fade_slope(c, q) AS s, voltai_cycle_life(c, q) AS l \
         FROM (VALUES (1, 1.0), (2, 0.9), (2, 0.85), (3, 0.8)) AS t(c, q)",
    )
    .expect("query runs");
    let s = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::Float64Array>()
        .expect("Float64")
        .value(0);
    assert!((s + 0.1).abs() < 1e-12, "{s}");
    let l = batches[0]
        .column(1)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::UInt32Array>()
        .expect("UInt32");
    // 0.8 is not below 0.8 · 1.0: censored, NULL.
    assert!(l.is_null(0));
    // Text where a number belongs is refused at planning.
    let e = run("SELECT voltai_fade_slope(c, q) FROM (VALUES (1, 'a'), (2, 'b')) AS t(c, q)")
        .expect_err("text capacity");
    assert!(e.to_string().contains("discharge_capacity_ah"), "{e}");
    // A non-finite capacity is an error naming the cycle, not a NaN slope.
    let e =
        run("SELECT voltai_fade_slope(c, q) FROM (VALUES (1, 1.0), (2, 'NaN'::double)) AS t(c, q)")
            .expect_err("NaN capacity");
    assert!(e.to_string().contains("cycle 2"), "{e}");
    // One cycle has no slope.
    let e = run("SELECT voltai_fade_slope(c, q) FROM (VALUES (1, 1.0)) AS t(c, q)")
        .expect_err("one cycle");
    assert!(e.to_string().contains("at least 2"), "{e}");
}

use datafusion::arrow::array::Array;
