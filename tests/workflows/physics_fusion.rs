//! The documented multi-fidelity problem (PyBaMM's SPMe as the cheap source,
//! 10 measurements of an aged cell; `voltai::studies::physics_fusion`), 20
//! seeds, default settings: no seed worse than the physics model alone by
//! more than 20 %, mean RMSE below emukit's linear multi-fidelity model on the
//! same inputs (its figures recorded by `benches/compare/multifidelity.py
//! --record`, version inside the file), and 95 % intervals covering 85–99 %
//! of the held-out points on average.
#![cfg(feature = "gp")]

use voltai::core::Result;
use voltai::core::metrics::rmse;
use voltai::gp::Scheme;
use voltai::studies::physics_fusion::{self as pf, Hyper, Method};

fn reference() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools/reference/multifidelity/emukit_pybamm.json");
    let text = std::fs::read_to_string(&path).expect("recorded emukit figures");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn malformed_curve_files_are_refused_with_their_place() {
    let dir = std::env::temp_dir().join(format!("voltai-physics-fusion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let header = "# PyBaMM 0; test\nsource,c_rate,depth_of_discharge,voltage_v\n";
    let bad_number = write("bad.csv", &format!("{header}spme,0.5,0.1,abc\n"));
    let err = pf::load_curves(&bad_number).unwrap_err().to_string();
    assert!(err.contains("bad.csv:3:4"), "{err}");
    let one_rate = write(
        "one.csv",
        &format!(
            "{header}spme,0.5,0.0,4.0\nspme,0.5,0.1,3.9\ncell,0.5,0.0,4.0\ncell,0.5,0.1,3.9\n"
        ),
    );
    let err = pf::load_curves(&one_rate).unwrap_err().to_string();
    assert!(err.contains("at least 2 C-rates"), "{err}");
    let missing = write(
        "missing.csv",
        &format!("{header}spme,0.5,0.0,4.0\nspme,1.0,0.1,3.9\ncell,0.5,0.0,4.0\n"),
    );
    assert!(pf::load_curves(&missing).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn physics_model_plus_ten_measurements_beats_the_model_and_emukit() -> Result<()> {
    let curves = pf::load_curves(&pf::default_path())?;
    let reference = reference();
    let seeds = reference["seeds"].as_array().expect("seeds");
    assert_eq!(seeds.len(), 20);
    let (mut ours, mut emukit, mut coverage) = (0.0, 0.0, 0.0);
    for s in seeds {
        let seed = s["seed"].as_u64().expect("seed");
        let split = pf::fusion_split(&curves, seed)?;
        // Same inputs as the recorded run.
        let fingerprint = split.expensive.targets()?.sum() + split.cheap.targets()?.sum();
        let recorded = s["fingerprint"].as_f64().expect("fingerprint");
        assert!(
            (fingerprint - recorded).abs() < 1e-6,
            "seed {seed}: the protocol changed since emukit's figures were recorded \
             ({fingerprint} vs {recorded}); rerun benches/compare/multifidelity.py --record"
        );
        let r = pf::run_method(
            &curves,
            &split,
            Method::TabledCheap(Scheme::Linear, Hyper::Sampled),
            seed,
        )?;
        assert!(r.diagnostics.is_empty(), "seed {seed}: {:?}", r.diagnostics);
        let e = rmse(split.test_y.view(), r.predictive.mean.view())?;
        let cheap = pf::cheap_rmse(&split)?;
        assert!(e <= 1.2 * cheap, "seed {seed}: {e} vs SPMe alone {cheap}");
        ours += e / 20.0;
        emukit += s["linear_rmse_v"].as_f64().expect("emukit RMSE") / 20.0;
        coverage += r.predictive.coverage(split.test_y.view(), 1.959_964)? / 20.0;
    }
    assert!(
        ours < emukit,
        "mean RMSE {ours:.4} V vs emukit {emukit:.4} V"
    );
    assert!(
        (0.85..=0.99).contains(&coverage),
        "mean 95 % coverage {coverage:.3}"
    );
    Ok(())
}
