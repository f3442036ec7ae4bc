//! The ask/tell API: spaces, batches, resuming, other surrogates, bad input.

use ndarray::{Array1, Array2, array};
use voltai_discovery::bo::{
    Acquisition, BayesOptParams, Constraint, Dimension, Goal, History, InitialDesign,
    ParamsSurrogate, SearchSpace,
};
use voltai_gp::BayesianLinearParams;

fn quadratic(x: ndarray::ArrayView1<'_, f64>) -> f64 {
    x.iter().map(|v| (v - 0.3).powi(2)).sum()
}

#[test]
fn every_acquisition_finds_the_minimum_of_a_bowl() {
    for acq in [
        Acquisition::ExpectedImprovement { xi: 0.0 },
        Acquisition::LogExpectedImprovement,
        Acquisition::LogNoisyExpectedImprovement,
        Acquisition::ProbabilityOfImprovement { xi: 0.01 },
        Acquisition::UpperConfidenceBound { beta: 2.0 },
        Acquisition::ThompsonSampling,
    ] {
        let mut opt =
            BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap())
                .goal(Goal::Minimize)
                .acquisition(acq)
                .unwrap()
                .seed(2)
                .build()
                .unwrap();
        opt.run(|x| Ok((quadratic(x), vec![])), 25, 1, &mut |_| {})
            .unwrap();
        let best = opt.best().unwrap();
        assert!(best.y < 2e-3, "{acq:?}: {best:?}");
    }
}

#[test]
fn batches_resume_and_seeds_are_deterministic() {
    let params = || {
        BayesOptParams::new(SearchSpace::continuous(&[(-1.0, 1.0), (-1.0, 1.0)]).unwrap())
            .goal(Goal::Minimize)
            .initial_design(4, InitialDesign::LatinHypercube)
            .seed(11)
    };
    let mut a = params().build().unwrap();
    let x = a.ask(4).unwrap();
    let y: Array1<f64> = x.rows().into_iter().map(quadratic).collect();
    a.tell(x.view(), y.view(), None).unwrap();
    // A batch of three distinct model-based proposals (kriging believer).
    let batch = a.ask(3).unwrap();
    assert_eq!(batch.nrows(), 3);
    for i in 0..3 {
        for j in i + 1..3 {
            let d: f64 = (&batch.row(i) - &batch.row(j)).mapv(|v| v * v).sum();
            assert!(d > 1e-6, "batch points {i} and {j} coincide");
        }
    }
    // Saving the history and resuming gives the same next proposals.
    let saved = a.history().to_json().unwrap();
    let mut b = params()
        .resume(History::from_json(&saved).unwrap())
        .unwrap();
    assert_eq!(b.ask(3).unwrap(), batch);
    let mut c = params().build().unwrap();
    assert_eq!(c.ask(4).unwrap(), x);
    // Malformed history text is a located parse error.
    let err = History::from_json("{\"observations\": [1,")
        .unwrap_err()
        .to_string();
    assert!(err.contains("<history>:1:"), "{err}");
}

#[test]
fn mixed_spaces_and_candidate_sets() {
    let space = SearchSpace::new(vec![
        Dimension::continuous("rate", 0.5, 4.0).unwrap(),
        Dimension::integer("steps", 1, 6).unwrap(),
        Dimension::categorical("electrolyte", &["EC/DMC", "EC/EMC", "FEC"]).unwrap(),
    ])
    .unwrap();
    let f = |x: ndarray::ArrayView1<'_, f64>| -> f64 {
        -(x[0] - 2.0).powi(2) - (x[1] - 4.0).powi(2) + if x[2] == 2.0 { 1.0 } else { 0.0 }
    };
    let mut opt = BayesOptParams::new(space.clone()).seed(4).build().unwrap();
    opt.run(|x| Ok((f(x), vec![])), 30, 2, &mut |_| {}).unwrap();
    for o in &opt.history().observations {
        space.check_point(Array1::from(o.x.clone()).view()).unwrap();
    }
    let best = opt.best().unwrap();
    assert_eq!((best.x[1], best.x[2]), (4.0, 2.0), "{best:?}");

    // Candidate sets never repeat a candidate and report exhaustion.
    let cands = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
    let mut opt = BayesOptParams::new(SearchSpace::candidates(cands).unwrap())
        .initial_design(2, InitialDesign::Random)
        .build()
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let x = opt.ask(2).unwrap();
        for r in x.rows() {
            seen.push(r[0]);
            opt.tell_one(&[r[0]], -(r[0] - 3.0f64).powi(2), &[])
                .unwrap();
        }
    }
    seen.sort_by(f64::total_cmp);
    assert_eq!(seen, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert!(opt.ask(1).is_err());
    assert!(opt.tell_one(&[2.5], 0.0, &[]).is_err());
}

