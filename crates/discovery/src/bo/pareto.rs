//! Pareto dominance, non-dominated sorting and exact hypervolume. Every
//! objective is *minimised* here; negate objectives that are maximised.

#[cfg(test)]
use ndarray::Array1;
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
/// second objective decides each row in O(1); in 3-D a balanced tree holds
/// the staircase of the (second, third) objectives seen so far and decides
/// each row in O(log n) (both O(n log n) overall, Kung, Luccio & Preparata
/// 1975); above 3-D, or with NaN, each row is checked against the front
/// found so far (O(n·|front|)), which suffices because a dominated row's
/// dominators come earlier and are themselves dominated by a front member.
pub fn pareto_front(points: ArrayView2<'_, f64>) -> Vec<usize> {
    let (n, d) = points.dim();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        points
            .row(a)
            .iter()
            .zip(points.row(b).iter())
            // -0.0 and 0.0 sort as one value: `==` and `<` see them so.
            .map(|(x, y)| (x + 0.0).total_cmp(&(y + 0.0)))
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
    } else if d == 3 && points.iter().all(|v| !v.is_nan()) {
        front = front_3d(points, &order);
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

/// A float ordered by `total_cmp`, as a tree key.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // -0.0 and 0.0 are one coordinate, as `<` and `==` see them.
        (self.0 + 0.0).total_cmp(&(other.0 + 0.0))
    }
}

/// The 2-D staircase of minimal points: first coordinate → second, the
/// second strictly decreasing as the first grows.
#[derive(Debug, Default)]
struct Staircase(std::collections::BTreeMap<Key, f64>);

impl Staircase {
    /// Whether some stair is ≤ (a, b) in both coordinates.
    fn covers(&self, a: f64, b: f64) -> bool {
        // The stair with the largest first coordinate ≤ a has the smallest
        // second coordinate among those.
        self.0
            .range(..=Key(a))
            .next_back()
            .is_some_and(|(_, &sb)| sb <= b)
    }

    /// Adds (a, b), not covered by the staircase, and removes the stairs it
    /// covers, returning those in ascending first coordinate.
    fn insert(&mut self, a: f64, b: f64) -> Vec<(Key, f64)> {
        let covered: Vec<(Key, f64)> = self
            .0
            .range(Key(a)..)
            .take_while(|(_, sb)| **sb >= b)
            .map(|(k, v)| (*k, *v))
            .collect();
        for (k, _) in &covered {
            self.0.remove(k);
        }
        self.0.insert(Key(a), b);
        covered
    }

