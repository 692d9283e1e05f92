use super::*;
use options_math::amm::hedge_cost_rate;
use options_math::OptionKind;

fn small(settings: Vec<FeeSetting>) -> FlowConfig {
    let mut cfg = FlowConfig::standard(PoolRules::program_defaults());
    cfg.horizon_days = 2.0;
    cfg.expiries_days = vec![1.0, 2.0];
    cfg.paths = 3;
    cfg.settings = settings;
    cfg
}

fn none() -> FeeSetting {
    FeeSetting { name: "none".into(), hedge_fee: None }
}

fn share(s: f64) -> FeeSetting {
    FeeSetting { name: format!("share {s}"), hedge_fee: Some((s, 0.5)) }
}

#[test]
fn the_same_seed_gives_the_same_flow_and_the_same_outcome() {
    let cfg = small(vec![none(), share(1.0)]);
    let (s1, f1) = draw_path(&cfg, 1).unwrap();
    let (s2, f2) = draw_path(&cfg, 1).unwrap();
    assert_eq!((&s1, &f1), (&s2, &f2));
    let (s3, f3) = draw_path(&cfg, 2).unwrap();
    assert_ne!(s1, s3);
    assert_ne!(f1, f3);
    // ~100 a day over 2 days: Poisson(200), sd 14
    assert!((140..260).contains(&f1.len()), "{} traders", f1.len());
    assert!(f1.windows(2).all(|w| w[0].step <= w[1].step));
    assert!(f1.iter().all(|a| a.contracts >= CONTRACT / 100 && a.contracts <= 50 * CONTRACT));
    assert_eq!(run_path(&cfg, &s1, &f1).unwrap(), run_path(&cfg, &s2, &f2).unwrap());
    // another seed, another flow
    let mut other = cfg.clone();
    other.seed = 2;
    assert_ne!(draw_path(&other, 1).unwrap().1, f1);
}

#[test]
fn share_zero_is_the_run_without_the_fee_and_share_one_is_not() {
    let cfg = small(vec![none(), share(0.0), share(1.0)]);
    for i in 0..cfg.paths as u64 {
        let (spots, flow) = draw_path(&cfg, i).unwrap();
        let out = run_path(&cfg, &spots, &flow).unwrap();
        assert_eq!(out[0], out[1], "path {i}");
        assert!(out[0].buys > 0, "path {i}: the flow trades");
        assert_eq!(out[0].ledger.hedge_fee_charged, 0.0);
        assert!(out[2].ledger.hedge_fee_charged > 0.0, "path {i}: the fee charges gamma-adding trades");
        assert_ne!(out[0].lp_pnl, out[2].lp_pnl);
    }
}

/// pick 2.5/12: the 150 call of the first expiry among the 12 series.
fn arrival(buy: bool, true_vol: f64, edge: f64) -> Arrival {
    Arrival { step: 0, buy, pick: 2.5 / 12.0, contracts: 5 * CONTRACT, true_vol, edge }
}

