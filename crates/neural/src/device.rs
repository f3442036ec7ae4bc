//! Where models run: burn picks the backend from the device at run time.

use std::sync::Mutex;

use burn::tensor::Device;

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
