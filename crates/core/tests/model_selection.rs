//! Cross-validation and searches on a model with a closed form: ridge
//! regression through the origin in one feature, slope = x·y / (x·x + λ).

use ndarray::{Array1, ArrayView2, array};
use voltai_core::model_selection::{Better, cross_validate, grid_search, random_search, scoring};
use voltai_core::split::KFold;
use voltai_core::{Dataset, Fit, Regressor, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
struct OriginRidge {
    lambda: f64,
}

struct Slope(f64);

impl Fit for OriginRidge {
    type Model = Slope;
    fn fit(&self, d: &Dataset) -> Result<Slope> {
        let x = d.features().column(0).to_owned();
        Ok(Slope(x.dot(&d.targets()?) / (x.dot(&x) + self.lambda)))
    }
}

impl Regressor for Slope {
    fn n_features(&self) -> usize {
        1
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        voltai_core::check::predict_input(x, 1)?;
        Ok(x.column(0).mapv(|v| v * self.0))
    }
}

fn data() -> Dataset {
    // y = 2x exactly.
    Dataset::new(
        array![[1.0], [2.0], [3.0], [4.0]],
        array![2.0, 4.0, 6.0, 8.0],
    )
    .unwrap()
}

#[test]
fn fold_scores_have_closed_forms() -> Result<()> {
    let splits = KFold::new(2)?.splits(4)?;
    let cv = cross_validate(&OriginRidge { lambda: 5.0 }, &data(), &splits, scoring::mse)?;
    // Fold 1 trains on x = {3, 4}: slope = 50 / (25 + 5) = 5/3; tests x = {1, 2}.
    let s: f64 = 5.0 / 3.0;
    let expected = ((s - 2.0).powi(2) * 1.0 + (s - 2.0).powi(2) * 4.0) / 2.0;
    assert!((cv.fold_scores[0] - expected).abs() < 1e-12);
    assert!(cross_validate(&OriginRidge { lambda: 0.0 }, &data(), &[], scoring::mse).is_err());
    Ok(())
}

#[test]
fn searches_keep_the_best_and_repeat_with_the_seed() -> Result<()> {
    let splits = KFold::new(2)?.splits(4)?;
    let grid = [10.0, 1.0, 0.0]
        .map(|lambda| OriginRidge { lambda })
        .to_vec();
    let found = grid_search(grid, &data(), &splits, scoring::mse, Better::Lower)?;
    assert_eq!(found.best, 2);
    assert!(found.best_scores().mean < 1e-24);

    let draw = |seed| {
        random_search(
            |rng| {
                Ok(OriginRidge {
                    lambda: 10.0 * rng.uniform(),
                })
            },
            5,
            seed,
            &data(),
            &splits,
            scoring::mse,
            Better::Lower,
        )
    };
    let (a, b) = (draw(3)?, draw(3)?);
    assert_eq!(a.candidates, b.candidates);
    assert_eq!(a.best, b.best);
    let smallest = a
        .candidates
        .iter()
        .map(|p| p.lambda)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(a.best_params().lambda, smallest);
    assert_ne!(draw(4)?.candidates, a.candidates);
    Ok(())
}