#[test]
fn any_probabilistic_regressor_can_be_the_surrogate() {
    // A Bayesian linear model on a linear objective.
    let mut opt = BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap())
        .surrogate(ParamsSurrogate::new(BayesianLinearParams::new()))
        .acquisition(Acquisition::UpperConfidenceBound { beta: 1.0 })
        .unwrap()
        .seed(1)
        .build()
        .unwrap();
    opt.run(|x| Ok((2.0 * x[0] - x[1], vec![])), 12, 1, &mut |_| {})
        .unwrap();
    let best = opt.best().unwrap();
    assert!(best.y > 1.9, "{best:?}");
    // Batches work through refitting when the surrogate has no cheap update.
    assert_eq!(opt.ask(3).unwrap().nrows(), 3);
}

#[test]
fn constraints_steer_away_from_infeasible_points() {
    // Maximise x0 + x1 subject to x0² + x1² ≤ 0.5: optimum 1 at (0.5, 0.5).
    let mut opt = BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap())
        .constraint(Constraint::at_most("radius²", 0.5).unwrap())
        .unwrap()
        .seed(5)
        .build()
        .unwrap();
    opt.run(
        |x| Ok((x[0] + x[1], vec![x[0] * x[0] + x[1] * x[1]])),
        30,
        1,
        &mut |_| {},
    )
    .unwrap();
    let best = opt.best().unwrap();
    assert!(best.constraints[0] <= 0.5 && best.y > 0.97, "{best:?}");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(Dimension::continuous("x", 1.0, 0.0).is_err());
    assert!(Dimension::continuous("x", 0.0, f64::NAN).is_err());
    assert!(Dimension::integer("n", 3, 3).is_err());
    assert!(Dimension::categorical("c", &["only"]).is_err());
    assert!(SearchSpace::new(vec![]).is_err());
    assert!(SearchSpace::candidates(Array2::zeros((0, 2))).is_err());
    assert!(SearchSpace::candidates(array![[f64::NAN]]).is_err());
    let space = SearchSpace::continuous(&[(0.0, 1.0)]).unwrap();
    let mut opt = BayesOptParams::new(space.clone()).build().unwrap();
    assert!(opt.tell_one(&[0.5], f64::NAN, &[]).is_err());
    assert!(opt.tell_one(&[1.5], 0.0, &[]).is_err());
    assert!(opt.tell_one(&[0.5, 0.1], 0.0, &[]).is_err());
    assert!(opt.tell_one(&[0.5], 0.0, &[1.0]).is_err());
    assert!(opt.ask(0).is_err());
    assert!(BayesOptParams::new(space.clone()).safe_mode(0.7).is_err());
    assert!(
        BayesOptParams::new(space.clone())
            .acquisition(Acquisition::UpperConfidenceBound { beta: -1.0 })
            .is_err()
    );
    // Safe mode without constraints, and without a known-safe start.
    assert!(
        BayesOptParams::new(space.clone())
            .safe_mode(0.05)
            .unwrap()
            .build()
            .is_err()
    );
    let mut safe = BayesOptParams::new(space.clone())
        .safe_mode(0.05)
        .unwrap()
        .constraint(Constraint::at_most("t", 1.0).unwrap())
        .unwrap()
        .build()
        .unwrap();
    assert!(safe.ask(1).is_err());
    // Noisy EI needs a joint posterior, which a Bayesian linear surrogate
    // does not offer: once past the initial design, asking is an error.
    let mut nei = BayesOptParams::new(space.clone())
        .surrogate(ParamsSurrogate::new(BayesianLinearParams::new()))
        .acquisition(Acquisition::LogNoisyExpectedImprovement)
        .unwrap()
        .initial_design(3, InitialDesign::Sobol)
        .build()
        .unwrap();
    let design = nei.ask(3).unwrap();
    for row in design.rows() {
        nei.tell_one(row.as_slice().unwrap(), row[0], &[]).unwrap();
    }
    let err = nei.ask(1).unwrap_err().to_string();
    assert!(err.contains("joint posterior"), "{err}");
    // Everything infeasible: the documented fallback looks for feasibility.
    let mut opt = BayesOptParams::new(space)
        .constraint(Constraint::at_most("c", -1.0).unwrap())
        .unwrap()
        .initial_design(3, InitialDesign::Sobol)
        .build()
        .unwrap();
    opt.run(|x| Ok((x[0], vec![x[0]])), 6, 1, &mut |_| {})
        .unwrap();
    assert!(opt.best().is_none());
}

mod ledger {
    use ndarray::{Array2, ArrayView1};
    use voltai_discovery::bo::{
        BayesOptParams, Campaign, Goal, InitialDesign, Ledger, Measurement, SearchSpace,
        Suggestion, TrialState,
    };