#[test]
fn a_trader_whose_reservation_is_worse_than_the_quote_walks_away() {
    let cfg = small(vec![none()]);
    let mut pool = new_pool(&cfg, &cfg.settings[0]);
    let spot = I80F48::from_num(150);
    pool.refresh(spot, 0).unwrap();
    // at his fair value (IV 0.8, no edge) the quote (IV above 0.8 after
    // the trade, plus fees) is dearer
    let before = pool.ledger;
    let cheap = arrival(true, 0.8, 0.0);
    assert_eq!(pool.offer(&cheap, spot, 0).unwrap(), Answer::Walked { side: Side::Buy, contracts: 5 * CONTRACT });
    assert_eq!(pool.ledger, before);
    assert!(pool.series.iter().all(|s| s.net_short == 0));
    assert_eq!(pool.base_iv[0], cfg.rules.initial_base_iv, "a quote moves nothing");
    // a seller with nothing the pool wrote has nothing to sell
    assert_eq!(pool.offer(&arrival(false, 0.8, 0.0), spot, 0).unwrap(), Answer::NoInventory);
    // a buyer who values it at 120% vol takes it
    match pool.offer(&arrival(true, 1.2, 0.0), spot, 0).unwrap() {
        Answer::Traded { side: Side::Buy, contracts, premium, fee } => {
            assert_eq!(contracts, 5 * CONTRACT);
            assert_eq!(pool.series[2].net_short, 5 * CONTRACT);
            assert!((pool.ledger.premiums - premium as f64 * 1e-6).abs() < 1e-9);
            assert!((pool.ledger.fees - fee as f64 * 1e-6).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
    // a seller who wants more than the quote pays walks; one who wants less trades
    let greedy = arrival(false, 1.5, 0.0);
    assert!(matches!(pool.offer(&greedy, spot, 0).unwrap(), Answer::Walked { side: Side::Sell, .. }));
    let eager = arrival(false, 0.5, 0.0);
    assert!(matches!(pool.offer(&eager, spot, 0).unwrap(), Answer::Traded { side: Side::Sell, .. }));
    assert_eq!(pool.series[2].net_short, 0);
}

#[test]
fn acceptance_is_the_reservation_times_the_contracts() {
    let a = arrival(true, 0.8, 0.02);
    // fair 10 per contract, 5 contracts, 2% edge: pays up to 51.00
    assert!(a.accepts(51_000_000, 5 * CONTRACT, 10.0, 6));
    assert!(!a.accepts(51_000_001, 5 * CONTRACT, 10.0, 6));
    let s = arrival(false, 0.8, 0.02);
    assert!(s.accepts(49_000_000, 5 * CONTRACT, 10.0, 6));
    assert!(!s.accepts(48_999_999, 5 * CONTRACT, 10.0, 6));
    assert_eq!(a.choose(3), 0);
    assert_eq!(Arrival { pick: 0.999, ..a }.choose(3), 2);
}

#[test]
fn the_ledger_adds_up_at_the_end_of_a_path() {
    for horizon in [2.0, 1.5] {
        // 1.5 days: the second expiry is still open at the end (a liability)
        let mut cfg = small(vec![none(), share(1.0)]);
        cfg.horizon_days = horizon;
        let (mut open_at_end, mut hedged) = (false, false);
        for path in 0..4 {
            let (spots, flow) = draw_path(&cfg, path).unwrap();
            for o in run_path(&cfg, &spots, &flow).unwrap() {
                let l = &o.ledger;
                let parts = l.premiums + l.fees - l.payouts + l.hedge_pnl - l.hedge_cost - o.liability;
                assert!((o.lp_pnl - parts).abs() < 1e-6 * cfg.capital, "{horizon}: {} vs {parts}", o.lp_pnl);
                hedged |= l.hedge_trades > 0 && l.hedge_cost > 0.0;
                open_at_end |= o.liability > 0.0;
                if horizon == 2.0 {
                    assert_eq!(o.liability, 0.0, "everything has expired");
                }
                // the fee parts of the trades that happened are what was
                // retained, up to rounding and min fees
                let parts = l.option_fee + l.spot_fee + l.vega_fee + l.hedge_fee_charged - l.hedge_fee_rebated;
                let trades = (o.buys + o.sells) as f64;
                assert!(l.fees >= parts - 1e-9 && l.fees <= parts + trades * 0.01 + 1e-9, "{} vs {parts}", l.fees);
            }
        }
        assert_eq!(open_at_end, horizon < 2.0);
        assert!(hedged, "the books were hedged");
    }
}

#[test]
fn the_probe_is_the_marginal_hedging_cost_of_the_trade() {
    let cfg = small(vec![none(), share(1.0)]);
    let empty = report::probe(&cfg, 1, 5.0, 0.0).unwrap();
    let loaded = report::probe(&cfg, 1, 5.0, 5.0).unwrap();
    assert_eq!(report::probe(&cfg, 0, 5.0, 5.0).unwrap().hedge_fee, 0.0);
    assert!(loaded.hedge_fee > empty.hedge_fee && empty.hedge_fee > 0.0);
    // share x tau x (C(G + 5 gamma) - C(G)) in f64
    let p = cfg.hedge.fee_params(1.0, 0.5);
    let pool = new_pool(&cfg, &cfg.settings[1]);
    let i = pool.series.iter().position(|s| s.board == 0 && s.kind == OptionKind::Call && s.strike == 150).unwrap();
    let q = pool.quote(i, Side::Buy, 5 * CONTRACT, I80F48::from_num(150), 0).unwrap();
    let (s, iv) = (I80F48::from_num(150), q.iv.trade_iv);
    let g1 = q.greeks.gamma.to_num::<f64>() * 5.0 + 5.0;
    let c = |g: f64| hedge_cost_rate(&p, s, iv, I80F48::from_num(g)).unwrap().to_num::<f64>();
    let want = (c(g1) - c(5.0)) * cfg.expiries_days[0] / 365.0;
    assert!((loaded.hedge_fee - want).abs() < 2e-6, "{} vs {want}", loaded.hedge_fee);
}

#[test]
fn a_small_run_reports_every_setting_and_the_pairs() {
    let cfg = small(vec![none(), share(1.0)]);
    let r = run_flow(&cfg, &|| {}).unwrap();
    assert_eq!(r.settings.len(), 2);
    assert_eq!(r.paired.len(), 1);
    assert_eq!(r.paths, 3);
    assert!(r.settings[0].trades > 0.0 && r.settings[1].hedge_fee_charged > 0.0);
    let d = &r.paired[0];
    assert!((d.lp_pnl - (r.settings[1].lp_pnl_mean - r.settings[0].lp_pnl_mean)).abs() < 1e-6);
    assert!(!r.probes.is_empty());
}

#[test]
fn the_f64_cost_rate_is_options_math_s() {
    let cfg = small(vec![share(1.0)]);
    let p = cfg.hedge.fee_params(1.0, 0.5);
    for g in [0.01, 0.3, 5.0, 80.0] {
        let want = hedge_cost_rate(&p, I80F48::from_num(150), I80F48::from_num(0.8), I80F48::from_num(g)).unwrap();
        let got = cfg.hedge.cost_rate(150.0, 0.8, g);
        assert!((got / want.to_num::<f64>() - 1.0).abs() < 1e-9, "{g}: {got} vs {want}");
    }
    assert_eq!(cfg.hedge.cost_rate(150.0, 0.8, 0.0), 0.0);
}
