//! Discovering an equivalent-circuit model with SINDYc: a one-RC cell under
//! a pulsed current, its states and the model SINDy finds.

use ndarray::Array2;
use voltai_core::{Fit, Result};
use voltai_discovery::sindy::systems::{OneRcCell, pulsed_current};
use voltai_discovery::sindy::{
    FiniteDifference, PolynomialLibrary, SindyModel, SindyParams, Stlsq, Times, Trajectory,
};

/// The one-RC cell under its pulsed current for `n` steps of `dt`: states
/// (v1, soc), the current as a one-column control, and the SINDYc model
/// discovered from them (quadratic library, forward differences, STLSQ).
pub fn one_rc_sindyc(
    cell: &OneRcCell,
    dt: f64,
    n: usize,
) -> Result<(Array2<f64>, Array2<f64>, SindyModel)> {
    let (x, current) = cell.simulate(pulsed_current, [0.0, 0.9], dt, n)?;
    let u = current.insert_axis(ndarray::Axis(1));
    let traj = Trajectory::new(x.clone(), Times::uniform(dt)?)?.with_control(u.clone())?;
    let model = SindyParams::new()
        .library(PolynomialLibrary::new(2)?)
        .differentiator(FiniteDifference::new(1)?)
        .optimizer(Stlsq::new(1e-3)?.alpha(1e-9)?.normalize_columns(true))
        .state_names(&["v1", "soc"])?
        .control_names(&["i"])?
        .fit(std::slice::from_ref(&traj))?;
    Ok((x, u, model))
}

/// The time constant R1·C1 (s) and capacity (Ah) a discovered model implies:
/// `v1' = −v1/(R1·C1) + …`, `soc' = −i/(3600·Q)`.
pub fn implied_parameters(model: &SindyModel) -> Result<(f64, f64)> {
    Ok((
        -1.0 / model.coefficient("v1", "v1")?,
        -1.0 / (3600.0 * model.coefficient("soc", "i")?),
    ))
}