    fn bowl(x: &[f64]) -> f64 {
        super::quadratic(ArrayView1::from(x))
    }

    fn params(space: SearchSpace) -> BayesOptParams {
        BayesOptParams::new(space)
            .goal(Goal::Minimize)
            .initial_design(4, InitialDesign::Sobol)
            .seed(11)
    }

    /// Every pair at least the default separation (0.01 of the unit box) apart.
    fn distinct(points: &[Vec<f64>]) -> bool {
        points.iter().enumerate().all(|(i, a)| {
            points[..i].iter().all(|b| {
                a.iter()
                    .zip(b)
                    .map(|(u, v)| (u - v).powi(2))
                    .sum::<f64>()
                    .sqrt()
                    >= 0.01
            })
        })
    }

    #[test]
    fn pending_trials_are_never_proposed_again() {
        let box2 = SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap();
        let grid =
            Array2::from_shape_fn((30, 2), |(i, j)| if j == 0 { i as f64 / 29.0 } else { 0.5 });
        for space in [box2, SearchSpace::candidates(grid).unwrap()] {
            let mut c = Campaign::new(params(space));
            // During the initial design and past it: five asks of one, all
            // out at once, give five different points.
            for round in 0..2 {
                let out: Vec<Suggestion> = (0..5).flat_map(|_| c.ask(1).unwrap()).collect();
                let xs: Vec<Vec<f64>> = out.iter().map(|s| s.x.clone()).collect();
                assert!(distinct(&xs), "round {round}: {xs:?}");
                for s in &out {
                    c.complete(s.id, bowl(&s.x), &[]).unwrap();
                }
            }
            // Past the design, with 5 pending: the sixth differs from all.
            let out: Vec<Suggestion> = (0..6).flat_map(|_| c.ask(1).unwrap()).collect();
            let xs: Vec<Vec<f64>> = out.iter().map(|s| s.x.clone()).collect();
            assert!(distinct(&xs), "{xs:?}");
            assert_eq!(c.ledger().in_state(TrialState::Pending).count(), 6);
        }
    }

    #[test]
    fn failed_trials_stay_in_the_ledger_but_not_in_the_model() {
        let mut c = Campaign::new(params(
            SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap(),
        ));
        let out = c.ask(6).unwrap();
        for s in &out[..5] {
            c.complete(s.id, bowl(&s.x), &[]).unwrap();
        }
        c.fail(out[5].id, "thermocouple fell off").unwrap();
        let t = c.ledger().trial(out[5].id).unwrap();
        assert_eq!(t.state, TrialState::Failed);
        assert_eq!(t.metadata["reason"], "thermocouple fell off");
        assert_eq!(c.optimizer().unwrap().history().len(), 5);
        assert!(c.ledger().history().observations.iter().all(|o| o.x != t.x));
        // A failed trial takes no result and cannot fail twice.
        assert!(c.complete(out[5].id, 1.0, &[]).is_err());
        assert!(c.fail(out[5].id, "again").is_err());
        assert!(c.complete(99, 1.0, &[]).is_err());
        assert!(c.complete(out[0].id, f64::NAN, &[]).is_err());
        // Replicates: a second result of a completed trial is one more
        // observation for the model.
        c.complete(out[0].id, bowl(&out[0].x) + 0.01, &[]).unwrap();
        assert_eq!(c.optimizer().unwrap().history().len(), 6);
    }

    #[test]
    fn results_told_out_of_order_give_the_same_campaign() {
        let p = params(SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap());
        let (mut a, mut b) = (Campaign::new(p.clone()), Campaign::new(p));
        let (oa, ob) = (a.ask(6).unwrap(), b.ask(6).unwrap());
        assert_eq!(oa, ob);
        for s in &oa {
            a.complete(s.id, bowl(&s.x), &[]).unwrap();
        }
        for s in ob.iter().rev() {
            b.complete(s.id, bowl(&s.x), &[]).unwrap();
        }
        assert_eq!(
            a.optimizer().unwrap().history(),
            b.optimizer().unwrap().history()
        );
        assert_eq!(a.ask(3).unwrap(), b.ask(3).unwrap());
    }

