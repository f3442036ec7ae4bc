//! The one-RC equivalent-circuit cell of the SINDy examples.

use ndarray::Array2;
use voltai::core::Result;

/// The one-RC cell of the SINDy examples under its pulsed current: states
/// (v1, soc), the current as a one-column control, and the SINDYc model
/// discovered from them (quadratic library, forward differences, STLSQ).
pub fn one_rc_sindyc(
    cell: &voltai::discovery::sindy::systems::OneRcCell,
    dt: f64,
    n: usize,
) -> Result<(
    Array2<f64>,
    Array2<f64>,
    voltai::discovery::sindy::SindyModel,
)> {
    use voltai::core::Fit;
    use voltai::discovery::sindy::systems::pulsed_current;
    use voltai::discovery::sindy::{
        FiniteDifference, PolynomialLibrary, SindyParams, Stlsq, Times, Trajectory,
    };
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
