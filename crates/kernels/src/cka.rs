//! Centered kernel alignment (Cortes et al. 2012; Kornblith et al. 2019) and
//! the Hilbert–Schmidt independence criterion it is built from.
//!
//! The biased estimator uses centred Gram matrices; the debiased one uses the
//! unbiased HSIC estimator of Song et al. (2012), whose expectation is the
//! population HSIC (zero for independent representations).

use ndarray::{Array2, ArrayView2, Axis};

use crate::kernel::Kernel;
use crate::kernels::Rbf;
use voltai_core::{Error, Result, check};

fn pair_check(x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Result<()> {
    check::non_empty2("CKA first representation", x)?;
    check::non_empty2("CKA second representation", y)?;
    check::finite2("CKA first representation", x)?;
    check::finite2("CKA second representation", y)?;
    check::same_len(
        "CKA: rows (examples) of both representations",
        x.nrows(),
        y.nrows(),
    )?;
    if x.nrows() < 2 {
        return Err(Error::EmptyInput("CKA needs at least 2 examples".into()));
    }
    Ok(())
}

/// Double-centres a square matrix: H K H with H = I − 11ᵀ/n.
pub fn center_gram(k: &Array2<f64>) -> Array2<f64> {
    let n = k.nrows() as f64;
    let row_means = k.mean_axis(Axis(1)).unwrap_or_default();
    let col_means = k.mean_axis(Axis(0)).unwrap_or_default();
    let all = row_means.sum() / n;
    Array2::from_shape_fn(k.dim(), |(i, j)| {
        k[[i, j]] - row_means[i] - col_means[j] + all
    })
}

fn frob(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

/// Biased HSIC estimate tr(KHLH)/(n−1)².
pub fn hsic(k: &Array2<f64>, l: &Array2<f64>) -> Result<f64> {
    check::same_len("HSIC Gram sizes", k.nrows(), l.nrows())?;
    let n = k.nrows() as f64;
    Ok(frob(&center_gram(k), &center_gram(l)) / ((n - 1.0) * (n - 1.0)))
}

/// Unbiased HSIC estimate (Song et al. 2012); needs n > 3.
pub fn hsic_unbiased(k: &Array2<f64>, l: &Array2<f64>) -> Result<f64> {
    check::same_len("HSIC Gram sizes", k.nrows(), l.nrows())?;
    let n = k.nrows();
    if n < 4 {
        return Err(Error::EmptyInput(
            "unbiased HSIC needs at least 4 examples".into(),
        ));
    }
    let mut kt = k.clone();
    let mut lt = l.clone();
    for i in 0..n {
        kt[[i, i]] = 0.0;
        lt[[i, i]] = 0.0;
    }
    let nf = n as f64;
    let tr = frob(&kt, &lt);
    let sum_k = kt.sum();
    let sum_l = lt.sum();
    let k1 = kt.sum_axis(Axis(1));
    let l1 = lt.sum_axis(Axis(1));
    let one_kl_one: f64 = k1.iter().zip(l1.iter()).map(|(a, b)| a * b).sum();
    Ok(
        (tr + sum_k * sum_l / ((nf - 1.0) * (nf - 2.0)) - 2.0 / (nf - 2.0) * one_kl_one)
            / (nf * (nf - 3.0)),
    )
}

/// CKA between two Gram matrices over the same examples.
pub fn cka_gram(k: &Array2<f64>, l: &Array2<f64>, debiased: bool) -> Result<f64> {
    let h = if debiased { hsic_unbiased } else { hsic };
    let kl = h(k, l)?;
    let kk = h(k, k)?;
    let ll = h(l, l)?;
    if kk <= 0.0 || ll <= 0.0 {
        return Err(Error::numerical(
            "CKA",
            "a representation has zero (or negative) self-HSIC",
        ));
    }
    Ok(kl / (kk * ll).sqrt())
}

fn linear_gram(x: ArrayView2<'_, f64>) -> Array2<f64> {
    x.dot(&x.t())
}

/// Linear CKA between representations `x` (n × p) and `y` (n × q) of the same n examples.
pub fn linear_cka(x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>, debiased: bool) -> Result<f64> {
    pair_check(x, y)?;
    cka_gram(&linear_gram(x), &linear_gram(y), debiased)
}

/// RBF CKA with bandwidth σ = `sigma_fraction` × the median pairwise distance
/// of each representation (Kornblith et al. 2019 use 0.5–1).
pub fn rbf_cka(
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    sigma_fraction: f64,
    debiased: bool,
) -> Result<f64> {
    pair_check(x, y)?;
    if !(sigma_fraction.is_finite() && sigma_fraction > 0.0) {
        return Err(Error::invalid_parameter(
            "sigma_fraction",
            sigma_fraction,
            "(0, inf)",
        ));
    }
    let gram = |z: ArrayView2<'_, f64>| -> Result<Array2<f64>> {
        let n = z.nrows();
        let mut d = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n {
            for j in 0..i {
                d.push(
                    z.row(i)
                        .iter()
                        .zip(z.row(j))
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                        .sqrt(),
                );
            }
        }
        let med = voltai_core::stats::median(&d)?;
        if med <= 0.0 {
            return Err(Error::numerical(
                "RBF CKA",
                "median pairwise distance is zero",
            ));
        }
        Rbf::new(sigma_fraction * med)?.gram_sym(z)
    };
    cka_gram(&gram(x)?, &gram(y)?, debiased)
}
