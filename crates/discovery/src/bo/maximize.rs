//! Maximising an acquisition over the unit cube: score a large quasi-random
//! pool, then polish the best few by bounded L-BFGS-B.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rcompat_lbfgsb::{Bounds, OptimControl, optim_lbfgsb_with_gradient};
use voltai_core::{Error, Result};

/// A vectorised score over rows of encoded points (higher is better).
pub(crate) type Score<'a> = dyn Fn(ArrayView2<'_, f64>) -> Result<Array1<f64>> + 'a;

/// Index and value of the best finite entry.
pub(crate) fn argmax(values: ArrayView1<'_, f64>) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, v)| (i, *v))
}

/// The best point of `pool`, polished from the top `n_starts` pool points by
/// L-BFGS-B with central-difference gradients when `polish` is set. The
/// polish follows `smooth` when given (a penalised score that stays finite
/// outside the allowed region so the search can slide along its edge); a
/// polished point is kept only if `score` itself accepts it.
pub(crate) fn maximize(
    score: &Score<'_>,
    smooth: Option<&Score<'_>>,
    pool: ArrayView2<'_, f64>,
    n_starts: usize,
    polish: bool,
) -> Result<Option<(Array1<f64>, f64)>> {
    let target = smooth.unwrap_or(score);
    let values = score(pool)?;
    let Some((best_i, best_v)) = argmax(values.view()) else {
        return Ok(None);
    };
    let mut best = (pool.row(best_i).to_owned(), best_v);
    if !polish || n_starts == 0 {
        return Ok(Some(best));
    }
    let mut ranked: Vec<usize> = (0..values.len())
        .filter(|&i| values[i].is_finite())
        .collect();
    ranked.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let d = pool.ncols();
    // A safe search stays inside a small certified set whose best points
    // line its edge: there the top rows are the starts to polish.
    let order = if smooth.is_some() {
        ranked
    } else {
        diverse_starts(&ranked, pool, n_starts)
    };
    let value_of = |f: &Score<'_>, u: &[f64]| -> f64 {
        let row =
            Array2::from_shape_vec((1, d), u.to_vec()).unwrap_or_else(|_| Array2::zeros((1, d)));
        match f(row.view()) {
            Ok(v) if v[0].is_finite() => -v[0],
            _ => 1e300,
        }
    };
    let point_value = |u: &[f64]| value_of(target, u);
    for &i in order.iter().take(n_starts) {
        let start = pool.row(i).to_vec();
        let h = 1e-6;
        let grad = |u: &[f64]| -> Vec<f64> {
            (0..d)
                .map(|j| {
                    let (mut up, mut dn) = (u.to_vec(), u.to_vec());
                    up[j] = (u[j] + h).min(1.0);
                    dn[j] = (u[j] - h).max(0.0);
                    let w = up[j] - dn[j];
                    if w <= 0.0 {
                        0.0
                    } else {
                        let g = (point_value(&up) - point_value(&dn)) / w;
                        if g.is_finite() && g.abs() < 1e250 {
                            g
                        } else {
                            0.0
                        }
                    }
                })
                .collect()
        };
        let bounds = Bounds::new(vec![0.0; d], vec![1.0; d])
            .map_err(|e| Error::InvalidInput(format!("{e:?}")))?;
        let mut control = OptimControl::default_for_dimension(d);
        control.maxit = 50;
        let Ok(res) = optim_lbfgsb_with_gradient(start, bounds, point_value, grad, control) else {
            continue;
        };
        let v = -value_of(score, &res.par);
        if v.is_finite() && v > best.1 {
            best = (Array1::from(res.par), v);
        }
    }
    Ok(Some(best))
}

/// The best-scoring pool rows as polish starts, each at least 0.1·√d from
/// the starts already taken (filled up with the next best if too few are):
/// the top rows of a pool that holds perturbations of the best observations
/// crowd into one basin, and polishing them all climbs the same hill.
fn diverse_starts(ranked: &[usize], pool: ArrayView2<'_, f64>, n_starts: usize) -> Vec<usize> {
    let d = pool.ncols();
    let radius2 = 0.01 * d as f64;
    let mut starts: Vec<usize> = Vec::with_capacity(n_starts);
    for &i in ranked {
        if starts.len() == n_starts {
            break;
        }
        let apart = starts.iter().all(|&j| {
            pool.row(i)
                .iter()
                .zip(pool.row(j).iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                >= radius2
        });
        if apart {
            starts.push(i);
        }
    }
    for &i in ranked {
        if starts.len() == n_starts {
            break;
        }
        if !starts.contains(&i) {
            starts.push(i);
        }
    }
    starts
}
