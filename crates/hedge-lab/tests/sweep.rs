//! The sweep end to end on a small, coarse configuration: determinism, the
//! shape of the report, and physics any hedger must show.
use hedge_lab::book::LegSpec;
use hedge_lab::engine::DpSettings;
use hedge_lab::{run_sweep, CostModel, Family, LabConfig, Policy};

fn small() -> LabConfig {
    LabConfig {
        paths: 120,
        step_minutes: 15.0,
        sweep_points: 8,
        bootstrap: 40,
        dp: DpSettings { step_minutes: 15.0, spot_substeps: 1, hedge_resolution: 2.0, ..DpSettings::default() },
        ..LabConfig::default_book()
    }
}

#[test]
fn same_seed_same_numbers_different_seed_different_numbers() {
    let a = run_sweep(&small(), &|| {}).unwrap();
    let b = run_sweep(&small(), &|| {}).unwrap();
    for (pa, pb) in a.policies.iter().zip(&b.policies) {
        assert_eq!(pa.points, pb.points, "{}", pa.name);
    }
    let c = run_sweep(&LabConfig { seed: 2, ..small() }, &|| {}).unwrap();
    assert_ne!(a.policies[0].points, c.policies[0].points);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let a = one.install(|| run_sweep(&small(), &|| {}).unwrap());
    let b = three.install(|| run_sweep(&small(), &|| {}).unwrap());
    for (pa, pb) in a.policies.iter().zip(&b.policies) {
        assert_eq!(pa.points, pb.points, "{}", pa.name);
    }
}