    #[test]
    fn a_campaign_resumed_from_json_proposes_exactly_the_same() {
        let p = params(SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap());
        let mut c = Campaign::new(p.clone());
        for _ in 0..3 {
            let out = c.ask(3).unwrap();
            c.complete(out[0].id, bowl(&out[0].x), &[]).unwrap();
            c.complete(out[1].id, bowl(&out[1].x), &[]).unwrap();
            c.annotate(out[2].id, "channel", "7").unwrap();
        }
        c.abandon(2, "channel busy").unwrap();
        let text = c.ledger().to_json().unwrap();
        let back = Ledger::from_json(&text).unwrap();
        assert_eq!(&back, c.ledger());
        let path = std::env::temp_dir().join(format!("voltai_ledger_{}.json", std::process::id()));
        c.ledger().save(&path).unwrap();
        assert_eq!(&Ledger::load(&path).unwrap(), c.ledger());
        std::fs::remove_file(&path).ok();
        let mut resumed = Campaign::resume(p, back);
        assert_eq!(resumed.ask(2).unwrap(), c.ask(2).unwrap());
        // Ids out of order are refused with where they went wrong.
        let bad = text.replacen("\"id\": 1,", "\"id\": 5,", 1);
        assert!(Ledger::<Measurement>::from_json(&bad).is_err());
        assert!(Ledger::<Measurement>::from_json("{ \"trials\": [ }").is_err());
        // A single-objective measurement keeps its fields inline.
        assert!(text.contains("\"y\": ") && text.contains("\"constraints\": ["));
    }

    /// Multi-objective campaigns run on the same ledger and loop.
    mod multi {
        use ndarray::{Array2, ArrayView1};
        use voltai_discovery::bo::{
            Campaign, InitialDesign, Ledger, MultiObjectiveParams, MultiStrategy, Objectives,
            SearchSpace, Suggestion, TrialState,
        };

        /// f1 = ‖x‖², f2 = ‖x − 1‖² on the unit square.
        fn objectives(x: &[f64]) -> Vec<f64> {
            vec![
                x.iter().map(|v| v * v).sum(),
                x.iter().map(|v| (v - 1.0) * (v - 1.0)).sum(),
            ]
        }

        fn params(strategy: MultiStrategy) -> MultiObjectiveParams {
            MultiObjectiveParams::new(
                SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap(),
                vec![2.0, 2.0],
                strategy,
            )
            .unwrap()
            .initial_design(4, InitialDesign::Sobol)
            .seed(5)
        }

        #[test]
        fn pending_trials_are_never_proposed_again_and_resume_is_exact() {
            for strategy in [MultiStrategy::ParEgo { rho: 0.05 }, MultiStrategy::Ehvi] {
                let p = params(strategy);
                let mut c = Campaign::new(p.clone());
                for round in 0..2 {
                    let out: Vec<Suggestion> = (0..5).flat_map(|_| c.ask(1).unwrap()).collect();
                    let xs: Vec<Vec<f64>> = out.iter().map(|s| s.x.clone()).collect();
                    assert!(super::distinct(&xs), "{strategy:?} round {round}: {xs:?}");
                    for s in &out {
                        c.complete(s.id, &objectives(&s.x)).unwrap();
                    }
                }
                // A batch of 4 with 2 still pending: six different points.
                let mut xs: Vec<Vec<f64>> = c.ask(2).unwrap().into_iter().map(|s| s.x).collect();
                let batch = c.ask(4).unwrap();
                assert_eq!(batch.len(), 4);
                xs.extend(batch.iter().map(|s| s.x.clone()));
                assert!(super::distinct(&xs), "{strategy:?}: {xs:?}");
                c.fail(batch[0].id, "furnace tripped").unwrap();
                assert_eq!(c.ledger().in_state(TrialState::Pending).count(), 5);
                assert_eq!(c.optimizer().unwrap().objectives().nrows(), 10);
                // Wrong number of objectives, non-finite values: refused.
                assert!(c.complete(batch[1].id, &[0.1]).is_err());
                assert!(c.complete(batch[1].id, &[0.1, f64::NAN]).is_err());
                let text = c.ledger().to_json().unwrap();
                assert!(text.contains("\"objectives\": ["));
                let back: Ledger<Objectives> = Ledger::from_json(&text).unwrap();
                assert_eq!(&back, c.ledger());
                let mut resumed = Campaign::resume(p, back);
                assert_eq!(resumed.ask(2).unwrap(), c.ask(2).unwrap());
            }
        }

        /// One pick at a time through the ledger is the stand-alone
        /// optimiser's sequence, and a run's hypervolume never shrinks.
        #[test]
        fn one_at_a_time_matches_the_plain_optimizer() {
            let p = params(MultiStrategy::Ehvi);
            let mut plain = p.clone().build();
            let mut c = Campaign::new(p);
            for _ in 0..8 {
                let x = plain.ask().unwrap();
                let s = c.ask(1).unwrap().remove(0);
                assert_eq!(s.x, x.to_vec());
                plain.tell_one(&s.x, &objectives(&s.x)).unwrap();
                c.complete(s.id, &objectives(&s.x)).unwrap();
            }
            let mut volumes = Vec::new();
            c.run(
                |x: ArrayView1<'_, f64>| Ok(Some(objectives(&x.to_vec()))),
                6,
                2,
                &mut |r| volumes.push(r.get("hypervolume").unwrap()),
            )
            .unwrap();
            assert_eq!(volumes.len(), 3);
            assert!(volumes.windows(2).all(|w| w[1] >= w[0]));
            let front = c.optimizer().unwrap().pareto_indices();
            let y: Array2<f64> = c.optimizer().unwrap().objectives();
            assert!(!front.is_empty() && y.nrows() == 14);
        }
    }
}

