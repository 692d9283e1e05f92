//! The sweep end to end on a small, coarse configuration: determinism, the
//! shape of the report, and physics any hedger must show.
use hedge_lab::{run_sweep, CostModel, Family, LabConfig};

fn small() -> LabConfig {
    LabConfig { paths: 120, step_minutes: 15.0, sweep_points: 8, ..LabConfig::default_book() }
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
    assert!(r.matched.iter().all(|m| m.costs.len() == 5 && m.ww_saving_pct.len() == 4));
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
    ] {
        let e = run_sweep(&cfg, &|| {}).unwrap_err();
        assert!(!e.to_string().is_empty());
    }
}
