//! The same model on burn's CPU (`flex`) and wgpu backends: a few training
//! steps from identical weights agree to a stated tolerance. On a GPU-less
//! machine wgpu runs on Mesa's software Vulkan driver (lavapipe), which
//! must be installed (`mesa-vulkan-drivers libvulkan1`). Runs with
//! `cargo test -p voltai-neural --features wgpu`.
#![cfg(feature = "wgpu")]

use std::time::Instant;

use burn::tensor::Device;
use voltai_neural::train::{TrainConfig, load_checkpoint, save_checkpoint, train};
use voltai_neural::trajectories::{CellSeries, SequenceBatch, Windowing, masked_rmse};
use voltai_neural::{ForecastLoss, Forecaster, ForecasterConfig};

fn batch() -> SequenceBatch {
    let series: Vec<CellSeries> = (0..8)
        .map(|c| {
            CellSeries::new(
                format!("c{c}"),
                (0..400)
                    .map(|t| 1.0 - 1e-4 * (1.0 + 0.1 * c as f64) * t as f64)
                    .collect(),
            )
        })
        .collect();
    SequenceBatch::new(
        &series,
        Windowing {
            window: 100,
            stride: 10,
            horizon: 300,
            scale: 1.0,
        },
    )
    .unwrap()
}

fn run(model: Forecaster, device: &Device, b: &SequenceBatch) -> (Forecaster, f64) {
    let cfg = TrainConfig {
        epochs: 5,
        learning_rate: 1e-2,
        patience: 5,
        ..Default::default()
    };
    let start = Instant::now();
    let trained = train(
        model,
        &cfg,
        |m, e| {
            Ok(m.loss(
                b,
                device,
                &ForecastLoss {
                    teacher_ratio: 0.5,
                    monotonicity_weight: 1.0,
                    tolerance: 0.0,
                    seed: e as u64,
                },
            ))
        },
        |m| Ok(masked_rmse(&m.predict(b, device)?, b, 1.0)),
        &mut |_| {},
    )
    .unwrap();
    let per_second = (cfg.epochs * b.len()) as f64 / start.elapsed().as_secs_f64();
    (trained.model, per_second)
}

#[test]
fn cpu_and_wgpu_agree_after_training_steps() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        // SAFETY: set before any thread of this test process reads it.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", "/tmp") };
    }
    let b = batch();
    let cpu = Device::flex().autodiff();
    cpu.seed(5);
    let init = ForecasterConfig {
        hidden: 16,
        ..Default::default()
    }
    .init(&cpu);
    // Identical starting weights on both devices through a checkpoint.
    let path = std::env::temp_dir().join(format!("voltai_wgpu_{}.bpk", std::process::id()));
    save_checkpoint(&init, &path).unwrap();
    let gpu = Device::wgpu(Default::default()).autodiff();
    gpu.seed(5);
    let on_gpu = load_checkpoint(
        ForecasterConfig {
            hidden: 16,
            ..Default::default()
        }
        .init(&gpu),
        &path,
    )
    .unwrap();
    std::fs::remove_file(&path).ok();

    let before_cpu = init.predict(&b, &cpu).unwrap();
    let before_gpu = on_gpu.predict(&b, &gpu).unwrap();
    let d0 = before_cpu
        .iter()
        .zip(before_gpu.iter())
        .map(|(a, c)| (a - c).abs())
        .fold(0.0f32, f32::max);
    assert!(d0 < 1e-5, "untrained forecasts differ by {d0}");

    let (m_cpu, tput_cpu) = run(init, &cpu, &b);
    let (m_gpu, tput_gpu) = run(on_gpu, &gpu, &b);
    let p_cpu = m_cpu.predict(&b, &cpu).unwrap();
    let p_gpu = m_gpu.predict(&b, &gpu).unwrap();
    let d = p_cpu
        .iter()
        .zip(p_gpu.iter())
        .map(|(a, c)| (a - c).abs())
        .fold(0.0f32, f32::max);
    eprintln!(
        "max |Δforecast| after 5 steps: {d:.2e}; sequences/s: cpu {tput_cpu:.0}, wgpu {tput_gpu:.0}"
    );
    assert!(d < 1e-3, "CPU and wgpu forecasts differ by {d}");
}