mod noisy {
    use voltai_core::synthetic::SplitMix64;
    use voltai_discovery::bo::{
        Acquisition, BayesOptParams, Campaign, Goal, InitialDesign, SearchSpace,
    };

    #[test]
    fn the_reported_best_is_the_best_posterior_mean_not_the_luckiest_reading() {
        // Minimise (x − 0.3)² + noise (sd 0.05) on [0, 1], 3 replicates per
        // trial: the single best reading is a lucky draw; the posterior
        // mean is close to the truth there.
        // Both the plug-in and the noisy (joint-posterior) improvement.
        for acquisition in [
            Acquisition::LogExpectedImprovement,
            Acquisition::LogNoisyExpectedImprovement,
        ] {
            let mut c = Campaign::new(
                BayesOptParams::new(SearchSpace::continuous(&[(0.0, 1.0)]).unwrap())
                    .goal(Goal::Minimize)
                    .acquisition(acquisition)
                    .unwrap()
                    .initial_design(5, InitialDesign::Sobol)
                    .seed(3),
            );
            let mut rng = SplitMix64::new(9);
            let f = |x: f64| (x - 0.3) * (x - 0.3);
            for _ in 0..8 {
                for s in c.ask(2).unwrap() {
                    for _ in 0..3 {
                        c.complete(s.id, f(s.x[0]) + 0.05 * rng.normal(), &[])
                            .unwrap();
                    }
                }
            }
            let (id, mean) = c.best().unwrap().unwrap();
            let x = c.ledger().trial(id).unwrap().x[0];
            assert!((x - 0.3).abs() < 0.1, "{acquisition:?}: best trial at {x}");
            assert!(
                (mean - f(x)).abs() < 0.05,
                "posterior mean {mean} vs truth {}",
                f(x)
            );
            // The luckiest reading sits below the truth at its point.
            let lucky = c.optimizer().unwrap().best().unwrap().clone();
            assert!(lucky.y < f(lucky.x[0]), "{lucky:?}");
            assert!(lucky.y < mean);
        }
    }
}

#[test]
fn every_surrogate_kernel_prior_and_incumbent_finds_the_bowl() {
    use voltai_discovery::bo::{GpSurrogate, Incumbent, SurrogateKernel};
    for kernel in [
        SurrogateKernel::SquaredExponential,
        SurrogateKernel::Matern52,
    ] {
        for priors in [false, true] {
            for incumbent in [Incumbent::BestObservation, Incumbent::BestPosteriorMean] {
                let mut opt = BayesOptParams::new(
                    SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap(),
                )
                .goal(Goal::Minimize)
                .surrogate(GpSurrogate::new().kernel(kernel).priors(priors))
                .incumbent(incumbent)
                .seed(4)
                .build()
                .unwrap();
                for _ in 0..20 {
                    let x = opt.ask(1).unwrap();
                    let y = quadratic(x.row(0));
                    opt.tell_one(&x.row(0).to_vec(), y, &[]).unwrap();
                }
                let best = opt.best().unwrap().y;
                assert!(
                    best < 1e-3,
                    "{kernel:?} priors {priors} {incumbent:?}: {best}"
                );
                let (x, mean) = opt.best_by_posterior_mean().unwrap().unwrap();
                assert!(quadratic(ndarray::ArrayView1::from(&x[..])) < 1e-2, "{x:?}");
                assert!(mean.is_finite());
            }
        }
    }
}

/// A linear trend: a plane is predicted exactly far outside its data, and with
/// no more points than the trend's coefficients plus one the surrogate
/// falls back to a constant instead of failing.
#[test]
fn a_linear_trend_extrapolates_and_falls_back_with_few_points() {
    use voltai_discovery::bo::{GpSurrogate, Surrogate};
    use voltai_gp::Mean;
    let x = ndarray::array![
        [0.1, 0.2],
        [0.3, 0.1],
        [0.2, 0.4],
        [0.4, 0.3],
        [0.25, 0.25],
        [0.15, 0.35]
    ];
    let plane = |r: ndarray::ArrayView1<'_, f64>| 2.0 * r[0] - 3.0 * r[1] + 0.5;
    let y: Array1<f64> = x.rows().into_iter().map(plane).collect();
    let far = ndarray::array![[0.9, 0.9], [1.0, 0.0]];
    let linear = GpSurrogate::new()
        .mean(Mean::Linear)
        .fit(x.view(), y.view(), 0)
        .unwrap();
    let p = linear.predict(far.view()).unwrap();
    for (i, row) in far.rows().into_iter().enumerate() {
        assert!(
            (p.mean[i] - plane(row)).abs() < 1e-3,
            "{} vs {}",
            p.mean[i],
            plane(row)
        );
    }
    // 4 points ≤ d + 2 = 4: a constant mean, still a usable model.
    let few = GpSurrogate::new()
        .mean(Mean::Linear)
        .fit(x.slice(ndarray::s![..4, ..]), y.slice(ndarray::s![..4]), 0)
        .unwrap();
    assert!(
        few.predict(far.view())
            .unwrap()
            .mean
            .iter()
            .all(|v| v.is_finite())
    );
}

