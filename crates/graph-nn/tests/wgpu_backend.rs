//! CGCNN, the edge-updating network and the three-body network give the same forward pass and the
//! same parameters after backward passes and optimiser steps on burn's CPU
//! (`flex`) and wgpu backends. On a GPU-less machine wgpu runs on Mesa's
//! software Vulkan driver (`mesa-vulkan-drivers libvulkan1`, installed by
//! `.ci/run`). Runs with `cargo test -p voltai-graph-nn --features wgpu`.
#![cfg(feature = "wgpu")]

use burn::tensor::Device;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_graph_nn::features::NODE_FEATURES;
use voltai_graph_nn::graph::{CrystalGraph, GraphBatch, GraphConfig};
use voltai_graph_nn::io::read_structure;
use voltai_graph_nn::model::{Architecture, GraphNet, GraphNetConfig};
use voltai_neural::train::{TrainConfig, load_checkpoint, save_checkpoint, train_minibatch};

fn outputs(net: &GraphNet, graphs: &[&CrystalGraph], device: &Device) -> Vec<f32> {
    net.forward(&GraphBatch::new(graphs, device).unwrap())
        .into_data()
        .try_to_vec::<f32>()
        .unwrap()
}

fn config(architecture: Architecture) -> GraphNetConfig {
    GraphNetConfig {
        architecture,
        node: NODE_FEATURES,
        edge: 41,
        angle: 8,
        globals: 5,
        hidden: 16,
        layers: 2,
        outputs: 1,
    }
}

#[test]
fn cpu_and_wgpu_agree_on_forward_and_training_steps() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        // SAFETY: set before any thread of this test process reads it.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", "/tmp") };
    }
    let m = dataset_dir("materials")
        .unwrap()
        .join("pymatgen_structures/cif");
    let graphs: Vec<CrystalGraph> = ["LiFePO4", "Li10GeP2S12", "Li2O", "Si"]
        .iter()
        .map(|n| {
            CrystalGraph::new(
                &read_structure(m.join(format!("{n}.cif"))).unwrap(),
                // Graph-level descriptors on, so the readout's join is checked too.
                &GraphConfig {
                    ionic_descriptors: true,
                    ..GraphConfig::default()
                },
            )
            .unwrap()
        })
        .collect();
    let refs: Vec<&CrystalGraph> = graphs.iter().collect();
    let targets = [0.5f32, -1.0, 0.2, 1.3];
    for arch in [
        Architecture::Cgcnn,
        Architecture::EdgeMpnn,
        Architecture::ThreeBody,
    ] {
        let cpu = Device::flex().autodiff();
        cpu.seed(3);
        let init = config(arch).init(&cpu);
        let path = std::env::temp_dir().join(format!(
            "voltai_gnn_wgpu_{arch:?}_{}.bpk",
            std::process::id()
        ));
        save_checkpoint(&init, &path).unwrap();
        let gpu = Device::wgpu(Default::default()).autodiff();
        let on_gpu = load_checkpoint(config(arch).init(&gpu), &path).unwrap();
        std::fs::remove_file(&path).ok();

        let (a, b) = (outputs(&init, &refs, &cpu), outputs(&on_gpu, &refs, &gpu));
        let d0 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(d0 < 1e-5, "{arch:?}: forward passes differ by {d0}");

        let cfg = TrainConfig {
            epochs: 1,
            learning_rate: 1e-2,
            patience: 10,
            ..Default::default()
        };
        let step = |net: GraphNet, device: &Device| {
            let batch = GraphBatch::new(&refs, device).unwrap();
            let y = burn::tensor::Tensor::<2>::from_data(
                burn::tensor::TensorData::new(targets.to_vec(), [4, 1]),
                device,
            );
            train_minibatch(
                net,
                &cfg,
                1,
                |n: &GraphNet, _, _| Ok((n.forward(&batch) - y.clone()).powi_scalar(2).mean()),
                |_| Ok(0.0),
                &mut |_| {},
            )
            .unwrap()
        };
        let (tc, tg) = (step(init, &cpu), step(on_gpu, &gpu));
        let (a, b) = (
            outputs(&tc.model, &refs, &cpu),
            outputs(&tg.model, &refs, &gpu),
        );
        let d = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        eprintln!("{arch:?}: max |Δoutput| before {d0:.2e}, after a training step {d:.2e}");
        assert!(
            d < 1e-4,
            "{arch:?}: after training the outputs differ by {d}"
        );
    }
}