    /// [`Staircase::insert`], returning the area newly dominated inside the
    /// box up to `reference`: the strip under the old envelope between `a`
    /// and the next stair to the right that stays.
    fn insert_with_area(&mut self, a: f64, b: f64, reference: [f64; 2]) -> f64 {
        // The envelope height just left of `a`.
        let mut height = self
            .0
            .range(..Key(a))
            .next_back()
            .map_or(reference[1], |(_, &sb)| sb);
        let mut x = a;
        let mut area = 0.0;
        for (k, sb) in self.insert(a, b) {
            area += (k.0 - x) * (height - b);
            x = k.0;
            height = sb;
        }
        // The first stair after `a` itself, which was just inserted.
        let right = self
            .0
            .range((
                std::ops::Bound::Excluded(Key(a)),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .map_or(reference[0], |(k, _)| k.0);
        area + (right - x) * (height - b)
    }
}

/// Front of 3-D rows without NaN, visited in lexicographic `order`: a row is
/// dominated exactly when an earlier, different row is ≤ it in the second and
/// third objectives (the first is ≤ by the order), i.e. when the staircase
/// of the distinct rows before it covers it.
fn front_3d(points: ArrayView2<'_, f64>, order: &[usize]) -> Vec<usize> {
    let same = |i: usize, j: usize| (0..3).all(|k| points[[i, k]] == points[[j, k]]);
    let mut stairs = Staircase::default();
    let mut front = Vec::new();
    let mut g = 0;
    while g < order.len() {
        // A group of identical rows: none dominates another.
        let mut end = g + 1;
        while end < order.len() && same(order[g], order[end]) {
            end += 1;
        }
        let i = order[g];
        let (b, c) = (points[[i, 1]], points[[i, 2]]);
        if !stairs.covers(b, c) {
            front.extend_from_slice(&order[g..end]);
            stairs.insert(b, c);
        }
        g = end;
    }
    front
}

/// [`pareto_front`] with each distinct row kept once (its lowest index),
/// ascending. Rows are compared with `==` (so -0.0 equals 0.0), after a sort
/// that puts equal rows side by side.
pub(crate) fn distinct_front(points: ArrayView2<'_, f64>) -> Vec<usize> {
    let mut front = pareto_front(points);
    let key = |i: usize| points.row(i).iter().map(|&v| Key(v)).collect::<Vec<_>>();
    front.sort_by_cached_key(|&i| (key(i), i));
    let mut out: Vec<usize> = Vec::with_capacity(front.len());
    for i in front {
        if out.last().is_none_or(|&j| points.row(j) != points.row(i)) {
            out.push(i);
        }
    }
    out.sort_unstable();
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

/// 3-D: the dimension sweep of Fonseca, Paquete & López-Ibáñez (2006) /
/// Beume et al. (2009), O(n log n): points in ascending third objective
/// enter a balanced-tree staircase of the first two, which keeps the area of
/// the current cross-section up to date as each point enters; the volume is
/// that area times the gap to the next level.
fn hv3(mut pts: Vec<Vec<f64>>, r: &[f64]) -> f64 {
    pts.sort_by(|a, b| a[2].total_cmp(&b[2]));
    let mut stairs = Staircase::default();
    let mut area = 0.0;
    let mut volume = 0.0;
    for k in 0..pts.len() {
        let (a, b) = (pts[k][0], pts[k][1]);
        if !stairs.covers(a, b) {
            area += stairs.insert_with_area(a, b, [r[0], r[1]]);
        }
        let next = if k + 1 < pts.len() {
            pts[k + 1][2]
        } else {
            r[2]
        };
        volume += area * (next - pts[k][2]);
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
    use proptest::prelude::*;

    /// The front by checking every pair (the definition).
    fn front_by_pairs(points: ArrayView2<'_, f64>) -> Vec<usize> {
        let n = points.nrows();
        (0..n)
            .filter(|&i| (0..n).all(|j| !dominates(points.row(j), points.row(i))))
            .collect()
    }

    /// The 3-D hypervolume by slices: a 2-D sweep of the points passed at
    /// every level of the third objective (the method this module used before
    /// the dimension sweep).
    fn hv3_by_slices(mut pts: Vec<Vec<f64>>, r: &[f64]) -> f64 {
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

    fn cloud(n: usize, d: usize, seed: u64, grid: bool) -> Array2<f64> {
        let mut rng = voltai_core::synthetic::SplitMix64::new(seed);
        Array2::from_shape_simple_fn((n, d), || {
            let u = rng.uniform() * 4.0;
            // A coarse grid makes ties and duplicates common; values up to 4
            // put some points outside the reference (3, 3, 3).
            if grid { (u * 2.0).floor() / 2.0 } else { u }
        })
    }

    /// Points on the sphere's positive octant: every point is on the front.
    fn sphere_front(n: usize, seed: u64) -> Array2<f64> {
        let mut rng = voltai_core::synthetic::SplitMix64::new(seed);
        let mut m = Array2::zeros((n, 3));
        for mut row in m.rows_mut() {
            let v: Vec<f64> = (0..3).map(|_| rng.normal().abs() + 1e-9).collect();
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            for k in 0..3 {
                row[k] = v[k] / norm;
            }
        }
        m
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn sweeps_equal_the_quadratic_methods(
            d in 2usize..4,
            n in 0usize..200,
            seed in any::<u64>(),
            grid in any::<bool>(),
        ) {
            let pts = cloud(n, d, seed, grid);
            let front = pareto_front(pts.view());
            prop_assert_eq!(&front, &front_by_pairs(pts.view()));
            if n > 0 {
                prop_assert_eq!(&front, &non_dominated_sort(pts.view())[0]);
            }
            let r = vec![3.0; d];
            let fast = hypervolume(pts.view(), Array1::from(r.clone()).view()).unwrap();
            let inside: Vec<Vec<f64>> = pts
                .rows()
                .into_iter()
                .filter(|p| p.iter().all(|&v| v < 3.0))
                .map(|p| p.to_vec())
                .collect();
            let reference = match d {
                2 => hv2(&mut inside.clone(), &r),
                _ => hv3_by_slices(inside.clone(), &r),
            };
            prop_assert!((fast - reference).abs() <= 1e-12 * reference.max(1.0), "{fast} vs {reference}");
            // WFG on the same points agrees too (it recurses into the sweeps).
            let wfg_hv = if inside.is_empty() { 0.0 } else { wfg(inside, &r) };
            prop_assert!((fast - wfg_hv).abs() <= 1e-9 * reference.max(1.0), "{fast} vs WFG {wfg_hv}");
        }

        #[test]
        fn all_front_points_are_kept_in_3d(n in 1usize..300, seed in any::<u64>()) {
            let pts = sphere_front(n, seed);
            prop_assert_eq!(pareto_front(pts.view()), (0..n).collect::<Vec<_>>());
            let r = [1.5, 1.5, 1.5];
            let rows: Vec<Vec<f64>> = pts.rows().into_iter().map(|p| p.to_vec()).collect();
            let fast = hypervolume(pts.view(), ndarray::ArrayView1::from(&r)).unwrap();
            let slow = hv3_by_slices(rows, &r);
            prop_assert!((fast - slow).abs() <= 1e-12 * slow, "{fast} vs {slow}");
        }
    }

    #[test]
    fn signed_zeros_and_duplicates_are_one_point() {
        let p = array![
            [-0.0, 1.0, 1.0],
            [-0.0, 2.0, 0.0],
            [0.0, 1.0, 1.0],
            [0.0, 1.0, 1.0]
        ];
        assert_eq!(pareto_front(p.view()), vec![0, 1, 2, 3]);
        assert_eq!(distinct_front(p.view()), vec![0, 1]);
        let hv = hypervolume(p.view(), array![1.0, 3.0, 3.0].view()).unwrap();
        // Union of [0,1]×[1,3]×[1,3] (4) and [0,1]×[2,3]×[0,3] (3), overlap [0,1]×[2,3]×[1,3] (2).
        assert_eq!(hv, 5.0);
    }

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