mod fidelity {
    use ndarray::{ArrayView1, array};
    use voltai_discovery::bo::benchmarks::{CURRIN_MAX, currin, currin_low};
    use voltai_discovery::bo::{
        BayesOptParams, FidelityHistory, Goal, InitialDesign, MultiFidelityBoParams, SearchSpace,
    };

    const COSTS: [f64; 2] = [1.0, 10.0];
    const TOLERANCE: f64 = 0.01;
    const BUDGET: f64 = 400.0;

    fn space() -> SearchSpace {
        SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap()
    }

    fn evaluate(x: ArrayView1<'_, f64>, level: usize) -> f64 {
        if level == 0 { currin_low(x) } else { currin(x) }
    }

    /// Cost spent when an expensive reading first came within TOLERANCE of
    /// Currin's maximum, and the number of cheap runs made after the design.
    fn multi_fidelity_cost(seed: u64) -> (f64, usize) {
        let mut mf = MultiFidelityBoParams::new(space(), &COSTS)
            .unwrap()
            .goal(Goal::Maximize)
            .seed(seed)
            .build();
        while mf.spent() < BUDGET {
            let s = mf.ask().unwrap();
            let y = evaluate(s.x.view(), s.level);
            mf.tell(&s.x.to_vec(), s.level, y).unwrap();
            if s.level == 1 && y >= CURRIN_MAX - TOLERANCE {
                let cheap = mf
                    .history()
                    .observations
                    .iter()
                    .filter(|o| o.level == 0)
                    .count();
                return (mf.spent(), cheap - 12);
            }
        }
        (f64::INFINITY, 0)
    }

    fn single_fidelity_cost(seed: u64, n_initial: usize) -> f64 {
        let mut sf = BayesOptParams::new(space())
            .goal(Goal::Maximize)
            .initial_design(n_initial, InitialDesign::Sobol)
            .seed(seed)
            .build()
            .unwrap();
        let mut spent = 0.0;
        while spent < BUDGET {
            let x = sf.ask(1).unwrap().row(0).to_vec();
            let y = currin(ArrayView1::from(&x[..]));
            sf.tell_one(&x, y, &[]).unwrap();
            spent += COSTS[1];
            if y >= CURRIN_MAX - TOLERANCE {
                return spent;
            }
        }
        f64::INFINITY
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        0.5 * (v[v.len() / 2 - 1] + v[v.len() / 2])
    }

    /// The acceptance problem (example `bo_multifidelity`): Currin's
    /// function with Xiong et al.'s cheap model at a tenth of the cost.
    /// Over 10 seeds the multi-fidelity campaign reaches the target for
    /// less than single-fidelity BO with either initial design size, and it
    /// gets there by buying cheap runs after its design, not only by its
    /// cheaper start.
    #[test]
    fn multi_fidelity_reaches_the_target_for_less() {
        let runs: Vec<(f64, usize)> = (0..10).map(multi_fidelity_cost).collect();
        let mf = median(runs.iter().map(|r| r.0).collect());
        let cheap_after_design: usize = runs.iter().map(|r| r.1).sum();
        for n_initial in [4, 6] {
            let sf = median(
                (0..10)
                    .map(|s| single_fidelity_cost(s, n_initial))
                    .collect(),
            );
            assert!(
                mf < sf,
                "multi-fidelity median cost {mf} vs single-fidelity {sf} ({n_initial} initial points)"
            );
        }
        assert!(mf.is_finite());
        assert!(
            cheap_after_design >= 10,
            "only {cheap_after_design} cheap runs after the designs"
        );
    }

