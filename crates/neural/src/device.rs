//! Where models run: burn picks the backend from the device at run time.

use std::sync::Mutex;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use voltai_core::Result;

/// Serialises seeded initialisations: the CPU backend's generator is
/// process-wide, so two threads seeding and drawing at once would interleave.
static SEEDED: Mutex<()> = Mutex::new(());

/// Seeds `device` and runs `init` (e.g. a config's `init`) while holding a
/// process-wide lock, so the weights depend on `seed` alone even when other
/// threads initialise models at the same time.
pub fn seeded<T>(device: &Device, seed: u64, init: impl FnOnce(&Device) -> T) -> T {
    let _guard = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    init(device)
}

/// burn's pure-Rust CPU backend (`flex`) with automatic differentiation,
/// seeded so weight initialisation and sampling repeat run to run.
pub fn cpu(seed: u64) -> Device {
    let device = Device::flex().autodiff();
    seeded(&device, seed, |_| ());
    device
}

/// burn's wgpu backend with automatic differentiation (Vulkan; on a
/// GPU-less machine Mesa's software driver `lavapipe` runs it), seeded.
#[cfg(feature = "wgpu")]
pub fn wgpu(seed: u64) -> Device {
    let device = Device::wgpu(Default::default()).autodiff();
    seeded(&device, seed, |_| ());
    device
}

/// Which backend a params value trains on; part of the params (and of a
/// saved model) so that fitting needs no device argument and a loaded model
/// comes back where it was trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Backend {
    /// [`cpu`]: burn's pure-Rust CPU backend.
    #[default]
    Cpu,
    /// `device::wgpu`: burn's wgpu backend (needs the `wgpu` feature).
    Wgpu,
}

impl Backend {
    /// The seeded autodiff device of this backend.
    pub fn device(self, seed: u64) -> Result<Device> {
        match self {
            Backend::Cpu => Ok(cpu(seed)),
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => Ok(wgpu(seed)),
            #[cfg(not(feature = "wgpu"))]
            Backend::Wgpu => Err(voltai_core::Error::InvalidInput(
                "the wgpu backend needs voltai-neural's `wgpu` feature".into(),
            )),
        }
    }
}
