//! Pareto dominance, non-dominated sorting and exact hypervolume. Every
//! objective is *minimised* here; negate objectives that are maximised.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use voltai_core::{Error, Result, check};

/// Whether `a` dominates `b` (no worse everywhere, better somewhere).
pub fn dominates(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> bool {
    let mut strictly = false;
    for (x, y) in a.iter().zip(b.iter()) {
        if x > y {
            return false;
        }
        strictly |= x < y;
    }
    strictly
}

/// Fronts of the fast non-dominated sort (Deb et al. 2002): row indices of
/// front 0 (the Pareto set), front 1, …
pub fn non_dominated_sort(points: ArrayView2<'_, f64>) -> Vec<Vec<usize>> {
    let n = points.nrows();
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in i + 1..n {
            if dominates(points.row(i), points.row(j)) {
                dominates_list[i].push(j);
                dominated_by[j] += 1;
            } else if dominates(points.row(j), points.row(i)) {
                dominates_list[j].push(i);
                dominated_by[i] += 1;
            }
        }
    }
    let mut fronts = Vec::new();
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            for &j in &dominates_list[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        next.sort_unstable();
        fronts.push(current);
        current = next;
    }
    fronts
}

/// Row indices of the non-dominated points, ascending: exactly front 0 of
/// [`non_dominated_sort`] (identical rows never dominate each other, so
/// duplicates are all kept), found without the quadratic sort.
///
/// Rows are visited in lexicographic order, so every row that dominates
/// another comes before it. In 2-D a sweep over the running minimum of the
/// second objective decides each row in O(1) (O(n log n) overall); above
/// 2-D each row is checked against the front found so far (O(n·|front|)),
/// which suffices because a dominated row's dominators come earlier and
/// are themselves dominated by a front member.
pub fn pareto_front(points: ArrayView2<'_, f64>) -> Vec<usize> {
    let (n, d) = points.dim();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        points
            .row(a)
            .iter()
            .zip(points.row(b).iter())
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    let mut front: Vec<usize> = Vec::new();
    if d == 2 {
        // The earliest row (smallest first objective) attaining the smallest
        // second objective seen so far.
        let mut best: Option<(f64, f64)> = None;
        for &i in &order {
            let (p0, p1) = (points[[i, 0]], points[[i, 1]]);
            let dominated = match best {
                Some((q0, q1)) => q1 < p1 || (q1 == p1 && q0 < p0),
                None => false,
            };
            if !dominated {
                front.push(i);
            }
            if best.is_none_or(|(_, q1)| p1 < q1) {
                best = Some((p0, p1));
            }
        }
    } else {
        for &i in &order {
            if !front
                .iter()
                .any(|&j| dominates(points.row(j), points.row(i)))
            {
                front.push(i);
            }
        }
    }
    front.sort_unstable();
    front
}

/// [`pareto_front`] with each distinct row kept once (its lowest index).
pub(crate) fn distinct_front(points: ArrayView2<'_, f64>) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for i in pareto_front(points) {
        if !out.iter().any(|&j| points.row(j) == points.row(i)) {
            out.push(i);
        }
    }
    out
}

/// Exact hypervolume dominated by `points` and bounded by `reference` (the
/// Lebesgue measure of ⋃ [p, r]). Points not strictly better than the
/// reference in every objective contribute nothing. Exact in any dimension:
/// a sweep in 2-D, slicing with 2-D sweeps in 3-D, the WFG algorithm
/// (While, Bradstreet & Barone 2012) above.
pub fn hypervolume(points: ArrayView2<'_, f64>, reference: ArrayView1<'_, f64>) -> Result<f64> {
    check::finite2("hypervolume points", points)?;
    check::finite1("hypervolume reference", reference)?;
    if points.ncols() != reference.len() {
        return Err(Error::shape_mismatch(
            "points vs reference",
            [reference.len()],
            [points.ncols()],
        ));
    }
    if reference.is_empty() {
        return Err(Error::EmptyInput(
            "hypervolume needs at least one objective".into(),
        ));
    }
    let keep: Vec<usize> = (0..points.nrows())
        .filter(|&i| {
            points
                .row(i)
                .iter()
                .zip(reference.iter())
                .all(|(p, r)| p < r)
        })
        .collect();
    let pts = points.select(Axis(0), &keep);
    let front = pts.select(Axis(0), &distinct_front(pts.view()));
    let rows: Vec<Vec<f64>> = front.rows().into_iter().map(|r| r.to_vec()).collect();
    Ok(hv(rows, &reference.to_vec()))
}

fn hv(mut pts: Vec<Vec<f64>>, r: &[f64]) -> f64 {
    match r.len() {
        _ if pts.is_empty() => 0.0,
        1 => r[0] - pts.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min),
        2 => hv2(&mut pts, r),
        3 => hv3(pts, r),
        _ => wfg(pts, r),
    }
}

/// 2-D: sort by the first objective and sum rectangles.
fn hv2(pts: &mut [Vec<f64>], r: &[f64]) -> f64 {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let mut area = 0.0;
    let mut y_bound = r[1];
    for p in pts.iter() {
        if p[1] < y_bound {
            area += (r[0] - p[0]) * (y_bound - p[1]);
            y_bound = p[1];
        }
    }
    area
}