    /// A deterministic cheap level is never asked twice at one point (the
    /// AEI's noise factor vanishes there), the design is nested, and a
    /// campaign resumed from its JSON history asks what the original asks.
    #[test]
    fn design_is_nested_and_resume_is_exact() {
        let params = MultiFidelityBoParams::new(space(), &COSTS).unwrap().seed(4);
        let mut mf = params.clone().build();
        for _ in 0..22 {
            let s = mf.ask().unwrap();
            // Asking again before telling changes nothing.
            assert_eq!(mf.ask().unwrap(), s);
            mf.tell(&s.x.to_vec(), s.level, evaluate(s.x.view(), s.level))
                .unwrap();
        }
        let obs = &mf.history().observations;
        // 12 cheap design points, then the first 4 of them at the top level.
        assert!(obs[..12].iter().all(|o| o.level == 0));
        for k in 0..4 {
            assert_eq!(obs[12 + k].level, 1);
            assert_eq!(obs[12 + k].x, obs[k].x);
        }
        let cheap: Vec<&Vec<f64>> = obs.iter().filter(|o| o.level == 0).map(|o| &o.x).collect();
        for (i, a) in cheap.iter().enumerate() {
            for b in &cheap[..i] {
                let d2: f64 = a.iter().zip(b.iter()).map(|(p, q)| (p - q).powi(2)).sum();
                assert!(d2 > 1e-10, "cheap point {a:?} asked twice");
            }
        }
        let text = mf.history().to_json().unwrap();
        let resumed = params
            .resume(FidelityHistory::from_json(&text).unwrap())
            .unwrap();
        assert_eq!(resumed.ask().unwrap(), mf.ask().unwrap());
        assert_eq!(resumed.spent(), mf.spent());
        let (x, value) = mf.best().unwrap().unwrap();
        assert!(obs.iter().any(|o| o.level == 1 && o.x == x));
        assert!(value.is_finite());
    }

    #[test]
    fn bad_settings_and_readings_are_refused() {
        assert!(MultiFidelityBoParams::new(space(), &[10.0]).is_err());
        assert!(MultiFidelityBoParams::new(space(), &[10.0, 1.0]).is_err());
        assert!(MultiFidelityBoParams::new(space(), &[1.0, f64::NAN]).is_err());
        let candidates = SearchSpace::candidates(array![[0.0], [1.0]]).unwrap();
        assert!(MultiFidelityBoParams::new(candidates, &COSTS).is_err());
        let params = MultiFidelityBoParams::new(space(), &COSTS).unwrap();
        assert!(params.clone().initial_design(&[5]).is_err());
        assert!(params.clone().initial_design(&[5, 2]).is_err());
        let mut mf = params.build();
        assert!(mf.tell(&[0.5, 0.5], 2, 1.0).is_err());
        assert!(mf.tell(&[0.5, 0.5], 0, f64::NAN).is_err());
        assert!(mf.tell(&[0.5, 1.5], 0, 1.0).is_err());
        assert!(mf.tell(&[0.5], 0, 1.0).is_err());
        assert!(mf.history().is_empty());
        assert_eq!(mf.best().unwrap(), None);
    }
}

/// Linear inequalities on a box: designs, searches and batches stay inside
/// the cut box, the optimum on its edge is found, and impossible or
/// ill-formed inequalities are refused.
mod linear_constraints {
    use ndarray::ArrayView1;
    use voltai_discovery::bo::{
        BayesOptParams, Campaign, Dimension, Goal, InitialDesign, MultiObjectiveParams,
        MultiStrategy, SearchSpace,
    };