#[test]
fn report_has_every_policy_sweep_frontier_and_matched_level() {
    let count = std::sync::atomic::AtomicUsize::new(0);
    let r = run_sweep(&small(), &|| {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(count.into_inner(), 120, "progress is called once per path");
    let names: Vec<_> = r.policies.iter().map(|p| p.name).collect();
    assert_eq!(names, Family::ALL.map(|f| f.name()).to_vec());
    for p in &r.policies {
        assert!(p.points.len() >= 8 || p.name == "time-interval", "{}: {} points", p.name, p.points.len());
        assert!(!p.frontier.is_empty());
        // frontier: rising std, falling cost
        for w in p.frontier.windows(2) {
            let (a, b) = (&p.points[w[0]], &p.points[w[1]]);
            assert!(a.std_pnl <= b.std_pnl && a.mean_cost > b.mean_cost, "{}", p.name);
        }
        for pt in &p.points {
            assert!(pt.mean_cost > 0.0 && pt.std_pnl > 0.0 && pt.trades > 0.0, "{}: {pt:?}", p.name);
            // the worst 5% lose more than the average path
            assert!(pt.cvar95 > -pt.mean_pnl, "{}: {pt:?}", p.name);
        }
    }
    assert_eq!(r.matched.len(), 4);
    // 4 adaptive families (WW, cost-benefit, expiry-aware, DP) against the 7 others each
    assert!(r.matched.iter().all(|m| m.costs.len() == 8 && m.savings.len() == 4 * 7));
    for s in r.matched.iter().flat_map(|m| &m.savings) {
        assert!(Family::from_name(s.policy).unwrap().is_adaptive() && s.policy != s.versus, "{s:?}");
        if let Some(se) = s.se_pct {
            assert!(s.pct.is_some() && se >= 0.0 && se.is_finite(), "{s:?}");
        }
    }
    // on this book the adaptive bands reach the comparison levels
    assert!(r.matched.iter().flat_map(|m| &m.savings).any(|s| s.se_pct.is_some()));
    assert!((r.book.premium - 13_252.0).abs() < 20.0, "{}", r.book.premium);
}

#[test]
fn without_costs_a_tighter_band_hedges_better_and_costs_nothing() {
    let cfg = LabConfig {
        costs: CostModel::fee_only(0.0),
        families: vec![Family::ThresholdToTarget, Family::WhalleyWilmott],
        ..small()
    };
    let r = run_sweep(&cfg, &|| {}).unwrap();
    for p in &r.policies {
        // sweeps run from tight to wide: the std rises and the trades fall
        let first = p.points.first().unwrap();
        let last = p.points.last().unwrap();
        assert!(first.std_pnl < 0.5 * last.std_pnl, "{}: {first:?} vs {last:?}", p.name);
        assert!(first.trades > 2.0 * last.trades, "{}", p.name);
        assert!(p.points.iter().all(|pt| pt.mean_cost == 0.0));
    }
}

#[test]
fn the_new_bands_reduce_to_the_old_where_they_should() {
    // c = 0: the cost-benefit band is WW's, bit for bit; on one expiry the
    // expiry-aware band is the cost-benefit band.
    let cfg = LabConfig { terminal: 0.0, ..small() };
    let setup = cfg.setup().unwrap();
    let (cost, risk_aversion) = (0.003, 1e-4);
    let run = |terminal: f64| {
        let policies = [
            Policy::WhalleyWilmott { cost, risk_aversion },
            Policy::CostBenefit { cost, risk_aversion, terminal, expiry_aware: false, fixed_cost: 0.0 },
            Policy::CostBenefit { cost, risk_aversion, terminal, expiry_aware: true, fixed_cost: 0.0 },
        ];
        setup.run_paths(&policies, &cfg.dp, 3, 40, &|| {}).unwrap()
    };
    let flat = run(0.0);
    assert_eq!(flat[0], flat[1]);
    assert_eq!(flat[1], flat[2]);
    let with_terminal = run(1.0);
    assert_eq!(with_terminal[1], with_terminal[2]);
    // ...and the terminal term changes what the band does
    assert_ne!(with_terminal[1], flat[1]);
    let trades = |o: &[hedge_lab::engine::Outcome]| o.iter().map(|o| o.trades).sum::<u32>();
    assert!(trades(&with_terminal[1]) < trades(&flat[1]), "the terminal term must spare trades near expiry");
}

#[test]
fn a_multi_expiry_book_runs_and_the_expiry_aware_band_differs_there() {
    let cfg = LabConfig {
        legs: LegSpec::multi_expiry_book(),
        families: vec![Family::ThresholdToEdge, Family::CostBenefit, Family::ExpiryAware, Family::DpOptimal],
        paths: 60,
        step_minutes: 30.0,
        dp: DpSettings { step_minutes: 30.0, spot_substeps: 1, hedge_resolution: 4.0, ..DpSettings::default() },
        ..small()
    };
    let r = run_sweep(&cfg, &|| {}).unwrap();
    assert_eq!(r.book.expiries_days, vec![2.0, 7.0, 14.0]);
    assert_eq!(r.book.legs.len(), 4);
    assert_eq!(r.decision_steps, 14 * 48);
    let by = |name: &str| r.policies.iter().find(|p| p.name == name).unwrap();
    assert_ne!(by("cost-benefit").points, by("expiry-aware").points);
    for p in &r.policies {
        assert!(p.points.iter().all(|pt| pt.mean_cost > 0.0 && pt.std_pnl > 0.0 && pt.trades > 0.0), "{}", p.name);
    }
    // every expiry's payoff is paid: an unhedged book loses its premium's
    // worth of spread, and a tight band far less
    let premium = r.book.premium;
    let loosest = by("threshold-to-edge").points.last().unwrap().std_pnl;
    let tightest = by("threshold-to-edge").points.first().unwrap().std_pnl;
    assert!(tightest < 0.5 * loosest && loosest < 2.0 * premium, "{tightest} {loosest} {premium}");
}

#[test]
fn the_dp_bound_refuses_costs_it_does_not_model() {
    for costs in [
        CostModel { fixed_per_trade: 1.0, ..CostModel::fee_only(30.0) },
        CostModel { venue_tvl: 1e7, venue_spot: 150.0, ..CostModel::fee_only(30.0) },
    ] {
        let cfg = LabConfig { costs, families: vec![Family::DpOptimal], ..small() };
        let e = run_sweep(&cfg, &|| {}).unwrap_err().to_string();
        assert!(e.contains("proportional costs only") && e.contains("--fixed-cost"), "{e}");
    }
}

#[test]
fn bad_configuration_is_an_error_not_a_panic() {
    for cfg in [
        LabConfig { paths: 1, ..small() },
        LabConfig { step_minutes: 0.0, ..small() },
        LabConfig { step_minutes: 1e9, ..small() },
        LabConfig { sweep_points: 1, ..small() },
        LabConfig { std_levels: vec![-0.1], ..small() },
        LabConfig { families: vec![], ..small() },
        LabConfig { contracts: 0, ..small() },
        LabConfig { min_band: -1.0, ..small() },
        LabConfig { ww_cost_bps: Some(20_000.0), ..small() },
        LabConfig { retrace: 1.5, ..small() },
        LabConfig { terminal: -1.0, ..small() },
        LabConfig {
            legs: vec![LegSpec { calls: true, puts: true, contracts: 1, strike: 150.0, days: 1e-9 }],
            ..small()
        },
    ] {
        let e = run_sweep(&cfg, &|| {}).unwrap_err();
        assert!(!e.to_string().is_empty());
    }
}