/// 3-D: sweep along the third objective; between consecutive levels the
/// cross-section is the 2-D hypervolume of the points already passed.
fn hv3(mut pts: Vec<Vec<f64>>, r: &[f64]) -> f64 {
    pts.sort_by(|a, b| a[2].total_cmp(&b[2]));
    let mut volume = 0.0;
    let mut slice: Vec<Vec<f64>> = Vec::new();
    for k in 0..pts.len() {
        slice.push(vec![pts[k][0], pts[k][1]]);
        let next = if k + 1 < pts.len() {
            pts[k + 1][2]
        } else {
            r[2]
        };
        if next > pts[k][2] {
            volume += hv2(&mut slice.clone(), &r[..2]) * (next - pts[k][2]);
        }
    }
    volume
}

/// WFG: HV(S) = Σ exclusive contributions, each the point's box minus the
/// hypervolume of the rest "limited" to that box.
fn wfg(mut pts: Vec<Vec<f64>>, r: &[f64]) -> f64 {
    // Sorting by the last objective makes the limited sets small.
    let last = r.len() - 1;
    pts.sort_by(|a, b| b[last].total_cmp(&a[last]));
    let mut total = 0.0;
    for k in 0..pts.len() {
        let box_volume: f64 = pts[k].iter().zip(r).map(|(p, q)| q - p).product();
        let limited: Vec<Vec<f64>> = pts[k + 1..]
            .iter()
            .map(|q| q.iter().zip(&pts[k]).map(|(a, b)| a.max(*b)).collect())
            .collect();
        let limited = non_dominated_rows(limited);
        total += box_volume - hv(limited, r);
    }
    total
}

fn non_dominated_rows(rows: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    if rows.is_empty() {
        return rows;
    }
    let d = rows[0].len();
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    let Ok(m) = Array2::from_shape_vec((rows.len(), d), flat) else {
        return rows;
    };
    distinct_front(m.view())
        .into_iter()
        .map(|i| rows[i].clone())
        .collect()
}

/// Exact expected hypervolume improvement of a new point with independent
/// Gaussian objectives (means `mean`, standard deviations `std`) over the
/// 2-D front `front`, bounded by `reference`. Uses the strip decomposition
/// EHVI = Σᵢ (g₁(aᵢ₊₁) − g₁(aᵢ))·g₂(bᵢ), with g(c) = E[(c − Y)⁺] and the front
/// sorted by the first objective (a ascending, b descending).
pub fn expected_hypervolume_improvement_2d(
    front: ArrayView2<'_, f64>,
    reference: [f64; 2],
    mean: [f64; 2],
    std: [f64; 2],
) -> f64 {
    use super::acquisition::{normal_cdf, normal_pdf};
    let g = |c: f64, m: f64, s: f64| -> f64 {
        if s <= 0.0 {
            return (c - m).max(0.0);
        }
        let z = (c - m) / s;
        (c - m) * normal_cdf(z) + s * normal_pdf(z)
    };
    let mut pts: Vec<(f64, f64)> = front
        .rows()
        .into_iter()
        .map(|r| (r[0], r[1]))
        .filter(|&(a, b)| a < reference[0] && b < reference[1])
        .collect();
    pts.sort_by(|p, q| p.0.total_cmp(&q.0));
    // Keep the staircase (b strictly decreasing).
    let mut stairs: Vec<(f64, f64)> = Vec::new();
    for p in pts {
        if stairs.last().is_none_or(|l| p.1 < l.1) {
            stairs.push(p);
        }
    }
    let k = stairs.len();
    let mut total = 0.0;
    for i in 0..=k {
        let a_lo = if i == 0 { None } else { Some(stairs[i - 1].0) };
        let a_hi = if i < k { stairs[i].0 } else { reference[0] };
        let b = if i == 0 {
            reference[1]
        } else {
            stairs[i - 1].1
        };
        let width = g(a_hi, mean[0], std[0]) - a_lo.map_or(0.0, |a| g(a, mean[0], std[0]));
        total += width * g(b, mean[1], std[1]);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn small_fronts_have_known_hypervolumes() {
        let p = array![[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.0, 3.0]];
        assert_eq!(hypervolume(p.view(), array![4.0, 4.0].view()).unwrap(), 6.0);
        assert_eq!(pareto_front(p.view()), vec![0, 1, 2]);
        assert_eq!(non_dominated_sort(p.view()), vec![vec![0, 1, 2], vec![3]]);
        let cube = array![[0.0, 0.0, 0.0]];
        assert_eq!(
            hypervolume(cube.view(), array![1.0, 2.0, 3.0].view()).unwrap(),
            6.0
        );
        let four = array![[0.5, 0.5, 0.5, 0.5]];
        assert_eq!(
            hypervolume(four.view(), array![1.0, 1.0, 1.0, 1.0].view()).unwrap(),
            0.0625
        );
    }
}