    fn simplex() -> SearchSpace {
        SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)])
            .unwrap()
            .linear_constraint(&[1.0, 1.0], 1.0)
            .unwrap()
    }

    fn inside(x: &[f64]) -> bool {
        x[0] + x[1] <= 1.0 + 1e-9
    }

    #[test]
    fn every_proposal_is_inside_and_the_edge_optimum_is_found() {
        // (x − 0.8)² + (y − 0.8)² is least on x + y ≤ 1 at (0.5, 0.5).
        let f = |x: &[f64]| (x[0] - 0.8).powi(2) + (x[1] - 0.8).powi(2);
        let mut c = Campaign::new(
            BayesOptParams::new(simplex())
                .goal(Goal::Minimize)
                .initial_design(6, InitialDesign::Sobol)
                .seed(2),
        );
        for _ in 0..8 {
            for s in c.ask(2).unwrap() {
                assert!(inside(&s.x), "{:?}", s.x);
                c.complete(s.id, f(&s.x), &[]).unwrap();
            }
        }
        let (id, _) = c.best().unwrap().unwrap();
        let x = &c.ledger().trial(id).unwrap().x;
        assert!(
            f(x) < 0.18 + 2e-3,
            "best {x:?}: {} vs the optimum 0.18",
            f(x)
        );
        // A reading outside the cut box is refused.
        let mut opt = BayesOptParams::new(simplex()).build().unwrap();
        assert!(opt.tell_one(&[0.7, 0.6], 1.0, &[]).is_err());
        assert!(opt.tell_one(&[0.5, 0.5], 1.0, &[]).is_ok());
    }

    #[test]
    fn multi_objective_search_stays_inside() {
        let mut c = Campaign::new(
            MultiObjectiveParams::new(simplex(), vec![2.0, 2.0], MultiStrategy::Ehvi)
                .unwrap()
                .initial_design(5, InitialDesign::Sobol)
                .seed(1),
        );
        c.run(
            |x: ArrayView1<'_, f64>| {
                assert!(inside(&x.to_vec()), "{x}");
                Ok(Some(vec![
                    x[0].powi(2) + x[1].powi(2),
                    (x[0] - 1.0).powi(2) + (x[1] - 1.0).powi(2),
                ]))
            },
            10,
            2,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(c.optimizer().unwrap().objectives().nrows(), 10);
    }

    #[test]
    fn ill_formed_inequalities_are_refused() {
        let b = || SearchSpace::continuous(&[(0.0, 1.0), (0.0, 1.0)]).unwrap();
        assert!(b().linear_constraint(&[1.0], 1.0).is_err());
        assert!(b().linear_constraint(&[0.0, 0.0], 1.0).is_err());
        assert!(b().linear_constraint(&[1.0, f64::NAN], 1.0).is_err());
        assert!(b().linear_constraint(&[1.0, 1.0], f64::INFINITY).is_err());
        // No point of the box has x + y ≤ −0.5.
        assert!(b().linear_constraint(&[1.0, 1.0], -0.5).is_err());
        let mixed = SearchSpace::new(vec![
            Dimension::continuous("x", 0.0, 1.0).unwrap(),
            Dimension::categorical("cathode", &["NMC", "LFP"]).unwrap(),
        ])
        .unwrap();
        assert!(mixed.clone().linear_constraint(&[1.0, 1.0], 1.0).is_err());
        assert!(mixed.linear_constraint(&[1.0, 0.0], 0.5).is_ok());
        let cands = SearchSpace::candidates(ndarray::array![[0.0, 1.0]]).unwrap();
        assert!(cands.linear_constraint(&[1.0, 1.0], 1.0).is_err());
        // A sliver of the box: the design cannot fill it and says so.
        let sliver = b().linear_constraint(&[1.0, 1.0], 1e-9).unwrap();
        let mut opt = BayesOptParams::new(sliver)
            .initial_design(5, InitialDesign::Sobol)
            .build()
            .unwrap();
        assert!(opt.ask(5).is_err());
    }
}

/// `GpSurrogate::priors` is BoTorch's MAP fit: with the output scale held at
/// 1 (BoTorch 0.16's SingleTaskGP has none) and a zero mean, the fitted
/// posterior equals BoTorch's on the same standardised data. Reference:
/// tools/reference/bo/botorch_priors.py (botorch 0.16.1, gpytorch 1.15.2,
/// torch 2.15.0); fitted length scales 0.3016 / 0.6000 / 1.0280, noise
/// 0.00728. Without the ln ℓ Jacobian of BoTorch's density the length
/// scales run to about e^(√2 + ½ ln 3) ≈ 7 and the posterior differs.
#[test]
fn the_priors_match_botorchs_map_fit() {
    use voltai_discovery::bo::{GpSurrogate, Surrogate};
    let (n, primes) = (14, [2.0f64, 3.0, 5.0]);
    let x = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| {
        ((i as f64 + 1.0) * primes[j].sqrt()).fract()
    });
    let raw: Array1<f64> = (0..n)
        .map(|i| {
            (3.0 * x[[i, 0]]).sin() + x[[i, 1]].powi(2) - 0.5 * x[[i, 2]]
                + 0.05 * (17.0 * i as f64).sin()
        })
        .collect();
    let mean = raw.mean().unwrap();
    let sd = raw.std(1.0);
    let y = raw.mapv(|v| (v - mean) / sd);
    let fitted = GpSurrogate::new()
        .priors(true)
        .variance_bounds(1.0 - 1e-9, 1.0 + 1e-9)
        .unwrap()
        .lengthscale_bounds(0.025, 1e3)
        .unwrap()
        .noise_bounds(1e-4, 10.0)
        .unwrap()
        .restarts(3)
        .fit(x.view(), y.view(), 0)
        .unwrap();
    let test = ndarray::array![
        [0.5, 0.5, 0.5],
        [0.1, 0.9, 0.3],
        [0.95, 0.05, 0.7],
        [0.3, 0.3, 0.9]
    ];
    let p = fitted.predict(test.view()).unwrap();
    let botorch_mean = [0.724046, -0.104936, -1.700535, -0.764537];
    let botorch_variance = [0.011579, 0.068364, 0.023034, 0.035237];
    for i in 0..4 {
        assert!(
            (p.mean[i] - botorch_mean[i]).abs() < 2e-3,
            "mean {i}: {} vs BoTorch {}",
            p.mean[i],
            botorch_mean[i]
        );
        assert!(
            (p.variance[i] / botorch_variance[i] - 1.0).abs() < 0.02,
            "variance {i}: {} vs BoTorch {}",
            p.variance[i],
            botorch_variance[i]
        );
    }
}
