//! Where models run: burn picks the backend from the device at run time.

use burn::tensor::Device;

/// burn's pure-Rust CPU backend (`flex`) with automatic differentiation,
/// seeded so weight initialisation and sampling repeat run to run.
pub fn cpu(seed: u64) -> Device {
    let device = Device::flex().autodiff();
    device.seed(seed);
    device
}

/// burn's wgpu backend with automatic differentiation (Vulkan; on a
/// GPU-less machine Mesa's software driver `lavapipe` runs it), seeded.
#[cfg(feature = "wgpu")]
pub fn wgpu(seed: u64) -> Device {
    let device = Device::wgpu(Default::default()).autodiff();
    device.seed(seed);
    device
}
